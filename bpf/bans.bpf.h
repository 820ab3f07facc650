/* SPDX-License-Identifier: GPL-2.0 */
/* Dynamic bans (fs_bans): whether a key is banned, and making a ban
 * whose TTL doubles per repeat. Bans live in a plain hash, not an LRU:
 * a spoofed-source flood cannot evict them. */
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
	__u64 max = cfg->ban_ttl_max_ns ? cfg->ban_ttl_max_ns : FS_BAN_TTL_NO_CAP;
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

/* Ban the key of @k (bucket cleared) for its next TTL, then mark it in
 * the prefilter. A full map refuses the ban (FS_E_BAN_FAILED) until
 * userspace expires some. */
static __always_inline void ban_key(const struct fs_key *k,
				    const struct fs_cfg *cfg,
				    enum fs_ban_reason why, __u64 now)
{
	struct fs_key bk = *k;
	struct fs_ban ban = { .created_ns = now, .reason = why, .count = 1 };
	struct fs_ban *old;

	bk.bucket = FS_B_NONE;
	old = bpf_map_lookup_elem(&FS_MAP_BANS, &bk);
	if (old)
		ban.count = old->count + 1;
	ban.expires_ns = now + ban_ttl(cfg, ban.count);
	if (bpf_map_update_elem(&FS_MAP_BANS, &bk, &ban, BPF_ANY)) {
		fs_event(FS_E_BAN_FAILED);
		return;
	}
	fs_filter_mark_ban(&bk);
	fs_event(bk.plen == FS_PLEN_ADDR ? FS_E_BAN_SRC : FS_E_BAN_PREFIX);
}

#endif
