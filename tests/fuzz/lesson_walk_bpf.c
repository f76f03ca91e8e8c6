// SPDX-License-Identifier: GPL-2.0
/* A lesson's own parse functions under the fuzzer (packet01's checks).
 *
 * This file includes the BPF source of a lesson, LESSON_SRC (a path the
 * compiler gets with -DLESSON_SRC=...), and adds lesson_walk: a walk of the
 * frame with that source's parse_ethhdr(), parse_iphdr(), parse_ip6hdr(),
 * parse_icmphdr() and parse_icmp6hdr(), recording what each returned, as
 * fuzz_parse.bpf.c does with the helpers of headers/. The fuzzer (fuzz
 * --lesson) compares the walk with its decoder, and the verdicts of the
 * lesson's own program, xdp_parser_func, with what the lesson asks.
 *
 * Built on demand, not by make at the top (it needs a lesson source), hence
 * not named *.bpf.c:
 *   make -C tests/fuzz lesson LESSON_SRC=/abs/path/xdp_prog.bpf.c LESSON_OBJ=/abs/out.o
 */
#include LESSON_SRC

#include "fuzz_progs.h"

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__type(key, __u32);
	__type(value, struct fuzz_parse_result);
	__uint(max_entries, 1);
} parse_result_map SEC(".maps");

static __always_inline void record(struct fuzz_parse_result *res, int step, int helper, int ret,
				   struct hdr_cursor *nh, void *data)
{
	res->step[step].helper = helper;
	res->step[step].ret = ret;
	res->step[step].hdr_off = FUZZ_HDR_UNSET; /* header pointers are not compared */
	res->step[step].pos_off = nh->pos - data;
	res->n_steps = step + 1;
}

SEC("xdp")
int lesson_walk(struct xdp_md *ctx)
{
	void *data_end = (void *)(long)ctx->data_end;
	void *data = (void *)(long)ctx->data;
	struct hdr_cursor nh = { .pos = data };
	struct fuzz_parse_result *res;
	struct icmp6hdr *icmp6h;
	struct icmphdr *icmph;
	struct ipv6hdr *ip6h;
	struct ethhdr *eth;
	struct iphdr *iph;
	int eth_type, ret;
	__u32 key = 0;

	res = bpf_map_lookup_elem(&parse_result_map, &key);
	if (!res)
		return XDP_ABORTED;
	__builtin_memset(res, 0, sizeof(*res));
	res->vlan_max_depth = VLAN_MAX_DEPTH;

	eth_type = parse_ethhdr(&nh, data_end, &eth);
	record(res, 0, HELPER_ETHHDR_VLAN, eth_type, &nh, data);
	if (eth_type == bpf_htons(ETH_P_IP)) {
		ret = parse_iphdr(&nh, data_end, &iph);
		record(res, 1, HELPER_IPHDR, ret, &nh, data);
		if (ret == IPPROTO_ICMP) {
			ret = parse_icmphdr(&nh, data_end, &icmph);
			record(res, 2, HELPER_ICMPHDR, ret, &nh, data);
		}
	} else if (eth_type == bpf_htons(ETH_P_IPV6)) {
		ret = parse_ip6hdr(&nh, data_end, &ip6h);
		record(res, 1, HELPER_IP6HDR, ret, &nh, data);
		if (ret == IPPROTO_ICMPV6) {
			ret = parse_icmp6hdr(&nh, data_end, &icmp6h);
			record(res, 2, HELPER_ICMP6HDR, ret, &nh, data);
		}
	}
	return XDP_PASS;
}
