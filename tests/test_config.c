// SPDX-License-Identifier: GPL-2.0
/* The configuration file parser (userspace/config.c): the shipped
 * example, each section's effect on struct fs_conf, every error message
 * by its exact text, list files, and a deterministic fuzz run of random
 * and mutated files that must load or fail with "FILE:LINE: ...".
 * Files are written under a mktemp folder.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <unistd.h>
#include "test.h"
#include "../loader/util.h"
#include "../loader/addr.h"
#include "../loader/config.h"
#include "../loader/settings.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define EXAMPLE	      "etc/floodshield.conf"
#define NS	      1000000000ull

static char dir[64];

/* The temporary folder, made on first use. */
static const char *tmpdir(void)
{
	if (!dir[0]) {
		strcpy(dir, "/tmp/fs_config.XXXXXX");
		if (!mkdtemp(dir))
			dir[0] = '\0';
	}
	return dir;
}

static void tmpdir_remove(void)
{
	if (dir[0])
		fs_sh("rm -rf '%s'", dir);
	dir[0] = '\0';
}

/* DIR/@name into @buf. */
static const char *tmp_path(const char *name, char *buf, size_t len)
{
	snprintf(buf, len, "%s/%s", tmpdir(), name);
	return buf;
}

static bool write_bytes(const char *path, const char *data, size_t len)
{
	FILE *f = fopen(path, "w");
	bool ok;

	if (!f)
		return false;
	ok = fwrite(data, 1, len, f) == len;
	return fclose(f) == 0 && ok;
}

static bool write_tmp(const char *name, const char *text)
{
	char path[256];

	return write_bytes(tmp_path(name, path, sizeof(path)), text,
			   strlen(text));
}

/* Load @text (written to DIR/test.conf) into a fresh *@c. */
static int load_text(const char *text, struct fs_conf **c, char *err,
		     size_t len)
{
	char path[256];

	*c = fs_conf_new();
	if (!*c || !write_tmp("test.conf", text)) {
		snprintf(err, len, "setup failed");
		return -2;
	}
	return fs_conf_load(tmp_path("test.conf", path, sizeof(path)), *c, err,
			    len);
}

/* Load @text that must be good; NULL (subtest failed) if not. */
static struct fs_conf *load_good(const char *text)
{
	struct fs_conf *c;
	char err[512];
	int r = load_text(text, &c, err, sizeof(err));

	if (!ASSERT_OK(r, "fs_conf_load")) {
		printf("     error: %s\n", err);
		fs_conf_free(c);
		return NULL;
	}
	return c;
}

/* The HTTP policy bits of the defaults (http.no_host_10=reset and the
 * others whose default is reset). */
static __u32 default_http_flags(void)
{
	struct fs_cfg def;

	fs_cfg_defaults(&def);
	return def.http_flags;
}

static bool rate_is(const struct fs_rate *r, unsigned rate, unsigned burst)
{
	struct fs_rate want;

	fs_rate_set(&want, rate, burst);
	return ASSERT_MEMEQ(r, &want, sizeof(want), "rate");
}

static bool default_ports_are(const struct fs_conf *c)
{
	enum fs_svc want[FS_PORTS] = {};

	want[80] = want[8080] = FS_SVC_HTTP;
	want[25] = FS_SVC_SMTP;
	want[443] = want[465] = want[587] = FS_SVC_TCP;
	return ASSERT_MEMEQ(c->ports, want, sizeof(want), "default ports");
}

static bool defaults_are(const struct fs_conf *c)
{
	struct fs_cfg def;
	bool ok;

	fs_cfg_defaults(&def);
	ok = ASSERT_MEMEQ(&c->rt, &def, sizeof(def), "rt is fs_cfg_defaults()");
	ok = ASSERT_STREQ(c->pin_dir, FS_PIN_ROOT, "pin_dir") && ok;
	ok = ASSERT_STREQ(c->state_dir, FS_STATE_DIR, "state_dir") && ok;
	ok = ASSERT_STREQ(c->metrics_listen, FS_METRICS_LISTEN, "listen") && ok;
	ok = ASSERT_EQ(c->n_ifaces, 0, "interfaces") && ok;
	ok = ASSERT_EQ(c->n_hosts, 0, "hosts") && ok;
	ok = ASSERT_EQ(c->n_allow + c->n_block, 0, "list entries") && ok;
	ok = ASSERT_EQ(c->ports_given, false, "ports_given") && ok;
	return default_ports_are(c) && ok;
}

static bool cidr_is(const struct fs_conf_cidr *e, const char *cidr,
		    const char *note, const char *where)
{
	struct fs_lpm_key k;
	char err[128];
	bool ok;

	fs_cidr_parse(cidr, &k, err, sizeof(err));
	ok = ASSERT_MEMEQ(&e->key, &k, sizeof(k), cidr);
	ok = ASSERT_STREQ(e->note, note, "note") && ok;
	return ASSERT_STREQ(e->where, where, "where") && ok;
}

/* "@path:N" for the first line of @path that holds @text. */
static const char *where_of(const char *path, const char *text, char *buf,
			    size_t len)
{
	FILE *f = fopen(path, "r");
	char line[1024];
	int no = 0;

	snprintf(buf, len, "%s:?", path);
	while (f && fgets(line, sizeof(line), f)) {
		no++;
		if (strstr(line, text)) {
			snprintf(buf, len, "%s:%d", path, no);
			break;
		}
	}
	if (f)
		fclose(f);
	return buf;
}

static void test_example(void)
{
	struct fs_conf *c = fs_conf_new();
	struct fs_cfg def;
	char err[512], where[300];

	fs_subtest("shipped example");
	fs_cfg_defaults(&def);
	if (!ASSERT_OK(fs_conf_load(EXAMPLE, c, err, sizeof(err)), EXAMPLE)) {
		printf("     error: %s\n", err);
		fs_conf_free(c);
		return;
	}
	memset(c->rt.conf_keys, 0, sizeof(c->rt.conf_keys)); /* who sets */
	ASSERT_MEMEQ(&c->rt, &def, sizeof(def),
		     "its [limits] are the defaults");
	ASSERT_TRUE(c->ports_given, "ports_given");
	default_ports_are(c);
	ASSERT_EQ(c->n_ifaces, 0, "interfaces");
	ASSERT_EQ(c->n_hosts, 0, "hosts (commented out)");
	if (ASSERT_EQ(c->n_allow, 2, "allow entries"))
		cidr_is(&c->allow[1], "2001:db8:10::/48", "office",
			where_of(EXAMPLE, "cidr = 2001:db8:10::/48", where,
				 sizeof(where)));
	if (ASSERT_EQ(c->n_block, 2, "block entries"))
		cidr_is(&c->block[0], "198.51.100.0/24", "abuse ticket 4711",
			where_of(EXAMPLE, "cidr = 198.51.100.0/24", where,
				 sizeof(where)));
	ASSERT_STREQ(c->metrics_listen, FS_METRICS_LISTEN, "listen");
	fs_conf_free(c);
}

static void test_defaults(void)
{
	static const char *const texts[][2] = {
		{"empty file: all defaults", ""},
		{"comments, blank lines, BOM, CRLF", "\xef\xbb\xbf# "
						     "comment\r\n; "
						     "comment\r\n\r\n   \t\n"
						     "  # indented "
						     "comment\n[shield]\r\n["
						     "services]\n; no port\n"},
		{"sections repeated, no keys", "[limits]\n[limits]\n[hosts]\n"},
	};

	for (size_t i = 0; i < ARRAY_SIZE(texts); i++) {
		struct fs_conf *c;

		fs_subtest("%s", texts[i][0]);
		if ((c = load_good(texts[i][1])))
			defaults_are(c);
		fs_conf_free(c);
	}
}

static void test_shield(void)
{
	struct fs_conf *c;

	fs_subtest("shield: interfaces, modes in any order");
	c = load_good("[shield]\ninterfaces = eth0\teth1:generic  veth-a:native"
		      " lo:auto\nmode = Native\npin_dir = /sys/fs/bpf/fs2\n"
		      "state_dir = /run/fs state\n");
	if (c && ASSERT_EQ(c->n_ifaces, 4, "interfaces")) {
		ASSERT_STREQ(c->ifaces[0].name, "eth0", "name 0");
		ASSERT_EQ(c->ifaces[0].mode, XDP_MODE_NATIVE,
			  "mode of eth0 (mode =)");
		ASSERT_STREQ(c->ifaces[1].name, "eth1", "name 1");
		ASSERT_EQ(c->ifaces[1].mode, XDP_MODE_SKB, "eth1:generic");
		ASSERT_EQ(c->ifaces[2].mode, XDP_MODE_NATIVE, "veth-a:native");
		ASSERT_EQ(c->ifaces[3].mode, XDP_MODE_UNSPEC, "lo:auto");
		ASSERT_STREQ(c->pin_dir, "/sys/fs/bpf/fs2", "pin_dir");
		ASSERT_STREQ(c->state_dir, "/run/fs state", "state_dir");
	}
	fs_conf_free(c);

	fs_subtest("shield: empty interfaces list, 16 interfaces");
	c = load_good("[shield]\ninterfaces =\n");
	if (c)
		ASSERT_EQ(c->n_ifaces, 0, "interfaces");
	fs_conf_free(c);
	c = load_good("[shield]\ninterfaces = a b c d e f g h i j k l m n o "
		      "abcdefghijklmno\n");
	if (c && ASSERT_EQ(c->n_ifaces, 16, "interfaces"))
		ASSERT_EQ(c->ifaces[15].mode, XDP_MODE_UNSPEC,
			  "default mode auto");
	fs_conf_free(c);
}

static void test_limits(void)
{
	struct fs_conf *c;

	fs_subtest("limits: values through fs_cfg_set semantics");
	c = load_good("[limits]\nprefix.v4 = 16\nprefix.v6 = 48\nban.after = "
		      "0\n"
		      "ban.ttl = 2m\nban.ttl_max = 1d\nban.growth = 3\n"
		      "syn.tcp.src = 10/20\nsyn.http.prefix = off\n"
		      "http.req.src = 50/100\nhttp.bad.prefix = 5/15\n"
		      "http.no_host_10 = reset\nhttp.ip_host = pass\n");
	if (c) {
		ASSERT_EQ(c->rt.v4_prefix, 16, "prefix.v4");
		ASSERT_EQ(c->rt.v6_prefix, 48, "prefix.v6");
		ASSERT_EQ(c->rt.ban_after, 0, "ban.after");
		ASSERT_EQ(c->rt.ban_ttl_ns, 120 * NS, "ban.ttl");
		ASSERT_EQ(c->rt.ban_ttl_max_ns, 86400 * NS, "ban.ttl_max");
		ASSERT_EQ(c->rt.ban_shift_max, 3, "ban.growth");
		rate_is(&c->rt.limits[FS_B_SYN_TCP].src, 10, 20);
		ASSERT_EQ(c->rt.limits[FS_B_SYN_TCP].src.tolerance_ns,
			  19 * NS / 10,
			  "10/20: tolerance 19 intervals of 100 ms");
		rate_is(&c->rt.limits[FS_B_SYN_TCP].prefix, 200, 400);
		rate_is(&c->rt.limits[FS_B_SYN_HTTP].prefix, 0, 0);
		rate_is(&c->rt.limits[FS_B_HTTP_REQ].src, 50, 100);
		rate_is(&c->rt.limits[FS_B_HTTP_BAD].prefix, 5, 15);
		ASSERT_EQ(c->rt.http_flags,
			  default_http_flags() | FS_HTTP_RESET_NO_HOST10,
			  "http_flags");
	}
	fs_conf_free(c);

	fs_subtest("limits: ban.ttl_max and ban.ttl in either order");
	c = load_good("[limits]\nban.ttl = 2h\nban.ttl_max = 4h\n");
	if (c)
		ASSERT_EQ(c->rt.ban_ttl_ns, 7200 * NS, "ban.ttl first");
	fs_conf_free(c);
	c = load_good("[limits]\nban.ttl_max = 4h\nban.ttl = 2h\n");
	if (c)
		ASSERT_EQ(c->rt.ban_ttl_max_ns, 4 * 3600 * NS,
			  "ban.ttl_max first");
	fs_conf_free(c);
	c = load_good("[limits]\nban.ttl_max = 30s\nban.ttl = 30s\n");
	if (c)
		ASSERT_EQ(c->rt.ban_ttl_max_ns, 30 * NS, "equal is fine");
	fs_conf_free(c);

	fs_subtest("limits: indented keys are not continuation lines");
	c = load_good("[limits]\n  prefix.v4 = 20\n\tprefix.v6 = 56\n");
	if (c)
		ASSERT_EQ(c->rt.v6_prefix, 56, "prefix.v6");
	fs_conf_free(c);
}

/* Every key fs_cfg_print() shows is accepted: observe* in [observe],
 * the others in [limits], and the printed defaults load as defaults. */
static void test_settings_keys(void)
{
	char *printed = NULL, *text = NULL, *line, *save;
	size_t plen = 0, tlen = 0;
	FILE *p = open_memstream(&printed, &plen);
	FILE *limits = open_memstream(&text, &tlen);
	struct fs_cfg def;
	struct fs_conf *c;
	char observe[1024] = "[observe]\n";
	int n = 0;

	fs_subtest("every key of fs_cfg_print() loads from its section");
	fs_cfg_defaults(&def);
	fs_cfg_print(p, &def, 0);
	fclose(p);
	fputs("[limits]\n", limits);
	for (line = strtok_r(printed, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save), n++) {
		char *eq = strchr(line, '=');

		*eq = '\0';
		if (!strcmp(line, "observe"))
			snprintf(observe + strlen(observe),
				 sizeof(observe) - strlen(observe),
				 "all = %s\n", eq + 1);
		else if (!strncmp(line, "observe.", 8))
			snprintf(observe + strlen(observe),
				 sizeof(observe) - strlen(observe), "%s = %s\n",
				 line + 8, eq + 1);
		else
			fprintf(limits, "%s = %s\n", line, eq + 1);
	}
	fputs(observe, limits);
	fclose(limits);
	ASSERT_TRUE(n >= 25, "fs_cfg_print printed the keys");
	if ((c = load_good(text))) {
		size_t keys, given = 0;

		fs_settings(&keys);
		for (size_t i = 0; i < keys; i++)
			given += fs_key_bit(c->rt.conf_keys, i);
		ASSERT_EQ(given, keys, "every key marked as the file's");
		memset(c->rt.conf_keys, 0, sizeof(c->rt.conf_keys));
		ASSERT_MEMEQ(&c->rt, &def, sizeof(def),
			     "printed defaults load as defaults");
	}
	fs_conf_free(c);
	free(printed);
	free(text);
}

static void test_observe(void)
{
	struct fs_conf *c;

	fs_subtest("observe: all and one rule");
	c = load_good("[observe]\nall = on\nsyn_rate = yes\nhttp_rate = off\n");
	if (c) {
		ASSERT_EQ(c->rt.flags & FS_CFG_OBSERVE, FS_CFG_OBSERVE,
			  "all = on");
		ASSERT_EQ(c->rt.observe_mask,
			  (1ull << FS_R_SYN_RATE_SRC) |
				  (1ull << FS_R_SYN_RATE_PREFIX) |
				  (1ull << FS_R_SYN_COOKIE) |
				  (1ull << FS_R_SYN_COOKIE_BUDGET),
			  "syn_rate only");
	}
	fs_conf_free(c);
	c = load_good("[observe]\nblock = on\nhttp_fragment = 1\n");
	if (c) {
		ASSERT_EQ(c->rt.flags & FS_CFG_OBSERVE, 0, "all stays off");
		ASSERT_EQ(c->rt.observe_mask,
			  (1ull << FS_R_BLOCK) | (1ull << FS_R_HTTP_FRAGMENT),
			  "block, http_fragment");
	}
	fs_conf_free(c);
}

static void test_services(void)
{
	enum fs_svc want[FS_PORTS] = {};
	struct fs_conf *c;

	fs_subtest("services: listed ports replace the defaults");
	c = load_good("[services]\n80 = http\n8443 = TCP\n25 = none\n2525 = "
		      "smtp\n");
	want[80] = FS_SVC_HTTP;
	want[8443] = FS_SVC_TCP;
	want[2525] = FS_SVC_SMTP;
	if (c) {
		ASSERT_TRUE(c->ports_given, "ports_given");
		ASSERT_MEMEQ(c->ports, want, sizeof(want),
			     "exactly the listed ports");
	}
	fs_conf_free(c);

	fs_subtest("services: one port set to none disables the defaults");
	c = load_good("[services]\n65535 = none\n");
	if (c) {
		ASSERT_TRUE(c->ports_given, "ports_given");
		ASSERT_EQ(c->ports[80], FS_SVC_NONE, "port 80");
	}
	fs_conf_free(c);
}

static void test_hosts(void)
{
	struct fs_conf *c;

	fs_subtest("hosts: name, names, normalised keys and flags");
	c = load_good("[hosts]\nname = WWW.Example.org.\nnames = example.org "
		      "*.example.net\tshop.example.com\nname = a.example\n");
	if (c && ASSERT_EQ(c->n_hosts, 5, "hosts")) {
		struct fs_host_key k = {};

		memcpy(k.name + FS_HOST_MAX - 15, "www.example.org", 15);
		ASSERT_MEMEQ(&c->hosts[0].key, &k, sizeof(k),
			     "right-aligned key");
		ASSERT_STREQ(c->hosts[0].val.name, "www.example.org",
			     "display name");
		ASSERT_STREQ(c->hosts[2].val.name, "*.example.net", "wildcard");
		ASSERT_STREQ(c->hosts[4].val.name, "a.example", "last");
		ASSERT_EQ(c->rt.http_flags, default_http_flags(),
			  "settings carry no served-host bits (the default "
			  "policies only)");
	}
	fs_conf_free(c);

	fs_subtest("hosts: own addresses, names ending in a digit");
	c = load_good("[hosts]\nown = 192.0.2.80 2001:db8::80\nname = web01\n"
		      "own =\t198.51.100.80\nown =\nname = "
		      "host1.example.org\n");
	if (c && ASSERT_EQ(c->n_own, 3, "own addresses") &&
	    ASSERT_EQ(c->n_hosts, 2, "hosts")) {
		static const char *const want[] = {"192.0.2.80", "2001:db8::80",
						   "198.51.100.80"};
		struct fs_lpm_key k;
		char err[128];

		for (size_t i = 0; i < ARRAY_SIZE(want); i++)
			if (ASSERT_OK(fs_cidr_parse(want[i], &k, err,
						    sizeof(err)),
				      want[i]))
				ASSERT_MEMEQ(c->own[i].addr, k.addr, 16,
					     want[i]);
		ASSERT_STREQ(c->hosts[0].val.name, "web01", "web01");
	}
	fs_conf_free(c);

	fs_subtest("hosts: at most 256 own addresses");
	{
		char *text = malloc(300 * 32), *p = text;
		struct fs_conf *big;
		char err[512];
		int r;

		if (!ASSERT_TRUE(text != NULL, "malloc"))
			return;
		p += sprintf(p, "[hosts]\n");
		for (int i = 0; i < 257; i++)
			p += sprintf(p, "own = 2001:db8::%x\n", i + 1);
		r = load_text(text, &big, err, sizeof(err));
		ASSERT_EQ(r, -EINVAL, "257 refused");
		ASSERT_TRUE(strstr(err, ":258: more than 256 own addresses") !=
				    NULL,
			    err);
		fs_conf_free(big);
		strcpy(strstr(text, "own = 2001:db8::101\n"), "");
		big = load_good(text);
		if (big)
			ASSERT_EQ(big->n_own, 256, "256 taken");
		fs_conf_free(big);
		free(text);
	}

	fs_subtest("hosts: the settings hold the user's policies only");
	c = load_good("[hosts]\nnames = *.example.org\n[limits]\nhttp.ip_host "
		      "= reset\n");
	if (c)
		ASSERT_EQ(c->rt.http_flags,
			  default_http_flags() | FS_HTTP_RESET_IP_HOST,
			  "policy bits only");
	fs_conf_free(c);
}

static void test_lists(void)
{
	char conf[256], list[256], list2[256], text[1024];
	struct fs_conf *c;

	fs_subtest("allow and block: inline entries, notes, where");
	c = load_good("[allow]\ncidr = 192.0.2.1\ncidr = 2001:db8::/32  two  "
		      "words \n"
		      "[block]\ncidr=198.51.100.0/24 a;b#c\ncidr = 192.0.2.1 "
		      "same as allow\n");
	tmp_path("test.conf", conf, sizeof(conf));
	if (c && ASSERT_EQ(c->n_allow, 2, "allow") &&
	    ASSERT_EQ(c->n_block, 2, "block")) {
		char where[300];

		snprintf(where, sizeof(where), "%s:2", conf);
		cidr_is(&c->allow[0], "192.0.2.1/32", "", where);
		snprintf(where, sizeof(where), "%s:3", conf);
		cidr_is(&c->allow[1], "2001:db8::/32", "two  words", where);
		snprintf(where, sizeof(where), "%s:5", conf);
		cidr_is(&c->block[0], "198.51.100.0/24", "a;b#c", where);
		ASSERT_STREQ(c->block[1].note, "same as allow",
			     "in both lists");
	}
	fs_conf_free(c);

	fs_subtest("list files: relative and absolute, comments, notes");
	tmp_path("allow.list", list, sizeof(list));
	tmp_path("block.list", list2, sizeof(list2));
	write_tmp("allow.list", "# office\n\n192.0.2.0/28 office net\n"
				"  2001:db8:1::/48\t; comment only\n; "
				"203.0.113.0/24\n"
				"203.0.113.7 # partner\n");
	write_tmp("block.list", "198.51.100.0/24 ; Spamhaus-like\r\n");
	snprintf(text, sizeof(text),
		 "[allow]\ncidr = 192.0.2.100\nfile = allow.list\n"
		 "[block]\nfile = %s\nfile = %s\n",
		 list2, "allow.list");
	c = load_good(text);
	if (c && ASSERT_EQ(c->n_allow, 4, "allow") &&
	    ASSERT_EQ(c->n_block, 4, "block")) {
		char where[300];

		snprintf(where, sizeof(where), "%s:3", list);
		cidr_is(&c->allow[1], "192.0.2.0/28", "office net", where);
		snprintf(where, sizeof(where), "%s:4", list);
		cidr_is(&c->allow[2], "2001:db8:1::/48", "", where);
		snprintf(where, sizeof(where), "%s:6", list);
		cidr_is(&c->allow[3], "203.0.113.7/32", "", where);
		snprintf(where, sizeof(where), "%s:1", list2);
		cidr_is(&c->block[0], "198.51.100.0/24", "", where);
	}
	fs_conf_free(c);
}

static void test_metrics(void)
{
	static const char *const good[][2] = {
		{"127.0.0.1:9477", "127.0.0.1:9477"},
		{"0.0.0.0:1", "0.0.0.0:1"},
		{"[::1]:9477", "[::1]:9477"},
		{"[2001:db8::1]:65535", "[2001:db8::1]:65535"},
		{"off", ""},
	};

	fs_subtest("metrics: listen");
	for (size_t i = 0; i < ARRAY_SIZE(good); i++) {
		char text[128];
		struct fs_conf *c;

		snprintf(text, sizeof(text), "[metrics]\nlisten = %s\n",
			 good[i][0]);
		if ((c = load_good(text)))
			ASSERT_STREQ(c->metrics_listen, good[i][1], good[i][0]);
		fs_conf_free(c);
	}
}

static void test_reload(void)
{
	struct fs_conf *c;
	char err[512], path[256];

	fs_subtest("loading again starts from the defaults");
	c = load_good("[hosts]\nname = example.org\n[allow]\ncidr = 192.0.2.1\n"
		      "[services]\n80 = none\n");
	if (!c)
		return;
	write_tmp("test.conf", "");
	if (ASSERT_OK(fs_conf_load(tmp_path("test.conf", path, sizeof(path)), c,
				   err, sizeof(err)),
		      "second load"))
		defaults_are(c);
	fs_conf_free(c);
}

FS_TEST(config)
{
	test_example();
	test_defaults();
	test_shield();
	test_limits();
	test_settings_keys();
	test_observe();
	test_services();
	test_hosts();
	test_lists();
	test_metrics();
	test_reload();
	tmpdir_remove();
}

/* A bad file and its one message. In @want, "@C" stands for the config
 * path, "@L" for DIR/l.list, "@D" for DIR. @list, if set, is written to
 * DIR/l.list first. */
struct bad_case {
	const char *desc, *text, *list, *want;
};

#define TOO_LONG "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx" /* 50 */

static const struct bad_case bad_cases[] = {
	{"unknown section", "# x\n[foo]\n", NULL,
	 "@C:2: unknown section [foo]"},
	{"empty section name", "[]\n", NULL, "@C:1: unknown section []"},
	{"section without ]", "[shield\n", NULL,
	 "@C:1: bad section line (expected [name])"},
	{"text after the section", "[shield] eth0\n", NULL,
	 "@C:1: bad section line (expected [name])"},
	{"section name is case-sensitive", "[Shield]\n", NULL,
	 "@C:1: unknown section [Shield]"},
	{"key outside any section", "mode = auto\n", NULL,
	 "@C:1: key 'mode' outside any section"},
	{"unknown key in [limits]", "[limits]\nx = 1\n", NULL,
	 "@C:2: unknown key 'x' in [limits]"},
	{"observe key in [limits]", "[limits]\nobserve = on\n", NULL,
	 "@C:2: unknown key 'observe' in [limits]"},
	{"unknown key in [shield]", "[shield]\ninterface = eth0\n", NULL,
	 "@C:2: unknown key 'interface' in [shield]"},
	{"unknown key in [observe]", "[observe]\nhttp = on\n", NULL,
	 "@C:2: unknown key 'http' in [observe]"},
	{"unknown key in [metrics]", "[metrics]\nport = 1\n", NULL,
	 "@C:2: unknown key 'port' in [metrics]"},
	{"unknown key in [hosts]", "[hosts]\nhost = a.example\n", NULL,
	 "@C:2: unknown key 'host' in [hosts]"},
	{"unknown key in [allow]", "[allow]\nnet = 192.0.2.1\n", NULL,
	 "@C:2: unknown key 'net' in [allow]"},
	{"unknown key in [block]", "[block]\nfiles = x\n", NULL,
	 "@C:2: unknown key 'files' in [block]"},
	{"no '='", "[shield]\ninterfaces\n", NULL,
	 "@C:2: expected 'key = value' or [section]"},
	{"':' instead of '='", "[shield]\ninterfaces: eth0\n", NULL,
	 "@C:2: expected 'key = value' or [section]"},
	{"no key", "[shield]\n= eth0\n", NULL, "@C:2: missing key before '='"},
	{"control character",
	 "[shield]\nmode = a\x01"
	 "b\n",
	 NULL, "@C:2: control character 0x01"},
	{"CR inside a line", "[shield]\r\nmode = auto\rx\r\n", NULL,
	 "@C:2: control character 0x0d"},
	{"line too long",
	 "[allow]\ncidr = 192.0.2.1 " TOO_LONG TOO_LONG TOO_LONG TOO_LONG "\n",
	 NULL,
	 "@C:2: line too long (at most 197 characters besides comments and "
	 "indentation)"},
	{"mode", "[shield]\nmode = fast\n", NULL,
	 "@C:2: bad value 'fast' for 'mode' (expected auto, native or "
	 "generic)"},
	{"interface name with '/'", "[shield]\ninterfaces = eth0 a/b\n", NULL,
	 "@C:2: bad interface name 'a/b' (1-15 characters, not '.' or '..', no "
	 "'/', ':' or whitespace)"},
	{"interface name of 16 characters",
	 "[shield]\ninterfaces = abcdefghijklmnop\n", NULL,
	 "@C:2: bad interface name 'abcdefghijklmnop' (1-15 characters, not "
	 "'.' or '..', no '/', ':' or whitespace)"},
	{"interface '..'", "[shield]\ninterfaces = ..:native\n", NULL,
	 "@C:2: bad interface name '..' (1-15 characters, not '.' or '..', no "
	 "'/', ':' or whitespace)"},
	{"interface mode", "[shield]\ninterfaces = eth0:fast\n", NULL,
	 "@C:2: bad mode 'fast' for interface 'eth0' (expected auto, native or "
	 "generic)"},
	{"interface mode empty", "[shield]\ninterfaces = eth0:\n", NULL,
	 "@C:2: bad mode '' for interface 'eth0' (expected auto, native or "
	 "generic)"},
	{"interface twice", "[shield]\ninterfaces = eth0 eth1 eth0:native\n",
	 NULL, "@C:2: duplicate interface 'eth0'"},
	{"17 interfaces",
	 "[shield]\ninterfaces = a b c d e f g h i j k l m n o p q\n", NULL,
	 "@C:2: more than 16 interfaces"},
	{"relative pin_dir", "[shield]\npin_dir = bpf/fs\n", NULL,
	 "@C:2: bad value 'bpf/fs' for 'pin_dir' (expected an absolute path of "
	 "at most 255 characters)"},
	{"empty state_dir", "[shield]\nstate_dir =\n", NULL,
	 "@C:2: bad value '' for 'state_dir' (expected an absolute path of at "
	 "most 255 characters)"},
	{"duplicate key in [shield]", "[shield]\nmode = auto\n\nmode = auto\n",
	 NULL, "@C:4: duplicate key 'mode' in [shield] (first at @C:2)"},
	{"duplicate key across repeated [limits]",
	 "[limits]\nprefix.v4 = 16\n[shield]\n[limits]\nprefix.v4 = 20\n", NULL,
	 "@C:5: duplicate key 'prefix.v4' in [limits] (first at @C:2)"},
	{"indented duplicate (no continuation lines)",
	 "[limits]\nban.after = 1\n  ban.after = 2\n", NULL,
	 "@C:3: duplicate key 'ban.after' in [limits] (first at @C:2)"},
	{"duplicate key in [observe]", "[observe]\nall = on\nall = off\n", NULL,
	 "@C:3: duplicate key 'all' in [observe] (first at @C:2)"},
	{"duplicate key in [metrics]",
	 "[metrics]\nlisten = off\nlisten = off\n", NULL,
	 "@C:3: duplicate key 'listen' in [metrics] (first at @C:2)"},
	{"limits: bad duration", "[limits]\nban.ttl = soon\n", NULL,
	 "@C:2: bad value 'soon' for key 'ban.ttl'"},
	{"limits: rate without burst", "[limits]\nsyn.tcp.src = 10\n", NULL,
	 "@C:2: bad value '10' for key 'syn.tcp.src'"},
	{"limits: prefix over 32", "[limits]\nprefix.v4 = 33\n", NULL,
	 "@C:2: bad value '33' for key 'prefix.v4'"},
	{"limits: policy", "[limits]\nhttp.ip_host = drop\n", NULL,
	 "@C:2: bad value 'drop' for key 'http.ip_host'"},
	{"ban.ttl over the default ban.ttl_max", "[limits]\nban.ttl = 2h\n",
	 NULL, "@C:2: ban.ttl_max is below ban.ttl"},
	{"ban.ttl_max below ban.ttl: the later line",
	 "[limits]\nban.ttl_max = 10s\n\nban.ttl = 1m\n", NULL,
	 "@C:4: ban.ttl_max is below ban.ttl"},
	{"ban.ttl_max below ban.ttl: ban.ttl_max later",
	 "[limits]\nban.ttl = 1m\nban.ttl_max = 10s\n", NULL,
	 "@C:3: ban.ttl_max is below ban.ttl"},
	{"observe value", "[observe]\nall = maybe\n", NULL,
	 "@C:2: bad value 'maybe' for 'all' (expected on or off)"},
	{"observe rule value", "[observe]\nban = 2\n", NULL,
	 "@C:2: bad value '2' for 'ban' (expected on or off)"},
	{"service name", "[services]\n80 = ftp\n", NULL,
	 "@C:2: bad value 'ftp' for port 80 (expected none, tcp, http or "
	 "smtp)"},
	{"port name", "[services]\nhttp = 80\n", NULL,
	 "@C:2: bad port 'http' in [services] (expected 1-65535)"},
	{"port 0", "[services]\n0 = tcp\n", NULL,
	 "@C:2: bad port '0' in [services] (expected 1-65535)"},
	{"port 65536", "[services]\n65536 = tcp\n", NULL,
	 "@C:2: bad port '65536' in [services] (expected 1-65535)"},
	{"port +80", "[services]\n+80 = tcp\n", NULL,
	 "@C:2: bad port '+80' in [services] (expected 1-65535)"},
	{"port twice", "[services]\n80 = http\n8080 = http\n080 = tcp\n", NULL,
	 "@C:4: duplicate port 80 (first at @C:2)"},
	{"host twice, after normalisation",
	 "[hosts]\nname = www.example.org\nnames = a.example "
	 "WWW.Example.org.\n",
	 NULL, "@C:3: duplicate host 'www.example.org' (first at @C:2)"},
	{"host: IP literal", "[hosts]\nname = 192.0.2.1\n", NULL,
	 "@C:2: '192.0.2.1': an IP address, not a host name (list the "
	 "server's own addresses as http.own, `own` in [hosts]; a Host naming "
	 "one follows http.ip_host)"},
	{"host: IPv6 literal", "[hosts]\nnames = a.example [2001:db8::1]\n",
	 NULL,
	 "@C:2: '[2001:db8::1]': an IP address, not a host name (list the "
	 "server's own addresses as http.own, `own` in [hosts]; a Host naming "
	 "one follows http.ip_host)"},
	{"own: a prefix", "[hosts]\nown = 192.0.2.0/24\n", NULL,
	 "@C:2: bad value '192.0.2.0/24' for 'own' (expected IPv4 or IPv6 "
	 "addresses, no prefix length)"},
	{"own: a name", "[hosts]\nown = 192.0.2.1 www.example.org\n", NULL,
	 "@C:2: bad value 'www.example.org' for 'own' (expected IPv4 or IPv6 "
	 "addresses, no prefix length)"},
	{"own: in brackets", "[hosts]\nown = [2001:db8::1]\n", NULL,
	 "@C:2: bad value '[2001:db8::1]' for 'own' (expected IPv4 or IPv6 "
	 "addresses, no prefix length)"},
	{"own: twice, as IPv4 and v4-mapped",
	 "[hosts]\nown = 192.0.2.1\nown = 2001:db8::1 ::ffff:192.0.2.1\n", NULL,
	 "@C:3: duplicate own address '::ffff:192.0.2.1' (first at @C:2)"},
	{"host: bad wildcard", "[hosts]\nnames = a.example www.*.example\n",
	 NULL,
	 "@C:2: 'www.*.example': '*' is not allowed in a host name (only a "
	 "leading '*.')"},
	{"host: name with a space", "[hosts]\nname = a.example b.example\n",
	 NULL,
	 "@C:2: 'a.example b.example': ' ' is not allowed in a host name"},
	{"host: empty name", "[hosts]\nname =\n", NULL, "@C:2: '': empty name"},
	{"cidr: host bits", "[allow]\ncidr = 192.0.2.1/24 x\n", NULL,
	 "@C:2: '192.0.2.1/24': host bits set beyond /24"},
	{"cidr: not an address", "[block]\ncidr = 192.0.2.300\n", NULL,
	 "@C:2: '192.0.2.300': not an IPv4 or IPv6 address"},
	{"cidr: empty", "[block]\ncidr =\n", NULL,
	 "@C:2: '': not an IPv4 or IPv6 address"},
	{"cidr: prefix length", "[allow]\ncidr = 2001:db8::/129\n", NULL,
	 "@C:2: '2001:db8::/129': prefix length must be 0-128"},
	{"cidr twice",
	 "[block]\ncidr = 192.0.2.0/24\ncidr = 192.0.2.0/24 again\n", NULL,
	 "@C:3: duplicate 192.0.2.0/24 (first at @C:2)"},
	{"cidr twice: address and /32",
	 "[allow]\ncidr = 192.0.2.1\n[block]\n"
	 "[allow]\ncidr = 192.0.2.1/32\n",
	 NULL, "@C:5: duplicate 192.0.2.1/32 (first at @C:2)"},
	{"note too long",
	 "[allow]\ncidr = 192.0.2.1 12345678901234567890123456789012\n", NULL,
	 "@C:2: note '12345678901234567890123456789012' is longer than 31 "
	 "characters"},
	{"metrics: host name", "[metrics]\nlisten = localhost:9477\n", NULL,
	 "@C:2: bad value 'localhost:9477' for 'listen' (expected ADDR:PORT, "
	 "[ADDR6]:PORT or off)"},
	{"metrics: IPv6 without brackets", "[metrics]\nlisten = ::1:9477\n",
	 NULL,
	 "@C:2: bad value '::1:9477' for 'listen' (expected ADDR:PORT, "
	 "[ADDR6]:PORT or off)"},
	{"metrics: port 0", "[metrics]\nlisten = 127.0.0.1:0\n", NULL,
	 "@C:2: bad value '127.0.0.1:0' for 'listen' (expected ADDR:PORT, "
	 "[ADDR6]:PORT or off)"},
	{"metrics: no port", "[metrics]\nlisten = [::1]\n", NULL,
	 "@C:2: bad value '[::1]' for 'listen' (expected ADDR:PORT, "
	 "[ADDR6]:PORT or off)"},
	{"list file missing", "[allow]\nfile = nope.list\n", NULL,
	 "@C:2: cannot read list file '@D/nope.list': No such file or "
	 "directory"},
	{"list file is a folder", "[allow]\nfile = .\n", NULL,
	 "@C:2: cannot read list file '@D/.': Is a directory"},
	{"list file: empty path", "[block]\nfile =\n", NULL,
	 "@C:2: bad value '' for 'file' (expected a path of at most 4095 "
	 "characters)"},
	{"list file: bad CIDR", "[allow]\ncidr = 192.0.2.1\nfile = l.list\n",
	 "# comment\n\n192.0.2.0/33 x\n",
	 "@L:3: '192.0.2.0/33': prefix length must be 0-32"},
	{"list file: entry of the config",
	 "[block]\ncidr = 203.0.113.0/24\nfile = l.list\n", "203.0.113.0/24\n",
	 "@L:1: duplicate 203.0.113.0/24 (first at @C:2)"},
	{"list file: twice in the file", "[block]\nfile = l.list\n",
	 "2001:db8::/32\n2001:DB8:0::/32 # again\n",
	 "@L:2: duplicate 2001:db8::/32 (first at @L:1)"},
	{"list file read twice", "[block]\nfile = l.list\nfile = l.list\n",
	 "203.0.113.9 x\n", "@L:1: duplicate 203.0.113.9/32 (first at @L:1)"},
	{"list file: note too long", "[allow]\nfile = l.list\n",
	 "192.0.2.1 " TOO_LONG "\n",
	 "@L:1: note '" TOO_LONG "' is longer than 31 characters"},
	{"list file: control character", "[allow]\nfile = l.list\n",
	 "192.0.2.1\n192.0.2.2 \x7f\n", "@L:2: control character 0x7f"},
	{"error after a list file names the config",
	 "[allow]\nfile = l.list\nx = 1\n", "192.0.2.1\n",
	 "@C:3: unknown key 'x' in [allow]"},
};

/* @want with @C, @L and @D replaced. */
static void expand(const char *want, char *out, size_t len)
{
	char conf[256], list[256];
	size_t n = 0;

	tmp_path("test.conf", conf, sizeof(conf));
	tmp_path("l.list", list, sizeof(list));
	for (const char *p = want; *p && n + 1 < len; p++) {
		const char *sub = NULL;

		if (p[0] == '@' && p[1] == 'C')
			sub = conf;
		else if (p[0] == '@' && p[1] == 'L')
			sub = list;
		else if (p[0] == '@' && p[1] == 'D')
			sub = tmpdir();
		if (sub) {
			n += snprintf(out + n, len - n, "%s", sub);
			p++;
		} else {
			out[n++] = *p;
		}
		if (n >= len)
			n = len - 1;
	}
	out[n] = '\0';
}

static void run_bad(const struct bad_case *bc)
{
	char err[1024], want[1024];
	struct fs_conf *c;
	int r;

	fs_subtest("bad: %s", bc->desc);
	if (bc->list && !ASSERT_TRUE(write_tmp("l.list", bc->list), "write "
								    "list"))
		return;
	r = load_text(bc->text, &c, err, sizeof(err));
	expand(bc->want, want, sizeof(want));
	ASSERT_EQ(r, -EINVAL, "fs_conf_load");
	ASSERT_STREQ(err, want, "message");
	fs_conf_free(c);
}

FS_TEST(config_errors)
{
	char path[256], err[512], want[512];
	struct fs_conf *c;

	for (size_t i = 0; i < ARRAY_SIZE(bad_cases); i++)
		run_bad(&bad_cases[i]);

	fs_subtest("bad: NUL byte");
	c = fs_conf_new();
	tmp_path("test.conf", path, sizeof(path));
	write_bytes(path, "[shield]\n\nmode = a\0b\n", 21);
	ASSERT_EQ(fs_conf_load(path, c, err, sizeof(err)), -EINVAL,
		  "fs_conf_load");
	snprintf(want, sizeof(want), "%s:3: control character 0x00", path);
	ASSERT_STREQ(err, want, "message");

	fs_subtest("bad: missing config file");
	tmp_path("missing.conf", path, sizeof(path));
	ASSERT_EQ(fs_conf_load(path, c, err, sizeof(err)), -ENOENT,
		  "fs_conf_load");
	snprintf(want, sizeof(want),
		 "%s: cannot read: No such file or directory", path);
	ASSERT_STREQ(err, want, "message");

	fs_subtest("bad: config file is a folder");
	ASSERT_EQ(fs_conf_load(tmpdir(), c, err, sizeof(err)), -EISDIR,
		  "fs_conf_load");
	snprintf(want, sizeof(want), "%s: cannot read: Is a directory",
		 tmpdir());
	ASSERT_STREQ(err, want, "message");

	fs_subtest("bad: short error buffer is cut, not overrun");
	memset(err, 'x', sizeof(err));
	write_tmp("test.conf", "[foo]\n");
	tmp_path("test.conf", path, sizeof(path));
	ASSERT_EQ(fs_conf_load(path, c, err, 8), -EINVAL, "fs_conf_load");
	ASSERT_EQ(strlen(err), 7, "cut to the buffer");
	ASSERT_EQ(err[8], 'x', "byte after the buffer");
	fs_conf_free(c);
	tmpdir_remove();
}

/* ---- fuzz ---- */

#define FUZZ_RUNS      3000
#define FUZZ_LINES_MAX 256

static uint64_t rng_state;

static uint64_t rng(void)
{
	uint64_t x = rng_state; /* xorshift64* */

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	rng_state = x;
	return x * 0x2545f4914f6cdd1dull;
}

static size_t rnd(size_t n)
{
	return n ? rng() % n : 0;
}

/* A text as lines, each of known length (they may hold NULs). */
struct ftext {
	char *line[FUZZ_LINES_MAX];
	size_t len[FUZZ_LINES_MAX];
	int n;
};

static const char *const tokens[] = {
	"[shield]",
	"[limits]",
	"[observe]",
	"[services]",
	"[hosts]",
	"[allow]",
	"[block]",
	"[metrics]",
	"[",
	"]",
	"[]",
	"=",
	"==",
	":",
	";",
	"#",
	" ; x",
	" # x",
	" ",
	"\t",
	"\r",
	"\xef\xbb\xbf",
	"\xff\xfe",
	"%s%n%x",
	"\\",
	"interfaces",
	"mode",
	"pin_dir",
	"state_dir",
	"cidr",
	"file",
	"name",
	"names",
	"listen",
	"all",
	"block",
	"prefix.v4",
	"ban.ttl",
	"ban.ttl_max",
	"syn.tcp.src",
	"http.no_host_10",
	"80",
	"0",
	"65535",
	"65536",
	"-1",
	"99999999999999999999",
	"on",
	"off",
	"20/40",
	"0/0",
	"auto",
	"generic",
	"eth0",
	"eth0:native",
	"lo:",
	"192.0.2.0/24",
	"192.0.2.1",
	"2001:db8::/32",
	"::",
	"::/0",
	"0.0.0.0/0",
	"*.example.org",
	"WWW.EXAMPLE.ORG.",
	"f.list",
	"/nonexistent/x",
	".",
	"..",
	"/",
	"[::1]:9477",
	"127.0.0.1:9477",
	"http",
	"smtp",
	"none",
	"1h",
	"7d",
	"2h",
};

static void ft_free(struct ftext *t)
{
	for (int i = 0; i < t->n; i++)
		free(t->line[i]);
	t->n = 0;
}

static void ft_insert(struct ftext *t, int at, const char *s, size_t len)
{
	if (t->n == FUZZ_LINES_MAX)
		return;
	memmove(&t->line[at + 1], &t->line[at],
		(t->n - at) * sizeof(t->line[0]));
	memmove(&t->len[at + 1], &t->len[at], (t->n - at) * sizeof(t->len[0]));
	t->line[at] = malloc(len + 1);
	memcpy(t->line[at], s, len);
	t->line[at][len] = '\0';
	t->len[at] = len;
	t->n++;
}

static void ft_delete(struct ftext *t, int at)
{
	free(t->line[at]);
	memmove(&t->line[at], &t->line[at + 1],
		(t->n - at - 1) * sizeof(t->line[0]));
	memmove(&t->len[at], &t->len[at + 1],
		(t->n - at - 1) * sizeof(t->len[0]));
	t->n--;
}

static void ft_from(struct ftext *t, const char *text)
{
	const char *nl;

	while (*text) {
		nl = strchr(text, '\n');
		if (!nl)
			nl = text + strlen(text);
		ft_insert(t, t->n, text, nl - text);
		text = *nl ? nl + 1 : nl;
	}
}

/* Replace line @at by its first @pos bytes, @s, and the rest. */
static void ft_splice(struct ftext *t, int at, size_t pos, const char *s,
		      size_t len, size_t cut)
{
	size_t old = t->len[at];
	char *n;

	if (pos > old)
		pos = old;
	if (cut > old - pos)
		cut = old - pos;
	n = malloc(old - cut + len + 1);
	memcpy(n, t->line[at], pos);
	memcpy(n + pos, s, len);
	memcpy(n + pos + len, t->line[at] + pos + cut, old - pos - cut);
	n[old - cut + len] = '\0';
	free(t->line[at]);
	t->line[at] = n;
	t->len[at] = old - cut + len;
}

static void mutate_line(struct ftext *t, int at)
{
	const char *tok = tokens[rnd(ARRAY_SIZE(tokens))];
	char junk[64], *eq;
	size_t n;

	switch (rnd(4)) {
	case 0: /* flip bytes */
		for (int i = 0, k = 1 + rnd(3); i < k && t->len[at]; i++)
			t->line[at][rnd(t->len[at])] ^= 1 + rnd(255);
		break;
	case 1: /* insert a token */
		ft_splice(t, at, rnd(t->len[at] + 1), tok, strlen(tok), 0);
		break;
	case 2: /* drop '=' */
		eq = memchr(t->line[at], '=', t->len[at]);
		if (eq)
			ft_splice(t, at, eq - t->line[at], "", 0, 1);
		break;
	default: /* binary junk, NULs and newlines included */
		n = 1 + rnd(sizeof(junk));
		for (size_t i = 0; i < n; i++)
			junk[i] = rng();
		ft_splice(t, at, rnd(t->len[at] + 1), junk, n, rnd(4));
		break;
	}
}

/* A line of 200..20000 bytes of repeated tokens, or a key and a long value. */
static void huge_line(struct ftext *t, int at)
{
	size_t n = 200 + rnd(20000), k = 0;
	char *s = malloc(n + 1);
	const char *tok = tokens[rnd(ARRAY_SIZE(tokens))];

	k = rnd(2) ? (size_t)snprintf(s, n, "cidr = 192.0.2.1 ") : 0;
	while (k < n) {
		s[k] = tok[k % strlen(tok)];
		k++;
	}
	ft_insert(t, at, s, n);
	free(s);
}

static void mutate(struct ftext *t)
{
	int at = rnd(t->n + 1), other = rnd(t->n);
	const char *a, *b;
	char buf[128];

	switch (rnd(9)) {
	case 0:
		if (t->n)
			ft_delete(t, rnd(t->n));
		break;
	case 1:
		if (t->n)
			ft_insert(t, at, t->line[other], t->len[other]);
		break;
	case 2:
		if (t->n > 1) {
			int i = rnd(t->n), j = rnd(t->n);
			char *s = t->line[i];
			size_t l = t->len[i];

			t->line[i] = t->line[j], t->len[i] = t->len[j];
			t->line[j] = s, t->len[j] = l;
		}
		break;
	case 3:
	case 4:
		if (t->n)
			mutate_line(t, rnd(t->n));
		break;
	case 5:
		huge_line(t, at);
		break;
	case 6: /* random key = value */
		a = tokens[rnd(ARRAY_SIZE(tokens))];
		b = tokens[rnd(ARRAY_SIZE(tokens))];
		snprintf(buf, sizeof(buf), "%s%s= %s %s", a, rnd(2) ? " " : "",
			 b, rnd(3) ? "" : tokens[rnd(ARRAY_SIZE(tokens))]);
		ft_insert(t, at, buf, strlen(buf));
		break;
	case 7:
		a = tokens[rnd(8)]; /* a section */
		ft_insert(t, at, a, strlen(a));
		break;
	default: /* truncate */
		while (t->n > at && t->n > 0)
			ft_delete(t, t->n - 1);
		break;
	}
}

static bool ft_write(const struct ftext *t, const char *path)
{
	FILE *f = fopen(path, "w");
	bool ok = f;

	for (int i = 0; ok && i < t->n; i++)
		ok = fwrite(t->line[i], 1, t->len[i], f) == t->len[i] &&
		     (i + 1 == t->n && rnd(4) == 0 ? true
						   : fputc('\n', f) != EOF);
	return f && fclose(f) == 0 && ok;
}

/* "FILE:LINE: text" for one of the files the run wrote. */
static bool message_ok(const char *err, const char *conf, const char *list)
{
	const char *files[] = {conf, list};

	for (size_t i = 0; i < ARRAY_SIZE(files); i++) {
		size_t n = strlen(files[i]), d;

		if (strncmp(err, files[i], n) || err[n] != ':')
			continue;
		d = strspn(err + n + 1, "0123456789");
		if (d && err[n + 1 + d] == ':' && err[n + 2 + d] == ' ' &&
		    err[n + 3 + d])
			return true;
	}
	return false;
}

static char *read_all(const char *path)
{
	FILE *f = fopen(path, "r");
	char *s = NULL;
	size_t n = 0;

	if (!f)
		return NULL;
	s = calloc(1, 1 << 16);
	if (s)
		n = fread(s, 1, (1 << 16) - 1, f);
	if (s)
		s[n] = '\0';
	fclose(f);
	return s;
}

static const char fuzz_base[] =
	"[shield]\ninterfaces = eth0 eth1:generic\nmode = native\n"
	"[limits]\nban.ttl = 2m\nban.ttl_max = 1h\nsyn.http.src = 5/10\n"
	"[observe]\nban = on\n[services]\n80 = http\n25 = smtp\n"
	"[hosts]\nnames = example.org *.example.org\n"
	"[allow]\ncidr = 192.0.2.1 note\nfile = f.list\n"
	"[block]\ncidr = 2001:db8::/32\n[metrics]\nlisten = [::1]:9477\n";
static const char fuzz_list[] = "# list\n198.51.100.0/24 a "
				"note\n\n2001:db8:1::/48\n203.0.113.5 ; x\n";

FS_TEST(config_fuzz)
{
	char conf[256], list[256], err[1024], first_bad[1200] = "";
	char *example = read_all(EXAMPLE);
	int n_ok = 0, n_err = 0, n_bad = 0;

	fs_subtest("%d random and mutated files load or fail with FILE:LINE",
		   FUZZ_RUNS);
	if (!ASSERT_TRUE(example != NULL, "read " EXAMPLE))
		return;
	tmp_path("fuzz.conf", conf, sizeof(conf));
	tmp_path("f.list", list, sizeof(list));
	rng_state = 0x5eed5eed5eedull;
	for (int run = 0; run < FUZZ_RUNS; run++) {
		struct ftext t = {}, l = {};
		struct fs_conf *c = fs_conf_new();
		int r;

		ft_from(&t, run % 3 == 0 ? example : fuzz_base);
		ft_from(&l, fuzz_list);
		if (run % 10 == 9) /* now and then, all random */
			ft_free(&t);
		for (int m = 0, k = 1 + rnd(6); m < k; m++)
			mutate(&t);
		if (rnd(4) == 0)
			mutate(&l);
		if (!ft_write(&t, conf) || !ft_write(&l, list) || !c) {
			ASSERT_TRUE(false, "write the fuzz files");
			break;
		}
		err[0] = '\0';
		r = fs_conf_load(conf, c, err, sizeof(err));
		if (r == 0)
			n_ok++;
		else if (r == -EINVAL && message_ok(err, conf, list))
			n_err++;
		else if (!n_bad++)
			snprintf(first_bad, sizeof(first_bad),
				 "run %d: %d '%s'", run, r, err);
		fs_conf_free(c);
		ft_free(&t);
		ft_free(&l);
	}
	printf("     %d loaded, %d refused\n", n_ok, n_err);
	if (!ASSERT_EQ(n_bad, 0, "results without FILE:LINE"))
		printf("     first: %s\n", first_bad);
	ASSERT_TRUE(n_ok > FUZZ_RUNS / 20, "some files still load");
	ASSERT_TRUE(n_err > FUZZ_RUNS / 2, "most files are refused");
	free(example);
	tmpdir_remove();
}

/* fs_env_path(): how the daemon reaches bpffs and /proc/sys under the
 * systemd unit (etc/floodshield.service.in); the unit itself runs in
 * scripts/unit-check.sh. */
FS_TEST(env_path)
{
	char out[64];

	fs_subtest("unset or empty: the path as it is");
	unsetenv("FS_TEST_ENV_PATH");
	ASSERT_STREQ(fs_env_path("FS_TEST_ENV_PATH", "/proc/sys",
				 "/proc/sys/net/x", out, sizeof(out)),
		     "/proc/sys/net/x", "unset");
	setenv("FS_TEST_ENV_PATH", "", 1);
	ASSERT_STREQ(fs_env_path("FS_TEST_ENV_PATH", "/proc/sys",
				 "/proc/sys/net/x", out, sizeof(out)),
		     "/proc/sys/net/x", "empty");

	fs_subtest("set: the folder replaced, and only a whole folder");
	setenv("FS_TEST_ENV_PATH", "/run/s", 1);
	ASSERT_STREQ(fs_env_path("FS_TEST_ENV_PATH", "/proc/sys",
				 "/proc/sys/net/x", out, sizeof(out)),
		     "/run/s/net/x", "under it");
	ASSERT_STREQ(fs_env_path("FS_TEST_ENV_PATH", "/sys/fs/bpf",
				 "/sys/fs/bpf", out, sizeof(out)),
		     "/run/s", "the folder itself");
	ASSERT_STREQ(fs_env_path("FS_TEST_ENV_PATH", "/sys/fs/bpf",
				 "/sys/fs/bpfx/p", out, sizeof(out)),
		     "/sys/fs/bpfx/p", "a longer name is not under it");
	ASSERT_STREQ(fs_env_path("FS_TEST_ENV_PATH", "/sys/fs/bpf", "/tmp/pins",
				 out, sizeof(out)),
		     "/tmp/pins", "elsewhere");
	fs_env_path("FS_TEST_ENV_PATH", "/proc/sys", "/proc/sys/net/x", out, 4);
	ASSERT_STREQ(out, "/ru", "cut to fit");
	unsetenv("FS_TEST_ENV_PATH");
}
