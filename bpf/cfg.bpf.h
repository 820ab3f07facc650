/* SPDX-License-Identifier: GPL-2.0 */
/* The settings userspace writes: fs_cfg (limits, flags, observe mode)
 * and the service class of each TCP port (fs_services). */
#ifndef FS_CFG_BPF_H
#define FS_CFG_BPF_H

#include "pkt.bpf.h"
#include "maps.bpf.h"

/* The settings, or NULL if the map lookup fails. */
static __always_inline const struct fs_cfg *fs_cfg_get(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&FS_MAP_CFG, &zero);
}

/* The service class of @p's destination port (valid for FS_L4_TCP). */
static __always_inline enum fs_svc fs_service(const struct fs_pkt *p)
{
	__u32 port = bpf_ntohs(p->dport);
	enum fs_svc *svc = bpf_map_lookup_elem(&FS_MAP_SVC, &port);

	return svc ? *svc : FS_SVC_NONE;
}

/* Whether @r is only observed (global observe mode, or that rule's);
 * without the settings, observed: never drop on a failed lookup. */
static __always_inline bool fs_observing(const struct fs_cfg *cfg,
					 enum fs_reason r)
{
	if (!cfg)
		return true;
	return (cfg->flags & FS_CFG_OBSERVE) ||
	       (cfg->observe_mask & (1ull << r));
}

#endif
