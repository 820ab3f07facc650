#!/bin/bash
# Run the benchmarks (make bench, make bench-quick); see
# docs/benchmarks.md.
#
#   bench/run.sh all     per-packet table, live frames, scale, end to end,
#                        SMTP flood (bench/smtp_flood.sh)
#   bench/run.sh quick   the per-packet table only
#
# Results go to build/bench-results/: results.tsv (every figure, one per line),
# the command outputs (*.txt), results.md (the tables of
# docs/benchmarks.md) and bench-ns.png (the plot). Needs root.
# BENCH_ARGS passes options to fs_bench (e.g. "-r 3 -n 200000").
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
OUT=${BENCH_OUT:-$ROOT/build/bench-results}
BIN=$ROOT/build/fs_bench
MODE=${1:-all}
read -r -a ARGS <<<"${BENCH_ARGS:-}"
# fs_bench runs in a namespace of its own: a veth pair for live frames,
# the server's and the clients' documentation addresses for the real
# connections that the RESET cases need (bench/sock.c).
NS=${BENCH_NS:-fsb}-$$
NS_IF=fsbl$$
NS_PEER=fsbp$$

[ "$(id -u)" = 0 ] || { echo "bench: needs root" >&2; exit 1; }
case $MODE in all|quick) ;; *) echo "usage: $0 all|quick" >&2; exit 2 ;; esac
"$ROOT/bench/install-deps.sh"
mkdir -p "$OUT"
TSV=$OUT/results.tsv
: >"$TSV"
START=$(date +%s)

cleanup()
{
	[ -e "/run/netns/$NS" ] && ip netns del "$NS"
	return 0
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

machine()
{
	echo "commit: $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)$(
		git -C "$ROOT" diff --quiet HEAD -- bpf maps 2>/dev/null || echo ' (bpf/ or maps/ modified)')"
	echo "kernel: $(uname -r)"
	echo "cpu: $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) CPUs, $(lscpu | sed -n 's/^Hypervisor vendor: *//p') guest"
	echo "memory: $(free -g | awk '/^Mem:/ { print $2 }') GiB"
	echo "srso: $(cat /sys/devices/system/cpu/vulnerabilities/spec_rstack_overflow 2>/dev/null)"
	echo "spectre_v2: $(cat /sys/devices/system/cpu/vulnerabilities/spectre_v2 2>/dev/null)"
	echo "clang: $(clang --version | head -1)"
	echo "libbpf: $(dpkg-query -W -f='${Version}' libbpf1 2>/dev/null), libxdp: $(dpkg-query -W -f='${Version}' libxdp1 2>/dev/null), xdp-tools: $(dpkg-query -W -f='${Version}' xdp-tools 2>/dev/null)"
	echo "nginx: $(dpkg-query -W -f='${Version}' nginx 2>/dev/null), iptables: $(dpkg-query -W -f='${Version}' iptables 2>/dev/null)"
	echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
}

section()
{
	local t0=$(date +%s) name=$1

	shift
	echo "== $name" >&2
	"$@" | tee "$OUT/$name.txt"
	printf 'time\t%s\tv0\tseconds=%d\n' "$name" $(($(date +%s) - t0)) >>"$TSV"
}

ns_up()
{
	local i

	ip netns add "$NS"
	ip -n "$NS" link add "$NS_IF" type veth peer name "$NS_PEER"
	ip -n "$NS" link set "$NS_IF" address 02:00:00:00:00:02
	ip -n "$NS" addr add 192.0.2.1/24 dev "$NS_IF"
	ip -n "$NS" addr add 2001:db8::1/64 dev "$NS_IF" nodad
	{
		echo "addr add 192.0.2.2/32 dev lo"
		echo "addr add 2001:db8::2/128 dev lo nodad"
		for i in $(seq 128 255); do
			echo "addr add 198.51.100.$i/32 dev lo"
			printf 'addr add 2001:db8:f000::%x/128 dev lo nodad\n' "$i"
		done
	} | ip -n "$NS" -batch -
	# the live SYN cookie cases' source (bench/live.c COOKIE_PEER4/6):
	# on-link, not local, answered out of the interface
	ip -n "$NS" neigh add 192.0.2.77 lladdr 02:00:00:00:00:77 dev "$NS_IF" nud permanent
	ip -n "$NS" neigh add 2001:db8::77 lladdr 02:00:00:00:00:77 dev "$NS_IF" nud permanent
	ip -n "$NS" link set lo up
	ip -n "$NS" link set "$NS_IF" up
	ip -n "$NS" link set "$NS_PEER" up
}

in_ns()
{
	ip netns exec "$NS" "$@"
}

machine | tee "$OUT/machine.txt"
ns_up
section pkt in_ns "$BIN" "${ARGS[@]}" -o "$TSV" pkt
if [ "$MODE" = all ]; then
	section live in_ns "$BIN" "${ARGS[@]}" -o "$TSV" live "$NS_IF"
	section scale in_ns "$BIN" "${ARGS[@]}" -o "$TSV" scale
	ip netns del "$NS"
	section e2e "$ROOT/bench/e2e.sh" "$TSV"
	section smtp "$ROOT/bench/smtp_flood.sh" "$TSV"
fi
printf 'time\ttotal_%s\tv0\tseconds=%d\n' "$MODE" $(($(date +%s) - START)) >>"$TSV"
/usr/bin/python3 "$ROOT/bench/report.py" "$TSV" "$OUT/machine.txt" "$OUT"
(cd "$OUT" && gnuplot "$ROOT/bench/plot.gp")
echo "bench: $MODE done in $(($(date +%s) - START)) s; results in $OUT" \
	"(results.md, bench-ns.png)"
