// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "util.h"
#include "settings.h"


struct bucket_name {
	const char *name;
	enum fs_bucket bucket;
	unsigned src_rate, src_burst, pfx_rate, pfx_burst;	/* defaults */
};

static const struct bucket_name buckets[] = {
	{ "syn.tcp", FS_B_SYN_TCP, 20, 40, 200, 400 },
	{ "syn.http", FS_B_SYN_HTTP, 20, 40, 200, 400 },
	{ "http.req", FS_B_HTTP_REQ, 100, 200, 1000, 2000 },
	{ "http.bad", FS_B_HTTP_BAD, 1, 3, 10, 30 },
	{ "smtp.verified", FS_B_SMTP_VERIFIED, 20, 40, 200, 400 },
	{ "smtp.unverified", FS_B_SMTP_UNVERIFIED, 5, 10, 50, 100 },
	{ "smtp.failed", FS_B_SMTP_FAILED, 1, 3, 10, 30 },
};

/* Events to userspace: one global bucket, and a per-source silence. */
#define FS_DEF_EVENTS_RATE	100
#define FS_DEF_EVENTS_BURST	200
#define FS_DEF_EVENT_DEDUP_S	600

/* Rules that observe.<rule> switches, as masks of reasons. */
struct rule_name {
	const char *name;
	__u64 mask;
};

static const struct rule_name rules[] = {
	{ "block", 1ull << FS_R_BLOCK },
	{ "ban", (1ull << FS_R_BAN) | (1ull << FS_R_BAN_RESET) },
	{ "syn_rate", (1ull << FS_R_SYN_RATE_SRC) | (1ull << FS_R_SYN_RATE_PREFIX) },
	{ "http_host", (1ull << FS_R_HTTP_BAD_HOST) | (1ull << FS_R_HTTP_DUP_HOST) |
		       (1ull << FS_R_HTTP_HOST_WS) | (1ull << FS_R_HTTP_EMPTY_HOST) |
		       (1ull << FS_R_HTTP_NO_HOST) | (1ull << FS_R_HTTP_IP_HOST) },
	{ "http_fragment", 1ull << FS_R_HTTP_FRAGMENT },
	{ "http_rate", (1ull << FS_R_HTTP_RATE_SRC) | (1ull << FS_R_HTTP_RATE_PREFIX) },
	{ "smtp_rate", (1ull << FS_R_SMTP_DEFER_VERIFIED) |
		       (1ull << FS_R_SMTP_DEFER_UNVERIFIED) |
		       (1ull << FS_R_SMTP_DEFER_FAILED) },
};

/* HTTP policies: pass or reset. */
struct policy_name {
	const char *name;
	__u32 bit;
};

static const struct policy_name policies[] = {
	{ "http.no_host_10", FS_HTTP_RESET_NO_HOST10 },
	{ "http.ip_host", FS_HTTP_RESET_IP_HOST },
};

static const char *const svc_names[FS_SVC_MAX] = {
	[FS_SVC_NONE] = "none", [FS_SVC_TCP] = "tcp",
	[FS_SVC_HTTP] = "http", [FS_SVC_SMTP] = "smtp",
};

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

const char *fs_bucket_name(enum fs_bucket b)
{
	for (size_t i = 0; i < ARRAY_SIZE(buckets); i++)
		if (buckets[i].bucket == b)
			return buckets[i].name;
	return NULL;
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
		return -1;
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
	{ 80, FS_SVC_HTTP }, { 8080, FS_SVC_HTTP },
	{ 25, FS_SVC_SMTP },
	{ 443, FS_SVC_TCP }, { 465, FS_SVC_TCP }, { 587, FS_SVC_TCP },
};

void fs_ports_defaults(enum fs_svc ports[FS_PORTS])
{
	memset(ports, 0, FS_PORTS * sizeof(*ports));
	for (size_t i = 0; i < ARRAY_SIZE(default_ports); i++)
		ports[default_ports[i].port] = default_ports[i].svc;
}

void fs_cfg_defaults(struct fs_cfg *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->v4_prefix = FS_DEF_V4_PREFIX;
	cfg->v6_prefix = FS_DEF_V6_PREFIX;
	cfg->ban_after = FS_DEF_BAN_AFTER;
	cfg->ban_shift_max = FS_DEF_BAN_SHIFT_MAX;
	cfg->ban_ttl_ns = FS_DEF_BAN_TTL_S * NSEC_PER_SEC;
	cfg->ban_ttl_max_ns = FS_DEF_BAN_TTL_MAX_S * NSEC_PER_SEC;
	cfg->event_dedup_ns = FS_DEF_EVENT_DEDUP_S * NSEC_PER_SEC;
	fs_rate_set(&cfg->limits[FS_B_EVENTS].src, FS_DEF_EVENTS_RATE,
		    FS_DEF_EVENTS_BURST);
	for (size_t i = 0; i < ARRAY_SIZE(buckets); i++) {
		struct fs_limit *l = &cfg->limits[buckets[i].bucket];

		fs_rate_set(&l->src, buckets[i].src_rate, buckets[i].src_burst);
		fs_rate_set(&l->prefix, buckets[i].pfx_rate, buckets[i].pfx_burst);
	}
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
	case '\0': case 's': break;
	case 'm': v *= 60; break;
	case 'h': v *= 3600; break;
	case 'd': v *= 86400; break;
	default: return -1;
	}
	if (*end && end[1])
		return -1;
	return v > 10LL * 365 * 86400 ? -1 : v;
}

static int parse_uint(const char *s, unsigned max, unsigned *out)
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

static int parse_bool(const char *s, int *out)
{
	if (!strcasecmp(s, "on") || !strcasecmp(s, "yes") ||
	    !strcmp(s, "1") || !strcasecmp(s, "true"))
		*out = 1;
	else if (!strcasecmp(s, "off") || !strcasecmp(s, "no") ||
		 !strcmp(s, "0") || !strcasecmp(s, "false"))
		*out = 0;
	else
		return -1;
	return 0;
}

/* "RATE/BURST" or "off". */
static int parse_rate(const char *s, struct fs_rate *r)
{
	char buf[64], *slash;
	unsigned rate, burst;

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

static struct fs_rate *bucket_rate(struct fs_cfg *cfg, const char *key)
{
	for (size_t i = 0; i < ARRAY_SIZE(buckets); i++) {
		size_t n = strlen(buckets[i].name);
		struct fs_limit *l = &cfg->limits[buckets[i].bucket];

		if (strncmp(key, buckets[i].name, n) || key[n] != '.')
			continue;
		if (!strcmp(key + n + 1, "src"))
			return &l->src;
		if (!strcmp(key + n + 1, "prefix"))
			return &l->prefix;
	}
	return NULL;
}

static int set_observe_rule(struct fs_cfg *cfg, const char *rule, int on)
{
	for (size_t i = 0; i < ARRAY_SIZE(rules); i++) {
		if (strcmp(rule, rules[i].name))
			continue;
		if (on)
			cfg->observe_mask |= rules[i].mask;
		else
			cfg->observe_mask &= ~rules[i].mask;
		return 0;
	}
	return -1;
}

/* "pass" or "reset" for a policy key. -1 if @key is not a policy; else
 * 0 and *res 0 (applied) or -1 (bad value). */
static int set_policy(struct fs_cfg *c, const char *key, const char *val,
		      int *res)
{
	for (size_t i = 0; i < ARRAY_SIZE(policies); i++) {
		if (strcmp(key, policies[i].name))
			continue;
		*res = 0;
		if (!strcasecmp(val, "reset"))
			c->http_flags |= policies[i].bit;
		else if (!strcasecmp(val, "pass"))
			c->http_flags &= ~policies[i].bit;
		else
			*res = -1;
		return 0;
	}
	return -1;
}

/* Apply @val to @key in @c. 1: unknown key, -1: bad value. */
static int set_key(struct fs_cfg *c, const char *key, const char *val)
{
	struct fs_rate *r;
	unsigned u;
	long long d;
	int b;

	if (!strcmp(key, "observe")) {
		if (parse_bool(val, &b))
			return -1;
		c->flags = b ? c->flags | FS_CFG_OBSERVE : c->flags & ~FS_CFG_OBSERVE;
	} else if (!strncmp(key, "observe.", 8)) {
		if (parse_bool(val, &b))
			return -1;
		return set_observe_rule(c, key + 8, b) ? 1 : 0;
	} else if (!strcmp(key, "prefix.v4")) {
		if (parse_uint(val, 32, &u))
			return -1;
		c->v4_prefix = u;
	} else if (!strcmp(key, "prefix.v6")) {
		if (parse_uint(val, 128, &u))
			return -1;
		c->v6_prefix = u;
	} else if (!strcmp(key, "ban.after")) {
		if (parse_uint(val, 1000000, &u))
			return -1;
		c->ban_after = u;
	} else if (!strcmp(key, "ban.growth")) {
		if (parse_uint(val, 32, &u))
			return -1;
		c->ban_shift_max = u;
	} else if (!strcmp(key, "events.rate")) {
		return parse_rate(val, &c->limits[FS_B_EVENTS].src);
	} else if (!strcmp(key, "events.dedup")) {
		d = fs_parse_duration_s(val);
		if (d < 0)
			return -1;
		c->event_dedup_ns = d * NSEC_PER_SEC;
	} else if (!strcmp(key, "verify.http")) {
		if (parse_bool(val, &b))
			return -1;
		c->flags = b ? c->flags | FS_CFG_VERIFY_HTTP : c->flags & ~FS_CFG_VERIFY_HTTP;
	} else if (!strcmp(key, "ban.ttl") || !strcmp(key, "ban.ttl_max")) {
		d = fs_parse_duration_s(val);
		if (d <= 0)
			return -1;
		if (key[7] == '\0')
			c->ban_ttl_ns = d * NSEC_PER_SEC;
		else
			c->ban_ttl_max_ns = d * NSEC_PER_SEC;
	} else if (set_policy(c, key, val, &b) == 0) {
		return b;
	} else if ((r = bucket_rate(c, key))) {
		return parse_rate(val, r);
	} else {
		return 1;
	}
	return 0;
}

int fs_cfg_set(struct fs_cfg *cfg, const char *kv, char *err, size_t errlen)
{
	char key[64];
	const char *eq = strchr(kv, '=');
	struct fs_cfg tmp = *cfg;
	size_t n;
	int r;

	if (!eq || eq == kv) {
		snprintf(err, errlen, "'%s': expected KEY=VALUE", kv);
		return -1;
	}
	n = eq - kv;
	if (n >= sizeof(key)) {
		snprintf(err, errlen, "'%.*s...': key too long", 20, kv);
		return -1;
	}
	memcpy(key, kv, n);
	key[n] = '\0';
	r = set_key(&tmp, key, eq + 1);
	if (r > 0) {
		snprintf(err, errlen, "unknown key '%s'", key);
		return -1;
	}
	if (r < 0) {
		snprintf(err, errlen, "bad value '%s' for key '%s'", eq + 1, key);
		return -1;
	}
	*cfg = tmp;
	return 0;
}

int fs_cfg_check(const struct fs_cfg *cfg, char *err, size_t errlen)
{
	if (cfg->ban_ttl_max_ns && cfg->ban_ttl_max_ns < cfg->ban_ttl_ns) {
		snprintf(err, errlen, "ban.ttl_max is below ban.ttl");
		return -1;
	}
	return 0;
}

static void print_rate(FILE *f, const char *key, const struct fs_rate *r,
		       int json, const char **sep)
{
	if (json) {
		fprintf(f, "%s\"%s\":{\"rate\":%u,\"burst\":%u}", *sep, key,
			r->rate, r->burst);
		*sep = ",";
	} else if (r->rate) {
		fprintf(f, "%s=%u/%u\n", key, r->rate, r->burst);
	} else {
		fprintf(f, "%s=off\n", key);
	}
}

void fs_cfg_print(FILE *f, const struct fs_cfg *c, int json)
{
	const char *sep = "";
	char key[64];

	if (json)
		fprintf(f, "{\"observe\":%s,\"prefix.v4\":%u,\"prefix.v6\":%u,"
			"\"ban.after\":%u,\"ban.ttl\":%llu,\"ban.ttl_max\":%llu,"
			"\"ban.growth\":%u",
			c->flags & FS_CFG_OBSERVE ? "true" : "false",
			c->v4_prefix, c->v6_prefix, c->ban_after,
			(unsigned long long)(c->ban_ttl_ns / NSEC_PER_SEC),
			(unsigned long long)(c->ban_ttl_max_ns / NSEC_PER_SEC),
			c->ban_shift_max);
	else
		fprintf(f, "observe=%s\nprefix.v4=%u\nprefix.v6=%u\n"
			"ban.after=%u\nban.ttl=%llus\nban.ttl_max=%llus\n"
			"ban.growth=%u\n",
			c->flags & FS_CFG_OBSERVE ? "on" : "off",
			c->v4_prefix, c->v6_prefix, c->ban_after,
			(unsigned long long)(c->ban_ttl_ns / NSEC_PER_SEC),
			(unsigned long long)(c->ban_ttl_max_ns / NSEC_PER_SEC),
			c->ban_shift_max);
	for (size_t i = 0; i < ARRAY_SIZE(rules); i++) {
		int on = (c->observe_mask & rules[i].mask) == rules[i].mask;

		if (json)
			fprintf(f, ",\"observe.%s\":%s", rules[i].name,
				on ? "true" : "false");
		else
			fprintf(f, "observe.%s=%s\n", rules[i].name,
				on ? "on" : "off");
	}
	if (json)
		fprintf(f, ",\"events.rate\":{\"rate\":%u,\"burst\":%u},"
			"\"events.dedup\":%llu,\"verify.http\":%s",
			c->limits[FS_B_EVENTS].src.rate, c->limits[FS_B_EVENTS].src.burst,
			(unsigned long long)(c->event_dedup_ns / NSEC_PER_SEC),
			c->flags & FS_CFG_VERIFY_HTTP ? "true" : "false");
	else
		fprintf(f, "events.rate=%u/%u\nevents.dedup=%llus\nverify.http=%s\n",
			c->limits[FS_B_EVENTS].src.rate, c->limits[FS_B_EVENTS].src.burst,
			(unsigned long long)(c->event_dedup_ns / NSEC_PER_SEC),
			c->flags & FS_CFG_VERIFY_HTTP ? "on" : "off");
	for (size_t i = 0; i < ARRAY_SIZE(policies); i++) {
		const char *v = c->http_flags & policies[i].bit ? "reset" : "pass";

		if (json)
			fprintf(f, ",\"%s\":\"%s\"", policies[i].name, v);
		else
			fprintf(f, "%s=%s\n", policies[i].name, v);
	}
	if (json)
		sep = ",";
	for (size_t i = 0; i < ARRAY_SIZE(buckets); i++) {
		const struct fs_limit *l = &c->limits[buckets[i].bucket];

		snprintf(key, sizeof(key), "%s.src", buckets[i].name);
		print_rate(f, key, &l->src, json, &sep);
		snprintf(key, sizeof(key), "%s.prefix", buckets[i].name);
		print_rate(f, key, &l->prefix, json, &sep);
	}
	if (json)
		fprintf(f, "}\n");
}
