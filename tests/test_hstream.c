// SPDX-License-Identifier: GPL-2.0
/* The resumable HTTP parser under BPF_PROG_TEST_RUN: flows of several
 * segments in sequence (the fixtures' model: the first segment of a flow
 * is its connection's first data, fs_assume_connected), each segment
 * checked for its verdict and the one reason counter it moved. Splits at
 * every byte, pipelining, bodies, the resume state's sequence handling
 * (retransmissions, overlaps, out-of-order segments, eviction), the
 * cut-Host table, and the request forms each `http.server` profile
 * accepts.
 */
#include <errno.h>
#include <linux/bpf.h>
#include "test.h"
#include "pkt.h"
#include "xdp_env.h"
#include "http_env.h"
#include "floodshield.skel.h"
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <stdio.h>
#include <string.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#define PORT_HTTP  80
#define DATA_FLAGS (PKT_ACK | 0x08)
#define URG_FLAG   0x20
#define ISN	   0x7ffffff0u /* wraps within the tests' streams */
#define ACK	   0x55667788u
#define MAX_SEGS   8

static const char *const served[] = {"www.example.org", "example.org",
				     "*.example.net"};

struct stream {
	struct xdp_env e;
	struct pkt_spec spec;
	__u32 seq; /* of the next segment */
};

static __u16 next_sport(void)
{
	static __u16 port = 20000;

	return ++port;
}

/* An environment with port 80 on HTTP, the served hosts, and @kv (NULL
 * or one setting), in stream mode; a flow from @src (v4 or v6). */
static bool stream_open_sized(struct stream *st, int family, const char *kv,
			      __u32 hstate_max)
{
	memset(st, 0, sizeof(*st));
	if (!ASSERT_OK(hstate_max ? xe_open_hstate(&st->e, hstate_max)
				  : xe_open(&st->e),
		       "load the program"))
		return false;
	st->e.stream = true;
	/* no bans: each case's bad requests must not block the next */
	if (!ASSERT_OK(xe_service(&st->e, PORT_HTTP, FS_SVC_HTTP), "service") ||
	    !ASSERT_OK(xe_set(&st->e, "http.bad.src=1000000/1000000"), "bad") ||
	    !ASSERT_OK(xe_set(&st->e, "http.bad.prefix=1000000/1000000"),
		       "bad prefix") ||
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

static bool stream_open(struct stream *st, int family, const char *kv)
{
	return stream_open_sized(st, family, kv, 0);
}

/* A new flow (another client port) on the same environment. */
static void stream_next_flow(struct stream *st)
{
	st->spec.sport = next_sport();
	st->seq = ISN;
}

/* Send @n bytes at sequence number @seq with extra TCP @flags; the
 * reason counter that moved and the verdict. */
static int send_at(struct stream *st, __u32 seq, const void *data, size_t n,
		   __u8 flags, int *verdict)
{
	struct pkt_spec s = st->spec;
	struct he_result res;
	struct he_seg seg;

	s.seq = seq;
	s.tcp_flags |= flags;
	if (he_build(&s, data, n, &seg))
		return HE_REASON_NONE;
	if (he_run(&st->e, &seg, &res))
		return HE_REASON_NONE;
	if (verdict)
		*verdict = res.verdict;
	return res.reason;
}

/* Send the next @n bytes of the stream: their reason. */
static int send_next(struct stream *st, const void *data, size_t n)
{
	int r = send_at(st, st->seq, data, n, 0, NULL);

	st->seq += n;
	return r;
}

static int send_str(struct stream *st, const char *s)
{
	return send_next(st, s, strlen(s));
}

/* The reason of the whole request @req cut into segments at @cuts
 * (ascending offsets, 0-terminated): the first non-service reason, or
 * the last segment's. */
static int send_cut(struct stream *st, const char *req, const size_t *cuts)
{
	size_t from = 0, len = strlen(req);
	int r = FS_R_SERVICE;

	for (int i = 0; from < len; i++) {
		size_t to = cuts[i] && cuts[i] < len ? cuts[i] : len;

		r = send_next(st, req + from, to - from);
		if (r != FS_R_SERVICE)
			return r;
		from = to;
	}
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

/* Send the next @n bytes of the stream with a wrong TCP checksum (@field:
 * the checksum field changed, else a payload byte 700 bytes before the
 * frame's end): dropped as bad_csum (@what), the stream not moved. */
static void send_corrupt(struct stream *st, const void *data, size_t n,
			 bool field, const char *what)
{
	struct pkt_spec s = st->spec;
	struct he_result res;
	struct he_seg seg;
	char dropped[64];

	s.seq = st->seq;
	if (!ASSERT_OK(he_build(&s, data, n, &seg), "build"))
		return;
	if (field)
		seg.buf[seg.l4 + HE_TCP_CHECK] ^= 0x5a;
	else
		seg.buf[seg.len - 700] ^= 0x01;
	he_run(&st->e, &seg, &res);
	expect_reason(res.reason, FS_R_BAD_CSUM, what);
	snprintf(dropped, sizeof(dropped), "%s dropped", what);
	ASSERT_EQ(res.verdict, XDP_DROP, dropped);
}

/* Put the flow's state in HP_UNTRACKED, as when its state was lost. */
static void force_untracked(struct stream *st)
{
	struct pkt_spec s = st->spec;
	struct fs_hflow_key k;
	struct fs_hstate hs;
	struct he_seg seg;

	s.seq = st->seq;
	he_build(&s, "x", 1, &seg);
	he_hflow_key(&seg, &k);
	if (ASSERT_OK(he_hstate_get(&st->e, &seg, &hs), "state")) {
		hs.st = HP_UNTRACKED;
		bpf_map_update_elem(bpf_map__fd(st->e.skel->maps.FS_MAP_HSTATE),
				    &k, &hs, BPF_ANY);
	}
}

#define SEED "GET /#101 HTTP/1.1\r\nHost: 0jejhcec65c24dslii.com\r\n\r\n"
#define GOOD "GET / HTTP/1.1\r\nHost: www.example.org\r\n\r\n"
#define BADHOST                                     \
	"GET / HTTP/1.1\r\nUser-Agent: x\r\nHost: " \
	"0jejhcec65c24dslii.com\r\n\r\n"

/* A request cut into two segments at every byte, and into one-byte
 * segments: the same verdict as in one segment. */
FS_TEST(hstream_splits)
{
	static const struct {
		const char *name, *req;
		enum fs_reason want;
	} cases[] = {
		{"good", GOOD, FS_R_HTTP_OK},
		{"seed ('#')", SEED, FS_R_HTTP_FRAGMENT},
		{"unserved Host, late", BADHOST, FS_R_HTTP_BAD_HOST},
		{"no Host on 1.1", "GET / HTTP/1.1\r\nX: y\r\n\r\n",
		 FS_R_HTTP_NO_HOST},
		{"leading CRLF, seed", "\r\n" SEED, FS_R_HTTP_FRAGMENT},
		{"absolute-form, unserved authority",
		 "GET http://0jejhcec65c24dslii.com/ HTTP/1.1\r\n"
		 "Host: www.example.org\r\n\r\n",
		 FS_R_HTTP_BAD_HOST},
		{"HTTP/0.9", "GET /index.html\r\n", FS_R_HTTP_NO_HOST},
	};

	for (size_t c = 0; c < ARRAY_SIZE(cases); c++) {
		for (int fam = 4; fam <= 6; fam += 2) {
			struct stream st;
			size_t len = strlen(cases[c].req);
			bool ok = true;

			fs_subtest("%s/v%d", cases[c].name, fam);
			if (!stream_open(&st, fam, NULL))
				continue;
			for (size_t cut = 0; cut < len && ok; cut++) {
				size_t cuts[] = {cut, 0};

				stream_next_flow(&st);
				ok = expect_reason(
					send_cut(&st, cases[c].req, cuts),
					cases[c].want, "two segments");
			}
			if (ok) {
				size_t cuts[128];

				for (size_t i = 0; i + 1 < ARRAY_SIZE(cuts);
				     i++)
					cuts[i] = i + 1;
				cuts[ARRAY_SIZE(cuts) - 1] = 0;
				stream_next_flow(&st);
				expect_reason(send_cut(&st, cases[c].req, cuts),
					      cases[c].want,
					      "one-byte segments");
			}
			xe_close(&st.e);
		}
	}
}

/* Every request start in a segment is judged: pipelining, empty lines,
 * requests after a body. */
FS_TEST(hstream_pipelining)
{
	static const struct {
		const char *name, *seg;
		enum fs_reason want;
	} cases[] = {
		{"good, good", GOOD GOOD, FS_R_HTTP_OK},
		{"good, seed", GOOD SEED, FS_R_HTTP_FRAGMENT},
		{"good, CRLF, bad Host", GOOD "\r\n" BADHOST,
		 FS_R_HTTP_BAD_HOST},
		{"good, HTTP/0.9", GOOD "GET /\r\n", FS_R_HTTP_NO_HOST},
		{"POST with a body that looks like a request, then good",
		 "POST /f HTTP/1.1\r\nHost: www.example.org\r\n"
		 "Content-Length: 18\r\n\r\nGET /#1 HTTP/1.1\r\n" GOOD,
		 FS_R_HTTP_OK},
		{"POST with a short Content-Length: the rest is a request",
		 "POST /f HTTP/1.1\r\nHost: www.example.org\r\n"
		 "Content-Length: 3\r\n\r\nabc" SEED,
		 FS_R_HTTP_FRAGMENT},
		{"chunked body with request text, then a seed",
		 "POST /f HTTP/1.1\r\nHost: www.example.org\r\n"
		 "Transfer-Encoding: chunked\r\n\r\n"
		 "9;x=1\r\nGET /#1 H\r\n0\r\nTrailer: t\r\n\r\n" SEED,
		 FS_R_HTTP_FRAGMENT},
		{"chunked body with request text",
		 "POST /f HTTP/1.1\r\n"
		 "Host: www.example.org\r\nTransfer-Encoding: chunked\r\n\r\n"
		 "12\r\nGET /#1 HTTP/1.1\r\n\r\n0\r\n\r\n" GOOD,
		 FS_R_HTTP_OK},
		{"Content-Length and Transfer-Encoding",
		 "POST / HTTP/1.1\r\nHost: www.example.org\r\n"
		 "Content-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n",
		 FS_R_HTTP_MALFORMED},
	};

	for (size_t c = 0; c < ARRAY_SIZE(cases); c++) {
		struct stream st;

		fs_subtest("%s", cases[c].name);
		if (!stream_open(&st, 4, NULL))
			continue;
		expect_reason(send_str(&st, cases[c].seg), cases[c].want,
			      "the segment");
		xe_close(&st.e);
	}
}

/* Bodies that look like requests, in segments of their own, are never
 * judged; the request after the body is. */
FS_TEST(hstream_bodies)
{
	struct stream st;

	fs_subtest("upload segments starting with request text");
	if (stream_open(&st, 4, NULL)) {
		expect_reason(send_str(&st, "POST /f HTTP/1.1\r\n"
					    "Host: www.example.org\r\n"
					    "Content-Length: 104\r\n\r\n"),
			      FS_R_HTTP_OK, "head");
		expect_reason(send_str(&st, SEED), FS_R_SERVICE, "body 1");
		expect_reason(send_str(&st, SEED), FS_R_SERVICE, "body 2");
		expect_reason(send_str(&st, SEED), FS_R_HTTP_FRAGMENT,
			      "after the body");
		xe_close(&st.e);
	}
	fs_subtest("a body segment out of order passes, the gap is body");
	if (stream_open(&st, 4, NULL)) {
		__u32 body;

		expect_reason(send_str(&st, "PUT /f HTTP/1.1\r\n"
					    "Host: www.example.org\r\n"
					    "Content-Length: 104\r\n\r\n"),
			      FS_R_HTTP_OK, "head");
		body = st.seq;
		expect_reason(send_at(&st, body + 52, SEED, 52, 0, NULL),
			      FS_R_SERVICE, "second body segment first");
		/* a segment crossing the body's end out of order is dropped:
		 * its bytes after the body are a request the kernel may take
		 * from another copy */
		expect_reason(send_at(&st, body + 52, SEED GOOD,
				      52 + strlen(GOOD), 0, NULL),
			      FS_R_HTTP_UNDECIDED_ORDER,
			      "crossing, out of order");
		expect_reason(send_at(&st, body, SEED, 52, 0, NULL),
			      FS_R_SERVICE, "first body segment");
		st.seq = body + 52;
		expect_reason(send_next(&st, SEED GOOD, 52 + strlen(GOOD)),
			      FS_R_HTTP_OK,
			      "in order: the body, then a request");
		xe_close(&st.e);
	}
}

/* The resume state's sequence handling. */
FS_TEST(hstream_sequence)
{
	struct stream st;
	int verdict = -1;

	fs_subtest("a retransmission of parsed bytes passes");
	if (stream_open(&st, 4, NULL)) {
		expect_reason(send_str(&st, "GET / HTTP/1.1\r\n"), FS_R_SERVICE,
			      "first");
		expect_reason(send_at(&st, ISN, "GET / HTTP/1.1\r\n", 16, 0,
				      NULL),
			      FS_R_SERVICE, "again");
		expect_reason(send_str(&st, "Host: 0jejhcec65c24dslii.com\r\n"),
			      FS_R_HTTP_BAD_HOST, "the Host after it");
		xe_close(&st.e);
	}
	fs_subtest("an overlapping segment is parsed from its first new byte");
	if (stream_open(&st, 4, NULL)) {
		expect_reason(send_str(&st, "GET / HTTP/1.1\r\nHo"),
			      FS_R_SERVICE, "first");
		expect_reason(send_at(&st, ISN + 16,
				      "Host: 0jejhcec65c24dslii.com\r\n", 30, 0,
				      NULL),
			      FS_R_HTTP_BAD_HOST, "overlap");
		xe_close(&st.e);
	}
	fs_subtest("a head segment out of order is dropped, then judged");
	if (stream_open(&st, 6, NULL)) {
		expect_reason(send_str(&st, "GET / HTTP/1.1\r\n"), FS_R_SERVICE,
			      "first");
		expect_reason(send_at(&st, st.seq + 10, "lii.com\r\n\r\n", 11,
				      0, &verdict),
			      FS_R_HTTP_UNDECIDED_ORDER, "out of order");
		ASSERT_EQ(verdict, XDP_DROP, "dropped");
		expect_reason(send_str(&st, "Host: 0jejhcec65c24dslii.com\r\n"),
			      FS_R_HTTP_BAD_HOST, "in order");
		xe_close(&st.e);
	}
	fs_subtest("a bad checksum moves nothing");
	if (stream_open(&st, 4, NULL)) {
		const char *twin = "GET / HTTP/1.1\r\nHost: "
				   "www.example.org\r\n";

		send_corrupt(&st, twin, strlen(twin), true, "twin");
		expect_reason(send_str(&st, BADHOST), FS_R_HTTP_BAD_HOST,
			      "the real bytes at the same place");
		xe_close(&st.e);
	}
	fs_subtest("a bad checksum moves nothing, in a body either");
	if (stream_open(&st, 4, NULL)) {
		char body[1200];

		memset(body, 'b', sizeof(body));
		expect_reason(send_str(&st, "POST / HTTP/1.1\r\nHost: "
					    "www.example.org\r\n"
					    "Content-Length: 1200\r\n\r\n"),
			      FS_R_HTTP_OK, "the head");
		/* the kernel drops the corrupt copy: its next byte stays */
		st.e.skel->bss->fs_model_kernel = 1;
		st.e.skel->bss->fs_model_kernel_next = st.seq;
		send_corrupt(&st, body, sizeof(body), false, "corrupt body");
		expect_reason(send_next(&st, body, sizeof(body)), FS_R_SERVICE,
			      "the body's good copy at the same place");
		st.e.skel->bss->fs_model_kernel = 0;
		expect_reason(send_str(&st, GOOD), FS_R_HTTP_OK,
			      "the next request, in step");
		xe_close(&st.e);
	}
	fs_subtest("a lost flow is reset where no request starts, then kept "
		   "reset");
	if (stream_open(&st, 4, NULL)) {
		expect_reason(send_str(&st, "GET / HTTP/1.1\r\n"), FS_R_SERVICE,
			      "first");
		force_untracked(&st); /* as for an evicted state */
		expect_reason(send_str(&st, "X: y\r\n"), FS_R_HTTP_LOST,
			      "no request start where the kernel reads: reset");
		expect_reason(send_str(&st, GOOD), FS_R_HTTP_DESYNC,
			      "a later segment: a RST again (the kernel may "
			      "have ignored the first)");
		xe_close(&st.e);
	}
	fs_subtest("urgent data is bad");
	if (stream_open(&st, 4, NULL)) {
		expect_reason(send_at(&st, st.seq, "x" SEED, 1 + strlen(SEED),
				      URG_FLAG, NULL),
			      FS_R_HTTP_URGENT, "URG");
		xe_close(&st.e);
	}
}

/* The state of the stream's flow (its next segment's key). */
static bool stream_state(struct stream *st, struct fs_hstate *hs)
{
	struct pkt_spec s = st->spec;
	struct he_seg seg;

	s.seq = st->seq;
	return he_build(&s, "x", 1, &seg) == 0 &&
	       he_hstate_get(&st->e, &seg, hs) == 0;
}

/* Urgent data is judged where the parser would read it, at the flow's
 * next byte; anywhere else in the window it is dropped, never
 * punished: the fixtures' model proves every segment, as the kernel's
 * socket proves any segment in its window and with an ACK it can take,
 * which an off-path sender hits once in about 2^25 tries with large
 * windows (conn.bpf.h). Before, URG was judged before the placement: one
 * forged URG segment anywhere in the window charged the source's
 * bad-request bucket (4 bans it) and left its flow HP_RESET (the real
 * client's next segment became a RST). Nor does an URG segment pass
 * where other bytes there would (old bytes, body out of order): its
 * pointer may reach a later byte, which Linux then takes out of the
 * stream. */
FS_TEST(hstream_urgent_placed)
{
	struct fs_hstate hs;
	struct stream st;
	__u8 src[16];
	struct fs_ban ban;
	int verdict, n;

	fs_subtest("URG in the window, not at the next byte: dropped, "
		   "nothing charged, the flow goes on");
	if (stream_open(&st, 4, "http.bad.src=1/3")) {
		expect_reason(send_str(&st, GOOD), FS_R_HTTP_OK, "first");
		for (n = 0; n < 6; n++) {
			verdict = -1;
			expect_reason(
				send_at(&st, st.seq + 1000 + n, "x" SEED,
					1 + strlen(SEED), URG_FLAG, &verdict),
				FS_R_HTTP_UNDECIDED_ORDER, "in the window");
			ASSERT_EQ(verdict, XDP_DROP, "dropped");
		}
		if (ASSERT_TRUE(stream_state(&st, &hs), "state"))
			ASSERT_NEQ(hs.st, HP_RESET, "the flow is not reset");
		memcpy(src, st.spec.src, sizeof(src));
		ASSERT_EQ(xe_ban_get(&st.e, src, 128, &ban), -ENOENT,
			  "no ban of the source");
		expect_reason(send_str(&st, GOOD), FS_R_HTTP_OK,
			      "the client's next request");
		xe_close(&st.e);
	}
	fs_subtest("URG on old bytes or a body out of order: dropped");
	if (stream_open(&st, 6, NULL)) {
		expect_reason(send_str(&st, GOOD), FS_R_HTTP_OK, "first");
		expect_reason(send_at(&st, st.seq - 10, "x\r\n\r\n", 5,
				      URG_FLAG, &verdict),
			      FS_R_HTTP_UNDECIDED_ORDER, "old bytes, URG");
		ASSERT_EQ(verdict, XDP_DROP, "dropped");
		expect_reason(send_str(&st, "POST /f HTTP/1.1\r\n"
					    "Host: www.example.org\r\n"
					    "Content-Length: 100\r\n\r\n"),
			      FS_R_HTTP_OK, "a head with a body");
		expect_reason(send_at(&st, st.seq + 50, "abcdefghij", 10,
				      URG_FLAG, &verdict),
			      FS_R_HTTP_UNDECIDED_ORDER,
			      "body out of order, URG");
		ASSERT_EQ(verdict, XDP_DROP, "dropped");
		expect_reason(send_at(&st, st.seq + 50, "abcdefghij", 10, 0,
				      &verdict),
			      FS_R_SERVICE, "the same without URG passes");
		xe_close(&st.e);
	}
	fs_subtest("URG at the next byte: bad (http_urgent), inside a body "
		   "too");
	if (stream_open(&st, 4, NULL)) {
		expect_reason(send_str(&st, GOOD), FS_R_HTTP_OK, "first");
		expect_reason(send_at(&st, st.seq, "x" SEED, 1 + strlen(SEED),
				      URG_FLAG, &verdict),
			      FS_R_HTTP_URGENT, "at the next byte");
		ASSERT_EQ(verdict, XDP_PASS, "passed as a RST");
		stream_next_flow(&st);
		expect_reason(send_str(&st, "POST /f HTTP/1.1\r\n"
					    "Host: www.example.org\r\n"
					    "Content-Length: 100\r\n\r\n"),
			      FS_R_HTTP_OK, "a head with a body");
		expect_reason(send_at(&st, st.seq, "abcdefghij", 10, URG_FLAG,
				      NULL),
			      FS_R_HTTP_URGENT, "in order in the body");
		xe_close(&st.e);
	}
}

/* A Host value cut by segments is kept in fs_hhost and judged whole. */
FS_TEST(hstream_cut_host)
{
	struct stream st;
	char host[300], req[400];

	fs_subtest("a 200-byte unserved Host in 3 segments");
	if (stream_open(&st, 4, NULL)) {
		memset(host, 'a', 200);
		host[200] = 0;
		snprintf(req, sizeof(req),
			 "GET / HTTP/1.1\r\nHost: %s.example.org\r\n\r\n",
			 host);
		expect_reason(send_cut(&st, req, (size_t[]){30, 150, 0}),
			      FS_R_HTTP_BAD_HOST, "whole");
		xe_close(&st.e);
	}
	fs_subtest("a served wildcard name cut in two");
	if (stream_open(&st, 4, NULL)) {
		expect_reason(send_cut(&st,
				       "GET / HTTP/1.1\r\nHost: a.b.example.net"
				       "\r\n\r\n",
				       (size_t[]){28, 0}),
			      FS_R_HTTP_OK, "wildcard");
		xe_close(&st.e);
	}
	fs_subtest("a Host of 300 bytes under a wildcard is unserved");
	if (stream_open(&st, 4, NULL)) {
		memset(host, 'a', 288);
		host[288] = 0;
		snprintf(req, sizeof(req),
			 "GET / HTTP/1.1\r\nHost: %s.example.net\r\n\r\n",
			 host);
		expect_reason(send_cut(&st, req, (size_t[]){100, 0}),
			      FS_R_HTTP_BAD_HOST, "too long");
		xe_close(&st.e);
	}
}

/* What each `http.server` profile accepts: forms nginx routes are judged
 * by their Host under `both` and `nginx`, and malformed under `apache`. */
FS_TEST(hstream_profiles)
{
	static const struct {
		const char *name, *req;
		enum fs_reason both, apache;
	} cases[] = {
		{"two SP after the method",
		 "GET  / HTTP/1.1\r\nHost: www.example.org\r\n\r\n",
		 FS_R_HTTP_OK, FS_R_HTTP_MALFORMED},
		{"SP before CRLF",
		 "GET / HTTP/1.1 \r\nHost: www.example.org\r\n\r\n",
		 FS_R_HTTP_OK, FS_R_HTTP_MALFORMED},
		{"bare LF", "GET / HTTP/1.1\nHost: www.example.org\n\n",
		 FS_R_HTTP_OK, FS_R_HTTP_MALFORMED},
		{"bare LF, unserved Host",
		 "GET / HTTP/1.1\nHost: 0jejhcec65c24dslii.com\n\n",
		 FS_R_HTTP_BAD_HOST, FS_R_HTTP_MALFORMED},
		{"HTTP/1.10",
		 "GET / HTTP/1.10\r\nHost: www.example.org\r\n\r\n",
		 FS_R_HTTP_OK, FS_R_HTTP_MALFORMED},
		{"11 empty lines",
		 "\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n" GOOD,
		 FS_R_HTTP_MALFORMED, FS_R_HTTP_MALFORMED},
		{"a lower-case method, unserved Host",
		 "get / HTTP/1.1\r\nHost: 0jejhcec65c24dslii.com\r\n\r\n",
		 FS_R_HTTP_BAD_HOST, FS_R_HTTP_BAD_HOST},
		{"an unknown method, served Host",
		 "BREW / HTTP/1.1\r\nHost: www.example.org\r\n\r\n",
		 FS_R_HTTP_OK, FS_R_HTTP_OK},
		{"HTTP/2.0 in a request line, unserved Host",
		 "GET / HTTP/2.0\r\nHost: 0jejhcec65c24dslii.com\r\n\r\n",
		 FS_R_HTTP_BAD_HOST, FS_R_HTTP_BAD_HOST},
		{"the HTTP/2 preface (http.h2_preface=reset)",
		 "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", FS_R_HTTP_MALFORMED,
		 FS_R_HTTP_MALFORMED},
		{"obs-fold",
		 "GET / HTTP/1.1\r\nHost:\r\n www.example.org\r\n\r\n",
		 FS_R_HTTP_EMPTY_HOST, FS_R_HTTP_EMPTY_HOST},
		{"Host longer than 8 blanks of OWS",
		 "GET / HTTP/1.1\r\nHost:            0jejhcec65c24dslii.com"
		 "\r\n\r\n",
		 FS_R_HTTP_BAD_HOST, FS_R_HTTP_BAD_HOST},
		{"own IPv4 address",
		 "GET / HTTP/1.1\r\nHost: 192.0.2.1\r\n\r\n", FS_R_HTTP_OK,
		 FS_R_HTTP_OK},
		{"another IPv4 address",
		 "GET / HTTP/1.1\r\nHost: 203.0.113.7:80\r\n\r\n",
		 FS_R_HTTP_BAD_HOST, FS_R_HTTP_BAD_HOST},
		{"digits that are no dotted quad",
		 "GET / HTTP/1.1\r\nHost: 3221225985\r\n\r\n",
		 FS_R_HTTP_BAD_HOST, FS_R_HTTP_BAD_HOST},
		{"a name ending in a digit, unserved",
		 "GET / HTTP/1.1\r\nHost: web01\r\n\r\n", FS_R_HTTP_BAD_HOST,
		 FS_R_HTTP_BAD_HOST},
		{"userinfo in the authority",
		 "GET http://www.example.org@evil/ HTTP/1.1\r\n"
		 "Host: www.example.org\r\n\r\n",
		 FS_R_HTTP_BAD_HOST, FS_R_HTTP_BAD_HOST},
		{"https:// authority unserved, Host served",
		 "GET https://0jejhcec65c24dslii.com/ HTTP/1.1\r\n"
		 "Host: www.example.org\r\n\r\n",
		 FS_R_HTTP_BAD_HOST, FS_R_HTTP_BAD_HOST},
		{"CONNECT",
		 "CONNECT www.example.org:80 HTTP/1.1\r\n"
		 "Host: www.example.org\r\n\r\n",
		 FS_R_HTTP_MALFORMED, FS_R_HTTP_MALFORMED},
		{"WebSocket upgrade",
		 "GET /chat HTTP/1.1\r\nHost: www.example.org\r\n"
		 "Upgrade: websocket\r\nConnection: Upgrade\r\n\r\n",
		 FS_R_HTTP_OK, FS_R_HTTP_OK},
	};

	for (size_t c = 0; c < ARRAY_SIZE(cases); c++) {
		for (int prof = 0; prof < 2; prof++) {
			struct stream st;

			fs_subtest("%s/%s", cases[c].name,
				   prof ? "apache" : "both");
			if (!stream_open(&st, 4,
					 prof ? "http.server=apache" : NULL))
				continue;
			expect_reason(send_str(&st, cases[c].req),
				      prof ? cases[c].apache : cases[c].both,
				      "verdict");
			xe_close(&st.e);
		}
	}
}

/* An Upgrade whose request has a body: after the body, the new
 * protocol (a WebSocket frame), not a request. */
FS_TEST(hstream_upgrade_body)
{
	static const char *const heads[] = {
		"Transfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n",
		"Content-Length: 3\r\n\r\nabc",
	};
	static const char frame[] = "\x81\x85\x37\xfa\x21\x3d\x7f\x9f";

	for (size_t i = 0; i < ARRAY_SIZE(heads); i++) {
		struct stream st;
		char req[256];

		fs_subtest("%s", i ? "Content-Length" : "chunked");
		if (!stream_open(&st, 4, NULL))
			return;
		snprintf(req, sizeof(req),
			 "POST /ws HTTP/1.1\r\nHost: www.example.org\r\n"
			 "Upgrade: websocket\r\nConnection: Upgrade\r\n%s",
			 heads[i]);
		expect_reason(send_str(&st, req), FS_R_HTTP_OK, "head, body");
		expect_reason(send_next(&st, frame, sizeof(frame) - 1),
			      FS_R_HTTP_UNDECIDED_OPAQUE, "a frame: opaque");
		xe_close(&st.e);
	}
}

/* Send @n bytes at @seq: the reason, and where the frame's sequence
 * number ended up (a RST's: the kernel's next byte) in *out_seq. */
static int send_seq(struct stream *st, __u32 seq, const char *data,
		    __u32 *out_seq)
{
	struct pkt_spec s = st->spec;
	struct he_result res;
	struct he_seg seg;

	s.seq = seq;
	if (he_build(&s, data, strlen(data), &seg) ||
	    he_run(&st->e, &seg, &res))
		return HE_REASON_NONE;
	*out_seq = he_tcp_seq(&res.out);
	return res.reason;
}

/* The model's kernel is at @next (it lacks what the parser passed from
 * there). */
static void kernel_at(struct stream *st, __u32 next)
{
	st->e.skel->bss->fs_model_kernel = 1;
	st->e.skel->bss->fs_model_kernel_next = next;
}

/* Bytes the parser passed that the kernel lacks: a segment over them is
 * dropped while they may be on their way, then judged from the kernel's
 * next byte (the snapshot), or the connection is reset there. */
FS_TEST(hstream_unsettled)
{
	struct stream st;
	__u32 base, out = 0;

	fs_subtest("in flight: the next segment is parsed");
	if (!stream_open(&st, 4, NULL))
		return;
	expect_reason(send_str(&st, GOOD), FS_R_HTTP_OK, "first");
	kernel_at(&st, ISN); /* the first still on its way */
	expect_reason(send_str(&st, SEED), FS_R_HTTP_FRAGMENT,
		      "the next one, judged");
	xe_close(&st.e);

	fs_subtest("a twin the kernel dropped, then the real bytes from one "
		   "byte before (retrans-over)");
	if (!stream_open(&st, 4, NULL))
		return;
	expect_reason(send_str(&st, GOOD), FS_R_HTTP_OK, "first");
	base = st.seq;
	expect_reason(send_str(&st, "GET /a HTTP/1.1\r\nHost: www.example.org"
				    "\r\n\r\n" GOOD),
		      FS_R_HTTP_OK, "the twin, parsed");
	kernel_at(&st, base); /* ... and dropped by the kernel */
	expect_reason(send_seq(&st, base - 1, "\n" SEED, &out),
		      FS_R_HTTP_UNDECIDED_ORDER,
		      "the real bytes at once: dropped (the twin may be on "
		      "its way)");
	xe_clock_set(&st.e, xe_clock(&st.e) + FS_HTTP_SETTLE_NS);
	expect_reason(send_seq(&st, base - 1, "\n" SEED, &out),
		      FS_R_HTTP_FRAGMENT,
		      "settled: judged from the kernel's "
		      "next byte");
	ASSERT_EQ(out, base, "the RST at the kernel's next byte");
	expect_reason(send_seq(&st, base, "GET", &out), FS_R_HTTP_DESYNC,
		      "and the flow stays reset");
	ASSERT_EQ(out, base, "again at the kernel's next byte");
	xe_close(&st.e);

	fs_subtest("body bytes passed past the first data, then other first "
		   "bytes (first-body)");
	if (!stream_open(&st, 4, NULL))
		return;
	expect_reason(send_str(&st, "POST /up HTTP/1.1\r\nHost: www.example.org"
				    "\r\nContent-Length: 60\r\n\r\n"),
		      FS_R_HTTP_OK, "a POST head (a twin the kernel drops)");
	expect_reason(send_str(&st, SEED), FS_R_SERVICE, "its body");
	kernel_at(&st, ISN); /* the kernel took neither */
	xe_clock_set(&st.e, xe_clock(&st.e) + FS_HTTP_SETTLE_NS);
	expect_reason(send_seq(&st, ISN, GOOD, &out), FS_R_HTTP_DESYNC,
		      "other first bytes: the body passed cannot be judged "
		      "again");
	ASSERT_EQ(out, ISN, "the RST at the kernel's next byte");
	xe_close(&st.e);

	fs_subtest("the kernel has bytes the parser never took");
	if (!stream_open(&st, 4, NULL))
		return;
	expect_reason(send_str(&st, "GET / HTTP/1.1\r\n"), FS_R_SERVICE,
		      "a head");
	kernel_at(&st, st.seq + 5);
	expect_reason(send_seq(&st, st.seq - 2, "\r\nHost: x\r\n\r\n", &out),
		      FS_R_HTTP_DESYNC, "desync");
	ASSERT_EQ(out, st.seq + 5, "the RST at the kernel's next byte");
	xe_close(&st.e);
}

/* The resume table is an LRU: a flow pushed out is picked up again at a
 * segment that starts a request, and is undecided until then. */
FS_TEST(hstream_eviction)
{
	struct stream st;
	__u16 victim;

	fs_subtest("an evicted flow is untracked until a request starts");
	if (!stream_open_sized(&st, 4, "http.req.src=off", 64))
		return;
	expect_reason(send_str(&st, "POST /f HTTP/1.1\r\nHost: "
				    "www.example.org\r\nContent-Length: 100"
				    "\r\n\r\n"),
		      FS_R_HTTP_OK, "the victim's head");
	victim = st.spec.sport;
	for (int i = 0; i < 2000; i++) { /* other flows push it out */
		stream_next_flow(&st);
		send_str(&st, GOOD);
	}
	st.spec.sport = victim;
	st.seq = ISN + 64;
	{
		struct pkt_spec s = st.spec;
		struct fs_hstate hs;
		struct he_seg seg;

		s.seq = st.seq;
		he_build(&s, "x", 1, &seg);
		ASSERT_EQ(he_hstate_get(&st.e, &seg, &hs), -ENOENT,
			  "the victim's state was pushed out");
	}
	st.e.skel->bss->fs_model_midstream = 1; /* its socket had data */
	expect_reason(send_str(&st, "GET / HTTP/1.1\r\n"), FS_R_SERVICE,
		      "a request starts: picked up");
	expect_reason(send_str(&st, "Host: 0jejhcec65c24dslii.com\r\n\r\n"),
		      FS_R_HTTP_BAD_HOST, "and judged");
	xe_close(&st.e);
	fs_subtest("an evicted flow whose next segment starts no request");
	{
		static const char *const body[] = {
			"Hello world, a text upload\r\n",
			"GET /#1 is no request here\r\n", /* a start, but */
			"GET", /* a request line cut after its method */
			"\r\n",
		};

		for (size_t i = 0; i < sizeof(body) / sizeof(body[0]); i++) {
			if (!stream_open(&st, 4, NULL))
				return;
			expect_reason(send_str(&st, GOOD), FS_R_HTTP_OK,
				      "head");
			force_untracked(&st);
			expect_reason(send_str(&st, body[i]), FS_R_HTTP_LOST,
				      body[i]);
			expect_reason(send_str(&st, " /#1 HTTP/1.1\r\n"),
				      FS_R_HTTP_DESYNC, "then reset again");
			xe_close(&st.e);
		}
	}
}

/* Whether the flow of @st still has its parser state. */
static bool has_state(struct stream *st)
{
	struct fs_hstate hs;

	return stream_state(st, &hs);
}

/* What pushing a flow out of fs_hstate (an LRU hash) costs a botnet:
 * other connections' first data, one state each. Measured on a table of
 * EV_MAX flows: an idle flow mid-body goes after about the table's size
 * of new flows; a flow that sends a segment between every quarter
 * table of them stays (the LRU's reference bit). Every pick-up of a
 * flow without state is counted (http_pickup): the churn shows. */
#define EV_MAX 1024
FS_TEST(hstream_eviction_cost)
{
	static const char head[] = "POST /f HTTP/1.1\r\nHost: "
				   "www.example.org\r\nContent-Length: 100"
				   "\r\n\r\n";
	__u64 ev0[FS_E_MAX], ev1[FS_E_MAX];
	struct stream st;
	__u16 victim;
	__u32 seq, n = 0;

	fs_subtest("an idle flow mid-body: pushed out by about %d flows",
		   EV_MAX);
	if (!stream_open_sized(&st, 4, "http.req.src=off", EV_MAX))
		return;
	expect_reason(send_str(&st, head), FS_R_HTTP_OK, "the victim's head");
	victim = st.spec.sport;
	seq = st.seq;
	while (n < 8 * EV_MAX) {
		for (int i = 0; i < 16; i++, n++) {
			stream_next_flow(&st);
			send_str(&st, GOOD);
		}
		st.spec.sport = victim;
		st.seq = seq;
		if (!has_state(&st))
			break;
	}
	printf("    pushed out after %u other flows (table: %d)\n", n, EV_MAX);
	ASSERT_TRUE(n < 8 * EV_MAX, "pushed out at last");
	ASSERT_TRUE(n >= EV_MAX / 2, "not before half a table of flows");
	ASSERT_OK(xe_events(&st.e, ev0), "events");
	st.e.skel->bss->fs_model_midstream = 1; /* its socket had data */
	expect_reason(send_str(&st, "Hello world, a text upload\r\n"),
		      FS_R_HTTP_LOST, "its body's next bytes: reset");
	stream_next_flow(&st);
	expect_reason(send_str(&st, GOOD), FS_R_HTTP_OK,
		      "another flow without state, at a request start");
	ASSERT_OK(xe_events(&st.e, ev1), "events");
	ASSERT_EQ(ev1[FS_E_HTTP_PICKUP] - ev0[FS_E_HTTP_PICKUP], 1,
		  "the pick-up counted (http_pickup)");
	xe_close(&st.e);

	fs_subtest("a flow that sends between the churn keeps its state");
	if (!stream_open_sized(&st, 4, "http.req.src=off", EV_MAX))
		return;
	expect_reason(send_str(&st, "POST /f HTTP/1.1\r\nHost: "
				    "www.example.org\r\nContent-Length: "
				    "100000\r\n\r\n"),
		      FS_R_HTTP_OK, "the victim's head");
	victim = st.spec.sport;
	seq = st.seq;
	for (n = 0; n < 8 * EV_MAX; n += EV_MAX / 4) {
		for (int i = 0; i < EV_MAX / 4; i++) {
			stream_next_flow(&st);
			send_str(&st, GOOD);
		}
		st.spec.sport = victim;
		st.seq = seq;
		if (!has_state(&st))
			break;
		expect_reason(send_str(&st, "0123456789"), FS_R_SERVICE,
			      "ten body bytes");
		seq = st.seq;
	}
	ASSERT_EQ(n, 8 * EV_MAX, "still tracked after 8 tables of new flows");
	xe_close(&st.e);
}

/* The suspicion window: over http.suspect, undecided segments of sources
 * with bad requests on record are reset; others' pass. */
FS_TEST(hstream_suspicion)
{
	struct stream st;
	__u16 bad_port;

	fs_subtest("a source with bad requests, in the window");
	if (!stream_open(&st, 4, "http.suspect=1/1"))
		return;
	for (int i = 0; i < 3; i++) {
		stream_next_flow(&st);
		expect_reason(send_str(&st, SEED), FS_R_HTTP_FRAGMENT, "bad");
	}
	stream_next_flow(&st);
	expect_reason(send_str(&st, "GET / HTTP/1.1\r\n"), FS_R_SERVICE,
		      "a head");
	bad_port = st.spec.sport;
	/* a lost flow is reset whoever sends it (http_lost); an out-of-order
	 * segment is dropped whoever sends it: no segment of a suspect
	 * passes undecided any more (only one whose state the map refused) */
	expect_reason(send_at(&st, st.seq + 10, "x: y\r\n", 6, 0, NULL),
		      FS_R_HTTP_UNDECIDED_ORDER, "out of order, suspect");
	force_untracked(&st);
	expect_reason(send_str(&st, "x: y\r\n"), FS_R_HTTP_LOST,
		      "lost, suspect");
	fs_subtest("another source in the window is not a suspect");
	pkt_addr("203.0.113.9", st.spec.src);
	st.spec.sport = bad_port;
	stream_next_flow(&st);
	expect_reason(send_str(&st, "GET / HTTP/1.1\r\n"), FS_R_SERVICE,
		      "a head");
	expect_reason(send_at(&st, st.seq + 10, "x: y\r\n", 6, 0, NULL),
		      FS_R_HTTP_UNDECIDED_ORDER, "undecided, dropped");
	xe_close(&st.e);
}

/* Prior-knowledge HTTP/2 where the port serves h2c: the flow is opaque. */
FS_TEST(hstream_h2c)
{
	struct stream st;

	fs_subtest("http.h2_preface=pass: the preface makes the flow opaque");
	if (!stream_open(&st, 6, "http.h2_preface=pass"))
		return;
	expect_reason(send_str(&st, "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"),
		      FS_R_HTTP_UNDECIDED_OPAQUE, "preface");
	expect_reason(send_next(&st, "\x00\x00\x12\x04\x00\x00\x00\x00\x00", 9),
		      FS_R_HTTP_UNDECIDED_OPAQUE, "frames");
	xe_close(&st.e);
	fs_subtest("PRI with HTTP/1.1 is malformed");
	if (!stream_open(&st, 4, "http.h2_preface=pass"))
		return;
	expect_reason(send_str(&st, "PRI * HTTP/1.1\r\nHost: "
				    "www.example.org\r\n\r\n"),
		      FS_R_HTTP_MALFORMED, "PRI 1.1");
	xe_close(&st.e);
}

/* The parser's one-step paths (a request line, a Host line, a field
 * line the parser does not act on, each in one bpf_loop() step) stop
 * wherever the byte-wise machine would decide otherwise: names that
 * start like one it acts on, methods and lines outside the common form.
 * And what the checksum and the RST rule leave unparsed. */
FS_TEST(hstream_fast)
{
	static const struct {
		const char *name, *req;
		enum fs_reason want;
	} cases[] = {
		{"Hostx is no Host",
		 "GET / HTTP/1.1\r\nHostx: 0jejhcec65c24dslii.com\r\n"
		 "Host: www.example.org\r\n\r\n",
		 FS_R_HTTP_OK},
		{"Host then SP before the colon",
		 "GET / HTTP/1.1\r\nHost : www.example.org\r\n\r\n",
		 FS_R_HTTP_HOST_WS},
		{"a second Host after field lines",
		 "GET / HTTP/1.1\r\nHost: www.example.org\r\nAccept: */*\r\n"
		 "HOST: 0jejhcec65c24dslii.com\r\n\r\n",
		 FS_R_HTTP_DUP_HOST},
		{"Upgrade-Insecure-Requests is no Upgrade",
		 "GET / HTTP/1.1\r\nUpgrade-Insecure-Requests: 1\r\n"
		 "Host: www.example.org\r\n\r\n\x81\x85xyzw",
		 FS_R_HTTP_MALFORMED},
		{"Upgrade is kept",
		 "GET / HTTP/1.1\r\nUpgrade: websocket\r\n"
		 "Host: www.example.org\r\n\r\n\x81\x85xyzw",
		 FS_R_HTTP_OK},
		{"a lower-case method, byte by byte",
		 "get /a/b/c/d/e/f/g HTTP/1.1\r\nHost: x.invalid\r\n\r\n",
		 FS_R_HTTP_BAD_HOST},
		{"a method of 8 letters",
		 "PROPFIND / HTTP/1.1\r\nHost: "
		 "0jejhcec65c24dslii.com\r\n\r\n",
		 FS_R_HTTP_BAD_HOST},
		{"CONNECT",
		 "CONNECT www.example.org:443 HTTP/1.1\r\n"
		 "Host: www.example.org\r\n\r\n",
		 FS_R_HTTP_MALFORMED},
		{"a fragment past the first words of a long target",
		 "GET /aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
		 "aaaaaaaaaaaaaaaaaaa#101 HTTP/1.1\r\nHost: www.example.org\r\n"
		 "\r\n",
		 FS_R_HTTP_FRAGMENT},
		{"a field name with SP in its second word",
		 "GET / HTTP/1.1\r\nX-Forwarded For: y\r\nHost: "
		 "www.example.org\r\n\r\n",
		 FS_R_HTTP_MALFORMED},
		{"a long value over several steps, then the Host",
		 "GET / HTTP/1.1\r\nCookie: "
		 "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
		 "a"
		 "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
		 "a"
		 "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
		 "a"
		 "\r\nHost: 0jejhcec65c24dslii.com\r\n\r\n",
		 FS_R_HTTP_BAD_HOST},
		{"a Host value of 40 bytes (past the one-step 16)",
		 "GET / HTTP/1.1\r\nHost: a.b.c.d.e.f.g.h.i.j.k.l.example.net"
		 "\r\n\r\n",
		 FS_R_HTTP_OK},
		{"a Host with a tab after it, then CRLF",
		 "GET / HTTP/1.1\r\nHost: www.example.org\t\r\n\r\n",
		 FS_R_HTTP_OK},
		{"a Host then a space and more",
		 "GET / HTTP/1.1\r\nHost: www.example.org evil\r\n\r\n",
		 FS_R_HTTP_BAD_HOST},
	};
	struct stream st;
	int verdict = -1;

	for (size_t c = 0; c < ARRAY_SIZE(cases); c++) {
		for (int fam = 4; fam <= 6; fam += 2) {
			fs_subtest("%s/v%d", cases[c].name, fam);
			if (!stream_open(&st, fam, NULL))
				continue;
			expect_reason(send_str(&st, cases[c].req),
				      cases[c].want, cases[c].name);
			xe_close(&st.e);
		}
	}
	fs_subtest("a RST's payload is never parsed");
	if (stream_open(&st, 4, NULL)) {
		expect_reason(send_at(&st, st.seq, GOOD, strlen(GOOD), 0x04,
				      &verdict),
			      FS_R_SERVICE, "RST with a request");
		ASSERT_EQ(verdict, XDP_PASS, "passed (the kernel reads none)");
		expect_reason(send_str(&st, BADHOST), FS_R_HTTP_BAD_HOST,
			      "the same bytes' place: not moved by the RST");
		xe_close(&st.e);
	}
	fs_subtest("a bad byte past the first 512 moves nothing");
	if (stream_open(&st, 6, NULL)) {
		char big[1400];
		int n = snprintf(big, sizeof(big),
				 "GET / HTTP/1.1\r\nHost: www.example.org\r\n"
				 "X-Fill: %0*d\r\n\r\n",
				 1300, 7);

		send_corrupt(&st, big, n, false, "corrupt");
		expect_reason(send_str(&st, BADHOST), FS_R_HTTP_BAD_HOST,
			      "the real bytes at the same place");
		xe_close(&st.e);
	}
}
