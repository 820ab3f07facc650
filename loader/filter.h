/* SPDX-License-Identifier: GPL-2.0 */
/* Userspace side of the lists prefilter (struct fs_filter in
 * maps/floodshield.h): marking entries as they are added, rebuilding
 * the bits from the maps after deletions. */
#ifndef FS_FILTER_H
#define FS_FILTER_H

#include "loader.h"

/* Mark the entry @addr/@plen (128-bit form) of @set in the fs_filter map
 * @fd. Userspace writes entries through loader/lists.h, which calls it
 * after each write; nothing else should. 0 or -errno. */
int fs_filter_mark(int fd, enum fs_filter_set set, const __u8 *addr,
		   __u32 plen);

/* fs_filter_mark() of the map key @key of @set: a struct fs_lpm_key for
 * the allow and block sets, a struct fs_key for bans, a struct
 * fs_addr_key for DNS verdicts. 0 or -errno. */
int fs_filter_mark_key(int fd, enum fs_filter_set set, const void *key);

/* Recompute the prefilter from the entries in fs_allow, fs_block,
 * fs_bans and fs_dns of @m: the blocklist set exactly (only pin-lock
 * holders write it), the others, which have writers outside the lock
 * (the program's bans, the daemon's verifier), by clearing the bits of
 * entries gone, then marking every entry again, so that an entry made
 * meanwhile keeps its bit.
 * Expired entries still in the maps stay marked (the daemon's sweep
 * deletes them): no clock is involved. 0 or -errno. */
int fs_filter_rebuild(const struct fs_map_fds *m);

#endif
