# shellcheck shell=bash
# Shared setup of the proof tests (issue 12: forged packets never ban,
# reset or starve a real client; the connection check holds on every
# server people run): tests/ns/60_spoof.sh and 65_seed.sh. Sources
# lib.sh, http_lib.sh and apache_lib.sh; defines functions and variables
# only, and runs nothing.
#
# Topology (lib.sh's fs_topo_up and http_lib.sh's http_sources_up):
#   client ns  192.0.2.2 (the legitimate client, curl), the bot and probe
#              sources of http_lib.sh (198.51.100.100-199, 203.0.113.100-199,
#              ...); the spoofing generator (spoof.py, raw sockets) runs here
#   server ns  192.0.2.1 on $FS_SRV_IF, where the shield is attached;
#              permanent neighbour entries for every address of
#              192.0.2.0/24, 198.51.100.0/24 and 203.0.113.0/24 (to the
#              client's MAC), so that answers to forged sources never wait
#              on ARP and never grow the kernel's (global) neighbour table
#   app ns     (variant dnat only) 203.0.113.242/29 on a second veth whose
#              server end is 203.0.113.241/29; the server namespace
#              forwards (its own ip_forward) and DNATs 192.0.2.1:80 there
#              (iptables in the server namespace only)
#
# Server variants (proof_server_start VARIANT), each serving
# www.example.org and example.org and answering any other Host from a
# catch-all default site, all on port 80; access logs one line a request:
#   $remote_addr "$host" "$request" $status
#   apache            Apache prefork, Debian's configuration (apache_lib.sh):
#                     AcceptFilter http data (TCP_DEFER_ACCEPT),
#                     MaxRequestWorkers 150 (Debian's), HttpProtocolOptions
#                     Strict (the seed request gets a 400: still reached)
#   nginx-deferred    nginx, `listen 80 deferred` (TCP_DEFER_ACCEPT)
#   nginx             nginx as http_lib.sh starts it
#   nginx-syncookies  nginx with net.ipv4.tcp_syncookies=2 set inside the
#                     server namespace (per namespace): every connection is
#                     made from a kernel SYN cookie, no request socket
#   dnat              nginx in the app namespace behind the DNAT rule; the
#                     shield stays on the server namespace's outside veth
#
# The shield (proof_shield_up NAME) gets a pin folder of its own per call
# (fresh bans and buckets: one case never inherits another's), the served
# hosts, and optional settings; proof_shield_down removes it.
#
# Everything made is removed by proof_cleanup (installed for EXIT, INT
# and TERM by proof_trap_cleanup), also on failure; processes are stopped
# by the PIDs we started.

PROOF_DIR=$(dirname "${BASH_SOURCE[0]}")
# shellcheck source=tests/ns/lib.sh
. "$PROOF_DIR/lib.sh"
# shellcheck source=tests/ns/http_lib.sh
. "$PROOF_DIR/http_lib.sh"
# shellcheck source=tests/ns/apache_lib.sh
. "$PROOF_DIR/apache_lib.sh"

PROOF_SPOOF=${PROOF_SPOOF:-$FS_ROOT/tests/ns/spoof.py}
PROOF_HOST=www.example.org
PROOF_HOSTS="www.example.org example.org"
PROOF_NETS="192.0.2 198.51.100 203.0.113"	# the /24s of the neighbour entries
# IPv6 pools for forged sources, small so that each address gets a
# neighbour entry: 256 addresses of the client's /64 and 256 of the bots'
# /64 (http_lib.sh's 2001:db8:1::/64; its sources are ::100-::113,
# ::200-::201 and ::250)
PROOF_NET6=2001:db8::100/120
PROOF_RANDOM6=2001:db8:1::300/120
PROOF_LIFETIME=${PROOF_LIFETIME:-300}		# seconds, a bound on every server
# shellcheck disable=SC2034	# for the tests that source this file
PROOF_VARIANTS_ALL="apache nginx-deferred nginx nginx-syncookies dnat"

PROOF_APP_NS=fs-app-$FS_TAG
PROOF_APP_SRV_IF=fs-a$FS_TAG	# server end of the app veth
PROOF_APP_IF=fs-b$FS_TAG	# app end
PROOF_APP_GW=203.0.113.241
PROOF_APP4=203.0.113.242

PROOF_VARIANT=		# the server running now
PROOF_PINS=()		# every pin folder made (removed by proof_cleanup)

# ---------------------------------------------------------------------
# Preconditions: a missing one fails the test (never a skip).

# proof_missing [VARIANT...]: why this machine cannot run these
# variants, or nothing.
proof_missing()
{
	local why v t

	why=$(fs_missing_prereq)
	[ -n "$why" ] && { echo "$why"; return; }
	[ -x "$FS_BIN" ] || { echo "needs $FS_BIN (run make)"; return; }
	for t in curl nstat; do
		command -v "$t" >/dev/null || { echo "needs $t (scripts/install-deps.sh --test)"; return; }
	done
	for v in "$@"; do
		case $v in
		apache)
			why=$(apache_missing)
			[ -n "$why" ] && { echo "$why"; return; }
			;;
		dnat)
			command -v iptables >/dev/null ||
				{ echo "needs iptables (scripts/install-deps.sh --test)"; return; }
			;;&
		nginx*|dnat)
			[ -x "$HTTP_NGINX" ] ||
				{ echo "needs nginx (scripts/install-deps.sh --test)"; return; }
			;;
		*) echo "unknown server variant '$v'"; return ;;
		esac
	done
}

# ---------------------------------------------------------------------
# Topology.

# Permanent neighbour entries in the server namespace for every address
# of PROOF_NETS, PROOF_NET6 and PROOF_RANDOM6 (the client's MAC): see the
# header.
proof_neigh_all()
{
	local cmac net i

	cmac=$(fs_mac "$FS_CLI_NS" "$FS_CLI_IF")
	[ -n "$cmac" ] || return 1
	{
		for net in $PROOF_NETS; do
			for i in $(seq 1 254); do
				[ "$net.$i" = "$FS_SRV4" ] && continue
				echo "$net.$i"
			done
		done
		for net in "$PROOF_NET6" "$PROOF_RANDOM6"; do
			for i in $(seq 0 255); do
				printf '%s%02x\n' "${net%00/120}" "$i"
			done
		done
	} | while read -r a; do
		echo "neigh replace $a lladdr $cmac nud permanent dev $FS_SRV_IF"
	done | ip -n "$FS_SRV_NS" -batch -
}

# proof_topo_up: namespaces, veth, sources, neighbour entries, a pass
# program on the client's veth (fs_peer_pass: the shield's XDP_TX
# replies, SYN cookies under a flood, reach the client as from a NIC).
# Sets FS_TMP when empty.
proof_topo_up()
{
	[ -n "$FS_TMP" ] || FS_TMP=$(mktemp -d /tmp/fs-proof-"$FS_TAG".XXXXXX) || return 1
	fs_topo_up && http_sources_up && proof_neigh_all && fs_peer_pass
}

# ---------------------------------------------------------------------
# The shield.

# proof_shield_up NAME [KEY=VALUE...]: attach with a pin folder of its
# own, add the served hosts, apply the settings. Details on stderr.
proof_shield_up()
{
	local name=$1 out

	shift
	FS_PIN=/sys/fs/bpf/fs-proof-$FS_TAG-$name
	PROOF_PINS+=("$FS_PIN")
	out=$(fs_cli attach "$FS_SRV_IF" 2>&1) ||
		{ echo "attach: $out" >&2; return 1; }
	# shellcheck disable=SC2086
	out=$(fs_cli hosts add $PROOF_HOSTS 2>&1) ||
		{ echo "hosts add: $out" >&2; return 1; }
	if [ $# -gt 0 ]; then
		out=$(fs_cli set "$@" 2>&1) || { echo "set $*: $out" >&2; return 1; }
	fi
	return 0
}

# Detach and remove the pins of the last proof_shield_up.
proof_shield_down()
{
	fs_shield_down
}

# The shield's ban list as JSON (`block list -j`); fails, with the
# CLI's message on stderr, when the CLI fails or prints no JSON list, so
# that an unreadable list never passes for an empty one.
proof_block_json()
{
	local out

	out=$(fs_cli -j block list 2>&1) || { echo "block list: $out" >&2; return 1; }
	"$FS_PY" -c 'import json, sys; assert isinstance(json.loads(sys.argv[1]), list)' \
		"$out" 2>/dev/null || { echo "block list: not a JSON list: $out" >&2; return 1; }
	printf '%s\n' "$out"
}

# Bans, one "CIDR REASON" a line.
proof_bans()
{
	local j

	j=$(proof_block_json) || return 1
	fs_json "'\\n'.join('%s %s' % (e['cidr'], e.get('reason', '')) for e in d if e['kind'] == 'ban')" <<<"$j"
}

# proof_bans_touching NET: bans whose prefix holds an address of NET or
# is held by NET (a /32 inside it, or a shorter prefix around it).
proof_bans_touching()
{
	local j

	j=$(proof_block_json) || return 1
	"$FS_PY" -c '
import ipaddress, json, sys
net = ipaddress.ip_network(sys.argv[1], strict=False)
for e in json.load(sys.stdin):
    if e["kind"] != "ban":
        continue
    n = ipaddress.ip_network(e["cidr"], strict=False)
    if n.version == net.version and n.overlaps(net):
        print(e["cidr"], e.get("reason", ""))' "$1" <<<"$j"
}

# proof_src_bans ADDR_FILE: how many addresses of ADDR_FILE have a ban of
# their own (a /32 or /128).
proof_src_bans()
{
	local j

	j=$(proof_block_json) || return 1
	"$FS_PY" -c '
import ipaddress, json, sys
srcs = {str(ipaddress.ip_address(l.strip())) for l in open(sys.argv[1]) if l.strip()}
own = set()
for e in json.load(sys.stdin):
    n = ipaddress.ip_network(e["cidr"], strict=False)
    if e["kind"] == "ban" and n.num_addresses == 1:
        own.add(str(n.network_address))
print(len(srcs & own))' "$1" <<<"$j"
}

# Reasons and events with a non-zero count, on one line: "reason=packets
# ... | event=count ...", for the notes that explain a failure.
proof_counters()
{
	fs_cli -j stats 2>/dev/null | "$FS_PY" -c '
import json, sys
d = json.load(sys.stdin)
r = " ".join("%s=%d" % (x["reason"], x["packets"]) for x in d["reasons"] if x["packets"])
ev = d.get("events", {})
if isinstance(ev, dict):
    ev = ev.items()
else:
    ev = ((e.get("event", e.get("name")), e.get("count", e.get("value"))) for e in ev)
print(r, "|", " ".join("%s=%s" % kv for kv in ev if kv[1]))'
}

# ---------------------------------------------------------------------
# Servers.

# proof_nginx_start NS OPTS: http_lib.sh's nginx configuration, started
# in namespace NS, with OPTS (e.g. "deferred") added to the default
# server's listen lines (nginx takes socket options there only once per
# address and port). Sets HTTP_NGINX_PID, HTTP_ACCESS_LOG.
proof_nginx_start()
{
	local ns=$1 opts=$2

	HTTP_NGINX_DIR=$FS_TMP/nginx-$PROOF_VARIANT
	HTTP_NGINX_CONF=$HTTP_NGINX_DIR/nginx.conf
	HTTP_ACCESS_LOG=$HTTP_NGINX_DIR/logs/access.log
	rm -rf "$HTTP_NGINX_DIR"
	http_nginx_write_conf || return 1
	if [ -n "$opts" ]; then
		sed -i "s/listen $HTTP_PORT default_server;/listen $HTTP_PORT default_server $opts;/;
			s/listen \[::\]:$HTTP_PORT default_server;/listen [::]:$HTTP_PORT default_server $opts;/" \
			"$HTTP_NGINX_CONF" || return 1
		grep -q "default_server $opts;" "$HTTP_NGINX_CONF" ||
			{ echo "nginx: no default_server listen line to add '$opts' to" >&2; return 1; }
	fi
	: >"$HTTP_ACCESS_LOG"
	HTTP_NGINX_LIFETIME=$PROOF_LIFETIME http_nginx_launch "$ns"
}

# The app namespace, its veth, forwarding and the DNAT rule.
proof_dnat_up()
{
	local a=$PROOF_APP_NS

	[ -e "/run/netns/$a" ] && { echo "namespace $a exists already" >&2; return 1; }
	ip netns add "$a" &&
	ip -n "$FS_SRV_NS" link add "$PROOF_APP_SRV_IF" type veth \
		peer name "$PROOF_APP_IF" netns "$a" &&
	ip -n "$a" link set lo up &&
	ip -n "$FS_SRV_NS" addr add "$PROOF_APP_GW/29" dev "$PROOF_APP_SRV_IF" &&
	ip -n "$FS_SRV_NS" link set "$PROOF_APP_SRV_IF" up &&
	ip -n "$a" addr add "$PROOF_APP4/29" dev "$PROOF_APP_IF" &&
	ip -n "$a" link set "$PROOF_APP_IF" up &&
	ip -n "$a" route add default via "$PROOF_APP_GW" || return 1
	# in the server namespace only (per-namespace sysctl and tables)
	fs_in_srv sysctl -qw net.ipv4.ip_forward=1 &&
	fs_in_srv iptables -t nat -A PREROUTING -i "$FS_SRV_IF" -p tcp \
		-d "$FS_SRV4" --dport "$HTTP_PORT" \
		-j DNAT --to-destination "$PROOF_APP4:$HTTP_PORT" || return 1
	fs_wait_until 10 proof_app_link_up
}

proof_app_link_up()
{
	ip -n "$PROOF_APP_NS" link show dev "$PROOF_APP_IF" | grep -q LOWER_UP
}

proof_dnat_down()
{
	if [ -e "/run/netns/$FS_SRV_NS" ]; then
		fs_in_srv iptables -t nat -F PREROUTING 2>/dev/null
		fs_in_srv sysctl -qw net.ipv4.ip_forward=0 2>/dev/null
	fi
	[ -e "/run/netns/$PROOF_APP_NS" ] && ip netns del "$PROOF_APP_NS"
	return 0
}

# proof_server_start VARIANT: see the header. Sets PROOF_VARIANT and
# PROOF_ACCESS_LOG. Details on stderr.
proof_server_start()
{
	PROOF_VARIANT=$1
	case $1 in
	apache)
		APACHE_MAX_WORKERS=150 APACHE_LIFETIME=$PROOF_LIFETIME APACHE_PROTOCOL=
		# shellcheck disable=SC2086
		apache_write_conf "$FS_TMP/apache-$FS_TAG-$RANDOM" "$HTTP_PORT" $PROOF_HOSTS &&
		apache_start || return 1
		grep -rqs "^[[:space:]]*AcceptFilter" "$APACHE_DIR"/apache2.conf "$APACHE_DIR"/*-enabled &&
			echo "apache: an AcceptFilter line in the copy: not Debian's default" >&2
		PROOF_ACCESS_LOG=$APACHE_ACCESS_LOG
		;;
	nginx) proof_nginx_start "$FS_SRV_NS" "" || return 1 ;;
	nginx-deferred) proof_nginx_start "$FS_SRV_NS" deferred || return 1 ;;
	nginx-syncookies)
		fs_in_srv sysctl -qw net.ipv4.tcp_syncookies=2
		if [ "$(fs_in_srv sysctl -n net.ipv4.tcp_syncookies)" != 2 ]; then
			echo "cannot set tcp_syncookies=2 in $FS_SRV_NS" >&2
			return 1
		fi
		proof_nginx_start "$FS_SRV_NS" "" || return 1
		;;
	dnat) proof_dnat_up && proof_nginx_start "$PROOF_APP_NS" "" || return 1 ;;
	*) echo "unknown server variant '$1'" >&2; return 1 ;;
	esac
	case $1 in apache) ;; *) PROOF_ACCESS_LOG=$HTTP_ACCESS_LOG ;; esac
	return 0
}

proof_server_stop()
{
	apache_stop
	http_nginx_stop
	case $PROOF_VARIANT in
	nginx-syncookies)
		[ -e "/run/netns/$FS_SRV_NS" ] &&
			fs_in_srv sysctl -qw net.ipv4.tcp_syncookies=1
		;;
	dnat) proof_dnat_down ;;
	esac
	PROOF_VARIANT=
	return 0
}

# What the variant is, for notes: listen sockets' options as the kernel
# reports them.
proof_server_describe()
{
	local ns=$FS_SRV_NS

	[ "$PROOF_VARIANT" = dnat ] && ns=$PROOF_APP_NS
	echo "$PROOF_VARIANT: syncookies=$(ip netns exec "$ns" sysctl -n net.ipv4.tcp_syncookies)" \
		"listen: $(ip netns exec "$ns" ss -Hltn "sport = :$HTTP_PORT" | awk '{ print $4 }' | paste -sd' ')"
}

# proof_log_count_from ADDR_FILE STR: access-log lines holding STR from
# an address of ADDR_FILE.
proof_log_count_from()
{
	fs_log_count_from "$PROOF_ACCESS_LOG" "$@"
}

# ---------------------------------------------------------------------
# The legitimate client: curl from $FS_CLI4, in the client namespace.
#
# proof_legit_bg OUT ERR ITER PERIOD PER_CONN: ITER curl runs, one every
# PERIOD s (after the previous one ended); each run opens one new
# connection and makes PER_CONN requests on it (keep-alive: curl reuses
# the connection for the URLs of one run) for Host www.example.org; the
# last one says "Connection: close", so that the server closes first and
# holds the TIME_WAIT socket (what an off-path port sweep looks for). One
# line per request to OUT: "HTTP_CODE CURL_EXIT NUM_CONNECTS"; curl's
# messages to ERR. Bounded by `timeout`. Sets PROOF_LEGIT_PID.

IFS= read -r -d '' PROOF_CURL_LOOP <<'EOF' || true
n=$1 period=$2 per=$3 src=$4 dst=$5 host=$6 dur=$7 tag=$8
common=(-sS --interface "$src" --resolve "$host:80:$dst"
	--connect-timeout 3 --max-time 6
	-w '%{http_code} %{exitcode} %{num_connects}\n')
for i in $(seq "$n"); do
	[ "$SECONDS" -lt "$dur" ] || break
	args=(--fail-early "${common[@]}")
	for j in $(seq "$per"); do
		[ "$j" = "$per" ] && [ "$per" -gt 1 ] &&
			args+=(--next "${common[@]}" -H "Connection: close")
		args+=(-o /dev/null "http://$host/index.html?legit=$tag.$i.$j")
	done
	out=$(curl "${args[@]}")
	rc=$?
	[ -n "$out" ] && printf '%s\n' "$out"
	# --fail-early: the requests after a failure were not made; each
	# counts as failed with curl's status
	got=$(printf '%s' "$out" | grep -c .)
	for j in $(seq $((got + 1)) "$per"); do
		echo "000 $rc 0"
	done
	sleep "$period"
done
EOF

# proof_legit_bg OUT ERR ITER PERIOD PER_CONN [MAX_S [TAG [FAMILY]]]: as
# above; also starts no run after MAX_S seconds (default: ITER x PERIOD).
# The targets are /index.html?legit=TAG.RUN.REQUEST (TAG default "l"), so
# that proof_legit_logged TAG counts this client's lines. FAMILY 6: from
# $FS_CLI6 to $FS_SRV6 (default 4: $FS_CLI4 to $FS_SRV4).
proof_legit_bg()
{
	local out=$1 err=$2 iter=$3 period=$4 per=$5 max=${6:-} tag=${7:-l} limit
	local src=$FS_CLI4 dst=$FS_SRV4

	[ "${8:-4}" = 6 ] && src=$FS_CLI6 dst="[$FS_SRV6]"

	[ -n "$max" ] || max=$(awk -v n="$iter" -v p="$period" 'BEGIN { print int(n * p + 0.999) }')
	limit=$((max + 15))
	timeout "$limit" ip netns exec "$FS_CLI_NS" bash -c "$PROOF_CURL_LOOP" curl-loop \
		"$iter" "$period" "$per" "$src" "$dst" "$PROOF_HOST" "$max" \
		"$tag" >"$out" 2>"$err" &
	PROOF_LEGIT_PID=$!
	HTTP_BG_PIDS+=("$PROOF_LEGIT_PID")
}

# proof_legit_summary OUT: "requests ok failed resets" and the failures
# by curl exit code: "200 10 0 0 7:1,56:2". A reset is curl's 56 (receive
# failure: connection reset) or 7 (refused: a RST to the SYN).
proof_legit_summary()
{
	awk '{ n++; if ($1 == 200 && $2 == 0) ok++; else { f[$2]++; if ($2 == 56 || $2 == 7) r++ } }
	     END { s = ""; for (k in f) s = s (s ? "," : "") k ":" f[k]
		   printf "%d %d %d %d %s\n", n, ok, n - ok, r, (s ? s : "-") }' "$1"
}

# proof_legit_logged TAG: access-log lines of proof_legit_bg's requests
# tagged TAG, from the client (either address).
proof_legit_logged()
{
	grep -F "\"$PROOF_HOST\" \"GET /index.html?legit=$1." "$PROOF_ACCESS_LOG" |
		awk -v a="$FS_CLI4" -v b="$FS_CLI6" '$1 == a || $1 == b { n++ } END { print n + 0 }'
}

# A counter of the client namespace's TCP stack (/proc/net/netstat or
# /proc/net/snmp), e.g. TcpExtTCPSynRetrans: SYNs retransmitted, i.e. a
# SYN or its SYN-ACK was lost (a deferral).
proof_cli_netstat()
{
	fs_in_cli nstat -asz "$1" 2>/dev/null | awk -v k="$1" '$1 == k { print $2; f = 1 } END { if (!f) print 0 }'
}

# ---------------------------------------------------------------------
# Cleanup: clients, servers, app namespace, every pin folder, then
# http_lib.sh's cleanup (nginx, the shield, namespaces, FS_TMP).

proof_cleanup()
{
	local p

	for p in "${HTTP_BG_PIDS[@]}"; do
		kill -TERM "$p" 2>/dev/null && wait "$p" 2>/dev/null
	done
	HTTP_BG_PIDS=()
	proof_server_stop
	proof_dnat_down
	for p in "${PROOF_PINS[@]}"; do
		FS_PIN=$p fs_shield_down
	done
	PROOF_PINS=()
	http_cleanup
}

proof_trap_cleanup()
{
	trap proof_cleanup EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
}

# proof_begin TAG VARIANT...: what every proof test does first: its
# prerequisites, a temp folder, the cleanup trap, the topology. Says
# what failed and returns 1; the caller then exits 0 (the failure is
# counted).
proof_begin()
{
	local tag=$1 why

	shift
	why=$(proof_missing "$@")
	if [ -n "$why" ]; then
		fs_fail "$T: prerequisites" "$why"
		return 1
	fi
	FS_TMP=$(mktemp -d /tmp/fs-"$tag"-"$FS_TAG".XXXXXX) || fs_die "mktemp"
	proof_trap_cleanup
	if ! proof_topo_up; then
		fs_fail "$T: namespaces, veth, sources and neighbour entries set up"
		return 1
	fi
}
