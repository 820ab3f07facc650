// SPDX-License-Identifier: GPL-2.0
/* The HTTP side of the metrics: libmicrohttpd, its own thread. */
#include <arpa/inet.h>
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <linux/if_link.h>
#include <bpf/libbpf.h>
#include <microhttpd.h>
#include "../../loader/log.h"
#include "exporter.h"
#include "peer.h"
#include "../../loader/metrics.h"
#include "../../loader/util.h"
#include "../../loader/settings.h"
#include "../../loader/loader.h"
#include "../../loader/addr.h"

const struct fs_exporter_limits fs_exporter_defaults = {
	.per_client = 4,
	.total = 32,
	.read_timeout_s = 5,
	.deadline_ms = 10000,
	.log_burst = 10,
	.log_window_s = 60,
};

/* One open connection, from libmicrohttpd's start notice to its close
 * notice (its socket context). */
struct conn {
	bool used, cut;
	int fd;
	struct fs_peer peer;
	unsigned long long since_ns; /* connection or last request done */
};

static struct {
	struct MHD_Daemon *daemon;
	const struct fs_map_fds *maps;
	fs_iface_fn ifaces;
	void *arg;
	pthread_mutex_t lock; /* one scrape at a time; guards errors */
	__u64 errors;
	struct fs_exporter_limits lim;
	/* connections: guarded by conn_lock; the watchdog cuts late ones */
	pthread_mutex_t conn_lock;
	struct conn conns[FS_EXPORTER_MAX_CONN];
	pthread_t watchdog;
	pthread_cond_t wake;
	bool stopping, watching;
	/* log lines of the exporter's threads, guarded by log_lock */
	pthread_mutex_t log_lock;
	struct fs_ratelimit rl;
} ex = {.lock = PTHREAD_MUTEX_INITIALIZER,
	.conn_lock = PTHREAD_MUTEX_INITIALIZER,
	.wake = PTHREAD_COND_INITIALIZER,
	.log_lock = PTHREAD_MUTEX_INITIALIZER};

/* ---------------------------------------------------------------------
 * Log lines, rate-limited: a client can make one per request. */

static void ex_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void ex_log(const char *fmt, ...)
{
	char msg[256];
	unsigned k;
	bool ok;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	pthread_mutex_lock(&ex.log_lock);
	ok = fs_ratelimit_ok(&ex.rl, fs_mono_ns(), &k);
	pthread_mutex_unlock(&ex.log_lock);
	if (k)
		pr_warn("metrics: %u more messages suppressed\n", k);
	if (ok)
		pr_warn("metrics: %s%s", msg,
			msg[0] && msg[strlen(msg) - 1] == '\n' ? "" : "\n");
}

static void ex_log_flush(void)
{
	unsigned k;

	pthread_mutex_lock(&ex.log_lock);
	k = fs_ratelimit_flush(&ex.rl, fs_mono_ns());
	pthread_mutex_unlock(&ex.log_lock);
	if (k)
		pr_warn("metrics: %u more messages suppressed\n", k);
}

/* ---------------------------------------------------------------------
 * Connections: per-client limit, deadline. */

static int conn_fd(struct MHD_Connection *c)
{
	const union MHD_ConnectionInfo *i =
		MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);

	return i ? i->connect_fd : -1;
}

/* A new connection: take a slot, or close it when its client holds
 * per_client already (libmicrohttpd sees the end of its stream). */
static void conn_start(struct MHD_Connection *c, void **ctx)
{
	struct fs_peer peer;
	struct conn *free_slot = NULL;
	unsigned held = 0;
	char who[FS_CIDR_STRLEN];
	int fd = conn_fd(c);

	if (fd < 0 || fs_peer_of(fd, &peer)) {
		if (fd >= 0)
			shutdown(fd, SHUT_RDWR);
		return;
	}
	pthread_mutex_lock(&ex.conn_lock);
	for (unsigned i = 0; i < ex.lim.total; i++) {
		struct conn *k = &ex.conns[i];

		if (!k->used)
			free_slot = free_slot ? free_slot : k;
		else if (fs_peer_eq(&k->peer, &peer))
			held++;
	}
	if (held < ex.lim.per_client && free_slot) {
		*free_slot = (struct conn){.used = true,
					   .fd = fd,
					   .peer = peer,
					   .since_ns = fs_mono_ns()};
		*ctx = free_slot;
	}
	pthread_mutex_unlock(&ex.conn_lock);
	if (*ctx)
		return;
	shutdown(fd, SHUT_RDWR);
	fs_peer_format(&peer, who, sizeof(who));
	ex_log("%s holds %u connections: one more refused", who, held);
}

static void notify_conn(void *cls, struct MHD_Connection *c, void **ctx,
			enum MHD_ConnectionNotificationCode toe)
{
	(void)cls;
	if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
		conn_start(c, ctx);
	} else if (*ctx) {
		pthread_mutex_lock(&ex.conn_lock);
		((struct conn *)*ctx)->used = false;
		pthread_mutex_unlock(&ex.conn_lock);
		*ctx = NULL;
	}
}

/* A request done: the next one's deadline counts from now. */
static void request_done(void *cls, struct MHD_Connection *c, void **con_cls,
			 enum MHD_RequestTerminationCode toe)
{
	const union MHD_ConnectionInfo *i =
		MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
	struct conn *k = i ? i->socket_context : NULL;

	(void)cls, (void)con_cls, (void)toe;
	if (!k)
		return;
	pthread_mutex_lock(&ex.conn_lock);
	if (k->used)
		k->since_ns = fs_mono_ns();
	pthread_mutex_unlock(&ex.conn_lock);
}

/* Close (shutdown: libmicrohttpd then sees the end of the stream and
 * frees the connection) each connection past its deadline. The slot's
 * fd is open while the slot is used: the close notice comes first. */
static void cut_late(unsigned long long now)
{
	unsigned long long limit = ex.lim.deadline_ms * 1000000ull;
	char who[FS_CIDR_STRLEN];

	for (unsigned i = 0; i < ex.lim.total; i++) {
		struct conn *k = &ex.conns[i];

		pthread_mutex_lock(&ex.conn_lock);
		if (k->used && !k->cut && now - k->since_ns > limit) {
			shutdown(k->fd, SHUT_RDWR);
			k->cut = true;
			fs_peer_format(&k->peer, who, sizeof(who));
		} else {
			who[0] = '\0';
		}
		pthread_mutex_unlock(&ex.conn_lock);
		if (who[0])
			ex_log("%s: request not done within %u ms: connection "
			       "closed",
			       who, ex.lim.deadline_ms);
	}
}

static void *watchdog(void *arg)
{
	/* a quarter of the deadline, between 10 ms and 1 s */
	unsigned tick_ms = ex.lim.deadline_ms / 4;

	(void)arg;
	tick_ms = tick_ms < 10 ? 10 : tick_ms > 1000 ? 1000 : tick_ms;
	pthread_mutex_lock(&ex.conn_lock);
	while (!ex.stopping) {
		struct timespec ts;

		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_nsec += (tick_ms % 1000) * 1000000l;
		ts.tv_sec += tick_ms / 1000 + ts.tv_nsec / 1000000000l;
		ts.tv_nsec %= 1000000000l;
		pthread_cond_timedwait(&ex.wake, &ex.conn_lock, &ts);
		if (ex.stopping)
			break;
		pthread_mutex_unlock(&ex.conn_lock);
		cut_late(fs_mono_ns());
		ex_log_flush();
		pthread_mutex_lock(&ex.conn_lock);
	}
	pthread_mutex_unlock(&ex.conn_lock);
	return NULL;
}

/* =====================================================================
 * HTTP. */

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
	ex_log("%s", msg);
}

static bool limits_ok(const struct fs_exporter_limits *l)
{
	return l->per_client >= 1 && l->per_client <= l->total &&
	       l->total <= FS_EXPORTER_MAX_CONN && l->read_timeout_s >= 1 &&
	       l->deadline_ms >= 1 && l->log_window_s >= 1;
}

int fs_exporter_start(const char *listen, const struct fs_map_fds *m,
		      fs_iface_fn ifaces, void *arg)
{
	return fs_exporter_start_limits(listen, m, ifaces, arg,
					&fs_exporter_defaults);
}

int fs_exporter_start_limits(const char *listen, const struct fs_map_fds *m,
			     fs_iface_fn ifaces, void *arg,
			     const struct fs_exporter_limits *lim)
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
	if (!limits_ok(lim)) {
		pr_err("metrics: exporter limits out of range\n");
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
	ex.lim = *lim;
	memset(ex.conns, 0, sizeof(ex.conns));
	ex.rl = (struct fs_ratelimit){.burst = lim->log_burst,
				      .window_ns =
					      lim->log_window_s * NSEC_PER_SEC};
	ex.stopping = false;
	port = ss.ss_family == AF_INET6
		       ? ((struct sockaddr_in6 *)&ss)->sin6_port
		       : ((struct sockaddr_in *)&ss)->sin_port;
	ex.daemon = MHD_start_daemon(
		flags, ntohs(port), NULL, NULL, handle, NULL,
		MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL, MHD_OPTION_SOCK_ADDR,
		(struct sockaddr *)&ss, MHD_OPTION_CONNECTION_LIMIT, lim->total,
		MHD_OPTION_CONNECTION_TIMEOUT, lim->read_timeout_s,
		MHD_OPTION_NOTIFY_CONNECTION, notify_conn, NULL,
		MHD_OPTION_NOTIFY_COMPLETED, request_done, NULL,
		MHD_OPTION_END);
	if (!ex.daemon) {
		pr_err("metrics: cannot listen on %s\n", listen);
		return -1;
	}
	if (pthread_create(&ex.watchdog, NULL, watchdog, NULL)) {
		pr_err("metrics: cannot start the exporter's watchdog\n");
		MHD_stop_daemon(ex.daemon);
		ex.daemon = NULL;
		return -1;
	}
	ex.watching = true;
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
	if (ex.watching) {
		pthread_mutex_lock(&ex.conn_lock);
		ex.stopping = true;
		pthread_cond_signal(&ex.wake);
		pthread_mutex_unlock(&ex.conn_lock);
		pthread_join(ex.watchdog, NULL);
		ex.watching = false;
	}
	if (ex.daemon)
		MHD_stop_daemon(ex.daemon);
	ex.daemon = NULL;
}
