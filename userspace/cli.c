// SPDX-License-Identifier: GPL-2.0
/* Helpers shared by the do_<cmd> functions. */
#include <stdio.h>
#include <string.h>
#include <time.h>
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
	return ts.tv_sec * 1000000000ull + ts.tv_nsec;
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
	s = (expires_ns - now + 999999999ull) / 1000000000ull;
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

