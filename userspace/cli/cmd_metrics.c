// SPDX-License-Identifier: GPL-2.0
/* metrics: serve the Prometheus exposition, or print it once. */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <pthread.h>
#include "cli.h"
#include "../../loader/log.h"
#include "../../loader/metrics.h"
#include "../../loader/loader.h"
#include "../../loader/ifaces.h"
#include "../daemon/exporter.h"
#include "../../loader/addr.h"
#include "../daemon/privdrop.h"

static int print_once(const struct fs_map_fds *m, struct fs_iface_watch *w)
{
	struct fs_snapshot s;
	unsigned errors = fs_snapshot_collect(&s, m, fs_mono_ns(),
					      fs_iface_watch_poll, w);

	s.scrape_errors = errors;
	if (fs_metrics_render(&s, stdout) || fflush(stdout)) {
		pr_err("metrics: cannot write the exposition\n");
		return EXIT_FAIL;
	}
	return errors ? EXIT_FAIL : 0;
}

/* Until SIGINT or SIGTERM, taken by sigwait() here: they are blocked
 * before the server thread starts, so it inherits the mask. */
static int serve(const char *listen, const struct fs_map_fds *m,
		 struct fs_iface_watch *w)
{
	const char *colon = strrchr(listen, ':');
	sigset_t set;
	int sig;

	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	if (fs_exporter_start(listen, m, fs_iface_watch_poll, w))
		return EXIT_FAIL;
	printf("serving http://%.*s:%u/metrics\n", (int)(colon - listen),
	       listen, fs_exporter_port());
	fflush(stdout);
	while (sigwait(&set, &sig))
		;
	pr_info("metrics: signal %d, stopping\n", sig);
	fs_exporter_stop();
	return 0;
}

struct metrics_args {
	const char *listen;
	bool once, drop_caps;
};

static int do_metrics(struct fs_ctx *ctx, void *args)
{
	const struct metrics_args *a = args;
	struct fs_iface_state scratch[FS_METRICS_MAX_IFACES];
	struct sockaddr_storage ss;
	struct fs_iface_watch w;
	struct fs_map_fds m;
	socklen_t sslen;
	char err[160];
	int rc;

	if (fs_listen_parse(a->listen, &ss, &sslen, err, sizeof(err))) {
		pr_err("metrics: --listen: %s\n", err);
		return EXIT_USAGE;
	}
	if (fs_maps_open_all(ctx->pin_dir, &m))
		return EXIT_FAIL;
	fs_iface_watch_init(&w);
	if (a->drop_caps) {
		/* Learn which programs are ours while we still may ask. */
		rc = fs_iface_watch_poll(&w, scratch, FS_METRICS_MAX_IFACES);
		if (rc < 0)
			pr_warn_code(rc, "metrics: cannot list interfaces");
		if (fs_drop_privileges(NULL, false)) {
			fs_maps_close_all(&m);
			return EXIT_FAIL;
		}
	}
	rc = a->once ? print_once(&m, &w) : serve(a->listen, &m, &w);
	fs_maps_close_all(&m);
	return rc;
}

static const struct metrics_args metrics_defaults = {.listen =
							     FS_METRICS_LISTEN};

static const struct fs_opt metrics_opts[] = {
	FS_OPT(FS_T_STRING, "listen", 0, struct metrics_args, listen,
	       .metavar = "ADDR:PORT",
	       .help = "serve there (default " FS_METRICS_LISTEN ")"),
	FS_OPT(FS_T_FLAG, "once", 0, struct metrics_args, once,
	       .help = "print one exposition and exit"),
	FS_OPT(FS_T_FLAG, "drop-caps", 0, struct metrics_args, drop_caps,
	       .help = "serve with no capability"),
	FS_OPT_END};

const struct fs_cmd fs_cmd_metrics =
	FS_CMD("metrics", do_metrics, struct metrics_args, metrics_opts,
	       &metrics_defaults,
	       "serve the Prometheus metrics of the pinned maps until "
	       "SIGINT/SIGTERM");
