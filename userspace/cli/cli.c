// SPDX-License-Identifier: GPL-2.0
/* Helpers shared by the do_<cmd> functions. */
#include <stdio.h>
#include <string.h>
#include "cli.h"
#include "../../loader/log.h"

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
