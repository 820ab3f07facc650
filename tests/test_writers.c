// SPDX-License-Identifier: GPL-2.0
/* No silent protocols: an entry of a list, a ban or a served host is
 * applied by the data path whichever writer made it. Each writer adds
 * its entries to a loaded program (the CLI's commands on a pinned
 * instance, the config sync, the ledger restore, the daemon's verifier
 * against the test's own unbound, the program's own bans), then a packet
 * from that source goes through BPF_PROG_TEST_RUN and its verdict and
 * reason are checked. Every writer but the program goes through
 * loader/lists.h; a control shows that an entry written without it (no
 * prefilter bit) is not applied, which is what these tests would catch.
 */
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/bpf.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "test.h"
#include "pkt.h"
#include "xdp_env.h"
#include "http_env.h"
#include "dns_server.h"
#include "floodshield.skel.h"
#include "../loader/config.h"
#include "../loader/ledger.h"
#include "../loader/hostfp.h"
#include "../loader/hosts.h"
#include "../loader/lists.h"
#include "../loader/names.h"
#include "../loader/settings.h"
#include "../loader/sync.h"
#include "../loader/util.h"
#include "../userspace/cli/cli.h"
#include "../userspace/daemon/verifier.h"

#define PORT_HTTP 80
#define TCP_PSH	  0x08
#define POLL_MAX  100 /* verifier polls of 100 ms: 10 s at most */

/* A loaded program, pinned in its own folder for the CLI (dir set), or
 * with private maps. */
struct inst {
	struct xdp_env e;
	struct fs_map_fds m;
	char dir[64];
};

static void inst_close(struct inst *in)
{
	xe_close(&in->e);
	if (in->dir[0])
		fs_test_pins_remove(in->dir);
	in->dir[0] = '\0';
}

/* Load the program against the pins of @in->dir (none: private maps)
 * with the fake clock at the real monotonic time (the ledger and the
 * verifier write expiries from it) and port 80 as HTTP; @defaults: write
 * the default settings, as a fresh attach does. */
static bool inst_load(struct inst *in, bool defaults)
{
	struct xdp_env *e = &in->e;

	e->ncpu = libbpf_num_possible_cpus();
	e->skel = fs_skel_open(in->dir[0] ? in->dir : NULL, true);
	if (!ASSERT_TRUE(e->skel != NULL, "open the program"))
		goto fail;
	e->skel->rodata->fs_assume_connected = true;
	fs_cfg_defaults(&e->cfg);
	if (!ASSERT_OK(floodshield_bpf__load(e->skel), "load the program") ||
	    (defaults &&
	     !ASSERT_OK(fs_maps_init_defaults(
				bpf_map__fd(e->skel->maps.FS_MAP_CFG),
				bpf_map__fd(e->skel->maps.FS_MAP_SVC)),
			"defaults")) ||
	    !ASSERT_OK(xe_service(e, PORT_HTTP, FS_SVC_HTTP), "port 80 http"))
		goto fail;
	xe_clock_set(e, fs_mono_ns());
	fs_maps_from_skel(e->skel, &in->m);
	return true;
fail:
	inst_close(in);
	return false;
}

/* A fresh instance (inst_load()), pinned in a folder of its own for the
 * CLI when @pinned. */
static bool inst_open(struct inst *in, bool pinned)
{
	memset(in, 0, sizeof(*in));
	if (pinned) {
		snprintf(in->dir, sizeof(in->dir),
			 "/sys/fs/bpf/fs-test-writers-%d", (int)getpid());
		fs_test_pins_remove(in->dir);
		if (!ASSERT_OK(fs_pins_ensure(in->dir), in->dir))
			return false;
	}
	return inst_load(in, true);
}

/* A segment from @src to port 80: a SYN, or with @req a data segment
 * (PSH|ACK) carrying it. */
static bool segment(const char *src, const char *req, struct he_seg *seg)
{
	static __u16 sport = 20000;
	struct pkt_spec s = {
		.tcp_flags = req ? PKT_ACK | TCP_PSH : PKT_SYN,
		.sport = ++sport,
		.dport = PORT_HTTP,
		.seq = 1000,
		.ack = 2000,
	};

	s.family = pkt_addr(src, s.src);
	pkt_addr(s.family == 4 ? "192.0.2.1" : "2001:db8::1", s.dst);
	return ASSERT_TRUE(s.family != 0, src) &&
	       ASSERT_OK(he_build(&s, req ? req : "", req ? strlen(req) : 0,
				  seg),
			 "build segment");
}

/* Run @seg once: its XDP verdict, and in *reason the reason whose
 * counter moved by one packet (FS_R_MAX if none did). */
static int run(struct inst *in, const struct he_seg *seg,
	       enum fs_reason *reason)
{
	struct fs_counter before[FS_R_MAX], after[FS_R_MAX];
	__u8 out[PKT_MAX];
	size_t out_len = sizeof(out);
	int ret;

	*reason = FS_R_MAX;
	if (xe_counters(&in->e, before))
		return -EIO;
	ret = xe_run(&in->e, seg->buf, seg->len, out, &out_len);
	if (xe_counters(&in->e, after))
		return -EIO;
	for (unsigned r = 0; r < FS_R_MAX; r++)
		if (after[r].packets == before[r].packets + 1)
			*reason = r;
	return ret;
}

/* A segment from @src (see segment()) gets @verdict for @want. */
static bool expect(struct inst *in, const char *src, const char *req,
		   int verdict, enum fs_reason want)
{
	enum fs_reason got;
	struct he_seg seg;
	char what[128];
	bool ok;
	int ret;

	if (!segment(src, req, &seg))
		return false;
	ret = run(in, &seg, &got);
	snprintf(what, sizeof(what), "%s: verdict", src);
	ok = ASSERT_EQ(ret, verdict, what);
	snprintf(what, sizeof(what), "%s: reason %s, got %s", src,
		 fs_reason_name(want),
		 got < FS_R_MAX ? fs_reason_name(got) : "none");
	return ASSERT_EQ(got, want, what) && ok;
}

/* A SYN from @src is allowed, blocked or banned. */
static bool expect_allow(struct inst *in, const char *src)
{
	return expect(in, src, NULL, XDP_PASS, FS_R_ALLOW);
}

static bool expect_block(struct inst *in, const char *src)
{
	return expect(in, src, NULL, XDP_DROP, FS_R_BLOCK);
}

static bool expect_ban(struct inst *in, const char *src)
{
	return expect(in, src, NULL, XDP_DROP, FS_R_BAN);
}

/* A SYN from @src is in no list: it passes as a service's. */
static bool expect_none(struct inst *in, const char *src)
{
	return expect(in, src, NULL, XDP_PASS, FS_R_SERVICE);
}

#define REQ(host) "GET / HTTP/1.1\r\nHost: " host "\r\nAccept: */*\r\n\r\n"

/* The served-host check: www.example.org served, evil.example reset. */
static bool expect_hosts_checked(struct inst *in, const char *src)
{
	return expect(in, src, REQ("www.example.org"), XDP_PASS, FS_R_HTTP_OK) &
	       expect(in, src, REQ("evil.example"), XDP_PASS,
		      FS_R_HTTP_BAD_HOST);
}

/* ---- control ------------------------------------------------------------ */

/* What the rule prevents: an entry written behind the writer's back has
 * no prefilter bit, and the program skips its lookup. */
static void control(void)
{
	struct fs_list_val v = {.origin = FS_ORIGIN_CLI};
	struct fs_lpm_key k = {.prefixlen = 128};
	struct inst in;

	fs_subtest("control: an entry written raw, without its prefilter bit, "
		   "is not applied");
	if (!inst_open(&in, false))
		return;
	pkt_addr("192.0.2.5", k.addr);
	if (ASSERT_OK(bpf_map_update_elem(in.m.block, &k, &v, BPF_ANY), "raw "
									"writ"
									"e"))
		expect_none(&in, "192.0.2.5");
	fs_subtest("control: the same entry through fs_list_put() is");
	if (ASSERT_OK(fs_list_put(&in.m, FS_FILTER_BLOCK, &k, &v, BPF_ANY),
		      "fs_list_put"))
		expect_block(&in, "192.0.2.5");
	inst_close(&in);
}

/* ---- the CLI ------------------------------------------------------------ */

/* Run the command line @line (words split on spaces) in this process,
 * on the pins of @in. Its exit code. */
static int cli(struct inst *in, const char *line)
{
	struct fs_ctx ctx = {.pin_dir = in->dir, .pin_dir_set = true};
	char buf[256], *argv[16], *save = NULL;
	int argc = 0;

	snprintf(buf, sizeof(buf), "%s", line);
	for (char *w = strtok_r(buf, " ", &save); w && argc < 15;
	     w = strtok_r(NULL, " ", &save))
		argv[argc++] = w;
	argv[argc] = NULL;
	fflush(stdout);
	return fs_cmd_dispatch(&fs_cli, FS_PROG, &ctx, argc, argv);
}

static void writer_cli(void)
{
	struct inst in;

	fs_subtest("cli: allow add, block add and hosts add are applied");
	if (!inst_open(&in, true))
		return;
	expect_none(&in, "192.0.2.10");
	expect_none(&in, "2001:db8:1::10");
	expect(&in, "192.0.2.11", REQ("evil.example"), XDP_PASS, FS_R_HTTP_OK);
	if (ASSERT_OK(cli(&in, "allow add 192.0.2.10"), "allow add") &&
	    ASSERT_OK(cli(&in, "block add 2001:db8:1::/48 --reason test"),
		      "block add") &&
	    ASSERT_OK(cli(&in, "hosts add www.example.org"), "hosts add")) {
		expect_allow(&in, "192.0.2.10");
		expect_block(&in, "2001:db8:1::10");
		expect_hosts_checked(&in, "192.0.2.11");
	}
	fs_subtest("cli: block del lifts it, hosts del of the last name turns "
		   "the check off");
	if (ASSERT_OK(cli(&in, "block del 2001:db8:1::/48"), "block del") &&
	    ASSERT_OK(cli(&in, "hosts del www.example.org"), "hosts del")) {
		expect_none(&in, "2001:db8:1::10");
		expect(&in, "192.0.2.11", REQ("evil.example"), XDP_PASS,
		       FS_R_HTTP_OK);
	}
	inst_close(&in);
}

/* ---- the config sync ---------------------------------------------------- */

/* @text loaded as a configuration (written to a temporary file). */
static struct fs_conf *conf_load(const char *text)
{
	char path[] = "/tmp/fs_writers.XXXXXX", err[512];
	struct fs_conf *c = fs_conf_new();
	int fd = mkstemp(path);
	bool ok = c && fd >= 0 &&
		  write(fd, text, strlen(text)) == (ssize_t)strlen(text);

	if (fd >= 0)
		close(fd);
	if (ok && !ASSERT_OK(fs_conf_load(path, c, err, sizeof(err)), "fs_conf_"
								      "load")) {
		printf("     %s\n", err);
		ok = false;
	}
	unlink(path);
	if (!ASSERT_TRUE(ok, "configuration")) {
		fs_conf_free(c);
		return NULL;
	}
	return c;
}

static void writer_sync(void)
{
	struct fs_sync_stats st;
	struct fs_conf *c;
	struct inst in;

	fs_subtest("config sync: [allow], [block] and [hosts] are applied");
	if (!inst_open(&in, false))
		return;
	c = conf_load("[allow]\ncidr = 192.0.2.20\n"
		      "[block]\ncidr = 203.0.113.0/24\ncidr = "
		      "2001:db8:20::/48\n"
		      "[hosts]\nname = www.example.org\n");
	if (c && ASSERT_OK(fs_sync(&in.m, c, NULL, &st), "fs_sync")) {
		expect_allow(&in, "192.0.2.20");
		expect_block(&in, "203.0.113.20");
		expect_block(&in, "2001:db8:20::20");
		expect_hosts_checked(&in, "192.0.2.21");
	}
	fs_conf_free(c);
	fs_subtest("config sync: entries the file no longer lists go");
	c = conf_load("[allow]\ncidr = 192.0.2.20\n");
	if (c && ASSERT_OK(fs_sync(&in.m, c, NULL, &st), "fs_sync")) {
		expect_allow(&in, "192.0.2.20");
		expect_none(&in, "203.0.113.20");
		expect(&in, "192.0.2.21", REQ("evil.example"), XDP_PASS,
		       FS_R_HTTP_OK);
	}
	fs_conf_free(c);
	inst_close(&in);
}

/* ---- the ledger --------------------------------------------------------- */

static void writer_ledger(void)
{
	char dir[] = "/tmp/fs_writers.XXXXXX", path[64];
	struct fs_ledger_limits lim = {};
	long long t = time(NULL);
	struct inst in;
	FILE *f;

	fs_subtest("ledger restore: bans, allow and block entries are applied");
	if (!ASSERT_TRUE(mkdtemp(dir) != NULL, "mkdtemp"))
		return;
	snprintf(path, sizeof(path), "%s/%s", dir, FS_LEDGER_FILE);
	f = fopen(path, "w");
	if (!ASSERT_TRUE(f != NULL, "write the ledger"))
		goto out;
	fprintf(f, "# floodshield ledger 1\n"); /* an older build's */
	fprintf(f, "ban 198.51.100.30/32 %s 1 %lld %lld\n",
		fs_ban_reason_name(FS_BAN_HTTP_BAD), t - 10, t + 3600);
	fprintf(f, "ban 2001:db8:30::/64 %s 2 %lld %lld\n",
		fs_ban_reason_name(FS_BAN_SYN_RATE_PREFIX), t - 10, t + 3600);
	fprintf(f, "allow 2001:db8::30/128 %s 0 note\n",
		fs_origin_name(FS_ORIGIN_CLI));
	fprintf(f, "block 203.0.113.30/32 %s %lld\n",
		fs_origin_name(FS_ORIGIN_CLI), t + 3600);
	fclose(f);
	if (!inst_open(&in, false))
		goto out;
	if (ASSERT_EQ(fs_ledger_restore(path, "/any", &lim, &in.m), 4,
		      "entries restored")) {
		expect_ban(&in, "198.51.100.30");
		expect_ban(&in, "2001:db8:30::30");
		expect_allow(&in, "2001:db8::30");
		expect_block(&in, "203.0.113.30");
	}
	inst_close(&in);
out:
	unlink(path);
	rmdir(dir);
}

/* ---- the verifier ------------------------------------------------------- */

/* Whether fs_allow holds @addr/128. */
static bool allowed_in_map(struct inst *in, const char *addr)
{
	struct fs_lpm_key k = {.prefixlen = 128};
	struct fs_list_val v;

	pkt_addr(addr, k.addr);
	return bpf_map_lookup_elem(in->m.allow, &k, &v) == 0 &&
	       v.origin == FS_ORIGIN_DNS;
}

static void writer_verifier(void)
{
	struct fs_verifier *v = NULL;
	struct fs_conf *c = NULL;
	char text[256];
	struct inst in;
	sigset_t mask;
	int i;

	fs_subtest("verifier: unbound started on 127.0.0.1 and a free port");
	if (!ASSERT_OK(access(DNS_SERVER_BIN, X_OK), DNS_SERVER_BIN " (make "
								    "test-"
								    "deps)") ||
	    !dns_server_start())
		goto out;
	fs_subtest("verifier: addresses of an allow_name are allowlisted and "
		   "applied");
	if (!inst_open(&in, false))
		goto out;
	snprintf(text, sizeof(text),
		 "[dns]\nresolver = 127.0.0.1@%d\n"
		 "allow_name = multi.example.org\n",
		 dns_server_port());
	c = conf_load(text);
	v = c ? fs_verifier_new(c, &in.m) : NULL;
	if (ASSERT_TRUE(v != NULL, "fs_verifier_new")) {
		sigprocmask(SIG_SETMASK, NULL, &mask);
		for (i = 0; i < POLL_MAX && !(allowed_in_map(&in, "192.0.2."
								  "31") &&
					      allowed_in_map(&in, "2001:db8::"
								  "31"));
		     i++)
			fs_verifier_poll(v, 100, &mask, -1);
		if (ASSERT_TRUE(i < POLL_MAX, "the verifier allowlisted "
					      "them")) {
			xe_clock_set(&in.e, fs_mono_ns());
			expect_allow(&in, "192.0.2.31");
			expect_allow(&in, "198.51.100.31");
			expect_allow(&in, "2001:db8::31");
		}
	}
	fs_verifier_free(v);
	fs_conf_free(c);
	inst_close(&in);
out:
	fs_subtest("verifier: unbound stopped by its PID");
	dns_server_stop();
}

/* ---- the program's own bans --------------------------------------------- */

static void writer_program(void)
{
	static const char *const served[] = {"www.example.org"};
	enum fs_reason r = FS_R_MAX;
	struct he_seg seg;
	struct fs_ban ban;
	struct inst in;
	__u8 a[16];
	int i;

	/* The program bans on proof only (docs/threat-model.md): a SYN flood,
	 * forgeable, bans no one; its ban writer is exercised below by bad
	 * requests on connections, and by proven handshakes in test_syn.c. */
	fs_subtest("program: a SYN flood makes no ban");
	if (!inst_open(&in, false))
		return;
	if (ASSERT_OK(xe_set(&in.e, "syn.http.src=5/5"), "syn.http.src") &&
	    ASSERT_OK(xe_set(&in.e, "ban.after=3"), "ban.after")) {
		for (i = 0; i < 20; i++)
			if (segment("198.51.100.40", NULL, &seg))
				run(&in, &seg, &r);
		ASSERT_NEQ(r, FS_R_BAN,
			   "the 20th SYN is not dropped as banned");
		pkt_addr("198.51.100.40", a);
		ASSERT_EQ(xe_ban_get(&in.e, a, 128, &ban), -ENOENT,
			  "no fs_bans entry");
	}
	inst_close(&in);

	fs_subtest("program: a bad-request ban is applied to the next packet");
	if (!inst_open(&in, false))
		return;
	pkt_addr("2001:db8::40", a);
	if (ASSERT_OK(he_hosts_add(&in.e, served, 1), "served host") &&
	    ASSERT_OK(xe_set(&in.e, "http.bad.src=1/3"), "http.bad.src")) {
		for (i = 0; i < 10 && xe_ban_get(&in.e, a, 128, &ban); i++)
			if (segment("2001:db8::40", REQ("evil.example"), &seg))
				run(&in, &seg, &r);
		ASSERT_OK(xe_ban_get(&in.e, a, 128, &ban), "bad requests until "
							   "banned");
		expect_ban(&in, "2001:db8::40");
		expect_none(&in, "2001:db8::41");
	}
	inst_close(&in);
}

/* ---- upgrade ------------------------------------------------------------ */

/* The value size of the map pinned at @dir/@name, or -errno. */
static long pinned_value_size(const char *dir, const char *name)
{
	struct bpf_map_info mi = {};
	__u32 len = sizeof(mi);
	char path[128];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = bpf_obj_get(path);
	if (fd < 0)
		return -errno;
	if (bpf_obj_get_info_by_fd(fd, &mi, &len))
		mi.value_size = 0;
	close(fd);
	return mi.value_size;
}

/* Pins as an older build left them: fs_hostfp without its flags header
 * (8 bytes shorter), fs_cfg with the served-host bits it kept there. */
static bool pin_older_build(struct inst *in)
{
	const __u32 old_size = sizeof(struct fs_hostfp) - 8;
	LIBBPF_OPTS(bpf_map_create_opts, o, .map_flags = BPF_F_MMAPABLE);
	struct fs_map_fds m;
	struct fs_cfg cfg;
	char path[128];
	__u32 zero = 0;
	int fd;
	bool ok;

	snprintf(path, sizeof(path), "%s/%s", in->dir, FS_STR(FS_MAP_HOSTFP));
	fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, FS_STR(FS_MAP_HOSTFP), 4,
			    old_size, 1, &o);
	ok = ASSERT_TRUE(fd >= 0, "old fs_hostfp") &&
	     ASSERT_OK(unlink(path), "unpin fs_hostfp") &&
	     ASSERT_OK(bpf_obj_pin(fd, path), "pin the old fs_hostfp");
	if (fd >= 0)
		close(fd);
	if (!ok || !ASSERT_OK(fs_maps_open_all(in->dir, &m), "open the pins"))
		return false;
	ok = ASSERT_OK(bpf_map_lookup_elem(m.cfg, &zero, &cfg), "read fs_cfg");
	cfg.http_flags |= FS_HTTP_RETIRED;
	ok = ok && ASSERT_OK(bpf_map_update_elem(m.cfg, &zero, &cfg, BPF_ANY),
			     "old served-host bits in fs_cfg");
	fs_maps_close_all(&m);
	return ok;
}

/* A folder of pins an older build made (the served hosts in it, and the
 * host bits in fs_cfg): a new writer refuses the old print table rather
 * than write a name the program would not see; the next load replaces
 * it and rebuilds the bits and prints from fs_hosts; this build's
 * program reads them there and ignores fs_cfg's old bits (cleared only
 * after an attach, tests/ns/10_shield.sh), keeping the user's policy
 * bits. */
static void upgrade(void)
{
	struct fs_host_key k;
	struct fs_host_val v;
	struct fs_map_fds m;
	struct fs_cfg cfg, def;
	char err[160];
	__u32 zero = 0, flags = 0;
	struct inst in;
	bool fresh;

	fs_cfg_defaults(&def);
	fs_subtest("upgrade: pins of an older build with the host bits in "
		   "fs_cfg");
	memset(&in, 0, sizeof(in));
	snprintf(in.dir, sizeof(in.dir), "/sys/fs/bpf/fs-test-writers-up-%d",
		 (int)getpid());
	fs_test_pins_remove(in.dir);
	if (!ASSERT_OK(fs_pins_ensure(in.dir), in.dir) ||
	    !ASSERT_OK(fs_maps_create(in.dir, &fresh), "create the pins") ||
	    !ASSERT_OK(fs_maps_open_all(in.dir, &m), "open the pins"))
		goto out;
	if (ASSERT_OK(fs_host_key("www.example.org", &k, &v, err, sizeof(err)),
		      "key"))
		ASSERT_OK(fs_host_put(&m, &k, &v), "served host");
	ASSERT_OK(fs_hosts_done(&m), "prints");
	ASSERT_OK(bpf_map_lookup_elem(m.cfg, &zero, &cfg), "read fs_cfg");
	cfg.http_flags |= FS_HTTP_RESET_IP_HOST;
	ASSERT_OK(bpf_map_update_elem(m.cfg, &zero, &cfg, BPF_ANY), "http.ip_"
								    "host="
								    "reset");
	fs_maps_close_all(&m);
	if (!pin_older_build(&in))
		goto out;

	fs_subtest("upgrade: a writer refuses the older print table (-ESTALE)");
	if (ASSERT_OK(fs_maps_open_all(in.dir, &m), "open the pins")) {
		ASSERT_EQ(fs_host_put(&m, &k, &v), -ESTALE, "fs_host_put");
		fs_maps_close_all(&m);
	}

	fs_subtest("upgrade: the load replaces fs_hostfp and rebuilds its "
		   "bits");
	if (!ASSERT_OK(fs_maps_create(in.dir, &fresh), "load against the old "
						       "pins"))
		goto out;
	ASSERT_EQ(pinned_value_size(in.dir, FS_STR(FS_MAP_HOSTFP)),
		  sizeof(struct fs_hostfp), "fs_hostfp of this build");
	if (ASSERT_OK(fs_maps_open_all(in.dir, &m), "open the pins")) {
		if (ASSERT_OK(fs_hostfp_flags(m.hostfp, &flags), "read the "
								 "host bits"))
			ASSERT_EQ(flags, FS_HOSTS_CHECK | FS_HOSTS_PRINTS,
				  "check and prints");
		/* an older program may still read them until it is replaced */
		if (ASSERT_OK(bpf_map_lookup_elem(m.cfg, &zero, &cfg), "read "
								       "fs_"
								       "cfg"))
			ASSERT_EQ(cfg.http_flags,
				  def.http_flags | FS_HTTP_RESET_IP_HOST |
					  FS_HTTP_RETIRED,
				  "fs_cfg kept as it was (the default "
				  "policies, ip_host, the old bits)");
		fs_maps_close_all(&m);
	}

	fs_subtest("upgrade: the program on those pins checks the served host, "
		   "ignoring fs_cfg's old bits");
	if (inst_load(&in, false)) {
		expect_hosts_checked(&in, "192.0.2.50");
		/* an IP-literal Host follows http.ip_host when it names one
		 * of the server's own addresses (fs_own) */
		ASSERT_OK(xe_own(&in.e, "192.0.2.1"), "own address");
		expect(&in, "192.0.2.50", REQ("192.0.2.1"), XDP_PASS,
		       FS_R_HTTP_IP_HOST);
		xe_close(&in.e);
	}
out:
	fs_test_pins_remove(in.dir);
}

FS_TEST(writers)
{
	control();
	writer_cli();
	writer_sync();
	writer_ledger();
	writer_verifier();
	writer_program();
	upgrade();
}
