// SPDX-License-Identifier: GPL-2.0
/* fs_docgen: the docs tables, printed from the tables of maps/tables.h
 * (through the loader's run-time views of them), so that the docs say
 * what the code does.
 *
 * Usage: fs_docgen TABLE     print one table (markdown)
 *        fs_docgen --list    the table names
 *        fs_docgen FILE.md   print FILE.md with every generated block
 *                            refreshed: the lines between
 *                              <!-- BEGIN GENERATED name -->
 *                              <!-- END GENERATED name -->
 *                            are replaced by table `name`
 * `make docs` writes the refreshed files; scripts/docs.sh --check (in
 * `make test`) fails when a committed file differs.
 * Exit: 0, 1 on a bad file (FILE:LINE named), 2 bad usage. Needs no
 * privilege: the BPF object is opened, not loaded. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/libbpf.h>
#include "floodshield.skel.h"
#include "../../loader/loader.h"
#include "../../loader/metrics.h"
#include "../../loader/names.h"
#include "../../loader/settings.h"

#define BEGIN "<!-- BEGIN GENERATED "
#define END   "<!-- END GENERATED "
#define TAIL  " -->"

/* A table cell: @s with '|' escaped. */
static void cell(FILE *f, const char *s)
{
	fputs("| ", f);
	for (; *s; s++) {
		if (*s == '|')
			fputc('\\', f);
		fputc(*s, f);
	}
	fputc(' ', f);
}

static void row_end(FILE *f)
{
	fputs("|\n", f);
}

static void header(FILE *f, const char *const *cols)
{
	for (const char *const *c = cols; *c; c++)
		cell(f, *c);
	row_end(f);
	for (const char *const *c = cols; *c; c++)
		fputs("|---", f);
	row_end(f);
}

#define HEADER(f, ...) header(f, (const char *const[]){__VA_ARGS__, NULL})

static void code_cell(FILE *f, const char *s)
{
	char buf[256];

	snprintf(buf, sizeof(buf), "`%s`", s);
	cell(f, buf);
}

/* The observe column of reason @r. */
static const char *observed_by(unsigned r, char *buf, size_t len)
{
	enum fs_observe_rule o = fs_reason_rule(r);

	if (!fs_reason_drops(r))
		return "";
	if (o == FS_OBS_NONE)
		return "`observe` only";
	snprintf(buf, len, "`observe.%s`", fs_observe_rule_name(o));
	return buf;
}

static void t_reasons(FILE *f)
{
	const struct fs_table *t = fs_table_find("reason");
	char buf[128], v[16];

	HEADER(f, "reason", "value", "action", "observed with", "meaning");
	for (unsigned r = 0; r < t->n; r++) {
		snprintf(v, sizeof(v), "%u", r);
		code_cell(f, t->names[r]);
		cell(f, v);
		cell(f, fs_reason_action(r));
		cell(f, observed_by(r, buf, sizeof(buf)));
		cell(f, t->docs[r]);
		row_end(f);
	}
}

/* A name/value/doc table of fs_tables(). */
static void t_enum(FILE *f, const char *what, const char *col)
{
	const struct fs_table *t = fs_table_find(what);
	char v[16];

	HEADER(f, col, "value", "meaning");
	for (unsigned i = 0; i < t->n; i++) {
		snprintf(v, sizeof(v), "%u", i);
		code_cell(f, t->names[i]);
		cell(f, v);
		cell(f, t->docs[i]);
		row_end(f);
	}
}

static void t_events(FILE *f)
{
	t_enum(f, "event", "event");
}
static void t_ban_reasons(FILE *f)
{
	t_enum(f, "ban reason", "reason");
}

/* What a key takes. */
static const char *values_of(const struct fs_setting *s, char *buf, size_t len)
{
	switch (s->type) {
	case FS_SET_FLAG:
	case FS_SET_OBSERVE:
		return "`on`, `off`";
	case FS_SET_POLICY:
		return "`pass`, `reset`";
	case FS_SET_RATE:
		return "rate";
	case FS_SET_CHOICE: {
		const char *const *n = fs_choice_names(s->arg);
		size_t o = 0;

		buf[0] = '\0';
		for (int i = 0; n && n[i] && o < len; i++)
			o += snprintf(buf + o, len - o, "%s`%s`", i ? ", " : "",
				      n[i]);
		return buf;
	}
	case FS_SET_UINT:
		snprintf(buf, len, "0-%llu", (unsigned long long)s->arg);
		return buf;
	case FS_SET_DURATION:
		if (!s->arg)
			return "duration";
		snprintf(buf, len, "duration, at least %llus",
			 (unsigned long long)s->arg);
		return buf;
	}
	return "?";
}

/* Settings rows as docs rows: the keys of one bucket (one doc line,
 * consecutive) share a row. @sec: only that section, or -1 for all.
 * With @doc, the meaning column. */
static void t_keys(FILE *f, int sec, bool file_keys, bool doc)
{
	size_t n;
	const struct fs_setting *s = fs_settings(&n);
	char keys[256], defs[128], vals[64];

	if (doc)
		HEADER(f, "key", "value", "default", "meaning");
	else
		HEADER(f, "key", "value", "default");
	for (size_t i = 0; i < n; i++) {
		size_t j = i;

		if (sec >= 0 && s[i].section != (enum fs_setting_section)sec)
			continue;
		keys[0] = defs[0] = '\0';
		for (; j < n && s[j].section == s[i].section &&
		       s[j].type == s[i].type && !strcmp(s[j].doc, s[i].doc);
		     j++) {
			const char *sep = j > i ? ", " : "";

			snprintf(keys + strlen(keys),
				 sizeof(keys) - strlen(keys), "%s`%s`", sep,
				 file_keys ? s[j].file_key : s[j].key);
			snprintf(defs + strlen(defs),
				 sizeof(defs) - strlen(defs), "%s`%s`", sep,
				 s[j].def);
		}
		cell(f, keys);
		cell(f, values_of(&s[i], vals, sizeof(vals)));
		cell(f, defs);
		if (doc)
			cell(f, s[i].doc);
		row_end(f);
		i = j - 1;
	}
}

static void t_settings(FILE *f)
{
	t_keys(f, -1, false, true);
}
static void t_limits(FILE *f)
{
	t_keys(f, FS_SEC_LIMITS, true, false);
}

/* [observe]: key, the `set` key, what it covers. */
static void t_observe(FILE *f)
{
	size_t n;
	const struct fs_setting *s = fs_settings(&n);
	char reasons[1024];

	HEADER(f, "key", "same as", "rule", "reasons");
	for (size_t i = 0; i < n; i++) {
		if (s[i].section != FS_SEC_OBSERVE)
			continue;
		reasons[0] = '\0';
		for (unsigned r = 0; r < FS_R_MAX; r++)
			if (s[i].type == FS_SET_OBSERVE &&
			    fs_reason_rule(r) == s[i].arg)
				snprintf(reasons + strlen(reasons),
					 sizeof(reasons) - strlen(reasons),
					 "%s`%s`", reasons[0] ? ", " : "",
					 fs_reason_name(r));
		code_cell(f, s[i].file_key);
		code_cell(f, s[i].key);
		cell(f, s[i].doc);
		cell(f, s[i].type == FS_SET_OBSERVE ? reasons
						    : "every reason that drops "
						      "or resets");
		row_end(f);
	}
}

/* Metrics labels: each reason, and the HTTP and SMTP families it feeds. */
static void t_metric_labels(FILE *f)
{
	char buf[160];

	HEADER(f, "`reason`", "`action`", "also counted in");
	for (unsigned r = 0; r < FS_R_MAX; r++) {
		const char *cls, *verdict;

		buf[0] = '\0';
		if (fs_http_verdict(r))
			snprintf(buf, sizeof(buf),
				 "`http_requests_total{verdict=\"%s\"}`",
				 fs_http_verdict(r));
		else if (fs_smtp_verdict(r, &cls, &verdict))
			snprintf(buf, sizeof(buf),
				 "`smtp_connections_total{class=\"%s\",verdict="
				 "\"%s\"}`",
				 cls, verdict);
		code_cell(f, fs_reason_name(r));
		code_cell(f, fs_reason_action(r));
		cell(f, buf);
		row_end(f);
	}
}

static int silent(enum libbpf_print_level l, const char *fmt, va_list ap)
{
	(void)l;
	(void)fmt;
	(void)ap;
	return 0;
}

/* Maps, with their type and capacity from the BPF object. */
static void t_maps(FILE *f)
{
	struct floodshield_bpf *skel;
	size_t n;
	const struct fs_map_row *rows = fs_map_rows(&n);
	char entries[32];

	libbpf_set_print(silent);
	skel = floodshield_bpf__open();
	HEADER(f, "map", "type", "entries", "role", "holds");
	for (size_t i = 0; i < n; i++) {
		struct bpf_map *m = skel ? bpf_object__find_map_by_name(
						   skel->obj, rows[i].name)
					 : NULL;
		const char *type = m ? libbpf_bpf_map_type_str(bpf_map__type(m))
				     : NULL;

		snprintf(entries, sizeof(entries), "%u",
			 m ? bpf_map__max_entries(m) : 0);
		code_cell(f, rows[i].name);
		cell(f, type ? type : "?");
		cell(f, entries);
		cell(f, fs_map_role_name(rows[i].role));
		cell(f, rows[i].doc);
		row_end(f);
	}
	floodshield_bpf__destroy(skel);
}

static void t_map_roles(FILE *f)
{
	HEADER(f, "role", "holds, and what a load does with an older layout");
	for (unsigned r = 0; r < FS_ROLE_MAX; r++) {
		cell(f, fs_map_role_name(r));
		cell(f, fs_map_role_doc(r));
		row_end(f);
	}
}

static const struct {
	const char *name;
	void (*print)(FILE *f);
} tables[] = {
	{"reasons", t_reasons},
	{"events", t_events},
	{"ban-reasons", t_ban_reasons},
	{"settings", t_settings},
	{"limits", t_limits},
	{"observe", t_observe},
	{"metric-labels", t_metric_labels},
	{"maps", t_maps},
	{"map-roles", t_map_roles},
};

#define N_TABLES (sizeof(tables) / sizeof(tables[0]))

static int table_find(const char *name, size_t len)
{
	for (size_t i = 0; i < N_TABLES; i++)
		if (strlen(tables[i].name) == len &&
		    !strncmp(tables[i].name, name, len))
			return i;
	return -1;
}

/* The table named by marker line @line (BEGIN or END, @mark), or -1;
 * -2 if @line is such a marker with an unknown name. */
static int marker(const char *line, const char *mark)
{
	size_t n = strlen(mark), len;
	const char *name = line + n, *tail;

	if (strncmp(line, mark, n))
		return -1;
	tail = strstr(name, TAIL);
	if (!tail || strcmp(tail, TAIL "\n"))
		return -2;
	len = tail - name;
	return table_find(name, len) >= 0 ? table_find(name, len) : -2;
}

/* Print @path with its generated blocks refreshed. */
static int splice(const char *path)
{
	FILE *in = fopen(path, "r");
	char *line = NULL;
	size_t cap = 0;
	int no = 0, open = -1, at = 0, err = 0;

	if (!in) {
		fprintf(stderr, "fs_docgen: %s: cannot read\n", path);
		return 1;
	}
	while (!err && getline(&line, &cap, in) > 0) {
		int b = marker(line, BEGIN), e = marker(line, END);

		no++;
		if (b == -2 || e == -2) {
			fprintf(stderr,
				"fs_docgen: %s:%d: unknown table in marker\n",
				path, no);
			err = 1;
		} else if (b >= 0) {
			if (open >= 0) {
				fprintf(stderr,
					"fs_docgen: %s:%d: BEGIN inside the "
					"block of line %d\n",
					path, no, at);
				err = 1;
			}
			fputs(line, stdout);
			tables[b].print(stdout);
			open = b, at = no;
		} else if (e >= 0) {
			if (e != open) {
				fprintf(stderr,
					"fs_docgen: %s:%d: END without its "
					"BEGIN\n",
					path, no);
				err = 1;
			}
			fputs(line, stdout);
			open = -1;
		} else if (open < 0) {
			fputs(line, stdout);
		}
	}
	if (!err && open >= 0) {
		fprintf(stderr, "fs_docgen: %s:%d: BEGIN without END\n", path,
			at);
		err = 1;
	}
	free(line);
	fclose(in);
	return err;
}

int main(int argc, char **argv)
{
	int t;

	if (argc != 2) {
		fprintf(stderr, "usage: fs_docgen TABLE|--list|FILE.md\n");
		return 2;
	}
	if (!strcmp(argv[1], "--list")) {
		for (size_t i = 0; i < N_TABLES; i++)
			printf("%s\n", tables[i].name);
		return 0;
	}
	t = table_find(argv[1], strlen(argv[1]));
	if (t >= 0) {
		tables[t].print(stdout);
		return 0;
	}
	if (strlen(argv[1]) > 3 && !strcmp(argv[1] + strlen(argv[1]) - 3, ".m"
									  "d"))
		return splice(argv[1]);
	fprintf(stderr,
		"fs_docgen: '%s': not a table (--list) nor a .md file\n",
		argv[1]);
	return 2;
}
