/* SPDX-License-Identifier: GPL-2.0 */
/* The userspace side of the SMTP session pools (bpf/session.bpf.h,
 * docs/smtp.md, Admission): the capacity read from Postfix when
 * smtp.capacity is 0, and the sweep that ends idle sessions. */
#ifndef FS_SESSION_H
#define FS_SESSION_H

#include "../maps/floodshield.h"

struct fs_map_fds;

/* With smtp.capacity 0, set @rt->smtp_capacity_auto from the default
 * Postfix instance (loader/postfix.h); 0 when Postfix is not installed
 * or not configured (no limit), said once at info level. */
void fs_smtp_capacity_fill(struct fs_cfg *rt);

/* End the counted SMTP sessions of fs_smtp_flows whose last client
 * segment is at least @idle_ns before @now_ns (CLOCK_MONOTONIC, the
 * program's clock; tests pass their fake one): each deleted entry adds
 * one to its pool's `swept` (this function is its only writer; the
 * program adds to opened and closed). A delete decides, so a session the
 * program closes meanwhile is counted once. Returns the number swept, or
 * -errno. */
int fs_smtp_sweep(const struct fs_map_fds *m, __u64 now_ns, __u64 idle_ns);

#endif
