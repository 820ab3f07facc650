/* SPDX-License-Identifier: GPL-2.0 */
/* The packet after L3 (struct fs_pkt) and the clock: what every stage
 * and helper starts from. The base of the program's headers: the kernel
 * types, the BPF helpers, the ABI (maps/floodshield.h) and the
 * constants.
 */
#ifndef FS_PKT_BPF_H
#define FS_PKT_BPF_H

#include "../vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_core_read.h>
#include "../maps/floodshield.h"
#include "consts.bpf.h"

/* A length @n in 1..@max (@max a power of two, @n known not to be 0 and
 * at most @max) in a form whose range the verifier keeps: 1..@max. A
 * variable length for bpf_xdp_load_bytes()/bpf_xdp_store_bytes() must
 * be proven non-zero, and 6.1's verifier learns nothing from `n != 0`
 * (later kernels raise the lower bound to 1; `make kernel-check`). */
#define FS_LEN_1_TO(n, max) ((((n)-1) & ((max)-1)) + 1)

/* A 16-bit field of the packet in host order, with its bound 0..0xffff
 * kept for the verifier: 6.1's verifier forgets every bound of a byte
 * swap (later kernels keep it), and refuses a packet pointer plus an
 * unbounded scalar. barrier_var() keeps clang from dropping the mask. */
static __always_inline __u32 fs_ntohs16(__be16 v)
{
	__u32 h = bpf_ntohs(v);

	barrier_var(h);
	return h & 0xffff;
}

/* Where L4 parsing ended; decides the reason for packets that are not
 * policed. */
enum fs_l4 {
	FS_L4_TCP = 0,	 /* TCP header parsed and bounded */
	FS_L4_OTHER,	 /* not TCP */
	FS_L4_FRAGMENT,	 /* non-first fragment: no L4 header */
	FS_L4_MALFORMED, /* TCP too short, data offset < 5 */
	FS_L4_EXT_CHAIN, /* more IPv6 extension headers than are walked */
	FS_L4_FRAG_CUT,	 /* first fragment cut in its TCP or IPv6 ext headers */
};

/* The packet after L3: from here on one code path for both families.
 * It holds offsets, not packet pointers, so the later stages can be
 * global functions that the verifier checks once, not once per parse
 * path (VLAN depth, IPv6 extension chain). */
struct fs_pkt {
	union {
		__u8 b[16];
		__u32 w[4];
	} src; /* IPv4 as ::ffff:a.b.c.d */
	union {
		__u8 b[16];
		__u32 w[4];
	} dst;		   /* as src */
	__u32 len;	   /* frame bytes, for counters */
	__u32 seq;	   /* network order; valid for FS_L4_TCP */
	__u32 ack;	   /* network order; valid for FS_L4_TCP */
	__u16 l3_off;	   /* IP header offset */
	__u16 sport;	   /* network order; valid for FS_L4_TCP */
	__u16 dport;	   /* network order; valid for FS_L4_TCP */
	__u16 l4_off;	   /* TCP header offset; valid for FS_L4_TCP */
	__u16 payload_off; /* TCP payload offset; valid for FS_L4_TCP */
	__u16 payload_len; /* linear payload bytes; valid for FS_L4_TCP */
	__u8 tcp_flags;	   /* valid for FS_L4_TCP */
	__u8 l4;	   /* enum fs_l4 */
	__u8 svc;	   /* enum fs_svc of dport; valid for FS_L4_TCP */
	__u8 v4;	   /* parsed as IPv4: src and dst are v4-mapped */
	__u8 frag; /* a first IP fragment (more follow): its L4 is cut */
	__u8 pad[3];
	__u16 data_len; /* TCP payload bytes by the IP length field (the
			 * linear part may hold fewer, or a trailer) */
	__u32 slot;	/* prefilter slot of src (fs_prefilter()) */
};

/* Tests load the object with fs_fake_clock set and drive fs_now_ns. */
const volatile bool fs_fake_clock = false;
__u64 fs_now_ns = 0;

/* CLOCK_MONOTONIC at tick resolution (bpf_ktime_get_coarse_ns(), up to
 * one jiffy behind, 4 ms at HZ=250): about half the cost of
 * bpf_ktime_get_ns() here, and enough for everything this program times.
 * Expiries are seconds; buckets add one tick to their tolerance
 * (fs_tick_ns()), so a clock up to a tick behind never refuses a packet
 * the exact clock would pass: a bucket's burst is at most one tick's
 * worth of tokens larger, and its long-run rate stays exact, as tat
 * advances by one interval per packet whatever the clock says. */
static __always_inline __u64 fs_now(void)
{
	return fs_fake_clock ? fs_now_ns : bpf_ktime_get_coarse_ns();
}

/* The coarse clock's step, at most (FS_TICK_MAX_NS); 0 under the tests'
 * fake clock. */
static __always_inline __u64 fs_tick_ns(void)
{
	return fs_fake_clock ? 0 : FS_TICK_MAX_NS;
}

/* An expiry of 0 never passes. */
static __always_inline bool fs_live(__u64 expires_ns, __u64 now)
{
	return expires_ns == 0 || now < expires_ns;
}

/* fs_live() reading the clock only for an entry that can expire: the
 * clock costs more than a map lookup here, and most entries never do. */
static __always_inline bool fs_live_now(__u64 expires_ns)
{
	return expires_ns == 0 || fs_now() < expires_ns;
}

/* A connection request: SYN without ACK. */
static __always_inline bool fs_is_syn(const struct fs_pkt *p)
{
	return (p->tcp_flags & (TCP_FLAG_SYN | TCP_FLAG_ACK)) == TCP_FLAG_SYN;
}

/* Whether the 16-byte address @w is ::ffff:a.b.c.d. */
static __always_inline bool fs_words_v4mapped(const __u32 *w)
{
	return w[0] == 0 && w[1] == 0 && w[2] == bpf_htonl(V4_MAPPED_W2);
}

/* The source is ::ffff:a.b.c.d exactly when the packet was IPv4: an
 * IPv6 packet with such a source does not parse (parse_ipv6()). */
static __always_inline bool fs_is_v4mapped(const struct fs_pkt *p)
{
	return p->v4;
}

#endif
