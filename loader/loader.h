/* SPDX-License-Identifier: GPL-2.0 */
/* Loading, pinning and attaching the XDP program.
 *
 * loader/ is a library (docs/design.md, Layers): its functions return
 * -errno on error, never a bare -1 (an fd, an index or a count when
 * they succeed), and may log what failed with the path or map it
 * concerns (log.h); the programs above decide what to do about it. A
 * parser that fills an @err buffer returns -EINVAL and logs nothing. */
#ifndef FS_LOADER_H
#define FS_LOADER_H

#include <stdbool.h>
#include <stddef.h>
#include <xdp/libxdp.h>
#include "../maps/floodshield.h"

struct floodshield_bpf;

/* Open the skeleton (not loaded). @pin_dir: maps are pinned there by
 * name and reused if already pinned; NULL for private, unpinned maps
 * (tests). @fake_clock: the program reads time from bss fs_now_ns. */
struct floodshield_bpf *fs_skel_open(const char *pin_dir, bool fake_clock);

/* Whether the kernel's BTF (vmlinux, else the nf_conntrack module's)
 * has the conntrack kfuncs for XDP the program calls when it finds no
 * socket (bpf_xdp_ct_lookup, bpf_ct_release); fs_skel_open() sets the
 * program's fs_have_ct from it. */
bool fs_kernel_has_ct(void);

/* Write the default config (fs_cfg) and service ports into freshly
 * created maps. */
int fs_maps_init_defaults(int cfg_fd, int svc_fd);

/* Mount bpffs at /sys/fs/bpf when missing and create @pin_dir (0700). */
int fs_pins_ensure(const char *pin_dir);

/* flock() the pin folder; commands that change pinned state hold it.
 * Returns the fd to close, or -errno with a message logged. */
int fs_pins_lock(const char *pin_dir);

/* Open the map @name pinned in @pin_dir. Logs a message naming the path
 * when it is missing. Returns an fd or -errno. */
int fs_map_open(const char *pin_dir, const char *name);

/* fs_map_open() with the pin folder locked: *lock is the fd to close.
 * An fd, or -errno with a message logged (nothing left open). */
int fs_map_open_locked(const char *pin_dir, const char *name, int *lock);

/* File descriptors of every pinned map (a field per FS_MAPS row of
 * maps/tables.h), opened once (the daemon opens them before dropping
 * privileges; reading through them needs none). Only ints:
 * fs_maps_close_all() walks it as an array. `daemon` is -1 in a pin
 * folder an older build made, until the next load (attach, --replace,
 * the daemon) adds it. */
struct fs_map_fds {
#define FS_MAP_FD_(id, field, ...) int field;
	FS_MAPS(FS_MAP_FD_)
#undef FS_MAP_FD_
};

/* What a map holds (FS_MAP_ROLES): what a load does with another layout. */
enum fs_map_role {
#define FS_MAP_ROLE_(id, ...) FS_ROLE_##id,
	FS_MAP_ROLES(FS_MAP_ROLE_)
#undef FS_MAP_ROLE_
		FS_ROLE_MAX
};

/* One map, a row of FS_MAPS. */
struct fs_map_row {
	const char *name; /* pinned under it */
	size_t fd_off;	  /* of its fd in struct fs_map_fds */
	enum fs_map_role role;
	bool fill; /* its fill is a metric */
	__u32 key_size, value_size;
	const char *doc;
};

/* Every map, in table order. *n is set to the count. */
const struct fs_map_row *fs_map_rows(size_t *n);
/* The map named @name, or NULL. */
const struct fs_map_row *fs_map_row_find(const char *name);
/* "list", "state", ... and the role's doc line. */
const char *fs_map_role_name(enum fs_map_role r);
const char *fs_map_role_doc(enum fs_map_role r);

/* The fds of the skeleton's maps (loaded), every field set. */
void fs_maps_from_skel(const struct floodshield_bpf *skel,
		       struct fs_map_fds *m);

/* Open all pinned maps of @pin_dir. On failure closes what it opened,
 * logs the missing path and returns -errno. A missing map of role DAEMON
 * (fs_daemon: it only reports) is no failure: its fd stays -1. */
int fs_maps_open_all(const char *pin_dir, struct fs_map_fds *m);
void fs_maps_close_all(struct fs_map_fds *m);

/* The set hashes' key in fs_hkey @fd into *out: 0, or -errno. An fd
 * below 0 (fs_maps_open_all() in an older build's pin folder, without
 * fs_hkey) gives the zero key: the unkeyed hash its program uses. */
int fs_hkey_read(int fd, struct fs_hkey *out);

/* The lookups below find a slot as the program does: its set under the
 * key in fs_hkey @hkey_fd (fs_hkey_read()). */

/* The bucket of @k in the rate table @fd (struct fs_rate_slot). 0 and
 * *out, -ENOENT when @k holds no slot, or -errno. */
int fs_rate_lookup(int fd, int hkey_fd, const struct fs_key *k,
		   struct fs_bucket_val *out);

/* The slot of source @addr (16-byte form) in fs_proven @fd (struct
 * fs_proven_slot): 0 and *out (live or not: compare last_ns +
 * syn.proven_ttl with the clock), -ENOENT when no slot of its set holds
 * it, or -errno. */
int fs_proven_lookup(int fd, int hkey_fd, const __u8 addr[16],
		     struct fs_proven_slot *out);

/* The remembered flow @k in fs_flows @fd (struct fs_flow_slot). 0 and
 * *out, -ENOENT when no slot of its set holds it, or -errno. */
int fs_flow_lookup(int fd, int hkey_fd, const struct fs_flow_key *k,
		   struct fs_flow_val *out);

/* "auto", "native", "generic", "hw"; "?" for anything else. */
const char *fs_mode_name(enum xdp_attach_mode m);
/* The mode named @s (auto, native or generic, any case). 0 or -EINVAL. */
int fs_mode_parse(const char *s, enum xdp_attach_mode *m);

struct fs_attach_info {
	bool attached;
	bool dispatcher; /* through libxdp's multi-prog dispatcher */
	enum xdp_attach_mode mode;
	__u32 prog_id;
};

/* Whether floodshield is attached to @ifindex, and how. 0 or -errno. */
int fs_attach_query(int ifindex, struct fs_attach_info *info);

/* Load the program against the pinned maps in @pin_dir and attach it.
 * Refuses (-EEXIST) when floodshield is attached to @ifindex already.
 * Then the addresses of every interface it is attached to are added to
 * fs_own (own.h: fs_own_refresh(); a failure there is logged, the
 * attach stands). */
int fs_attach(const char *pin_dir, int ifindex, enum xdp_attach_mode mode,
	      struct fs_attach_info *info);

/* Load the program against the pinned maps and put it in place of the
 * floodshield program attached to @ifindex, with no moment unprotected:
 * alone, one netlink call swaps it (XDP_FLAGS_REPLACE); under libxdp's
 * dispatcher, the new one is added before the old one is removed (both
 * run for that moment). Attaches afresh if none is attached. Adds the
 * attached interfaces' addresses to fs_own, as fs_attach() does. */
int fs_replace(const char *pin_dir, int ifindex, enum xdp_attach_mode mode,
	       struct fs_attach_info *info);

/* Create the pinned maps (load the program without attaching it) if
 * they do not exist, writing the defaults. Sets *fresh. Pins of an older
 * build are upgraded as their role says (enum fs_map_role): counters
 * grown keeping their values, state replaced, the others kept or the
 * load refused. */
int fs_maps_create(const char *pin_dir, bool *fresh);

/* Detach floodshield from @ifindex; other XDP programs stay. -ENOENT
 * when it is not attached there. The pinned maps stay. */
int fs_detach(int ifindex);

#endif
