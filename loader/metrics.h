/* SPDX-License-Identifier: GPL-2.0 */
/* Prometheus metrics, in three separate parts (as ebpf_exporter does):
 *
 *   collect  fs_snapshot_collect(): reads the maps, at scrape time, into
 *            a struct fs_snapshot. The only part that touches the kernel.
 *   render   fs_metrics_render(): a pure function from a snapshot to the
 *            text exposition format 0.0.4; tested against golden text.
 *   serve    fs_exporter_start(): libmicrohttpd on its own thread,
 *            collect + render on every GET /metrics.
 *
 * Nothing here needs a capability once the map fds are open: reading
 * maps through open fds needs none (kernel >= 6.5 checks privileges at
 * map creation and program load, not on lookups), and attach state comes
 * from netlink (bpf_xdp_query), compared with program ids learned while
 * privileged; see struct fs_iface_watch.
 */
#ifndef FS_METRICS_H
#define FS_METRICS_H

#include <net/if.h>
#include <stdbool.h>
#include <stdio.h>
#include <sys/socket.h>
#include "../maps/floodshield.h"

struct fs_map_fds; /* loader/loader.h */

#ifndef FS_VERSION
#define FS_VERSION "0.1.0"
#endif

#define FS_METRICS_PREFIX	"floodshield_"
#define FS_METRICS_PORT		9477 /* default listen port */
#define FS_METRICS_LISTEN	"127.0.0.1:9477"
#define FS_METRICS_MAX_IFACES	64 /* interfaces reported, at most */
#define FS_METRICS_CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"

/* Maps whose fill is reported (FILL in FS_MAPS, maps/tables.h), in
 * label order: FS_FILL_<ID>. */
#define FS_FILL_ENUM_(id, field, role, fill, ...) FS_FILL_ENUM_##fill(id)
#define FS_FILL_ENUM_FILL(id)			  FS_FILL_##id,
#define FS_FILL_ENUM_NOFILL(id)
enum fs_fill_map { FS_MAPS(FS_FILL_ENUM_) FS_FILL_MAX };
#undef FS_FILL_ENUM_
#undef FS_FILL_ENUM_FILL
#undef FS_FILL_ENUM_NOFILL

/* The "map" label of a fill map: "allow", "block", ... */
const char *fs_fill_map_name(unsigned m);

/* Attach state of one interface, as the exporter reports it. */
struct fs_iface_state {
	char name[IF_NAMESIZE];
	bool attached;
	char mode[16]; /* "native", "generic", "hw"; "none" if detached */
};

/* Fill @out with at most @max interfaces; return how many, or -errno
 * (counted as a scrape error, no interface reported). */
typedef int (*fs_iface_fn)(void *arg, struct fs_iface_state *out, unsigned max);

struct fs_map_fill {
	__u64 entries;
	__u64 capacity; /* max_entries */
};

/* Parts of a snapshot that were read. A part that could not be read is
 * left out of the exposition (not rendered as 0, which Prometheus would
 * take for a counter reset) and counted in scrape_errors. */
#define FS_SNAP_COUNTERS (1u << 0)
#define FS_SNAP_EVENTS	 (1u << 1)
#define FS_SNAP_BANS	 (1u << 2)
#define FS_SNAP_RATE	 (1u << 3) /* tracked_sources */
#define FS_SNAP_IFACES	 (1u << 4)
#define FS_SNAP_DAEMON	 (1u << 5)	   /* the daemon's reloads */
#define FS_SNAP_SYN	 (1u << 6)	   /* syn_pressure, http_suspicion */
#define FS_SNAP_KERNEL	 (1u << 7)	   /* kernel_syncookies (netstat) */
#define FS_SNAP_FILL(m)	 (1u << (8 + (m))) /* fill[m] */
#define FS_SNAP_SMTP	 (1u << 30)	   /* smtp_sessions, smtp_capacity */
#define FS_SNAP_ALL	 (0xffu | (((1u << FS_FILL_MAX) - 1) << 8) | FS_SNAP_SMTP)

/* The kernel's own SYN cookie counters (TcpExtSyncookies*), by the
 * `result` label of floodshield_kernel_syncookies_total. */
enum fs_kcookie {
	FS_KCOOKIE_SENT,
	FS_KCOOKIE_RECV,
	FS_KCOOKIE_FAILED,
	FS_KCOOKIE_MAX
};

/* Everything one scrape reports. Counters are summed over CPUs. */
struct fs_snapshot {
	unsigned valid; /* FS_SNAP_* */
	struct fs_counter reasons[FS_R_MAX];
	__u64 events[FS_E_MAX];
	__u64 bans_src;	       /* unexpired bans of one source (/128)   */
	__u64 bans_prefix;     /* unexpired bans of a prefix            */
	__u64 tracked_sources; /* distinct sources with per-source rate state */
	struct fs_map_fill fill[FS_FILL_MAX];
	unsigned n_ifaces;
	struct fs_iface_state ifaces[FS_METRICS_MAX_IFACES];
	struct fs_daemon_state daemon; /* fs_daemon as last written */
	__u64 syn_pressure;   /* 1 while the SYN path is under pressure */
	__u64 http_suspicion; /* 1 while the http.suspect window is open */
	__u64 kernel_cookies[FS_KCOOKIE_MAX]; /* this netns's TcpExtSyncookies* */
	__u64 smtp_sessions[FS_POOL_MAX];     /* open SMTP sessions per pool */
	__u64 smtp_capacity[FS_POOL_MAX]; /* places of each pool (settings) */
	__u64 scrape_errors; /* failed reads so far, this scrape included */
	const char *version; /* build_info; NULL: FS_VERSION */
};

/* Read every map of @m into @s. @now_ns is CLOCK_MONOTONIC (the clock
 * of ban expiries; tests pass their fake clock). @ifaces may be NULL (no
 * interface reported). Returns the number of reads that failed (each
 * logged); s->scrape_errors is left to the caller, who keeps the total. */
unsigned fs_snapshot_collect(struct fs_snapshot *s, const struct fs_map_fds *m,
			     __u64 now_ns, fs_iface_fn ifaces, void *arg);

/* The TcpExt SyncookiesSent/Recv/Failed counters of /proc/net/netstat
 * @path (this process's network namespace: the attach one) into @out.
 * 0, or -errno (-ENOENT when a counter is missing). */
int fs_kernel_syncookies(const char *path, __u64 out[FS_KCOOKIE_MAX]);

/* Write @s in the Prometheus text format to @f. Pure: no clock, no
 * kernel, same input same bytes. Returns 0, or -1 on a write error. */
int fs_metrics_render(const struct fs_snapshot *s, FILE *f);

/* The verdict label of an HTTP request counted under reason @r: the
 * reason's name without "http_" ("ok", "undecided", "bad_host", ...),
 * or NULL when @r is not an HTTP request verdict. */
const char *fs_http_verdict(unsigned r);

/* The class and verdict labels of an SMTP connection attempt counted
 * under reason @r: "smtp_CLASS" is (CLASS, "accept"), "smtp_defer_CLASS"
 * is (CLASS, "defer"). False when @r is not an SMTP reason. */
bool fs_smtp_verdict(unsigned r, const char **cls, const char **verdict);

#endif
