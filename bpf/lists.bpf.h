/* SPDX-License-Identifier: GPL-2.0 */
/* Stage 2, lists: allowlist first (wins over every limit), then the
 * static blocklist, then dynamic bans of the source and of its prefix.
 * A prefilter (struct fs_filter) skips the lookups that cannot match.
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

static __always_inline bool fs_banned(const struct fs_key *k)
{
	struct fs_ban *ban = bpf_map_lookup_elem(&FS_MAP_BANS, k);

	return ban && fs_live_now(ban->expires_ns);
}

/* What a banned source's packet to service @svc gets. A segment of a
 * connection the source opened before the ban, to an HTTP or TCP service,
 * is reset, so the server's socket does not wait for a client whose
 * packets are dropped; only if the kernel's socket proves the segment
 * (fs_conn_proof()): a forged one is just dropped. A segment that repeats
 * one already turned into a RST, whose socket is gone, passes: the kernel
 * answers it with its own RST. SMTP sessions are never reset; SYNs and
 * the rest drop. */
static __always_inline enum fs_reason ban_reason_for(struct xdp_md *ctx,
						     const struct fs_pkt *p,
						     enum fs_svc svc)
{
	if (p->tcp_flags & (TCP_FLAG_SYN | TCP_FLAG_RST))
		return FS_R_BAN;
	if ((svc == FS_SVC_HTTP || svc == FS_SVC_TCP) && fs_connected(ctx, p))
		return FS_R_BAN_RESET;
	if (fs_retransmitted(p))
		return FS_R_RESET_FLOW;
	return FS_R_BAN;
}

/* Bans hold only for TCP to protected services: they are earned there,
 * possibly by forged SYNs (XXX: no SYN cookies), so they must not cut a
 * banned address's DNS answers or replies to this host's own
 * connections. The static blocklist holds for everything. The caller
 * (fs_prefilter) has checked that @p goes to a protected TCP service.
 * @cfg: the settings, or NULL to read them only if the source has no
 * ban (the prefix length is needed only then). */
static __always_inline enum fs_reason check_bans(struct xdp_md *ctx,
						 const struct fs_pkt *p,
						 const struct fs_cfg *cfg)
{
	struct fs_key bk = {};

	fs_make_key(&bk, p, 128, FS_B_NONE);
	if (fs_banned(&bk))
		return ban_reason_for(ctx, p, p->svc);
	if (!cfg)
		cfg = fs_cfg_get();
	if (!cfg)
		return FS_CONTINUE;
	fs_make_key(&bk, p, fs_prefix_len(p, cfg), FS_B_NONE);
	if (fs_banned(&bk))
		return ban_reason_for(ctx, p, p->svc);
	return FS_CONTINUE;
}

/* Whether fs_dns may hold a verdict for @p's source (its prefilter bit;
 * true without the map). */
static __always_inline bool fs_dns_may(const struct fs_pkt *p)
{
	const struct fs_filter *f = fs_filter_get();

	return !f || f->wide[FS_FILTER_DNS] ||
	       ((f->bits[FS_FILTER_DNS][(p->slot / 64) & (FS_FILTER_WORDS - 1)] >>
		 (p->slot % 64)) & 1);
}

/* Lookups fs_check_lists() is asked to make. */
#define FS_CHECK_ALLOW	(1u << FS_FILTER_ALLOW)
#define FS_CHECK_BLOCK	(1u << FS_FILTER_BLOCK)
#define FS_CHECK_BAN	(1u << FS_FILTER_BAN)

static __always_inline bool fs_filter_may(const struct fs_filter *f,
					  enum fs_filter_set set, __u32 slot)
{
	return f->wide[set] || ((f->bits[set][slot / 64] >> (slot % 64)) & 1);
}

/* The FS_CHECK_* lookups that @p needs: those of the sets whose
 * prefilter bit for the source's slot is set (all without the map).
 * Inline in the entry point: for most packets it is all there is. */
static __always_inline __u32 fs_prefilter(struct fs_pkt *p)
{
	const struct fs_filter *f = fs_filter_get();
	__u32 slot, need = 0;

	slot = fs_filter_slot(fs_filter_key(p->src.b, fs_is_v4mapped(p)));
	p->slot = slot;
	if (!f)
		return FS_CHECK_ALLOW | FS_CHECK_BLOCK | FS_CHECK_BAN;
	if (fs_filter_may(f, FS_FILTER_ALLOW, slot))
		need |= FS_CHECK_ALLOW;
	if (fs_filter_may(f, FS_FILTER_BLOCK, slot))
		need |= FS_CHECK_BLOCK;
	if (p->l4 == FS_L4_TCP && p->svc != FS_SVC_NONE &&
	    fs_filter_may(f, FS_FILTER_BAN, slot))
		need |= FS_CHECK_BAN;
	return need;
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

/* Whether the list @map (an LPM trie) holds a live entry for @p. */
static __always_inline bool listed(void *map, const struct fs_pkt *p)
{
	struct fs_lpm_key lk = { .prefixlen = 128 };
	struct fs_list_val *v;

	__builtin_memcpy(lk.addr, p->src.b, sizeof(lk.addr));
	v = bpf_map_lookup_elem(map, &lk);
	return v && fs_live_now(v->expires_ns);
}

/* Allowlist, blocklist, bans: the lookups in @need (FS_CHECK_*), in that
 * order. Inline in the entry point: no stage call on a drop path. */
static __always_inline enum fs_reason fs_check_lists(struct xdp_md *ctx,
						     const struct fs_pkt *p,
						     __u32 need)
{
	if ((need & FS_CHECK_ALLOW) && listed(&FS_MAP_ALLOW, p))
		return FS_R_ALLOW;
	if ((need & FS_CHECK_BLOCK) && listed(&FS_MAP_BLOCK, p))
		return FS_R_BLOCK;
	if (need & FS_CHECK_BAN)
		return check_bans(ctx, p, NULL);
	return FS_CONTINUE;
}

#endif
