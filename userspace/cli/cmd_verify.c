// SPDX-License-Identifier: GPL-2.0
/* verify: forward-confirmed reverse DNS of one address, every step
 * printed, and the verdict with its reason in words.
 * Exit status: 0 pass (ok or weak), 1 fail, 2 bad usage, 3 tempfail
 * (no verdict: timeout, SERVFAIL, resolver error). */
#include <stdlib.h>
#include <string.h>
#include "../../loader/addr.h"
#include "cli.h"
#include "../daemon/dns.h"
#include "../../loader/log.h"
#include "../../loader/names.h"

#define EXIT_TEMPFAIL	 3
#define TIMEOUT_MAX_MS	 600000
#define DEF_TIMEOUT_MS	 5000
#define VERIFY_TTL_CAP_S 86400 /* show the DNS TTL as it is */

struct verify_args {
	struct fs_arg_addr addr;
	const char *resolver;
	const char *suffix;
	bool weak;
	unsigned timeout_ms;
};

/* What the table cannot say: a suffix is a name, --weak needs one. */
static int check_args(const struct verify_args *a)
{
	const char *s = a->suffix;

	if (s && (!*s || strlen(s) >= FS_DNS_NAME_MAX || strchr(s, ' '))) {
		pr_err("verify: --suffix: '%s': expected a domain name like "
		       "relay.example.net\n",
		       s);
		return -EINVAL;
	}
	if (a->weak && !s) {
		pr_err("verify: --weak needs --suffix (the names accepted "
		       "without A or AAAA)\n");
		return -EINVAL;
	}
	return 0;
}

/* ---------------------------------------------------------------- */
/* Text */

/* A name from the network, escaped (util.h); the buffer is the next
 * call's, so one per printf. */
static const char *esc(const char *s)
{
	static char buf[FS_ESC_LEN(2 * FS_DNS_NAME_MAX)];

	return fs_text_esc(s, buf, sizeof(buf));
}

static void print_ptr_line(const struct fs_fcrdns *r)
{
	char rev[FS_DNS_NAME_MAX];

	fs_dns_reverse_name(r->addr, rev, sizeof(rev));
	printf("%-10s %s -> ", "PTR", rev);
	if (!r->n_ptr && r->outcome == FS_DNS_TEMPFAIL)
		printf("%s\n", r->reason == FS_DNSR_TIMEOUT ? "no answer"
							    : "SERVFAIL or "
							      "error");
	else if (!r->n_ptr)
		printf("%s\n",
		       r->ptr_nxdomain ? "NXDOMAIN" : "none (no PTR data)");
	for (int i = 0; i < r->n_ptr; i++)
		printf("%s%s", esc(r->ptr[i]), i + 1 < r->n_ptr ? ", " : "\n");
}

/* The A (@v6 false) or AAAA addresses of @f, "(match)" after the
 * source's own. fs_dns_fwd has one tempfail flag for both queries. */
static void print_family(const struct fs_dns_fwd *f, bool v6, const char *src)
{
	int n = 0;

	printf("%-10s %s -> ", v6 ? "AAAA" : "A", esc(f->name));
	for (int k = 0; k < f->n_addr; k++) {
		if ((strchr(f->addr[k], ':') != NULL) != v6)
			continue;
		printf("%s%s%s", n++ ? ", " : "", f->addr[k],
		       strcmp(f->addr[k], src) ? "" : " (match)");
	}
	if (!n)
		printf("%s", f->tempfail   ? "no usable answer (tempfail)"
			     : f->nxdomain ? "NXDOMAIN"
					   : "none");
	printf("\n");
}

static void print_text(const struct verify_args *a, const struct fs_fcrdns *r,
		       const char *src, const char *why)
{
	printf("%-10s %s\n", "address", src);
	printf("%-10s %s\n", "resolver",
	       a->resolver ? a->resolver : "/etc/resolv.conf");
	if (a->suffix)
		printf("%-10s %s%s\n", "suffix", a->suffix,
		       a->weak ? " (weak: a name under it needs no A or AAAA)"
			       : "");
	print_ptr_line(r);
	for (int i = 0; i < r->n_ptr; i++) {
		print_family(&r->fwd[i], false, src);
		print_family(&r->fwd[i], true, src);
	}
	printf("%-10s %s: %s (%s)\n", "verdict",
	       fs_dns_outcome_name(r->outcome), esc(why),
	       fs_dns_reason_name(r->reason));
	if (r->outcome == FS_DNS_TEMPFAIL)
		printf("%-10s in %us (a temporary failure is not a negative "
		       "answer)\n",
		       "retry", r->ttl);
	else
		printf("%-10s %us\n", "ttl", r->ttl);
}

/* ---------------------------------------------------------------- */
/* JSON */

static void json_str_or_null(const char *s)
{
	if (s)
		json_str(stdout, s);
	else
		printf("null");
}

static const char *ptr_status(const struct fs_fcrdns *r)
{
	if (r->n_ptr)
		return "ok";
	if (r->outcome == FS_DNS_TEMPFAIL)
		return "tempfail";
	return r->ptr_nxdomain ? "nxdomain" : "nodata";
}

static void json_family(const struct fs_dns_fwd *f, bool v6)
{
	int n = 0;

	printf("[");
	for (int k = 0; k < f->n_addr; k++)
		if ((strchr(f->addr[k], ':') != NULL) == v6)
			printf("%s\"%s\"", n++ ? "," : "", f->addr[k]);
	printf("]");
}

static void json_forward(const struct fs_fcrdns *r)
{
	printf("\"forward\":[");
	for (int i = 0; i < r->n_ptr; i++) {
		const struct fs_dns_fwd *f = &r->fwd[i];

		printf("%s{\"name\":", i ? "," : "");
		json_str(stdout, f->name);
		printf(",\"a\":");
		json_family(f, false);
		printf(",\"aaaa\":");
		json_family(f, true);
		printf(",\"nxdomain\":%s,\"tempfail\":%s}",
		       f->nxdomain ? "true" : "false",
		       f->tempfail ? "true" : "false");
	}
	printf("]");
}

static void print_json(const struct verify_args *a, const struct fs_fcrdns *r,
		       const char *src, const char *why)
{
	char rev[FS_DNS_NAME_MAX];

	fs_dns_reverse_name(r->addr, rev, sizeof(rev));
	printf("{\"address\":\"%s\",\"resolver\":", src);
	json_str_or_null(a->resolver);
	printf(",\"suffix\":");
	json_str_or_null(a->suffix);
	printf(",\"weak\":%s,\"reverse\":\"%s\",\"ptr_status\":\"%s\",\"ptr\":"
	       "[",
	       a->weak ? "true" : "false", rev, ptr_status(r));
	for (int i = 0; i < r->n_ptr; i++) {
		printf(i ? "," : "");
		json_str(stdout, r->ptr[i]);
	}
	printf("],");
	json_forward(r);
	printf(",\"outcome\":\"%s\",\"reason\":\"%s\",\"name\":",
	       fs_dns_outcome_name(r->outcome), fs_dns_reason_name(r->reason));
	json_str(stdout, r->name);
	printf(",\"explain\":");
	json_str(stdout, why);
	printf(",\"ttl\":%u,\"cached\":%s}\n", r->ttl,
	       r->cached ? "true" : "false");
}

/* ---------------------------------------------------------------- */

struct verify_result {
	bool done;
	struct fs_fcrdns r;
};

static void on_result(void *arg, const struct fs_fcrdns *r)
{
	struct verify_result *v = arg;

	v->r = *r;
	v->done = true;
}

static int exit_status(enum fs_dns_outcome o)
{
	return o == FS_DNS_PASS	  ? 0
	       : o == FS_DNS_FAIL ? EXIT_FAIL
				  : EXIT_TEMPFAIL;
}

static int do_verify(struct fs_ctx *ctx, void *args)
{
	const struct verify_args *a = args;
	struct fs_dns_opts o = {0};
	struct verify_result v = {0};
	char err[256], src[FS_CIDR_STRLEN], why[2 * FS_DNS_NAME_MAX];
	struct fs_dns *d;
	int rc;

	if (check_args(a))
		return EXIT_USAGE;
	o.resolver = a->resolver;
	o.timeout_ms = a->timeout_ms;
	o.ttl_cap_s = VERIFY_TTL_CAP_S;
	d = fs_dns_new(&o, err, sizeof(err));
	if (!d) {
		/* With --resolver, the only failure but memory is its syntax. */
		pr_err("verify: %s\n", err);
		return a->resolver ? EXIT_USAGE : EXIT_TEMPFAIL;
	}
	rc = fs_dns_fcrdns(d, a->addr.key.addr, a->suffix, a->weak, on_result,
			   &v);
	if (!rc)
		rc = fs_dns_wait(d);
	fs_dns_free(d);
	if (rc || !v.done) {
		pr_err("verify: %s: the resolver loop failed\n", a->addr.text);
		return EXIT_TEMPFAIL;
	}
	fs_cidr_format(v.r.addr, 128, src, sizeof(src));
	*strchr(src, '/') = '\0';
	fs_dns_explain(&v.r, a->suffix, why, sizeof(why));
	if (ctx->json)
		print_json(a, &v.r, src, why);
	else
		print_text(a, &v.r, src, why);
	return exit_status(v.r.outcome);
}

static const struct verify_args verify_defaults = {.timeout_ms =
							   DEF_TIMEOUT_MS};

static const struct fs_opt verify_opts[] = {
	FS_POS(FS_T_ADDR, "ADDR", 1, 1, struct verify_args, addr,
	       .help = "one IPv4 or IPv6 address"),
	FS_OPT(FS_T_STRING, "resolver", 0, struct verify_args, resolver,
	       .metavar = "ADDR@PORT",
	       .help = "ask this resolver (default: /etc/resolv.conf)"),
	FS_OPT(FS_T_STRING, "suffix", 0, struct verify_args, suffix,
	       .metavar = "SUFFIX",
	       .help = "a relay domain whose names may be checked weakly"),
	FS_OPT(FS_T_FLAG, "weak", 0, struct verify_args, weak,
	       .help = "a PTR name under SUFFIX passes without A or AAAA"),
	FS_OPT(FS_T_UINT, "timeout", 0, struct verify_args, timeout_ms,
	       .metavar = "MS", .min = 1, .max = TIMEOUT_MAX_MS,
	       .help = "milliseconds per query (default 5000)"),
	FS_OPT_END};

_Static_assert(DEF_TIMEOUT_MS == 5000, "the help text says 5000");

const struct fs_cmd fs_cmd_verify = FS_CMD(
	"verify", do_verify, struct verify_args, verify_opts, &verify_defaults,
	"forward-confirmed reverse DNS of ADDR, every step (exit 3: tempfail)");
