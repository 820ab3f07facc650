/* SPDX-License-Identifier: GPL-2.0 */
/* Runtime settings (struct fs_cfg): defaults, KEY=VALUE parsing and
 * printing. The CLI `set` and the config file use the same keys. */
#ifndef FS_SETTINGS_H
#define FS_SETTINGS_H

#include <stddef.h>
#include <stdio.h>
#include "../maps/floodshield.h"

/* Defaults documented in docs/cli.md. */
#define FS_DEF_V4_PREFIX	24
#define FS_DEF_V6_PREFIX	64
#define FS_DEF_BAN_AFTER	20
#define FS_DEF_BAN_TTL_S	60
#define FS_DEF_BAN_TTL_MAX_S	3600
#define FS_DEF_BAN_SHIFT_MAX	6

void fs_cfg_defaults(struct fs_cfg *cfg);

/* Service classes of a fresh services map, indexed by port: 80 and 8080
 * http, 25 smtp, 443, 465 and 587 tcp, the rest none. */
void fs_ports_defaults(enum fs_svc ports[FS_PORTS]);

/* Prepare a bucket for @rate packets/s with @burst back-to-back packets.
 * rate 0 disables it. Returns -1 if burst is 0 with a rate. */
int fs_rate_set(struct fs_rate *r, unsigned rate, unsigned burst);

/* Apply one "key=value". On error returns -1 and writes a message naming
 * the key or value to @err; @cfg is unchanged then. */
int fs_cfg_set(struct fs_cfg *cfg, const char *kv, char *err, size_t errlen);

/* What depends on several keys (ban.ttl_max not below ban.ttl): checked
 * once all keys of a command or file are applied. -1 with a message. */
int fs_cfg_check(const struct fs_cfg *cfg, char *err, size_t errlen);

/* Print every key as key=value lines (or a JSON object with @json). */
void fs_cfg_print(FILE *f, const struct fs_cfg *cfg, int json);

/* The settings name of a per-source/per-prefix bucket ("syn.http",
 * "smtp.failed", ...), NULL for buckets that have none. */
const char *fs_bucket_name(enum fs_bucket b);

/* Service classes by name: none, tcp, http, smtp. -1 if unknown. */
int fs_svc_parse(const char *name);
const char *fs_svc_name(enum fs_svc svc);

/* A port in decimal digits: 0-65535, or -1. Callers that need a real
 * port refuse 0. */
int fs_parse_port(const char *s);

/* Durations: "90", "90s", "15m", "2h", "7d". -1 on error. */
long long fs_parse_duration_s(const char *s);

#endif
