/* SPDX-License-Identifier: GPL-2.0 */
/* The server's own addresses (`http.own`, map fs_own): a Host that is an
 * IP literal naming one of them follows the `http.ip_host` policy; any
 * other IP literal is an unserved Host. They are the addresses of the
 * shielded interfaces (those floodshield is attached to) and the ones
 * the config file lists (`own` in [hosts]: a NAT or a load balancer in
 * front of the server).
 *
 * Who writes fs_own (through loader/lists.h):
 *   - every attach (`attach`, `--replace`, the daemon's start) adds the
 *     addresses of every interface floodshield is then attached to in
 *     this network namespace (fs_own_refresh()); it never deletes;
 *   - the daemon's sync (start, reload: fs_sync()) makes fs_own exactly
 *     the configured addresses and those of the interfaces it found
 *     attached when it started or attached since (ifwatch.h), read again
 *     at each reload (an address added or removed since is followed; an
 *     interface attached since with the CLI is not, until the next
 *     attach or restart);
 *   - between syncs, the daemon adds the addresses its shielded
 *     interfaces gain (netlink address events, fs_own_add_iface_addrs():
 *     an interface that appears gets its addresses after the attach).
 * So without the daemon, an address removed from an interface stays own
 * until fs_own is rebuilt (a layout change: role state) or the daemon
 * runs: an address of this host, which is harmless.
 */
#ifndef FS_OWN_H
#define FS_OWN_H

#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>
#include "../maps/floodshield.h"

/* A set of addresses (16-byte form), in the order they were added. */
struct fs_addr_set {
	struct fs_addr_key *a;
	size_t n, cap;
};

void fs_addr_set_free(struct fs_addr_set *s);
bool fs_addr_set_has(const struct fs_addr_set *s, const struct fs_addr_key *k);
/* Add @k unless present: 0 added, 1 present already, -ENOMEM. */
int fs_addr_set_add(struct fs_addr_set *s, const struct fs_addr_key *k);

/* Interface names, as the daemon keeps those it found attached. */
struct fs_ifnames {
	char name[FS_OWN_MAX][IF_NAMESIZE];
	unsigned n;
};

/* The interfaces of this network namespace that floodshield is attached
 * to (fs_attach_query(): needs CAP_SYS_ADMIN to tell our program from
 * another). 0, or -errno. */
int fs_own_attached(struct fs_ifnames *out);

/* Add to @s every address (IPv4 and IPv6, link-local included) of the
 * interfaces named in @names, as getifaddrs() sees them now in this
 * network namespace; an interface that is gone has none. No privilege
 * needed. 0, or -errno (-ENOMEM, getifaddrs()'s error). */
int fs_own_iface_addrs(struct fs_addr_set *s, const struct fs_ifnames *names);

/* Every address in fs_own @fd into @s. 0, or -errno. */
int fs_own_read(int fd, struct fs_addr_set *s);

/* Add to fs_own (@m) the addresses the interfaces @names have now (as
 * fs_own_iface_addrs() reads them). No privilege needed. Returns how
 * many it wrote (present already or not), or -errno with a message
 * logged. */
struct fs_map_fds;
int fs_own_add_iface_addrs(const struct fs_map_fds *m,
			   const struct fs_ifnames *names);

/* After an attach: add the addresses of every interface floodshield is
 * attached to (fs_own_attached()) to the fs_own pinned in @pin_dir.
 * Returns how many it wrote (present already or not), or -errno with a
 * message logged. */
int fs_own_refresh(const char *pin_dir);

#endif
