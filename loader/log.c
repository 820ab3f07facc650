// SPDX-License-Identifier: GPL-2.0
/* One logging function for every layer: see log.h. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <bpf/libbpf.h>
#include <xdp/libxdp.h>
#include "log.h"

enum fs_log_level fs_log_level = FS_LOG_WARN;
int fs_log_libs = FS_LOG_WARN;

#define LOG_PREFIX "floodshield: "
#define LOG_LINE   1024 /* longer messages are formatted on the heap */

/* sd-daemon.h's SD_ERR, SD_WARNING, SD_INFO, SD_DEBUG. */
enum { PRIO_ERR = 3, PRIO_WARNING = 4, PRIO_INFO = 6, PRIO_DEBUG = 7 };

static const int level_prio[] = {
	[FS_LOG_ERR] = PRIO_ERR,
	[FS_LOG_WARN] = PRIO_WARNING,
	[FS_LOG_INFO] = PRIO_INFO,
	[FS_LOG_DEBUG] = PRIO_DEBUG,
};

static int journal = -1; /* -1: not looked at yet */
static bool mid_line;	 /* the journal's last line is not ended */

bool fs_log_journal_detect(void)
{
	const char *js = getenv("JOURNAL_STREAM");
	unsigned long long dev, ino;
	struct stat st;

	journal = js && sscanf(js, "%llu:%llu", &dev, &ino) == 2 &&
		  fstat(STDERR_FILENO, &st) == 0 &&
		  (unsigned long long)st.st_dev == dev &&
		  (unsigned long long)st.st_ino == ino;
	mid_line = false;
	return journal;
}

/* Each line of @msg with its priority in front; a message that does not
 * end its line is continued by the next one, which gets no priority. */
static void put_journal(int prio, const char *msg)
{
	while (*msg) {
		const char *nl = strchr(msg, '\n');
		size_t n = nl ? (size_t)(nl - msg) + 1 : strlen(msg);

		if (!mid_line)
			fprintf(stderr, "<%d>", prio);
		fwrite(msg, 1, n, stderr);
		mid_line = !nl;
		msg += n;
	}
}

/* Format and print one message; @errnum: append its text (0: none). */
static void emit(int prio, int errnum, const char *fmt, va_list ap)
{
	char line[LOG_LINE], *msg = line;
	size_t len;
	va_list aq;
	int n;

	va_copy(aq, ap);
	n = vsnprintf(line, sizeof(line), fmt, aq);
	va_end(aq);
	if (n >= (int)sizeof(line)) {
		msg = malloc(n + 1);
		if (msg)
			vsnprintf(msg, n + 1, fmt, ap);
		else
			msg = line; /* truncated, not lost */
	}
	flockfile(stderr);
	if (journal < 0)
		fs_log_journal_detect();
	len = strlen(msg);
	if (errnum && len && msg[len - 1] == '\n')
		msg[--len] = '\0';
	if (journal) {
		put_journal(prio, msg);
		if (errnum) {
			if (!mid_line)
				fprintf(stderr, "<%d>", prio);
			fprintf(stderr, ": %s\n", strerror(errnum));
			mid_line = false;
		}
	} else {
		fprintf(stderr, LOG_PREFIX "%s", msg);
		if (errnum)
			fprintf(stderr, ": %s\n", strerror(errnum));
	}
	funlockfile(stderr);
	if (msg != line)
		free(msg);
}

void fs_log(enum fs_log_level lvl, const char *fmt, ...)
{
	int saved = errno;
	va_list ap;

	if (lvl > fs_log_level)
		return;
	va_start(ap, fmt);
	emit(level_prio[lvl], 0, fmt, ap);
	va_end(ap);
	errno = saved;
}

void fs_log_errno(enum fs_log_level lvl, int errnum, const char *fmt, ...)
{
	int saved = errno;
	va_list ap;

	if (lvl > fs_log_level)
		return;
	va_start(ap, fmt);
	emit(level_prio[lvl], errnum, fmt, ap);
	va_end(ap);
	errno = saved;
}

bool fs_ratelimit_ok(struct fs_ratelimit *rl, unsigned long long now_ns,
		     unsigned *suppressed)
{
	*suppressed = 0;
	if (!rl->start_ns || now_ns - rl->start_ns >= rl->window_ns) {
		*suppressed = rl->suppressed;
		rl->start_ns = now_ns ? now_ns : 1;
		rl->logged = rl->suppressed = 0;
	}
	if (rl->logged < rl->burst) {
		rl->logged++;
		return true;
	}
	rl->suppressed++;
	return false;
}

unsigned fs_ratelimit_flush(struct fs_ratelimit *rl, unsigned long long now_ns)
{
	unsigned k = rl->suppressed;

	if (!k || now_ns - rl->start_ns < rl->window_ns)
		return 0;
	rl->start_ns = now_ns;
	rl->logged = rl->suppressed = 0;
	return k;
}

/* Library messages: hidden unless -v (warnings) or -v -v (all). They
 * are noisy where they are harmless (libxdp's dispatcher falling back to
 * a single program); our own messages say what failed. The journal gets
 * the library's own priority. */
static int lib_level(int warn, int info)
{
	if (warn)
		return FS_LOG_INFO;
	return info ? FS_LOG_DEBUG : FS_LOG_DEBUG + 1;
}

static void vlog_lib(int lvl, int prio, const char *fmt, va_list ap)
{
	int saved = errno;

	if (lvl > fs_log_libs)
		return;
	emit(prio, 0, fmt, ap);
	errno = saved;
}

/* The last "Kernel error message: ..." libbpf passed on (netlink's
 * extended ack: the kernel's own reason for a refused attach), per
 * thread; "" when none since fs_log_kernel_msg_clear(). */
static __thread char kernel_msg[160];
#define KERNEL_MSG_PREFIX "libbpf: Kernel error message: "

static void keep_kernel_msg(const char *fmt, va_list ap)
{
	va_list copy;
	size_t n;

	if (strncmp(fmt, KERNEL_MSG_PREFIX, strlen(KERNEL_MSG_PREFIX)))
		return;
	va_copy(copy, ap);
	vsnprintf(kernel_msg, sizeof(kernel_msg),
		  fmt + strlen(KERNEL_MSG_PREFIX), copy);
	va_end(copy);
	n = strlen(kernel_msg);
	if (n && kernel_msg[n - 1] == '\n')
		kernel_msg[n - 1] = '\0';
}

const char *fs_log_kernel_msg(void)
{
	return kernel_msg;
}

void fs_log_kernel_msg_clear(void)
{
	kernel_msg[0] = '\0';
}

static int libbpf_print(enum libbpf_print_level level, const char *fmt,
			va_list ap)
{
	keep_kernel_msg(fmt, ap);
	vlog_lib(lib_level(level == LIBBPF_WARN, level == LIBBPF_INFO),
		 level == LIBBPF_WARN	? PRIO_WARNING
		 : level == LIBBPF_INFO ? PRIO_INFO
					: PRIO_DEBUG,
		 fmt, ap);
	return 0;
}

static int libxdp_print(enum libxdp_print_level level, const char *fmt,
			va_list ap)
{
	vlog_lib(lib_level(level == LIBXDP_WARN, level == LIBXDP_INFO),
		 level == LIBXDP_WARN	? PRIO_WARNING
		 : level == LIBXDP_INFO ? PRIO_INFO
					: PRIO_DEBUG,
		 fmt, ap);
	return 0;
}

void fs_log_setup_libs(void)
{
	libbpf_set_print(libbpf_print);
	libxdp_set_print(libxdp_print);
}
