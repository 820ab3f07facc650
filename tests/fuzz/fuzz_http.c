// SPDX-License-Identifier: GPL-2.0
/* HTTP requests to the exporter: each input is written to a fresh
 * loopback connection of the real exporter (libmicrohttpd, its thread,
 * the limits of fs_exporter_defaults), the write side closed, and the
 * answer read (the server may wait for the rest of a request: the
 * client stops reading after 5 ms of quiet). No map is open (every fd -1): a scrape then fails each
 * read fast and renders what it has, so the run spends its time on the
 * requests, not on walking maps (metrics_collect tests the reads). */
#include "fuzz.h"
#include <arpa/inet.h>
#include <poll.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include "../../loader/loader.h"
#include "../../userspace/daemon/exporter.h"
#include "../../loader/log.h"

static struct fs_map_fds maps;
static unsigned port;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct fs_exporter_limits lim = fs_exporter_defaults;

	lim.per_client = lim.total = FS_EXPORTER_MAX_CONN;
	lim.read_timeout_s = 1;
	lim.deadline_ms = 2000;
	(void)argc, (void)argv;
	fs_log_level = FS_LOG_ERR; /* the exporter's complaints are warnings */
	memset(&maps, 0xff, sizeof(maps)); /* every fd -1 */
	/* a request that never completes is cut after 1 s; until then it
	 * holds a connection, so the limit is high: the requests, not the
	 * limits, are what this target drives (metrics_exporter_hostile
	 * tests the limits) */
	if (fs_exporter_start_limits("127.0.0.1:0", &maps, NULL, NULL, &lim))
		exit(1);
	port = fs_exporter_port();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sockaddr_in a = {.sin_family = AF_INET,
				.sin_port = htons(port),
				.sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct pollfd p = {.fd = fd, .events = POLLIN};
	char buf[65536];

	if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof(a)))
		abort(); /* the exporter stopped listening */
	if (size && write(fd, data, size) < 0) {
		close(fd);
		return 0; /* reset by the server while writing */
	}
	shutdown(fd, SHUT_WR);
	/* the answer, until the server closes or is quiet for 5 ms (it
	 * waits for the rest of an incomplete request) */
	while (poll(&p, 1, 5) == 1 && read(fd, buf, sizeof(buf)) > 0)
		;
	close(fd);
	return 0;
}
