// SPDX-License-Identifier: GPL-2.0
/* Red-team reproductions for issue 13's hardened HTTP parser (h13-red2),
 * under BPF_PROG_TEST_RUN. Each subtest sends what an attacker sends and
 * asserts what the shield must do; each fails where the shield gets it
 * wrong. The fixtures' connection model is that of tests/test_hred.c
 * (fs_assume_connected: the first segment a flow shows is its
 * connection's first data; fs_model_midstream: it comes after data the
 * shield never saw).
 *
 * The cases that need the kernel's view of the stream (the rewind to the
 * snapshot, which needs the socket's rcv_nxt) are over real TCP in
 * tests/ns/72_stream.sh (tests/ns/hred_raw.py): rewind-body,
 * rewind-ooo, first-body, rewind-hhost, retrans-over, desync-split, and
 * chunk-htab (the first case below, against nginx).
 */
#include <linux/bpf.h>
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

static const char *const served[] = {"www.example.org", "example.org"};

/* nginx serves '#' (it strips the fragment) and routes an unserved Host
 * to the catch-all: both must be stopped. */
#define SEED "GET /#101 HTTP/1.1\r\nHost: 0jejhcec65c24dslii.com\r\n\r\n"

struct stream {
	struct xdp_env e;
	struct pkt_spec spec;
	__u32 seq; /* of the next segment */
};

static __u16 next_sport(void)
{
	static __u16 port = 40000;

	return ++port;
}

/* Port 80 on HTTP, the served hosts, the server's address, @kv (NULL or
 * one setting), stream mode; a v4 client. Bad requests never ban. */
static bool stream_open(struct stream *st, const char *kv)
{
	memset(st, 0, sizeof(*st));
	if (!ASSERT_OK(xe_open(&st->e), "load the program"))
		return false;
	st->e.stream = true;
	if (!ASSERT_OK(xe_service(&st->e, PORT_HTTP, FS_SVC_HTTP), "service") ||
	    !ASSERT_OK(xe_set(&st->e, "http.bad.src=1000000/1000000"), "bad") ||
	    !ASSERT_OK(xe_set(&st->e, "http.bad.prefix=1000000/1000000"),
		       "bad prefix") ||
	    !ASSERT_OK(xe_own(&st->e, "192.0.2.1"), "own") ||
	    !ASSERT_OK(he_hosts_add(&st->e, served, ARRAY_SIZE(served)), "host"
									 "s") ||
	    (kv && !ASSERT_OK(xe_set(&st->e, kv), kv))) {
		xe_close(&st->e);
		return false;
	}
	st->spec.family = 4;
	st->spec.tcp_flags = DATA_FLAGS;
	st->spec.sport = next_sport();
	st->spec.dport = PORT_HTTP;
	st->spec.ack = ACK;
	pkt_addr("198.51.100.9", st->spec.src);
	pkt_addr("192.0.2.1", st->spec.dst);
	st->seq = ISN;
	return true;
}

/* The next @n bytes of @data on the stream: the reason (*verdict). */
static int send_n(struct stream *st, const char *data, size_t n, int *verdict)
{
	struct pkt_spec s = st->spec;
	struct he_result res;
	struct he_seg seg;

	s.seq = st->seq;
	st->seq += n;
	if (!ASSERT_OK(he_build(&s, data, n, &seg), "build the segment") ||
	    he_run(&st->e, &seg, &res))
		return HE_REASON_NONE;
	if (verdict)
		*verdict = res.verdict;
	return res.reason;
}

static int send_str(struct stream *st, const char *s, int *verdict)
{
	return send_n(st, s, strlen(s), verdict);
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

/* ---- 1. chunk size, HTAB, digits ------------------------------------ */

/* "0" HTAB "3a" CRLF: nginx reads a chunk size of 0 and the extension
 * HTAB "3a" (ngx_http_parse_chunked(): after the digits, SP, HTAB and ';'
 * start an extension, which runs to the line end): the body's last
 * chunk, an empty trailer section, then the next request. Apache refuses
 * the line. The parser takes the digit after HTAB as more of the size
 * (hp_chunk_size() stops digits after SP only): a chunk of 0x3a bytes,
 * over the whole next request. So the seed rides in "chunk data" that
 * nginx reads as a request, routed by its unserved Host. */
FS_TEST(hred2_chunk_size_htab)
{
	static const char head[] = "POST /up HTTP/1.1\r\nHost: "
				   "www.example.org\r\n"
				   "Transfer-Encoding: chunked\r\n\r\n";
	char req[512], size[32];
	struct stream st;
	size_t body;
	int v = -1, r;

	fs_subtest("a chunk size of 0, HTAB, then hex digits");
	if (!stream_open(&st, NULL))
		return;
	/* the parser's chunk: CRLF (the trailer section's end, to nginx),
	 * the seed; then CRLF after the chunk and the last chunk */
	body = 2 + strlen(SEED);
	snprintf(size, sizeof(size), "0\t%zx\r\n", body);
	snprintf(req, sizeof(req), "%s%s\r\n%s\r\n0\r\n\r\n", head, size, SEED);
	r = send_str(&st, req, &v);
	expect_stopped(r, v, "the seed after a last chunk \"0\" HTAB \"..\"");
	xe_close(&st.e);
}

/* ---- 2. pick-up of an untracked flow -------------------------------- */

/* A flow of unknown offset (behind DNAT, FS_CONN_CT, every flow is one;
 * with a socket, one whose state was pushed out of the map) is picked up
 * only at a segment that starts like a request. Splitting the request
 * line after its method ("GET" | " /#..") makes no segment start like
 * one: the whole request passes untracked, and the server reads
 * "GET /#101 HTTP/1.1" with the seed Host. */
FS_TEST(hred2_untracked_split)
{
	static const char rest[] = " /#101 HTTP/1.1\r\n"
				   "Host: 0jejhcec65c24dslii.com\r\n\r\n";
	struct stream st;
	int v1 = -1, v2 = -1, r1, r2;

	fs_subtest("the method alone, then the rest");
	if (!stream_open(&st, NULL))
		return;
	st.e.skel->bss->fs_model_midstream = 1; /* the socket had data */
	r1 = send_str(&st, "GET", &v1);
	r2 = send_str(&st, rest, &v2);
	if (!(v1 == XDP_DROP ||
	      (r1 >= 0 && fs_reason_resets((enum fs_reason)r1))))
		expect_stopped(r2, v2, "the seed split after its method");
	xe_close(&st.e);
}

/* ---- 3. Content-Length over 32 bits ---------------------------------- */

/* hp_cl() caps a length over HP_CL_MAX only before it multiplies: the
 * tenth digit of 4294967300 wraps the count to 4. nginx reads a body of
 * 4294967300 bytes (ngx_atoof()); the parser a body of 4 and a new
 * request after it, in the server's body: a legitimate upload whose
 * data holds what looks like a bad request is reset (and the framing is
 * the server's no more). Past HP_CL_MAX the flow must be opaque. */
FS_TEST(hred2_cl_wrap)
{
	static const char head[] = "PUT /big HTTP/1.1\r\nHost: www.example.org"
				   "\r\nContent-Length: 4294967300\r\n\r\n";
	struct stream st;
	int r;

	fs_subtest("Content-Length 4294967300");
	if (!stream_open(&st, NULL))
		return;
	expect_not_reset(send_str(&st, head, NULL), "the head");
	r = send_str(&st, "abcd" SEED, NULL);
	expect_not_reset(r, "body bytes that look like a request");
	xe_close(&st.e);
}
