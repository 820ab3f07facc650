// SPDX-License-Identifier: GPL-2.0
/* The tables of maps/tables.h: every row complete, released rows never
 * moved, settings that print what they parse, maps that are the BPF
 * object's, and counters that survive an upgrade index by index. */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "floodshield.skel.h"
#include "../loader/loader.h"
#include "../loader/metrics.h"
#include "../loader/names.h"
#include "../loader/settings.h"
#include "test.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Rows released so far, in their order: their values are pinned
 * (counter indexes, values stored in maps) on running systems. A table
 * must start with exactly these; new rows come after them. Add a row
 * here once a build with it is released. */
static const char *const released_reasons[] = {
	"non_ip",
	"malformed",
	"malformed_l4",
	"fragment",
	"not_tcp",
	"allow",
	"no_service",
	"service",
	"http_ok",
	"http_undecided",
	"reset_flow",
	"smtp_verified",
	"smtp_unverified",
	"smtp_failed",
	"block",
	"ban",
	"syn_rate_src",
	"syn_rate_prefix",
	"no_conn",
	"smtp_defer_verified",
	"smtp_defer_unverified",
	"smtp_defer_failed",
	"http_fragment",
	"http_bad_host",
	"http_dup_host",
	"http_host_ws",
	"http_empty_host",
	"http_no_host",
	"http_ip_host",
	"http_rate_src",
	"http_rate_prefix",
	"ban_reset",
	"bad_csum",
	"syn_cookie",
	"syn_cookie_budget",
	"syn_proven",
	"ack_bad_cookie",
	"cookie_reset",
};
static const char *const released_events[] = {
	"ban_src",	   "ban_prefix",      "ban_failed",  "rate_new",
	"rate_evicted",	   "rate_contended",  "flow_failed", "event_sent",
	"event_rate",	   "ring_full",	      "ban_evicted", "conn_ct",
	"conn_ct_refused", "conn_ct_missing", "proven_new",  "proven_evicted",
	"cookie_enoent",   "cookie_err",
};
static const char *const released_ban_reasons[] = {
	"manual",	   "syn_rate",	       "syn_rate_prefix",
	"http_rate",	   "http_rate_prefix", "http_bad",
	"http_bad_prefix", "conn_rate",	       "conn_rate_prefix",
};
static const char *const released_dns_classes[] = {"unverified", "verified",
						   "failed"};
static const char *const released_dns_reasons[] = {
	"ok",	"no_ptr",  "no_forward", "mismatch", "outside_suffix",
	"weak", "timeout", "servfail",
};
static const char *const released_origins[] = {"config", "cli", "dns"};
static const char *const released_services[] = {"none", "tcp", "http", "smtp"};
static const char *const released_reload_results[] = {
	"none",
	"applied",
	"refused",
	"rolled_back",
};
static const char *const released_buckets[] = {
	"none",	    "syn.tcp",	     "syn.http",	"http.req",
	"http.bad", "smtp.verified", "smtp.unverified", "smtp.failed",
	"events",   "conn",	     "syn.guard",	"syn.cookie",
};

static const struct {
	const char *what;
	const char *const *names;
	unsigned n;
} released[] = {
#define REL(what, a)                   \
	{                              \
		what, a, ARRAY_SIZE(a) \
	}
	REL("reason", released_reasons),
	REL("event", released_events),
	REL("ban reason", released_ban_reasons),
	REL("DNS class", released_dns_classes),
	REL("DNS reason", released_dns_reasons),
	REL("origin", released_origins),
	REL("service", released_services),
	REL("reload result", released_reload_results),
	REL("bucket", released_buckets),
};

FS_TEST(tables_released)
{
	for (size_t i = 0; i < ARRAY_SIZE(released); i++) {
		const struct fs_table *t = fs_table_find(released[i].what);

		fs_subtest("%ss: released rows keep their values",
			   released[i].what);
		if (!ASSERT_TRUE(t != NULL, released[i].what))
			continue;
		ASSERT_TRUE(t->n >= released[i].n, "no row removed");
		for (unsigned v = 0; v < released[i].n && v < t->n; v++)
			ASSERT_STREQ(t->names[v], released[i].names[v],
				     "row at its value");
	}
}

/* A name for metric labels and JSON: [a-z0-9_.]. */
static bool plain_name(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') ||
		      *s == '_' || *s == '.'))
			return false;
	return true;
}

FS_TEST(tables_rows)
{
	size_t n;
	const struct fs_table *t = fs_tables(&n);
	char what[128];

	for (size_t i = 0; i < n; i++) {
		fs_subtest("%ss: names and docs present, plain and unique",
			   t[i].what);
		ASSERT_TRUE(t[i].n > 0, "rows");
		for (unsigned a = 0; a < t[i].n; a++) {
			snprintf(what, sizeof(what), "%s %u '%s'", t[i].what, a,
				 t[i].names[a]);
			ASSERT_TRUE(plain_name(t[i].names[a]), what);
			ASSERT_TRUE(t[i].docs[a] && t[i].docs[a][0], what);
			for (unsigned b = 0; b < a; b++) {
				ASSERT_TRUE(strcmp(t[i].names[a],
						   t[i].names[b]),
					    what);
				ASSERT_TRUE(strcmp(t[i].docs[a], t[i].docs[b]),
					    what);
			}
		}
	}

	fs_subtest("reasons: an action each, observe rules only on stopping "
		   "ones");
	for (unsigned r = 0; r < FS_R_MAX; r++) {
		const char *act = fs_reason_action(r);

		ASSERT_TRUE(!strcmp(act, "pass") || !strcmp(act, "drop") ||
				    !strcmp(act, "reset") || !strcmp(act, "tx"),
			    fs_reason_name(r));
		ASSERT_TRUE(!fs_reason_resets(r) || fs_reason_drops(r),
			    fs_reason_name(r));
		ASSERT_TRUE(!fs_reason_tx(r) || fs_reason_drops(r),
			    fs_reason_name(r));
		ASSERT_FALSE(fs_reason_tx(r) && fs_reason_resets(r),
			     fs_reason_name(r));
		ASSERT_TRUE(fs_reason_drops(r) ||
				    fs_reason_rule(r) == FS_OBS_NONE,
			    fs_reason_name(r));
		ASSERT_TRUE(fs_reason_rule(r) < FS_OBS_MAX, fs_reason_name(r));
	}
	ASSERT_FALSE(fs_reason_drops(FS_R_MAX) || fs_reason_resets(FS_R_MAX),
		     "FS_R_MAX (no verdict yet) neither drops nor resets");
	ASSERT_FALSE(fs_reason_drops(1000) || fs_reason_resets(1000), "past "
								      "the "
								      "table");

	fs_subtest("observe rules: each covers at least one reason");
	for (unsigned o = FS_OBS_NONE + 1; o < FS_OBS_MAX; o++)
		ASSERT_TRUE(fs_observe_mask(o) != 0, fs_observe_rule_name(o));
	ASSERT_EQ(fs_observe_mask(FS_OBS_NONE), 0, "none covers nothing");

	fs_subtest("counter slots hold every reason and event");
	ASSERT_TRUE(FS_R_MAX <= FS_STATS_SLOTS && FS_E_MAX <= FS_EVENTS_SLOTS,
		    "slots");
}

/* The value of @s in @c, as `show` prints it. */
static const char *fmt(const struct fs_setting *s, const struct fs_cfg *c,
		       int json, char *buf, size_t len)
{
	fs_setting_format(s, c, json, buf, len);
	return buf;
}

FS_TEST(tables_settings)
{
	size_t n;
	const struct fs_setting *s = fs_settings(&n);
	unsigned observe_keys = 0;
	struct fs_cfg def, c;
	char kv[160], err[200], buf[96];

	fs_subtest("every key: unique, documented, a field of fs_cfg");
	for (size_t i = 0; i < n; i++) {
		ASSERT_TRUE(plain_name(s[i].key), s[i].key);
		ASSERT_TRUE(s[i].doc && s[i].doc[0], s[i].key);
		ASSERT_TRUE(fs_setting_find(s[i].key) == &s[i], "key unique");
		ASSERT_TRUE(s[i].off + s[i].size <= sizeof(struct fs_cfg),
			    s[i].key);
		for (size_t j = 0; j < i; j++) {
			ASSERT_TRUE(s[i].section != s[j].section ||
					    strcmp(s[i].file_key,
						   s[j].file_key),
				    "file key unique");
			/* the keys of one bucket share their doc line */
			ASSERT_TRUE(!strcmp(s[i].doc, s[j].doc)
					    ? (s[i].type == FS_SET_RATE &&
					       j + 1 == i)
					    : true,
				    s[i].key);
		}
		if (s[i].section == FS_SEC_OBSERVE)
			ASSERT_TRUE(s[i].type == FS_SET_FLAG ||
					    s[i].type == FS_SET_OBSERVE,
				    s[i].key);
		observe_keys += s[i].type == FS_SET_OBSERVE;
	}
	ASSERT_EQ(observe_keys, FS_OBS_MAX - 1,
		  "an observe.<rule> key per rule");

	fs_subtest("every key parses its default and prints it back");
	fs_cfg_defaults(&def);
	for (size_t i = 0; i < n; i++) {
		memset(&c, 0, sizeof(c));
		snprintf(kv, sizeof(kv), "%s=%s", s[i].key, s[i].def);
		if (!ASSERT_OK(fs_cfg_set(&c, kv, err, sizeof(err)), kv))
			continue;
		ASSERT_STREQ(fmt(&s[i], &c, 0, buf, sizeof(buf)), s[i].def,
			     s[i].key);
		ASSERT_STREQ(fmt(&s[i], &def, 0, buf, sizeof(buf)), s[i].def,
			     "fs_cfg_defaults() holds it");
		/* and what it prints for another value parses back too */
		snprintf(kv, sizeof(kv), "%s=%s", s[i].key,
			 fmt(&s[i], &c, 0, buf, sizeof(buf)));
		ASSERT_OK(fs_cfg_set(&c, kv, err, sizeof(err)), kv);
	}

	fs_subtest("off and on print what parses back");
	for (size_t i = 0; i < n; i++) {
		static const char *const vals[] = {"off", "on",	 "reset", "0",
						   "7",	  "7/9", "2h"};

		for (size_t v = 0; v < ARRAY_SIZE(vals); v++) {
			char again[96];

			c = def;
			snprintf(kv, sizeof(kv), "%s=%s", s[i].key, vals[v]);
			if (fs_cfg_set(&c, kv, err, sizeof(err)))
				continue; /* not a value of this key */
			fmt(&s[i], &c, 0, buf, sizeof(buf));
			snprintf(kv, sizeof(kv), "%s=%s", s[i].key, buf);
			if (!ASSERT_OK(fs_cfg_set(&c, kv, err, sizeof(err)),
				       kv))
				continue;
			ASSERT_STREQ(fmt(&s[i], &c, 0, again, sizeof(again)),
				     buf, kv);
		}
	}

	fs_subtest("buckets with settings have both levels, defaults on");
	for (unsigned b = 0; b < FS_B_MAX; b++) {
		const char *name = fs_bucket_name(b);
		const struct fs_setting *src, *pfx;

		if (!name)
			continue;
		snprintf(kv, sizeof(kv), "%s.src", name);
		src = fs_setting_find(kv);
		snprintf(kv, sizeof(kv), "%s.prefix", name);
		pfx = fs_setting_find(kv);
		if (!ASSERT_TRUE(src && pfx, name))
			continue;
		ASSERT_TRUE(src->type == FS_SET_RATE &&
				    pfx->type == FS_SET_RATE,
			    name);
		ASSERT_TRUE(def.limits[b].src.rate && def.limits[b].prefix.rate,
			    name);
		ASSERT_TRUE(strcmp(src->def, "off") && strcmp(pfx->def, "off"),
			    name);
	}

	/* syn.guard, syn.cookie.rate, events.rate, http.suspect: a global
	 * bucket is set by one RATE key of its own on limits[b].src */
	fs_subtest("global buckets have one key each, defaults on");
	for (unsigned b = FS_B_NONE + 1; b < FS_B_MAX; b++) {
		size_t off = offsetof(struct fs_cfg, limits) +
			     b * sizeof(struct fs_limit) +
			     offsetof(struct fs_limit, src);
		const struct fs_setting *key = NULL;
		unsigned keys = 0;

		if (fs_bucket_name(b))
			continue;
		for (size_t i = 0; i < n; i++)
			if (s[i].off == off) {
				key = &s[i];
				keys++;
			}
		snprintf(kv, sizeof(kv), "bucket %u", b);
		if (!ASSERT_EQ(keys, 1, kv))
			continue;
		ASSERT_TRUE(key->type == FS_SET_RATE, key->key);
		ASSERT_TRUE(def.limits[b].src.rate && strcmp(key->def, "off"),
			    key->key);
		ASSERT_EQ(def.limits[b].prefix.rate, 0, "no prefix level");
	}
	ASSERT_TRUE(fs_setting_find("http.suspect") &&
			    fs_setting_find("http.suspect")->off ==
				    offsetof(struct fs_cfg,
					     limits[FS_B_HTTP_SUSPECT].src),
		    "http.suspect sets its global bucket");

	fs_subtest("show prints every key, in table order");
	{
		char *text = NULL, *line, *save;
		size_t len = 0, i = 0;
		FILE *f = open_memstream(&text, &len);

		if (ASSERT_TRUE(f != NULL, "memstream")) {
			fs_cfg_print(f, &def, 0);
			fclose(f);
			for (line = strtok_r(text, "\n", &save); line;
			     line = strtok_r(NULL, "\n", &save), i++) {
				snprintf(kv, sizeof(kv), "%s=%s",
					 i < n ? s[i].key : "?",
					 i < n ? s[i].def : "?");
				ASSERT_STREQ(line, kv, "line");
			}
			ASSERT_EQ(i, n, "lines");
			free(text);
		}
	}
}

static int silent(enum libbpf_print_level l, const char *f, va_list ap)
{
	(void)l;
	(void)f;
	(void)ap;
	return 0;
}

FS_TEST(tables_maps)
{
	libbpf_print_fn_t old = libbpf_set_print(silent);
	struct floodshield_bpf *skel = floodshield_bpf__open();
	size_t n, found = 0;
	const struct fs_map_row *rows = fs_map_rows(&n);
	struct bpf_map *m;

	libbpf_set_print(old);
	fs_subtest("every pinned map of the object is a row, with its sizes");
	if (!ASSERT_TRUE(skel != NULL, "open the BPF object"))
		return;
	bpf_object__for_each_map(m, skel->obj) {
		const struct fs_map_row *r;

		if (bpf_map__is_internal(m)) /* .rodata, .bss */
			continue;
		r = fs_map_row_find(bpf_map__name(m));
		if (!bpf_map__pin_path(m)) { /* private to the program */
			ASSERT_TRUE(r == NULL, "an unpinned map is no row");
			continue;
		}
		if (!ASSERT_TRUE(r != NULL, bpf_map__name(m)))
			continue;
		found++;
		ASSERT_EQ(r->key_size, bpf_map__key_size(m), r->name);
		ASSERT_EQ(r->value_size, bpf_map__value_size(m), r->name);
	}

	fs_subtest("every row is a map of the object");
	ASSERT_EQ(found, n, "rows found in the object");
	for (size_t i = 0; i < n; i++) {
		ASSERT_TRUE(bpf_object__find_map_by_name(skel->obj,
							 rows[i].name) != NULL,
			    rows[i].name);
		ASSERT_TRUE(!strncmp(rows[i].name, "fs_", 3), "named fs_*");
		ASSERT_TRUE(rows[i].doc && rows[i].doc[0], rows[i].name);
		ASSERT_TRUE(rows[i].fd_off + sizeof(int) <=
				    sizeof(struct fs_map_fds),
			    "fd field");
	}

	fs_subtest("counter maps have their fixed slots");
	ASSERT_EQ(bpf_map__max_entries(skel->maps.FS_MAP_STATS), FS_STATS_SLOTS,
		  "fs_stats");
	ASSERT_EQ(bpf_map__max_entries(skel->maps.FS_MAP_EVENTS),
		  FS_EVENTS_SLOTS, "fs_events");
	ASSERT_EQ(fs_map_row_find("fs_stats")->role, FS_ROLE_COUNTERS,
		  "fs_stats role");

	fs_subtest("fill metrics: one label per FILL row");
	{
		unsigned fills = 0;

		for (size_t i = 0; i < n; i++) {
			char label[64];

			if (!rows[i].fill)
				continue;
			snprintf(label, sizeof(label), "%s", rows[i].name + 3);
			ASSERT_STREQ(fs_fill_map_name(fills), label,
				     "label in table order");
			fills++;
		}
		ASSERT_EQ(fills, FS_FILL_MAX, "fill maps");
	}
	floodshield_bpf__destroy(skel);
}

/* ------------------------------------------------------------------ */

#define OLD_REASONS 32 /* fs_stats of the builds before fixed slots */
#define OLD_EVENTS  10

/* The value planted in field @field of slot @slot on CPU @cpu. */
static __u64 plant(unsigned slot, int cpu, unsigned field)
{
	return 1000000ull * (slot + 1) + 1000ull * cpu + field + 1;
}

/* A per-CPU array pinned at @dir/@name as an older build made it, each
 * CPU's value of each slot distinct (plant()). 0 or -errno. */
static int pin_old(const char *dir, const char *name, __u32 value_size,
		   __u32 slots, int ncpu)
{
	char path[PATH_MAX];
	__u64 *vals = calloc(ncpu, value_size);
	int fd = bpf_map_create(BPF_MAP_TYPE_PERCPU_ARRAY, name, sizeof(__u32),
				value_size, slots, NULL),
	    err = 0;

	if (fd < 0 || !vals) {
		free(vals);
		return fd < 0 ? -errno : -ENOMEM;
	}
	for (__u32 i = 0; i < slots && !err; i++) {
		for (int c = 0; c < ncpu; c++)
			for (unsigned f = 0; f < value_size / 8; f++)
				vals[c * (value_size / 8) + f] = plant(i, c, f);
		if (bpf_map_update_elem(fd, &i, vals, BPF_ANY))
			err = -errno;
	}
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (!err && bpf_obj_pin(fd, path))
		err = -errno;
	close(fd);
	free(vals);
	return err;
}

/* Whether @dir/@name has @slots slots, the first @old each CPU's planted
 * values, the rest zero. */
static bool check_carried(const char *dir, const char *name, __u32 value_size,
			  __u32 slots, __u32 old, int ncpu)
{
	char path[PATH_MAX];
	struct bpf_map_info mi = {};
	__u32 len = sizeof(mi);
	__u64 *vals = calloc(ncpu, value_size);
	int fd;
	bool ok = true;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = bpf_obj_get(path);
	if (!ASSERT_TRUE(fd >= 0 && vals, path)) {
		free(vals);
		return false;
	}
	ok = ASSERT_OK(bpf_obj_get_info_by_fd(fd, &mi, &len), "map info") &&
	     ASSERT_EQ(mi.max_entries, slots, name);
	for (__u32 i = 0; ok && i < mi.max_entries; i++) {
		if (!ASSERT_OK(bpf_map_lookup_elem(fd, &i, vals), "lookup")) {
			ok = false;
			break;
		}
		for (int c = 0; c < ncpu; c++)
			for (unsigned f = 0; f < value_size / 8; f++) {
				__u64 want = i < old ? plant(i, c, f) : 0;

				if (vals[c * (value_size / 8) + f] != want) {
					fs_test_fail(
						__FILE__, __LINE__,
						"%s slot %u cpu %d "
						"field %u: expected %llu, got "
						"%llu",
						name, i, c, f,
						(unsigned long long)want,
						(unsigned long long)
							vals[c * (value_size /
								  8) +
							     f]);
					ok = false;
				}
			}
	}
	close(fd);
	free(vals);
	return ok;
}

FS_TEST(tables_upgrade)
{
	int ncpu = libbpf_num_possible_cpus();
	char dir[64], path[PATH_MAX + 16];
	bool fresh;
	int fd;

	snprintf(dir, sizeof(dir), "/sys/fs/bpf/fs-test-tables-%d",
		 (int)getpid());
	fs_subtest("pins of an older build: counters with fewer slots");
	if (!ASSERT_TRUE(ncpu > 0, "cpus") ||
	    !ASSERT_OK(fs_pins_ensure(dir), dir))
		return;
	if (!ASSERT_OK(pin_old(dir, "fs_stats", sizeof(struct fs_counter),
			       OLD_REASONS, ncpu),
		       "old fs_stats") ||
	    !ASSERT_OK(pin_old(dir, "fs_events", sizeof(__u64), OLD_EVENTS,
			       ncpu),
		       "old fs_events"))
		goto out;

	fs_subtest("a load refused for another map pins the old counters back");
	fd = bpf_map_create(BPF_MAP_TYPE_HASH, "fs_bans", sizeof(struct fs_key),
			    8, 16, NULL);
	snprintf(path, sizeof(path), "%s/fs_bans", dir);
	if (!ASSERT_TRUE(fd >= 0 && !bpf_obj_pin(fd, path), "fs_bans of "
							    "another layout"))
		goto out;
	close(fd);
	ASSERT_TRUE(fs_maps_create(dir, &fresh) != 0, "load refused");
	check_carried(dir, "fs_stats", sizeof(struct fs_counter), OLD_REASONS,
		      OLD_REASONS, ncpu);
	check_carried(dir, "fs_events", sizeof(__u64), OLD_EVENTS, OLD_EVENTS,
		      ncpu);
	unlink(path);

	fs_subtest("the load grows them, every CPU's value kept at its index");
	if (!ASSERT_OK(fs_maps_create(dir, &fresh), "load against the old "
						    "pins"))
		goto out;
	check_carried(dir, "fs_stats", sizeof(struct fs_counter),
		      FS_STATS_SLOTS, OLD_REASONS, ncpu);
	check_carried(dir, "fs_events", sizeof(__u64), FS_EVENTS_SLOTS,
		      OLD_EVENTS, ncpu);

	fs_subtest("a second load keeps them as they are");
	if (!ASSERT_OK(fs_maps_create(dir, &fresh), "load again"))
		goto out;
	ASSERT_FALSE(fresh, "pins reused");
	check_carried(dir, "fs_stats", sizeof(struct fs_counter),
		      FS_STATS_SLOTS, OLD_REASONS, ncpu);

	fs_subtest("a counter map of another value size is refused, not "
		   "dropped");
	snprintf(path, sizeof(path), "%s/fs_events", dir);
	unlink(path);
	if (!ASSERT_OK(pin_old(dir, "fs_events", 16, OLD_EVENTS, ncpu), "odd "
									"fs_"
									"event"
									"s"))
		goto out;
	ASSERT_TRUE(fs_maps_create(dir, &fresh) != 0, "load refused");
	check_carried(dir, "fs_events", 16, OLD_EVENTS, OLD_EVENTS, ncpu);

	/* An older fs_cfg (a bucket or setting added since): replaced, with
	 * the defaults in it; the config file's sync writes the rest. */
	fs_subtest("an fs_cfg of another layout: replaced, the defaults in it");
	snprintf(path, sizeof(path), "%s/fs_events", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/fs_cfg", dir);
	unlink(path);
	fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, "fs_cfg", sizeof(__u32),
			    sizeof(struct fs_cfg) - 64, 1, NULL);
	if (!ASSERT_TRUE(fd >= 0 && !bpf_obj_pin(fd, path), "fs_cfg of another "
							    "layout"))
		goto out;
	close(fd);
	if (ASSERT_OK(fs_maps_create(dir, &fresh), "load against the old "
						   "fs_cfg")) {
		struct fs_cfg cfg, want;
		__u32 zero = 0;

		fs_cfg_defaults(&want);
		fd = bpf_obj_get(path);
		if (ASSERT_TRUE(fd >= 0, "the new fs_cfg pinned") &&
		    ASSERT_OK(bpf_map_lookup_elem(fd, &zero, &cfg), "read it"))
			ASSERT_MEMEQ(&cfg, &want, sizeof(cfg), "the defaults");
		if (fd >= 0)
			close(fd);
	}
out:
	fs_test_pins_remove(dir);
}

/* The key in @dir/fs_hkey into *key: 0, or -errno. */
static int pinned_hkey(const char *dir, struct fs_hkey *key)
{
	char path[PATH_MAX];
	int fd, err;

	snprintf(path, sizeof(path), "%s/%s", dir, FS_STR(FS_MAP_HKEY));
	fd = bpf_obj_get(path);
	if (fd < 0)
		return -errno;
	err = fs_hkey_read(fd, key);
	close(fd);
	return err;
}

static bool hkey_zero(const struct fs_hkey *key)
{
	static const struct fs_hkey none;

	return !memcmp(key, &none, sizeof(none));
}

/* The set hashes' key (fs_hkey): random when a load creates the map,
 * kept when it reuses the pin, so that the set-associative tables'
 * slots stay where the program looks. */
FS_TEST(tables_hkey)
{
	struct fs_hkey first, again, key;
	struct fs_map_fds m;
	char dir[64], path[PATH_MAX + 16];
	bool fresh;
	int fd;

	snprintf(dir, sizeof(dir), "/sys/fs/bpf/fs-test-hkey-%d",
		 (int)getpid());
	snprintf(path, sizeof(path), "%s/%s", dir, FS_STR(FS_MAP_HKEY));
	fs_subtest("a fresh pin folder gets a random key");
	if (!ASSERT_OK(fs_pins_ensure(dir), dir))
		return;
	if (!ASSERT_OK(fs_maps_create(dir, &fresh), "first load") ||
	    !ASSERT_TRUE(fresh, "fresh") ||
	    !ASSERT_OK(pinned_hkey(dir, &first), "read the key"))
		goto out;
	ASSERT_FALSE(hkey_zero(&first), "the key is not zero");

	fs_subtest("a load that reuses the pins keeps the key");
	if (!ASSERT_OK(fs_maps_create(dir, &fresh), "second load") ||
	    !ASSERT_OK(pinned_hkey(dir, &again), "read the key"))
		goto out;
	ASSERT_FALSE(fresh, "pins reused");
	ASSERT_MEMEQ(&again, &first, sizeof(first), "the same key");

	fs_subtest("an older build's pin folder, without fs_hkey: key 0 until "
		   "the next load, then a new one");
	if (!ASSERT_OK(unlink(path), "fs_hkey unpinned"))
		goto out;
	if (ASSERT_OK(fs_maps_open_all(dir, &m), "the maps open without it")) {
		ASSERT_EQ(m.hkey, -1, "no fs_hkey fd");
		ASSERT_OK(fs_hkey_read(m.hkey, &key), "read key 0");
		ASSERT_TRUE(hkey_zero(&key), "the unkeyed hash");
		fs_maps_close_all(&m);
	}
	if (!ASSERT_OK(fs_maps_create(dir, &fresh), "load") ||
	    !ASSERT_OK(pinned_hkey(dir, &key), "read the key"))
		goto out;
	ASSERT_FALSE(hkey_zero(&key), "the key is not zero");
	ASSERT_TRUE(memcmp(&key, &first, sizeof(key)) != 0, "a new key");

	fs_subtest("an fs_hkey of another layout: replaced with a new key");
	unlink(path);
	fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, FS_STR(FS_MAP_HKEY),
			    sizeof(__u32), 16, 1, NULL);
	if (!ASSERT_TRUE(fd >= 0 && !bpf_obj_pin(fd, path), "fs_hkey of "
							    "another layout"))
		goto out;
	close(fd);
	if (ASSERT_OK(fs_maps_create(dir, &fresh), "load") &&
	    ASSERT_OK(pinned_hkey(dir, &again), "read the new key"))
		ASSERT_FALSE(hkey_zero(&again), "the key is not zero");
out:
	fs_test_pins_remove(dir);
}
