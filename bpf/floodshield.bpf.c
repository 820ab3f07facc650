// SPDX-License-Identifier: GPL-2.0
/* floodshield XDP program: parse -> lists -> police (and HTTP inspection)
 * -> act/account.
 * The stages live in the headers beside this file; see docs/design.md.
 */
#include "common.bpf.h"
#include "maps.bpf.h"
#include "parse.bpf.h"
#include "lists.bpf.h"
#include "http.bpf.h"
#include "buckets.bpf.h"
#include "police.bpf.h"
#include "act.bpf.h"

/* Reason for a packet that got past the lists but is not policed. */
static __always_inline enum fs_reason l4_reason(const struct fs_pkt *p)
{
	switch (p->l4) {
	case FS_L4_FRAGMENT:
		return FS_R_FRAGMENT;
	case FS_L4_MALFORMED:
		return FS_R_MALFORMED_L4;
	default:
		return FS_R_NOT_TCP;
	}
}

SEC("xdp")
int floodshield(struct xdp_md *ctx)
{
	struct fs_pkt pkt = {};
	enum fs_reason r;
	__u32 need;

	r = parse_packet(ctx, &pkt);
	if (r != FS_CONTINUE)
		return act(ctx, &pkt, r);
	if (pkt.l4 == FS_L4_TCP)	/* once, for the bans and the police */
		pkt.svc = fs_service(&pkt);
	need = fs_prefilter(&pkt);
	if (need) {
		r = fs_check_lists(ctx, &pkt, need);
		if (r != FS_CONTINUE)
			return act(ctx, &pkt, r);
	}
	if (pkt.l4 != FS_L4_TCP)
		return act(ctx, &pkt, l4_reason(&pkt));
	if (pkt.svc == FS_SVC_NONE)	/* no stage call for the common case */
		return act(ctx, &pkt, FS_R_NO_SERVICE);
	if (fs_is_syn(&pkt))		/* what a SYN flood sends */
		return act(ctx, &pkt, fs_police_syn(&pkt));
	r = fs_police(ctx, &pkt);
	return act(ctx, &pkt, r);
}

char LICENSE[] SEC("license") = "GPL";
