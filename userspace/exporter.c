// SPDX-License-Identifier: GPL-2.0
/* The HTTP side of the metrics (libmicrohttpd, its own thread), the
 * listen address parser, and the capability-free attach-state watch. */
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
#include "log.h"
#include "metrics.h"
#include "cli.h"
#include "settings.h"
#include "../loader/loader.h"

/* =====================================================================
 * Listen address. */

/* 0-65535 (0: any free port), in network order. */
static int parse_port(const char *s, in_port_t *port)
{
	int v = fs_parse_port(s);

	if (v < 0)
		return -1;
	*port = htons(v);
	return 0;
}

int fs_listen_parse(const char *text, struct sockaddr_storage *ss,
		    socklen_t *len, char *err, size_t errlen)
{
	char host[INET6_ADDRSTRLEN + 2];
	const char *colon, *h = host;
	size_t hlen;
	in_port_t port;

	memset(ss, 0, sizeof(*ss));
	colon = text ? strrchr(text, ':') : NULL;
	if (!colon || colon == text)
		goto bad;
	hlen = colon - text;
	if (hlen >= sizeof(host))
		goto bad;
	memcpy(host, text, hlen);
	host[hlen] = '\0';
	if (parse_port(colon + 1, &port)) {
		snprintf(err, errlen, "'%s': the port must be 0-65535", text);
		return -1;
	}
	if (host[0] == '[') {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)ss;

		if (hlen < 3 || host[hlen - 1] != ']')
			goto bad;
		host[hlen - 1] = '\0';
		h = host + 1;
		if (inet_pton(AF_INET6, h, &a->sin6_addr) != 1)
			goto bad;
		a->sin6_family = AF_INET6;
		a->sin6_port = port;
		*len = sizeof(*a);
	} else {
		struct sockaddr_in *a = (struct sockaddr_in *)ss;

		if (inet_pton(AF_INET, h, &a->sin_addr) != 1)
			goto bad;
		a->sin_family = AF_INET;
		a->sin_port = port;
		*len = sizeof(*a);
	}
	return 0;
bad:
	snprintf(err, errlen, "'%s': expected IPv4:PORT or [IPv6]:PORT "
		 "(address literals, e.g. " FS_METRICS_LISTEN " or [::1]:%u)",
		 text ? text : "", FS_METRICS_PORT);
	return -1;
}

/* =====================================================================
 * Attach state from netlink, see struct fs_iface_watch. */

/* Mode name of @id among the programs netlink reports, or NULL. */
static const char *mode_of(const struct bpf_xdp_query_opts *q, __u32 id)
{
	if (!id)
		return NULL;
	if (q->drv_prog_id == id)
		return "native";
	if (q->skb_prog_id == id)
		return "generic";
	if (q->hw_prog_id == id)
		return "hw";
	if (q->prog_id == id)
		return q->attach_mode == XDP_ATTACHED_SKB ? "generic" :
		       q->attach_mode == XDP_ATTACHED_HW ? "hw" : "native";
	return NULL;
}

/* The top-level program id in attach mode @mode. */
static __u32 id_of(const struct bpf_xdp_query_opts *q, enum xdp_attach_mode mode)
{
	__u32 id = mode == XDP_MODE_SKB ? q->skb_prog_id :
		   mode == XDP_MODE_HW ? q->hw_prog_id : q->drv_prog_id;

	return id ? id : q->prog_id;
}

void fs_iface_watch_init(struct fs_iface_watch *w)
{
	memset(w, 0, sizeof(*w));
}

/* Forget entries whose interface is gone (or renamed, or whose index
 * went to another interface). */
static void watch_prune(struct fs_iface_watch *w, const struct if_nameindex *ifs)
{
	unsigned j = 0;

	for (unsigned i = 0; i < w->n; i++) {
		const struct if_nameindex *x = ifs;

		while (x->if_index && ((int)x->if_index != w->e[i].ifindex ||
				       strcmp(x->if_name, w->e[i].name)))
			x++;
		if (x->if_index)
			w->e[j++] = w->e[i];
	}
	w->n = j;
}

static int watch_find(struct fs_iface_watch *w, int ifindex)
{
	for (unsigned i = 0; i < w->n; i++)
		if (w->e[i].ifindex == ifindex)
			return i;
	return -1;
}

/* Ask libxdp (needs CAP_SYS_ADMIN) whether the program on @ifx is ours;
 * learn its top-level id if so. Index of the entry, or -1. */
static int watch_learn(struct fs_iface_watch *w, const struct if_nameindex *ifx,
		       const struct bpf_xdp_query_opts *q, int i)
{
	struct fs_attach_info info;
	int err = fs_attach_query(ifx->if_index, &info);

	if (err == -EPERM || err == -EACCES) {
		pr_warn("metrics: no privilege to identify XDP programs; "
			"attach state from the program ids learned so far\n");
		w->unprivileged = true;
		return i;
	}
	if (err || !info.attached) {
		if (i >= 0)
			w->e[i].prog_id = 0;
		return i;
	}
	if (i < 0) {
		if (w->n == FS_METRICS_MAX_IFACES)
			return -1;
		i = w->n++;
		w->e[i].ifindex = ifx->if_index;
		snprintf(w->e[i].name, sizeof(w->e[i].name), "%s", ifx->if_name);
	}
	w->e[i].prog_id = id_of(q, info.mode);
	return i;
}

int fs_iface_watch_poll(void *arg, struct fs_iface_state *out, unsigned max)
{
	struct fs_iface_watch *w = arg;
	struct if_nameindex *ifs = if_nameindex(), *x;
	unsigned n = 0;

	if (!ifs)
		return -errno;
	watch_prune(w, ifs);
	for (x = ifs; x->if_index && n < max; x++) {
		LIBBPF_OPTS(bpf_xdp_query_opts, q);
		const char *mode;
		int i;

		if (bpf_xdp_query(x->if_index, 0, &q))
			continue;	/* gone meanwhile */
		i = watch_find(w, x->if_index);
		mode = i >= 0 ? mode_of(&q, w->e[i].prog_id) : NULL;
		if (!mode && q.attach_mode != XDP_ATTACHED_NONE && !w->unprivileged) {
			i = watch_learn(w, x, &q, i);
			mode = i >= 0 ? mode_of(&q, w->e[i].prog_id) : NULL;
		}
		if (i < 0)
			continue;	/* never ours */
		if (!mode)
			w->e[i].prog_id = 0;
		snprintf(out[n].name, sizeof(out[n].name), "%s", x->if_name);
		out[n].attached = mode != NULL;
		snprintf(out[n].mode, sizeof(out[n].mode), "%s", mode ? mode : "none");
		n++;
	}
	if_freenameindex(ifs);
	return n;
}

/* =====================================================================
 * HTTP. */

static struct {
	struct MHD_Daemon *daemon;
	const struct fs_map_fds *maps;
	fs_iface_fn ifaces;
	void *arg;
	pthread_mutex_t lock;	/* one scrape at a time; guards errors */
	__u64 errors;
} ex = { .lock = PTHREAD_MUTEX_INITIALIZER };

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
	struct MHD_Response *r = MHD_create_response_from_buffer(len, body, mem);
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
	if (strcmp(method, MHD_HTTP_METHOD_GET) && strcmp(method, MHD_HTTP_METHOD_HEAD))
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
	pr_warn("metrics: %s%s", msg, msg[0] && msg[strlen(msg) - 1] == '\n' ? "" : "\n");
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
	port = ss.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&ss)->sin6_port :
	       ((struct sockaddr_in *)&ss)->sin_port;
	ex.daemon = MHD_start_daemon(flags, ntohs(port), NULL, NULL,
		handle, NULL,
		MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL,
		MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
		MHD_OPTION_CONNECTION_LIMIT, 16u,
		MHD_OPTION_CONNECTION_TIMEOUT, 10u,
		MHD_OPTION_END);
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
