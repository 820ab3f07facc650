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
# Servers, each serving www.example.org, example.org and
# xn--mnchen-3ya.example.org from one vhost, with the catch-all default
# vhost Debian ships:
#   apache  tests/ns/apache_lib.sh: Debian's /etc/apache2 copied, the
#           package's default modules and confs, mpm_prefork, 000-default
#           (HttpProtocolOptions left at the default, Strict)
#   nginx   Debian's nginx.conf and sites-available/default, restated
#           below for a private prefix, plus the served vhost
# Each vhost logs to its own access log (served.log, default.log), one
# line a request:
#   apache  %a %>s "%v" "%V" "%{Host}i" "%r"
#   nginx   $remote_addr $status "$server_name" "$host" "$http_host" "$request"
set -u

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
FS_ROOT=$(cd "$HERE/../.." && pwd)
export FS_ROOT
OUT_DIR=${1:-$HERE}
CORPUS=${CORPUS:-$HERE/corpus.json}
JOBS=${JOBS:-12}
SERVERS=${SERVERS:-"apache nginx"}
NAMES=(www.example.org example.org xn--mnchen-3ya.example.org)

# shellcheck source=tests/ns/lib.sh
. "$FS_ROOT/tests/ns/lib.sh"
# shellcheck source=tests/ns/apache_lib.sh
. "$FS_ROOT/tests/ns/apache_lib.sh"

APACHE_MAX_WORKERS=${APACHE_MAX_WORKERS:-24}
# shellcheck disable=SC2034	# read by apache_lib.sh
APACHE_LIFETIME=600
NGINX_BIN=$(command -v nginx || echo /usr/sbin/nginx)
NGINX_PID=
NGINX_DIR=

nginx_stop()
{
	local _

	[ -n "$NGINX_PID" ] || return 0
	kill -TERM "$NGINX_PID" 2>/dev/null
	for _ in $(seq 50); do
		kill -0 "$NGINX_PID" 2>/dev/null || break
		sleep 0.1
	done
	kill -0 -- "-$NGINX_PID" 2>/dev/null && kill -KILL -- "-$NGINX_PID"
	wait "$NGINX_PID" 2>/dev/null
	NGINX_PID=
}

cleanup()
{
	apache_stop
	nginx_stop
	fs_cleanup
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

why=$(fs_missing_prereq)
[ -z "$why" ] || fs_die "$why"
why=$(apache_missing)
[ -z "$why" ] || fs_die "$why"
[ -x "$NGINX_BIN" ] || fs_die "needs nginx (scripts/install-deps.sh)"

# --------------------------------------------------------------- topology
sources_up()
{
	local cmac

	"$FS_PY" "$HERE/run_corpus.py" sources "$CORPUS" >"$FS_TMP/sources" || return 1
	cmac=$(fs_mac "$FS_CLI_NS" "$FS_CLI_IF")
	awk -v dev="$FS_CLI_IF" '/:/ { print "addr add " $1 "/64 dev " dev " nodad"; next }
		{ print "addr add " $1 "/32 dev " dev }' "$FS_TMP/sources" |
		ip -n "$FS_CLI_NS" -batch - || return 1
	ip -n "$FS_SRV_NS" -6 route add 2001:db8:1::/64 dev "$FS_SRV_IF" || return 1
	awk -v dev="$FS_SRV_IF" -v mac="$cmac" \
		'{ print "neigh replace " $1 " lladdr " mac " nud permanent dev " dev }' \
		"$FS_TMP/sources" | ip -n "$FS_SRV_NS" -batch -
}

fs_topo_up || fs_die "topology"
sources_up || fs_die "sources"
echo "# $(wc -l <"$FS_TMP/sources") sources on $FS_CLI_IF ($FS_CLI_NS)"

run_corpus()
{
	local server=$1
	shift
	timeout 900 ip netns exec "$FS_CLI_NS" "$FS_PY" "$HERE/run_corpus.py" run \
		--server "$server" --corpus "$CORPUS" --jobs "$JOBS" \
		--out "$FS_TMP/$server.json" --sniff "$FS_CLI_IF" "$@"
}

# ----------------------------------------------------------------- Apache
run_apache()
{
	local d

	apache_write_conf "$FS_TMP/apache" 80 "${NAMES[@]}" || return 1
	d=$APACHE_DIR
	# One log a vhost, with the vhost's name and the host Apache chose.
	sed -i "s|CustomLog .*|CustomLog $d/logs/default.log corpus|" \
		"$d/sites-available/000-default.conf" &&
	sed -i "s|CustomLog .*|CustomLog $d/logs/served.log corpus|" \
		"$d/sites-available/010-served.conf" &&
	echo 'LogFormat "%a %>s \"%v\" \"%V\" \"%{Host}i\" \"%r\"" corpus' \
		>>"$d/conf-available/zz-private.conf" || return 1
	: >"$d/logs/default.log"; : >"$d/logs/served.log"
	chmod a+r "$d/logs/"*.log
	apache_start || return 1
	echo "# apache: $("$APACHE_BIN" -v | head -n 1), pid $APACHE_PID"
	run_corpus apache --log "default=$d/logs/default.log" \
		--log "served=$d/logs/served.log"
	local rc=$?
	apache_stop
	cp "$d/logs/error.log" "$FS_TMP/apache-error.log" 2>/dev/null
	return $rc
}

# ------------------------------------------------------------------ nginx
nginx_write_conf()
{
	local d=$NGINX_DIR

	mkdir -p "$d/logs" "$d/tmp" "$d/www" "$d/default" || return 1
	echo "<!doctype html><title>www.example.org</title><p>Hello.</p>" >"$d/www/index.html"
	echo "<!doctype html><title>default</title><p>nginx default.</p>" >"$d/default/index.html"
	# Debian's /etc/nginx/nginx.conf (nginx 1.22.1-9), restated with our
	# paths; sites-available/default as the default server; our vhost.
	cat >"$d/nginx.conf" <<-EOF
	# tests/http_corpus/run_all.sh: Debian's nginx.conf with private paths
	daemon off;
	user www-data;
	worker_processes auto;
	pid $d/nginx.pid;
	error_log $d/logs/error.log;
	events {
		worker_connections 768;
	}
	http {
		sendfile on;
		tcp_nopush on;
		types_hash_max_size 2048;
		include /etc/nginx/mime.types;
		default_type application/octet-stream;
		ssl_protocols TLSv1 TLSv1.1 TLSv1.2 TLSv1.3;
		ssl_prefer_server_ciphers on;
		gzip on;
		client_body_temp_path $d/tmp/body;
		proxy_temp_path $d/tmp/proxy;
		fastcgi_temp_path $d/tmp/fastcgi;
		uwsgi_temp_path $d/tmp/uwsgi;
		scgi_temp_path $d/tmp/scgi;
		log_format corpus '\$remote_addr \$status "\$server_name" "\$host" "\$http_host" "\$request"';

		# Debian's sites-available/default
		server {
			listen 80 default_server;
			listen [::]:80 default_server;
			root $d/default;
			index index.html index.htm index.nginx-debian.html;
			server_name _;
			access_log $d/logs/default.log corpus;
			location / {
				try_files \$uri \$uri/ =404;
			}
		}
		# the served site
		server {
			listen 80;
			listen [::]:80;
			root $d/www;
			index index.html;
			server_name ${NAMES[*]};
			access_log $d/logs/served.log corpus;
			location / {
				try_files \$uri \$uri/ =404;
			}
		}
	}
	EOF
	: >"$d/logs/default.log"; : >"$d/logs/served.log"
	chmod -R a+rX "$FS_TMP"
}

nginx_listening()
{
	local l

	l=$(fs_in_srv ss -Hltn "sport = :80" 2>/dev/null)
	grep -q "0.0.0.0:80" <<<"$l" && grep -q "\[::\]:80" <<<"$l"
}

run_nginx()
{
	NGINX_DIR=$FS_TMP/nginx
	nginx_write_conf || return 1
	setsid timeout 600 ip netns exec "$FS_SRV_NS" \
		"$NGINX_BIN" -p "$NGINX_DIR/" -c "$NGINX_DIR/nginx.conf" \
		-e "$NGINX_DIR/logs/error.log" \
		</dev/null >"$NGINX_DIR/logs/stdout" 2>&1 &
	NGINX_PID=$!
	fs_wait_until 30 fs_alive_and "$NGINX_PID" nginx_listening ||
		{ echo "nginx did not start: $(cat "$NGINX_DIR/logs/stdout" "$NGINX_DIR/logs/error.log")" >&2; return 1; }
	echo "# nginx: $("$NGINX_BIN" -v 2>&1), pid $NGINX_PID"
	run_corpus nginx --log "default=$NGINX_DIR/logs/default.log" \
		--log "served=$NGINX_DIR/logs/served.log"
	local rc=$?
	nginx_stop
	return $rc
}

# -------------------------------------------------------------------- run
start=$SECONDS
mkdir -p "$OUT_DIR" || fs_die "$OUT_DIR"
res=()
for s in $SERVERS; do
	case $s in
	apache) run_apache || fs_die "apache run failed" ;;
	nginx) run_nginx || fs_die "nginx run failed" ;;
	*) fs_die "unknown server $s" ;;
	esac
	cp "$FS_TMP/$s.json" "$OUT_DIR/results-$s.json" || fs_die "results"
	res+=("$s=$OUT_DIR/results-$s.json")
done
"$FS_PY" "$HERE/summarize.py" --corpus "$CORPUS" --out "$OUT_DIR/measured.json" \
	--apache-version "$("$APACHE_BIN" -v | head -n 1)" \
	--nginx-version "$("$NGINX_BIN" -v 2>&1)" "${res[@]}" || fs_die "summary"
echo "# run_all: $((SECONDS - start)) s"
