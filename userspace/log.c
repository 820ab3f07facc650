// SPDX-License-Identifier: GPL-2.0
#include <stdarg.h>
#include <stdio.h>
#include <bpf/libbpf.h>
#include <xdp/libxdp.h>
#include "log.h"

enum fs_log_level fs_log_level = FS_LOG_WARN;

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

static int libbpf_print(enum libbpf_print_level level, const char *fmt,
			va_list ap)
{
	enum fs_log_level lvl = level == LIBBPF_WARN ? FS_LOG_INFO :
				level == LIBBPF_INFO ? FS_LOG_DEBUG :
						       FS_LOG_DEBUG + 1;

	vlog(lvl, fmt, ap);
	return 0;
}

static int libxdp_print(enum libxdp_print_level level, const char *fmt,
			va_list ap)
{
	enum fs_log_level lvl = level == LIBXDP_WARN ? FS_LOG_INFO :
				level == LIBXDP_INFO ? FS_LOG_DEBUG :
						       FS_LOG_DEBUG + 1;

	vlog(lvl, fmt, ap);
	return 0;
}

void fs_log_setup_libs(void)
{
	libbpf_set_print(libbpf_print);
	libxdp_set_print(libxdp_print);
}
