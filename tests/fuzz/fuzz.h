/* SPDX-License-Identifier: GPL-2.0 */
/* Shared by the libFuzzer targets (tests/fuzz/fuzz_*.c, `make fuzz`):
 * each parser that takes outside input gets one target, run under
 * AddressSanitizer and UndefinedBehaviorSanitizer with the seed corpus
 * in tests/fuzz/TARGET/corpus. */
#ifndef FS_FUZZ_H
#define FS_FUZZ_H

#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/stat.h>

/* @data as a NUL-terminated string (malloc'ed; NULs inside kept, so
 * the string may end early, as a C reader would see it). */
static inline char *fuzz_str(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	if (s) {
		memcpy(s, data, size);
		s[size] = '\0';
	}
	return s;
}

/* A file holding @data, named by the returned path (an memfd under
 * /proc/self/fd); close *@fd after use. */
static inline const char *fuzz_file(const uint8_t *data, size_t size, int *fd,
				    char *path, size_t len)
{
	*fd = memfd_create("fuzz", MFD_CLOEXEC);
	if (*fd < 0 || write(*fd, data, size) != (ssize_t)size)
		abort();
	snprintf(path, len, "/proc/self/fd/%d", *fd);
	return path;
}

#endif
