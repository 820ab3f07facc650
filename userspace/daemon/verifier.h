/* SPDX-License-Identifier: GPL-2.0 */
/* The daemon's DNS side: reads the program's events (EHLO names, new
 * HTTP sources), verifies sources with FCrDNS, writes their class into
 * fs_dns and allowlists those under an allow_domain; resolves allow_name
 * names into allowlist entries and refreshes them before their TTL ends.
 * Needs no privilege once its map fds are open. */
#ifndef FS_VERIFIER_H
#define FS_VERIFIER_H

#include <signal.h>
#include "../../loader/config.h"
#include "../../loader/loader.h"

struct fs_verifier;

/* NULL with a message logged when the resolver cannot be set up. */
struct fs_verifier *fs_verifier_new(const struct fs_conf *c,
				    const struct fs_map_fds *m);
void fs_verifier_free(struct fs_verifier *v);

/* Take the names, domains and policy of a reloaded configuration
 * (resolver options change only on restart). */
void fs_verifier_reconf(struct fs_verifier *v, const struct fs_conf *c);

/* Wait up to @timeout_ms for events and DNS answers, and handle them;
 * also refreshes allow_name entries that are due. The wait runs with
 * signal mask @sigmask (ppoll): a signal it unblocks ends it early, even
 * one that was pending before. @wake_fd (-1: none) readable ends it too;
 * the caller reads it. */
void fs_verifier_poll(struct fs_verifier *v, int timeout_ms,
		      const sigset_t *sigmask, int wake_fd);

#endif
