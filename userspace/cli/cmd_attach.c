// SPDX-License-Identifier: GPL-2.0
/* attach, detach, status. */
#include <errno.h>
#include <net/if.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include "cli.h"
#include "../../loader/addr.h"
#include "../../loader/log.h"
#include "../../loader/names.h"
#include "../../loader/loader.h"
#include "../../loader/own.h"

static int iface_index(const char *name)
{
	int idx = if_nametoindex(name);

	if (!idx)
		pr_err("unknown interface '%s'\n", name);
	return idx;
}

struct attach_args {
	const char *ifname;
	int mode; /* enum xdp_attach_mode */
	bool replace;
};

static int do_attach(struct fs_ctx *ctx, void *args)
{
	const struct attach_args *a = args;
	const char *ifname = a->ifname;
	struct fs_attach_info info;
	int idx, lock, err;

	idx = iface_index(ifname);
	if (!idx)
		return EXIT_USAGE;
	if (fs_pins_ensure(ctx->pin_dir))
		return EXIT_FAIL;
	lock = fs_pins_lock(ctx->pin_dir);
	if (lock < 0)
		return EXIT_FAIL;
	err = a->replace ? fs_replace(ctx->pin_dir, idx, a->mode, &info)
			 : fs_attach(ctx->pin_dir, idx, a->mode, &info);
	close(lock);
	if (err == -EEXIST) {
		pr_err("floodshield is already attached to %s (prog id %u); "
		       "use --replace to load a new program in its place\n",
		       ifname, info.prog_id);
		return EXIT_FAIL;
	}
	if (err)
		return EXIT_FAIL;
	if (ctx->json)
		printf("{\"interface\":\"%s\",\"mode\":\"%s\",\"prog_id\":%u,"
		       "\"dispatcher\":%s}\n",
		       ifname, fs_mode_name(info.mode), info.prog_id,
		       info.dispatcher ? "true" : "false");
	else
		printf("attached to %s: mode %s, prog id %u, %s, maps in %s\n",
		       ifname, fs_mode_name(info.mode), info.prog_id,
		       info.dispatcher ? "via libxdp dispatcher"
				       : "program alone",
		       ctx->pin_dir);
	return 0;
}

static int do_detach(struct fs_ctx *ctx, void *args)
{
	const char *ifname = ((struct attach_args *)args)->ifname;
	int idx, err;

	idx = iface_index(ifname);
	if (!idx)
		return EXIT_USAGE;
	err = fs_detach(idx);
	if (err == -ENOENT) {
		pr_err("floodshield is not attached to %s\n", ifname);
		return EXIT_FAIL;
	}
	if (err) {
		pr_err_code(err, "detach from %s failed", ifname);
		return EXIT_FAIL;
	}
	if (ctx->json)
		printf("{\"interface\":\"%s\",\"detached\":true}\n", ifname);
	else
		printf("detached from %s; lists and bans stay pinned in %s\n",
		       ifname, ctx->pin_dir);
	return 0;
}

/* Entries in use in a pinned map, and its capacity. Arrays count the
 * slots that are not zero (the services map). */
static int map_fill(int fd, unsigned *used, unsigned *cap)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);
	char key[64], next[64], val[256], zero[256] = {};
	void *prev = NULL;

	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		return -errno;
	*cap = info.max_entries;
	*used = 0;
	if (info.key_size > sizeof(key) || info.value_size > sizeof(val))
		return -E2BIG;
	while (bpf_map_get_next_key(fd, prev, next) == 0) {
		if (info.type != BPF_MAP_TYPE_ARRAY ||
		    (bpf_map_lookup_elem(fd, next, val) == 0 &&
		     memcmp(val, zero, info.value_size)))
			(*used)++;
		memcpy(key, next, info.key_size);
		prev = key;
	}
	return 0;
}

static const char *const fill_maps[] = {
	FS_STR(FS_MAP_ALLOW), FS_STR(FS_MAP_BLOCK), FS_STR(FS_MAP_BANS),
	FS_STR(FS_MAP_RATE),  FS_STR(FS_MAP_SVC),   FS_STR(FS_MAP_HOSTS),
	FS_STR(FS_MAP_FLOWS), FS_STR(FS_MAP_DNS),   FS_STR(FS_MAP_OWN),
};

static void print_ifaces(struct fs_ctx *ctx)
{
	struct if_nameindex *ifs = if_nameindex(), *i;
	const char *sep = "";

	if (ctx->json)
		printf("\"interfaces\":[");
	else
		printf("interfaces:\n");
	for (i = ifs; i && i->if_index; i++) {
		struct fs_attach_info info;

		if (fs_attach_query(i->if_index, &info) || !info.attached)
			continue;
		if (ctx->json)
			printf("%s{\"name\":\"%s\",\"mode\":\"%s\",\"prog_id\":"
			       "%u,"
			       "\"dispatcher\":%s}",
			       sep, i->if_name, fs_mode_name(info.mode),
			       info.prog_id,
			       info.dispatcher ? "true" : "false");
		else
			printf("  %-16s mode %-8s prog id %-6u %s\n",
			       i->if_name, fs_mode_name(info.mode),
			       info.prog_id,
			       info.dispatcher ? "dispatcher" : "alone");
		sep = ",";
	}
	if (ctx->json)
		printf("]");
	if (ifs)
		if_freenameindex(ifs);
}

static void print_maps(struct fs_ctx *ctx)
{
	const char *sep = "";

	printf(ctx->json ? ",\"maps\":[" : "maps (%s):\n", ctx->pin_dir);
	for (size_t m = 0; m < sizeof(fill_maps) / sizeof(fill_maps[0]); m++) {
		unsigned used = 0, cap = 0;
		char path[512];
		int fd;

		snprintf(path, sizeof(path), "%s/%s", ctx->pin_dir,
			 fill_maps[m]);
		fd = bpf_obj_get(path);
		if (fd < 0 || map_fill(fd, &used, &cap)) {
			if (!ctx->json)
				printf("  %-12s not pinned\n", fill_maps[m]);
		} else if (ctx->json) {
			printf("%s{\"name\":\"%s\",\"entries\":%u,\"capacity\":"
			       "%u}",
			       sep, fill_maps[m], used, cap);
			sep = ",";
		} else {
			printf("  %-12s %8u / %-8u (%.1f%%)\n", fill_maps[m],
			       used, cap, cap ? 100.0 * used / cap : 0.0);
		}
		if (fd >= 0)
			close(fd);
	}
	if (ctx->json)
		printf("]");
}

/* The server's own addresses (http.own, fs_own): a Host naming one
 * follows http.ip_host. `hosts own` lists them one a line. */
static void print_own(struct fs_ctx *ctx)
{
	char path[512], text[FS_CIDR_STRLEN];
	struct fs_addr_set own = {};
	int fd, err;

	snprintf(path, sizeof(path), "%s/%s", ctx->pin_dir, FS_STR(FS_MAP_OWN));
	fd = bpf_obj_get(path);
	err = fd < 0 ? -errno : fs_own_read(fd, &own);
	if (fd >= 0)
		close(fd);
	if (err) {
		if (ctx->json)
			printf(",\"own\":null");
		else
			printf("own addresses: %s\n", strerror(-err));
		fs_addr_set_free(&own);
		return;
	}
	printf(ctx->json ? ",\"own\":[" : "own addresses (http.own):");
	for (size_t i = 0; i < own.n; i++) {
		fs_addr_format(own.a[i].addr, text, sizeof(text));
		if (ctx->json) {
			printf("%s", i ? "," : "");
			json_str(stdout, text);
		} else {
			printf(" %s", text);
		}
	}
	printf(ctx->json ? "]" : own.n ? "\n" : " none\n");
	fs_addr_set_free(&own);
}

int fs_cli_daemon_state(const char *pin_dir, struct fs_daemon_state *st)
{
	char path[512];
	__u32 zero = 0;
	int fd, err = 0;

	snprintf(path, sizeof(path), "%s/%s", pin_dir, FS_STR(FS_MAP_DAEMON));
	fd = bpf_obj_get(path);
	if (fd < 0)
		return -errno;
	if (bpf_map_lookup_elem_flags(fd, &zero, st, BPF_F_LOCK))
		err = -errno;
	close(fd);
	return err;
}

static bool pinned(const char *pin_dir, const char *name)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", pin_dir, name);
	return access(path, F_OK) == 0;
}

/* Whether process @pid exists (as seen from our pid namespace). */
static bool alive(__u32 pid)
{
	return pid && (kill(pid, 0) == 0 || errno == EPERM);
}

/* The daemon's pid and reloads (struct fs_daemon_state). */
static void print_daemon(struct fs_ctx *ctx)
{
	struct fs_daemon_state st;
	int err = fs_cli_daemon_state(ctx->pin_dir, &st);

	if (err) {
		if (ctx->json)
			printf(",\"daemon\":null");
		else if (err != -ENOENT)
			printf("daemon: no state (%s)\n", strerror(-err));
		else if (pinned(ctx->pin_dir, FS_STR(FS_MAP_CFG)))
			printf("daemon: no state (pins of an older build: "
			       "the next attach adds it)\n");
		else
			printf("daemon: not pinned\n");
		return;
	}
	if (ctx->json) {
		printf(",\"daemon\":{\"pid\":%u,\"running\":%s,\"generation\":%"
		       "llu,"
		       "\"applied\":%llu,\"refused\":%llu,\"rolled_back\":%llu,"
		       "\"last\":\"%s\"}",
		       st.pid, alive(st.pid) ? "true" : "false",
		       (unsigned long long)st.generation,
		       (unsigned long long)st.applied,
		       (unsigned long long)st.refused,
		       (unsigned long long)st.rolled_back,
		       fs_reload_result_name(st.last));
		return;
	}
	if (st.pid)
		printf("daemon: pid %u%s\n", st.pid,
		       alive(st.pid) ? ""
				     : " (not running: it did not stop "
				       "cleanly)");
	else if (st.started_ns)
		printf("daemon: stopped; its last run:\n");
	else
		printf("daemon: none has run with these pins\n");
	if (st.started_ns)
		printf("  reloads  %llu: %llu applied, %llu refused, %llu "
		       "rolled back;"
		       " last %s\n",
		       (unsigned long long)st.generation,
		       (unsigned long long)st.applied,
		       (unsigned long long)st.refused,
		       (unsigned long long)st.rolled_back,
		       fs_reload_result_name(st.last));
}

static int do_status(struct fs_ctx *ctx, void *args)
{
	(void)args;
	if (ctx->json)
		printf("{");
	print_ifaces(ctx);
	print_maps(ctx);
	print_own(ctx);
	print_daemon(ctx);
	if (ctx->json)
		printf("}\n");
	return 0;
}

/* ---------------------------------------------------------------- */
/* The commands */

/* auto, native, generic: the modes attach takes (not hw). */
static const char *mode_name(int m)
{
	return fs_mode_name(m);
}

#define IFACE_ARG                                                      \
	FS_POS(FS_T_STRING, "IFACE", 1, 1, struct attach_args, ifname, \
	       .help = "a network interface")

static const struct fs_opt attach_opts[] = {
	IFACE_ARG,
	FS_OPT(FS_T_ENUM, "mode", 0, struct attach_args, mode,
	       .name_of = mode_name, .n_names = XDP_MODE_SKB + 1,
	       .help = "native: in the driver; generic: after the stack's skb "
		       "(default auto)"),
	FS_OPT(FS_T_FLAG, "replace", 0, struct attach_args, replace,
	       .help = "take the place of the floodshield program attached "
		       "there"),
	FS_OPT_END};

static const struct fs_opt detach_opts[] = {IFACE_ARG, FS_OPT_END};

_Static_assert(XDP_MODE_UNSPEC == 0 && XDP_MODE_NATIVE == 1 &&
		       XDP_MODE_SKB == 2,
	       "--mode names the values 0 .. XDP_MODE_SKB");

const struct fs_cmd fs_cmd_attach =
	FS_CMD("attach", do_attach, struct attach_args, attach_opts, NULL,
	       "load the program against the pinned maps and attach it to "
	       "IFACE");
const struct fs_cmd fs_cmd_detach =
	FS_CMD("detach", do_detach, struct attach_args, detach_opts, NULL,
	       "remove floodshield from IFACE; pinned state stays");
const struct fs_cmd fs_cmd_status = FS_CMD_PLAIN("status", do_status,
						 "interfaces, map fill, own "
						 "addresses and the daemon");
