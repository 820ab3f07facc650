#!/bin/bash
# Namespace test of the metrics exporter, scraped by a real Prometheus.
#
# The shield is attached by the CLI (-n) to the server namespace's veth,
# with our own pin folder. The client sends exactly BLOCK_N UDP
# datagrams from a blocked documentation address (one frame each, no
# handshake, nothing retried), so the block counter must read BLOCK_N
# and its bytes BLOCK_N * frame length. Then, inside the server
# namespace (its own loopback: no port can collide with the host's):
#   - `metrics --once` (privileged) prints an exposition that
#     `promtool check metrics` accepts without a word, with the counts;
#   - `metrics --listen 127.0.0.1:EXP_PORT --drop-caps` serves with no
#     capability at all (checked in /proc), and Debian's Prometheus
#     scrapes it every second: the target is up, and its HTTP API gives
#     packets_total{reason="block"} = BLOCK_N, build_info = 1 and
#     interface_attached = 1 for the veth in mode native; after
#     BLOCK_MORE further datagrams it gives BLOCK_N + BLOCK_MORE (maps
#     are read at scrape time);
#   - /metrics answers 404 elsewhere; after `detach` the unprivileged
#     exporter reports the interface 0 (mode "none");
#   - the daemon's own exporter, scraped too: the counters, the interface,
#     and its reloads (config_reloads_total{result="applied"} 0, then 1
#     after a SIGHUP);
#   - bad --listen values, an unknown argument and missing pins are
#     refused (exit 2, 2, 1) with the argument named.
# Prometheus and the exporter are started here, run under `timeout`, and
# are stopped by their PIDs only.
set -u

# shellcheck source=tests/ns/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
fs_daemon_user || fs_die "cannot make the daemon's user (systemd-sysusers)"

BLOCKED4=198.51.100.20
BLOCK_N=25		# datagrams; veth's XDP ring holds 256
BLOCK_MORE=5
PAYLOAD=100		# UDP payload bytes: frame = 14 + 20 + 8 + 100
FRAME=$((14 + 20 + 8 + PAYLOAD))
EXP_PORT=19477		# exporter, in the server namespace
PROM_PORT=19090		# Prometheus, in the server namespace
LIFETIME=300		# seconds any process started here may live

DMN_PORT=19478		# the daemon's exporter, in the server namespace

EXP_PID=
PROM_PID=
DMN_PID=

# Run in the server namespace without `ip netns exec` (no /sys remount).
in_srv() { nsenter --net="/run/netns/$FS_SRV_NS" "$@"; }

# http_get URL: the body on stdout, or fail (status >= 400, no answer).
http_get()
{
	in_srv "$FS_PY" -c '
import sys, urllib.request
try:
    sys.stdout.write(urllib.request.urlopen(sys.argv[1], timeout=3).read().decode())
except Exception as e:
    sys.exit(str(e))' "$1"
}

# http_status URL: the HTTP status code (000 when nothing answered).
http_status()
{
	in_srv "$FS_PY" -c '
import sys, urllib.request, urllib.error
try:
    print(urllib.request.urlopen(sys.argv[1], timeout=3).status)
except urllib.error.HTTPError as e:
    print(e.code)
except Exception:
    print("000")' "$1"
}

# prom_query EXPR: the value of the one series EXPR selects, or
# "series=N" when it selects N != 1, or nothing when Prometheus fails.
prom_query()
{
	in_srv "$FS_PY" -c '
import json, sys, urllib.parse, urllib.request
url = "http://127.0.0.1:%s/api/v1/query?query=%s" % (
    sys.argv[1], urllib.parse.quote(sys.argv[2]))
r = json.load(urllib.request.urlopen(url, timeout=3))["data"]["result"]
print(r[0]["value"][1] if len(r) == 1 else "series=%d" % len(r))' \
		"$PROM_PORT" "$1" 2>/dev/null
}

# wait_query EXPR WANT SECONDS: poll until EXPR gives WANT; sets GOT.
wait_query()
{
	fs_wait_until "$3" query_is "$1" "$2"
}

query_is()
{
	GOT=$(prom_query "$1")
	[ "$GOT" = "$2" ]
}

# send_udp SRC N: N datagrams of PAYLOAD bytes from SRC to the server.
send_udp()
{
	timeout 10 ip netns exec "$FS_CLI_NS" "$FS_PY" -c '
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind((sys.argv[1], 0))
for _ in range(int(sys.argv[3])):
    s.sendto(b"x" * int(sys.argv[4]), (sys.argv[2], 9))' \
		"$1" "$FS_SRV4" "$2" "$PAYLOAD"
}

# Stop a process started here: TERM, at most 5 s, then KILL.
stop_pid()
{
	local pid=$1 _

	[ -n "$pid" ] || return 0
	kill "$pid" 2>/dev/null
	for _ in $(seq 50); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	kill -KILL "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	return 0
}

cleanup()
{
	stop_pid "$DMN_PID"
	DMN_PID=
	stop_pid "$PROM_PID"
	PROM_PID=
	stop_pid "$EXP_PID"
	EXP_PID=
	fs_cleanup
}

# Value of the sample LINE_PREFIX (metric{labels}) in exposition FILE.
sample()
{
	awk -v k="$1" 'index($0, k " ") == 1 { print $NF }' "$2"
}

# ---------------------------------------------------------------------

setup()
{
	local out

	fs_topo_up || fs_die "cannot build the namespaces"
	out=$(fs_cli attach "$FS_SRV_IF" 2>&1 &&
	      fs_cli block add "$BLOCKED4/32" --reason metrics-test 2>&1)
	fs_setup $? "attach and block $BLOCKED4" "$out" || return 1
	send_udp "$BLOCKED4" "$BLOCK_N" || fs_die "cannot send from $BLOCKED4"
	# the program judges them in the veth's NAPI, after sendto returns
	fs_wait_until 10 block_counted "$BLOCK_N"
	fs_result $? "the shield counted the $BLOCK_N datagrams from $BLOCKED4" \
		"block packets: $(block_packets)"
}

block_packets()
{
	fs_cli -j stats | fs_json \
		"sum(r['packets'] for r in d['reasons'] if r['reason'] == 'block')"
}

block_counted() { [ "$(block_packets)" = "$1" ]; }

check_once()
{
	local f=$FS_TMP/once.txt out rc v

	fs_cli metrics --once >"$f" 2>"$FS_TMP/once.err"
	fs_result $? "metrics --once exits 0" "$(cat "$FS_TMP/once.err")"
	out=$(promtool check metrics <"$f" 2>&1)
	rc=$?
	[ "$rc" = 0 ] && [ -z "$out" ]
	fs_result $? "promtool check metrics reports nothing" "exit $rc" "$out"
	v=$(sample 'floodshield_packets_total{action="drop",reason="block"}' "$f")
	[ "$v" = "$BLOCK_N" ]
	fs_result $? "--once: block packets = $BLOCK_N" "got '$v'"
	v=$(sample 'floodshield_bytes_total{action="drop",reason="block"}' "$f")
	[ "$v" = $((BLOCK_N * FRAME)) ]
	fs_result $? "--once: block bytes = $BLOCK_N x $FRAME" "got '$v'"
	v=$(sample "floodshield_interface_attached{interface=\"$FS_SRV_IF\",mode=\"native\"}" "$f")
	[ "$v" = 1 ]
	fs_result $? "--once: $FS_SRV_IF attached, native" \
		"$(grep interface_attached "$f")"
	v=$(sample 'floodshield_map_entries{map="block"}' "$f")
	[ "$v" = 1 ]
	fs_result $? "--once: one blocklist entry" "got '$v'"
}

start_exporter()
{
	local pid

	timeout "$LIFETIME" "$FS_BIN" -n "$FS_SRV_NS" -p "$FS_PIN" metrics \
		--listen "127.0.0.1:$EXP_PORT" --drop-caps \
		>"$FS_TMP/exporter.out" 2>"$FS_TMP/exporter.err" &
	EXP_PID=$!
	fs_wait_until 30 fs_alive_and "$EXP_PID" grep -q \
		"^serving http://127.0.0.1:$EXP_PORT/metrics" "$FS_TMP/exporter.out"
	http_get "http://127.0.0.1:$EXP_PORT/metrics" >"$FS_TMP/scrape.txt"
	fs_result $? "exporter serves /metrics" "$(cat "$FS_TMP/exporter.err")" ||
		return 1
	pid=$(ps -o pid= --ppid "$EXP_PID" | tr -d ' ')
	[ -n "$pid" ] &&
		grep -qx "CapEff:[[:space:]]*0000000000000000" "/proc/$pid/status" &&
		grep -qx "CapPrm:[[:space:]]*0000000000000000" "/proc/$pid/status" &&
		grep -qx "CapBnd:[[:space:]]*0000000000000000" "/proc/$pid/status"
	fs_result $? "exporter runs without any capability" \
		"$(grep ^Cap "/proc/$pid/status" 2>&1)"
	[ "$(http_status "http://127.0.0.1:$EXP_PORT/")" = 404 ] &&
		[ "$(http_status "http://127.0.0.1:$EXP_PORT/metric")" = 404 ]
	fs_result $? "404 outside /metrics"
}

start_prometheus()
{
	local cfg=$FS_TMP/prometheus.yml

	cat >"$cfg" <<EOF
global:
  scrape_interval: 1s
  evaluation_interval: 1s
scrape_configs:
  - job_name: floodshield
    static_configs:
      - targets: ['127.0.0.1:$EXP_PORT']
  - job_name: floodshield-daemon
    static_configs:
      - targets: ['127.0.0.1:$DMN_PORT']
EOF
	timeout "$LIFETIME" nsenter --net="/run/netns/$FS_SRV_NS" \
		/usr/bin/prometheus --config.file="$cfg" \
		--storage.tsdb.path="$FS_TMP/tsdb" \
		--web.listen-address="127.0.0.1:$PROM_PORT" \
		--log.level=warn >"$FS_TMP/prometheus.log" 2>&1 &
	PROM_PID=$!
	wait_query 'up{job="floodshield"}' 1 30
	fs_result $? "Prometheus scrapes the exporter (target up)" "up: '$GOT'" \
		"$(tail -n 5 "$FS_TMP/prometheus.log")"
}

check_prometheus()
{
	local q

	q='floodshield_packets_total{reason="block"}'
	wait_query "$q" "$BLOCK_N" 30
	fs_result $? "Prometheus: $q = $BLOCK_N" "got '$GOT'"
	q='floodshield_build_info'
	wait_query "$q" 1 30
	fs_result $? "Prometheus: $q = 1" "got '$GOT'"
	q="floodshield_interface_attached{interface=\"$FS_SRV_IF\",mode=\"native\"}"
	wait_query "$q" 1 30
	fs_result $? "Prometheus: $q = 1 (learned, then no capability)" "got '$GOT'"
	q='floodshield_scrape_errors_total'
	wait_query "$q" 0 30
	fs_result $? "Prometheus: $q = 0" "got '$GOT'"

	send_udp "$BLOCKED4" "$BLOCK_MORE"
	q='floodshield_packets_total{reason="block"}'
	wait_query "$q" $((BLOCK_N + BLOCK_MORE)) 30
	fs_result $? "Prometheus: $BLOCK_MORE more datagrams, next scrape reads $((BLOCK_N + BLOCK_MORE))" \
		"got '$GOT'"
}

check_detach()
{
	local f=$FS_TMP/after-detach.txt v

	fs_cli detach "$FS_SRV_IF" >/dev/null 2>&1
	http_get "http://127.0.0.1:$EXP_PORT/metrics" >"$f"
	v=$(sample "floodshield_interface_attached{interface=\"$FS_SRV_IF\",mode=\"none\"}" "$f")
	[ "$v" = 0 ]
	fs_result $? "after detach: $FS_SRV_IF reported 0 without capabilities" \
		"$(grep interface_attached "$f")"
}

check_errors()
{
	local out rc a

	for a in 1.2.3:80 localhost:9477 127.0.0.1:65536 '[::1]9477'; do
		out=$(fs_cli metrics --listen "$a" --once 2>&1)
		rc=$?
		[ "$rc" = 2 ] && grep -qF "'$a'" <<<"$out"
		fs_result $? "--listen $a refused (exit 2, named)" "exit $rc: $out"
	done
	out=$(fs_cli metrics --bogus 2>&1)
	rc=$?
	[ "$rc" = 2 ] && grep -qF "'--bogus'" <<<"$out"
	fs_result $? "unknown argument refused (exit 2)" "exit $rc: $out"
	out=$("$FS_BIN" -p "$FS_PIN-missing" metrics --once 2>&1)
	rc=$?
	[ "$rc" = 1 ] && grep -qF "$FS_PIN-missing/" <<<"$out"
	fs_result $? "missing pins refused (exit 1, path named)" "exit $rc: $out"
}

# The daemon serves the same metrics from its own exporter thread, with
# no capability; Prometheus scrapes it too.
check_daemon()
{
	local conf=$FS_TMP/daemon.conf q pid

	# the daemon runs as its user: it reads its config and writes its
	# state under here
	chmod 0755 "$FS_TMP"
	cat >"$conf" <<EOF
[shield]
interfaces = $FS_SRV_IF
pin_dir = $FS_PIN
state_dir = $FS_TMP/state
[dns]
verify_smtp = off
[metrics]
listen = 127.0.0.1:$DMN_PORT
EOF
	timeout "$LIFETIME" "$FS_BIN" -n "$FS_SRV_NS" run -c "$conf" \
		>"$FS_TMP/daemon.log" 2>&1 &
	DMN_PID=$!
	fs_wait_until 30 fs_alive_and "$DMN_PID" grep -q \
		"metrics on http://127.0.0.1:$DMN_PORT" "$FS_TMP/daemon.log"
	grep -qx "CapEff:[[:space:]]*0000000000000000" \
		"/proc/$(pgrep -P "$DMN_PID" | head -1)/status" 2>/dev/null
	fs_result $? "daemon serving metrics holds no capability" \
		"$(tail -n 3 "$FS_TMP/daemon.log")"
	wait_query 'up{job="floodshield-daemon"}' 1 30
	fs_result $? "Prometheus scrapes the daemon (target up)" "up: '$GOT'" \
		"$(tail -n 3 "$FS_TMP/daemon.log")"
	q='floodshield_packets_total{job="floodshield-daemon",reason="block"}'
	wait_query "$q" $((BLOCK_N + BLOCK_MORE)) 30
	fs_result $? "Prometheus via the daemon: $q = $((BLOCK_N + BLOCK_MORE))" "got '$GOT'"
	q="floodshield_interface_attached{job=\"floodshield-daemon\",interface=\"$FS_SRV_IF\",mode=\"native\"}"
	wait_query "$q" 1 30
	fs_result $? "Prometheus via the daemon: $FS_SRV_IF attached" "got '$GOT'"

	# One reload, counted by the daemon (status) and then exported.
	q='floodshield_config_reloads_total{job="floodshield-daemon",result="applied"}'
	wait_query "$q" 0 30
	fs_result $? "Prometheus via the daemon: $q = 0 after the start" "got '$GOT'"
	pid=$(fs_cli -j status | fs_json "d['daemon']['pid']")
	if [ -z "$pid" ] || [ "$pid" = 0 ]; then
		fs_die "status shows no daemon pid: $(fs_cli -j status)"
	fi
	kill -HUP "$pid"
	wait_query "$q" 1 30
	fs_result $? "Prometheus via the daemon: after a SIGHUP, $q = 1" "got '$GOT'" \
		"status: $(fs_cli -j status | fs_json "d['daemon']")"
}

main()
{
	local why t start=$SECONDS

	why=$(fs_missing_prereq)
	for t in promtool /usr/bin/prometheus nsenter; do
		[ -z "$why" ] && ! command -v "$t" >/dev/null && why="needs $t"
	done
	if [ -n "$why" ]; then
		fs_skip "30_metrics" "$why"
		exit 0
	fi
	if [ ! -x "$FS_BIN" ]; then
		fs_fail "30_metrics: $FS_BIN built" "run make first"
		exit 0
	fi
	trap cleanup EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
	if setup; then
		check_once
		check_errors
		if start_exporter && start_prometheus; then
			check_prometheus
		fi
		[ -n "$EXP_PID" ] && check_detach
		[ -n "$PROM_PID" ] && check_daemon
	fi
	cleanup
	fs_note "30_metrics: $FS_FAILS failed, $((SECONDS - start)) s"
	exit 0
}

main "$@"
