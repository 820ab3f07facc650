/* SPDX-License-Identifier: GPL-2.0 */
/* floodshield benchmarks (fs_bench): what the parts share.
 *
 * Every timing is the kernel's own BPF_PROG_TEST_RUN `duration` (see
 * shared MACHINE.md: wall-clock time of a call is meaningless). Three
 * ways of timing, in bench/timing.c:
 *   repeat  one frame, `repeat` runs in one call: the per-run mean. For
 *           paths that stay the same packet after packet.
 *   fresh   one run per call (repeat = 1) over many fresh sources, each
 *           call's state made fresh first; the median call, minus the
 *           trivial program's median call on the same frames, plus the
 *           trivial program's repeat figure. For stateful paths.
 *   live    BPF_F_TEST_XDP_LIVE_FRAMES on a real interface: Mpps.
 */
#ifndef FS_BENCH_H
#define FS_BENCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "../maps/floodshield.h"
#include "bench_abi.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#define BENCH_FRAME_MAX 2048

/* ------------------------------------------------------------------ */
/* timing.c */

/* Pin the process to @cpu (the per-CPU maps and caches stay put). */
int bt_pin_cpu(int cpu);

/* One call of @repeat runs of @frame. *@ns: mean ns per run (kernel).
 * *@verdict: the program's return value. 0 or -errno. */
int bt_repeat(int prog_fd, const void *frame, size_t len, int repeat,
	      double *ns, int *verdict);

/* One run (repeat = 1). The frame as the program left it goes to @out
 * (room for BENCH_FRAME_MAX bytes) when not NULL. 0 or -errno. */
int bt_once(int prog_fd, const void *frame, size_t len, double *ns,
	    int *verdict, void *out, size_t *out_len);

/* Live frames: @repeat copies of @frame through the program as if
 * received on @ifindex (XDP_PASS goes up that namespace's stack).
 * *@ns: mean ns per frame. 0 or -errno. */
int bt_live(int prog_fd, const void *frame, size_t len, int ifindex, int repeat,
	    double *ns);

double median(double *v, size_t n);		  /* sorts v */
double percentile(double *v, size_t n, double p); /* sorts v */

/* ------------------------------------------------------------------ */
/* frames.c: the frames of every case, built with tests/pkt.h. */

struct frame {
	uint8_t buf[BENCH_FRAME_MAX];
	size_t len;
	size_t l3, l4, payload; /* offsets of the IP and TCP headers, payload */
	int family;
};

/* Addresses, one per role and family (documentation ranges only). */
enum bench_role {
	ROLE_SERVER = 0, /* destination of every frame */
	ROLE_CLIENT,	 /* an ordinary source: no list holds it */
	ROLE_ALLOWED,	 /* inside an allowlisted prefix */
	ROLE_BLOCKED,	 /* inside a statically blocked prefix */
	ROLE_BANNED,	 /* banned (/128), no expiry */
	ROLE_FRESH,	 /* base of the fresh sources */
	ROLE_MAX,
};

/* The address text of @role in @family (4 or 6). */
const char *bench_addr(enum bench_role role, int family);
/* The CIDR of the allow or block list entry holding that role. */
const char *bench_list_cidr(enum bench_role role, int family);

/* Fresh source number @seq of @family into @addr (16-byte form), in a
 * documentation range that no list holds; they repeat every
 * BENCH_FRESH_N (a "new source" is one whose state was forgotten). */
#define BENCH_FRESH_N 128
#define BENCH_SPORT   40000 /* every frame's source port */
#define BENCH_DPORT   80    /* the server's port with connections */
void bench_fresh_addr(int family, unsigned seq, uint8_t addr[16]);

/* The HTTP requests of the cases. */
enum bench_payload {
	PL_NONE = 0,
	PL_HOST_EARLY,	      /* GET, served Host first, ~150 bytes */
	PL_SPOOFED,	      /* the attack: Host 0jejhcec65c24dslii.com */
	PL_FRAGMENT,	      /* the attack with "/#101" as target */
	PL_HOST_LAST_500,     /* 500 bytes, served Host the last field */
	PL_NO_HOST_1400,      /* 1400 bytes, HTTP/1.1, complete, no Host */
	PL_NO_HOST_1400_ODD,  /* the same, last line 26 bytes (judged
			       * undecided at bdb3efb: docs/benchmarks.md) */
	PL_GOOD_500,	      /* a browser's GET, 500 bytes, Host second */
	PL_GOOD_500_LINE,     /* its request line: a first segment */
	PL_GOOD_500_REST,     /* the rest, from Host to the empty line */
	PL_PIPE3,	      /* three small GETs (~130 bytes each) */
	PL_FIELDS_1400,	      /* 1400 bytes of field lines, no Host, the
			       * head not ended: a later segment */
	PL_SHORT_FIELDS_1400, /* the same in short lines (X-Fill-NNN: v) */
	PL_SMTP_EHLO,	      /* "EHLO mail.example.org\r\n" */
	PL_UDP_DNS,	      /* 32 bytes of UDP payload */
	PL_MAX,
};

#define ATTACK_HOST "0jejhcec65c24dslii.com"
#define SERVED_HOST "www.example.org"

struct frame_spec {
	int family;
	enum bench_role src;
	bool udp;
	uint16_t dport;
	uint16_t sport; /* 0: 40000 */
	uint8_t tcp_flags;
	enum bench_payload payload;
	const uint8_t *src_addr; /* overrides @src when not NULL */
	uint32_t seq_off;	 /* bytes of the stream before this segment */
};

/* Build @s into @f, every checksum right. A TCP segment other than a SYN
 * from BENCH_SPORT to BENCH_DPORT carries the sequence numbers of the
 * source's connection (bench_conn_seq(), @seq_off on), where there is
 * one; others 1000 and 2000. 0 or -1. */
int frame_build(const struct frame_spec *s, struct frame *f);

/* The length of payload @p. */
size_t bench_payload_len(enum bench_payload p);

/* Runs per call in repeat mode for frames of @s, given @repeat: an HTTP
 * data segment's path costs 1-8 us here, so it gets BENCH_HTTP_REPEAT
 * at most, which keeps `make bench-quick` short (the figure is a mean
 * over the runs either way). */
#define BENCH_HTTP_REPEAT 100000
int bench_repeat(const struct frame_spec *s, int repeat);

/* What bench_fresh needs to replay the TCP segment @f with a new flow
 * each run: where its words are, their values to restore. */
void frame_fresh_cfg(const struct frame *f, struct fresh_cfg *c);

/* ------------------------------------------------------------------ */
/* shield.c: a private floodshield instance (unpinned maps, real clock,
 * nothing attached) configured through its own maps, and the xdp-filter
 * objects. */

struct floodshield_bpf;

struct shield {
	struct floodshield_bpf *skel;
	struct fs_cfg cfg; /* as last written */
	int prog_fd;
	int ncpu;
	struct fs_rate_slot *rate; /* the rate table, mapped */
	uint32_t rate_slots;
	struct fs_flow_slot *flows; /* the flows table, mapped */
	uint32_t flow_slots;
	struct fs_hkey hkey; /* the set hashes' key, as loaded (zero) */
};

/* Map sizes for shield_open(); 0 keeps the object's default. */
struct shield_sizes {
	uint32_t rate, bans, allow, block, hosts, flows;
};

int shield_open(struct shield *s, const struct shield_sizes *sizes);
void shield_close(struct shield *s);

/* Defaults as a fresh attach writes them, then the lists of the cases:
 * the allowed and blocked prefixes, the banned sources, the served
 * hosts www.example.org and example.org. */
int shield_setup(struct shield *s);

/* Settings: the defaults, then each "key=value" of @kv (NULL-ended). */
int shield_settings(struct shield *s, const char *const *kv);
/* Every bucket's rate to 1e9/s, burst 1e6: a path "within its rate"
 * then stays within it for any number of runs. */
int shield_unlimited(struct shield *s);

/* The per-source level of bucket @b admits one packet per 10^6 s (a
 * rate settings cannot express): after its first packet a source stays
 * over it for any run. */
int shield_starve(struct shield *s, enum fs_bucket b);

/* Make @role's addresses (IPv4 and IPv6) proven sources (fs_proven, as
 * of now), or with !@proven not. */
int shield_prove(struct shield *s, enum bench_role role, bool proven);

/* Empty the rate, flows and HTTP parser state maps, the SYN guard's
 * state and the ordinary client's proof; bans back to the static ones. */
int shield_reset_state(struct shield *s);
/* Forget state about @f: the flow (client address and ports) it
 * belongs to and its HTTP parser state, and with @source also every
 * bucket of its source (each kind, at /128 and at its prefix) and the
 * source's bans. */
int shield_forget(struct shield *s, const struct frame *f, bool source);

/* Counters summed over CPUs (packets and observed packets, by reason),
 * and events. */
int shield_counts(struct shield *s, uint64_t out[FS_R_MAX]);
int shield_events(struct shield *s, uint64_t out[FS_E_MAX]);

/* Add a ban of @addr masked to @plen (over 128 bits), never expiring. */
int shield_ban(struct shield *s, const uint8_t addr[16], unsigned plen);
/* Allow or block list entry for CIDR text. */
int shield_list_add(struct shield *s, bool allow, const char *cidr);
int shield_host_add(struct shield *s, const char *name);

/* Delete every entry of map @fd, whose keys are @ksize bytes. */
int map_clear(int fd, size_t ksize);
/* Put @k in the rate table with @tat, in the slot the program would
 * take for it. */
void shield_rate_put(struct shield *s, const struct fs_key *k, uint64_t tat);

/* Map fds by name ("fs_rate"...), for sizes and counts. */
int shield_map_fd(struct shield *s, const char *name);

/* The HTTP parser state's key of @f's flow (fs_hstate). */
void frame_hflow_key(const struct frame *f, struct fs_hflow_key *k);

/* The benchmarks' own object (bench/bench.bpf.c), loaded with
 * bench_hflow working on @s's fs_hstate. NULL on failure. */
struct bench_bpf;
struct bench_bpf *shield_bench_open(struct shield *s);

/* xdp-filter's compiled objects. */
enum xf_kind {
	XF_ALLOW_ALL = 0, /* xdpfilt_alw_all: pass unless listed */
	XF_DENY_ALL,	  /* xdpfilt_dny_all: drop unless listed */
	XF_MAX,
};

struct xfilter {
	struct bpf_object *obj;
	int prog_fd;
	const char *name;
};

/* Load one object (unpinned maps) and list the cases' entries: sources
 * of the blocked and banned roles, a denied port; or, for the deny-all
 * object, the allowed roles and the service ports. -ENOENT when the
 * object is not installed. */
int xf_open(struct xfilter *x, enum xf_kind kind, int ncpu);
void xf_close(struct xfilter *x);

/* ------------------------------------------------------------------ */
/* sock.c: real TCP connections, so that floodshield's fs_conn_proof()
 * finds the kernel's socket for the frames' flows, as it would for a
 * real client: from the client and every fresh source (port
 * BENCH_SPORT) to the server's port 80, IPv4 and IPv6; the frames carry
 * their sequence numbers (bench_conn_seq()). Needs those addresses in
 * the current network namespace (bench/run.sh's). Returns how many
 * connections were made (0 outside that namespace; the HTTP cases then
 * take the no-connection path, which their path check reports). */
int bench_connect_all(void);

/* The sequence numbers of the connection from @src:BENCH_SPORT to the
 * server's port 80: *seq the client's next byte (the server socket's
 * rcv_nxt), *ack the server's (its snd_nxt), host order. 0, or -1 when
 * bench_connect_all() made none. */
int bench_conn_seq(const uint8_t src[16], uint32_t *seq, uint32_t *ack);

/* ------------------------------------------------------------------ */
/* The commands. */

struct bench_opts {
	int runs;   /* timed runs per figure: median */
	int repeat; /* runs per call in repeat mode */
	int fresh;  /* calls per run in fresh mode */
	int cpu;
	const char *only; /* pkt: comma-separated case ids, or NULL */
	FILE *tsv;	  /* machine-readable results */
};

int cmd_pkt(const struct bench_opts *o);
int cmd_live(const struct bench_opts *o, const char *ifname);
int cmd_scale(const struct bench_opts *o);

/* One result line: "section\tid\tfamily\tkey=value...". */
void tsv_line(FILE *f, const char *section, const char *id, int family,
	      const char *fmt, ...) __attribute__((format(printf, 5, 6)));

#endif
