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

/* A SYN's option bytes, and a SYN-ACK's TCP header, for fs_ts_cookie()
 * (a global function takes sized memory). */
struct fs_ts_opts {
	__u8 b[FS_TS_OPTS_LEN];
};
struct fs_th {
	__u8 b[FS_TH_MAX];
};

/* Whether @o are Linux's SYN options (MSS, SACK_PERM, TS, NOP, WS: 20
 * bytes), which a TS cookie answers in the same layout. Other layouts
 * get the MSS-only cookie. */
static __always_inline bool syn_ts_layout(const __u8 *o)
{
	return o[0] == TCPOPT_MSS && o[1] == TCPOLEN_MSS && o[4] == 4 &&
	       o[5] == 2 && o[6] == 8 && o[7] == 10 && o[16] == TCPOPT_NOP &&
	       o[17] == 3 && o[18] == 3;
}

/* Options of a TS cookie SYN-ACK in @th (synack_tcp() wrote the MSS),
 * for a SYN whose options were @syn: SACK_PERM, TS (TSval the clock in
 * ms with the client's window scale and SACK in its low TS_OPT_BITS, as
 * the kernel's cookie_init_timestamp() encodes them and
 * cookie_timestamp_decode() reads them back from the ACK's TSecr; TSecr
 * the client's TSval), NOP, WS @our_ws (the kernel's own for the
 * listener: it recomputes it when it takes the cookie). Needs
 * net.ipv4.tcp_timestamps=2: with 1 the kernel offsets each
 * connection's timestamps by a secret BPF cannot know
 * (fs_cfg_check_kernel() refuses). 1 if written, 0 if @syn is another
 * layout (the MSS-only cookie stays). A global function, verified once. */
__noinline int fs_ts_cookie(struct fs_th *th, const struct fs_ts_opts *syn,
			    __u32 our_ws)
{
	__u64 now_ms = bpf_ktime_get_ns() / 1000000, t;
	const __u8 *i;
	__u8 *o;
	__be32 v;

	if (!th || !syn || !syn_ts_layout(syn->b))
		return 0;
	i = syn->b;
	o = th->b + sizeof(struct tcphdr);
	t = (now_ms >> TS_OPT_BITS) << TS_OPT_BITS;
	t |= (i[19] > TCP_WSCALE_MAX ? TCP_WSCALE_MAX : i[19]) | TS_OPT_SACK;
	if (t > now_ms)
		t -= 1ull << TS_OPT_BITS;
	v = bpf_htonl((__u32)t);
	o[4] = 4; /* SACK_PERM */
	o[5] = 2;
	o[6] = 8; /* TS */
	o[7] = 10;
	__builtin_memcpy(o + 8, &v, sizeof(v));
	__builtin_memcpy(o + 12, i + 8, 4);
	o[16] = TCPOPT_NOP;
	o[17] = 3; /* WS */
	o[18] = 3;
	o[19] = our_ws > TCP_WSCALE_MAX ? TCP_WSCALE_MAX : our_ws;
	return 1;
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
	struct fs_ts_opts syn = {};
	__u32 iplen, thlen;
	struct bpf_sock *sk;
	__s64 r;
	bool full;

	if (!ctx || !p || !cfg || !st)
		return FS_COOKIE_ERR;
	iplen = p->v4 ? sizeof(struct iphdr) : sizeof(struct ipv6hdr);
	thlen = (p->payload_off - p->l4_off) & 0xff;
	/* two tests on thlen itself, not one on thlen - 20 (clang's merge):
	 * 6.1's verifier must see 20..60 on the load's length */
	if (thlen > FS_TH_MAX)
		return FS_COOKIE_UNSUITED;
	barrier_var(thlen);
	if (thlen < sizeof(struct tcphdr))
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
	__builtin_memcpy(syn.b, th + sizeof(struct tcphdr), sizeof(syn.b));
	synack_tcp(th, thlen, (__u32)r,
		   p->v4 ? cfg->cookie_mss4 : cfg->cookie_mss6);
	if ((cfg->flags & FS_CFG_COOKIE_TS) &&
	    thlen == sizeof(struct tcphdr) + FS_TS_OPTS_LEN)
		fs_ts_cookie((struct fs_th *)th, &syn, cfg->cookie_wscale);
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
