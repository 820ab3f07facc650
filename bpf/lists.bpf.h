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

#include "pkt.bpf.h"
#include "maps.bpf.h"
#include "cfg.bpf.h"
#include "keys.bpf.h"
#include "filter.bpf.h"
#include "bans.bpf.h"
#include "flows.bpf.h"
#include "conn.bpf.h"
#include "csum.bpf.h"
#include "reply.bpf.h"

/* What a banned source's packet to service @svc gets. A segment of a
 * connection the source opened before the ban, to an HTTP or TCP service,
 * is reset, so the server's socket does not wait for a client whose
 * packets are dropped; only if the kernel's socket proves the segment
 * (fs_conn_proof()): a forged one is just dropped. A segment that repeats
 * one already turned into a RST, whose socket is gone, passes: the kernel
 * answers it with its own RST. SMTP sessions are never reset; SYNs and
 * the rest drop. */
static __always_inline enum fs_reason
ban_reason_for(struct xdp_md *ctx, const struct fs_pkt *p, enum fs_svc svc)
{
	int proof;

	if (p->tcp_flags & (TCP_FLAG_SYN | TCP_FLAG_RST))
		return FS_R_BAN;
	if (svc == FS_SVC_HTTP || svc == FS_SVC_TCP) {
		proof = fs_conn_proof(ctx, p, NULL);
		if (proof != FS_CONN_NONE && !fs_tcp_csum_ok(ctx, p))
			return FS_R_BAN;
		if (proof == FS_CONN_COOKIE) /* never pass: it would connect */
			return fs_cookie_reset(ctx, p, FS_R_BAN_RESET);
		if (proof != FS_CONN_NONE)
			return FS_R_BAN_RESET;
	}
	if (fs_retransmitted(ctx, p))
		return FS_R_RESET_FLOW;
	return FS_R_BAN;
}

/* Bans hold only for TCP to protected services: they are earned there
 * (proven connections over their rate, bad requests on connections the
 * kernel holds; never SYN counts), so they do not cut a banned address's
 * DNS answers or replies to this host's own connections. The static blocklist holds for everything.
 * Called only for a packet to a protected TCP service (fs_prefilter()
 * asks for FS_CHECK_BAN for no other). @cfg: the settings, or NULL to
 * read them only if the source has no ban (the prefix length is needed
 * only then). */
static __always_inline enum fs_reason
check_bans(struct xdp_md *ctx, const struct fs_pkt *p, const struct fs_cfg *cfg)
{
	struct fs_key bk = {};

	fs_make_key(&bk, p, FS_PLEN_ADDR, FS_B_NONE);
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

/* Lookups fs_check_lists() is asked to make. */
#define FS_CHECK_ALLOW (1u << FS_FILTER_ALLOW)
#define FS_CHECK_BLOCK (1u << FS_FILTER_BLOCK)
#define FS_CHECK_BAN   (1u << FS_FILTER_BAN)

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

/* Whether the list @map (an LPM trie) holds a live entry for @p. */
static __always_inline bool listed(void *map, const struct fs_pkt *p)
{
	struct fs_lpm_key lk = {.prefixlen = FS_PLEN_ADDR};
	struct fs_list_val *v;

	__builtin_memcpy(lk.addr, p->src.b, sizeof(lk.addr));
	v = bpf_map_lookup_elem(map, &lk);
	return v && fs_live_now(v->expires_ns);
}

/* Allowlist, blocklist, bans: the lookups in @need (FS_CHECK_*), in that
 * order. Inline in the entry point: no stage call on a drop path. */
static __always_inline enum fs_reason
fs_check_lists(struct xdp_md *ctx, const struct fs_pkt *p, __u32 need)
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
