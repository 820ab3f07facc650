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

/* The folder open at @fd (closed here, whatever happens; @path names it
 * in messages) and its entries named by @prefixes owned by @u. */
static int own_fd(int fd, const char *path, const char *const *prefixes,
		  const struct fs_user *u)
{
	struct dirent *e;
	int err;
	DIR *d;

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

int fs_own_folder(const char *path, const char *const *prefixes,
		  const struct fs_user *u)
{
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0) {
		pr_err_errno("cannot open %s", path);
		return -1;
	}
	return own_fd(fd, path, prefixes, u);
}

int fs_own_subfolder(int dir, const char *name, const char *what,
		     const char *const *prefixes, const struct fs_user *u)
{
	int fd = openat(dir, name,
			O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

	if (fd < 0) {
		pr_err_errno("cannot open %s (a symlink is refused)", what);
		return -1;
	}
	return own_fd(fd, what, prefixes, u);
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

/* The attach capabilities this process holds (permitted) now: those
 * kept by fs_drop_privileges() (the unit may grant only some of them:
 * CAP_SYS_ADMIN stands in for CAP_BPF and CAP_PERFMON). */
static cap_value_t kept[8];
static int n_kept;

static void kept_find(void)
{
	static const cap_value_t want[] = {FS_ATTACH_CAPS};
	cap_t cur = cap_get_proc();
	cap_flag_value_t v;

	n_kept = 0;
	for (size_t i = 0; cur && i < sizeof(want) / sizeof(want[0]); i++)
		if (cap_get_flag(cur, want[i], CAP_PERMITTED, &v) == 0 &&
		    v == CAP_SET)
			kept[n_kept++] = want[i];
	cap_free(cur);
}

/* Set the calling thread's capabilities: none, or the kept attach ones
 * permitted (@keep) and also effective (@effective). */
static int caps_set(bool keep, bool effective)
{
	cap_t c = cap_init();
	int err = c ? 0 : -1;

	if (!err && keep && n_kept)
		err = cap_set_flag(c, CAP_PERMITTED, n_kept, kept, CAP_SET);
	if (!err && keep && effective && n_kept)
		err = cap_set_flag(c, CAP_EFFECTIVE, n_kept, kept, CAP_SET);
	if (!err)
		err = cap_set_proc(c);
	cap_free(c);
	return err;
}

int fs_drop_privileges(const struct fs_user *u, bool keep_attach)
{
	bool bounded = true;

	if (keep_attach)
		kept_find();
	for (int c = 0; c <= CAP_LAST_CAP; c++)
		if (prctl(PR_CAPBSET_DROP, c, 0, 0, 0) && errno != EINVAL)
			bounded = false; /* no CAP_SETPCAP: the unit's bound */
	if (!bounded)
		pr_debug("bounding set left as it is (no CAP_SETPCAP); "
			 "no_new_privs keeps execve from using it\n");
	prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
	if (keep_attach && prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0)) {
		pr_err_errno("cannot keep capabilities across the user change");
		return -1;
	}
	if (u && geteuid() == 0 && become(u))
		return -1;
	if (caps_set(keep_attach, false)) {
		pr_err_errno("cannot drop capabilities");
		return -1;
	}
	prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0);
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)) {
		pr_err_errno("cannot set no_new_privs");
		return -1;
	}
	return 0;
}

int fs_attach_privileges(bool on)
{
	if (caps_set(true, on)) {
		pr_err_errno("cannot %s the attach capabilities",
			     on ? "raise" : "lower");
		return -1;
	}
	return 0;
}
