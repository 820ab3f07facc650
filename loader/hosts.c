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

/* Next whitespace-separated token of @s into @tok; returns the rest. */
static const char *token(const char *s, char *tok, size_t len)
{
	size_t n = 0;

	while (*s == ' ' || *s == '\t')
		s++;
	while (*s && !isspace((unsigned char)*s) && *s != ';') {
		if (n + 1 < len)
			tok[n++] = *s;
		s++;
	}
	tok[n] = '\0';
	return s;
}

static void nginx_name(const char *name, const char *where, fs_host_cb add,
		       fs_host_cb skip, void *arg)
{
	char star[260]; /* "*" + a token of at most 255 */

	if (!strcmp(name, "_") || !strcmp(name, "\"\"") || !*name ||
	    name[0] == '~' || strchr(name, '$') ||
	    (strchr(name, '*') && strncmp(name, "*.", 2))) {
		if (*name)
			skip(name, where, arg);
		return;
	}
	if (name[0] == '.') { /* ".example.org": the name and all below */
		add(name + 1, where, arg);
		snprintf(star, sizeof(star), "*%s", name);
		add(star, where, arg);
		return;
	}
	add(name, where, arg);
}

void fs_hosts_from_nginx(const char *text, fs_host_cb add, fs_host_cb skip,
			 void *arg)
{
	const char *p = text;
	char tok[256], where[64];
	int line = 1, in_names = 0;

	while (*p) {
		if (*p == '\n') {
			line++;
			p++;
			continue;
		}
		if (*p == '#') {
			while (*p && *p != '\n')
				p++;
			continue;
		}
		if (*p == ';') {
			in_names = 0;
			p++;
			continue;
		}
		if (isspace((unsigned char)*p)) {
			p++;
			continue;
		}
		p = token(p, tok, sizeof(tok));
		if (!in_names) {
			in_names = !strcmp(tok, "server_name");
			if (!in_names) /* skip to the end of this directive */
				while (*p && *p != ';' && *p != '{' &&
				       *p != '}' && *p != '\n')
					p++;
			if (*p == '{' || *p == '}')
				p++;
			continue;
		}
		snprintf(where, sizeof(where), "nginx -T line %d", line);
		nginx_name(tok, where, add, skip, arg);
	}
}

/* "*:443 www.example.org (/etc/apache2/sites-enabled/x.conf:1)": a
 * lone vhost on its address. */
static void apache_lone(const char *line, const char *where, fs_host_cb add,
			void *arg)
{
	char addr[128], name[256];
	const char *rest;

	if (line[0] == ' ' || line[0] == '\t' || !strchr(line, '('))
		return;
	rest = token(line, addr, sizeof(addr));
	if (!strchr(addr, ':'))
		return;
	token(rest, name, sizeof(name));
	if (*name && *name != '(' && strcmp(name, "is"))
		add(name, where, arg);
}

void fs_hosts_from_apache(const char *text, fs_host_cb add, fs_host_cb skip,
			  void *arg)
{
	static const char *const marks[] = {"namevhost ", "wild alias ",
					    "alias ", "default server "};
	const char *p = text;
	char line[512], tok[256], where[64];
	int n = 0;

	(void)skip;
	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		size_t i;

		snprintf(line, sizeof(line), "%.*s", (int)len, p);
		p += len + (nl ? 1 : 0);
		snprintf(where, sizeof(where), "apachectl -S line %d", ++n);
		for (i = 0; i < sizeof(marks) / sizeof(marks[0]); i++) {
			char *m = strstr(line, marks[i]);

			if (!m)
				continue;
			token(m + strlen(marks[i]), tok, sizeof(tok));
			if (*tok)
				add(tok, where, arg);
			break;
		}
		if (i == sizeof(marks) / sizeof(marks[0]))
			apache_lone(line, where, add, arg);
	}
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
