/* SPDX-License-Identifier: GPL-2.0 */
/* TCP checksum verification (fs_tcp_csum_ok()), for the rare segments
 * that are about to be punished: a segment the kernel would drop for
 * its checksum must not earn a charge, a reset or a remembered flow (a
 * bad-checksum twin of a request would otherwise stand in for it). */
#ifndef FS_CSUM_BPF_H
#define FS_CSUM_BPF_H

#include "pkt.bpf.h"

/* RFC 1624 eqn. 3: checksum @check after one 16-bit word went from
 * @old to @nw (all in network order). */
static __always_inline __u16 csum_replace16(__u16 check, __u16 old, __u16 nw)
{
	__u32 sum = (__u16)~check + (__u16)~old + (__u32)nw;

	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return ~sum;
}

/* Fold a ones' complement sum to 16 bits. */
static __always_inline __u16 csum_fold64(__u64 sum)
{
	sum = (sum & 0xffffffff) + (sum >> 32);
	sum = (sum & 0xffffffff) + (sum >> 32);
	sum = (sum & 0xffff) + (sum >> 16);
	return (sum & 0xffff) + (sum >> 16);
}

/* The checksum field for a ones' complement sum @sum (its fold,
 * complemented). */
static __always_inline __u16 csum_field64(__u64 sum)
{
	return ~csum_fold64(sum);
}

/* Bytes of TCP header and payload, from the IP header's length fields
 * (not the frame: Ethernet pads short frames); 0 if unreadable. */
static __always_inline __u32 tcp_seg_len(struct xdp_md *ctx,
					 const struct fs_pkt *p)
{
	__u32 l3 = p->l3_off, l4 = p->l4_off;
	__be16 n;

	if (p->v4) {
		if (bpf_xdp_load_bytes(ctx,
				       l3 + offsetof(struct iphdr, tot_len), &n,
				       sizeof(n)))
			return 0;
		return bpf_ntohs(n) + l3 - l4;
	}
	if (bpf_xdp_load_bytes(ctx, l3 + offsetof(struct ipv6hdr, payload_len),
			       &n, sizeof(n)))
		return 0;
	return bpf_ntohs(n) + sizeof(struct ipv6hdr) + l3 - l4;
}

/* Ones' complement sum of the pseudo-header (RFC 9293 3.1, RFC 8200
 * 8.1), unfolded. Sums of 32-bit words loaded in host order fold to
 * the checksum as stored, whatever the byte order. */
static __always_inline __u64 pseudo_sum(const struct fs_pkt *p, __u32 len)
{
	__u64 s = (__u64)bpf_htons(IPPROTO_TCP) + bpf_htons(len);

	if (p->v4)
		return s + p->src.w[3] + p->dst.w[3];
	for (int i = 0; i < 4; i++)
		s += (__u64)p->src.w[i] + p->dst.w[i];
	return s;
}

/* State of the checksum walk (csum_chunk()); on the stack of
 * fs_tcp_csum_ok(), as bpf_loop() wants its context. */
struct csum_walk {
	struct xdp_md *ctx;
	__u32 off; /* of the segment's first byte in the frame */
	__u32 len; /* segment bytes */
	__s64 sum; /* bpf_csum_diff()'s running sum, or < 0 */
};

/* bpf_loop() callback: add chunk @i of the segment to the sum (the last
 * one zero-padded). 1 (stop) past the end or on an error. */
static long csum_chunk(__u32 i, void *data)
{
	struct csum_walk *w = data;
	__u32 buf[FS_CSUM_CHUNK / 4] = {};
	__u32 off = i * FS_CSUM_CHUNK, n;

	if (off >= w->len)
		return 1;
	n = w->len - off;
	if (n > FS_CSUM_CHUNK)
		n = FS_CSUM_CHUNK;
	if (n < 1 || bpf_xdp_load_bytes(w->ctx, w->off + off, buf,
					FS_LEN_1_TO(n, FS_CSUM_CHUNK))) {
		w->sum = -1;
		return 1;
	}
	w->sum = bpf_csum_diff(NULL, 0, buf, sizeof(buf), (__u32)w->sum);
	return w->sum < 0;
}

/* Whether @p's TCP checksum is right: the whole sum folds to 0xffff.
 * Also accepted: the partial form (CHECKSUM_PARTIAL, the checksum field
 * holding the folded pseudo-header sum), which a veth peer on this host
 * hands over unfinished; a NIC-received frame with that value is
 * dropped by the kernel, and what the program does with it is bounded
 * by the connection proof (conn.bpf.h), which a segment whose RST the
 * kernel dropped keeps passing. A segment longer than FS_CSUM_CHUNKS
 * chunks, or one the helper cannot read, is not verified: false. A
 * global function: only the punishing paths call it. */
__noinline bool fs_tcp_csum_ok(struct xdp_md *ctx, const struct fs_pkt *p)
{
	struct csum_walk w = {.ctx = ctx};
	__u64 sum;
	__u32 len;
	__u16 check;

	if (!ctx || !p)
		return false;
	len = tcp_seg_len(ctx, p);
	if (len < sizeof(struct tcphdr) || len > FS_CSUM_CHUNK * FS_CSUM_CHUNKS)
		return false;
	if (bpf_xdp_load_bytes(ctx, p->l4_off + offsetof(struct tcphdr, check),
			       &check, sizeof(check)))
		return false;
	sum = pseudo_sum(p, len);
	if (check == csum_fold64(sum))
		return true;
	w.off = p->l4_off;
	w.len = len;
	bpf_loop(FS_CSUM_CHUNKS, csum_chunk, &w, 0);
	return w.sum >= 0 && csum_fold64(sum + (__u32)w.sum) == 0xffff;
}

#endif
