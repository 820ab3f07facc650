// SPDX-License-Identifier: GPL-2.0
/* Root's part before the daemon starts as its own user (prepare.h). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include "prepare.h"
#include "../../loader/loader.h"
#include "../../loader/log.h"
#include "../../loader/util.h"

int fs_own_pins(const char *pin_dir, const struct fs_user *u)
{
	static const char *const pins[] = {"fs_", FS_INSTANCE_LOCK,
					   FS_LIBXDP_MOUNT, NULL};

	return fs_own_folder(pin_dir, pins, u);
}

/* @path made (mode 0700) unless it is there: 0, or -1 logged. */
static int folder_ensure(const char *path)
{
	if (mkdir(path, 0700) && errno != EEXIST) {
		pr_err_errno("cannot create %s", path);
		return -1;
	}
	return 0;
}

/* The dispatcher folders of interface @ifindex in libxdp's state folder
 * (dispatch-IFINDEX-PROGID, one per dispatcher libxdp pinned there) and
 * their pins (progN-prog, progN-link) given to @u. That folder is @u's
 * already (an earlier prepare): each folder is opened inside it without
 * following a symlink (fs_own_subfolder()), so that a swap for a link
 * never has root give away what it points to. 0, or -1 logged. */
static int own_dispatchers(int ifindex, const struct fs_user *u)
{
	char prefix[32], path[PATH_MAX];
	const char *const mine[] = {prefix, NULL};
	static const char *const pins[] = {"prog", NULL};
	struct dirent *e;
	int err, fd;
	DIR *d;

	snprintf(prefix, sizeof(prefix), "dispatch-%d-", ifindex);
	err = fs_own_folder(FS_LIBXDP_STATE, mine, u);
	fd = err ? -1
		 : open(FS_LIBXDP_STATE,
			O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	d = fd < 0 ? NULL : fdopendir(fd);
	if (!d) {
		if (fd >= 0)
			close(fd);
		return err ? -1 : 0;
	}
	while (!err && (e = readdir(d))) {
		if (strncmp(e->d_name, prefix, strlen(prefix)) ||
		    e->d_type != DT_DIR)
			continue;
		snprintf(path, sizeof(path), "%s/%s", FS_LIBXDP_STATE,
			 e->d_name);
		err = fs_own_subfolder(dirfd(d), e->d_name, path, pins, u);
	}
	closedir(d);
	return err;
}

/* libxdp's state folder, for a daemon that attaches as @u. */
static int own_libxdp(const struct fs_conf *conf, const struct fs_user *u)
{
	static const char *const none[] = {NULL};

	if (folder_ensure(FS_LIBXDP_STATE) ||
	    fs_own_folder(FS_LIBXDP_STATE, none, u))
		return -1;
	for (int i = 0; i < conf->n_ifaces; i++) {
		int ifindex = if_nametoindex(conf->ifaces[i].name);

		/* absent now: a dispatcher made later is the daemon's own */
		if (ifindex && own_dispatchers(ifindex, u))
			return -1;
	}
	return 0;
}

int fs_prepare(const struct fs_conf *conf, const char *pin_dir)
{
	char mount[PATH_MAX];
	struct fs_user u;

	if (geteuid() != 0) {
		pr_err("prepare: needs root (the systemd unit runs it as "
		       "ExecStartPre=+)\n");
		return -1;
	}
	if (fs_user_find(conf->user, &u) || fs_pins_ensure(pin_dir))
		return -1;
	snprintf(mount, sizeof(mount), "%s/%s", pin_dir, FS_LIBXDP_MOUNT);
	if (folder_ensure(mount) || fs_own_pins(pin_dir, &u) ||
	    own_libxdp(conf, &u))
		return -1;
	pr_info("prepare: %s and %s are user %s's\n", pin_dir, FS_LIBXDP_STATE,
		u.name);
	return 0;
}
