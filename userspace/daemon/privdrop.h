/* SPDX-License-Identifier: GPL-2.0 */
/* Dropping privileges once the program is attached. */
#ifndef FS_PRIVDROP_H
#define FS_PRIVDROP_H

/* Drop every capability for good: bounding and ambient sets emptied,
 * permitted, effective and inheritable sets cleared, no_new_privs set.
 * Threads started later hold none. 0, or -1 with a message logged. */
int fs_drop_privileges(void);

#endif
