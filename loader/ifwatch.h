/* SPDX-License-Identifier: GPL-2.0 */
/* Configured interfaces followed through their lifetime: the daemon
 * attaches to the ones that exist, runs on without the others, and
 * attaches to each one when it appears, again when it is deleted and
 * created anew (a new ifindex: ifdown/ifup of a bond or VLAN, a driver
 * or VF reset, a bridge made by networkd after floodshield started).
 *
 * Event-driven: a NETLINK_ROUTE socket subscribed to RTMGRP_LINK (no
 * capability needed) wakes the daemon's loop on every RTM_NEWLINK and
 * RTM_DELLINK; each wake-up compares every configured name's index now
 * (if_nametoindex) with the index it was attached to. A lost event (the
 * socket's buffer overran: ENOBUFS) costs nothing more: the next check
 * compares them all anyway.
 *
 * A reload changes the list (fs_ifwatch_update()): the names kept (with
 * their mode) keep their state, the new ones are attached by the next
 * fs_ifwatch_check(), the removed ones are handed to the caller to
 * detach.
 *
 * What it does not do:
 *   - it never detaches by itself, and never re-attaches to an index it
 *     attached to already: `floodshield detach IFACE` stays detached until the
 *     interface is re-created or the daemon restarts;
 *   - a failed attach is tried again on the next link events, at most
 *     FS_IFWATCH_TRIES times per index, then left until the interface is
 *     re-created (a refusal repeated on every event would log forever).
 * Address events (RTM_NEWADDR, RTM_DELADDR) wake it too and call
 * w->on_addrs when set: an interface that appears gets its addresses
 * after the attach, and the daemon adds them to its own (loader/own.h).
 *
 * Logging: a missing interface once (when first missed, or when it goes),
 * its return once, the first failure and the giving up once per index.
 */
#ifndef FS_IFWATCH_H
#define FS_IFWATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <net/if.h>
#include <xdp/libxdp.h>
#include "config.h"

#define FS_IFWATCH_TRIES 3 /* failed attaches per interface index */

/* Attach to @name, index @ifindex, in @mode (or put floodshield in
 * place of the floodshield program there): 0, or -errno. */
typedef int (*fs_ifwatch_attach_fn)(void *arg, const char *name, int ifindex,
				    enum xdp_attach_mode mode);

struct fs_ifwatch_iface {
	char name[IF_NAMESIZE];
	enum xdp_attach_mode mode;
	int ifindex;	/* attached to this index; 0: not (yet, or any more) */
	int failed_idx; /* index the failures below are about */
	unsigned failures;
	bool missing_said; /* "does not exist" logged, not seen since */
};

struct fs_ifwatch {
	int fd; /* NETLINK_ROUTE, RTMGRP_LINK, non-blocking; -1: none */
	unsigned n;
	struct fs_ifwatch_iface e[FS_CONF_IFACES_MAX];
	const char *origin; /* where the names come from, for the log */
	fs_ifwatch_attach_fn attach;
	void (*on_addrs)(void *arg); /* an address changed; NULL: ignored */
	void *arg;		     /* of attach and on_addrs */
};

/* Subscribe to link events for the @n interfaces @ifs (from @origin,
 * the config's path: kept, not copied) and attach with @attach. Opened
 * before the first fs_ifwatch_check(), so no change between the two is
 * missed. 0, or -errno with a message logged (w->fd stays -1). */
int fs_ifwatch_open(struct fs_ifwatch *w, const struct fs_conf_iface *ifs,
		    int n, const char *origin, fs_ifwatch_attach_fn attach,
		    void *arg);
void fs_ifwatch_close(struct fs_ifwatch *w);

/* Take the list @ifs (@n entries) of a reloaded file: an entry whose
 * name and mode were listed keeps its state (attached index, failures,
 * what was logged); a new one starts unattached (the next
 * fs_ifwatch_check() attaches it); each entry no longer listed, or
 * listed with another mode, is copied to @gone (room for
 * FS_CONF_IFACES_MAX) with the index it was attached to (0: none), for
 * the caller to detach. Returns how many are in @gone. No netlink,
 * no attach. */
unsigned fs_ifwatch_update(struct fs_ifwatch *w,
			   const struct fs_conf_iface *ifs, int n,
			   struct fs_ifwatch_iface *gone);

/* Attach every configured interface that exists at an index it is not
 * attached to yet (see above); log the missing ones. Returns how many
 * are attached now. */
unsigned fs_ifwatch_check(struct fs_ifwatch *w);

/* Read what the socket holds (never blocks). If a link changed, or
 * events were lost, fs_ifwatch_check(); if an address changed (or events
 * were lost), w->on_addrs. Call when w->fd is readable, or after any
 * wake-up: with nothing to read it does nothing. */
void fs_ifwatch_process(struct fs_ifwatch *w);

#define FS_IFW_LINK (1u << 0) /* RTM_NEWLINK, RTM_DELLINK */
#define FS_IFW_ADDR (1u << 1) /* RTM_NEWADDR, RTM_DELADDR */
/* Which events (FS_IFW_*) the netlink datagram @buf (@len bytes) holds.
 * A truncated message ends the walk. */
unsigned fs_ifwatch_events(const void *buf, size_t len);

#endif
