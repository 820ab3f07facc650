/* SPDX-License-Identifier: GPL-2.0 */
/* Declarative command lines, after xdp-tools' lib/util/params.h: every
 * command declares its options and positional arguments in one table of
 * struct fs_opt rows; one parser fills the command's argument struct
 * from argv, one printer makes its usage from the same rows. Commands
 * form a tree of struct fs_cmd (a group has sub-commands, a leaf a
 * function) and one dispatch walks it at every level.
 *
 * Forms: --name VALUE, --name=VALUE, -x VALUE, -xVALUE, -xy (flags), and
 * "--" ends the options. In the separate form a value may not start with
 * "--" (`--note --ttl 1h` is "--note: missing value"); give such a value
 * as --note=--x. An option given twice keeps the last value (a count
 * counts). Every command takes -h and --help.
 *
 * Errors are one line naming the command and the option or argument,
 * and the value when there is one; they are usage errors (exit 2). */
#ifndef FS_PARAMS_H
#define FS_PARAMS_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include "../../maps/floodshield.h"

/* What a row parses, and the type of the member it fills. */
enum fs_opt_type {
	FS_T_END = 0, /* ends a table */
	FS_T_FLAG,    /* bool: set when given; takes no value */
	FS_T_COUNT,   /* int: one more each time it is given (-v -v) */
	FS_T_STRING, /* const char * into argv; .max: longest length (0: any) */
	FS_T_UINT,   /* unsigned: decimal digits, .min to .max */
	FS_T_DURATION, /* long long seconds, above 0: 90, 90s, 15m, 2h, 7d */
	FS_T_PORT,     /* unsigned: 1-65535 */
	FS_T_ENUM, /* int: the value 0 .. .n_names-1 whose .name_of() is it (any case) */
	FS_T_CIDR, /* struct fs_arg_addr: an address or prefix (loader/addr.h) */
	FS_T_ADDR, /* struct fs_arg_addr: one address (a /32 or /128) */
	FS_T_LIST, /* struct fs_arg_list: a positional taking several words */
};

/* FS_T_CIDR and FS_T_ADDR: the text as given, and its key. */
struct fs_arg_addr {
	const char *text;
	struct fs_lpm_key key;
};

/* FS_T_LIST: the words, consecutive in the (reordered) argv. */
struct fs_arg_list {
	char **v;
	int n;
};

#define FS_MANY UINT_MAX /* a positional's max_n: no limit */

/* One option or positional argument. Build rows with FS_OPT, FS_POS and
 * FS_OPT_END; the member's size is checked against the type when it is
 * parsed (and by tests/test_params.c for every command). */
struct fs_opt {
	enum fs_opt_type type;
	const char *name; /* long name without "--"; a positional's metavar */
	char short_name;  /* -x; 0 for none */
	bool positional;
	unsigned min_n, max_n; /* positional: how many words it takes */
	size_t offset, size;   /* the member filled, in the command's struct */
	const char *metavar;   /* option value in the usage (DUR); NULL: the
				* names of an enum (a|b|c), else VALUE */
	const char *help;      /* one line in the usage */
	unsigned long long min,
		max; /* FS_T_UINT bounds; FS_T_STRING: .max length */
	const char *(*name_of)(int value); /* FS_T_ENUM names */
	int n_names;
};

#define FS_FIELD_SIZE(T, m) sizeof(((T *)0)->m)

/* An option --_name (and -_short unless 0) filling @_member of @_T.
 * The rest: designated initializers (.metavar, .help, .max, ...). */
#define FS_OPT(_type, _name, _short, _T, _member, ...)                    \
	{                                                                 \
		.type = (_type), .name = (_name), .short_name = (_short), \
		.offset = offsetof(_T, _member),                          \
		.size = FS_FIELD_SIZE(_T, _member), __VA_ARGS__           \
	}

/* A positional argument taking @_min to @_max words (FS_MANY: any
 * number; more than one only for FS_T_LIST). Positionals are filled in
 * table order; a later one's minimum is kept for it. */
#define FS_POS(_type, _name, _min, _max, _T, _member, ...)            \
	{                                                             \
		.type = (_type), .name = (_name), .positional = true, \
		.min_n = (_min), .max_n = (_max),                     \
		.offset = offsetof(_T, _member),                      \
		.size = FS_FIELD_SIZE(_T, _member), __VA_ARGS__       \
	}

#define FS_OPT_END               \
	{                        \
		.type = FS_T_END \
	}

/* fs_opts_parse() results besides 0. */
#define FS_PARSE_HELP 1 /* -h or --help: nothing else was parsed */

/* Parse @argc words of @argv (those after the command's name) into
 * @args by @opts. @args holds the defaults on entry. argv is reordered:
 * positional words first, in their order. Returns 0, FS_PARSE_HELP, or
 * -EINVAL with a message in @err naming the option or argument (without
 * the command's name).
 * @rest NULL: every word is the command's. @rest set: option parsing
 * stops at the first positional word and *@rest is its index (@argc if
 * none); for groups, whose positional is a sub-command. */
int fs_opts_parse(const struct fs_opt *opts, int argc, char **argv, void *args,
		  int *rest, char *err, size_t errlen);

/* Whether every row of @opts fits its type: member size, counts,
 * positional order (at most one FS_T_LIST, and last), unique names.
 * -EINVAL with the first problem in @err. */
int fs_opts_check(const struct fs_opt *opts, char *err, size_t errlen);

/* The arguments of a synopsis: "CIDR [--ttl DUR] [--note TEXT]".
 * Truncated to @len. */
void fs_opts_synopsis(const struct fs_opt *opts, char *buf, size_t len);

struct fs_ctx;

/* A command. A leaf has .fn and its .opts fill a struct of .args_size
 * bytes that starts as .defaults (zeroes when NULL). A group has .subs,
 * its commands (a NULL-terminated array: each command is an object of
 * the file that implements it); it may have .opts of its own, given
 * before the sub-command, and .fn then runs with them before it. */
struct fs_cmd {
	const char *name;
	const char *doc;	   /* one line: what it does */
	const struct fs_opt *opts; /* NULL: none */
	size_t args_size;
	const void *defaults;
	/* a leaf's exit status; a group's: 0 to go on, else its exit status */
	int (*fn)(struct fs_ctx *ctx, void *args);
	const struct fs_cmd *const *subs;
};

/* A leaf taking no arguments but -h. */
#define FS_CMD_PLAIN(_name, _fn, _doc)                      \
	{                                                   \
		.name = (_name), .doc = (_doc), .fn = (_fn) \
	}
/* A leaf with options @_opts filling a struct @_T from @_defaults. */
#define FS_CMD(_name, _fn, _T, _opts, _defaults, _doc)                        \
	{                                                                     \
		.name = (_name), .doc = (_doc), .opts = (_opts),              \
		.args_size = sizeof(_T), .defaults = (_defaults), .fn = (_fn) \
	}
/* A group of sub-commands. */
#define FS_GROUP(_name, _subs, _doc)                            \
	{                                                       \
		.name = (_name), .doc = (_doc), .subs = (_subs) \
	}

/* Run @cmd with the @argc words after its name. @path: the words that
 * named it, the program first ("floodshield allow add"); error messages
 * start with them but the first. Returns the exit status: a leaf's, 0
 * after -h/--help (usage on stdout), EXIT_USAGE (2) for a usage error. */
int fs_cmd_dispatch(const struct fs_cmd *cmd, const char *path,
		    struct fs_ctx *ctx, int argc, char **argv);

/* The usage of @cmd named by @path: its synopsis and doc, its arguments
 * and options one a line, and for a group every command below it. */
void fs_cmd_usage(FILE *f, const struct fs_cmd *cmd, const char *path);

#endif
