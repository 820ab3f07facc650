/* SPDX-License-Identifier: GPL-2.0 */
/* Stage 5, HTTP inspection of a request's first data segment, and the
 * request buckets it charges.
 *
 * Reads only the linear part of the frame, at most FS_SCAN_MAX
 * bytes of payload, 8 bytes at a time (SWAR byte matching), so a Host
 * field 1 KB into a segment is found at a few instructions per word.
 * Contract: judge a request start (method token first) as good, bad
 * (a RESET reason) or undecided; anything it cannot decide passes:
 * headers running past the segment or the scan limit, unknown methods,
 * request lines that are not HTTP/1.x, hosts longer than FS_HOST_MAX.
 *
 * XXX: a request whose first segment is not in order, or whose request
 * line itself is split across segments, is not inspected.
 */
#ifndef FS_HTTP_BPF_H
#define FS_HTTP_BPF_H

#include "pkt.bpf.h"
#include "maps.bpf.h"
#include "cfg.bpf.h"
#include "scan.bpf.h"
#include "buckets.bpf.h"
#include "flows.bpf.h"
#include "conn.bpf.h"
#include "csum.bpf.h"
#include "reply.bpf.h"
#include "report.bpf.h"
#include "proven.bpf.h"

struct http_req {
	__u32 val;  /* offset of the host text */
	__u8 hosts; /* Host fields seen */
	__u8 http10;
	__u8 complete; /* empty line ending the headers seen */
	__u8 absolute; /* host from an absolute-form target */
};

/* Length of "METHOD " at the payload start; 0 if the payload does not
 * start like a request (a later segment), -1 for an unknown method. */
static __always_inline int http_method(const struct fs_seg *p)
{
	__u64 w, sp, tok;

	if (load8(p, 0, &w))
		return 0;
	if ((w & W_MASK(4)) == W8('G', 'E', 'T', ' ', 0, 0, 0, 0) ||
	    (w & W_MASK(4)) == W8('P', 'U', 'T', ' ', 0, 0, 0, 0))
		return 4;
	if ((w & W_MASK(5)) == W8('P', 'O', 'S', 'T', ' ', 0, 0, 0) ||
	    (w & W_MASK(5)) == W8('H', 'E', 'A', 'D', ' ', 0, 0, 0))
		return 5;
	if ((w & W_MASK(6)) == W8('P', 'A', 'T', 'C', 'H', ' ', 0, 0) ||
	    (w & W_MASK(6)) == W8('T', 'R', 'A', 'C', 'E', ' ', 0, 0))
		return 6;
	if ((w & W_MASK(7)) == W8('D', 'E', 'L', 'E', 'T', 'E', ' ', 0))
		return 7;
	if (w == W8('O', 'P', 'T', 'I', 'O', 'N', 'S', ' ') ||
	    w == W8('C', 'O', 'N', 'N', 'E', 'C', 'T', ' '))
		return 8;
	/* An upper-case token then a space, or 8 upper-case letters (a
	 * longer token: PROPFIND): a method we do not know. "Host: x" or
	 * "The body" are not. */
	sp = eq_bytes(w, ' ');
	tok = below_first(sp);
	if ((w & 0xff) >= 'A' && (w & 0xff) <= 'Z' && !(~upper_bytes(w) & tok))
		return -1;
	return 0;
}

/* Scan the target from @off to its ending space. Sets *sp to that
 * offset and *fragment for a '#' in it. Returns FS_CONTINUE, or
 * FS_R_HTTP_UNDECIDED (CR/LF first, or past the limit). */
static __always_inline enum fs_reason
http_target(const struct fs_seg *p, __u32 off, __u32 *sp, bool *fragment)
{
	__u64 w, space, hash, eol, low;

	for (int i = 0; i < FS_HTTP_TARGET_WORDS; i++) {
		if (load8(p, off, &w))
			return FS_R_HTTP_UNDECIDED;
		space = eq_bytes(w, ' ');
		hash = eq_bytes(w, '#');
		eol = eq_bytes(w, '\r') | eq_bytes(w, '\n');
		low = space & -space;
		if (space) {
			/* bytes below the space: (low - 1) */
			if (eol & (low - 1))
				return FS_R_HTTP_UNDECIDED;
			*fragment |= (hash & (low - 1)) != 0;
			*sp = off + first_byte(space);
			return FS_CONTINUE;
		}
		if (eol)
			return FS_R_HTTP_UNDECIDED;
		*fragment |= hash != 0;
		off += 8;
	}
	return FS_R_HTTP_UNDECIDED;
}

/* Bytes of "HTTP/1.1\r\n", the end of a request line. */
#define HTTP_VERSION_LEN 10

/* "HTTP/1.1\r\n" or "HTTP/1.0\r\n" at @off. 0 or -1. */
static __always_inline int http_version(const struct fs_seg *p, __u32 off,
					struct http_req *req)
{
	__u64 w, crlf;

	if (load8(p, off, &w) || load8(p, off + 2, &crlf))
		return -1;
	if ((crlf >> 48) != W8('\r', '\n', 0, 0, 0, 0, 0, 0))
		return -1;
	if (w == W8('H', 'T', 'T', 'P', '/', '1', '.', '1'))
		return 0;
	if (w == W8('H', 'T', 'T', 'P', '/', '1', '.', '0')) {
		req->http10 = 1;
		return 0;
	}
	return -1;
}

/* Absolute-form target ("http://host/..."): the authority is the host. */
static __always_inline void http_absolute(const struct fs_seg *p, __u32 off,
					  struct http_req *req)
{
	__u64 w;

	if (load8(p, off, &w))
		return;
	w |= W8(0x20, 0x20, 0x20, 0x20, 0x20, 0, 0,
		0); /* lower case; ':' keeps */
	if ((w & W_MASK(7)) == W8('h', 't', 't', 'p', ':', '/', '/', 0))
		req->val = off + 7;
	else if (w == W8('h', 't', 't', 'p', 's', ':', '/', '/'))
		req->val = off + 8;
	else
		return;
	req->absolute = 1;
}

/* The header line starting at @off. Returns FS_R_HTTP_HOST_WS or
 * FS_R_HTTP_DUP_HOST when bad, 1 at the empty line ending the headers,
 * -1 when the frame ends, else FS_CONTINUE. Records the first Host. */
static __always_inline int http_line(const struct fs_seg *p, __u32 off,
				     struct http_req *req)
{
	__u64 w, name;
	__u8 sep;

	if (load8(p, off, &w)) {
		/* fewer than 8 bytes left: only the final empty line fits */
		return load1(p, off) == '\r' && load1(p, off + 1) == '\n' ? 1
									  : -1;
	}
	if ((w & W_MASK(2)) == W8('\r', '\n', 0, 0, 0, 0, 0, 0))
		return 1;
	name = (w | W8(0x20, 0x20, 0x20, 0x20, 0, 0, 0, 0)) & W_MASK(4);
	if (name != W8('h', 'o', 's', 't', 0, 0, 0, 0))
		return FS_CONTINUE;
	sep = w >> 32;
	if (sep == ' ' || sep == '\t')
		return FS_R_HTTP_HOST_WS;
	if (sep != ':')
		return FS_CONTINUE; /* Hostname:, Host-Foo: ... */
	if (++req->hosts > 1)
		return FS_R_HTTP_DUP_HOST;
	if (!req->absolute)
		req->val = (off + 5) & FS_SCAN_OFF_MASK;
	return FS_CONTINUE;
}

/* Result of fs_http_headers() when no line was bad. */
#define HDR_OK	     (1u << 30)
#define HDR_COMPLETE (1u << 29)
#define HDR_VAL_MASK 0xffff /* host text offset, 0: none */

/* Walk header lines from @start in the payload at @off: one flat loop
 * whose steps either move 8 bytes along a line or jump to the next line
 * start. @absolute: host text offset taken from the target, or 0.
 * Returns FS_R_HTTP_HOST_WS or FS_R_HTTP_DUP_HOST, or HDR_OK with
 * HDR_COMPLETE and the host text offset. A global function, verified
 * once whatever the request line looked like. */
__noinline int fs_http_headers(struct xdp_md *ctx, __u32 off, __u32 start,
			       __u32 absolute)
{
	struct http_req r = {.val = absolute, .absolute = !!absolute};
	struct http_req *req = &r;
	struct fs_seg seg, *p = &seg;
	bool line_start = true;
	__u32 pos = start;
	__u64 w, nl;
	int res;

	if (!ctx || fs_seg_init(&seg, ctx, off))
		return HDR_OK;
	for (int i = 0; i < FS_HTTP_STEPS; i++) {
		if (line_start) {
			res = http_line(p, pos, req);
			if (res == 1)
				return HDR_OK | HDR_COMPLETE |
				       (req->val & HDR_VAL_MASK);
			if (res < 0)
				break;
			if (res != FS_CONTINUE)
				return res;
		}
		if (load8_tail(p, pos, &w))
			break;
		nl = eq_bytes(w, '\n');
		line_start = nl != 0;
		pos += nl ? first_byte(nl) + 1 : 8;
		/* Verifier: the same range every step lets it prune. */
		barrier_var(pos);
		pos &= FS_SCAN_OFF_MASK;
	}
	return HDR_OK | (req->val & HDR_VAL_MASK);
}

/* Skip OWS before a Host field value; sets req->val to the first byte.
 * False when there is more than FS_HTTP_OWS_MAX of it (undecided). */
static __always_inline bool host_skip_ows(const struct fs_seg *p,
					  struct http_req *req)
{
	for (int i = 0; i < FS_HTTP_OWS_MAX; i++) {
		int c = load1(p, req->val);

		if (c != ' ' && c != '\t')
			return true;
		req->val++;
	}
	return false;
}

/* Bytes that end a host: CR, LF, SP, HT, and in an authority also
 * '/', '?' and '#'. */
static __always_inline __u64 host_end_bytes(__u64 w, bool authority)
{
	__u64 m = eq_bytes(w, '\r') | eq_bytes(w, '\n') | eq_bytes(w, ' ') |
		  eq_bytes(w, '\t');

	if (authority)
		m |= eq_bytes(w, '/') | eq_bytes(w, '?') | eq_bytes(w, '#');
	return m;
}

/* Normalised extent of the host text at req->val: ":port" and one
 * trailing dot stripped. Returns its length; -1 (undecided) if longer
 * than FS_HOST_MAX, cut by the end of the frame, or an authority with
 * userinfo ("user@host"). Sets *ip for an IP literal: "[v6]", or digits
 * and dots only (RFC 3986 3.2.2). Scans 8 bytes a step. */
static __always_inline int host_extent(const struct fs_seg *p,
				       const struct http_req *req, bool *ip)
{
	__u32 colon = FS_HOST_SCAN, len = FS_HOST_SCAN, at;
	__u64 w, end, col, other = 0, userinfo = 0;
	int c;

	c = load1(p, req->val);
	if (c == '\r' || c == '\n')
		return 0;
	/* No branch on what the masks accumulate inside the loop: the
	 * verifier would otherwise follow each combination. */
	for (__u32 i = 0; i < FS_HOST_SCAN; i += 8) {
		if (load8_tail(p, req->val + i, &w))
			return -1;
		end = host_end_bytes(w, req->absolute);
		col = eq_bytes(w, ':');
		userinfo |= eq_bytes(w, '@') & below_first(end);
		/* the name: bytes before the end and before the first colon;
		 * other: its bytes that are neither digits nor dots */
		other |= below_first(end) & below_first(col) &
			 ~(digit_bytes(w) | eq_bytes(w, '.')) &
			 (colon == FS_HOST_SCAN ? ~0ull : 0);
		if (col && colon == FS_HOST_SCAN) {
			at = i + first_byte(col);
			colon = at & FS_HOST_OFF_MASK;
		}
		if (end) {
			at = i + first_byte(end);
			len = at & FS_HOST_OFF_MASK;
			break;
		}
	}
	if (len >= FS_HOST_SCAN || (req->absolute && userinfo))
		return -1;
	*ip = c == '[' || !other;
	if (colon < len && c != '[')
		len = colon;
	if (len && load1(p, req->val + len - 1) == '.')
		len--;
	return len > FS_HOST_MAX ? -1 : len;
}

/* Whether the @len-byte host @val bytes into the payload at @off is
 * served: the exact name, or, with @wild, a wildcard on one of its
 * suffixes (".example.org" keys). 1 or 0. The name is copied with one
 * helper call and handled 8 bytes at a time, never byte by byte in the
 * packet. A global function, verified once.
 * XXX: with wildcards, a name of many labels costs one lookup per dot
 * (up to 63 for a name of dots). */
__noinline int fs_host_served(struct xdp_md *ctx, __u32 off, __u32 val,
			      __u32 len, __u32 wild)
{
	struct fs_host_buf *buf;
	__u64 *words, w, dots;
	__u32 zero = 0;

	if (!ctx || len == 0 || len > FS_HOST_MAX)
		return 1;
	buf = bpf_map_lookup_elem(&fs_scratch, &zero);
	if (!buf)
		return 1;
	words = (__u64 *)buf->key.name;
	for (int j = 0; j < FS_HOST_MAX / 8; j++)
		words[j] = 0;
	if (bpf_xdp_load_bytes(
		    ctx, (off & FS_PAYLOAD_OFF_MAX) + (val & FS_SCAN_OFF_MASK),
		    buf->key.name + ((FS_HOST_MAX - len) & (FS_HOST_MAX - 1)),
		    len))
		return 1;
	for (int j = 0; j < FS_HOST_MAX / 8; j++)
		words[j] = lower8(words[j]);
	if (bpf_map_lookup_elem(&FS_MAP_HOSTS, &buf->key))
		return 1;
	if (!wild)
		return 0;
	/* Each dot, left to right: zero what is left of it, look it up. */
	for (int j = 0; j < FS_HOST_MAX / 8; j++) {
		w = words[j];
		dots = eq_bytes(w, '.');
		for (int t = 0; t < FS_HOST_DOTS_MAX && dots; t++) {
			words[j] = w & ~((1ull << (first_byte(dots) * 8)) - 1);
			if (bpf_map_lookup_elem(&FS_MAP_HOSTS, &buf->key))
				return 1;
			dots &= dots - 1;
		}
		words[j] = 0;
	}
	return 0;
}

/* The served-host table (struct fs_hostfp): its bits (FS_HOSTS_*), which
 * loader/hostfp.c derives from fs_hosts, and the prints. The one reader
 * of fs_hostfp; NULL only if the lookup fails (the check is then off:
 * it cannot, for an array of one). */
static __always_inline const struct fs_hostfp *host_table(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&FS_MAP_HOSTFP, &zero);
}

/* The served-host bits (FS_HOSTS_*); 0 (the check off) without the map. */
static __always_inline __u32 host_bits(void)
{
	const struct fs_hostfp *t = host_table();

	return t ? READ_ONCE(t->flags) : 0;
}

/* Whether print @fp is in the live table: 1 served, 0 not, -1 unknown. */
static __always_inline int host_print_served(__u64 fp)
{
	const struct fs_hostfp *t = host_table();
	__u32 half;
	int served = 0;
	__u64 v, gen;

	if (!t || !fp)
		return -1;
	gen = READ_ONCE(t->gen);
	half = READ_ONCE(t->active) & 1;
	for (__u32 k = 0; k < FS_HOSTFP_PROBE; k++) {
		v = READ_ONCE(t->fp[half][(fp + k) & (FS_HOSTFP_SLOTS - 1)]);
		if (v == fp)
			served = 1;
		if (v == fp || !v)
			break;
	}
	return READ_ONCE(t->gen) == gen ? served : -1;
}

/* Bits of struct http_req passed to fs_http_host(), above the FS_HTTP_*
 * policy flags (HREQ_POLICY). */
#define HREQ_POLICY   0xff
#define HREQ_HTTP10   (1u << 8)
#define HREQ_COMPLETE (1u << 9)
#define HREQ_ABSOLUTE (1u << 10)
/* The served-host bits (host_bits(), FS_HOSTS_*), read once per segment
 * by fs_police_http() and passed down in bits 11-13. */
#define HREQ_HOSTS_SHIFT 11
#define HREQ_CHECK	 (FS_HOSTS_CHECK << HREQ_HOSTS_SHIFT)
#define HREQ_WILDCARDS	 (FS_HOSTS_WILDCARDS << HREQ_HOSTS_SHIFT)
#define HREQ_PRINTS	 (FS_HOSTS_PRINTS << HREQ_HOSTS_SHIFT)
#define HREQ_HOSTS	 (HREQ_CHECK | HREQ_WILDCARDS | HREQ_PRINTS)

/* Judge the Host of a complete or partial request whose host text (if
 * any) starts @val bytes into the payload at @off; @bits: FS_HTTP_*
 * policy flags (low byte), the served-host bits (HREQ_HOSTS) and the
 * other HREQ_* bits. A global function, so the verifier checks it once,
 * not once per header-scan outcome. */
__noinline int fs_http_host(struct xdp_md *ctx, __u32 off, __u32 val,
			    __u32 bits)
{
	struct http_req r = {
		.val = val,
		.http10 = !!(bits & HREQ_HTTP10),
		.complete = !!(bits & HREQ_COMPLETE),
		.absolute = !!(bits & HREQ_ABSOLUTE),
	};
	struct http_req *req = &r;
	struct fs_seg seg, *p = &seg;
	__u32 flags = bits & (HREQ_POLICY | HREQ_HOSTS);
	int len, served;
	bool ip;

	if (!ctx || fs_seg_init(&seg, ctx, off))
		return FS_R_HTTP_UNDECIDED;
	if (!req->val) {
		if (!req->complete)
			return FS_R_HTTP_UNDECIDED;
		if (!req->http10 || (flags & FS_HTTP_RESET_NO_HOST10))
			return FS_R_HTTP_NO_HOST;
		return FS_R_HTTP_OK;
	}
	if (!req->absolute && !host_skip_ows(p, req))
		return FS_R_HTTP_UNDECIDED;
	len = host_extent(p, req, &ip);
	if (len < 0)
		return FS_R_HTTP_UNDECIDED;
	if (len == 0)
		return req->http10 && !(flags & FS_HTTP_RESET_NO_HOST10)
			       ? FS_R_HTTP_OK
			       : FS_R_HTTP_EMPTY_HOST;
	if (ip)
		return flags & FS_HTTP_RESET_IP_HOST ? FS_R_HTTP_IP_HOST
						     : FS_R_HTTP_OK;
	if (!(flags & HREQ_CHECK))
		return FS_R_HTTP_OK;
	if (flags & HREQ_PRINTS) {
		served = host_print_served(fs_host_print(p, req->val, len));
		if (served == 1)
			return FS_R_HTTP_OK;
		if (served == 0 && !(flags & HREQ_WILDCARDS))
			return FS_R_HTTP_BAD_HOST;
	}
	if (fs_host_served(ctx, off, req->val, len, flags & HREQ_WILDCARDS))
		return FS_R_HTTP_OK;
	return FS_R_HTTP_BAD_HOST;
}

/* Judge the segment whose TCP payload starts @off bytes into the frame:
 * FS_R_SERVICE if it does not start a request, else FS_R_HTTP_OK,
 * FS_R_HTTP_UNDECIDED or a RESET reason; @http_flags: the FS_HTTP_*
 * policy flags (low byte) and the served-host bits (HREQ_HOSTS). A
 * global function, so the verifier checks it once instead of once per
 * parse path. */
__noinline int fs_http_judge(struct xdp_md *ctx, __u32 off, __u32 http_flags)
{
	struct fs_seg seg, *p = &seg;
	struct http_req req = {};
	bool fragment = false;
	enum fs_reason r;
	__u32 sp = 0;
	int mlen, hdr;

	if (!ctx || fs_seg_init(&seg, ctx, off))
		return FS_R_HTTP_UNDECIDED;
	mlen = http_method(p);
	if (mlen == 0)
		return FS_R_SERVICE;
	if (mlen < 0)
		return FS_R_HTTP_UNDECIDED;
	r = http_target(p, mlen, &sp, &fragment);
	if (r != FS_CONTINUE)
		return r;
	/* '#' counts only in a real request line: "GET #tag ..." in a body
	 * segment is not one */
	if (http_version(p, sp + 1, &req))
		return FS_R_HTTP_UNDECIDED;
	if (fragment)
		return FS_R_HTTP_FRAGMENT;
	http_absolute(p, mlen, &req);
	hdr = fs_http_headers(ctx, off,
			      (sp + 1 + HTTP_VERSION_LEN) & FS_SCAN_OFF_MASK,
			      req.absolute ? req.val : 0);
	if (!(hdr & HDR_OK))
		return hdr;
	return fs_http_host(ctx, off, hdr & HDR_VAL_MASK,
			    (http_flags & (HREQ_POLICY | HREQ_HOSTS)) |
				    (req.http10 ? HREQ_HTTP10 : 0) |
				    (hdr & HDR_COMPLETE ? HREQ_COMPLETE : 0) |
				    (req.absolute ? HREQ_ABSOLUTE : 0));
}

/* Inspect an HTTP segment and charge the request buckets: every request
 * start the request bucket, a bad one also the bad-request bucket; but
 * only a segment the kernel's socket proves (fs_conn_proof()): a forged
 * one is charged to no one. A bad request without that proof is dropped
 * (no_conn), unless it repeats a segment already turned into a RST, whose
 * socket is gone: that one passes, for the kernel to answer with its own
 * RST. A segment whose socket still holds is judged again, whatever was
 * remembered of its flow (a twin with a bad checksum, whose RST the kernel
 * dropped; a new connection on the same ports). */
/* Reset reason @r for a proven segment: a connection that exists only as
 * a kernel SYN cookie (@proof FS_CONN_COOKIE) gets the RST as a reply
 * (fs_cookie_reset()); the others the segment rewritten (act()). */
static __always_inline enum fs_reason http_reset(struct xdp_md *ctx,
						 const struct fs_pkt *p,
						 int proof, enum fs_reason r)
{
	return proof == FS_CONN_COOKIE ? fs_cookie_reset(ctx, p, r) : r;
}

static __always_inline enum fs_reason fs_police_http(struct xdp_md *ctx,
						     const struct fs_pkt *p,
						     const struct fs_cfg *cfg,
						     __u64 now)
{
	enum fs_reason r =
		fs_http_judge(ctx, p->payload_off,
			      (cfg->http_flags & HREQ_POLICY) |
				      host_bits() << HREQ_HOSTS_SHIFT);
	int proof;
	bool proven;

	if (r == FS_R_SERVICE)
		return r;
	proof = fs_conn_proof(ctx, p);
	proven = proof != FS_CONN_NONE;
	if (fs_conn_first(proof)) /* a connection's first request */
		fs_prove(p, true);
	if (fs_reason_resets(r)) {
		if (!proven)
			return fs_retransmitted(ctx, p) ? FS_R_RESET_FLOW
							: FS_R_NO_CONN;
		if (!fs_tcp_csum_ok(ctx, p)) /* the kernel would drop it */
			return FS_R_BAD_CSUM;
		if (proof != FS_CONN_COOKIE || !fs_retransmitted(ctx, p))
			fs_police_bucket(p, FS_B_HTTP_BAD, r, now);
		return http_reset(ctx, p, proof, r);
	}
	if (!proven)
		return r;
	switch (fs_police_bucket(p, FS_B_HTTP_REQ, FS_R_HTTP_RATE_SRC, now)) {
	case FS_LEVEL_OVER_SRC:
		return http_reset(ctx, p, proof, FS_R_HTTP_RATE_SRC);
	case FS_LEVEL_OVER_PREFIX:
		return http_reset(ctx, p, proof, FS_R_HTTP_RATE_PREFIX);
	default:
		break;
	}
	/* a client that completed a request: worth a crawler check */
	if (r == FS_R_HTTP_OK && (cfg->flags & FS_CFG_VERIFY_HTTP))
		fs_report(ctx, p, FS_EV_SOURCE, 0, 0);
	return r;
}

#endif
