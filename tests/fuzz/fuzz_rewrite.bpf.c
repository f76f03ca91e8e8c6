// SPDX-License-Identifier: GPL-2.0
/* The rewrite programs of the fuzzer, one per helper of headers/rewrite_helpers.h
 * (rewrite_dest for the checksum helpers). Each parses what it needs with the
 * parsing helpers, then rewrites. Verdict: XDP_TX when the frame was rewritten,
 * XDP_DROP when a helper returned -1 (the frame is then unchanged: every program
 * parses all it needs before it writes anything), XDP_PASS (unchanged) when the
 * frame is not one for this program. The fuzzer (fuzz.c, model.c) computes what
 * must come out and compares every byte.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#include "parsing_helpers.h"
#include "rewrite_helpers.h"
#include "fuzz_progs.h"

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__type(key, __u32);
	__type(value, struct fuzz_rewrite_config);
	__uint(max_entries, 1);
} rewrite_config_map SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__type(key, __u32);
	__type(value, struct fuzz_rewrite_result);
	__uint(max_entries, 1);
} rewrite_result_map SEC(".maps");

/* Every program starts with this: it records the VLAN_MAX_DEPTH it was built
 * with, and a return value of 0 until it has another.
 */
static __always_inline struct fuzz_rewrite_result *result(void)
{
	struct fuzz_rewrite_result *res;
	__u32 key = 0;

	res = bpf_map_lookup_elem(&rewrite_result_map, &key);
	if (res) {
		res->vlan_max_depth = VLAN_MAX_DEPTH;
		res->ret = 0;
	}
	return res;
}

static __always_inline struct fuzz_rewrite_config *config(void)
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

	if (!result())
		return XDP_ABORTED;
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

	if (!result())
		return XDP_ABORTED;
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

	if (!result())
		return XDP_ABORTED;
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
	struct fuzz_rewrite_result *res = result();

	if (!res)
		return XDP_ABORTED;
	res->ret = vlan_tag_pop(ctx);
	return res->ret < 0 ? XDP_DROP : XDP_TX;
}

SEC("xdp")
int vlan_push(struct xdp_md *ctx)
{
	struct fuzz_rewrite_result *res = result();
	struct fuzz_rewrite_config *cfg = config();

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
	struct fuzz_rewrite_result *res = result();
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
	res->ret = ip_decrease_ttl(iph);
	return XDP_TX;
}

/* A UDP checksum of 0 means "the sender computed none" (RFC 768): leave it so.
 * And a computed 0 goes on the wire as 0xffff, for the same reason. TCP and ICMP
 * have no such rule.
 */
static __always_inline void l4_csum_replace4(__sum16 *check, int udp, __be32 old, __be32 new)
{
	if (udp && !*check)
		return;
	csum_replace4(check, old, new);
	if (udp && !*check)
		*check = 0xffff;
}

static __always_inline void l4_csum_replace2(__sum16 *check, int udp, __be16 old, __be16 new)
{
	if (udp && !*check)
		return;
	csum_replace2(check, old, new);
	if (udp && !*check)
		*check = 0xffff;
}

/* What a NAT does: a new destination address, and a new destination port (or
 * ICMP/ICMPv6 identifier), with every checksum that covers them updated
 * incrementally: the IPv4 header's, and the UDP, TCP and ICMPv6 ones, which cover
 * the addresses through their pseudo-header (ICMP for IPv4 has none).
 */
SEC("xdp")
int rewrite_dest(struct xdp_md *ctx)
{
	void *data_end = (void *)(long)ctx->data_end;
	struct hdr_cursor nh = { .pos = (void *)(long)ctx->data };
	struct fuzz_rewrite_config *cfg = config();
	struct ipv6hdr *ip6h = NULL;
	struct icmp6hdr *icmp6h;
	struct iphdr *iph = NULL;
	struct icmphdr *icmph;
	struct udphdr *udph;
	struct tcphdr *tcph;
	struct ethhdr *eth;
	__sum16 *l4_check = NULL; /* the L4 checksum, when there is an L4 header */
	__be16 *port = NULL;	  /* the field that gets cfg->new_port */
	int eth_type, ip_proto, udp = 0, pseudo = 0;
	__be32 old;
	int i;

	if (!cfg || !result())
		return XDP_ABORTED;

	/* Parse everything first, so that a frame dropped for a bad header goes
	 * out as it came in.
	 */
	eth_type = parse_ethhdr(&nh, data_end, &eth);
	if (eth_type < 0)
		return XDP_DROP;
	if (eth_type == bpf_htons(ETH_P_IP))
		ip_proto = parse_iphdr(&nh, data_end, &iph);
	else if (eth_type == bpf_htons(ETH_P_IPV6))
		ip_proto = parse_ip6hdr(&nh, data_end, &ip6h);
	else
		return XDP_PASS;
	if (ip_proto < 0)
		return XDP_DROP;

	if (ip_proto == IPPROTO_UDP) {
		if (parse_udphdr(&nh, data_end, &udph) < 0)
			return XDP_DROP;
		l4_check = &udph->check;
		port = &udph->dest;
		udp = pseudo = 1;
	} else if (ip_proto == IPPROTO_TCP) {
		if (parse_tcphdr(&nh, data_end, &tcph) < 0)
			return XDP_DROP;
		l4_check = &tcph->check;
		port = &tcph->dest;
		pseudo = 1;
	} else if (ip_proto == IPPROTO_ICMP && iph) {
		if (parse_icmphdr(&nh, data_end, &icmph) < 0)
			return XDP_DROP;
		l4_check = &icmph->checksum;
		port = &icmph->un.echo.id;
	} else if (ip_proto == IPPROTO_ICMPV6 && ip6h) {
		if (parse_icmp6hdr(&nh, data_end, &icmp6h) < 0)
			return XDP_DROP;
		l4_check = &icmp6h->icmp6_cksum;
		port = &icmp6h->icmp6_identifier;
		pseudo = 1;
	}

	if (iph) {
		old = iph->daddr;
		iph->daddr = cfg->new_daddr;
		csum_replace4(&iph->check, old, iph->daddr);
		if (l4_check && pseudo)
			l4_csum_replace4(l4_check, udp, old, iph->daddr);
	} else if (ip6h) {
		/* 128 bits: four 32-bit halves of the same sum. */
		for (i = 0; i < 4; i++) {
			old = ip6h->daddr.in6_u.u6_addr32[i];
			ip6h->daddr.in6_u.u6_addr32[i] = cfg->new_daddr6[i];
			if (l4_check && pseudo)
				l4_csum_replace4(l4_check, udp, old, cfg->new_daddr6[i]);
		}
	}
	if (l4_check && port) {
		l4_csum_replace2(l4_check, udp, *port, cfg->new_port);
		*port = cfg->new_port;
	}
	return XDP_TX;
}

char _license[] SEC("license") = "GPL";
