#!/bin/bash
# End-to-end benchmark: nginx in a network namespace receives the
# spoofed-Host flood over real TCP from 300 documentation-range sources
# while legitimate clients fetch a page in parallel. For each protection
# (none, iptables string match with DROP, with REJECT tcp-reset,
# floodshield), in the same run, and once without the flood; and two
# controls: a trivial XDP_PASS program on the server's veth and nothing
# else (with an XDP program attached, veth receives through one NAPI
# queue that legitimate and attack packets share), and floodshield with
# the attack's prefixes blocked outright (every attack packet dropped at
# its first SYN: the server does no work for the flood at all):
#   legitimate success rate and p50/p99 latency (new connection each),
#   nginx worker CPU seconds per second (utime+stime from /proc),
#   connections nginx accepted, attack requests that reached nginx
#   (its access log).
#
#   bench/e2e.sh [TSV]     results appended to TSV as "e2e" lines
#
# The attack client runs on CPU 0, nginx and the legitimate clients on
# CPU 1 (E2E_ATTACK_CPU, E2E_SERVER_CPU).
#
# Topology from tests/ns/lib.sh (sourced, not changed), plus:
#   client ns  attack 198.51.100.100-199, 203.0.113.100-199 (/32),
#                     2001:db8:1::100-163 (/64)
#              legit  192.0.2.20-27 (/32), 2001:db8::a14-a1b (/64)
#   server ns  nginx (1 worker) on port 80, IPv4 and IPv6; a catch-all
#              server answers any Host, as the victim's did; stub_status
#              on 127.0.0.1:8081.
# Every name carries this shell's PID; everything made is removed on
# exit (trap), whatever happens. Every client is bounded in count and
# time; only PIDs started here are signalled.
set -u

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
export FS_ROOT=${FS_ROOT:-$(cd "$BENCH_DIR/.." && pwd)}
export FS_TAG=${FS_TAG:-b$$}
# shellcheck source=../tests/ns/lib.sh
. "$FS_ROOT/tests/ns/lib.sh"

TSV=${1:-}
DURATION=${E2E_DURATION:-15}	# legit window, seconds
WARMUP=${E2E_WARMUP:-3}		# flood before the legit window
LEGIT_RATE=${E2E_LEGIT_RATE:-100}	# requests per second
ATTACK_GAP=${E2E_ATTACK_GAP:-0.15}	# per source: 300 sources, 2000 conn/s
# The attacker gets one CPU, as if it were another machine; nginx and the
# legitimate clients share the other. Packets are processed (XDP, stack)
# on the CPU that sends them.
ATTACK_CPU=${E2E_ATTACK_CPU:-0}
SERVER_CPU=${E2E_SERVER_CPU:-1}
PASSES=${E2E_PASSES:-2}
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
LOAD=$BENCH_DIR/http_load.py
ATTACK_HOST=0jejhcec65c24dslii.com

NGINX_PID=
ATTACK_PID=

e2e_cleanup()
{
	[ -n "$ATTACK_PID" ] && kill "$ATTACK_PID" 2>/dev/null
	nginx_stop
	fs_cleanup
}
trap e2e_cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

attack_sources()
{
	local i

	for i in $(seq 100 199); do echo "198.51.100.$i"; echo "203.0.113.$i"; done
	for i in $(seq 256 355); do printf '2001:db8:1::%x\n' "$i"; done
}

legit_sources()
{
	local i

	for i in $(seq 20 27); do echo "192.0.2.$i"; printf "2001:db8::a%x\n" "$i"; done
}

sources_up()
{
	local cmac a

	cmac=$(fs_mac "$FS_CLI_NS" "$FS_CLI_IF")
	{ attack_sources; legit_sources; } | while read -r a; do
		case $a in
		*:*) echo "addr add $a/64 dev $FS_CLI_IF nodad" ;;
		*) echo "addr add $a/32 dev $FS_CLI_IF" ;;
		esac
	done | ip -n "$FS_CLI_NS" -batch - || return 1
	ip -n "$FS_SRV_NS" -6 route add 2001:db8:1::/64 dev "$FS_SRV_IF" || return 1
	{ attack_sources; legit_sources; } | while read -r a; do
		echo "neigh replace $a lladdr $cmac nud permanent dev $FS_SRV_IF"
	done | ip -n "$FS_SRV_NS" -batch -
}

# ---------------------------------------------------------------------
# nginx: our own prefix under $FS_TMP, `daemon off`, under setsid and
# timeout; stopped by the PID we started.

nginx_conf()
{
	local d=$FS_TMP/nginx

	mkdir -p "$d/logs" "$d/tmp" "$d/www" "$d/default"
	echo "<!doctype html><title>www.example.org</title><p>Hello.</p>" >"$d/www/index.html"
	echo "<p>default server</p>" >"$d/default/index.html"
	cat >"$d/nginx.conf" <<-EOF
	# floodshield bench/e2e.sh server
	daemon off;
	master_process on;
	worker_processes 1;
	worker_rlimit_nofile 16384;
	pid $d/nginx.pid;
	error_log $d/logs/error.log crit;
	events {
		worker_connections 4096;
	}
	http {
		default_type text/html;
		log_format fs '\$remote_addr "\$host" "\$request" \$status';
		access_log $d/logs/access.log fs;
		client_body_temp_path $d/tmp/body;
		proxy_temp_path $d/tmp/proxy;
		fastcgi_temp_path $d/tmp/fastcgi;
		uwsgi_temp_path $d/tmp/uwsgi;
		scgi_temp_path $d/tmp/scgi;
		server_tokens off;
		server {
			listen 80 default_server backlog=4096;
			listen [::]:80 default_server backlog=4096;
			server_name _;
			root $d/default;
		}
		server {
			listen 80;
			listen [::]:80;
			server_name www.example.org example.org;
			root $d/www;
		}
		server {
			listen 127.0.0.1:8081;
			access_log off;
			location / { stub_status; }
		}
	}
	EOF
	chmod -R a+rX "$FS_TMP"
}

nginx_start()
{
	local d=$FS_TMP/nginx _

	: >"$d/logs/access.log"
	taskset -c "$SERVER_CPU" setsid timeout 300 ip netns exec "$FS_SRV_NS" "$NGINX" -p "$d/" \
		-c "$d/nginx.conf" </dev/null >"$d/logs/stdout" 2>&1 &
	NGINX_PID=$!
	for _ in $(seq 100); do
		fs_in_srv ss -Hltn 'sport = :80' 2>/dev/null | grep -q '\[::\]:80' &&
			[ -s "$d/nginx.pid" ] && return 0
		sleep 0.1
	done
	echo "# nginx did not start: $(cat "$d/logs/stdout")" >&2
	return 1
}

nginx_stop()
{
	local _

	[ -n "$NGINX_PID" ] || return 0
	kill -TERM "$NGINX_PID" 2>/dev/null
	for _ in $(seq 50); do
		kill -0 "$NGINX_PID" 2>/dev/null || break
		sleep 0.1
	done
	kill -KILL "$NGINX_PID" 2>/dev/null
	wait "$NGINX_PID" 2>/dev/null
	NGINX_PID=
}

# CPU ticks (utime + stime) of nginx's workers: the master's children.
nginx_worker_ticks()
{
	local master pid sum=0 t

	master=$(cat "$FS_TMP/nginx/nginx.pid" 2>/dev/null) || { echo 0; return; }
	for pid in $(cat "/proc/$master/task/$master/children" 2>/dev/null); do
		t=$(awk '{ print $14 + $15 }' "/proc/$pid/stat" 2>/dev/null)
		sum=$((sum + ${t:-0}))
	done
	echo "$sum"
}

# softirq ticks of the whole machine (where XDP and the stack run).
softirq_ticks()
{
	awk '/^cpu / { print $8 }' /proc/stat
}

nginx_status()
{
	fs_in_srv curl -s --max-time 2 http://127.0.0.1:8081/ 2>/dev/null |
		awk 'NR == 1 { active = $3 } NR == 3 { accepts = $1 }
		     END { printf "%d %d\n", accepts, active }'
}

# ---------------------------------------------------------------------
# Protections, inside the server namespace only.

protect_on()
{
	case $1 in
	iptables_drop)
		fs_in_srv iptables -I INPUT -p tcp --dport 80 -m string \
			--string "Host: $ATTACK_HOST" --algo bm -j DROP ;;
	iptables_reject)
		fs_in_srv iptables -I INPUT -p tcp --dport 80 -m string \
			--string "Host: $ATTACK_HOST" --algo bm \
			-j REJECT --reject-with tcp-reset &&
		fs_in_srv ip6tables -I INPUT -p tcp --dport 80 -m string \
			--string "Host: $ATTACK_HOST" --algo bm \
			-j REJECT --reject-with tcp-reset ;;
	floodshield)
		fs_cli attach "$FS_SRV_IF" >/dev/null &&
		fs_cli hosts add www.example.org example.org >/dev/null ;;
	xdp_pass_control)
		ip netns exec "$FS_SRV_NS" "$FS_ROOT/build/fs_bench" xdp-pass "$FS_SRV_IF" ;;
	blocklist_control)
		fs_cli attach "$FS_SRV_IF" >/dev/null &&
		fs_cli block add 198.51.100.0/24 >/dev/null &&
		fs_cli block add 203.0.113.0/24 >/dev/null &&
		fs_cli block add 2001:db8:1::/64 >/dev/null ;;
	*) return 0 ;;
	esac
	if [ "$1" = iptables_drop ]; then
		fs_in_srv ip6tables -I INPUT -p tcp --dport 80 -m string \
			--string "Host: $ATTACK_HOST" --algo bm -j DROP
	fi
}

protect_off()
{
	case $1 in
	iptables_*)
		fs_in_srv iptables -F INPUT
		fs_in_srv ip6tables -F INPUT ;;
	floodshield|blocklist_control)
		fs_shield_down ;;
	xdp_pass_control)
		ip -n "$FS_SRV_NS" link set dev "$FS_SRV_IF" xdp off ;;
	esac
	return 0
}

# Counters of floodshield's reasons, "name=packets" for the ones that
# moved; empty without floodshield.
shield_stats()
{
	fs_cli -j stats 2>/dev/null | "$FS_PY" -c '
import json, sys
d = json.load(sys.stdin)
rows = d.get("reasons", d) if isinstance(d, dict) else d
out = []
for r in rows if isinstance(rows, list) else []:
    p = r.get("packets", 0) + r.get("observed_packets", 0)
    if p and r.get("reason") not in ("non_ip",):
        out.append("%s:%d" % (r.get("reason"), p))
ev = d.get("events", {}) if isinstance(d, dict) else {}
for k in ("ban_src", "ban_prefix", "rate_new", "flow_failed"):
    if ev.get(k):
        out.append("%s:%d" % (k, ev[k]))
print(",".join(out))' 2>/dev/null
}

json_get()
{
	"$FS_PY" -c 'import json, sys
d = json.loads(sys.argv[1])
for k in sys.argv[2:]:
    d = d.get(k) if isinstance(d, dict) else None
print("" if d is None else (json.dumps(d, sort_keys=True).replace("\t", " ") if isinstance(d, (dict, list)) else d))' "$@"
}

# ---------------------------------------------------------------------

run_scenario()
{
	local name=$1 flood=$2 pass=$3 dir=$FS_TMP/$1.$3 legit attack t0 t1 c0 c1 s0 s1
	local secs cpu sirq st accepts active attack_log legit_log stats

	mkdir -p "$dir"
	nginx_start || return 1
	protect_on "$name" || { echo "# $name: protection did not start" >&2; return 1; }
	ATTACK_PID=
	if [ "$flood" = 1 ]; then
		taskset -c "$ATTACK_CPU" timeout $((WARMUP + DURATION + 20)) \
			ip netns exec "$FS_CLI_NS" "$FS_PY" "$LOAD" attack --sources-file "$FS_TMP/attack.txt" \
			--dst4 "$FS_SRV4" --dst6 "$FS_SRV6" --gap "$ATTACK_GAP" \
			--duration $((WARMUP + DURATION + 1)) >"$dir/attack.json" 2>"$dir/attack.err" &
		ATTACK_PID=$!
		sleep "$WARMUP"
	fi
	c0=$(nginx_worker_ticks); s0=$(softirq_ticks); t0=$(date +%s.%N)
	legit=$(taskset -c "$SERVER_CPU" timeout $((DURATION + 30)) ip netns exec "$FS_CLI_NS" \
		"$FS_PY" "$LOAD" legit --sources-file "$FS_TMP/legit.txt" \
		--dst4 "$FS_SRV4" --dst6 "$FS_SRV6" --rate "$LEGIT_RATE" \
		--duration "$DURATION" 2>"$dir/legit.err")
	c1=$(nginx_worker_ticks); s1=$(softirq_ticks); t1=$(date +%s.%N)
	if [ -n "$ATTACK_PID" ]; then
		wait "$ATTACK_PID"
		ATTACK_PID=
	fi
	attack=$(cat "$dir/attack.json" 2>/dev/null)
	[ -n "$attack" ] || attack='{}'
	[ -n "$legit" ] || legit='{}'
	st=$(nginx_status)
	accepts=${st% *}; active=${st#* }
	attack_log=$(grep -cF "\"$ATTACK_HOST\"" "$FS_TMP/nginx/logs/access.log")
	legit_log=$(grep -cF "visit=" "$FS_TMP/nginx/logs/access.log")
	stats=$(shield_stats)
	secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')
	cpu=$(awk -v a="$c0" -v b="$c1" -v s="$secs" 'BEGIN { printf "%.3f", (b - a) / 100 / s }')
	sirq=$(awk -v a="$s0" -v b="$s1" -v s="$secs" 'BEGIN { printf "%.3f", (b - a) / 100 / s }')
	protect_off "$name"
	nginx_stop
	printf '%-17s %s legit ok %6s%%  p50 %7s ms  p99 %7s ms  nginx cpu %5s s/s  softirq %5s s/s  accepted %6s  attack reqs logged %6s  attack conns %6s (%s/s)\n' \
		"$name" "$pass" "$(json_get "$legit" success_pct)" "$(json_get "$legit" p50_ms)" \
		"$(json_get "$legit" p99_ms)" "$cpu" "$sirq" "$accepts" "$attack_log" \
		"$(json_get "$attack" attempted)" "$(json_get "$attack" rate_per_s)"
	[ -n "$stats" ] && echo "#   floodshield: $stats"
	[ -n "$TSV" ] && printf 'e2e\t%s\tv0\tpass=%s\tflood=%s\tlegit_requests=%s\tlegit_ok=%s\tsuccess_pct=%s\tp50_ms=%s\tp99_ms=%s\tmax_ms=%s\tnginx_cpu_s_per_s=%s\tsoftirq_s_per_s=%s\taccepted=%s\tactive_end=%s\tattack_logged=%s\tlegit_logged=%s\tattack_attempted=%s\tattack_rate=%s\tattack_outcomes=%s\tlegit_errors=%s\tshield=%s\n' \
		"$name" "$pass" "$flood" "$(json_get "$legit" requests)" "$(json_get "$legit" ok)" \
		"$(json_get "$legit" success_pct)" "$(json_get "$legit" p50_ms)" \
		"$(json_get "$legit" p99_ms)" "$(json_get "$legit" max_ms)" "$cpu" "$sirq" \
		"$accepts" "$active" "$attack_log" "$legit_log" \
		"$(json_get "$attack" attempted)" "$(json_get "$attack" rate_per_s)" \
		"$(json_get "$attack" outcomes)" "$(json_get "$legit" errors)" "$stats" >>"$TSV"
	return 0
}

main()
{
	local why

	why=$(fs_missing_prereq)
	[ -z "$why" ] || fs_die "$why"
	for t in "$NGINX" iptables ip6tables curl taskset; do
		command -v "$t" >/dev/null || fs_die "needs $t (bench/install-deps.sh)"
	done
	[ -x "$FS_BIN" ] || fs_die "needs $FS_BIN (make)"
	[ -x "$FS_ROOT/build/fs_bench" ] || fs_die "needs build/fs_bench (make bench)"
	fs_topo_up || fs_die "topology"
	sources_up || fs_die "sources"
	attack_sources >"$FS_TMP/attack.txt"
	legit_sources >"$FS_TMP/legit.txt"
	nginx_conf
	echo
	echo "End to end: nginx, spoofed-Host flood from $(wc -l <"$FS_TMP/attack.txt") sources" \
		"(one connection per source every ${ATTACK_GAP}s), legit $LEGIT_RATE req/s" \
		"from $(wc -l <"$FS_TMP/legit.txt") sources, ${DURATION}s window after ${WARMUP}s of flood"
	# Two passes, the second in the reverse order, so that a slow
	# moment of the machine does not fall on one scenario only.
	local order="baseline:0 none:1 xdp_pass_control:1 iptables_drop:1 iptables_reject:1 floodshield:1 blocklist_control:1"
	local pass sc

	for pass in $(seq "$PASSES"); do
		for sc in $order; do
			run_scenario "${sc%:*}" "${sc#*:}" "$pass" || return 1
		done
		order=$(echo "$order" | tr ' ' '\n' | tac | tr '\n' ' ')
	done
}

main
