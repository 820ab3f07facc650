/* SPDX-License-Identifier: GPL-2.0 */
/* The verifier's trust decisions, pure: from one FCrDNS result and the
 * configured suffixes, the SMTP class and reason written into fs_dns,
 * and the allow_domain (if any) that allowlists the address. */
#ifndef FS_TRUST_H
#define FS_TRUST_H

#include <stdbool.h>
#include "../../loader/config.h"
#include "dns.h"

/* The policy, from [dns] (config.h): suffixes are stored lower-case
 * without a trailing dot, and are never public suffixes (psl.h). */
struct fs_trust {
	bool weak; /* ptr_only = weak */
	const char (*allow)[FS_CONF_NAME_LEN];
	int n_allow;
	const char (*ptr_only)[FS_CONF_NAME_LEN];
	int n_ptr_only;
};

struct fs_trust_verdict {
	enum fs_dns_class cls;
	enum fs_dns_reason reason;
	/* the allow_domain the confirming name is under (FCrDNS passed):
	 * the address is allowlisted; NULL: not */
	const char *allow_domain;
	/* under weak: the PTR name under a ptr_only_domain that made it
	 * "verified" (never allowlisted); NULL otherwise */
	const char *weak_name;
};

/* The policy of @c (pointers into @c). */
void fs_trust_of_conf(struct fs_trust *t, const struct fs_conf *c);

/* Whether @name (a trailing dot allowed, any case) is @suffix or under
 * it at a label boundary. */
bool fs_trust_under(const char *name, const char *suffix);

/* Judge @r:
 * - FCrDNS passed: verified; allowlisted when the confirming name is
 *   under an allow_domain;
 * - failed with a PTR but no forward record, under ptr_only = weak, and
 *   a PTR name under a ptr_only_domain: verified (reason weak), never
 *   allowlisted. This trusts whoever owns the PTR (the address's
 *   owner), so only suffixes the operator names for it;
 * - any other failure: failed; a tempfail (timeout, SERVFAIL): tempfail,
 *   a class with its own bucket and pool (docs/smtp.md). */
void fs_trust_judge(const struct fs_trust *t, const struct fs_fcrdns *r,
		    struct fs_trust_verdict *v);

#endif
