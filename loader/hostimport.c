// SPDX-License-Identifier: GPL-2.0
/* Reading the names a web server serves from its own dump (hosts.h):
 * `nginx -T` with nginx's own token rules, and `apachectl -S`; and what
 * the served-host table cannot express: default servers, which answer
 * every Host no other server names, and patterns it cannot match.
 *
 * Limits: a dump without "# configuration file" headers is read as one
 * file of an http block and its includes are not followed; a dump whose
 * first file has no http block (cut after nginx.conf) is read file by
 * file, each as if included in http; the work is bounded
 * (NGX_BUDGET directives and files tried, NGX_DEPTH nested blocks and
 * includes): past a bound the rest is not read, and that is reported
 * through @skip, so an import refuses rather than miss a server. */
#define _GNU_SOURCE
#include <ctype.h>
#include <fnmatch.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "hosts.h"

#define NGX_WORD       256 /* bytes of a token kept (DNS names: 253) */
#define NGX_ARGS       64  /* words of a directive kept */
#define NGX_LISTEN_MAX 16  /* listen directives of a server kept */
#define NGX_DEPTH      32
#define NGX_BUDGET     200000
#define WHERE_LEN      320
#define NGX_HEADER     "# configuration file "
#define TABLE_CAN      "the host table holds exact names and a leading '*.'"

/* ---- nginx: tokens ------------------------------------------------ */

enum tk { TK_WORD, TK_SEMI, TK_OPEN, TK_CLOSE, TK_EOF };

struct lex {
	const char *p, *end;
	int line;
};

static bool ngx_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* One unescaped byte of a quoted or bare word: nginx turns \" \' \\
 * \t \r \n into the byte, and keeps any other backslash. */
static char ngx_unescape(struct lex *lx, bool *kept_backslash)
{
	char c = *lx->p++;

	*kept_backslash = false;
	if (c != '\\' || lx->p >= lx->end)
		return c;
	switch (*lx->p) {
	case '"':
	case '\'':
	case '\\':
		return *lx->p++;
	case 't':
		lx->p++;
		return '\t';
	case 'r':
		lx->p++;
		return '\r';
	case 'n':
		lx->p++;
		return '\n';
	}
	*kept_backslash = true;
	return c;
}

static void put_byte(char *w, size_t len, size_t *n, char c)
{
	if (*n + 1 < len)
		w[(*n)++] = c;
}

/* The next token of @lx; a word (quotes removed) into @w. */
static enum tk lex_next(struct lex *lx, char *w, size_t len, int *line)
{
	size_t n = 0;
	bool bs;

	for (;;) {
		while (lx->p < lx->end && ngx_space(*lx->p))
			lx->line += *lx->p++ == '\n';
		if (lx->p >= lx->end)
			return TK_EOF;
		if (*lx->p != '#')
			break;
		while (lx->p < lx->end && *lx->p != '\n')
			lx->p++;
	}
	*line = lx->line;
	switch (*lx->p) {
	case ';':
		lx->p++;
		return TK_SEMI;
	case '{':
		lx->p++;
		return TK_OPEN;
	case '}':
		lx->p++;
		return TK_CLOSE;
	case '"':
	case '\'': {
		char q = *lx->p++;

		while (lx->p < lx->end && *lx->p != q) {
			char c = ngx_unescape(lx, &bs);

			lx->line += c == '\n' && !bs;
			put_byte(w, len, &n, c);
		}
		if (lx->p < lx->end)
			lx->p++;
		w[n] = '\0';
		return TK_WORD;
	}
	}
	while (lx->p < lx->end && !ngx_space(*lx->p) && *lx->p != ';' &&
	       *lx->p != '{') {
		if (*lx->p == '$' && lx->p + 1 < lx->end && lx->p[1] == '{') {
			/* ${var}: its braces are part of the word */
			while (lx->p < lx->end && *lx->p != '}')
				put_byte(w, len, &n, *lx->p++);
			if (lx->p < lx->end)
				put_byte(w, len, &n, *lx->p++);
			continue;
		}
		put_byte(w, len, &n, ngx_unescape(lx, &bs));
		if (bs && lx->p < lx->end) /* "\;": the byte stays a byte */
			put_byte(w, len, &n, *lx->p++);
	}
	w[n] = '\0';
	return TK_WORD;
}

/* ---- nginx: the walk ---------------------------------------------- */

enum ngx_ctx { C_MAIN, C_HTTP, C_SERVER, C_OTHER };

struct ngx_section {
	char path[WHERE_LEN - 16];
	const char *start, *end;
};

struct ngx_server {
	char where[WHERE_LEN];
	char names[96]; /* the first names, for messages */
	char listen[NGX_LISTEN_MAX][NGX_WORD + 8];
	bool def[NGX_LISTEN_MAX];
	int n_listen;
	bool refuses; /* a server-level return of 400 or more */
};

struct ngx {
	struct ngx_section *sec;
	int n_sec;
	bool headers;
	char prefix[WHERE_LEN - 16];
	struct ngx_server *srv;
	int n_srv, cap_srv;
	long budget;
	bool over;     /* a bound was hit: the rest was not read */
	bool saw_http; /* the main file has an http block */
	fs_host_cb add, skip;
	void *arg;
	/* the directive being read */
	char args[NGX_ARGS][NGX_WORD];
	int line[NGX_ARGS];
	int nargs;
};

static void ngx_where(const struct ngx *n, int sec, int line, char *buf)
{
	if (n->headers)
		snprintf(buf, WHERE_LEN, "%s:%d", n->sec[sec].path, line);
	else
		snprintf(buf, WHERE_LEN, "nginx -T line %d", line);
}

/* Split the dump at its "# configuration file PATH:" lines; without
 * any, the whole text is one file. */
static int ngx_sections(struct ngx *n, const char *text)
{
	size_t hl = strlen(NGX_HEADER);
	int cap = 0;

	for (const char *p = text; *p;) {
		const char *nl = strchr(p, '\n');
		const char *eol = nl ? nl : p + strlen(p);

		if (!strncmp(p, NGX_HEADER, hl) && eol > p + hl &&
		    eol[-1] == ':') {
			if (n->n_sec == cap) {
				void *s;

				cap = cap ? cap * 2 : 16;
				s = realloc(n->sec, cap * sizeof(*n->sec));
				if (!s)
					return -1;
				n->sec = s;
			}
			if (n->n_sec)
				n->sec[n->n_sec - 1].end = p;
			snprintf(n->sec[n->n_sec].path, sizeof(n->sec[0].path),
				 "%.*s", (int)(eol - 1 - p - hl), p + hl);
			n->sec[n->n_sec].start = nl ? nl + 1 : eol;
			n->sec[n->n_sec++].end = text + strlen(text);
		}
		p = nl ? nl + 1 : eol;
	}
	n->headers = n->n_sec > 0;
	if (!n->headers) {
		n->sec = calloc(1, sizeof(*n->sec));
		if (!n->sec)
			return -1;
		n->sec[0].start = text;
		n->sec[0].end = text + strlen(text);
		n->n_sec = 1;
		return 0;
	}
	/* relative includes are relative to the main file's folder */
	snprintf(n->prefix, sizeof(n->prefix), "%s", n->sec[0].path);
	char *slash = strrchr(n->prefix, '/');
	if (slash)
		*slash = '\0';
	else
		snprintf(n->prefix, sizeof(n->prefix), ".");
	return 0;
}

static void ngx_walk(struct ngx *n, int sec, struct lex *lx, enum ngx_ctx ctx,
		     struct ngx_server *s, int depth);

/* "include PATTERN": every dumped file it matches, in dump order. */
static void ngx_include(struct ngx *n, enum ngx_ctx ctx, struct ngx_server *s,
			int depth)
{
	char pat[2 * WHERE_LEN];

	if (!n->headers || n->nargs < 2)
		return;
	if (n->args[1][0] == '/')
		snprintf(pat, sizeof(pat), "%s", n->args[1]);
	else
		snprintf(pat, sizeof(pat), "%s/%s", n->prefix, n->args[1]);
	for (int i = 0; i < n->n_sec && !n->over; i++) {
		struct lex lx = {n->sec[i].start, n->sec[i].end, 1};

		if (--n->budget < 0) {
			n->over = true;
			return;
		}
		if (fnmatch(pat, n->sec[i].path, FNM_PATHNAME | FNM_PERIOD))
			continue;
		ngx_walk(n, i, &lx, ctx, s, depth + 1);
	}
}

/* A listen address as nginx groups servers: "80" and "0.0.0.0:80" are
 * "*:80"; an address without a port is on port 80. */
static void ngx_listen_key(const char *a, char *key, size_t len)
{
	if (a[strspn(a, "0123456789")] == '\0')
		snprintf(key, len, "*:%s", a);
	else if (!strncmp(a, "0.0.0.0:", 8))
		snprintf(key, len, "*:%s", a + 8);
	else if (!strncmp(a, "unix:", 5) || strstr(a, "]:") ||
		 (a[0] != '[' && strchr(a, ':')))
		snprintf(key, len, "%s", a);
	else
		snprintf(key, len, "%s:80", !strcmp(a, "0.0.0.0") ? "*" : a);
}

static void ngx_listen(struct ngx *n, struct ngx_server *s)
{
	int i = s->n_listen;

	if (n->nargs < 2 || i >= NGX_LISTEN_MAX)
		return;
	ngx_listen_key(n->args[1], s->listen[i], sizeof(s->listen[i]));
	for (int a = 2; a < n->nargs; a++)
		if (!strcmp(n->args[a], "default_server") ||
		    !strcmp(n->args[a], "default"))
			s->def[i] = true;
	s->n_listen++;
}

/* One server_name value: added, or reported when the table cannot
 * hold it. */
static void ngx_name(struct ngx *n, const char *name, const char *where)
{
	char msg[NGX_WORD + 160];

	if (!*name || !strcmp(name, "_")) /* no Host; a name none uses */
		return;
	if (name[0] == '~')
		snprintf(msg, sizeof(msg),
			 "server_name %s: a regular expression (" TABLE_CAN ")",
			 name);
	else if (strchr(name, '$'))
		snprintf(msg, sizeof(msg), "server_name %s: a variable", name);
	else if (strchr(name, '*') &&
		 (strncmp(name, "*.", 2) || strchr(name + 1, '*')))
		snprintf(msg, sizeof(msg),
			 "server_name %s: a wildcard the host table cannot "
			 "match (" TABLE_CAN ")",
			 name);
	else if (name[0] == '.') { /* ".example.org": it and all below */
		snprintf(msg, sizeof(msg), "*%s", name);
		n->add(name + 1, where, n->arg);
		n->add(msg, where, n->arg);
		return;
	} else {
		n->add(name, where, n->arg);
		return;
	}
	n->skip(msg, where, n->arg);
}

static void ngx_server_name(struct ngx *n, int sec, struct ngx_server *s)
{
	char where[WHERE_LEN];

	for (int a = 1; a < n->nargs; a++) {
		size_t used = strlen(s->names);

		if (used + strlen(n->args[a]) + 4 < sizeof(s->names))
			snprintf(s->names + used, sizeof(s->names) - used,
				 "%s%s", used ? " " : "",
				 *n->args[a] ? n->args[a] : "\"\"");
		ngx_where(n, sec, n->line[a], where);
		ngx_name(n, n->args[a], where);
	}
}

/* A directive ended by ';'. */
static void ngx_directive(struct ngx *n, int sec, enum ngx_ctx ctx,
			  struct ngx_server *s, int depth)
{
	const char *d = n->args[0];

	if (!strcmp(d, "include") && ctx != C_OTHER)
		ngx_include(n, ctx, s, depth);
	if (ctx != C_SERVER)
		return;
	if (!strcmp(d, "listen"))
		ngx_listen(n, s);
	else if (!strcmp(d, "server_name"))
		ngx_server_name(n, sec, s);
	else if (!strcmp(d, "return") && n->nargs >= 2 &&
		 strlen(n->args[1]) == 3 &&
		 strspn(n->args[1], "0123456789") == 3 &&
		 atoi(n->args[1]) >= 400)
		s->refuses = true;
}

static struct ngx_server *ngx_server_new(struct ngx *n, int sec, int line)
{
	if (n->n_srv == n->cap_srv) {
		int cap = n->cap_srv ? n->cap_srv * 2 : 16;
		void *p = realloc(n->srv, cap * sizeof(*n->srv));

		if (!p)
			return NULL;
		n->srv = p;
		n->cap_srv = cap;
	}
	memset(&n->srv[n->n_srv], 0, sizeof(*n->srv));
	ngx_where(n, sec, line, n->srv[n->n_srv].where);
	return &n->srv[n->n_srv++];
}

/* Directives until the block's '}' or the file's end. */
static void ngx_walk(struct ngx *n, int sec, struct lex *lx, enum ngx_ctx ctx,
		     struct ngx_server *s, int depth)
{
	char w[NGX_WORD];
	int line;
	enum tk t;

	if (depth > NGX_DEPTH) {
		n->over = true;
		return;
	}
	while (!n->over) {
		if (--n->budget < 0) {
			n->over = true;
			return;
		}
		n->nargs = 0;
		while ((t = lex_next(lx, w, sizeof(w), &line)) == TK_WORD)
			if (n->nargs < NGX_ARGS) {
				memcpy(n->args[n->nargs], w, sizeof(w));
				n->line[n->nargs++] = line;
			}
		if (t == TK_EOF || t == TK_CLOSE)
			return;
		if (t == TK_SEMI) {
			if (n->nargs)
				ngx_directive(n, sec, ctx, s, depth);
			continue;
		}
		/* a block: "http {", "server {", anything else */
		if (ctx == C_MAIN && n->nargs && !strcmp(n->args[0], "http")) {
			n->saw_http = true;
			ngx_walk(n, sec, lx, C_HTTP, NULL, depth + 1);
		} else if (ctx == C_HTTP && n->nargs &&
			   !strcmp(n->args[0], "server")) {
			/* no server is made while one is walked: ns stays */
			struct ngx_server *ns =
				ngx_server_new(n, sec, n->line[0]);

			if (!ns) {
				n->over = true;
				return;
			}
			ngx_walk(n, sec, lx, C_SERVER, ns, depth + 1);
		} else {
			ngx_walk(n, sec, lx, C_OTHER, NULL, depth + 1);
		}
	}
}

/* Each default server (default_server on an address, else the first
 * server there; a server without listen is on *:80) that does not refuse
 * every request: reported once, with all its addresses. */
static void ngx_defaults(struct ngx *n)
{
	struct slot {
		const char *key;
		int srv;
		bool def;
	} *slot = calloc((size_t)n->n_srv * NGX_LISTEN_MAX + 1, sizeof(*slot));
	int n_slot = 0;

	if (!slot) {
		n->skip("out of memory: default servers not judged", "nginx -T",
			n->arg);
		return;
	}
	for (int i = 0; i < n->n_srv; i++) {
		struct ngx_server *s = &n->srv[i];
		int nl = s->n_listen ? s->n_listen : 1;

		for (int l = 0; l < nl; l++) {
			const char *key = s->n_listen ? s->listen[l] : "*:80";
			bool def = s->n_listen && s->def[l];
			int j = 0;

			while (j < n_slot && strcmp(slot[j].key, key))
				j++;
			if (j == n_slot)
				slot[n_slot++] = (struct slot){key, i, def};
			else if (def && !slot[j].def)
				slot[j].srv = i, slot[j].def = true;
		}
	}
	for (int i = 0; i < n->n_srv; i++) {
		char msg[WHERE_LEN + 256], keys[200] = "";

		for (int j = 0; j < n_slot; j++) {
			size_t used = strlen(keys);

			if (slot[j].srv == i && used + 70 < sizeof(keys))
				snprintf(keys + used, sizeof(keys) - used,
					 "%s%s", used ? ", " : "", slot[j].key);
		}
		if (!*keys || n->srv[i].refuses)
			continue;
		snprintf(msg, sizeof(msg),
			 "server { %s%s%s} is the default server of %s: it "
			 "answers every Host no other server names (give it "
			 "`return 444;` to refuse them)",
			 *n->srv[i].names ? "server_name "
					  : "(no server_name) ",
			 n->srv[i].names, *n->srv[i].names ? "; " : "", keys);
		n->skip(msg, n->srv[i].where, n->arg);
	}
	free(slot);
}

void fs_hosts_from_nginx(const char *text, fs_host_cb add, fs_host_cb skip,
			 void *arg)
{
	struct ngx *n = calloc(1, sizeof(*n));
	struct lex lx;

	if (!n || ngx_sections(n, text)) {
		skip("out of memory: the dump was not read", "nginx -T", arg);
		if (n)
			free(n->sec);
		free(n);
		return;
	}
	n->add = add;
	n->skip = skip;
	n->arg = arg;
	n->budget = NGX_BUDGET;
	lx = (struct lex){n->sec[0].start, n->sec[0].end, 1};
	/* without headers, a bare `server {}` list is read as in http */
	ngx_walk(n, 0, &lx, n->headers ? C_MAIN : C_HTTP, NULL, 0);
	/* a dump cut after nginx.conf: each file as if included in http */
	for (int i = 0; n->headers && !n->saw_http && i < n->n_sec; i++) {
		lx = (struct lex){n->sec[i].start, n->sec[i].end, 1};
		ngx_walk(n, i, &lx, C_HTTP, NULL, 0);
	}
	if (n->over)
		skip("the dump nests or includes too much: not read to its end",
		     "nginx -T", arg);
	ngx_defaults(n);
	free(n->srv);
	free(n->sec);
	free(n);
}

/* ---- apachectl -S ------------------------------------------------- */

struct apache {
	char addr[128];	       /* the address block being read */
	char vhost[NGX_WORD];  /* the vhost being read, */
	char where[WHERE_LEN]; /* and its "FILE:LINE" */
	int vhosts;
	bool listing; /* after "VirtualHost configuration:" */
	fs_host_cb add, skip;
	void *arg;
};

/* Next whitespace-separated token of @s into @tok; returns the rest. */
static const char *token(const char *s, char *tok, size_t len)
{
	size_t n = 0;

	while (*s == ' ' || *s == '\t')
		s++;
	while (*s && !isspace((unsigned char)*s)) {
		if (n + 1 < len)
			tok[n++] = *s;
		s++;
	}
	tok[n] = '\0';
	return s;
}

/* "(FILE:LINE)" at @s into @where; false if there is none. */
static bool paren_where(const char *s, char *where)
{
	const char *open = strchr(s, '('), *close = strrchr(s, ')');

	if (!open || !close || close < open)
		return false;
	snprintf(where, WHERE_LEN, "%.*s", (int)(close - open - 1), open + 1);
	return true;
}

/* A vhost name or alias: added, or reported when it is a pattern other
 * than a leading "*." (Apache matches '*' and '?' anywhere). */
static void apache_name(struct apache *a, const char *name)
{
	char msg[NGX_WORD + 160];
	bool pattern = strpbrk(name, "*?") != NULL;

	if (!pattern || (!strncmp(name, "*.", 2) && !strpbrk(name + 1, "*?"))) {
		a->add(name, a->where, a->arg);
		return;
	}
	snprintf(msg, sizeof(msg),
		 "ServerAlias %s (vhost %s): %s (" TABLE_CAN ")", name,
		 a->vhost, strcmp(name, "*") ? "a pattern" : "every name");
	a->skip(msg, a->where, a->arg);
}

static void apache_catchall(struct apache *a, const char *name,
			    const char *where, bool lone)
{
	char msg[NGX_WORD + 320];

	snprintf(msg, sizeof(msg),
		 "vhost %s is the %s %s: it answers every Host no other "
		 "vhost names",
		 name, lone ? "only one on" : "default server of", a->addr);
	a->skip(msg, where, a->arg);
}

/* A line that starts at column 0: an address block ("*:80 is a
 * NameVirtualHost"), a lone vhost ("*:443 NAME (FILE:LINE)"), or the end
 * of the listing. */
static void apache_top(struct apache *a, const char *line)
{
	char name[NGX_WORD];
	const char *rest = token(line, a->addr, sizeof(a->addr));

	if (!strchr(a->addr, ':') || !a->listing) {
		a->listing = false;
		return;
	}
	token(rest, name, sizeof(name));
	if (!strcmp(name, "is"))
		return;
	if (!paren_where(rest, a->where))
		return;
	snprintf(a->vhost, sizeof(a->vhost), "%s", name);
	a->vhosts++;
	apache_name(a, name);
	apache_catchall(a, name, a->where, true);
}

/* An indented line of an address block. */
static void apache_inner(struct apache *a, const char *line)
{
	static const char *const alias[] = {"wild alias ", "alias "};
	char tok[NGX_WORD], where[WHERE_LEN];
	const char *m;

	if ((m = strstr(line, "default server "))) {
		token(m + strlen("default server "), tok, sizeof(tok));
		if (paren_where(m, where))
			apache_catchall(a, tok, where, false);
		return;
	}
	if ((m = strstr(line, " namevhost "))) {
		token(m + strlen(" namevhost "), tok, sizeof(tok));
		if (!paren_where(m, a->where))
			snprintf(a->where, sizeof(a->where), "apachectl -S");
		snprintf(a->vhost, sizeof(a->vhost), "%s", tok);
		a->vhosts++;
		apache_name(a, tok);
		return;
	}
	for (size_t i = 0; i < sizeof(alias) / sizeof(alias[0]); i++) {
		m = strstr(line, alias[i]);
		if (!m || !*a->vhost)
			continue;
		token(m + strlen(alias[i]), tok, sizeof(tok));
		if (*tok)
			apache_name(a, tok);
		return;
	}
}

void fs_hosts_from_apache(const char *text, fs_host_cb add, fs_host_cb skip,
			  void *arg)
{
	struct apache a = {.add = add, .skip = skip, .arg = arg};
	/* without its header, the text is read as the listing itself */
	bool seen = strstr(text, "VirtualHost configuration:") != NULL;
	char line[1024];

	a.listing = !seen;

	for (const char *p = text; *p;) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);

		snprintf(line, sizeof(line), "%.*s", (int)len, p);
		p += len + (nl ? 1 : 0);
		if (!strncmp(line, "VirtualHost configuration:", 26)) {
			a.listing = true;
			continue;
		}
		if (!a.listing)
			continue;
		if (line[0] == ' ' || line[0] == '\t')
			apache_inner(&a, line);
		else
			apache_top(&a, line);
	}
	if (seen && !a.vhosts)
		skip("no <VirtualHost>: the main server answers every Host",
		     "apachectl -S", arg);
}
