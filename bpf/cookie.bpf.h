/* SPDX-License-Identifier: GPL-2.0 */
/* SYN cookies from XDP (fs_syn_cookie()): the listener's own cookie
 * (bpf_tcp_gen_syncookie(), kernel 5.4), so that the kernel itself
 * accepts the returning ACK and makes the connection; the SYN is turned
 * into its SYN-ACK in place, at its own length (no bpf_xdp_adjust_tail:
 * libxdp's dispatcher refuses programs that resize), and sent back with
 * XDP_TX (reply.bpf.h). No state is kept per SYN. And the SYN path's global state
 * (fs_syn): the guard bucket and pressure window, the cookie budget, and
 * the window in which cookie ACKs are checked.
 *
 * The SYN-ACK carries an MSS option only (syn.cookie.mss4/mss6) over
 * the SYN's own option bytes, padded with NOPs: the kernel can encode
 * window scaling and SACK only in a timestamp, whose per-connection
 * offset (net.ipv4.tcp_timestamps=1) a BPF program cannot know. Such a
 * connection has no window scaling; only sources unproven at a moment of
 * pressure get one, for that connection.
 */
#ifndef FS_COOKIE_BPF_H
#define FS_COOKIE_BPF_H

#include "pkt.bpf.h"
#include "maps.bpf.h"
#include "cfg.bpf.h"
#include "conn.bpf.h"
#include "buckets.bpf.h"
#include "csum.bpf.h"
#include "reply.bpf.h"

/* What fs_syn_cookie() did. */
enum fs_cookie {
	FS_COOKIE_SENT = 0, /* the packet is the SYN-ACK: XDP_TX it */
	FS_COOKIE_BUDGET,   /* over syn.cookie.rate: nothing sent */
	FS_COOKIE_ENOENT,   /* the kernel has room (tcp_syncookies=1, its
			     * SYN queue not full): no cookie */
	FS_COOKIE_UNSUITED, /* a SYN the program leaves to the kernel: IP
			     * options, IPv6 extension headers, a
			     * fragment, data (TFO), FIN/RST/ACK, or a
			     * socket other than a listener holds it */
	FS_COOKIE_ERR,	    /* no listener, or the helper refused */
};

static __always_inline struct fs_syn_state *fs_syn_state(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&FS_MAP_SYN, &zero);
}

/* Move window @until to now + @len, at most once a FS_WINDOW_STEP_NS. */
static __always_inline void window_extend(__u64 *until, __u64 now, __u64 len)
{
	if (READ_ONCE(*until) + FS_WINDOW_STEP_NS < now + len)
		*until = now + len;
}

/* Charge a SYN to the guard bucket (syn.guard); past it, pressure holds
 * for syn.guard_hold. Returns whether the SYN path is under pressure. */
static __always_inline bool fs_syn_pressure(struct fs_syn_state *st,
					    const struct fs_cfg *cfg, __u64 now)
{
	const struct fs_rate *r = &cfg->limits[FS_B_SYN_GUARD].src;
	bool full;

	if (!st)
		return false;
	if (r->interval_ns && !gcra_conform(&st->guard, r, now, &full))
		window_extend(&st->pressure_until_ns, now,
			      cfg->syn_guard_hold_ns);
	return now < READ_ONCE(st->pressure_until_ns);
}

/* Whether cookie ACKs are checked now: a cookie was sent within
 * FS_COOKIE_WINDOW_NS. */
static __always_inline bool fs_cookie_window(__u64 now)
{
	struct fs_syn_state *st = fs_syn_state();

	return st && now < READ_ONCE(st->cookie_until_ns);
}

/* The SYN's TCP header @th (@thlen bytes) into its SYN-ACK: ports
 * swapped, seq the cookie, ack the client's ISN + 1, SYN|ACK (no ECN
 * negotiated), a window of FS_SYNACK_WINDOW, the MSS option over the
 * first option bytes, NOPs over the rest (a SYN with no option bytes
 * gets none: the client then uses the default MSS). */
static __always_inline void synack_tcp(__u8 *th, __u32 thlen, __u32 cookie,
				       __u16 mss)
{
	struct tcphdr *t = (struct tcphdr *)th;
	__u16 port = t->source;

	t->source = t->dest;
	t->dest = port;
	t->ack_seq = bpf_htonl(bpf_ntohl(t->seq) + 1);
	t->seq = bpf_htonl(cookie);
	th[TCP_FLAGS_OFF - 1] &= 0xf0; /* data offset kept, reserved bits 0 */
	th[TCP_FLAGS_OFF] = TCP_FLAG_SYN | TCP_FLAG_ACK;
	t->window = bpf_htons(FS_SYNACK_WINDOW);
	t->check = 0;
	t->urg_ptr = 0;
	__builtin_memset(th + sizeof(*t), TCPOPT_NOP, FS_TH_MAX - sizeof(*t));
	if (thlen >= sizeof(*t) + TCPOLEN_MSS && mss) {
		th[sizeof(*t)] = TCPOPT_MSS;
		th[sizeof(*t) + 1] = TCPOLEN_MSS;
		th[sizeof(*t) + 2] = mss >> 8;
		th[sizeof(*t) + 3] = mss & 0xff;
	}
}

/* Whether @p is a SYN fs_syn_cookie() may answer: IPv4 without options
 * and not a fragment, or IPv6 without extension headers; no data; no
 * FIN, RST, ACK, PSH or URG (ECE and CWR may be set: no ECN is then
 * negotiated). @ip is its IP header. */
static __always_inline bool syn_suited(const struct fs_pkt *p, const __u8 *ip,
				       __u32 iplen, __u32 thlen)
{
	if (p->l4_off - p->l3_off != iplen || p->payload_len)
		return false;
	if (p->tcp_flags & (TCP_FLAG_FIN | TCP_FLAG_RST | TCP_FLAG_ACK |
			    TCP_FLAG_PSH | TCP_FLAG_URG))
		return false;
	if (thlen < sizeof(struct tcphdr) || thlen > FS_TH_MAX)
		return false;
	if (p->v4 && (((const struct iphdr *)ip)->frag_off &
		      bpf_htons(IP_MF | IP_OFFSET)))
		return false;
	return true;
}

/* Answer @p, a SYN, with a SYN cookie from its listener, if the cookie
 * budget allows: the packet becomes the SYN-ACK (enum fs_cookie
 * FS_COOKIE_SENT; the caller returns XDP_TX). The incoming checksums are
 * not checked (a veth SYN may carry a partial one); the outgoing ones
 * are computed from scratch. A global function. */
__noinline int fs_syn_cookie(struct xdp_md *ctx, const struct fs_pkt *p)
{
	const struct fs_cfg *cfg = fs_cfg_get();
	struct fs_syn_state *st = fs_syn_state();
	__u8 ip[sizeof(struct ipv6hdr)] = {}, th[FS_TH_MAX] = {};
	__u32 iplen, thlen;
	struct bpf_sock *sk;
	__s64 r;
	bool full;

	if (!ctx || !p || !cfg || !st)
		return FS_COOKIE_ERR;
	iplen = p->v4 ? sizeof(struct iphdr) : sizeof(struct ipv6hdr);
	thlen = (p->payload_off - p->l4_off) & 0xff;
	if (thlen > FS_TH_MAX || thlen < sizeof(struct tcphdr))
		return FS_COOKIE_UNSUITED;
	if (bpf_xdp_load_bytes(ctx, p->l3_off, ip, iplen) ||
	    bpf_xdp_load_bytes(ctx, p->l4_off, th, thlen))
		return FS_COOKIE_ERR;
	if (!syn_suited(p, ip, iplen, thlen))
		return FS_COOKIE_UNSUITED;
	sk = fs_sk_lookup(ctx, p);
	if (!sk)
		return FS_COOKIE_ERR;
	if (sk->state != BPF_TCP_LISTEN) {
		bpf_sk_release(sk);
		return FS_COOKIE_UNSUITED;
	}
	if (cfg->limits[FS_B_SYN_COOKIE].src.interval_ns &&
	    !gcra_conform(&st->cookie, &cfg->limits[FS_B_SYN_COOKIE].src,
			  fs_now(), &full)) {
		bpf_sk_release(sk);
		return FS_COOKIE_BUDGET;
	}
	r = bpf_tcp_gen_syncookie(sk, ip, iplen, (struct tcphdr *)th, thlen);
	bpf_sk_release(sk);
	if (r == -ENOENT)
		return FS_COOKIE_ENOENT;
	if (r < 0)
		return FS_COOKIE_ERR;
	synack_tcp(th, thlen, (__u32)r,
		   p->v4 ? cfg->cookie_mss4 : cfg->cookie_mss6);
	r = bpf_csum_diff(NULL, 0, (__be32 *)th, thlen, 0);
	if (r < 0)
		return FS_COOKIE_ERR;
	((struct tcphdr *)th)->check =
		csum_field64(r + reply_ip(ip, p->v4, thlen));
	if (reply_store(ctx, p, ip, iplen, th, thlen))
		return FS_COOKIE_ERR;
	return FS_COOKIE_SENT;
}

#endif
