// SPDX-License-Identifier: GPL-2.0
/* The declarative command line (userspace/cli/params.c): both option
 * forms, missing and bad values, unknown options, positional counts,
 * the generated usage, the dispatch and its exit codes, and every table
 * of the real command tree. */
#include <stdlib.h>
#include <unistd.h>
#include "test.h"
#include "../userspace/cli/cli.h"
#include "../loader/log.h"

struct t_args {
	bool flag;
	int count;
	const char *note;
	unsigned num;
	long long ttl;
	unsigned port;
	int color;
	struct fs_arg_addr cidr;
	struct fs_arg_addr addr;
	struct fs_arg_list words;
};

static const char *color_name(int c)
{
	static const char *const names[] = {"red", "green", "blue"};

	return c >= 0 && c < 3 ? names[c] : "?";
}

static const struct fs_opt t_opts[] = {
	FS_POS(FS_T_CIDR, "CIDR", 1, 1, struct t_args, cidr,
	       .help = "a prefix"),
	FS_POS(FS_T_LIST, "WORD", 0, FS_MANY, struct t_args, words,
	       .help = "words"),
	FS_OPT(FS_T_FLAG, "flag", 'f', struct t_args, flag, .help = "a flag"),
	FS_OPT(FS_T_COUNT, "verbose", 'v', struct t_args, count,
	       .help = "more"),
	FS_OPT(FS_T_STRING, "note", 'n', struct t_args, note, .metavar = "TEXT",
	       .max = 5, .help = "at most 5 characters"),
	FS_OPT(FS_T_UINT, "num", 0, struct t_args, num, .metavar = "N",
	       .min = 1, .max = 10, .help = "1-10"),
	FS_OPT(FS_T_DURATION, "ttl", 0, struct t_args, ttl, .metavar = "DUR",
	       .help = "a duration"),
	FS_OPT(FS_T_PORT, "port", 'p', struct t_args, port, .metavar = "PORT",
	       .help = "a port"),
	FS_OPT(FS_T_ENUM, "color", 0, struct t_args, color,
	       .name_of = color_name, .n_names = 3, .help = "a color"),
	FS_OPT(FS_T_ADDR, "addr", 0, struct t_args, addr, .metavar = "ADDR",
	       .help = "one address"),
	FS_OPT_END};

/* Split @line at spaces into a fresh argv (the words outlive the call:
 * the parser points into them). */
static int split(const char *line, char ***argv)
{
	char *copy = strdup(line), *save = NULL, *w;
	char **v = calloc(strlen(line) / 2 + 2, sizeof(*v));
	int n = 0;

	for (w = strtok_r(copy, " ", &save); w; w = strtok_r(NULL, " ", &save))
		v[n++] = w;
	*argv = v;
	return n;
}

static int parse_line(const struct fs_opt *opts, const char *line, void *args,
		      size_t size, char *err, size_t errlen)
{
	char **argv;
	int argc = split(line, &argv);

	memset(args, 0, size);
	return fs_opts_parse(opts, argc, argv, args, NULL, err, errlen);
}

static int parse_t(const char *line, struct t_args *a, char *err)
{
	return parse_line(t_opts, line, a, sizeof(*a), err, 256);
}

/* Parse @line expecting -EINVAL and exactly @msg. */
static void expect_error(const char *line, const char *msg)
{
	struct t_args a;
	char err[256];

	if (ASSERT_EQ(parse_t(line, &a, err), -EINVAL, line))
		ASSERT_STREQ(err, msg, line);
}

FS_TEST(params_forms)
{
	struct t_args a;
	char err[256];

	fs_subtest("--opt value and --opt=value");
	ASSERT_OK(parse_t("192.0.2.0/24 --ttl 1h --note abc", &a, err), err);
	ASSERT_EQ(a.ttl, 3600, "--ttl 1h");
	ASSERT_STREQ(a.note, "abc", "--note abc");
	ASSERT_OK(parse_t("192.0.2.0/24 --ttl=15m --note=x=y", &a, err), err);
	ASSERT_EQ(a.ttl, 900, "--ttl=15m");
	ASSERT_STREQ(a.note, "x=y", "--note=x=y: the value holds the rest");
	ASSERT_OK(parse_t("192.0.2.0/24 --note=", &a, err), err);
	ASSERT_STREQ(a.note, "", "--note=: an empty value");

	fs_subtest("short options: -p VALUE, -pVALUE, -fv clusters");
	ASSERT_OK(parse_t("192.0.2.0/24 -p 80", &a, err), err);
	ASSERT_EQ(a.port, 80, "-p 80");
	ASSERT_OK(parse_t("192.0.2.0/24 -p8080", &a, err), err);
	ASSERT_EQ(a.port, 8080, "-p8080");
	ASSERT_OK(parse_t("192.0.2.0/24 -fvv -vn ab", &a, err), err);
	ASSERT_TRUE(a.flag, "-f in -fvv");
	ASSERT_EQ(a.count, 3, "-fvv -v: three");
	ASSERT_STREQ(a.note, "ab", "-n's value after a cluster");

	fs_subtest("every type");
	ASSERT_OK(parse_t("2001:db8::/32 --num 10 --color BLUE --addr "
			  "192.0.2.7 "
			  "--port 65535 --ttl 90",
			  &a, err),
		  err);
	ASSERT_EQ(a.cidr.key.prefixlen, 32, "CIDR");
	ASSERT_STREQ(a.cidr.text, "2001:db8::/32", "CIDR text");
	ASSERT_EQ(a.num, 10, "--num at its bound");
	ASSERT_EQ(a.color, 2, "--color, any case");
	ASSERT_EQ(a.addr.key.prefixlen, 128, "--addr: a v4-mapped host");
	ASSERT_EQ(a.addr.key.addr[15], 7, "--addr's last byte");
	ASSERT_EQ(a.port, 65535, "--port");
	ASSERT_EQ(a.ttl, 90, "--ttl 90: seconds");

	fs_subtest("the last of an option given twice");
	ASSERT_OK(parse_t("192.0.2.0/24 --ttl 1h --ttl 2h", &a, err), err);
	ASSERT_EQ(a.ttl, 7200, "--ttl 2h");

	fs_subtest("-h and --help");
	ASSERT_EQ(parse_t("--help", &a, err), FS_PARSE_HELP, "--help");
	ASSERT_EQ(parse_t("192.0.2.0/24 -h", &a, err), FS_PARSE_HELP, "-h");
	ASSERT_EQ(parse_t("-fh", &a, err), FS_PARSE_HELP, "-fh");
}

FS_TEST(params_errors)
{
	fs_subtest("a missing value names the option");
	expect_error("192.0.2.0/24 --ttl", "--ttl: missing value");
	expect_error("192.0.2.0/24 --note --ttl 1h", "--note: missing value");
	expect_error("192.0.2.0/24 -n", "-n: missing value");
	expect_error("192.0.2.0/24 -fn", "-n: missing value");

	fs_subtest("an unknown option is named");
	expect_error("192.0.2.0/24 --bogus", "unknown option '--bogus'");
	expect_error("192.0.2.0/24 --bogus=1", "unknown option '--bogus'");
	expect_error("192.0.2.0/24 -x", "unknown option '-x'");
	expect_error("192.0.2.0/24 -fx", "unknown option '-x'");
	expect_error("192.0.2.0/24 --fla", "unknown option '--fla'");

	fs_subtest("a bad value names the option and the value");
	expect_error("192.0.2.0/24 --ttl 1x", "--ttl: '1x': expected a "
					      "duration like 90s, 15m, 2h, 7d");
	expect_error("192.0.2.0/24 --ttl=0", "--ttl: '0': expected a duration "
					     "like 90s, 15m, 2h, 7d");
	expect_error("192.0.2.0/24 --num 11", "--num: '11': expected a whole "
					      "number, 1-10");
	expect_error("192.0.2.0/24 --num 0", "--num: '0': expected a whole "
					     "number, 1-10");
	expect_error("192.0.2.0/24 --num -1", "--num: '-1': expected a whole "
					      "number, 1-10");
	expect_error("192.0.2.0/24 --num=-1", "--num: '-1': expected a whole "
					      "number, 1-10");
	expect_error("192.0.2.0/24 --num 1k", "--num: '1k': expected a whole "
					      "number, 1-10");
	expect_error("192.0.2.0/24 -p 0", "-p: '0': expected a port 1-65535");
	expect_error("192.0.2.0/24 --port 65536", "--port: '65536': expected a "
						  "port 1-65535");
	expect_error("192.0.2.0/24 --color pink", "--color: 'pink': expected "
						  "red, green or blue");
	expect_error("192.0.2.0/24 --note abcdef", "--note: 'abcdef': at most "
						   "5 characters");
	expect_error("192.0.2.0/24 --addr 192.0.2.0/24", "--addr: "
							 "'192.0.2.0/24': "
							 "expected one "
							 "address, not a "
							 "prefix");
	expect_error("192.0.2.0/24 --flag=yes", "--flag: takes no value");

	fs_subtest("a bad positional value is named by its text");
	expect_error("192.0.2.0/33", "'192.0.2.0/33': prefix length must be "
				     "0-32");
	expect_error("not-a-cidr", "'not-a-cidr': not an IPv4 or IPv6 address");
}

struct three {
	const char *a, *b, *c;
};

static const struct fs_opt three_opts[] = {
	FS_POS(FS_T_STRING, "A", 1, 1, struct three, a),
	FS_POS(FS_T_STRING, "B", 0, 1, struct three, b),
	FS_POS(FS_T_STRING, "C", 1, 1, struct three, c), FS_OPT_END};

static int parse_three(const char *line, struct three *t, char *err)
{
	return parse_line(three_opts, line, t, sizeof(*t), err, 256);
}

FS_TEST(params_positionals)
{
	struct t_args a;
	struct three t;
	char err[256], **argv;
	int argc;

	fs_subtest("counts: required, optional, a later one's minimum kept");
	ASSERT_OK(parse_three("x y", &t, err), err);
	ASSERT_STREQ(t.a, "x", "A");
	ASSERT_TRUE(t.b == NULL, "B left out");
	ASSERT_STREQ(t.c, "y", "C: B gives way");
	ASSERT_OK(parse_three("x y z", &t, err), err);
	ASSERT_STREQ(t.b, "y", "B");
	ASSERT_STREQ(t.c, "z", "C");
	ASSERT_EQ(parse_three("x", &t, err), -EINVAL, "one word");
	ASSERT_STREQ(err, "missing C", "one word");
	ASSERT_EQ(parse_three("", &t, err), -EINVAL, "none");
	ASSERT_STREQ(err, "missing A", "none");
	ASSERT_EQ(parse_three("x y z w", &t, err), -EINVAL, "four words");
	ASSERT_STREQ(err, "unexpected argument 'w'", "four words");

	fs_subtest("a list takes the rest, between the options");
	ASSERT_OK(parse_t("--flag 192.0.2.0/24 two -v three", &a, err), err);
	ASSERT_EQ(a.words.n, 2, "two words after the CIDR");
	ASSERT_STREQ(a.words.v[0], "two", "first word");
	ASSERT_STREQ(a.words.v[1], "three", "second word");
	ASSERT_TRUE(a.flag && a.count == 1, "the options between");
	ASSERT_EQ(parse_t("one --flag", &a, err), -EINVAL, "'one' as CIDR");
	ASSERT_OK(parse_t("192.0.2.0/24", &a, err), err);
	ASSERT_EQ(a.words.n, 0, "an empty list");

	fs_subtest("-- ends the options; - alone is a word");
	ASSERT_OK(parse_t("192.0.2.0/24 - -- --flag -x", &a, err), err);
	ASSERT_EQ(a.words.n, 3, "three words");
	ASSERT_STREQ(a.words.v[0], "-", "-");
	ASSERT_STREQ(a.words.v[1], "--flag", "--flag after --");
	ASSERT_FALSE(a.flag, "--flag after -- is no option");

	fs_subtest("groups: options stop at the first word");
	argc = split("-f -n x sub --flag y", &argv);
	{
		int rest = -1;

		memset(&a, 0, sizeof(a));
		ASSERT_OK(fs_opts_parse(t_opts, argc, argv, &a, &rest, err,
					sizeof(err)),
			  err);
		ASSERT_EQ(rest, 3, "the sub-command's index");
		ASSERT_TRUE(a.flag, "-f before it");
		ASSERT_STREQ(a.note, "x", "-n x before it");
	}
}

FS_TEST(params_usage)
{
	char syn[400], *text = NULL;
	size_t len = 0;
	FILE *f;

	fs_subtest("synopsis: positionals, then options, from the table");
	fs_opts_synopsis(t_opts, syn, sizeof(syn));
	ASSERT_STREQ(syn,
		     "CIDR [WORD...] [-f] [-v] [-n TEXT] [--num N] [--ttl DUR] "
		     "[-p PORT] [--color red|green|blue] [--addr ADDR]",
		     "synopsis");
	fs_opts_synopsis(three_opts, syn, sizeof(syn));
	ASSERT_STREQ(syn, "A [B] C", "optional positional");

	fs_subtest("usage: synopsis, doc, one line per argument and option");
	{
		static const struct fs_cmd leaf = FS_CMD("leaf", NULL,
							 struct t_args, t_opts,
							 NULL, "does a thing");

		f = open_memstream(&text, &len);
		fs_cmd_usage(f, &leaf, "prog leaf");
		fclose(f);
	}
	ASSERT_TRUE(!strncmp(text, "usage: prog leaf CIDR [WORD...] [-f]", 36),
		    text);
	ASSERT_TRUE(strstr(text, "\ndoes a thing\n") != NULL, "doc line");
	ASSERT_TRUE(strstr(text, "\n  -n, --note TEXT               at most 5 "
				 "characters\n") != NULL,
		    "-n line");
	ASSERT_TRUE(strstr(text, "\n      --color red|green|blue    a "
				 "color\n") != NULL,
		    "--color line");
	ASSERT_TRUE(strstr(text, "\n  CIDR                          a "
				 "prefix\n") != NULL,
		    "CIDR line");
	ASSERT_TRUE(strstr(text, "\n  -h, --help                    this "
				 "help\n") != NULL,
		    "-h line");
	free(text);
}

/* ---------------------------------------------------------------- */
/* The real tree */

/* Run @fn on every command below @cmd with its path. */
static void walk(const struct fs_cmd *cmd, const char *path,
		 void (*fn)(const struct fs_cmd *, const char *, void *),
		 void *arg)
{
	fn(cmd, path, arg);
	for (const struct fs_cmd *const *s = cmd->subs; s && *s; s++) {
		char sub[256];

		snprintf(sub, sizeof(sub), "%s %s", path, (*s)->name);
		walk(*s, sub, fn, arg);
	}
}

static void check_table(const struct fs_cmd *cmd, const char *path, void *arg)
{
	char err[256];

	(void)arg;
	if (!ASSERT_OK(fs_opts_check(cmd->opts, err, sizeof(err)), path))
		printf("     %s\n", err);
	ASSERT_TRUE(cmd->doc && *cmd->doc, "a doc line");
	ASSERT_TRUE(cmd->subs ? true : cmd->fn != NULL, "a leaf has a "
							"function");
}

/* The root usage has a line "  PATH SYNOPSIS" for every leaf. */
static void check_listed(const struct fs_cmd *cmd, const char *path, void *arg)
{
	char syn[400], line[600];

	if (cmd->subs)
		return;
	fs_opts_synopsis(cmd->opts, syn, sizeof(syn));
	snprintf(line, sizeof(line), "\n  %s%s%s", strchr(path, ' ') + 1,
		 *syn ? " " : "", syn);
	if (!ASSERT_TRUE(strstr(arg, line) != NULL, path))
		printf("     not in the usage: %s\n", line + 1);
}

FS_TEST(params_tree)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f;

	fs_subtest("every command's table is sound");
	walk(&fs_cli, FS_PROG, check_table, NULL);

	fs_subtest("the top-level usage lists every command");
	f = open_memstream(&text, &len);
	fs_cmd_usage(f, &fs_cli, FS_PROG);
	fclose(f);
	ASSERT_TRUE(!strncmp(text,
			     "usage: floodshield [-j] [-v] [-n NETNS] [-p "
			     "PIN_DIR] "
			     "COMMAND ...\n",
			     64),
		    text);
	walk(&fs_cli, FS_PROG, check_listed, text);
	free(text);
}

/* fs_opts_check refuses what would break the parser. */
struct bad {
	int i;
	const char *s;
	struct fs_arg_list l;
};

FS_TEST(params_check)
{
	static const struct fs_opt wrong_size[] = {
		FS_OPT(FS_T_STRING, "s", 0, struct bad, i), FS_OPT_END};
	static const struct fs_opt list_first[] = {
		FS_POS(FS_T_LIST, "L", 0, FS_MANY, struct bad, l),
		FS_POS(FS_T_STRING, "S", 1, 1, struct bad, s), FS_OPT_END};
	static const struct fs_opt twice[] = {
		FS_OPT(FS_T_STRING, "s", 's', struct bad, s),
		FS_OPT(FS_T_ENUM, "t", 's', struct bad, i,
		       .name_of = color_name, .n_names = 3),
		FS_OPT_END};
	static const struct fs_opt own_help[] = {
		FS_OPT(FS_T_STRING, "help", 0, struct bad, s), FS_OPT_END};
	static const struct fs_opt many_strings[] = {
		FS_POS(FS_T_STRING, "S", 1, 2, struct bad, s), FS_OPT_END};
	char err[256];

	fs_subtest("bad tables are refused");
	ASSERT_EQ(fs_opts_check(wrong_size, err, sizeof(err)), -EINVAL,
		  "member size");
	ASSERT_STREQ(err, "s: member of 4 bytes, its type needs 8",
		     "member size");
	ASSERT_EQ(fs_opts_check(list_first, err, sizeof(err)), -EINVAL,
		  "list not last");
	ASSERT_EQ(fs_opts_check(twice, err, sizeof(err)), -EINVAL, "-s twice");
	ASSERT_EQ(fs_opts_check(own_help, err, sizeof(err)), -EINVAL, "--help");
	ASSERT_EQ(fs_opts_check(many_strings, err, sizeof(err)), -EINVAL,
		  "2 strings");
	ASSERT_OK(fs_opts_check(t_opts, err, sizeof(err)), err);
	ASSERT_OK(fs_opts_check(NULL, err, sizeof(err)), "no table");
}

/* ---------------------------------------------------------------- */
/* Dispatch and exit codes */

/* Run @fn with fd @fd going to a file; its output in @out. */
static int capture(int fd, char *out, size_t len, int (*fn)(void *), void *arg)
{
	FILE *tmp = tmpfile();
	int saved = dup(fd), rc;
	size_t n;

	fflush(stdout);
	fflush(stderr);
	dup2(fileno(tmp), fd);
	fs_log_journal_detect();
	rc = fn(arg);
	fflush(stdout);
	fflush(stderr);
	dup2(saved, fd);
	close(saved);
	fs_log_journal_detect();
	rewind(tmp);
	n = fread(out, 1, len - 1, tmp);
	out[n] = '\0';
	fclose(tmp);
	return rc;
}

static struct t_args seen;
static int leaf_runs, group_runs;

static int leaf_fn(struct fs_ctx *ctx, void *args)
{
	(void)ctx;
	seen = *(struct t_args *)args;
	leaf_runs++;
	return 0;
}

static int group_fn(struct fs_ctx *ctx, void *args)
{
	ctx->json = ((struct t_args *)args)->flag;
	group_runs++;
	return 0;
}

static const struct t_args leaf_defaults = {.num = 5};
static const struct fs_cmd t_leaf = FS_CMD("leaf", leaf_fn, struct t_args,
					   t_opts, &leaf_defaults, "a leaf");
static const struct fs_cmd *const t_subs[] = {&t_leaf, NULL};
static const struct fs_opt t_group_opts[] = {
	FS_OPT(FS_T_FLAG, "json", 'j', struct t_args, flag, .help = "json"),
	FS_OPT_END};
static const struct fs_cmd t_mid = FS_GROUP("mid", t_subs, "a group");
static const struct fs_cmd *const t_top_subs[] = {&t_mid, NULL};
static const struct fs_cmd t_root = {
	.name = "prog",
	.doc = "the root",
	.opts = t_group_opts,
	.args_size = sizeof(struct t_args),
	.fn = group_fn,
	.subs = t_top_subs,
};

struct run {
	const char *line;
	struct fs_ctx ctx;
};

static int run_root(void *arg)
{
	struct run *r = arg;
	char **argv;
	int argc = split(r->line, &argv);

	memset(&seen, 0, sizeof(seen));
	leaf_runs = group_runs = 0;
	return fs_cmd_dispatch(&t_root, "prog", &r->ctx, argc, argv);
}

/* Dispatch @line; its exit status, stderr in @err (stdout with @out). */
static int dispatch(const char *line, char *err, size_t len, bool out)
{
	struct run r = {.line = line};

	return capture(out ? STDOUT_FILENO : STDERR_FILENO, err, len, run_root,
		       &r);
}

FS_TEST(params_dispatch)
{
	char out[4096];

	fs_subtest("the same dispatch at every level");
	ASSERT_EQ(dispatch("-j mid leaf 192.0.2.0/24 --ttl=1h", out,
			   sizeof(out), false),
		  0, "exit 0");
	ASSERT_STREQ(out, "", "nothing on stderr");
	ASSERT_EQ(group_runs, 1, "the root's function, once");
	ASSERT_EQ(leaf_runs, 1, "the leaf, once");
	ASSERT_EQ(seen.ttl, 3600, "the leaf's --ttl");
	ASSERT_EQ(seen.num, 5, "the leaf's defaults");

	fs_subtest("usage errors exit 2 with one line naming the command");
	ASSERT_EQ(dispatch("mid leaf 192.0.2.0/24 --ttl", out, sizeof(out),
			   false),
		  EXIT_USAGE, "missing value");
	ASSERT_STREQ(out, "floodshield: mid leaf: --ttl: missing value\n",
		     "missing value");
	ASSERT_EQ(leaf_runs, 0, "the leaf did not run");
	ASSERT_EQ(dispatch("--bogus mid leaf", out, sizeof(out), false),
		  EXIT_USAGE, "unknown global option");
	ASSERT_STREQ(out, "floodshield: unknown option '--bogus'\n",
		     "unknown global option");
	ASSERT_EQ(group_runs, 0, "the root's function did not run");
	ASSERT_EQ(dispatch("mid nope", out, sizeof(out), false), EXIT_USAGE,
		  "unknown command");
	ASSERT_TRUE(!strncmp(out, "floodshield: mid: unknown command 'nope'\n",
			     41),
		    out);
	ASSERT_TRUE(strstr(out, "\n  mid leaf CIDR [WORD...]") != NULL, "its "
									"comman"
									"ds "
									"liste"
									"d");
	ASSERT_EQ(dispatch("mid", out, sizeof(out), false), EXIT_USAGE,
		  "missing command");
	ASSERT_TRUE(!strncmp(out,
			     "floodshield: mid: missing command\nusage: prog "
			     "mid COMMAND",
			     56),
		    out);

	fs_subtest("--help and -h at every level: usage on stdout, exit 0");
	ASSERT_EQ(dispatch("--help", out, sizeof(out), true), 0, "prog --help");
	ASSERT_TRUE(!strncmp(out, "usage: prog [-j] COMMAND ...\n", 29), out);
	ASSERT_EQ(dispatch("mid -h", out, sizeof(out), true), 0, "prog mid -h");
	ASSERT_TRUE(!strncmp(out, "usage: prog mid COMMAND ...\n", 28), out);
	ASSERT_EQ(dispatch("mid leaf --help", out, sizeof(out), true), 0,
		  "leaf --help");
	ASSERT_TRUE(!strncmp(out, "usage: prog mid leaf CIDR", 25), out);
	ASSERT_EQ(leaf_runs, 0, "the leaf did not run");
}

static int run_real(void *arg)
{
	struct run *r = arg;
	char **argv;
	int argc = split(r->line, &argv);

	r->ctx.pin_dir = "/nonexistent";
	return fs_cmd_dispatch(&fs_cli, FS_PROG, &r->ctx, argc, argv);
}

FS_TEST(params_commands)
{
	static const struct {
		const char *line, *err;
	} cases[] = {
		{"allow add 192.0.2.0/24 --ttl", "allow add: --ttl: missing "
						 "value"},
		{"allow add 192.0.2.0/24 --ttl=1x", "allow add: --ttl: '1x': "
						    "expected a duration like "
						    "90s, 15m, 2h, 7d"},
		{"allow add", "allow add: missing CIDR"},
		{"block add 192.0.2.0/24 --note x", "block add: unknown option "
						    "'--note'"},
		{"block del 192.0.2.0/24 192.0.2.1", "block del: unexpected "
						     "argument '192.0.2.1'"},
		{"allow add 198.51.100.300/32", "allow add: "
						"'198.51.100.300/32': not an "
						"IPv4 or IPv6 address"},
		{"ports set 80 ftp", "ports set: 'ftp': expected none, tcp, "
				     "http or smtp"},
		{"ports set 0 tcp", "ports set: '0': expected a port 1-65535"},
		{"attach lo --mode hw", "attach: --mode: 'hw': expected auto, "
					"native or generic"},
		{"verify 192.0.2.1 --timeout 0", "verify: --timeout: '0': "
						 "expected a whole number, "
						 "1-600000"},
		{"explain 192.0.2.0/24", "explain: '192.0.2.0/24': expected "
					 "one address, not a prefix"},
		{"stats --bogus", "stats: unknown option '--bogus'"},
		{"hosts import lighttpd", "hosts import: 'lighttpd': expected "
					  "nginx or apache"},
		{"hosts add", "hosts add: missing NAME"},
		{"set", "set: missing KEY=VALUE"},
		{"status now", "status: unexpected argument 'now'"},
		{"run --config", "run: --config: missing value"},
	};
	char out[4096], want[300];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct run r = {.line = cases[i].line};

		fs_subtest("floodshield %s", cases[i].line);
		ASSERT_EQ(capture(STDERR_FILENO, out, sizeof(out), run_real,
				  &r),
			  EXIT_USAGE, "exit 2");
		snprintf(want, sizeof(want), "floodshield: %s\n", cases[i].err);
		ASSERT_STREQ(out, want, cases[i].line);
	}
}
