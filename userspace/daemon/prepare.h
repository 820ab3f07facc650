/* SPDX-License-Identifier: GPL-2.0 */
/* Root's part before the daemon starts as its own user: `floodshield
 * prepare`, the systemd unit's ExecStartPre=+ (and ExecReload=+). */
#ifndef FS_PREPARE_H
#define FS_PREPARE_H

#include "privdrop.h"
#include "../../loader/config.h"

/* A folder in the pin folder that the running daemon keeps locked: one
 * daemon per pin folder. */
#define FS_INSTANCE_LOCK "daemon-lock" /* bpffs refuses names with a dot */

/* The folder in the pin folder where the systemd unit shows libxdp's
 * state folder (<bpffs>/xdp, bound there): the unit's LIBXDP_BPFFS is
 * the pin folder, so libxdp finds "xdp" in it without crossing root's
 * /sys/fs/bpf (mode 0700). An empty folder outside the unit. */
#define FS_LIBXDP_MOUNT "xdp"

/* libxdp's state folder on the host: its dispatchers' pins and its lock
 * (libxdp 1.3.1 makes it 0700 at its first use, as whoever uses it). */
#define FS_LIBXDP_STATE FS_BPFFS "/xdp"

/* Give the daemon's pins in @pin_dir to @u: the folder, our maps (fs_*),
 * FS_INSTANCE_LOCK and FS_LIBXDP_MOUNT; not deeper, nothing else. Root
 * (the CLI) keeps using them. 0, or -1 logged. */
int fs_own_pins(const char *pin_dir, const struct fs_user *u);

/* As root, before the daemon runs as [shield] user of @conf (not root):
 * so that it needs no capability over file permissions (the unit grants
 * none, and binds only @pin_dir and libxdp's state folder, below):
 *   - @pin_dir made (mode 0700; bpffs mounted if it is not) and given to
 *     the user, with the pins an earlier root `floodshield attach` made
 *     (fs_own_pins()), and FS_LIBXDP_MOUNT made in it;
 *   - libxdp's state folder FS_LIBXDP_STATE made (0700) if missing and
 *     given to the user, with the dispatcher folders (dispatch-IFINDEX-*)
 *     of the configured interfaces that exist now and their pins: a later
 *     attach through libxdp's dispatcher, and reading one that root made.
 *     Other interfaces' dispatcher folders stay as they are.
 * Idempotent: what the user owns already is left. 0, or -1 logged. */
int fs_prepare(const struct fs_conf *conf, const char *pin_dir);

#endif
