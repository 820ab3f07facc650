/* SPDX-License-Identifier: GPL-2.0 */
/* The one writer of the maps whose entries the program applies:
 * fs_allow, fs_block, fs_bans and fs_dns (each a prefilter set, enum
 * fs_filter_set), fs_hosts and fs_own. Writing an entry of the first
 * five is a protocol: the prefilter bit of its source (filter.h), or for
 * a host the served-host bits (hostfp.h), must follow, or the program
 * skips the lookup and the entry is silently not applied (fs_own has no
 * such step; it has one writer all the same, so that who writes it is
 * known: own.h). Every userspace writer (the CLI, the
 * config sync, the ledger, the daemon's verifier and sweeps) goes
 * through these functions, and scripts/check-writers.sh (run by `make
 * test`) fails on a bpf_map_update_elem() or bpf_map_delete_elem() of
 * those maps anywhere else. The program's own bans are marked by the
 * program (bpf/bans.bpf.h ban_put()).
 *
 * Every function returns 0 or -errno; the caller says what failed, with
 * the entry it concerns (only the host functions log, when the print
 * table itself cannot be used: hostfp.h). */
#ifndef FS_LISTS_H
#define FS_LISTS_H

#include "loader.h"

/* Write entry @key/@val into the map of @set in @m with @flags
 * (BPF_ANY, BPF_NOEXIST: -EEXIST when present, BPF_EXIST), then mark its
 * prefilter bits. Key and value by set:
 *   FS_FILTER_ALLOW, FS_FILTER_BLOCK  struct fs_lpm_key, struct fs_list_val
 *   FS_FILTER_BAN                     struct fs_key (bucket FS_B_NONE), struct fs_ban
 *   FS_FILTER_DNS                     struct fs_addr_key, struct fs_dns_val
 * The bits are set after the write, so that a concurrent prefilter
 * rebuild (filter.h) cannot clear them for good. A failed mark returns
 * its -errno with the entry written: it is then matched from the next
 * rebuild on (a list command, a reload, the daemon's sweep), and the
 * caller must say so. */
int fs_list_put(const struct fs_map_fds *m, enum fs_filter_set set,
		const void *key, const void *val, __u64 flags);

/* Delete entry @key of @set. -ENOENT when it is not there. Its bits stay
 * until the next rebuild: a stale bit costs a lookup, never a verdict. */
int fs_list_del(const struct fs_map_fds *m, enum fs_filter_set set,
		const void *key);

/* Write served host @key/@val into fs_hosts (BPF_ANY). Before the
 * write, the served-host bits turn the check on (and wildcard lookups for
 * a "*." name) and the print table off (fs_hostfp_begin()), so the name
 * is served from the moment it is in the map. Call fs_hosts_done() after
 * a batch to bring the prints back. */
int fs_host_put(const struct fs_map_fds *m, const struct fs_host_key *key,
		const struct fs_host_val *val);

/* Delete served host @key (-ENOENT when it is not there), with the print
 * table off first. The check and wildcard bits narrow at
 * fs_hosts_done(): until then a deleted name is refused, and with the
 * last name gone every Host is, as a name not served. */
int fs_host_del(const struct fs_map_fds *m, const struct fs_host_key *key);

/* After a batch of fs_host_put() and fs_host_del(): the prints and the
 * served-host bits follow fs_hosts (fs_hostfp_sync()). */
int fs_hosts_done(const struct fs_map_fds *m);

/* Write the server's own address @k (16-byte form) into fs_own (value
 * 1, BPF_ANY). fs_own has no prefilter: the program looks a Host's
 * IP literal up in it directly, so an entry applies at once. Its
 * writers are the config sync (the configured addresses and those of
 * the shielded interfaces, loader/sync.h) and every attach (the
 * interfaces' addresses, loader/own.h). */
int fs_own_put(const struct fs_map_fds *m, const struct fs_addr_key *k);

/* Delete own address @k; -ENOENT when it is not there. */
int fs_own_del(const struct fs_map_fds *m, const struct fs_addr_key *k);

#endif
