// SPDX-License-Identifier: GPL-2.0
/* The parse programs of the fuzzer: walk a frame with the helpers of
 * headers/parsing_helpers.h as far as they know the protocols, and write down
 * every call: which helper, what it returned, where it set its header pointer and
 * where it left the cursor. The fuzzer (fuzz.c) compares that with its own
 * decoder (ref.c). Verdict: XDP_DROP when a helper returned -1, XDP_PASS
 * otherwise; the frame is never changed.
 *
 * fuzz_parse_deep.bpf.c builds this same file with a deeper VLAN_MAX_DEPTH.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#include "parsing_helpers.h"
#include "fuzz_progs.h"

_Static_assert(VLAN_MAX_DEPTH <= FUZZ_MAX_VLANS, "fuzz_parse_result has no room for the VLAN ids");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__type(key, __u32);
	__type(value, struct fuzz_parse_result);
	__uint(max_entries, 1);
} parse_result_map SEC(".maps");

/* Offsets rather than pointers: user space cannot make sense of a pointer. */
static __always_inline void record(struct fuzz_parse_result *res, int step, int helper, int ret,
				   void *hdr, struct hdr_cursor *nh, void *start)
{
	res->step[step].helper = helper;
	res->step[step].ret = ret;
	res->step[step].hdr_off = hdr - start;
	res->step[step].pos_off = nh->pos - start;
	res->n_steps = step + 1;
}

/* The walk; collect chooses parse_ethhdr_vlan() (with the VLAN ids) or parse_ethhdr().
 * Each header pointer starts at data, FUZZ_PAD bytes before start (fuzz_progs.h).
 */
static __always_inline int walk(struct xdp_md *ctx, int collect)
{
	void *data_end = (void *)(long)ctx->data_end;
	void *data = (void *)(long)ctx->data;
	void *start = data + FUZZ_PAD;
	struct hdr_cursor nh = { .pos = start };
	struct icmp6hdr *icmp6h = data;
	struct collect_vlans vlans = {};
	struct icmphdr *icmph = data;
	struct ipv6hdr *ip6h = data;
	struct udphdr *udph = data;
	struct tcphdr *tcph = data;
	struct ethhdr *eth = data;
	struct iphdr *iph = data;
	struct fuzz_parse_result *res;
	int eth_type, ip_proto, ret;
	__u32 key = 0;
	int i;

	res = bpf_map_lookup_elem(&parse_result_map, &key);
	if (!res)
		return XDP_ABORTED;
	__builtin_memset(res, 0, sizeof(*res));
	res->vlan_max_depth = VLAN_MAX_DEPTH;

	if (collect) {
		eth_type = parse_ethhdr_vlan(&nh, data_end, &eth, &vlans);
		record(res, 0, HELPER_ETHHDR_VLAN, eth_type, eth, &nh, start);
	} else {
		eth_type = parse_ethhdr(&nh, data_end, &eth);
		record(res, 0, HELPER_ETHHDR, eth_type, eth, &nh, start);
	}
	if (eth_type < 0)
		return XDP_DROP;
	if (collect) {
		res->vlan_count = vlans.count;
		for (i = 0; i < VLAN_MAX_DEPTH; i++)
			res->vlan_id[i] = vlans.id[i];
	}

	if (eth_type == bpf_htons(ETH_P_IP)) {
		ip_proto = parse_iphdr(&nh, data_end, &iph);
		record(res, 1, HELPER_IPHDR, ip_proto, iph, &nh, start);
	} else if (eth_type == bpf_htons(ETH_P_IPV6)) {
		ip_proto = parse_ip6hdr(&nh, data_end, &ip6h);
		record(res, 1, HELPER_IP6HDR, ip_proto, ip6h, &nh, start);
	} else {
		return XDP_PASS;
	}
	if (ip_proto < 0)
		return XDP_DROP;

	/* ICMP in IPv4 and ICMPv6 in IPv6; the other way round is a protocol this
	 * walk does not know, like any other.
	 */
	if (ip_proto == IPPROTO_ICMP && eth_type == bpf_htons(ETH_P_IP)) {
		ret = parse_icmphdr(&nh, data_end, &icmph);
		record(res, 2, HELPER_ICMPHDR, ret, icmph, &nh, start);
	} else if (ip_proto == IPPROTO_ICMPV6 && eth_type == bpf_htons(ETH_P_IPV6)) {
		ret = parse_icmp6hdr(&nh, data_end, &icmp6h);
		record(res, 2, HELPER_ICMP6HDR, ret, icmp6h, &nh, start);
	} else if (ip_proto == IPPROTO_UDP) {
		ret = parse_udphdr(&nh, data_end, &udph);
		record(res, 2, HELPER_UDPHDR, ret, udph, &nh, start);
	} else if (ip_proto == IPPROTO_TCP) {
		ret = parse_tcphdr(&nh, data_end, &tcph);
		record(res, 2, HELPER_TCPHDR, ret, tcph, &nh, start);
	} else {
		return XDP_PASS;
	}
	return ret < 0 ? XDP_DROP : XDP_PASS;
}

SEC("xdp")
int walk_vlans(struct xdp_md *ctx)
{
	return walk(ctx, 1);
}

SEC("xdp")
int walk_plain(struct xdp_md *ctx)
{
	return walk(ctx, 0);
}

char _license[] SEC("license") = "GPL";
