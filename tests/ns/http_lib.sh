# shellcheck shell=bash
# HTTP helpers for tests/ns/20_http.sh, on top of lib.sh (source lib.sh
# first). Defines functions and variables only, and runs nothing.
#
# Adds to fs_topo_up's topology (documentation addresses only):
#
#   client ns  attack sources  198.51.100.100-199, 203.0.113.100-199 (/32)
#                              2001:db8:1::100-113 (/64, nodad)
#              fresh sources   198.51.100.200-209, 203.0.113.200-209,
#                              2001:db8:1::200-201 (used after detach)
#              probe sources   198.51.100.250, 2001:db8:1::250
#   server ns  on-link route 2001:db8:1::/64 (the IPv4 ones are lib.sh's),
#              permanent neighbour entries for every source, so that ARP
#              and neighbour discovery never decide a test connection.
#
# A real nginx (http_nginx_start) runs in the server namespace from its
# own prefix in $FS_TMP/nginx, with `daemon off;`, under `timeout`
# (HTTP_NGINX_LIFETIME) and `setsid`; it is stopped by the PID we started
# (http_nginx_stop), never by name. It listens on port 80, IPv4 and IPv6:
# www.example.org and example.org serve a small static page, and a
# catch-all default server answers any other Host (which is what lets the
# attack reach nginx when the shield is off). Access log format:
#   $remote_addr "$host" "$request" $status

HTTP_FLOOD=${HTTP_FLOOD:-$FS_ROOT/tests/ns/http_flood.py}
HTTP_NGINX=${HTTP_NGINX:-$(command -v nginx || echo /usr/sbin/nginx)}
HTTP_NGINX_LIFETIME=${HTTP_NGINX_LIFETIME:-300}
# Capacity: worker processes, connections per worker (listening sockets
# included) and keepalive_timeout. The demo makes nginx as small as the
# victim's Apache; the tests keep these.
HTTP_NGINX_WORKERS=${HTTP_NGINX_WORKERS:-2}
HTTP_NGINX_CONNS=${HTTP_NGINX_CONNS:-4096}
HTTP_NGINX_KEEPALIVE=${HTTP_NGINX_KEEPALIVE:-30s}
HTTP_PORT=80
# shellcheck disable=SC2034	# for the tests that source this file
HTTP_ATTACK_HOST=0jejhcec65c24dslii.com

HTTP_NGINX_PID=
HTTP_BG_PIDS=()		# background clients (http_py_bg) to stop on cleanup
HTTP_NGINX_DIR=
HTTP_NGINX_CONF=
HTTP_ACCESS_LOG=

# Address lists, one address a line.
http_attack_sources()
{
	local i

	for i in $(seq 100 199); do echo "198.51.100.$i"; done
	for i in $(seq 100 199); do echo "203.0.113.$i"; done
	for i in $(seq 256 275); do printf '2001:db8:1::%x\n' "$i"; done
}

http_fresh_sources()
{
	local i

	for i in $(seq 200 209); do echo "198.51.100.$i"; done
	for i in $(seq 200 209); do echo "203.0.113.$i"; done
	printf '2001:db8:1::%x\n' 512 513
}

http_probe_sources()
{
	echo 198.51.100.250
	echo 2001:db8:1::250
}

# All the addresses above.
http_all_sources()
{
	http_attack_sources
	http_fresh_sources
	http_probe_sources
}

# Add the attack, fresh and probe sources to the client side of fs_topo_up's
# veth, the IPv6 route and the neighbour entries on the server side.
http_sources_up()
{
	http_all_sources | http_addrs_up
}

# http_addrs_up < ADDRS: the addresses on stdin (one a line; IPv4 ones in
# 198.51.100.0/24 or 203.0.113.0/24, which lib.sh routes, IPv6 ones in
# 2001:db8:1::/64) on the client's veth (/32; /64 nodad), the on-link
# route to 2001:db8:1::/64 and a permanent neighbour entry for each
# (the client's MAC) on the server side. Also for tests/ns/corpus_lib.sh.
http_addrs_up()
{
	local cmac list

	list=$(cat)
	cmac=$(fs_mac "$FS_CLI_NS" "$FS_CLI_IF")
	[ -n "$cmac" ] || return 1
	awk -v dev="$FS_CLI_IF" '/:/ { print "addr add " $1 "/64 dev " dev " nodad"; next }
		NF { print "addr add " $1 "/32 dev " dev }' <<<"$list" |
		ip -n "$FS_CLI_NS" -batch - || return 1
	ip -n "$FS_SRV_NS" -6 route replace 2001:db8:1::/64 dev "$FS_SRV_IF" || return 1
	awk -v dev="$FS_SRV_IF" -v mac="$cmac" \
		'NF { print "neigh replace " $1 " lladdr " mac " nud permanent dev " dev }' \
		<<<"$list" | ip -n "$FS_SRV_NS" -batch -
}

# ---------------------------------------------------------------------
# nginx.

# Write nginx.conf and the document roots under $HTTP_NGINX_DIR.
http_nginx_write_conf()
{
	local d=$HTTP_NGINX_DIR

	mkdir -p "$d/logs" "$d/tmp" "$d/www" "$d/default" || return 1
	cat >"$d/www/index.html" <<-'EOF'
	<!doctype html><title>www.example.org</title><p>Hello from www.example.org.</p>
	EOF
	echo "<p>a file whose name holds a hash</p>" >"$d/www/hash#x.html"
	echo "<p>default server</p>" >"$d/default/index.html"
	cat >"$HTTP_NGINX_CONF" <<-EOF
	# floodshield 20_http test server; started by tests/ns/http_lib.sh
	daemon off;
	master_process on;
	worker_processes $HTTP_NGINX_WORKERS;
	worker_rlimit_nofile 8192;
	pid $d/nginx.pid;
	error_log $d/logs/error.log warn;
	events {
		worker_connections $HTTP_NGINX_CONNS;
	}
	http {
		default_type text/html;
		log_format fs '\$remote_addr "\$host" "\$request" \$status';
		access_log $d/logs/access.log fs;
		client_body_temp_path $d/tmp/body;
		proxy_temp_path $d/tmp/proxy;
		fastcgi_temp_path $d/tmp/fastcgi;
		uwsgi_temp_path $d/tmp/uwsgi;
		scgi_temp_path $d/tmp/scgi;
		keepalive_timeout $HTTP_NGINX_KEEPALIVE;
		server_tokens off;

		# Catch-all: answers any Host, as the victim's server did.
		server {
			listen $HTTP_PORT default_server;
			listen [::]:$HTTP_PORT default_server;
			server_name _;
			root $d/default;
		}
		server {
			listen $HTTP_PORT;
			listen [::]:$HTTP_PORT;
			server_name www.example.org example.org;
			root $d/www;
			location = /form {
				return 200 "thanks\n";
			}
		}
	}
	EOF
	# mktemp -d makes 0700 folders; the workers run as another user.
	chmod -R a+rX "$FS_TMP"
}

# http_nginx_listening [NS]: true when something listens on port 80 for
# IPv4 and for IPv6 in namespace NS (default: the server's).
http_nginx_listening()
{
	local l

	l=$(ip netns exec "${1:-$FS_SRV_NS}" ss -Hltn "sport = :$HTTP_PORT" 2>/dev/null)
	grep -q "0.0.0.0:$HTTP_PORT" <<<"$l" && grep -q "\[::\]:$HTTP_PORT" <<<"$l"
}

http_nginx_start()
{
	HTTP_NGINX_DIR=$FS_TMP/nginx
	HTTP_NGINX_CONF=$HTTP_NGINX_DIR/nginx.conf
	HTTP_ACCESS_LOG=$HTTP_NGINX_DIR/logs/access.log
	http_nginx_write_conf || return 1
	: >"$HTTP_ACCESS_LOG"
	http_nginx_launch "$FS_SRV_NS"
}

# http_nginx_launch NS: start nginx in namespace NS from $HTTP_NGINX_DIR/
# (its logs/ folder must exist) with $HTTP_NGINX_CONF, under `setsid
# timeout $HTTP_NGINX_LIFETIME` (its own process group, which
# http_nginx_stop may kill); returns once it listens on port 80 for IPv4
# and IPv6 (at most 30 s). Sets HTTP_NGINX_PID; says why on stderr.
# Every nginx of the tests starts here (http_nginx_start, proof_lib.sh,
# corpus_lib.sh).
http_nginx_launch()
{
	local ns=$1 d=$HTTP_NGINX_DIR

	setsid timeout "$HTTP_NGINX_LIFETIME" ip netns exec "$ns" \
		"$HTTP_NGINX" -p "$d/" -c "$HTTP_NGINX_CONF" -e "$d/logs/error.log" \
		</dev/null >"$d/logs/stdout" 2>&1 &
	HTTP_NGINX_PID=$!
	fs_wait_until 30 fs_alive_and "$HTTP_NGINX_PID" http_nginx_listening "$ns" &&
		return 0
	echo "nginx did not start listening in $ns:" \
		"$(cat "$d/logs/stdout" "$d/logs/error.log" 2>/dev/null)" >&2
	return 1
}

# Stop the nginx we started: TERM to our `timeout`, which passes it on
# (nginx's fast shutdown); after 5 s, KILL to the process group setsid
# made (the group's id cannot be reused while a member lives: still
# ours), never by name.
http_nginx_stop()
{
	local _

	[ -n "$HTTP_NGINX_PID" ] || return 0
	kill -TERM "$HTTP_NGINX_PID" 2>/dev/null
	for _ in $(seq 50); do
		kill -0 "$HTTP_NGINX_PID" 2>/dev/null || break
		sleep 0.1
	done
	kill -0 -- "-$HTTP_NGINX_PID" 2>/dev/null && kill -KILL -- "-$HTTP_NGINX_PID"
	wait "$HTTP_NGINX_PID" 2>/dev/null
	HTTP_NGINX_PID=
	return 0
}

# Access-log lines that contain the fixed string STR.
http_log_count()
{
	local n

	n=$(grep -cF -- "$1" "$HTTP_ACCESS_LOG" 2>/dev/null)
	echo "${n:-0}"
}

# http_log_count_from ADDR_FILE STR: lines holding STR whose client
# ($remote_addr) is listed in ADDR_FILE.
http_log_count_from()
{
	fs_log_count_from "$HTTP_ACCESS_LOG" "$@"
}

# http_log_wait STR [N]: wait (at most 10 s) until N (default 1) lines
# hold STR; nginx logs a request after answering it.
http_log_wait()
{
	fs_wait_until 10 http_logged "$1" "${2:-1}"
}

http_logged() { [ "$(http_log_count "$1")" -ge "$2" ]; }

# ---------------------------------------------------------------------
# Clients (http_flood.py), in the client namespace, bounded by timeout.

# http_py LIMIT_S ARGS...
http_py()
{
	local limit=$1

	shift
	timeout "$limit" ip netns exec "$FS_CLI_NS" "$FS_PY" "$HTTP_FLOOD" "$@"
}

# http_py_bg OUT ERR LIMIT_S ARGS...: http_py in the background, stdout to
# OUT and stderr to ERR; sets HTTP_PY_PID to the PID of its `timeout`,
# which is what `wait` and http_cleanup need (a function started with &
# runs in a subshell: TERM to that subshell would leave `timeout` and the
# client running).
http_py_bg()
{
	local out=$1 err=$2 limit=$3

	shift 3
	timeout "$limit" ip netns exec "$FS_CLI_NS" "$FS_PY" "$HTTP_FLOOD" "$@" \
		>"$out" 2>"$err" &
	HTTP_PY_PID=$!
	HTTP_BG_PIDS+=("$HTTP_PY_PID")
}

# http_request SRC [--expect N] SEGMENT...: one raw connection from SRC
# to the server (IPv4 or IPv6 after SRC); prints the JSON result.
http_request()
{
	local src=$1 dst=$FS_SRV4

	shift
	case $src in *:*) dst=$FS_SRV6 ;; esac
	http_py 20 request "$src" "$dst" "$@" ||
		echo '{"statuses": [], "error": "client failed"}'
}

# ---------------------------------------------------------------------

http_cleanup()
{
	local pid

	for pid in "${HTTP_BG_PIDS[@]}"; do
		kill -TERM "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	done
	HTTP_BG_PIDS=()
	http_nginx_stop
	fs_cleanup
}

http_trap_cleanup()
{
	trap http_cleanup EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
}
