/* SPDX-License-Identifier: GPL-2.0 */
/* The served-host bits and the print table (struct fs_hostfp) that
 * follow the hosts map. */
#ifndef FS_HOSTFP_H
#define FS_HOSTFP_H

#include "../maps/floodshield.h"

/* The served-host bits of fs_cfg.http_flags the hosts map @hfd implies:
 * FS_HTTP_CHECK_HOSTS while it holds a name, FS_HTTP_WILDCARDS while it
 * holds a "*." name. */
__u32 fs_host_flags(int hfd);

/* Before changing the hosts map: clear FS_HTTP_HOSTFP in the settings
 * map @cfd, so that the program looks names up in fs_hosts until the
 * prints follow (a name just added is never judged by a stale print
 * table). 0, or -errno with a message logged. */
int fs_hosts_begin(int cfd);

/* After: rebuild the print table @fpfd (fs_hostfp) from the hosts map
 * @hfd and set the served-host bits, FS_HTTP_HOSTFP included when every
 * exact name found a slot, in the settings map @cfd. 0, or -errno with a
 * message logged. */
int fs_host_flags_sync(int hfd, int cfd, int fpfd);

/* Write the settings @cfg to @cfd with the served-host bits the hosts
 * map @hfd implies, after rebuilding the prints @fpfd. 0, or -errno with a
 * message logged. */
int fs_host_flags_put(int hfd, int cfd, int fpfd, struct fs_cfg cfg);

#endif
