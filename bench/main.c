// SPDX-License-Identifier: GPL-2.0
/* fs_bench: floodshield's benchmarks. Run by bench/run.sh (make bench);
 * see docs/benchmarks.md.
 *
 *   fs_bench [options] pkt          per-packet table
 *   fs_bench [options] live IFACE   live frames on IFACE (in its netns)
 *   fs_bench [options] scale        big maps, spoofed-source churn
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <net/if.h>
#include <linux/if_link.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "../loader/log.h"
#include "bench_abi.h"
#include "bench.skel.h"
#include "bench.h"

/* Attach the trivial XDP_PASS natively to @ifname and leave it there
 * (bench/e2e.sh's control: what any XDP program on the veth changes;
 * `ip link set dev IFACE xdp off` removes it). */
static int cmd_xdp_pass(const char *ifname)
{
	struct bench_bpf *bb = bench_bpf__open_and_load();
	int ifindex = if_nametoindex(ifname), err;

	if (!bb || !ifindex) {
		fprintf(stderr, "fs_bench: xdp-pass %s: %s\n", ifname,
			bb ? "no such interface" : "cannot load");
		bench_bpf__destroy(bb);
		return -1;
	}
	err = bpf_xdp_attach(ifindex, bpf_program__fd(bb->progs.bench_pass),
			     XDP_FLAGS_DRV_MODE, NULL);
	if (err)
		fprintf(stderr, "fs_bench: attach to %s: %s\n", ifname,
			strerror(-err));
	bench_bpf__destroy(bb);
	return err;
}

static void usage(FILE *f)
{
	fprintf(f, "usage: fs_bench [-r RUNS] [-n REPEAT] [-f FRESH] [-c CPU] "
		   "[-o TSV] [-k IDS]\n"
		   "                pkt | live IFACE | scale | xdp-pass IFACE\n"
		   "  -r RUNS    timed runs per figure, median (default 5)\n"
		   "  -n REPEAT  runs per call in repeat mode (default "
		   "1000000)\n"
		   "  -f FRESH   calls per run in fresh mode (default 20000)\n"
		   "  -c CPU     CPU to pin to (default 1)\n"
		   "  -o TSV     append machine-readable results to TSV\n"
		   "  -k IDS     pkt: only these cases (comma-separated ids), "
		   "no primitives\n");
}

int main(int argc, char **argv)
{
	struct bench_opts o = {
		.runs = 5, .repeat = 1000000, .fresh = 20000, .cpu = 1};
	const char *tsv = NULL;
	int c, err;

	while ((c = getopt(argc, argv, "r:n:f:c:o:k:h")) != -1) {
		switch (c) {
		case 'r':
			o.runs = atoi(optarg);
			break;
		case 'n':
			o.repeat = atoi(optarg);
			break;
		case 'f':
			o.fresh = atoi(optarg);
			break;
		case 'c':
			o.cpu = atoi(optarg);
			break;
		case 'o':
			tsv = optarg;
			break;
		case 'k':
			o.only = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind >= argc || o.runs < 1 || o.repeat < 1 || o.fresh < 1) {
		usage(stderr);
		return 2;
	}
	fs_log_setup_libs();
	if (bt_pin_cpu(o.cpu))
		fprintf(stderr, "fs_bench: cannot pin to CPU %d: %s\n", o.cpu,
			strerror(errno));
	if (strcmp(argv[optind], "xdp-pass"))
		bench_connect_all();
	if (tsv) {
		o.tsv = fopen(tsv, "a");
		if (!o.tsv) {
			fprintf(stderr, "fs_bench: %s: %s\n", tsv,
				strerror(errno));
			return 1;
		}
	}
	if (!strcmp(argv[optind], "pkt"))
		err = cmd_pkt(&o);
	else if (!strcmp(argv[optind], "live") && optind + 1 < argc)
		err = cmd_live(&o, argv[optind + 1]);
	else if (!strcmp(argv[optind], "scale"))
		err = cmd_scale(&o);
	else if (!strcmp(argv[optind], "xdp-pass") && optind + 1 < argc)
		err = cmd_xdp_pass(argv[optind + 1]);
	else {
		usage(stderr);
		return 2;
	}
	if (o.tsv)
		fclose(o.tsv);
	return err ? 1 : 0;
}
