/* SPDX-License-Identifier: GPL-2.0 */
/* The stats map and the helper that records an XDP action in it. Include this
 * in a BPF program and end it with `return xdp_stats_record_action(ctx, action);`.
 */
#ifndef XDP_STATS_KERN_H
#define XDP_STATS_KERN_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "xdp_stats_kern_user.h"

/* Per-CPU: each CPU updates its own copy, so no atomic operations are needed;
 * user space sums the copies when it reads the map.
 *
 * Pinning: none by default. The lessons' loaders pin the map themselves, in
 * /sys/fs/bpf/IFNAME/, where xdp_stats reads it (basic04). An object loaded
 * with another tool can ask to be pinned by name instead: define
 * XDP_STATS_PIN_BY_NAME before including this file (or -DXDP_STATS_PIN_BY_NAME)
 * and `ip link set dev X xdp obj F sec xdp` pins the map at
 * /sys/fs/bpf/xdp/globals/xdp_stats_map, `xdp-loader load -p DIR X F` at
 * DIR/xdp_stats_map; `xdp_stats --dev X --pin-dir DIR` reads it there. Not with
 * the lessons' loaders: libbpf would pin the map at /sys/fs/bpf/xdp_stats_map
 * during the load, then refuse their pin elsewhere (EINVAL).
 */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__type(key, __u32);
	__type(value, struct datarec);
	__uint(max_entries, XDP_ACTION_MAX);
#ifdef XDP_STATS_PIN_BY_NAME
	__uint(pinning, LIBBPF_PIN_BY_NAME);
#endif
} xdp_stats_map SEC(".maps");

static __always_inline __u32 xdp_stats_record_action(struct xdp_md *ctx, __u32 action)
{
	void *data_end = (void *)(long)ctx->data_end;
	void *data = (void *)(long)ctx->data;
	struct datarec *rec;

	if (action >= XDP_ACTION_MAX)
		return XDP_ABORTED;

	/* The lookup can fail in the verifier's eyes, so check it even though
	 * an array map always holds every key below max_entries.
	 */
	rec = bpf_map_lookup_elem(&xdp_stats_map, &action);
	if (!rec)
		return XDP_ABORTED;

	rec->rx_packets++;
	rec->rx_bytes += data_end - data;
	return action;
}

#endif /* XDP_STATS_KERN_H */
