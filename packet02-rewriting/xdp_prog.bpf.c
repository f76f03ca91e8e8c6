// SPDX-License-Identifier: GPL-2.0
/* packet02: change packets, not only read them.
 *
 * xdp_port_rewrite_func  UDP and TCP, IPv4 and IPv6: the destination port N
 *                        becomes N - 1, and the L4 checksum is updated to match.
 * tc_port_restore        the way back, on egress (tc): the source port N - 1 of
 *                        the replies becomes N again, so that the sender sees
 *                        answers from the port it talked to.
 * xdp_vlan_pop_func      removes the outermost VLAN tag of a frame.
 * xdp_vlan_push_func     adds a VLAN tag (802.1Q, id VLAN_PUSH_ID) to an untagged frame.
 *
 * The XDP programs record every verdict in xdp_stats_map (t stats shows it).
 */
#include <linux/bpf.h>
#include <linux/in.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/udp.h>
#include <linux/tcp.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#include "parsing_helpers.h"
#include "xdp_stats_kern.h"

/* The VLAN id xdp_vlan_push_func tags frames with: the one testenv's --vlan uses. */
#define VLAN_PUSH_ID 100

/* Where the ports are: the UDP or TCP header of a packet, and its checksum. */
struct l4_ports {
	__be16 *sport;
	__be16 *dport;
	__sum16 *check;
	int is_udp;
};

/* Find the UDP or TCP header of an IPv4 or IPv6 packet, from the frame start at
 * data. Returns 0 and fills ports, or -1 for any other packet (which the
 * programs leave alone).
 */
static __always_inline int find_ports(void *data, void *data_end, struct l4_ports *ports)
{
	struct hdr_cursor nh = { .pos = data };
	struct ipv6hdr *ip6h;
	struct udphdr *udph;
	struct tcphdr *tcph;
	struct ethhdr *eth;
	struct iphdr *iph;
	int eth_type, ip_type;

	eth_type = parse_ethhdr(&nh, data_end, &eth);
	if (eth_type == bpf_htons(ETH_P_IP))
		ip_type = parse_iphdr(&nh, data_end, &iph);
	else if (eth_type == bpf_htons(ETH_P_IPV6))
		ip_type = parse_ip6hdr(&nh, data_end, &ip6h);
	else
		return -1;

	if (ip_type == IPPROTO_UDP) {
		if (parse_udphdr(&nh, data_end, &udph) < 0)
			return -1;
		ports->sport = &udph->source;
		ports->dport = &udph->dest;
		ports->check = &udph->check;
		ports->is_udp = 1;
		return 0;
	}
	if (ip_type == IPPROTO_TCP) {
		if (parse_tcphdr(&nh, data_end, &tcph) < 0)
			return -1;
		ports->sport = &tcph->source;
		ports->dport = &tcph->dest;
		ports->check = &tcph->check;
		ports->is_udp = 0;
		return 0;
	}
	return -1;
}

/* Assignment 1: update the checksum *sum after a 16-bit field it covers
 * changed from old to new, without summing the packet again (RFC 1624,
 * equation 3: HC' = ~(~HC + ~m + m'), in one's complement arithmetic).
 */
static __always_inline void csum_replace2(__sum16 *sum, __be16 old, __be16 new)
{
}
/* Assignment 1: end */

/* Change the port *port to new_port and keep the checksum right. */
static __always_inline void set_port(struct l4_ports *ports, __be16 *port, __be16 new_port)
{
	__be16 old_port = *port;

	*port = new_port;
	/* Assignment 1: update the checksum (csum_replace2). Mind UDP over IPv4:
	 * a checksum of 0 means "none" (leave it so), and a computed 0 is sent
	 * as 0xffff (RFC 768).
	 */
	csum_replace2(ports->check, old_port, new_port);
	/* Assignment 1: end */
}

SEC("xdp")
int xdp_port_rewrite_func(struct xdp_md *ctx)
{
	void *data_end = (void *)(long)ctx->data_end;
	void *data = (void *)(long)ctx->data;
	struct l4_ports ports;

	if (find_ports(data, data_end, &ports) < 0)
		return xdp_stats_record_action(ctx, XDP_PASS);

	/* The destination port N becomes N - 1 (port 0 stays). */
	if (*ports.dport)
		set_port(&ports, ports.dport, bpf_htons(bpf_ntohs(*ports.dport) - 1));
	return xdp_stats_record_action(ctx, XDP_PASS);
}

/* The way back, on egress. A reply from port N - 1 must leave with source
 * port N again, or the sender, which talked to N, resets the connection. This
 * runs in tc, on an skb, so bpf_l4_csum_replace() is at hand: it knows whether
 * the checksum is complete or only the pseudo-header sum that a device will
 * finish (checksum offload), and updates it only when that is right.
 */
SEC("tc")
int tc_port_restore(struct __sk_buff *skb)
{
	/* Assignment 4: find the ports (find_ports() works on an skb's data
	 * too), give the source port N - 1 back its N, with the checksum: use
	 * bpf_l4_csum_replace() and bpf_skb_store_bytes(), which take offsets
	 * from the frame start.
	 */
	return TC_ACT_OK;
}
/* Assignment 4: end */

/* Assignment 2: remove the outermost VLAN tag from the frame at ctx->data.
 * Return the VLAN id it carried, or -1 (frame unchanged) when the frame has
 * no complete VLAN tag or bpf_xdp_adjust_head() fails. After that call every
 * packet pointer is void: read ctx->data and ctx->data_end again, and check
 * again before you write.
 */
static __always_inline int vlan_tag_pop(struct xdp_md *ctx)
{
	return -1;
}
/* Assignment 2: end */

/* Assignment 3: add an 802.1Q tag with VLAN id vlan_id in front of the frame's
 * EtherType. Return 0, or -1 (frame unchanged) when the frame is shorter than
 * an Ethernet header or bpf_xdp_adjust_head() fails (a negative delta grows
 * the frame at its front). Mind the byte order of the TPID and the TCI.
 */
static __always_inline int vlan_tag_push(struct xdp_md *ctx, __u16 vlan_id)
{
	return -1;
}
/* Assignment 3: end */

/* Remove the outer VLAN tag of tagged frames; pass the others unchanged
 * (vlan_tag_pop() leaves them alone, and says so with -1).
 */
SEC("xdp")
int xdp_vlan_pop_func(struct xdp_md *ctx)
{
	vlan_tag_pop(ctx);
	return xdp_stats_record_action(ctx, XDP_PASS);
}

/* Tag untagged frames with VLAN_PUSH_ID; pass tagged ones unchanged. */
SEC("xdp")
int xdp_vlan_push_func(struct xdp_md *ctx)
{
	void *data_end = (void *)(long)ctx->data_end;
	void *data = (void *)(long)ctx->data;
	struct ethhdr *eth = data;

	if ((void *)(eth + 1) > data_end)
		return xdp_stats_record_action(ctx, XDP_DROP);
	if (!proto_is_vlan(eth->h_proto)) {
		if (vlan_tag_push(ctx, VLAN_PUSH_ID) < 0)
			return xdp_stats_record_action(ctx, XDP_DROP);
	}
	return xdp_stats_record_action(ctx, XDP_PASS);
}

char _license[] SEC("license") = "GPL";
