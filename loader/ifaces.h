/* SPDX-License-Identifier: GPL-2.0 */
/* Which interfaces floodshield is attached to, as the exporter reports it. */
#ifndef FS_IFACES_H
#define FS_IFACES_H

#include <stdbool.h>
#include <net/if.h>
#include <linux/types.h>
#include "metrics.h"

/* Attach state without capabilities.
 *
 * bpf_xdp_query() (netlink RTM_GETLINK) tells, without any capability,
 * the id of the XDP program on an interface per mode, but not its name:
 * that needs BPF_PROG_GET_FD_BY_ID, i.e. CAP_SYS_ADMIN. So the watch
 * learns, while it can, which top-level program id (ours, or libxdp's
 * dispatcher holding ours) is floodshield's on each interface
 * (fs_attach_query), and afterwards compares ids only:
 *   - id as learned                 -> attached (mode from netlink);
 *   - other id, privileged          -> asks fs_attach_query again, learns;
 *   - other id or none, unprivileged -> not attached (0): the program
 *     that was ours is gone, replaced or detached.
 * While privileged each poll also discovers interfaces attached since.
 * Interfaces that disappear are forgotten.
 */
struct fs_iface_watch {
	unsigned n;
	struct {
		int ifindex;
		char name[IF_NAMESIZE];
		__u32 prog_id; /* top-level id on the interface, 0: none */
	} e[FS_METRICS_MAX_IFACES];
	bool unprivileged; /* fs_attach_query was refused (EPERM) */
};

void fs_iface_watch_init(struct fs_iface_watch *w);
/* The fs_iface_fn of a watch (@arg is the struct fs_iface_watch). */
int fs_iface_watch_poll(void *arg, struct fs_iface_state *out, unsigned max);

#endif
