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
#include "../../loader/lists.h"

struct list_def {
	const char *cmd; /* "allow" or "block" */
	const char *map; /* pinned LPM map */
	enum fs_filter_set set;
};

static const struct list_def allow_def = {"allow", FS_STR(FS_MAP_ALLOW),
					  FS_FILTER_ALLOW};
static const struct list_def block_def = {"block", FS_STR(FS_MAP_BLOCK),
					  FS_FILTER_BLOCK};

/* The arguments of every list command; .d says which list. */
struct list_args {
	const struct list_def *d;
	struct fs_arg_addr cidr;
	long long ttl_s; /* 0: permanent */
	const char *note;
};

/* Every pinned map, with the pin folder locked: 0, or EXIT_FAIL logged
 * (nothing left open). */
static int maps_open(struct fs_ctx *ctx, struct fs_map_fds *m, int *lock)
{
	*lock = fs_pins_lock(ctx->pin_dir);
	if (*lock < 0)
		return EXIT_FAIL;
	if (fs_maps_open_all(ctx->pin_dir, m)) {
		close(*lock);
		return EXIT_FAIL;
	}
	return 0;
}

static void maps_close(struct fs_map_fds *m, int lock)
{
	fs_maps_close_all(m);
	close(lock);
}

/* Add or replace @k in @d's list through the one writer (lists.h),
 * unless it is an entry of origin config (the daemon owns those):
 * -EPERM then. An LPM lookup of a present key finds that key; NOEXIST
 * tells whether it is present. */
static int put_entry(const struct fs_map_fds *m, const struct list_def *d,
		     const struct fs_lpm_key *k, const struct fs_list_val *v)
{
	int fd = d->set == FS_FILTER_ALLOW ? m->allow : m->block;
	struct fs_list_val cur;
	int err = fs_list_put(m, d->set, k, v, BPF_NOEXIST);

	if (err != -EEXIST)
		return err;
	if (bpf_map_lookup_elem(fd, k, &cur) == 0 &&
	    cur.origin == FS_ORIGIN_STATIC)
		return -EPERM;
	return fs_list_put(m, d->set, k, v, BPF_EXIST);
}

static int list_add(struct fs_ctx *ctx, void *args)
{
	const struct list_args *a = args;
	const struct list_def *d = a->d;
	struct fs_list_val v = {.origin = FS_ORIGIN_CLI};
	char text[FS_CIDR_STRLEN];
	struct fs_map_fds m;
	int lock, err;

	if (a->ttl_s)
		v.expires_ns = fs_mono_ns() + a->ttl_s * NSEC_PER_SEC;
	if (a->note)
		strncpy(v.note, a->note, FS_NOTE_LEN - 1);
	if (maps_open(ctx, &m, &lock))
		return EXIT_FAIL;
	err = put_entry(&m, d, &a->cidr.key, &v);
	maps_close(&m, lock);
	if (err == -EPERM) {
		pr_err("%s add %s: the configuration file lists it; change it "
		       "there\n",
		       d->cmd, a->cidr.text);
		return EXIT_FAIL;
	}
	if (err) {
		pr_err("%s add %s: %s%s\n", d->cmd, a->cidr.text,
		       strerror(-err),
		       err == -E2BIG || err == -ENOSPC ? " (list is full)"
						       : "");
		return EXIT_FAIL;
	}
	fs_cidr_format(a->cidr.key.addr, a->cidr.key.prefixlen, text,
		       sizeof(text));
	if (!ctx->json)
		printf("%s %s added\n", d->cmd, text);
	return 0;
}

/* Lift a ban on exactly @k's prefix. True if one was there. */
static bool del_ban(const struct fs_map_fds *m, const struct fs_lpm_key *k)
{
	struct fs_key bk = {.plen = k->prefixlen, .bucket = FS_B_NONE};

	memcpy(bk.addr, k->addr, sizeof(bk.addr));
	return fs_list_del(m, FS_FILTER_BAN, &bk) == 0;
}

static int list_del(struct fs_ctx *ctx, void *args)
{
	const struct list_args *a = args;
	const struct list_def *d = a->d;
	struct fs_map_fds m;
	int lock, err;
	bool found;

	if (maps_open(ctx, &m, &lock))
		return EXIT_FAIL;
	found = fs_list_del(&m, d->set, &a->cidr.key) == 0;
	if (d == &block_def)
		found |= del_ban(&m, &a->cidr.key);
	/* the entry's prefilter bits go (a stale bit costs only a lookup) */
	err = found ? fs_filter_rebuild(&m) : 0;
	if (err)
		pr_warn("%s del: cannot update the prefilter (%s)\n", d->cmd,
			strerror(-err));
	maps_close(&m, lock);
	if (!found) {
		pr_err("%s del: '%s' is not in the %s list\n", d->cmd,
		       a->cidr.text, d->cmd);
		return EXIT_FAIL;
	}
	if (!ctx->json)
		printf("%s %s deleted\n", d->cmd, a->cidr.text);
	return 0;
}

struct row {
	char cidr[FS_CIDR_STRLEN];
	const char *kind; /* origin, or "ban" */
	const char *reason;
	const char *note_key; /* JSON key of reason: "reason" or "note" */
	unsigned long long expires_ns;
	unsigned count;
};

static void print_row(struct fs_ctx *ctx, const struct row *r,
		      unsigned long long now, const char **sep)
{
	char exp[32], reason[FS_ESC_LEN(FS_NOTE_LEN)];

	if (ctx->json) {
		printf("%s{\"cidr\":\"%s\",\"kind\":\"%s\",\"%s\":", *sep,
		       r->cidr, r->kind, r->note_key);
		json_str(stdout, r->reason);
		printf(",\"expires_in_s\":%lld,\"count\":%u}",
		       r->expires_ns ? (long long)(r->expires_ns - now) /
					       (long long)NSEC_PER_SEC
				     : -1,
		       r->count);
		*sep = ",";
		return;
	}
	fs_fmt_expiry(r->expires_ns, now, exp, sizeof(exp));
	printf("%-44s %-7s %-8s %s\n", r->cidr, r->kind, exp,
	       fs_text_esc(r->reason, reason, sizeof(reason)));
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

static int list_list(struct fs_ctx *ctx, void *args)
{
	const struct list_def *d = ((struct list_args *)args)->d;
	unsigned long long now = fs_mono_ns();
	const char *sep = "";
	int fd;

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

/* ---------------------------------------------------------------- */
/* The commands */

static const struct list_args allow_args = {.d = &allow_def};
static const struct list_args block_args = {.d = &block_def};

#define CIDR_ARG                                                             \
	FS_POS(FS_T_CIDR, "CIDR", 1, 1, struct list_args, cidr,              \
	       .help = "an address or prefix: 192.0.2.0/24, 2001:db8::/32, " \
		       "192.0.2.7")
#define TTL_OPT                                                            \
	FS_OPT(FS_T_DURATION, "ttl", 0, struct list_args, ttl_s,           \
	       .metavar = "DUR",                                           \
	       .help = "expire after DUR: 90, 90s, 15m, 2h, 7d (default: " \
		       "never)")
#define NOTE_OPT(_name)                                       \
	FS_OPT(FS_T_STRING, _name, 0, struct list_args, note, \
	       .metavar = "TEXT", .max = FS_NOTE_LEN - 1,     \
	       .help = "shown by list; at most 31 characters")

static const struct fs_opt allow_add_opts[] = {CIDR_ARG, TTL_OPT,
					       NOTE_OPT("note"), FS_OPT_END};
static const struct fs_opt block_add_opts[] = {CIDR_ARG, TTL_OPT,
					       NOTE_OPT("reason"), FS_OPT_END};
static const struct fs_opt del_opts[] = {CIDR_ARG, FS_OPT_END};

_Static_assert(FS_NOTE_LEN - 1 == 31, "the help text says 31 characters");

static const struct fs_cmd allow_add =
	FS_CMD("add", list_add, struct list_args, allow_add_opts, &allow_args,
	       "allowlist an address or prefix; wins over every limit");
static const struct fs_cmd allow_del = FS_CMD("del", list_del, struct list_args,
					      del_opts, &allow_args,
					      "remove an entry");
static const struct fs_cmd allow_list = FS_CMD("list", list_list,
					       struct list_args, NULL,
					       &allow_args, "the allowlist");
static const struct fs_cmd block_add =
	FS_CMD("add", list_add, struct list_args, block_add_opts, &block_args,
	       "block an address or prefix (all its traffic is dropped)");
static const struct fs_cmd block_del =
	FS_CMD("del", list_del, struct list_args, del_opts, &block_args,
	       "lift a static block or a ban of exactly that prefix");
static const struct fs_cmd block_list =
	FS_CMD("list", list_list, struct list_args, NULL, &block_args,
	       "static blocks and live bans");

static const struct fs_cmd *const allow_cmds[] = {&allow_add, &allow_del,
						  &allow_list, NULL};
static const struct fs_cmd *const block_cmds[] = {&block_add, &block_del,
						  &block_list, NULL};

const struct fs_cmd fs_cmd_allow =
	FS_GROUP("allow", allow_cmds, "the allowlist");
const struct fs_cmd fs_cmd_block =
	FS_GROUP("block", block_cmds, "the blocklist and the bans");
