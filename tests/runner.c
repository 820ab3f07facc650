// SPDX-License-Identifier: GPL-2.0
/* Test runner: runs every registered test (or those named on the command
 * line, by test name prefix), then the shell tests in tests/ns (*.sh), whose
 * lines "ok - NAME" / "not ok - NAME" / "skip - NAME" count as subtests.
 * Ends with "N passed, N failed". Exit status 1 if anything failed.
 *
 * Only checks count: setup steps print "# setup: ..." lines, which are
 * not counted (a setup that fails is a "not ok"). A missing prerequisite
 * is a failure under CI ($CI is "true"), a skip elsewhere, reported as
 * such ("N skipped").
 */
#include <dirent.h>
#include <stdarg.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#include "test.h"

static struct fs_test *tests, **tail = &tests;
static const char *cur_test;
static char cur_sub[256];
static bool sub_open, sub_failed, sub_skipped;
static int n_pass, n_fail, n_skip;
static bool in_ci;

void fs_test_register(struct fs_test *t)
{
	*tail = t;
	tail = &t->next;
}

static void end_subtest(void)
{
	if (!sub_open)
		return;
	if (sub_failed) {
		n_fail++;
		printf("FAIL %s/%s\n", cur_test, cur_sub);
	} else if (sub_skipped && in_ci) {
		n_fail++;
		printf("FAIL %s/%s (a missing prerequisite fails under CI)\n",
		       cur_test, cur_sub);
	} else if (sub_skipped) {
		n_skip++;
		printf("SKIP %s/%s\n", cur_test, cur_sub);
	} else {
		n_pass++;
		printf("ok   %s/%s\n", cur_test, cur_sub);
	}
	fflush(stdout);
	sub_open = false;
}

void fs_subtest(const char *fmt, ...)
{
	va_list ap;

	end_subtest();
	va_start(ap, fmt);
	vsnprintf(cur_sub, sizeof(cur_sub), fmt, ap);
	va_end(ap);
	sub_open = true;
	sub_failed = sub_skipped = false;
}

void fs_test_fail(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	if (!sub_open)
		fs_subtest("main");
	sub_failed = true;
	printf("     %s:%d: ", file, line);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

void fs_test_skip(const char *why)
{
	if (!sub_open)
		fs_subtest("main");
	sub_skipped = true;
	printf("     skipped: %s\n", why);
}

int fs_sh(const char *fmt, ...)
{
	char cmd[4096];
	va_list ap;
	int st;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	fflush(stdout);
	st = system(cmd);
	if (st == -1 || !WIFEXITED(st))
		return -1;
	return WEXITSTATUS(st);
}

void fs_test_pins_remove(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;

	if (d) {
		while ((e = readdir(d)))
			if (e->d_name[0] != '.')
				unlinkat(dirfd(d), e->d_name, 0);
		closedir(d);
	}
	rmdir(dir);
}

/* Whether @name is on the command line exactly (FS_TEST_NAMED). */
static bool named(const char *name, int argc, char **argv)
{
	for (int i = 1; i < argc; i++)
		if (!strcmp(name, argv[i]))
			return true;
	return false;
}

static bool selected(const char *name, int argc, char **argv)
{
	if (argc < 2)
		return true;
	for (int i = 1; i < argc; i++)
		if (!strncmp(name, argv[i], strlen(argv[i])))
			return true;
	return false;
}

/* Seconds on the monotonic clock: each suite's time is printed after
 * it ("# time NAME: S s"), so that a run shows where its minutes go
 * (CI allows make test 20 minutes). */
static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Run one shell test and count its ok/not ok/skip lines. */
static void run_script(const char *dir, const char *file)
{
	char cmd[1024], line[1024];
	double t0 = now_s();
	bool any = false;
	FILE *p;
	int st;

	snprintf(cmd, sizeof(cmd), "bash %s/%s 2>&1", dir, file);
	printf("---- %s\n", file);
	fflush(stdout);
	p = popen(cmd, "r");
	if (!p) {
		n_fail++;
		printf("FAIL %s: cannot run\n", file);
		return;
	}
	while (fgets(line, sizeof(line), p)) {
		fputs(line, stdout);
		if (!strncmp(line, "ok - ", 5))
			n_pass++, any = true;
		else if (!strncmp(line, "not ok - ", 9))
			n_fail++, any = true;
		else if (!strncmp(line, "skip - ", 7) && in_ci)
			n_fail++, any = true,
				  printf("FAIL (a missing prerequisite fails "
					 "under CI)\n");
		else if (!strncmp(line, "skip - ", 7))
			n_skip++, any = true;
	}
	st = pclose(p);
	if (!any || st != 0) {
		n_fail++;
		printf("FAIL %s: exit status %d%s\n", file,
		       WIFEXITED(st) ? WEXITSTATUS(st) : -1,
		       any ? "" : ", no results");
	}
	printf("# time %s: %.1f s\n", file, now_s() - t0);
}

static void run_scripts(const char *dir, int argc, char **argv)
{
	struct dirent **ents;
	int n = scandir(dir, &ents, NULL, alphasort);

	for (int i = 0; i < n; i++) {
		size_t len = strlen(ents[i]->d_name);

		/* *lib.sh files are sourced by the tests, not run */
		if (len > 3 && !strcmp(ents[i]->d_name + len - 3, ".sh") &&
		    !(len >= 6 && !strcmp(ents[i]->d_name + len - 6, "lib."
								     "sh")) &&
		    selected(ents[i]->d_name, argc, argv))
			run_script(dir, ents[i]->d_name);
		free(ents[i]);
	}
	if (n >= 0)
		free(ents);
}

int main(int argc, char **argv)
{
	const char *dir = getenv("FS_TEST_SCRIPTS");

	setvbuf(stdout, NULL, _IOLBF, 0);
	in_ci = getenv("CI") && !strcmp(getenv("CI"), "true");
	for (struct fs_test *t = tests; t; t = t->next) {
		if (!selected(t->name, argc, argv) ||
		    (t->named && !named(t->name, argc, argv)))
			continue;
		double t0 = now_s();

		cur_test = t->name;
		printf("---- %s\n", t->name);
		t->fn();
		end_subtest();
		printf("# time %s: %.1f s\n", t->name, now_s() - t0);
	}
	run_scripts(dir ? dir : "tests/ns", argc, argv);
	if (n_skip)
		printf("%d passed, %d failed, %d skipped\n", n_pass, n_fail,
		       n_skip);
	else
		printf("%d passed, %d failed\n", n_pass, n_fail);
	return n_fail ? 1 : 0;
}
