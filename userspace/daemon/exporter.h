/* SPDX-License-Identifier: GPL-2.0 */
/* The HTTP exporter: GET /metrics from its own thread. */
#ifndef FS_EXPORTER_H
#define FS_EXPORTER_H

#include "../../loader/metrics.h"

/* What one exporter allows its clients. Any local user may connect, so
 * a client (peer.h: a local uid, else an address) holds at most
 * per_client of the total connections; a connection idle for
 * read_timeout_s, or whose request (from the connection or the end of
 * the previous request until its response is sent) takes longer than
 * deadline_ms, is closed; libmicrohttpd's complaints and the exporter's
 * own are logged at most log_burst per log_window_s, then one "K
 * suppressed" line. */
struct fs_exporter_limits {
	unsigned per_client;
	unsigned total;
	unsigned read_timeout_s;
	unsigned deadline_ms;
	unsigned log_burst;
	unsigned log_window_s;
};

#define FS_EXPORTER_MAX_CONN 256 /* the most total may be */

/* The limits fs_exporter_start() serves with. */
extern const struct fs_exporter_limits fs_exporter_defaults;

/* Serve GET /metrics on @listen (NULL: FS_METRICS_LISTEN) from its own
 * thread, collecting from @m (which must stay open) and @ifaces at each
 * scrape. One exporter per process. 0, or -1 with a message logged. */
int fs_exporter_start(const char *listen, const struct fs_map_fds *m,
		      fs_iface_fn ifaces, void *arg);
/* The same with limits of its own (tests: short timeouts); -1 with a
 * message for limits out of range. */
int fs_exporter_start_limits(const char *listen, const struct fs_map_fds *m,
			     fs_iface_fn ifaces, void *arg,
			     const struct fs_exporter_limits *lim);
/* The port bound (useful after listening on port 0 in tests), or 0. */
unsigned fs_exporter_port(void);
void fs_exporter_stop(void);

#endif
