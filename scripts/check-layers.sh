#!/bin/sh
# The layers point one way (docs/design.md):
#   userspace/cli -> userspace/daemon -> loader -> maps <- bpf
# Every project #include is a path relative to the including file. This
# check resolves each one and fails on an include that points up a layer
# or sideways into another program. tests/ and bench/ may include any
# layer. Inside bpf/ it also checks the program's own layering (below).
# Run by `make test`; prints every offending line.
set -eu
cd "$(dirname "$0")/.."

# bpf/: the entry file includes every stage header and nothing else; a
# stage header includes helpers, never another stage; a helper header
# includes only helpers (and maps/, vmlinux.h). The stages are named
# here, once, in pipeline order; every other bpf/*.bpf.h is a helper.
BPF_ENTRY=bpf/floodshield.bpf.c
BPF_STAGES="parse lists syn http smtp act"

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

# includes FILE: "LINE INCLUDE" for each project include of FILE.
includes()
{
	grep -n '^#include "' "$1" | sed 's/^\([0-9]*\):#include "\([^"]*\)".*/\1 \2/'
}

# Every include that points up or sideways, one line each.
folder_violations()
{
	find maps bpf loader userspace -name '*.[ch]' | sort | while read -r f; do
		dir=$(dirname "$f")
		ok=$(allowed "$dir")
		includes "$f" | while read -r n inc; do
			case $inc in
			floodshield.skel.h) target=build ;;
			*) target=$(dirname "$(realpath -m --relative-to=. "$dir/$inc")") ;;
			esac
			case " $ok " in
			*" $target "*) ;;
			*) echo "$f:$n: includes $inc ($target/), not allowed from $dir/ (allowed: $ok)" ;;
			esac
		done
	done
}

# is_stage FILE: whether FILE (a path under bpf/) is a stage header.
is_stage()
{
	case " $BPF_STAGES " in
	*" $(basename "$1" .bpf.h) "*) [ "$(dirname "$1")" = bpf ] ;;
	*) return 1 ;;
	esac
}

# Every bpf/ include that breaks the entry -> stages -> helpers rule.
bpf_violations()
{
	for s in $BPF_STAGES; do
		[ -f "bpf/$s.bpf.h" ] || echo "$0: stage bpf/$s.bpf.h does not exist"
		grep -q "^#include \"$s.bpf.h\"" "$BPF_ENTRY" ||
			echo "$BPF_ENTRY: does not include the stage $s.bpf.h"
	done
	includes "$BPF_ENTRY" | while read -r n inc; do
		is_stage "bpf/$inc" ||
			echo "$BPF_ENTRY:$n: includes $inc, not a stage (stages: $BPF_STAGES)"
	done
	for f in bpf/*; do
		case $f in
		"$BPF_ENTRY" | *.bpf.h) ;;
		*) echo "$f: neither the entry file nor a *.bpf.h header" ;;
		esac
	done
	for f in bpf/*.bpf.h; do
		if is_stage "$f"; then kind=stage; else kind=helper; fi
		includes "$f" | while read -r n inc; do
			target=$(realpath -m --relative-to=. "bpf/$inc")
			is_stage "$target" &&
				echo "$f:$n: includes the stage $inc; a $kind includes helpers only"
			true
		done
	done
}

out=$(folder_violations; bpf_violations)
if [ -n "$out" ]; then
	printf 'check-layers: %s\n' "$out" | sed '2,$s/^/check-layers: /'
	exit 1
fi
echo "check-layers: every include points down (cli -> daemon -> loader -> maps <- bpf;" \
	"in bpf/: entry -> stages -> helpers)"
