/* SPDX-License-Identifier: GPL-2.0 */
/* The daemon: attaches, keeps the maps at the configuration, reloads on
 * SIGHUP, verifies sources, serves metrics. */
#ifndef FS_DAEMON_H
#define FS_DAEMON_H

#include "../../loader/config.h"

/* Run until SIGTERM or SIGINT with @conf (read from @conf_path, which a
 * SIGHUP reads again; the daemon owns and frees @conf), on the pins in
 * @pin_dir. 0 after a clean stop, -1 if it could not start (logged). */
int fs_daemon_run(struct fs_conf *conf, const char *conf_path,
		  const char *pin_dir);

#endif
