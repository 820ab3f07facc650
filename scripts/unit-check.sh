#!/bin/bash
# unit-check: the systemd unit under a real systemd. Boots a minimal
# Debian 12 root with systemd as its init in a container
# (systemd-nspawn --boot, package systemd-container), in a network
# namespace made here that holds only veth pairs (documentation
# addresses) and loopback, and runs tests/unit/inner.sh there as a
# oneshot unit after boot: `make install` from the build (read-only bind
# of the tree), then `systemctl start`, `reload` (good and bad files,
# interfaces added and removed), `stop` and `enable` of
# floodshield.service; then boots it again, where systemd starts the
# enabled unit itself. The results come back as TAP lines.
#
#   scripts/unit-check.sh [--rebuild]            (make unit-check)
#
# The root: the cached minimal root of scripts/fresh-check.sh
# (debootstrap --variant=minbase bookworm; made here if missing) plus
# systemd, dbus, make, iproute2, bpftool and the daemon's libraries from
# the package registry apt uses, cached as a tarball in $FS_UNIT_CACHE
# (default /var/cache/floodshield-unit); --rebuild makes it again. Each
# run extracts it afresh and deletes it afterwards. Mounted into it: a
# fresh bpffs (mode 0700, as systemd mounts it on a host) on
# /sys/fs/bpf, the tree on /root/floodshield (read-only), a results
# folder. Host side: one network namespace (unit-ck) and its veth pairs,
# removed by the trap. Needs root and a built tree (`make`); about 30 s
# once the base exists (1 to 2 minutes to make it). Each boot is bounded
# by timeout (FS_UNIT_TIMEOUT, 300 s).
set -u -o pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CACHE=${FS_UNIT_CACHE:-/var/cache/floodshield-unit}
BASE=$CACHE/bookworm-systemd.tar.gz
FRESH_BASE=${FS_FRESH_CACHE:-/var/cache/floodshield-fresh}/bookworm-minbase.tar.gz
NS=unit-ck
BOOT_TIMEOUT=${FS_UNIT_TIMEOUT:-300}
# what the root gets beside minbase: systemd as init, what the check
# uses, and the daemon's shared libraries (ldd build/floodshield)
ROOT_PKGS="systemd systemd-sysv dbus make iproute2 bpftool procps
libxdp1 libbpf1 libelf1 zlib1g libcap2 libmicrohttpd12 libinih1 libunbound8"
WORK=

say() { printf 'unit-check: %s\n' "$*"; }
die() { printf 'unit-check: %s\n' "$*" >&2; exit 1; }

cleanup()
{
	ip netns del "$NS" 2>/dev/null
	[ -n "$WORK" ] || return
	mountpoint -q "$WORK/bpffs" && umount "$WORK/bpffs"
	rm -rf --one-file-system "$WORK"
}

# The Debian mirror apt already uses (its first deb822 or one-line entry).
mirror()
{
	{
		sed -n 's/^URIs: *\([^ ]*\).*/\1/p' /etc/apt/sources.list.d/*.sources
		awk '$1 == "deb" { print $2 }' /etc/apt/sources.list /etc/apt/sources.list.d/*.list
	} 2>/dev/null | grep -v security | head -1
}

# The base root with systemd: the fresh-check base plus ROOT_PKGS.
make_base()
{
	local r=$WORK/base
	say "making $BASE (once)"
	mkdir -p "$r" "$CACHE"
	if [ -f "$FRESH_BASE" ]; then
		tar -xzf "$FRESH_BASE" -C "$r" || die "extract $FRESH_BASE"
	else
		debootstrap --variant=minbase bookworm "$r" "$(mirror)" \
			>"$WORK/debootstrap.log" 2>&1 ||
			die "debootstrap failed: $(tail -5 "$WORK/debootstrap.log")"
	fi
	cp /etc/apt/sources.list.d/*.sources "$r/etc/apt/sources.list.d/" 2>/dev/null
	cp -L /etc/resolv.conf "$r/etc/resolv.conf"
	mount --bind /proc "$r/proc" || die "mount /proc"
	# shellcheck disable=SC2086
	chroot "$r" /bin/sh -c "DEBIAN_FRONTEND=noninteractive apt-get update -qq &&
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
		--no-install-recommends $(echo $ROOT_PKGS)" >"$WORK/apt.log" 2>&1
	local rc=$?
	umount "$r/proc"
	[ $rc = 0 ] || die "apt-get in the root failed: $(tail -5 "$WORK/apt.log")"
	rm -rf "$r/var/cache/apt/archives/"*.deb "$r/var/lib/apt/lists/"*
	# the journal kept on disk, for the report when a check fails
	mkdir -p "$r/var/log/journal"
	tar -czf "$BASE.tmp" -C "$r" . && mv "$BASE.tmp" "$BASE" || die "cannot write $BASE"
	rm -rf --one-file-system "$r"
}

# The network: a namespace of our own with the veth pair the shield
# attaches to, and the sysctls the checks' configuration needs
# (syn.cookies=always: net.ipv4.tcp_syncookies=2).
make_net()
{
	ip netns add "$NS" &&
		ip -n "$NS" link set lo up &&
		ip -n "$NS" link add unit0a type veth peer name unit0b &&
		ip -n "$NS" link add unit1a type veth peer name unit1b &&
		ip netns exec "$NS" sysctl -qw net.ipv4.tcp_syncookies=2
}

case "${1:-}" in
--rebuild) rm -f "$BASE" ;;
"") ;;
*) die "usage: $0 [--rebuild]" ;;
esac
[ "$(id -u)" = 0 ] || die "needs root"
command -v systemd-nspawn >/dev/null ||
	die "systemd-nspawn missing: scripts/install-deps.sh --unit-check"
# the root has no compiler: `make install` there must find the build
# up to date
make -s -q -C "$ROOT" build/floodshield build/floodshield.service ||
	die "the build is not up to date: make build/floodshield build/floodshield.service"

trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
ip netns del "$NS" 2>/dev/null
WORK=$(mktemp -d /var/tmp/fs-unit.XXXXXX) || die "mktemp"
[ -f "$BASE" ] || make_base
R=$WORK/root
mkdir -p "$R" "$WORK/out" "$WORK/bpffs"
tar -xzf "$BASE" -C "$R" || die "extract $BASE"
mount -t bpf -o mode=0700 bpf "$WORK/bpffs" || die "bpffs"
make_net || die "network namespace $NS"

# the check, as a oneshot unit that powers the container off either way
install -D -m 0755 "$ROOT/tests/unit/inner.sh" "$R/root/inner.sh"
cat >"$R/etc/systemd/system/fs-unit-check.service" <<UNIT
[Unit]
Description=floodshield unit check
After=multi-user.target
SuccessAction=poweroff-force
FailureAction=poweroff-force
[Service]
Type=oneshot
ExecStart=/root/inner.sh
TimeoutStartSec=$((BOOT_TIMEOUT - 30))
[Install]
WantedBy=multi-user.target
UNIT
mkdir -p "$R/etc/systemd/system/multi-user.target.wants"
ln -sf ../fs-unit-check.service "$R/etc/systemd/system/multi-user.target.wants/"

# boot PHASE: boot the root once, the check in phase PHASE
# (tests/unit/inner.sh); its results in $WORK/out/results.PHASE.
boot()
{
	local start rc

	echo "$1" >"$R/root/phase"
	say "boot $1: systemd-nspawn --boot, at most ${BOOT_TIMEOUT}s"
	start=$(date +%s)
	timeout "$BOOT_TIMEOUT" systemd-nspawn -q -D "$R" --boot --register=no \
		--keep-unit --network-namespace-path="/run/netns/$NS" \
		--capability=CAP_NET_ADMIN,CAP_BPF,CAP_PERFMON --system-call-filter=bpf \
		--bind="$WORK/bpffs:/sys/fs/bpf" --bind-ro="$ROOT:/root/floodshield" \
		--bind="$WORK/out:/root/out" --console=pipe </dev/null \
		>>"$WORK/console.log" 2>&1
	rc=$?
	say "boot $1: the container exited with $rc after $(($(date +%s) - start)) s"
	[ -s "$WORK/out/results.$1" ] || {
		tail -20 "$WORK/console.log"
		journalctl -q -D "$R/var/log/journal" --no-pager 2>/dev/null | tail -40
		say "no results: the check did not run"
		return 1
	}
	cat "$WORK/out/results.$1"
	! grep -q '^not ok ' "$WORK/out/results.$1" &&
		grep -q '^# done' "$WORK/out/results.$1"
}

boot 1 && boot 2
cat "$WORK/out/results".* >"$WORK/out/all"
pass=$(grep -c '^ok ' "$WORK/out/all")
fail=$(grep -c '^not ok ' "$WORK/out/all")
if [ "$fail" != 0 ]; then
	say "the journal of the runs:"
	journalctl -q -D "$R/var/log/journal" -u floodshield --no-pager 2>/dev/null | tail -40
fi
say "$pass passed, $fail failed"
[ "$fail" = 0 ] && [ "$pass" -gt 0 ] && [ "$(grep -c '^# done' "$WORK/out/all")" = 2 ]
