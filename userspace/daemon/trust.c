// SPDX-License-Identifier: GPL-2.0
#include <string.h>
#include <strings.h>
#include "trust.h"

void fs_trust_of_conf(struct fs_trust *t, const struct fs_conf *c)
{
	t->weak = c->dns_weak;
	t->allow = c->allow_domains;
	t->n_allow = c->n_allow_domains;
	t->ptr_only = c->ptr_only_domains;
	t->n_ptr_only = c->n_ptr_only_domains;
}

bool fs_trust_under(const char *name, const char *suffix)
{
	size_t n = strlen(name), s = strlen(suffix);

	while (n && name[n - 1] == '.')
		n--;
	while (s && suffix[s - 1] == '.')
		s--;
	if (!s || s > n || strncasecmp(name + n - s, suffix, s))
		return false;
	return n == s || name[n - s - 1] == '.';
}

static const char *suffix_of(const char (*list)[FS_CONF_NAME_LEN], int n,
			     const char *name)
{
	for (int i = 0; i < n; i++)
		if (fs_trust_under(name, list[i]))
			return list[i];
	return NULL;
}

void fs_trust_judge(const struct fs_trust *t, const struct fs_fcrdns *r,
		    struct fs_trust_verdict *v)
{
	memset(v, 0, sizeof(*v));
	v->reason = r->reason;
	switch (r->outcome) {
	case FS_DNS_PASS:
		v->cls = FS_DNS_VERIFIED;
		v->allow_domain = suffix_of(t->allow, t->n_allow, r->name);
		return;
	case FS_DNS_FAIL:
		v->cls = FS_DNS_FAILED;
		if (!t->weak || r->reason != FS_DNSR_NO_FORWARD)
			return;
		for (int i = 0; i < r->n_ptr && !v->weak_name; i++)
			if (suffix_of(t->ptr_only, t->n_ptr_only, r->ptr[i]))
				v->weak_name = r->ptr[i];
		if (v->weak_name) {
			v->cls = FS_DNS_VERIFIED;
			v->reason = FS_DNSR_WEAK;
		}
		return;
	default:
		v->cls =
			FS_DNS_TEMP; /* its own class and budget, never failed */
	}
}
