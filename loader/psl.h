/* SPDX-License-Identifier: GPL-2.0 */
/* Public suffixes (the Public Suffix List, Debian package publicsuffix):
 * a trust rule naming a DNS suffix must not name one where strangers
 * register or are given names (com, co.uk, *.compute.amazonaws.com). */
#ifndef FS_PSL_H
#define FS_PSL_H

#include <stddef.h>

/* The list read by default; the environment variable FS_PUBLIC_SUFFIX_LIST
 * names another file (tests, systems without the Debian package). */
#define FS_PSL_PATH "/usr/share/publicsuffix/public_suffix_list.dat"

/* The list's path: FS_PUBLIC_SUFFIX_LIST, else FS_PSL_PATH. */
const char *fs_psl_path(void);

/* Whether @domain (lower-case ASCII, no trailing dot) is a public suffix
 * or has one below it (then names under @domain belong to strangers):
 * 1 with the rule that says so in @rule, 0 if not, -errno if the list
 * at @path cannot be read. A single label is always one (a TLD), also
 * without a list. Exception rules ("!x") are not read: a domain is
 * refused rather than trusted by mistake. */
int fs_psl_covers(const char *path, const char *domain, char *rule, size_t len);

#endif
