# shellcheck shell=bash
# The SMTP flood scenario of issue 14, for tests/ns/52_smtp_flood.sh and
# bench/smtp_flood.sh. On top of lib.sh and smtp_lib.sh (source them
# first). Defines functions and variables only, and runs nothing.
#
# Real parts: lib.sh's two namespaces and veth; smtp_lib.sh's unbound
# (FCrDNS fixtures), swallower (a PTR zone that never answers) and a
# private Postfix whose SMTP service has FLOOD_SMTPD smtpd processes and
# smtpd_timeout = 10s, either plain (smtpd on port 25) or behind
# postscreen (its pregreet test, `postscreen_greet_action = enforce`, no
# DNSBL, no access list); the floodshield daemon with a configuration
# that names only the interface, the resolver and the hosts (every rate
# at its default) plus the ISP relay's domain (`ptr_only = weak`, `ptr_only_domain`).
#
# Clients (tests/ns/smtp_flood.py), all in the client namespace:
#   senders, one mail a second each (FLOOD_INTERVAL), each on a new
#   connection started on schedule:
#     mta    198.51.100.10  PTR mta.example.org, A matches   verified (ok)
#     mta2   198.51.100.20  PTR mta2.example.org, A matches  verified (ok)
#     relay  203.0.113.50   PTR omta0042.isp.example, no A:  verified (weak)
#                           the seed's ISP relay
#     slow   203.0.113.40   its PTR query never answers      tempfail
#   200 bots without PTR (FLOOD_BOTS: 100 in the verified senders' /24,
#   100 in 203.0.113.0/24): each connects, drips a 44-byte EHLO one byte
#   every 0.5 s (about 22 s of an smtpd), and reconnects; a connection
#   not made in 2.5 s is a new attempt;
#   forged SYNs (tests/ns/spoof.py) at FLOOD_SPOOF_RATE a second, half
#   with the senders' own addresses (mta, mta2, relay), half random in
#   198.51.100.0/24 and 203.0.113.0/24.
#
# Phases (seconds, from the senders' first mail): baseline
# (FLOOD_BASELINE: senders only), attack (FLOOD_ATTACK: the bots), forged
# (FLOOD_FORGED: the bots and the forged SYNs), recovery
# (FLOOD_RECOVERY: senders only). In the server namespace a sampler
# records the mailbox (when each mail arrived), the Postfix process tree
# and the established connections to port 25; flood_run then writes
# smtp_flood.py's report (JSON) to $FLOOD_OUT/report.json.

FLOOD_PY=$FS_ROOT/tests/ns/smtp_flood.py
FLOOD_SPOOF=$FS_ROOT/tests/ns/spoof.py

FLOOD_MTA=198.51.100.10		FLOOD_MTA_NAME=mta.example.org
FLOOD_MTA2=198.51.100.20	FLOOD_MTA2_NAME=mta2.example.org
FLOOD_RELAY=203.0.113.50	FLOOD_RELAY_NAME=omta0042.isp.example
FLOOD_RELAY_DOMAIN=isp.example
FLOOD_SLOW=203.0.113.40		FLOOD_SLOW_EHLO=relay.example.net
FLOOD_BOTS=${FLOOD_BOTS:-198.51.100.100-199,203.0.113.100-199}
FLOOD_SMTPD=${FLOOD_SMTPD:-20}
FLOOD_BASELINE=${FLOOD_BASELINE:-10}
FLOOD_ATTACK=${FLOOD_ATTACK:-20}
FLOOD_FORGED=${FLOOD_FORGED:-15}
FLOOD_RECOVERY=${FLOOD_RECOVERY:-10}
FLOOD_INTERVAL=1
FLOOD_SPOOF_RATE=${FLOOD_SPOOF_RATE:-2400}
FLOOD_SEND_TIMEOUT=30		# a sender's SMTP timeout (TCP retries within)
# The bots' first source port: a run after another in the same
# namespaces needs another range (the last run's TIME_WAIT sockets).
FLOOD_PORT_BASE=${FLOOD_PORT_BASE:-20000}
FLOOD_OUT=

FLOOD_DAEMON_CONF=
FLOOD_DAEMON_LOG=
FLOOD_SAMPLER_PID=

# The bots' and the relay's addresses in the client namespace, with
# permanent neighbour entries on the server's side (lib.sh's way).
flood_addrs_up()
{
	local cmac a list

	cmac=$(fs_mac "$FS_CLI_NS" "$FS_CLI_IF")
	list=$("$FS_PY" -c 'import sys; sys.path.insert(0, sys.argv[1]); import smtp_flood; print(" ".join(smtp_flood.addr_list(sys.argv[2])))' \
		"$FS_ROOT/tests/ns" "$FLOOD_BOTS,$FLOOD_RELAY") || return 1
	for a in $list; do
		echo "addr add $a/32 dev $FS_CLI_IF"
	done | ip -n "$FS_CLI_NS" -batch - || return 1
	for a in $list; do
		echo "neigh replace $a lladdr $cmac nud permanent dev $FS_SRV_IF"
	done | ip -n "$FS_SRV_NS" -batch -
}

# flood_postfix_start plain|postscreen: a fresh Postfix under $SMTP_DIR.
flood_postfix_start()
{
	SMTP_PF_MYNETWORKS=127.0.0.0/8	# postscreen trusts mynetworks
	# one delivery at a time into the one mbox: concurrent ones wait
	# for its lock in steps of deliver_lock_delay (1 s), a delay of
	# the test's mailbox, not of the scenario
	SMTP_PF_MAIN_EXTRA="smtpd_timeout = 10s
smtpd_client_port_logging = yes
virtual_destination_concurrency_limit = 1"
	case $1 in
	plain)
		SMTP_PF_SERVICE="smtp      inet  n       -       n       -       $FLOOD_SMTPD      smtpd"
		;;
	postscreen)
		SMTP_PF_SERVICE="smtp      inet  n       -       n       -       1       postscreen
smtpd     pass  -       -       n       -       $FLOOD_SMTPD      smtpd
dnsblog   unix  -       -       n       -       0       dnsblog
tlsproxy  unix  -       -       n       -       0       tlsproxy"
		SMTP_PF_MAIN_EXTRA="$SMTP_PF_MAIN_EXTRA
postscreen_access_list =
postscreen_dnsbl_sites =
postscreen_greet_action = enforce"
		;;
	*) return 1 ;;
	esac
	smtp_postfix_start
}

# ---------------------------------------------------------------------
# The daemon: the issue's configuration, every rate at its default.

flood_daemon_write_conf()
{
	cat >"$FLOOD_DAEMON_CONF" <<-CONF
	[shield]
	interfaces = $FS_SRV_IF
	pin_dir = $FS_PIN
	state_dir = $FS_TMP/state
	[metrics]
	listen = off
	[dns]
	resolver = 127.0.0.1@53
	ptr_only = weak
	ptr_only_domain = $FLOOD_RELAY_DOMAIN
	[hosts]
	names = mx.$SMTP_DOMAIN
	CONF
	# FLOOD_LIMITS: [limits] lines for a run by hand (the test and the
	# bench use none: every rate at its default)
	[ -z "${FLOOD_LIMITS:-}" ] || printf '[limits]\n%s\n' "$FLOOD_LIMITS" >>"$FLOOD_DAEMON_CONF"
}

flood_daemon_start()
{
	FLOOD_DAEMON_CONF=$FS_TMP/floodshield.conf
	FLOOD_DAEMON_LOG=$FS_TMP/daemon.log
	# MAIL_CONFIG: Postfix's own tools (postconf) read the private
	# instance's configuration, not /etc/postfix, should the daemon ask
	# them (smtp.capacity = 0 reads the smtpd process limit)
	mkdir -p "$FS_TMP/state" && flood_daemon_write_conf &&
		MAIL_CONFIG=$SMTP_PF_DIR smtp_daemon_start "$FLOOD_DAEMON_CONF" \
			"$FLOOD_DAEMON_LOG"
}

# Stop the daemon and detach the shield (its pins go with fs_shield_down).
flood_daemon_stop()
{
	smtp_daemon_stop
	fs_shield_down
}

# ---------------------------------------------------------------------
# One run.

flood_senders_total() { echo $((FLOOD_BASELINE + FLOOD_ATTACK + FLOOD_FORGED + FLOOD_RECOVERY)); }

flood_sampler_stop()
{
	[ -n "$FLOOD_SAMPLER_PID" ] || return 0
	touch "$FLOOD_OUT/sampler.stop"
	wait "$FLOOD_SAMPLER_PID" 2>/dev/null
	FLOOD_SAMPLER_PID=
}

# True once every mail the senders saw accepted is in the mailbox.
flood_drained()
{
	local ok seen

	ok=$(grep -c '"tok"' "$FLOOD_OUT/senders.jsonl" 2>/dev/null)
	seen=$(grep -c '"k": "mail"' "$FLOOD_OUT/sample.jsonl" 2>/dev/null)
	[ "${seen:-0}" -ge "${ok:-0}" ]
}

# flood_run SCENARIO OUT: the phases against the servers already up
# (Postfix; the shield if the caller attached it); the report in
# OUT/report.json. Every client is under `timeout`.
flood_run()
{
	local scenario=$1 total t0 n spid bpid fpid lim
	local senders=("--sender" "mta,$FLOOD_MTA,$FLOOD_MTA_NAME"
		"--sender" "mta2,$FLOOD_MTA2,$FLOOD_MTA2_NAME"
		"--sender" "relay,$FLOOD_RELAY,$FLOOD_RELAY_NAME"
		"--sender" "slow,$FLOOD_SLOW,$FLOOD_SLOW_EHLO")

	FLOOD_OUT=$2
	mkdir -p "$FLOOD_OUT" || return 1
	total=$(flood_senders_total)
	lim=$((total + FLOOD_SEND_TIMEOUT + 30))
	rm -f "$FLOOD_OUT/sampler.stop"
	timeout "$lim" ip netns exec "$FS_SRV_NS" "$FS_PY" "$FLOOD_PY" sample \
		--root-pid "$SMTP_POSTFIX_PID" --mbox "$SMTP_MBOX" \
		--duration "$lim" --stop-file "$FLOOD_OUT/sampler.stop" \
		--out "$FLOOD_OUT/sample.jsonl" 2>"$FLOOD_OUT/sample.err" &
	FLOOD_SAMPLER_PID=$!
	t0=$(awk -v t="$(date +%s.%N)" 'BEGIN { printf "%.3f", t + 1 }')
	echo "$t0" >"$FLOOD_OUT/t0"
	timeout "$lim" ip netns exec "$FS_CLI_NS" "$FS_PY" "$FLOOD_PY" senders \
		"${senders[@]}" --dst "$FS_SRV4" --rcpt "$SMTP_RCPT" \
		--count "$total" --interval "$FLOOD_INTERVAL" \
		--timeout "$FLOOD_SEND_TIMEOUT" --start-at "$t0" \
		--out "$FLOOD_OUT/senders.jsonl" 2>"$FLOOD_OUT/senders.err" &
	spid=$!
	n=$((FLOOD_ATTACK + FLOOD_FORGED))
	timeout $((total + 30)) ip netns exec "$FS_CLI_NS" "$FS_PY" "$FLOOD_PY" bots \
		--addrs "$FLOOD_BOTS" --dst "$FS_SRV4" --duration "$n" \
		--port-base "$FLOOD_PORT_BASE" --drip "${FLOOD_DRIP:-0.5}" \
		--start-at "$(awk -v t="$t0" -v b="$FLOOD_BASELINE" 'BEGIN { printf "%.3f", t + b }')" \
		--out "$FLOOD_OUT/bots.jsonl" 2>"$FLOOD_OUT/bots.err" &
	bpid=$!
	fpid=
	if [ "$FLOOD_FORGED" -gt 0 ]; then
		flood_forged "$t0" >"$FLOOD_OUT/spoof.json" 2>"$FLOOD_OUT/spoof.err" &
		fpid=$!
	fi
	wait "$spid" "$bpid" $fpid
	fs_wait_until 15 flood_drained
	flood_sampler_stop
	"$FS_PY" "$FLOOD_PY" report --scenario "$scenario" --t0 "$t0" \
		--baseline "$FLOOD_BASELINE" --attack "$FLOOD_ATTACK" \
		--forged "$FLOOD_FORGED" --recovery "$FLOOD_RECOVERY" \
		--cls verified=mta,mta2,relay --cls tempfail=slow \
		--senders "$FLOOD_OUT/senders.jsonl" --bots "$FLOOD_OUT/bots.jsonl" \
		--sample "$FLOOD_OUT/sample.jsonl" --maillog "$SMTP_MAILLOG" \
		>"$FLOOD_OUT/report.json"
}

# The forged SYNs of the forged phase: from T0 + baseline + attack, for
# FLOOD_FORGED seconds at FLOOD_SPOOF_RATE.
flood_forged()
{
	local at

	at=$(awk -v t="$1" -v b=$((FLOOD_BASELINE + FLOOD_ATTACK)) -v now="$(date +%s.%N)" \
		'BEGIN { d = t + b - now; if (d > 0) printf "%.3f", d; else print 0 }')
	sleep "$at"
	timeout $((FLOOD_FORGED + 10)) ip netns exec "$FS_CLI_NS" "$FS_PY" "$FLOOD_SPOOF" \
		--dst "$FS_SRV4" --dport 25 --kinds syn --sources own,random \
		--own "$FLOOD_MTA,$FLOOD_MTA2,$FLOOD_RELAY" \
		--random 198.51.100.0/24,203.0.113.0/24 \
		--rate "$FLOOD_SPOOF_RATE" --duration "$FLOOD_FORGED" \
		--count $((FLOOD_SPOOF_RATE * FLOOD_FORGED + 1000))
}

# flood_report EXPR: EXPR over $FLOOD_OUT/report.json (fs_json).
flood_report()
{
	fs_json "$1" <"$FLOOD_OUT/report.json" 2>/dev/null
}

flood_cleanup()
{
	flood_sampler_stop
	flood_daemon_stop
}
