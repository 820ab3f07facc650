/* SPDX-License-Identifier: GPL-2.0 */
/* A private floodshield instance for BPF_PROG_TEST_RUN tests: the
 * skeleton loaded with unpinned maps (nothing is shared with an attached
 * shield, nothing is attached anywhere) and the fake clock, plus helpers
 * to write settings and lists and to read counters and bans.
 *
 * Every function returns 0 (or the documented value) on success and
 * -errno on failure, after printing what failed.
 */
#ifndef FS_TEST_XDP_ENV_H
#define FS_TEST_XDP_ENV_H

#include <stdbool.h>
#include <stddef.h>
#include "../maps/floodshield.h"

#define XE_NSEC 1000000000ull
#define XE_T0	(1000 * XE_NSEC) /* fake clock after xe_open() */

struct xdp_env {
	struct floodshield_bpf *skel;
	struct fs_cfg cfg; /* as last written to fs_cfg */
	int ncpu;
	bool stream;   /* he_run() keeps the HTTP parser's state of a flow
			* between segments; off: each segment starts its
			* flow afresh (a connection's first data) */
	bool parkable; /* xe_close() may keep the object for the next
			* open (xdp_env.c, park) */
};

/* Load a fresh instance: default settings and service ports (as a fresh
 * attach writes them), empty lists, fake clock at XE_T0. */
int xe_open(struct xdp_env *e);
/* xe_open(), but with @real_sockets the program looks connections up in
 * the kernel (test packets then have none: they look forged); xe_open()
 * loads it assuming every segment belongs to a connection. */
int xe_open_sockets(struct xdp_env *e, bool real_sockets);
/* xe_open_sockets() with fs_bans sized to @bans_max entries (0: as
 * built), to fill it in a test. */
int xe_open_bans(struct xdp_env *e, bool real_sockets, __u32 bans_max);
/* xe_open_sockets(e, true) as on a kernel without the conntrack kfuncs
 * for XDP (fs_have_ct off): a segment with no socket is not looked up in
 * conntrack. */
int xe_open_no_ct(struct xdp_env *e);
/* xe_open() with fs_hstate sized to @max flows (its LRU evicts). */
int xe_open_hstate(struct xdp_env *e, __u32 max);
void xe_close(struct xdp_env *e);

/* The fake clock, in ns (what bpf_ktime_get_ns() would return). */
void xe_clock_set(struct xdp_env *e, __u64 ns);
__u64 xe_clock(const struct xdp_env *e);

/* Apply one "key=value" setting (userspace/settings.h) and write the
 * config map. */
int xe_set(struct xdp_env *e, const char *kv);

/* Service class of TCP destination port @port. */
int xe_service(struct xdp_env *e, __u16 port, enum fs_svc svc);

/* Add @cidr ("192.0.2.0/24", "2001:db8::/48", or a bare address) to the
 * allowlist or blocklist, expiring at @expires_ns (0: never). */
int xe_allow(struct xdp_env *e, const char *cidr, __u64 expires_ns);
int xe_block(struct xdp_env *e, const char *cidr, __u64 expires_ns);

/* Add @addr ("192.0.2.1", "2001:db8::1") to the server's own addresses
 * (fs_own, http.own), as an attach or the config sync would. */
int xe_own(struct xdp_env *e, const char *addr);

/* Counters summed over CPUs: all reasons, or all events. */
int xe_counters(struct xdp_env *e, struct fs_counter out[FS_R_MAX]);
int xe_events(struct xdp_env *e, __u64 out[FS_E_MAX]);

/* Run @len bytes of @frame through the program once. Frames shorter than
 * Ethernet (which the kernel refuses as input) are padded to it in a
 * fragment the program does not read: it sees exactly @len bytes. The
 * frame as
 * the program left it goes to @out, which has *@out_len bytes of room;
 * *@out_len becomes its length. Returns the XDP verdict or -errno. */
int xe_run(struct xdp_env *e, const void *frame, size_t len, void *out,
	   size_t *out_len);

/* The ban of @addr (16-byte form) masked to @plen (over 128 bits):
 * 0 and *ban, or -ENOENT. */
int xe_ban_get(struct xdp_env *e, const __u8 addr[16], __u8 plen,
	       struct fs_ban *ban);
/* Write that ban, as the CLI would. */
int xe_ban_put(struct xdp_env *e, const __u8 addr[16], __u8 plen,
	       const struct fs_ban *ban);

#endif
