#!/bin/bash
# The checks scripts/unit-check.sh runs inside the booted root (systemd
# as PID 1), as a oneshot unit: TAP lines to /root/out/results.PHASE. The tree is on
# /root/floodshield (read-only, built), the network namespace holds the
# veth pairs unit0a/unit0b and unit1a/unit1b and
# net.ipv4.tcp_syncookies=2. PHASE (in /root/phase): 1, the first boot (install,
# start, reloads, stop, enable; then what a reboot clears: XDP and the
# pins), or 2, the next boot (the enabled unit started by systemd).
set -u
PHASE=$(cat /root/phase)
OUT=/root/out/results.$PHASE
SRC=/root/floodshield
CONF=/etc/floodshield/floodshield.conf
UNIT=floodshield.service
BLOCK1=198.51.100.7/32
BLOCK2=203.0.113.9/32
IFACES=unit0a # [shield] interfaces of write_conf
N=0
exec 3>"$OUT"
exec >>/root/out/inner.log 2>&1

ok() { N=$((N + 1)); echo "ok $N - $1" >&3; }
not_ok()
{
	N=$((N + 1))
	echo "not ok $N - $1" >&3
	shift
	for l in "$@"; do printf '%s\n' "$l" | sed 's/^/#   /' >&3; done
}
# result RC NAME [DETAIL...]
result()
{
	local rc=$1
	shift
	if [ "$rc" = 0 ]; then ok "$1"; else not_ok "$@"; fi
	return "$rc"
}
note() { echo "# $*" >&3; }
finish() { echo "# done" >&3; exit 0; }

prop() { systemctl show -p "$1" --value "$UNIT"; }
# no_dac PID: neither CAP_DAC_OVERRIDE (1) nor CAP_DAC_READ_SEARCH (2) in
# the bounding, permitted or effective set of PID
no_dac()
{
	local set v
	for set in CapBnd CapPrm CapEff; do
		v=$(awk -v s="$set:" '$1 == s { print $2 }' "/proc/$1/status")
		[ -n "$v" ] && [ $((0x$v & 0x6)) = 0 ] || return 1
	done
}
owner() { stat -c %U "$1" 2>/dev/null; }
main_pid() { prop MainPID; }
xdp_on() { ip -d link show dev "$1" | grep -q "prog/xdp"; }
blocked() { floodshield block list 2>/dev/null | grep -q "${1%/32}"; }

# the file: this namespace's interface, a block, syn.cookies=always (it
# needs net.ipv4.tcp_syncookies=2, read from /proc/sys at start and at
# every reload)
write_conf()
{
	sed -e "s|^interfaces *=.*|interfaces = $IFACES|" \
		-e "s|^syn.cookies *=.*|syn.cookies = always|" \
		"$SRC/etc/floodshield.conf" >"$CONF.new"
	printf '%s\n' "$@" >>"$CONF.new"
	mv "$CONF.new" "$CONF"
}

# phase 2: the unit enabled at the end of phase 1 was started by the
# boot (this check runs after multi-user.target)
boot_checks()
{
	local pid

	[ "$(prop ActiveState)/$(prop SubState)" = active/running ]
	result $? "started at boot by systemd (enabled): active/running" \
		"$(prop ActiveState)/$(prop SubState)" \
		"$(journalctl -b -u "$UNIT" --no-pager | tail -8)" || finish
	pid=$(main_pid)
	[ "$(awk '/^Uid:/ { print $3 }' "/proc/$pid/status")" = "$(id -u floodshield)" ] &&
		[ "$(awk '/^CapEff:/ { print $2 }' "/proc/$pid/status")" = 0000000000000000 ]
	result $? "as floodshield, no effective capability" "$(grep -E '^(Uid|Cap)' "/proc/$pid/status")"
	no_dac "$pid"
	result $? "no DAC capability (bounding, permitted, effective)" \
		"$(grep ^Cap "/proc/$pid/status")"
	[ "$(owner /sys/fs/bpf/floodshield)" = floodshield ]
	result $? "prepare (ExecStartPre=+) made the pin folder the boot had not, before the sandbox bound it" \
		"$(ls -ld /sys/fs/bpf/floodshield 2>&1)"
	xdp_on unit0a && blocked "$BLOCK1" && blocked "$BLOCK2"
	result $? "attached to unit0a again, the file's blocks pinned again" \
		"$(ip -d link show unit0a | grep prog)" "$(floodshield block list 2>&1)"
	out=$(timeout 60 systemctl stop "$UNIT" 2>&1)
	result $? "systemctl stop" "$out"
	floodshield detach unit0a >/dev/null 2>&1
	other_pins
	finish
}

# Another pin_dir: the unit binds only the default; without a drop-in the
# daemon says so, with the drop-in the unit file shows it runs there.
other_pins()
{
	local other=/sys/fs/bpf/unit-other d=/etc/systemd/system/$UNIT.d
	local b=/run/floodshield-bpffs/unit-other out

	sed -i "s|^pin_dir *=.*|pin_dir = $other|" "$CONF"
	timeout 60 systemctl start "$UNIT" >/dev/null 2>&1
	out=$(journalctl -b -u "$UNIT" --no-pager | grep "pin_dir $other: not in this sandbox" | tail -1)
	timeout 60 systemctl stop "$UNIT" >/dev/null 2>&1
	systemctl reset-failed "$UNIT" 2>/dev/null
	[ -n "$out" ]
	result $? "pin_dir $other without a drop-in: the daemon says it is not in the sandbox" \
		"$(journalctl -b -u "$UNIT" --no-pager | tail -6)"
	mkdir -p "$d"
	printf '%s\n' "[Service]" "BindPaths=-$other:$b" \
		"BindPaths=-/sys/fs/bpf/xdp:$b/xdp" "Environment=LIBXDP_BPFFS=$b" >"$d/pins.conf"
	systemctl daemon-reload
	out=$(timeout 60 systemctl start "$UNIT" 2>&1)
	result $? "with the unit file's drop-in: systemctl start" "$out" \
		"$(journalctl -b -u "$UNIT" --no-pager | tail -8)"
	xdp_on unit0a && floodshield -p "$other" block list 2>/dev/null | grep -q "${BLOCK1%/32}" &&
		[ "$(owner "$other")" = floodshield ] && [ "$(owner "$other/fs_cfg")" = floodshield ]
	result $? "attached, the file's block pinned in $other, the folder and pins floodshield's" \
		"$(ls -la "$other" 2>&1 | head -4)"
	out=$(timeout 60 systemctl reload "$UNIT" 2>&1)
	result $? "systemctl reload on $other" "$out"
	timeout 60 systemctl stop "$UNIT" >/dev/null 2>&1
	floodshield -p "$other" detach unit0a >/dev/null 2>&1
	rm -rf "$d" "$other"
	systemctl daemon-reload
}

note "phase $PHASE: systemd $(systemctl --version | head -1 | cut -d' ' -f2), kernel $(uname -r)"
[ "$PHASE" = 2 ] && boot_checks
for l in unit0a unit0b unit1a unit1b lo; do ip link set "$l" up; done
ip addr add 192.0.2.1/24 dev unit0a
ip addr add 192.0.2.2/24 dev unit0b

out=$(make -s -C "$SRC" install 2>&1)
result $? "make install (binary, unit, sysusers, config; systemd-sysusers)" "$out" || finish
id floodshield >/dev/null 2>&1
result $? "make install made the user floodshield" || finish
systemctl daemon-reload
write_conf "[block]" "cidr = $BLOCK1 unit-check"

# --- an earlier root attach: the CLI as root makes the pins (root's,
# 0600) and libxdp's state folder before the service ever ran ---------------
prog_of() { ip -j link show dev "$1" | sed -n 's/.*"prog":{"id":\([0-9]*\).*/\1/p'; }
out=$(floodshield attach unit0a 2>&1)
result $? "root attaches with the CLI before the service starts" "$out"
# the ids of the maps pinned there, "name:id ..."
pinned_ids()
{
	local f
	for f in /sys/fs/bpf/floodshield/fs_*; do
		printf '%s:%s ' "${f##*/}" \
			"$(bpftool -j map show pinned "$f" | sed -n 's/^{"id":\([0-9]*\).*/\1/p')"
	done
}
root_maps=$(pinned_ids)
[ "$(owner /sys/fs/bpf/floodshield)" = root ] &&
	[ "$(owner /sys/fs/bpf/floodshield/fs_cfg)" = root ]
result $? "its pin folder and pins are root's" "$(ls -la /sys/fs/bpf/floodshield 2>&1 | head -5)"
note "libxdp's state folder before the start: $(ls -ld /sys/fs/bpf/xdp 2>&1)"
# dispatcher folders as root's libxdp leaves them (libxdp's dispatcher is
# refused here: stand-ins, a folder and a pin in it, named as libxdp
# names them): one of a configured interface, one of another
ifindex() { ip -o link show dev "$1" | cut -d: -f1; }
disp_cfg=/sys/fs/bpf/xdp/dispatch-$(ifindex unit0a)-1
disp_other=/sys/fs/bpf/xdp/dispatch-$(ifindex unit1b)-1
for d in "$disp_cfg" "$disp_other"; do
	mkdir -p "$d" &&
		bpftool map create "$d/prog0-prog" type array key 4 value 4 entries 1 name unit_disp
done

# --- start: READY=1 ---------------------------------------------------------
out=$(timeout 60 systemctl start "$UNIT" 2>&1)
result $? "systemctl start (Type=notify: returns once the daemon sent READY=1)" \
	"$out" "$(journalctl -u "$UNIT" --no-pager | tail -15)" || finish
[ "$(prop ActiveState)/$(prop SubState)" = active/running ]
result $? "active/running" "$(prop ActiveState)/$(prop SubState)"
PID=$(main_pid)
journalctl -u "$UNIT" --no-pager | grep -q "Started floodshield"
result $? "systemd logged the start as done (after READY=1)"
xdp_on unit0a && ! xdp_on unit1a
result $? "XDP on unit0a (configured), not on unit1a" "$(ip -br -d link show | head)"
blocked "$BLOCK1"
result $? "the file's block is in the pinned blocklist" "$(floodshield block list 2>&1)"
cfg_id=$(sed -n 's/.*fs_cfg:\([0-9]*\).*/\1/p' <<<"$root_maps")
[ "$(pinned_ids)" = "$root_maps" ] && [ -n "$cfg_id" ] &&
	bpftool -j prog show id "$(prog_of unit0a)" | grep -q "\"map_ids\":\[[0-9,]*\b$cfg_id\b"
result $? "the daemon serves on the root attach's pins (the same maps; its program on unit0a uses them)" \
	"before: $root_maps" "after:  $(pinned_ids)" \
	"$(bpftool -j prog show id "$(prog_of unit0a)" 2>&1 | head -c 600)"
bad=
for f in /sys/fs/bpf/floodshield /sys/fs/bpf/floodshield/fs_* /sys/fs/bpf/xdp; do
	[ "$(owner "$f")" = floodshield ] || bad="$bad $f($(owner "$f"))"
done
[ -z "$bad" ]
result $? "prepare gave the pin folder, the root attach's pins and libxdp's state folder to floodshield" \
	"not floodshield's:$bad"
[ "$(owner "$disp_cfg")" = floodshield ] && [ "$(owner "$disp_cfg/prog0-prog")" = floodshield ] &&
	[ "$(owner "$disp_other")" = root ] && [ "$(owner "$disp_other/prog0-prog")" = root ]
result $? "and root's dispatcher folder of unit0a (configured) with its pins; unit1b's stays root's" \
	"$(ls -la "$disp_cfg" "$disp_other" 2>&1)"
rm -rf "$disp_cfg" "$disp_other"

# --- the process: its user and capabilities ----------------------------------
uid=$(id -u floodshield)
st=/proc/$PID/status
[ "$(awk '/^Uid:/ { print $2 $3 $4 $5 }' "$st")" = "$uid$uid$uid$uid" ]
result $? "the daemon (pid $PID) runs as floodshield (uid $uid): real, effective, saved, fs" \
	"$(grep -E '^(Uid|Gid)' "$st")"
[ "$(awk '/^CapEff:/ { print $2 }' "$st")" = 0000000000000000 ] &&
	[ "$(awk '/^CapAmb:/ { print $2 }' "$st")" = 0000000000000000 ]
result $? "no effective and no ambient capability" "$(grep ^Cap "$st")"
note "$(grep ^Cap "$st" | tr '\n' ' ')"
bad=
for t in /proc/$PID/task/*; do
	[ "$(awk '/^CapEff:/ { print $2 }' "$t/status")" = 0000000000000000 ] ||
		bad="$bad ${t##*/}"
done
[ -z "$bad" ]
result $? "no thread holds an effective capability" "threads:$bad"
no_dac "$PID"
result $? "no DAC capability in the bounding, permitted or effective set" \
	"$(grep ^Cap "$st")"

# --- the sandbox: /proc without /proc/sys, the sysctls bound ----------------
nsenter -t "$PID" -m test ! -e /proc/sys
result $? "the daemon's /proc has no sys (ProcSubset=pid)" \
	"$(nsenter -t "$PID" -m ls /proc 2>&1 | head -5)"
B=/run/floodshield-bpffs/floodshield
nsenter -t "$PID" -m sh -c "! mkdir /sys/fs/bpf/unit-x 2>/dev/null && mkdir $B/unit-x && rmdir $B/unit-x"
result $? "its /sys/fs/bpf is read-only, the pin folder is writable where it reaches it"
[ "$(nsenter -t "$PID" -m stat -c %i $B/xdp)" = "$(stat -c %i /sys/fs/bpf/xdp)" ] &&
	[ "$(nsenter -t "$PID" -m stat -c %i $B)" = "$(stat -c %i /sys/fs/bpf/floodshield)" ]
result $? "it sees the pin folder, and libxdp's state folder in it as xdp (LIBXDP_BPFFS), the host's own"

# --- the CLI as root on the daemon's pins while it runs -----------------------
BLOCK3=203.0.113.77/32
out=$(floodshield block add "$BLOCK3" 2>&1) && blocked "$BLOCK3" &&
	floodshield status >/dev/null 2>&1
result $? "the CLI as root adds a block and reads status on the floodshield-owned pins" \
	"$out" "$(floodshield status 2>&1 | tail -5)"
out=$(floodshield block del "$BLOCK3" 2>&1) && ! blocked "$BLOCK3"
result $? "the CLI as root removes it again" "$out"

# --- reload: a good file ------------------------------------------------------
write_conf "[block]" "cidr = $BLOCK1 unit-check" "cidr = $BLOCK2 unit-check"
out=$(timeout 60 systemctl reload "$UNIT" 2>&1)
result $? "systemctl reload with a good file succeeds" "$out" \
	"$(journalctl -u "$UNIT" --no-pager | tail -8)"
blocked "$BLOCK2" && blocked "$BLOCK1"
result $? "the reload applied the new block" "$(floodshield block list 2>&1)"

# --- reload: the interfaces change (attach and detach under the unit's
# capabilities: kept permitted, raised around each) ------------------------
a_prog=$(prog_of unit0a)
IFACES="unit0a unit1a"
write_conf "[block]" "cidr = $BLOCK1 unit-check" "cidr = $BLOCK2 unit-check"
out=$(timeout 60 systemctl reload "$UNIT" 2>&1)
result $? "systemctl reload adding unit1a succeeds" "$out" \
	"$(journalctl -u "$UNIT" --no-pager | tail -6)"
xdp_on unit1a && [ "$(prog_of unit0a)" = "$a_prog" ]
result $? "XDP on unit1a now; unit0a untouched (program $a_prog)" \
	"$(ip -d link show unit0a | grep prog) / $(ip -d link show unit1a | grep prog)"
IFACES=unit1a
write_conf "[block]" "cidr = $BLOCK1 unit-check" "cidr = $BLOCK2 unit-check"
out=$(timeout 60 systemctl reload "$UNIT" 2>&1)
result $? "systemctl reload removing unit0a succeeds" "$out"
! xdp_on unit0a && xdp_on unit1a
result $? "unit0a detached, unit1a still attached" \
	"$(journalctl -u "$UNIT" --no-pager | tail -4)"
IFACES=unit0a
write_conf "[block]" "cidr = $BLOCK1 unit-check" "cidr = $BLOCK2 unit-check"
out=$(timeout 60 systemctl reload "$UNIT" 2>&1)
result $? "systemctl reload back to unit0a succeeds" "$out"
xdp_on unit0a && ! xdp_on unit1a
result $? "unit0a attached again, unit1a detached"
[ "$(awk '/^CapEff:/ { print $2 }' "/proc/$PID/status")" = 0000000000000000 ]
result $? "no effective capability after the reloads' attaches" \
	"$(grep ^Cap "/proc/$PID/status")"
no_dac "$PID"
result $? "no DAC capability after the reloads' attaches" "$(grep ^Cap "/proc/$PID/status")"

# --- reload: a bad file -------------------------------------------------------
good=$(cat "$CONF")
write_conf "[block]" "cidr = $BLOCK1 unit-check" "cidr = not-an-address"
out=$(timeout 60 systemctl reload "$UNIT" 2>&1)
[ $? != 0 ]
result $? "systemctl reload with a bad file FAILS" "$out"
journalctl -u "$UNIT" --no-pager | grep -q "floodshield.conf:[0-9]*.*not-an-address"
result $? "the refusal names the file's line" "$(journalctl -u "$UNIT" --no-pager | tail -6)"
[ "$(main_pid)" = "$PID" ] && [ "$(prop ActiveState)" = active ]
result $? "the daemon runs on (same pid, active)" "pid $(main_pid), $(prop ActiveState)"
blocked "$BLOCK2" && blocked "$BLOCK1" && xdp_on unit0a
result $? "the old state stays (both blocks, XDP on unit0a)" "$(floodshield block list 2>&1)"
# a setting that reads a sysctl: syn.cookie.ts=on needs
# net.ipv4.tcp_timestamps=2, this namespace has 1; the refusal says the
# value read (not "cannot read"): the bound /proc/sys/net works
write_conf "[block]" "cidr = $BLOCK1 unit-check" "cidr = $BLOCK2 unit-check"
sed -i 's|^\[limits\]|[limits]\nsyn.cookie.ts = on|' "$CONF"
out=$(timeout 60 systemctl reload "$UNIT" 2>&1)
rc=$?
msg=$(journalctl -u "$UNIT" --no-pager | grep "syn.cookie.ts=on needs" | tail -1)
[ $rc != 0 ] && grep -q "(it is 1)" <<<"$msg"
result $? "reload refused syn.cookie.ts=on, naming the sysctl's value it read" \
	"rc $rc" "$msg" "$(journalctl -u "$UNIT" --no-pager | tail -4)"
printf '%s\n' "$good" >"$CONF"

# --- stop ---------------------------------------------------------------------
out=$(timeout 60 systemctl stop "$UNIT" 2>&1)
result $? "systemctl stop" "$out"
[ "$(prop ActiveState)" = inactive ] && [ "$(prop Result)" = success ] &&
	! kill -0 "$PID" 2>/dev/null
result $? "stopped cleanly (inactive, result success, process gone)" \
	"$(prop ActiveState) $(prop Result) $(prop ExecMainStatus)"
xdp_on unit0a
result $? "the shield stays attached after stop (by design)"

# --- enabled, for the next boot -------------------------------------------------
out=$(systemctl enable "$UNIT" 2>&1)
[ $? = 0 ] && [ "$(systemctl is-enabled "$UNIT")" = enabled ]
result $? "systemctl enable (WantedBy=multi-user.target)" "$out"
# what a reboot clears (the ledger in /var/lib/floodshield stays)
floodshield detach unit0a >/dev/null 2>&1
floodshield detach unit1a >/dev/null 2>&1
rm -rf /sys/fs/bpf/floodshield
finish
