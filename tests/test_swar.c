// SPDX-License-Identifier: GPL-2.0
/* The pure functions both sides compile, run in userspace against
 * byte-at-a-time oracles: the SWAR word functions (maps/swar.h), the
 * payload loads and the host print (bpf/scan.bpf.h, included here as the
 * program includes it), and the hashes (maps/hash.h). Inputs are random
 * from a fixed seed (millions of cases; the mismatches are counted and
 * the first is shown) plus edge cases: bytes 0x80 and 0xff, words of one
 * repeated byte, the bytes on each side of a range's ends.
 */
#include <ctype.h>
#include "test.h"
#include "../maps/floodshield.h"
#include "../loader/hosts.h"

/* What scan.bpf.h needs from bpf_helpers.h, as libbpf defines it. */
#define barrier_var(var) __asm__ __volatile__("" : "=r"(var) : "0"(var))
#include "../bpf/scan.bpf.h"

#define RANDOM_WORDS (1u << 21) /* per function and generator */

/* ---- inputs --------------------------------------------------------- */

static __u64 rng_state;

/* splitmix64: a fixed seed gives the same cases on every run. */
static __u64 rnd(void)
{
	__u64 z = (rng_state += 0x9E3779B97F4A7C15ull);

	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
	return z ^ (z >> 31);
}

static void seed(__u64 s)
{
	rng_state = s;
}

/* Bytes where an exact SWAR test can go wrong: 0, the top bit alone or
 * with every bit, the ends of each ASCII range (and one past them), the
 * same with the top bit set, and the bytes the scans look for. */
static const __u8 edge[] = {
	0x00,
	0x01,
	0x7f,
	0x80,
	0x81,
	0xfe,
	0xff,
	'0' - 1,
	'0',
	'9',
	'9' + 1,
	'A' - 1,
	'A',
	'Z',
	'Z' + 1,
	'a' - 1,
	'a',
	'z',
	'z' + 1,
	0x80 | '0',
	0x80 | '9',
	0x80 | 'A',
	0x80 | 'Z',
	0x80 | ('A' - 1),
	0x80 | ('Z' + 1),
	' ',
	'\t',
	'\r',
	'\n',
	'.',
	':',
	'/',
	'#',
	'@',
	'?',
};

/* A word whose bytes are drawn from edge[], or are @c or its neighbours
 * (c ^ 0x80, c - 1, c + 1). */
static __u64 edge_word(__u8 c)
{
	__u64 w = 0;

	for (int i = 0; i < 8; i++) {
		__u64 r = rnd();
		__u8 b;

		switch (r % 8) {
		case 0:
			b = c;
			break;
		case 1:
			b = c ^ 0x80;
			break;
		case 2:
			b = c + ((r >> 8) & 1 ? 1 : -1);
			break;
		default:
			b = edge[(r >> 8) % sizeof(edge)];
			break;
		}
		w |= (__u64)b << (8 * i);
	}
	return w;
}

/* The @n-th test word of a set: words of one repeated byte first (all
 * 256), then edge words, then uniform random words. */
static __u64 test_word(__u32 n, __u8 c)
{
	if (n < 256)
		return W_ONES * n;
	return n & 1 ? edge_word(c) : rnd();
}

#define TEST_WORDS (256 + 2 * RANDOM_WORDS)

/* ---- tallies -------------------------------------------------------- */

/* Cases run and mismatches, with the first mismatch. */
struct tally {
	unsigned long cases, bad;
	__u64 in, arg, got, want;
};

static void count(struct tally *t, __u64 in, __u64 arg, __u64 got, __u64 want)
{
	t->cases++;
	if (got == want || t->bad++)
		return;
	t->in = in;
	t->arg = arg;
	t->got = got;
	t->want = want;
}

/* Fails the subtest if @t has a mismatch or ran fewer than @min cases. */
#define ASSERT_TALLY(t, min, what)                                           \
	({                                                                   \
		const struct tally *t_ = (t);                                \
		bool ok_ = !t_->bad && t_->cases >= (min);                   \
		if (t_->bad)                                                 \
			fs_test_fail(__FILE__, __LINE__,                     \
				     "%s: %lu of %lu cases differ; "         \
				     "first: input %#018llx arg %#llx: got " \
				     "%#018llx, oracle %#018llx",            \
				     what, t_->bad, t_->cases,               \
				     (unsigned long long)t_->in,             \
				     (unsigned long long)t_->arg,            \
				     (unsigned long long)t_->got,            \
				     (unsigned long long)t_->want);          \
		else if (t_->cases < (min))                                  \
			fs_test_fail(__FILE__, __LINE__,                     \
				     "%s: %lu cases, expected %lu", what,    \
				     t_->cases, (unsigned long)(min));       \
		ok_;                                                         \
	})

/* ---- oracles -------------------------------------------------------- */

static __u8 byte(__u64 w, int i)
{
	return w >> (8 * i);
}

/* 0x80 in each byte @i of the word for which @match(byte, @c) holds. */
static __u64 flags_of(__u64 w, bool (*match)(__u8 b, __u8 c), __u8 c)
{
	__u64 m = 0;

	for (int i = 0; i < 8; i++)
		if (match(byte(w, i), c))
			m |= 0x80ull << (8 * i);
	return m;
}

static bool is_eq(__u8 b, __u8 c)
{
	return b == c;
}
static bool is_upper(__u8 b, __u8 c)
{
	(void)c;
	return b >= 'A' && b <= 'Z';
}
static bool is_digit(__u8 b, __u8 c)
{
	(void)c;
	return b >= '0' && b <= '9';
}

static __u32 oracle_first(__u64 m)
{
	for (__u32 i = 0; i < 8; i++)
		if (byte(m, i) & 0x80)
			return i;
	return ~0u;
}

static __u64 oracle_below_first(__u64 m)
{
	__u64 r = 0;

	for (int i = 0; i < 8 && !(byte(m, i) & 0x80); i++)
		r |= 0x80ull << (8 * i);
	return r;
}

static __u64 oracle_lower(__u64 w)
{
	__u64 r = 0;

	for (int i = 0; i < 8; i++) {
		__u8 b = byte(w, i);

		r |= (__u64)(b >= 'A' && b <= 'Z' ? b + 0x20 : b) << (8 * i);
	}
	return r;
}

/* ---- SWAR word functions -------------------------------------------- */

FS_TEST(swar_words)
{
	struct tally zero = {}, up = {}, dig = {}, low = {}, eq = {};

	fs_subtest("zero_bytes, upper_bytes, digit_bytes, lower8 on %u words",
		   TEST_WORDS);
	seed(1);
	for (__u32 n = 0; n < TEST_WORDS; n++) {
		__u64 w = test_word(n, 0);

		count(&zero, w, 0, zero_bytes(w), flags_of(w, is_eq, 0));
		count(&up, w, 0, upper_bytes(w), flags_of(w, is_upper, 0));
		count(&dig, w, 0, digit_bytes(w), flags_of(w, is_digit, 0));
		count(&low, w, 0, lower8(w), oracle_lower(w));
	}
	ASSERT_TALLY(&zero, TEST_WORDS, "zero_bytes");
	ASSERT_TALLY(&up, TEST_WORDS, "upper_bytes");
	ASSERT_TALLY(&dig, TEST_WORDS, "digit_bytes");
	ASSERT_TALLY(&low, TEST_WORDS, "lower8");

	fs_subtest("eq_bytes for every byte value, %u words each",
		   256 + 2 * 8192);
	seed(2);
	for (__u32 c = 0; c < 256; c++)
		for (__u32 n = 0; n < 256 + 2 * 8192; n++) {
			__u64 w = test_word(n, c);

			count(&eq, w, c, eq_bytes(w, c), flags_of(w, is_eq, c));
		}
	ASSERT_TALLY(&eq, 256ul * (256 + 2 * 8192), "eq_bytes");
}

/* Every flag mask: each of the 255 non-empty sets of flagged bytes. */
FS_TEST(swar_masks)
{
	struct tally first = {}, below = {};

	fs_subtest("first_byte and below_first on every flag mask");
	count(&below, 0, 0, below_first(0), oracle_below_first(0));
	for (__u32 set = 1; set < 256; set++) {
		__u64 m = 0;

		for (int i = 0; i < 8; i++)
			if (set & (1u << i))
				m |= 0x80ull << (8 * i);
		count(&first, m, 0, first_byte(m), oracle_first(m));
		count(&below, m, 0, below_first(m), oracle_below_first(m));
	}
	ASSERT_TALLY(&first, 255, "first_byte");
	ASSERT_TALLY(&below, 256, "below_first");

	fs_subtest("the masks of the scans, on %u words", TEST_WORDS);
	seed(3);
	for (__u32 n = 0; n < TEST_WORDS; n++) {
		__u64 w = test_word(n, ' ');
		__u64 m = eq_bytes(w, ' ') | eq_bytes(w, '\r');

		if (m)
			count(&first, w, ' ', first_byte(m), oracle_first(m));
		count(&below, w, ' ', below_first(m), oracle_below_first(m));
	}
	ASSERT_TALLY(&first, TEST_WORDS / 4, "first_byte");
	ASSERT_TALLY(&below, TEST_WORDS, "below_first");
}

/* ---- payload loads on a userspace buffer ----------------------------- */

/* The frame: up to FS_SCAN_MAX + 24 payload bytes, and room for any
 * masked offset past it (a u64 array: the loads read u64s). */
#define SEG_LEN_MAX (FS_SCAN_MAX + 24)
static __u64 frame_words[(FS_SCAN_OFF_MASK + 1 + 16) / 8];
static __u8 *const frame = (__u8 *)frame_words;

static struct fs_seg seg_of(__u32 len)
{
	return (struct fs_seg){.data = frame, .end = frame + len, .len = len};
}

/* The bytes of the segment at @off, at most 8 and not past @len,
 * little-endian, zero above. */
static __u64 bytes_at(__u32 off, __u32 len)
{
	__u64 w = 0;

	for (__u32 i = 0; i < 8 && off + i < len; i++)
		w |= (__u64)frame[off + i] << (8 * i);
	return w;
}

/* What load8() must do: the whole word, within the frame and at or
 * below FS_SCAN_MAX. */
static int oracle_load8(__u32 off, __u32 len, __u64 *w)
{
	if (off > FS_SCAN_MAX || off + 8 > len)
		return -1;
	*w = bytes_at(off, len);
	return 0;
}

/* What load8_tail() must do: as load8(), and also the bytes left before
 * the end (zeros above), but never in a segment under 8 bytes. */
static int oracle_load8_tail(__u32 off, __u32 len, __u64 *w)
{
	if (!oracle_load8(off, len, w))
		return 0;
	if (off > FS_SCAN_MAX || off >= len || len < 8)
		return -1;
	*w = bytes_at(off, len);
	return 0;
}

/* A load's result as one value for the tally: the word, or ~0 for -1
 * (no word of the frame is all ones: no byte is 0xff). */
static __u64 result(int r, __u64 w)
{
	return r ? ~0ull : w;
}

/* Offsets tried for a segment of @len bytes: all up to past its end,
 * then past the scan limit and the masks. */
static const __u32 far_offs[] = {
	FS_SCAN_MAX - 1,      FS_SCAN_MAX,	FS_SCAN_MAX + 1,
	FS_SCAN_MAX + 8,      FS_SCAN_OFF_MASK, FS_SCAN_OFF_MASK + 1,
	FS_SCAN_OFF_MASK + 8, 0x10000,		0x7fffffff,
	0xfffffff8,	      0xffffffff,
};

#define FAR_OFFS (sizeof(far_offs) / sizeof(far_offs[0]))
/* Cases of each load: len + 17 near offsets and the far ones, for each
 * length 0..SEG_LEN_MAX (2.2 million). */
#define LOAD_CASES ((SEG_LEN_MAX + 1ul) * (SEG_LEN_MAX / 2 + 17 + FAR_OFFS))

static void check_loads(__u32 len, __u32 off, struct tally *l8,
			struct tally *tail, struct tally *l1)
{
	struct fs_seg s = seg_of(len);
	__u64 w = 0, want = 0;
	int r, o;

	r = load8(&s, off, &w);
	o = oracle_load8(off, len, &want);
	count(l8, off, len, result(r, w), result(o, want));
	w = want = 0;
	r = load8_tail(&s, off, &w);
	o = oracle_load8_tail(off, len, &want);
	count(tail, off, len, result(r, w), result(o, want));
	o = off <= FS_SCAN_MAX && off < len ? frame[off] : -1;
	count(l1, off, len, load1(&s, off), o);
}

FS_TEST(scan_loads)
{
	struct tally l8 = {}, tail = {}, l1 = {};

	seed(4);
	for (__u32 i = 0; i < sizeof(frame_words); i++)
		frame[i] = rnd() % 0xff;
	/* a run of zeros: a loaded zero byte is not a byte past the end */
	memset(frame + 100, 0, 20);

	fs_subtest("load8, load8_tail, load1: every offset of every length to "
		   "%u",
		   SEG_LEN_MAX);
	for (__u32 len = 0; len <= SEG_LEN_MAX; len++) {
		for (__u32 off = 0; off <= len + 16; off++)
			check_loads(len, off, &l8, &tail, &l1);
		for (__u32 k = 0; k < FAR_OFFS; k++)
			check_loads(len, far_offs[k], &l8, &tail, &l1);
	}
	ASSERT_TALLY(&l8, LOAD_CASES, "load8");
	ASSERT_TALLY(&tail, LOAD_CASES, "load8_tail");
	ASSERT_TALLY(&l1, LOAD_CASES, "load1");

	fs_subtest("load8_tail reads the last bytes shifted, zeros above");
	{
		struct fs_seg s = seg_of(11);
		__u64 w = 0;

		memcpy(frame, "Host: a.b\r\n", 11);
		ASSERT_OK(load8_tail(&s, 5, &w), "3 words from the end");
		ASSERT_EQ(w, W8(' ', 'a', '.', 'b', '\r', '\n', 0, 0),
			  "word at 5");
		ASSERT_OK(load8_tail(&s, 10, &w), "the last byte");
		ASSERT_EQ(w, '\n', "word at 10");
		ASSERT_EQ(load8_tail(&s, 11, &w), -1, "at the end");
		s = seg_of(7);
		ASSERT_EQ(load8_tail(&s, 0, &w), -1, "a segment of 7 bytes");
	}
}

/* ---- the host print: the program's and userspace's ------------------ */

/* A random host name of 1..FS_HOST_MAX bytes in mixed case, which
 * fs_host_key() accepts: labels of letters, digits and '-', one letter
 * at least, no empty label. */
static __u32 random_host(char *name)
{
	static const char chars[] = "abcdefghijklmnopqrstuvwxyz"
				    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-";
	__u32 len = 1 + rnd() % FS_HOST_MAX;

	for (__u32 i = 0; i < len; i++)
		name[i] = chars[rnd() % (sizeof(chars) - 1)];
	for (__u32 i = 1; i + 1 < len; i++)
		if (rnd() % 6 == 0 && name[i - 1] != '.')
			name[i] = '.';
	name[0] = 'x' - (rnd() & 1) * 0x20; /* a letter: no IP literal */
	name[len] = '\0';
	return len;
}

FS_TEST(host_print)
{
	struct tally fp = {};
	char name[FS_HOST_MAX + 1], err[128];
	struct fs_host_key key;
	struct fs_host_val val;
	__u32 n = 0, zero = 0;

	fs_subtest("the program's print of a Host equals userspace's of its "
		   "key");
	seed(5);
	while (n < 200000) {
		__u32 len = random_host(name);
		__u8 buf[FS_HOST_MAX + 8];
		__u64 got;

		if (fs_host_key(name, &key, &val, err, sizeof(err)))
			continue;
		n++;
		/* the gathered value: random bytes after it, which the
		 * print must not see */
		for (__u32 i = 0; i < sizeof(buf); i++)
			buf[i] = rnd();
		memcpy(buf, name, len);
		got = fs_name_print(buf, len);
		zero += got == 0;
		count(&fp, 0, len, got, fs_host_key_print(&key));
	}
	ASSERT_TALLY(&fp, 200000, "fs_name_print vs fs_host_key_print");
	ASSERT_EQ(zero, 0, "prints of 0 (never a print)");
}

/* ---- hashes ------------------------------------------------------------- */

#define H_C0 0x9E3779B97F4A7C15ull
#define H_C1 0xC2B2AE3D27D4EB4Full
#define H_C2 0x165667B19E3779F9ull

/* The three 64-bit lanes of a table key of @n words, assembled byte by
 * byte (little-endian), a sixth word only if @n > 5. */
static void oracle_lanes(const __u8 *b, unsigned n, __u64 lane[3])
{
	lane[0] = lane[1] = lane[2] = 0;
	for (unsigned i = 0; i < n * 4; i++)
		lane[i / 8] |= (__u64)b[i] << (8 * (i % 8));
}

static __u64 oracle_fmix(__u64 h)
{
	h ^= h >> 33;
	h *= 0xFF51AFD7ED558CCDull;
	return h ^ h >> 33;
}

/* fs_hash_words() under @key, from the key's bytes: each lane XORed with
 * its key word before its multiplication, the sum with the last. */
static __u64 oracle_hash(const __u8 *b, unsigned n, const struct fs_hkey *key)
{
	__u64 lane[3];

	oracle_lanes(b, n, lane);
	return oracle_fmix(((lane[0] ^ key->k[0]) * H_C0 +
			    (lane[1] ^ key->k[1]) * H_C1 +
			    (lane[2] ^ key->k[2]) * H_C2) ^
			   key->k[3]);
}

/* The unkeyed hash of the builds before fs_hkey, as it was written: the
 * zero key must give it, so that pins, fixtures and tests' unpinned
 * skeletons keep their indexes. */
static __u64 oracle_unkeyed(const __u8 *b, unsigned n)
{
	__u64 lane[3];

	oracle_lanes(b, n, lane);
	return oracle_fmix(lane[0] * H_C0 + lane[1] * H_C1 + lane[2] * H_C2);
}

static void random_bytes(void *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		((__u8 *)p)[i] = rnd();
}

/* The inverse of odd @c modulo 2^64 (Newton: each step doubles the
 * correct low bits). */
static __u64 inverse64(__u64 c)
{
	__u64 x = c;

	for (int i = 0; i < 6; i++)
		x *= 2 - c * x;
	return x;
}

FS_TEST(hash_words)
{
	struct tally h5 = {}, h6 = {}, rate = {}, flow = {}, z5 = {}, z6 = {};
	unsigned long stuck[6 * 32] = {};
	const struct fs_hkey none = {};
	const __u32 keys = 1u << 20;
	int worst = 0;

	fs_subtest("fs_hash_words, fs_rate_set_index, fs_flow_index on %u keys "
		   "under random keys",
		   keys);
	seed(6);
	for (__u32 n = 0; n < keys; n++) {
		struct fs_hkey key;
		struct fs_key k;
		struct fs_flow_key f;
		__u32 w[6];

		random_bytes(&key, sizeof(key));
		random_bytes(w, sizeof(w));
		count(&h5, w[0], 5, fs_hash_words(w, 5, &key),
		      oracle_hash((__u8 *)w, 5, &key));
		count(&h6, w[0], 6, fs_hash_words(w, 6, &key),
		      oracle_hash((__u8 *)w, 6, &key));
		count(&z5, w[0], 5, fs_hash_words(w, 5, &none),
		      oracle_unkeyed((__u8 *)w, 5));
		count(&z6, w[0], 6, fs_hash_words(w, 6, &none),
		      oracle_unkeyed((__u8 *)w, 6));
		random_bytes(&k, sizeof(k));
		count(&rate, k.plen, 0, fs_rate_set_index(&k, 1u << 16, &key),
		      oracle_hash((__u8 *)&k, 6, &key) & 0xffff);
		random_bytes(&f, sizeof(f));
		count(&flow, f.sport, 0, fs_flow_index(&f, 1u << 14, &key),
		      oracle_hash((__u8 *)&f, 5, &key) & 0x3fff);
	}
	ASSERT_TALLY(&h5, keys, "fs_hash_words, 5 words");
	ASSERT_TALLY(&h6, keys, "fs_hash_words, 6 words");
	ASSERT_TALLY(&rate, keys, "fs_rate_set_index");
	ASSERT_TALLY(&flow, keys, "fs_flow_index");
	fs_subtest("key 0 gives the unkeyed hash of older builds");
	ASSERT_TALLY(&z5, keys, "fs_hash_words, 5 words, key 0");
	ASSERT_TALLY(&z6, keys, "fs_hash_words, 6 words, key 0");

	/* Its contract: every input bit reaches the low bits, which are
	 * the index. A flip that leaves the low 16 bits alone has odds
	 * 2^-16 with a perfect mix; the weakest bit here (word 3 bit 20,
	 * the top of the middle lane) leaves them in ~0.3% of flips. */
	fs_subtest("every input bit reaches the low 16 bits");
	seed(7);
	for (__u32 n = 0; n < 4096; n++) {
		struct fs_hkey key;
		__u32 w[6];
		__u64 h;

		random_bytes(&key, sizeof(key));
		if (n & 1) /* and under key 0 */
			key = none;
		random_bytes(w, sizeof(w));
		h = fs_hash_words(w, 6, &key);
		for (int bit = 0; bit < 6 * 32; bit++) {
			w[bit / 32] ^= 1u << (bit % 32);
			stuck[bit] +=
				((fs_hash_words(w, 6, &key) ^ h) & 0xffff) == 0;
			w[bit / 32] ^= 1u << (bit % 32);
		}
	}
	for (int bit = 0; bit < 6 * 32; bit++) {
		if (!ASSERT_TRUE(stuck[bit] <= 4096 / 100, "a flipped bit "
							   "changes the index "
							   "in 99% of keys"))
			printf("     bit %d: %lu of 4096 flips left the low 16 "
			       "bits\n",
			       bit, stuck[bit]);
		worst = stuck[bit] > stuck[worst] ? bit : worst;
	}
	printf("     weakest bit: %d, %lu of 4096 flips left the low 16 bits\n",
	       worst, stuck[worst]);

	fs_subtest("a fifth-word hash ignores the sixth word");
	{
		__u32 a[6] = {1, 2, 3, 4, 5, 6}, b[6] = {1, 2, 3, 4, 5, 7};
		struct fs_hkey key = {{1, 2, 3, 4}};

		ASSERT_EQ(fs_hash_words(a, 5, &key), fs_hash_words(b, 5, &key),
			  "5 words");
		ASSERT_NEQ(fs_hash_words(a, 6, &key), fs_hash_words(b, 6, &key),
			   "6 words");
	}
}

/* The attack the key closes: unkeyed, the sum before fmix64 is linear in
 * the lanes, so anyone who reads maps/hash.h solves for a key with the
 * same sum as a given one (lane 0 moved by d, lane 1 by -d * C0 / C1):
 * a full collision, in every set size. Keyed, the lanes are XORed with
 * key words before the multiplications: the same solved pairs share a
 * 2^16-set index only by chance (odds 2^-16 each). */
FS_TEST(hash_keyed)
{
	const __u64 ratio = H_C0 * inverse64(H_C1);
	const struct fs_hkey none = {};
	const int pairs = 100000;
	int unkeyed = 0, keyed = 0;

	fs_subtest("pairs solved from the linear sum collide under key 0 only");
	ASSERT_EQ(H_C1 * inverse64(H_C1), 1, "inverse of C1 mod 2^64");
	seed(8);
	for (int n = 0; n < pairs; n++) {
		struct fs_hkey key;
		__u32 a[6], b[6];
		__u64 d, l0, l1;

		random_bytes(&key, sizeof(key));
		random_bytes(a, sizeof(a));
		random_bytes(&d, sizeof(d));
		memcpy(b, a, sizeof(b));
		l0 = ((__u64)a[1] << 32 | a[0]) + d;
		l1 = ((__u64)a[3] << 32 | a[2]) - d * ratio;
		b[0] = l0, b[1] = l0 >> 32, b[2] = l1, b[3] = l1 >> 32;
		unkeyed += fs_hash_words(a, 6, &none) ==
			   fs_hash_words(b, 6, &none);
		keyed += ((fs_hash_words(a, 6, &key) ^
			   fs_hash_words(b, 6, &key)) &
			  0xffff) == 0;
	}
	ASSERT_EQ(unkeyed, pairs, "full collisions under key 0");
	/* mean 1.5; over 12 has odds below 1e-6 */
	ASSERT_TRUE(keyed <= 12, "keyed: as many as chance gives");
	printf("     %d of %d solved pairs share a 2^16-set index keyed\n",
	       keyed, pairs);
}

/* A flood from consecutive IPv4 sources must not pile onto some sets:
 * 2^20 /32 rate keys into the default number of sets (2^16: 16 keys a
 * set on average). */
FS_TEST(hash_spread)
{
	static __u32 per_set[FS_RATE_MAX / FS_RATE_WAYS];
	const struct fs_hkey none = {};
	const __u32 sets = FS_RATE_MAX / FS_RATE_WAYS, mean = (1u << 20) / sets;
	__u32 max = 0, empty = 0;

	fs_subtest("consecutive IPv4 sources spread over the rate sets");
	for (__u32 i = 0; i < (1u << 20); i++) {
		struct fs_key k = {.plen = 128, .bucket = FS_B_SYN_TCP};
		__u32 a = 0xc6330000u + i; /* 198.51.0.0 and on */

		k.addr[10] = k.addr[11] = 0xff;
		k.addr[12] = a >> 24;
		k.addr[13] = a >> 16;
		k.addr[14] = a >> 8;
		k.addr[15] = a;
		per_set[fs_rate_set_index(&k, sets, &none)]++;
	}
	for (__u32 s = 0; s < sets; s++) {
		max = per_set[s] > max ? per_set[s] : max;
		empty += per_set[s] == 0;
	}
	/* Poisson(16): a set over 48 has odds ~1e-10, an empty one ~1e-7 */
	ASSERT_TRUE(max <= 3 * mean, "no set holds over 3x the mean");
	ASSERT_EQ(empty, 0, "empty sets");
	printf("     fullest set: %u keys (mean %u)\n", max, mean);
}

/* ---- prefilter slots ---------------------------------------------------- */

/* fs_filter_key() bit by bit: the first @bits bits of the address from
 * byte @from, left-aligned in 64 bits. */
static __u64 oracle_filter_key(const __u8 *a, int from, int bits)
{
	__u64 k = 0;

	for (int i = 0; i < bits; i++)
		if ((a[from + i / 8] >> (7 - i % 8)) & 1)
			k |= 1ull << (63 - i);
	return k;
}

/* fs_filter_slot() with a 128-bit product: its top FS_FILTER_SLOT_BITS
 * bits of the low 64. */
static __u32 oracle_filter_slot(__u64 k)
{
	unsigned __int128 p = (unsigned __int128)k * FS_FILTER_HASH;

	return (__u64)p >> (64 - FS_FILTER_SLOT_BITS);
}

FS_TEST(filter_slots)
{
	struct tally k4 = {}, k6 = {}, slot = {}, same = {};
	const __u32 addrs = 1u << 20;

	fs_subtest("fs_filter_key and fs_filter_slot on %u addresses a family",
		   addrs);
	seed(8);
	for (__u32 n = 0; n < addrs; n++) {
		__u8 a[16], b[16];
		__u64 k;

		random_bytes(a, sizeof(a));
		k = fs_filter_key(a, 1);
		count(&k4, k, 4, k, oracle_filter_key(a, 12, FS_FILTER_V4_KEY));
		count(&slot, k, 4, fs_filter_slot(k), oracle_filter_slot(k));
		/* an address of the same /26 has the same slot key */
		memcpy(b, a, sizeof(b));
		b[15] = (a[15] & 0xc0) | (rnd() & 0x3f);
		count(&same, k, 4, fs_filter_key(b, 1), k);
		k = fs_filter_key(a, 0);
		count(&k6, k, 6, k, oracle_filter_key(a, 0, FS_FILTER_V6_KEY));
		count(&slot, k, 6, fs_filter_slot(k), oracle_filter_slot(k));
		/* ... and of the same /48 */
		random_bytes(b + 6, 10);
		memcpy(b, a, 6);
		count(&same, k, 6, fs_filter_key(b, 0), k);
	}
	ASSERT_TALLY(&k4, addrs, "fs_filter_key, IPv4");
	ASSERT_TALLY(&k6, addrs, "fs_filter_key, IPv6");
	ASSERT_TALLY(&slot, 2 * addrs, "fs_filter_slot");
	ASSERT_TALLY(&same, 2 * addrs, "one key for a whole slot");

	fs_subtest("slot edge cases");
	{
		__u8 a[16] = {};

		ASSERT_EQ(fs_filter_slot(0), 0, "key 0");
		ASSERT_TRUE(fs_filter_slot(~0ull) < FS_FILTER_SLOTS, "key ~0");
		memset(a, 0xff, sizeof(a));
		ASSERT_EQ(fs_filter_key(a, 1), 0xffffffc0ull << 32,
			  "255.255.255.255");
		ASSERT_EQ(fs_filter_key(a, 0), 0xffffffffffffull << 16,
			  "ffff:ffff:ffff::");
		a[12] = 0x80;
		ASSERT_EQ(fs_filter_key(a, 1) >> 63, 1, "128.x: the top bit");
	}
}
