#!/bin/bash
# floodshield demo: the incident floodshield exists for, replayed in two
# throw-away network namespaces. A botnet of 200 addresses sends
# `GET /#101 HTTP/1.1` with `Host: 0jejhcec65c24dslii.com` (a name the
# server does not serve) over keep-alive connections to an Apache prefork
# configured as Debian ships it, with 10 workers; a legitimate visitor
# asks for www.example.org ten times a second. Phase 1 runs without the
# shield, phase 2 with it; a table compares them, measured from the
# clients, Apache's access log and the shield's own counters and bans.
#
# Usage: scripts/demo.sh [--server apache|nginx] [--like-2.2]
#   --server nginx  the same against nginx (default: Apache; nginx when
#                   Apache cannot run here)
#   --like-2.2      Apache serves `GET /#101` as the victim's 2.2 did
#                   (HttpProtocolOptions Unsafe) instead of answering 400
#
# Run as root from anywhere; it installs what is missing
# (scripts/install-deps.sh), builds (make), and removes everything it made
# (namespaces, pins, the processes it started, temp files), also when it
# fails or is interrupted. Takes about a minute after the build.
#
# Nothing touches the host's interfaces or its /etc/apache2: the veth pair
# is created inside the namespaces, every address is from the
# documentation ranges, and Apache runs from a private copy of Debian's
# configuration (tests/ns/apache_lib.sh).
set -u -o pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

FS_TAG=demo$$
FS_SRV_NS=fs-demo-srv-$$
FS_CLI_NS=fs-demo-cli-$$
FS_SRV_IF=fsd-s$$
FS_CLI_IF=fsd-c$$
FS_PIN=/sys/fs/bpf/fs-demo-$$
PORT=80				# class http by default
HOST=www.example.org		# the served site
WORKERS=10			# Apache's MaxRequestWorkers (Debian: 150)
SERVER_LIFETIME=150		# seconds: a bound on every server we start

# The botnet (tests/ns/http_flood.py botnet): each source keeps one
# keep-alive connection at a time, sending the request every BOT_THINK s,
# BOT_KEEPALIVE times, waiting up to BOT_WAIT s for each answer; then it
# reconnects BOT_GAP s later. All stop after PHASE_S seconds.
PHASE_S=21
BOT_KEEPALIVE=10
BOT_THINK=1
BOT_WAIT=10
BOT_GAP=0.2
# The legitimate visitor: LEGIT_N requests, one new connection each, at
# an even pace over LEGIT_S seconds, starting LEGIT_DELAY s into the
# flood; a request not answered within LEGIT_TIMEOUT s is a failure.
LEGIT_N=150
LEGIT_S=15
LEGIT_DELAY=3
LEGIT_TIMEOUT=3
LEGIT_WORKERS=32		# concurrent requests at most (rate x timeout)

SERVER=
LIKE22=0

# What the botnet client's outcomes mean (a Python dict, for fs_json).
BOT_OUTCOMES="{'done': 'answered $BOT_KEEPALIVE times', 'closed': 'closed by the server',
 'reset': 'reset', 'timeout': 'no answer within $BOT_WAIT s',
 'syn_timeout': 'SYN unanswered (banned)', 'refused': 'refused',
 'cut': 'still open at the end'}"

if [ -t 1 ]; then
	B=$'\033[1m' N=$'\033[0m'
else
	B='' N=''
fi

step() { printf '\n%s== %s%s\n' "$B" "$*" "$N"; }
say()  { printf '   %s\n' "$*"; }
die()  { printf '\n%sdemo failed: %s%s\n' "$B" "$*" "$N" >&2; exit 1; }

usage()
{
	sed -n 's/^# \{0,1\}//; /^Usage:/,/^$/p' "$0" >&2
	exit 2
}

parse_args()
{
	while [ $# -gt 0 ]; do
		case $1 in
		--server)
			[ $# -ge 2 ] || usage
			case $2 in
			apache | nginx) SERVER=$2 ;;
			*) die "--server: '$2' is not apache or nginx" ;;
			esac
			shift 2
			;;
		--like-2.2) LIKE22=1; shift ;;
		-h | --help) usage ;;
		*) die "unknown argument '$1' (see --help)" ;;
		esac
	done
}

# Show a floodshield command, then run it.
show_cli()
{
	printf '   $ floodshield %s\n' "$*"
	fs_cli "$@" 2>&1 | sed 's/^/     /'
}

# ---------------------------------------------------------------------
# The server, Apache or nginx, behind one set of functions.

server_write_conf()
{
	if [ "$SERVER" = apache ]; then
		[ "$LIKE22" = 1 ] && APACHE_PROTOCOL=Unsafe
		APACHE_MAX_WORKERS=$WORKERS APACHE_LIFETIME=$SERVER_LIFETIME
		apache_write_conf "$FS_TMP/apache" "$PORT" "$HOST" example.org
	else
		# As small as the Apache: one process, a few connections.
		HTTP_NGINX_WORKERS=1 HTTP_NGINX_CONNS=$((WORKERS + 2))
		HTTP_NGINX_KEEPALIVE=5s HTTP_NGINX_LIFETIME=$SERVER_LIFETIME
	fi
}

server_start()
{
	if [ "$SERVER" = apache ]; then
		apache_start
	else
		http_nginx_start
	fi
}

server_stop()
{
	if [ "$SERVER" = apache ]; then
		apache_stop
	else
		http_nginx_stop
	fi
}

server_log()
{
	if [ "$SERVER" = apache ]; then
		echo "$APACHE_ACCESS_LOG"
	else
		echo "$HTTP_ACCESS_LOG"
	fi
}

hosts_import()
{
	if [ "$SERVER" = apache ]; then
		# apache2ctl reads the copy, as it reads /etc/apache2 on a server
		# Debian's 000-default answers every Host: the shield is to
		# reset the Hosts no vhost names, so --force
		printf '   $ floodshield hosts import apache --force\n'
		apache_env "$FS_BIN" -n "$FS_SRV_NS" -p "$FS_PIN" hosts import apache --force 2>&1 |
			sed 's/^/     /'
	else
		show_cli hosts import nginx --force --config "$HTTP_NGINX_CONF"
	fi
}

server_label()
{
	if [ "$SERVER" = apache ]; then echo Apache; else echo nginx; fi
}

server_error_log()
{
	if [ "$SERVER" = apache ]; then
		echo "$APACHE_ERROR_LOG"
	else
		echo "$HTTP_NGINX_DIR/logs/error.log"
	fi
}

# The error-log line that says the server ran short of workers or
# connections, and how many times it was logged.
server_short_line()
{
	if [ "$SERVER" = apache ]; then
		echo "server reached MaxRequestWorkers setting"
	else
		echo "worker_connections are not enough, reusing connections"
	fi
}

server_short_count()
{
	local n

	n=$(grep -cF "$(server_short_line)" "$(server_error_log)")
	echo "${n:-0}"
}

# Wait until the access log stops growing for a second (the server logs a
# request once it answered it; queued ones are answered after their
# client left), at most 15 s.
server_settle()
{
	local log before after _

	log=$(server_log)
	for _ in $(seq 15); do
		before=$(wc -l <"$log")
		sleep 1
		after=$(wc -l <"$log")
		[ "$before" = "$after" ] && return 0
	done
}

# ---------------------------------------------------------------------

prepare()
{
	local why

	[ "$(id -u)" = 0 ] || die "run me as root (namespaces, XDP, bpffs)"
	cd "$ROOT" || die "cannot enter $ROOT"

	step "1. Dependencies and build"
	say "scripts/install-deps.sh installs only what is missing."
	scripts/install-deps.sh || die "installing the dependencies failed"
	make build/floodshield || die "make failed"
	# shellcheck source=tests/ns/lib.sh
	. "$ROOT/tests/ns/lib.sh"
	# shellcheck source=tests/ns/http_lib.sh
	. "$ROOT/tests/ns/http_lib.sh"
	# shellcheck source=tests/ns/apache_lib.sh
	. "$ROOT/tests/ns/apache_lib.sh"
	why=$(fs_missing_prereq)
	[ -z "$why" ] || die "$why"
	why=$(apache_missing)
	if [ -z "$SERVER" ]; then
		SERVER=apache
		if [ -n "$why" ]; then
			say "Apache cannot run here ($why): nginx instead"
			SERVER=nginx
		fi
	elif [ "$SERVER" = apache ] && [ -n "$why" ]; then
		die "$why"
	fi
	if [ "$SERVER" = nginx ] && [ ! -x "$HTTP_NGINX" ]; then
		die "needs nginx (scripts/install-deps.sh)"
	fi
	# `hosts import` runs apachectl / nginx -T through PATH
	case :$PATH: in *:/usr/sbin:*) ;; *) PATH=$PATH:/usr/sbin ;; esac
}

demo_cleanup()
{
	apache_stop
	http_cleanup	# the clients, nginx, the shield, pins, namespaces, FS_TMP
}

setup()
{
	step "2. Two namespaces joined by a veth pair"
	FS_TMP=$(mktemp -d /tmp/fs-demo-$$.XXXXXX) || die "mktemp failed"
	trap demo_cleanup EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
	if ! fs_topo_up || ! http_sources_up; then
		die "could not create the namespaces, the veth pair and the sources"
	fi
	http_attack_sources | grep -v : >"$FS_TMP/bots.txt"
	say "server: namespace $FS_SRV_NS, $FS_SRV_IF = $FS_SRV4, port $PORT"
	say "client: namespace $FS_CLI_NS, $FS_CLI_IF with $(wc -l <"$FS_TMP/bots.txt")" \
		"bot addresses (198.51.100.100-199,"
	say "        203.0.113.100-199) and the legitimate visitor $FS_CLI4"
	server_write_conf || die "could not write the $SERVER configuration"
	if [ "$SERVER" = apache ]; then
		describe_apache
	else
		describe_nginx
	fi
}

describe_apache()
{
	local d=$APACHE_DIR

	step "3. The victim: $("$APACHE_BIN" -v | sed -n 's/^Server version: //p'), prefork, Debian's configuration"
	say "/etc/apache2 copied to $d (the system's is not touched);"
	say "changed: mpm_prefork for mpm_event, MaxRequestWorkers $WORKERS (Debian: 150),"
	say "Listen $PORT, document roots and logs in the copy"
	say "kept from Debian: $(grep -E '^(Timeout|KeepAlive|MaxKeepAliveRequests|KeepAliveTimeout) ' \
		"$d/apache2.conf" | tr -s ' \t' ' ' | paste -sd, | sed 's/,/, /g'),"
	say "AcceptFilter http data (the Linux default: TCP_DEFER_ACCEPT), mod_reqtimeout"
	say "sites: 000-default (Debian's, answers every unknown Host), $HOST"
	if [ "$LIKE22" = 1 ]; then
		say "HttpProtocolOptions Unsafe (--like-2.2): 'GET /#101' is served (200),"
		say "as the victim's Apache 2.2 served it"
	else
		say "HttpProtocolOptions Strict (2.4's default): 'GET /#101' gets a 400 and the"
		say "connection is closed, where the victim's 2.2 served it; each bot connection"
		say "still needs a worker, and they all queue for the $WORKERS (--like-2.2 serves it)"
	fi
}

describe_nginx()
{
	step "3. The server: $("$HTTP_NGINX" -v 2>&1 | sed 's/.*: //'), as small as the victim's Apache"
	say "worker_processes $HTTP_NGINX_WORKERS, worker_connections $HTTP_NGINX_CONNS," \
		"keepalive_timeout $HTTP_NGINX_KEEPALIVE;"
	say "a catch-all default server answers every unknown Host, $HOST is served"
}

# ---------------------------------------------------------------------
# One phase: a fresh server, the botnet and the legitimate visitor at
# once, then the figures, in R_<name>_* variables.

run_clients()
{
	local name=$1 bot_pid legit_pid limit=$((PHASE_S + 20))

	http_py_bg "$FS_TMP/$name-bots.json" "$FS_TMP/$name-bots.err" "$limit" \
		botnet --sources-file "$FS_TMP/bots.txt" \
		--dst4 "$FS_SRV4" --dst6 "$FS_SRV6" --port "$PORT" \
		--duration "$PHASE_S" --keepalive "$BOT_KEEPALIVE" \
		--think "$BOT_THINK" --read-timeout "$BOT_WAIT" --gap "$BOT_GAP"
	bot_pid=$HTTP_PY_PID
	http_py_bg "$FS_TMP/$name-legit.json" "$FS_TMP/$name-legit.err" "$limit" \
		legit "$FS_CLI4" "$FS_SRV4" --port "$PORT" \
		--host "$HOST" --requests "$LEGIT_N" --duration "$LEGIT_S" \
		--delay "$LEGIT_DELAY" --timeout "$LEGIT_TIMEOUT" \
		--workers "$LEGIT_WORKERS" --per-conn 1
	legit_pid=$HTTP_PY_PID
	# Half-way: how many connections wait for a worker.
	sleep $((PHASE_S / 2))
	say "half-way: $(fs_in_srv ss -Hltn "sport = :$PORT" |
		awk '{ q += $2 } END { print q + 0 }') connections wait in the server's accept queue"
	wait "$bot_pid" || die "the botnet client failed: $(tail -n 3 "$FS_TMP/$name-bots.err")"
	wait "$legit_pid" || die "the legitimate client failed: $(tail -n 3 "$FS_TMP/$name-legit.err")"
	HTTP_BG_PIDS=()
}

# json FILE EXPR
json() { fs_json "$2" <"$1"; }

# Attack requests from the bots in access log LOG, by status:
# "486 (all 400)", "480 (200: 470, 400: 10)", "0".
attack_reached()
{
	grep -F '"GET /#101 HTTP/1.1"' "$1" |
		awk 'NR == FNR { a[$1]; next } $1 in a { n++; s[$NF]++ }
		     END {
			printf "%d", n
			k = 0
			for (st in s) { k++; one = st }
			if (k == 1) { printf " (all %s)", one; exit }
			sep = " ("
			for (st in s) { printf "%s%s: %d", sep, st, s[st]; sep = ", " }
			if (k) printf ")"
		     }' "$FS_TMP/bots.txt" -
}

# Legitimate p99 over all requests, a failure counting as slower than any
# answer: "> 3 s" when the 99th percentile request failed.
legit_p99()
{
	local p

	p=$(json "$1" "d['p99_all_ms']")
	if [ "$p" = None ]; then
		echo "> ${LEGIT_TIMEOUT} s"
	else
		echo "$p ms"
	fi
}

# Bans from `block list -j` and the bots they cover: "2 (200 bots)".
count_bans()
{
	fs_cli -j block list | "$FS_PY" -c '
import ipaddress, json, sys
bans = [ipaddress.ip_network(e["cidr"]) for e in json.load(sys.stdin)
        if e["kind"] == "ban"]
bots = [ipaddress.ip_address(l.strip()) for l in open(sys.argv[1]) if l.strip()]
print("%d (%d bots)" % (len(bans), sum(any(b in n for n in bans) for b in bots)))
' "$FS_TMP/bots.txt"
}

# Packets the shield counted for the reasons matching the Python
# condition COND on r (one entry of `stats -j`'s reasons).
packets_where()
{
	fs_cli -j stats | fs_json "sum(r['packets'] for r in d['reasons'] if $1)"
}

phase()
{
	local name=$1 title=$2 log late

	step "$title"
	server_start || die "the $SERVER server did not start"
	if [ "$name" = shield ]; then
		say "attach the shield to the server's interface and tell it the served names:"
		show_cli attach "$FS_SRV_IF" || die "attach failed"
		hosts_import | tee "$FS_TMP/import.out"
		grep -q "server name '127.0.0.1' is an address" "$FS_TMP/import.out" &&
			say "(127.0.0.1: Apache's name for its default site here, no FQDN; not a Host name)"
		show_cli hosts list
	fi
	say "for ${PHASE_S} s: $(wc -l <"$FS_TMP/bots.txt") bots, each on a keep-alive connection:"
	say "  GET /#101 HTTP/1.1, Host: $HTTP_ATTACK_HOST, every ${BOT_THINK} s;"
	say "the visitor: $LEGIT_N requests for $HOST over ${LEGIT_S} s, from second $LEGIT_DELAY;" \
		"gives up after ${LEGIT_TIMEOUT} s"
	run_clients "$name"
	server_settle
	log=$(server_log)
	cp "$log" "$FS_TMP/$name-access.log"
	R_TITLE[$name]=$3
	R_LEGIT_PCT[$name]=$(json "$FS_TMP/$name-legit.json" "d['success_pct']")
	R_LEGIT_P99[$name]=$(legit_p99 "$FS_TMP/$name-legit.json")
	R_SENT[$name]=$(json "$FS_TMP/$name-bots.json" "d['sent']")
	R_REACHED[$name]=$(attack_reached "$log")
	R_MAXW[$name]=$(server_short_count)
	say "visitor: $(json "$FS_TMP/$name-legit.json" "'%d of %d answered, failures: %s' % (d['ok'], d['requests'], d['errors'] or 'none')")"
	say "bots: $(json "$FS_TMP/$name-bots.json" "'%d connections, %d requests sent' % (d['connections'], d['sent'])");" \
		"connections ended:"
	json "$FS_TMP/$name-bots.json" "'\n'.join('%6d %s' % (n, $BOT_OUTCOMES.get(k, k)) for k, n in sorted(d['outcomes'].items(), key=lambda kv: -kv[1]))" |
		sed 's/^/   /'
	late=$(( $(grep -c 'legit=' "$log") - $(json "$FS_TMP/$name-legit.json" "d['ok']") ))
	say "access log: attack requests from the bots: ${R_REACHED[$name]}," \
		"visitor's requests: $(grep -c 'legit=' "$log")"
	[ "$late" -gt 0 ] && say "  ($late of them answered after the visitor had given up)"
	[ "${R_MAXW[$name]}" -gt 0 ] &&
		say "$(server_label)'s error log: '$(server_short_line)'"
	if [ "$name" = shield ]; then
		shield_report
	else
		R_BANS[$name]=-
	fi
	server_stop
	# the next start appends to the same files
	: >"$log"
	: >"$(server_error_log)"
	return 0
}

shield_report()
{
	local resets no_conn banned lines

	R_BANS[shield]=$(count_bans)
	resets=$(packets_where "r['action'] == 'reset'")
	no_conn=$(packets_where "r['reason'] == 'no_conn'")
	banned=$(packets_where "r['reason'] in ('ban', 'block')")
	R_RESETS=$resets R_NOCONN=$no_conn
	say "the shield's verdicts (floodshield stats):"
	fs_cli stats | awk '$1 == "event" { exit } NF && ($3 != 0 || NR == 1)' |
		sed 's/^/     /'
	say "in short: $resets bad requests reset, $no_conn dropped as no_conn," \
		"$banned packets dropped as banned"
	lines=$(fs_cli block list | wc -l)
	if [ "$lines" -le 1 ]; then
		say "bans (floodshield block list): none"
		return
	fi
	say "bans (floodshield block list):"
	fs_cli block list | head -n 6 | sed 's/^/     /'
	[ "$lines" -gt 6 ] && say "  ... $((lines - 6)) more lines"
	return 0
}

# ---------------------------------------------------------------------

table()
{
	local fmt='   %-20s %8s %11s   %-9s %-22s %s\n' p

	step "Before and after ($SERVER)"
	# shellcheck disable=SC2059
	{
		printf "$fmt" "" "visitor" "visitor" "attack" "attack requests" "bans"
		printf "$fmt" "" "success" "p99" "requests" "in the access log" ""
		printf "$fmt" "" "" "" "sent" "(by status)" ""
		for p in open shield; do
			printf "$fmt" "${R_TITLE[$p]}" "${R_LEGIT_PCT[$p]}%" \
				"${R_LEGIT_P99[$p]}" "${R_SENT[$p]}" "${R_REACHED[$p]}" \
				"${R_BANS[$p]}"
		done
	}
	say "visitor: $LEGIT_N requests, a new connection each, gives up after ${LEGIT_TIMEOUT} s;"
	say "p99 over all of them, a failure counting as the slowest"
}

# What the figures show, measured against what the shield promises.
verdict()
{
	local ok=0 pct=${R_LEGIT_PCT[shield]} reached=${R_REACHED[shield]%% *}
	local bans=${R_BANS[shield]%% *}

	step "What this shows"
	if awk -v p="${R_LEGIT_PCT[open]}" 'BEGIN { exit !(p < 50) }'; then
		say "without the shield: the incident is reproduced: the visitor's success fell to ${R_LEGIT_PCT[open]}%"
		[ "${R_MAXW[open]:-0}" -gt 0 ] &&
			say "  ($(server_label) logged '$(server_short_line)')"
	else
		say "without the shield: the server coped (${R_LEGIT_PCT[open]}%): the incident did not reproduce"
		[ "$SERVER" = nginx ] && [ "${R_MAXW[open]:-0}" -gt 0 ] &&
			say "  (nginx, short of connections, closed idle keep-alive ones: '$(server_short_line)')"
	fi
	if awk -v p="$pct" 'BEGIN { exit !(p >= 99) }' && [ "$reached" = 0 ]; then
		say "with the shield: the visitor got ${pct}% through, no attack request reached $SERVER"
	else
		say "with the shield: NOT HELD: visitor ${pct}%, $reached attack requests reached $SERVER"
		ok=1
	fi
	if [ "$R_RESETS" -gt 0 ] && [ "$bans" -gt 0 ]; then
		say "the bots' requests were reset ($R_RESETS) and their sources banned ($bans bans)"
	else
		say "NOT as designed: $R_RESETS bad requests reset, $bans bans;" \
			"$R_NOCONN dropped as no_conn"
	fi
	if [ "$R_NOCONN" -gt 0 ]; then
		say "no_conn: the shield found no established socket for the bad request, so it"
		say "dropped it without a reset and without a ban. Known weakness: Apache's"
		say "AcceptFilter (TCP_DEFER_ACCEPT) keeps the connection a request socket until"
		say "its data is accepted; the bots' requests never reach Apache, but they are"
		say "retransmitted and the bots are banned late or not at all. A reset comes"
		say "only once a bot gives up: its FIN makes the kernel create the socket, and"
		say "the next retransmission of the request then meets a connection."
	fi
	return $ok
}

operator()
{
	local c note

	step "On a real server (README.md, docs/cli.md)"
	while IFS='|' read -r c note; do
		printf '   %-36s # %s\n' "floodshield $c" "$note"
	done <<-EOF
	attach eth0|native XDP; --mode generic if the driver lacks it
	set observe=on|first: count, drop nothing
	hosts import $SERVER|the names the server serves; it names default servers and patterns it cannot express, and refuses without --force
	stats|watch what would be dropped or reset
	set observe=off|then enforce
	block list|static blocks and live bans
	EOF
}

main()
{
	local start=$SECONDS rc

	parse_args "$@"
	prepare
	declare -gA R_TITLE R_LEGIT_PCT R_LEGIT_P99 R_SENT R_REACHED R_BANS R_MAXW
	start=$SECONDS
	setup
	phase open "4. Phase 1: the flood, without the shield" "without the shield"
	phase shield "5. Phase 2: the same flood, with floodshield" "with floodshield"
	table
	verdict
	rc=$?
	operator
	step "Cleaning up"
	demo_cleanup
	say "namespaces, veth pair, $SERVER, clients, $FS_PIN and temp files removed"
	say "demo ran in $((SECONDS - start)) s after the build"
	exit "$rc"
}

main "$@"
