/* SPDX-License-Identifier: GPL-2.0 */
/* The ABI's tables (maps/tables.h) at run time: names, as printed by the
 * CLI and used as metric labels, doc lines, what a reason does and which
 * observe rule covers it. Indexed by value; "unknown" past a table. */
#ifndef FS_NAMES_H
#define FS_NAMES_H

#include <stddef.h>
#include "../maps/floodshield.h"

const char *fs_reason_name(unsigned r);
/* "pass", "drop" or "reset": the action of a reason outside observe. */
const char *fs_reason_action(unsigned r);
/* The observe rule that covers reason @r; FS_OBS_NONE if none does. */
enum fs_observe_rule fs_reason_rule(unsigned r);
const char *fs_event_name(unsigned e);
const char *fs_ban_reason_name(unsigned r);
const char *fs_origin_name(unsigned o);
const char *fs_dns_class_name(unsigned c);
const char *fs_dns_reason_name(unsigned r);
/* "verified", "tempfail", "open": the SMTP session pools, also the class
 * label of floodshield_smtp_sessions and floodshield_smtp_capacity. */
const char *fs_smtp_pool_name(unsigned p);
/* "none", "applied", "refused", "rolled_back": also the result label of
 * floodshield_config_reloads_total. */
const char *fs_reload_result_name(unsigned r);

/* The name of observe rule @o ("block", ...), "none" for FS_OBS_NONE. */
const char *fs_observe_rule_name(unsigned o);
/* The reasons rule @o covers, one bit per reason (fs_cfg.observe_mask). */
__u64 fs_observe_mask(enum fs_observe_rule o);

/* One table of maps/tables.h: the name and doc line of each value. */
struct fs_table {
	const char *what; /* "reason", "event", ... */
	unsigned n;	  /* values 0 .. n-1 */
	const char *const *names;
	const char *const *docs;
};

/* Every enum table: reasons, observe rules (value 0 is "none"), events,
 * ban reasons, DNS classes, DNS reasons, origins, services, reload
 * results, buckets. *n is set to their count. */
const struct fs_table *fs_tables(size_t *n);
/* The table named @what, or NULL. */
const struct fs_table *fs_table_find(const char *what);

#endif
