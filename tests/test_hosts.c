// SPDX-License-Identifier: GPL-2.0
/* Served-host names without BPF: fs_host_key() normalisation and
 * refusals, and the names read from `nginx -T` and `apachectl -S` dumps.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "test.h"
#include "../loader/hosts.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* ---- fs_host_key ------------------------------------------------------ */

#define A52  "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define A53  A52 "a"
#define A64  A52 "aaaaaaaaaaaa"
#define A100 A64 "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"

static const struct {
	const char *in;
	const char *key; /* right-aligned in the 64 bytes */
	const char *val; /* the display name */
} host_ok[] = {
	{"www.example.org", "www.example.org", "www.example.org"},
	{"WWW.Example.ORG", "www.example.org", "www.example.org"},
	{"www.example.org.", "www.example.org", "www.example.org"},
	{"WWW.EXAMPLE.ORG.", "www.example.org", "www.example.org"},
	{"*.example.org", ".example.org", "*.example.org"},
	{"*.Example.Org.", ".example.org", "*.example.org"},
	{"*.a.b.example.net", ".a.b.example.net", "*.a.b.example.net"},
	{"localhost", "localhost", "localhost"},
	{"my_host-1.example.org", "my_host-1.example.org",
	 "my_host-1.example.org"},
	{"x.example.org", "x.example.org", "x.example.org"},
	/* a name ending in a digit is a name; only IP literals are not */
	{"web01", "web01", "web01"},
	{"host1.example.org", "host1.example.org", "host1.example.org"},
	{"Host1.Example.Org.", "host1.example.org", "host1.example.org"},
	{"www.example.123", "www.example.123", "www.example.123"},
	{"1.2.3", "1.2.3", "1.2.3"},
	{"1.2.3.4.5", "1.2.3.4.5", "1.2.3.4.5"},
	{"*.node7", ".node7", "*.node7"},
	{"deadbeef.example.org", "deadbeef.example.org",
	 "deadbeef.example.org"},
	{A52 ".example.12", A52 ".example.12", A52 ".example.12"},
	/* 64 characters: the whole key */
	{A52 ".example.org", A52 ".example.org", A52 ".example.org"},
	/* a wildcard whose ".suffix" is 64 characters */
	{"*." A52 ".example.or", "." A52 ".example.or", "*." A52 ".example.or"},
};

#define IP_LITERAL                                                            \
	"an IP address, not a host name (list the server's own addresses as " \
	"http.own, `own` in [hosts]; a Host naming one follows http.ip_host)"

static const struct {
	const char *in;
	const char *err;
} host_bad[] = {
	{"", "'': empty name"},
	{".", "'.': empty name"},
	{"www.exa mple.org", "'www.exa mple.org': ' ' is not allowed in a host "
			     "name"},
	{"ex@mple.org", "'ex@mple.org': '@' is not allowed in a host name"},
	{"www.example.org:80", "'www.example.org:80': ':' is not allowed in a "
			       "host name"},
	{"www.example.org/", "'www.example.org/': '/' is not allowed in a host "
			     "name"},
	{"192.0.2.1", "'192.0.2.1': " IP_LITERAL},
	{"192.0.2.1.", "'192.0.2.1.': " IP_LITERAL},
	{"0.0.0.0", "'0.0.0.0': " IP_LITERAL},
	{"999.1.1.1", "'999.1.1.1': " IP_LITERAL},
	{"192.0.2.1:80", "'192.0.2.1:80': " IP_LITERAL},
	{"[2001:db8::1]", "'[2001:db8::1]': " IP_LITERAL},
	{"[2001:db8::1]:80", "'[2001:db8::1]:80': " IP_LITERAL},
	{"2001:db8::1", "'2001:db8::1': " IP_LITERAL},
	{"::1", "'::1': " IP_LITERAL},
	{"::ffff:192.0.2.1", "'::ffff:192.0.2.1': " IP_LITERAL},
	{"a..example.org", "'a..example.org': not a host name"},
	{A53 ".example.org", "'" A53 ".example.org': longer than 64 "
			     "characters"},
	{A100 ".example.org", "'" A100 ".example.org': longer than 64 "
			      "characters"},
	{"www.*.example.org", "'www.*.example.org': '*' is not allowed in a "
			      "host "
			      "name (only a leading '*.')"},
	{"*example.org", "'*example.org': '*' is not allowed in a host name "
			 "(only a leading '*.')"},
	{"*", "'*': '*' is not allowed in a host name (only a leading '*.')"},
	{"*.*.example.org", "'*.*.example.org': '*' is not allowed in a host "
			    "name "
			    "(only a leading '*.')"},
	{"*.", "'*.': empty wildcard suffix"},
	{"*." A53 ".example.or", "'*." A53 ".example.or': longer than 64 "
				 "characters"},
};

FS_TEST(hosts_key)
{
	struct fs_host_key key, want;
	struct fs_host_val val;
	char err[200];

	for (size_t i = 0; i < ARRAY_SIZE(host_ok); i++) {
		size_t n = strlen(host_ok[i].key);

		fs_subtest("accepts '%s'", host_ok[i].in);
		memset(&want, 0, sizeof(want));
		memcpy(want.name + FS_HOST_MAX - n, host_ok[i].key, n);
		err[0] = '\0';
		if (!ASSERT_OK(fs_host_key(host_ok[i].in, &key, &val, err,
					   sizeof(err)),
			       err))
			continue;
		ASSERT_MEMEQ(key.name, want.name, FS_HOST_MAX,
			     "key: right-aligned, zeros on the left");
		ASSERT_STREQ(val.name, host_ok[i].val, "display name");
	}
	for (size_t i = 0; i < ARRAY_SIZE(host_bad); i++) {
		fs_subtest("refuses '%.40s'", host_bad[i].in);
		err[0] = '\0';
		ASSERT_EQ(fs_host_key(host_bad[i].in, &key, &val, err,
				      sizeof(err)),
			  -EINVAL, "return value");
		ASSERT_STREQ(err, host_bad[i].err, "message");
	}
	/* ".example.org" is the key of *.example.org: as a name it would
	 * alias the wildcard's key without setting the wildcard flag. */
	fs_subtest("refuses '.example.org' (a wildcard key, not a name)");
	err[0] = '\0';
	ASSERT_EQ(fs_host_key(".example.org", &key, &val, err, sizeof(err)),
		  -EINVAL, "return value");
	ASSERT_TRUE(!strncmp(err, "'.example.org': ", 16), "message names the "
							   "input");
}

/* ---- server dumps ----------------------------------------------------- */

#define FOUND_MAX 48

struct found {
	int n;
	char name[FOUND_MAX][320];
	char where[FOUND_MAX][200];
};

struct import {
	struct found add, skip;
};

static void record(struct found *f, const char *name, const char *where)
{
	if (f->n >= FOUND_MAX)
		return;
	snprintf(f->name[f->n], sizeof(f->name[0]), "%s", name);
	snprintf(f->where[f->n], sizeof(f->where[0]), "%s", where);
	f->n++;
}

static void on_add(const char *name, const char *where, void *arg)
{
	record(&((struct import *)arg)->add, name, where);
}

static void on_skip(const char *name, const char *where, void *arg)
{
	record(&((struct import *)arg)->skip, name, where);
}

/* A name (or the start of a gap's sentence) expected at "FILE:LINE",
 * FILE relative to the fixture folder when @dir is given. */
struct want {
	const char *what;
	const char *where;
};

/* @got holds exactly @want, in order. */
static void check_found(const struct found *got, const struct want *want,
			size_t n, const char *dir, const char *label)
{
	char where[256], what[128];

	snprintf(what, sizeof(what), "%s: how many", label);
	ASSERT_EQ(got->n, n, what);
	for (size_t i = 0; i < n && i < (size_t)got->n; i++) {
		snprintf(where, sizeof(where), "%s%s%s", dir ? dir : "",
			 dir ? "/" : "", want[i].where);
		snprintf(what, sizeof(what), "%s %zu", label, i);
		ASSERT_TRUE(!strncmp(got->name[i], want[i].what,
				     strlen(want[i].what)),
			    got->name[i]);
		ASSERT_STREQ(got->where[i], where, what);
	}
}

/* All that @cmd prints on stdout, or NULL (the subtest failed). */
static char *run(const char *cmd)
{
	FILE *p = popen(cmd, "r");
	size_t n = 0, cap = 1 << 20;
	char *buf = malloc(cap);
	int st;

	if (!p || !buf) {
		ASSERT_TRUE(false, cmd);
		free(buf);
		if (p)
			pclose(p);
		return NULL;
	}
	n = fread(buf, 1, cap - 1, p);
	buf[n] = '\0';
	st = pclose(p);
	if (!ASSERT_EQ(st, 0, cmd)) {
		free(buf);
		return NULL;
	}
	return buf;
}

/* The fixture folder tests/hosts/@name, absolute. */
static void fixture(const char *name, char *dir, size_t len)
{
	char cwd[200];

	if (!getcwd(cwd, sizeof(cwd)))
		snprintf(cwd, sizeof(cwd), ".");
	snprintf(dir, len, "%.200s/tests/hosts/%.20s", cwd, name);
}

/* A hand-made `nginx -T` for what the real tool cannot show here: a
 * stream block (Debian's nginx has no stream module loaded), escapes,
 * an include from inside a server, a file included twice. */
static const char nginx_dump[] =
	"nginx: the configuration file /etc/nginx/nginx.conf syntax is ok\n"
	"# configuration file /etc/nginx/nginx.conf:\n"
	"events { worker_connections 768; }\n"
	"# server_name commented.example.org;\n"
	"http {\n"
	"\tserver_names_hash_bucket_size 64;\n"
	"\tlog_format main '$remote_addr \"$request\" ${status}x';\n"
	"\tinclude sites/*;\n"
	"\tmap $host $x { default 0; ~^www 1; }\n"
	"}\n"
	"stream {\n"
	"\tserver { listen 12345; proxy_pass 127.0.0.1:9; }\n"
	"\tinclude /etc/nginx/streams/*.conf;\n"
	"}\n"
	"# configuration file /etc/nginx/sites/a:\n"
	"server {\n"
	"\tlisten 80;\n"
	"\tserver_name \"q\\\"uote.example.org\" a\\;b.example.org;\n"
	"\tinclude /etc/nginx/names.inc;\n"
	"\treturn 444;\n"
	"}\n"
	"server {\n"
	"\tlisten 127.0.0.1:80;\n"
	"\tinclude /etc/nginx/names.inc;\n"
	"\tif ($x) { return 403; }\n"
	"}\n"
	"# configuration file /etc/nginx/names.inc:\n"
	"server_name inc.example.org\n"
	"\t$hostname;\n"
	"# configuration file /etc/nginx/streams/s.conf:\n"
	"server { listen 5353 udp; }\n";

static const struct want nginx_add[] = {
	{"q\"uote.example.org", "/etc/nginx/sites/a:3"},
	{"a\\;b.example.org", "/etc/nginx/sites/a:3"},
	{"inc.example.org", "/etc/nginx/names.inc:1"},
	{"inc.example.org", "/etc/nginx/names.inc:1"},
};

/* The first server returns 444 (no gap); the second, on its own
 * address, answers everything there; stream servers are not HTTP. */
static const struct want nginx_skip[] = {
	{"server_name $hostname: a variable", "/etc/nginx/names.inc:2"},
	{"server_name $hostname: a variable", "/etc/nginx/names.inc:2"},
	{"server { server_name inc.example.org $hostname; } is the default "
	 "server of 127.0.0.1:80: it answers every Host",
	 "/etc/nginx/sites/a:7"},
};

FS_TEST(hosts_nginx)
{
	struct import got = {};

	fs_hosts_from_nginx(nginx_dump, on_add, on_skip, &got);
	fs_subtest("names through includes, quotes and escapes; http only");
	check_found(&got.add, nginx_add, ARRAY_SIZE(nginx_add), NULL, "name");
	fs_subtest("a variable and a default server reported, with FILE:LINE");
	check_found(&got.skip, nginx_skip, ARRAY_SIZE(nginx_skip), NULL, "gap");

	fs_subtest("a dump without file headers: one file, lines of the dump");
	memset(&got, 0, sizeof(got));
	fs_hosts_from_nginx("server {\n\tserver_name example.org \"\" _;\n"
			    "\treturn 404;\n}\n",
			    on_add, on_skip, &got);
	ASSERT_EQ(got.add.n, 1, "names added");
	ASSERT_STREQ(got.add.name[0], "example.org", "name added");
	ASSERT_STREQ(got.add.where[0], "nginx -T line 2", "where");
	ASSERT_EQ(got.skip.n, 0, "\"\" and _ are no gap; return 404 refuses");

	fs_subtest("an include loop: bounded, and reported");
	memset(&got, 0, sizeof(got));
	fs_hosts_from_nginx("# configuration file /x/nginx.conf:\n"
			    "http { include /x/l; }\n"
			    "# configuration file /x/l:\n"
			    "include /x/l;\n",
			    on_add, on_skip, &got);
	ASSERT_EQ(got.skip.n, 1, "one gap");
	ASSERT_TRUE(strstr(got.skip.name[0], "not read to its end") != NULL,
		    got.skip.name[0]);

	fs_subtest("an empty dump: nothing");
	memset(&got, 0, sizeof(got));
	fs_hosts_from_nginx("", on_add, on_skip, &got);
	ASSERT_EQ(got.add.n + got.skip.n, 0, "names and gaps");
}

/* tests/hosts/nginx through the real `nginx -T`. */
static const struct want nginx_fix_add[] = {
	{"www.example.org", "nginx.conf:7"},
	{"example.org", "nginx.conf:7"},
	{"blog.example.org", "nginx.conf:12"},
	{"example.info", "nginx.conf:12"},
	{"*.example.info", "nginx.conf:12"},
	{"api.example.net", "nginx.conf:15"},
	{"shop.example.org", "sites/shop.conf:3"},
	{"*.shop.example.org", "sites/shop.conf:4"},
};

static const struct want nginx_fix_skip[] = {
	{"server_name ~^(?<sub>[a-z]{2,10})\\.example\\.net$: a regular "
	 "expression",
	 "nginx.conf:8"},
	{"server_name www.example.*: a wildcard the host table cannot match",
	 "nginx.conf:9"},
	{"server { server_name www.example.org example.org; } is the default "
	 "server of *:80: it answers every Host no other server names",
	 "nginx.conf:7"},
	{"server { (no server_name) } is the default server of *:8080", "nginx."
									"conf:"
									"11"},
};

FS_TEST(hosts_nginx_real)
{
	struct import got = {};
	char dir[300], cmd[1024], line[64];
	char *text;

	fixture("nginx", dir, sizeof(dir));
	fs_subtest("nginx -T of tests/hosts/nginx: names and gaps");
	snprintf(cmd, sizeof(cmd),
		 "/usr/sbin/nginx -T -c %s/nginx.conf -p %s/ -e /dev/null "
		 "2>/dev/null",
		 dir, dir);
	text = run(cmd);
	if (text) {
		fs_hosts_from_nginx(text, on_add, on_skip, &got);
		check_found(&got.add, nginx_fix_add, ARRAY_SIZE(nginx_fix_add),
			    dir, "name");
		check_found(&got.skip, nginx_fix_skip,
			    ARRAY_SIZE(nginx_fix_skip), dir, "gap");
	}
	free(text);

	/* Debian's own /etc/nginx, read only: its default site is a
	 * catch-all (listen 80 default_server; server_name _). */
	fs_subtest("nginx -T of Debian's /etc/nginx: the default site");
	memset(&got, 0, sizeof(got));
	text = run("/usr/sbin/nginx -T -c /etc/nginx/nginx.conf -e /dev/null "
		   "2>/dev/null");
	if (text) {
		fs_hosts_from_nginx(text, on_add, on_skip, &got);
		snprintf(line, sizeof(line),
			 "/etc/nginx/sites-enabled/default:");
		ASSERT_TRUE(got.skip.n >= 1, "a gap");
		ASSERT_TRUE(!strncmp(got.skip.where[0], line, strlen(line)),
			    got.skip.where[0]);
		ASSERT_TRUE(strstr(got.skip.name[0], "server_name _; } is the "
						     "default server of "
						     "*:80, [::]:80") != NULL,
			    got.skip.name[0]);
	}
	free(text);
}

/* A hand-made `apachectl -S`, as the CLI reads it (stderr included). */
static const char apache_dump[] = "AH00558: apache2: Could not reliably "
				  "determine the server's fully "
				  "qualified domain name, using 127.0.1.1. Set "
				  "the 'ServerName' "
				  "directive globally to suppress this "
				  "message\n"
				  "VirtualHost configuration:\n"
				  "[2001:db8::1]:8080     api.example.net "
				  "(/etc/apache2/sites-enabled/api.conf:1)\n"
				  "ServerRoot: \"/etc/apache2\"\n"
				  "Main DocumentRoot: \"/var/www/html\"\n";

FS_TEST(hosts_apache)
{
	struct import got = {};

	fs_hosts_from_apache(apache_dump, on_add, on_skip, &got);
	fs_subtest("a lone vhost: its name, and it answers every Host");
	ASSERT_EQ(got.add.n, 1, "names");
	ASSERT_STREQ(got.add.name[0], "api.example.net", "name");
	ASSERT_STREQ(got.add.where[0], "/etc/apache2/sites-enabled/api.conf:1",
		     "where");
	ASSERT_EQ(got.skip.n, 1, "gaps");
	ASSERT_TRUE(strstr(got.skip.name[0], "only one on [2001:db8::1]:8080"),
		    got.skip.name[0]);

	fs_subtest("no vhost at all: the main server answers every Host");
	memset(&got, 0, sizeof(got));
	fs_hosts_from_apache("VirtualHost configuration:\nServerRoot: "
			     "\"/etc/apache2\"\n",
			     on_add, on_skip, &got);
	ASSERT_EQ(got.add.n, 0, "names");
	ASSERT_EQ(got.skip.n, 1, "gaps");

	fs_subtest("the listing alone, last line without a newline");
	memset(&got, 0, sizeof(got));
	fs_hosts_from_apache("*:80 www.example.org (/etc/apache2/x.conf:1)",
			     on_add, on_skip, &got);
	ASSERT_EQ(got.add.n, 1, "names");
	ASSERT_STREQ(got.add.where[0], "/etc/apache2/x.conf:1", "where");
}

/* tests/hosts/apache through the real `apache2 -S`. */
static const struct want apache_fix_add[] = {
	{"shop.example.org", "sites/00-shop.conf:2"},
	{"Shop.Example.NET", "sites/00-shop.conf:2"},
	{"www.example.org", "sites/10-www.conf:1"},
	{"example.org", "sites/10-www.conf:1"},
	{"*.example.org", "sites/10-www.conf:1"},
	{"api.example.net", "sites/10-www.conf:8"},
	{"first.example.net", "sites/05-first.conf:1"},
	{"deny.example.net", "sites/10-www.conf:13"},
};

static const struct want apache_fix_skip[] = {
	{"vhost shop.example.org is the default server of *:8080: it answers "
	 "every Host no other vhost names",
	 "sites/00-shop.conf:2"},
	{"ServerAlias www.example.* (vhost www.example.org): a pattern", "sites"
									 "/10-"
									 "www."
									 "conf:"
									 "1"},
	{"ServerAlias ?.example.net (vhost www.example.org): a pattern", "sites"
									 "/10-"
									 "www."
									 "conf:"
									 "1"},
	{"vhost api.example.net is the only one on *:8081", "sites/"
							    "10-www.conf:8"},
	{"vhost first.example.net is the default server of *:8082", "sites/"
								    "05-first."
								    "conf:1"},
	{"ServerAlias * (vhost deny.example.net): every name", "sites/"
							       "10-www.conf:"
							       "13"},
};

FS_TEST(hosts_apache_real)
{
	struct import got = {};
	char dir[300], cmd[1024];
	char *text;

	fixture("apache", dir, sizeof(dir));
	fs_subtest("apache2 -S of tests/hosts/apache: names and gaps");
	snprintf(cmd, sizeof(cmd),
		 "FS_FIXTURE=%s /usr/sbin/apache2 -d %s -f %s/apache2.conf "
		 "-S 2>&1",
		 dir, dir, dir);
	text = run(cmd);
	if (text) {
		fs_hosts_from_apache(text, on_add, on_skip, &got);
		check_found(&got.add, apache_fix_add,
			    ARRAY_SIZE(apache_fix_add), dir, "name");
		check_found(&got.skip, apache_fix_skip,
			    ARRAY_SIZE(apache_fix_skip), dir, "gap");
	}
	free(text);

	/* Debian's /etc/apache2 through Debian's apache2ctl, read only:
	 * 000-default has no ServerName and answers every Host. */
	fs_subtest("apache2ctl -S of Debian's /etc/apache2: 000-default");
	memset(&got, 0, sizeof(got));
	text = run("APACHE_CONFDIR=/etc/apache2 /usr/sbin/apache2ctl -S 2>&1");
	if (text) {
		fs_hosts_from_apache(text, on_add, on_skip, &got);
		ASSERT_TRUE(got.skip.n >= 1, "a gap");
		ASSERT_STREQ(got.skip.where[0],
			     "/etc/apache2/sites-enabled/000-default.conf:1",
			     "where");
		ASSERT_TRUE(strstr(got.skip.name[0], "on *:80: it answers "
						     "every Host") != NULL,
			    got.skip.name[0]);
	}
	free(text);
}
