// SPDX-License-Identifier: GPL-2.0
/* Log lines (loader/log.c): "floodshield: " on a terminal or a file,
 * journald priorities ("<3>" ...) when stderr is the stream that
 * $JOURNAL_STREAM names, the errno variants, and errno kept. The same
 * through the CLI binary. */
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include "test.h"
#include "../loader/log.h"

#define FS_BIN "build/floodshield"

/* $JOURNAL_STREAM naming @fd's device and inode (@off added to the
 * inode: another stream). */
static void set_journal_stream(int fd, int off)
{
	struct stat st;
	char v[64];

	fstat(fd, &st);
	snprintf(v, sizeof(v), "%llu:%llu", (unsigned long long)st.st_dev,
		 (unsigned long long)st.st_ino + off);
	setenv("JOURNAL_STREAM", v, 1);
}

/* What the log calls of @fn print, with stderr a fresh file that
 * $JOURNAL_STREAM names (@journal 1), names not (0), or is unset (-1). */
static void logged(int journal, void (*fn)(void), char *out, size_t len)
{
	char *old = getenv("JOURNAL_STREAM");
	FILE *tmp = tmpfile();
	int saved = dup(STDERR_FILENO);
	size_t n;

	old = old ? strdup(old) : NULL;
	fflush(stderr);
	dup2(fileno(tmp), STDERR_FILENO);
	if (journal < 0)
		unsetenv("JOURNAL_STREAM");
	else
		set_journal_stream(STDERR_FILENO, journal ? 0 : 1);
	fs_log_journal_detect();
	fn();
	fflush(stderr);
	dup2(saved, STDERR_FILENO);
	close(saved);
	if (old)
		setenv("JOURNAL_STREAM", old, 1);
	else
		unsetenv("JOURNAL_STREAM");
	free(old);
	fs_log_journal_detect();
	rewind(tmp);
	n = fread(out, 1, len - 1, tmp);
	out[n] = '\0';
	fclose(tmp);
}

static int errno_after;

static void every_level(void)
{
	enum fs_log_level keep = fs_log_level;

	fs_log_level = FS_LOG_DEBUG;
	pr_err("an error %d\n", 1);
	pr_warn("a warning\n");
	pr_info("two\nlines\n");
	pr_debug("a debug line\n");
	errno = ENOENT;
	pr_err_errno("cannot open %s", "x");
	pr_warn_code(-EPERM, "cannot attach\n"); /* a "\n" is tolerated */
	pr_info("half ");
	pr_info("a line\n");
	errno_after = errno;
	fs_log_level = keep;
}

static void below_level(void)
{
	pr_info("not shown at the default level\n");
	pr_debug("nor this\n");
}

FS_TEST(log_lines)
{
	char out[2048];

	fs_subtest("journal: a priority before every line");
	logged(1, every_level, out, sizeof(out));
	ASSERT_STREQ(out,
		     "<3>an error 1\n"
		     "<4>a warning\n"
		     "<6>two\n<6>lines\n"
		     "<7>a debug line\n"
		     "<3>cannot open x: No such file or directory\n"
		     "<4>cannot attach: Operation not permitted\n"
		     "<6>half a line\n",
		     "journal lines");
	ASSERT_EQ(errno_after, ENOENT, "errno kept by the log calls");

	fs_subtest("not the journal: floodshield: before each message");
	logged(0, every_level, out, sizeof(out));
	ASSERT_STREQ(out,
		     "floodshield: an error 1\n"
		     "floodshield: a warning\n"
		     "floodshield: two\nlines\n"
		     "floodshield: a debug line\n"
		     "floodshield: cannot open x: No such file or directory\n"
		     "floodshield: cannot attach: Operation not permitted\n"
		     "floodshield: half floodshield: a line\n",
		     "JOURNAL_STREAM names another stream");
	logged(-1, every_level, out, sizeof(out));
	ASSERT_TRUE(!strncmp(out, "floodshield: an error 1\n", 24), "no "
								    "JOURNAL_"
								    "STREAM");

	fs_subtest("the level still filters");
	logged(1, below_level, out, sizeof(out));
	ASSERT_STREQ(out, "", "info and debug at the default level");
}

/* `floodshield ARGS` with stderr a file that $JOURNAL_STREAM names;
 * its stderr in @out, its exit status returned. */
static int cli_journal(const char *args, char *out, size_t len)
{
	FILE *tmp = tmpfile();
	char cmd[512];
	pid_t pid;
	size_t n;
	int st;

	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid == 0) {
		dup2(fileno(tmp), STDERR_FILENO);
		set_journal_stream(STDERR_FILENO, 0);
		snprintf(cmd, sizeof(cmd), "exec " FS_BIN " %s >/dev/null",
			 args);
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	waitpid(pid, &st, 0);
	rewind(tmp);
	n = fread(out, 1, len - 1, tmp);
	out[n] = '\0';
	fclose(tmp);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

FS_TEST(log_cli_journal)
{
	char out[2048];

	fs_subtest("floodshield under systemd: its errors at priority err");
	if (access(FS_BIN, X_OK)) {
		fs_test_skip(FS_BIN " not built");
		return;
	}
	ASSERT_EQ(cli_journal("allow add 192.0.2.0/33", out, sizeof(out)), 2,
		  "exit 2");
	ASSERT_STREQ(out,
		     "<3>allow add: '192.0.2.0/33': prefix length must be "
		     "0-32\n",
		     "one line at priority 3");
	ASSERT_EQ(cli_journal("-p /nonexistent-fs-pins allow list", out,
			      sizeof(out)),
		  1, "exit 1");
	ASSERT_TRUE(!strncmp(out, "<3>no pinned map /nonexistent-fs-pins/", 38),
		    out);
}

FS_TEST(log_ratelimit)
{
	struct fs_ratelimit rl = {.burst = 3, .window_ns = 1000};
	unsigned k, ok = 0;

	fs_subtest("burst lines pass, the rest are counted");
	for (int i = 0; i < 10; i++)
		ok += fs_ratelimit_ok(&rl, 100 + i, &k) && !k;
	ASSERT_EQ(ok, 3, "lines allowed in the first window");
	ASSERT_EQ(fs_ratelimit_flush(&rl, 500), 0, "window still running");

	fs_subtest("the next window reports how many were suppressed");
	ASSERT_TRUE(fs_ratelimit_ok(&rl, 1200, &k), "a new window");
	ASSERT_EQ(k, 7, "suppressed in the first window");
	for (int i = 0; i < 5; i++)
		fs_ratelimit_ok(&rl, 1300, &k);
	ASSERT_EQ(fs_ratelimit_flush(&rl, 1500), 0, "not before its end");
	ASSERT_EQ(fs_ratelimit_flush(&rl, 2300), 3, "flushed at its end");
	ASSERT_EQ(fs_ratelimit_flush(&rl, 9000), 0, "counted once");
	ASSERT_TRUE(fs_ratelimit_ok(&rl, 9001, &k) && !k, "nothing pending");
}
