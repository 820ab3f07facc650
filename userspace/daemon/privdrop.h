/* SPDX-License-Identifier: GPL-2.0 */
/* Dropping privileges once the program is attached. */
#ifndef FS_PRIVDROP_H
#define FS_PRIVDROP_H

#include <stdbool.h>
#include <sys/capability.h>

/* Drop every capability for good: bounding and ambient sets emptied,
 * permitted, effective and inheritable sets cleared, no_new_privs set.
 * Threads started later hold none.
 *
 * With @keep_attach, the capabilities an attach needs (below) stay in
 * the permitted set only, off in the effective set: the daemon raises
 * them in its own thread around each attach to an interface that
 * appears later (fs_attach_privileges()). Threads started later inherit
 * an empty effective set, and none of them ever raises it.
 * 0, or -1 with a message logged. */
int fs_drop_privileges(bool keep_attach);

/* What an attach needs (measured on kernel 6.18 with libxdp 1.3.1):
 *   CAP_BPF + CAP_PERFMON   load the program (it verifies only with
 *                           perfmon's allowances) and its BTF;
 *   CAP_NET_ADMIN           attach XDP to a link (netlink);
 *   CAP_SYS_ADMIN           libxdp's and fs_attach_query()'s
 *                           BPF_PROG_GET_FD_BY_ID: which program on a
 *                           link is floodshield's (and the dispatcher).
 * The pins under /sys/fs/bpf are opened as their owner (uid 0). */
#define FS_ATTACH_CAPS CAP_BPF, CAP_PERFMON, CAP_NET_ADMIN, CAP_SYS_ADMIN

/* Raise (@on) or lower the kept attach capabilities in the effective
 * set of the calling thread. 0, or -1 with a message logged. */
int fs_attach_privileges(bool on);

#endif
