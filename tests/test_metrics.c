// SPDX-License-Identifier: GPL-2.0
/* Metrics: rendering against golden text, label escaping, unsigned
 * counters, HTTP verdicts, the listen-address parser; collection from a
 * real (private) instance after known packets; the HTTP exporter. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>
#include <bpf/libbpf.h>
#include <linux/bpf.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include "floodshield.skel.h"
#include "test.h"
#include "pkt.h"
#include "xdp_env.h"
#include "../loader/loader.h"
#include "../loader/metrics.h"
#include "../loader/names.h"
#include "../userspace/daemon/exporter.h"
#include "../loader/addr.h"

#define NSEC	 1000000000ull
#define PORT_SVC 8443

/* Render @s into a malloc'ed string. */
static char *render(const struct fs_snapshot *s)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		return NULL;
	if (fs_metrics_render(s, f)) {
		fclose(f);
		free(buf);
		return NULL;
	}
	fclose(f);
	return buf;
}

/* Exact comparison; on a difference, report the first differing line. */
static bool text_eq(const char *got, const char *want, const char *what)
{
	const char *g = got, *w = want;
	int line = 1;

	if (!ASSERT_TRUE(got != NULL, what))
		return false;
	while (*g && *g == *w) {
		if (*g == '\n')
			line++;
		g++, w++;
	}
	if (!*g && !*w)
		return true;
	while (g > got && g[-1] != '\n')
		g--;
	while (w > want && w[-1] != '\n')
		w--;
	fs_test_fail(__FILE__, __LINE__,
		     "%s: line %d differs:\n       want: %.*s\n"
		     "       got:  %.*s",
		     what, line, (int)strcspn(w, "\n"), w,
		     (int)strcspn(g, "\n"), g);
	return false;
}

/* A hand-built snapshot: a few reasons, events and maps set, two
 * interfaces (one attached), every part valid. */
static void golden_snapshot(struct fs_snapshot *s)
{
	memset(s, 0, sizeof(*s));
	s->valid = FS_SNAP_ALL;
	s->reasons[FS_R_NON_IP] = (struct fs_counter){5, 300, 0, 0};
	s->reasons[FS_R_SERVICE] = (struct fs_counter){1000, 66000, 0, 0};
	s->reasons[FS_R_HTTP_OK] = (struct fs_counter){40, 20000, 0, 0};
	s->reasons[FS_R_BLOCK] = (struct fs_counter){7, 994, 2, 284};
	s->reasons[FS_R_SYN_RATE_SRC] = (struct fs_counter){90, 5400, 0, 0};
	s->reasons[FS_R_HTTP_BAD_HOST] = (struct fs_counter){3, 1500, 1, 500};
	s->reasons[FS_R_SMTP_UNVERIFIED] = (struct fs_counter){12, 888, 0, 0};
	s->reasons[FS_R_SMTP_DEFER_FAILED] = (struct fs_counter){4, 296, 1, 74};
	s->events[FS_E_BAN_SRC] = 2;
	s->events[FS_E_RATE_NEW] = 12;
	s->bans_src = 2;
	s->bans_prefix = 1;
	s->tracked_sources = 9;
	for (unsigned m = 0; m < FS_FILL_MAX; m++)
		s->fill[m] = (struct fs_map_fill){m * 10, 1000 * (m + 1)};
	s->n_ifaces = 2;
	s->ifaces[0] = (struct fs_iface_state){"eth0", true, "native"};
	s->ifaces[1] = (struct fs_iface_state){"veth1", false, "generic"};
	s->daemon = (struct fs_daemon_state){.pid = 4242,
					     .last = FS_RELOAD_APPLIED,
					     .generation = 23,
					     .applied = 20,
					     .refused = 2,
					     .rolled_back = 1};
	s->syn_pressure = 1;
	s->http_suspicion = 1;
	s->kernel_cookies[FS_KCOOKIE_SENT] = 5;
	s->kernel_cookies[FS_KCOOKIE_RECV] = 3;
	s->kernel_cookies[FS_KCOOKIE_FAILED] = 1;
	s->smtp_sessions[FS_POOL_VERIFIED] = 3;
	s->smtp_sessions[FS_POOL_TEMPFAIL] = 1;
	s->smtp_sessions[FS_POOL_OPEN] = 12;
	s->smtp_capacity[FS_POOL_VERIFIED] = 5;
	s->smtp_capacity[FS_POOL_TEMPFAIL] = 2;
	s->smtp_capacity[FS_POOL_OPEN] = 13;
	s->scrape_errors = 3;
	s->version = "1.2.3-test";
}

/* What golden_snapshot() renders to, with the ABI of GOLDEN_REASONS
 * reasons and GOLDEN_EVENTS events. A change of the ABI changes this
 * text: update it with care (FS_METRICS_GOLDEN=FILE makes the test write
 * what it rendered there; read it line by line before pasting it). */
#define GOLDEN_REASONS 58
#define GOLDEN_EVENTS  23
static const char golden[] =
	"# HELP floodshield_packets_total Packets by the action taken and its "
	"reason (observed packets excluded).\n"
	"# TYPE floodshield_packets_total counter\n"
	"floodshield_packets_total{action=\"pass\",reason=\"non_ip\"} 5\n"
	"floodshield_packets_total{action=\"pass\",reason=\"malformed\"} 0\n"
	"floodshield_packets_total{action=\"pass\",reason=\"malformed_l4\"} 0\n"
	"floodshield_packets_total{action=\"pass\",reason=\"fragment\"} 0\n"
	"floodshield_packets_total{action=\"pass\",reason=\"not_tcp\"} 0\n"
	"floodshield_packets_total{action=\"pass\",reason=\"allow\"} 0\n"
	"floodshield_packets_total{action=\"pass\",reason=\"no_service\"} 0\n"
	"floodshield_packets_total{action=\"pass\",reason=\"service\"} 1000\n"
	"floodshield_packets_total{action=\"pass\",reason=\"http_ok\"} 40\n"
	"floodshield_packets_total{action=\"pass\",reason=\"http_undecided\"} "
	"0\n"
	"floodshield_packets_total{action=\"pass\",reason=\"reset_flow\"} 0\n"
	"floodshield_packets_total{action=\"pass\",reason=\"smtp_verified\"} "
	"0\n"
	"floodshield_packets_total{action=\"pass\",reason=\"smtp_unverified\"} "
	"12\n"
	"floodshield_packets_total{action=\"pass\",reason=\"smtp_failed\"} 0\n"
	"floodshield_packets_total{action=\"drop\",reason=\"block\"} 7\n"
	"floodshield_packets_total{action=\"drop\",reason=\"ban\"} 0\n"
	"floodshield_packets_total{action=\"drop\",reason=\"syn_rate_src\"} "
	"90\n"
	"floodshield_packets_total{action=\"drop\",reason=\"syn_rate_prefix\"} "
	"0\n"
	"floodshield_packets_total{action=\"drop\",reason=\"no_conn\"} 0\n"
	"floodshield_packets_total{action=\"drop\",reason=\"smtp_defer_"
	"verified\"} 0\n"
	"floodshield_packets_total{action=\"drop\",reason=\"smtp_defer_"
	"unverified\"} 0\n"
	"floodshield_packets_total{action=\"drop\",reason=\"smtp_defer_"
	"failed\"} 4\n"
	"floodshield_packets_total{action=\"reset\",reason=\"http_fragment\"} "
	"0\n"
	"floodshield_packets_total{action=\"reset\",reason=\"http_bad_host\"} "
	"3\n"
	"floodshield_packets_total{action=\"reset\",reason=\"http_dup_host\"} "
	"0\n"
	"floodshield_packets_total{action=\"reset\",reason=\"http_host_ws\"} "
	"0\n"
	"floodshield_packets_total{action=\"reset\",reason=\"http_empty_host\"}"
	" 0\n"
	"floodshield_packets_total{action=\"reset\",reason=\"http_no_host\"} "
	"0\n"
	"floodshield_packets_total{action=\"reset\",reason=\"http_ip_host\"} "
	"0\n"
	"floodshield_packets_total{action=\"reset\",reason=\"http_rate_src\"} "
	"0\n"
	"floodshield_packets_total{action=\"reset\",reason=\"http_rate_"
	"prefix\"} 0\n"
	"floodshield_packets_total{action=\"reset\",reason=\"ban_reset\"} 0\n"
	"floodshield_packets_total{action=\"drop\",reason=\"bad_csum\"} 0\n"
	"floodshield_packets_total{action=\"tx\",reason=\"syn_cookie\"} 0\n"
	"floodshield_packets_total{action=\"drop\",reason=\"syn_cookie_"
	"budget\"} 0\n"
	"floodshield_packets_total{action=\"pass\",reason=\"syn_proven\"} 0\n"
	"floodshield_packets_total{action=\"pass\",reason=\"ack_bad_cookie\"} "
	"0\n"
	"floodshield_packets_total{action=\"tx\",reason=\"cookie_reset\"} 0\n"
	"floodshield_packets_total{action=\"reset\",reason=\"http_malformed\"} "
	"0\n"
	"floodshield_packets_total{action=\"reset\",reason=\"http_urgent\"} 0\n"
	"floodshield_packets_total{action=\"drop\",reason=\"http_undecided_"
	"order\"} 0\n"
	"floodshield_packets_total{action=\"pass\",reason=\"http_undecided_"
	"untracked\"} 0\n"
	"floodshield_packets_total{action=\"reset\",reason=\"http_head_long\"} "
	"0\n"
	"floodshield_packets_total{action=\"pass\",reason=\"http_undecided_"
	"opaque\"} 0\n"
	"floodshield_packets_total{action=\"reset\",reason=\"http_suspect\"} "
	"0\n"
	"floodshield_packets_total{action=\"reset\",reason=\"http_desync\"} 0\n"
	"floodshield_packets_total{action=\"drop\",reason=\"tcp_fragment\"} 0\n"
	"floodshield_packets_total{action=\"drop\",reason=\"ext_chain\"} 0\n"
	"floodshield_packets_total{action=\"drop\",reason=\"syn_data\"} 0\n"
	"floodshield_packets_total{action=\"reset\",reason=\"http_lost\"} 0\n"
	"floodshield_packets_total{action=\"pass\",reason=\"smtp_tempfail\"} "
	"0\n"
	"floodshield_packets_total{action=\"drop\",reason=\"smtp_defer_"
	"tempfail\"} 0\n"
	"floodshield_packets_total{action=\"drop\",reason=\"smtp_full_"
	"verified\"} 0\n"
	"floodshield_packets_total{action=\"drop\",reason=\"smtp_full_"
	"tempfail\"} 0\n"
	"floodshield_packets_total{action=\"drop\",reason=\"smtp_full_open\"} "
	"0\n"
	"floodshield_packets_total{action=\"drop\",reason=\"http_undecided_"
	"size\"} "
	"0\n"
	"floodshield_packets_total{action=\"drop\",reason=\"vlan_deep\"} 0\n"
	"floodshield_packets_total{action=\"drop\",reason=\"frag_cut\"} 0\n"
	"# HELP floodshield_bytes_total Bytes of those packets, from the "
	"Ethernet header on.\n"
	"# TYPE floodshield_bytes_total counter\n"
	"floodshield_bytes_total{action=\"pass\",reason=\"non_ip\"} 300\n"
	"floodshield_bytes_total{action=\"pass\",reason=\"malformed\"} 0\n"
	"floodshield_bytes_total{action=\"pass\",reason=\"malformed_l4\"} 0\n"
	"floodshield_bytes_total{action=\"pass\",reason=\"fragment\"} 0\n"
	"floodshield_bytes_total{action=\"pass\",reason=\"not_tcp\"} 0\n"
	"floodshield_bytes_total{action=\"pass\",reason=\"allow\"} 0\n"
	"floodshield_bytes_total{action=\"pass\",reason=\"no_service\"} 0\n"
	"floodshield_bytes_total{action=\"pass\",reason=\"service\"} 66000\n"
	"floodshield_bytes_total{action=\"pass\",reason=\"http_ok\"} 20000\n"
	"floodshield_bytes_total{action=\"pass\",reason=\"http_undecided\"} 0\n"
	"floodshield_bytes_total{action=\"pass\",reason=\"reset_flow\"} 0\n"
	"floodshield_bytes_total{action=\"pass\",reason=\"smtp_verified\"} 0\n"
	"floodshield_bytes_total{action=\"pass\",reason=\"smtp_unverified\"} "
	"888\n"
	"floodshield_bytes_total{action=\"pass\",reason=\"smtp_failed\"} 0\n"
	"floodshield_bytes_total{action=\"drop\",reason=\"block\"} 994\n"
	"floodshield_bytes_total{action=\"drop\",reason=\"ban\"} 0\n"
	"floodshield_bytes_total{action=\"drop\",reason=\"syn_rate_src\"} "
	"5400\n"
	"floodshield_bytes_total{action=\"drop\",reason=\"syn_rate_prefix\"} "
	"0\n"
	"floodshield_bytes_total{action=\"drop\",reason=\"no_conn\"} 0\n"
	"floodshield_bytes_total{action=\"drop\",reason=\"smtp_defer_"
	"verified\"} 0\n"
	"floodshield_bytes_total{action=\"drop\",reason=\"smtp_defer_"
	"unverified\"} 0\n"
	"floodshield_bytes_total{action=\"drop\",reason=\"smtp_defer_failed\"} "
	"296\n"
	"floodshield_bytes_total{action=\"reset\",reason=\"http_fragment\"} 0\n"
	"floodshield_bytes_total{action=\"reset\",reason=\"http_bad_host\"} "
	"1500\n"
	"floodshield_bytes_total{action=\"reset\",reason=\"http_dup_host\"} 0\n"
	"floodshield_bytes_total{action=\"reset\",reason=\"http_host_ws\"} 0\n"
	"floodshield_bytes_total{action=\"reset\",reason=\"http_empty_host\"} "
	"0\n"
	"floodshield_bytes_total{action=\"reset\",reason=\"http_no_host\"} 0\n"
	"floodshield_bytes_total{action=\"reset\",reason=\"http_ip_host\"} 0\n"
	"floodshield_bytes_total{action=\"reset\",reason=\"http_rate_src\"} 0\n"
	"floodshield_bytes_total{action=\"reset\",reason=\"http_rate_prefix\"} "
	"0\n"
	"floodshield_bytes_total{action=\"reset\",reason=\"ban_reset\"} 0\n"
	"floodshield_bytes_total{action=\"drop\",reason=\"bad_csum\"} 0\n"
	"floodshield_bytes_total{action=\"tx\",reason=\"syn_cookie\"} 0\n"
	"floodshield_bytes_total{action=\"drop\",reason=\"syn_cookie_budget\"} "
	"0\n"
	"floodshield_bytes_total{action=\"pass\",reason=\"syn_proven\"} 0\n"
	"floodshield_bytes_total{action=\"pass\",reason=\"ack_bad_cookie\"} 0\n"
	"floodshield_bytes_total{action=\"tx\",reason=\"cookie_reset\"} 0\n"
	"floodshield_bytes_total{action=\"reset\",reason=\"http_malformed\"} "
	"0\n"
	"floodshield_bytes_total{action=\"reset\",reason=\"http_urgent\"} 0\n"
	"floodshield_bytes_total{action=\"drop\",reason=\"http_undecided_"
	"order\"} 0\n"
	"floodshield_bytes_total{action=\"pass\",reason=\"http_undecided_"
	"untracked\"} 0\n"
	"floodshield_bytes_total{action=\"reset\",reason=\"http_head_long\"} "
	"0\n"
	"floodshield_bytes_total{action=\"pass\",reason=\"http_undecided_"
	"opaque\"} 0\n"
	"floodshield_bytes_total{action=\"reset\",reason=\"http_suspect\"} 0\n"
	"floodshield_bytes_total{action=\"reset\",reason=\"http_desync\"} 0\n"
	"floodshield_bytes_total{action=\"drop\",reason=\"tcp_fragment\"} 0\n"
	"floodshield_bytes_total{action=\"drop\",reason=\"ext_chain\"} 0\n"
	"floodshield_bytes_total{action=\"drop\",reason=\"syn_data\"} 0\n"
	"floodshield_bytes_total{action=\"reset\",reason=\"http_lost\"} 0\n"
	"floodshield_bytes_total{action=\"pass\",reason=\"smtp_tempfail\"} 0\n"
	"floodshield_bytes_total{action=\"drop\",reason=\"smtp_defer_"
	"tempfail\"} 0\n"
	"floodshield_bytes_total{action=\"drop\",reason=\"smtp_full_verified\"}"
	" 0\n"
	"floodshield_bytes_total{action=\"drop\",reason=\"smtp_full_tempfail\"}"
	" 0\n"
	"floodshield_bytes_total{action=\"drop\",reason=\"smtp_full_open\"} 0\n"
	"floodshield_bytes_total{action=\"drop\",reason=\"http_undecided_"
	"size\"} "
	"0\n"
	"floodshield_bytes_total{action=\"drop\",reason=\"vlan_deep\"} 0\n"
	"floodshield_bytes_total{action=\"drop\",reason=\"frag_cut\"} 0\n"
	"# HELP floodshield_observed_packets_total Packets a rule in observe "
	"mode would have stopped; they were passed.\n"
	"# TYPE floodshield_observed_packets_total counter\n"
	"floodshield_observed_packets_total{reason=\"block\"} 2\n"
	"floodshield_observed_packets_total{reason=\"ban\"} 0\n"
	"floodshield_observed_packets_total{reason=\"syn_rate_src\"} 0\n"
	"floodshield_observed_packets_total{reason=\"syn_rate_prefix\"} 0\n"
	"floodshield_observed_packets_total{reason=\"no_conn\"} 0\n"
	"floodshield_observed_packets_total{reason=\"smtp_defer_verified\"} 0\n"
	"floodshield_observed_packets_total{reason=\"smtp_defer_unverified\"} "
	"0\n"
	"floodshield_observed_packets_total{reason=\"smtp_defer_failed\"} 1\n"
	"floodshield_observed_packets_total{reason=\"http_fragment\"} 0\n"
	"floodshield_observed_packets_total{reason=\"http_bad_host\"} 1\n"
	"floodshield_observed_packets_total{reason=\"http_dup_host\"} 0\n"
	"floodshield_observed_packets_total{reason=\"http_host_ws\"} 0\n"
	"floodshield_observed_packets_total{reason=\"http_empty_host\"} 0\n"
	"floodshield_observed_packets_total{reason=\"http_no_host\"} 0\n"
	"floodshield_observed_packets_total{reason=\"http_ip_host\"} 0\n"
	"floodshield_observed_packets_total{reason=\"http_rate_src\"} 0\n"
	"floodshield_observed_packets_total{reason=\"http_rate_prefix\"} 0\n"
	"floodshield_observed_packets_total{reason=\"ban_reset\"} 0\n"
	"floodshield_observed_packets_total{reason=\"bad_csum\"} 0\n"
	"floodshield_observed_packets_total{reason=\"syn_cookie\"} 0\n"
	"floodshield_observed_packets_total{reason=\"syn_cookie_budget\"} 0\n"
	"floodshield_observed_packets_total{reason=\"cookie_reset\"} 0\n"
	"floodshield_observed_packets_total{reason=\"http_malformed\"} 0\n"
	"floodshield_observed_packets_total{reason=\"http_urgent\"} 0\n"
	"floodshield_observed_packets_total{reason=\"http_undecided_order\"} "
	"0\n"
	"floodshield_observed_packets_total{reason=\"http_head_long\"} 0\n"
	"floodshield_observed_packets_total{reason=\"http_suspect\"} 0\n"
	"floodshield_observed_packets_total{reason=\"http_desync\"} 0\n"
	"floodshield_observed_packets_total{reason=\"tcp_fragment\"} 0\n"
	"floodshield_observed_packets_total{reason=\"ext_chain\"} 0\n"
	"floodshield_observed_packets_total{reason=\"syn_data\"} 0\n"
	"floodshield_observed_packets_total{reason=\"http_lost\"} 0\n"
	"floodshield_observed_packets_total{reason=\"smtp_defer_tempfail\"} 0\n"
	"floodshield_observed_packets_total{reason=\"smtp_full_verified\"} 0\n"
	"floodshield_observed_packets_total{reason=\"smtp_full_tempfail\"} 0\n"
	"floodshield_observed_packets_total{reason=\"smtp_full_open\"} 0\n"
	"floodshield_observed_packets_total{reason=\"http_undecided_size\"} 0\n"
	"floodshield_observed_packets_total{reason=\"vlan_deep\"} 0\n"
	"floodshield_observed_packets_total{reason=\"frag_cut\"} 0\n"
	"# HELP floodshield_observed_bytes_total Bytes of the packets observe "
	"mode passed.\n"
	"# TYPE floodshield_observed_bytes_total counter\n"
	"floodshield_observed_bytes_total{reason=\"block\"} 284\n"
	"floodshield_observed_bytes_total{reason=\"ban\"} 0\n"
	"floodshield_observed_bytes_total{reason=\"syn_rate_src\"} 0\n"
	"floodshield_observed_bytes_total{reason=\"syn_rate_prefix\"} 0\n"
	"floodshield_observed_bytes_total{reason=\"no_conn\"} 0\n"
	"floodshield_observed_bytes_total{reason=\"smtp_defer_verified\"} 0\n"
	"floodshield_observed_bytes_total{reason=\"smtp_defer_unverified\"} 0\n"
	"floodshield_observed_bytes_total{reason=\"smtp_defer_failed\"} 74\n"
	"floodshield_observed_bytes_total{reason=\"http_fragment\"} 0\n"
	"floodshield_observed_bytes_total{reason=\"http_bad_host\"} 500\n"
	"floodshield_observed_bytes_total{reason=\"http_dup_host\"} 0\n"
	"floodshield_observed_bytes_total{reason=\"http_host_ws\"} 0\n"
	"floodshield_observed_bytes_total{reason=\"http_empty_host\"} 0\n"
	"floodshield_observed_bytes_total{reason=\"http_no_host\"} 0\n"
	"floodshield_observed_bytes_total{reason=\"http_ip_host\"} 0\n"
	"floodshield_observed_bytes_total{reason=\"http_rate_src\"} 0\n"
	"floodshield_observed_bytes_total{reason=\"http_rate_prefix\"} 0\n"
	"floodshield_observed_bytes_total{reason=\"ban_reset\"} 0\n"
	"floodshield_observed_bytes_total{reason=\"bad_csum\"} 0\n"
	"floodshield_observed_bytes_total{reason=\"syn_cookie\"} 0\n"
	"floodshield_observed_bytes_total{reason=\"syn_cookie_budget\"} 0\n"
	"floodshield_observed_bytes_total{reason=\"cookie_reset\"} 0\n"
	"floodshield_observed_bytes_total{reason=\"http_malformed\"} 0\n"
	"floodshield_observed_bytes_total{reason=\"http_urgent\"} 0\n"
	"floodshield_observed_bytes_total{reason=\"http_undecided_order\"} 0\n"
	"floodshield_observed_bytes_total{reason=\"http_head_long\"} 0\n"
	"floodshield_observed_bytes_total{reason=\"http_suspect\"} 0\n"
	"floodshield_observed_bytes_total{reason=\"http_desync\"} 0\n"
	"floodshield_observed_bytes_total{reason=\"tcp_fragment\"} 0\n"
	"floodshield_observed_bytes_total{reason=\"ext_chain\"} 0\n"
	"floodshield_observed_bytes_total{reason=\"syn_data\"} 0\n"
	"floodshield_observed_bytes_total{reason=\"http_lost\"} 0\n"
	"floodshield_observed_bytes_total{reason=\"smtp_defer_tempfail\"} 0\n"
	"floodshield_observed_bytes_total{reason=\"smtp_full_verified\"} 0\n"
	"floodshield_observed_bytes_total{reason=\"smtp_full_tempfail\"} 0\n"
	"floodshield_observed_bytes_total{reason=\"smtp_full_open\"} 0\n"
	"floodshield_observed_bytes_total{reason=\"http_undecided_size\"} 0\n"
	"floodshield_observed_bytes_total{reason=\"vlan_deep\"} 0\n"
	"floodshield_observed_bytes_total{reason=\"frag_cut\"} 0\n"
	"# HELP floodshield_http_requests_total HTTP requests inspected, by "
	"verdict (observed ones included).\n"
	"# TYPE floodshield_http_requests_total counter\n"
	"floodshield_http_requests_total{verdict=\"ok\"} 40\n"
	"floodshield_http_requests_total{verdict=\"undecided\"} 0\n"
	"floodshield_http_requests_total{verdict=\"fragment\"} 0\n"
	"floodshield_http_requests_total{verdict=\"bad_host\"} 4\n"
	"floodshield_http_requests_total{verdict=\"dup_host\"} 0\n"
	"floodshield_http_requests_total{verdict=\"host_ws\"} 0\n"
	"floodshield_http_requests_total{verdict=\"empty_host\"} 0\n"
	"floodshield_http_requests_total{verdict=\"no_host\"} 0\n"
	"floodshield_http_requests_total{verdict=\"ip_host\"} 0\n"
	"floodshield_http_requests_total{verdict=\"rate_src\"} 0\n"
	"floodshield_http_requests_total{verdict=\"rate_prefix\"} 0\n"
	"floodshield_http_requests_total{verdict=\"malformed\"} 0\n"
	"floodshield_http_requests_total{verdict=\"urgent\"} 0\n"
	"floodshield_http_requests_total{verdict=\"undecided_order\"} 0\n"
	"floodshield_http_requests_total{verdict=\"undecided_untracked\"} 0\n"
	"floodshield_http_requests_total{verdict=\"head_long\"} 0\n"
	"floodshield_http_requests_total{verdict=\"undecided_opaque\"} 0\n"
	"floodshield_http_requests_total{verdict=\"suspect\"} 0\n"
	"floodshield_http_requests_total{verdict=\"desync\"} 0\n"
	"floodshield_http_requests_total{verdict=\"lost\"} 0\n"
	"floodshield_http_requests_total{verdict=\"undecided_size\"} 0\n"
	"# HELP floodshield_smtp_connections_total SMTP connection attempts "
	"(SYNs), by DNS class of the source and verdict (observed ones "
	"included).\n"
	"# TYPE floodshield_smtp_connections_total counter\n"
	"floodshield_smtp_connections_total{class=\"verified\",verdict="
	"\"accept\"} 0\n"
	"floodshield_smtp_connections_total{class=\"unverified\",verdict="
	"\"accept\"} 12\n"
	"floodshield_smtp_connections_total{class=\"failed\",verdict="
	"\"accept\"} 0\n"
	"floodshield_smtp_connections_total{class=\"verified\",verdict="
	"\"defer\"} 0\n"
	"floodshield_smtp_connections_total{class=\"unverified\",verdict="
	"\"defer\"} 0\n"
	"floodshield_smtp_connections_total{class=\"failed\",verdict=\"defer\"}"
	" 5\n"
	"floodshield_smtp_connections_total{class=\"tempfail\",verdict="
	"\"accept\"} 0\n"
	"floodshield_smtp_connections_total{class=\"tempfail\",verdict="
	"\"defer\"} 0\n"
	"floodshield_smtp_connections_total{class=\"verified\",verdict="
	"\"full\"} 0\n"
	"floodshield_smtp_connections_total{class=\"tempfail\",verdict="
	"\"full\"} 0\n"
	"floodshield_smtp_connections_total{class=\"open\",verdict=\"full\"} "
	"0\n"
	"# HELP floodshield_events_total Data-path events: bans made, map "
	"inserts refused, records sent to the daemon.\n"
	"# TYPE floodshield_events_total counter\n"
	"floodshield_events_total{event=\"ban_src\"} 2\n"
	"floodshield_events_total{event=\"ban_prefix\"} 0\n"
	"floodshield_events_total{event=\"ban_failed\"} 0\n"
	"floodshield_events_total{event=\"rate_new\"} 12\n"
	"floodshield_events_total{event=\"rate_evicted\"} 0\n"
	"floodshield_events_total{event=\"rate_contended\"} 0\n"
	"floodshield_events_total{event=\"flow_failed\"} 0\n"
	"floodshield_events_total{event=\"event_sent\"} 0\n"
	"floodshield_events_total{event=\"event_rate\"} 0\n"
	"floodshield_events_total{event=\"ring_full\"} 0\n"
	"floodshield_events_total{event=\"ban_evicted\"} 0\n"
	"floodshield_events_total{event=\"conn_ct\"} 0\n"
	"floodshield_events_total{event=\"conn_ct_refused\"} 0\n"
	"floodshield_events_total{event=\"conn_ct_missing\"} 0\n"
	"floodshield_events_total{event=\"proven_new\"} 0\n"
	"floodshield_events_total{event=\"proven_evicted\"} 0\n"
	"floodshield_events_total{event=\"cookie_enoent\"} 0\n"
	"floodshield_events_total{event=\"cookie_err\"} 0\n"
	"floodshield_events_total{event=\"smtp_opened\"} 0\n"
	"floodshield_events_total{event=\"smtp_closed\"} 0\n"
	"floodshield_events_total{event=\"smtp_uncounted\"} 0\n"
	"floodshield_events_total{event=\"smtp_contact\"} 0\n"
	"floodshield_events_total{event=\"http_pickup\"} 0\n"
	"# HELP floodshield_bans_active Unexpired dynamic bans, of one source "
	"(src) or of a prefix.\n"
	"# TYPE floodshield_bans_active gauge\n"
	"floodshield_bans_active{kind=\"src\"} 2\n"
	"floodshield_bans_active{kind=\"prefix\"} 1\n"
	"# HELP floodshield_tracked_sources Distinct source addresses with "
	"per-source rate state.\n"
	"# TYPE floodshield_tracked_sources gauge\n"
	"floodshield_tracked_sources 9\n"
	"# HELP floodshield_map_entries Entries in a map, expired ones "
	"included.\n"
	"# TYPE floodshield_map_entries gauge\n"
	"floodshield_map_entries{map=\"allow\"} 0\n"
	"floodshield_map_entries{map=\"block\"} 10\n"
	"floodshield_map_entries{map=\"bans\"} 20\n"
	"floodshield_map_entries{map=\"rate\"} 30\n"
	"floodshield_map_entries{map=\"hosts\"} 40\n"
	"floodshield_map_entries{map=\"flows\"} 50\n"
	"floodshield_map_entries{map=\"dns\"} 60\n"
	"floodshield_map_entries{map=\"seen\"} 70\n"
	"floodshield_map_entries{map=\"proven\"} 80\n"
	"floodshield_map_entries{map=\"hstate\"} 90\n"
	"floodshield_map_entries{map=\"hhost\"} 100\n"
	"floodshield_map_entries{map=\"own\"} 110\n"
	"floodshield_map_entries{map=\"smtp_flows\"} 120\n"
	"# HELP floodshield_map_capacity Maximum entries of a map.\n"
	"# TYPE floodshield_map_capacity gauge\n"
	"floodshield_map_capacity{map=\"allow\"} 1000\n"
	"floodshield_map_capacity{map=\"block\"} 2000\n"
	"floodshield_map_capacity{map=\"bans\"} 3000\n"
	"floodshield_map_capacity{map=\"rate\"} 4000\n"
	"floodshield_map_capacity{map=\"hosts\"} 5000\n"
	"floodshield_map_capacity{map=\"flows\"} 6000\n"
	"floodshield_map_capacity{map=\"dns\"} 7000\n"
	"floodshield_map_capacity{map=\"seen\"} 8000\n"
	"floodshield_map_capacity{map=\"proven\"} 9000\n"
	"floodshield_map_capacity{map=\"hstate\"} 10000\n"
	"floodshield_map_capacity{map=\"hhost\"} 11000\n"
	"floodshield_map_capacity{map=\"own\"} 12000\n"
	"floodshield_map_capacity{map=\"smtp_flows\"} 13000\n"
	"# HELP floodshield_syn_pressure 1 while more SYNs than syn.guard came "
	"in lately: unproven sources' SYNs get cookies.\n"
	"# TYPE floodshield_syn_pressure gauge\n"
	"floodshield_syn_pressure 1\n"
	"# HELP floodshield_http_suspicion 1 while more bad HTTP requests than "
	"http.suspect came in lately: suspects' undecided requests are reset.\n"
	"# TYPE floodshield_http_suspicion gauge\n"
	"floodshield_http_suspicion 1\n"
	"# HELP floodshield_smtp_sessions Open SMTP sessions per pool: counted "
	"from their completed handshake to the client's FIN or RST, or "
	"smtp.idle.\n"
	"# TYPE floodshield_smtp_sessions gauge\n"
	"floodshield_smtp_sessions{class=\"verified\"} 3\n"
	"floodshield_smtp_sessions{class=\"tempfail\"} 1\n"
	"floodshield_smtp_sessions{class=\"open\"} 12\n"
	"# HELP floodshield_smtp_capacity SMTP sessions each pool may hold "
	"(smtp.capacity and its shares; 0: no limit); verified sources may "
	"also take any free place below the capacity.\n"
	"# TYPE floodshield_smtp_capacity gauge\n"
	"floodshield_smtp_capacity{class=\"verified\"} 5\n"
	"floodshield_smtp_capacity{class=\"tempfail\"} 2\n"
	"floodshield_smtp_capacity{class=\"open\"} 13\n"
	"# HELP floodshield_kernel_syncookies_total The kernel's own SYN "
	"cookie counters in the attach network namespace (TcpExtSyncookies*): "
	"sent by the kernel, ACKs it accepted (its cookies and XDP's), ACKs it "
	"refused.\n"
	"# TYPE floodshield_kernel_syncookies_total counter\n"
	"floodshield_kernel_syncookies_total{result=\"sent\"} 5\n"
	"floodshield_kernel_syncookies_total{result=\"recv\"} 3\n"
	"floodshield_kernel_syncookies_total{result=\"failed\"} 1\n"
	"# HELP floodshield_config_reloads_total Configuration reloads "
	"(SIGHUP) of the daemon since it started, by result.\n"
	"# TYPE floodshield_config_reloads_total counter\n"
	"floodshield_config_reloads_total{result=\"applied\"} 20\n"
	"floodshield_config_reloads_total{result=\"refused\"} 2\n"
	"floodshield_config_reloads_total{result=\"rolled_back\"} 1\n"
	"# HELP floodshield_interface_attached 1 if floodshield is attached to "
	"the interface, in that mode; 0 (mode none) for a configured or "
	"formerly attached interface it is not on.\n"
	"# TYPE floodshield_interface_attached gauge\n"
	"floodshield_interface_attached{interface=\"eth0\",mode=\"native\"} 1\n"
	"floodshield_interface_attached{interface=\"veth1\",mode=\"none\"} 0\n"
	"# HELP floodshield_scrape_errors_total Map or interface reads that "
	"failed while scraping.\n"
	"# TYPE floodshield_scrape_errors_total counter\n"
	"floodshield_scrape_errors_total 3\n"
	"# HELP floodshield_build_info Always 1; the version is a label.\n"
	"# TYPE floodshield_build_info gauge\n"
	"floodshield_build_info{version=\"1.2.3-test\"} 1\n";

/* Only the allowlist fill was read: every family keeps its HELP and
 * TYPE, samples of unread parts are left out (never rendered as 0). */
static const char golden_partial[] =
	"# HELP floodshield_packets_total Packets by the action taken and its "
	"reason (observed packets excluded).\n"
	"# TYPE floodshield_packets_total counter\n"
	"# HELP floodshield_bytes_total Bytes of those packets, from the "
	"Ethernet header on.\n"
	"# TYPE floodshield_bytes_total counter\n"
	"# HELP floodshield_observed_packets_total Packets a rule in observe "
	"mode would have stopped; they were passed.\n"
	"# TYPE floodshield_observed_packets_total counter\n"
	"# HELP floodshield_observed_bytes_total Bytes of the packets observe "
	"mode passed.\n"
	"# TYPE floodshield_observed_bytes_total counter\n"
	"# HELP floodshield_http_requests_total HTTP requests inspected, by "
	"verdict (observed ones included).\n"
	"# TYPE floodshield_http_requests_total counter\n"
	"# HELP floodshield_smtp_connections_total SMTP connection attempts "
	"(SYNs), by DNS class of the source and verdict (observed ones "
	"included).\n"
	"# TYPE floodshield_smtp_connections_total counter\n"
	"# HELP floodshield_events_total Data-path events: bans made, map "
	"inserts refused, records sent to the daemon.\n"
	"# TYPE floodshield_events_total counter\n"
	"# HELP floodshield_bans_active Unexpired dynamic bans, of one source "
	"(src) or of a prefix.\n"
	"# TYPE floodshield_bans_active gauge\n"
	"# HELP floodshield_tracked_sources Distinct source addresses with "
	"per-source rate state.\n"
	"# TYPE floodshield_tracked_sources gauge\n"
	"# HELP floodshield_map_entries Entries in a map, expired ones "
	"included.\n"
	"# TYPE floodshield_map_entries gauge\n"
	"floodshield_map_entries{map=\"allow\"} 4\n"
	"# HELP floodshield_map_capacity Maximum entries of a map.\n"
	"# TYPE floodshield_map_capacity gauge\n"
	"floodshield_map_capacity{map=\"allow\"} 65536\n"
	"# HELP floodshield_syn_pressure 1 while more SYNs than syn.guard came "
	"in lately: unproven sources' SYNs get cookies.\n"
	"# TYPE floodshield_syn_pressure gauge\n"
	"# HELP floodshield_http_suspicion 1 while more bad HTTP requests "
	"than http.suspect came in lately: suspects' undecided requests are "
	"reset.\n"
	"# TYPE floodshield_http_suspicion gauge\n"
	"# HELP floodshield_smtp_sessions Open SMTP sessions per pool: counted "
	"from their completed handshake to the client's FIN or RST, or "
	"smtp.idle.\n"
	"# TYPE floodshield_smtp_sessions gauge\n"
	"# HELP floodshield_smtp_capacity SMTP sessions each pool may hold "
	"(smtp.capacity and its shares; 0: no limit); verified sources may "
	"also take any free place below the capacity.\n"
	"# TYPE floodshield_smtp_capacity gauge\n"
	"# HELP floodshield_kernel_syncookies_total The kernel's own SYN "
	"cookie counters in the attach network namespace (TcpExtSyncookies*): "
	"sent by the kernel, ACKs it accepted (its cookies and XDP's), ACKs it "
	"refused.\n"
	"# TYPE floodshield_kernel_syncookies_total counter\n"
	"# HELP floodshield_config_reloads_total Configuration reloads "
	"(SIGHUP) of the daemon since it started, by result.\n"
	"# TYPE floodshield_config_reloads_total counter\n"
	"# HELP floodshield_interface_attached 1 if floodshield is attached to "
	"the interface, in that mode; 0 (mode none) for a configured or "
	"formerly attached interface it is not on.\n"
	"# TYPE floodshield_interface_attached gauge\n"
	"# HELP floodshield_scrape_errors_total Map or interface reads that "
	"failed while scraping.\n"
	"# TYPE floodshield_scrape_errors_total counter\n"
	"floodshield_scrape_errors_total 8\n"
	"# HELP floodshield_build_info Always 1; the version is a label.\n"
	"# TYPE floodshield_build_info gauge\n"
	"floodshield_build_info{version=\"0.1.0\"} 1\n";

FS_TEST(metrics_kernel_syncookies)
{
	static const char netstat[] = "TcpExt: SyncookiesSent SyncookiesRecv "
				      "SyncookiesFailed EmbryonicRsts\n"
				      "TcpExt: 200012 16 2 0\n"
				      "IpExt: InNoRoutes\n"
				      "IpExt: 0\n";
	char path[] = "/tmp/fs-test-netstat.XXXXXX";
	__u64 v[FS_KCOOKIE_MAX] = {};
	int fd = mkstemp(path);

	fs_subtest("TcpExt Syncookies* from a netstat file");
	if (!ASSERT_TRUE(fd >= 0, "mkstemp"))
		return;
	ASSERT_EQ(write(fd, netstat, sizeof(netstat) - 1),
		  (long)sizeof(netstat) - 1, "write");
	close(fd);
	if (ASSERT_OK(fs_kernel_syncookies(path, v), "parse")) {
		ASSERT_EQ(v[FS_KCOOKIE_SENT], 200012, "sent");
		ASSERT_EQ(v[FS_KCOOKIE_RECV], 16, "recv");
		ASSERT_EQ(v[FS_KCOOKIE_FAILED], 2, "failed");
	}
	unlink(path);
	fs_subtest("this namespace's /proc/net/netstat has them");
	ASSERT_OK(fs_kernel_syncookies("/proc/net/netstat", v), "parse");
	fs_subtest("a file without them: -ENOENT");
	ASSERT_EQ(fs_kernel_syncookies("/proc/self/status", v), -ENOENT,
		  "no TcpExt");
}

FS_TEST(metrics_render)
{
	struct fs_snapshot s;
	char *text;

	fs_subtest("golden text");
	if (FS_R_MAX != GOLDEN_REASONS || FS_E_MAX != GOLDEN_EVENTS)
		fs_test_fail(__FILE__, __LINE__,
			     "the ABI has %d reasons and %d "
			     "events, the golden text %d and %d: update it",
			     FS_R_MAX, FS_E_MAX, GOLDEN_REASONS, GOLDEN_EVENTS);
	golden_snapshot(&s);
	text = render(&s);
	if (text && getenv("FS_METRICS_GOLDEN")) {
		FILE *f = fopen(getenv("FS_METRICS_GOLDEN"), "w");

		if (f) {
			fputs(text, f);
			fclose(f);
		}
	}
	text_eq(text, golden, "render");
	free(text);

	fs_subtest("parts not read are left out");
	memset(&s, 0, sizeof(s));
	s.valid = FS_SNAP_FILL(FS_FILL_ALLOW);
	s.fill[FS_FILL_ALLOW] = (struct fs_map_fill){4, 65536};
	s.scrape_errors = 8;
	text = render(&s);
	text_eq(text, golden_partial, "render");
	free(text);

	fs_subtest("label escaping");
	memset(&s, 0, sizeof(s));
	s.valid = FS_SNAP_IFACES;
	s.n_ifaces = 1;
	s.ifaces[0] = (struct fs_iface_state){"a\"b\\c\nd", true, "native"};
	s.version = "x\"y";
	text = render(&s);
	if (ASSERT_TRUE(text != NULL, "render")) {
		ASSERT_TRUE(strstr(text, "floodshield_interface_attached{"
					 "interface="
					 "\"a\\\"b\\\\c\\nd\",mode=\"native\"} "
					 "1\n") != NULL,
			    "interface name escaped");
		ASSERT_TRUE(strstr(text, "floodshield_build_info{version="
					 "\"x\\\"y\"} 1\n") != NULL,
			    "version escaped");
	}
	free(text);

	/* Every field all ones: a value rendered through a signed or a
	 * floating type (-1, 1.8e+19) shows. */
	fs_subtest("the largest values render as exact unsigned integers");
	memset(&s, 0xff, sizeof(s));
	s.valid = FS_SNAP_ALL;
	s.n_ifaces = 1;
	s.ifaces[0] = (struct fs_iface_state){"eth0", true, "native"};
	s.version = NULL;
	text = render(&s);
	if (ASSERT_TRUE(text != NULL, "render")) {
		int samples = 0, bad = 0;

		for (char *l = strtok(text, "\n"); l; l = strtok(NULL, "\n")) {
			char *v = strrchr(l, ' ');

			if (l[0] == '#')
				continue;
			samples++;
			if (!v || v[1] == '-' ||
			    strspn(v + 1, "0123456789") != strlen(v + 1))
				bad++, fs_test_fail(__FILE__, __LINE__,
						    "sample '%s'", l);
		}
		ASSERT_EQ(bad, 0, "samples not a plain unsigned number");
		ASSERT_TRUE(samples > 100, "samples rendered");
	}
	free(text);
	text = render(&s);
	ASSERT_TRUE(text && strstr(text, "\nfloodshield_scrape_errors_total "
					 "18446744073709551615\n"),
		    "a u64 counter at its maximum, every digit");
	free(text);
}

FS_TEST(metrics_http_verdict)
{
	static const struct {
		unsigned r;
		const char *verdict;
	} http[] = {
		{FS_R_HTTP_OK, "ok"},
		{FS_R_HTTP_UNDECIDED, "undecided"},
		{FS_R_HTTP_FRAGMENT, "fragment"},
		{FS_R_HTTP_BAD_HOST, "bad_host"},
		{FS_R_HTTP_DUP_HOST, "dup_host"},
		{FS_R_HTTP_HOST_WS, "host_ws"},
		{FS_R_HTTP_EMPTY_HOST, "empty_host"},
		{FS_R_HTTP_NO_HOST, "no_host"},
		{FS_R_HTTP_IP_HOST, "ip_host"},
		{FS_R_HTTP_RATE_SRC, "rate_src"},
		{FS_R_HTTP_RATE_PREFIX, "rate_prefix"},
		{FS_R_HTTP_MALFORMED, "malformed"},
		{FS_R_HTTP_URGENT, "urgent"},
		{FS_R_HTTP_UNDECIDED_ORDER, "undecided_order"},
		{FS_R_HTTP_UNDECIDED_UNTRACKED, "undecided_untracked"},
		{FS_R_HTTP_HEAD_LONG, "head_long"},
		{FS_R_HTTP_UNDECIDED_OPAQUE, "undecided_opaque"},
		{FS_R_HTTP_SUSPECT, "suspect"},
		{FS_R_HTTP_DESYNC, "desync"},
		{FS_R_HTTP_LOST, "lost"},
		{FS_R_HTTP_UNDECIDED_SIZE, "undecided_size"},
	};
	static const struct {
		unsigned r;
		const char *cls, *verdict;
	} smtp[] = {
		{FS_R_SMTP_VERIFIED, "verified", "accept"},
		{FS_R_SMTP_UNVERIFIED, "unverified", "accept"},
		{FS_R_SMTP_FAILED, "failed", "accept"},
		{FS_R_SMTP_DEFER_VERIFIED, "verified", "defer"},
		{FS_R_SMTP_DEFER_UNVERIFIED, "unverified", "defer"},
		{FS_R_SMTP_DEFER_FAILED, "failed", "defer"},
		{FS_R_SMTP_TEMPFAIL, "tempfail", "accept"},
		{FS_R_SMTP_DEFER_TEMPFAIL, "tempfail", "defer"},
		{FS_R_SMTP_FULL_VERIFIED, "verified", "full"},
		{FS_R_SMTP_FULL_TEMPFAIL, "tempfail", "full"},
		{FS_R_SMTP_FULL_OPEN, "open", "full"},
	};
	struct fs_snapshot s;
	unsigned n = 0;
	char *text;

	fs_subtest("verdicts from the http reasons");
	for (size_t i = 0; i < sizeof(http) / sizeof(http[0]); i++) {
		ASSERT_STREQ(fs_http_verdict(http[i].r), http[i].verdict,
			     fs_reason_name(http[i].r));
		/* ok and the undecided causes pass (an out-of-order
		 * segment, and a frame longer than the parser reads, are
		 * dropped, to come again); the rest reset */
		ASSERT_STREQ(
			fs_reason_action(http[i].r),
			http[i].r == FS_R_HTTP_UNDECIDED_ORDER ||
					http[i].r == FS_R_HTTP_UNDECIDED_SIZE
				? "drop"
			: http[i].r == FS_R_HTTP_OK || !strncmp(http[i].verdict,
								"undecided", 9)
				? "pass"
				: "reset",
			"bad requests are reset");
	}
	for (unsigned r = 0; r < FS_R_MAX + 2; r++)
		n += fs_http_verdict(r) != NULL;
	ASSERT_EQ(n, sizeof(http) / sizeof(http[0]),
		  "verdicts: ok, 5 undecided, 14 resets");
	ASSERT_TRUE(!fs_http_verdict(FS_R_SERVICE) &&
			    !fs_http_verdict(FS_R_BLOCK) &&
			    !fs_http_verdict(FS_R_RESET_FLOW) &&
			    !fs_http_verdict(FS_R_BAN_RESET) &&
			    !fs_http_verdict(FS_R_SMTP_VERIFIED) &&
			    !fs_http_verdict(FS_R_MAX),
		    "other reasons are not HTTP verdicts");

	fs_subtest("class and verdict from the smtp reasons");
	for (size_t i = 0; i < sizeof(smtp) / sizeof(smtp[0]); i++) {
		const char *cls = NULL, *verdict = NULL;

		if (ASSERT_TRUE(fs_smtp_verdict(smtp[i].r, &cls, &verdict),
				fs_reason_name(smtp[i].r))) {
			ASSERT_STREQ(cls, smtp[i].cls, "class");
			ASSERT_STREQ(verdict, smtp[i].verdict, "verdict");
		}
	}
	n = 0;
	for (unsigned r = 0; r < FS_R_MAX + 2; r++) {
		const char *cls, *verdict;

		n += fs_smtp_verdict(r, &cls, &verdict);
	}
	ASSERT_EQ(n, sizeof(smtp) / sizeof(smtp[0]),
		  "4 classes x accept, defer; 3 pools full");

	fs_subtest("observed requests count under their verdict");
	memset(&s, 0, sizeof(s));
	s.valid = FS_SNAP_COUNTERS;
	s.reasons[FS_R_HTTP_FRAGMENT] = (struct fs_counter){4, 400, 6, 600};
	s.reasons[FS_R_SMTP_DEFER_UNVERIFIED] =
		(struct fs_counter){2, 148, 3, 222};
	text = render(&s);
	if (ASSERT_TRUE(text != NULL, "render")) {
		ASSERT_TRUE(strstr(text, "floodshield_http_requests_total{"
					 "verdict=\"fragment\"} 10\n") != NULL,
			    "fragment: 4 reset + 6 observed");
		ASSERT_TRUE(strstr(text,
				   "floodshield_packets_total{action=\"reset\","
				   "reason=\"http_fragment\"} 4\n") != NULL,
			    "packets");
		ASSERT_TRUE(strstr(text,
				   "floodshield_observed_packets_total{"
				   "reason=\"http_fragment\"} 6\n") != NULL,
			    "observed");
		ASSERT_TRUE(strstr(text, "floodshield_smtp_connections_total{"
					 "class="
					 "\"unverified\",verdict=\"defer\"} "
					 "5\n") != NULL,
			    "smtp defer unverified: 2 dropped + 3 observed");
	}
	free(text);
}

FS_TEST(metrics_listen)
{
	static const char *const good[] = {
		"127.0.0.1:9477",
		"[::1]:9477",
		"0.0.0.0:0",
		"[2001:db8::1]:65535",
	};
	static const char *const bad[] = {
		"",
		"9477",
		":9477",
		"localhost:9477",
		"127.0.0.1",
		"127.0.0.1:",
		"127.0.0.1:65536",
		"127.0.0.1:99999999",
		"127.0.0.1:+80",
		"127.0.0.1:8 0",
		"1.2.3:80",
		"::1:9477",
		"[::1]9477",
		"[::1",
		"[]:80",
		"[127.0.0.1]:80",
		"[::1]:",
		"::1",
	};
	struct sockaddr_storage ss;
	socklen_t len;
	char err[160];

	fs_subtest("good addresses");
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		ASSERT_OK(fs_listen_parse(good[i], &ss, &len, err, sizeof(err)),
			  good[i]);
	fs_listen_parse("[::1]:9477", &ss, &len, err, sizeof(err));
	ASSERT_EQ(ss.ss_family, AF_INET6, "[::1] is IPv6");
	ASSERT_EQ(ntohs(((struct sockaddr_in6 *)&ss)->sin6_port), 9477, "port");
	fs_listen_parse("127.0.0.1:9477", &ss, &len, err, sizeof(err));
	ASSERT_EQ(ss.ss_family, AF_INET, "127.0.0.1 is IPv4");
	ASSERT_EQ(len, sizeof(struct sockaddr_in), "length");

	fs_subtest("malformed addresses are refused, named");
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char quoted[64];

		err[0] = '\0';
		ASSERT_EQ(fs_listen_parse(bad[i], &ss, &len, err, sizeof(err)),
			  -EINVAL, bad[i]);
		snprintf(quoted, sizeof(quoted), "'%s'", bad[i]);
		ASSERT_TRUE(strstr(err, quoted) != NULL, err);
	}
}

/* ---------------------------------------------------------------------
 * Collection from a private instance. */

static const struct fs_iface_state fake_ifaces[] = {
	{"eth0", true, "native"},
	{"eth1", false, "none"},
};

static int fake_iface_fn(void *arg, struct fs_iface_state *out, unsigned max)
{
	unsigned n = 2 < max ? 2 : max;

	(*(int *)arg)++;
	memcpy(out, fake_ifaces, n * sizeof(*out));
	return n;
}

static int failing_iface_fn(void *arg, struct fs_iface_state *out, unsigned max)
{
	(void)arg, (void)out, (void)max;
	return -EIO;
}

static void map_fds(struct xdp_env *e, struct fs_map_fds *m)
{
	fs_maps_from_skel(e->skel, m);
}

/* Send @n copies of the packet of @s; all must get @verdict. Returns
 * the frame length, or -1. */
static ssize_t send_n(struct xdp_env *e, const struct pkt_spec *s, int n,
		      int verdict)
{
	__u8 in[PKT_MAX], out[PKT_MAX];
	ssize_t len = pkt_build(s, in, sizeof(in), NULL);

	if (!ASSERT_TRUE(len > 0, "pkt_build"))
		return -1;
	for (int i = 0; i < n; i++) {
		size_t out_len = sizeof(out);

		if (!ASSERT_EQ(xe_run(e, in, len, out, &out_len), verdict,
			       "verdict"))
			return -1;
	}
	return len;
}

static struct pkt_spec udp_from(const char *src)
{
	struct pkt_spec s = {
		.family = 4, .l4 = PKT_UDP, .dport = 9, .payload_len = 100};

	pkt_addr(src, s.src);
	pkt_addr("192.0.2.1", s.dst);
	return s;
}

static struct pkt_spec syn_from(const char *src)
{
	struct pkt_spec s = {.tcp_flags = PKT_SYN, .dport = PORT_SVC};

	s.family = pkt_addr(src, s.src);
	pkt_addr(s.family == 4 ? "192.0.2.1" : "2001:db8::1", s.dst);
	return s;
}

static bool put_ban(struct xdp_env *e, const char *addr, __u8 plen,
		    __u64 expires)
{
	struct fs_ban ban = {.expires_ns = expires,
			     .created_ns = xe_clock(e),
			     .reason = FS_BAN_MANUAL,
			     .count = 1};
	__u8 a[16];

	pkt_addr(addr, a);
	return ASSERT_OK(xe_ban_put(e, a, plen, &ban), addr);
}

#define BLOCK_N 7 /* UDP datagrams from the blocked source */

/* Lists, bans and traffic with known outcomes (see metrics_collect). */
static bool populate(struct xdp_env *e, ssize_t *udp_len)
{
	struct pkt_spec s;
	__u64 t = xe_clock(e);
	bool ok;

	ok = ASSERT_OK(xe_service(e, PORT_SVC, FS_SVC_TCP), "service port") &&
	     ASSERT_OK(xe_block(e, "198.51.100.20", 0), "block") &&
	     ASSERT_OK(xe_allow(e, "203.0.113.0/24", 0), "allow v4") &&
	     ASSERT_OK(xe_allow(e, "2001:db8:a::/48", 0), "allow v6") &&
	     /* 192.0.2.50/32 and 2001:db8:bad::/48 active; the others
	      * expired. */
	     put_ban(e, "192.0.2.50", 128, t + 60 * NSEC) &&
	     put_ban(e, "192.0.2.51", 128, t - 1) &&
	     put_ban(e, "2001:db8:bad::", 48, t + 60 * NSEC) &&
	     put_ban(e, "2001:db8:dead::", 48, t - 2);
	if (!ok)
		return false;
	s = udp_from("198.51.100.20");
	*udp_len = send_n(e, &s, BLOCK_N, XDP_DROP);
	s = syn_from("192.0.2.50"); /* bans hold for protected ports */
	ok = *udp_len > 0 && send_n(e, &s, 1, XDP_DROP) > 0; /* ban */
	s = udp_from("192.0.2.51");
	ok = ok && send_n(e, &s, 1, XDP_PASS) > 0; /* not_tcp */
	/* Three sources in two prefixes: 3 source and 2 prefix buckets. */
	s = syn_from("192.0.2.10");
	ok = ok && send_n(e, &s, 2, XDP_PASS) > 0;
	s = syn_from("192.0.2.11");
	ok = ok && send_n(e, &s, 1, XDP_PASS) > 0;
	s = syn_from("2001:db8:1::5");
	ok = ok && send_n(e, &s, 1, XDP_PASS) > 0;
	return ok;
}

static char *render_has(char *text, const char *line)
{
	if (!ASSERT_TRUE(text && strstr(text, line), line))
		return NULL;
	return text;
}

FS_TEST(metrics_collect)
{
	struct fs_snapshot *s = calloc(1, sizeof(*s));
	struct fs_map_fds m, bad;
	struct xdp_env e;
	ssize_t udp_len = 0;
	int calls = 0;
	unsigned errors;
	char *text;

	fs_subtest("load and send known packets");
	if (!s || !ASSERT_OK(xe_open(&e), "load the program")) {
		free(s);
		return;
	}
	if (!populate(&e, &udp_len))
		goto out;
	map_fds(&e, &m);
	{
		struct fs_daemon_state d = {.pid = 77,
					    .last = FS_RELOAD_REFUSED,
					    .generation = 6,
					    .applied = 3,
					    .refused = 2,
					    .rolled_back = 1};
		__u32 zero = 0;

		if (!ASSERT_OK(bpf_map_update_elem(m.daemon, &zero, &d,
						   BPF_ANY),
			       "write fs_daemon as the daemon would"))
			goto out;
	}

	fs_subtest("counters");
	errors =
		fs_snapshot_collect(s, &m, xe_clock(&e), fake_iface_fn, &calls);
	ASSERT_EQ(errors, 0, "errors");
	ASSERT_EQ(s->valid, FS_SNAP_ALL, "every part read");
	ASSERT_EQ(s->reasons[FS_R_BLOCK].packets, BLOCK_N, "block packets");
	ASSERT_EQ(s->reasons[FS_R_BLOCK].bytes, BLOCK_N * udp_len,
		  "block bytes");
	ASSERT_EQ(s->reasons[FS_R_BAN].packets, 1, "ban packets");
	ASSERT_EQ(s->reasons[FS_R_NOT_TCP].packets, 1, "not_tcp packets");
	ASSERT_EQ(s->reasons[FS_R_SERVICE].packets, 4, "service packets");
	ASSERT_EQ(s->reasons[FS_R_ALLOW].packets, 0, "allow packets");
	for (unsigned r = 0; r < FS_R_MAX; r++)
		ASSERT_EQ(s->reasons[r].observed_packets, 0, fs_reason_name(r));
	ASSERT_EQ(s->events[FS_E_RATE_NEW], 5, "rate_new events");
	ASSERT_EQ(s->events[FS_E_BAN_SRC], 0, "ban_src events");

	fs_subtest("bans, rate state, map fill");
	ASSERT_EQ(s->bans_src, 1, "active source bans");
	ASSERT_EQ(s->bans_prefix, 1, "active prefix bans");
	ASSERT_EQ(s->tracked_sources, 3, "tracked sources");
	ASSERT_EQ(s->fill[FS_FILL_ALLOW].entries, 2, "allow entries");
	ASSERT_EQ(s->fill[FS_FILL_BLOCK].entries, 1, "block entries");
	ASSERT_EQ(s->fill[FS_FILL_BANS].entries, 4, "bans entries");
	ASSERT_EQ(s->fill[FS_FILL_RATE].entries, 5, "rate entries");
	ASSERT_EQ(s->fill[FS_FILL_HOSTS].entries, 0, "hosts entries");
	ASSERT_EQ(s->fill[FS_FILL_FLOWS].entries, 0, "flows entries");
	ASSERT_EQ(s->fill[FS_FILL_DNS].entries, 0, "dns entries");
	ASSERT_EQ(s->fill[FS_FILL_SEEN].entries, 0, "seen entries");
	ASSERT_EQ(s->fill[FS_FILL_ALLOW].capacity,
		  bpf_map__max_entries(e.skel->maps.FS_MAP_ALLOW),
		  "allow capacity");
	ASSERT_EQ(s->fill[FS_FILL_RATE].capacity,
		  bpf_map__max_entries(e.skel->maps.FS_MAP_RATE),
		  "rate capacity");
	ASSERT_EQ(s->fill[FS_FILL_FLOWS].capacity,
		  bpf_map__max_entries(e.skel->maps.FS_MAP_FLOWS),
		  "flows capacity");
	ASSERT_EQ(s->fill[FS_FILL_SEEN].capacity,
		  bpf_map__max_entries(e.skel->maps.FS_MAP_SEEN),
		  "seen capacity");

	fs_subtest("the daemon's reloads");
	ASSERT_EQ(s->daemon.pid, 77, "pid");
	ASSERT_EQ(s->daemon.generation, 6, "generation");
	ASSERT_EQ(s->daemon.applied, 3, "applied");
	ASSERT_EQ(s->daemon.refused, 2, "refused");
	ASSERT_EQ(s->daemon.rolled_back, 1, "rolled back");
	ASSERT_EQ(s->daemon.last, FS_RELOAD_REFUSED, "last");

	fs_subtest("bans expire with the clock passed");
	fs_snapshot_collect(s, &m, xe_clock(&e) + 61 * NSEC, NULL, NULL);
	ASSERT_EQ(s->bans_src + s->bans_prefix, 0, "no ban active a minute on");
	ASSERT_EQ(s->fill[FS_FILL_BANS].entries, 4, "still 4 entries");

	fs_subtest("the HTTP suspicion window (fs_syn)");
	{
		struct fs_syn_state st;
		__u32 zero = 0;

		if (ASSERT_OK(bpf_map_lookup_elem(m.syn, &zero, &st), "read "
								      "fs_"
								      "syn")) {
			st.pressure_until_ns = 0;
			st.suspect_until_ns = xe_clock(&e) + 10 * NSEC;
			ASSERT_OK(bpf_map_update_elem(m.syn, &zero, &st,
						      BPF_ANY),
				  "open the window");
		}
		fs_snapshot_collect(s, &m, xe_clock(&e), NULL, NULL);
		ASSERT_EQ(s->http_suspicion, 1, "open");
		ASSERT_EQ(s->syn_pressure, 0, "no SYN pressure");
		fs_snapshot_collect(s, &m, xe_clock(&e) + 10 * NSEC, NULL,
				    NULL);
		ASSERT_EQ(s->http_suspicion, 0, "closed at its end");
	}

	fs_subtest("interfaces from the callback");
	ASSERT_EQ(calls, 1, "callback called once per collection");
	ASSERT_EQ(s->n_ifaces, 0, "no callback, no interface");
	fs_snapshot_collect(s, &m, xe_clock(&e), fake_iface_fn, &calls);
	ASSERT_EQ(s->n_ifaces, 2, "interfaces");
	ASSERT_STREQ(s->ifaces[1].name, "eth1", "second interface");

	fs_subtest("rendered from the maps");
	text = render(s);
	render_has(text, "floodshield_packets_total{action=\"drop\",reason="
			 "\"block\"} 7\n");
	render_has(text, "floodshield_packets_total{action=\"pass\",reason="
			 "\"service\"} 4\n");
	render_has(text, "floodshield_bans_active{kind=\"src\"} 1\n");
	render_has(text, "floodshield_tracked_sources 3\n");
	render_has(text, "floodshield_map_entries{map=\"rate\"} 5\n");
	render_has(text, "floodshield_interface_attached{interface=\"eth0\","
			 "mode=\"native\"} 1\n");
	render_has(text, "floodshield_interface_attached{interface=\"eth1\","
			 "mode=\"none\"} 0\n");
	render_has(text, "floodshield_config_reloads_total{result=\"applied\"} "
			 "3\n");
	render_has(text, "floodshield_config_reloads_total{result=\"refused\"} "
			 "2\n");
	render_has(text, "floodshield_config_reloads_total{result=\"rolled_"
			 "back\"} 1\n");
	free(text);

	fs_subtest("failed reads: counted, left out");
	bad = m;
	bad.stats = -1;
	bad.rate = m.cfg; /* another layout: refused, not misread */
	bad.daemon = -1;  /* pins of an older build */
	errors = fs_snapshot_collect(s, &bad, xe_clock(&e), failing_iface_fn,
				     NULL);
	ASSERT_EQ(errors, 4, "stats, rate, daemon, interfaces");
	ASSERT_EQ(s->valid,
		  FS_SNAP_ALL & ~(FS_SNAP_COUNTERS | FS_SNAP_RATE |
				  FS_SNAP_FILL(FS_FILL_RATE) | FS_SNAP_IFACES |
				  FS_SNAP_DAEMON),
		  "valid parts");
	text = render(s);
	render_has(text, "# TYPE floodshield_packets_total counter\n");
	ASSERT_TRUE(text && !strstr(text, "floodshield_packets_total{"), "no "
									 "packe"
									 "t "
									 "sampl"
									 "es");
	ASSERT_TRUE(text && !strstr(text, "\nfloodshield_tracked_sources "),
		    "no tracked_sources");
	ASSERT_TRUE(text && !strstr(text, "map=\"rate\""), "no rate fill");
	ASSERT_TRUE(text && !strstr(text, "floodshield_config_reloads_total{"),
		    "no reload samples");
	render_has(text, "floodshield_events_total{event=\"rate_new\"} 5\n");
	free(text);
out:
	xe_close(&e);
	free(s);
}

/* ---------------------------------------------------------------------
 * The HTTP exporter, on a free loopback port. */

/* One request; the whole response (connection closed) into @buf. */
static int http(unsigned port, const char *req, char *buf, size_t cap)
{
	struct sockaddr_in a = {.sin_family = AF_INET,
				.sin_port = htons(port),
				.sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	struct timeval tv = {.tv_sec = 5};
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	size_t len = 0;
	ssize_t n;

	if (fd < 0)
		return -errno;
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (connect(fd, (struct sockaddr *)&a, sizeof(a)) ||
	    write(fd, req, strlen(req)) != (ssize_t)strlen(req)) {
		close(fd);
		return -errno;
	}
	while (len + 1 < cap && (n = read(fd, buf + len, cap - 1 - len)) > 0)
		len += n;
	buf[len] = '\0';
	close(fd);
	return 0;
}

static void get(unsigned port, const char *method, const char *path, char *buf,
		size_t cap)
{
	char req[256];

	snprintf(req, sizeof(req),
		 "%s %s HTTP/1.1\r\nHost: localhost\r\n"
		 "Connection: close\r\n\r\n",
		 method, path);
	buf[0] = '\0';
	ASSERT_OK(http(port, req, buf, cap), "request");
}

FS_TEST(metrics_exporter)
{
	size_t cap = 1 << 16;
	char *buf = malloc(cap);
	struct fs_map_fds m;
	struct xdp_env e;
	ssize_t udp_len;
	unsigned port;
	int calls = 0;

	fs_subtest("start on a free loopback port");
	if (!buf || !ASSERT_OK(xe_open(&e), "load the program")) {
		free(buf);
		return;
	}
	map_fds(&e, &m);
	if (!ASSERT_OK(fs_exporter_start("127.0.0.1:0", &m, fake_iface_fn,
					 &calls),
		       "start"))
		goto out;
	port = fs_exporter_port();
	ASSERT_TRUE(port > 0, "bound port");
	ASSERT_EQ(fs_exporter_start("127.0.0.1:0", &m, NULL, NULL), -1,
		  "a second exporter is refused");

	fs_subtest("GET /metrics reads the maps at each scrape");
	get(port, "GET", "/metrics", buf, cap);
	ASSERT_TRUE(!strncmp(buf, "HTTP/1.1 200", 12), "status 200");
	ASSERT_TRUE(strcasestr(buf, "\r\nContent-Type: " FS_METRICS_CONTENT_TYPE
				    "\r\n") != NULL,
		    "content type");
	ASSERT_TRUE(strstr(buf, "floodshield_packets_total{action=\"drop\","
				"reason=\"block\"} 0\n") != NULL,
		    "block: 0 before");
	ASSERT_TRUE(strstr(buf, "floodshield_build_info{version=\"" FS_VERSION
				"\"} 1\n") != NULL,
		    "build_info");
	{
		struct pkt_spec s = udp_from("198.51.100.20");

		ASSERT_OK(xe_block(&e, "198.51.100.20", 0), "block");
		udp_len = send_n(&e, &s, 3, XDP_DROP);
	}
	get(port, "GET", "/metrics", buf, cap);
	ASSERT_TRUE(strstr(buf, "floodshield_packets_total{action=\"drop\","
				"reason=\"block\"} 3\n") != NULL,
		    "block: 3 after");
	ASSERT_TRUE(udp_len > 0 && strstr(buf, "floodshield_scrape_errors_"
					       "total 0\n"),
		    "no scrape errors");
	ASSERT_EQ(calls, 2, "attach state asked at each scrape");

	fs_subtest("HEAD, other paths and methods");
	get(port, "HEAD", "/metrics", buf, cap);
	ASSERT_TRUE(!strncmp(buf, "HTTP/1.1 200", 12), "HEAD: 200");
	ASSERT_TRUE(!strstr(buf, "floodshield_"), "HEAD: no body");
	get(port, "GET", "/", buf, cap);
	ASSERT_TRUE(!strncmp(buf, "HTTP/1.1 404", 12), "/: 404");
	get(port, "GET", "/metricsx", buf, cap);
	ASSERT_TRUE(!strncmp(buf, "HTTP/1.1 404", 12), "/metricsx: 404");
	get(port, "POST", "/metrics", buf, cap);
	ASSERT_TRUE(!strncmp(buf, "HTTP/1.1 405", 12), "POST: 405");
	ASSERT_TRUE(strcasestr(buf, "\r\nAllow: GET, HEAD\r\n") != NULL, "Allow"
									 " head"
									 "er");

	fs_subtest("stop");
	fs_exporter_stop();
	ASSERT_TRUE(http(port, "GET /metrics HTTP/1.0\r\n\r\n", buf, cap) < 0,
		    "nothing listens after stop");
	ASSERT_EQ(fs_exporter_port(), 0, "no port");

	fs_subtest("malformed or taken addresses are refused");
	ASSERT_EQ(fs_exporter_start("localhost:9477", &m, NULL, NULL), -1,
		  "name");
	{
		struct sockaddr_in a = {.sin_family = AF_INET,
					.sin_addr.s_addr =
						htonl(INADDR_LOOPBACK)};
		socklen_t alen = sizeof(a);
		int fd = socket(AF_INET, SOCK_STREAM, 0);
		char addr[32];

		if (ASSERT_TRUE(fd >= 0 &&
					!bind(fd, (struct sockaddr *)&a,
					      sizeof(a)) &&
					!listen(fd, 1) &&
					!getsockname(fd, (struct sockaddr *)&a,
						     &alen),
				"a listening socket of our own")) {
			snprintf(addr, sizeof(addr), "127.0.0.1:%u",
				 ntohs(a.sin_port));
			ASSERT_EQ(fs_exporter_start(addr, &m, NULL, NULL), -1,
				  "port taken");
		}
		if (fd >= 0)
			close(fd);
	}
out:
	fs_exporter_stop();
	xe_close(&e);
	free(buf);
}

/* ---------------------------------------------------------------------
 * The exporter against hostile local clients. */

/* A TCP connection to the exporter, not yet written to; -1 on error. */
static int connect_to(unsigned port)
{
	struct sockaddr_in a = {.sin_family = AF_INET,
				.sin_port = htons(port),
				.sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd >= 0 && connect(fd, (struct sockaddr *)&a, sizeof(a))) {
		close(fd);
		return -1;
	}
	return fd;
}

/* Whether the server closed @fd within @ms (end of stream or reset). */
static bool closed_within(int fd, int ms)
{
	struct pollfd p = {.fd = fd, .events = POLLIN};
	char buf[512];

	while (poll(&p, 1, ms) == 1) {
		ssize_t n = read(fd, buf, sizeof(buf));

		if (n <= 0)
			return true;
	}
	return false;
}

/* As uid 65534, open @n connections that each send half a request and
 * hold them; write to @report how many the server closed at once, then
 * hold the rest until killed. */
static void hog(unsigned port, int n, int report)
{
	int fds[64], closed = 0;

	if (setresgid(65534, 65534, 65534) || setresuid(65534, 65534, 65534))
		_exit(1);
	for (int i = 0; i < n && i < 64; i++) {
		fds[i] = connect_to(port);
		if (fds[i] < 0 ||
		    write(fds[i], "GET /metrics HTTP/1.1\r\n", 23) != 23)
			_exit(1);
	}
	for (int i = 0; i < n && i < 64; i++)
		closed += closed_within(fds[i], 300);
	if (write(report, &closed, sizeof(closed)) != sizeof(closed))
		_exit(1);
	pause();
	_exit(0);
}

/* stderr into a temporary file while @fn runs; the lines that start
 * with "floodshield: metrics:" counted, the text in @out. */
static int metrics_log_lines(void (*fn)(unsigned), unsigned port, char *out,
			     size_t len)
{
	FILE *tmp = tmpfile();
	int saved = dup(STDERR_FILENO), lines = 0;
	char line[512];

	out[0] = '\0';
	if (!tmp || saved < 0)
		return -1;
	fflush(stderr);
	dup2(fileno(tmp), STDERR_FILENO);
	fn(port);
	fflush(stderr);
	dup2(saved, STDERR_FILENO);
	close(saved);
	rewind(tmp);
	while (fgets(line, sizeof(line), tmp))
		if (strstr(line, "metrics:")) {
			lines++;
			if (strlen(out) + strlen(line) + 1 < len)
				strcat(out, line);
		}
	fclose(tmp);
	return lines;
}

static int malformed_sent;

static void malformed_1000(unsigned port)
{
	static const char req[] = "GET /metrics HTTP/1.1\r\nHost: x\r\n"
				  "Content-Length: abc\r\n\r\n";
	char buf[1024];

	malformed_sent = 0;
	for (int i = 0; i < 1000; i++)
		malformed_sent += http(port, req, buf, sizeof(buf)) == 0;
	usleep(100 * 1000); /* the server's last lines */
}

FS_TEST(metrics_exporter_hostile)
{
	struct fs_exporter_limits lim = fs_exporter_defaults;
	char buf[4096];
	struct fs_map_fds m;
	struct xdp_env e;
	unsigned port;
	int calls = 0, report[2], closed = -1;
	pid_t child;

	fs_subtest("a client holding its connections cannot starve another");
	if (!ASSERT_OK(xe_open(&e), "load the program"))
		return;
	map_fds(&e, &m);
	lim.per_client = 2;
	lim.total = 8;
	lim.read_timeout_s = 60; /* long: the hog is cut by the limit only */
	lim.deadline_ms = 60000;
	if (!ASSERT_OK(fs_exporter_start_limits("127.0.0.1:0", &m,
						fake_iface_fn, &calls, &lim),
		       "start"))
		goto out;
	port = fs_exporter_port();
	if (!ASSERT_OK(pipe(report), "pipe"))
		goto out;
	child = fork();
	if (child == 0)
		hog(port, 8, report[1]);
	close(report[1]);
	ASSERT_EQ(read(report[0], &closed, sizeof(closed)), sizeof(closed),
		  "the hog reports");
	close(report[0]);
	ASSERT_EQ(closed, 6, "the hog's connections past per_client closed");
	get(port, "GET", "/metrics", buf, sizeof(buf));
	ASSERT_TRUE(!strncmp(buf, "HTTP/1.1 200", 12), "another client (uid 0) "
						       "is served while the "
						       "hog holds 2");
	if (child > 0) {
		kill(child, SIGKILL);
		waitpid(child, NULL, 0);
	}
	fs_exporter_stop();

	fs_subtest("a slowloris client is cut at the request deadline");
	lim = fs_exporter_defaults;
	lim.read_timeout_s = 2;
	lim.deadline_ms = 1000;
	if (!ASSERT_OK(fs_exporter_start_limits("127.0.0.1:0", &m,
						fake_iface_fn, &calls, &lim),
		       "start"))
		goto out;
	port = fs_exporter_port();
	{
		int fd = connect_to(port), sent = 0;
		bool cut = false;

		/* one header line every 200 ms: never idle for read_timeout;
		 * bounded at 40 lines (8 s) */
		ASSERT_TRUE(fd >= 0 && write(fd, "GET /metrics HTTP/1.1\r\n",
					     23) == 23,
			    "request line");
		while (fd >= 0 && !cut && sent < 40) {
			cut = closed_within(fd, 200);
			if (!cut && write(fd, "X-Slow: 1\r\n", 11) != 11)
				cut = true;
			sent++;
		}
		ASSERT_TRUE(cut, "cut before 40 slow header lines");
		ASSERT_TRUE(sent >= 3, "not cut before it was late");
		if (fd >= 0)
			close(fd);
	}

	fs_exporter_stop();

	fs_subtest("an idle connection is cut at the read timeout");
	lim.read_timeout_s = 1;
	lim.deadline_ms = 60000; /* long: the read timeout cuts it */
	if (!ASSERT_OK(fs_exporter_start_limits("127.0.0.1:0", &m,
						fake_iface_fn, &calls, &lim),
		       "start"))
		goto out;
	port = fs_exporter_port();
	{
		int fd = connect_to(port);

		ASSERT_TRUE(fd >= 0 && closed_within(fd, 8000), "closed "
								"without a "
								"byte sent");
		if (fd >= 0)
			close(fd);
	}
	get(port, "GET", "/metrics", buf, sizeof(buf));
	ASSERT_TRUE(!strncmp(buf, "HTTP/1.1 200", 12), "a prompt client is "
						       "still served");
	fs_exporter_stop();

	fs_subtest("1000 malformed requests: a bounded number of log lines");
	lim = fs_exporter_defaults;
	lim.log_burst = 5;
	lim.log_window_s = 3600;
	if (!ASSERT_OK(fs_exporter_start_limits("127.0.0.1:0", &m,
						fake_iface_fn, &calls, &lim),
		       "start"))
		goto out;
	{
		int n = metrics_log_lines(malformed_1000, fs_exporter_port(),
					  buf, sizeof(buf));

		ASSERT_EQ(malformed_sent, 1000, "requests answered");
		ASSERT_TRUE(n >= 1, "the malformed requests are logged");
		ASSERT_TRUE(n <= 5, buf);
	}
out:
	fs_exporter_stop();
	xe_close(&e);
}
