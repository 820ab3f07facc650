/* SPDX-License-Identifier: GPL-2.0 */
/* DNS verification with libunbound: forward-confirmed reverse DNS
 * (FCrDNS) of a source address, and forward resolution of names for the
 * allowlist. Asynchronous, cached by TTL. A temporary failure (timeout,
 * SERVFAIL) is never a negative answer. */
#ifndef FS_DNS_H
#define FS_DNS_H

#include <stdbool.h>
#include <stddef.h>
#include "../../maps/floodshield.h"

#define FS_DNS_NAME_MAX 256
#define FS_DNS_PTR_MAX	4 /* PTR names followed */
#define FS_DNS_ADDR_MAX 8 /* forward addresses kept per name */

enum fs_dns_outcome {
	FS_DNS_PASS = 0,
	FS_DNS_FAIL,
	FS_DNS_TEMPFAIL,
};

/* One forward lookup (A and AAAA) of a PTR name, for `verify`. */
struct fs_dns_fwd {
	char name[FS_DNS_NAME_MAX];
	int n_addr;
	char addr[FS_DNS_ADDR_MAX][46]; /* text, INET6_ADDRSTRLEN */
	bool nxdomain;
	bool tempfail;
};

/* The result of FCrDNS of one address, with every step. */
struct fs_fcrdns {
	__u8 addr[16]; /* 16-byte form (IPv4 v4-mapped) */
	enum fs_dns_outcome outcome;
	enum fs_dns_reason reason;
	char name[FS_DNS_NAME_MAX]; /* confirming name, or first PTR */
	unsigned ttl;		    /* seconds it may be cached */
	bool cached;		    /* served from the cache */
	int n_ptr;
	bool ptr_nxdomain; /* n_ptr 0: NXDOMAIN, not NODATA */
	char ptr[FS_DNS_PTR_MAX][FS_DNS_NAME_MAX];
	struct fs_dns_fwd fwd[FS_DNS_PTR_MAX];
};

struct fs_dns_opts {
	const char *resolver; /* "ADDR[@PORT]" to forward to; NULL: resolv.conf */
	unsigned timeout_ms;	   /* per verification; then tempfail */
	unsigned ttl_cap_s;	   /* cache (and allowlist) TTL cap */
	unsigned tempfail_retry_s; /* first retry delay; doubles, capped */
	/* CLOCK_MONOTONIC ns for deadlines, the cache and backoffs; NULL:
	 * the real clock (fs_mono_ns). Tests pass one they move by hand.
	 * libunbound keeps its own cache on the real clock regardless. */
	unsigned long long (*clock_ns)(void);
};

struct fs_dns_stats {
	unsigned long long queries; /* sent to libunbound */
	unsigned long long cache_hits;
	unsigned long long results[3]; /* by enum fs_dns_outcome */
};

struct fs_dns;

/* A resolver context. NULL with a message in @err on failure. */
struct fs_dns *fs_dns_new(const struct fs_dns_opts *o, char *err,
			  size_t errlen);
void fs_dns_free(struct fs_dns *d);

typedef void (*fs_fcrdns_cb)(void *arg, const struct fs_fcrdns *r);

/* Start FCrDNS of @addr. @suffix: the confirmed name must end with it
 * (label boundary), else fail with FS_DNSR_OUTSIDE_SUFFIX; NULL: any
 * name. @weak: a PTR under @suffix without forward records passes as
 * FS_DNSR_WEAK (else fails as FS_DNSR_NO_FORWARD, like Postfix's
 * reject_unknown_client_hostname). A cached result (within its TTL)
 * calls @cb before returning. 0 or -1. */
int fs_dns_fcrdns(struct fs_dns *d, const __u8 addr[16], const char *suffix,
		  bool weak, fs_fcrdns_cb cb, void *arg);

typedef void (*fs_resolve_cb)(void *arg, const char *name, int n,
			      const __u8 (*addrs)[16], unsigned ttl,
			      enum fs_dns_outcome outcome);

/* Start forward resolution (A and AAAA) of @name. */
int fs_dns_resolve(struct fs_dns *d, const char *name, fs_resolve_cb cb,
		   void *arg);

/* Poll this fd for input; then call fs_dns_process(), which runs the
 * callbacks of finished queries and times out overdue ones. Also call
 * fs_dns_process() at least once a second for timeouts. */
int fs_dns_fd(struct fs_dns *d);
int fs_dns_process(struct fs_dns *d);

/* Run until every started query has called back (the CLI's `verify`). */
int fs_dns_wait(struct fs_dns *d);

void fs_dns_get_stats(const struct fs_dns *d, struct fs_dns_stats *s);

const char *fs_dns_outcome_name(enum fs_dns_outcome o);
/* fs_dns_reason_name() is in names.h, with the other ABI enum names. */

/* "25.2.0.192.in-addr.arpa" or the ip6.arpa nibble name of @addr. 0, or
 * -1 if @len is too small (FS_DNS_NAME_MAX always fits). */
int fs_dns_reverse_name(const __u8 addr[16], char *buf, size_t len);

/* Why @r ended as it did, in words, for logs and `verify`: "PTR
 * omta0001.relay.example.net has no A or AAAA record". @suffix: the one
 * the verification used, or NULL. */
void fs_dns_explain(const struct fs_fcrdns *r, const char *suffix, char *buf,
		    size_t len);

#endif
