// SPDX-License-Identifier: GPL-2.0
/* Metrics: the snapshot read from the maps, and its rendering into the
 * Prometheus text format. The two never meet except through struct
 * fs_snapshot: collection knows no metric names, rendering no maps. */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "log.h"
#include "metrics.h"
#include "names.h"
#include "loader.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* The maps of FS_MAPS (maps/tables.h) marked FILL: the label is the
 * map's name without "fs_". */
#define FILL_NAME_(id, field, role, fill, ...) FILL_NAME_##fill(id)
#define FILL_NAME_FILL(id)		       [FS_FILL_##id] = FS_STR(FS_MAP_##id) + 3,
#define FILL_NAME_NOFILL(id)

static const char *const fill_names[FS_FILL_MAX] = {FS_MAPS(FILL_NAME_)};

const char *fs_fill_map_name(unsigned m)
{
	return m < FS_FILL_MAX ? fill_names[m] : "unknown";
}

const char *fs_http_verdict(unsigned r)
{
	const char *name = r < FS_R_MAX ? fs_reason_name(r) : NULL;

	if (!name || strncmp(name, "http_", 5))
		return NULL;
	return name + 5;
}

bool fs_smtp_verdict(unsigned r, const char **cls, const char **verdict)
{
	const char *name = r < FS_R_MAX ? fs_reason_name(r) : NULL;

	if (!name || strncmp(name, "smtp_", 5))
		return false;
	name += 5;
	if (!strncmp(name, "defer_", 6)) {
		*verdict = "defer";
		*cls = name + 6;
	} else if (!strncmp(name, "full_", 5)) {
		*verdict = "full"; /* the class is the pool's name */
		*cls = name + 5;
	} else {
		*verdict = "accept";
		*cls = name;
	}
	return true;
}

/* =====================================================================
 * Rendering. */

/* A label value, escaped as the text format wants: \\, \", \n. */
static void put_label_value(FILE *f, const char *v)
{
	for (; *v; v++) {
		if (*v == '\\')
			fputs("\\\\", f);
		else if (*v == '"')
			fputs("\\\"", f);
		else if (*v == '\n')
			fputs("\\n", f);
		else
			fputc(*v, f);
	}
}

static void family(FILE *f, const char *name, const char *type,
		   const char *help)
{
	fprintf(f, "# HELP " FS_METRICS_PREFIX "%s %s\n", name, help);
	fprintf(f, "# TYPE " FS_METRICS_PREFIX "%s %s\n", name, type);
}

/* One sample. @labels: NULL, or name/value pairs ending with NULL.
 * Values are unsigned: a counter is never printed negative. */
static void sample(FILE *f, const char *name, const char *const *labels,
		   unsigned long long v)
{
	fprintf(f, FS_METRICS_PREFIX "%s", name);
	if (labels && labels[0]) {
		fputc('{', f);
		for (const char *const *l = labels; l[0]; l += 2) {
			fprintf(f, "%s%s=\"", l == labels ? "" : ",", l[0]);
			put_label_value(f, l[1]);
			fputc('"', f);
		}
		fputc('}', f);
	}
	fprintf(f, " %llu\n", v);
}

#define LABELS(...) ((const char *const[]){__VA_ARGS__, NULL})

static void render_reasons(const struct fs_snapshot *s, FILE *f)
{
	bool ok = s->valid & FS_SNAP_COUNTERS;

	family(f, "packets_total", "counter",
	       "Packets by the action taken and its reason (observed packets "
	       "excluded).");
	for (unsigned r = 0; ok && r < FS_R_MAX; r++)
		sample(f, "packets_total",
		       LABELS("action", fs_reason_action(r), "reason",
			      fs_reason_name(r)),
		       s->reasons[r].packets);
	family(f, "bytes_total", "counter",
	       "Bytes of those packets, from the Ethernet header on.");
	for (unsigned r = 0; ok && r < FS_R_MAX; r++)
		sample(f, "bytes_total",
		       LABELS("action", fs_reason_action(r), "reason",
			      fs_reason_name(r)),
		       s->reasons[r].bytes);
	family(f, "observed_packets_total", "counter",
	       "Packets a rule in observe mode would have stopped; they were "
	       "passed.");
	for (unsigned r = 0; ok && r < FS_R_MAX; r++)
		if (fs_reason_drops(r))
			sample(f, "observed_packets_total",
			       LABELS("reason", fs_reason_name(r)),
			       s->reasons[r].observed_packets);
	family(f, "observed_bytes_total", "counter",
	       "Bytes of the packets observe mode passed.");
	for (unsigned r = 0; ok && r < FS_R_MAX; r++)
		if (fs_reason_drops(r))
			sample(f, "observed_bytes_total",
			       LABELS("reason", fs_reason_name(r)),
			       s->reasons[r].observed_bytes);
	family(f, "http_requests_total", "counter",
	       "HTTP requests inspected, by verdict (observed ones included).");
	for (unsigned r = 0; ok && r < FS_R_MAX; r++)
		if (fs_http_verdict(r))
			sample(f, "http_requests_total",
			       LABELS("verdict", fs_http_verdict(r)),
			       s->reasons[r].packets +
				       s->reasons[r].observed_packets);
	family(f, "smtp_connections_total", "counter",
	       "SMTP connection attempts (SYNs), by DNS class of the source "
	       "and "
	       "verdict (observed ones included).");
	for (unsigned r = 0; ok && r < FS_R_MAX; r++) {
		const char *cls, *verdict;

		if (fs_smtp_verdict(r, &cls, &verdict))
			sample(f, "smtp_connections_total",
			       LABELS("class", cls, "verdict", verdict),
			       s->reasons[r].packets +
				       s->reasons[r].observed_packets);
	}
}

static void render_state(const struct fs_snapshot *s, FILE *f)
{
	family(f, "events_total", "counter",
	       "Data-path events: bans made, map inserts refused, records sent "
	       "to the daemon.");
	for (unsigned e = 0; (s->valid & FS_SNAP_EVENTS) && e < FS_E_MAX; e++)
		sample(f, "events_total", LABELS("event", fs_event_name(e)),
		       s->events[e]);
	family(f, "bans_active", "gauge",
	       "Unexpired dynamic bans, of one source (src) or of a prefix.");
	if (s->valid & FS_SNAP_BANS) {
		sample(f, "bans_active", LABELS("kind", "src"), s->bans_src);
		sample(f, "bans_active", LABELS("kind", "prefix"),
		       s->bans_prefix);
	}
	family(f, "tracked_sources", "gauge",
	       "Distinct source addresses with per-source rate state.");
	if (s->valid & FS_SNAP_RATE)
		sample(f, "tracked_sources", NULL, s->tracked_sources);
	family(f, "map_entries", "gauge",
	       "Entries in a map, expired ones included.");
	for (unsigned m = 0; m < FS_FILL_MAX; m++)
		if (s->valid & FS_SNAP_FILL(m))
			sample(f, "map_entries", LABELS("map", fill_names[m]),
			       s->fill[m].entries);
	family(f, "map_capacity", "gauge", "Maximum entries of a map.");
	for (unsigned m = 0; m < FS_FILL_MAX; m++)
		if (s->valid & FS_SNAP_FILL(m))
			sample(f, "map_capacity", LABELS("map", fill_names[m]),
			       s->fill[m].capacity);
	family(f, "syn_pressure", "gauge",
	       "1 while more SYNs than syn.guard came in lately: unproven "
	       "sources' SYNs get cookies.");
	if (s->valid & FS_SNAP_SYN)
		sample(f, "syn_pressure", NULL, s->syn_pressure);
	family(f, "http_suspicion", "gauge",
	       "1 while more bad HTTP requests than http.suspect came in "
	       "lately: suspects' undecided requests are reset.");
	if (s->valid & FS_SNAP_SYN)
		sample(f, "http_suspicion", NULL, s->http_suspicion);
	family(f, "smtp_sessions", "gauge",
	       "Open SMTP sessions per pool: counted from their completed "
	       "handshake to the client's FIN or RST, or smtp.idle.");
	for (unsigned i = 0; (s->valid & FS_SNAP_SMTP) && i < FS_POOL_MAX; i++)
		sample(f, "smtp_sessions",
		       LABELS("class", fs_smtp_pool_name(i)),
		       s->smtp_sessions[i]);
	family(f, "smtp_capacity", "gauge",
	       "SMTP sessions each pool may hold (smtp.capacity and its "
	       "shares; 0: no limit); verified sources may also take any "
	       "free place below the capacity.");
	for (unsigned i = 0; (s->valid & FS_SNAP_SMTP) && i < FS_POOL_MAX; i++)
		sample(f, "smtp_capacity",
		       LABELS("class", fs_smtp_pool_name(i)),
		       s->smtp_capacity[i]);
	family(f, "kernel_syncookies_total", "counter",
	       "The kernel's own SYN cookie counters in the attach network "
	       "namespace (TcpExtSyncookies*): sent by the kernel, ACKs it "
	       "accepted (its cookies and XDP's), ACKs it refused.");
	for (unsigned i = 0; (s->valid & FS_SNAP_KERNEL) && i < FS_KCOOKIE_MAX;
	     i++)
		sample(f, "kernel_syncookies_total",
		       LABELS("result", i == FS_KCOOKIE_SENT   ? "sent"
					: i == FS_KCOOKIE_RECV ? "recv"
							       : "failed"),
		       s->kernel_cookies[i]);
}

/* The daemon's reloads (fs_daemon): those of the daemon running, or of
 * the last one (its counters stay after it stopped); they start from 0
 * when a daemon starts, which Prometheus takes as a counter reset. */
static void render_daemon(const struct fs_snapshot *s, FILE *f)
{
	static const struct {
		unsigned result;
		size_t off;
	} counts[] = {
		{FS_RELOAD_APPLIED, offsetof(struct fs_daemon_state, applied)},
		{FS_RELOAD_REFUSED, offsetof(struct fs_daemon_state, refused)},
		{FS_RELOAD_ROLLED_BACK,
		 offsetof(struct fs_daemon_state, rolled_back)},
	};

	family(f, "config_reloads_total", "counter",
	       "Configuration reloads (SIGHUP) of the daemon since it started, "
	       "by result.");
	for (size_t i = 0;
	     (s->valid & FS_SNAP_DAEMON) && i < ARRAY_SIZE(counts); i++)
		sample(f, "config_reloads_total",
		       LABELS("result",
			      fs_reload_result_name(counts[i].result)),
		       *(const __u64 *)((const char *)&s->daemon +
					counts[i].off));
}

static void render_self(const struct fs_snapshot *s, FILE *f)
{
	unsigned n = s->n_ifaces < FS_METRICS_MAX_IFACES
			     ? s->n_ifaces
			     : FS_METRICS_MAX_IFACES;

	family(f, "interface_attached", "gauge",
	       "1 if floodshield is attached to the interface, in that mode; "
	       "0 (mode none) for a configured or formerly attached "
	       "interface it is not on.");
	for (unsigned i = 0; (s->valid & FS_SNAP_IFACES) && i < n; i++)
		sample(f, "interface_attached",
		       LABELS("interface", s->ifaces[i].name, "mode",
			      s->ifaces[i].attached ? s->ifaces[i].mode
						    : "none"),
		       s->ifaces[i].attached);
	family(f, "scrape_errors_total", "counter",
	       "Map or interface reads that failed while scraping.");
	sample(f, "scrape_errors_total", NULL, s->scrape_errors);
	family(f, "build_info", "gauge", "Always 1; the version is a label.");
	sample(f, "build_info",
	       LABELS("version", s->version ? s->version : FS_VERSION), 1);
}

int fs_metrics_render(const struct fs_snapshot *s, FILE *f)
{
	render_reasons(s, f);
	render_state(s, f);
	render_daemon(s, f);
	render_self(s, f);
	return ferror(f) ? -1 : 0;
}

/* =====================================================================
 * Collection. */

#define WALK_BATCH 4096 /* entries per BPF_MAP_LOOKUP_BATCH */

typedef void (*walk_fn)(void *arg, const void *key, const void *val);

/* Key by key, for maps without batch operations (LPM tries before the
 * kernel gave them the generic ones). Values are read only when @fn wants
 * them. A key deleted under us restarts the walk from the first key, so
 * the walk is bounded by the capacity (a gauge, not an exact census). */
static int walk_keys(int fd, const struct bpf_map_info *mi, walk_fn fn,
		     void *arg, __u64 *count)
{
	__u8 *key = calloc(3, mi->key_size + mi->value_size), *next, *val;
	void *prev = NULL;
	int err = 0;

	if (!key)
		return -ENOMEM;
	next = key + mi->key_size;
	val = next + mi->key_size;
	while (*count < mi->max_entries &&
	       (err = bpf_map_get_next_key(fd, prev, next)) == 0) {
		if (fn && bpf_map_lookup_elem(fd, next, val) == 0)
			fn(arg, next, val);
		(*count)++;
		memcpy(key, next, mi->key_size);
		prev = key;
	}
	free(key);
	return err == -ENOENT || *count == mi->max_entries ? 0 : err;
}

/* Every entry of a map, @WALK_BATCH at a time when the map type allows
 * it (one syscall per batch instead of two per entry). @count: entries
 * seen. */
static int walk(int fd, const struct bpf_map_info *mi, walk_fn fn, void *arg,
		__u64 *count)
{
	/* The batch token: a bucket index (u32) for hash maps, a key for
	 * the maps with the kernel's generic batch ops. */
	size_t tok_size = mi->key_size > sizeof(__u64) ? mi->key_size
						       : sizeof(__u64);
	__u8 *keys = malloc((size_t)WALK_BATCH * mi->key_size);
	__u8 *vals = malloc((size_t)WALK_BATCH * mi->value_size);
	__u8 *tok_in = calloc(2, tok_size), *tok_out = tok_in + tok_size;
	bool first = true;
	int err;

	*count = 0;
	if (!keys || !vals || !tok_in) {
		err = -ENOMEM;
		goto out;
	}
	for (;;) {
		__u32 n = WALK_BATCH;

		err = bpf_map_lookup_batch(fd, first ? NULL : tok_in, tok_out,
					   keys, vals, &n, NULL);
		if (err && err != -ENOENT) {
			if (first) /* no batch ops for this map type */
				err = walk_keys(fd, mi, fn, arg, count);
			break;
		}
		for (__u32 i = 0; fn && i < n; i++)
			fn(arg, keys + (size_t)i * mi->key_size,
			   vals + (size_t)i * mi->value_size);
		*count += n;
		if (err == -ENOENT) {
			err = 0;
			break;
		}
		memcpy(tok_in, tok_out, tok_size);
		first = false;
	}
out:
	free(tok_in);
	free(keys);
	free(vals);
	return err;
}

/* Sum one per-CPU entry of @n u64 fields over every possible CPU. */
static int sum_percpu(int fd, __u32 key, __u64 *out, size_t n)
{
	int ncpu = libbpf_num_possible_cpus();
	__u64 *vals;

	if (ncpu <= 0)
		return ncpu ? ncpu : -EINVAL;
	vals = calloc(ncpu, n * sizeof(__u64));
	if (!vals)
		return -ENOMEM;
	if (bpf_map_lookup_elem(fd, &key, vals)) {
		free(vals);
		return -errno;
	}
	memset(out, 0, n * sizeof(__u64));
	for (int c = 0; c < ncpu; c++)
		for (size_t i = 0; i < n; i++)
			out[i] += vals[(size_t)c * n + i];
	free(vals);
	return 0;
}

static int read_counters(struct fs_snapshot *s, int fd)
{
	for (__u32 r = 0; r < FS_R_MAX; r++) {
		int err = sum_percpu(fd, r, (__u64 *)&s->reasons[r],
				     sizeof(s->reasons[r]) / sizeof(__u64));
		if (err)
			return err;
	}
	return 0;
}

static int read_events(struct fs_snapshot *s, int fd)
{
	for (__u32 e = 0; e < FS_E_MAX; e++) {
		int err = sum_percpu(fd, e, &s->events[e], 1);

		if (err)
			return err;
	}
	return 0;
}

static int map_info(int fd, struct bpf_map_info *mi, __u32 key_size,
		    __u32 value_size)
{
	__u32 len = sizeof(*mi);

	memset(mi, 0, sizeof(*mi));
	if (fd < 0)
		return -EBADF;
	if (bpf_obj_get_info_by_fd(fd, mi, &len))
		return -errno;
	/* A map of another layout (older pins): refuse, do not misread. */
	if ((key_size && mi->key_size != key_size) ||
	    (value_size && mi->value_size != value_size))
		return -EPROTO;
	return 0;
}

struct ban_count {
	__u64 now, src, prefix;
};

/* Active exactly when the data path treats it so: expires_ns 0 (never)
 * or now < expires_ns. */
static void count_ban(void *arg, const void *key, const void *val)
{
	const struct fs_key *k = key;
	const struct fs_ban *b = val;
	struct ban_count *c = arg;

	if (!b->expires_ns || c->now < b->expires_ns)
		(*(k->plen == 128 ? &c->src : &c->prefix))++;
}

struct sources {
	__u8 (*addr)[16];
	size_t n, cap;
	__u64 used; /* slots holding a key */
	bool nomem;
};

/* One slot of the rate table: counted if used, its address kept if it
 * is a per-source key. */
static void add_source(void *arg, const void *key, const void *val)
{
	const struct fs_key *k = &((const struct fs_rate_slot *)val)->key;
	struct sources *s = arg;

	(void)key;
	if (k->bucket == FS_B_NONE)
		return;
	s->used++;
	if (k->plen != 128 || s->nomem)
		return;
	if (s->n == s->cap) {
		size_t cap = s->cap ? 2 * s->cap : 1024;
		void *p = realloc(s->addr, cap * sizeof(*s->addr));

		if (!p) {
			s->nomem = true;
			return;
		}
		s->addr = p;
		s->cap = cap;
	}
	memcpy(s->addr[s->n++], k->addr, 16);
}

/* A slot of the flows table that holds a flow. */
static void count_flow(void *arg, const void *key, const void *val)
{
	const struct fs_flow_slot *f = val;

	(void)key;
	if (f->v.reset_ns || f->key.sport)
		(*(__u64 *)arg)++;
}

/* A slot of the proven table that holds a source (live or not). */
static void count_proven(void *arg, const void *key, const void *val)
{
	const struct fs_proven_slot *p = val;

	(void)key;
	if (p->last_ns)
		(*(__u64 *)arg)++;
}

static int cmp_addr(const void *a, const void *b)
{
	return memcmp(a, b, 16);
}

/* Distinct addresses among the per-source keys (one per bucket). */
static __u64 distinct(struct sources *s)
{
	__u64 n = 0;

	if (!s->n)
		return 0;
	qsort(s->addr, s->n, sizeof(*s->addr), cmp_addr);
	for (size_t i = 0; i < s->n; i++)
		if (i == 0 || memcmp(s->addr[i], s->addr[i - 1], 16))
			n++;
	return n;
}

struct fill_def {
	enum fs_fill_map id;
	size_t fd_off;
	__u32 key_size, value_size;
	const char *name;
};

#define FILL_DEF_(id, field, role, fill, ksz, vsz, doc) \
	FILL_DEF_##fill(id, field, ksz, vsz)
#define FILL_DEF_FILL(id, field, ksz, vsz)                           \
	{FS_FILL_##id, offsetof(struct fs_map_fds, field), ksz, vsz, \
	 FS_STR(FS_MAP_##id)},
#define FILL_DEF_NOFILL(...)

static const struct fill_def fills[] = {FS_MAPS(FILL_DEF_)};

/* Fill of one map; bans and rate are also counted by content. */
static int read_fill(struct fs_snapshot *s, const struct fs_map_fds *m,
		     const struct fill_def *d, __u64 now)
{
	int fd = *(const int *)((const char *)m + d->fd_off);
	struct ban_count bans = {.now = now};
	struct sources src = {};
	struct bpf_map_info mi;
	walk_fn fn = NULL;
	void *arg = NULL;
	int err;

	err = map_info(fd, &mi, d->key_size, d->value_size);
	if (err)
		return err;
	if (d->id == FS_FILL_BANS)
		fn = count_ban, arg = &bans;
	else if (d->id == FS_FILL_RATE)
		fn = add_source, arg = &src;
	else if (d->id == FS_FILL_FLOWS)
		fn = count_flow, arg = &src.used;
	else if (d->id == FS_FILL_PROVEN)
		fn = count_proven, arg = &src.used;
	err = walk(fd, &mi, fn, arg, &s->fill[d->id].entries);
	if (!err && src.nomem)
		err = -ENOMEM;
	if (!err) {
		s->fill[d->id].capacity = mi.max_entries;
		s->valid |= FS_SNAP_FILL(d->id);
		if (d->id == FS_FILL_BANS) {
			s->bans_src = bans.src;
			s->bans_prefix = bans.prefix;
			s->valid |= FS_SNAP_BANS;
		} else if (d->id == FS_FILL_FLOWS || d->id == FS_FILL_PROVEN) {
			s->fill[d->id].entries =
				src.used; /* not the array size */
		} else if (d->id == FS_FILL_RATE) {
			s->fill[d->id].entries = src.used;
			s->tracked_sources = distinct(&src);
			s->valid |= FS_SNAP_RATE;
		}
	}
	free(src.addr);
	return err;
}

/* The one entry of fs_daemon. A pin folder an older build made has none
 * (fd -1) until the next load adds it: a failed read, said each scrape. */
static int read_daemon(struct fs_snapshot *s, int fd)
{
	struct bpf_map_info mi;
	__u32 zero = 0;
	int err = map_info(fd, &mi, sizeof(zero), sizeof(s->daemon));

	if (err)
		return err;
	return bpf_map_lookup_elem_flags(fd, &zero, &s->daemon, BPF_F_LOCK)
		       ? -errno
		       : 0;
}

int fs_kernel_syncookies(const char *path, __u64 out[FS_KCOOKIE_MAX])
{
	static const char *const names[FS_KCOOKIE_MAX] = {
		"SyncookiesSent",
		"SyncookiesRecv",
		"SyncookiesFailed",
	};
	char head[4096], vals[4096], *hs, *vs, *h, *v;
	unsigned found = 0;
	FILE *f = fopen(path, "r");
	int err = -ENOENT;

	if (!f)
		return -errno;
	/* pairs of lines: "TcpExt: Name ..." then "TcpExt: value ..." */
	while (fgets(head, sizeof(head), f) && fgets(vals, sizeof(vals), f)) {
		if (strncmp(head, "TcpExt:", 7) || strncmp(vals, "TcpExt:", 7))
			continue;
		h = strtok_r(head + 7, " \n", &hs);
		v = strtok_r(vals + 7, " \n", &vs);
		for (; h && v; h = strtok_r(NULL, " \n", &hs),
			       v = strtok_r(NULL, " \n", &vs))
			for (unsigned i = 0; i < FS_KCOOKIE_MAX; i++)
				if (!strcmp(h, names[i])) {
					out[i] = strtoull(v, NULL, 10);
					found |= 1u << i;
				}
		err = found == (1u << FS_KCOOKIE_MAX) - 1 ? 0 : -ENOENT;
		break;
	}
	fclose(f);
	return err;
}

/* Whether the SYN path is under pressure now, and whether the HTTP
 * suspicion window is open (fs_syn). */
static int read_syn(struct fs_snapshot *s, int fd, __u64 now)
{
	struct fs_syn_state st;
	struct bpf_map_info mi;
	__u32 zero = 0;
	int err = map_info(fd, &mi, sizeof(__u32), sizeof(st));

	if (err)
		return err;
	if (bpf_map_lookup_elem(fd, &zero, &st))
		return -errno;
	s->syn_pressure = now < st.pressure_until_ns;
	s->http_suspicion = now < st.suspect_until_ns;
	return 0;
}

/* Open sessions of each SMTP pool (fs_smtp_pools) and the places the
 * settings (fs_cfg) give it. */
static int read_smtp(struct fs_snapshot *s, const struct fs_map_fds *m)
{
	struct fs_smtp_pool p;
	struct fs_cfg cfg;
	__u32 zero = 0;

	if (m->smtp_pools < 0 || m->cfg < 0)
		return -EBADF;
	if (bpf_map_lookup_elem(m->cfg, &zero, &cfg))
		return -errno;
	for (__u32 i = 0; i < FS_POOL_MAX; i++) {
		if (bpf_map_lookup_elem(m->smtp_pools, &i, &p))
			return -errno;
		s->smtp_sessions[i] =
			fs_smtp_pool_open(p.opened, p.closed, p.swept);
		s->smtp_capacity[i] = fs_smtp_pool_cap(&cfg, i);
	}
	return 0;
}

static unsigned failed(const char *what, int err)
{
	pr_warn("metrics: cannot read %s: %s\n", what,
		err == -EPROTO ? "its key or value size is not this build's "
				 "(pinned by another version?)"
			       : strerror(-err));
	return 1;
}

unsigned fs_snapshot_collect(struct fs_snapshot *s, const struct fs_map_fds *m,
			     __u64 now_ns, fs_iface_fn ifaces, void *arg)
{
	unsigned errors = 0;
	int err;

	memset(s, 0, sizeof(*s));
	err = m->stats >= 0 ? read_counters(s, m->stats) : -EBADF;
	if (err)
		errors += failed(FS_STR(FS_MAP_STATS), err);
	else
		s->valid |= FS_SNAP_COUNTERS;
	err = m->events >= 0 ? read_events(s, m->events) : -EBADF;
	if (err)
		errors += failed(FS_STR(FS_MAP_EVENTS), err);
	else
		s->valid |= FS_SNAP_EVENTS;
	for (size_t i = 0; i < ARRAY_SIZE(fills); i++) {
		err = read_fill(s, m, &fills[i], now_ns);
		if (err)
			errors += failed(fills[i].name, err);
	}
	err = read_daemon(s, m->daemon);
	if (err)
		errors += failed(FS_STR(FS_MAP_DAEMON), err);
	else
		s->valid |= FS_SNAP_DAEMON;
	err = read_syn(s, m->syn, now_ns);
	if (err)
		errors += failed(FS_STR(FS_MAP_SYN), err);
	else
		s->valid |= FS_SNAP_SYN;
	err = read_smtp(s, m);
	if (err)
		errors += failed(FS_STR(FS_MAP_SMTP_POOLS), err);
	else
		s->valid |= FS_SNAP_SMTP;
	err = fs_kernel_syncookies("/proc/net/netstat", s->kernel_cookies);
	if (err)
		errors += failed("/proc/net/netstat", err);
	else
		s->valid |= FS_SNAP_KERNEL;
	if (ifaces) {
		int n = ifaces(arg, s->ifaces, FS_METRICS_MAX_IFACES);

		if (n < 0) {
			errors += failed("interface attach state", n);
		} else {
			s->n_ifaces = (unsigned)n < FS_METRICS_MAX_IFACES
					      ? (unsigned)n
					      : FS_METRICS_MAX_IFACES;
			s->valid |= FS_SNAP_IFACES;
		}
	} else {
		s->valid |= FS_SNAP_IFACES; /* none to report */
	}
	return errors;
}
