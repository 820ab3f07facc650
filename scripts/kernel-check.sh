#!/bin/bash
# kernel-check: run the XDP program's BPF_PROG_TEST_RUN suites on Debian
# 12's own kernel (6.1), the kernel most users of Debian 12 run, not only
# on the host's. Needs no root inside a VM and touches no host interface.
#
#   scripts/kernel-check.sh [--insns | --funcs]     (make kernel-check)
#
# --insns loads the program only (fs_insns), without the suites: the
# quick loop while making the BPF code load on 6.1. --funcs then prints
# the instructions 6.1 processed per subprogram (fs_insns --funcs; its
# "func:" lines, named by scripts/insns-funcs.py), to find where 6.1's
# pruning fails; its log needs more memory: FS_KCHECK_MEM (MB, default
# 1024; 3072 with --funcs).
#
# 1. The kernel: the package linux-image-amd64 depends on, from the
#    bookworm repository apt already uses, fetched with `apt-get download`
#    and unpacked with `dpkg-deb -x` into $FS_KCHECK_CACHE (default
#    build/kernel-check). It is never installed as the host's kernel.
#    FS_KCHECK_DEB=FILE uses that .deb instead. FS_KCHECK_SUITES="a b"
#    runs those suites (fs_test names or prefixes) instead of every one.
# 2. An initramfs: busybox-static, build/fs_test and build/fs_insns (the
#    BPF object is in their skeleton), ip(8) (iproute2's), dash as
#    /bin/sh (busybox's sh runs its own applets before PATH, so `ip`
#    in a test's system() would be busybox's ip, which knows no
#    `nodad`), unbound and unbound-checkconf (the DNS suites' real
#    server) with tests/dns/fixtures.conf, the public suffix list, the
#    shared libraries ldd names, libxdp's dispatcher objects, the
#    modules veth, nf_conntrack, inet_diag/tcp_diag (the exporter's
#    peer lookup) and bonding (with what they depend on), and an /init
#    that mounts proc, sysfs, devtmpfs, bpffs and a tmpfs on /tmp.
# 3. qemu-system-x86_64 (TCG: no KVM needed), serial console on stdout,
#    bounded by `timeout` ($FS_KCHECK_TIMEOUT seconds, default 2400:
#    the whole run took 1563 s on 2 cores).
#    The /init prints the kernel, runs fs_insns --max 80 before and after
#    loading nf_conntrack (without and with the conntrack kfuncs), then
#    fs_test on the suites that drive the XDP object (the FS_TEST names
#    of every tests/test_*.c that includes xdp_env.h or http_env.h, and
#    GUEST_SUITES: those that need the guest's kernel or its unbound),
#    with CI=true (a skip, a missing prerequisite, counts as a failure),
#    and powers off.
#
# Exit status 0 only if the guest booted a 6.1 kernel, both fs_insns runs
# loaded the program within 80% of the verifier's limit, and fs_test
# ended with "N passed, 0 failed". The guest's console is kept in
# $FS_KCHECK_CACHE/console.log.
set -u -o pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CACHE=${FS_KCHECK_CACHE:-$ROOT/build/kernel-check}
TIMEOUT=${FS_KCHECK_TIMEOUT:-2400}
MEM=${FS_KCHECK_MEM:-}
META=linux-image-amd64	# Debian 12's kernel: linux-image-6.1.0-N-amd64
WANT_SERIES=6.1
INSNS_MAX=80		# percent of the verifier's 1M limit (RULES, budget)
MODULES="veth crc32c_generic libcrc32c nf_defrag_ipv4 nf_defrag_ipv6 nf_conntrack \
inet_diag tcp_diag tls bonding"
# Suites run besides the XDP ones: trust (the daemon's trust rules against
# a real unbound) and bond (a bond over veths: the host's kernel may
# have no CONFIG_BONDING; Debian's 6.1 has bonding.ko).
GUEST_SUITES="trust bond"
UNBOUND="/usr/sbin/unbound /usr/sbin/unbound-checkconf"
PSL=/usr/share/publicsuffix/public_suffix_list.dat
LIBXDP_OBJS=/usr/lib/x86_64-linux-gnu/bpf

INSNS_ONLY=0
WORK=
say() { printf 'kernel-check: %s\n' "$*"; }
die() { printf 'kernel-check: %s\n' "$*" >&2; exit 1; }

on_exit()
{
	[ -n "$WORK" ] && rm -rf --one-file-system "$WORK"
}
trap on_exit EXIT

need_tools()
{
	local t missing=

	for t in qemu-system-x86_64 cpio gzip dpkg-deb apt-get apt-cache \
		modinfo ldd timeout ip dash $UNBOUND; do
		command -v "$t" >/dev/null || missing="$missing $t"
	done
	[ -x /bin/busybox ] || missing="$missing /bin/busybox(busybox-static)"
	[ -r "$PSL" ] || missing="$missing $PSL(publicsuffix)"
	[ -z "$missing" ] ||
		die "missing:$missing (run scripts/install-deps.sh --kernel-check)"
	for t in fs_test fs_insns; do
		[ -x "$ROOT/build/$t" ] || die "build/$t not built (run make)"
	done
}

# ---------------------------------------------------------------------
# The kernel package: its .deb in $CACHE, unpacked once into $CACHE/k-*.

# The image package linux-image-amd64 depends on (linux-image-6.1.0-N-amd64).
kernel_pkg()
{
	apt-cache depends "$META" 2>/dev/null |
		awk '$1 == "Depends:" && $2 ~ /^linux-image-/ { print $2; exit }'
}

# Path of the kernel .deb: FS_KCHECK_DEB, or downloaded into $CACHE/deb.
kernel_deb()
{
	local pkg ver deb

	if [ -n "${FS_KCHECK_DEB:-}" ]; then
		[ -r "$FS_KCHECK_DEB" ] || die "FS_KCHECK_DEB: cannot read $FS_KCHECK_DEB"
		echo "$FS_KCHECK_DEB"
		return
	fi
	pkg=$(kernel_pkg)
	[ -n "$pkg" ] ||
		die "apt knows no $META: is Debian 12 (bookworm) in apt's sources? (apt-get update)"
	case $pkg in
	linux-image-$WANT_SERIES.*) ;;
	*) die "$META depends on $pkg, not a $WANT_SERIES kernel: apt's sources are not bookworm's" ;;
	esac
	ver=$(apt-cache policy "$pkg" | awk '$1 == "Candidate:" { print $2 }')
	mkdir -p "$CACHE/deb"
	deb=$(ls "$CACHE/deb/${pkg}_${ver//:/%3a}_"*.deb 2>/dev/null | head -1)
	if [ -z "$deb" ]; then
		say "downloading $pkg $ver" >&2
		(cd "$CACHE/deb" && apt-get download -q "$pkg=$ver" >&2) ||
			die "apt-get download $pkg=$ver failed"
		deb=$(ls "$CACHE/deb/${pkg}_${ver//:/%3a}_"*.deb | head -1)
	fi
	echo "$deb"
}

# Unpack .deb $1 (once) and print the folder.
kernel_tree()
{
	local dir

	dir=$CACHE/k-$(basename "$1" .deb)
	if [ ! -f "$dir/.done" ]; then
		rm -rf "$dir"
		dpkg-deb -x "$1" "$dir" || die "dpkg-deb -x $1 failed"
		touch "$dir/.done"
	fi
	echo "$dir"
}

# ---------------------------------------------------------------------
# The initramfs.

# Copy every library ldd names for the executables $@ into $WORK/rootfs,
# at the same paths.
copy_libs()
{
	local f lib

	for f in "$@"; do
		for lib in $(ldd "$f" | awk '/=> \// { print $3 } /^\t\// { print $1 }'); do
			[ -e "$WORK/rootfs$lib" ] || cp -L --parents "$lib" "$WORK/rootfs"
		done
	done
}

# Module $1's .ko under kernel tree $2, checked against what it depends on
# (every dependency must be listed before it in MODULES).
copy_module()
{
	local ko dep

	ko=$(find "$2/lib/modules" -name "$1.ko" | head -1)
	[ -n "$ko" ] || die "module $1 not in the kernel package"
	for dep in $(modinfo -F depends "$ko" | tr , ' '); do
		case " $MODULES " in
		*" $dep "*) ;;
		*) die "module $1 needs $dep: add it to MODULES before $1" ;;
		esac
	done
	cp "$ko" "$WORK/rootfs/modules/"
}

# The FS_TEST names of the suites that drive the XDP object.
xdp_suites()
{
	# FS_KCHECK_SUITES: these instead (names or prefixes, as fs_test takes)
	[ -n "${FS_KCHECK_SUITES:-}" ] && { echo "$FS_KCHECK_SUITES"; return; }
	grep -l -e '"xdp_env.h"' -e '"http_env.h"' "$ROOT"/tests/test_*.c |
		xargs sed -n 's/^FS_TEST(\([a-z0-9_]*\)).*/\1/p' | tr '\n' ' '
	echo "$GUEST_SUITES"
}

write_init()
{
	cat >"$WORK/rootfs/init" <<EOF
#!/bin/busybox sh
/bin/busybox --install -s /bin
ln -sf dash /bin/sh # system()'s shell: PATH first (busybox sh: applets)
export PATH=/sbin:/bin:/usr/sbin:/usr/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mount -t bpf bpf /sys/fs/bpf
mount -t tmpfs tmpfs /tmp
mount -t tmpfs tmpfs /run
ip link set lo up # the exporter's tests serve on 127.0.0.1
echo
echo "kernel-check: booted \$(uname -r)"
for m in veth inet_diag tcp_diag tls bonding; do
	insmod /modules/\$m.ko || echo "kernel-check: insmod \$m failed"
done
cd /fs
build/fs_insns --max $INSNS_MAX
echo "kernel-check: fs_insns (no conntrack) exit \$?"
for m in crc32c_generic libcrc32c nf_defrag_ipv4 nf_defrag_ipv6 nf_conntrack; do
	insmod /modules/\$m.ko || echo "kernel-check: insmod \$m failed"
done
[ -e /sys/kernel/btf/nf_conntrack ] && echo "kernel-check: nf_conntrack BTF present"
build/fs_insns --max $INSNS_MAX
echo "kernel-check: fs_insns (conntrack) exit \$?"
build/fs_insns --max $INSNS_MAX --fixtures
echo "kernel-check: fs_insns (fixtures) exit \$?"
if [ $INSNS_ONLY = 2 ]; then
	build/fs_insns --funcs
fi
if [ $INSNS_ONLY = 0 ]; then
	CI=true FS_TEST_SCRIPTS=/fs/noscripts build/fs_test $(xdp_suites)
	echo "kernel-check: fs_test exit \$?"
fi
sync
poweroff -f
EOF
	chmod +x "$WORK/rootfs/init"
}

make_initramfs()
{
	local ktree=$1 m

	mkdir -p "$WORK/rootfs"/{bin,sbin,dev,proc,sys,tmp,run,modules} \
		"$WORK/rootfs"/fs/{build,noscripts,tests/dns} "$WORK/rootfs/usr/sbin"
	cp /bin/busybox "$WORK/rootfs/bin/busybox"
	cp -L "$(command -v dash)" "$WORK/rootfs/bin/dash"
	cp "$ROOT/build/fs_test" "$ROOT/build/fs_insns" "$WORK/rootfs/fs/build/"
	# iproute2's ip (the tests add veth pairs): in /sbin, before busybox's
	cp -L "$(command -v ip)" "$WORK/rootfs/sbin/ip"
	# unbound at the path the DNS suites run (tests/dns_server.h)
	for m in $UNBOUND; do cp -L "$m" "$WORK/rootfs$m"; done
	cp "$ROOT/tests/dns/fixtures.conf" "$WORK/rootfs/fs/tests/dns/"
	cp -L --parents "$PSL" "$WORK/rootfs"
	copy_libs "$ROOT/build/fs_test" "$ROOT/build/fs_insns" \
		"$(command -v ip)" "$(command -v dash)" $UNBOUND
	# libxdp's dispatcher (xdp-dispatcher.o) for the attach tests
	cp -L --parents "$LIBXDP_OBJS"/*.o "$WORK/rootfs"
	for m in $MODULES; do
		copy_module "$m" "$ktree"
	done
	write_init
	(cd "$WORK/rootfs" && find . | cpio -o -H newc --quiet | gzip -1) \
		>"$WORK/initrd.gz" || die "cannot make the initramfs"
}

# ---------------------------------------------------------------------
# The run, and its verdict from the console log.

run_vm()
{
	local ktree=$1 vmlinuz

	vmlinuz=$(ls "$ktree"/boot/vmlinuz-* | head -1)
	say "booting $(basename "$vmlinuz") under qemu (TCG), at most ${TIMEOUT}s"
	timeout --kill-after=10 "$TIMEOUT" nice -n 10 \
		qemu-system-x86_64 -accel tcg,thread=multi -cpu max -smp 2 \
		-m "$MEM" -nographic -no-reboot -kernel "$vmlinuz" \
		-initrd "$WORK/initrd.gz" \
		-append "console=ttyS0 panic=-1 quiet loglevel=3" </dev/null |
		sed -u 's/\x1b\[[0-9;?]*[A-Za-z]//g; s/\x1bc//g; s/\r//g' |
		tee "$CACHE/console.log"
	return "${PIPESTATUS[0]}"
}

verdict()
{
	local log=$CACHE/console.log qrc=$1 ok=1 line

	if [ "$qrc" = 124 ] || [ "$qrc" = 137 ]; then
		say "FAIL: the guest did not finish in ${TIMEOUT}s (FS_KCHECK_TIMEOUT)"
		ok=0
	fi
	line=$(grep -a -m1 '^kernel-check: booted ' "$log")
	case $line in
	"kernel-check: booted $WANT_SERIES."*) ;;
	*) say "FAIL: the guest did not boot a $WANT_SERIES kernel (${line:-no boot line})"; ok=0 ;;
	esac
	for what in "no conntrack" "conntrack" "fixtures"; do
		grep -aq "^kernel-check: fs_insns ($what) exit 0$" "$log" ||
			{ say "FAIL: fs_insns ($what) did not load within $INSNS_MAX%"; ok=0; }
	done
	grep -aq '^kernel-check: nf_conntrack BTF present' "$log" ||
		{ say "FAIL: nf_conntrack's BTF missing: the kfunc path was not verified"; ok=0; }
	line=$(grep -aE '^[0-9]+ passed, [0-9]+ failed' "$log" | tail -1)
	if [ $INSNS_ONLY = 0 ] && { [ -z "$line" ] ||
		! grep -aq '^kernel-check: fs_test exit 0$' "$log"; }; then
		say "FAIL: fs_test: ${line:-no result line}"
		ok=0
	fi
	say "summary:"
	grep -aE '^kernel-check: booted|^verifier: ' "$log" | sed 's/^/  guest: /'
	echo "  guest: fs_test: ${line:-none}"
	[ $ok = 1 ]
}

main()
{
	local deb ktree t0 rc

	case ${1:-} in
	"") ;;
	--insns) INSNS_ONLY=1 ;;
	--funcs) INSNS_ONLY=2 ;;
	*) die "usage: $0 [--insns | --funcs]" ;;
	esac
	[ -n "$MEM" ] || { [ $INSNS_ONLY = 2 ] && MEM=3072 || MEM=1024; }
	need_tools
	WORK=$(mktemp -d /tmp/fs-kernel-check.XXXXXX)
	mkdir -p "$CACHE"
	deb=$(kernel_deb) || exit 1
	ktree=$(kernel_tree "$deb") || exit 1
	make_initramfs "$ktree"
	say "host $(uname -r): $("$ROOT/build/fs_insns" 2>&1 | head -1)"
	t0=$(date +%s)
	run_vm "$ktree"
	rc=$?
	say "qemu: exit $rc after $(($(date +%s) - t0))s"
	if verdict "$rc"; then
		say "PASS on $(basename "$deb" .deb)"
		exit 0
	fi
	say "FAIL on $(basename "$deb" .deb); console: $CACHE/console.log"
	exit 1
}

main "$@"
