#!/bin/bash
# Measures the request corpus (corpus.json) against Apache 2.4 and nginx,
# each with Debian's defaults, over real TCP in network namespaces, and
# writes tests/http_corpus/measured.json plus a summary table.
#
#   tests/http_corpus/run_all.sh [OUT_DIR]     (root; a few minutes)
#
# No XDP program is attached: this is the ground truth the shield is to
# be judged against (issue 13). Network safety: two namespaces joined by a
# veth pair (tests/ns/lib.sh), documentation addresses only; the sources
# (one per variant) are 198.51.100.0/24, 203.0.113.0/24 and
# 2001:db8:1::/64 on the client end. Everything made is removed on exit,
# also on failure (trap). The servers run under `setsid timeout`, and are
# stopped by the PIDs we started.
#
# Topology and servers: tests/ns/corpus_lib.sh (shared with
# tests/ns/70_corpus.sh, which runs the corpus behind the shield): each
# server serves www.example.org, example.org and
# xn--mnchen-3ya.example.org from one vhost, with the catch-all default
# vhost Debian ships:
#   apache  tests/ns/apache_lib.sh: Debian's /etc/apache2 copied, the
#           package's default modules and confs, mpm_prefork, 000-default
#           (HttpProtocolOptions left at the default, Strict)
#   nginx   Debian's nginx.conf and sites-available/default, restated
#           for a private prefix, plus the served vhost
# Each vhost logs to its own access log (served.log, default.log), one
# line a request:
#   apache  %a %>s "%v" "%V" "%{Host}i" "%r"
#   nginx   $remote_addr $status "$server_name" "$host" "$http_host" "$request"
set -u

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
FS_ROOT=$(cd "$HERE/../.." && pwd)
export FS_ROOT
OUT_DIR=${1:-$HERE}
CORPUS_JOBS=${JOBS:-12}
SERVERS=${SERVERS:-"apache nginx"}

# shellcheck source=tests/ns/corpus_lib.sh
. "$FS_ROOT/tests/ns/corpus_lib.sh"

cleanup()
{
	corpus_server_stop
	fs_cleanup
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

why=$(corpus_missing)
[ -z "$why" ] || fs_die "$why"

corpus_topo_up || fs_die "topology and sources"
echo "# $(wc -l <"$FS_TMP/sources") sources on $FS_CLI_IF ($FS_CLI_NS)"

# run_server NAME: start it, run the corpus, stop it; the results in
# $FS_TMP/NAME.json.
run_server()
{
	local rc

	corpus_server_start "$1" || return 1
	echo "# $1: $(corpus_server_version)"
	corpus_run "$FS_TMP/$1.json" "${CORPUS_LOGS[@]}" --sniff "$FS_CLI_IF"
	rc=$?
	[ "$1" = apache ] && cp "$APACHE_ERROR_LOG" "$FS_TMP/apache-error.log" 2>/dev/null
	corpus_server_stop
	return $rc
}

# -------------------------------------------------------------------- run
start=$SECONDS
mkdir -p "$OUT_DIR" || fs_die "$OUT_DIR"
res=()
for s in $SERVERS; do
	case $s in
	apache | nginx) run_server "$s" || fs_die "$s run failed" ;;
	*) fs_die "unknown server $s" ;;
	esac
	cp "$FS_TMP/$s.json" "$OUT_DIR/results-$s.json" || fs_die "results"
	res+=("$s=$OUT_DIR/results-$s.json")
done
"$FS_PY" "$HERE/summarize.py" --corpus "$CORPUS" --out "$OUT_DIR/measured.json" \
	--apache-version "$("$APACHE_BIN" -v | head -n 1)" \
	--nginx-version "$("$HTTP_NGINX" -v 2>&1)" "${res[@]}" || fs_die "summary"
echo "# run_all: $((SECONDS - start)) s"
