/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The hashes both sides compute: where a key lives in the rate, flow
 * and proven tables (keyed: struct fs_hkey), a served name's print, a
 * source's prefilter slot. The program and userspace must agree on
 * every bit, so there is one definition, compiled by both (no BPF
 * helper, no loop the program would keep) and tested against
 * byte-at-a-time oracles in tests/test_swar.c.
 *
 * Part of the ABI: maps/floodshield.h includes this file after the
 * types it hashes; including this one first works too (both guarded).
 */
#ifndef FLOODSHIELD_HASH_H
#define FLOODSHIELD_HASH_H

#include "floodshield.h"
#include "swar.h"

/* Hash of a table key of @n 32-bit words, 5 or 6 (the flow and rate
 * tables), for an index in its low bits, keyed with @key (struct
 * fs_hkey): each 64-bit word pair XORed with its own key word, then
 * multiplied by an odd constant, the products summed, the sum XORed with
 * the last key word, then MurmurHash3's fmix64, so every input bit
 * reaches the low bits. The key enters before the multiplications: the
 * carries make the sum non-linear in it, so without the key no one can
 * solve for inputs that share a set with a given one (unkeyed, the sum is
 * linear in the words: a sender choosing the low 64 bits of its IPv6
 * source solves for a victim's set). Not a PRF: it stands against inputs
 * computed offline, not against a sender that learns its own collisions
 * from evictions. A key of all zeros gives the unkeyed hash. No loop: the
 * BPF side must stay straight code. Keys must have no uninitialised
 * padding. */
static inline __u64 fs_hash_words(const __u32 *w, unsigned n,
				  const struct fs_hkey *key)
{
	__u64 h = (((__u64)w[1] << 32 | w[0]) ^ key->k[0]) *
			  0x9E3779B97F4A7C15ull +
		  (((__u64)w[3] << 32 | w[2]) ^ key->k[1]) *
			  0xC2B2AE3D27D4EB4Full +
		  (((n > 5 ? (__u64)w[5] << 32 : 0) | w[4]) ^ key->k[2]) *
			  0x165667B19E3779F9ull;

	h ^= key->k[3];
	h ^= h >> 33;
	h *= 0xFF51AFD7ED558CCDull;
	h ^= h >> 33;
	return h;
}

/* The set of rate key @k among @nsets (a power of two) in fs_rate, under
 * @key (fs_hkey). */
static inline __u32 fs_rate_set_index(const struct fs_key *k, __u32 nsets,
				      const struct fs_hkey *key)
{
	return fs_hash_words((const __u32 *)k, sizeof(*k) / 4, key) &
	       (nsets - 1);
}

/* The set of flow @k among @n (a power of two) in fs_flows, under @key. */
static inline __u32 fs_flow_index(const struct fs_flow_key *k, __u32 n,
				  const struct fs_hkey *key)
{
	return fs_hash_words((const __u32 *)k, sizeof(*k) / 4, key) & (n - 1);
}

/* The set of source address @a (4 words) among @nsets (a power of two)
 * in fs_proven, under @key. */
static inline __u32 fs_proven_index(const __u32 *a, __u32 nsets,
				    const struct fs_hkey *key)
{
	const __u32 w[5] = {a[0], a[1], a[2], a[3], 0};

	return fs_hash_words(w, 5, key) & (nsets - 1);
}

/* Fold the next 8 bytes of a name (lower case, little-endian, zero past
 * its end) into print state @h (struct fs_hostfp). */
static inline __u64 fs_host_fp_step(__u64 h, __u64 w)
{
	h = (h ^ w) * 0x9E3779B97F4A7C15ull;
	return h ^ h >> 29;
}

/* The print of a name of @len bytes from its folded state: never 0. */
static inline __u64 fs_host_fp_end(__u64 h, __u32 len)
{
	h ^= len;
	h ^= h >> 33;
	h *= 0xFF51AFD7ED558CCDull;
	h ^= h >> 33;
	h *= 0xC4CEB9FE1A85EC53ull;
	h ^= h >> 33;
	return h | 1;
}

/* The print of the @len-byte name at @name (at most FS_HOST_MAX bytes,
 * any case: letters are lower-cased here), which must be readable in
 * whole 8-byte words (bytes past @len are masked off): the program's
 * print of a Host it gathered (bpf/host.bpf.h), equal to userspace's of
 * the name's key (loader/hosts.c fs_host_key_print()). */
static inline __u64 fs_name_print(const __u8 *name, __u32 len)
{
	__u64 h = 0, w;

	for (__u32 i = 0; i < FS_HOST_MAX / 8; i++) {
		if (i * 8 >= len)
			break;
#ifdef __bpf__
		w = *(const __u64 *)(name + i * 8); /* no stack copy */
#else
		__builtin_memcpy(&w, name + i * 8, 8);
#endif
		if (len - i * 8 < 8)
			w &= W_MASK(len - i * 8);
		h = fs_host_fp_step(h, lower8(w));
	}
	return fs_host_fp_end(h, len);
}

/* The prefilter slot of slot key @k (struct fs_filter): the address's
 * slot bits, left aligned in 64 bits, the rest zero. */
static inline __u32 fs_filter_slot(__u64 k)
{
	return (k * FS_FILTER_HASH) >> (64 - FS_FILTER_SLOT_BITS);
}

/* The slot key of address @a (16 bytes, network order): its first
 * FS_FILTER_V4_KEY bits if IPv4 (@v4: @a is ::ffff:a.b.c.d), else its
 * first FS_FILTER_V6_KEY bits. */
static inline __u64 fs_filter_key(const __u8 *a, int v4)
{
	if (v4)
		return ((__u64)a[12] << 24 | (__u64)a[13] << 16 |
			(__u64)a[14] << 8 | (a[15] & 0xc0))
		       << 32;
	return ((__u64)a[0] << 40 | (__u64)a[1] << 32 | (__u64)a[2] << 24 |
		(__u64)a[3] << 16 | (__u64)a[4] << 8 | a[5])
	       << 16;
}

#endif
