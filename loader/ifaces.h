/* SPDX-License-Identifier: GPL-2.0 */
/* Which interfaces floodshield is attached to, as the exporter reports it. */
#ifndef FS_IFACES_H
#define FS_IFACES_H

#include <pthread.h>
#include <stdbool.h>
#include <net/if.h>
#include <linux/types.h>
#include <xdp/libxdp.h>
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
 * Interfaces that disappear are forgotten; one attached since the drop
 * is learned from whoever attached it (fs_iface_watch_attached()).
 *
 * The configured interfaces (fs_iface_watch_want(): the daemon's) are
 * reported by name whatever happens to them: 0 with mode "none" while
 * missing, re-created (a new index not attached yet) or detached, so an
 * alert on floodshield_interface_attached == 0 fires.
 *
 * The exporter's thread polls while the daemon's thread reports its
 * attaches: the lock orders them.
 */
struct fs_iface_watch {
	pthread_mutex_t lock;
	unsigned n;
	struct {
		int ifindex;
		char name[IF_NAMESIZE];
		__u32 prog_id; /* top-level id on the interface, 0: none */
	} e[FS_METRICS_MAX_IFACES];
	bool unprivileged; /* fs_attach_query was refused (EPERM) */
	unsigned n_want;
	char want[FS_METRICS_MAX_IFACES][IF_NAMESIZE]; /* always reported */
};

void fs_iface_watch_init(struct fs_iface_watch *w);
/* Report @name always (see above); ignored past FS_METRICS_MAX_IFACES,
 * or when it is wanted already. */
void fs_iface_watch_want(struct fs_iface_watch *w, const char *name);
/* No longer report @name (a reload removed it from the file, and the
 * daemon detached from it): neither wanted nor learned. */
void fs_iface_watch_forget(struct fs_iface_watch *w, const char *name);
/* floodshield was just attached to @ifindex (@name) in @mode: learn the
 * top-level program id there (netlink, no privilege). 0 or -errno. */
int fs_iface_watch_attached(struct fs_iface_watch *w, int ifindex,
			    const char *name, enum xdp_attach_mode mode);
/* The fs_iface_fn of a watch (@arg is the struct fs_iface_watch). */
int fs_iface_watch_poll(void *arg, struct fs_iface_state *out, unsigned max);

#endif
