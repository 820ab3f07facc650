/* SPDX-License-Identifier: GPL-2.0 */
/* One logging function; libbpf's and libxdp's output go through it.
 * pr_warn adds nothing; use pr_err_no for messages that add strerror. */
#ifndef FS_LOG_H
#define FS_LOG_H

enum fs_log_level { FS_LOG_ERR = 0, FS_LOG_WARN, FS_LOG_INFO, FS_LOG_DEBUG };

extern enum fs_log_level fs_log_level;
/* Threshold for libbpf/libxdp messages, raised by -v. */
extern int fs_log_libs;

void fs_log(enum fs_log_level lvl, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Route libbpf and libxdp messages through fs_log (warnings and up,
 * debug with -v -v). */
void fs_log_setup_libs(void);

#define pr_err(...)   fs_log(FS_LOG_ERR, __VA_ARGS__)
#define pr_warn(...)  fs_log(FS_LOG_WARN, __VA_ARGS__)
#define pr_info(...)  fs_log(FS_LOG_INFO, __VA_ARGS__)
#define pr_debug(...) fs_log(FS_LOG_DEBUG, __VA_ARGS__)

#endif
