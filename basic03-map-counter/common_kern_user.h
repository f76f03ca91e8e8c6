/* SPDX-License-Identifier: GPL-2.0 */
/* basic03: what the BPF program and the loader agree on about the stats map.
 *
 * Both sides include this file, so the value the kernel writes and the value
 * user space reads have the same layout. Change it, and run make: both the
 * BPF object and the loader are rebuilt.
 */
#ifndef BASIC03_COMMON_KERN_USER_H
#define BASIC03_COMMON_KERN_USER_H

#include <linux/types.h>
#include <linux/bpf.h>

/* The value stored for each XDP action (the map's key). */
struct datarec {
	__u64 rx_packets;
	/* Assignment 1: add a byte counter, __u64 rx_bytes. */
	/* Assignment 1: end */
};

/* The name of the map in the BPF object (the name of its variable in
 * xdp_prog.bpf.c): the loader finds it by this name.
 */
#define XDP_STATS_MAP_NAME "xdp_stats_map"

/* XDP actions are numbered 0 (XDP_ABORTED) to XDP_REDIRECT: one map slot each. */
#ifndef XDP_ACTION_MAX
#define XDP_ACTION_MAX (XDP_REDIRECT + 1)
#endif

#endif /* BASIC03_COMMON_KERN_USER_H */
