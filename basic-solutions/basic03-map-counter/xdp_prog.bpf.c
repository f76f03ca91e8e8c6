// SPDX-License-Identifier: GPL-2.0
/* basic03: count the frames an XDP program sees, in a BPF map.
 *
 * A BPF program keeps nothing from one run to the next: every frame starts it
 * afresh. To remember anything, it writes into a map, which lives in the
 * kernel beside the program. User space opens the same map and reads it:
 * that is how the loader shows the counters.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#include "common_kern_user.h"

/* A BTF-defined map. The macros from bpf_helpers.h turn each line into a
 * member of an anonymous struct; clang records its type in the object's BTF,
 * and libbpf reads that to create the map when the object is loaded. The
 * variable name, xdp_stats_map, becomes the map's name.
 *
 * An array map: keys are 0 .. max_entries - 1 and every slot exists from the
 * start, filled with zeros. One slot per XDP action.
 */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY); /* Assignment 3: per-CPU, see the helper */
	__type(key, __u32);
	__type(value, struct datarec);
	__uint(max_entries, XDP_ACTION_MAX);
} xdp_stats_map SEC(".maps");

/* Assignment 2: count the frame under the key `action`, and return action, so
 * that a program can end with `return xdp_stats_record_action(ctx, XDP_...);`.
 * This is, nearly line for line, headers/xdp_stats_kern.h, which the later
 * lessons include instead of repeating it.
 *
 * Per-CPU (assignment 3): each CPU has its own copy of every value and only
 * ever touches that copy, so two CPUs never update the same counter and no
 * atomic operation is needed (atomics are slow when CPUs fight over one cache
 * line). User space reads all the copies at once and adds them up.
 */
static __always_inline __u32 xdp_stats_record_action(struct xdp_md *ctx, __u32 action)
{
	void *data_end = (void *)(long)ctx->data_end;
	void *data = (void *)(long)ctx->data;
	struct datarec *rec;

	/* A key past the end of the array has no slot: the lookup would fail. */
	if (action >= XDP_ACTION_MAX)
		return XDP_ABORTED;

	/* May be NULL in the verifier's eyes: check before using it. */
	rec = bpf_map_lookup_elem(&xdp_stats_map, &action);
	if (!rec)
		return XDP_ABORTED;

	/* This CPU's own copy: nobody else writes it, plain adds are safe. */
	rec->rx_packets++;
	rec->rx_bytes += data_end - data;
	return action;
}
/* Assignment 2: end */

/* Count the frame, then let it pass. */
SEC("xdp")
int xdp_pass_func(struct xdp_md *ctx)
{
	/* Assignment 2: the counting moved into xdp_stats_record_action(). */
	return xdp_stats_record_action(ctx, XDP_PASS);
	/* Assignment 2: end */
}

/* Drop every frame. The loader attaches this one with --progname xdp_drop_func. */
SEC("xdp")
int xdp_drop_func(struct xdp_md *ctx)
{
	/* Assignment 2: counted like xdp_pass_func's frames, then dropped. */
	return xdp_stats_record_action(ctx, XDP_DROP);
	/* Assignment 2: end */
}

/* The kernel lets only GPL-compatible programs call some helpers. */
char _license[] SEC("license") = "GPL";
