// SPDX-License-Identifier: GPL-2.0
/* Real TCP connections for the frames' flows (bench.h). The server
 * listens on port 80 of its address; each client connects from its
 * address and port BENCH_SPORT and the server accepts, so the kernel
 * holds an established socket for exactly the tuple the frames carry.
 * Each connection's sequence numbers are read from the client's socket
 * in repair mode (TCP_REPAIR, CAP_NET_ADMIN), so that the frames carry
 * the ones the server's socket expects (fs_conn_proof() checks them);
 * no data is ever sent, so the server's socket stays at its first data.
 * The descriptors stay open until the process exits. */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include "../tests/pkt.h"
#include "bench.h"

#define SERVER_PORT BENCH_DPORT

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

#define CONN_MAX (2 * (BENCH_FRESH_N + 1))

/* Each connection: its client's address, the client's next sequence
 * number and the server's (the frames' seq and ack). */
static struct {
	uint8_t src[16];
	uint32_t seq, ack;
} conns[CONN_MAX];
static int nconns;

/* The next sequence number of @fd's queue @q (TCP_SEND_QUEUE: the next
 * byte it sends; TCP_RECV_QUEUE: the next byte it expects). @fd is in
 * repair mode. 0 or -1. */
static int queue_seq(int fd, int q, uint32_t *seq)
{
	socklen_t len = sizeof(*seq);

	if (setsockopt(fd, IPPROTO_TCP, TCP_REPAIR_QUEUE, &q, sizeof(q)))
		return -1;
	return getsockopt(fd, IPPROTO_TCP, TCP_QUEUE_SEQ, seq, &len);
}

/* Record the sequence numbers of the client socket @fd from @src: into
 * repair mode and out again without a window probe (nothing is sent). */
static void record_seqs(int fd, const uint8_t src[16])
{
	int on = 1, off = TCP_REPAIR_OFF_NO_WP, err;
	uint32_t seq, ack;

	if (nconns == CONN_MAX ||
	    setsockopt(fd, IPPROTO_TCP, TCP_REPAIR, &on, sizeof(on))) {
		fprintf(stderr, "fs_bench: TCP_REPAIR: %s\n", strerror(errno));
		return;
	}
	err = queue_seq(fd, TCP_SEND_QUEUE, &seq) ||
	      queue_seq(fd, TCP_RECV_QUEUE, &ack);
	setsockopt(fd, IPPROTO_TCP, TCP_REPAIR, &off, sizeof(off));
	if (err)
		return;
	memcpy(conns[nconns].src, src, 16);
	conns[nconns].seq = seq;
	conns[nconns].ack = ack;
	nconns++;
}

int bench_conn_seq(const uint8_t src[16], uint32_t *seq, uint32_t *ack)
{
	for (int i = 0; i < nconns; i++)
		if (!memcmp(conns[i].src, src, 16)) {
			*seq = conns[i].seq;
			*ack = conns[i].ack;
			return 0;
		}
	return -1;
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
	record_seqs(fd, src);
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
