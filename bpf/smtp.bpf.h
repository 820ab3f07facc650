/* SPDX-License-Identifier: GPL-2.0 */
/* Stage 6, SMTP. A SYN is admitted by its source's DNS class (verified,
 * unverified, failed, tempfail: from fs_dns, written by the daemon's
 * verifier): its class bucket and its pool of sessions must have room,
 * both only peeked at (bpf/session.bpf.h charges and counts the session
 * at its handshake). A SYN refused is dropped: mail servers take that as
 * a temporary failure and retry later. An SMTP session in progress is
 * never reset. The first proven segment of a new source reports it to
 * the daemon (first contact); the client's EHLO/HELO name follows,
 * de-duplicated and rate-bounded, as extra information.
 */
#ifndef FS_SMTP_BPF_H
#define FS_SMTP_BPF_H

#include "pkt.bpf.h"
#include "maps.bpf.h"
#include "filter.bpf.h"
#include "scan.bpf.h"
#include "buckets.bpf.h"
#include "report.bpf.h"
#include "conn.bpf.h"
#include "proven.bpf.h"
#include "session.bpf.h"

/* Bytes of "EHLO " or "HELO ": where the name starts. */
#define EHLO_CMD_LEN 5

/* Length of the EHLO/HELO argument at payload offset EHLO_CMD_LEN, or 0: the
 * command must be "EHLO " or "HELO " (any case), the name end at CR, LF
 * or a space within FS_NAME_LEN bytes. */
static __always_inline __u32 ehlo_name_len(const struct fs_seg *s)
{
	__u64 w, end;

	if (load8(s, 0, &w))
		return 0;
	w |= W8(0x20, 0x20, 0x20, 0x20, 0, 0, 0, 0);
	if ((w & W_MASK(5)) != W8('e', 'h', 'l', 'o', ' ', 0, 0, 0) &&
	    (w & W_MASK(5)) != W8('h', 'e', 'l', 'o', ' ', 0, 0, 0))
		return 0;
	for (__u32 i = 0; i < FS_EHLO_WORDS; i++) {
		if (load8_tail(s, EHLO_CMD_LEN + i * 8, &w))
			return 0;
		end = eq_bytes(w, '\r') | eq_bytes(w, '\n') | eq_bytes(w, ' ');
		if (end) {
			__u32 len = i * 8 + first_byte(end);

			return len <= FS_NAME_LEN ? len : 0;
		}
	}
	return 0;
}

/* An SMTP SYN: deferred (dropped) when its source's class bucket is
 * spent or its pool full, else passed. Both are peeks: the SYN could be
 * forged, so it charges nothing; the session is charged and counted at
 * its handshake (bpf/session.bpf.h). */
static __always_inline enum fs_reason police_smtp_syn(const struct fs_pkt *p)
{
	__u64 now = fs_now();
	enum fs_dns_class dc = fs_dns_class(p, now);
	struct fs_smtp_class c = fs_smtp_class_of(dc);

	if (fs_bucket_peek(p, c.bucket, now) != FS_LEVEL_OK)
		return c.defer;
	if (!fs_smtp_admit(fs_pool_of(dc)))
		return c.full;
	return c.pass;
}

/* An allowlisted source's segment, passed by the lists: its FIN or RST
 * still ends a session counted before the source was allowlisted (the
 * verifier allowlists a source under an allow_domain after its first
 * contact); nothing else of it is counted. */
static __always_inline void smtp_allowed(struct xdp_md *ctx,
					 const struct fs_pkt *p)
{
	if (p->svc == FS_SVC_SMTP && p->l4 == FS_L4_TCP && !fs_is_syn(p) &&
	    (p->tcp_flags & (TCP_FLAG_FIN | TCP_FLAG_RST)))
		fs_smtp_session(ctx, p);
}

/* SMTP for a parsed TCP packet: SYNs are policed by DNS class; a client
 * segment starting with EHLO/HELO reports the name; everything else of a
 * session passes. */
static __always_inline enum fs_reason police_smtp(struct xdp_md *ctx,
						  const struct fs_pkt *p)
{
	struct fs_seg seg;
	__u32 len;

	if (fs_is_syn(p))
		return police_smtp_syn(p);
	if (fs_smtp_session(ctx, p))
		fs_smtp_contact(ctx, p);
	if (p->payload_len && fs_seg_init(&seg, ctx, p->payload_off) == 0) {
		len = ehlo_name_len(&seg);
		if (!len)
			return FS_R_SERVICE;
		/* a connection's first client data: its handshake was real */
		if (fs_conn_first(fs_conn_proof(ctx, p, NULL)))
			fs_prove(p, true);
		fs_report(ctx, p, FS_EV_EHLO, p->payload_off + EHLO_CMD_LEN,
			  len);
	}
	return FS_R_SERVICE;
}

#endif
