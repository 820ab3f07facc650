// SPDX-License-Identifier: GPL-2.0
#include "names.h"

#define NAME_OF(table, i) \
	((i) < sizeof(table) / sizeof(table[0]) && table[i] ? table[i] : "unknown")

static const char *const reasons[FS_R_MAX] = {
	[FS_R_NON_IP] = "non_ip",
	[FS_R_MALFORMED] = "malformed",
	[FS_R_MALFORMED_L4] = "malformed_l4",
	[FS_R_FRAGMENT] = "fragment",
	[FS_R_NOT_TCP] = "not_tcp",
	[FS_R_ALLOW] = "allow",
	[FS_R_NO_SERVICE] = "no_service",
	[FS_R_SERVICE] = "service",
	[FS_R_HTTP_OK] = "http_ok",
	[FS_R_HTTP_UNDECIDED] = "http_undecided",
	[FS_R_RESET_FLOW] = "reset_flow",
	[FS_R_SMTP_VERIFIED] = "smtp_verified",
	[FS_R_SMTP_UNVERIFIED] = "smtp_unverified",
	[FS_R_SMTP_FAILED] = "smtp_failed",
	[FS_R_BLOCK] = "block",
	[FS_R_BAN] = "ban",
	[FS_R_SYN_RATE_SRC] = "syn_rate_src",
	[FS_R_SYN_RATE_PREFIX] = "syn_rate_prefix",
	[FS_R_NO_CONN] = "no_conn",
	[FS_R_SMTP_DEFER_VERIFIED] = "smtp_defer_verified",
	[FS_R_SMTP_DEFER_UNVERIFIED] = "smtp_defer_unverified",
	[FS_R_SMTP_DEFER_FAILED] = "smtp_defer_failed",
	[FS_R_HTTP_FRAGMENT] = "http_fragment",
	[FS_R_HTTP_BAD_HOST] = "http_bad_host",
	[FS_R_HTTP_DUP_HOST] = "http_dup_host",
	[FS_R_HTTP_HOST_WS] = "http_host_ws",
	[FS_R_HTTP_EMPTY_HOST] = "http_empty_host",
	[FS_R_HTTP_NO_HOST] = "http_no_host",
	[FS_R_HTTP_IP_HOST] = "http_ip_host",
	[FS_R_HTTP_RATE_SRC] = "http_rate_src",
	[FS_R_HTTP_RATE_PREFIX] = "http_rate_prefix",
	[FS_R_BAN_RESET] = "ban_reset",
};

static const char *const events[FS_E_MAX] = {
	[FS_E_BAN_SRC] = "ban_src",
	[FS_E_BAN_PREFIX] = "ban_prefix",
	[FS_E_BAN_FAILED] = "ban_failed",
	[FS_E_RATE_NEW] = "rate_new",
	[FS_E_RATE_EVICTED] = "rate_evicted",
	[FS_E_RATE_CONTENDED] = "rate_contended",
	[FS_E_FLOW_FAILED] = "flow_failed",
	[FS_E_EVENT_SENT] = "event_sent",
	[FS_E_EVENT_RATE] = "event_rate",
	[FS_E_RING_FULL] = "ring_full",
};

static const char *const ban_reasons[FS_BAN_REASON_MAX] = {
	[FS_BAN_MANUAL] = "manual",
	[FS_BAN_SYN_RATE] = "syn_rate",
	[FS_BAN_SYN_RATE_PREFIX] = "syn_rate_prefix",
	[FS_BAN_HTTP_RATE] = "http_rate",
	[FS_BAN_HTTP_RATE_PREFIX] = "http_rate_prefix",
	[FS_BAN_HTTP_BAD] = "http_bad",
	[FS_BAN_HTTP_BAD_PREFIX] = "http_bad_prefix",
};

static const char *const origins[FS_ORIGIN_MAX] = {
	[FS_ORIGIN_STATIC] = "config",
	[FS_ORIGIN_CLI] = "cli",
	[FS_ORIGIN_DNS] = "dns",
};

const char *fs_reason_name(unsigned r) { return NAME_OF(reasons, r); }
const char *fs_event_name(unsigned e) { return NAME_OF(events, e); }
const char *fs_ban_reason_name(unsigned r) { return NAME_OF(ban_reasons, r); }
const char *fs_origin_name(unsigned o) { return NAME_OF(origins, o); }

static const char *const dns_classes[FS_DNS_CLASS_MAX] = {
	[FS_DNS_UNVERIFIED] = "unverified",
	[FS_DNS_VERIFIED] = "verified",
	[FS_DNS_FAILED] = "failed",
};

const char *fs_dns_class_name(unsigned c) { return NAME_OF(dns_classes, c); }

static const char *const dns_reasons[FS_DNSR_MAX] = {
	[FS_DNSR_OK] = "ok",
	[FS_DNSR_NO_PTR] = "no_ptr",
	[FS_DNSR_NO_FORWARD] = "no_forward",
	[FS_DNSR_MISMATCH] = "mismatch",
	[FS_DNSR_OUTSIDE_SUFFIX] = "outside_suffix",
	[FS_DNSR_WEAK] = "weak",
	[FS_DNSR_TIMEOUT] = "timeout",
	[FS_DNSR_SERVFAIL] = "servfail",
};

const char *fs_dns_reason_name(unsigned r) { return NAME_OF(dns_reasons, r); }

const char *fs_reason_action(unsigned r)
{
	return fs_reason_resets(r) ? "reset" : fs_reason_drops(r) ? "drop" : "pass";
}

static const char *const reload_results[FS_RELOAD_RESULT_MAX] = {
	[FS_RELOAD_NONE] = "none",
	[FS_RELOAD_APPLIED] = "applied",
	[FS_RELOAD_REFUSED] = "refused",
	[FS_RELOAD_ROLLED_BACK] = "rolled_back",
};

const char *fs_reload_result_name(unsigned r) { return NAME_OF(reload_results, r); }
