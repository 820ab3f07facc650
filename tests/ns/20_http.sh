#!/bin/bash
# Namespace test of the HTTP shield against real traffic and a real nginx.
#
# Topology: lib.sh's server and client namespaces joined by one veth pair,
# plus (http_lib.sh) 220 attack sources on the client side (100 in each of
# 198.51.100.0/24 and 203.0.113.0/24, 20 in 2001:db8:1::/64) and 22 fresh
# ones for the run without the shield. The legitimate client is 192.0.2.2
# (2001:db8::2 for IPv6). nginx in the server namespace serves
# www.example.org and example.org, and answers any other Host from a
# catch-all default server, as the attack's victim did.
#
# The shield is attached by the CLI to the server's veth and learns the
# served hosts with `hosts import nginx --config`. Asserted:
#   - the import finds www.example.org and example.org; `hosts list`;
#   - legitimate variants reach nginx (its access log, one line each) and
#     get a 200: mixed-case field name and value, ":80", trailing dot,
#     absolute-form target, Host after 1 KB and after 3 KB (beyond the
#     first segment) of cookies, Host sent in a second segment, two
#     pipelined requests, POST with a body, an IPv6 client, "%23" in the
#     target, the bare example.org;
#   - the flood (http_flood.py attack: each source makes up to 5
#     connections one after the other, at least 0.2 s apart, sources
#     starting within 3 s; "GET /#101" with the attack's Host, Referer and
#     MSIE agent, every second request without the "#101" so that the
#     Host check is hit too) while the legitimate client makes 300
#     keep-alive requests (10 per connection) over 6 s:
#       no attack request in nginx's access log, none answered; every
#       attack request sent ends in a reset at the client; legitimate
#       success rate >= 99% (p50/p99 reported, not asserted); every
#       attack source banned with reason http_bad (`block list -j`); no
#       server socket from an attack source left in ESTAB or CLOSE-WAIT
#       (`ss`, polled for at most 10 s after the flood); stats counted
#       http_fragment and http_bad_host resets, reset_flow passes and ban
#       drops, with those actions;
#   - probes (IPv4 and IPv6, see check_probes): a source gets more than
#     the http.bad.src burst (3) of bad requests reset before its ban,
#     and a connection opened before the ban whose request comes after
#     it is reset too;
#   - after `detach`, a small flood from fresh sources reaches nginx
#     (attack lines appear in its access log): the shield made the
#     difference.
# The per-prefix levels of syn.http and http.bad are raised: this test
# packs 100 attack sources into one /24, and with the default prefix
# levels the first ~30 bad requests of a /24 ban the whole /24
# (http_bad_prefix), which would hide the per-source behaviour measured
# here. The source bursts of syn.http and http.req are raised above what
# the legitimate client sends in the whole test, so that its success
# does not depend on how its requests are spaced (a stalled client
# catches up in a burst). Every wait is for something observed (a log
# line, a socket gone), bounded; a client's deadline counts what the
# kernel holds when it is checked, so a late wake-up is no timeout.
set -u

FS_PIN=${FS_PIN:-/sys/fs/bpf/fs-http-$$}	# our own pins; lib.sh keeps it
# shellcheck source=tests/ns/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
# shellcheck source=tests/ns/http_lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/http_lib.sh"

LEGIT4=$FS_CLI4
LEGIT6=$FS_CLI6
HOST=www.example.org

LEGIT_REQUESTS=300	# during the flood
LEGIT_DURATION=6	# seconds
LEGIT_MIN_PCT=99
PER_SOURCE=5		# attack connections per source, one after the other
ATTACK_GAP=0.2		# at least this many seconds between their starts
ATTACK_SPREAD=3		# sources start within this many seconds
BAD_BURST=3		# http.bad.src burst (default 1/3)

T=20_http		# prefix of every result

# Figures for the summary line.
S_LEGIT="?" S_P50="?" S_P99="?" S_REACHED="?" S_BANS="?" S_ATTEMPTED="?"
S_SOURCES="?" S_OFF_REACHED="?" S_OFF_SENT="?"

# ---------------------------------------------------------------------

# Packets counted for REASON in `stats -j` (passes and drops alike).
stat_packets()
{
	fs_cli -j stats | fs_json \
		"sum(r['packets'] for r in d['reasons'] if r['reason'] == '$1')"
}

# The action `stats -j` gives for REASON.
stat_action()
{
	fs_cli -j stats | fs_json \
		"next((r['action'] for r in d['reasons'] if r['reason'] == '$1'), '')"
}

# Reasons the flood must move, with their action.
STAT_REASONS="http_fragment:reset http_bad_host:reset reset_flow:pass ban:drop"

stats_snapshot()
{
	local r

	for r in $STAT_REASONS; do
		r=${r%%:*}
		echo "$r=$(stat_packets "$r")"
	done
}


# json_get FILE EXPR: EXPR over the JSON object in FILE (see fs_json).
json_get()
{
	fs_json "$2" <"$1" 2>/dev/null
}

# ---------------------------------------------------------------------

setup()
{
	if ! fs_topo_up || ! http_sources_up; then
		fs_fail "$T: namespaces, veth and $(http_attack_sources | wc -l) attack sources set up"
		return 1
	fi
	fs_note "setup: $T: namespaces, veth and $(http_attack_sources | wc -l) attack sources set up"
	if ! http_nginx_start; then
		fs_fail "$T: nginx listens on port 80 (IPv4 and IPv6)" \
			"$(tail -n 5 "$HTTP_NGINX_DIR/logs/error.log" 2>/dev/null)"
		return 1
	fi
	fs_note "setup: $T: nginx listens on port 80 (IPv4 and IPv6)"
	check_variant "$T: without the shield" before-shield "$LEGIT4" 1 "$HOST" \
		"GET /index.html?v=before-shield HTTP/1.1\r\nHost: $HOST\r\n\r\n"
}

attach()
{
	local out

	if ! out=$(fs_cli attach "$FS_SRV_IF" 2>&1); then
		fs_fail "$T: attach to $FS_SRV_IF" "$out"
		return 1
	fi
	fs_note "setup: $T: attach to $FS_SRV_IF"
	# The legitimate client's bursts stay within its source's buckets
	# however its requests bunch up (a stalled client catches up at
	# once): at most ~40 connections and ~320 requests in this test.
	out=$(fs_cli set syn.http.prefix=5000/10000 http.bad.prefix=5000/10000 \
		syn.http.src=20/100 http.req.src=100/1000 2>&1) ||
		fs_die "$T: cannot raise the per-prefix levels: $out"
}

hosts_import()
{
	local out list

	# The config's default server (server_name _, a root) answers every
	# Host: the import refuses it, and changes nothing, unless --force.
	out=$(fs_cli hosts import nginx --config "$HTTP_NGINX_CONF" 2>&1)
	[ $? -ne 0 ] && grep -q "server_name _; } is the default server" <<<"$out" &&
		[ "$(fs_cli -j hosts list)" = "[]" ]
	fs_result $? "$T: hosts import nginx refuses a catch-all default server, adds nothing" "$out"
	out=$(fs_cli hosts import nginx --force --config "$HTTP_NGINX_CONF" 2>&1)
	fs_note "$T: hosts import: $(tr '\n' ' ' <<<"$out")"
	grep -q "^host www.example.org added" <<<"$out" &&
	grep -q "^host example.org added" <<<"$out" &&
	grep -q "^imported 2 names from nginx (1 not expressible, --force, 0 listed" <<<"$out"
	fs_result $? "$T: hosts import nginx finds www.example.org and example.org" "$out"
	list=$(fs_cli -j hosts list | fs_json "','.join(d)")
	[ "$list" = "example.org,www.example.org" ]
	fs_result $? "$T: hosts list shows the two names" "hosts list: $list"
}

# ---------------------------------------------------------------------
# Legitimate variants.

# check_variant LABEL NAME SRC N HOST SEGMENT...: SEGMENT(s) from SRC
# carry N requests whose targets hold "v=NAME"; each must get a 200 and
# leave one access-log line from SRC with $host HOST.
check_variant()
{
	local label=$1 name=$2 src=$3 n=$4 host=$5 out st want lines
	local pause=()

	shift 5
	[ $# -gt 1 ] && pause=(--pause 0.3)
	out=$(http_request "$src" --expect "$n" "${pause[@]}" -- "$@")
	st=$(fs_json "' '.join(map(str, d['statuses']))" <<<"$out")
	want=$(printf '200 %.0s' $(seq "$n"))
	[ "$st " = "$want" ]
	fs_result $? "$label: $name: $n x 200" "client: $out"
	http_log_wait "v=$name" "$n"
	lines=$(grep -F "v=$name" "$HTTP_ACCESS_LOG" |
		grep -cF "$src \"$host\" ")
	[ "$lines" = "$n" ]
	fs_result $? "$label: $name: reaches nginx ($n log line(s) from $src, host $host)" \
		"access log:" "$(grep -F "v=$name" "$HTTP_ACCESS_LOG")"
}

check_variants()
{
	local ua='User-Agent: Mozilla/5.0 (X11; Linux x86_64) fs-test\r\nAccept: */*\r\n'
	local h="Host: $HOST\r\n" c1k c3k body L="$T: legit"

	c1k="Cookie: s=$(head -c 1024 /dev/zero | tr '\0' a)\r\n"
	c3k="Cookie: s=$(head -c 3072 /dev/zero | tr '\0' b)\r\n"
	body='name=alice&msg=hello+there'

	check_variant "$L" mixed-case "$LEGIT4" 1 "$HOST" \
		"GET /index.html?v=mixed-case HTTP/1.1\r\nhOsT: WWW.Example.ORG\r\n$ua\r\n"
	check_variant "$L" port-80 "$LEGIT4" 1 "$HOST" \
		"GET /index.html?v=port-80 HTTP/1.1\r\nHost: $HOST:80\r\n$ua\r\n"
	check_variant "$L" trailing-dot "$LEGIT4" 1 "$HOST" \
		"GET /index.html?v=trailing-dot HTTP/1.1\r\nHost: $HOST.\r\n$ua\r\n"
	check_variant "$L" absolute-form "$LEGIT4" 1 "$HOST" \
		"GET http://$HOST/index.html?v=absolute-form HTTP/1.1\r\n$h$ua\r\n"
	check_variant "$L" cookies-1k "$LEGIT4" 1 "$HOST" \
		"GET /index.html?v=cookies-1k HTTP/1.1\r\n$ua$c1k$h\r\n"
	check_variant "$L" cookies-3k "$LEGIT4" 1 "$HOST" \
		"GET /index.html?v=cookies-3k HTTP/1.1\r\n$ua$c3k$h\r\n"
	check_variant "$L" host-second-segment "$LEGIT4" 1 "$HOST" \
		"GET /index.html?v=host-second-segment HTTP/1.1\r\n$ua" "$h\r\n"
	check_variant "$L" pipelined "$LEGIT4" 2 "$HOST" \
		"GET /index.html?v=pipelined&n=1 HTTP/1.1\r\n$h$ua\r\nGET /index.html?v=pipelined&n=2 HTTP/1.1\r\n$h$ua\r\n"
	check_variant "$L" post-body "$LEGIT4" 1 "$HOST" \
		"POST /form?v=post-body HTTP/1.1\r\n$h${ua}Content-Type: application/x-www-form-urlencoded\r\nContent-Length: ${#body}\r\n\r\n$body"
	check_variant "$L" ipv6-client "$LEGIT6" 1 "$HOST" \
		"GET /index.html?v=ipv6-client HTTP/1.1\r\n$h$ua\r\n"
	check_variant "$L" pct23 "$LEGIT4" 1 "$HOST" \
		"GET /hash%23x.html?v=pct23 HTTP/1.1\r\n$h$ua\r\n"
	check_variant "$L" bare-example-org "$LEGIT4" 1 example.org \
		"GET /index.html?v=bare-example-org HTTP/1.1\r\nHost: example.org\r\n$ua\r\n"
}

# ---------------------------------------------------------------------
# The flood.

# Server sockets in ESTAB or CLOSE-WAIT whose peer is listed in ADDR_FILE,
# one "STATE PEER" line each.
sockets_from()
{
	fs_in_srv ss -Htan 2>/dev/null | awk '
		NR == FNR { a[$1]; next }
		$1 != "ESTAB" && $1 != "CLOSE-WAIT" { next }
		{ p = $5; sub(/:[0-9]+$/, "", p); gsub(/[][]/, "", p) }
		p in a { print $1, $5 }' "$1" -
}

no_sockets_from() { [ -z "$(sockets_from "$1")" ]; }

# Attack sources banned with reason http_bad, from `block list -j`.
count_bans()
{
	fs_cli -j block list | fs_json "
len(set(e['cidr'].split('/')[0] for e in d
        if e['kind'] == 'ban' and e['reason'] == 'http_bad') &
    set(l.strip() for l in open('$FS_TMP/attack.txt')))"
}

check_flood()
{
	local before legit_pid r act got old new n left ok pct bans sent
	local attack=$FS_TMP/attack.json legit=$FS_TMP/legit.json

	http_attack_sources >"$FS_TMP/attack.txt"
	before=$(stats_snapshot)
	http_py_bg "$legit" "$FS_TMP/legit.err" $((LEGIT_DURATION + 30)) \
		legit "$LEGIT4" "$FS_SRV4" \
		--host "$HOST" --requests "$LEGIT_REQUESTS" \
		--duration "$LEGIT_DURATION" --workers 4 --per-conn 10
	legit_pid=$HTTP_PY_PID
	http_py 60 attack --sources-file "$FS_TMP/attack.txt" \
		--dst4 "$FS_SRV4" --dst6 "$FS_SRV6" --per-source "$PER_SOURCE" \
		--gap "$ATTACK_GAP" --spread "$ATTACK_SPREAD" --mix --sequential \
		--connect-timeout 1.2 \
		>"$attack" 2>"$FS_TMP/attack.err"
	fs_setup $? "$T: flood ran" "$(tail -n 5 "$FS_TMP/attack.err")"
	wait "$legit_pid"
	fs_setup $? "$T: legitimate client ran" "$(tail -n 5 "$FS_TMP/legit.err")"
	fs_note "$T: attack: $(cat "$attack")"
	fs_note "$T: legit:  $(cat "$legit")"
	S_ATTEMPTED=$(json_get "$attack" "d['attempted']")
	S_SOURCES=$(json_get "$attack" "d['sources']")

	# nginx logs a request after answering it: wait until it has logged
	# one sent after the flood ended (which is served, as it must be).
	check_variant "$T: after the flood" after-flood "$LEGIT4" 1 "$HOST" \
		"GET /index.html?v=after-flood HTTP/1.1\r\nHost: $HOST\r\n\r\n"
	n=$(( $(http_log_count "$HTTP_ATTACK_HOST") + $(http_log_count '#101') ))
	S_REACHED=$n
	[ "$n" = 0 ] && [ "$(json_get "$attack" "d['outcomes'].get('response', 0)")" = 0 ]
	fs_result $? "$T: no attack request reaches nginx" \
		"access log lines: $n" "$(grep -F "$HTTP_ATTACK_HOST" "$HTTP_ACCESS_LOG" | head -n 3)"
	sent=$(json_get "$attack" "d['sent']")
	[ "${sent:-0}" -gt 0 ] &&
		[ "$(json_get "$attack" "d['outcomes'].get('reset', 0)")" = "$sent" ]
	fs_result $? "$T: every attack request sent ($sent) ends in a reset at the client" \
		"outcomes: $(json_get "$attack" "d['outcomes']")"

	ok=$(json_get "$legit" "d['ok']")
	pct=$(json_get "$legit" "d['success_pct']")
	S_LEGIT=$pct S_P50=$(json_get "$legit" "d['p50_ms']") S_P99=$(json_get "$legit" "d['p99_ms']")
	[ -n "$ok" ] && [ $((ok * 100)) -ge $((LEGIT_REQUESTS * LEGIT_MIN_PCT)) ]
	fs_result $? "$T: legitimate success rate >= $LEGIT_MIN_PCT% during the flood" \
		"$(cat "$legit")"
	n=$(grep -cF "legit=" "$HTTP_ACCESS_LOG")
	fs_note "$T: legitimate requests in nginx's access log: $n"

	bans=$(count_bans)
	S_BANS=${bans:-?}
	[ "${bans:-0}" = "$S_SOURCES" ]
	fs_result $? "$T: every attack source banned (http_bad): ${bans:-?} of $S_SOURCES" \
		"not banned: $(fs_cli -j block list | fs_json "
', '.join(sorted(set(l.strip() for l in open('$FS_TMP/attack.txt')) -
    set(e['cidr'].split('/')[0] for e in d if e['reason'] == 'http_bad')))" | cut -c1-300)"

	fs_wait_until 10 no_sockets_from "$FS_TMP/attack.txt"
	left=$(sockets_from "$FS_TMP/attack.txt")
	[ -z "$left" ]
	fs_result $? "$T: no server socket from an attack source in ESTAB/CLOSE-WAIT" \
		"$(head -n 5 <<<"$left")" "($(wc -l <<<"$left") sockets)"

	for r in $STAT_REASONS; do
		act=${r#*:} r=${r%%:*}
		old=$(sed -n "s/^$r=//p" <<<"$before")
		new=$(stat_packets "$r")
		got=$(stat_action "$r")
		[ -n "$new" ] && [ -n "$old" ] && [ "$new" -gt "$old" ] &&
			[ "$got" = "$act" ]
		fs_result $? "$T: stats: $r ($act) packets counted: $((${new:-0} - ${old:-0}))" \
			"$r: before ${old:-?}, after ${new:-?}, action '$got'"
	done
	fs_note "$T: stats events: $(fs_cli -j stats | fs_json "d['events']")"
}

# ---------------------------------------------------------------------
# Probes, one source each (http_flood.py preban): a connection HELD open
# from the start, then bad requests one after the other, each waiting
# for its reset, until a SYN goes unanswered (banned); then HELD sends
# the attack request.
#  - burst: the first BAD_BURST bad requests are reset and the source
#    stays unbanned; the next one (over the burst, still reset) bans it.
#    So at least BAD_BURST + 1 resets come before the first dropped SYN
#    (more if the client is slow: the bucket refills 1/s).
#  - HELD, established before the ban, whose request comes after it, is
#    reset like any bad request: no server socket left, the client sees
#    a reset.

check_probes()
{
	local src dst out resets banned held left pids=()

	for src in $(http_probe_sources); do
		dst=$FS_SRV4
		case $src in *:*) dst=$FS_SRV6 ;; esac
		http_py_bg "$FS_TMP/probe-$src.json" "$FS_TMP/probe-$src.err" 40 \
			preban "$src" "$dst" --bad 20 --hold-timeout 2
		pids+=("$HTTP_PY_PID")
	done
	wait "${pids[@]}"	# not a bare wait: nginx runs in the background
	for src in $(http_probe_sources); do
		out=$(cat "$FS_TMP/probe-$src.json")
		fs_note "$T: probe $src: $out"
		resets=$(fs_json "next((i for i, o in enumerate(d['bad']) if o != 'reset'), -1)" <<<"$out")
		banned=$(fs_json "int(d['bad'][-1] == 'syn_timeout')" <<<"$out")
		held=$(fs_json "d['held']" <<<"$out")
		if [ "$banned" = 1 ] && [ "${resets:-0}" -gt "$BAD_BURST" ]; then
			fs_ok "$T: probe $src: $resets bad requests reset, then banned (burst $BAD_BURST)"
		elif [ "$banned" = 1 ] && [ "${resets:-0}" -lt "$BAD_BURST" ]; then
			fs_fail "$T: probe $src: banned after $resets bad requests, burst is $BAD_BURST" \
				"the client's retransmission of a reset request is charged to http.bad again" \
				"outcomes: $out"
		else
			fs_fail "$T: probe $src: bad requests reset, then banned" \
				"expected more than $BAD_BURST resets, then a dropped SYN" "$out"
		fi
		echo "$src" >"$FS_TMP/probe.txt"
		left=$(sockets_from "$FS_TMP/probe.txt")
		if [ "$held" = reset ] && [ -z "$left" ]; then
			fs_ok "$T: probe $src: a connection opened before the ban is reset"
		elif [ "$held" = timeout ] && [ -n "$left" ]; then
			fs_fail "$T: probe $src: a connection opened before the ban is reset" \
				"its request is dropped as banned, not reset: the server socket stays ESTAB" \
				"client: $held; server: $left"
		else
			fs_fail "$T: probe $src: a connection opened before the ban is reset" \
				"client: $held (expected reset); server: ${left:-no socket}"
		fi
	done
}

# ---------------------------------------------------------------------
# Without the shield.

# logged_from ADDR_FILE STR N: at least N access-log lines hold STR from
# an address of ADDR_FILE.
logged_from() { [ "$(http_log_count_from "$1" "$2")" -ge "$3" ]; }

check_detached()
{
	local out n sent fresh=$FS_TMP/fresh.txt attack=$FS_TMP/attack-off.json

	if ! out=$(fs_cli detach "$FS_SRV_IF" 2>&1); then
		fs_fail "$T: detach" "$out"
		return
	fi
	fs_note "setup: $T: detach"
	http_fresh_sources >"$fresh"
	http_py 40 attack --sources-file "$fresh" \
		--dst4 "$FS_SRV4" --dst6 "$FS_SRV6" --per-source 2 \
		--gap 0.2 --spread 1 --mix --sequential >"$attack" 2>"$FS_TMP/attack-off.err"
	fs_note "$T: attack without the shield: $(cat "$attack")"
	sent=$(json_get "$attack" "d['sent']")
	# nginx logs after answering: wait until every request sent is logged
	fs_wait_until 10 logged_from "$fresh" "$HTTP_ATTACK_HOST" "${sent:-1}"
	n=$(http_log_count_from "$fresh" "$HTTP_ATTACK_HOST")
	S_OFF_REACHED=$n S_OFF_SENT=${sent:-?}
	[ "$n" -gt 0 ] && [ "$n" = "$sent" ]
	fs_result $? "$T: without the shield the attack reaches nginx ($n of ${sent:-?} requests logged)" \
		"$(grep -F "$HTTP_ATTACK_HOST" "$HTTP_ACCESS_LOG" | tail -n 3)"
	n=$(http_log_count_from "$fresh" '#101')
	[ "$n" -gt 0 ]
	fs_result $? "$T: without the shield 'GET /#101' reaches nginx ($n logged)"
}

# ---------------------------------------------------------------------

main()
{
	local why start

	why=$(fs_missing_prereq)
	[ -z "$why" ] && ! [ -x "$HTTP_NGINX" ] && why="needs nginx (scripts/install-deps.sh)"
	if [ -n "$why" ]; then
		fs_skip "$T" "$why"
		exit 0
	fi
	if [ ! -x "$FS_BIN" ]; then
		fs_fail "$T: $FS_BIN built" "run make first"
		exit 0
	fi
	start=$SECONDS
	# `hosts import nginx` runs nginx -T through PATH.
	case :$PATH: in *:/usr/sbin:*) ;; *) PATH=$PATH:/usr/sbin ;; esac
	FS_TMP=$(mktemp -d /tmp/fs-http-"$FS_TAG".XXXXXX) || fs_die "mktemp"
	http_trap_cleanup
	if setup && attach; then
		hosts_import
		check_variants
		check_flood
		check_probes
		check_detached
	fi
	fs_note "$T summary: legitimate success ${S_LEGIT}% (p50 ${S_P50} ms," \
		"p99 ${S_P99} ms); attack: ${S_ATTEMPTED} connections attempted" \
		"from ${S_SOURCES} sources, ${S_REACHED} requests reached nginx," \
		"${S_BANS} sources banned; shield detached: ${S_OFF_REACHED} of" \
		"${S_OFF_SENT} attack requests reached nginx"
	http_cleanup
	fs_note "$T: $FS_FAILS failed, $((SECONDS - start)) s"
	exit 0
}

main "$@"
