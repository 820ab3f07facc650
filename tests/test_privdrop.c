// SPDX-License-Identifier: GPL-2.0
/* Root giving folders to the daemon's user (userspace/daemon/privdrop.c):
 * never through a symlink. libxdp's state folder is that user's once
 * prepared, so the user can swap a dispatcher folder for a link to any
 * folder between root's listing and root's chown; fs_own_subfolder()
 * must refuse the link and leave its target root's. Real files in a
 * folder under /tmp, the user nobody. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/stat.h>
#include "test.h"
#include "../userspace/daemon/privdrop.h"

static uid_t owner_of(const char *path)
{
	struct stat st;

	return lstat(path, &st) ? (uid_t)-1 : st.st_uid;
}

/* @path made (folder when @dir, else an empty file), root's. */
static int make(const char *path, bool dir)
{
	int fd;

	if (dir)
		return mkdir(path, 0700);
	fd = open(path, O_CREAT | O_WRONLY | O_CLOEXEC, 0600);
	if (fd < 0)
		return -1;
	close(fd);
	return 0;
}

FS_TEST(privdrop_own)
{
	static const char *const pins[] = {"prog", NULL};
	static const char *const mine[] = {"dispatch-1-", NULL};
	char tmp[] = "/tmp/fs-privdrop-XXXXXX", p[64], real[128], link[128],
	     victim[128], vpin[256], rpin[256];
	struct fs_user u;
	int fd;

	/* setup (not counted; a failure fails the test): a state folder
	 * with a real dispatcher folder, and a symlink to a root folder in
	 * place of another */
	if (!ASSERT_OK(geteuid(), "running as root") ||
	    !ASSERT_OK(fs_user_find("nobody", &u), "user nobody") ||
	    !ASSERT_TRUE(mkdtemp(tmp) != NULL, "mkdtemp"))
		return;
	snprintf(p, sizeof(p), "%s/xdp", tmp);
	snprintf(real, sizeof(real), "%s/dispatch-1-7", p);
	snprintf(rpin, sizeof(rpin), "%s/prog0-prog", real);
	snprintf(link, sizeof(link), "%s/dispatch-1-8", p);
	snprintf(victim, sizeof(victim), "%s/victim", tmp);
	snprintf(vpin, sizeof(vpin), "%s/prog1-prog", victim);
	if (!ASSERT_OK(make(p, true) || make(real, true) || make(rpin, false) ||
			       make(victim, true) || make(vpin, false) ||
			       symlink(victim, link),
		       "tree made"))
		return;

	fs_subtest("a real folder inside: it and its pins become the user's");
	fd = open(p, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	ASSERT_OK(fs_own_subfolder(fd, "dispatch-1-7", real, pins, &u), "fs_"
									"own_"
									"subfol"
									"der");
	ASSERT_EQ(owner_of(real), u.uid, "the folder is the user's");
	ASSERT_EQ(owner_of(rpin), u.uid, "its pin is the user's");

	fs_subtest("a symlink in its place is refused, its target stays "
		   "root's");
	ASSERT_NEQ(fs_own_subfolder(fd, "dispatch-1-8", link, pins, &u), 0,
		   "fs_own_subfolder refuses the link");
	ASSERT_EQ(owner_of(victim), 0, "the target folder is root's");
	ASSERT_EQ(owner_of(vpin), 0, "the target's pin is root's");
	close(fd);

	fs_subtest("an entry that is a symlink: the link itself, not its "
		   "target");
	ASSERT_OK(fs_own_folder(p, mine, &u), "fs_own_folder");
	ASSERT_EQ(owner_of(link), u.uid, "the link is the user's");
	ASSERT_EQ(owner_of(victim), 0, "its target is root's");

	unlink(link);
	unlink(vpin);
	unlink(rpin);
	rmdir(victim);
	rmdir(real);
	rmdir(p);
	rmdir(tmp);
}
