/* SPDX-License-Identifier: GPL-2.0 */
/* CLI plumbing shared by the commands: the context every command gets,
 * the exit codes, and the command objects (params.h) the tree is made of. */
#ifndef FS_CLI_H
#define FS_CLI_H

#include <stdbool.h>
#include <stdio.h>
#include "params.h"
#include "../../loader/util.h"

/* Exit codes: 0 ok, 1 the operation failed, 2 bad usage or argument. */
#define EXIT_FAIL  1
#define EXIT_USAGE 2

#define FS_PROG "floodshield"

struct fs_ctx {
	const char *pin_dir;
	bool pin_dir_set; /* by -p or $FLOODSHIELD_PIN_DIR */
	bool json;
};

/* What `set` does (cmd_config.c), for the commands that change a setting
 * too (`hosts import` sets http.server): apply the @n "KEY=VALUE" of @kv
 * to the pinned settings under the pin folder's lock, all or none, after
 * the checks of `set`. Messages start with @what. 0, EXIT_USAGE (a bad
 * key, value or combination: nothing changed) or EXIT_FAIL. */
int fs_cli_set(struct fs_ctx *ctx, const char *const *kv, int n,
	       const char *what);

/* Whether the daemon's config file owns @what (FS_CONF_PORTS or
 * FS_CONF_HOSTS: the pinned settings say so, fs_cfg.conf_flags): 1 with
 * "@cmd: @thing belongs to FILE ..." logged, 0 not, -1 when the settings
 * cannot be read (logged). Call it with the pin folder locked. */
int fs_cli_owner(struct fs_ctx *ctx, __u32 what, const char *cmd,
		 const char *thing);

/* fs_daemon's entry (the daemon's pid and reloads) in @pin_dir: 0, or
 * -errno (-ENOENT: not pinned, a pin folder an older build made). */
int fs_cli_daemon_state(const char *pin_dir, struct fs_daemon_state *st);

/* floodshield itself: the global options and every command (cli.c). */
extern const struct fs_cmd fs_cli;

/* The top-level commands, each defined by the file that implements it. */
extern const struct fs_cmd fs_cmd_check, fs_cmd_run, fs_cmd_reload,
	fs_cmd_prepare; /* cmd_run.c */
extern const struct fs_cmd fs_cmd_attach, fs_cmd_detach, fs_cmd_status;
extern const struct fs_cmd fs_cmd_allow, fs_cmd_block; /* cmd_lists.c */
extern const struct fs_cmd fs_cmd_hosts;	       /* cmd_hosts.c */
extern const struct fs_cmd fs_cmd_ports, fs_cmd_set, fs_cmd_show,
	fs_cmd_stats;			   /* cmd_config.c */
extern const struct fs_cmd fs_cmd_explain; /* cmd_explain.c */
extern const struct fs_cmd fs_cmd_verify;  /* cmd_verify.c */
extern const struct fs_cmd fs_cmd_metrics; /* cmd_metrics.c */
extern const struct fs_cmd fs_cmd_smtp;	   /* cmd_smtp.c */

#endif
