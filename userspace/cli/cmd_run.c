// SPDX-License-Identifier: GPL-2.0
/* run and check: the daemon's command line. */
#include <stdio.h>
#include <string.h>
#include "cli.h"
#include "../daemon/daemon.h"
#include "../../loader/config.h"
#include "../../loader/log.h"

/* -c FILE / --config FILE, the only argument of run and check. */
static int parse_args(const char **conf_path, int argc, char **argv)
{
	*conf_path = FS_CONF_PATH;
	for (int i = 0; i < argc; i++) {
		if ((!strcmp(argv[i], "-c") || !strcmp(argv[i], "--config")) &&
		    i + 1 < argc) {
			*conf_path = argv[++i];
		} else {
			pr_err("run: unexpected argument '%s'\n", argv[i]);
			return -1;
		}
	}
	return 0;
}

int do_run(struct fs_ctx *ctx, int argc, char **argv)
{
	const char *conf_path;
	struct fs_conf *conf;
	char err[512];

	if (parse_args(&conf_path, argc, argv))
		return EXIT_USAGE;
	if (fs_log_level < FS_LOG_INFO)
		fs_log_level = FS_LOG_INFO;
	conf = fs_conf_new();
	if (!conf || fs_conf_load(conf_path, conf, err, sizeof(err))) {
		pr_err("%s\n", conf ? err : "out of memory");
		fs_conf_free(conf);
		return EXIT_USAGE;
	}
	return fs_daemon_run(conf, conf_path,
			     ctx->pin_dir_set ? ctx->pin_dir : conf->pin_dir) ?
		       EXIT_FAIL : 0;
}

/* floodshield check -c FILE: validate without applying. */
int do_check(struct fs_ctx *ctx, int argc, char **argv)
{
	const char *conf_path;
	struct fs_conf *c;
	char err[512];
	int rc = 0;

	if (parse_args(&conf_path, argc, argv))
		return EXIT_USAGE;
	c = fs_conf_new();
	if (!c || fs_conf_load(conf_path, c, err, sizeof(err))) {
		pr_err("%s\n", c ? err : "out of memory");
		rc = EXIT_USAGE;
	} else if (ctx->json) {
		printf("{\"config\":\"%s\",\"valid\":true,\"interfaces\":%d,"
		       "\"allow\":%zu,\"block\":%zu,\"hosts\":%zu}\n", conf_path,
		       c->n_ifaces, c->n_allow, c->n_block, c->n_hosts);
	} else {
		printf("%s: valid (%d interfaces, %zu allow, %zu block, %zu hosts)\n",
		       conf_path, c->n_ifaces, c->n_allow, c->n_block, c->n_hosts);
	}
	fs_conf_free(c);
	return rc;
}
