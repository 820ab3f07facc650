/* SPDX-License-Identifier: GPL-2.0 */
/* The ledger: dynamic bans and CLI/DNS list entries saved to disk with
 * wall-clock expiries, so they outlive a reboot (which loses the pins). */
#ifndef FS_LEDGER_H
#define FS_LEDGER_H

#include "loader.h"

#define FS_LEDGER_FILE "ledger"

/* Write @dir/ledger atomically (temp file, fsync, rename). Entries of
 * origin "config" are not saved: the config file holds them. Returns
 * the number of entries saved, or -errno with a message logged. */
int fs_ledger_save(const char *dir, const struct fs_map_fds *m);

/* Put the unexpired entries of @dir/ledger back into the maps, through
 * the one writer (lists.h), which marks them in the prefilter; an entry
 * the maps hold already is kept as it is. A missing
 * ledger is not an error. Malformed lines are logged and skipped.
 * Returns the number restored, or -errno with a message logged. */
int fs_ledger_restore(const char *dir, const struct fs_map_fds *m);

#endif
