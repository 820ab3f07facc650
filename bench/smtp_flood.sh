#!/bin/bash
# SMTP flood benchmark (issue 14): the slow-bot flood of
# tests/ns/52_smtp_flood.sh (tests/ns/flood_lib.sh: four real senders,
# 200 bots dripping EHLO, 2400 forged SYNs a second in the forged phase)
# against a private Postfix with 20 smtpd processes, once per protection:
#
#   none                  Postfix alone (smtpd on port 25)
#   postscreen            Postfix's postscreen in front of smtpd (its
#                         pregreet test, greet action enforce, no DNSBL)
#   floodshield           floodshield's daemon (default rates) in front
#                         of the plain Postfix
#   floodshield_postscreen  both
#
# For each: the verified senders' and the tempfail sender's delivery
# (found in the mailbox) and latency (scheduled start to arrival in the
# mailbox), the bots' connection attempts established at the server, the
# bot sessions that reached an smtpd, smtpd process count and the CPU
# seconds of the whole Postfix process tree (from /proc) per phase.
#
#   bench/smtp_flood.sh [TSV]     results appended to TSV as "smtp" lines
#
# SMTP_SCENARIOS picks scenarios (default: all four); the phases follow
# FLOOD_BASELINE, FLOOD_ATTACK, FLOOD_FORGED, FLOOD_RECOVERY. Names carry
# this shell's PID; everything made is removed on exit.
set -u

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
export FS_ROOT=${FS_ROOT:-$(cd "$BENCH_DIR/.." && pwd)}
export FS_TAG=${FS_TAG:-m$$}
FS_PORT=25
FS_PIN=${FS_PIN:-/sys/fs/bpf/fs-bench-smtp-$$}
# shellcheck source=../tests/ns/lib.sh
. "$FS_ROOT/tests/ns/lib.sh"
# shellcheck source=../tests/ns/smtp_lib.sh
. "$FS_ROOT/tests/ns/smtp_lib.sh"
# shellcheck source=../tests/ns/flood_lib.sh
. "$FS_ROOT/tests/ns/flood_lib.sh"

TSV=${1:-}
SCENARIOS=${SMTP_SCENARIOS:-none postscreen floodshield floodshield_postscreen}
OUT=${SMTP_OUT:-$FS_ROOT/build/bench-results/smtp}

cleanup()
{
	flood_cleanup
	smtp_cleanup_servers
	fs_cleanup
}

# scenario NAME: Postfix (and the shield) for NAME, the flood, the
# report in $OUT/NAME.json.
scenario()
{
	local name=$1 mode=plain shield=0

	case $name in
	none) ;;
	postscreen) mode=postscreen ;;
	floodshield) shield=1 ;;
	floodshield_postscreen) mode=postscreen shield=1 ;;
	*) echo "smtp bench: unknown scenario $name" >&2; return 1 ;;
	esac
	SMTP_DIR=$FS_TMP/smtp-$name
	mkdir -p "$SMTP_DIR" && flood_postfix_start "$mode" || return 1
	if [ "$shield" = 1 ]; then
		rm -rf "$FS_TMP/state"
		flood_daemon_start || return 1
	fi
	flood_run "$name" "$FS_TMP/run-$name"
	FLOOD_PORT_BASE=$((FLOOD_PORT_BASE + 1000))
	cp "$FLOOD_OUT/report.json" "$OUT/$name.json"
	[ "$shield" = 1 ] && fs_cli stats >"$OUT/$name.stats.txt" 2>&1
	flood_daemon_stop
	smtp_postfix_stop
	return 0
}

# The figures of $OUT/NAME.json as one TSV line.
tsv_line()
{
	"$FS_PY" - "$OUT/$1.json" "$1" <<-'EOF'
	import json, sys
	d = json.load(open(sys.argv[1]))
	v, t, b, s = (d["classes"]["verified"], d["classes"]["tempfail"],
	              d["bots"], d["server"])
	def cpu(*ph):
	    return round(sum(s.get(p, {}).get("cpu_s", 0) for p in ph), 2)
	f = {"verified_sent": v["all"]["sent"], "verified_ok": v["all"]["delivered"],
	     "verified_p50": v["all"]["p50"], "verified_p99": v["all"]["p99"],
	     "verified_attack_p99": max(v[p]["p99"] or 0 for p in ("attack", "forged")),
	     "verified_forged_ok": v["forged"]["delivered"],
	     "verified_forged_sent": v["forged"]["sent"],
	     "tempfail_sent": t["all"]["sent"], "tempfail_ok": t["all"]["delivered"],
	     "tempfail_p99": t["all"]["p99"],
	     "bot_attempts": b["attempts_after_1s"],
	     "bot_established": b["established_after_1s"],
	     "bot_smtpd": b["smtpd_sessions"], "bot_postscreen": b["postscreen_sessions"],
	     "smtpd_mean_attack": max(s.get(p, {}).get("smtpd_mean", 0) for p in ("attack", "forged")),
	     "smtpd_max": s.get("all", {}).get("smtpd_max"),
	     "procs_max": s.get("all", {}).get("procs_max"),
	     "cpu_baseline": cpu("baseline"), "cpu_attack": cpu("attack", "forged"),
	     "cpu_recovery": cpu("recovery"),
	     "attack_s": round(sum(s.get(p, {}).get("seconds", 0) for p in ("attack", "forged")), 1)}
	print("smtp\t%s\tv0\t%s" % (sys.argv[2], "\t".join("%s=%s" % kv for kv in f.items())))
	EOF
}

# smtpd processes and Postfix CPU seconds every 5 s of each scenario.
timeline()
{
	"$FS_PY" - "$OUT" $SCENARIOS <<-'EOF'
	import json, os, sys
	rows = {}
	for n in sys.argv[2:]:
	    try:
	        rows[n] = {t[0]: t for t in json.load(open(os.path.join(sys.argv[1], n + ".json")))["timeline"]}
	    except (OSError, ValueError, KeyError):
	        pass
	print("s from the first mail: smtpd processes / Postfix CPU s so far")
	print("| s | " + " | ".join(rows) + " |")
	print("|--:|" + "--:|" * len(rows))
	for s in range(0, 60, 5):
	    print("| %d | " % s + " | ".join(
	        "%d / %.2f" % (r[s][1], r[s][3]) if s in r else "-" for r in rows.values()) + " |")
	EOF
}

main()
{
	local name why

	why=$(fs_missing_prereq)
	[ -z "$why" ] || { echo "smtp bench: $why" >&2; exit 1; }
	mkdir -p "$OUT"
	FS_TMP=$(mktemp -d /tmp/fs-bsmtp-"$FS_TAG".XXXXXX) || exit 1
	trap cleanup EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
	fs_topo_up && flood_addrs_up || { echo "smtp bench: topology" >&2; exit 1; }
	SMTP_DIR=$FS_TMP/dns
	mkdir -p "$SMTP_DIR" && smtp_resolv_conf && smtp_unbound_start &&
		smtp_swallow_start || { echo "smtp bench: unbound" >&2; exit 1; }
	for name in $SCENARIOS; do
		echo "== smtp $name" >&2
		if ! scenario "$name"; then
			echo "smtp bench: scenario $name failed" >&2
			continue
		fi
		tsv_line "$name" | tee -a "${TSV:-/dev/null}"
	done
	timeline
}

main "$@"
