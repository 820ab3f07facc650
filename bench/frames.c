// SPDX-License-Identifier: GPL-2.0
/* The frames of the benchmark cases: addresses by role, HTTP and SMTP
 * payloads, built on tests/pkt.h with every checksum right (live frames
 * go up a real stack). */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <linux/in.h>
#include "../tests/pkt.h"
#include "bench.h"

#define DEF_SPORT    BENCH_SPORT
#define DEF_SEQ	     1000 /* without a connection: outside any window */
#define DEF_ACK	     2000
#define TCP_CSUM_OFF 16
#define UDP_CSUM_OFF 6

/* Each role in a prefilter slot of its own (an IPv4 /26, an IPv6 /48):
 * the allowed, banned and fresh IPv4 sources share 198.51.100.0/24 but
 * not a /26. */
static const char *const addrs[ROLE_MAX][2] = {
	[ROLE_SERVER] = {"192.0.2.1", "2001:db8::1"},
	[ROLE_CLIENT] = {"192.0.2.2", "2001:db8::2"},
	[ROLE_ALLOWED] = {"198.51.100.10", "2001:db8:a11::10"},
	[ROLE_BLOCKED] = {"203.0.113.7", "2001:db8:b10c::7"},
	[ROLE_BANNED] = {"198.51.100.66", "2001:db8:ba4::66"},
	[ROLE_FRESH] = {"198.51.100.128", "2001:db8:f000::80"},
};

static const char *const cidrs[ROLE_MAX][2] = {
	[ROLE_ALLOWED] = {"198.51.100.8/29", "2001:db8:a11::/48"},
	[ROLE_BLOCKED] = {"203.0.113.0/24", "2001:db8:b10c::/48"},
};

const char *bench_addr(enum bench_role role, int family)
{
	return addrs[role][family == 6];
}

const char *bench_list_cidr(enum bench_role role, int family)
{
	return cidrs[role][family == 6];
}

/* IPv4 198.51.100.128-255, IPv6 2001:db8:f000::80-ff: BENCH_FRESH_N
 * sources, each with a connection to the server (bench/sock.c). */
void bench_fresh_addr(int family, unsigned seq, uint8_t addr[16])
{
	pkt_addr(bench_addr(ROLE_FRESH, family), addr);
	addr[15] = 128 + seq % BENCH_FRESH_N;
}

/* ------------------------------------------------------------------ */
/* Payloads. */

static const char req_early[] = "GET /index.html HTTP/1.1\r\n"
				"Host: " SERVED_HOST "\r\n"
				"User-Agent: Mozilla/5.0 (X11; Linux x86_64) "
				"fs-bench\r\n"
				"Accept: text/html\r\n"
				"Accept-Language: en\r\n"
				"\r\n";

/* The flood floodshield exists for (tests/ns/http_flood.py's). */
#define ATTACK_REQ(target)                                                \
	"GET " target " HTTP/1.1\r\n"                                     \
	"Host: " ATTACK_HOST "\r\n"                                       \
	"Referer: http://" ATTACK_HOST "\r\n"                             \
	"User-Agent: Mozilla/4.0 (compatible; MSIE 6.0; Windows NT 5.1; " \
	"SV1)\r\n"                                                        \
	"Accept: */*\r\n"                                                 \
	"\r\n"

static const char req_spoofed[] = ATTACK_REQ("/");
static const char req_fragment[] = ATTACK_REQ("/#101");

#define REQ_LINE "GET /search?q=floodshield+benchmark&page=2 HTTP/1.1\r\n"
#define REQ_FIELDS                                                       \
	"User-Agent: Mozilla/5.0 (X11; Linux x86_64; rv:115.0) "         \
	"Gecko/20100101 Firefox/115.0\r\n"                               \
	"Accept: text/html,application/xhtml+xml,application/xml;q=0.9," \
	"*/*;q=0.8\r\n"                                                  \
	"Accept-Language: en-GB,en;q=0.5\r\n"                            \
	"Accept-Encoding: gzip, deflate\r\n"                             \
	"Connection: keep-alive\r\n"
#define UPGRADE_LINE "Upgrade-Insecure-Requests: 1\r\n"

static const char req_head[] = REQ_LINE REQ_FIELDS;

/* A keep-alive client's small requests, pipelined in one segment. */
#define SMALL_REQ(target)                                          \
	"GET " target " HTTP/1.1\r\n"                              \
	"Host: " SERVED_HOST "\r\n"                                \
	"User-Agent: Mozilla/5.0 (X11; Linux x86_64) fs-bench\r\n" \
	"Accept: */*\r\n"                                          \
	"Accept-Language: en\r\n"                                  \
	"\r\n"

static const char req_pipe3[] = SMALL_REQ("/style.css") SMALL_REQ("/app.js")
	SMALL_REQ("/logo.png");

/* @pre, a Cookie line padded so that the whole is @total bytes with
 * @post after it. Returns the length. */
static size_t padded(char *buf, size_t total, const char *pre, const char *post)
{
	static const char cookie[] = "Cookie: session=";
	size_t fixed = strlen(pre) + strlen(cookie) + 2 + strlen(post);
	size_t pad = total - fixed, n = 0;

	n += sprintf(buf + n, "%s%s", pre, cookie);
	for (size_t i = 0; i < pad; i++)
		buf[n++] = "0123456789abcdef"[i % 16];
	n += sprintf(buf + n, "\r\n%s", post);
	return n;
}

/* @req_head, a Cookie padded so that the request is @total bytes, then
 * @last (a header line) and the empty line. Returns the length. */
static size_t padded_request(char *buf, size_t total, const char *last)
{
	char post[128];

	snprintf(post, sizeof(post), "%s\r\n", last);
	return padded(buf, total, req_head, post);
}

/* A browser's GET of 500 bytes, Host second as browsers send it. */
static size_t good_500(char *buf)
{
	return padded(buf, 500, REQ_LINE "Host: " SERVED_HOST "\r\n" REQ_FIELDS,
		      UPGRADE_LINE "\r\n");
}

/* @total bytes of short field lines ("X-Fill-NNN: v"), the last one's
 * value padded to fill: every byte a parser step of its own (names and
 * short values), the parser's worst case per byte. Returns the length. */
static size_t short_fields(char *buf, size_t total)
{
	static const char last[] = "X-Fill-end: ";
	size_t n = 0;

	for (unsigned i = 0; n + 2 * 15 + sizeof(last) <= total; i++)
		n += sprintf(buf + n, "X-Fill-%03u: v\r\n", i % 1000);
	n += sprintf(buf + n, "%s", last);
	while (n < total - 2)
		buf[n++] = 'v';
	return n + sprintf(buf + n, "\r\n");
}

static const char smtp_ehlo[] = "EHLO mail.example.org\r\n";

/* The payload of @p into @buf (BENCH_FRAME_MAX). Returns its length. */
static size_t payload(enum bench_payload p, char *buf)
{
	switch (p) {
	case PL_HOST_EARLY:
		return sprintf(buf, "%s", req_early);
	case PL_SPOOFED:
		return sprintf(buf, "%s", req_spoofed);
	case PL_FRAGMENT:
		return sprintf(buf, "%s", req_fragment);
	case PL_HOST_LAST_500:
		return padded_request(buf, 500, "Host: " SERVED_HOST "\r\n");
	/* The header scan decides a request with no Host only when the
	 * last header line's length (CRLF included) is 0, 6 or 7 mod 8:
	 * 30 bytes here; 26 bytes for the _ODD variant. */
	case PL_NO_HOST_1400:
		return padded_request(buf, 1400,
				      "Upgrade-Insecure-Requests: 1\r\n");
	case PL_NO_HOST_1400_ODD:
		return padded_request(buf, 1400,
				      "Sec-Fetch-Dest: document\r\n");
	case PL_GOOD_500:
		return good_500(buf);
	case PL_GOOD_500_LINE:
		return sprintf(buf, "%s", REQ_LINE);
	case PL_GOOD_500_REST: {
		size_t n = good_500(buf), skip = strlen(REQ_LINE);

		memmove(buf, buf + skip, n - skip);
		return n - skip;
	}
	case PL_PIPE3:
		return sprintf(buf, "%s", req_pipe3);
	case PL_FIELDS_1400:
		return padded(buf, 1400, REQ_FIELDS, UPGRADE_LINE);
	case PL_SHORT_FIELDS_1400:
		return short_fields(buf, 1400);
	case PL_SMTP_EHLO:
		return sprintf(buf, "%s", smtp_ehlo);
	case PL_UDP_DNS:
		memset(buf, 0x5a, 32);
		return 32;
	default:
		return 0;
	}
}

size_t bench_payload_len(enum bench_payload p)
{
	char buf[BENCH_FRAME_MAX];

	return payload(p, buf);
}

int bench_repeat(const struct frame_spec *s, int repeat)
{
	bool http = !s->udp && s->payload != PL_NONE && s->dport == BENCH_DPORT;

	return http && repeat > BENCH_HTTP_REPEAT ? BENCH_HTTP_REPEAT : repeat;
}

/* ------------------------------------------------------------------ */

static uint32_t sum16(uint32_t sum, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i + 1 < n; i += 2)
		sum += p[i] << 8 | p[i + 1];
	if (n & 1)
		sum += p[n - 1] << 8;
	return sum;
}

/* The L4 checksum of @f from scratch (pseudo-header included). */
static void fix_l4_csum(struct frame *f, uint8_t proto, size_t csum_off)
{
	size_t alen = f->family == 4 ? 4 : 16, len = f->len - f->l4;
	const uint8_t *src = f->buf + f->l3 + (f->family == 4 ? 12 : 8);
	uint32_t sum = 0;
	uint16_t c;

	f->buf[f->l4 + csum_off] = f->buf[f->l4 + csum_off + 1] = 0;
	sum = sum16(sum, src, 2 * alen); /* source, then destination */
	sum += proto + len;
	sum = sum16(sum, f->buf + f->l4, len);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	c = htons(~sum & 0xffff);
	if (proto == IPPROTO_UDP && !c)
		c = 0xffff;
	memcpy(f->buf + f->l4 + csum_off, &c, 2);
}

int frame_build(const struct frame_spec *s, struct frame *f)
{
	struct pkt_spec ps = {
		.family = s->family,
		.l4 = s->udp ? PKT_UDP : PKT_TCP,
		.tcp_flags = s->tcp_flags,
		.sport = s->sport ? s->sport : DEF_SPORT,
		.dport = s->dport,
		.seq = DEF_SEQ,
		.ack = DEF_ACK,
	};
	char pl[BENCH_FRAME_MAX];
	size_t marks[PKT_M_MAX], n = payload(s->payload, pl);
	ssize_t len;

	if (s->src_addr)
		memcpy(ps.src, s->src_addr, 16);
	else
		pkt_addr(bench_addr(s->src, s->family), ps.src);
	/* a data segment of a connection sock.c made: its numbers */
	if (!s->udp && !(s->tcp_flags & PKT_SYN) && ps.sport == DEF_SPORT &&
	    s->dport == BENCH_DPORT)
		bench_conn_seq(ps.src, &ps.seq, &ps.ack);
	ps.seq += s->seq_off;
	pkt_addr(bench_addr(ROLE_SERVER, s->family), ps.dst);
	ps.payload_len = n;
	len = pkt_build(&ps, f->buf, sizeof(f->buf), marks);
	if (len < 0)
		return -1;
	f->len = len;
	f->family = s->family;
	f->l3 = marks[PKT_M_L3];
	f->l4 = marks[PKT_M_L4];
	f->payload = marks[PKT_M_L4_OPT];
	memcpy(f->buf + f->payload, pl, n);
	fix_l4_csum(f, s->udp ? IPPROTO_UDP : IPPROTO_TCP,
		    s->udp ? UDP_CSUM_OFF : TCP_CSUM_OFF);
	return 0;
}

void frame_fresh_cfg(const struct frame *f, struct fresh_cfg *c)
{
	const uint8_t *b = f->buf;

	memset(c, 0, sizeof(*c));
	c->tcp_off = f->l4;
	memcpy(&c->seq, b + f->l4 + 4, 4);
	memcpy(&c->flags_word, b + f->l4 + 12, 2);
	memcpy(&c->tcp_csum, b + f->l4 + 16, 2);
}
