// SPDX-License-Identifier: GPL-2.0
/* A bond, the master device the interface watch (loader/ifwatch.h) is
 * for: made over two veth slaves in a network namespace of the test's
 * own, it is found and attached through the daemon's path (the watch's
 * netlink events, fs_replace(), the exporter's interface view), in
 * native mode: a bond over slaves with native XDP takes it and installs
 * the program on every slave. Frames from a blocklisted source sent into
 * either slave are dropped and counted as "block"; another source's are
 * not. The bond deleted, floodshield_interface_attached says 0; made
 * anew (a new index, ifdown/ifup of a bond), the watch attaches again,
 * native, and frames are judged again.
 *
 * Needs a kernel with bonding (CONFIG_BONDING), which the project's
 * build host lacks: a suite run only when named (FS_TEST_NAMED), which
 * `make kernel-check` does on Debian 12's 6.1, whose bonding.ko its
 * initramfs loads, with CI=true (a missing bond fails there). On any
 * host with bonding: `build/fs_test bond`.
 * 42_ifaces.sh does the same with the daemon for veths and a bridge.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <stdlib.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <sys/socket.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "test.h"
#include "pkt.h"
#include "../loader/addr.h"
#include "../loader/ifaces.h"
#include "../loader/ifwatch.h"
#include "../loader/lists.h"
#include "../loader/loader.h"

#define BOND	"fsbond0"
#define SLAVE0	"fsbd0a" /* enslaved; its peer fsbd0b sends */
#define SLAVE1	"fsbd1a"
#define BLOCKED "198.51.100.20"
#define OTHER	"198.51.100.21"
#define N_SENT	20
#define WAIT_MS 5000 /* for a state; polls of 100 ms */

/* The bond over both slaves (balance-rr: XDP on a bond needs a mode
 * that has it, and slaves whose driver has native XDP, as veth). */
#define BOND_UP                                              \
	"ip link add " BOND " type bond mode balance-rr && " \
	"ip link set " SLAVE0 " master " BOND " && "         \
	"ip link set " SLAVE1 " master " BOND " && "         \
	"ip addr add 192.0.2.1/24 dev " BOND " && ip link set " BOND " up"

struct bond_test {
	char dir[64];
	int back; /* the caller's network namespace; -1: not left */
	struct fs_ifwatch w;
	struct fs_iface_watch iw;
	unsigned attaches;
	int attach_err;
	struct fs_attach_info info;
	struct fs_map_fds m;
};

/* The watch's attach function: the daemon's attach_one() without its
 * privilege steps (userspace/daemon/daemon.c). */
static int bond_attach(void *arg, const char *name, int ifindex,
		       enum xdp_attach_mode mode)
{
	struct bond_test *t = arg;

	t->attaches++;
	t->attach_err = fs_replace(t->dir, ifindex, mode, &t->info);
	if (t->attach_err)
		return t->attach_err;
	return fs_iface_watch_attached(&t->iw, ifindex, name, t->info.mode);
}

/* The exporter's sample of the bond: attached, and its mode. */
static bool sample_is(struct bond_test *t, bool attached, const char *mode)
{
	struct fs_iface_state s[FS_METRICS_MAX_IFACES];
	int n = fs_iface_watch_poll(&t->iw, s, FS_METRICS_MAX_IFACES);

	for (int i = 0; i < n; i++)
		if (!strcmp(s[i].name, BOND))
			return s[i].attached == attached &&
			       !strcmp(s[i].mode, mode);
	return false;
}

/* Feed the watch its netlink events until @ifindex is attached (the
 * bond's watch entry holds it), at most WAIT_MS. */
static bool watch_until_attached(struct bond_test *t, int ifindex)
{
	struct pollfd p = {.fd = t->w.fd, .events = POLLIN};

	for (int i = 0; i < WAIT_MS / 100; i++) {
		fs_ifwatch_process(&t->w);
		if (t->w.e[0].ifindex == ifindex)
			return true;
		poll(&p, 1, 100);
	}
	return false;
}

/* Feed it events until the exporter's view says not attached. */
static bool watch_until_gone(struct bond_test *t)
{
	struct pollfd p = {.fd = t->w.fd, .events = POLLIN};

	for (int i = 0; i < WAIT_MS / 100; i++) {
		fs_ifwatch_process(&t->w);
		if (sample_is(t, false, "none"))
			return true;
		poll(&p, 1, 100);
	}
	return false;
}

static __u64 block_packets(struct bond_test *t)
{
	int ncpu = libbpf_num_possible_cpus();
	struct fs_counter cpu[ncpu > 0 ? ncpu : 1];
	__u32 r = FS_R_BLOCK;
	__u64 sum = 0;

	if (ncpu <= 0 || bpf_map_lookup_elem(t->m.stats, &r, cpu))
		return 0;
	for (int i = 0; i < ncpu; i++)
		sum += cpu[i].packets;
	return sum;
}

/* @n UDP frames from @src to the bond's address, written raw into the
 * peer @peer of a slave (AF_PACKET): they reach the slave's XDP. */
static bool send_frames(const char *peer, const char *src, int n)
{
	struct pkt_spec s = {
		.family = 4, .l4 = PKT_UDP, .dport = 9, .payload_len = 32};
	struct sockaddr_ll ll = {.sll_family = AF_PACKET,
				 .sll_ifindex = (int)if_nametoindex(peer),
				 .sll_halen = ETH_ALEN};
	uint8_t frame[256];
	ssize_t len;
	int fd, sent = 0;

	pkt_addr(src, s.src);
	pkt_addr("192.0.2.1", s.dst);
	len = pkt_build(&s, frame, sizeof(frame), NULL);
	fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
	if (len <= 0 || fd < 0 || !ll.sll_ifindex) {
		if (fd >= 0)
			close(fd);
		return false;
	}
	for (int i = 0; i < n; i++)
		sent += sendto(fd, frame, len, 0, (struct sockaddr *)&ll,
			       sizeof(ll)) == len;
	close(fd);
	return sent == n;
}

/* Up to WAIT_MS for the block counter to reach @want. */
static bool block_reaches(struct bond_test *t, __u64 want)
{
	for (int i = 0; i < WAIT_MS / 100 && block_packets(t) < want; i++)
		usleep(100 * 1000);
	return block_packets(t) == want;
}

/* Blocked frames into both slaves are dropped and counted; another
 * source's are not counted as block. */
static void frames_judged(struct bond_test *t)
{
	__u64 before = block_packets(t);

	ASSERT_TRUE(send_frames("fsbd0b", BLOCKED, N_SENT) &&
			    send_frames("fsbd1b", BLOCKED, N_SENT) &&
			    send_frames("fsbd0b", OTHER, N_SENT),
		    "frames sent into both slaves");
	ASSERT_TRUE(block_reaches(t, before + 2 * N_SENT), "every blocked "
							   "frame through "
							   "either slave "
							   "counted");
	ASSERT_EQ(block_packets(t), before + 2 * N_SENT,
		  "block packets (the other source's not among them)");
}

/* The bond attached native at @ifindex, by the watch's attach. */
static void attached_native(struct bond_test *t, int ifindex)
{
	struct fs_attach_info q;

	ASSERT_OK(t->attach_err, "fs_replace on the bond");
	ASSERT_EQ(t->info.mode, XDP_MODE_NATIVE, "attached native");
	if (ASSERT_OK(fs_attach_query(ifindex, &q), "query the bond"))
		ASSERT_TRUE(q.attached && q.mode == XDP_MODE_NATIVE,
			    "floodshield is the bond's XDP program, native");
	ASSERT_TRUE(sample_is(t, true, "native"),
		    "interface_attached{" BOND ",mode=native} is 1");
}

/* Into a new network namespace with the two veth pairs, down (a bond
 * takes only slaves that are down). */
static bool netns_enter(struct bond_test *t)
{
	t->back = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (!ASSERT_TRUE(t->back >= 0, "open our network namespace"))
		return false;
	if (!ASSERT_OK(unshare(CLONE_NEWNET), "unshare(CLONE_NEWNET)")) {
		close(t->back);
		t->back = -1;
		return false;
	}
	return ASSERT_OK(fs_sh("ip link set lo up && "
			       "ip link add " SLAVE0 " type veth peer name "
			       "fsbd0b && ip link add " SLAVE1 " type veth "
			       "peer name "
			       "fsbd1b && "
			       "ip link set fsbd0b up && ip link set fsbd1b "
			       "up"),
			 "two veth pairs");
}

static void netns_leave(struct bond_test *t)
{
	if (t->back < 0)
		return;
	fs_sh("ip link del " BOND " 2>/dev/null; ip link del " SLAVE0
	      " 2>/dev/null; ip link del " SLAVE1 " 2>/dev/null");
	ASSERT_OK(setns(t->back, CLONE_NEWNET), "back to our namespace");
	close(t->back);
	t->back = -1;
}

/* The bond made; false (skipped: this kernel has no bonding, or failed)
 * if it could not be. */
static bool bond_make(void)
{
	if (fs_sh(BOND_UP) == 0)
		return true;
	if (access("/sys/module/bonding", F_OK))
		fs_test_skip("this kernel has no bonding (CONFIG_BONDING): "
			     "make kernel-check runs this suite on Debian "
			     "12's 6.1");
	else
		ASSERT_TRUE(false, "the bond made over both veths");
	return false;
}

static bool block_listed(struct bond_test *t)
{
	struct fs_list_val v = {.origin = FS_ORIGIN_CLI};
	struct fs_lpm_key k;
	char err[128];

	return ASSERT_OK(fs_cidr_parse(BLOCKED "/32", &k, err, sizeof(err)),
			 err) &&
	       ASSERT_OK(fs_list_put(&t->m, FS_FILTER_BLOCK, &k, &v, BPF_ANY),
			 "block add " BLOCKED);
}

static void bond_cycle(struct bond_test *t)
{
	struct fs_conf_iface ifs[1] = {{BOND, XDP_MODE_UNSPEC}};
	int first, second;

	if (!ASSERT_OK(fs_ifwatch_open(&t->w, ifs, 1, "test_bond", bond_attach,
				       t),
		       "the watch"))
		return;
	ASSERT_EQ(fs_ifwatch_check(&t->w), 0, "no bond yet: none attached");
	if (!bond_make())
		goto out;
	first = (int)if_nametoindex(BOND);
	ASSERT_TRUE(watch_until_attached(t, first), "the watch attached");
	attached_native(t, first);

	fs_subtest("bond: a blocked source's frames through either slave "
		   "are dropped");
	frames_judged(t);

	fs_subtest("bond: deleted, interface_attached{" BOND "} is 0");
	ASSERT_OK(fs_sh("ip link del " BOND), "ip link del " BOND);
	ASSERT_TRUE(watch_until_gone(t), "not attached, mode none");

	fs_subtest("bond: made anew, the watch attaches again, native");
	if (!ASSERT_OK(fs_sh(BOND_UP), "the bond made again"))
		goto out;
	second = (int)if_nametoindex(BOND);
	ASSERT_NEQ(second, first, "a new index");
	ASSERT_TRUE(watch_until_attached(t, second), "attached again");
	ASSERT_EQ(t->attaches, 2, "two attaches in all");
	attached_native(t, second);

	fs_subtest("bond: made anew, blocked frames are dropped again");
	frames_judged(t);
out:
	fs_ifwatch_close(&t->w);
}

FS_TEST_NAMED(bond)
{
	struct bond_test *t = calloc(1, sizeof(*t));
	bool fresh;

	if (!t)
		return;
	t->back = -1;
	t->w.fd = -1;
	fs_iface_watch_init(&t->iw);
	fs_iface_watch_want(&t->iw, BOND);
	snprintf(t->dir, sizeof(t->dir), "/sys/fs/bpf/fs-test-bond-%d",
		 (int)getpid());
	fs_test_pins_remove(t->dir);
	/* the setup is part of the first check: not counted by itself */
	fs_subtest("bond: made after the watch started, attached native");
	if (ASSERT_OK(fs_pins_ensure(t->dir), t->dir) &&
	    ASSERT_OK(fs_maps_create(t->dir, &fresh), "create the pins") &&
	    ASSERT_OK(fs_maps_open_all(t->dir, &t->m), "open the pins") &&
	    block_listed(t) && netns_enter(t))
		bond_cycle(t);
	netns_leave(t);
	if (t->m.stats > 0)
		fs_maps_close_all(&t->m);
	fs_test_pins_remove(t->dir);
	free(t);
}
