// SPDX-License-Identifier: GPL-2.0
/* smtp import: smtp.capacity from the Postfix instance (loader/postfix.h),
 * as `hosts import` sets http.server from the web server. */
#include <stdio.h>
#include "cli.h"
#include "../../loader/log.h"
#include "../../loader/postfix.h"

struct smtp_args {
	const char *config;   /* Postfix's configuration folder */
	const char *postconf; /* the postconf program */
};

/* smtp import [--config DIR] [--postconf PROG]: read the capacity, then
 * set smtp.capacity to it in the pinned settings. */
static int smtp_import(struct fs_ctx *ctx, void *args)
{
	const struct smtp_args *a = args;
	const char *v[1];
	char err[256], kv[64];
	unsigned cap;
	int e;

	e = fs_postfix_capacity(a->postconf, a->config, &cap, err, sizeof(err));
	if (e) {
		pr_err("smtp import: %s; nothing changed\n", err);
		return EXIT_FAIL;
	}
	snprintf(kv, sizeof(kv), "smtp.capacity=%u", cap);
	v[0] = kv;
	if (fs_cli_set(ctx, v, 1, "smtp import"))
		return EXIT_FAIL;
	if (ctx->json)
		printf("{\"smtp.capacity\":%u}\n", cap);
	else
		printf("%s (set; %s; the daemon's reload applies the config "
		       "file's: write it in [limits] too)\n",
		       kv,
		       cap ? "Postfix's smtpd processes for port 25"
			   : "Postfix sets no process limit: no admission "
			     "limit");
	return 0;
}

static const struct fs_opt import_opts[] = {
	FS_OPT(FS_T_STRING, "config", 0, struct smtp_args, config,
	       .metavar = "DIR",
	       .help = "Postfix's configuration folder (postconf -c), "
		       "default its own"),
	FS_OPT(FS_T_STRING, "postconf", 0, struct smtp_args, postconf,
	       .metavar = "PROG",
	       .help = "the postconf program (default: postconf on the "
		       "PATH)"),
	FS_OPT_END};

static const struct fs_cmd smtp_import_cmd =
	FS_CMD("import", smtp_import, struct smtp_args, import_opts, NULL,
	       "set smtp.capacity to the SMTP sessions Postfix serves at once "
	       "(default_process_limit and the smtpd services of master.cf)");

static const struct fs_cmd *const smtp_cmds[] = {&smtp_import_cmd, NULL};

const struct fs_cmd fs_cmd_smtp = FS_GROUP("smtp", smtp_cmds,
					   "SMTP admission: the mail server's "
					   "capacity");
