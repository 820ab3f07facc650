// SPDX-License-Identifier: GPL-2.0
/* The verifier's trust decisions (userspace/daemon/trust.h) on answers
 * of a real unbound (tests/dns/fixtures.conf, tests/dns_server.h), with
 * the policy read by the real config loader: allow_domain and
 * ptr_only_domain, normalised and checked against the public suffix
 * list. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "test.h"
#include "dns_server.h"
#include "../loader/addr.h"
#include "../loader/config.h"
#include "../userspace/daemon/trust.h"

/* Load [dns] @body; NULL with @err set when refused. */
static struct fs_conf *conf_of(const char *body, char *err, size_t len)
{
	char path[] = "/tmp/fs_trust.XXXXXX";
	int fd = mkstemp(path);
	struct fs_conf *c = fs_conf_new();
	FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;

	if (!f || !c) {
		snprintf(err, len, "temporary file");
		fs_conf_free(c);
		return NULL;
	}
	fprintf(f, "[shield]\ninterfaces =\n[dns]\n%s", body);
	fclose(f);
	if (fs_conf_load(path, c, err, len)) {
		fs_conf_free(c);
		c = NULL;
	}
	unlink(path);
	return c;
}

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

/* FCrDNS of @addr through the resolver on @port, synchronously. */
static bool fcrdns(int port, unsigned timeout_ms, const char *addr,
		   struct fs_fcrdns *r)
{
	char res[32], err[256];
	struct fs_dns_opts o = {.resolver = res,
				.timeout_ms = timeout_ms,
				.ttl_cap_s = 60,
				.tempfail_retry_s = 1};
	struct fs_lpm_key k;
	struct got g = {};
	struct fs_dns *d;

	snprintf(res, sizeof(res), "127.0.0.1@%d", port);
	d = fs_dns_new(&o, err, sizeof(err));
	if (!ASSERT_TRUE(d != NULL, err) ||
	    !ASSERT_OK(fs_cidr_parse(addr, &k, err, sizeof(err)), addr)) {
		fs_dns_free(d);
		return false;
	}
	fs_dns_fcrdns(d, k.addr, NULL, false, got_cb, &g);
	fs_dns_wait(d);
	fs_dns_free(d);
	*r = g.r;
	return ASSERT_EQ(g.calls, 1, "one answer");
}

static const char policy[] =
	"allow_domain = Example.ORG.\n"	     /* case and a trailing dot */
	"allow_domain = relay.example.net\n" /* not a weak suffix */
	"ptr_only = weak\n"
	"ptr_only_domain = isp.example.com\n";

static const struct {
	const char *desc, *addr;
	const char *conf; /* NULL: policy */
	enum fs_dns_class cls;
	enum fs_dns_reason reason;
	const char *allow; /* the allow_domain that allowlists, or NULL */
} cases[] = {
	{"FCrDNS pass under an allow_domain written Example.ORG.", "192.0.2.25",
	 NULL, FS_DNS_VERIFIED, FS_DNSR_OK, "example.org"},
	{"PTR without A under an allow_domain, not a ptr_only_domain: failed",
	 "192.0.2.26", NULL, FS_DNS_FAILED, FS_DNSR_NO_FORWARD, NULL},
	{"PTR without A under a ptr_only_domain: weak, not allowlisted",
	 "192.0.2.26",
	 "ptr_only = weak\nptr_only_domain = relay.example.net.\n",
	 FS_DNS_VERIFIED, FS_DNSR_WEAK, NULL},
	{"PTR without A, strict: failed", "192.0.2.26",
	 "ptr_only_domain = relay.example.net\n", FS_DNS_FAILED,
	 FS_DNSR_NO_FORWARD, NULL},
	{"PTR whose A differs: failed, not allowlisted", "192.0.2.27", NULL,
	 FS_DNS_FAILED, FS_DNSR_MISMATCH, NULL},
	{"no PTR: failed", "192.0.2.28", NULL, FS_DNS_FAILED, FS_DNSR_NO_PTR,
	 NULL},
	{"two PTRs, the second confirms: allowlisted", "192.0.2.30", NULL,
	 FS_DNS_VERIFIED, FS_DNSR_OK, "example.org"},
	{"SERVFAIL on the forward lookup: tempfail, never failed", "192.0.2.34",
	 NULL, FS_DNS_TEMP, FS_DNSR_SERVFAIL, NULL},
	{"pass outside every allow_domain: verified, not allowlisted",
	 "192.0.2.25", "allow_domain = other.example.net\n", FS_DNS_VERIFIED,
	 FS_DNSR_OK, NULL},
};

static void check_cases(void)
{
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct fs_trust_verdict v;
		struct fs_trust t;
		struct fs_fcrdns r;
		struct fs_conf *c;
		char err[512];

		fs_subtest("%s", cases[i].desc);
		c = conf_of(cases[i].conf ? cases[i].conf : policy, err,
			    sizeof(err));
		if (!ASSERT_TRUE(c != NULL, err))
			continue;
		if (fcrdns(dns_server_port(), 5000, cases[i].addr, &r)) {
			fs_trust_of_conf(&t, c);
			fs_trust_judge(&t, &r, &v);
			ASSERT_EQ(v.cls, cases[i].cls, "class");
			ASSERT_EQ(v.reason, cases[i].reason, "reason");
			if (cases[i].allow)
				ASSERT_STREQ(v.allow_domain ? v.allow_domain
							    : "(none)",
					     cases[i].allow, "allow_domain");
			else
				ASSERT_TRUE(v.allow_domain == NULL, "not "
								    "allowliste"
								    "d");
		}
		fs_conf_free(c);
	}
}

/* A resolver that never answers: the verification times out. */
static void check_timeout(void)
{
	struct fs_trust_verdict v;
	struct fs_trust t;
	struct fs_fcrdns r;
	struct fs_conf *c;
	char err[512];

	fs_subtest("timeout: tempfail, not allowlisted");
	c = conf_of(policy, err, sizeof(err));
	if (!ASSERT_TRUE(c != NULL, err))
		return;
	/* port 9 (discard) on loopback: nothing listens in the tests */
	if (fcrdns(9, 300, "192.0.2.25", &r)) {
		fs_trust_of_conf(&t, c);
		fs_trust_judge(&t, &r, &v);
		ASSERT_EQ(r.outcome, FS_DNS_TEMPFAIL, "tempfail");
		ASSERT_EQ(v.cls, FS_DNS_TEMP, "class");
		ASSERT_TRUE(v.allow_domain == NULL, "not allowlisted");
	}
	fs_conf_free(c);
}

static const struct {
	const char *line, *err;
} refused[] = {
	{"allow_domain = com\n", "a top-level domain"},
	{"allow_domain = co.uk\n", "(co.uk)"},
	{"allow_domain = CO.UK.\n", "(co.uk)"},
	{"allow_domain = amazonaws.com\n", "amazonaws.com): anyone"},
	{"allow_domain = eu-west-1.compute.amazonaws.com\n", "(*.compute."
							     "amazonaws.com)"},
	{"allow_domain = googleusercontent.com\n", "cloud's customer names"},
	{"ptr_only_domain = github.io\n", "(github.io)"},
	{"ptr_only = weak\n", "none is given"},
	{"allow_domain = example.org\nallow_domain = EXAMPLE.org.\n", "duplicat"
								      "e "
								      "allow_"
								      "domain "
								      "'example"
								      ".org'"},
};

static void check_refused(void)
{
	char err[512];
	struct fs_conf *c;

	for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		fs_subtest("refused: %.*s", (int)strcspn(refused[i].line, "\n"),
			   refused[i].line);
		err[0] = '\0';
		c = conf_of(refused[i].line, err, sizeof(err));
		ASSERT_TRUE(c == NULL, "refused");
		ASSERT_TRUE(strstr(err, refused[i].err) != NULL, err);
		ASSERT_TRUE(strstr(err, ".conf") || strstr(err, "fs_trust."),
			    "names the file");
		fs_conf_free(c);
	}
	fs_subtest("no public suffix list: allow_domain refused, named");
	setenv("FS_PUBLIC_SUFFIX_LIST", "/nonexistent/psl.dat", 1);
	c = conf_of("allow_domain = example.org\n", err, sizeof(err));
	unsetenv("FS_PUBLIC_SUFFIX_LIST");
	ASSERT_TRUE(c == NULL, "refused");
	ASSERT_TRUE(strstr(err, "cannot read the public suffix list "
				"/nonexistent/psl.dat") != NULL,
		    err);
	fs_conf_free(c);
	fs_subtest("stored lower-case without the trailing dot");
	c = conf_of("allow_domain = Relay.Example.NET.\n", err, sizeof(err));
	if (ASSERT_TRUE(c != NULL, err))
		ASSERT_STREQ(c->allow_domains[0], "relay.example.net",
			     "allow_domain");
	fs_conf_free(c);
}

FS_TEST(trust)
{
	check_refused();
	fs_subtest("unbound started");
	if (!dns_server_start()) {
		dns_server_stop();
		return;
	}
	check_cases();
	check_timeout();
	dns_server_stop();
}
