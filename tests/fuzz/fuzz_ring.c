// SPDX-License-Identifier: GPL-2.0
/* Ring records: the verifier's record handler (userspace/daemon/
 * verifier.c, included to reach it) on any bytes of any length, writing
 * into the real fs_dns map (the BPF object loaded, not attached; needs
 * root); the stored EHLO name is then printed as `explain` does. The
 * program writes these records, but a record is only as sound as the
 * program's bounds: the daemon must not trust its lengths. */
#include "fuzz_maps.h"
#include "../../userspace/daemon/verifier.c"

static struct fs_map_fds maps;
static struct fs_verifier ver;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc, (void)argv;
	fuzz_maps_load("fuzz_ring", &maps);
	ver.m = &maps; /* no domains, no SMTP verification: no DNS */
	ver.retry_s = 5;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* the ring hands out 8-byte aligned records */
	void *rec = aligned_alloc(8, (size + 8) & ~(size_t)7);
	struct fs_dns_val v;
	char text[FS_ESC_LEN(FS_NAME_LEN)];

	memcpy(rec, data, size);
	fs_log_level = FS_LOG_ERR;
	on_event(&ver, rec, size);
	if (size >= sizeof(struct fs_event_rec) &&
	    !bpf_map_lookup_elem(maps.dns, ((struct fs_event_rec *)rec)->addr,
				 &v)) {
		FILE *null = fopen("/dev/null", "w");
		size_t n = fs_field_len(v.ehlo, FS_NAME_LEN);

		fs_text_escn(v.ehlo, n, text, sizeof(text));
		json_strn(null, v.ehlo, n);
		fclose(null);
	}
	free(rec);
	return 0;
}
