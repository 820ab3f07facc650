// SPDX-License-Identifier: GPL-2.0
/* run and check: the daemon's command line. */
#include <stdio.h>
#include "cli.h"
#include "../daemon/daemon.h"
#include "../../loader/config.h"
#include "../../loader/log.h"
#include "../../loader/settings.h"

struct conf_args {
	const char *path;
};

static const struct conf_args conf_defaults = {.path = FS_CONF_PATH};

static const struct fs_opt conf_opts[] = {FS_OPT(FS_T_STRING, "config", 'c',
						 struct conf_args, path,
						 .metavar = "CONFIG",
						 .help = "the configuration "
							 "(default"
							 " " FS_CONF_PATH ")"),
					  FS_OPT_END};

static int do_run(struct fs_ctx *ctx, void *args)
{
	const char *conf_path = ((struct conf_args *)args)->path;
	struct fs_conf *conf;
	char err[512];

	if (fs_log_level < FS_LOG_INFO)
		fs_log_level = FS_LOG_INFO;
	conf = fs_conf_new();
	if (!conf || fs_conf_load(conf_path, conf, err, sizeof(err)) ||
	    fs_cfg_check_kernel(&conf->rt, err, sizeof(err))) {
		pr_err("%s\n", conf ? err : "out of memory");
		fs_conf_free(conf);
		return EXIT_USAGE;
	}
	return fs_daemon_run(conf, conf_path,
			     ctx->pin_dir_set ? ctx->pin_dir : conf->pin_dir)
		       ? EXIT_FAIL
		       : 0;
}

/* floodshield check -c FILE: validate without applying. */
static int do_check(struct fs_ctx *ctx, void *args)
{
	const char *conf_path = ((struct conf_args *)args)->path;
	struct fs_conf *c;
	char err[512];
	int rc = 0;

	c = fs_conf_new();
	if (!c || fs_conf_load(conf_path, c, err, sizeof(err)) ||
	    fs_cfg_check_kernel(&c->rt, err, sizeof(err))) {
		pr_err("%s\n", c ? err : "out of memory");
		rc = EXIT_USAGE;
	} else if (ctx->json) {
		printf("{\"config\":\"%s\",\"valid\":true,\"interfaces\":%d,"
		       "\"allow\":%zu,\"block\":%zu,\"hosts\":%zu,"
		       "\"own\":%zu}\n",
		       conf_path, c->n_ifaces, c->n_allow, c->n_block,
		       c->n_hosts, c->n_own);
	} else {
		printf("%s: valid (%d interfaces, %zu allow, %zu block, %zu "
		       "hosts, %zu own addresses)\n",
		       conf_path, c->n_ifaces, c->n_allow, c->n_block,
		       c->n_hosts, c->n_own);
	}
	fs_conf_free(c);
	return rc;
}

const struct fs_cmd fs_cmd_run =
	FS_CMD("run", do_run, struct conf_args, conf_opts, &conf_defaults,
	       "the daemon: attach, apply the configuration, expire bans, "
	       "reload on SIGHUP");
const struct fs_cmd fs_cmd_check =
	FS_CMD("check", do_check, struct conf_args, conf_opts, &conf_defaults,
	       "validate a configuration without applying it");
