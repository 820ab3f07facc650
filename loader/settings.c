// SPDX-License-Identifier: GPL-2.0
/* Settings keys, generated from FS_SETTINGS (maps/tables.h): one row per
 * key says what it holds and where, and the parser, the printer, the
 * defaults and the config file's sections all follow the rows. */
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "names.h"
#include "util.h"
#include "settings.h"

/* The fs_cfg field of a row: offset and size. */
#define FIELD_(f) offsetof(struct fs_cfg, f), sizeof(((struct fs_cfg *)0)->f)

#define SET_KEY_(key, fkey, sec, type, field, arg, def, doc) \
	{key,		(fkey) ? (fkey) : (key),             \
	 FS_SEC_##sec,	FS_SET_##type,                       \
	 FIELD_(field), arg,                                 \
	 def,		doc},
#define SET_OBS_(id, name, doc)                                             \
	{"observe." name,      name,	    FS_SEC_OBSERVE, FS_SET_OBSERVE, \
	 FIELD_(observe_mask), FS_OBS_##id, "off",	    doc},
#define SET_POL_(bit, key, def, doc)                                      \
	{key, key, FS_SEC_LIMITS, FS_SET_POLICY, FIELD_(http_flags), bit, \
	 def, doc},
/* Buckets with levels have two keys; the others none here. */
#define SET_BKT_(id, name, kind, sr, sb, pr, pb, doc) \
	SET_BKT_##kind(id, name, sr, sb, pr, pb, doc)
#define SET_BKT_NONE(...)
#define SET_BKT_GLOBAL(...)
#define SET_BKT_LEVELS(id, name, sr, sb, pr, pb, doc) \
	{name ".src",                                 \
	 name ".src",                                 \
	 FS_SEC_LIMITS,                               \
	 FS_SET_RATE,                                 \
	 FIELD_(limits[FS_B_##id].src),               \
	 0,                                           \
	 #sr "/" #sb,                                 \
	 doc},                                        \
		{name ".prefix",                      \
		 name ".prefix",                      \
		 FS_SEC_LIMITS,                       \
		 FS_SET_RATE,                         \
		 FIELD_(limits[FS_B_##id].prefix),    \
		 0,                                   \
		 #pr "/" #pb,                         \
		 doc},

static const struct fs_setting settings[] = {
	FS_SETTINGS(SET_KEY_, SET_OBS_, SET_POL_, SET_BKT_)};

#define BKT_NAME_(id, name, kind, ...) \
	[FS_B_##id] = FS_BKT_IS_##kind ? name : NULL,
#define FS_BKT_IS_LEVELS 1
#define FS_BKT_IS_GLOBAL 0
#define FS_BKT_IS_NONE	 0

static const char *const bucket_names[FS_B_MAX] = {FS_BUCKETS(BKT_NAME_)};

#define SVC_NAME_(id, name, ...)     name,
#define COOKIES_NAME_(id, name, ...) name,

static const char *const syn_cookie_names[] = {
	FS_SYN_COOKIE_MODES(COOKIES_NAME_) NULL};

static const char *const http_server_names[] = {FS_HTTP_SERVERS(COOKIES_NAME_)
							NULL};

static const char *const svc_names[] = {FS_SERVICES(SVC_NAME_)};

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

_Static_assert(ARRAY_SIZE(svc_names) == FS_SVC_MAX, "services");

_Static_assert(ARRAY_SIZE(syn_cookie_names) == FS_COOKIES_MAX + 1, "syn."
								   "cookies");

const char *const *fs_choice_names(unsigned c)
{
	if (c == FS_CHOICE_SYN_COOKIES)
		return syn_cookie_names;
	return c == FS_CHOICE_HTTP_SERVER ? http_server_names : NULL;
}

/* The position of @s in choice list @c, or -1. */
static int choice_parse(unsigned c, const char *s)
{
	const char *const *n = fs_choice_names(c);

	for (int i = 0; n && n[i]; i++)
		if (!strcasecmp(s, n[i]))
			return i;
	return -1;
}

static const char *choice_name(unsigned c, unsigned v)
{
	const char *const *n = fs_choice_names(c);

	for (unsigned i = 0; n && n[i]; i++)
		if (i == v)
			return n[i];
	return "?";
}

const char *fs_bucket_name(enum fs_bucket b)
{
	return b < FS_B_MAX ? bucket_names[b] : NULL;
}

int fs_svc_parse(const char *name)
{
	for (int i = 0; i < FS_SVC_MAX; i++)
		if (!strcasecmp(name, svc_names[i]))
			return i;
	return -1;
}

const char *fs_svc_name(enum fs_svc svc)
{
	return svc < FS_SVC_MAX ? svc_names[svc] : "?";
}

int fs_rate_set(struct fs_rate *r, unsigned rate, unsigned burst)
{
	memset(r, 0, sizeof(*r));
	if (rate == 0)
		return 0;
	if (burst == 0 || rate > NSEC_PER_SEC)
		return -EINVAL;
	r->rate = rate;
	r->burst = burst;
	r->interval_ns = NSEC_PER_SEC / rate;
	r->tolerance_ns = r->interval_ns * (burst - 1);
	return 0;
}

static const struct {
	__u16 port;
	enum fs_svc svc;
} default_ports[] = {
	{80, FS_SVC_HTTP}, {8080, FS_SVC_HTTP}, {25, FS_SVC_SMTP},
	{443, FS_SVC_TCP}, {465, FS_SVC_TCP},	{587, FS_SVC_TCP},
};

void fs_ports_defaults(enum fs_svc ports[FS_PORTS])
{
	memset(ports, 0, FS_PORTS * sizeof(*ports));
	for (size_t i = 0; i < ARRAY_SIZE(default_ports); i++)
		ports[default_ports[i].port] = default_ports[i].svc;
}

const struct fs_setting *fs_settings(size_t *n)
{
	*n = ARRAY_SIZE(settings);
	return settings;
}

const struct fs_setting *fs_setting_find(const char *key)
{
	for (size_t i = 0; i < ARRAY_SIZE(settings); i++)
		if (!strcmp(key, settings[i].key))
			return &settings[i];
	return NULL;
}

int fs_parse_port(const char *s)
{
	size_t n = strspn(s, "0123456789");
	long v;

	if (!n || s[n] || n > 5)
		return -1;
	v = strtol(s, NULL, 10);
	return v <= 65535 ? (int)v : -1;
}

long long fs_parse_duration_s(const char *s)
{
	char *end;
	long long v;

	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno || end == s || v < 0)
		return -1;
	switch (*end) {
	case '\0':
	case 's':
		break;
	case 'm':
		v *= 60;
		break;
	case 'h':
		v *= 3600;
		break;
	case 'd':
		v *= 86400;
		break;
	default:
		return -1;
	}
	if (*end && end[1])
		return -1;
	return v > 10LL * 365 * 86400 ? -1 : v;
}

static int parse_uint(const char *s, unsigned long max, unsigned long *out)
{
	char *end;
	unsigned long v;

	if (!*s || *s == '-' || *s == '+')
		return -1;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || v > max)
		return -1;
	*out = v;
	return 0;
}

static int parse_bool(const char *s, bool *out)
{
	if (!strcasecmp(s, "on") || !strcasecmp(s, "yes") || !strcmp(s, "1") ||
	    !strcasecmp(s, "true"))
		*out = true;
	else if (!strcasecmp(s, "off") || !strcasecmp(s, "no") ||
		 !strcmp(s, "0") || !strcasecmp(s, "false"))
		*out = false;
	else
		return -1;
	return 0;
}

/* "RATE/BURST" or "off". */
static int parse_rate(const char *s, struct fs_rate *r)
{
	char buf[64], *slash;
	unsigned long rate, burst;

	if (!strcasecmp(s, "off") || !strcmp(s, "0"))
		return fs_rate_set(r, 0, 0);
	if (strlen(s) >= sizeof(buf))
		return -1;
	strcpy(buf, s);
	slash = strchr(buf, '/');
	if (!slash)
		return -1;
	*slash = '\0';
	if (parse_uint(buf, 10000000, &rate) || rate == 0 ||
	    parse_uint(slash + 1, 1000000, &burst) || burst == 0)
		return -1;
	return fs_rate_set(r, rate, burst);
}

/* "pass" or "reset": whether the bit is set. */
static int parse_policy(const char *s, bool *out)
{
	if (!strcasecmp(s, "reset"))
		*out = true;
	else if (!strcasecmp(s, "pass"))
		*out = false;
	else
		return -1;
	return 0;
}

/* The integer field of @s in @c (1, 2, 4 or 8 bytes). */
static __u64 field_get(const struct fs_cfg *c, const struct fs_setting *s)
{
	const void *p = (const char *)c + s->off;

	switch (s->size) {
	case 1:
		return *(const __u8 *)p;
	case 2:
		return *(const __u16 *)p;
	case 4:
		return *(const __u32 *)p;
	default:
		return *(const __u64 *)p;
	}
}

static void field_put(struct fs_cfg *c, const struct fs_setting *s, __u64 v)
{
	void *p = (char *)c + s->off;

	switch (s->size) {
	case 1:
		*(__u8 *)p = v;
		break;
	case 2:
		*(__u16 *)p = v;
		break;
	case 4:
		*(__u32 *)p = v;
		break;
	default:
		*(__u64 *)p = v;
		break;
	}
}

/* The bits of the field that key @s sets or clears as a whole. */
static __u64 setting_bits(const struct fs_setting *s)
{
	return s->type == FS_SET_OBSERVE ? fs_observe_mask(s->arg) : s->arg;
}

static void bits_put(struct fs_cfg *c, const struct fs_setting *s, bool on)
{
	__u64 v = field_get(c, s), bits = setting_bits(s);

	field_put(c, s, on ? v | bits : v & ~bits);
}

/* Apply @val to key @s in @c. 0, or -1 for a bad value. */
static int setting_parse(struct fs_cfg *c, const struct fs_setting *s,
			 const char *val)
{
	unsigned long u;
	long long d;
	bool b;
	int i;

	switch (s->type) {
	case FS_SET_FLAG:
	case FS_SET_OBSERVE:
		if (parse_bool(val, &b))
			return -1;
		bits_put(c, s, b);
		return 0;
	case FS_SET_POLICY:
		if (parse_policy(val, &b))
			return -1;
		bits_put(c, s, b);
		return 0;
	case FS_SET_UINT:
		if (parse_uint(val, s->arg, &u))
			return -1;
		field_put(c, s, u);
		return 0;
	case FS_SET_DURATION:
		d = fs_parse_duration_s(val);
		if (d < 0 || d < (long long)s->arg)
			return -1;
		field_put(c, s, d * NSEC_PER_SEC);
		return 0;
	case FS_SET_RATE:
		return parse_rate(val, (struct fs_rate *)((char *)c + s->off));
	case FS_SET_CHOICE:
		i = choice_parse(s->arg, val);
		if (i < 0)
			return -1;
		field_put(c, s, i);
		return 0;
	}
	return -1;
}

void fs_setting_format(const struct fs_setting *s, const struct fs_cfg *c,
		       int json, char *buf, size_t len)
{
	const struct fs_rate *r = (const void *)((const char *)c + s->off);
	__u64 v = s->type == FS_SET_RATE ? 0 : field_get(c, s);
	bool on = (v & setting_bits(s)) == setting_bits(s);

	switch (s->type) {
	case FS_SET_FLAG:
	case FS_SET_OBSERVE:
		snprintf(buf, len, "%s",
			 json ? (on ? "true" : "false") : (on ? "on" : "off"));
		break;
	case FS_SET_POLICY:
		snprintf(buf, len, json ? "\"%s\"" : "%s",
			 on ? "reset" : "pass");
		break;
	case FS_SET_UINT:
		snprintf(buf, len, "%llu", (unsigned long long)v);
		break;
	case FS_SET_DURATION:
		snprintf(buf, len, json ? "%llu" : "%llus",
			 (unsigned long long)(v / NSEC_PER_SEC));
		break;
	case FS_SET_CHOICE:
		snprintf(buf, len, json ? "\"%s\"" : "%s",
			 choice_name(s->arg, v));
		break;
	case FS_SET_RATE:
		if (json)
			snprintf(buf, len, "{\"rate\":%u,\"burst\":%u}",
				 r->rate, r->burst);
		else if (r->rate)
			snprintf(buf, len, "%u/%u", r->rate, r->burst);
		else
			snprintf(buf, len, "off");
		break;
	}
}

_Static_assert(ARRAY_SIZE(settings) <= 64 * FS_KEY_WORDS, "fs_cfg.conf_keys: a "
							  "bit per key");

size_t fs_setting_index(const struct fs_setting *s)
{
	return s - settings;
}

void fs_setting_copy(struct fs_cfg *dst, const struct fs_cfg *src,
		     const struct fs_setting *s)
{
	char text[96];

	/* what `show` prints parses back (test_tables checks it) */
	fs_setting_format(s, src, 0, text, sizeof(text));
	setting_parse(dst, s, text);
}

void fs_cfg_defaults(struct fs_cfg *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	/* every default parses: test_tables checks it */
	for (size_t i = 0; i < ARRAY_SIZE(settings); i++)
		setting_parse(cfg, &settings[i], settings[i].def);
}

int fs_cfg_set(struct fs_cfg *cfg, const char *kv, char *err, size_t errlen)
{
	char key[64];
	const char *eq = strchr(kv, '=');
	const struct fs_setting *s;
	struct fs_cfg tmp = *cfg;
	size_t n;

	if (!eq || eq == kv) {
		snprintf(err, errlen, "'%s': expected KEY=VALUE", kv);
		return -EINVAL;
	}
	n = eq - kv;
	if (n >= sizeof(key)) {
		snprintf(err, errlen, "'%.*s...': key too long", 20, kv);
		return -EINVAL;
	}
	memcpy(key, kv, n);
	key[n] = '\0';
	s = fs_setting_find(key);
	if (!s) {
		snprintf(err, errlen, "unknown key '%s'", key);
		return -EINVAL;
	}
	if (setting_parse(&tmp, s, eq + 1)) {
		snprintf(err, errlen, "bad value '%s' for key '%s'", eq + 1,
			 key);
		return -EINVAL;
	}
	*cfg = tmp;
	return 0;
}

int fs_cfg_check(const struct fs_cfg *cfg, char *err, size_t errlen)
{
	if (cfg->ban_ttl_max_ns && cfg->ban_ttl_max_ns < cfg->ban_ttl_ns) {
		snprintf(err, errlen, "ban.ttl_max is below ban.ttl");
		return -EINVAL;
	}
	if (cfg->smtp_reserve + cfg->smtp_tempfail_share > 100) {
		snprintf(err, errlen,
			 "smtp.reserve and smtp.tempfail_share together are "
			 "over 100 percent");
		return -EINVAL;
	}
	return 0;
}

/* /proc/sys file @path, opened where this process reaches it
 * (fs_env_path(): the systemd unit hides /proc/sys with ProcSubset=pid
 * and binds /proc/sys/net elsewhere). */
static FILE *sysctl_open(const char *path)
{
	char where[PATH_MAX];

	return fopen(fs_env_path(FS_ENV_PROC_SYS, "/proc/sys", path, where,
				 sizeof(where)),
		     "r");
}

/* The integer in /proc/sys file @path, or -errno. */
static long sysctl_read(const char *path)
{
	FILE *f = sysctl_open(path);
	long v;
	int err;

	if (!f)
		return -errno;
	err = fscanf(f, "%ld", &v) == 1 ? 0 : -EINVAL;
	fclose(f);
	return err ? err : v;
}

#define SYSCTL_SYNCOOKIES "/proc/sys/net/ipv4/tcp_syncookies"
#define SYSCTL_TIMESTAMPS "/proc/sys/net/ipv4/tcp_timestamps"
#define SYSCTL_RMEM_MAX	  "/proc/sys/net/core/rmem_max"
#define SYSCTL_TCP_RMEM	  "/proc/sys/net/ipv4/tcp_rmem"

/* The window scale the kernel gives a listener's connections
 * (tcp_select_initial_window(): ilog2 of the largest receive space,
 * at least tcp_rmem[2] and rmem_max, minus 15, within 0..14), or
 * -errno. A listener with a larger SO_RCVBUF than both gets more. */
static int kernel_wscale(void)
{
	long rmem_max = sysctl_read(SYSCTL_RMEM_MAX), r[3];
	unsigned long space;
	FILE *f = sysctl_open(SYSCTL_TCP_RMEM);
	int ws = 0, n;

	if (!f)
		return -errno;
	n = fscanf(f, "%ld %ld %ld", &r[0], &r[1], &r[2]);
	fclose(f);
	if (n != 3 || rmem_max < 0)
		return -EINVAL;
	space = r[2] > rmem_max ? r[2] : rmem_max;
	while (space >> (ws + 16)) /* ilog2(space) - 15 */
		ws++;
	return ws > 14 ? 14 : ws;
}

/* syn.cookie.ts: timestamps without per-connection offsets, and the
 * kernel's own window scale. */
static int check_cookie_ts(const struct fs_cfg *cfg, char *err, size_t errlen)
{
	long v;
	int ws;

	if (!(cfg->flags & FS_CFG_COOKIE_TS))
		return 0;
	v = sysctl_read(SYSCTL_TIMESTAMPS);
	if (v != 2) {
		snprintf(err, errlen,
			 "syn.cookie.ts=on needs net.ipv4.tcp_timestamps=2 in "
			 "the attach network namespace (it is %ld): with 1 the "
			 "kernel offsets every connection's timestamps by a "
			 "secret the program cannot know",
			 v);
		return -EINVAL;
	}
	ws = kernel_wscale();
	if (ws < 0) {
		snprintf(err, errlen,
			 "syn.cookie.ts=on: cannot read %s or %s: %s",
			 SYSCTL_TCP_RMEM, SYSCTL_RMEM_MAX, strerror(-ws));
		return -EINVAL;
	}
	if (ws != cfg->cookie_wscale) {
		snprintf(err, errlen,
			 "syn.cookie.ts=on: syn.cookie.wscale=%u, but the "
			 "kernel "
			 "gives its connections %d here (tcp_rmem, rmem_max): "
			 "set syn.cookie.wscale=%d",
			 cfg->cookie_wscale, ws, ws);
		return -EINVAL;
	}
	return 0;
}

int fs_cfg_check_kernel(const struct fs_cfg *cfg, char *err, size_t errlen)
{
	long v;

	if (check_cookie_ts(cfg, err, errlen))
		return -EINVAL;
	if (cfg->syn_cookies != FS_COOKIES_ALWAYS)
		return 0;
	v = sysctl_read(SYSCTL_SYNCOOKIES);
	if (v < 0) {
		snprintf(err, errlen, "syn.cookies=always: cannot read %s: %s",
			 SYSCTL_SYNCOOKIES, strerror(-v));
		return -EINVAL;
	}
	if (v != 2) {
		snprintf(err, errlen,
			 "syn.cookies=always needs net.ipv4.tcp_syncookies=2 "
			 "in the attach network namespace (it is %ld): set it, "
			 "or use "
			 "syn.cookies=auto",
			 v);
		return -EINVAL;
	}
	return 0;
}

void fs_cfg_print(FILE *f, const struct fs_cfg *c, int json)
{
	char val[96];

	for (size_t i = 0; i < ARRAY_SIZE(settings); i++) {
		fs_setting_format(&settings[i], c, json, val, sizeof(val));
		if (json)
			fprintf(f, "%s\"%s\":%s", i ? "," : "{",
				settings[i].key, val);
		else
			fprintf(f, "%s=%s\n", settings[i].key, val);
	}
	if (json)
		fprintf(f, "}\n");
}
