# shellcheck shell=bash
# A private Apache (prefork, Debian's defaults) in lib.sh's server
# namespace, for the namespace tests and scripts/demo.sh. Source lib.sh
# first. Defines functions and variables only, and runs nothing.
#
# The system's /etc/apache2 is only read, never changed, and no module is
# enabled system-wide. apache_write_conf copies Debian's tree to a folder
# of ours and changes only what a private instance needs:
#   - the enabled sets are rebuilt as the Debian package enables them on
#     install (APACHE_DEFAULT_MODS, _CONFS, 000-default; whatever the
#     machine's admin enabled or disabled since is ignored), except that
#     mpm_prefork replaces mpm_event, with MaxRequestWorkers
#     $APACHE_MAX_WORKERS (Debian: 150) and the rest of Debian's
#     mpm_prefork.conf;
#   - ServerRoot is the copy; envvars (read by apache2ctl, as on Debian)
#     puts the run, lock and log folders in the copy; Listen PORT only;
#   - 000-default (Debian's, the catch-all that answers any unknown Host)
#     serves a folder of ours; one added vhost serves the given names;
#   - both log to $APACHE_ACCESS_LOG, one line a request:
#       %a "%{Host}i" "%r" %>s        (as http_lib.sh's nginx:
#       $remote_addr "$host" "$request" $status)
#   - HttpProtocolOptions $APACHE_PROTOCOL when it is set (empty: Debian's
#     default, Strict, which answers `GET /#101` with a 400; `Unsafe`
#     serves it, as Apache 2.2 did).
# Everything else stays Debian's: Timeout 300, KeepAlive On,
# MaxKeepAliveRequests 100, KeepAliveTimeout 5, AcceptFilter http data
# (TCP_DEFER_ACCEPT: the kernel keeps a connection a request socket, not
# an established one, until its first data is accepted), mod_reqtimeout,
# ListenBacklog 511, User www-data. (The files themselves are copied as
# they are: an edited apache2.conf is copied with its edits.)
#
# Functions (each returns non-zero and says why on stderr on failure):
#   apache_missing            prints why Apache cannot run here, or nothing
#   apache_write_conf DIR PORT NAME...
#                             writes the tree to DIR (created; must not
#                             exist; inside $FS_TMP, which is opened to
#                             the workers' user); the first NAME is the
#                             vhost's ServerName, the others its
#                             ServerAlias; sets APACHE_DIR, APACHE_PORT,
#                             APACHE_ACCESS_LOG, APACHE_ERROR_LOG
#   apache_start              starts it in $FS_SRV_NS: `setsid timeout
#                             $APACHE_LIFETIME ip netns exec NS apache2 -d
#                             DIR -f apache2.conf -DFOREGROUND` (Apache signals
#                             its whole process group on shutdown: setsid
#                             keeps ours out of it), with the envvars
#                             apache2ctl would set; returns once PORT
#                             listens (at most 10 s); sets APACHE_PID
#   apache_stop               TERM to APACHE_PID (Apache's graceless stop),
#                             KILL to its process group after 5 s; waits;
#                             safe to call when nothing runs
#   apache_env CMD...         runs CMD with APACHE_CONFDIR set to the copy,
#                             so that `apache2ctl -S` and `floodshield hosts
#                             import apache` read it as they would read
#                             /etc/apache2 on a real server
#   apache_log_count_from ADDR_FILE STR
#                             access-log lines holding STR whose client is
#                             listed in ADDR_FILE (one address a line)

APACHE_BIN=${APACHE_BIN:-/usr/sbin/apache2}
APACHE_SRC=${APACHE_SRC:-/etc/apache2}	# read only
APACHE_LIFETIME=${APACHE_LIFETIME:-300}	# seconds, then `timeout` stops it
APACHE_MAX_WORKERS=${APACHE_MAX_WORKERS:-10}
APACHE_PROTOCOL=${APACHE_PROTOCOL:-}	# HttpProtocolOptions; empty: default
APACHE_USER=www-data			# Debian's envvars

# What the Debian package enables on install (apache2.postinst), but
# mpm_prefork for mpm_event.
APACHE_DEFAULT_MODS="access_compat alias auth_basic authn_core authn_file
authz_core authz_host authz_user autoindex deflate dir env filter mime
mpm_prefork negotiation reqtimeout setenvif status"
APACHE_DEFAULT_CONFS="charset localized-error-pages other-vhosts-access-log
security serve-cgi-bin"

APACHE_DIR=
APACHE_PORT=
APACHE_ACCESS_LOG=
APACHE_ERROR_LOG=
APACHE_PID=

apache_missing()
{
	[ -x "$APACHE_BIN" ] || { echo "needs apache2 (scripts/install-deps.sh)"; return; }
	[ -f "$APACHE_SRC/apache2.conf" ] || { echo "needs $APACHE_SRC/apache2.conf"; return; }
	[ -f "$APACHE_SRC/mods-available/mpm_prefork.load" ] ||
		{ echo "needs $APACHE_SRC/mods-available/mpm_prefork.load"; return; }
	id -u "$APACHE_USER" >/dev/null 2>&1 || echo "needs the user $APACHE_USER"
}

# apache_enable KIND NAME: link KIND-available/NAME.* into KIND-enabled,
# as a2enmod/a2enconf do (relative links inside the copy).
apache_enable()
{
	local kind=$1 name=$2 f found=

	for f in "$APACHE_DIR/$kind-available/$name".*; do
		[ -e "$f" ] || continue
		case $f in *.load | *.conf) ;; *) continue ;; esac
		ln -s "../$kind-available/${f##*/}" "$APACHE_DIR/$kind-enabled/" || return 1
		found=1
	done
	[ -n "$found" ] || { echo "apache: no $kind-available/$name in $APACHE_SRC" >&2; return 1; }
}

apache_write_envvars()
{
	local d=$APACHE_DIR

	cat >"$d/envvars" <<-EOF
	# envvars of the private instance (apache2ctl sources it); written
	# by tests/ns/apache_lib.sh in place of Debian's
	unset HOME
	export APACHE_RUN_USER=$APACHE_USER
	export APACHE_RUN_GROUP=$APACHE_USER
	export APACHE_PID_FILE=$d/run/apache2.pid
	export APACHE_RUN_DIR=$d/run
	export APACHE_LOCK_DIR=$d/lock
	export APACHE_LOG_DIR=$d/logs
	export LANG=C
	EOF
}

# The vhosts: Debian's 000-default on our port, root and log; ours.
apache_write_sites()
{
	local d=$APACHE_DIR name=$1 alias

	shift
	sed -e "s|<VirtualHost \*:80>|<VirtualHost *:$APACHE_PORT>|" \
	    -e "s|DocumentRoot /var/www/html|DocumentRoot $d/default|" \
	    -e "s|CustomLog .*|CustomLog $APACHE_ACCESS_LOG fs|" \
	    "$APACHE_SRC/sites-available/000-default.conf" \
	    >"$d/sites-available/000-default.conf" || return 1
	grep -q "DocumentRoot $d/default" "$d/sites-available/000-default.conf" ||
		{ echo "apache: 000-default.conf has no DocumentRoot /var/www/html" >&2; return 1; }
	alias=${*:+ServerAlias $*}
	cat >"$d/sites-available/010-served.conf" <<-EOF
	# the served site (tests/ns/apache_lib.sh)
	<VirtualHost *:$APACHE_PORT>
		ServerName $name
		$alias
		DocumentRoot $d/www
		ErrorLog \${APACHE_LOG_DIR}/error.log
		CustomLog $APACHE_ACCESS_LOG fs
	</VirtualHost>
	EOF
	ln -s ../sites-available/000-default.conf "$d/sites-enabled/" &&
	ln -s ../sites-available/010-served.conf "$d/sites-enabled/"
}

# What differs from Debian's apache2.conf, in one file it includes last.
apache_write_local()
{
	local d=$APACHE_DIR

	{
		echo "# the private instance (tests/ns/apache_lib.sh)"
		echo "LogFormat \"%a \\\"%{Host}i\\\" \\\"%r\\\" %>s\" fs"
		echo "<Directory $d/www/>"
		echo "	Require all granted"
		echo "</Directory>"
		echo "<Directory $d/default/>"
		echo "	Require all granted"
		echo "</Directory>"
		if [ -n "$APACHE_PROTOCOL" ]; then
			echo "HttpProtocolOptions $APACHE_PROTOCOL"
		fi
	} >"$d/conf-available/zz-private.conf" &&
	ln -s ../conf-available/zz-private.conf "$d/conf-enabled/"
}

apache_write_conf()
{
	local d=$1 m

	[ $# -ge 3 ] || { echo "apache_write_conf: DIR PORT NAME... expected" >&2; return 1; }
	[ ! -e "$d" ] || { echo "apache_write_conf: $d exists already" >&2; return 1; }
	case $d in
	"$FS_TMP"/?*) ;;
	*) echo "apache_write_conf: $d is not inside \$FS_TMP ($FS_TMP)" >&2; return 1 ;;
	esac
	APACHE_DIR=$d APACHE_PORT=$2
	APACHE_ACCESS_LOG=$d/logs/access.log APACHE_ERROR_LOG=$d/logs/error.log
	shift 2
	mkdir -p "$(dirname "$d")" && cp -a "$APACHE_SRC" "$d" || return 1
	rm -rf "$d/mods-enabled" "$d/conf-enabled" "$d/sites-enabled" &&
	mkdir -p "$d/mods-enabled" "$d/conf-enabled" "$d/sites-enabled" \
		"$d/run" "$d/lock" "$d/logs" "$d/www" "$d/default" || return 1
	for m in $APACHE_DEFAULT_MODS; do apache_enable mods "$m" || return 1; done
	for m in $APACHE_DEFAULT_CONFS; do apache_enable conf "$m" || return 1; done
	sed -i "s/^MaxRequestWorkers.*/MaxRequestWorkers	$APACHE_MAX_WORKERS/" \
		"$d/mods-available/mpm_prefork.conf" || return 1
	if ! grep -q "^MaxRequestWorkers	$APACHE_MAX_WORKERS\$" "$d/mods-available/mpm_prefork.conf"; then
		echo "apache: no MaxRequestWorkers line in mpm_prefork.conf" >&2
		return 1
	fi
	printf 'Listen %s\n' "$APACHE_PORT" >"$d/ports.conf"
	# ServerRoot first, so that `-f $d/apache2.conf` alone finds the copy.
	sed -i "1i ServerRoot \"$d\"" "$d/apache2.conf" || return 1
	apache_write_envvars && apache_write_sites "$@" && apache_write_local || return 1
	echo "<!doctype html><title>$1</title><p>Hello from $1.</p>" >"$d/www/index.html"
	echo "<!doctype html><title>default</title><p>Apache's default site.</p>" \
		>"$d/default/index.html"
	: >"$APACHE_ACCESS_LOG"
	chown "$APACHE_USER" "$d/lock"		# as apache2ctl does
	chmod -R a+rX "$d"
	# The workers (www-data) must reach the document roots: open up the
	# folders from DIR up to $FS_TMP (mktemp -d makes it 0700), not above.
	m=$(dirname "$d")
	while [ "$m" != "$FS_TMP" ]; do
		chmod a+x "$m" || return 1
		m=$(dirname "$m")
	done
	chmod a+x "$FS_TMP"
}

apache_env()
{
	APACHE_CONFDIR=$APACHE_DIR "$@"
}

# True when something listens on APACHE_PORT in the server namespace.
apache_listening()
{
	fs_in_srv ss -Hltn "sport = :$APACHE_PORT" 2>/dev/null | grep -q .
}

apache_start()
{
	local _

	[ -n "$APACHE_DIR" ] || { echo "apache_start: apache_write_conf first" >&2; return 1; }
	[ -z "$APACHE_PID" ] || { echo "apache_start: already running ($APACHE_PID)" >&2; return 1; }
	# The envvars in a subshell: they must not leak into the caller.
	(
		# shellcheck source=/dev/null
		. "$APACHE_DIR/envvars"
		exec setsid timeout "$APACHE_LIFETIME" \
			ip netns exec "$FS_SRV_NS" "$APACHE_BIN" -d "$APACHE_DIR" \
			-f apache2.conf -DFOREGROUND
	) </dev/null >"$APACHE_DIR/logs/stdout" 2>&1 &
	APACHE_PID=$!
	for _ in $(seq 100); do
		apache_listening && return 0
		kill -0 "$APACHE_PID" 2>/dev/null || break
		sleep 0.1
	done
	echo "apache did not start listening on port $APACHE_PORT:" \
		"$(cat "$APACHE_DIR/logs/stdout" "$APACHE_ERROR_LOG" 2>/dev/null | tail -n 5)" >&2
	apache_stop
	return 1
}

# TERM to our `timeout`, which passes it on to Apache (its parent process
# then stops its workers); whatever is left after 5 s is killed by our
# process group (setsid made it; `timeout` keeps it), never by name.
apache_stop()
{
	local _

	[ -n "$APACHE_PID" ] || return 0
	kill -TERM "$APACHE_PID" 2>/dev/null
	for _ in $(seq 50); do
		kill -0 "$APACHE_PID" 2>/dev/null || break
		sleep 0.1
	done
	# The group's id cannot be reused while a member lives: still ours.
	kill -0 -- "-$APACHE_PID" 2>/dev/null && kill -KILL -- "-$APACHE_PID"
	wait "$APACHE_PID" 2>/dev/null
	APACHE_PID=
	return 0
}

apache_log_count_from()
{
	fs_log_count_from "$APACHE_ACCESS_LOG" "$@"
}
