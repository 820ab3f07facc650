// SPDX-License-Identifier: GPL-2.0
/* fs_insns: load the XDP program with private maps and print what the
 * verifier says about it: processed instructions against the limit,
 * states, stack, time. `make` prints it; `make test` fails when the
 * program uses more than --max percent of the limit.
 *
 * Usage: fs_insns [--max PERCENT] | --funcs
 * --funcs loads with the verifier's full log (level 2: about 800 bytes
 * per processed instruction; 6.1 takes at most 1 GB) and prints,
 * per subprogram (by its first instruction; names: the object's symbols,
 * matched by scripts/insns-funcs.py), how many instructions the verifier
 * processed there: where a kernel's pruning fails.
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

#define FUNCS_LOG_SIZE (UINT32_MAX >> 2) /* the most 6.1 takes */
#define MAX_SUBPROGS   256

/* Subprogram starts of the loaded @prog: 0 and the targets of its
 * BPF-to-BPF calls and callback references, sorted into @start. */
static int subprog_starts(const struct bpf_program *prog, __u32 *start)
{
	const struct bpf_insn *in = bpf_program__insns(prog);
	size_t n = bpf_program__insn_cnt(prog);
	int cnt = 1;

	start[0] = 0;
	for (size_t i = 0; in && i < n; i++) {
		bool call = in[i].code == (BPF_JMP | BPF_CALL) &&
			    in[i].src_reg == BPF_PSEUDO_CALL;
		bool func = in[i].code == (BPF_LD | BPF_IMM | BPF_DW) &&
			    in[i].src_reg == BPF_PSEUDO_FUNC;
		__u32 t = i + in[i].imm + 1, j;

		if (!call && !func)
			continue;
		for (j = 0; j < (__u32)cnt && start[j] != t; j++)
			;
		if (j == (__u32)cnt && cnt < MAX_SUBPROGS)
			start[cnt++] = t;
	}
	for (int a = 1; a < cnt; a++) /* insertion sort: few */
		for (int b = a; b > 0 && start[b - 1] > start[b]; b--) {
			__u32 t = start[b];

			start[b] = start[b - 1];
			start[b - 1] = t;
		}
	return cnt;
}

/* --funcs: instructions processed per subprogram, from a level-1 log
 * (one line "N: (op) ..." per processed instruction). */
static int print_funcs(void)
{
	struct floodshield_bpf *skel = fs_skel_open(NULL, false);
	static __u32 start[MAX_SUBPROGS];
	static long count[MAX_SUBPROGS];
	char *log = malloc(FUNCS_LOG_SIZE), *line;
	int n, err;

	if (!skel || !log)
		return 2;
	log[0] = 0;
	bpf_program__set_log_level(skel->progs.floodshield, 2);
	bpf_program__set_log_buf(skel->progs.floodshield, log, FUNCS_LOG_SIZE);
	err = floodshield_bpf__load(skel);
	n = subprog_starts(skel->progs.floodshield, start);
	for (line = log; line && *line;
	     line = strchr(line, '\n'), line += !!line) {
		char *end;
		long idx = strtol(line, &end, 10);
		int f;

		if (end == line || end[0] != ':' || end[1] != ' ' ||
		    end[2] != '(')
			continue;
		for (f = n - 1; f > 0 && start[f] > idx; f--)
			;
		count[f]++;
	}
	printf("funcs: load %s; log %zu bytes; %zu instructions, %d "
	       "subprograms\n",
	       err ? strerror(-err) : "ok", strlen(log),
	       bpf_program__insn_cnt(skel->progs.floodshield), n);
	for (int f = 0; f < n; f++)
		printf("func: start %u len %u processed %ld\n", start[f],
		       (f + 1 < n ? start[f + 1]
				  : (__u32)bpf_program__insn_cnt(
					    skel->progs.floodshield)) -
			       start[f],
		       count[f]);
	floodshield_bpf__destroy(skel);
	free(log);
	return err ? 2 : 0;
}

int main(int argc, char **argv)
{
	struct floodshield_bpf *skel;
	double max_pct = 100, pct;
	bool fixtures = false;
	char *log = calloc(1, LOG_SIZE);
	const char *stack;
	long insns;
	int err;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--funcs")) {
			libbpf_set_print(silent);
			return print_funcs();
		} else if (!strcmp(argv[i], "--max") && i + 1 < argc) {
			max_pct = atof(argv[++i]);
		} else if (!strcmp(argv[i], "--fixtures")) {
			fixtures = true;
		} else {
			fprintf(stderr, "usage: fs_insns [--max PERCENT] "
					"[--fixtures] | --funcs\n");
			return 2;
		}
	}
	libbpf_set_print(silent);
	/* --fixtures: the object as the C suites load it (tests/xdp_env.c:
	 * a fake clock, every segment taken as connected), which the
	 * verifier walks otherwise (other branches constant) */
	skel = fs_skel_open(NULL, fixtures);
	if (!skel || !log)
		return 2;
	if (fixtures)
		skel->rodata->fs_assume_connected = true;
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
