/* SPDX-License-Identifier: GPL-2.0 */
/* Dynamic bans (fs_bans): whether a key is banned, and making a ban
 * whose TTL doubles per repeat. Bans live in a plain hash, not an LRU,
 * so that a lookup costs no LRU bookkeeping and a ban is never pushed
 * out unseen. Every ban the program makes rests on evidence an off-path
 * spoofer cannot forge (docs/threat-model.md), so when the map is full
 * a new ban takes the place of an older one (fs_ban_evict()): the map
 * cannot be filled against real offenders. */
#ifndef FS_BANS_BPF_H
#define FS_BANS_BPF_H

#include "pkt.bpf.h"
#include "maps.bpf.h"
#include "events.bpf.h"
#include "filter.bpf.h"

/* Whether ban key @k (bucket FS_B_NONE) holds a live ban. */
static __always_inline bool fs_banned(const struct fs_key *k)
{
	struct fs_ban *ban = bpf_map_lookup_elem(&FS_MAP_BANS, k);

	return ban && fs_live_now(ban->expires_ns);
}

/* TTL of the n-th ban (n >= 1) of a key: doubles per repeat, capped. */
static __always_inline __u64 ban_ttl(const struct fs_cfg *cfg, __u32 n)
{
	__u64 max = cfg->ban_ttl_max_ns ? cfg->ban_ttl_max_ns
					: FS_BAN_TTL_NO_CAP;
	__u32 shift = n - 1;

	if (shift > cfg->ban_shift_max)
		shift = cfg->ban_shift_max;
	if (shift > FS_BAN_SHIFT_CAP)
		shift = FS_BAN_SHIFT_CAP;
	/* saturate instead of overflowing */
	if (cfg->ban_ttl_ns > (max >> shift))
		return max;
	return cfg->ban_ttl_ns << shift;
}

/* bpf_for_each_map_elem() callback over fs_bans: pick the entry that
 * expires first, stop at an expired one or after FS_BAN_EVICT_SCAN
 * entries. Bans that never expire (operators') are never picked. @ctx
 * points to a pointer to the per-CPU scratch (the callback's context
 * must be on the stack). */
static long ban_evict_pick(struct bpf_map *map, const void *key, void *val,
			   void *ctx)
{
	struct fs_ban_scratch *c = *(struct fs_ban_scratch **)ctx;
	const struct fs_ban *b = val;

	if (b->expires_ns &&
	    (!c->found || b->expires_ns < c->pick_expires_ns)) {
		c->pick_expires_ns = b->expires_ns;
		__builtin_memcpy(&c->pick, key, sizeof(c->pick));
		c->found = 1;
	}
	if (c->found && c->pick_expires_ns <= c->ban.created_ns)
		return 1;
	return ++c->seen >= FS_BAN_EVICT_SCAN;
}

/* Record ban @bk in the map, then mark it in the prefilter. */
static __always_inline int ban_put(const struct fs_key *bk,
				   const struct fs_ban *ban)
{
	if (bpf_map_update_elem(&FS_MAP_BANS, bk, ban, BPF_ANY))
		return -1;
	fs_filter_mark_ban(bk);
	fs_event(bk->plen == FS_PLEN_ADDR ? FS_E_BAN_SRC : FS_E_BAN_PREFIX);
	return 0;
}

/* The ban that ban_key() could not record because fs_bans was full,
 * waiting in this CPU's scratch: it takes the place of the entry that
 * expires first among the first FS_BAN_EVICT_SCAN (an expired one at
 * once). Only a map full of bans that never expire refuses it
 * (FS_E_BAN_FAILED). The evicted ban's prefilter bit stays set (a false
 * positive costs one lookup; userspace rebuilds the bits as it expires
 * bans). A global function, called by fs_police_bucket() apart from the
 * bucket step, so that the map walk's frames do not sit on the deepest
 * call chain. */
__noinline int fs_ban_pending(void)
{
	__u32 zero = 0;
	struct fs_ban_scratch *c = bpf_map_lookup_elem(&fs_ban_scratch, &zero);

	if (!c || !c->pending)
		return 0;
	c->pending = 0;
	c->found = 0;
	c->seen = 0;
	bpf_for_each_map_elem(&FS_MAP_BANS, ban_evict_pick, &c, 0);
	if (!c->found || bpf_map_delete_elem(&FS_MAP_BANS, &c->pick) ||
	    ban_put(&c->key, &c->ban)) {
		fs_event(FS_E_BAN_FAILED);
		return -1;
	}
	fs_event(FS_E_BAN_EVICTED);
	return 0;
}

/* Ban the key of @k (bucket cleared) for its next TTL, then mark it in
 * the prefilter. 0; or -1 when fs_bans is full: the ban then waits in
 * this CPU's scratch for fs_ban_pending(), which makes room. */
static __always_inline int ban_key(const struct fs_key *k,
				   const struct fs_cfg *cfg,
				   enum fs_ban_reason why, __u64 now)
{
	struct fs_key bk = *k;
	struct fs_ban ban = {.created_ns = now, .reason = why, .count = 1};
	struct fs_ban_scratch *c;
	struct fs_ban *old;
	__u32 zero = 0;

	bk.bucket = FS_B_NONE;
	bk.pad[0] =
		0; /* a proven source's bucket key: its ban is the source's */
	old = bpf_map_lookup_elem(&FS_MAP_BANS, &bk);
	if (old)
		ban.count = old->count + 1;
	ban.expires_ns = now + ban_ttl(cfg, ban.count);
	if (ban_put(&bk, &ban) == 0)
		return 0;
	c = bpf_map_lookup_elem(&fs_ban_scratch, &zero);
	if (!c) {
		fs_event(FS_E_BAN_FAILED);
		return 0;
	}
	c->key = bk;
	c->ban = ban;
	c->pending = 1;
	return -1;
}

#endif
