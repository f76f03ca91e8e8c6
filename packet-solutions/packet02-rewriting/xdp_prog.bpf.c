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
	__u32 csum = (__u16) ~*sum;

	csum += (__u16)~old;
	csum += new;
	/* Fold the carries back in, twice: the first fold can carry again. */
	csum = (csum & 0xffff) + (csum >> 16);
	csum = (csum & 0xffff) + (csum >> 16);
	*sum = (__u16)~csum;
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
	if (ports->is_udp && !*ports->check)
		return;
	csum_replace2(ports->check, old_port, new_port);
	if (ports->is_udp && !*ports->check)
		*ports->check = 0xffff;
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
	/* Assignment 4: find the ports, give the source port N - 1 back its N,
	 * with the checksum.
	 */
	void *data_end = (void *)(long)skb->data_end;
	void *data = (void *)(long)skb->data;
	struct l4_ports ports;
	__be16 old_port, new_port;
	__u32 port_off, check_off;

	if (find_ports(data, data_end, &ports) < 0)
		return TC_ACT_OK;
	old_port = *ports.sport;
	if (old_port == bpf_htons(0xffff))
		return TC_ACT_OK;
	new_port = bpf_htons(bpf_ntohs(old_port) + 1);

	/* The helpers below take offsets from the frame start, and each of them
	 * invalidates every packet pointer: work the offsets out first.
	 */
	port_off = (void *)ports.sport - data;
	check_off = (void *)ports.check - data;

	/* BPF_F_MARK_MANGLED_0: UDP's 0 ("no checksum") stays 0, and a result
	 * of 0 is written as 0xffff.
	 */
	if (bpf_l4_csum_replace(skb, check_off, old_port, new_port,
				sizeof(new_port) | (ports.is_udp ? BPF_F_MARK_MANGLED_0 : 0)))
		return TC_ACT_SHOT;
	if (bpf_skb_store_bytes(skb, port_off, &new_port, sizeof(new_port), 0))
		return TC_ACT_SHOT;
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
	void *data_end = (void *)(long)ctx->data_end;
	void *data = (void *)(long)ctx->data;
	struct ethhdr *eth = data;
	struct vlan_hdr *vlh = (void *)(eth + 1);
	struct ethhdr eth_copy;
	int vlan_id;

	if ((void *)(vlh + 1) > data_end)
		return -1;
	if (!proto_is_vlan(eth->h_proto))
		return -1;

	/* The new Ethernet header: the same addresses, the EtherType from the tag. */
	__builtin_memcpy(&eth_copy, eth, sizeof(eth_copy));
	eth_copy.h_proto = vlh->h_vlan_encapsulated_proto;
	vlan_id = bpf_ntohs(vlh->h_vlan_TCI) & VLAN_VID_MASK;

	/* Move the frame start 4 bytes forward: the frame loses its first 4 bytes. */
	if (bpf_xdp_adjust_head(ctx, (int)sizeof(struct vlan_hdr)))
		return -1;

	/* Every packet pointer is void now: read them again, check again. */
	data_end = (void *)(long)ctx->data_end;
	data = (void *)(long)ctx->data;
	eth = data;
	if ((void *)(eth + 1) > data_end)
		return -1;
	__builtin_memcpy(eth, &eth_copy, sizeof(*eth));
	return vlan_id;
}
/* Assignment 2: end */

/* Assignment 3: add an 802.1Q tag with VLAN id vlan_id in front of the frame's
 * EtherType. Return 0, or -1 (frame unchanged) when the frame is shorter than
 * an Ethernet header or bpf_xdp_adjust_head() fails (a negative delta grows
 * the frame at its front). Mind the byte order of the TPID and the TCI.
 */
static __always_inline int vlan_tag_push(struct xdp_md *ctx, __u16 vlan_id)
{
	void *data_end = (void *)(long)ctx->data_end;
	void *data = (void *)(long)ctx->data;
	struct ethhdr *eth = data;
	struct ethhdr eth_copy;
	struct vlan_hdr *vlh;

	if ((void *)(eth + 1) > data_end)
		return -1;
	__builtin_memcpy(&eth_copy, eth, sizeof(eth_copy));

	/* Grow the frame 4 bytes at its front, into the headroom. */
	if (bpf_xdp_adjust_head(ctx, -(int)sizeof(struct vlan_hdr)))
		return -1;

	data_end = (void *)(long)ctx->data_end;
	data = (void *)(long)ctx->data;
	eth = data;
	vlh = (void *)(eth + 1);
	if ((void *)(vlh + 1) > data_end)
		return -1;

	__builtin_memcpy(eth->h_dest, eth_copy.h_dest, ETH_ALEN);
	__builtin_memcpy(eth->h_source, eth_copy.h_source, ETH_ALEN);
	eth->h_proto = bpf_htons(ETH_P_8021Q);
	vlh->h_vlan_TCI = bpf_htons(vlan_id & VLAN_VID_MASK);
	vlh->h_vlan_encapsulated_proto = eth_copy.h_proto;
	return 0;
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
