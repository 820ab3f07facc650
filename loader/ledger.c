// SPDX-License-Identifier: GPL-2.0
/* Format, one entry per line, times in Unix seconds:
 *   # floodshield ledger 1
 *   ban CIDR REASON COUNT CREATED EXPIRES
 *   allow|block CIDR ORIGIN EXPIRES NOTE...     (EXPIRES 0: never)
 */
#include <errno.h>
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

#define LEDGER_HEADER "# floodshield ledger 1"
#define NSEC	      ((long long)NSEC_PER_SEC) /* signed arithmetic here */

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

int fs_ledger_save(const char *dir, const struct fs_map_fds *m)
{
	char path[512], tmp[520];
	struct clocks now;
	FILE *f;
	int n, fd, err;
	bool bad;

	snprintf(path, sizeof(path), "%s/%s", dir, FS_LEDGER_FILE);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	if (mkdir(dir, 0700) && errno != EEXIST) {
		pr_err_errno("ledger: cannot create %s", dir);
		return -errno;
	}
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	f = fd >= 0 ? fdopen(fd, "w") : NULL;
	if (!f) {
		err = -errno;
		pr_err_code(err, "ledger: cannot write %s", tmp);
		if (fd >= 0)
			close(fd);
		return err;
	}
	clocks_now(&now);
	fprintf(f, "%s\n", LEDGER_HEADER);
	n = save_bans(f, m->bans, &now);
	n += save_list(f, "allow", m->allow, &now);
	n += save_list(f, "block", m->block, &now);
	errno = 0;
	bad = fflush(f) || ferror(f) || fsync(fd);
	bad |= fclose(f) != 0; /* closed whatever happened */
	if (bad || rename(tmp, path)) {
		err = errno ? -errno : -EIO;
		pr_err_code(err, "ledger: cannot write %s", path);
		unlink(tmp);
		return err;
	}
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

static int restore_ban(const struct fs_map_fds *m, const struct clocks *now,
		       char *rest)
{
	char cidr[80], reason[40], err[160];
	struct fs_lpm_key lk;
	struct fs_key k = {};
	struct fs_ban b = {};
	long long created, expires;
	int r;

	if (sscanf(rest, "%79s %39s %u %lld %lld", cidr, reason, &b.count,
		   &created, &expires) != 5 ||
	    fs_cidr_parse(cidr, &lk, err, sizeof(err)) ||
	    (r = lookup_name(fs_ban_reason_name, FS_BAN_REASON_MAX, reason)) <
		    0)
		return -EINVAL;
	if (expires <= now->wall_s)
		return 0;
	memcpy(k.addr, lk.addr, sizeof(k.addr));
	k.plen = lk.prefixlen;
	b.reason = r;
	b.created_ns = to_mono(now, created);
	b.expires_ns = to_mono(now, expires);
	return put(m, FS_FILTER_BAN, &k, &b);
}

static int restore_entry(const struct fs_map_fds *m, enum fs_filter_set set,
			 const struct clocks *now, char *rest)
{
	char cidr[80], origin[16], err[160];
	struct fs_list_val v = {};
	struct fs_lpm_key k;
	long long expires;
	int o, used = 0;

	if (sscanf(rest, "%79s %15s %lld %n", cidr, origin, &expires, &used) <
		    3 ||
	    fs_cidr_parse(cidr, &k, err, sizeof(err)) ||
	    (o = lookup_name(fs_origin_name, FS_ORIGIN_MAX, origin)) < 0)
		return -EINVAL;
	if (expires && expires <= now->wall_s)
		return 0;
	v.origin = o;
	v.expires_ns = to_mono(now, expires);
	if (used)
		snprintf(v.note, sizeof(v.note), "%s", rest + used);
	return put(m, set, &k, &v);
}

static int restore_line(const struct fs_map_fds *m, const struct clocks *now,
			char *line)
{
	line[strcspn(line, "\n")] = '\0';
	if (!strncmp(line, "ban ", 4))
		return restore_ban(m, now, line + 4);
	if (!strncmp(line, "allow ", 6))
		return restore_entry(m, FS_FILTER_ALLOW, now, line + 6);
	if (!strncmp(line, "block ", 6))
		return restore_entry(m, FS_FILTER_BLOCK, now, line + 6);
	return -EINVAL;
}

int fs_ledger_restore(const char *dir, const struct fs_map_fds *m)
{
	char path[512], line[512];
	struct clocks now;
	int n = 0, no = 0, r;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, FS_LEDGER_FILE);
	f = fopen(path, "r");
	if (!f) {
		if (errno == ENOENT)
			return 0;
		pr_err_errno("ledger: cannot read %s", path);
		return -errno;
	}
	clocks_now(&now);
	while (fgets(line, sizeof(line), f)) {
		no++;
		if (line[0] == '#' || line[0] == '\n')
			continue;
		r = restore_line(m, &now, line);
		if (r < 0)
			pr_warn("ledger: %s:%d: skipped: %s\n", path, no, line);
		else
			n += r;
	}
	fclose(f);
	return n;
}
