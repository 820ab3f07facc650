#!/bin/sh
# The C sources against .clang-format (kernel style), with Debian 12's
# clang-format (14; other versions format some constructs differently).
# `make format` rewrites them; `make test` runs this check.
#   scripts/check-format.sh          check, list what differs
#   scripts/check-format.sh --fix    rewrite in place
# vmlinux.h is generated and left alone.
set -eu
cd "$(dirname "$0")/.."
CF=${CLANG_FORMAT:-clang-format}
if ! command -v "$CF" >/dev/null 2>&1; then
	echo "check-format: $CF not found (scripts/install-deps.sh --test installs it)" >&2
	exit 1
fi
# the tree's C sources, found without git (a fresh machine may have none)
files=$(find bpf bench loader maps tests userspace -name '*.[ch]' | sort)
if [ "${1:-}" = --fix ]; then
	# clang-format moves the opening of a trailing comment but not its
	# other lines: align them under it, then format again (the second
	# pass leaves the aligned lines alone)
	# shellcheck disable=SC2086
	"$CF" -i $files && python3 scripts/align-comments.py $files &&
		"$CF" -i $files
	exit 0
fi
# shellcheck disable=SC2086
if ! "$CF" --dry-run -Werror $files >/dev/null 2>&1; then
	# shellcheck disable=SC2086
	"$CF" --dry-run $files 2>&1 | grep 'warning:\|error:' | cut -d: -f1 | sort -u |
		sed 's/^/check-format: not formatted: /' >&2
	echo "check-format: run make format" >&2
	exit 1
fi
echo "check-format: every C source matches .clang-format"
