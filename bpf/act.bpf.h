/* SPDX-License-Identifier: GPL-2.0 */
/* Stages 7 and 8: the verdict from the reason, observe mode, and the
 * per-CPU counters. */
#ifndef FS_ACT_BPF_H
#define FS_ACT_BPF_H

#include "maps.bpf.h"

static __always_inline bool fs_observing(const struct fs_cfg *cfg,
					 enum fs_reason r)
{
	if (!cfg)
		return true;
	return (cfg->flags & FS_CFG_OBSERVE) ||
	       (cfg->observe_mask & (1ull << r));
}

static __always_inline void account(enum fs_reason r, __u32 len,
				    bool observed)
{
	__u32 key = r;
	struct fs_counter *c = bpf_map_lookup_elem(&FS_MAP_STATS, &key);

	if (!c)
		return;
	if (observed) {
		c->observed_packets += 1;
		c->observed_bytes += len;
	} else {
		c->packets += 1;
		c->bytes += len;
	}
}

/* Count the packet under @r and return its verdict. A dropping reason
 * under observe mode is counted as observed and passed. */
static __always_inline int act(const struct fs_pkt *p,
			       const struct fs_cfg *cfg, enum fs_reason r)
{
	bool observed = fs_reason_drops(r) && fs_observing(cfg, r);

	if (r >= FS_R_MAX)
		return XDP_ABORTED;
	account(r, p->len, observed);
	if (!fs_reason_drops(r) || observed)
		return XDP_PASS;
	return XDP_DROP;
}

#endif
