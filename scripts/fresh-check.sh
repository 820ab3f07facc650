#!/bin/bash
# fresh-check: prove that the project's own scripts install everything it
# needs. Runs the README's quick start (./scripts/demo.sh, then
# ./scripts/test.sh) as root in a minimal Debian 12 root, on a clean clone
# of HEAD, and prints the end of both and a verdict. Exit status 0 only
# if both succeeded and left no namespace, pin, process or veth behind.
#
#   scripts/fresh-check.sh [--rebuild] [--bench]     (make fresh-check)
#
# --bench also runs `make bench` there (docs/benchmarks.md), which proves
# the --bench list of scripts/install-deps.sh; about 8 minutes more.
#
# The root is `debootstrap --variant=minbase bookworm` from the mirror
# apt already uses (/etc/apt/sources.list*; FS_FRESH_MIRROR overrides),
# cached as a tarball in $FS_FRESH_CACHE (default
# /var/cache/floodshield-fresh); --rebuild makes it again. Every run
# extracts that tarball afresh and deletes it afterwards: nothing but the
# tarball is kept between runs. Added at run time, configuration only:
# apt sources (bookworm, -updates, -security on the same mirrors),
# /etc/resolv.conf, and a policy-rc.d that refuses service starts, as in
# a container. Mounted: the chroot itself (bind, so that it is a mount
# root: `ip netns exec` changes the propagation of /), /proc, a fresh
# sysfs, bpffs on /sys/fs/bpf, /dev and /dev/pts (bind), a tmpfs on /run
# (where `ip netns add` keeps its bind mounts), and the clone on
# /root/floodshield. A trap kills what still runs in the root, unmounts
# in reverse order (lazily if busy) and deletes it, also on failure and
# Ctrl-C; a run killed before its trap could run is removed by the next.
# Needs root, debootstrap, git and about 2 GB of disk. Measured here
# (fast mirror, 2 cores): debootstrap 1 to 1.5 minutes (first run or
# --rebuild only), the demo with the build's installs about 1 minute,
# the suite with its installs about 5; about 7 minutes in all.
set -u -o pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SUITE=bookworm
CACHE=${FS_FRESH_CACHE:-/var/cache/floodshield-fresh}
BASE=$CACHE/$SUITE-minbase.tar.gz
IN_ROOT_DIR=/root/floodshield	# where the clone appears in the root
IN_ROOT_PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

WORK=		# this run's folder: root/, clone/, logs
R=		# the extracted root ($WORK/root)
REBUILD=0
BENCH=0
VETH_BEFORE=	# veths in the host's root network namespace before the run
PINS_BEFORE=	# what a fresh bpffs holds (the kernel's *.debug iterators)

say() { printf 'fresh-check: %s\n' "$*"; }
die() { printf 'fresh-check: %s\n' "$*" >&2; exit 1; }

usage()
{
	cat <<EOF
usage: $0 [--rebuild] [--bench]
Runs ./scripts/demo.sh and ./scripts/test.sh in a fresh minimal Debian 12
root (debootstrap) on a clean clone of HEAD. Needs root and debootstrap.
  --rebuild   make the cached base root again ($BASE)
  --bench     then run \`make bench\` there too (about 10 minutes more)
EOF
}

parse_args()
{
	while [ $# -gt 0 ]; do
		case $1 in
		--rebuild) REBUILD=1 ;;
		--bench) BENCH=1 ;;
		-h | --help) usage; exit 0 ;;
		*) usage >&2; die "unknown argument '$1'" ;;
		esac
		shift
	done
}

# ---------------------------------------------------------------------
# The mirror: apt's own sources, one "URI SUITE" line per deb entry, from
# one-line (.list) and deb822 (.sources) files.

apt_sources()
{
	local f

	for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
		[ -r "$f" ] || continue
		awk '$1 == "deb" {
			i = 2
			if ($i ~ /^\[/) { while (i < NF && $i !~ /\]$/) i++; i++ }
			print $i, $(i + 1)
		}' "$f"
	done
	for f in /etc/apt/sources.list.d/*.sources; do
		[ -r "$f" ] || continue
		awk '
		function flush(  nu, ns, u, s, i, j) {
			if (types ~ /(^| )deb( |$)/ && enabled != "no") {
				nu = split(uris, u, " "); ns = split(suites, s, " ")
				for (i = 1; i <= nu; i++)
					for (j = 1; j <= ns; j++)
						print u[i], s[j]
			}
			types = uris = suites = ""; enabled = "yes"
		}
		BEGIN { enabled = "yes" }
		/^#/ { next }
		/^[ \t]*$/ { flush(); next }
		/^[A-Za-z-]+:/ {
			key = tolower($1); sub(/^[^:]*:[ \t]*/, "")
			if (key == "types:") types = $0
			else if (key == "uris:") uris = $0
			else if (key == "suites:") suites = $0
			else if (key == "enabled:") enabled = tolower($0)
		}
		END { flush() }' "$f"
	done
}

# The first URI that apt uses for suite $1.
mirror_for()
{
	apt_sources | awk -v s="$1" '$2 == s { print $1; exit }'
}

# ---------------------------------------------------------------------
# Teardown. Used by the trap on this run's folder, and at start on the
# folders of runs that were killed before their trap could run.

# Processes whose root directory is $1 (chrooted there; also those in
# another mount namespace, as under `ip netns exec`: compared by inode).
procs_rooted_in()
{
	local want p

	want=$(stat -c %d:%i "$1" 2>/dev/null) || return 0
	for p in /proc/[0-9]*; do
		[ "$(stat -L -c %d:%i "$p/root" 2>/dev/null)" = "$want" ] &&
			echo "${p#/proc/}"
	done
}

# Stop what still runs in root $1: TERM, up to 5 s, then KILL. By PID.
kill_rooted_in()
{
	local pids _

	pids=$(procs_rooted_in "$1")
	[ -z "$pids" ] && return 0
	# shellcheck disable=SC2086
	kill $pids 2>/dev/null
	for _ in $(seq 50); do
		pids=$(procs_rooted_in "$1")
		[ -z "$pids" ] && return 0
		sleep 0.1
	done
	# shellcheck disable=SC2086
	kill -KILL $pids 2>/dev/null
	sleep 0.5
}

# Mount points at or under $1, in the order they were mounted.
mounts_under()
{
	awk -v w="$1" '$5 == w || index($5, w "/") == 1 { print $5 }' \
		/proc/self/mountinfo
}

# Unmount everything at or under $1, newest first; lazily what is busy.
unmount_under()
{
	local m _

	for _ in 1 2 3; do
		[ -z "$(mounts_under "$1")" ] && return 0
		for m in $(mounts_under "$1" | tac); do
			umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null
		done
	done
	[ -z "$(mounts_under "$1")" ]
}

# Remove run folder $1 and everything in it. Never deletes while anything
# is still mounted below it (that could be /dev or the clone).
teardown()
{
	local dir=$1 r

	for r in "$dir/root" "$dir/base/root"; do
		[ -d "$r" ] && kill_rooted_in "$r"
	done
	if ! unmount_under "$dir"; then
		say "cannot unmount under $dir; NOT deleting it:" >&2
		mounts_under "$dir" >&2
		return 1
	fi
	rm -rf --one-file-system "$dir"
}

on_exit()
{
	local rc=$?

	trap - EXIT INT TERM
	if [ -n "$WORK" ] && [ -d "$WORK" ]; then
		teardown "$WORK" || rc=1
		if mount | grep -qF "$WORK"; then
			say "mounts left behind under $WORK:" >&2
			mount | grep -F "$WORK" >&2
			rc=1
		elif [ ! -e "$WORK" ]; then
			say "cleaned up: nothing mounted under $WORK, folder deleted"
		fi
	fi
	exit "$rc"
}

# ---------------------------------------------------------------------
# Preparation.

preflight()
{
	[ "$(id -u)" = 0 ] || die "needs root (debootstrap, chroot, mounts)"
	command -v debootstrap >/dev/null ||
		die "needs debootstrap (apt-get install debootstrap)"
	command -v git >/dev/null || die "needs git"
	git -C "$ROOT" rev-parse --verify -q HEAD >/dev/null ||
		die "$ROOT is not a git checkout with a commit"
	mkdir -p "$CACHE" || die "cannot create $CACHE (FS_FRESH_CACHE)"
	# One run at a time: runs share the base and sweep stale folders.
	exec 9<"$CACHE"
	flock -n 9 || die "another fresh-check is running on $CACHE"
}

# Folders of earlier runs that died without their trap (SIGKILL, power).
sweep_stale()
{
	local d

	for d in "$CACHE"/run.*; do
		[ -d "$d" ] || continue
		say "removing the remains of an earlier run: $d"
		teardown "$d" || die "could not remove $d"
	done
}

build_base()
{
	local mirror=${FS_FRESH_MIRROR:-$(mirror_for "$SUITE")}
	local dir=$WORK/base

	[ -n "$mirror" ] ||
		die "no apt source for $SUITE in /etc/apt/sources.list*; set FS_FRESH_MIRROR"
	say "building the base root: debootstrap --variant=minbase $SUITE from $mirror"
	mkdir -p "$dir"
	debootstrap --variant=minbase "$SUITE" "$dir/root" "$mirror" \
		>"$dir/debootstrap.log" 2>&1 9<&- &
	if ! wait $!; then
		tail -n 20 "$dir/debootstrap.log" >&2
		die "debootstrap failed (log above)"
	fi
	unmount_under "$dir/root" || die "debootstrap left mounts in $dir/root"
	tar --numeric-owner -C "$dir/root" -czf "$dir/base.tar.gz" . ||
		die "cannot write the base tarball"
	mv -f "$dir/base.tar.gz" "$BASE" || die "cannot move the tarball to $BASE"
	rm -rf --one-file-system "$dir"
	say "base root cached: $BASE ($(du -h "$BASE" | cut -f1))"
}

# Configuration a freshly installed machine has: apt sources with updates
# and security, a resolver; and the chroot's policy-rc.d. No packages.
configure_root()
{
	local main sec

	main=${FS_FRESH_MIRROR:-$(mirror_for "$SUITE")}
	sec=$(mirror_for "$SUITE-security")
	{
		echo "deb $main $SUITE main"
		echo "deb $main $SUITE-updates main"
		[ -n "$sec" ] && echo "deb $sec $SUITE-security main"
	} >"$R/etc/apt/sources.list"
	cp -L /etc/resolv.conf "$R/etc/resolv.conf"
	# Like a container: packages install, their services do not start.
	printf '#!/bin/sh\n# fresh-check: no service starts in a chroot\nexit 101\n' \
		>"$R/usr/sbin/policy-rc.d"
	chmod 0755 "$R/usr/sbin/policy-rc.d"
}

# The repository as committed: a clone of HEAD, nothing built or untracked.
clone_head()
{
	local head

	head=$(git -C "$ROOT" rev-parse HEAD)
	[ -z "$(git -C "$ROOT" status --porcelain)" ] ||
		say "note: uncommitted changes in $ROOT are NOT checked (HEAD only)"
	git clone -q --no-checkout "$ROOT" "$WORK/clone" 9<&- ||
		die "cannot clone $ROOT"
	git -C "$WORK/clone" checkout -q --detach "$head" ||
		die "cannot check out $head in the clone"
	say "clone of $(git -C "$ROOT" log -1 --format='%h %s' | cut -c1-70)"
}

mount_root()
{
	{
		mount --bind "$R" "$R" &&
		mount --make-private "$R" &&
		mount -t proc proc "$R/proc" &&
		mount -t sysfs sysfs "$R/sys" &&
		mount -t bpf bpf "$R/sys/fs/bpf" &&
		mount --bind /dev "$R/dev" &&
		mount --bind /dev/pts "$R/dev/pts" &&
		mount -t tmpfs -o mode=0755,nosuid,nodev tmpfs "$R/run"
	} || die "mounting into $R failed"
	mkdir -p "$R$IN_ROOT_DIR" || die "cannot create $R$IN_ROOT_DIR"
	mount --bind "$WORK/clone" "$R$IN_ROOT_DIR" ||
		die "cannot mount the clone on $R$IN_ROOT_DIR"
}

make_root()
{
	R=$WORK/root
	mkdir "$R" || die "cannot create $R"
	tar --numeric-owner -C "$R" -xzf "$BASE" ||
		die "cannot extract $BASE (try --rebuild)"
	configure_root
	clone_head
	mount_root
}

# ---------------------------------------------------------------------
# The run.

# run_in_root NAME COMMAND: COMMAND from the clone's folder in a root
# login shell with a clean environment; output to the terminal and to
# $WORK/NAME.log. Returns COMMAND's status.
run_in_root()
{
	local name=$1 cmd=$2 rc

	say "running $cmd"
	(
		chroot "$R" /usr/bin/env -i HOME=/root LANG=C.UTF-8 \
			PATH="$IN_ROOT_PATH" TERM=dumb \
			/bin/bash -l -c "cd $IN_ROOT_DIR && $cmd" \
			</dev/null 2>&1 | tee "$WORK/$name.log"
		exit "${PIPESTATUS[0]}"
	) 9<&- &
	wait $!
	rc=$?
	say "$cmd exited with status $rc"
	return "$rc"
}

veths_in_root_ns()
{
	ip -o link show type veth 2>/dev/null | awk -F': ' '{ sub(/@.*/, "", $2); print $2 }'
}

# Everything in the root's bpffs, one relative path a line.
pins_in_root()
{
	(cd "$R/sys/fs/bpf" && find . -mindepth 1 | sort)
}

# leak WHAT LIST: one line naming the LIST's words, false; true if empty.
leak()
{
	[ -z "$2" ] && return 0
	echo "  $1: $(printf '%s' "$2" | tr -s '\n' ' ')"
	return 1
}

# What the run left behind. Prints one line per kind of leak; true if none.
leaks()
{
	local ns pins procs veths bad=0

	if [ -x "$R/usr/bin/ip" ] || [ -x "$R/bin/ip" ]; then
		ns=$(chroot "$R" ip netns list 2>&1 9<&-)
	else
		ns=$(ls -A "$R/run/netns" 2>/dev/null)
	fi
	# libxdp makes ./xdp for its lock and keeps it: only what is in it
	# would be left by a test.
	pins=$(comm -13 <(echo "$PINS_BEFORE") <(pins_in_root) | grep -vx ./xdp)
	procs=$(procs_rooted_in "$R" | while read -r p; do
		printf '%s(%s) ' "$p" "$(cat "/proc/$p/comm" 2>/dev/null)"
	done)
	veths=$(comm -13 <(echo "$VETH_BEFORE" | sort) <(veths_in_root_ns | sort))
	leak "namespaces left (ip netns list)" "$ns" || bad=1
	leak "bpffs pins left" "$pins" || bad=1
	leak "processes left in the root" "$procs" || bad=1
	leak "veths left in the root network namespace" "$veths" || bad=1
	[ "$bad" = 0 ] && echo "  none: no namespace (ip netns list), pin, process or veth"
	return "$bad"
}

# Seconds since $1 as "M min S s".
took() { local s=$(($(date +%s) - $1)); echo "$((s / 60)) min $((s % 60)) s"; }

summary()
{
	local demo_rc=$1 test_rc=$2 bench_rc=$3 leak_rc=$4 leak_text=$5
	local dlog=$WORK/demo.log tlog=$WORK/test.log

	printf '\n========== fresh-check summary ==========\n'
	printf 'root: debootstrap --variant=minbase %s; clone of %s\n' \
		"$SUITE" "$(git -C "$ROOT" rev-parse --short HEAD)"
	printf -- '--- ./scripts/demo.sh (status %s, %s), last lines:\n' \
		"$demo_rc" "$DEMO_TOOK"
	tail -n 8 "$dlog" 2>/dev/null | sed 's/^/  /'
	printf -- '--- ./scripts/test.sh (status %s, %s):\n' "$test_rc" "$TEST_TOOK"
	grep -E '^(FAIL |not ok - )' "$tlog" 2>/dev/null | head -n 20 | sed 's/^/  /'
	if grep -qE '^[0-9]+ passed, [0-9]+ failed' "$tlog" 2>/dev/null; then
		grep -E '^[0-9]+ passed, [0-9]+ failed' "$tlog" | tail -n 1 | sed 's/^/  /'
	else
		tail -n 8 "$tlog" 2>/dev/null | sed 's/^/  /'
	fi
	if [ "$bench_rc" != - ]; then
		printf -- '--- make bench (status %s, %s), last lines:\n' \
			"$bench_rc" "$BENCH_TOOK"
		tail -n "$([ "$bench_rc" = 0 ] && echo 1 || echo 8)" \
			"$WORK/bench.log" 2>/dev/null | sed 's/^/  /'
	fi
	printf -- '--- left behind:\n%s\n' "$leak_text"
	# bench_rc is "-" when the benchmarks were not asked for
	if [ "$demo_rc" = 0 ] && [ "$test_rc" = 0 ] && [ "$leak_rc" = 0 ] &&
	   { [ "$bench_rc" = 0 ] || [ "$bench_rc" = - ]; }; then
		printf 'VERDICT: PASS (total %s)\n' "$(took "$T0")"
		return 0
	fi
	printf 'VERDICT: FAIL (demo %s, tests %s, bench %s, leaks %s; total %s)\n' \
		"$demo_rc" "$test_rc" "$bench_rc" "$leak_rc" "$(took "$T0")"
	return 1
}

main()
{
	local t demo_rc test_rc bench_rc leak_rc leak_text

	parse_args "$@"
	preflight
	T0=$(date +%s)
	trap on_exit EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
	sweep_stale
	WORK=$(mktemp -d "$CACHE/run.XXXXXX") || die "cannot create a folder in $CACHE"
	if [ "$REBUILD" = 1 ] || [ ! -s "$BASE" ]; then
		build_base
	fi
	make_root
	VETH_BEFORE=$(veths_in_root_ns)
	PINS_BEFORE=$(pins_in_root)
	say "root ready in $R ($(took "$T0"))"

	t=$(date +%s)
	run_in_root demo ./scripts/demo.sh
	demo_rc=$?
	DEMO_TOOK=$(took "$t")
	t=$(date +%s)
	run_in_root test ./scripts/test.sh
	test_rc=$?
	TEST_TOOK=$(took "$t")
	bench_rc=-
	if [ "$BENCH" = 1 ]; then
		t=$(date +%s)
		run_in_root bench "make bench"
		bench_rc=$?
		BENCH_TOOK=$(took "$t")
	fi

	leak_text=$(leaks)
	leak_rc=$?
	summary "$demo_rc" "$test_rc" "$bench_rc" "$leak_rc" "$leak_text"
}

main "$@"
