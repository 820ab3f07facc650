// SPDX-License-Identifier: GPL-2.0
/* Dropping privileges once the program is attached. */
#define _GNU_SOURCE /* setresuid */
#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/capability.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include "privdrop.h"
#include "../../loader/log.h"

int fs_user_find(const char *name, struct fs_user *u)
{
	struct passwd *pw;

	errno = 0;
	pw = getpwnam(name);
	if (!pw) {
		pr_err("user '%s' does not exist: `make install` creates it "
		       "(systemd-sysusers floodshield.conf), or name another "
		       "in [shield] user =\n",
		       name);
		return -1;
	}
	if (pw->pw_uid == 0) {
		pr_err("user '%s' is root: the daemon needs a user of its "
		       "own\n",
		       name);
		return -1;
	}
	snprintf(u->name, sizeof(u->name), "%s", name);
	u->uid = pw->pw_uid;
	u->gid = pw->pw_gid;
	return 0;
}

/* Entry @name of folder @dir ("": @dir itself) owned by @u; a symlink is
 * not followed. */
static int own_at(int dir, const char *name, const char *what,
		  const struct fs_user *u)
{
	int flags = AT_SYMLINK_NOFOLLOW | (*name ? 0 : AT_EMPTY_PATH);
	struct stat st;

	if (fstatat(dir, name, &st, flags)) {
		pr_err_errno("cannot stat %s", what);
		return -1;
	}
	if (st.st_uid == u->uid && st.st_gid == u->gid)
		return 0;
	if (fchownat(dir, name, u->uid, u->gid, flags)) {
		pr_err_errno("cannot give %s to user %s", what, u->name);
		return -1;
	}
	return 0;
}

/* Whether @name starts with one of @prefixes. */
static bool listed(const char *name, const char *const *prefixes)
{
	for (; *prefixes; prefixes++)
		if (!strncmp(name, *prefixes, strlen(*prefixes)))
			return true;
	return false;
}

int fs_own_folder(const char *path, const char *const *prefixes,
		  const struct fs_user *u)
{
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC), err;
	struct dirent *e;
	DIR *d;

	if (fd < 0) {
		pr_err_errno("cannot open %s", path);
		return -1;
	}
	err = own_at(fd, "", path, u);
	d = err ? NULL : fdopendir(fd);
	if (!d) {
		if (!err)
			pr_err_errno("cannot read %s", path);
		close(fd);
		return -1;
	}
	while (!err && (e = readdir(d))) {
		char what[512];

		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..") ||
		    !listed(e->d_name, prefixes))
			continue;
		snprintf(what, sizeof(what), "%s/%s", path, e->d_name);
		err = own_at(fd, e->d_name, what, u);
	}
	closedir(d);
	return err;
}

/* Leave root for @u: groups, then gid, then uid (the uid last: it ends
 * the right to change the others). */
static int become(const struct fs_user *u)
{
	if (setgroups(0, NULL) || setresgid(u->gid, u->gid, u->gid) ||
	    setresuid(u->uid, u->uid, u->uid)) {
		pr_err_errno("cannot become user %s", u->name);
		return -1;
	}
	return 0;
}

int fs_drop_privileges(const struct fs_user *u)
{
	bool bounded = true;
	cap_t none;
	int err;

	for (int c = 0; c <= CAP_LAST_CAP; c++)
		if (prctl(PR_CAPBSET_DROP, c, 0, 0, 0) && errno != EINVAL)
			bounded = false; /* no CAP_SETPCAP: the unit's bound */
	if (!bounded)
		pr_debug("bounding set left as it is (no CAP_SETPCAP); "
			 "no_new_privs keeps execve from using it\n");
	prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
	if (u && geteuid() == 0 && become(u))
		return -1;
	none = cap_init();
	err = none ? cap_set_proc(none) : -1;
	cap_free(none);
	if (err) {
		pr_err_errno("cannot drop capabilities");
		return -1;
	}
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)) {
		pr_err_errno("cannot set no_new_privs");
		return -1;
	}
	return 0;
}
