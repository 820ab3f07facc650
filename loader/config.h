/* SPDX-License-Identifier: GPL-2.0 */
/* The daemon's INI configuration (/etc/floodshield/floodshield.conf, read
 * with libinih) as a desired state. The daemon turns it into map contents
 * (see docs/config.md for every key). */
#ifndef FS_CONFIG_H
#define FS_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <xdp/libxdp.h>
#include "../maps/floodshield.h"

#define FS_CONF_PATH	   "/etc/floodshield/floodshield.conf"
#define FS_STATE_DIR	   "/var/lib/floodshield"
#define FS_USER		   "floodshield" /* etc/floodshield.sysusers */
#define FS_CONF_IFACES_MAX 16
#define FS_METRICS_LISTEN  "127.0.0.1:9477"
#define FS_CONF_DNS_MAX	   64  /* allow_name and allow_domain entries */
#define FS_CONF_NAME_LEN   254 /* a DNS name and its NUL */

/* One allow or block entry, with where it was read ("FILE:LINE"). */
struct fs_conf_cidr {
	struct fs_lpm_key key;
	char note[FS_NOTE_LEN];
	char where[96];
};

struct fs_conf_host {
	struct fs_host_key key;
	struct fs_host_val val;
};

struct fs_conf_iface {
	char name[16];
	enum xdp_attach_mode mode;
};

struct fs_conf {
	/* the file read (fs_conf_load()), made absolute when it can be */
	char path[FS_OWNER_LEN];
	/* [shield] */
	char pin_dir[256];   /* default FS_PIN_ROOT */
	char state_dir[256]; /* default FS_STATE_DIR */
	char user[32];	     /* default FS_USER: the daemon runs as it */
	struct fs_conf_iface ifaces[FS_CONF_IFACES_MAX];
	int n_ifaces;
	/* [limits] and [observe]: fs_cfg_defaults() then the keys (those
	 * the file gives are marked in rt.conf_keys); the
	 * user's settings only (the served-host bits follow the hosts map,
	 * loader/hostfp.h). */
	struct fs_cfg rt;
	/* [services]: if any port is given, these replace the defaults */
	enum fs_svc ports[FS_PORTS];
	bool ports_given;
	/* [hosts] */
	struct fs_conf_host *hosts;
	size_t n_hosts;
	/* [hosts] own: the server's own addresses (http.own) besides those
	 * of the shielded interfaces (loader/own.h), at most FS_OWN_MAX */
	struct fs_addr_key *own;
	size_t n_own;
	/* [allow], [block] (inline and from list files) */
	struct fs_conf_cidr *allow, *block;
	size_t n_allow, n_block;
	/* [metrics] */
	char metrics_listen[64]; /* "ADDR:PORT"; "" disables */
	/* [dns] */
	char dns_resolver[64];	 /* "ADDR[@PORT]"; "": resolv.conf */
	unsigned dns_timeout_ms; /* per verification, then tempfail */
	unsigned dns_ttl_cap_s;	 /* cap of cache and allowlist TTLs */
	unsigned dns_retry_s;	 /* first tempfail retry delay */
	bool dns_weak;		 /* ptr_only = weak (ptr_only_domain only) */
	bool dns_verify_smtp;	 /* verify SMTP clients (EHLO) */
	char allow_names[FS_CONF_DNS_MAX][FS_CONF_NAME_LEN];
	int n_allow_names;
	char allow_domains[FS_CONF_DNS_MAX][FS_CONF_NAME_LEN];
	int n_allow_domains;
	/* suffixes whose PTR names pass without forward records under
	 * ptr_only = weak (the PTR's owner is trusted) */
	char ptr_only_domains[FS_CONF_DNS_MAX][FS_CONF_NAME_LEN];
	int n_ptr_only_domains;
};

/* A new configuration holding the defaults (heap: it is large). */
struct fs_conf *fs_conf_new(void);
void fs_conf_free(struct fs_conf *c);

/* Read @path into @c (which must come from fs_conf_new()). On error
 * returns -errno (-EINVAL for what the file says, the open's error when
 * it cannot be read) and writes "FILE:LINE: what is wrong" to @err; @c is then
 * in an unspecified state and must be freed, not used. */
int fs_conf_load(const char *path, struct fs_conf *c, char *err, size_t errlen);

#endif
