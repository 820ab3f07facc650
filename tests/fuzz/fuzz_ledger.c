// SPDX-License-Identifier: GPL-2.0
/* The ledger: fs_ledger_restore() of any file into the real maps (the
 * BPF object loaded, not attached; needs root). Entries it accepts go
 * into the maps; the rest is skipped with a message. */
#include "fuzz_maps.h"
#include <errno.h>
#include "../../loader/ledger.h"
#include "../../loader/loader.h"
#include "../../loader/log.h"

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
	(void)argc, (void)argv;
	fuzz_maps_load("fuzz_ledger", &maps);
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
