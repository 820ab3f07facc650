// SPDX-License-Identifier: GPL-2.0
/* floodshield's command tree: the global options, applied before any
 * command runs, and the table of commands. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <string.h>
#include <unistd.h>
#include "cli.h"
#include "../../loader/log.h"

struct global_args {
	bool json;
	int verbose;
	const char *netns;
	const char *pin_dir;
};

static const struct fs_opt global_opts[] = {
	FS_OPT(FS_T_FLAG, "json", 'j', struct global_args, json,
	       .help = "JSON output (lists, stats, status, show)"),
	FS_OPT(FS_T_COUNT, "verbose", 'v', struct global_args, verbose,
	       .help = "more log output (twice: libbpf's and libxdp's too)"),
	FS_OPT(FS_T_STRING, "netns", 'n', struct global_args, netns,
	       .metavar = "NETNS",
	       .help = "act in network namespace /run/netns/NETNS"),
	FS_OPT(FS_T_STRING, "pin-dir", 'p', struct global_args, pin_dir,
	       .metavar = "PIN_DIR",
	       .help = "pinned state (default " FS_PIN_ROOT ", or "
		       "$FLOODSHIELD_PIN_"
		       "DIR)"),
	FS_OPT_END};

static int enter_netns(const char *name)
{
	char path[256];
	int fd;

	if (strchr(name, '/')) {
		pr_err("-n: '%s': a namespace name, not a path\n", name);
		return -EINVAL;
	}
	snprintf(path, sizeof(path), "/run/netns/%s", name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		pr_err("-n: unknown network namespace '%s'\n", name);
		return -ENOENT;
	}
	if (setns(fd, CLONE_NEWNET)) {
		pr_err_errno("-n: cannot enter '%s'", name);
		close(fd);
		return -errno;
	}
	close(fd);
	return 0;
}

/* The global options, before the command runs. */
static int apply_globals(struct fs_ctx *ctx, void *args)
{
	const struct global_args *g = args;

	ctx->json = g->json;
	fs_log_level += g->verbose;
	fs_log_libs += g->verbose;
	if (g->pin_dir) {
		ctx->pin_dir = g->pin_dir;
		ctx->pin_dir_set = true;
	}
	fs_log_setup_libs();
	return g->netns && enter_netns(g->netns) ? EXIT_USAGE : 0;
}

static const struct fs_cmd *const commands[] = {
	&fs_cmd_check,	&fs_cmd_prepare, &fs_cmd_run,
	&fs_cmd_reload, &fs_cmd_attach,	 &fs_cmd_detach,
	&fs_cmd_status, &fs_cmd_allow,	 &fs_cmd_block,
	&fs_cmd_hosts,	&fs_cmd_ports,	 &fs_cmd_set,
	&fs_cmd_show,	&fs_cmd_stats,	 &fs_cmd_explain,
	&fs_cmd_verify, &fs_cmd_metrics, &fs_cmd_smtp,
	NULL,
};

const struct fs_cmd fs_cli = {
	.name = FS_PROG,
	.doc = "an XDP flood shield: its daemon, lists, settings and counters",
	.opts = global_opts,
	.args_size = sizeof(struct global_args),
	.fn = apply_globals,
	.subs = commands,
};
