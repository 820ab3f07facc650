/* SPDX-License-Identifier: GPL-2.0 */
/* systemd's notification protocol (sd_notify(3)), spoken directly: one
 * datagram to the AF_UNIX socket named by $NOTIFY_SOCKET. */
#ifndef FS_NOTIFY_H
#define FS_NOTIFY_H

/* Send the newline-separated assignments @fmt (READY=1, RELOADING=1,
 * STOPPING=1, STATUS=...) when $NOTIFY_SOCKET is set (a path, or
 * "@name" for the abstract namespace); nothing otherwise. A failure is
 * logged once and otherwise ignored: the daemon works on. */
void fs_notify(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
