/* SPDX-License-Identifier: GPL-2.0 */
/* Token buckets per source and per prefix, in the rate table
 * (fs_rate, struct fs_rate_slot), and the bans they earn.
 *
 * Buckets are GCRA (generic cell rate algorithm): one theoretical
 * arrival time per key, advanced with compare-and-swap, so several CPUs
 * police the same source exactly, without locks and without racy window
 * resets. A packet conforms when tat - now <= tolerance; it then moves
 * tat to max(tat, now) + interval. A fresh bucket admits `burst` packets
 * back to back, then one per interval.
 */
#ifndef FS_BUCKETS_BPF_H
#define FS_BUCKETS_BPF_H

#include "pkt.bpf.h"
#include "maps.bpf.h"
#include "cfg.bpf.h"
#include "keys.bpf.h"
#include "events.bpf.h"
#include "bans.bpf.h"

/* Result of fs_police_bucket(): which level, if any, refused. */
enum fs_level {
	FS_LEVEL_OK = 0,
	FS_LEVEL_OVER_SRC,
	FS_LEVEL_OVER_PREFIX,
};

/* Flag of fs_bucket_step()'s result: a ban found fs_bans full and waits
 * for fs_ban_pending(). */
#define FS_LEVEL_BAN_WAITS 0x100

/* Sets in the rate table: its size, read from the map (the loader may
 * resize it), over the ways. */
static __always_inline __u32 rate_sets(void)
{
	return ((struct bpf_map *)&FS_MAP_RATE)->max_entries / FS_RATE_WAYS;
}

/* The bucket for @k: its slot, or the idler slot of its set taken over
 * with a fresh bucket (full burst). Two CPUs taking the same slot for
 * different keys at once may leave it matching neither: both then start
 * afresh on their next packet (rate state is allowed to be forgotten,
 * never lists or bans). NULL only if the map lookup fails. */
static __always_inline struct fs_bucket_val *get_bucket(const struct fs_key *k)
{
	const struct fs_hkey *key = fs_hash_key();
	struct fs_rate_slot *a, *b, *v;
	__u32 i;

	if (!key)
		return NULL;
	i = fs_rate_set_index(k, rate_sets(), key) * FS_RATE_WAYS;
	a = bpf_map_lookup_elem(&FS_MAP_RATE, &i);
	i++;
	b = bpf_map_lookup_elem(&FS_MAP_RATE, &i);
	if (!a || !b)
		return NULL;
	if (fs_words_eq(&a->key, k, sizeof(*k) / 4))
		return &a->b;
	if (fs_words_eq(&b->key, k, sizeof(*k) / 4))
		return &b->b;
	v = READ_ONCE(a->b.tat_ns) <= READ_ONCE(b->b.tat_ns) ? a : b;
	fs_event(FS_E_RATE_NEW);
	if (v->key.bucket != FS_B_NONE)
		fs_event(FS_E_RATE_EVICTED);
	v->key = *k;
	v->b.tat_ns = 0;
	v->b.over = 0;
	return &v->b;
}

/* GCRA step. True if the packet conforms (and was charged); *full is
 * then set if the bucket had refilled completely (tat <= now: the key
 * stayed within its rate for at least a burst). Contention beyond
 * FS_CAS_TRIES passes the packet: fail open on rate, never on lists. */
static __always_inline bool gcra_conform(struct fs_bucket_val *b,
					 const struct fs_rate *r, __u64 now,
					 bool *full)
{
	__u64 old, tat, tolerance = r->tolerance_ns + fs_tick_ns();

#pragma unroll
	for (int i = 0; i < FS_CAS_TRIES; i++) {
		old = READ_ONCE(b->tat_ns);
		tat = old > now ? old : now;
		if (tat - now > tolerance)
			return false;
		if (__sync_val_compare_and_swap(&b->tat_ns, old,
						tat + r->interval_ns) == old) {
			*full = old <= now;
			return true;
		}
	}
	fs_event(FS_E_RATE_CONTENDED);
	*full = false;
	return true;
}

/* One level of one bucket. On a non-conforming packet, counts the
 * offence and bans the key once @ban_after offences are reached. The
 * count is forgotten only once the bucket refills completely, so a key
 * that keeps exceeding its rate, even by a little, is banned. Returns
 * 1 if the packet conforms, 0 if not, -1 if not and the ban it earned
 * waits for room in fs_bans (ban_key()). */
static __always_inline int police_key(const struct fs_key *k,
				      const struct fs_rate *r,
				      const struct fs_cfg *cfg,
				      enum fs_ban_reason why, __u32 ban_after,
				      __u64 now)
{
	struct fs_bucket_val *b;
	bool full;

	if (r->interval_ns == 0)
		return 1;
	b = get_bucket(k);
	if (!b)
		return 1;
	if (gcra_conform(b, r, now, &full)) {
		if (full && b->over)
			b->over = 0;
		return 1;
	}
	/* == rather than >=: of several CPUs past the mark, one bans */
	if (ban_after && __sync_add_and_fetch(&b->over, 1) == ban_after) {
		b->over = 0;
		return ban_key(k, cfg, why, now) ? -1 : 0;
	}
	return 0;
}

/* SYN buckets never ban: a SYN can be forged. */
static __always_inline __u32 bucket_ban_after(const struct fs_cfg *cfg,
					      enum fs_bucket b)
{
	switch (b) {
	case FS_B_CONN:
		return cfg->ban_after;
	case FS_B_HTTP_BAD:
		return 1;
	default:
		return 0;
	}
}

/* Ban reason for the source level of @bucket; the prefix level's is
 * the next value. */
static __always_inline enum fs_ban_reason bucket_ban_reason(enum fs_bucket b)
{
	switch (b) {
	case FS_B_HTTP_REQ:
		return FS_BAN_HTTP_RATE;
	case FS_B_HTTP_BAD:
		return FS_BAN_HTTP_BAD;
	case FS_B_CONN:
		return FS_BAN_CONN_RATE;
	default:
		return FS_BAN_MANUAL; /* never: ban_after is 0 */
	}
}

/* Police @bucket for the source, then for its prefix. Which buckets
 * ban: the conn bucket (proven connections: completed handshakes) after
 * ban.after offences; the bad-request bucket on its first excess (its
 * burst is the number of bad requests a source may send; they are only
 * charged on a real connection). SYN buckets never ban (a SYN can be
 * forged): an over-rate SYN is dropped or answered with a cookie. The
 * request bucket never bans (a flood of forged requests could otherwise
 * ban any address): an over-rate request is reset. SMTP buckets never
 * ban: an over-rate SYN is deferred. @bucket may carry FS_BKT_PROVEN:
 * the keys of proven sources, apart from the others' (so that forged
 * SYNs from a proven source's prefix do not drain its prefix bucket).
 * @rule: the reason the excess is counted under; under observe mode,
 * global or of that rule, offences build no ban, which would drop for
 * real once observing stops. A global function: verified once, not at
 * each of its callers. Returns an enum fs_level, with
 * FS_LEVEL_BAN_WAITS when a ban waits for room. */
__noinline int fs_bucket_step(const struct fs_pkt *p, __u32 bucket, __u32 rule,
			      __u64 now)
{
	const struct fs_cfg *cfg = fs_cfg_get();
	__u8 proven = !!(bucket & FS_BKT_PROVEN);
	enum fs_ban_reason why;
	const struct fs_limit *lim;
	struct fs_key k = {};
	__u32 ban_after;
	__u8 plen;
	int r;

	bucket &= ~FS_BKT_PROVEN;
	if (!p || !cfg || bucket >= FS_B_MAX)
		return FS_LEVEL_OK;
	why = bucket_ban_reason(bucket);
	ban_after = bucket_ban_after(cfg, bucket);
	if ((cfg->flags & FS_CFG_OBSERVE) ||
	    (rule < FS_R_MAX && (cfg->observe_mask & (1ull << rule))))
		ban_after = 0;
	lim = &cfg->limits[bucket];
	fs_make_key(&k, p, FS_PLEN_ADDR, bucket);
	k.pad[0] = proven;
	r = police_key(&k, &lim->src, cfg, why, ban_after, now);
	if (r <= 0)
		return FS_LEVEL_OVER_SRC | (r ? FS_LEVEL_BAN_WAITS : 0);
	plen = fs_prefix_len(p, cfg);
	if (plen == FS_PLEN_ADDR) /* the source's own key: charged already */
		return FS_LEVEL_OK;
	fs_make_key(&k, p, plen, bucket);
	k.pad[0] = proven;
	r = police_key(&k, &lim->prefix, cfg, why + 1, ban_after, now);
	if (r <= 0)
		return FS_LEVEL_OVER_PREFIX | (r ? FS_LEVEL_BAN_WAITS : 0);
	return FS_LEVEL_OK;
}

/* The slot of @k in the rate table, or NULL: never takes one. */
static __always_inline const struct fs_bucket_val *
find_bucket(const struct fs_key *k)
{
	const struct fs_hkey *key = fs_hash_key();
	struct fs_rate_slot *s;
	__u32 i;

	if (!key)
		return NULL;
	i = fs_rate_set_index(k, rate_sets(), key) * FS_RATE_WAYS;
	for (int w = 0; w < FS_RATE_WAYS; w++, i++) {
		s = bpf_map_lookup_elem(&FS_MAP_RATE, &i);
		if (s && fs_words_eq(&s->key, k, sizeof(*k) / 4))
			return &s->b;
	}
	return NULL;
}

/* Whether one packet now would conform to @r in @b (NULL: a key with no
 * slot, a full bucket), as gcra_conform() judges it, charging nothing. */
static __always_inline bool gcra_would_conform(const struct fs_bucket_val *b,
					       const struct fs_rate *r,
					       __u64 now)
{
	__u64 tat;

	if (!b || !r->interval_ns)
		return true;
	tat = READ_ONCE(b->tat_ns);
	return tat <= now || tat - now <= r->tolerance_ns + fs_tick_ns();
}

/* Peek at @bucket for @p's source, then its prefix: whether a packet
 * would conform, charging nothing and taking no slot. For evidence
 * anyone can forge (an SMTP SYN): the charge is made later, on proof
 * (bpf/session.bpf.h), so SYNs forged with a source's address never
 * drain its bucket. Returns an enum fs_level. A global function. */
__noinline int fs_bucket_peek(const struct fs_pkt *p, __u32 bucket, __u64 now)
{
	const struct fs_cfg *cfg = fs_cfg_get();
	const struct fs_limit *lim;
	struct fs_key k = {};
	__u8 plen;

	if (!p || !cfg || bucket >= FS_B_MAX)
		return FS_LEVEL_OK;
	/* 6.1: the checked register from here; clang would otherwise
	 * reload @bucket from k, stored before the test (6.1 links no
	 * bound to that copy) */
	barrier_var(bucket);
	lim = &cfg->limits[bucket];
	fs_make_key(&k, p, FS_PLEN_ADDR, bucket);
	if (!gcra_would_conform(find_bucket(&k), &lim->src, now))
		return FS_LEVEL_OVER_SRC;
	plen = fs_prefix_len(p, cfg);
	if (plen == FS_PLEN_ADDR)
		return FS_LEVEL_OK;
	fs_make_key(&k, p, plen, bucket);
	if (!gcra_would_conform(find_bucket(&k), &lim->prefix, now))
		return FS_LEVEL_OVER_PREFIX;
	return FS_LEVEL_OK;
}

/* Police @bucket (fs_bucket_step()); a ban that found fs_bans full then
 * takes the place of an older one (fs_ban_pending()). */
static __always_inline enum fs_level
fs_police_bucket(const struct fs_pkt *p, __u32 bucket, __u32 rule, __u64 now)
{
	int r = fs_bucket_step(p, bucket, rule, now);

	if (r & FS_LEVEL_BAN_WAITS)
		fs_ban_pending();
	return r & ~FS_LEVEL_BAN_WAITS;
}

#endif
