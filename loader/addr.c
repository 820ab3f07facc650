// SPDX-License-Identifier: GPL-2.0
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "addr.h"
#include "metrics.h"
#include "settings.h"

static const __u8 v4_prefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

static int is_v4mapped(const __u8 a[16])
{
	return !memcmp(a, v4_prefix, sizeof(v4_prefix));
}

static int host_bits_set(const __u8 a[16], unsigned plen)
{
	for (unsigned bit = plen; bit < 128; bit++)
		if (a[bit / 8] & (0x80 >> (bit % 8)))
			return 1;
	return 0;
}

/* Whether @net/@plen holds ::ffff:0:0/96. */
static int covers_v4(const __u8 net[16], unsigned plen)
{
	for (unsigned bit = 0; bit < plen; bit++)
		if ((net[bit / 8] ^ v4_prefix[bit / 8]) & (0x80 >> (bit % 8)))
			return 0;
	return 1;
}

static int parse_len(const char *s, unsigned max, unsigned *out)
{
	char *end;
	unsigned long v;

	if (*s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || v > max)
		return -EINVAL;
	*out = v;
	return 0;
}

int fs_cidr_parse(const char *s, struct fs_lpm_key *k, char *err, size_t errlen)
{
	char buf[INET6_ADDRSTRLEN + 8], *slash;
	unsigned len, max;
	int v4;

	memset(k, 0, sizeof(*k));
	if (strlen(s) >= sizeof(buf)) {
		snprintf(err, errlen, "'%.40s...': not an address or CIDR", s);
		return -EINVAL;
	}
	strcpy(buf, s);
	slash = strchr(buf, '/');
	if (slash)
		*slash++ = '\0';
	v4 = !strchr(buf, ':');
	if (v4 ? inet_pton(AF_INET, buf, k->addr + 12) != 1
	       : inet_pton(AF_INET6, buf, k->addr) != 1) {
		snprintf(err, errlen, "'%s': not an IPv4 or IPv6 address", s);
		return -EINVAL;
	}
	if (v4)
		memcpy(k->addr, v4_prefix, sizeof(v4_prefix));
	max = v4 ? 32 : 128;
	len = max;
	if (slash && parse_len(slash, max, &len)) {
		snprintf(err, errlen, "'%s': prefix length must be 0-%u", s,
			 max);
		return -EINVAL;
	}
	k->prefixlen = v4 ? FS_V4_MAPPED_PLEN + len : len;
	if (host_bits_set(k->addr, k->prefixlen)) {
		snprintf(err, errlen, "'%s': host bits set beyond /%u", s, len);
		return -EINVAL;
	}
	/* IPv4 is stored as ::ffff:0:0/96: an IPv6 prefix holding all of it
	 * (::/0, ::/64, ...) would also take in every IPv4 address */
	if (!v4 && len <= FS_V4_MAPPED_PLEN && covers_v4(k->addr, len)) {
		snprintf(err, errlen,
			 "'%s': also covers every IPv4 address (they "
			 "are stored as ::ffff:0:0/96); give IPv4 prefixes in "
			 "IPv4 "
			 "form and a narrower IPv6 prefix",
			 s);
		return -EINVAL;
	}
	return 0;
}

void fs_cidr_format(const __u8 addr[16], unsigned plen, char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN];

	if (is_v4mapped(addr) && plen >= FS_V4_MAPPED_PLEN) {
		inet_ntop(AF_INET, addr + 12, a, sizeof(a));
		snprintf(buf, len, "%s/%u", a, plen - FS_V4_MAPPED_PLEN);
	} else {
		inet_ntop(AF_INET6, addr, a, sizeof(a));
		snprintf(buf, len, "%s/%u", a, plen);
	}
}

int fs_addr_parse(const char *s, __u8 addr[16], char *err, size_t errlen)
{
	struct fs_lpm_key k;

	if (strchr(s, '/') || fs_cidr_parse(s, &k, err, errlen) ||
	    k.prefixlen != 128) {
		snprintf(err, errlen, "'%s': not an IPv4 or IPv6 address", s);
		return -EINVAL;
	}
	memcpy(addr, k.addr, sizeof(k.addr));
	return 0;
}

void fs_addr_format(const __u8 addr[16], char *buf, size_t len)
{
	if (is_v4mapped(addr))
		inet_ntop(AF_INET, addr + 12, buf, len);
	else
		inet_ntop(AF_INET6, addr, buf, len);
}

/* 0-65535 (0: any free port), in network order. */
static int parse_port(const char *s, in_port_t *port)
{
	int v = fs_parse_port(s);

	if (v < 0)
		return -EINVAL;
	*port = htons(v);
	return 0;
}

int fs_listen_parse(const char *text, struct sockaddr_storage *ss,
		    socklen_t *len, char *err, size_t errlen)
{
	char host[INET6_ADDRSTRLEN + 2];
	const char *colon, *h = host;
	size_t hlen;
	in_port_t port;

	memset(ss, 0, sizeof(*ss));
	colon = text ? strrchr(text, ':') : NULL;
	if (!colon || colon == text)
		goto bad;
	hlen = colon - text;
	if (hlen >= sizeof(host))
		goto bad;
	memcpy(host, text, hlen);
	host[hlen] = '\0';
	if (parse_port(colon + 1, &port)) {
		snprintf(err, errlen, "'%s': the port must be 0-65535", text);
		return -EINVAL;
	}
	if (host[0] == '[') {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)ss;

		if (hlen < 3 || host[hlen - 1] != ']')
			goto bad;
		host[hlen - 1] = '\0';
		h = host + 1;
		if (inet_pton(AF_INET6, h, &a->sin6_addr) != 1)
			goto bad;
		a->sin6_family = AF_INET6;
		a->sin6_port = port;
		*len = sizeof(*a);
	} else {
		struct sockaddr_in *a = (struct sockaddr_in *)ss;

		if (inet_pton(AF_INET, h, &a->sin_addr) != 1)
			goto bad;
		a->sin_family = AF_INET;
		a->sin_port = port;
		*len = sizeof(*a);
	}
	return 0;
bad:
	snprintf(err, errlen,
		 "'%s': expected IPv4:PORT or [IPv6]:PORT "
		 "(address literals, e.g. " FS_METRICS_LISTEN " or [::1]:%u)",
		 text ? text : "", FS_METRICS_PORT);
	return -EINVAL;
}
