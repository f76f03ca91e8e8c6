// SPDX-License-Identifier: GPL-2.0
/* basic03, solved: count the frames and bytes of every XDP action, per CPU.
 *
 * This is, nearly line for line, headers/xdp_stats_kern.h, which the later
 * lessons include instead of repeating it.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#include "common_kern_user.h"

/* Per-CPU: each CPU has its own copy of every value and only ever touches
 * that copy, so two CPUs never update the same counter and no atomic
 * operation is needed (atomics are slow when CPUs fight over one cache line).
 * User space reads all the copies at once and adds them up.
 */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__type(key, __u32);
	__type(value, struct datarec);
	__uint(max_entries, XDP_ACTION_MAX);
} xdp_stats_map SEC(".maps");

/* Count the frame under the key `action`, and return action, so that a program
 * can end with `return xdp_stats_record_action(ctx, XDP_...);`.
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

/* Count the frame, then let it pass. */
SEC("xdp")
int xdp_pass_func(struct xdp_md *ctx)
{
	return xdp_stats_record_action(ctx, XDP_PASS);
}

/* Count the frame, then drop it. */
SEC("xdp")
int xdp_drop_func(struct xdp_md *ctx)
{
	return xdp_stats_record_action(ctx, XDP_DROP);
}

/* The kernel lets only GPL-compatible programs call some helpers. */
char _license[] SEC("license") = "GPL";
