// SPDX-License-Identifier: GPL-2.0
/* Dropping privileges once the program is attached. */
#include <errno.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/prctl.h>
#include "privdrop.h"
#include "../../loader/log.h"

int fs_drop_privileges(void)
{
	cap_t none;
	int err;

	for (int c = 0; c <= CAP_LAST_CAP; c++)
		if (prctl(PR_CAPBSET_DROP, c, 0, 0, 0) && errno != EINVAL)
			pr_warn_errno("cannot drop capability %d from the "
				      "bounding set",
				      c);
	prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
	none = cap_init();
	err = none ? cap_set_proc(none) : -1;
	cap_free(none);
	if (err) {
		pr_err_errno("cannot drop capabilities");
		return -1;
	}
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)) {
		pr_err_errno("cannot set no_new_privs");
		return -1;
	}
	return 0;
}
