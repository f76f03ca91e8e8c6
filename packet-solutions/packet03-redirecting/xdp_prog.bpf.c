// SPDX-License-Identifier: GPL-2.0
/* packet03: send packets somewhere else without the network stack.
 *
 *   xdp_icmp_echo_func     answer pings with XDP_TX: out of the interface they came in on
 *   xdp_redirect_func      send every frame out of another interface (bpf_redirect), the
 *                          interface and the MAC addresses set by the loader before load
 *   xdp_redirect_map_func  the same through maps that user space fills at run time
 *                          (bpf_redirect_map with a device map)
 *   xdp_router_func        an IPv4/IPv6 router: ask the kernel's routing table
 *                          (bpf_fib_lookup) where a packet goes, and send it there
 *   xdp_pass_func          let everything through (for the far end of a redirect)
 *
 * Every program records its verdict in xdp_stats_map (headers/xdp_stats_kern.h).
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#include "parsing_helpers.h"
#include "rewrite_helpers.h"
#include "xdp_stats_kern.h"
#include "common_kern_user.h"

/* Address families, as in <sys/socket.h> (which does not build for -target bpf). */
#define AF_INET 2
#define AF_INET6 10

/* ---- Assignment 1: XDP_TX ------------------------------------------------- */

/* Assignment 1: helpers that turn a request into its reply */

/* Turn an ICMPv6 echo request into its reply, in place. The addresses swap,
 * which leaves the checksum as it was (a sum does not care about order); the
 * type changes, and the checksum with it.
 */
static __always_inline int icmp6_echo_reply(struct ethhdr *eth, struct ipv6hdr *ip6h,
					    struct icmp6hdr *icmp6h)
{
	__be16 old = *(__be16 *)icmp6h; /* type and code: one 16-bit word */

	swap_src_dst_mac(eth);
	swap_src_dst_ipv6(ip6h);
	icmp6h->icmp6_type = ICMPV6_ECHO_REPLY;
	csum_replace2(&icmp6h->icmp6_cksum, old, *(__be16 *)icmp6h);
	return XDP_TX;
}

/* The same for IPv4: the IPv4 header checksum stays right too. */
static __always_inline int icmp_echo_reply(struct ethhdr *eth, struct iphdr *iph,
					   struct icmphdr *icmph)
{
	__be16 old = *(__be16 *)icmph;

	swap_src_dst_mac(eth);
	swap_src_dst_ipv4(iph);
	icmph->type = ICMP_ECHOREPLY;
	csum_replace2(&icmph->checksum, old, *(__be16 *)icmph);
	return XDP_TX;
}

/* Assignment 1: end */

SEC("xdp")
int xdp_icmp_echo_func(struct xdp_md *ctx)
{
	void *data_end = (void *)(long)ctx->data_end;
	void *data = (void *)(long)ctx->data;
	struct hdr_cursor nh = { .pos = data };
	struct icmp6hdr *icmp6h;
	struct icmphdr *icmph;
	struct ipv6hdr *ip6h;
	struct iphdr *iph;
	struct ethhdr *eth;
	__u32 action = XDP_PASS;
	int eth_type;

	/* Assignment 1: answer ICMPv6 and ICMP echo requests with XDP_TX */
	eth_type = parse_ethhdr(&nh, data_end, &eth);
	if (eth_type == bpf_htons(ETH_P_IPV6)) {
		if (parse_ip6hdr(&nh, data_end, &ip6h) == IPPROTO_ICMPV6 &&
		    parse_icmp6hdr(&nh, data_end, &icmp6h) == ICMPV6_ECHO_REQUEST &&
		    icmp6h->icmp6_code == 0)
			action = icmp6_echo_reply(eth, ip6h, icmp6h);
	} else if (eth_type == bpf_htons(ETH_P_IP)) {
		if (parse_iphdr(&nh, data_end, &iph) == IPPROTO_ICMP &&
		    parse_icmphdr(&nh, data_end, &icmph) == ICMP_ECHO && icmph->code == 0)
			action = icmp_echo_reply(eth, iph, icmph);
	}
	/* Assignment 1: end */
	return xdp_stats_record_action(ctx, action);
}

/* ---- Assignment 2: bpf_redirect with read-only globals -------------------- */

/* Settings that do not change while the program runs: a read-only global. The
 * loader writes it between open and load (it is the data of the object's
 * .rodata.redirect map), and from then on it is a constant: the verifier knows
 * its value, the JIT compiles it in. volatile keeps the compiler from folding
 * in the zeros written here, which is all it can see.
 */
const volatile struct redirect_cfg redirect_cfg SEC(".rodata.redirect") = {};

SEC("xdp")
int xdp_redirect_func(struct xdp_md *ctx)
{
	void *data_end = (void *)(long)ctx->data_end;
	void *data = (void *)(long)ctx->data;
	struct hdr_cursor nh = { .pos = data };
	__u32 action = XDP_PASS;
	struct ethhdr *eth;
	int i;

	/* Not set up (loaded without --redirect-dev): leave the frames alone. */
	if (!redirect_cfg.ifindex || parse_ethhdr(&nh, data_end, &eth) < 0)
		return xdp_stats_record_action(ctx, action);

	/* Assignment 2: rewrite both MAC addresses and redirect */
	for (i = 0; i < ETH_ALEN; i++) {
		eth->h_dest[i] = redirect_cfg.dest_mac[i];
		eth->h_source[i] = redirect_cfg.src_mac[i];
	}
	action = bpf_redirect(redirect_cfg.ifindex, 0);
	/* Assignment 2: end */
	return xdp_stats_record_action(ctx, action);
}

/* ---- Assignment 3: bpf_redirect_map with a device map ---------------------- */

/* Where frames go: slot 0 holds the ifindex of the interface to send them out
 * of. A device map is what bpf_redirect_map() needs; the kernel sends frames
 * redirected through one in batches. Filled by xdp_prog_user, through its pin.
 */
struct {
	__uint(type, BPF_MAP_TYPE_DEVMAP);
	__type(key, __u32);
	__type(value, __u32);
	__uint(max_entries, 1);
} tx_port SEC(".maps");

/* Which frames go, and how they leave: the key is the source MAC address a
 * frame arrives with (the sender), the value the destination MAC address it
 * is sent to. A frame from a sender that is not in the map stays here.
 */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, unsigned char[ETH_ALEN]);
	__type(value, unsigned char[ETH_ALEN]);
	__uint(max_entries, 64);
} redirect_params SEC(".maps");

SEC("xdp")
int xdp_redirect_map_func(struct xdp_md *ctx)
{
	void *data_end = (void *)(long)ctx->data_end;
	void *data = (void *)(long)ctx->data;
	struct hdr_cursor nh = { .pos = data };
	__u32 action = XDP_PASS;
	struct ethhdr *eth;
	unsigned char *dst;

	if (parse_ethhdr(&nh, data_end, &eth) < 0)
		return xdp_stats_record_action(ctx, action);

	/* Assignment 3: look the sender up, rewrite, redirect through tx_port */
	dst = bpf_map_lookup_elem(&redirect_params, eth->h_source);
	if (dst) {
		/* The frame now comes from the interface that took it in. */
		__builtin_memcpy(eth->h_source, eth->h_dest, ETH_ALEN);
		__builtin_memcpy(eth->h_dest, dst, ETH_ALEN);
		/* With slot 0 empty the redirect fails: the flags' low bits
		 * say what to return then (0 is XDP_ABORTED, which shows up).
		 */
		action = bpf_redirect_map(&tx_port, 0, 0);
	}
	/* Assignment 3: end */
	return xdp_stats_record_action(ctx, action);
}

/* ---- Assignment 4: a router with bpf_fib_lookup ----------------------------- */

/* The IPv6 flow label and traffic class: the first 32 bits of the header
 * without its version.
 */
#define IPV6_FLOWINFO_MASK bpf_htonl(0x0fffffff)

SEC("xdp")
int xdp_router_func(struct xdp_md *ctx)
{
	void *data_end = (void *)(long)ctx->data_end;
	void *data = (void *)(long)ctx->data;
	struct hdr_cursor nh = { .pos = data };
	struct bpf_fib_lookup fib = {};
	struct ipv6hdr *ip6h = NULL;
	struct iphdr *iph = NULL;
	__u32 action = XDP_PASS;
	struct ethhdr *eth;
	int eth_type, rc;

	eth_type = parse_ethhdr(&nh, data_end, &eth);
	if (eth_type == bpf_htons(ETH_P_IP)) {
		if (parse_iphdr(&nh, data_end, &iph) < 0)
			goto out;
		/* Assignment 4: fill the IPv4 lookup (TTL that would expire: XDP_PASS) */
		if (iph->ttl <= 1)
			goto out;
		fib.family = AF_INET;
		fib.tos = iph->tos;
		fib.l4_protocol = iph->protocol;
		fib.tot_len = bpf_ntohs(iph->tot_len);
		fib.ipv4_src = iph->saddr;
		fib.ipv4_dst = iph->daddr;
		/* Assignment 4: end */
	} else if (eth_type == bpf_htons(ETH_P_IPV6)) {
		if (parse_ip6hdr(&nh, data_end, &ip6h) < 0)
			goto out;
		/* Assignment 4: fill the IPv6 lookup (hop limit that would expire: XDP_PASS) */
		if (ip6h->hop_limit <= 1)
			goto out;
		fib.family = AF_INET6;
		fib.flowinfo = *(__be32 *)ip6h & IPV6_FLOWINFO_MASK;
		fib.l4_protocol = ip6h->nexthdr;
		fib.tot_len = bpf_ntohs(ip6h->payload_len);
		__builtin_memcpy(fib.ipv6_src, &ip6h->saddr, sizeof(fib.ipv6_src));
		__builtin_memcpy(fib.ipv6_dst, &ip6h->daddr, sizeof(fib.ipv6_dst));
		/* Assignment 4: end */
	} else {
		goto out;
	}
	fib.ifindex = ctx->ingress_ifindex;

	/* The kernel's routing table and neighbour table, as the stack would
	 * consult them: on success, fib.ifindex is the interface to send out of,
	 * and fib.smac/fib.dmac the MAC addresses to use.
	 */
	rc = bpf_fib_lookup(ctx, &fib, sizeof(fib), 0);
	/* Assignment 4: forward on success only; everything else goes to the stack */
	if (rc != BPF_FIB_LKUP_RET_SUCCESS)
		goto out;
	if (iph)
		ip_decrease_ttl(iph);
	else if (ip6h)
		ip6h->hop_limit--;
	__builtin_memcpy(eth->h_dest, fib.dmac, ETH_ALEN);
	__builtin_memcpy(eth->h_source, fib.smac, ETH_ALEN);
	action = bpf_redirect(fib.ifindex, 0);
	/* Assignment 4: end */
out:
	return xdp_stats_record_action(ctx, action);
}

SEC("xdp")
int xdp_pass_func(struct xdp_md *ctx)
{
	return xdp_stats_record_action(ctx, XDP_PASS);
}

char _license[] SEC("license") = "GPL";
