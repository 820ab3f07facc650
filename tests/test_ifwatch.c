// SPDX-License-Identifier: GPL-2.0
/* The interface watch's policy (loader/ifwatch.h) with a recording
 * attach function on this namespace's real interfaces: an existing one
 * attached once per index, a missing one not, failures tried a bounded
 * number of times; which netlink messages wake it (links, addresses); and the exporter's
 * view of configured interfaces (loader/ifaces.h): reported by name, 0
 * while not attached. The daemon doing it for real, on veths that come
 * and go: tests/ns/42_ifaces.sh. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <net/if.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include "test.h"
#include "../loader/ifaces.h"
#include "../loader/ifwatch.h"

#define MISSING "fs-nonexist0" /* no interface has this name */

struct rec {
	unsigned calls;
	int last_index;
	char last_name[IF_NAMESIZE];
	int result; /* what the fake attach returns */
};

static int rec_attach(void *arg, const char *name, int ifindex,
		      enum xdp_attach_mode mode)
{
	struct rec *r = arg;

	(void)mode;
	r->calls++;
	r->last_index = ifindex;
	snprintf(r->last_name, sizeof(r->last_name), "%s", name);
	return r->result;
}

static void open_watch(struct fs_ifwatch *w, struct rec *r)
{
	struct fs_conf_iface ifs[2] = {{"lo", XDP_MODE_UNSPEC},
				       {MISSING, XDP_MODE_SKB}};

	ASSERT_OK(fs_ifwatch_open(w, ifs, 2, "test.conf", rec_attach, r),
		  "netlink socket opened and subscribed");
}

FS_TEST(ifwatch_policy)
{
	struct fs_ifwatch w;
	struct rec r = {};

	fs_subtest("an existing interface attached once, a missing one not");
	open_watch(&w, &r);
	ASSERT_EQ(fs_ifwatch_check(&w), 1, "attached count");
	ASSERT_EQ(r.calls, 1, "one attach");
	ASSERT_STREQ(r.last_name, "lo", "attached interface");
	ASSERT_EQ(r.last_index, (int)if_nametoindex("lo"), "its index");
	ASSERT_TRUE(w.e[1].missing_said, "the missing one was said");
	ASSERT_EQ(fs_ifwatch_check(&w), 1, "attached count again");
	ASSERT_EQ(r.calls, 1, "same index: not attached again");

	fs_subtest("a new index is attached again");
	w.e[0].ifindex = 0; /* as if lo had been re-created */
	ASSERT_EQ(fs_ifwatch_check(&w), 1, "a check attaches the new index");
	ASSERT_EQ(r.calls, 2, "attached again");
	fs_ifwatch_close(&w);

	fs_subtest("a failing attach is tried FS_IFWATCH_TRIES times");
	r = (struct rec){.result = -EOPNOTSUPP};
	open_watch(&w, &r);
	for (int i = 0; i < FS_IFWATCH_TRIES + 3; i++)
		ASSERT_EQ(fs_ifwatch_check(&w), 0, "none attached");
	ASSERT_EQ(r.calls, FS_IFWATCH_TRIES, "tries, then left alone");
	ASSERT_EQ(w.e[0].ifindex, 0, "not marked attached");
	fs_ifwatch_close(&w);
}

/* A datagram of one netlink message of @type (no payload). */
static size_t one_msg(char *buf, size_t cap, __u16 type)
{
	struct nlmsghdr *h = (struct nlmsghdr *)buf;

	memset(buf, 0, cap);
	h->nlmsg_len = NLMSG_LENGTH(sizeof(struct ifinfomsg));
	h->nlmsg_type = type;
	return NLMSG_ALIGN(h->nlmsg_len);
}

FS_TEST(ifwatch_events)
{
	char buf[256] __attribute__((aligned(NLMSG_ALIGNTO)));
	size_t n;

	fs_subtest("link and address messages, each its bit; others none");
	n = one_msg(buf, sizeof(buf), RTM_NEWLINK);
	ASSERT_EQ(fs_ifwatch_events(buf, n), FS_IFW_LINK, "RTM_NEWLINK");
	n = one_msg(buf, sizeof(buf), RTM_DELLINK);
	ASSERT_EQ(fs_ifwatch_events(buf, n), FS_IFW_LINK, "RTM_DELLINK");
	n = one_msg(buf, sizeof(buf), RTM_NEWADDR);
	ASSERT_EQ(fs_ifwatch_events(buf, n), FS_IFW_ADDR, "RTM_NEWADDR");
	n = one_msg(buf, sizeof(buf), RTM_DELADDR);
	ASSERT_EQ(fs_ifwatch_events(buf, n), FS_IFW_ADDR, "RTM_DELADDR");
	n = one_msg(buf, sizeof(buf), RTM_NEWROUTE);
	ASSERT_EQ(fs_ifwatch_events(buf, n), 0, "RTM_NEWROUTE");

	fs_subtest("a second message is looked at too");
	n = one_msg(buf, sizeof(buf), RTM_NEWADDR);
	n += one_msg(buf + n, sizeof(buf) - n, RTM_NEWLINK);
	ASSERT_EQ(fs_ifwatch_events(buf, n), FS_IFW_LINK | FS_IFW_ADDR,
		  "NEWADDR then NEWLINK");

	fs_subtest("a truncated message ends the walk");
	n = one_msg(buf, sizeof(buf), RTM_NEWLINK);
	ASSERT_EQ(fs_ifwatch_events(buf, n - 1), 0, "one byte short");
	((struct nlmsghdr *)buf)->nlmsg_len = 4096;
	ASSERT_EQ(fs_ifwatch_events(buf, n), 0, "length past the end");
}

FS_TEST(iface_watch_configured)
{
	struct fs_iface_state out[FS_METRICS_MAX_IFACES];
	struct fs_iface_watch w;
	int n;

	fs_subtest("configured interfaces reported, 0 while not attached");
	fs_iface_watch_init(&w);
	fs_iface_watch_want(&w, MISSING);
	fs_iface_watch_want(&w, "lo");
	n = fs_iface_watch_poll(&w, out, FS_METRICS_MAX_IFACES);
	ASSERT_EQ(n, 2, "both reported (nothing here is attached)");
	if (n != 2)
		return;
	ASSERT_STREQ(out[0].name, MISSING, "the missing one, by name");
	ASSERT_FALSE(out[0].attached, "missing: not attached");
	ASSERT_STREQ(out[0].mode, "none", "missing: mode none");
	ASSERT_STREQ(out[1].name, "lo", "the present one");
	ASSERT_FALSE(out[1].attached, "lo: not attached");

	fs_subtest("the output bound holds");
	ASSERT_EQ(fs_iface_watch_poll(&w, out, 1), 1, "max 1");
}

FS_TEST(ifwatch_update)
{
	struct fs_conf_iface two[2] = {{"lo", XDP_MODE_UNSPEC},
				       {MISSING, XDP_MODE_SKB}};
	struct fs_conf_iface next[3] = {{MISSING, XDP_MODE_SKB},
					{"fs-new0", XDP_MODE_NATIVE},
					{"lo", XDP_MODE_SKB}};
	struct fs_ifwatch_iface gone[FS_CONF_IFACES_MAX];
	struct fs_ifwatch w;
	struct rec r = {};

	fs_subtest("kept entries keep their state, new ones start unattached");
	ASSERT_OK(fs_ifwatch_open(&w, two, 2, "test.conf", rec_attach, &r),
		  "opened");
	fs_ifwatch_check(&w);
	ASSERT_EQ(w.e[0].ifindex, (int)if_nametoindex("lo"), "lo attached");
	/* lo in another mode: gone (to detach), then new; MISSING kept */
	ASSERT_EQ(fs_ifwatch_update(&w, next, 3, gone), 1, "one gone");
	ASSERT_STREQ(gone[0].name, "lo", "the gone one: lo (mode changed)");
	ASSERT_EQ(gone[0].ifindex, (int)if_nametoindex("lo"),
		  "with the index it was attached to");
	ASSERT_EQ(w.n, 3, "three listed");
	ASSERT_STREQ(w.e[0].name, MISSING, "kept, in the file's order");
	ASSERT_TRUE(w.e[0].missing_said, "kept: what was logged stays");
	ASSERT_STREQ(w.e[1].name, "fs-new0", "new");
	ASSERT_EQ(w.e[1].ifindex, 0, "new: not attached");
	ASSERT_EQ(w.e[2].mode, XDP_MODE_SKB, "lo: the new mode");
	ASSERT_EQ(w.e[2].ifindex, 0, "lo: to attach again");

	fs_subtest("the next check attaches the new entries only");
	r.calls = 0;
	ASSERT_EQ(fs_ifwatch_check(&w), 1, "lo attached (again)");
	ASSERT_EQ(r.calls, 1, "one attach: lo");

	fs_subtest("an empty list: every entry gone");
	ASSERT_EQ(fs_ifwatch_update(&w, next, 0, gone), 3, "all three gone");
	ASSERT_EQ(w.n, 0, "none listed");
	fs_ifwatch_close(&w);
}

FS_TEST(iface_watch_forget)
{
	struct fs_iface_state out[FS_METRICS_MAX_IFACES];
	struct fs_iface_watch w;

	fs_subtest("a forgotten name is no longer reported; want is once");
	fs_iface_watch_init(&w);
	fs_iface_watch_want(&w, MISSING);
	fs_iface_watch_want(&w, MISSING);
	fs_iface_watch_want(&w, "lo");
	ASSERT_EQ(fs_iface_watch_poll(&w, out, FS_METRICS_MAX_IFACES), 2,
		  "wanted twice, reported once");
	fs_iface_watch_forget(&w, MISSING);
	ASSERT_EQ(fs_iface_watch_poll(&w, out, FS_METRICS_MAX_IFACES), 1,
		  "one left");
	ASSERT_STREQ(out[0].name, "lo", "lo stays");
}
