// SPDX-License-Identifier: GPL-2.0
/* floodshield CLI: global options, then one do_<cmd> per subcommand. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <getopt.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "cli.h"
#include "../../loader/log.h"
#include "../../loader/config.h"
#include "../../maps/floodshield.h"


static const struct fs_cmd commands[] = {
	{ "check", do_check, "check [-c CONFIG] validate a configuration without applying it" },
	{ "run", do_run, "run [-c CONFIG]   the daemon (default " FS_CONF_PATH ")" },
	{ "attach", do_attach, "attach IFACE [--mode auto|native|generic] [--replace]" },
	{ "detach", do_detach, "detach IFACE" },
	{ "status", do_status, "status" },
	{ "allow", do_allow, "allow add|del|list [CIDR] [--ttl DUR] [--note TEXT]" },
	{ "block", do_block, "block add|del|list [CIDR] [--ttl DUR] [--reason TEXT]" },
	{ "hosts", do_hosts, "hosts add|del NAME... | hosts list | hosts import nginx|apache [--from FILE] [--config CONF]" },
	{ "ports", do_ports, "ports set PORT none|tcp|http|smtp | ports list" },
	{ "set", do_set, "set KEY=VALUE..." },
	{ "show", do_show, "show" },
	{ "stats", do_stats, "stats [--all]     counters: the summary and non-zero rows (--all: every row)" },
	{ "explain", do_explain, "explain ADDR      why ADDR is treated as it is" },
	{ "verify", do_verify, "verify ADDR [--resolver ADDR@PORT] [--suffix SUFFIX] [--weak] [--timeout MS]" },
	{ "metrics", do_metrics, "metrics [--listen ADDR:PORT] [--once] [--drop-caps]" },
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

	ctx.pin_dir_set = ctx.pin_dir && *ctx.pin_dir;
	if (!ctx.pin_dir_set)
		ctx.pin_dir = FS_PIN_ROOT;
	while ((c = getopt_long(argc, argv, "+jvn:p:h", opts, NULL)) != -1) {
		switch (c) {
		case 'j': ctx.json = true; break;
		case 'v': fs_log_level++; fs_log_libs++; break;
		case 'n': netns = optarg; break;
		case 'p': ctx.pin_dir = optarg; ctx.pin_dir_set = true; break;
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
