// SPDX-License-Identifier: GPL-2.0
/* floodshield XDP program: parse -> lists -> police (SYN buckets, HTTP
 * inspection, SMTP) -> act/account.
 * This file includes the stages and only them; the stages include
 * helpers, never each other (docs/design.md, scripts/check-layers.sh).
 */
#include "parse.bpf.h"
#include "lists.bpf.h"
#include "syn.bpf.h"
#include "http.bpf.h"
#include "smtp.bpf.h"
#include "act.bpf.h"

/* A SYN to a protected service: the SYN stage (buckets, proven
 * sources, cookies); SMTP first by its source's DNS class (bucket and
 * pool), then, admitted and with syn.cookies on, by the SYN stage too,
 * so that port 25 gets SYN cookies as port 80 does (with cookies on the
 * SYN stage never drops for a spent bucket, which forged SYNs could
 * spend; with them off an SMTP SYN skips it). An SMTP SYN the SYN stage
 * passes keeps its class's reason. */
static __always_inline enum fs_reason police_syn(struct xdp_md *ctx,
						 const struct fs_pkt *p)
{
	const struct fs_cfg *cfg = fs_cfg_get();
	enum fs_reason r, s;

	if (p->svc != FS_SVC_SMTP)
		return fs_police_syn(ctx, p);
	r = police_smtp_syn(p);
	if (fs_reason_drops(r) || !cfg || !cookies_on(cfg))
		return r;
	s = fs_police_syn(ctx, p);
	return s == FS_R_SERVICE ? r : s;
}

/* The stage for a segment to a protected service. A global function:
 * verified once, whatever the parse path. */
__noinline int fs_police(struct xdp_md *ctx, const struct fs_pkt *p)
{
	const struct fs_cfg *cfg = fs_cfg_get();
	enum fs_svc svc;

	if (!ctx || !p || !cfg)
		return FS_R_SERVICE;
	svc = p->svc;
	if (svc == FS_SVC_NONE)
		return FS_R_NO_SERVICE;
	if (svc == FS_SVC_SMTP)
		return police_smtp(ctx, p);
	if (fs_is_syn(p))
		return fs_police_syn(ctx,
				     p); /* the entry point calls it first */
	if (fs_is_pure_ack(p))
		return fs_police_ack(ctx, p);
	return FS_R_SERVICE; /* HTTP data: fs_police_http(), called first */
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
	if (pkt.l4 == FS_L4_TCP) /* once, for the bans and the police */
		pkt.svc = fs_service(&pkt);
	need = fs_prefilter(&pkt);
	if (need) {
		r = fs_check_lists(ctx, &pkt, need);
		if (r == FS_R_ALLOW)
			smtp_allowed(ctx, &pkt);
		if (r != FS_CONTINUE)
			return act(ctx, &pkt, r);
	}
	if (pkt.l4 != FS_L4_TCP)
		return act(ctx, &pkt, fs_l4_reason(&pkt));
	if (pkt.svc == FS_SVC_NONE) /* no stage call for the common case */
		return act(ctx, &pkt, FS_R_NO_SERVICE);
	if (pkt.frag) /* no TCP stack fragments; reassembled, it is unseen */
		return act(ctx, &pkt, FS_R_TCP_FRAGMENT);
	if (fs_is_syn(&pkt)) { /* what a SYN flood sends */
		if (pkt.svc == FS_SVC_HTTP && pkt.data_len) /* TFO data */
			return act(ctx, &pkt, FS_R_SYN_DATA);
		return act(ctx, &pkt, police_syn(ctx, &pkt));
	}
	/* straight from here: the parser's frames need the stack */
	if (pkt.svc == FS_SVC_HTTP && pkt.data_len)
		return act(ctx, &pkt, fs_police_http(ctx, &pkt));
	r = fs_police(ctx, &pkt);
	return act(ctx, &pkt, r);
}

char LICENSE[] SEC("license") = "GPL";
