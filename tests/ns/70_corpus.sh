#!/bin/bash
# Issue 13, "judge every request form the server acts on": the measured
# request corpus (tests/http_corpus: 590 variants, classes legit, attack
# and either; tests/http_corpus/SEMANTICS.md) sent to real Apache and
# nginx with the shield attached, judged by what each server logged.
#
# Topology and servers: corpus_lib.sh (the same as
# tests/http_corpus/run_all.sh, which measured the corpus without the
# shield): one source address per variant, Apache (Debian's
# configuration, prefork) and nginx (Debian's nginx.conf), one at a time,
# each serving www.example.org, example.org and xn--mnchen-3ya.example.org
# beside the catch-all default vhost, a log per vhost; a pass program on
# the client's veth (fs_peer_pass) so that the shield's resets (XDP_TX)
# reach the client.
#
# For each server of CORPUS_SERVERS (default "apache nginx"):
#   - control, before the shield: a request for an unknown Host from
#     192.0.2.2 (no variant's source) is logged by the catch-all;
#   - a fresh shield on the server's veth (its own pins), the served names
#     added, port 80 http, http.server=both, syn.cookies=off, and every
#     per-prefix level, the SYN guard and http.suspect off: 250 variants
#     share a /24 and every IPv6 one shares 2001:db8:1::/64, so a prefix
#     level or a host-wide rate would let earlier variants decide later
#     ones (a prefix ban would drop legitimate variants; http.suspect
#     depends on the rate). The per-source levels keep their defaults:
#     each variant has a source of its own;
#   - every variant (CORPUS_ONLY=ID,... for some), CORPUS_JOBS at once
#     (tests/http_corpus/run_corpus.py run), then a wait (at most 15 s)
#     until the server has closed every connection, so that it has
#     logged every request it read;
#   - tests/http_corpus/judge.py: one result per variant of class legit
#     (the server logged at least as many requests from its source as
#     without the shield, measured.json) or attack (no request from its
#     source but the legitimate ones it starts with, in the served vhost:
#     corpus.json's legit_before; a connection logged without a request
#     line, nginx's 400 for a connection reset after a leading empty
#     line, is no request); a failure shows what the server logged. Then
#     "# " lines: per class how many were as expected (either: how many
#     reached, not asserted), the failing ids by tag, the shield's
#     non-zero counters and its bans.
# (The judge also ignores lines from ::1 and 127.0.0.1: Apache's own
# dummy connections that wake its children.)
# CORPUS_OUT=DIR keeps the results and verdicts (SERVER-results.json,
# SERVER-verdicts.json) for comparing runs.
set -u

FS_PIN=/sys/fs/bpf/fs-corpus-$$		# replaced per server by proof_shield_up
# shellcheck source=tests/ns/corpus_lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/corpus_lib.sh"

T=70_corpus
CORPUS_SERVERS=${CORPUS_SERVERS:-"apache nginx"}
CORPUS_ONLY=${CORPUS_ONLY:-}
CORPUS_OUT=${CORPUS_OUT:-}
CORPUS_RUN_MAX=240		# seconds, a bound on one server's run
IDLE_MAX=15			# seconds for the server to close every connection
CONTROL_HOST=0jejhcec65c24dslii.com
SHIELD_SETTINGS="http.server=both syn.cookies=off syn.guard=off
syn.tcp.prefix=off syn.http.prefix=off http.req.prefix=off
http.bad.prefix=off conn.prefix=off http.suspect=off"

# shellcheck disable=SC2317	# called through fs_wait_until
control_logged()
{
	grep -q "^$FS_CLI4 .*control=$CORPUS_SERVER" "$CORPUS_LOG_DIR/default.log" 2>/dev/null
}

# The catch-all logs an unknown Host from a source of no variant.
control()
{
	ip netns exec "$FS_CLI_NS" curl -sS -o /dev/null --max-time 5 \
		--interface "$FS_CLI4" -H "Host: $CONTROL_HOST" \
		"http://$FS_SRV4/?control=$CORPUS_SERVER" 2>/dev/null
	fs_wait_until 10 control_logged
}

# Ban counts by prefix length and reason: "32:http_bad=3".
bans_summary()
{
	proof_bans | awk 'NF { split($1, c, "/"); k[c[2] ":" $2]++ }
		END { for (x in k) printf "%s=%d ", x, k[x]; print "" }'
}

run_server()
{
	local s=$1 L="$T: $1" t0=$SECONDS res=$FS_TMP/$1-results.json
	local verdicts=$FS_TMP/$1-verdicts.json only=() left idle

	if ! corpus_server_start "$s" 2>"$FS_TMP/server.err"; then
		fs_fail "$L: server started" "$(cat "$FS_TMP/server.err")"
		corpus_server_stop
		return
	fi
	fs_note "$L: $(corpus_server_version)"
	control
	fs_result $? "$L: without the shield the catch-all logs an unknown Host (control)" \
		"no line with control=$s from $FS_CLI4 in $CORPUS_LOG_DIR/default.log"
	# shellcheck disable=SC2086
	if ! proof_shield_up "$s" $SHIELD_SETTINGS 2>"$FS_TMP/shield.err" ||
		! fs_cli ports set "$HTTP_PORT" http >"$FS_TMP/shield.err" 2>&1; then
		fs_fail "$L: shield attached" "$(cat "$FS_TMP/shield.err")"
		corpus_server_stop
		return
	fi
	[ -n "$CORPUS_ONLY" ] && only=(--only "$CORPUS_ONLY")
	CORPUS_RUN_MAX=$CORPUS_RUN_MAX corpus_run "$res" --settle 0 "${only[@]}" \
		2>"$FS_TMP/run.err" ||
		fs_fail "$L: the corpus ran" "$(tail -n 5 "$FS_TMP/run.err")"
	fs_note "$L: run_corpus.py: $(tail -n 1 "$FS_TMP/run.err")"
	idle=$SECONDS
	if fs_wait_until "$IDLE_MAX" corpus_server_idle; then
		fs_note "$L: the server closed every connection $((SECONDS - idle)) s after the run"
	else
		left=$(corpus_open_sockets)
		fs_note "$L: the server still holds $(grep -c . <<<"$left") connections" \
			"$IDLE_MAX s after the run: $(head -n 5 <<<"$left" | paste -sd' ')"
	fi
	if [ -s "$res" ]; then
		"$FS_PY" "$CORPUS_DIR/judge.py" --corpus "$CORPUS" \
			--measured "$CORPUS_MEASURED" --results "$res" \
			--server "$s" "${CORPUS_LOGS[@]}" --name "$L" \
			--known "$FS_CLI4" --known ::1 --known 127.0.0.1 \
			--out "$verdicts" ||
			fs_fail "$L: judge.py ran"
	fi
	if [ -n "$CORPUS_OUT" ]; then
		mkdir -p "$CORPUS_OUT" && cp "$res" "$verdicts" "$CORPUS_OUT/"
	fi
	fs_note "$L: counters: $(proof_counters)"
	fs_note "$L: bans (prefix length:reason=count): $(bans_summary)"
	proof_shield_down
	corpus_server_stop
	fs_note "$L: $((SECONDS - t0)) s"
}

main()
{
	local start=$SECONDS s why

	why=$(corpus_missing)
	[ -z "$why" ] && [ ! -x "$FS_BIN" ] && why="needs $FS_BIN (run make)"
	[ -z "$why" ] && ! command -v curl >/dev/null && why="needs curl (scripts/install-deps.sh --test)"
	if [ -n "$why" ]; then
		fs_fail "$T: prerequisites" "$why"
		exit 0
	fi
	FS_TMP=$(mktemp -d /tmp/fs-corpus-"$FS_TAG".XXXXXX) || fs_die "mktemp"
	proof_trap_cleanup
	if ! corpus_topo_up || ! fs_peer_pass; then
		fs_fail "$T: namespaces, veth and the variants' sources set up"
		exit 0
	fi
	for s in $CORPUS_SERVERS; do
		run_server "$s"
	done
	proof_cleanup
	fs_note "$T: $((SECONDS - start)) s"
	exit 0
}

main "$@"
