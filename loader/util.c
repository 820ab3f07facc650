// SPDX-License-Identifier: GPL-2.0
/* Small helpers every layer above uses: the clock, JSON strings,
 * expiries as text. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "util.h"

void json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char c = *s;

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

unsigned long long fs_mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * NSEC_PER_SEC + ts.tv_nsec;
}

void fs_fmt_expiry(unsigned long long expires_ns, unsigned long long now,
		   char *buf, size_t len)
{
	unsigned long long s;

	if (!expires_ns) {
		snprintf(buf, len, "never");
		return;
	}
	if (expires_ns <= now) {
		snprintf(buf, len, "expired");
		return;
	}
	s = (expires_ns - now + NSEC_PER_SEC - 1) / NSEC_PER_SEC;
	if (s >= 3600)
		snprintf(buf, len, "%lluh%02llum", s / 3600, s % 3600 / 60);
	else if (s >= 60)
		snprintf(buf, len, "%llum%02llus", s / 60, s % 60);
	else
		snprintf(buf, len, "%llus", s);
}

void fs_test_point(const char *name)
{
	static unsigned passed;
	const char *want = getenv("FS_TEST_PAUSE"), *at;
	size_t len;
	unsigned nth = 1;

	if (!want)
		return;
	at = strchr(want, '@');
	len = at ? (size_t)(at - want) : strlen(want);
	if (at)
		nth = strtoul(at + 1, NULL, 10);
	if (len != strlen(name) || strncmp(want, name, len) || ++passed != nth)
		return;
	fprintf(stderr, "test: paused at %s\n", name);
	raise(SIGSTOP);
}
