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
 * - xdp_bare_*: the baselines, one action each with nothing else; the bare
 *   parse-drop decides as packet01's parser does (on untagged IPv4), the
 *   bare router does what packet03's does (FIB lookup, TTL, MACs, redirect)
 *   on an untagged IPv4 or IPv6 frame; neither has parsing helpers or stats.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#define AF_INET 2
#define AF_INET6 10

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

/* packet01's decision in as few instructions as it takes: drop an ICMP echo
 * request or reply over untagged IPv4 whose sequence number is even, pass the
 * rest. No VLAN tags, no IPv6, no stats: the yardstick for the lesson's
 * parser, which reads the same bytes (the first read of a frame is a cache
 * miss when another CPU wrote it; a program that reads nothing does not pay it).
 */
SEC("xdp")
int xdp_bare_parse_drop(struct xdp_md *ctx)
{
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = (void *)(long)ctx->data;
	struct iphdr *iph = (void *)(eth + 1);
	__u8 *icmp;

	if ((void *)(iph + 1) > data_end || eth->h_proto != bpf_htons(ETH_P_IP) ||
	    iph->protocol != IPPROTO_ICMP || iph->ihl < 5)
		return XDP_PASS;
	icmp = (__u8 *)iph + iph->ihl * 4;
	/* type, code, checksum, identifier, sequence: 8 bytes */
	if ((void *)(icmp + 8) > data_end || (icmp[0] != 8 && icmp[0] != 0))
		return XDP_PASS;
	return icmp[7] & 1 ? XDP_PASS : XDP_DROP;
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

/* Forward what the kernel's FIB can route; leave the rest to Linux. */
SEC("xdp")
int xdp_bare_router(struct xdp_md *ctx)
{
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = (void *)(long)ctx->data;
	struct bpf_fib_lookup fib = {};
	struct ipv6hdr *ip6h;
	struct iphdr *iph;
	__u32 sum;

	if ((void *)(eth + 1) > data_end)
		return XDP_PASS;
	iph = (void *)(eth + 1);
	ip6h = (void *)(eth + 1);
	if (eth->h_proto == bpf_htons(ETH_P_IP)) {
		if ((void *)(iph + 1) > data_end || iph->ttl <= 1)
			return XDP_PASS;
		fib.family = AF_INET;
		fib.tos = iph->tos;
		fib.l4_protocol = iph->protocol;
		fib.tot_len = bpf_ntohs(iph->tot_len);
		fib.ipv4_src = iph->saddr;
		fib.ipv4_dst = iph->daddr;
	} else if (eth->h_proto == bpf_htons(ETH_P_IPV6)) {
		if ((void *)(ip6h + 1) > data_end || ip6h->hop_limit <= 1)
			return XDP_PASS;
		fib.family = AF_INET6;
		fib.l4_protocol = ip6h->nexthdr;
		fib.tot_len = bpf_ntohs(ip6h->payload_len);
		__builtin_memcpy(fib.ipv6_src, &ip6h->saddr, sizeof(fib.ipv6_src));
		__builtin_memcpy(fib.ipv6_dst, &ip6h->daddr, sizeof(fib.ipv6_dst));
	} else {
		return XDP_PASS;
	}
	fib.ifindex = ctx->ingress_ifindex;
	if (bpf_fib_lookup(ctx, &fib, sizeof(fib), 0) != BPF_FIB_LKUP_RET_SUCCESS)
		return XDP_PASS;
	if (fib.family == AF_INET) {
		/* TTL one less: the checksum one more in the TTL's byte (RFC 1624). */
		sum = iph->check + bpf_htons(0x0100);
		iph->check = sum + (sum >> 16);
		iph->ttl--;
	} else {
		ip6h->hop_limit--;
	}
	__builtin_memcpy(eth->h_dest, fib.dmac, ETH_ALEN);
	__builtin_memcpy(eth->h_source, fib.smac, ETH_ALEN);
	return bpf_redirect(fib.ifindex, 0);
}

char _license[] SEC("license") = "GPL";
