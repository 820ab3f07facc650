/* SPDX-License-Identifier: GPL-2.0 */
/* SMTP sessions counted per pool (fs_smtp_flows, fs_smtp_pools), and the
 * admission of SMTP SYNs by the room left in their source's pool
 * (docs/smtp.md, Admission).
 *
 * Proof before counting: a session counts from the first segment of its
 * flow (never a SYN) that the kernel's socket proves (fs_conn_proof():
 * the handshake's ACK on a request socket or with a valid cookie, or
 * data on a connection the kernel holds). Forged SYNs and forged
 * segments therefore fill no pool and charge no bucket. At that first
 * proven segment the source's class bucket is charged (the SYN only
 * peeked at it), and a source with no live verdict is reported to the
 * daemon (FS_EV_CONTACT): verification starts at first contact.
 *
 * A counted session ends with the client's FIN or RST at the sequence
 * the server's socket expects next (session_close_proven()), or when the
 * daemon's sweep finds no proven segment of it for smtp.idle
 * (loader/session.c). A session
 * is never cut: admission only drops SYNs, which the sender retries.
 *
 * Limits: the SYN only peeks at the pool, the count comes with the
 * handshake, so the SYNs that pass within one round trip of the last
 * free place may all complete: a pool can overshoot by the SYNs of one
 * round trip. Behind DNAT (no socket here) closes are not proven: such
 * sessions end by the sweep.
 */
#ifndef FS_SESSION_BPF_H
#define FS_SESSION_BPF_H

#include "pkt.bpf.h"
#include "maps.bpf.h"
#include "cfg.bpf.h"
#include "events.bpf.h"
#include "buckets.bpf.h"
#include "conn.bpf.h"
#include "flows.bpf.h"
#include "proven.bpf.h"
#include "report.bpf.h"

/* The SMTP bucket and reasons of a DNS class (the enums are ordered
 * differently). Switches, not a table: the verifier then sees constants
 * where the bucket indexes fs_cfg.limits. */
struct fs_smtp_class {
	enum fs_bucket bucket;
	enum fs_reason pass, defer, full;
};

static __always_inline struct fs_smtp_class
fs_smtp_class_of(enum fs_dns_class c)
{
	switch (c) {
	case FS_DNS_VERIFIED:
		return (struct fs_smtp_class){FS_B_SMTP_VERIFIED,
					      FS_R_SMTP_VERIFIED,
					      FS_R_SMTP_DEFER_VERIFIED,
					      FS_R_SMTP_FULL_VERIFIED};
	case FS_DNS_FAILED:
		return (struct fs_smtp_class){FS_B_SMTP_FAILED,
					      FS_R_SMTP_FAILED,
					      FS_R_SMTP_DEFER_FAILED,
					      FS_R_SMTP_FULL_OPEN};
	case FS_DNS_TEMP:
		return (struct fs_smtp_class){FS_B_SMTP_TEMPFAIL,
					      FS_R_SMTP_TEMPFAIL,
					      FS_R_SMTP_DEFER_TEMPFAIL,
					      FS_R_SMTP_FULL_TEMPFAIL};
	default:
		return (struct fs_smtp_class){FS_B_SMTP_UNVERIFIED,
					      FS_R_SMTP_UNVERIFIED,
					      FS_R_SMTP_DEFER_UNVERIFIED,
					      FS_R_SMTP_FULL_OPEN};
	}
}

/* The pool of a DNS class. */
static __always_inline __u32 fs_pool_of(enum fs_dns_class c)
{
	switch (c) {
	case FS_DNS_VERIFIED:
		return FS_POOL_VERIFIED;
	case FS_DNS_TEMP:
		return FS_POOL_TEMPFAIL;
	default:
		return FS_POOL_OPEN;
	}
}

/* Sessions open in @pool now. */
static __always_inline __u64 pool_open(__u32 pool)
{
	struct fs_smtp_pool *s = bpf_map_lookup_elem(&FS_MAP_SMTP_POOLS, &pool);

	if (!s)
		return 0;
	return fs_smtp_pool_open(READ_ONCE(s->opened), READ_ONCE(s->closed),
				 READ_ONCE(s->swept));
}

/* Whether a SYN of a source of @pool is admitted: its pool has room
 * (fs_smtp_pool_cap()); a verified source also while all pools together
 * hold less than the capacity. Always with no capacity set. A peek:
 * nothing is counted before the handshake. A global function. */
__noinline int fs_smtp_admit(__u32 pool)
{
	const struct fs_cfg *cfg = fs_cfg_get();
	__u64 open, total;

	if (!cfg || !fs_smtp_capacity(cfg) || pool >= FS_POOL_MAX)
		return 1;
	open = pool_open(pool);
	if (open < fs_smtp_pool_cap(cfg, pool))
		return 1;
	if (pool != FS_POOL_VERIFIED)
		return 0;
	total = open + pool_open(FS_POOL_TEMPFAIL) + pool_open(FS_POOL_OPEN);
	return total < fs_smtp_capacity(cfg);
}

/* Add @n to counter @field of @pool (opened or closed). */
static __always_inline void pool_add(__u32 pool, bool closed)
{
	struct fs_smtp_pool *s = bpf_map_lookup_elem(&FS_MAP_SMTP_POOLS, &pool);

	if (!s)
		return;
	if (closed)
		__sync_fetch_and_add(&s->closed, 1);
	else
		__sync_fetch_and_add(&s->opened, 1);
}

/* The close of a session the server ended first: its orphaned socket,
 * FIN sent and acked, is a TIME_WAIT socket (substate FIN_WAIT2) that
 * still takes the client's FIN or RST at its tw_rcv_nxt, acking its
 * FIN (tw_snd_nxt). */
static __always_inline bool timewait_close_proven(struct bpf_sock *sk,
						  const struct fs_pkt *p)
{
	struct tcp_timewait_sock *tw = bpf_skc_to_tcp_timewait_sock(sk);
	const struct sock_common *c;

	if (!tw)
		return false;
	c = &tw->tw_sk.__tw_common;
	return bpf_ntohl(p->seq) == c->skc_tw_rcv_nxt &&
	       ((p->tcp_flags & TCP_FLAG_RST) ||
		bpf_ntohl(p->ack) == c->skc_tw_snd_nxt);
}

/* Whether a FIN or RST of @p is the client's own, at the sequence the
 * server's socket expects next: a full socket in a state that still
 * takes the client's segments, the segment's sequence its rcv_nxt (what
 * Linux asks of a RST, RFC 5961) and its ACK one the socket sent. In
 * the fixtures' model (fs_assume_connected) every one is. When the
 * server closed first, the socket is TIME_WAIT: timewait_close_proven(). */
static __always_inline bool session_close_proven(struct xdp_md *ctx,
						 const struct fs_pkt *p)
{
	struct bpf_sock *sk;
	struct tcp_sock *tp;
	bool ok = false;

	if (fs_assume_connected)
		return true;
	sk = fs_sk_lookup(ctx, p);
	if (!sk)
		return false;
	if (sk->state == BPF_TCP_TIME_WAIT) {
		ok = timewait_close_proven(sk, p);
		bpf_sk_release(sk);
		return ok;
	}
	tp = bpf_skc_to_tcp_sock(sk);
	if (tp && sk->state != BPF_TCP_LISTEN &&
	    sk->state != BPF_TCP_TIME_WAIT &&
	    sk->state != BPF_TCP_NEW_SYN_RECV && sk->state != BPF_TCP_CLOSE &&
	    bpf_ntohl(p->seq) == tp->rcv_nxt &&
	    seq_in(bpf_ntohl(p->ack), tp->snd_una,
		   tp->snd_nxt - tp->snd_una + 1))
		ok = true;
	bpf_sk_release(sk);
	return ok;
}

/* A counted session's segment: a proven FIN or RST ends it (the delete
 * decides, so a close counts once whatever the CPUs do), anything else
 * the kernel's socket proves marks it alive (at most once per
 * FS_WINDOW_STEP_NS, and only then is the socket asked). Unproven
 * segments mark nothing: forged ones with the flow's ports (2^16
 * guesses) would otherwise keep a session whose socket is gone counted
 * for ever, and its pool full. */
static __always_inline void session_seen(struct xdp_md *ctx,
					 const struct fs_pkt *p,
					 const struct fs_flow_key *k,
					 struct fs_smtp_flow *f, __u64 now)
{
	__u32 pool = f->pool;

	if (p->tcp_flags & (TCP_FLAG_FIN | TCP_FLAG_RST)) {
		if (session_close_proven(ctx, p) &&
		    bpf_map_delete_elem(&FS_MAP_SMTP_FLOWS, k) == 0) {
			pool_add(pool, true);
			fs_event(FS_E_SMTP_CLOSED);
		}
		return;
	}
	if (now - READ_ONCE(f->last_ns) >= FS_WINDOW_STEP_NS &&
	    fs_conn_proof(ctx, p, NULL) != FS_CONN_NONE)
		WRITE_ONCE(f->last_ns, now);
}

/* A new session of @p's source, proven: counted in its class's pool and
 * charged to its class's bucket. True if its source has no live verdict:
 * the caller reports it to the daemon (fs_smtp_contact()). */
static __always_inline bool session_open(struct xdp_md *ctx,
					 const struct fs_pkt *p,
					 const struct fs_flow_key *k, int proof,
					 __u64 now)
{
	const struct fs_dns_val *v = fs_dns_entry(p); /* one lookup */
	bool known = fs_dns_live(v, now);
	enum fs_dns_class c = fs_dns_class_at(v, now);
	struct fs_smtp_flow f = {.last_ns = now, .pool = fs_pool_of(c)};
	long err;

	err = bpf_map_update_elem(&FS_MAP_SMTP_FLOWS, k, &f, BPF_NOEXIST);
	if (err) {
		if (err != -FS_EEXIST)
			fs_event(FS_E_SMTP_UNCOUNTED);
		return false;
	}
	pool_add(f.pool, false);
	fs_event(FS_E_SMTP_OPENED);
	if (fs_conn_first(proof)) /* a handshake: its SYNs skip cookies */
		fs_prove(p, false);
	fs_police_bucket(p, fs_smtp_class_of(c).bucket, FS_R_MAX, now);
	return !known;
}

/* Account a client segment (not a SYN) of an SMTP session. 1 when it
 * opened a session whose source has no live verdict: the caller reports
 * that first contact (fs_smtp_contact(); not from here, which would put
 * fs_report()'s frames under this one's: the combined stack limit). A
 * global function: verified once. */
__noinline int fs_smtp_session(struct xdp_md *ctx, const struct fs_pkt *p)
{
	struct fs_flow_key k = {};
	struct fs_smtp_flow *f;
	__u64 now = fs_now();
	int proof;

	if (!ctx || !p)
		return 0;
	fs_flow_key(&k, p);
	f = bpf_map_lookup_elem(&FS_MAP_SMTP_FLOWS, &k);
	if (f) {
		session_seen(ctx, p, &k, f, now);
		return 0;
	}
	if (p->tcp_flags & (TCP_FLAG_FIN | TCP_FLAG_RST))
		return 0; /* the end of a session never counted */
	proof = fs_conn_proof(ctx, p, NULL);
	if (proof == FS_CONN_NONE)
		return 0;
	return session_open(ctx, p, &k, proof, now);
}

/* After fs_smtp_session() returned 1: the source's first contact, to the
 * daemon (fs_report() proves the connection again). */
static __always_inline void fs_smtp_contact(struct xdp_md *ctx,
					    const struct fs_pkt *p)
{
	if (fs_report(ctx, p, FS_EV_CONTACT, 0, 0))
		fs_event(FS_E_SMTP_CONTACT);
}

#endif
