// SPDX-License-Identifier: GPL-2.0
/* hosts add|del|list|own|import: the served HTTP hosts, written through
 * the one writer (loader/lists.h), and the own addresses (read only).
 * After each change the prints and the served-host bits (fs_hostfp)
 * follow the map: the served-host check is on while it holds a name,
 * wildcard lookups while it holds a wildcard. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include "cli.h"
#include "../../loader/addr.h"
#include "../../loader/hosts.h"
#include "../../loader/log.h"
#include "../../loader/own.h"
#include "../../loader/sync.h"
#include "../../loader/lists.h"
#include "../../loader/loader.h"

struct hosts_ctx {
	struct fs_map_fds m;
	int added, skipped, failed, listed;
	bool quiet;
	bool conf_owned; /* the daemon's file owns its hosts (origin config) */
	const char *owner;
	struct fs_cfg cfg; /* the pinned settings: who owns the hosts */
};

/* The arguments of every hosts command. */
struct hosts_args {
	struct fs_arg_list names; /* add */
	const char *name;	  /* del */
	int server;		  /* import: enum server */
	const char *from, *config;
	bool force; /* import despite what it cannot express */
};

enum server { SERVER_NGINX, SERVER_APACHE, SERVER_MAX };

static const char *server_name(int s)
{
	static const char *const names[SERVER_MAX] = {"nginx", "apache"};

	return s >= 0 && s < SERVER_MAX ? names[s] : "?";
}

/* Every pinned map into @h, with the pin folder locked (*lock to
 * close). 0, or -1 logged with nothing left open. */
static int hosts_open(struct fs_ctx *ctx, struct hosts_ctx *h, int *lock)
{
	__u32 zero = 0;

	*lock = fs_pins_lock(ctx->pin_dir);
	if (*lock < 0)
		return -1;
	if (fs_maps_open_all(ctx->pin_dir, &h->m)) {
		close(*lock);
		return -1;
	}
	if (bpf_map_lookup_elem(h->m.cfg, &zero, &h->cfg) == 0) {
		h->cfg.owner[sizeof(h->cfg.owner) - 1] = '\0';
		h->conf_owned = h->cfg.conf_flags & FS_CONF_HOSTS;
		h->owner = h->cfg.owner;
	}
	return 0;
}

/* Whether @k is a host the daemon's config file lists (origin config,
 * while a file owns the hosts). */
static bool conf_host(const struct hosts_ctx *h, const struct fs_host_key *k)
{
	struct fs_host_val old;

	return h->conf_owned && bpf_map_lookup_elem(h->m.hosts, k, &old) == 0 &&
	       old.origin == FS_ORIGIN_STATIC;
}

/* After a change the prints and the served-host bits follow the map
 * (lists.h), then everything is closed. */
static void hosts_close(struct hosts_ctx *h, int lock)
{
	if (fs_hosts_done(&h->m))
		pr_warn("hosts: the print table did not follow; the daemon's "
			"sweep or the next attach rebuilds it\n");
	fs_maps_close_all(&h->m);
	close(lock);
}

static int add_one(struct hosts_ctx *h, const char *name, const char *where)
{
	struct fs_host_key k;
	struct fs_host_val v;
	char err[160];
	int rc;

	if (fs_host_key(name, &k, &v, err, sizeof(err))) {
		pr_err("%s%s%s\n", where ? where : "", where ? ": " : "", err);
		h->failed++;
		return -1;
	}
	if (conf_host(h, &k)) { /* served already, and the file's */
		h->listed++;
		return 1;
	}
	v.origin = FS_ORIGIN_CLI;
	rc = fs_host_put(&h->m, &k, &v);
	if (rc) {
		pr_err("hosts add %s: %s%s\n", name, strerror(-rc),
		       rc == -E2BIG ? " (hosts map is full)" : "");
		h->failed++;
		return -1;
	}
	h->added++;
	if (!h->quiet)
		printf("host %s added\n", v.name);
	return 0;
}

/* What an import read, before anything is written: the names, and how
 * many things the server answers that the host table cannot express. */
struct import {
	struct fs_host_key *k;
	struct fs_host_val *v;
	size_t n, cap;
	int gaps;
	bool force, nomem;
};

static void import_add(const char *name, const char *where, void *arg)
{
	struct import *im = arg;
	char err[160];

	if (im->n == im->cap) {
		size_t cap = im->cap ? im->cap * 2 : 64;
		void *k = realloc(im->k, cap * sizeof(*im->k));
		void *v = k ? realloc(im->v, cap * sizeof(*im->v)) : NULL;

		if (k)
			im->k = k;
		if (!v) {
			im->nomem = true;
			return;
		}
		im->v = v;
		im->cap = cap;
	}
	if (!fs_host_key(name, &im->k[im->n], &im->v[im->n], err,
			 sizeof(err))) {
		im->n++;
		return;
	}
	if (fs_host_is_ip(name)) { /* a Host naming an address: ip_host */
		pr_warn("%s: server name '%s' is an address: not added "
			"(http.ip_host judges a Host naming one)\n",
			where, name);
		return;
	}
	im->gaps++;
	if (im->force)
		pr_warn("%s: %s\n", where, err);
	else
		pr_err("%s: %s\n", where, err);
}

static void import_skip(const char *what, const char *where, void *arg)
{
	struct import *im = arg;

	im->gaps++;
	if (im->force)
		pr_warn("%s: %s\n", where, what);
	else
		pr_err("%s: %s\n", where, what);
}

static int hosts_add(struct fs_ctx *ctx, void *args)
{
	const struct fs_arg_list *names = &((struct hosts_args *)args)->names;
	struct hosts_ctx h = {.quiet = ctx->json};
	struct fs_host_key k;
	struct fs_host_val v;
	char err[160];
	int lock;

	for (int i = 0; i < names->n; i++) /* all valid, or nothing changes */
		if (fs_host_key(names->v[i], &k, &v, err, sizeof(err))) {
			pr_err("hosts add: %s\n", err);
			return EXIT_USAGE;
		}
	if (hosts_open(ctx, &h, &lock))
		return EXIT_FAIL;
	for (int i = 0; i < names->n; i++)
		if (add_one(&h, names->v[i], NULL) > 0)
			pr_err("hosts add: %s: %s lists it, which the daemon "
			       "applies: it stays the file's\n",
			       names->v[i], h.owner);
	hosts_close(&h, lock);
	return h.failed || h.listed ? EXIT_FAIL : 0;
}

static int hosts_del(struct fs_ctx *ctx, void *args)
{
	const char *name = ((struct hosts_args *)args)->name;
	struct hosts_ctx h = {};
	struct fs_host_key k;
	struct fs_host_val v;
	char err[160];
	int lock, rc;

	if (fs_host_key(name, &k, &v, err, sizeof(err))) {
		pr_err("hosts del: %s\n", err);
		return EXIT_USAGE;
	}
	if (hosts_open(ctx, &h, &lock))
		return EXIT_FAIL;
	if (conf_host(&h, &k)) {
		pr_err("hosts del: %s: %s lists it, which the daemon applies: "
		       "remove it there and reload; nothing changed\n",
		       name, h.owner);
		hosts_close(&h, lock);
		return EXIT_FAIL;
	}
	rc = fs_host_del(&h.m, &k);
	hosts_close(&h, lock);
	if (rc == -ENOENT) {
		pr_err("hosts del: '%s' is not a served host\n", name);
		return EXIT_FAIL;
	}
	if (rc) {
		pr_err("hosts del %s: %s\n", name, strerror(-rc));
		return EXIT_FAIL;
	}
	if (!ctx->json)
		printf("host %s deleted\n", v.name);
	return 0;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(((const struct fs_host_val *)a)->name,
		      ((const struct fs_host_val *)b)->name);
}

static int hosts_list(struct fs_ctx *ctx, void *args)
{
	int fd = fs_map_open(ctx->pin_dir, FS_STR(FS_MAP_HOSTS));
	struct fs_host_val *names = NULL;
	struct fs_host_key k, prev;
	size_t n = 0, cap = 0;
	void *p = NULL;

	(void)args;
	if (fd < 0)
		return EXIT_FAIL;
	while (bpf_map_get_next_key(fd, p, &k) == 0) {
		prev = k;
		p = &prev;
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			names = realloc(names, cap * sizeof(*names));
			if (!names)
				break;
		}
		if (names && bpf_map_lookup_elem(fd, &k, &names[n]) == 0)
			n++;
	}
	close(fd);
	if (n)
		qsort(names, n, sizeof(*names), cmp_names);
	if (ctx->json)
		printf("[");
	for (size_t i = 0; i < n; i++) {
		names[i].name[sizeof(names[i].name) - 1] = '\0';
		if (ctx->json) {
			printf("%s", i ? "," : "");
			json_str(stdout, names[i].name);
		} else {
			char esc[FS_ESC_LEN(sizeof(names[i].name))];

			printf("%s\n",
			       fs_text_esc(names[i].name, esc, sizeof(esc)));
		}
	}
	if (ctx->json)
		printf("]\n");
	free(names);
	return 0;
}

static int cmp_addr(const void *a, const void *b)
{
	return memcmp(a, b, sizeof(struct fs_addr_key));
}

/* hosts own: the server's own addresses (fs_own, loader/own.h), in the
 * order of their 16-byte form. */
static int hosts_own(struct fs_ctx *ctx, void *args)
{
	int fd = fs_map_open(ctx->pin_dir, FS_STR(FS_MAP_OWN)), err;
	struct fs_addr_set own = {};
	char text[FS_CIDR_STRLEN];

	(void)args;
	if (fd < 0)
		return EXIT_FAIL;
	err = fs_own_read(fd, &own);
	close(fd);
	if (err) {
		pr_err_code(err, "hosts own: cannot read %s",
			    FS_STR(FS_MAP_OWN));
		fs_addr_set_free(&own);
		return EXIT_FAIL;
	}
	if (own.n)
		qsort(own.a, own.n, sizeof(*own.a), cmp_addr);
	if (ctx->json)
		printf("[");
	for (size_t i = 0; i < own.n; i++) {
		fs_addr_format(own.a[i].addr, text, sizeof(text));
		if (ctx->json) {
			printf("%s", i ? "," : "");
			json_str(stdout, text);
		} else {
			printf("%s\n", text);
		}
	}
	if (ctx->json)
		printf("]\n");
	fs_addr_set_free(&own);
	return 0;
}

/* Read all of @f into a NUL-terminated buffer. */
static char *slurp(FILE *f)
{
	size_t n = 0, cap = 65536;
	char *buf = malloc(cap);

	while (buf) {
		size_t got = fread(buf + n, 1, cap - n - 1, f);

		n += got;
		if (got == 0)
			break;
		if (n + 1 == cap) {
			char *b = realloc(buf, cap * 2);

			if (!b)
				break;
			buf = b;
			cap *= 2;
		}
	}
	if (buf)
		buf[n] = '\0';
	return buf;
}

/* The dump of @server's configuration: from @file ("-": stdin) or by
 * running the server's own tool (with -c/-f @conf when given). */
static char *server_dump(enum server server, const char *file, const char *conf)
{
	char cmd[1024];
	FILE *f;
	char *text;
	int st;

	if (file) {
		f = strcmp(file, "-") ? fopen(file, "r") : stdin;
		if (!f) {
			pr_err_errno("hosts import: --from: cannot read '%s'",
				     file);
			return NULL;
		}
		text = slurp(f);
		if (f != stdin)
			fclose(f);
		return text;
	}
	if (conf && conf[strspn(conf, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMN"
				      "OPQRSTUVWXYZ"
				      "0123456789/._-")]) {
		pr_err("hosts import: --config '%s': only letters, digits and "
		       "/._- please\n",
		       conf);
		return NULL;
	}
	if (server == SERVER_NGINX)
		snprintf(cmd, sizeof(cmd), "nginx -T%s%s 2>/dev/null",
			 conf ? " -c " : "", conf ? conf : "");
	else
		snprintf(cmd, sizeof(cmd), "apachectl -S%s%s 2>&1",
			 conf ? " -f " : "", conf ? conf : "");
	f = popen(cmd, "r");
	if (!f) {
		pr_err("hosts import: cannot run '%s'\n", cmd);
		return NULL;
	}
	text = slurp(f);
	st = pclose(f);
	if (st != 0) {
		pr_err("hosts import: '%s' failed (exit %d); is %s installed "
		       "and "
		       "its configuration valid?\n",
		       cmd, WIFEXITED(st) ? WEXITSTATUS(st) : -1,
		       server_name(server));
		free(text);
		return NULL;
	}
	return text;
}

/* The server's profile, as `set http.server=SERVER` would set it: the
 * request forms are then judged as that server takes them. 0 or the
 * exit code of fs_cli_set(). */
static int set_server(struct fs_ctx *ctx, enum server server)
{
	char kv[64];
	const char *v[] = {kv};

	snprintf(kv, sizeof(kv), "http.server=%s", server_name(server));
	return fs_cli_set(ctx, v, 1, "hosts import");
}

/* Write what @im read; on a refused write, the names this import added
 * are taken out again. 0 or -1 (logged). */
static int import_write(struct fs_ctx *ctx, struct import *im, int *added,
			int *listed)
{
	struct hosts_ctx h = {.quiet = true};
	bool *fresh = calloc(im->n + 1, sizeof(*fresh));
	struct fs_host_val cur;
	size_t i;
	int lock, rc = 0;

	if (!fresh || hosts_open(ctx, &h, &lock)) {
		free(fresh);
		return -1;
	}
	for (i = 0; i < im->n && !rc; i++) {
		if (conf_host(&h, &im->k[i])) { /* the file's: it stays so */
			(*listed)++;
			continue;
		}
		fresh[i] = bpf_map_lookup_elem(h.m.hosts, &im->k[i], &cur) != 0;
		im->v[i].origin = FS_ORIGIN_CLI;
		rc = fs_host_put(&h.m, &im->k[i], &im->v[i]);
		if (rc)
			pr_err("hosts import %s: %s%s\n", im->v[i].name,
			       strerror(-rc),
			       rc == -E2BIG ? " (hosts map is full)" : "");
		else if (!ctx->json)
			printf("host %s added\n", im->v[i].name);
	}
	if (rc) {
		while (i--)
			if (fresh[i])
				fs_host_del(&h.m, &im->k[i]);
		pr_err("hosts import: the names it added were taken out "
		       "again\n");
	}
	*added = rc ? 0 : (int)im->n - *listed;
	hosts_close(&h, lock);
	free(fresh);
	return rc ? -1 : 0;
}

/* hosts import nginx|apache [--from FILE] [--config CONF] [--force]:
 * read everything first; refuse (nothing written) when the server
 * answers Hosts the table cannot express, unless --force; then the
 * names, then http.server. */
static int hosts_import(struct fs_ctx *ctx, void *args)
{
	const struct hosts_args *a = args;
	struct import im = {.force = a->force};
	int added = 0, listed = 0, set;
	char *text;

	text = server_dump(a->server, a->from, a->config);
	if (!text)
		return EXIT_FAIL;
	if (a->server == SERVER_NGINX)
		fs_hosts_from_nginx(text, import_add, import_skip, &im);
	else
		fs_hosts_from_apache(text, import_add, import_skip, &im);
	free(text);
	if (im.nomem) {
		pr_err("hosts import: out of memory; nothing changed\n");
		goto fail;
	}
	if (im.gaps && !im.force) {
		pr_err("hosts import: %s answers %d Host pattern%s or default "
		       "server%s that the served-host check cannot express "
		       "(above); nothing changed. With --force the check "
		       "goes on anyway, and requests for those names are "
		       "reset and their sources banned\n",
		       server_name(a->server), im.gaps, im.gaps > 1 ? "s" : "",
		       im.gaps > 1 ? "s" : "");
		goto fail;
	}
	if (im.n && import_write(ctx, &im, &added, &listed))
		goto fail;
	set = set_server(ctx, a->server);
	if (ctx->json) {
		printf("{\"added\":%d,\"gaps\":%d,\"forced\":%s,"
		       "\"listed\":%d,\"http.server\":",
		       added, im.gaps, im.gaps ? "true" : "false", listed);
		if (set)
			printf("null}\n");
		else
			printf("\"%s\"}\n", server_name(a->server));
	} else {
		printf("imported %d names from %s (%d not expressible%s, %d "
		       "listed by the config file already)\n",
		       added, server_name(a->server), im.gaps,
		       im.gaps ? ", --force" : "", listed);
		if (!set)
			printf("http.server=%s (set)\n",
			       server_name(a->server));
	}
	free(im.k);
	free(im.v);
	return set ? EXIT_FAIL : 0;
fail:
	free(im.k);
	free(im.v);
	return EXIT_FAIL;
}

/* ---------------------------------------------------------------- */
/* The commands */

static const struct fs_opt add_opts[] = {FS_POS(FS_T_LIST, "NAME", 1, FS_MANY,
						struct hosts_args, names,
						.help = "www.example.org, "
							"web01, "
							"or *.example.org (not "
							"example.org itself); "
							"not an IP address"),
					 FS_OPT_END};

static const struct fs_opt del_opts[] = {FS_POS(FS_T_STRING, "NAME", 1, 1,
						struct hosts_args, name,
						.help = "a name as listed"),
					 FS_OPT_END};

static const struct fs_opt import_opts[] = {
	FS_POS(FS_T_ENUM, "SERVER", 1, 1, struct hosts_args, server,
	       .name_of = server_name, .n_names = SERVER_MAX,
	       .help = "read `nginx -T` (server_name) or `apachectl -S`"),
	FS_OPT(FS_T_STRING, "from", 0, struct hosts_args, from,
	       .metavar = "FILE",
	       .help = "read that output from FILE (- for stdin) instead"),
	FS_OPT(FS_T_STRING, "config", 0, struct hosts_args, config,
	       .metavar = "CONF",
	       .help = "the server's configuration file (nginx -c, apachectl "
		       "-f)"),
	FS_OPT(FS_T_FLAG, "force", 0, struct hosts_args, force,
	       .help = "switch the check on even though the server answers "
		       "Hosts it cannot express (default servers, patterns): "
		       "requests for those are then reset"),
	FS_OPT_END};

static const struct fs_cmd hosts_add_cmd =
	FS_CMD("add", hosts_add, struct hosts_args, add_opts, NULL,
	       "serve these HTTP hosts (all are checked before any is added)");
static const struct fs_cmd hosts_del_cmd = FS_CMD("del", hosts_del,
						  struct hosts_args, del_opts,
						  NULL, "stop serving a host");
static const struct fs_cmd hosts_list_cmd = FS_CMD(
	"list", hosts_list, struct hosts_args, NULL, NULL, "the served hosts");
static const struct fs_cmd hosts_own_cmd =
	FS_CMD("own", hosts_own, struct hosts_args, NULL, NULL,
	       "the server's own addresses (http.own): a Host naming one "
	       "follows http.ip_host");
static const struct fs_cmd hosts_import_cmd =
	FS_CMD("import", hosts_import, struct hosts_args, import_opts, NULL,
	       "add the names a web server serves, and set http.server to "
	       "that server");

static const struct fs_cmd *const hosts_cmds[] = {
	&hosts_add_cmd, &hosts_del_cmd,	   &hosts_list_cmd,
	&hosts_own_cmd, &hosts_import_cmd, NULL,
};

const struct fs_cmd fs_cmd_hosts = FS_GROUP("hosts", hosts_cmds,
					    "served HTTP hosts (none listed: "
					    "the served-host check is off)");
