// SPDX-License-Identifier: GPL-2.0
/* SMTP session accounting and admission (bpf/session.bpf.h,
 * loader/session.c) under BPF_PROG_TEST_RUN, over IPv4 and IPv6: a SYN
 * counts nothing; the handshake's ACK counts one session in its
 * source's pool; retransmissions count nothing more; the client's FIN
 * or RST ends it; the sweep ends it after smtp.idle (driven with the
 * fake clock); the pools refuse SYNs with a named reason when full while
 * a verified source keeps its reserve; forged SYNs neither charge nor
 * defer a verified source, nor fill a pool; the tempfail pool is a
 * budget of its own; a first proven contact is reported; a weak verdict
 * (ptr_only=weak) is verified. Each segment is checked for its verdict
 * and the one reason counter it moved. */
#include <errno.h>
#include <endian.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "floodshield.skel.h"
#include "test.h"
#include "pkt.h"
#include "xdp_env.h"
#include "http_env.h"
#include "../loader/filter.h"
#include "../loader/loader.h"
#include "../loader/session.h"

#define PORT_SMTP 25
#define SEQ	  0x11223344u
#define ACK	  0x55667788u
#define TCP_PSH	  0x08
#define TCP_FIN	  0x01
#define HOUR	  (3600 * XE_NSEC)
#define IDLE_S	  300

struct fam {
	const char *name;
	int family;
	const char *src, *peer, *verified, *verified2, *temp, *dst;
};

static const struct fam fams[] = {
	{"v4", 4, "198.51.100.10", "203.0.113.30", "198.51.100.20",
	 "198.51.100.21", "203.0.113.40", "192.0.2.1"},
	{"v6", 6, "2001:db8:1:2::10", "2001:db8:9:9::30", "2001:db8:1:2::20",
	 "2001:db8:1:2::21", "2001:db8:9:9::40", "2001:db8::1"},
};

#define for_each_fam(f) for (const struct fam *f = fams; f < fams + 2; f++)

static __u16 fresh_sport(void)
{
	static __u16 port = 20000;

	port = port == 65535 ? 20000 : port + 1;
	return port;
}

static bool seg(const struct fam *f, const char *src, __u8 flags, __u16 sport,
		const char *payload, struct he_seg *out)
{
	return ASSERT_OK(he_seg_make(f->family, src, f->dst, sport, PORT_SMTP,
				     flags, SEQ, ACK, payload, strlen(payload),
				     out),
			 "build segment");
}

/* Send one segment: @verdict and @reason. */
static bool send(struct xdp_env *e, const struct fam *f, const char *src,
		 __u8 flags, __u16 sport, int verdict, enum fs_reason reason)
{
	struct he_result res;
	struct he_seg s;

	return seg(f, src, flags, sport, "", &s) &&
	       he_expect(e, &s, verdict, reason, false, &res);
}

/* A connection: its SYN passes with @pass, its handshake ACK counts it.
 * Returns its client port, 0 on failure. */
static __u16 connect_ok(struct xdp_env *e, const struct fam *f, const char *src,
			enum fs_reason pass)
{
	__u16 sport = fresh_sport();

	if (!send(e, f, src, PKT_SYN, sport, XDP_PASS, pass) ||
	    !send(e, f, src, PKT_ACK, sport, XDP_PASS, FS_R_SERVICE))
		return 0;
	return sport;
}

/* Sessions open in @pool, from the map as the exporter reads it. */
static __u64 pool_open(struct xdp_env *e, __u32 pool)
{
	struct fs_smtp_pool p = {};

	bpf_map_lookup_elem(bpf_map__fd(e->skel->maps.FS_MAP_SMTP_POOLS), &pool,
			    &p);
	return fs_smtp_pool_open(p.opened, p.closed, p.swept);
}

static bool expect_open(struct xdp_env *e, __u64 v, __u64 t, __u64 o)
{
	bool ok = ASSERT_EQ(pool_open(e, FS_POOL_VERIFIED), v, "verified open");

	ok &= ASSERT_EQ(pool_open(e, FS_POOL_TEMPFAIL), t, "tempfail open");
	return ok & ASSERT_EQ(pool_open(e, FS_POOL_OPEN), o, "open pool open");
}

static bool dns_put(struct xdp_env *e, const char *addr, enum fs_dns_class c,
		    enum fs_dns_reason why)
{
	struct fs_dns_val v = {.class = c,
			       .reason = why,
			       .checked_ns = xe_clock(e),
			       .expires_ns = xe_clock(e) + HOUR};
	__u8 key[16];

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

static bool env(struct xdp_env *e, bool sockets, const char *const *kv)
{
	if (!ASSERT_OK(xe_open_sockets(e, sockets), "load the program"))
		return false;
	for (; *kv; kv++)
		if (!ASSERT_OK(xe_set(e, *kv), *kv)) {
			xe_close(e);
			return false;
		}
	return true;
}

static int sweep(struct xdp_env *e)
{
	struct fs_map_fds m;

	fs_maps_from_skel(e->skel, &m);
	return fs_smtp_sweep(&m, xe_clock(e), (__u64)IDLE_S * XE_NSEC);
}

/* ---- counting ---------------------------------------------------------- */

static void counting(const struct fam *f)
{
	static const char *const kv[] = {"smtp.unverified.src=100/100",
					 "smtp.unverified.prefix=off", NULL};
	struct he_result res;
	struct he_seg s;
	struct xdp_env e;
	__u16 sp;

	fs_subtest("a SYN counts no session/%s", f->name);
	if (!env(&e, false, kv))
		return;
	sp = fresh_sport();
	send(&e, f, f->src, PKT_SYN, sp, XDP_PASS, FS_R_SMTP_UNVERIFIED);
	expect_open(&e, 0, 0, 0);
	fs_subtest("the handshake's ACK counts one, in the open pool/%s",
		   f->name);
	send(&e, f, f->src, PKT_ACK, sp, XDP_PASS, FS_R_SERVICE);
	expect_open(&e, 0, 0, 1);
	fs_subtest("a retransmitted SYN, ACK and data count nothing more/%s",
		   f->name);
	send(&e, f, f->src, PKT_SYN, sp, XDP_PASS, FS_R_SMTP_UNVERIFIED);
	send(&e, f, f->src, PKT_ACK, sp, XDP_PASS, FS_R_SERVICE);
	if (seg(f, f->src, PKT_ACK | TCP_PSH, sp, "EHLO a.example.org\r\n", &s))
		he_expect(&e, &s, XDP_PASS, FS_R_SERVICE, false, &res);
	expect_open(&e, 0, 0, 1);
	fs_subtest("the client's FIN ends it, once/%s", f->name);
	send(&e, f, f->src, PKT_ACK | TCP_FIN, sp, XDP_PASS, FS_R_SERVICE);
	expect_open(&e, 0, 0, 0);
	send(&e, f, f->src, PKT_ACK | TCP_FIN, sp, XDP_PASS, FS_R_SERVICE);
	expect_open(&e, 0, 0, 0);
	fs_subtest("the client's RST ends it/%s", f->name);
	sp = connect_ok(&e, f, f->src, FS_R_SMTP_UNVERIFIED);
	expect_open(&e, 0, 0, 1);
	send(&e, f, f->src, PKT_RST | PKT_ACK, sp, XDP_PASS, FS_R_SERVICE);
	expect_open(&e, 0, 0, 0);
	fs_subtest("a FIN or RST of a session never counted changes nothing/%s",
		   f->name);
	send(&e, f, f->src, PKT_RST, fresh_sport(), XDP_PASS, FS_R_SERVICE);
	send(&e, f, f->src, PKT_ACK | TCP_FIN, fresh_sport(), XDP_PASS,
	     FS_R_SERVICE);
	expect_open(&e, 0, 0, 0);
	fs_subtest("idle: the sweep keeps a session seen within smtp.idle/%s",
		   f->name);
	sp = connect_ok(&e, f, f->src, FS_R_SMTP_UNVERIFIED);
	xe_clock_set(&e, xe_clock(&e) + (IDLE_S - 1) * XE_NSEC);
	ASSERT_EQ(sweep(&e), 0, "swept");
	expect_open(&e, 0, 0, 1);
	fs_subtest("idle: a segment keeps it alive, the sweep ends it "
		   "smtp.idle after the last/%s",
		   f->name);
	send(&e, f, f->src, PKT_ACK, sp, XDP_PASS, FS_R_SERVICE);
	xe_clock_set(&e, xe_clock(&e) + (IDLE_S - 1) * XE_NSEC);
	ASSERT_EQ(sweep(&e), 0, "swept before smtp.idle");
	xe_clock_set(&e, xe_clock(&e) + XE_NSEC);
	ASSERT_EQ(sweep(&e), 1, "swept at smtp.idle");
	expect_open(&e, 0, 0, 0);
	ASSERT_EQ(sweep(&e), 0, "swept again: nothing");
	fs_subtest("idle: a swept session that speaks again counts again/%s",
		   f->name);
	send(&e, f, f->src, PKT_ACK, sp, XDP_PASS, FS_R_SERVICE);
	expect_open(&e, 0, 0, 1);
	send(&e, f, f->src, PKT_ACK | TCP_FIN, sp, XDP_PASS, FS_R_SERVICE);
	expect_open(&e, 0, 0, 0);
	fs_subtest("a source allowlisted during its session: its FIN still "
		   "ends it, its next sessions are not counted/%s",
		   f->name);
	sp = connect_ok(&e, f, f->src, FS_R_SMTP_UNVERIFIED);
	expect_open(&e, 0, 0, 1);
	ASSERT_OK(xe_allow(&e, f->src, 0), "allowlist the source");
	send(&e, f, f->src, PKT_ACK | TCP_PSH, sp, XDP_PASS, FS_R_ALLOW);
	send(&e, f, f->src, PKT_ACK | TCP_FIN, sp, XDP_PASS, FS_R_ALLOW);
	expect_open(&e, 0, 0, 0);
	sp = fresh_sport();
	send(&e, f, f->src, PKT_SYN, sp, XDP_PASS, FS_R_ALLOW);
	send(&e, f, f->src, PKT_ACK, sp, XDP_PASS, FS_R_ALLOW);
	expect_open(&e, 0, 0, 0);
	xe_close(&e);
}

/* ---- pools ------------------------------------------------------------- */

/* capacity 8: reserve 25% = 2 verified, tempfail 25% = 2, open 4. */
static void pools(const struct fam *f)
{
	static const char *const kv[] = {"smtp.capacity=8",
					 "smtp.reserve=25",
					 "smtp.tempfail_share=25",
					 "smtp.unverified.src=100/100",
					 "smtp.unverified.prefix=off",
					 "smtp.verified.src=100/100",
					 "smtp.verified.prefix=off",
					 "smtp.tempfail.src=100/100",
					 "smtp.tempfail.prefix=off",
					 NULL};
	__u16 open_sp[4], sp;
	struct xdp_env e;

	fs_subtest("the open pool takes its 4, then refuses "
		   "(smtp_full_open)/%s",
		   f->name);
	if (!env(&e, false, kv))
		return;
	dns_put(&e, f->verified, FS_DNS_VERIFIED, FS_DNSR_OK);
	dns_put(&e, f->verified2, FS_DNS_VERIFIED, FS_DNSR_OK);
	dns_put(&e, f->temp, FS_DNS_TEMP, FS_DNSR_TIMEOUT);
	dns_put(&e, f->peer, FS_DNS_FAILED, FS_DNSR_MISMATCH);
	for (int i = 0; i < 4; i++)
		open_sp[i] = connect_ok(&e, f, i % 2 ? f->peer : f->src,
					i % 2 ? FS_R_SMTP_FAILED
					      : FS_R_SMTP_UNVERIFIED);
	expect_open(&e, 0, 0, 4);
	send(&e, f, f->src, PKT_SYN, fresh_sport(), XDP_DROP,
	     FS_R_SMTP_FULL_OPEN);
	send(&e, f, f->peer, PKT_SYN, fresh_sport(), XDP_DROP,
	     FS_R_SMTP_FULL_OPEN);
	fs_subtest("tempfail has its own budget: 2 while the open pool is "
		   "full, then smtp_full_tempfail/%s",
		   f->name);
	connect_ok(&e, f, f->temp, FS_R_SMTP_TEMPFAIL);
	connect_ok(&e, f, f->temp, FS_R_SMTP_TEMPFAIL);
	send(&e, f, f->temp, PKT_SYN, fresh_sport(), XDP_DROP,
	     FS_R_SMTP_FULL_TEMPFAIL);
	expect_open(&e, 0, 2, 4);
	fs_subtest("verified sources keep their reserve while the others are "
		   "full/%s",
		   f->name);
	connect_ok(&e, f, f->verified, FS_R_SMTP_VERIFIED);
	connect_ok(&e, f, f->verified2, FS_R_SMTP_VERIFIED);
	expect_open(&e, 2, 2, 4);
	fs_subtest("past the reserve with the capacity taken: "
		   "smtp_full_verified/%s",
		   f->name);
	send(&e, f, f->verified, PKT_SYN, fresh_sport(), XDP_DROP,
	     FS_R_SMTP_FULL_VERIFIED);
	fs_subtest("a place freed below the capacity: verified first, the open "
		   "pool still full at its share/%s",
		   f->name);
	send(&e, f, f->src, PKT_ACK | TCP_FIN, open_sp[0], XDP_PASS,
	     FS_R_SERVICE);
	expect_open(&e, 2, 2, 3);
	sp = connect_ok(&e, f, f->verified, FS_R_SMTP_VERIFIED);
	expect_open(&e, 3, 2, 3);
	connect_ok(&e, f, f->src, FS_R_SMTP_UNVERIFIED);
	send(&e, f, f->src, PKT_SYN, fresh_sport(), XDP_DROP,
	     FS_R_SMTP_FULL_OPEN);
	fs_subtest("smtp.capacity=0 (and no Postfix value): no limit/%s",
		   f->name);
	ASSERT_OK(xe_set(&e, "smtp.capacity=0"), "smtp.capacity=0");
	connect_ok(&e, f, f->src, FS_R_SMTP_UNVERIFIED);
	connect_ok(&e, f, f->temp, FS_R_SMTP_TEMPFAIL);
	connect_ok(&e, f, f->verified, FS_R_SMTP_VERIFIED);
	(void)sp;
	xe_close(&e);
}

/* ---- forged SYNs ------------------------------------------------------- */

#define FORGED 300

static void forged(const struct fam *f)
{
	static const char *const kv[] = {"smtp.capacity=4",
					 "smtp.reserve=50",
					 "smtp.verified.src=2/2",
					 "smtp.verified.prefix=2/2",
					 "smtp.unverified.src=100/100",
					 NULL};
	__u64 ev0[FS_E_MAX], ev1[FS_E_MAX];
	struct fs_counter c[FS_R_MAX];
	struct xdp_env e;
	int bad = 0;

	fs_subtest("%d forged SYNs with a verified source's address: all "
		   "pass, none deferred/%s",
		   FORGED, f->name);
	if (!env(&e, false, kv))
		return;
	dns_put(&e, f->verified, FS_DNS_VERIFIED, FS_DNSR_OK);
	for (int i = 0; i < FORGED; i++) {
		struct he_result res;
		struct he_seg s;

		if (!seg(f, f->verified, PKT_SYN, fresh_sport(), "", &s) ||
		    he_run(&e, &s, &res) || res.verdict != XDP_PASS ||
		    res.reason != FS_R_SMTP_VERIFIED)
			bad++;
	}
	ASSERT_EQ(bad, 0, "forged SYNs not passed as smtp_verified");
	fs_subtest("they filled no pool/%s", f->name);
	expect_open(&e, 0, 0, 0);
	fs_subtest("the source's own connections then pass: its bucket was "
		   "not charged/%s",
		   f->name);
	connect_ok(&e, f, f->verified, FS_R_SMTP_VERIFIED);
	connect_ok(&e, f, f->verified, FS_R_SMTP_VERIFIED);
	expect_open(&e, 2, 0, 0);
	fs_subtest("its handshakes charge it: the third SYN is deferred/%s",
		   f->name);
	send(&e, f, f->verified, PKT_SYN, fresh_sport(), XDP_DROP,
	     FS_R_SMTP_DEFER_VERIFIED);
	xe_close(&e);

	fs_subtest("segments with no connection behind them count no "
		   "session and report nothing/%s",
		   f->name);
	if (!env(&e, true, kv))
		return;
	ASSERT_OK(xe_events(&e, ev0), "events");
	for (int i = 0; i < 20; i++) {
		__u16 sp = fresh_sport();

		send(&e, f, f->src, PKT_SYN, sp, XDP_PASS,
		     FS_R_SMTP_UNVERIFIED);
		send(&e, f, f->src, PKT_ACK, sp, XDP_PASS, FS_R_SERVICE);
	}
	expect_open(&e, 0, 0, 0);
	ASSERT_OK(xe_events(&e, ev1), "events");
	ASSERT_EQ(ev1[FS_E_SMTP_OPENED] - ev0[FS_E_SMTP_OPENED], 0,
		  "smtp_opened");
	ASSERT_EQ(ev1[FS_E_EVENT_SENT] - ev0[FS_E_EVENT_SENT], 0, "event_sent");
	ASSERT_OK(xe_counters(&e, c), "counters");
	ASSERT_EQ(c[FS_R_SMTP_FULL_OPEN].packets, 0, "smtp_full_open");
	xe_close(&e);
}

/* A session counted in the open pool whose socket is gone (its client
 * vanished without a FIN or RST): its fs_smtp_flows entry, as
 * session_open() writes it, and the pool's count. */
static bool counted_without_socket(struct xdp_env *e, const struct fam *f,
				   __u16 sport)
{
	struct fs_smtp_flow v = {.last_ns = xe_clock(e), .pool = FS_POOL_OPEN};
	struct fs_smtp_pool p = {.opened = 1};
	struct fs_flow_key k = {.sport = htobe16(sport),
				.dport = htobe16(PORT_SMTP)};
	__u32 pool = FS_POOL_OPEN;

	pkt_addr(f->src, k.addr);
	return ASSERT_OK(bpf_map_update_elem(
				 bpf_map__fd(e->skel->maps.FS_MAP_SMTP_FLOWS),
				 &k, &v, BPF_NOEXIST),
			 "write fs_smtp_flows") &&
	       ASSERT_OK(bpf_map_update_elem(
				 bpf_map__fd(e->skel->maps.FS_MAP_SMTP_POOLS),
				 &pool, &p, BPF_ANY),
			 "write fs_smtp_pools");
}

/* Liveness needs the socket's proof: segments forged with a counted
 * session's ports (2^16 guesses per client address) once per smtp.idle
 * kept a session whose socket was gone counted for ever, and a pool
 * filled with such sessions deferred every source of its class. */
static void forged_alive(const struct fam *f)
{
	static const char *const kv[] = {"smtp.capacity=4", NULL};
	struct xdp_env e;
	__u16 sp = fresh_sport();

	fs_subtest("segments forged with a counted session's ports do not "
		   "keep it alive: swept at smtp.idle/%s",
		   f->name);
	if (!env(&e, true, kv))
		return;
	if (counted_without_socket(&e, f, sp)) {
		expect_open(&e, 0, 0, 1);
		for (int i = 0; i < 3; i++) {
			xe_clock_set(&e, xe_clock(&e) + 100 * XE_NSEC);
			send(&e, f, f->src, PKT_ACK, sp, XDP_PASS,
			     FS_R_SERVICE);
			send(&e, f, f->src, PKT_ACK | TCP_PSH, sp, XDP_PASS,
			     FS_R_SERVICE);
		}
		xe_clock_set(&e, xe_clock(&e) + (IDLE_S - 300) * XE_NSEC);
		ASSERT_EQ(sweep(&e), 1, "swept at smtp.idle after the count");
		expect_open(&e, 0, 0, 0);
	}
	xe_close(&e);
}

/* ---- first contact and weak verdicts ---------------------------------- */

static int ring_count(void *ctx, void *data, size_t len)
{
	int *n = ctx;
	const struct fs_event_rec *r = data;

	if (len == sizeof(*r) && r->type == FS_EV_CONTACT)
		n[0]++;
	else
		n[1]++;
	return 0;
}

static void contact(const struct fam *f)
{
	static const char *const kv[] = {"smtp.unverified.src=100/100",
					 "smtp.verified.src=100/100", NULL};
	struct ring_buffer *rb;
	struct xdp_env e;
	int n[2] = {};
	__u16 sp;

	fs_subtest("a SYN reports nothing; the handshake of a source without "
		   "a verdict reports one first contact/%s",
		   f->name);
	if (!env(&e, false, kv))
		return;
	rb = ring_buffer__new(bpf_map__fd(e.skel->maps.FS_MAP_RING), ring_count,
			      n, NULL);
	if (!ASSERT_TRUE(rb != NULL, "ring"))
		goto out;
	sp = fresh_sport();
	send(&e, f, f->src, PKT_SYN, sp, XDP_PASS, FS_R_SMTP_UNVERIFIED);
	ring_buffer__consume(rb);
	ASSERT_EQ(n[0] + n[1], 0, "records after the SYN");
	send(&e, f, f->src, PKT_ACK, sp, XDP_PASS, FS_R_SERVICE);
	ring_buffer__consume(rb);
	ASSERT_EQ(n[0], 1, "FS_EV_CONTACT records");
	ASSERT_EQ(n[1], 0, "other records");
	fs_subtest("a source with a live verdict is not reported/%s", f->name);
	dns_put(&e, f->verified, FS_DNS_VERIFIED, FS_DNSR_OK);
	connect_ok(&e, f, f->verified, FS_R_SMTP_VERIFIED);
	n[0] = n[1] = 0;
	ring_buffer__consume(rb);
	ASSERT_EQ(n[0] + n[1], 0, "records");
	fs_subtest("ptr_only=weak: a verdict verified (weak) uses the verified "
		   "bucket and pool/%s",
		   f->name);
	dns_put(&e, f->verified2, FS_DNS_VERIFIED, FS_DNSR_WEAK);
	connect_ok(&e, f, f->verified2, FS_R_SMTP_VERIFIED);
	expect_open(&e, 2, 0, 1);
	ring_buffer__free(rb);
out:
	xe_close(&e);
}

/* ---- verified verdicts served stale ------------------------------------ */

/* A verified sender whose verdict expires while bots hold the open pool
 * is still admitted as verified (and its session reports a first
 * contact, so that the daemon checks it again), for FS_DNS_STALE_NS past
 * the expiry; a failed verdict is not kept. */
static void stale(const struct fam *f)
{
	static const char *const kv[] = {"smtp.capacity=8",
					 "smtp.reserve=25",
					 "smtp.tempfail_share=25",
					 "smtp.unverified.src=100/100",
					 "smtp.unverified.prefix=off",
					 "smtp.verified.src=100/100",
					 "smtp.verified.prefix=off",
					 "smtp.failed.src=100/100",
					 "smtp.failed.prefix=off",
					 NULL};
	struct ring_buffer *rb;
	struct xdp_env e;
	int n[2] = {};

	fs_subtest("an expired verified verdict, open pool held: still "
		   "verified, its session reported for a new check/%s",
		   f->name);
	if (!env(&e, false, kv))
		return;
	rb = ring_buffer__new(bpf_map__fd(e.skel->maps.FS_MAP_RING), ring_count,
			      n, NULL);
	if (!ASSERT_TRUE(rb != NULL, "ring"))
		goto out;
	dns_put(&e, f->verified, FS_DNS_VERIFIED, FS_DNSR_OK);
	dns_put(&e, f->peer, FS_DNS_FAILED, FS_DNSR_NO_PTR);
	for (int i = 0; i < 4; i++)
		connect_ok(&e, f, f->src, FS_R_SMTP_UNVERIFIED);
	expect_open(&e, 0, 0, 4);
	ring_buffer__consume(rb);
	n[0] = n[1] = 0;
	xe_clock_set(&e, xe_clock(&e) + HOUR + XE_NSEC);
	connect_ok(&e, f, f->verified, FS_R_SMTP_VERIFIED);
	expect_open(&e, 1, 0, 4);
	ring_buffer__consume(rb);
	ASSERT_EQ(n[0], 1, "FS_EV_CONTACT records");
	fs_subtest("an expired failed verdict counts as unverified: "
		   "smtp_full_open/%s",
		   f->name);
	send(&e, f, f->peer, PKT_SYN, fresh_sport(), XDP_DROP,
	     FS_R_SMTP_FULL_OPEN);
	fs_subtest("FS_DNS_STALE_NS past the expiry: unverified, "
		   "smtp_full_open/%s",
		   f->name);
	xe_clock_set(&e, xe_clock(&e) + FS_DNS_STALE_NS);
	send(&e, f, f->verified, PKT_SYN, fresh_sport(), XDP_DROP,
	     FS_R_SMTP_FULL_OPEN);
	ring_buffer__free(rb);
out:
	xe_close(&e);
}

FS_TEST(smtp_session)
{
	for_each_fam(f) {
		counting(f);
		pools(f);
		forged(f);
		forged_alive(f);
		contact(f);
		stale(f);
	}
}
