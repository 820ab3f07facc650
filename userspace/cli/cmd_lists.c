// SPDX-License-Identifier: GPL-2.0
/* allow and block: add, del, list. The block list shows the static
 * CIDRs and the dynamic bans; `block del` lifts either. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include "../../loader/addr.h"
#include "cli.h"
#include "../../loader/log.h"
#include "../../loader/names.h"
#include "../../loader/settings.h"
#include "../../loader/filter.h"

struct list_def {
	const char *cmd;	/* "allow" or "block" */
	const char *map;	/* pinned LPM map */
	const char *note_opt;	/* "--note" or "--reason" */
};

static const struct list_def allow_def = { "allow", FS_STR(FS_MAP_ALLOW), "--note" };
static const struct list_def block_def = { "block", FS_STR(FS_MAP_BLOCK), "--reason" };

struct add_args {
	struct fs_lpm_key key;
	const char *cidr;
	long long ttl_s;	/* 0: permanent */
	const char *note;
};

/* CIDR [--ttl DUR] [NOTE_OPT TEXT]; @opts: whether options are allowed. */
static int parse_args(const struct list_def *d, const char *sub, int argc,
		      char **argv, bool opts, struct add_args *a)
{
	char err[160];

	memset(a, 0, sizeof(*a));
	for (int i = 0; i < argc; i++) {
		const char *o = argv[i];

		if (opts && !strcmp(o, "--ttl") && i + 1 < argc) {
			a->ttl_s = fs_parse_duration_s(argv[++i]);
			if (a->ttl_s <= 0) {
				pr_err("--ttl: '%s': expected a duration like 90s, 15m, 2h, 7d\n",
				       argv[i]);
				return -1;
			}
		} else if (opts && !strcmp(o, d->note_opt) && i + 1 < argc) {
			a->note = argv[++i];
			if (strlen(a->note) >= FS_NOTE_LEN) {
				pr_err("%s: '%s': at most %d characters\n",
				       d->note_opt, a->note, FS_NOTE_LEN - 1);
				return -1;
			}
		} else if (o[0] != '-' && !a->cidr) {
			a->cidr = o;
		} else {
			pr_err("%s %s: unexpected argument '%s'\n", d->cmd, sub, o);
			return -1;
		}
	}
	if (!a->cidr) {
		pr_err("%s %s: missing CIDR\n", d->cmd, sub);
		return -1;
	}
	if (fs_cidr_parse(a->cidr, &a->key, err, sizeof(err))) {
		pr_err("%s %s: %s\n", d->cmd, sub, err);
		return -1;
	}
	return 0;
}

/* Bring the prefilter up to date after a change (pin lock held). On
 * failure the entry is in the map but may not be matched: said. */
static void filter_sync(struct fs_ctx *ctx, const struct list_def *d,
			const char *sub)
{
	int err = fs_filter_sync(ctx->pin_dir);

	if (err)
		pr_err("%s %s: cannot update the prefilter (%s); run `floodshield attach` again\n",
		       d->cmd, sub, strerror(-err));
}

/* Add or replace @k, unless it is an entry of origin config (the
 * daemon owns those): -EPERM then. An LPM lookup of a present key finds
 * that key; NOEXIST tells whether it is present. */
static int put_entry(int fd, const struct fs_lpm_key *k,
		     const struct fs_list_val *v)
{
	struct fs_list_val cur;

	if (bpf_map_update_elem(fd, k, v, BPF_NOEXIST) == 0)
		return 0;
	if (errno != EEXIST)
		return -errno;
	if (bpf_map_lookup_elem(fd, k, &cur) == 0 && cur.origin == FS_ORIGIN_STATIC)
		return -EPERM;
	return bpf_map_update_elem(fd, k, v, BPF_EXIST) ? -errno : 0;
}

static int list_add(struct fs_ctx *ctx, const struct list_def *d, int argc,
		    char **argv)
{
	struct fs_list_val v = { .origin = FS_ORIGIN_CLI };
	char text[FS_CIDR_STRLEN];
	struct add_args a;
	int fd, lock, err;

	if (parse_args(d, "add", argc, argv, true, &a))
		return EXIT_USAGE;
	if (a.ttl_s)
		v.expires_ns = fs_mono_ns() + a.ttl_s * NSEC_PER_SEC;
	if (a.note)
		strncpy(v.note, a.note, FS_NOTE_LEN - 1);
	fd = fs_map_open_locked(ctx->pin_dir, d->map, &lock);
	if (fd < 0)
		return EXIT_FAIL;
	err = put_entry(fd, &a.key, &v);
	if (!err)
		filter_sync(ctx, d, "add");
	close(lock);
	close(fd);
	if (err == -EPERM) {
		pr_err("%s add %s: the configuration file lists it; change it there\n",
		       d->cmd, a.cidr);
		return EXIT_FAIL;
	}
	if (err) {
		pr_err("%s add %s: %s%s\n", d->cmd, a.cidr, strerror(-err),
		       err == -E2BIG || err == -ENOSPC ? " (list is full)" : "");
		return EXIT_FAIL;
	}
	fs_cidr_format(a.key.addr, a.key.prefixlen, text, sizeof(text));
	if (!ctx->json)
		printf("%s %s added\n", d->cmd, text);
	return 0;
}

/* Lift a ban on exactly @k's prefix. True if one was there. */
static bool del_ban(struct fs_ctx *ctx, const struct fs_lpm_key *k)
{
	struct fs_key bk = { .plen = k->prefixlen, .bucket = FS_B_NONE };
	int fd = fs_map_open(ctx->pin_dir, FS_STR(FS_MAP_BANS));
	bool found;

	if (fd < 0)
		return false;
	memcpy(bk.addr, k->addr, sizeof(bk.addr));
	found = bpf_map_delete_elem(fd, &bk) == 0;
	close(fd);
	return found;
}

static int list_del(struct fs_ctx *ctx, const struct list_def *d, int argc,
		    char **argv)
{
	struct add_args a;
	int fd, lock;
	bool found;

	if (parse_args(d, "del", argc, argv, false, &a))
		return EXIT_USAGE;
	fd = fs_map_open_locked(ctx->pin_dir, d->map, &lock);
	if (fd < 0)
		return EXIT_FAIL;
	found = bpf_map_delete_elem(fd, &a.key) == 0;
	if (d == &block_def)
		found |= del_ban(ctx, &a.key);
	if (found)
		filter_sync(ctx, d, "del");
	close(lock);
	close(fd);
	if (!found) {
		pr_err("%s del: '%s' is not in the %s list\n", d->cmd, a.cidr,
		       d->cmd);
		return EXIT_FAIL;
	}
	if (!ctx->json)
		printf("%s %s deleted\n", d->cmd, a.cidr);
	return 0;
}

struct row {
	char cidr[FS_CIDR_STRLEN];
	const char *kind;	/* origin, or "ban" */
	const char *reason;
	const char *note_key;	/* JSON key of reason: "reason" or "note" */
	unsigned long long expires_ns;
	unsigned count;
};

static void print_row(struct fs_ctx *ctx, const struct row *r,
		      unsigned long long now, const char **sep)
{
	char exp[32];

	if (ctx->json) {
		printf("%s{\"cidr\":\"%s\",\"kind\":\"%s\",\"%s\":", *sep,
		       r->cidr, r->kind, r->note_key);
		json_str(stdout, r->reason);
		printf(",\"expires_in_s\":%lld,\"count\":%u}",
		       r->expires_ns ? (long long)(r->expires_ns - now) / (long long)NSEC_PER_SEC : -1,
		       r->count);
		*sep = ",";
		return;
	}
	fs_fmt_expiry(r->expires_ns, now, exp, sizeof(exp));
	printf("%-44s %-7s %-8s %s\n", r->cidr, r->kind, exp, r->reason);
}

static void list_lpm(struct fs_ctx *ctx, const struct list_def *d, int fd,
		     unsigned long long now, const char **sep)
{
	struct fs_lpm_key k, prev;
	struct fs_list_val v;
	struct row r;
	void *p = NULL;

	while (bpf_map_get_next_key(fd, p, &k) == 0) {
		prev = k;
		p = &prev;
		if (bpf_map_lookup_elem(fd, &k, &v) ||
		    (v.expires_ns && v.expires_ns <= now))
			continue;
		memset(&r, 0, sizeof(r));
		fs_cidr_format(k.addr, k.prefixlen, r.cidr, sizeof(r.cidr));
		v.note[FS_NOTE_LEN - 1] = '\0';
		r.kind = fs_origin_name(v.origin);
		r.reason = v.note;
		r.note_key = d == &allow_def ? "note" : "reason";
		r.expires_ns = v.expires_ns;
		print_row(ctx, &r, now, sep);
	}
}

static void list_bans(struct fs_ctx *ctx, unsigned long long now,
		      const char **sep)
{
	int fd = fs_map_open(ctx->pin_dir, FS_STR(FS_MAP_BANS));
	struct fs_key k, prev;
	struct fs_ban b;
	struct row r;
	void *p = NULL;

	if (fd < 0)
		return;
	while (bpf_map_get_next_key(fd, p, &k) == 0) {
		prev = k;
		p = &prev;
		if (bpf_map_lookup_elem(fd, &k, &b) || b.expires_ns <= now)
			continue;
		memset(&r, 0, sizeof(r));
		fs_cidr_format(k.addr, k.plen, r.cidr, sizeof(r.cidr));
		r.kind = "ban";
		r.reason = fs_ban_reason_name(b.reason);
		r.note_key = "reason";
		r.expires_ns = b.expires_ns;
		r.count = b.count;
		print_row(ctx, &r, now, sep);
	}
	close(fd);
}

static int list_list(struct fs_ctx *ctx, const struct list_def *d, int argc,
		     char **argv)
{
	unsigned long long now = fs_mono_ns();
	const char *sep = "";
	int fd;

	if (argc) {
		pr_err("%s list: unexpected argument '%s'\n", d->cmd, argv[0]);
		return EXIT_USAGE;
	}
	fd = fs_map_open(ctx->pin_dir, d->map);
	if (fd < 0)
		return EXIT_FAIL;
	if (ctx->json)
		printf("[");
	else
		printf("%-44s %-7s %-8s %s\n", "cidr", "kind", "expires",
		       d == &block_def ? "reason" : "note");
	list_lpm(ctx, d, fd, now, &sep);
	if (d == &block_def)
		list_bans(ctx, now, &sep);
	if (ctx->json)
		printf("]\n");
	close(fd);
	return 0;
}

static int run_list(const struct list_def *d, struct fs_ctx *ctx, int argc,
		    char **argv)
{
	if (argc >= 1 && !strcmp(argv[0], "add"))
		return list_add(ctx, d, argc - 1, argv + 1);
	if (argc >= 1 && !strcmp(argv[0], "del"))
		return list_del(ctx, d, argc - 1, argv + 1);
	if (argc >= 1 && !strcmp(argv[0], "list"))
		return list_list(ctx, d, argc - 1, argv + 1);
	pr_err("%s: expected add, del or list%s%s\n", d->cmd,
	       argc ? ", got " : "", argc ? argv[0] : "");
	return EXIT_USAGE;
}

int do_allow(struct fs_ctx *ctx, int argc, char **argv)
{
	return run_list(&allow_def, ctx, argc, argv);
}

int do_block(struct fs_ctx *ctx, int argc, char **argv)
{
	return run_list(&block_def, ctx, argc, argv);
}
