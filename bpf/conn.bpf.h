/* SPDX-License-Identifier: GPL-2.0 */
/* The connection check (fs_conn_proof()): what the kernel's socket for
 * a segment proves about its source. Every punishment rests on it: a
 * request is charged, a bad one counted towards a ban, a banned
 * source's connection reset and a source reported only when the
 * segment is proven. */
#ifndef FS_CONN_BPF_H
#define FS_CONN_BPF_H

#include "pkt.bpf.h"
#include "flows.bpf.h"

/* BPF_PROG_TEST_RUN packets have no socket behind them; fixture tests
 * load with this set so that fs_conn_proof() models one: every segment
 * is proven, but for one that repeats a segment turned into a RST (the
 * model's kernel took that RST). The proof tests keep it off and craft
 * segments of real sockets. */
const volatile bool fs_assume_connected = false;

/* What the kernel's socket for a segment proves about its source.
 * FS_CONN_NONE: nothing (no socket, a listener without a valid cookie,
 * TIME_WAIT, a sequence number outside the receive window, an
 * acknowledgment of data never sent): a forged segment gets this. The
 * others need the segment's sequence and acknowledgment numbers to fit
 * the connection, which an off-path sender cannot know. */
enum fs_conn {
	FS_CONN_NONE = 0,
	FS_CONN_FIRST,		/* the connection's first data: a request
				 * socket (TCP_DEFER_ACCEPT, or the handshake's
				 * ACK not yet processed), a SYN cookie, or a
				 * full socket that has received nothing */
	FS_CONN_ESTABLISHED,	/* data on an established connection */
};

/* Whether @seq is in [start, start + wnd) (wraps like TCP's). */
static __always_inline bool seq_in(__u32 seq, __u32 start, __u32 wnd)
{
	return seq - start < wnd;
}

/* A full socket: established (not TIME_WAIT, a listener, or closing),
 * the segment's first byte inside the receive window and its ACK one
 * the socket can take (RFC 793 / Linux tcp_ack: not beyond what was
 * sent plus FS_ACK_SLACK, not older than the largest window). */
static __always_inline int conn_full(struct bpf_sock *sk, __u32 seq, __u32 ack)
{
	struct tcp_sock *tp = bpf_skc_to_tcp_sock(sk);
	__u32 una, nxt, maxw;

	if (!tp || sk->state != BPF_TCP_ESTABLISHED)
		return FS_CONN_NONE;
	if (!seq_in(seq, tp->rcv_nxt, tp->rcv_wup + tp->rcv_wnd - tp->rcv_nxt))
		return FS_CONN_NONE;
	una = tp->snd_una;
	nxt = tp->snd_nxt;
	maxw = tp->max_window;
	if (!seq_in(ack, una - maxw, nxt - una + maxw + FS_ACK_SLACK))
		return FS_CONN_NONE;
	return tp->bytes_received ? FS_CONN_ESTABLISHED : FS_CONN_FIRST;
}

/* A request socket (the kernel holds the handshake: TCP_DEFER_ACCEPT, or
 * its ACK not processed yet): the data starts in its window after the
 * client's ISN, and acknowledges exactly the server's SYN-ACK. */
static __always_inline int conn_request(struct bpf_sock *sk, __u32 seq, __u32 ack)
{
	struct tcp_request_sock *rq = bpf_skc_to_tcp_request_sock(sk);

	if (!rq || ack != rq->snt_isn + 1)
		return FS_CONN_NONE;
	if (!seq_in(seq, rq->rcv_isn + 1, rq->req.req.__req_common.skc_rcv_wnd))
		return FS_CONN_NONE;
	return FS_CONN_FIRST;
}

/* A listener: the ACK carries a SYN cookie the kernel (or this program)
 * issued, which the kernel will turn into a connection. The helper wants
 * fixed-size copies of the IP and TCP headers (without options). */
static __always_inline int conn_cookie(struct xdp_md *ctx, struct bpf_sock *sk,
				       const struct fs_pkt *p)
{
	__u8 ip[sizeof(struct ipv6hdr)], th[sizeof(struct tcphdr)];
	__u32 iplen = p->v4 ? sizeof(struct iphdr) : sizeof(struct ipv6hdr);

	if (!(p->tcp_flags & TCP_FLAG_ACK))
		return FS_CONN_NONE;
	if (bpf_xdp_load_bytes(ctx, p->l3_off, ip, sizeof(ip)) ||
	    bpf_xdp_load_bytes(ctx, p->l4_off, th, sizeof(th)))
		return FS_CONN_NONE;
	if (bpf_tcp_check_syncookie(sk, ip, iplen, (struct tcphdr *)th, sizeof(th)))
		return FS_CONN_NONE;
	return FS_CONN_FIRST;
}

/* The kernel's socket for @p's 4-tuple in the interface's network
 * namespace (a full socket, a request socket, TIME_WAIT or the
 * listener), or NULL; the caller releases it. */
static __always_inline struct bpf_sock *fs_sk_lookup(struct xdp_md *ctx,
						     const struct fs_pkt *p)
{
	struct bpf_sock_tuple t = {};
	__u32 size;

	if (fs_is_v4mapped(p)) {
		t.ipv4.saddr = p->src.w[3];
		t.ipv4.daddr = p->dst.w[3];
		t.ipv4.sport = p->sport;
		t.ipv4.dport = p->dport;
		size = sizeof(t.ipv4);
	} else {
		__builtin_memcpy(t.ipv6.saddr, p->src.w, sizeof(t.ipv6.saddr));
		__builtin_memcpy(t.ipv6.daddr, p->dst.w, sizeof(t.ipv6.daddr));
		t.ipv6.sport = p->sport;
		t.ipv6.dport = p->dport;
		size = sizeof(t.ipv6);
	}
	return bpf_skc_lookup_tcp(ctx, &t, size, BPF_F_CURRENT_NETNS, 0);
}

/* What the kernel's socket for @p proves (enum fs_conn). A global
 * function: its stack is not added to its callers' frames. */
__noinline int fs_conn_proof(struct xdp_md *ctx, const struct fs_pkt *p)
{
	struct bpf_sock *sk;
	__u32 seq, ack;
	int r;

	if (!ctx || !p)
		return FS_CONN_NONE;
	if (fs_assume_connected)	/* fixtures: the kernel took every RST */
		return fs_retransmitted(p) ? FS_CONN_NONE : FS_CONN_ESTABLISHED;
	sk = fs_sk_lookup(ctx, p);
	if (!sk)
		return FS_CONN_NONE;
	seq = bpf_ntohl(p->seq);
	ack = bpf_ntohl(p->ack);
	if (sk->state == BPF_TCP_NEW_SYN_RECV)
		r = conn_request(sk, seq, ack);
	else if (sk->state == BPF_TCP_LISTEN)
		r = conn_cookie(ctx, sk, p);
	else if (sk->state == BPF_TCP_TIME_WAIT)
		r = FS_CONN_NONE;
	else
		r = conn_full(sk, seq, ack);
	bpf_sk_release(sk);
	return r;
}

/* Whether @p is proven to come from the source of a connection the
 * kernel holds (fs_conn_proof()). */
static __always_inline bool fs_connected(struct xdp_md *ctx, const struct fs_pkt *p)
{
	return fs_conn_proof(ctx, p) != FS_CONN_NONE;
}

#endif
