// SPDX-License-Identifier: GPL-2.0
/* The DNS verifier (userspace/dns.c) and `floodshield verify` against a
 * real unbound, started here on 127.0.0.1 and a free port with the
 * fixtures of tests/dns/fixtures.conf, and stopped by its PID. Each
 * verdict and reason is asserted exactly, library and CLI from one
 * table. Queries are counted at the server (log-queries) and by
 * fs_dns_get_stats. The resolver that never answers is a UDP socket of
 * this process that nobody reads.
 *
 * The library runs on a fake clock (fake_ns) that moves only when a test
 * moves it: cache lifetimes, backoffs and deadlines are asserted exactly,
 * and a slow machine never turns an answer into a timeout. Only
 * libunbound's own cache follows the real clock: where it matters the
 * test sleeps at least its lifetime (a lower bound: a slower machine
 * sleeps longer, which changes nothing). No wall-clock duration is
 * asserted except lower bounds (a timeout cannot end before it is due).
 * FS_DNS_SHOW=1 prints the output of every `verify` run.
 */
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "test.h"
#include "dns_server.h"
#include "../loader/addr.h"
#include "../userspace/daemon/dns.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define UNBOUND	      "/usr/sbin/unbound"
#define UNBOUND_CHECK "/usr/sbin/unbound-checkconf"
#define FIXTURES      "tests/dns/fixtures.conf"
#define FS_BIN	      "build/floodshield"
#define TTL_CAP_S     3600
#define NSEC	      1000000000ull
#define MSEC	      1000000ull
#define WAIT_MS	      10000 /* bound of a wait for something observed */

struct server {
	char dir[64];
	char log[128];
	int port;
	pid_t pid;
};

static struct server srv;

/* ---------------------------------------------------------------- */
/* The server */

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* The library's clock (fs_dns_opts.clock_ns). */
static unsigned long long fake_ns = 1000 * NSEC;

static unsigned long long fake_clock(void)
{
	return fake_ns;
}

static void sleep_ms(unsigned ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

/* A bound loopback socket of @type; its port in *@port. */
static int bound_socket(int type, int port_in, int *port)
{
	struct sockaddr_in sa = {.sin_family = AF_INET,
				 .sin_port = htons(port_in),
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t len = sizeof(sa);
	int fd = socket(AF_INET, type | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -1;
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) ||
	    getsockname(fd, (struct sockaddr *)&sa, &len)) {
		close(fd);
		return -1;
	}
	*port = ntohs(sa.sin_port);
	return fd;
}

/* A port free on loopback for both UDP and TCP. */
static int free_port(void)
{
	for (int tries = 0; tries < 20; tries++) {
		int port, tport, u = bound_socket(SOCK_DGRAM, 0, &port);
		int t = u < 0 ? -1 : bound_socket(SOCK_STREAM, port, &tport);

		if (u >= 0)
			close(u);
		if (t >= 0) {
			close(t);
			return port;
		}
	}
	return -1;
}

static bool write_conf(const char *path, const char *fixtures)
{
	FILE *f = fopen(path, "w");

	if (!f)
		return false;
	fprintf(f,
		"server:\n"
		"\tinterface: 127.0.0.1\n\tport: %d\n\tdo-ip6: no\n"
		"\tdo-daemonize: no\n\tusername: \"\"\n\tchroot: \"\"\n"
		"\tdirectory: \"%s\"\n\tpidfile: \"%s/unbound.pid\"\n"
		"\tlogfile: \"%s\"\n\tuse-syslog: no\n\tverbosity: 1\n"
		"\tlog-queries: yes\n\tnum-threads: 1\n"
		"\tmodule-config: \"iterator\"\n"
		"\tinclude: \"%s\"\n"
		"remote-control:\n\tcontrol-enable: no\n",
		srv.port, srv.dir, srv.dir, srv.log, fixtures);
	return fclose(f) == 0;
}

/* Lines of the server log holding @needle. */
static int log_count(const char *needle)
{
	char line[512];
	int n = 0;
	FILE *f = fopen(srv.log, "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		n += strstr(line, needle) != NULL;
	fclose(f);
	return n;
}

static pid_t spawn_unbound(const char *conf)
{
	char out[128];
	pid_t pid;

	snprintf(out, sizeof(out), "%s/unbound.out", srv.dir);
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		if (!freopen(out, "w", stdout) || !freopen(out, "a", stderr))
			_exit(127);
		execl(UNBOUND, "unbound", "-d", "-c", conf, (char *)NULL);
		_exit(127);
	}
	return pid;
}

/* Up to 5 s for "start of service" in the log; false if it died. */
static bool wait_ready(void)
{
	for (int i = 0; i < 100; i++) {
		if (log_count("start of service") > 0)
			return true;
		if (waitpid(srv.pid, NULL, WNOHANG) == srv.pid) {
			srv.pid = 0;
			return false;
		}
		sleep_ms(50);
	}
	return false;
}

int dns_server_port(void)
{
	return srv.port;
}

bool dns_server_start(void)
{
	char conf[128], fixtures[4096];

	strcpy(srv.dir, "/tmp/fs_dns.XXXXXX");
	if (!ASSERT_TRUE(mkdtemp(srv.dir) != NULL, "mkdtemp"))
		return false;
	snprintf(srv.log, sizeof(srv.log), "%s/unbound.log", srv.dir);
	snprintf(conf, sizeof(conf), "%s/unbound.conf", srv.dir);
	srv.port = free_port();
	if (!ASSERT_TRUE(srv.port > 0, "free port") ||
	    !ASSERT_TRUE(realpath(FIXTURES, fixtures) != NULL, FIXTURES) ||
	    !ASSERT_TRUE(write_conf(conf, fixtures), "write unbound.conf") ||
	    !ASSERT_OK(fs_sh("%s %s >/dev/null", UNBOUND_CHECK, conf), "unbound"
								       "-checkc"
								       "onf"))
		return false;
	srv.pid = spawn_unbound(conf);
	if (!ASSERT_TRUE(srv.pid > 0, "fork"))
		return false;
	if (!ASSERT_TRUE(wait_ready(), "unbound up (start of service)")) {
		fs_sh("cat %s/unbound.out %s >&2", srv.dir, srv.log);
		return false;
	}
	return true;
}

void dns_server_stop(void)
{
	int st;

	if (srv.pid > 0) {
		kill(srv.pid, SIGTERM);
		for (int i = 0; i < 40 && waitpid(srv.pid, &st, WNOHANG) == 0;
		     i++)
			sleep_ms(50);
		if (kill(srv.pid, 0) == 0) {
			kill(srv.pid, SIGKILL);
			waitpid(srv.pid, &st, 0);
		}
		ASSERT_TRUE(kill(srv.pid, 0) < 0 && errno == ESRCH, "unbound "
								    "gone");
		srv.pid = 0;
	}
	if (srv.dir[0])
		fs_sh("rm -rf '%s'", srv.dir);
	srv.dir[0] = '\0';
}

/* ---------------------------------------------------------------- */
/* The library */

struct got {
	int calls;
	struct fs_fcrdns r;
};

static void got_cb(void *arg, const struct fs_fcrdns *r)
{
	struct got *g = arg;

	g->calls++;
	g->r = *r;
}

static struct fs_dns *dns_new(int port, unsigned timeout_ms, unsigned retry_s,
			      unsigned cap_s)
{
	char res[32], err[256];
	struct fs_dns_opts o = {.resolver = res,
				.timeout_ms = timeout_ms,
				.ttl_cap_s = cap_s,
				.tempfail_retry_s = retry_s,
				.clock_ns = fake_clock};
	struct fs_dns *d;

	snprintf(res, sizeof(res), "127.0.0.1@%d", port);
	d = fs_dns_new(&o, err, sizeof(err));
	if (!d)
		fs_test_fail(__FILE__, __LINE__, "fs_dns_new: %s", err);
	return d;
}

static bool to_addr(const char *s, __u8 a[16])
{
	struct fs_lpm_key k;
	char err[160];

	if (!ASSERT_OK(fs_cidr_parse(s, &k, err, sizeof(err)), s))
		return false;
	memcpy(a, k.addr, 16);
	return true;
}

/* Run @d until *@calls reaches @want: answers as they come, deadlines on
 * the fake clock (which stands still: a slow answer is no timeout). At
 * most WAIT_MS of real time, so a resolver that died cannot hang the
 * test. */
static bool wait_calls(struct fs_dns *d, const int *calls, int want)
{
	double end = now_ms() + WAIT_MS;

	while (*calls < want && now_ms() < end) {
		struct pollfd p = {.fd = fs_dns_fd(d), .events = POLLIN};

		if (poll(&p, 1, 100) < 0 && errno != EINTR)
			break;
		if (!ASSERT_OK(fs_dns_process(d), "fs_dns_process"))
			return false;
	}
	return ASSERT_EQ(*calls, want, "callbacks within 10 s");
}

/* One verification, run to its end. */
static bool verify(struct fs_dns *d, const char *addr, const char *suffix,
		   bool weak, struct got *g)
{
	__u8 a[16];

	memset(g, 0, sizeof(*g));
	return to_addr(addr, a) &&
	       ASSERT_OK(fs_dns_fcrdns(d, a, suffix, weak, got_cb, g), "fs_dns_"
								       "fcrdn"
								       "s") &&
	       wait_calls(d, &g->calls, 1);
}

static unsigned long long queries(const struct fs_dns *d)
{
	struct fs_dns_stats s;

	fs_dns_get_stats(d, &s);
	return s.queries;
}

/* ---------------------------------------------------------------- */
/* Verdicts: one table for the library and the CLI. */

struct dns_case {
	const char *desc;
	const char *addr;
	const char *suffix;
	bool weak;
	enum fs_dns_outcome outcome;
	enum fs_dns_reason reason;
	const char *name; /* confirming or first PTR name */
	int n_ptr;
	const char *verdict; /* `verify`'s verdict line, after "verdict" */
	int exit;
};

static const struct dns_case cases[] = {
	{"passing MTA", "192.0.2.25", NULL, false, FS_DNS_PASS, FS_DNSR_OK,
	 "mail.example.org", 1,
	 "pass: PTR mail.example.org resolves back to 192.0.2.25 (ok)", 0},
	{"PTR-only relay, strict", "192.0.2.26", NULL, false, FS_DNS_FAIL,
	 FS_DNSR_NO_FORWARD, "omta0001.relay.example.net", 1,
	 "fail: PTR omta0001.relay.example.net has no A or AAAA record "
	 "(no_forward)",
	 1},
	{"PTR-only relay, strict under its suffix", "192.0.2.26",
	 "relay.example.net", false, FS_DNS_FAIL, FS_DNSR_NO_FORWARD,
	 "omta0001.relay.example.net", 1,
	 "fail: PTR omta0001.relay.example.net has no A or AAAA record "
	 "(no_forward)",
	 1},
	{"PTR-only relay, weak under its suffix", "192.0.2.26",
	 "relay.example.net", true, FS_DNS_PASS, FS_DNSR_WEAK,
	 "omta0001.relay.example.net", 1,
	 "pass: PTR omta0001.relay.example.net has no A or AAAA record; "
	 "accepted as weak, under relay.example.net (weak)",
	 0},
	{"weak does not reach past its suffix", "192.0.2.26", "example.org",
	 true, FS_DNS_FAIL, FS_DNSR_NO_FORWARD, "omta0001.relay.example.net", 1,
	 "fail: PTR omta0001.relay.example.net has no A or AAAA record "
	 "(no_forward)",
	 1},
	{"PTR name without address data (NODATA)", "192.0.2.33", NULL, false,
	 FS_DNS_FAIL, FS_DNSR_NO_FORWARD, "noaddr.example.org", 1,
	 "fail: PTR noaddr.example.org has no A or AAAA record (no_forward)",
	 1},
	{"forward mismatch", "192.0.2.27", NULL, false, FS_DNS_FAIL,
	 FS_DNSR_MISMATCH, "liar.example.org", 1,
	 "fail: PTR liar.example.org resolves to 198.51.100.27, not to "
	 "192.0.2.27 (mismatch)",
	 1},
	{"no PTR (NXDOMAIN)", "192.0.2.28", NULL, false, FS_DNS_FAIL,
	 FS_DNSR_NO_PTR, "", 0,
	 "fail: 192.0.2.28 has no PTR record: 28.2.0.192.in-addr.arpa is "
	 "NXDOMAIN (no_ptr)",
	 1},
	{"no PTR data (NODATA)", "192.0.2.29", NULL, false, FS_DNS_FAIL,
	 FS_DNSR_NO_PTR, "", 0,
	 "fail: 192.0.2.29 has no PTR record: 29.2.0.192.in-addr.arpa has no "
	 "PTR data (no_ptr)",
	 1},
	{"several PTRs, the second confirms", "192.0.2.30", NULL, false,
	 FS_DNS_PASS, FS_DNSR_OK, "second.example.org", 2,
	 "pass: PTR second.example.org resolves back to 192.0.2.30 (ok)", 0},
	{"several addresses per name", "192.0.2.31", NULL, false, FS_DNS_PASS,
	 FS_DNSR_OK, "multi.example.org", 1,
	 "pass: PTR multi.example.org resolves back to 192.0.2.31 (ok)", 0},
	{"IPv6 source", "2001:db8::25", NULL, false, FS_DNS_PASS, FS_DNSR_OK,
	 "mail6.example.org", 1,
	 "pass: PTR mail6.example.org resolves back to 2001:db8::25 (ok)", 0},
	{"IPv6 source, name with an A record only", "2001:db8::27", NULL, false,
	 FS_DNS_FAIL, FS_DNSR_MISMATCH, "liar6.example.org", 1,
	 "fail: PTR liar6.example.org resolves to 192.0.2.27, not to "
	 "2001:db8::27 (mismatch)",
	 1},
	{"name under the required suffix", "192.0.2.25", "example.org", false,
	 FS_DNS_PASS, FS_DNSR_OK, "mail.example.org", 1,
	 "pass: PTR mail.example.org resolves back to 192.0.2.25 (ok)", 0},
	{"name outside the required suffix", "192.0.2.25", "example.net", false,
	 FS_DNS_FAIL, FS_DNSR_OUTSIDE_SUFFIX, "mail.example.org", 1,
	 "fail: PTR mail.example.org resolves back to 192.0.2.25 but is not "
	 "under "
	 "example.net (outside_suffix)",
	 1},
	{"suffix only at a label boundary", "192.0.2.25", "ample.org", false,
	 FS_DNS_FAIL, FS_DNSR_OUTSIDE_SUFFIX, "mail.example.org", 1,
	 "fail: PTR mail.example.org resolves back to 192.0.2.25 but is not "
	 "under "
	 "ample.org (outside_suffix)",
	 1},
	{"suffix case and final dot ignored", "192.0.2.25", "EXAMPLE.ORG.",
	 false, FS_DNS_PASS, FS_DNSR_OK, "mail.example.org", 1,
	 "pass: PTR mail.example.org resolves back to 192.0.2.25 (ok)", 0},
	{"resolver refuses: tempfail, not a negative answer", "203.0.113.99",
	 NULL, false, FS_DNS_TEMPFAIL, FS_DNSR_SERVFAIL, "", 0,
	 "tempfail: the resolver failed the PTR query (SERVFAIL, REFUSED or "
	 "error) "
	 "(servfail)",
	 3},
	{"forward lookup refused: tempfail", "192.0.2.34", NULL, false,
	 FS_DNS_TEMPFAIL, FS_DNSR_SERVFAIL, "host.refused.example.net", 1,
	 "tempfail: the resolver failed the A or AAAA query of "
	 "host.refused.example.net "
	 "(SERVFAIL, REFUSED or error) (servfail)",
	 3},
	{"forward lookup refused, another name confirms", "192.0.2.35", NULL,
	 false, FS_DNS_PASS, FS_DNSR_OK, "ok35.example.org", 2,
	 "pass: PTR ok35.example.org resolves back to 192.0.2.35 (ok)", 0},
	{"forward lookup refused beside a mismatch: tempfail", "192.0.2.36",
	 NULL, false, FS_DNS_TEMPFAIL, FS_DNSR_SERVFAIL,
	 "host.refused.example.net", 2,
	 "tempfail: the resolver failed the A or AAAA query of "
	 "host.refused.example.net "
	 "(SERVFAIL, REFUSED or error) (servfail)",
	 3},
};

static void check_case(const struct dns_case *c)
{
	struct fs_dns *d = dns_new(srv.port, 2000, 5, TTL_CAP_S);
	struct got g;

	if (d && verify(d, c->addr, c->suffix, c->weak, &g)) {
		ASSERT_STREQ(fs_dns_outcome_name(g.r.outcome),
			     fs_dns_outcome_name(c->outcome), "outcome");
		ASSERT_EQ(g.r.reason, c->reason, "reason");
		ASSERT_STREQ(g.r.name, c->name, "name");
		ASSERT_EQ(g.r.n_ptr, c->n_ptr, "PTR names");
		ASSERT_EQ(g.r.cached, false, "cached");
	}
	fs_dns_free(d);
}

/* The steps recorded along the verdicts. */
static void check_steps(void)
{
	struct fs_dns *d = dns_new(srv.port, 2000, 5, TTL_CAP_S);
	struct got g;

	if (!d)
		return;
	fs_subtest("steps: two PTR names in order, each with its A record");
	if (verify(d, "192.0.2.30", NULL, false, &g)) {
		ASSERT_STREQ(g.r.ptr[0], "first.example.org", "ptr[0]");
		ASSERT_STREQ(g.r.ptr[1], "second.example.org", "ptr[1]");
		ASSERT_STREQ(g.r.fwd[0].addr[0], "198.51.100.30", "first A");
		ASSERT_STREQ(g.r.fwd[1].addr[0], "192.0.2.30", "second A");
	}
	fs_subtest("steps: PTR-only relay, its name NXDOMAIN");
	if (verify(d, "192.0.2.26", NULL, false, &g)) {
		ASSERT_EQ(g.r.fwd[0].nxdomain, true, "nxdomain");
		ASSERT_EQ(g.r.fwd[0].n_addr, 0, "addresses");
	}
	fs_subtest("steps: no PTR, NXDOMAIN and NODATA told apart");
	if (verify(d, "192.0.2.28", NULL, false, &g))
		ASSERT_EQ(g.r.ptr_nxdomain, true, "192.0.2.28 NXDOMAIN");
	if (verify(d, "192.0.2.29", NULL, false, &g))
		ASSERT_EQ(g.r.ptr_nxdomain, false, "192.0.2.29 NODATA");
	fs_subtest("steps: three addresses of one name, both families");
	if (verify(d, "192.0.2.31", NULL, false, &g)) {
		ASSERT_EQ(g.r.fwd[0].n_addr, 3, "addresses");
		ASSERT_STREQ(g.r.fwd[0].addr[2], "2001:db8::31", "AAAA");
	}
	fs_dns_free(d);
}

/* ---------------------------------------------------------------- */
/* Caching and coalescing */

static void check_coalescing(void)
{
	struct fs_dns *d = dns_new(srv.port, 2000, 5, TTL_CAP_S);
	struct got g1 = {0}, g2 = {0};
	__u8 a[16];

	fs_subtest("two requests in flight share one set of queries");
	if (!d || !to_addr("192.0.2.31", a))
		goto out;
	ASSERT_OK(fs_dns_fcrdns(d, a, NULL, false, got_cb, &g1), "first");
	ASSERT_OK(fs_dns_fcrdns(d, a, "example.net", false, got_cb, &g2), "seco"
									  "nd");
	wait_calls(d, &g1.calls, 1);
	wait_calls(d, &g2.calls, 1);
	ASSERT_EQ(g1.calls + g2.calls, 2, "callbacks");
	ASSERT_EQ(queries(d), 3, "queries: PTR, A, AAAA");
	ASSERT_EQ(g1.r.reason, FS_DNSR_OK, "first reason");
	ASSERT_EQ(g2.r.reason, FS_DNSR_OUTSIDE_SUFFIX,
		  "second reason (own suffix)");
out:
	fs_dns_free(d);
}

#define PTR25 "25.2.0.192.in-addr.arpa. PTR IN"
#define PTR28 "28.2.0.192.in-addr.arpa. PTR IN"

/* Within the TTL (2 s in the fixtures) and after it. */
static void check_cache(void)
{
	struct fs_dns *d = dns_new(srv.port, 2000, 5, TTL_CAP_S);
	int c25 = log_count(PTR25), c28 = log_count(PTR28);
	unsigned long long q;
	struct fs_dns_stats s;
	struct got g;

	fs_subtest("cache: a second verification within the TTL sends no "
		   "query");
	if (!d || !verify(d, "192.0.2.25", NULL, false, &g))
		goto out;
	ASSERT_EQ(g.r.cached, false, "first cached");
	ASSERT_EQ(g.r.ttl, 2, "first ttl");
	q = queries(d);
	ASSERT_EQ(q, 3, "queries after the first");
	fake_ns += 1 * NSEC;
	verify(d, "192.0.2.25", NULL, false, &g);
	ASSERT_EQ(g.r.cached, true, "second cached");
	ASSERT_EQ(g.r.reason, FS_DNSR_OK, "second reason");
	ASSERT_EQ(g.r.ttl, 1, "second ttl: 1 s of 2 left");
	ASSERT_EQ(queries(d), q, "queries after the second (stats)");
	ASSERT_EQ(log_count(PTR25) - c25, 1, "PTR queries at the server");
	fs_dns_get_stats(d, &s);
	ASSERT_EQ(s.cache_hits, 1, "cache hits");

	fs_subtest("cache: the same entry serves another suffix");
	verify(d, "192.0.2.25", "example.net", false, &g);
	ASSERT_EQ(g.r.cached, true, "cached");
	ASSERT_EQ(g.r.reason, FS_DNSR_OUTSIDE_SUFFIX, "reason");
	ASSERT_EQ(queries(d), q, "queries");

	fs_subtest("cache: a negative answer is kept for its TTL");
	verify(d, "192.0.2.28", NULL, false, &g);
	ASSERT_EQ(g.r.ttl, 2, "negative ttl (SOA minimum)");
	verify(d, "192.0.2.28", NULL, false, &g);
	ASSERT_EQ(g.r.cached, true, "second cached");
	ASSERT_EQ(g.r.reason, FS_DNSR_NO_PTR, "second reason");
	ASSERT_EQ(log_count(PTR28) - c28, 1, "PTR queries at the server");

	fs_subtest("cache: after the TTL a new query is sent");
	/* Ours expires on the fake clock; libunbound's own cache on the
	 * real one, where unbound counts whole seconds: a 2 s record may
	 * stay there up to 3 s. */
	fake_ns += 2 * NSEC;
	sleep_ms(3300);
	q = queries(d);
	verify(d, "192.0.2.25", NULL, false, &g);
	ASSERT_EQ(g.r.cached, false, "positive cached");
	ASSERT_EQ(g.r.reason, FS_DNSR_OK, "positive reason");
	verify(d, "192.0.2.28", NULL, false, &g);
	ASSERT_EQ(g.r.cached, false, "negative cached");
	ASSERT_EQ(queries(d), q + 3 + 1, "queries (stats)");
	ASSERT_EQ(log_count(PTR25) - c25, 2, "PTR 25 at the server");
	ASSERT_EQ(log_count(PTR28) - c28, 2, "PTR 28 at the server");
out:
	fs_dns_free(d);
}

static void check_ttl_cap(void)
{
	struct fs_dns *d = dns_new(srv.port, 2000, 5, 60);
	struct got g;

	fs_subtest("ttl: capped by ttl_cap_s");
	if (d && verify(d, "192.0.2.26", NULL, false, &g))
		ASSERT_EQ(g.r.ttl, 60, "ttl (300 s in DNS)");
	fs_subtest("ttl: the smallest of the answers (A 2 s, others 300 s)");
	if (d && verify(d, "192.0.2.25", NULL, false, &g))
		ASSERT_EQ(g.r.ttl, 2, "ttl");
	fs_dns_free(d);
}

/* ---------------------------------------------------------------- */
/* Forward resolution */

struct resolved {
	int calls, n;
	__u8 addrs[16][16];
	unsigned ttl;
	enum fs_dns_outcome outcome;
};

static void resolved_cb(void *arg, const char *name, int n,
			const __u8 (*addrs)[16], unsigned ttl,
			enum fs_dns_outcome outcome)
{
	struct resolved *r = arg;

	(void)name;
	r->calls++;
	r->n = n;
	memcpy(r->addrs, addrs, n * 16);
	r->ttl = ttl;
	r->outcome = outcome;
}

static void check_resolve(void)
{
	struct fs_dns *d = dns_new(srv.port, 2000, 5, TTL_CAP_S);
	struct resolved r = {0};
	__u8 a4[16], a6[16];

	fs_subtest("resolve: A and AAAA, TTL the smaller of the two");
	if (!d || !to_addr("192.0.2.40", a4) || !to_addr("2001:db8::40", a6))
		goto out;
	ASSERT_OK(fs_dns_resolve(d, "dual.example.org", resolved_cb, &r), "star"
									  "t");
	wait_calls(d, &r.calls, 1);
	ASSERT_EQ(r.calls, 1, "callbacks");
	ASSERT_EQ(r.outcome, FS_DNS_PASS, "outcome");
	if (ASSERT_EQ(r.n, 2, "addresses")) {
		ASSERT_MEMEQ(r.addrs[0], a4, 16, "A, v4-mapped");
		ASSERT_MEMEQ(r.addrs[1], a6, 16, "AAAA");
	}
	ASSERT_EQ(r.ttl, 30, "ttl");

	fs_subtest("resolve: a name that does not exist fails");
	memset(&r, 0, sizeof(r));
	ASSERT_OK(fs_dns_resolve(d, "nothere.example.org", resolved_cb, &r),
		  "start");
	wait_calls(d, &r.calls, 1);
	ASSERT_EQ(r.outcome, FS_DNS_FAIL, "outcome");
	ASSERT_EQ(r.n, 0, "addresses");
	ASSERT_EQ(r.ttl, 300, "negative ttl");
out:
	fs_dns_free(d);
}

/* ---------------------------------------------------------------- */
/* Temporary failures */

#define PTR99 "99.113.0.203.in-addr.arpa. PTR IN"

/* SERVFAIL (the zone is REFUSED upstream), retry after 1 s, doubling.
 * Counted at the server while our backoff holds. */
static void check_servfail_backoff(void)
{
	struct fs_dns *d = dns_new(srv.port, 2000, 1, TTL_CAP_S);
	unsigned long long q;
	int c0 = log_count(PTR99), c1;
	struct got g;

	fs_subtest("backoff: a request during the backoff sends no query");
	if (!d || !verify(d, "203.0.113.99", NULL, false, &g))
		goto out;
	ASSERT_EQ(g.r.reason, FS_DNSR_SERVFAIL, "first reason");
	ASSERT_EQ(g.r.ttl, 1, "first retry delay");
	c1 = log_count(PTR99);
	ASSERT_TRUE(c1 > c0, "first reached the server");
	q = queries(d);
	verify(d, "203.0.113.99", NULL, false, &g);
	ASSERT_EQ(g.r.outcome, FS_DNS_TEMPFAIL, "second outcome");
	ASSERT_EQ(g.r.reason, FS_DNSR_SERVFAIL, "second reason");
	ASSERT_EQ(g.r.cached, true, "second cached");
	ASSERT_EQ(queries(d), q, "queries (stats)");
	ASSERT_EQ(log_count(PTR99), c1, "queries at the server");

	fs_subtest("backoff: after it, a new query; the delay doubles");
	fake_ns += 1 * NSEC - 1;
	verify(d, "203.0.113.99", NULL, false, &g);
	ASSERT_EQ(g.r.cached, true, "a nanosecond before its end: cached");
	ASSERT_EQ(queries(d), q, "queries a nanosecond before its end");
	fake_ns += 1;
	verify(d, "203.0.113.99", NULL, false, &g);
	ASSERT_EQ(g.r.cached, false, "cached");
	ASSERT_EQ(g.r.reason, FS_DNSR_SERVFAIL, "reason");
	ASSERT_EQ(g.r.ttl, 2, "retry delay");
	/* libunbound itself keeps a SERVFAIL for 5 s (unbound's NORR_TTL):
	 * this query reaches libunbound, the server only after those 5 s. */
	ASSERT_EQ(queries(d), q + 1, "queries (stats)");
out:
	fs_dns_free(d);
}

/* Whether a datagram arrives on @fd within WAIT_MS (real time). */
static bool datagram_within(int fd)
{
	struct pollfd p = {.fd = fd, .events = POLLIN};

	return poll(&p, 1, WAIT_MS) == 1;
}

/* A resolver that never answers: a bound UDP socket nobody reads. The
 * fake clock stands still while the query travels, then moves to just
 * before the deadline and onto it. */
static void check_timeout(void)
{
	int port, fd = bound_socket(SOCK_DGRAM, 0, &port);
	struct fs_dns *d = fd < 0 ? NULL : dns_new(port, 300, 5, TTL_CAP_S);
	unsigned long long q, t0 = fake_ns;
	struct got g = {0};
	__u8 a[16];

	fs_subtest("timeout: tempfail at timeout_ms, not before");
	if (!ASSERT_TRUE(d != NULL, "black hole resolver") ||
	    !to_addr("192.0.2.25", a) ||
	    !ASSERT_OK(fs_dns_fcrdns(d, a, NULL, false, got_cb, &g), "fs_dns_"
								     "fcrdns"))
		goto out;
	ASSERT_TRUE(datagram_within(fd), "the query reached the black hole");
	fake_ns = t0 + 300 * MSEC - 1;
	ASSERT_OK(fs_dns_process(d), "process");
	ASSERT_EQ(g.calls, 0, "no verdict a nanosecond before the deadline");
	fake_ns = t0 + 300 * MSEC;
	ASSERT_OK(fs_dns_process(d), "process");
	ASSERT_EQ(g.calls, 1, "a verdict at the deadline");
	ASSERT_EQ(g.r.outcome, FS_DNS_TEMPFAIL, "outcome");
	ASSERT_EQ(g.r.reason, FS_DNSR_TIMEOUT, "reason");

	fs_subtest("timeout: a request during the backoff answers at once");
	q = queries(d);
	memset(&g, 0, sizeof(g));
	ASSERT_OK(fs_dns_fcrdns(d, a, NULL, false, got_cb, &g), "fs_dns_"
								"fcrdns");
	ASSERT_EQ(g.calls, 1, "called back before fs_dns_fcrdns returned");
	ASSERT_EQ(g.r.reason, FS_DNSR_TIMEOUT, "reason");
	ASSERT_EQ(g.r.cached, true, "cached");
	ASSERT_EQ(queries(d), q, "queries (stats)");
out:
	fs_dns_free(d);
	if (fd >= 0)
		close(fd);
}

/* ---------------------------------------------------------------- */
/* The CLI */

/* Run `floodshield ARGS` with stderr merged; output in @out, exit
 * status returned (-1 if it did not exit). */
static int run_cli(char *out, size_t len, const char *fmt, ...)
{
	char args[1024], cmd[1200];
	size_t n = 0, k;
	va_list ap;
	FILE *p;
	int st;

	va_start(ap, fmt);
	vsnprintf(args, sizeof(args), fmt, ap);
	va_end(ap);
	snprintf(cmd, sizeof(cmd), "%s %s 2>&1", FS_BIN, args);
	fflush(stdout);
	p = popen(cmd, "r");
	if (!p)
		return -1;
	while (n + 1 < len && (k = fread(out + n, 1, len - 1 - n, p)) > 0)
		n += k;
	out[n] = '\0';
	st = pclose(p);
	if (getenv("FS_DNS_SHOW"))
		printf("$ floodshield %s\n%s", args, out);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void cli_case(const struct dns_case *c)
{
	char out[4096], line[512];
	int rc;

	rc = run_cli(out, sizeof(out),
		     "verify %s --resolver 127.0.0.1@%d%s%s%s", c->addr,
		     srv.port, c->suffix ? " --suffix " : "",
		     c->suffix ? c->suffix : "", c->weak ? " --weak" : "");
	snprintf(line, sizeof(line), "\nverdict    %s\n", c->verdict);
	ASSERT_EQ(rc, c->exit, "exit status");
	if (!ASSERT_TRUE(strstr(out, line) != NULL, "verdict line"))
		printf("     expected:%s     got:\n%s", line, out);
}

static void cli_steps(void)
{
	char out[4096];

	fs_subtest("cli: every step of the PTR-only relay");
	run_cli(out, sizeof(out), "verify 192.0.2.26 --resolver 127.0.0.1@%d",
		srv.port);
	ASSERT_TRUE(strstr(out, "PTR        26.2.0.192.in-addr.arpa -> "
				"omta0001.relay.example.net\n") != NULL,
		    "PTR line");
	ASSERT_TRUE(strstr(out, "A          omta0001.relay.example.net -> "
				"NXDOMAIN\n") != NULL,
		    "A line");
	ASSERT_TRUE(strstr(out, "AAAA       omta0001.relay.example.net -> "
				"NXDOMAIN\n") != NULL,
		    "AAAA line");
	ASSERT_TRUE(strstr(out, "ttl        300s\n") != NULL, "ttl line");

	fs_subtest("cli: -j");
	ASSERT_EQ(run_cli(out, sizeof(out),
			  "-j verify 192.0.2.30 --resolver 127.0.0.1@%d",
			  srv.port),
		  0, "exit status");
	ASSERT_TRUE(strstr(out, "\"ptr\":[\"first.example.org\",\"second."
				"example.org\"]") != NULL,
		    "ptr");
	ASSERT_TRUE(strstr(out, "\"outcome\":\"pass\",\"reason\":\"ok\","
				"\"name\":\"second.example.org\"") != NULL,
		    "verdict");

	fs_subtest("cli: bad usage exits 2");
	ASSERT_EQ(run_cli(out, sizeof(out), "verify 192.0.2.0/24"), 2,
		  "a prefix");
	ASSERT_EQ(run_cli(out, sizeof(out), "verify 192.0.2.25 --weak"), 2,
		  "--weak alone");
	ASSERT_EQ(run_cli(out, sizeof(out),
			  "verify 192.0.2.25 --resolver 127.0.0.1@x"),
		  2, "bad resolver");
	ASSERT_EQ(run_cli(out, sizeof(out), "verify 192.0.2.25 --timeout 0"), 2,
		  "timeout 0");
}

/* The CLI on the real clock: its verdict names the reason (our own
 * deadline, not a resolver error), and it cannot come before the
 * timeout; how long after depends on the machine and is not asserted
 * (the library's deadline is, exactly, in check_timeout). */
static void cli_timeout(void)
{
	int port, fd = bound_socket(SOCK_DGRAM, 0, &port), rc;
	char out[4096];
	double t0, ms;

	fs_subtest("cli: a resolver that never answers: tempfail, exit 3");
	if (!ASSERT_TRUE(fd >= 0, "black hole"))
		return;
	t0 = now_ms();
	rc = run_cli(out, sizeof(out),
		     "verify 192.0.2.25 --resolver 127.0.0.1@%d "
		     "--timeout 500",
		     port);
	ms = now_ms() - t0;
	close(fd);
	ASSERT_EQ(rc, 3, "exit status");
	ASSERT_TRUE(strstr(out, "\nverdict    tempfail: no answer to the PTR "
				"query "
				"within the timeout (timeout)\n") != NULL,
		    "verdict line");
	ASSERT_TRUE(ms >= 500, "not before the 500 ms timeout");
}

static void check_cli(void)
{
	if (access(FS_BIN, X_OK)) {
		fs_subtest("cli");
		fs_test_skip(FS_BIN " not built");
		return;
	}
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		fs_subtest("cli: %s", cases[i].desc);
		cli_case(&cases[i]);
	}
	cli_steps();
	cli_timeout();
}

/* ---------------------------------------------------------------- */
/* Without a server */

static void check_names(void)
{
	char buf[FS_DNS_NAME_MAX], err[256];
	struct fs_dns_opts o = {.resolver = "127.0.0.1@x"};
	__u8 a[16];

	fs_subtest("reverse names, IPv4 and IPv6");
	if (to_addr("192.0.2.25", a)) {
		ASSERT_OK(fs_dns_reverse_name(a, buf, sizeof(buf)), "v4");
		ASSERT_STREQ(buf, "25.2.0.192.in-addr.arpa", "v4");
	}
	if (to_addr("2001:db8::25", a)) {
		ASSERT_OK(fs_dns_reverse_name(a, buf, sizeof(buf)), "v6");
		ASSERT_STREQ(buf,
			     "5.2.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0."
			     "8.b.d.0.1.0.0.2.ip6.arpa",
			     "v6");
	}
	fs_subtest("fs_dns_new refuses a bad resolver, naming it");
	ASSERT_TRUE(fs_dns_new(&o, err, sizeof(err)) == NULL, "127.0.0.1@x");
	ASSERT_TRUE(strstr(err, "'127.0.0.1@x'") != NULL, "message names it");
	o.resolver = "192.0.2.300";
	ASSERT_TRUE(fs_dns_new(&o, err, sizeof(err)) == NULL, "192.0.2.300");
	o.resolver = "127.0.0.1@65536";
	ASSERT_TRUE(fs_dns_new(&o, err, sizeof(err)) == NULL, "port 65536");
}

FS_TEST(dns)
{
	check_names();
	fs_subtest("unbound started on 127.0.0.1 and a free port");
	if (access(UNBOUND, X_OK)) {
		fs_test_skip(UNBOUND " missing: make deps");
		return;
	}
	if (!dns_server_start()) {
		dns_server_stop();
		return;
	}
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		fs_subtest("verdict: %s", cases[i].desc);
		check_case(&cases[i]);
	}
	check_steps();
	check_coalescing();
	check_cache();
	check_ttl_cap();
	check_resolve();
	check_servfail_backoff();
	check_timeout();
	check_cli();
	fs_subtest("unbound stopped by its PID");
	dns_server_stop();
}
