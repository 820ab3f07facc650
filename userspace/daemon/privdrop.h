/* SPDX-License-Identifier: GPL-2.0 */
/* Dropping privileges once the program is attached. */
#ifndef FS_PRIVDROP_H
#define FS_PRIVDROP_H

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

/* Drop every privilege for good: the bounding set emptied (when
 * CAP_SETPCAP allows it: the systemd unit bounds it instead), the
 * ambient set cleared; then, if running as root and @u is given (NULL:
 * stay, as `floodshield metrics --drop-caps` does), the supplementary
 * groups dropped and the real, effective and saved ids set to @u's;
 * then the permitted, effective and inheritable sets cleared and
 * no_new_privs set. Run before any thread starts: threads started
 * later hold none. Map fds opened before keep working (the kernel
 * checks the fd, not the caller: kernel 5.19 and later, or any kernel
 * with kernel.unprivileged_bpf_disabled=0). 0, or -1 logged. */
int fs_drop_privileges(const struct fs_user *u);

#endif
