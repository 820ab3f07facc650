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
#include "events.bpf.h"

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
	FS_CONN_FIRST,	     /* a full socket that has received nothing,
			      * the segment at exactly its next byte
			      * (rcv_nxt): the connection's first data, or
			      * a later ACK of a client that has sent none
			      * (never a handshake: the kernel made the
			      * socket from an ACK before this one) */
	FS_CONN_ESTABLISHED, /* data on an established connection */
	FS_CONN_COOKIE,	     /* the listener, and an ACK carrying a valid
			      * SYN cookie: no socket yet, the kernel makes
			      * one from this very segment (so a segment
			      * passed makes a connection, and a RST passed
			      * in its place resets nothing) */
	FS_CONN_CT,	     /* no socket here: conntrack's entry of a
			      * connection DNAT-ed to another netns proves
			      * it; whether data came before is unknown */
	FS_CONN_HANDSHAKE,   /* a request socket (TCP_DEFER_ACCEPT, or the
			      * handshake's ACK not yet processed): the
			      * ACK acknowledges exactly the SYN-ACK, so
			      * this segment completes the handshake, or is
			      * the first data of a deferred accept */
};

/* Where the kernel's socket is in the client's byte stream, for the
 * HTTP parser (fs_conn_proof() fills it for a full or request socket or
 * a cookie ACK; `known` stays 0 behind DNAT and in the fixtures' model). */
struct fs_conn_pos {
	__u32 next;  /* the sequence number it expects next (host order) */
	__u32 win;   /* bytes it takes from there (its receive window) */
	__u32 known; /* next and win are set */
};

/* Whether proof @proof is of a connection's first data (a completed
 * handshake): what proves a source (fs_prove()). */
static __always_inline bool fs_conn_first(int proof)
{
	return proof == FS_CONN_FIRST || proof == FS_CONN_COOKIE ||
	       proof == FS_CONN_HANDSHAKE;
}

/* Whether proof @proof is of the handshake itself (the ACK that makes
 * the connection: a request socket's, or one carrying a valid cookie):
 * once per connection, what the conn bucket counts for a pure ACK. */
static __always_inline bool fs_conn_handshake(int proof)
{
	return proof == FS_CONN_HANDSHAKE || proof == FS_CONN_COOKIE;
}

/* Whether @seq is in [start, start + wnd) (wraps like TCP's). */
static __always_inline bool seq_in(__u32 seq, __u32 start, __u32 wnd)
{
	return seq - start < wnd;
}

/* A full socket: established (not TIME_WAIT, a listener, or closing),
 * the segment's first byte inside the receive window or less than
 * FS_RETRANS_BACK bytes before rcv_nxt (a retransmission that may carry
 * new bytes after old ones), and its ACK one the socket can take (RFC 793 / Linux tcp_ack: not beyond what was
 * sent plus FS_ACK_SLACK, not older than the largest window). In the
 * window is what the kernel takes, not proof of the client: an
 * off-path sender lands there once in (2^32 / window) * (2^32 / ACK
 * range) tries, about 2^25 with megabyte windows. Punishment needs more:
 * the segment at the state's exact next byte (http.bpf.h), or a
 * handshake (fs_conn_handshake()); FS_CONN_FIRST is only ever at
 * rcv_nxt exactly. */
static __always_inline int conn_full(struct bpf_sock *sk, __u32 seq, __u32 ack,
				     struct fs_conn_pos *pos)
{
	struct tcp_sock *tp = bpf_skc_to_tcp_sock(sk);
	__u32 una, nxt, maxw, rnxt, wnd;

	if (!tp || sk->state != BPF_TCP_ESTABLISHED)
		return FS_CONN_NONE;
	rnxt = tp->rcv_nxt;
	wnd = tp->rcv_wup + tp->rcv_wnd - rnxt;
	/* a retransmission starts before rcv_nxt: in the window by its end */
	if (!seq_in(seq, rnxt, wnd) && !seq_in(rnxt - 1, seq, FS_RETRANS_BACK))
		return FS_CONN_NONE;
	una = tp->snd_una;
	nxt = tp->snd_nxt;
	maxw = tp->max_window;
	if (!seq_in(ack, una - maxw, nxt - una + maxw + FS_ACK_SLACK))
		return FS_CONN_NONE;
	if (pos) {
		pos->next = rnxt;
		pos->win = wnd;
		pos->known = 1;
	}
	return tp->bytes_received || seq != rnxt ? FS_CONN_ESTABLISHED
						 : FS_CONN_FIRST;
}

/* A request socket (the kernel holds the handshake: TCP_DEFER_ACCEPT, or
 * its ACK not processed yet): the data starts in its window after the
 * client's ISN, and acknowledges exactly the server's SYN-ACK. */
static __always_inline int conn_request(struct bpf_sock *sk, __u32 seq,
					__u32 ack, struct fs_conn_pos *pos)
{
	struct tcp_request_sock *rq = bpf_skc_to_tcp_request_sock(sk);
	__u32 wnd;

	if (!rq || ack != rq->snt_isn + 1)
		return FS_CONN_NONE;
	wnd = rq->req.req.__req_common.skc_rcv_wnd;
	if (!seq_in(seq, rq->rcv_isn + 1, wnd))
		return FS_CONN_NONE;
	if (pos) {
		pos->next = rq->rcv_isn + 1;
		pos->win = wnd;
		pos->known = 1;
	}
	return FS_CONN_HANDSHAKE;
}

/* A listener: the ACK carries a SYN cookie the kernel (or this program)
 * issued, which the kernel will turn into a connection. The helper wants
 * fixed-size copies of the IP and TCP headers (without options). */
static __always_inline int conn_cookie(struct xdp_md *ctx, struct bpf_sock *sk,
				       const struct fs_pkt *p,
				       struct fs_conn_pos *pos)
{
	__u8 ip[sizeof(struct ipv6hdr)], th[sizeof(struct tcphdr)];
	__u32 iplen = p->v4 ? sizeof(struct iphdr) : sizeof(struct ipv6hdr);

	if (!(p->tcp_flags & TCP_FLAG_ACK))
		return FS_CONN_NONE;
	if (bpf_xdp_load_bytes(ctx, p->l3_off, ip, sizeof(ip)) ||
	    bpf_xdp_load_bytes(ctx, p->l4_off, th, sizeof(th)))
		return FS_CONN_NONE;
	if (bpf_tcp_check_syncookie(sk, ip, iplen, (struct tcphdr *)th,
				    sizeof(th)))
		return FS_CONN_NONE;
	if (pos) { /* its data is the connection's first */
		pos->next = bpf_ntohl(p->seq);
		pos->win = FS_COOKIE_DATA_WIN;
		pos->known = 1;
	}
	return FS_CONN_COOKIE;
}

/* The socket-lookup tuple of @p in @t; returns its size (IPv4 or IPv6
 * part of the union). */
static __always_inline __u32 conn_tuple(const struct fs_pkt *p,
					struct bpf_sock_tuple *t)
{
	if (fs_is_v4mapped(p)) {
		t->ipv4.saddr = p->src.w[3];
		t->ipv4.daddr = p->dst.w[3];
		t->ipv4.sport = p->sport;
		t->ipv4.dport = p->dport;
		return sizeof(t->ipv4);
	}
	__builtin_memcpy(t->ipv6.saddr, p->src.w, sizeof(t->ipv6.saddr));
	__builtin_memcpy(t->ipv6.daddr, p->dst.w, sizeof(t->ipv6.daddr));
	t->ipv6.sport = p->sport;
	t->ipv6.dport = p->dport;
	return sizeof(t->ipv6);
}

/* The conntrack kfuncs for XDP (net/netfilter/nf_conntrack_bpf.c, kernel
 * 5.18+, present only with CONFIG_NF_CONNTRACK and, as a module, once
 * nf_conntrack is loaded). Weak: the object loads on a kernel without
 * them. The loader sets fs_have_ct only when the kernel's BTF has both
 * (fs_kernel_has_ct()); when it is false the verifier drops the calls as
 * dead code, and a segment without a socket here stays unproven
 * (FS_E_CONN_CT_MISSING). */
extern struct nf_conn *bpf_xdp_ct_lookup(struct xdp_md *ctx,
					 struct bpf_sock_tuple *tuple,
					 __u32 tuple__sz,
					 struct bpf_ct_opts *opts,
					 __u32 opts__sz) __ksym __weak;
extern void bpf_ct_release(struct nf_conn *ct) __ksym __weak;
const volatile bool fs_have_ct = false;

/* Whether @p is of @ct's original direction: the original tuple's
 * source (address and port) and destination port are @p's. The lookup
 * reports the direction too (bpf_ct_opts.dir), but not on every kernel
 * the same way; the tuple says it everywhere. */
static __always_inline bool ct_original(const struct nf_conn *ct,
					const struct fs_pkt *p)
{
	const struct nf_conntrack_tuple *o =
		&ct->tuplehash[IP_CT_DIR_ORIGINAL].tuple;

	if (o->src.u.all != p->sport || o->dst.u.all != p->dport)
		return false;
	if (fs_is_v4mapped(p)) /* as conn_tuple() looked it up */
		return o->src.u3.ip == p->src.w[3];
	return o->src.u3.all[0] == p->src.w[0] &&
	       o->src.u3.all[1] == p->src.w[1] &&
	       o->src.u3.all[2] == p->src.w[2] &&
	       o->src.u3.all[3] == p->src.w[3];
}

/* What conntrack's entry @ct proves about @p, which its lookup found in
 * direction @dir. Proven only when all hold:
 * - the segment is of the original direction (the client's), on a
 *   connection this netns DNAT-ed (IPS_DST_NAT: a published port; a
 *   connection to a local socket is the socket lookup's, one merely
 *   routed through is not ours), ASSURED (both directions seen, the
 *   handshake's ACK taken) and in TCP state ESTABLISHED, not dying;
 * - the segment fits conntrack's window as tcp_in_window() checks it
 *   (nf_conntrack_proto_tcp.c), tighter: with the client as sender and
 *   the server as receiver, seq in [snd.td_end - rcv.td_maxwin,
 *   snd.td_maxend] (the kernel tests seq + len against the lower bound)
 *   and ack in [rcv.td_end - max(snd.td_maxwin, FS_CT_MAXACKWIN),
 *   rcv.td_end].
 * conntrack updates these edges from segments it accepted, including the
 * server's replies before they reach the client, so the client's real
 * next segment always fits. An off-path sender knows neither side's
 * sequence numbers: it must hit a window of about two receive windows
 * in 2^32 for seq and of at least FS_CT_MAXACKWIN for ack, together.
 * Whether data was seen before cannot be told from conntrack (it keeps
 * no ISN), so a proof is always FS_CONN_CT. */
static __always_inline int ct_proof(const struct nf_conn *ct, __u8 dir,
				    const struct fs_pkt *p,
				    struct fs_conn_pos *pos)
{
	const struct ip_ct_tcp_state *rcv =
		&ct->proto.tcp.seen[IP_CT_DIR_REPLY];
	unsigned long need = IPS_DST_NAT | IPS_ASSURED;
	__u32 seq = bpf_ntohl(p->seq), ack = bpf_ntohl(p->ack), lo, ackwin;
	__u32 snd[3]; /* td_end, td_maxend, td_maxwin of seen[0] */

	if (dir != IP_CT_DIR_ORIGINAL || !ct_original(ct, p) ||
	    (ct->status & need) != need || (ct->status & IPS_DYING) ||
	    ct->proto.tcp.state != TCP_CONNTRACK_ESTABLISHED)
		return FS_CONN_NONE;
	/* seen[0] through the helper, in one read of its first three
	 * fields (consecutive in every kernel's ip_ct_tcp_state): it starts
	 * the union nf_conntrack_proto, and 6.1's verifier walks a direct
	 * load there into the union's first member (nf_ct_dccp), where it
	 * does not fit, and refuses the program (later kernels try the next
	 * member). seen[1] lies past dccp and sctp: loaded directly. */
	if (bpf_core_read(snd, sizeof(snd),
			  &ct->proto.tcp.seen[IP_CT_DIR_ORIGINAL].td_end))
		return FS_CONN_NONE;
	lo = snd[0] - rcv->td_maxwin;
	if (!seq_in(seq, lo, snd[1] - lo + 1))
		return FS_CONN_NONE;
	ackwin = snd[2] > FS_CT_MAXACKWIN ? snd[2] : FS_CT_MAXACKWIN;
	if (!seq_in(ack, rcv->td_end - ackwin, ackwin + 1))
		return FS_CONN_NONE;
	/* the kernel's place: the server's largest ACK, a lower bound that
	 * never counts a copy the server's kernel dropped (conntrack's own
	 * td_end does: it takes a twin with a stale timestamp, say) */
	if (pos && rcv->flags & FS_CT_MAXACK_SET) {
		pos->next = rcv->td_maxack;
		pos->win = rcv->td_maxwin;
		pos->known = 1;
	}
	return FS_CONN_CT;
}

/* What conntrack in the device's netns proves about @p, a segment with
 * no socket here that proves it (ct_proof()); counted as an event. A
 * global function: only the segments that reach it pay its verification
 * and stack. The kfunc gets constant sizes (6.1's verifier wants them). */
__noinline int fs_conn_ct(struct xdp_md *ctx, const struct fs_pkt *p,
			  struct fs_conn_pos *pos)
{
	struct bpf_ct_opts opts = {
		.netns_id = BPF_F_CURRENT_NETNS,
		.l4proto = IPPROTO_TCP,
	};
	struct bpf_sock_tuple t = {};
	struct nf_conn *ct;
	int r;

	if (!ctx || !p || !(p->tcp_flags & TCP_FLAG_ACK))
		return FS_CONN_NONE;
	if (!fs_have_ct) {
		fs_event(FS_E_CONN_CT_MISSING);
		return FS_CONN_NONE;
	}
	if (conn_tuple(p, &t) == sizeof(t.ipv4))
		ct = bpf_xdp_ct_lookup(ctx, &t, sizeof(t.ipv4), &opts,
				       FS_CT_OPTS_SZ);
	else
		ct = bpf_xdp_ct_lookup(ctx, &t, sizeof(t.ipv6), &opts,
				       FS_CT_OPTS_SZ);
	if (!ct)
		return FS_CONN_NONE; /* no entry: a forged or stray segment */
	r = ct_proof(ct, opts.dir, p, pos);
	bpf_ct_release(ct);
	fs_event(r == FS_CONN_NONE ? FS_E_CONN_CT_REFUSED : FS_E_CONN_CT);
	return r;
}

/* The kernel's socket for @p's 4-tuple in the interface's network
 * namespace (a full socket, a request socket, TIME_WAIT or the
 * listener), or NULL; the caller releases it. */
static __always_inline struct bpf_sock *fs_sk_lookup(struct xdp_md *ctx,
						     const struct fs_pkt *p)
{
	struct bpf_sock_tuple t = {};
	__u32 size = conn_tuple(p, &t);

	return bpf_skc_lookup_tcp(ctx, &t, size, BPF_F_CURRENT_NETNS, 0);
}

/* What the kernel's socket for @p proves (enum fs_conn). Without a
 * socket here, or with only a listener that takes no cookie from it,
 * conntrack is asked (fs_conn_ct(): a connection DNAT-ed to another
 * netns). A global function: its stack is not added to its callers'
 * frames. */
__noinline int fs_conn_proof(struct xdp_md *ctx, const struct fs_pkt *p,
			     struct fs_conn_pos *pos)
{
	struct bpf_sock *sk;
	__u32 seq, ack;
	int r;

	if (!ctx || !p)
		return FS_CONN_NONE;
	if (fs_assume_connected) /* fixtures: the kernel took every RST */
		return fs_retransmitted(ctx, p) ? FS_CONN_NONE
						: FS_CONN_ESTABLISHED;
	sk = fs_sk_lookup(ctx, p);
	if (!sk)
		return fs_conn_ct(ctx, p, pos);
	seq = bpf_ntohl(p->seq);
	ack = bpf_ntohl(p->ack);
	if (sk->state == BPF_TCP_NEW_SYN_RECV)
		r = conn_request(sk, seq, ack, pos);
	else if (sk->state == BPF_TCP_LISTEN)
		r = conn_cookie(ctx, sk, p, pos);
	else if (sk->state == BPF_TCP_TIME_WAIT)
		r = FS_CONN_NONE;
	else
		r = conn_full(sk, seq, ack, pos);
	if (r == FS_CONN_NONE && sk->state == BPF_TCP_LISTEN) {
		bpf_sk_release(sk);
		return fs_conn_ct(ctx, p, pos);
	}
	bpf_sk_release(sk);
	return r;
}

/* Whether @p is proven to come from the source of a connection the
 * kernel holds (fs_conn_proof()). */
static __always_inline bool fs_connected(struct xdp_md *ctx,
					 const struct fs_pkt *p)
{
	return fs_conn_proof(ctx, p, NULL) != FS_CONN_NONE;
}

#endif
