#!/bin/bash
# Run the libFuzzer targets (build/fuzz/fuzz_*) over their committed seed
# corpus (tests/fuzz/TARGET/corpus) for FUZZ_TIME seconds each, then the
# XDP frame fuzzer (build/fuzz/xdp_frames) for FUZZ_FRAMES frames.
#   scripts/fuzz.sh            FUZZ_TIME=60, FUZZ_FRAMES=10000000 (make fuzz)
#   scripts/fuzz.sh --quick    3 s each, 100000 frames (make test)
#   FUZZ_TARGETS="dns ring"    only these targets
# New inputs go to a scratch folder, never into the committed corpus; a
# crash is kept as build/fuzz/crash-TARGET-* (add it to the corpus once
# fixed). Prints one "fuzz TARGET: ok|FAILED ..." line each; exits 1 if
# any failed. Needs root (the ledger, ring and HTTP targets and the
# frames load the BPF object).
set -u
cd "$(dirname "$0")/.."

if [ "${1:-}" = --quick ]; then
	FUZZ_TIME=${FUZZ_QUICK_TIME:-3}
	FUZZ_FRAMES=${FUZZ_QUICK_FRAMES:-100000}
fi
FUZZ_TIME=${FUZZ_TIME:-60}
FUZZ_FRAMES=${FUZZ_FRAMES:-10000000}
FUZZ_TARGETS=${FUZZ_TARGETS:-config ledger hosts dns ring http}
B=build/fuzz
fails=0
scratch=$(mktemp -d /tmp/fs-fuzz.XXXXXX)
trap 'rm -rf "$scratch"' EXIT

for t in $FUZZ_TARGETS; do
	mkdir -p "$scratch/$t"
	log=$scratch/$t.log
	# -close_fd_mask=3: the targets' own output (log lines) is not
	# libFuzzer's; -rss_limit_mb: the BPF maps count against it
	if "$B/fuzz_$t" "$scratch/$t" "tests/fuzz/$t/corpus" \
		-max_total_time="$FUZZ_TIME" -timeout=30 -rss_limit_mb=4096 \
		-close_fd_mask=3 -artifact_prefix="$B/crash-$t-" \
		>"$log" 2>&1; then
		echo "fuzz $t: ok ($(grep -o 'Done [0-9]* runs' "$log" |
			awk '{print $2}') runs in ${FUZZ_TIME} s, $(grep -o 'cov: [0-9]*' "$log" |
			tail -n 1))"
	else
		fails=$((fails + 1))
		echo "fuzz $t: FAILED"
		grep -E 'ERROR|SUMMARY|runtime error|Test unit written|==[0-9]+==' "$log" |
			head -n 12 | sed 's/^/    /'
	fi
done

if [ -z "${FUZZ_SKIP_FRAMES:-}" ]; then
	if "$B/xdp_frames" --count "$FUZZ_FRAMES" >"$scratch/frames.log" 2>&1; then
		echo "fuzz xdp_frames: ok ($(tail -n 1 "$scratch/frames.log"))"
	else
		fails=$((fails + 1))
		echo "fuzz xdp_frames: FAILED"
		tail -n 15 "$scratch/frames.log" | sed 's/^/    /'
	fi
fi
[ "$fails" = 0 ]
