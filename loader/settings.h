/* SPDX-License-Identifier: GPL-2.0 */
/* Runtime settings (struct fs_cfg): defaults, KEY=VALUE parsing and
 * printing. The CLI `set` and the config file use the same keys. */
#ifndef FS_SETTINGS_H
#define FS_SETTINGS_H

#include <stddef.h>
#include <stdio.h>
#include "../maps/floodshield.h"

/* What a settings key holds (FS_SETTINGS in maps/tables.h). */
enum fs_setting_type {
	FS_SET_FLAG,	 /* a bit of fs_cfg.flags: on or off */
	FS_SET_UINT,	 /* 0 to arg */
	FS_SET_DURATION, /* seconds, at least arg; the field holds ns */
	FS_SET_RATE,	 /* RATE/BURST or off: a struct fs_rate */
	FS_SET_POLICY,	 /* pass or reset: bit arg of http_flags */
	FS_SET_OBSERVE,	 /* on or off: rule arg's reasons in observe_mask */
	FS_SET_CHOICE,	 /* a name of choice list arg: its position, a __u8 */
};

/* The choice lists of FS_SET_CHOICE keys (the arg of their rows). */
enum fs_choice {
	FS_CHOICE_SYN_COOKIES, /* FS_SYN_COOKIE_MODES: off, auto, always */
	FS_CHOICE_HTTP_SERVER, /* FS_HTTP_SERVERS: both, apache, nginx */
	FS_CHOICE_MAX,
};

/* The names of choice list @c, NULL-terminated; NULL if unknown. */
const char *const *fs_choice_names(unsigned c);

/* The config file's section of a key. */
enum fs_setting_section {
	FS_SEC_LIMITS,
	FS_SEC_OBSERVE,
};

/* One settings key, a row of FS_SETTINGS (maps/tables.h). */
struct fs_setting {
	const char *key;      /* as `set` takes it, `show` prints it */
	const char *file_key; /* its name in its config file section */
	enum fs_setting_section section;
	enum fs_setting_type type;
	size_t off, size; /* the field of struct fs_cfg */
	__u64 arg;	  /* see enum fs_setting_type */
	const char *def;  /* default, as `show` prints it */
	const char *doc;  /* one line, for the docs */
};

/* Every key, in the order `show` prints them. *n is set to the count. */
const struct fs_setting *fs_settings(size_t *n);
/* The key named @key, or NULL. */
const struct fs_setting *fs_setting_find(const char *key);
/* The value of @s in @c as `show` prints it, into @buf (JSON with @json:
 * a number, true or false, a string, or {"rate":R,"burst":B}). */
void fs_setting_format(const struct fs_setting *s, const struct fs_cfg *c,
		       int json, char *buf, size_t len);

/* The row of @s in the table: its bit in fs_cfg.conf_keys and
 * cli_keys. */
size_t fs_setting_index(const struct fs_setting *s);

/* The value of key @s copied from @src into @dst (other keys sharing its
 * field keep theirs). */
void fs_setting_copy(struct fs_cfg *dst, const struct fs_cfg *src,
		     const struct fs_setting *s);

static inline bool fs_key_bit(const __u64 *keys, size_t i)
{
	return keys[i / 64] >> (i % 64) & 1;
}

static inline void fs_key_put(__u64 *keys, size_t i, bool on)
{
	if (on)
		keys[i / 64] |= 1ull << (i % 64);
	else
		keys[i / 64] &= ~(1ull << (i % 64));
}

/* Every key at its default (the table's, parsed). */
void fs_cfg_defaults(struct fs_cfg *cfg);

/* Service classes of a fresh services map, indexed by port: 80 and 8080
 * http, 25 smtp, 443, 465 and 587 tcp, the rest none. */
void fs_ports_defaults(enum fs_svc ports[FS_PORTS]);

/* Prepare a bucket for @rate packets/s with @burst back-to-back packets.
 * rate 0 disables it. Returns -EINVAL if burst is 0 with a rate. */
int fs_rate_set(struct fs_rate *r, unsigned rate, unsigned burst);

/* Apply one "key=value". On error returns -EINVAL and writes a message naming
 * the key or value to @err; @cfg is unchanged then. */
int fs_cfg_set(struct fs_cfg *cfg, const char *kv, char *err, size_t errlen);

/* What depends on several keys (ban.ttl_max not below ban.ttl): checked
 * once all keys of a command or file are applied. -EINVAL with a message. */
int fs_cfg_check(const struct fs_cfg *cfg, char *err, size_t errlen);

/* What the settings need of the kernel they run on, in this process's
 * network namespace (the attach netns): syn.cookies=always needs
 * net.ipv4.tcp_syncookies=2. -EINVAL with a message naming the key and
 * the sysctl, or the error reading it. */
int fs_cfg_check_kernel(const struct fs_cfg *cfg, char *err, size_t errlen);

/* Print every key as key=value lines (or a JSON object with @json). */
void fs_cfg_print(FILE *f, const struct fs_cfg *cfg, int json);

/* The settings name of a per-source/per-prefix bucket ("syn.http",
 * "smtp.failed", ...: its keys are NAME.src and NAME.prefix), NULL for
 * buckets that have none (FS_B_NONE, FS_B_EVENTS). */
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
