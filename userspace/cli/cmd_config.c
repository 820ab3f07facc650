// SPDX-License-Identifier: GPL-2.0
/* ports, set, show, stats: the runtime settings and counters. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "cli.h"
#include "../../loader/log.h"
#include "../../loader/names.h"
#include "../../loader/settings.h"
#include "../../loader/loader.h"

struct ports_args {
	unsigned port;
	int svc; /* enum fs_svc */
};

static int ports_set(struct fs_ctx *ctx, void *args)
{
	const struct ports_args *a = args;
	__u32 port = a->port;
	int fd, lock, err;

	fd = fs_map_open(ctx->pin_dir, FS_STR(FS_MAP_SVC));
	if (fd < 0)
		return EXIT_FAIL;
	lock = fs_pins_lock(ctx->pin_dir);
	if (lock >= 0 && fs_cli_owner(ctx, FS_CONF_PORTS, "ports set",
				      "the services table ([services])") != 0) {
		close(lock);
		close(fd);
		return EXIT_FAIL;
	}
	err = lock < 0 || bpf_map_update_elem(fd, &port, &a->svc, BPF_ANY);
	if (lock >= 0)
		close(lock);
	close(fd);
	if (err) {
		pr_err("ports set: cannot update the services map\n");
		return EXIT_FAIL;
	}
	return 0;
}

static int ports_list(struct fs_ctx *ctx, void *args)
{
	int fd = fs_map_open(ctx->pin_dir, FS_STR(FS_MAP_SVC));
	const char *sep = "";
	enum fs_svc svc;

	(void)args;
	if (fd < 0)
		return EXIT_FAIL;
	if (ctx->json)
		printf("[");
	for (__u32 port = 1; port < FS_PORTS; port++) {
		if (bpf_map_lookup_elem(fd, &port, &svc) || svc == FS_SVC_NONE)
			continue;
		if (ctx->json)
			printf("%s{\"port\":%u,\"service\":\"%s\"}", sep, port,
			       fs_svc_name(svc));
		else
			printf("%-6u %s\n", port, fs_svc_name(svc));
		sep = ",";
	}
	if (ctx->json)
		printf("]\n");
	close(fd);
	return 0;
}

static int read_cfg(int fd, struct fs_cfg *cfg)
{
	__u32 zero = 0;

	if (bpf_map_lookup_elem(fd, &zero, cfg)) {
		pr_err_errno("cannot read settings");
		return -errno;
	}
	return 0;
}

struct set_args {
	struct fs_arg_list kv;
};

int fs_cli_owner(struct fs_ctx *ctx, __u32 what, const char *cmd,
		 const char *thing)
{
	struct fs_cfg cfg;
	int fd = fs_map_open(ctx->pin_dir, FS_STR(FS_MAP_CFG));
	int owned = 0;

	if (fd < 0)
		return -1;
	if (read_cfg(fd, &cfg) == 0 && cfg.conf_flags & what) {
		cfg.owner[sizeof(cfg.owner) - 1] = '\0';
		pr_err("%s: %s belongs to %s, which the daemon applies: change "
		       "it there and reload\n",
		       cmd, thing, cfg.owner);
		owned = 1;
	}
	close(fd);
	return owned;
}

/* Refuse @kv when the daemon's config file sets its key (0, or -1
 * logged); an unknown key is left to fs_cfg_set(). */
static int key_free(const struct fs_cfg *cfg, const char *kv, const char *what,
		    size_t *index)
{
	char key[64];
	const struct fs_setting *s;

	snprintf(key, sizeof(key), "%.*s", (int)strcspn(kv, "="), kv);
	s = fs_setting_find(key);
	if (!s)
		return 0;
	*index = fs_setting_index(s);
	if (!fs_key_bit(cfg->conf_keys, *index))
		return 0;
	pr_err("%s: %s is set in %s, which the daemon applies: change it "
	       "there and reload; nothing changed\n",
	       what, key, cfg->owner);
	return -1;
}

int fs_cli_set(struct fs_ctx *ctx, const char *const *kv, int n,
	       const char *what)
{
	struct fs_cfg cfg;
	char err[160];
	__u32 zero = 0;
	int fd, lock, rc = EXIT_FAIL;

	fd = fs_map_open(ctx->pin_dir, FS_STR(FS_MAP_CFG));
	if (fd < 0)
		return EXIT_FAIL;
	lock = fs_pins_lock(ctx->pin_dir);
	if (lock < 0 || read_cfg(fd, &cfg))
		goto out;
	cfg.owner[sizeof(cfg.owner) - 1] = '\0';
	for (int i = 0; i < n; i++) {
		size_t k = SIZE_MAX;

		if (key_free(&cfg, kv[i], what, &k))
			goto out;
		if (fs_cfg_set(&cfg, kv[i], err, sizeof(err))) {
			pr_err("%s: %s; nothing changed\n", what, err);
			rc = EXIT_USAGE;
			goto out;
		}
		/* the CLI's from now on: the daemon's sync keeps it */
		fs_key_put(cfg.cli_keys, k, true);
	}
	if (fs_cfg_check(&cfg, err, sizeof(err)) ||
	    fs_cfg_check_kernel(&cfg, err, sizeof(err))) {
		pr_err("%s: %s; nothing changed\n", what, err);
		rc = EXIT_USAGE;
		goto out;
	}
	if (bpf_map_update_elem(fd, &zero, &cfg, BPF_ANY)) {
		pr_err_errno("%s: cannot write settings", what);
		goto out;
	}
	rc = 0;
out:
	if (lock >= 0)
		close(lock);
	close(fd);
	return rc;
}

/* All KEY=VALUE pairs apply together or none does. */
static int do_set(struct fs_ctx *ctx, void *args)
{
	const struct fs_arg_list *kv = &((struct set_args *)args)->kv;

	return fs_cli_set(ctx, (const char *const *)kv->v, kv->n, "set");
}

static int do_show(struct fs_ctx *ctx, void *args)
{
	struct fs_cfg cfg;
	int fd;

	(void)args;
	fd = fs_map_open(ctx->pin_dir, FS_STR(FS_MAP_CFG));
	if (fd < 0)
		return EXIT_FAIL;
	if (read_cfg(fd, &cfg)) {
		close(fd);
		return EXIT_FAIL;
	}
	fs_cfg_print(stdout, &cfg, ctx->json);
	close(fd);
	return 0;
}

/* Sum a per-CPU array entry of @n u64 fields into @out. 0 or -errno. */
static int sum_percpu(int fd, __u32 key, __u64 *out, size_t n)
{
	int ncpu = libbpf_num_possible_cpus();
	__u64 *vals = ncpu > 0 ? calloc(ncpu, n * sizeof(__u64)) : NULL;
	int err;

	if (!vals)
		return ncpu > 0 ? -ENOMEM : ncpu;
	if (bpf_map_lookup_elem(fd, &key, vals)) {
		err = -errno;
		free(vals);
		return err;
	}
	memset(out, 0, n * sizeof(__u64));
	for (int c = 0; c < ncpu; c++)
		for (size_t i = 0; i < n; i++)
			out[i] += vals[c * n + i];
	free(vals);
	return 0;
}

/* Every reason's counters, summed over the CPUs. */
struct stats_snap {
	struct fs_counter c[FS_R_MAX];
	bool ok[FS_R_MAX]; /* read */
	__u64 ev[FS_E_MAX];
	bool ev_ok[FS_E_MAX];
};

static void stats_read(int sfd, int efd, struct stats_snap *s)
{
	for (__u32 r = 0; r < FS_R_MAX; r++)
		s->ok[r] = !sum_percpu(sfd, r, (__u64 *)&s->c[r],
				       sizeof(s->c[r]) / sizeof(__u64));
	for (__u32 e = 0; e < FS_E_MAX; e++)
		s->ev_ok[e] = !sum_percpu(efd, e, &s->ev[e], 1);
}

/* Bans in @fd (fs_bans) that have not expired. -1 if unreadable. */
static long live_bans(int fd)
{
	unsigned long long now = fs_mono_ns();
	struct fs_key k, prev;
	struct fs_ban b;
	void *p = NULL;
	long n = 0;

	if (fd < 0)
		return -1;
	while (bpf_map_get_next_key(fd, p, &k) == 0) {
		prev = k;
		p = &prev;
		if (bpf_map_lookup_elem(fd, &k, &b) == 0 &&
		    (!b.expires_ns || b.expires_ns > now))
			n++;
	}
	return n;
}

static void print_reasons_json(const struct stats_snap *s)
{
	const char *sep = "";

	printf("\"reasons\":[");
	for (__u32 r = 0; r < FS_R_MAX; r++) {
		const struct fs_counter *c = &s->c[r];

		if (!s->ok[r])
			continue;
		printf("%s{\"reason\":\"%s\",\"action\":\"%s\",\"packets\":%"
		       "llu,"
		       "\"bytes\":%llu,\"observed_packets\":%llu,"
		       "\"observed_bytes\":%llu}",
		       sep, fs_reason_name(r), fs_reason_action(r), c->packets,
		       c->bytes, c->observed_packets, c->observed_bytes);
		sep = ",";
	}
	printf("],\"events\":{");
	sep = "";
	for (__u32 e = 0; e < FS_E_MAX; e++) {
		if (!s->ev_ok[e])
			continue;
		printf("%s\"%s\":%llu", sep, fs_event_name(e), s->ev[e]);
		sep = ",";
	}
	printf("}");
}

/* Whether reason @r's row is printed, and event @e's. */
static bool reason_shown(const struct stats_snap *s, unsigned r, bool all)
{
	return s->ok[r] && (all || s->c[r].packets || s->c[r].observed_packets);
}

static bool event_shown(const struct stats_snap *s, unsigned e, bool all)
{
	return s->ev_ok[e] && (all || s->ev[e]);
}

/* One line: what passed, dropped, was reset, answered with a SYN
 * cookie, observed; live bans. */
static void print_summary(const struct stats_snap *s, long bans)
{
	unsigned long long pass = 0, drop = 0, reset = 0, tx = 0, observed = 0;

	for (__u32 r = 0; r < FS_R_MAX; r++) {
		if (!s->ok[r])
			continue;
		observed += s->c[r].observed_packets;
		if (fs_reason_resets(r))
			reset += s->c[r].packets;
		else if (fs_reason_tx(r))
			tx += s->c[r].packets;
		else if (fs_reason_drops(r))
			drop += s->c[r].packets;
		else
			pass += s->c[r].packets;
	}
	printf("passed %llu, dropped %llu, reset %llu", pass, drop, reset);
	if (tx)
		printf(", answered (SYN cookies) %llu", tx);
	if (observed)
		printf(", observed (passed) %llu", observed);
	if (bans >= 0)
		printf(", bans active %ld", bans);
	printf("\n");
}

static void print_text(const struct stats_snap *s, long bans, bool all)
{
	int w = strlen("reason"), ew = strlen("event");
	bool any = false;

	for (__u32 r = 0; r < FS_R_MAX; r++)
		if (reason_shown(s, r, all) &&
		    (int)strlen(fs_reason_name(r)) > w)
			w = strlen(fs_reason_name(r));
	for (__u32 e = 0; e < FS_E_MAX; e++)
		if (event_shown(s, e, all) &&
		    (int)strlen(fs_event_name(e)) > ew)
			ew = strlen(fs_event_name(e));
	print_summary(s, bans);
	for (__u32 r = 0; r < FS_R_MAX; r++) {
		const struct fs_counter *c = &s->c[r];

		if (!reason_shown(s, r, all))
			continue;
		if (!any)
			printf("\n%-*s %-6s %12s %14s %12s\n", w, "reason",
			       "action", "packets", "bytes", "observed");
		any = true;
		printf("%-*s %-6s %12llu %14llu %12llu\n", w, fs_reason_name(r),
		       fs_reason_action(r), c->packets, c->bytes,
		       c->observed_packets);
	}
	any = false;
	for (__u32 e = 0; e < FS_E_MAX; e++) {
		if (!event_shown(s, e, all))
			continue;
		if (!any)
			printf("\n%-*s %12s\n", ew, "event", "count");
		any = true;
		printf("%-*s %12llu\n", ew, fs_event_name(e), s->ev[e]);
	}
}

struct stats_args {
	bool all;
};

/* stats [--all]: by default the summary and the rows that are not
 * zero; --all every row. -j: every row, as before. */
static int do_stats(struct fs_ctx *ctx, void *args)
{
	bool all = ((struct stats_args *)args)->all;
	struct stats_snap *s;
	int sfd, efd, bfd;
	long bans;

	sfd = fs_map_open(ctx->pin_dir, FS_STR(FS_MAP_STATS));
	if (sfd < 0)
		return EXIT_FAIL;
	efd = fs_map_open(ctx->pin_dir, FS_STR(FS_MAP_EVENTS));
	s = calloc(1, sizeof(*s));
	if (efd < 0 || !s) {
		close(sfd);
		if (efd >= 0)
			close(efd);
		free(s);
		return EXIT_FAIL;
	}
	stats_read(sfd, efd, s);
	if (ctx->json) {
		printf("{");
		print_reasons_json(s);
		printf("}\n");
	} else {
		bfd = fs_map_open(ctx->pin_dir, FS_STR(FS_MAP_BANS));
		bans = live_bans(bfd);
		if (bfd >= 0)
			close(bfd);
		print_text(s, bans, all);
	}
	free(s);
	close(sfd);
	close(efd);
	return 0;
}

/* ---------------------------------------------------------------- */
/* The commands */

static const char *svc_name(int svc)
{
	return fs_svc_name(svc);
}

static const struct fs_opt ports_set_opts[] = {
	FS_POS(FS_T_PORT, "PORT", 1, 1, struct ports_args, port,
	       .help = "a TCP destination port, 1-65535"),
	FS_POS(FS_T_ENUM, "CLASS", 1, 1, struct ports_args, svc,
	       .name_of = svc_name, .n_names = FS_SVC_MAX,
	       .help = "its service class: unprotected, SYN rates, HTTP, SMTP"),
	FS_OPT_END};

static const struct fs_cmd ports_set_cmd =
	FS_CMD("set", ports_set, struct ports_args, ports_set_opts, NULL,
	       "the service class of a TCP destination port");
static const struct fs_cmd ports_list_cmd =
	FS_CMD_PLAIN("list", ports_list, "the classes in use");
static const struct fs_cmd *const ports_cmds[] = {&ports_set_cmd,
						  &ports_list_cmd, NULL};

const struct fs_cmd fs_cmd_ports =
	FS_GROUP("ports", ports_cmds, "service classes of TCP ports");

static const struct fs_opt set_opts[] = {FS_POS(FS_T_LIST, "KEY=VALUE", 1,
						FS_MANY, struct set_args, kv,
						.help = "a setting "
							"(docs/cli.md); all "
							"apply or none does"),
					 FS_OPT_END};

static const struct fs_opt stats_opts[] = {FS_OPT(FS_T_FLAG, "all", 'a',
						  struct stats_args, all,
						  .help = "every row, zero or "
							  "not"),
					   FS_OPT_END};

const struct fs_cmd fs_cmd_set = FS_CMD("set", do_set, struct set_args,
					set_opts, NULL, "change settings");
const struct fs_cmd fs_cmd_show = FS_CMD_PLAIN("show", do_show, "the settings");
const struct fs_cmd fs_cmd_stats =
	FS_CMD("stats", do_stats, struct stats_args, stats_opts, NULL,
	       "counters: the summary and the rows that are not zero");
