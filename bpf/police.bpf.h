/* SPDX-License-Identifier: GPL-2.0 */
/* Stages 3 to 6 for a parsed TCP packet: the service class by
 * destination port, then SYN policing, HTTP inspection or SMTP. */
#ifndef FS_POLICE_BPF_H
#define FS_POLICE_BPF_H

#include "buckets.bpf.h"
#include "http.bpf.h"
#include "smtp.bpf.h"

static __always_inline enum fs_bucket syn_bucket(enum fs_svc svc)
{
	return svc == FS_SVC_HTTP ? FS_B_SYN_HTTP : FS_B_SYN_TCP;
}

/* SYN policing for a TCP or HTTP service; SMTP SYNs go by the source's
 * DNS class. Inline, so the entry point polices a SYN with one stage
 * call (the bucket), not two: a SYN flood's path. */
static __always_inline enum fs_reason fs_police_syn(const struct fs_pkt *p)
{
	if (p->svc == FS_SVC_SMTP)
		return police_smtp_syn(p);
	switch (fs_police_bucket(p, syn_bucket(p->svc), FS_R_SYN_RATE_SRC, fs_now())) {
	case FS_LEVEL_OVER_SRC:
		return FS_R_SYN_RATE_SRC;
	case FS_LEVEL_OVER_PREFIX:
		return FS_R_SYN_RATE_PREFIX;
	default:
		return FS_R_SERVICE;
	}
}

/* Inspect an HTTP segment and charge the request buckets: every request
 * start the request bucket, a bad one also the bad-request bucket; but
 * only a segment the kernel's socket proves (fs_conn_proof()): a forged
 * one is charged to no one. A bad request without that proof is dropped
 * (no_conn), unless it repeats a segment already turned into a RST, whose
 * socket is gone: that one passes, for the kernel to answer with its own
 * RST. A segment whose socket still holds is judged again, whatever was
 * remembered of its flow (a twin with a bad checksum, whose RST the kernel
 * dropped; a new connection on the same ports). */
static __always_inline enum fs_reason police_http(struct xdp_md *ctx,
						  const struct fs_pkt *p,
						  const struct fs_cfg *cfg,
						  __u64 now)
{
	enum fs_reason r = fs_http_judge(ctx, p->payload_off, cfg->http_flags);
	bool proven;

	if (r == FS_R_SERVICE)
		return r;
	proven = fs_connected(ctx, p);
	if (fs_reason_resets(r)) {
		if (!proven)
			return fs_retransmitted(p) ? FS_R_RESET_FLOW : FS_R_NO_CONN;
		fs_police_bucket(p, FS_B_HTTP_BAD, r, now);
		return r;
	}
	if (!proven)
		return r;
	switch (fs_police_bucket(p, FS_B_HTTP_REQ, FS_R_HTTP_RATE_SRC, now)) {
	case FS_LEVEL_OVER_SRC:
		return FS_R_HTTP_RATE_SRC;
	case FS_LEVEL_OVER_PREFIX:
		return FS_R_HTTP_RATE_PREFIX;
	default:
		break;
	}
	/* a client that completed a request: worth a crawler check */
	if (r == FS_R_HTTP_OK && (cfg->flags & FS_CFG_VERIFY_HTTP))
		fs_report(ctx, p, FS_EV_SOURCE, 0, 0);
	return r;
}

/* Service, SYN policing and inspection for a parsed TCP packet. A
 * global function: verified once, whatever the parse path. */
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
	/* the clock only where a bucket needs it: not for plain segments */
	if (!fs_is_syn(p))
		return svc == FS_SVC_HTTP && p->payload_len ?
			       police_http(ctx, p, cfg, fs_now()) : FS_R_SERVICE;
	return fs_police_syn(p);	/* the entry point calls it first */
}

#endif
