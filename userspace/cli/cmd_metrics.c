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
	printf("serving http://%.*s:%u/metrics\n", (int)(colon - listen), listen,
	       fs_exporter_port());
	fflush(stdout);
	while (sigwait(&set, &sig))
		;
	pr_info("metrics: signal %d, stopping\n", sig);
	fs_exporter_stop();
	return 0;
}

int do_metrics(struct fs_ctx *ctx, int argc, char **argv)
{
	struct fs_iface_state scratch[FS_METRICS_MAX_IFACES];
	const char *listen = FS_METRICS_LISTEN;
	struct sockaddr_storage ss;
	struct fs_iface_watch w;
	bool once = false, drop = false;
	struct fs_map_fds m;
	socklen_t sslen;
	char err[160];
	int rc;

	for (int i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "--listen") && i + 1 < argc) {
			listen = argv[++i];
		} else if (!strcmp(argv[i], "--once")) {
			once = true;
		} else if (!strcmp(argv[i], "--drop-caps")) {
			drop = true;
		} else {
			pr_err("metrics: unexpected argument '%s'\n", argv[i]);
			return EXIT_USAGE;
		}
	}
	if (fs_listen_parse(listen, &ss, &sslen, err, sizeof(err))) {
		pr_err("--listen: %s\n", err);
		return EXIT_USAGE;
	}
	if (fs_maps_open_all(ctx->pin_dir, &m))
		return EXIT_FAIL;
	fs_iface_watch_init(&w);
	if (drop) {
		/* Learn which programs are ours while we still may ask. */
		rc = fs_iface_watch_poll(&w, scratch, FS_METRICS_MAX_IFACES);
		if (rc < 0)
			pr_warn("metrics: cannot list interfaces: %s\n", strerror(-rc));
		if (fs_drop_privileges()) {
			fs_maps_close_all(&m);
			return EXIT_FAIL;
		}
	}
	rc = once ? print_once(&m, &w) : serve(listen, &m, &w);
	fs_maps_close_all(&m);
	return rc;
}
