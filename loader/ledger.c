// SPDX-License-Identifier: GPL-2.0
/* Format, one entry per line, times in Unix seconds:
 *   # floodshield ledger 2 PIN_DIR     (version 1: no PIN_DIR)
 *   ban CIDR REASON COUNT CREATED EXPIRES
 *   allow|block CIDR ORIGIN EXPIRES NOTE...     (EXPIRES 0: never)
 *   set KEY=VALUE                               (a setting the CLI owns)
 *   host NAME                                   (a host the CLI added)
 * A line is at most LINE_MAX_ bytes with its newline, printable ASCII.
 */
#define _GNU_SOURCE /* mkostemp */
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include <bpf/bpf.h>
#include "addr.h"
#include "util.h"
#include "ledger.h"
#include "log.h"
#include "names.h"
#include "lists.h"
#include "hosts.h"
#include "settings.h"

#define LEDGER_HEADER_V1 "# floodshield ledger 1"
#define LEDGER_HEADER	 "# floodshield ledger 2 " /* then the pin folder */
#define LINE_MAX_	 512
#define REFUSED_LOGGED	 10 /* refused lines logged one by one */
/* No expiry is restored further ahead than this (a CLI entry's): a
 * bound that keeps the arithmetic far from overflow. */
#define AHEAD_MAX_S (20LL * 365 * 24 * 3600)
#define NSEC	    ((long long)NSEC_PER_SEC) /* signed arithmetic here */

/* Offset from CLOCK_MONOTONIC ns to Unix seconds. */
struct clocks {
	long long mono_ns;
	long long wall_s;
};

static void clocks_now(struct clocks *c)
{
	struct timespec m;

	clock_gettime(CLOCK_MONOTONIC, &m);
	c->mono_ns = m.tv_sec * NSEC + m.tv_nsec;
	c->wall_s = time(NULL);
}

static long long to_wall(const struct clocks *c, unsigned long long mono_ns)
{
	return mono_ns ? c->wall_s + ((long long)mono_ns - c->mono_ns) / NSEC
		       : 0;
}

/* Unix seconds to a monotonic time; 0 stays 0 (never). A time before
 * this boot (a ban's creation, after a reboot) becomes 1: long ago. The
 * file is input: a time past what the arithmetic holds saturates (the
 * far future, or 1) instead of overflowing. */
static unsigned long long to_mono(const struct clocks *c, long long wall)
{
	long long d, ns;

	if (!wall)
		return 0;
	if (__builtin_sub_overflow(wall, c->wall_s, &d) ||
	    __builtin_mul_overflow(d, NSEC, &ns) ||
	    __builtin_add_overflow(ns, c->mono_ns, &ns))
		return wall > c->wall_s ? LLONG_MAX : 1;
	return ns > 0 ? (unsigned long long)ns : 1;
}

static int save_bans(FILE *f, int fd, const struct clocks *now)
{
	struct fs_key k, prev;
	struct fs_ban b;
	char cidr[FS_CIDR_STRLEN];
	void *p = NULL;
	int n = 0;

	while (bpf_map_get_next_key(fd, p, &k) == 0) {
		prev = k;
		p = &prev;
		if (bpf_map_lookup_elem(fd, &k, &b) ||
		    (long long)b.expires_ns <= now->mono_ns)
			continue;
		fs_cidr_format(k.addr, k.plen, cidr, sizeof(cidr));
		fprintf(f, "ban %s %s %u %lld %lld\n", cidr,
			fs_ban_reason_name(b.reason), b.count,
			to_wall(now, b.created_ns), to_wall(now, b.expires_ns));
		n++;
	}
	return n;
}

static int save_list(FILE *f, const char *kind, int fd,
		     const struct clocks *now)
{
	struct fs_lpm_key k, prev;
	struct fs_list_val v;
	char cidr[FS_CIDR_STRLEN];
	void *p = NULL;
	int n = 0;

	while (bpf_map_get_next_key(fd, p, &k) == 0) {
		prev = k;
		p = &prev;
		if (bpf_map_lookup_elem(fd, &k, &v) ||
		    v.origin == FS_ORIGIN_STATIC ||
		    (v.expires_ns && (long long)v.expires_ns <= now->mono_ns))
			continue;
		v.note[FS_NOTE_LEN - 1] = '\0';
		for (char *c = v.note; *c; c++) /* one line per entry */
			if (*c == '\n' || *c == '\r')
				*c = ' ';
		fs_cidr_format(k.addr, k.prefixlen, cidr, sizeof(cidr));
		fprintf(f, "%s %s %s %lld %s\n", kind, cidr,
			fs_origin_name(v.origin), to_wall(now, v.expires_ns),
			v.note);
		n++;
	}
	return n;
}

/* The settings `set` made (fs_cfg.cli_keys): the daemon's sync keeps
 * them, and after a reboot they come back from here. */
static int save_settings(FILE *f, int fd)
{
	const struct fs_setting *keys;
	struct fs_cfg cfg;
	char val[96];
	__u32 zero = 0;
	size_t n;
	int saved = 0;

	if (fd < 0 || bpf_map_lookup_elem(fd, &zero, &cfg))
		return 0;
	keys = fs_settings(&n);
	for (size_t i = 0; i < n; i++) {
		if (!fs_key_bit(cfg.cli_keys, i))
			continue;
		fs_setting_format(&keys[i], &cfg, 0, val, sizeof(val));
		fprintf(f, "set %s=%s\n", keys[i].key, val);
		saved++;
	}
	return saved;
}

/* The hosts the CLI added (origin cli). */
static int save_hosts(FILE *f, int fd)
{
	struct fs_host_key k, prev;
	struct fs_host_val v;
	void *p = NULL;
	int saved = 0;

	while (fd >= 0 && bpf_map_get_next_key(fd, p, &k) == 0) {
		prev = k;
		p = &prev;
		if (bpf_map_lookup_elem(fd, &k, &v) ||
		    v.origin != FS_ORIGIN_CLI)
			continue;
		v.name[sizeof(v.name) - 1] = '\0';
		fprintf(f, "host %s\n", v.name);
		saved++;
	}
	return saved;
}

/* The file name part for @pin_dir: '/' becomes '-', letters, digits,
 * '_' and '.' stay, every other byte is %XX ('-' too), so two pin folders
 * never share a name. */
static void pin_key(const char *pin_dir, char *out, size_t len)
{
	size_t n = 0;

	while (*pin_dir == '/')
		pin_dir++;
	for (const unsigned char *c = (const void *)pin_dir; *c && n + 4 < len;
	     c++) {
		if (*c == '/')
			out[n++] = '-';
		else if ((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
			 (*c >= '0' && *c <= '9') || *c == '_' || *c == '.')
			out[n++] = *c;
		else
			n += snprintf(out + n, len - n, "%%%02X", *c);
	}
	out[n] = '\0';
}

int fs_ledger_path(const char *state_dir, const char *pin_dir, char *out,
		   size_t len)
{
	char key[256];
	int n;

	pin_key(pin_dir, key, sizeof(key));
	n = snprintf(out, len, "%s/%s.%s", state_dir, FS_LEDGER_FILE, key);
	return n > 0 && (size_t)n < len ? 0 : -ENAMETOOLONG;
}

int fs_ledger_adopt(const char *state_dir, const char *path)
{
	char legacy[512];

	snprintf(legacy, sizeof(legacy), "%s/%s", state_dir, FS_LEDGER_FILE);
	if (!access(path, F_OK) || access(legacy, F_OK))
		return 0;
	/* rename: only one instance can take it */
	if (rename(legacy, path))
		return errno == ENOENT ? 0 : -errno;
	pr_info("ledger: %s renamed to %s (one ledger per pin folder)\n",
		legacy, path);
	return 1;
}

int fs_ledger_clean(const char *path)
{
	char dir[512], *slash, *base;
	struct dirent *e;
	size_t n;
	int gone = 0;
	DIR *d;

	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (!slash)
		return 0;
	*slash = '\0';
	base = slash + 1;
	n = strlen(base);
	d = opendir(*dir ? dir : "/");
	if (!d)
		return errno == ENOENT ? 0 : -errno;
	/* fs_ledger_save()'s temporary files: BASE.XXXXXX */
	while ((e = readdir(d)))
		if (!strncmp(e->d_name, base, n) && e->d_name[n] == '.' &&
		    strlen(e->d_name + n + 1) == 6 &&
		    unlinkat(dirfd(d), e->d_name, 0) == 0)
			gone++;
	closedir(d);
	return gone;
}

/* Make the rename of a file in @path's folder durable. */
static int sync_dir(const char *path)
{
	char dir[512], *slash;
	int fd, err = 0;

	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (slash)
		*slash = '\0';
	fd = open(slash ? dir : ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || fsync(fd))
		err = -errno;
	if (fd >= 0)
		close(fd);
	return err;
}

/* The folder of @path, created 0700 if missing. */
static int ensure_dir(const char *path)
{
	char dir[512], *slash;

	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (!slash || slash == dir)
		return 0;
	*slash = '\0';
	if (mkdir(dir, 0700) && errno != EEXIST) {
		pr_err_errno("ledger: cannot create %s", dir);
		return -errno;
	}
	return 0;
}

int fs_ledger_save(const char *path, const char *pin_dir,
		   const struct fs_map_fds *m)
{
	char tmp[520];
	struct clocks now;
	FILE *f;
	int n, fd, err;
	bool bad;

	err = ensure_dir(path);
	if (err)
		return err;
	/* a name of its own: two writers never share a temporary file */
	snprintf(tmp, sizeof(tmp), "%s.XXXXXX", path);
	fd = mkostemp(tmp, O_CLOEXEC);
	f = fd >= 0 ? fdopen(fd, "w") : NULL;
	if (!f) {
		err = -errno;
		pr_err_code(err, "ledger: cannot write %s", tmp);
		if (fd >= 0) {
			close(fd);
			unlink(tmp);
		}
		return err;
	}
	clocks_now(&now);
	fprintf(f, "%s%s\n", LEDGER_HEADER, pin_dir);
	n = save_bans(f, m->bans, &now);
	n += save_list(f, "allow", m->allow, &now);
	n += save_list(f, "block", m->block, &now);
	n += save_settings(f, m->cfg);
	n += save_hosts(f, m->hosts);
	errno = 0;
	bad = fflush(f) || ferror(f) || fsync(fd);
	bad |= fclose(f) != 0; /* closed whatever happened */
	fs_test_point("ledger-written");
	if (bad || rename(tmp, path)) {
		err = errno ? -errno : -EIO;
		pr_err_code(err, "ledger: cannot write %s", path);
		unlink(tmp);
		return err;
	}
	err = sync_dir(path);
	if (err)
		pr_warn("ledger: %s written, its folder not synced: %s\n", path,
			strerror(-err));
	return n;
}

/* The value below @max that @name_of names @name, or -ENOENT. */
static int lookup_name(const char *(*name_of)(unsigned), unsigned max,
		       const char *name)
{
	for (unsigned i = 0; i < max; i++)
		if (!strcmp(name_of(i), name))
			return i;
	return -ENOENT;
}

/* Restore one entry through the one writer (lists.h), unless the map
 * has it already (what is in the maps is newer than the file): 1, 0 for
 * one already there, or -errno. */
static int put(const struct fs_map_fds *m, enum fs_filter_set set,
	       const void *key, const void *val)
{
	int err = fs_list_put(m, set, key, val, BPF_NOEXIST);

	return err == -EEXIST ? 0 : err ? err : 1;
}

/* "set KEY=VALUE": the setting back, the CLI's, unless the pinned
 * settings have that key from the CLI already (newer than the file). */
static int restore_setting(const struct fs_map_fds *m, const char *kv,
			   const char **why)
{
	char key[64], err[160];
	const struct fs_setting *s;
	struct fs_cfg cfg;
	__u32 zero = 0;
	size_t i;

	snprintf(key, sizeof(key), "%.*s", (int)strcspn(kv, "="), kv);
	s = fs_setting_find(key);
	if (!s)
		return *why = "unknown setting", -EINVAL;
	i = fs_setting_index(s);
	if (bpf_map_lookup_elem(m->cfg, &zero, &cfg))
		return -errno;
	if (fs_key_bit(cfg.cli_keys, i))
		return 0;
	if (fs_cfg_set(&cfg, kv, err, sizeof(err)) ||
	    fs_cfg_check(&cfg, err, sizeof(err)))
		return *why = "a bad setting", -EINVAL;
	fs_key_put(cfg.cli_keys, i, true);
	return bpf_map_update_elem(m->cfg, &zero, &cfg, BPF_ANY) ? -errno : 1;
}

/* "host NAME": a host the CLI added, unless served already. */
static int restore_host(const struct fs_map_fds *m, const char *name,
			const char **why)
{
	struct fs_host_key k;
	struct fs_host_val v, old;
	char err[160];
	int e;

	if (fs_host_key(name, &k, &v, err, sizeof(err)))
		return *why = "not a host name", -EINVAL;
	if (bpf_map_lookup_elem(m->hosts, &k, &old) == 0)
		return 0;
	v.origin = FS_ORIGIN_CLI;
	e = fs_host_put(m, &k, &v);
	return e ? e : 1;
}

/* A line being restored: its fields, and why it is refused. */
struct line {
	char *f[7];
	int n;
	const char *why; /* refused: the reason */
	bool clamped;	 /* an expiry was shortened to its bound */
};

/* Split @s at single spaces into at most @max fields; the last takes the
 * rest of the line (a note may hold spaces). */
static void split(struct line *l, char *s, int max)
{
	l->n = 0;
	while (s && l->n < max) {
		l->f[l->n++] = s;
		if (l->n == max)
			break;
		s = strchr(s, ' ');
		if (s)
			*s++ = '\0';
	}
}

/* A whole decimal number in [@lo, @hi], or false. */
static bool num(const char *s, long long lo, long long hi, long long *out)
{
	char *end;

	if (!*s || *s == '+' || *s == ' ')
		return false;
	errno = 0;
	*out = strtoll(s, &end, 10);
	return !errno && !*end && *out >= lo && *out <= hi;
}

/* @expires bounded to @max_ahead seconds from now (an entry that would
 * outlive its bound is shortened, and said). */
static long long clamp_ahead(struct line *l, const struct clocks *now,
			     long long expires, long long max_ahead)
{
	if (expires - now->wall_s > max_ahead) {
		l->clamped = true;
		return now->wall_s + max_ahead;
	}
	return expires;
}

static int restore_ban(const struct fs_map_fds *m, const struct clocks *now,
		       const struct fs_ledger_limits *lim, struct line *l)
{
	char err[160];
	struct fs_lpm_key lk;
	struct fs_key k = {};
	struct fs_ban b = {};
	long long count, created, expires, max = lim->ban_ttl_max_s;
	int r;

	if (l->n != 6 || fs_cidr_parse(l->f[1], &lk, err, sizeof(err)))
		return l->why = "not: ban CIDR REASON COUNT CREATED EXPIRES",
		       -EINVAL;
	r = lookup_name(fs_ban_reason_name, FS_BAN_REASON_MAX, l->f[2]);
	if (r < 0)
		return l->why = "unknown ban reason", -EINVAL;
	if (!num(l->f[3], 0, UINT32_MAX, &count) ||
	    !num(l->f[4], 0, now->wall_s + AHEAD_MAX_S, &created) ||
	    !num(l->f[5], 1, LLONG_MAX / 2, &expires))
		return l->why = "a count or time out of range", -EINVAL;
	if (expires <= now->wall_s)
		return 0;
	expires = clamp_ahead(l, now, expires, max ? max : AHEAD_MAX_S);
	memcpy(k.addr, lk.addr, sizeof(k.addr));
	k.plen = lk.prefixlen;
	b.reason = r;
	b.count = count;
	b.created_ns =
		to_mono(now, created < now->wall_s ? created : now->wall_s);
	b.expires_ns = to_mono(now, expires);
	return put(m, FS_FILTER_BAN, &k, &b);
}

static int restore_entry(const struct fs_map_fds *m, enum fs_filter_set set,
			 const struct clocks *now,
			 const struct fs_ledger_limits *lim, struct line *l)
{
	char err[160];
	struct fs_list_val v = {};
	struct fs_lpm_key k;
	long long expires, max = AHEAD_MAX_S;
	int o;

	if (l->n < 4 || fs_cidr_parse(l->f[1], &k, err, sizeof(err)))
		return l->why = "not: allow|block CIDR ORIGIN EXPIRES NOTE",
		       -EINVAL;
	o = lookup_name(fs_origin_name, FS_ORIGIN_MAX, l->f[2]);
	/* the config file holds its own entries; DNS only allowlists */
	if (o < 0 || o == FS_ORIGIN_STATIC ||
	    (o == FS_ORIGIN_DNS && set != FS_FILTER_ALLOW))
		return l->why = "not an origin the ledger keeps", -EINVAL;
	if (!num(l->f[3], 0, LLONG_MAX / 2, &expires))
		return l->why = "expiry out of range", -EINVAL;
	if (o == FS_ORIGIN_DNS && !expires)
		return l->why = "a DNS entry without an expiry", -EINVAL;
	if (expires && expires <= now->wall_s)
		return 0;
	if (o == FS_ORIGIN_DNS && lim->dns_ttl_max_s)
		max = lim->dns_ttl_max_s;
	if (expires)
		expires = clamp_ahead(l, now, expires, max);
	v.origin = o;
	v.expires_ns = to_mono(now, expires);
	if (l->n > 4)
		snprintf(v.note, sizeof(v.note), "%s", l->f[4]);
	return put(m, set, &k, &v);
}

static int restore_line(const struct fs_map_fds *m, const struct clocks *now,
			const struct fs_ledger_limits *lim, struct line *l,
			char *text)
{
	for (const unsigned char *c = (const void *)text; *c; c++)
		if (*c < 0x20 || *c >= 0x7f)
			return l->why = "a control character", -EINVAL;
	size_t kind = strcspn(text, " ");

	if (kind == 3 && !strncmp(text, "set", 3) && text[3])
		return restore_setting(m, text + 4, &l->why);
	if (kind == 4 && !strncmp(text, "host", 4) && text[4])
		return restore_host(m, text + 5, &l->why);

	if (kind == 3 && !strncmp(text, "ban", 3)) {
		split(l, text, 6);
		return restore_ban(m, now, lim, l);
	}
	if (kind == 5 &&
	    (!strncmp(text, "allow", 5) || !strncmp(text, "block", 5))) {
		split(l, text, 5); /* the note takes the rest */
		return restore_entry(
			m, text[0] == 'a' ? FS_FILTER_ALLOW : FS_FILTER_BLOCK,
			now, lim, l);
	}
	return l->why = "unknown kind of entry", -EINVAL;
}

/* The next line of @f into @buf (LINE_MAX_ bytes), without its newline.
 * 1, 0 at the end, or -1 for a line refused as a whole (@why): too long
 * (the rest of it is skipped), or cut short at the end of the file. */
static int next_line(FILE *f, char *buf, const char **why)
{
	size_t n;
	int c;

	if (!fgets(buf, LINE_MAX_, f))
		return 0;
	n = strlen(buf);
	if (n && buf[n - 1] == '\n') {
		buf[n - 1] = '\0';
		return strlen(buf) == n - 1 ? 1 : (*why = "a NUL byte", -1);
	}
	if (feof(f))
		return *why = "cut short: no newline at the end", -1;
	while ((c = fgetc(f)) != EOF && c != '\n')
		;
	return *why = "longer than 511 bytes", -1;
}

/* The first line: a header of version 1, or of version 2 naming
 * @pin_dir. 0, or -EINVAL logged. */
static int check_header(FILE *f, const char *path, const char *pin_dir)
{
	char line[LINE_MAX_];
	const char *why = NULL;
	size_t hl = strlen(LEDGER_HEADER);

	if (next_line(f, line, &why) <= 0 ||
	    (strcmp(line, LEDGER_HEADER_V1) &&
	     strncmp(line, LEDGER_HEADER, hl))) {
		pr_err("ledger: %s: not a floodshield ledger (line 1); "
		       "nothing restored\n",
		       path);
		return -EINVAL;
	}
	if (!strncmp(line, LEDGER_HEADER, hl) && strcmp(line + hl, pin_dir)) {
		pr_err("ledger: %s belongs to pin folder %s, not %s; nothing "
		       "restored\n",
		       path, line + hl, pin_dir);
		return -EINVAL;
	}
	return 0;
}

/* Whether line @text is one a settings-only restore takes. */
static bool settings_line(const char *text)
{
	return !strncmp(text, "set ", 4);
}

/* fs_ledger_restore(), or with @settings_only its "set" lines only. */
static int restore_file(const char *path, const char *pin_dir,
			const struct fs_ledger_limits *lim,
			const struct fs_map_fds *m, bool settings_only)
{
	char text[LINE_MAX_];
	struct clocks now;
	int n = 0, no = 1, refused = 0, clamped = 0, r;
	FILE *f;

	f = fopen(path, "r");
	if (!f) {
		if (errno == ENOENT)
			return 0;
		pr_err_errno("ledger: cannot read %s", path);
		return -errno;
	}
	if (check_header(f, path, pin_dir)) {
		fclose(f);
		return -EINVAL;
	}
	clocks_now(&now);
	for (;;) {
		struct line l = {};

		r = next_line(f, text, &l.why);
		if (!r)
			break;
		no++;
		if (r > 0 && (!text[0] || text[0] == '#' ||
			      (settings_only && !settings_line(text))))
			continue;
		if (r > 0)
			r = restore_line(m, &now, lim, &l, text);
		if (r < 0 && refused++ < REFUSED_LOGGED)
			pr_warn("ledger: %s:%d: refused: %s\n", path, no,
				l.why ? l.why : strerror(-r));
		if (r < 0)
			continue;
		n += r;
		if (l.clamped && clamped++ < REFUSED_LOGGED)
			pr_warn("ledger: %s:%d: expiry beyond its bound: "
				"shortened\n",
				path, no);
	}
	fclose(f);
	if (fs_hosts_done(m))
		pr_warn("ledger: the served-host prints did not follow; the "
			"next sweep rebuilds them\n");
	if (refused > REFUSED_LOGGED)
		pr_warn("ledger: %s: %d lines refused in all\n", path, refused);
	if (clamped > REFUSED_LOGGED)
		pr_warn("ledger: %s: %d expiries shortened in all\n", path,
			clamped);
	return n;
}

int fs_ledger_restore(const char *path, const char *pin_dir,
		      const struct fs_ledger_limits *lim,
		      const struct fs_map_fds *m)
{
	return restore_file(path, pin_dir, lim, m, false);
}

int fs_ledger_restore_settings(const char *path, const char *pin_dir,
			       const struct fs_map_fds *m)
{
	static const struct fs_ledger_limits none;

	return restore_file(path, pin_dir, &none, m, true);
}
