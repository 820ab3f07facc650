// SPDX-License-Identifier: GPL-2.0
/* The server's own addresses; see own.h. */
#include <errno.h>
#include <ifaddrs.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <bpf/bpf.h>
#include "own.h"
#include "lists.h"
#include "loader.h"
#include "log.h"

static const __u8 v4_mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

void fs_addr_set_free(struct fs_addr_set *s)
{
	free(s->a);
	memset(s, 0, sizeof(*s));
}

bool fs_addr_set_has(const struct fs_addr_set *s, const struct fs_addr_key *k)
{
	for (size_t i = 0; i < s->n; i++)
		if (!memcmp(&s->a[i], k, sizeof(*k)))
			return true;
	return false;
}

int fs_addr_set_add(struct fs_addr_set *s, const struct fs_addr_key *k)
{
	if (fs_addr_set_has(s, k))
		return 1;
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 16;
		struct fs_addr_key *a = realloc(s->a, cap * sizeof(*a));

		if (!a)
			return -ENOMEM;
		s->a = a;
		s->cap = cap;
	}
	s->a[s->n++] = *k;
	return 0;
}

int fs_own_attached(struct fs_ifnames *out)
{
	struct if_nameindex *ifs = if_nameindex(), *i;
	int err = 0;

	out->n = 0;
	if (!ifs)
		return -errno;
	for (i = ifs; i->if_index && out->n < FS_OWN_MAX; i++) {
		struct fs_attach_info info;

		err = fs_attach_query(i->if_index, &info);
		if (err)
			break;
		if (info.attached)
			snprintf(out->name[out->n++], IF_NAMESIZE, "%s",
				 i->if_name);
	}
	if_freenameindex(ifs);
	return err;
}

static bool named(const struct fs_ifnames *names, const char *name)
{
	for (unsigned i = 0; i < names->n; i++)
		if (!strcmp(names->name[i], name))
			return true;
	return false;
}

/* The 16-byte form of @sa (AF_INET or AF_INET6); false for others. */
static bool addr_key(const struct sockaddr *sa, struct fs_addr_key *k)
{
	memset(k, 0, sizeof(*k));
	if (sa->sa_family == AF_INET) {
		memcpy(k->addr, v4_mapped, sizeof(v4_mapped));
		memcpy(k->addr + 12,
		       &((const struct sockaddr_in *)sa)->sin_addr, 4);
		return true;
	}
	if (sa->sa_family == AF_INET6) {
		memcpy(k->addr, &((const struct sockaddr_in6 *)sa)->sin6_addr,
		       16);
		return true;
	}
	return false;
}

int fs_own_iface_addrs(struct fs_addr_set *s, const struct fs_ifnames *names)
{
	struct ifaddrs *ifa, *i;
	struct fs_addr_key k;
	int err = 0;

	if (!names->n)
		return 0;
	if (getifaddrs(&ifa))
		return -errno;
	for (i = ifa; i && !err; i = i->ifa_next)
		if (i->ifa_addr && named(names, i->ifa_name) &&
		    addr_key(i->ifa_addr, &k))
			err = fs_addr_set_add(s, &k) < 0 ? -ENOMEM : 0;
	freeifaddrs(ifa);
	return err;
}

int fs_own_read(int fd, struct fs_addr_set *s)
{
	struct fs_addr_key k, prev;
	void *p = NULL;
	int err;

	while (bpf_map_get_next_key(fd, p, &k) == 0) {
		prev = k;
		p = &prev;
		err = fs_addr_set_add(s, &k);
		if (err < 0)
			return err;
	}
	return errno == ENOENT ? 0 : -errno;
}

int fs_own_add_iface_addrs(const struct fs_map_fds *m,
			   const struct fs_ifnames *names)
{
	struct fs_addr_set addrs = {};
	int err, added = 0;

	err = fs_own_iface_addrs(&addrs, names);
	if (err) {
		pr_err("http.own: cannot read the shielded interfaces' "
		       "addresses: %s\n",
		       strerror(-err));
		return err;
	}
	for (size_t i = 0; i < addrs.n && !err; i++) {
		err = fs_own_put(m, &addrs.a[i]);
		added += !err;
	}
	if (err)
		pr_err("http.own: cannot add an address to %s: %s\n",
		       FS_STR(FS_MAP_OWN), strerror(-err));
	fs_addr_set_free(&addrs);
	return err ? err : added;
}

int fs_own_refresh(const char *pin_dir)
{
	struct fs_ifnames *names = calloc(1, sizeof(*names));
	struct fs_map_fds m;
	int err;

	if (!names)
		return -ENOMEM;
	err = fs_own_attached(names);
	if (err) {
		pr_err("http.own: cannot read the shielded interfaces' "
		       "addresses: %s\n",
		       strerror(-err));
		goto out;
	}
	err = fs_maps_open_all(pin_dir, &m);
	if (err)
		goto out;
	err = fs_own_add_iface_addrs(&m, names);
	fs_maps_close_all(&m);
out:
	free(names);
	return err;
}
