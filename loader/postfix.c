// SPDX-License-Identifier: GPL-2.0
#define _GNU_SOURCE /* strndup */
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "postfix.h"

extern char **environ;

#define MASTER_FIELDS \
	8			   /* service type private unpriv chroot
				    * wakeup maxproc command */
#define POSTCONF_OUT_MAX (1 << 20) /* bytes of postconf output read */
#define LIMIT_MAX	 1000000   /* as smtp.capacity takes */

/* Whether master.cf service name @s takes port 25: smtp or 25, with or
 * without a host part ("127.0.0.1:smtp", "[::1]:25"). */
static bool smtp_port(const char *s)
{
	const char *c = strrchr(s, ':');

	if (c && (c[-1] != ']' && strchr(s, '[')))
		c = NULL; /* a colon inside an IPv6 literal, no port */
	if (c)
		s = c + 1;
	return !strcmp(s, "smtp") || !strcmp(s, "25");
}

/* The limit of one service's fields @f, or -1 when it is not an smtpd
 * that takes port 25 mail; -2 when its limit does not parse. */
static long service_limit(char *const f[MASTER_FIELDS], unsigned def)
{
	const char *cmd = strrchr(f[7], '/');
	char *end;
	long v;

	cmd = cmd ? cmd + 1 : f[7];
	if (strcmp(cmd, "smtpd"))
		return -1;
	if (!(strcmp(f[1], "inet") == 0 && smtp_port(f[0])) &&
	    strcmp(f[1], "pass") != 0)
		return -1;
	if (!strcmp(f[6], "-"))
		return def;
	errno = 0;
	v = strtol(f[6], &end, 10);
	if (errno || *end || v < 0 || v > LIMIT_MAX)
		return -2;
	return v;
}

/* Split @line into its first MASTER_FIELDS fields (in place). */
static int split(char *line, char *f[MASTER_FIELDS])
{
	int n = 0;

	for (char *t = strtok(line, " \t"); t && n < MASTER_FIELDS;
	     t = strtok(NULL, " \t"))
		f[n++] = t;
	return n;
}

/* One logical line (continuations joined), of physical line @no. */
static int take_line(char *line, int no, unsigned def, unsigned long *sum,
		     bool *any, bool *unlimited, char *err, size_t errlen)
{
	char *f[MASTER_FIELDS];
	long v;

	if (split(line, f) < MASTER_FIELDS) {
		snprintf(err, errlen, "master.cf line %d: fewer than %d fields",
			 no, MASTER_FIELDS);
		return -EINVAL;
	}
	v = service_limit(f, def);
	if (v == -2) {
		snprintf(err, errlen,
			 "master.cf line %d: process limit '%s' is not a "
			 "number of 0 to %d or -",
			 no, f[6], LIMIT_MAX);
		return -EINVAL;
	}
	if (v < 0)
		return 0;
	*any = true;
	if (v == 0)
		*unlimited = true;
	*sum += v;
	return 0;
}

int fs_postfix_master_capacity(const char *text, unsigned default_limit,
			       unsigned *cap, char *err, size_t errlen)
{
	size_t size = strlen(text) + 2, len = 0;
	char *buf = strdup(text), *cur = malloc(size), *p;
	unsigned long sum = 0;
	bool any = false, unlimited = false;
	int no = 0, cur_no = 0, e = 0;

	if (!buf || !cur) {
		free(buf);
		free(cur);
		return -ENOMEM;
	}
	/* physical lines: a comment or blank one is skipped, one that
	 * starts with white space continues the logical line before */
	for (p = buf; p && !e;) {
		char *line = p, *nl = strchr(p, '\n');
		const char *first;

		if (nl)
			*nl = '\0';
		p = nl ? nl + 1 : NULL;
		no++;
		first = line + strspn(line, " \t");
		if (!*first || *first == '#')
			continue;
		if (first != line && len) {
			len += snprintf(cur + len, size - len, " %s", first);
			continue;
		}
		if (len)
			e = take_line(cur, cur_no, default_limit, &sum, &any,
				      &unlimited, err, errlen);
		len = snprintf(cur, size, "%s", first);
		cur_no = no;
	}
	if (len && !e)
		e = take_line(cur, cur_no, default_limit, &sum, &any,
			      &unlimited, err, errlen);
	free(buf);
	free(cur);
	if (e)
		return e;
	if (!any) {
		snprintf(err, errlen, "master.cf: no smtpd service on port 25");
		return -ENOENT;
	}
	*cap = unlimited || sum > LIMIT_MAX ? 0 : (unsigned)sum;
	return 0;
}

/* Run @argv (no shell) and return its standard output, NUL-terminated,
 * or NULL (*@status: its wait status, or -1 when it could not run). */
static char *run(char *const argv[], int *status)
{
	posix_spawn_file_actions_t fa;
	size_t n = 0, cap = 4096;
	char *out = malloc(cap);
	int pipefd[2];
	ssize_t r;
	pid_t pid;

	*status = -1;
	if (!out || pipe(pipefd)) {
		free(out);
		return NULL;
	}
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, pipefd[1], STDOUT_FILENO);
	posix_spawn_file_actions_addclose(&fa, pipefd[0]);
	posix_spawn_file_actions_addopen(&fa, STDERR_FILENO, "/dev/null",
					 O_WRONLY, 0);
	if (posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ)) {
		posix_spawn_file_actions_destroy(&fa);
		close(pipefd[0]);
		close(pipefd[1]);
		free(out);
		return NULL;
	}
	posix_spawn_file_actions_destroy(&fa);
	close(pipefd[1]);
	while ((r = read(pipefd[0], out + n, cap - n - 1)) > 0) {
		n += r;
		if (n + 1 == cap && cap < POSTCONF_OUT_MAX) {
			char *g = realloc(out, cap * 2);

			if (!g)
				break;
			out = g;
			cap *= 2;
		} else if (n + 1 == cap) {
			break;
		}
	}
	close(pipefd[0]);
	out[n] = '\0';
	if (waitpid(pid, status, 0) < 0)
		*status = -1;
	return out;
}

/* postconf [-c DIR] ARGS...: its output, or NULL with @err set and
 * *@e -ENOENT (it could not run) or -EIO (it failed). */
static char *postconf(const char *prog, const char *dir, const char *a1,
		      const char *a2, int *e, char *err, size_t errlen)
{
	const char *argv[7];
	int n = 0, st;
	char *out;

	argv[n++] = prog ? prog : "postconf";
	if (dir) {
		argv[n++] = "-c";
		argv[n++] = dir;
	}
	argv[n++] = a1;
	if (a2)
		argv[n++] = a2;
	argv[n] = NULL;
	out = run((char *const *)argv, &st);
	if (out && WIFEXITED(st) && WEXITSTATUS(st) == 0)
		return out;
	*e = out ? -EIO : -ENOENT;
	snprintf(err, errlen, "%s %s%s%s: %s", argv[0], a1, a2 ? " " : "",
		 a2 ? a2 : "",
		 !out ? "cannot run it (is Postfix installed?)"
		      : "failed (is Postfix configured, is this its "
			"configuration folder, does master.cf parse?)");
	free(out);
	return NULL;
}

int fs_postfix_capacity(const char *prog, const char *config_dir, unsigned *cap,
			char *err, size_t errlen)
{
	char *limit, *master, *end;
	unsigned long def;
	int e;

	limit = postconf(prog, config_dir, "-h", "default_process_limit", &e,
			 err, errlen);
	if (!limit)
		return e;
	errno = 0;
	def = strtoul(limit, &end, 10);
	if (errno || end == limit || (*end && *end != '\n') ||
	    def > LIMIT_MAX) {
		snprintf(err, errlen,
			 "postconf: default_process_limit '%.20s' is not a "
			 "number",
			 limit);
		free(limit);
		return -EINVAL;
	}
	free(limit);
	master = postconf(prog, config_dir, "-M", NULL, &e, err, errlen);
	if (!master)
		return e;
	e = fs_postfix_master_capacity(master, def, cap, err, errlen);
	free(master);
	return e;
}
