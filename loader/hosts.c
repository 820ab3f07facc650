// SPDX-License-Identifier: GPL-2.0
#include <ctype.h>
#include <stdbool.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "hosts.h"

static int host_char(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
	       c == '.' || c == '_';
}

/* Whether the first @n bytes of @s are four runs of digits joined by
 * dots: an IPv4 literal (a name's last label is never all digits). */
static bool dotted_quad(const char *s, size_t n)
{
	unsigned dots = 0, digits = 0;

	for (size_t i = 0; i < n; i++) {
		if (s[i] == '.') {
			if (!digits)
				return false;
			dots++, digits = 0;
		} else if (isdigit((unsigned char)s[i])) {
			digits++;
		} else {
			return false;
		}
	}
	return dots == 3 && digits;
}

/* Whether the first @n bytes of @s are an IP literal as a Host carries
 * it: a dotted quad, an IPv6 address in brackets (with a port or not),
 * or hex digits, dots and colons with a colon (IPv6 without brackets,
 * or IPv4 with a port). A name with a port ("example.org:80") is not. */
static bool ip_literal(const char *s, size_t n)
{
	const char *colon = memchr(s, ':', n);
	size_t hex = 0;

	if (memchr(s, '[', n) || memchr(s, ']', n))
		return true;
	while (hex < n && (isxdigit((unsigned char)s[hex]) || s[hex] == '.' ||
			   s[hex] == ':'))
		hex++;
	return (colon && hex == n) || dotted_quad(s, n);
}

bool fs_host_is_ip(const char *in)
{
	size_t n = strlen(in);

	if (n && in[n - 1] == '.')
		n--;
	return n && ip_literal(in, n);
}

int fs_host_key(const char *in, struct fs_host_key *key,
		struct fs_host_val *val, char *err, size_t errlen)
{
	char name[sizeof(((struct fs_host_val *)0)->name)];
	const char *suffix;
	size_t n = strlen(in);
	int wild = !strncmp(in, "*.", 2);

	memset(key, 0, sizeof(*key));
	memset(val, 0, sizeof(*val));
	if (n && in[n - 1] == '.')
		n--;
	if (!wild && n && ip_literal(in, n)) {
		snprintf(err, errlen,
			 "'%s': an IP address, not a host name (list the "
			 "server's own addresses as http.own, `own` in "
			 "[hosts]; a Host naming one follows http.ip_host)",
			 in);
		return -EINVAL;
	}
	if (wild && n < 3) { /* "*." or "*.." */
		snprintf(err, errlen, "'%s': empty wildcard suffix", in);
		return -EINVAL;
	}
	if (n == 0 || n - wild >= sizeof(name) - 1) {
		snprintf(err, errlen, "'%s': %s", in,
			 n ? "longer than 64 characters" : "empty name");
		return -EINVAL;
	}
	for (size_t i = 0; i < n; i++)
		name[i] = tolower((unsigned char)in[i]);
	name[n] = '\0';
	suffix = wild ? name + 1 : name; /* ".example.org" */
	for (const char *c = wild ? name + 2 : name; *c; c++) {
		if (!host_char(*c)) {
			snprintf(err, errlen,
				 "'%s': '%c' is not allowed in a host name%s",
				 in, *c,
				 *c == '*' ? " (only a leading '*.')" : "");
			return -EINVAL;
		}
	}
	if (strlen(suffix) > FS_HOST_MAX) {
		snprintf(err, errlen, "'%s': longer than 64 characters", in);
		return -EINVAL;
	}
	if (strstr(name, "..") || name[0] == '.') {
		snprintf(err, errlen, "'%s': not a host name", in);
		return -EINVAL;
	}
	memcpy(key->name + FS_HOST_MAX - strlen(suffix), suffix,
	       strlen(suffix));
	snprintf(val->name, sizeof(val->name), "%s", name);
	return 0;
}

__u64 fs_host_key_print(const struct fs_host_key *k)
{
	size_t i = 0, len;
	__u64 h = 0;

	while (i < FS_HOST_MAX && !k->name[i])
		i++;
	len = FS_HOST_MAX - i;
	if (!len || k->name[i] == '.')
		return 0;
	for (size_t j = 0; j < len; j += 8) {
		__u64 w = 0;

		memcpy(&w, k->name + i + j, len - j < 8 ? len - j : 8);
		h = fs_host_fp_step(h, w);
	}
	return fs_host_fp_end(h, len);
}
