# shellcheck shell=bash
# The HTTP request corpus (tests/http_corpus) against real servers, shared
# by tests/http_corpus/run_all.sh (the measurement, no shield) and
# tests/ns/70_corpus.sh (the shield judged by it). Sources proof_lib.sh
# (and with it lib.sh, http_lib.sh, apache_lib.sh); defines functions and
# variables only, and runs nothing.
#
# Topology (corpus_topo_up): lib.sh's namespaces and veth, plus one
# source address per variant on the client's end (run_corpus.py sources:
# 198.51.100.0/24, 203.0.113.0/24, 2001:db8:1::/64; http_addrs_up), with
# permanent neighbour entries on the server's end.
#
# Servers (corpus_server_start apache|nginx), one at a time on port 80,
# each serving $CORPUS_NAMES from one vhost beside the catch-all default
# vhost its Debian package ships, each vhost logging to its own file,
# one line a request (run_corpus.py's format):
#   apache  apache_lib.sh (Debian's /etc/apache2 copied, prefork,
#           HttpProtocolOptions left at Strict): 000-default and the
#           served vhost; %a %>s "%v" "%V" "%{Host}i" "%r"
#   nginx   Debian's nginx.conf and sites-available/default (nginx
#           1.22.1-9), restated with private paths, and the served vhost;
#           $remote_addr $status "$server_name" "$host" "$http_host"
#           "$request"
# Both run under `setsid timeout $CORPUS_LIFETIME`, stopped by the PID we
# started (apache_stop, http_nginx_stop), never by name; their logs are
# default.log and served.log in their folder under $FS_TMP.

# shellcheck source=tests/ns/proof_lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/proof_lib.sh"

CORPUS_DIR=$FS_ROOT/tests/http_corpus
CORPUS=${CORPUS:-$CORPUS_DIR/corpus.json}
CORPUS_MEASURED=${CORPUS_MEASURED:-$CORPUS_DIR/measured.json}
CORPUS_RUNNER=$CORPUS_DIR/run_corpus.py
CORPUS_NAMES="www.example.org example.org xn--mnchen-3ya.example.org"
CORPUS_JOBS=${CORPUS_JOBS:-12}		# variants at once
CORPUS_LIFETIME=${CORPUS_LIFETIME:-600}	# seconds, a bound on every server
CORPUS_APACHE_WORKERS=24		# MaxRequestWorkers: twice the jobs
CORPUS_SERVER=				# the server running now
CORPUS_LOG_DIR=				# its default.log and served.log
CORPUS_LOGS=()				# the --log VHOST=PATH arguments for them

# shellcheck disable=SC2034	# read by proof_shield_up
PROOF_HOSTS=$CORPUS_NAMES

# Prints why this machine cannot run the corpus, or nothing.
corpus_missing()
{
	local why

	why=$(fs_missing_prereq)
	[ -z "$why" ] && why=$(apache_missing)
	[ -z "$why" ] && [ ! -x "$HTTP_NGINX" ] && why="needs nginx (scripts/install-deps.sh --test)"
	[ -z "$why" ] && [ ! -f "$CORPUS" ] && why="needs $CORPUS"
	echo "$why"
}

# The namespaces, the veth and every variant's source. Sets FS_TMP when
# empty; the sources are listed in $FS_TMP/sources.
corpus_topo_up()
{
	[ -n "$FS_TMP" ] || FS_TMP=$(mktemp -d /tmp/fs-corpus-"$FS_TAG".XXXXXX) || return 1
	fs_topo_up || return 1
	"$FS_PY" "$CORPUS_RUNNER" sources "$CORPUS" >"$FS_TMP/sources" &&
		http_addrs_up <"$FS_TMP/sources"
}

# ---------------------------------------------------------------------
# Servers.

corpus_apache_start()
{
	local d=$FS_TMP/apache

	rm -rf "$d"
	# shellcheck disable=SC2086
	APACHE_MAX_WORKERS=$CORPUS_APACHE_WORKERS \
		apache_write_conf "$d" "$HTTP_PORT" $CORPUS_NAMES || return 1
	# One log a vhost, with the vhost's name and the host Apache chose.
	sed -i "s|CustomLog .*|CustomLog $d/logs/default.log corpus|" \
		"$d/sites-available/000-default.conf" &&
	sed -i "s|CustomLog .*|CustomLog $d/logs/served.log corpus|" \
		"$d/sites-available/010-served.conf" &&
	echo 'LogFormat "%a %>s \"%v\" \"%V\" \"%{Host}i\" \"%r\"" corpus' \
		>>"$d/conf-available/zz-private.conf" || return 1
	: >"$d/logs/default.log"
	: >"$d/logs/served.log"
	chmod a+r "$d/logs/"*.log
	APACHE_LIFETIME=$CORPUS_LIFETIME apache_start && corpus_logs_at "$d/logs"
}

# Debian's /etc/nginx/nginx.conf (nginx 1.22.1-9) with our paths; its
# sites-available/default as the default server; the served vhost.
corpus_nginx_write_conf()
{
	local d=$HTTP_NGINX_DIR

	mkdir -p "$d/logs" "$d/tmp" "$d/www" "$d/default" || return 1
	echo "<!doctype html><title>www.example.org</title><p>Hello.</p>" >"$d/www/index.html"
	echo "<!doctype html><title>default</title><p>nginx default.</p>" >"$d/default/index.html"
	cat >"$HTTP_NGINX_CONF" <<-EOF
	# tests/ns/corpus_lib.sh: Debian's nginx.conf with private paths
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
			listen $HTTP_PORT default_server;
			listen [::]:$HTTP_PORT default_server;
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
			listen $HTTP_PORT;
			listen [::]:$HTTP_PORT;
			root $d/www;
			index index.html;
			server_name $CORPUS_NAMES;
			access_log $d/logs/served.log corpus;
			location / {
				try_files \$uri \$uri/ =404;
			}
		}
	}
	EOF
	: >"$d/logs/default.log"
	: >"$d/logs/served.log"
	# mktemp -d makes 0700 folders; the workers run as www-data.
	chmod -R a+rX "$FS_TMP"
}

corpus_nginx_start()
{
	HTTP_NGINX_DIR=$FS_TMP/nginx-corpus
	HTTP_NGINX_CONF=$HTTP_NGINX_DIR/nginx.conf
	rm -rf "$HTTP_NGINX_DIR"
	corpus_nginx_write_conf || return 1
	HTTP_NGINX_LIFETIME=$CORPUS_LIFETIME http_nginx_launch "$FS_SRV_NS" &&
		corpus_logs_at "$HTTP_NGINX_DIR/logs"
}

corpus_logs_at()
{
	CORPUS_LOG_DIR=$1
	CORPUS_LOGS=(--log "default=$1/default.log" --log "served=$1/served.log")
}

# corpus_server_start apache|nginx: start it (see the header); sets
# CORPUS_SERVER, CORPUS_LOG_DIR and CORPUS_LOGS. Details on stderr.
corpus_server_start()
{
	CORPUS_SERVER=$1
	case $1 in
	apache) corpus_apache_start ;;
	nginx) corpus_nginx_start ;;
	*) echo "unknown server '$1'" >&2; return 1 ;;
	esac
}

# shellcheck disable=SC2034	# CORPUS_LOG_DIR and CORPUS_LOGS: the callers'
corpus_server_stop()
{
	apache_stop
	http_nginx_stop
	CORPUS_SERVER=
	CORPUS_LOG_DIR=
	CORPUS_LOGS=()
}

# The running server's name and version.
corpus_server_version()
{
	case $CORPUS_SERVER in
	apache) "$APACHE_BIN" -v | head -n 1 ;;
	nginx) "$HTTP_NGINX" -v 2>&1 ;;
	esac
}

# ---------------------------------------------------------------------
# Running the corpus.

# corpus_run OUT [ARG...]: run_corpus.py run against the running server
# from the client namespace, results to OUT; ARGs are run_corpus.py's
# (e.g. "${CORPUS_LOGS[@]}", --sniff IFACE, --only IDS). Bounded by
# CORPUS_RUN_MAX seconds.
corpus_run()
{
	local out=$1

	shift
	timeout "${CORPUS_RUN_MAX:-900}" ip netns exec "$FS_CLI_NS" \
		"$FS_PY" "$CORPUS_RUNNER" run --server "$CORPUS_SERVER" \
		--corpus "$CORPUS" --jobs "$CORPUS_JOBS" --out "$out" "$@"
}

# Server sockets on port 80 the server has not closed yet (ESTAB or
# CLOSE-WAIT), one "STATE PEER" a line. Once there are none, the server
# is done with every connection, and has logged every request it read
# (Apache and nginx log a request before they close its connection).
corpus_open_sockets()
{
	fs_in_srv ss -Htn state established state close-wait "sport = :$HTTP_PORT" \
		2>/dev/null | awk '{ print $1, $NF }'
}

# shellcheck disable=SC2317	# called through fs_wait_until
corpus_server_idle() { [ -z "$(corpus_open_sockets)" ]; }
