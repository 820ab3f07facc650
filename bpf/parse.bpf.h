/* SPDX-License-Identifier: GPL-2.0 */
/* Stage 1, parse. Each parse_* reads one header at the cursor, checks
 * its bounds and strict fields before any read, and advances the cursor.
 * What does not parse is passed, never guessed at.
 */
#ifndef FS_PARSE_BPF_H
#define FS_PARSE_BPF_H

#include "pkt.bpf.h"

struct hdr_cursor {
	void *pos;
	void *end;
	void *ip_end; /* where the IP packet ends by its length field */
};

/* Whether a header ending at @hend is cut: by the frame, or by the IP
 * length (Linux trims the frame to it first, so bytes past it, Ethernet
 * padding or a trailer, are no header of the packet Linux reads). The
 * frame test comes first: it is the bound the verifier learns from. */
static __always_inline bool cut(const struct hdr_cursor *c, void *hend)
{
	return hend > c->end || hend > c->ip_end;
}

/* Ethernet plus up to FS_VLAN_MAX 802.1Q/802.1ad tags. Returns the inner
 * EtherType in network order, -1 when a header is cut short, or
 * FS_VLAN_DEEP when a tag follows the last one walked (Linux strips any
 * number of priority tags, VID 0: the packet inside would go unseen). */
static __always_inline int parse_eth(struct hdr_cursor *c)
{
	struct ethhdr *eth = c->pos;
	__u16 proto;

	if ((void *)(eth + 1) > c->end)
		return -1;
	proto = eth->h_proto;
	c->pos = eth + 1;
#pragma unroll
	for (int i = 0; i < FS_VLAN_MAX; i++) {
		struct vlan_hdr *vh = c->pos;

		if (proto != bpf_htons(ETH_P_8021Q) &&
		    proto != bpf_htons(ETH_P_8021AD))
			break;
		if ((void *)(vh + 1) > c->end)
			return -1;
		proto = vh->h_vlan_encapsulated_proto;
		c->pos = vh + 1;
	}
	if (proto == bpf_htons(ETH_P_8021Q) || proto == bpf_htons(ETH_P_8021AD))
		return FS_VLAN_DEEP;
	return proto;
}

/* IPv4 with IHL >= 5, options inside the frame and total length covering
 * the header. Sets the v4-mapped source, the L4 protocol and, for a
 * non-first fragment, FS_L4_FRAGMENT. Returns 0, or -1 if malformed. */
static __always_inline int parse_ipv4(struct hdr_cursor *c, struct fs_pkt *p,
				      __u8 *proto)
{
	struct iphdr *iph = c->pos;
	__u32 hlen;

	if ((void *)(iph + 1) > c->end)
		return -1;
	if (iph->version != 4 || iph->ihl < IPV4_IHL_MIN)
		return -1;
	hlen = iph->ihl * 4;
	if (c->pos + hlen > c->end || bpf_ntohs(iph->tot_len) < hlen)
		return -1;
	p->src.w[0] = p->dst.w[0] = 0;
	p->src.w[1] = p->dst.w[1] = 0;
	p->src.w[2] = p->dst.w[2] = bpf_htonl(V4_MAPPED_W2);
	p->src.w[3] = iph->saddr;
	p->dst.w[3] = iph->daddr;
	p->v4 = 1;
	c->ip_end = c->pos + fs_ntohs16(iph->tot_len);
	if (iph->frag_off & bpf_htons(IP_OFFSET))
		p->l4 = FS_L4_FRAGMENT;
	else if (iph->frag_off & bpf_htons(IP_MF))
		p->frag = 1;
	*proto = iph->protocol;
	c->pos += hlen;
	return 0;
}

/* One IPv6 extension header at the cursor, whose type is *proto.
 * Returns 1 if it was walked (cursor and *proto advanced), 0 if *proto
 * is not an extension header, -1 if cut short. A non-first fragment
 * header sets FS_L4_FRAGMENT and stops the walk. */
static __always_inline int parse_ipv6_ext(struct hdr_cursor *c,
					  struct fs_pkt *p, __u8 *proto)
{
	struct ipv6_opt_hdr *oh = c->pos;
	struct frag_hdr *fh = c->pos;

	switch (*proto) {
	case IPPROTO_HOPOPTS:
	case IPPROTO_ROUTING:
	case IPPROTO_DSTOPTS:
		if (cut(c, oh + 1))
			return -1;
		*proto = oh->nexthdr;
		c->pos += (oh->hdrlen + 1) * 8;
		return cut(c, c->pos) ? -1 : 1;
	case IPPROTO_AH:
		if (cut(c, oh + 1))
			return -1;
		*proto = oh->nexthdr;
		c->pos += (oh->hdrlen + 2) * 4;
		return cut(c, c->pos) ? -1 : 1;
	case IPPROTO_FRAGMENT:
		if (cut(c, fh + 1))
			return -1;
		*proto = fh->nexthdr;
		c->pos = fh + 1;
		if (fh->frag_off & bpf_htons(IP6_OFFSET)) {
			p->l4 = FS_L4_FRAGMENT;
			return 0;
		}
		if (fh->frag_off & bpf_htons(IP6_MF))
			p->frag = 1;
		return 1;
	}
	return 0;
}

/* IPv6 fixed header, then at most FS_IPV6_EXT_MAX extension headers.
 * A chain longer than that leaves FS_L4_EXT_CHAIN (lists still apply).
 * A walked header cut short in a first fragment leaves FS_L4_FRAG_CUT:
 * Linux's check of a first fragment (ipv6frag_thdr_truncated()) passes
 * a chain it cannot walk, and reassembles it.
 * Returns 0, or -1 if the fixed header or a walked header of a whole
 * packet is cut short, or the source is v4-mapped. */
static __always_inline int parse_ipv6(struct hdr_cursor *c, struct fs_pkt *p,
				      __u8 *proto)
{
	struct ipv6hdr *ip6h = c->pos;
	int i, r;

	if ((void *)(ip6h + 1) > c->end || ip6h->version != 6)
		return -1;
	__builtin_memcpy(p->src.b, &ip6h->saddr, sizeof(p->src.b));
	__builtin_memcpy(p->dst.b, &ip6h->daddr, sizeof(p->dst.b));
	/* A v4-mapped source would alias an IPv4 address; Linux drops such
	 * packets (RFC 4291 2.5.5.2), so they pass as malformed. */
	if (fs_words_v4mapped(p->src.w))
		return -1;
	*proto = ip6h->nexthdr;
	c->pos = ip6h + 1;
	c->ip_end = c->pos + fs_ntohs16(ip6h->payload_len);
#pragma unroll
	for (i = 0; i < FS_IPV6_EXT_MAX; i++) {
		r = parse_ipv6_ext(c, p, proto);
		if (r < 0 && p->frag) {
			p->l4 = FS_L4_FRAG_CUT;
			return 0;
		}
		if (r < 0)
			return -1;
		if (r == 0)
			return 0;
	}
	if (parse_ipv6_ext(c, p, proto) != 0)
		p->l4 = FS_L4_EXT_CHAIN;
	return 0;
}

/* TCP with data offset >= 5 and the whole header (options) in the frame
 * and in the IP length. Sets FS_L4_TCP and the fields policing reads;
 * else FS_L4_FRAG_CUT in a first fragment (Linux reassembles a header
 * cut there: RFC 1858's tiny fragment), FS_L4_MALFORMED in a whole
 * packet (Linux drops it). */
static __always_inline void parse_tcp(struct hdr_cursor *c, struct fs_pkt *p,
				      void *data)
{
	struct tcphdr *tcp = c->pos;
	__u32 hlen;

	p->l4 = p->frag ? FS_L4_FRAG_CUT : FS_L4_MALFORMED;
	if (cut(c, tcp + 1) || tcp->doff < TCP_DOFF_MIN)
		return;
	hlen = tcp->doff * 4;
	if (cut(c, c->pos + hlen))
		return;
	p->l4 = FS_L4_TCP;
	p->sport = tcp->source;
	p->dport = tcp->dest;
	p->tcp_flags = ((__u8 *)tcp)[TCP_FLAGS_OFF];
	p->seq = tcp->seq;
	p->ack = tcp->ack_seq;
	p->l4_off = c->pos - data;
	c->pos += hlen;
	p->payload_off = c->pos - data;
	/* both by the IP length: no Ethernet padding or trailer, which
	 * Linux trims; payload_len also by the frame (the linear part) */
	p->payload_len = (c->ip_end < c->end ? c->ip_end : c->end) - c->pos;
	p->data_len = c->ip_end - c->pos;
}

/* The reason for a packet that is not TCP, or whose TCP header did not
 * parse (p->l4 is not FS_L4_TCP): it is not policed, only listed. */
static __always_inline enum fs_reason fs_l4_reason(const struct fs_pkt *p)
{
	switch (p->l4) {
	case FS_L4_FRAGMENT:
		return FS_R_FRAGMENT;
	case FS_L4_MALFORMED:
		return FS_R_MALFORMED_L4;
	case FS_L4_EXT_CHAIN:
		return FS_R_EXT_CHAIN;
	case FS_L4_FRAG_CUT:
		return FS_R_FRAG_CUT;
	default:
		return FS_R_NOT_TCP;
	}
}

/* Parse down to L4. Returns FS_CONTINUE once the source is known (the
 * L4 outcome is in p->l4), else FS_R_NON_IP or FS_R_MALFORMED. */
static __always_inline enum fs_reason parse_packet(struct xdp_md *ctx,
						   struct fs_pkt *p)
{
	struct hdr_cursor c = {
		.pos = (void *)(long)ctx->data,
		.end = (void *)(long)ctx->data_end,
	};
	__u8 proto = 0;
	int eth_proto;

	p->len = c.end - c.pos;
	p->l4 = FS_L4_OTHER;
	eth_proto = parse_eth(&c);
	if (eth_proto == FS_VLAN_DEEP)
		return FS_R_VLAN_DEEP;
	if (eth_proto < 0)
		return FS_R_MALFORMED;
	p->l3_off = c.pos - (void *)(long)ctx->data;
	if (eth_proto == bpf_htons(ETH_P_IP)) {
		if (parse_ipv4(&c, p, &proto) < 0)
			return FS_R_MALFORMED;
	} else if (eth_proto == bpf_htons(ETH_P_IPV6)) {
		if (parse_ipv6(&c, p, &proto) < 0)
			return FS_R_MALFORMED;
	} else {
		return FS_R_NON_IP;
	}
	if (p->l4 == FS_L4_OTHER && proto == IPPROTO_TCP)
		parse_tcp(&c, p, (void *)(long)ctx->data);
	return FS_CONTINUE;
}

#endif
