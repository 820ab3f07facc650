#!/bin/bash
# Interfaces come and go under the running daemon (loader/ifwatch.h):
#   - started before its interface exists: it runs on, says so once, and
#     floodshield_interface_attached reports 0;
#   - the veth pair appears: attached (netlink), the metric says 1, a
#     blocklisted source is dropped (the block counter counts it);
#   - deleted: the metric goes to 0; created anew (a new ifindex) with a
#     jumbo MTU that veth refuses in native XDP: mode auto falls back to
#     generic with a warning naming the interface and the kernel's
#     reason, the metric says 1 in mode generic, and the blocklisted
#     source is dropped again (counted again); an address added after
#     the attach becomes own (http.own) from the address events;
#   - a bridge created after the start (a master device, as a bond or a
#     VLAN made by networkd after floodshield): native is refused (no
#     XDP in the driver), generic taken;
#   - the daemon's threads keep no effective capability meanwhile.
# A bond is not made here: the build host's kernel has no bonding
# (CONFIG_BONDING unset). tests/test_bond.c makes one over veths, has the
# interface watch attach to it native, deleted and made anew, and judges
# frames through it; `make kernel-check` runs it on Debian 12's 6.1.
# 802.1Q (CONFIG_VLAN_8021Q) is not tested on a VLAN device anywhere.
# Judged by the daemon's status, its metrics and the shield's counters;
# each wait is for a state, never for a time.
set -u
. "$(dirname "$0")/lib.sh"

DAEMON_PID=
iface_cleanup()
{
	fs_stop_pid "$DAEMON_PID"
	fs_cleanup
}
trap iface_cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

FS_TMP=$(mktemp -d /tmp/fs-ifaces.XXXXXX)
# the daemon runs as its user: it reads its config and writes its
# state under here
chmod 0755 "$FS_TMP"
fs_daemon_user || fs_die "cannot make the daemon's user (systemd-sysusers)"
CONF=$FS_TMP/floodshield.conf
LOG=$FS_TMP/daemon.log
BR=fs-b$FS_TAG
BLOCKED=198.51.100.20
ALLOWED_SRC=$FS_CLI4
BLOCK_N=40
LATE_ADDR=192.0.2.99 # added to the server's veth once it is attached
JUMBO=9000
PROM=127.0.0.1:9477 # inside the server namespace
# CAP_DAC_READ_SEARCH (2), CAP_NET_ADMIN (12), CAP_SYS_ADMIN (21),
# CAP_PERFMON (38), CAP_BPF (39)
ATTACH_CAPS=000000c000201004

cat >"$CONF" <<CONF
[shield]
interfaces = $FS_SRV_IF $BR
pin_dir = $FS_PIN
state_dir = $FS_TMP/state
[services]
$FS_PORT = tcp
[block]
cidr = $BLOCKED/32 test-blocked
[metrics]
listen = $PROM
CONF

daemon_pid_is()
{
	kill -0 "$DAEMON_PID" 2>/dev/null || return "$FS_GIVE_UP"
	[ "$(fs_cli -j status 2>/dev/null | fs_json "d['daemon']['pid']" 2>/dev/null)" = "$DAEMON_PID" ]
}

# IFACE's mode in `status -j`, or nothing when floodshield is not on it.
status_mode()
{
	fs_cli -j status 2>/dev/null |
		fs_json "' '.join(i['mode'] for i in d['interfaces'] if i['name'] == '$1')"
}

status_mode_is() { [ "$(status_mode "$1")" = "$2" ]; }

# attached_sample IFACE: the floodshield_interface_attached sample of
# IFACE, as "mode value", from the daemon's exporter.
attached_sample()
{
	ip netns exec "$FS_SRV_NS" curl -sf "http://$PROM/metrics" |
		sed -n "s/^floodshield_interface_attached{interface=\"$1\",mode=\"\([a-z]*\)\"} \([0-9]*\)$/\1 \2/p"
}

sample_is() { [ "$(attached_sample "$1")" = "$2" ]; }

block_packets()
{
	fs_cli -j stats | fs_json \
		"sum(r['packets'] for r in d['reasons'] if r['reason'] == 'block')"
}

block_counted() { [ "$(block_packets)" = "$1" ]; }

# send_udp SRC N: N datagrams from SRC to the server's discard port.
send_udp()
{
	timeout 10 ip netns exec "$FS_CLI_NS" "$FS_PY" -c '
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind((sys.argv[1], 0))
for _ in range(int(sys.argv[3])):
    s.sendto(b"x" * 64, (sys.argv[2], 9))' "$1" "$FS_SRV4" "$2"
}

# own_has ADDR: ADDR is among the server's own addresses (http.own).
own_has()
{
	[ "$(fs_cli -j status | fs_json "'$1' in d['own']")" = 1 ]
}

ifindex() { ip netns exec "$FS_SRV_NS" cat "/sys/class/net/$1/ifindex"; }

caps_line() { grep "^$1:" "/proc/$DAEMON_PID/status" | awk '{print $2}'; }

# holds_attach_caps_only: effective, inheritable, ambient and bounding
# sets empty; the attach capabilities permitted, nothing else.
holds_attach_caps_only()
{
	[ "$(caps_line CapEff)" = 0000000000000000 ] &&
		[ "$(caps_line CapInh)" = 0000000000000000 ] &&
		[ "$(caps_line CapAmb)" = 0000000000000000 ] &&
		[ "$(caps_line CapBnd)" = 0000000000000000 ] &&
		[ "$(caps_line CapPrm)" = "$ATTACH_CAPS" ]
}

fs_topo_ns || fs_die "namespaces"

# --- started before its interfaces exist --------------------------------
"$FS_BIN" -n "$FS_SRV_NS" run -c "$CONF" >>"$LOG" 2>&1 &
DAEMON_PID=$!
fs_wait_until 30 daemon_pid_is
fs_result $? "daemon runs although no configured interface exists" \
	"$(tail -5 "$LOG")" || exit 0
for i in "$FS_SRV_IF" "$BR"; do
	[ "$(grep -c "interface '$i' (from $CONF) does not exist; floodshield runs on" "$LOG")" = 1 ]
	fs_result $? "missing $i logged once, clearly" "$(cat "$LOG")"
done
fs_wait_until 10 sample_is "$FS_SRV_IF" "none 0"
fs_result $? "interface_attached{$FS_SRV_IF} is 0 while it is missing" \
	"got '$(attached_sample "$FS_SRV_IF")'"
holds_attach_caps_only
fs_result $? "running daemon: no effective capability, only the attach ones permitted" \
	"$(grep ^Cap "/proc/$DAEMON_PID/status")"

# --- the interface appears ------------------------------------------------
fs_veth_up || fs_die "veth pair"
fs_wait_until 10 status_mode_is "$FS_SRV_IF" native
fs_result $? "the daemon attached to $FS_SRV_IF when it appeared (native)" \
	"$(tail -3 "$LOG")" "status: $(fs_cli status 2>&1 | head -3)"
fs_wait_until 10 sample_is "$FS_SRV_IF" "native 1"
fs_result $? "interface_attached{$FS_SRV_IF,mode=native} is 1" \
	"got '$(attached_sample "$FS_SRV_IF")'"
fs_server_start || fs_die "server"
before=$(block_packets)
send_udp "$BLOCKED" "$BLOCK_N" || fs_die "cannot send from $BLOCKED"
fs_wait_until 10 block_counted $((before + BLOCK_N))
fs_result $? "blocklisted source: $BLOCK_N datagrams dropped and counted" \
	"block packets: $before -> $(block_packets)"
! fs_connect "$BLOCKED" 1 && fs_connect "$ALLOWED_SRC"
fs_result $? "blocklisted source cannot connect; another source can"
[ "$(grep -c "does not exist" "$LOG")" = 2 ]
fs_result $? "link events did not repeat the missing-interface lines" \
	"$(grep "does not exist" "$LOG")"

# --- deleted, then created anew with a jumbo MTU ----------------------------
old_index=$(ifindex "$FS_SRV_IF")
fs_server_stop
ip -n "$FS_SRV_NS" link del "$FS_SRV_IF" || fs_die "cannot delete the veth"
fs_wait_until 10 sample_is "$FS_SRV_IF" "none 0"
fs_result $? "interface_attached{$FS_SRV_IF} goes to 0 when it is deleted" \
	"got '$(attached_sample "$FS_SRV_IF")'"
grep -q "interface '$FS_SRV_IF' (index $old_index) is gone" "$LOG"
fs_result $? "the deletion is logged" "$(tail -3 "$LOG")"

fs_veth_up "$JUMBO" || fs_die "veth pair, MTU $JUMBO"
new_index=$(ifindex "$FS_SRV_IF")
fs_wait_until 10 status_mode_is "$FS_SRV_IF" generic
fs_result $? "re-created $FS_SRV_IF (index $old_index -> $new_index) attached again, generic" \
	"$(tail -4 "$LOG")" "status: $(fs_cli status 2>&1 | head -3)"
grep -q "$FS_SRV_IF: native XDP refused (.*Peer MTU is too large.*); mode auto falls back to generic" "$LOG"
fs_result $? "mode auto: the fallback is logged with the interface and the kernel's reason" \
	"$(grep -i "refused" "$LOG")"
fs_wait_until 10 sample_is "$FS_SRV_IF" "generic 1"
fs_result $? "interface_attached{$FS_SRV_IF,mode=generic} is 1 again" \
	"got '$(attached_sample "$FS_SRV_IF")'"
ip -n "$FS_SRV_NS" addr add "$LATE_ADDR/32" dev "$FS_SRV_IF" || fs_die "address"
fs_wait_until 10 own_has "$LATE_ADDR" && own_has "$FS_SRV4" && own_has "$FS_SRV6"
fs_result $? "an address added after the re-attach is own (http.own), without a reload" \
	"own: $(fs_cli -j status | fs_json "d['own']")"
fs_server_start || fs_die "server"
before=$(block_packets)
send_udp "$BLOCKED" "$BLOCK_N" || fs_die "cannot send from $BLOCKED"
fs_wait_until 10 block_counted $((before + BLOCK_N))
fs_result $? "after re-creation: the blocklisted source is dropped again and counted" \
	"block packets: $before -> $(block_packets)"
! fs_connect "$BLOCKED" 1 && fs_connect "$ALLOWED_SRC"
fs_result $? "after re-creation: blocked cannot connect; another source can"

# --- a master device made after the start: a bridge ----------------------
ip -n "$FS_SRV_NS" link add "$BR" type bridge || fs_die "bridge"
fs_wait_until 10 status_mode_is "$BR" generic
fs_result $? "bridge created after the start: attached in generic mode" \
	"$(tail -3 "$LOG")"
grep -q "$BR: native XDP refused (Operation not supported: .*); mode auto falls back to generic" "$LOG"
fs_result $? "bridge: native refused by the driver, fallback logged" \
	"$(grep "$BR" "$LOG")"
fs_wait_until 10 sample_is "$BR" "generic 1"
fs_result $? "interface_attached{$BR,mode=generic} is 1" \
	"got '$(attached_sample "$BR")'"

holds_attach_caps_only
fs_result $? "after the late attaches: still no effective capability" \
	"$(grep ^Cap "/proc/$DAEMON_PID/status")"
kill -0 "$DAEMON_PID"
fs_result $? "the daemon is still running"
exit 0
