// SPDX-License-Identifier: GPL-2.0
/* Test programs for headers/parsing_helpers.h. Each walks the frame with the
 * parse_*() helpers, as far as it knows the protocols, and writes what every call
 * returned and where it left the cursor into parse_result_map, for test_parsing.c
 * to compare with what the frame holds. Verdict: XDP_DROP when a helper returned
 * -1, XDP_PASS otherwise. The frame itself is never changed.
 *
 * BPF_PROG_TEST_RUN takes no frame shorter than 14 bytes, so to test a cut-short
 * Ethernet header, parse_chain_padded starts parsing 14 bytes into the frame:
 * a test puts 14 bytes of padding in front of the bytes to parse.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#include "parsing_helpers.h"
#include "helper_progs.h"

_Static_assert(VLAN_MAX_DEPTH <= RESULT_MAX_VLANS, "parse_result has no room for the VLAN ids");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, struct parse_result);
	__uint(max_entries, 1);
} parse_result_map SEC(".maps");

/* Offsets from where parsing started rather than pointers: user space cannot make
 * sense of a pointer.
 */
static __always_inline void record_step(struct parse_result *res, int step, int ret, void *hdr,
					struct hdr_cursor *nh, void *start)
{
	res->step[step].ret = ret;
	res->step[step].hdr_off = ret >= 0 ? hdr - start : 0;
	res->step[step].pos_off = nh->pos - start;
	res->steps_done = step + 1;
}

static __always_inline int parse_chain(struct xdp_md *ctx, int collect, int pad)
{
	void *data_end = (void *)(long)ctx->data_end;
	void *data = (void *)(long)ctx->data + pad;
	struct hdr_cursor nh = { .pos = data };
	struct collect_vlans vlans = {};
	struct ipv6hdr *ip6h = NULL;
	struct icmp6hdr *icmp6h = NULL;
	struct icmphdr *icmph = NULL;
	struct ethhdr *eth = NULL;
	struct iphdr *iph = NULL;
	struct udphdr *udph = NULL;
	struct tcphdr *tcph = NULL;
	struct parse_result *res;
	__u32 key = 0;
	int eth_type, ip_proto, ret;
	int i;

	res = bpf_map_lookup_elem(&parse_result_map, &key);
	if (!res)
		return XDP_ABORTED;
	__builtin_memset(res, 0, sizeof(*res));
	res->vlan_max_depth = VLAN_MAX_DEPTH;

	if (collect)
		eth_type = parse_ethhdr_vlan(&nh, data_end, &eth, &vlans);
	else
		eth_type = parse_ethhdr(&nh, data_end, &eth);
	record_step(res, STEP_ETH, eth_type, eth, &nh, data);
	if (eth_type < 0)
		return XDP_DROP;

	if (collect) {
		res->vlan_count = vlans.count;
		for (i = 0; i < VLAN_MAX_DEPTH; i++)
			res->vlan_id[i] = vlans.id[i];
	}

	if (eth_type == bpf_htons(ETH_P_IP)) {
		ip_proto = parse_iphdr(&nh, data_end, &iph);
		record_step(res, STEP_L3, ip_proto, iph, &nh, data);
	} else if (eth_type == bpf_htons(ETH_P_IPV6)) {
		ip_proto = parse_ip6hdr(&nh, data_end, &ip6h);
		record_step(res, STEP_L3, ip_proto, ip6h, &nh, data);
	} else {
		return XDP_PASS;
	}
	if (ip_proto < 0)
		return XDP_DROP;

	/* ICMP in IPv4, ICMPv6 in IPv6: the other way round is not a packet we
	 * know, like any other protocol.
	 */
	if (ip_proto == IPPROTO_ICMP && eth_type == bpf_htons(ETH_P_IP)) {
		ret = parse_icmphdr(&nh, data_end, &icmph);
		record_step(res, STEP_L4, ret, icmph, &nh, data);
	} else if (ip_proto == IPPROTO_ICMPV6 && eth_type == bpf_htons(ETH_P_IPV6)) {
		ret = parse_icmp6hdr(&nh, data_end, &icmp6h);
		record_step(res, STEP_L4, ret, icmp6h, &nh, data);
	} else if (ip_proto == IPPROTO_UDP) {
		ret = parse_udphdr(&nh, data_end, &udph);
		record_step(res, STEP_L4, ret, udph, &nh, data);
	} else if (ip_proto == IPPROTO_TCP) {
		ret = parse_tcphdr(&nh, data_end, &tcph);
		record_step(res, STEP_L4, ret, tcph, &nh, data);
	} else {
		return XDP_PASS;
	}
	return ret < 0 ? XDP_DROP : XDP_PASS;
}

/* The chain with parse_ethhdr_vlan(), collecting VLAN ids. */
SEC("xdp")
int parse_chain_vlans(struct xdp_md *ctx)
{
	return parse_chain(ctx, 1, 0);
}

/* The chain with plain parse_ethhdr(). */
SEC("xdp")
int parse_chain_plain(struct xdp_md *ctx)
{
	return parse_chain(ctx, 0, 0);
}

/* parse_chain_vlans on what follows the first PARSE_PAD_LEN bytes of the frame. */
SEC("xdp")
int parse_chain_padded(struct xdp_md *ctx)
{
	return parse_chain(ctx, 1, PARSE_PAD_LEN);
}

char _license[] SEC("license") = "GPL";
