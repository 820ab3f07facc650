// SPDX-License-Identifier: GPL-2.0
/* floodshield run: the daemon. Attaches to the configured interfaces
 * that exist (replacing an older floodshield program in place), moves
 * the maps to the configuration, restores the ledger after a reboot,
 * drops every capability but those an attach needs (kept off until one
 * is made), then keeps state: attaches to configured interfaces as they
 * appear or are created anew (loader/ifwatch.h), expires bans, logs new
 * ones (bounded), saves the ledger every minute, reloads on SIGHUP and
 * counts its reloads in fs_daemon. When it exits, the program stays
 * attached and protecting. */
#define _GNU_SOURCE /* ppoll */
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <poll.h>
#include <sys/file.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include "../../loader/addr.h"
#include "../../loader/util.h"
#include "privdrop.h"
#include "exporter.h"
#include "daemon.h"
#include "../../loader/config.h"
#include "../../loader/ledger.h"
#include "../../loader/log.h"
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

#define SWEEP_EVERY_S  10 /* expire bans and entries, log new bans */
#define LEDGER_EVERY_S 60 /* an unclean stop loses at most this */
#define BAN_LOG_MAX    10 /* ban lines per sweep; the rest are summed */

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
	int pin_fd; /* the pin folder, for flock() */
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

/* Hold the pin folder's lock, as the CLI's changing commands do, while
 * the daemon changes maps the CLI changes too. */
static void pins_lock(struct daemon *d, int op)
{
	if (d->pin_fd >= 0 && flock(d->pin_fd, op))
		pr_warn_errno("cannot %slock %s", op == LOCK_UN ? "un" : "",
			      d->pin_dir);
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
	if (d->serving)
		pins_lock(d, LOCK_EX);
	err = fs_replace(d->pin_dir, ifindex, mode, &info);
	if (d->serving)
		pins_lock(d, LOCK_UN);
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
	pins_lock(d, LOCK_EX);
	fs_own_add_iface_addrs(&d->maps, d->shielded);
	pins_lock(d, LOCK_UN);
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
	} else {
		pins_lock(d, LOCK_EX);
		err = fs_sync(&d->maps, c, &own, &st);
		pins_lock(d, LOCK_UN);
	}
	fs_addr_set_free(&own);
	if (err)
		pr_err("%s: the maps could not be brought to %s\n", what,
		       d->conf_path);
	else
		pr_info("%s: %s applied (%u added, %u changed, %u removed)\n",
			what, d->conf_path, st.added, st.updated, st.removed);
	return err;
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

	if (!c || fs_conf_load(d->conf_path, c, err, sizeof(err)) ||
	    fs_cfg_check_kernel(&c->rt, err, sizeof(err))) {
		pr_err("reload refused: %s; the running configuration stays\n",
		       c ? err : "out of memory");
		fs_conf_free(c);
		return FS_RELOAD_REFUSED;
	}
	if (!same_ifaces(c, d->conf) || strcmp(c->pin_dir, d->conf->pin_dir))
		pr_warn("reload: interfaces and pin_dir change only on "
			"restart\n");
	if (sync_logged(d, c, "reload")) {
		/* a map refused part of it: back to the running configuration */
		sync_logged(d, d->conf, "reload: rollback");
		fs_conf_free(c);
		return FS_RELOAD_ROLLED_BACK;
	}
	if (d->verifier)
		fs_verifier_reconf(d->verifier, c);
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

static void sweep(struct daemon *d)
{
	unsigned long long now = fs_mono_ns();

	pins_lock(d, LOCK_EX);
	sweep_bans(d, now);
	sweep_list(&d->maps, FS_FILTER_ALLOW, now);
	sweep_list(&d->maps, FS_FILTER_BLOCK, now);
	/* also picks up raw bpftool writes to the lists and the hosts */
	if (fs_filter_rebuild(&d->maps))
		pr_warn("sweep: cannot update the prefilter\n");
	fs_hosts_done(&d->maps);
	pins_lock(d, LOCK_UN);
	d->last_sweep_ns = now;
}

static void save_ledger(struct daemon *d)
{
	int n = fs_ledger_save(d->conf->state_dir, &d->maps);

	if (n >= 0)
		pr_debug("ledger: %d entries saved\n", n);
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
			got_hup = 0;
			reload_done(d, reload(d));
		}
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

/* Attach, pin, open, restore, sync: everything that needs privileges. */
static int start(struct daemon *d)
{
	bool fresh;
	int lock, n, err = -1;

	if (fs_pins_ensure(d->pin_dir))
		return -1;
	lock = fs_pins_lock(d->pin_dir);
	if (lock < 0)
		return -1;
	d->pin_fd = open(d->pin_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
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
	if (fresh) {
		n = fs_ledger_restore(d->conf->state_dir, &d->maps);
		if (n > 0)
			pr_info("ledger: %d bans and entries restored from "
				"%s\n",
				n, d->conf->state_dir);
	}
	close(lock); /* sync_logged() takes it again */
	lock = -1;
	if (sync_logged(d, d->conf, "start"))
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
	d.ifw.fd = -1;
	fs_iface_watch_init(&d.watch);
	for (int i = 0; i < conf->n_ifaces; i++)
		fs_iface_watch_want(&d.watch, conf->ifaces[i].name);
	setup_signals(&d);
	/* the attach capabilities stay (off) while there is any to attach */
	if (start(&d) || fs_drop_privileges(conf->n_ifaces > 0))
		goto out;
	d.dropped = true;
	d.serving = true;
	start_exporter(&d);
	d.last_sweep_ns = fs_mono_ns();
	/* from now on `status` shows this daemon, its reloads counted anew */
	d.state = (struct fs_daemon_state){.pid = getpid(),
					   .started_ns = d.last_sweep_ns};
	state_write(&d);
	pr_info("running (pid %d); SIGHUP reloads %s\n", getpid(), d.conf_path);
	serve(&d);
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
	fs_maps_close_all(&d.maps);
	fs_conf_free(d.conf);
	free(d.shielded);
	return rc;
}
