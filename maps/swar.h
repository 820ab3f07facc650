/* SPDX-License-Identifier: GPL-2.0 */
/*
 * SWAR byte matching: eight bytes of a payload in one little-endian
 * 64-bit word, tested or changed all at once. Pure functions with no
 * BPF helper: the program's payload scan (bpf/scan.bpf.h) inlines them,
 * and tests/test_swar.c checks each against a byte-at-a-time oracle.
 *
 * A flag mask has 0x80 in each byte that matches and 0 elsewhere; every
 * function here is exact (no false positives from carries between
 * bytes), so masks can be combined with & and |.
 */
#ifndef FLOODSHIELD_SWAR_H
#define FLOODSHIELD_SWAR_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

#if __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "the word constants assume a little-endian target"
#endif

/* Inlined on both sides: in the program a call per word would cost a
 * BPF-to-BPF call where straight code is wanted. */
#define FS_SWAR_INLINE static inline __attribute__((always_inline))

#define W_ONES 0x0101010101010101ull /* 1 in every byte */
#define W_LOW7 0x7f7f7f7f7f7f7f7full /* the low 7 bits of every byte */

/* Little-endian word of up to 8 characters, for masked compares. */
#define W8(a, b, c, d, e, f, g, h)                                            \
	((__u64)(a) | (__u64)(b) << 8 | (__u64)(c) << 16 | (__u64)(d) << 24 | \
	 (__u64)(e) << 32 | (__u64)(f) << 40 | (__u64)(g) << 48 |             \
	 (__u64)(h) << 56)
/* The low @n bytes of a word (@n <= 8). */
#define W_MASK(n) ((n) >= 8 ? ~0ull : (1ull << ((n)*8)) - 1)

/* Flag mask of the bytes of @v that are zero. */
FS_SWAR_INLINE __u64 zero_bytes(__u64 v)
{
	return ~(((v & W_LOW7) + W_LOW7) | v | W_LOW7);
}

/* Flag mask of the bytes of @v equal to @c. */
FS_SWAR_INLINE __u64 eq_bytes(__u64 v, __u8 c)
{
	return zero_bytes(v ^ (W_ONES * c));
}

/* Index (0..7) of the lowest flagged byte of flag mask @m, which must
 * not be 0 (then the result is ~0u). */
FS_SWAR_INLINE __u32 first_byte(__u64 m)
{
	__u64 low = m & -m;

	return ((low >> 7) * 0x0102030405060708ull >> 56) - 1;
}

/* Flag mask of the bytes of @w that are ASCII upper-case letters. */
FS_SWAR_INLINE __u64 upper_bytes(__u64 w)
{
	__u64 h = w & W_LOW7;

	return (h + W_ONES * (0x80 - 'A')) & ~(h + W_ONES * (0x80 - 'Z' - 1)) &
	       ~w & ~W_LOW7;
}

/* Flag mask of the bytes of @w that are ASCII digits. */
FS_SWAR_INLINE __u64 digit_bytes(__u64 w)
{
	__u64 h = w & W_LOW7;

	return (h + W_ONES * (0x80 - '0')) & ~(h + W_ONES * (0x80 - '9' - 1)) &
	       ~w & ~W_LOW7;
}

/* Flag mask of the bytes below the lowest flagged byte of flag mask @m;
 * every byte if @m is 0. */
FS_SWAR_INLINE __u64 below_first(__u64 m)
{
	return m ? ((m & -m) - 1) & ~W_LOW7 : ~W_LOW7;
}

/* @w with its ASCII upper-case letters lower-cased; other bytes as they
 * are. */
FS_SWAR_INLINE __u64 lower8(__u64 w)
{
	__u64 h = w & W_LOW7;
	__u64 ge_a = h + W_ONES * (0x80 - 'A');
	__u64 gt_z = h + W_ONES * (0x80 - 'Z' - 1);

	return w | (((ge_a ^ gt_z) & ~w & ~W_LOW7) >> 2);
}

#endif
