#!/bin/bash
# The daemon: config check, start, capabilities dropped, reloads under
# traffic (allowlisted never fails, blocked never passes), a bad reload
# refused, restart and simulated reboot keep bans, the systemd unit and
# make install.
set -u
. "$(dirname "$0")/lib.sh"

DAEMON_PID=
daemon_cleanup()
{
	if [ -n "$DAEMON_PID" ]; then
		kill "$DAEMON_PID" 2>/dev/null
		wait "$DAEMON_PID" 2>/dev/null
	fi
	fs_cleanup
}
trap daemon_cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

FS_TMP=$(mktemp -d /tmp/fs-daemon.XXXXXX)
CONF=$FS_TMP/floodshield.conf
LOG=$FS_TMP/daemon.log
ALLOWED=203.0.113.30
BLOCKED=198.51.100.20
FLOODER=198.51.100.10

# write_conf EXTRA_BLOCK RATE: the test's config; the two arguments vary
# between reloads while the allow and block entries under test stay.
write_conf()
{
	cat >"$CONF" <<CONF
[shield]
interfaces = $FS_SRV_IF
pin_dir = $FS_PIN
state_dir = $FS_TMP/state
[limits]
syn.tcp.src = $2
syn.tcp.prefix = 1000/1000
ban.after = 5
ban.ttl = 600s
[services]
$FS_PORT = tcp
[allow]
cidr = $ALLOWED/32 test-allowed
[block]
cidr = $BLOCKED/32 test-blocked
cidr = $1 rotating
[metrics]
listen = off
CONF
}

start_daemon()
{
	local _

	"$FS_BIN" -n "$FS_SRV_NS" run -c "$CONF" >>"$LOG" 2>&1 &
	DAEMON_PID=$!
	for _ in $(seq 50); do
		[ "$(grep -c 'running (pid' "$LOG")" -ge "$1" ] && return 0
		kill -0 "$DAEMON_PID" 2>/dev/null || break
		sleep 0.1
	done
	fs_note "daemon did not start: $(tail -3 "$LOG")"
	return 1
}

stop_daemon()
{
	kill "$DAEMON_PID" 2>/dev/null
	wait "$DAEMON_PID" 2>/dev/null
	DAEMON_PID=
}

ban_listed()
{
	fs_cli -j block list | fs_json \
		"any(e['cidr'] == '$1/32' and e['kind'] == 'ban' for e in d)"
}

prog_id()
{
	fs_cli -j status | fs_json "d['interfaces'][0]['prog_id'] if d['interfaces'] else 0"
}

fs_topo_up || fs_die "topology"
fs_server_start || fs_die "server"

# --- check ------------------------------------------------------------
write_conf 192.0.2.200/32 5/5
"$FS_BIN" check -c "$CONF" >/dev/null
fs_result $? "check accepts the test config"
"$FS_BIN" check -c "$FS_ROOT/etc/floodshield.conf" >/dev/null
fs_result $? "check accepts the shipped example config"
cp "$CONF" "$FS_TMP/bad.conf"
echo "syn.tcp.srcc = 1/1" >>"$FS_TMP/bad.conf"
out=$("$FS_BIN" check -c "$FS_TMP/bad.conf" 2>&1)
rc=$?
[ $rc = 2 ] && [[ $out == *"bad.conf:"[0-9]*": unknown key 'syn.tcp.srcc'"* ]]
fs_result $? "check refuses a bad config naming file:line" "rc=$rc: $out"

# --- start --------------------------------------------------------------
start_daemon 1
fs_result $? "daemon starts and attaches" || exit 0
[ "$(fs_cli -j status | fs_json "len(d['interfaces'])")" = 1 ]
fs_result $? "status shows the interface attached"
caps=$(grep -E '^Cap(Eff|Prm|Bnd|Amb)' "/proc/$DAEMON_PID/status" | awk '{print $2}' | sort -u)
[ "$caps" = 0000000000000000 ]
fs_result $? "running daemon holds no capability" "$(grep ^Cap "/proc/$DAEMON_PID/status")"

# --- the CLI leaves the config's entries to the config ---------------
out=$(fs_cli allow add "$ALLOWED/32" --ttl 1m 2>&1)
rc=$?
[ $rc = 1 ] && [[ $out == *"configuration file lists it"* ]] &&
	[ "$(fs_cli -j allow list | fs_json "[e['kind'] for e in d if e['cidr'] == '$ALLOWED/32']")" = "['config']" ]
fs_result $? "allow add of a config entry refused, entry unchanged" "rc=$rc: $out"
out=$(fs_cli block add ::/0 2>&1)
rc=$?
[ $rc = 2 ] && [[ $out == *"'::/0': also covers every IPv4 address"* ]]
fs_result $? "an IPv6 prefix covering IPv4 is refused" "rc=$rc: $out"

# --- 20 reloads under traffic -------------------------------------------
fs_flood "$ALLOWED" 200 8 2 >"$FS_TMP/allowed.out" &
allowed_pid=$!
fs_flood "$BLOCKED" 80 8 2 >/dev/null &
blocked_pid=$!
for i in $(seq 20); do
	if [ $((i % 2)) = 0 ]; then
		write_conf 192.0.2.200/32 5/5
	else
		write_conf 192.0.2.201/32 6/6
	fi
	kill -HUP "$DAEMON_PID"
	sleep 0.35
done
wait "$allowed_pid" "$blocked_pid"
fs_server_settle
reloads=$(grep -c 'reload: .* applied' "$LOG")
[ "$reloads" -ge 20 ]
fs_result $? "20 reloads applied" "$reloads in the log"
[ "$(cat "$FS_TMP/allowed.out")" = 200 ]
fs_result $? "allowlisted source: 200/200 connections during the reloads" \
	"$(cat "$FS_TMP/allowed.out")/200"
[ "$(fs_accepted "$BLOCKED")" = 0 ]
fs_result $? "blocked source: nothing reached the server during the reloads" \
	"$(fs_accepted "$BLOCKED") reached"

# --- a bad reload keeps the running state ---------------------------------
before=$(fs_cli -j block list; fs_cli -j allow list; fs_cli show)
cp "$FS_TMP/bad.conf" "$CONF"
sed -i 's/^syn.tcp.src = .*/syn.tcp.src = 1\/1/' "$CONF"
kill -HUP "$DAEMON_PID"
sleep 1.2
grep -q "reload refused: $CONF:[0-9]*: unknown key 'syn.tcp.srcc'" "$LOG"
fs_result $? "bad reload refused with file:line in the log" "$(tail -2 "$LOG")"
after=$(fs_cli -j block list; fs_cli -j allow list; fs_cli show)
[ "$before" = "$after" ]
fs_result $? "bad reload left lists and settings unchanged"
! fs_connect "$BLOCKED" 1 && fs_connect "$ALLOWED"
fs_result $? "after the bad reload: blocked still dropped, allowed still passes"
write_conf 192.0.2.200/32 5/5
kill -HUP "$DAEMON_PID"
sleep 1

# --- a ban, kept across restart and reboot ----------------------------
fs_flood "$FLOODER" 100 1 1 >/dev/null
[ "$(ban_listed "$FLOODER")" = 1 ]
fs_result $? "flooding source banned under the daemon"

# --- bpftool reads the pinned maps with BTF: named fields, enum names --
# (with -j, bpftool puts the BTF rendering under "formatted")
bt()
{
	bpftool -j map dump pinned "$FS_PIN/$1" 2>/dev/null |
		fs_json "(lambda d: $2)([e['formatted'] for e in d])"
}
[ "$(bt fs_bans "sorted(d[0]['key']) == ['addr','bucket','pad','plen'] and d[0]['key']['bucket'] == 'FS_B_NONE' and d[0]['value']['reason'] == 'FS_BAN_SYN_RATE' and {'expires_ns','created_ns','count'} <= set(d[0]['value'])")" = 1 ]
fs_result $? "bpftool: fs_bans prints key and value fields and enum names" \
	"$(bpftool -j map dump pinned "$FS_PIN/fs_bans" | head -c 400)"
[ "$(bt fs_block "any(e['value']['origin'] == 'FS_ORIGIN_STATIC' and e['value']['note'] == 'test-blocked' and e['key']['prefixlen'] == 128 for e in d)")" = 1 ]
fs_result $? "bpftool: fs_block prints prefixlen, origin and note"
[ "$(bt fs_stats "set(d[0]['values'][0]['value']) == {'packets','bytes','observed_packets','observed_bytes'}")" = 1 ]
fs_result $? "bpftool: fs_stats prints per-CPU counters by field" \
	"$(bpftool -j map dump pinned "$FS_PIN/fs_stats" | head -c 300)"
[ "$(bt fs_cfg "{'ban_after','v4_prefix','limits','http_flags'} <= set(d[0]['value']) and d[0]['value']['ban_after'] == 5")" = 1 ]
fs_result $? "bpftool: fs_cfg prints the settings by name"
[ "$(bt fs_services "any(e['key'] == $FS_PORT and e['value'] == 'FS_SVC_TCP' for e in d)")" = 1 ]
fs_result $? "bpftool: fs_services prints service enum names"

old_id=$(prog_id)
stop_daemon
[ "$(prog_id)" = "$old_id" ] && ! fs_connect "$BLOCKED" 1
fs_result $? "daemon stopped: the program stays attached and protecting"
start_daemon 2
new_id=$(prog_id)
[ "$new_id" != "$old_id" ] && [ "$new_id" != 0 ]
fs_result $? "restart replaced the program in place" "prog id $old_id -> $new_id"
[ "$(ban_listed "$FLOODER")" = 1 ]
fs_result $? "restart kept the ban"

stop_daemon
fs_cli detach "$FS_SRV_IF" >/dev/null
rm -rf "$FS_PIN"
grep -q "^ban $FLOODER/32 syn_rate" "$FS_TMP/state/ledger"
fs_result $? "ledger holds the ban" "$(cat "$FS_TMP/state/ledger")"
start_daemon 3
[ "$(ban_listed "$FLOODER")" = 1 ] && ! fs_connect "$FLOODER" 1
fs_result $? "simulated reboot: ban restored from the ledger and enforced"
grep -q "ledger: .* restored" "$LOG"
fs_result $? "restore is logged"
stop_daemon

# --- systemd unit and make install ------------------------------------------
if command -v systemd-analyze >/dev/null; then
	make -s -C "$FS_ROOT" build/floodshield.service >/dev/null
	sed "s|/usr/sbin/floodshield|$FS_BIN|g" "$FS_ROOT/build/floodshield.service" \
		>"$FS_TMP/floodshield.service"
	out=$(systemd-analyze verify --man=no "$FS_TMP/floodshield.service" 2>&1)
	[ $? = 0 ] && [ -z "$out" ]
	fs_result $? "systemd-analyze verify: unit is clean" "$out"
else
	fs_skip "systemd-analyze verify" "systemd-analyze not installed"
fi

DEST=$FS_TMP/dest
make -s -C "$FS_ROOT" install DESTDIR="$DEST" PREFIX=/usr >/dev/null 2>&1
missing=
for f in usr/sbin/floodshield usr/lib/systemd/system/floodshield.service \
	etc/floodshield/floodshield.conf usr/share/man/man8/floodshield.8 \
	usr/share/doc/floodshield/README.md usr/share/doc/floodshield/config.md; do
	[ -e "$DEST/$f" ] || missing="$missing $f"
done
[ -z "$missing" ] && grep -q "ExecStart=/usr/sbin/floodshield run" \
	"$DEST/usr/lib/systemd/system/floodshield.service"
fs_result $? "make install DESTDIR lays out binary, unit, config, man page, docs" "missing:$missing"
make -s -C "$FS_ROOT" uninstall DESTDIR="$DEST" PREFIX=/usr >/dev/null 2>&1
[ ! -e "$DEST/usr/sbin/floodshield" ] && [ -e "$DEST/etc/floodshield/floodshield.conf" ]
fs_result $? "make uninstall removes the files and keeps the config"
exit 0
