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
	local cmac a

	cmac=$(fs_mac "$FS_CLI_NS" "$FS_CLI_IF")
	[ -n "$cmac" ] || return 1
	http_all_sources | while read -r a; do
		case $a in
		*:*) echo "addr add $a/64 dev $FS_CLI_IF nodad" ;;
		*) echo "addr add $a/32 dev $FS_CLI_IF" ;;
		esac
	done | ip -n "$FS_CLI_NS" -batch - || return 1
	ip -n "$FS_SRV_NS" -6 route add 2001:db8:1::/64 dev "$FS_SRV_IF" || return 1
	http_all_sources | while read -r a; do
		echo "neigh replace $a lladdr $cmac nud permanent dev $FS_SRV_IF"
	done | ip -n "$FS_SRV_NS" -batch -
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

# True when nginx listens on port 80 for IPv4 and IPv6.
http_nginx_listening()
{
	local l

	l=$(fs_in_srv ss -Hltn "sport = :$HTTP_PORT" 2>/dev/null)
	grep -q "0.0.0.0:$HTTP_PORT" <<<"$l" && grep -q "\[::\]:$HTTP_PORT" <<<"$l"
}

http_nginx_start()
{
	HTTP_NGINX_DIR=$FS_TMP/nginx
	HTTP_NGINX_CONF=$HTTP_NGINX_DIR/nginx.conf
	HTTP_ACCESS_LOG=$HTTP_NGINX_DIR/logs/access.log
	http_nginx_write_conf || return 1
	: >"$HTTP_ACCESS_LOG"
	setsid timeout "$HTTP_NGINX_LIFETIME" ip netns exec "$FS_SRV_NS" \
		"$HTTP_NGINX" -p "$HTTP_NGINX_DIR/" -c "$HTTP_NGINX_CONF" \
		-e "$HTTP_NGINX_DIR/logs/error.log" \
		</dev/null >"$HTTP_NGINX_DIR/logs/stdout" 2>&1 &
	HTTP_NGINX_PID=$!
	fs_wait_until 30 fs_alive_and "$HTTP_NGINX_PID" http_nginx_listening && return 0
	echo "# nginx did not start listening:" \
		"$(cat "$HTTP_NGINX_DIR/logs/stdout" "$HTTP_NGINX_DIR/logs/error.log" 2>/dev/null)" >&2
	return 1
}

# Stop the nginx we started: TERM to our `timeout`, which passes it on
# (nginx's fast shutdown); KILL after 5 s.
http_nginx_stop()
{
	local _

	[ -n "$HTTP_NGINX_PID" ] || return 0
	kill -TERM "$HTTP_NGINX_PID" 2>/dev/null
	for _ in $(seq 50); do
		kill -0 "$HTTP_NGINX_PID" 2>/dev/null || break
		sleep 0.1
	done
	kill -KILL "$HTTP_NGINX_PID" 2>/dev/null
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
	grep -F -- "$2" "$HTTP_ACCESS_LOG" 2>/dev/null |
		awk 'NR == FNR { a[$1]; next } $1 in a { n++ } END { print n + 0 }' "$1" -
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
