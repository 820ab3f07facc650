// SPDX-License-Identifier: GPL-2.0
#include <stdarg.h>
#include <stdio.h>
#include <bpf/libbpf.h>
#include <xdp/libxdp.h>
#include "log.h"

enum fs_log_level fs_log_level = FS_LOG_WARN;
int fs_log_libs = FS_LOG_WARN;

static void vlog(enum fs_log_level lvl, const char *fmt, va_list ap)
{
	if (lvl > fs_log_level)
		return;
	fputs("floodshield: ", stderr);
	vfprintf(stderr, fmt, ap);
}

void fs_log(enum fs_log_level lvl, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(lvl, fmt, ap);
	va_end(ap);
}

/* Library messages: hidden unless -v (warnings) or -v -v (all). They
 * are noisy where they are harmless (libxdp's dispatcher falling back to
 * a single program); our own messages say what failed. */
static int lib_level(int warn, int info)
{
	if (warn)
		return FS_LOG_INFO;
	return info ? FS_LOG_DEBUG : FS_LOG_DEBUG + 1;
}

static void vlog_lib(int lvl, const char *fmt, va_list ap)
{
	if (lvl > fs_log_libs)
		return;
	fputs("floodshield: ", stderr);
	vfprintf(stderr, fmt, ap);
}

static int libbpf_print(enum libbpf_print_level level, const char *fmt,
			va_list ap)
{
	vlog_lib(lib_level(level == LIBBPF_WARN, level == LIBBPF_INFO), fmt, ap);
	return 0;
}

static int libxdp_print(enum libxdp_print_level level, const char *fmt,
			va_list ap)
{
	vlog_lib(lib_level(level == LIBXDP_WARN, level == LIBXDP_INFO), fmt, ap);
	return 0;
}

void fs_log_setup_libs(void)
{
	libbpf_set_print(libbpf_print);
	libxdp_set_print(libxdp_print);
}
