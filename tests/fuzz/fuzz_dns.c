// SPDX-License-Identifier: GPL-2.0
/* DNS answers: the daemon's FCrDNS state machine (userspace/daemon/
 * dns.c, included so its static parsers are reached) fed answers built
 * from the input instead of a resolver's: rcode, NXDOMAIN, bogus, type,
 * TTL and raw rdata (PTR wire names, A and AAAA of any length) for the
 * PTR query and every A/AAAA query it starts. The verdict is then
 * explained and printed as `verify` does (text and JSON escapes).
 *
 * Input: byte 0 (bit 0: a suffix, bit 1: weak, bit 2: an IPv6 source),
 * then one answer per query in the order they are asked:
 *   H (bit 7: the query failed; bits 0-3 rcode; bit 4 NXDOMAIN; bit 5
 *   bogus; bit 6 another type), TTL (2 bytes, signed), N (rdata count,
 *   at most 7), N x (LEN, LEN bytes). Missing bytes: the query fails. */
#include "fuzz.h"
#include <unbound.h>

struct fake_q {
	void *mydata;
	ub_callback_type cb;
	int type;
	char name[300];
};

static struct fake_q asked[64];
static int n_asked;

static int fake_resolve_async(struct ub_ctx *ctx, const char *name, int rrtype,
			      int rrclass, void *mydata, ub_callback_type cb,
			      int *async_id)
{
	(void)ctx, (void)rrclass;
	if (n_asked == 64)
		return UB_NOMEM;
	asked[n_asked] =
		(struct fake_q){.mydata = mydata, .cb = cb, .type = rrtype};
	snprintf(asked[n_asked].name, sizeof(asked[0].name), "%s", name);
	*async_id = ++n_asked;
	return 0;
}

static void fake_resolve_free(struct ub_result *r)
{
	if (!r)
		return;
	for (int i = 0; r->data && r->data[i]; i++)
		free(r->data[i]);
	free(r->data);
	free(r->len);
	free(r->qname);
	free(r);
}

#define ub_resolve_async fake_resolve_async
#define ub_resolve_free	 fake_resolve_free
#include "../../userspace/daemon/dns.c"
#undef ub_resolve_async
#undef ub_resolve_free

struct input {
	const uint8_t *p;
	size_t n;
};

static bool take(struct input *in, void *out, size_t len)
{
	if (in->n < len)
		return false;
	memcpy(out, in->p, len);
	in->p += len;
	in->n -= len;
	return true;
}

/* The answer to @q from the input; NULL (with *err set) for a failure. */
static struct ub_result *answer(struct input *in, const struct fake_q *q,
				int *err)
{
	uint8_t h, n, len;
	int16_t ttl;
	struct ub_result *r;

	*err = UB_SERVFAIL;
	if (!take(in, &h, 1) || (h & 0x80) || !take(in, &ttl, 2) ||
	    !take(in, &n, 1))
		return NULL;
	r = calloc(1, sizeof(*r));
	n &= 7;
	r->data = calloc(n + 1, sizeof(char *));
	r->len = calloc(n + 1, sizeof(int));
	r->qname = strdup(q->name);
	r->qtype = h & 0x40 ? 16 : q->type;
	r->qclass = 1;
	r->rcode = h & 0x0f;
	r->nxdomain = !!(h & 0x10);
	r->bogus = !!(h & 0x20);
	r->ttl = ttl;
	for (int i = 0; i < n && take(in, &len, 1); i++) {
		size_t l = len < in->n ? len : in->n;

		r->data[i] = malloc(l ? l : 1);
		memcpy(r->data[i], in->p, l);
		r->len[i] = l;
		in->p += l;
		in->n -= l;
		r->havedata = 1;
	}
	*err = 0;
	return r;
}

static void on_result(void *arg, const struct fs_fcrdns *r)
{
	char why[2 * FS_DNS_NAME_MAX], text[FS_ESC_LEN(2 * FS_DNS_NAME_MAX)];
	FILE *null = fopen("/dev/null", "w");

	*(bool *)arg = true;
	fs_dns_explain(r, "example.net", why, sizeof(why));
	fs_text_esc(why, text, sizeof(text));
	for (int i = 0; i < r->n_ptr && i < FS_DNS_PTR_MAX; i++) {
		fs_text_esc(r->ptr[i], text, sizeof(text));
		json_str(null, r->ptr[i]);
	}
	json_str(null, r->name);
	fclose(null);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct fs_dns *d;
	struct input in = {data, size};
	__u8 addr[16] = {[10] = 0xff, [11] = 0xff, 192, 0, 2, 77};
	bool done = false;
	uint8_t flags = 0;
	char err[256];

	if (!d) {
		struct fs_dns_opts o = {.resolver = "127.0.0.1"};

		d = fs_dns_new(&o, err, sizeof(err));
		if (!d)
			abort();
	}
	fs_log_level = FS_LOG_ERR;
	take(&in, &flags, 1);
	if (flags & 4)
		memcpy(addr, "\x20\x01\x0d\xb8\0\0\0\0\0\0\0\0\0\0\0\x77", 16);
	cache_drop(d, addr);
	n_asked = 0;
	if (fs_dns_fcrdns(d, addr, flags & 1 ? "example.net" : NULL, flags & 2,
			  on_result, &done))
		return 0;
	/* answer every query asked, those the answers start included */
	for (int i = 0; i < n_asked; i++) {
		int e;
		struct ub_result *r = answer(&in, &asked[i], &e);

		asked[i].cb(asked[i].mydata, e, r);
	}
	if (!done)
		abort(); /* every query answered: the verdict must be given */
	return 0;
}
