// SPDX-License-Identifier: GPL-2.0
/* The ledger: fs_ledger_restore() of any file into the real maps (the
 * BPF object loaded, not attached; needs root). Entries it accepts go
 * into the maps; the rest is skipped with a message. */
#include "fuzz.h"
#include <errno.h>
#include "floodshield.skel.h"
#include "../../loader/ledger.h"
#include "../../loader/loader.h"
#include "../../loader/log.h"

static struct floodshield_bpf *skel; /* kept: its maps stay open */
static struct fs_map_fds maps;
static char dir[64], file[128];
static const struct fs_ledger_limits lim = {.ban_ttl_max_s = 86400 * 365,
					    .dns_ttl_max_s = 86400};

static void remove_dir(void)
{
	unlink(file);
	rmdir(dir);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	/* private, unpinned maps (never the host's /sys/fs/bpf) */
	skel = fs_skel_open(NULL, false);
	if (skel && floodshield_bpf__load(skel)) {
		floodshield_bpf__destroy(skel);
		skel = NULL;
	}

	(void)argc, (void)argv;
	if (!skel) {
		fprintf(stderr, "fuzz_ledger: cannot load the BPF object "
				"(root?)\n");
		exit(1);
	}
	fs_maps_from_skel(skel, &maps);
	snprintf(dir, sizeof(dir), "/tmp/fs-fuzz-ledger-%d", getpid());
	if (mkdir(dir, 0700) && errno != EEXIST)
		exit(1);
	snprintf(file, sizeof(file), "%s/%s", dir, FS_LEDGER_FILE);
	atexit(remove_dir);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	FILE *f = fopen(file, "w");

	if (!f || fwrite(data, 1, size, f) != size)
		abort();
	fclose(f);
	fs_log_level = FS_LOG_ERR;
	/* the pin folder its header may name: "# floodshield ledger 2 /fuzz"
	 * (a header of version 1 names none) */
	fs_ledger_restore(file, "/fuzz", &lim, &maps);
	unlink(file);
	return 0;
}
