# shellcheck shell=bash
# SMTP helpers for tests/ns/50_smtp.sh, on top of lib.sh (source lib.sh
# first). Defines functions and variables only, and runs nothing.
#
# In the server namespace, each started here, each stopped by the PID
# we started, never by name:
#
#   unbound     127.0.0.1:53, local-data fixtures (SMTP_DNS_FIXTURES);
#               the zone 40.113.0.203.in-addr.arpa is forwarded to
#               127.0.0.2:53, where
#   a swallower (python, UDP) reads every query and answers none: the
#               reverse lookup of 203.0.113.40 never completes, which is
#               a DNS tempfail (timeout) for every resolver behind it.
#   Postfix     a private instance (its own config folder, queue, log),
#               `postfix -c DIR start-fg` under setsid, on 192.0.2.1:25
#               and [2001:db8::1]:25; accepts mail for example.net into
#               the mbox file $SMTP_MBOX; mynetworks hold every
#               documentation range, no DNS-based restriction.
#
# Postfix's resolver reads /etc/resolv.conf and can only use port 53:
# /etc/netns/$FS_SRV_NS/resolv.conf (which `ip netns exec` binds over
# /etc/resolv.conf) points it to the unbound above, with a 1 s timeout
# and one attempt, so that Postfix's own reverse lookup of the tempfail
# source costs it one second, not ten. The file and its folder go on
# cleanup.

SMTP_UNBOUND=${SMTP_UNBOUND:-/usr/sbin/unbound}
SMTP_POSTFIX=${SMTP_POSTFIX:-/usr/sbin/postfix}
SMTP_SWAKS=${SMTP_SWAKS:-/usr/bin/swaks}
SMTP_LIFETIME=${SMTP_LIFETIME:-300}	# seconds any server here may live
SMTP_DOMAIN=example.net			# delivered locally
SMTP_RCPT=postmaster@$SMTP_DOMAIN
SMTP_MAILBOX_UID=65534			# nobody: owns the mbox
SMTP_SWALLOW_ADDR=127.0.0.2

SMTP_UNBOUND_PID=
SMTP_SWALLOW_PID=
SMTP_POSTFIX_PID=
SMTP_DIR=
SMTP_PF_DIR=
SMTP_MBOX=
SMTP_MAILLOG=
SMTP_NETNS_ETC=
SMTP_NETNS_ETC_MADE=

# Knobs of the Postfix instance (smtp_postfix_write_conf), for the flood
# scenario (flood_lib.sh): the networks Postfix trusts, the master.cf
# line(s) of the SMTP service, and main.cf lines added at the end.
SMTP_PF_MYNETWORKS=${SMTP_PF_MYNETWORKS:-127.0.0.0/8, 192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24, [2001:db8::]/32}
SMTP_PF_SERVICE=${SMTP_PF_SERVICE:-"smtp      inet  n       -       n       -       -       smtpd"}
SMTP_PF_MAIN_EXTRA=${SMTP_PF_MAIN_EXTRA:-}

# Fixtures: documentation addresses (RFC 5737, 3849) and names (RFC 2606).
#   198.51.100.10  PTR mta.example.org, A 198.51.100.10       verified (ok)
#   2001:db8::10   PTR mta6.example.org, AAAA 2001:db8::10    verified (ok)
#   203.0.113.30   PTR bot.example.com, A 192.0.2.99          failed (mismatch)
#   203.0.113.40   PTR zone forwarded to the swallower        tempfail (timeout)
#   198.51.100.20  PTR mta2.example.org, A 198.51.100.20      verified (ok)
#   203.0.113.50   PTR omta0042.isp.example, no A or AAAA      no_forward (strict),
#                  (the seed's ISP relay)                      weak (ptr_only = weak)
# Everything else is refused: nothing is ever asked outside.
IFS= read -r -d '' SMTP_DNS_FIXTURES <<'EOF' || true
	local-zone: "." refuse
	local-zone: "example.org." static
	local-data: "example.org. 300 IN SOA ns.example.org. hostmaster.example.org. 1 3600 600 86400 300"
	local-data: "mta.example.org. 300 IN A 198.51.100.10"
	local-data: "mta6.example.org. 300 IN AAAA 2001:db8::10"
	local-data: "mta2.example.org. 300 IN A 198.51.100.20"
	local-zone: "isp.example." static
	local-data: "isp.example. 300 IN SOA ns.isp.example. hostmaster.isp.example. 1 3600 600 86400 300"
	local-zone: "example.com." static
	local-data: "example.com. 300 IN SOA ns.example.com. hostmaster.example.com. 1 3600 600 86400 300"
	local-data: "bot.example.com. 300 IN A 192.0.2.99"
	local-zone: "100.51.198.in-addr.arpa." static
	local-data: "100.51.198.in-addr.arpa. 300 IN SOA ns.example.org. hostmaster.example.org. 1 3600 600 86400 300"
	local-data: "10.100.51.198.in-addr.arpa. 300 IN PTR mta.example.org."
	local-data: "20.100.51.198.in-addr.arpa. 300 IN PTR mta2.example.org."
	local-zone: "113.0.203.in-addr.arpa." static
	local-data: "113.0.203.in-addr.arpa. 300 IN SOA ns.example.com. hostmaster.example.com. 1 3600 600 86400 300"
	local-data: "30.113.0.203.in-addr.arpa. 300 IN PTR bot.example.com."
	local-data: "50.113.0.203.in-addr.arpa. 300 IN PTR omta0042.isp.example."
	local-zone: "40.113.0.203.in-addr.arpa." transparent
	local-zone: "8.b.d.0.1.0.0.2.ip6.arpa." static
	local-data: "8.b.d.0.1.0.0.2.ip6.arpa. 300 IN SOA ns.example.org. hostmaster.example.org. 1 3600 600 86400 300"
	local-data: "0.1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa. 300 IN PTR mta6.example.org."
forward-zone:
	name: "40.113.0.203.in-addr.arpa."
	forward-addr: 127.0.0.2@53
EOF

# ---------------------------------------------------------------------
# DNS.

smtp_unbound_listening()
{
	fs_in_srv ss -Hlun "sport = :53" 2>/dev/null | grep -q "127.0.0.1:53"
}

smtp_unbound_start()
{
	local d=$SMTP_DIR/unbound out

	mkdir -p "$d" || return 1
	cat >"$d/unbound.conf" <<-EOF
	server:
		interface: 127.0.0.1
		port: 53
		do-ip6: no
		do-daemonize: no
		username: ""
		chroot: ""
		directory: "$d"
		pidfile: "$d/unbound.pid"
		logfile: "$d/unbound.log"
		use-syslog: no
		verbosity: 1
		log-queries: yes
		num-threads: 1
		module-config: "iterator"
		do-not-query-localhost: no
		rrset-roundrobin: no
	$SMTP_DNS_FIXTURES
	remote-control:
		control-enable: no
	EOF
	if ! out=$(/usr/sbin/unbound-checkconf "$d/unbound.conf" 2>&1); then
		echo "# unbound-checkconf: $out" >&2
		return 1
	fi
	setsid timeout "$SMTP_LIFETIME" ip netns exec "$FS_SRV_NS" \
		"$SMTP_UNBOUND" -d -c "$d/unbound.conf" \
		</dev/null >"$d/stdout" 2>&1 &
	SMTP_UNBOUND_PID=$!
	fs_wait_until 30 fs_alive_and "$SMTP_UNBOUND_PID" smtp_unbound_listening && return 0
	echo "# unbound did not start: $(cat "$d/stdout" "$d/unbound.log" 2>/dev/null)" >&2
	return 1
}

# A UDP socket on 127.0.0.2:53 that reads queries and answers none.
IFS= read -r -d '' SMTP_PY_SWALLOW <<'EOF' || true
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind((sys.argv[1], 53))
open(sys.argv[2], "w").close()
n = 0
while True:
    s.recvfrom(4096)
    n += 1
    open(sys.argv[3], "w").write("%d\n" % n)
EOF

smtp_swallow_start()
{
	local ready=$SMTP_DIR/swallow.ready

	timeout "$SMTP_LIFETIME" ip netns exec "$FS_SRV_NS" "$FS_PY" -c \
		"$SMTP_PY_SWALLOW" "$SMTP_SWALLOW_ADDR" "$ready" \
		"$SMTP_DIR/swallowed" 2>"$SMTP_DIR/swallow.err" &
	SMTP_SWALLOW_PID=$!
	fs_wait_until 30 fs_alive_and "$SMTP_SWALLOW_PID" test -e "$ready" && return 0
	echo "# swallower did not start: $(cat "$SMTP_DIR/swallow.err")" >&2
	return 1
}

# Queries the swallower has eaten so far.
smtp_swallowed()
{
	cat "$SMTP_DIR/swallowed" 2>/dev/null || echo 0
}

# resolv.conf for the server namespace (Postfix's resolver).
smtp_resolv_conf()
{
	SMTP_NETNS_ETC=/etc/netns/$FS_SRV_NS
	[ -d /etc/netns ] || SMTP_NETNS_ETC_MADE=1
	mkdir -p "$SMTP_NETNS_ETC" || return 1
	printf 'nameserver 127.0.0.1\noptions timeout:1 attempts:1\n' \
		>"$SMTP_NETNS_ETC/resolv.conf"
}

# dig in the server namespace: dig ARGS... (short answers).
smtp_dig()
{
	timeout 10 ip netns exec "$FS_SRV_NS" dig +short +time=1 +tries=1 \
		@127.0.0.1 "$@" 2>&1
}

# ---------------------------------------------------------------------
# Postfix.

smtp_postfix_write_conf()
{
	local d=$SMTP_PF_DIR

	mkdir -p "$d/spool" "$d/data" "$d/mail" || return 1
	chown "$SMTP_MAILBOX_UID:$SMTP_MAILBOX_UID" "$d/mail" &&
	chown postfix "$d/data" || return 1
	cat >"$d/main.cf" <<-EOF
	compatibility_level = 3.6
	queue_directory = $d/spool
	data_directory = $d/data
	mail_owner = postfix
	setgid_group = postdrop
	maillog_file_prefixes = $SMTP_DIR
	maillog_file = $SMTP_MAILLOG
	myhostname = mx.$SMTP_DOMAIN
	mydomain = $SMTP_DOMAIN
	myorigin = \$myhostname
	mydestination =
	inet_interfaces = $FS_SRV4, [$FS_SRV6]
	inet_protocols = ipv4, ipv6
	mynetworks = $SMTP_PF_MYNETWORKS
	smtpd_banner = \$myhostname ESMTP
	smtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination
	virtual_mailbox_domains = $SMTP_DOMAIN
	virtual_mailbox_base = $d/mail
	virtual_mailbox_maps = inline:{ $SMTP_RCPT=inbox }
	virtual_uid_maps = static:$SMTP_MAILBOX_UID
	virtual_gid_maps = static:$SMTP_MAILBOX_UID
	alias_maps =
	alias_database =
	local_recipient_maps =
	biff = no
	smtputf8_enable = no
	readme_directory = no
	$SMTP_PF_MAIN_EXTRA
	EOF
	# No chroot: the services read the namespace's resolv.conf.
	printf '%s\n' "$SMTP_PF_SERVICE" >"$d/master.cf"
	cat >>"$d/master.cf" <<-'EOF'
	pickup    unix  n       -       n       60      1       pickup
	cleanup   unix  n       -       n       -       0       cleanup
	qmgr      unix  n       -       n       300     1       qmgr
	rewrite   unix  -       -       n       -       -       trivial-rewrite
	bounce    unix  -       -       n       -       0       bounce
	defer     unix  -       -       n       -       0       bounce
	trace     unix  -       -       n       -       0       bounce
	verify    unix  -       -       n       -       1       verify
	flush     unix  n       -       n       1000?   0       flush
	proxymap  unix  -       -       n       -       -       proxymap
	proxywrite unix -       -       n       -       1       proxymap
	smtp      unix  -       -       n       -       -       smtp
	relay     unix  -       -       n       -       -       smtp
	showq     unix  n       -       n       -       -       showq
	error     unix  -       -       n       -       -       error
	retry     unix  -       -       n       -       -       error
	discard   unix  -       -       n       -       -       discard
	local     unix  -       n       n       -       -       local
	virtual   unix  -       n       n       -       -       virtual
	lmtp      unix  -       -       n       -       -       lmtp
	anvil     unix  -       -       n       -       1       anvil
	scache    unix  -       -       n       -       1       scache
	postlog   unix-dgram n  -       n       -       1       postlogd
	EOF
}

# True when Postfix listens on port 25, IPv4 and IPv6.
smtp_postfix_listening()
{
	local l

	l=$(fs_in_srv ss -Hltn "sport = :25" 2>/dev/null)
	grep -qF "$FS_SRV4:25" <<<"$l" && grep -qF "[$FS_SRV6]:25" <<<"$l"
}

smtp_postfix_start()
{
	SMTP_PF_DIR=$SMTP_DIR/postfix
	SMTP_MBOX=$SMTP_PF_DIR/mail/inbox
	SMTP_MAILLOG=$SMTP_DIR/maillog
	smtp_postfix_write_conf || return 1
	# mktemp -d makes 0700 folders; Postfix and the mailbox owner
	# work as other users.
	chmod 0755 "$FS_TMP" "$SMTP_DIR"
	setsid ip netns exec "$FS_SRV_NS" "$SMTP_POSTFIX" -c "$SMTP_PF_DIR" \
		start-fg </dev/null >"$SMTP_DIR/postfix.out" 2>&1 &
	SMTP_POSTFIX_PID=$!
	fs_wait_until 30 fs_alive_and "$SMTP_POSTFIX_PID" smtp_postfix_listening && return 0
	echo "# postfix did not start: $(tail -n 5 "$SMTP_DIR/postfix.out")" >&2
	return 1
}

# `postfix stop` (its master ends its children), then TERM and KILL to
# the PID we started if it is still there after 10 s.
smtp_postfix_stop()
{
	local _

	[ -n "$SMTP_POSTFIX_PID" ] || return 0
	ip netns exec "$FS_SRV_NS" "$SMTP_POSTFIX" -c "$SMTP_PF_DIR" stop \
		>/dev/null 2>&1
	for _ in $(seq 100); do
		kill -0 "$SMTP_POSTFIX_PID" 2>/dev/null || break
		sleep 0.1
	done
	kill -TERM "$SMTP_POSTFIX_PID" 2>/dev/null && sleep 1
	kill -KILL "$SMTP_POSTFIX_PID" 2>/dev/null
	wait "$SMTP_POSTFIX_PID" 2>/dev/null
	SMTP_POSTFIX_PID=
	return 0
}

# Messages in the mailbox sent by smtp_send with TAG; all of them
# without TAG.
smtp_delivered()
{
	local n

	n=$(grep -c "^Subject: fs50 ${1:-.*}\$" "$SMTP_MBOX" 2>/dev/null)
	echo "${n:-0}"
}

# smtp_wait_delivered TAG N: wait (at most 30 s) for N such messages.
smtp_wait_delivered()
{
	fs_wait_until 30 smtp_delivered_ge "$1" "$2"
}

smtp_delivered_ge() { [ "$(smtp_delivered "$1")" -ge "$2" ]; }

# Connections Postfix's smtpd logged from ADDR ("connect from
# NAME[ADDR]"); with NAME, only those it logged under that name.
smtp_connects()
{
	local n

	n=$(grep -c "smtpd\[[0-9]*\]: connect from ${2:-[^[]*}\[${1//./\\.}\]\$" \
		"$SMTP_MAILLOG" 2>/dev/null)
	echo "${n:-0}"
}

# smtp_send SRC EHLO TAG [SWAKS_ARGS...]: one mail from SRC with EHLO
# name EHLO and Subject "fs50 TAG", by swaks in the client namespace, to
# the server's IPv4 or IPv6 address (after SRC). True if swaks says the
# message was accepted.
smtp_send()
{
	local src=$1 ehlo=$2 tag=$3 dst=$FS_SRV4

	shift 3
	case $src in *:*) dst=$FS_SRV6 ;; esac
	timeout 40 ip netns exec "$FS_CLI_NS" "$SMTP_SWAKS" --server "$dst" \
		--port 25 --local-interface "$src" --ehlo "$ehlo" \
		--from "sender@$ehlo" --to "$SMTP_RCPT" \
		--header "Subject: fs50 $tag" --body "floodshield test $tag" \
		--timeout 30 "$@" >>"$SMTP_DIR/swaks.log" 2>&1
}

# ---------------------------------------------------------------------
# The floodshield daemon on the server namespace.

SMTP_DAEMON_PID=

# True once `status` shows the daemon we started, serving.
smtp_daemon_up()
{
	kill -0 "$SMTP_DAEMON_PID" 2>/dev/null || return "$FS_GIVE_UP"
	[ "$(fs_cli -j status 2>/dev/null | fs_json \
		"d['daemon'] is not None and d['daemon']['pid'] == $SMTP_DAEMON_PID" 2>/dev/null)" = 1 ]
}

# smtp_daemon_start CONF LOG: `floodshield -n SERVER_NS run -c CONF`,
# its output appended to LOG; waits (at most 30 s) until it serves.
smtp_daemon_start()
{
	"$FS_BIN" -n "$FS_SRV_NS" run -c "$1" >>"$2" 2>&1 &
	SMTP_DAEMON_PID=$!
	fs_wait_until 30 smtp_daemon_up && return 0
	echo "# daemon did not start: $(tail -n 5 "$2")" >&2
	return 1
}

smtp_daemon_stop()
{
	[ -n "$SMTP_DAEMON_PID" ] || return 0
	kill -TERM "$SMTP_DAEMON_PID" 2>/dev/null
	wait "$SMTP_DAEMON_PID" 2>/dev/null
	SMTP_DAEMON_PID=
}

# ---------------------------------------------------------------------

smtp_cleanup_servers()
{
	local pid

	smtp_postfix_stop
	for pid in "$SMTP_UNBOUND_PID" "$SMTP_SWALLOW_PID"; do
		[ -n "$pid" ] || continue
		kill -TERM "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
	done
	SMTP_UNBOUND_PID='' SMTP_SWALLOW_PID=''
	if [ -n "$SMTP_NETNS_ETC" ]; then
		rm -f "$SMTP_NETNS_ETC/resolv.conf"
		rmdir "$SMTP_NETNS_ETC" 2>/dev/null
		[ -n "$SMTP_NETNS_ETC_MADE" ] && rmdir /etc/netns 2>/dev/null
		SMTP_NETNS_ETC=
	fi
	return 0
}
