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
 *   bare redirect by MAC looks the next hop up as packet03's redirect_map
 *   does (the sender's MAC in a hash map, then a device map), the bare
 *   router does what packet03's does (FIB lookup, TTL, MACs, redirect) on an
 *   untagged IPv4 or IPv6 frame; none has parsing helpers or stats.
 * - xdp_bare_router_direct: the bare router with BPF_FIB_LOOKUP_DIRECT, to
 *   show what that flag saves and what it skips (bench/README.org, Targets).
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

/* The maps of packet03's xdp_redirect_map_func, with its names and types, so
 * that xdpbench fills them the same way: the next hop's MAC by the sender's
 * MAC, and the interface to send out of in slot 0 of a device map.
 */
struct {
	__uint(type, BPF_MAP_TYPE_DEVMAP);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} tx_port SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 64);
	__type(key, unsigned char[ETH_ALEN]);
	__type(value, unsigned char[ETH_ALEN]);
} redirect_params SEC(".maps");

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

/* packet03's xdp_redirect_map_func with nothing else: the next hop by the
 * sender's MAC, then out of the interface in slot 0 of tx_port.
 */
SEC("xdp")
int xdp_bare_redirect_mac(struct xdp_md *ctx)
{
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = (void *)(long)ctx->data;
	unsigned char *next_hop;

	if ((void *)(eth + 1) > data_end)
		return XDP_PASS;
	next_hop = bpf_map_lookup_elem(&redirect_params, eth->h_source);
	if (!next_hop)
		return XDP_PASS;
	__builtin_memcpy(eth->h_source, eth->h_dest, ETH_ALEN);
	__builtin_memcpy(eth->h_dest, next_hop, ETH_ALEN);
	return bpf_redirect_map(&tx_port, 0, 0);
}

/* Forward what the kernel's FIB can route; leave the rest to Linux. */
static __always_inline int bare_route(struct xdp_md *ctx, __u32 lookup_flags)
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
	if (bpf_fib_lookup(ctx, &fib, sizeof(fib), lookup_flags) != BPF_FIB_LKUP_RET_SUCCESS)
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

/* The lookup as Linux makes it: ip rules, then the tables they name (with no
 * rules of your own: the local table, then main).
 */
SEC("xdp")
int xdp_bare_router(struct xdp_md *ctx)
{
	return bare_route(ctx, 0);
}

/* Straight to the main table: no ip rules, and for IPv6 no local table
 * either, so a packet to one of the router's own addresses can be forwarded
 * away (tests/lab/bench.bats shows it). IPv4 keeps its local routes in the
 * main table's trie while no ip rule is added.
 */
SEC("xdp")
int xdp_bare_router_direct(struct xdp_md *ctx)
{
	return bare_route(ctx, BPF_FIB_LOOKUP_DIRECT);
}

char _license[] SEC("license") = "GPL";
