/* SPDX-License-Identifier: GPL-2.0 */
/* Stages 7 and 8: the verdict from the reason, observe mode, and the
 * per-CPU counters. */
#ifndef FS_ACT_BPF_H
#define FS_ACT_BPF_H

#include "pkt.bpf.h"
#include "csum.bpf.h"
#include "maps.bpf.h"
#include "cfg.bpf.h"
#include "flows.bpf.h"

/* Count a packet of @len bytes under @r, as observed or acted on. */
static __always_inline void account(enum fs_reason r, __u32 len, bool observed)
{
	__u32 key = r;
	struct fs_counter *c = bpf_map_lookup_elem(&FS_MAP_STATS, &key);

	if (!c)
		return;
	if (observed) {
		c->observed_packets += 1;
		c->observed_bytes += len;
	} else {
		c->packets += 1;
		c->bytes += len;
	}
}

/* Turn the segment into a RST in place: flags become RST (plus ACK if
 * it had one), sequence numbers and length stay, so the server's socket,
 * expecting exactly this sequence number, is reset (RFC 5961 3.2). The
 * payload stays as RST data, which Linux ignores; the TCP checksum is
 * updated for the one changed word, the IP header is untouched. */
static __always_inline void rewrite_rst(struct xdp_md *ctx,
					const struct fs_pkt *p)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	struct tcphdr *tcp = data + (p->l4_off & FS_L4_OFF_MAX);
	__u16 *word, old, nw;

	if ((void *)(tcp + 1) > end)
		return;
	word = (__u16 *)tcp + TCP_FLAGS_WORD;
	old = *word;
	nw = (old & bpf_htons(TCP_DOFF_BYTE)) |
	     bpf_htons(TCP_FLAG_RST | (p->tcp_flags & TCP_FLAG_ACK));
	*word = nw;
	tcp->check = csum_replace16(tcp->check, old, nw);
}

/* Count the packet under @r and return its verdict. A stopping reason
 * under observe mode is counted as observed and passed (a stage makes
 * no reply under observe: syn.bpf.h). The settings are
 * read only for those. */
static __always_inline int act(struct xdp_md *ctx, const struct fs_pkt *p,
			       enum fs_reason r)
{
	bool observed = fs_reason_drops(r) && fs_observing(fs_cfg_get(), r);

	if (r >= FS_R_MAX)
		return XDP_ABORTED;
	account(r, p->len, observed);
	if (!fs_reason_drops(r) || observed)
		return XDP_PASS;
	if (fs_reason_tx(r)) /* the stage made it the reply */
		return XDP_TX;
	if (!fs_reason_resets(r))
		return XDP_DROP;
	fs_remember_flow(ctx, p, r, fs_now());
	rewrite_rst(ctx, p);
	return XDP_PASS;
}

#endif
