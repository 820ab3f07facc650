#!/bin/bash
# Namespace test of the connection proof behind DNAT (a container's
# published port): the web server runs in a third namespace, the shield's
# namespace only forwards to it, so the socket lookup in the shield's
# namespace finds nothing and the proof comes from conntrack
# (bpf/conn.bpf.h, fs_conn_ct()).
#
# Topology: lib.sh's client and server namespaces joined by one veth pair
# (the shield attached natively on the server side, $FS_SRV_IF), and
# (http_lib.sh) the attack sources on the client side. The server
# namespace plays the container host: it has no socket on port 80, only
# an iptables DNAT rule (inside that namespace) sending 192.0.2.1:80 to
# 192.0.2.254:80 in a third namespace "ctr", reached by a second veth
# pair (192.0.2.253/30 host side, 192.0.2.254/30 ctr side), with IPv4
# forwarding on in the server namespace; the same for IPv6 (ip6tables
# DNAT of [2001:db8::1]:80 to [2001:db8:2::2]:80, 2001:db8:2::/64). nginx (http_lib.sh's) runs in
# ctr with its own access log; the client's address reaches it unchanged.
#
# Asserted:
#   - without the shield, a request reaches nginx through the DNAT rule
#     (IPv4 and IPv6), and conntrack holds the connection as DNAT-ed;
#   - the seed flood (http_flood.py attack: 48 sources, 20 in each of
#     198.51.100.0/24 and 203.0.113.0/24 and 8 in 2001:db8:1::/64, up to
#     5 connections each,
#     "GET /#101" with Host 0jejhcec65c24dslii.com, every second one
#     "GET /" with that Host), while the legitimate client 192.0.2.2 makes
#     300 keep-alive requests over 6 s:
#       at most 1% of the attack requests sent reach nginx's access log;
#       every attack request sent ends in a reset at the client; every
#       attack source banned by source with reason http_bad; no ctr socket
#       from an attack source left in ESTAB or CLOSE-WAIT (the RST went
#       through conntrack and DNAT to the server, which freed it);
#       legitimate success >= 99%; the proof came from conntrack (event
#       conn_ct grew);
#   - with a listener on port 80 in the server namespace (where Docker's
#     userland proxy listens; the socket lookup then finds a listener that
#     takes no cookie, and the proof comes from conntrack all the same),
#     forged segments on a live DNAT-ed 4-tuple (raw socket in the client
#     namespace, the sequence and acknowledgment numbers of the live
#     connection read off the wire, then one of them made wrong): 10 bad
#     requests with a wrong seq and 10 with a wrong ack are not proven:
#     dropped as no_conn, refused by the conntrack proof (event
#     conn_ct_refused), no ban of the source; the live connection still
#     serves a request afterwards, and a real bad request on it is reset.
# The per-prefix levels of syn.http and http.bad are raised as in
# 20_http.sh (40 sources in two /24s would otherwise earn prefix bans,
# hiding the per-source bans asserted here).
set -u

FS_PIN=${FS_PIN:-/sys/fs/bpf/fs-dnat-$$}	# our own pins; lib.sh keeps it
# shellcheck source=tests/ns/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
# shellcheck source=tests/ns/http_lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/http_lib.sh"

T=64_dnat
HOST=www.example.org
LEGIT4=$FS_CLI4
LEGIT_REQUESTS=300
LEGIT_DURATION=6
LEGIT_MIN_PCT=99
PER_SOURCE=5
FORGED=10			# forged bad requests of each kind
PROBE=198.51.100.250		# the live connection that forged segments aim at

CTR_NS=fs-ctr-$FS_TAG
CTR_HOST_IF=fs-d$FS_TAG		# host (server namespace) side
CTR_IF=fs-e$FS_TAG		# ctr side
CTR_HOST4=192.0.2.253
CTR4=192.0.2.254
CTR_HOST6=2001:db8:2::1
CTR6=2001:db8:2::2
LEGIT6=$FS_CLI6

# ---------------------------------------------------------------------

dnat_cleanup()
{
	http_cleanup
	[ -e "/run/netns/$CTR_NS" ] && ip netns del "$CTR_NS"
	return 0
}

dnat_trap_cleanup()
{
	trap dnat_cleanup EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
}

fs_in_ctr() { ip netns exec "$CTR_NS" "$@"; }

ctr_link_up()
{
	ip -n "$FS_SRV_NS" link show dev "$CTR_HOST_IF" | grep -q LOWER_UP &&
		ip -n "$CTR_NS" link show dev "$CTR_IF" | grep -q LOWER_UP
}

# The third namespace, its veth pair, forwarding and the DNAT rule, all
# inside our own namespaces.
ctr_up()
{
	[ -e "/run/netns/$CTR_NS" ] && fs_die "namespace $CTR_NS exists already"
	ip netns add "$CTR_NS" &&
	ip -n "$FS_SRV_NS" link add "$CTR_HOST_IF" type veth \
		peer name "$CTR_IF" netns "$CTR_NS" &&
	ip -n "$FS_SRV_NS" addr add "$CTR_HOST4/30" dev "$CTR_HOST_IF" &&
	ip -n "$FS_SRV_NS" link set "$CTR_HOST_IF" up &&
	ip -n "$CTR_NS" link set lo up &&
	ip -n "$CTR_NS" addr add "$CTR4/30" dev "$CTR_IF" &&
	ip -n "$CTR_NS" link set "$CTR_IF" up &&
	ip -n "$CTR_NS" route add default via "$CTR_HOST4" &&
	ip -n "$FS_SRV_NS" addr add "$CTR_HOST6/64" dev "$CTR_HOST_IF" nodad &&
	ip -n "$CTR_NS" addr add "$CTR6/64" dev "$CTR_IF" nodad &&
	ip -n "$CTR_NS" -6 route add default via "$CTR_HOST6" &&
	fs_in_srv sysctl -qw net.ipv4.ip_forward=1 &&
	fs_in_srv sysctl -qw net.ipv6.conf.all.forwarding=1 &&
	fs_in_srv iptables -t nat -A PREROUTING -i "$FS_SRV_IF" -p tcp \
		--dport "$HTTP_PORT" -j DNAT --to-destination "$CTR4:$HTTP_PORT" &&
	fs_in_srv ip6tables -t nat -A PREROUTING -i "$FS_SRV_IF" -p tcp \
		--dport "$HTTP_PORT" -j DNAT --to-destination "[$CTR6]:$HTTP_PORT" &&
	fs_wait_until 30 ctr_link_up
}

# nginx in ctr: http_lib.sh's, started in the ctr namespace.
ctr_nginx_start()
{
	local srv=$FS_SRV_NS rc

	FS_SRV_NS=$CTR_NS
	http_nginx_start
	rc=$?
	FS_SRV_NS=$srv
	return $rc
}

# Packets counted for REASON in `stats -j`.
stat_packets()
{
	fs_cli -j stats | fs_json \
		"sum(r['packets'] for r in d['reasons'] if r['reason'] == '$1')"
}

# The count of event NAME in `stats -j`.
stat_event()
{
	fs_cli -j stats | fs_json "d['events'].get('$1', 0)"
}

json_get() { fs_json "$2" <"$1" 2>/dev/null; }

# Bans with reason REASON of the addresses in ADDR_FILE (by source: /32
# or /128 entries only).
count_bans()
{
	fs_cli -j block list | fs_json "
len(set(e['cidr'].split('/')[0] for e in d
        if e['kind'] == 'ban' and e['reason'] == '$2'
           and e['cidr'].split('/')[1] in ('32', '128')) &
    set(l.strip() for l in open('$1')))"
}

# ctr sockets in ESTAB or CLOSE-WAIT whose peer is listed in ADDR_FILE.
ctr_sockets_from()
{
	fs_in_ctr ss -Htan 2>/dev/null | awk '
		NR == FNR { a[$1]; next }
		$1 != "ESTAB" && $1 != "CLOSE-WAIT" { next }
		{ p = $5; sub(/:[0-9]+$/, "", p); gsub(/[][]/, "", p) }
		p in a { print $1, $5 }' "$1" -
}

no_ctr_sockets_from() { [ -z "$(ctr_sockets_from "$1")" ]; }

# ---------------------------------------------------------------------

setup()
{
	local out

	if ! fs_topo_up || ! http_sources_up || ! ctr_up; then
		fs_fail "$T: namespaces, veths, sources and the DNAT rule set up"
		return 1
	fi
	fs_note "setup: $T: namespaces, veths, sources and the DNAT rule set up"
	if ! ctr_nginx_start; then
		fs_fail "$T: nginx listens on port 80 in ctr" \
			"$(tail -n 5 "$HTTP_NGINX_DIR/logs/error.log" 2>/dev/null)"
		return 1
	fi
	fs_note "setup: $T: nginx listens on port 80 in ctr"
	[ -z "$(fs_in_srv ss -Hltn "sport = :$HTTP_PORT")" ]
	fs_result $? "$T: no listener on port 80 in the shield's namespace"
	out=$(http_request "$LEGIT4" --expect 1 -- \
		"GET /index.html?v=before-shield HTTP/1.1\r\nHost: $HOST\r\n\r\n")
	http_log_wait "v=before-shield"
	[ "$(fs_json "d['statuses']" <<<"$out")" = "[200]" ] &&
		grep -qF "$LEGIT4 \"$HOST\" \"GET /index.html?v=before-shield" "$HTTP_ACCESS_LOG"
	fs_result $? "$T: without the shield a request reaches nginx in ctr through DNAT" \
		"client: $out" "$(tail -n 2 "$HTTP_ACCESS_LOG")"
	out=$(fs_in_srv conntrack -L -p tcp --orig-dst "$FS_SRV4" --dport "$HTTP_PORT" 2>/dev/null)
	grep -q "dport=$HTTP_PORT src=$CTR4 dst=$LEGIT4 sport=$HTTP_PORT" <<<"$out"
	fs_result $? "$T: conntrack holds the connection, DNAT-ed to $CTR4 (its reply tuple)" "$out"
	out=$(http_request "$LEGIT6" --expect 1 -- \
		"GET /index.html?v=before-shield6 HTTP/1.1\r\nHost: $HOST\r\n\r\n")
	http_log_wait "v=before-shield6"
	[ "$(fs_json "d['statuses']" <<<"$out")" = "[200]" ] &&
		grep -qF "$LEGIT6 \"$HOST\" \"GET /index.html?v=before-shield6" "$HTTP_ACCESS_LOG"
	fs_result $? "$T: without the shield an IPv6 request reaches nginx in ctr through DNAT" \
		"client: $out" "$(tail -n 2 "$HTTP_ACCESS_LOG")"
}

attach()
{
	local out

	if ! out=$(fs_cli attach "$FS_SRV_IF" --mode native 2>&1); then
		fs_fail "$T: attach natively to $FS_SRV_IF" "$out"
		return 1
	fi
	fs_note "setup: $T: attach natively to $FS_SRV_IF"
	out=$(fs_cli set syn.http.prefix=5000/10000 http.bad.prefix=5000/10000 \
		syn.http.src=20/100 http.req.src=100/1000 2>&1) ||
		fs_die "$T: cannot raise the per-prefix levels: $out"
	out=$(fs_cli hosts add "$HOST" example.org 2>&1) ||
		fs_die "$T: cannot add the served hosts: $out"
}

# ---------------------------------------------------------------------

check_flood()
{
	local attack=$FS_TMP/attack.json legit=$FS_TMP/legit.json src=$FS_TMP/attack.txt
	local legit_pid ct0 ct1 sent reached ok bans left

	http_attack_sources | grep -E '^(198\.51\.100|203\.0\.113)\.1[0-1][0-9]$|^2001:db8:1::10[0-7]$' >"$src"
	ct0=$(stat_event conn_ct)
	http_py_bg "$legit" "$FS_TMP/legit.err" $((LEGIT_DURATION + 30)) \
		legit "$LEGIT4" "$FS_SRV4" \
		--host "$HOST" --requests "$LEGIT_REQUESTS" \
		--duration "$LEGIT_DURATION" --workers 4 --per-conn 10
	legit_pid=$HTTP_PY_PID
	http_py 60 attack --sources-file "$src" \
		--dst4 "$FS_SRV4" --dst6 "$FS_SRV6" --per-source "$PER_SOURCE" \
		--gap 0.2 --spread 3 --mix --sequential --connect-timeout 1.2 \
		>"$attack" 2>"$FS_TMP/attack.err"
	fs_setup $? "$T: flood ran" "$(tail -n 5 "$FS_TMP/attack.err")"
	wait "$legit_pid"
	fs_setup $? "$T: legitimate client ran" "$(tail -n 5 "$FS_TMP/legit.err")"
	fs_note "$T: attack: $(cat "$attack")"
	fs_note "$T: legit:  $(cat "$legit")"

	# nginx logs after answering: a request sent after the flood, once
	# logged, means every earlier one that reached it is logged too.
	http_request "$LEGIT4" --expect 1 -- \
		"GET /index.html?v=after-flood HTTP/1.1\r\nHost: $HOST\r\n\r\n" >/dev/null
	http_log_wait "v=after-flood"
	sent=$(json_get "$attack" "d['sent']")
	reached=$(http_log_count_from "$src" "$HTTP_ATTACK_HOST")
	[ "${sent:-0}" -gt 0 ] && [ $((reached * 100)) -le "$sent" ]
	fs_result $? "$T: at most 1% of attack requests reach nginx ($reached of ${sent:-?})" \
		"$(grep -F "$HTTP_ATTACK_HOST" "$HTTP_ACCESS_LOG" | head -n 3)"
	[ "$(json_get "$attack" "d['outcomes'].get('reset', 0)")" = "$sent" ]
	fs_result $? "$T: every attack request sent ($sent) ends in a reset at the client" \
		"outcomes: $(json_get "$attack" "d['outcomes']")"

	ok=$(json_get "$legit" "d['ok']")
	[ -n "$ok" ] && [ $((ok * 100)) -ge $((LEGIT_REQUESTS * LEGIT_MIN_PCT)) ]
	fs_result $? "$T: legitimate success >= $LEGIT_MIN_PCT% (${ok:-?} of $LEGIT_REQUESTS)" \
		"$(cat "$legit")"

	bans=$(count_bans "$src" http_bad)
	[ "${bans:-0}" = "$(wc -l <"$src")" ]
	fs_result $? "$T: every attack source banned by source (http_bad): ${bans:-?} of $(wc -l <"$src")" \
		"$(fs_cli block list | head -n 5)"

	fs_wait_until 10 no_ctr_sockets_from "$src"
	left=$(ctr_sockets_from "$src")
	[ -z "$left" ]
	fs_result $? "$T: no ctr socket from an attack source in ESTAB/CLOSE-WAIT (the RST reached the server)" \
		"$(head -n 5 <<<"$left")"

	ct1=$(stat_event conn_ct)
	[ "${ct1:-0}" -gt "${ct0:-0}" ]
	fs_result $? "$T: segments proven by conntrack (conn_ct: ${ct0:-?} -> ${ct1:-?})"
	fs_note "$T: stats events: $(fs_cli -j stats | fs_json "d['events']")"
}

# ---------------------------------------------------------------------
# Forged segments on a live DNAT-ed 4-tuple (see the header). One
# process in the client namespace holds a real connection from PROBE,
# reads its numbers off the wire (AF_PACKET on the client veth), sends
# the forged bad requests by a raw socket with wrong seq, then wrong ack,
# waits for the go-ahead file, then uses the real connection: a good
# request (its answer), then a bad one (reset expected).

IFS= read -r -d '' FORGE_PY <<'EOF' || true
import json, os, random, socket, struct, sys, time
src, dst, ifname, n, go = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5]
HOST = "www.example.org"

def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    s = (s & 0xffff) + (s >> 16)
    s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff

def segment(sport, seq, ack, payload):
    hdr = struct.pack("!HHIIBBHHH", sport, 80, seq, ack, 5 << 4, 0x18, 502, 0, 0)
    pseudo = socket.inet_aton(src) + socket.inet_aton(dst) + struct.pack("!BBH", 0, 6, len(hdr) + len(payload))
    c = csum(pseudo + hdr + payload)
    return hdr[:16] + struct.pack("!H", c) + hdr[18:] + payload

def read_answer(s):
    buf = b""
    while b"\r\n\r\n" not in buf:
        d = s.recv(65536)
        if not d:
            return None
        buf += d
    head, body = buf.split(b"\r\n\r\n", 1)
    status = int(head.split(b" ")[1])
    clen = 0
    for line in head.split(b"\r\n")[1:]:
        k, _, v = line.partition(b":")
        if k.strip().lower() == b"content-length":
            clen = int(v)
    while len(body) < clen:
        d = s.recv(65536)
        if not d:
            break
        body += d
    return status

# the last segment this connection sent: (seq + payload length, ack)
def sniff_last(sniffer, sport, until):
    last = None
    while time.monotonic() < until:
        try:
            f = sniffer.recv(65536)
        except socket.timeout:
            break
        if len(f) < 14 + 20 or f[12:14] != b"\x08\x00":
            continue
        ip = f[14:]
        ihl = (ip[0] & 15) * 4
        if ip[9] != 6 or ip[12:16] != socket.inet_aton(src):
            continue
        tcp = ip[ihl:]
        sp, dp, seq, ack = struct.unpack("!HHII", tcp[:12])
        if sp != sport or dp != 80:
            continue
        plen = struct.unpack("!H", ip[2:4])[0] - ihl - (tcp[12] >> 4) * 4
        last = ((seq + plen) & 0xffffffff, ack)
    return last

out = {}
# ETH_P_ALL: only those taps see outgoing frames
sniffer = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(0x0003))
sniffer.bind((ifname, 0))
sniffer.settimeout(0.2)
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
s.settimeout(5)
s.bind((src, 0))
s.connect((dst, 80))
sport = s.getsockname()[1]
out["port"] = sport
s.sendall(("GET /index.html?v=forge-first HTTP/1.1\r\nHost: %s\r\n\r\n" % HOST).encode())
out["first"] = read_answer(s)
time.sleep(0.3)		# the client's ACK of the answer goes out
last = sniff_last(sniffer, sport, time.monotonic() + 1.0)
if last is None:
    out["error"] = "no segment of the connection seen"
    print(json.dumps(out))
    sys.exit(1)
seq, ack = last
bad = b"GET /#1 HTTP/1.1\r\nHost: 0jejhcec65c24dslii.com\r\n\r\n"
raw = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_TCP)
raw.bind((src, 0))
for i in range(n):	# seq half the sequence space away, ack right
    raw.sendto(segment(sport, (seq + 0x80000000 + i * 1000) & 0xffffffff, ack, bad), (dst, 0))
for i in range(n):	# seq right, ack half the space away
    raw.sendto(segment(sport, seq, (ack + 0x80000000 + i * 1000) & 0xffffffff, bad), (dst, 0))
out["forged"] = 2 * n
print(json.dumps(out), flush=True)
deadline = time.monotonic() + 30
while not os.path.exists(go) and time.monotonic() < deadline:
    time.sleep(0.05)
s.sendall(("GET /index.html?v=forge-after HTTP/1.1\r\nHost: %s\r\n\r\n" % HOST).encode())
try:
    out["after"] = read_answer(s)
except OSError as e:
    out["after"] = "error: %s" % e
try:
    s.sendall(bad)
    out["bad"] = "answered %s" % read_answer(s)
except ConnectionResetError:
    out["bad"] = "reset"
except OSError as e:
    out["bad"] = "error: %s" % e
print(json.dumps(out), flush=True)
EOF

# A listener on port 80 in the shield's namespace, where Docker's
# userland proxy listens: DNAT in PREROUTING takes the clients'
# connections before it, so it accepts none, but the socket lookup now
# finds a listener (no cookie) and the proof must still come from
# conntrack.
proxy_listener_start()
{
	local port=$FS_PORT rc

	FS_PORT=$HTTP_PORT
	fs_server_start
	rc=$?
	FS_PORT=$port
	fs_result $rc "$T: a listener on port 80 in the shield's namespace (as docker-proxy)" \
		"$(cat "$FS_TMP/server.err" 2>/dev/null)"
	return $rc
}

check_forged()
{
	local out=$FS_TMP/forge.out go=$FS_TMP/forge.go pid first final
	local nc0 nc1 rf0 rf1 want=$((2 * FORGED))

	proxy_listener_start || return

	nc0=$(stat_packets no_conn)
	rf0=$(stat_event conn_ct_refused)
	rm -f "$go"
	timeout 60 ip netns exec "$FS_CLI_NS" "$FS_PY" -c "$FORGE_PY" \
		"$PROBE" "$FS_SRV4" "$FS_CLI_IF" "$FORGED" "$go" \
		>"$out" 2>"$FS_TMP/forge.err" &
	pid=$!
	HTTP_BG_PIDS+=("$pid")
	fs_wait_until 20 fs_alive_and "$pid" grep -q forged "$out"
	first=$(head -n 1 "$out")
	[ "$(fs_json "d.get('first')" <<<"$first")" = 200 ] &&
		[ "$(fs_json "d.get('forged')" <<<"$first")" = "$want" ]
	fs_result $? "$T: forged: a live DNAT-ed connection, then $want forged bad requests on its 4-tuple" \
		"$first" "$(tail -n 3 "$FS_TMP/forge.err")"

	# every forged segment is counted when it is dropped
	fs_wait_until 10 stat_ge no_conn $((nc0 + want))
	nc1=$(stat_packets no_conn)
	rf1=$(stat_event conn_ct_refused)
	[ $((nc1 - nc0)) -ge "$want" ]
	fs_result $? "$T: forged: dropped as no_conn ($((nc1 - nc0)) of $want)"
	[ $((rf1 - rf0)) -ge "$want" ]
	fs_result $? "$T: forged: conntrack found the entry and refused the proof (conn_ct_refused +$((rf1 - rf0)))"
	echo "$PROBE" >"$FS_TMP/probe.txt"
	[ "$(count_bans "$FS_TMP/probe.txt" http_bad)" = 0 ] &&
		[ -z "$(fs_cli -j block list | fs_json "
' '.join(e['cidr'] for e in d if e['cidr'].split('/')[0] == '$PROBE')")" ]
	fs_result $? "$T: forged: the 4-tuple's source is not banned" "$(fs_cli block list)"

	touch "$go"
	wait "$pid"
	final=$(tail -n 1 "$out")
	[ "$(fs_json "d.get('after')" <<<"$final")" = 200 ]
	fs_result $? "$T: forged: the live connection still serves a request" "$final"
	[ "$(fs_json "d.get('bad')" <<<"$final")" = reset ]
	fs_result $? "$T: forged: a real bad request on it is reset (proven by conntrack)" "$final"
	[ "$(grep -cF "$PROBE \"$HTTP_ATTACK_HOST\"" "$HTTP_ACCESS_LOG")" = 0 ]
	fs_result $? "$T: forged: no bad request of $PROBE in nginx's access log"
	[ "$(wc -l <"$FS_SRV_LOG")" = 0 ]
	fs_result $? "$T: forged: the listener in the shield's namespace accepted nothing (DNAT took every connection)" \
		"$(head -n 3 "$FS_SRV_LOG")"
}

stat_ge() { [ "$(stat_packets "$1")" -ge "$2" ]; }

# ---------------------------------------------------------------------

main()
{
	local why start t

	why=$(fs_missing_prereq)
	for t in "$HTTP_NGINX" /usr/sbin/iptables /usr/sbin/conntrack; do
		[ -z "$why" ] && ! [ -x "$t" ] && why="needs $t (scripts/install-deps.sh --test)"
	done
	if [ -n "$why" ]; then
		fs_fail "$T: prerequisites" "$why"
		exit 0
	fi
	if [ ! -x "$FS_BIN" ]; then
		fs_fail "$T: $FS_BIN built" "run make first"
		exit 0
	fi
	start=$SECONDS
	FS_TMP=$(mktemp -d /tmp/fs-dnat-"$FS_TAG".XXXXXX) || fs_die "mktemp"
	dnat_trap_cleanup
	if setup && attach; then
		check_flood
		check_forged
	fi
	dnat_cleanup
	fs_note "$T: $FS_FAILS failed, $((SECONDS - start)) s"
	exit 0
}

main "$@"
