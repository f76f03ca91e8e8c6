/* SPDX-License-Identifier: GPL-2.0 */
/* Where pins live: the BPF filesystem (bpffs), one directory per interface.
 * Used by the loaders that pin (basic04 and later) and by xdp_stats.
 */
#ifndef BPFFS_H
#define BPFFS_H

#include <stddef.h>
#include "options.h"

/* Where bpffs is mounted by convention ('make deps' mounts it there). */
#define BPFFS_ROOT "/sys/fs/bpf"

/* The name of a loader's link pin in its pin directory (basic04's xdp_link_pin
 * makes it; the other loaders name it when a link holds the program).
 */
#define XDP_LINK_PIN_NAME "xdp_link"

/* Fill cfg->pin_dir with BPFFS_ROOT/IFNAME unless --pin-dir gave one.
 * Returns 0, or -ENAMETOOLONG (reported).
 */
int set_pin_dir(struct config *cfg);

/* Check that dir, or the closest directory above it when dir does not exist
 * yet, is on a BPF filesystem: pins can be made nowhere else. When it is not,
 * print one line saying why (no bpffs mounted, a directory outside it, or a
 * shell inside 'ip netns exec', which hides it) and what to do, and return
 * -EMEDIUMTYPE; other errors are reported and returned as -errno.
 */
int check_bpffs(const char *dir);

/* Write DIR/NAME into buf. Returns 0, or -ENAMETOOLONG (reported). */
int pin_path(char *buf, size_t len, const char *dir, const char *name);

#endif /* BPFFS_H */
