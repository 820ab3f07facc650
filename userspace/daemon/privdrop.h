/* SPDX-License-Identifier: GPL-2.0 */
/* Dropping privileges once the program is attached. */
#ifndef FS_PRIVDROP_H
#define FS_PRIVDROP_H

#include <stdbool.h>
#include <sys/capability.h>
#include <sys/types.h>

/* The user the daemon runs as once attached. */
struct fs_user {
	char name[32];
	uid_t uid;
	gid_t gid;
};

/* Look up user @name into @u. 0, or -1 logged (no such user: it says how
 * to create it). */
int fs_user_find(const char *name, struct fs_user *u);

/* Make @path (a folder, and each entry in it whose name starts with one
 * of @prefixes, a NULL-terminated list; not deeper; symlinks not followed) owned
 * by @u, unless it is already: the pin folder and the state folder, so
 * the daemon can use them once it runs as @u. 0, or -1 logged. */
int fs_own_folder(const char *path, const char *const *prefixes,
		  const struct fs_user *u);

/* fs_own_folder() for the folder @name inside the open folder @dir
 * (@what names it in messages), which is never followed if it is a
 * symlink: for a folder inside one @u already owns (libxdp's state
 * folder, once prepared), where @u could swap a folder for a link to
 * anywhere between root's listing and root's chown. 0, or -1 logged. */
int fs_own_subfolder(int dir, const char *name, const char *what,
		     const char *const *prefixes, const struct fs_user *u);

/* Drop every privilege: the bounding set emptied (when CAP_SETPCAP
 * allows it: the systemd unit bounds it instead), the ambient set
 * cleared; then, if running as root and @u is given (NULL: stay, as
 * `floodshield metrics --drop-caps` does), the supplementary groups
 * dropped and the real, effective and saved ids set to @u's; then the
 * permitted, effective and inheritable sets cleared and no_new_privs
 * set. Run before any thread starts: threads started later hold none.
 * Map fds opened before keep working (the kernel checks the fd, not the
 * caller: kernel 5.19 and later, or any kernel with
 * kernel.unprivileged_bpf_disabled=0).
 *
 * With @keep_attach, those of the capabilities an attach needs (below)
 * that the process holds stay in the permitted set only, off in the
 * effective set (the bounding set is emptied all the same): the daemon raises them in
 * its own thread around each attach to an interface that appears later
 * (fs_attach_privileges()). Threads started later inherit an empty
 * effective set, and none of them ever raises it. 0, or -1 logged. */
int fs_drop_privileges(const struct fs_user *u, bool keep_attach);

/* What an attach needs (measured on kernel 6.18 with libxdp 1.3.1):
 *   CAP_BPF + CAP_PERFMON   load the program (it verifies only with
 *                           perfmon's allowances) and its BTF;
 *   CAP_NET_ADMIN           attach XDP to a link (netlink);
 *   CAP_SYS_ADMIN           libxdp's and fs_attach_query()'s
 *                           BPF_PROG_GET_FD_BY_ID: which program on a
 *                           link is floodshield's (and the dispatcher);
 *                           it also stands in for the first two;
 *   CAP_DAC_READ_SEARCH     the way to the pins when started by root:
 *                           /sys/fs/bpf is root's, mode 0700. Under the
 *                           systemd unit it is not granted, nor needed:
 *                           the unit binds the pin folder and libxdp's
 *                           state folder where its user reaches them
 *                           (prepare.h). The pins themselves are opened
 *                           as their owner (the daemon's user,
 *                           fs_own_pins()). */
#define FS_ATTACH_CAPS \
	CAP_BPF, CAP_PERFMON, CAP_NET_ADMIN, CAP_SYS_ADMIN, CAP_DAC_READ_SEARCH

/* Raise (@on) or lower the kept attach capabilities in the effective
 * set of the calling thread. 0, or -1 with a message logged. */
int fs_attach_privileges(bool on);

#endif
