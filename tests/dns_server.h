/* SPDX-License-Identifier: GPL-2.0 */
/* The test's own unbound (tests/test_dns.c): started on 127.0.0.1 and a
 * free port with the fixtures of tests/dns/fixtures.conf, stopped by its
 * PID. Other suites reuse it (tests/test_writers.c). */
#ifndef FS_TEST_DNS_SERVER_H
#define FS_TEST_DNS_SERVER_H

#include <stdbool.h>

#define DNS_SERVER_BIN "/usr/sbin/unbound"

/* Start it; false (the subtest failed, said why) if it does not come up.
 * Call dns_server_stop() either way. */
bool dns_server_start(void);
void dns_server_stop(void);
/* Its port on 127.0.0.1 (valid after a start). */
int dns_server_port(void);

#endif
