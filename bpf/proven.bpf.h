/* SPDX-License-Identifier: GPL-2.0 */
/* Proven sources (fs_proven, struct fs_proven_slot): sources that showed
 * evidence an off-path sender cannot forge, a completed TCP handshake
 * (an ACK with a valid SYN cookie, or a connection's first request or
 * EHLO on a socket the kernel holds: conn.bpf.h). Their SYNs are never
 * answered with a cookie, and are policed in buckets of their own, which
 * forged SYNs from their neighbours cannot drain. Proofs are charged to
 * the conn bucket, the one bucket whose excess bans: ban evidence is a
 * rate of completed handshakes, never a rate of SYNs.
 */
#ifndef FS_PROVEN_BPF_H
#define FS_PROVEN_BPF_H

#include "pkt.bpf.h"
#include "maps.bpf.h"
#include "cfg.bpf.h"
#include "events.bpf.h"
#include "filter.bpf.h"
#include "buckets.bpf.h"
#include "keys.bpf.h"

/* The fs_dns entry of @p's source, live or not, or NULL. */
static __always_inline const struct fs_dns_val *
fs_dns_entry(const struct fs_pkt *p)
{
	__u32 src[4]; /* on the stack: see fs_report() */

	if (!fs_dns_may(p)) /* no verdict in the source's slot */
		return NULL;
	__builtin_memcpy(src, p->src.w, sizeof(src));
	return bpf_map_lookup_elem(&FS_MAP_DNS, src);
}

/* Whether entry @v is live: its expiry not passed. */
static __always_inline bool fs_dns_live(const struct fs_dns_val *v, __u64 now)
{
	return v && fs_live(v->expires_ns, now);
}

/* The live fs_dns entry of @p's source (its expiry not passed), or
 * NULL. */
static __always_inline const struct fs_dns_val *
fs_dns_get(const struct fs_pkt *p, __u64 now)
{
	const struct fs_dns_val *v = fs_dns_entry(p);

	return fs_dns_live(v, now) ? v : NULL;
}

/* The DNS class entry @v (live or not, fs_dns_entry()) gives at @now:
 * a live entry's class; a `verified` one also for FS_DNS_STALE_NS past
 * its expiry (served stale while the daemon checks it again: the
 * source's next session reports it as a first contact, since it has no
 * live verdict), so that an expiring verdict never drops a verified
 * sender into the open pool that bots may hold; else unverified. */
static __always_inline enum fs_dns_class
fs_dns_class_at(const struct fs_dns_val *v, __u64 now)
{
	if (!v || v->class >= FS_DNS_CLASS_MAX)
		return FS_DNS_UNVERIFIED;
	if (fs_dns_live(v, now))
		return v->class;
	if (v->class == FS_DNS_VERIFIED &&
	    now < v->expires_ns + FS_DNS_STALE_NS)
		return FS_DNS_VERIFIED;
	return FS_DNS_UNVERIFIED;
}

/* The DNS class of @p's source (fs_dns_class_at()). */
static __always_inline enum fs_dns_class fs_dns_class(const struct fs_pkt *p,
						      __u64 now)
{
	return fs_dns_class_at(fs_dns_entry(p), now);
}

/* Whether slot @s holds the source @w (4 words). */
static __always_inline bool proven_is(const struct fs_proven_slot *s,
				      const __u32 *w)
{
	const __u32 *a = (const __u32 *)s->addr;

	return a[0] == w[0] && a[1] == w[1] && a[2] == w[2] && a[3] == w[3];
}

/* The slot of @p's source in fs_proven; else, with @take, the slot a
 * new source takes (the one of its set proven longest ago), else NULL.
 * Sets: the map's size, read from the map, over the ways. */
static __always_inline struct fs_proven_slot *
proven_slot(const struct fs_pkt *p, bool take)
{
	__u32 sets = ((struct bpf_map *)&FS_MAP_PROVEN)->max_entries /
		     FS_PROVEN_WAYS;
	const struct fs_hkey *key = fs_hash_key();
	struct fs_proven_slot *s, *old = NULL;
	__u32 i;

	if (!key)
		return NULL;
	i = fs_proven_index(p->src.w, sets, key) * FS_PROVEN_WAYS;
	for (int w = 0; w < FS_PROVEN_WAYS; w++, i++) {
		s = bpf_map_lookup_elem(&FS_MAP_PROVEN, &i);
		if (!s)
			return NULL;
		if (proven_is(s, p->src.w))
			return s;
		if (!old || s->last_ns < old->last_ns)
			old = s;
	}
	return take ? old : NULL;
}

/* Whether @p's source is proven: its fs_proven entry's last proof is
 * within syn.proven_ttl, or its reverse DNS forward-confirms (fs_dns
 * class verified). An allowlisted source never asks: the lists pass it
 * before any stage. */
static __always_inline bool fs_is_proven(const struct fs_pkt *p,
					 const struct fs_cfg *cfg, __u64 now)
{
	struct fs_proven_slot *s = proven_slot(p, false);

	if (s && READ_ONCE(s->last_ns) + cfg->proven_ttl_ns > now)
		return true;
	return fs_dns_class(p, now) == FS_DNS_VERIFIED;
}

/* Record a proof of @p's source (the caller has it from the kernel's
 * socket: fs_conn_proof()) in fs_proven, and with @charge count it in
 * the conn bucket, whose excess bans the source or its prefix
 * (conn_rate) after ban.after. Each connection is charged once: at its
 * first request or EHLO, or at its cookie ACK on a port whose data is not
 * inspected. Two CPUs taking one slot at once may leave it to either
 * source: proofs are state that may be lost, never a ban. Returns the
 * conn bucket's enum fs_level (FS_LEVEL_OK without @charge). A global
 * function: verified once, whatever its caller. */
__noinline int fs_prove(const struct fs_pkt *p, bool charge)
{
	const struct fs_cfg *cfg = fs_cfg_get();
	struct fs_proven_slot *s;
	__u64 now = fs_now();

	if (!p || !cfg)
		return FS_LEVEL_OK;
	s = proven_slot(p, true);
	if (s && !proven_is(s, p->src.w)) {
		fs_event(FS_E_PROVEN_NEW);
		if (s->last_ns && s->last_ns + cfg->proven_ttl_ns > now)
			fs_event(FS_E_PROVEN_EVICTED);
		__builtin_memcpy(s->addr, p->src.b, sizeof(s->addr));
		s->proven_ns = now;
	}
	if (s)
		s->last_ns = now;
	if (!charge)
		return FS_LEVEL_OK;
	return fs_police_bucket(p, FS_B_CONN, FS_R_MAX, now);
}

#endif
