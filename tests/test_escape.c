// SPDX-License-Identifier: GPL-2.0
/* Bytes from the network in the output: the one text escape and the one
 * JSON escape (loader/util.h), and `explain` printing a hostile EHLO
 * name, PTR name and note from real pinned maps, in text and JSON. */
#include <stdlib.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include "test.h"
#include "../loader/util.h"
#include "../loader/loader.h"
#include "../loader/lists.h"
#include "../loader/addr.h"

#define FS_BIN "build/floodshield"

/* json_strn of @n bytes of @s, into @out. */
static void json_of(const char *s, size_t n, char *out, size_t len)
{
	FILE *f = fmemopen(out, len, "w");

	out[0] = '\0';
	if (!f)
		return;
	json_strn(f, s, n);
	fclose(f);
}

/* Hostile bytes: a terminal title, screen clear and colour (OSC, CSI),
 * NUL, DEL, a C1 CSI, invalid UTF-8, quotes and backslashes. */
static const char hostile[] = "\x1b]0;PWNED\x07\x1b[2J\"q\"\\b\0n\x7f"
			      "\xc2\x9b\xff\xfe\xc3(\xe2\x82\xac";
#define HOSTILE_LEN (sizeof(hostile) - 1)

FS_TEST(escape)
{
	char out[512];

	fs_subtest("text: no control byte left, every byte readable back");
	fs_text_escn(hostile, HOSTILE_LEN, out, sizeof(out));
	ASSERT_STREQ(out,
		     "\\x1b]0;PWNED\\x07\\x1b[2J\"q\"\\\\b\\x00n\\x7f"
		     "\\xc2\\x9b\\xff\\xfe\\xc3(\\xe2\\x82\\xac",
		     "escaped");
	fs_text_esc("mx.example.org", out, sizeof(out));
	ASSERT_STREQ(out, "mx.example.org", "a plain name is unchanged");

	fs_subtest("text: cut at a whole escape");
	fs_text_escn("ab\x1b", 3, out, 5);
	ASSERT_STREQ(out, "ab", "\\x1b does not fit in 2 more bytes");
	fs_text_escn("\x01\x02", 2, out, FS_ESC_LEN(2));
	ASSERT_STREQ(out, "\\x01\\x02", "FS_ESC_LEN fits the worst case");

	fs_subtest("JSON: valid whatever the bytes");
	json_of(hostile, HOSTILE_LEN, out, sizeof(out));
	ASSERT_STREQ(out,
		     "\"\\u001b]0;PWNED\\u0007\\u001b[2J\\\"q\\\"\\\\b\\u0000n"
		     "\\u007f\\u009b\\ufffd\\ufffd\\ufffd(\xe2\x82\xac\"",
		     "escaped");
	json_of("\xed\xa0\x80\xc0\xaf\xf4\x90\x80\x80", 9, out, sizeof(out));
	ASSERT_STREQ(out,
		     "\"\\ufffd\\ufffd\\ufffd\\ufffd\\ufffd\\ufffd\\ufffd"
		     "\\ufffd\\ufffd\"",
		     "surrogate, overlong, past U+10FFFF: each byte replaced");
	json_of("\xf0\x9f\x98\x80", 4, out, sizeof(out));
	ASSERT_STREQ(out, "\"\xf0\x9f\x98\x80\"", "valid 4-byte UTF-8 kept");
}

/* A private pin folder with an address whose DNS verdict carries the
 * hostile bytes as its EHLO and PTR name, and an allow entry with them
 * as its note. */
static int hostile_pins(const char *pin)
{
	struct fs_map_fds m;
	struct fs_dns_val d = {.class = FS_DNS_FAILED};
	struct fs_lpm_key k = {.prefixlen = 128};
	struct fs_list_val v = {.origin = FS_ORIGIN_DNS};
	char err[128];
	bool fresh;
	int rc;

	if (fs_maps_create(pin, &fresh) || fs_maps_open_all(pin, &m))
		return -1;
	fs_addr_parse("192.0.2.77", k.addr, err, sizeof(err));
	memcpy(d.ehlo, hostile, HOSTILE_LEN);
	memcpy(d.name, hostile,
	       sizeof(d.name) - 1 < HOSTILE_LEN ? sizeof(d.name) - 1
						: HOSTILE_LEN);
	memcpy(v.note, "\x1b[31mroot# \x1b[0m", 16);
	d.checked_ns = d.expires_ns = 0;
	rc = bpf_map_update_elem(m.dns, k.addr, &d, BPF_ANY) ||
	     bpf_map_update_elem(m.allow, &k, &v, BPF_ANY);
	fs_maps_close_all(&m);
	return rc ? -1 : 0;
}

/* stdout of `floodshield -p PIN ARGS` into @out. */
static int run_cli(const char *pin, const char *args, char *out, size_t len)
{
	char cmd[512];
	FILE *p;
	size_t n;

	snprintf(cmd, sizeof(cmd), FS_BIN " -p %s %s 2>/dev/null", pin, args);
	p = popen(cmd, "r");
	if (!p)
		return -1;
	n = fread(out, 1, len - 1, p);
	out[n] = '\0';
	return pclose(p);
}

static bool has_control(const char *s)
{
	for (; *s; s++)
		if (((unsigned char)*s < 0x20 && *s != '\n') || *s == 0x7f)
			return true;
	return false;
}

FS_TEST(escape_explain)
{
	char pin[64], out[4096], path[128];
	FILE *f;

	fs_subtest("explain: a hostile EHLO, PTR name and note, escaped");
	if (!ASSERT_OK(access(FS_BIN, X_OK), FS_BIN " built"))
		return;
	snprintf(pin, sizeof(pin), "/sys/fs/bpf/fs-test-esc-%d", getpid());
	if (!ASSERT_OK(hostile_pins(pin), "private pins with hostile names"))
		goto out;
	ASSERT_OK(run_cli(pin, "explain 192.0.2.77", out, sizeof(out)), "explai"
									"n");
	ASSERT_FALSE(has_control(out), "no control byte in the text output");
	ASSERT_TRUE(strstr(out, "\nehlo       "
				"\\x1b]0;PWNED\\x07\\x1b[2J\"q\"\\\\b"
				"\\x00n\\x7f\\xc2\\x9b\\xff\\xfe\\xc3(\\xe2"
				"\\x82\\xac\n") != NULL,
		    "the EHLO line, NUL included");
	ASSERT_TRUE(strstr(out, ": \\x1b[31mroot# \\x1b[0m\n") != NULL, "the "
									"note");

	fs_subtest("explain -j: valid JSON, the EHLO's bytes kept");
	ASSERT_OK(run_cli(pin, "-j explain 192.0.2.77", out, sizeof(out)), "exp"
									   "lai"
									   "n "
									   "-"
									   "j");
	ASSERT_FALSE(has_control(out), "no control byte in the JSON output");
	snprintf(path, sizeof(path), "/tmp/fs-test-esc-%d.json", getpid());
	f = fopen(path, "w");
	if (f) {
		fputs(out, f);
		fclose(f);
	}
	ASSERT_EQ(fs_sh("python3 -c 'import json,sys; "
			"d=json.load(open(\"%s\"));"
			" sys.exit(0 if d[\"dns\"][\"ehlo\"].startswith("
			"\"\\x1b]0;PWNED\") and \"\\x00n\" in "
			"d[\"dns\"][\"ehlo\"]"
			" else 1)'",
			path),
		  0, "python's json parses it; ESC and NUL decode back");
	unlink(path);
out:
	fs_sh("rm -rf %s", pin);
}
