/* SPDX-License-Identifier: GPL-2.0 */
/* The reset-flow table (fs_flows, struct fs_flow_slot): flows whose
 * segment was turned into a RST, with that segment's sequence number, so
 * that its retransmission passes to the kernel (which answers it with
 * its own RST) instead of being reset again or dropped by the ban its
 * source earned. */
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

/* The slot of flow @k in fs_flows; with @take, else the one a new flow
 * takes (the oldest of its set). NULL if neither. */
static __always_inline struct fs_flow_slot *fs_flow_slot(const struct fs_flow_key *k,
							 bool take)
{
	__u32 sets = ((struct bpf_map *)&FS_MAP_FLOWS)->max_entries / FS_FLOW_WAYS;
	__u32 i = fs_flow_index(k, sets) * FS_FLOW_WAYS;
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
	return take ? old : NULL;
}

/* Whether @p repeats the segment of its flow that was turned into a
 * RST (same sequence number): the kernel answers it with its own RST. */
static __always_inline bool fs_retransmitted(const struct fs_pkt *p)
{
	struct fs_flow_slot *s;
	struct fs_flow_key k;

	fs_flow_key(&k, p);
	s = fs_flow_slot(&k, false);
	return s && s->v.seq == p->seq;
}

/* Remember the flow and the sequence number of the segment about to be
 * turned into a RST, so that its retransmission passes to the kernel.
 * The stages that return a RESET reason have ruled out a retransmission
 * already (fs_retransmitted()). */
static __always_inline void remember_flow(const struct fs_pkt *p,
					  enum fs_reason r, __u64 now)
{
	struct fs_flow_slot *s;
	struct fs_flow_key k;

	fs_flow_key(&k, p);
	s = fs_flow_slot(&k, true);
	if (!s)
		return;
	s->key = k;
	s->v.reset_ns = now;
	s->v.reason = r;
	s->v.seq = p->seq;
}

#endif
