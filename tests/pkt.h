/* SPDX-License-Identifier: GPL-2.0 */
/* Packet builders for the BPF_PROG_TEST_RUN tests. A packet is described
 * by a struct pkt_spec (zeroed fields take sane defaults) and written in
 * one pass into a caller buffer by pkt_build(), with lengths and every
 * checksum (IPv4 header, TCP/UDP/ICMP with their pseudo-headers) right.
 * The malformed variants are fields of the same spec: IHL, version,
 * total length and data offset overrides, and truncation at a mark.
 *
 * Addresses are in the 16-byte form of the maps: IPv4 v4-mapped.
 */
#ifndef FS_TEST_PKT_H
#define FS_TEST_PKT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define PKT_MAX 2048 /* buffer size that fits every spec here */

/* TCP flags, as in the header's 14th byte. */
#define PKT_FIN 0x01
#define PKT_SYN 0x02
#define PKT_RST 0x04
#define PKT_ACK 0x10

enum pkt_l4 {
	PKT_TCP = 0,
	PKT_UDP,
	PKT_ICMP, /* ICMP echo, or ICMPv6 echo over IPv6 */
};

/* Offsets recorded while building; truncation is expressed against them. */
enum pkt_mark {
	PKT_M_END = 0, /* end of frame */
	PKT_M_L3,      /* IPv4/IPv6 header (after Ethernet, VLANs) */
	PKT_M_L3_OPT,  /* IPv4 options, or first IPv6 ext header */
	PKT_M_L4,      /* TCP/UDP/ICMP header */
	PKT_M_L4_OPT,  /* TCP options */
	PKT_M_MAX,
};

struct pkt_spec {
	int family;	    /* 4 or 6; 0: no IP, raw @ethertype frame */
	uint16_t ethertype; /* family 0 only: EtherType (ARP ...) */
	uint16_t vlan[3];   /* TPIDs, outer first (0x88A8, 0x8100); 0: none */
	uint8_t src[16], dst[16]; /* 16-byte form; see pkt_addr() */
	uint8_t version;	  /* IP version field; 0: @family */
	/* IPv4 */
	uint8_t ihl;	    /* 0: from ip_opt_len */
	uint16_t tot_len;   /* 0: computed; also IPv6 payload length */
	uint8_t ip_opt_len; /* NOP options, multiple of 4 */
	/* Fragments: IPv4 frag_off, or an IPv6 fragment header appended
	 * to the chain when @ext has no 'f'. Offset in 8-byte units. */
	uint16_t frag_off;
	bool mf;
	/* IPv6 extension headers in order, 8 bytes each: h hop-by-hop,
	 * r routing, d destination options, f fragment. */
	const char *ext;
	/* L4 */
	enum pkt_l4 l4;
	uint8_t tcp_flags;
	uint16_t sport, dport; /* 0: 40000 and 80 */
	uint32_t seq, ack;
	uint8_t doff;	      /* 0: from tcp_opt_len */
	uint8_t tcp_opt_len;  /* NOP options, multiple of 4 */
	uint16_t payload_len; /* bytes after L4 (or after Ethernet, family 0) */
	/* Cut the frame at mark + delta bytes (no cut when both 0). */
	enum pkt_mark cut_mark;
	int cut_delta;
};

/* Parse "192.0.2.1" or "2001:db8::1" into the 16-byte form. Returns the
 * family (4 or 6), or 0 when @text is not an address. */
int pkt_addr(const char *text, uint8_t out[16]);

/* Write the frame of @s into @buf. Offsets of the marks go to @marks when
 * not NULL (before any cut). Returns the frame length, or -1 when it does
 * not fit in @cap or @s->ext has an unknown letter. */
ssize_t pkt_build(const struct pkt_spec *s, uint8_t *buf, size_t cap,
		  size_t marks[PKT_M_MAX]);

/* Length of a frame of @len bytes cut to at most @n bytes. */
static inline size_t pkt_cut(size_t len, size_t n)
{
	return n < len ? n : len;
}

/* Ones' complement sum of big-endian 16-bit words (odd tail padded),
 * and its folded complement: the Internet checksum of what was summed. */
uint32_t pkt_csum_add(uint32_t sum, const uint8_t *p, size_t n);
uint16_t pkt_csum_fold(uint32_t sum);

#endif
