/* SPDX-License-Identifier: GPL-2.0 */
/* Judging a Host value (or an absolute-form authority) that the parser
 * (hparse.bpf.h) copied, whole, into the per-CPU scratch: fs_host_judge().
 *
 * The value is judged as the server will route it:
 * - ":port" is cut at the first ':' (nginx drops everything after it;
 *   Apache refuses a bad port, which is harmless), one trailing dot is
 *   stripped, and letters are lower-cased;
 * - a bracketed IPv6 literal or a dotted quad is one of the server's own
 *   addresses (the segment's destination, or fs_own) and follows the
 *   `http.ip_host` policy; every other literal, and every digits-and-dots
 *   string that is not a dotted quad, is an unserved Host;
 * - a name is served only when the full name is in fs_hosts (exact, or a
 *   wildcard on one of its suffixes). The 64-bit print (struct
 *   fs_hostfp) only rejects early: a print hit is always confirmed by
 *   the fs_hosts lookup, so a forged print gains nothing.
 * Served names are at most FS_HOST_MAX bytes (userspace refuses longer
 * ones); a longer Host can match only a wildcard, on the suffixes within
 * its last FS_HOST_MAX bytes. A value longer than FS_HHOST_LEN - 1 bytes
 * is unserved (DNS names have at most 253).
 */
#ifndef FS_HOST_BPF_H
#define FS_HOST_BPF_H

#include "pkt.bpf.h"
#include "maps.bpf.h"
#include "../maps/swar.h"

/* Bits of the served-host table (FS_HOSTS_*) and of the HTTP policy that
 * fs_host_judge() reads, passed in one word. */
#define HJ_CHECK     FS_HOSTS_CHECK	/* the served-host check is on */
#define HJ_WILDCARDS FS_HOSTS_WILDCARDS /* fs_hosts holds wildcards */
#define HJ_PRINTS    FS_HOSTS_PRINTS	/* the prints hold every exact name */
#define HJ_RESET_IP  (1u << 8)		/* http.ip_host=reset */

/* The served-host table (struct fs_hostfp): its bits (FS_HOSTS_*), which
 * loader/hostfp.c derives from fs_hosts, and the prints. NULL only if the
 * lookup fails (the check is then off: it cannot, for an array of one). */
static __always_inline const struct fs_hostfp *host_table(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&FS_MAP_HOSTFP, &zero);
}

/* The served-host bits (FS_HOSTS_*); 0 (the check off) without the map. */
static __always_inline __u32 host_bits(void)
{
	const struct fs_hostfp *t = host_table();

	return t ? READ_ONCE(t->flags) : 0;
}

/* Whether print @fp is in the live table: 1 served, 0 not, -1 unknown. */
static __always_inline int host_print_served(__u64 fp)
{
	const struct fs_hostfp *t = host_table();
	__u32 half;
	int served = 0;
	__u64 v, gen;

	if (!t || !fp)
		return -1;
	gen = READ_ONCE(t->gen);
	half = READ_ONCE(t->active) & 1;
	for (__u32 k = 0; k < FS_HOSTFP_PROBE; k++) {
		v = READ_ONCE(t->fp[half][(fp + k) & (FS_HOSTFP_SLOTS - 1)]);
		if (v == fp)
			served = 1;
		if (v == fp || !v)
			break;
	}
	return READ_ONCE(t->gen) == gen ? served : -1;
}

/* Word @i (8 bytes from byte 8 * @i) of the @len-byte value in @sc,
 * zero past its end. */
static __always_inline __u64 hj_word(const struct fs_hscratch *sc, __u32 i,
				     __u32 len)
{
	__u32 off = (i * 8) & (FS_HHOST_LEN - 1);
	__u64 w = *(const __u64 *)(sc->name + off);

	if (off + 8 > len)
		w &= off >= len ? 0 : W_MASK(len - off);
	return w;
}

/* Byte @i of the value in @sc. */
static __always_inline __u8 hj_byte(const struct fs_hscratch *sc, __u32 i)
{
	return sc->name[i & (FS_HHOST_LEN - 1)];
}

/* Whether the 16-byte address @a is one of the server's own: the
 * segment's destination (sc->dst) or an entry of fs_own. */
static __always_inline bool hj_own(const struct fs_hscratch *sc, const __u32 *a)
{
	const __u32 *d = (const __u32 *)sc->dst;

	if (a[0] == d[0] && a[1] == d[1] && a[2] == d[2] && a[3] == d[3])
		return true;
	return bpf_map_lookup_elem(&FS_MAP_OWN, a) != NULL;
}

/* The dotted quad in the first @n bytes of the value (digits and dots
 * only): 4 numbers of 1 to 3 digits, at most 255, no leading zero (an
 * octal form is not one). Writes the v4-mapped address; -1 if it is not
 * a dotted quad. */
static __always_inline int hj_quad(const struct fs_hscratch *sc, __u32 n,
				   __u32 *a)
{
	__u32 part = 0, parts = 0, digits = 0, v4 = 0;

	if (n > 15)
		return -1;
	for (__u32 i = 0; i < 16; i++) {
		__u8 c = i < n ? hj_byte(sc, i) : '.';

		if (c == '.') {
			if (!digits || part > 255 || ++parts > 4)
				return -1;
			v4 = v4 << 8 | part;
			part = digits = 0;
			if (i >= n)
				break;
			continue;
		}
		if (digits == 1 && part == 0) /* leading zero */
			return -1;
		part = part * 10 + (c - '0');
		if (++digits > 3)
			return -1;
	}
	if (parts != 4)
		return -1;
	a[0] = a[1] = 0;
	a[2] = bpf_htonl(V4_MAPPED_W2);
	a[3] = bpf_htonl(v4);
	return 0;
}

/* Value of hex digit @c, or -1. */
static __always_inline int hj_hex(__u8 c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c |= 0x20;
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* bpf_loop() context of the IPv6-literal walk: its state is in the
 * scratch (struct fs_hv6), off the stack. */
struct hj_v6_ctx {
	struct fs_hscratch *sc;
};

/* One byte of the literal between the brackets. 1 stops the walk. */
static long hj_v6_step(__u64 idx, void *data)
{
	struct fs_hscratch *sc = ((struct hj_v6_ctx *)data)->sc;
	struct fs_hv6 *v = &sc->v6;
	__u32 i = v->i;
	__u8 c;
	int h;

	if (i >= v->end)
		return 1;
	c = hj_byte(sc, i);
	v->i = i + 1;
	if (c == ':') {
		if (i + 1 < v->end && hj_byte(sc, i + 1) == ':') {
			if (v->dbl >= 0)
				goto bad;
			if (v->digits) {
				if (v->groups >= 8)
					goto bad;
				v->g[v->groups & 7] = v->cur;
				v->groups++;
			} else if (i != 1) {
				goto bad;
			}
			v->dbl = v->groups;
			v->i = i + 2;
		} else {
			if (!v->digits || v->groups >= 8)
				goto bad;
			v->g[v->groups & 7] = v->cur;
			v->groups++;
			if (i + 1 >= v->end) /* a single ':' at the end */
				goto bad;
		}
		v->digits = v->cur = 0;
		return 0;
	}
	h = hj_hex(c);
	if (h < 0 || ++v->digits > 4)
		goto bad;
	v->cur = v->cur << 4 | h;
	return 0;
bad:
	v->bad = 1;
	return 1;
}

/* The bracketed IPv6 literal "[...]" that starts the value, ending at
 * offset @end (its ']'): writes the address to sc->v6.a; -1 if it is not
 * one (a zone, an IPvFuture, an embedded dotted quad, junk). */
static __always_inline int hj_v6(struct fs_hscratch *sc, __u32 end)
{
	struct hj_v6_ctx x = {.sc = sc};
	struct fs_hv6 *v = &sc->v6;
	__u32 n, shift;

	if (end > 46)
		return -1;
	__builtin_memset(v, 0, sizeof(*v));
	v->end = end;
	v->i = 1;
	v->dbl = -1;
	bpf_loop(48, hj_v6_step, &x, 0);
	if (v->bad)
		return -1;
	if (v->digits) {
		if (v->groups >= 8)
			return -1;
		v->g[v->groups & 7] = v->cur;
		v->groups++;
	} else if (v->dbl != (__s32)v->groups) { /* ends in ':', not "::" */
		return -1;
	}
	n = v->groups;
	if (v->dbl < 0 ? n != 8 : n > 7)
		return -1;
	if (v->dbl >= 0) { /* move the groups after "::" to the end */
		shift = 8 - n;
		for (int k = 7; k >= 0; k--) {
			int from = k - shift;

			if (k >= v->dbl + (int)shift)
				v->g[k & 7] = v->g[from & 7];
			else if (k >= v->dbl)
				v->g[k & 7] = 0;
		}
	}
	for (int k = 0; k < 4; k++)
		v->a[k] = bpf_htonl((__u32)v->g[2 * k] << 16 | v->g[2 * k + 1]);
	return 0;
}

/* Whether the @n-byte lower-cased name at the right end of sc->key (zero
 * on its left) is served: exactly (@n <= FS_HOST_MAX), or by a wildcard on
 * one of its suffixes (@wild). Each dot, left to right: zero what is left
 * of it, look it up.
 * XXX: with wildcards a name of many labels costs one lookup per dot. */
static __always_inline bool hj_served_key(struct fs_hscratch *sc, __u32 n,
					  bool wild)
{
	__u64 *words = (__u64 *)sc->key, w, dots;

	if (n <= FS_HOST_MAX && bpf_map_lookup_elem(&FS_MAP_HOSTS, sc->key))
		return true;
	if (!wild)
		return false;
	for (int j = 0; j < FS_HOST_MAX / 8; j++) {
		w = words[j];
		dots = eq_bytes(w, '.');
		for (int t = 0; t < FS_HOST_DOTS_MAX && dots; t++) {
			words[j] = w & ~((1ull << (first_byte(dots) * 8)) - 1);
			if (bpf_map_lookup_elem(&FS_MAP_HOSTS, sc->key))
				return true;
			dots &= dots - 1;
		}
		words[j] = 0;
	}
	return false;
}

/* Whether the name in the first @n bytes of the value is served (see the
 * top of this file). */
static __always_inline bool hj_served(struct fs_hscratch *sc, __u32 n,
				      __u32 bits)
{
	__u32 start, off;
	int served;

	if (bits & HJ_PRINTS && n <= FS_HOST_MAX) {
		served = host_print_served(fs_name_print(sc->name, n));
		if (served == 0 && !(bits & HJ_WILDCARDS))
			return false;
	}
	/* the key: the last FS_HOST_MAX bytes of the name, right-aligned */
	for (int j = 0; j < FS_HOST_MAX / 8; j++)
		((__u64 *)sc->key)[j] = 0;
	start = n > FS_HOST_MAX ? n - FS_HOST_MAX : 0;
	off = FS_HOST_MAX - (n - start);
	if (bpf_probe_read_kernel(sc->key + (off & (FS_HOST_MAX - 1)),
				  (n - start) & (2 * FS_HOST_MAX - 1),
				  sc->name + (start & (FS_HHOST_LEN - 1))))
		return false;
	for (int j = 0; j < FS_HOST_MAX / 8; j++)
		((__u64 *)sc->key)[j] = lower8(((__u64 *)sc->key)[j]);
	return hj_served_key(sc, n, bits & HJ_WILDCARDS);
}

/* fs_host_judge() for a bracketed IPv6 literal ("[v6]" or "[v6]:port";
 * @len checked there: 1 to FS_HHOST_LEN - 1). A global function,
 * verified once. Like fs_host_name() it looks the scratch up itself
 * rather than take the caller's pointer: a global function's pointer
 * argument is PTR_TO_MEM, which 6.1's verifier refuses as a map key
 * (sc->key, sc->v6.a), while a map value is taken (`make
 * kernel-check`). */
__noinline int fs_host_v6(__u32 len, __u32 bits)
{
	struct fs_hscratch *sc;
	__u32 zero = 0;

	sc = bpf_map_lookup_elem(&fs_scratch, &zero);
	if (!sc)
		return FS_R_HTTP_BAD_HOST;
	for (__u32 i = 1; i < 48; i++) {
		if (i >= len)
			return FS_R_HTTP_BAD_HOST;
		if (hj_byte(sc, i) != ']')
			continue;
		if (i + 1 < len && hj_byte(sc, i + 1) != ':')
			return FS_R_HTTP_BAD_HOST;
		/* a v4-mapped literal is no server's own */
		if (hj_v6(sc, i) || fs_words_v4mapped(sc->v6.a) ||
		    !hj_own(sc, sc->v6.a))
			return FS_R_HTTP_BAD_HOST;
		return bits & HJ_RESET_IP ? FS_R_HTTP_IP_HOST : FS_R_HTTP_OK;
	}
	return FS_R_HTTP_BAD_HOST;
}

/* fs_host_judge() for a value that is no bracketed IPv6 literal (@len
 * checked there: 1 to FS_HHOST_LEN - 1). A global function of its own:
 * 6.1 marks every scalar precise where its backtracking meets
 * hj_v6_step()'s bpf_loop(), which stops its pruning here. */
__noinline int fs_host_name(__u32 len, __u32 bits)
{
	__u64 w, stop, other = 0, nul = 0;
	struct fs_hscratch *sc;
	__u32 n = len, zero = 0;
	int r;

	sc = bpf_map_lookup_elem(&fs_scratch, &zero);
	if (!sc || len == 0 || len >= FS_HHOST_LEN)
		return FS_R_HTTP_BAD_HOST;
	/* the name: up to the first ':', 8 bytes a step; a NUL anywhere
	 * would alias the key's zero padding */
	for (__u32 i = 0; i < FS_HHOST_LEN / 8; i++) {
		if (i * 8 >= len)
			break;
		w = hj_word(sc, i, len);
		stop = eq_bytes(w, ':');
		nul |= zero_bytes(w) &
		       (i * 8 + 8 > len ? W_MASK(len - i * 8) : ~0ull) &
		       ~W_LOW7;
		other |= below_first(stop) &
			 ~(digit_bytes(w) | eq_bytes(w, '.')) &
			 (i * 8 + 8 > len ? W_MASK(len - i * 8) : ~0ull) &
			 ~W_LOW7;
		if (stop) {
			n = i * 8 + first_byte(stop);
			break;
		}
	}
	if (nul)
		return FS_R_HTTP_BAD_HOST;
	if (n && hj_byte(sc, n - 1) == '.')
		n--;
	if (n == 0)
		return FS_R_HTTP_BAD_HOST;
	if (!other) { /* digits and dots: a dotted quad or nothing */
		if (hj_quad(sc, n, sc->v6.a) || !hj_own(sc, sc->v6.a))
			return FS_R_HTTP_BAD_HOST;
		return bits & HJ_RESET_IP ? FS_R_HTTP_IP_HOST : FS_R_HTTP_OK;
	}
	if (!(bits & HJ_CHECK))
		return FS_R_HTTP_OK;
	r = hj_served(sc, n, bits) ? FS_R_HTTP_OK : FS_R_HTTP_BAD_HOST;
	return r;
}

/* Judge the @len-byte Host value (or authority) in sc->name of @sc,
 * this CPU's fs_scratch entry: FS_R_HTTP_OK, FS_R_HTTP_EMPTY_HOST
 * (empty: the caller decides by the version), FS_R_HTTP_IP_HOST (own
 * address, http.ip_host=reset) or FS_R_HTTP_BAD_HOST. @bits: HJ_*.
 * Inline, so that the parser's call chain holds one judging frame, not
 * two (the 512-byte stack of 6.1's combined chain). */
static __always_inline int fs_host_judge(const struct fs_hscratch *sc,
					 __u32 len, __u32 bits)
{
	if (len == 0)
		return FS_R_HTTP_EMPTY_HOST;
	if (len >= FS_HHOST_LEN)
		return FS_R_HTTP_BAD_HOST;
	if (hj_byte(sc, 0) == '[')
		return fs_host_v6(len, bits);
	return fs_host_name(len, bits);
}

#endif
