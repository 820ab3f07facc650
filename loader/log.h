/* SPDX-License-Identifier: GPL-2.0 */
/* One logging function; libbpf's and libxdp's output go through it.
 *
 * Errors, one convention per layer (after OpenBSD's log.h):
 *   - loader/ (the library) returns -errno, never a bare -1: 0 or a
 *     count on success. It may log what failed, with the path or map it
 *     concerns; a parser that fills an @err buffer logs nothing.
 *   - userspace/ (the programs) logs and exits, or carries on: the CLI
 *     with the exit status of cli.h, the daemon by its loop.
 *
 * pr_err()/pr_warn()/... print the message as given (end it with "\n").
 * pr_err_errno()/pr_warn_errno() append ": " and strerror(errno), as
 * log_warn() does beside log_warnx(); pr_err_code()/pr_warn_code() the
 * same for an error number returned as -errno. Their message takes no
 * "\n". No log function changes errno.
 *
 * Lines go to stderr as "floodshield: MESSAGE". When stderr is the
 * journal (systemd sets $JOURNAL_STREAM to its device:inode), each line
 * starts with its priority instead, "<3>" for errors, "<4>" warnings,
 * "<6>" info, "<7>" debug (sd-daemon.h), so `journalctl -p err` works;
 * journald strips it and names the unit itself. */
#ifndef FS_LOG_H
#define FS_LOG_H

#include <errno.h>
#include <stdbool.h>

enum fs_log_level { FS_LOG_ERR = 0, FS_LOG_WARN, FS_LOG_INFO, FS_LOG_DEBUG };

extern enum fs_log_level fs_log_level;
/* Threshold for libbpf/libxdp messages, raised by -v. */
extern int fs_log_libs;

void fs_log(enum fs_log_level lvl, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* fs_log() with ": strerror(@errnum)" appended (a positive error
 * number; 0 appends nothing). */
void fs_log_errno(enum fs_log_level lvl, int errnum, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Route libbpf and libxdp messages through fs_log (warnings and up,
 * debug with -v -v). */
void fs_log_setup_libs(void);

/* The kernel's reason for the last refused netlink request made
 * through libbpf in this thread (its extended ack, e.g. "veth: Peer MTU
 * is too large to set XDP"), logged by libbpf only with -v; "" if none
 * since fs_log_kernel_msg_clear(). */
const char *fs_log_kernel_msg(void);
void fs_log_kernel_msg_clear(void);

/* Whether stderr is the journal's stream, looked at again now (it is
 * looked at once, before the first message, otherwise). */
bool fs_log_journal_detect(void);

/* A log rate limit: at most @burst lines per @window_ns, the rest
 * counted. Not locked: its user serialises the calls. */
struct fs_ratelimit {
	unsigned burst;
	unsigned long long window_ns;
	unsigned long long start_ns; /* of the current window */
	unsigned logged, suppressed;
};

/* Whether one more line may be logged at @now_ns. When a window ends
 * with lines suppressed, *@suppressed gets their number (else 0), for
 * the caller to log as "K suppressed" before its line. */
bool fs_ratelimit_ok(struct fs_ratelimit *rl, unsigned long long now_ns,
		     unsigned *suppressed);
/* At @now_ns, the number of lines suppressed in a window that has ended
 * (0 if none, or the window runs still), starting a new window: for a
 * periodic "K suppressed" when no further line comes. */
unsigned fs_ratelimit_flush(struct fs_ratelimit *rl, unsigned long long now_ns);

#define pr_err(...)   fs_log(FS_LOG_ERR, __VA_ARGS__)
#define pr_warn(...)  fs_log(FS_LOG_WARN, __VA_ARGS__)
#define pr_info(...)  fs_log(FS_LOG_INFO, __VA_ARGS__)
#define pr_debug(...) fs_log(FS_LOG_DEBUG, __VA_ARGS__)

#define pr_err_errno(...)      fs_log_errno(FS_LOG_ERR, errno, __VA_ARGS__)
#define pr_warn_errno(...)     fs_log_errno(FS_LOG_WARN, errno, __VA_ARGS__)
#define pr_err_code(err, ...)  fs_log_errno(FS_LOG_ERR, -(err), __VA_ARGS__)
#define pr_warn_code(err, ...) fs_log_errno(FS_LOG_WARN, -(err), __VA_ARGS__)

#endif
