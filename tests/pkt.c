// SPDX-License-Identifier: GPL-2.0
#include <arpa/inet.h>
#include <string.h>
#include <linux/icmp.h>
#include <linux/icmpv6.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include "pkt.h"

#define IP_MF	       0x2000
#define IPOPT_NOP_BYTE 1 /* IPv4 and TCP NOP option */
#define PAYLOAD_BYTE   0xa5
#define DEF_SPORT      40000
#define DEF_DPORT      80
#define EXT_CHAIN_MAX  16

/* Append-only writer over the caller's buffer. */
struct wr {
	uint8_t *buf;
	size_t cap, len;
	bool fail; /* overflow or a bad spec: build returns -1 */
	size_t m[PKT_M_MAX];
};

/* Append @n bytes of @src (zeros when NULL). Returns where they start. */
static size_t put(struct wr *w, const void *src, size_t n)
{
	size_t at = w->len;

	if (w->fail || n > w->cap - w->len) {
		w->fail = true;
		return at;
	}
	if (src)
		memcpy(w->buf + at, src, n);
	else
		memset(w->buf + at, 0, n);
	w->len += n;
	return at;
}

static void put_fill(struct wr *w, uint8_t byte, size_t n)
{
	size_t at = put(w, NULL, n);

	if (!w->fail)
		memset(w->buf + at, byte, n);
}

static void put_be16(struct wr *w, uint16_t v)
{
	uint16_t be = htons(v);

	put(w, &be, sizeof(be));
}

static void set_be16(struct wr *w, size_t at, uint16_t v)
{
	uint16_t be = htons(v);

	memcpy(w->buf + at, &be, sizeof(be));
}

/* Ones' complement sum of big-endian 16-bit words; odd tail padded. */
uint32_t pkt_csum_add(uint32_t sum, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i + 1 < n; i += 2)
		sum += p[i] << 8 | p[i + 1];
	if (n & 1)
		sum += p[n - 1] << 8;
	return sum;
}

uint16_t pkt_csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return ~sum;
}

int pkt_addr(const char *text, uint8_t out[16])
{
	memset(out, 0, 16);
	if (inet_pton(AF_INET, text, out + 12) == 1) {
		out[10] = out[11] = 0xff;
		return 4;
	}
	return inet_pton(AF_INET6, text, out) == 1 ? 6 : 0;
}

static uint8_t l4_proto(const struct pkt_spec *s)
{
	switch (s->l4) {
	case PKT_UDP:
		return IPPROTO_UDP;
	case PKT_ICMP:
		return s->family == 6 ? IPPROTO_ICMPV6 : IPPROTO_ICMP;
	default:
		return IPPROTO_TCP;
	}
}

static void put_eth(struct wr *w, const struct pkt_spec *s)
{
	static const uint8_t macs[2 * ETH_ALEN] = {
		0x02, 0, 0, 0, 0, 0x02, /* destination */
		0x02, 0, 0, 0, 0, 0x01, /* source */
	};
	uint16_t type = s->family == 4	 ? ETH_P_IP
			: s->family == 6 ? ETH_P_IPV6
					 : s->ethertype;

	put(w, macs, sizeof(macs));
	for (size_t i = 0;
	     i < sizeof(s->vlan) / sizeof(s->vlan[0]) && s->vlan[i]; i++) {
		put_be16(w, s->vlan[i]);
		put_be16(w, 100 + i); /* TCI: VLAN id */
	}
	put_be16(w, type);
}

static void put_ipv4(struct wr *w, const struct pkt_spec *s)
{
	struct iphdr ip = {
		.version = s->version ?: 4,
		.ihl = s->ihl ?: (sizeof(ip) + s->ip_opt_len) / 4,
		.id = htons(0x1234),
		.frag_off = htons((s->mf ? IP_MF : 0) | s->frag_off),
		.ttl = 64,
		.protocol = l4_proto(s),
	};

	memcpy(&ip.saddr, s->src + 12, sizeof(ip.saddr));
	memcpy(&ip.daddr, s->dst + 12, sizeof(ip.daddr));
	put(w, &ip, sizeof(ip));
	w->m[PKT_M_L3_OPT] = w->len;
	put_fill(w, IPOPT_NOP_BYTE, s->ip_opt_len);
}

/* Next-header values: the extension headers of @s, then the L4 protocol.
 * Returns their number, or 0 for an unknown extension letter. */
static size_t ext_chain(const struct pkt_spec *s, uint8_t chain[EXT_CHAIN_MAX])
{
	static const char letters[] = "hrdf";
	static const uint8_t types[] = {
		IPPROTO_HOPOPTS,
		IPPROTO_ROUTING,
		IPPROTO_DSTOPTS,
		IPPROTO_FRAGMENT,
	};
	const char *ext = s->ext ?: "", *at;
	size_t n = 0;

	for (; *ext && n < EXT_CHAIN_MAX - 2; ext++) {
		at = strchr(letters, *ext);
		if (!at)
			return 0;
		chain[n++] = types[at - letters];
	}
	if ((s->frag_off || s->mf) && !strchr(s->ext ?: "", 'f'))
		chain[n++] = IPPROTO_FRAGMENT;
	chain[n++] = l4_proto(s);
	return n;
}

/* One 8-byte extension header of @type followed by @next. */
static void put_ext(struct wr *w, const struct pkt_spec *s, uint8_t type,
		    uint8_t next)
{
	uint8_t h[8] = {next, 0}; /* hdrlen 0: 8 bytes */
	uint16_t frag = htons(s->frag_off << 3 | (s->mf ? 1 : 0));

	switch (type) {
	case IPPROTO_FRAGMENT:
		memcpy(h + 2, &frag, sizeof(frag));
		h[7] = 0x42; /* identification */
		break;
	case IPPROTO_ROUTING:
		break; /* type 0, segments left 0: ignored */
	default:
		h[2] = 1; /* PadN over the 6 option bytes */
		h[3] = 4;
		break;
	}
	put(w, h, sizeof(h));
}

static void put_ipv6(struct wr *w, const struct pkt_spec *s)
{
	uint8_t chain[EXT_CHAIN_MAX];
	size_t n = ext_chain(s, chain);
	struct ipv6hdr ip6 = {
		.version = s->version ?: 6,
		.nexthdr = chain[0],
		.hop_limit = 64,
	};

	if (!n) {
		w->fail = true;
		return;
	}
	memcpy(&ip6.saddr, s->src, sizeof(ip6.saddr));
	memcpy(&ip6.daddr, s->dst, sizeof(ip6.daddr));
	put(w, &ip6, sizeof(ip6));
	w->m[PKT_M_L3_OPT] = w->len;
	for (size_t i = 0; i + 1 < n; i++)
		put_ext(w, s, chain[i], chain[i + 1]);
}

static void put_tcp(struct wr *w, const struct pkt_spec *s)
{
	struct tcphdr th = {
		.source = htons(s->sport ?: DEF_SPORT),
		.dest = htons(s->dport ?: DEF_DPORT),
		.seq = htonl(s->seq),
		.ack_seq = htonl(s->ack),
		.doff = s->doff ?: (sizeof(th) + s->tcp_opt_len) / 4,
		.window = htons(65535),
	};

	((uint8_t *)&th)[13] = s->tcp_flags; /* the flags byte */
	put(w, &th, sizeof(th));
	w->m[PKT_M_L4_OPT] = w->len;
	put_fill(w, IPOPT_NOP_BYTE, s->tcp_opt_len);
}

static void put_l4(struct wr *w, const struct pkt_spec *s)
{
	struct udphdr uh = {
		.source = htons(s->sport ?: DEF_SPORT),
		.dest = htons(s->dport ?: DEF_DPORT),
		.len = htons(sizeof(uh) + s->payload_len),
	};
	struct icmphdr ih = {
		.type = s->family == 6 ? ICMPV6_ECHO_REQUEST : ICMP_ECHO,
		.un.echo = {.id = htons(1), .sequence = htons(1)},
	};

	w->m[PKT_M_L4] = w->len;
	if (s->l4 == PKT_TCP)
		put_tcp(w, s);
	else if (s->l4 == PKT_UDP)
		put(w, &uh, sizeof(uh));
	else
		put(w, &ih, sizeof(ih));
	if (s->l4 != PKT_TCP)
		w->m[PKT_M_L4_OPT] = w->len;
	put_fill(w, PAYLOAD_BYTE, s->payload_len);
}

/* IPv4 total length and header checksum, or IPv6 payload length. */
static void fix_l3(struct wr *w, const struct pkt_spec *s)
{
	size_t l3 = w->m[PKT_M_L3], hlen = w->m[PKT_M_L4] - l3;

	if (s->family == 6) {
		set_be16(w, l3 + offsetof(struct ipv6hdr, payload_len),
			 s->tot_len ?: w->len - l3 - sizeof(struct ipv6hdr));
		return;
	}
	set_be16(w, l3 + offsetof(struct iphdr, tot_len),
		 s->tot_len ?: w->len - l3);
	set_be16(w, l3 + offsetof(struct iphdr, check),
		 pkt_csum_fold(pkt_csum_add(0, w->buf + l3, hlen)));
}

/* L4 checksum over the rest of the frame, with the pseudo-header for
 * everything but ICMPv4. */
static void fix_l4(struct wr *w, const struct pkt_spec *s)
{
	size_t l4 = w->m[PKT_M_L4], len = w->len - l4;
	size_t alen = s->family == 4 ? 4 : 16;
	size_t at = l4 + (s->l4 == PKT_TCP ? offsetof(struct tcphdr, check)
			  : s->l4 == PKT_UDP
				  ? offsetof(struct udphdr, check)
				  : offsetof(struct icmphdr, checksum));
	uint32_t sum = pkt_csum_add(0, w->buf + l4, len);

	if (s->l4 != PKT_ICMP || s->family == 6) {
		sum = pkt_csum_add(sum, s->src + 16 - alen, alen);
		sum = pkt_csum_add(sum, s->dst + 16 - alen, alen);
		sum += l4_proto(s) + len;
	}
	set_be16(w, at, pkt_csum_fold(sum));
}

ssize_t pkt_build(const struct pkt_spec *s, uint8_t *buf, size_t cap,
		  size_t marks[PKT_M_MAX])
{
	struct wr w = {.buf = buf, .cap = cap};
	long cut;

	put_eth(&w, s);
	w.m[PKT_M_L3] = w.m[PKT_M_L3_OPT] = w.len;
	if (s->family == 4)
		put_ipv4(&w, s);
	else if (s->family == 6)
		put_ipv6(&w, s);
	if (s->family) {
		put_l4(&w, s);
	} else {
		w.m[PKT_M_L4] = w.m[PKT_M_L4_OPT] = w.len;
		put_fill(&w, PAYLOAD_BYTE, s->payload_len);
	}
	w.m[PKT_M_END] = w.len;
	if (w.fail)
		return -1;
	if (s->family) {
		fix_l3(&w, s);
		fix_l4(&w, s);
	}
	if (marks)
		memcpy(marks, w.m, sizeof(w.m));
	cut = (long)w.m[s->cut_mark] + s->cut_delta; /* END + 0: no cut */
	return pkt_cut(w.len, cut < 0 ? 0 : cut);
}
