// SPDX-License-Identifier: GPL-2.0
/* The served-host bits and the print table (struct fs_hostfp) that
 * follow the hosts map; see hostfp.h. */
#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <bpf/bpf.h>
#include "hostfp.h"
#include "hosts.h"
#include "log.h"

__u32 fs_host_flags(int hfd)
{
	struct fs_host_key k, prev;
	struct fs_host_val v;
	__u32 flags = 0;
	void *p = NULL;

	while (bpf_map_get_next_key(hfd, p, &k) == 0) {
		prev = k;
		p = &prev;
		flags |= FS_HOSTS_CHECK;
		if (bpf_map_lookup_elem(hfd, &k, &v) == 0 && v.name[0] == '*')
			flags |= FS_HOSTS_WILDCARDS;
	}
	return flags;
}

/* The table @fpfd mapped, or NULL with *err set (-ESTALE for a map of
 * another layout: an older build's, before the next load replaces it). */
static struct fs_hostfp *table_map(int fpfd, int *err)
{
	struct bpf_map_info mi = {};
	__u32 len = sizeof(mi);
	void *t;

	if (bpf_obj_get_info_by_fd(fpfd, &mi, &len)) {
		*err = -errno;
		return NULL;
	}
	if (mi.value_size != sizeof(struct fs_hostfp)) {
		pr_err("%s: pinned by a build with another layout; run "
		       "`floodshield attach` (or the daemon) to upgrade it\n",
		       FS_STR(FS_MAP_HOSTFP));
		*err = -ESTALE;
		return NULL;
	}
	t = mmap(NULL, sizeof(struct fs_hostfp), PROT_READ | PROT_WRITE,
		 MAP_SHARED, fpfd, 0);
	if (t == MAP_FAILED) {
		*err = -errno;
		pr_err_code(*err, "%s: cannot map", FS_STR(FS_MAP_HOSTFP));
		return NULL;
	}
	return t;
}

static void table_unmap(struct fs_hostfp *t)
{
	munmap(t, sizeof(*t));
}

/* Put print @fp in table @tab. False when its probe window is full. */
static bool print_put(__u64 *tab, __u64 fp)
{
	for (__u32 k = 0; k < FS_HOSTFP_PROBE; k++) {
		__u64 *slot = &tab[(fp + k) & (FS_HOSTFP_SLOTS - 1)];

		if (*slot == fp)
			return true;
		if (!*slot) {
			*slot = fp;
			return true;
		}
	}
	return false;
}

/* Fill the idle half of @t from the hosts map @hfd, then make it the
 * live one. Nothing flipped when a name finds no slot (-ENOSPC). */
static int prints_build(int hfd, struct fs_hostfp *t)
{
	struct fs_host_key k, prev;
	void *p = NULL;
	__u64 idle, *tab, fp;
	int err = 0;

	idle = !__atomic_load_n(&t->active, __ATOMIC_ACQUIRE);
	tab = t->fp[idle];
	__atomic_fetch_add(&t->gen, 1, __ATOMIC_SEQ_CST);
	memset(tab, 0, sizeof(t->fp[idle]));
	while (!err && bpf_map_get_next_key(hfd, p, &k) == 0) {
		prev = k;
		p = &prev;
		fp = fs_host_key_print(&k);
		if (fp && !print_put(tab, fp))
			err = -ENOSPC;
	}
	if (!err)
		__atomic_store_n(&t->active, idle, __ATOMIC_RELEASE);
	__atomic_fetch_add(&t->gen, 1, __ATOMIC_SEQ_CST);
	return err;
}

int fs_hostfp_begin(int fpfd, __u32 add)
{
	struct fs_hostfp *t;
	int err = 0;

	t = table_map(fpfd, &err);
	if (!t)
		return err;
	/* PRINTS off before CHECK on: a packet never sees the check on with
	 * a print table that lacks the name to come */
	__atomic_fetch_and(&t->flags, ~FS_HOSTS_PRINTS, __ATOMIC_SEQ_CST);
	__atomic_fetch_or(&t->flags,
			  add & (FS_HOSTS_CHECK | FS_HOSTS_WILDCARDS),
			  __ATOMIC_SEQ_CST);
	table_unmap(t);
	return 0;
}

int fs_hostfp_sync(int hfd, int fpfd)
{
	struct fs_hostfp *t;
	__u32 flags;
	int err = 0;

	t = table_map(fpfd, &err);
	if (!t)
		return err;
	flags = fs_host_flags(hfd);
	if (prints_build(hfd, t) == 0)
		flags |= FS_HOSTS_PRINTS;
	else
		pr_warn("hosts: the print table is not usable; names are "
			"looked up in fs_hosts\n");
	__atomic_store_n(&t->flags, flags, __ATOMIC_SEQ_CST);
	table_unmap(t);
	return 0;
}

int fs_hostfp_flags(int fpfd, __u32 *flags)
{
	struct fs_hostfp *t;
	int err = 0;

	t = table_map(fpfd, &err);
	if (!t)
		return err;
	*flags = __atomic_load_n(&t->flags, __ATOMIC_SEQ_CST);
	table_unmap(t);
	return 0;
}
