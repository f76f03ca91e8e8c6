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

/* Assignment 1: helpers of your own can go here */
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

	/* Assignment 1: answer ICMPv6 and ICMP echo requests with XDP_TX.
	 * Parse down to the ICMPv6 (or ICMP) header; for an echo request,
	 * swap the MAC and the IP addresses, make it an echo reply, fix the
	 * checksum (csum_replace2 in headers/rewrite_helpers.h) and return
	 * XDP_TX. Everything else: XDP_PASS.
	 */
	eth_type = parse_ethhdr(&nh, data_end, &eth);
	(void)eth_type, (void)icmp6h, (void)icmph, (void)ip6h, (void)iph;
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

	/* Assignment 2: write redirect_cfg's MAC addresses into the frame (the
	 * destination and the source) and redirect it to redirect_cfg.ifindex
	 * with bpf_redirect(); its return value is the action.
	 */
	(void)i;
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

	/* Assignment 3: look the frame's source MAC address up in
	 * redirect_params; for a known sender, write the destination MAC address
	 * found there (and, as the source, the destination the frame came
	 * with), then return bpf_redirect_map(&tx_port, 0, 0).
	 */
	(void)dst;
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
		/* Assignment 4: fill the IPv4 lookup: family, tos, l4_protocol,
		 * tot_len, addresses. A TTL that would expire (<= 1) is the
		 * stack's to answer: XDP_PASS.
		 */
		/* Assignment 4: end */
	} else if (eth_type == bpf_htons(ETH_P_IPV6)) {
		if (parse_ip6hdr(&nh, data_end, &ip6h) < 0)
			goto out;
		/* Assignment 4: the same for IPv6 (the flow info is the first
		 * 32 bits of the header, less the version: IPV6_FLOWINFO_MASK).
		 */
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
	/* Assignment 4: on BPF_FIB_LKUP_RET_SUCCESS, decrease the TTL (checksum!)
	 * or hop limit, write fib.dmac and fib.smac into the frame and return
	 * bpf_redirect(fib.ifindex, 0). On any other result, XDP_PASS: the
	 * stack resolves the neighbour, answers, or sends the ICMP error.
	 */
	(void)rc;
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
