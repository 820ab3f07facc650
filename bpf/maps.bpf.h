/* SPDX-License-Identifier: GPL-2.0 */
/* The one place where maps are defined, and nothing else: the code
 * that reads and writes each map is in the helper named for it
 * (cfg.bpf.h, filter.bpf.h, bans.bpf.h, buckets.bpf.h, flows.bpf.h,
 * events.bpf.h, report.bpf.h) or in a stage. Every map but the per-CPU
 * scratch buffer is pinned by name under the loader's pin root, so
 * lists, bans and counters outlive the program and are shared by every
 * interface it is attached to.
 */
#ifndef FS_MAPS_BPF_H
#define FS_MAPS_BPF_H

#include "../vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "../maps/floodshield.h"

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

/* The global events bucket (report.bpf.h), apart from the rate table so
 * that a flood evicting rate slots never refills it. */
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

/* Sources proven by a completed handshake, 4-way set associative
 * (struct fs_proven_slot, bpf/proven.bpf.h). Not an LRU hash: a proof
 * costs a few stores, not a map insert; a flood of forged SYNs never
 * writes it (only proofs do). Mmapable, so that userspace can read or
 * clear it in bulk. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, FS_PROVEN_MAX);
	__uint(map_flags, BPF_F_MMAPABLE);
	__type(key, __u32);
	__type(value, struct fs_proven_slot);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} FS_MAP_PROVEN SEC(".maps");

/* The SYN path's global buckets and windows (struct fs_syn_state). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct fs_syn_state);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} FS_MAP_SYN SEC(".maps");

/* The HTTP parser's resume state per flow (bpf/hparse.bpf.h). LRU: a
 * flow pushed out continues as untracked (undecided, counted). */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, FS_HSTATE_MAX);
	__type(key, struct fs_hflow_key);
	__type(value, struct fs_hstate);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} FS_MAP_HSTATE SEC(".maps");

/* Host values cut by a segment end, until their line ends. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, FS_HHOST_MAX);
	__type(key, struct fs_hflow_key);
	__type(value, struct fs_hhost);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} FS_MAP_HHOST SEC(".maps");

/* The server's own addresses, written by userspace (loader/lists.c). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, FS_OWN_MAX);
	__type(key, struct fs_addr_key);
	__type(value, __u32);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} FS_MAP_OWN SEC(".maps");

/* Open SMTP sessions (bpf/session.bpf.h). A plain hash, not LRU: an
 * eviction would lose a session's close, and its pool would stay full.
 * Only sessions whose SYN was admitted and whose handshake completed
 * enter, so their number is bounded by the pools plus what one round
 * trip lets through; when full, a session is not counted
 * (FS_E_SMTP_UNCOUNTED). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, FS_SMTP_FLOWS_MAX);
	__type(key, struct fs_flow_key);
	__type(value, struct fs_smtp_flow);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} FS_MAP_SMTP_FLOWS SEC(".maps");

/* Sessions opened and closed per pool (struct fs_smtp_pool). Mmapable:
 * the daemon's sweep adds to `swept` in place (an update would write
 * the program's counters back stale). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, FS_POOL_MAX);
	__uint(map_flags, BPF_F_MMAPABLE);
	__type(key, __u32);
	__type(value, struct fs_smtp_pool);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} FS_MAP_SMTP_POOLS SEC(".maps");

/* The set hashes' secret key (struct fs_hkey): the loader writes it
 * when it creates the map, never after. Read once per set index
 * (fs_hash_key(), keys.bpf.h): an array lookup the verifier inlines. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct fs_hkey);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} FS_MAP_HKEY SEC(".maps");

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

/* The HTTP parser's per-CPU scratch (hparse.bpf.h, host.bpf.h): a chunk
 * of the payload, the Host value being judged, its key. The slack after
 * each array lets the verifier accept 8-byte loads and copies at masked
 * offsets. Not pinned: it holds nothing between packets. */
#define FS_HCHUNK 2048 /* payload bytes parsed per chunk: a power of two */
struct fs_hrun {
	__u32 pos, len; /* in the chunk */
	__u32 hstart;	/* where the value being collected starts */
	__u32 bits;	/* HB_* and HJ_* (hparse.bpf.h) */
	__u32 head_max; /* http.head_max */
	__u32 good;	/* request heads judged good */
	__s32 verdict;	/* FS_CONTINUE, or the end of this parse */
	__u32 skip;	/* old bytes at the segment's start (http.bpf.h) */
	__s32 proof;	/* the socket's proof, or -1: not asked */
	__u32 rst;	/* where a RST of this segment goes (host order) */
	__u64 now;	/* fs_now() of this segment (fs_police_http()) */
	__u32 csum_ok; /* this segment's checksum was verified (fs_police_http()
			* clears it for every segment) */
	__u32 buf_off; /* buf holds the segment's bytes from this frame */
	__u32 buf_len; /* offset on, this many (0: none; fs_police_http()
			* clears it for every segment) */
};

/* The IPv6-literal walk of host.bpf.h (hj_v6()). */
struct fs_hv6 {
	__u32 end;    /* offset of ']' */
	__u32 i;      /* next byte */
	__u32 groups; /* groups so far */
	__s32 dbl;    /* group index of "::", or -1 */
	__u32 digits; /* of the group being read */
	__u32 cur;    /* its value */
	__u32 bad;
	__u16 g[8];
	__u32 a[4]; /* the address, network order */
};

struct fs_hscratch {
	struct fs_hv6 v6;
	struct fs_hrun run;
	struct fs_hstate alone; /* the throw-away state of http_alone() */
	struct fs_hstate fresh; /* a new fs_hstate entry, made here (a
				 * struct of 64 bytes off the stack) */
	__u8 buf[FS_HCHUNK + 16];
	__u8 tcph[64]; /* a TCP header, for its checksum (csum.bpf.h) */
	__u8 name[2 * FS_HHOST_LEN]; /* the value, from byte 0 */
	__u8 key[3 * FS_HOST_MAX];   /* struct fs_host_key at key[0] */
	__u8 dst[16];		     /* the segment's destination */
	struct fs_hflow_key flow;
	struct fs_hhost hh_zero; /* never written: a new fs_hhost entry */
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct fs_hscratch);
} fs_scratch SEC(".maps");

/* Per-CPU scratch of bans.bpf.h: a ban that found fs_bans full, waiting
 * for fs_ban_pending() to make room, and that function's pick. Off the
 * stack; not pinned. */
struct fs_ban_scratch {
	struct fs_key key; /* the waiting ban */
	struct fs_ban ban;
	struct fs_key pick; /* the entry to evict */
	__u64 pick_expires_ns;
	__u32 seen;   /* entries looked at */
	__u8 found;   /* pick is set */
	__u8 pending; /* key and ban wait */
	__u16 pad;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct fs_ban_scratch);
} fs_ban_scratch SEC(".maps");

#endif
