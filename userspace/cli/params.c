// SPDX-License-Identifier: GPL-2.0
/* Declarative command lines: one parser, one usage printer and one
 * dispatch over the tables of params.h. */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "params.h"
#include "cli.h"
#include "../../loader/addr.h"
#include "../../loader/log.h"
#include "../../loader/settings.h"

#define USAGE_COL 30 /* where the help column of a usage starts */

/* Per type: the size of the member it fills, whether it takes a value. */
static const struct {
	size_t size;
	bool value;
} types[] = {
	[FS_T_FLAG] = {sizeof(bool), false},
	[FS_T_COUNT] = {sizeof(int), false},
	[FS_T_STRING] = {sizeof(const char *), true},
	[FS_T_UINT] = {sizeof(unsigned), true},
	[FS_T_DURATION] = {sizeof(long long), true},
	[FS_T_PORT] = {sizeof(unsigned), true},
	[FS_T_ENUM] = {sizeof(int), true},
	[FS_T_CIDR] = {sizeof(struct fs_arg_addr), true},
	[FS_T_ADDR] = {sizeof(struct fs_arg_addr), true},
	[FS_T_LIST] = {sizeof(struct fs_arg_list), true},
};

#define N_TYPES (sizeof(types) / sizeof(types[0]))

static const struct fs_opt no_opts[] = {FS_OPT_END};

static const struct fs_opt *rows(const struct fs_opt *opts)
{
	return opts ? opts : no_opts;
}

/* The names of an enum joined: "a|b|c" (@last "|") or "a, b or c". */
static void enum_names(const struct fs_opt *o, const char *sep,
		       const char *last, char *buf, size_t len)
{
	size_t n = 0;

	buf[0] = '\0';
	for (int i = 0; i < o->n_names && n < len; i++)
		n += snprintf(buf + n, len - n, "%s%s",
			      !i		   ? ""
			      : i + 1 < o->n_names ? sep
						   : last,
			      o->name_of(i));
}

/* ---------------------------------------------------------------- */
/* Values. Each parser writes a message naming the value into @err. */

static int parse_uint(const struct fs_opt *o, const char *s, unsigned *out,
		      char *err, size_t len)
{
	unsigned long long v;
	char *end;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (*s < '0' || *s > '9' || *end || errno || v < o->min || v > o->max) {
		snprintf(err, len, "'%s': expected a whole number, %llu-%llu",
			 s, o->min, o->max);
		return -EINVAL;
	}
	*out = v;
	return 0;
}

static int parse_enum(const struct fs_opt *o, const char *s, int *out,
		      char *err, size_t len)
{
	char names[128];

	for (int i = 0; i < o->n_names; i++)
		if (!strcasecmp(s, o->name_of(i))) {
			*out = i;
			return 0;
		}
	enum_names(o, ", ", " or ", names, sizeof(names));
	snprintf(err, len, "'%s': expected %s", s, names);
	return -EINVAL;
}

static int parse_addr(const struct fs_opt *o, const char *s,
		      struct fs_arg_addr *a, char *err, size_t len)
{
	if (fs_cidr_parse(s, &a->key, err, len))
		return -EINVAL;
	if (o->type == FS_T_ADDR && a->key.prefixlen != 128) {
		snprintf(err, len, "'%s': expected one address, not a prefix",
			 s);
		return -EINVAL;
	}
	a->text = s;
	return 0;
}

/* Parse @s as @o's type into its member of @args. */
static int set_value(const struct fs_opt *o, const char *s, void *args,
		     char *err, size_t len)
{
	void *m = (char *)args + o->offset;
	long long d;
	int port;

	switch (o->type) {
	case FS_T_STRING:
		if (o->max && strlen(s) > o->max) {
			snprintf(err, len, "'%s': at most %llu characters", s,
				 o->max);
			return -EINVAL;
		}
		*(const char **)m = s;
		return 0;
	case FS_T_UINT:
		return parse_uint(o, s, m, err, len);
	case FS_T_DURATION:
		d = fs_parse_duration_s(s);
		if (d <= 0) {
			snprintf(err, len,
				 "'%s': expected a duration like 90s, 15m, 2h, "
				 "7d",
				 s);
			return -EINVAL;
		}
		*(long long *)m = d;
		return 0;
	case FS_T_PORT:
		port = fs_parse_port(s);
		if (port < 1) {
			snprintf(err, len, "'%s': expected a port 1-65535", s);
			return -EINVAL;
		}
		*(unsigned *)m = port;
		return 0;
	case FS_T_ENUM:
		return parse_enum(o, s, m, err, len);
	case FS_T_CIDR:
	case FS_T_ADDR:
		return parse_addr(o, s, m, err, len);
	default:
		snprintf(err, len, "'%s': %s takes no value here", s, o->name);
		return -EINVAL;
	}
}

/* ---------------------------------------------------------------- */
/* The parser */

struct parse {
	const struct fs_opt *opts;
	int argc;
	char **argv;
	void *args;
	int npos; /* positional words moved to the front of argv */
	char *err;
	size_t errlen;
};

static int fail(struct parse *p, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int fail(struct parse *p, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(p->err, p->errlen, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

/* Move positional word @i to the front, after those found before it. */
static void take_positional(struct parse *p, int i)
{
	char *w = p->argv[i];

	memmove(&p->argv[p->npos + 1], &p->argv[p->npos],
		(i - p->npos) * sizeof(*p->argv));
	p->argv[p->npos++] = w;
}

/* Option @o, shown as @label. @inline_val: the text after '=' (or after
 * its letter in a cluster), NULL if none; then a value comes from the
 * next word (*@i moves past it). */
static int apply(struct parse *p, const struct fs_opt *o, const char *label,
		 const char *inline_val, int *i)
{
	const char *val = inline_val;
	char msg[256];

	if (!types[o->type].value) {
		if (inline_val)
			return fail(p, "%s: takes no value", label);
		if (o->type == FS_T_FLAG)
			*(bool *)((char *)p->args + o->offset) = true;
		else
			(*(int *)((char *)p->args + o->offset))++;
		return 0;
	}
	if (!val) {
		if (*i + 1 >= p->argc || !strncmp(p->argv[*i + 1], "--", 2))
			return fail(p, "%s: missing value", label);
		val = p->argv[++*i];
	}
	if (set_value(o, val, p->args, msg, sizeof(msg)))
		return fail(p, "%s: %s", label, msg);
	return 0;
}

static int parse_long(struct parse *p, int *i)
{
	const char *tok = p->argv[*i] + 2, *eq = strchr(tok, '=');
	size_t n = eq ? (size_t)(eq - tok) : strlen(tok);
	char label[64];

	for (const struct fs_opt *o = p->opts; o->type; o++) {
		if (o->positional || strlen(o->name) != n ||
		    strncmp(o->name, tok, n))
			continue;
		snprintf(label, sizeof(label), "--%s", o->name);
		return apply(p, o, label, eq ? eq + 1 : NULL, i);
	}
	if (!eq && !strcmp(tok, "help"))
		return FS_PARSE_HELP;
	return fail(p, "unknown option '--%.*s'", (int)n, tok);
}

/* "-x", "-xVALUE", "-xy": letters until one that takes a value. */
static int parse_short(struct parse *p, int *i)
{
	const char *tok = p->argv[*i];

	for (const char *c = tok + 1; *c; c++) {
		const struct fs_opt *o = p->opts;
		char label[4] = {'-', *c};
		int rc;

		while (o->type && (o->positional || o->short_name != *c))
			o++;
		if (!o->type)
			return *c == 'h' ? FS_PARSE_HELP
					 : fail(p, "unknown option '-%c'", *c);
		if (types[o->type].value)
			return apply(p, o, label, c[1] ? c + 1 : NULL, i);
		rc = apply(p, o, label, NULL, i);
		if (rc)
			return rc;
	}
	return 0;
}

/* Positional rows after @o: the words they need at least. */
static unsigned needed_after(const struct fs_opt *o)
{
	unsigned n = 0;

	for (o++; o->type; o++)
		if (o->positional)
			n += o->min_n;
	return n;
}

/* Hand the words moved to the front to the positional rows in order. */
static int fill_positionals(struct parse *p)
{
	unsigned left = p->npos, at = 0;
	char msg[256];

	for (const struct fs_opt *o = p->opts; o->type; o++) {
		unsigned later = needed_after(o), take;

		if (!o->positional)
			continue;
		take = left > later ? left - later : 0;
		if (take > o->max_n)
			take = o->max_n;
		if (take < o->min_n) /* too few words: earlier rows first */
			take = left < o->min_n ? left : o->min_n;
		if (take < o->min_n)
			return fail(p, "missing %s", o->name);
		if (o->type == FS_T_LIST) {
			struct fs_arg_list *l =
				(void *)((char *)p->args + o->offset);

			l->v = p->argv + at;
			l->n = take;
		} else if (take && set_value(o, p->argv[at], p->args, msg,
					     sizeof(msg))) {
			return fail(p, "%s", msg);
		}
		at += take;
		left -= take;
	}
	if (left)
		return fail(p, "unexpected argument '%s'", p->argv[at]);
	return 0;
}

int fs_opts_parse(const struct fs_opt *opts, int argc, char **argv, void *args,
		  int *rest, char *err, size_t errlen)
{
	struct parse p = {.opts = rows(opts),
			  .argc = argc,
			  .argv = argv,
			  .args = args,
			  .err = err,
			  .errlen = errlen};
	bool only_words = false;
	int rc;

	err[0] = '\0';
	for (int i = 0; i < argc; i++) {
		const char *w = argv[i];

		if (!only_words && !strcmp(w, "--")) {
			only_words = true;
			continue;
		}
		if (only_words || w[0] != '-' || !w[1]) {
			if (rest) {
				*rest = i;
				return 0;
			}
			take_positional(&p, i);
			continue;
		}
		rc = w[1] == '-' ? parse_long(&p, &i) : parse_short(&p, &i);
		if (rc)
			return rc;
	}
	if (rest) {
		*rest = argc;
		return 0;
	}
	return fill_positionals(&p);
}

/* ---------------------------------------------------------------- */
/* Checking a table */

static int check_row(const struct fs_opt *o, char *err, size_t len)
{
	if ((unsigned)o->type >= N_TYPES || !types[o->type].size || !o->name)
		snprintf(err, len, "a row of unknown type or without a name");
	else if (o->size != types[o->type].size)
		snprintf(err, len,
			 "%s: member of %zu bytes, its type needs %zu", o->name,
			 o->size, types[o->type].size);
	else if (o->positional &&
		 (!types[o->type].value || !o->max_n || o->min_n > o->max_n ||
		  (o->max_n > 1 && o->type != FS_T_LIST)))
		snprintf(err, len, "%s: bad positional counts or type",
			 o->name);
	else if (!o->positional && o->type == FS_T_LIST)
		snprintf(err, len, "%s: a list is positional only", o->name);
	else if (o->type == FS_T_UINT && (o->min > o->max || o->max > UINT_MAX))
		snprintf(err, len, "%s: bad bounds", o->name);
	else if (o->type == FS_T_ENUM && (!o->name_of || o->n_names < 1))
		snprintf(err, len, "%s: an enum without names", o->name);
	else if (!o->positional &&
		 (!strcmp(o->name, "help") || o->short_name == 'h'))
		snprintf(err, len, "%s: -h and --help are every command's",
			 o->name);
	else
		return 0;
	return -EINVAL;
}

int fs_opts_check(const struct fs_opt *opts, char *err, size_t errlen)
{
	bool list_seen = false;

	err[0] = '\0';
	for (const struct fs_opt *o = rows(opts); o->type; o++) {
		if (check_row(o, err, errlen))
			return -EINVAL;
		if (o->positional && list_seen) {
			snprintf(err, errlen, "%s: after a list", o->name);
			return -EINVAL;
		}
		list_seen |= o->type == FS_T_LIST;
		for (const struct fs_opt *q = rows(opts); q != o; q++) {
			if (q->positional != o->positional)
				continue;
			if (!strcmp(q->name, o->name) ||
			    (o->short_name && q->short_name == o->short_name)) {
				snprintf(err, errlen, "%s: named twice",
					 o->name);
				return -EINVAL;
			}
		}
	}
	return 0;
}

/* ---------------------------------------------------------------- */
/* Usage */

static const char *metavar(const struct fs_opt *o, char *buf, size_t len)
{
	if (o->metavar)
		return o->metavar;
	if (o->type != FS_T_ENUM)
		return "VALUE";
	enum_names(o, "|", "|", buf, len);
	return buf;
}

/* "CIDR", "[NAME]", "NAME...", "a|b" (an enum), "[-c CONFIG]", "[--replace]". */
static void synopsis_word(const struct fs_opt *o, char *buf, size_t len)
{
	char mv[160];
	const char *m = metavar(o, mv, sizeof(mv));
	bool value = types[o->type].value;

	if (o->positional)
		snprintf(buf, len, "%s%s%s%s", o->min_n ? "" : "[",
			 o->type == FS_T_ENUM ? m : o->name,
			 o->max_n > 1 ? "..." : "", o->min_n ? "" : "]");
	else if (o->short_name)
		snprintf(buf, len, "[-%c%s%s]", o->short_name, value ? " " : "",
			 value ? m : "");
	else
		snprintf(buf, len, "[--%s%s%s]", o->name, value ? " " : "",
			 value ? m : "");
}

/* Positional words first, then the options. */
void fs_opts_synopsis(const struct fs_opt *opts, char *buf, size_t len)
{
	size_t n = 0;

	buf[0] = '\0';
	for (int pass = 0; pass < 2; pass++)
		for (const struct fs_opt *o = rows(opts); o->type && n < len;
		     o++) {
			char w[200];

			if (o->positional != !pass)
				continue;
			synopsis_word(o, w, sizeof(w));
			n += snprintf(buf + n, len - n, "%s%s", n ? " " : "",
				      w);
		}
}

/* "  LEFT    RIGHT", RIGHT on the next line when LEFT is long. */
static void two_columns(FILE *f, const char *left, const char *right)
{
	if (!right || !*right)
		fprintf(f, "  %s\n", left);
	else if (strlen(left) < USAGE_COL - 1)
		fprintf(f, "  %-*s %s\n", USAGE_COL - 1, left, right);
	else
		fprintf(f, "  %s\n  %-*s %s\n", left, USAGE_COL - 1, "", right);
}

static void print_opts(FILE *f, const struct fs_opt *opts)
{
	char left[200], mv[160], sh[8];

	for (const struct fs_opt *o = rows(opts); o->type; o++) {
		const char *m = metavar(o, mv, sizeof(mv));
		bool value = types[o->type].value;

		if (o->short_name)
			snprintf(sh, sizeof(sh), "-%c, ", o->short_name);
		else
			snprintf(sh, sizeof(sh), "    ");
		if (o->positional)
			snprintf(left, sizeof(left), "%s",
				 o->type == FS_T_ENUM ? m : o->name);
		else
			snprintf(left, sizeof(left), "%s--%s%s%s", sh, o->name,
				 value ? " " : "", value ? m : "");
		two_columns(f, left, o->help);
	}
	two_columns(f, "-h, --help", "this help");
}

/* Every leaf below @subs, named from @prefix on: one line each. */
static void list_cmds(FILE *f, const struct fs_cmd *const *subs,
		      const char *prefix)
{
	for (; *subs; subs++) {
		const struct fs_cmd *c = *subs;
		char name[128], syn[400], line[560];

		snprintf(name, sizeof(name), "%s%s%s", prefix,
			 *prefix ? " " : "", c->name);
		if (c->subs) {
			list_cmds(f, c->subs, name);
			continue;
		}
		fs_opts_synopsis(c->opts, syn, sizeof(syn));
		snprintf(line, sizeof(line), "%s%s%s", name, *syn ? " " : "",
			 syn);
		two_columns(f, line, c->doc);
	}
}

/* @path without its first word: the name error messages start with. */
static const char *msg_path(const char *path)
{
	const char *sp = strchr(path, ' ');

	return sp ? sp + 1 : "";
}

void fs_cmd_usage(FILE *f, const struct fs_cmd *cmd, const char *path)
{
	char syn[400];

	fs_opts_synopsis(cmd->opts, syn, sizeof(syn));
	fprintf(f, "usage: %s%s%s%s\n", path, *syn ? " " : "", syn,
		cmd->subs ? " COMMAND ..." : "");
	if (cmd->doc)
		fprintf(f, "%s\n", cmd->doc);
	fprintf(f, "\n");
	print_opts(f, cmd->opts);
	if (cmd->subs) {
		fprintf(f, "\ncommands (COMMAND --help for its options):\n");
		list_cmds(f, cmd->subs, msg_path(path));
	}
}

/* ---------------------------------------------------------------- */
/* Dispatch */

static void usage_error(const char *path, const char *msg)
{
	const char *mp = msg_path(path);

	pr_err("%s%s%s\n", mp, *mp ? ": " : "", msg);
}

static const struct fs_cmd *find_cmd(const struct fs_cmd *const *subs,
				     const char *name)
{
	for (; *subs; subs++)
		if (!strcmp((*subs)->name, name))
			return *subs;
	return NULL;
}

/* After a group's own options: its function, then the command named by
 * argv[@at]. */
static int run_group(const struct fs_cmd *cmd, const char *path,
		     struct fs_ctx *ctx, void *args, int argc, char **argv,
		     int at)
{
	const struct fs_cmd *sub = at < argc ? find_cmd(cmd->subs, argv[at])
					     : NULL;
	char msg[200], subpath[256];
	int rc;

	if (!sub && at < argc) {
		snprintf(msg, sizeof(msg), "unknown command '%s'", argv[at]);
		usage_error(path, msg);
		fprintf(stderr, "commands:\n");
		list_cmds(stderr, cmd->subs, msg_path(path));
		return EXIT_USAGE;
	}
	if (!sub) {
		usage_error(path, "missing command");
		fs_cmd_usage(stderr, cmd, path);
		return EXIT_USAGE;
	}
	if (cmd->fn) {
		rc = cmd->fn(ctx, args);
		if (rc)
			return rc;
	}
	snprintf(subpath, sizeof(subpath), "%s %s", path, sub->name);
	return fs_cmd_dispatch(sub, subpath, ctx, argc - at - 1, argv + at + 1);
}

int fs_cmd_dispatch(const struct fs_cmd *cmd, const char *path,
		    struct fs_ctx *ctx, int argc, char **argv)
{
	void *args;
	char err[256];
	int rc, at = 0;

	if (fs_opts_check(cmd->opts, err, sizeof(err))) {
		pr_err("%s: bad option table: %s\n", path, err);
		return EXIT_FAIL;
	}
	args = calloc(1, cmd->args_size ? cmd->args_size : 1);
	if (!args) {
		pr_err("%s: out of memory\n", path);
		return EXIT_FAIL;
	}
	if (cmd->defaults)
		memcpy(args, cmd->defaults, cmd->args_size);
	rc = fs_opts_parse(cmd->opts, argc, argv, args, cmd->subs ? &at : NULL,
			   err, sizeof(err));
	if (rc == FS_PARSE_HELP) {
		fs_cmd_usage(stdout, cmd, path);
		rc = 0;
	} else if (rc) {
		usage_error(path, err);
		rc = EXIT_USAGE;
	} else if (cmd->subs) {
		rc = run_group(cmd, path, ctx, args, argc, argv, at);
	} else {
		rc = cmd->fn(ctx, args);
	}
	free(args);
	return rc;
}
