// SPDX-License-Identifier: GPL-2.0
/*
 * FCrDNS and forward resolution over libunbound's asynchronous API
 * (ub_resolve_async, ub_fd, ub_process, ub_cancel). Nothing here blocks:
 * fs_dns_wait() is the only loop, for the CLI.
 *
 * One verification is a job: the PTR query of the reverse name, then A
 * and AAAA of each PTR name (at most FS_DNS_PTR_MAX), all in flight at
 * once. Requests for an address already in flight join its job. The job
 * records what DNS said (struct fcr_data); the verdict is computed from
 * that record per request (suffix, weak), so one cache entry serves
 * every policy.
 *
 * Every answer is checked before use: rcode, record type and rdata
 * length (A 4, AAAA 16), PTR names parsed label by label with their
 * bounds. What does not validate is ignored. SERVFAIL, REFUSED, any
 * other rcode, a resolver error or no answer in time is a temporary
 * failure, never a negative answer: such a result is kept only as a
 * retry backoff (tempfail_retry_s, doubling up to RETRY_MAX_S).
 *
 * libunbound runs in thread mode: its fork mode would give the worker
 * a copy of every descriptor of the daemon (BPF maps, sockets). The
 * daemon drops its capabilities before it starts the first query.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unbound.h>
#include "../../loader/util.h"
#include "dns.h"
#include "../../loader/log.h"

#define NS_PER_MS 1000000ull

#define DEF_TIMEOUT_MS 5000
#define DEF_TTL_CAP_S  3600
#define DEF_RETRY_S    5
#define RETRY_MAX_S    300 /* backoff cap (or tempfail_retry_s if larger) */

#define CACHE_BUCKETS 1024
#define CACHE_MAX     4096 /* entries; about 4 KB each */

#define RR_A	       1
#define RR_PTR	       12
#define RR_AAAA	       28
#define CLASS_IN       1
#define RCODE_NOERROR  0
#define RCODE_NXDOMAIN 3

/* Query slots of a job: 0 the PTR, then A and AAAA of PTR name i at
 * SLOT_A(i) and SLOT_AAAA(i). fs_dns_resolve uses name 0's pair. */
#define N_SLOTS	     (1 + 2 * FS_DNS_PTR_MAX)
#define SLOT_PTR     0
#define SLOT_A(i)    (1 + 2 * (i))
#define SLOT_AAAA(i) (2 + 2 * (i))
#define SLOT_NAME(s) (((s)-1) / 2)

/* What DNS said about one address (or one name, for resolve). */
struct fcr_data {
	struct fs_fcrdns steps;	       /* addr, PTR names, forward lookups */
	bool confirms[FS_DNS_PTR_MAX]; /* name i's records hold addr */
	enum fs_dns_reason tempfail;   /* FS_DNSR_OK: every answer came */
	unsigned ttl;		       /* smallest TTL of the answers, s */
};

struct query {
	struct job *job;
	int slot;
	int id; /* libunbound's async_id */
	bool live;
};

struct waiter {
	struct waiter *next;
	fs_fcrdns_cb cb;
	void *arg;
	bool weak;
	bool has_suffix;
	char suffix[FS_DNS_NAME_MAX];
};

struct job {
	struct job *next;
	struct fs_dns *d;
	bool resolve; /* fs_dns_resolve, else FCrDNS */
	unsigned long long deadline_ns;
	int pending; /* live queries */
	struct query q[N_SLOTS];
	struct fcr_data data;
	unsigned prev_retry_s;	/* backoff of the tempfail before */
	struct waiter *waiters; /* FCrDNS */
	fs_resolve_cb rcb;	/* resolve */
	void *rarg;
	int n_fam[2]; /* A, AAAA */
	__u8 fam[2][FS_DNS_ADDR_MAX][16];
};

struct entry {
	struct entry *next;
	struct fcr_data data;
	unsigned long long expires_ns;
	unsigned retry_s; /* tempfail entries: current backoff */
};

struct fs_dns {
	struct ub_ctx *ub;
	struct fs_dns_opts o;
	struct job *jobs;
	struct entry *cache[CACHE_BUCKETS];
	unsigned n_cache;
	struct fs_dns_stats st;
};

static unsigned long long now_ns(const struct fs_dns *d)
{
	return d->o.clock_ns ? d->o.clock_ns() : fs_mono_ns();
}

static const __u8 v4_prefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

static bool is_v4(const __u8 a[16])
{
	return !memcmp(a, v4_prefix, sizeof(v4_prefix));
}

static void addr_text(const __u8 a[16], char *buf, size_t len)
{
	if (is_v4(a))
		inet_ntop(AF_INET, a + 12, buf, len);
	else
		inet_ntop(AF_INET6, a, buf, len);
}

static unsigned min_u(unsigned a, unsigned b)
{
	return a < b ? a : b;
}

static enum fs_dns_outcome reason_outcome(enum fs_dns_reason r)
{
	if (r == FS_DNSR_OK || r == FS_DNSR_WEAK)
		return FS_DNS_PASS;
	if (r == FS_DNSR_TIMEOUT || r == FS_DNSR_SERVFAIL)
		return FS_DNS_TEMPFAIL;
	return FS_DNS_FAIL;
}

/* ---------------------------------------------------------------- */
/* Names */

int fs_dns_reverse_name(const __u8 a[16], char *buf, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	size_t o = 0;

	if (is_v4(a))
		return snprintf(buf, len, "%u.%u.%u.%u.in-addr.arpa", a[15],
				a[14], a[13], a[12]) < (int)len
			       ? 0
			       : -1;
	if (len < 16 * 4 + sizeof("ip6.arpa"))
		return -1;
	for (int i = 15; i >= 0; i--) {
		buf[o++] = hex[a[i] & 0xf];
		buf[o++] = '.';
		buf[o++] = hex[a[i] >> 4];
		buf[o++] = '.';
	}
	strcpy(buf + o, "ip6.arpa");
	return 0;
}

static bool plain_char(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '-' || c == '_';
}

/* One wire-format name that is exactly @len bytes (PTR rdata) into
 * text without the final dot, other bytes as \DDD. -1 if malformed or
 * longer than @outlen. */
static int wire_name(const unsigned char *p, size_t len, char *out,
		     size_t outlen)
{
	size_t i = 0, o = 0;

	while (i < len) {
		unsigned l = p[i++];

		if (l == 0) {
			if (!o)
				out[o++] = '.';
			out[o] = '\0';
			return i == len ? 0 : -1;
		}
		if (l > 63 || i + l > len)
			return -1;
		if (o) {
			if (o + 1 >= outlen)
				return -1;
			out[o++] = '.';
		}
		for (; l; l--, i++) {
			if (o + 5 > outlen)
				return -1;
			if (plain_char(p[i]))
				out[o++] = p[i];
			else
				o += sprintf(out + o, "\\%03u", p[i]);
		}
	}
	return -1;
}

/* Whether @name is @suffix or ends with "." @suffix; case-insensitive,
 * a leading dot of @suffix and final dots ignored. NULL: any name. */
static bool under_suffix(const char *name, const char *suffix)
{
	size_t nl = strlen(name), sl;

	if (!suffix)
		return true;
	if (*suffix == '.')
		suffix++;
	sl = strlen(suffix);
	while (nl && name[nl - 1] == '.')
		nl--;
	while (sl && suffix[sl - 1] == '.')
		sl--;
	if (!sl)
		return true;
	if (sl > nl || strncasecmp(name + nl - sl, suffix, sl))
		return false;
	return nl == sl || name[nl - sl - 1] == '.';
}

/* ---------------------------------------------------------------- */
/* Verdicts: a pure function of what DNS said and the policy. */

static bool no_forward(const struct fs_dns_fwd *f)
{
	return !f->tempfail && f->n_addr == 0;
}

/* The reason, and in *@name the PTR name it is about (-1: none).
 * Order: a confirmed name under the suffix passes; then weak; a missing
 * answer then makes it a tempfail, since it might have confirmed; only
 * then the failures. */
static enum fs_dns_reason verdict(const struct fcr_data *dd, const char *suffix,
				  bool weak, int *name)
{
	const struct fs_fcrdns *s = &dd->steps;
	int i;

	*name = s->n_ptr ? 0 : -1;
	if (!s->n_ptr)
		return dd->tempfail ? dd->tempfail : FS_DNSR_NO_PTR;
	for (i = 0; i < s->n_ptr; i++)
		if (dd->confirms[i] && under_suffix(s->ptr[i], suffix)) {
			*name = i;
			return FS_DNSR_OK;
		}
	for (i = 0; weak && suffix && i < s->n_ptr; i++)
		if (no_forward(&s->fwd[i]) && under_suffix(s->ptr[i], suffix)) {
			*name = i;
			return FS_DNSR_WEAK;
		}
	if (dd->tempfail) {
		for (i = 0; i < s->n_ptr && !s->fwd[i].tempfail; i++)
			;
		*name = i < s->n_ptr ? i : -1;
		return dd->tempfail;
	}
	for (i = 0; i < s->n_ptr; i++)
		if (dd->confirms[i]) {
			*name = i;
			return FS_DNSR_OUTSIDE_SUFFIX;
		}
	for (i = 0; i < s->n_ptr; i++)
		if (s->fwd[i].n_addr) {
			*name = i;
			return FS_DNSR_MISMATCH;
		}
	return FS_DNSR_NO_FORWARD;
}

static void judge(const struct fcr_data *dd, const char *suffix, bool weak,
		  struct fs_fcrdns *r)
{
	int name;

	*r = dd->steps;
	r->reason = verdict(dd, suffix, weak, &name);
	r->outcome = reason_outcome(r->reason);
	if (name >= 0)
		strcpy(r->name, r->ptr[name]);
	else
		r->name[0] = '\0';
}

/* ---------------------------------------------------------------- */
/* Cache: entries by address, expired ones swept when it fills up. */

static unsigned cache_hash(const __u8 a[16])
{
	unsigned h = 2166136261u;

	for (int i = 0; i < 16; i++)
		h = (h ^ a[i]) * 16777619u;
	return h % CACHE_BUCKETS;
}

static struct entry *cache_find(struct fs_dns *d, const __u8 a[16])
{
	struct entry *e = d->cache[cache_hash(a)];

	while (e && memcmp(e->data.steps.addr, a, 16))
		e = e->next;
	return e;
}

/* Drop entries past their expiry; tempfail entries are kept RETRY_MAX_S
 * longer, to remember their backoff. */
static void cache_sweep(struct fs_dns *d, unsigned long long now)
{
	for (int b = 0; b < CACHE_BUCKETS; b++) {
		struct entry **pe = &d->cache[b];

		while (*pe) {
			struct entry *e = *pe;
			unsigned long long keep =
				e->data.tempfail ? RETRY_MAX_S * NSEC_PER_SEC
						 : 0;

			if (e->expires_ns + keep > now) {
				pe = &e->next;
				continue;
			}
			*pe = e->next;
			free(e);
			d->n_cache--;
		}
	}
}

static struct entry *cache_get(struct fs_dns *d, const __u8 a[16],
			       unsigned long long now)
{
	struct entry *e = cache_find(d, a);
	unsigned b = cache_hash(a);

	if (e)
		return e;
	if (d->n_cache >= CACHE_MAX)
		cache_sweep(d, now);
	if (d->n_cache >= CACHE_MAX) {
		pr_debug("dns: cache full (%u entries): result not kept\n",
			 d->n_cache);
		return NULL;
	}
	e = calloc(1, sizeof(*e));
	if (!e)
		return NULL;
	e->next = d->cache[b];
	d->cache[b] = e;
	d->n_cache++;
	return e;
}

static void cache_drop(struct fs_dns *d, const __u8 a[16])
{
	struct entry **pe = &d->cache[cache_hash(a)];

	while (*pe && memcmp((*pe)->data.steps.addr, a, 16))
		pe = &(*pe)->next;
	if (*pe) {
		struct entry *e = *pe;

		*pe = e->next;
		free(e);
		d->n_cache--;
	}
}

static unsigned next_retry_s(const struct fs_dns *d, unsigned prev)
{
	unsigned first = d->o.tempfail_retry_s;
	unsigned cap = first > RETRY_MAX_S ? first : RETRY_MAX_S;

	if (!prev)
		return first;
	return prev >= cap / 2 ? cap : prev * 2;
}

/* Keep a finished FCrDNS job's record; returns the TTL to report. */
static unsigned cache_store(struct fs_dns *d, struct job *j)
{
	unsigned long long now = now_ns(d);
	unsigned ttl, retry = 0;
	struct entry *e;

	if (j->data.tempfail) {
		ttl = retry = next_retry_s(d, j->prev_retry_s);
	} else {
		ttl = min_u(j->data.ttl, d->o.ttl_cap_s);
		if (!ttl) {
			cache_drop(d, j->data.steps.addr);
			return 0;
		}
	}
	e = cache_get(d, j->data.steps.addr, now);
	if (e) {
		e->data = j->data;
		e->expires_ns = now + ttl * NSEC_PER_SEC;
		e->retry_s = retry;
	}
	return ttl;
}

/* ---------------------------------------------------------------- */
/* Results */

static void deliver(struct fs_dns *d, const struct fcr_data *dd,
		    const struct waiter *w, unsigned ttl, bool cached)
{
	struct fs_fcrdns r;

	judge(dd, w->has_suffix ? w->suffix : NULL, w->weak, &r);
	r.ttl = ttl;
	r.cached = cached;
	d->st.results[r.outcome]++;
	w->cb(w->arg, &r);
}

static void unlink_job(struct fs_dns *d, struct job *j)
{
	struct job **pj = &d->jobs;

	while (*pj && *pj != j)
		pj = &(*pj)->next;
	if (*pj)
		*pj = j->next;
}

/* Addresses A first, then AAAA, whatever order the answers came in. */
static void finish_resolve(struct fs_dns *d, struct job *j)
{
	__u8 addrs[2 * FS_DNS_ADDR_MAX][16];
	enum fs_dns_outcome out = FS_DNS_FAIL;
	int n = j->n_fam[0] + j->n_fam[1];
	unsigned ttl;

	memcpy(addrs, j->fam[0], j->n_fam[0] * 16);
	memcpy(addrs + j->n_fam[0], j->fam[1], j->n_fam[1] * 16);
	if (j->data.tempfail) {
		out = FS_DNS_TEMPFAIL;
		ttl = d->o.tempfail_retry_s;
	} else {
		ttl = min_u(j->data.ttl, d->o.ttl_cap_s);
		if (n)
			out = FS_DNS_PASS;
	}
	d->st.results[out]++;
	j->rcb(j->rarg, j->data.steps.fwd[0].name, n, (const __u8(*)[16])addrs,
	       ttl, out);
}

/* Every query of @j has answered or been cancelled. The job leaves the
 * list before any callback runs, so callbacks may start new requests. */
static void job_done(struct job *j)
{
	struct fs_dns *d = j->d;
	struct waiter *w, *next;
	unsigned ttl;

	unlink_job(d, j);
	if (j->resolve) {
		finish_resolve(d, j);
	} else {
		ttl = cache_store(d, j);
		for (w = j->waiters; w; w = next) {
			next = w->next;
			deliver(d, &j->data, w, ttl, false);
			free(w);
		}
	}
	free(j);
}

/* ---------------------------------------------------------------- */
/* Answers */

static void note_tempfail(struct job *j, int slot, enum fs_dns_reason why)
{
	if (!j->data.tempfail || why == FS_DNSR_TIMEOUT)
		j->data.tempfail = why;
	if (slot != SLOT_PTR)
		j->data.steps.fwd[SLOT_NAME(slot)].tempfail = true;
}

static void ub_callback(void *arg, int err, struct ub_result *res);

static int query_start(struct job *j, int slot, const char *name, int type)
{
	struct query *q = &j->q[slot];
	int err;

	q->job = j;
	q->slot = slot;
	q->live = true;
	j->pending++;
	j->d->st.queries++;
	err = ub_resolve_async(j->d->ub, name, type, CLASS_IN, q, ub_callback,
			       &q->id);
	if (err) {
		pr_warn("dns: %s: cannot start query: %s\n", name,
			ub_strerror(err));
		q->live = false;
		j->pending--;
		note_tempfail(j, slot, FS_DNSR_SERVFAIL);
		return -1;
	}
	return 0;
}

static void start_forward(struct job *j, int i, const char *name)
{
	query_start(j, SLOT_A(i), name, RR_A);
	query_start(j, SLOT_AAAA(i), name, RR_AAAA);
}

static void on_ptr(struct job *j, const struct ub_result *res)
{
	struct fs_fcrdns *s = &j->data.steps;

	s->ptr_nxdomain = res->nxdomain;
	for (int k = 0; res->havedata && res->data[k]; k++) {
		if (s->n_ptr == FS_DNS_PTR_MAX) {
			pr_debug("dns: %s: PTR names past %d ignored\n",
				 res->qname, FS_DNS_PTR_MAX);
			break;
		}
		if (wire_name((unsigned char *)res->data[k], res->len[k],
			      s->ptr[s->n_ptr], FS_DNS_NAME_MAX)) {
			pr_debug("dns: %s: malformed PTR rdata ignored\n",
				 res->qname);
			continue;
		}
		s->n_ptr++;
	}
	for (int i = 0; i < s->n_ptr; i++) {
		strcpy(s->fwd[i].name, s->ptr[i]);
		start_forward(j, i, s->ptr[i]);
	}
}

/* One A (len 4) or AAAA (len 16) rdata of name @i. */
static void add_forward(struct job *j, int i, const void *rd, int len)
{
	struct fs_dns_fwd *f = &j->data.steps.fwd[i];
	const __u8 *a = j->data.steps.addr;
	int fam = len == 16; /* 0 A, 1 AAAA */
	__u8 b[16];

	if (len == 4) {
		memcpy(b, v4_prefix, sizeof(v4_prefix));
		memcpy(b + 12, rd, 4);
	} else {
		memcpy(b, rd, 16);
	}
	if (!j->resolve && !memcmp(a, b, 16))
		j->data.confirms[i] = true;
	if (j->resolve && j->n_fam[fam] < FS_DNS_ADDR_MAX)
		memcpy(j->fam[fam][j->n_fam[fam]++], b, 16);
	if (f->n_addr < FS_DNS_ADDR_MAX)
		addr_text(b, f->addr[f->n_addr++], sizeof(f->addr[0]));
}

static void on_forward(struct job *j, int slot, const struct ub_result *res)
{
	int want = slot == SLOT_A(SLOT_NAME(slot)) ? 4 : 16;
	int i = SLOT_NAME(slot);

	if (res->nxdomain)
		j->data.steps.fwd[i].nxdomain = true;
	for (int k = 0; res->havedata && res->data[k]; k++) {
		if (res->len[k] != want) {
			pr_debug("dns: %s: rdata of %d bytes ignored\n",
				 res->qname, res->len[k]);
			continue;
		}
		add_forward(j, i, res->data[k], want);
	}
}

/* Whether @res is an answer at all: NOERROR or NXDOMAIN, of the type
 * asked, not bogus. Anything else is a temporary failure. */
static bool usable(const struct query *q, int err, const struct ub_result *res)
{
	int type = q->slot == SLOT_PTR			   ? RR_PTR
		   : q->slot == SLOT_A(SLOT_NAME(q->slot)) ? RR_A
							   : RR_AAAA;

	if (err || !res) {
		pr_debug("dns: query failed: %s\n", ub_strerror(err));
		return false;
	}
	if (res->rcode != RCODE_NOERROR && res->rcode != RCODE_NXDOMAIN) {
		pr_debug("dns: %s: rcode %d\n", res->qname, res->rcode);
		return false;
	}
	return res->qtype == type && !res->bogus;
}

static void ub_callback(void *arg, int err, struct ub_result *res)
{
	struct query *q = arg;
	struct job *j = q->job;

	q->live = false;
	j->pending--;
	if (!usable(q, err, res)) {
		note_tempfail(j, q->slot, FS_DNSR_SERVFAIL);
	} else {
		if (res->ttl >= 0)
			j->data.ttl = min_u(j->data.ttl, res->ttl);
		if (q->slot == SLOT_PTR)
			on_ptr(j, res);
		else
			on_forward(j, q->slot, res);
	}
	if (res)
		ub_resolve_free(res);
	if (!j->pending)
		job_done(j);
}

/* The deadline passed: cancel what is still out, call back. */
static void job_expire(struct job *j)
{
	for (int s = 0; s < N_SLOTS; s++) {
		struct query *q = &j->q[s];

		if (!q->live)
			continue;
		ub_cancel(j->d->ub, q->id);
		q->live = false;
		j->pending--;
		note_tempfail(j, s, FS_DNSR_TIMEOUT);
	}
	job_done(j);
}

/* ---------------------------------------------------------------- */
/* Requests */

static struct job *job_new(struct fs_dns *d, const __u8 addr[16], bool resolve)
{
	struct job *j = calloc(1, sizeof(*j));

	if (!j)
		return NULL;
	j->d = d;
	j->resolve = resolve;
	j->deadline_ns = now_ns(d) + d->o.timeout_ms * NS_PER_MS;
	j->data.ttl = UINT_MAX;
	if (addr)
		memcpy(j->data.steps.addr, addr, 16);
	j->next = d->jobs;
	d->jobs = j;
	return j;
}

static struct job *job_find(struct fs_dns *d, const __u8 addr[16])
{
	struct job *j = d->jobs;

	while (j && (j->resolve || memcmp(j->data.steps.addr, addr, 16)))
		j = j->next;
	return j;
}

static struct waiter *waiter_new(const char *suffix, bool weak, fs_fcrdns_cb cb,
				 void *arg)
{
	struct waiter *w = calloc(1, sizeof(*w));

	if (!w)
		return NULL;
	w->cb = cb;
	w->arg = arg;
	w->weak = weak;
	w->has_suffix = suffix != NULL;
	if (suffix)
		strcpy(w->suffix, suffix);
	return w;
}

static void serve_cached(struct fs_dns *d, const struct entry *e,
			 const struct waiter *w, unsigned long long now)
{
	unsigned ttl = (e->expires_ns - now + NSEC_PER_SEC - 1) / NSEC_PER_SEC;

	d->st.cache_hits++;
	deliver(d, &e->data, w, ttl, true);
}

/* A new FCrDNS job for @addr, with @w as its first waiter. */
static int fcrdns_start(struct fs_dns *d, const __u8 addr[16],
			const struct entry *e, struct waiter *w)
{
	char rev[FS_DNS_NAME_MAX];
	struct job *j = job_new(d, addr, false);

	if (!j)
		return -1;
	if (e && e->data.tempfail)
		j->prev_retry_s = e->retry_s;
	j->waiters = w;
	fs_dns_reverse_name(addr, rev, sizeof(rev));
	query_start(j, SLOT_PTR, rev, RR_PTR);
	if (!j->pending)
		job_done(j);
	return 0;
}

int fs_dns_fcrdns(struct fs_dns *d, const __u8 addr[16], const char *suffix,
		  bool weak, fs_fcrdns_cb cb, void *arg)
{
	unsigned long long now;
	struct entry *e;
	struct waiter *w;
	struct job *j;

	if (!d || !addr || !cb ||
	    (suffix && strlen(suffix) >= FS_DNS_NAME_MAX)) {
		errno = EINVAL;
		return -1;
	}
	w = waiter_new(suffix, weak, cb, arg);
	if (!w)
		return -1;
	now = now_ns(d);
	e = cache_find(d, addr);
	if (e && now < e->expires_ns) {
		serve_cached(d, e, w, now);
		free(w);
		return 0;
	}
	j = job_find(d, addr);
	if (j) {
		w->next = j->waiters;
		j->waiters = w;
		return 0;
	}
	if (fcrdns_start(d, addr, e, w)) {
		free(w);
		return -1;
	}
	return 0;
}

int fs_dns_resolve(struct fs_dns *d, const char *name, fs_resolve_cb cb,
		   void *arg)
{
	struct job *j;

	if (!d || !name || !*name || !cb || strlen(name) >= FS_DNS_NAME_MAX) {
		errno = EINVAL;
		return -1;
	}
	j = job_new(d, NULL, true);
	if (!j)
		return -1;
	j->rcb = cb;
	j->rarg = arg;
	strcpy(j->data.steps.fwd[0].name, name);
	start_forward(j, 0, name);
	if (!j->pending)
		job_done(j);
	return 0;
}

/* ---------------------------------------------------------------- */
/* Context and loop */

static int check_resolver(const char *s, char *err, size_t errlen)
{
	char host[INET6_ADDRSTRLEN + 1], *at, *end;
	unsigned char buf[16];
	unsigned long port;

	if (strlen(s) >= sizeof(host) + 6)
		goto bad;
	at = strchr(s, '@');
	if (at && (size_t)(at - s) >= sizeof(host))
		goto bad;
	snprintf(host, sizeof(host), "%.*s",
		 at ? (int)(at - s) : (int)strlen(s), s);
	if (inet_pton(AF_INET, host, buf) != 1 &&
	    inet_pton(AF_INET6, host, buf) != 1)
		goto bad;
	if (!at)
		return 0;
	port = strtoul(at + 1, &end, 10);
	if (at[1] >= '0' && at[1] <= '9' && !*end && port >= 1 && port <= 65535)
		return 0;
bad:
	snprintf(err, errlen,
		 "resolver '%s': expected ADDR or ADDR@PORT, "
		 "for example 127.0.0.1@5353",
		 s);
	return -1;
}

/* libunbound as a plain forwarding stub: no validation (no trust
 * anchor), no built-in answers for private and documentation reverse
 * zones (they go to the resolver like any other), resolvers on
 * loopback allowed, records kept in the order the resolver sent. */
static const char *const ub_options[][2] = {
	{"module-config:", "iterator"}, {"do-not-query-localhost:", "no"},
	{"unblock-lan-zones:", "yes"},	{"insecure-lan-zones:", "yes"},
	{"rrset-roundrobin:", "no"}, /* PTR names in the order sent */
};

static int ub_setup(struct ub_ctx *ub, const char *resolver, char *err,
		    size_t errlen)
{
	int rc;

	for (size_t i = 0; i < sizeof(ub_options) / sizeof(ub_options[0]);
	     i++) {
		rc = ub_ctx_set_option(ub, ub_options[i][0], ub_options[i][1]);
		if (rc) {
			snprintf(err, errlen, "libunbound option %s %s: %s",
				 ub_options[i][0], ub_options[i][1],
				 ub_strerror(rc));
			return -1;
		}
	}
	rc = resolver ? ub_ctx_set_fwd(ub, resolver)
		      : ub_ctx_resolvconf(ub, NULL);
	if (!rc)
		rc = ub_ctx_async(ub, 1);
	if (rc) {
		snprintf(err, errlen, "%s: %s",
			 resolver ? resolver : "/etc/resolv.conf",
			 ub_strerror(rc));
		return -1;
	}
	return 0;
}

struct fs_dns *fs_dns_new(const struct fs_dns_opts *o, char *err, size_t errlen)
{
	struct fs_dns *d;

	if (o->resolver && check_resolver(o->resolver, err, errlen))
		return NULL;
	d = calloc(1, sizeof(*d));
	if (!d) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	d->o = *o;
	d->o.resolver = NULL; /* not kept: the caller's string */
	if (!d->o.timeout_ms)
		d->o.timeout_ms = DEF_TIMEOUT_MS;
	if (!d->o.ttl_cap_s)
		d->o.ttl_cap_s = DEF_TTL_CAP_S;
	if (!d->o.tempfail_retry_s)
		d->o.tempfail_retry_s = DEF_RETRY_S;
	d->ub = ub_ctx_create();
	if (!d->ub) {
		snprintf(err, errlen, "cannot create a libunbound context");
		free(d);
		return NULL;
	}
	if (ub_setup(d->ub, o->resolver, err, errlen)) {
		fs_dns_free(d);
		return NULL;
	}
	return d;
}

/* Pending requests are dropped without calling back. */
void fs_dns_free(struct fs_dns *d)
{
	if (!d)
		return;
	while (d->jobs) {
		struct job *j = d->jobs;

		d->jobs = j->next;
		for (int s = 0; s < N_SLOTS; s++)
			if (j->q[s].live)
				ub_cancel(d->ub, j->q[s].id);
		while (j->waiters) {
			struct waiter *w = j->waiters;

			j->waiters = w->next;
			free(w);
		}
		free(j);
	}
	for (int b = 0; b < CACHE_BUCKETS; b++)
		while (d->cache[b]) {
			struct entry *e = d->cache[b];

			d->cache[b] = e->next;
			free(e);
		}
	if (d->ub)
		ub_ctx_delete(d->ub);
	free(d);
}

int fs_dns_fd(struct fs_dns *d)
{
	return ub_fd(d->ub);
}

static struct job *first_overdue(struct fs_dns *d, unsigned long long now)
{
	struct job *j = d->jobs;

	while (j && j->deadline_ns > now)
		j = j->next;
	return j;
}

int fs_dns_process(struct fs_dns *d)
{
	unsigned long long now;
	struct job *j;
	int rc = ub_process(d->ub);

	if (rc)
		pr_warn("dns: libunbound: %s\n", ub_strerror(rc));
	now = now_ns(d);
	while ((j = first_overdue(d, now)))
		job_expire(j);
	return rc ? -1 : 0;
}

/* Milliseconds until the next deadline, at most 1000. */
static int next_wake_ms(const struct fs_dns *d)
{
	unsigned long long now = now_ns(d), first = now + NSEC_PER_SEC;

	for (const struct job *j = d->jobs; j; j = j->next)
		if (j->deadline_ns < first)
			first = j->deadline_ns;
	return first <= now ? 0
			    : (int)((first - now + NS_PER_MS - 1) / NS_PER_MS);
}

int fs_dns_wait(struct fs_dns *d)
{
	while (d->jobs) {
		struct pollfd p = {.fd = fs_dns_fd(d), .events = POLLIN};

		if (poll(&p, 1, next_wake_ms(d)) < 0 && errno != EINTR) {
			pr_err_errno("dns: poll");
			return -1;
		}
		if (fs_dns_process(d))
			return -1;
	}
	return 0;
}

void fs_dns_get_stats(const struct fs_dns *d, struct fs_dns_stats *s)
{
	*s = d->st;
}

const char *fs_dns_outcome_name(enum fs_dns_outcome o)
{
	static const char *const names[] = {
		[FS_DNS_PASS] = "pass",
		[FS_DNS_FAIL] = "fail",
		[FS_DNS_TEMPFAIL] = "tempfail",
	};

	return (unsigned)o < sizeof(names) / sizeof(names[0]) ? names[o] : "?";
}

/* ---------------------------------------------------------------- */
/* Explanations */

static void explain_no_ptr(const struct fs_fcrdns *r, const char *a, char *buf,
			   size_t len)
{
	char rev[FS_DNS_NAME_MAX];

	fs_dns_reverse_name(r->addr, rev, sizeof(rev));
	snprintf(buf, len, "%s has no PTR record: %s %s", a, rev,
		 r->ptr_nxdomain ? "is NXDOMAIN" : "has no PTR data");
}

static void explain_mismatch(const struct fs_fcrdns *r, const char *a,
			     char *buf, size_t len)
{
	const struct fs_dns_fwd *f = &r->fwd[0];

	if (r->n_ptr > 1)
		snprintf(buf, len, "none of the %d PTR names resolves to %s",
			 r->n_ptr, a);
	else
		snprintf(buf, len, "PTR %s resolves to %s%s, not to %s",
			 r->name, f->addr[0],
			 f->n_addr > 1 ? " (and more)" : "", a);
}

static void explain_tempfail(const struct fs_fcrdns *r, char *buf, size_t len)
{
	char what[FS_DNS_NAME_MAX + 32];

	if (r->name[0])
		snprintf(what, sizeof(what), "the A or AAAA query of %s",
			 r->name);
	else
		snprintf(what, sizeof(what), "the PTR query");
	if (r->reason == FS_DNSR_TIMEOUT)
		snprintf(buf, len, "no answer to %s within the timeout", what);
	else
		snprintf(buf, len,
			 "the resolver failed %s (SERVFAIL, REFUSED or error)",
			 what);
}

void fs_dns_explain(const struct fs_fcrdns *r, const char *suffix, char *buf,
		    size_t len)
{
	char a[INET6_ADDRSTRLEN];

	addr_text(r->addr, a, sizeof(a));
	switch (r->reason) {
	case FS_DNSR_OK:
		snprintf(buf, len, "PTR %s resolves back to %s", r->name, a);
		break;
	case FS_DNSR_NO_PTR:
		explain_no_ptr(r, a, buf, len);
		break;
	case FS_DNSR_NO_FORWARD:
		if (r->n_ptr > 1)
			snprintf(buf, len,
				 "none of the %d PTR names has an A or AAAA "
				 "record",
				 r->n_ptr);
		else
			snprintf(buf, len, "PTR %s has no A or AAAA record",
				 r->name);
		break;
	case FS_DNSR_MISMATCH:
		explain_mismatch(r, a, buf, len);
		break;
	case FS_DNSR_OUTSIDE_SUFFIX:
		snprintf(buf, len,
			 "PTR %s resolves back to %s but is not under %s",
			 r->name, a, suffix ? suffix : "the required suffix");
		break;
	case FS_DNSR_WEAK:
		snprintf(buf, len,
			 "PTR %s has no A or AAAA record; accepted as weak, "
			 "under %s",
			 r->name, suffix ? suffix : "the allowed suffix");
		break;
	default:
		explain_tempfail(r, buf, len);
		break;
	}
}
