// SPDX-License-Identifier: GPL-2.0
/* Test programs for headers/rewrite_helpers.h, one per helper (nat_rewrite and
 * csum_calc for the checksum helpers). Each rewrites the frame with its helper;
 * test_rewrite.c and test_checksum.c compare the bytes that come out with frames
 * built in user space. Verdict: XDP_TX when the frame was rewritten, XDP_DROP when
 * a helper failed, XDP_PASS (unchanged) when the frame is not for this program.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#include "parsing_helpers.h"
#include "rewrite_helpers.h"
#include "helper_progs.h"

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, struct rewrite_config);
	__uint(max_entries, 1);
} rewrite_config_map SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, struct rewrite_result);
	__uint(max_entries, 1);
} rewrite_result_map SEC(".maps");

static __always_inline struct rewrite_result *result(void)
{
	__u32 key = 0;

	return bpf_map_lookup_elem(&rewrite_result_map, &key);
}

static __always_inline struct rewrite_config *config(void)
{
	__u32 key = 0;

	return bpf_map_lookup_elem(&rewrite_config_map, &key);
}

SEC("xdp")
int swap_mac(struct xdp_md *ctx)
{
	void *data_end = (void *)(long)ctx->data_end;
	struct hdr_cursor nh = { .pos = (void *)(long)ctx->data };
	struct ethhdr *eth;

	if (parse_ethhdr(&nh, data_end, &eth) < 0)
		return XDP_DROP;
	swap_src_dst_mac(eth);
	return XDP_TX;
}

SEC("xdp")
int swap_ipv4(struct xdp_md *ctx)
{
	void *data_end = (void *)(long)ctx->data_end;
	struct hdr_cursor nh = { .pos = (void *)(long)ctx->data };
	struct ethhdr *eth;
	struct iphdr *iph;
	int eth_type;

	eth_type = parse_ethhdr(&nh, data_end, &eth);
	if (eth_type < 0)
		return XDP_DROP;
	if (eth_type != bpf_htons(ETH_P_IP))
		return XDP_PASS;
	if (parse_iphdr(&nh, data_end, &iph) < 0)
		return XDP_DROP;
	swap_src_dst_ipv4(iph);
	return XDP_TX;
}

SEC("xdp")
int swap_ipv6(struct xdp_md *ctx)
{
	void *data_end = (void *)(long)ctx->data_end;
	struct hdr_cursor nh = { .pos = (void *)(long)ctx->data };
	struct ipv6hdr *ip6h;
	struct ethhdr *eth;
	int eth_type;

	eth_type = parse_ethhdr(&nh, data_end, &eth);
	if (eth_type < 0)
		return XDP_DROP;
	if (eth_type != bpf_htons(ETH_P_IPV6))
		return XDP_PASS;
	if (parse_ip6hdr(&nh, data_end, &ip6h) < 0)
		return XDP_DROP;
	swap_src_dst_ipv6(ip6h);
	return XDP_TX;
}

SEC("xdp")
int vlan_pop(struct xdp_md *ctx)
{
	struct rewrite_result *res = result();

	if (!res)
		return XDP_ABORTED;
	res->ret = vlan_tag_pop(ctx);
	return res->ret < 0 ? XDP_DROP : XDP_TX;
}

SEC("xdp")
int vlan_push(struct xdp_md *ctx)
{
	struct rewrite_result *res = result();
	struct rewrite_config *cfg = config();

	if (!res || !cfg)
		return XDP_ABORTED;
	res->ret = vlan_tag_push(ctx, bpf_htons(cfg->vlan_tpid), cfg->vlan_id);
	return res->ret < 0 ? XDP_DROP : XDP_TX;
}

SEC("xdp")
int ttl_decrease(struct xdp_md *ctx)
{
	void *data_end = (void *)(long)ctx->data_end;
	struct hdr_cursor nh = { .pos = (void *)(long)ctx->data };
	struct rewrite_result *res = result();
	struct ethhdr *eth;
	struct iphdr *iph;
	int eth_type;

	if (!res)
		return XDP_ABORTED;
	eth_type = parse_ethhdr(&nh, data_end, &eth);
	if (eth_type < 0)
		return XDP_DROP;
	if (eth_type != bpf_htons(ETH_P_IP))
		return XDP_PASS;
	if (parse_iphdr(&nh, data_end, &iph) < 0)
		return XDP_DROP;
	res->ttl = ip_decrease_ttl(iph);
	return XDP_TX;
}

/* A UDP checksum of 0 over IPv4 means "none": keep it. And a computed 0 goes on the
 * wire as 0xffff (RFC 768).
 */
static __always_inline void udp_csum_replace4(struct udphdr *udph, __be32 old, __be32 new)
{
	if (!udph->check)
		return;
	csum_replace4(&udph->check, old, new);
	if (!udph->check)
		udph->check = 0xffff;
}

static __always_inline void udp_csum_replace2(struct udphdr *udph, __be16 old, __be16 new)
{
	if (!udph->check)
		return;
	csum_replace2(&udph->check, old, new);
	if (!udph->check)
		udph->check = 0xffff;
}

/* What a NAT does to the first packet of a flow: a new destination address (IPv4
 * only) and a new destination port (or ICMP echo id), with every checksum updated
 * incrementally, and the TTL decreased on IPv4.
 */
SEC("xdp")
int nat_rewrite(struct xdp_md *ctx)
{
	void *data_end = (void *)(long)ctx->data_end;
	struct hdr_cursor nh = { .pos = (void *)(long)ctx->data };
	struct rewrite_config *cfg = config();
	struct icmp6hdr *icmp6h;
	struct ipv6hdr *ip6h;
	struct icmphdr *icmph;
	struct udphdr *udph;
	struct tcphdr *tcph;
	struct ethhdr *eth;
	struct iphdr *iph;
	__be32 old_daddr = 0, new_daddr = 0;
	int eth_type, ip_proto, is_ipv4;

	if (!cfg)
		return XDP_ABORTED;

	eth_type = parse_ethhdr(&nh, data_end, &eth);
	is_ipv4 = eth_type == bpf_htons(ETH_P_IP);
	if (is_ipv4) {
		ip_proto = parse_iphdr(&nh, data_end, &iph);
		if (ip_proto < 0)
			return XDP_DROP;
		old_daddr = iph->daddr;
		new_daddr = cfg->new_daddr;
		iph->daddr = new_daddr;
		csum_replace4(&iph->check, old_daddr, new_daddr);
		ip_decrease_ttl(iph);
	} else if (eth_type == bpf_htons(ETH_P_IPV6)) {
		ip_proto = parse_ip6hdr(&nh, data_end, &ip6h);
		if (ip_proto < 0)
			return XDP_DROP;
	} else {
		return eth_type < 0 ? XDP_DROP : XDP_PASS;
	}

	/* The UDP and TCP checksums cover the addresses too (the "pseudo-header"),
	 * so a new IPv4 destination changes them; ICMP's does not.
	 */
	if (ip_proto == IPPROTO_UDP) {
		if (parse_udphdr(&nh, data_end, &udph) < 0)
			return XDP_DROP;
		if (is_ipv4)
			udp_csum_replace4(udph, old_daddr, new_daddr);
		udp_csum_replace2(udph, udph->dest, cfg->new_port);
		udph->dest = cfg->new_port;
	} else if (ip_proto == IPPROTO_TCP) {
		if (parse_tcphdr(&nh, data_end, &tcph) < 0)
			return XDP_DROP;
		if (is_ipv4)
			csum_replace4(&tcph->check, old_daddr, new_daddr);
		csum_replace2(&tcph->check, tcph->dest, cfg->new_port);
		tcph->dest = cfg->new_port;
	} else if (ip_proto == IPPROTO_ICMP && is_ipv4) {
		if (parse_icmphdr(&nh, data_end, &icmph) < 0)
			return XDP_DROP;
		csum_replace2(&icmph->checksum, icmph->un.echo.id, cfg->new_port);
		icmph->un.echo.id = cfg->new_port;
	} else if (ip_proto == IPPROTO_ICMPV6 && !is_ipv4) {
		if (parse_icmp6hdr(&nh, data_end, &icmp6h) < 0)
			return XDP_DROP;
		csum_replace2(&icmp6h->icmp6_cksum, icmp6h->icmp6_identifier, cfg->new_port);
		icmp6h->icmp6_identifier = cfg->new_port;
	}
	return XDP_TX;
}

/* The checksum helpers as a calculator: the frame holds a struct csum_frame with
 * the operation and its inputs, the program writes the result into it.
 */
SEC("xdp")
int csum_calc(struct xdp_md *ctx)
{
	void *data_end = (void *)(long)ctx->data_end;
	struct csum_frame *f = (void *)(long)ctx->data;
	__sum16 check;

	if ((void *)(f + 1) > data_end)
		return XDP_DROP;

	check = f->check;
	switch (f->op) {
	case CSUM_OP_FOLD:
		f->out = csum_fold_helper(f->sum);
		break;
	case CSUM_OP_REPLACE2:
		csum_replace2(&check, f->old, f->new);
		f->out = check;
		break;
	case CSUM_OP_REPLACE4:
		csum_replace4(&check, f->old, f->new);
		f->out = check;
		break;
	default:
		return XDP_DROP;
	}
	return XDP_TX;
}

char _license[] SEC("license") = "GPL";
