/* SPDX-License-Identifier: GPL-2.0 */
/* CLI plumbing shared by the do_<cmd> functions. */
#ifndef FS_CLI_H
#define FS_CLI_H

#include <stdbool.h>
#include <stdio.h>
#include "../../loader/util.h"

/* Exit codes: 0 ok, 1 the operation failed, 2 bad usage or argument. */
#define EXIT_FAIL 1
#define EXIT_USAGE 2

struct fs_ctx {
	const char *pin_dir;
	bool pin_dir_set;	/* by -p or $FLOODSHIELD_PIN_DIR */
	bool json;
};

struct fs_cmd {
	const char *name;
	int (*fn)(struct fs_ctx *ctx, int argc, char **argv);
	const char *usage;
};

/* Find @name in a NULL-terminated table and run it with the rest of
 * argv. Unknown or missing subcommands print the table's usage. */
int fs_dispatch(const struct fs_cmd *cmds, const char *what,
		struct fs_ctx *ctx, int argc, char **argv);


int do_check(struct fs_ctx *ctx, int argc, char **argv);
int do_explain(struct fs_ctx *ctx, int argc, char **argv);
int do_verify(struct fs_ctx *ctx, int argc, char **argv);
int do_run(struct fs_ctx *ctx, int argc, char **argv);
int do_attach(struct fs_ctx *ctx, int argc, char **argv);
int do_detach(struct fs_ctx *ctx, int argc, char **argv);
int do_status(struct fs_ctx *ctx, int argc, char **argv);
int do_allow(struct fs_ctx *ctx, int argc, char **argv);
int do_block(struct fs_ctx *ctx, int argc, char **argv);
int do_hosts(struct fs_ctx *ctx, int argc, char **argv);
int do_ports(struct fs_ctx *ctx, int argc, char **argv);
int do_set(struct fs_ctx *ctx, int argc, char **argv);
int do_show(struct fs_ctx *ctx, int argc, char **argv);
int do_stats(struct fs_ctx *ctx, int argc, char **argv);
int do_metrics(struct fs_ctx *ctx, int argc, char **argv);

#endif
