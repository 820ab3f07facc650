/* SPDX-License-Identifier: GPL-2.0 */
/* Who is at the other end of a TCP connection: the exporter's notion of
 * a client, for its per-client connection limit. */
#ifndef FS_PEER_H
#define FS_PEER_H

#include <stdbool.h>
#include <sys/types.h>
#include <linux/types.h>

/* A client: the uid owning the peer socket when the peer is on this
 * host (in this network namespace), else the peer address. Any local
 * user can connect from many loopback addresses (127.0.0.0/8), but not
 * as another uid. */
struct fs_peer {
	bool by_uid;
	uid_t uid;
	__u8 addr[16]; /* IPv4 as v4-mapped IPv6; when !by_uid */
};

/* The client of connected TCP socket @fd. The uid comes from the
 * kernel's socket table (NETLINK_SOCK_DIAG, no privilege needed); when
 * the peer's socket is not found there (a remote peer) or the lookup
 * fails, the address is used. 0, or -errno when @fd has no peer. */
int fs_peer_of(int fd, struct fs_peer *p);
bool fs_peer_eq(const struct fs_peer *a, const struct fs_peer *b);
/* "uid 65534" or "198.51.100.7". */
void fs_peer_format(const struct fs_peer *p, char *buf, size_t len);

#endif
