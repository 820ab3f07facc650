/* SPDX-License-Identifier: GPL-2.0 */
/* TCP checksum verification (fs_tcp_csum_ok()), for the rare segments
 * that are about to be punished: a segment the kernel would drop for
 * its checksum must not earn a charge, a reset or a remembered flow (a
 * bad-checksum twin of a request would otherwise stand in for it). */
#ifndef FS_CSUM_BPF_H
#define FS_CSUM_BPF_H

#include "pkt.bpf.h"
#include "maps.bpf.h"

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

/* Bytes of TCP header and payload, from the IP header's length field
 * (not the frame: Ethernet pads short frames), read where it is in the
 * linear part, else through the helper; 0 if unreadable. One path for
 * both families: IPv4's total length counts its header, IPv6's payload
 * length does not. */
static __always_inline __u32 tcp_seg_len(struct xdp_md *ctx,
					 const struct fs_pkt *p)
{
	void *data = (void *)(long)ctx->data,
	     *end = (void *)(long)ctx->data_end;
	__u32 l3 = p->l3_off, l4 = p->l4_off;
	__u32 field = p->v4 ? offsetof(struct iphdr, tot_len)
			    : offsetof(struct ipv6hdr, payload_len);
	__u32 fixed = p->v4 ? 0 : sizeof(struct ipv6hdr);
	void *ip = data + (l3 & FS_L4_OFF_MAX);
	__be16 n;

	if (ip + sizeof(struct ipv6hdr) <= end)
		n = p->v4 ? ((struct iphdr *)ip)->tot_len
			  : ((struct ipv6hdr *)ip)->payload_len;
	else if (bpf_xdp_load_bytes(ctx, l3 + field, &n, sizeof(n)))
		return 0;
	return fs_ntohs16(n) + fixed + l3 - l4;
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

/* bpf_csum_diff() sums at most 512 bytes a call on 6.1 (its scratch). */
#define FS_TCP_HDR_MAX 60 /* bytes of a TCP header with every option */
#define FS_CSUM_CALL   512

/* Add the @n (<= FS_HCHUNK) bytes at @buf, a scratch buffer with room
 * for 3 more (zeroed here: the last word's padding, which adds nothing),
 * to @sum, FS_CSUM_CALL bytes a call. < 0 on an error. */
static __always_inline __s64 csum_add_buf(__u8 *buf, __u32 n, __s64 sum)
{
	if (n > FS_HCHUNK)
		return -1;
	barrier_var(n);
	*(__u32 *)(buf + (n & (2 * FS_HCHUNK - 1))) = 0;
	for (int k = 0; k < FS_HCHUNK / FS_CSUM_CALL; k++) {
		__u32 off = k * FS_CSUM_CALL, t;

		if (off >= n || sum < 0)
			break;
		t = n - off;
		if (t > FS_CSUM_CALL)
			t = FS_CSUM_CALL;
		t = (t + 3) & ~3u;
		sum = bpf_csum_diff(NULL, 0, (__be32 *)(buf + off), t,
				    (__u32)sum);
	}
	return sum;
}

/* The sum of the segment's TCP header (@hdr bytes) and payload (@n
 * bytes) through the per-CPU scratch @sc: the header in sc->tcph, the
 * payload in sc->buf, where it stays for the parser (sc->run.buf_off and
 * buf_len: fs_hchunk() reads it there). < 0 on an error. Three to six
 * helper calls for a frame of 1500 bytes, against two per 64 bytes for
 * the walk below. */
static __always_inline __s64 csum_scratch(struct xdp_md *ctx,
					  const struct fs_pkt *p,
					  struct tcphdr *tcp,
					  struct fs_hscratch *sc, __u32 hdr,
					  __u32 n)
{
	__s64 sum;

	if (hdr < sizeof(struct tcphdr) || hdr > FS_TCP_HDR_MAX || hdr & 3)
		return -1;
	barrier_var(hdr);
	if (tcp) /* the header where it is */
		sum = bpf_csum_diff(NULL, 0, (__be32 *)tcp,
				    hdr & (sizeof(sc->tcph) - 4), 0);
	else if (!bpf_xdp_load_bytes(ctx, p->l4_off, sc->tcph,
				     FS_LEN_1_TO(hdr, sizeof(sc->tcph))))
		sum = bpf_csum_diff(NULL, 0, (__be32 *)sc->tcph,
				    hdr & (sizeof(sc->tcph) - 4), 0);
	else
		return -1;
	if (sum < 0 || !n)
		return sum;
	if (bpf_xdp_load_bytes(ctx, p->payload_off, sc->buf,
			       FS_LEN_1_TO(n, FS_HCHUNK)))
		return -1;
	sc->run.buf_off = p->payload_off;
	sc->run.buf_len = n;
	return csum_add_buf(sc->buf, n, sum);
}

/* The segment's TCP header in the frame's linear part, readable whole
 * for any header length (60 bytes), or NULL. */
static __always_inline struct tcphdr *csum_tcp_direct(struct xdp_md *ctx,
						      const struct fs_pkt *p)
{
	void *data = (void *)(long)ctx->data,
	     *end = (void *)(long)ctx->data_end;
	struct tcphdr *tcp = data + (p->l4_off & FS_L4_OFF_MAX);

	if ((void *)tcp + FS_TCP_HDR_MAX > end)
		return NULL;
	return tcp;
}

/* The sum of the segment's @len bytes of TCP header and payload, 64
 * bytes a bpf_loop() step through the stack: segments whose payload does
 * not fit the scratch (jumbo frames). < 0 on an error. */
static __always_inline __s64 csum_walk_seg(struct xdp_md *ctx,
					   const struct fs_pkt *p, __u32 len)
{
	struct csum_walk w = {.ctx = ctx, .off = p->l4_off, .len = len};

	bpf_loop(FS_CSUM_CHUNKS, csum_chunk, &w, 0);
	return w.sum;
}

/* Whether @p's TCP checksum is right: the whole sum folds to 0xffff.
 * Also accepted: the partial form (CHECKSUM_PARTIAL, the checksum field
 * holding the folded pseudo-header sum), which a veth peer on this host
 * hands over unfinished; a NIC-received frame with that value is
 * dropped by the kernel, and what the program does with it is bounded
 * by the connection proof (conn.bpf.h), which a segment whose RST the
 * kernel dropped keeps passing. A segment longer than FS_CSUM_CHUNKS
 * chunks, or one the helper cannot read, is not verified: false. A
 * global function: only the paths that move or punish call it. */
__noinline bool fs_tcp_csum_ok(struct xdp_md *ctx, const struct fs_pkt *p)
{
	struct fs_hscratch *sc;
	struct tcphdr *tcp;
	__u32 len, hdr, zero = 0;
	__s64 part;
	__u64 sum;
	__u16 check;

	if (!ctx || !p)
		return false;
	tcp = csum_tcp_direct(ctx, p);
	len = tcp_seg_len(ctx, p);
	if (len < sizeof(struct tcphdr) || len > FS_CSUM_CHUNK * FS_CSUM_CHUNKS)
		return false;
	if (tcp)
		check = tcp->check;
	else if (bpf_xdp_load_bytes(ctx,
				    p->l4_off + offsetof(struct tcphdr, check),
				    &check, sizeof(check)))
		return false;
	sum = pseudo_sum(p, len);
	if (check == csum_fold64(sum))
		return true;
	hdr = p->payload_off - p->l4_off;
	sc = bpf_map_lookup_elem(&fs_scratch, &zero);
	if (sc && hdr <= len && len - hdr <= FS_HCHUNK)
		part = csum_scratch(ctx, p, tcp, sc, hdr, len - hdr);
	else
		part = csum_walk_seg(ctx, p, len);
	return part >= 0 && csum_fold64(sum + (__u32)part) == 0xffff;
}

#endif
