// SPDX-License-Identifier: GPL-2.0
/* The HTTP shield under BPF_PROG_TEST_RUN: request inspection verdicts,
 * the RST rewrite, reset-flow memory, bad-request bans, request rates,
 * per-rule observe, and random and mutated payloads. Every segment is
 * checked for its verdict, for the one reason counter it moved, and for
 * its output: unchanged when passed, or rewritten into a RST (flags and
 * TCP checksum only, checksums verified from scratch) when reset. Every
 * case runs over IPv4 and IPv6, with and without a VLAN tag.
 */
#include <errno.h>
#include <stdarg.h>
#include <linux/bpf.h>
#include "test.h"
#include "pkt.h"
#include "xdp_env.h"
#include "http_env.h"
#include "../loader/hosts.h"
#include "../loader/names.h"
#include "../loader/sync.h"
#include "../loader/hostfp.h"
#include "../loader/loader.h"
#include "floodshield.skel.h"
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <string.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#define PORT_HTTP  80
#define TPID_Q	   0x8100 /* 802.1Q */
#define TPID_AD	   0x88A8 /* 802.1ad (QinQ outer) */
#define TCP_PSH	   0x08
#define DATA_FLAGS (PKT_ACK | TCP_PSH)
#define SEQ	   0x11223344u
#define ACK	   0x55667788u
#define REFILL	   (100 * XE_NSEC) /* every bucket is full again */
#define MS	   1000000ull
#define BAN_TTL	   (60 * XE_NSEC) /* ban.ttl default */

struct fam {
	const char *name;
	int family;
	const char *src;
	const char *peer; /* same per-prefix bucket as src (/24, /64) */
	const char *dst;
};

static const struct fam fams[] = {
	{"v4", 4, "10.1.2.3", "10.1.2.77", "192.0.2.1"},
	{"v6", 6, "2001:db8:1:2::3", "2001:db8:1:2::77", "2001:db8:ffff::1"},
};

#define for_each_fam(f) \
	for (const struct fam *f = fams; f < fams + ARRAY_SIZE(fams); f++)

struct vlan {
	const char *name; /* subtest name suffix */
	__u16 tpid[2];
};

static const struct vlan vlans[] = {
	{"", {0}},
	{"/802.1Q", {TPID_Q}},
	{"/QinQ", {TPID_AD, TPID_Q}}, /* only for cases marked qinq */
};

static const struct vlan *const no_vlan = &vlans[0];

static const char *const served[] = {
	"www.example.org",
	"example.org",
	"*.example.net",
};

/* A new client port per segment, so that every segment is its own flow
 * unless a test reuses one on purpose. */
static __u16 fresh_sport(void)
{
	static __u16 port = 1024;

	port = port == 65535 ? 1024 : port + 1;
	return port;
}

/* A data segment (PSH|ACK) from @src to port 80. */
static struct pkt_spec data_spec(const struct fam *f, const char *src,
				 const struct vlan *v, __u16 sport)
{
	struct pkt_spec s = {
		.family = f->family,
		.tcp_flags = DATA_FLAGS,
		.sport = sport,
		.dport = PORT_HTTP,
		.seq = SEQ,
		.ack = ACK,
		.vlan = {v->tpid[0], v->tpid[1]},
	};

	pkt_addr(src, s.src);
	pkt_addr(f->dst, s.dst);
	return s;
}

static bool build(const struct pkt_spec *s, const void *payload, size_t n,
		  struct he_seg *seg)
{
	return ASSERT_OK(he_build(s, payload, n, seg), "build segment");
}

/* The segment of a new flow from @src carrying the string @req. */
static bool request(const struct fam *f, const char *src, const char *req,
		    struct he_seg *seg)
{
	struct pkt_spec s = data_spec(f, src, no_vlan, fresh_sport());

	return build(&s, req, strlen(req), seg);
}

/* Open an environment with port 80 on HTTP, the served hosts when
 * @hosts, and the NULL-terminated settings. */
static bool env_open(struct xdp_env *e, int hosts, ...)
{
	const char *kv;
	va_list ap;
	bool ok;

	if (!ASSERT_OK(xe_open(e), "load the program"))
		return false;
	ok = ASSERT_OK(xe_service(e, PORT_HTTP, FS_SVC_HTTP), "service port");
	/* the server's own addresses, as `http.own` would set them */
	ok = ok && ASSERT_OK(xe_own(e, "192.0.2.1"), "own v4") &&
	     ASSERT_OK(xe_own(e, "2001:db8::1"), "own v6");
	if (ok && hosts)
		ok = ASSERT_OK(he_hosts_add(e, served, ARRAY_SIZE(served)),
			       "served hosts");
	va_start(ap, hosts);
	while (ok && (kv = va_arg(ap, const char *)))
		ok = ASSERT_OK(xe_set(e, kv), kv);
	va_end(ap);
	if (!ok)
		xe_close(e);
	return ok;
}

/* @out is @in with the TCP flags turned into RST (plus ACK if @in had
 * it) and the TCP checksum fixed; nothing else changed. */
static bool check_rst(const struct he_seg *in, const struct he_seg *out)
{
	struct he_seg want = *in;
	__u8 *flags = &want.buf[want.l4 + HE_TCP_FLAGS];
	__u8 *csum = &want.buf[want.l4 + HE_TCP_CHECK];
	bool ok;

	*flags = PKT_RST | (*flags & PKT_ACK);
	ok = ASSERT_EQ(he_tcp_flags(out), *flags, "TCP flags of the RST");
	ok &= ASSERT_EQ(he_tcp_seq(out), he_tcp_seq(in), "seq unchanged");
	ok &= ASSERT_EQ(he_tcp_ack(out), he_tcp_ack(in), "ack unchanged");
	ok &= ASSERT_TRUE(he_ip_csum_ok(out), "IPv4 header checksum valid");
	ok &= ASSERT_TRUE(he_tcp_csum_ok(out), "TCP checksum valid (full "
					       "recompute)");
	/* Checksum verified above: compare every other byte. */
	memcpy(csum, &out->buf[out->l4 + HE_TCP_CHECK], 2);
	ok &= ASSERT_MEMEQ(out->buf, want.buf, in->len,
			   "frame: the input with RST flags and checksum only");
	return ok;
}

/* The frame a passed segment came back as: rewritten when @rst. */
static bool check_output(const struct he_seg *in, const struct he_seg *out,
			 bool rst)
{
	if (!ASSERT_EQ(out->len, in->len, "frame length"))
		return false;
	if (rst)
		return check_rst(in, out);
	return ASSERT_MEMEQ(out->buf, in->buf, in->len, "frame unchanged");
}

/* Send @seg once: @verdict, the counter of @reason alone moved by one
 * packet (an observed one when @observed), and a passed frame unchanged,
 * or rewritten into a RST for a RESET reason not observed. */
static bool expect_seg(struct xdp_env *e, const struct he_seg *seg, int verdict,
		       enum fs_reason reason, bool observed)
{
	struct he_result res;
	bool ok = he_expect(e, seg, verdict, reason, observed, &res);

	if (res.verdict == XDP_PASS)
		ok &= check_output(seg, &res.out,
				   fs_reason_resets(reason) && !observed &&
					   res.reason == (int)reason);
	return ok;
}

static bool expect_pass(struct xdp_env *e, const struct he_seg *seg,
			enum fs_reason reason)
{
	return expect_seg(e, seg, XDP_PASS, reason, false);
}

/* ---- the verdict table ------------------------------------------------ */

/* Requests. '@' in a case's text stands for @pad bytes of @fill. */
#define UA   "User-Agent: curl/7.88.1\r\nAccept: */*\r\n\r\n"
#define HOST "Host: www.example.org\r\n"
#define GET  "GET / HTTP/1.1\r\n"
#define ATTACK(target)                                                    \
	"GET " target " HTTP/1.1\r\n"                                     \
	"Host: 0jejhcec65c24dslii.com\r\n"                                \
	"Referer: http://0jejhcec65c24dslii.com\r\n"                      \
	"User-Agent: Mozilla/4.0 (compatible; MSIE 6.0; Windows NT 5.1; " \
	"SV1)\r\n"                                                        \
	"Accept: */*\r\n\r\n"
#define COOKIE_FILL "sid=0123456789abcdef; "
#define CASE(d, r, why, ...)                                    \
	{                                                       \
		.desc = d, .req = r, .reason = why, __VA_ARGS__ \
	}
#define METHOD(m, target) \
	CASE("method " m, m " " target " HTTP/1.1\r\n" HOST UA, FS_R_HTTP_OK)

struct http_case {
	const char *desc;
	const char *req;
	enum fs_reason reason;
	const char *set;  /* a setting of its own (fresh environment) */
	bool no_hosts;	  /* fs_hosts left empty: check off */
	bool qinq;	  /* run in QinQ too */
	size_t pad;	  /* '@' expands to this many bytes of @fill */
	const char *fill; /* "x" when NULL */
};

static const struct http_case cases[] = {
	/* good */
	CASE("plain GET", GET HOST UA, FS_R_HTTP_OK, .qinq = true),
	CASE("mixed-case Host name and value",
	     GET "hOsT: WWW.Example.ORG\r\n" UA, FS_R_HTTP_OK),
	CASE("Host with :80", GET "Host: www.example.org:80\r\n" UA,
	     FS_R_HTTP_OK),
	CASE("Host with trailing dot", GET "Host: www.example.org.\r\n" UA,
	     FS_R_HTTP_OK),
	CASE("Host with trailing dot and port",
	     GET "Host: www.example.org.:8080\r\n" UA, FS_R_HTTP_OK),
	CASE("OWS (spaces, tab) around the Host value",
	     GET "Host: \t www.example.org \t \r\n" UA, FS_R_HTTP_OK),
	CASE("no space after the Host colon", GET "Host:www.example.org\r\n" UA,
	     FS_R_HTTP_OK),
	CASE("absolute-form target",
	     "GET http://www.example.org/x HTTP/1.1\r\n" HOST UA, FS_R_HTTP_OK),
	CASE("absolute-form target, HTTPS:// in capitals",
	     "GET HTTPS://www.example.org/x HTTP/1.1\r\n" HOST UA,
	     FS_R_HTTP_OK),
	CASE("absolute-form target with port, no Host field on 1.1",
	     "GET http://example.org:80/?q=1 HTTP/1.1\r\n" UA,
	     FS_R_HTTP_NO_HOST),
	CASE("absolute-form target with port, no Host field on 1.0",
	     "GET http://example.org:80/?q=1 HTTP/1.0\r\n" UA, FS_R_HTTP_OK,
	     .set = "http.no_host_10=pass"),
	CASE("Host after 1 KB of cookies",
	     GET "User-Agent: Mozilla/5.0\r\nCookie: @\r\n" HOST "Accept: "
		 "*/*\r\n\r\n",
	     FS_R_HTTP_OK, .qinq = true, .pad = 1100, .fill = COOKIE_FILL),
	METHOD("GET", "/"),
	METHOD("HEAD", "/"),
	METHOD("POST", "/form"),
	METHOD("PUT", "/file"),
	METHOD("DELETE", "/file"),
	METHOD("OPTIONS", "*"),
	METHOD("PATCH", "/file"),
	CASE("method CONNECT is malformed",
	     "CONNECT www.example.org:443 HTTP/1.1\r\n" HOST UA,
	     FS_R_HTTP_MALFORMED),
	METHOD("FOO", "/"),
	METHOD("PROPFIND", "/"),
	METHOD("get", "/"),
	METHOD("TRACE", "/"),
	CASE("POST with a body after the headers",
	     "POST /form HTTP/1.1\r\n" HOST "Content-Type: "
	     "application/"
	     "x-www-form-urlencoded\r\n"
	     "Content-Length: 24\r\n\r\nname=a+b&c=%23d#e&f=GET ",
	     FS_R_HTTP_OK),
	CASE("%23 in the target", "GET /a%23b?c=%23 HTTP/1.1\r\n" HOST UA,
	     FS_R_HTTP_OK),
	CASE("exact example.org", GET "Host: example.org\r\n" UA, FS_R_HTTP_OK),
	CASE("wildcard: sub.example.net", GET "Host: sub.example.net\r\n" UA,
	     FS_R_HTTP_OK),
	CASE("wildcard: a.b.example.net", GET "Host: a.b.example.net\r\n" UA,
	     FS_R_HTTP_OK),
	CASE("wildcard: Host of 64 characters",
	     GET "Host: @.example.net\r\n" UA, FS_R_HTTP_OK, .pad = 52),
	CASE("target of 1000 bytes", "GET /@ HTTP/1.1\r\n" HOST UA,
	     FS_R_HTTP_OK, .pad = 1000),
	CASE("HTTP/1.0 without Host is reset by default",
	     "GET / HTTP/1.0\r\n\r\n", FS_R_HTTP_NO_HOST),
	CASE("HTTP/1.0 without Host, http.no_host_10=pass",
	     "GET / HTTP/1.0\r\n\r\n", FS_R_HTTP_OK,
	     .set = "http.no_host_10=pass"),
	CASE("HTTP/1.0 with empty Host is reset by default",
	     "GET / HTTP/1.0\r\nHost:\r\n" UA, FS_R_HTTP_EMPTY_HOST),
	CASE("HTTP/1.0 with empty Host, http.no_host_10=pass",
	     "GET / HTTP/1.0\r\nHost:\r\n" UA, FS_R_HTTP_OK,
	     .set = "http.no_host_10=pass"),
	CASE("own address 192.0.2.1 passes by default",
	     GET "Host: 192.0.2.1\r\n" UA, FS_R_HTTP_OK),
	CASE("own address [2001:db8::1]:80 passes by default",
	     GET "Host: [2001:db8::1]:80\r\n" UA, FS_R_HTTP_OK),
	CASE("own address, uncompressed and upper case",
	     GET "Host: [2001:0DB8:0:0:0:0:0:0001]\r\n" UA, FS_R_HTTP_OK),
	CASE("another IPv4 address is unserved", GET "Host: 203.0.113.7\r\n" UA,
	     FS_R_HTTP_BAD_HOST),
	CASE("another IPv6 address is unserved",
	     GET "Host: [2001:db8::99]\r\n" UA, FS_R_HTTP_BAD_HOST),
	CASE("v4-mapped own address is unserved",
	     GET "Host: [::ffff:192.0.2.1]\r\n" UA, FS_R_HTTP_BAD_HOST),
	CASE("a dotted quad out of range is unserved",
	     GET "Host: 192.0.2.256\r\n" UA, FS_R_HTTP_BAD_HOST),
	CASE("an octal quad is unserved", GET "Host: 0300.0.02.01\r\n" UA,
	     FS_R_HTTP_BAD_HOST),
	CASE("digits only are unserved", GET "Host: 1\r\n" UA,
	     FS_R_HTTP_BAD_HOST),
	CASE("brackets around a name are unserved",
	     GET "Host: [www.example.org]\r\n" UA, FS_R_HTTP_BAD_HOST),
	CASE("a zone id is unserved", GET "Host: [fe80::1%25eth0]\r\n" UA,
	     FS_R_HTTP_BAD_HOST),
	CASE("no hosts configured: the attack Host is OK", ATTACK("/"),
	     FS_R_HTTP_OK, .no_hosts = true),
	CASE("no hosts configured: example.net is OK",
	     GET "Host: example.net\r\n" UA, FS_R_HTTP_OK, .no_hosts = true),
	/* policies */
	CASE("HTTP/1.0 without Host, http.no_host_10=reset",
	     "GET / HTTP/1.0\r\n\r\n", FS_R_HTTP_NO_HOST,
	     .set = "http.no_host_10=reset"),
	CASE("HTTP/1.0 with a served Host, http.no_host_10=reset",
	     "GET / HTTP/1.0\r\n" HOST UA, FS_R_HTTP_OK,
	     .set = "http.no_host_10=reset"),
	CASE("IP-literal Host 192.0.2.1, http.ip_host=reset",
	     GET "Host: 192.0.2.1\r\n" UA, FS_R_HTTP_IP_HOST,
	     .set = "http.ip_host=reset"),
	CASE("IP-literal Host [2001:db8::1]:80, http.ip_host=reset",
	     GET "Host: [2001:db8::1]:80\r\n" UA, FS_R_HTTP_IP_HOST,
	     .set = "http.ip_host=reset"),
	CASE("IP literal with a port, http.ip_host=reset",
	     GET "Host: 192.0.2.1:8080\r\n" UA, FS_R_HTTP_IP_HOST,
	     .set = "http.ip_host=reset"),
	/* names ending in a digit are names, not IP literals */
	CASE("Host evil9 is not served (not an IP literal)",
	     GET "Host: evil9\r\n" UA, FS_R_HTTP_BAD_HOST),
	CASE("Host www.example.org.x1 is not served",
	     GET "Host: www.example.org.x1\r\n" UA, FS_R_HTTP_BAD_HOST),
	CASE("Host 9.example.org9 is not served",
	     GET "Host: 9.example.org9\r\n" UA, FS_R_HTTP_BAD_HOST),
	/* undecided rather than a guess */
	CASE("absolute form: the authority decides, not Host",
	     "GET http://evil.example.com/ HTTP/1.1\r\n" HOST UA,
	     FS_R_HTTP_BAD_HOST),
	/* '@' in a case stands for .pad bytes of .fill: here one '@' */
	CASE("absolute form with userinfo is unserved",
	     "GET http://user:pw@www.example.org/ HTTP/1.1\r\n" HOST UA,
	     FS_R_HTTP_BAD_HOST, .pad = 1, .fill = "@"),
	CASE("any number of blanks before the Host value",
	     GET "Host:          www.example.org\r\n" UA, FS_R_HTTP_OK),
	CASE("a connection's first data that is no request is malformed",
	     "POST #42 was merged into the release branch\r\nsee below\r\n",
	     FS_R_HTTP_MALFORMED),
	/* bad: answered with a RST */
	CASE("'#' in the target", "GET /#101 HTTP/1.1\r\n" HOST UA,
	     FS_R_HTTP_FRAGMENT, .qinq = true),
	CASE("'#' in an absolute-form target",
	     "GET http://www.example.org/#x HTTP/1.1\r\n" HOST UA,
	     FS_R_HTTP_FRAGMENT),
	CASE("the original attack request", ATTACK("/#101"),
	     FS_R_HTTP_FRAGMENT),
	CASE("the attack request with target /", ATTACK("/"),
	     FS_R_HTTP_BAD_HOST, .qinq = true),
	CASE("wildcard parent example.net is not served",
	     GET "Host: example.net\r\n" UA, FS_R_HTTP_BAD_HOST),
	CASE("served name as a prefix: www.example.org.evil.com",
	     GET "Host: www.example.org.evil.com\r\n" UA, FS_R_HTTP_BAD_HOST),
	CASE("served name as a suffix: evilwww.example.org",
	     GET "Host: evilwww.example.org\r\n" UA, FS_R_HTTP_BAD_HOST),
	CASE("absolute-form authority wins over a served Host",
	     "GET http://evil.example.com/ HTTP/1.1\r\n" HOST UA,
	     FS_R_HTTP_BAD_HOST),
	CASE("two Host fields", GET HOST "Accept: */*\r\n" HOST "\r\n",
	     FS_R_HTTP_DUP_HOST, .qinq = true),
	CASE("'Host : x' (space before the colon)",
	     GET "Host : www.example.org\r\n" UA, FS_R_HTTP_HOST_WS),
	CASE("'Host\\t: x' (tab before the colon)",
	     GET "Host\t: www.example.org\r\n" UA, FS_R_HTTP_HOST_WS),
	CASE("empty Host on HTTP/1.1", GET "Host:\r\n" UA,
	     FS_R_HTTP_EMPTY_HOST),
	CASE("blank Host on HTTP/1.1", GET "Host:  \r\n" UA,
	     FS_R_HTTP_EMPTY_HOST),
	CASE("complete HTTP/1.1 headers without Host", GET UA,
	     FS_R_HTTP_NO_HOST),
	CASE("HTTP/1.1 request line alone", GET "\r\n", FS_R_HTTP_NO_HOST),
	/* nothing decided yet: the head goes on in the next segment */
	CASE("headers cut before Host",
	     GET "User-Agent: curl/7.88.1\r\nAccept: */*\r\n", FS_R_SERVICE,
	     .qinq = true),
	CASE("headers cut inside a line", GET "User-Agent: cu", FS_R_SERVICE),
	CASE("Host value cut by the end of the segment",
	     GET "Host: www.example.o", FS_R_SERVICE),
	CASE("Host value cut after 7 bytes", GET "Host: www.exa", FS_R_SERVICE),
	CASE("request line cut", "GET / HTTP/1.", FS_R_SERVICE),
	/* forms either server routes, judged by their Host */
	CASE("HTTP/2.0 in a request line", "GET / HTTP/2.0\r\n" HOST UA,
	     FS_R_HTTP_OK),
	CASE("HTTP/0.9: no version (no Host)", "GET /\r\n" HOST UA,
	     FS_R_HTTP_NO_HOST),
	CASE("HTTP/0.9: SP before the line end", "GET / \r\n" HOST UA,
	     FS_R_HTTP_NO_HOST),
	CASE("HTTP/0.9 in 7 bytes", "GET /\r\n", FS_R_HTTP_NO_HOST),
	CASE("wildcard: Host of 65 characters",
	     GET "Host: @.example.net\r\n" UA, FS_R_HTTP_OK, .pad = 53),
	CASE("Host of 300 characters", GET "Host: @.example.org\r\n" UA,
	     FS_R_HTTP_BAD_HOST, .pad = 288),
	CASE("target longer than 1 KB", "GET /@ HTTP/1.1\r\n" HOST UA,
	     FS_R_HTTP_OK, .pad = 1100),
	/* a connection's first data that is no request */
	CASE("first data: a Host line alone", HOST "\r\n", FS_R_HTTP_MALFORMED,
	     .qinq = true),
	CASE("first data: body bytes", "name=a+b&c=%23d#e&f=1\r\n",
	     FS_R_HTTP_MALFORMED),
	CASE("first data: binary", "\x89PNG\r\n\x1a\n", FS_R_HTTP_MALFORMED),
};

/* The payload of @c: its text with '@' expanded. Returns the length. */
static size_t case_payload(const struct http_case *c, char *buf, size_t cap)
{
	const char *fill = c->fill ? c->fill : "x", *at = strchr(c->req, '@');
	size_t n = 0, flen = strlen(fill);

	if (!at)
		return snprintf(buf, cap, "%s", c->req);
	n = snprintf(buf, cap, "%.*s", (int)(at - c->req), c->req);
	for (size_t i = 0; i < c->pad && n + 1 < cap; i++)
		buf[n++] = fill[i % flen];
	n += snprintf(buf + n, cap - n, "%s", at + 1);
	return n;
}

/* One case, over both families and the VLAN layouts, in @e. */
static void run_case(struct xdp_env *e, const struct http_case *c)
{
	char payload[PKT_MAX];
	size_t n = case_payload(c, payload, sizeof(payload));
	struct he_seg seg;

	for_each_fam(f) {
		for (size_t v = 0; v < ARRAY_SIZE(vlans); v++) {
			struct pkt_spec s =
				data_spec(f, f->src, &vlans[v], fresh_sport());

			if (vlans[v].tpid[1] && !c->qinq)
				continue;
			fs_subtest("%s/%s%s", c->desc, f->name, vlans[v].name);
			xe_clock_set(e, xe_clock(e) + REFILL);
			if (build(&s, payload, n, &seg))
				expect_pass(e, &seg, c->reason);
		}
	}
}

/* Cases with their own setting, or without hosts, get a fresh
 * environment; the others share one. */
FS_TEST(http_verdicts)
{
	struct xdp_env shared, own;

	if (!env_open(&shared, true, NULL))
		return;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		const struct http_case *c = &cases[i];

		if (!c->set && !c->no_hosts) {
			run_case(&shared, c);
		} else if (env_open(&own, !c->no_hosts, c->set, NULL)) {
			run_case(&own, c);
			xe_close(&own);
		}
	}
	xe_close(&shared);
}

/* ---- end of the segment ----------------------------------------------- */

/* Where the headers end at the very end of the segment, the scan must
 * still see it, whatever the length of the last lines (the common case:
 * a client writes its whole request in one segment). */
static void segment_end(const struct fam *f, struct xdp_env *e)
{
	char req[256], pad[32];
	struct he_seg seg;

	for (int k = 0; k < 16; k++) {
		memset(pad, 'x', k);
		pad[k] = '\0';
		fs_subtest("no Host, last field line of %d bytes ends the "
			   "segment/%s",
			   7 + k, f->name);
		snprintf(req, sizeof(req), GET "Accept: */*\r\nX-A: %s\r\n\r\n",
			 pad);
		xe_clock_set(e, xe_clock(e) + REFILL);
		if (request(f, f->src, req, &seg))
			expect_pass(e, &seg, FS_R_HTTP_NO_HOST);
	}
	for (int k = 1; k <= 18; k++) {
		memset(pad, 'a', k);
		pad[k] = '\0';
		fs_subtest("unserved Host of %d characters ends the segment/%s",
			   k + 2, f->name);
		snprintf(req, sizeof(req),
			 GET "Accept: */*\r\nHost: %s.b\r\n\r\n", pad);
		xe_clock_set(e, xe_clock(e) + REFILL);
		if (request(f, f->src, req, &seg))
			expect_pass(e, &seg, FS_R_HTTP_BAD_HOST);
	}
}

FS_TEST(http_segment_end)
{
	struct xdp_env e;

	if (!env_open(&e, true, NULL))
		return;
	for_each_fam(f)
		segment_end(f, &e);
	xe_close(&e);
}

/* ---- RST layouts ------------------------------------------------------ */

/* The rewrite finds the TCP header behind options and extension headers
 * and keeps everything but flags and checksum. */
struct layout {
	const char *desc;
	int only;	      /* 4 or 6, or 0: both */
	struct pkt_spec spec; /* options, extension headers, flags */
};

static const struct layout layouts[] = {
	{"TCP options (timestamps)", 0, {.tcp_opt_len = 12}},
	{"segment without ACK becomes a bare RST", 0, {.tcp_flags = TCP_PSH}},
	{"FIN|PSH|ACK segment", 0, {.tcp_flags = PKT_FIN | DATA_FLAGS}},
	{"IPv4 options", 4, {.ip_opt_len = 8}},
	{"IPv6 hop-by-hop and destination options", 6, {.ext = "hd"}},
	{"QinQ and TCP options",
	 0,
	 {.vlan = {TPID_AD, TPID_Q}, .tcp_opt_len = 20}},
};

FS_TEST(http_rst_layouts)
{
	const char *bad = ATTACK("/#101");
	struct he_seg seg;
	struct xdp_env e;

	if (!env_open(&e, true, NULL))
		return;
	for (size_t i = 0; i < ARRAY_SIZE(layouts); i++) {
		for_each_fam(f) {
			struct pkt_spec s =
				data_spec(f, f->src, no_vlan, fresh_sport());
			const struct pkt_spec *l = &layouts[i].spec;

			if (layouts[i].only && layouts[i].only != f->family)
				continue;
			fs_subtest("%s/%s", layouts[i].desc, f->name);
			s.tcp_flags = l->tcp_flags ? l->tcp_flags : s.tcp_flags;
			s.tcp_opt_len = l->tcp_opt_len;
			s.ip_opt_len = l->ip_opt_len;
			s.ext = l->ext;
			memcpy(s.vlan, l->vlan, sizeof(s.vlan));
			xe_clock_set(&e, xe_clock(&e) + REFILL);
			if (build(&s, bad, strlen(bad), &seg))
				expect_pass(&e, &seg, FS_R_HTTP_FRAGMENT);
		}
	}
	xe_close(&e);
}

/* ---- reset-flow memory ------------------------------------------------ */

static bool expect_flow(struct xdp_env *e, const struct he_seg *seg,
			enum fs_reason reason, __u64 when)
{
	struct fs_flow_val v;
	bool ok;

	if (!ASSERT_OK(he_flow_get(e, seg, &v), "fs_flows entry"))
		return false;
	ok = ASSERT_EQ(v.reason, reason, "flow reason");
	ok &= ASSERT_EQ(v.reset_ns, when, "flow reset time");
	return ok;
}

static __u32 ban_count(struct xdp_env *e, const char *addr)
{
	struct fs_ban ban;
	__u8 a[16];

	pkt_addr(addr, a);
	return xe_ban_get(e, a, 128, &ban) ? 0 : ban.count;
}

static void flows(const struct fam *f)
{
	static const struct {
		const char *desc, *req;
		enum fs_reason reason;
	} bad[] = {
		{"fragment", ATTACK("/#101"), FS_R_HTTP_FRAGMENT},
		{"bad host", ATTACK("/"), FS_R_HTTP_BAD_HOST},
		{"duplicate host", GET HOST HOST "\r\n", FS_R_HTTP_DUP_HOST},
	};
	struct he_seg seg, ack;
	struct xdp_env e;

	if (!env_open(&e, true, NULL))
		return;
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		struct pkt_spec s =
			data_spec(f, f->src, no_vlan, fresh_sport());

		xe_clock_set(&e, xe_clock(&e) + REFILL);
		fs_subtest("%s: reset, flow remembered/%s", bad[i].desc,
			   f->name);
		if (!build(&s, bad[i].req, strlen(bad[i].req), &seg) ||
		    !expect_pass(&e, &seg, bad[i].reason) ||
		    !expect_flow(&e, &seg, bad[i].reason, xe_clock(&e)))
			continue;
		fs_subtest("%s: retransmission passes unchanged/%s",
			   bad[i].desc, f->name);
		expect_pass(&e, &seg, FS_R_RESET_FLOW);
		expect_flow(&e, &seg, bad[i].reason, xe_clock(&e));
		fs_subtest("%s: a later segment of the flow passes/%s",
			   bad[i].desc, f->name);
		if (build(&s, "", 0, &ack))
			expect_pass(&e, &ack, FS_R_SERVICE);
	}
	fs_subtest("good request: no flow remembered/%s", f->name);
	if (request(f, f->src, GET HOST UA, &seg) &&
	    expect_pass(&e, &seg, FS_R_HTTP_OK)) {
		struct fs_flow_val v;

		ASSERT_EQ(he_flow_get(&e, &seg, &v), -ENOENT,
			  "no fs_flows entry");
	}
	xe_close(&e);

	/* A client retransmits a request it got no answer to: the copies
	 * are one bad request, not several. */
	fs_subtest("retransmissions are not charged as bad requests/%s",
		   f->name);
	if (!env_open(&e, true, "http.bad.src=1/3", NULL))
		return;
	if (request(f, f->src, ATTACK("/"), &seg) &&
	    expect_pass(&e, &seg, FS_R_HTTP_BAD_HOST)) {
		for (int i = 0; i < 5; i++)
			expect_pass(&e, &seg, FS_R_RESET_FLOW);
		ASSERT_EQ(ban_count(&e, f->src), 0,
			  "no ban after one bad request");
	}
	xe_close(&e);
}

FS_TEST(http_flows)
{
	for_each_fam(f)
		flows(f);
}

/* The exemption of a reset flow's retransmission smuggles nothing (the
 * fixture model's kernel took every RST whose checksum was right, so a
 * remembered segment's socket is gone): another request at the same
 * sequence number is judged again; a remembered flow expires; a segment
 * with a bad checksum is dropped, charged to no one and not remembered,
 * so its twin with the right checksum is judged (and reset). */
static void flow_exemption(const struct fam *f)
{
	struct pkt_spec s = data_spec(f, f->src, no_vlan, fresh_sport());
	struct he_seg bad, other, good, twin;
	struct fs_flow_val v;
	struct xdp_env e;

	if (!env_open(&e, true, "http.bad.src=1/3", NULL))
		return;
	if (!build(&s, ATTACK("/"), strlen(ATTACK("/")), &bad) ||
	    !build(&s, ATTACK("/#101"), strlen(ATTACK("/#101")), &other) ||
	    !build(&s, GET HOST UA, strlen(GET HOST UA), &good))
		goto out;
	fs_subtest("other bytes at a reset segment's seq are judged again/%s",
		   f->name);
	if (expect_pass(&e, &bad, FS_R_HTTP_BAD_HOST)) {
		expect_pass(&e, &other, FS_R_HTTP_FRAGMENT);
		expect_pass(&e, &good, FS_R_HTTP_OK);
	}
	fs_subtest("a remembered flow expires/%s", f->name);
	xe_clock_set(&e, xe_clock(&e) + REFILL);
	if (expect_pass(&e, &bad, FS_R_HTTP_BAD_HOST)) {
		expect_pass(&e, &bad, FS_R_RESET_FLOW);
		xe_clock_set(&e, xe_clock(&e) + 121 * XE_NSEC);
		expect_pass(&e, &bad, FS_R_HTTP_BAD_HOST);
	}
	xe_close(&e);

	fs_subtest("a bad checksum: dropped, uncharged, not remembered/%s",
		   f->name);
	if (!env_open(&e, true, "http.bad.src=1/3", NULL))
		return;
	s = data_spec(f, f->src, no_vlan, fresh_sport());
	if (!build(&s, ATTACK("/"), strlen(ATTACK("/")), &bad))
		goto out;
	twin = bad;
	twin.buf[twin.l4 + HE_TCP_CHECK] ^= 0x5a;
	for (int i = 0; i < 6; i++)
		expect_seg(&e, &twin, XDP_DROP, FS_R_BAD_CSUM, false);
	ASSERT_EQ(he_flow_get(&e, &twin, &v), -ENOENT, "no fs_flows entry");
	ASSERT_EQ(ban_count(&e, f->src), 0, "no ban: nothing charged");
	fs_subtest("its twin with the right checksum is reset/%s", f->name);
	expect_pass(&e, &bad, FS_R_HTTP_BAD_HOST);
	ASSERT_EQ(ban_count(&e, f->src), 0, "one bad request: no ban");
out:
	xe_close(&e);
}

FS_TEST(http_flow_exemption)
{
	for_each_fam(f)
		flow_exemption(f);
}

/* ---- bans ------------------------------------------------------------- */

static void bans(const struct fam *f)
{
	struct he_seg seg[4], syn, other, peer_syn;
	struct fs_ban ban;
	struct xdp_env e;
	__u8 a[16];

	fs_subtest("three bad requests are reset, no ban yet/%s", f->name);
	if (!env_open(&e, true, "http.bad.src=1/3", NULL))
		return;
	for (int i = 0; i < 4; i++)
		if (!request(f, f->src, ATTACK("/"), &seg[i]))
			goto out;
	for (int i = 0; i < 3; i++)
		if (!expect_pass(&e, &seg[i], FS_R_HTTP_BAD_HOST))
			goto out;
	if (!ASSERT_EQ(ban_count(&e, f->src), 0, "no ban"))
		goto out;

	fs_subtest("the 4th is reset and bans the source/%s", f->name);
	if (!expect_pass(&e, &seg[3], FS_R_HTTP_BAD_HOST))
		goto out;
	pkt_addr(f->src, a);
	if (!ASSERT_OK(xe_ban_get(&e, a, 128, &ban), "fs_bans /128 entry"))
		goto out;
	ASSERT_EQ(ban.reason, FS_BAN_HTTP_BAD, "ban reason");
	ASSERT_EQ(ban.count, 1, "ban count");
	ASSERT_EQ(ban.created_ns, xe_clock(&e), "ban created");
	ASSERT_EQ(ban.expires_ns, xe_clock(&e) + BAN_TTL, "ban expiry");

	fs_subtest("SYN from the banned source is dropped/%s", f->name);
	{
		struct pkt_spec s =
			data_spec(f, f->src, no_vlan, fresh_sport());

		s.tcp_flags = PKT_SYN;
		if (build(&s, "", 0, &syn))
			expect_seg(&e, &syn, XDP_DROP, FS_R_BAN, false);
	}
	fs_subtest("segments of reset flows still pass/%s", f->name);
	for (int i = 0; i < 4; i++)
		expect_pass(&e, &seg[i], FS_R_RESET_FLOW);
	fs_subtest("one with a bad checksum is dropped, not reset/%s", f->name);
	if (request(f, f->src, GET HOST UA, &other)) {
		other.buf[other.l4 + HE_TCP_CHECK] ^= 0x5a;
		expect_seg(&e, &other, XDP_DROP, FS_R_BAN, false);
	}
	fs_subtest("a segment of another open flow is reset/%s", f->name);
	if (request(f, f->src, GET HOST UA, &other)) {
		expect_seg(&e, &other, XDP_PASS, FS_R_BAN_RESET, false);
		expect_pass(&e, &other, FS_R_RESET_FLOW); /* retransmission */
	}
	fs_subtest("the source's prefix is not banned/%s", f->name);
	{
		struct pkt_spec s =
			data_spec(f, f->peer, no_vlan, fresh_sport());

		s.tcp_flags = PKT_SYN;
		if (build(&s, "", 0, &peer_syn))
			expect_pass(&e, &peer_syn, FS_R_SERVICE);
	}
out:
	xe_close(&e);
}

/* A full fs_bans never refuses a ban the program earned: the new ban
 * takes the place of the one that expires first (an expired one before
 * any), counted as ban_evicted; bans that never expire stay. */
static void bans_full(const struct fam *f)
{
	enum { N = 8 };
	__u64 ev0[FS_E_MAX], ev1[FS_E_MAX];
	struct fs_ban ban, kept;
	struct he_seg seg;
	struct xdp_env e;
	char addr[64];
	__u8 a[16];

	fs_subtest("a full bans map: the ban that expires first makes room/%s",
		   f->name);
	if (!ASSERT_OK(xe_open_bans(&e, false, N), "load with 8 bans") ||
	    !ASSERT_OK(xe_service(&e, PORT_HTTP, FS_SVC_HTTP), "service "
							       "port") ||
	    !ASSERT_OK(he_hosts_add(&e, served, ARRAY_SIZE(served)), "hosts") ||
	    !ASSERT_OK(xe_set(&e, "http.bad.src=1/1"), "http.bad.src"))
		goto out;
	for (int i = 0; i < N; i++) {
		/* one never expires; the others from late to soon, the
		 * soonest being 203.0.113.107 */
		struct fs_ban b = {
			.reason = FS_BAN_MANUAL,
			.count = 1,
			.created_ns = xe_clock(&e),
			.expires_ns = i ? xe_clock(&e) + (100 - i) * XE_NSEC
					: 0};

		snprintf(addr, sizeof(addr), "203.0.113.%d", 100 + i);
		pkt_addr(addr, a);
		if (!ASSERT_OK(xe_ban_put(&e, a, 128, &b), "fill fs_bans"))
			goto out;
	}
	ASSERT_OK(xe_events(&e, ev0), "events");
	for (int i = 0; i < 2; i++)
		if (!request(f, f->src, ATTACK("/"), &seg) ||
		    !expect_pass(&e, &seg, FS_R_HTTP_BAD_HOST))
			goto out;
	ASSERT_OK(xe_events(&e, ev1), "events");
	pkt_addr(f->src, a);
	ASSERT_OK(xe_ban_get(&e, a, 128, &ban), "the new ban is in");
	ASSERT_EQ(ev1[FS_E_BAN_EVICTED] - ev0[FS_E_BAN_EVICTED], 1,
		  "ban_evicted");
	ASSERT_EQ(ev1[FS_E_BAN_FAILED] - ev0[FS_E_BAN_FAILED], 0, "ban_failed");
	pkt_addr("203.0.113.107", a);
	ASSERT_EQ(xe_ban_get(&e, a, 128, &kept), -ENOENT,
		  "the ban that expired first made room");
	pkt_addr("203.0.113.100", a);
	ASSERT_OK(xe_ban_get(&e, a, 128, &kept), "a ban that never expires "
						 "stays");
	fs_subtest("the banned source's next SYN is dropped/%s", f->name);
	{
		struct pkt_spec s =
			data_spec(f, f->src, no_vlan, fresh_sport());
		struct he_seg syn;

		s.tcp_flags = PKT_SYN;
		if (build(&s, "", 0, &syn))
			expect_seg(&e, &syn, XDP_DROP, FS_R_BAN, false);
	}
out:
	xe_close(&e);
}

FS_TEST(http_bans_full)
{
	for_each_fam(f)
		bans_full(f);
}

FS_TEST(http_bans)
{
	for_each_fam(f)
		bans(f);
}

/* With real socket lookups, test packets have no connection behind them:
 * they look forged. Bad requests are then dropped and build no ban; a
 * banned source's segment is dropped, not turned into a RST. */
static void forged(const struct fam *f)
{
	struct he_seg seg, ack;
	struct fs_ban ban = {
		.expires_ns = ~0ull >> 1, .reason = FS_BAN_MANUAL, .count = 1};
	__u64 ev[FS_E_MAX];
	struct xdp_env e;
	__u8 a[16];

	fs_subtest("forged bad requests are dropped, build no ban/%s", f->name);
	if (!ASSERT_OK(xe_open_sockets(&e, true), "load the program"))
		return;
	if (!ASSERT_OK(xe_service(&e, PORT_HTTP, FS_SVC_HTTP), "service "
							       "port") ||
	    !ASSERT_OK(he_hosts_add(&e, served, ARRAY_SIZE(served)), "hosts"))
		goto out;
	for (int i = 0; i < 10; i++)
		if (!request(f, f->src, ATTACK("/#101"), &seg) ||
		    !expect_seg(&e, &seg, XDP_DROP, FS_R_NO_CONN, false))
			goto out;
	ASSERT_EQ(ban_count(&e, f->src), 0, "no ban");

	/* conntrack was asked (the kfuncs are there) and has no entry:
	 * neither a proof nor a refusal; tests/ns/64_dnat.sh has entries */
	fs_subtest("no socket, no conntrack entry: nothing proven/%s", f->name);
	if (ASSERT_TRUE(fs_kernel_has_ct(), "the kernel has the conntrack "
					    "kfuncs for XDP") &&
	    ASSERT_OK(xe_events(&e, ev), "events")) {
		ASSERT_EQ(ev[FS_E_CONN_CT], 0, "conn_ct");
		ASSERT_EQ(ev[FS_E_CONN_CT_REFUSED], 0, "conn_ct_refused");
		ASSERT_EQ(ev[FS_E_CONN_CT_MISSING], 0, "conn_ct_missing");
	}

	fs_subtest("a banned source's forged segment is dropped/%s", f->name);
	pkt_addr(f->src, a);
	if (!ASSERT_OK(xe_ban_put(&e, a, 128, &ban), "ban") ||
	    !request(f, f->src, GET HOST UA, &ack))
		goto out;
	expect_seg(&e, &ack, XDP_DROP, FS_R_BAN, false);
out:
	xe_close(&e);
}

/* Without the conntrack kfuncs (fs_have_ct off) a segment with no socket
 * stays unproven, and each one asked about is counted. */
static void forged_no_ct(const struct fam *f)
{
	__u64 ev[FS_E_MAX];
	struct he_seg seg;
	struct xdp_env e;

	fs_subtest("no conntrack kfuncs: unproven, counted/%s", f->name);
	if (!ASSERT_OK(xe_open_no_ct(&e), "load the program"))
		return;
	if (!ASSERT_OK(xe_service(&e, PORT_HTTP, FS_SVC_HTTP), "service "
							       "port") ||
	    !ASSERT_OK(he_hosts_add(&e, served, ARRAY_SIZE(served)), "hosts"))
		goto out;
	for (int i = 0; i < 5; i++)
		if (!request(f, f->src, ATTACK("/#101"), &seg) ||
		    !expect_seg(&e, &seg, XDP_DROP, FS_R_NO_CONN, false))
			goto out;
	ASSERT_EQ(ban_count(&e, f->src), 0, "no ban");
	if (ASSERT_OK(xe_events(&e, ev), "events")) {
		ASSERT_EQ(ev[FS_E_CONN_CT_MISSING], 5, "conn_ct_missing");
		ASSERT_EQ(ev[FS_E_CONN_CT], 0, "conn_ct");
	}
out:
	xe_close(&e);
}

FS_TEST(http_forged)
{
	for_each_fam(f) {
		forged(f);
		forged_no_ct(f);
	}
}

/* ---- request rates ---------------------------------------------------- */

static void rates(const struct fam *f)
{
	struct he_seg seg, cont;
	struct xdp_env e;

	fs_subtest("http.req.src=2/2: third request at once is reset/%s",
		   f->name);
	if (!env_open(&e, true, "http.req.src=2/2", NULL))
		return;
	for (int i = 0; i < 2; i++)
		if (request(f, f->src, GET HOST UA, &seg))
			expect_pass(&e, &seg, FS_R_HTTP_OK);
	if (request(f, f->src, GET HOST UA, &seg)) {
		expect_pass(&e, &seg, FS_R_HTTP_RATE_SRC);
		expect_flow(&e, &seg, FS_R_HTTP_RATE_SRC, xe_clock(&e));
	}
	fs_subtest("one request per interval after the burst/%s", f->name);
	xe_clock_set(&e, xe_clock(&e) + 500 * MS);
	if (request(f, f->src, GET HOST UA, &seg))
		expect_pass(&e, &seg, FS_R_HTTP_OK);
	if (request(f, f->src, GET HOST UA, &seg))
		expect_pass(&e, &seg, FS_R_HTTP_RATE_SRC);
	fs_subtest("any method is charged, a head's continuation is not/%s",
		   f->name);
	xe_clock_set(&e, xe_clock(&e) + REFILL);
	if (request(f, f->src, "FOO / HTTP/1.1\r\n" HOST UA, &seg))
		expect_pass(&e, &seg, FS_R_HTTP_OK);
	if (request(f, f->src, "GET / HTTP/1.1\r\n", &cont))
		expect_pass(&e, &cont, FS_R_SERVICE);
	if (request(f, f->src, GET HOST UA, &seg))
		expect_pass(&e, &seg, FS_R_HTTP_OK);
	if (request(f, f->src, GET HOST UA, &seg))
		expect_pass(&e, &seg, FS_R_HTTP_RATE_SRC);
	fs_subtest("other sources have their own bucket/%s", f->name);
	if (request(f, f->peer, GET HOST UA, &seg))
		expect_pass(&e, &seg, FS_R_HTTP_OK);
	xe_close(&e);

	fs_subtest("http.req.prefix=2/2: sources of a prefix share it/%s",
		   f->name);
	if (!env_open(&e, true, "http.req.prefix=2/2", NULL))
		return;
	if (request(f, f->src, GET HOST UA, &seg))
		expect_pass(&e, &seg, FS_R_HTTP_OK);
	if (request(f, f->peer, GET HOST UA, &seg))
		expect_pass(&e, &seg, FS_R_HTTP_OK);
	if (request(f, f->src, GET HOST UA, &seg))
		expect_pass(&e, &seg, FS_R_HTTP_RATE_PREFIX);
	xe_close(&e);
}

FS_TEST(http_rate)
{
	for_each_fam(f)
		rates(f);
}

/* ---- observe ---------------------------------------------------------- */

/* One segment of a new flow, in observe settings: @observed tells if
 * @reason is observed, else a RESET reason is reset. No flow is
 * remembered for an observed reset. */
static void observe_one(struct xdp_env *e, const struct fam *f, const char *req,
			enum fs_reason reason, bool observed)
{
	struct fs_flow_val v;
	struct he_seg seg;

	xe_clock_set(e, xe_clock(e) + REFILL);
	if (!request(f, f->src, req, &seg) ||
	    !expect_seg(e, &seg, XDP_PASS, reason, observed))
		return;
	if (observed)
		ASSERT_EQ(he_flow_get(e, &seg, &v), -ENOENT,
			  "no flow remembered");
}

/* Three requests at one instant under http.req.src=2/2: the third is
 * over the rate. */
static void observe_rate(struct xdp_env *e, const struct fam *f, bool observed)
{
	struct he_seg seg;

	xe_clock_set(e, xe_clock(e) + REFILL);
	for (int i = 0; i < 2; i++)
		if (request(f, f->src, GET HOST UA, &seg))
			expect_pass(e, &seg, FS_R_HTTP_OK);
	if (request(f, f->src, GET HOST UA, &seg))
		expect_seg(e, &seg, XDP_PASS, FS_R_HTTP_RATE_SRC, observed);
}

static const struct {
	const char *set;
	bool host, fragment, rate; /* observed */
} observe_sets[] = {
	{"observe.http_host=on", true, false, false},
	{"observe.http_fragment=on", false, true, false},
	{"observe.http_rate=on", false, false, true},
	{"observe=on", true, true, true},
};

static void observe(const struct fam *f)
{
	struct xdp_env e;

	for (size_t i = 0; i < ARRAY_SIZE(observe_sets); i++) {
		bool host = observe_sets[i].host;

		fs_subtest("%s: host rules/%s", observe_sets[i].set, f->name);
		if (!env_open(&e, true, observe_sets[i].set, "http.req.src=2/2",
			      NULL))
			continue;
		observe_one(&e, f, ATTACK("/"), FS_R_HTTP_BAD_HOST, host);
		observe_one(&e, f, GET HOST HOST "\r\n", FS_R_HTTP_DUP_HOST,
			    host);
		observe_one(&e, f, GET "\r\n", FS_R_HTTP_NO_HOST, host);
		fs_subtest("%s: fragment/%s", observe_sets[i].set, f->name);
		observe_one(&e, f, ATTACK("/#101"), FS_R_HTTP_FRAGMENT,
			    observe_sets[i].fragment);
		fs_subtest("%s: request rate/%s", observe_sets[i].set, f->name);
		observe_rate(&e, f, observe_sets[i].rate);
		xe_close(&e);
	}
}

/* A per-rule observe is for trying a rule out, for example with a host
 * list that may miss a name: the rule's offences must not turn into a
 * ban that drops the source. */
static void observe_no_ban(const struct fam *f)
{
	struct he_seg seg;
	struct xdp_env e;

	fs_subtest("observe.http_host=on: observed bad requests build no "
		   "ban/%s",
		   f->name);
	if (!env_open(&e, true, "observe.http_host=on", NULL))
		return;
	for (int i = 0; i < 6; i++)
		if (!request(f, f->src, ATTACK("/"), &seg) ||
		    !expect_seg(&e, &seg, XDP_PASS, FS_R_HTTP_BAD_HOST, true)) {
			fs_test_fail(__FILE__, __LINE__, "at request %d of 6",
				     i + 1);
			break;
		}
	ASSERT_EQ(ban_count(&e, f->src), 0, "no ban");
	xe_close(&e);
}

FS_TEST(http_observe)
{
	for_each_fam(f) {
		observe(f);
		observe_no_ban(f);
	}
}

/* ---- robustness ------------------------------------------------------- */

/* xorshift64*: the same sequence on every run. */
static __u64 rng_state;

static __u64 rng(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545F4914F6CDD1Dull;
}

/* Whatever the payload: XDP_PASS, one counter moved by one packet, the
 * frame unchanged unless the reason resets, then a correct RST. With
 * @never_reset, a RESET reason is a failure too. Prints @what on
 * failure. */
static bool robust_one(struct xdp_env *e, const struct fam *f,
		       const void *payload, size_t n, bool never_reset,
		       const char *what, size_t index, unsigned *tally)
{
	struct pkt_spec s = data_spec(f, f->src, no_vlan, fresh_sport());
	struct he_result res;
	struct he_seg seg;
	bool ok;

	if (!build(&s, payload, n, &seg) ||
	    !ASSERT_OK(he_run(e, &seg, &res), "BPF_PROG_TEST_RUN"))
		return false;
	ok = ASSERT_EQ(res.verdict, XDP_PASS, "verdict");
	ok &= ASSERT_TRUE(res.reason >= 0, "one counter moved by one packet");
	ok &= ASSERT_TRUE(!res.observed, "not observed");
	if (never_reset && res.reason >= 0 && fs_reason_resets(res.reason)) {
		fs_test_fail(__FILE__, __LINE__, "reset as %s",
			     fs_reason_name(res.reason));
		ok = false;
	}
	if (ok)
		ok = check_output(&seg, &res.out, fs_reason_resets(res.reason));
	if (ok && tally)
		tally[res.reason]++;
	if (!ok)
		fs_test_fail(__FILE__, __LINE__,
			     "%s #%zu (%zu payload bytes): "
			     "reason %s",
			     what, index, n, he_reason_str(res.reason));
	return ok;
}

/* The mutations reached the parser's outcomes, not only one of them. */
static void tally_check(const unsigned *tally, bool good_too)
{
	unsigned resets = 0;

	for (int r = 0; r < FS_R_MAX; r++)
		if (fs_reason_resets(r))
			resets += tally[r];
	ASSERT_TRUE(tally[FS_R_SERVICE] > 0, "some leave the head open");
	ASSERT_TRUE(resets > 0, "some are reset");
	if (good_too)
		ASSERT_TRUE(tally[FS_R_HTTP_OK] > 0, "some are good");
}

/* Method tokens that lead random payloads into the request parser. */
static const char *const starts[] = {
	"",
	"GET ",
	"POST ",
	"GET / HTTP/1.1\r\n",
	"GET / HTTP/1.1\r\nHost: ",
	"OPTIONS ",
	"GET http://",
};

static void robust_random(struct xdp_env *e, const struct fam *f)
{
	static const char alphabet[] = "Hhost: \t\r\n#:./[]0123456789GET";
	unsigned tally[FS_R_MAX] = {};
	char p[1500];

	fs_subtest("2000 random payloads/%s", f->name);
	rng_state = 0x9e3779b97f4a7c15ull + f->family;
	for (size_t i = 0; i < 2000; i++) {
		size_t n = 1 + rng() % sizeof(p);
		const char *start = starts[rng() % ARRAY_SIZE(starts)];
		size_t sl = strlen(start) < n ? strlen(start) : n;
		bool text = rng() & 1; /* bytes from the alphabet, or any */

		memcpy(p, start, sl);
		for (size_t j = sl; j < n; j++)
			p[j] = text ? alphabet[rng() % (sizeof(alphabet) - 1)]
				    : (char)rng();
		if (!robust_one(e, f, p, n, false, "random payload", i, tally))
			return;
	}
	tally_check(tally, false);
}

/* Requests that must never be reset, whole or cut anywhere: a client's
 * request split at any byte. */
static const char *const good[] = {
	GET HOST UA,
	"GET http://sub.example.net:8080/a?b=%23 HTTP/1.1\r\nHost: "
	"sub.example.net\r\n\r\n",
	"POST /x HTTP/1.1\r\nhost:\texample.org.:80 \r\nContent-Length: "
	"3\r\n\r\nabc",
	"GET / HTTP/1.0\r\nUser-Agent: Wget\r\n\r\n",
};

static void robust_cuts(struct xdp_env *e, const struct fam *f)
{
	for (size_t i = 0; i < ARRAY_SIZE(good); i++) {
		size_t n = strlen(good[i]);

		fs_subtest("good request %zu cut at every byte is never "
			   "reset/%s",
			   i, f->name);
		for (size_t cut = 1; cut <= n; cut++)
			if (!robust_one(e, f, good[i], cut, true, "cut at", cut,
					NULL))
				break;
	}
}

static void robust_flips(struct xdp_env *e, const struct fam *f)
{
	static const char bytes[] = {0,	   ' ',	       '\t',	  ':', '#',
				     '\r', '\n',       '.',	  '[', 'A',
				     '%',  (char)0xff, (char)0x80};
	const char *req = GET HOST UA;
	size_t n = strlen(req), k = 0;
	unsigned tally[FS_R_MAX] = {};
	char p[256];

	fs_subtest("every byte of a request replaced/%s", f->name);
	for (size_t at = 0; at < n; at++) {
		for (size_t b = 0; b <= sizeof(bytes); b++, k++) {
			memcpy(p, req, n);
			p[at] = b < sizeof(bytes) ? bytes[b] : p[at] ^ 0x20;
			if (!robust_one(e, f, p, n, false, "replaced byte", k,
					tally))
				return;
		}
	}
	tally_check(tally, true);
	memset(tally, 0, sizeof(tally));
	fs_subtest("1000 requests with random bytes flipped/%s", f->name);
	rng_state = 0x1234567ull + f->family;
	for (size_t i = 0; i < 1000; i++) {
		memcpy(p, req, n);
		for (int j = 1 + rng() % 4; j > 0; j--)
			p[rng() % n] ^= 1 << (rng() % 8);
		if (!robust_one(e, f, p, n, false, "flipped request", i, tally))
			return;
	}
	tally_check(tally, true);
}

/* A served Host after any amount of cookies, up to a 1.5 KB request. */
static void robust_cookies(struct xdp_env *e, const struct fam *f)
{
	static const char head[] = GET "Cookie: ", tail[] = "\r\n" HOST UA;
	char p[1600];
	struct he_seg seg;

	fs_subtest("served Host after 0 to 1.5 KB of cookies stays OK/%s",
		   f->name);
	for (size_t c = 0; sizeof(head) + c + sizeof(tail) - 2 <= 1500; c++) {
		size_t n = 0;

		n += snprintf(p, sizeof(p), "%s", head);
		for (size_t j = 0; j < c; j++)
			p[n++] = COOKIE_FILL[j % (sizeof(COOKIE_FILL) - 1)];
		n += snprintf(p + n, sizeof(p) - n, "%s", tail);
		{
			struct pkt_spec s =
				data_spec(f, f->src, no_vlan, fresh_sport());

			if (!build(&s, p, n, &seg) ||
			    !expect_pass(e, &seg, FS_R_HTTP_OK)) {
				fs_test_fail(__FILE__, __LINE__,
					     "with %zu cookie bytes", c);
				return;
			}
		}
	}
}

/* Rates off: a run of bad requests must not turn into bans here. */
FS_TEST(http_robust)
{
	struct xdp_env e;

	if (!env_open(&e, true, "http.req.src=off", "http.req.prefix=off",
		      "http.bad.src=off", "http.bad.prefix=off",
		      "http.no_host_10=pass", NULL))
		return;
	for_each_fam(f) {
		robust_random(&e, f);
		robust_cuts(&e, f);
		robust_flips(&e, f);
		robust_cookies(&e, f);
	}
	xe_close(&e);
}

/* ---- served-host prints (struct fs_hostfp) ---------------------------- */

/* Whether the live print table holds the print of served name @name. */
static bool print_present(struct xdp_env *e, const char *name)
{
	struct fs_hostfp *t = malloc(sizeof(*t));
	struct fs_host_key k;
	struct fs_host_val v;
	char err[160];
	__u32 zero = 0;
	bool found = false;
	__u64 fp;

	if (!t || fs_host_key(name, &k, &v, err, sizeof(err)) ||
	    bpf_map_lookup_elem(bpf_map__fd(e->skel->maps.FS_MAP_HOSTFP), &zero,
				t)) {
		free(t);
		return false;
	}
	fp = fs_host_key_print(&k);
	for (__u32 i = 0; i < FS_HOSTFP_PROBE && !found; i++)
		found = t->fp[t->active & 1][(fp + i) & (FS_HOSTFP_SLOTS - 1)] ==
			fp;
	free(t);
	return found;
}

/* Add or delete @name in fs_hosts behind the prints' back. */
static bool raw_host(struct xdp_env *e, const char *name, bool add)
{
	int fd = bpf_map__fd(e->skel->maps.FS_MAP_HOSTS);
	struct fs_host_key k;
	struct fs_host_val v;
	char err[160];

	if (!ASSERT_OK(fs_host_key(name, &k, &v, err, sizeof(err)), name))
		return false;
	return ASSERT_OK(add ? bpf_map_update_elem(fd, &k, &v, BPF_ANY)
			     : bpf_map_delete_elem(fd, &k),
			 "raw fs_hosts write");
}

static bool host_bits(struct xdp_env *e, __u32 *flags)
{
	return ASSERT_OK(
		fs_hostfp_flags(bpf_map__fd(e->skel->maps.FS_MAP_HOSTFP),
				flags),
		"read fs_hostfp.flags");
}

static void prints(const struct fam *f)
{
	static const char *const exact[] = {"www.example.org"};
	const char *req = "GET / HTTP/1.1\r\nHost: "
			  "WWW.Example.Org.:8080\r\n" UA;
	const char *evil = "GET / HTTP/1.1\r\nHost: evil.example\r\n" UA;
	struct he_seg seg;
	struct xdp_env e;
	__u32 flags = 0;

	fs_subtest("a hosts sync builds the prints and sets their flag/%s",
		   f->name);
	if (!env_open(&e, 1, NULL))
		return;
	if (host_bits(&e, &flags))
		ASSERT_EQ(flags,
			  FS_HOSTS_CHECK | FS_HOSTS_WILDCARDS | FS_HOSTS_PRINTS,
			  "check, wildcards and prints");
	ASSERT_TRUE(print_present(&e, "www.example.org"), "www.example.org "
							  "print");
	ASSERT_TRUE(print_present(&e, "example.org"), "example.org print");
	fs_subtest("a print alone never serves: the full name decides/%s",
		   f->name);
	if (raw_host(&e, "www.example.org", false) &&
	    request(f, f->src, req, &seg))
		expect_pass(&e, &seg, FS_R_HTTP_BAD_HOST);
	fs_subtest("a Host forged to have a served name's print/%s", f->name);
	if (raw_host(&e, "www.example.org", true) && request(f, f->src,
							     "GET / "
							     "HTTP/"
							     "1.1\r\nHost: "
							     "0jejhcec65c24dsli"
							     "i.com-0\xa7\xac"
							     "\x7e\xa5\xee\xc5"
							     "\xd3\xd8\r\n\r\n",
							     &seg))
		expect_pass(&e, &seg, FS_R_HTTP_BAD_HOST);
	fs_subtest("with the flag off, fs_hosts decides/%s", f->name);
	ASSERT_OK(fs_hostfp_begin(bpf_map__fd(e.skel->maps.FS_MAP_HOSTFP), 0),
		  "begin");
	if (host_bits(&e, &flags))
		ASSERT_FALSE(flags & FS_HOSTS_PRINTS, "FS_HOSTS_PRINTS "
						      "cleared");
	if (request(f, f->src, req, &seg))
		expect_pass(&e, &seg, FS_R_HTTP_OK);
	xe_close(&e);

	fs_subtest("without wildcards a print miss is final/%s", f->name);
	if (!env_open(&e, 0, NULL))
		return;
	if (ASSERT_OK(he_hosts_add(&e, exact, 1), "served host") &&
	    raw_host(&e, "evil.example", true) &&
	    request(f, f->src, evil, &seg))
		expect_pass(&e, &seg, FS_R_HTTP_BAD_HOST);
	fs_subtest("a name added after a sync is served at once/%s", f->name);
	ASSERT_OK(fs_hostfp_begin(bpf_map__fd(e.skel->maps.FS_MAP_HOSTFP), 0),
		  "begin");
	if (request(f, f->src, evil, &seg))
		expect_pass(&e, &seg, FS_R_HTTP_OK);
	xe_close(&e);
}

FS_TEST(http_prints)
{
	for_each_fam(f)
		prints(f);
}

/* ---- the helpers themselves ------------------------------------------- */

/* he_build() against pkt_build(): the same bytes for pkt_build's own
 * payload, so the checksum recomputed here is pkt_build's; then the
 * checks see a changed byte. */
FS_TEST(http_helpers)
{
	for_each_fam(f) {
		struct pkt_spec s = data_spec(f, f->src, &vlans[1], 4242);
		__u8 fill[33], ref[PKT_MAX];
		struct he_seg seg;
		ssize_t len;

		fs_subtest("he_build matches pkt_build byte for byte/%s",
			   f->name);
		memset(fill, 0xa5, sizeof(fill)); /* pkt_build's payload */
		s.payload_len = sizeof(fill);
		len = pkt_build(&s, ref, sizeof(ref), NULL);
		if (!build(&s, fill, sizeof(fill), &seg))
			continue;
		ASSERT_EQ(seg.len, len, "frame length");
		ASSERT_MEMEQ(seg.buf, ref, seg.len, "frame bytes");
		ASSERT_EQ(seg.payload, len - sizeof(fill), "payload offset");
		ASSERT_EQ(he_tcp_flags(&seg), DATA_FLAGS, "flags");
		ASSERT_EQ(he_tcp_seq(&seg), SEQ, "seq");
		ASSERT_EQ(he_tcp_ack(&seg), ACK, "ack");

		fs_subtest("checksum checks see a changed byte/%s", f->name);
		ASSERT_TRUE(he_ip_csum_ok(&seg), "IPv4 header checksum");
		ASSERT_TRUE(he_tcp_csum_ok(&seg), "TCP checksum");
		seg.buf[seg.payload + 5] ^= 0x10;
		ASSERT_TRUE(!he_tcp_csum_ok(&seg), "changed payload byte");
		he_fix_tcp_csum(&seg);
		ASSERT_TRUE(he_tcp_csum_ok(&seg), "fixed again");
		seg.buf[seg.l4 + HE_TCP_FLAGS] ^= PKT_RST;
		ASSERT_TRUE(!he_tcp_csum_ok(&seg), "changed flags");
		if (f->family == 4) {
			seg.buf[seg.l3 + 8] ^= 1; /* TTL */
			ASSERT_TRUE(!he_ip_csum_ok(&seg), "changed IPv4 "
							  "header");
		}
	}
}
