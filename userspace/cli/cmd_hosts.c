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
	int added, skipped, failed;
	bool quiet;
};

/* The arguments of every hosts command. */
struct hosts_args {
	struct fs_arg_list names; /* add */
	const char *name;	  /* del */
	int server;		  /* import: enum server */
	const char *from, *config;
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
	*lock = fs_pins_lock(ctx->pin_dir);
	if (*lock < 0)
		return -1;
	if (fs_maps_open_all(ctx->pin_dir, &h->m)) {
		close(*lock);
		return -1;
	}
	return 0;
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

static void import_add(const char *name, const char *where, void *arg)
{
	add_one(arg, name, where);
}

static void import_skip(const char *name, const char *where, void *arg)
{
	struct hosts_ctx *h = arg;

	pr_warn("%s: '%s' skipped (regex, variable or catch-all)\n", where,
		name);
	h->skipped++;
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
		add_one(&h, names->v[i], NULL);
	hosts_close(&h, lock);
	return h.failed ? EXIT_FAIL : 0;
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

/* hosts import nginx|apache [--from FILE] [--config CONF]: the names,
 * then http.server (once the dump is read, whatever the names gave). */
static int hosts_import(struct fs_ctx *ctx, void *args)
{
	const struct hosts_args *a = args;
	struct hosts_ctx h = {.quiet = ctx->json};
	char *text;
	int lock, set;

	text = server_dump(a->server, a->from, a->config);
	if (!text)
		return EXIT_FAIL;
	if (hosts_open(ctx, &h, &lock)) {
		free(text);
		return EXIT_FAIL;
	}
	if (a->server == SERVER_NGINX)
		fs_hosts_from_nginx(text, import_add, import_skip, &h);
	else
		fs_hosts_from_apache(text, import_add, import_skip, &h);
	hosts_close(&h, lock);
	free(text);
	set = set_server(ctx, a->server);
	if (ctx->json) {
		printf("{\"added\":%d,\"skipped\":%d,\"failed\":%d,"
		       "\"http.server\":",
		       h.added, h.skipped, h.failed);
		if (set)
			printf("null}\n");
		else
			printf("\"%s\"}\n", server_name(a->server));
	} else {
		printf("imported %d names from %s (%d skipped, %d refused)\n",
		       h.added, server_name(a->server), h.skipped, h.failed);
		if (!set)
			printf("http.server=%s (set; the daemon's reload "
			       "applies the config file's: write it in "
			       "[limits] too)\n",
			       server_name(a->server));
	}
	if (set)
		return EXIT_FAIL;
	return h.added || !h.failed ? 0 : EXIT_FAIL;
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
