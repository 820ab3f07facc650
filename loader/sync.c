// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <bpf/bpf.h>
#include "addr.h"
#include "hosts.h"
#include "log.h"
#include "session.h"
#include "sync.h"
#include "filter.h"
#include "lists.h"
#include "settings.h"

/* Every entry of an LPM list. Lookups in an LPM trie are longest-prefix
 * matches, so exact presence is decided against this copy. */
struct lpm_entry {
	struct fs_lpm_key key;
	struct fs_list_val val;
};

struct lpm_set {
	struct lpm_entry *e;
	size_t n;
};

static void lpm_set_free(struct lpm_set *s)
{
	free(s->e);
	s->e = NULL;
	s->n = 0;
}

static int lpm_read(int fd, struct lpm_set *s)
{
	struct fs_lpm_key k, prev;
	size_t cap = 0;
	void *p = NULL;

	memset(s, 0, sizeof(*s));
	while (bpf_map_get_next_key(fd, p, &k) == 0) {
		prev = k;
		p = &prev;
		if (s->n == cap) {
			struct lpm_entry *ne;

			cap = cap ? cap * 2 : 256;
			ne = realloc(s->e, cap * sizeof(*ne));
			if (!ne)
				return -ENOMEM;
			s->e = ne;
		}
		if (bpf_map_lookup_elem(fd, &k, &s->e[s->n].val) == 0)
			s->e[s->n++].key = k; /* a present key matches itself */
	}
	return 0;
}

static const struct lpm_entry *lpm_find(const struct lpm_set *s,
					const struct fs_lpm_key *k)
{
	for (size_t i = 0; i < s->n; i++)
		if (!memcmp(&s->e[i].key, k, sizeof(*k)))
			return &s->e[i];
	return NULL;
}

static bool in_conf(const struct fs_conf_cidr *list, size_t n,
		    const struct fs_lpm_key *k)
{
	for (size_t i = 0; i < n; i++)
		if (!memcmp(&list[i].key, k, sizeof(*k)))
			return true;
	return false;
}

static __u32 map_capacity(int fd)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);

	return bpf_obj_get_info_by_fd(fd, &info, &len) ? 0 : info.max_entries;
}

/* Would @list fit next to what is there? 0, or -ENOSPC logged. */
static int check_capacity(int fd, const char *what,
			  const struct fs_conf_cidr *list, size_t n,
			  const struct lpm_set *cur)
{
	size_t added = 0;
	__u32 cap = map_capacity(fd);

	for (size_t i = 0; i < n; i++)
		if (!lpm_find(cur, &list[i].key))
			added++;
	if (cur->n + added > cap) {
		pr_err("config: %zu %s entries do not fit: %zu in use, "
		       "capacity %u\n",
		       n, what, cur->n, cap);
		return -ENOSPC;
	}
	return 0;
}

/* Add or update the entries of @list (origin config); never touches a
 * same-key entry of another origin (the CLI's or DNS's stays). */
static int put_list(const struct fs_map_fds *m, enum fs_filter_set set,
		    const struct fs_conf_cidr *list, size_t n,
		    const struct lpm_set *cur, struct fs_sync_stats *st)
{
	int err;

	for (size_t i = 0; i < n; i++) {
		struct fs_list_val v = {.origin = FS_ORIGIN_STATIC};
		const struct lpm_entry *old = lpm_find(cur, &list[i].key);

		if (old && old->val.origin != FS_ORIGIN_STATIC)
			continue;
		memcpy(v.note, list[i].note, sizeof(v.note));
		if (old && !memcmp(&old->val, &v, sizeof(v)))
			continue;
		err = fs_list_put(m, set, &list[i].key, &v, BPF_ANY);
		if (err) {
			pr_err_code(err, "config: %s: cannot add entry",
				    list[i].where);
			return err;
		}
		old ? st->updated++ : st->added++;
	}
	return 0;
}

/* Delete config entries that the configuration no longer lists. */
static void drop_removed(const struct fs_map_fds *m, enum fs_filter_set set,
			 const struct lpm_set *cur,
			 const struct fs_conf_cidr *list, size_t n,
			 struct fs_sync_stats *st)
{
	for (size_t i = 0; i < cur->n; i++)
		if (cur->e[i].val.origin == FS_ORIGIN_STATIC &&
		    !in_conf(list, n, &cur->e[i].key) &&
		    fs_list_del(m, set, &cur->e[i].key) == 0)
			st->removed++;
}

static int put_services(int svc_fd, const struct fs_conf *c,
			struct fs_sync_stats *st)
{
	for (__u32 port = 0; port < FS_PORTS; port++) {
		enum fs_svc cur = FS_SVC_NONE, want = c->ports[port];

		if (bpf_map_lookup_elem(svc_fd, &port, &cur) == 0 &&
		    cur == want)
			continue;
		if (bpf_map_update_elem(svc_fd, &port, &want, BPF_ANY)) {
			pr_err_errno("config: cannot set port %u", port);
			return -errno;
		}
		st->updated++;
	}
	return 0;
}

static bool host_in_conf(const struct fs_conf *c, const struct fs_host_key *k)
{
	for (size_t i = 0; i < c->n_hosts; i++)
		if (!memcmp(&c->hosts[i].key, k, sizeof(*k)))
			return true;
	return false;
}

/* The configured hosts, of origin config; a name the CLI added that the
 * file now lists becomes the file's. */
static int put_hosts(const struct fs_map_fds *m, const struct fs_conf *c,
		     struct fs_sync_stats *st)
{
	for (size_t i = 0; i < c->n_hosts; i++) {
		struct fs_host_val old, v = c->hosts[i].val;
		bool had;
		int err;

		v.origin = FS_ORIGIN_STATIC;
		had = bpf_map_lookup_elem(m->hosts, &c->hosts[i].key, &old) ==
		      0;
		if (had && old.origin == FS_ORIGIN_STATIC)
			continue;
		err = fs_host_put(m, &c->hosts[i].key, &v);
		if (err) {
			pr_err_code(err, "config: cannot add host %s",
				    c->hosts[i].val.name);
			return err;
		}
		had ? st->updated++ : st->added++;
	}
	return 0;
}

/* Delete the hosts of origin config the file no longer lists; those the
 * CLI added stay (they are the CLI's: `hosts del` removes them). */
static void drop_hosts(const struct fs_map_fds *m, const struct fs_conf *c,
		       struct fs_sync_stats *st)
{
	struct fs_host_key k, next;
	struct fs_host_val v;
	bool more = bpf_map_get_next_key(m->hosts, NULL, &k) == 0;

	while (more) {
		more = bpf_map_get_next_key(m->hosts, &k, &next) == 0;
		if (bpf_map_lookup_elem(m->hosts, &k, &v) == 0 &&
		    v.origin == FS_ORIGIN_STATIC && !host_in_conf(c, &k) &&
		    fs_host_del(m, &k) == 0)
			st->removed++;
		k = next;
	}
}

/* The own addresses @c and @iface_own make (fs_own, loader/own.h).
 * 0, -ENOMEM, or -ENOSPC logged when they do not fit. */
static int own_want(const struct fs_map_fds *m, const struct fs_conf *c,
		    const struct fs_addr_set *iface_own,
		    struct fs_addr_set *want)
{
	__u32 cap = map_capacity(m->own);

	for (size_t i = 0; i < c->n_own; i++)
		if (fs_addr_set_add(want, &c->own[i]) < 0)
			return -ENOMEM;
	for (size_t i = 0; iface_own && i < iface_own->n; i++)
		if (fs_addr_set_add(want, &iface_own->a[i]) < 0)
			return -ENOMEM;
	if (want->n > cap) {
		pr_err("config: %zu own addresses (%zu configured, the rest "
		       "of the shielded interfaces) do not fit: capacity %u\n",
		       want->n, c->n_own, cap);
		return -ENOSPC;
	}
	return 0;
}

static int put_own(const struct fs_map_fds *m, const struct fs_addr_set *want,
		   const struct fs_addr_set *cur, struct fs_sync_stats *st)
{
	char text[FS_CIDR_STRLEN];

	for (size_t i = 0; i < want->n; i++) {
		int err;

		if (fs_addr_set_has(cur, &want->a[i]))
			continue;
		err = fs_own_put(m, &want->a[i]);
		if (err) {
			fs_addr_format(want->a[i].addr, text, sizeof(text));
			pr_err_code(err, "config: cannot add own address %s",
				    text);
			return err;
		}
		st->added++;
	}
	return 0;
}

static void drop_own(const struct fs_map_fds *m, const struct fs_addr_set *want,
		     const struct fs_addr_set *cur, struct fs_sync_stats *st)
{
	for (size_t i = 0; i < cur->n; i++)
		if (!fs_addr_set_has(want, &cur->a[i]) &&
		    fs_own_del(m, &cur->a[i]) == 0)
			st->removed++;
}

/* The settings to write: @c's, but a key set with the CLI (cli_keys in
 * @cur, the pinned settings) keeps the CLI's value unless the file now
 * sets that key too: the file wins then, and that is logged. The
 * ownership fields say @c's file. -EINVAL logged when the CLI's values
 * and the file's make an invalid whole (ban.ttl_max below ban.ttl). */
static int settings_want(const struct fs_conf *c, const struct fs_cfg *cur,
			 struct fs_cfg *want)
{
	const struct fs_setting *keys;
	char was[96], now[96], err[160];
	size_t n;

	*want = c->rt;
	memset(want->cli_keys, 0, sizeof(want->cli_keys));
	keys = fs_settings(&n);
	for (size_t i = 0; i < n; i++) {
		if (!fs_key_bit(cur->cli_keys, i))
			continue;
		if (!fs_key_bit(c->rt.conf_keys, i)) {
			fs_setting_copy(want, cur, &keys[i]);
			fs_key_put(want->cli_keys, i, true);
			continue;
		}
		fs_setting_format(&keys[i], cur, 0, was, sizeof(was));
		fs_setting_format(&keys[i], want, 0, now, sizeof(now));
		pr_warn("config: %s was set with the CLI (%s); %s now sets it: "
			"%s\n",
			keys[i].key, was, c->path, now);
	}
	want->conf_flags = FS_CONF_PORTS | FS_CONF_HOSTS;
	snprintf(want->owner, sizeof(want->owner), "%s", c->path);
	if (fs_cfg_check(want, err, sizeof(err))) {
		pr_err("config: the settings made with the CLI and those of %s "
		       "do not go together: %s\n",
		       c->path, err);
		return -EINVAL;
	}
	return 0;
}

/* The settings as configured, with those the CLI owns (settings_want()):
 * the user's settings only (the served-host bits live in fs_hostfp,
 * loader/hostfp.h). */
static int put_settings(int cfg_fd, const struct fs_conf *c)
{
	struct fs_cfg cur, want;
	__u32 zero = 0;
	int err;

	if (bpf_map_lookup_elem(cfg_fd, &zero, &cur)) {
		pr_err_errno("config: cannot read settings");
		return -errno;
	}
	err = settings_want(c, &cur, &want);
	if (err)
		return err;
	fs_smtp_capacity_fill(&want); /* smtp.capacity 0: Postfix's */
	if (bpf_map_update_elem(cfg_fd, &zero, &want, BPF_ANY)) {
		pr_err_errno("config: cannot write settings");
		return -errno;
	}
	return 0;
}

int fs_sync(const struct fs_map_fds *m, const struct fs_conf *c,
	    const struct fs_addr_set *iface_own, struct fs_sync_stats *st)
{
	struct lpm_set allow = {}, block = {};
	struct fs_addr_set own = {}, own_want_set = {};
	int err, ferr;

	memset(st, 0, sizeof(*st));
	err = lpm_read(m->allow, &allow);
	if (!err)
		err = lpm_read(m->block, &block);
	if (!err)
		err = fs_own_read(m->own, &own);
	if (err) {
		pr_err_code(err, "config: cannot read the lists");
		goto out;
	}
	err = own_want(m, c, iface_own, &own_want_set);
	if (err)
		goto out;
	err = check_capacity(m->allow, "allow", c->allow, c->n_allow, &allow);
	if (!err)
		err = check_capacity(m->block, "block", c->block, c->n_block,
				     &block);
	if (!err && c->n_hosts > map_capacity(m->hosts)) {
		pr_err("config: %zu hosts do not fit: capacity %u\n",
		       c->n_hosts, map_capacity(m->hosts));
		err = -ENOSPC;
	}
	if (err)
		goto out;
	if ((err = put_settings(m->cfg, c)) ||
	    (err = put_list(m, FS_FILTER_ALLOW, c->allow, c->n_allow, &allow,
			    st)) ||
	    (err = put_list(m, FS_FILTER_BLOCK, c->block, c->n_block, &block,
			    st)) ||
	    (err = put_services(m->svc, c, st)) ||
	    (err = put_hosts(m, c, st)) ||
	    (err = put_own(m, &own_want_set, &own, st)))
		goto out;
	drop_removed(m, FS_FILTER_BLOCK, &block, c->block, c->n_block, st);
	drop_removed(m, FS_FILTER_ALLOW, &allow, c->allow, c->n_allow, st);
	drop_hosts(m, c, st);
	drop_own(m, &own_want_set, &own, st);
out:
	/* whatever was written, the prints and the served-host bits follow
	 * the hosts, and the prefilter drops the bits of entries removed */
	if (fs_hosts_done(m) && !err)
		err = -EIO;
	ferr = fs_filter_rebuild(m);
	if (ferr)
		pr_err_code(ferr, "config: cannot update the prefilter");
	lpm_set_free(&allow);
	lpm_set_free(&block);
	fs_addr_set_free(&own);
	fs_addr_set_free(&own_want_set);
	return err;
}
