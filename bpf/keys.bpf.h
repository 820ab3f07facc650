/* SPDX-License-Identifier: GPL-2.0 */
/* Keys of the rate and ban maps (struct fs_key): a source masked to a
 * prefix length over the 16-byte form, and the compare of table keys. */
#ifndef FS_KEYS_BPF_H
#define FS_KEYS_BPF_H

#include "pkt.bpf.h"
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

/* The index of fs_hkey's one entry, in .rodata: a lookup's key may be
 * a map value, and so no frame that inlines fs_hash_key() holds a stack
 * slot for it (6.1 sums the frames of a call chain, 512 bytes at most;
 * the entry point's is in every chain). */
const volatile __u32 fs_hkey_index = 0;

/* The set hashes' key (fs_hkey, struct fs_hkey), for fs_hash_words()
 * and the set indexes of maps/hash.h: an array lookup the verifier
 * inlines. NULL only if the lookup fails (never: one entry). */
static __always_inline const struct fs_hkey *fs_hash_key(void)
{
	return bpf_map_lookup_elem(&FS_MAP_HKEY, (const void *)&fs_hkey_index);
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
