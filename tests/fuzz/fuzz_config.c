// SPDX-License-Identifier: GPL-2.0
/* The configuration file: fs_conf_load() on any bytes. It must accept or
 * refuse with "FILE:LINE: ..." and never read out of bounds. */
#include "fuzz.h"
#include "../../loader/config.h"
#include "../../loader/log.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fs_conf *c = fs_conf_new();
	char path[64], err[512];
	int fd, rc;

	if (!c)
		return 0;
	fs_log_level = FS_LOG_ERR;
	rc = fs_conf_load(fuzz_file(data, size, &fd, path, sizeof(path)), c,
			  err, sizeof(err));
	if (rc && !strstr(err, path))
		abort(); /* a refusal names the file */
	close(fd);
	fs_conf_free(c);
	return 0;
}
