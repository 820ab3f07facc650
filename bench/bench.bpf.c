// SPDX-License-Identifier: GPL-2.0
/* The benchmarks' own XDP programs.
 *
 * bench_pass, bench_drop: programs that only answer. Every figure in
 * docs/benchmarks.md is given against them, measured in the same run.
 *
 * bench_fresh: a wrapper for paths that change the frame or their own
 * path (floodshield's RESET rewrites the segment into a RST), under live
 * frames (bench/live.c), where the kernel replays one frame without
 * restoring it. Before each run it writes back the TCP words userspace
 * recorded (flags, sequence number, checksum) and, with fresh.span,
 * moves the sequence number on inside the receive window (checksum
 * fixed, RFC 1624), so the RST the stack takes is never the socket's
 * next byte and the connection stays; then it tail-calls fresh_next[0]:
 * the same
 * connection (a socket the kernel holds, fs_conn_proof()) sends a new
 * bad request every time. Its own cost is measured by tail-calling
 * bench_pass or bench_drop the same way.
 *
 * bench_hflow: the same for the HTTP parser's per-flow state: before
 * each run it deletes the flow's fs_hstate entry (the segment is its
 * connection's first data) or writes it back as userspace recorded it
 * (a later segment resumed from the same point); with hflow.restore it
 * also writes back the TCP words bench_fresh restores (a bad request's
 * RST rewrite; the sequence number as recorded), then fresh_next[0]. It
 * counts the runs that find the state the run before should have left
 * (a state to delete; the recorded state after one run), which tells a
 * path that parsed from one that did not (a retransmission's).
 *
 * prim_*: one operation each, to tell where floodshield's time goes:
 * what a lookup in each kind of map costs on this machine.
 */
#include "../vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "bench_abi.h"

#define FRESH_OFF_MASK 0xff /* the TCP header starts within 256 bytes */

struct fresh_cfg fresh = {};
__u32 fresh_count = 0;

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} fresh_next SEC(".maps");

SEC("xdp")
int bench_pass(struct xdp_md *ctx)
{
	return XDP_PASS;
}

SEC("xdp")
int bench_drop(struct xdp_md *ctx)
{
	return XDP_DROP;
}

/* RFC 1624 eqn. 3, as in bpf/act.bpf.h. */
static __always_inline __u16 csum16_replace(__u16 check, __u16 old, __u16 nw)
{
	__u32 sum = (__u16)~check + (__u16)~old + (__u32)nw;

	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return ~sum;
}

/* Write the recorded TCP words of the segment back, with sequence
 * number @seq (network order): what the RST rewrite changed (flags,
 * sequence number, checksum). 0, or -1 if the header is not there. */
static __always_inline int fresh_write(struct xdp_md *ctx, __u32 seq)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	struct tcphdr *tcp = data + (fresh.tcp_off & FRESH_OFF_MASK);
	__u16 c;

	if ((void *)(tcp + 1) > end)
		return -1;
	c = csum16_replace(fresh.tcp_csum, fresh.seq >> 16, seq >> 16);
	tcp->check = csum16_replace(c, fresh.seq & 0xffff, seq & 0xffff);
	((__u16 *)tcp)[6] = fresh.flags_word;
	tcp->seq = seq;
	return 0;
}

SEC("xdp")
int bench_fresh(struct xdp_md *ctx)
{
	__u32 span = fresh.span, seq = fresh.seq;

	if (span)
		seq = bpf_htonl(bpf_ntohl(seq) + 1 + fresh_count++ % span);
	if (fresh_write(ctx, seq))
		return XDP_ABORTED;
	bpf_tail_call(ctx, &fresh_next, 0);
	return XDP_ABORTED;
}

/* bench_hflow's map is floodshield's fs_hstate: userspace reuses its fd
 * before load (bpf_map__reuse_fd(), which takes the size from it). */
struct hflow_key {
	__u8 b[HFLOW_KEY_SIZE];
};

struct hflow_val {
	__u8 b[HFLOW_VAL_SIZE];
};

struct hflow_cfg hflow = {};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 1);
	__type(key, struct hflow_key);
	__type(value, struct hflow_val);
} hstate_ref SEC(".maps");

/* Whether the state at @v is hflow.ref, but for used_ns. */
static __always_inline bool hflow_is_ref(const struct hflow_val *v)
{
	const __u64 *w = (const __u64 *)v->b;

	return w[0] == hflow.ref[0] && w[1] == hflow.ref[1] &&
	       w[2] == hflow.ref[2];
}

SEC("xdp")
int bench_hflow(struct xdp_md *ctx)
{
	struct hflow_val *v;

	hflow.runs++;
	if (hflow.op == HFLOW_DELETE) {
		if (!bpf_map_delete_elem(&hstate_ref, hflow.key))
			hflow.hits++;
	} else if (hflow.op == HFLOW_WRITE) {
		v = bpf_map_lookup_elem(&hstate_ref, hflow.key);
		if (v) {
			hflow.hits += hflow_is_ref(v);
			__builtin_memcpy(v, hflow.val, sizeof(*v));
		} else {
			bpf_map_update_elem(&hstate_ref, hflow.key, hflow.val,
					    BPF_ANY);
		}
	}
	if (hflow.restore && fresh_write(ctx, fresh.seq))
		return XDP_ABORTED;
	bpf_tail_call(ctx, &fresh_next, 0);
	return XDP_ABORTED;
}

/* bench_restore: the frame userspace recorded (struct restore_cfg)
 * written back over the packet before each run, then fresh_next[0]: for
 * floodshield's SYN cookie, which turns the SYN into its SYN-ACK. Its
 * own cost is measured by tail-calling bench_pass the same way. */
struct restore_cfg restore = {};

SEC("xdp")
int bench_restore(struct xdp_md *ctx)
{
	__u32 len = restore.len;

	if (len < 14 || len > RESTORE_MAX ||
	    bpf_xdp_store_bytes(ctx, 0, restore.frame, len))
		return XDP_ABORTED;
	bpf_tail_call(ctx, &fresh_next, 0);
	return XDP_ABORTED;
}

/* ------------------------------------------------------------------ */
/* Primitives. Keys come from .bss (written by userspace), so nothing is
 * folded at compile time; the maps mirror floodshield's key and value
 * sizes (maps/floodshield.h). */

struct prim_val {
	__u64 a, b;
};

struct prim_list_val { /* as struct fs_list_val: 48 bytes */
	__u64 v[6];
};

struct prim_key prim_key = {};
__u64 prim_key8 = 0;
__u32 prim_key4 = 0;
__u64 prim_key16[2] = {};
__u32 prim_seq = 0;
struct prim_lpm_key prim_lpm_key = {};
struct prim_host_key prim_host_key = {};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct prim_val);
} prim_array SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 32);
	__type(key, __u32);
	__type(value, struct prim_val);
} prim_percpu SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);
	__type(key, struct prim_key);
	__type(value, struct prim_val);
} prim_hash SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 131072);
	__type(key, struct prim_key);
	__type(value, struct prim_val);
} prim_lru SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, 65536);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct prim_lpm_key);
	__type(value, struct prim_list_val);
} prim_lpm SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, struct prim_host_key);
	__type(value, struct prim_list_val);
} prim_hash64 SEC(".maps");

/* Hash maps by key size: what the key's length costs (jhash). */
#define PRIM_HASH(name, ktype)                   \
	struct {                                 \
		__uint(type, BPF_MAP_TYPE_HASH); \
		__uint(max_entries, 65536);      \
		__type(key, ktype);              \
		__type(value, struct prim_val);  \
	} name SEC(".maps")

PRIM_HASH(prim_hash4, __u32);
PRIM_HASH(prim_hash8, __u64);
PRIM_HASH(prim_hash16, __u64[2]);

/* New keys into LRU maps: with room, and full (each insert evicts). */
#define PRIM_LRU(name, n)                            \
	struct {                                     \
		__uint(type, BPF_MAP_TYPE_LRU_HASH); \
		__uint(max_entries, n);              \
		__type(key, struct prim_key);        \
		__type(value, struct prim_val);      \
	} name SEC(".maps")

PRIM_LRU(prim_lru_roomy, 262144);
PRIM_LRU(prim_lru_full, 65536);

/* The same with per-CPU LRU lists, and a plain (preallocated) hash. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 262144);
	__uint(map_flags, BPF_F_NO_COMMON_LRU);
	__type(key, struct prim_key);
	__type(value, struct prim_val);
} prim_lru_pcpu SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 262144);
	__type(key, struct prim_key);
	__type(value, struct prim_val);
} prim_hash_roomy SEC(".maps");

#define PRIM_LOOKUP(name, map, key)                                           \
	SEC("xdp") int name(struct xdp_md *ctx)                               \
	{                                                                     \
		return bpf_map_lookup_elem(&map, &key) ? XDP_PASS : XDP_DROP; \
	}

PRIM_LOOKUP(prim_hash_lookup, prim_hash, prim_key)
PRIM_LOOKUP(prim_lru_lookup, prim_lru, prim_key)
PRIM_LOOKUP(prim_lpm_lookup, prim_lpm, prim_lpm_key)
PRIM_LOOKUP(prim_hash64_lookup, prim_hash64, prim_host_key)

PRIM_LOOKUP(prim_hash4_lookup, prim_hash4, prim_key4)
PRIM_LOOKUP(prim_hash8_lookup, prim_hash8, prim_key8)
PRIM_LOOKUP(prim_hash16_lookup, prim_hash16, prim_key16)

/* Insert a key never seen before (a new source's bucket). */
#define PRIM_INSERT(name, map)                                        \
	SEC("xdp") int name(struct xdp_md *ctx)                       \
	{                                                             \
		struct prim_key k = prim_key;                         \
		struct prim_val v = {};                               \
                                                                      \
		k.bucket = prim_seq++;                                \
		return bpf_map_update_elem(&map, &k, &v, BPF_NOEXIST) \
			       ? XDP_DROP                             \
			       : XDP_PASS;                            \
	}

/* A parser state's life in an LRU map of fs_hstate's sizes: made, then
 * deleted (what bench_hflow's HFLOW_DELETE rows pay on top of the
 * parse); and a delete that finds nothing (what their calibration pays). */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, struct hflow_key);
	__type(value, struct hflow_val);
} prim_hcycle SEC(".maps");

SEC("xdp")
int prim_lru_cycle(struct xdp_md *ctx)
{
	if (bpf_map_update_elem(&prim_hcycle, hflow.key, hflow.val, BPF_ANY))
		return XDP_DROP;
	bpf_map_delete_elem(&prim_hcycle, hflow.key);
	return XDP_PASS;
}

SEC("xdp")
int prim_lru_del_miss(struct xdp_md *ctx)
{
	return bpf_map_delete_elem(&prim_hcycle, hflow.key) ? XDP_PASS
							    : XDP_DROP;
}

PRIM_INSERT(prim_lru_insert_roomy, prim_lru_roomy)
PRIM_INSERT(prim_lru_insert_full, prim_lru_full)
PRIM_INSERT(prim_lru_pcpu_insert, prim_lru_pcpu)
PRIM_INSERT(prim_hash_insert, prim_hash_roomy)

/* A global (verified once, never inlined) function, as floodshield's
 * stages are: what one BPF-to-BPF call and return cost. */
__noinline int prim_global(struct xdp_md *ctx)
{
	return ctx ? XDP_PASS : XDP_DROP;
}

SEC("xdp")
int prim_subprog(struct xdp_md *ctx)
{
	return prim_global(ctx);
}

/* bpf_loop() over an empty callback (the HTTP parser's step: one per
 * byte of a request line or a field name): what a step costs. The
 * verifier inlines the loop (flags 0), so a step is a BPF-to-BPF call. */
#define PRIM_LOOP_STEPS 100

static int prim_loop_step(__u32 i, void *data)
{
	return 0;
}

SEC("xdp")
int prim_loop(struct xdp_md *ctx)
{
	return bpf_loop(PRIM_LOOP_STEPS, prim_loop_step, NULL, 0) ==
			       PRIM_LOOP_STEPS
		       ? XDP_PASS
		       : XDP_DROP;
}

/* The cheapest real helper call. */
SEC("xdp")
int prim_helper(struct xdp_md *ctx)
{
	return bpf_get_prandom_u32() ? XDP_PASS : XDP_PASS;
}

SEC("xdp")
int prim_ktime_coarse(struct xdp_md *ctx)
{
	return bpf_ktime_get_coarse_ns() ? XDP_PASS : XDP_DROP;
}

SEC("xdp")
int prim_array_lookup(struct xdp_md *ctx)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&prim_array, &zero) ? XDP_PASS : XDP_DROP;
}

/* What act() does per packet: a per-CPU counter pair. */
SEC("xdp")
int prim_percpu_count(struct xdp_md *ctx)
{
	__u32 key = 3;
	struct prim_val *v = bpf_map_lookup_elem(&prim_percpu, &key);

	if (!v)
		return XDP_DROP;
	v->a += 1;
	v->b += ctx->data_end - ctx->data;
	return XDP_PASS;
}

SEC("xdp")
int prim_ktime(struct xdp_md *ctx)
{
	return bpf_ktime_get_ns() ? XDP_PASS : XDP_DROP;
}

/* A GCRA step's atomic: compare-and-swap on a map value. */
SEC("xdp")
int prim_cas(struct xdp_md *ctx)
{
	__u32 zero = 0;
	struct prim_val *v = bpf_map_lookup_elem(&prim_array, &zero);
	__u64 old;

	if (!v)
		return XDP_DROP;
	old = v->a;
	__sync_val_compare_and_swap(&v->a, old, old + 1);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";

/* bound_http: a lower bound, not a design. The least any HTTP check
 * that proves its segment and looks at every line of it can cost: the
 * frame's socket looked up and released (what fs_conn_proof() cannot do
 * without: the proof that makes a charge or a reset safe), and every
 * line end of the payload found, 8 bytes per step, read in place (what
 * judging each line the server acts on needs at the least). No parse,
 * no flow state, no map, no checksum. Timed on the HTTP rows' frames,
 * with the socket sock.c holds. XDP_PASS when it found a socket and a
 * line end; XDP_DROP otherwise (the path check: the lookup must hit). */
#define BOUND_ETH_IP   0x0800
#define BOUND_ETH_IPV6 0x86DD
#define BOUND_WORDS    (1500 / 8)

static __always_inline __u32 bound_lf(__u64 w)
{
	__u64 t = w ^ 0x0a0a0a0a0a0a0a0aULL;
	__u64 m = (t - 0x0101010101010101ULL) & ~t & 0x8080808080808080ULL;

	/* one bit per LF byte (a borrow may mark a byte after an LF too:
	 * no matter for a bound); their count, without branches */
	return (__u32)(((m >> 7) * 0x0101010101010101ULL) >> 56);
}

static __always_inline int bound(struct xdp_md *ctx, bool proof)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct bpf_sock_tuple t = {};
	struct tcphdr *tcp;
	struct bpf_sock *sk;
	__u32 size, lf = 0;
	__u8 *pl;

	if ((void *)(eth + 1) > end)
		return XDP_DROP;
	if (eth->h_proto == bpf_htons(BOUND_ETH_IP)) {
		struct iphdr *ip = (void *)(eth + 1);

		if ((void *)(ip + 1) > end || ip->ihl != 5)
			return XDP_DROP;
		tcp = (void *)(ip + 1);
		t.ipv4.saddr = ip->saddr;
		t.ipv4.daddr = ip->daddr;
		size = sizeof(t.ipv4);
	} else if (eth->h_proto == bpf_htons(BOUND_ETH_IPV6)) {
		struct ipv6hdr *ip6 = (void *)(eth + 1);

		if ((void *)(ip6 + 1) > end)
			return XDP_DROP;
		tcp = (void *)(ip6 + 1);
		__builtin_memcpy(t.ipv6.saddr, &ip6->saddr, 16);
		__builtin_memcpy(t.ipv6.daddr, &ip6->daddr, 16);
		size = sizeof(t.ipv6);
	} else {
		return XDP_DROP;
	}
	if ((void *)(tcp + 1) > end)
		return XDP_DROP;
	if (size == sizeof(t.ipv4)) {
		t.ipv4.sport = tcp->source;
		t.ipv4.dport = tcp->dest;
	} else {
		t.ipv6.sport = tcp->source;
		t.ipv6.dport = tcp->dest;
	}
	if (proof) {
		sk = bpf_skc_lookup_tcp(ctx, &t, size, BPF_F_CURRENT_NETNS, 0);
		if (!sk)
			return XDP_DROP;
		bpf_sk_release(sk);
	}
	pl = (__u8 *)tcp + tcp->doff * 4;
	for (int i = 0; i < BOUND_WORDS; i++) {
		if ((void *)(pl + 8) > end)
			break;
		lf += bound_lf(*(__u64 *)pl);
		pl += 8;
	}
	for (int i = 0; i < 8; i++) {
		if ((void *)(pl + 1) > end)
			break;
		lf += *pl == '\n';
		pl++;
	}
	return lf ? XDP_PASS : XDP_DROP;
}

SEC("xdp")
int bound_http(struct xdp_md *ctx)
{
	return bound(ctx, true);
}

/* bound_scan: the line-end scan alone, for a later segment that a
 * design would place by its exact sequence number without the socket. */
SEC("xdp")
int bound_scan(struct xdp_md *ctx)
{
	return bound(ctx, false);
}
