/* SPDX-License-Identifier: GPL-2.0 */
/* Stage 4 for a SYN to a TCP or HTTP service: the SYN buckets of its
 * service class, per source and per prefix. Over the rate the SYN is
 * dropped before a socket exists; a key that keeps exceeding it is
 * banned (buckets.bpf.h). SMTP SYNs go by DNS class (smtp.bpf.h).
 */
#ifndef FS_SYN_BPF_H
#define FS_SYN_BPF_H

#include "pkt.bpf.h"
#include "buckets.bpf.h"

static __always_inline enum fs_bucket syn_bucket(enum fs_svc svc)
{
	return svc == FS_SVC_HTTP ? FS_B_SYN_HTTP : FS_B_SYN_TCP;
}

/* Police a SYN to a TCP or HTTP service. Inline, so the entry point
 * polices a SYN with one stage call (the bucket), not two: a SYN
 * flood's path. */
static __always_inline enum fs_reason fs_police_syn(const struct fs_pkt *p)
{
	switch (fs_police_bucket(p, syn_bucket(p->svc), FS_R_SYN_RATE_SRC, fs_now())) {
	case FS_LEVEL_OVER_SRC:
		return FS_R_SYN_RATE_SRC;
	case FS_LEVEL_OVER_PREFIX:
		return FS_R_SYN_RATE_PREFIX;
	default:
		return FS_R_SERVICE;
	}
}

#endif
