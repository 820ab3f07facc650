// SPDX-License-Identifier: GPL-2.0
/* The owner of a local TCP peer, by an exact NETLINK_SOCK_DIAG lookup of
 * the peer's socket (its local address and port are our peer's). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include "peer.h"
#include "../../loader/addr.h"

static void v6_of(const struct sockaddr_storage *ss, __u8 out[16])
{
	if (ss->ss_family == AF_INET6) {
		memcpy(out, &((const struct sockaddr_in6 *)ss)->sin6_addr, 16);
		return;
	}
	memset(out, 0, 10);
	out[10] = out[11] = 0xff;
	memcpy(out + 12, &((const struct sockaddr_in *)ss)->sin_addr, 4);
}

/* Fill the diag socket id of the socket whose local end is @peer and
 * remote end @self (the far end of our connection). */
static void diag_id(struct inet_diag_sockid *id,
		    const struct sockaddr_storage *peer,
		    const struct sockaddr_storage *self)
{
	if (peer->ss_family == AF_INET6) {
		const struct sockaddr_in6 *p = (const void *)peer;
		const struct sockaddr_in6 *s = (const void *)self;

		id->idiag_sport = p->sin6_port;
		id->idiag_dport = s->sin6_port;
		memcpy(id->idiag_src, &p->sin6_addr, 16);
		memcpy(id->idiag_dst, &s->sin6_addr, 16);
	} else {
		const struct sockaddr_in *p = (const void *)peer;
		const struct sockaddr_in *s = (const void *)self;

		id->idiag_sport = p->sin_port;
		id->idiag_dport = s->sin_port;
		memcpy(id->idiag_src, &p->sin_addr, 4);
		memcpy(id->idiag_dst, &s->sin_addr, 4);
	}
	id->idiag_cookie[0] = id->idiag_cookie[1] = INET_DIAG_NOCOOKIE;
}

/* The uid owning the socket @id, or -errno (-ENOENT: not on this host). */
static int diag_uid(int family, const struct inet_diag_sockid *id, uid_t *uid)
{
	struct {
		struct nlmsghdr nlh;
		struct inet_diag_req_v2 r;
	} req = {
		.nlh = {.nlmsg_len = sizeof(req),
			.nlmsg_type = SOCK_DIAG_BY_FAMILY,
			.nlmsg_flags = NLM_F_REQUEST},
		.r = {.sdiag_family = family,
		      .sdiag_protocol = IPPROTO_TCP,
		      .idiag_states = ~0u,
		      .id = *id},
	};
	union {
		struct nlmsghdr h;
		char buf[1024];
	} resp;
	struct timeval tv = {.tv_sec = 1};
	int fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC,
			NETLINK_SOCK_DIAG);
	ssize_t n;
	int err = -EIO;

	if (fd < 0)
		return -errno;
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (send(fd, &req, sizeof(req), 0) != sizeof(req)) {
		err = -errno;
		goto out;
	}
	n = recv(fd, &resp, sizeof(resp), 0);
	if (n < (ssize_t)sizeof(struct nlmsghdr) || !NLMSG_OK(&resp.h, n))
		goto out;
	if (resp.h.nlmsg_type == NLMSG_ERROR &&
	    resp.h.nlmsg_len >= NLMSG_LENGTH(sizeof(struct nlmsgerr))) {
		err = ((struct nlmsgerr *)NLMSG_DATA(&resp.h))->error;
		err = err ? err : -EIO;
	} else if (resp.h.nlmsg_type == SOCK_DIAG_BY_FAMILY &&
		   resp.h.nlmsg_len >=
			   NLMSG_LENGTH(sizeof(struct inet_diag_msg))) {
		*uid = ((struct inet_diag_msg *)NLMSG_DATA(&resp.h))->idiag_uid;
		err = 0;
	}
out:
	close(fd);
	return err;
}

int fs_peer_of(int fd, struct fs_peer *p)
{
	struct sockaddr_storage peer, self;
	socklen_t pl = sizeof(peer), sl = sizeof(self);
	struct inet_diag_sockid id = {};

	memset(p, 0, sizeof(*p));
	if (getpeername(fd, (struct sockaddr *)&peer, &pl) ||
	    getsockname(fd, (struct sockaddr *)&self, &sl))
		return -errno;
	if (peer.ss_family != AF_INET && peer.ss_family != AF_INET6)
		return -EAFNOSUPPORT;
	v6_of(&peer, p->addr);
	diag_id(&id, &peer, &self);
	if (diag_uid(peer.ss_family, &id, &p->uid) == 0) {
		p->by_uid = true;
		memset(p->addr, 0, sizeof(p->addr));
	}
	return 0;
}

bool fs_peer_eq(const struct fs_peer *a, const struct fs_peer *b)
{
	return a->by_uid == b->by_uid &&
	       (a->by_uid ? a->uid == b->uid
			  : !memcmp(a->addr, b->addr, sizeof(a->addr)));
}

void fs_peer_format(const struct fs_peer *p, char *buf, size_t len)
{
	if (p->by_uid)
		snprintf(buf, len, "uid %u", (unsigned)p->uid);
	else
		fs_addr_format(p->addr, buf, len);
}
