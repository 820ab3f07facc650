/* SPDX-License-Identifier: GPL-2.0 */
/* The reset-flow table (fs_flows, struct fs_flow_slot): flows whose
 * segment was turned into a RST, with that segment's sequence number and
 * a hash of its first bytes, so that its retransmission passes to the
 * kernel (which answers it with its own RST) instead of being reset
 * again or dropped by the ban its source earned.
 *
 * The exemption smuggles nothing: only the same bytes at the same
 * sequence number within FS_FLOW_TTL_NS are a retransmission, and its
 * callers grant it only when the kernel's socket is gone (a socket that
 * still holds did not take the RST: the segment is judged again). A
 * segment with a bad checksum is never remembered (fs_tcp_csum_ok() on
 * the punishing paths). */
#ifndef FS_FLOWS_BPF_H
#define FS_FLOWS_BPF_H

#include "pkt.bpf.h"
#include "maps.bpf.h"
#include "keys.bpf.h"

static __always_inline void fs_flow_key(struct fs_flow_key *k,
					const struct fs_pkt *p)
{
	__builtin_memcpy(k->addr, p->src.b, sizeof(k->addr));
	k->sport = p->sport;
	k->dport = p->dport;
}

/* The first slot of flow @k's set in fs_flows, under the set hashes'
 * @key. */
static __always_inline __u32 fs_flow_set(const struct fs_flow_key *k,
					 const struct fs_hkey *key)
{
	__u32 sets =
		((struct bpf_map *)&FS_MAP_FLOWS)->max_entries / FS_FLOW_WAYS;

	return fs_flow_index(k, sets, key) * FS_FLOW_WAYS;
}

/* Whether slot @s holds @p's flow (struct fs_flow_key: the client's
 * address and port, the server's port), read from @p itself. */
static __always_inline bool fs_flow_of(const struct fs_flow_slot *s,
				       const struct fs_pkt *p)
{
	const __u32 *a = (const __u32 *)s->key.addr;

	return a[0] == p->src.w[0] && a[1] == p->src.w[1] &&
	       a[2] == p->src.w[2] && a[3] == p->src.w[3] &&
	       s->key.sport == p->sport && s->key.dport == p->dport;
}

/* The slot of @p's flow in fs_flows, under @key, or NULL. The key words
 * are read from @p for each compare, not kept: in the fixtures' model
 * this search is inlined into fs_conn_proof(), whose frame is in 6.1's
 * longest call chain (512 bytes at most, each frame rounded up to 32),
 * and kept words would be spilled there. */
static __always_inline struct fs_flow_slot *
fs_flow_find(const struct fs_pkt *p, const struct fs_hkey *key)
{
	struct fs_flow_slot *s;
	struct fs_flow_key k;
	__u32 i;

	fs_flow_key(&k, p);
	i = fs_flow_set(&k, key);
	for (int w = 0; w < FS_FLOW_WAYS; w++, i++) {
		s = bpf_map_lookup_elem(&FS_MAP_FLOWS, &i);
		if (!s)
			return NULL;
		if (fs_flow_of(s, p))
			return s;
	}
	return NULL;
}

/* The slot of flow @k in fs_flows, under @key, else the one a new flow
 * takes (the oldest of its set). NULL if neither. The caller looks the
 * key up before it builds @k: so the compiler keeps no copy of @k's
 * words across that lookup (stack). */
static __always_inline struct fs_flow_slot *
fs_flow_take(const struct fs_flow_key *k, const struct fs_hkey *key)
{
	__u32 i = fs_flow_set(k, key);
	struct fs_flow_slot *s, *old = NULL;

	for (int w = 0; w < FS_FLOW_WAYS; w++, i++) {
		s = bpf_map_lookup_elem(&FS_MAP_FLOWS, &i);
		if (!s)
			return NULL;
		if (fs_words_eq(&s->key, k, sizeof(*k) / 4))
			return s;
		if (!old || s->v.reset_ns < old->v.reset_ns)
			old = s;
	}
	return old;
}

/* Hash of the first FS_FLOW_HASH_LEN payload bytes of @p (fewer if it
 * is shorter; its length is mixed in), keyed like the set indexes, so
 * that other bytes with the same hash cannot be computed offline. A
 * global function: its buffer stays off the entry point's stack. */
__noinline __u32 fs_flow_payload_hash(struct xdp_md *ctx,
				      const struct fs_pkt *p)
{
	__u32 w[FS_FLOW_HASH_LEN / 4] = {}, m[5];
	const struct fs_hkey *key = fs_hash_key();
	__u32 n;
	__u64 h;

	if (!ctx || !p || !key)
		return 0;
	n = p->payload_len;
	if (n > FS_FLOW_HASH_LEN)
		n = FS_FLOW_HASH_LEN;
	if (n && bpf_xdp_load_bytes(ctx, p->payload_off, w,
				    FS_LEN_1_TO(n, FS_FLOW_HASH_LEN)))
		return 0;
	h = fs_hash_words(w, 6, key);
	m[0] = h;
	m[1] = h >> 32;
	m[2] = w[6];
	m[3] = w[7];
	m[4] = n;
	return fs_hash_words(m, 5, key);
}

/* Whether @p repeats the segment of its flow that was turned into a
 * RST: same sequence number and first bytes, within FS_FLOW_TTL_NS. A
 * caller grants the exemption only where the kernel's socket is gone. */
static __always_inline bool fs_retransmitted(struct xdp_md *ctx,
					     const struct fs_pkt *p)
{
	const struct fs_hkey *key = fs_hash_key();
	struct fs_flow_slot *s;

	if (!key)
		return false;
	s = fs_flow_find(p, key);
	if (!s || s->v.seq != p->seq ||
	    fs_now() - s->v.reset_ns >= FS_FLOW_TTL_NS)
		return false;
	return s->v.hash == fs_flow_payload_hash(ctx, p);
}

/* Remember the flow, the sequence number and the first bytes of the
 * segment about to be turned into a RST, so that its retransmission
 * passes to the kernel. The stages that return a RESET reason have
 * ruled out a retransmission and a bad checksum already. A global
 * function: its key and slot search stay off the entry point's stack
 * (6.1 sums the frames of a call chain: the entry point's is in all).
 * Returns 0. */
__noinline int fs_remember_flow(struct xdp_md *ctx, const struct fs_pkt *p,
				__u32 r, __u64 now)
{
	const struct fs_hkey *key = fs_hash_key();
	struct fs_flow_slot *s;
	struct fs_flow_key k;

	if (!ctx || !p || !key)
		return 0;
	fs_flow_key(&k, p);
	s = fs_flow_take(&k, key);
	if (!s)
		return 0;
	s->key = k;
	s->v.reset_ns = now;
	s->v.reason = r;
	s->v.seq = p->seq;
	s->v.hash = fs_flow_payload_hash(ctx, p);
	return 0;
}

#endif
