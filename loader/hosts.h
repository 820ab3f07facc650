/* SPDX-License-Identifier: GPL-2.0 */
/* Served HTTP host names: normalisation into fs_hosts keys, and reading
 * the names a web server serves from its own configuration dump. */
#ifndef FS_HOSTS_H
#define FS_HOSTS_H

#include <stdbool.h>
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

/* Whether @in (one trailing dot allowed) is an IP literal, which
 * fs_host_key() refuses as such. */
bool fs_host_is_ip(const char *in);

/* The print (struct fs_hostfp) of the name in key @k; 0 for a wildcard
 * key, which has none. */
__u64 fs_host_key_print(const struct fs_host_key *k);

/* Called for each name found in a server's dump; @where says where:
 * "FILE:LINE" (nginx -T: the dumped file and its line; apachectl -S: the
 * vhost's), or "nginx -T line N" for a dump without file headers. */
typedef void (*fs_host_cb)(const char *name, const char *where, void *arg);

/* The names of `nginx -T` output, and what they cannot express. The
 * dump is read as nginx reads its files: quotes and escapes, comments,
 * `include` followed through the files the dump holds (relative to the
 * first file's folder, glob patterns), and only `server` blocks of the
 * `http` context (not stream or mail). @add: each server_name the host
 * table can hold ("www.example.org", "*.example.org"; ".example.org"
 * gives example.org and *.example.org). @skip: each thing the server
 * answers that the table cannot express, as a sentence ("server_name
 * www.example.*: a trailing wildcard ..."): regexes, variables,
 * wildcards other than a leading "*.", and every default server (the
 * one marked default_server on an address, else the first there: it
 * answers every Host no other server names) unless it refuses them all
 * (a server-level `return` with a code of 400 or more, 444 included).
 * "_" and "" (requests without Host, which http.no_host_10 judges) are
 * neither. Pure: reads only @text. */
void fs_hosts_from_nginx(const char *text, fs_host_cb add, fs_host_cb skip,
			 void *arg);

/* The names of `apachectl -S` output (namevhost, alias, wild alias, a
 * lone vhost on its address), and what they cannot express through
 * @skip: the default vhost of each address (the "default server", or the
 * only vhost there), which answers every Host no other vhost names;
 * aliases with '*' or '?' other than a leading "*."; and the main server
 * when there is no vhost at all. Pure: reads only @text. */
void fs_hosts_from_apache(const char *text, fs_host_cb add, fs_host_cb skip,
			  void *arg);

#endif
