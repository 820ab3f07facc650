// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/random.h>
#include <net/if.h>
#include <linux/if_link.h>
#include <linux/magic.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <bpf/btf.h>
#include "floodshield.skel.h"
#include "loader.h"
#include "filter.h"
#include "sync.h"
#include "hostfp.h"
#include "log.h"
#include "own.h"
#include "settings.h"
#include "util.h"

/* The maps table (FS_MAPS in maps/tables.h) at run time. */
#define ROW_(id, field, role, fill, ksz, vsz, doc) \
	{FS_STR(FS_MAP_##id),                      \
	 offsetof(struct fs_map_fds, field),       \
	 FS_ROLE_##role,                           \
	 ROW_FILL_##fill,                          \
	 ksz,                                      \
	 vsz,                                      \
	 doc},
#define ROW_FILL_FILL		  true
#define ROW_FILL_NOFILL		  false
#define ROLE_NAME_(id, name, doc) name,
#define ROLE_DOC_(id, name, doc)  doc,

static const struct fs_map_row rows[] = {FS_MAPS(ROW_)};
static const char *const role_names[] = {FS_MAP_ROLES(ROLE_NAME_)};
static const char *const role_docs[] = {FS_MAP_ROLES(ROLE_DOC_)};

#define N_ROWS (sizeof(rows) / sizeof(rows[0]))
_Static_assert(sizeof(struct fs_map_fds) == N_ROWS * sizeof(int), "struct "
								  "fs_map_fds: "
								  "an int per "
								  "map");

const struct fs_map_row *fs_map_rows(size_t *n)
{
	*n = N_ROWS;
	return rows;
}

const struct fs_map_row *fs_map_row_find(const char *name)
{
	for (size_t i = 0; i < N_ROWS; i++)
		if (!strcmp(name, rows[i].name))
			return &rows[i];
	return NULL;
}

const char *fs_map_role_name(enum fs_map_role r)
{
	return r < FS_ROLE_MAX ? role_names[r] : "unknown";
}

const char *fs_map_role_doc(enum fs_map_role r)
{
	return r < FS_ROLE_MAX ? role_docs[r] : "";
}

void fs_maps_from_skel(const struct floodshield_bpf *skel, struct fs_map_fds *m)
{
#define FROM_SKEL_(id, field, ...) \
	m->field = bpf_map__fd(skel->maps.FS_MAP_##id);
	FS_MAPS(FROM_SKEL_)
#undef FROM_SKEL_
}

static int *row_fd(struct fs_map_fds *m, const struct fs_map_row *r)
{
	return (int *)((char *)m + r->fd_off);
}

/* Whether the map pinned at @path has @map's type and sizes. */
static bool pin_matches(const char *path, const struct bpf_map *map)
{
	struct bpf_map_info mi = {};
	__u32 len = sizeof(mi);
	int fd = bpf_obj_get(path);
	bool same;

	if (fd < 0)
		return true; /* not a map we can read: libbpf will say */
	same = !bpf_obj_get_info_by_fd(fd, &mi, &len) &&
	       mi.type == bpf_map__type(map) &&
	       mi.key_size == bpf_map__key_size(map) &&
	       mi.value_size == bpf_map__value_size(map) &&
	       mi.max_entries == bpf_map__max_entries(map) &&
	       mi.map_flags == bpf_map__map_flags(map);
	close(fd);
	return same;
}

/* Counter maps an older build pinned with fewer slots: drop_stale_pins()
 * removes their pins and keeps them open here, so that the load creates
 * this build's maps; carry_over() then copies every value across and
 * closes them. fd[i] belongs to rows[i]; -1: nothing set aside. */
struct carry {
	const char *pin_dir;
	int fd[N_ROWS];
	bool cfg_replaced; /* fs_cfg of another layout: defaults written */
};

static void carry_init(struct carry *c, const char *pin_dir)
{
	c->pin_dir = pin_dir;
	c->cfg_replaced = false;
	for (size_t i = 0; i < N_ROWS; i++)
		c->fd[i] = -1;
}

/* The counter map pinned at @path if @map is the same but with more
 * slots (an older build's, before a row was appended): its pin removed,
 * its fd in *fd. -1 if it is not such a map. */
static int set_aside(const char *path, const struct bpf_map *map, int *fd)
{
	struct bpf_map_info mi = {};
	__u32 len = sizeof(mi);
	int old = bpf_obj_get(path);

	if (old < 0)
		return -1;
	if (bpf_obj_get_info_by_fd(old, &mi, &len) ||
	    mi.type != bpf_map__type(map) ||
	    (mi.type != BPF_MAP_TYPE_PERCPU_ARRAY &&
	     mi.type != BPF_MAP_TYPE_ARRAY) ||
	    mi.key_size != bpf_map__key_size(map) ||
	    mi.value_size != bpf_map__value_size(map) ||
	    mi.map_flags != bpf_map__map_flags(map) ||
	    mi.max_entries >= bpf_map__max_entries(map) || unlink(path)) {
		close(old);
		return -1;
	}
	*fd = old;
	return 0;
}

/* Every CPU's value of each slot of the array @counters_from into the
 * same slot of @counters_to. 0 or -errno. */
static int counters_copy(int counters_from, int counters_to)
{
	struct bpf_map_info mi = {};
	__u32 len = sizeof(mi);
	int ncpu = libbpf_num_possible_cpus(), err = 0;
	void *vals;

	if (ncpu <= 0)
		return ncpu ? ncpu : -EINVAL;
	if (bpf_obj_get_info_by_fd(counters_from, &mi, &len))
		return -errno;
	/* a per-CPU value is rounded up to 8 bytes per CPU */
	vals = calloc(mi.type == BPF_MAP_TYPE_PERCPU_ARRAY ? ncpu : 1,
		      (mi.value_size + 7) & ~7u);
	if (!vals)
		return -ENOMEM;
	for (__u32 i = 0; i < mi.max_entries && !err; i++)
		if (bpf_map_lookup_elem(counters_from, &i, vals) ||
		    bpf_map_update_elem(counters_to, &i, vals, BPF_ANY))
			err = -errno;
	free(vals);
	return err;
}

/* After the load: the counters set aside go into the maps it created. A
 * copy that fails loses those counters, never the load (said). Counts
 * the old program still makes until it is replaced are not carried. */
static void carry_over(struct floodshield_bpf *skel, struct carry *c)
{
	for (size_t i = 0; i < N_ROWS; i++) {
		struct bpf_map *map;
		int err;

		if (c->fd[i] < 0)
			continue;
		map = bpf_object__find_map_by_name(skel->obj, rows[i].name);
		err = map ? counters_copy(c->fd[i], bpf_map__fd(map)) : -ENOENT;
		if (err)
			pr_warn("%s: cannot carry the older build's counters "
				"over: %s\n",
				rows[i].name, strerror(-err));
		else
			pr_info("%s: pinned by an older build with fewer "
				"slots: grown, its counters kept\n",
				rows[i].name);
		close(c->fd[i]);
		c->fd[i] = -1;
	}
}

/* The load failed: the counters set aside are pinned back. */
static void carry_back(struct carry *c)
{
	char path[PATH_MAX];

	for (size_t i = 0; i < N_ROWS; i++) {
		if (c->fd[i] < 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", c->pin_dir, rows[i].name);
		if (access(path, F_OK) && bpf_obj_pin(c->fd[i], path))
			pr_err("%s: cannot pin the older build's counters "
			       "back: %s\n",
			       rows[i].name, strerror(errno));
		close(c->fd[i]);
		c->fd[i] = -1;
	}
}

/* After an upgrade, maps pinned by an older build with another layout,
 * by role: state is unpinned, so that the load creates it anew (the old
 * program, until replaced, keeps its own); counters with fewer slots are
 * set aside into @c (NULL: refused like the rest); fs_cfg is replaced
 * and gets the defaults (with @c; the config file is the settings'
 * source); lists, bans and the port classes are not touched: libbpf
 * then refuses the load, and that is said. */
static void drop_stale_pins(struct floodshield_bpf *skel, const char *pin_dir,
			    struct carry *c)
{
	char path[PATH_MAX];
	struct bpf_map *map;

	bpf_object__for_each_map(map, skel->obj) {
		const char *name = bpf_map__name(map);
		const struct fs_map_row *row = fs_map_row_find(name);
		enum fs_map_role role = row ? row->role : FS_ROLE_LIST;

		if (!bpf_map__pin_path(map))
			continue;
		snprintf(path, sizeof(path), "%s/%s", pin_dir, name);
		if (access(path, F_OK) || pin_matches(path, map))
			continue;
		if (role == FS_ROLE_COUNTERS && c &&
		    set_aside(path, map, &c->fd[row - rows]) == 0)
			continue;
		if (c && !strcmp(name, FS_STR(FS_MAP_CFG)) &&
		    unlink(path) == 0) {
			/* settings are the config file's: a newer layout
			 * (a bucket or a setting added) starts from the
			 * defaults, and the daemon's sync applies the file */
			c->cfg_replaced = true;
			pr_warn("%s: pinned by an older build with another "
				"layout: replaced with the defaults; the "
				"daemon's start applies the config file and "
				"brings back the `set` changes its ledger "
				"holds (without a daemon: set them again)\n",
				name);
			continue;
		}
		if (role != FS_ROLE_STATE && role != FS_ROLE_DAEMON &&
		    role != FS_ROLE_KEY) {
			pr_err("%s: pinned by a build with another layout; "
			       "remove %s to start afresh\n",
			       name, path);
			continue;
		}
		if (unlink(path))
			pr_err_errno("%s: cannot replace the older pinned map",
				     name);
		else
			pr_info("%s: pinned by an older build with another "
				"layout: replaced (its state starts afresh)\n",
				name);
	}
}

/* Whether @btf has every function of @names as a BTF FUNC. */
static bool btf_has_funcs(const struct btf *btf, const char *const *names)
{
	for (; *names; names++)
		if (btf__find_by_name_kind(btf, *names, BTF_KIND_FUNC) < 0)
			return false;
	return true;
}

bool fs_kernel_has_ct(void)
{
	static const char *const kfuncs[] = {
		"bpf_xdp_ct_lookup",
		"bpf_ct_release",
		NULL,
	};
	struct btf *vmlinux = btf__load_vmlinux_btf(), *mod;
	bool found;

	if (!vmlinux)
		return false;
	found = btf_has_funcs(vmlinux, kfuncs);
	if (!found) { /* nf_conntrack built as a module, and loaded */
		mod = btf__parse_split("/sys/kernel/btf/nf_conntrack", vmlinux);
		found = mod && btf_has_funcs(mod, kfuncs);
		btf__free(mod);
	}
	btf__free(vmlinux);
	return found;
}

/* The default settings into a newly created fs_cfg (an older build's,
 * of another layout, was replaced). A failure is said; the program
 * then runs with a zeroed fs_cfg (no limits) until a sync. */
static void cfg_defaults_write(struct floodshield_bpf *skel)
{
	int cfg_fd = bpf_map__fd(skel->maps.FS_MAP_CFG);
	struct fs_cfg cfg;
	__u32 zero = 0;

	fs_cfg_defaults(&cfg);
	if (bpf_map_update_elem(cfg_fd, &zero, &cfg, BPF_ANY))
		pr_err_errno("fs_cfg: cannot write the default settings");
}

static bool hkey_is_zero(const struct fs_hkey *key)
{
	for (int i = 0; i < FS_HKEY_WORDS; i++)
		if (key->k[i])
			return false;
	return true;
}

/* A key of all zeros in the loaded fs_hkey (a map this load created, for
 * a fresh pin folder, an older build's without it, or in place of one of
 * another layout) gets FS_HKEY_WORDS random words from getrandom(); a
 * key a reused pin holds is kept, so that the slots of fs_rate, fs_flows
 * and fs_proven stay where the program looks. Before any program reads
 * the new map. 0 or -errno, logged. */
static int hkey_ensure(struct floodshield_bpf *skel)
{
	int fd = bpf_map__fd(skel->maps.FS_MAP_HKEY);
	struct fs_hkey key;
	__u32 zero = 0;
	ssize_t n;

	if (bpf_map_lookup_elem(fd, &zero, &key)) {
		pr_err_errno("%s: cannot read the key", FS_STR(FS_MAP_HKEY));
		return -errno;
	}
	if (!hkey_is_zero(&key))
		return 0;
	do
		n = getrandom(&key, sizeof(key), 0);
	while (n < 0 && errno == EINTR);
	if (n != (ssize_t)sizeof(key) || hkey_is_zero(&key)) {
		pr_err("%s: getrandom() gave no key: %s\n", FS_STR(FS_MAP_HKEY),
		       n < 0 ? strerror(errno) : "short");
		return n < 0 ? -errno : -EIO;
	}
	if (bpf_map_update_elem(fd, &zero, &key, BPF_ANY)) {
		pr_err_errno("%s: cannot write the key", FS_STR(FS_MAP_HKEY));
		return -errno;
	}
	pr_debug("%s: a new random key\n", FS_STR(FS_MAP_HKEY));
	return 0;
}

int fs_hkey_read(int fd, struct fs_hkey *out)
{
	__u32 zero = 0;

	memset(out, 0, sizeof(*out));
	if (fd < 0)
		return 0;
	return bpf_map_lookup_elem(fd, &zero, out) ? -errno : 0;
}

/* fs_skel_open(), carrying older counters in @c (NULL: not). */
static struct floodshield_bpf *skel_open(const char *pin_dir, bool fake_clock,
					 struct carry *c)
{
	LIBBPF_OPTS(bpf_object_open_opts, oo, .pin_root_path = pin_dir);
	struct floodshield_bpf *skel;
	struct bpf_map *map;

	skel = floodshield_bpf__open_opts(&oo);
	if (!skel) {
		pr_err_errno("cannot open the BPF object");
		return NULL;
	}
	skel->rodata->fs_fake_clock = fake_clock;
	skel->rodata->fs_have_ct = fs_kernel_has_ct();
	if (!skel->rodata->fs_have_ct)
		pr_info("the kernel has no conntrack kfuncs for XDP: "
			"connections DNAT-ed to another netns stay unproven "
			"(event conn_ct_missing)\n");
	if (!pin_dir)
		bpf_object__for_each_map(map, skel->obj)
			bpf_map__set_pin_path(map, NULL);
	else
		drop_stale_pins(skel, pin_dir, c);
	return skel;
}

struct floodshield_bpf *fs_skel_open(const char *pin_dir, bool fake_clock)
{
	return skel_open(pin_dir, fake_clock, NULL);
}

/* After a refused load: say so if the kernel lacks what the program
 * needs at the least (bpf_xdp_load_bytes(), Linux 5.18;
 * docs/threat-model.md lists each feature's kernel), rather than leave the user with the
 * verifier's errno alone. */
static void kernel_too_old(void)
{
	if (libbpf_probe_bpf_helper(BPF_PROG_TYPE_XDP, BPF_FUNC_xdp_load_bytes,
				    NULL) == 0)
		pr_err("this kernel has no bpf_xdp_load_bytes(): floodshield "
		       "needs Linux 5.18 or later (Debian 12's 6.1 is "
		       "tested)\n");
}

/* Open the object against the pins of @pin_dir and load it, upgrading
 * older pins (drop_stale_pins()). On success *out is the loaded
 * skeleton; else -errno, logged. */
static int load_pinned(const char *pin_dir, struct floodshield_bpf **out)
{
	struct floodshield_bpf *skel;
	struct carry c;
	int err;

	carry_init(&c, pin_dir);
	skel = skel_open(pin_dir, false, &c);
	if (!skel) {
		carry_back(&c);
		return -EINVAL;
	}
	err = floodshield_bpf__load(skel);
	if (err) {
		pr_err("cannot load the BPF object: %s\n", strerror(-err));
		kernel_too_old();
		floodshield_bpf__destroy(skel);
		carry_back(&c);
		return err;
	}
	carry_over(skel, &c);
	if (c.cfg_replaced)
		cfg_defaults_write(skel);
	err = hkey_ensure(skel);
	if (err) {
		floodshield_bpf__destroy(skel);
		return err;
	}
	*out = skel;
	return 0;
}

/* Before the program goes live: the prefilter and the host prints
 * follow the lists, bans, DNS verdicts and hosts, whatever wrote them
 * (an older build, a raw bpftool write) or if they were just created. */
static int refresh_derived(struct floodshield_bpf *skel)
{
	struct fs_map_fds m;
	int err;

	fs_maps_from_skel(skel, &m);
	err = fs_filter_rebuild(&m);
	if (err)
		pr_err("cannot build the prefilter: %s\n", strerror(-err));
	if (fs_hostfp_sync(m.hosts, m.hostfp))
		err = err ? err : -EIO;
	return err;
}

static const char *const mode_names[] = {
	[XDP_MODE_UNSPEC] = "auto",
	[XDP_MODE_NATIVE] = "native",
	[XDP_MODE_SKB] = "generic",
	[XDP_MODE_HW] = "hw",
};

const char *fs_mode_name(enum xdp_attach_mode m)
{
	return m <= XDP_MODE_HW ? mode_names[m] : "?";
}

int fs_mode_parse(const char *s, enum xdp_attach_mode *m)
{
	for (int i = XDP_MODE_UNSPEC; i <= XDP_MODE_SKB; i++)
		if (!strcasecmp(s, mode_names[i])) {
			*m = i;
			return 0;
		}
	return -EINVAL;
}

int fs_maps_init_defaults(int cfg_fd, int svc_fd)
{
	enum fs_svc *ports = calloc(FS_PORTS, sizeof(*ports));
	struct fs_cfg cfg;
	__u32 zero = 0;
	int err = 0;

	if (!ports)
		return -ENOMEM;
	fs_cfg_defaults(&cfg);
	fs_ports_defaults(ports);
	if (bpf_map_update_elem(cfg_fd, &zero, &cfg, BPF_ANY))
		err = -errno;
	for (__u32 port = 0; port < FS_PORTS && !err; port++)
		if (ports[port] != FS_SVC_NONE &&
		    bpf_map_update_elem(svc_fd, &port, &ports[port], BPF_ANY))
			err = -errno;
	free(ports);
	return err;
}

static int ensure_bpffs(void)
{
	struct statfs st;

	if (statfs(FS_BPFFS, &st) == 0 && st.f_type == BPF_FS_MAGIC)
		return 0;
	if (mount("bpf", FS_BPFFS, "bpf", 0, "mode=0700")) {
		pr_err_errno("bpffs is not mounted at %s and mounting it "
			     "failed",
			     FS_BPFFS);
		return -errno;
	}
	pr_info("mounted bpffs at %s\n", FS_BPFFS);
	return 0;
}

int fs_pins_ensure(const char *pin_dir)
{
	struct statfs st;
	int err = ensure_bpffs();

	if (err)
		return err;
	if (mkdir(pin_dir, 0700) && errno != EEXIST) {
		pr_err_errno("cannot create %s", pin_dir);
		return -errno;
	}
	if (statfs(pin_dir, &st) || st.f_type != BPF_FS_MAGIC) {
		pr_err("%s is not on a bpf filesystem\n", pin_dir);
		return -EINVAL;
	}
	return 0;
}

int fs_pins_lock(const char *pin_dir)
{
	int fd = open(pin_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0) {
		pr_err_errno("cannot open %s", pin_dir);
		return -errno;
	}
	if (flock(fd, LOCK_EX)) {
		int err = -errno;

		pr_err_code(err, "cannot lock %s", pin_dir);
		close(fd);
		return err;
	}
	return fd;
}

int fs_map_open(const char *pin_dir, const char *name)
{
	char path[PATH_MAX];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", pin_dir, name);
	fd = bpf_obj_get(path);
	if (fd < 0) {
		if (errno == ENOENT)
			pr_err("no pinned map %s: floodshield has not been "
			       "attached with this pin folder (run "
			       "'floodshield attach IFACE' first)\n",
			       path);
		else
			pr_err_errno("cannot open %s", path);
		return -errno;
	}
	return fd;
}

int fs_map_open_locked(const char *pin_dir, const char *name, int *lock)
{
	int fd = fs_map_open(pin_dir, name);

	if (fd < 0)
		return fd;
	*lock = fs_pins_lock(pin_dir);
	if (*lock < 0) {
		close(fd);
		return *lock;
	}
	return fd;
}

int fs_maps_open_all(const char *pin_dir, struct fs_map_fds *m)
{
	char path[PATH_MAX];

	memset(m, -1, sizeof(*m));
	for (size_t i = 0; i < N_ROWS; i++) {
		int *fd = row_fd(m, &rows[i]);

		/* an older build's pin folder may lack these: fs_daemon
		 * only reports, and without fs_hkey its program hashes
		 * unkeyed (fs_hkey_read() of fd -1) */
		snprintf(path, sizeof(path), "%s/%s", pin_dir, rows[i].name);
		if ((rows[i].role == FS_ROLE_DAEMON ||
		     rows[i].role == FS_ROLE_KEY) &&
		    access(path, F_OK) && errno == ENOENT)
			continue;
		*fd = fs_map_open(pin_dir, rows[i].name);
		if (*fd < 0) {
			int err = *fd;

			fs_maps_close_all(m);
			return err;
		}
	}
	return 0;
}

int fs_rate_lookup(int fd, int hkey_fd, const struct fs_key *k,
		   struct fs_bucket_val *out)
{
	struct bpf_map_info mi = {};
	__u32 len = sizeof(mi), i;
	struct fs_rate_slot s;
	struct fs_hkey key;

	if (bpf_obj_get_info_by_fd(fd, &mi, &len) ||
	    fs_hkey_read(hkey_fd, &key))
		return -errno;
	if (mi.value_size != sizeof(s) || mi.max_entries < FS_RATE_WAYS)
		return -EPROTO;
	i = fs_rate_set_index(k, mi.max_entries / FS_RATE_WAYS, &key) *
	    FS_RATE_WAYS;
	for (__u32 w = 0; w < FS_RATE_WAYS; w++, i++) {
		if (bpf_map_lookup_elem(fd, &i, &s))
			return -errno;
		if (!memcmp(&s.key, k, sizeof(*k))) {
			*out = s.b;
			return 0;
		}
	}
	return -ENOENT;
}

int fs_proven_lookup(int fd, int hkey_fd, const __u8 addr[16],
		     struct fs_proven_slot *out)
{
	struct bpf_map_info mi = {};
	__u32 len = sizeof(mi), i, w4[4];
	struct fs_proven_slot s;
	struct fs_hkey key;

	if (bpf_obj_get_info_by_fd(fd, &mi, &len) ||
	    fs_hkey_read(hkey_fd, &key))
		return -errno;
	if (mi.value_size != sizeof(s) || mi.max_entries < FS_PROVEN_WAYS)
		return -EPROTO;
	memcpy(w4, addr, sizeof(w4));
	i = fs_proven_index(w4, mi.max_entries / FS_PROVEN_WAYS, &key) *
	    FS_PROVEN_WAYS;
	for (__u32 w = 0; w < FS_PROVEN_WAYS; w++, i++) {
		if (bpf_map_lookup_elem(fd, &i, &s))
			return -errno;
		if (!memcmp(s.addr, addr, sizeof(s.addr))) {
			*out = s;
			return 0;
		}
	}
	return -ENOENT;
}

int fs_flow_lookup(int fd, int hkey_fd, const struct fs_flow_key *k,
		   struct fs_flow_val *out)
{
	struct bpf_map_info mi = {};
	__u32 len = sizeof(mi), i;
	struct fs_flow_slot s;
	struct fs_hkey key;

	if (bpf_obj_get_info_by_fd(fd, &mi, &len) ||
	    fs_hkey_read(hkey_fd, &key))
		return -errno;
	if (mi.value_size != sizeof(s) || mi.max_entries < FS_FLOW_WAYS)
		return -EPROTO;
	i = fs_flow_index(k, mi.max_entries / FS_FLOW_WAYS, &key) *
	    FS_FLOW_WAYS;
	for (__u32 w = 0; w < FS_FLOW_WAYS; w++, i++) {
		if (bpf_map_lookup_elem(fd, &i, &s))
			return -errno;
		if (!memcmp(&s.key, k, sizeof(*k))) {
			*out = s.v;
			return 0;
		}
	}
	return -ENOENT;
}

void fs_maps_close_all(struct fs_map_fds *m)
{
	int *fds = (int *)m;

	for (size_t i = 0; i < sizeof(*m) / sizeof(int); i++) {
		if (fds[i] >= 0)
			close(fds[i]);
		fds[i] = -1;
	}
}

/* Our program among those attached to @ifindex (NULL if none). */
static struct xdp_program *find_ours(struct xdp_multiprog *mp)
{
	struct xdp_program *p;

	if (xdp_multiprog__is_legacy(mp)) {
		p = xdp_multiprog__main_prog(mp);
		return p && !strcmp(xdp_program__name(p), FS_PROG_NAME) ? p
									: NULL;
	}
	for (p = xdp_multiprog__next_prog(NULL, mp); p;
	     p = xdp_multiprog__next_prog(p, mp))
		if (!strcmp(xdp_program__name(p), FS_PROG_NAME))
			return p;
	return NULL;
}

int fs_attach_query(int ifindex, struct fs_attach_info *info)
{
	struct xdp_multiprog *mp = xdp_multiprog__get_from_ifindex(ifindex);
	struct xdp_program *p;
	long err = libxdp_get_error(mp);

	memset(info, 0, sizeof(*info));
	if (err == -ENOENT || !mp)
		return 0;
	if (err)
		return err;
	p = find_ours(mp);
	if (p) {
		info->attached = true;
		info->dispatcher = !xdp_multiprog__is_legacy(mp);
		info->mode = xdp_multiprog__attach_mode(mp);
		info->prog_id = xdp_program__id(p);
	}
	xdp_multiprog__close(mp);
	return 0;
}

/* After the first load against an empty pin folder, write defaults. */
static int init_if_fresh(struct floodshield_bpf *skel, bool fresh)
{
	int err;

	if (!fresh)
		return 0;
	err = fs_maps_init_defaults(bpf_map__fd(skel->maps.FS_MAP_CFG),
				    bpf_map__fd(skel->maps.FS_MAP_SVC));
	if (err)
		pr_err("cannot write default settings: %s\n", strerror(-err));
	return err;
}

static bool maps_pinned(const char *pin_dir)
{
	char probe[PATH_MAX];

	snprintf(probe, sizeof(probe), "%s/%s", pin_dir, FS_STR(FS_MAP_CFG));
	return access(probe, F_OK) == 0;
}

int fs_maps_create(const char *pin_dir, bool *fresh)
{
	struct floodshield_bpf *skel;
	int err;

	/* loaded even over existing pins: maps a newer build added are
	 * created, older ones upgraded, the derived ones rebuilt, before
	 * any program uses them */
	*fresh = !maps_pinned(pin_dir);
	err = load_pinned(pin_dir, &skel);
	if (err)
		return err;
	err = init_if_fresh(skel, *fresh);
	if (!err)
		err = refresh_derived(skel);
	floodshield_bpf__destroy(skel);
	return err;
}

static __u32 xdp_mode_flag(enum xdp_attach_mode mode)
{
	switch (mode) {
	case XDP_MODE_NATIVE:
		return XDP_FLAGS_DRV_MODE;
	case XDP_MODE_SKB:
		return XDP_FLAGS_SKB_MODE;
	case XDP_MODE_HW:
		return XDP_FLAGS_HW_MODE;
	default:
		return 0;
	}
}

/* Swap the program attached alone to @ifindex (id @old_id) for a newly
 * loaded one, in one netlink call. */
static int replace_alone(const char *pin_dir, int ifindex, __u32 old_id,
			 enum xdp_attach_mode cur_mode)
{
	struct floodshield_bpf *skel;
	int old_fd, err = load_pinned(pin_dir, &skel);

	if (err)
		return err;
	err = refresh_derived(skel);
	if (err)
		goto out;
	old_fd = bpf_prog_get_fd_by_id(old_id);
	if (old_fd < 0) {
		err = -errno;
		goto out;
	}
	LIBBPF_OPTS(bpf_xdp_attach_opts, xo, .old_prog_fd = old_fd);
	err = bpf_xdp_attach(ifindex, bpf_program__fd(skel->progs.floodshield),
			     XDP_FLAGS_REPLACE | xdp_mode_flag(cur_mode), &xo);
	if (err)
		pr_err("replace failed: %s\n", strerror(-err));
	close(old_fd);
out:
	floodshield_bpf__destroy(skel);
	return err;
}

/* Attach @prog to @ifindex in @mode. Auto (XDP_MODE_UNSPEC) asks for
 * native first and, when the driver refuses it (no native XDP at all, an
 * MTU above what it takes in XDP, a bond mode without it, ...), for
 * generic (SKB) mode, with a warning naming the interface and the
 * refusal: libxdp's own auto would let the kernel choose driver mode
 * whenever the driver has an XDP hook, and fail there. A refusal for
 * want of privilege is returned as it is: generic needs the same. */
static int attach_mode(struct xdp_program *prog, int ifindex,
		       enum xdp_attach_mode mode)
{
	char name[IF_NAMESIZE] = "?";
	int err;

	if (mode != XDP_MODE_UNSPEC)
		return xdp_program__attach(prog, ifindex, mode, 0);
	fs_log_kernel_msg_clear();
	err = xdp_program__attach(prog, ifindex, XDP_MODE_NATIVE, 0);
	if (!err || err == -EPERM || err == -EACCES)
		return err;
	if_indextoname(ifindex, name);
	pr_warn("%s: native XDP refused (%s%s%s); mode auto falls back to "
		"generic (SKB) mode, which costs more per packet\n",
		name, strerror(-err), *fs_log_kernel_msg() ? ": " : "",
		fs_log_kernel_msg());
	return xdp_program__attach(prog, ifindex, XDP_MODE_SKB, 0);
}

/* Load and attach through libxdp, whatever is attached already. */
static int attach_new(const char *pin_dir, int ifindex,
		      enum xdp_attach_mode mode)
{
	struct floodshield_bpf *skel;
	struct xdp_program *prog;
	bool fresh;
	int err;

	/* maps and their defaults first: a failed attach leaves them ready */
	err = fs_maps_create(pin_dir, &fresh);
	if (err)
		return err;
	skel = fs_skel_open(pin_dir, false);
	if (!skel)
		return -EINVAL;
	DECLARE_LIBXDP_OPTS(xdp_program_opts, xo, .obj = skel->obj,
			    .prog_name = FS_PROG_NAME);
	prog = xdp_program__create(&xo);
	err = libxdp_get_error(prog);
	if (err) {
		pr_err("cannot prepare the XDP program: %s\n", strerror(-err));
		goto out;
	}
	err = attach_mode(prog, ifindex, mode);
	if (err) {
		pr_err("attach failed: %s (run with -v for libbpf's log)\n",
		       strerror(-err));
		goto out_prog;
	}
out_prog:
	xdp_program__close(prog);
out:
	floodshield_bpf__destroy(skel);
	return err;
}

/* An older build kept the served-host bits in fs_cfg.http_flags (now
 * fs_hostfp.flags, FS_HTTP_RETIRED): clear them in the fs_cfg pinned in
 * @pin_dir once this build's program is live on an interface, so that
 * the settings hold the user's settings only. Not before: until it is
 * replaced, an older program reads them (another interface's older
 * program, if any, then stops checking hosts until it is replaced too).
 * This build's program ignores them, so a failure here is only said. */
static void cfg_retire_host_bits(const char *pin_dir)
{
	int fd = fs_map_open(pin_dir, FS_STR(FS_MAP_CFG));
	struct fs_cfg cfg;
	__u32 zero = 0;

	if (fd < 0)
		return;
	if (bpf_map_lookup_elem(fd, &zero, &cfg) == 0 &&
	    (cfg.http_flags & FS_HTTP_RETIRED)) {
		cfg.http_flags &= ~FS_HTTP_RETIRED;
		if (bpf_map_update_elem(fd, &zero, &cfg, BPF_ANY))
			pr_warn_errno("%s: cannot clear the served-host bits "
				      "of an older build",
				      FS_STR(FS_MAP_CFG));
	}
	close(fd);
}

/* Once a program is live: the shielded interfaces' addresses are own
 * (own.h). The attach stands if this fails: it is said, and a Host
 * naming one of those addresses is then judged an unserved Host. */
static void own_refresh(const char *pin_dir)
{
	int n = fs_own_refresh(pin_dir);

	if (n >= 0)
		pr_debug("http.own: %d addresses of the shielded interfaces\n",
			 n);
}

int fs_attach(const char *pin_dir, int ifindex, enum xdp_attach_mode mode,
	      struct fs_attach_info *info)
{
	int err = fs_attach_query(ifindex, info);

	if (err)
		return err;
	if (info->attached)
		return -EEXIST;
	err = attach_new(pin_dir, ifindex, mode);
	if (err)
		return err;
	cfg_retire_host_bits(pin_dir);
	own_refresh(pin_dir);
	return fs_attach_query(ifindex, info);
}

/* Detach the floodshield program with id @id (any, if 0) from @ifindex. */
static int detach_id(int ifindex, __u32 id)
{
	struct xdp_multiprog *mp = xdp_multiprog__get_from_ifindex(ifindex);
	struct xdp_program *p = NULL;
	long err = libxdp_get_error(mp);

	if (err == -ENOENT || !mp)
		return -ENOENT;
	if (err)
		return err;
	if (xdp_multiprog__is_legacy(mp)) {
		p = find_ours(mp);
	} else {
		for (p = xdp_multiprog__next_prog(NULL, mp); p;
		     p = xdp_multiprog__next_prog(p, mp))
			if (!strcmp(xdp_program__name(p), FS_PROG_NAME) &&
			    (!id || xdp_program__id(p) == id))
				break;
	}
	if (!p)
		err = -ENOENT;
	else if (xdp_multiprog__is_legacy(mp))
		err = xdp_multiprog__detach(mp);
	else
		err = xdp_program__detach(p, ifindex,
					  xdp_multiprog__attach_mode(mp), 0);
	xdp_multiprog__close(mp);
	return err;
}

int fs_detach(int ifindex)
{
	return detach_id(ifindex, 0);
}

int fs_replace(const char *pin_dir, int ifindex, enum xdp_attach_mode mode,
	       struct fs_attach_info *info)
{
	struct fs_attach_info old;
	int err = fs_attach_query(ifindex, &old);

	if (err)
		return err;
	if (!old.attached)
		return fs_attach(pin_dir, ifindex, mode, info);
	if (!old.dispatcher) {
		err = replace_alone(pin_dir, ifindex, old.prog_id, old.mode);
	} else {
		err = attach_new(pin_dir, ifindex, old.mode);
		if (!err)
			err = detach_id(ifindex, old.prog_id);
	}
	if (err)
		return err;
	cfg_retire_host_bits(pin_dir);
	own_refresh(pin_dir);
	return fs_attach_query(ifindex, info);
}
