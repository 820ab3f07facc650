/* SPDX-License-Identifier: GPL-2.0 */
/* The one place where maps are defined. Every map is pinned by name
 * under the loader's pin root, so lists, bans and counters outlive the
 * program and are shared by every interface it is attached to.
 */
#ifndef FS_MAPS_BPF_H
#define FS_MAPS_BPF_H

#include "common.bpf.h"

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, FS_ALLOW_MAX);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct fs_lpm_key);
	__type(value, struct fs_list_val);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} FS_MAP_ALLOW SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, FS_BLOCK_MAX);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct fs_lpm_key);
	__type(value, struct fs_list_val);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} FS_MAP_BLOCK SEC(".maps");

/* Plain hash, not LRU: a spoofed-source flood cannot evict bans. When
 * full, new bans fail (FS_E_BAN_FAILED) until userspace expires some. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, FS_BANS_MAX);
	__type(key, struct fs_key);
	__type(value, struct fs_ban);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} FS_MAP_BANS SEC(".maps");

/* Rate state only, two-way set associative (struct fs_rate_slot):
 * churned by spoofed floods, by design. Mmapable, so that userspace can
 * clear or fill it in bulk (benchmarks). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, FS_RATE_MAX);
	__uint(map_flags, BPF_F_MMAPABLE);
	__type(key, __u32);
	__type(value, struct fs_rate_slot);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} FS_MAP_RATE SEC(".maps");

/* Indexed by TCP destination port in host order. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, FS_PORTS);
	__type(key, __u32);
	__type(value, enum fs_svc);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} FS_MAP_SVC SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct fs_cfg);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} FS_MAP_CFG SEC(".maps");

/* Served hosts, keyed as described at struct fs_host_key. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, FS_HOSTS_MAX);
	__type(key, struct fs_host_key);
	__type(value, struct fs_host_val);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} FS_MAP_HOSTS SEC(".maps");

/* Fingerprints of the exact served names (struct fs_hostfp). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__uint(map_flags, BPF_F_MMAPABLE);
	__type(key, __u32);
	__type(value, struct fs_hostfp);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} FS_MAP_HOSTFP SEC(".maps");

/* Flows answered with RESET, so that their retransmissions pass to the
 * kernel (which answers them with its own RST) instead of being reset
 * again or dropped by the ban their source earned. Set associative
 * (struct fs_flow_slot); mmapable, so userspace can clear it in bulk. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, FS_FLOWS_MAX);
	__uint(map_flags, BPF_F_MMAPABLE);
	__type(key, __u32);
	__type(value, struct fs_flow_slot);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} FS_MAP_FLOWS SEC(".maps");

/* DNS verdicts per source, written by the daemon's verifier; read for
 * the SMTP class of a source. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, FS_DNS_MAX);
	__type(key, struct fs_addr_key);
	__type(value, struct fs_dns_val);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} FS_MAP_DNS SEC(".maps");

/* The global events bucket, apart from the rate map so that LRU churn
 * never refills it. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct fs_bucket_val);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} FS_MAP_EVBUCKET SEC(".maps");

/* Events to the daemon (EHLO names, new sources), bounded by the
 * events bucket and de-duplicated through fs_seen. */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, FS_RING_BYTES);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} FS_MAP_RING SEC(".maps");

/* When each source was last reported (CLOCK_MONOTONIC ns). */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, FS_SEEN_MAX);
	__type(key, struct fs_addr_key);
	__type(value, __u64);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} FS_MAP_SEEN SEC(".maps");

/* Prefilter bits of the lists and bans (struct fs_filter). Mmapable:
 * userspace clears and sets words with atomic operations while the
 * program sets ban bits. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__uint(map_flags, BPF_F_MMAPABLE);
	__type(key, __u32);
	__type(value, struct fs_filter);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} FS_MAP_FILTER SEC(".maps");

/* The daemon's reloads and pid (struct fs_daemon_state), for `status`
 * and the exporters. Only the daemon writes it; the program never reads
 * it: it is defined here so that it is created and pinned with the
 * others (an older pin folder gets it on the next load). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct fs_daemon_state);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} FS_MAP_DAEMON SEC(".maps");

/* Indexed by enum fs_reason; fixed slots, so a new reason keeps the layout. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, FS_STATS_SLOTS);
	__type(key, __u32);
	__type(value, struct fs_counter);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} FS_MAP_STATS SEC(".maps");

/* Indexed by enum fs_event; fixed slots, so a new event keeps the layout. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, FS_EVENTS_SLOTS);
	__type(key, __u32);
	__type(value, __u64);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} FS_MAP_EVENTS SEC(".maps");

static __always_inline const struct fs_cfg *fs_cfg_get(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&FS_MAP_CFG, &zero);
}

static __always_inline struct fs_filter *fs_filter_get(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&FS_MAP_FILTER, &zero);
}

static __always_inline enum fs_svc fs_service(const struct fs_pkt *p)
{
	__u32 port = bpf_ntohs(p->dport);
	enum fs_svc *svc = bpf_map_lookup_elem(&FS_MAP_SVC, &port);

	return svc ? *svc : FS_SVC_NONE;
}

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

/* What the kernel's socket for a segment proves about its source.
 * FS_CONN_NONE: nothing (no socket, a listener without a valid cookie,
 * TIME_WAIT, a sequence number outside the receive window, an
 * acknowledgment of data never sent): a forged segment gets this. The
 * others need the segment's sequence and acknowledgment numbers to fit
 * the connection, which an off-path sender cannot know. */
enum fs_conn {
	FS_CONN_NONE = 0,
	FS_CONN_FIRST,		/* the connection's first data: a request
				 * socket (TCP_DEFER_ACCEPT, or the handshake's
				 * ACK not yet processed), a SYN cookie, or a
				 * full socket that has received nothing */
	FS_CONN_ESTABLISHED,	/* data on an established connection */
};

/* Slack over snd_nxt for an acknowledgment: on veth the client's ACK can
 * be seen before the server's send has advanced snd_nxt. */
#define FS_ACK_SLACK	65536

/* Whether @seq is in [start, start + wnd) (wraps like TCP's). */
static __always_inline bool seq_in(__u32 seq, __u32 start, __u32 wnd)
{
	return seq - start < wnd;
}

/* A full socket: established (not TIME_WAIT, a listener, or closing),
 * the segment's first byte inside the receive window and its ACK one
 * the socket can take (RFC 793 / Linux tcp_ack: not beyond what was
 * sent, not older than the largest window). */
static __always_inline int conn_full(struct bpf_sock *sk, __u32 seq, __u32 ack)
{
	struct tcp_sock *tp = bpf_skc_to_tcp_sock(sk);
	__u32 una, nxt, maxw;

	if (!tp || sk->state != BPF_TCP_ESTABLISHED)
		return FS_CONN_NONE;
	if (!seq_in(seq, tp->rcv_nxt, tp->rcv_wup + tp->rcv_wnd - tp->rcv_nxt))
		return FS_CONN_NONE;
	una = tp->snd_una;
	nxt = tp->snd_nxt;
	maxw = tp->max_window;
	if (!seq_in(ack, una - maxw, nxt - una + maxw + FS_ACK_SLACK))
		return FS_CONN_NONE;
	return tp->bytes_received ? FS_CONN_ESTABLISHED : FS_CONN_FIRST;
}

/* A request socket (the kernel holds the handshake: TCP_DEFER_ACCEPT, or
 * its ACK not processed yet): the data starts in its window after the
 * client's ISN, and acknowledges exactly the server's SYN-ACK. */
static __always_inline int conn_request(struct bpf_sock *sk, __u32 seq, __u32 ack)
{
	struct tcp_request_sock *rq = bpf_skc_to_tcp_request_sock(sk);

	if (!rq || ack != rq->snt_isn + 1)
		return FS_CONN_NONE;
	if (!seq_in(seq, rq->rcv_isn + 1, rq->req.req.__req_common.skc_rcv_wnd))
		return FS_CONN_NONE;
	return FS_CONN_FIRST;
}

/* A listener: the ACK carries a SYN cookie the kernel (or this program)
 * issued, which the kernel will turn into a connection. The helper wants
 * fixed-size copies of the IP and TCP headers. */
static __always_inline int conn_cookie(struct xdp_md *ctx, struct bpf_sock *sk,
				       const struct fs_pkt *p)
{
	__u8 ip[40], th[20];
	__u32 iplen = p->v4 ? 20 : 40;

	if (!(p->tcp_flags & TCP_FLAG_ACK))
		return FS_CONN_NONE;
	if (bpf_xdp_load_bytes(ctx, p->l3_off, ip, sizeof(ip)) ||
	    bpf_xdp_load_bytes(ctx, p->l4_off, th, sizeof(th)))
		return FS_CONN_NONE;
	if (bpf_tcp_check_syncookie(sk, ip, iplen, (struct tcphdr *)th, sizeof(th)))
		return FS_CONN_NONE;
	return FS_CONN_FIRST;
}

/* What the kernel's socket for @p proves (enum fs_conn): the evidence
 * every punishment rests on. A global function: its stack is not added
 * to its callers' frames. */
__noinline int fs_conn_proof(struct xdp_md *ctx, const struct fs_pkt *p)
{
	struct bpf_sock_tuple t = {};
	struct bpf_sock *sk;
	__u32 size, seq, ack;
	int r;

	if (!ctx || !p)
		return FS_CONN_NONE;
	if (fs_assume_connected)	/* fixtures: the kernel took every RST */
		return fs_retransmitted(p) ? FS_CONN_NONE : FS_CONN_ESTABLISHED;
	if (fs_is_v4mapped(p)) {
		t.ipv4.saddr = p->src.w[3];
		t.ipv4.daddr = p->dst.w[3];
		t.ipv4.sport = p->sport;
		t.ipv4.dport = p->dport;
		size = sizeof(t.ipv4);
	} else {
		__builtin_memcpy(t.ipv6.saddr, p->src.w, sizeof(t.ipv6.saddr));
		__builtin_memcpy(t.ipv6.daddr, p->dst.w, sizeof(t.ipv6.daddr));
		t.ipv6.sport = p->sport;
		t.ipv6.dport = p->dport;
		size = sizeof(t.ipv6);
	}
	sk = bpf_skc_lookup_tcp(ctx, &t, size, BPF_F_CURRENT_NETNS, 0);
	if (!sk)
		return FS_CONN_NONE;
	seq = bpf_ntohl(p->seq);
	ack = bpf_ntohl(p->ack);
	if (sk->state == BPF_TCP_NEW_SYN_RECV)
		r = conn_request(sk, seq, ack);
	else if (sk->state == BPF_TCP_LISTEN)
		r = conn_cookie(ctx, sk, p);
	else if (sk->state == BPF_TCP_TIME_WAIT)
		r = FS_CONN_NONE;
	else
		r = conn_full(sk, seq, ack);
	bpf_sk_release(sk);
	return r;
}

/* Whether @p is proven to come from the source of a connection the
 * kernel holds (fs_conn_proof()). */
static __always_inline bool fs_connected(struct xdp_md *ctx, const struct fs_pkt *p)
{
	return fs_conn_proof(ctx, p) != FS_CONN_NONE;
}

static __always_inline void fs_event(enum fs_event e)
{
	__u32 key = e;
	__u64 *v = bpf_map_lookup_elem(&FS_MAP_EVENTS, &key);

	if (v)
		*v += 1;
}

#endif
