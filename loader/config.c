// SPDX-License-Identifier: GPL-2.0
/* The configuration file (docs/config.md). libinih splits sections and
 * keys; a reader in front of it hands inih one cleaned line per call, so
 * that inih's build options (multi-line values, inline comments, ':' as a
 * separator, error recovery) do not change what a file means, and so that
 * every handler call knows its line. Sections are a table with one
 * handler each. The keys of [shield] and [metrics] are a second table;
 * those of [limits] and [observe] are the settings keys of FS_SETTINGS
 * (maps/tables.h, through fs_settings()), each in the section its row
 * names, so that the file always has exactly the keys of `set`.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <net/if.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <ini.h>
#include "addr.h"
#include "config.h"
#include "loader.h"
#include "hosts.h"
#include "psl.h"
#include "metrics.h"
#include "settings.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define WS	      " \t"

_Static_assert(offsetof(struct fs_conf_cidr, key) == 0, "keyset: key first");
_Static_assert(offsetof(struct fs_conf_host, key) == 0, "keyset: key first");

/* Open-addressing set of indexes into an array of entries whose key is
 * their first keylen bytes (zero-padded): duplicates in O(1). */
struct keyset {
	size_t *slot; /* index + 1; 0: empty */
	size_t cap;   /* power of two, or 0 */
	size_t n;
};

/* A file read line by line (the config or a list file). */
struct lines {
	const char *name;
	FILE *f;
	char *buf;
	size_t cap;
	int no;	   /* of the last line read */
	int error; /* errno of a read error */
};

struct conf_ctx;

/* A key of [shield] or [metrics]: given at most once. */
struct once_key {
	const char *section, *name;
	int (*set)(struct conf_ctx *x, const struct once_key *k,
		   const char *val);
	size_t off, len; /* string field of struct fs_conf */
};

static int set_ifaces(struct conf_ctx *x, const struct once_key *k,
		      const char *val);
static int set_mode(struct conf_ctx *x, const struct once_key *k,
		    const char *val);
static int set_path(struct conf_ctx *x, const struct once_key *k,
		    const char *val);
static int set_listen(struct conf_ctx *x, const struct once_key *k,
		      const char *val);
static int set_user(struct conf_ctx *x, const struct once_key *k,
		    const char *val);
static int set_dns_str(struct conf_ctx *x, const struct once_key *k,
		       const char *val);
static int set_dns_dur(struct conf_ctx *x, const struct once_key *k,
		       const char *val);
static int set_dns_bool(struct conf_ctx *x, const struct once_key *k,
			const char *val);

#define PATH_KEY(f) \
	set_path, offsetof(struct fs_conf, f), sizeof(((struct fs_conf *)0)->f)

static const struct once_key once_keys[] = {
	{"shield", "interfaces", set_ifaces, 0, 0},
	{"shield", "mode", set_mode, 0, 0},
	{"shield", "pin_dir", PATH_KEY(pin_dir)},
	{"shield", "state_dir", PATH_KEY(state_dir)},
	{"shield", "user", set_user, 0, 0},
	{"metrics", "listen", set_listen, 0, 0},
	{"dns", "resolver", set_dns_str, offsetof(struct fs_conf, dns_resolver),
	 sizeof(((struct fs_conf *)0)->dns_resolver)},
	{"dns", "timeout", set_dns_dur,
	 offsetof(struct fs_conf, dns_timeout_ms), 1},
	{"dns", "ttl_cap", set_dns_dur, offsetof(struct fs_conf, dns_ttl_cap_s),
	 0},
	{"dns", "retry", set_dns_dur, offsetof(struct fs_conf, dns_retry_s), 0},
	{"dns", "ptr_only", set_dns_bool, offsetof(struct fs_conf, dns_weak),
	 0},
	{"dns", "verify_smtp", set_dns_bool,
	 offsetof(struct fs_conf, dns_verify_smtp), 0},
};

struct conf_ctx {
	struct fs_conf *c;
	int errnum;	  /* errno of a file that cannot be read */
	const char *path; /* the config file */
	struct lines conf;
	const char *file; /* where the current line is from */
	int at;		  /* and its number */
	int weak_line;	  /* of ptr_only */
	char *err;
	size_t errlen;
	bool failed;
	int first[ARRAY_SIZE(once_keys)];  /* line each was given on */
	const struct fs_setting *settings; /* [limits], [observe] keys */
	size_t n_settings;
	int *setting_line;	   /* per setting: line it was given on */
	enum xdp_attach_mode mode; /* [shield] mode */
	bool mode_given[FS_CONF_IFACES_MAX]; /* "NAME:MODE" */
	int *port_line; /* [FS_PORTS], once [services] has a port */
	int *host_line; /* parallel to c->hosts */
	int *own_line;	/* parallel to c->own */
	size_t host_cap, host_line_cap, own_cap, own_line_cap, allow_cap,
		block_cap;
	struct keyset hosts, allow, block;
};

/* Record the first error as "FILE:LINE: message". Returns -1. */
__attribute__((format(printf, 2, 3))) static int fail(struct conf_ctx *x,
						      const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	if (x->failed)
		return -1;
	x->failed = true;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(x->err, x->errlen, "%s:%d: %s", x->file, x->at, msg);
	return -1;
}

static uint64_t hash_bytes(const void *p, size_t n)
{
	const unsigned char *b = p;
	uint64_t h = 0xcbf29ce484222325ull; /* FNV-1a */

	while (n--)
		h = (h ^ *b++) * 0x100000001b3ull;
	return h;
}

static void keyset_put(struct keyset *s, const char *key, size_t keylen,
		       size_t idx)
{
	size_t i = hash_bytes(key, keylen) & (s->cap - 1);

	while (s->slot[i])
		i = (i + 1) & (s->cap - 1);
	s->slot[i] = idx + 1;
	s->n++;
}

static int keyset_grow(struct keyset *s, const char *base, size_t stride,
		       size_t keylen)
{
	struct keyset n = {.cap = s->cap ? s->cap * 2 : 64};

	n.slot = calloc(n.cap, sizeof(*n.slot));
	if (!n.slot)
		return -1;
	for (size_t i = 0; i < s->cap; i++)
		if (s->slot[i])
			keyset_put(&n, base + (s->slot[i] - 1) * stride, keylen,
				   s->slot[i] - 1);
	free(s->slot);
	*s = n;
	return 0;
}

/* Add entry @idx of @base (entries @stride bytes apart). Returns the
 * index of an earlier entry with the same key (@idx is then not added),
 * -1 when added, -2 when out of memory. */
static long keyset_add(struct keyset *s, const void *base, size_t stride,
		       size_t keylen, size_t idx)
{
	const char *b = base, *key = b + idx * stride;
	size_t i;

	if ((s->n + 1) * 2 > s->cap && keyset_grow(s, b, stride, keylen))
		return -2;
	for (i = hash_bytes(key, keylen) & (s->cap - 1); s->slot[i];
	     i = (i + 1) & (s->cap - 1))
		if (!memcmp(b + (s->slot[i] - 1) * stride, key, keylen))
			return s->slot[i] - 1;
	s->slot[i] = idx + 1;
	s->n++;
	return -1;
}

/* Room for element @n of the array @p of @size-byte elements; NULL (and
 * @p untouched) when out of memory. */
static void *grow(void *p, size_t *cap, size_t n, size_t size)
{
	size_t ncap = *cap ? *cap * 2 : 16;

	if (n < *cap)
		return p;
	p = realloc(p, ncap * size);
	if (p)
		*cap = ncap;
	return p;
}

static char *trim(char *s)
{
	char *end;

	s += strspn(s, WS);
	end = s + strlen(s);
	while (end > s && (end[-1] == ' ' || end[-1] == '\t'))
		end--;
	*end = '\0';
	return s;
}

/* Clean line @s of @n bytes in place: the line end, a UTF-8 BOM on line
 * 1, comments (';' or '#' at the start or after whitespace) and the
 * surrounding whitespace go. Control characters are refused. */
static char *clean_line(struct conf_ctx *x, char *s, size_t n, int no)
{
	if (no == 1 && n >= 3 && !memcmp(s, "\xef\xbb\xbf", 3))
		s += 3, n -= 3;
	if (n && s[n - 1] == '\n')
		n--;
	if (n && s[n - 1] == '\r')
		n--;
	s[n] = '\0';
	for (size_t i = 0; i < n; i++) {
		unsigned char ch = s[i];

		if ((ch < ' ' && ch != '\t') || ch == 0x7f) {
			fail(x, "control character 0x%02x", ch);
			return NULL;
		}
	}
	for (size_t i = 0; i < n; i++) {
		if ((s[i] == '#' || s[i] == ';') &&
		    (i == 0 || s[i - 1] == ' ' || s[i - 1] == '\t')) {
			s[i] = '\0';
			break;
		}
	}
	return trim(s);
}

/* The next cleaned line of @l, and x->file/x->at point at it. NULL at the
 * end, after a read error (l->error) or after fail(). */
static char *next_line(struct conf_ctx *x, struct lines *l)
{
	ssize_t n;

	errno = 0;
	n = getline(&l->buf, &l->cap, l->f);
	if (n < 0) {
		l->error = ferror(l->f) ? (errno ? errno : EIO) : 0;
		return NULL;
	}
	x->file = l->name;
	x->at = ++l->no;
	return clean_line(x, l->buf, n, l->no);
}

static const struct conf_section *section_find(const char *name, size_t len);

/* Refuse what inih would take differently or silently: a section line
 * is exactly "[name]" of a known section; any other line is
 * "key = value" with the key before the first '=' (no ':'). */
static int check_syntax(struct conf_ctx *x, const char *s)
{
	size_t n = strlen(s);
	const char *eq;

	if (!*s)
		return 0;
	if (*s == '[') {
		if (n < 2 || s[n - 1] != ']' || strcspn(s + 1, "[]") != n - 2)
			return fail(x, "bad section line (expected [name])");
		if (!section_find(s + 1, n - 2))
			return fail(x, "unknown section %s", s);
		return 0;
	}
	eq = strchr(s, '=');
	if (!eq || memchr(s, ':', eq - s))
		return fail(x, "expected 'key = value' or [section]");
	if (eq == s)
		return fail(x, "missing key before '='");
	return 0;
}

/* inih's reader: one cleaned config line per call, so that inih's line
 * numbers are ours, and nothing after the first error. */
static char *conf_reader(char *str, int num, void *arg)
{
	struct conf_ctx *x = arg;
	size_t len;
	char *s;

	if (x->failed || !(s = next_line(x, &x->conf)) || check_syntax(x, s))
		return NULL;
	len = strlen(s);
	if (num < 4 || len > (size_t)num - 3) {
		fail(x,
		     "line too long (at most %d characters besides "
		     "comments and indentation)",
		     num - 3);
		return NULL;
	}
	memcpy(str, s, len + 1);
	return str;
}

/* The interface name rules of the kernel's dev_valid_name(). */
static bool iface_name_ok(const char *s)
{
	size_t n = strlen(s);

	if (!n || n >= IFNAMSIZ || !strcmp(s, ".") || !strcmp(s, ".."))
		return false;
	return !s[strcspn(s, "/: \t\n\v\f\r")];
}

static int parse_mode(const char *s)
{
	enum xdp_attach_mode m;

	return fs_mode_parse(s, &m) ? -1 : (int)m;
}

/* "NAME" or "NAME:MODE" */
static int add_iface(struct conf_ctx *x, char *tok)
{
	struct fs_conf *c = x->c;
	char *colon = strchr(tok, ':');
	int mode = -1;

	if (colon)
		*colon++ = '\0';
	if (!iface_name_ok(tok))
		return fail(x,
			    "bad interface name '%s' (1-15 characters, not "
			    "'.' or '..', no '/', ':' or whitespace)",
			    tok);
	if (colon && (mode = parse_mode(colon)) < 0)
		return fail(x,
			    "bad mode '%s' for interface '%s' (expected "
			    "auto, native or generic)",
			    colon, tok);
	for (int i = 0; i < c->n_ifaces; i++)
		if (!strcmp(c->ifaces[i].name, tok))
			return fail(x, "duplicate interface '%s'", tok);
	if (c->n_ifaces == FS_CONF_IFACES_MAX)
		return fail(x, "more than %d interfaces", FS_CONF_IFACES_MAX);
	snprintf(c->ifaces[c->n_ifaces].name, sizeof(c->ifaces[0].name), "%s",
		 tok);
	c->ifaces[c->n_ifaces].mode = colon ? mode : XDP_MODE_UNSPEC;
	x->mode_given[c->n_ifaces++] = colon != NULL;
	return 0;
}

static int set_ifaces(struct conf_ctx *x, const struct once_key *k,
		      const char *val)
{
	char *copy = strdup(val), *tok, *save;
	int r = 0;

	(void)k;
	if (!copy)
		return fail(x, "out of memory");
	for (tok = strtok_r(copy, WS, &save); tok && !r;
	     tok = strtok_r(NULL, WS, &save))
		r = add_iface(x, tok);
	free(copy);
	return r;
}

static int set_mode(struct conf_ctx *x, const struct once_key *k,
		    const char *val)
{
	int mode = parse_mode(val);

	if (mode < 0)
		return fail(x,
			    "bad value '%s' for '%s' (expected auto, native "
			    "or generic)",
			    val, k->name);
	x->mode = mode;
	return 0;
}

static int set_path(struct conf_ctx *x, const struct once_key *k,
		    const char *val)
{
	if (val[0] != '/' || strlen(val) >= k->len)
		return fail(x,
			    "bad value '%s' for '%s' (expected an absolute "
			    "path of at most %zu characters)",
			    val, k->name, k->len - 1);
	memcpy((char *)x->c + k->off, val, strlen(val) + 1);
	return 0;
}

/* A system user name: [a-z_][a-z0-9_-]*, not root. */
static int set_user(struct conf_ctx *x, const struct once_key *k,
		    const char *val)
{
	size_t n = strspn(val, "abcdefghijklmnopqrstuvwxyz0123456789_-");

	if (!*val || val[n] || n >= sizeof(x->c->user) ||
	    (val[0] >= '0' && val[0] <= '9') || val[0] == '-')
		return fail(x,
			    "bad value '%s' for '%s' (expected a user name: "
			    "lower-case letters, digits, '_' and '-', at "
			    "most %zu characters)",
			    val, k->name, sizeof(x->c->user) - 1);
	if (!strcmp(val, "root"))
		return fail(x, "user = root: the daemon runs as a user of its "
			       "own (it needs no privilege once attached)");
	snprintf(x->c->user, sizeof(x->c->user), "%s", val);
	return 0;
}

/* fs_cfg_set(@key=@val) on the runtime settings; its message in @msg. */
static int cfg_set(struct conf_ctx *x, const char *key, const char *val,
		   char *msg, size_t len)
{
	char kv[512];

	if ((size_t)snprintf(kv, sizeof(kv), "%s=%s", key, val) >= sizeof(kv)) {
		snprintf(msg, len, "bad value '%s' for key '%s'", val, key);
		return -1;
	}
	return fs_cfg_set(&x->c->rt, kv, msg, len);
}

/* fs_cfg_set() refuses ban.ttl_max below ban.ttl at every step; a file
 * is checked once, at its end (check_ttl()), so that the two keys may
 * come in either order. Zeroing both for one call disables that check:
 * each is > 0 once set. */
static int set_limit(struct conf_ctx *x, const struct fs_setting *k,
		     const char *val)
{
	struct fs_cfg *rt = &x->c->rt;
	__u64 ttl = rt->ban_ttl_ns, ttl_max = rt->ban_ttl_max_ns;
	char msg[512];
	int r;

	rt->ban_ttl_ns = rt->ban_ttl_max_ns = 0;
	r = cfg_set(x, k->key, val, msg, sizeof(msg));
	if (!rt->ban_ttl_ns)
		rt->ban_ttl_ns = ttl;
	if (!rt->ban_ttl_max_ns)
		rt->ban_ttl_max_ns = ttl_max;
	return r ? fail(x, "%s", msg) : 0;
}

static int set_observe(struct conf_ctx *x, const struct fs_setting *k,
		       const char *val)
{
	char msg[512];

	if (cfg_set(x, k->key, val, msg, sizeof(msg)))
		return fail(x, "bad value '%s' for '%s' (expected on or off)",
			    val, k->file_key);
	return 0;
}

/* 1-65535, or -1. */
static int parse_port(const char *s)
{
	int port = fs_parse_port(s);

	return port > 0 ? port : -1;
}

/* "A.B.C.D:PORT" or "[IPV6]:PORT", as the exporter reads it, port > 0. */
static bool listen_ok(const char *s)
{
	struct sockaddr_storage ss;
	socklen_t len;
	char err[160];

	return fs_listen_parse(s, &ss, &len, err, sizeof(err)) == 0 &&
	       ((struct sockaddr_in *)&ss)->sin_port != 0;
}

static int set_listen(struct conf_ctx *x, const struct once_key *k,
		      const char *val)
{
	struct fs_conf *c = x->c;

	if (!strcasecmp(val, "off")) {
		c->metrics_listen[0] = '\0';
		return 0;
	}
	if (!listen_ok(val) || strlen(val) >= sizeof(c->metrics_listen))
		return fail(x,
			    "bad value '%s' for '%s' (expected ADDR:PORT, "
			    "[ADDR6]:PORT or off)",
			    val, k->name);
	strcpy(c->metrics_listen, val);
	return 0;
}

/* A key given at most once: record its line, or fail naming the first. */
static int once(struct conf_ctx *x, int *first, const char *sec,
		const char *key)
{
	if (*first)
		return fail(x, "duplicate key '%s' in [%s] (first at %s:%d)",
			    key, sec, x->path, *first);
	*first = x->at;
	return 0;
}

/* [shield], [metrics] */
static int set_once(struct conf_ctx *x, const char *sec, const char *key,
		    const char *val)
{
	for (size_t i = 0; i < ARRAY_SIZE(once_keys); i++) {
		const struct once_key *k = &once_keys[i];

		if (strcmp(k->section, sec) || strcmp(k->name, key))
			continue;
		if (once(x, &x->first[i], sec, key))
			return -1;
		return k->set(x, k, val);
	}
	return fail(x, "unknown key '%s' in [%s]", key, sec);
}

/* The index of the settings key @name of section @sec, or -1. */
static long setting_index(const struct conf_ctx *x, enum fs_setting_section sec,
			  const char *name)
{
	for (size_t i = 0; i < x->n_settings; i++)
		if (x->settings[i].section == sec &&
		    !strcmp(x->settings[i].file_key, name))
			return i;
	return -1;
}

/* [limits], [observe] */
static int set_cfg_key(struct conf_ctx *x, const char *sec, const char *key,
		       const char *val)
{
	bool observe = !strcmp(sec, "observe");
	long i =
		setting_index(x, observe ? FS_SEC_OBSERVE : FS_SEC_LIMITS, key);

	if (i < 0)
		return fail(x, "unknown key '%s' in [%s]", key, sec);
	if (once(x, &x->setting_line[i], sec, key))
		return -1;
	return observe ? set_observe(x, &x->settings[i], val)
		       : set_limit(x, &x->settings[i], val);
}

/* [services]: PORT = none|tcp|http|smtp. The first port given replaces
 * the defaults. */
static int set_service(struct conf_ctx *x, const char *sec, const char *key,
		       const char *val)
{
	struct fs_conf *c = x->c;
	int port = parse_port(key), svc;

	(void)sec;
	if (port < 0)
		return fail(x, "bad port '%s' in [services] (expected 1-65535)",
			    key);
	svc = fs_svc_parse(val);
	if (svc < 0)
		return fail(x,
			    "bad value '%s' for port %d (expected none, tcp, "
			    "http or smtp)",
			    val, port);
	if (!x->port_line && !(x->port_line = calloc(FS_PORTS, sizeof(int))))
		return fail(x, "out of memory");
	if (x->port_line[port])
		return fail(x, "duplicate port %d (first at %s:%d)", port,
			    x->path, x->port_line[port]);
	if (!c->ports_given) {
		for (int p = 0; p < FS_PORTS; p++)
			c->ports[p] = FS_SVC_NONE;
		c->ports_given = true;
	}
	x->port_line[port] = x->at;
	c->ports[port] = svc;
	return 0;
}

static int add_host(struct conf_ctx *x, const char *name)
{
	struct fs_conf *c = x->c;
	struct fs_conf_host h;
	char msg[256];
	void *p;
	long dup;

	if (fs_host_key(name, &h.key, &h.val, msg, sizeof(msg)))
		return fail(x, "%s", msg);
	if (c->n_hosts == FS_HOSTS_MAX)
		return fail(x, "more than %d hosts", FS_HOSTS_MAX);
	if (!(p = grow(c->hosts, &x->host_cap, c->n_hosts, sizeof(h))))
		return fail(x, "out of memory");
	c->hosts = p;
	if (!(p = grow(x->host_line, &x->host_line_cap, c->n_hosts,
		       sizeof(int))))
		return fail(x, "out of memory");
	x->host_line = p;
	c->hosts[c->n_hosts] = h;
	dup = keyset_add(&x->hosts, c->hosts, sizeof(h), sizeof(h.key),
			 c->n_hosts);
	if (dup == -2)
		return fail(x, "out of memory");
	if (dup >= 0)
		return fail(x, "duplicate host '%s' (first at %s:%d)",
			    h.val.name, x->path, x->host_line[dup]);
	x->host_line[c->n_hosts++] = x->at;
	return 0;
}

/* One own address (http.own): a bare IPv4 or IPv6 address, once. */
static int add_own(struct conf_ctx *x, const char *text)
{
	struct fs_conf *c = x->c;
	struct fs_addr_key k;
	char msg[256];
	void *p;

	if (fs_addr_parse(text, k.addr, msg, sizeof(msg)))
		return fail(x,
			    "bad value '%s' for 'own' (expected IPv4 or IPv6 "
			    "addresses, no prefix length)",
			    text);
	for (size_t i = 0; i < c->n_own; i++)
		if (!memcmp(&c->own[i], &k, sizeof(k)))
			return fail(x,
				    "duplicate own address '%s' (first at "
				    "%s:%d)",
				    text, x->path, x->own_line[i]);
	if (c->n_own == FS_OWN_MAX)
		return fail(x, "more than %d own addresses", FS_OWN_MAX);
	if (!(p = grow(c->own, &x->own_cap, c->n_own, sizeof(k))))
		return fail(x, "out of memory");
	c->own = p;
	if (!(p = grow(x->own_line, &x->own_line_cap, c->n_own, sizeof(int))))
		return fail(x, "out of memory");
	x->own_line = p;
	c->own[c->n_own] = k;
	x->own_line[c->n_own++] = x->at;
	return 0;
}

/* [hosts]: name = NAME (repeatable), names = NAME..., own = ADDR...
 * (repeatable) */
static int set_host(struct conf_ctx *x, const char *sec, const char *key,
		    const char *val)
{
	int (*add)(struct conf_ctx * x, const char *tok);
	char *copy, *tok, *save;
	int r = 0;

	if (!strcmp(key, "name"))
		return add_host(x, val);
	if (!strcmp(key, "names"))
		add = add_host;
	else if (!strcmp(key, "own"))
		add = add_own;
	else
		return fail(x, "unknown key '%s' in [%s]", key, sec);
	if (!(copy = strdup(val)))
		return fail(x, "out of memory");
	for (tok = strtok_r(copy, WS, &save); tok && !r;
	     tok = strtok_r(NULL, WS, &save))
		r = add(x, tok);
	free(copy);
	return r;
}

/* "FILE:LINE", keeping the end of a long FILE. */
static void set_where(char *buf, size_t len, const char *file, int line)
{
	char num[16];
	size_t fl = strlen(file), nl;

	nl = snprintf(num, sizeof(num), ":%d", line);
	if (fl + nl < len)
		snprintf(buf, len, "%s%s", file, num);
	else
		snprintf(buf, len, "...%s%s", file + fl - (len - 4 - nl), num);
}

static int add_cidr(struct conf_ctx *x, bool block, struct fs_conf_cidr *e)
{
	struct fs_conf *c = x->c;
	struct fs_conf_cidr **arr = block ? &c->block : &c->allow;
	size_t *n = block ? &c->n_block : &c->n_allow;
	size_t *cap = block ? &x->block_cap : &x->allow_cap;
	char cidr[FS_CIDR_STRLEN];
	void *p;
	long dup;

	if (*n == (block ? FS_BLOCK_MAX : FS_ALLOW_MAX))
		return fail(x, "more than %d entries in [%s]",
			    block ? FS_BLOCK_MAX : FS_ALLOW_MAX,
			    block ? "block" : "allow");
	if (!(p = grow(*arr, cap, *n, sizeof(*e))))
		return fail(x, "out of memory");
	*arr = p;
	set_where(e->where, sizeof(e->where), x->file, x->at);
	(*arr)[*n] = *e;
	dup = keyset_add(block ? &x->block : &x->allow, *arr, sizeof(*e),
			 sizeof(e->key), *n);
	if (dup == -2)
		return fail(x, "out of memory");
	if (dup >= 0) {
		fs_cidr_format(e->key.addr, e->key.prefixlen, cidr,
			       sizeof(cidr));
		return fail(x, "duplicate %s (first at %s)", cidr,
			    (*arr)[dup].where);
	}
	(*n)++;
	return 0;
}

/* "CIDR [NOTE...]", from the config or a list file. */
static int add_cidr_text(struct conf_ctx *x, bool block, const char *s)
{
	struct fs_conf_cidr e = {};
	char cidr[128], msg[256];
	size_t n = strcspn(s, WS);
	const char *note = s + n + strspn(s + n, WS);

	snprintf(cidr, sizeof(cidr), "%.*s", (int)n, s);
	if (fs_cidr_parse(cidr, &e.key, msg, sizeof(msg)))
		return fail(x, "%s", msg);
	if (strlen(note) >= sizeof(e.note))
		return fail(x, "note '%s' is longer than %zu characters", note,
			    sizeof(e.note) - 1);
	strcpy(e.note, note);
	return add_cidr(x, block, &e);
}

/* @name as given if absolute, else relative to the config's folder. */
static int list_path(const struct conf_ctx *x, const char *name, char *out,
		     size_t len)
{
	const char *slash = strrchr(x->path, '/');
	int n;

	if (name[0] == '/' || !slash)
		n = snprintf(out, len, "%s", name);
	else
		n = snprintf(out, len, "%.*s/%s", (int)(slash - x->path),
			     x->path, name);
	return n < 0 || (size_t)n >= len ? -1 : 0;
}

/* One CIDR per line with an optional note; comments and blank lines as
 * in the config. Errors name the list file and its line. */
static int read_list_file(struct conf_ctx *x, bool block, const char *name)
{
	char path[PATH_MAX], *s;
	struct lines l = {.name = path};

	if (!*name || list_path(x, name, path, sizeof(path)))
		return fail(x,
			    "bad value '%s' for 'file' (expected a path of "
			    "at most %d characters)",
			    name, PATH_MAX - 1);
	l.f = fopen(path, "r");
	if (!l.f)
		return fail(x, "cannot read list file '%s': %s", path,
			    strerror(errno));
	while ((s = next_line(x, &l)))
		if (*s && add_cidr_text(x, block, s))
			break;
	fclose(l.f);
	free(l.buf);
	x->file = x->path;
	x->at = x->conf.no;
	if (l.error)
		return fail(x, "cannot read list file '%s': %s", path,
			    strerror(l.error));
	return x->failed ? -1 : 0;
}

/* [allow], [block]: cidr = CIDR [NOTE], file = PATH; both repeatable. */
static int set_list(struct conf_ctx *x, const char *sec, const char *key,
		    const char *val)
{
	bool block = !strcmp(sec, "block");

	if (!strcmp(key, "cidr"))
		return add_cidr_text(x, block, val);
	if (!strcmp(key, "file"))
		return read_list_file(x, block, val);
	return fail(x, "unknown key '%s' in [%s]", key, sec);
}

/* resolver = ADDR[@PORT]: an IP address (libunbound forwards to it). */
static int set_dns_str(struct conf_ctx *x, const struct once_key *k,
		       const char *val)
{
	char addr[64], *at;
	unsigned char buf[16];
	int port = 53;

	snprintf(addr, sizeof(addr), "%s", val);
	at = strchr(addr, '@');
	if (at) {
		*at = '\0';
		port = parse_port(at + 1);
	}
	if (strlen(val) >= k->len || port < 0 ||
	    (inet_pton(AF_INET, addr, buf) != 1 &&
	     inet_pton(AF_INET6, addr, buf) != 1))
		return fail(x,
			    "bad value '%s' for '%s' (expected ADDR or "
			    "ADDR@PORT)",
			    val, k->name);
	strcpy((char *)x->c + k->off, val);
	return 0;
}

/* A duration; k->len 1: stored in milliseconds, else seconds. */
static int set_dns_dur(struct conf_ctx *x, const struct once_key *k,
		       const char *val)
{
	long long s = fs_parse_duration_s(val);

	if (s <= 0 || s > 86400 * 7)
		return fail(x,
			    "bad value '%s' for '%s' (expected a duration like "
			    "5s, 10m, 1h)",
			    val, k->name);
	*(unsigned *)((char *)x->c + k->off) = k->len ? s * 1000 : s;
	return 0;
}

/* ptr_only = strict|weak, verify_smtp = on|off. */
static int set_dns_bool(struct conf_ctx *x, const struct once_key *k,
			const char *val)
{
	bool *b = (bool *)((char *)x->c + k->off);
	bool ptr = !strcmp(k->name, "ptr_only");

	if (ptr)
		x->weak_line = x->at;

	if (!strcasecmp(val, ptr ? "weak" : "on"))
		*b = true;
	else if (!strcasecmp(val, ptr ? "strict" : "off"))
		*b = false;
	else
		return fail(x, "bad value '%s' for '%s' (expected %s)", val,
			    k->name, ptr ? "strict or weak" : "on or off");
	return 0;
}

/* A suffix a trust rule names must not be a public suffix or lie above
 * one (psl.h): strangers name their addresses under those. */
static int dns_suffix_ok(struct conf_ctx *x, const char *key, const char *val)
{
	char rule[300];
	int r = fs_psl_covers(fs_psl_path(), val, rule, sizeof(rule));

	if (r < 0)
		return fail(x,
			    "%s '%s': cannot read the public suffix list %s "
			    "(%s; Debian package publicsuffix), so it cannot "
			    "be "
			    "checked",
			    key, val, fs_psl_path(), strerror(-r));
	if (r > 0)
		return fail(x,
			    "%s '%s': a public suffix or above one (%s): "
			    "anyone "
			    "can get names under it",
			    key, val, rule);
	return 0;
}

/* allow_name = NAME, allow_domain = SUFFIX, ptr_only_domain = SUFFIX:
 * repeatable, no duplicates; stored lower-case without a trailing dot. */
static int add_dns_name(struct conf_ctx *x, const char *key, const char *val,
			char (*names)[FS_CONF_NAME_LEN], int *n)
{
	struct fs_host_key hk;
	struct fs_host_val hv;
	char err[256], name[FS_CONF_NAME_LEN];
	size_t len = strlen(val);
	bool suffix = strcmp(key, "allow_name") != 0;

	if (len && val[len - 1] == '.')
		len--;
	if (len == 0 || len >= FS_CONF_NAME_LEN || !strcmp(val, "*") ||
	    (!memchr(val, '.', len) && !suffix))
		return fail(x, "bad value '%s' for '%s' (expected a DNS name)",
			    val, key);
	for (size_t i = 0; i < len; i++)
		name[i] = tolower((unsigned char)val[i]);
	name[len] = '\0';
	if (len <= FS_HOST_MAX && fs_host_key(name, &hk, &hv, err, sizeof(err)))
		return fail(x, "%s", err);
	if (suffix && dns_suffix_ok(x, key, name))
		return -1;
	for (int i = 0; i < *n; i++)
		if (!strcmp(names[i], name))
			return fail(x, "duplicate %s '%s'", key, name);
	if (*n >= FS_CONF_DNS_MAX)
		return fail(x, "more than %d %s entries", FS_CONF_DNS_MAX, key);
	snprintf(names[(*n)++], FS_CONF_NAME_LEN, "%s", name);
	return 0;
}

/* [dns] */
static int set_dns(struct conf_ctx *x, const char *sec, const char *key,
		   const char *val)
{
	struct fs_conf *c = x->c;

	if (!strcmp(key, "allow_name"))
		return add_dns_name(x, key, val, c->allow_names,
				    &c->n_allow_names);
	if (!strcmp(key, "allow_domain"))
		return add_dns_name(x, key, val, c->allow_domains,
				    &c->n_allow_domains);
	if (!strcmp(key, "ptr_only_domain"))
		return add_dns_name(x, key, val, c->ptr_only_domains,
				    &c->n_ptr_only_domains);
	return set_once(x, sec, key, val);
}

static const struct conf_section {
	const char *name;
	int (*set)(struct conf_ctx *x, const char *sec, const char *key,
		   const char *val);
} sections[] = {
	{"shield", set_once},	  {"limits", set_cfg_key},
	{"observe", set_cfg_key}, {"services", set_service},
	{"hosts", set_host},	  {"allow", set_list},
	{"block", set_list},	  {"metrics", set_once},
	{"dns", set_dns},
};

static const struct conf_section *section_find(const char *name, size_t len)
{
	for (size_t i = 0; i < ARRAY_SIZE(sections); i++)
		if (strlen(sections[i].name) == len &&
		    !memcmp(sections[i].name, name, len))
			return &sections[i];
	return NULL;
}

static int conf_handler(void *arg, const char *section, const char *key,
			const char *val)
{
	struct conf_ctx *x = arg;
	const struct conf_section *sec;

	if (x->failed)
		return 0;
	if (!*section)
		return fail(x, "key '%s' outside any section", key), 0;
	sec = section_find(section, strlen(section));
	if (!sec) /* the reader refused it already */
		return fail(x, "unknown section [%s]", section), 0;
	return sec->set(x, sec->name, key, val) == 0;
}

/* The line of a [limits] key, 0 if not given. */
static int limit_line(struct conf_ctx *x, const char *key)
{
	long i = setting_index(x, FS_SEC_LIMITS, key);

	return i >= 0 ? x->setting_line[i] : 0;
}

/* What depends on more than one key: interface modes, ban.ttl_max
 * against ban.ttl. */
static int finish(struct conf_ctx *x)
{
	struct fs_conf *c = x->c;
	struct fs_cfg *rt = &c->rt;
	int a, b;

	for (int i = 0; i < c->n_ifaces; i++)
		if (!x->mode_given[i])
			c->ifaces[i].mode = x->mode;
	if (c->dns_weak && !c->n_ptr_only_domains) {
		x->file = x->path;
		x->at = x->weak_line;
		return fail(x, "ptr_only = weak trusts PTR names only under a "
			       "ptr_only_domain, and none is given");
	}
	if (rt->ban_ttl_max_ns >= rt->ban_ttl_ns)
		return 0;
	a = limit_line(x, "ban.ttl");
	b = limit_line(x, "ban.ttl_max");
	x->file = x->path;
	x->at = a > b ? a : b;
	return fail(x, "ban.ttl_max is below ban.ttl");
}

static void conf_reset(struct fs_conf *c)
{
	free(c->hosts);
	free(c->own);
	free(c->allow);
	free(c->block);
	memset(c, 0, sizeof(*c));
	snprintf(c->pin_dir, sizeof(c->pin_dir), "%s", FS_PIN_ROOT);
	snprintf(c->state_dir, sizeof(c->state_dir), "%s", FS_STATE_DIR);
	snprintf(c->user, sizeof(c->user), "%s", FS_USER);
	fs_cfg_defaults(&c->rt);
	fs_ports_defaults(c->ports);
	snprintf(c->metrics_listen, sizeof(c->metrics_listen), "%s",
		 FS_METRICS_LISTEN);
	c->dns_timeout_ms = 5000;
	c->dns_ttl_cap_s = 3600;
	c->dns_retry_s = 30;
	c->dns_verify_smtp = true;
}

struct fs_conf *fs_conf_new(void)
{
	struct fs_conf *c = calloc(1, sizeof(*c));

	if (c)
		conf_reset(c);
	return c;
}

void fs_conf_free(struct fs_conf *c)
{
	if (!c)
		return;
	free(c->hosts);
	free(c->own);
	free(c->allow);
	free(c->block);
	free(c);
}

/* Parse the open config; the first error is in x->err. */
static void conf_parse(struct conf_ctx *x)
{
	int r = ini_parse_stream(conf_reader, x, conf_handler, x);

	if (!x->failed && x->conf.error) {
		x->failed = true;
		x->errnum = x->conf.error;
		snprintf(x->err, x->errlen, "%s: cannot read: %s", x->path,
			 strerror(x->conf.error));
	} else if (!x->failed && r) { /* inih refused what the reader passed */
		x->at = r > 0 ? r : x->conf.no;
		fail(x, r > 0 ? "syntax error" : "out of memory");
	}
	if (!x->failed)
		finish(x);
}

int fs_conf_load(const char *path, struct fs_conf *c, char *err, size_t errlen)
{
	char *abs;
	struct conf_ctx x = {
		.c = c,
		.path = path,
		.conf = {.name = path},
		.file = path,
		.err = err,
		.errlen = errlen,
		.mode = XDP_MODE_UNSPEC,
	};

	conf_reset(c);
	abs = realpath(path, NULL);
	snprintf(c->path, sizeof(c->path), "%s", abs ? abs : path);
	free(abs);
	if (errlen)
		err[0] = '\0';
	x.settings = fs_settings(&x.n_settings);
	x.setting_line = calloc(x.n_settings, sizeof(*x.setting_line));
	if (!x.setting_line) {
		snprintf(err, errlen, "%s: out of memory", path);
		x.failed = true;
	} else if (!(x.conf.f = fopen(path, "r"))) {
		x.errnum = errno;
		snprintf(err, errlen, "%s: cannot read: %s", path,
			 strerror(errno));
		x.failed = true;
	} else {
		conf_parse(&x);
		fclose(x.conf.f);
	}
	free(x.conf.buf);
	for (size_t i = 0; x.setting_line && i < x.n_settings; i++)
		fs_key_put(c->rt.conf_keys, i, x.setting_line[i] != 0);
	free(x.setting_line);
	free(x.port_line);
	free(x.host_line);
	free(x.own_line);
	free(x.hosts.slot);
	free(x.allow.slot);
	free(x.block.slot);
	return x.failed ? -(x.errnum ? x.errnum : EINVAL) : 0;
}
