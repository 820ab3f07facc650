// SPDX-License-Identifier: GPL-2.0
#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "psl.h"

const char *fs_psl_path(void)
{
	const char *p = getenv("FS_PUBLIC_SUFFIX_LIST");

	return p && *p ? p : FS_PSL_PATH;
}

/* Whether @name equals @dom or ends with "." @dom. */
static bool at_or_under(const char *name, const char *dom)
{
	size_t n = strlen(name), d = strlen(dom);

	if (n < d || strcmp(name + n - d, dom))
		return false;
	return n == d || name[n - d - 1] == '.';
}

/* Whether rule @r (a line of the list, "*." wildcards allowed) makes
 * @domain a public suffix, or lies below it. */
static bool rule_covers(const char *r, const char *domain)
{
	const char *dot;

	if (!strncmp(r, "*.", 2)) {
		/* *.x: x's children are suffixes, x and those below d */
		dot = strchr(domain, '.');
		if (dot && !strcmp(dot + 1, r + 2))
			return true;
		return at_or_under(r + 2, domain);
	}
	return at_or_under(r, domain);
}

/* Reverse-DNS domains where cloud providers name their customers'
 * addresses, which the list (2023) lacks. */
static const char *const cloud[] = {
	"googleusercontent.com", "linodeusercontent.com",
	"vultrusercontent.com",	 "your-server.de",
	"contaboserver.net",
};

int fs_psl_covers(const char *path, const char *domain, char *rule, size_t len)
{
	char line[512];
	FILE *f;
	int found = 0;

	if (!strchr(domain, '.')) {
		snprintf(rule, len, "a top-level domain");
		return 1;
	}
	for (size_t i = 0; i < sizeof(cloud) / sizeof(cloud[0]); i++)
		if (rule_covers(cloud[i], domain)) {
			snprintf(rule, len, "%s (a cloud's customer names)",
				 cloud[i]);
			return 1;
		}
	f = fopen(path, "r");
	if (!f)
		return -errno;
	while (!found && fgets(line, sizeof(line), f)) {
		size_t n = strcspn(line, " \t\r\n");

		line[n] = '\0';
		for (size_t i = 0; i < n; i++)
			line[i] = tolower((unsigned char)line[i]);
		if (!n || line[0] == '!' || !strncmp(line, "//", 2))
			continue;
		if (rule_covers(line, domain)) {
			snprintf(rule, len, "%s", line);
			found = 1;
		}
	}
	if (!found && ferror(f))
		found = -EIO;
	fclose(f);
	return found;
}
