// SPDX-License-Identifier: GPL-2.0
/* explain ADDR: why an address is treated as it is, from the pinned
 * maps: lists (the matching entry), bans of it and of its prefixes, its
 * buckets, its DNS verdict. Read-only. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include "../../loader/addr.h"
#include "cli.h"
#include "../../loader/log.h"
#include "../../loader/names.h"
#include "../../loader/settings.h"
#include "../../loader/loader.h"

static bool in_prefix(const __u8 addr[16], const __u8 net[16], unsigned plen)
{
	for (unsigned bit = 0; bit < plen && bit < 128; bit++) {
		__u8 m = 0x80 >> (bit % 8);

		if ((addr[bit / 8] & m) != (net[bit / 8] & m))
			return false;
	}
	return true;
}

/* The longest entry of LPM list @fd holding @addr, live or expired. */
static bool lpm_best(int fd, const __u8 addr[16], struct fs_lpm_key *best,
		     struct fs_list_val *val)
{
	struct fs_lpm_key k, prev;
	void *p = NULL;
	bool found = false;

	while (bpf_map_get_next_key(fd, p, &k) == 0) {
		prev = k;
		p = &prev;
		if (!in_prefix(addr, k.addr, k.prefixlen) ||
		    (found && k.prefixlen <= best->prefixlen))
			continue;
		if (bpf_map_lookup_elem(fd, &k, val) == 0) {
			*best = k;
			found = true;
		}
	}
	if (found)
		bpf_map_lookup_elem(fd, best, val);
	return found;
}

struct explain {
	struct fs_ctx *ctx;
	struct fs_map_fds m;
	__u8 addr[16];
	unsigned long long now;
	struct fs_cfg cfg;
	const char *verdict; /* the first rule that decides */
	const char *sep;
	int rows; /* text rows printed by show_bucket */
};

static void field_start(struct explain *e, const char *name)
{
	if (e->ctx->json) {
		printf("%s\"%s\":", e->sep, name);
		e->sep = ",";
	} else {
		printf("%-10s ", name);
	}
}

static void show_list(struct explain *e, const char *name, int fd, bool drops)
{
	struct fs_lpm_key k;
	struct fs_list_val v;
	char cidr[FS_CIDR_STRLEN], exp[32], note[FS_ESC_LEN(FS_NOTE_LEN)];
	bool live;

	field_start(e, name);
	if (!lpm_best(fd, e->addr, &k, &v)) {
		printf(e->ctx->json ? "null" : "not listed\n");
		return;
	}
	fs_cidr_format(k.addr, k.prefixlen, cidr, sizeof(cidr));
	v.note[FS_NOTE_LEN - 1] = '\0';
	live = !v.expires_ns || v.expires_ns > e->now;
	fs_fmt_expiry(v.expires_ns, e->now, exp, sizeof(exp));
	if (live && !e->verdict)
		e->verdict = drops ? "dropped: blocklisted"
				   : "passed: allowlisted (wins over every "
				     "limit)";
	if (e->ctx->json) {
		printf("{\"cidr\":\"%s\",\"origin\":\"%s\",\"expires\":\"%s\","
		       "\"note\":",
		       cidr, fs_origin_name(v.origin), exp);
		json_str(stdout, v.note);
		printf("}");
	} else {
		printf("%s (%s, expires %s)%s%s\n", cidr,
		       fs_origin_name(v.origin), exp, *v.note ? ": " : "",
		       fs_text_esc(v.note, note, sizeof(note)));
	}
}

/* Bans of the address itself or of any prefix holding it. */
static void show_bans(struct explain *e)
{
	struct fs_key k, prev;
	struct fs_ban b;
	char cidr[FS_CIDR_STRLEN], exp[32];
	const char *sep = "";
	void *p = NULL;
	int n = 0;

	field_start(e, "bans");
	if (e->ctx->json)
		printf("[");
	while (bpf_map_get_next_key(e->m.bans, p, &k) == 0) {
		prev = k;
		p = &prev;
		if (!in_prefix(e->addr, k.addr, k.plen) ||
		    bpf_map_lookup_elem(e->m.bans, &k, &b))
			continue;
		fs_cidr_format(k.addr, k.plen, cidr, sizeof(cidr));
		fs_fmt_expiry(b.expires_ns, e->now, exp, sizeof(exp));
		if (b.expires_ns > e->now && !e->verdict)
			e->verdict = "dropped: banned";
		if (e->ctx->json)
			printf("%s{\"cidr\":\"%s\",\"reason\":\"%s\",\"count\":"
			       "%u,"
			       "\"expires\":\"%s\"}",
			       sep, cidr, fs_ban_reason_name(b.reason), b.count,
			       exp);
		else
			printf("%s%s %s, ban #%u, expires %s\n",
			       n ? "           " : "", cidr,
			       fs_ban_reason_name(b.reason), b.count, exp);
		sep = ",";
		n++;
	}
	if (e->ctx->json)
		printf("]");
	else if (!n)
		printf("none\n");
}

/* Tokens left in a GCRA bucket: (tolerance - (tat - now)) / interval + 1,
 * between 0 and burst. */
static unsigned tokens(const struct fs_rate *r, const struct fs_bucket_val *v,
		       unsigned long long now)
{
	long long ahead = v->tat_ns > now ? (long long)(v->tat_ns - now) : 0;
	long long left = (long long)r->tolerance_ns - ahead;

	if (left < 0 || !r->interval_ns)
		return 0;
	return left / r->interval_ns + 1 > r->burst ? r->burst
						    : left / r->interval_ns + 1;
}

/* One bucket of the address (or its prefix), if in use. */
static bool show_bucket(struct explain *e, const char *name, unsigned plen,
			enum fs_bucket b, const struct fs_rate *r)
{
	struct fs_key k = {.plen = plen, .bucket = b};
	struct fs_bucket_val v;
	char cidr[FS_CIDR_STRLEN];

	for (unsigned i = 0; i < 16; i++) {
		unsigned bits = plen > i * 8 ? plen - i * 8 : 0;

		k.addr[i] = bits >= 8 ? e->addr[i]
				      : e->addr[i] & (0xff00 >> bits);
	}
	if (!r->rate || fs_rate_lookup(e->m.rate, e->m.hkey, &k, &v))
		return false;
	fs_cidr_format(k.addr, plen, cidr, sizeof(cidr));
	if (e->ctx->json) {
		printf("%s{\"bucket\":\"%s\",\"key\":\"%s\",\"tokens\":%u,"
		       "\"burst\":%u,"
		       "\"over\":%u}",
		       e->sep, name, cidr, tokens(r, &v, e->now), r->burst,
		       v.over);
		e->sep = ",";
	} else {
		printf("%s%-20s %-22s %u/%u tokens, %u over-rate\n",
		       e->rows++ ? "           " : "", name, cidr,
		       tokens(r, &v, e->now), r->burst, v.over);
	}
	return true;
}

static void show_rates(struct explain *e)
{
	const char *outer = e->sep;
	bool v4 = e->addr[10] == 0xff && e->addr[11] == 0xff &&
		  !memcmp(e->addr, "\0\0\0\0\0\0\0\0\0\0", 10);
	unsigned pfx = v4 ? FS_V4_MAPPED_PLEN + e->cfg.v4_prefix
			  : e->cfg.v6_prefix;
	char name[32];

	field_start(e, "rates");
	if (e->ctx->json)
		printf("[");
	e->sep = "";
	e->rows = 0;
	for (enum fs_bucket b = 0; b < FS_B_MAX; b++) {
		const struct fs_limit *l = &e->cfg.limits[b];
		const char *bn = fs_bucket_name(b);

		if (!bn) /* the events bucket: not per source */
			continue;
		snprintf(name, sizeof(name), "%s.src", bn);
		show_bucket(e, name, 128, b, &l->src);
		snprintf(name, sizeof(name), "%s.prefix", bn);
		if (pfx != 128)
			show_bucket(e, name, pfx, b, &l->prefix);
	}
	if (e->ctx->json)
		printf("]");
	else if (!e->rows)
		printf("no bucket in use (not seen lately)\n");
	e->sep = outer;
}

static void show_dns(struct explain *e)
{
	struct fs_dns_val v;
	const char *reason;
	char exp[32], name[FS_ESC_LEN(FS_NAME_LEN)],
		ehlo[FS_ESC_LEN(FS_NAME_LEN)];
	unsigned long long age;
	size_t ehlo_len;

	field_start(e, "dns");
	if (bpf_map_lookup_elem(e->m.dns, e->addr, &v)) {
		printf(e->ctx->json ? "null"
				    : "not verified yet (unverified class)\n");
		return;
	}
	v.name[FS_NAME_LEN - 1] = '\0';
	/* the EHLO argument as captured: any byte but CR, LF and space,
	 * NUL included (bpf/smtp.bpf.h) */
	ehlo_len = fs_field_len(v.ehlo, FS_NAME_LEN);
	age = v.checked_ns && v.checked_ns < e->now
		      ? (e->now - v.checked_ns) / NSEC_PER_SEC
		      : 0;
	fs_fmt_expiry(v.expires_ns, e->now, exp, sizeof(exp));
	/* an EHLO seen, its verification not back yet */
	reason = v.checked_ns ? fs_dns_reason_name(v.reason) : "pending";
	if (e->ctx->json) {
		printf("{\"class\":\"%s\",\"reason\":\"%s\",\"age_s\":%llu,"
		       "\"expires\":\"%s\",\"name\":",
		       fs_dns_class_name(v.class), reason, age, exp);
		json_str(stdout, v.name);
		printf(",\"ehlo\":");
		json_strn(stdout, v.ehlo, ehlo_len);
		printf("}");
	} else {
		printf("%s (%s), name %s, checked %llus ago, valid %s\n",
		       fs_dns_class_name(v.class), reason,
		       *v.name ? fs_text_esc(v.name, name, sizeof(name)) : "-",
		       age, exp);
		printf("%-10s %s\n", "ehlo",
		       ehlo_len ? fs_text_escn(v.ehlo, ehlo_len, ehlo,
					       sizeof(ehlo))
				: "-");
	}
}

/* Whether the SYN path treats the address as proven (fs_proven within
 * syn.proven_ttl of its last proof, or DNS-verified), since when. */
static void show_proven(struct explain *e)
{
	struct fs_proven_slot p;
	struct fs_dns_val d;
	bool live, dns;
	int err;

	field_start(e, "proven");
	err = fs_proven_lookup(e->m.proven, e->m.hkey, e->addr, &p);
	live = !err && p.last_ns + e->cfg.proven_ttl_ns > e->now;
	dns = !bpf_map_lookup_elem(e->m.dns, e->addr, &d) &&
	      d.class == FS_DNS_VERIFIED &&
	      (!d.expires_ns || e->now < d.expires_ns);
	if (e->ctx->json) {
		printf("{\"proven\":%s,\"dns_verified\":%s",
		       live || dns ? "true" : "false", dns ? "true" : "false");
		if (!err)
			printf(",\"first_proof_age_s\":%llu,\"last_proof_age_"
			       "s\":%llu",
			       p.proven_ns < e->now
				       ? (e->now - p.proven_ns) / NSEC_PER_SEC
				       : 0,
			       p.last_ns < e->now
				       ? (e->now - p.last_ns) / NSEC_PER_SEC
				       : 0);
		printf("}");
	} else if (live) {
		printf("yes: first proof %llus ago, last %llus ago "
		       "(syn.proven_ttl %llus)\n",
		       p.proven_ns < e->now
			       ? (e->now - p.proven_ns) / NSEC_PER_SEC
			       : 0,
		       p.last_ns < e->now ? (e->now - p.last_ns) / NSEC_PER_SEC
					  : 0,
		       (unsigned long long)(e->cfg.proven_ttl_ns /
					    NSEC_PER_SEC));
	} else if (dns) {
		printf("yes: DNS-verified\n");
	} else {
		printf("no%s: over its SYN bucket or under pressure, its SYNs "
		       "get a cookie\n",
		       err ? "" : " (its proof expired)");
	}
}

struct explain_args {
	struct fs_arg_addr addr;
};

static int do_explain(struct fs_ctx *ctx, void *args)
{
	const struct fs_arg_addr *a = &((struct explain_args *)args)->addr;
	struct explain e = {.ctx = ctx, .sep = ""};
	__u32 zero = 0;

	memcpy(e.addr, a->key.addr, sizeof(e.addr));
	if (fs_maps_open_all(ctx->pin_dir, &e.m))
		return EXIT_FAIL;
	e.now = fs_mono_ns();
	bpf_map_lookup_elem(e.m.cfg, &zero, &e.cfg);
	if (ctx->json)
		printf("{\"address\":\"%s\",", a->text);
	else
		printf("%-10s %s\n", "address", a->text);
	show_list(&e, "allow", e.m.allow, false);
	show_list(&e, "block", e.m.block, true);
	show_bans(&e);
	show_rates(&e);
	show_proven(&e);
	show_dns(&e);
	if (!e.verdict)
		e.verdict = "policed: lists do not decide; rates and "
			    "inspection apply";
	if (ctx->json)
		printf(",\"verdict\":\"%s\"}\n", e.verdict);
	else
		printf("%-10s %s\n", "verdict", e.verdict);
	fs_maps_close_all(&e.m);
	return 0;
}

static const struct fs_opt explain_opts[] = {FS_POS(FS_T_ADDR, "ADDR", 1, 1,
						    struct explain_args, addr,
						    .help = "one IPv4 or IPv6 "
							    "address"),
					     FS_OPT_END};

const struct fs_cmd fs_cmd_explain =
	FS_CMD("explain", do_explain, struct explain_args, explain_opts, NULL,
	       "why ADDR is treated as it is");
