// SPDX-License-Identifier: GPL-2.0
/* BPF_PROG_TEST_RUN timing: repeat, one run, live frames; medians. */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <bpf/bpf.h>
#include "bench.h"

int bt_pin_cpu(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set))
		return -errno;
	return 0;
}

int bt_repeat(int prog_fd, const void *frame, size_t len, int repeat,
	      double *ns, int *verdict)
{
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = frame, .data_size_in = len,
		    .repeat = repeat);

	if (bpf_prog_test_run_opts(prog_fd, &o))
		return -errno;
	*ns = o.duration;
	*verdict = o.retval;
	return 0;
}

int bt_once(int prog_fd, const void *frame, size_t len, double *ns,
	    int *verdict, void *out, size_t *out_len)
{
	static uint8_t sink[BENCH_FRAME_MAX];
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = frame, .data_size_in = len,
		    .repeat = 1, .data_out = out ? out : sink,
		    .data_size_out = BENCH_FRAME_MAX);

	if (bpf_prog_test_run_opts(prog_fd, &o))
		return -errno;
	*ns = o.duration;
	*verdict = o.retval;
	if (out_len)
		*out_len = o.data_size_out;
	return 0;
}

int bt_live(int prog_fd, const void *frame, size_t len, int ifindex, int repeat,
	    double *ns)
{
	struct xdp_md ctx = {.data_end = len, .ingress_ifindex = ifindex};
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = frame, .data_size_in = len,
		    .ctx_in = &ctx, .ctx_size_in = sizeof(ctx),
		    .repeat = repeat, .flags = BPF_F_TEST_XDP_LIVE_FRAMES,
		    .batch_size = 64);

	if (bpf_prog_test_run_opts(prog_fd, &o))
		return -errno;
	*ns = o.duration;
	return 0;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

double percentile(double *v, size_t n, double p)
{
	size_t k;

	if (!n)
		return 0;
	qsort(v, n, sizeof(*v), cmp_double);
	k = (size_t)(p / 100.0 * (n - 1) + 0.5);
	return v[k < n ? k : n - 1];
}

double median(double *v, size_t n)
{
	if (!n)
		return 0;
	qsort(v, n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

void tsv_line(FILE *f, const char *section, const char *id, int family,
	      const char *fmt, ...)
{
	va_list ap;

	if (!f)
		return;
	fprintf(f, "%s\t%s\tv%d\t", section, id, family);
	va_start(ap, fmt);
	vfprintf(f, fmt, ap);
	va_end(ap);
	fputc('\n', f);
	fflush(f);
}
