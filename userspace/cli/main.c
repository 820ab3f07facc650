// SPDX-License-Identifier: GPL-2.0
/* floodshield CLI: the command tree of cli.c, run on argv. */
#include <stdlib.h>
#include "cli.h"

int main(int argc, char **argv)
{
	struct fs_ctx ctx = {.pin_dir = getenv("FLOODSHIELD_PIN_DIR")};

	ctx.pin_dir_set = ctx.pin_dir && *ctx.pin_dir;
	if (!ctx.pin_dir_set)
		ctx.pin_dir = FS_PIN_ROOT;
	return fs_cmd_dispatch(&fs_cli, FS_PROG, &ctx, argc - 1, argv + 1);
}
