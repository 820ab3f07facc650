// SPDX-License-Identifier: GPL-2.0
/* The served-host bits and the print table (struct fs_hostfp) that
 * follow the hosts map. */
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
		flags |= FS_HTTP_CHECK_HOSTS;
		if (bpf_map_lookup_elem(hfd, &k, &v) == 0 && v.name[0] == '*')
			flags |= FS_HTTP_WILDCARDS;
	}
	return flags;
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

/* Fill the idle half of the print table @fpfd from the hosts map @hfd,
 * then make it the live one. Nothing flipped when the table cannot be
 * mapped (-errno) or a name finds no slot (-ENOSPC). */
static int prints_build(int hfd, int fpfd)
{
	struct fs_hostfp *t = mmap(NULL, sizeof(*t), PROT_READ | PROT_WRITE,
				   MAP_SHARED, fpfd, 0);
	struct fs_host_key k, prev;
	void *p = NULL;
	__u64 idle, *tab, fp;
	int err = 0;

	if (t == MAP_FAILED)
		return -errno;
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
	munmap(t, sizeof(*t));
	return err;
}

int fs_host_flags_put(int hfd, int cfd, int fpfd, struct fs_cfg cfg)
{
	__u32 zero = 0;

	cfg.http_flags &= ~(FS_HTTP_CHECK_HOSTS | FS_HTTP_WILDCARDS | FS_HTTP_HOSTFP);
	cfg.http_flags |= fs_host_flags(hfd);
	if (prints_build(hfd, fpfd) == 0)
		cfg.http_flags |= FS_HTTP_HOSTFP;
	else
		pr_warn("hosts: the print table is not usable; names are looked up in fs_hosts\n");
	if (bpf_map_update_elem(cfd, &zero, &cfg, BPF_ANY)) {
		pr_err_errno("cannot write the settings");
		return -errno;
	}
	return 0;
}

int fs_host_flags_sync(int hfd, int cfd, int fpfd)
{
	struct fs_cfg cfg;
	__u32 zero = 0;

	if (bpf_map_lookup_elem(cfd, &zero, &cfg)) {
		pr_err_errno("cannot read the settings");
		return -errno;
	}
	return fs_host_flags_put(hfd, cfd, fpfd, cfg);
}

int fs_hosts_begin(int cfd)
{
	struct fs_cfg cfg;
	__u32 zero = 0;

	if (bpf_map_lookup_elem(cfd, &zero, &cfg)) {
		pr_err_errno("cannot read the settings");
		return -errno;
	}
	if (!(cfg.http_flags & FS_HTTP_HOSTFP))
		return 0;
	cfg.http_flags &= ~FS_HTTP_HOSTFP;
	if (bpf_map_update_elem(cfd, &zero, &cfg, BPF_ANY)) {
		pr_err_errno("cannot write the settings");
		return -errno;
	}
	return 0;
}
