/* SPDX-License-Identifier: GPL-2.0 */
/* The prefilter (struct fs_filter in maps/floodshield.h): one bit per
 * source slot and set, read before the list and ban lookups, and set by
 * the program for the bans it makes. */
#ifndef FS_FILTER_BPF_H
#define FS_FILTER_BPF_H

#include "pkt.bpf.h"
#include "maps.bpf.h"

static __always_inline struct fs_filter *fs_filter_get(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&FS_MAP_FILTER, &zero);
}

/* Whether set @set may hold an entry covering a source of @slot. */
static __always_inline bool fs_filter_may(const struct fs_filter *f,
					  enum fs_filter_set set, __u32 slot)
{
	return f->wide[set] || ((f->bits[set][slot / 64] >> (slot % 64)) & 1);
}

/* Whether fs_dns may hold a verdict for @p's source (its prefilter bit;
 * true without the map). */
static __always_inline bool fs_dns_may(const struct fs_pkt *p)
{
	const struct fs_filter *f = fs_filter_get();

	return !f || f->wide[FS_FILTER_DNS] ||
	       ((f->bits[FS_FILTER_DNS]
			[(p->slot / 64) & (FS_FILTER_WORDS - 1)] >>
		 (p->slot % 64)) &
		1);
}

/* Set the prefilter bits of ban key @k (after the ban is in fs_bans): its
 * slot, or the slots under a prefix shorter than a slot (an IPv4 /24
 * ban: 4 of them); past FS_FILTER_BPF_SPAN, the ban set goes wide. */
static __always_inline void fs_filter_mark_ban(const struct fs_key *k)
{
	struct fs_filter *f = fs_filter_get();
	bool v4 = k->plen >= FS_V4_MAPPED_PLEN &&
		  fs_words_v4mapped((const __u32 *)k->addr);
	__u32 keylen = v4 ? FS_FILTER_V4_KEY : FS_FILTER_V6_KEY;
	__u32 pl = v4 ? k->plen - FS_V4_MAPPED_PLEN : k->plen;
	__u64 key = fs_filter_key(k->addr, v4);
	__u32 span = pl < keylen ? keylen - pl : 0, slot;

	if (!f)
		return;
	if (span > FS_FILTER_BPF_SPAN) {
		__sync_fetch_and_or(&f->wide[FS_FILTER_BAN], 1);
		return;
	}
	for (__u32 i = 0; i < (1u << FS_FILTER_BPF_SPAN); i++) {
		if (i >= (1u << span))
			break;
		slot = fs_filter_slot(key | (__u64)i << (64 - keylen));
		__sync_fetch_and_or(&f->bits[FS_FILTER_BAN][slot / 64],
				    1ull << (slot % 64));
	}
}

#endif
