/* SPDX-License-Identifier: GPL-2.0 */
/* CIDR text <-> the 16-byte address form of the maps (IPv4 v4-mapped,
 * prefix lengths over 128 bits). */
#ifndef FS_ADDR_H
#define FS_ADDR_H

#include <stddef.h>
#include <sys/socket.h>
#include "../maps/floodshield.h"

/* "192.0.2.0/24", "2001:db8::/32", or a bare address (a host). Refuses
 * a bad address, a bad or out-of-range length and host bits set: 0, or
 * -EINVAL with a message naming @s in @err. */
int fs_cidr_parse(const char *s, struct fs_lpm_key *k, char *err,
		  size_t errlen);

/* "a.b.c.d/n" for v4-mapped addresses with plen >= 96, else IPv6. */
void fs_cidr_format(const __u8 addr[16], unsigned plen, char *buf, size_t len);

#define FS_CIDR_STRLEN 64

/* A bare address, "192.0.2.1" or "2001:db8::1" (no prefix length, no
 * brackets), into the 16-byte form (IPv4 v4-mapped). 0, or -EINVAL with
 * a message naming @s in @err. */
int fs_addr_parse(const char *s, __u8 addr[16], char *err, size_t errlen);

/* "a.b.c.d" for a v4-mapped address, else IPv6 text; no length. */
void fs_addr_format(const __u8 addr[16], char *buf, size_t len);

/* Parse "IPv4:PORT" or "[IPv6]:PORT" (literals only, no host names;
 * port 0 means any free port). 0, or -EINVAL with a message in @err. */
int fs_listen_parse(const char *text, struct sockaddr_storage *ss,
		    socklen_t *len, char *err, size_t errlen);

#endif
