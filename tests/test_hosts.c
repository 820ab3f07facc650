// SPDX-License-Identifier: GPL-2.0
/* Served-host names without BPF: fs_host_key() normalisation and
 * refusals, and the names read from `nginx -T` and `apachectl -S` dumps.
 */
#include <errno.h>
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

#define FOUND_MAX 32

struct found {
	int n;
	char name[FOUND_MAX][128];
	char where[FOUND_MAX][48];
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

/* A name expected from a dump, and a text found on its line. */
struct want {
	const char *name;
	const char *line_has;
};

/* 1-based line of the first occurrence of @needle in @text, or 0. */
static int line_of(const char *text, const char *needle)
{
	const char *at = strstr(text, needle);
	int line = 1;

	if (!at)
		return 0;
	for (const char *p = text; p < at; p++)
		line += *p == '\n';
	return line;
}

/* @got holds exactly @want, in order, each with "@tool line N". */
static void check_found(const struct found *got, const struct want *want,
			size_t n, const char *text, const char *tool)
{
	char where[64], what[96];

	ASSERT_EQ(got->n, n, "number of names");
	for (size_t i = 0; i < n && i < (size_t)got->n; i++) {
		snprintf(where, sizeof(where), "%s line %d", tool,
			 line_of(text, want[i].line_has));
		snprintf(what, sizeof(what), "name %zu", i);
		ASSERT_STREQ(got->name[i], want[i].name, what);
		snprintf(what, sizeof(what), "where of '%s'", want[i].name);
		ASSERT_STREQ(got->where[i], where, what);
	}
}

/* `nginx -T` of a Debian nginx with three sites. */
static const char nginx_dump[] =
	"nginx: the configuration file /etc/nginx/nginx.conf syntax is ok\n"
	"nginx: configuration file /etc/nginx/nginx.conf test is successful\n"
	"# configuration file /etc/nginx/nginx.conf:\n"
	"user www-data;\n"
	"worker_processes auto;\n"
	"pid /run/nginx.pid;\n"
	"include /etc/nginx/modules-enabled/*.conf;\n"
	"\n"
	"events {\n"
	"\tworker_connections 768;\n"
	"\t# multi_accept on;\n"
	"}\n"
	"\n"
	"http {\n"
	"\tsendfile on;\n"
	"\ttypes_hash_max_size 2048;\n"
	"\tserver_names_hash_bucket_size 64;\n"
	"\t# server_name commented.example.org;\n"
	"\tserver_name_in_redirect off;\n"
	"\tinclude /etc/nginx/mime.types;\n"
	"\tlog_format main '$remote_addr - $remote_user [$time_local] "
	"\"$request\" '\n"
	"\t                '$status $body_bytes_sent \"$http_referer\"';\n"
	"\taccess_log /var/log/nginx/access.log main;\n"
	"\tinclude /etc/nginx/sites-enabled/*;\n"
	"}\n"
	"\n"
	"# configuration file /etc/nginx/mime.types:\n"
	"types {\n"
	"    text/html                             html htm shtml;\n"
	"    text/css                              css;\n"
	"}\n"
	"\n"
	"# configuration file /etc/nginx/sites-enabled/default:\n"
	"server {\n"
	"\tlisten 80 default_server;\n"
	"\tlisten [::]:80 default_server;\n"
	"\tserver_name _;\n"
	"\troot /var/www/html;\n"
	"\tlocation / {\n"
	"\t\ttry_files $uri $uri/ =404;\n"
	"\t}\n"
	"}\n"
	"\n"
	"# configuration file /etc/nginx/sites-enabled/example.org:\n"
	"server {\n"
	"\tlisten 80;\n"
	"\tlisten [::]:80;\n"
	"\tserver_name www.example.org example.org;   # the main site\n"
	"\troot /var/www/example.org;\n"
	"\tlocation ~ \\.php$ {\n"
	"\t\tinclude snippets/fastcgi-php.conf;\n"
	"\t}\n"
	"}\n"
	"\n"
	"server {\n"
	"\tlisten 443 ssl http2;\n"
	"\tserver_name\n"
	"\t\tshop.example.org    # the shop\n"
	"\t\tBlog.Example.ORG\n"
	"\t\t;\n"
	"\tssl_certificate /etc/letsencrypt/live/example.org/fullchain.pem;\n"
	"\treturn 301 https://www.example.org$request_uri;\n"
	"}\n"
	"\n"
	"# configuration file /etc/nginx/sites-enabled/others:\n"
	"server {\n"
	"\tserver_name .example.info *.example.com;\n"
	"\tserver_name_in_redirect on;\n"
	"}\n"
	"server {\n"
	"\tserver_name ~^(?<user>[a-z]{2,8})\\.users\\.example\\.net$ "
	"www.$domain\n"
	"\t\tapi.example.net;\n"
	"\tlocation / { proxy_pass http://127.0.0.1:8080; }\n"
	"}\n";

static const struct want nginx_add[] = {
	{"www.example.org", "server_name www.example.org"},
	{"example.org", "server_name www.example.org"},
	{"shop.example.org", "shop.example.org    #"},
	{"Blog.Example.ORG", "Blog.Example.ORG"},
	{"example.info", ".example.info"},
	{"*.example.info", ".example.info"},
	{"*.example.com", "*.example.com"},
	{"api.example.net", "api.example.net"},
};

/* The catch-all "_", a regex and a variable are not names: skipped and
 * reported, never added. */
static const struct want nginx_skip[] = {
	{"_", "server_name _"},
	{"~^(?<user>[a-z]{2,8})\\.users\\.example\\.net$", "~^(?<user>"},
	{"www.$domain", "www.$domain"},
};

FS_TEST(hosts_nginx)
{
	struct import got = {};

	fs_hosts_from_nginx(nginx_dump, on_add, on_skip, &got);
	fs_subtest("server_name values added, in order, with their lines");
	check_found(&got.add, nginx_add, ARRAY_SIZE(nginx_add), nginx_dump,
		    "nginx -T");
	fs_subtest("catch-all, regex and variable skipped");
	check_found(&got.skip, nginx_skip, ARRAY_SIZE(nginx_skip), nginx_dump,
		    "nginx -T");
	/* nginx's documented way to also serve requests without Host. */
	fs_subtest("server_name example.org \"\": the empty name skipped");
	memset(&got, 0, sizeof(got));
	fs_hosts_from_nginx("server {\n\tserver_name example.org \"\";\n}\n",
			    on_add, on_skip, &got);
	ASSERT_EQ(got.add.n, 1, "names added");
	ASSERT_STREQ(got.add.name[0], "example.org", "name added");
	ASSERT_EQ(got.skip.n, 1, "names skipped");
	fs_subtest("an empty dump adds nothing");
	memset(&got, 0, sizeof(got));
	fs_hosts_from_nginx("", on_add, on_skip, &got);
	ASSERT_EQ(got.add.n + got.skip.n, 0, "names");
}

/* `apachectl -S` of a Debian Apache (stderr included, as the CLI reads
 * it): a lone SSL vhost, a name-based *:80 with aliases, an IPv6 one. */
static const char apache_dump[] =
	"AH00558: apache2: Could not reliably determine the server's fully "
	"qualified domain name, using 127.0.1.1. Set the 'ServerName' "
	"directive "
	"globally to suppress this message\n"
	"VirtualHost configuration:\n"
	"*:443                  secure.example.com "
	"(/etc/apache2/sites-enabled/default-ssl.conf:2)\n"
	"*:80                   is a NameVirtualHost\n"
	"         default server www.example.org "
	"(/etc/apache2/sites-enabled/000-default.conf:1)\n"
	"         port 80 namevhost www.example.org "
	"(/etc/apache2/sites-enabled/000-default.conf:1)\n"
	"                 alias example.org\n"
	"                 wild alias *.example.org\n"
	"         port 80 namevhost shop.example.net "
	"(/etc/apache2/sites-enabled/shop.conf:1)\n"
	"                 alias Shop.Example.NET\n"
	"[2001:db8::1]:8080     api.example.net "
	"(/etc/apache2/sites-enabled/api.conf:1)\n"
	"ServerRoot: \"/etc/apache2\"\n"
	"Main DocumentRoot: \"/var/www/html\"\n"
	"Main ErrorLog: \"/var/log/apache2/error.log\"\n"
	"Mutex default: dir=\"/var/run/apache2/\" mechanism=default \n"
	"Mutex watchdog-callback: using_defaults\n"
	"PidFile: \"/var/run/apache2/apache2.pid\"\n"
	"Define: DUMP_VHOSTS\n"
	"Define: DUMP_RUN_CFG\n"
	"User: name=\"www-data\" id=33\n"
	"Group: name=\"www-data\" id=33\n";

static const struct want apache_add[] = {
	{"secure.example.com", "*:443"},
	{"www.example.org", "default server www.example.org"},
	{"www.example.org", "namevhost www.example.org"},
	{"example.org", "alias example.org"},
	{"*.example.org", "wild alias"},
	{"shop.example.net", "namevhost shop.example.net"},
	{"Shop.Example.NET", "alias Shop.Example.NET"},
	{"api.example.net", "[2001:db8::1]:8080"},
};

FS_TEST(hosts_apache)
{
	struct import got = {};

	fs_hosts_from_apache(apache_dump, on_add, on_skip, &got);
	fs_subtest("vhost names and aliases added, in order, with their lines");
	check_found(&got.add, apache_add, ARRAY_SIZE(apache_add), apache_dump,
		    "apachectl -S");
	fs_subtest("nothing skipped");
	ASSERT_EQ(got.skip.n, 0, "skipped names");
	fs_subtest("the last line without a newline");
	memset(&got, 0, sizeof(got));
	fs_hosts_from_apache("*:80 www.example.org (/etc/apache2/x.conf:1)",
			     on_add, on_skip, &got);
	ASSERT_EQ(got.add.n, 1, "names");
	ASSERT_STREQ(got.add.name[0], "www.example.org", "name");
	ASSERT_STREQ(got.add.where[0], "apachectl -S line 1", "where");
}
