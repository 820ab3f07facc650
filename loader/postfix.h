/* SPDX-License-Identifier: GPL-2.0 */
/* Postfix's SMTP capacity: how many SMTP sessions its smtpd processes
 * serve at once on port 25, the default of smtp.capacity (docs/smtp.md,
 * Admission). Read from `postconf -h default_process_limit` and
 * `postconf -M` (master.cf, one line per service). */
#ifndef FS_POSTFIX_H
#define FS_POSTFIX_H

#include <stddef.h>

/* The capacity master.cf text @text gives: the process limit (column 7,
 * `-` meaning @default_limit) of every smtpd service that takes port 25
 * mail, summed: an `inet` service named smtp or 25 (with or without a
 * host: `127.0.0.1:smtp`) whose command is smtpd, and a `pass` service
 * whose command is smtpd (postscreen's hand-off; postscreen itself holds
 * no session). Continuation lines (starting with white space) and
 * comments are read as Postfix reads them. A limit of 0 (no limit) gives
 * 0. 0 and *@cap; -ENOENT when no such service exists; -EINVAL for a
 * line that does not parse (its number in @err). */
int fs_postfix_master_capacity(const char *text, unsigned default_limit,
			       unsigned *cap, char *err, size_t errlen);

/* The capacity of the Postfix instance with configuration folder
 * @config_dir (NULL: the default one), by running postconf (no shell;
 * @postconf: the program, NULL for "postconf" on the PATH). 0 and *@cap;
 * -ENOENT when postconf cannot run (Postfix not installed) or master.cf
 * has no smtpd service on port 25; -EIO when postconf fails (Postfix
 * not configured: Debian's "No configuration" has no main.cf; a
 * master.cf postconf refuses); -EINVAL for a limit that does not parse;
 * @err says which. */
int fs_postfix_capacity(const char *postconf, const char *config_dir,
			unsigned *cap, char *err, size_t errlen);

#endif
