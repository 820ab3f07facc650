// SPDX-License-Identifier: GPL-2.0
/* Red-team reproductions for issue 13's resumable HTTP parser (h13-red),
 * under BPF_PROG_TEST_RUN. Each subtest sends the segments an attacker
 * (or a real client) sends and asserts what the shield must do; each
 * fails where the shield gets it wrong. The fixtures' connection model
 * is that of tests/test_hstream.c (fs_assume_connected: the first
 * segment a flow shows is its connection's first data); the kernel's
 * side of each case (what Linux keeps, drops or delivers) is stated in
 * the subtest's comment.
 *
 * "Stopped" below means: reset (a RESET reason) or dropped. A request
 * the server would route by an unserved Host, or with '#' in its
 * target, must not reach it unjudged.
 *
 * The cases that need the kernel's own view of the stream (a twin the
 * kernel drops, a connection's first data out of order, ports used
 * again, out-of-order body bytes, a RST at the kernel's next byte) are
 * in tests/ns/85_hred.sh over real TCP: the fixtures' model has no
 * socket to say where the kernel is.
 */
#include <errno.h>
#include <linux/bpf.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/tcp.h>
#include <arpa/inet.h>
#include "test.h"
#include "pkt.h"
#include "xdp_env.h"
#include "http_env.h"
#include "floodshield.skel.h"
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <string.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#define PORT_HTTP  80
#define TCP_PSH	   0x08
#define DATA_FLAGS (PKT_ACK | TCP_PSH)
#define ISN	   0x7ffffff0u
#define ACK	   0x55667788u
#define IP_MF_BIT  0x2000

static const char *const served[] = {"www.example.org", "example.org",
				     "*.example.net"};

/* Requests of the same length: a good one, and the same with '#' in its
 * target (nginx strips the fragment and serves it) or an unserved Host
 * (both servers route it to the catch-all). */
#define GOOD_A "GET /a HTTP/1.1\r\nHost: www.example.org\r\n\r\n"
#define HASH_A "GET /# HTTP/1.1\r\nHost: www.example.org\r\n\r\n"
#define BADH_A "GET /a HTTP/1.1\r\nHost: 0jejhcec65c.com\r\n\r\n"
#define GOOD   "GET / HTTP/1.1\r\nHost: www.example.org\r\n\r\n"
#define SEED   "GET /#101 HTTP/1.1\r\nHost: 0jejhcec65c24dslii.com\r\n\r\n"

_Static_assert(sizeof(GOOD_A) == sizeof(HASH_A), "same length");
_Static_assert(sizeof(GOOD_A) == sizeof(BADH_A), "same length");

struct stream {
	struct xdp_env e;
	struct pkt_spec spec;
	__u32 seq; /* of the next segment */
};

static __u16 next_sport(void)
{
	static __u16 port = 30000;

	return ++port;
}

/* An environment with port 80 on HTTP, the served hosts, the server's
 * own addresses and @kv (NULL or one setting), in stream mode; a flow
 * from a v4 or v6 client. Bad requests never ban (each case's must not
 * block the next). */
static bool stream_open(struct stream *st, int family, const char *kv)
{
	memset(st, 0, sizeof(*st));
	if (!ASSERT_OK(xe_open(&st->e), "load the program"))
		return false;
	st->e.stream = true;
	if (!ASSERT_OK(xe_service(&st->e, PORT_HTTP, FS_SVC_HTTP), "service") ||
	    !ASSERT_OK(xe_set(&st->e, "http.bad.src=1000000/1000000"), "bad") ||
	    !ASSERT_OK(xe_set(&st->e, "http.bad.prefix=1000000/1000000"),
		       "bad prefix") ||
	    !ASSERT_OK(xe_own(&st->e, "192.0.2.1"), "own v4") ||
	    !ASSERT_OK(xe_own(&st->e, "2001:db8::1"), "own v6") ||
	    !ASSERT_OK(he_hosts_add(&st->e, served, ARRAY_SIZE(served)), "host"
									 "s") ||
	    (kv && !ASSERT_OK(xe_set(&st->e, kv), kv))) {
		xe_close(&st->e);
		return false;
	}
	st->spec.family = family;
	st->spec.tcp_flags = DATA_FLAGS;
	st->spec.sport = next_sport();
	st->spec.dport = PORT_HTTP;
	st->spec.ack = ACK;
	pkt_addr(family == 4 ? "198.51.100.7" : "2001:db8:7::7", st->spec.src);
	pkt_addr(family == 4 ? "192.0.2.1" : "2001:db8::1", st->spec.dst);
	st->seq = ISN;
	return true;
}

/* The segment of @st's flow at @seq carrying @n bytes of @data. */
static bool seg_at(const struct stream *st, __u32 seq, const void *data,
		   size_t n, struct he_seg *seg)
{
	struct pkt_spec s = st->spec;

	s.seq = seq;
	return ASSERT_OK(he_build(&s, data, n, seg), "build the segment");
}

/* Run @seg: its reason (the one counter that moved) and *verdict. */
static int run_seg(struct stream *st, const struct he_seg *seg, int *verdict,
		   struct he_result *out)
{
	struct he_result res;

	if (!out)
		out = &res;
	if (he_run(&st->e, seg, out))
		return HE_REASON_NONE;
	if (verdict)
		*verdict = out->verdict;
	return out->reason;
}

static int send_at(struct stream *st, __u32 seq, const void *data, size_t n,
		   int *verdict)
{
	struct he_seg seg;

	if (!seg_at(st, seq, data, n, &seg))
		return HE_REASON_NONE;
	return run_seg(st, &seg, verdict, NULL);
}

/* The next @s of the stream: its reason. */
static int send_str(struct stream *st, const char *s)
{
	int r = send_at(st, st->seq, s, strlen(s), NULL);

	st->seq += strlen(s);
	return r;
}

static bool expect_reason(int got, enum fs_reason want, const char *what)
{
	if (got == (int)want)
		return true;
	fs_test_fail(__FILE__, __LINE__, "%s: expected %s, got %s", what,
		     he_reason_str(want), he_reason_str(got));
	return false;
}

/* The segment must not reach the server unjudged: reset, or dropped. */
static bool expect_stopped(int reason, int verdict, const char *what)
{
	if (verdict == XDP_DROP ||
	    (reason >= 0 && fs_reason_resets((enum fs_reason)reason)))
		return true;
	fs_test_fail(__FILE__, __LINE__,
		     "%s: expected a reset or a drop, got %s (verdict %d)",
		     what, he_reason_str(reason), verdict);
	return false;
}

/* A legitimate segment must not be reset. */
static bool expect_not_reset(int reason, const char *what)
{
	if (reason >= 0 && !fs_reason_resets((enum fs_reason)reason))
		return true;
	fs_test_fail(__FILE__, __LINE__, "%s: expected no reset, got %s", what,
		     he_reason_str(reason));
	return false;
}

/* ---- 2. IP fragments -------------------------------------------------- */

/* Split the whole TCP segment @full into its first IP fragment @f1 (the
 * TCP header and @k payload bytes; 20 + @k a multiple of 8) and the
 * rest @f2. The TCP checksum stays that of the whole segment, as the
 * kernel checks it after reassembly. */
static bool fragment(const struct he_seg *full, size_t k, struct he_seg *f1,
		     struct he_seg *f2)
{
	size_t tcp_len = full->len - full->l4,
	       first = sizeof(struct tcphdr) + k;
	size_t rest = tcp_len - first;

	if (first % 8 || first >= tcp_len)
		return false;
	*f1 = *full;
	*f2 = *full;
	f1->len = full->l4 + first;
	memmove(f2->buf + full->l4, full->buf + full->l4 + first, rest);
	f2->len = full->l4 + rest;
	if (full->family == 4) {
		struct iphdr *i1 = (void *)(f1->buf + f1->l3);
		struct iphdr *i2 = (void *)(f2->buf + f2->l3);
		size_t hl = i1->ihl * 4;

		i1->tot_len = htons(hl + first);
		i1->frag_off = htons(IP_MF_BIT);
		i2->tot_len = htons(hl + rest);
		i2->frag_off = htons(first / 8);
		i1->check = i2->check = 0;
		i1->check =
			htons(pkt_csum_fold(pkt_csum_add(0, (void *)i1, hl)));
		i2->check =
			htons(pkt_csum_fold(pkt_csum_add(0, (void *)i2, hl)));
	} else {
		struct ipv6hdr *i1 = (void *)(f1->buf + f1->l3);
		struct ipv6hdr *i2 = (void *)(f2->buf + f2->l3);
		__u8 *fh2 = f2->buf + f2->l3 + sizeof(*i2); /* frag header */
		size_t ext = full->l4 - full->l3 - sizeof(*i1);

		i1->payload_len = htons(ext + first);
		i2->payload_len = htons(ext + rest);
		fh2[2] = (first / 8) >> 5; /* offset << 3, M = 0 */
		fh2[3] = ((first / 8) << 3) & 0xf8;
	}
	return true;
}

/* Send the two fragments: whether either was stopped. */
static bool send_fragments(struct stream *st, const struct he_seg *f1,
			   const struct he_seg *f2)
{
	int v1 = -1, v2 = -1, r1, r2;

	r1 = run_seg(st, f1, &v1, NULL);
	r2 = run_seg(st, f2, &v2, NULL);
	if (v1 == XDP_DROP || v2 == XDP_DROP ||
	    (r1 >= 0 && fs_reason_resets((enum fs_reason)r1)) ||
	    (r2 >= 0 && fs_reason_resets((enum fs_reason)r2)))
		return true;
	fs_test_fail(__FILE__, __LINE__,
		     "a bad request in fragments: both passed (%s, %s)",
		     he_reason_str(r1), he_reason_str(r2));
	return false;
}

/* A TCP segment in IP fragments: the first fragment's bytes are all the
 * shield judges (a retransmission of parsed bytes, or body bytes, which
 * skip the checksum), the other fragments pass as `fragment`, and the
 * kernel reassembles the whole segment, checks its checksum and queues
 * the bad request that rode in the second fragment (85_hred.sh:
 * frag-old, on nginx and Apache). */
FS_TEST(hred_ip_fragments)
{
	for (int fam = 4; fam <= 6; fam += 2) {
		struct he_seg full, f1, f2;
		char data[256];
		struct stream st;
		size_t n;

		fs_subtest("first fragment: only parsed bytes/v%d", fam);
		if (stream_open(&st, fam, NULL)) {
			expect_reason(send_at(&st, ISN, GOOD, strlen(GOOD),
					      NULL),
				      FS_R_HTTP_OK, "the first request");
			/* 12 old bytes, then a new request; for IPv6 the
			 * whole segment gets a fragment header (M set) */
			st.spec.mf = fam == 6;
			n = snprintf(data, sizeof(data), "%s%s",
				     GOOD + strlen(GOOD) - 12, SEED);
			if (seg_at(&st, ISN + strlen(GOOD) - 12, data, n,
				   &full) &&
			    ASSERT_TRUE(fragment(&full, 12, &f1, &f2), "split"))
				send_fragments(&st, &f1, &f2);
			xe_close(&st.e);
		}
		fs_subtest("first fragment: body bytes/v%d", fam);
		if (stream_open(&st, fam, NULL)) {
			const char *head = "POST /f HTTP/1.1\r\n"
					   "Host: www.example.org\r\n"
					   "Content-Length: 12\r\n\r\n";

			expect_reason(send_at(&st, ISN, head, strlen(head),
					      NULL),
				      FS_R_HTTP_OK, "the head");
			st.spec.mf = fam == 6;
			n = snprintf(data, sizeof(data), "0123456789ab%s",
				     SEED);
			if (seg_at(&st, ISN + strlen(head), data, n, &full) &&
			    ASSERT_TRUE(fragment(&full, 12, &f1, &f2), "split"))
				send_fragments(&st, &f1, &f2);
			xe_close(&st.e);
		}
	}
}

/* ---- 6. the head budget ------------------------------------------------ */

/* http.head_max (16 KB) is below what both servers take: nginx reads a
 * head in up to 4 buffers of 8 KB (large_client_header_buffers), Apache
 * up to 100 fields of 8 KB. Over the budget the flow is lost for good:
 * the late Host and every later request on the connection pass. */
FS_TEST(hred_head_budget)
{
	struct stream st;
	char line[1500];
	int v = -1, r;

	fs_subtest("an unserved Host after 17 KB of fields");
	if (stream_open(&st, 4, NULL)) {
		expect_reason(send_str(&st, "GET / HTTP/1.1\r\n"), FS_R_SERVICE,
			      "request line");
		for (int i = 0; i < 12; i++) {
			snprintf(line, sizeof(line), "X-Pad-%02d: %01380d\r\n",
				 i, 0);
			r = send_str(&st, line);
		}
		r = send_at(&st, st.seq, "Host: 0jejhcec65c24dslii.com\r\n\r\n",
			    32, &v);
		st.seq += 32;
		expect_stopped(r, v, "the late unserved Host");
		r = send_at(&st, st.seq, SEED, strlen(SEED), &v);
		expect_stopped(r, v, "the next request on the connection");
		xe_close(&st.e);
	}
	fs_subtest("http.server=nginx: a request behind 17 KB of empty lines");
	if (stream_open(&st, 4, "http.server=nginx")) {
		memset(line, 0, sizeof(line));
		for (int i = 0; i < 1400; i += 2)
			memcpy(line + i, "\r\n", 2);
		for (int i = 0; i < 13; i++)
			send_str(&st, line);
		r = send_at(&st, st.seq, SEED, strlen(SEED), &v);
		expect_stopped(r, v, "the request");
		xe_close(&st.e);
	}
}

/* ---- 7. the cut-Host table --------------------------------------------- */

static __u32 map_count(int fd, size_t key_size)
{
	__u8 k[64], next[64];
	__u32 n = 0;
	void *prev = NULL;

	while (key_size <= sizeof(k) && !bpf_map_get_next_key(fd, prev, next)) {
		memcpy(k, next, key_size);
		prev = k;
		n++;
	}
	return n;
}

/* fs_hhost (8,192 entries, LRU) holds the Host values that segment ends
 * cut. When a flow's entry is pushed out, its value's end makes the
 * flow untracked for good: the unserved Host and every later request
 * pass. Other flows' cut values push it out; so do forged segments,
 * judged alone, which make entries too (85_hred.sh: hhost-flood, 16,384
 * forged segments). */
FS_TEST(hred_hhost_eviction)
{
	struct stream st;
	struct xdp_env e;
	int v = -1, r;

	fs_subtest("other flows' cut Hosts evict a flow's: it passes");
	if (stream_open(&st, 4, NULL)) {
		expect_reason(send_str(&st, "GET / HTTP/1.1\r\n"
					    "Host: 0jejhcec65c"),
			      FS_R_SERVICE, "the Host cut");
		/* 8,192 other flows' first segments, each with a cut Host
		 * (the attacker's own connections; forged segments make
		 * entries too: next subtest) */
		{
			struct stream o = st;
			struct he_seg seg;
			struct he_result res;
			const char *req = "GET / HTTP/1.1\r\nHost: a";

			for (__u32 i = 0; i < FS_HHOST_MAX; i++) {
				o.spec.sport = 1000 + i % 60000;
				o.spec.src[15] = 100 + i / 60000;
				if (!seg_at(&o, ISN, req, strlen(req), &seg) ||
				    he_run(&st.e, &seg, &res))
					break;
			}
		}
		r = send_at(&st, st.seq, "24dslii.com\r\n\r\n", 15, &v);
		st.seq += 15;
		expect_stopped(r, v, "the Host's end");
		r = send_at(&st, st.seq, SEED, strlen(SEED), &v);
		expect_stopped(r, v, "the next request");
		xe_close(&st.e);
	}
	fs_subtest("forged segments fill fs_hhost");
	if (ASSERT_OK(xe_open_sockets(&e, true), "load (real sockets)")) {
		struct pkt_spec s = {.family = 4,
				     .tcp_flags = DATA_FLAGS,
				     .dport = PORT_HTTP,
				     .seq = 1,
				     .ack = 1};
		const char *req = "GET / HTTP/1.1\r\nHost: a";
		int fd = bpf_map__fd(e.skel->maps.FS_MAP_HHOST);
		struct he_result res;
		struct he_seg seg;
		__u32 before;

		if (ASSERT_OK(xe_service(&e, PORT_HTTP, FS_SVC_HTTP), "svc") &&
		    ASSERT_OK(he_hosts_add(&e, served, ARRAY_SIZE(served)),
			      "hosts")) {
			pkt_addr("203.0.113.9", s.src);
			pkt_addr("192.0.2.1", s.dst);
			before = map_count(fd, sizeof(struct fs_hflow_key));
			for (int i = 0; i < 100; i++) {
				s.sport = 40000 + i;
				if (he_build(&s, req, strlen(req), &seg) ||
				    he_run(&e, &seg, &res))
					break;
			}
			ASSERT_EQ(map_count(fd, sizeof(struct fs_hflow_key)) -
					  before,
				  0,
				  "fs_hhost entries made by forged segments");
		}
		xe_close(&e);
	}
}

/* ---- 9. IPv6 extension headers ----------------------------------------- */

/* More than FS_IPV6_EXT_MAX (6) extension headers: the segment is
 * `malformed_l4` and passes unpoliced; Linux walks any number of
 * destination-options headers and delivers it. A connection whose first
 * data comes so has no state: everything after is untracked
 * (85_hred.sh: ext-chain). */
FS_TEST(hred_ipv6_ext_chain)
{
	struct stream st;
	int v = -1, r;

	fs_subtest("7 destination-options headers");
	if (stream_open(&st, 6, NULL)) {
		st.spec.ext = "ddddddd";
		r = send_at(&st, ISN, SEED, strlen(SEED), &v);
		expect_stopped(r, v, "the seed behind 7 headers");
		xe_close(&st.e);
	}
}

/* ---- 10. request rate: pipelining -------------------------------------- */

/* http.req is charged once per segment that ends a good head, whatever
 * the number of requests in it: 20 pipelined requests cost one token. */
FS_TEST(hred_pipelined_rate)
{
	char seg[1200];
	struct stream st;
	int r = -1;

	fs_subtest("20 pipelined requests against a rate of 5/5");
	if (stream_open(&st, 4, "http.req.src=5/5")) {
		seg[0] = 0;
		for (int i = 0; i < 20; i++)
			strcat(seg, GOOD);
		r = send_str(&st, seg);
		expect_reason(r, FS_R_HTTP_RATE_SRC, "the segment");
		xe_close(&st.e);
	}
}

/* ---- 11. false positives ----------------------------------------------- */

/* Real clients' requests that must reach the server. */
FS_TEST(hred_false_positives)
{
	char big[1700];
	struct stream st;
	int r;

	/* curl http://www.example.org//assets/app.js sends "//" as is;
	 * browsers do too (links built by joining with '/'); both servers
	 * serve it from the Host's vhost. */
	for (int prof = 0; prof < 3; prof++) {
		static const char *const kv[] = {NULL, "http.server=apache",
						 "http.server=nginx"};

		fs_subtest("a path starting with // (curl, browsers)/%s",
			   kv[prof] ? kv[prof] + 12 : "both");
		if (stream_open(&st, 4, kv[prof])) {
			r = send_str(&st, "GET //assets/app.js HTTP/1.1\r\n"
					  "Host: www.example.org\r\n"
					  "User-Agent: curl/7.88.1\r\n"
					  "Accept: */*\r\n\r\n");
			expect_reason(r, FS_R_HTTP_OK, "the request");
			xe_close(&st.e);
		}
	}
	/* A head segment over 1,536 bytes with a right checksum: jumbo
	 * frames (generic mode: native XDP refuses the MTU), or GSO/GRO
	 * ahead of generic XDP. fs_tcp_csum_ok() gives up on it, the segment
	 * is dropped as bad_csum, and its retransmissions too: the
	 * connection stalls (85_hred.sh: jumbo-generic). */
	fs_subtest("a 1,600-byte head segment (jumbo MTU, GRO)");
	if (stream_open(&st, 4, NULL)) {
		snprintf(big, sizeof(big),
			 "GET / HTTP/1.1\r\nHost: www.example.org\r\n"
			 "Cookie: %01540d\r\n\r\n",
			 0);
		r = send_str(&st, big);
		expect_reason(r, FS_R_HTTP_OK, "the request");
		xe_close(&st.e);
	}
	/* WebSocket with permessage-deflate (RSV1): a first frame that is a
	 * non-final compressed text frame starts with 0x41, 'A'. The
	 * server switched protocols; the shield reads 'A' as a method. */
	fs_subtest("a WebSocket frame starting with 'A' after the upgrade");
	if (stream_open(&st, 4, NULL)) {
		expect_reason(send_str(&st, "GET /chat HTTP/1.1\r\n"
					    "Host: www.example.org\r\n"
					    "Upgrade: websocket\r\n"
					    "Connection: Upgrade\r\n"
					    "Sec-WebSocket-Extensions: "
					    "permessage-deflate\r\n\r\n"),
			      FS_R_HTTP_OK, "upgrade");
		r = send_str(&st, "\x41\x85"
				  "abcd12345");
		expect_not_reset(r, "the first frame");
		xe_close(&st.e);
	}
	/* A WebSocket session from a /24 that once earned a bad-request
	 * prefix ban (a carrier NAT's neighbours): its frames are
	 * undecided (opaque), and a suspect's undecided segments are
	 * reset. The ban record need not be live. */
	fs_subtest("WebSocket frames from a formerly banned /24");
	if (stream_open(&st, 4, NULL)) {
		struct fs_key bk = {.plen = 96 + 24};
		struct fs_ban ban = {.reason = FS_BAN_HTTP_BAD_PREFIX};

		memcpy(bk.addr, st.spec.src, 15);
		ASSERT_OK(bpf_map_update_elem(
				  bpf_map__fd(st.e.skel->maps.FS_MAP_BANS), &bk,
				  &ban, BPF_ANY),
			  "an expired ban record");
		expect_reason(send_str(&st, "GET /chat HTTP/1.1\r\n"
					    "Host: www.example.org\r\n"
					    "Upgrade: websocket\r\n"
					    "Connection: Upgrade\r\n\r\n"),
			      FS_R_HTTP_OK, "upgrade");
		r = send_str(&st, "\x81\x85"
				  "abcd12345");
		expect_not_reset(r, "a frame");
		xe_close(&st.e);
	}
}

/* ---- 12. Host literals -------------------------------------------------- */

/* A v4-mapped IPv6 literal of the server's IPv4 address is "another
 * literal" (SEMANTICS.md: unserved), but hj_own() compares it with the
 * v4-mapped destination and calls it the server's own. */
FS_TEST(hred_host_literals)
{
	static const char *const hosts[] = {"[::ffff:192.0.2.1]", "[::ffff:"
								  "c000:201]"};

	for (size_t i = 0; i < ARRAY_SIZE(hosts); i++) {
		char req[128];
		struct stream st;

		fs_subtest("Host %s on IPv4", hosts[i]);
		if (!stream_open(&st, 4, NULL))
			continue;
		snprintf(req, sizeof(req), "GET / HTTP/1.1\r\nHost: %s\r\n\r\n",
			 hosts[i]);
		expect_reason(send_str(&st, req), FS_R_HTTP_BAD_HOST,
			      "the request");
		xe_close(&st.e);
	}
}

/* ---- 13. TCP Fast Open ------------------------------------------------- */

/* A SYN carrying data goes to the SYN stage, which leaves TFO to the
 * kernel: its payload is never parsed. A listener with TFO (nginx
 * `listen 80 fastopen=N`) hands it to the server as the connection's
 * first request, and the next segment finds bytes received and no
 * state: the whole connection is untracked. */
FS_TEST(hred_tfo_syn_data)
{
	struct stream st;
	int v = -1, r;

	fs_subtest("the seed in a SYN's data");
	if (stream_open(&st, 4, NULL)) {
		st.spec.tcp_flags = PKT_SYN;
		st.spec.ack = 0;
		r = send_at(&st, ISN, SEED, strlen(SEED), &v);
		expect_stopped(r, v, "the SYN with the seed");
		xe_close(&st.e);
	}
}
