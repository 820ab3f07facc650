/* SPDX-License-Identifier: GPL-2.0 */
/* Stage 4 for a SYN to a TCP or HTTP service, and for the pure ACKs
 * that may carry a cookie back. SMTP SYNs go by DNS class (smtp.bpf.h).
 *
 * A SYN's source can be forged, so no SYN count bans and no SYN is
 * held against its address:
 * - a proven source (proven.bpf.h) is policed in SYN buckets of its own,
 *   which forged SYNs from its neighbours cannot drain; within them it
 *   passes, pressure or not (never a cookie: the kernel's handshake, full
 *   options);
 * - an unproven source within its buckets, with no pressure, passes too;
 * - over its buckets, or (unproven) under pressure (more SYNs than
 *   syn.guard), a SYN is answered with a SYN cookie (cookie.bpf.h) when
 *   syn.cookies allows and the kernel agrees; under pressure no bucket is
 *   charged for it, so a spoofed flood costs no state. When the kernel
 *   declines a cookie because it has room (`auto`, its SYN queue not
 *   full), or leaves the SYN to the kernel (IP options, TFO, no listener,
 *   a socket of its 4-tuple such as TIME_WAIT), the SYN passes to the
 *   kernel: a SYN is never dropped only because its source's bucket is
 *   spent, which SYNs forged with that address can do. With
 *   syn.cookies=off its buckets decide (syn_rate_*: dropped). So SYNs forged with a source's
 *   own address cost the real owner at most a cookie handshake (no
 *   window scaling), never its connection.
 * The ban evidence is the conn bucket, charged by proofs.
 */
#ifndef FS_SYN_BPF_H
#define FS_SYN_BPF_H

#include "pkt.bpf.h"
#include "cfg.bpf.h"
#include "events.bpf.h"
#include "buckets.bpf.h"
#include "conn.bpf.h"
#include "cookie.bpf.h"
#include "proven.bpf.h"

static __always_inline enum fs_bucket syn_bucket(enum fs_svc svc)
{
	if (svc == FS_SVC_HTTP)
		return FS_B_SYN_HTTP;
	return svc == FS_SVC_SMTP ? FS_B_SYN_SMTP : FS_B_SYN_TCP;
}

static __always_inline enum fs_reason syn_level_reason(int level)
{
	switch (level) {
	case FS_LEVEL_OVER_SRC:
		return FS_R_SYN_RATE_SRC;
	case FS_LEVEL_OVER_PREFIX:
		return FS_R_SYN_RATE_PREFIX;
	default:
		return FS_R_SERVICE;
	}
}

/* Whether cookies may be sent: syn.cookies on, and the SYN rule not
 * observed (observe mode changes no packet). */
static __always_inline bool cookies_on(const struct fs_cfg *cfg)
{
	return cfg->syn_cookies != FS_COOKIES_OFF &&
	       !(cfg->flags & FS_CFG_OBSERVE) &&
	       !(cfg->observe_mask & (1ull << FS_R_SYN_COOKIE));
}

/* Answer @p with a cookie (fs_syn_cookie()): FS_R_SYN_COOKIE (the packet
 * is the SYN-ACK), FS_R_SYN_COOKIE_BUDGET, FS_R_SERVICE when the kernel
 * has room (no cookie needed: its handshake) or when it is left to the
 * kernel for another cause (counted by cause: no listener, a socket of
 * the 4-tuple such as TIME_WAIT, IP options, TFO): never dropped for a
 * bucket that forged SYNs may have spent. A cookie sent opens the cookie-ACK window; in
 * `auto` mode it also extends the pressure (the kernel's queue is full). */
static __always_inline enum fs_reason
syn_cookie(struct xdp_md *ctx, const struct fs_pkt *p, const struct fs_cfg *cfg,
	   struct fs_syn_state *st, __u64 now)
{
	switch (fs_syn_cookie(ctx, p)) {
	case FS_COOKIE_SENT:
		window_extend(&st->cookie_until_ns, now, FS_COOKIE_WINDOW_NS);
		if (cfg->syn_cookies == FS_COOKIES_AUTO)
			window_extend(&st->pressure_until_ns, now,
				      cfg->syn_guard_hold_ns);
		return FS_R_SYN_COOKIE;
	case FS_COOKIE_BUDGET:
		return FS_R_SYN_COOKIE_BUDGET;
	case FS_COOKIE_ENOENT: /* the kernel has room: its handshake */
		fs_event(FS_E_COOKIE_ENOENT);
		return FS_R_SERVICE;
	default: /* left to the kernel: its socket, its handshake */
		fs_event(FS_E_COOKIE_ERR);
		return FS_R_SERVICE;
	}
}

/* Police a SYN to a TCP or HTTP service (above). A global function:
 * verified once. */
__noinline int fs_police_syn(struct xdp_md *ctx, const struct fs_pkt *p)
{
	const struct fs_cfg *cfg = fs_cfg_get();
	struct fs_syn_state *st = fs_syn_state();
	__u64 now = fs_now();
	enum fs_reason r;
	bool pressure, proven;
	int level = -1;

	if (!ctx || !p || !cfg || !st)
		return FS_R_SERVICE;
	pressure = fs_syn_pressure(st, cfg, now);
	proven = fs_is_proven(p, cfg, now);
	if (proven || !pressure) {
		level = fs_police_bucket(
			p, syn_bucket(p->svc) | (proven ? FS_BKT_PROVEN : 0),
			FS_R_SYN_RATE_SRC, now);
		if (level == FS_LEVEL_OK)
			return FS_R_SERVICE;
	}
	if (cookies_on(cfg)) {
		r = syn_cookie(ctx, p, cfg, st, now);
		if (r != FS_CONTINUE)
			return r;
	}
	if (level < 0)
		level = fs_police_bucket(p, syn_bucket(p->svc),
					 FS_R_SYN_RATE_SRC, now);
	return syn_level_reason(level);
}

/* A pure ACK: no data, no SYN, RST or FIN. */
static __always_inline bool fs_is_pure_ack(const struct fs_pkt *p)
{
	return !p->payload_len &&
	       (p->tcp_flags & (TCP_FLAG_SYN | TCP_FLAG_RST | TCP_FLAG_FIN |
				TCP_FLAG_ACK)) == TCP_FLAG_ACK;
}

/* A pure ACK to a TCP or HTTP service.
 * While cookies are out (fs_cookie_window()), it may be a cookie's ACK:
 * one that completes a handshake (fs_conn_handshake(): a valid cookie at
 * the listener, or a request socket's handshake) proves its source,
 * charged to the conn bucket on a TCP port (an HTTP port charges the
 * connection's first request instead); one that proves nothing is
 * counted (ack_bad_cookie) and passes: the kernel answers it. A later
 * ACK of a connection the kernel holds (a client of a server that
 * speaks first ACKs its data before sending any: FS_CONN_FIRST) is no
 * handshake and charges nothing, or each such ACK would count as a
 * connection. Outside the window a pure ACK costs nothing. A global
 * function. */
__noinline int fs_police_ack(struct xdp_md *ctx, const struct fs_pkt *p)
{
	int proof;

	if (!ctx || !p || !fs_cookie_window(fs_now()))
		return FS_R_SERVICE;
	proof = fs_conn_proof(ctx, p, NULL);
	if (fs_conn_handshake(proof)) {
		fs_prove(p, p->svc == FS_SVC_TCP);
		return FS_R_SYN_PROVEN;
	}
	return proof == FS_CONN_NONE ? FS_R_ACK_BAD_COOKIE : FS_R_SERVICE;
}

#endif
