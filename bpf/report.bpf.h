/* SPDX-License-Identifier: GPL-2.0 */
/* The report to the daemon through the ring buffer (fs_ring): a
 * source's address, and for SMTP its EHLO name, for the DNS verifier.
 * De-duplicated per source (fs_seen) and bounded by one global GCRA
 * bucket (fs_evbucket, events.rate). */
#ifndef FS_REPORT_BPF_H
#define FS_REPORT_BPF_H

#include "pkt.bpf.h"
#include "maps.bpf.h"
#include "cfg.bpf.h"
#include "events.bpf.h"
#include "buckets.bpf.h"
#include "conn.bpf.h"

/* Whether the source @src (16 bytes) was reported within
 * cfg->event_dedup_ns. */
static __always_inline bool seen_recently(const __u32 *src,
					  const struct fs_cfg *cfg, __u64 now)
{
	__u64 *last = bpf_map_lookup_elem(&FS_MAP_SEEN, src);

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
 * bucket. A first contact (FS_EV_CONTACT) is not de-duplicated here:
 * its caller sends it only for a source with no live verdict, and the
 * daemon writes a pending one at once, so that an EHLO that follows is
 * still reported. Returns 1 if sent. A global function. */
__noinline int fs_report(struct xdp_md *ctx, const struct fs_pkt *p, __u32 type,
			 __u32 name_off, __u32 name_len)
{
	const struct fs_cfg *cfg = fs_cfg_get();
	struct fs_event_rec *rec;
	__u64 now = fs_now();
	__u32 src[4]; /* the key on the stack: 6.1's verifier takes no
		       * PTR_TO_MEM (@p, an argument) as a map key */

	if (!ctx || !p)
		return 0;
	__builtin_memcpy(src, p->src.w, sizeof(src));
	if (!cfg || (type != FS_EV_CONTACT && seen_recently(src, cfg, now)) ||
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
			       FS_LEN_1_TO(name_len, FS_NAME_LEN)) == 0)
		rec->name_len = name_len;
	bpf_ringbuf_submit(rec, 0);
	if (type != FS_EV_CONTACT)
		bpf_map_update_elem(&FS_MAP_SEEN, src, &now, BPF_ANY);
	fs_event(FS_E_EVENT_SENT);
	return 1;
}

#endif
