/* SPDX-License-Identifier: GPL-2.0 */
/* What the kernel side and user space agree on for the XDP action stats map. */
#ifndef XDP_STATS_KERN_USER_H
#define XDP_STATS_KERN_USER_H

#include <linux/types.h>
#include <linux/bpf.h>

/* One record per XDP action: what the program decided, how often, and how many
 * bytes those frames held (frame length as XDP saw it, Ethernet header included).
 */
struct datarec {
	__u64 rx_packets;
	__u64 rx_bytes;
};

/* The name of the map in the BPF object (the name of its variable), and so of
 * its pin: the loaders find it by this name.
 */
#define XDP_STATS_MAP_NAME "xdp_stats_map"

/* XDP actions are 0..XDP_REDIRECT; the map has one slot for each. */
#ifndef XDP_ACTION_MAX
#define XDP_ACTION_MAX (XDP_REDIRECT + 1)
#endif

#endif /* XDP_STATS_KERN_USER_H */
