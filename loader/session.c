// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdbool.h>
#include <sys/mman.h>
#include <bpf/bpf.h>
#include "loader.h"
#include "log.h"
#include "postfix.h"
#include "session.h"

void fs_smtp_capacity_fill(struct fs_cfg *rt)
{
	static int last_err = 1; /* say each change once */
	unsigned cap = 0;
	char err[256] = "";
	int e;

	rt->smtp_capacity_auto = 0;
	if (rt->smtp_capacity)
		return;
	e = fs_postfix_capacity(NULL, NULL, &cap, err, sizeof(err));
	if (e != last_err) {
		if (e)
			pr_info("smtp.capacity 0 and no Postfix capacity (%s): "
				"SMTP admission has no limit\n",
				err);
		else
			pr_info("smtp.capacity from Postfix: %u sessions\n",
				cap);
		last_err = e;
	}
	rt->smtp_capacity_auto = e ? 0 : cap;
}

/* Add @swept[pool] to each pool's `swept`, in place (the map is
 * mmapable): the program's concurrent adds to opened and closed stay. */
static int add_swept(int fd, const __u64 swept[FS_POOL_MAX])
{
	size_t len = FS_POOL_MAX * sizeof(struct fs_smtp_pool);
	struct fs_smtp_pool *p;

	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		return -errno;
	for (int i = 0; i < FS_POOL_MAX; i++)
		__atomic_fetch_add(&p[i].swept, swept[i], __ATOMIC_RELAXED);
	munmap(p, len);
	return 0;
}

int fs_smtp_sweep(const struct fs_map_fds *m, __u64 now_ns, __u64 idle_ns)
{
	struct fs_flow_key k, next;
	__u64 swept[FS_POOL_MAX] = {};
	struct fs_smtp_flow f;
	bool more;
	int n = 0, err;

	if (m->smtp_flows < 0 || m->smtp_pools < 0)
		return -EBADF;
	/* the next key is taken before the current one may be deleted */
	more = bpf_map_get_next_key(m->smtp_flows, NULL, &next) == 0;
	while (more) {
		k = next;
		more = bpf_map_get_next_key(m->smtp_flows, &k, &next) == 0;
		if (bpf_map_lookup_elem(m->smtp_flows, &k, &f) ||
		    f.pool >= FS_POOL_MAX || now_ns < f.last_ns ||
		    now_ns - f.last_ns < idle_ns)
			continue;
		if (bpf_map_delete_elem(m->smtp_flows, &k) == 0) {
			swept[f.pool]++;
			n++;
		}
	}
	if (!n)
		return 0;
	err = add_swept(m->smtp_pools, swept);
	return err ? err : n;
}
