// SPDX-License-Identifier: GPL-2.0
/* fs_bench live IFACE: BPF_F_TEST_XDP_LIVE_FRAMES, as if the frames were
 * received on IFACE, one CPU: frames per second of floodshield's drop
 * and RESET paths against the trivial XDP_DROP (and XDP_PASS) in the
 * same run. Run inside the namespace that holds IFACE (bench/run.sh
 * makes one); the frames are addressed to it (192.0.2.1, 2001:db8::1,
 * MAC 02:00:00:00:00:02), so what passes goes up that namespace's stack.
 *
 * SYN cookies: the kernel's own (kernel_cookie: trivial XDP_PASS, the
 * stack answers every SYN with a cookie SYN-ACK, tcp_syncookies=2, the
 * listener sock.c opened; the row checks TcpExtSyncookiesSent moved by
 * every frame) beside floodshield's (xdp_cookie, through bench_restore,
 * which writes the SYN back over the SYN-ACK before every frame). Their
 * source is on-link, not local, with a permanent neighbour entry
 * (bench/run.sh), so the kernel's SYN-ACK leaves through the interface.
 *
 * The RESET path passes the rewritten segment (now a RST) to the stack.
 * Live frames replay one frame without restoring it, so RESET runs
 * through bench_fresh: the request restored before every frame, its
 * sequence number moved on inside the receive window of the connection
 * sock.c holds (LIVE_SEQ_SPAN), so each frame is proven by that socket
 * as its first data and the stack answers each RST with a challenge ACK
 * (RFC 5961: in the window, not the next byte) and keeps the connection.
 * The stack-cost row's RST is one byte into the window likewise. Its own
 * cost is bench_fresh -> bench_drop.
 */
#include <errno.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "bench_abi.h"
#include "bench.skel.h"
#include "../loader/names.h"
#include "../loader/metrics.h"
#include "../tests/pkt.h"
#include "bench.h"

enum live_prog {
	LP_DROP,
	LP_PASS,
	LP_SHIELD,
	LP_FRESH_SHIELD,
	LP_FRESH_DROP,
	LP_RESTORE_SHIELD,
	LP_RESTORE_DROP
};

struct live_case {
	const char *id;
	const char *label;
	enum live_prog prog;
	const char *settings[4]; /* NULL-terminated */
	bool unlimited;
	struct frame_spec spec;
	bool rst;      /* the frame as floodshield's RESET leaves it */
	bool slow;     /* goes up the stack: fewer frames per run */
	bool peer_src; /* from COOKIE_PEER4/6: an on-link address that is
			* not local, with a permanent neighbour entry
			* (bench/run.sh), so the kernel answers it out
			* of the interface */
};

#define LIVE_SEQ_SPAN 16384 /* inside any receive window sock.c's get */

#define COOKIE_PEER4 "192.0.2.77"
#define COOKIE_PEER6 "2001:db8::77"

#define SYN_FROM(role)                                      \
	{                                                   \
		.src = role, .dport = 80, .tcp_flags = 0x02 \
	}
/* to the listener sock.c opened; the source is COOKIE_PEER4/6 */
#define SYN_COOKIE                                               \
	{                                                        \
		.src = ROLE_CLIENT, .dport = 80, .sport = 40001, \
		.tcp_flags = 0x02                                \
	}
#define GET_SPOOFED                                                \
	{                                                          \
		.src = ROLE_FRESH, .dport = 80, .tcp_flags = 0x18, \
		.payload = PL_SPOOFED                              \
	}

static const struct live_case lcases[] = {
	{"xdp_drop",
	 "trivial XDP_DROP",
	 LP_DROP,
	 {},
	 false,
	 SYN_FROM(ROLE_BLOCKED),
	 false,
	 false,
	 false},
	{"blocked",
	 "floodshield: blocked prefix, drop",
	 LP_SHIELD,
	 {},
	 false,
	 SYN_FROM(ROLE_BLOCKED),
	 false,
	 false,
	 false},
	{"banned",
	 "floodshield: banned source, drop",
	 LP_SHIELD,
	 {},
	 false,
	 SYN_FROM(ROLE_BANNED),
	 false,
	 false,
	 false},
	{"syn_over",
	 "floodshield: SYN over rate, drop",
	 LP_SHIELD,
	 {"syn.cookies=off"},
	 false,
	 SYN_FROM(ROLE_CLIENT),
	 false,
	 false,
	 false},
	{"fresh_drop",
	 "bench_fresh -> XDP_DROP (wrapper cost)",
	 LP_FRESH_DROP,
	 {},
	 false,
	 GET_SPOOFED,
	 false,
	 false,
	 false},
	{"reset",
	 "floodshield: spoofed Host, RESET (via bench_fresh)",
	 LP_FRESH_SHIELD,
	 {},
	 true,
	 GET_SPOOFED,
	 false,
	 true,
	 false},
	{"xdp_pass_rst",
	 "trivial XDP_PASS of that RST (stack cost)",
	 LP_PASS,
	 {},
	 false,
	 GET_SPOOFED,
	 true,
	 true,
	 false},
	/* SYN cookies, tcp_syncookies=2 (cmd_live) and sock.c's listener:
	 * the kernel's own, which answers every SYN with a cookie SYN-ACK
	 * sent through the stack, beside floodshield's XDP_TX one */
	{"kernel_cookie",
	 "trivial XDP_PASS, the kernel's cookie SYN-ACK",
	 LP_PASS,
	 {},
	 false,
	 SYN_COOKIE,
	 false,
	 true,
	 true},
	{"restore_drop",
	 "bench_restore -> XDP_DROP (wrapper cost)",
	 LP_RESTORE_DROP,
	 {},
	 false,
	 SYN_COOKIE,
	 false,
	 false,
	 true},
	{"xdp_cookie",
	 "floodshield: XDP cookie SYN-ACK (via bench_restore)",
	 LP_RESTORE_SHIELD,
	 {"syn.cookies=always", "syn.guard=1/1", "syn.cookie.rate=off"},
	 false,
	 SYN_COOKIE,
	 false,
	 false,
	 true},
};

/* Turn @f into the RST floodshield's RESET makes of it. */
static void make_rst(struct frame *f)
{
	f->buf[f->l4 + 13] = 0x04 | 0x10; /* RST | ACK */
}

static int sysctl_write(const char *path, const char *v)
{
	FILE *f = fopen(path, "w");
	int err;

	if (!f)
		return -1;
	err = fputs(v, f) < 0;
	return fclose(f) || err ? -1 : 0;
}

static int live_one(struct shield *sh, struct bench_bpf *bb, int ifindex,
		    const struct bench_opts *o, const struct live_case *c,
		    int family, double *mpps, double *ns_out, bool *path_ok,
		    int *reason)
{
	int frames = c->slow ? 500000 : 2000000, fd, v;
	double once;
	uint64_t before[FS_R_MAX], after[FS_R_MAX];
	struct frame_spec spec = c->spec;
	double ns[o->runs];
	struct frame f;
	__u32 zero = 0;
	uint8_t peer[16];
	__u64 k0[FS_KCOOKIE_MAX] = {}, k1[FS_KCOOKIE_MAX] = {};

	spec.family = family;
	if (c->peer_src) {
		pkt_addr(family == 4 ? COOKIE_PEER4 : COOKIE_PEER6, peer);
		spec.src_addr = peer;
	}
	if (c->rst) /* in the window, never the next byte (above) */
		spec.seq_off = 1;
	if (frame_build(&spec, &f))
		return -1;
	if (c->rst)
		make_rst(&f);
	if (shield_reset_state(sh) || shield_settings(sh, c->settings) ||
	    (c->unlimited && shield_unlimited(sh)) ||
	    (!strcmp(c->id, "syn_over") && shield_starve(sh, FS_B_SYN_HTTP)))
		return -1;
	switch (c->prog) {
	case LP_DROP:
		fd = bpf_program__fd(bb->progs.bench_drop);
		break;
	case LP_PASS:
		fd = bpf_program__fd(bb->progs.bench_pass);
		break;
	case LP_SHIELD:
		fd = sh->prog_fd;
		break;
	default:
		fd = c->prog == LP_FRESH_SHIELD || c->prog == LP_RESTORE_SHIELD
			     ? sh->prog_fd
			     : bpf_program__fd(bb->progs.bench_drop);
		if (bpf_map_update_elem(bpf_map__fd(bb->maps.fresh_next), &zero,
					&fd, BPF_ANY))
			return -errno;
		frame_fresh_cfg(&f, &bb->bss->fresh);
		bb->bss->fresh.span = LIVE_SEQ_SPAN;
		fd = bpf_program__fd(bb->progs.bench_fresh);
		if (c->prog == LP_RESTORE_SHIELD ||
		    c->prog == LP_RESTORE_DROP) {
			if (f.len > RESTORE_MAX)
				return -1;
			memcpy(bb->bss->restore.frame, f.buf, f.len);
			bb->bss->restore.len = f.len;
			fd = bpf_program__fd(bb->progs.bench_restore);
		}
		break;
	}
	/* Prime: the first packet may create the state the rest find (the
	 * over-rate case's bucket; the cookie case's pressure, from its
	 * second SYN). */
	if ((c->prog == LP_SHIELD || c->prog == LP_RESTORE_SHIELD) &&
	    (bt_once(sh->prog_fd, f.buf, f.len, &once, &v, NULL, NULL) ||
	     bt_once(sh->prog_fd, f.buf, f.len, &once, &v, NULL, NULL)))
		return -1;
	if (shield_counts(sh, before) ||
	    fs_kernel_syncookies("/proc/net/netstat", k0))
		return -1;
	for (int i = 0; i < o->runs; i++) {
		int err = bt_live(fd, f.buf, f.len, ifindex, frames, &ns[i]);

		if (err) {
			fprintf(stderr,
				"fs_bench: live frames on ifindex %d: %s\n",
				ifindex, strerror(-err));
			return err;
		}
	}
	if (shield_counts(sh, after) ||
	    fs_kernel_syncookies("/proc/net/netstat", k1))
		return -1;
	*ns_out = median(ns, o->runs);
	*mpps = 1000.0 / *ns_out;
	*reason = -1;
	/* the kernel's cookie case: every SYN answered by the kernel */
	*path_ok = c->prog != LP_PASS || !c->peer_src ||
		   k1[FS_KCOOKIE_SENT] - k0[FS_KCOOKIE_SENT] ==
			   (uint64_t)frames * o->runs;
	if (c->prog == LP_SHIELD || c->prog == LP_FRESH_SHIELD ||
	    c->prog == LP_RESTORE_SHIELD) {
		uint64_t want = (uint64_t)frames * o->runs;

		*path_ok = false;
		for (int r = 0; r < FS_R_MAX; r++)
			if (after[r] - before[r] == want) {
				*reason = r;
				*path_ok = true;
			}
	}
	return 0;
}

int cmd_live(const struct bench_opts *o, const char *ifname)
{
	int ifindex = if_nametoindex(ifname), err = -1;
	struct bench_bpf *bb = NULL;
	struct shield sh = {};
	double drop_mpps[2] = {};

	if (!ifindex) {
		fprintf(stderr, "fs_bench: no interface %s here\n", ifname);
		return -ENODEV;
	}
	bb = bench_bpf__open_and_load();
	if (!bb || shield_open(&sh, NULL) || shield_setup(&sh))
		goto out;
	/* the cookie cases: the listener sock.c opened (shield_setup) and
	 * the kernel's cookies always on in the bench's own namespace */
	if (sysctl_write("/proc/sys/net/ipv4/tcp_syncookies", "2")) {
		fprintf(stderr, "fs_bench: live: tcp_syncookies=2: %s\n",
			strerror(errno));
		goto out;
	}
	printf("\nLive frames (BPF_F_TEST_XDP_LIVE_FRAMES on %s, one CPU, "
	       "median of %d runs)\n",
	       ifname, o->runs);
	printf("%-13s %-3s %-50s %7s %7s %8s %-14s\n", "case", "fam", "what",
	       "ns", "Mpps", "vs drop", "reason");
	for (size_t i = 0; i < ARRAY_SIZE(lcases); i++) {
		const struct live_case *c = &lcases[i];

		for (int k = 0; k < 2; k++) {
			double mpps = 0, ns = 0;
			bool ok = false;
			int reason = -1;

			if (live_one(&sh, bb, ifindex, o, c, k ? 6 : 4, &mpps,
				     &ns, &ok, &reason))
				goto out;
			if (c->prog == LP_DROP)
				drop_mpps[k] = mpps;
			printf("%-13s v%-2d %-50s %7.1f %7.2f %7.0f%% "
			       "%-14s%s\n",
			       c->id, k ? 6 : 4, c->label, ns, mpps,
			       100.0 * mpps / drop_mpps[k],
			       reason >= 0 ? fs_reason_name(reason) : "-",
			       ok ? "" : " PATH CHANGED");
			tsv_line(o->tsv, "live", c->id, k ? 6 : 4,
				 "label=%s\tns=%.2f\tmpps=%.3f\tvs_drop=%."
				 "3f\treason=%s\tpath_ok=%d",
				 c->label, ns, mpps, mpps / drop_mpps[k],
				 reason >= 0 ? fs_reason_name(reason) : "-",
				 ok);
		}
	}
	err = 0;
out:
	shield_close(&sh);
	bench_bpf__destroy(bb);
	return err;
}
