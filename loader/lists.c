// SPDX-License-Identifier: GPL-2.0
/* The one writer of the lists, bans, DNS verdicts, served hosts and own
 * addresses; see lists.h. */
#include <errno.h>
#include <bpf/bpf.h>
#include "lists.h"
#include "filter.h"
#include "hostfp.h"

/* The map behind @set in @m, or -EINVAL. */
static int set_fd(const struct fs_map_fds *m, enum fs_filter_set set)
{
	switch (set) {
	case FS_FILTER_ALLOW:
		return m->allow;
	case FS_FILTER_BLOCK:
		return m->block;
	case FS_FILTER_BAN:
		return m->bans;
	case FS_FILTER_DNS:
		return m->dns;
	default:
		return -EINVAL;
	}
}

int fs_list_put(const struct fs_map_fds *m, enum fs_filter_set set,
		const void *key, const void *val, __u64 flags)
{
	int fd = set_fd(m, set);

	if (fd < 0)
		return fd;
	if (bpf_map_update_elem(fd, key, val, flags))
		return -errno;
	return fs_filter_mark_key(m->filter, set, key);
}

int fs_list_del(const struct fs_map_fds *m, enum fs_filter_set set,
		const void *key)
{
	int fd = set_fd(m, set);

	if (fd < 0)
		return fd;
	return bpf_map_delete_elem(fd, key) ? -errno : 0;
}

int fs_host_put(const struct fs_map_fds *m, const struct fs_host_key *key,
		const struct fs_host_val *val)
{
	__u32 add = FS_HOSTS_CHECK |
		    (val->name[0] == '*' ? FS_HOSTS_WILDCARDS : 0);
	int err = fs_hostfp_begin(m->hostfp, add);

	if (err)
		return err;
	return bpf_map_update_elem(m->hosts, key, val, BPF_ANY) ? -errno : 0;
}

int fs_host_del(const struct fs_map_fds *m, const struct fs_host_key *key)
{
	int err = fs_hostfp_begin(m->hostfp, 0);

	if (err)
		return err;
	return bpf_map_delete_elem(m->hosts, key) ? -errno : 0;
}

int fs_hosts_done(const struct fs_map_fds *m)
{
	return fs_hostfp_sync(m->hosts, m->hostfp);
}

int fs_own_put(const struct fs_map_fds *m, const struct fs_addr_key *k)
{
	__u32 one = 1;

	return bpf_map_update_elem(m->own, k, &one, BPF_ANY) ? -errno : 0;
}

int fs_own_del(const struct fs_map_fds *m, const struct fs_addr_key *k)
{
	return bpf_map_delete_elem(m->own, k) ? -errno : 0;
}
