/* SPDX-License-Identifier: GPL-2.0 */
/* The real BPF object's maps for the targets that write them (ledger,
 * ring): loaded, not attached, with private, unpinned maps (never the
 * host's /sys/fs/bpf). Needs root. */
#ifndef FS_FUZZ_MAPS_H
#define FS_FUZZ_MAPS_H

#include "fuzz.h"
#include "floodshield.skel.h"
#include "../../loader/loader.h"

/* The skeleton, kept (never freed: its maps stay open for the run, and
 * the leak checker sees it held; `used`: the store is not optimized
 * away). */
static struct floodshield_bpf *fuzz_skel __attribute__((used));

/* Load the object into @m's fds, or exit 1 saying why (@who: the
 * target). */
static inline void fuzz_maps_load(const char *who, struct fs_map_fds *m)
{
	struct floodshield_bpf *skel = fs_skel_open(NULL, false);

	if (skel && floodshield_bpf__load(skel)) {
		floodshield_bpf__destroy(skel);
		skel = NULL;
	}
	if (!skel) {
		fprintf(stderr, "%s: cannot load the BPF object (root?)\n",
			who);
		exit(1);
	}
	fuzz_skel = skel;
	fs_maps_from_skel(skel, m);
}

#endif
