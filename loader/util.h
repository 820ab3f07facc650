/* SPDX-License-Identifier: GPL-2.0 */
/* Small helpers every layer above uses: the clock, JSON strings,
 * expiries as text. */
#ifndef FS_UTIL_H
#define FS_UTIL_H

#include <stddef.h>
#include <stdio.h>

/* Print @s as a JSON string literal. */
void json_str(FILE *f, const char *s);

#define NSEC_PER_SEC 1000000000ull

/* CLOCK_MONOTONIC now, in ns: the clock of every expires_ns. */
unsigned long long fs_mono_ns(void);

/* "42s", "3m12s", "never" for an expiry relative to @now. */
void fs_fmt_expiry(unsigned long long expires_ns, unsigned long long now,
		   char *buf, size_t len);

#endif
