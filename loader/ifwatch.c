// SPDX-License-Identifier: GPL-2.0
/* Configured interfaces followed through netlink link and address events: see
 * ifwatch.h for the contract. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include "ifwatch.h"
#include "log.h"

int fs_ifwatch_open(struct fs_ifwatch *w, const struct fs_conf_iface *ifs,
		    int n, const char *origin, fs_ifwatch_attach_fn attach,
		    void *arg)
{
	struct sockaddr_nl sa = {.nl_family = AF_NETLINK,
				 .nl_groups = RTMGRP_LINK | RTMGRP_IPV4_IFADDR |
					      RTMGRP_IPV6_IFADDR};
	int err;

	memset(w, 0, sizeof(*w));
	w->origin = origin;
	w->attach = attach;
	w->arg = arg;
	for (int i = 0; i < n && i < FS_CONF_IFACES_MAX; i++) {
		snprintf(w->e[i].name, sizeof(w->e[i].name), "%s", ifs[i].name);
		w->e[i].mode = ifs[i].mode;
	}
	w->n = n < FS_CONF_IFACES_MAX ? n : FS_CONF_IFACES_MAX;
	w->fd = socket(AF_NETLINK, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC,
		       NETLINK_ROUTE);
	if (w->fd < 0 || bind(w->fd, (struct sockaddr *)&sa, sizeof(sa))) {
		err = -errno;
		pr_err_code(err, "cannot follow interface changes (netlink)");
		if (w->fd >= 0)
			close(w->fd);
		w->fd = -1;
		return err;
	}
	return 0;
}

/* The entry of @w named @name in mode @mode, or NULL. */
static struct fs_ifwatch_iface *
find_entry(struct fs_ifwatch *w, const char *name, enum xdp_attach_mode mode)
{
	for (unsigned i = 0; i < w->n; i++)
		if (!strcmp(w->e[i].name, name) && w->e[i].mode == mode)
			return &w->e[i];
	return NULL;
}

unsigned fs_ifwatch_update(struct fs_ifwatch *w,
			   const struct fs_conf_iface *ifs, int n,
			   struct fs_ifwatch_iface *gone)
{
	struct fs_ifwatch_iface next[FS_CONF_IFACES_MAX] = {};
	bool kept[FS_CONF_IFACES_MAX] = {};
	unsigned nn = n < FS_CONF_IFACES_MAX ? (unsigned)n : FS_CONF_IFACES_MAX;
	unsigned ng = 0;

	for (unsigned i = 0; i < nn; i++) {
		struct fs_ifwatch_iface *old =
			find_entry(w, ifs[i].name, ifs[i].mode);

		if (old) {
			next[i] = *old;
			kept[old - w->e] = true;
			continue;
		}
		snprintf(next[i].name, sizeof(next[i].name), "%s", ifs[i].name);
		next[i].mode = ifs[i].mode;
	}
	for (unsigned i = 0; i < w->n; i++)
		if (!kept[i])
			gone[ng++] = w->e[i];
	memcpy(w->e, next, sizeof(next));
	w->n = nn;
	return ng;
}

void fs_ifwatch_close(struct fs_ifwatch *w)
{
	if (w->fd >= 0)
		close(w->fd);
	w->fd = -1;
}

/* @e is at @idx now (0: no such interface). Log what changed. */
static void note_index(struct fs_ifwatch *w, struct fs_ifwatch_iface *e,
		       int idx)
{
	if (!idx) {
		if (e->ifindex)
			pr_warn("interface '%s' (index %d) is gone; "
				"floodshield attaches again when it "
				"reappears\n",
				e->name, e->ifindex);
		else if (!e->missing_said)
			pr_warn("interface '%s' (from %s) does not exist; "
				"floodshield runs on and attaches when it "
				"appears\n",
				e->name, w->origin);
		e->ifindex = 0;
		e->missing_said = true;
		return;
	}
	if (e->missing_said)
		pr_info("interface '%s' appeared (index %d)\n", e->name, idx);
	e->missing_said = false;
}

/* Attach @e at @idx, counting and logging failures (see ifwatch.h). */
static void try_attach(struct fs_ifwatch *w, struct fs_ifwatch_iface *e,
		       int idx)
{
	int err;

	if (e->failed_idx != idx) {
		e->failed_idx = idx;
		e->failures = 0;
	}
	if (e->failures >= FS_IFWATCH_TRIES)
		return;
	err = w->attach(w->arg, e->name, idx, e->mode);
	if (!err) {
		e->ifindex = idx;
		e->failures = 0;
		return;
	}
	if (++e->failures == 1)
		pr_err("cannot attach to %s (index %d): %s; tried again when a "
		       "link changes (%d times at most)\n",
		       e->name, idx, strerror(-err), FS_IFWATCH_TRIES - 1);
	if (e->failures == FS_IFWATCH_TRIES)
		pr_err("%s (index %d) stays without floodshield until it is "
		       "created anew or the daemon restarts: %s\n",
		       e->name, idx, strerror(-err));
}

unsigned fs_ifwatch_check(struct fs_ifwatch *w)
{
	unsigned attached = 0;

	for (unsigned i = 0; i < w->n; i++) {
		struct fs_ifwatch_iface *e = &w->e[i];
		int idx = (int)if_nametoindex(e->name);

		note_index(w, e, idx);
		if (idx && idx != e->ifindex)
			try_attach(w, e, idx);
		attached += e->ifindex != 0;
	}
	return attached;
}

unsigned fs_ifwatch_events(const void *buf, size_t len)
{
	const struct nlmsghdr *h = buf;
	size_t left = len;
	unsigned ev = 0;

	for (; NLMSG_OK(h, left); h = NLMSG_NEXT(h, left)) {
		if (h->nlmsg_type == RTM_NEWLINK ||
		    h->nlmsg_type == RTM_DELLINK)
			ev |= FS_IFW_LINK;
		if (h->nlmsg_type == RTM_NEWADDR ||
		    h->nlmsg_type == RTM_DELADDR)
			ev |= FS_IFW_ADDR;
	}
	return ev;
}

void fs_ifwatch_process(struct fs_ifwatch *w)
{
	/* netlink's own advice: 8 KB, or a page if larger */
	char buf[8192] __attribute__((aligned(NLMSG_ALIGNTO)));
	unsigned ev = 0;
	ssize_t n;

	if (w->fd < 0)
		return;
	for (;;) {
		n = recv(w->fd, buf, sizeof(buf), MSG_DONTWAIT);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == ENOBUFS) {
			ev = ~0u; /* events lost: look at everything */
			continue;
		}
		if (n <= 0)
			break;
		ev |= fs_ifwatch_events(buf, (size_t)n);
	}
	if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK)
		pr_warn_errno("netlink: reading interface changes");
	if (ev & FS_IFW_LINK)
		fs_ifwatch_check(w);
	if ((ev & FS_IFW_ADDR) && w->on_addrs)
		w->on_addrs(w->arg);
}
