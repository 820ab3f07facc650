/* SPDX-License-Identifier: GPL-2.0 */
/* Types shared by bench/bench.bpf.c and its userspace (the skeleton
 * declares the globals but not their types). */
#ifndef FS_BENCH_ABI_H
#define FS_BENCH_ABI_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

/* The TCP segment bench_fresh replays: where its header starts, and the
 * words it restores or moves on, as in the frame (network order). */
struct fresh_cfg {
	__u32 tcp_off;	  /* from the frame start */
	__u32 seq;	  /* the segment's sequence number */
	__u16 flags_word; /* data offset and flags, to restore */
	__u16 tcp_csum;
	__u32 span; /* 0: @seq every run; else run i carries seq + 1 +
		     * i % span (live frames: the RST the stack takes is
		     * never the socket's next byte, so it stays) */
};

/* What bench_hflow does to floodshield's HTTP parser state (fs_hstate,
 * whose fd the bench object reuses) before each run. */
enum hflow_op {
	HFLOW_NONE = 0,
	HFLOW_DELETE, /* the flow has no state: its connection's first data */
	HFLOW_WRITE,  /* the state is @val: a later segment, resumed */
};

#define HFLOW_KEY_SIZE 36 /* struct fs_hflow_key */
#define HFLOW_VAL_SIZE 64 /* struct fs_hstate (pkt.c asserts both) */

/* The state's first bytes that a parse moves: all but used_ns. */
#define HFLOW_CMP_WORDS 3

struct hflow_cfg {
	__u8 key[HFLOW_KEY_SIZE];
	__u32 op; /* enum hflow_op */
	__u8 val[HFLOW_VAL_SIZE];
	/* The state one run of the segment leaves: a run that finds it
	 * (HFLOW_WRITE), or finds a state to delete (HFLOW_DELETE), counts
	 * in @hits; every run in @runs. Userspace zeroes both. */
	__u64 ref[HFLOW_VAL_SIZE / 8];
	__u64 runs, hits;
	/* 1: before each run, write back the TCP words of struct fresh_cfg
	 * (span unused): the path rewrites the segment (a RESET's RST) */
	__u32 restore;
	__u32 pad;
};

/* The frame bench_restore writes back before every run (a path that
 * turns the frame into another one: a SYN cookie's SYN-ACK). */
#define RESTORE_MAX 128
struct restore_cfg {
	__u32 len; /* bytes of frame; 0: nothing */
	__u8 frame[RESTORE_MAX];
};

/* Keys of the prim_* maps, of floodshield's sizes. */
struct prim_key { /* as struct fs_key: 24 bytes */
	__u8 addr[16];
	__u32 plen;
	__u32 bucket;
};

struct prim_lpm_key { /* as struct fs_lpm_key: 20 bytes */
	__u32 prefixlen;
	__u8 addr[16];
};

struct prim_host_key { /* as struct fs_host_key: 64 bytes */
	__u64 w[8];
};

_Static_assert(sizeof(struct fresh_cfg) == 16, "fresh_cfg");
_Static_assert(sizeof(struct hflow_cfg) == 192, "hflow_cfg");
_Static_assert(sizeof(struct restore_cfg) == 4 + RESTORE_MAX, "restore_cfg");
_Static_assert(sizeof(struct prim_key) == 24, "prim_key");
_Static_assert(sizeof(struct prim_lpm_key) == 20, "prim_lpm_key");
_Static_assert(sizeof(struct prim_host_key) == 64, "prim_host_key");

#endif
