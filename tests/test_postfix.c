// SPDX-License-Identifier: GPL-2.0
/* Postfix's SMTP capacity (loader/postfix.c), the default of
 * smtp.capacity: master.cf fixtures (Debian's default, postscreen's
 * hand-off, a host-bound listener, continuation lines, explicit limits,
 * no limit, broken lines), then the real `postconf` on a private
 * configuration folder: Postfix is installed by scripts/install-deps.sh
 * --test, so a missing postconf fails the test. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "test.h"
#include "../loader/postfix.h"

#define DEBIAN_MASTER                                                       \
	"# Postfix master process configuration file.\n"                    \
	"# service type  private unpriv  chroot  wakeup  maxproc command\n" \
	"smtp      inet  n       -       y       -       -       smtpd\n"   \
	"#smtp      inet  n       -       y       -       1       "         \
	"postscreen\n"                                                      \
	"#submission inet n       -       y       -       -       smtpd\n"  \
	"pickup    unix  n       -       y       60      1       pickup\n"  \
	"cleanup   unix  n       -       y       -       0       cleanup\n" \
	"smtp      unix  -       -       y       -       -       smtp\n"    \
	"relay     unix  -       -       y       -       -       smtp\n"    \
	"        -o syslog_name=postfix/$service_name\n"                    \
	"maildrop  unix  -       n       n       -       -       pipe\n"    \
	"  flags=DRXhu user=vmail argv=/usr/bin/maildrop -d ${recipient}\n"

struct master_case {
	const char *desc;
	const char *text;
	unsigned def;
	int err;	 /* expected return */
	unsigned cap;	 /* when 0 is returned */
	const char *msg; /* a part of the error message */
};

static const struct master_case cases[] = {
	{"Debian's master.cf: smtp inet smtpd, limit -: the default",
	 DEBIAN_MASTER, 100, 0, 100, NULL},
	{"the default as postconf reports it", DEBIAN_MASTER, 20, 0, 20, NULL},
	{"an explicit limit", "smtp inet n - y - 20 smtpd\n", 100, 0, 20, NULL},
	{"submission (587) and smtps are not port 25",
	 "smtp inet n - y - 20 smtpd\nsubmission inet n - y - 30 smtpd\n"
	 "smtps inet n - y - 40 smtpd\n",
	 100, 0, 20, NULL},
	{"postscreen: the smtpd pass service holds the sessions",
	 "smtp inet n - y - 1 postscreen\nsmtpd pass - - y - 15 smtpd\n"
	 "dnsblog unix - - y - 0 dnsblog\ntlsproxy unix - - y - 0 tlsproxy\n",
	 100, 0, 15, NULL},
	{"host-bound listeners by name and port are summed",
	 "127.0.0.1:smtp inet n - y - 5 smtpd\n"
	 "192.0.2.1:25 inet n - y - 7 smtpd\n[2001:db8::1]:25 inet n - y - 3 "
	 "smtpd\n",
	 100, 0, 15, NULL},
	{"a continuation line and a full command path",
	 "smtp      inet  n       -       y       -\n  12 "
	 "/usr/lib/postfix/sbin/smtpd\n"
	 "  -o smtpd_timeout=10s\n",
	 100, 0, 12, NULL},
	{"limit 0 (no limit): no capacity", "smtp inet n - y - 0 smtpd\n", 100,
	 0, 0, NULL},
	{"no smtpd on port 25", "submission inet n - y - 30 smtpd\n", 100,
	 -ENOENT, 0, "no smtpd service"},
	{"empty", "", 100, -ENOENT, 0, "no smtpd service"},
	{"a limit that is not a number, named with its line",
	 "# c\nsmtp inet n - y - many smtpd\n", 100, -EINVAL, 0,
	 "line 2: process limit 'many'"},
	{"a line with too few fields, named", "smtp inet n - y\n", 100, -EINVAL,
	 0, "line 1: fewer than 8"},
};

FS_TEST(postfix_master)
{
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct master_case *c = &cases[i];
		char err[256] = "";
		unsigned cap = 12345;
		int r;

		fs_subtest("%s", c->desc);
		r = fs_postfix_master_capacity(c->text, c->def, &cap, err,
					       sizeof(err));
		ASSERT_EQ(r, c->err, "return");
		if (!c->err)
			ASSERT_EQ(cap, c->cap, "capacity");
		else
			ASSERT_EQ(cap, 12345, "capacity untouched");
		if (c->msg)
			ASSERT_TRUE(strstr(err, c->msg) != NULL, err);
	}
}

/* A private Postfix configuration folder with @master as master.cf and
 * @main as main.cf; its path in @dir. */
static bool conf_dir(char *dir, size_t len, const char *main_cf,
		     const char *master)
{
	char path[512];
	FILE *f;

	snprintf(dir, len, "/tmp/fs-test-postfix.XXXXXX");
	if (!ASSERT_TRUE(mkdtemp(dir) != NULL, "mkdtemp"))
		return false;
	snprintf(path, sizeof(path), "%s/main.cf", dir);
	f = fopen(path, "w");
	if (!ASSERT_TRUE(f != NULL, "write main.cf"))
		return false;
	fputs(main_cf, f);
	fclose(f);
	snprintf(path, sizeof(path), "%s/master.cf", dir);
	f = fopen(path, "w");
	if (!ASSERT_TRUE(f != NULL, "write master.cf"))
		return false;
	fputs(master, f);
	fclose(f);
	return true;
}

static void conf_rm(const char *dir)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/main.cf", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/master.cf", dir);
	unlink(path);
	rmdir(dir);
}

FS_TEST(postfix_postconf)
{
	char dir[64], err[256] = "";
	unsigned cap = 0;

	fs_subtest("postconf is installed (scripts/install-deps.sh --test)");
	ASSERT_OK(access("/usr/sbin/postconf", X_OK), "/usr/sbin/postconf");

	fs_subtest("the real postconf: default_process_limit and master.cf");
	if (conf_dir(dir, sizeof(dir), "default_process_limit = 20\n",
		     DEBIAN_MASTER)) {
		ASSERT_OK(fs_postfix_capacity(NULL, dir, &cap, err,
					      sizeof(err)),
			  err);
		ASSERT_EQ(cap, 20, "smtp inet, limit -: default_process_limit");
		conf_rm(dir);
	}

	fs_subtest("the real postconf: postscreen's smtpd pass service");
	if (conf_dir(dir, sizeof(dir), "",
		     "smtp inet n - y - 1 postscreen\n"
		     "smtpd pass - - y - 25 smtpd\n  -o smtpd_timeout=10s\n")) {
		ASSERT_OK(fs_postfix_capacity(NULL, dir, &cap, err,
					      sizeof(err)),
			  err);
		ASSERT_EQ(cap, 25, "the pass service's limit");
		conf_rm(dir);
	}

	fs_subtest("the real postconf: a master.cf it refuses, said so");
	if (conf_dir(dir, sizeof(dir), "", "smtp inet n - y - lots smtpd\n")) {
		ASSERT_EQ(fs_postfix_capacity(NULL, dir, &cap, err,
					      sizeof(err)),
			  -EIO, "return");
		ASSERT_TRUE(strstr(err, "failed") != NULL, err);
		conf_rm(dir);
	}

	fs_subtest("postconf missing: -ENOENT, said so");
	ASSERT_EQ(fs_postfix_capacity("/nonexistent/postconf", NULL, &cap, err,
				      sizeof(err)),
		  -ENOENT, "return");
	ASSERT_TRUE(strstr(err, "cannot run") != NULL, err);

	fs_subtest("a folder that is not Postfix's: -EIO, said so");
	ASSERT_EQ(fs_postfix_capacity(NULL, "/nonexistent-dir", &cap, err,
				      sizeof(err)),
		  -EIO, "return");
	ASSERT_TRUE(strstr(err, "failed") != NULL, err);
}
