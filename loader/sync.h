/* SPDX-License-Identifier: GPL-2.0 */
/* Moving the pinned maps to the state a configuration describes. */
#ifndef FS_SYNC_H
#define FS_SYNC_H

#include "config.h"
#include "loader.h"
#include "own.h"

struct fs_sync_stats {
	unsigned added, removed, updated;
};

/* Bring the maps behind @m to @c, in an order that never blocks a
 * source allowlisted in both the old and the new state and never passes
 * one blocked in both:
 *   1. settings (with the served-host check still as it was),
 *   2. new and changed allow entries, 3. new and changed block entries,
 *   4. services, 5. new hosts, then the served-host flags,
 *   6. new own addresses (fs_own: c->own and @iface_own),
 *   7. removed block entries, 8. removed allow entries, 9. removed hosts,
 *   10. removed own addresses, then the served-host flags again.
 * Only entries and hosts of origin "config" are added or removed;
 * entries and hosts added with the CLI or by DNS verification, and bans,
 * are left alone (a host the file now lists becomes the file's). The
 * settings are @c's except the keys `set` made (fs_cfg.cli_keys) that
 * @c does not give: those keep the CLI's value; a key both give is the
 * file's, logged. The sync marks the keys @c gives and its path
 * (fs_cfg.conf_keys, owner, conf_flags: the CLI refuses those, and the
 * services table, and the file's hosts). The own addresses carry no
 * origin: the configuration owns them (with @iface_own, the addresses
 * of the shielded interfaces; NULL: none). Capacity is checked before anything changes. Returns 0, or
 * -errno with a message logged (-ENOSPC: it does not fit, nothing
 * changed). */
int fs_sync(const struct fs_map_fds *m, const struct fs_conf *c,
	    const struct fs_addr_set *iface_own, struct fs_sync_stats *st);

#endif
