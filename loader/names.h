/* SPDX-License-Identifier: GPL-2.0 */
/* Names of the ABI enums, as printed by the CLI and used as metric
 * labels. One table per enum, indexed by value. */
#ifndef FS_NAMES_H
#define FS_NAMES_H

#include "../maps/floodshield.h"

const char *fs_reason_name(unsigned r);
/* "pass", "drop" or "reset": the action of a reason outside observe. */
const char *fs_reason_action(unsigned r);
const char *fs_event_name(unsigned e);
const char *fs_ban_reason_name(unsigned r);
const char *fs_origin_name(unsigned o);
const char *fs_dns_class_name(unsigned c);
const char *fs_dns_reason_name(unsigned r);
/* "none", "applied", "refused", "rolled_back": also the result label of
 * floodshield_config_reloads_total. */
const char *fs_reload_result_name(unsigned r);

#endif
