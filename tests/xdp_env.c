// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/if_ether.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "floodshield.skel.h"
#include "../loader/lists.h"
#include "../loader/settings.h"
#include "pkt.h"
#include "xdp_env.h"

/* Print @what with errno and return -errno. */
static int fail(const char *what)
{
	int err = errno ? errno : EINVAL;

	fprintf(stderr, "xdp_env: %s: %s\n", what, strerror(err));
	return -err;
}

static int write_cfg(struct xdp_env *e)
{
	__u32 zero = 0;

	if (bpf_map_update_elem(bpf_map__fd(e->skel->maps.FS_MAP_CFG), &zero,
				&e->cfg, BPF_ANY))
		return fail("write fs_cfg");
	return 0;
}

int xe_open(struct xdp_env *e)
{
	return xe_open_sockets(e, false);
}

int xe_open_sockets(struct xdp_env *e, bool real_sockets)
{
	return xe_open_bans(e, real_sockets, 0);
}

/* The loader's choices, but @real_sockets (fs_assume_connected off),
 * fs_bans sized to @bans_max (0: as built) and @no_ct (fs_have_ct off,
 * as on a kernel without the conntrack kfuncs). */
/* fs_hstate's size for the next open_env() (0: as built). */
static __u32 hstate_max;

/* A loaded object kept for the next open with the same choices. Every
 * load verifies the program afresh (most of the C suites' time), so
 * xe_close() parks the object once every map is emptied and its .bss
 * zeroed (park_reset()): what a fresh load would give (the object has no
 * .data; .rodata is frozen at load, its choices are the park key). Not kept:
 * objects with fs_hstate resized (the eviction fixtures: an LRU map's
 * lists after deletes are not those of a new one) or with a map of a
 * type park_reset() does not know. FS_TEST_NO_PARK=1 loads afresh
 * every time. */
struct park_key {
	bool real_sockets, no_ct;
	__u32 bans_max;
};

static struct {
	struct floodshield_bpf *skel;
	struct park_key key;
} park;

static int ring_discard(void *ctx, void *data, size_t len)
{
	(void)ctx;
	(void)data;
	(void)len;
	return 0;
}

/* Zero every element of array map @m (per-CPU values for each CPU), in
 * one batch. */
static int zero_array(struct bpf_map *m, int ncpu)
{
	__u32 n = bpf_map__max_entries(m), vsz = bpf_map__value_size(m);
	bool pcpu = bpf_map__type(m) == BPF_MAP_TYPE_PERCPU_ARRAY;
	size_t per = pcpu ? ((vsz + 7) / 8 * 8) * ncpu : vsz;
	__u32 *keys = calloc(n, sizeof(*keys));
	void *vals = calloc(n, per);
	__u32 count = n;
	int err = 0;

	if (!keys || !vals) {
		err = -ENOMEM;
		goto out;
	}
	for (__u32 i = 0; i < n; i++)
		keys[i] = i;
	if (bpf_map_update_batch(bpf_map__fd(m), keys, vals, &count, NULL) ||
	    count != n)
		err = -errno ? -errno : -EIO;
out:
	free(keys);
	free(vals);
	return err;
}

/* Delete every key of hash-like map @m. */
static int empty_hash(struct bpf_map *m)
{
	char key[256];
	int fd = bpf_map__fd(m);

	if (bpf_map__key_size(m) > sizeof(key))
		return -E2BIG;
	while (!bpf_map_get_next_key(fd, NULL, key))
		if (bpf_map_delete_elem(fd, key))
			return -errno;
	return 0;
}

/* Drain what the program left in ring buffer @m. */
static int drain_ring(struct bpf_map *m)
{
	struct ring_buffer *rb =
		ring_buffer__new(bpf_map__fd(m), ring_discard, NULL, NULL);

	if (!rb)
		return -errno;
	ring_buffer__consume(rb);
	ring_buffer__free(rb);
	return 0;
}

/* Every map of @skel as a fresh load has it: arrays zero, hashes empty,
 * the ring drained, .bss zero. 0, or < 0 when a map is of a kind it does
 * not know (a .data section among them). */
static int park_reset(struct floodshield_bpf *skel, int ncpu)
{
	struct bpf_map *m;
	int err = 0;

	bpf_object__for_each_map(m, skel->obj) {
		const char *name = bpf_map__name(m);

		if (strstr(name, ".rodata") || strstr(name, ".kconfig"))
			continue;
		if (strstr(name, ".bss")) {
			memset(skel->bss, 0, bpf_map__value_size(m));
			continue;
		}
		switch (bpf_map__type(m)) {
		case BPF_MAP_TYPE_ARRAY:
		case BPF_MAP_TYPE_PERCPU_ARRAY:
			err = zero_array(m, ncpu);
			break;
		case BPF_MAP_TYPE_HASH:
		case BPF_MAP_TYPE_LRU_HASH:
		case BPF_MAP_TYPE_LPM_TRIE:
			err = empty_hash(m);
			break;
		case BPF_MAP_TYPE_RINGBUF:
			err = drain_ring(m);
			break;
		default:
			err = -ENOTSUP;
		}
		if (err)
			return err;
	}
	return 0;
}

/* A loaded object for choices @k: the parked one, emptied, or a new
 * load. */
static struct floodshield_bpf *load_skel(const struct park_key *k)
{
	struct floodshield_bpf *skel;

	if (park.skel && !hstate_max && !memcmp(&park.key, k, sizeof(*k))) {
		skel = park.skel;
		park.skel = NULL; /* in use */
		return skel;
	}
	floodshield_bpf__destroy(park.skel);
	park.skel = NULL;
	skel = fs_skel_open(NULL, true);
	if (!skel)
		return NULL;
	skel->rodata->fs_assume_connected = !k->real_sockets;
	if (k->no_ct)
		skel->rodata->fs_have_ct = false;
	if ((k->bans_max &&
	     bpf_map__set_max_entries(skel->maps.FS_MAP_BANS, k->bans_max)) ||
	    (hstate_max &&
	     bpf_map__set_max_entries(skel->maps.FS_MAP_HSTATE, hstate_max)) ||
	    floodshield_bpf__load(skel)) {
		floodshield_bpf__destroy(skel);
		return NULL;
	}
	park.key = *k;
	return skel;
}

static int open_env(struct xdp_env *e, bool real_sockets, __u32 bans_max,
		    bool no_ct)
{
	struct park_key k = {real_sockets, no_ct, bans_max};

	memset(e, 0, sizeof(*e));
	e->ncpu = libbpf_num_possible_cpus();
	if (e->ncpu <= 0)
		return fail("libbpf_num_possible_cpus");
	e->skel = load_skel(&k);
	if (!e->skel)
		return fail("load skeleton");
	e->parkable = !hstate_max && !(getenv("FS_TEST_NO_PARK") &&
				       !strcmp(getenv("FS_TEST_NO_PARK"), "1"));
	fs_cfg_defaults(&e->cfg);
	if (fs_maps_init_defaults(bpf_map__fd(e->skel->maps.FS_MAP_CFG),
				  bpf_map__fd(e->skel->maps.FS_MAP_SVC))) {
		xe_close(e);
		return fail("write defaults");
	}
	xe_clock_set(e, XE_T0);
	return 0;
}

int xe_open_bans(struct xdp_env *e, bool real_sockets, __u32 bans_max)
{
	return open_env(e, real_sockets, bans_max, false);
}

int xe_open_hstate(struct xdp_env *e, __u32 max)
{
	int err;

	hstate_max = max;
	err = open_env(e, false, 0, false);
	hstate_max = 0;
	return err;
}

int xe_open_no_ct(struct xdp_env *e)
{
	return open_env(e, true, 0, true);
}

void xe_close(struct xdp_env *e)
{
	if (e->skel && e->parkable && !park.skel &&
	    !park_reset(e->skel, e->ncpu))
		park.skel = e->skel; /* for the next open with its choices */
	else
		floodshield_bpf__destroy(e->skel);
	e->skel = NULL;
}

void xe_clock_set(struct xdp_env *e, __u64 ns)
{
	e->skel->bss->fs_now_ns = ns;
}

__u64 xe_clock(const struct xdp_env *e)
{
	return e->skel->bss->fs_now_ns;
}

int xe_set(struct xdp_env *e, const char *kv)
{
	char err[128];

	if (fs_cfg_set(&e->cfg, kv, err, sizeof(err))) {
		fprintf(stderr, "xdp_env: %s\n", err);
		return -EINVAL;
	}
	return write_cfg(e);
}

int xe_service(struct xdp_env *e, __u16 port, enum fs_svc svc)
{
	__u32 key = port;

	if (bpf_map_update_elem(bpf_map__fd(e->skel->maps.FS_MAP_SVC), &key,
				&svc, BPF_ANY))
		return fail("write fs_services");
	return 0;
}

/* "addr[/len]" into an LPM key over the 128-bit form. */
static int parse_cidr(const char *cidr, struct fs_lpm_key *k)
{
	char text[64], *slash;
	int family, bits;

	snprintf(text, sizeof(text), "%s", cidr);
	slash = strchr(text, '/');
	if (slash)
		*slash = '\0';
	family = pkt_addr(text, k->addr);
	bits = slash ? atoi(slash + 1) : family == 4 ? 32 : 128;
	if (!family || bits < 0 || bits > (family == 4 ? 32 : 128)) {
		fprintf(stderr, "xdp_env: bad CIDR '%s'\n", cidr);
		return -EINVAL;
	}
	k->prefixlen = family == 4 ? FS_V4_MAPPED_PLEN + bits : bits;
	return 0;
}

/* Write an entry through the one writer (loader/lists.h), as the CLI
 * does. */
static int put(struct xdp_env *e, enum fs_filter_set set, const void *key,
	       const void *val, const char *what)
{
	struct fs_map_fds m;
	int err;

	fs_maps_from_skel(e->skel, &m);
	err = fs_list_put(&m, set, key, val, BPF_ANY);
	if (err)
		errno = -err;
	return err ? fail(what) : 0;
}

static int list_add(struct xdp_env *e, enum fs_filter_set set, const char *cidr,
		    __u64 expires_ns)
{
	struct fs_list_val v = {.expires_ns = expires_ns,
				.origin = FS_ORIGIN_CLI,
				.note = "test"};
	struct fs_lpm_key k = {};
	int err = parse_cidr(cidr, &k);

	if (err)
		return err;
	return put(e, set, &k, &v, cidr);
}

int xe_allow(struct xdp_env *e, const char *cidr, __u64 expires_ns)
{
	return list_add(e, FS_FILTER_ALLOW, cidr, expires_ns);
}

int xe_block(struct xdp_env *e, const char *cidr, __u64 expires_ns)
{
	return list_add(e, FS_FILTER_BLOCK, cidr, expires_ns);
}

int xe_own(struct xdp_env *e, const char *addr)
{
	struct fs_addr_key k = {};
	struct fs_lpm_key lk = {};
	struct fs_map_fds m;
	int err = parse_cidr(addr, &lk);

	if (err)
		return err;
	memcpy(k.addr, lk.addr, sizeof(k.addr));
	fs_maps_from_skel(e->skel, &m);
	err = fs_own_put(&m, &k);
	if (err)
		errno = -err;
	return err ? fail(addr) : 0;
}

int xe_counters(struct xdp_env *e, struct fs_counter out[FS_R_MAX])
{
	int fd = bpf_map__fd(e->skel->maps.FS_MAP_STATS);
	struct fs_counter cpu[e->ncpu];

	memset(out, 0, FS_R_MAX * sizeof(*out));
	for (__u32 r = 0; r < FS_R_MAX; r++) {
		if (bpf_map_lookup_elem(fd, &r, cpu))
			return fail("read fs_stats");
		for (int i = 0; i < e->ncpu; i++) {
			out[r].packets += cpu[i].packets;
			out[r].bytes += cpu[i].bytes;
			out[r].observed_packets += cpu[i].observed_packets;
			out[r].observed_bytes += cpu[i].observed_bytes;
		}
	}
	return 0;
}

int xe_events(struct xdp_env *e, __u64 out[FS_E_MAX])
{
	int fd = bpf_map__fd(e->skel->maps.FS_MAP_EVENTS);
	__u64 cpu[e->ncpu];

	memset(out, 0, FS_E_MAX * sizeof(*out));
	for (__u32 ev = 0; ev < FS_E_MAX; ev++) {
		if (bpf_map_lookup_elem(fd, &ev, cpu))
			return fail("read fs_events");
		for (int i = 0; i < e->ncpu; i++)
			out[ev] += cpu[i];
	}
	return 0;
}

int xe_run(struct xdp_env *e, const void *frame, size_t len, void *out,
	   size_t *out_len)
{
	/* The kernel refuses input shorter than Ethernet, but takes a
	 * linear part (ctx data_end) shorter than the input and puts the
	 * rest in a fragment, which this program never reads. */
	size_t size = len < ETH_HLEN ? ETH_HLEN : len, pad = size - len;
	__u8 in[PKT_MAX] = {}, res[PKT_MAX];
	struct xdp_md ctx = {.data_end = len};
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = in, .data_size_in = size,
		    .data_out = res, .data_size_out = sizeof(res),
		    .ctx_in = pad ? &ctx : NULL,
		    .ctx_size_in = pad ? sizeof(ctx) : 0, .repeat = 1);

	if (len > PKT_MAX)
		return -EINVAL;
	memcpy(in, frame, len);
	if (bpf_prog_test_run_opts(bpf_program__fd(e->skel->progs.floodshield),
				   &o))
		return fail("BPF_PROG_TEST_RUN");
	if (o.data_size_out < pad || o.data_size_out - pad > *out_len)
		return -EOVERFLOW;
	*out_len = o.data_size_out - pad;
	memcpy(out, res, *out_len);
	return o.retval;
}

/* A ban key: @addr masked to @plen, bucket FS_B_NONE. */
static void ban_key(struct fs_key *k, const __u8 addr[16], __u8 plen)
{
	memset(k, 0, sizeof(*k));
	for (int i = 0; i < 16; i++) {
		int bits = plen - 8 * i;

		k->addr[i] = bits >= 8	 ? addr[i]
			     : bits <= 0 ? 0
					 : addr[i] & (0xff << (8 - bits));
	}
	k->plen = plen;
	k->bucket = FS_B_NONE;
}

int xe_ban_get(struct xdp_env *e, const __u8 addr[16], __u8 plen,
	       struct fs_ban *ban)
{
	struct fs_key k;

	ban_key(&k, addr, plen);
	if (bpf_map_lookup_elem(bpf_map__fd(e->skel->maps.FS_MAP_BANS), &k,
				ban))
		return -errno;
	return 0;
}

int xe_ban_put(struct xdp_env *e, const __u8 addr[16], __u8 plen,
	       const struct fs_ban *ban)
{
	struct fs_key k;

	ban_key(&k, addr, plen);
	return put(e, FS_FILTER_BAN, &k, ban, "write fs_bans");
}
