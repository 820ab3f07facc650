/* SPDX-License-Identifier: GPL-2.0 */
/* Minimal test framework in the style of the kernel's BPF selftests:
 * named tests with named subtests, ASSERT_* macros that print what was
 * expected and what came. The runner ends with "N passed, N failed".
 *
 * A test is a function registered with FS_TEST(name). Inside it, each
 * subtest(name) { ... } block is counted as one result; ASSERT_* failing
 * marks the current subtest failed and returns false from the macro so a
 * test can stop early with `if (!ASSERT_...) return;`.
 */
#ifndef FS_TEST_H
#define FS_TEST_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

struct fs_test {
	const char *name;
	void (*fn)(void);
	struct fs_test *next;
	bool named; /* runs only when named exactly (FS_TEST_NAMED) */
};

void fs_test_register(struct fs_test *t);
/* Remove the pin folder @dir of a test's private program and every pin
 * in it (no sub-folders); quiet when it is not there. */
void fs_test_pins_remove(const char *dir);
/* Start a named subtest; ends the previous one. */
void fs_subtest(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Record a failure of the current subtest (called by the macros). */
void fs_test_fail(const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Mark the current subtest skipped with a reason. */
void fs_test_skip(const char *why);
/* Run a shell command; returns its exit status (or -1). Output goes to
 * the runner's log. */
int fs_sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#define FS_TEST_(tname, only)                                             \
	static void test_##tname(void);                                   \
	static struct fs_test fs_test_##tname = {#tname, test_##tname, 0, \
						 only};                   \
	__attribute__((constructor)) static void reg_##tname(void)        \
	{                                                                 \
		fs_test_register(&fs_test_##tname);                       \
	}                                                                 \
	static void test_##tname(void)
#define FS_TEST(tname) FS_TEST_(tname, false)
/* A suite for a kernel that `make kernel-check` boots, not the build
 * host's: it runs only when named exactly (`fs_test bond`), never in a
 * plain `make test`, where its prerequisite would be missing by design. */
#define FS_TEST_NAMED(tname) FS_TEST_(tname, true)

#define ASSERT_TRUE(c, what)                                                  \
	({                                                                    \
		bool ok_ = (c);                                               \
		if (!ok_)                                                     \
			fs_test_fail(__FILE__, __LINE__, "%s: expected true", \
				     what);                                   \
		ok_;                                                          \
	})

#define ASSERT_FALSE(c, what) ASSERT_TRUE(!(c), what)

#define ASSERT_EQ(a, b, what)                                                 \
	({                                                                    \
		long long a_ = (long long)(a), b_ = (long long)(b);           \
		bool ok_ = a_ == b_;                                          \
		if (!ok_)                                                     \
			fs_test_fail(__FILE__, __LINE__,                      \
				     "%s: expected %lld, got %lld", what, b_, \
				     a_);                                     \
		ok_;                                                          \
	})

#define ASSERT_NEQ(a, b, what)                                               \
	({                                                                   \
		long long a_ = (long long)(a), b_ = (long long)(b);          \
		bool ok_ = a_ != b_;                                         \
		if (!ok_)                                                    \
			fs_test_fail(__FILE__, __LINE__,                     \
				     "%s: expected anything but %lld", what, \
				     b_);                                    \
		ok_;                                                         \
	})

#define ASSERT_OK(e, what)                                                  \
	({                                                                  \
		long long e_ = (long long)(e);                              \
		bool ok_ = e_ == 0;                                         \
		if (!ok_)                                                   \
			fs_test_fail(__FILE__, __LINE__,                    \
				     "%s: expected 0, got %lld", what, e_); \
		ok_;                                                        \
	})

#define ASSERT_STREQ(a, b, what)                                              \
	({                                                                    \
		const char *a_ = (a), *b_ = (b);                              \
		bool ok_ = a_ && b_ && !strcmp(a_, b_);                       \
		if (!ok_)                                                     \
			fs_test_fail(__FILE__, __LINE__,                      \
				     "%s: expected \"%s\", got \"%s\"", what, \
				     b_ ? b_ : "(null)", a_ ? a_ : "(null)"); \
		ok_;                                                          \
	})

#define ASSERT_MEMEQ(a, b, n, what)                                \
	({                                                         \
		bool ok_ = !memcmp((a), (b), (n));                 \
		if (!ok_)                                          \
			fs_test_fail(__FILE__, __LINE__,           \
				     "%s: %zu bytes differ", what, \
				     (size_t)(n));                 \
		ok_;                                               \
	})

#endif
