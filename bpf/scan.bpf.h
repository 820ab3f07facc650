/* SPDX-License-Identifier: GPL-2.0 */
/* Reading a TCP payload 8 bytes at a time: bounded loads that the
 * verifier accepts at variable offsets, and SWAR byte matching. Used by
 * the HTTP and SMTP stages. */
#ifndef FS_SCAN_BPF_H
#define FS_SCAN_BPF_H

#include "maps.bpf.h"

#if __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "the word constants assume a little-endian target"
#endif

#define FS_SCAN_MAX		2048	/* payload bytes looked at */
#define FS_SCAN_OFF_MASK	4095	/* >= FS_SCAN_MAX + 16, 2^n-1 */
#define FS_PAYLOAD_OFF_MAX	4095	/* deeper payloads are not inspected */

#define W_ONES	0x0101010101010101ull
#define W_LOW7	0x7f7f7f7f7f7f7f7full

/* Little-endian word of up to 8 characters, for masked compares. */
#define W8(a, b, c, d, e, f, g, h)                                        \
	((__u64)(a) | (__u64)(b) << 8 | (__u64)(c) << 16 |               \
	 (__u64)(d) << 24 | (__u64)(e) << 32 | (__u64)(f) << 40 |        \
	 (__u64)(g) << 48 | (__u64)(h) << 56)
#define W_MASK(n) ((n) >= 8 ? ~0ull : (1ull << ((n) * 8)) - 1)

/* A TCP payload, to the end of the linear frame. */
struct fs_seg {
	void *data;
	void *end;
	__u32 len;		/* payload bytes in the linear frame */
};

/* 0x80 in each byte of @v that is zero, exactly (no false positives). */
static __always_inline __u64 zero_bytes(__u64 v)
{
	return ~(((v & W_LOW7) + W_LOW7) | v | W_LOW7);
}

static __always_inline __u64 eq_bytes(__u64 v, __u8 c)
{
	return zero_bytes(v ^ (W_ONES * c));
}

/* Index of the lowest flagged byte of a non-zero zero_bytes() mask. */
static __always_inline __u32 first_byte(__u64 m)
{
	__u64 low = m & -m;

	return ((low >> 7) * 0x0102030405060708ull >> 56) - 1;
}

/* Load 8 payload bytes at @off; -1 past the frame or the scan limit. */
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
 * no byte is left. */
static __always_inline int load8_tail(const struct fs_seg *p, __u32 off,
				      __u64 *w)
{
	__u32 len = p->len, back;

	if (!load8(p, off, w))
		return 0;
	if (len < 8 || off >= len || off > FS_SCAN_MAX)
		return -1;
	back = off - (len - 8);		/* 1..7: load8() failed */
	if (back > 7 || load8(p, len - 8, w))
		return -1;
	*w >>= back * 8;
	return 0;
}

/* 0x80 in each byte of @w that is an ASCII upper-case letter. */
static __always_inline __u64 upper_bytes(__u64 w)
{
	__u64 h = w & W_LOW7;

	return (h + W_ONES * (0x80 - 'A')) & ~(h + W_ONES * (0x80 - 'Z' - 1)) &
	       ~w & ~W_LOW7;
}

/* 0x80 in each byte of @w that is an ASCII digit. */
static __always_inline __u64 digit_bytes(__u64 w)
{
	__u64 h = w & W_LOW7;

	return (h + W_ONES * (0x80 - '0')) & ~(h + W_ONES * (0x80 - '9' - 1)) &
	       ~w & ~W_LOW7;
}

/* 0x80 in the bytes below the lowest flagged byte of @m (all if none). */
static __always_inline __u64 below_first(__u64 m)
{
	return m ? ((m & -m) - 1) & ~W_LOW7 : ~W_LOW7;
}

/* One payload byte at @off, or -1. */
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

/* The segment of a TCP payload @off bytes into the frame, or -1. */
static __always_inline int fs_seg_init(struct fs_seg *seg,
					 struct xdp_md *ctx, __u32 off)
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
