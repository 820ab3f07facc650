// SPDX-License-Identifier: GPL-2.0
/* fs_bench scale: floodshield with big maps. The rate map resized to
 * 2^20 entries (bpf_map__set_max_entries before load) and filled with
 * 1,000,000 tracked sources, 100,000 bans, 10,000 allowlist prefixes,
 * 1,000 served hosts (50 of them wildcards). Then:
 *   - per-packet cost of the main paths, the same cases timed the same
 *     way with the default, nearly empty maps in the same run;
 *   - map memory (memlock, from /proc/self/fdinfo);
 *   - a random-spoofed-source SYN flood (sources all over 2001:db8::/32,
 *     so /128 and /64 buckets are new each packet and the full rate map
 *     evicts for every insert): cost per packet, and the bans and
 *     allowlist counted before and after (they must not move), the
 *     banned and allowlisted sources still judged as before.
 * Addresses: documentation ranges only; at this size only IPv6 has room
 * for them (keys are the same 16-byte form for both families).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "bench_abi.h"
#include "bench.skel.h"
#include "floodshield.skel.h"
#include "../tests/pkt.h"
#include "../loader/names.h"
#include "bench.h"

#define SCALE_RATE_MAX (1u << 20)
#define SCALE_SOURCES  1000000u
#define SCALE_BANS     100000u
#define SCALE_BANS_MAX 131072u
#define SCALE_ALLOW    10000u
#define SCALE_HOSTS    1000u
#define SCALE_WILD     50u
#define BATCH	       8192u

static const struct shield_sizes big = {
	.rate = SCALE_RATE_MAX,
	.bans = SCALE_BANS_MAX,
};

/* xorshift64*: reproducible addresses. */
static uint64_t rnd_state = 0x9e3779b97f4a7c15ull;

static uint64_t rnd(void)
{
	rnd_state ^= rnd_state >> 12;
	rnd_state ^= rnd_state << 25;
	rnd_state ^= rnd_state >> 27;
	return rnd_state * 0x2545f4914f6cdd1dull;
}

/* A random address in 2001:db8:<tag>...::/<36> (tag: 4 bits). */
static void rnd_addr(uint8_t a[16], unsigned tag)
{
	uint64_t x = rnd(), y = rnd();

	memcpy(a + 8, &y, 8);
	memcpy(a + 4, &x, 4);
	a[0] = 0x20;
	a[1] = 0x01;
	a[2] = 0x0d;
	a[3] = 0xb8;
	a[4] = (tag << 4) | (a[4] & 0x0f);
}

/* SCALE_SOURCES per-source buckets, each put where the program would
 * (sources whose set is full evict the idler, as in the program). */
static int fill_rate(struct shield *s)
{
	struct timespec now;
	struct fs_key k = {.plen = 128, .bucket = FS_B_SYN_HTTP};

	clock_gettime(CLOCK_MONOTONIC, &now);
	for (unsigned i = 0; i < SCALE_SOURCES; i++) {
		rnd_addr(k.addr, 0xc); /* 2001:db8:cxxx::/36 */
		shield_rate_put(s, &k,
				now.tv_sec * 1000000000ull + now.tv_nsec + i);
	}
	return 0;
}

static int fill_bans(struct shield *s)
{
	uint8_t a[16];

	for (unsigned i = 0; i < SCALE_BANS; i++) {
		rnd_addr(a, 0xb); /* 2001:db8:bxxx::/36 */
		if (shield_ban(s, a, 128))
			return -1;
	}
	return 0;
}

/* /48, /56 and /64 prefixes in 2001:db8:1000::/36. */
static int fill_allow(struct shield *s)
{
	static const unsigned lens[] = {48, 56, 64};
	char text[64];

	for (unsigned i = 0; i < SCALE_ALLOW; i++) {
		unsigned len = lens[i % 3];
		uint16_t w2 = 0x1000 | (i & 0x0fff), w3 = (i >> 12) << 8;

		if (len == 48)
			snprintf(text, sizeof(text), "2001:db8:%x::/48", w2);
		else
			snprintf(text, sizeof(text), "2001:db8:%x:%x::/%u", w2,
				 w3, len);
		if (shield_list_add(s, true, text))
			return -1;
	}
	return 0;
}

static int fill_hosts(struct shield *s)
{
	char name[64];

	for (unsigned i = 0; i < SCALE_HOSTS - SCALE_WILD; i++) {
		snprintf(name, sizeof(name), "site%04u.example.net", i);
		if (shield_host_add(s, name))
			return -1;
	}
	for (unsigned i = 0; i < SCALE_WILD; i++) {
		snprintf(name, sizeof(name), "*.tenant%02u.example.com", i);
		if (shield_host_add(s, name))
			return -1;
	}
	return 0;
}

/* Entries of a map, by walking its keys. */
static long map_count(int fd, size_t ksize)
{
	uint8_t k[ksize], prev[ksize];
	void *p = NULL;
	long n = 0;

	while (bpf_map_get_next_key(fd, p, k) == 0) {
		memcpy(prev, k, ksize);
		p = prev;
		n++;
	}
	return n;
}

/* "memlock:" of the map's fdinfo: what the kernel charges for it. */
static long map_memlock(int fd)
{
	char path[64], line[128];
	long v = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "memlock: %ld", &v) == 1)
			break;
	fclose(f);
	return v;
}

/* ------------------------------------------------------------------ */

/* How a case is timed (bench/pkt.c's methods of the same names). */
enum smode {
	SM_REPEAT, /* the same path packet after packet */
	SM_FIRST,  /* HTTP first data: through bench_hflow, no state */
	SM_RESET,  /* the same for a bad request: its RST written back */
};

struct scase {
	const char *id;
	const char *label;
	enum smode mode;
	struct frame_spec spec;
};

static const struct scase scases[] = {
	{"udp_nosvc",
	 "UDP, no protected service",
	 SM_REPEAT,
	 {.src = ROLE_CLIENT, .udp = true, .dport = 53, .payload = PL_UDP_DNS}},
	{"allowed",
	 "allowlisted source (10k prefixes)",
	 SM_REPEAT,
	 {.src = ROLE_ALLOWED, .dport = 80, .tcp_flags = 0x02}},
	{"blocked",
	 "blocked prefix: drop",
	 SM_REPEAT,
	 {.src = ROLE_BLOCKED, .dport = 80, .tcp_flags = 0x02}},
	{"banned",
	 "banned source (100k bans): drop",
	 SM_REPEAT,
	 {.src = ROLE_BANNED, .dport = 80, .tcp_flags = 0x02}},
	{"syn_ok",
	 "SYN within rate, known source (1M tracked)",
	 SM_REPEAT,
	 {.src = ROLE_CLIENT, .dport = 80, .tcp_flags = 0x02}},
	{"http_early",
	 "GET, served Host early (1k hosts): first data",
	 SM_FIRST,
	 {.src = ROLE_CLIENT,
	  .dport = 80,
	  .tcp_flags = 0x18,
	  .payload = PL_HOST_EARLY}},
	{"reset_host",
	 "spoofed Host: RESET",
	 SM_RESET,
	 {.src = ROLE_FRESH,
	  .dport = 80,
	  .tcp_flags = 0x18,
	  .payload = PL_SPOOFED}},
};

struct scale_run {
	const struct bench_opts *o;
	struct bench_bpf *bb;
	int pass_fd;
};

/* bench_hflow set up for @f: the flow's state deleted before every run
 * and, for SM_RESET, the segment's TCP words (the RST rewrite) written
 * back. Returns its fd. */
static int wrapper(struct scale_run *r, struct frame *f, enum smode mode)
{
	struct fs_hflow_key k;

	frame_fresh_cfg(f, &r->bb->bss->fresh);
	frame_hflow_key(f, &k);
	memcpy(r->bb->bss->hflow.key, &k, sizeof(k));
	r->bb->bss->hflow.op = HFLOW_DELETE;
	r->bb->bss->hflow.restore = mode == SM_RESET;
	return bpf_program__fd(r->bb->progs.bench_hflow);
}

/* Timing of @f on @s by @mode, @rep runs per call, paired with the
 * floor (through a wrapper: less the wrapper's own cost). Returns ns per
 * packet; *ratio to the floor of the same runs. */
static double time_case(struct scale_run *r, struct shield *s, struct frame *f,
			enum smode mode, int rep, double *ratio, int *reason)
{
	int n = r->o->runs, v, fd = s->prog_fd;
	double ns[n], fl[n], rt[n], w;
	uint64_t a[FS_R_MAX], b[FS_R_MAX];
	int next = bpf_map__fd(r->bb->maps.fresh_next);
	__u32 zero = 0;

	if (mode == SM_REPEAT)
		bt_once(fd, f->buf, f->len, &w, &v, NULL, NULL); /* prime */
	else
		fd = wrapper(r, f, mode);
	shield_counts(s, a);
	for (int i = 0; i < n; i++) {
		if (mode != SM_REPEAT)
			bpf_map_update_elem(next, &zero, &s->prog_fd, BPF_ANY);
		bt_repeat(fd, f->buf, f->len, rep, &ns[i], &v);
		if (mode != SM_REPEAT) {
			bpf_map_update_elem(next, &zero, &r->pass_fd, BPF_ANY);
			bt_repeat(fd, f->buf, f->len, rep, &w, &v);
			ns[i] -= w;
		}
		bt_repeat(r->pass_fd, f->buf, f->len, rep, &fl[i], &v);
		if (mode != SM_REPEAT)
			ns[i] += fl[i];
		rt[i] = ns[i] / fl[i];
	}
	shield_counts(s, b);
	*reason = 0;
	for (int k = 0; k < FS_R_MAX; k++)
		if (b[k] - a[k] > b[*reason] - a[*reason])
			*reason = k;
	*ratio = median(rt, n);
	return median(ns, n);
}

static int run_cases(struct scale_run *r, struct shield *s, const char *maps)
{
	for (size_t i = 0; i < ARRAY_SIZE(scases); i++) {
		const struct scase *c = &scases[i];

		for (int fam = 4; fam <= 6; fam += 2) {
			struct frame_spec spec = c->spec;
			struct frame f;
			double ns, ratio;
			int reason;

			spec.family = fam;
			if (frame_build(&spec, &f) ||
			    shield_settings(s, NULL) || shield_unlimited(s))
				return -1;
			ns = time_case(r, s, &f, c->mode,
				       bench_repeat(&c->spec, r->o->repeat),
				       &ratio, &reason);
			printf("%-11s %-6s v%d %-45s %7.1f %6.2f %s\n", c->id,
			       maps, fam, c->label, ns, ratio,
			       fs_reason_name(reason));
			tsv_line(r->o->tsv, "scale", c->id, fam,
				 "maps=%s\tlabel=%s\tns=%.2f\tratio=%."
				 "3f\treason=%s",
				 maps, c->label, ns, ratio,
				 fs_reason_name(reason));
		}
	}
	return 0;
}

static void report_memory(struct scale_run *r, struct shield *s)
{
	static const char *const names[] = {
		"fs_rate",  "fs_bans",	 "fs_allow",	"fs_block",
		"fs_hosts", "fs_flows",	 "fs_services", "fs_cfg",
		"fs_stats", "fs_events", "fs_filter",	"fs_hostfp",
		"fs_dns",   "fs_seen",	 "fs_hstate",	"fs_hhost",
	};
	long total = 0;

	printf("\nMap memory (memlock from fdinfo)\n%-12s %10s %12s\n", "map",
	       "max", "bytes");
	for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
		int fd = shield_map_fd(s, names[i]);
		struct bpf_map *m =
			bpf_object__find_map_by_name(s->skel->obj, names[i]);
		long b = map_memlock(fd);

		if (fd < 0 || !m)
			continue;
		total += b;
		printf("%-12s %10u %12ld\n", names[i], bpf_map__max_entries(m),
		       b);
		tsv_line(r->o->tsv, "memory", names[i], 0, "max=%u\tbytes=%ld",
			 bpf_map__max_entries(m), b);
	}
	printf("%-12s %10s %12ld\n", "total", "", total);
	tsv_line(r->o->tsv, "memory", "total", 0, "bytes=%ld", total);
}

/* The spoofed flood: @n SYNs from random sources, one call each (the
 * MACHINE.md method), against a known source timed the same way. */
static int flood(struct scale_run *r, struct shield *s)
{
	int n = r->o->fresh * 5, v, err = 0;
	double *a = calloc(n, sizeof(double)), *b = calloc(n, sizeof(double));
	double *k = calloc(n, sizeof(double));
	uint64_t ev0[FS_E_MAX], ev1[FS_E_MAX], c0[FS_R_MAX], c1[FS_R_MAX];
	int bans = bpf_map__fd(s->skel->maps.FS_MAP_BANS);
	int allow = bpf_map__fd(s->skel->maps.FS_MAP_ALLOW);
	long bans0, bans1, allow0, allow1;
	struct frame_spec spec = {.family = 6, .dport = 80, .tcp_flags = 0x02};
	struct frame f, known;
	uint8_t src[16];
	double hot, ratio, med_new, med_known, med_pass, p99;
	int reason;

	if (!a || !b || !k)
		return -ENOMEM;
	/* Rates 1e9/s: the known source, sent as often as the new ones,
	 * stays within its rate (a new source's first SYN conforms at any
	 * rate, so theirs is the default path). */
	if (shield_settings(s, NULL) || shield_unlimited(s))
		return -1;
	spec.src_addr = src;
	bans0 = map_count(bans, sizeof(struct fs_key));
	allow0 = map_count(allow, sizeof(struct fs_lpm_key));
	shield_events(s, ev0);
	shield_counts(s, c0);
	pkt_addr(bench_addr(ROLE_CLIENT, 6), src);
	frame_build(&spec, &known);
	for (int i = 0; i < n && !err; i++) {
		rnd_addr(src, 0xd); /* 2001:db8:dxxx::/36 */
		if (frame_build(&spec, &f) ||
		    bt_once(s->prog_fd, f.buf, f.len, &a[i], &v, NULL, NULL) ||
		    bt_once(s->prog_fd, known.buf, known.len, &k[i], &v, NULL,
			    NULL) ||
		    bt_once(r->pass_fd, f.buf, f.len, &b[i], &v, NULL, NULL))
			err = -1;
	}
	shield_events(s, ev1);
	shield_counts(s, c1);
	bans1 = map_count(bans, sizeof(struct fs_key));
	allow1 = map_count(allow, sizeof(struct fs_lpm_key));
	p99 = percentile(a, n, 99);
	med_new = median(a, n);
	med_known = median(k, n);
	med_pass = median(b, n);
	/* The known source's path, hot, at this scale: */
	hot = time_case(r, s, &known, SM_REPEAT, r->o->repeat, &ratio, &reason);
	printf("\nSpoofed-source SYN flood: %d SYNs, each from a new random "
	       "source "
	       "in 2001:db8::/32, rate map full (%u entries)\n",
	       n, SCALE_RATE_MAX);
	printf("  single call, median: new source %.0f ns, known source %.0f "
	       "ns, "
	       "trivial program %.0f ns; new source p99 %.0f ns\n",
	       med_new, med_known, med_pass, p99);
	printf("  hot known-source SYN %.1f ns -> new-source SYN about %.0f ns "
	       "per packet (%.1f Mpps per core)\n",
	       hot, hot + med_new - med_known,
	       1000.0 / (hot + med_new - med_known));
	printf("  buckets created %llu, of which evicted another key %llu; "
	       "bans made %llu\n",
	       (unsigned long long)(ev1[FS_E_RATE_NEW] - ev0[FS_E_RATE_NEW]),
	       (unsigned long long)(ev1[FS_E_RATE_EVICTED] -
				    ev0[FS_E_RATE_EVICTED]),
	       (unsigned long long)(ev1[FS_E_BAN_SRC] + ev1[FS_E_BAN_PREFIX] -
				    ev0[FS_E_BAN_SRC] - ev0[FS_E_BAN_PREFIX]));
	printf("  bans %ld -> %ld, allowlist entries %ld -> %ld\n", bans0,
	       bans1, allow0, allow1);
	tsv_line(r->o->tsv, "flood", "syn_spoofed", 6,
		 "packets=%d\tonce_new=%.1f\tonce_known=%.1f\tonce_pass=%.1f\t"
		 "once_new_p99=%.1f\thot_known=%.2f\test_ns=%.2f\t"
		 "rate_new=%llu\trate_evicted=%llu\tbans_before=%ld\tbans_"
		 "after=%ld\t"
		 "allow_before=%ld\tallow_after=%ld\tservice=%llu",
		 n, med_new, med_known, med_pass, p99, hot,
		 hot + med_new - med_known,
		 (unsigned long long)(ev1[FS_E_RATE_NEW] - ev0[FS_E_RATE_NEW]),
		 (unsigned long long)(ev1[FS_E_RATE_EVICTED] -
				      ev0[FS_E_RATE_EVICTED]),
		 bans0, bans1, allow0, allow1,
		 (unsigned long long)(c1[FS_R_SERVICE] - c0[FS_R_SERVICE]));
	free(a);
	free(b);
	free(k);
	return err;
}

/* After the flood: the banned and the allowlisted sources are judged as
 * before. */
static int still_judged(struct scale_run *r, struct shield *s)
{
	static const struct {
		enum bench_role role;
		enum fs_reason want;
	} chk[] = {
		{ROLE_BANNED, FS_R_BAN},
		{ROLE_ALLOWED, FS_R_ALLOW},
		{ROLE_BLOCKED, FS_R_BLOCK},
	};
	int bad = 0;

	for (size_t i = 0; i < ARRAY_SIZE(chk); i++)
		for (int fam = 4; fam <= 6; fam += 2) {
			struct frame_spec spec = {.family = fam,
						  .src = chk[i].role,
						  .dport = 80,
						  .tcp_flags = 0x02};
			uint64_t a[FS_R_MAX], b[FS_R_MAX];
			struct frame f;
			double ns;
			int v;

			frame_build(&spec, &f);
			shield_counts(s, a);
			bt_once(s->prog_fd, f.buf, f.len, &ns, &v, NULL, NULL);
			shield_counts(s, b);
			if (b[chk[i].want] - a[chk[i].want] != 1)
				bad++;
		}
	printf("  after the flood: banned, allowlisted and blocked sources "
	       "judged "
	       "as before: %s\n",
	       bad ? "NO" : "yes");
	tsv_line(r->o->tsv, "flood", "still_judged", 0, "ok=%d", !bad);
	return 0;
}

/* The bench object for shield @s (bench_hflow on its fs_hstate). */
static int bench_for(struct scale_run *r, struct shield *s)
{
	r->bb = shield_bench_open(s);
	if (!r->bb)
		return -1;
	r->pass_fd = bpf_program__fd(r->bb->progs.bench_pass);
	return 0;
}

int cmd_scale(const struct bench_opts *o)
{
	struct scale_run r = {.o = o};
	struct shield small = {}, s = {};
	struct timespec t0, t1;
	int err = -1;

	printf("\nScale: per-packet cost with default maps (small) and with "
	       "1M tracked sources, 100k bans, 10k allowlist prefixes, 1k "
	       "hosts "
	       "(big)\n%-11s %-6s %-2s %-45s %7s %6s %s\n",
	       "case", "maps", "fam", "what", "ns", "ratio", "reason");
	if (shield_open(&small, NULL) || shield_setup(&small) ||
	    bench_for(&r, &small) || run_cases(&r, &small, "small"))
		goto out;
	bench_bpf__destroy(r.bb);
	r.bb = NULL;
	shield_close(&small);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (shield_open(&s, &big) || shield_setup(&s) || fill_rate(&s) ||
	    fill_bans(&s) || fill_allow(&s) || fill_hosts(&s))
		goto out;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	fprintf(stderr, "  filled the maps in %.1f s\n",
		t1.tv_sec - t0.tv_sec + (t1.tv_nsec - t0.tv_nsec) / 1e9);
	if (bench_for(&r, &s) || run_cases(&r, &s, "big"))
		goto out;
	report_memory(&r, &s);
	if (flood(&r, &s) || still_judged(&r, &s))
		goto out;
	err = 0;
out:
	shield_close(&small);
	shield_close(&s);
	bench_bpf__destroy(r.bb);
	return err;
}
