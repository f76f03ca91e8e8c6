// SPDX-License-Identifier: GPL-2.0
/* Test program for headers/xdp_stats_kern.h: records the action the first byte of
 * the frame names, and returns what xdp_stats_record_action() returned.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#include "xdp_stats_kern.h"

SEC("xdp")
int record_action(struct xdp_md *ctx)
{
	void *data_end = (void *)(long)ctx->data_end;
	__u8 *first = (void *)(long)ctx->data;

	if ((void *)(first + 1) > data_end)
		return XDP_ABORTED;
	return xdp_stats_record_action(ctx, *first);
}

char _license[] SEC("license") = "GPL";
