#!/bin/bash
# Desync and framing attacks on the resumable HTTP parser (issue 13, found by
# a red-team read) over real TCP, against nginx (HRED_SERVER=apache: Apache,
# the corpus' served vhost and catch-all (corpus_lib.sh), with the shield
# attached (http.server=both).
# These show what tests/test_hred.c's fixtures cannot: what Linux keeps
# of segments the shield judged, and what nginx then logs.
#
# Each check is one connection from a source of its own, written by
# hand (tests/ns/hred_raw.py, AF_PACKET on the client's veth) or, for
# the port reuse, by ordinary sockets. A check passes when nginx logs
# no attack request from its source: none whose Host is the seed's
# (0jejhcec65c24dslii.com) and none with '#' in its request line that it
# did not refuse. So
# each check FAILS while the shield lets its attack through.
#
# Controls first: a legitimate curl is logged, the seed from curl is
# not (the shield resets it). Last, legitimate requests the shield
# resets or stalls (false positives): each must be logged.
#
# Names carry "h13red" (namespaces, pins); the client kernel's RSTs for
# the hand-written connections (source ports 61000-61999) are dropped by
# an iptables rule inside the client namespace. Everything goes with
# proof_cleanup (EXIT trap).
set -u

FS_TAG=${FS_TAG:-h13red$$}
FS_SRV_IF=h13rs$$
FS_CLI_IF=h13rc$$
FS_PIN=/sys/fs/bpf/fs-proof-$FS_TAG
# shellcheck source=tests/ns/corpus_lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/corpus_lib.sh"

T=72_stream${HRED_SERVER:+_$HRED_SERVER}
RAW=$FS_ROOT/tests/ns/hred_raw.py
SEED_HOST=0jejhcec65c	# the seed's Host, and the shorter one of hred_raw.py
SHIELD_SETTINGS="http.server=both syn.cookies=off syn.guard=off
syn.tcp.prefix=off syn.http.prefix=off http.req.prefix=off
http.bad.prefix=off conn.prefix=off http.suspect=off"
# check name, scenario, source (one each)
CHECKS="
twin-noack twin-noack 198.51.100.61
reset-ignored reset-ignored 198.51.100.62
reset-ooo reset-ooo 198.51.100.68
noconn-ack noconn-ack 198.51.100.69
twin-md5 twin-md5 198.51.100.70
ooo-body ooo-body 198.51.100.63
frag-old frag-old 198.51.100.64
reordered reordered 198.51.100.65
hhost-flood hhost-flood 198.51.100.66
ext-chain ext-chain 2001:db8::61
rewind-body rewind-body 198.51.100.73
rewind-ooo rewind-ooo 198.51.100.74
first-body first-body 198.51.100.75
rewind-hhost rewind-hhost 198.51.100.76
chunk-htab chunk-htab 198.51.100.77
retrans-over retrans-over 198.51.100.78
desync-split desync-split 198.51.100.79
"
HRED_ONLY=${HRED_ONLY:-}	# names of the checks to run (default: all)
HRED_SERVER=${HRED_SERVER:-nginx}	# or apache
APACHE_ARG=()
[ "$HRED_SERVER" = apache ] && APACHE_ARG=(--apache)
REUSE_SRC=198.51.100.67
LEGIT_SRC=198.51.100.72	# the false-positive checks
CONTROL_SRC=198.51.100.60
JUMBO_SRC=198.51.100.71
GRO_SRC=198.51.100.80		# the GRO check's attack
GRO_LEGIT_SRC=198.51.100.81	# and its legitimate twin
GRO_CONNS=8

# Sources on the client's veth, neighbour entries on the server's.
sources_up()
{
	local cmac a

	cmac=$(fs_mac "$FS_CLI_NS" "$FS_CLI_IF")
	for a in 198.51.100.60 198.51.100.61 198.51.100.62 198.51.100.63 \
		198.51.100.64 198.51.100.65 198.51.100.66 198.51.100.67 \
		198.51.100.68 198.51.100.69 198.51.100.70 198.51.100.71 \
		198.51.100.72 198.51.100.73 198.51.100.74 198.51.100.75 198.51.100.76 \
		198.51.100.77 198.51.100.78 198.51.100.79 198.51.100.80 \
		198.51.100.81; do
		ip -n "$FS_CLI_NS" addr add "$a/32" dev "$FS_CLI_IF" &&
			ip -n "$FS_SRV_NS" neigh replace "$a" lladdr "$cmac" \
				nud permanent dev "$FS_SRV_IF" || return 1
	done
	ip -n "$FS_CLI_NS" addr add 2001:db8::61/64 dev "$FS_CLI_IF" nodad &&
		ip -n "$FS_SRV_NS" neigh replace 2001:db8::61 lladdr "$cmac" \
			nud permanent dev "$FS_SRV_IF" || return 1
	fs_in_cli iptables -A OUTPUT -p tcp --sport 61000:61999 \
		--tcp-flags RST RST -j DROP &&
		fs_in_cli ip6tables -A OUTPUT -p tcp --sport 61000:61999 \
			--tcp-flags RST RST -j DROP
}

# Log lines of both vhosts from SRC that are attacks: the seed's Host,
# or '#' in the request line of a request not refused with 400 (Apache
# refuses '#'; nginx strips the fragment and serves it).
attack_lines()
{
	cat "$CORPUS_LOG_DIR/default.log" "$CORPUS_LOG_DIR/served.log" 2>/dev/null |
		awk -v s="$1" -v h="\"$SEED_HOST" -v w="\"w$SEED_HOST" \
			'$1 == s && (index($0, h) || index($0, w) ||
			($2 != 400 && match($0, /"[A-Z]+ [^ "]*#[^"]*"$/)))'
}

logged_from()
{
	cat "$CORPUS_LOG_DIR/default.log" "$CORPUS_LOG_DIR/served.log" 2>/dev/null |
		awk -v s="$1" '$1 == s' | grep -c .
}

# shellcheck disable=SC2317	# called through fs_wait_until
idle() { [ -z "$(corpus_open_sockets)" ]; }

controls()
{
	fs_in_cli curl -sS -o /dev/null --max-time 5 --interface "$CONTROL_SRC" \
		-H "Host: www.example.org" "http://$FS_SRV4/?control=good" 2>/dev/null
	fs_wait_until 5 idle
	[ "$(logged_from "$CONTROL_SRC")" = 1 ]
	fs_result $? "$T: control: a good request from curl is logged" \
		"$(cat "$CORPUS_LOG_DIR/served.log")"
	fs_in_cli curl -sS -o /dev/null --max-time 5 --interface "$CONTROL_SRC" \
		-H "Host: ${SEED_HOST}24dslii.com" "http://$FS_SRV4/?control=seed" 2>/dev/null
	fs_wait_until 5 idle
	[ -z "$(attack_lines "$CONTROL_SRC")" ]
	fs_result $? "$T: control: the seed Host from curl is not logged (reset)" \
		"$(attack_lines "$CONTROL_SRC")"
}

run_check()
{
	local name=$1 scen=$2 src=$3 dst=$FS_SRV4 out sport
	local smac

	[ "${src#*:}" != "$src" ] && dst=$FS_SRV6
	smac=$(fs_mac "$FS_SRV_NS" "$FS_SRV_IF")
	sport=$((61000 + RANDOM % 1000))
	out=$(timeout 60 ip netns exec "$FS_CLI_NS" "$FS_PY" "$RAW" \
		--iface "$FS_CLI_IF" --gw-mac "$smac" --src "$src" --dst "$dst" \
		--sport "$sport" "${APACHE_ARG[@]}" "$scen" 2>&1)
	fs_note "$T: $name: $out"
	fs_wait_until 5 idle
	[ -z "$(attack_lines "$src")" ]
	fs_result $? "$T: $name: $HRED_SERVER logs no attack request from $src" \
		"$HRED_SERVER logged:" "$(attack_lines "$src")"
}

# A WebSocket upgrade, closed; a new connection from the same port
# sends the seed (ordinary sockets).
port_reuse()
{
	local out

	out=$(timeout 30 ip netns exec "$FS_CLI_NS" "$FS_PY" - "$REUSE_SRC" "$FS_SRV4" \
		"$HRED_SERVER" <<'EOF' 2>&1
import socket, sys, time
src, dst = sys.argv[1], sys.argv[2]
target = b"/101" if sys.argv[3] == "apache" else b"/#101"  # Apache 400s '#'
def conn():
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    s.bind((src, 62000))
    s.settimeout(3)
    s.connect((dst, 80))
    return s
def drain(s):
    got = b""
    try:
        while True:
            b = s.recv(65536)
            if not b:
                break
            got += b
    except socket.timeout:
        pass
    return got
s = conn()
s.send(b"GET /chat HTTP/1.1\r\nHost: www.example.org\r\nUpgrade: websocket\r\n"
       b"Connection: Upgrade\r\n\r\n")
time.sleep(0.2)
s.send(b"\x81\x85abcd12345")
first = drain(s)
s.close()
time.sleep(0.5)
s = conn()
s.send(b"GET " + target + b" HTTP/1.1\r\nHost: 0jejhcec65c24dslii.com\r\n\r\n")
second = drain(s)
s.close()
print("first connection: %d bytes back; second: %r" % (len(first), second[:40]))
EOF
)
	fs_note "$T: port-reuse: $out"
	fs_wait_until 5 idle
	[ -z "$(attack_lines "$REUSE_SRC")" ]
	fs_result $? "$T: port-reuse: $HRED_SERVER logs no attack request from $REUSE_SRC" \
		"$HRED_SERVER logged:" "$(attack_lines "$REUSE_SRC")"
}

# Legitimate requests that must be logged: a path starting with "//"
# (curl and browsers send it as written), and a request whose first
# segment arrives second (lost, or reordered).
false_positives()
{
	local smac out

	fs_in_cli curl -sS -o /dev/null --max-time 5 --interface "$LEGIT_SRC" \
		-H "Host: www.example.org" "http://$FS_SRV4//?legit=slashes" 2>/dev/null
	fs_wait_until 5 idle
	grep -q "^$LEGIT_SRC .*legit=slashes" "$CORPUS_LOG_DIR/served.log"
	fs_result $? "$T: fp-slashes: curl's GET //?legit=slashes is logged" \
		"counters: $(proof_counters)"
	smac=$(fs_mac "$FS_SRV_NS" "$FS_SRV_IF")
	out=$(timeout 60 ip netns exec "$FS_CLI_NS" "$FS_PY" "$RAW" \
		--iface "$FS_CLI_IF" --gw-mac "$smac" --src "$LEGIT_SRC" \
		--dst "$FS_SRV4" --sport $((61000 + RANDOM % 1000)) legit-reordered 2>&1)
	fs_note "$T: fp-reordered: $out"
	fs_wait_until 5 idle
	grep -q "^$LEGIT_SRC .*legit=reordered" "$CORPUS_LOG_DIR/served.log"
	fs_result $? "$T: fp-reordered: a request whose segments come reordered is logged" \
		"counters: $(proof_counters)"
}

# A fresh shield in generic mode on the server's veth (its own pins,
# FS_TAG-NAME), the served hosts, the settings and port 80; L names the
# check. Fails the check and returns 1 if it cannot.
shield_generic()
{
	FS_PIN=/sys/fs/bpf/fs-proof-$FS_TAG-$1
	PROOF_PINS+=("$FS_PIN")
	# shellcheck disable=SC2086
	if ! fs_cli attach "$FS_SRV_IF" --mode generic >"$FS_TMP/shield.err" 2>&1 ||
		! fs_cli hosts add $PROOF_HOSTS >>"$FS_TMP/shield.err" 2>&1 ||
		! fs_cli set $SHIELD_SETTINGS >>"$FS_TMP/shield.err" 2>&1 ||
		! fs_cli ports set "$HTTP_PORT" http >>"$FS_TMP/shield.err" 2>&1; then
		fs_fail "$L: shield attached in generic mode" "$(cat "$FS_TMP/shield.err")"
		return 1
	fi
}

# Jumbo frames: native XDP refuses an MTU over about 3.5 KB (veth, and
# NICs without multi-buffer XDP), so the shield runs in generic mode. A
# request head in one segment of over 1,536 bytes (TCP header included)
# was then dropped as bad_csum (fs_tcp_csum_ok() gave up on its length),
# and so was every retransmission: the connection stalled. The checksum
# is now summed in chunks (bpf/csum.bpf.h); this check keeps it so.
jumbo()
{
	local code cookie L="$T: jumbo-generic"

	proof_shield_down
	if ! ip -n "$FS_SRV_NS" link set "$FS_SRV_IF" mtu 9000 ||
		! ip -n "$FS_CLI_NS" link set "$FS_CLI_IF" mtu 9000; then
		fs_fail "$L: MTU 9000 set"
		return
	fi
	shield_generic jumbo || return
	cookie=$(head -c 3000 /dev/zero | tr '\0' a)
	code=$(fs_in_cli curl -sS -o /dev/null -w '%{http_code}' --max-time 8 \
		--interface "$JUMBO_SRC" -H "Cookie: c=$cookie" \
		-H "Host: www.example.org" "http://$FS_SRV4/?jumbo=1" 2>/dev/null)
	[ "$code" = 200 ]
	fs_result $? "$L: a request with a 3 KB cookie is answered" \
		"curl: ${code:-none}; counters: $(proof_counters)"
}

# A shield in generic mode sees GRO frames of up to 64 KB. A bad Host
# deep in one (after the end of a 300 KB body) must be reset, and the
# same requests with a served Host must all be answered.
gro()
{
	local L="$T: gro-generic" n

	proof_shield_down
	shield_generic gro || return
	fs_in_cli "$FS_PY" "$FS_ROOT/tests/ns/gro_client.py" "$GRO_SRC" "$FS_SRV4" \
		"0jejhcec65c24dslii.com" gro "$GRO_CONNS" >"$FS_TMP/gro.out" 2>&1
	fs_in_cli "$FS_PY" "$FS_ROOT/tests/ns/gro_client.py" "$GRO_LEGIT_SRC" "$FS_SRV4" \
		"www.example.org" grook "$GRO_CONNS" >>"$FS_TMP/gro.out" 2>&1
	sleep 1
	[ -z "$(attack_lines "$GRO_SRC")" ]
	fs_result $? "$L: a bad Host after a 300 KB body, deep in a GRO frame, is reset ($GRO_CONNS connections)" \
		"logged: $(attack_lines "$GRO_SRC" | head -n 3); counters: $(proof_counters)"
	n=$(grep -c "^$GRO_LEGIT_SRC .*\"GET /?grook=" "$CORPUS_LOG_DIR/served.log")
	[ "$n" -eq "$GRO_CONNS" ]
	fs_result $? "$L: the same requests with a served Host are all answered" \
		"$n of $GRO_CONNS GETs logged; client: $(tr '\n' ' ' <"$FS_TMP/gro.out"); counters: $(proof_counters)"
}

main()
{
	local why name scen src

	why=$(corpus_missing)
	[ -z "$why" ] && [ ! -x "$FS_BIN" ] && why="needs $FS_BIN (run make)"
	for t in curl iptables ip6tables; do
		[ -z "$why" ] && ! command -v "$t" >/dev/null && why="needs $t"
	done
	if [ -n "$why" ]; then
		fs_fail "$T: prerequisites" "$why"
		exit 0
	fi
	FS_TMP=$(mktemp -d /tmp/fs-h13red-"$FS_TAG".XXXXXX) || fs_die "mktemp"
	proof_trap_cleanup
	if ! fs_topo_up || ! sources_up; then
		fs_fail "$T: namespaces, veth and sources set up"
		exit 0
	fi
	if ! corpus_server_start "$HRED_SERVER" 2>"$FS_TMP/server.err"; then
		fs_fail "$T: $HRED_SERVER started" "$(cat "$FS_TMP/server.err")"
		exit 0
	fi
	fs_note "$T: $(corpus_server_version)"
	# shellcheck disable=SC2086
	if ! proof_shield_up h13red $SHIELD_SETTINGS 2>"$FS_TMP/shield.err" ||
		! fs_cli ports set "$HTTP_PORT" http >"$FS_TMP/shield.err" 2>&1; then
		fs_fail "$T: shield attached" "$(cat "$FS_TMP/shield.err")"
		exit 0
	fi
	controls
	while read -r name scen src; do
		[ -n "$name" ] || continue
		[ -n "$HRED_ONLY" ] && [ "${HRED_ONLY#*"$name"}" = "$HRED_ONLY" ] && continue
		run_check "$name" "$scen" "$src"
		fs_note "$T: $name: counters: $(proof_counters)"
	done <<<"$CHECKS"
	[ -z "$HRED_ONLY" ] || [ "${HRED_ONLY#*port-reuse}" != "$HRED_ONLY" ] && port_reuse
	[ -z "$HRED_ONLY" ] || [ "${HRED_ONLY#*fp}" != "$HRED_ONLY" ] && false_positives
	[ -z "$HRED_ONLY" ] || [ "${HRED_ONLY#*jumbo}" != "$HRED_ONLY" ] && jumbo
	[ -z "$HRED_ONLY" ] || [ "${HRED_ONLY#*gro}" != "$HRED_ONLY" ] && gro
	fs_note "$T: counters: $(proof_counters)"
	corpus_server_stop
	proof_cleanup
	exit 0
}

main "$@"
