/* SPDX-License-Identifier: GPL-2.0 */
/* Keys of the rate and ban maps (struct fs_key): a source masked to a
 * prefix length over the 16-byte form, and the compare of table keys. */
#ifndef FS_KEYS_BPF_H
#define FS_KEYS_BPF_H

#include "pkt.bpf.h"

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

/* Whether table keys @a and @b of @n 32-bit words, 5 or 6 (flow and
 * rate keys; fs_hash_words()), are equal. Straight code: a loop here
 * stays a loop in the program. */
static __always_inline bool fs_words_eq(const void *a, const void *b, int n)
{
	const __u32 *x = a, *y = b;

	return x[0] == y[0] && x[1] == y[1] && x[2] == y[2] && x[3] == y[3] &&
	       x[4] == y[4] && (n < 6 || x[5] == y[5]);
}

#endif
