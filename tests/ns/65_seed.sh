#!/bin/bash
# Issue 12, "the connection check finds every connection the kernel
# really holds": the seed flood over real TCP against every server
# variant people run with their defaults.
#
# Topology and servers: proof_lib.sh. For each variant of SEED_VARIANTS
# (default all: apache, nginx-deferred, nginx, nginx-syncookies, dnat),
# with a fresh shield (own pins), the served hosts added:
#   - the botnet (http_flood.py botnet, the seed flooder): BOTS_PER_NET
#     sources in each of 198.51.100.0/24 and 203.0.113.0/24, each keeping
#     one keep-alive connection at a time and sending the seed request
#     byte for byte (`GET /#101 HTTP/1.1`, Host and Referer
#     0jejhcec65c24dslii.com, the MSIE 6 agent, Connection: Keep-Alive)
#     every THINK s, reconnecting GAP s after a connection ends, for
#     FLOOD_S s;
#   - the legitimate client (curl from 192.0.2.2, proof_lib.sh) at a
#     steady rate meanwhile: a new connection every LEGIT_PERIOD s with
#     LEGIT_PER_CONN keep-alive requests.
# Then (after a marker request of the client is logged and no server
# socket of a bot is left, each waited for at most 10 s):
#   - at most 1% of the attack requests sent reach the server: seed lines
#     (`GET /#101`) from a bot in the server's access log (Apache answers
#     them 400, nginx 200: reached either way);
#   - every bot is banned by source: a ban of its own /32 (`block list
#     -j`), not only a prefix ban;
#   - legitimate success >= 99% (HTTP 200, curl exit 0), and the server
#     logged every request the client got answered;
#   - the server side is freed: no server socket whose peer is a bot is
#     left (any state but LISTEN and TIME-WAIT, `ss` in the namespace
#     where the server runs);
#   - the bots see the reset: no bot connection sent a request and then
#     got neither an answer nor a reset within READ_TIMEOUT s (the
#     botnet's "timeout" outcome).
# Before the shield is attached, a control request (the seed request
# from the probe source 198.51.100.250) must be in the access log: the
# server variant serves and logs the attack, so "0 reached" is the
# shield's doing.
# The per-prefix levels of syn.http and http.bad are raised (as in
# 20_http): BOTS_PER_NET bots in one /24 would otherwise spend the /24's
# bad-request burst (30) with their first requests and be banned as a
# prefix before any bot earns a ban of its own, which is what this test
# measures. A failure prints the shield's non-zero counters (no_conn:
# bad requests that found no connection) and the bans by reason.
set -u

FS_PIN=/sys/fs/bpf/fs-seed-$$		# replaced per variant by proof_shield_up
# shellcheck source=tests/ns/proof_lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/proof_lib.sh"

T=65_seed
SEED_VARIANTS=${SEED_VARIANTS:-$PROOF_VARIANTS_ALL}
BOTS_PER_NET=${BOTS_PER_NET:-30}	# two /24s: 60 bots
FLOOD_S=${FLOOD_S:-8}
THINK=1				# seconds between a bot's requests on a connection
KEEPALIVE=10			# requests per bot connection at most
GAP=0.2				# before a bot's next connection
READ_TIMEOUT=5			# a bot waits this long for an answer
LEGIT_PERIOD=0.25
LEGIT_PER_CONN=5
LEGIT_ITER=$(awk -v d="$FLOOD_S" -v p="$LEGIT_PERIOD" 'BEGIN { print int(d / p) }')
LEGIT_MIN_PCT=99
REACH_MAX_PCT=1
SEED_LINE='"GET /#101 HTTP/1.1"'
PROBE=198.51.100.250		# http_lib.sh's probe source: the control request
SHIELD_SETTINGS="syn.http.prefix=5000/10000 http.bad.prefix=5000/10000"

bots()
{
	local i

	for i in $(seq 100 $((99 + BOTS_PER_NET))); do echo "198.51.100.$i"; done
	for i in $(seq 100 $((99 + BOTS_PER_NET))); do echo "203.0.113.$i"; done
}

# Server sockets (any state but LISTEN and TIME-WAIT) whose peer is a bot.
bot_sockets()
{
	local ns=$FS_SRV_NS

	[ "$PROOF_VARIANT" = dnat ] && ns=$PROOF_APP_NS
	ip netns exec "$ns" ss -Htan 2>/dev/null | awk '
		NR == FNR { a[$1]; next }
		$1 == "LISTEN" || $1 == "TIME-WAIT" { next }
		{ p = $5; sub(/:[0-9]+$/, "", p) }
		p in a { print $1, $5 }' "$FS_TMP/bots.txt" -
}

# shellcheck disable=SC2317	# called through fs_wait_until
no_bot_sockets() { [ -z "$(bot_sockets)" ]; }

# shellcheck disable=SC2317
marker_logged() { grep -qF "$1" "$PROOF_ACCESS_LOG"; }

# Ban counts by kind and reason: "32:http_bad=60 24:syn_rate_prefix=2".
bans_summary()
{
	proof_bans | awk 'NF { split($1, c, "/"); k[c[2] ":" $2]++ }
		END { for (x in k) printf "%s=%d ", x, k[x]; print "" }'
}

run_variant()
{
	local v=$1 L="$T: $1" t0=$SECONDS bot_pid legit=$FS_TMP/$1-legit.txt
	local flood=$FS_TMP/$1-bots.json sent reached own nb sum n ok resets codes
	local marker="marker=$1-$$" left lost logged

	if ! proof_server_start "$v" 2>"$FS_TMP/server.err"; then
		fs_fail "$L: server started" "$(cat "$FS_TMP/server.err")"
		proof_server_stop
		return
	fi
	fs_note "$L: $(proof_server_describe)"
	# Control, before the shield: the seed request reaches this server
	# and is logged (so that "0 reached" below means the shield stopped
	# it). From the probe source, which is no bot.
	http_request "$PROBE" "GET /#101?control=$v HTTP/1.1\r\nHost: $HTTP_ATTACK_HOST\r\n\r\n" >/dev/null
	if ! fs_wait_until 10 marker_logged "control=$v"; then
		fs_fail "$L: without the shield the seed request reaches the server (control)" \
			"no 'control=$v' line in $PROOF_ACCESS_LOG"
		proof_server_stop
		return
	fi
	# shellcheck disable=SC2086
	if ! proof_shield_up "$v" $SHIELD_SETTINGS 2>"$FS_TMP/shield.err"; then
		fs_fail "$L: shield attached" "$(cat "$FS_TMP/shield.err")"
		proof_server_stop
		return
	fi
	proof_legit_bg "$legit" "$legit.err" "$LEGIT_ITER" "$LEGIT_PERIOD" \
		"$LEGIT_PER_CONN" "$FLOOD_S" "$v"
	http_py_bg "$flood" "$flood.err" $((FLOOD_S + 30)) botnet \
		--sources-file "$FS_TMP/bots.txt" --dst4 "$FS_SRV4" --dst6 "$FS_SRV6" \
		--port "$HTTP_PORT" --duration "$FLOOD_S" --keepalive "$KEEPALIVE" \
		--think "$THINK" --gap "$GAP" --spread 1 \
		--read-timeout "$READ_TIMEOUT" --connect-timeout 1.5
	bot_pid=$HTTP_PY_PID
	wait "$bot_pid" || fs_fail "$L: botnet ran" "$(tail -n 5 "$flood.err")"
	wait "$PROOF_LEGIT_PID"
	fs_note "$L: bots: $(fs_json "'%d connections, %d requests sent, %d answered; outcomes %s; statuses %s' % (d['connections'], d['sent'], d['answered'], d['outcomes'], d['statuses'])" <"$flood")"

	# Settle: a request after the flood is logged, no bot socket left.
	ip netns exec "$FS_CLI_NS" curl -sS -o /dev/null --max-time 5 \
		--interface "$FS_CLI4" --resolve "$PROOF_HOST:80:$FS_SRV4" \
		"http://$PROOF_HOST/index.html?$marker" 2>/dev/null
	fs_wait_until 10 marker_logged "$marker" ||
		fs_note "$L: the marker request after the flood was not logged"
	fs_wait_until 10 no_bot_sockets
	left=$(bot_sockets)
	[ -z "$left" ]
	fs_result $? "$L: the server side is freed: no server socket of a bot left" \
		"$(awk '{ print $1 }' <<<"$left" | sort | uniq -c | paste -sd' ') (ss, 10 s after the flood)"
	lost=$(fs_json "d['outcomes'].get('timeout', 0)" <"$flood")
	[ "$lost" = 0 ]
	fs_result $? "$L: the bots see their requests reset (none waits in vain)" \
		"$lost bot connections sent a request and got neither an answer nor a reset within ${READ_TIMEOUT} s" \
		"outcomes: $(fs_json "d['outcomes']" <"$flood")"

	sent=$(fs_json "d['sent']" <"$flood")
	reached=$(proof_log_count_from "$FS_TMP/bots.txt" "$SEED_LINE")
	[ "${sent:-0}" -gt 0 ] && [ $((reached * 100)) -le $((sent * REACH_MAX_PCT)) ]
	fs_result $? "$L: <= $REACH_MAX_PCT% of the attack requests reach the server ($reached of ${sent:-?})" \
		"seed lines from bots in the access log: $reached; requests sent: ${sent:-?}" \
		"$(grep -F "$SEED_LINE" "$PROOF_ACCESS_LOG" | head -n 3)"

	nb=$(grep -c . "$FS_TMP/bots.txt")
	own=$(proof_src_bans "$FS_TMP/bots.txt" 2>"$FS_TMP/bans.err")
	[ "${own:-0}" = "$nb" ]
	fs_result $? "$L: every bot banned by source (/32): ${own:-?} of $nb" \
		"bans by prefix length and reason: $(bans_summary)" "$(cat "$FS_TMP/bans.err")"

	sum=$(proof_legit_summary "$legit")
	read -r n ok _ resets codes <<<"$sum"
	[ "${n:-0}" -gt 0 ] && [ $((ok * 100)) -ge $((n * LEGIT_MIN_PCT)) ]
	fs_result $? "$L: legitimate success >= $LEGIT_MIN_PCT% ($ok of $n)" \
		"failures by curl exit code: $codes ($resets resets)" \
		"$(sort "$legit.err" | uniq -c | head -n 5)"
	logged=$(proof_legit_logged "$v")
	[ "$logged" -ge "${ok:-0}" ] && [ "${ok:-0}" -gt 0 ]
	fs_result $? "$L: the server logged the client's answered requests ($logged lines, $ok answered)"

	fs_note "$L: counters: $(proof_counters)"
	fs_note "$L: bans (prefix length:reason=count): $(bans_summary)"
	proof_shield_down
	proof_server_stop
	fs_note "$L: $((SECONDS - t0)) s"
}

main()
{
	local start=$SECONDS v

	# shellcheck disable=SC2086
	proof_begin seed $SEED_VARIANTS || exit 0
	bots >"$FS_TMP/bots.txt"
	for v in $SEED_VARIANTS; do
		run_variant "$v"
	done
	proof_cleanup
	fs_note "$T: $FS_FAILS failed, $((SECONDS - start)) s"
	exit 0
}

main "$@"
