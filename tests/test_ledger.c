// SPDX-License-Identifier: GPL-2.0
/* The ledger (loader/ledger.h) against real maps: one file per pin
 * folder, a ledger of another pin folder refused, and corrupt,
 * truncated and hostile files refused or clamped line by line, with the
 * good lines still restored. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include "test.h"
#include "xdp_env.h"
#include "../loader/addr.h"
#include "../loader/ledger.h"
#include "../loader/names.h"
#include "../loader/util.h"

/* A scratch state folder (@dir, 32 bytes) and the program's maps. */
struct led {
	char dir[32], path[96];
	struct xdp_env e;
	struct fs_map_fds m;
};

static bool led_open(struct led *l)
{
	snprintf(l->dir, sizeof(l->dir), "/tmp/fs_ledger.XXXXXX");
	if (!ASSERT_TRUE(mkdtemp(l->dir) != NULL, "mkdtemp") ||
	    !ASSERT_OK(xe_open(&l->e), "load the program"))
		return false;
	fs_maps_from_skel(l->e.skel, &l->m);
	snprintf(l->path, sizeof(l->path), "%s/ledger.test", l->dir);
	return true;
}

static void led_close(struct led *l)
{
	char cmd[64];

	xe_close(&l->e);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", l->dir);
	if (system(cmd))
		printf("     cannot remove %s\n", l->dir);
}

/* Write @text as the whole file @path. */
static bool put_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	bool ok = f && fputs(text, f) >= 0;

	if (f)
		ok &= fclose(f) == 0;
	return ASSERT_TRUE(ok, path);
}

/* The ban on @cidr, or false. */
static bool ban_of(struct led *l, const char *cidr, struct fs_ban *b)
{
	struct fs_lpm_key lk;
	struct fs_key k = {};
	char err[160];

	if (fs_cidr_parse(cidr, &lk, err, sizeof(err)))
		return false;
	memcpy(k.addr, lk.addr, sizeof(k.addr));
	k.plen = lk.prefixlen;
	return bpf_map_lookup_elem(l->m.bans, &k, b) == 0;
}

/* Whether list @fd holds exactly @cidr (an LPM lookup would match a
 * covering prefix too). */
static bool in_list(int fd, const char *cidr)
{
	struct fs_lpm_key want, k, prev;
	char err[160];
	void *p = NULL;

	if (fs_cidr_parse(cidr, &want, err, sizeof(err)))
		return false;
	while (bpf_map_get_next_key(fd, p, &k) == 0) {
		if (!memcmp(&k, &want, sizeof(k)))
			return true;
		prev = k;
		p = &prev;
	}
	return false;
}

static void ledger_names(void)
{
	char a[128], b[128], c[128];

	fs_subtest("one ledger per pin folder: distinct names");
	ASSERT_OK(fs_ledger_path("/var/lib/fs", "/sys/fs/bpf/floodshield", a,
				 sizeof(a)),
		  "path");
	ASSERT_STREQ(a, "/var/lib/fs/ledger.sys-fs-bpf-floodshield", "name");
	fs_ledger_path("/var/lib/fs", "/sys/fs/bpf/a-b", b, sizeof(b));
	fs_ledger_path("/var/lib/fs", "/sys/fs/bpf/a/b", c, sizeof(c));
	ASSERT_STREQ(b, "/var/lib/fs/ledger.sys-fs-bpf-a%2Db", "'-' escaped");
	ASSERT_TRUE(strcmp(b, c) != 0, "a-b and a/b differ");
}

static void ledger_pin_dir(void)
{
	struct fs_ledger_limits lim = {};
	char text[256];
	struct led l;
	long long t = time(NULL);

	fs_subtest("a ledger of another pin folder is refused whole");
	if (!led_open(&l))
		return;
	snprintf(text, sizeof(text),
		 "# floodshield ledger 2 /sys/fs/bpf/other\n"
		 "block 203.0.113.5/32 cli %lld x\n",
		 t + 3600);
	if (put_file(l.path, text)) {
		ASSERT_EQ(fs_ledger_restore(l.path, "/sys/fs/bpf/mine", &lim,
					    &l.m),
			  -EINVAL, "refused");
		ASSERT_FALSE(in_list(l.m.block, "203.0.113.5/32"), "nothing "
								   "restored");
		ASSERT_EQ(fs_ledger_restore(l.path, "/sys/fs/bpf/other", &lim,
					    &l.m),
			  1, "its own pin folder: restored");
	}

	fs_subtest("a file without the ledger header is refused whole");
	if (put_file(l.path, "block 203.0.113.6/32 cli 0 x\n"))
		ASSERT_EQ(fs_ledger_restore(l.path, "/p", &lim, &l.m), -EINVAL,
			  "refused");
	ASSERT_FALSE(in_list(l.m.block, "203.0.113.6/32"), "nothing restored");

	fs_subtest("save and restore: the header names the pin folder");
	ASSERT_EQ(fs_ledger_save(l.path, "/sys/fs/bpf/other", &l.m), 1,
		  "1 saved");
	ASSERT_EQ(fs_ledger_restore(l.path, "/sys/fs/bpf/mine", &lim, &l.m),
		  -EINVAL, "another pin folder: refused");
	led_close(&l);
}

static void ledger_hostile(void)
{
	struct fs_ledger_limits lim = {.ban_ttl_max_s = 3600,
				       .dns_ttl_max_s = 600};
	char text[4096], pad[600];
	unsigned long long now_ns;
	long long t = time(NULL);
	struct fs_ban b = {};
	struct led l;
	int n;

	fs_subtest("hostile lines refused or clamped, the good ones restored");
	if (!led_open(&l))
		return;
	/* 511 bytes of note, then a line the remainder would make */
	memset(pad, 'x', 486); /* with its 25 bytes before: 511 */
	pad[486] = '\0';
	n = snprintf(
		text, sizeof(text),
		"# floodshield ledger 2 /p\n"
		"ban 198.51.100.1/32 syn_rate 1 %lld %lld\n" /* good */
		"ban 198.51.100.2/32 syn_rate 1 %lld 99999999999999\n" /* clamp */
		"ban 198.51.100.3/32 syn_rate -1 %lld %lld\n" /* count */
		"ban 198.51.100.4/32 nosuch 1 %lld %lld\n"    /* reason */
		"ban 198.51.100.5/32 syn_rate 1 %lld 9223372036854775807\n"
		"allow 192.0.2.1/32 config 0 x\n"	  /* origin */
		"block 192.0.2.2/32 dns %lld x\n"	  /* dns blocks */
		"allow 192.0.2.3/32 dns %lld dns-entry\n" /* clamp */
		"allow 192.0.2.4/32 cli 0 esc\033[2J\n"	  /* control */
		"allow 192.0.2.5/32 cli 0 %sblock 0.0.0.0/0 cli 0 cut\n"
		"allow 192.0.2.7/32 cli 0 fine note with spaces\n"
		"block 192.0.2.8/32 cli %lld no-newline",
		t - 10, t + 600, t - 10, t - 10, t + 600, t - 10, t + 600,
		t - 10, t + 600, t + 99999999, pad, t + 600);
	if (!ASSERT_TRUE(n > 0 && n < (int)sizeof(text), "ledger text") ||
	    !put_file(l.path, text))
		goto out;
	ASSERT_EQ(fs_ledger_restore(l.path, "/p", &lim, &l.m), 4,
		  "4 restored (2 of them clamped)");
	now_ns = fs_mono_ns();
	ASSERT_TRUE(ban_of(&l, "198.51.100.1/32", &b), "good ban restored");
	ASSERT_TRUE(ban_of(&l, "198.51.100.2/32", &b) &&
			    b.expires_ns <= now_ns + 3601 * NSEC_PER_SEC,
		    "far expiry clamped to ban.ttl_max");
	ASSERT_FALSE(ban_of(&l, "198.51.100.3/32", &b), "count -1 refused");
	ASSERT_FALSE(ban_of(&l, "198.51.100.4/32", &b), "unknown reason");
	ASSERT_FALSE(ban_of(&l, "198.51.100.5/32", &b), "overflow refused");
	ASSERT_FALSE(in_list(l.m.allow, "192.0.2.1/32"), "origin config");
	ASSERT_FALSE(in_list(l.m.block, "192.0.2.2/32"), "dns block entry");
	ASSERT_TRUE(in_list(l.m.allow, "192.0.2.3/32"), "dns entry restored");
	ASSERT_FALSE(in_list(l.m.allow, "192.0.2.4/32"), "control character");
	ASSERT_FALSE(in_list(l.m.allow, "192.0.2.5/32"), "overlong line");
	ASSERT_FALSE(in_list(l.m.block, "0.0.0.0/0"), "the rest of an overlong "
						      "line is no line");
	ASSERT_TRUE(in_list(l.m.allow, "192.0.2.7/32"), "note with spaces");
	ASSERT_FALSE(in_list(l.m.block, "192.0.2.8/32"), "cut-short line");
out:
	led_close(&l);
}

static void ledger_adopt(void)
{
	char legacy[96], text[128];
	struct led l;

	fs_subtest("an older build's ledger is taken over once");
	if (!led_open(&l))
		return;
	snprintf(legacy, sizeof(legacy), "%s/%s", l.dir, FS_LEDGER_FILE);
	snprintf(text, sizeof(text), "# floodshield ledger 1\n");
	if (put_file(legacy, text)) {
		ASSERT_EQ(fs_ledger_adopt(l.dir, l.path), 1, "renamed");
		ASSERT_EQ(access(legacy, F_OK), -1, "the old name is gone");
		ASSERT_EQ(fs_ledger_adopt(l.dir, l.path), 0, "only once");
	}
	led_close(&l);
}

FS_TEST(ledger)
{
	ledger_names();
	ledger_pin_dir();
	ledger_hostile();
	ledger_adopt();
}
