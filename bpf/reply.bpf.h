/* SPDX-License-Identifier: GPL-2.0 */
/* Replies built in place (XDP_TX), at the frame's own length (no
 * resize: libxdp's dispatcher refuses programs that resize): the
 * addresses swapped, a new IP header checksum, the TCP checksum from
 * scratch. Used for the SYN cookie's SYN-ACK (cookie.bpf.h) and for a
 * RST to a client whose connection exists only as a kernel SYN cookie
 * (fs_rst_reply()). */
#ifndef FS_REPLY_BPF_H
#define FS_REPLY_BPF_H

#include "pkt.bpf.h"
#include "csum.bpf.h"
#include "cfg.bpf.h"
#include "flows.bpf.h"

/* The IP header @ip of a received segment into its reply's, for a TCP
 * segment of @tcplen bytes: addresses swapped, TTL (hop limit)
 * FS_SYNACK_TTL, the length field for @tcplen (bytes of the frame past
 * it are padding, which the receiver trims); IPv4: ID 0, DF, header
 * checksum; IPv6: flow label 0. Returns the pseudo-header's sum for the
 * TCP checksum. */
static __always_inline __u64 reply_ip(__u8 *ip, bool v4, __u32 tcplen)
{
	__u64 sum = bpf_htons(IPPROTO_TCP) + bpf_htons(tcplen);
	__u32 a[4];

	if (v4) {
		struct iphdr *h = (struct iphdr *)ip;

		a[0] = h->saddr;
		h->saddr = h->daddr;
		h->daddr = a[0];
		h->ttl = FS_SYNACK_TTL;
		h->id = 0;
		h->frag_off = bpf_htons(IP_DF);
		h->tot_len = bpf_htons(sizeof(*h) + tcplen);
		h->check = 0;
		h->check = csum_field64(
			bpf_csum_diff(NULL, 0, (__be32 *)ip, sizeof(*h), 0));
		return sum + h->saddr + h->daddr;
	}
	struct ipv6hdr *h6 = (struct ipv6hdr *)ip;

	__builtin_memcpy(a, &h6->saddr, sizeof(a));
	__builtin_memcpy(&h6->saddr, &h6->daddr, sizeof(a));
	__builtin_memcpy(&h6->daddr, a, sizeof(a));
	h6->hop_limit = FS_SYNACK_TTL;
	h6->payload_len = bpf_htons(tcplen);
	ip[1] &= 0xf0; /* flow label 0 (traffic class kept) */
	ip[2] = 0;
	ip[3] = 0;
	return sum + bpf_csum_diff(NULL, 0, (__be32 *)&h6->saddr, 32, 0);
}

/* Write the reply's headers over the frame: the Ethernet addresses
 * swapped (VLAN tags stay where they are), @ip (@iplen bytes) and @th
 * (@thlen bytes) at @p's offsets. 0 or -1. */
static __always_inline int reply_store(struct xdp_md *ctx,
				       const struct fs_pkt *p, __u8 *ip,
				       __u32 iplen, __u8 *th, __u32 thlen)
{
	__u8 eth[2 * ETH_ALEN];

	if (bpf_xdp_load_bytes(ctx, 0, eth, sizeof(eth)))
		return -1;
	if (bpf_xdp_store_bytes(ctx, 0, eth + ETH_ALEN, ETH_ALEN) ||
	    bpf_xdp_store_bytes(ctx, ETH_ALEN, eth, ETH_ALEN) ||
	    bpf_xdp_store_bytes(ctx, p->l3_off, ip, iplen) ||
	    bpf_xdp_store_bytes(ctx, p->l4_off, th, thlen))
		return -1;
	return 0;
}

/* Turn @p, a client's data segment, into a RST to that client (XDP_TX):
 * seq the segment's acknowledgment (the next byte the client expects,
 * which RFC 5961 wants exactly), ack the segment's end, RST|ACK, no
 * options (data offset 5) and no data (the IP length says 20 bytes of
 * TCP; the rest of the frame is padding). For a connection the kernel
 * would only now make from a SYN cookie: passing the segment would make
 * it, and a RST passed in its place resets nothing, so the client is
 * told directly. IPv4 options and IPv6 extension headers are not
 * handled: -1, the caller drops the segment. A global function. */
__noinline int fs_rst_reply(struct xdp_md *ctx, const struct fs_pkt *p)
{
	__u8 ip[sizeof(struct ipv6hdr)] = {}, th[sizeof(struct tcphdr)] = {};
	struct tcphdr *t = (struct tcphdr *)th;
	__u32 iplen, seq, ack;
	__u16 port;
	__s64 r;

	if (!ctx || !p)
		return -1;
	iplen = p->v4 ? sizeof(struct iphdr) : sizeof(struct ipv6hdr);
	if (p->l4_off - p->l3_off != iplen ||
	    bpf_xdp_load_bytes(ctx, p->l3_off, ip, iplen) ||
	    bpf_xdp_load_bytes(ctx, p->l4_off, th, sizeof(th)))
		return -1;
	seq = t->ack_seq;
	ack = bpf_htonl(bpf_ntohl(t->seq) + p->payload_len +
			!!(p->tcp_flags & TCP_FLAG_FIN));
	port = t->source;
	t->source = t->dest;
	t->dest = port;
	t->seq = seq;
	t->ack_seq = ack;
	th[TCP_FLAGS_OFF - 1] = TCP_DOFF_MIN << 4;
	th[TCP_FLAGS_OFF] = TCP_FLAG_RST | TCP_FLAG_ACK;
	t->window = 0;
	t->check = 0;
	t->urg_ptr = 0;
	r = bpf_csum_diff(NULL, 0, (__be32 *)th, sizeof(th), 0);
	if (r < 0)
		return -1;
	t->check = csum_field64(r + reply_ip(ip, p->v4, sizeof(th)));
	return reply_store(ctx, p, ip, iplen, th, sizeof(th));
}

/* The answer to @p, a segment that reason @r would reset, proven by a
 * kernel SYN cookie only (FS_CONN_COOKIE): no socket exists to reset,
 * and passing anything makes one. So the client gets a RST
 * (fs_rst_reply(), FS_R_COOKIE_RESET, XDP_TX) and the flow is
 * remembered (its retransmission is not charged again). Under observe
 * mode for @r: @r, which passes. When the reply cannot be built: @r,
 * whose RST the listener discards. A global function: its frame stays
 * off the stages' call chains. */
__noinline int fs_cookie_reset(struct xdp_md *ctx, const struct fs_pkt *p,
			       __u32 r)
{
	if (!ctx || !p || r >= FS_R_MAX)
		return FS_R_BAN;
	if (fs_observing(fs_cfg_get(), r))
		return r;
	fs_remember_flow(ctx, p, r, fs_now());
	if (fs_rst_reply(ctx, p))
		return r;
	return FS_R_COOKIE_RESET;
}

#endif
