/* SPDX-License-Identifier: GPL-2.0 */
/* The served-host bits (struct fs_hostfp.flags, FS_HOSTS_*) and the
 * print table that follow the hosts map. This file is their only
 * writer: the settings (fs_cfg) never carry them, so a settings write
 * needs no protocol around them. Names are written into fs_hosts
 * through loader/lists.h, which calls fs_hostfp_begin(). */
#ifndef FS_HOSTFP_H
#define FS_HOSTFP_H

#include "../maps/floodshield.h"

/* The bits the hosts map @hfd implies: FS_HOSTS_CHECK while it holds a
 * name, FS_HOSTS_WILDCARDS while it holds a "*." name. */
__u32 fs_host_flags(int hfd);

/* Before a name is written into or deleted from fs_hosts: in the header
 * of the print table @fpfd, clear FS_HOSTS_PRINTS (the program looks
 * names up in fs_hosts until fs_hostfp_sync(), so a name just added is
 * never refused by a stale print table) and set @add (the FS_HOSTS_CHECK
 * and FS_HOSTS_WILDCARDS bits that the name to come implies). 0, or
 * -errno with a message logged (-ESTALE: the map was pinned by an older
 * build with another layout; the next load replaces it). */
int fs_hostfp_begin(int fpfd, __u32 add);

/* After a change (or to pick up raw writes): rebuild the prints of @fpfd
 * from the hosts map @hfd, flip them live, then set the bits to exactly
 * what the map implies (a deletion narrows them here), FS_HOSTS_PRINTS
 * included when every exact name found a slot. 0, or -errno with a
 * message logged. */
int fs_hostfp_sync(int hfd, int fpfd);

/* The bits as the program reads them now. 0 or -errno. */
int fs_hostfp_flags(int fpfd, __u32 *flags);

#endif
