// SPDX-License-Identifier: GPL-2.0
/* Helpers shared by the do_<cmd> functions. */
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <errno.h>
#include <sys/capability.h>
#include <sys/prctl.h>
#include "cli.h"
#include "log.h"

void json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char c = *s;

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

unsigned long long fs_mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * NSEC_PER_SEC + ts.tv_nsec;
}

void fs_fmt_expiry(unsigned long long expires_ns, unsigned long long now,
		   char *buf, size_t len)
{
	unsigned long long s;

	if (!expires_ns) {
		snprintf(buf, len, "never");
		return;
	}
	if (expires_ns <= now) {
		snprintf(buf, len, "expired");
		return;
	}
	s = (expires_ns - now + NSEC_PER_SEC - 1) / NSEC_PER_SEC;
	if (s >= 3600)
		snprintf(buf, len, "%lluh%02llum", s / 3600, s % 3600 / 60);
	else if (s >= 60)
		snprintf(buf, len, "%llum%02llus", s / 60, s % 60);
	else
		snprintf(buf, len, "%llus", s);
}

int fs_dispatch(const struct fs_cmd *cmds, const char *what,
		struct fs_ctx *ctx, int argc, char **argv)
{
	if (argc >= 1)
		for (const struct fs_cmd *c = cmds; c->name; c++)
			if (!strcmp(argv[0], c->name))
				return c->fn(ctx, argc - 1, argv + 1);
	if (argc >= 1)
		pr_err("%s: unknown command '%s'\n", what, argv[0]);
	else
		pr_err("%s: missing command\n", what);
	for (const struct fs_cmd *c = cmds; c->name; c++)
		fprintf(stderr, "  %s\n", c->usage);
	return EXIT_USAGE;
}


int fs_drop_privileges(void)
{
	cap_t none;
	int err;

	for (int c = 0; c <= CAP_LAST_CAP; c++)
		if (prctl(PR_CAPBSET_DROP, c, 0, 0, 0) && errno != EINVAL)
			pr_warn("cannot drop capability %d from the bounding set: %s\n",
				c, strerror(errno));
	prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
	none = cap_init();
	err = none ? cap_set_proc(none) : -1;
	cap_free(none);
	if (err) {
		pr_err("cannot drop capabilities: %s\n", strerror(errno));
		return -1;
	}
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)) {
		pr_err("cannot set no_new_privs: %s\n", strerror(errno));
		return -1;
	}
	return 0;
}
