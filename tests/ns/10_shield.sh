#!/bin/bash
# Namespace test of the shield against real TCP connections.
#
# A server namespace runs a small TCP server on port $FS_PORT (class tcp)
# and logs every accepted peer; the shield is attached by the CLI (-n) to
# its veth. A client namespace connects from documentation addresses:
#
#   allowed   203.0.113.30, 2001:db8::30  allowlisted, floods anyway
#   blocked   198.51.100.20, 2001:db8::20 static blocklist
#   flooder   198.51.100.10, 2001:db8::10 100 attempts in 1 s
#   ordinary  192.0.2.2, 2001:db8::2      unlisted, a few connections
#
# Limits are low (syn.tcp.src=1/5, conn.src=1/5, ban.after=5), the
# per-prefix levels are high so that they never decide; XDP SYN cookies
# are on (syn.cookies=always, tcp_syncookies=2 in the server namespace, a
# pass program on the client's veth: fs_cookies_on). Asserted, per
# attach path:
#   - the allowed source gets every connection through while flooding;
#   - the blocked source never reaches the server (server log);
#   - the flooder, whose connections are real (it completes every
#     handshake, cookie ones included), gets some through, then none: its
#     handshakes, proven by their cookie ACKs, go over conn.src and ban it
#     (`block list -j`, reason conn_rate), also after the flood (SYN
#     counts alone ban nobody);
#   - the allowed and ordinary sources still connect after the flood;
#   - stats moved for allow, block, syn_cookie, syn_proven and ban;
#   - after `detach` the blocked source reaches the server (shield off),
#     after `attach` again bans, lists, settings and ports are still there
#     and enforced.
# The scenario runs twice: default libxdp path (its dispatcher if the
# kernel takes it, else the program alone, reported not failed) and with
# LIBXDP_SKIP_DISPATCHER=1. The first pass also checks the CLI's error
# paths (bad CIDR, /33, /129, unknown interface, missing pins): non-zero
# exit, one line naming the argument, allowlist unchanged.
set -u

# shellcheck source=tests/ns/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

ALLOWED4=203.0.113.30	ALLOWED6=2001:db8::30
BLOCKED4=198.51.100.20	BLOCKED6=2001:db8::20
FLOOD4=198.51.100.10	FLOOD6=2001:db8::10
ORDINARY4=$FS_CLI4	ORDINARY6=$FS_CLI6

FLOOD_N=100		# attempts per flood
FLOOD_SPREAD=1		# seconds
FLOOD_WAIT=1.5		# seconds for the last handshakes
# syn.tcp.src and conn.src: 1/s; the ban (ban.after=5 proven connections
# over conn.src) comes within the first ~11 proofs unless the client
# needs over a second per connection; then the bucket, refilled only
# after 5 s idle, cannot forget them.
SYN_RATE=1 SYN_BURST=5

PIN_BASE=$FS_PIN
P=			# label of the current pass, prefixes every result

# ---------------------------------------------------------------------

# Packets counted for REASON in `stats -j`.
stat_packets()
{
	fs_cli -j stats | fs_json \
		"sum(r['packets'] for r in d['reasons'] if r['reason'] == '$1')"
}

# Print "REASON=N" for the reasons the test looks at.
# Reasons the scenario must move.
STAT_REASONS="allow block ban syn_cookie syn_proven"

stats_snapshot()
{
	local r

	for r in $STAT_REASONS; do
		echo "$r=$(stat_packets "$r")"
	done
}

# Field FIELD of our interface in `status -j`; empty if not listed.
iface_field()
{
	fs_cli -j status | fs_json \
		"next((i['$1'] for i in d['interfaces'] if i['name'] == '$FS_SRV_IF'), '')"
}

# Entries of `block list -j` (or allow) for CIDR, as "kind/reason".
list_entry()
{
	local list=$1 cidr=$2

	fs_cli -j "$list" list | fs_json \
		"' '.join('%s/%s' % (e['kind'], e.get('reason', e.get('note'))) for e in d if e['cidr'] == '$cidr')"
}

# attempt SRC N SPREAD [WAIT]: N connection attempts from SRC within
# SPREAD s. Sets OK (handshakes the client completed) and ACC (new
# entries for SRC in the server's log, once the server has logged as
# many as completed, or after 10 s), and notes both.
attempt()
{
	local src=$1 n=$2 spread=$3 wait=${4:-$FLOOD_WAIT} before

	before=$(fs_accepted "$src")
	OK=$(fs_flood "$src" "$n" "$spread" "$wait")
	fs_server_wait "$src" $((before + OK))
	ACC=$(( $(fs_accepted "$src") - before ))
	fs_note "$P: $src: $n attempts, $OK completed, $ACC accepted by the server"
}

# listed_as LIST CIDR ENTRY: whether list_entry gives ENTRY.
listed_as() { [ "$(list_entry "$1" "$2")" = "$3" ]; }

# ---------------------------------------------------------------------

# attach_shield SKIP: attach (SKIP=1: LIBXDP_SKIP_DISPATCHER=1) and
# report which path libxdp took.
attach_shield()
{
	local skip=$1 out rc disp mode why

	if [ "$skip" = 1 ]; then
		out=$(LIBXDP_SKIP_DISPATCHER=1 fs_cli -v attach "$FS_SRV_IF" 2>&1)
	else
		out=$(env -u LIBXDP_SKIP_DISPATCHER "$FS_BIN" -v -v -n "$FS_SRV_NS" \
			-p "$FS_PIN" attach "$FS_SRV_IF" 2>&1)
	fi
	rc=$?
	if [ "$rc" != 0 ]; then
		# -v -v output holds the whole verifier log: keep our own lines.
		fs_fail "$P: attach" "exit $rc" \
			"$(grep '^floodshield: ' <<<"$out" | grep -v ': libbpf: ' | tail -n 6)"
		return 1
	fi
	fs_note "setup: $P: attach"
	disp=$(iface_field dispatcher)
	mode=$(iface_field mode)
	[ -n "$disp" ] && [ -n "$mode" ]
	fs_result $? "$P: status lists $FS_SRV_IF" "status: $(fs_cli -j status)"
	if [ "$disp" = 1 ]; then
		fs_note "$P: path used: libxdp dispatcher, mode $mode"
	else
		why=$(sed -n 's/.*dispatcher program failed: //p' <<<"$out" | head -n1)
		fs_note "$P: path used: program alone (no dispatcher), mode $mode"
		[ "$skip" = 0 ] && [ -n "$why" ] &&
			fs_note "$P: the kernel refused libxdp's dispatcher ($why); libxdp fell back to the program alone"
	fi
	if [ "$skip" = 1 ]; then
		[ "$disp" = 0 ]
		fs_result $? "$P: LIBXDP_SKIP_DISPATCHER=1 attaches the program alone"
	fi
	return 0
}

configure()
{
	local out

	out=$(fs_cookies_on 2>&1 &&
	      fs_cli ports set "$FS_PORT" tcp 2>&1 &&
	      fs_cli set syn.tcp.src=$SYN_RATE/$SYN_BURST syn.tcp.prefix=1000/1000 \
			conn.src=$SYN_RATE/$SYN_BURST conn.prefix=1000/1000 \
			syn.cookies=always ban.after=5 ban.ttl=600s 2>&1 &&
	      fs_cli allow add "$ALLOWED4/32" --note test-allowed 2>&1 &&
	      fs_cli allow add "$ALLOWED6/128" --note test-allowed 2>&1 &&
	      fs_cli block add "$BLOCKED4/32" --reason test-blocked 2>&1 &&
	      fs_cli block add "$BLOCKED6/128" --reason test-blocked 2>&1)
	fs_result $? "$P: configure ports, limits and lists" "$out"
}

# ---------------------------------------------------------------------

check_allowed_flood()
{
	local a

	for a in "$ALLOWED4" "$ALLOWED6"; do
		attempt "$a" "$FLOOD_N" "$FLOOD_SPREAD"
		[ "$OK" = "$FLOOD_N" ] && [ "$ACC" = "$FLOOD_N" ]
		fs_result $? "$P: allowed $a connects while flooding"
	done
}

check_blocked()
{
	local a=$1

	attempt "$a" 3 0.2 1.2
	[ "$OK" = 0 ] && [ "$ACC" = 0 ] && [ "$(fs_accepted "$a")" = 0 ]
	fs_result $? "$P: blocked $a never reaches the server"
}

check_flood()
{
	local a=$1 plen=$2 entry

	attempt "$a" "$FLOOD_N" "$FLOOD_SPREAD"
	[ "$ACC" -ge 1 ] && [ "$ACC" -lt "$FLOOD_N" ] && [ "$OK" = "$ACC" ]
	fs_result $? "$P: flooder $a gets some through, then is dropped" \
		"expected 1..$((FLOOD_N - 1)) accepted, as many completed"
	# the program bans as it judges the ACKs; wait for them to be judged
	fs_wait_until 10 listed_as block "$a/$plen" ban/conn_rate
	entry=$(list_entry block "$a/$plen")
	[ "$entry" = ban/conn_rate ]
	fs_result $? "$P: flooder $a is banned in 'block list'" \
		"block list: $(fs_cli -j block list)"
	attempt "$a" 1 0 1.2
	[ "$ACC" = 0 ]
	fs_result $? "$P: banned $a stays dropped after the flood"
}

check_legit_after_flood()
{
	local a

	for a in "$ALLOWED4" "$ALLOWED6"; do
		attempt "$a" 1 0
		[ "$ACC" = 1 ]
		fs_result $? "$P: allowed $a connects after the flood"
	done
	for a in "$ORDINARY4" "$ORDINARY6"; do
		attempt "$a" 3 1
		[ "$ACC" = 3 ]
		fs_result $? "$P: ordinary $a connects at a low rate"
	done
}

# check_stats_moved BEFORE: BEFORE is a stats_snapshot.
check_stats_moved()
{
	local before=$1 r old new

	for r in $STAT_REASONS; do
		old=$(sed -n "s/^$r=//p" <<<"$before")
		new=$(stat_packets "$r")
		[ -n "$new" ] && [ -n "$old" ] && [ "$new" -gt "$old" ]
		fs_result $? "$P: stats: $r packets counted" \
			"$r: before ${old:-?}, after ${new:-?}"
	done
}

# check_stats_text: the text form shows the summary line, only rows
# that are not zero (allow counted, http_fragment never here), every row
# with --all, in columns as wide as the longest name shown.
check_stats_text()
{
	local out all allow_pkts

	out=$(fs_cli stats)
	all=$(fs_cli stats --all)
	allow_pkts=$(stat_packets allow)
	grep -qE '^passed [0-9]+, dropped [0-9]+, reset [0-9]+(, answered \(SYN cookies\) [0-9]+)?, bans active [0-9]+$' <<<"$out"
	fs_result $? "$P: stats: the summary line comes first" "$(head -n 1 <<<"$out")"
	grep -qE "^allow +pass +$allow_pkts " <<<"$out" &&
		! grep -q '^http_fragment ' <<<"$out"
	fs_result $? "$P: stats: non-zero rows only by default" "$out"
	grep -q '^http_fragment ' <<<"$all" &&
		[ "$(grep -cE '^[a-z0-9_]+ +(pass|drop|reset|tx) ' <<<"$all")" = \
		  "$(fs_cli -j stats | fs_json "len(d['reasons'])")" ]
	fs_result $? "$P: stats --all: every reason" "$all"
	[ "$(awk 'NR > 2 && / (pass|drop|reset|tx) / { print index($0, " " $2 " ") }' <<<"$out" | sort -u | wc -l)" = 1 ]
	fs_result $? "$P: stats: the action column is aligned" "$out"
	fs_cli stats --bogus >/dev/null 2>&1
	[ $? = 2 ]
	fs_result $? "$P: stats: an unknown option is refused (exit 2)"
}

# ---------------------------------------------------------------------
# Error paths of the CLI.

# expect_error NAME WORD CMD...: CMD exits non-zero with exactly one
# line of output, which contains WORD.
expect_error()
{
	local name=$1 word=$2 out rc lines

	shift 2
	out=$("$@" 2>&1)
	rc=$?
	lines=$(printf '%s\n' "$out" | grep -c .)
	fs_note "$P: $name: exit $rc: $out"
	[ "$rc" != 0 ] && [ "$lines" = 1 ] && [[ $out == *"$word"* ]]
	fs_result $? "$P: error: $name" \
		"expected a non-zero exit and one line naming '$word'" \
		"command: $*" "exit $rc, output:" "$out"
}

check_errors()
{
	local before after empty=/sys/fs/bpf/fs-empty-$FS_TAG
	local bad_if=fs-none$FS_TAG

	before=$(fs_cli allow list 2>&1)
	expect_error "malformed IPv4 CIDR" 198.51.100.300/32 \
		fs_cli allow add 198.51.100.300/32
	expect_error "CIDR that is no address" not-a-cidr \
		fs_cli allow add not-a-cidr
	expect_error "IPv4 prefix /33" 192.0.2.0/33 \
		fs_cli allow add 192.0.2.0/33
	expect_error "IPv4 prefix /33 (block)" 192.0.2.0/33 \
		fs_cli block add 192.0.2.0/33
	expect_error "IPv6 prefix /129" 2001:db8::/129 \
		fs_cli allow add 2001:db8::/129
	expect_error "unknown interface" "$bad_if" \
		fs_cli attach "$bad_if"
	mkdir -p "$empty"
	expect_error "missing pins (list)" "$empty" \
		"$FS_BIN" -n "$FS_SRV_NS" -p "$empty" allow list
	expect_error "missing pins (add)" "$empty" \
		"$FS_BIN" -n "$FS_SRV_NS" -p "$empty" allow add 192.0.2.9/32
	[ -z "$(ls -A "$empty")" ]
	fs_result $? "$P: error: missing pins: nothing created" "$(ls -A "$empty")"
	rm -rf "$empty"
	after=$(fs_cli allow list 2>&1)
	[ "$before" = "$after" ]
	fs_result $? "$P: error: allow list unchanged" \
		"before:" "$before" "after:" "$after"
}

# ---------------------------------------------------------------------

check_detach()
{
	local out

	out=$(fs_cli detach "$FS_SRV_IF" 2>&1)
	fs_setup $? "$P: detach" "$out"
	[ -z "$(iface_field name)" ]
	fs_result $? "$P: status after detach lists no interface" \
		"status: $(fs_cli -j status)"
	attempt "$BLOCKED4" 1 0
	[ "$ACC" = 1 ]
	fs_result $? "$P: detached: blocked $BLOCKED4 reaches the server"
	attempt "$FLOOD4" 1 0
	[ "$ACC" = 1 ]
	fs_result $? "$P: detached: banned $FLOOD4 reaches the server"
}

check_reattach()
{
	local skip=$1 v

	attach_shield "$skip" || return
	[ "$(list_entry block "$FLOOD4/32")" = ban/conn_rate ]
	fs_result $? "$P: re-attach: ban of $FLOOD4 kept"
	[ "$(list_entry block "$FLOOD6/128")" = ban/conn_rate ]
	fs_result $? "$P: re-attach: ban of $FLOOD6 kept"
	[ "$(list_entry block "$BLOCKED4/32")" = cli/test-blocked ]
	fs_result $? "$P: re-attach: static block kept" \
		"block list: $(fs_cli -j block list)"
	[ "$(list_entry allow "$ALLOWED4/32")" = cli/test-allowed ]
	fs_result $? "$P: re-attach: allowlist kept" \
		"allow list: $(fs_cli -j allow list)"
	v=$(fs_cli show)
	grep -qx "syn.tcp.src=$SYN_RATE/$SYN_BURST" <<<"$v" && grep -qx "ban.after=5" <<<"$v"
	fs_result $? "$P: re-attach: settings kept" "$v"
	v=$(fs_cli ports list)
	grep -Eq "^$FS_PORT +tcp\$" <<<"$v"
	fs_result $? "$P: re-attach: port class kept" "$v"
	attempt "$BLOCKED4" 2 0.2 1.2
	[ "$ACC" = 0 ]
	fs_result $? "$P: re-attach: blocked $BLOCKED4 dropped again"
	attempt "$FLOOD4" 2 0.2 1.2
	[ "$ACC" = 0 ]
	fs_result $? "$P: re-attach: banned $FLOOD4 dropped again"
	attempt "$ALLOWED4" 1 0
	[ "$ACC" = 1 ]
	fs_result $? "$P: re-attach: allowed $ALLOWED4 connects"
}

# le_hex N BYTES: N as BYTES little-endian hex bytes, for bpftool.
le_hex()
{
	local n=$1 b

	for ((b = 0; b < $2; b++)); do
		printf '%02x ' $(( (n >> (8 * b)) & 255 ))
	done
}

# The value planted in every field of slot I of an old counter map.
OLD_BASE=1000000
planted() { echo $(( ($1 + 1) * OLD_BASE )); }

# old_counters NAME SLOTS WORDS: NAME pinned as the builds before the
# fixed counter slots made it (a per-CPU array of SLOTS values of WORDS
# u64), every field of slot I holding planted(I) on every CPU.
old_counters()
{
	local path=$FS_PIN/$1 slots=$2 words=$3 i w val out

	out=$(rm -f "$path" && bpftool map create "$path" type percpu_array key 4 \
		value $((words * 8)) entries "$slots" name "$1" 2>&1) ||
		fs_die "$P: cannot lay out an old $1: $out"
	for ((i = 0; i < slots; i++)); do
		val=
		for ((w = 0; w < words; w++)); do
			val+=$(le_hex "$(planted "$i")" 8)
		done
		# shellcheck disable=SC2046,SC2086 # bytes as separate words
		out=$(bpftool map update pinned "$path" key hex $(le_hex "$i" 4) value hex $val 2>&1) ||
			fs_die "$P: cannot fill the old $1: $out"
	done
}

# fs_cfg.http_flags (byte 40 of struct fs_cfg) of the pinned settings.
cfg_http_flags()
{
	bpftool -j map lookup pinned "$FS_PIN/fs_cfg" key 0 0 0 0 2>/dev/null |
		fs_json "d['formatted']['value']['http_flags']"
}

# The served-host bits (0, 3, 4: FS_HTTP_RETIRED) that an older build
# kept in fs_cfg.http_flags, set in the pinned settings.
old_cfg_host_bits()
{
	local val out

	val=$(bpftool -j map lookup pinned "$FS_PIN/fs_cfg" key 0 0 0 0 2>/dev/null |
		fs_json "' '.join(('%02x' % (int(b, 16) | 0x19)) if i == 40 else b[2:]
				   for i, b in enumerate(d['value']))")
	# shellcheck disable=SC2086 # bytes as separate words
	out=$(bpftool map update pinned "$FS_PIN/fs_cfg" key 0 0 0 0 value hex $val 2>&1) &&
		[ $(($(cfg_http_flags) & 0x19)) = $((0x19)) ] ||
		fs_die "$P: cannot set the old host bits in fs_cfg: $out"
}

# Pins as an older build left them: the rate and flow maps as LRU
# hashes (their layout before they became tables), no prefilter, no
# host prints, no daemon state, the counters with one slot per reason
# (32) and event (10), before they had a fixed 64, and the served-host
# bits in fs_cfg. The next attach must replace the first two, create the
# others, grow the counters keeping every value at its index, rebuild
# the prefilter from the lists before going live, and once live clear
# the old bits in fs_cfg. Until then the list commands work
# and `status` says the daemon state is missing.
simulate_upgrade()
{
	local out

	out=$(rm -f "$FS_PIN/fs_rate" "$FS_PIN/fs_flows" "$FS_PIN/fs_filter" \
		    "$FS_PIN/fs_hostfp" "$FS_PIN/fs_daemon" 2>&1 &&
	      bpftool map create "$FS_PIN/fs_rate" type lru_hash key 24 value 16 \
		      entries 1024 name fs_rate 2>&1 &&
	      bpftool map create "$FS_PIN/fs_flows" type lru_hash key 20 value 16 \
		      entries 1024 name fs_flows 2>&1) ||
		fs_die "$P: cannot lay out pins of an older build: $out"
	old_counters fs_stats 32 4
	old_counters fs_events 10 1
	old_cfg_host_bits
	out=$(fs_cli -j status 2>&1)
	[ "$(fs_json "d['daemon'] is None" <<<"$out")" = 1 ] &&
		fs_cli block list >/dev/null
	fs_result $? "$P: pins without fs_daemon: status says so, lists still work" "$out"
}

# Whether every old slot of the counters kept its planted value: the
# sum over the CPUs is NCPU times it, plus what this pass counted since
# (less than OLD_BASE), so a value at another index is caught.
check_counters_kept()
{
	local ncpu=$1 out

	out=$(fs_cli -j stats) || return 1
	fs_json "(all(0 <= r[f] - $ncpu * $OLD_BASE * (i + 1) < $OLD_BASE
		      for i, r in enumerate(d['reasons'][:32])
		      for f in ('packets', 'bytes', 'observed_packets', 'observed_bytes'))
		  and all(0 <= v - $ncpu * $OLD_BASE * (i + 1) < $OLD_BASE
			  for i, v in enumerate(list(d['events'].values())[:10]))
		  and len(d['reasons']) >= 32 and len(d['events']) >= 10)" <<<"$out"
}

check_upgraded()
{
	local t ncpu

	t=$(bpftool map show pinned "$FS_PIN/fs_rate" 2>&1)
	grep -q ": array " <<<"$t"
	fs_result $? "$P: upgrade: fs_rate of the old layout replaced by the table" "$t"
	[ -e "$FS_PIN/fs_filter" ] && [ -e "$FS_PIN/fs_hostfp" ] &&
		[ "$(fs_cli -j status | fs_json "d['daemon']['pid'] == 0 and d['daemon']['generation'] == 0")" = 1 ]
	fs_result $? "$P: upgrade: fs_filter, fs_hostfp and fs_daemon created" \
		"status: $(fs_cli -j status)"
	t=$(cfg_http_flags)
	[ -n "$t" ] && [ $((t & 0x19)) = 0 ]
	fs_result $? "$P: upgrade: the old served-host bits cleared in fs_cfg" "http_flags $t"
	t=$(bpftool map show pinned "$FS_PIN/fs_stats"; bpftool map show pinned "$FS_PIN/fs_events")
	[ "$(grep -c "max_entries 64 " <<<"$t")" = 2 ]
	fs_result $? "$P: upgrade: fs_stats and fs_events grown to 64 slots" "$t"
	ncpu=$("$FS_PY" -c 'import sys
n = 0
for part in open("/sys/devices/system/cpu/possible").read().strip().split(","):
    a, _, b = part.partition("-")
    n += int(b or a) - int(a) + 1
print(n)')
	[ "$(check_counters_kept "$ncpu")" = 1 ]
	fs_result $? "$P: upgrade: every old counter kept at its index, on every CPU" \
		"stats: $(fs_cli -j stats)"
}

# ---------------------------------------------------------------------

# run_pass LABEL SKIP_DISPATCHER [errors]
run_pass()
{
	local skip=$2 with_errors=${3:-} before

	P=$1
	FS_PIN=$PIN_BASE-$P
	if ! fs_topo_up || ! fs_server_start; then
		fs_fail "$P: namespaces, veth and server set up"
		fs_cleanup
		return
	fi
	attempt "$ORDINARY4" 1 0
	[ "$ACC" = 1 ]
	fs_result $? "$P: server reachable before the shield"
	if attach_shield "$skip"; then
		configure
		before=$(stats_snapshot)
		check_allowed_flood
		check_blocked "$BLOCKED4"
		check_blocked "$BLOCKED6"
		check_flood "$FLOOD4" 32
		check_flood "$FLOOD6" 128
		check_legit_after_flood
		check_stats_moved "$before"
		check_stats_text
		[ -n "$with_errors" ] && check_errors
		check_detach
		[ -n "$with_errors" ] && simulate_upgrade
		check_reattach "$skip"
		[ -n "$with_errors" ] && check_upgraded
	fi
	fs_cleanup
}

main()
{
	local why start

	why=$(fs_missing_prereq)
	if [ -n "$why" ]; then
		fs_skip "10_shield" "$why"
		exit 0
	fi
	if [ ! -x "$FS_BIN" ]; then
		fs_fail "10_shield: $FS_BIN built" "run make first"
		exit 0
	fi
	fs_trap_cleanup
	start=$SECONDS
	run_pass libxdp 0 errors
	run_pass no-dispatcher 1
	fs_note "10_shield: $FS_FAILS failed, $((SECONDS - start)) s"
	exit 0
}

main "$@"
