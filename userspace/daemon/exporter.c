// SPDX-License-Identifier: GPL-2.0
/* The HTTP side of the metrics: libmicrohttpd, its own thread. */
#include <arpa/inet.h>
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <linux/if_link.h>
#include <bpf/libbpf.h>
#include <microhttpd.h>
#include "../../loader/log.h"
#include "exporter.h"
#include "../../loader/metrics.h"
#include "../../loader/util.h"
#include "../../loader/settings.h"
#include "../../loader/loader.h"
#include "../../loader/addr.h"

/* =====================================================================
 * HTTP. */

static struct {
	struct MHD_Daemon *daemon;
	const struct fs_map_fds *maps;
	fs_iface_fn ifaces;
	void *arg;
	pthread_mutex_t lock; /* one scrape at a time; guards errors */
	__u64 errors;
} ex = {.lock = PTHREAD_MUTEX_INITIALIZER};

/* Collect and render into a malloc'ed buffer. */
static char *scrape(size_t *len)
{
	struct fs_snapshot *s = malloc(sizeof(*s));
	char *buf = NULL;
	FILE *f;

	*len = 0;
	if (!s)
		return NULL;
	pthread_mutex_lock(&ex.lock);
	ex.errors += fs_snapshot_collect(s, ex.maps, fs_mono_ns(), ex.ifaces,
					 ex.arg);
	s->scrape_errors = ex.errors;
	f = open_memstream(&buf, len);
	if (f && fs_metrics_render(s, f)) {
		fclose(f);
		free(buf);
		buf = NULL;
		f = NULL;
	}
	if (f)
		fclose(f);
	pthread_mutex_unlock(&ex.lock);
	free(s);
	return buf;
}

static enum MHD_Result reply(struct MHD_Connection *c, unsigned status,
			     const char *type, char *body, size_t len,
			     enum MHD_ResponseMemoryMode mem)
{
	struct MHD_Response *r =
		MHD_create_response_from_buffer(len, body, mem);
	enum MHD_Result ret;

	if (!r) {
		if (mem == MHD_RESPMEM_MUST_FREE)
			free(body);
		return MHD_NO;
	}
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	if (status == MHD_HTTP_METHOD_NOT_ALLOWED)
		MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, "GET, HEAD");
	ret = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	return ret;
}

static enum MHD_Result reply_text(struct MHD_Connection *c, unsigned status,
				  const char *text)
{
	return reply(c, status, "text/plain; charset=utf-8", (char *)text,
		     strlen(text), MHD_RESPMEM_PERSISTENT);
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *c,
			      const char *url, const char *method,
			      const char *version, const char *upload,
			      size_t *upload_len, void **con_cls)
{
	char *body;
	size_t len;

	(void)cls, (void)version, (void)upload, (void)upload_len, (void)con_cls;
	if (strcmp(url, "/metrics"))
		return reply_text(c, MHD_HTTP_NOT_FOUND,
				  "not found: metrics are at /metrics\n");
	if (strcmp(method, MHD_HTTP_METHOD_GET) &&
	    strcmp(method, MHD_HTTP_METHOD_HEAD))
		return reply_text(c, MHD_HTTP_METHOD_NOT_ALLOWED,
				  "method not allowed: use GET\n");
	body = scrape(&len);
	if (!body)
		return reply_text(c, MHD_HTTP_INTERNAL_SERVER_ERROR,
				  "cannot render the metrics\n");
	return reply(c, MHD_HTTP_OK, FS_METRICS_CONTENT_TYPE, body, len,
		     MHD_RESPMEM_MUST_FREE);
}

static void mhd_log(void *cls, const char *fmt, va_list ap)
{
	char msg[256];

	(void)cls;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	pr_warn("metrics: %s%s", msg,
		msg[0] && msg[strlen(msg) - 1] == '\n' ? "" : "\n");
}

int fs_exporter_start(const char *listen, const struct fs_map_fds *m,
		      fs_iface_fn ifaces, void *arg)
{
	struct sockaddr_storage ss;
	unsigned flags = MHD_USE_AUTO_INTERNAL_THREAD | MHD_USE_ERROR_LOG;
	socklen_t sslen;
	in_port_t port;
	char err[160];

	if (ex.daemon) {
		pr_err("metrics: the exporter runs already\n");
		return -1;
	}
	if (!listen)
		listen = FS_METRICS_LISTEN;
	if (fs_listen_parse(listen, &ss, &sslen, err, sizeof(err))) {
		pr_err("metrics: listen address %s\n", err);
		return -1;
	}
	if (ss.ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	ex.maps = m;
	ex.ifaces = ifaces;
	ex.arg = arg;
	ex.errors = 0;
	port = ss.ss_family == AF_INET6
		       ? ((struct sockaddr_in6 *)&ss)->sin6_port
		       : ((struct sockaddr_in *)&ss)->sin_port;
	ex.daemon = MHD_start_daemon(
		flags, ntohs(port), NULL, NULL, handle, NULL,
		MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL, MHD_OPTION_SOCK_ADDR,
		(struct sockaddr *)&ss, MHD_OPTION_CONNECTION_LIMIT, 16u,
		MHD_OPTION_CONNECTION_TIMEOUT, 10u, MHD_OPTION_END);
	if (!ex.daemon) {
		pr_err("metrics: cannot listen on %s\n", listen);
		return -1;
	}
	return 0;
}

unsigned fs_exporter_port(void)
{
	const union MHD_DaemonInfo *i;

	if (!ex.daemon)
		return 0;
	i = MHD_get_daemon_info(ex.daemon, MHD_DAEMON_INFO_BIND_PORT);
	return i ? i->port : 0;
}

void fs_exporter_stop(void)
{
	if (ex.daemon)
		MHD_stop_daemon(ex.daemon);
	ex.daemon = NULL;
}
