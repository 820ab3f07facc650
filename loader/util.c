// SPDX-License-Identifier: GPL-2.0
/* Small helpers every layer above uses: the clock, JSON strings,
 * expiries as text. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "util.h"

/* The length of the valid UTF-8 sequence at @s (at most @n bytes), or 0:
 * no overlong forms, no surrogates, nothing past U+10FFFF. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
	size_t len = s[0] >= 0xf0 ? 4 : s[0] >= 0xe0 ? 3 : 2;
	unsigned cp;

	if (s[0] < 0xc2 || s[0] > 0xf4 || len > n)
		return 0;
	cp = s[0] & (0x3f >> (len - 1));
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if ((len == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
	    (len == 4 && (cp < 0x10000 || cp > 0x10ffff)))
		return 0;
	return len;
}

void json_strn(FILE *f, const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;

	fputc('"', f);
	for (size_t i = 0; i < n;) {
		unsigned char c = p[i];
		size_t u;

		if (c == '"' || c == '\\') {
			fprintf(f, "\\%c", c);
		} else if (c < 0x20 || c == 0x7f) {
			fprintf(f, "\\u%04x", c);
		} else if (c < 0x80) {
			fputc(c, f);
		} else if (c == 0xc2 && i + 1 < n && p[i + 1] >= 0x80 &&
			   p[i + 1] < 0xa0) {
			/* a C1 control (U+0080..U+009F: CSI is U+009B) */
			fprintf(f, "\\u%04x", p[i + 1]);
			i += 2;
			continue;
		} else if ((u = utf8_len(p + i, n - i))) {
			fwrite(p + i, 1, u, f);
			i += u;
			continue;
		} else {
			fputs("\\ufffd", f);
		}
		i++;
	}
	fputc('"', f);
}

void json_str(FILE *f, const char *s)
{
	json_strn(f, s, strlen(s));
}

const char *fs_text_escn(const char *s, size_t n, char *buf, size_t len)
{
	size_t o = 0;

	for (size_t i = 0; i < n; i++) {
		unsigned char c = s[i];
		char one[5];
		size_t k;

		if (c == '\\')
			k = snprintf(one, sizeof(one), "\\\\");
		else if (c >= 0x20 && c < 0x7f)
			k = snprintf(one, sizeof(one), "%c", c);
		else
			k = snprintf(one, sizeof(one), "\\x%02x", c);
		if (o + k + 1 > len)
			break;
		memcpy(buf + o, one, k);
		o += k;
	}
	buf[o] = '\0';
	return buf;
}

const char *fs_text_esc(const char *s, char *buf, size_t len)
{
	return fs_text_escn(s, strlen(s), buf, len);
}

size_t fs_field_len(const char *f, size_t cap)
{
	while (cap && !f[cap - 1])
		cap--;
	return cap;
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

const char *fs_env_path(const char *env, const char *from, const char *path,
			char *out, size_t len)
{
	const char *to = getenv(env);
	size_t n = strlen(from);

	if (to && *to && !strncmp(path, from, n) &&
	    (path[n] == '/' || !path[n]))
		snprintf(out, len, "%s%s", to, path + n);
	else
		snprintf(out, len, "%s", path);
	return out;
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
