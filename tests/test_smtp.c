// SPDX-License-Identifier: GPL-2.0
/* The SMTP shield under BPF_PROG_TEST_RUN: SYN buckets by the DNS class
 * of the source (fs_dns written here as the daemon's verifier writes
 * it), the per-prefix level of each class, deferral that never bans,
 * what a source banned elsewhere gets (dropped, never reset), per-rule
 * observe, and the events to userspace: EHLO/HELO names and new HTTP
 * sources, read from the ring buffer with libbpf's ring_buffer__consume,
 * de-duplicated per source, bounded by events.rate, and only from
 * segments of a connection the kernel holds. Every segment is checked for its verdict, for the one
 * reason counter it moved and, when passed, for coming back unchanged.
 * Every case runs over IPv4 and IPv6 from one table.
 */
#include <errno.h>
#include <stdarg.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/bpf.h>
#include "floodshield.skel.h"
#include "test.h"
#include "pkt.h"
#include "xdp_env.h"
#include "../loader/filter.h"
#include "http_env.h"
#include "../loader/names.h"
#include "../loader/settings.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#define PORT_SMTP     25
#define PORT_SMTP_ALT 2525 /* made smtp by a test */
#define PORT_HTTP     80
#define PORT_TCP      443 /* tcp class by default */
#define TCP_PSH	      0x08
#define DATA_FLAGS    (PKT_ACK | TCP_PSH)
#define SEQ	      0x11223344u
#define ACK	      0x55667788u
#define MS	      1000000ull
#define HOUR	      (3600 * XE_NSEC)
#define RING_MAX      64 /* records taken per ring_take() */

/* Per-source rates of the class tests: three different bursts, so a SYN
 * charged to the wrong class's bucket shows. Prefix levels out of the
 * way unless a test sets them. */
#define RATES_SRC                                           \
	"smtp.verified.src=6/6", "smtp.unverified.src=4/4", \
		"smtp.failed.src=2/2", "smtp.tempfail.src=3/3"
#define RATES_PFX_OFF                                             \
	"smtp.verified.prefix=off", "smtp.unverified.prefix=off", \
		"smtp.failed.prefix=off", "smtp.tempfail.prefix=off"
#define BURST_VERIFIED	 6
#define BURST_UNVERIFIED 4
#define BURST_FAILED	 2
#define BURST_TEMPFAIL	 3

struct fam {
	const char *name;
	int family;
	const char *src;
	const char *peer; /* same per-prefix bucket as src (/24, /64) */
	const char *far;  /* another prefix */
	const char *dst;
	const char *many; /* printf pattern of sources, %d: 1..250 */
	__u8 pfx_plen;	  /* per-prefix key length (128-bit form) */
};

static const struct fam fams[] = {
	{"v4", 4, "198.51.100.10", "198.51.100.77", "203.0.113.30", "192.0.2.1",
	 "198.18.0.%d", 120},
	{"v6", 6, "2001:db8:1:2::10", "2001:db8:1:2::77", "2001:db8:9:9::30",
	 "2001:db8::1", "2001:db8:18::%x", 64},
};

#define for_each_fam(f) \
	for (const struct fam *f = fams; f < fams + ARRAY_SIZE(fams); f++)

/* The three classes, indexed by enum fs_dns_class, with the reasons and
 * bursts the tests expect of each. */
struct class_info {
	const char *name;
	enum fs_dns_class class;
	enum fs_reason pass, defer;
	int burst;
	const char *bucket; /* settings prefix: "smtp.X" */
};

static const struct class_info classes[FS_DNS_CLASS_MAX] = {
	[FS_DNS_UNVERIFIED] = {"unverified", FS_DNS_UNVERIFIED,
			       FS_R_SMTP_UNVERIFIED, FS_R_SMTP_DEFER_UNVERIFIED,
			       BURST_UNVERIFIED, "smtp.unverified"},
	[FS_DNS_VERIFIED] = {"verified", FS_DNS_VERIFIED, FS_R_SMTP_VERIFIED,
			     FS_R_SMTP_DEFER_VERIFIED, BURST_VERIFIED,
			     "smtp.verified"},
	[FS_DNS_FAILED] = {"failed", FS_DNS_FAILED, FS_R_SMTP_FAILED,
			   FS_R_SMTP_DEFER_FAILED, BURST_FAILED, "smtp.failed"},
	[FS_DNS_TEMP] = {"tempfail", FS_DNS_TEMP, FS_R_SMTP_TEMPFAIL,
			 FS_R_SMTP_DEFER_TEMPFAIL, BURST_TEMPFAIL,
			 "smtp.tempfail"},
};

#define for_each_class(c)                          \
	for (const struct class_info *c = classes; \
	     c < classes + ARRAY_SIZE(classes); c++)

/* ---- environment ------------------------------------------------------ */

/* Open an environment (defaults: port 25 smtp, 80 http) with the
 * NULL-terminated settings applied. */
static bool env_open(struct xdp_env *e, ...)
{
	const char *kv;
	va_list ap;
	bool ok = true;

	if (!ASSERT_OK(xe_open(e), "load the program"))
		return false;
	va_start(ap, e);
	while (ok && (kv = va_arg(ap, const char *)))
		ok = ASSERT_OK(xe_set(e, kv), kv);
	va_end(ap);
	if (!ok)
		xe_close(e);
	return ok;
}

/* Write the DNS verdict of @addr as the verifier does (store_verdict). */
static bool dns_put(struct xdp_env *e, const char *addr, enum fs_dns_class c,
		    __u64 expires_ns)
{
	struct fs_dns_val v = {
		.class = c,
		.checked_ns = xe_clock(e),
		.expires_ns = expires_ns,
		.reason = c == FS_DNS_VERIFIED ? FS_DNSR_OK
			  : c == FS_DNS_FAILED ? FS_DNSR_MISMATCH
					       : FS_DNSR_TIMEOUT,
	};
	__u8 key[16];

	snprintf(v.name, sizeof(v.name), "host.example.org");
	pkt_addr(addr, key);
	return ASSERT_OK(bpf_map_update_elem(
				 bpf_map__fd(e->skel->maps.FS_MAP_DNS), key, &v,
				 BPF_ANY),
			 "write fs_dns") &&
	       ASSERT_OK(
		       fs_filter_mark(bpf_map__fd(e->skel->maps.FS_MAP_FILTER),
				      FS_FILTER_DNS, key, 128),
		       "mark fs_filter");
}

static bool dns_del(struct xdp_env *e, const char *addr)
{
	__u8 key[16];

	pkt_addr(addr, key);
	return ASSERT_OK(
		bpf_map_delete_elem(bpf_map__fd(e->skel->maps.FS_MAP_DNS), key),
		"delete from fs_dns");
}

/* A class's verdict for @addr, valid for an hour; unverified: no entry. */
static bool dns_class_set(struct xdp_env *e, const char *addr,
			  enum fs_dns_class c)
{
	__u8 key[16];

	if (c != FS_DNS_UNVERIFIED)
		return dns_put(e, addr, c, xe_clock(e) + HOUR);
	pkt_addr(addr, key);
	bpf_map_delete_elem(bpf_map__fd(e->skel->maps.FS_MAP_DNS), key);
	return true;
}

/* ---- segments --------------------------------------------------------- */

/* A client port per segment unless a test reuses one. */
static __u16 fresh_sport(void)
{
	static __u16 port = 1024;

	port = port == 65535 ? 1024 : port + 1;
	return port;
}

static bool seg_build(const struct fam *f, const char *src, __u16 dport,
		      __u8 flags, const char *payload, size_t n, __u16 sport,
		      struct he_seg *seg)
{
	return ASSERT_OK(he_seg_make(f->family, src, f->dst, sport, dport,
				     flags, SEQ, ACK, payload, n, seg),
			 "build segment");
}

static bool syn_to(const struct fam *f, const char *src, __u16 dport,
		   struct he_seg *seg)
{
	return seg_build(f, src, dport, PKT_SYN, "", 0, fresh_sport(), seg);
}

/* A data segment (PSH|ACK) of a session from @src to @dport. */
static bool data_to(const struct fam *f, const char *src, __u16 dport,
		    const char *payload, struct he_seg *seg)
{
	return seg_build(f, src, dport, DATA_FLAGS, payload, strlen(payload),
			 fresh_sport(), seg);
}

/* Send @seg once: @verdict, the counter of @reason alone moved by one
 * packet (an observed one when @observed), and a passed frame unchanged
 * byte for byte; only a RESET reason (an HTTP port, for comparison) comes
 * back as a RST (tests/test_http.c checks that rewrite in full). */
static bool expect_seg(struct xdp_env *e, const struct he_seg *seg, int verdict,
		       enum fs_reason reason, bool observed)
{
	struct he_result res;
	bool ok = he_expect(e, seg, verdict, reason, observed, &res);

	if (res.verdict != XDP_PASS)
		return ok;
	ok &= ASSERT_EQ(res.out.len, seg->len, "frame length");
	if (fs_reason_resets(reason) && !observed)
		ok &= ASSERT_EQ(he_tcp_flags(&res.out) & PKT_RST, PKT_RST,
				"rewritten into a RST");
	else
		ok &= ASSERT_MEMEQ(res.out.buf, seg->buf, seg->len,
				   "frame unchanged");
	return ok;
}

static bool expect_n(struct xdp_env *e, const struct he_seg *seg, int n,
		     int verdict, enum fs_reason reason)
{
	for (int i = 0; i < n; i++) {
		if (!expect_seg(e, seg, verdict, reason, false)) {
			fs_test_fail(__FILE__, __LINE__, "at segment %d of %d",
				     i + 1, n);
			return false;
		}
	}
	return true;
}

/* A connection attempt from @src to @dport: its SYN gets @verdict and
 * @reason; a SYN passed is followed by the handshake's ACK (what counts
 * the session and charges the class bucket: bpf/session.bpf.h), which
 * passes as service. */
static bool connect_to(struct xdp_env *e, const struct fam *f, const char *src,
		       __u16 dport, int verdict, enum fs_reason reason)
{
	__u16 sport = fresh_sport();
	struct he_seg seg;

	if (!seg_build(f, src, dport, PKT_SYN, "", 0, sport, &seg) ||
	    !expect_seg(e, &seg, verdict, reason, false))
		return false;
	if (verdict != XDP_PASS)
		return true;
	return seg_build(f, src, dport, PKT_ACK, "", 0, sport, &seg) &&
	       expect_seg(e, &seg, XDP_PASS, FS_R_SERVICE, false);
}

/* @n connection attempts from @src to port 25, each SYN with @verdict
 * and @reason. */
static bool syns(struct xdp_env *e, const struct fam *f, const char *src, int n,
		 int verdict, enum fs_reason reason)
{
	for (int i = 0; i < n; i++) {
		if (!connect_to(e, f, src, PORT_SMTP, verdict, reason)) {
			fs_test_fail(__FILE__, __LINE__, "at attempt %d of %d",
				     i + 1, n);
			return false;
		}
	}
	return true;
}

/* A source's whole burst within its class, then one deferred SYN. */
static bool burst_then_defer(struct xdp_env *e, const struct fam *f,
			     const char *src, const struct class_info *c)
{
	return syns(e, f, src, c->burst, XDP_PASS, c->pass) &&
	       syns(e, f, src, 1, XDP_DROP, c->defer);
}

/* ---- bans ------------------------------------------------------------- */

static __u32 ban_count(struct xdp_env *e, const char *addr, __u8 plen)
{
	struct fs_ban ban;
	__u8 a[16];

	pkt_addr(addr, a);
	return xe_ban_get(e, a, plen, &ban) ? 0 : ban.count;
}

/* The ban of @addr/@plen was made just now, the first of that key, for
 * @ttl, for bad HTTP requests (SYN counts ban nobody). */
static bool expect_ban(struct xdp_env *e, const char *addr, __u8 plen,
		       __u64 ttl)
{
	struct fs_ban ban;
	__u8 a[16];
	bool ok;

	pkt_addr(addr, a);
	if (!ASSERT_OK(xe_ban_get(e, a, plen, &ban), "ban recorded"))
		return false;
	ok = ASSERT_STREQ(fs_ban_reason_name(ban.reason),
			  fs_ban_reason_name(FS_BAN_HTTP_BAD), "ban reason");
	ok &= ASSERT_EQ(ban.count, 1, "ban count");
	ok &= ASSERT_EQ(ban.created_ns, xe_clock(e), "ban created");
	ok &= ASSERT_EQ(ban.expires_ns, xe_clock(e) + ttl, "ban expiry");
	return ok;
}

static bool expect_event(const __u64 *before, const __u64 *after,
			 enum fs_event ev, __u64 n)
{
	return ASSERT_EQ(after[ev] - before[ev], n, fs_event_name(ev));
}

/* ---- the ring buffer -------------------------------------------------- */

/* The records of the environment's ring buffer, taken as the daemon's
 * verifier takes them (ring_buffer__new on the map fd, then consume). */
struct ring {
	struct ring_buffer *rb;
	struct fs_event_rec rec[RING_MAX];
	int n;	      /* records kept by the last ring_take() */
	int seen;     /* records seen, kept or not */
	int contacts; /* of those, first contacts (FS_EV_CONTACT), not
		       * kept: test_session.c checks them */
	int bad_size; /* records of another size */
};

static int on_record(void *ctx, void *data, size_t len)
{
	struct ring *r = ctx;

	r->seen++;
	if (len != sizeof(struct fs_event_rec)) {
		r->bad_size++;
		return 0;
	}
	if (((const struct fs_event_rec *)data)->type == FS_EV_CONTACT) {
		r->contacts++;
		return 0;
	}
	if (r->n < RING_MAX)
		memcpy(&r->rec[r->n++], data, sizeof(r->rec[0]));
	return 0;
}

static bool ring_open(struct xdp_env *e, struct ring *r)
{
	memset(r, 0, sizeof(*r));
	r->rb = ring_buffer__new(bpf_map__fd(e->skel->maps.FS_MAP_RING),
				 on_record, r, NULL);
	return ASSERT_TRUE(r->rb != NULL, "ring_buffer__new on fs_ring");
}

static void ring_close(struct ring *r)
{
	ring_buffer__free(r->rb);
	r->rb = NULL;
}

/* Consume every record waiting; returns how many (all of the right
 * size, or the subtest fails). */
static int ring_take(struct ring *r)
{
	int got;

	r->n = r->seen = r->bad_size = r->contacts = 0;
	got = ring_buffer__consume(r->rb);
	ASSERT_EQ(got, r->seen, "ring_buffer__consume count");
	ASSERT_EQ(r->bad_size, 0, "records of another size than fs_event_rec");
	return r->seen - r->contacts;
}

/* Record @i is an event of @type about @src, port @dport, name @name
 * (NULL: no name), stamped now. */
static bool expect_rec(const struct xdp_env *e, const struct ring *r, int i,
		       enum fs_event_type type, const char *src, __u16 dport,
		       const char *name)
{
	const struct fs_event_rec *rec = &r->rec[i];
	size_t n = name ? strlen(name) : 0;
	__u8 a[16];
	bool ok;

	pkt_addr(src, a);
	ok = ASSERT_EQ(rec->type, type, "record type");
	ok &= ASSERT_MEMEQ(rec->addr, a, 16, "record address");
	ok &= ASSERT_EQ(rec->dport, dport, "record dport (host order)");
	ok &= ASSERT_EQ(rec->ts_ns, xe_clock(e), "record timestamp");
	ok &= ASSERT_EQ(rec->name_len, n, "record name_len");
	if (ok && n)
		ok &= ASSERT_MEMEQ(rec->name, name, n, "record name bytes");
	return ok;
}

/* A segment carrying @payload from @src to @dport passes unchanged as
 * FS_R_SERVICE (or @reason) and leaves exactly @records records. The
 * source is known first (a pending verdict, as the daemon writes at a
 * first contact), so that only the EHLO or request reports. */
static bool expect_report(struct xdp_env *e, struct ring *r,
			  const struct fam *f, const char *src, __u16 dport,
			  const char *payload, enum fs_reason reason,
			  int records)
{
	struct he_seg seg;

	return dns_put(e, src, FS_DNS_UNVERIFIED, xe_clock(e) + HOUR) &&
	       data_to(f, src, dport, payload, &seg) &&
	       expect_seg(e, &seg, XDP_PASS, reason, false) &&
	       ASSERT_EQ(ring_take(r), records, "ring-buffer records");
}

/* Source number @i (1..250) of the family's spare range. */
static const char *many_src(const struct fam *f, int i, char *buf, size_t len)
{
	snprintf(buf, len, f->many, i);
	return buf;
}

/* ---- classes ---------------------------------------------------------- */

static void classes_defaults(void)
{
	int fd;
	struct xdp_env e;
	enum fs_svc svc;
	__u32 port;

	fs_subtest("port 25 is smtp by default; 465 and 587 are tcp");
	if (!env_open(&e, NULL))
		return;
	fd = bpf_map__fd(e.skel->maps.FS_MAP_SVC);
	port = PORT_SMTP;
	ASSERT_OK(bpf_map_lookup_elem(fd, &port, &svc), "read fs_services[25]");
	ASSERT_STREQ(fs_svc_name(svc), "smtp", "port 25");
	port = 465;
	ASSERT_OK(bpf_map_lookup_elem(fd, &port, &svc), "read "
							"fs_services[465]");
	ASSERT_STREQ(fs_svc_name(svc), "tcp", "port 465");
	port = 587;
	ASSERT_OK(bpf_map_lookup_elem(fd, &port, &svc), "read "
							"fs_services[587]");
	ASSERT_STREQ(fs_svc_name(svc), "tcp", "port 587");
	xe_close(&e);
}

static void classes_unverified(const struct fam *f)
{
	const __u64 interval = 250 * MS; /* 4/s */
	const struct class_info *c = &classes[FS_DNS_UNVERIFIED];
	struct he_seg syn, ack, synack, rst;
	struct xdp_env e;

	fs_subtest("no fs_dns entry: unverified burst, then deferred "
		   "(dropped)/%s",
		   f->name);
	if (!env_open(&e, RATES_SRC, RATES_PFX_OFF, "ban.after=0", NULL))
		return;
	burst_then_defer(&e, f, f->src, c);
	fs_subtest("unverified: one SYN per interval after the burst/%s",
		   f->name);
	xe_clock_set(&e, XE_T0 + interval - 1);
	syns(&e, f, f->src, 1, XDP_DROP, c->defer);
	xe_clock_set(&e, XE_T0 + interval);
	syns(&e, f, f->src, 1, XDP_PASS, c->pass);
	syns(&e, f, f->src, 1, XDP_DROP, c->defer);
	fs_subtest("unverified: another source has its own bucket/%s", f->name);
	burst_then_defer(&e, f, f->peer, c);
	fs_subtest("only SYNs are charged: ACK, SYN-ACK, RST pass as "
		   "service/%s",
		   f->name);
	if (seg_build(f, f->src, PORT_SMTP, PKT_ACK, "", 0, fresh_sport(),
		      &ack) &&
	    seg_build(f, f->src, PORT_SMTP, PKT_SYN | PKT_ACK, "", 0,
		      fresh_sport(), &synack) &&
	    seg_build(f, f->src, PORT_SMTP, PKT_RST, "", 0, fresh_sport(),
		      &rst) &&
	    syn_to(f, f->src, PORT_SMTP, &syn)) {
		expect_n(&e, &ack, 10, XDP_PASS, FS_R_SERVICE);
		expect_n(&e, &synack, 10, XDP_PASS, FS_R_SERVICE);
		expect_n(&e, &rst, 10, XDP_PASS, FS_R_SERVICE);
		expect_seg(&e, &syn, XDP_DROP, c->defer, false);
	}
	xe_close(&e);
}

/* Each class from a fresh bucket, then all three alternating on one
 * source: every class keeps its own bucket per source. */
static void classes_own_buckets(const struct fam *f)
{
	struct xdp_env e;

	for_each_class(c)
	{
		fs_subtest("fs_dns class %s: its burst and reasons/%s", c->name,
			   f->name);
		if (!env_open(&e, RATES_SRC, RATES_PFX_OFF, "ban.after=0",
			      NULL))
			return;
		if (dns_class_set(&e, f->src, c->class))
			burst_then_defer(&e, f, f->src, c);
		xe_close(&e);
	}
	fs_subtest("one source through the three classes: a bucket each/%s",
		   f->name);
	if (!env_open(&e, RATES_SRC, RATES_PFX_OFF, "ban.after=0", NULL))
		return;
	for_each_class(c) if (!dns_class_set(&e, f->src, c->class) ||
			      !burst_then_defer(&e, f, f->src, c)) goto out;
	for_each_class(
		c) if (!dns_class_set(&e, f->src, c->class) ||
		       !syns(&e, f, f->src, 1, XDP_DROP, c->defer)) goto out;
	fs_subtest("a new verdict applies to the next SYN/%s", f->name);
	dns_class_set(&e, f->peer, FS_DNS_FAILED);
	syns(&e, f, f->peer, 1, XDP_PASS, FS_R_SMTP_FAILED);
	dns_class_set(&e, f->peer, FS_DNS_VERIFIED);
	syns(&e, f, f->peer, 1, XDP_PASS, FS_R_SMTP_VERIFIED);
out:
	xe_close(&e);
}

static void classes_expiry(const struct fam *f)
{
	const __u64 expires = XE_T0 + 10 * XE_NSEC;
	struct xdp_env e;

	fs_subtest("expired fs_dns entry counts as unverified (verified: "
		   "after FS_DNS_STALE_NS)/%s",
		   f->name);
	if (!env_open(&e, RATES_SRC, RATES_PFX_OFF, "ban.after=0", NULL))
		return;
	if (!dns_put(&e, f->src, FS_DNS_VERIFIED, expires) ||
	    !dns_put(&e, f->peer, FS_DNS_FAILED, expires))
		goto out;
	xe_clock_set(&e, expires - 1);
	syns(&e, f, f->src, 1, XDP_PASS, FS_R_SMTP_VERIFIED);
	syns(&e, f, f->peer, 1, XDP_PASS, FS_R_SMTP_FAILED);
	xe_clock_set(&e, expires);
	syns(&e, f, f->peer, 1, XDP_PASS, FS_R_SMTP_UNVERIFIED);
	/* a verified one is served stale (bpf/proven.bpf.h) for
	 * FS_DNS_STALE_NS past its expiry, then unverified */
	syns(&e, f, f->src, 1, XDP_PASS, FS_R_SMTP_VERIFIED);
	xe_clock_set(&e, expires + FS_DNS_STALE_NS);
	syns(&e, f, f->src, 1, XDP_PASS, FS_R_SMTP_UNVERIFIED);
	fs_subtest("fs_dns entry with expiry 0 never expires/%s", f->name);
	dns_put(&e, f->far, FS_DNS_FAILED, 0);
	xe_clock_set(&e, xe_clock(&e) + 1000 * HOUR);
	syns(&e, f, f->far, 1, XDP_PASS, FS_R_SMTP_FAILED);
	fs_subtest("class out of range counts as unverified/%s", f->name);
	dns_put(&e, f->src, FS_DNS_CLASS_MAX, 0);
	syns(&e, f, f->src, 1, XDP_PASS, FS_R_SMTP_UNVERIFIED);
	dns_put(&e, f->src, 0x7fffffff, 0);
	syns(&e, f, f->src, 1, XDP_PASS, FS_R_SMTP_UNVERIFIED);
	fs_subtest("deleted fs_dns entry counts as unverified/%s", f->name);
	dns_del(&e, f->far);
	syns(&e, f, f->far, 1, XDP_PASS, FS_R_SMTP_UNVERIFIED);
out:
	xe_close(&e);
}

static void classes_port(const struct fam *f)
{
	struct he_seg syn;
	struct xdp_env e;

	fs_subtest("another port made smtp is policed the same/%s", f->name);
	if (!env_open(&e, RATES_SRC, RATES_PFX_OFF, "ban.after=0", NULL))
		return;
	if (ASSERT_OK(xe_service(&e, PORT_SMTP_ALT, FS_SVC_SMTP), "port 2525 "
								  "smtp") &&
	    dns_class_set(&e, f->src, FS_DNS_FAILED) &&
	    syn_to(f, f->src, PORT_SMTP_ALT, &syn)) {
		for (int i = 0; i < BURST_FAILED; i++)
			connect_to(&e, f, f->src, PORT_SMTP_ALT, XDP_PASS,
				   FS_R_SMTP_FAILED);
		connect_to(&e, f, f->src, PORT_SMTP_ALT, XDP_DROP,
			   FS_R_SMTP_DEFER_FAILED);
		fs_subtest("smtp ports share the source's bucket/%s", f->name);
		syns(&e, f, f->src, 1, XDP_DROP, FS_R_SMTP_DEFER_FAILED);
	}
	fs_subtest("submission port 587 (tcp class) uses syn.tcp, not smtp/%s",
		   f->name);
	if (syn_to(f, f->src, 587, &syn))
		expect_seg(&e, &syn, XDP_PASS, FS_R_SERVICE, false);
	xe_close(&e);
}

FS_TEST(smtp_classes)
{
	classes_defaults();
	for_each_fam(f) {
		classes_unverified(f);
		classes_own_buckets(f);
		classes_expiry(f);
		classes_port(f);
	}
}

/* ---- prefix level ----------------------------------------------------- */

/* Per class: the source level roomy (10/10), the prefix level 3/3. Two
 * sources of one prefix share the 3; a source of another prefix, and a
 * source of the same prefix in another class, do not. */
static void prefix_class(const struct fam *f, const struct class_info *c)
{
	char kv_src[64], kv_pfx[64];
	const struct class_info *other =
		&classes[(c->class + 1) % FS_DNS_CLASS_MAX];
	struct xdp_env e;

	snprintf(kv_src, sizeof(kv_src), "%s.src=10/10", c->bucket);
	snprintf(kv_pfx, sizeof(kv_pfx), "%s.prefix=3/3", c->bucket);
	fs_subtest("%s: sources of one prefix share %s.prefix/%s", c->name,
		   c->bucket, f->name);
	if (!env_open(&e, RATES_SRC, kv_src, kv_pfx, "ban.after=0", NULL))
		return;
	if (!dns_class_set(&e, f->src, c->class) ||
	    !dns_class_set(&e, f->peer, c->class) ||
	    !dns_class_set(&e, f->far, c->class))
		goto out;
	syns(&e, f, f->src, 2, XDP_PASS, c->pass);
	syns(&e, f, f->peer, 1, XDP_PASS, c->pass);
	syns(&e, f, f->peer, 1, XDP_DROP, c->defer);
	syns(&e, f, f->src, 1, XDP_DROP, c->defer);
	fs_subtest("%s: another prefix has its own prefix bucket/%s", c->name,
		   f->name);
	syns(&e, f, f->far, 3, XDP_PASS, c->pass);
	syns(&e, f, f->far, 1, XDP_DROP, c->defer);
	fs_subtest("%s: the prefix's other classes are not charged/%s", c->name,
		   f->name);
	dns_class_set(&e, f->peer, other->class);
	syns(&e, f, f->peer, 1, XDP_PASS, other->pass);
	fs_subtest("%s: the prefix refills at its own rate (3/s)/%s", c->name,
		   f->name);
	xe_clock_set(&e, XE_T0 + 400 * MS);
	syns(&e, f, f->src, 1, XDP_PASS, c->pass);
	syns(&e, f, f->src, 1, XDP_DROP, c->defer);
out:
	xe_close(&e);
}

FS_TEST(smtp_prefix)
{
	for_each_fam(f)
		for_each_class(c) prefix_class(f, c);
}

/* ---- bans, observe, sessions ---------------------------------------- */

/* SMTP buckets defer and never ban: a ban of a mail source would drop
 * mail from a relay that is merely busy, and SYNs can be forged. */
static void bans_class(const struct fam *f, const struct class_info *c)
{
	__u64 ev0[FS_E_MAX], ev1[FS_E_MAX];
	char kv_pfx[64];
	struct xdp_env e;

	/* the prefix level holds one source's burst: the peer's first SYN
	 * is over it */
	snprintf(kv_pfx, sizeof(kv_pfx), "%s.prefix=%d/%d", c->bucket, c->burst,
		 c->burst);
	fs_subtest("%s: 50 over-rate SYNs with ban.after=3 are deferred, never "
		   "banned/%s",
		   c->name, f->name);
	if (!env_open(&e, RATES_SRC, kv_pfx, "ban.after=3", NULL))
		return;
	if (!dns_class_set(&e, f->src, c->class) ||
	    !dns_class_set(&e, f->peer, c->class) ||
	    !ASSERT_OK(xe_events(&e, ev0), "events"))
		goto out;
	syns(&e, f, f->src, c->burst, XDP_PASS, c->pass);
	syns(&e, f, f->src, 50, XDP_DROP, c->defer);
	fs_subtest("%s: the prefix level over its rate bans nothing either/%s",
		   c->name, f->name);
	syns(&e, f, f->peer, 50, XDP_DROP, c->defer);
	ASSERT_EQ(ban_count(&e, f->src, 128), 0, "no ban of the source");
	ASSERT_EQ(ban_count(&e, f->peer, 128), 0, "no ban of the peer");
	ASSERT_EQ(ban_count(&e, f->src, f->pfx_plen), 0,
		  "no ban of the prefix");
	ASSERT_OK(xe_events(&e, ev1), "events");
	expect_event(ev0, ev1, FS_E_BAN_SRC, 0);
	expect_event(ev0, ev1, FS_E_BAN_PREFIX, 0);
	fs_subtest("%s: deferred sources connect again once their bucket "
		   "refills/%s",
		   c->name, f->name);
	xe_clock_set(&e, XE_T0 + 10 * XE_NSEC);
	syns(&e, f, f->src, 1, XDP_PASS, c->pass);
out:
	xe_close(&e);
}

/* A source banned for a SYN flood on a tcp port: what its SMTP gets. */
static void bans_sessions(const struct fam *f)
{
	static const char *const segs[] = {
		"EHLO mail.example.org\r\n",
		"MAIL FROM:<a@example.org>\r\n",
		"DATA\r\n",
		"Subject: x\r\n\r\nbody\r\n.\r\n",
		"QUIT\r\n",
	};
	struct he_seg seg, fin, rst, syn443;
	struct fs_flow_val flow;
	struct xdp_env e;
	struct ring r;

	fs_subtest("over-rate source: its SMTP sessions in progress pass "
		   "unchanged/%s",
		   f->name);
	if (!env_open(&e, RATES_SRC, RATES_PFX_OFF, "syn.tcp.src=2/2",
		      "ban.after=3", "ban.ttl=60s", "events.dedup=0",
		      "http.bad.src=1/1", NULL))
		return;
	if (!ring_open(&e, &r))
		goto out;
	dns_class_set(&e, f->src, FS_DNS_FAILED);
	syns(&e, f, f->src, BURST_FAILED, XDP_PASS, FS_R_SMTP_FAILED);
	syns(&e, f, f->src, 5, XDP_DROP, FS_R_SMTP_DEFER_FAILED);
	for (size_t i = 0; i < ARRAY_SIZE(segs); i++)
		if (data_to(f, f->src, PORT_SMTP, segs[i], &seg))
			expect_seg(&e, &seg, XDP_PASS, FS_R_SERVICE, false);
	ASSERT_EQ(ring_take(&r), 1, "its EHLO reported (events.dedup=0)");
	fs_subtest("a SYN flood on a tcp port bans nobody/%s", f->name);
	/* with cookies on, no listener behind the fixture: left to the
	 * kernel; the buckets' drop is what syn.cookies=off keeps */
	if (!ASSERT_OK(xe_set(&e, "syn.cookies=off"), "syn.cookies=off") ||
	    !syn_to(f, f->src, PORT_TCP, &syn443) ||
	    !expect_n(&e, &syn443, 2, XDP_PASS, FS_R_SERVICE) ||
	    !expect_n(&e, &syn443, 3, XDP_DROP, FS_R_SYN_RATE_SRC) ||
	    !ASSERT_EQ(ban_count(&e, f->src, 128), 0, "no ban"))
		goto done;
	fs_subtest("bad requests on an http port ban the source/%s", f->name);
	for (int i = 0; i < 2; i++)
		if (data_to(f, f->src, PORT_HTTP, "GET /#x HTTP/1.1\r\n\r\n",
			    &seg))
			expect_seg(&e, &seg, XDP_PASS, FS_R_HTTP_FRAGMENT,
				   false);
	if (!expect_ban(&e, f->src, 128, 60 * XE_NSEC))
		goto done;
	fs_subtest("banned source: its SMTP SYNs drop as ban/%s", f->name);
	syns(&e, f, f->src, 2, XDP_DROP, FS_R_BAN);
	fs_subtest("banned source: SMTP session segments drop as ban, never "
		   "reset/%s",
		   f->name);
	for (size_t i = 0; i < ARRAY_SIZE(segs); i++) {
		if (!data_to(f, f->src, PORT_SMTP, segs[i], &seg))
			continue;
		expect_seg(&e, &seg, XDP_DROP, FS_R_BAN, false);
		ASSERT_EQ(he_flow_get(&e, &seg, &flow), -ENOENT,
			  "no reset flow");
	}
	if (seg_build(f, f->src, PORT_SMTP, PKT_FIN | PKT_ACK, "", 0,
		      fresh_sport(), &fin) &&
	    seg_build(f, f->src, PORT_SMTP, PKT_RST, "", 0, fresh_sport(),
		      &rst)) {
		expect_seg(&e, &fin, XDP_DROP, FS_R_BAN, false);
		expect_seg(&e, &rst, XDP_DROP, FS_R_BAN, false);
	}
	fs_subtest("banned source: its EHLO is not reported/%s", f->name);
	ASSERT_EQ(ring_take(&r), 0, "ring-buffer records");
	fs_subtest("banned source on an http port: reset, unlike smtp/%s",
		   f->name);
	if (data_to(f, f->src, PORT_HTTP, "GET / HTTP/1.1\r\n", &seg))
		expect_seg(&e, &seg, XDP_PASS, FS_R_BAN_RESET, false);
	fs_subtest("after ban.ttl the source's SMTP is policed by class "
		   "again/%s",
		   f->name);
	xe_clock_set(&e, XE_T0 + 60 * XE_NSEC);
	syns(&e, f, f->src, 1, XDP_PASS, FS_R_SMTP_FAILED);
done:
	ring_close(&r);
out:
	xe_close(&e);
}

static void observe_smtp(const struct fam *f)
{
	struct he_seg syn;
	struct xdp_env e;

	fs_subtest("observe.smtp_rate=on: over-rate SYNs pass, counted as "
		   "observed/%s",
		   f->name);
	if (!env_open(&e, RATES_SRC, RATES_PFX_OFF, "observe.smtp_rate=on",
		      NULL))
		return;
	if (!syn_to(f, f->src, PORT_SMTP, &syn))
		goto out;
	for_each_class(c)
	{
		dns_class_set(&e, f->src, c->class);
		syns(&e, f, f->src, c->burst, XDP_PASS, c->pass);
		for (int i = 0; i < 20; i++)
			if (!expect_seg(&e, &syn, XDP_PASS, c->defer, true))
				break;
	}
	fs_subtest("observe.smtp_rate=off again: over-rate SYNs drop/%s",
		   f->name);
	if (ASSERT_OK(xe_set(&e, "observe.smtp_rate=off"), "observe off"))
		syns(&e, f, f->src, 2, XDP_DROP, FS_R_SMTP_DEFER_TEMPFAIL);
	fs_subtest("observe.syn_rate=on does not cover smtp/%s", f->name);
	if (ASSERT_OK(xe_set(&e, "observe.syn_rate=on"), "observe.syn_rate") &&
	    syn_to(f, f->peer, PORT_SMTP, &syn)) {
		syns(&e, f, f->peer, BURST_UNVERIFIED, XDP_PASS,
		     FS_R_SMTP_UNVERIFIED);
		expect_seg(&e, &syn, XDP_DROP, FS_R_SMTP_DEFER_UNVERIFIED,
			   false);
	}
	fs_subtest("observe=on (global) passes over-rate smtp SYNs as "
		   "observed/%s",
		   f->name);
	if (ASSERT_OK(xe_set(&e, "observe=on"), "observe"))
		expect_seg(&e, &syn, XDP_PASS, FS_R_SMTP_DEFER_UNVERIFIED,
			   true);
out:
	xe_close(&e);
}

FS_TEST(smtp_bans)
{
	for_each_fam(f) {
		for_each_class(c) bans_class(f, c);
		bans_sessions(f);
		observe_smtp(f);
	}
}

/* ---- EHLO / HELO ------------------------------------------------------ */

struct ehlo_case {
	const char *desc;
	const char *payload;
	const char *name; /* reported name; NULL: no record */
};

static const struct ehlo_case ehlo_cases[] = {
	{"EHLO", "EHLO mail.example.org\r\n", "mail.example.org"},
	{"HELO", "HELO mail.example.org\r\n", "mail.example.org"},
	{"helo (lower case)", "helo mail.example.org\r\n", "mail.example.org"},
	{"Ehlo (mixed case)", "Ehlo mail.example.org\r\n", "mail.example.org"},
	{"trailing spaces", "EHLO mail.example.org   \r\n", "mail.example.org"},
	{"LF only", "EHLO mail.example.org\n", "mail.example.org"},
	{"address literal", "EHLO [192.0.2.2]\r\n", "[192.0.2.2]"},
	{"IPv6 address literal", "EHLO [IPv6:2001:db8::2]\r\n",
	 "[IPv6:2001:db8::2]"},
	{"one-letter name", "HELO x\r\n", "x"},
	{"bot name", "EHLO bot.example.com\r\n", "bot.example.com"},
	{"name of 64 bytes",
	 "EHLO "
	 "a234567890123456789012345678901234567890123456789012.example.org\r\n",
	 "a234567890123456789012345678901234567890123456789012.example.org"},
	{"pipelined with MAIL FROM",
	 "EHLO mail.example.org\r\nMAIL FROM:<a@example.org>\r\n",
	 "mail.example.org"},
	/* no record */
	{"name of 65 bytes",
	 "EHLO "
	 "ab234567890123456789012345678901234567890123456789012.example."
	 "org\r\n",
	 NULL},
	{"name of 100 bytes",
	 "EHLO "
	 "a23456789012345678901234567890123456789012345678901234567890123456789"
	 "01234567890"
	 "1234.example.org\r\n",
	 NULL},
	{"no line end in the segment", "EHLO mail.example.org", NULL},
	{"no line end, name of 19 bytes", "EHLO mail.example.net.xy", NULL},
	{"empty name", "EHLO \r\n", NULL},
	{"no space after EHLO", "EHLOmail.example.org\r\n", NULL},
	{"tab after EHLO", "EHLO\tmail.example.org\r\n", NULL},
	{"leading space", " EHLO mail.example.org\r\n", NULL},
	{"MAIL FROM", "MAIL FROM:<a@example.org>\r\n", NULL},
	{"RCPT TO", "RCPT TO:<b@example.org>\r\n", NULL},
	{"XEHLO", "XEHLO mail.example.org\r\n", NULL},
	{"LHLO (LMTP)", "LHLO mail.example.org\r\n", NULL},
	{"EHLO as message data", "Subject: EHLO mail.example.org\r\n", NULL},
};

static void ehlo_cases_run(const struct fam *f)
{
	char buf[64];
	__u64 ev0[FS_E_MAX], ev1[FS_E_MAX];
	struct xdp_env e;
	struct ring r;
	int sent = 0;

	if (!env_open(&e, NULL))
		return;
	if (!ring_open(&e, &r) || !ASSERT_OK(xe_events(&e, ev0), "events"))
		goto out;
	for (size_t i = 0; i < ARRAY_SIZE(ehlo_cases); i++) {
		const struct ehlo_case *c = &ehlo_cases[i];
		const char *src = many_src(f, i + 1, buf, sizeof(buf));

		fs_subtest("%s: %s/%s", c->desc,
			   c->name ? "one record" : "no record", f->name);
		xe_clock_set(&e, XE_T0 + i * XE_NSEC);
		if (!expect_report(&e, &r, f, src, PORT_SMTP, c->payload,
				   FS_R_SERVICE, c->name ? 1 : 0) ||
		    !c->name)
			continue;
		expect_rec(&e, &r, 0, FS_EV_EHLO, src, PORT_SMTP, c->name);
		sent++;
	}
	fs_subtest("event_sent counts the records/%s", f->name);
	ASSERT_OK(xe_events(&e, ev1), "events");
	expect_event(ev0, ev1, FS_E_EVENT_SENT, sent);
	expect_event(ev0, ev1, FS_E_EVENT_RATE, 0);
	expect_event(ev0, ev1, FS_E_RING_FULL, 0);
	ring_close(&r);
out:
	xe_close(&e);
}

/* Names of every length from 1 to 64 bytes, in a segment ending with the
 * CRLF: every one is reported, whatever its length modulo 8. */
static void ehlo_lengths(const struct fam *f)
{
	static const char alpha[] = "abcdefghijklmnopqrstuvwxyz0123456789";
	char name[FS_NAME_LEN + 1], line[FS_NAME_LEN + 16], buf[64];
	int missed = 0, wrong = 0;
	struct xdp_env e;
	struct ring r;

	fs_subtest("EHLO names of 1 to 64 bytes, CRLF at the segment end: one "
		   "record each/%s",
		   f->name);
	if (!env_open(&e, NULL))
		return;
	if (!ring_open(&e, &r))
		goto out;
	for (int len = 1; len <= FS_NAME_LEN; len++) {
		struct he_seg seg;
		struct he_result res;

		for (int i = 0; i < len; i++)
			name[i] = alpha[i % (sizeof(alpha) - 1)];
		name[len] = '\0';
		snprintf(line, sizeof(line), "EHLO %s\r\n", name);
		if (!data_to(f, many_src(f, len, buf, sizeof(buf)), PORT_SMTP,
			     line, &seg) ||
		    !ASSERT_OK(he_run(&e, &seg, &res), "run"))
			break;
		if (res.verdict != XDP_PASS || res.reason != FS_R_SERVICE)
			wrong++;
		if (ring_take(&r) != 1 || r.rec[0].name_len != len ||
		    memcmp(r.rec[0].name, name, len)) {
			if (missed++ < 8)
				printf("     name of %d bytes (%d mod 8): %d "
				       "records\n",
				       len, len % 8, r.seen);
		}
	}
	ASSERT_EQ(missed, 0, "names not reported (of 64)");
	ASSERT_EQ(wrong, 0, "segments not passed as service");
	ring_close(&r);
out:
	xe_close(&e);
}

static void ehlo_other_segments(const struct fam *f)
{
	struct he_seg seg;
	struct xdp_env e;
	struct ring r;

	fs_subtest("EHLO to a non-smtp port: no record/%s", f->name);
	if (!env_open(&e, NULL))
		return;
	if (!ring_open(&e, &r))
		goto out;
	expect_report(&e, &r, f, f->src, PORT_TCP, "EHLO mail.example.org\r\n",
		      FS_R_SERVICE, 0);
	expect_report(&e, &r, f, f->src, 9999, "EHLO mail.example.org\r\n",
		      FS_R_NO_SERVICE, 0);
	fs_subtest("EHLO as data of a SYN: policed as a SYN, no record/%s",
		   f->name);
	if (seg_build(f, f->src, PORT_SMTP, PKT_SYN,
		      "EHLO mail.example.org\r\n", 23, fresh_sport(), &seg)) {
		expect_seg(&e, &seg, XDP_PASS, FS_R_SMTP_UNVERIFIED, false);
		ASSERT_EQ(ring_take(&r), 0, "ring-buffer records");
	}
	fs_subtest("EHLO to a port made smtp: record with that port/%s",
		   f->name);
	if (ASSERT_OK(xe_service(&e, PORT_SMTP_ALT, FS_SVC_SMTP), "port "
								  "2525") &&
	    expect_report(&e, &r, f, f->peer, PORT_SMTP_ALT,
			  "EHLO mail.example.org\r\n", FS_R_SERVICE, 1))
		expect_rec(&e, &r, 0, FS_EV_EHLO, f->peer, PORT_SMTP_ALT,
			   "mail.example.org");
	fs_subtest("allowlisted source: passes as allow, no record/%s",
		   f->name);
	if (ASSERT_OK(xe_allow(&e, f->far, 0), "allow"))
		expect_report(&e, &r, f, f->far, PORT_SMTP,
			      "EHLO mail.example.org\r\n", FS_R_ALLOW, 0);
	ring_close(&r);
out:
	xe_close(&e);
}

static void ehlo_dedup(const struct fam *f)
{
	const __u64 dedup = 60 * XE_NSEC;
	struct xdp_env e;
	struct ring r;

	fs_subtest("the same source again within events.dedup: no record/%s",
		   f->name);
	if (!env_open(&e, "events.dedup=60s", NULL))
		return;
	if (!ring_open(&e, &r))
		goto out;
	if (!expect_report(&e, &r, f, f->src, PORT_SMTP,
			   "EHLO mail.example.org\r\n", FS_R_SERVICE, 1))
		goto done;
	expect_report(&e, &r, f, f->src, PORT_SMTP, "EHLO mail.example.org\r\n",
		      FS_R_SERVICE, 0);
	expect_report(&e, &r, f, f->src, PORT_SMTP,
		      "HELO other.example.org\r\n", FS_R_SERVICE, 0);
	xe_clock_set(&e, XE_T0 + dedup - 1);
	expect_report(&e, &r, f, f->src, PORT_SMTP, "EHLO mail.example.org\r\n",
		      FS_R_SERVICE, 0);
	fs_subtest("another source is reported meanwhile/%s", f->name);
	if (expect_report(&e, &r, f, f->peer, PORT_SMTP,
			  "EHLO mail.example.org\r\n", FS_R_SERVICE, 1))
		expect_rec(&e, &r, 0, FS_EV_EHLO, f->peer, PORT_SMTP,
			   "mail.example.org");
	fs_subtest("after events.dedup the source is reported again/%s",
		   f->name);
	xe_clock_set(&e, XE_T0 + dedup);
	if (expect_report(&e, &r, f, f->src, PORT_SMTP,
			  "EHLO again.example.org\r\n", FS_R_SERVICE, 1))
		expect_rec(&e, &r, 0, FS_EV_EHLO, f->src, PORT_SMTP,
			   "again.example.org");
	expect_report(&e, &r, f, f->src, PORT_SMTP,
		      "EHLO again.example.org\r\n", FS_R_SERVICE, 0);
done:
	ring_close(&r);
out:
	xe_close(&e);
}

/* events.rate=5/10: 30 sources at one instant, 10 get through; a second
 * later 5 more tokens. */
static void ehlo_rate(const struct fam *f)
{
	__u64 ev0[FS_E_MAX], ev1[FS_E_MAX];
	__u8 zero[16] = {}; /* the events bucket's key: ::/0 */
	struct fs_ban ban;
	char buf[64];
	struct xdp_env e;
	struct ring r;
	int sent = 0;

	fs_subtest("events.rate=5/10: a burst from 30 sources sends 10/%s",
		   f->name);
	if (!env_open(&e, "events.rate=5/10", "ban.after=1", NULL))
		return;
	if (!ring_open(&e, &r) || !ASSERT_OK(xe_events(&e, ev0), "events"))
		goto out;
	for (int i = 1; i <= 30; i++) {
		if (!expect_report(&e, &r, f, many_src(f, i, buf, sizeof(buf)),
				   PORT_SMTP, "EHLO mail.example.org\r\n",
				   FS_R_SERVICE, i <= 10))
			goto done;
		if (i <= 10)
			sent += expect_rec(&e, &r, 0, FS_EV_EHLO, buf,
					   PORT_SMTP, "mail.example.org");
	}
	ASSERT_EQ(sent, 10, "records of the first 10 sources");
	ASSERT_OK(xe_events(&e, ev1), "events");
	expect_event(ev0, ev1, FS_E_EVENT_SENT, 10);
	expect_event(ev0, ev1, FS_E_EVENT_RATE, 20);
	expect_event(ev0, ev1, FS_E_RING_FULL, 0);
	fs_subtest("events.rate: the global events bucket bans nothing/%s",
		   f->name);
	ASSERT_EQ(xe_ban_get(&e, zero, 0, &ban), -ENOENT, "no ban of ::/0");
	ASSERT_EQ(ban_count(&e, many_src(f, 30, buf, sizeof(buf)), 128), 0,
		  "no ban of a source");
	expect_event(ev0, ev1, FS_E_BAN_SRC, 0);
	expect_event(ev0, ev1, FS_E_BAN_PREFIX, 0);
	fs_subtest("events.rate: one second later, 5 more new sources/%s",
		   f->name);
	xe_clock_set(&e, XE_T0 + XE_NSEC);
	ASSERT_OK(xe_events(&e, ev0), "events");
	for (int i = 31; i <= 40; i++)
		expect_report(&e, &r, f, many_src(f, i, buf, sizeof(buf)),
			      PORT_SMTP, "EHLO mail.example.org\r\n",
			      FS_R_SERVICE, i <= 35);
	ASSERT_OK(xe_events(&e, ev1), "events");
	expect_event(ev0, ev1, FS_E_EVENT_SENT, 5);
	expect_event(ev0, ev1, FS_E_EVENT_RATE, 5);
	/* fs_seen is "when each source was last reported": a source whose
	 * event the bucket refused was not reported, so its next EHLO is. */
	fs_subtest("events.rate: a source refused earlier is reported once "
		   "there is room/%s",
		   f->name);
	xe_clock_set(&e, XE_T0 + 10 * XE_NSEC);
	if (expect_report(&e, &r, f, many_src(f, 11, buf, sizeof(buf)),
			  PORT_SMTP, "EHLO mail.example.org\r\n", FS_R_SERVICE,
			  1))
		expect_rec(&e, &r, 0, FS_EV_EHLO, buf, PORT_SMTP,
			   "mail.example.org");
done:
	ring_close(&r);
out:
	xe_close(&e);
}

FS_TEST(smtp_ehlo)
{
	for_each_fam(f) {
		ehlo_cases_run(f);
		ehlo_lengths(f);
		ehlo_other_segments(f);
		ehlo_dedup(f);
		ehlo_rate(f);
	}
}

/* ---- new HTTP sources (verify.http) --------------------------------- */

#define GOOD_REQ "GET / HTTP/1.1\r\nHost: www.example.org\r\n\r\n"

static void http_sources(const struct fam *f)
{
	__u64 ev0[FS_E_MAX], ev1[FS_E_MAX];
	struct he_seg syn;
	struct xdp_env e;
	struct ring r;

	fs_subtest("verify.http=on: a SYN reports nothing/%s", f->name);
	if (!env_open(&e, "verify.http=on", "events.dedup=60s", NULL))
		return;
	if (!ring_open(&e, &r) || !ASSERT_OK(xe_events(&e, ev0), "events"))
		goto out;
	if (syn_to(f, f->src, PORT_HTTP, &syn))
		expect_seg(&e, &syn, XDP_PASS, FS_R_SERVICE, false);
	ASSERT_EQ(ring_take(&r), 0, "ring-buffer records");
	fs_subtest("verify.http=on: a source's first good request, one "
		   "FS_EV_SOURCE record/%s",
		   f->name);
	if (expect_report(&e, &r, f, f->src, PORT_HTTP, GOOD_REQ, FS_R_HTTP_OK,
			  1))
		expect_rec(&e, &r, 0, FS_EV_SOURCE, f->src, PORT_HTTP, NULL);
	fs_subtest("verify.http=on: its next request within events.dedup, "
		   "none/%s",
		   f->name);
	expect_report(&e, &r, f, f->src, PORT_HTTP, GOOD_REQ, FS_R_HTTP_OK, 0);
	fs_subtest("verify.http=on: bad and unfinished requests report "
		   "nothing/%s",
		   f->name);
	expect_report(&e, &r, f, f->peer, PORT_HTTP,
		      "GET /#101 HTTP/1.1\r\nHost: www.example.org\r\n\r\n",
		      FS_R_HTTP_FRAGMENT, 0);
	expect_report(&e, &r, f, f->peer, PORT_HTTP,
		      "GET / HTTP/1.1\r\nAccept: */*", FS_R_SERVICE, 0);
	fs_subtest("verify.http=on: SYNs to smtp and tcp ports report "
		   "nothing/%s",
		   f->name);
	if (syn_to(f, f->peer, PORT_TCP, &syn))
		expect_seg(&e, &syn, XDP_PASS, FS_R_SERVICE, false);
	if (syn_to(f, f->peer, PORT_SMTP, &syn))
		expect_seg(&e, &syn, XDP_PASS, FS_R_SMTP_UNVERIFIED, false);
	ASSERT_EQ(ring_take(&r), 0, "ring-buffer records");
	ASSERT_OK(xe_events(&e, ev1), "events");
	expect_event(ev0, ev1, FS_E_EVENT_SENT, 1);
	fs_subtest("verify.http=off: a new source's good request, no record/%s",
		   f->name);
	if (!ASSERT_OK(xe_set(&e, "verify.http=off"), "verify.http=off"))
		goto done;
	ASSERT_OK(xe_events(&e, ev0), "events");
	expect_report(&e, &r, f, f->far, PORT_HTTP, GOOD_REQ, FS_R_HTTP_OK, 0);
	ASSERT_OK(xe_events(&e, ev1), "events");
	expect_event(ev0, ev1, FS_E_EVENT_SENT, 0);
	expect_event(ev0, ev1, FS_E_EVENT_RATE, 0);
done:
	ring_close(&r);
out:
	xe_close(&e);
}

/* With real socket lookups, a test segment has no connection behind it:
 * it looks forged, and a forged segment reports nothing. */
static void forged_segments(const struct fam *f)
{
	struct he_seg syn;
	struct xdp_env e;
	struct ring r;

	fs_subtest("no connection in the kernel: an EHLO segment passes, no "
		   "record/%s",
		   f->name);
	if (!ASSERT_OK(xe_open_sockets(&e, true), "load the program"))
		return;
	if (!ASSERT_OK(xe_set(&e, "verify.http=on"), "verify.http=on") ||
	    !ring_open(&e, &r))
		goto out;
	expect_report(&e, &r, f, f->src, PORT_SMTP, "EHLO mail.example.org\r\n",
		      FS_R_SERVICE, 0);
	fs_subtest("no connection in the kernel: a good HTTP request, no "
		   "record/%s",
		   f->name);
	expect_report(&e, &r, f, f->src, PORT_HTTP, GOOD_REQ, FS_R_HTTP_OK, 0);
	fs_subtest("no connection in the kernel: SMTP SYNs policed as usual/%s",
		   f->name);
	if (syn_to(f, f->src, PORT_SMTP, &syn))
		expect_seg(&e, &syn, XDP_PASS, FS_R_SMTP_UNVERIFIED, false);
	ring_close(&r);
out:
	xe_close(&e);
}

FS_TEST(smtp_reports)
{
	for_each_fam(f) {
		http_sources(f);
		forged_segments(f);
	}
}
