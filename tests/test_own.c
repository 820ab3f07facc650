// SPDX-License-Identifier: GPL-2.0
/* The server's own addresses (fs_own, http.own: loader/own.h) in real
 * maps: the config sync makes fs_own the configured addresses and those
 * of the shielded interfaces, and follows them; an attach adds the
 * attached interfaces' addresses; `hosts own` and `status` show them.
 * And `hosts import` sets http.server through the path of `set`.
 *
 * The interface cases run in a network namespace of their own (this
 * thread unshares one and returns to its own after), with a veth pair
 * made there: nothing is attached outside it, and the namespace and its
 * veth go when the test leaves it.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdlib.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "test.h"
#include "pkt.h"
#include "xdp_env.h"
#include "floodshield.skel.h"
#include "../loader/addr.h"
#include "../loader/config.h"
#include "../loader/ledger.h"
#include "../loader/lists.h"
#include "../loader/own.h"
#include "../loader/settings.h"
#include "../loader/sync.h"
#include "../userspace/cli/cli.h"

#define IF_A "fsown0" /* the shielded end of the veth pair */
#define IF_B "fsown1"

/* ---- helpers ------------------------------------------------------------ */

static struct fs_addr_key key_of(const char *addr)
{
	struct fs_addr_key k = {};

	pkt_addr(addr, k.addr);
	return k;
}

/* fs_own @fd holds exactly the @n addresses of @want. */
static bool own_is(int fd, const char *const *want, size_t n)
{
	struct fs_addr_set got = {};
	bool ok = ASSERT_OK(fs_own_read(fd, &got), "read fs_own");

	for (size_t i = 0; ok && i < n; i++) {
		struct fs_addr_key k = key_of(want[i]);

		ok &= ASSERT_TRUE(fs_addr_set_has(&got, &k), want[i]);
	}
	ok = ok && ASSERT_EQ(got.n, n, "fs_own entries");
	fs_addr_set_free(&got);
	return ok;
}

/* Whether fs_own @fd holds @addr. */
static bool own_has(int fd, const char *addr)
{
	struct fs_addr_key k = key_of(addr);
	__u32 v = 0;

	return bpf_map_lookup_elem(fd, &k, &v) == 0 && v == 1;
}

/* @text loaded as a configuration (written to a temporary file). */
static struct fs_conf *conf_load(const char *text)
{
	char path[] = "/tmp/fs_own.XXXXXX", err[512];
	struct fs_conf *c = fs_conf_new();
	int fd = mkstemp(path);
	bool ok = c && fd >= 0 &&
		  write(fd, text, strlen(text)) == (ssize_t)strlen(text);

	if (fd >= 0)
		close(fd);
	if (ok && fs_conf_load(path, c, err, sizeof(err))) {
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

/* Run the command line @line (words split on spaces) in this process
 * on the pins of @dir, its standard output into @out (@len bytes, NUL
 * terminated; NULL: left alone). Its exit code. */
static int cli(const char *dir, const char *line, char *out, size_t len)
{
	struct fs_ctx ctx = {.pin_dir = dir, .pin_dir_set = true};
	char buf[256], *argv[16], *save = NULL, path[] = "/tmp/fs_own.XXXXXX";
	int argc = 0, rc, saved = -1, fd = -1;
	ssize_t n;

	snprintf(buf, sizeof(buf), "%s", line);
	for (char *w = strtok_r(buf, " ", &save); w && argc < 15;
	     w = strtok_r(NULL, " ", &save))
		argv[argc++] = w;
	argv[argc] = NULL;
	fflush(stdout);
	if (out) {
		fd = mkstemp(path);
		saved = dup(STDOUT_FILENO);
		if (fd < 0 || saved < 0 || dup2(fd, STDOUT_FILENO) < 0)
			return -1;
	}
	rc = fs_cmd_dispatch(&fs_cli, FS_PROG, &ctx, argc, argv);
	if (out) {
		fflush(stdout);
		dup2(saved, STDOUT_FILENO);
		close(saved);
		n = pread(fd, out, len - 1, 0);
		out[n > 0 ? n : 0] = '\0';
		close(fd);
		unlink(path);
	}
	return rc;
}

/* Pins of a fresh shield in a folder of its own (@dir, 64 bytes), the
 * program loaded and unloaded once (nothing attached). */
static bool pins_make(char *dir, const char *what)
{
	bool fresh;

	snprintf(dir, 64, "/sys/fs/bpf/fs-test-own-%s-%d", what, (int)getpid());
	fs_test_pins_remove(dir);
	return ASSERT_OK(fs_pins_ensure(dir), dir) &&
	       ASSERT_OK(fs_maps_create(dir, &fresh), "create the pins");
}

/* ---- the config sync ---------------------------------------------------- */

static void own_sync(void)
{
	static const char *const first[] = {"192.0.2.80", "2001:db8::80",
					    "198.51.100.80", "203.0.113.9",
					    "2001:db8:9::9"};
	static const char *const second[] = {"2001:db8::80", "203.0.113.10"};
	struct fs_addr_set ifaces = {};
	struct fs_sync_stats st;
	struct fs_map_fds m;
	struct fs_conf *c;
	struct xdp_env e;
	struct fs_addr_key k;

	fs_subtest("sync: fs_own holds the configured and the interfaces' "
		   "addresses");
	if (!ASSERT_OK(xe_open(&e), "load the program"))
		return;
	fs_maps_from_skel(e.skel, &m);
	k = key_of("203.0.113.9");
	fs_addr_set_add(&ifaces, &k);
	k = key_of("2001:db8:9::9");
	fs_addr_set_add(&ifaces, &k);
	k = key_of("192.0.2.80"); /* configured and an interface's: once */
	fs_addr_set_add(&ifaces, &k);
	c = conf_load("[hosts]\nown = 192.0.2.80 2001:db8::80\n"
		      "own = 198.51.100.80\n");
	if (c && ASSERT_OK(fs_sync(&m, c, &ifaces, &st), "fs_sync"))
		own_is(m.own, first, 5);
	fs_conf_free(c);

	fs_subtest("sync: addresses neither configured nor an interface's "
		   "any more go");
	fs_addr_set_free(&ifaces);
	k = key_of("203.0.113.10");
	fs_addr_set_add(&ifaces, &k);
	c = conf_load("[hosts]\nown = 2001:db8::80\n");
	if (c && ASSERT_OK(fs_sync(&m, c, &ifaces, &st), "fs_sync")) {
		own_is(m.own, second, 2);
		ASSERT_EQ(st.removed, 4, "4 removed");
	}
	fs_conf_free(c);

	fs_subtest("sync: more than fs_own holds is refused, nothing changes");
	fs_addr_set_free(&ifaces);
	for (unsigned i = 0; i < FS_OWN_MAX; i++) {
		k = key_of("2001:db8:1::");
		k.addr[14] = i >> 8;
		k.addr[15] = i & 0xff;
		fs_addr_set_add(&ifaces, &k);
	}
	c = conf_load("[hosts]\nown = 192.0.2.80\n");
	if (c) {
		ASSERT_EQ(fs_sync(&m, c, &ifaces, &st), -ENOSPC, "fs_sync");
		own_is(m.own, second, 2);
	}
	fs_conf_free(c);
	fs_addr_set_free(&ifaces);

	fs_subtest("sync: no interface, nothing configured: fs_own is empty");
	c = conf_load("[hosts]\n");
	if (c && ASSERT_OK(fs_sync(&m, c, NULL, &st), "fs_sync"))
		own_is(m.own, NULL, 0);
	fs_conf_free(c);
	xe_close(&e);
}

/* ---- interfaces, attach ------------------------------------------------- */

/* This thread into a new network namespace with the veth pair IF_A (its
 * addresses 192.0.2.1/24 and 2001:db8::1/64) and IF_B, lo up. *back:
 * the namespace to return to (netns_leave()). */
static bool netns_enter(int *back)
{
	*back = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (!ASSERT_TRUE(*back >= 0, "open our network namespace"))
		return false;
	if (!ASSERT_OK(unshare(CLONE_NEWNET), "unshare(CLONE_NEWNET)")) {
		close(*back);
		*back = -1;
		return false;
	}
	return ASSERT_OK(fs_sh("ip link set lo up && "
			       "ip link add " IF_A " type veth peer name " IF_B
			       " && ip addr add 192.0.2.1/24 dev " IF_A
			       " && ip -6 addr add 2001:db8::1/64 dev " IF_A
			       " nodad && ip link set " IF_A " up && "
			       "ip link set " IF_B " up"),
			 "veth pair with addresses");
}

static void netns_leave(int back)
{
	if (back < 0)
		return;
	ASSERT_OK(setns(back, CLONE_NEWNET), "back to our network namespace");
	close(back);
}

/* The attached interfaces, their addresses now, and a sync with them:
 * what the daemon does at its start and at each reload. */
static void daemon_like(const char *dir)
{
	static const char *const want[] = {"192.0.2.2", "2001:db8::1",
					   "198.51.100.80"};
	struct fs_ifnames *names = calloc(1, sizeof(*names));
	struct fs_addr_set addrs = {};
	struct fs_sync_stats st;
	struct fs_conf *c = NULL;
	struct fs_map_fds m;

	fs_subtest("daemon: the shielded interfaces, their addresses now, "
		   "the configured ones");
	if (!ASSERT_TRUE(names != NULL, "calloc") ||
	    !ASSERT_OK(fs_own_attached(names), "fs_own_attached"))
		goto out;
	if (ASSERT_EQ(names->n, 1, "one interface attached"))
		ASSERT_STREQ(names->name[0], IF_A, "the veth");
	ASSERT_OK(fs_sh("ip addr del 192.0.2.1/24 dev " IF_A " && ip addr add "
			"192.0.2.2/24 "
			"dev " IF_A),
		  "its IPv4 address changed");
	if (!ASSERT_OK(fs_own_iface_addrs(&addrs, names), "addresses"))
		goto out;
	c = conf_load("[hosts]\nown = 198.51.100.80\n");
	if (!c || !ASSERT_OK(fs_maps_open_all(dir, &m), "open the pins"))
		goto out;
	if (ASSERT_OK(fs_sync(&m, c, &addrs, &st), "fs_sync")) {
		/* and whatever link-local address the veth has by now */
		for (size_t i = 0; i < 3; i++)
			ASSERT_TRUE(own_has(m.own, want[i]), want[i]);
		ASSERT_FALSE(own_has(m.own, "192.0.2.1"), "the old address");
		ASSERT_FALSE(own_has(m.own, "127.0.0.1"), "lo's (not "
							  "shielded)");
		ASSERT_EQ(st.removed, 1, "one removed");
	}
	fs_maps_close_all(&m);
out:
	fs_conf_free(c);
	fs_addr_set_free(&addrs);
	free(names);
}

static void own_attach(void)
{
	char dir[64], out[4096];
	int back = -1, fd;

	fs_subtest("attach: the shielded interface's addresses are own");
	snprintf(dir, sizeof(dir), "/sys/fs/bpf/fs-test-own-attach-%d",
		 (int)getpid());
	fs_test_pins_remove(dir);
	if (!ASSERT_OK(fs_pins_ensure(dir), dir) || !netns_enter(&back))
		goto out;
	setenv("LIBXDP_SKIP_DISPATCHER", "1", 1);
	if (!ASSERT_OK(cli(dir, "attach " IF_A " --mode generic", NULL, 0),
		       "attach"))
		goto out;
	fd = fs_map_open(dir, FS_STR(FS_MAP_OWN));
	if (ASSERT_TRUE(fd >= 0, "open fs_own")) {
		ASSERT_TRUE(own_has(fd, "192.0.2.1"), "192.0.2.1");
		ASSERT_TRUE(own_has(fd, "2001:db8::1"), "2001:db8::1");
		ASSERT_FALSE(own_has(fd, "127.0.0.1"), "lo's (not shielded)");
		ASSERT_FALSE(own_has(fd, "::1"), "lo's ::1 (not shielded)");
		close(fd);
	}

	fs_subtest("attach: hosts own and status show them");
	if (ASSERT_OK(cli(dir, "hosts own", out, sizeof(out)), "hosts own"))
		ASSERT_TRUE(strstr(out, "192.0.2.1\n") && strstr(out, "2001:"
								      "db8::"
								      "1\n"),
			    out);
	if (ASSERT_OK(cli(dir, "-j status", out, sizeof(out)), "status -j"))
		ASSERT_TRUE(strstr(out, "\"own\":[") &&
				    strstr(out, "\"192.0.2.1\"") &&
				    strstr(out, "\"2001:db8::1\""),
			    out);
	if (ASSERT_OK(cli(dir, "status", out, sizeof(out)), "status"))
		ASSERT_TRUE(strstr(out, "own addresses (http.own): ") != NULL,
			    out);

	daemon_like(dir);
	ASSERT_OK(cli(dir, "detach " IF_A, NULL, 0), "detach");
out:
	unsetenv("LIBXDP_SKIP_DISPATCHER");
	netns_leave(back);
	fs_test_pins_remove(dir);
}

/* ---- hosts import sets http.server -------------------------------------- */

static const char nginx_dump[] = "# configuration file "
				 "/etc/nginx/sites-enabled/default:\n"
				 "server {\n\tlisten 80;\n\tserver_name "
				 "www.example.org web01;\n}\n";
static const char apache_dump[] = "VirtualHost configuration:\n"
				  "*:80                   is a "
				  "NameVirtualHost\n"
				  "         default server www.example.org "
				  "(/etc/apache2/sites-enabled/"
				  "000-default.conf:1)\n"
				  "         port 80 namevhost www.example.org "
				  "(/etc/apache2/"
				  "sites-enabled/000-default.conf:1)\n";

/* http.server in the settings pinned in @dir, or -1. */
static int http_server(const char *dir)
{
	int fd = fs_map_open(dir, FS_STR(FS_MAP_CFG));
	struct fs_cfg cfg;
	__u32 zero = 0;
	int r = -1;

	if (fd >= 0 && bpf_map_lookup_elem(fd, &zero, &cfg) == 0)
		r = cfg.http_server;
	if (fd >= 0)
		close(fd);
	return r;
}

static bool write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	bool ok = f && fputs(text, f) >= 0;

	return f && fclose(f) == 0 && ok;
}

static void import_server(void)
{
	char dir[64], out[4096], cmd[256], path[] = "/tmp/fs_own.XXXXXX";
	int fd = mkstemp(path);

	fs_subtest("hosts import nginx: refused, nothing changed");
	if (fd >= 0)
		close(fd);
	if (!ASSERT_TRUE(fd >= 0, "temporary file") ||
	    !pins_make(dir, "import") ||
	    !ASSERT_EQ(http_server(dir), FS_HTTP_SERVER_BOTH, "default both"))
		goto out;
	/* its only server is the default of *:80: it answers every Host */
	snprintf(cmd, sizeof(cmd), "hosts import nginx --from %s", path);
	if (ASSERT_TRUE(write_file(path, nginx_dump), "nginx -T dump") &&
	    ASSERT_EQ(cli(dir, cmd, out, sizeof(out)), EXIT_FAIL,
		      "refused: a default server")) {
		ASSERT_EQ(http_server(dir), FS_HTTP_SERVER_BOTH,
			  "http.server unchanged");
		if (ASSERT_OK(cli(dir, "hosts list", out, sizeof(out)), "hosts "
									"list"))
			ASSERT_STREQ(out, "", "no name added");
	}
	fs_subtest("hosts import nginx --force: the names, and "
		   "http.server=nginx");
	snprintf(cmd, sizeof(cmd), "hosts import nginx --force --from %s",
		 path);
	if (ASSERT_OK(cli(dir, cmd, out, sizeof(out)), cmd)) {
		ASSERT_TRUE(strstr(out, "host web01 added\n") != NULL, out);
		ASSERT_TRUE(strstr(out, "imported 2 names from nginx (1 not "
					"expressible, --force, 0 listed") &&
				    strstr(out, "\nhttp.server=nginx "),
			    out);
		ASSERT_EQ(http_server(dir), FS_HTTP_SERVER_NGINX, "nginx");
		if (ASSERT_OK(cli(dir, "show", out, sizeof(out)), "show"))
			ASSERT_TRUE(strstr(out, "http.server=nginx\n") != NULL,
				    out);
	}

	fs_subtest("hosts import apache -j --force: http.server=apache");
	snprintf(cmd, sizeof(cmd), "-j hosts import apache --force --from %s",
		 path);
	if (ASSERT_TRUE(write_file(path, apache_dump), "apachectl -S dump") &&
	    ASSERT_OK(cli(dir, cmd, out, sizeof(out)), cmd)) {
		ASSERT_TRUE(strstr(out, "\"gaps\":1,\"forced\":true,"
					"\"listed\":0,"
					"\"http.server\":\"apache\"}") != NULL,
			    out);
		ASSERT_EQ(http_server(dir), FS_HTTP_SERVER_APACHE, "apache");
	}

	fs_subtest("hosts add: a name ending in a digit, never an address");
	ASSERT_OK(cli(dir, "hosts add host1.example.org node7", NULL, 0),
		  "host1.example.org node7");
	ASSERT_EQ(cli(dir, "hosts add www.example.net 192.0.2.1", NULL, 0),
		  EXIT_USAGE, "192.0.2.1 refused");
	ASSERT_EQ(cli(dir, "hosts add [2001:db8::1]", NULL, 0), EXIT_USAGE,
		  "[2001:db8::1] refused");
	if (ASSERT_OK(cli(dir, "hosts list", out, sizeof(out)), "hosts list"))
		ASSERT_TRUE(strstr(out, "node7\n") && !strstr(out, "www."
								   "example."
								   "net"),
			    out);
out:
	unlink(path);
	fs_test_pins_remove(dir);
}

/* ---- one owner per setting --------------------------------------------- */

/* The settings @dir's CLI `show` prints hold @line (as "KEY=VALUE\n"). */
static bool shows(const char *dir, const char *line)
{
	char out[8192], want[128];

	snprintf(want, sizeof(want), "%s\n", line);
	return cli(dir, "show", out, sizeof(out)) == 0 && strstr(out, want);
}

static bool host_listed(const char *dir, const char *name)
{
	char out[2048], want[128];

	snprintf(want, sizeof(want), "%s\n", name);
	return cli(dir, "hosts list", out, sizeof(out)) == 0 &&
	       strstr(out, want);
}

static const char owner_conf[] = "[observe]\nall = off\n"
				 "[hosts]\nname = www.example.org\n";

/* The file owns what it sets; the CLI owns the rest of what it changes,
 * and a sync (the daemon's start, a reload) keeps that. */
static void owner_sync(void)
{
	char dir[64];
	struct fs_sync_stats st;
	struct fs_map_fds m;
	struct fs_conf *c = NULL, *c2 = NULL;

	fs_subtest("owner: the CLI is refused what the file sets");
	if (!pins_make(dir, "owner") ||
	    !ASSERT_OK(fs_maps_open_all(dir, &m), "open the pins"))
		goto out;
	c = conf_load(owner_conf);
	if (!c || !ASSERT_OK(fs_sync(&m, c, NULL, &st), "fs_sync"))
		goto close;
	ASSERT_EQ(cli(dir, "set observe=on", NULL, 0), EXIT_FAIL,
		  "set observe=on refused");
	ASSERT_TRUE(shows(dir, "observe=off"), "observe stays off");
	ASSERT_EQ(cli(dir, "hosts del www.example.org", NULL, 0), EXIT_FAIL,
		  "hosts del of the file's host refused");
	ASSERT_EQ(cli(dir, "hosts add www.example.org", NULL, 0), EXIT_FAIL,
		  "hosts add of the file's host refused");
	ASSERT_EQ(cli(dir, "ports set 8443 http", NULL, 0), EXIT_FAIL,
		  "ports set refused: the file owns the services table");

	fs_subtest("owner: what the CLI changes survives a reload");
	ASSERT_OK(cli(dir, "set syn.tcp.src=500/1000", NULL, 0), "set");
	ASSERT_OK(cli(dir, "hosts add shop.example.org", NULL, 0), "hosts add");
	ASSERT_OK(fs_sync(&m, c, NULL, &st), "fs_sync again (a reload)");
	ASSERT_TRUE(shows(dir, "syn.tcp.src=500/1000"), "the CLI's rate stays");
	ASSERT_TRUE(shows(dir, "observe=off"), "the file's observe");
	ASSERT_TRUE(host_listed(dir, "shop.example.org"), "the CLI's host");
	ASSERT_TRUE(host_listed(dir, "www.example.org"), "the file's host");
	ASSERT_OK(cli(dir, "hosts del shop.example.org", NULL, 0), "the CLI "
								   "deletes "
								   "its own "
								   "host");

	fs_subtest("owner: a key the file sets later is the file's (logged)");
	c2 = conf_load("[observe]\nall = off\n[limits]\nsyn.tcp.src = 30/60\n"
		       "[hosts]\nname = www.example.org\n");
	if (c2 && ASSERT_OK(fs_sync(&m, c2, NULL, &st), "fs_sync")) {
		ASSERT_TRUE(shows(dir, "syn.tcp.src=30/60"), "the file's rate");
		ASSERT_EQ(cli(dir, "set syn.tcp.src=500/1000", NULL, 0),
			  EXIT_FAIL, "and the CLI is refused it now");
	}
close:
	fs_maps_close_all(&m);
out:
	fs_conf_free(c);
	fs_conf_free(c2);
	fs_test_pins_remove(dir);
}

/* A newer build replaced fs_cfg with the defaults (another layout, pins
 * kept): the ledger's "set" lines (@path) bring the CLI's settings back
 * before the start's sync (@c). */
static void owner_replaced(const char *dir, const char *path,
			   const struct fs_map_fds *m, const struct fs_conf *c)
{
	struct fs_sync_stats st;
	struct fs_cfg def;
	__u32 zero = 0;

	fs_subtest("owner: the CLI's settings back after a newer build "
		   "replaced fs_cfg with the defaults");
	fs_cfg_defaults(&def); /* what drop_stale_pins() leaves */
	ASSERT_OK(bpf_map_update_elem(m->cfg, &zero, &def, BPF_ANY), "fs_cfg "
								     "replace"
								     "d");
	ASSERT_TRUE(shows(dir, "observe=off"), "observe off");
	ASSERT_EQ(fs_ledger_restore_settings(path, dir, m), 1,
		  "1 setting restored");
	ASSERT_OK(fs_sync(m, c, NULL, &st), "the start's fs_sync");
	ASSERT_TRUE(shows(dir, "observe=on"), "observe on again");
}

/* observe=on made with the CLI comes back after a reboot (new pins, the
 * ledger restored before the start's sync), and the sync keeps it. */
static void owner_reboot(void)
{
	char dir[64], path[] = "/tmp/fs_owner_ledger.XXXXXX";
	struct fs_ledger_limits lim = {};
	struct fs_sync_stats st;
	struct fs_map_fds m;
	struct fs_conf *c = conf_load("[hosts]\nname = www.example.org\n");
	int fd = mkstemp(path);

	fs_subtest("owner: the CLI's observe=on and hosts outlive a reboot");
	if (!c || fd < 0 || !pins_make(dir, "reboot") ||
	    !ASSERT_OK(fs_maps_open_all(dir, &m), "open the pins"))
		goto out;
	ASSERT_OK(fs_sync(&m, c, NULL, &st), "fs_sync");
	ASSERT_OK(cli(dir, "set observe=on", NULL, 0), "set observe=on");
	ASSERT_OK(cli(dir, "hosts add shop.example.org", NULL, 0), "hosts add");
	ASSERT_TRUE(fs_ledger_save(path, dir, &m) >= 2, "ledger saved");
	fs_maps_close_all(&m);
	fs_test_pins_remove(dir); /* the reboot */
	if (!pins_make(dir, "reboot") ||
	    !ASSERT_OK(fs_maps_open_all(dir, &m), "open the new pins"))
		goto out;
	ASSERT_TRUE(shows(dir, "observe=off"), "new pins: observe off");
	ASSERT_EQ(fs_ledger_restore(path, dir, &lim, &m), 2, "2 restored");
	ASSERT_OK(fs_sync(&m, c, NULL, &st), "the start's fs_sync");
	ASSERT_TRUE(shows(dir, "observe=on"), "observe is still on");
	ASSERT_TRUE(host_listed(dir, "shop.example.org"), "the CLI's host");
	ASSERT_OK(cli(dir, "hosts del shop.example.org", NULL, 0), "the host "
								   "is the "
								   "CLI's");
	owner_replaced(dir, path, &m, c);
	fs_maps_close_all(&m);
out:
	if (fd >= 0)
		close(fd);
	unlink(path);
	fs_conf_free(c);
	fs_test_pins_remove(dir);
}

FS_TEST(own)
{
	own_sync();
	own_attach();
	import_server();
	owner_sync();
	owner_reboot();
}
