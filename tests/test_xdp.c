// SPDX-License-Identifier: GPL-2.0
/* The XDP program under BPF_PROG_TEST_RUN: every parse path, the lists,
 * SYN policing per source and per prefix, bans and observe mode. Each
 * packet is checked for its verdict, for the one reason counter it moved
 * and, when passed, for coming back unchanged. Tests that apply to both
 * families run once per family, over the same code.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/bpf.h>
#include "test.h"
#include "pkt.h"
#include "xdp_env.h"
#include "http_env.h"
#include "floodshield.skel.h"
#include "../loader/filter.h"
#include "../loader/names.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#define PORT_SVC  8443	 /* FS_SVC_TCP in every environment here */
#define PORT_OPEN 9999	 /* no service */
#define TPID_Q	  0x8100 /* 802.1Q */
#define TPID_AD	  0x88A8 /* 802.1ad (QinQ outer) */
#define ETH_P_ARP 0x0806
#define MS	  1000000ull
#define FRAG2	  185 /* 1480 bytes: 2nd fragment at MTU 1500 */

/* Addresses of one family, chosen so that one set of tests fits both. */
struct fam {
	const char *name;
	int family;
	const char *dst;
	const char *src;   /* the offender */
	const char *peer;  /* same per-prefix bucket as src (/24, /64) */
	const char *wide;  /* other /24 of src's /16; other /64 of its /48 */
	const char *far;   /* outside all of the above */
	const char *net;   /* static block holding src and peer: /24, /48 */
	__u8 pfx_plen;	   /* per-prefix key length by default (128-bit) */
	const char *widen; /* setting that groups src and wide */
	__u8 wide_plen;	   /* per-prefix key length after it */
};

static const struct fam fams[] = {
	{"v4", 4, "192.0.2.1", "10.1.2.3", "10.1.2.77", "10.1.200.5",
	 "10.9.9.9", "10.1.2.0/24", 120, "prefix.v4=16", 112},
	{"v6", 6, "2001:db8:ffff::1", "2001:db8:1:2::3", "2001:db8:1:2::77",
	 "2001:db8:1:200::5", "2001:db8:9:9::9", "2001:db8:1::/48", 64,
	 "prefix.v6=48", 48},
};

#define for_each_fam(f) \
	for (const struct fam *f = fams; f < fams + ARRAY_SIZE(fams); f++)

/* A SYN from @src to the protected port, in @f's family. */
static struct pkt_spec pkt_from(const struct fam *f, const char *src)
{
	struct pkt_spec s = {
		.family = f->family,
		.tcp_flags = PKT_SYN,
		.dport = PORT_SVC,
	};

	pkt_addr(src, s.src);
	pkt_addr(f->dst, s.dst);
	return s;
}

/* Open an environment with PORT_SVC protected and the NULL-terminated
 * settings applied. False (subtest failed) when any step fails. */
static bool env_open(struct xdp_env *e, ...)
{
	const char *kv;
	va_list ap;
	bool ok;

	if (!ASSERT_OK(xe_open(e), "load the program"))
		return false;
	ok = ASSERT_OK(xe_service(e, PORT_SVC, FS_SVC_TCP), "service port");
	/* The buckets' own arithmetic: with cookies on, a SYN these fixtures
	 * send (no listener behind them) is left to the kernel, never
	 * dropped for its bucket (test_syn.c has the cookie path) */
	ok = ok && ASSERT_OK(xe_set(e, "syn.cookies=off"), "syn.cookies=off");
	va_start(ap, e);
	while (ok && (kv = va_arg(ap, const char *)))
		ok = ASSERT_OK(xe_set(e, kv), kv);
	va_end(ap);
	if (!ok)
		xe_close(e);
	return ok;
}

/* The counter of @r moved by exactly @want. */
static bool counter_moved(unsigned r, const struct fs_counter *got,
			  const struct fs_counter *want)
{
	char what[64];
	bool ok;

	snprintf(what, sizeof(what), "%s packets", fs_reason_name(r));
	ok = ASSERT_EQ(got->packets, want->packets, what);
	snprintf(what, sizeof(what), "%s bytes", fs_reason_name(r));
	ok &= ASSERT_EQ(got->bytes, want->bytes, what);
	snprintf(what, sizeof(what), "%s observed packets", fs_reason_name(r));
	ok &= ASSERT_EQ(got->observed_packets, want->observed_packets, what);
	snprintf(what, sizeof(what), "%s observed bytes", fs_reason_name(r));
	ok &= ASSERT_EQ(got->observed_bytes, want->observed_bytes, what);
	return ok;
}

/* Send @s once. Asserts the verdict, that the counter of @reason alone
 * moved, by one packet (one observed packet when @observed), and that a
 * passed frame comes back byte for byte, or, for a RESET reason, of the
 * same length but rewritten (tests/test_http.c checks the rewrite). */
static bool send_check(struct xdp_env *e, const struct pkt_spec *s, int verdict,
		       enum fs_reason reason, bool observed)
{
	struct fs_counter before[FS_R_MAX], after[FS_R_MAX];
	__u8 in[PKT_MAX], out[PKT_MAX];
	ssize_t len = pkt_build(s, in, sizeof(in), NULL);
	size_t out_len = sizeof(out);
	int ret;
	bool ok;

	if (!ASSERT_TRUE(len >= 0, "pkt_build") ||
	    !ASSERT_OK(xe_counters(e, before), "read counters"))
		return false;
	ret = xe_run(e, in, len, out, &out_len);
	ok = ASSERT_EQ(ret, verdict, "verdict");
	if (!ASSERT_OK(xe_counters(e, after), "read counters"))
		return false;
	for (unsigned r = 0; r < FS_R_MAX; r++) {
		struct fs_counter
			got =
				{
					after[r].packets - before[r].packets,
					after[r].bytes - before[r].bytes,
					after[r].observed_packets -
						before[r].observed_packets,
					after[r].observed_bytes -
						before[r].observed_bytes,
				},
			want = {};

		if (r == reason && observed)
			want.observed_packets = 1, want.observed_bytes = len;
		else if (r == reason)
			want.packets = 1, want.bytes = len;
		ok &= counter_moved(r, &got, &want);
	}
	if (ret == XDP_PASS && fs_reason_resets(reason) && !observed)
		ok &= ASSERT_EQ(out_len, len, "output length") &&
		      ASSERT_TRUE(memcmp(out, in, len) != 0, "segment "
							     "rewritten");
	else if (ret == XDP_PASS)
		ok &= ASSERT_EQ(out_len, len, "output length") &&
		      ASSERT_MEMEQ(out, in, len, "output bytes");
	return ok;
}

/* Send @s @n times, each with @verdict and @reason. */
static bool expect_n(struct xdp_env *e, const struct pkt_spec *s, int n,
		     int verdict, enum fs_reason reason)
{
	for (int i = 0; i < n; i++) {
		if (!send_check(e, s, verdict, reason, false)) {
			fs_test_fail(__FILE__, __LINE__, "at packet %d of %d",
				     i + 1, n);
			return false;
		}
	}
	return true;
}

static bool expect(struct xdp_env *e, const struct pkt_spec *s, int verdict,
		   enum fs_reason reason)
{
	return expect_n(e, s, 1, verdict, reason);
}

/* A dropping @reason under observe mode: passed, counted as observed. */
static bool expect_observed(struct xdp_env *e, const struct pkt_spec *s,
			    enum fs_reason reason)
{
	return send_check(e, s, XDP_PASS, reason, true);
}

/* The ban of @addr/@plen was made just now, for @why, as the @count-th
 * ban of that key, for @ttl. */
static bool expect_ban(struct xdp_env *e, const char *addr, __u8 plen,
		       enum fs_ban_reason why, __u32 count, __u64 ttl)
{
	struct fs_ban ban;
	__u8 a[16];
	bool ok;

	pkt_addr(addr, a);
	if (!ASSERT_OK(xe_ban_get(e, a, plen, &ban), "ban recorded"))
		return false;
	ok = ASSERT_EQ(ban.reason, why, "ban reason");
	ok &= ASSERT_EQ(ban.count, count, "ban count");
	ok &= ASSERT_EQ(ban.created_ns, xe_clock(e), "ban created");
	ok &= ASSERT_EQ(ban.expires_ns, xe_clock(e) + ttl, "ban expiry");
	return ok;
}

/* Number of bans of @addr/@plen so far: its count, 0 when none. */
static __u32 ban_count(struct xdp_env *e, const char *addr, __u8 plen)
{
	struct fs_ban ban;
	__u8 a[16];

	pkt_addr(addr, a);
	return xe_ban_get(e, a, plen, &ban) ? 0 : ban.count;
}

static bool expect_no_ban(struct xdp_env *e, const char *addr, __u8 plen)
{
	return ASSERT_EQ(ban_count(e, addr, plen), 0, "no ban");
}

static bool expect_event(const __u64 *before, const __u64 *after,
			 enum fs_event ev, __u64 n)
{
	return ASSERT_EQ(after[ev] - before[ev], n, fs_event_name(ev));
}

/* ---- parsing ---------------------------------------------------------- */

struct fixture {
	const char *desc;
	int only;	      /* 4 or 6: that family only; 0: both */
	struct pkt_spec spec; /* family and addresses come from the run */
	int verdict;
	enum fs_reason reason;
};

#define SYN_SVC		 .tcp_flags = PKT_SYN, .dport = PORT_SVC
#define CUT(mark, delta) .cut_mark = PKT_M_##mark, .cut_delta = (delta)
#define ARP		 .ethertype = ETH_P_ARP, .payload_len = 28

static const struct fixture fixtures[] = {
	/* L2: not IP, or cut before L3 (run once, no family) */
	{"ARP", 0, {ARP}, XDP_PASS, FS_R_NON_IP},
	{"ARP in 802.1Q", 0, {ARP, .vlan = {TPID_Q}}, XDP_PASS, FS_R_NON_IP},
	{"ARP in QinQ",
	 0,
	 {ARP, .vlan = {TPID_AD, TPID_Q}},
	 XDP_PASS,
	 FS_R_NON_IP},
	{"empty frame", 0, {ARP, CUT(L3, -14)}, XDP_PASS, FS_R_MALFORMED},
	{"frame shorter than Ethernet",
	 0,
	 {ARP, CUT(L3, -1)},
	 XDP_PASS,
	 FS_R_MALFORMED},
	{"cut inside 802.1Q tag",
	 0,
	 {ARP, .vlan = {TPID_Q}, CUT(L3, -1)},
	 XDP_PASS,
	 FS_R_MALFORMED},
	{"cut inside QinQ inner tag",
	 0,
	 {ARP, .vlan = {TPID_AD, TPID_Q}, CUT(L3, -3)},
	 XDP_PASS,
	 FS_R_MALFORMED},
	/* Well-formed, both families */
	{"SYN to protected port", 0, {SYN_SVC}, XDP_PASS, FS_R_SERVICE},
	{"SYN with options and payload",
	 0,
	 {SYN_SVC, .tcp_opt_len = 20, .payload_len = 100},
	 XDP_PASS,
	 FS_R_SERVICE},
	{"ACK to unprotected port",
	 0,
	 {.tcp_flags = PKT_ACK, .dport = PORT_OPEN},
	 XDP_PASS,
	 FS_R_NO_SERVICE},
	{"SYN to unprotected port",
	 0,
	 {.tcp_flags = PKT_SYN, .dport = PORT_OPEN},
	 XDP_PASS,
	 FS_R_NO_SERVICE},
	{"UDP",
	 0,
	 {.l4 = PKT_UDP, .dport = PORT_SVC, .payload_len = 32},
	 XDP_PASS,
	 FS_R_NOT_TCP},
	{"ICMP echo",
	 0,
	 {.l4 = PKT_ICMP, .payload_len = 56},
	 XDP_PASS,
	 FS_R_NOT_TCP},
	{"802.1Q", 0, {SYN_SVC, .vlan = {TPID_Q}}, XDP_PASS, FS_R_SERVICE},
	{"QinQ",
	 0,
	 {SYN_SVC, .vlan = {TPID_AD, TPID_Q}},
	 XDP_PASS,
	 FS_R_SERVICE},
	{"first fragment (MF, offset 0) of TCP to a service: dropped",
	 0,
	 {SYN_SVC, .mf = true},
	 XDP_DROP,
	 FS_R_TCP_FRAGMENT},
	{"middle fragment",
	 0,
	 {SYN_SVC, .mf = true, .frag_off = FRAG2},
	 XDP_PASS,
	 FS_R_FRAGMENT},
	{"last fragment",
	 0,
	 {SYN_SVC, .frag_off = FRAG2},
	 XDP_PASS,
	 FS_R_FRAGMENT},
	{"three VLAN tags (Linux strips priority tags): dropped",
	 0,
	 {SYN_SVC, .vlan = {TPID_Q, TPID_Q, TPID_Q}},
	 XDP_DROP,
	 FS_R_VLAN_DEEP},
	{"ARP behind three VLAN tags: dropped",
	 0,
	 {ARP, .vlan = {TPID_AD, TPID_Q, TPID_Q}},
	 XDP_DROP,
	 FS_R_VLAN_DEEP},
	{"first fragment whose TCP options spill into the next: dropped",
	 0,
	 {SYN_SVC, .mf = true, .doff = 8},
	 XDP_DROP,
	 FS_R_FRAG_CUT},
	{"first fragment cut inside the TCP header: dropped",
	 0,
	 {SYN_SVC, .mf = true, CUT(L4, 8)},
	 XDP_DROP,
	 FS_R_FRAG_CUT},
	{"first fragment with data offset 4: dropped",
	 0,
	 {SYN_SVC, .mf = true, .doff = 4},
	 XDP_DROP,
	 FS_R_FRAG_CUT},
	{"first fragment of TCP to an unprotected port, cut: dropped",
	 0,
	 {.tcp_flags = PKT_ACK, .dport = PORT_OPEN, .mf = true, .doff = 8},
	 XDP_DROP,
	 FS_R_FRAG_CUT},
	{"fragment in QinQ",
	 0,
	 {SYN_SVC, .vlan = {TPID_AD, TPID_Q}, .frag_off = 1},
	 XDP_PASS,
	 FS_R_FRAGMENT},
	/* Malformed, both families */
	{"cut inside IP header",
	 0,
	 {SYN_SVC, CUT(L3, 10)},
	 XDP_PASS,
	 FS_R_MALFORMED},
	{"cut inside IP header in 802.1Q",
	 0,
	 {SYN_SVC, .vlan = {TPID_Q}, CUT(L3, 19)},
	 XDP_PASS,
	 FS_R_MALFORMED},
	{"cut before TCP header",
	 0,
	 {SYN_SVC, CUT(L4, 0)},
	 XDP_PASS,
	 FS_R_MALFORMED_L4},
	{"cut inside TCP header",
	 0,
	 {SYN_SVC, CUT(L4, 13)},
	 XDP_PASS,
	 FS_R_MALFORMED_L4},
	{"cut inside TCP options",
	 0,
	 {SYN_SVC, .tcp_opt_len = 12, CUT(L4_OPT, 8)},
	 XDP_PASS,
	 FS_R_MALFORMED_L4},
	{"TCP data offset past the frame",
	 0,
	 {SYN_SVC, .doff = 15},
	 XDP_PASS,
	 FS_R_MALFORMED_L4},
	{"TCP data offset 4",
	 0,
	 {SYN_SVC, .doff = 4},
	 XDP_PASS,
	 FS_R_MALFORMED_L4},
	/* IPv4 only */
	{"IPv4 options", 4, {SYN_SVC, .ip_opt_len = 8}, XDP_PASS, FS_R_SERVICE},
	{"tiny first fragment (8 TCP bytes by the total length, a trailer "
	 "after): dropped",
	 4,
	 {SYN_SVC, .mf = true, .tot_len = 28},
	 XDP_DROP,
	 FS_R_FRAG_CUT},
	{"TCP header past the total length, in the trailer",
	 4,
	 {SYN_SVC, .tot_len = 30},
	 XDP_PASS,
	 FS_R_MALFORMED_L4},
	{"Ethernet padding after a SYN",
	 4,
	 {SYN_SVC, .payload_len = 6, .tot_len = 40},
	 XDP_PASS,
	 FS_R_SERVICE},
	{"IPv4 header of 60 bytes",
	 4,
	 {SYN_SVC, .ip_opt_len = 40},
	 XDP_PASS,
	 FS_R_SERVICE},
	{"cut inside IPv4 options",
	 4,
	 {SYN_SVC, .ip_opt_len = 8, CUT(L3_OPT, 5)},
	 XDP_PASS,
	 FS_R_MALFORMED},
	{"IPv4 options truncated (IHL past the frame)",
	 4,
	 {SYN_SVC, .ip_opt_len = 8, CUT(L3_OPT, 0)},
	 XDP_PASS,
	 FS_R_MALFORMED},
	{"IHL 15 without options",
	 4,
	 {.l4 = PKT_UDP, .ihl = 15},
	 XDP_PASS,
	 FS_R_MALFORMED},
	{"IHL 4", 4, {SYN_SVC, .ihl = 4}, XDP_PASS, FS_R_MALFORMED},
	{"IHL 1", 4, {SYN_SVC, .ihl = 1}, XDP_PASS, FS_R_MALFORMED},
	{"version 6 in IPv4 EtherType",
	 4,
	 {SYN_SVC, .version = 6},
	 XDP_PASS,
	 FS_R_MALFORMED},
	{"total length below 20",
	 4,
	 {SYN_SVC, .tot_len = 19},
	 XDP_PASS,
	 FS_R_MALFORMED},
	{"total length below IHL*4",
	 4,
	 {SYN_SVC, .ip_opt_len = 8, .tot_len = 24},
	 XDP_PASS,
	 FS_R_MALFORMED},
	{"total length of the header only",
	 4,
	 {.l4 = PKT_UDP, .tot_len = 20},
	 XDP_PASS,
	 FS_R_NOT_TCP},
	/* IPv6 only */
	{"version 4 in IPv6 EtherType",
	 6,
	 {SYN_SVC, .version = 4},
	 XDP_PASS,
	 FS_R_MALFORMED},
	{"hop-by-hop", 6, {SYN_SVC, .ext = "h"}, XDP_PASS, FS_R_SERVICE},
	{"routing", 6, {SYN_SVC, .ext = "r"}, XDP_PASS, FS_R_SERVICE},
	{"destination options",
	 6,
	 {SYN_SVC, .ext = "d"},
	 XDP_PASS,
	 FS_R_SERVICE},
	{"hop-by-hop, destination, routing, destination",
	 6,
	 {SYN_SVC, .ext = "hdrd"},
	 XDP_PASS,
	 FS_R_SERVICE},
	{"6 extension headers (the limit)",
	 6,
	 {SYN_SVC, .ext = "hdrdrd"},
	 XDP_PASS,
	 FS_R_SERVICE},
	{"5 extension headers and a first fragment",
	 6,
	 {SYN_SVC, .ext = "hdrdr", .mf = true},
	 XDP_DROP,
	 FS_R_TCP_FRAGMENT},
	{"7 extension headers",
	 6,
	 {SYN_SVC, .ext = "hdrdrdd"},
	 XDP_DROP,
	 FS_R_EXT_CHAIN},
	{"8 extension headers, UDP",
	 6,
	 {.l4 = PKT_UDP, .ext = "hdrdrdrd"},
	 XDP_DROP,
	 FS_R_EXT_CHAIN},
	{"non-first fragment after 6 extension headers",
	 6,
	 {SYN_SVC, .ext = "hdrdrdf", .frag_off = FRAG2},
	 XDP_PASS,
	 FS_R_FRAGMENT},
	{"atomic fragment (offset 0, M=0): a whole packet, judged",
	 6,
	 {SYN_SVC, .ext = "f"},
	 XDP_PASS,
	 FS_R_SERVICE},
	{"first fragment cut inside the destination options after it: "
	 "dropped",
	 6,
	 {SYN_SVC, .ext = "fd", .mf = true, CUT(L3_OPT, 12)},
	 XDP_DROP,
	 FS_R_FRAG_CUT},
	{"first fragment whose chain ends past the payload length: dropped",
	 6,
	 {SYN_SVC, .ext = "fd", .mf = true, .tot_len = 12},
	 XDP_DROP,
	 FS_R_FRAG_CUT},
	{"whole packet whose chain ends past the payload length",
	 6,
	 {SYN_SVC, .ext = "hd", .tot_len = 12},
	 XDP_PASS,
	 FS_R_MALFORMED},
	{"TCP header past the payload length",
	 6,
	 {SYN_SVC, .tot_len = 10},
	 XDP_PASS,
	 FS_R_MALFORMED_L4},
	{"non-first fragment after routing",
	 6,
	 {SYN_SVC, .ext = "rf", .frag_off = FRAG2},
	 XDP_PASS,
	 FS_R_FRAGMENT},
	{"UDP after destination options",
	 6,
	 {.l4 = PKT_UDP, .ext = "d"},
	 XDP_PASS,
	 FS_R_NOT_TCP},
	{"cut inside hop-by-hop (next header)",
	 6,
	 {SYN_SVC, .ext = "h", CUT(L3_OPT, 1)},
	 XDP_PASS,
	 FS_R_MALFORMED},
	{"cut inside second extension header",
	 6,
	 {SYN_SVC, .ext = "hd", CUT(L3_OPT, 9)},
	 XDP_PASS,
	 FS_R_MALFORMED},
	{"cut inside fragment header",
	 6,
	 {SYN_SVC, .ext = "hf", CUT(L3_OPT, 11)},
	 XDP_PASS,
	 FS_R_MALFORMED},
	{"cut inside hop-by-hop options",
	 6,
	 {SYN_SVC, .ext = "h", CUT(L3_OPT, 4)},
	 XDP_PASS,
	 FS_R_MALFORMED},
	{"cut inside destination options, UDP",
	 6,
	 {.l4 = PKT_UDP, .ext = "d", CUT(L3_OPT, 4)},
	 XDP_PASS,
	 FS_R_MALFORMED},
};

static bool fixture_applies(const struct fixture *fx, const struct fam *f)
{
	if (fx->spec.ethertype) /* not IP: the first family only */
		return f == fams;
	return !fx->only || fx->only == f->family;
}

/* One environment, default limits; the clock moves on between fixtures
 * so that every SYN finds full buckets. */
FS_TEST(xdp_parse)
{
	struct xdp_env e;

	if (!env_open(&e, NULL))
		return;
	for (size_t i = 0; i < ARRAY_SIZE(fixtures); i++) {
		const struct fixture *fx = &fixtures[i];

		for_each_fam(f) {
			struct pkt_spec s = fx->spec;

			if (!fixture_applies(fx, f))
				continue;
			xe_clock_set(&e, xe_clock(&e) + 10 * XE_NSEC);
			if (s.ethertype) {
				fs_subtest("%s", fx->desc);
			} else {
				fs_subtest("%s/%s", fx->desc, f->name);
				s.family = f->family;
				pkt_addr(f->src, s.src);
				pkt_addr(f->dst, s.dst);
			}
			expect(&e, &s, fx->verdict, fx->reason);
		}
	}
	xe_close(&e);
}

/* ---- lists ------------------------------------------------------------ */

/* Send @burst SYNs from @src within the rate, then ban.after (@after)
 * over it, the last of which bans @src for the @count-th time, for @ttl. */
/* A bad HTTP request ('#' in the target) from @src to port 80 on its own
 * connection (a new source port each time): reset, and charged to the
 * bad-request bucket (the fixtures' kernel holds every connection). The
 * evidence a ban needs: SYN counts ban nobody (tests/test_syn.c). */
static bool bad_request(struct xdp_env *e, const struct fam *f, const char *src)
{
	static const char req[] = "GET /#x HTTP/1.1\r\nHost: a.example\r\n\r\n";
	static __u16 sport = 41000;
	struct pkt_spec s = pkt_from(f, src);
	struct he_result res;
	struct he_seg seg;

	s.dport = 80;
	s.sport = sport++;
	s.tcp_flags = PKT_ACK;
	if (!ASSERT_OK(he_build(&s, req, sizeof(req) - 1, &seg), "he_build"))
		return false;
	return he_expect(e, &seg, XDP_PASS, FS_R_HTTP_FRAGMENT, false, &res);
}

static bool bad_requests(struct xdp_env *e, const struct fam *f,
			 const char *src, int n)
{
	for (int i = 0; i < n; i++)
		if (!bad_request(e, f, src))
			return false;
	return true;
}

/* Settings under which a source's 4th bad request bans it. */
#define BAN_RATES "http.bad.src=1/3"

/* @burst bad requests from @src pass without a ban (the bucket's burst),
 * the next one bans it, the @count-th ban of the source, for @ttl. */
static bool trigger_ban(struct xdp_env *e, const struct fam *f, const char *src,
			int burst, __u32 count, __u64 ttl)
{
	return bad_requests(e, f, src, burst) &&
	       ASSERT_EQ(ban_count(e, src, 128), count - 1, "bans before") &&
	       bad_request(e, f, src) &&
	       expect_ban(e, src, 128, FS_BAN_HTTP_BAD, count, ttl);
}

static void lists_allow(const struct fam *f)
{
	struct pkt_spec syn = pkt_from(f, f->src), udp = syn;
	struct xdp_env e;

	udp.l4 = PKT_UDP;
	fs_subtest("allow wins over block/%s", f->name);
	if (env_open(&e, NULL)) {
		ASSERT_OK(xe_block(&e, f->net, 0), "block");
		ASSERT_OK(xe_allow(&e, f->src, 0), "allow");
		expect(&e, &syn, XDP_PASS, FS_R_ALLOW);
		expect(&e, &udp, XDP_PASS, FS_R_ALLOW);
		xe_close(&e);
	}
	fs_subtest("allow wins over rate limit/%s", f->name);
	if (env_open(&e, "syn.tcp.src=5/5", "ban.after=3", NULL)) {
		ASSERT_OK(xe_allow(&e, f->src, 0), "allow");
		expect_n(&e, &syn, 20, XDP_PASS, FS_R_ALLOW);
		expect_no_ban(&e, f->src, 128);
		xe_close(&e);
	}
	fs_subtest("allow wins over ban/%s", f->name);
	if (env_open(&e, BAN_RATES, NULL)) {
		if (trigger_ban(&e, f, f->src, 3, 1, 60 * XE_NSEC) &&
		    expect(&e, &syn, XDP_DROP, FS_R_BAN)) {
			ASSERT_OK(xe_allow(&e, f->net, 0), "allow");
			expect(&e, &syn, XDP_PASS, FS_R_ALLOW);
		}
		xe_close(&e);
	}
}

static void lists_block(const struct fam *f)
{
	struct pkt_spec src = pkt_from(f, f->src), peer = pkt_from(f, f->peer);
	struct pkt_spec far = pkt_from(f, f->far);
	struct xdp_env e;

	fs_subtest("static block by prefix/%s", f->name);
	if (env_open(&e, NULL)) {
		ASSERT_OK(xe_block(&e, f->net, 0), "block");
		expect(&e, &src, XDP_DROP, FS_R_BLOCK);
		expect(&e, &peer, XDP_DROP, FS_R_BLOCK);
		expect(&e, &far, XDP_PASS, FS_R_SERVICE);
		xe_close(&e);
	}
	fs_subtest("block applies to every L4 once L3 parsed/%s", f->name);
	if (env_open(&e, NULL)) {
		struct pkt_spec v[] = {src, src, src, src, src, src};

		v[0].l4 = PKT_UDP;
		v[1].l4 = PKT_ICMP;
		v[2].frag_off = FRAG2;	/* non-first fragment */
		v[3].doff = 4;		/* malformed TCP */
		v[4].dport = PORT_OPEN; /* no service */
		v[5].vlan[0] = TPID_Q;
		ASSERT_OK(xe_block(&e, f->net, 0), "block");
		for (size_t i = 0; i < ARRAY_SIZE(v); i++)
			expect(&e, &v[i], XDP_DROP, FS_R_BLOCK);
		xe_close(&e);
	}
}

static void lists_expiry(const struct fam *f)
{
	struct pkt_spec syn = pkt_from(f, f->src);
	struct xdp_env e;

	fs_subtest("block entry expires/%s", f->name);
	if (env_open(&e, NULL)) {
		ASSERT_OK(xe_block(&e, f->src, XE_T0 + 10 * XE_NSEC), "block");
		expect(&e, &syn, XDP_DROP, FS_R_BLOCK);
		xe_clock_set(&e, XE_T0 + 10 * XE_NSEC - 1);
		expect(&e, &syn, XDP_DROP, FS_R_BLOCK);
		xe_clock_set(&e, XE_T0 + 10 * XE_NSEC);
		expect(&e, &syn, XDP_PASS, FS_R_SERVICE);
		xe_close(&e);
	}
	fs_subtest("allow entry expires/%s", f->name);
	if (env_open(&e, NULL)) {
		ASSERT_OK(xe_allow(&e, f->src, XE_T0 + 10 * XE_NSEC), "allow");
		ASSERT_OK(xe_block(&e, f->net, 0), "block");
		expect(&e, &syn, XDP_PASS, FS_R_ALLOW);
		xe_clock_set(&e, XE_T0 + 10 * XE_NSEC - 1);
		expect(&e, &syn, XDP_PASS, FS_R_ALLOW);
		xe_clock_set(&e, XE_T0 + 10 * XE_NSEC);
		expect(&e, &syn, XDP_DROP, FS_R_BLOCK);
		xe_close(&e);
	}
}

FS_TEST(xdp_lists)
{
	for_each_fam(f) {
		lists_allow(f);
		lists_block(f);
		lists_expiry(f);
	}
}

/* ---- bans ------------------------------------------------------------- */

static void bans_create(const struct fam *f)
{
	struct pkt_spec ack = pkt_from(f, f->src), udp = ack, frag = ack;
	struct pkt_spec peer = pkt_from(f, f->peer), open_ack;
	struct pkt_spec syn_again = pkt_from(f, f->src);
	__u64 ev0[FS_E_MAX], ev1[FS_E_MAX];
	struct xdp_env e;

	ack.tcp_flags = PKT_ACK;
	open_ack = ack;
	open_ack.dport = PORT_OPEN;
	udp.l4 = PKT_UDP;
	frag.frag_off = FRAG2;
	fs_subtest("bad requests ban the source/%s", f->name);
	if (!env_open(&e, BAN_RATES, NULL))
		return;
	ASSERT_OK(xe_events(&e, ev0), "events");
	if (trigger_ban(&e, f, f->src, 3, 1, 60 * XE_NSEC)) {
		ASSERT_OK(xe_events(&e, ev1), "events");
		expect_event(ev0, ev1, FS_E_BAN_SRC, 1);
		expect_event(ev0, ev1, FS_E_BAN_PREFIX, 0);
		expect_no_ban(&e, f->src, f->pfx_plen);
		fs_subtest("ban drops the source's SYNs to protected ports/%s",
			   f->name);
		expect(&e, &syn_again, XDP_DROP, FS_R_BAN);
		fs_subtest("ban spares the source's other traffic/%s", f->name);
		expect(&e, &open_ack, XDP_PASS, FS_R_NO_SERVICE);
		expect(&e, &udp, XDP_PASS, FS_R_NOT_TCP);
		expect(&e, &frag, XDP_PASS, FS_R_FRAGMENT);
		fs_subtest("ban resets a connection opened before it/%s",
			   f->name);
		expect(&e, &ack, XDP_PASS, FS_R_BAN_RESET);
		expect(&e, &ack, XDP_PASS, FS_R_RESET_FLOW);
		fs_subtest("ban of a source spares its prefix/%s", f->name);
		expect(&e, &peer, XDP_PASS, FS_R_SERVICE);
	}
	xe_close(&e);
}

static void bans_ttl(const struct fam *f)
{
	struct pkt_spec syn = pkt_from(f, f->src);
	const __u64 ttl = 10 * XE_NSEC;
	struct xdp_env e;

	fs_subtest("ban expires after ban.ttl/%s", f->name);
	if (!env_open(&e, BAN_RATES, "ban.ttl=10s", "ban.ttl_max=25s", NULL))
		return;
	if (!trigger_ban(&e, f, f->src, 3, 1, ttl))
		goto out;
	xe_clock_set(&e, XE_T0 + ttl - 1);
	expect(&e, &syn, XDP_DROP, FS_R_BAN);
	xe_clock_set(&e, XE_T0 + ttl);
	fs_subtest("repeat offender: TTL doubles/%s", f->name);
	if (!trigger_ban(&e, f, f->src, 3, 2, 2 * ttl))
		goto out;
	xe_clock_set(&e, xe_clock(&e) + 2 * ttl - 1);
	expect(&e, &syn, XDP_DROP, FS_R_BAN);
	xe_clock_set(&e, xe_clock(&e) + 1);
	fs_subtest("repeat offender: TTL capped at ban.ttl_max/%s", f->name);
	if (!trigger_ban(&e, f, f->src, 3, 3, 25 * XE_NSEC))
		goto out;
	xe_clock_set(&e, xe_clock(&e) + 25 * XE_NSEC);
	expect(&e, &syn, XDP_PASS, FS_R_SERVICE);
out:
	xe_close(&e);
}

FS_TEST(xdp_bans)
{
	for_each_fam(f) {
		bans_create(f);
		bans_ttl(f);
	}
}

/* ---- SYN rate per source ---------------------------------------------- */

static void rate_src(const struct fam *f)
{
	const __u64 interval = 200 * MS; /* 5/s */
	struct pkt_spec syn = pkt_from(f, f->src), ack = syn, synack = syn;
	struct xdp_env e;

	ack.tcp_flags = PKT_ACK;
	synack.tcp_flags = PKT_SYN | PKT_ACK;
	fs_subtest("burst, then one SYN per interval/%s", f->name);
	if (!env_open(&e, "syn.tcp.src=5/5", "ban.after=0", NULL))
		return;
	expect_n(&e, &syn, 5, XDP_PASS, FS_R_SERVICE);
	expect_n(&e, &syn, 3, XDP_DROP, FS_R_SYN_RATE_SRC);
	xe_clock_set(&e, xe_clock(&e) + interval);
	expect(&e, &syn, XDP_PASS, FS_R_SERVICE);
	expect(&e, &syn, XDP_DROP, FS_R_SYN_RATE_SRC);
	xe_clock_set(&e, xe_clock(&e) + interval - 1);
	expect(&e, &syn, XDP_DROP, FS_R_SYN_RATE_SRC);
	fs_subtest("refill stops at the burst/%s", f->name);
	xe_clock_set(&e, xe_clock(&e) + 1 + 5 * interval);
	expect_n(&e, &syn, 5, XDP_PASS, FS_R_SERVICE);
	expect(&e, &syn, XDP_DROP, FS_R_SYN_RATE_SRC);
	xe_clock_set(&e, xe_clock(&e) + 100 * interval);
	expect_n(&e, &syn, 5, XDP_PASS, FS_R_SERVICE);
	expect(&e, &syn, XDP_DROP, FS_R_SYN_RATE_SRC);
	fs_subtest("only SYNs are policed/%s", f->name);
	expect_n(&e, &ack, 20, XDP_PASS, FS_R_SERVICE);
	expect_n(&e, &synack, 5, XDP_PASS, FS_R_SERVICE);
	expect(&e, &syn, XDP_DROP, FS_R_SYN_RATE_SRC);
	fs_subtest("sources have their own buckets/%s", f->name);
	syn = pkt_from(f, f->peer);
	expect_n(&e, &syn, 5, XDP_PASS, FS_R_SERVICE);
	expect(&e, &syn, XDP_DROP, FS_R_SYN_RATE_SRC);
	fs_subtest("cookies on: an over-rate SYN no cookie can answer "
		   "passes/%s",
		   f->name);
	/* no listener behind a fixture: left to the kernel, never dropped
	 * for a bucket that SYNs forged with its address could spend */
	if (ASSERT_OK(xe_set(&e, "syn.cookies=auto"), "syn.cookies=auto"))
		expect_n(&e, &syn, 3, XDP_PASS, FS_R_SERVICE);
	xe_close(&e);
}

FS_TEST(xdp_rate_src)
{
	for_each_fam(f)
		rate_src(f);
}

/* ---- SYN rate per prefix ---------------------------------------------- */

/* Sources of one prefix under their own rate (10/10) exhaust the
 * prefix bucket (8/8) together. */
#define PFX_RATES "syn.tcp.src=10/10", "syn.tcp.prefix=8/8"
/* The same for bad requests: the prefix's 9th bans the prefix. */
#define PFX_BAN_RATES "http.bad.src=10/10", "http.bad.prefix=1/8"

static void rate_prefix(const struct fam *f)
{
	struct pkt_spec src = pkt_from(f, f->src), peer = pkt_from(f, f->peer);
	struct pkt_spec wide = pkt_from(f, f->wide), far = pkt_from(f, f->far);
	struct xdp_env e;

	fs_subtest("sources of a prefix share its bucket/%s", f->name);
	if (env_open(&e, PFX_RATES, "ban.after=0", NULL)) {
		expect_n(&e, &src, 4, XDP_PASS, FS_R_SERVICE);
		expect_n(&e, &peer, 4, XDP_PASS, FS_R_SERVICE);
		expect(&e, &src, XDP_DROP, FS_R_SYN_RATE_PREFIX);
		expect(&e, &peer, XDP_DROP, FS_R_SYN_RATE_PREFIX);
		expect(&e, &wide, XDP_PASS, FS_R_SERVICE);
		expect(&e, &far, XDP_PASS, FS_R_SERVICE);
		xe_close(&e);
	}
	fs_subtest("a prefix over its SYN rate is banned for nothing/%s",
		   f->name);
	if (env_open(&e, PFX_RATES, "ban.after=1", NULL)) {
		expect_n(&e, &src, 4, XDP_PASS, FS_R_SERVICE);
		expect_n(&e, &peer, 4, XDP_PASS, FS_R_SERVICE);
		expect_n(&e, &src, 6, XDP_DROP, FS_R_SYN_RATE_PREFIX);
		expect_no_ban(&e, f->src, f->pfx_plen);
		expect_no_ban(&e, f->src, 128);
		xe_close(&e);
	}
	fs_subtest("prefix ban/%s", f->name);
	if (env_open(&e, PFX_BAN_RATES, NULL)) {
		__u64 ev0[FS_E_MAX], ev1[FS_E_MAX];

		ASSERT_OK(xe_events(&e, ev0), "events");
		bad_requests(&e, f, f->src, 4);
		bad_requests(&e, f, f->peer, 4);
		bad_request(&e, f, f->src);
		expect_ban(&e, f->src, f->pfx_plen, FS_BAN_HTTP_BAD_PREFIX, 1,
			   60 * XE_NSEC);
		expect_no_ban(&e, f->src, 128);
		ASSERT_OK(xe_events(&e, ev1), "events");
		expect_event(ev0, ev1, FS_E_BAN_PREFIX, 1);
		expect_event(ev0, ev1, FS_E_BAN_SRC, 0);
		expect(&e, &peer, XDP_DROP, FS_R_BAN);
		peer.tcp_flags = PKT_ACK;
		expect(&e, &peer, XDP_PASS, FS_R_BAN_RESET);
		peer.l4 = PKT_UDP;
		expect(&e, &peer, XDP_PASS, FS_R_NOT_TCP);
		expect(&e, &wide, XDP_PASS, FS_R_SERVICE);
		xe_close(&e);
	}
	fs_subtest("prefix length setting groups sources/%s", f->name);
	if (env_open(&e, PFX_BAN_RATES, f->widen, NULL)) {
		bad_requests(&e, f, f->src, 4);
		bad_requests(&e, f, f->wide, 5);
		expect_ban(&e, f->wide, f->wide_plen, FS_BAN_HTTP_BAD_PREFIX, 1,
			   60 * XE_NSEC);
		expect(&e, &src, XDP_DROP, FS_R_BAN);
		expect(&e, &far, XDP_PASS, FS_R_SERVICE);
		xe_close(&e);
	}
}

FS_TEST(xdp_rate_prefix)
{
	for_each_fam(f)
		rate_prefix(f);
}

/* ---- observe mode ----------------------------------------------------- */

static void observe(const struct fam *f)
{
	struct pkt_spec src = pkt_from(f, f->src), far = pkt_from(f, f->far);
	struct xdp_env e;

	fs_subtest("observe=on passes a blocked source/%s", f->name);
	if (env_open(&e, "observe=on", NULL)) {
		ASSERT_OK(xe_block(&e, f->src, 0), "block");
		expect_observed(&e, &src, FS_R_BLOCK);
		xe_close(&e);
	}
	fs_subtest("observe=on passes over-rate SYNs and builds no ban/%s",
		   f->name);
	if (env_open(&e, "observe=on", "syn.tcp.src=5/5", "ban.after=3",
		     NULL)) {
		expect_n(&e, &src, 5, XDP_PASS, FS_R_SERVICE);
		for (int i = 0; i < 4; i++)
			expect_observed(&e, &src, FS_R_SYN_RATE_SRC);
		expect_no_ban(&e, f->src, 128);
		xe_close(&e);
	}
	fs_subtest("observe.block=on passes blocked, drops over-rate/%s",
		   f->name);
	if (env_open(&e, "observe.block=on", "syn.tcp.src=5/5", "ban.after=0",
		     NULL)) {
		ASSERT_OK(xe_block(&e, f->src, 0), "block");
		expect_observed(&e, &src, FS_R_BLOCK);
		expect_n(&e, &far, 5, XDP_PASS, FS_R_SERVICE);
		expect(&e, &far, XDP_DROP, FS_R_SYN_RATE_SRC);
		xe_close(&e);
	}
}

FS_TEST(xdp_observe)
{
	for_each_fam(f)
		observe(f);
}

/* ---- prefilter (struct fs_filter) ------------------------------------ */

/* Whether the prefilter bit of @set is set for source @addr. */
static bool filter_bit(struct xdp_env *e, enum fs_filter_set set,
		       const char *addr, __u64 *wide)
{
	struct fs_filter *f = malloc(sizeof(*f));
	__u32 zero = 0, slot;
	bool v4, bit = false;
	__u8 a[16];

	if (!ASSERT_TRUE(f != NULL, "malloc"))
		return false;
	v4 = pkt_addr(addr, a) == 4;
	slot = fs_filter_slot(fs_filter_key(a, v4));
	if (ASSERT_OK(bpf_map_lookup_elem(
			      bpf_map__fd(e->skel->maps.FS_MAP_FILTER), &zero,
			      f),
		      "read fs_filter")) {
		bit = f->bits[set][slot / 64] >> (slot % 64) & 1;
		*wide = f->wide[set];
	}
	free(f);
	return bit;
}

static void filter_fds(struct xdp_env *e, struct fs_map_fds *m)
{
	memset(m, -1, sizeof(*m));
	m->allow = bpf_map__fd(e->skel->maps.FS_MAP_ALLOW);
	m->block = bpf_map__fd(e->skel->maps.FS_MAP_BLOCK);
	m->bans = bpf_map__fd(e->skel->maps.FS_MAP_BANS);
	m->filter = bpf_map__fd(e->skel->maps.FS_MAP_FILTER);
	m->dns = bpf_map__fd(e->skel->maps.FS_MAP_DNS);
}

/* The network of CIDR @cidr ("a/n") as an LPM key of @bits. */
static struct fs_lpm_key lpm_key(const char *cidr, int bits)
{
	struct fs_lpm_key k = {};
	char addr[64];
	int fam;

	snprintf(addr, sizeof(addr), "%.*s", (int)strcspn(cidr, "/"), cidr);
	fam = pkt_addr(addr, k.addr);

	k.prefixlen = fam == 4 ? FS_V4_MAPPED_PLEN + bits : bits;
	return k;
}

/* Wide entries: shorter than a slot but walkable, and too wide. */
struct wide_case {
	const char *cidr; /* blocked */
	const char *in;	  /* a source inside it, in another slot */
	const char *out;  /* a source outside it */
	bool wide;	  /* the set goes wide */
};

static const struct wide_case wide_cases[] = {
	{"10.0.0.0/8", "10.200.1.1", "11.0.0.1", false},
	{"10.0.0.0/7", "11.200.1.1", "12.0.0.1", true},
	{"2001:db8::/32", "2001:db8:ffff::1", "2001:db9::1", false},
	{"2001:d00::/24", "2001:dff:1::1", "2001:e00::1", true},
	{"::ffff:0:0/96", "10.1.2.3", "2001:db8::1", true},
};

static void prefilter_marks(const struct fam *f)
{
	struct pkt_spec src = pkt_from(f, f->src), far = pkt_from(f, f->far);
	__u64 wide = 0;
	struct xdp_env e;

	fs_subtest("a list entry marks its slot, not others/%s", f->name);
	if (env_open(&e, NULL)) {
		ASSERT_FALSE(filter_bit(&e, FS_FILTER_BLOCK, f->src, &wide),
			     "bit before");
		ASSERT_OK(xe_block(&e, f->net, 0), "block");
		ASSERT_TRUE(filter_bit(&e, FS_FILTER_BLOCK, f->src, &wide),
			    "src bit");
		ASSERT_TRUE(filter_bit(&e, FS_FILTER_BLOCK, f->peer, &wide),
			    "peer bit");
		ASSERT_FALSE(filter_bit(&e, FS_FILTER_BLOCK, f->far, &wide),
			     "far bit");
		ASSERT_FALSE(filter_bit(&e, FS_FILTER_ALLOW, f->src, &wide),
			     "allow bit");
		ASSERT_EQ(wide, 0, "not wide");
		expect(&e, &src, XDP_DROP, FS_R_BLOCK);
		expect(&e, &far, XDP_PASS, FS_R_SERVICE);
		xe_close(&e);
	}
	fs_subtest("a ban made by the program marks its slot/%s", f->name);
	if (env_open(&e, BAN_RATES, NULL)) {
		if (trigger_ban(&e, f, f->src, 3, 1, 60 * XE_NSEC)) {
			ASSERT_TRUE(filter_bit(&e, FS_FILTER_BAN, f->src,
					       &wide),
				    "ban bit");
			ASSERT_FALSE(filter_bit(&e, FS_FILTER_BAN, f->far,
						&wide),
				     "far bit");
			ASSERT_EQ(wide, 0, "not wide");
			expect(&e, &src, XDP_DROP, FS_R_BAN);
		}
		xe_close(&e);
	}
	fs_subtest("a default prefix ban marks its slots, not the whole set/%s",
		   f->name);
	if (env_open(&e, PFX_BAN_RATES, NULL)) {
		bad_requests(&e, f, f->src, 4);
		bad_requests(&e, f, f->peer, 5);
		ASSERT_TRUE(filter_bit(&e, FS_FILTER_BAN, f->src, &wide), "src "
									  "slo"
									  "t");
		ASSERT_TRUE(filter_bit(&e, FS_FILTER_BAN, f->peer, &wide), "pee"
									   "r "
									   "slo"
									   "t");
		ASSERT_FALSE(filter_bit(&e, FS_FILTER_BAN, f->far, &wide), "far"
									   " sl"
									   "o"
									   "t");
		ASSERT_EQ(wide, 0, "not wide");
		expect(&e, &src, XDP_DROP, FS_R_BAN);
		xe_close(&e);
	}
	fs_subtest("a prefix ban wider than a slot makes the ban set wide/%s",
		   f->name);
	if (env_open(&e, PFX_BAN_RATES,
		     f->family == 4 ? "prefix.v4=16" : "prefix.v6=40", NULL)) {
		bad_requests(&e, f, f->src, 4);
		bad_requests(&e, f, f->wide, 5);
		filter_bit(&e, FS_FILTER_BAN, f->src, &wide);
		ASSERT_EQ(wide, 1, "ban set wide");
		expect(&e, &src, XDP_DROP, FS_R_BAN);
		xe_close(&e);
	}
}

static void prefilter_rebuild(const struct fam *f)
{
	struct pkt_spec src = pkt_from(f, f->src);
	struct fs_list_val v = {.origin = FS_ORIGIN_CLI};
	struct fs_key ban = {.plen = 128, .bucket = FS_B_NONE};
	struct fs_lpm_key net;
	struct fs_map_fds m;
	__u64 wide;
	struct xdp_env e;

	fs_subtest("rebuild clears deleted entries, keeps present ones/%s",
		   f->name);
	if (!env_open(&e, BAN_RATES, NULL))
		return;
	filter_fds(&e, &m);
	net = lpm_key(f->net, f->family == 4 ? 24 : 48);
	pkt_addr(f->far, ban.addr);
	ASSERT_OK(xe_block(&e, f->net, 0), "block");
	trigger_ban(&e, f, f->far, 3, 1, 60 * XE_NSEC);
	ASSERT_OK(bpf_map_delete_elem(m.block, &net), "delete block");
	ASSERT_TRUE(filter_bit(&e, FS_FILTER_BLOCK, f->src, &wide), "stale bit "
								    "stays");
	expect(&e, &src, XDP_PASS, FS_R_SERVICE);
	ASSERT_OK(fs_filter_rebuild(&m), "rebuild");
	ASSERT_FALSE(filter_bit(&e, FS_FILTER_BLOCK, f->src, &wide), "block "
								     "bit "
								     "gone");
	ASSERT_TRUE(filter_bit(&e, FS_FILTER_BAN, f->far, &wide), "ban bit "
								  "kept");
	ASSERT_OK(bpf_map_delete_elem(m.bans, &ban), "delete ban");
	ASSERT_OK(fs_filter_rebuild(&m), "rebuild");
	ASSERT_FALSE(filter_bit(&e, FS_FILTER_BAN, f->far, &wide), "ban bit "
								   "gone");
	fs_subtest("a raw map write is matched after a rebuild/%s", f->name);
	ASSERT_OK(bpf_map_update_elem(m.block, &net, &v, BPF_ANY), "raw block");
	expect(&e, &src, XDP_PASS, FS_R_SERVICE);
	ASSERT_OK(fs_filter_rebuild(&m), "rebuild");
	expect(&e, &src, XDP_DROP, FS_R_BLOCK);
	xe_close(&e);
}

static void prefilter_wide(void)
{
	struct fam v4 = fams[0], v6 = fams[1];
	struct xdp_env e;
	__u64 wide;

	for (size_t i = 0; i < ARRAY_SIZE(wide_cases); i++) {
		const struct wide_case *c = &wide_cases[i];
		const struct fam *fin = strchr(c->in, ':') ? &v6 : &v4;
		const struct fam *fout = strchr(c->out, ':') ? &v6 : &v4;
		struct pkt_spec in = pkt_from(fin, c->in),
				out = pkt_from(fout, c->out);

		fs_subtest("block %s drops %s, passes %s", c->cidr, c->in,
			   c->out);
		if (!env_open(&e, NULL))
			continue;
		ASSERT_OK(xe_block(&e, c->cidr, 0), "block");
		filter_bit(&e, FS_FILTER_BLOCK, c->in, &wide);
		ASSERT_EQ(wide, c->wide, "wide");
		expect(&e, &in, XDP_DROP, FS_R_BLOCK);
		expect(&e, &out, XDP_PASS, FS_R_SERVICE);
		xe_close(&e);
	}
}

FS_TEST(xdp_prefilter)
{
	for_each_fam(f) {
		prefilter_marks(f);
		prefilter_rebuild(f);
	}
	prefilter_wide();
}

/* ---- rate table (struct fs_rate_slot) -------------------------------- */

/* The per-source SYN key of address @a. */
static struct fs_key syn_key(const __u8 a[16])
{
	struct fs_key k = {.plen = 128, .bucket = FS_B_SYN_TCP};

	memcpy(k.addr, a, 16);
	return k;
}

/* @n addresses (10.64.0.1 up, or in 2001:db8:77::/48) whose SYN key
 * shares the set of @src's, into @out (text). */
static bool set_mates(struct xdp_env *e, const struct fam *f, const char *src,
		      char out[][64], int n)
{
	__u32 sets =
		bpf_map__max_entries(e->skel->maps.FS_MAP_RATE) / FS_RATE_WAYS;
	struct fs_hkey key;
	struct fs_key k;
	__u8 a[16];
	int found = 0;

	if (!ASSERT_OK(fs_hkey_read(bpf_map__fd(e->skel->maps.FS_MAP_HKEY),
				    &key),
		       "the set hashes' key"))
		return false;
	pkt_addr(src, a);
	k = syn_key(a);
	__u32 want = fs_rate_set_index(&k, sets, &key);

	for (__u32 i = 1; i < (1u << 22) && found < n; i++) {
		if (f->family == 4)
			snprintf(out[found], 64, "10.%u.%u.%u", 64 + (i >> 16),
				 i >> 8 & 0xff, i & 0xff);
		else
			snprintf(out[found], 64, "2001:db8:77::%x:%x", i >> 16,
				 i & 0xffff);
		pkt_addr(out[found], a);
		k = syn_key(a);
		if (fs_rate_set_index(&k, sets, &key) == want)
			found++;
	}
	return ASSERT_EQ(found, n, "addresses sharing a set");
}

static void rate_table(const struct fam *f)
{
	struct pkt_spec src = pkt_from(f, f->src);
	__u64 ev0[FS_E_MAX], ev1[FS_E_MAX];
	char mates[2][64];
	struct xdp_env e;

	fs_subtest("a new key evicts the idler of its set, not an offender/%s",
		   f->name);
	if (!env_open(&e, "syn.tcp.src=5/5", "syn.tcp.prefix=off",
		      "ban.after=0", NULL))
		return;
	if (set_mates(&e, f, f->src, mates, 2)) {
		struct pkt_spec m0 = pkt_from(f, mates[0]),
				m1 = pkt_from(f, mates[1]);

		expect_n(&e, &src, 5, XDP_PASS, FS_R_SERVICE);
		expect(&e, &src, XDP_DROP, FS_R_SYN_RATE_SRC);
		ASSERT_OK(xe_events(&e, ev0), "events");
		/* one-packet sources of the same set: the first takes the free
		 * slot, the second evicts the first (idler than src) */
		expect(&e, &m0, XDP_PASS, FS_R_SERVICE);
		expect(&e, &m1, XDP_PASS, FS_R_SERVICE);
		ASSERT_OK(xe_events(&e, ev1), "events");
		expect_event(ev0, ev1, FS_E_RATE_NEW, 2);
		expect_event(ev0, ev1, FS_E_RATE_EVICTED, 1);
		expect(&e, &src, XDP_DROP, FS_R_SYN_RATE_SRC);
		fs_subtest("an evicted key starts afresh/%s", f->name);
		expect_n(&e, &m0, 5, XDP_PASS, FS_R_SERVICE);
		expect(&e, &src, XDP_DROP, FS_R_SYN_RATE_SRC);
	}
	xe_close(&e);
}

FS_TEST(xdp_rate_table)
{
	for_each_fam(f)
		rate_table(f);
}
