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

/* Test hook: when the environment variable FS_TEST_PAUSE is "NAME" or
 * "NAME@N", the process stops itself (SIGSTOP) the Nth time (default:
 * the first) it passes point NAME (@name), so that a test can send signals at
 * exactly that point and then SIGCONT it. Without the variable: nothing.
 * The points: see docs/testing.md. */
void fs_test_point(const char *name);

#endif
