/* SPDX-License-Identifier: GPL-2.0 */
/* Helpers for the HTTP tests, on top of xdp_env and pkt: served hosts
 * written as the CLI writes them, TCP segments carrying a given payload,
 * checksums recomputed from scratch, and one run of a segment that
 * reports which reason counter it moved.
 */
#ifndef FS_TEST_HTTP_ENV_H
#define FS_TEST_HTTP_ENV_H

#include <stdbool.h>
#include <stddef.h>
#include "pkt.h"
#include "xdp_env.h"

#define HE_TCP_FLAGS 13 /* offset of the flags byte in the TCP header */
#define HE_TCP_CHECK 16 /* offset of the TCP checksum */

/* One frame, with the offsets of its headers. */
struct he_seg {
	__u8 buf[PKT_MAX];
	size_t len;
	int family;
	size_t l3, l4, payload; /* IP header, TCP header, TCP payload */
};

/* Add @n served hosts ("www.example.org", "*.example.net") to fs_hosts,
 * keyed by fs_host_key(), through the one writer (loader/lists.h), then
 * bring the prints and served-host bits back, as `floodshield hosts add`
 * does. */
int he_hosts_add(struct xdp_env *e, const char *const *names, size_t n);

/* The TCP segment of @s (family, addresses, VLAN tags, ports, flags, seq,
 * ack; @s->payload_len is ignored) carrying @n bytes of @payload, with
 * every checksum right. 0, or -1 when it does not fit. */
int he_build(const struct pkt_spec *s, const void *payload, size_t n,
	     struct he_seg *seg);

/* A TCP segment of @n @payload bytes from @src to @dst (address strings
 * of @family), ports @sport to @dport, @flags, @seq, and @ack when
 * @flags has ACK: he_build()'s result (the suites' one segment maker). */
int he_seg_make(int family, const char *src, const char *dst, __u16 sport,
		__u16 dport, __u8 flags, __u32 seq, __u32 ack,
		const void *payload, size_t n, struct he_seg *seg);

/* Recompute the TCP checksum of @seg after its bytes were changed. */
void he_fix_tcp_csum(struct he_seg *seg);

/* Whether the IPv4 header checksum (true for IPv6) and the TCP checksum
 * (over the pseudo-header from the frame's own addresses) of @seg verify,
 * recomputed from scratch. */
bool he_ip_csum_ok(const struct he_seg *seg);
bool he_tcp_csum_ok(const struct he_seg *seg);

/* Fields of the TCP header, host order. */
__u8 he_tcp_flags(const struct he_seg *seg);
__u32 he_tcp_seq(const struct he_seg *seg);
__u32 he_tcp_ack(const struct he_seg *seg);
__u16 he_tcp_csum(const struct he_seg *seg);

#define HE_REASON_NONE (-1) /* no counter moved */
#define HE_REASON_MANY (-2) /* counters moved other than by one packet */

/* One run of @in: the verdict (or -errno), the frame as the program left
 * it (same offsets), and the one reason whose counter moved by exactly
 * one packet of in->len bytes, or HE_REASON_NONE / HE_REASON_MANY.
 * *@observed tells whether it moved as observed. */
struct he_result {
	int verdict;
	int reason;
	bool observed;
	struct he_seg out;
};

int he_run(struct xdp_env *e, const struct he_seg *in, struct he_result *res);

/* The parser-state key of @seg's flow; forget its state (fs_hstate,
 * fs_hhost); read it (0, or -errno). */
void he_hflow_key(const struct he_seg *seg, struct fs_hflow_key *k);
void he_hflow_forget(struct xdp_env *e, const struct he_seg *seg);
int he_hstate_get(struct xdp_env *e, const struct he_seg *seg,
		  struct fs_hstate *s);

/* A reason index (or HE_REASON_NONE/MANY) in words, for messages. */
const char *he_reason_str(int r);

/* Run @seg once and assert the verdict and that exactly one packet of
 * @reason moved (an observed one when @observed). The run in *res, for
 * the caller's checks of the output frame. False on a failed assert. */
bool he_expect(struct xdp_env *e, const struct he_seg *seg, int verdict,
	       enum fs_reason reason, bool observed, struct he_result *res);

/* fs_flows entry of the flow of @seg (client address and ports): 0 and
 * *val, or -ENOENT. */
int he_flow_get(struct xdp_env *e, const struct he_seg *seg,
		struct fs_flow_val *val);

#endif
