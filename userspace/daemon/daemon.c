// SPDX-License-Identifier: GPL-2.0
/* floodshield run: the daemon. One per pin folder. Attaches to the
 * configured interfaces that exist (replacing an older floodshield
 * program in place), moves the maps to the configuration, restores the
 * ledger after a reboot, then runs as its own user with no capability
 * but those an attach needs, kept off until one is made (privdrop.h),
 * tells systemd it is ready (notify.h), and keeps state: attaches to
 * configured interfaces as they appear or are created anew
 * (loader/ifwatch.h), expires bans, logs new ones (bounded), saves the
 * ledger every minute, reloads on SIGHUP and counts its reloads in
 * fs_daemon. When it exits, the program stays attached and protecting. */
#define _GNU_SOURCE /* ppoll */
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <poll.h>
#include <limits.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include "../../loader/addr.h"
#include "../../loader/util.h"
#include "notify.h"
#include "prepare.h"
#include "privdrop.h"
#include "exporter.h"
#include "daemon.h"
#include "../../loader/config.h"
#include "../../loader/ledger.h"
#include "../../loader/log.h"
#include "../../loader/session.h"
#include "../../loader/settings.h"
#include "../../loader/names.h"
#include "../../loader/sync.h"
#include "../../loader/lists.h"
#include "../../loader/metrics.h"
#include "verifier.h"
#include "../../loader/loader.h"
#include "../../loader/filter.h"
#include "../../loader/ifaces.h"
#include "../../loader/ifwatch.h"
#include "../../loader/own.h"

#define SWEEP_EVERY_S  10	/* expire bans and entries, log new bans */
#define LEDGER_EVERY_S 60	/* an unclean stop loses at most this */
#define BAN_LOG_MAX    10	/* ban lines per sweep; the rest are summed */
#define LOCK_POLL_NS   50000000 /* pin lock busy: try again after 50 ms */

struct daemon {
	const char *conf_path;
	char pin_dir[256]; /* a copy: a reload frees the config */
	struct fs_conf *conf;
	struct fs_map_fds maps;
	struct fs_verifier *verifier; /* NULL: DNS verification off */
	struct fs_iface_watch watch;  /* attach state for the exporter */
	struct fs_ifwatch ifw;	      /* the configured interfaces' lives */
	bool serving;		      /* start() done: attaches lock the pins */
	bool dropped;		      /* attaches raise the kept capabilities */
	/* the interfaces floodshield was attached to at the start, and
	 * those the daemon attached to since: their addresses are own
	 * (http.own), read again at each sync and added as they come */
	struct fs_ifnames *shielded;
	bool exporting;
	int pin_fd;	 /* the pin folder, for flock() */
	int instance_fd; /* FS_INSTANCE_LOCK, held while the daemon runs */
	char ledger[512];
	struct fs_user user;	/* [shield] user: the daemon runs as it */
	struct fs_cfg cfg_seen; /* the settings as the ledger last saw them */
	unsigned long long last_sweep_ns;
	struct fs_daemon_state state; /* as last written to fs_daemon */
	sigset_t wait_mask;	      /* while waiting: our signals unblocked */
};

static volatile sig_atomic_t got_hup, got_stop;

static void on_signal(int sig)
{
	if (sig == SIGHUP)
		got_hup = 1;
	else
		got_stop = 1;
}

/* SIGHUP, SIGTERM and SIGINT stay blocked except while the loop waits
 * (ppoll with d->wait_mask), and in every thread started later (they
 * inherit the mask: the exporter's, libunbound's). So a signal is taken
 * only by the main thread and only inside the wait, which it ends at
 * once, even if it came while the daemon was busy (it stays pending
 * until then): no SIGHUP is left waiting for the next timeout. */
static void setup_signals(struct daemon *d)
{
	struct sigaction sa = {.sa_handler = on_signal};
	sigset_t ours;

	sigemptyset(&sa.sa_mask);
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&ours);
	sigaddset(&ours, SIGHUP);
	sigaddset(&ours, SIGTERM);
	sigaddset(&ours, SIGINT);
	pthread_sigmask(SIG_BLOCK, &ours, &d->wait_mask);
	sigdelset(&d->wait_mask, SIGHUP);
	sigdelset(&d->wait_mask, SIGTERM);
	sigdelset(&d->wait_mask, SIGINT);
}

/* Publish d->state in fs_daemon (one whole value). A failure is logged:
 * the daemon works on, only `status` and the metrics lag. */
static void state_write(struct daemon *d)
{
	__u32 zero = 0;

	if (d->maps.daemon >= 0 &&
	    bpf_map_update_elem(d->maps.daemon, &zero, &d->state, BPF_F_LOCK))
		pr_warn_errno("cannot write %s", FS_STR(FS_MAP_DAEMON));
}

/* Count a finished reload, after its effects are in place. */
static void reload_done(struct daemon *d, enum fs_reload_result r)
{
	__u64 *count[FS_RELOAD_RESULT_MAX] = {
		[FS_RELOAD_APPLIED] = &d->state.applied,
		[FS_RELOAD_REFUSED] = &d->state.refused,
		[FS_RELOAD_ROLLED_BACK] = &d->state.rolled_back,
	};

	(*count[r])++;
	d->state.generation++;
	d->state.last = r;
	d->state.last_ns = fs_mono_ns();
	state_write(d);
}

/* Test hook: the point "@what:@name" (fs_test_point()). */
static void point(const char *what, const char *name)
{
	char p[64];

	snprintf(p, sizeof(p), "%s:%s", what, name);
	fs_test_point(p);
}

/* Take the pin folder's lock, as the CLI's changing commands do, before
 * the daemon changes maps the CLI changes too. While the lock is busy
 * (a CLI command holds it), the daemon's signals are taken (see
 * setup_signals()): a stop ends the wait. 0 with the lock held, or -1
 * without it (a stop came, or flock failed: logged); the caller then
 * changes nothing. */
static int pins_lock(struct daemon *d, const char *what)
{
	struct timespec poll = {0, LOCK_POLL_NS};

	point(what, "lock");
	while (flock(d->pin_fd, LOCK_EX | LOCK_NB)) {
		if (errno != EWOULDBLOCK && errno != EINTR) {
			pr_err_errno("cannot lock %s", d->pin_dir);
			return -1;
		}
		if (got_stop)
			return -1;
		ppoll(NULL, 0, &poll, &d->wait_mask);
	}
	return 0;
}

static void pins_unlock(struct daemon *d)
{
	if (flock(d->pin_fd, LOCK_UN))
		pr_warn_errno("cannot unlock %s", d->pin_dir);
}

/* Remember @name as shielded: its addresses are own (loader/own.h). */
static void shielded_add(struct daemon *d, const char *name)
{
	struct fs_ifnames *s = d->shielded;

	for (unsigned i = 0; i < s->n; i++)
		if (!strcmp(s->name[i], name))
			return;
	if (s->n < FS_OWN_MAX)
		snprintf(s->name[s->n++], IF_NAMESIZE, "%s", name);
}

/* Forget @name as shielded (detached by a reload). */
static void shielded_del(struct daemon *d, const char *name)
{
	struct fs_ifnames *s = d->shielded;

	for (unsigned i = 0; i < s->n; i++)
		if (!strcmp(s->name[i], name)) {
			memmove(s->name[i], s->name[i + 1],
				(s->n - i - 1) * sizeof(s->name[0]));
			s->n--;
			return;
		}
}

/* The fs_ifwatch_attach_fn: attach to a configured interface, or put
 * the new program in place of an attached one; at start, and later for
 * each one that appears (with the kept capabilities raised meanwhile,
 * in this thread only, and the pin folder locked as the CLI locks it). */
static int attach_one(void *arg, const char *name, int ifindex,
		      enum xdp_attach_mode mode)
{
	struct daemon *d = arg;
	struct fs_attach_info info;
	int err;

	if (d->dropped && fs_attach_privileges(true))
		return -EPERM;
	if (d->serving && pins_lock(d, "attach")) {
		err = -EINTR; /* a stop came: tried again by the next start */
	} else {
		err = fs_replace(d->pin_dir, ifindex, mode, &info);
		if (d->serving)
			pins_unlock(d);
	}
	if (d->dropped)
		fs_attach_privileges(false);
	if (err)
		return err;
	pr_info("attached to %s: mode %s, prog id %u, %s\n", name,
		fs_mode_name(info.mode), info.prog_id,
		info.dispatcher ? "via libxdp dispatcher" : "program alone");
	shielded_add(d, name);
	if (fs_iface_watch_attached(&d->watch, ifindex, name, info.mode))
		pr_warn("metrics: cannot learn the program id on %s\n", name);
	return 0;
}

/* The w->on_addrs of the interface watch: an address changed somewhere;
 * the shielded interfaces' addresses now are own (an interface that
 * appeared gets its addresses after its attach). Only adds: one removed
 * goes at the next sync (loader/own.h). */
static void own_follow(void *arg)
{
	struct daemon *d = arg;

	if (!d->serving)
		return; /* start()'s sync reads them */
	if (pins_lock(d, "own"))
		return;
	fs_own_add_iface_addrs(&d->maps, d->shielded);
	pins_unlock(d);
}

/* The maps to @c, the own addresses with those the shielded interfaces
 * have now (loader/own.h). */
static int sync_logged(struct daemon *d, const struct fs_conf *c,
		       const char *what)
{
	struct fs_addr_set own = {};
	struct fs_sync_stats st;
	int err;

	err = fs_own_iface_addrs(&own, d->shielded);
	if (err) {
		pr_err("%s: cannot read the shielded interfaces' addresses: "
		       "%s\n",
		       what, strerror(-err));
	} else if (pins_lock(d, what)) {
		err = -EINTR;
	} else {
		point(what, "locked");
		err = fs_sync(&d->maps, c, &own, &st);
		point(what, "synced");
		pins_unlock(d);
	}
	fs_addr_set_free(&own);
	if (err == -EINTR)
		pr_warn("%s: stopping: %s not applied, nothing changed\n", what,
			d->conf_path);
	else if (err)
		pr_err("%s: the maps could not be brought to %s\n", what,
		       d->conf_path);
	else
		pr_info("%s: %s applied (%u added, %u changed, %u removed)\n",
			what, d->conf_path, st.added, st.updated, st.removed);
	return err;
}

/* A reload removed @e from the file (or changed its mode): detach from
 * it if the daemon attached to it and it is still that index, with the
 * kept capabilities raised and the pins locked, as attach_one(); stop
 * reporting it and counting its addresses as own. */
static void detach_one(struct daemon *d, const struct fs_ifwatch_iface *e)
{
	int err = 0;

	fs_iface_watch_forget(&d->watch, e->name);
	shielded_del(d, e->name);
	if (!e->ifindex || (int)if_nametoindex(e->name) != e->ifindex)
		return;
	if (fs_attach_privileges(true))
		return;
	if (pins_lock(d, "detach")) {
		err = -EINTR;
	} else {
		err = fs_detach(e->ifindex);
		pins_unlock(d);
	}
	fs_attach_privileges(false);
	if (err && err != -ENOENT)
		pr_err("reload: cannot detach from %s (index %d): %s\n",
		       e->name, e->ifindex, strerror(-err));
	else
		pr_info("reload: detached from %s (no longer in %s)\n", e->name,
			d->conf_path);
}

/* A reload's interface list: detach from those it removed, attach to
 * those it added (those kept are left as they are); the addresses of
 * the new ones are own at once, those of the removed ones go at the
 * next sync (loader/own.h). */
static void ifaces_follow(struct daemon *d, const struct fs_conf *c)
{
	struct fs_ifwatch_iface gone[FS_CONF_IFACES_MAX];
	unsigned n = fs_ifwatch_update(&d->ifw, c->ifaces, c->n_ifaces, gone);

	for (unsigned i = 0; i < n; i++)
		detach_one(d, &gone[i]);
	for (int i = 0; i < c->n_ifaces; i++)
		fs_iface_watch_want(&d->watch, c->ifaces[i].name);
	n = fs_ifwatch_check(&d->ifw);
	if (n < (unsigned)c->n_ifaces)
		pr_warn("reload: attached to %u of %d configured interfaces\n",
			n, c->n_ifaces);
	own_follow(d);
}

static bool same_ifaces(const struct fs_conf *a, const struct fs_conf *b)
{
	if (a->n_ifaces != b->n_ifaces)
		return false;
	for (int i = 0; i < a->n_ifaces; i++)
		if (strcmp(a->ifaces[i].name, b->ifaces[i].name) ||
		    a->ifaces[i].mode != b->ifaces[i].mode)
			return false;
	return true;
}

/* SIGHUP: a bad file is refused and the running state stays. Returns
 * how it ended. */
static enum fs_reload_result reload(struct daemon *d)
{
	struct fs_conf *c = fs_conf_new();
	char err[512];
	int rc;

	if (!c || fs_conf_load(d->conf_path, c, err, sizeof(err)) ||
	    fs_cfg_check_kernel(&c->rt, err, sizeof(err))) {
		pr_err("reload refused: %s; the running configuration stays\n",
		       c ? err : "out of memory");
		fs_conf_free(c);
		return FS_RELOAD_REFUSED;
	}
	if (strcmp(c->pin_dir, d->conf->pin_dir))
		pr_warn("reload: pin_dir changes only on restart\n");
	rc = sync_logged(d, c, "reload");
	if (rc == -EINTR) { /* a stop came while waiting for the lock */
		fs_conf_free(c);
		return FS_RELOAD_REFUSED;
	}
	if (rc) {
		/* a map refused part of it: back to the running configuration */
		sync_logged(d, d->conf, "reload: rollback");
		fs_conf_free(c);
		return FS_RELOAD_ROLLED_BACK;
	}
	if (d->verifier)
		fs_verifier_reconf(d->verifier, c);
	if (!same_ifaces(c, d->conf))
		ifaces_follow(d, c);
	fs_conf_free(d->conf);
	d->conf = c;
	return FS_RELOAD_APPLIED;
}

static void log_ban(const struct fs_key *k, const struct fs_ban *b,
		    unsigned long long now)
{
	char cidr[FS_CIDR_STRLEN];

	fs_cidr_format(k->addr, k->plen, cidr, sizeof(cidr));
	pr_info("ban %s reason=%s ttl=%llus count=%u\n", cidr,
		fs_ban_reason_name(b->reason),
		(b->expires_ns - now + NSEC_PER_SEC - 1) / NSEC_PER_SEC,
		b->count);
}

/* Log bans made since the last sweep (at most BAN_LOG_MAX lines) and
 * delete bans expired for longer than ban.ttl: until then a ban
 * remembers its count, so a repeat offender's TTL keeps growing. */
static void sweep_bans(struct daemon *d, unsigned long long now)
{
	unsigned long long keep = d->conf->rt.ban_ttl_ns;
	struct fs_key k, next;
	struct fs_ban b;
	unsigned fresh = 0;
	bool more = bpf_map_get_next_key(d->maps.bans, NULL, &k) == 0;

	while (more) {
		more = bpf_map_get_next_key(d->maps.bans, &k, &next) == 0;
		if (bpf_map_lookup_elem(d->maps.bans, &k, &b) == 0) {
			if (b.created_ns > d->last_sweep_ns &&
			    b.expires_ns > now && fresh++ < BAN_LOG_MAX)
				log_ban(&k, &b, now);
			if (b.expires_ns && b.expires_ns + keep < now)
				fs_list_del(&d->maps, FS_FILTER_BAN, &k);
		}
		k = next;
	}
	if (fresh > BAN_LOG_MAX)
		pr_info("... and %u more bans\n", fresh - BAN_LOG_MAX);
}

/* Delete expired allow and block entries (the program ignores them, but
 * an expired longer prefix would hide a live shorter one). */
static void sweep_list(const struct fs_map_fds *m, enum fs_filter_set set,
		       unsigned long long now)
{
	int fd = set == FS_FILTER_ALLOW ? m->allow : m->block;
	struct fs_lpm_key k, next;
	struct fs_list_val v;
	bool more = bpf_map_get_next_key(fd, NULL, &k) == 0;

	while (more) {
		more = bpf_map_get_next_key(fd, &k, &next) == 0;
		if (bpf_map_lookup_elem(fd, &k, &v) == 0 && v.expires_ns &&
		    v.expires_ns <= now)
			fs_list_del(m, set, &k);
		k = next;
	}
}

/* End SMTP sessions idle for smtp.idle (loader/session.h), as fs_cfg
 * holds it now (`set` may have changed it since the config was read). */
static void sweep_smtp(struct daemon *d, unsigned long long now)
{
	struct fs_cfg cfg = d->conf->rt;
	__u32 zero = 0;
	int n;

	bpf_map_lookup_elem(d->maps.cfg, &zero, &cfg);
	n = fs_smtp_sweep(&d->maps, now, cfg.smtp_idle_ns);

	if (n < 0)
		pr_warn_code(n, "sweep: cannot end idle SMTP sessions");
}

static void sweep(struct daemon *d)
{
	unsigned long long now = fs_mono_ns();

	if (pins_lock(d, "sweep"))
		return; /* stopping */
	sweep_bans(d, now);
	sweep_list(&d->maps, FS_FILTER_ALLOW, now);
	sweep_list(&d->maps, FS_FILTER_BLOCK, now);
	sweep_smtp(d, now);
	/* also picks up raw bpftool writes to the lists and the hosts */
	if (fs_filter_rebuild(&d->maps))
		pr_warn("sweep: cannot update the prefilter\n");
	fs_hosts_done(&d->maps);
	pins_unlock(d);
	d->last_sweep_ns = now;
}

static void save_ledger(struct daemon *d)
{
	int n = fs_ledger_save(d->ledger, d->pin_dir, &d->maps);

	if (n >= 0)
		pr_debug("ledger: %d entries saved\n", n);
}

/* Save the ledger at once when the pinned settings changed (a `set`
 * from the CLI, which the ledger keeps over a reboot): an observe=on
 * made with the CLI is on disk within a second. */
static void watch_settings(struct daemon *d)
{
	struct fs_cfg cfg;
	__u32 zero = 0;

	if (bpf_map_lookup_elem(d->maps.cfg, &zero, &cfg) ||
	    !memcmp(&cfg, &d->cfg_seen, sizeof(cfg)))
		return;
	d->cfg_seen = cfg;
	save_ledger(d);
}

/* Up to a second, less if a signal or (with the verifier) an event or
 * a DNS answer comes; see setup_signals(). */
static void wait_events(struct daemon *d)
{
	struct timespec second = {1, 0};
	struct pollfd ifw = {.fd = d->ifw.fd, .events = POLLIN};

	if (d->verifier)
		fs_verifier_poll(d->verifier, 1000, &d->wait_mask, d->ifw.fd);
	else if (ppoll(&ifw, 1, &second, &d->wait_mask) < 0 && errno != EINTR)
		pr_warn_errno("ppoll");
	fs_ifwatch_process(&d->ifw);
}

static void serve(struct daemon *d)
{
	unsigned long long next_sweep =
		fs_mono_ns() + SWEEP_EVERY_S * NSEC_PER_SEC;
	unsigned long long next_save =
		fs_mono_ns() + LEDGER_EVERY_S * NSEC_PER_SEC;

	while (!got_stop) {
		wait_events(d);
		/* Cleared before the file is read: a SIGHUP from now on,
		 * during the reload too, makes another reload after it. */
		if (got_hup) {
			enum fs_reload_result r;

			got_hup = 0;
			fs_test_point("reload");
			fs_notify("RELOADING=1\nSTATUS=reloading %s",
				  d->conf_path);
			r = reload(d);
			reload_done(d, r);
			fs_notify("READY=1\nSTATUS=shielding; last reload %s",
				  fs_reload_result_name(r));
		}
		watch_settings(d);
		if (fs_mono_ns() >= next_sweep) {
			sweep(d);
			next_sweep += SWEEP_EVERY_S * NSEC_PER_SEC;
		}
		if (fs_mono_ns() >= next_save) {
			save_ledger(d);
			next_save += LEDGER_EVERY_S * NSEC_PER_SEC;
		}
	}
}

/* Which program ids are ours: asked now, while privileged; afterwards
 * the exporter compares ids only, and learns those of later attaches
 * from attach_one() (see struct fs_iface_watch). */
static void learn_ifaces(struct daemon *d)
{
	struct fs_iface_state scratch[FS_METRICS_MAX_IFACES];

	if (fs_iface_watch_poll(&d->watch, scratch, FS_METRICS_MAX_IFACES) < 0)
		pr_warn("metrics: cannot list interfaces\n");
}

/* After the capabilities are gone: threads started later hold none. A
 * port in use is logged; the shield runs on without metrics. The
 * exporter's thread takes none of the daemon's signals: they are
 * blocked here already (setup_signals()) and it inherits that. */
static void start_exporter(struct daemon *d)
{
	if (!*d->conf->metrics_listen)
		return;
	d->exporting = fs_exporter_start(d->conf->metrics_listen, &d->maps,
					 fs_iface_watch_poll, &d->watch) == 0;
	if (d->exporting)
		pr_info("metrics on http://%s/metrics\n",
			d->conf->metrics_listen);
}

/* One daemon per pin folder: FS_INSTANCE_LOCK, a folder in it (bpffs
 * holds folders), locked for as long as this daemon runs; a second
 * daemon on the same pins is refused. 0, or -1 logged. */
static int instance_lock(struct daemon *d)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", d->pin_dir, FS_INSTANCE_LOCK);
	if (mkdir(path, 0700) && errno != EEXIST) {
		pr_err_errno("cannot create %s", path);
		return -1;
	}
	d->instance_fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (d->instance_fd < 0) {
		pr_err_errno("cannot open %s", path);
		return -1;
	}
	if (flock(d->instance_fd, LOCK_EX | LOCK_NB) == 0)
		return 0;
	if (errno == EWOULDBLOCK)
		pr_err("another floodshield daemon runs on %s (it holds %s): "
		       "one daemon per pin folder\n",
		       d->pin_dir, path);
	else
		pr_err_errno("cannot lock %s", path);
	return -1;
}

/* Started by root: the daemon's folders its own user can use once it
 * runs as that user (under the unit, started as that user, `floodshield
 * prepare` (ExecStartPre=+) gave it its pins and systemd its
 * StateDirectory): the pin folder (fs_own_pins(): the CLI, root, can
 * still use them) and the state folder (created 0700 if missing; the
 * folder and its ledgers). A folder others may write to (a shared
 * /tmp) is refused, never given away. 0, or -1 logged. */
static int own_folders(struct daemon *d)
{
	static const char *const ledgers[] = {FS_LEDGER_FILE, NULL};
	const char *state = d->conf->state_dir;
	struct stat st;

	if (mkdir(state, 0700) && errno != EEXIST) {
		pr_err_errno("cannot create %s", state);
		return -1;
	}
	if (stat(state, &st)) {
		pr_err_errno("cannot stat %s", state);
		return -1;
	}
	if (st.st_mode & (S_IWGRP | S_IWOTH)) {
		pr_err("state_dir %s: others may write to it; give the daemon "
		       "a folder of its own (mode 0700)\n",
		       state);
		return -1;
	}
	return fs_own_pins(d->pin_dir, &d->user) ||
			       fs_own_folder(state, ledgers, &d->user)
		       ? -1
		       : 0;
}

/* Once the daemon runs as its user: it must read its file (a reload)
 * and write the ledger in the state folder (under the unit,
 * ProtectSystem=strict leaves only /var/lib/floodshield writable). Said
 * at the start rather than at the first reload or save. 0, or -1
 * logged. */
static int usable_as_user(const struct daemon *d)
{
	if (access(d->conf_path, R_OK)) {
		pr_err_errno("%s: user %s cannot read it, so could not reload "
			     "it",
			     d->conf_path, d->user.name);
		return -1;
	}
	if (access(d->conf->state_dir, W_OK | X_OK) == 0)
		return 0;
	pr_err_errno("state_dir %s: user %s cannot write the ledger there "
		     "(the systemd unit lets it write /var/lib/floodshield "
		     "only)",
		     d->conf->state_dir, d->user.name);
	return -1;
}

/* Which user: [shield] user. Started by root, the daemon becomes it
 * after the attach; started as that user (the systemd unit's User=,
 * with the capabilities to attach as ambient ones), it stays. */
static int find_user(struct daemon *d)
{
	if (fs_user_find(d->conf->user, &d->user))
		return -1;
	if (geteuid() != 0 && geteuid() != d->user.uid) {
		pr_err("running as uid %u, but [shield] user is %s (uid %u)\n",
		       (unsigned)geteuid(), d->user.name,
		       (unsigned)d->user.uid);
		return -1;
	}
	return 0;
}

/* After a reboot: the ledger back into the new maps, each expiry within
 * the configured bounds. */
static void restore_ledger(struct daemon *d)
{
	const struct fs_conf *c = d->conf;
	struct fs_ledger_limits lim = {
		.ban_ttl_max_s = c->rt.ban_ttl_max_ns / NSEC_PER_SEC,
		.dns_ttl_max_s = c->dns_ttl_cap_s,
	};
	int n;

	if (fs_ledger_adopt(c->state_dir, d->ledger) < 0)
		pr_warn_errno("ledger: cannot take over %s/%s", c->state_dir,
			      FS_LEDGER_FILE);
	n = fs_ledger_restore(d->ledger, d->pin_dir, &lim, &d->maps);
	if (n > 0)
		pr_info("ledger: %d bans and entries restored from %s\n", n,
			d->ledger);
}

/* Pins kept, but settings the CLI owned gone: fs_cfg was replaced with
 * the defaults (a newer build's layout, loader.c drop_stale_pins()). The
 * ledger's "set" lines bring them back before the sync, so that an
 * observe=on made with the CLI never turns into enforcement by itself. */
static void restore_cli_settings(struct daemon *d)
{
	static const __u64 none[FS_KEY_WORDS];
	struct fs_cfg cfg;
	__u32 zero = 0;
	int n;

	if (bpf_map_lookup_elem(d->maps.cfg, &zero, &cfg) || cfg.conf_flags ||
	    memcmp(cfg.cli_keys, none, sizeof(none)))
		return; /* a daemon's sync wrote it: not replaced */
	n = fs_ledger_restore_settings(d->ledger, d->pin_dir, &d->maps);
	if (n > 0)
		pr_info("ledger: %d settings made with the CLI restored from "
			"%s\n",
			n, d->ledger);
}

/* Attach, pin, open, restore, sync: everything that needs privileges. */
static int start(struct daemon *d)
{
	bool fresh;
	int lock, n, err = -1;

	if (fs_ledger_path(d->conf->state_dir, d->pin_dir, d->ledger,
			   sizeof(d->ledger))) {
		pr_err("state_dir %s: too long a path\n", d->conf->state_dir);
		return -1;
	}
	if (find_user(d) || fs_pins_ensure(d->pin_dir) || instance_lock(d))
		return -1;
	if (fs_ledger_clean(d->ledger) > 0)
		pr_info("ledger: removed what an interrupted save left\n");
	lock = fs_pins_lock(d->pin_dir);
	if (lock < 0)
		return -1;
	d->pin_fd = open(d->pin_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (d->pin_fd < 0) {
		pr_err_errno("cannot open %s", d->pin_dir);
		goto out;
	}
	if (fs_maps_create(d->pin_dir, &fresh) ||
	    fs_ifwatch_open(&d->ifw, d->conf->ifaces, d->conf->n_ifaces,
			    d->conf_path, attach_one, d))
		goto out;
	d->ifw.on_addrs = own_follow;
	n = fs_ifwatch_check(&d->ifw);
	if (n < d->conf->n_ifaces)
		pr_warn("attached to %d of %d configured interfaces\n", n,
			d->conf->n_ifaces);
	if (fs_maps_open_all(d->pin_dir, &d->maps))
		goto out;
	n = fs_own_attached(d->shielded);
	if (n) {
		pr_err("cannot tell which interfaces are shielded: %s\n",
		       strerror(-n));
		goto out;
	}
	if (fresh)
		restore_ledger(d);
	else
		restore_cli_settings(d);
	close(lock); /* sync_logged() takes it again */
	lock = -1;
	if (sync_logged(d, d->conf, "start"))
		goto out;
	if (geteuid() == 0 && own_folders(d))
		goto out;
	learn_ifaces(d);
	d->verifier = fs_verifier_new(d->conf, &d->maps);
	if (!d->verifier)
		pr_warn("DNS verification is off: every source stays "
			"unverified\n");
	err = 0;
out:
	if (lock >= 0)
		close(lock);
	return err;
}

int fs_daemon_run(struct fs_conf *conf, const char *conf_path,
		  const char *pin_dir)
{
	struct daemon d = {.conf = conf, .conf_path = conf_path};
	int rc = -1;

	snprintf(d.pin_dir, sizeof(d.pin_dir), "%s", pin_dir);
	d.shielded = calloc(1, sizeof(*d.shielded));
	if (!d.shielded) {
		pr_err("out of memory\n");
		fs_conf_free(conf);
		return -1;
	}

	memset(&d.maps, -1, sizeof(d.maps)); /* every fd -1 */
	d.pin_fd = -1;
	d.instance_fd = -1;
	d.ifw.fd = -1;
	fs_iface_watch_init(&d.watch);
	for (int i = 0; i < conf->n_ifaces; i++)
		fs_iface_watch_want(&d.watch, conf->ifaces[i].name);
	setup_signals(&d);
	/* the attach capabilities stay (off): for an interface that appears
	 * later, or that a reload adds */
	if (start(&d) || fs_drop_privileges(&d.user, true) ||
	    usable_as_user(&d))
		goto out;
	d.dropped = true;
	d.serving = true;
	start_exporter(&d);
	d.last_sweep_ns = fs_mono_ns();
	/* from now on `status` shows this daemon, its reloads counted anew */
	d.state = (struct fs_daemon_state){.pid = getpid(),
					   .started_ns = d.last_sweep_ns};
	state_write(&d);
	pr_info("running (pid %d, user %s); SIGHUP reloads %s\n", getpid(),
		d.user.name, d.conf_path);
	fs_notify("READY=1\nSTATUS=shielding %d interfaces", d.conf->n_ifaces);
	serve(&d);
	fs_notify("STOPPING=1");
	save_ledger(&d);
	d.state.pid = 0; /* stopped; its counts stay readable */
	state_write(&d);
	pr_info("stopping; the shield stays attached ('floodshield detach "
		"IFACE' "
		"removes it)\n");
	rc = 0;
out:
	if (d.exporting)
		fs_exporter_stop();
	fs_verifier_free(d.verifier);
	fs_ifwatch_close(&d.ifw);
	if (d.pin_fd >= 0)
		close(d.pin_fd);
	if (d.instance_fd >= 0)
		close(d.instance_fd);
	fs_maps_close_all(&d.maps);
	fs_conf_free(d.conf);
	free(d.shielded);
	return rc;
}
