/* SPDX-License-Identifier: GPL-2.0 */
/* Served HTTP host names: normalisation into fs_hosts keys, and reading
 * the names a web server serves from its own configuration dump. */
#ifndef FS_HOSTS_H
#define FS_HOSTS_H

#include <stddef.h>
#include "../maps/floodshield.h"

/* Normalise @in ("WWW.Example.org.", "*.example.org", "web01") into
 * its key and its display name. Refuses empty names, bad characters,
 * IP literals (a dotted quad; brackets; hex digits, dots and colons with
 * a colon: the message points to http.own and http.ip_host), wildcards
 * other than a leading "*.", and names over FS_HOST_MAX: 0, or -EINVAL
 * with a message naming @in in @err. Names ending in a digit are names. */
int fs_host_key(const char *in, struct fs_host_key *key,
		struct fs_host_val *val, char *err, size_t errlen);

/* The print (struct fs_hostfp) of the name in key @k; 0 for a wildcard
 * key, which has none. */
__u64 fs_host_key_print(const struct fs_host_key *k);

/* Called for each name found in a server's dump; @where says where. */
typedef void (*fs_host_cb)(const char *name, const char *where, void *arg);

/* server_name directives of `nginx -T` output. ".example.org" yields
 * example.org and *.example.org; "_", regexes and variables are skipped
 * (reported through @skip). */
void fs_hosts_from_nginx(const char *text, fs_host_cb add, fs_host_cb skip,
			 void *arg);

/* namevhost, alias, wild alias and default server names of
 * `apachectl -S` output. */
void fs_hosts_from_apache(const char *text, fs_host_cb add, fs_host_cb skip,
			  void *arg);

#endif
