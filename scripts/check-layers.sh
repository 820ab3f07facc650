#!/bin/sh
# The layers point one way (docs/design.md):
#   userspace/cli -> userspace/daemon -> loader -> maps <- bpf
# Every project #include is a path relative to the including file. This
# check resolves each one and fails on an include that points up a layer
# or sideways into another program. tests/ and bench/ may include any
# layer. Run by `make test`; prints every offending line.
set -eu
cd "$(dirname "$0")/.."

# allowed DIR: the folders a file in DIR may include from.
allowed()
{
	case $1 in
	maps) echo "maps" ;;
	bpf) echo "bpf maps ." ;;		# . is vmlinux.h
	loader) echo "loader maps build" ;;	# build: the skeleton
	userspace/daemon) echo "userspace/daemon loader maps" ;;
	userspace/cli) echo "userspace/cli userspace/daemon loader maps" ;;
	esac
}

# Every offending include, one line each.
violations()
{
	find maps bpf loader userspace -name '*.[ch]' | sort | while read -r f; do
		dir=$(dirname "$f")
		ok=$(allowed "$dir")
		grep -n '^#include "' "$f" | while IFS= read -r line; do
			inc=${line#*\"}
			inc=${inc%%\"*}
			case $inc in
			floodshield.skel.h) target=build ;;
			*) target=$(dirname "$(realpath -m --relative-to=. "$dir/$inc")") ;;
			esac
			case " $ok " in
			*" $target "*) ;;
			*) echo "$f:${line%%:*}: includes $inc ($target/), not allowed from $dir/ (allowed: $ok)" ;;
			esac
		done
	done
}

out=$(violations)
if [ -n "$out" ]; then
	printf 'check-layers: %s\n' "$out" | sed '2,$s/^/check-layers: /'
	exit 1
fi
echo "check-layers: every include points down (cli -> daemon -> loader -> maps <- bpf)"
