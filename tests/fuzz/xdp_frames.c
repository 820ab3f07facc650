// SPDX-License-Identifier: GPL-2.0
/* Random and mutated frames through the real XDP object under
 * BPF_PROG_TEST_RUN (`make fuzz`: 10^7 frames; `make test`: 10^5).
 *
 * Frames start from valid Ethernet (with 0-2 VLAN tags) / IPv4 or IPv6
 * (options, extension headers, fragments) / TCP (SYN, ACK, data with
 * HTTP or SMTP requests, options) / UDP / ICMP / ARP frames, then are
 * mutated: cut at any length, bytes flipped, length and offset fields
 * (IHL, total length, payload length, data offset) overwritten, with
 * checksums fixed again or left wrong. A few are random bytes.
 *
 * Two instances take turns: one with real socket lookups in a private
 * network namespace with listeners and net.ipv4.tcp_syncookies=2 under
 * syn.cookies=always (SYN cookies answered by XDP_TX), one that takes
 * every segment for a connection's (HTTP and SMTP inspection, RST
 * rewrites answered by XDP_TX). The fake clock moves 1 ms every 1000
 * frames, so buckets refill and bans expire.
 *
 * Checks: every verdict is XDP_PASS, XDP_DROP or XDP_TX; every XDP_TX
 * frame is a well-formed TCP RST or SYN-ACK to the sender (addresses
 * and ports swapped, IP lengths within the frame, IPv4 header and TCP
 * checksums right); the kernel logged no WARNING, BUG or bpf line
 * (/dev/kmsg, read from its end before the run). Exit 0 when all hold.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "floodshield.skel.h"
#include "../pkt.h"
#include "../xdp_env.h"
#include "../http_env.h"

/* http_env.c's he_expect() reports through the test runner, which this
 * program is not part of; nothing here calls it. */
void fs_test_fail(const char *file, int line, const char *fmt, ...);
void fs_test_fail(const char *file, int line, const char *fmt, ...)
{
	(void)file, (void)line, (void)fmt;
	abort();
}

#define PORT_HTTP 80
#define PORT_SMTP 25
#define PORT_TCP  22

static unsigned long long rng_state = 0x9e3779b97f4a7c15ull;

/* xorshift64*: reproducible from --seed */
static unsigned long long rnd(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dull;
}

static unsigned below(unsigned n)
{
	return n ? rnd() % n : 0;
}

static const char *const payloads[] = {
	"GET / HTTP/1.1\r\nHost: www.example.org\r\n\r\n",
	"GET /index.html?q=1 HTTP/1.1\r\nHost: www.example.org\r\n"
	"User-Agent: x\r\nAccept: */*\r\n\r\n",
	"GET /#101 HTTP/1.1\r\nHost: www.example.org\r\n\r\n",
	"GET / HTTP/1.1\r\nHost: attacker.example\r\n\r\n",
	"GET / HTTP/1.1\r\nHost: 192.0.2.1\r\n\r\n",
	"GET / HTTP/1.0\r\n\r\n",
	"POST /form HTTP/1.1\r\nHost: www.example.org\r\nContent-Length: "
	"5\r\n\r\nhello",
	"POST /up HTTP/1.1\r\nHost: www.example.org\r\nTransfer-Encoding: "
	"chunked\r\n\r\n5;x=y\r\nhello\r\n0\r\n\r\n",
	"GET  /  HTTP/1.1\nHost:\twww.example.org\t\n\n",
	"GET / HTTP/1.1\r\nHost: www.example.org\r\nHost: "
	"other.example\r\n\r\n",
	"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n",
	"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03",
	"EHLO mx.example.org\r\n",
	"HELO \x1b]0;x\x07\xff\r\n",
	"EHLO "
	"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	"aaaaaaaa.example\r\n",
	"ehlo [192.0.2.9]\r\nMAIL FROM:<a@example.org>\r\n",
	"QUIT\r\n",
	"",
};

#define N_PAYLOADS (sizeof(payloads) / sizeof(payloads[0]))

static const char *const exts[] = {NULL, "h", "d", "hr", "f", "hdf", "hhh"};

/* A source in the documentation ranges: many, so buckets and bans vary. */
static void random_src(int family, __u8 a[16])
{
	char text[64];

	if (family == 6)
		snprintf(text, sizeof(text), "2001:db8:%x::%x", below(4),
			 below(4096));
	else
		snprintf(text, sizeof(text), "%s.%u",
			 below(2) ? "198.51.100" : "203.0.113", below(256));
	pkt_addr(text, a);
}

/* A valid frame, before mutation. Its length, or 0 when it did not fit. */
static size_t base_frame(__u8 *buf, size_t cap, size_t *l3, size_t *l4)
{
	static const __u16 dports[] = {PORT_HTTP, PORT_SMTP, PORT_TCP, 443,
				       8080};
	static const __u8 flags[] = {PKT_SYN,	     PKT_ACK,
				     PKT_ACK | 0x08, PKT_SYN | PKT_ACK,
				     PKT_RST,	     PKT_FIN | PKT_ACK};
	struct pkt_spec s = {0};
	size_t marks[PKT_M_MAX] = {0};
	unsigned kind = below(100);
	ssize_t len;

	s.family = kind < 3 ? 0 : below(3) ? 4 : 6;
	s.ethertype = below(2) ? 0x0806 : (__u16)rnd();
	if (below(8) == 0) {
		s.vlan[0] = below(2) ? 0x8100 : 0x88a8;
		if (below(2))
			s.vlan[1] = 0x8100;
	}
	random_src(s.family ? s.family : 4, s.src);
	pkt_addr(s.family == 6 ? "2001:db8::1" : "192.0.2.1", s.dst);
	if (s.family == 4 && below(10) == 0)
		s.ip_opt_len = 4 * (1 + below(10));
	if (s.family == 6 && below(6) == 0)
		s.ext = exts[below(sizeof(exts) / sizeof(exts[0]))];
	if (below(20) == 0) {
		s.frag_off = below(3) ? 0 : below(200);
		s.mf = below(2);
	}
	s.l4 = kind < 80 ? PKT_TCP : kind < 90 ? PKT_UDP : PKT_ICMP;
	s.sport = 1024 + below(60000);
	s.dport = dports[below(sizeof(dports) / sizeof(dports[0]))];
	s.tcp_flags = flags[below(sizeof(flags))];
	s.seq = rnd();
	s.ack = rnd();
	if (below(5) == 0)
		s.tcp_opt_len = 4 * (1 + below(10));
	if (s.family && s.l4 == PKT_TCP && (s.tcp_flags & PKT_ACK) &&
	    below(3)) {
		const char *p = payloads[below(N_PAYLOADS)];
		struct he_seg seg;

		if (he_build(&s, p, strlen(p), &seg) || seg.len > cap)
			return 0;
		memcpy(buf, seg.buf, seg.len);
		*l3 = seg.l3;
		*l4 = seg.l4;
		return seg.len;
	}
	s.payload_len = below(4) ? 0 : below(200);
	len = pkt_build(&s, buf, cap, marks);
	*l3 = marks[PKT_M_L3];
	*l4 = marks[PKT_M_L4];
	return len > 0 ? (size_t)len : 0;
}

static __u16 be16(const __u8 *p)
{
	return p[0] << 8 | p[1];
}

static void put16(__u8 *p, __u16 v)
{
	p[0] = v >> 8;
	p[1] = v;
}

/* The IPv4 header checksum and the TCP checksum of a frame whose IP
 * header is at @l3 and TCP header at @l4, over the IP lengths; left
 * alone when the lengths do not fit the frame. */
static void fix_csums(__u8 *f, size_t len, size_t l3, size_t l4)
{
	bool v4 = l3 + 20 <= len && (f[l3] >> 4) == 4;
	size_t ihl, seg;
	uint32_t sum;

	if (l3 + 40 > len || l4 + 20 > len || l4 <= l3)
		return;
	if (v4) {
		ihl = (f[l3] & 15) * 4;
		if (ihl < 20 || l3 + ihl > len)
			return;
		put16(f + l3 + 10, 0);
		put16(f + l3 + 10, pkt_csum_fold(pkt_csum_add(0, f + l3, ihl)));
		if (f[l3 + 9] != IPPROTO_TCP || be16(f + l3 + 2) < ihl)
			return;
		seg = be16(f + l3 + 2) - (l4 - l3);
	} else {
		seg = be16(f + l3 + 4) - (l4 - l3 - 40);
	}
	if (l4 + seg > len || seg < 20 || seg > 0xffff)
		return;
	put16(f + l4 + 16, 0);
	sum = pkt_csum_add(0, f + l4, seg);
	sum = pkt_csum_add(sum, f + l3 + (v4 ? 12 : 8), v4 ? 8 : 32);
	sum += IPPROTO_TCP + seg;
	put16(f + l4 + 16, pkt_csum_fold(sum));
}

/* Mutate a frame in place; returns its new length. */
static size_t mutate(__u8 *f, size_t len, size_t cap, size_t l3, size_t l4)
{
	unsigned m = below(100);

	if (m < 25) /* as built */
		return len;
	if (m < 40) { /* cut anywhere */
		return below(len + 1);
	}
	if (m < 60) { /* flip 1-4 bytes, keep or fix the checksums */
		for (unsigned i = 1 + below(4); i; i--)
			f[below(len)] ^= 1 << below(8);
	} else if (m < 85 && l3 && l3 + 8 < len) { /* lengths and offsets */
		switch (below(5)) {
		case 0: /* IHL or IPv6 next header */
			f[l3] = (f[l3] & 0xf0) | below(16);
			break;
		case 1: /* total length or payload length */
			put16(f + l3 + ((f[l3] >> 4) == 4 ? 2 : 4), rnd());
			break;
		case 2: /* the IP version */
			f[l3] = (below(16) << 4) | (f[l3] & 15);
			break;
		default: /* TCP data offset and flags */
			if (l4 + 14 < len) {
				f[l4 + 12] = below(16) << 4;
				if (below(2))
					f[l4 + 13] = rnd();
			}
		}
	} else { /* bytes appended or a random tail */
		size_t n = below(cap - len + 1);

		for (size_t i = 0; i < n && len < cap; i++)
			f[len++] = rnd();
	}
	if (below(2))
		fix_csums(f, len, l3, l4);
	return len;
}

/* ---------------------------------------------------------------------
 * The checks of an XDP_TX frame. */

struct tx_stats {
	unsigned long long rst, synack;
};

/* The L3 offset of frame @f (after 0-2 VLAN tags), or 0 if not IP. */
static size_t l3_of(const __u8 *f, size_t len, int *family)
{
	size_t off = 12;

	while (off + 2 <= len &&
	       (be16(f + off) == 0x8100 || be16(f + off) == 0x88a8))
		off += 4;
	if (off + 2 > len)
		return 0;
	*family = be16(f + off) == ETH_P_IP	? 4
		  : be16(f + off) == ETH_P_IPV6 ? 6
						: 0;
	return *family ? off + 2 : 0;
}

/* Whether @out is a well-formed TCP segment: IP lengths within the
 * frame, IPv4 header and TCP checksums right. Its offsets and flags to
 * the pointers; *why says what is wrong. */
static bool tcp_ok(const __u8 *out, size_t len, size_t *l3p, size_t *l4p,
		   __u8 *flags, const char **why)
{
	int fam;
	size_t l3 = l3_of(out, len, &fam), ihl = 40, l4, seg;
	uint32_t sum;

	*why = "not IPv4/IPv6";
	if (!l3)
		return false;
	*why = "IP header cut or wrong";
	if (fam == 4) {
		ihl = (out[l3] & 15) * 4;
		if ((out[l3] >> 4) != 4 || ihl < 20 || l3 + ihl > len ||
		    out[l3 + 9] != IPPROTO_TCP)
			return false;
		*why = "IPv4 total length past the frame";
		if (be16(out + l3 + 2) < ihl + 20 ||
		    l3 + be16(out + l3 + 2) > len)
			return false;
		seg = be16(out + l3 + 2) - ihl;
		*why = "IPv4 header checksum";
		if (pkt_csum_fold(pkt_csum_add(0, out + l3, ihl)) != 0)
			return false;
	} else {
		if (l3 + 40 > len || (out[l3] >> 4) != 6 ||
		    out[l3 + 6] != IPPROTO_TCP)
			return false;
		*why = "IPv6 payload length past the frame";
		seg = be16(out + l3 + 4);
		if (seg < 20 || l3 + 40 + seg > len)
			return false;
	}
	l4 = l3 + ihl;
	*why = "TCP data offset";
	if ((out[l4 + 12] >> 4) < 5 || (size_t)(out[l4 + 12] >> 4) * 4 > seg)
		return false;
	*why = "TCP checksum";
	sum = pkt_csum_add(0, out + l4, seg);
	sum = pkt_csum_add(sum, out + l3 + (fam == 4 ? 12 : 8),
			   fam == 4 ? 8 : 32);
	sum += IPPROTO_TCP + seg;
	if (pkt_csum_fold(sum) != 0)
		return false;
	*l3p = l3;
	*l4p = l4;
	*flags = out[l4 + 13] & 0x3f;
	return true;
}

/* Whether @out (XDP_TX of @in) is a well-formed RST or SYN-ACK back to
 * @in's sender: tcp_ok(), Ethernet, IP addresses and ports swapped. */
static bool tx_ok(const __u8 *in, size_t in_len, const __u8 *out, size_t len,
		  struct tx_stats *st, const char **why)
{
	size_t l3, l4, in_l4, alen, aoff;
	int fam;
	__u8 flags;

	if (!tcp_ok(out, len, &l3, &l4, &flags, why))
		return false;
	*why = "not the input's layout";
	if (l3_of(in, in_len, &fam) != l3 || in_len < l4 + 4)
		return false;
	*why = "Ethernet addresses not swapped";
	if (memcmp(out, in + 6, 6) || memcmp(out + 6, in, 6))
		return false;
	*why = "IP addresses not swapped";
	alen = fam == 4 ? 4 : 16;
	aoff = l3 + (fam == 4 ? 12 : 8);
	if (memcmp(out + aoff, in + aoff + alen, alen) ||
	    memcmp(out + aoff + alen, in + aoff, alen))
		return false;
	*why = "ports not swapped";
	in_l4 = l3 + (fam == 4 ? (in[l3] & 15) * 4u : 40);
	if (memcmp(out + l4, in + in_l4 + 2, 2) ||
	    memcmp(out + l4 + 2, in + in_l4, 2))
		return false;
	*why = "neither RST nor SYN-ACK";
	if (flags & PKT_RST)
		st->rst++;
	else if (flags == (PKT_SYN | PKT_ACK))
		st->synack++;
	else
		return false;
	return true;
}

/* Whether @out, passed but changed from @in, is @in turned into a RST
 * (the RST rewrite of a connection's bad request): the same length, only
 * the TCP flags (now with RST) and the TCP checksum changed, and the
 * segment well-formed if the input was (IPv6 extension headers are not
 * walked here: those are judged by the bytes changed only). */
static bool rewrite_ok(const __u8 *in, size_t in_len, const __u8 *out,
		       size_t len, const char **why)
{
	size_t first = len, last = 0, l3, l4, fl;
	__u8 flags;

	*why = "length changed";
	if (len != in_len)
		return false;
	for (size_t i = 0; i < len; i++)
		if (in[i] != out[i]) {
			first = first < i ? first : i;
			last = i;
		}
	/* the flags byte at l4 + 13, the checksum at l4 + 16 and 17: one
	 * of these places for the flags holds every change */
	const size_t cand[] = {first, last >= 4 ? last - 4 : 0,
			       last >= 3 ? last - 3 : 0};

	*why = "bytes other than the TCP flags and checksum changed";
	fl = 0;
	for (size_t c = 0; c < 3 && !fl; c++) {
		bool all = cand[c] >= 13;

		for (size_t i = first; all && i <= last; i++)
			all = in[i] == out[i] || i == cand[c] ||
			      i == cand[c] + 3 || i == cand[c] + 4;
		fl = all ? cand[c] : 0;
	}
	if (!fl)
		return false;
	*why = "changed but not a RST";
	if (!(out[fl] & PKT_RST))
		return false;
	*why = "the input was well-formed, the RST is not";
	if (tcp_ok(in, in_len, &l3, &l4, &flags, why) &&
	    (l4 + 13 != fl || !tcp_ok(out, len, &l3, &l4, &flags, why)))
		return false;
	return true;
}

/* ---------------------------------------------------------------------
 * The kernel log, from /dev/kmsg. */

static int kmsg_open_at_end(void)
{
	int fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);

	if (fd >= 0)
		lseek(fd, 0, SEEK_END);
	return fd;
}

/* Kernel lines since kmsg_open_at_end() that name a warning, a bug or
 * bpf; each printed. */
static int kmsg_bad_lines(int fd)
{
	char rec[8192];
	int bad = 0;
	ssize_t n;

	while ((n = read(fd, rec, sizeof(rec) - 1)) > 0 || errno == EPIPE) {
		if (n <= 0)
			continue; /* overwritten records: read on */
		rec[n] = '\0';
		if (strstr(rec, "WARNING") || strstr(rec, "BUG") ||
		    strstr(rec, "bpf") || strstr(rec, "Call Trace")) {
			printf("kernel: %s",
			       strchr(rec, ';') ? strchr(rec, ';') + 1 : rec);
			bad++;
		}
	}
	return bad;
}

/* ---------------------------------------------------------------------
 * The two instances. */

static int listener(int family, __u16 port)
{
	struct sockaddr_in6 a6 = {.sin6_family = AF_INET6,
				  .sin6_port = htons(port)};
	struct sockaddr_in a4 = {.sin_family = AF_INET,
				 .sin_port = htons(port)};
	int fd = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0), one = 1;

	if (fd < 0)
		return -1;
	if (family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	if ((family == AF_INET ? bind(fd, (void *)&a4, sizeof(a4))
			       : bind(fd, (void *)&a6, sizeof(a6))) ||
	    listen(fd, 16))
		return -1;
	return fd;
}

/* A private network namespace (gone when the process ends) with
 * loopback up, kernel SYN cookies forced and listeners on the ports. */
static int private_netns(void)
{
	static const __u16 ports[] = {PORT_HTTP, PORT_SMTP, PORT_TCP};
	int fd;

	if (unshare(CLONE_NEWNET)) {
		perror("unshare(CLONE_NEWNET)");
		return -1;
	}
	if (system("ip link set lo up")) {
		fprintf(stderr, "cannot bring loopback up\n");
		return -1;
	}
	fd = open("/proc/sys/net/ipv4/tcp_syncookies", O_WRONLY);
	if (fd < 0 || write(fd, "2", 1) != 1) {
		perror("net.ipv4.tcp_syncookies=2");
		return -1;
	}
	close(fd);
	for (size_t i = 0; i < sizeof(ports) / sizeof(ports[0]); i++)
		if (listener(AF_INET, ports[i]) < 0 ||
		    listener(AF_INET6, ports[i]) < 0) {
			perror("listener");
			return -1;
		}
	return 0;
}

static int configure(struct xdp_env *e, bool cookies)
{
	static const char *const hosts[] = {"www.example.org", "*.example.net"};

	if (xe_service(e, PORT_HTTP, FS_SVC_HTTP) ||
	    xe_service(e, PORT_SMTP, FS_SVC_SMTP) ||
	    xe_service(e, PORT_TCP, FS_SVC_TCP) || he_hosts_add(e, hosts, 2) ||
	    xe_own(e, "192.0.2.1") || xe_own(e, "2001:db8::1"))
		return -1;
	return cookies ? xe_set(e, "syn.cookies=always") : 0;
}

struct counts {
	unsigned long long frames, verdict[5], bad_verdict, bad_tx;
	unsigned long long rewrites, bad_rewrites;
	unsigned long long run_ns; /* the kernel's own duration, summed */
	struct tx_stats tx;
};

static int run_one(struct xdp_env *e, const __u8 *in, size_t len,
		   struct counts *c)
{
	size_t size = len < ETH_HLEN ? ETH_HLEN : len, pad = size - len;
	__u8 buf[PKT_MAX] = {}, out[PKT_MAX];
	struct xdp_md ctx = {.data_end = len};
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = buf, .data_size_in = size,
		    .data_out = out, .data_size_out = sizeof(out),
		    .ctx_in = pad ? &ctx : NULL,
		    .ctx_size_in = pad ? sizeof(ctx) : 0, .repeat = 1);
	const char *why;

	memcpy(buf, in, len);
	if (bpf_prog_test_run_opts(bpf_program__fd(e->skel->progs.floodshield),
				   &o)) {
		fprintf(stderr, "BPF_PROG_TEST_RUN: %s (frame of %zu bytes)\n",
			strerror(errno), len);
		return -1;
	}
	c->frames++;
	c->run_ns += o.duration;
	if (o.retval != XDP_PASS && o.retval != XDP_DROP &&
	    o.retval != XDP_TX) {
		c->bad_verdict++;
		printf("verdict %u for a frame of %zu bytes\n", o.retval, len);
		return 0;
	}
	c->verdict[o.retval]++;
	if (o.retval == XDP_TX &&
	    !tx_ok(in, len, out, o.data_size_out - pad, &c->tx, &why)) {
		c->bad_tx++;
		if (c->bad_tx <= 10)
			printf("XDP_TX frame of %zu bytes: %s\n", len, why);
	}
	if (o.retval == XDP_PASS &&
	    (o.data_size_out - pad != len || memcmp(out, in, len))) {
		c->rewrites++;
		if (!rewrite_ok(in, len, out, o.data_size_out - pad, &why) &&
		    ++c->bad_rewrites <= 10)
			printf("passed frame of %zu bytes rewritten: %s\n", len,
			       why);
	}
	return 0;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	unsigned long long count = 100000;
	struct xdp_env env[2];
	struct counts c = {0};
	int kmsg, bad_kernel;
	double t0, t;

	for (int i = 1; i + 1 < argc; i += 2) {
		if (!strcmp(argv[i], "--count"))
			count = strtoull(argv[i + 1], NULL, 0);
		else if (!strcmp(argv[i], "--seed"))
			rng_state = strtoull(argv[i + 1], NULL, 0) | 1;
	}
	kmsg = kmsg_open_at_end();
	if (kmsg < 0) {
		perror("/dev/kmsg");
		return 1;
	}
	if (private_netns() || xe_open_sockets(&env[0], true) ||
	    configure(&env[0], true) || xe_open_sockets(&env[1], false) ||
	    configure(&env[1], false))
		return 1;
	t0 = now_s();
	for (unsigned long long i = 0; i < count; i++) {
		__u8 f[PKT_MAX];
		size_t l3 = 0, l4 = 0, len;

		if (below(100) < 3) { /* random bytes */
			len = below(200);
			for (size_t k = 0; k < len; k++)
				f[k] = rnd();
		} else {
			len = base_frame(f, sizeof(f), &l3, &l4);
			len = mutate(f, len, sizeof(f), l3, l4);
		}
		if (i % 1000 == 0) /* 1 ms of the fake clock */
			for (int k = 0; k < 2; k++)
				xe_clock_set(&env[k],
					     xe_clock(&env[k]) + 1000000);
		if (run_one(&env[i & 1], f, len, &c))
			return 1;
	}
	t = now_s() - t0;
	bad_kernel = kmsg_bad_lines(kmsg);
	printf("pass %llu (%llu rewritten into a RST), drop %llu, tx %llu "
	       "(rst %llu, syn-ack %llu); bad verdicts %llu, bad tx %llu, "
	       "bad rewrites %llu, kernel lines %d\n",
	       c.verdict[XDP_PASS], c.rewrites, c.verdict[XDP_DROP],
	       c.verdict[XDP_TX], c.tx.rst, c.tx.synack, c.bad_verdict,
	       c.bad_tx, c.bad_rewrites, bad_kernel);
	printf("%llu frames in %.1f s: %.0f frames/s, %.0f ns per frame in "
	       "the program\n",
	       c.frames, t, c.frames / t, (double)c.run_ns / c.frames);
	xe_close(&env[0]);
	xe_close(&env[1]);
	return c.bad_verdict || c.bad_tx || c.bad_rewrites || bad_kernel ? 1
									 : 0;
}
