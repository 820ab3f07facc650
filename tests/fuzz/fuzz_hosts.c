// SPDX-License-Identifier: GPL-2.0
/* Host import: `nginx -T` (first byte even) or `apachectl -S` (odd)
 * text through the current parse entry points; every name found must
 * then go through fs_host_key() as `hosts import` does. */
#include "fuzz.h"
#include "../../loader/hosts.h"

static void take(const char *name, const char *where, void *arg)
{
	struct fs_host_key k;
	struct fs_host_val v;
	char err[256];

	(void)arg;
	if (!name || !where)
		abort();
	fs_host_key(name, &k, &v, err, sizeof(err));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text;

	if (!size)
		return 0;
	text = fuzz_str(data + 1, size - 1);
	if (!text)
		return 0;
	if (data[0] & 1)
		fs_hosts_from_apache(text, take, take, NULL);
	else
		fs_hosts_from_nginx(text, take, take, NULL);
	free(text);
	return 0;
}
