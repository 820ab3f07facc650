// SPDX-License-Identifier: GPL-2.0
/* The lists prefilter from userspace; see filter.h and struct fs_filter. */
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <bpf/bpf.h>
#include "filter.h"

static const __u8 v4_mapped[16] = {[10] = 0xff, [11] = 0xff};

static struct fs_filter *filter_map(int fd)
{
	void *p = mmap(NULL, sizeof(struct fs_filter), PROT_READ | PROT_WRITE,
		       MAP_SHARED, fd, 0);

	return p == MAP_FAILED ? NULL : p;
}

static void filter_unmap(struct fs_filter *f)
{
	munmap(f, sizeof(*f));
}

static void set_slot(__u64 *bits, __u32 slot)
{
	__atomic_fetch_or(&bits[slot / 64], 1ull << (slot % 64),
			  __ATOMIC_RELAXED);
}

/* Whether the first @plen bits of @a and @b agree. */
static bool prefix_eq(const __u8 *a, const __u8 *b, __u32 plen)
{
	for (__u32 i = 0; i < plen; i++) {
		__u8 m = 0x80 >> (i % 8);

		if ((a[i / 8] & m) != (b[i / 8] & m))
			return false;
	}
	return true;
}

/* Mark the slots of the family's part of @addr/@plen: @pl bits of its
 * @keylen-bit slot key are fixed, the others run through every value.
 * A span too wide to walk sets *wide instead. */
static void cover_family(__u64 *bits, __u64 *wide, __u64 key, __u32 pl, bool v4)
{
	__u32 keylen = v4 ? FS_FILTER_V4_KEY : FS_FILTER_V6_KEY;
	__u32 span, low;

	if (pl >= keylen) {
		set_slot(bits, fs_filter_slot(key));
		return;
	}
	span = keylen - pl;
	if (span > FS_FILTER_SPAN_MAX) {
		__atomic_store_n(wide, 1, __ATOMIC_RELAXED);
		return;
	}
	low = 64 - keylen;
	key &= pl ? ~0ull << (64 - pl) : 0;
	for (__u64 i = 0; i < (1ull << span); i++)
		set_slot(bits, fs_filter_slot(key | i << low));
}

/* Whether @set is looked up by longest prefix (the lists) rather than
 * by exact key (bans: the source's /128 and prefix keys; DNS verdicts). */
static bool lpm_set(enum fs_filter_set set)
{
	return set == FS_FILTER_ALLOW || set == FS_FILTER_BLOCK;
}

/* Mark every slot that entry @addr/@plen of @set may cover. An IPv6
 * list entry as short as ::ffff:0:0/96 or shorter that contains it
 * covers all of IPv4 as well; an IPv6 ban key never matches an IPv4
 * source (so a forged ::/64 ban cannot make the ban set wide). */
static void cover(__u64 *bits, __u64 *wide, const __u8 *addr, __u32 plen,
		  enum fs_filter_set set)
{
	bool v4 = plen >= FS_V4_MAPPED_PLEN &&
		  prefix_eq(addr, v4_mapped, FS_V4_MAPPED_PLEN);

	if (plen > 128)
		plen = 128;
	if (v4) {
		cover_family(bits, wide, fs_filter_key(addr, 1),
			     plen - FS_V4_MAPPED_PLEN, true);
		return;
	}
	cover_family(bits, wide, fs_filter_key(addr, 0), plen, false);
	if (lpm_set(set) && prefix_eq(addr, v4_mapped, plen))
		cover_family(bits, wide, 0, 0, true);
}

int fs_filter_mark(int fd, enum fs_filter_set set, const __u8 *addr, __u32 plen)
{
	struct fs_filter *f = filter_map(fd);

	if (!f)
		return -errno;
	cover(f->bits[set], &f->wide[set], addr, plen, set);
	filter_unmap(f);
	return 0;
}

/* Where the address and its prefix length sit in the keys of the map
 * behind each set (plen_off < 0: a whole address, /128). */
static const struct {
	size_t key_size, addr_off;
	int plen_off;
} layouts[FS_FILTER_SETS] = {
	[FS_FILTER_ALLOW] = {sizeof(struct fs_lpm_key),
			     offsetof(struct fs_lpm_key, addr),
			     offsetof(struct fs_lpm_key, prefixlen)},
	[FS_FILTER_BLOCK] = {sizeof(struct fs_lpm_key),
			     offsetof(struct fs_lpm_key, addr),
			     offsetof(struct fs_lpm_key, prefixlen)},
	[FS_FILTER_BAN] = {sizeof(struct fs_key), offsetof(struct fs_key, addr),
			   offsetof(struct fs_key, plen)},
	[FS_FILTER_DNS] = {sizeof(struct fs_addr_key),
			   offsetof(struct fs_addr_key, addr), -1},
};

/* The prefix length in key @k of @set: a u32 in LPM keys, a u8 in ban
 * keys, none (128) in DNS keys. */
static __u32 key_plen(const __u8 *k, enum fs_filter_set set)
{
	int off = layouts[set].plen_off;
	__u32 plen;

	if (off < 0)
		return 128;
	if (set == FS_FILTER_BAN)
		return k[off];
	memcpy(&plen, k + off, sizeof(plen));
	return plen;
}

int fs_filter_mark_key(int fd, enum fs_filter_set set, const void *key)
{
	const __u8 *k = key;

	if ((unsigned)set >= FS_FILTER_SETS)
		return -EINVAL;
	return fs_filter_mark(fd, set, k + layouts[set].addr_off,
			      key_plen(k, set));
}

/* Mark every entry of @fd, the map behind @set, into @bits/@wide. */
static void scan(int fd, enum fs_filter_set set, __u64 *bits, __u64 *wide)
{
	__u8 k[sizeof(struct fs_lpm_key) + sizeof(struct fs_key)],
		prev[sizeof(k)];
	void *p = NULL;

	while (bpf_map_get_next_key(fd, p, k) == 0) {
		memcpy(prev, k, layouts[set].key_size);
		p = prev;
		cover(bits, wide, k + layouts[set].addr_off, key_plen(k, set),
		      set);
	}
}

/* The blocklist has no writer but userspace holding the pin lock:
 * store the fresh words over the old ones. A source in an entry that is
 * both in the old and the new state keeps its bit throughout. */
static void store_set(struct fs_filter *f, const struct fs_filter *t,
		      enum fs_filter_set set)
{
	for (unsigned w = 0; w < FS_FILTER_WORDS; w++)
		__atomic_store_n(&f->bits[set][w], t->bits[set][w],
				 __ATOMIC_RELAXED);
	__atomic_store_n(&f->wide[set], t->wide[set], __ATOMIC_RELAXED);
}

/* A set with a writer outside the pin lock (the program's bans, the
 * daemon's DNS verdicts and DNS-verified allowlist entries): clear only the bits that no entry had at the
 * first scan (@t), then mark the entries again. An entry made between
 * the two scans may lose its bit for that moment, never for longer. */
static void rebuild_shared(struct fs_filter *f, const struct fs_filter *t,
			   enum fs_filter_set b, int fd)
{
	for (unsigned w = 0; w < FS_FILTER_WORDS; w++)
		__atomic_fetch_and(&f->bits[b][w], t->bits[b][w],
				   __ATOMIC_RELAXED);
	if (!t->wide[b])
		__atomic_store_n(&f->wide[b], 0, __ATOMIC_RELAXED);
	scan(fd, b, f->bits[b], &f->wide[b]);
}

int fs_filter_rebuild(const struct fs_map_fds *m)
{
	const int fds[FS_FILTER_SETS] = {
		[FS_FILTER_ALLOW] = m->allow,
		[FS_FILTER_BLOCK] = m->block,
		[FS_FILTER_BAN] = m->bans,
		[FS_FILTER_DNS] = m->dns,
	};
	struct fs_filter *f, *t = calloc(1, sizeof(*t));
	int err = 0;

	if (!t)
		return -ENOMEM;
	f = filter_map(m->filter);
	if (!f) {
		err = -errno;
		goto out;
	}
	for (int set = 0; set < FS_FILTER_SETS; set++)
		scan(fds[set], set, t->bits[set], &t->wide[set]);
	for (int set = 0; set < FS_FILTER_SETS; set++) {
		if (set == FS_FILTER_BLOCK)
			store_set(f, t, set);
		else
			rebuild_shared(f, t, set, fds[set]);
	}
	filter_unmap(f);
out:
	free(t);
	return err;
}
