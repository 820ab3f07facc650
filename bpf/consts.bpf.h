/* SPDX-License-Identifier: GPL-2.0 */
/* Every constant of the program, each with its reason: protocol numbers
 * the UAPI headers would give (vmlinux.h has types only), the bounds of
 * every loop and scan, and the masks that tell the verifier an offset's
 * range. Macros only, no include: tests/test_swar.c compiles the scan
 * helpers, which use these, in userspace.
 *
 * Not here: the SWAR word masks and the map sizes, which userspace
 * shares (maps/swar.h, maps/floodshield.h), and the bit encodings of the
 * values one stage's functions pass each other (HDR_*, HREQ_* in
 * http.bpf.h, FS_CHECK_* in lists.bpf.h), which live beside the code that
 * packs and unpacks them.
 */
#ifndef FS_CONSTS_BPF_H
#define FS_CONSTS_BPF_H

/* Protocol numbers and header fields (UAPI values). */
#define ETH_ALEN     6
#define ENOENT	     2 /* bpf_tcp_gen_syncookie(): no SYN flood */
#define ETH_P_IP     0x0800
#define ETH_P_IPV6   0x86DD
#define ETH_P_8021Q  0x8100
#define ETH_P_8021AD 0x88A8
#define IP_OFFSET    0x1FFF /* fragment offset bits of IPv4 frag_off */
#define IP6_OFFSET   0xFFF8 /* fragment offset bits of IPv6 frag_off */
#define IP6_MF	     0x0001 /* more fragments, IPv6 frag_off */
#define IPV4_IHL_MIN 5	    /* 32-bit words of an IPv4 header without options */
#define TCP_DOFF_MIN 5	    /* 32-bit words of a TCP header without options */
#define V4_MAPPED_W2 0x0000ffff /* third word of ::ffff:a.b.c.d, host order */

#define IPPROTO_HOPOPTS	 0
#define IPPROTO_ROUTING	 43
#define IPPROTO_FRAGMENT 44
#define IPPROTO_DSTOPTS	 60

#define TCP_FLAG_SYN   0x02
#define TCP_FLAG_RST   0x04
#define TCP_FLAG_ACK   0x10
#define TCP_FLAGS_OFF  13     /* byte of the flags in the TCP header */
#define TCP_FLAGS_WORD 6      /* 16-bit word of data offset and flags */
#define TCP_DOFF_BYTE  0xff00 /* that word's data offset byte, host order */

/* Addresses: every key is over the 16-byte form (IPv4 v4-mapped). */
#define FS_PLEN_ADDR 128 /* prefix length of one address: a source's own key */

/* Parsing bounds: the verifier needs every walk bounded. */
#define FS_VLAN_MAX 2 /* 802.1Q and 802.1ad (QinQ) */
#define FS_VLAN_DEEP \
	(-2) /* parse_eth(): a tag past FS_VLAN_MAX; dropped (vlan_deep) */
#define FS_IPV6_EXT_MAX \
	6 /* extension headers walked; a longer chain is
	   * dropped (ext_chain) */
#define FS_L4_OFF_MAX \
	0xfff /* mask: a TCP header starts in the linear
	       * frame, at most a 4 KB page on x86 */

/* Payload scanning (scan.bpf.h): offsets are masked before every packet
 * access so that the verifier sees one range and can prune. */
#define FS_SCAN_MAX 2048 /* payload bytes looked at */
#define FS_SCAN_OFF_MASK \
	4095 /* mask: >= FS_SCAN_MAX + 16, 2^n-1,
	      * so a masked offset past the limit
	      * is still a bounded read */
#define FS_PAYLOAD_OFF_MAX \
	4095 /* mask: a payload deeper in the frame
	      * is not inspected */

/* Served hosts (host.bpf.h): dots looked up per 8-byte word of a host
 * name (wildcards). */
#define FS_HOST_DOTS_MAX 8

/* HTTP (http.bpf.h): bytes looked at to tell whether a segment of a flow
 * of unknown offset starts a request (a power of two). */
#define FS_HTTP_PEEK 16
/* Request heads of one segment charged to http.req (pipelining): one
 * token each, up to this many. */
#define FS_HTTP_CHARGE_MAX 32

/* SMTP (smtp.bpf.h). */
#define FS_EHLO_WORDS (FS_NAME_LEN / 8 + 1) /* name bytes looked at, 8n */

/* Buckets and bans (buckets.bpf.h, bans.bpf.h). */
#define FS_CAS_TRIES \
	4 /* GCRA compare-and-swap attempts before the
	   * packet passes (fail open on rates) */
#define FS_BAN_SHIFT_CAP \
	32 /* a ban's TTL doubles at most this often,
	    * whatever ban.ttl_max says: a shift of a u64
	    * must stay below 64 */
#define FS_BAN_EVICT_SCAN \
	64 /* bans looked at for one to make room
	    * in a full map (fs_ban_evict()) */
#define FS_BAN_TTL_NO_CAP \
	(~0ull >> 2) /* the cap without ban.ttl_max:
		      * ~36 years, so now + ttl cannot wrap */

/* The SYN path (syn.bpf.h, proven.bpf.h). */
#define FS_BKT_PROVEN \
	0x100 /* fs_police_bucket(): the bucket's keys of
	       * proven sources (fs_key.pad[0] = 1) */
#define FS_COOKIE_WINDOW_NS \
	(130 * 1000000000ull) /* a cookie's ACK is
			       * checked this long after the last cookie
			       * was sent: the kernel accepts a cookie for
			       * two minute-counter periods (MAX_SYNCOOKIE_AGE) */
#define FS_WINDOW_STEP_NS \
	1000000000ull	       /* a window is moved at most
				* once a second: a store every SYN would
				* bounce its cache line between CPUs */
#define FS_TH_MAX	 60    /* bytes of a TCP header with the most options */
#define FS_SYNACK_TTL	 64    /* TTL and hop limit of a cookie SYN-ACK */
#define FS_SYNACK_WINDOW 65535 /* its window (no scaling: MSS-only cookie) */
#define TCPOPT_NOP	 1
#define TCPOPT_MSS	 2
#define TCPOLEN_MSS	 4
/* Timestamp cookies (cookie.bpf.h), as net/ipv4/syncookies.c encodes
 * options in the low bits of the SYN-ACK's TSval */
#define TS_OPT_BITS    6   /* TSBITS */
#define TS_OPT_WSCALE  0xf /* TS_OPT_WSCALE_MASK: 0xf is "none" */
#define TS_OPT_SACK    0x10
#define TCP_WSCALE_MAX 14
#define FS_TS_OPTS_LEN 20 /* MSS, SACK_PERM, TS, NOP, WS: Linux's SYN */
#define IP_DF	       0x4000
#define IP_MF	       0x2000
#define TCP_FLAG_FIN   0x01
#define TCP_FLAG_PSH   0x08
#define TCP_FLAG_URG   0x20

/* The clock (pkt.bpf.h): the coarse clock's step, at most: 10 ms
 * (HZ=100, the coarsest kernel setting). A constant: reading CONFIG_HZ
 * costs a division per bucket. */
#define FS_TICK_MAX_NS 10000000ull

/* The connection proof (conn.bpf.h): slack over snd_nxt for an
 * acknowledgment: on veth the client's ACK can be seen before the
 * server's send has advanced snd_nxt. */
#define FS_ACK_SLACK \
	65536 /* a twin in the slack, which the kernel drops, is
	       * one more copy the parser may take: see
	       * FS_HTTP_SETTLE_NS */
/* A retransmission proven by a full socket starts at most this many
 * bytes before rcv_nxt (a segment's largest size). */
#define FS_RETRANS_BACK 65536
/* The data a cookie ACK may carry, as the parser sees it (the window
 * the cookie's SYN-ACK advertised, unscaled). */
#define FS_COOKIE_DATA_WIN 65535

/* Checksum verification (csum.bpf.h): the segment is summed in chunks
 * of FS_CSUM_CHUNK bytes through a stack buffer, at most
 * FS_CSUM_CHUNKS of them: a longer segment (jumbo frames) counts as
 * unverified. */
#define FS_CSUM_CHUNK  64
#define FS_CSUM_CHUNKS 1024 /* 64 KB: the largest IP datagram */

/* Reset-flow memory (flows.bpf.h): a remembered segment is told apart
 * by its first FS_FLOW_HASH_LEN payload bytes (hashed); its
 * retransmission is exempt for FS_FLOW_TTL_NS after the reset (TCP's
 * retransmissions of one segment give up after about 15 minutes at
 * the most, but the RTOs that matter, before the client's own timeout,
 * fall within two minutes). */
#define FS_FLOW_HASH_LEN 32
#define FS_FLOW_TTL_NS	 (120ull * 1000000000ull)

/* The conntrack proof (conn.bpf.h, fs_conn_ct()). */
#define FS_CT_OPTS_SZ \
	12 /* bpf_ct_opts as 6.1 defines it (no
	    * zone fields): 6.1 takes only 12,
	    * later kernels 12 or 16 */
#define FS_CT_MAXACKWIN \
	66000 /* MAXACKWINCONST of
	       * nf_conntrack_proto_tcp.c: the
	       * least ACK window conntrack allows */
#define FS_CT_MAXACK_SET \
	0x20 /* IP_CT_TCP_FLAG_MAXACK_SET (uapi
	      * nf_conntrack_tcp.h): td_maxack holds
	      * an ACK the direction sent */

/* Stage result meaning "no verdict yet, go on". */
#define FS_CONTINUE FS_R_MAX

/* A read the compiler must make now and once (a value other CPUs
 * change). */
#define READ_ONCE(x)	 (*(volatile typeof(x) *)&(x))
#define WRITE_ONCE(x, v) (*(volatile typeof(x) *)&(x) = (v))
#define FS_EEXIST	 17 /* errno EEXIST: a map insert of a key present */

#endif
