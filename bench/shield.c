// SPDX-License-Identifier: GPL-2.0
/* The programs under test: a private floodshield instance configured
 * through its own maps (as the CLI writes them), and Debian's compiled
 * xdp-filter objects configured through theirs. Nothing is pinned or
 * attached. */
#include <endian.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "floodshield.skel.h"
#include "bench_abi.h"
#include "bench.skel.h"
#include "../loader/filter.h"
#include "../loader/addr.h"
#include "../loader/hosts.h"
#include "../loader/settings.h"
#include "../loader/sync.h"
#include "../loader/lists.h"
#include "../tests/pkt.h"
#include "bench.h"

#define RATE_UNLIMITED	    1000000000u /* fs_rate_set's maximum: 1 ns interval */
#define BURST_UNLIMITED	    1000000u
#define STARVED_INTERVAL_NS 1000000000000000ull /* 10^6 s */

static int fail(const char *what)
{
	int err = errno ? errno : EINVAL;

	fprintf(stderr, "fs_bench: %s: %s\n", what, strerror(err));
	return -err;
}

static void resize(struct bpf_map *m, uint32_t n)
{
	if (n)
		bpf_map__set_max_entries(m, n);
}

static size_t rate_bytes(const struct shield *s)
{
	return (size_t)s->rate_slots * sizeof(struct fs_rate_slot);
}

static size_t flow_bytes(const struct shield *s)
{
	return (size_t)s->flow_slots * sizeof(struct fs_flow_slot);
}

/* The first slot of @k's set in the rate table. */
static struct fs_rate_slot *rate_set(struct shield *s, const struct fs_key *k)
{
	return s->rate +
	       fs_rate_set_index(k, s->rate_slots / FS_RATE_WAYS, &s->hkey) *
		       FS_RATE_WAYS;
}

void shield_rate_put(struct shield *s, const struct fs_key *k, uint64_t tat)
{
	struct fs_rate_slot *a = rate_set(s, k), *v = a;

	for (int w = 0; w < FS_RATE_WAYS; w++)
		if (!memcmp(&a[w].key, k, sizeof(*k)) ||
		    a[w].b.tat_ns < v->b.tat_ns)
			v = &a[w];
	v->key = *k;
	v->b.tat_ns = tat;
	v->b.over = 0;
}

/* Forget @k's bucket, if it holds a slot. */
static void rate_forget(struct shield *s, const struct fs_key *k)
{
	struct fs_rate_slot *a = rate_set(s, k);

	for (int w = 0; w < FS_RATE_WAYS; w++)
		if (!memcmp(&a[w].key, k, sizeof(*k)))
			memset(&a[w], 0, sizeof(a[w]));
}

int shield_open(struct shield *s, const struct shield_sizes *sz)
{
	struct shield_sizes none = {};

	memset(s, 0, sizeof(*s));
	if (!sz)
		sz = &none;
	s->ncpu = libbpf_num_possible_cpus();
	s->skel = fs_skel_open(NULL, false); /* unpinned, real clock */
	if (!s->skel)
		return fail("open the floodshield object");
	resize(s->skel->maps.FS_MAP_RATE, sz->rate);
	resize(s->skel->maps.FS_MAP_BANS, sz->bans);
	resize(s->skel->maps.FS_MAP_ALLOW, sz->allow);
	resize(s->skel->maps.FS_MAP_BLOCK, sz->block);
	resize(s->skel->maps.FS_MAP_HOSTS, sz->hosts);
	resize(s->skel->maps.FS_MAP_FLOWS, sz->flows);
	if (floodshield_bpf__load(s->skel)) {
		floodshield_bpf__destroy(s->skel);
		s->skel = NULL;
		return fail("load the floodshield object");
	}
	s->prog_fd = bpf_program__fd(s->skel->progs.floodshield);
	s->rate_slots = bpf_map__max_entries(s->skel->maps.FS_MAP_RATE);
	s->rate = mmap(NULL, rate_bytes(s), PROT_READ | PROT_WRITE, MAP_SHARED,
		       bpf_map__fd(s->skel->maps.FS_MAP_RATE), 0);
	if (s->rate == MAP_FAILED) {
		s->rate = NULL;
		return fail("map the rate table");
	}
	s->flow_slots = bpf_map__max_entries(s->skel->maps.FS_MAP_FLOWS);
	s->flows = mmap(NULL, flow_bytes(s), PROT_READ | PROT_WRITE, MAP_SHARED,
			bpf_map__fd(s->skel->maps.FS_MAP_FLOWS), 0);
	if (s->flows == MAP_FAILED) {
		s->flows = NULL;
		return fail("map the flows table");
	}
	if (fs_hkey_read(bpf_map__fd(s->skel->maps.FS_MAP_HKEY), &s->hkey))
		return fail("read the set hashes' key");
	if (fs_maps_init_defaults(bpf_map__fd(s->skel->maps.FS_MAP_CFG),
				  bpf_map__fd(s->skel->maps.FS_MAP_SVC)))
		return fail("write the defaults");
	fs_cfg_defaults(&s->cfg);
	return 0;
}

void shield_close(struct shield *s)
{
	if (s->rate)
		munmap(s->rate, rate_bytes(s));
	if (s->flows)
		munmap(s->flows, flow_bytes(s));
	s->rate = NULL;
	s->flows = NULL;
	floodshield_bpf__destroy(s->skel);
	s->skel = NULL;
}

int shield_map_fd(struct shield *s, const char *name)
{
	struct bpf_map *m = bpf_object__find_map_by_name(s->skel->obj, name);

	return m ? bpf_map__fd(m) : -1;
}

static int write_cfg(struct shield *s)
{
	__u32 zero = 0;

	if (bpf_map_update_elem(bpf_map__fd(s->skel->maps.FS_MAP_CFG), &zero,
				&s->cfg, BPF_ANY))
		return fail("write fs_cfg");
	return 0;
}

int shield_settings(struct shield *s, const char *const *kv)
{
	char err[160];

	fs_cfg_defaults(&s->cfg);
	for (; kv && *kv; kv++) {
		if (fs_cfg_set(&s->cfg, *kv, err, sizeof(err))) {
			fprintf(stderr, "fs_bench: %s\n", err);
			return -EINVAL;
		}
	}
	return write_cfg(s);
}

int shield_unlimited(struct shield *s)
{
	for (int b = 0; b < FS_B_MAX; b++) {
		struct fs_limit *l = &s->cfg.limits[b];

		if (l->src.rate)
			fs_rate_set(&l->src, RATE_UNLIMITED, BURST_UNLIMITED);
		if (l->prefix.rate)
			fs_rate_set(&l->prefix, RATE_UNLIMITED,
				    BURST_UNLIMITED);
	}
	return write_cfg(s);
}

int shield_starve(struct shield *s, enum fs_bucket b)
{
	struct fs_rate *r = &s->cfg.limits[b].src;

	r->rate = 1;
	r->burst = 1;
	r->interval_ns = STARVED_INTERVAL_NS;
	r->tolerance_ns = 0;
	return write_cfg(s);
}

/* Write a list entry or a ban as the CLI does: through the one writer
 * (loader/lists.h), which marks the prefilter. */
static int list_put(struct shield *s, enum fs_filter_set set, const void *key,
		    const void *val, const char *what)
{
	struct fs_map_fds m;
	int err;

	fs_maps_from_skel(s->skel, &m);
	err = fs_list_put(&m, set, key, val, BPF_ANY);
	if (err)
		errno = -err;
	return err ? fail(what) : 0;
}

int shield_list_add(struct shield *s, bool allow, const char *cidr)
{
	struct fs_list_val v = {.origin = FS_ORIGIN_CLI, .note = "bench"};
	struct fs_lpm_key k;
	char err[160];

	if (fs_cidr_parse(cidr, &k, err, sizeof(err))) {
		fprintf(stderr, "fs_bench: %s\n", err);
		return -EINVAL;
	}
	return list_put(s, allow ? FS_FILTER_ALLOW : FS_FILTER_BLOCK, &k, &v,
			cidr);
}

/* @addr masked to @plen bits into a zeroed key. */
static void make_key(struct fs_key *k, const uint8_t addr[16], unsigned plen,
		     enum fs_bucket b)
{
	memset(k, 0, sizeof(*k));
	for (unsigned i = 0; i < 16; i++) {
		int bits = (int)plen - 8 * i;

		k->addr[i] = bits >= 8	 ? addr[i]
			     : bits <= 0 ? 0
					 : addr[i] & (0xff << (8 - bits));
	}
	k->plen = plen;
	k->bucket = b;
}

int shield_ban(struct shield *s, const uint8_t addr[16], unsigned plen)
{
	struct fs_ban ban = {.reason = FS_BAN_MANUAL, .count = 1};
	struct fs_key k;

	make_key(&k, addr, plen, FS_B_NONE);
	return list_put(s, FS_FILTER_BAN, &k, &ban, "write fs_bans");
}

/* What `hosts add` writes, and the prints it then builds. */
int shield_host_add(struct shield *s, const char *name)
{
	struct fs_map_fds m;
	int rc;
	struct fs_host_key k;
	struct fs_host_val v;
	char err[160];

	if (fs_host_key(name, &k, &v, err, sizeof(err))) {
		fprintf(stderr, "fs_bench: %s\n", err);
		return -EINVAL;
	}
	fs_maps_from_skel(s->skel, &m);
	rc = fs_host_put(&m, &k, &v);
	if (rc) {
		errno = -rc;
		return fail(name);
	}
	if (fs_hosts_done(&m))
		return fail("host prints");
	return 0;
}

static int static_bans(struct shield *s)
{
	uint8_t a[16];

	for (int fam = 4; fam <= 6; fam += 2) {
		pkt_addr(bench_addr(ROLE_BANNED, fam), a);
		if (shield_ban(s, a, 128))
			return -1;
	}
	return 0;
}

int shield_setup(struct shield *s)
{
	for (int fam = 4; fam <= 6; fam += 2) {
		if (shield_list_add(s, true,
				    bench_list_cidr(ROLE_ALLOWED, fam)) ||
		    shield_list_add(s, false,
				    bench_list_cidr(ROLE_BLOCKED, fam)))
			return -1;
	}
	if (static_bans(s) || shield_host_add(s, SERVED_HOST) ||
	    shield_host_add(s, "example.org"))
		return -1;
	return shield_settings(s, NULL);
}

/* Delete every entry of @fd (keys of @ksize bytes). */
int map_clear(int fd, size_t ksize)
{
	size_t cap = 1024, n = 0;
	uint8_t *keys = malloc(cap * ksize), *prev = NULL;
	int err = 0;

	if (!keys)
		return -ENOMEM;
	while (bpf_map_get_next_key(fd, prev, keys + n * ksize) == 0) {
		prev = keys + n * ksize;
		if (++n == cap) {
			uint8_t *k = realloc(keys, 2 * cap * ksize);

			if (!k) {
				err = -ENOMEM;
				break;
			}
			keys = k;
			cap *= 2;
			prev = keys + (n - 1) * ksize;
		}
	}
	for (size_t i = 0; i < n; i++)
		bpf_map_delete_elem(fd, keys + i * ksize);
	free(keys);
	return err;
}

int shield_prove(struct shield *s, enum bench_role role, bool proven)
{
	int fd = bpf_map__fd(s->skel->maps.FS_MAP_PROVEN);
	__u32 sets = bpf_map__max_entries(s->skel->maps.FS_MAP_PROVEN) /
		     FS_PROVEN_WAYS;
	struct fs_proven_slot slot = {}, empty = {};
	struct timespec ts;
	__u32 w[4], k;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	for (int fam = 4; fam <= 6; fam += 2) {
		pkt_addr(bench_addr(role, fam), slot.addr);
		memcpy(w, slot.addr, sizeof(w));
		slot.proven_ns = slot.last_ns =
			ts.tv_sec * 1000000000ull + ts.tv_nsec;
		k = fs_proven_index(w, sets, &s->hkey) * FS_PROVEN_WAYS;
		for (__u32 i = 0; i < FS_PROVEN_WAYS; i++, k++)
			if (bpf_map_update_elem(fd, &k,
						proven && !i ? &slot : &empty,
						BPF_ANY))
				return fail("write fs_proven");
	}
	return 0;
}

int shield_reset_state(struct shield *s)
{
	struct fs_syn_state syn = {};
	__u32 zero = 0;

	memset(s->rate, 0, rate_bytes(s));
	memset(s->flows, 0, flow_bytes(s));
	/* no pressure and no cookie window left from another case; the
	 * ordinary client unproven (a RESET case's connection proves it) */
	if (bpf_map_update_elem(bpf_map__fd(s->skel->maps.FS_MAP_SYN), &zero,
				&syn, BPF_ANY))
		return fail("clear fs_syn");
	if (shield_prove(s, ROLE_CLIENT, false))
		return -1;
	if (map_clear(bpf_map__fd(s->skel->maps.FS_MAP_BANS),
		      sizeof(struct fs_key)) ||
	    map_clear(bpf_map__fd(s->skel->maps.FS_MAP_HSTATE),
		      sizeof(struct fs_hflow_key)) ||
	    map_clear(bpf_map__fd(s->skel->maps.FS_MAP_HHOST),
		      sizeof(struct fs_hflow_key)))
		return fail("clear state");
	return static_bans(s);
}

/* The source (@dst: destination) address of @f in the 16-byte form. */
static void frame_addr(const struct frame *f, uint8_t a[16], bool dst)
{
	memset(a, 0, 16);
	if (f->family == 4) {
		a[10] = a[11] = 0xff;
		memcpy(a + 12, f->buf + f->l3 + 12 + 4 * dst, 4);
	} else {
		memcpy(a, f->buf + f->l3 + 8 + 16 * dst, 16);
	}
}

void frame_hflow_key(const struct frame *f, struct fs_hflow_key *k)
{
	memset(k, 0, sizeof(*k));
	frame_addr(f, k->src, false);
	frame_addr(f, k->dst, true);
	memcpy(&k->sport, f->buf + f->l4, 2);
	memcpy(&k->dport, f->buf + f->l4 + 2, 2);
}

struct bench_bpf *shield_bench_open(struct shield *s)
{
	struct bench_bpf *bb = bench_bpf__open();
	int fd = bpf_map__fd(s->skel->maps.FS_MAP_HSTATE);

	if (!bb)
		return NULL;
	if (bpf_map__reuse_fd(bb->maps.hstate_ref, fd) || bench_bpf__load(bb)) {
		fail("load the bench object on fs_hstate");
		bench_bpf__destroy(bb);
		return NULL;
	}
	return bb;
}

/* Forget @f's HTTP parser state (fs_hstate, fs_hhost). */
static void hflow_forget(struct shield *s, const struct frame *f)
{
	struct fs_hflow_key k;

	frame_hflow_key(f, &k);
	bpf_map_delete_elem(bpf_map__fd(s->skel->maps.FS_MAP_HSTATE), &k);
	bpf_map_delete_elem(bpf_map__fd(s->skel->maps.FS_MAP_HHOST), &k);
}

int shield_forget(struct shield *s, const struct frame *f, bool source)
{
	int bans = bpf_map__fd(s->skel->maps.FS_MAP_BANS);
	unsigned plen = f->family == 4 ? FS_V4_MAPPED_PLEN + s->cfg.v4_prefix
				       : s->cfg.v6_prefix;
	struct fs_flow_key fk = {};
	uint8_t a[16];
	struct fs_key k;

	frame_addr(f, a, false);
	hflow_forget(s, f);
	for (int b = 0; source && b < FS_B_MAX; b++) {
		make_key(&k, a, 128, b);
		b ? rate_forget(s, &k) : (void)bpf_map_delete_elem(bans, &k);
		make_key(&k, a, plen, b);
		b ? rate_forget(s, &k) : (void)bpf_map_delete_elem(bans, &k);
	}
	memcpy(fk.addr, a, 16);
	memcpy(&fk.sport, f->buf + f->l4, 2);
	memcpy(&fk.dport, f->buf + f->l4 + 2, 2);
	{
		struct fs_flow_slot *set =
			&s->flows[fs_flow_index(&fk,
						s->flow_slots / FS_FLOW_WAYS,
						&s->hkey) *
				  FS_FLOW_WAYS];

		for (int w = 0; w < FS_FLOW_WAYS; w++)
			if (!memcmp(&set[w].key, &fk, sizeof(fk)))
				memset(&set[w], 0, sizeof(set[w]));
	}
	return 0;
}

int shield_counts(struct shield *s, uint64_t out[FS_R_MAX])
{
	int fd = bpf_map__fd(s->skel->maps.FS_MAP_STATS);
	struct fs_counter cpu[s->ncpu];

	memset(out, 0, FS_R_MAX * sizeof(*out));
	for (__u32 r = 0; r < FS_R_MAX; r++) {
		if (bpf_map_lookup_elem(fd, &r, cpu))
			return fail("read fs_stats");
		for (int i = 0; i < s->ncpu; i++)
			out[r] += cpu[i].packets + cpu[i].observed_packets;
	}
	return 0;
}

int shield_events(struct shield *s, uint64_t out[FS_E_MAX])
{
	int fd = bpf_map__fd(s->skel->maps.FS_MAP_EVENTS);
	__u64 cpu[s->ncpu];

	memset(out, 0, FS_E_MAX * sizeof(*out));
	for (__u32 e = 0; e < FS_E_MAX; e++) {
		if (bpf_map_lookup_elem(fd, &e, cpu))
			return fail("read fs_events");
		for (int i = 0; i < s->ncpu; i++)
			out[e] += cpu[i];
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* xdp-filter (xdp-tools 1.3.1, Debian's compiled objects). Map layout
 * from its sources: per-CPU values whose low bits are flags and whose
 * high bits count hits; the program tests the flags of the CPU it runs
 * on, so every CPU's copy carries them. */

#define XF_DIR	    "/usr/lib/x86_64-linux-gnu/bpf"
#define XF_FLAG_SRC (1u << 0)
#define XF_FLAG_DST (1u << 1)
#define XF_FLAG_TCP (1u << 2)
#define XF_FLAG_UDP (1u << 3)

static const char *const xf_names[XF_MAX] = {
	[XF_ALLOW_ALL] = "xdpfilt_alw_all",
	[XF_DENY_ALL] = "xdpfilt_dny_all",
};

static int xf_put(struct xfilter *x, const char *map, const void *key,
		  uint64_t flags, int ncpu)
{
	struct bpf_map *m = bpf_object__find_map_by_name(x->obj, map);
	uint64_t v[ncpu];

	for (int i = 0; i < ncpu; i++)
		v[i] = flags;
	if (!m || bpf_map_update_elem(bpf_map__fd(m), key, v, BPF_ANY))
		return fail(map);
	return 0;
}

/* A source address of @role into the object's IPv4 and IPv6 maps. */
static int xf_put_src(struct xfilter *x, enum bench_role role, int ncpu)
{
	uint8_t a[16];

	pkt_addr(bench_addr(role, 4), a);
	if (xf_put(x, "filter_ipv4", a + 12, XF_FLAG_SRC, ncpu))
		return -1;
	pkt_addr(bench_addr(role, 6), a);
	return xf_put(x, "filter_ipv6", a, XF_FLAG_SRC, ncpu);
}

static int xf_put_port(struct xfilter *x, uint16_t port, uint64_t flags,
		       int ncpu)
{
	__u32 key = htobe16(port); /* the program looks up th->dest as is */

	return xf_put(x, "filter_ports", &key, flags, ncpu);
}

/* Allow-all (the blocklist job floodshield's lists do): the blocked and
 * banned sources (exact addresses: xdp-filter has no prefixes), a
 * denied TCP and UDP port, one denied MAC. Deny-all: the allowlisted
 * source and the service ports pass, everything else drops. */
static int xf_configure(struct xfilter *x, enum xf_kind kind, int ncpu)
{
	static const uint8_t mac[8] = {0x02, 0, 0, 0, 0, 0x99};

	if (kind == XF_ALLOW_ALL)
		return xf_put_src(x, ROLE_BLOCKED, ncpu) ||
				       xf_put_src(x, ROLE_BANNED, ncpu) ||
				       xf_put_port(x, 23,
						   XF_FLAG_DST | XF_FLAG_TCP,
						   ncpu) ||
				       xf_put_port(x, 19,
						   XF_FLAG_DST | XF_FLAG_UDP,
						   ncpu) ||
				       xf_put(x, "filter_ethernet", mac,
					      XF_FLAG_SRC, ncpu)
			       ? -1
			       : 0;
	return xf_put_src(x, ROLE_ALLOWED, ncpu) ||
			       xf_put_port(x, 80, XF_FLAG_DST | XF_FLAG_TCP,
					   ncpu) ||
			       xf_put_port(x, 25, XF_FLAG_DST | XF_FLAG_TCP,
					   ncpu) ||
			       xf_put_port(x, 22, XF_FLAG_DST | XF_FLAG_TCP,
					   ncpu) ||
			       xf_put_port(x, 53, XF_FLAG_DST | XF_FLAG_UDP,
					   ncpu)
		       ? -1
		       : 0;
}

int xf_open(struct xfilter *x, enum xf_kind kind, int ncpu)
{
	char path[256];
	struct bpf_program *p;
	struct bpf_map *m;

	memset(x, 0, sizeof(*x));
	x->name = xf_names[kind];
	snprintf(path, sizeof(path), "%s/%s.o", XF_DIR, x->name);
	x->obj = bpf_object__open_file(path, NULL);
	if (!x->obj) {
		x->obj = NULL;
		return -ENOENT;
	}
	bpf_object__for_each_map(m, x->obj)
		bpf_map__set_pin_path(m, NULL);
	if (bpf_object__load(x->obj)) {
		xf_close(x);
		return fail(path);
	}
	p = bpf_object__find_program_by_name(x->obj, x->name);
	if (!p) {
		xf_close(x);
		return fail(x->name);
	}
	x->prog_fd = bpf_program__fd(p);
	if (xf_configure(x, kind, ncpu)) {
		xf_close(x);
		return -EINVAL;
	}
	return 0;
}

void xf_close(struct xfilter *x)
{
	bpf_object__close(x->obj);
	x->obj = NULL;
}
