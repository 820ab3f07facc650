#!/bin/bash
# The daemon under signals and the pin lock: SIGHUP, SIGTERM and SIGKILL
# at every point of a reload, while a CLI command holds (or waits for)
# the pin folder's lock; one daemon per pin folder; one ledger per pin
# folder in a shared state_dir; a ledger write killed half-way.
#
# No interface and no namespace: the daemon runs with `interfaces =`
# (empty) on pin folders of its own. The points are made deterministic
# by FS_TEST_PAUSE=NAME (loader/util.h fs_test_point()): the daemon stops
# itself (SIGSTOP) there; the test sees it stopped, sends its signals,
# and lets it go on (SIGCONT). Nothing waits on a sleep.
set -u
. "$(dirname "$0")/lib.sh"
fs_daemon_user || fs_die "cannot make the daemon's user (systemd-sysusers)"

PIDS=
sig_cleanup()
{
	local p

	exec 9<&- 2>/dev/null
	for p in $PIDS; do
		kill -KILL "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	rm -rf "$FS_PIN" "$FS_PIN-b"
	[ -n "$FS_TMP" ] && rm -rf "$FS_TMP"
}
trap sig_cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

FS_TMP=$(mktemp -d /tmp/fs-signals.XXXXXX)
# the daemon runs as its user: it reads its config and writes its
# state under here
chmod 0755 "$FS_TMP"
STATE=$FS_TMP/state
LOG=$FS_TMP/daemon.log

cli() { "$FS_BIN" -p "$1" "${@:2}"; }

# write_conf PIN CIDR: a config on pin folder PIN whose one block entry
# is CIDR (it changes between reloads).
write_conf()
{
	cat >"$FS_TMP/c.tmp" <<CONF
[shield]
interfaces =
pin_dir = $1
state_dir = $STATE
[block]
cidr = $2 rotating
[metrics]
listen = off
CONF
	mv "$FS_TMP/c.tmp" "$FS_TMP/$(basename "$1").conf"
}
conf_of() { echo "$FS_TMP/$(basename "$1").conf"; }

daemon_field() { cli "$1" -j status 2>/dev/null | fs_json "d['daemon']['$2'] if d['daemon'] else ''" 2>/dev/null; }
is_up() { kill -0 "$2" 2>/dev/null || return "$FS_GIVE_UP"; [ "$(daemon_field "$1" pid)" = "$2" ]; }
gen_ge() { [ "$(daemon_field "$1" generation)" -ge "$2" ] 2>/dev/null; }
# Stopped (SIGSTOP) at a test point: state T in /proc.
is_paused() { [ "$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null)" = T ]; }
blocks() { cli "$1" -j block list | fs_json "' '.join(sorted(e['cidr'] for e in d if e['kind'] == '$2'))"; }

# start PIN [PAUSE]: start a daemon on PIN (paused at test point PAUSE
# when given); its pid in $DPID.
start()
{
	FS_TEST_PAUSE=${2:-} "$FS_BIN" run -c "$(conf_of "$1")" >>"$LOG" 2>&1 &
	DPID=$!
	PIDS="$PIDS $DPID"
	fs_wait_until 30 is_up "$1" "$DPID"
}

# The CLI's lock on the pin folder, held by this shell on fd 9.
cli_lock() { exec 9<"$FS_PIN" && flock -x 9; }
cli_unlock() { exec 9<&-; }

# one_case POINT SIGNAL: a reload paused at POINT, SIGNAL sent there.
# Before the lock (reload, reload:lock) the CLI holds the lock all along;
# after it (reload:locked, reload:synced) a CLI command waits for it.
one_case()
{
	local point=$1 sig=$2 name="$2 at $1" waiter= rc ledger
	local before_lock=0

	case $point in reload | reload:lock) before_lock=1 ;; esac
	rm -rf "$FS_PIN" "$STATE"
	write_conf "$FS_PIN" 192.0.2.200/32
	start "$FS_PIN" "$point" || { fs_fail "$name: daemon starts" "$(tail -3 "$LOG")"; return; }
	cli "$FS_PIN" block add 203.0.113.77 --ttl 1h >/dev/null ||
		fs_die "cannot add a CLI block entry"
	[ "$before_lock" = 1 ] && cli_lock
	write_conf "$FS_PIN" 192.0.2.201/32
	kill -HUP "$DPID"
	fs_wait_until 10 is_paused "$DPID" || { fs_fail "$name: paused at $point" "$(tail -3 "$LOG")"; cli_unlock; return; }
	if [ "$before_lock" = 0 ]; then
		flock -x "$FS_PIN" -c true &
		waiter=$!
	fi
	kill -"$sig" "$DPID"
	[ "$sig" = KILL ] || kill -CONT "$DPID"
	case $sig in
	TERM)
		if [ "$before_lock" = 1 ]; then
			# stops while the CLI still holds the lock, changing nothing
			fs_wait_until 10 eval "! kill -0 $DPID 2>/dev/null"
			wait "$DPID"
			rc=$?
			[ "$rc" = 0 ] && [ "$(blocks "$FS_PIN" config)" = 192.0.2.200/32 ]
			fs_result $? "$name: clean stop while the CLI holds the lock, nothing synced" \
				"rc=$rc" "config blocks: $(blocks "$FS_PIN" config)" "$(tail -3 "$LOG")"
			cli_unlock
		else
			wait "$DPID"
			rc=$?
			[ "$rc" = 0 ] && [ "$(blocks "$FS_PIN" config)" = 192.0.2.201/32 ]
			fs_result $? "$name: the reload completes under the lock, then a clean stop" \
				"rc=$rc" "config blocks: $(blocks "$FS_PIN" config)"
		fi
		ledger=$(fs_ledger_of "$FS_PIN" "$STATE")
		grep -q '^block 203.0.113.77/32 cli' "$ledger" 2>/dev/null
		fs_result $? "$name: the last ledger save ran" "$(cat "$ledger" 2>&1)"
		;;
	HUP)
		[ "$before_lock" = 1 ] && cli_unlock
		fs_wait_until 10 gen_ge "$FS_PIN" 2 &&
			[ "$(daemon_field "$FS_PIN" applied)" = "$(daemon_field "$FS_PIN" generation)" ] &&
			[ "$(blocks "$FS_PIN" config)" = 192.0.2.201/32 ]
		fs_result $? "$name: the reload and the one the SIGHUP asked for are applied" \
			"generation $(daemon_field "$FS_PIN" generation), applied $(daemon_field "$FS_PIN" applied)" \
			"config blocks: $(blocks "$FS_PIN" config)"
		kill -TERM "$DPID"
		wait "$DPID"
		rc=$?
		[ "$rc" = 0 ]
		fs_result $? "$name: clean stop after" "rc=$rc"
		;;
	KILL)
		wait "$DPID"
		rc=$?
		cli_unlock
		[ "$rc" = 137 ]
		fs_result $? "$name: killed, no other crash" "rc=$rc"
		start "$FS_PIN" && [ "$(blocks "$FS_PIN" config)" = 192.0.2.201/32 ] &&
			[ "$(blocks "$FS_PIN" cli)" = 203.0.113.77/32 ]
		fs_result $? "$name: a new daemon takes the pins over and applies the file" \
			"config blocks: $(blocks "$FS_PIN" config), cli: $(blocks "$FS_PIN" cli)" "$(tail -3 "$LOG")"
		kill -TERM "$DPID"
		wait "$DPID"
		;;
	esac
	[ -n "$waiter" ] && wait "$waiter"
	! grep -q 'AddressSanitizer\|Segmentation\|runtime error' "$LOG"
	fs_result $? "$name: no memory error logged"
}

[ "$(id -u)" = 0 ] || fs_die "needs root"
mountpoint -q /sys/fs/bpf || mount -t bpf bpf /sys/fs/bpf || fs_die "bpffs"

for point in reload reload:lock reload:locked reload:synced; do
	for sig in HUP TERM KILL; do
		one_case "$point" "$sig"
	done
done

# A reload after an earlier one (the review's use-after-free: the first
# reload freed the configuration the path pointed into), SIGTERM while
# the second waits for the lock.
rm -rf "$FS_PIN" "$STATE"
write_conf "$FS_PIN" 192.0.2.200/32
start "$FS_PIN" reload:lock@2 || fs_die "daemon start"
kill -HUP "$DPID"
fs_wait_until 10 gen_ge "$FS_PIN" 1 || fs_die "first reload"
cli_lock
kill -HUP "$DPID"
fs_wait_until 10 is_paused "$DPID" || fs_die "second reload did not pause"
kill -TERM "$DPID"
kill -CONT "$DPID"
wait "$DPID"
rc=$?
cli_unlock
[ "$rc" = 0 ]
fs_result $? "SIGTERM in the second reload's lock wait: clean stop" "rc=$rc" "$(tail -3 "$LOG")"

# --- one daemon per pin folder -------------------------------------------
rm -rf "$FS_PIN" "$STATE"
write_conf "$FS_PIN" 192.0.2.200/32
start "$FS_PIN" || fs_die "daemon start"
first=$DPID
out=$("$FS_BIN" run -c "$(conf_of "$FS_PIN")" 2>&1)
rc=$?
[ "$rc" != 0 ] && [[ $out == *"another floodshield daemon runs on $FS_PIN"* ]] &&
	[ "$(daemon_field "$FS_PIN" pid)" = "$first" ]
fs_result $? "a second daemon on the same pin folder is refused, the first runs on" "rc=$rc: $out"

# --- one ledger per pin folder ---------------------------------------------
write_conf "$FS_PIN-b" 192.0.2.202/32
start "$FS_PIN-b" || fs_die "second instance"
second=$DPID
cli "$FS_PIN" block add 203.0.113.66 --ttl 1h >/dev/null &&
	cli "$FS_PIN-b" block add 203.0.113.77 --ttl 1h >/dev/null ||
	fs_die "block add"
kill -TERM "$first" "$second"
wait "$first" "$second"
la=$(fs_ledger_of "$FS_PIN" "$STATE")
lb=$(fs_ledger_of "$FS_PIN-b" "$STATE")
grep -q '^block 203.0.113.66/32' "$la" && ! grep -q 203.0.113.77 "$la" &&
	grep -q '^block 203.0.113.77/32' "$lb" && ! grep -q 203.0.113.66 "$lb"
fs_result $? "two instances sharing state_dir: a ledger each, neither overwritten" \
	"A: $(cat "$la" 2>&1)" "B: $(cat "$lb" 2>&1)"
rm -rf "$FS_PIN" "$FS_PIN-b"
start "$FS_PIN" && [ "$(blocks "$FS_PIN" cli)" = 203.0.113.66/32 ]
fs_result $? "after a reboot each instance gets its own entries back" "cli blocks: $(blocks "$FS_PIN" cli)"

# --- a ledger write killed before its rename -----------------------------
kill -TERM "$DPID"
wait "$DPID"
before=$(cat "$la")
start "$FS_PIN" ledger-written || fs_die "daemon start"
cli "$FS_PIN" block add 203.0.113.99 --ttl 1h >/dev/null || fs_die "block add"
kill -TERM "$DPID"	# the exit save pauses before its rename
fs_wait_until 10 is_paused "$DPID" || fs_die "ledger save did not pause"
kill -KILL "$DPID"
wait "$DPID"
[ "$(cat "$la")" = "$before" ]
fs_result $? "SIGKILL during a ledger write: the previous ledger is intact" "$(cat "$la")"
start "$FS_PIN" || fs_die "daemon start"
kill -TERM "$DPID"
wait "$DPID"
left=$(ls "$la".* 2>/dev/null)
[ -z "$left" ] && grep -q '^block 203.0.113.99/32' "$la"
fs_result $? "the next daemon removes the interrupted save's file and saves anew" "left: $left"

# --- the daemon's user and folders, refused at the start ------------------
rm -rf "$FS_PIN"
printf '[shield]\ninterfaces =\npin_dir = %s\nstate_dir = %s\nuser = fs-no-such-user\n[metrics]\nlisten = off\n' \
	"$FS_PIN" "$STATE" >"$(conf_of "$FS_PIN")"
out=$("$FS_BIN" run -c "$(conf_of "$FS_PIN")" 2>&1)
rc=$?
[ $rc = 1 ] && [[ $out == *"user 'fs-no-such-user' does not exist"* ]]
fs_result $? "a [shield] user that does not exist: the daemon does not start" "rc=$rc: $out"
mkdir -p "$FS_TMP/shared" && chmod 1777 "$FS_TMP/shared"
printf '[shield]\ninterfaces =\npin_dir = %s\nstate_dir = %s\n[metrics]\nlisten = off\n' \
	"$FS_PIN" "$FS_TMP/shared" >"$(conf_of "$FS_PIN")"
out=$("$FS_BIN" run -c "$(conf_of "$FS_PIN")" 2>&1)
rc=$?
[ $rc = 1 ] && [[ $out == *"others may write to it"* ]] && [ "$(stat -c %U "$FS_TMP/shared")" = root ]
fs_result $? "a state_dir others may write to is refused, not given away" "rc=$rc: $out"
exit 0
