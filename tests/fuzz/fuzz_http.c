// SPDX-License-Identifier: GPL-2.0
/* HTTP requests to the exporter: each input is written to a fresh
 * loopback connection of the real exporter (libmicrohttpd, its thread,
 * the limits of fs_exporter_defaults), the write side closed, and the
 * answer read. The maps are the real ones (the BPF object loaded, not
 * attached; needs root), so a scrape renders real text. */
#include "fuzz.h"
#include <arpa/inet.h>
#include <poll.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include "floodshield.skel.h"
#include "../../loader/loader.h"
#include "../../userspace/daemon/exporter.h"
#include "../../loader/log.h"

static struct floodshield_bpf *skel; /* kept: its maps stay open */
static struct fs_map_fds maps;
static unsigned port;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	skel = floodshield_bpf__open_and_load();

	(void)argc, (void)argv;
	fs_log_level = FS_LOG_ERR; /* the exporter's complaints are warnings */
	if (!skel) {
		fprintf(stderr, "fuzz_http: cannot load the BPF object "
				"(root?)\n");
		exit(1);
	}
	fs_maps_from_skel(skel, &maps);
	if (fs_exporter_start("127.0.0.1:0", &maps, NULL, NULL))
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
	/* the answer, until the server closes (bounded by its deadline) */
	while (poll(&p, 1, 20000) == 1 && read(fd, buf, sizeof(buf)) > 0)
		;
	close(fd);
	return 0;
}
