// SPDX-License-Identifier: GPL-2.0
#define _GNU_SOURCE /* ppoll */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "../../loader/addr.h"
#include "../../loader/util.h"
#include "dns.h"
#include "../../loader/log.h"
#include "../../loader/names.h"
#include "trust.h"
#include "verifier.h"
#include "../../loader/lists.h"

#define LOG_BURST     10 /* verification lines per LOG_WINDOW_S */
#define LOG_WINDOW_S  10
#define REFRESH_AHEAD 0.8  /* refresh allow_name at 80% of its TTL */
#define TEMP_RETRIES  3	   /* verifications again after a tempfail */
#define TEMP_PENDING  1024 /* sources waiting for such a retry */

/* A source whose verification ended in a tempfail, to verify again
 * (docs/smtp.md, DNS classes: bounded retries). */
struct temp_retry {
	__u8 addr[16];
	unsigned long long due_ns; /* 0: a free slot */
	unsigned tries;		   /* retries made so far */
};

struct name_state {
	char name[FS_CONF_NAME_LEN];
	unsigned long long due_ns; /* next resolution */
	bool pending;
};

struct fs_verifier {
	const struct fs_map_fds *m;
	struct fs_dns *dns;
	struct ring_buffer *rb;
	/* from the configuration */
	bool verify_smtp;
	unsigned ttl_cap_s, retry_s;
	char (*domains)[FS_CONF_NAME_LEN * 2 * FS_CONF_DNS_MAX];
	struct fs_trust trust; /* points into domains */
	struct name_state *names;
	int n_names;
	struct temp_retry temp[TEMP_PENDING];
	/* log rate limit */
	unsigned long long window_start;
	unsigned logged, suppressed;
};

/* Verification log lines, at most LOG_BURST per LOG_WINDOW_S. */
static bool log_allowed(struct fs_verifier *v)
{
	unsigned long long now = fs_mono_ns();

	if (now - v->window_start > LOG_WINDOW_S * NSEC_PER_SEC) {
		if (v->suppressed)
			pr_info("dns: %u more verifications not logged\n",
				v->suppressed);
		v->window_start = now;
		v->logged = v->suppressed = 0;
	}
	if (v->logged < LOG_BURST) {
		v->logged++;
		return true;
	}
	v->suppressed++;
	return false;
}

/* Allowlist @addr for @ttl seconds (origin dns). An entry of the same
 * address from the config or the CLI is left as it is. */
static void allowlist(struct fs_verifier *v, const __u8 addr[16], unsigned ttl,
		      const char *why)
{
	struct fs_lpm_key k = {.prefixlen = 128};
	struct fs_list_val val = {.origin = FS_ORIGIN_DNS}, cur;

	memcpy(k.addr, addr, 16);
	val.expires_ns = fs_mono_ns() + (unsigned long long)ttl * NSEC_PER_SEC;
	snprintf(val.note, sizeof(val.note), "%s", why);
	int err = fs_list_put(v->m, FS_FILTER_ALLOW, &k, &val, BPF_NOEXIST);

	/* it exists: an LPM lookup of a present key finds that key */
	if (err == -EEXIST && bpf_map_lookup_elem(v->m->allow, &k, &cur) == 0 &&
	    cur.origin == FS_ORIGIN_DNS)
		err = fs_list_put(v->m, FS_FILTER_ALLOW, &k, &val, BPF_EXIST);
	if (err && err != -EEXIST)
		pr_warn_code(err, "dns: cannot allowlist (until the next sweep "
				  "if it is in the map)");
}

/* The retry slot of @addr, else (with @take) a free one, else NULL. */
static struct temp_retry *temp_slot(struct fs_verifier *v, const __u8 *addr,
				    bool take)
{
	struct temp_retry *free_slot = NULL;

	for (int i = 0; i < TEMP_PENDING; i++) {
		struct temp_retry *t = &v->temp[i];

		if (t->due_ns && !memcmp(t->addr, addr, 16))
			return t;
		if (!t->due_ns && !free_slot)
			free_slot = t;
	}
	return take ? free_slot : NULL;
}

/* After a verdict for @r: a tempfail is verified again after its retry
 * delay (the DNS cache's backoff), at most TEMP_RETRIES times; any
 * other outcome ends the retries. A source past its retries keeps its
 * tempfail verdict until it expires, and its next first contact starts
 * again. When the table is full, a tempfail is not retried (said in
 * the log). */
static void temp_track(struct fs_verifier *v, const struct fs_fcrdns *r)
{
	struct temp_retry *t =
		temp_slot(v, r->addr, r->outcome == FS_DNS_TEMPFAIL);

	if (r->outcome != FS_DNS_TEMPFAIL) {
		if (t)
			t->due_ns = 0;
		return;
	}
	if (!t) {
		if (log_allowed(v))
			pr_warn("dns: %d sources wait for a retry: a tempfail "
				"not retried\n",
				TEMP_PENDING);
		return;
	}
	if (!t->due_ns) {
		memcpy(t->addr, r->addr, 16);
		t->tries = 0;
	} else if (++t->tries >= TEMP_RETRIES) {
		t->due_ns = 0;
		return;
	}
	t->due_ns = fs_mono_ns() +
		    (unsigned long long)(r->ttl ? r->ttl : 1) * NSEC_PER_SEC;
}

static void store_verdict(struct fs_verifier *v, const struct fs_fcrdns *r,
			  enum fs_dns_class c, enum fs_dns_reason why)
{
	struct fs_dns_val val = {};
	unsigned long long now = fs_mono_ns();
	unsigned ttl = r->outcome == FS_DNS_TEMPFAIL ? v->retry_s : r->ttl;
	int err;

	bpf_map_lookup_elem(v->m->dns, r->addr, &val); /* keeps the EHLO */
	val.class = c;
	val.reason = why;
	val.checked_ns = now;
	val.expires_ns =
		now + (unsigned long long)(ttl ? ttl : 1) * NSEC_PER_SEC;
	snprintf(val.name, sizeof(val.name), "%.*s", (int)sizeof(val.name) - 1,
		 r->name);
	err = fs_list_put(v->m, FS_FILTER_DNS, r->addr, &val, BPF_ANY);
	if (err)
		pr_warn_code(err, "dns: cannot store a verdict");
}

static void on_fcrdns(void *arg, const struct fs_fcrdns *r)
{
	struct fs_verifier *v = arg;
	struct fs_trust_verdict t;
	char addr[FS_CIDR_STRLEN], name[FS_ESC_LEN(FS_DNS_NAME_MAX)];
	const char *dom;

	fs_trust_judge(&v->trust, r, &t);
	store_verdict(v, r, t.cls, t.reason);
	if (!r->cached)
		temp_track(v, r);
	dom = t.allow_domain;
	if (dom)
		allowlist(v, r->addr,
			  r->ttl < v->ttl_cap_s ? r->ttl : v->ttl_cap_s,
			  r->name);
	if (r->cached || !log_allowed(v))
		return;
	fs_cidr_format(r->addr, 128, addr, sizeof(addr));
	pr_info("dns: %s %s (%s) %s%s%s\n", addr, fs_dns_class_name(t.cls),
		fs_dns_reason_name(t.reason),
		*r->name ? fs_text_esc(r->name, name, sizeof(name)) : "-",
		dom ? ", allowlisted under " : "", dom ? dom : "");
}

/* EHLO: remember the name, verify the source. */
static void on_ehlo(struct fs_verifier *v, const struct fs_event_rec *e)
{
	struct fs_dns_val val = {};
	size_t n = e->name_len < FS_NAME_LEN ? e->name_len : FS_NAME_LEN - 1;

	if (bpf_map_lookup_elem(v->m->dns, e->addr, &val)) {
		val.class = FS_DNS_UNVERIFIED;
		val.expires_ns = fs_mono_ns() +
				 (unsigned long long)v->retry_s * NSEC_PER_SEC;
	}
	memset(val.ehlo, 0, sizeof(val.ehlo));
	memcpy(val.ehlo, e->name, n);
	if (fs_list_put(v->m, FS_FILTER_DNS, e->addr, &val, BPF_ANY))
		pr_warn("dns: cannot store an EHLO name\n");
	if (v->verify_smtp)
		fs_dns_fcrdns(v->dns, e->addr, NULL, false, on_fcrdns, v);
}

/* Whether @val, expired at @now, is a `verified` verdict the program
 * still serves stale (bpf/proven.bpf.h fs_dns_class_at()). */
static bool stale_verified(const struct fs_dns_val *val, unsigned long long now)
{
	return val->class == FS_DNS_VERIFIED &&
	       now < val->expires_ns + FS_DNS_STALE_NS;
}

/* A first contact (the handshake of a source without a live verdict):
 * a pending verdict at once (for `retry`), so that the program reports
 * the source no more, then its verification. The pending verdict is
 * unverified, except for a `verified` one served stale: that keeps its
 * class (and names) until the new verdict replaces it, so that a
 * verified sender is never refused for the open pool while its check
 * runs. */
static void on_contact(struct fs_verifier *v, const struct fs_event_rec *e)
{
	struct fs_dns_val val = {};
	unsigned long long now = fs_mono_ns();

	if (bpf_map_lookup_elem(v->m->dns, e->addr, &val) == 0) {
		if (!val.expires_ns || val.expires_ns > now)
			return; /* a verdict came meanwhile */
		if (!stale_verified(&val, now))
			memset(&val, 0, sizeof(val));
	}
	if (val.class != FS_DNS_VERIFIED) { /* not kept stale */
		val.class = FS_DNS_UNVERIFIED;
		val.checked_ns = now;
	}
	val.expires_ns = now + (unsigned long long)v->retry_s * NSEC_PER_SEC;
	if (fs_list_put(v->m, FS_FILTER_DNS, e->addr, &val, BPF_ANY))
		pr_warn("dns: cannot store a pending verdict\n");
	if (v->verify_smtp)
		fs_dns_fcrdns(v->dns, e->addr, NULL, false, on_fcrdns, v);
}

/* Verify again the tempfail sources whose retry is due. */
static void temp_retry_due(struct fs_verifier *v)
{
	unsigned long long now = fs_mono_ns();

	for (int i = 0; i < TEMP_PENDING; i++) {
		struct temp_retry *t = &v->temp[i];

		if (t->due_ns && t->due_ns <= now) {
			t->due_ns = now + NSEC_PER_SEC; /* until it answers */
			fs_dns_fcrdns(v->dns, t->addr, NULL, false, on_fcrdns,
				      v);
		}
	}
}

static int on_event(void *ctx, void *data, size_t len)
{
	struct fs_verifier *v = ctx;
	const struct fs_event_rec *e = data;

	if (len < sizeof(*e))
		return 0;
	if (e->type == FS_EV_EHLO)
		on_ehlo(v, e);
	else if (e->type == FS_EV_CONTACT)
		on_contact(v, e);
	else if (e->type == FS_EV_SOURCE && v->trust.n_allow)
		fs_dns_fcrdns(v->dns, e->addr, NULL, false, on_fcrdns, v);
	return 0;
}

/* allow_name answers: allowlist every address for its TTL; refresh at
 * REFRESH_AHEAD of it, so the entries never lapse while DNS answers. */
static void on_resolved(void *arg, const char *name, int n,
			const __u8 (*addrs)[16], unsigned ttl,
			enum fs_dns_outcome outcome)
{
	struct fs_verifier *v = arg;
	unsigned cap = ttl < v->ttl_cap_s ? ttl : v->ttl_cap_s;
	unsigned long long now = fs_mono_ns();

	for (int i = 0; i < v->n_names; i++) {
		struct name_state *s = &v->names[i];

		if (strcasecmp(s->name, name))
			continue;
		s->pending = false;
		s->due_ns =
			now +
			(unsigned long long)(outcome == FS_DNS_PASS && cap
						     ? cap * REFRESH_AHEAD + 1
						     : v->retry_s) *
				NSEC_PER_SEC;
	}
	if (outcome != FS_DNS_PASS) {
		if (log_allowed(v))
			pr_warn("dns: allow_name %s: %s; entries kept until "
				"they "
				"expire, retrying\n",
				name, fs_dns_outcome_name(outcome));
		return;
	}
	for (int i = 0; i < n; i++)
		allowlist(v, addrs[i], cap ? cap : 1, name);
}

static void refresh_names(struct fs_verifier *v)
{
	unsigned long long now = fs_mono_ns();

	for (int i = 0; i < v->n_names; i++) {
		struct name_state *s = &v->names[i];

		if (s->pending || s->due_ns > now)
			continue;
		s->pending = true;
		if (fs_dns_resolve(v->dns, s->name, on_resolved, v))
			s->pending = false;
	}
}

void fs_verifier_reconf(struct fs_verifier *v, const struct fs_conf *c)
{
	char(*allow)[FS_CONF_NAME_LEN], (*ptr)[FS_CONF_NAME_LEN];

	free(v->domains);
	free(v->names);
	memset(&v->trust, 0, sizeof(v->trust));
	v->verify_smtp = c->dns_verify_smtp;
	v->ttl_cap_s = c->dns_ttl_cap_s;
	v->retry_s = c->dns_retry_s;
	v->domains = calloc(1, sizeof(*v->domains));
	v->n_names = c->n_allow_names;
	v->names = calloc(c->n_allow_names + 1, sizeof(*v->names));
	if (!v->domains || !v->names) {
		v->n_names = 0;
		return;
	}
	/* a copy: the configuration is freed after a reload */
	allow = (void *)v->domains;
	ptr = allow + FS_CONF_DNS_MAX;
	memcpy(allow, c->allow_domains, sizeof(c->allow_domains));
	memcpy(ptr, c->ptr_only_domains, sizeof(c->ptr_only_domains));
	v->trust = (struct fs_trust){
		.weak = c->dns_weak,
		.allow = allow,
		.n_allow = c->n_allow_domains,
		.ptr_only = ptr,
		.n_ptr_only = c->n_ptr_only_domains,
	};
	for (int i = 0; i < c->n_allow_names; i++)
		snprintf(v->names[i].name, sizeof(v->names[i].name), "%s",
			 c->allow_names[i]);
}

struct fs_verifier *fs_verifier_new(const struct fs_conf *c,
				    const struct fs_map_fds *m)
{
	struct fs_dns_opts o = {
		.resolver = *c->dns_resolver ? c->dns_resolver : NULL,
		.timeout_ms = c->dns_timeout_ms,
		.ttl_cap_s = c->dns_ttl_cap_s,
		.tempfail_retry_s = c->dns_retry_s,
	};
	struct fs_verifier *v = calloc(1, sizeof(*v));
	char err[256];

	if (!v)
		return NULL;
	v->m = m;
	v->dns = fs_dns_new(&o, err, sizeof(err));
	if (!v->dns) {
		pr_err("dns: %s\n", err);
		free(v);
		return NULL;
	}
	v->rb = ring_buffer__new(m->ring, on_event, v, NULL);
	if (!v->rb) {
		pr_err_errno("dns: cannot read the event ring");
		fs_verifier_free(v);
		return NULL;
	}
	fs_verifier_reconf(v, c);
	return v;
}

void fs_verifier_free(struct fs_verifier *v)
{
	if (!v)
		return;
	ring_buffer__free(v->rb);
	fs_dns_free(v->dns);
	free(v->domains);
	free(v->names);
	free(v);
}

void fs_verifier_poll(struct fs_verifier *v, int timeout_ms,
		      const sigset_t *sigmask, int wake_fd)
{
	struct pollfd fds[3] = {
		{.fd = ring_buffer__epoll_fd(v->rb), .events = POLLIN},
		{.fd = fs_dns_fd(v->dns), .events = POLLIN},
		{.fd = wake_fd, .events = POLLIN}, /* < 0: ignored */
	};
	struct timespec ts = {timeout_ms / 1000,
			      (timeout_ms % 1000) * 1000000L};

	refresh_names(v);
	temp_retry_due(v);
	if (ppoll(fds, 3, &ts, sigmask) < 0 && errno != EINTR)
		pr_warn_errno("dns: poll");
	ring_buffer__consume(v->rb);
	fs_dns_process(v->dns);
}
