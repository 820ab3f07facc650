/* SPDX-License-Identifier: GPL-2.0 */
/* The ledger: dynamic bans and CLI/DNS list entries saved to disk with
 * wall-clock expiries, so they outlive a reboot (which loses the pins).
 * One ledger per pin folder: <state_dir>/ledger.<pin folder as a name>,
 * so instances that share a state_dir never write each other's. */
#ifndef FS_LEDGER_H
#define FS_LEDGER_H

#include "loader.h"

#define FS_LEDGER_FILE "ledger" /* the name before 2026-12: one per state_dir */

/* How far ahead a restored entry may expire (0: no bound but the
 * ledger's own, 20 years): an entry of the file beyond it is shortened
 * to it, and that is logged. */
struct fs_ledger_limits {
	long long ban_ttl_max_s; /* ban.ttl_max */
	long long dns_ttl_max_s; /* [dns] ttl_cap, for DNS allowlistings */
};

/* The ledger of pin folder @pin_dir in @state_dir, into @out (@len
 * bytes). 0, or -ENAMETOOLONG. */
int fs_ledger_path(const char *state_dir, const char *pin_dir, char *out,
		   size_t len);

/* An older build's <state_dir>/ledger becomes @path (rename: of several
 * instances, one takes it), unless @path exists. 1 renamed (logged), 0
 * nothing to do, or -errno. */
int fs_ledger_adopt(const char *state_dir, const char *path);

/* Remove the temporary files a save of ledger @path left when it was
 * killed before its rename (its writer must be gone: the daemon holds
 * its pin folder's instance lock). The number removed, or -errno. */
int fs_ledger_clean(const char *path);

/* Write the ledger @path of @pin_dir atomically (a temporary file of its
 * own, fsync, rename, fsync of the folder, which is created 0700 when
 * missing). Entries of origin "config" are not saved: the config file
 * holds them. Returns the number of entries saved, or -errno with a
 * message logged. */
int fs_ledger_save(const char *path, const char *pin_dir,
		   const struct fs_map_fds *m);

/* Put the unexpired entries of ledger @path back into the maps, through
 * the one writer (lists.h), which marks them in the prefilter; an entry
 * the maps hold already is kept as it is. A missing ledger is not an
 * error. The file is refused as a whole (-EINVAL, logged) without the
 * header on its first line, or when the header names a pin folder other
 * than @pin_dir. A line is refused (logged with its number, the first
 * ten one by one, then a total) when it is malformed, longer than 511
 * bytes, cut short at the end of the file, holds a byte that is not
 * printable ASCII, a number out of range, an unknown reason or origin,
 * or an entry of origin "config". A "set" line is restored (as the CLI's)
 * unless the pinned settings have that key from the CLI already, a
 * "host" line unless the name is served already. Expiries beyond @lim
 * are shortened to it (logged); a creation time in the future becomes now. Returns the
 * number restored, or -errno with a message logged. */
int fs_ledger_restore(const char *path, const char *pin_dir,
		      const struct fs_ledger_limits *lim,
		      const struct fs_map_fds *m);

/* Only the "set" lines of ledger @path: the settings the CLI owned, back
 * into pinned settings a newer build replaced with the defaults (another
 * layout) while the lists and bans stayed pinned. As fs_ledger_restore()
 * otherwise (a key the settings have from the CLI already is kept).
 * Returns the number restored, or -errno with a message logged. */
int fs_ledger_restore_settings(const char *path, const char *pin_dir,
			       const struct fs_map_fds *m);

#endif
