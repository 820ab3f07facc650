# shellcheck shell=bash
# Helpers for the namespace tests (tests/ns/*.sh) and scripts/demo.sh.
# Source it; it defines functions and variables only, and runs nothing.
#
# Topology (fs_topo_up): two network namespaces joined by one veth pair,
# both ends created inside the namespaces (the host's interfaces are
# never touched). Documentation addresses only:
#
#   server ns  $FS_SRV_IF  192.0.2.1/24   2001:db8::1/64
#   client ns  $FS_CLI_IF  192.0.2.2/24   2001:db8::2/64
#              extra sources 198.51.100.10, 198.51.100.20, 203.0.113.30,
#              203.0.113.40 (/32, on-link routes on the server side) and
#              2001:db8::10, ::20, ::30, ::40 (/64)
#
# The server (fs_server_start) accepts every connection on one port,
# IPv4 and IPv6, appends the peer address to $FS_SRV_LOG and closes it.
# Clients (fs_connect, fs_flood) make real TCP connections from a chosen
# source address and report how many handshakes completed.
#
# Every name carries a tag (default: the PID of the shell) so that two
# runs never collide. fs_cleanup undoes everything that was made, only
# that, and may be called any number of times; fs_trap_cleanup installs
# it for EXIT, INT and TERM.

FS_ROOT=${FS_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
FS_BIN=${FS_BIN:-$FS_ROOT/build/floodshield}
FS_PY=/usr/bin/python3	# Debian's; the PATH one may be another build

FS_TAG=${FS_TAG:-$$}
FS_SRV_NS=${FS_SRV_NS:-fs-srv-$FS_TAG}
FS_CLI_NS=${FS_CLI_NS:-fs-cli-$FS_TAG}
FS_SRV_IF=${FS_SRV_IF:-fs-s$FS_TAG}	# IFNAMSIZ: at most 15 characters
FS_CLI_IF=${FS_CLI_IF:-fs-c$FS_TAG}
FS_PIN=${FS_PIN:-/sys/fs/bpf/fs-test-$FS_TAG}
FS_TMP=${FS_TMP:-}
FS_PORT=${FS_PORT:-8000}

FS_SRV4=192.0.2.1
FS_SRV6=2001:db8::1
FS_CLI4=192.0.2.2
FS_CLI6=2001:db8::2
FS_EXTRA4="198.51.100.10 198.51.100.20 203.0.113.30 203.0.113.40"
FS_EXTRA6="2001:db8::10 2001:db8::20 2001:db8::30 2001:db8::40"

FS_SRV_PID=
FS_SRV_LOG=
FS_FAILS=0

# ---------------------------------------------------------------------
# Results: lines the runner counts. Details go on "# " lines.

fs_ok()   { echo "ok - $1"; }
fs_note() { echo "# $*"; }

# fs_skip NAME WHY: a missing prerequisite. Under CI ($CI = true) it is
# a failure ("not ok"), elsewhere a skip that the runner reports as one.
fs_skip()
{
	if [ "${CI:-}" = true ]; then
		fs_fail "$1" "missing prerequisite under CI: ${2:-?}"
	else
		echo "skip - $1${2:+ # $2}"
	fi
}

# fs_setup STATUS NAME [DETAIL...]: a setup step, not a test: nothing is
# counted when it worked ("# setup: NAME"); a "not ok" when it did not,
# as in
#	start_server; fs_setup $? "nginx listens on port 80" || return 1
fs_setup()
{
	local rc=$1

	shift
	if [ "$rc" = 0 ]; then
		fs_note "setup: $1"
	else
		fs_fail "setup: $1" "${@:2}"
	fi
	return "$rc"
}

# fs_fail NAME [DETAIL...]: one "not ok" line, then each detail.
fs_fail()
{
	local name=$1 line

	shift
	FS_FAILS=$((FS_FAILS + 1))
	echo "not ok - $name"
	for line in "$@"; do
		printf '%s\n' "$line" | sed 's/^/#   /'
	done
}

# fs_result STATUS NAME [DETAIL...]: ok if STATUS is 0, as in
#	[ "$n" = 3 ]; fs_result $? "three connections" "got $n"
fs_result()
{
	local rc=$1

	shift
	if [ "$rc" = 0 ]; then
		fs_ok "$1"
	else
		fs_fail "$@"
	fi
}

# Abort the script: something the test needs could not be set up.
fs_die()
{
	echo "# FATAL: $*" >&2
	exit 1
}

# ---------------------------------------------------------------------
# Preconditions.

# Prints why this machine cannot run the namespace tests, or nothing.
fs_missing_prereq()
{
	local t

	[ "$(id -u)" = 0 ] || { echo "needs root"; return; }
	for t in ip timeout "$FS_PY"; do
		command -v "$t" >/dev/null || { echo "needs $t"; return; }
	done
}

# The daemon's user (etc/floodshield.sysusers), made as `make install`
# makes it: the daemon attaches, then runs as it. Idempotent.
fs_daemon_user()
{
	getent passwd floodshield >/dev/null ||
		systemd-sysusers "$FS_ROOT/etc/floodshield.sysusers" >/dev/null
}

# fs_ledger_of PIN_DIR STATE_DIR: the daemon's ledger of that pin folder
# (loader/ledger.h: '/' as '-', '-' as %2D; letters, digits, '_', '.' kept).
fs_ledger_of()
{
	local p=${1#/}

	p=${p//-/%2D}
	echo "$2/ledger.${p//\//-}"
}

# ---------------------------------------------------------------------
# Topology.

# Run a command in the server or the client namespace. Not for the CLI:
# `ip netns exec` remounts /sys, so bpffs pins made there vanish.
fs_in_srv() { ip netns exec "$FS_SRV_NS" "$@"; }
fs_in_cli() { ip netns exec "$FS_CLI_NS" "$@"; }

fs_topo_up()
{
	fs_topo_ns && fs_veth_up
}

# The two namespaces, their loopbacks up, and $FS_TMP: fs_topo_up
# without the veth pair.
fs_topo_ns()
{
	local ns s=$FS_SRV_NS c=$FS_CLI_NS

	for ns in "$s" "$c"; do
		[ -e "/run/netns/$ns" ] && fs_die "namespace $ns exists already"
	done
	[ -n "$FS_TMP" ] || FS_TMP=$(mktemp -d /tmp/fs-ns-"$FS_TAG".XXXXXX)
	ip netns add "$s" && ip netns add "$c" &&
	ip -n "$s" link set lo up && ip -n "$c" link set lo up
}

# fs_veth_up [MTU]: the veth pair between the namespaces with its
# addresses, routes and neighbours, both ends up (again, after it was
# deleted); MTU on both ends (default the kernel's).
fs_veth_up()
{
	local a s=$FS_SRV_NS c=$FS_CLI_NS mtu=${1:+mtu $1}

	# shellcheck disable=SC2086 # $mtu: two words or none
	ip -n "$s" link add "$FS_SRV_IF" $mtu type veth \
		peer name "$FS_CLI_IF" $mtu netns "$c" || return 1

	ip -n "$s" addr add "$FS_SRV4/24" dev "$FS_SRV_IF" &&
	ip -n "$s" addr add "$FS_SRV6/64" dev "$FS_SRV_IF" nodad &&
	ip -n "$s" link set "$FS_SRV_IF" up &&
	ip -n "$s" route add 198.51.100.0/24 dev "$FS_SRV_IF" &&
	ip -n "$s" route add 203.0.113.0/24 dev "$FS_SRV_IF" || return 1

	ip -n "$c" addr add "$FS_CLI4/24" dev "$FS_CLI_IF" &&
	ip -n "$c" addr add "$FS_CLI6/64" dev "$FS_CLI_IF" nodad || return 1
	for a in $FS_EXTRA4; do
		ip -n "$c" addr add "$a/32" dev "$FS_CLI_IF" || return 1
	done
	for a in $FS_EXTRA6; do
		ip -n "$c" addr add "$a/64" dev "$FS_CLI_IF" nodad || return 1
	done
	ip -n "$c" link set "$FS_CLI_IF" up &&
	fs_static_neigh && fs_wait_link
}

# Permanent neighbour entries on both sides, so that ARP and neighbour
# discovery (which the shield's lists also police for IPv6) never decide
# whether a test connection works.
fs_static_neigh()
{
	local smac cmac a

	smac=$(fs_mac "$FS_SRV_NS" "$FS_SRV_IF")
	cmac=$(fs_mac "$FS_CLI_NS" "$FS_CLI_IF")
	for a in "$FS_SRV4" "$FS_SRV6"; do
		ip -n "$FS_CLI_NS" neigh replace "$a" lladdr "$smac" \
			nud permanent dev "$FS_CLI_IF" || return 1
	done
	for a in "$FS_CLI4" "$FS_CLI6" $FS_EXTRA4 $FS_EXTRA6; do
		ip -n "$FS_SRV_NS" neigh replace "$a" lladdr "$cmac" \
			nud permanent dev "$FS_SRV_IF" || return 1
	done
}

# fs_mac NS IFACE: the interface's Ethernet address.
fs_mac()
{
	ip -n "$1" -o link show dev "$2" |
		sed -n 's/.*link\/ether \([0-9a-f:]*\).*/\1/p'
}

# Wait (at most 30 s) until both ends of the veth report carrier.
fs_wait_link()
{
	fs_wait_until 30 fs_link_up
}

fs_link_up()
{
	ip -n "$FS_SRV_NS" link show dev "$FS_SRV_IF" | grep -q LOWER_UP &&
		ip -n "$FS_CLI_NS" link show dev "$FS_CLI_IF" | grep -q LOWER_UP
}

# What XDP SYN cookies (syn.cookies=always) need on this topology: a
# pass-through XDP program on the client's veth (compiled here into
# $FS_TMP; veth hands XDP_TX'd frames to its peer only when the peer
# runs XDP) and net.ipv4.tcp_syncookies=2 in the server namespace.
# Both go with the namespaces.
fs_cookies_on()
{
	fs_peer_pass &&
	ip netns exec "$FS_SRV_NS" sysctl -qw net.ipv4.tcp_syncookies=2
}

# A pass program on the client's veth: a veth peer receives the frames
# the shield sends back with XDP_TX (SYN cookies, RSTs to clients) only
# with an XDP program of its own (a NIC needs none).
fs_peer_pass()
{
	[ -n "$FS_TMP" ] || return 1
	printf '%s\n' 'struct xdp_md;' \
		'__attribute__((section("xdp"), used)) int pass(struct xdp_md *c) { return 2; /* XDP_PASS */ }' \
		'char _l[] __attribute__((section("license"), used)) = "GPL";' \
		>"$FS_TMP/pass.c" &&
	"${CLANG:-clang}" -O2 -target bpf -c "$FS_TMP/pass.c" -o "$FS_TMP/pass.o" &&
	ip -n "$FS_CLI_NS" link set dev "$FS_CLI_IF" xdpdrv obj "$FS_TMP/pass.o" sec xdp
}

# Undo fs_topo_up and fs_server_start. Deleting the namespaces deletes
# the veth pair, which takes any XDP program on it along.
fs_topo_down()
{
	fs_server_stop
	[ -e "/run/netns/$FS_SRV_NS" ] && ip netns del "$FS_SRV_NS"
	[ -e "/run/netns/$FS_CLI_NS" ] && ip netns del "$FS_CLI_NS"
	return 0
}

# ---------------------------------------------------------------------
# The CLI, on the server namespace and our own pin folder.

fs_cli()
{
	"$FS_BIN" -n "$FS_SRV_NS" -p "$FS_PIN" "$@"
}

# Detach (best effort) so libxdp's own pins go too, then drop our pins.
fs_shield_down()
{
	if [ -e "/run/netns/$FS_SRV_NS" ] && [ -x "$FS_BIN" ]; then
		fs_cli detach "$FS_SRV_IF" >/dev/null 2>&1
	fi
	case $FS_PIN in
	/sys/fs/bpf/?*) rm -rf "$FS_PIN" ;;
	esac
}

# ---------------------------------------------------------------------
# Cleanup.

# fs_stop_pid PID: stop a process this script started (by its PID) and
# reap it; nothing when PID is empty.
fs_stop_pid()
{
	[ -n "${1:-}" ] || return 0
	kill "$1" 2>/dev/null
	wait "$1" 2>/dev/null
	return 0
}

fs_cleanup()
{
	fs_shield_down
	fs_topo_down
	[ -n "$FS_TMP" ] && rm -rf "$FS_TMP"
	FS_TMP=
}

fs_trap_cleanup()
{
	trap fs_cleanup EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
}

# ---------------------------------------------------------------------
# Server: accepts every connection on $FS_PORT (IPv4 and IPv6) and
# appends the peer address, one per line (IPv4 without ::ffff:), to
# $FS_SRV_LOG. Lives at most FS_SRV_LIFETIME seconds.

FS_SRV_LIFETIME=${FS_SRV_LIFETIME:-600}

IFS= read -r -d '' FS_PY_SERVER <<'EOF' || true
import socket, sys
port, log, ready = int(sys.argv[1]), sys.argv[2], sys.argv[3]
s = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
s.bind(("::", port))
s.listen(4096)
out = open(log, "a", buffering=1)
open(ready, "w").close()
while True:
    c, peer = s.accept()
    host = peer[0]
    if host.startswith("::ffff:"):
        host = host[7:]
    out.write(host + "\n")
    c.close()
EOF

fs_server_start()
{
	local ready="$FS_TMP/server.ready"

	fs_server_stop # one at a time: a second start never leaks the first
	FS_SRV_LOG="$FS_TMP/server.log"
	: >"$FS_SRV_LOG"
	rm -f "$ready"
	timeout "$FS_SRV_LIFETIME" ip netns exec "$FS_SRV_NS" \
		"$FS_PY" -c "$FS_PY_SERVER" "$FS_PORT" "$FS_SRV_LOG" "$ready" \
		</dev/null >/dev/null 2>"$FS_TMP/server.err" &
	FS_SRV_PID=$!
	fs_wait_until 30 fs_alive_and "$FS_SRV_PID" test -e "$ready" && return 0
	echo "# server did not start: $(cat "$FS_TMP/server.err")" >&2
	return 1
}

fs_server_stop()
{
	if [ -n "$FS_SRV_PID" ]; then
		kill "$FS_SRV_PID" 2>/dev/null
		wait "$FS_SRV_PID" 2>/dev/null
		FS_SRV_PID=
	fi
	return 0
}

# Connections the server accepted from ADDR so far.
fs_accepted()
{
	local n

	n=$(grep -cxF -- "$1" "$FS_SRV_LOG")
	echo "${n:-0}"
}

# fs_server_wait SRC N [MAX_S]: wait until the server has logged at
# least N connections from SRC (default at most 10 s, polling). Every
# handshake a client completed is in the server's accept queue: it is
# logged eventually, however slow the machine. False on timeout.
fs_server_wait()
{
	fs_wait_until "${3:-10}" fs_accepted_ge "$1" "$2"
}

fs_accepted_ge() { [ "$(fs_accepted "$1")" -ge "$2" ]; }

# Wait until the server log stops growing, at most 2 s. For the demo's
# display only: tests wait for the count they expect (fs_server_wait).
fs_server_settle()
{
	local before after _

	for _ in $(seq 20); do
		before=$(wc -l <"$FS_SRV_LOG")
		sleep 0.1
		after=$(wc -l <"$FS_SRV_LOG")
		[ "$before" = "$after" ] && return 0
	done
}

# ---------------------------------------------------------------------
# Clients.
#
# FS_PY_CLIENT SRC DST PORT COUNT SPREAD WAIT [SPAN_FILE]: open COUNT
# non-blocking connections from SRC, spaced evenly over SPREAD seconds,
# then wait at most WAIT seconds for the rest of the handshakes. Prints
# the number that completed. Kernel SYN retries of a pending connection
# (after 1 s) happen inside WAIT; nothing is retried beyond it. With
# SPAN_FILE, writes there the seconds from its first connect() to the
# close of its last socket: every SYN it caused was sent in that span.

IFS= read -r -d '' FS_PY_CLIENT <<'EOF' || true
import errno, select, socket, sys, time
src, dst, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
count, spread, wait = int(sys.argv[4]), float(sys.argv[5]), float(sys.argv[6])
fam = socket.AF_INET6 if ":" in dst else socket.AF_INET
pending, done = {}, 0
poller = select.poll()

def harvest(timeout_ms):
    global done
    for fd, ev in poller.poll(timeout_ms):
        s = pending.pop(fd)
        poller.unregister(fd)
        if s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR) == 0:
            done += 1
        s.close()

span_file = sys.argv[7] if len(sys.argv) > 7 else ""
start = time.monotonic()
for i in range(count):
    s = socket.socket(fam, socket.SOCK_STREAM)
    s.setblocking(False)
    s.bind((src, 0))
    err = s.connect_ex((dst, port))
    if err in (0, errno.EINPROGRESS):
        pending[s.fileno()] = s
        poller.register(s, select.POLLOUT)
    else:
        s.close()
    due = start + spread * (i + 1) / count
    harvest(max(0, int((due - time.monotonic()) * 1000)))
deadline = time.monotonic() + wait
while pending and time.monotonic() < deadline:
    harvest(max(1, int((deadline - time.monotonic()) * 1000)))
if pending:
    harvest(0)  # a stalled client still counts what completed meanwhile
for s in pending.values():
    s.close()
if span_file:
    open(span_file, "w").write("%.3f\n" % (time.monotonic() - start))
print(done)
EOF

# fs_flood SRC COUNT SPREAD_S [WAIT_S] [DST]: COUNT connection attempts
# from SRC within SPREAD_S; prints how many completed. Bounded by
# `timeout` whatever happens. With FS_FLOOD_SPAN=FILE in the environment,
# the client writes its span there (see FS_PY_CLIENT; fs_span_bound).
fs_flood()
{
	local src=$1 count=$2 spread=$3 wait=${4:-1.5} dst=${5:-}
	local limit

	if [ -z "$dst" ]; then
		case $src in
		*:*) dst=$FS_SRV6 ;;
		*) dst=$FS_SRV4 ;;
		esac
	fi
	limit=$(fs_flood_limit "$spread" "$wait")
	[ -n "${FS_FLOOD_SPAN:-}" ] && rm -f "$FS_FLOOD_SPAN"
	timeout "$limit" ip netns exec "$FS_CLI_NS" "$FS_PY" -c "$FS_PY_CLIENT" \
		"$src" "$dst" "$FS_PORT" "$count" "$spread" "$wait" \
		"${FS_FLOOD_SPAN:-}" 2>/dev/null ||
		echo 0
}

# fs_flood_limit SPREAD_S WAIT_S: the `timeout` fs_flood puts on its
# client, in seconds.
fs_flood_limit()
{
	awk -v s="$1" -v w="$2" 'BEGIN { print int(s + w + 10) }'
}

# fs_span_bound RATE BURST SPAN_FILE LIMIT_S: the most SYNs a token
# bucket of RATE/s and BURST can pass to one client during its span
# (SPAN_FILE, or LIMIT_S if the client did not write it): GCRA passes at
# most BURST + RATE x T in any T seconds, however the SYNs are spaced.
# One more for the program's coarse clock and the lag between the
# client's clock and the program's. A bound that holds at any speed.
fs_span_bound()
{
	local span

	span=$(cat "$3" 2>/dev/null)
	awk -v r="$1" -v b="$2" -v t="${span:-$4}" \
		'BEGIN { n = r * t; c = int(n); if (c < n) c++; print b + c + 1 }'
}

# fs_connect SRC [WAIT_S]: one connection; true if the handshake completed.
fs_connect()
{
	[ "$(fs_flood "$1" 1 0 "${2:-1.5}")" = 1 ]
}

# ---------------------------------------------------------------------
# Waiting for state, not for time.

# fs_wait_until MAX_S CMD...: run CMD every 0.1 s until it succeeds;
# false if it has not within MAX_S seconds (CMD's own run time counts),
# or at once when CMD exits 125 (FS_GIVE_UP: what it waits for can no
# longer come, e.g. the process died). Tests wait for what they can
# observe (a counter, a log line, a state field) with this, then assert
# exact values: never sleep-then-count.
FS_GIVE_UP=125

fs_wait_until()
{
	local end=$((SECONDS + $1 + 1)) rc

	shift
	while :; do
		"$@"
		rc=$?
		[ "$rc" = 0 ] && return 0
		[ "$rc" = "$FS_GIVE_UP" ] && return 1
		[ "$SECONDS" -ge "$end" ] && return 1
		sleep 0.1
	done
}

# fs_alive_and PID CMD...: CMD's status, or FS_GIVE_UP once PID is gone
# (for fs_wait_until on a process we started).
fs_alive_and()
{
	local pid=$1

	shift
	"$@" && return 0
	kill -0 "$pid" 2>/dev/null || return "$FS_GIVE_UP"
	return 1
}

# ---------------------------------------------------------------------
# Access logs whose lines start with the client's address (the servers
# of http_lib.sh, apache_lib.sh and corpus_lib.sh).

# fs_log_count_from LOG ADDR_FILE STR: lines of LOG holding the fixed
# string STR whose first field (the client) is listed in ADDR_FILE (one
# address a line).
fs_log_count_from()
{
	grep -F -- "$3" "$1" 2>/dev/null |
		awk 'NR == FNR { a[$1]; next } $1 in a { n++ } END { print n + 0 }' "$2" -
}

# ---------------------------------------------------------------------
# JSON from the CLI: fs_json EXPR reads JSON on stdin, binds it to `d`
# and prints the Python expression EXPR (True/False printed as 1/0).
# Prints nothing and fails when the input is not JSON.

fs_json()
{
	"$FS_PY" -c '
import json, sys
try:
    d = json.load(sys.stdin)
except ValueError as e:
    sys.exit("not JSON: %s" % e)
v = eval(sys.argv[1])
print(int(v) if isinstance(v, bool) else v)' "$1"
}
