/* SPDX-License-Identifier: GPL-2.0 */
/* Stage 6, SMTP. Connection buckets per source and prefix with separate
 * rates for the source's DNS class (verified, unverified, failed: from
 * fs_dns, written by the daemon's verifier). An over-rate SYN is dropped:
 * mail servers take that as a temporary failure and retry later. An SMTP
 * session in progress is never reset. The client's EHLO/HELO name goes to
 * userspace with its address, de-duplicated and rate-bounded, so the
 * verifier checks new sources.
 */
#ifndef FS_SMTP_BPF_H
#define FS_SMTP_BPF_H

#include "buckets.bpf.h"
#include "scan.bpf.h"

#define FS_EHLO_WORDS	(FS_NAME_LEN / 8 + 1)	/* name bytes looked at, 8n */

static __always_inline enum fs_dns_class dns_class(const struct fs_pkt *p,
						   __u64 now)
{
	struct fs_dns_val *v;

	if (!fs_dns_may(p))	/* no verdict in the source's slot */
		return FS_DNS_UNVERIFIED;
	v = bpf_map_lookup_elem(&FS_MAP_DNS, p->src.b);
	if (!v || !fs_live(v->expires_ns, now) || v->class >= FS_DNS_CLASS_MAX)
		return FS_DNS_UNVERIFIED;
	return v->class;
}

/* The SMTP bucket and reasons of a DNS class (the enums are ordered
 * differently). Switches, not a table: the verifier then sees constants
 * where the bucket indexes fs_cfg.limits. */
struct smtp_class {
	enum fs_bucket bucket;
	enum fs_reason pass, defer;
};

static __always_inline struct smtp_class smtp_class_of(enum fs_dns_class c)
{
	switch (c) {
	case FS_DNS_VERIFIED:
		return (struct smtp_class){ FS_B_SMTP_VERIFIED, FS_R_SMTP_VERIFIED,
					    FS_R_SMTP_DEFER_VERIFIED };
	case FS_DNS_FAILED:
		return (struct smtp_class){ FS_B_SMTP_FAILED, FS_R_SMTP_FAILED,
					    FS_R_SMTP_DEFER_FAILED };
	default:
		return (struct smtp_class){ FS_B_SMTP_UNVERIFIED, FS_R_SMTP_UNVERIFIED,
					    FS_R_SMTP_DEFER_UNVERIFIED };
	}
}

/* Whether @p's source was reported within cfg->event_dedup_ns. */
static __always_inline bool seen_recently(const struct fs_pkt *p,
					  const struct fs_cfg *cfg, __u64 now)
{
	__u64 *last = bpf_map_lookup_elem(&FS_MAP_SEEN, p->src.b);

	return last && now - *last < cfg->event_dedup_ns;
}

/* Whether the global events bucket admits one more event. */
static __always_inline bool event_allowed(const struct fs_cfg *cfg, __u64 now)
{
	struct fs_bucket_val *b;
	__u32 zero = 0;
	bool full;

	if (!cfg->limits[FS_B_EVENTS].src.interval_ns)
		return true;
	b = bpf_map_lookup_elem(&FS_MAP_EVBUCKET, &zero);
	return b && gcra_conform(b, &cfg->limits[FS_B_EVENTS].src, now, &full);
}

/* Report @p's source to userspace: an event of @type with @name_len
 * bytes of name copied from frame offset @name_off. De-duplicated per
 * source (marked only once sent, so an event held back by the rate is
 * tried again), only for a source holding a connection (a forged one
 * could otherwise get any address verified), bounded by the events
 * bucket. A global function. */
__noinline int fs_report(struct xdp_md *ctx, const struct fs_pkt *p,
			 __u32 type, __u32 name_off, __u32 name_len)
{
	const struct fs_cfg *cfg = fs_cfg_get();
	struct fs_event_rec *rec;
	__u64 now = fs_now();

	if (!ctx || !p || !cfg || seen_recently(p, cfg, now) ||
	    !fs_connected(ctx, p))
		return 0;
	if (!event_allowed(cfg, now)) {
		fs_event(FS_E_EVENT_RATE);
		return 0;
	}
	rec = bpf_ringbuf_reserve(&FS_MAP_RING, sizeof(*rec), 0);
	if (!rec) {
		fs_event(FS_E_RING_FULL);
		return 0;
	}
	rec->type = type;
	rec->dport = bpf_ntohs(p->dport);
	rec->name_len = 0;
	rec->ts_ns = now;
	__builtin_memcpy(rec->addr, p->src.b, sizeof(rec->addr));
	if (name_len > 0 && name_len <= FS_NAME_LEN &&
	    bpf_xdp_load_bytes(ctx, name_off & FS_PAYLOAD_OFF_MAX, rec->name,
			       name_len) == 0)
		rec->name_len = name_len;
	bpf_ringbuf_submit(rec, 0);
	bpf_map_update_elem(&FS_MAP_SEEN, p->src.b, &now, BPF_ANY);
	fs_event(FS_E_EVENT_SENT);
	return 1;
}

/* Length of the EHLO/HELO argument at payload offset 5, or 0: the
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
		if (load8_tail(s, 5 + i * 8, &w))
			return 0;
		end = eq_bytes(w, '\r') | eq_bytes(w, '\n') | eq_bytes(w, ' ');
		if (end) {
			__u32 len = i * 8 + first_byte(end);

			return len <= FS_NAME_LEN ? len : 0;
		}
	}
	return 0;
}

/* An SMTP SYN, policed in the bucket of its source's DNS class. */
static __always_inline enum fs_reason police_smtp_syn(const struct fs_pkt *p)
{
	__u64 now = fs_now();
	struct smtp_class c = smtp_class_of(dns_class(p, now));

	if (fs_police_bucket(p, c.bucket, c.defer, now) != FS_LEVEL_OK)
		return c.defer;
	return c.pass;
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
	if (p->payload_len && fs_seg_init(&seg, ctx, p->payload_off) == 0) {
		len = ehlo_name_len(&seg);
		if (len)
			fs_report(ctx, p, FS_EV_EHLO, p->payload_off + 5, len);
	}
	return FS_R_SERVICE;
}

#endif
