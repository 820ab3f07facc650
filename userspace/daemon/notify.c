// SPDX-License-Identifier: GPL-2.0
/* systemd's notification protocol; see notify.h. */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include "notify.h"
#include "../../loader/log.h"

void fs_notify(const char *fmt, ...)
{
	static int warned;
	const char *path = getenv("NOTIFY_SOCKET");
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	char msg[512];
	socklen_t len;
	va_list ap;
	int fd;

	if (!path || !*path)
		return;
	if (strlen(path) >= sizeof(sa.sun_path) ||
	    (path[0] != '/' && path[0] != '@')) {
		if (!warned++)
			pr_warn("NOTIFY_SOCKET '%s': not a socket path\n",
				path);
		return;
	}
	memcpy(sa.sun_path, path, strlen(path));
	if (path[0] == '@')
		sa.sun_path[0] = '\0'; /* abstract */
	len = offsetof(struct sockaddr_un, sun_path) + strlen(path);
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || sendto(fd, msg, strlen(msg), MSG_NOSIGNAL,
			     (struct sockaddr *)&sa, len) < 0) {
		if (!warned++)
			pr_warn_errno("cannot notify systemd (%s)", path);
	}
	if (fd >= 0)
		close(fd);
}
