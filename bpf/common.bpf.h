/* SPDX-License-Identifier: GPL-2.0 */
/* BPF-only helpers shared by every stage: constants, clock, packet state. */
#ifndef FS_COMMON_BPF_H
#define FS_COMMON_BPF_H

#include "../vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "../maps/floodshield.h"

/* Macros the UAPI headers would give us; vmlinux.h has only types. */
#define ETH_P_IP	0x0800
#define ETH_P_IPV6	0x86DD
#define ETH_P_8021Q	0x8100
#define ETH_P_8021AD	0x88A8
#define IP_MF		0x2000
#define IP_OFFSET	0x1FFF
#define IP6_OFFSET	0xFFF8	/* fragment offset bits of frag_off */
#define EEXIST		17
#define V4_MAPPED_W2	0x0000ffff	/* third word of ::ffff:a.b.c.d, host order */
#define TCP_FLAGS_OFF	13	/* byte of the TCP flags in the header */

#define IPPROTO_HOPOPTS	0
#define IPPROTO_ROUTING	43
#define IPPROTO_FRAGMENT	44
#define IPPROTO_DSTOPTS	60

#define READ_ONCE(x) (*(volatile typeof(x) *)&(x))

#define TCP_FLAG_FIN	0x01
#define TCP_FLAG_SYN	0x02
#define TCP_FLAG_RST	0x04
#define TCP_FLAG_ACK	0x10

#define FS_VLAN_MAX	2	/* 802.1Q and 802.1ad (QinQ) */
#define FS_IPV6_EXT_MAX	6	/* extension headers walked before giving up;
				 * XXX: a longer chain passes unpoliced */
#define FS_CAS_TRIES	4	/* GCRA compare-and-swap attempts */

/* Stage result meaning "no verdict yet, go on". */
#define FS_CONTINUE	FS_R_MAX

#define FS_L4_OFF_MAX	0xfff	/* TCP header offsets are bounded by this */

/* Where L4 parsing ended; decides the reason for packets that are not
 * policed. */
enum fs_l4 {
	FS_L4_TCP = 0,		/* TCP header parsed and bounded */
	FS_L4_OTHER,		/* not TCP */
	FS_L4_FRAGMENT,		/* non-first fragment: no L4 header */
	FS_L4_MALFORMED,	/* TCP too short, data offset < 5, ext walk */
};

/* The packet after L3: from here on one code path for both families.
 * It holds offsets, not packet pointers, so the later stages can be
 * global functions that the verifier checks once, not once per parse
 * path (VLAN depth, IPv6 extension chain). */
struct fs_pkt {
	union {
		__u8 b[16];
		__u32 w[4];
	} src;			/* IPv4 as ::ffff:a.b.c.d */
	union {
		__u8 b[16];
		__u32 w[4];
	} dst;			/* as src */
	__u32 len;		/* frame bytes, for counters */
	__u32 seq;		/* network order; valid for FS_L4_TCP */
	__u32 ack;		/* network order; valid for FS_L4_TCP */
	__u16 l3_off;		/* IP header offset */
	__u16 sport;		/* network order; valid for FS_L4_TCP */
	__u16 dport;		/* network order; valid for FS_L4_TCP */
	__u16 l4_off;		/* TCP header offset; valid for FS_L4_TCP */
	__u16 payload_off;	/* TCP payload offset; valid for FS_L4_TCP */
	__u16 payload_len;	/* linear payload bytes; valid for FS_L4_TCP */
	__u8 tcp_flags;		/* valid for FS_L4_TCP */
	__u8 l4;		/* enum fs_l4 */
	__u8 svc;		/* enum fs_svc of dport; valid for FS_L4_TCP */
	__u8 v4;		/* parsed as IPv4: src and dst are v4-mapped */
	__u8 pad[2];
	__u32 slot;		/* prefilter slot of src (fs_prefilter()) */
};

/* Tests load the object with fs_fake_clock set and drive fs_now_ns. */
const volatile bool fs_fake_clock = false;
/* BPF_PROG_TEST_RUN packets have no socket behind them; fixture tests
 * load with this set so that fs_conn_proof() models one: every segment
 * is proven, but for one that repeats a segment turned into a RST (the
 * model's kernel took that RST). The proof tests keep it off and craft
 * segments of real sockets. */
const volatile bool fs_assume_connected = false;
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

/* The coarse clock's step, at most: 10 ms (HZ=100, the coarsest
 * kernel setting). A constant: reading CONFIG_HZ costs a division per
 * bucket. 0 under the tests' fake clock. */
#define FS_TICK_MAX_NS	10000000ull

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

/* Whether table keys @a and @b of @n 32-bit words, 5 or 6 (flow and
 * rate keys; fs_hash_words()), are equal. Straight code: a loop here
 * stays a loop in the program. */
static __always_inline bool fs_words_eq(const void *a, const void *b, int n)
{
	const __u32 *x = a, *y = b;

	return x[0] == y[0] && x[1] == y[1] && x[2] == y[2] &&
	       x[3] == y[3] && x[4] == y[4] && (n < 6 || x[5] == y[5]);
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
