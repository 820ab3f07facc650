/* SPDX-License-Identifier: GPL-2.0 */
/*
 * floodshield ABI: the one definition of every map key, value, enum and
 * map name shared by the XDP program (bpf/) and userspace (loader/,
 * userspace/, tests/). Change a layout here and both sides follow; the
 * _Static_asserts catch accidental size changes, which would make pinned
 * maps from an older build incompatible.
 *
 * Addresses: every source is a 16-byte address in network byte order.
 * IPv4 is stored v4-mapped (::ffff:a.b.c.d), so an IPv4 /24 is a /120 in
 * these keys. Prefix lengths in keys are always over the 128-bit form.
 *
 * Times: nanoseconds of CLOCK_MONOTONIC (the program reads it at tick
 * resolution, bpf_ktime_get_coarse_ns()). An expiry of 0 means "never
 * expires".
 */
#ifndef FLOODSHIELD_MAPS_H
#define FLOODSHIELD_MAPS_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#include <linux/bpf.h> /* struct bpf_spin_lock */
#endif

#include "tables.h"

/* Map names: the BPF definitions and the pin-path lookups use these; each
 * has its row (role, fd field, doc) in FS_MAPS (maps/tables.h). */
#define FS_MAP_ALLOW	  fs_allow	/* LPM: static and DNS allowlist   */
#define FS_MAP_BLOCK	  fs_block	/* LPM: static blocklist (CIDRs)   */
#define FS_MAP_BANS	  fs_bans	/* hash: dynamic bans              */
#define FS_MAP_RATE	  fs_rate	/* array, 2-way sets: token buckets */
#define FS_MAP_SVC	  fs_services	/* array: dst port -> service      */
#define FS_MAP_CFG	  fs_cfg	/* array[1]: runtime configuration */
#define FS_MAP_STATS	  fs_stats	/* per-CPU array: counters/reason  */
#define FS_MAP_EVENTS	  fs_events	/* per-CPU array: event counters   */
#define FS_MAP_HOSTS	  fs_hosts	/* hash: served HTTP hosts         */
#define FS_MAP_FLOWS	  fs_flows	/* array, 4-way sets: flows reset  */
#define FS_MAP_DNS	  fs_dns	/* LRU: DNS verdict per source     */
#define FS_MAP_RING	  fs_ring	/* ring buffer: events to userspace */
#define FS_MAP_SEEN	  fs_seen	/* LRU: sources already reported   */
#define FS_MAP_EVBUCKET	  fs_evbucket	/* array[1]: the events bucket     */
#define FS_MAP_FILTER	  fs_filter	/* array[1], mmapable: prefilter   */
#define FS_MAP_HOSTFP	  fs_hostfp	/* array[1], mmapable: host prints */
#define FS_MAP_DAEMON	  fs_daemon	/* array[1]: the daemon's reloads  */
#define FS_MAP_PROVEN	  fs_proven	/* array, 4-way sets: proven sources */
#define FS_MAP_SYN	  fs_syn	/* array[1]: SYN guard and cookies */
#define FS_MAP_HSTATE	  fs_hstate	/* LRU: HTTP parser resume state   */
#define FS_MAP_HHOST	  fs_hhost	/* LRU: Host values cut by a segment */
#define FS_MAP_OWN	  fs_own	/* hash: the server's own addresses */
#define FS_MAP_SMTP_FLOWS fs_smtp_flows /* hash: open SMTP sessions   */
#define FS_MAP_SMTP_POOLS fs_smtp_pools /* array: sessions per pool   */
#define FS_MAP_HKEY	  fs_hkey	/* array[1]: the set hashes' key   */

#define FS_STR_(x) #x
#define FS_STR(x)  FS_STR_(x)

#define FS_PROG_NAME "floodshield"
#define FS_PIN_ROOT  "/sys/fs/bpf/floodshield"

/* Default capacities; the loader may resize before the first load. */
#define FS_ALLOW_MAX	  65536
#define FS_BLOCK_MAX	  65536
#define FS_BANS_MAX	  65536
#define FS_RATE_MAX	  131072 /* slots: a power of two */
#define FS_PORTS	  65536
#define FS_HOSTS_MAX	  16384
#define FS_FLOWS_MAX	  65536 /* slots: a power of two */
#define FS_DNS_MAX	  65536
#define FS_SEEN_MAX	  65536
#define FS_PROVEN_MAX	  131072 /* slots: a power of two */
#define FS_HSTATE_MAX	  131072 /* HTTP flows with parser state */
#define FS_HHOST_MAX	  8192 /* HTTP flows with a Host value cut by a segment */
#define FS_OWN_MAX	  256	/* the server's own addresses */
#define FS_SMTP_FLOWS_MAX 65536 /* open SMTP sessions counted */
#define FS_RING_BYTES	  (256 * 1024)

#define FS_V4_MAPPED_PLEN 96 /* bits of ::ffff:0:0/96 */

/* The enums of the ABI, generated from the tables in maps/tables.h: a
 * value is its row's position there, so rows are appended, never
 * inserted. */
#define FS_ENUM_SVC_(id, ...)	  FS_SVC_##id,
#define FS_ENUM_B_(id, ...)	  FS_B_##id,
#define FS_ENUM_R_(id, ...)	  FS_R_##id,
#define FS_ENUM_OBS_(id, ...)	  FS_OBS_##id,
#define FS_ENUM_E_(id, ...)	  FS_E_##id,
#define FS_ENUM_BAN_(id, ...)	  FS_BAN_##id,
#define FS_ENUM_DNS_(id, ...)	  FS_DNS_##id,
#define FS_ENUM_DNSR_(id, ...)	  FS_DNSR_##id,
#define FS_ENUM_ORIGIN_(id, ...)  FS_ORIGIN_##id,
#define FS_ENUM_RELOAD_(id, ...)  FS_RELOAD_##id,
#define FS_ENUM_COOKIES_(id, ...) FS_COOKIES_##id,
#define FS_ENUM_HSRV_(id, ...)	  FS_HTTP_SERVER_##id,
#define FS_ENUM_POOL_(id, ...)	  FS_POOL_##id,

/* Service classes, selected by TCP destination port (fs_services). */
enum fs_svc { FS_SERVICES(FS_ENUM_SVC_) FS_SVC_MAX };

/* Token buckets (fs_cfg.limits). Ban keys carry FS_B_NONE. */
enum fs_bucket { FS_BUCKETS(FS_ENUM_B_) FS_B_MAX };

/* Verdict reasons, indexing the per-CPU counters (fs_stats). What each
 * does (pass, drop, reset) is its row's action: fs_reason_drops(),
 * fs_reason_resets(). */
enum fs_reason { FS_REASONS(FS_ENUM_R_) FS_R_MAX };

/* What a reason does outside observe mode. */
enum fs_action {
	FS_ACTION_PASS = 0,
	FS_ACTION_DROP,
	FS_ACTION_RESET,
	FS_ACTION_TX
};

/* Observe rules: FS_OBS_NONE for a reason only `observe` covers. */
enum fs_observe_rule {
	FS_OBS_NONE = 0,
	FS_OBSERVE_RULES(FS_ENUM_OBS_) FS_OBS_MAX
};

/* Non-packet events, indexing the per-CPU event counters (fs_events). */
enum fs_event { FS_EVENTS(FS_ENUM_E_) FS_E_MAX };

/* Why a ban or block exists. */
enum fs_ban_reason { FS_BAN_REASONS(FS_ENUM_BAN_) FS_BAN_REASON_MAX };

/* DNS verification class of a source. The SMTP buckets and reasons are
 * in a different order: see smtp_class_of() in
 * bpf/smtp.bpf.h. */
enum fs_dns_class { FS_DNS_CLASSES(FS_ENUM_DNS_) FS_DNS_CLASS_MAX };

/* Why a verification ended as it did. */
enum fs_dns_reason { FS_DNS_REASONS(FS_ENUM_DNSR_) FS_DNSR_MAX };

/* Where an allowlist entry came from. */
enum fs_origin { FS_ORIGINS(FS_ENUM_ORIGIN_) FS_ORIGIN_MAX };

/* The `http.server` profiles (fs_cfg.http_server). */
enum fs_http_server { FS_HTTP_SERVERS(FS_ENUM_HSRV_) FS_HTTP_SERVER_MAX };

/* How the last configuration reload of the daemon ended (fs_daemon). */
enum fs_reload_result {
	FS_RELOAD_RESULTS(FS_ENUM_RELOAD_) FS_RELOAD_RESULT_MAX
};

/* SMTP session pools (fs_smtp_pools). */
enum fs_smtp_pool_id { FS_SMTP_POOLS(FS_ENUM_POOL_) FS_POOL_MAX };

/* `syn.cookies` (fs_cfg.syn_cookies). */
enum fs_syn_cookies { FS_SYN_COOKIE_MODES(FS_ENUM_COOKIES_) FS_COOKIES_MAX };

#undef FS_ENUM_SVC_
#undef FS_ENUM_B_
#undef FS_ENUM_R_
#undef FS_ENUM_OBS_
#undef FS_ENUM_E_
#undef FS_ENUM_BAN_
#undef FS_ENUM_DNS_
#undef FS_ENUM_DNSR_
#undef FS_ENUM_ORIGIN_
#undef FS_ENUM_RELOAD_
#undef FS_ENUM_COOKIES_
#undef FS_ENUM_POOL_

/* The program bans a prefix with the reason after its source's. */
_Static_assert(FS_BAN_SYN_RATE_PREFIX == FS_BAN_SYN_RATE + 1 &&
		       FS_BAN_HTTP_RATE_PREFIX == FS_BAN_HTTP_RATE + 1 &&
		       FS_BAN_CONN_RATE_PREFIX == FS_BAN_CONN_RATE + 1 &&
		       FS_BAN_HTTP_BAD_PREFIX == FS_BAN_HTTP_BAD + 1,
	       "ban reasons");

/* The per-CPU counter maps have a fixed number of slots, so that a new
 * reason or event (a new row) never changes their layout: the pinned
 * counters of a running system stay valid, index by index. */
#define FS_STATS_SLOTS	64 /* fs_stats, by enum fs_reason */
#define FS_EVENTS_SLOTS 64 /* fs_events, by enum fs_event */

/* Reasons that stop a packet (drop, reset or answer it) and those that
 * reset, or answer (XDP_TX: the stage rewrote it into its reply), one
 * bit per reason, computed from the table at compile time. */
#define FS_R_STOP_BIT_(id, name, action, ...) \
	| ((__u64)(FS_ACTION_##action != FS_ACTION_PASS) << FS_R_##id)
#define FS_R_RESET_BIT_(id, name, action, ...) \
	| ((__u64)(FS_ACTION_##action == FS_ACTION_RESET) << FS_R_##id)
#define FS_R_TX_BIT_(id, name, action, ...) \
	| ((__u64)(FS_ACTION_##action == FS_ACTION_TX) << FS_R_##id)
#define FS_R_STOP_MASK	(0ull FS_REASONS(FS_R_STOP_BIT_))
#define FS_R_RESET_MASK (0ull FS_REASONS(FS_R_RESET_BIT_))
#define FS_R_TX_MASK	(0ull FS_REASONS(FS_R_TX_BIT_))

/* LPM trie key for the allow and block lists. */
struct fs_lpm_key {
	__u32 prefixlen; /* 0..128, over the 16-byte form */
	__u8 addr[16];
};

#define FS_NOTE_LEN 32

/* Value of the allow and block lists. */
struct fs_list_val {
	__u64 expires_ns; /* 0: permanent */
	enum fs_origin origin;
	__u32 pad;
	char note[FS_NOTE_LEN]; /* NUL-terminated, operator's text */
};

/* Key of the bans and rate maps: a masked address and its prefix
 * length. Ban keys have bucket FS_B_NONE.
 */
struct fs_key {
	__u8 addr[16]; /* host bits beyond plen are zero */
	__u8 plen;     /* 0..128 */
	__u8 pad[3];
	enum fs_bucket bucket;
};

struct fs_ban {
	__u64 expires_ns;
	__u64 created_ns;
	enum fs_ban_reason reason;
	__u32 count; /* bans of this key so far, for TTL growth */
};

/* GCRA state: theoretical arrival time of the next conforming packet. */
struct fs_bucket_val {
	__u64 tat_ns;
	__u32 over; /* consecutive non-conforming packets */
	__u32 pad;
};

#define FS_RATE_WAYS 2

struct fs_rate_slot {
	struct fs_key key;
	struct fs_bucket_val b;
};

/* One rate, prepared by userspace: interval = 1e9 / rate,
 * tolerance = interval * (burst - 1). rate 0 disables the bucket.
 */
struct fs_rate {
	__u32 rate;  /* packets per second */
	__u32 burst; /* packets */
	__u64 interval_ns;
	__u64 tolerance_ns;
};

struct fs_limit {
	struct fs_rate src;
	struct fs_rate prefix;
};

#define FS_CFG_OBSERVE	   (1u << 0) /* count, never drop */
#define FS_CFG_VERIFY_HTTP (1u << 1) /* report new HTTP sources */
#define FS_CFG_COOKIE_TS   (1u << 2) /* cookie SYN-ACKs with TS options */

/* HTTP policy bits in fs_cfg.http_flags: the user's settings only. */
#define FS_HTTP_RESET_NO_HOST10 (1u << 1) /* HTTP/1.0 without Host */
#define FS_HTTP_RESET_IP_HOST	(1u << 2) /* IP-literal Host */
#define FS_HTTP_RESET_H2	(1u << 5) /* the HTTP/2 preface */
/* Bits 0, 3 and 4 held the served-host bits in older builds (now
 * struct fs_hostfp.flags). The program ignores them; once this build's
 * program is live (attach, --replace, the daemon's start), the loader
 * clears them in a pinned fs_cfg an older build wrote. Never reuse them. */
#define FS_HTTP_RETIRED ((1u << 0) | (1u << 3) | (1u << 4))

/* Served hosts. The key holds the normalised name right-aligned and
 * zero-padded on the left, so a suffix is the same bytes with the left
 * part zeroed: "www.example.org" exactly, ".example.org" for the
 * wildcard *.example.org. Longer names are never looked up (undecided). */
#define FS_HOST_MAX 64

struct fs_host_key {
	char name[FS_HOST_MAX];
};

struct fs_host_val {
	char name[FS_HOST_MAX + 7]; /* as added, NUL-terminated */
	__u8 origin; /* enum fs_origin: config or cli (not read by the program) */
};

/* Fingerprints of the exact (non-wildcard) served names, so the program
 * judges a Host with an inline array probe instead of copying it out of
 * the packet and hashing 64 bytes in a map lookup. fp[active] is the
 * live table, open addressing from fp % FS_HOSTFP_SLOTS over at most
 * FS_HOSTFP_PROBE slots, 0 = empty. Userspace rebuilds the other half
 * and then flips `active`, so a packet always probes a whole table; it
 * moves `gen` before and after, and a packet that sees `gen` change
 * during its probe (it may have read `active` before an earlier flip,
 * and be probing the half now rewritten) asks fs_hosts instead. A miss
 * is final only without wildcards (they take the fs_hosts path).
 * Two names with one 64-bit print: a spoofed Host with the print of a
 * served name passes to the server, which refuses it as before. */
#define FS_HOSTFP_SLOTS 32768 /* 2 x FS_HOSTS_MAX: a power of two */
#define FS_HOSTFP_PROBE 8

/* Served-host bits in fs_hostfp.flags, derived from fs_hosts by
 * loader/hostfp.c (their only writer) and read by the program in one
 * helper (bpf/http.bpf.h host_bits()). */
#define FS_HOSTS_CHECK \
	(1u << 0)		     /* fs_hosts holds a name: the
				      * served-host check is on */
#define FS_HOSTS_WILDCARDS (1u << 1) /* fs_hosts holds a "*." name */
#define FS_HOSTS_PRINTS \
	(1u << 2) /* fp[active] holds every exact
		   * name of fs_hosts */

struct fs_hostfp {
	__u32 flags; /* FS_HOSTS_* */
	__u32 pad;
	__u64 active; /* 0 or 1 */
	__u64 gen;    /* moved before and after each rebuild */
	__u64 fp[2][FS_HOSTFP_SLOTS];
};

/* A flow whose request was answered with RESET. */
struct fs_flow_key {
	__u8 addr[16]; /* client */
	__u16 sport;   /* client port, network order */
	__u16 dport;   /* server port, network order */
};

struct fs_flow_val {
	__u64 reset_ns;
	enum fs_reason reason;
	__u32 seq;  /* of the segment turned into RST, network order:
		     * only a segment with it is a retransmission */
	__u32 hash; /* of that segment's first payload bytes: a
		     * segment with other bytes is judged again */
	__u32 pad;
};

/* fs_flows is a table of these, FS_FLOW_WAYS-way set associative, not a
 * hash map: the program remembers a flow with a few stores instead of a
 * ~500 ns map insert, and finds it with inline array accesses. A flow
 * lives in one of the slots of set fs_flow_index(); a new flow takes the
 * oldest. A flow pushed out before its retransmission came loses its
 * exemption: the retransmission is judged again and, its connection
 * being gone, dropped, so that client waits for its timeout instead of
 * the kernel's RST. With four ways that needs five resets into one set
 * within a retransmission timeout. A zero key is a slot never used. The
 * number of slots is a power of two. */
#define FS_FLOW_WAYS 4
struct fs_flow_slot {
	struct fs_flow_key key;
	__u32 pad;
	struct fs_flow_val v;
};

/* An HTTP flow, as the parser's resume state knows it: both addresses
 * (v4-mapped) and both ports (network order). */
struct fs_hflow_key {
	__u8 src[16];
	__u8 dst[16];
	__u16 sport;
	__u16 dport;
};

/* The HTTP parser's states (fs_hstate.st, bpf/hparse.bpf.h). HP_START
 * must stay 0: a new state. */
enum hp_st {
	HP_START = 0,  /* before a request line: empty lines */
	HP_METHOD,     /* method token */
	HP_SP1,	       /* SP after the method */
	HP_TARGET,     /* the target's first byte */
	HP_PATH1,      /* the byte after an origin-form's first '/' */
	HP_SCHEME,     /* an absolute-form's scheme */
	HP_SLASHES,    /* "//" after "scheme:" (sub: slashes seen) */
	HP_AUTH,       /* its authority (collected like a Host value) */
	HP_PATH,       /* the rest of the target */
	HP_SP2,	       /* SP after the target */
	HP_VERSION,    /* "HTTP/x.y" (sub: its byte) */
	HP_VEOL,       /* after the version: SP, CR, LF */
	HP_LINE,       /* the start of a field line, or the empty line */
	HP_NAME,       /* a field name, some candidates still matching */
	HP_NAME_REST,  /* a field name no candidate matches */
	HP_VALUE,      /* a field value skipped to its line end */
	HP_HOST_OWS,   /* OWS before a Host value */
	HP_HOST,       /* a Host value */
	HP_HOST_TRAIL, /* OWS after it */
	HP_CL,	 /* a Content-Length value (sub: 0 OWS, 1 digits, 2 OWS) */
	HP_TE,	 /* a Transfer-Encoding value (sub: byte of "chunked") */
	HP_BODY, /* Content-Length body bytes (count) */
	HP_CHUNK_SIZE,	 /* a chunk-size line (sub: digits) */
	HP_CHUNK_EXT,	 /* its extension, to the line end */
	HP_CHUNK_DATA,	 /* chunk data (count) */
	HP_CHUNK_END,	 /* CRLF after chunk data (sub: bytes) */
	HP_TRAILER,	 /* the start of a trailer line, or the empty line */
	HP_TRAILER_LINE, /* a trailer line, to its end */
	HP_UPGRADED,	 /* after a head with Upgrade */
	HP_OPAQUE,	 /* not HTTP/1 any more: never parsed again */
	HP_LOST,	 /* a head over the budget: never parsed again */
	HP_UNTRACKED,	 /* data before the state was made: never parsed */
	HP_RESET,	 /* the shield reset the connection: every later
			  * segment is turned into a RST again (the kernel
			  * may have ignored the first, sent where the
			  * parser's stream and the kernel's differed) */
};

/* Bytes the parser passed that the kernel has not taken (its next byte
 * is before the parser's, bpf/http.bpf.h) may still be on their way to it (GRO, the
 * backlog, a socket its owner holds: microseconds) for this long after
 * the last parse; then they count as dropped. Behind DNAT the kernel's
 * position is the server's largest ACK, late by up to its delayed-ACK
 * timer (TCP_DELACK_MAX, 200 ms). A legitimate retransmission comes at
 * least TCP_RTO_MIN (200 ms) after its original. */
#define FS_HTTP_SETTLE_NS 500000000ull

/* The HTTP parser's resume state of a flow (bpf/hparse.bpf.h): where the
 * next in-order segment continues. Written only by the program. */
struct fs_hstate {
	__u32 next_seq; /* host order: the next byte to parse */
	__u32 count;	/* body or chunk bytes left; digits of a length */
	__u32 head;	/* bytes of the current request head so far */
	__u16 hostlen;	/* Host value bytes so far (fs_hhost when cut) */
	__u8 st;	/* the parser state (enum hp_st above) */
	__u8 sub;	/* position in a token or a field name */
	__u16 req;	/* flags of the current request */
	__u8 cand;	/* field names still matching */
	__u8 blank;	/* empty lines before the request line */
	__u8 prev;	/* the byte before the next one */
	__u8 pad[3];
	__u64 used_ns; /* last segment parsed */
	__u8 snap[24]; /* the fields above used_ns before the last segment
			* parsed: what a rewind goes back to */
	__u32 snap_ok; /* snap holds them */
	__u32 origin;  /* host order: the byte the state was made at (a
			* connection's first byte, or a pick-up's) */
};

/* A Host value cut by a segment end: its bytes so far (at most
 * FS_HHOST_LEN - 1 are kept; a longer value is unserved anyway). The
 * array is twice that, so that the program can append up to
 * FS_HHOST_LEN - 1 bytes at any offset below FS_HHOST_LEN. */
#define FS_HHOST_LEN 256
struct fs_hhost {
	__u8 name[2 * FS_HHOST_LEN];
	__u32 len;
	__u32 pad;
};

#define FS_KEY_WORDS  2	  /* settings keys: at most 128 */
#define FS_OWNER_LEN  128 /* a config file's path, as fs_cfg keeps it */
#define FS_CONF_PORTS 1	  /* the services table (fs_services) */
#define FS_CONF_HOSTS 2	  /* the hosts of origin config */
struct fs_cfg {
	__u32 flags;	/* FS_CFG_* */
	__u8 v4_prefix; /* per-prefix bucket length, IPv4 bits */
	__u8 v6_prefix; /* per-prefix bucket length, IPv6 bits */
	__u16 pad;
	__u64 observe_mask;   /* bit (1 << reason): observe only that rule */
	__u32 ban_after;      /* over-rate packets before a ban; 0: never */
	__u32 ban_shift_max;  /* TTL doubles per repeat, at most this often */
	__u64 ban_ttl_ns;     /* first ban */
	__u64 ban_ttl_max_ns; /* cap for repeat offenders */
	__u32 http_flags;     /* FS_HTTP_* */
	__u32 pad2;
	__u64 event_dedup_ns;	 /* a source is reported once per this */
	__u64 proven_ttl_ns;	 /* a source stays proven this long */
	__u64 syn_guard_hold_ns; /* pressure lasts this long */
	__u8 syn_cookies;	 /* enum fs_syn_cookies */
	__u8 cookie_wscale;	 /* window scale of a TS cookie SYN-ACK */
	__u16 cookie_mss4;	 /* MSS a cookie SYN-ACK advertises, IPv4 */
	__u16 cookie_mss6;	 /* and IPv6 */
	__u8 http_server;	 /* enum fs_http_server */
	__u8 pad4;
	__u32 http_head_max; /* request-head bytes parsed */
	__u32 pad5;
	__u64 http_suspect_hold_ns; /* the suspicion window */
	__u32 smtp_capacity;	    /* smtp.capacity; 0: smtp_capacity_auto */
	__u32 smtp_capacity_auto;   /* read from Postfix (loader/postfix.h)
				     * when smtp.capacity is 0; 0: no limit */
	__u8 smtp_reserve;	    /* percent of the capacity: verified */
	__u8 smtp_tempfail_share;   /* percent of the capacity: tempfail */
	__u16 pad6;
	__u32 pad7;
	__u64 smtp_idle_ns; /* a session idle this long stops counting */
	struct fs_limit limits[FS_B_MAX];
	/* Who owns each setting, one bit per row of the settings table
	 * (loader/settings.h fs_setting_index()); the program reads none
	 * of this. The daemon's config sync writes conf_keys (the keys its
	 * file sets: `set` refuses them), conf_flags and owner; `set`
	 * marks cli_keys, and the sync keeps those values. */
	__u64 conf_keys[FS_KEY_WORDS];
	__u64 cli_keys[FS_KEY_WORDS];
	__u32 conf_flags; /* FS_CONF_*: what else that file owns */
	__u32 pad8;
	char owner[FS_OWNER_LEN]; /* that file's path, NUL-terminated */
};

/* Sources proven by evidence an off-path sender cannot forge: an ACK
 * with a valid SYN cookie, or a connection's first request or EHLO on a
 * socket the kernel holds (bpf/proven.bpf.h). fs_proven is a table of
 * these, FS_PROVEN_WAYS-way set associative like fs_rate: a source lives
 * in one slot of set fs_proven_index(); a new source takes the slot of
 * its set proven longest ago. A zero address is a slot never used. The
 * number of slots is a power of two. Written only by the program. */
#define FS_PROVEN_WAYS 4
struct fs_proven_slot {
	__u8 addr[16];	 /* the source, IPv4 v4-mapped */
	__u64 proven_ns; /* when it first proved itself (in this slot) */
	__u64 last_ns;	 /* its last proof; proven until + syn.proven_ttl */
};

/* An SMTP session counted open (fs_smtp_flows, keyed by struct
 * fs_flow_key): counted from the first segment of its flow the kernel's
 * socket proves (never a SYN), uncounted by the client's FIN or RST at
 * the expected sequence, or by the daemon's sweep after smtp.idle
 * without a segment (bpf/session.bpf.h). */
struct fs_smtp_flow {
	__u64 last_ns; /* the client's last segment */
	__u32 pool;    /* enum fs_smtp_pool_id it counts in */
	__u32 pad;
};

/* Sessions of one pool (fs_smtp_pools, FS_POOL_MAX entries): open =
 * opened - closed - swept. The program adds to opened and closed
 * atomically; only the daemon's sweep writes swept (one writer), so
 * no field is ever written by both sides. */
struct fs_smtp_pool {
	__u64 opened; /* sessions counted (first proven segment) */
	__u64 closed; /* by the client's FIN or RST */
	__u64 swept;  /* by the daemon, idle for smtp.idle */
	__u64 pad;
};

/* The SYN path's global state (fs_syn, array[1]). */
struct fs_syn_state {
	struct fs_bucket_val guard;   /* syn.guard: every policed SYN */
	struct fs_bucket_val cookie;  /* syn.cookie.rate: cookies sent */
	__u64 pressure_until_ns;      /* under pressure until then */
	__u64 cookie_until_ns;	      /* cookies were sent: their ACKs are
				       * checked until then */
	struct fs_bucket_val suspect; /* http.suspect: bad requests */
	__u64 suspect_until_ns;	      /* suspicion window until then */
	__u64 pad;
};

/* Prefilter of the lists and bans (fs_filter), read before the LPM
 * tries and the ban hash: one bit per slot and set, set when an entry of
 * that set may cover a source of the slot. A slot is an IPv4 /26 or an
 * IPv6 /48, hashed to FS_FILTER_SLOT_BITS bits. A clear bit proves the
 * source is in no entry of the set, so the program skips that lookup; a
 * set bit only sends it to the lookup. An entry shorter than its
 * family's slot marks every slot under it, up to 2^FS_FILTER_SPAN_MAX of
 * them (2^FS_FILTER_BPF_SPAN for the bans the program makes); a shorter
 * one (IPv4 under /8, IPv6 under /30) sets wide[set]: every source is
 * then looked up in that set.
 *
 * Contract: whoever adds an entry to fs_allow, fs_block, fs_bans or
 * fs_dns marks it here (the program does for its bans; userspace through
 * loader/filter.h). Bits of deleted entries stay until a rebuild, which
 * only costs lookups. A raw `bpftool map update` of a list is matched
 * only after the next rebuild (`floodshield attach`, any list command,
 * a reload or the daemon's sweep). */
#define FS_FILTER_SLOT_BITS 20
#define FS_FILTER_SLOTS	    (1u << FS_FILTER_SLOT_BITS)
#define FS_FILTER_WORDS	    (FS_FILTER_SLOTS / 64)
#define FS_FILTER_V4_KEY    26 /* IPv4 bits a slot is made of */
#define FS_FILTER_V6_KEY    48 /* IPv6 bits a slot is made of */
#define FS_FILTER_SPAN_MAX  18 /* wider entries set wide[] */
#define FS_FILTER_BPF_SPAN  4  /* the program marks at most 2^4 */
#define FS_FILTER_HASH	    0x9E3779B97F4A7C15ull /* odd */

enum fs_filter_set {
	FS_FILTER_ALLOW = 0,
	FS_FILTER_BLOCK,
	FS_FILTER_BAN,
	FS_FILTER_DNS, /* fs_dns verdicts (the SMTP class) */
	FS_FILTER_SETS,
};

struct fs_filter {
	__u64 wide[FS_FILTER_SETS]; /* nonzero: look every source up */
	__u64 bits[FS_FILTER_SETS][FS_FILTER_WORDS];
};

/* The secret key of the set hashes (fs_hkey, array[1]; maps/hash.h
 * fs_hash_words()): where a rate key, a flow or a proven source lives in
 * fs_rate, fs_flows and fs_proven. The loader fills it from getrandom()
 * when it creates the map (a key of all zeros: never written) and keeps
 * it when it reuses a pin, so that slots stay findable across program
 * replacements, upgrades and daemon restarts. All zeros gives the
 * unkeyed indexes of older builds (tests' unpinned skeletons). Read only
 * by the program; the loader writes it once. */
#define FS_HKEY_WORDS 4
struct fs_hkey {
	__u64 k[FS_HKEY_WORDS]; /* k[0..2]: a word pair each; k[3]: the sum */
};

/* The pure hashes both sides compute over the types above (table
 * indexes, host prints, prefilter slots). */
#include "hash.h"

/* Key of maps indexed by one source address. */
struct fs_addr_key {
	__u8 addr[16];
};

#define FS_NAME_LEN 64

/* DNS verdict of a source, written by the daemon's verifier. */
/* How long past its expiry a `verified` verdict still counts (served
 * stale while the source's next contact has it checked again): bpf/
 * proven.bpf.h, userspace/daemon/verifier.c on_contact(). */
#define FS_DNS_STALE_NS (3600ull * 1000000000ull)

struct fs_dns_val {
	enum fs_dns_class class;
	enum fs_dns_reason reason;
	__u64 checked_ns;	/* when verified */
	__u64 expires_ns;	/* verdict valid until (DNS TTL) */
	char name[FS_NAME_LEN]; /* confirming or first PTR name */
	char ehlo[FS_NAME_LEN]; /* last EHLO/HELO name seen */
};

enum fs_event_type {
	FS_EV_EHLO = 1, /* an SMTP client's EHLO/HELO name */
	FS_EV_SOURCE,	/* a new source on an HTTP port */
	FS_EV_CONTACT,	/* an SMTP client's first proven segment (its
			 * handshake), a source without a live verdict */
};

/* One ring-buffer record. */
struct fs_event_rec {
	enum fs_event_type type;
	__u16 dport; /* host order */
	__u16 name_len;
	__u8 addr[16];
	__u64 ts_ns;
	char name[FS_NAME_LEN]; /* EHLO argument, not NUL-terminated */
};

/* The daemon's own state (fs_daemon, array[1]), so that the CLI
 * (`status`) and the exporters, other processes, can observe it exactly.
 * Written only by `floodshield run`, one whole value at a time: at its
 * start (pid set, counters zero), after each reload has finished (maps
 * synced or rolled back, the new file in force), and at a clean stop
 * (pid 0). Writers and readers pass BPF_F_LOCK, so the kernel copies the
 * value under its lock: a reader never sees a reload counted in one
 * field and not yet in another. The program never reads it.
 *
 * generation = applied + refused + rolled_back: it moves exactly once per
 * reload, after that reload's effects are in place. A SIGHUP that comes
 * during a reload causes one more reload after it (several such SIGHUPs
 * may give one). */
struct fs_daemon_state {
	struct bpf_spin_lock lock; /* the kernel's, for BPF_F_LOCK */
	__u32 pid; /* running daemon (its pid namespace); 0: none */
	enum fs_reload_result last; /* of the last reload */
	__u32 pad;
	__u64 started_ns; /* CLOCK_MONOTONIC, when it started serving */
	__u64 last_ns;	  /* when the last reload finished; 0: none */
	__u64 generation; /* reloads finished since the start */
	__u64 applied;
	__u64 refused;
	__u64 rolled_back;
};

struct fs_counter {
	__u64 packets;
	__u64 bytes;
	__u64 observed_packets; /* would have dropped, passed by observe */
	__u64 observed_bytes;
};

_Static_assert(sizeof(struct fs_lpm_key) == 20, "fs_lpm_key");
_Static_assert(sizeof(struct fs_list_val) == 48, "fs_list_val");
_Static_assert(sizeof(struct fs_key) == 24, "fs_key");
_Static_assert(sizeof(struct fs_ban) == 24, "fs_ban");
_Static_assert(sizeof(struct fs_bucket_val) == 16, "fs_bucket_val");
_Static_assert(sizeof(struct fs_rate) == 24, "fs_rate");
_Static_assert(sizeof(struct fs_key) == 24, "fs_key");
_Static_assert(sizeof(struct fs_rate_slot) == 40, "fs_rate_slot");
_Static_assert(sizeof(struct fs_limit) == 48, "fs_limit");
_Static_assert(sizeof(struct fs_cfg) == 120 + 48 * FS_B_MAX +
						16 * FS_KEY_WORDS + 8 +
						FS_OWNER_LEN,
	       "fs_cfg");
_Static_assert(sizeof(struct fs_hflow_key) == 36, "fs_hflow_key");
_Static_assert(sizeof(struct fs_hstate) == 64, "fs_hstate");
_Static_assert(__builtin_offsetof(struct fs_hstate, used_ns) == 24, "fs_hstate."
								    "snap");
_Static_assert(sizeof(struct fs_hhost) == 520, "fs_hhost");
_Static_assert(sizeof(struct fs_proven_slot) == 32, "fs_proven_slot");
_Static_assert(sizeof(struct fs_syn_state) == 80, "fs_syn_state");
_Static_assert(sizeof(struct fs_smtp_flow) == 16, "fs_smtp_flow");
_Static_assert(sizeof(struct fs_smtp_pool) == 32, "fs_smtp_pool");
_Static_assert(sizeof(struct fs_hkey) == 32, "fs_hkey");
_Static_assert(sizeof(struct fs_addr_key) == 16, "fs_addr_key");
_Static_assert(sizeof(struct fs_filter) ==
		       FS_FILTER_SETS * (8 + FS_FILTER_SLOTS / 8),
	       "fs_filter");
_Static_assert(sizeof(struct fs_dns_val) == 152, "fs_dns_val");
_Static_assert(sizeof(struct fs_event_rec) == 96, "fs_event_rec");
_Static_assert(sizeof(struct fs_host_key) == FS_HOST_MAX, "fs_host_key");
_Static_assert(sizeof(struct fs_host_val) == 72, "fs_host_val");
_Static_assert(FS_HOSTFP_SLOTS >= 2 * FS_HOSTS_MAX, "fs_hostfp load");
_Static_assert(sizeof(struct fs_hostfp) == 24 + 16 * FS_HOSTFP_SLOTS, "fs_"
								      "hostfp");
_Static_assert(sizeof(struct fs_flow_key) == 20, "fs_flow_key");
_Static_assert(sizeof(struct fs_flow_val) == 24, "fs_flow_val");
_Static_assert(sizeof(struct fs_flow_slot) == 48, "fs_flow_slot");
_Static_assert(sizeof(struct fs_counter) == 32, "fs_counter");
_Static_assert(sizeof(struct fs_daemon_state) == 64, "fs_daemon_state");
_Static_assert(sizeof(enum fs_svc) == 4, "enum size");
_Static_assert(FS_R_MAX <= 64, "observe_mask has one bit per reason");
_Static_assert(FS_R_MAX <= FS_STATS_SLOTS, "fs_stats has a slot per reason");
_Static_assert(FS_E_MAX <= FS_EVENTS_SLOTS, "fs_events has a slot per event");

/* Whether a reason stops the packet (drop or reset) outside observe, and
 * whether it resets it: its row's action, a bit of a mask the compiler
 * computes from the table (the rows' order does not matter). 0 for any
 * value past the table (FS_R_MAX: no verdict yet). */
static inline int fs_reason_drops(enum fs_reason r)
{
	return r < 64 && (FS_R_STOP_MASK >> r) & 1;
}

static inline int fs_reason_resets(enum fs_reason r)
{
	return r < 64 && (FS_R_RESET_MASK >> r) & 1;
}

/* The SMTP capacity in force: smtp.capacity, else what was read from
 * Postfix; 0: no admission limit. */
static inline __u32 fs_smtp_capacity(const struct fs_cfg *c)
{
	return c->smtp_capacity ? c->smtp_capacity : c->smtp_capacity_auto;
}

/* The sessions pool @pool may hold (docs/smtp.md, Admission): verified
 * its reserve (it may also take any free place below the capacity),
 * tempfail its share, open what both leave. 0 with no capacity. Both
 * sides compute it here: the program to admit, the exporter to report. */
static inline __u32 fs_smtp_pool_cap(const struct fs_cfg *c, __u32 pool)
{
	__u32 cap = fs_smtp_capacity(c);
	__u32 reserve = (__u64)cap * c->smtp_reserve / 100;
	__u32 temp = (__u64)cap * c->smtp_tempfail_share / 100;

	if (pool == FS_POOL_VERIFIED)
		return reserve;
	if (pool == FS_POOL_TEMPFAIL)
		return temp;
	return cap > reserve + temp ? cap - reserve - temp : 0;
}

/* Sessions open in a pool, from its counters (struct fs_smtp_pool). */
static inline __u64 fs_smtp_pool_open(__u64 opened, __u64 closed, __u64 swept)
{
	return opened > closed + swept ? opened - closed - swept : 0;
}

/* Whether @r answers the packet with what the stage rewrote it into
 * (XDP_TX). */
static inline int fs_reason_tx(enum fs_reason r)
{
	return r < 64 && (FS_R_TX_MASK >> r) & 1;
}

#endif
