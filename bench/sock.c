// SPDX-License-Identifier: GPL-2.0
/* Real TCP connections for the frames' flows (bench.h). The server
 * listens on port 80 of its address; each client connects from its
 * address and port BENCH_SPORT and the server accepts, so the kernel
 * holds an established socket for exactly the tuple the frames carry.
 * The descriptors stay open until the process exits. */
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include "../tests/pkt.h"
#include "bench.h"

#define SERVER_PORT 80

/* The 16-byte form of @a into a sockaddr of its family. */
static socklen_t to_sockaddr(const uint8_t a[16], uint16_t port,
			     struct sockaddr_storage *ss)
{
	static const uint8_t mapped[12] = {[10] = 0xff, [11] = 0xff};

	memset(ss, 0, sizeof(*ss));
	if (!memcmp(a, mapped, sizeof(mapped))) {
		struct sockaddr_in *s4 = (struct sockaddr_in *)ss;

		s4->sin_family = AF_INET;
		s4->sin_port = htons(port);
		memcpy(&s4->sin_addr, a + 12, 4);
		return sizeof(*s4);
	}
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;

	s6->sin6_family = AF_INET6;
	s6->sin6_port = htons(port);
	memcpy(&s6->sin6_addr, a, 16);
	return sizeof(*s6);
}

static int listener(int family)
{
	struct sockaddr_storage ss;
	uint8_t a[16];
	socklen_t len;
	int one = 1, fd;

	pkt_addr(bench_addr(ROLE_SERVER, family), a);
	len = to_sockaddr(a, SERVER_PORT, &ss);
	fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&ss, len) || listen(fd, 1024)) {
		close(fd);
		return -1;
	}
	return fd;
}

/* One connection from @src:BENCH_SPORT, accepted. 0 or -1. */
static int connect_one(int lfd, const uint8_t src[16], int family)
{
	struct sockaddr_storage from, to;
	socklen_t flen = to_sockaddr(src, BENCH_SPORT, &from), tlen;
	uint8_t dst[16];
	int one = 1, fd, afd;

	pkt_addr(bench_addr(ROLE_SERVER, family), dst);
	tlen = to_sockaddr(dst, SERVER_PORT, &to);
	fd = socket(from.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&from, flen) ||
	    connect(fd, (struct sockaddr *)&to, tlen)) {
		close(fd);
		return -1;
	}
	afd = accept(lfd, NULL, NULL);
	if (afd < 0) {
		close(fd);
		return -1;
	}
	return 0; /* both stay open */
}

int bench_connect_all(void)
{
	int made = 0;

	for (int family = 4; family <= 6; family += 2) {
		int lfd = listener(family);
		uint8_t a[16];

		if (lfd < 0)
			continue;
		pkt_addr(bench_addr(ROLE_CLIENT, family), a);
		made += connect_one(lfd, a, family) == 0;
		for (unsigned i = 0; i < BENCH_FRESH_N; i++) {
			bench_fresh_addr(family, i, a);
			made += connect_one(lfd, a, family) == 0;
		}
	}
	if (made < 2 * (BENCH_FRESH_N + 1))
		fprintf(stderr,
			"fs_bench: %d of %d connections made (run inside "
			"bench/run.sh's namespace): RESET cases will find no "
			"connection\n",
			made, 2 * (BENCH_FRESH_N + 1));
	return made;
}
