// SPDX-License-Identifier: GPL-2.0
/* Dropping privileges once the program is attached. */
#include <errno.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/prctl.h>
#include "privdrop.h"
#include "../../loader/log.h"

static const cap_value_t attach_caps[] = {FS_ATTACH_CAPS};
#define N_ATTACH_CAPS (int)(sizeof(attach_caps) / sizeof(attach_caps[0]))

/* Set the calling thread's capabilities: none, or the attach ones
 * permitted (@keep) and also effective (@effective). */
static int caps_set(bool keep, bool effective)
{
	cap_t c = cap_init();
	int err = c ? 0 : -1;

	if (c && keep)
		err = cap_set_flag(c, CAP_PERMITTED, N_ATTACH_CAPS, attach_caps,
				   CAP_SET);
	if (!err && keep && effective)
		err = cap_set_flag(c, CAP_EFFECTIVE, N_ATTACH_CAPS, attach_caps,
				   CAP_SET);
	if (!err)
		err = cap_set_proc(c);
	cap_free(c);
	return err;
}

int fs_drop_privileges(bool keep_attach)
{
	for (int c = 0; c <= CAP_LAST_CAP; c++)
		if (prctl(PR_CAPBSET_DROP, c, 0, 0, 0) && errno != EINVAL)
			pr_warn_errno("cannot drop capability %d from the "
				      "bounding set",
				      c);
	prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
	if (caps_set(keep_attach, false)) {
		pr_err_errno("cannot drop capabilities");
		return -1;
	}
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)) {
		pr_err_errno("cannot set no_new_privs");
		return -1;
	}
	return 0;
}

int fs_attach_privileges(bool on)
{
	if (caps_set(true, on)) {
		pr_err_errno("cannot %s the attach capabilities",
			     on ? "raise" : "lower");
		return -1;
	}
	return 0;
}
