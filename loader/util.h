/* SPDX-License-Identifier: GPL-2.0 */
/* Small helpers every layer above uses: the clock, JSON strings,
 * expiries as text. */
#ifndef FS_UTIL_H
#define FS_UTIL_H

#include <stddef.h>
#include <stdio.h>

/* Bytes that came from the network (EHLO names, PTR names, Host values,
 * notes made of them, ring records) are printed through these two only.
 *
 * json_strn(): the @n bytes of @s as a JSON string literal that is
 * valid whatever the bytes: '"', '\\' and control characters (NUL,
 * 0x7f and the C1 controls U+0080..U+009F included) escaped, valid UTF-8 kept, each byte of an invalid sequence
 * as \ufffd. json_str(): the same up to the NUL. */
void json_strn(FILE *f, const char *s, size_t n);
void json_str(FILE *f, const char *s);

/* fs_text_escn(): the @n bytes of @s as text safe for a terminal or a
 * log line, into @buf of @len (at least 1): printable ASCII as it is, a
 * backslash as \\, every other byte (controls, NUL, 0x7f, anything
 * over 0x7f) as \xHH, so no escape sequence reaches a terminal and the
 * original bytes can be read back. Cut at a whole character to fit;
 * returns @buf. FS_ESC_LEN(n) always fits. fs_text_esc(): up to the
 * NUL. */
#define FS_ESC_LEN(n) (4 * (n) + 1)
const char *fs_text_escn(const char *s, size_t n, char *buf, size_t len);
const char *fs_text_esc(const char *s, char *buf, size_t len);
/* The length of a fixed-size name field @f of @cap bytes that is padded
 * with NULs (its last non-NUL byte + 1): an embedded NUL is kept. */
size_t fs_field_len(const char *f, size_t cap);

#define NSEC_PER_SEC 1000000000ull

/* CLOCK_MONOTONIC now, in ns: the clock of every expires_ns. */
unsigned long long fs_mono_ns(void);

/* "42s", "3m12s", "never" for an expiry relative to @now. */
void fs_fmt_expiry(unsigned long long expires_ns, unsigned long long now,
		   char *buf, size_t len);

/* Where this process reaches a kernel file system that its mount
 * namespace shows elsewhere: @path with its leading folder @from
 * replaced by the value of the environment variable @env, when that is
 * set and not empty and @path is @from or under it; @path as it is
 * otherwise. Into @out of @len (cut to fit); returns @out. The systemd
 * unit (etc/floodshield.service.in) binds the pin folder (read-only
 * under ProtectKernelTunables=, and behind root's /sys/fs/bpf, mode
 * 0700) writable at the same place under $FLOODSHIELD_BPFFS, and
 * /proc/sys/net (hidden by ProcSubset=pid) to $FLOODSHIELD_PROC_SYS. */
#define FS_BPFFS	"/sys/fs/bpf"
#define FS_ENV_BPFFS	"FLOODSHIELD_BPFFS"
#define FS_ENV_PROC_SYS "FLOODSHIELD_PROC_SYS"
const char *fs_env_path(const char *env, const char *from, const char *path,
			char *out, size_t len);

/* Test hook: when the environment variable FS_TEST_PAUSE is "NAME" or
 * "NAME@N", the process stops itself (SIGSTOP) the Nth time (default:
 * the first) it passes point NAME (@name), so that a test can send signals at
 * exactly that point and then SIGCONT it. Without the variable: nothing.
 * The points: see docs/testing.md. */
void fs_test_point(const char *name);

#endif
