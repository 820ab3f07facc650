/* SPDX-License-Identifier: GPL-2.0 */
/* Stage 5, HTTP inspection: the segments of each HTTP flow, in order,
 * through the resumable request parser (hparse.bpf.h), and the request
 * buckets its verdicts charge.
 *
 * Where a segment goes (fs_police_http()):
 * - URG set: bad (http_urgent) where it would be parsed (at the flow's
 *   next byte): the server would read the stream without the urgent
 *   byte; no HTTP client sends urgent data. Anywhere else it is dropped
 *   (http_undecided_order; no_conn unproven), never passed (its pointer
 *   may reach a later byte) nor punished (in the window is no proof);
 * - every segment is placed against the kernel's own next byte (the
 *   socket's rcv_nxt; behind DNAT the server's largest ACK, from
 *   conntrack), which fs_conn_proof() tells with its proof;
 * - the flow's state (fs_hstate) expects it (its sequence number is the
 *   next byte): parsed from there. A segment overlapping what was parsed
 *   is parsed from the first new byte once the kernel has the old ones;
 *   one holding only bytes the kernel has passes;
 * - bytes the parser passed that the kernel lacks (it dropped the copy
 *   the parser took, or it is still on its way): dropped until
 *   FS_HTTP_SETTLE_NS after the last parse, then the state rewinds to the
 *   kernel's next byte, or the connection is reset there (http_desync);
 * - no state: the kernel's socket says whether this is the connection's
 *   first data (a state is made: parsed from the start), data of a
 *   connection with bytes before (the state was evicted, or the
 *   connection predates the shield), or nothing (a forged or stale
 *   segment: judged alone, as a request start, and never charged). A
 *   flow of unknown offset (those with bytes before, and behind DNAT,
 *   where conntrack proves no offset) is picked up at the kernel's next
 *   byte by a segment that starts like a request; one there that does
 *   not is reset (http_lost, charged to no one);
 * - beyond the next byte (out of order): inside a Content-Length body it
 *   is body and passes; in a head it is dropped (http_undecided_order),
 *   so the client sends it again in order and no byte reaches the server
 *   unparsed; a connection's first data on reused ports starts afresh;
 * - a flow once reset stays reset (HP_RESET): each later proven segment
 *   becomes a RST at the kernel's next byte;
 * - a frame longer than the parser reads (FS_HCHUNKS: 64 KB; in generic
 *   mode a GRO frame can be one) is dropped and the state rewound
 *   (http_undecided_size): no byte passes unread.
 * Only segments with a good TCP checksum move a state (a bad one is
 * dropped, as the kernel would: a bad-checksum twin cannot stand in
 * for the real bytes). Punishment needs the socket's proof
 * (fs_conn_proof()); a segment at a state's exact next byte (unknown
 * off-path) without it is parsed and, if bad, dropped, never charged.
 */
#ifndef FS_HTTP_BPF_H
#define FS_HTTP_BPF_H

#include "pkt.bpf.h"
#include "maps.bpf.h"
#include "cfg.bpf.h"
#include "buckets.bpf.h"
#include "flows.bpf.h"
#include "conn.bpf.h"
#include "csum.bpf.h"
#include "cookie.bpf.h"
#include "reply.bpf.h"
#include "report.bpf.h"
#include "proven.bpf.h"
#include "host.bpf.h"
#include "hparse.bpf.h"

static __always_inline void hflow_key(struct fs_hflow_key *k,
				      const struct fs_pkt *p)
{
	__builtin_memcpy(k->src, p->src.b, sizeof(k->src));
	__builtin_memcpy(k->dst, p->dst.b, sizeof(k->dst));
	k->sport = p->sport;
	k->dport = p->dport;
}

/* Whether sequence number @a is before @b (mod 2^32). */
static __always_inline bool seq_before(__u32 a, __u32 b)
{
	return (__s32)(a - b) < 0;
}

/* The bucket for @k if it exists, never taking a slot. */
static __always_inline struct fs_bucket_val *rate_peek(const struct fs_key *k)
{
	const struct fs_hkey *key = fs_hash_key();
	struct fs_rate_slot *a, *b;
	__u32 i;

	if (!key)
		return NULL;
	i = fs_rate_set_index(k, rate_sets(), key) * FS_RATE_WAYS;
	a = bpf_map_lookup_elem(&FS_MAP_RATE, &i);
	i++;
	b = bpf_map_lookup_elem(&FS_MAP_RATE, &i);
	if (a && fs_words_eq(&a->key, k, sizeof(*k) / 4))
		return &a->b;
	if (b && fs_words_eq(&b->key, k, sizeof(*k) / 4))
		return &b->b;
	return NULL;
}

/* A bad request, host-wide: over http.suspect, the suspicion window
 * opens for http.suspect_hold. */
static __always_inline void suspect_charge(const struct fs_cfg *cfg, __u64 now)
{
	const struct fs_rate *r = &cfg->limits[FS_B_HTTP_SUSPECT].src;
	struct fs_syn_state *st = fs_syn_state();
	bool full;

	if (st && r->interval_ns && !gcra_conform(&st->suspect, r, now, &full))
		window_extend(&st->suspect_until_ns, now,
			      cfg->http_suspect_hold_ns);
}

/* Whether @k holds a ban made for bad requests that is live or ended
 * less than @hold ago. */
static __always_inline bool ban_for_bad(const struct fs_key *k, __u64 now,
					__u64 hold)
{
	struct fs_ban *b = bpf_map_lookup_elem(&FS_MAP_BANS, k);

	return b &&
	       (b->reason == FS_BAN_HTTP_BAD ||
		b->reason == FS_BAN_HTTP_BAD_PREFIX) &&
	       now < b->expires_ns + hold;
}

/* Whether @p's source is a suspect, whose undecided requests are reset:
 * its prefix holds a bad-request ban (or one that ended less than
 * http.suspect_hold ago), or the suspicion window is open
 * and its bad-request bucket is in debt (it sent a bad request lately).
 * Both rest on bad requests the socket proved. A global function. */
__noinline int fs_http_suspect(const struct fs_pkt *p, __u64 now)
{
	const struct fs_cfg *cfg = fs_cfg_get();
	struct fs_syn_state *st = fs_syn_state();
	struct fs_bucket_val *b;
	struct fs_key k = {};

	if (!p || !cfg)
		return 0;
	fs_make_key(&k, p, fs_prefix_len(p, cfg), FS_B_NONE);
	if (ban_for_bad(&k, now, cfg->http_suspect_hold_ns))
		return 1;
	if (!st || now >= READ_ONCE(st->suspect_until_ns))
		return 0;
	fs_make_key(&k, p, FS_PLEN_ADDR, FS_B_HTTP_BAD);
	b = rate_peek(&k);
	if (b && READ_ONCE(b->tat_ns) > now)
		return 1;
	fs_make_key(&k, p, fs_prefix_len(p, cfg), FS_B_HTTP_BAD);
	b = rate_peek(&k);
	return b && READ_ONCE(b->tat_ns) > now;
}

/* Whether @r is an undecided verdict (passes, counted by cause). */
static __always_inline bool http_undecided(enum fs_reason r)
{
	return r == FS_R_HTTP_UNDECIDED || r == FS_R_HTTP_UNDECIDED_UNTRACKED ||
	       r == FS_R_HTTP_UNDECIDED_OPAQUE;
}

/* How a segment relates to its flow's parser state. */
enum hseg {
	HSEG_PARSE,   /* parse it (from skip bytes in) */
	HSEG_ALONE,   /* no proven connection: judge it alone */
	HSEG_VERDICT, /* decided without parsing: *verdict */
};

/* What the placement of a segment decides besides where it goes. */
struct hplace {
	struct fs_conn_pos pos; /* the kernel's place in the stream */
	__u32 skip;		/* old bytes to pass over */
	__u32 rst;		/* a RST goes at this sequence number */
	int proof;		/* fs_conn_proof() */
	enum fs_reason verdict; /* HSEG_VERDICT's */
};

/* A fresh state at @seq (@st), made at @seq (its origin). NULL if the
 * map refuses it. */
static __always_inline struct fs_hstate *
hstate_new(const struct fs_hflow_key *k, __u32 seq, __u8 st)
{
	struct fs_hscratch *sc;
	struct fs_hstate *s;
	__u32 zero = 0;

	sc = bpf_map_lookup_elem(&fs_scratch, &zero);
	if (!sc)
		return NULL;
	s = &sc->fresh;
	__builtin_memset(s, 0, sizeof(*s));
	s->next_seq = seq;
	s->origin = seq;
	s->st = st;
	if (bpf_map_update_elem(&FS_MAP_HSTATE, k, s, BPF_ANY))
		return NULL;
	return bpf_map_lookup_elem(&FS_MAP_HSTATE, k);
}

/* Whether the segment starts like a request: empty lines, a token, SP
 * (one or more), then '/', '*' or "http", within its first FS_HTTP_PEEK
 * bytes. What a flow of unknown offset needs to be parsed from here:
 * behind DNAT (conntrack proves no offset), or with its state lost
 * (evicted, or a connection older than the shield), the parser picks
 * the stream up at a segment that starts a request. */
static __always_inline bool looks_like_start(struct xdp_md *ctx,
					     const struct fs_pkt *p)
{
	__u8 b[FS_HTTP_PEEK + 4] = {};
	__u32 n = p->data_len < FS_HTTP_PEEK ? p->data_len : FS_HTTP_PEEK;
	int i = 0, tok = 0;

	if (n == 0 || bpf_xdp_load_bytes(ctx, p->payload_off, b,
					 FS_LEN_1_TO(n, FS_HTTP_PEEK)))
		return false;
	for (; i < FS_HTTP_PEEK && (b[i] == '\r' || b[i] == '\n'); i++)
		;
	for (; i < FS_HTTP_PEEK && hp_tchar(b[i]); i++)
		tok++;
	if (!tok)
		return false;
	for (; i < FS_HTTP_PEEK && b[i] == ' '; i++)
		tok = -1;
	if (tok >= 0 || i >= FS_HTTP_PEEK)
		return false;
	return b[i] == '/' || b[i] == '*' ||
	       ((b[i] | 0x20) == 'h' && (b[i + 1] | 0x20) == 't' &&
		(b[i + 2] | 0x20) == 't' && (b[i + 3] | 0x20) == 'p');
}

/* Tests: with fs_assume_connected, a segment without state is its
 * connection's first data unless fs_model_midstream is set (then it
 * comes after data the shield never saw: an evicted state); the model's
 * kernel has taken every byte passed (its next byte is the state's),
 * unless fs_model_kernel is set: then its next byte is
 * fs_model_kernel_next. Written by tests only. */
__u32 fs_model_midstream = 0;
__u32 fs_model_kernel = 0;
__u32 fs_model_kernel_next = 0;

/* The fixtures' model of the kernel's place (see above), for a flow
 * whose parser is at @next. */
static __always_inline void hpos_model(struct fs_conn_pos *pos, __u32 next)
{
	if (!fs_assume_connected)
		return;
	pos->next = fs_model_kernel ? fs_model_kernel_next : next;
	pos->known = 1;
}

/* A new connection on the flow's ports: the old one's state goes. */
static __always_inline void hflow_forget(const struct fs_hflow_key *k)
{
	bpf_map_delete_elem(&FS_MAP_HSTATE, k);
	bpf_map_delete_elem(&FS_MAP_HHOST, k);
}

/* The flow is reset: from now on its every segment is turned into a RST
 * (HP_RESET), as the kernel may ignore the first. */
static __always_inline void hflow_reset(const struct fs_hflow_key *k, __u32 seq)
{
	struct fs_hstate *s = bpf_map_lookup_elem(&FS_MAP_HSTATE, k);

	if (s)
		s->st = HP_RESET;
	else
		hstate_new(k, seq, HP_RESET);
	bpf_map_delete_elem(&FS_MAP_HHOST, k);
}

/* A proven segment of a flow whose offset is unknown (no state, or the
 * state lost: HP_UNTRACKED). The kernel reads next at pos.next when it
 * is known, else (behind DNAT before the server's first ACK, and in the
 * fixtures) at this segment. A segment there that starts like a request
 * starts the flow's state; one that does not is reset (http_lost): what
 * the server makes of it cannot be judged. Old bytes pass, a segment
 * elsewhere is dropped (it comes again). */
static __always_inline enum hseg hseg_resync(struct xdp_md *ctx,
					     const struct fs_pkt *p,
					     const struct fs_hflow_key *k,
					     struct fs_hstate **s,
					     struct hplace *pl)
{
	__u32 seq = bpf_ntohl(p->seq), kn = pl->pos.next;

	pl->rst = seq;
	if (pl->pos.known && seq != kn) {
		pl->verdict = seq_before(seq, kn) &&
					      !seq_before(kn, seq + p->data_len)
				      ? FS_R_SERVICE /* old bytes */
				      : FS_R_HTTP_UNDECIDED_ORDER;
		return HSEG_VERDICT;
	}
	if (!looks_like_start(ctx, p)) {
		pl->verdict = FS_R_HTTP_LOST;
		return HSEG_VERDICT;
	}
	*s = hstate_new(k, seq, HP_START);
	if (!*s) {
		pl->verdict = FS_R_HTTP_UNDECIDED_UNTRACKED;
		return HSEG_VERDICT;
	}
	(*s)->req = RQ_RESYNC;
	fs_event(FS_E_HTTP_PICKUP); /* a churned fs_hstate shows here */
	return HSEG_PARSE;
}

/* A segment of a flow without state: its proof from the socket. */
static __always_inline enum hseg hseg_untracked(struct xdp_md *ctx,
						const struct fs_pkt *p,
						const struct fs_hflow_key *k,
						struct fs_hstate **s,
						struct hplace *pl)
{
	__u32 seq = bpf_ntohl(p->seq), first = seq;

	pl->pos.known = 0;
	pl->proof = fs_conn_proof(ctx, p, &pl->pos);
	switch (pl->proof) {
	case FS_CONN_NONE:
		return HSEG_ALONE;
	case FS_CONN_FIRST:
	case FS_CONN_HANDSHAKE:
	case FS_CONN_COOKIE:
		if (pl->pos.known) /* the stream's first byte, as the kernel has it */
			first = pl->pos.next;
		break;
	case FS_CONN_ESTABLISHED:
		/* the fixtures' model: a segment without state starts its
		 * flow, unless a test says it comes after unseen data */
		if (fs_assume_connected && !fs_model_midstream)
			break;
		/* fall through */
	default:
		return hseg_resync(ctx, p, k, s, pl);
	}
	*s = hstate_new(k, first, HP_START);
	if (!*s) {
		pl->verdict = FS_R_HTTP_UNDECIDED_UNTRACKED;
		return HSEG_VERDICT;
	}
	if (seq == first)
		return HSEG_PARSE;
	/* the first data out of order (its start lost or late): the state
	 * waits at the first byte; this segment comes again in order */
	pl->verdict = FS_R_HTTP_UNDECIDED_ORDER;
	return HSEG_VERDICT;
}

/* Back to the state before the last segment parsed, if that segment
 * started at @at (the kernel's next byte): the kernel dropped the copy
 * the parser took (a twin with a bad ACK or a stale timestamp, out of
 * its window, no room), and the bytes from @at are the ones the server
 * will read. False if the snapshot is not there (or no longer valid:
 * bytes were passed past it). */
static __always_inline bool hseg_rewind(struct fs_hstate *s, __u32 at)
{
	struct fs_hstate *snap = (struct fs_hstate *)s->snap;

	if (!s->snap_ok || snap->next_seq != at)
		return false;
	__builtin_memcpy(s, s->snap, sizeof(s->snap));
	s->snap_ok = 0;
	return true;
}

/* Body bytes the kernel took out of order while the parser waited
 * before them: the state goes on from the kernel's place, within the
 * body. */
static __always_inline void hseg_body_forward(struct fs_hstate *s,
					      const struct fs_conn_pos *pos)
{
	__u32 next = s->next_seq;

	if (s->st == HP_BODY && pos->known && seq_before(next, pos->next) &&
	    pos->next - next <= s->count) {
		s->count -= pos->next - next;
		s->next_seq = pos->next;
		s->snap_ok = 0; /* no rewind past bytes passed */
	}
}

/* A segment over bytes the parser passed that the kernel lacks (it is
 * at pos.next, before the parser's next byte). Those bytes may still be
 * on their way to the kernel, or it dropped them: which copy the server
 * reads is unknown, so the segment is dropped (it comes again) until
 * FS_HTTP_SETTLE_NS after the last parse. Then the kernel dropped them:
 * the state goes back to the kernel's next byte (hseg_rewind()) and the
 * segment is parsed from there; if it cannot, the connection is reset
 * at the kernel's next byte (http_desync). */
static __always_inline enum hseg hseg_unsettled(struct fs_hstate *s, __u32 seq,
						struct hplace *pl, __u64 now)
{
	__u32 kn = pl->pos.next;

	pl->verdict = FS_R_HTTP_UNDECIDED_ORDER;
	if (now - s->used_ns < FS_HTTP_SETTLE_NS || seq_before(kn, seq))
		return HSEG_VERDICT; /* in flight, or past the kernel's gap */
	if (hseg_rewind(s, kn)) {
		pl->skip = kn - seq;
		return HSEG_PARSE;
	}
	pl->rst = kn;
	pl->verdict = FS_R_HTTP_DESYNC;
	return HSEG_VERDICT;
}

/* Place a proven segment [seq, seq + len) of a flow with state @s
 * (parser at next) against the kernel's next byte kn (pl->pos):
 * - seq == next: parsed;
 * - all of it before kn: old bytes the kernel has; they pass;
 * - kn unknown (behind DNAT before the server's first ACK): a segment
 *   before next is dropped (which copy the server has is unknown);
 * - seq before next: when kn has reached next, parsed from next (the
 *   kernel takes the new bytes only); else hseg_unsettled();
 * - past next: inside a Content-Length body it passes; else it is
 *   dropped (http_undecided_order), so the client sends it in order. */
static __always_inline enum hseg hseg_order(struct fs_hstate *s,
					    const struct fs_pkt *p,
					    struct hplace *pl, __u64 now)
{
	__u32 seq = bpf_ntohl(p->seq), len = p->data_len, next, kn;

	hseg_body_forward(s, &pl->pos);
	next = s->next_seq;
	kn = pl->pos.next;
	if (seq == next)
		return HSEG_PARSE;
	pl->verdict = FS_R_SERVICE;
	if (pl->pos.known && !seq_before(kn, seq + len))
		return HSEG_VERDICT; /* old bytes */
	pl->verdict = FS_R_HTTP_UNDECIDED_ORDER;
	if (seq_before(seq, next)) {
		if (!pl->pos.known)
			return HSEG_VERDICT;
		if (seq_before(kn, next))
			return hseg_unsettled(s, seq, pl, now);
		if (kn != next) { /* the kernel has bytes never parsed */
			pl->rst = kn;
			pl->verdict = FS_R_HTTP_DESYNC;
			return HSEG_VERDICT;
		}
		pl->skip = next - seq;
		return HSEG_PARSE;
	}
	if (s->st == HP_BODY && seq - next + len <= s->count) {
		s->snap_ok = 0;		    /* no rewind past bytes passed */
		pl->verdict = FS_R_SERVICE; /* all of it body: passes */
	}
	return HSEG_VERDICT;
}

/* Place a segment of a flow with state @s: every one is proven first, so
 * that a forged segment never moves a state. One the socket does not
 * prove may still be the state's own: its sequence number is exactly
 * the next byte, which an off-path sender does not know (a segment
 * right after a SYN cookie's ACK, before the kernel made the socket); it
 * is parsed, and punished by a drop only. */
static __always_inline enum hseg hseg_place(struct xdp_md *ctx,
					    const struct fs_pkt *p,
					    const struct fs_hflow_key *k,
					    struct fs_hstate **sp,
					    struct hplace *pl, __u64 now)
{
	struct fs_hstate *s = *sp;
	__u32 seq = bpf_ntohl(p->seq);

	pl->pos.known = 0;
	pl->proof = fs_conn_proof(ctx, p, &pl->pos);
	hpos_model(&pl->pos, s->next_seq);
	pl->rst = seq;
	if (pl->proof == FS_CONN_NONE)
		return seq == s->next_seq && s->st < HP_OPAQUE ? HSEG_PARSE
							       : HSEG_ALONE;
	if (fs_conn_first(pl->proof) && pl->pos.known &&
	    pl->pos.next != s->origin) {
		/* the ports used again by a new connection: its own state */
		hflow_forget(k);
		return hseg_untracked(ctx, p, k, sp, pl);
	}
	if (s->st == HP_RESET) {
		if (pl->pos.known)
			pl->rst = pl->pos.next;
		pl->verdict = FS_R_HTTP_DESYNC;
		return HSEG_VERDICT;
	}
	if (s->st == HP_UNTRACKED)
		return hseg_resync(ctx, p, k, sp, pl);
	if (s->st >= HP_OPAQUE) {
		pl->verdict = fs_hstate_verdict(s->st);
		return HSEG_VERDICT;
	}
	return hseg_order(s, p, pl, now);
}

/* Reset reason @r for a proven segment: a connection that exists only as
 * a kernel SYN cookie (@proof FS_CONN_COOKIE) gets the RST as a reply
 * (fs_cookie_reset()); the others the segment rewritten (act()). */
static __always_inline enum fs_reason http_reset(struct xdp_md *ctx,
						 const struct fs_pkt *p,
						 int proof, enum fs_reason r)
{
	return proof == FS_CONN_COOKIE ? fs_cookie_reset(ctx, p, r) : r;
}

/* Whether the segment's TCP checksum is right: known when
 * fs_http_place() verified it before the parse (sc->run.csum_ok, of this
 * segment only), else verified now. */
static __always_inline bool http_csum_ok(struct xdp_md *ctx,
					 const struct fs_pkt *p)
{
	struct fs_hscratch *sc;
	__u32 zero = 0;

	sc = bpf_map_lookup_elem(&fs_scratch, &zero);
	if (sc && sc->run.csum_ok)
		return true;
	return fs_tcp_csum_ok(ctx, p);
}

/* A bad verdict @r: reset and charge, with the socket's proof; without
 * it dropped (no_conn), or passed when it repeats a segment already
 * turned into a RST (its socket is gone: the kernel answers it). The
 * flow's state stays, as HP_RESET (hflow_reset()). */
static __always_inline enum fs_reason
http_bad(struct xdp_md *ctx, const struct fs_pkt *p,
	 const struct fs_hflow_key *k, const struct fs_cfg *cfg, int proof,
	 enum fs_reason r, __u64 now)
{
	if (proof < 0)
		proof = fs_conn_proof(ctx, p, NULL);
	if (proof == FS_CONN_NONE)
		return fs_retransmitted(ctx, p) ? FS_R_RESET_FLOW
						: FS_R_NO_CONN;
	if (!http_csum_ok(ctx, p)) /* the kernel would drop it */
		return FS_R_BAD_CSUM;
	hflow_reset(k, bpf_ntohl(p->seq));
	if (r == FS_R_HTTP_SUSPECT || r == FS_R_HTTP_DESYNC ||
	    r == FS_R_HTTP_LOST) /* no charge: not a request's fault */
		return http_reset(ctx, p, proof, r);
	if (proof != FS_CONN_COOKIE || !fs_retransmitted(ctx, p)) {
		fs_police_bucket(p, FS_B_HTTP_BAD, r, now);
		suspect_charge(cfg, now);
	}
	return http_reset(ctx, p, proof, r);
}

/* Judge a segment with no proven connection alone, as a request start,
 * with a throw-away state: never charged, never remembered. What does
 * not parse as a request (a body, another protocol) passes. */
static __always_inline enum fs_reason http_alone(struct xdp_md *ctx,
						 const struct fs_pkt *p)
{
	struct fs_hscratch *sc;
	enum fs_reason r;
	__u32 zero = 0;

	sc = bpf_map_lookup_elem(&fs_scratch, &zero);
	if (!sc)
		return FS_R_SERVICE;
	__builtin_memset(&sc->alone, 0, sizeof(sc->alone));
	r = fs_hparse(ctx, &sc->alone, p->payload_off, p->data_len, HB_ALONE);
	if (r == FS_R_HTTP_MALFORMED || http_undecided(r))
		return FS_R_SERVICE;
	return r;
}

/* Charge http.req one token per request head the segment ended well
 * (pipelined heads each count; at most FS_HTTP_CHARGE_MAX). The level of
 * the first excess. */
static __always_inline enum fs_level http_charge(const struct fs_pkt *p,
						 __u64 now)
{
	struct fs_hscratch *sc;
	__u32 zero = 0, n;
	enum fs_level l = FS_LEVEL_OK;

	sc = bpf_map_lookup_elem(&fs_scratch, &zero);
	n = sc && sc->run.good ? sc->run.good : 1;
	for (__u32 i = 0; i < FS_HTTP_CHARGE_MAX && i < n; i++) {
		l = fs_police_bucket(p, FS_B_HTTP_REQ, FS_R_HTTP_RATE_SRC, now);
		if (l != FS_LEVEL_OK)
			break;
	}
	return l;
}

/* The verdict of a segment the parser judged (or could not), with
 * @proof (< 0: not asked yet). */
static __always_inline enum fs_reason
http_verdict(struct xdp_md *ctx, const struct fs_pkt *p,
	     const struct fs_hflow_key *k, const struct fs_cfg *cfg, int proof,
	     enum fs_reason r, __u64 now)
{
	if (fs_reason_resets(r))
		return http_bad(ctx, p, k, cfg, proof, r, now);
	if (http_undecided(r)) {
		/* an upgraded stream is a protocol the server chose, not a
		 * request the parser missed */
		if (r != FS_R_HTTP_UNDECIDED_OPAQUE && fs_http_suspect(p, now))
			return http_bad(ctx, p, k, cfg, proof,
					FS_R_HTTP_SUSPECT, now);
		return r;
	}
	if (r != FS_R_HTTP_OK || proof == FS_CONN_NONE) /* never charged */
		return r;
	if (fs_conn_first(proof)) /* a connection's first request */
		fs_prove(p, true);
	switch (http_charge(p, now)) {
	case FS_LEVEL_OVER_SRC:
		return http_bad(ctx, p, k, cfg, proof, FS_R_HTTP_RATE_SRC, now);
	case FS_LEVEL_OVER_PREFIX:
		return http_bad(ctx, p, k, cfg, proof, FS_R_HTTP_RATE_PREFIX,
				now);
	default:
		break;
	}
	/* a client that completed a request: worth a crawler check */
	if (cfg->flags & FS_CFG_VERIFY_HTTP)
		fs_report(ctx, p, FS_EV_SOURCE, 0, 0);
	return r;
}

/* A segment about to become a RST: the kernel takes a RST only at
 * exactly its next byte (RFC 5961 3.2), @rst (host order). Its sequence
 * number moves there (the checksum follows, RFC 1624); act() turns the
 * flags. */
static __always_inline void http_rst_at(struct xdp_md *ctx,
					const struct fs_pkt *p, __u32 rst)
{
	void *data = (void *)(long)ctx->data,
	     *end = (void *)(long)ctx->data_end;
	struct tcphdr *tcp = data + (p->l4_off & FS_L4_OFF_MAX);
	__u32 seq = bpf_htonl(rst);
	__u16 *w;

	if ((void *)(tcp + 1) > end || tcp->seq == seq)
		return;
	w = (__u16 *)&tcp->seq;
	tcp->check = csum_replace16(tcp->check, w[0], ((__u16 *)&seq)[0]);
	tcp->check = csum_replace16(tcp->check, w[1], ((__u16 *)&seq)[1]);
	tcp->seq = seq;
}

/* fs_http_place(): judge the segment alone (no proven connection). */
#define HTTP_ALONE (FS_CONTINUE + 1)

/* Where the segment goes (the top of this file): FS_CONTINUE to parse
 * it, its flow's state made or found, sc->run.skip bytes in, HTTP_ALONE
 * to judge it alone; else the reason decided without parsing, for
 * fs_http_verdict(). The socket's proof, if asked, is left in
 * sc->run.proof (-1: not asked), where a RST would go in sc->run.rst. A
 * global function: its frame is on neither the parser's call chain nor
 * the verdict's. */
__noinline int fs_http_place(struct xdp_md *ctx, const struct fs_pkt *p)
{
	const struct fs_cfg *cfg = fs_cfg_get();
	struct hplace pl = {.proof = -1, .verdict = FS_R_SERVICE};
	struct fs_hstate *s;
	struct fs_hscratch *sc;
	__u32 zero = 0, seq;
	bool urg;

	sc = bpf_map_lookup_elem(&fs_scratch, &zero);
	if (!ctx || !p || !cfg || !sc)
		return FS_R_SERVICE;
	seq = bpf_ntohl(p->seq);
	urg = p->tcp_flags & TCP_FLAG_URG;
	sc->run.proof = -1;
	sc->run.rst = seq;
	s = bpf_map_lookup_elem(&FS_MAP_HSTATE, &sc->flow);
	switch (s ? hseg_place(ctx, p, &sc->flow, &s, &pl, sc->run.now)
		  : hseg_untracked(ctx, p, &sc->flow, &s, &pl)) {
	case HSEG_ALONE:
		sc->run.proof = FS_CONN_NONE;
		return urg ? FS_R_NO_CONN : HTTP_ALONE;
	case HSEG_VERDICT:
		sc->run.proof = pl.proof;
		sc->run.rst = pl.rst;
		return urg && !fs_reason_drops(pl.verdict)
			       ? FS_R_HTTP_UNDECIDED_ORDER
			       : pl.verdict;
	default:
		break;
	}
	if (!s || pl.skip >= p->data_len)
		return urg ? FS_R_HTTP_UNDECIDED_ORDER : FS_R_SERVICE;
	if (urg) { /* at the next byte: judged (http_bad() proves it) */
		sc->run.proof = pl.proof;
		sc->run.rst = seq + pl.skip;
		return FS_R_HTTP_URGENT;
	}
	/* the kernel drops it: it moves nothing, a body's bytes included
	 * (a corrupt body copy moving the state past bytes the kernel then
	 * takes from the retransmission would leave the flow out of step) */
	if (!fs_tcp_csum_ok(ctx, p))
		return FS_R_BAD_CSUM;
	sc->run.csum_ok = 1; /* http_bad() need not sum it again */
	if (s->st == HP_BODY && s->count >= p->data_len - pl.skip) {
		s->count -= p->data_len - pl.skip; /* body: nothing to read */
		s->snap_ok = 0; /* no rewind past bytes passed */
		s->next_seq = seq + p->data_len;
		return FS_R_SERVICE;
	}
	sc->run.skip = pl.skip;
	sc->run.proof = pl.proof;
	sc->run.rst = seq + pl.skip; /* the first byte parsed */
	return FS_CONTINUE;
}

/* The verdict @r for the segment of the flow in the scratch, with the
 * proof fs_http_place() left there; a RST goes at the sequence number it
 * left there. A global function: its frame is not on the parser's. */
__noinline int fs_http_verdict(struct xdp_md *ctx, const struct fs_pkt *p,
			       __u32 r)
{
	const struct fs_cfg *cfg = fs_cfg_get();
	struct fs_hscratch *sc;
	__u32 zero = 0;

	sc = bpf_map_lookup_elem(&fs_scratch, &zero);
	if (!ctx || !p || !cfg || !sc)
		return FS_R_SERVICE;
	r = http_verdict(ctx, p, &sc->flow, cfg, sc->run.proof, r, sc->run.now);
	if (fs_reason_resets(r) && !fs_observing(cfg, r))
		http_rst_at(ctx, p, sc->run.rst);
	return r;
}

/* Police an HTTP data segment (the top of this file): place it, parse
 * it, judge the outcome. A global function; its own frame is small, as
 * it is on the parser's call chain (the stack holds 512 bytes). */
__noinline int fs_police_http(struct xdp_md *ctx, const struct fs_pkt *p)
{
	struct fs_hscratch *sc;
	struct fs_hstate *s;
	__u32 zero = 0, skip;
	int r;

	/* the kernel never reads the payload of a RST (nor a server) */
	if (!ctx || !p || !p->data_len || p->tcp_flags & TCP_FLAG_RST)
		return FS_R_SERVICE;
	sc = bpf_map_lookup_elem(&fs_scratch, &zero);
	if (!sc)
		return FS_R_SERVICE;
	hflow_key(&sc->flow, p);
	__builtin_memcpy(sc->dst, p->dst.b, sizeof(sc->dst));
	sc->run.buf_len = 0; /* sc->buf holds nothing of this frame yet */
	sc->run.csum_ok = 0;
	sc->run.now = fs_now(); /* one clock read for the segment */
	r = fs_http_place(ctx, p);
	if (r == HTTP_ALONE) {
		r = http_alone(ctx, p);
		return fs_reason_resets(r) ? fs_http_verdict(ctx, p, r) : r;
	}
	if (r != FS_CONTINUE)
		return fs_http_verdict(ctx, p, r);
	s = bpf_map_lookup_elem(&FS_MAP_HSTATE, &sc->flow);
	if (!s)
		return FS_R_SERVICE;
	skip = sc->run.skip;
	__builtin_memcpy(s->snap, s, sizeof(s->snap)); /* hseg_rewind() */
	s->snap_ok = 1;
	r = fs_hparse(ctx, s, p->payload_off + skip, p->data_len - skip, 0);
	if (r == FS_R_HTTP_UNDECIDED_SIZE) { /* dropped: as if never parsed */
		__builtin_memcpy(s, s->snap, sizeof(s->snap));
		s->snap_ok = 0;
		return fs_http_verdict(ctx, p, r);
	}
	s->next_seq = bpf_ntohl(p->seq) + p->data_len;
	s->used_ns = sc->run.now;
	/* a pick-up whose request line did not hold: what the server reads
	 * there is not a request start after all */
	if (r == FS_R_HTTP_MALFORMED && s->req & RQ_RESYNC)
		r = FS_R_HTTP_LOST;
	return fs_http_verdict(ctx, p, r);
}

#endif
