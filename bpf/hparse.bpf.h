/* SPDX-License-Identifier: GPL-2.0 */
/* The HTTP/1 request parser: a state machine over the byte stream of one
 * flow, resumable at any byte (struct fs_hstate, fs_hstate), so a request
 * split over segments, in segments of one byte, pipelined, or behind
 * empty lines is judged exactly as one request in one segment.
 *
 * Contract (fs_hparse()): the caller hands it the in-order bytes of a
 * flow, from the state's position; it judges every request start in them
 * and returns the first bad verdict (a RESET reason), else FS_R_HTTP_OK
 * when a request head ended well in them, else FS_R_SERVICE (nothing
 * decided yet: the middle of a head, a body), or an undecided reason
 * (the flow left HTTP/1: opaque; a head over `http.head_max`: budget;
 * a frame longer than FS_HCHUNKS chunks: http_undecided_size, for the
 * caller to rewind and drop).
 *
 * What it accepts (docs/inspect.md has the table, tests/http_corpus/
 * SEMANTICS.md the measurements behind it):
 * - empty lines before a request line: at most 10 (Apache's limit; no
 *   client sends more), CRLF only with `http.server=apache`; any number
 *   of CR and LF with `nginx`;
 * - a method of any token characters, then SP (runs of SP and SP before
 *   the line end unless `apache`), a target, SP, `HTTP/` DIGIT `.` DIGIT
 *   (more minor digits unless `apache`), CRLF (or LF unless `apache`);
 * - HTTP/0.9: a method and a target, then the line end (no Host: judged
 *   by `http.no_host_10`);
 * - the target: origin-form (not starting "//"), `*`, or absolute-form
 *   with any scheme, whose authority is judged like a Host (userinfo is
 *   bad); a '#' anywhere in it is bad;
 * - field lines: the name up to ':' (no whitespace in or after it), the
 *   value to the line end; no obs-fold (a line starting with SP or HTAB
 *   is malformed); Host (once; OWS of any length around its value),
 *   Content-Length (digits, once), Transfer-Encoding (`chunked` only, not
 *   with Content-Length), Upgrade;
 * - the body: Content-Length bytes, or chunks (with extensions) and
 *   trailers; the next request starts after it;
 * - after a head with Upgrade: HTTP/1 again if the next bytes look like a
 *   request, otherwise the flow is opaque (WebSocket, h2c); after the
 *   HTTP/2 preface (`PRI * HTTP/2.0`) too, if `http.h2_preface=pass`.
 * CONNECT is malformed (no forward proxy is shielded). Everything else
 * is malformed, which both servers refuse too.
 *
 * Cost: one bpf_loop() step per byte where the form is unusual (a
 * method not in upper case, the names acted on, short values), one per
 * 8 bytes elsewhere (SWAR, maps/swar.h), a Content-Length body in one
 * step; and one step for each common request line, Host line and field
 * line not acted on (hp_request_fast(), hp_host_fast(), hp_line_fast():
 * the byte-wise machine's own functions, run several times in a step).
 */
#ifndef FS_HPARSE_BPF_H
#define FS_HPARSE_BPF_H

#include "pkt.bpf.h"
#include "maps.bpf.h"
#include "host.bpf.h"
#include "../maps/swar.h"

/* Flags of the request being parsed (fs_hstate.req). */
#define RQ_V10	   (1u << 0)  /* HTTP/1.0 */
#define RQ_V09	   (1u << 1)  /* HTTP/0.9 (no version) */
#define RQ_HOST	   (1u << 2)  /* a Host field was judged */
#define RQ_ABS	   (1u << 3)  /* an absolute-form authority was judged */
#define RQ_CL	   (1u << 4)  /* Content-Length */
#define RQ_TE	   (1u << 5)  /* Transfer-Encoding: chunked */
#define RQ_UPGRADE (1u << 6)  /* Upgrade */
#define RQ_PRI	   (1u << 7)  /* the method is PRI */
#define RQ_V2	   (1u << 8)  /* major version 2 or more */
#define RQ_STAR	   (1u << 9)  /* the target is '*' */
#define RQ_HHOST   (1u << 10) /* the value being collected is in fs_hhost */
#define RQ_ZERO	   (1u << 11) /* the last chunk (size 0) was read */
#define RQ_RESYNC \
	(1u << 12)	   /* picked up at a segment that looked like a
			    * request start: until its request line is
			    * whole, malformed means it was none */
#define RQ_FRAG (1u << 13) /* '#' in the target of a picked-up line */

/* Policy bits of a parse (hp_ctx.bits), above the HJ_* bits of the host
 * judge (host.bpf.h). */
#define HB_APACHE	(1u << 16) /* http.server=apache: strict forms */
#define HB_NGINX	(1u << 17) /* http.server=nginx */
#define HB_RESET_NOHOST (1u << 18) /* http.no_host_10=reset */
#define HB_RESET_H2	(1u << 19) /* http.h2_preface=reset */
#define HB_ALONE	(1u << 20) /* a segment judged alone: keeps nothing */
#define HB_HJ		0xffff	   /* the bits fs_host_judge() takes */

#define HP_BLANK_APACHE 10 /* empty lines Apache skips before a request */
#define HP_METHOD_MAX	32 /* bytes of a method token */
#define HP_SCHEME_MAX	32 /* bytes of a scheme */
#define HP_CHUNK_DIGITS 8  /* hex digits of a chunk size */
#define HP_CL_MAX	999999999u /* a longer body makes the flow opaque */
#define HP_HOSTLEN_CAP	0xffff
/* Chunks parsed per segment: 64 KB, the largest IP datagram. A frame
 * is one MSS-sized segment in native mode, but in generic mode it may be
 * a GRO frame of up to 64 KB; one longer (BIG TCP) is not parsed past
 * this: http_undecided_size (fs_hparse()). */
#define FS_HCHUNKS	    32
#define HP_SKIP_WORDS	    4 /* words a skipped line advances per step */
#define HP_NAME_WORDS	    3 /* name words hp_line_fast() reads */
#define HP_VALUE_STEPS	    3 /* hp_skip_line() calls of hp_line_fast() */
#define HP_PATH_STEPS	    6 /* hp_path() calls of hp_request_fast() */
#define HP_REQUEST_FAST_MAX (8 + 8 * HP_PATH_STEPS + 10)
#define HP_HOST_FAST_MAX    (1 + 16 + 2) /* the most hp_host_fast() moves */
/* The most bytes hp_line_fast() moves */
#define HP_LINE_FAST_MAX (8 * (HP_NAME_WORDS + HP_VALUE_STEPS * HP_SKIP_WORDS))
/* Steps of one chunk: at most two a byte (a state change that reads no
 * byte, then the byte). */
#define HP_STEPS (2 * FS_HCHUNK + 16)

/* Field names the parser acts on (fs_hstate.cand bits), lower case. */
#define HP_NAMES    4
#define HP_NAME_LEN 20
static const char hp_names[HP_NAMES][HP_NAME_LEN] = {
	"host", "content-length", "transfer-encoding", "upgrade"};
static const __u8 hp_name_len[HP_NAMES] = {4, 14, 17, 7};

/* One parse: the flow's state, this chunk of its bytes (sc->buf), the
 * run's numbers (sc->run: in the map, not on the stack, so that the
 * verifier does not follow each position of the bpf_loop() apart). */
struct hp_ctx {
	struct fs_hstate *s;
	struct fs_hscratch *sc;
	struct fs_hrun *r;   /* &sc->run */
	struct fs_hhost *hh; /* the flow's cut Host value, or NULL */
};

/* Whether @c is a tchar (RFC 9110 5.6.2). */
static __always_inline bool hp_tchar(__u8 c)
{
	if ((c | 0x20) >= 'a' && (c | 0x20) <= 'z')
		return true;
	if (c >= '0' && c <= '9')
		return true;
	switch (c) {
	case '!':
	case '#':
	case '$':
	case '%':
	case '&':
	case '\'':
	case '*':
	case '+':
	case '-':
	case '.':
	case '^':
	case '_':
	case '`':
	case '|':
	case '~':
		return true;
	}
	return false;
}

static __always_inline __u8 hp_byte(const struct hp_ctx *c)
{
	return c->sc->buf[c->r->pos & (FS_HCHUNK - 1)];
}

/* The 8 bytes at the position, zero past the chunk; *n: how many are
 * real. */
static __always_inline __u64 hp_word(const struct hp_ctx *c, __u32 *n)
{
	__u32 left = c->r->len - c->r->pos;
	__u64 w = *(__u64 *)(c->sc->buf + (c->r->pos & (FS_HCHUNK - 1)));

	*n = left < 8 ? left : 8;
	return left < 8 ? w & W_MASK(left) : w;
}

/* Byte @b taken: it becomes the previous byte, the position moves on. */
static __always_inline long hp_take(struct hp_ctx *c, __u8 b)
{
	c->s->prev = b;
	c->r->pos++;
	return 0;
}

/* End the parse with @r. */
static __always_inline long hp_end(struct hp_ctx *c, int r)
{
	c->r->verdict = r;
	return 1;
}

static __always_inline long hp_malformed(struct hp_ctx *c)
{
	return hp_end(c, FS_R_HTTP_MALFORMED);
}

/* A new request: the per-request fields cleared. */
static __always_inline void hp_request_reset(struct fs_hstate *s)
{
	s->req = 0;
	s->head = 0;
	s->hostlen = 0;
	s->blank = 0;
	s->count = 0;
	s->sub = 0;
	s->cand = 0;
}

/* A line end at LF: whether the byte before it may end a line here
 * (CRLF, or a bare LF where the profile takes one). */
static __always_inline bool hp_lf_ok(const struct hp_ctx *c)
{
	return c->s->prev == '\r' || !(c->r->bits & HB_APACHE);
}

/* Copy @n bytes of the chunk from hstart to @dst + @have (@dst holds
 * 2 * FS_HHOST_LEN bytes; the caller keeps @have + @n under
 * FS_HHOST_LEN). The masks bound offset and length for the verifier;
 * barrier_var() keeps clang from dropping them as redundant after the
 * caller's checks, which 6.1's verifier does not carry over to the
 * register copies clang tests them on (`make kernel-check`). */
static __always_inline void hp_append(struct hp_ctx *c, __u8 *dst, __u32 have,
				      __u32 n)
{
	barrier_var(have);
	barrier_var(n);
	bpf_probe_read_kernel(dst + (have & (FS_HHOST_LEN - 1)),
			      n & (FS_HHOST_LEN - 1),
			      c->sc->buf + (c->r->hstart & (FS_HCHUNK - 1)));
}

/* Append the chunk's bytes [hstart, end) of the value being collected
 * to sc->name after the @have bytes already there (at most
 * FS_HHOST_LEN - 1 kept). Returns the new count. */
static __always_inline __u32 hp_copy(struct hp_ctx *c, __u32 have, __u32 end)
{
	__u32 n = end - c->r->hstart;

	if (have >= FS_HHOST_LEN - 1 || end <= c->r->hstart)
		return have;
	if (n > FS_HHOST_LEN - 1 - have)
		n = FS_HHOST_LEN - 1 - have;
	hp_append(c, c->sc->name, have, n);
	return have + n;
}

/* The value being collected ended at chunk offset @end: gather it in
 * sc->name (the part cut off by earlier segments from fs_hhost) and
 * judge it. Returns the verdict of fs_host_judge(). */
static __always_inline int hp_value_judge(struct hp_ctx *c, __u32 end)
{
	struct fs_hstate *s = c->s;
	__u32 have = 0, total, prior = s->hostlen;

	if (end > c->r->hstart)
		total = s->hostlen + (end - c->r->hstart);
	else
		total = s->hostlen;
	if (total > HP_HOSTLEN_CAP)
		total = HP_HOSTLEN_CAP;
	s->hostlen = total;
	if (s->req & RQ_HHOST && c->hh) {
		have = c->hh->len;
		if (have > prior) /* bytes a rewound segment appended */
			have = prior;
		if (have > FS_HHOST_LEN - 1)
			have = FS_HHOST_LEN - 1;
		bpf_probe_read_kernel(c->sc->name, have & (FS_HHOST_LEN - 1),
				      c->hh->name);
	} else if (s->req & RQ_HHOST) {
		/* the cut part was pushed out of fs_hhost (by a flood of cut
		 * Hosts): the name cannot be shown served */
		return FS_R_HTTP_BAD_HOST;
	}
	s->req &= ~RQ_HHOST;
	hp_copy(c, have, end);
	return fs_host_judge(c->sc, total, c->r->bits & HB_HJ);
}

/* The request head is longer than http.head_max: bad (nginx refuses a
 * head over 32 KB, Apache one over 100 fields; no client sends one). */
static __always_inline bool hp_over_budget(struct hp_ctx *c, __u32 n)
{
	struct fs_hstate *s = c->s;

	s->head += n;
	if (s->head <= c->r->head_max)
		return false;
	c->r->verdict = FS_R_HTTP_HEAD_LONG;
	return true;
}

/* The method: token characters, then SP. Its first 4 bytes are kept in
 * count (PRI and CONNECT are told apart by them and its length). */
static __always_inline long hp_method(struct hp_ctx *c, __u8 b)
{
	struct fs_hstate *s = c->s;

	if (b == ' ') {
		if (s->sub == 3 && s->count == W8('P', 'R', 'I', 0, 0, 0, 0, 0))
			s->req |= RQ_PRI;
		if (s->sub == 7 &&
		    s->count == W8('C', 'O', 'N', 'N', 0, 0, 0, 0))
			return hp_malformed(c);
		s->st = HP_SP1;
		c->r->pos++;
		return 0;
	}
	if (!hp_tchar(b) || s->sub >= HP_METHOD_MAX)
		return hp_malformed(c);
	if (s->sub < 4)
		s->count |= (__u32)b << (8 * s->sub);
	s->sub++;
	c->r->pos++;
	return 0;
}

/* The target's first byte, after one or more SP. */
static __always_inline long hp_target(struct hp_ctx *c, __u8 b)
{
	struct fs_hstate *s = c->s;

	if (b == ' ') {
		if (s->st == HP_TARGET || c->r->bits & HB_APACHE)
			return hp_malformed(c);
		c->r->pos++;
		return 0;
	}
	c->r->pos++;
	if (b == '/') {
		s->st = HP_PATH1;
		return 0;
	}
	if (b == '*') {
		s->req |= RQ_STAR;
		s->st = HP_PATH;
		return 0;
	}
	if ((b | 0x20) >= 'a' && (b | 0x20) <= 'z') {
		s->st = HP_SCHEME;
		s->sub = 1;
		return 0;
	}
	return hp_malformed(c);
}

/* An absolute-form scheme, then "://": the authority follows. */
static __always_inline long hp_scheme(struct hp_ctx *c, __u8 b)
{
	struct fs_hstate *s = c->s;

	c->r->pos++;
	if (s->st == HP_SLASHES) {
		if (b != '/')
			return hp_malformed(c);
		if (++s->sub == 2) {
			s->st = HP_AUTH;
			s->hostlen = 0;
			c->r->hstart = c->r->pos;
		}
		return 0;
	}
	if (b == ':') {
		s->st = HP_SLASHES;
		s->sub = 0;
		return 0;
	}
	if (hp_tchar(b) && b != '!' && b != '#' && s->sub < HP_SCHEME_MAX) {
		s->sub++;
		return 0;
	}
	return hp_malformed(c);
}

/* The request line ended at an LF after the target: HTTP/0.9, which has
 * no Host. */
static __always_inline long hp_http09(struct hp_ctx *c)
{
	struct fs_hstate *s = c->s;

	if (!hp_lf_ok(c) || s->req & RQ_RESYNC)
		return hp_malformed(c); /* a pick-up needs a version */
	if (c->r->bits & HB_RESET_NOHOST && !(s->req & RQ_ABS))
		return hp_end(c, FS_R_HTTP_NO_HOST);
	c->r->good++;
	hp_request_reset(s);
	s->st = HP_START;
	s->prev = '\n';
	c->r->pos++;
	return 0;
}

/* A byte that ends the target: SP (the version follows), CR, LF. */
static __always_inline long hp_target_end(struct hp_ctx *c, __u8 b)
{
	struct fs_hstate *s = c->s;

	if (b == ' ') {
		s->st = HP_SP2;
		return hp_take(c, b);
	}
	if (b == '\r') {
		s->st = HP_SP2;
		return hp_take(c, b);
	}
	return hp_http09(c); /* LF */
}

/* The authority of an absolute-form target: 8 bytes a step to its end
 * ('/', '?', SP, CR, LF), then judged like a Host. '@' (userinfo) and
 * '#' are bad. */
static __always_inline long hp_auth(struct hp_ctx *c)
{
	struct fs_hstate *s = c->s;
	__u64 w, end, at;
	__u32 n, i;
	int r;
	__u8 b;

	w = hp_word(c, &n);
	end = eq_bytes(w, '/') | eq_bytes(w, '?') | eq_bytes(w, ' ') |
	      eq_bytes(w, '\r') | eq_bytes(w, '\n') | eq_bytes(w, '#') |
	      eq_bytes(w, '\t');
	at = eq_bytes(w, '@') & below_first(end);
	if (at && first_byte(at) < n)
		return hp_end(c, FS_R_HTTP_BAD_HOST);
	if (!end || first_byte(end) >= n) {
		c->r->pos += n;
		return 0;
	}
	i = first_byte(end);
	b = w >> (8 * i);
	r = hp_value_judge(c, c->r->pos + i);
	if (r == FS_R_HTTP_EMPTY_HOST)
		r = FS_R_HTTP_BAD_HOST;
	if (r != FS_R_HTTP_OK)
		return hp_end(c, r);
	if (b == '#')
		return hp_end(c, FS_R_HTTP_FRAGMENT);
	if (b == '\t')
		return hp_malformed(c);
	s->req |= RQ_ABS;
	c->r->pos += i;
	s->st = HP_PATH;
	return 0;
}

/* The rest of the target, 8 bytes a step: '#' is bad, SP, CR or LF ends
 * it. */
static __always_inline long hp_path(struct hp_ctx *c)
{
	__u64 w, end, hash;
	__u32 n, i;

	w = hp_word(c, &n);
	end = eq_bytes(w, ' ') | eq_bytes(w, '\r') | eq_bytes(w, '\n');
	hash = eq_bytes(w, '#') & below_first(end);
	if (hash && first_byte(hash) < n) {
		if (!(c->s->req & RQ_RESYNC))
			return hp_end(c, FS_R_HTTP_FRAGMENT);
		c->s->req |= RQ_FRAG; /* judged once the line is whole */
	}
	if (!end || first_byte(end) >= n) {
		c->r->pos += n;
		return 0;
	}
	i = first_byte(end);
	c->r->pos += i;
	return hp_target_end(c, w >> (8 * i));
}

/* The common request-line end, "HTTP/1.1" or "HTTP/1.0" and CRLF, in one
 * step when the chunk holds it whole; else the byte-wise HP_VERSION
 * goes on. */
static __always_inline long hp_version_fast(struct hp_ctx *c)
{
	struct fs_hstate *s = c->s;
	__u32 pos = c->r->pos, n;
	__u64 w, e;

	if (c->r->len - pos < 10)
		return 0;
	w = hp_word(c, &n);
	c->r->pos = pos + 8;
	e = hp_word(c, &n) & W_MASK(2);
	c->r->pos = pos;
	if (e != W8('\r', '\n', 0, 0, 0, 0, 0, 0))
		return 0;
	if (w == W8('H', 'T', 'T', 'P', '/', '1', '.', '0'))
		s->req |= RQ_V10;
	else if (w != W8('H', 'T', 'T', 'P', '/', '1', '.', '1'))
		return 0;
	s->req &= ~RQ_RESYNC; /* a whole request line */
	if (s->req & RQ_FRAG)
		return hp_end(c, FS_R_HTTP_FRAGMENT);
	s->st = HP_LINE;
	s->prev = '\n';
	c->r->pos = pos + 10;
	return 0;
}

/* After the target's SP: more SP, the version, or the line end of a
 * 0.9 request ("GET / " CRLF). */
static __always_inline long hp_sp2(struct hp_ctx *c, __u8 b)
{
	struct fs_hstate *s = c->s;

	if (s->prev == '\r') {
		if (b != '\n')
			return hp_malformed(c);
		return hp_http09(c);
	}
	if (b == ' ') {
		if (c->r->bits & HB_APACHE)
			return hp_malformed(c);
		c->r->pos++;
		return 0;
	}
	if (b == '\r') {
		return hp_take(c, b);
	}
	if (b == '\n')
		return hp_http09(c);
	if (b != 'H')
		return hp_malformed(c);
	s->st = HP_VERSION;
	s->sub = 0;
	return hp_version_fast(c);
}

/* The common request line in one step: a method of 1-7 upper-case
 * letters (not PRI, not CONNECT's first four) and SP, in the first word;
 * an origin-form target, HP_PATH_STEPS words of it at most; then
 * hp_sp2() and the version. The byte-wise machine's own functions, so
 * it stops in the state that machine has wherever the line leaves the
 * common form; the head budget must hold all of it. */
static __always_inline long hp_request_fast(struct hp_ctx *c)
{
	struct fs_hstate *s = c->s;
	__u64 w, sp, name;
	__u32 n, i;
	long r = 0;

	if (s->head > c->r->head_max ||
	    c->r->head_max - s->head < HP_REQUEST_FAST_MAX)
		return 0;
	w = hp_word(c, &n);
	sp = eq_bytes(w, ' ');
	if (n < 8 || !sp)
		return 0;
	i = first_byte(sp) & 7;
	name = below_first(sp);
	if (!i || (upper_bytes(w) & name) != name ||
	    (i == 3 && (w & W_MASK(3)) == W8('P', 'R', 'I', 0, 0, 0, 0, 0)) ||
	    (i == 7 && (w & W_MASK(4)) == W8('C', 'O', 'N', 'N', 0, 0, 0, 0)))
		return 0;
	s->count = w & (i < 4 ? W_MASK(i) : W_MASK(4)); /* as hp_method() */
	s->sub = i;
	s->st = HP_SP1;
	c->r->pos += i + 1;
	if (c->r->pos >= c->r->len || hp_byte(c) != '/')
		return 0;
	c->r->pos++;
	s->st = HP_PATH; /* HP_PATH1 reads nothing */
#pragma unroll
	for (int k = 0; k < HP_PATH_STEPS; k++) {
		if (r || s->st != HP_PATH || c->r->pos >= c->r->len)
			break;
		r = hp_path(c);
	}
	if (r || s->st != HP_SP2 || c->r->pos >= c->r->len)
		return r;
	return hp_sp2(c, hp_byte(c));
}

/* Before a request line: empty lines, then the method's first byte. */
static __always_inline long hp_start(struct hp_ctx *c, __u8 b)
{
	struct fs_hstate *s = c->s;

	if (b == '\r' || b == '\n') {
		if (b == '\n') {
			if (!hp_lf_ok(c))
				return hp_malformed(c);
			if (!(c->r->bits & HB_NGINX) &&
			    ++s->blank > HP_BLANK_APACHE)
				return hp_malformed(c);
		} else if (s->prev == '\r' && c->r->bits & HB_APACHE) {
			return hp_malformed(c); /* a lone CR */
		}
		return hp_take(c, b);
	}
	if ((s->prev == '\r' && c->r->bits & HB_APACHE) || !hp_tchar(b))
		return hp_malformed(c);
	s->st = HP_METHOD;
	s->sub = 0;
	s->count = 0;
	return hp_request_fast(c);
}

/* "HTTP/" DIGIT "." DIGIT+ (one minor digit with `apache`). */
static __always_inline long hp_version(struct hp_ctx *c, __u8 b)
{
	struct fs_hstate *s = c->s;
	__u32 k = s->sub;

	if (k < 5) {
		if (b != (__u8)(W8('H', 'T', 'T', 'P', '/', 0, 0, 0) >>
				(8 * (k & 7))))
			return hp_malformed(c);
	} else if (k == 5) {
		if (b < '1' || b > '9')
			return hp_malformed(c);
		if (b != '1')
			s->req |= RQ_V2;
	} else if (k == 6) {
		if (b != '.')
			return hp_malformed(c);
	} else if (k == 7) {
		if (b < '0' || b > '9')
			return hp_malformed(c);
		if (b == '0' && !(s->req & RQ_V2))
			s->req |= RQ_V10;
	} else if (b >= '0' && b <= '9') {
		if (c->r->bits & HB_APACHE || k > 16)
			return hp_malformed(c);
		s->req &= ~RQ_V10; /* "1.01" is not 1.0 */
	} else {
		s->st = HP_VEOL;
		return 0;
	}
	s->sub = k + 1;
	c->r->pos++;
	return 0;
}

/* The request line's end: SP (not `apache`), CR, LF. */
static __always_inline long hp_veol(struct hp_ctx *c, __u8 b)
{
	struct fs_hstate *s = c->s;

	if (s->prev == '\r' && b != '\n')
		return hp_malformed(c);
	if (b == ' ' && !(c->r->bits & HB_APACHE)) {
		return hp_take(c, b);
	}
	if (b == '\r') {
		return hp_take(c, b);
	}
	if (b != '\n' || !hp_lf_ok(c))
		return hp_malformed(c);
	if (s->req & RQ_FRAG)
		return hp_end(c, FS_R_HTTP_FRAGMENT);
	s->req &= ~RQ_RESYNC; /* a whole request line: a request after all */
	s->st = HP_LINE;
	return hp_take(c, b);
}

/* The head ended (its empty line): judge what only its end decides, and
 * go on to the body or the next request. */
static __always_inline long hp_head_end(struct hp_ctx *c)
{
	struct fs_hstate *s = c->s;

	c->r->pos++;
	s->prev = '\n';
	if (s->req & RQ_PRI) {
		if (!(s->req & RQ_STAR && s->req & RQ_V2) ||
		    c->r->bits & HB_RESET_H2)
			return hp_malformed(c);
		s->st = HP_OPAQUE; /* prior-knowledge HTTP/2 (h2c) */
		return hp_end(c, FS_R_HTTP_UNDECIDED_OPAQUE);
	}
	if (s->req & RQ_TE && s->req & RQ_CL)
		return hp_malformed(c);
	if (!(s->req & RQ_HOST)) {
		if (!(s->req & RQ_V10) || c->r->bits & HB_RESET_NOHOST)
			return hp_end(c, FS_R_HTTP_NO_HOST);
	}
	c->r->good++;
	if (s->req & RQ_TE) {
		__u32 up = s->req & RQ_UPGRADE; /* after the last chunk */

		hp_request_reset(s);
		s->st = HP_CHUNK_SIZE;
		s->req = up;
		return 0;
	}
	if (s->req & RQ_CL && s->count) {
		__u32 n = s->count, up = s->req & RQ_UPGRADE;

		hp_request_reset(s);
		s->count = n;
		s->st = n > HP_CL_MAX ? HP_OPAQUE : HP_BODY;
		s->req = up;
		return 0;
	}
	s->st = s->req & RQ_UPGRADE ? HP_UPGRADED : HP_START;
	hp_request_reset(s);
	return 0;
}

/* OWS before a Host value, then its first byte. */
static __always_inline long hp_host_ows(struct hp_ctx *c, __u8 b)
{
	struct fs_hstate *s = c->s;

	if (b == ' ' || b == '\t') {
		c->r->pos++;
		return 0;
	}
	s->st = HP_HOST;
	s->hostlen = 0;
	c->r->hstart = c->r->pos;
	return 0;
}

/* The Host value, 8 bytes a step to SP, HTAB, CR or LF, then judged. */
static __always_inline long hp_host(struct hp_ctx *c)
{
	struct fs_hstate *s = c->s;
	__u64 w, end;
	__u32 n, i;
	int r;

	w = hp_word(c, &n);
	end = eq_bytes(w, ' ') | eq_bytes(w, '\t') | eq_bytes(w, '\r') |
	      eq_bytes(w, '\n');
	if (!end || first_byte(end) >= n) {
		c->r->pos += n;
		return 0;
	}
	i = first_byte(end);
	r = hp_value_judge(c, c->r->pos + i);
	if (r == FS_R_HTTP_EMPTY_HOST && s->req & RQ_V10 &&
	    !(c->r->bits & HB_RESET_NOHOST))
		r = FS_R_HTTP_OK;
	if (r != FS_R_HTTP_OK)
		return hp_end(c, r);
	s->req |= RQ_HOST;
	c->r->pos += i;
	s->st = HP_HOST_TRAIL;
	return 0;
}

/* After a Host value: only OWS to the line end (a space inside the value
 * makes it unserved). */
static __always_inline long hp_host_trail(struct hp_ctx *c, __u8 b)
{
	struct fs_hstate *s = c->s;

	if (s->prev == '\r' && b != '\n')
		return hp_malformed(c);
	if (b == ' ' || b == '\t' || b == '\r') {
		return hp_take(c, b);
	}
	if (b != '\n')
		return hp_end(c, FS_R_HTTP_BAD_HOST);
	if (!hp_lf_ok(c))
		return hp_malformed(c);
	s->prev = b;
	c->r->pos++;
	s->st = HP_LINE;
	return 0;
}

/* The rest of a Host line in the step of its name: the byte-wise
 * machine's own HP_HOST_OWS (twice: one SP, then the value's first
 * byte), HP_HOST (twice: 16 bytes) and HP_HOST_TRAIL (twice: CRLF)
 * steps, when the head budget holds all of it. Written out, not a loop:
 * clang leaves a loop here that 6.1's verifier refuses ("back-edge"). */
static __always_inline long hp_host_fast(struct hp_ctx *c)
{
	struct fs_hstate *s = c->s;
	long r = 0;

	if (s->head > c->r->head_max ||
	    c->r->head_max - s->head < HP_HOST_FAST_MAX)
		return 0;
	if (s->st == HP_HOST_OWS && c->r->pos < c->r->len)
		hp_host_ows(c, hp_byte(c));
	if (s->st == HP_HOST_OWS && c->r->pos < c->r->len)
		hp_host_ows(c, hp_byte(c));
	if (s->st == HP_HOST && c->r->pos < c->r->len)
		r = hp_host(c);
	if (!r && s->st == HP_HOST && c->r->pos < c->r->len)
		r = hp_host(c);
	if (!r && s->st == HP_HOST_TRAIL && c->r->pos < c->r->len)
		r = hp_host_trail(c, hp_byte(c));
	if (!r && s->st == HP_HOST_TRAIL && c->r->pos < c->r->len)
		r = hp_host_trail(c, hp_byte(c));
	return r;
}

/* Whether the field name starting @w (the line's first 8 bytes, its
 * first byte a tchar) is none of the four the parser acts on, decided as
 * the byte-wise HP_NAME would: no prefix of them, or "host" or
 * "upgrade" followed by another token character (a longer name; "host"
 * then SP is HP_NAME's own verdict). "content-" and "transfer" go on
 * byte by byte. */
static __always_inline bool hp_name_other(__u64 w)
{
	__u64 lw = lower8(w);

	if ((lw & W_MASK(4)) == W8('h', 'o', 's', 't', 0, 0, 0, 0))
		return hp_tchar(w >> 32);
	if ((lw & W_MASK(7)) == W8('u', 'p', 'g', 'r', 'a', 'd', 'e', 0))
		return hp_tchar(w >> 56);
	return lw != W8('c', 'o', 'n', 't', 'e', 'n', 't', '-') &&
	       lw != W8('t', 'r', 'a', 'n', 's', 'f', 'e', 'r');
}

/* The field name at a line start, 8 bytes at once when the chunk holds
 * them: "host:" goes to its value, "upgrade:" is marked, a name that
 * can be none of the four (hp_name_other()) skips to its colon 8 bytes
 * a step; the others go on byte by byte (HP_NAME). */
static __always_inline long hp_name_fast(struct hp_ctx *c)
{
	struct fs_hstate *s = c->s;
	__u64 w, lw;
	__u32 n;

	w = hp_word(c, &n);
	if (n < 8)
		return 0;
	lw = lower8(w);
	if ((lw & W_MASK(5)) == W8('h', 'o', 's', 't', ':', 0, 0, 0)) {
		if (s->req & RQ_HOST)
			return hp_end(c, FS_R_HTTP_DUP_HOST);
		s->st = HP_HOST_OWS;
		s->prev = ':';
		c->r->pos += 5;
		return hp_host_fast(c);
	}
	if (lw == W8('u', 'p', 'g', 'r', 'a', 'd', 'e', ':')) {
		s->req |= RQ_UPGRADE;
		s->st = HP_VALUE;
		s->prev = ':';
		c->r->pos += 8;
		return 0;
	}
	if (!hp_name_other(w)) /* may still be one of the four */
		return 0;
	s->st = HP_NAME_REST;
	return 0;
}

/* The start of a field line: the empty line ends the head; SP or HTAB
 * (obs-fold, or whitespace before the first field) and a line starting
 * with ':' are malformed. */
static __always_inline long hp_line(struct hp_ctx *c, __u8 b)
{
	struct fs_hstate *s = c->s;

	if (b == '\n') {
		if (!hp_lf_ok(c))
			return hp_malformed(c);
		return hp_head_end(c);
	}
	if (s->prev == '\r')
		return hp_malformed(c);
	if (b == '\r') {
		return hp_take(c, b);
	}
	if (!hp_tchar(b))
		return hp_malformed(c);
	s->st = HP_NAME;
	s->sub = 0;
	s->cand = (1u << HP_NAMES) - 1;
	return hp_name_fast(c);
}

/* The value state for the field whose name matched candidate @k. */
static __always_inline long hp_field(struct hp_ctx *c, int k)
{
	struct fs_hstate *s = c->s;

	switch (k) {
	case 0:
		if (s->req & RQ_HOST)
			return hp_end(c, FS_R_HTTP_DUP_HOST);
		s->st = HP_HOST_OWS;
		break;
	case 1:
		if (s->req & RQ_CL)
			return hp_malformed(c);
		s->req |= RQ_CL;
		s->count = 0;
		s->sub = 0;
		s->st = HP_CL;
		break;
	case 2:
		if (s->req & RQ_TE)
			return hp_malformed(c);
		s->req |= RQ_TE;
		s->sub = 0;
		s->st = HP_TE;
		break;
	default:
		s->req |= RQ_UPGRADE;
		s->st = HP_VALUE;
		break;
	}
	return 0;
}

/* A field name, one byte a step while a candidate still matches. */
static __always_inline long hp_name(struct hp_ctx *c, __u8 b)
{
	struct fs_hstate *s = c->s;
	__u32 k = s->sub, cand = s->cand;

	if (b == ':') {
		c->r->pos++;
		s->prev = b;
		for (int i = 0; i < HP_NAMES; i++)
			if (cand & (1u << i) && hp_name_len[i] == k)
				return hp_field(c, i);
		s->st = HP_VALUE;
		return 0;
	}
	if ((b == ' ' || b == '\t') && cand & 1 && k == 4)
		return hp_end(c, FS_R_HTTP_HOST_WS); /* "Host :" */
	if (!hp_tchar(b))
		return hp_malformed(c); /* SP before ':', CR, LF, ... */
	b |= (b >= 'A' && b <= 'Z') ? 0x20 : 0;
	for (int i = 0; i < HP_NAMES; i++)
		if (k >= HP_NAME_LEN - 1 || hp_names[i][k] != b)
			cand &= ~(1u << i);
	s->cand = cand;
	s->sub = k + 1;
	c->r->pos++;
	if (!cand)
		s->st = HP_NAME_REST;
	return 0;
}

/* The rest of a field name, 8 bytes a step, to its ':'. */
static __always_inline long hp_name_rest(struct hp_ctx *c)
{
	struct fs_hstate *s = c->s;
	__u64 w, colon, bad;
	__u32 n, i;

	w = hp_word(c, &n);
	colon = eq_bytes(w, ':');
	bad = (eq_bytes(w, ' ') | eq_bytes(w, '\t') | eq_bytes(w, '\r') |
	       eq_bytes(w, '\n')) &
	      below_first(colon);
	if (bad && first_byte(bad) < n)
		return hp_malformed(c);
	if (!colon || first_byte(colon) >= n) {
		c->r->pos += n;
		return 0;
	}
	i = first_byte(colon);
	c->r->pos += i + 1;
	s->prev = ':';
	s->st = HP_VALUE;
	return 0;
}

/* A line skipped to its LF, 8 bytes a step; then state @next. */
static __always_inline long hp_skip_line(struct hp_ctx *c, __u8 next)
{
	struct fs_hstate *s = c->s;
	__u64 w, lf;
	__u32 n, i;

	/* up to HP_SKIP_WORDS words a step: one loop step costs more than
	 * a word */
#pragma unroll
	for (int k = 0; k < HP_SKIP_WORDS; k++) {
		w = hp_word(c, &n);
		lf = eq_bytes(w, '\n');
		if (lf && first_byte(lf) < n)
			break;
		s->prev = w >> (8 * ((n - 1) & 7));
		c->r->pos += n;
		if (n < 8 || c->r->pos >= c->r->len)
			return 0;
	}
	if (!lf || first_byte(lf) >= n)
		return 0;
	i = first_byte(lf);
	if (i)
		s->prev = w >> (8 * (i - 1));
	c->r->pos += i;
	if (!hp_lf_ok(c))
		return hp_malformed(c);
	s->prev = '\n';
	c->r->pos++;
	s->st = next;
	return 0;
}

/* A field line the parser does not act on (hp_name_other()) in one
 * step: the byte-wise machine's own HP_NAME_REST and HP_VALUE steps,
 * HP_NAME_WORDS and HP_VALUE_STEPS of them, so a typical line costs one
 * bpf_loop() step, not three or more. Taken at a line start after LF
 * when the chunk holds the name's first word and the head budget has
 * room for all of it (the budget is checked after the step); else
 * hp_line(). */
static __always_inline long hp_line_fast(struct hp_ctx *c, __u8 b)
{
	struct fs_hstate *s = c->s;
	long r = 0;
	__u64 w;
	__u32 n;

	if (s->prev != '\n' || s->head > c->r->head_max ||
	    c->r->head_max - s->head < HP_LINE_FAST_MAX)
		return hp_line(c, b);
	w = hp_word(c, &n);
	if (n < 8 || !hp_tchar(b) || !hp_name_other(w))
		return hp_line(c, b);
	s->sub = 0; /* as hp_line() leaves them */
	s->cand = (1u << HP_NAMES) - 1;
	s->st = HP_NAME_REST;
#pragma unroll
	for (int k = 0; k < HP_NAME_WORDS; k++) {
		if (r || s->st != HP_NAME_REST || c->r->pos >= c->r->len)
			break;
		r = hp_name_rest(c);
	}
#pragma unroll
	for (int k = 0; k < HP_VALUE_STEPS; k++) {
		if (r || s->st != HP_VALUE || c->r->pos >= c->r->len)
			return r;
		r = hp_skip_line(c, HP_LINE);
	}
	return r;
}

/* A Content-Length value: OWS, digits, OWS, line end. */
static __always_inline long hp_cl(struct hp_ctx *c, __u8 b)
{
	struct fs_hstate *s = c->s;

	if (s->prev == '\r' && b != '\n')
		return hp_malformed(c);
	if (b >= '0' && b <= '9' && s->sub <= 1) {
		if (s->count > HP_CL_MAX / 10) /* no wrap: too long, opaque */
			s->count = HP_CL_MAX + 1;
		else
			s->count = s->count * 10 + (b - '0');
		s->sub = 1;
	} else if (b == ' ' || b == '\t') {
		if (s->sub == 1)
			s->sub = 2;
	} else if (b == '\r') {
		if (s->sub == 0)
			return hp_malformed(c);
	} else if (b == '\n') {
		if (s->sub == 0 || !hp_lf_ok(c))
			return hp_malformed(c);
		s->st = HP_LINE;
	} else {
		return hp_malformed(c);
	}
	return hp_take(c, b);
}

/* A Transfer-Encoding value: exactly "chunked" (any case), OWS around. */
static __always_inline long hp_te(struct hp_ctx *c, __u8 b)
{
	struct fs_hstate *s = c->s;
	__u32 k = s->sub;

	if (s->prev == '\r' && b != '\n')
		return hp_malformed(c);
	if (b == ' ' || b == '\t') {
		if (k > 0 && k < 7)
			return hp_malformed(c);
	} else if (b == '\r') {
		if (k != 7)
			return hp_malformed(c);
	} else if (b == '\n') {
		if (k != 7 || !hp_lf_ok(c))
			return hp_malformed(c);
		s->st = HP_LINE;
	} else {
		if (k >= 7 || (b | 0x20) != (__u8)(W8('c', 'h', 'u', 'n', 'k',
						      'e', 'd', 0) >>
						   (8 * (k & 7))))
			return hp_malformed(c);
		s->sub = k + 1;
	}
	return hp_take(c, b);
}

/* Body bytes (count of them left): skipped in one step. */
static __always_inline long hp_body(struct hp_ctx *c)
{
	struct fs_hstate *s = c->s;
	__u32 left = c->r->len - c->r->pos;

	if (s->count > left) {
		s->count -= left;
		c->r->pos = c->r->len;
		return 0;
	}
	c->r->pos += s->count;
	s->count = 0;
	if (s->st == HP_CHUNK_DATA) {
		s->st = HP_CHUNK_END;
		s->sub = 0;
	} else {
		s->st = s->req & RQ_UPGRADE ? HP_UPGRADED : HP_START;
		s->req = 0;
		s->prev = '\n';
	}
	return 0;
}

/* A chunk-size line: hex digits, an optional extension, the line end. */
static __always_inline long hp_chunk_size(struct hp_ctx *c, __u8 b)
{
	struct fs_hstate *s = c->s;
	int h = hj_hex(b);

	if (s->prev == '\r' && b != '\n')
		return hp_malformed(c);
	if (h >= 0 && s->st == HP_CHUNK_SIZE &&
	    (s->prev == ' ' || s->prev == '\t'))
		return hp_malformed(c); /* "0\t37": a digit after whitespace */
	if (h >= 0 && s->st == HP_CHUNK_SIZE) {
		if (++s->sub > HP_CHUNK_DIGITS)
			return hp_malformed(c);
		s->count = s->count << 4 | h;
	} else if (b == '\n') {
		if (!s->sub || !hp_lf_ok(c))
			return hp_malformed(c);
		s->sub = 0;
		if (s->count) {
			s->st = HP_CHUNK_DATA;
		} else {
			s->st = HP_TRAILER;
			s->req |= RQ_ZERO;
		}
	} else if (b == '\r' || b == ';' || b == ' ' || b == '\t' ||
		   s->st == HP_CHUNK_EXT) {
		if (!s->sub)
			return hp_malformed(c);
		if (b == ';')
			s->st = HP_CHUNK_EXT;
	} else {
		return hp_malformed(c);
	}
	return hp_take(c, b);
}

/* The CRLF after chunk data. */
static __always_inline long hp_chunk_end(struct hp_ctx *c, __u8 b)
{
	struct fs_hstate *s = c->s;

	if (b == '\r' && s->sub == 0) {
		s->sub = 1;
	} else if (b == '\n' && (s->sub == 1 || !(c->r->bits & HB_APACHE))) {
		s->st = HP_CHUNK_SIZE;
		s->sub = 0;
		s->count = 0;
	} else {
		return hp_malformed(c);
	}
	return hp_take(c, b);
}

/* A trailer line's start, or the empty line that ends the message. */
static __always_inline long hp_trailer(struct hp_ctx *c, __u8 b)
{
	struct fs_hstate *s = c->s;

	if (b == '\r' && s->prev != '\r') {
		return hp_take(c, b);
	}
	if (b == '\n') {
		if (!hp_lf_ok(c))
			return hp_malformed(c);
		c->r->pos++;
		s->prev = b;
		s->st = s->req & RQ_UPGRADE ? HP_UPGRADED : HP_START;
		s->req = 0;
		return 0;
	}
	if (s->prev == '\r' || !hp_tchar(b))
		return hp_malformed(c);
	s->st = HP_TRAILER_LINE;
	return 0;
}

/* After a head with Upgrade: a request again, or the new protocol
 * (WebSocket frames start with a byte a request never starts with). */
static __always_inline long hp_upgraded(struct hp_ctx *c, __u8 b)
{
	struct fs_hstate *s = c->s;

	__u32 n, next = 0;
	__u64 w = hp_word(c, &n);

	if (n > 1)
		next = (w >> 8) & 0xff;
	/* a client's WebSocket frame: its second byte has the mask bit */
	if ((hp_tchar(b) && !(next & 0x80)) || b == '\r' || b == '\n') {
		s->st = HP_START;
		return 0;
	}
	s->st = HP_OPAQUE;
	return hp_end(c, FS_R_HTTP_UNDECIDED_OPAQUE);
}

/* The head states whose bytes count against http.head_max. */
static __always_inline bool hp_in_head(__u8 st)
{
	return st < HP_BODY;
}

/* bpf_loop() callback: one step of the state machine at c->r->pos. 1 stops
 * (the chunk ends, or a verdict). */
static long hp_step(__u64 i, void *data)
{
	struct hp_ctx *c = data;
	struct fs_hstate *s = c->s;
	__u32 pos = c->r->pos;
	long r;
	__u8 b;

	if (pos >= c->r->len || pos >= FS_HCHUNK)
		return 1;
	b = hp_byte(c);
	switch (s->st) {
	case HP_START:
		r = hp_start(c, b);
		break;
	case HP_METHOD:
		r = hp_method(c, b);
		break;
	case HP_SP1:
	case HP_TARGET:
		r = hp_target(c, b);
		break;
	case HP_PATH1: /* "//x" is a path too: both servers route it by Host */
		s->st = HP_PATH;
		r = 0;
		break;
	case HP_SCHEME:
	case HP_SLASHES:
		r = hp_scheme(c, b);
		break;
	case HP_AUTH:
		r = hp_auth(c);
		break;
	case HP_PATH:
		r = hp_path(c);
		break;
	case HP_SP2:
		r = hp_sp2(c, b);
		break;
	case HP_VERSION:
		r = hp_version(c, b);
		break;
	case HP_VEOL:
		r = hp_veol(c, b);
		break;
	case HP_LINE:
		r = hp_line_fast(c, b);
		break;
	case HP_NAME:
		r = hp_name(c, b);
		break;
	case HP_NAME_REST:
		r = hp_name_rest(c);
		break;
	case HP_VALUE:
		r = hp_skip_line(c, HP_LINE);
		break;
	case HP_HOST_OWS:
		r = hp_host_ows(c, b);
		break;
	case HP_HOST:
		r = hp_host(c);
		break;
	case HP_HOST_TRAIL:
		r = hp_host_trail(c, b);
		break;
	case HP_CL:
		r = hp_cl(c, b);
		break;
	case HP_TE:
		r = hp_te(c, b);
		break;
	case HP_BODY:
	case HP_CHUNK_DATA:
		r = hp_body(c);
		break;
	case HP_CHUNK_SIZE:
	case HP_CHUNK_EXT:
		r = hp_chunk_size(c, b);
		break;
	case HP_CHUNK_END:
		r = hp_chunk_end(c, b);
		break;
	case HP_TRAILER:
		r = hp_trailer(c, b);
		break;
	case HP_TRAILER_LINE:
		r = hp_skip_line(c, HP_TRAILER);
		break;
	case HP_UPGRADED:
		r = hp_upgraded(c, b);
		break;
	default: /* HP_OPAQUE, HP_LOST */
		c->r->pos = c->r->len;
		return 1;
	}
	if (r)
		return r;
	if (hp_in_head(s->st) && c->r->pos > pos &&
	    hp_over_budget(c, c->r->pos - pos))
		return 1;
	return 0;
}

/* A value being collected is cut by the chunk's end: keep its bytes in
 * the flow's fs_hhost entry (made if needed) for the next segment. */
static __always_inline void hp_keep_value(struct hp_ctx *c,
					  const struct fs_hflow_key *k)
{
	struct fs_hstate *s = c->s;
	struct fs_hhost *hh = c->hh;
	__u32 have = 0, n;

	if (!(s->req & RQ_HHOST) || !hh) {
		bpf_map_update_elem(&FS_MAP_HHOST, k, &c->sc->hh_zero, BPF_ANY);
		hh = bpf_map_lookup_elem(&FS_MAP_HHOST, k);
		if (!hh) { /* no entry: unserved at the value's end */
			s->req |= RQ_HHOST;
			return;
		}
		hh->len = 0;
	}
	have = hh->len;
	if (have > s->hostlen) /* bytes a rewound segment appended */
		have = s->hostlen;
	if (have > FS_HHOST_LEN - 1)
		have = FS_HHOST_LEN - 1;
	n = c->r->len - c->r->hstart;
	if (c->r->len > c->r->hstart && have < FS_HHOST_LEN - 1) {
		if (n > FS_HHOST_LEN - 1 - have)
			n = FS_HHOST_LEN - 1 - have;
		hp_append(c, hh->name, have, n);
		hh->len = have + n;
	}
	s->hostlen += c->r->len > c->r->hstart ? c->r->len - c->r->hstart : 0;
	s->req |= RQ_HHOST;
	c->hh = hh;
	c->r->hstart = 0;
}

/* The parse bits (HB_*, HJ_*) of the configuration and the served-host
 * table. */
static __always_inline __u32 hp_bits(const struct fs_cfg *cfg)
{
	__u32 b = host_bits() & (HJ_CHECK | HJ_WILDCARDS | HJ_PRINTS);
	__u32 f = cfg->http_flags;

	if (f & FS_HTTP_RESET_IP_HOST)
		b |= HJ_RESET_IP;
	if (f & FS_HTTP_RESET_NO_HOST10)
		b |= HB_RESET_NOHOST;
	if (f & FS_HTTP_RESET_H2)
		b |= HB_RESET_H2;
	if (cfg->http_server == FS_HTTP_SERVER_APACHE)
		b |= HB_APACHE;
	else if (cfg->http_server == FS_HTTP_SERVER_NGINX)
		b |= HB_NGINX;
	return b;
}

/* The verdict for a flow in state @st that is not parsed any more
 * (HP_OPAQUE and after), else FS_R_SERVICE. */
static __always_inline enum fs_reason fs_hstate_verdict(__u8 st)
{
	switch (st) {
	case HP_OPAQUE:
		return FS_R_HTTP_UNDECIDED_OPAQUE;
	case HP_UNTRACKED:
		return FS_R_HTTP_UNDECIDED_UNTRACKED;
	default:
		return FS_R_SERVICE;
	}
}

/* Parse one chunk of @n (1..FS_HCHUNK) payload bytes, @off bytes into
 * the frame, continuing @s; the run (sc->run) is set up by fs_hparse().
 * Returns the run's verdict (FS_CONTINUE: none). A global function, so
 * the verifier walks the state machine once, not once per chunk. */
__noinline int fs_hchunk(struct xdp_md *ctx, struct fs_hstate *s, __u32 off,
			 __u32 n)
{
	struct hp_ctx c = {.s = s};
	struct fs_hscratch *sc;
	__u32 zero = 0;

	sc = bpf_map_lookup_elem(&fs_scratch, &zero);
	if (!ctx || !s || !sc)
		return FS_CONTINUE;
	c.sc = sc;
	c.r = &sc->run;
	if (s->req & RQ_HHOST)
		c.hh = bpf_map_lookup_elem(&FS_MAP_HHOST, &sc->flow);
	if (n == 0 || n > FS_HCHUNK)
		return FS_CONTINUE;
	if (off != sc->run.buf_off || n > sc->run.buf_len) {
		if (bpf_xdp_load_bytes(ctx, off, sc->buf,
				       FS_LEN_1_TO(n, FS_HCHUNK)))
			return FS_CONTINUE;
		sc->run.buf_off = off;
		sc->run.buf_len = n;
	}
	c.r->pos = 0;
	c.r->len = n;
	c.r->hstart = 0;
	bpf_loop(HP_STEPS, hp_step, &c, 0);
	if (c.r->verdict == FS_CONTINUE && c.r->pos < n &&
	    s->st < HP_OPAQUE) /* cannot happen: no byte goes unjudged */
		c.r->verdict = FS_R_HTTP_MALFORMED;
	if (c.r->verdict == FS_CONTINUE &&
	    (s->st == HP_HOST || s->st == HP_AUTH)) {
		if (c.r->bits & HB_ALONE) /* a forged segment writes no map */
			s->st = HP_LOST;
		else
			hp_keep_value(&c, &sc->flow);
	}
	return c.r->verdict;
}

/* Parse @len payload bytes of the frame, from @off bytes into it, in
 * chunks of FS_HCHUNK (FS_HCHUNKS at most), continuing @s, under the
 * configuration's bits (hp_bits()) and @alone (HB_ALONE: a segment judged
 * alone, in the union of the profiles). Returns the verdict (see the top
 * of this file). A global function: verified once. */
__noinline int fs_hparse(struct xdp_md *ctx, struct fs_hstate *s, __u32 off,
			 __u32 len, __u32 alone)
{
	__u32 zero = 0, done = 0, n;
	struct fs_hscratch *sc;
	const struct fs_cfg *cfg;
	int v = FS_CONTINUE;

	if (!ctx || !s)
		return FS_R_SERVICE;
	sc = bpf_map_lookup_elem(&fs_scratch, &zero);
	cfg = bpf_map_lookup_elem(&FS_MAP_CFG, &zero);
	if (!sc || !cfg)
		return FS_R_SERVICE;
	sc->run.bits = hp_bits(cfg);
	if (alone)
		sc->run.bits = (sc->run.bits & ~HB_APACHE) | HB_ALONE;
	sc->run.good = 0;
	sc->run.head_max = cfg->http_head_max;
	sc->run.verdict = FS_CONTINUE;
	for (int k = 0; k < FS_HCHUNKS && done < len; k++) {
		if ((s->st == HP_BODY || s->st == HP_CHUNK_DATA) &&
		    s->count) { /* body bytes: nothing to read, no chunk spent */
			n = len - done;
			if (n > s->count)
				n = s->count;
			s->count -= n;
			done += n;
			if (done >= len)
				break;
		}
		if (s->st >= HP_OPAQUE)
			break;
		n = len - done;
		if (n > FS_HCHUNK)
			n = FS_HCHUNK;
		v = fs_hchunk(ctx, s, off + done, n);
		done += n;
		if (v != FS_CONTINUE)
			break;
	}
	/* bytes left unread would reach the server unjudged, and the state
	 * would go on after them as if they were read: the caller rewinds
	 * and drops the frame (its bytes come again, in smaller frames) */
	if (v == FS_CONTINUE && done < len && s->st < HP_OPAQUE)
		return FS_R_HTTP_UNDECIDED_SIZE;
	if (v != FS_CONTINUE && v != FS_R_HTTP_UNDECIDED_OPAQUE)
		return v;
	if (sc->run.good)
		return FS_R_HTTP_OK;
	return fs_hstate_verdict(s->st);
}

#endif
