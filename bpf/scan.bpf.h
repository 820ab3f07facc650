/* SPDX-License-Identifier: GPL-2.0 */
/* Reading a TCP payload 8 bytes at a time: bounded loads that the
 * verifier accepts at variable offsets, matched with the SWAR functions
 * of maps/swar.h. Used by the SMTP stage (the HTTP parser reads a
 * per-CPU copy of the payload: hparse.bpf.h).
 *
 * Compiled on both sides: no BPF helper is called here, so
 * tests/test_swar.c includes this file in userspace (defining
 * barrier_var()) and checks the loads on buffers of every length.
 */
#ifndef FS_SCAN_BPF_H
#define FS_SCAN_BPF_H

#ifdef __bpf__
#include "pkt.bpf.h" /* the kernel types, barrier_var() */
#endif
#include "consts.bpf.h"
#include "../maps/floodshield.h"
#include "../maps/swar.h"

/* A TCP payload, to the end of the linear frame. */
struct fs_seg {
	void *data;
	void *end;
	__u32 len; /* payload bytes in the linear frame */
};

/* Load 8 payload bytes at @off; -1 past the frame or past FS_SCAN_MAX
 * (a word starting at FS_SCAN_MAX is still read). */
static __always_inline int load8(const struct fs_seg *p, __u32 off, __u64 *w)
{
	void *ptr;

	if (off > FS_SCAN_MAX)
		return -1;
	barrier_var(off);
	ptr = p->data + (off & FS_SCAN_OFF_MASK);
	if (ptr + 8 > p->end)
		return -1;
	*w = *(__u64 *)ptr;
	return 0;
}

/* Like load8(), but also for the last bytes of the segment, which
 * load8() cannot read as one word: those come from the segment's last
 * word, shifted, with zeros past the end (no scan looks for 0). -1 when
 * no byte is left at @off, past FS_SCAN_MAX, or when the segment is
 * shorter than 8 bytes (it has no word to shift). */
static __always_inline int load8_tail(const struct fs_seg *p, __u32 off,
				      __u64 *w)
{
	__u32 len = p->len, back;

	if (!load8(p, off, w))
		return 0;
	if (len < 8 || off >= len || off > FS_SCAN_MAX)
		return -1;
	back = off - (len - 8); /* 1..7: load8() failed */
	if (back > 7 || load8(p, len - 8, w))
		return -1;
	*w >>= back * 8;
	return 0;
}

/* One payload byte at @off, or -1 (past the frame or FS_SCAN_MAX). */
static __always_inline int load1(const struct fs_seg *p, __u32 off)
{
	__u8 *ptr;

	if (off > FS_SCAN_MAX)
		return -1;
	barrier_var(off);
	ptr = p->data + (off & FS_SCAN_OFF_MASK);
	if ((void *)(ptr + 1) > p->end)
		return -1;
	return *ptr;
}

/* The segment of a TCP payload @off bytes into the frame, or -1 past
 * FS_PAYLOAD_OFF_MAX. */
static __always_inline int fs_seg_init(struct fs_seg *seg, struct xdp_md *ctx,
				       __u32 off)
{
	if (off > FS_PAYLOAD_OFF_MAX)
		return -1;
	barrier_var(off);
	seg->data = (void *)(long)ctx->data + (off & FS_PAYLOAD_OFF_MAX);
	seg->end = (void *)(long)ctx->data_end;
	seg->len = seg->end > seg->data ? seg->end - seg->data : 0;
	return 0;
}

#endif
