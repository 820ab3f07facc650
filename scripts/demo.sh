#!/bin/bash
# floodshield demo: a SYN flood against a small server, with and against
# the shield, in two throw-away network namespaces. Run as root from
# anywhere; it installs what is missing (scripts/install-deps.sh), builds
# (make), shows the shield at work and removes everything it made, also
# when interrupted. Takes well under two minutes.
#
# Nothing touches the host's interfaces: the veth pair is created inside
# the namespaces, and every address is from the documentation ranges.
set -u -o pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

FS_TAG=demo$$
FS_SRV_NS=fs-demo-srv-$$
FS_CLI_NS=fs-demo-cli-$$
FS_SRV_IF=fsd-s$$
FS_CLI_IF=fsd-c$$
FS_PIN=/sys/fs/bpf/floodshield-demo-$$
FS_PORT=443			# protected by default: class tcp
FS_SRV_LIFETIME=120

FLOODER=198.51.100.10
FLOOD_N=500			# connection attempts ...
FLOOD_SPREAD=1			# ... within this many seconds: 25 times
				# syn.tcp.src, more than ban.after (20)
LEGIT=203.0.113.30		# not allowlisted: an ordinary client
LEGIT_N=10
LEGIT_SPREAD=4

if [ -t 1 ]; then
	B=$'\033[1m' N=$'\033[0m'
else
	B='' N=''
fi

step() { printf '\n%s== %s%s\n' "$B" "$*" "$N"; }
say()  { printf '   %s\n' "$*"; }
die()  { printf '\n%sdemo failed: %s%s\n' "$B" "$*" "$N" >&2; exit 1; }

# Show a floodshield command, then run it.
show_cli()
{
	printf '   $ floodshield %s\n' "$*"
	fs_cli "$@" | sed 's/^/     /'
}

# Packets counted for one reason.
packets()
{
	fs_cli -j stats | fs_json \
		"sum(r['packets'] for r in d['reasons'] if r['reason'] == '$1')"
}

prepare()
{
	local why

	[ "$(id -u)" = 0 ] || die "run me as root (namespaces, XDP, bpffs)"
	cd "$ROOT" || die "cannot enter $ROOT"

	step "1. Dependencies and build"
	say "scripts/install-deps.sh installs only what is missing."
	scripts/install-deps.sh || die "installing the dependencies failed"
	if [ ! -x /usr/bin/python3 ]; then
		say "the demo's client and server need python3; installing it"
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
			--no-install-recommends python3-minimal ||
			die "installing python3 failed"
	fi
	make build/floodshield || die "make failed"
	# shellcheck source=tests/ns/lib.sh
	. "$ROOT/tests/ns/lib.sh"
	why=$(fs_missing_prereq)
	[ -z "$why" ] || die "$why"
}

setup()
{
	step "2. Two namespaces joined by a veth pair"
	fs_trap_cleanup
	fs_topo_up || die "could not create the namespaces and the veth pair"
	say "server: namespace $FS_SRV_NS, $FS_SRV_IF = $FS_SRV4 / $FS_SRV6"
	say "client: namespace $FS_CLI_NS, $FS_CLI_IF, sources $FLOODER (flooder)"
	say "        and $LEGIT (an ordinary, legitimate client)"
	fs_server_start || die "the demo server did not start"
	say "a small TCP server listens on port $FS_PORT and logs every peer it accepts"
}

attach()
{
	step "3. Attach the shield to the server's interface"
	say "pinned state (lists, bans, counters) goes to $FS_PIN"
	show_cli attach "$FS_SRV_IF" || die "attach failed"
	show_cli status
	say "limits in effect for port $FS_PORT (class tcp), the defaults:"
	fs_cli show | grep -E '^(syn\.tcp\.|ban\.(after|ttl)=|prefix\.v4)' |
		sed 's/^/     /'
}

flood()
{
	local legit_out=$FS_TMP/legit.count

	step "4. Flood: $FLOOD_N connection attempts from $FLOODER in ${FLOOD_SPREAD} s"
	say "meanwhile $LEGIT connects $LEGIT_N times, once every $(awk -v s="$LEGIT_SPREAD" -v n="$LEGIT_N" 'BEGIN { print s / n }') s"
	fs_flood "$LEGIT" "$LEGIT_N" "$LEGIT_SPREAD" 2 >"$legit_out" &
	local legit_pid=$!
	FLOOD_DONE=$(fs_flood "$FLOODER" "$FLOOD_N" "$FLOOD_SPREAD" 2)
	wait "$legit_pid"
	fs_server_settle
	say "handshakes completed: flooder $FLOOD_DONE of $FLOOD_N," \
		"legitimate client $(cat "$legit_out") of $LEGIT_N"
}

report()
{
	local reached legit

	step "5. What the shield counted"
	show_cli stats
	say "in short: $(packets ban) packets dropped as banned, $(packets syn_rate_src)" \
		"SYNs dropped over the rate, $(packets service) passed to the service"
	step "6. Bans and blocks"
	if fs_cli block list | grep -q "^$FLOODER/32 .* ban "; then
		say "the flooder kept exceeding its SYN rate, so it was banned:"
	else
		say "the flooder was held to its SYN rate but not banned:"
	fi
	show_cli block list

	reached=$(fs_accepted "$FLOODER")
	legit=$(fs_accepted "$LEGIT")
	step "Summary"
	say "flood: $FLOOD_N attempts, $reached reached the server"
	say "legitimate: $legit/$LEGIT_N"
	if [ "$legit" = "$LEGIT_N" ] && [ "$reached" -lt "$FLOOD_N" ]; then
		say "The shield let the flooder's first burst through, then dropped"
		say "its SYNs in XDP, before the kernel spent a socket on them; the"
		say "legitimate client never noticed."
	else
		say "unexpected: see the counters above."
	fi
}

main()
{
	prepare
	setup
	attach
	flood
	report
	step "Cleaning up"
	fs_cleanup
	say "namespaces, veth pair, server and $FS_PIN removed"
}

main "$@"
