/* SPDX-License-Identifier: GPL-2.0 */
/* Stage 2, lists: allowlist first (wins over every limit), then the
 * static blocklist, then dynamic bans of the source and of its prefix.
 *
 * XXX: the LPM tries return the longest match only, so an expired
 * longer entry hides a live shorter one until userspace sweeps it.
 */
#ifndef FS_LISTS_BPF_H
#define FS_LISTS_BPF_H

#include "maps.bpf.h"

/* Mask of the 32-bit word @i of a @plen-bit prefix, network order. */
static __always_inline __u32 fs_word_mask(__u32 plen, int i)
{
	__u32 lo = i * 32;

	if (plen >= lo + 32)
		return 0xffffffff;
	if (plen <= lo)
		return 0;
	return bpf_htonl(0xffffffff << (32 - (plen - lo)));
}

/* Prefix length of the per-prefix level for this source, over the
 * 128-bit form. */
static __always_inline __u8 fs_prefix_len(const struct fs_pkt *p,
					  const struct fs_cfg *cfg)
{
	if (fs_is_v4mapped(p))
		return FS_V4_MAPPED_PLEN + cfg->v4_prefix;
	return cfg->v6_prefix;
}

/* A zeroed key holding the source masked to @plen. */
static __always_inline void fs_make_key(struct fs_key *k,
					const struct fs_pkt *p, __u8 plen,
					enum fs_bucket b)
{
#pragma unroll
	for (int i = 0; i < 4; i++)
		((__u32 *)k->addr)[i] = p->src.w[i] & fs_word_mask(plen, i);
	k->plen = plen;
	k->bucket = b;
}

static __always_inline bool fs_banned(const struct fs_key *k, __u64 now)
{
	struct fs_ban *ban = bpf_map_lookup_elem(&FS_MAP_BANS, k);

	return ban && now < ban->expires_ns;
}

static __always_inline enum fs_reason check_lists(const struct fs_pkt *p,
						  const struct fs_cfg *cfg,
						  __u64 now)
{
	struct fs_lpm_key lk = { .prefixlen = 128 };
	struct fs_list_val *allow;
	struct fs_list_val *block;
	struct fs_key bk = {};

	__builtin_memcpy(lk.addr, p->src.b, sizeof(lk.addr));
	allow = bpf_map_lookup_elem(&FS_MAP_ALLOW, &lk);
	if (allow && fs_live(allow->expires_ns, now))
		return FS_R_ALLOW;
	block = bpf_map_lookup_elem(&FS_MAP_BLOCK, &lk);
	if (block && fs_live(block->expires_ns, now))
		return FS_R_BLOCK;
	fs_make_key(&bk, p, 128, FS_B_NONE);
	if (fs_banned(&bk, now))
		return FS_R_BAN;
	fs_make_key(&bk, p, fs_prefix_len(p, cfg), FS_B_NONE);
	if (fs_banned(&bk, now))
		return FS_R_BAN;
	return FS_CONTINUE;
}

#endif
