#!/bin/sh
# The generated tables of docs/*.md (tests/tools/docgen.c): every block
# between <!-- BEGIN GENERATED name --> and <!-- END GENERATED name -->
# is what `fs_docgen name` prints.
#   scripts/docs.sh DOCGEN           rewrite the files that differ (make docs)
#   scripts/docs.sh --check DOCGEN   fail, naming them, if any differs (make test)
set -eu
cd "$(dirname "$0")/.."

check=
if [ "${1:-}" = --check ]; then
	check=1
	shift
fi
docgen=${1:?usage: scripts/docs.sh [--check] DOCGEN}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

stale=
for f in docs/*.md; do
	grep -q '^<!-- BEGIN GENERATED ' "$f" || continue
	out="$tmp/$(basename "$f")"
	"$docgen" "$f" > "$out"
	cmp -s "$f" "$out" && continue
	if [ -n "$check" ]; then
		diff -u "$f" "$out" | head -n 40 || true
		stale="$stale $f"
	else
		cp "$out" "$f"
		echo "docs: $f regenerated"
	fi
done
if [ -n "$stale" ]; then
	echo "docs: generated tables out of date in$stale: run 'make docs' and commit the result" >&2
	exit 1
fi
[ -n "$check" ] && echo "docs: every generated table matches maps/tables.h"
exit 0
