/* SPDX-License-Identifier: GPL-2.0 */
/* The HTTP exporter: GET /metrics from its own thread. */
#ifndef FS_EXPORTER_H
#define FS_EXPORTER_H

#include "../../loader/metrics.h"

/* Serve GET /metrics on @listen (NULL: FS_METRICS_LISTEN) from its own
 * thread, collecting from @m (which must stay open) and @ifaces at each
 * scrape. One exporter per process. 0, or -1 with a message logged. */
int fs_exporter_start(const char *listen, const struct fs_map_fds *m,
		      fs_iface_fn ifaces, void *arg);
/* The port bound (useful after listening on port 0 in tests), or 0. */
unsigned fs_exporter_port(void);
void fs_exporter_stop(void);

#endif
