#!/bin/bash
# Namespace test of the SMTP shield with a real Postfix, a real DNS and
# the daemon's verifier (FCrDNS over libunbound).
#
# Topology: lib.sh's server and client namespaces joined by one veth
# pair. In the server namespace (smtp_lib.sh): unbound on 127.0.0.1:53
# with the fixtures below, a swallower on 127.0.0.2:53 that unbound
# forwards 40.113.0.203.in-addr.arpa to and that never answers, a
# private Postfix on 192.0.2.1:25 and [2001:db8::1]:25 delivering
# example.net into an mbox file, and the floodshield daemon
# (`floodshield -n SERVER_NS run`, its own pin and state folders,
# [dns] resolver = 127.0.0.1@53: the daemon enters the namespace before
# it starts libunbound, so that is the namespace's own loopback).
#
# Clients, all swaks (or lib.sh's fs_flood for bare connections) in the
# client namespace, from documentation addresses:
#   198.51.100.10  EHLO mta.example.org   PTR mta.example.org, A matches:
#                                          verified
#   2001:db8::10   EHLO mta6.example.org  PTR mta6.example.org, AAAA
#                                          matches: verified (IPv6)
#   203.0.113.30   EHLO bot.example.com   PTR bot.example.com, A
#                                          192.0.2.99: failed (mismatch)
#   203.0.113.40   EHLO relay.example.net  PTR zone never answers:
#                                          tempfail (timeout), unverified
#
# Asserted:
#   - the fixtures answer (dig), Postfix listens, the daemon attaches;
#   - mail from the verified MTA is delivered (found in the mbox); after
#     its EHLO the daemon verifies it: `explain -j` shows class verified,
#     reason ok, the PTR name and the EHLO name; its next connections are
#     counted as smtp_verified; Postfix names it the same
#     (connect from mta.example.org[...]);
#   - the same over IPv6;
#   - the failed source: its first mail is delivered (a deferral is for
#     floods, not a rejection), then explain shows failed / mismatch
#     with the PTR and EHLO names; then a flood of 30 connection attempts
#     in 3 s (smtp.failed.src = 1/2) is deferred at the NIC: only the few
#     within the rate complete (at most what the bucket passes in the
#     time the client ran: a bound that holds at any speed), the shield
#     passed exactly the SYNs that completed (smtp_failed), Postfix logs
#     exactly those, smtp_defer_failed grows by at least the attempts
#     that failed, and no ban is made (ban.after 20, the default);
#     meanwhile the verified MTA sends 5 mails, all delivered, none
#     deferred;
#   - the tempfail source: explain shows unverified / timeout, its EHLO
#     name kept; 4 more mails, one every 0.5 s, are all delivered and
#     none of its SYNs is deferred (smtp.unverified.src = 3/5: its 5
#     connections fit in the burst, however they are spaced);
#   - SMTP buckets never ban: with ban.after = 5 (floodshield set) a
#     second flood is deferred again and no ban is made; real connections
#     to tcp port 443 (lib.sh's server) with XDP SYN cookies on
#     (fs_cookies_on), proven by their cookie ACKs, then ban the bot
#     over conn.src (conn_rate), and the ban holds for
#     SMTP: its next mail does not reach Postfix, while the verified MTA
#     still delivers.
# Bounded: every client under `timeout`, every loop counted; about 40 s.
# Every wait is for a state (a verdict, a delivery, a log line, a ban),
# bounded; the daemon is waited for through `status -j`.
set -u

FS_PORT=25				# fs_flood's destination port
FS_PIN=${FS_PIN:-/sys/fs/bpf/fs-smtp-$$}
# shellcheck source=tests/ns/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
# shellcheck source=tests/ns/smtp_lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/smtp_lib.sh"
fs_daemon_user || fs_die "cannot make the daemon's user (systemd-sysusers)"

T=50_smtp

MTA=198.51.100.10	MTA_NAME=mta.example.org
MTA6=2001:db8::10	MTA6_NAME=mta6.example.org
BOT=203.0.113.30	BOT_NAME=bot.example.com
SLOW=203.0.113.40	SLOW_EHLO=relay.example.net
NOPTR=198.51.100.21	# no PTR record (NXDOMAIN); connects, never sends EHLO

FLOOD_ATTEMPTS=30	# connection attempts of the bot
FLOOD_SPREAD=3		# seconds they are spread over
FLOOD_WAIT=1.5		# then seconds to wait for pending handshakes
FAILED_RATE=1 FAILED_BURST=2
TCP_PORT=443		# tcp class by default; lib.sh's server, for check_ban
DNS_TIMEOUT_S=2

CONF=
DLOG=

# Figures for the summary line.
S_DELIVERED=0 S_FLOOD_DONE="?" S_DEFERRED="?" S_BOT_PF="?"

# ---------------------------------------------------------------------

# ban.after is left out (its default, 20): `floodshield set` changes it
# below, and a key the file gives is the file's (the CLI is refused it).
write_conf()
{
	cat >"$CONF" <<-CONF
	[shield]
	interfaces = $FS_SRV_IF
	pin_dir = $FS_PIN
	state_dir = $FS_TMP/state
	[limits]
	smtp.verified.src = 20/40
	smtp.unverified.src = 3/5
	smtp.failed.src = $FAILED_RATE/$FAILED_BURST
	[metrics]
	listen = off
	[dns]
	resolver = 127.0.0.1@53
	timeout = ${DNS_TIMEOUT_S}s
	retry = 60s
	verify_smtp = on
	CONF
}

cleanup()
{
	smtp_daemon_stop
	smtp_cleanup_servers
	fs_cleanup
}

# Packets counted for REASON in `stats -j`.
stat_packets()
{
	fs_cli -j stats | fs_json \
		"sum(r['packets'] for r in d['reasons'] if r['reason'] == '$1')"
}

# explain ADDR EXPR: EXPR over `explain -j ADDR` (see fs_json).
explain()
{
	fs_cli -j explain "$1" | fs_json "$2" 2>/dev/null
}

# wait_dns ADDR CLASS REASON MAX_S: until explain shows that verdict.
wait_dns()
{
	fs_wait_until "$4" has_dns "$1" "$2" "$3"
}

has_dns()
{
	[ "$(explain "$1" "d['dns'] is not None and d['dns']['class'] == '$2' and d['dns']['reason'] == '$3'")" = 1 ]
}

# check_dns ADDR CLASS REASON NAME EHLO MAX_S: the verdict arrives, with
# the PTR name (NAME, "" for none) and the last EHLO name.
check_dns()
{
	local addr=$1 class=$2 reason=$3 name=$4 ehlo=$5 out

	wait_dns "$addr" "$class" "$reason" "$6"
	out=$(fs_cli -j explain "$addr")
	[ "$(fs_json "d['dns']['class'] == '$class' and d['dns']['reason'] == '$reason' and d['dns']['name'] == '$name' and d['dns']['ehlo'] == '$ehlo'" <<<"$out" 2>/dev/null)" = 1 ]
	fs_result $? "$T: $addr verified by the daemon: $class ($reason), name '${name:--}', EHLO $ehlo" \
		"explain: $out" "daemon log: $(grep "dns:" "$DLOG" | tail -n 3)"
}

swallowed_some() { [ "$(smtp_swallowed)" -ge 1 ]; }

# connects_ge ADDR N: Postfix has logged at least N connections from ADDR.
connects_ge() { [ "$(smtp_connects "$1")" -ge "$2" ]; }

# send_ok SRC EHLO TAG: one mail, accepted by Postfix and found in the mbox.
send_ok()
{
	local before

	before=$(smtp_delivered "$3")
	smtp_send "$1" "$2" "$3" && smtp_wait_delivered "$3" $((before + 1))
}

# ---------------------------------------------------------------------

setup()
{
	local v

	# the no-PTR source is this script's own (lib.sh's are the others')
	if ! fs_topo_up ||
		! ip -n "$FS_CLI_NS" addr add "$NOPTR/32" dev "$FS_CLI_IF"; then
		fs_fail "$T: namespaces and veth set up"
		return 1
	fi
	SMTP_DIR=$FS_TMP/smtp
	mkdir -p "$SMTP_DIR" "$FS_TMP/state" || return 1
	if ! smtp_resolv_conf || ! smtp_unbound_start || ! smtp_swallow_start; then
		fs_fail "$T: unbound on 127.0.0.1:53 and the swallower on 127.0.0.2:53 start"
		return 1
	fi
	fs_note "setup: $T: unbound on 127.0.0.1:53 and the swallower on 127.0.0.2:53 start"
	v="$(smtp_dig -x $MTA) $(smtp_dig $MTA_NAME) $(smtp_dig -x $BOT) $(smtp_dig $BOT_NAME)"
	v="$v $(smtp_dig -x $MTA6) $(smtp_dig AAAA $MTA6_NAME)"
	[ "$v" = "$MTA_NAME. $MTA $BOT_NAME. 192.0.2.99 $MTA6_NAME. $MTA6" ]
	fs_result $? "$T: DNS fixtures answer (PTR and A/AAAA of the MTAs and the bot)" "$v"
	if ! smtp_postfix_start; then
		fs_fail "$T: Postfix listens on $FS_SRV4:25 and [$FS_SRV6]:25" \
			"$(tail -n 5 "$SMTP_MAILLOG" 2>/dev/null)"
		return 1
	fi
	fs_note "setup: $T: Postfix listens on $FS_SRV4:25 and [$FS_SRV6]:25"
	CONF=$FS_TMP/floodshield.conf
	DLOG=$FS_TMP/daemon.log
	write_conf
	if ! smtp_daemon_start "$CONF" "$DLOG"; then
		fs_fail "$T: daemon starts and attaches to $FS_SRV_IF" "$(tail -n 5 "$DLOG")"
		return 1
	fi
	fs_note "setup: $T: daemon starts and attaches to $FS_SRV_IF"
}

check_verified()
{
	local out n0 n1

	send_ok "$MTA" "$MTA_NAME" verified-first
	fs_result $? "$T: mail from the verified MTA $MTA is delivered" \
		"$(tail -n 3 "$SMTP_DIR/swaks.log")"
	check_dns "$MTA" verified ok "$MTA_NAME" "$MTA_NAME" 15
	n0=$(stat_packets smtp_verified)
	send_ok "$MTA" "$MTA_NAME" verified-second
	n1=$(stat_packets smtp_verified)
	[ $((n1 - n0)) -ge 1 ]
	fs_result $? "$T: once verified, the MTA's connections count as smtp_verified" \
		"smtp_verified $n0 -> $n1; stats: $(fs_cli stats | grep smtp_)"
	[ "$(smtp_connects "$MTA" "$MTA_NAME")" -ge 2 ]
	fs_result $? "$T: Postfix names it the same: connect from ${MTA_NAME}[$MTA]" \
		"$(grep "connect from" "$SMTP_MAILLOG" | tail -n 2)"

	send_ok "$MTA6" "$MTA6_NAME" verified-v6
	fs_result $? "$T: mail from the verified MTA $MTA6 over IPv6 is delivered" \
		"$(tail -n 3 "$SMTP_DIR/swaks.log")"
	check_dns "$MTA6" verified ok "$MTA6_NAME" "$MTA6_NAME" 15
	out=$(explain "$MTA6" "[r['bucket'] for r in d['rates']]")
	[[ $out == *smtp.* ]]
	fs_result $? "$T: explain $MTA6 lists its smtp buckets" "$out"
}

# The bot: verified as failed, then its flood is deferred.
check_failed()
{
	local completed pf0 pf1 d0 d1 v0 v1 b0 f0 f1 mails=5 ok=0 fpid bound

	send_ok "$BOT" "$BOT_NAME" bot-first
	fs_result $? "$T: the bot's first mail is delivered (deferral is for floods)"
	check_dns "$BOT" failed mismatch "$BOT_NAME" "$BOT_NAME" 15
	[ "$(smtp_connects "$BOT" unknown)" = 1 ]
	fs_result $? "$T: Postfix does not confirm it either: connect from unknown[$BOT]"

	sleep $((FAILED_BURST / FAILED_RATE + 1))	# the bot's bucket refills
	pf0=$(smtp_connects "$BOT")
	d0=$(stat_packets smtp_defer_failed)
	v0=$(stat_packets smtp_verified)
	b0=$(stat_packets smtp_defer_verified)
	f0=$(stat_packets smtp_failed)
	FS_FLOOD_SPAN=$FS_TMP/flood.span \
		fs_flood "$BOT" "$FLOOD_ATTEMPTS" "$FLOOD_SPREAD" "$FLOOD_WAIT" \
		>"$FS_TMP/flood.out" &
	fpid=$!
	for _ in $(seq "$mails"); do
		send_ok "$MTA" "$MTA_NAME" during-flood && ok=$((ok + 1))
		sleep 0.2
	done
	wait "$fpid"
	completed=$(cat "$FS_TMP/flood.out")
	# Postfix logs each connection once it accepts it
	fs_wait_until 10 connects_ge "$BOT" $((pf0 + completed))
	pf1=$(smtp_connects "$BOT")
	d1=$(stat_packets smtp_defer_failed)
	v1=$(stat_packets smtp_verified)
	f1=$(stat_packets smtp_failed)
	S_FLOOD_DONE=$completed S_DEFERRED=$((d1 - d0)) S_BOT_PF=$((pf1 - pf0))

	# What the bucket can pass while the client ran (its SYN retries
	# included), however slow the machine: fs_span_bound.
	bound=$(fs_span_bound "$FAILED_RATE" "$FAILED_BURST" "$FS_TMP/flood.span" \
		"$(fs_flood_limit "$FLOOD_SPREAD" "$FLOOD_WAIT")")
	fs_note "$T: the flood client ran $(cat "$FS_TMP/flood.span" 2>/dev/null || echo '?') s: its bucket could pass at most $bound"
	[ "$completed" -ge 1 ] && [ "$completed" -le "$bound" ]
	fs_result $? "$T: flood of $FLOOD_ATTEMPTS connections from the bot: a few completed, within its bucket" \
		"completed: $completed, at most $bound"
	[ "$((f1 - f0))" = "$completed" ]
	fs_result $? "$T: the shield passed exactly the bot's SYNs that completed (smtp_failed)" \
		"smtp_failed +$((f1 - f0)), completed $completed"
	[ "$((pf1 - pf0))" = "$completed" ]
	fs_result $? "$T: Postfix saw exactly those $completed connections from the bot" \
		"Postfix logged $((pf1 - pf0))"
	[ "$((d1 - d0))" -ge "$((FLOOD_ATTEMPTS - completed))" ]
	fs_result $? "$T: smtp_defer_failed grew by $((d1 - d0)) (>= $((FLOOD_ATTEMPTS - completed)) attempts that failed)"
	[ "$ok" = "$mails" ]
	fs_result $? "$T: during the flood the verified MTA delivered $ok/$mails mails" \
		"$(tail -n 5 "$SMTP_DIR/swaks.log")"
	[ "$((v1 - v0))" -ge "$mails" ] && [ "$(stat_packets smtp_defer_verified)" = "$b0" ]
	fs_result $? "$T: its $mails connections counted smtp_verified, none deferred" \
		"smtp_verified +$((v1 - v0)); $(fs_cli stats | grep smtp_)"
	[ "$(explain "$BOT" "len(d['bans'])")" = 0 ]
	fs_result $? "$T: the bot is deferred, not banned" \
		"$(fs_cli explain "$BOT")"
}

# sessions CLASS: open SMTP sessions of that pool, from the metrics.
sessions()
{
	fs_cli metrics --once 2>/dev/null |
		awk -v c="$1" '$1 == "floodshield_smtp_sessions{class=\"" c "\"}" { print $2 }'
}

sessions_zero() { [ "$(sessions verified)" = 0 ] && [ "$(sessions open)" = 0 ]; }

# Admission: smtp import reads the private Postfix's capacity; the
# sessions of the mails delivered so far were counted and ended by the
# clients' FIN on real sockets (the server closed first after QUIT).
check_sessions()
{
	local out

	fs_cli smtp import --config "$SMTP_PF_DIR" >/dev/null 2>&1
	out=$(fs_cli -j show | fs_json "d['smtp.capacity']" 2>/dev/null)
	[ "$out" = 100 ]
	fs_result $? "$T: smtp import reads Postfix's capacity (smtp inet smtpd, limit -: default_process_limit 100)" \
		"smtp.capacity: $out"
	[ "$(stat_packets smtp_full_open)$(stat_packets smtp_full_verified)" = 00 ]
	fs_result $? "$T: no SYN refused for a full pool"
	fs_wait_until 10 sessions_zero
	[ "$(fs_cli -j stats | fs_json "d['events'].get('smtp_opened', 0) >= 3")" = 1 ] &&
		sessions_zero
	fs_result $? "$T: the delivered mails' sessions were counted, and ended by the clients' FIN" \
		"verified $(sessions verified), open $(sessions open); $(fs_cli stats | grep smtp_)"
}

# First contact: a source that completes its handshake and never sends
# EHLO (a dripper would not either) is verified all the same; without a
# PTR it is failed (no_ptr) as soon as unbound answers.
check_first_contact()
{
	fs_connect "$NOPTR"
	fs_result $? "$T: $NOPTR completes a handshake and sends no EHLO"
	check_dns "$NOPTR" failed no_ptr "" "" 15
	[ "$(fs_cli -j stats | fs_json "d['events'].get('smtp_contact', 0) >= 1")" = 1 ]
	fs_result $? "$T: its first contact was reported (smtp_contact)" \
		"$(fs_cli stats | grep smtp_)"
}

# The source whose PTR zone never answers: tempfail, never blocked.
check_tempfail()
{
	local ok=0 d0 d1 start elapsed

	send_ok "$SLOW" "$SLOW_EHLO" slow-first
	fs_result $? "$T: mail from $SLOW (DNS never answers) is delivered"
	check_dns "$SLOW" tempfail timeout "" "$SLOW_EHLO" $((DNS_TIMEOUT_S + 15))
	fs_wait_until 10 swallowed_some
	[ "$(smtp_swallowed)" -ge 1 ]
	fs_result $? "$T: its PTR queries reached the swallower and went unanswered" \
		"$(smtp_swallowed) swallowed"
	d0=$(stat_packets smtp_defer_tempfail)
	start=$(date +%s.%N)
	for _ in 1 2 3 4; do
		send_ok "$SLOW" "$SLOW_EHLO" slow-more && ok=$((ok + 1))
		sleep 0.5
	done
	elapsed=$(awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN { printf "%.1f", e - s }')
	d1=$(stat_packets smtp_defer_tempfail)
	fs_note "$T: $ok mails from $SLOW delivered in $elapsed s"
	[ "$ok" = 4 ] && [ "$d1" = "$d0" ]
	fs_result $? "$T: 4 more mails from $SLOW at a normal pace: all delivered, none deferred" \
		"delivered $ok; smtp_defer_tempfail $d0 -> $d1"
	[ "$(explain "$SLOW" "d['dns']['class']")" = tempfail ]
	fs_result $? "$T: $SLOW stays tempfail (its own class and budget: a tempfail never blocks)"
}

conn_banned()
{
	[ "$(explain "$1" "any(b['reason'] == 'conn_rate' for b in d['bans'])")" = 1 ]
}

# SMTP buckets defer and never ban, even with a low ban.after; a ban the
# bot earns elsewhere (real connections to a tcp port, proven by their
# cookie ACKs, over conn.src) holds for SMTP too.
check_ban()
{
	local out n0 d0

	# 1/s: 40 SYNs within fs_flood's 12 s limit make more than 5 over
	# the rate between two full refills (5 s idle) at any speed: a ban
	out=$(fs_cli set ban.after=5 syn.tcp.src=1/5 2>&1)
	fs_result $? "$T: floodshield set ban.after=5 syn.tcp.src=1/5" "$out"
	sleep $((FAILED_BURST / FAILED_RATE + 1))
	d0=$(stat_packets smtp_defer_failed)
	# 30 attempts; the bucket passes at most 2 + 12 + 1 in the client's
	# 12 s limit: at least 15 deferred, more than ban.after, at any speed
	fs_flood "$BOT" 30 1 1 >/dev/null
	out=$(fs_cli -j explain "$BOT")
	[ "$(fs_json "len(d['bans'])" <<<"$out")" = 0 ] &&
		[ "$(stat_packets smtp_defer_failed)" -gt "$((d0 + 5))" ]
	fs_result $? "$T: with ban.after=5 a second SMTP flood is deferred again, never banned" \
		"$out" "smtp_defer_failed $d0 -> $(stat_packets smtp_defer_failed)"
	# XDP SYN cookies on, a server on the tcp port, conn.src 1/s: of the
	# bot's 40 real connections the cookie-made ones prove it, and the 5
	# proofs over the rate that ban come within ~11 at any speed
	if ! out=$(fs_cookies_on 2>&1) || ! FS_PORT=$TCP_PORT fs_server_start ||
	   ! out=$(fs_cli set syn.cookies=always conn.src=1/5 conn.prefix=1000/1000 2>&1); then
		fs_fail "$T: XDP SYN cookies and a server on tcp port $TCP_PORT" "$out"
		return
	fi
	FS_PORT=$TCP_PORT fs_flood "$BOT" 40 1 1 >/dev/null
	fs_wait_until 10 conn_banned "$BOT"
	out=$(fs_cli -j explain "$BOT")
	[ "$(fs_json "any(b['reason'] == 'conn_rate' for b in d['bans'])" <<<"$out")" = 1 ]
	fs_result $? "$T: real connections to tcp port $TCP_PORT over conn.src ban the bot (conn_rate)" "$out"
	n0=$(smtp_connects "$BOT")
	! smtp_send "$BOT" "$BOT_NAME" bot-banned --timeout 3
	fs_result $? "$T: the banned bot's mail does not get through"
	[ "$(smtp_connects "$BOT")" = "$n0" ]
	fs_result $? "$T: Postfix saw no connection from the banned bot"
	send_ok "$MTA" "$MTA_NAME" after-ban
	fs_result $? "$T: the verified MTA still delivers"
}

main()
{
	local why start t

	why=$(fs_missing_prereq)
	for t in "$SMTP_UNBOUND" "$SMTP_POSTFIX" "$SMTP_SWAKS" /usr/bin/dig; do
		[ -z "$why" ] && ! [ -x "$t" ] && why="needs $t (scripts/install-deps.sh --test)"
	done
	if [ -n "$why" ]; then
		fs_skip "$T" "$why"
		exit 0
	fi
	if [ ! -x "$FS_BIN" ]; then
		fs_fail "$T: $FS_BIN built" "run make first"
		exit 0
	fi
	start=$SECONDS
	FS_TMP=$(mktemp -d /tmp/fs-smtp-"$FS_TAG".XXXXXX) || fs_die "mktemp"
	# the daemon runs as its user: it reads its config and writes its
	# state under here
	chmod 0755 "$FS_TMP"
	trap cleanup EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
	if setup; then
		check_verified
		check_sessions
		check_first_contact
		check_failed
		check_tempfail
		check_ban
	fi
	S_DELIVERED=$(smtp_delivered)
	fs_note "$T summary: $S_DELIVERED mails delivered; bot flood: $S_FLOOD_DONE of" \
		"$FLOOD_ATTEMPTS connections completed, Postfix saw $S_BOT_PF," \
		"$S_DEFERRED SYNs deferred (smtp_defer_failed)"
	if [ "$FS_FAILS" != 0 ]; then
		fs_note "daemon log:"; tail -n 20 "$DLOG" | sed 's/^/#   /'
	fi
	cleanup
	fs_note "$T: $FS_FAILS failed, $((SECONDS - start)) s"
	exit 0
}

main "$@"
