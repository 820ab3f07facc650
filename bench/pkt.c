// SPDX-License-Identifier: GPL-2.0
/* fs_bench pkt: per-packet cost of floodshield, one frame per class, in
 * IPv4 and IPv6, against the trivial XDP_PASS program and Debian's
 * xdp-filter objects on the same frames, all in one run; then what one
 * map operation costs on this machine (prim_* programs).
 *
 * How each case is timed (the kernel's duration, median of the runs):
 *   repeat  `repeat` runs of the frame per call. Paths that stay the same
 *           packet after packet, with the settings the case lists to keep
 *           them so (rates 1e9/s to stay within; over a starved bucket
 *           with syn.cookies=off, so that the SYN is dropped, not
 *           answered: SYN counts never ban).
 *   restore the same through bench_restore (bench/bench.bpf.c), which
 *           writes the whole frame back before every run: the SYN cookie
 *           path (the SYN becomes its SYN-ACK), against the listener
 *           sock.c holds on port 80 with net.ipv4.tcp_syncookies=2
 *           ("@cookies").
 *   once    one run per call (MACHINE.md), for the first packet of a new
 *           source: `fresh` calls per run, each from a source whose state
 *           was forgotten first, against the same path of a known source
 *           timed the same way. Single calls run cold; their difference
 *           is the new source's extra work, added to the hot figure.
 *   first   an HTTP segment as its connection's first data, through
 *           bench_hflow, which deletes the flow's parser state before
 *           every run: each run proves the segment by the socket sock.c
 *           holds, makes the state and parses from the start (without it,
 *           the runs after the first would be retransmissions, and after
 *           a bad request's RESET, whose state stays as HP_RESET, resets
 *           of bytes the kernel never took: http_desync). A segment the
 *           path rewrites (the RESET's RST) is written back before every
 *           run too (hflow.restore). Its own cost (bench_hflow, whose
 *           delete then finds nothing, tail-calling bench_pass) is taken
 *           off, so the figure includes the state's removal (a delete;
 *           prim lru_cycle is its creation and removal together), which
 *           a state's end costs anyway. A bad request charges its
 *           source's bad-request bucket every run: the case's rates
 *           (1e9/s, "unlimited") keep it within, as a source's first bad
 *           requests are, so the run never bans it.
 *   resume  a later in-order segment of a flow, through bench_hflow, which
 *           writes the flow's state back before every run as the
 *           segments before it left it (recorded by running them once):
 *           every run parses the segment from the same point. Its own
 *           cost (the same write, then bench_pass) is taken off.
 * Every packet timed must be counted under the case's reason ("path");
 * for first and resume that reason must be the one a single run of the
 * segment after its prelude takes (the connection's first data: a bad
 * request's own reason, not http_desync or a ban's), and after every
 * timed call every run but the first must have found the state its
 * predecessor should have left (bench_hflow counts them: a
 * retransmission's path leaves none, or the state it found) and the
 * flow's state must be the one a single run of the segment leaves
 * ("state").
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "bench_abi.h"
#include "bench.skel.h"
#include "../tests/pkt.h"
#include "../loader/names.h"
#include "bench.h"

/* bench_hflow copies whole states and keys of fs_hstate (a mismatch once
 * let a 64-byte state overrun hflow_cfg.ref into its restore flag) */
_Static_assert(sizeof(struct fs_hstate) == HFLOW_VAL_SIZE, "hflow val");
_Static_assert(sizeof(struct fs_hflow_key) == HFLOW_KEY_SIZE, "hflow key");

/* The methods timed by `repeat` runs per call come first (BM_RESUME
 * last of them): their path check wants `repeat` packets per call. */
enum bc_method {
	BM_REPEAT,
	BM_RESTORE,
	BM_FIRST,
	BM_RESUME,
	BM_ONCE_NEW,
	BM_ONCE_KNOWN
};

static const char *const method_names[] = {
	[BM_REPEAT] = "repeat",	    [BM_RESTORE] = "restore",
	[BM_FIRST] = "first",	    [BM_RESUME] = "resume",
	[BM_ONCE_NEW] = "once-new", [BM_ONCE_KNOWN] = "once-known",
};

#define TCP_SYN	    0x02
#define TCP_PSH_ACK 0x18
#define NO_TARGET   0.0
#define OBSERVE_BAD(rule)                                  \
	{                                                  \
		"observe." rule "=on", "http.bad.src=off", \
			"http.bad.prefix=off"              \
	}

struct bcase {
	const char *id;
	const char *label;
	enum bc_method method;
	bool unlimited;		 /* every rate 1e9/s: "within rate" stays so */
	const char *settings[4]; /* on top of the defaults */
	struct frame_spec spec;	 /* family filled in per run */
	bool l34;		 /* an L3/L4 case: compared with xdp-filter */
	double target;		 /* ratio to the XDP_PASS floor, or NO_TARGET */
	const char *calib;	 /* once-new: the once-known case to subtract */
	const char *hot;	 /* once-new: the hot case it adds to */
	/* resume: the segment before this one (at the connection's first
	 * byte; this one follows it) */
	enum bench_payload prelude;
	double xf_target; /* ratio to xdp-filter's alw_all, or NO_TARGET */
};

#define SYN_TO(port, role)                                       \
	{                                                        \
		.src = role, .dport = port, .tcp_flags = TCP_SYN \
	}
#define DATA_TO(port, role, pl)                                       \
	{                                                             \
		.src = role, .dport = port, .tcp_flags = TCP_PSH_ACK, \
		.payload = pl                                         \
	}

static const struct bcase cases[] = {
	{"udp_nosvc",
	 "UDP, no protected service",
	 BM_REPEAT,
	 false,
	 {},
	 {.src = ROLE_CLIENT, .udp = true, .dport = 53, .payload = PL_UDP_DNS},
	 true,
	 1.5,
	 NULL,
	 NULL,
	 PL_NONE,
	 NO_TARGET},
	{"tcp_nosvc",
	 "TCP SYN to port 22, no service",
	 BM_REPEAT,
	 false,
	 {},
	 SYN_TO(22, ROLE_CLIENT),
	 true,
	 1.5,
	 NULL,
	 NULL,
	 PL_NONE,
	 NO_TARGET},
	{"allowed",
	 "allowlisted source, SYN to 80",
	 BM_REPEAT,
	 false,
	 {},
	 SYN_TO(80, ROLE_ALLOWED),
	 true,
	 NO_TARGET,
	 NULL,
	 NULL,
	 PL_NONE,
	 NO_TARGET},
	{"blocked",
	 "blocked prefix, SYN to 80: drop",
	 BM_REPEAT,
	 false,
	 {},
	 SYN_TO(80, ROLE_BLOCKED),
	 true,
	 3.0,
	 NULL,
	 NULL,
	 PL_NONE,
	 NO_TARGET},
	{"banned",
	 "banned source, SYN to 80: drop",
	 BM_REPEAT,
	 false,
	 {},
	 SYN_TO(80, ROLE_BANNED),
	 true,
	 3.0,
	 NULL,
	 NULL,
	 PL_NONE,
	 NO_TARGET},
	{"syn_ok",
	 "SYN to 80 within rate",
	 BM_REPEAT,
	 true,
	 {},
	 SYN_TO(80, ROLE_CLIENT),
	 true,
	 4.0,
	 NULL,
	 NULL,
	 PL_NONE,
	 NO_TARGET},
	{"syn_proven",
	 "SYN to 80 within rate, proven source",
	 BM_REPEAT,
	 true,
	 {"@proven"},
	 SYN_TO(80, ROLE_CLIENT),
	 true,
	 4.0,
	 NULL,
	 NULL,
	 PL_NONE,
	 NO_TARGET},
	{"syn_cookie",
	 "unproven SYN under pressure: XDP cookie SYN-ACK",
	 BM_RESTORE,
	 false,
	 {"syn.cookies=always", "syn.guard=1/1", "syn.cookie.rate=off",
	  "@cookies"},
	 /* a port sock.c's connection does not hold: the listener answers */
	 {.src = ROLE_CLIENT, .dport = 80, .sport = 40001, .tcp_flags = TCP_SYN},
	 true,
	 NO_TARGET,
	 NULL,
	 NULL,
	 PL_NONE,
	 NO_TARGET},
	{"syn_over",
	 "SYN to 80 over rate: drop",
	 BM_REPEAT,
	 false,
	 {"syn.cookies=off", "@starve"},
	 SYN_TO(80, ROLE_CLIENT),
	 true,
	 4.0,
	 NULL,
	 NULL,
	 PL_NONE,
	 NO_TARGET},
	{"http_early",
	 "GET, served Host early (~150 B): first data",
	 BM_FIRST,
	 true,
	 {},
	 DATA_TO(80, ROLE_CLIENT, PL_HOST_EARLY),
	 false,
	 4.0,
	 NULL,
	 NULL,
	 PL_NONE,
	 2.0},
	/* Issue 13: a good request, as first data and resumed; pipelining */
	{.id = "http_good_500",
	 .label = "browser GET 500 B, served Host 2nd: first data",
	 .method = BM_FIRST,
	 .unlimited = true,
	 .spec = DATA_TO(80, ROLE_CLIENT, PL_GOOD_500),
	 .target = NO_TARGET,
	 .xf_target = 2.0},
	{.id = "http_next_500",
	 .label = "the same GET, next request of its connection",
	 .method = BM_RESUME,
	 .unlimited = true,
	 .spec = DATA_TO(80, ROLE_CLIENT, PL_GOOD_500),
	 .target = NO_TARGET,
	 .prelude = PL_GOOD_500,
	 .xf_target = 2.0},
	{.id = "http_resume_host",
	 .label = "its 2nd segment (Host to the end), after the request line",
	 .method = BM_RESUME,
	 .unlimited = true,
	 .spec = DATA_TO(80, ROLE_CLIENT, PL_GOOD_500_REST),
	 .target = NO_TARGET,
	 .prelude = PL_GOOD_500_LINE,
	 .xf_target = NO_TARGET},
	{.id = "http_pipe3",
	 .label = "3 pipelined GETs (~130 B each) in one segment: first data",
	 .method = BM_FIRST,
	 .unlimited = true,
	 .spec = DATA_TO(80, ROLE_CLIENT, PL_PIPE3),
	 .target = NO_TARGET,
	 .xf_target = NO_TARGET},
	{"reset_host",
	 "spoofed Host: RESET",
	 BM_FIRST,
	 true,
	 {},
	 DATA_TO(80, ROLE_FRESH, PL_SPOOFED),
	 false,
	 5.0,
	 NULL,
	 NULL,
	 PL_NONE,
	 NO_TARGET},
	{"reset_host_obs", "spoofed Host, observed", BM_FIRST, true,
	 OBSERVE_BAD("http_host"), DATA_TO(80, ROLE_CLIENT, PL_SPOOFED), false,
	 5.0, NULL, NULL, PL_NONE, NO_TARGET},
	{"reset_frag",
	 "target with '#': RESET",
	 BM_FIRST,
	 true,
	 {},
	 DATA_TO(80, ROLE_FRESH, PL_FRAGMENT),
	 false,
	 5.0,
	 NULL,
	 NULL,
	 PL_NONE,
	 NO_TARGET},
	{"reset_frag_obs", "target with '#', observed", BM_FIRST, true,
	 OBSERVE_BAD("http_fragment"), DATA_TO(80, ROLE_CLIENT, PL_FRAGMENT),
	 false, 5.0, NULL, NULL, PL_NONE, NO_TARGET},
	{"host_last_500",
	 "500 B GET, served Host last: first data",
	 BM_FIRST,
	 true,
	 {},
	 DATA_TO(80, ROLE_CLIENT, PL_HOST_LAST_500),
	 false,
	 6.0,
	 NULL,
	 NULL,
	 PL_NONE,
	 2.0},
	{"no_host_1400",
	 "1400 B GET, no Host: RESET",
	 BM_FIRST,
	 true,
	 {},
	 DATA_TO(80, ROLE_FRESH, PL_NO_HOST_1400),
	 false,
	 6.0,
	 NULL,
	 NULL,
	 PL_NONE,
	 NO_TARGET},
	{"no_host_1400_obs", "1400 B GET, no Host, observed", BM_FIRST, true,
	 OBSERVE_BAD("http_host"), DATA_TO(80, ROLE_CLIENT, PL_NO_HOST_1400),
	 false, 6.0, NULL, NULL, PL_NONE, NO_TARGET},
	{"no_host_1400_odd",
	 "1400 B GET, no Host, last line 26 B: RESET",
	 BM_FIRST,
	 true,
	 {},
	 DATA_TO(80, ROLE_FRESH, PL_NO_HOST_1400_ODD),
	 false,
	 6.0,
	 NULL,
	 NULL,
	 PL_NONE,
	 NO_TARGET},
	{.id = "resume_1400",
	 .label = "1400 B of fields, no Host, head not ended: resumed",
	 .method = BM_RESUME,
	 .unlimited = true,
	 .spec = DATA_TO(80, ROLE_CLIENT, PL_FIELDS_1400),
	 .target = NO_TARGET,
	 .prelude = PL_GOOD_500_LINE,
	 .xf_target = 4.0},
	{.id = "resume_1400_short",
	 .label = "the same in 15 B field lines: resumed",
	 .method = BM_RESUME,
	 .unlimited = true,
	 .spec = DATA_TO(80, ROLE_CLIENT, PL_SHORT_FIELDS_1400),
	 .target = NO_TARGET,
	 .prelude = PL_GOOD_500_LINE,
	 .xf_target = 4.0},
	{"smtp_syn",
	 "SMTP: SYN to 25 within rate",
	 BM_REPEAT,
	 true,
	 {},
	 SYN_TO(25, ROLE_CLIENT),
	 true,
	 4.0,
	 NULL,
	 NULL,
	 PL_NONE,
	 NO_TARGET},
	{"smtp_ehlo",
	 "SMTP: EHLO segment (service)",
	 BM_REPEAT,
	 false,
	 {},
	 DATA_TO(25, ROLE_CLIENT, PL_SMTP_EHLO),
	 false,
	 NO_TARGET,
	 NULL,
	 NULL,
	 PL_NONE,
	 NO_TARGET},
	/* First packet of a new source. */
	{"syn_known_once",
	 "SYN to 80, known source (calibration)",
	 BM_ONCE_KNOWN,
	 true,
	 {},
	 SYN_TO(80, ROLE_FRESH),
	 false,
	 NO_TARGET,
	 NULL,
	 NULL,
	 PL_NONE,
	 NO_TARGET},
	{"syn_new",
	 "SYN to 80 within rate, new source",
	 BM_ONCE_NEW,
	 true,
	 {},
	 SYN_TO(80, ROLE_FRESH),
	 true,
	 4.0,
	 "syn_known_once",
	 "syn_ok",
	 PL_NONE,
	 NO_TARGET},
	{"reset_known_once",
	 "spoofed Host, known source (calibration)",
	 BM_ONCE_KNOWN,
	 true,
	 {},
	 DATA_TO(80, ROLE_FRESH, PL_SPOOFED),
	 false,
	 NO_TARGET,
	 NULL,
	 NULL,
	 PL_NONE,
	 NO_TARGET},
	{"reset_new",
	 "spoofed Host: RESET, new source",
	 BM_ONCE_NEW,
	 true,
	 {},
	 DATA_TO(80, ROLE_FRESH, PL_SPOOFED),
	 false,
	 5.0,
	 "reset_known_once",
	 "reset_host",
	 PL_NONE,
	 NO_TARGET},
};

#define NCASES ARRAY_SIZE(cases)

struct result {
	double ns;		   /* per packet, comparable with the floor */
	double ratio;		   /* to the floor of the same runs */
	double once_fs, once_pass; /* once: median single calls */
	double wrap_floor;	   /* through a wrapper: it -> bench_pass */
	double xf_ns[XF_MAX];
	int xf_verdict[XF_MAX];
	double bound_ns; /* HTTP rows: bound_http on the frame, else -1 */
	int bound_verdict;
	double scan_ns; /* HTTP rows: bound_scan on the frame, else -1 */
	int scan_verdict;
	int verdict;
	int reason;	  /* the reason that counted the timed packets */
	int first_reason; /* first, resume: that of one run after prepare */
	bool path_ok;
	bool state_ok; /* first, resume: the flow's state as one run left it */
	int rep;       /* runs per call */
	size_t len;
};

struct pkt_run {
	const struct bench_opts *o;
	struct shield sh;
	struct bench_bpf *bb;
	int pass_fd, restore_fd, hflow_fd, next_fd;
	int hstate_fd; /* floodshield's fs_hstate */
	int bound_fd;  /* bound_http */
	int scan_fd;   /* bound_scan */
	int rep;       /* runs per call of the case being timed */
	struct xfilter xf[XF_MAX];
	double *floor; /* repeat samples of bench_pass */
	size_t nfloor, capfloor;
	struct result res[NCASES][2];
};

static const char *verdict_name(int v)
{
	static const char *const n[] = {"aborted", "drop", "pass", "tx",
					"redirect"};

	return v >= 0 && v < 5 ? n[v] : "?";
}

static void floor_add(struct pkt_run *p, double ns)
{
	if (p->nfloor == p->capfloor) {
		p->capfloor = p->capfloor ? 2 * p->capfloor : 256;
		p->floor = realloc(p->floor, p->capfloor * sizeof(double));
	}
	p->floor[p->nfloor++] = ns;
}

static double floor_ns(struct pkt_run *p)
{
	double v[p->nfloor];

	memcpy(v, p->floor, sizeof(v));
	return median(v, p->nfloor);
}

static int sysctl_write(const char *path, const char *v)
{
	FILE *f = fopen(path, "w");
	int err;

	if (!f) {
		fprintf(stderr, "fs_bench: %s: %s\n", path, strerror(errno));
		return -1;
	}
	err = fputs(v, f) < 0;
	return fclose(f) || err ? -1 : 0;
}

/* "@starve": syn.http.src at one SYN per 10^6 s (shield_starve).
 * "@proven": the client a proven source (shield_prove).
 * "@cookies": net.ipv4.tcp_syncookies=2, which syn.cookies=always needs. */
static int apply_case(struct pkt_run *p, const struct bcase *c)
{
	const char *kv[ARRAY_SIZE(c->settings) + 1] = {};
	bool starve = false, proven = false, cookies = false;
	size_t n = 0;

	for (size_t i = 0; i < ARRAY_SIZE(c->settings) && c->settings[i]; i++) {
		if (!strcmp(c->settings[i], "@starve"))
			starve = true;
		else if (!strcmp(c->settings[i], "@proven"))
			proven = true;
		else if (!strcmp(c->settings[i], "@cookies"))
			cookies = true;
		else
			kv[n++] = c->settings[i];
	}
	if (shield_reset_state(&p->sh) || shield_settings(&p->sh, kv))
		return -1;
	if (starve && shield_starve(&p->sh, FS_B_SYN_HTTP))
		return -1;
	if (proven && shield_prove(&p->sh, ROLE_CLIENT, true))
		return -1;
	/* the bench's own namespace (bench/run.sh): every case after this
	 * one sees the kernel answer SYNs with its cookies too */
	if (cookies && sysctl_write("/proc/sys/net/ipv4/tcp_syncookies", "2"))
		return -1;
	return c->unlimited ? shield_unlimited(&p->sh) : 0;
}

/* The reason whose counter moved most between @a and @b; *moved: by how
 * much, *total: all counters together. */
static int top_reason(const uint64_t *a, const uint64_t *b, uint64_t *moved,
		      uint64_t *total)
{
	int top = 0;

	*total = 0;
	for (int r = 0; r < FS_R_MAX; r++) {
		*total += b[r] - a[r];
		if (b[r] - a[r] > b[top] - a[top])
			top = r;
	}
	*moved = b[top] - a[top];
	return top;
}

/* xdp-filter on the same frame, repeat mode. */
static int time_xf(struct pkt_run *p, const struct frame *f, struct result *r)
{
	for (int k = 0; k < XF_MAX; k++) {
		double v[p->o->runs];

		r->xf_ns[k] = -1;
		if (!p->xf[k].obj)
			continue;
		for (int i = 0; i < p->o->runs; i++)
			if (bt_repeat(p->xf[k].prog_fd, f->buf, f->len, p->rep,
				      &v[i], &r->xf_verdict[k]))
				return -1;
		r->xf_ns[k] = median(v, p->o->runs);
	}
	return 0;
}

/* The lower bound of an HTTP row (bound_http in bench/bench.bpf.c: the
 * socket lookup and a line-end scan of the payload) on the same frame,
 * repeat mode; -1 for the other rows. */
static int time_bound(struct pkt_run *p, const struct bcase *c,
		      const struct frame *f, struct result *r)
{
	double v[p->o->runs], w[p->o->runs];

	r->bound_ns = r->scan_ns = -1;
	r->bound_verdict = r->scan_verdict = -1;
	if (c->method != BM_FIRST && c->method != BM_RESUME)
		return 0;
	for (int i = 0; i < p->o->runs; i++)
		if (bt_repeat(p->bound_fd, f->buf, f->len, p->rep, &v[i],
			      &r->bound_verdict) ||
		    bt_repeat(p->scan_fd, f->buf, f->len, p->rep, &w[i],
			      &r->scan_verdict))
			return -1;
	r->bound_ns = median(v, p->o->runs);
	r->scan_ns = median(w, p->o->runs);
	return 0;
}

/* The ratio of each run to the floor measured right after it. */
static void runs_result(struct pkt_run *p, struct result *r, double *ns,
			double *floor)
{
	double ratio[p->o->runs];

	for (int i = 0; i < p->o->runs; i++) {
		ratio[i] = ns[i] / floor[i];
		floor_add(p, floor[i]);
	}
	r->ratio = median(ratio, p->o->runs);
	r->ns = median(ns, p->o->runs);
}

static int time_repeat(struct pkt_run *p, const struct frame *f,
		       struct result *r)
{
	double fs[p->o->runs], fl[p->o->runs];
	int v;

	for (int i = 0; i < p->o->runs; i++)
		if (bt_repeat(p->sh.prog_fd, f->buf, f->len, p->rep, &fs[i],
			      &r->verdict) ||
		    bt_repeat(p->pass_fd, f->buf, f->len, p->rep, &fl[i], &v))
			return -1;
	runs_result(p, r, fs, fl);
	return 0;
}

static int wrap_next(struct pkt_run *p, int prog_fd)
{
	__u32 zero = 0;

	return bpf_map_update_elem(p->next_fd, &zero, &prog_fd, BPF_ANY)
		       ? -errno
		       : 0;
}

/* The parser state of @f's flow into *@v. 0, or -1 when it has none. */
static int hstate_of(struct pkt_run *p, const struct frame *f,
		     struct fs_hstate *v)
{
	struct fs_hflow_key k;

	frame_hflow_key(f, &k);
	if (bpf_map_lookup_elem(p->hstate_fd, &k, v)) {
		fprintf(stderr, "fs_bench: no HTTP parser state\n");
		return -1;
	}
	return 0;
}

/* Whether the state of bench_hflow's flow is @ref, but for the time it
 * was last used. */
static bool hstate_is(struct pkt_run *p, const struct fs_hstate *ref)
{
	struct fs_hstate v, want = *ref;

	if (bpf_map_lookup_elem(p->hstate_fd, p->bb->bss->hflow.key, &v))
		return false;
	v.used_ns = want.used_ns = 0;
	return !memcmp(&v, &want, sizeof(v));
}

/* Whether @out, the segment @f as one run left it, is @f once the TCP
 * words bench_hflow's restore writes back are (flags, sequence number,
 * checksum; struct fresh_cfg). */
static bool restore_undoes(const struct frame *f, uint8_t *out, size_t len)
{
	static const size_t words[][2] = {{4, 4}, {12, 2}, {16, 2}};

	if (len != f->len)
		return false;
	for (size_t i = 0; i < ARRAY_SIZE(words); i++)
		memcpy(out + f->l4 + words[i][0], f->buf + f->l4 + words[i][0],
		       words[i][1]);
	return !memcmp(out, f->buf, len);
}

/* first and resume: run the segment before @f (resume: the case's
 * prelude, as its connection's first data) and then @f once, so that
 * *ref is the state one run of @f leaves, *reason the reason it was
 * counted under, and bench_hflow is set to give every run the state @f
 * found, and @f itself when that run rewrote it (a RESET). */
static int hflow_prepare(struct pkt_run *p, const struct bcase *c,
			 const struct frame *f, struct fs_hstate *ref,
			 int *reason)
{
	struct hflow_cfg *h = &p->bb->bss->hflow;
	struct frame_spec spec = c->spec;
	uint64_t before[FS_R_MAX], after[FS_R_MAX], moved, total;
	uint8_t out[BENCH_FRAME_MAX];
	struct fs_hflow_key k;
	struct fs_hstate start;
	struct frame pre;
	size_t out_len;
	double ns;
	int v;

	memset(h, 0, sizeof(*h));
	h->op = HFLOW_DELETE;
	if (c->method == BM_RESUME) {
		spec.family = f->family;
		spec.payload = c->prelude;
		if (frame_build(&spec, &pre) ||
		    bt_once(p->sh.prog_fd, pre.buf, pre.len, &ns, &v, NULL,
			    NULL) ||
		    hstate_of(p, &pre, &start))
			return -1;
		h->op = HFLOW_WRITE;
		memcpy(h->val, &start, sizeof(start));
	}
	if (shield_counts(&p->sh, before) ||
	    bt_once(p->sh.prog_fd, f->buf, f->len, &ns, &v, out, &out_len) ||
	    shield_counts(&p->sh, after) || hstate_of(p, f, ref))
		return -1;
	*reason = top_reason(before, after, &moved, &total);
	h->restore = out_len != f->len || memcmp(out, f->buf, f->len);
	if (h->restore && !restore_undoes(f, out, out_len)) {
		fprintf(stderr,
			"fs_bench: %s: the path rewrites more of the segment "
			"than bench_hflow writes back\n",
			c->id);
		return -1;
	}
	frame_hflow_key(f, &k);
	memcpy(h->key, &k, sizeof(k));
	memcpy(h->ref, ref, sizeof(*ref));
	return 0;
}

/* After a timed call through bench_hflow: every run but the first found
 * the state its predecessor should have left, and the flow's state is
 * the one a run leaves. */
static bool hflow_ok(struct pkt_run *p, const struct fs_hstate *ref)
{
	const struct hflow_cfg *h = &p->bb->bss->hflow;

	return h->runs == (uint64_t)p->rep && h->hits + 1 >= h->runs &&
	       hstate_is(p, ref);
}

/* Through a wrapper: bench_restore (restore) or bench_hflow (first,
 * resume; the flow's state after every timed call must be *@ref). */
static int time_wrap(struct pkt_run *p, struct frame *f, struct result *r,
		     enum bc_method m, const struct fs_hstate *ref)
{
	double fs[p->o->runs], wf[p->o->runs], fl[p->o->runs];
	int v, w = p->hflow_fd;

	frame_fresh_cfg(f, &p->bb->bss->fresh);
	if (m == BM_RESTORE) {
		if (f->len > RESTORE_MAX)
			return -1;
		memcpy(p->bb->bss->restore.frame, f->buf, f->len);
		p->bb->bss->restore.len = f->len;
		w = p->restore_fd;
	}
	for (int i = 0; i < p->o->runs; i++) {
		p->bb->bss->hflow.runs = p->bb->bss->hflow.hits = 0;
		if (wrap_next(p, p->sh.prog_fd) ||
		    bt_repeat(w, f->buf, f->len, p->rep, &fs[i], &r->verdict))
			return -1;
		if (ref && !hflow_ok(p, ref))
			r->state_ok = false;
		if (wrap_next(p, p->pass_fd) ||
		    bt_repeat(w, f->buf, f->len, p->rep, &wf[i], &v) ||
		    bt_repeat(p->pass_fd, f->buf, f->len, p->rep, &fl[i], &v))
			return -1;
		fs[i] = fs[i] - wf[i] + fl[i];
	}
	r->wrap_floor = median(wf, p->o->runs);
	runs_result(p, r, fs, fl);
	return 0;
}

/* One call per packet. New: each from a fresh source whose state was
 * forgotten first. Known: always the same source; the same deletions
 * are made (on another source) so both see the same cache upset; the
 * flow is forgotten so that a RESET stays a RESET. */
static int time_once(struct pkt_run *p, const struct bcase *c, struct frame *f,
		     struct result *r)
{
	int n = p->o->fresh, v, err = 0;
	double *a = calloc(n, sizeof(double)), *b = calloc(n, sizeof(double));
	double fa[p->o->runs], fb[p->o->runs];
	struct frame_spec spec = c->spec;
	uint8_t src[16];
	struct frame other;

	if (!a || !b)
		return -ENOMEM;
	spec.src_addr = src;
	spec.family = f->family;
	for (int i = 0; i < p->o->runs && !err; i++) {
		/* Each run starts from empty rate and flow maps: the new
		 * source's buckets go into a map with room (a full one, under
		 * a spoofed flood, is `fs_bench scale`'s). */
		if (shield_reset_state(&p->sh))
			err = -1;
		for (int j = 0; j < n && !err; j++) {
			bool new_src = c->method == BM_ONCE_NEW;

			bench_fresh_addr(f->family, (i * n + j) % 100000 + 1,
					 src);
			if (frame_build(&spec, new_src ? f : &other) ||
			    shield_forget(&p->sh, new_src ? f : &other, true) ||
			    shield_forget(&p->sh, f, false) ||
			    bt_once(p->sh.prog_fd, f->buf, f->len, &a[j],
				    &r->verdict, NULL, NULL) ||
			    bt_once(p->pass_fd, f->buf, f->len, &b[j], &v, NULL,
				    NULL))
				err = -1;
		}
		fa[i] = median(a, n);
		fb[i] = median(b, n);
	}
	r->once_fs = median(fa, p->o->runs);
	r->once_pass = median(fb, p->o->runs);
	free(a);
	free(b);
	return err;
}

static int run_case(struct pkt_run *p, size_t ci, int family)
{
	const struct bcase *c = &cases[ci];
	struct result *r = &p->res[ci][family == 6];
	struct frame_spec spec = c->spec;
	uint64_t before[FS_R_MAX], after[FS_R_MAX], moved, total, want;
	struct fs_hstate ref;
	struct frame f;
	double once;
	bool same;
	int err, v;

	spec.family = family;
	if (c->prelude)
		spec.seq_off = bench_payload_len(c->prelude);
	if (frame_build(&spec, &f) || apply_case(p, c))
		return -1;
	r->len = f.len;
	r->state_ok = true;
	r->rep = p->rep = bench_repeat(&c->spec, p->o->repeat);
	if (time_xf(p, &f, r) || time_bound(p, c, &f, r))
		return -1;
	/* Prime: the first packet may create the state the rest find (the
	 * cookie case: the second SYN makes the pressure). */
	if ((c->method == BM_REPEAT || c->method == BM_RESTORE) &&
	    bt_once(p->sh.prog_fd, f.buf, f.len, &once, &v, NULL, NULL))
		return -1;
	if (c->method == BM_RESTORE &&
	    bt_once(p->sh.prog_fd, f.buf, f.len, &once, &v, NULL, NULL))
		return -1;
	r->first_reason = -1;
	if ((c->method == BM_FIRST || c->method == BM_RESUME) &&
	    hflow_prepare(p, c, &f, &ref, &r->first_reason))
		return -1;
	if (shield_counts(&p->sh, before))
		return -1;
	switch (c->method) {
	case BM_REPEAT:
		err = time_repeat(p, &f, r);
		break;
	case BM_RESTORE:
		err = time_wrap(p, &f, r, c->method, NULL);
		break;
	case BM_FIRST:
	case BM_RESUME:
		err = time_wrap(p, &f, r, c->method, &ref);
		break;
	default:
		err = time_once(p, c, &f, r);
		break;
	}
	if (err || shield_counts(&p->sh, after))
		return -1;
	r->reason = top_reason(before, after, &moved, &total);
	want = (uint64_t)p->o->runs *
	       (c->method <= BM_RESUME ? p->rep : p->o->fresh);
	/* first, resume: every run takes the path of the segment's one run */
	same = r->first_reason < 0 || r->reason == r->first_reason;
	r->path_ok = same && moved == want && total == want && r->state_ok;
	fprintf(stderr, "  %-17s v%d %-15s %s%s%s\n", c->id, family,
		fs_reason_name(r->reason),
		moved == want && total == want ? "" : "PATH CHANGED",
		same ? "" : " NOT THE FIRST RUN'S PATH",
		r->state_ok ? "" : " STATE CHANGED");
	return 0;
}

/* Whether case @id is in o->only (all are without it). The calibration
 * and hot cases of a once-new case go with it. */
static bool selected(const struct bench_opts *o, const char *id)
{
	size_t n = strlen(id);
	const char *p = o->only;

	if (!p)
		return true;
	for (size_t ci = 0; ci < NCASES; ci++)
		if (cases[ci].calib &&
		    (!strcmp(cases[ci].calib, id) ||
		     !strcmp(cases[ci].hot, id)) &&
		    selected(o, cases[ci].id))
			return true;
	while (p && *p) {
		if (!strncmp(p, id, n) && (p[n] == ',' || p[n] == '\0'))
			return true;
		p = strchr(p, ',');
		p = p ? p + 1 : NULL;
	}
	return false;
}

static const struct result *result_of(struct pkt_run *p, const char *id, int k)
{
	for (size_t ci = 0; ci < NCASES; ci++)
		if (!strcmp(cases[ci].id, id))
			return &p->res[ci][k];
	return NULL;
}

/* once-new: the hot figure plus what the new source adds. A new source
 * measured no dearer than a known one (the single calls' noise is
 * larger than what a new rate slot costs) adds nothing. */
static void estimate_new(struct pkt_run *p, const struct bcase *c,
			 struct result *r, int k, double floor)
{
	const struct result *calib = result_of(p, c->calib, k);
	const struct result *hot = result_of(p, c->hot, k);
	double extra;

	if (!calib || !hot)
		return;
	extra = r->once_fs - calib->once_fs;
	r->ns = hot->ns + (extra > 0 ? extra : 0);
	r->ratio = r->ns / floor;
}

static const char *target_text(double t, char *buf)
{
	if (t == NO_TARGET)
		return "-";
	sprintf(buf, "<=%.1fx", t);
	return buf;
}

/* A bound's ratio to alw_all for the table (@ns, @verdict: bound_http's
 * or bound_scan's): "-" for rows without one, "miss" when it did not
 * find its socket and a line end (XDP_PASS), so that its figure would
 * time less than the bound. */
static const char *bound_text(const struct result *r, double ns, int verdict,
			      char *b, size_t n)
{
	if (ns < 0)
		return "-";
	if (verdict != XDP_PASS)
		return "miss";
	snprintf(b, n, "%.1f", ns / r->xf_ns[XF_ALLOW_ALL]);
	return b;
}

static void report(struct pkt_run *p)
{
	double floor = floor_ns(p);
	FILE *t = p->o->tsv;
	char tb[16], xb[16], bb[16], bab[16];

	tsv_line(t, "pkt", "floor_pass", 0,
		 "ns=%.2f\tsamples=%zu\trepeat=%d\truns=%d", floor, p->nfloor,
		 p->o->repeat, p->o->runs);
	printf("\nPer-packet cost (kernel duration, median of %d runs of %d, "
	       "HTTP data segments %d); floor: trivial XDP_PASS = %.1f ns "
	       "(median of %zu); fs/alw: floodshield against xdp-filter's "
	       "alw_all on the same frame; bnd/alw, scan/alw (HTTP rows): "
	       "bound_http (the socket lookup and a line-end scan alone) and "
	       "bound_scan (the scan alone), lower bounds of any design, "
	       "against alw_all on the same frame\n",
	       p->o->runs, p->o->repeat,
	       p->o->repeat < BENCH_HTTP_REPEAT ? p->o->repeat
						: BENCH_HTTP_REPEAT,
	       floor, p->nfloor);
	printf("%-17s %-3s %5s %-10s %7s %6s %7s %-15s %4s %7s %5s %5s %6s "
	       "%7s %5s %7s %7s\n",
	       "case", "fam", "bytes", "method", "fs ns", "ratio", "target",
	       "reason", "path", "alw ns", "ratio", "fs/alw", "target",
	       "dny ns", "ratio", "bnd/alw", "scan/alw");
	for (size_t ci = 0; ci < NCASES; ci++) {
		const struct bcase *c = &cases[ci];

		if (!selected(p->o, c->id))
			continue;
		for (int k = 0; k < 2; k++) {
			struct result *r = &p->res[ci][k];
			int fam = k ? 6 : 4;
			double alw;

			if (c->method == BM_ONCE_NEW)
				estimate_new(p, c, r, k, floor);
			alw = r->ns / r->xf_ns[XF_ALLOW_ALL];
			printf("%-17s v%-2d %5zu %-10s %7.1f %6.2f %7s %-15s "
			       "%4s %7.1f %5.2f %6.2f %6s %7.1f %5.2f %7s "
			       "%7s\n",
			       c->id, fam, r->len, method_names[c->method],
			       r->ns, r->ratio, target_text(c->target, tb),
			       fs_reason_name(r->reason),
			       r->path_ok ? "ok" : "BAD",
			       r->xf_ns[XF_ALLOW_ALL],
			       r->xf_ns[XF_ALLOW_ALL] / floor, alw,
			       target_text(c->xf_target, xb),
			       r->xf_ns[XF_DENY_ALL],
			       r->xf_ns[XF_DENY_ALL] / floor,
			       bound_text(r, r->bound_ns, r->bound_verdict, bb,
					  sizeof(bb)),
			       bound_text(r, r->scan_ns, r->scan_verdict, bab,
					  sizeof(bab)));
			tsv_line(t, "pkt", c->id, fam,
				 "label=%s\tmethod=%s\tbytes=%zu\tns=%."
				 "2f\tratio=%.3f\t"
				 "target=%.1f\tl34=%d\treason=%s\taction=%"
				 "s\tverdict=%s\t"
				 "path_ok=%d\tonce_fs=%.1f\tonce_pass=%."
				 "1f\twrap_floor=%.1f\t"
				 "alw_ns=%.2f\talw_verdict=%s\tdny_ns=%."
				 "2f\tdny_verdict=%s\talw_ratio=%.3f\t"
				 "xf_target=%.1f\trepeat=%d\tstate_ok=%d\t"
				 "bound_ns=%.2f\tbound_verdict=%s\t"
				 "scan_ns=%.2f\tscan_verdict=%s",
				 c->label, method_names[c->method], r->len,
				 r->ns, r->ratio, c->target, c->l34,
				 fs_reason_name(r->reason),
				 fs_reason_action(r->reason),
				 verdict_name(r->verdict), r->path_ok,
				 r->once_fs, r->once_pass, r->wrap_floor,
				 r->xf_ns[XF_ALLOW_ALL],
				 verdict_name(r->xf_verdict[XF_ALLOW_ALL]),
				 r->xf_ns[XF_DENY_ALL],
				 verdict_name(r->xf_verdict[XF_DENY_ALL]), alw,
				 c->xf_target, r->rep, r->state_ok, r->bound_ns,
				 r->bound_ns < 0
					 ? "-"
					 : verdict_name(r->bound_verdict),
				 r->scan_ns,
				 r->scan_ns < 0
					 ? "-"
					 : verdict_name(r->scan_verdict));
		}
	}
}

/* ------------------------------------------------------------------ */
/* Primitives: what one operation costs, over the floor. */

struct prim {
	const char *id;
	const char *label;
	const char *prog;
	int repeat_max; /* 0: the run's repeat */
};

#define LRU_ROOMY_RUN 200000 /* inserts per run: under the map's room */

static const struct prim prims[] = {
	{"subprog", "call of a global BPF function (a stage)", "prim_subprog",
	 0},
	{"helper", "call of a trivial helper (prandom)", "prim_helper", 0},
	{"array", "array lookup (fs_cfg)", "prim_array_lookup", 0},
	{"percpu_count", "per-CPU counter update (account)",
	 "prim_percpu_count", 0},
	{"hash4_hit", "hash lookup, 4 B key, hit", "prim_hash4_lookup", 0},
	{"hash8_hit", "hash lookup, 8 B key, hit", "prim_hash8_lookup", 0},
	{"hash16_hit", "hash lookup, 16 B key, hit", "prim_hash16_lookup", 0},
	{"hash_hit", "hash lookup, 24 B key, hit (fs_bans)", "prim_hash_lookup",
	 0},
	{"hash_miss", "hash lookup, 24 B key, miss", "prim_hash_lookup", 0},
	{"lru_hit", "LRU hash lookup, 24 B key, hit (fs_rate until 40c6f6f)",
	 "prim_lru_lookup", 0},
	{"lpm_hit", "LPM trie lookup, 4 prefixes, hit (fs_allow)",
	 "prim_lpm_lookup", 0},
	{"lpm_miss", "LPM trie lookup, 4 prefixes, miss", "prim_lpm_lookup", 0},
	{"lpm_miss_10k", "LPM trie lookup, 10k prefixes, miss",
	 "prim_lpm_lookup", 0},
	{"hash64_hit", "hash lookup, 64 B key, hit (fs_hosts)",
	 "prim_hash64_lookup", 0},
	{"lru_new", "LRU insert, new key, map with room",
	 "prim_lru_insert_roomy", LRU_ROOMY_RUN},
	{"lru_new_full", "LRU insert, new key, map full (evicts)",
	 "prim_lru_insert_full", LRU_ROOMY_RUN},
	{"lru_pcpu_new", "LRU (per-CPU lists) insert, new key, room",
	 "prim_lru_pcpu_insert", LRU_ROOMY_RUN},
	{"hash_new", "hash insert, new key, room", "prim_hash_insert",
	 LRU_ROOMY_RUN},
	{"lru_cycle", "LRU insert and delete, fs_hstate's sizes",
	 "prim_lru_cycle", 0},
	{"lru_del_miss", "LRU delete, no such key (fs_hstate's sizes)",
	 "prim_lru_del_miss", 0},
	{"loop100", "bpf_loop(), 100 empty steps (HTTP parser steps)",
	 "prim_loop", 0},
	{"ktime", "bpf_ktime_get_ns()", "prim_ktime", 0},
	{"ktime_coarse", "bpf_ktime_get_coarse_ns()", "prim_ktime_coarse", 0},
	{"cas", "compare-and-swap on a map value (GCRA)", "prim_cas", 0},
};

static int prim_fd(struct pkt_run *p, const char *name)
{
	struct bpf_program *prog =
		bpf_object__find_program_by_name(p->bb->obj, name);

	return prog ? bpf_program__fd(prog) : -1;
}

/* The prefix @i of a set of @n within 2001:db8::/32: /48s, /56s, /64s. */
static void prim_prefix(struct prim_lpm_key *k, unsigned i)
{
	static const unsigned lens[] = {48, 56, 64};

	memset(k, 0, sizeof(*k));
	k->addr[0] = 0x20;
	k->addr[1] = 0x01;
	k->addr[2] = 0x0d;
	k->addr[3] = 0xb8;
	k->addr[4] = 0x10 | (i >> 12 & 0xf); /* 2001:db8:1xxx:: */
	k->addr[5] = i >> 4;
	k->addr[6] = (i & 0xf) << 4;
	k->prefixlen = lens[i % 3];
	if (k->prefixlen < 56)
		k->addr[6] = 0;
}

static int prim_maps(struct pkt_run *p, const char *id)
{
	struct bench_bpf *b = p->bb;
	uint8_t val[48] = {}; /* the largest value: fs_list_val */
	struct prim_lpm_key lk, *pk = NULL;
	struct prim_key k;
	bool hit = strstr(id, "hit") != NULL;
	int lpm = bpf_map__fd(b->maps.prim_lpm);
	int hash = bpf_map__fd(b->maps.prim_hash);
	int lru = bpf_map__fd(b->maps.prim_lru);
	unsigned n = strstr(id, "10k") ? 10000 : 4;

	/* The looked-up keys: a v4-mapped source, a served host. */
	memset(&b->bss->prim_key, 0, sizeof(b->bss->prim_key));
	pkt_addr("198.51.100.20", b->bss->prim_key.addr);
	b->bss->prim_key.plen = 128;
	b->bss->prim_lpm_key.prefixlen = 128;
	memcpy(b->bss->prim_lpm_key.addr, b->bss->prim_key.addr, 16);
	memset(&b->bss->prim_host_key, 0, sizeof(b->bss->prim_host_key));
	memcpy((char *)&b->bss->prim_host_key + 64 - strlen(SERVED_HOST),
	       SERVED_HOST, strlen(SERVED_HOST));
	if (bpf_map_update_elem(bpf_map__fd(b->maps.prim_hash64),
				&b->bss->prim_host_key, val, BPF_ANY))
		return -errno;
	/* 1000 other keys, and the looked-up one when it should hit. */
	for (unsigned i = 0; i < 1000; i++) {
		k = b->bss->prim_key;
		k.addr[14] = i >> 8;
		k.addr[15] = i;
		k.bucket = 7;
		bpf_map_update_elem(hash, &k, val, BPF_ANY);
		bpf_map_update_elem(lru, &k, val, BPF_ANY);
	}
	b->bss->prim_key4 = 0x1234;
	b->bss->prim_key8 = 0x12345678;
	b->bss->prim_key16[0] = b->bss->prim_key16[1] = 0x12345678;
	bpf_map_update_elem(bpf_map__fd(b->maps.prim_hash4), &b->bss->prim_key4,
			    val, BPF_ANY);
	bpf_map_update_elem(bpf_map__fd(b->maps.prim_hash8), &b->bss->prim_key8,
			    val, BPF_ANY);
	bpf_map_update_elem(bpf_map__fd(b->maps.prim_hash16),
			    b->bss->prim_key16, val, BPF_ANY);
	k = b->bss->prim_key;
	if (hit) {
		bpf_map_update_elem(hash, &k, val, BPF_ANY);
		bpf_map_update_elem(lru, &k, val, BPF_ANY);
	} else {
		bpf_map_delete_elem(hash, &k);
	}
	if (!strcmp(id, "lru_new_full")) {
		int full = bpf_map__fd(b->maps.prim_lru_full);

		for (unsigned i = 0; i < 65536; i++) {
			k = b->bss->prim_key;
			k.plen = 7; /* never among the inserted keys */
			k.bucket = i;
			bpf_map_update_elem(full, &k, val, BPF_ANY);
		}
	}
	if (strncmp(id, "lpm", 3))
		return 0;
	while (bpf_map_get_next_key(lpm, pk, &lk) == 0)
		bpf_map_delete_elem(lpm, &lk);
	for (unsigned i = 0; i < n; i++) {
		prim_prefix(&lk, i);
		if (bpf_map_update_elem(lpm, &lk, val, BPF_ANY))
			return -errno;
	}
	if (hit) { /* 198.51.100.0/24, v4-mapped */
		lk = b->bss->prim_lpm_key;
		lk.prefixlen = 120;
		lk.addr[15] = 0;
		if (bpf_map_update_elem(lpm, &lk, val, BPF_ANY))
			return -errno;
	}
	return 0;
}

static void run_prims(struct pkt_run *p)
{
	FILE *t = p->o->tsv;
	uint8_t frame[64] = {[12] = 0x08}; /* IPv4 EtherType, zeros */

	printf("\nOne operation, over the floor (repeat %d, median of %d "
	       "runs)\n",
	       p->o->repeat, p->o->runs);
	printf("%-14s %-46s %7s %6s %s\n", "op", "what", "ns", "over",
	       "verdict");
	for (size_t i = 0; i < ARRAY_SIZE(prims); i++) {
		double ns[p->o->runs], fl[p->o->runs], over[p->o->runs];
		int fd = prim_fd(p, prims[i].prog), verdict = -1, v;

		if (fd < 0 || prim_maps(p, prims[i].id))
			continue;
		int rep = prims[i].repeat_max &&
					  prims[i].repeat_max < p->o->repeat
				  ? prims[i].repeat_max
				  : p->o->repeat;

		for (int r = 0; r < p->o->runs; r++) {
			if (!strcmp(prims[i].id, "lru_new"))
				map_clear(
					bpf_map__fd(p->bb->maps.prim_lru_roomy),
					sizeof(struct prim_key));
			if (!strcmp(prims[i].id, "lru_pcpu_new"))
				map_clear(
					bpf_map__fd(p->bb->maps.prim_lru_pcpu),
					sizeof(struct prim_key));
			if (!strcmp(prims[i].id, "hash_new"))
				map_clear(bpf_map__fd(
						  p->bb->maps.prim_hash_roomy),
					  sizeof(struct prim_key));
			if (bt_repeat(fd, frame, sizeof(frame), rep, &ns[r],
				      &verdict) ||
			    bt_repeat(p->pass_fd, frame, sizeof(frame), rep,
				      &fl[r], &v))
				break;
			over[r] = ns[r] - fl[r];
			floor_add(p, fl[r]);
		}
		printf("%-14s %-46s %7.1f %6.1f %s\n", prims[i].id,
		       prims[i].label, median(ns, p->o->runs),
		       median(over, p->o->runs), verdict_name(verdict));
		tsv_line(t, "prim", prims[i].id, 0,
			 "label=%s\tns=%.2f\tover=%.2f\tverdict=%s",
			 prims[i].label, median(ns, p->o->runs),
			 median(over, p->o->runs), verdict_name(verdict));
	}
}

int cmd_pkt(const struct bench_opts *o)
{
	struct pkt_run *p = calloc(1, sizeof(*p));
	int err = -1;

	if (!p)
		return -ENOMEM;
	p->o = o;
	if (shield_open(&p->sh, NULL) || shield_setup(&p->sh))
		goto out;
	p->hstate_fd = shield_map_fd(&p->sh, FS_STR(FS_MAP_HSTATE));
	p->bb = shield_bench_open(&p->sh);
	if (!p->bb)
		goto out;
	p->pass_fd = bpf_program__fd(p->bb->progs.bench_pass);
	p->bound_fd = bpf_program__fd(p->bb->progs.bound_http);
	p->scan_fd = bpf_program__fd(p->bb->progs.bound_scan);
	p->restore_fd = bpf_program__fd(p->bb->progs.bench_restore);
	p->hflow_fd = bpf_program__fd(p->bb->progs.bench_hflow);
	p->next_fd = bpf_map__fd(p->bb->maps.fresh_next);
	for (int k = 0; k < XF_MAX; k++)
		if (xf_open(&p->xf[k], k, p->sh.ncpu) && p->xf[k].obj)
			goto out;
	for (size_t ci = 0; ci < NCASES; ci++)
		for (int fam = 4; fam <= 6; fam += 2)
			if (selected(o, cases[ci].id) && run_case(p, ci, fam))
				goto out;
	if (!o->only)
		run_prims(p);
	report(p);
	err = 0;
out:
	for (int k = 0; k < XF_MAX; k++)
		xf_close(&p->xf[k]);
	shield_close(&p->sh);
	bench_bpf__destroy(p->bb);
	free(p->floor);
	free(p);
	return err;
}
