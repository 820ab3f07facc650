// SPDX-License-Identifier: GPL-2.0
/* floodshield CLI: global options, then one do_<cmd> per subcommand. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <getopt.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "cli.h"
#include "log.h"
#include "../maps/floodshield.h"

static const struct fs_cmd commands[] = {
	{ "attach", do_attach, "attach IFACE [--mode auto|native|generic]" },
	{ "detach", do_detach, "detach IFACE" },
	{ "status", do_status, "status" },
	{ "allow", do_allow, "allow add|del|list [CIDR] [--ttl DUR] [--note TEXT]" },
	{ "block", do_block, "block add|del|list [CIDR] [--ttl DUR] [--reason TEXT]" },
	{ "ports", do_ports, "ports set PORT none|tcp|http|smtp | ports list" },
	{ "set", do_set, "set KEY=VALUE..." },
	{ "show", do_show, "show" },
	{ "stats", do_stats, "stats" },
	{ NULL, NULL, NULL },
};

static void usage(FILE *f)
{
	fprintf(f, "usage: floodshield [-j] [-v] [-n NETNS] [-p PIN_DIR] COMMAND ...\n"
		"  -j, --json        JSON output\n"
		"  -v, --verbose     more log output (twice: debug)\n"
		"  -n, --netns NAME  act in network namespace /run/netns/NAME\n"
		"  -p, --pin-dir DIR pinned state (default " FS_PIN_ROOT
		", or $FLOODSHIELD_PIN_DIR)\n"
		"commands:\n");
	for (const struct fs_cmd *c = commands; c->name; c++)
		fprintf(f, "  %s\n", c->usage);
}

void json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char c = *s;

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

unsigned long long fs_mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

void fs_fmt_expiry(unsigned long long expires_ns, unsigned long long now,
		   char *buf, size_t len)
{
	unsigned long long s;

	if (!expires_ns) {
		snprintf(buf, len, "never");
		return;
	}
	if (expires_ns <= now) {
		snprintf(buf, len, "expired");
		return;
	}
	s = (expires_ns - now + 999999999ull) / 1000000000ull;
	if (s >= 3600)
		snprintf(buf, len, "%lluh%02llum", s / 3600, s % 3600 / 60);
	else if (s >= 60)
		snprintf(buf, len, "%llum%02llus", s / 60, s % 60);
	else
		snprintf(buf, len, "%llus", s);
}

int fs_dispatch(const struct fs_cmd *cmds, const char *what,
		struct fs_ctx *ctx, int argc, char **argv)
{
	if (argc >= 1)
		for (const struct fs_cmd *c = cmds; c->name; c++)
			if (!strcmp(argv[0], c->name))
				return c->fn(ctx, argc - 1, argv + 1);
	if (argc >= 1)
		pr_err("%s: unknown command '%s'\n", what, argv[0]);
	else
		pr_err("%s: missing command\n", what);
	for (const struct fs_cmd *c = cmds; c->name; c++)
		fprintf(stderr, "  %s\n", c->usage);
	return EXIT_USAGE;
}

static int enter_netns(const char *name)
{
	char path[256];
	int fd;

	if (strchr(name, '/')) {
		pr_err("-n: '%s': a namespace name, not a path\n", name);
		return -1;
	}
	snprintf(path, sizeof(path), "/run/netns/%s", name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		pr_err("-n: unknown network namespace '%s'\n", name);
		return -1;
	}
	if (setns(fd, CLONE_NEWNET)) {
		pr_err("-n: cannot enter '%s': %m\n", name);
		close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "netns", required_argument, NULL, 'n' },
		{ "pin-dir", required_argument, NULL, 'p' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct fs_ctx ctx = { .pin_dir = getenv("FLOODSHIELD_PIN_DIR") };
	const char *netns = NULL;
	int c;

	if (!ctx.pin_dir || !*ctx.pin_dir)
		ctx.pin_dir = FS_PIN_ROOT;
	while ((c = getopt_long(argc, argv, "+jvn:p:h", opts, NULL)) != -1) {
		switch (c) {
		case 'j': ctx.json = true; break;
		case 'v': fs_log_level++; break;
		case 'n': netns = optarg; break;
		case 'p': ctx.pin_dir = optarg; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return EXIT_USAGE;
		}
	}
	fs_log_setup_libs();
	if (netns && enter_netns(netns))
		return EXIT_USAGE;
	if (optind >= argc) {
		usage(stderr);
		return EXIT_USAGE;
	}
	return fs_dispatch(commands, "floodshield", &ctx, argc - optind,
			   argv + optind);
}
