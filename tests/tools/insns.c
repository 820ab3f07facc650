// SPDX-License-Identifier: GPL-2.0
/* fs_insns: load the XDP program with private maps and print what the
 * verifier says about it: processed instructions against the limit,
 * states, stack, time. `make` prints it; `make test` fails when the
 * program uses more than --max percent of the limit.
 *
 * Usage: fs_insns [--max PERCENT] [--quiet]
 * Exit: 0, 1 over the limit, 2 cannot load (needs root and BPF). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/libbpf.h>
#include "floodshield.skel.h"
#include "../../loader/loader.h"

#define VERIFIER_LIMIT 1000000	 /* BPF_COMPLEXITY_LIMIT_INSNS */
#define LOG_SIZE       (1 << 26) /* the full log of a refused load */
#define LOG_TAIL       3000

static int silent(enum libbpf_print_level l, const char *f, va_list ap)
{
	(void)l;
	(void)f;
	(void)ap;
	return 0;
}

/* The number after @key in @log ("processed 123 insns"), or -1. */
static long log_number(const char *log, const char *key)
{
	const char *p = strstr(log, key);

	return p ? strtol(p + strlen(key), NULL, 10) : -1;
}

/* After a failed load: load again with the verifier's full log and
 * print its end, where the verifier says why it refused. */
static void print_rejection(char *log)
{
	struct floodshield_bpf *skel = fs_skel_open(NULL, false);
	size_t n;

	if (!skel)
		return;
	log[0] = 0;
	bpf_program__set_log_level(skel->progs.floodshield, 1);
	bpf_program__set_log_buf(skel->progs.floodshield, log, LOG_SIZE);
	if (floodshield_bpf__load(skel)) {
		n = strlen(log);
		fprintf(stderr, "verifier log, last lines:\n%s\n",
			log + (n > LOG_TAIL ? n - LOG_TAIL : 0));
	}
	floodshield_bpf__destroy(skel);
}

int main(int argc, char **argv)
{
	struct floodshield_bpf *skel;
	double max_pct = 100, pct;
	char *log = calloc(1, LOG_SIZE);
	const char *stack;
	long insns;
	int err;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--max") && i + 1 < argc) {
			max_pct = atof(argv[++i]);
		} else {
			fprintf(stderr, "usage: fs_insns [--max PERCENT]\n");
			return 2;
		}
	}
	libbpf_set_print(silent);
	skel = fs_skel_open(NULL, false);
	if (!skel || !log)
		return 2;
	bpf_program__set_log_level(skel->progs.floodshield, 4); /* stats */
	bpf_program__set_log_buf(skel->progs.floodshield, log, LOG_SIZE);
	err = floodshield_bpf__load(skel);
	insns = log_number(log, "processed ");
	if (err || insns < 0) {
		fprintf(stderr,
			"verifier: cannot load the program (%s); root and BPF "
			"needed\n",
			strerror(err ? -err : EINVAL));
		floodshield_bpf__destroy(skel);
		print_rejection(log);
		free(log);
		return 2;
	}
	pct = 100.0 * insns / VERIFIER_LIMIT;
	stack = strstr(log, "stack depth ");
	printf("verifier: %ld of %d instructions processed (%.1f%%), %ld "
	       "states, "
	       "%ld us%s%.*s\n",
	       insns, VERIFIER_LIMIT, pct, log_number(log, "total_states "),
	       log_number(log, "verification time "), stack ? ", " : "",
	       stack ? (int)strcspn(stack, "\n") : 0, stack ? stack : "");
	floodshield_bpf__destroy(skel);
	free(log);
	if (pct > max_pct) {
		fprintf(stderr,
			"verifier: %.1f%% of the limit is over the %.0f%% "
			"allowed\n",
			pct, max_pct);
		return 1;
	}
	return 0;
}
