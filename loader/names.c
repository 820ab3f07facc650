// SPDX-License-Identifier: GPL-2.0
/* The tables of maps/tables.h expanded into arrays indexed by value. */
#include <string.h>
#include "names.h"

#define ARRAY_SIZE(a)	  (sizeof(a) / sizeof((a)[0]))
#define NAME_OF(table, i) ((i) < ARRAY_SIZE(table) ? table[i] : "unknown")

/* Columns 2 and last of a row: every table has its name second and its
 * doc line last, but the number of columns differs. */
#define NAME_(id, name, ...)			    name,
#define R_DOC_(id, name, action, rule, doc)	    doc,
#define R_RULE_(id, name, action, rule, doc)	    FS_OBS_##rule,
#define DOC3_(id, name, doc)			    doc,
#define B_DOC_(id, name, kind, sr, sb, pr, pb, doc) doc,

static const char *const reasons[] = {FS_REASONS(NAME_)};
static const char *const reason_docs[] = {FS_REASONS(R_DOC_)};
static const enum fs_observe_rule reason_rules[] = {FS_REASONS(R_RULE_)};
static const char *const rules[] = {"none", FS_OBSERVE_RULES(NAME_)};
static const char *const rule_docs[] = {"only `observe` (every rule) lets it "
					"pass",
					FS_OBSERVE_RULES(DOC3_)};
static const char *const events[] = {FS_EVENTS(NAME_)};
static const char *const event_docs[] = {FS_EVENTS(DOC3_)};
static const char *const ban_reasons[] = {FS_BAN_REASONS(NAME_)};
static const char *const ban_reason_docs[] = {FS_BAN_REASONS(DOC3_)};
static const char *const dns_classes[] = {FS_DNS_CLASSES(NAME_)};
static const char *const dns_class_docs[] = {FS_DNS_CLASSES(DOC3_)};
static const char *const dns_reasons[] = {FS_DNS_REASONS(NAME_)};
static const char *const dns_reason_docs[] = {FS_DNS_REASONS(DOC3_)};
static const char *const origins[] = {FS_ORIGINS(NAME_)};
static const char *const origin_docs[] = {FS_ORIGINS(DOC3_)};
static const char *const services[] = {FS_SERVICES(NAME_)};
static const char *const service_docs[] = {FS_SERVICES(DOC3_)};
static const char *const reload_results[] = {FS_RELOAD_RESULTS(NAME_)};
static const char *const reload_result_docs[] = {FS_RELOAD_RESULTS(DOC3_)};
static const char *const buckets[] = {FS_BUCKETS(NAME_)};
static const char *const smtp_pools[] = {FS_SMTP_POOLS(NAME_)};
static const char *const smtp_pool_docs[] = {FS_SMTP_POOLS(DOC3_)};
static const char *const bucket_docs[] = {FS_BUCKETS(B_DOC_)};

_Static_assert(ARRAY_SIZE(reasons) == FS_R_MAX, "reasons");
_Static_assert(ARRAY_SIZE(rules) == FS_OBS_MAX, "observe rules");
_Static_assert(ARRAY_SIZE(events) == FS_E_MAX, "events");
_Static_assert(ARRAY_SIZE(services) == FS_SVC_MAX, "services");
_Static_assert(ARRAY_SIZE(buckets) == FS_B_MAX, "buckets");

const char *fs_reason_name(unsigned r)
{
	return NAME_OF(reasons, r);
}
const char *fs_event_name(unsigned e)
{
	return NAME_OF(events, e);
}
const char *fs_ban_reason_name(unsigned r)
{
	return NAME_OF(ban_reasons, r);
}
const char *fs_origin_name(unsigned o)
{
	return NAME_OF(origins, o);
}
const char *fs_dns_class_name(unsigned c)
{
	return NAME_OF(dns_classes, c);
}
const char *fs_dns_reason_name(unsigned r)
{
	return NAME_OF(dns_reasons, r);
}
const char *fs_reload_result_name(unsigned r)
{
	return NAME_OF(reload_results, r);
}
const char *fs_smtp_pool_name(unsigned p)
{
	return NAME_OF(smtp_pools, p);
}
const char *fs_observe_rule_name(unsigned o)
{
	return NAME_OF(rules, o);
}

const char *fs_reason_action(unsigned r)
{
	if (r >= FS_R_MAX)
		return "unknown";
	return fs_reason_resets(r)  ? "reset"
	       : fs_reason_tx(r)    ? "tx"
	       : fs_reason_drops(r) ? "drop"
				    : "pass";
}

enum fs_observe_rule fs_reason_rule(unsigned r)
{
	return r < FS_R_MAX ? reason_rules[r] : FS_OBS_NONE;
}

__u64 fs_observe_mask(enum fs_observe_rule o)
{
	__u64 mask = 0;

	for (unsigned r = 0; o != FS_OBS_NONE && r < FS_R_MAX; r++)
		if (reason_rules[r] == o)
			mask |= 1ull << r;
	return mask;
}

#define TABLE(what, names, docs)                     \
	{                                            \
		what, ARRAY_SIZE(names), names, docs \
	}

static const struct fs_table tables[] = {
	TABLE("reason", reasons, reason_docs),
	TABLE("observe rule", rules, rule_docs),
	TABLE("event", events, event_docs),
	TABLE("ban reason", ban_reasons, ban_reason_docs),
	TABLE("DNS class", dns_classes, dns_class_docs),
	TABLE("DNS reason", dns_reasons, dns_reason_docs),
	TABLE("origin", origins, origin_docs),
	TABLE("service", services, service_docs),
	TABLE("reload result", reload_results, reload_result_docs),
	TABLE("bucket", buckets, bucket_docs),
	TABLE("SMTP pool", smtp_pools, smtp_pool_docs),
};

const struct fs_table *fs_tables(size_t *n)
{
	*n = ARRAY_SIZE(tables);
	return tables;
}

const struct fs_table *fs_table_find(const char *what)
{
	for (size_t i = 0; i < ARRAY_SIZE(tables); i++)
		if (!strcmp(tables[i].what, what))
			return &tables[i];
	return NULL;
}
