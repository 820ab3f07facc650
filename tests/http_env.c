// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/tcp.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "../loader/loader.h"
#include "floodshield.skel.h"
#include "../loader/hosts.h"
#include "http_env.h"
#include "test.h"
#include "../loader/names.h"
#include "../loader/sync.h"
#include "../loader/lists.h"

static int fail(const char *what)
{
	int err = errno ? errno : EINVAL;

	fprintf(stderr, "http_env: %s: %s\n", what, strerror(err));
	return -err;
}

int he_hosts_add(struct xdp_env *e, const char *const *names, size_t n)
{
	struct fs_map_fds m;
	struct fs_host_key k;
	struct fs_host_val v;
	char err[160];
	int rc;

	fs_maps_from_skel(e->skel, &m);
	for (size_t i = 0; i < n; i++) {
		if (fs_host_key(names[i], &k, &v, err, sizeof(err))) {
			fprintf(stderr, "http_env: %s\n", err);
			return -EINVAL;
		}
		rc = fs_host_put(&m, &k, &v);
		if (rc) {
			errno = -rc;
			return fail(names[i]);
		}
	}
	return fs_hosts_done(&m) ? -EIO : 0;
}

/* The folded ones' complement sum, not complemented (pkt.c's helpers). */
static __u16 fold(__u32 sum)
{
	return (__u16)~pkt_csum_fold(sum);
}

/* Sum of the TCP pseudo-header, from the addresses in the frame. */
static __u32 pseudo_sum(const struct he_seg *seg)
{
	const __u8 *ip = seg->buf + seg->l3;
	size_t tcp_len = seg->len - seg->l4;
	__u32 sum;

	if (seg->family == 4)
		sum = pkt_csum_add(0, ip + offsetof(struct iphdr, saddr), 8);
	else
		sum = pkt_csum_add(0, ip + offsetof(struct ipv6hdr, saddr), 32);
	return sum + IPPROTO_TCP + (tcp_len >> 16) + (tcp_len & 0xffff);
}

void he_fix_tcp_csum(struct he_seg *seg)
{
	__u8 *check = seg->buf + seg->l4 + HE_TCP_CHECK;
	__u16 c;

	check[0] = check[1] = 0;
	c = ~fold(pkt_csum_add(pseudo_sum(seg), seg->buf + seg->l4,
			       seg->len - seg->l4));
	check[0] = c >> 8;
	check[1] = c & 0xff;
}

bool he_ip_csum_ok(const struct he_seg *seg)
{
	if (seg->family != 4)
		return true;
	return fold(pkt_csum_add(0, seg->buf + seg->l3, seg->l4 - seg->l3)) ==
	       0xffff;
}

bool he_tcp_csum_ok(const struct he_seg *seg)
{
	return fold(pkt_csum_add(pseudo_sum(seg), seg->buf + seg->l4,
				 seg->len - seg->l4)) == 0xffff;
}

int he_seg_make(int family, const char *src, const char *dst, __u16 sport,
		__u16 dport, __u8 flags, __u32 seq, __u32 ack,
		const void *payload, size_t n, struct he_seg *seg)
{
	struct pkt_spec s = {
		.family = family,
		.tcp_flags = flags,
		.sport = sport,
		.dport = dport,
		.seq = seq,
		.ack = flags & PKT_ACK ? ack : 0,
	};

	pkt_addr(src, s.src);
	pkt_addr(dst, s.dst);
	return he_build(&s, payload, n, seg);
}

int he_build(const struct pkt_spec *s, const void *payload, size_t n,
	     struct he_seg *seg)
{
	struct pkt_spec spec = *s;
	size_t marks[PKT_M_MAX];
	ssize_t len;

	if (n > PKT_MAX)
		return -1;
	spec.l4 = PKT_TCP;
	spec.payload_len = n;
	len = pkt_build(&spec, seg->buf, sizeof(seg->buf), marks);
	if (len < 0 || (size_t)len != marks[PKT_M_END])
		return -1;
	seg->len = len;
	seg->family = s->family;
	seg->l3 = marks[PKT_M_L3];
	seg->l4 = marks[PKT_M_L4];
	seg->payload = seg->len - n;
	memcpy(seg->buf + seg->payload, payload, n);
	he_fix_tcp_csum(seg);
	return 0;
}

__u8 he_tcp_flags(const struct he_seg *seg)
{
	return seg->buf[seg->l4 + HE_TCP_FLAGS];
}

static __u32 be32_at(const __u8 *p)
{
	__u32 v;

	memcpy(&v, p, sizeof(v));
	return ntohl(v);
}

__u32 he_tcp_seq(const struct he_seg *seg)
{
	return be32_at(seg->buf + seg->l4 + offsetof(struct tcphdr, seq));
}

__u32 he_tcp_ack(const struct he_seg *seg)
{
	return be32_at(seg->buf + seg->l4 + offsetof(struct tcphdr, ack_seq));
}

__u16 he_tcp_csum(const struct he_seg *seg)
{
	const __u8 *c = seg->buf + seg->l4 + HE_TCP_CHECK;

	return c[0] << 8 | c[1];
}

/* Which one reason moved between @a and @b, by one packet of @len. */
static int moved_reason(const struct fs_counter *a, const struct fs_counter *b,
			size_t len, bool *observed)
{
	int found = HE_REASON_NONE;

	for (int r = 0; r < FS_R_MAX; r++) {
		__u64 p = b[r].packets - a[r].packets;
		__u64 by = b[r].bytes - a[r].bytes;
		__u64 op = b[r].observed_packets - a[r].observed_packets;
		__u64 ob = b[r].observed_bytes - a[r].observed_bytes;

		if (!p && !by && !op && !ob)
			continue;
		if (found != HE_REASON_NONE)
			return HE_REASON_MANY;
		if (p == 1 && by == len && !op && !ob)
			*observed = false;
		else if (op == 1 && ob == len && !p && !by)
			*observed = true;
		else
			return HE_REASON_MANY;
		found = r;
	}
	return found;
}

void he_hflow_key(const struct he_seg *seg, struct fs_hflow_key *k)
{
	const __u8 *ip = seg->buf + seg->l3;
	const struct tcphdr *th = (const void *)(seg->buf + seg->l4);

	memset(k, 0, sizeof(*k));
	if (seg->family == 4) {
		k->src[10] = k->src[11] = k->dst[10] = k->dst[11] = 0xff;
		memcpy(k->src + 12, ip + offsetof(struct iphdr, saddr), 4);
		memcpy(k->dst + 12, ip + offsetof(struct iphdr, daddr), 4);
	} else {
		memcpy(k->src, ip + offsetof(struct ipv6hdr, saddr), 16);
		memcpy(k->dst, ip + offsetof(struct ipv6hdr, daddr), 16);
	}
	memcpy(&k->sport, &th->source, sizeof(k->sport));
	memcpy(&k->dport, &th->dest, sizeof(k->dport));
}

void he_hflow_forget(struct xdp_env *e, const struct he_seg *seg)
{
	struct fs_hflow_key k;

	he_hflow_key(seg, &k);
	bpf_map_delete_elem(bpf_map__fd(e->skel->maps.FS_MAP_HSTATE), &k);
	bpf_map_delete_elem(bpf_map__fd(e->skel->maps.FS_MAP_HHOST), &k);
}

int he_hstate_get(struct xdp_env *e, const struct he_seg *seg,
		  struct fs_hstate *s)
{
	struct fs_hflow_key k;

	he_hflow_key(seg, &k);
	return bpf_map_lookup_elem(bpf_map__fd(e->skel->maps.FS_MAP_HSTATE), &k,
				   s)
		       ? -errno
		       : 0;
}

int he_run(struct xdp_env *e, const struct he_seg *in, struct he_result *res)
{
	struct fs_counter before[FS_R_MAX], after[FS_R_MAX];
	size_t out_len = sizeof(res->out.buf);
	int err;

	if (!e->stream)
		he_hflow_forget(e, in);
	memset(res, 0, sizeof(*res));
	res->out = *in;
	res->reason = HE_REASON_NONE;
	err = xe_counters(e, before);
	if (err)
		return err;
	res->verdict = xe_run(e, in->buf, in->len, res->out.buf, &out_len);
	res->out.len = out_len;
	err = xe_counters(e, after);
	if (err)
		return err;
	res->reason = moved_reason(before, after, in->len, &res->observed);
	return res->verdict < 0 ? res->verdict : 0;
}

int he_flow_get(struct xdp_env *e, const struct he_seg *seg,
		struct fs_flow_val *val)
{
	const __u8 *ip = seg->buf + seg->l3;
	const struct tcphdr *th = (const void *)(seg->buf + seg->l4);
	struct fs_flow_key k = {};

	if (seg->family == 4) {
		k.addr[10] = k.addr[11] = 0xff;
		memcpy(k.addr + 12, ip + offsetof(struct iphdr, saddr), 4);
	} else {
		memcpy(k.addr, ip + offsetof(struct ipv6hdr, saddr), 16);
	}
	memcpy(&k.sport, &th->source, sizeof(k.sport));
	memcpy(&k.dport, &th->dest, sizeof(k.dport));
	return fs_flow_lookup(bpf_map__fd(e->skel->maps.FS_MAP_FLOWS),
			      bpf_map__fd(e->skel->maps.FS_MAP_HKEY), &k, val);
}

const char *he_reason_str(int r)
{
	if (r == HE_REASON_NONE)
		return "(no counter moved)";
	if (r == HE_REASON_MANY)
		return "(counters moved other than one packet of one reason)";
	return fs_reason_name(r);
}

bool he_expect(struct xdp_env *e, const struct he_seg *seg, int verdict,
	       enum fs_reason reason, bool observed, struct he_result *res)
{
	bool ok;

	memset(res, 0, sizeof(*res));
	res->verdict = -1; /* no output to check when the run fails */
	if (!ASSERT_OK(he_run(e, seg, res), "BPF_PROG_TEST_RUN"))
		return false;
	ok = ASSERT_EQ(res->verdict, verdict, "verdict");
	if (res->reason != (int)reason) {
		fs_test_fail(__FILE__, __LINE__, "reason: expected %s, got %s",
			     he_reason_str(reason), he_reason_str(res->reason));
		return false;
	}
	return ok & ASSERT_EQ(res->observed, observed, "counted as observed");
}
