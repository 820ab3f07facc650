#!/bin/bash
# A reload applies a change of [shield] interfaces (userspace/daemon,
# ifaces_follow(); loader/ifwatch.h, fs_ifwatch_update()):
#   - started with no interface, a reload that names one attaches to it
#     (the attach capabilities are kept for that, permitted only);
#   - a reload that adds a second attaches to it and leaves the first
#     untouched (the same program id);
#   - one that removes the first detaches from it (no XDP there, its
#     floodshield_interface_attached series gone, its traffic no longer
#     filtered) and leaves the second untouched;
#   - a mode change (NAME:generic) detaches and attaches in that mode;
#   - a refused file changes no interface.
# Judged by what the kernel says is attached (ip -j link: XDP mode and
# program id), the daemon's metrics, its log lines and traffic through
# the shield; each wait is for a state, never for a time.
set -u
. "$(dirname "$0")/lib.sh"

DAEMON_PID=
reload_cleanup()
{
	fs_stop_pid "$DAEMON_PID"
	[ -e "/run/netns/$FS_SRV_NS" ] && fs_cli detach "$B" >/dev/null 2>&1
	fs_cleanup
}
B=fs-x$FS_TAG	# a second veth pair, both ends in the server namespace
BP=fs-y$FS_TAG
trap reload_cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

FS_TMP=$(mktemp -d /tmp/fs-rifaces.XXXXXX)
chmod 0755 "$FS_TMP" # the daemon's user reads its config under here
fs_daemon_user || fs_die "cannot make the daemon's user (systemd-sysusers)"
CONF=$FS_TMP/floodshield.conf
LOG=$FS_TMP/daemon.log
A=$FS_SRV_IF
BLOCKED=198.51.100.20
PROM=127.0.0.1:9478 # inside the server namespace

# write_conf IFACES...: the file with these interfaces (NAME or NAME:MODE)
write_conf()
{
	cat >"$CONF.tmp" <<CONF
[shield]
interfaces = $*
pin_dir = $FS_PIN
state_dir = $FS_TMP/state
[services]
$FS_PORT = tcp
[block]
cidr = $BLOCKED/32 test-blocked
[metrics]
listen = $PROM
CONF
	mv "$CONF.tmp" "$CONF"
}

# xdp_of IFACE: "MODE ID" of the XDP program the kernel has on IFACE
# (native, generic), or "none".
xdp_of()
{
	ip -n "$FS_SRV_NS" -j link show dev "$1" | "$FS_PY" -c '
import json, sys
x = json.load(sys.stdin)[0].get("xdp")
modes = {1: "native", 2: "generic", 3: "hw"}
print("none" if not x or "prog" not in x else
      "%s %d" % (modes.get(x["mode"], x["mode"]), x["prog"]["id"]))'
}
xdp_mode_is() { [ "$(xdp_of "$1" | cut -d' ' -f1)" = "$2" ]; }

# attached_sample IFACE: "mode value" of its floodshield_interface_attached,
# or nothing when the exporter has no such series.
attached_sample()
{
	ip netns exec "$FS_SRV_NS" curl -sf "http://$PROM/metrics" |
		sed -n "s/^floodshield_interface_attached{interface=\"$1\",mode=\"\([a-z]*\)\"} \([0-9]*\)$/\1 \2/p"
}
sample_is() { [ "$(attached_sample "$1")" = "$2" ]; }

# reload: `floodshield reload` (waits for the daemon's answer); its status.
reload() { fs_cli reload -c "$CONF" --pid "$DAEMON_PID" >>"$LOG" 2>&1; }

caps_line() { awk -v k="$1:" '$1 == k { print $2 }' "/proc/$DAEMON_PID/status"; }

daemon_pid_is()
{
	kill -0 "$DAEMON_PID" 2>/dev/null || return "$FS_GIVE_UP"
	[ "$(fs_cli -j status 2>/dev/null | fs_json "d['daemon']['pid']" 2>/dev/null)" = "$DAEMON_PID" ]
}

fs_topo_ns || fs_die "namespaces"
fs_veth_up || fs_die "veth pair"
ip -n "$FS_SRV_NS" link add "$B" type veth peer name "$BP" &&
	ip -n "$FS_SRV_NS" link set "$B" up && ip -n "$FS_SRV_NS" link set "$BP" up ||
	fs_die "second veth pair"
fs_server_start || fs_die "server"

# --- no interface at the start; a reload names one -------------------------
write_conf ""
"$FS_BIN" -n "$FS_SRV_NS" run -c "$CONF" >>"$LOG" 2>&1 &
DAEMON_PID=$!
fs_wait_until 30 daemon_pid_is
fs_setup $? "daemon started with no interface" "$(tail -5 "$LOG")" || exit 0
[ "$(xdp_of "$A")" = none ] && [ "$(xdp_of "$B")" = none ]
fs_result $? "nothing attached at the start" "$A: $(xdp_of "$A"), $B: $(xdp_of "$B")"
fs_connect "$BLOCKED"
fs_result $? "unshielded: the blocklisted source connects"

write_conf "$A"
reload
fs_result $? "reload naming $A: applied" "$(tail -4 "$LOG")"
xdp_mode_is "$A" native && [ "$(xdp_of "$B")" = none ]
fs_result $? "$A attached (native), $B not" "$A: $(xdp_of "$A"), $B: $(xdp_of "$B")"
fs_wait_until 10 sample_is "$A" "native 1"
fs_result $? "interface_attached{$A,mode=native} is 1" "got '$(attached_sample "$A")'"
! fs_connect "$BLOCKED" 1 && fs_connect "$FS_CLI4"
fs_result $? "shielded now: the blocklisted source cannot connect, another can"
a_prog=$(xdp_of "$A")

# --- a second one added ---------------------------------------------------
write_conf "$A" "$B"
reload
fs_result $? "reload adding $B: applied" "$(tail -4 "$LOG")"
xdp_mode_is "$B" native
fs_result $? "$B attached (native)" "$B: $(xdp_of "$B")"
[ "$(xdp_of "$A")" = "$a_prog" ]
fs_result $? "$A untouched (the same program, $a_prog)" "now: $(xdp_of "$A")"
fs_wait_until 10 sample_is "$B" "native 1" && sample_is "$A" "native 1"
fs_result $? "interface_attached: $A and $B are 1" \
	"$A '$(attached_sample "$A")', $B '$(attached_sample "$B")'"
b_prog=$(xdp_of "$B")

# --- the first removed ------------------------------------------------------
write_conf "$B"
reload
fs_result $? "reload removing $A: applied" "$(tail -4 "$LOG")"
[ "$(xdp_of "$A")" = none ]
fs_result $? "$A detached: no XDP program on it" "$A: $(xdp_of "$A")"
grep -q "reload: detached from $A (no longer in $CONF)" "$LOG"
fs_result $? "the detach is logged" "$(tail -4 "$LOG")"
[ "$(xdp_of "$B")" = "$b_prog" ]
fs_result $? "$B untouched (the same program, $b_prog)" "now: $(xdp_of "$B")"
fs_wait_until 10 sample_is "$A" ""
fs_result $? "no interface_attached series for $A any more" \
	"got '$(attached_sample "$A")'"
sample_is "$B" "native 1"
fs_result $? "interface_attached{$B} still 1" "got '$(attached_sample "$B")'"
fs_connect "$BLOCKED"
fs_result $? "$A unshielded again: the blocklisted source connects"

# --- a mode change ------------------------------------------------------------
write_conf "$B:generic"
reload
fs_result $? "reload with $B:generic: applied" "$(tail -4 "$LOG")"
xdp_mode_is "$B" generic
fs_result $? "$B attached again, generic" "$B: $(xdp_of "$B")"
fs_wait_until 10 sample_is "$B" "generic 1"
fs_result $? "interface_attached{$B,mode=generic} is 1" "got '$(attached_sample "$B")'"

# --- a refused file changes no interface -------------------------------------
write_conf "$A" "$B:generic"
echo "bogus line" >>"$CONF"
! reload
fs_result $? "a bad file that also adds $A: refused" "$(tail -3 "$LOG")"
[ "$(xdp_of "$A")" = none ] && xdp_mode_is "$B" generic
fs_result $? "refused: $A still without XDP, $B still generic" \
	"$A: $(xdp_of "$A"), $B: $(xdp_of "$B")"

# --- the process after all this ------------------------------------------------
[ "$(caps_line CapEff)" = 0000000000000000 ] && [ "$(caps_line CapAmb)" = 0000000000000000 ]
fs_result $? "no effective capability after the reloads' attaches and detaches" \
	"$(grep ^Cap "/proc/$DAEMON_PID/status")"
kill -0 "$DAEMON_PID"
fs_result $? "the daemon is still running"
exit 0
