/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One table per concept (X-macros): every enum of the ABI, every
 * settings key and every map is one row here, and everything else is
 * generated from the rows: the enums and the program's drop and reset
 * decisions (maps/floodshield.h), names, metric labels, observe masks,
 * the settings parser and printer, the config file's keys, the map fds
 * (loader/), the docs tables (tests/tools/docgen.c, `make docs`).
 *
 * A table is a macro taking the name of a macro X, which it calls once
 * per row. Plain tokens, string literals and integer literals only: the
 * BPF program includes this file too (no libc), and a row's expansion
 * may reference what maps/floodshield.h defines later (a field, a flag).
 *
 * Rows of a table whose values are pinned (reasons, events: the
 * indexes of the per-CPU counters; ban reasons, DNS classes and reasons,
 * origins, services: values stored in maps) are APPENDED, never
 * inserted or removed: a row's value is its position, and a running
 * system's pinned state is indexed by it. tests/test_tables.c holds the
 * released rows in order and fails when one moves.
 *
 * Every row needs a non-empty name and doc line, unique in its table
 * (tests/test_tables.c checks; the docs show them).
 */
#ifndef FLOODSHIELD_TABLES_H
#define FLOODSHIELD_TABLES_H

/* The rows keep their own layout, one row to a line or two. */
/* clang-format off */

/* Verdict reasons: X(ID, name, action, observe rule, doc)
 *   ID       enum fs_reason FS_R_<ID>; its value indexes fs_stats
 *   name     printed by `stats`, the `reason` label of the metrics
 *   action   PASS, DROP or RESET (the segment turned into a TCP RST)
 *            outside observe mode; the program decides by it
 *   rule     the FS_OBSERVE_RULES row whose `observe.<rule>` key lets
 *            it pass while counting it, or NONE (only `observe` does)
 * A reason named http_* is an HTTP request verdict (metric label: the
 * name without http_); smtp_CLASS and smtp_defer_CLASS are the SMTP
 * accept and defer of a DNS class (loader/metrics.c). */
#define FS_REASONS(X) \
	X(NON_IP, "non_ip", PASS, NONE, \
	  "not IPv4 or IPv6 (ARP, LLDP, ...)") \
	X(MALFORMED, "malformed", PASS, NONE, \
	  "L2 or L3 did not parse") \
	X(MALFORMED_L4, "malformed_l4", PASS, NONE, \
	  "the TCP header did not parse: past the lists, not policed") \
	X(FRAGMENT, "fragment", PASS, NONE, \
	  "a non-first IP fragment (no ports): past the lists, not policed") \
	X(NOT_TCP, "not_tcp", PASS, NONE, \
	  "UDP, ICMP, ...: past the lists, not policed") \
	X(ALLOW, "allow", PASS, NONE, \
	  "allowlisted: wins over everything") \
	X(NO_SERVICE, "no_service", PASS, NONE, \
	  "TCP to an unprotected port") \
	X(SERVICE, "service", PASS, NONE, \
	  "TCP to a protected port, within limits") \
	X(HTTP_OK, "http_ok", PASS, NONE, \
	  "HTTP request judged good") \
	X(HTTP_UNDECIDED, "http_undecided", PASS, NONE, \
	  "no longer counted (kept for the ABI): each cause has a reason of its own, http_undecided_*") \
	X(RESET_FLOW, "reset_flow", PASS, NONE, \
	  "segment of a flow already reset (the kernel answers with its RST)") \
	X(SMTP_VERIFIED, "smtp_verified", PASS, NONE, \
	  "SMTP SYN within the rate of its DNS class: verified") \
	X(SMTP_UNVERIFIED, "smtp_unverified", PASS, NONE, \
	  "SMTP SYN within the rate of its DNS class: unverified") \
	X(SMTP_FAILED, "smtp_failed", PASS, NONE, \
	  "SMTP SYN within the rate of its DNS class: failed") \
	X(BLOCK, "block", DROP, BLOCK, \
	  "static blocklist") \
	X(BAN, "ban", DROP, BAN, \
	  "dynamic ban of the source or its prefix") \
	X(SYN_RATE_SRC, "syn_rate_src", DROP, SYN_RATE, \
	  "SYN over the per-source rate") \
	X(SYN_RATE_PREFIX, "syn_rate_prefix", DROP, SYN_RATE, \
	  "SYN over the per-prefix rate") \
	X(NO_CONN, "no_conn", DROP, NONE, \
	  "a bad HTTP request outside any connection the kernel holds: forged or stale; builds no ban") \
	X(SMTP_DEFER_VERIFIED, "smtp_defer_verified", DROP, SMTP_RATE, \
	  "SMTP SYN over its class's rate, deferred (the client retries later): verified") \
	X(SMTP_DEFER_UNVERIFIED, "smtp_defer_unverified", DROP, SMTP_RATE, \
	  "SMTP SYN over its class's rate, deferred: unverified") \
	X(SMTP_DEFER_FAILED, "smtp_defer_failed", DROP, SMTP_RATE, \
	  "SMTP SYN over its class's rate, deferred: failed") \
	X(HTTP_FRAGMENT, "http_fragment", RESET, HTTP_FRAGMENT, \
	  "`#` in the request target (`%23` is fine)") \
	X(HTTP_BAD_HOST, "http_bad_host", RESET, HTTP_HOST, \
	  "Host not among the served hosts") \
	X(HTTP_DUP_HOST, "http_dup_host", RESET, HTTP_HOST, \
	  "two Host fields") \
	X(HTTP_HOST_WS, "http_host_ws", RESET, HTTP_HOST, \
	  "whitespace between `Host` and `:`") \
	X(HTTP_EMPTY_HOST, "http_empty_host", RESET, HTTP_HOST, \
	  "empty Host on HTTP/1.1") \
	X(HTTP_NO_HOST, "http_no_host", RESET, HTTP_HOST, \
	  "no Host: HTTP/1.1, or HTTP/1.0 with `http.no_host_10=reset`") \
	X(HTTP_IP_HOST, "http_ip_host", RESET, HTTP_HOST, \
	  "IP-literal Host, with `http.ip_host=reset`") \
	X(HTTP_RATE_SRC, "http_rate_src", RESET, HTTP_RATE, \
	  "HTTP request over the per-source rate") \
	X(HTTP_RATE_PREFIX, "http_rate_prefix", RESET, HTTP_RATE, \
	  "HTTP request over the per-prefix rate") \
	X(BAN_RESET, "ban_reset", RESET, BAN, \
	  "a banned source's segment of a connection it opened before the ban: reset to free the server's socket") \
	X(BAD_CSUM, "bad_csum", DROP, NONE, \
	  "a segment that would be reset or charged has a bad TCP checksum: dropped (the kernel would drop it), charged to no one, not remembered") \
	X(SYN_COOKIE, "syn_cookie", TX, SYN_RATE, \
	  "SYN of an unproven source, over its SYN bucket or under pressure: answered in place with a SYN cookie SYN-ACK (XDP_TX)") \
	X(SYN_COOKIE_BUDGET, "syn_cookie_budget", DROP, SYN_RATE, \
	  "SYN that would get a cookie, over `syn.cookie.rate` (the global reply budget): dropped") \
	X(SYN_PROVEN, "syn_proven", PASS, NONE, \
	  "ACK carrying a valid SYN cookie: the kernel makes the connection, the source is proven") \
	X(ACK_BAD_COOKIE, "ack_bad_cookie", PASS, NONE, \
	  "pure ACK to a listener while cookies are out, without a valid cookie: proves nothing (the kernel answers it)") \
	X(COOKIE_RESET, "cookie_reset", TX, NONE, \
	  "a segment to reset (a bad request, over rate, a banned source's) whose connection exists only as a kernel SYN cookie: answered with a RST to the client (XDP_TX), never passed (the kernel would make the connection from it)") \
	X(HTTP_MALFORMED, "http_malformed", RESET, HTTP_FORM, \
	  "a request start the grammar refuses (request line, version, field line, framing, obs-fold, whitespace the `http.server` profile does not accept): the server would refuse it too; no client sends it") \
	X(HTTP_URGENT, "http_urgent", RESET, HTTP_FORM, \
	  "TCP urgent data (URG) to an HTTP port: the server reads the stream without the urgent byte; no HTTP client sends it") \
	X(HTTP_UNDECIDED_ORDER, "http_undecided_order", DROP, NONE, \
	  "HTTP segment beyond the next byte of a request head (out of order): dropped, so the client sends it again in order and no byte reaches the server unparsed; charged to no one") \
	X(HTTP_UNDECIDED_UNTRACKED, "http_undecided_untracked", PASS, NONE, \
	  "HTTP segment of a flow without parser state: the state was evicted, the connection predates the shield, or its offset is unknown (conntrack proof)") \
	X(HTTP_HEAD_LONG, "http_head_long", RESET, HTTP_FORM, \
	  "HTTP request head (empty lines, request line, fields) longer than `http.head_max` bytes: reset (nginx refuses a head over 32 KB; no client sends one)") \
	X(HTTP_UNDECIDED_OPAQUE, "http_undecided_opaque", PASS, NONE, \
	  "HTTP segment after an Upgrade, CONNECT or HTTP/2 preface: not HTTP/1 any more, not judged") \
	X(HTTP_SUSPECT, "http_suspect", RESET, HTTP_FORM, \
	  "an undecided HTTP segment from a suspect source (its prefix earned a bad-request ban, or it sent bad requests while the host-wide bad-request rate is over `http.suspect`): reset") \
	X(HTTP_DESYNC, "http_desync", RESET, HTTP_FORM, \
	  "a segment carrying bytes the parser took from a copy the kernel then dropped (a twin with a bad ACK, a stale timestamp or out of its window), which it cannot judge again; or a segment of a connection the shield reset whose RST the kernel ignored: reset (at the kernel's next byte), charged to no one") \
	X(TCP_FRAGMENT, "tcp_fragment", DROP, NONE, \
	  "the first IP fragment of TCP to a protected port: no TCP stack fragments (IPv4 sets DF, IPv6 TCP follows the path MTU), and the reassembled segment would reach the server unseen; dropped, so it never is") \
	X(EXT_CHAIN, "ext_chain", DROP, NONE, \
	  "an IPv6 packet with more extension headers than the shield walks: its L4 header is unseen; dropped (no real traffic has them)") \
	X(SYN_DATA, "syn_data", DROP, NONE, \
	  "a SYN carrying data (TCP Fast Open) to an HTTP port: the data would reach the server unparsed; dropped (the client retries the handshake without data)") \
	X(HTTP_LOST, "http_lost", RESET, HTTP_FORM, \
	  "a segment of a connection whose parser state is lost (evicted, a connection older than the shield, or behind DNAT) that does not start a request where the kernel reads next: what the server makes of it cannot be judged; reset, charged to no one (the client reconnects, and is followed from its first byte)") \
	X(SMTP_TEMPFAIL, "smtp_tempfail", PASS, NONE, \
	  "SMTP SYN within the rate of its DNS class: tempfail (the source's DNS did not answer)") \
	X(SMTP_DEFER_TEMPFAIL, "smtp_defer_tempfail", DROP, SMTP_RATE, \
	  "SMTP SYN over its class's rate, deferred: tempfail") \
	X(SMTP_FULL_VERIFIED, "smtp_full_verified", DROP, SMTP_FULL, \
	  "SMTP SYN of a verified source while its reserve and the whole capacity (`smtp.capacity`) are taken by open sessions: deferred (the client retries later)") \
	X(SMTP_FULL_TEMPFAIL, "smtp_full_tempfail", DROP, SMTP_FULL, \
	  "SMTP SYN of a tempfail source while the tempfail pool (`smtp.tempfail_share` of `smtp.capacity`) is full: deferred") \
	X(SMTP_FULL_OPEN, "smtp_full_open", DROP, SMTP_FULL, \
	  "SMTP SYN of an unverified or failed source while the open pool (what `smtp.reserve` and `smtp.tempfail_share` leave of `smtp.capacity`) is full: deferred") \
	X(HTTP_UNDECIDED_SIZE, "http_undecided_size", DROP, NONE, \
	  "an HTTP frame longer than the parser reads in one frame (64 KB: a GRO frame under BIG TCP, generic mode only): dropped unread, so the client sends its bytes again in smaller frames and none reaches the server unparsed; charged to no one") \
	X(VLAN_DEEP, "vlan_deep", DROP, NONE, \
	  "a frame with more VLAN tags than the shield walks (two): Linux strips any number of priority tags (VID 0) and delivers the packet inside, which the shield cannot see; dropped (no real traffic stacks three)") \
	X(FRAG_CUT, "frag_cut", DROP, NONE, \
	  "a first IP fragment that ends before its TCP header does, or (IPv6) inside its extension headers: Linux reassembles it (RFC 1858's tiny fragment) and the packet would reach its port unseen; dropped (no real stack sends one)")

/* Observe rules: X(ID, name, doc). `observe.<name>` (in the config
 * file: `<name>` in [observe]) lets the reasons whose rule is ID pass,
 * counted as observed. */
#define FS_OBSERVE_RULES(X) \
	X(BLOCK, "block", "static blocklist") \
	X(BAN, "ban", "dynamic bans") \
	X(SYN_RATE, "syn_rate", "SYN buckets") \
	X(HTTP_HOST, "http_host", "Host checks") \
	X(HTTP_FRAGMENT, "http_fragment", "`#` in the request target") \
	X(HTTP_RATE, "http_rate", "request buckets") \
	X(SMTP_RATE, "smtp_rate", "SMTP buckets") \
	X(HTTP_FORM, "http_form", "request-form checks: malformed requests, urgent data, suspects' undecided requests") \
	X(SMTP_FULL, "smtp_full", "SMTP session pools (`smtp.capacity`)")

/* Non-packet events, in fs_events: X(ID, name, doc). FS_E_<ID>. */
#define FS_EVENTS(X) \
	X(BAN_SRC, "ban_src", "a ban made for one source") \
	X(BAN_PREFIX, "ban_prefix", "a ban made for a prefix") \
	X(BAN_FAILED, "ban_failed", "the bans map was full of bans that never expire: a ban not recorded") \
	X(RATE_NEW, "rate_new", "a key took a slot of the rate table") \
	X(RATE_EVICTED, "rate_evicted", "of those, a slot taken from another key (the idler of its set)") \
	X(RATE_CONTENDED, "rate_contended", "compare-and-swap retries ran out: the packet passed") \
	X(FLOW_FAILED, "flow_failed", "always 0: the reset-flow table cannot refuse (kept for the ABI)") \
	X(EVENT_SENT, "event_sent", "event records sent to the daemon") \
	X(EVENT_RATE, "event_rate", "events not sent: over `events.rate`") \
	X(RING_FULL, "ring_full", "events not sent: the ring buffer was full") \
	X(BAN_EVICTED, "ban_evicted", "the bans map was full: the ban that expired first made room for a new one") \
	X(CONN_CT, "conn_ct", "a segment with no socket here proven by conntrack: a connection DNAT-ed to another netns, in its window") \
	X(CONN_CT_REFUSED, "conn_ct_refused", "a segment with no socket here whose conntrack entry does not prove it (not DNAT-ed, not assured or established, reply direction, outside the window)") \
	X(CONN_CT_MISSING, "conn_ct_missing", "a segment with no socket here left unproven: the kernel has no conntrack kfuncs for XDP") \
	X(PROVEN_NEW, "proven_new", "a source took a slot of the proven table (fs_proven)") \
	X(PROVEN_EVICTED, "proven_evicted", "of those, a slot taken from another live source (the least recently proven of its set)") \
	X(COOKIE_ENOENT, "cookie_enoent", "the kernel had room (`auto` mode, SYN queue not full): no cookie, the SYN passed to the kernel's handshake") \
	X(COOKIE_ERR, "cookie_err", "no cookie for another reason (no listener, a socket of the 4-tuple, a SYN the helper refused): the SYN passed to the kernel") \
	X(SMTP_OPENED, "smtp_opened", "an SMTP session counted open: the first segment of its flow the kernel's socket proves") \
	X(SMTP_CLOSED, "smtp_closed", "an SMTP session closed by the client's FIN or RST at the expected sequence") \
	X(SMTP_UNCOUNTED, "smtp_uncounted", "an SMTP session not counted: fs_smtp_flows was full") \
	X(SMTP_CONTACT, "smtp_contact", "a first proven contact of an SMTP source without a verdict, reported to the daemon") \
	X(HTTP_PICKUP, "http_pickup", "an HTTP flow without parser state picked up at a request start: its fs_hstate entry pushed out (the LRU full), a connection older than the shield, or any flow behind DNAT")

/* Why a ban exists: X(ID, name, doc). FS_BAN_<ID>, stored in fs_bans.
 * A ban of a prefix is the reason after its source's: the program
 * bans a prefix with `why + 1`. */
#define FS_BAN_REASONS(X) \
	X(MANUAL, "manual", "the CLI or the config") \
	X(SYN_RATE, "syn_rate", "the source kept exceeding a SYN bucket") \
	X(SYN_RATE_PREFIX, "syn_rate_prefix", "its prefix kept exceeding a SYN bucket") \
	X(HTTP_RATE, "http_rate", "the source kept exceeding its request rate") \
	X(HTTP_RATE_PREFIX, "http_rate_prefix", "its prefix kept exceeding its request rate") \
	X(HTTP_BAD, "http_bad", "the source sent too many bad requests") \
	X(HTTP_BAD_PREFIX, "http_bad_prefix", "its prefix sent too many bad requests") \
	X(CONN_RATE, "conn_rate", "the source kept exceeding its rate of proven connections (completed handshakes)") \
	X(CONN_RATE_PREFIX, "conn_rate_prefix", "its prefix kept exceeding its rate of proven connections")

/* DNS verification class of a source (forward-confirmed reverse DNS),
 * as the SMTP buckets see it: X(ID, name, doc). FS_DNS_<ID>, stored in
 * fs_dns. No entry means unverified. */
#define FS_DNS_CLASSES(X) \
	X(UNVERIFIED, "unverified", "not checked yet, or a temporary failure") \
	X(VERIFIED, "verified", "FCrDNS passed") \
	X(FAILED, "failed", "FCrDNS failed") \
	X(TEMP, "tempfail", "the resolver did not answer (timeout, SERVFAIL): retried a bounded number of times, admitted within a budget of its own")

/* Why a verification ended as it did: X(ID, name, doc). FS_DNSR_<ID>. */
#define FS_DNS_REASONS(X) \
	X(OK, "ok", "a PTR name's forward records hold the address") \
	X(NO_PTR, "no_ptr", "no PTR record") \
	X(NO_FORWARD, "no_forward", "PTR names, but no A/AAAA for them") \
	X(MISMATCH, "mismatch", "forward records exist, the address is not among them") \
	X(OUTSIDE_SUFFIX, "outside_suffix", "the confirmed name is not under the required suffix") \
	X(WEAK, "weak", "a PTR name under an allowed suffix, no forward records: accepted by policy") \
	X(TIMEOUT, "timeout", "temporary failure: no answer in time") \
	X(SERVFAIL, "servfail", "temporary failure: SERVFAIL or a resolver error")

/* SMTP session pools (docs/smtp.md, Admission): X(ID, name, doc).
 * FS_POOL_<ID> indexes fs_smtp_pools; the name is the `class` label of
 * floodshield_smtp_sessions and floodshield_smtp_capacity. */
#define FS_SMTP_POOLS(X) \
	X(VERIFIED, "verified", "verified sources (FCrDNS ok, or weak): `smtp.reserve` percent of `smtp.capacity` is theirs alone, and they may take any free place of the rest") \
	X(TEMPFAIL, "tempfail", "sources whose DNS did not answer: `smtp.tempfail_share` percent of `smtp.capacity`") \
	X(OPEN, "open", "unverified, failed and not-yet-known sources together: what the two shares above leave")

/* Where a list entry came from: X(ID, name, doc). FS_ORIGIN_<ID>. */
#define FS_ORIGINS(X) \
	X(STATIC, "config", "the config file") \
	X(CLI, "cli", "`floodshield allow add` or `block add`") \
	X(DNS, "dns", "DNS-verified, with an expiry")

/* Service classes, selected by TCP destination port: X(ID, name, doc).
 * FS_SVC_<ID>, stored in fs_services. */
#define FS_SERVICES(X) \
	X(NONE, "none", "not protected: the lists only") \
	X(TCP, "tcp", "generic TCP: SYN policing") \
	X(HTTP, "http", "SYN policing and HTTP request inspection") \
	X(SMTP, "smtp", "SYN policing by the DNS class of the source")

/* How the daemon's last configuration reload ended: X(ID, name, doc).
 * FS_RELOAD_<ID>, stored in fs_daemon; the name is the `result` label
 * of floodshield_config_reloads_total. */
#define FS_RELOAD_RESULTS(X) \
	X(NONE, "none", "no reload since the daemon started") \
	X(APPLIED, "applied", "the maps follow the new file") \
	X(REFUSED, "refused", "the file did not load: nothing changed") \
	X(ROLLED_BACK, "rolled_back", "a map refused part of it: back to the running configuration")

/* Token buckets: X(ID, name, kind, src rate, src burst, prefix rate,
 * prefix burst, doc). FS_B_<ID> indexes fs_cfg.limits (so a new row
 * changes the settings map's layout).
 *   kind  LEVELS: a per-source and a per-prefix level, set by the keys
 *         <name>.src and <name>.prefix (defaults: rate/burst, never 0);
 *         GLOBAL: one bucket with a key of its own; NONE: no bucket. */
#define FS_BUCKETS(X) \
	X(NONE, "none", NONE, 0, 0, 0, 0, \
	  "no bucket: ban keys carry this") \
	X(SYN_TCP, "syn.tcp", LEVELS, 20, 40, 200, 400, \
	  "SYNs per second / burst, per source and per prefix, for `tcp` ports") \
	X(SYN_HTTP, "syn.http", LEVELS, 20, 40, 200, 400, \
	  "SYNs per second / burst, per source and per prefix, for `http` ports") \
	X(HTTP_REQ, "http.req", LEVELS, 100, 200, 1000, 2000, \
	  "HTTP requests per second / burst; over it: RESET (never a ban: requests could be forged)") \
	X(HTTP_BAD, "http.bad", LEVELS, 1, 3, 10, 30, \
	  "bad HTTP requests: the burst is how many a source (prefix) may send; the next one bans it") \
	X(SMTP_VERIFIED, "smtp.verified", LEVELS, 20, 40, 200, 400, \
	  "SMTP SYNs from sources whose reverse DNS forward-confirms; over it the SYN is dropped (the client retries later)") \
	X(SMTP_UNVERIFIED, "smtp.unverified", LEVELS, 5, 10, 50, 100, \
	  "SMTP SYNs from sources not verified yet (or whose DNS did not answer)") \
	X(SMTP_FAILED, "smtp.failed", LEVELS, 1, 3, 10, 30, \
	  "SMTP SYNs from sources whose verification failed") \
	X(EVENTS, "events", GLOBAL, 0, 0, 0, 0, \
	  "events to the daemon: one global bucket (fs_evbucket), set by `events.rate`") \
	X(CONN, "conn", LEVELS, 50, 100, 500, 1000, \
	  "proven connections (a cookie ACK, a connection's first request or EHLO on a socket the kernel holds) per second / burst; `ban.after` excesses ban") \
	X(SYN_GUARD, "syn.guard", GLOBAL, 0, 0, 0, 0, \
	  "all SYNs to protected TCP and HTTP ports: one global bucket (fs_syn), set by `syn.guard`") \
	X(SYN_COOKIE, "syn.cookie", GLOBAL, 0, 0, 0, 0, \
	  "SYN cookie replies: one global bucket (fs_syn), set by `syn.cookie.rate`") \
	X(HTTP_SUSPECT, "http.suspect", GLOBAL, 0, 0, 0, 0, \
	  "bad HTTP requests host-wide: one global bucket (fs_syn), set by `http.suspect`; over it, sources with bad requests on record are suspects") \
	X(SMTP_TEMPFAIL, "smtp.tempfail", LEVELS, 5, 10, 50, 100, \
	  "SMTP connections from sources whose DNS did not answer (class tempfail), apart from unverified and failed bots'") \
	X(SYN_SMTP, "syn.smtp", LEVELS, 20, 40, 200, 400, \
	  "SYNs per second / burst, per source and per prefix, for `smtp` ports, after SMTP admission and only with `syn.cookies` on: over it a SYN gets a cookie or goes to the kernel, never dropped")

/* `syn.cookies` modes: X(ID, name, doc). FS_COOKIES_<ID>, stored in
 * fs_cfg.syn_cookies. */
#define FS_SYN_COOKIE_MODES(X) \
	X(OFF, "off", "no cookies from XDP: over-rate SYNs are dropped (never a ban)") \
	X(AUTO, "auto", "a cookie when the kernel would send one (the listener's SYN queue is full)") \
	X(ALWAYS, "always", "a cookie for every unproven SYN over its bucket or under pressure; needs net.ipv4.tcp_syncookies=2")

/* `http.server` profiles: which server the request forms are judged
 * for: X(ID, name, doc). FS_HTTP_SERVER_<ID>, stored in
 * fs_cfg.http_server. */
#define FS_HTTP_SERVERS(X) \
	X(BOTH, "both", "the forms either server routes are judged by their Host (the union); what both refuse is malformed") \
	X(APACHE, "apache", "Apache 2.4 with `HttpProtocolOptions Strict`: one SP between request-line tokens, CRLF line ends, at most 10 empty lines before a request; other forms are malformed") \
	X(NGINX, "nginx", "nginx: runs of SP in the request line, bare LF line ends and any number of empty lines are judged by their Host")

/* HTTP policies, `pass` or `reset`: X(bit of fs_cfg.http_flags, key,
 * default, doc). */
#define FS_HTTP_POLICIES(X) \
	X(FS_HTTP_RESET_NO_HOST10, "http.no_host_10", "reset", \
	  "`reset` HTTP/1.0 and HTTP/0.9 requests without Host (the catch-all vhost answers them)") \
	X(FS_HTTP_RESET_IP_HOST, "http.ip_host", "pass", \
	  "`reset` requests whose Host is one of the server's own addresses (`http.own`); any other IP literal is an unserved Host") \
	X(FS_HTTP_RESET_H2, "http.h2_preface", "reset", \
	  "`reset` the HTTP/2 prior-knowledge preface (`PRI * HTTP/2.0`); `pass` where the port serves h2c: the connection is then opaque (not judged)")

/* Settings keys (`floodshield set` and `show`, the [limits] and
 * [observe] sections of the config file), in the order `show` prints
 * them: X(key, file key, section, type, field, arg, default, doc)
 *   file key  its name in its section of the config file (0: the key)
 *   section   LIMITS or OBSERVE
 *   type      FLAG: bit arg of `flags`, on or off
 *             UINT: 0 to arg
 *             DURATION: seconds (90, 90s, 15m, 2h, 7d), at least arg;
 *                       the field holds nanoseconds
 *             RATE: RATE/BURST or off (struct fs_rate)
 *             CHOICE: a name of the list arg (loader/settings.c), its
 *                     position stored in a __u8
 *   field     of struct fs_cfg
 *   default   as `show` prints it (fs_cfg_defaults() parses it)
 * OBS, POL and BKT are called in their place with the rows of
 * FS_OBSERVE_RULES (key observe.<name>, on or off), FS_HTTP_POLICIES
 * and FS_BUCKETS (kind LEVELS: keys <name>.src and <name>.prefix). */
#define FS_SETTINGS(X, OBS, POL, BKT) \
	X("observe", "all", OBSERVE, FLAG, flags, FS_CFG_OBSERVE, "off", \
	  "count everything, drop nothing") \
	X("prefix.v4", 0, LIMITS, UINT, v4_prefix, 32, "24", \
	  "length of the IPv4 per-prefix buckets and prefix bans") \
	X("prefix.v6", 0, LIMITS, UINT, v6_prefix, 128, "64", \
	  "length of the IPv6 per-prefix buckets and prefix bans") \
	X("ban.after", 0, LIMITS, UINT, ban_after, 1000000, "20", \
	  "proven connections over the `conn` bucket before a ban (0: never); the count is forgotten once the bucket refills completely, so a source that keeps exceeding its rate of completed handshakes, even slightly, is banned. SYN counts never ban (a SYN can be forged). Bans hold for TCP to protected ports only") \
	X("ban.ttl", 0, LIMITS, DURATION, ban_ttl_ns, 1, "60s", \
	  "first ban") \
	X("ban.ttl_max", 0, LIMITS, DURATION, ban_ttl_max_ns, 1, "3600s", \
	  "cap, not below `ban.ttl`; the TTL doubles per repeat ban") \
	X("ban.growth", 0, LIMITS, UINT, ban_shift_max, 32, "6", \
	  "at most this many doublings") \
	FS_OBSERVE_RULES(OBS) \
	X("events.rate", 0, LIMITS, RATE, limits[FS_B_EVENTS].src, 0, "100/200", \
	  "events (EHLO names, new sources) sent to the daemon per second / burst") \
	X("events.dedup", 0, LIMITS, DURATION, event_dedup_ns, 0, "600s", \
	  "a source is reported at most once per this") \
	X("verify.http", 0, LIMITS, FLAG, flags, FS_CFG_VERIFY_HTTP, "off", \
	  "report new HTTP sources to the verifier (for `allow_domain` crawler checks)") \
	FS_HTTP_POLICIES(POL) \
	X("http.server", 0, LIMITS, CHOICE, http_server, FS_CHOICE_HTTP_SERVER, "both", \
	  "the server whose request forms are judged: `both`, `apache` or `nginx` (`hosts import` sets it)") \
	X("http.head_max", 0, LIMITS, UINT, http_head_max, 1048576, "65536", \
	  "bytes of a request head (empty lines, request line, fields), across segments; a longer head is reset (`http_head_long`)") \
	X("http.suspect", 0, LIMITS, RATE, limits[FS_B_HTTP_SUSPECT].src, 0, "50/100", \
	  "bad HTTP requests per second / burst host-wide; over it, for `http.suspect_hold`, undecided requests from sources with bad requests on record are reset") \
	X("http.suspect_hold", 0, LIMITS, DURATION, http_suspect_hold_ns, 1, "60s", \
	  "how long the suspicion window lasts after `http.suspect` was exceeded") \
	X("smtp.capacity", 0, LIMITS, UINT, smtp_capacity, 1000000, "0", \
	  "SMTP sessions the mail server serves at once (Postfix: its smtpd processes); 0: read from Postfix (`postconf`, master.cf) by `attach` and the daemon, no admission limit when Postfix is not installed; `smtp import` sets it") \
	X("smtp.reserve", 0, LIMITS, UINT, smtp_reserve, 100, "25", \
	  "percent of `smtp.capacity` kept for verified sources: unverified, failed and tempfail sources never hold it") \
	X("smtp.tempfail_share", 0, LIMITS, UINT, smtp_tempfail_share, 100, "10", \
	  "percent of `smtp.capacity` for sources whose DNS did not answer (class tempfail), apart from the open pool of unverified and failed sources") \
	X("smtp.idle", 0, LIMITS, DURATION, smtp_idle_ns, 1, "300s", \
	  "an SMTP session with no client segment for this long stops counting (the daemon's sweep); a FIN or RST from the client ends it at once") \
	X("syn.proven_ttl", 0, LIMITS, DURATION, proven_ttl_ns, 1, "3600s", \
	  "a source stays proven (fs_proven) this long after its last completed handshake, first request or EHLO") \
	X("syn.guard", 0, LIMITS, RATE, limits[FS_B_SYN_GUARD].src, 0, "2000/4000", \
	  "SYNs per second / burst to all protected TCP and HTTP ports together (and SMTP SYNs admitted, with `syn.cookies` on); over it the shield is under pressure for `syn.guard_hold`") \
	X("syn.guard_hold", 0, LIMITS, DURATION, syn_guard_hold_ns, 1, "10s", \
	  "how long pressure lasts after the guard was exceeded (or the kernel took a cookie): unproven sources' SYNs get cookies meanwhile") \
	X("syn.cookies", 0, LIMITS, CHOICE, syn_cookies, FS_CHOICE_SYN_COOKIES, "auto", \
	  "SYN cookies from XDP for unproven sources over their SYN bucket or under pressure: `auto` when the kernel would send one (its SYN queue is full), `always` (needs net.ipv4.tcp_syncookies=2), `off`") \
	X("syn.cookie.rate", 0, LIMITS, RATE, limits[FS_B_SYN_COOKIE].src, 0, "1000000/100000", \
	  "SYN cookie replies per second / burst, all sources together (bounds backscatter); over it the SYN is dropped (`syn_cookie_budget`)") \
	X("syn.cookie.mss4", 0, LIMITS, UINT, cookie_mss4, 65535, "1460", \
	  "the MSS a cookie SYN-ACK advertises over IPv4 (the interface MTU - 40)") \
	X("syn.cookie.mss6", 0, LIMITS, UINT, cookie_mss6, 65535, "1440", \
	  "the MSS a cookie SYN-ACK advertises over IPv6 (the interface MTU - 60)") \
	X("syn.cookie.ts", 0, LIMITS, FLAG, flags, FS_CFG_COOKIE_TS, "off", \
	  "cookie SYN-ACKs carry SACK, timestamps and window scaling (encoded in the timestamp, as the kernel does) for SYNs with Linux's option layout, so cookie-made connections keep full speed; needs net.ipv4.tcp_timestamps=2 and `syn.cookie.wscale` equal to the kernel's own (`check` and `set` verify both)") \
	X("syn.cookie.wscale", 0, LIMITS, UINT, cookie_wscale, 14, "7", \
	  "the window scale a `syn.cookie.ts` SYN-ACK advertises: the kernel's own, log2(max(tcp_rmem[2], rmem_max)) - 15, which is 7 with Debian's defaults") \
	FS_BUCKETS(BKT)

/* What a map holds, and so what a load does when a build with another
 * layout pinned it: X(ID, name, doc). */
#define FS_MAP_ROLES(X) \
	X(LIST, "list", "entries from operators, DNS or the program (lists, bans, hosts, DNS verdicts): never dropped; another layout refuses the load, naming the map") \
	X(SETTINGS, "settings", "settings and port classes: never dropped; fs_cfg of another layout (a setting or bucket added) is replaced with the defaults, which the daemon's sync or a reload then overwrites from the config file; fs_svc of another layout refuses the load") \
	X(COUNTERS, "counters", "per-CPU counters indexed by a table's rows, with fixed slots: pinned with fewer slots (an older build), grown with every CPU's values kept at their index; another layout refuses the load") \
	X(STATE, "state", "state the program may lose or userspace rebuilds: another layout is replaced and starts afresh") \
	X(DAEMON, "daemon", "the daemon's pid and reload counters: replaced like state; missing (fd -1) until the next load in a pin folder an older build made") \
	X(RING, "ring", "records on their way to the daemon: another layout refuses the load") \
	X(KEY, "key", "the set hashes' secret key: random when a load creates it, kept with its pin; another layout is replaced with a new key (the set-associative state then starts afresh); missing (fd -1: the unkeyed hash of the older program still running) until the next load in a pin folder an older build made")

/* Pinned maps, one row each (a map private to the program, unpinned,
 * as http.bpf.h's scratch buffer, is not here):
 * X(ID, field, role, fill, key size, value size, doc)
 *   ID     FS_MAP_<ID> is its name (maps/floodshield.h), its definition
 *          is in bpf/maps.bpf.h
 *   field  its fd in struct fs_map_fds (loader/loader.h)
 *   role   a row of FS_MAP_ROLES
 *   fill   FILL: floodshield_map_entries / _capacity report it, labelled
 *          with its name without "fs_"; or NOFILL
 * tests/test_tables.c checks the rows against the BPF object. */
#define FS_MAPS(X) \
	X(ALLOW, allow, LIST, FILL, sizeof(struct fs_lpm_key), sizeof(struct fs_list_val), \
	  "the static and DNS-verified allowlist") \
	X(BLOCK, block, LIST, FILL, sizeof(struct fs_lpm_key), sizeof(struct fs_list_val), \
	  "the static blocklist") \
	X(BANS, bans, LIST, FILL, sizeof(struct fs_key), sizeof(struct fs_ban), \
	  "dynamic bans of sources and prefixes (a plain hash; when full, a new ban takes the place of one that expires first)") \
	X(RATE, rate, STATE, FILL, sizeof(__u32), sizeof(struct fs_rate_slot), \
	  "the token buckets: a two-way set-associative table of struct fs_rate_slot") \
	X(SVC, svc, SETTINGS, NOFILL, sizeof(__u32), sizeof(enum fs_svc), \
	  "the service class of each TCP destination port") \
	X(CFG, cfg, SETTINGS, NOFILL, sizeof(__u32), sizeof(struct fs_cfg), \
	  "the runtime settings (struct fs_cfg)") \
	X(STATS, stats, COUNTERS, NOFILL, sizeof(__u32), sizeof(struct fs_counter), \
	  "packets and bytes by reason (observed ones apart), FS_STATS_SLOTS slots") \
	X(EVENTS, events, COUNTERS, NOFILL, sizeof(__u32), sizeof(__u64), \
	  "event counters, FS_EVENTS_SLOTS slots") \
	X(HOSTS, hosts, LIST, FILL, sizeof(struct fs_host_key), sizeof(struct fs_host_val), \
	  "the served HTTP hosts") \
	X(FLOWS, flows, STATE, FILL, sizeof(__u32), sizeof(struct fs_flow_slot), \
	  "flows answered with RESET: a 4-way set-associative table of struct fs_flow_slot") \
	X(DNS, dns, LIST, FILL, sizeof(struct fs_addr_key), sizeof(struct fs_dns_val), \
	  "the DNS verdict of each verified source") \
	X(RING, ring, RING, NOFILL, 0, 0, \
	  "EHLO names and new sources for the daemon") \
	X(SEEN, seen, STATE, FILL, sizeof(struct fs_addr_key), sizeof(__u64), \
	  "when each source was last reported to the daemon") \
	X(EVBUCKET, evbucket, STATE, NOFILL, sizeof(__u32), sizeof(struct fs_bucket_val), \
	  "the global events bucket (apart, so that no churn refills it)") \
	X(FILTER, filter, STATE, NOFILL, sizeof(__u32), sizeof(struct fs_filter), \
	  "the prefilter bits of the lists, bans and DNS verdicts (mmapable)") \
	X(HOSTFP, hostfp, STATE, NOFILL, sizeof(__u32), sizeof(struct fs_hostfp), \
	  "the served-host bits (FS_HOSTS_*) and 64-bit prints of the exact served hosts (mmapable)") \
	X(DAEMON, daemon, DAEMON, NOFILL, sizeof(__u32), sizeof(struct fs_daemon_state), \
	  "the daemon's pid and reloads (written by the daemon only)") \
	X(PROVEN, proven, STATE, FILL, sizeof(__u32), sizeof(struct fs_proven_slot), \
	  "sources proven by a completed handshake: a 4-way set-associative table of struct fs_proven_slot") \
	X(SYN, syn, STATE, NOFILL, sizeof(__u32), sizeof(struct fs_syn_state), \
	  "the SYN guard and cookie buckets, the pressure and cookie windows (struct fs_syn_state)") \
	X(HSTATE, hstate, STATE, FILL, sizeof(struct fs_hflow_key), sizeof(struct fs_hstate), \
	  "the HTTP parser's resume state of each flow (struct fs_hstate, an LRU hash): where the next in-order segment continues") \
	X(HHOST, hhost, STATE, FILL, sizeof(struct fs_hflow_key), sizeof(struct fs_hhost), \
	  "a Host value cut by a segment end, kept until its line ends (an LRU hash)") \
	X(OWN, own, STATE, FILL, sizeof(struct fs_addr_key), sizeof(__u32), \
	  "the server's own addresses (`http.own`, by default those of the shielded interfaces): a Host naming one follows `http.ip_host`") \
	X(SMTP_FLOWS, smtp_flows, STATE, FILL, sizeof(struct fs_flow_key), sizeof(struct fs_smtp_flow), \
	  "open SMTP sessions, counted from their first proven segment (a plain hash): their pool and last segment") \
	X(SMTP_POOLS, smtp_pools, STATE, NOFILL, sizeof(__u32), sizeof(struct fs_smtp_pool), \
	  "sessions opened and closed per SMTP pool (struct fs_smtp_pool)") \
	X(HKEY, hkey, KEY, NOFILL, sizeof(__u32), sizeof(struct fs_hkey), \
	  "the secret key of the set hashes of fs_rate, fs_flows and fs_proven (struct fs_hkey): random when the loader creates it, kept with its pin")

/* clang-format on */

#endif
