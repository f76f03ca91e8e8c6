// SPDX-License-Identifier: GPL-2.0
/* The bench's own XDP programs (bench/README.org):
 *
 * - xdp_gen: the traffic generator. Run with BPF_PROG_RUN and
 *   BPF_F_TEST_XDP_LIVE_FRAMES, each run writes the whole frame from frame_map
 *   into the packet and sends it with XDP_TX out of the interface the run
 *   names. The frame is rewritten on every run because live-frame pages are
 *   recycled: a page comes back with whatever the receiver (a router
 *   decrementing the TTL, an echo responder swapping addresses) left in it.
 *   The frame lives in a map, written by user space, so that its bytes never
 *   depend on what the compiler folded from a read-only global.
 * - xdp_restore_call: the same rewrite, then a tail call into the program
 *   under test, for measuring the cost of programs that change the packet
 *   (each run must see the intended packet, not the previous run's output).
 * - xdp_bare_*: the baselines, one action each with nothing else.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <bpf/bpf_helpers.h>

#include "bench_frame.h"

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct bench_frame);
} frame_map SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} call_map SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct bench_redirect);
} redirect_map SEC(".maps");

/* Write the frame of frame_map over the packet; 0 on success. */
static __always_inline int restore_frame(struct xdp_md *ctx)
{
	struct bench_frame *frame;
	__u32 key = 0;
	__u32 len;

	frame = bpf_map_lookup_elem(&frame_map, &key);
	if (!frame)
		return -1;
	len = frame->len;
	/* The verifier needs the length bounded by the map value's size. */
	if (len < ETH_HLEN || len > BENCH_FRAME_MAX)
		return -1;
	return bpf_xdp_store_bytes(ctx, 0, frame->data, len);
}

SEC("xdp")
int xdp_gen(struct xdp_md *ctx)
{
	if (restore_frame(ctx))
		return XDP_ABORTED;
	return XDP_TX;
}

SEC("xdp")
int xdp_restore_call(struct xdp_md *ctx)
{
	if (restore_frame(ctx))
		return XDP_ABORTED;
	bpf_tail_call(ctx, &call_map, 0);
	/* Only reached when call_map holds no program. */
	return XDP_ABORTED;
}

SEC("xdp")
int xdp_bare_pass(struct xdp_md *ctx)
{
	return XDP_PASS;
}

SEC("xdp")
int xdp_bare_drop(struct xdp_md *ctx)
{
	return XDP_DROP;
}

/* Swap the Ethernet addresses and send the frame back. */
SEC("xdp")
int xdp_bare_tx(struct xdp_md *ctx)
{
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = (void *)(long)ctx->data;
	unsigned char tmp[ETH_ALEN];

	if ((void *)(eth + 1) > data_end)
		return XDP_ABORTED;
	__builtin_memcpy(tmp, eth->h_dest, ETH_ALEN);
	__builtin_memcpy(eth->h_dest, eth->h_source, ETH_ALEN);
	__builtin_memcpy(eth->h_source, tmp, ETH_ALEN);
	return XDP_TX;
}

/* Set the Ethernet addresses of the next hop and send the frame out of the
 * interface redirect_map names: a forward with no lookup at all.
 */
SEC("xdp")
int xdp_bare_redirect(struct xdp_md *ctx)
{
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = (void *)(long)ctx->data;
	struct bench_redirect *to;
	__u32 key = 0;

	if ((void *)(eth + 1) > data_end)
		return XDP_ABORTED;
	to = bpf_map_lookup_elem(&redirect_map, &key);
	if (!to || !to->ifindex)
		return XDP_ABORTED;
	__builtin_memcpy(eth->h_dest, to->dest, ETH_ALEN);
	__builtin_memcpy(eth->h_source, to->source, ETH_ALEN);
	return bpf_redirect(to->ifindex, 0);
}

char _license[] SEC("license") = "GPL";
