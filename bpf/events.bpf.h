/* SPDX-License-Identifier: GPL-2.0 */
/* Event counters (fs_events, per CPU, indexed by enum fs_event): what
 * happened besides verdicts (bans made, table slots taken, contention,
 * events sent or held back). The ring-buffer report is report.bpf.h. */
#ifndef FS_EVENTS_BPF_H
#define FS_EVENTS_BPF_H

#include "pkt.bpf.h"
#include "maps.bpf.h"

static __always_inline void fs_event(enum fs_event e)
{
	__u32 key = e;
	__u64 *v = bpf_map_lookup_elem(&FS_MAP_EVENTS, &key);

	if (v)
		*v += 1;
}

#endif
