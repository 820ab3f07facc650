// SPDX-License-Identifier: GPL-2.0
/* run, reload and check: the daemon's command line. */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include "cli.h"
#include "../daemon/daemon.h"
#include "../daemon/prepare.h"
#include "../../loader/config.h"
#include "../../loader/log.h"
#include "../../loader/names.h"
#include "../../loader/settings.h"
#include "../../loader/util.h"

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

/* The pin folder @pin_dir where this process reaches it: under the
 * systemd unit, bpffs is bound writable at $FLOODSHIELD_BPFFS
 * (fs_env_path()). */
static const char *pins_here(const char *pin_dir, char *buf, size_t len)
{
	return fs_env_path(FS_ENV_BPFFS, FS_BPFFS, pin_dir, buf, len);
}

/* Under the systemd unit ($FLOODSHIELD_BPFFS set) the sandbox shows the
 * pin folder it binds only: another pin_dir needs a drop-in (the unit
 * file says which). 0, or -1 logged. */
static int pins_reachable(const char *pin_dir, const char *pins)
{
	struct stat st;

	if (!strcmp(pin_dir, pins) || stat(pins, &st) == 0)
		return 0;
	pr_err_errno("pin_dir %s: not in this sandbox (%s); the systemd "
		     "unit binds only " FS_PIN_ROOT ": another pin_dir needs "
		     "a drop-in with BindPaths= and LIBXDP_BPFFS= for it (see "
		     "the comment in floodshield.service)",
		     pin_dir, pins);
	return -1;
}

static int do_run(struct fs_ctx *ctx, void *args)
{
	const char *conf_path = ((struct conf_args *)args)->path;
	struct fs_conf *conf;
	char err[512], pins[PATH_MAX];
	const char *pin_dir;

	if (fs_log_level < FS_LOG_INFO)
		fs_log_level = FS_LOG_INFO;
	conf = fs_conf_new();
	if (!conf || fs_conf_load(conf_path, conf, err, sizeof(err)) ||
	    fs_cfg_check_kernel(&conf->rt, err, sizeof(err))) {
		pr_err("%s\n", conf ? err : "out of memory");
		fs_conf_free(conf);
		return EXIT_USAGE;
	}
	pin_dir = ctx->pin_dir_set ? ctx->pin_dir : conf->pin_dir;
	pins_here(pin_dir, pins, sizeof(pins));
	if (pins_reachable(pin_dir, pins)) {
		fs_conf_free(conf);
		return EXIT_FAIL;
	}
	return fs_daemon_run(conf, conf_path, pins) ? EXIT_FAIL : 0;
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

/* floodshield prepare -c FILE: root's part before the daemon runs as
 * its user (prepare.h), on the real paths: the unit runs it outside its
 * sandbox (ExecStartPre=+), where $FLOODSHIELD_BPFFS means nothing. */
static int do_prepare(struct fs_ctx *ctx, void *args)
{
	const char *conf_path = ((struct conf_args *)args)->path;
	struct fs_conf *c;
	char err[512];
	int rc = 0;

	if (fs_log_level < FS_LOG_INFO)
		fs_log_level = FS_LOG_INFO;
	c = fs_conf_new();
	if (!c || fs_conf_load(conf_path, c, err, sizeof(err))) {
		pr_err("%s\n", c ? err : "out of memory");
		rc = EXIT_USAGE;
	} else if (fs_prepare(c,
			      ctx->pin_dir_set ? ctx->pin_dir : c->pin_dir)) {
		rc = EXIT_FAIL;
	}
	fs_conf_free(c);
	return rc;
}

struct reload_args {
	const char *path;
	unsigned pid, timeout;
};

static const struct reload_args reload_defaults = {.path = FS_CONF_PATH,
						   .timeout = 90};

/* The pin folder of the daemon @a names: -p, else its config file's. */
static int reload_pins(struct fs_ctx *ctx, const struct reload_args *a,
		       char *out, size_t len)
{
	struct fs_conf *c;
	char err[512];

	if (ctx->pin_dir_set) {
		pins_here(ctx->pin_dir, out, len);
		return 0;
	}
	c = fs_conf_new();
	if (!c || fs_conf_load(a->path, c, err, sizeof(err))) {
		pr_err("reload: %s\n", c ? err : "out of memory");
		fs_conf_free(c);
		return -1;
	}
	pins_here(c->pin_dir, out, len);
	fs_conf_free(c);
	return 0;
}

/* Wait until the daemon @pid counts a reload past @gen (50 ms steps, at
 * most @timeout s): its result, or -1 logged. */
static int reload_wait(const char *pins, __u32 pid, __u64 gen, unsigned timeout)
{
	struct timespec step = {0, 50000000};
	struct fs_daemon_state st;
	unsigned long long end = fs_mono_ns() + timeout * NSEC_PER_SEC;

	do {
		nanosleep(&step, NULL);
		if (fs_cli_daemon_state(pins, &st) || st.pid != pid) {
			pr_err("reload: the daemon (pid %u) stopped\n", pid);
			return -1;
		}
		if (st.generation > gen)
			return st.last;
	} while (fs_mono_ns() < end);
	pr_err("reload: no answer from the daemon (pid %u) in %u s\n", pid,
	       timeout);
	return -1;
}

/* floodshield reload: SIGHUP to the daemon of the pin folder, then its
 * answer; exit 0 only when the file was applied (systemd's ExecReload). */
static int do_reload(struct fs_ctx *ctx, void *args)
{
	const struct reload_args *a = args;
	struct fs_daemon_state st;
	char pins[256];
	int r;

	if (reload_pins(ctx, a, pins, sizeof(pins)))
		return EXIT_USAGE;
	r = fs_cli_daemon_state(pins, &st);
	if (r || !st.pid || (kill(st.pid, 0) && errno == ESRCH)) {
		pr_err("reload: no daemon runs on %s\n", pins);
		return EXIT_FAIL;
	}
	if (a->pid && a->pid != st.pid) {
		pr_err("reload: the daemon of %s is pid %u, not %u\n", pins,
		       st.pid, a->pid);
		return EXIT_FAIL;
	}
	if (kill(st.pid, SIGHUP)) {
		pr_err_errno("reload: cannot signal pid %u", st.pid);
		return EXIT_FAIL;
	}
	r = reload_wait(pins, st.pid, st.generation, a->timeout);
	if (r < 0)
		return EXIT_FAIL;
	if (r != FS_RELOAD_APPLIED) {
		pr_err("reload: %s (the daemon's log says why; the running "
		       "configuration stays)\n",
		       fs_reload_result_name(r));
		return EXIT_FAIL;
	}
	if (!ctx->json)
		printf("reload: applied\n");
	return 0;
}

static const struct fs_opt reload_opts[] = {
	FS_OPT(FS_T_STRING, "config", 'c', struct reload_args, path,
	       .metavar = "CONFIG",
	       .help = "the daemon's configuration, for its pin folder "
		       "(default " FS_CONF_PATH "; -p wins)"),
	FS_OPT(FS_T_UINT, "pid", 0, struct reload_args, pid, .metavar = "PID",
	       .min = 1, .max = 4194304,
	       .help = "the daemon must be this process ($MAINPID)"),
	FS_OPT(FS_T_UINT, "timeout", 0, struct reload_args, timeout,
	       .metavar = "S", .min = 1, .max = 3600,
	       .help = "wait at most S seconds (default 90)"),
	FS_OPT_END};

const struct fs_cmd fs_cmd_reload = FS_CMD(
	"reload", do_reload, struct reload_args, reload_opts, &reload_defaults,
	"make the daemon reload its configuration and wait for its "
	"answer: exit 0 when applied, 1 when refused or rolled back");
const struct fs_cmd fs_cmd_run =
	FS_CMD("run", do_run, struct conf_args, conf_opts, &conf_defaults,
	       "the daemon: attach, apply the configuration, expire bans, "
	       "reload on SIGHUP");
const struct fs_cmd fs_cmd_prepare = FS_CMD(
	"prepare", do_prepare, struct conf_args, conf_opts, &conf_defaults,
	"as root, before the daemon starts as its user: give that user the "
	"pin folder, its pins and libxdp's state folder (the unit's "
	"ExecStartPre=+)");
const struct fs_cmd fs_cmd_check =
	FS_CMD("check", do_check, struct conf_args, conf_opts, &conf_defaults,
	       "validate a configuration without applying it");
