// SPDX-License-Identifier: GPL-2.0
/* packet01: read the headers of a packet, safely.
 *
 * xdp_parser_func walks the frame with a header cursor: Ethernet, the VLAN
 * tags after it, IPv6 or IPv4, then ICMPv6 or ICMP. It drops the echo
 * requests and echo replies (what ping sends, and what comes back) whose
 * sequence number is even, passes every other frame, and records each
 * verdict in xdp_stats_map, so that xdp_stats of basic04 shows them.
 *
 * The parse functions below are this lesson's own, for you to finish
 * (README.org, the assignments). headers/parsing_helpers.h holds the
 * finished ones, which the later lessons include.
 */
#include <linux/bpf.h>
#include <linux/types.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/icmpv6.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#include "xdp_stats_kern.h"

/* How many VLAN tags parse_ethhdr() looks through (assignment 4). */
#define VLAN_MAX_DEPTH 2

/* The ICMP header, as in <linux/icmp.h>, which cannot be included in a BPF
 * program (it pulls in the C library's headers). Only the echo fields are
 * spelled out: the others share their 4 bytes.
 */
struct icmphdr {
	__u8 type;
	__u8 code;
	__sum16 checksum;
	union {
		struct {
			__be16 id;
			__be16 sequence;
		} echo;
		__u32 other;
	} un;
};

#define ICMP_ECHOREPLY 0 /* ICMP type of an echo reply */
#define ICMP_ECHO 8	 /* ICMP type of an echo request */

/* Where the parser is: the first byte of the packet not parsed yet. */
struct hdr_cursor {
	void *pos;
};

/* A 16-bit length field in host byte order. The compiler knows it cannot
 * exceed 0xffff; the verifier of older kernels (6.1) forgets it after the
 * byte swap and rejects adding it to a packet pointer ("math between pkt
 * pointer and register with unbounded min value"). The mask tells it again,
 * and barrier_var() keeps the compiler from deleting the mask.
 */
static __always_inline __u32 read_len16(const __be16 *field)
{
	__u32 len = bpf_ntohs(*field);

	barrier_var(len);
	return len & 0xffff;
}

/* Assignment 4: VLAN tags. Define struct vlan_hdr (the 4 bytes of a tag:
 * the TCI, then the EtherType of what follows) and proto_is_vlan(), then
 * make parse_vlan_tags() step over up to VLAN_MAX_DEPTH tags, 802.1Q
 * (ETH_P_8021Q) and 802.1ad (ETH_P_8021AD), in a loop with a constant bound.
 */
struct vlan_hdr {
	__be16 h_vlan_TCI;
	__be16 h_vlan_encapsulated_proto;
};

static __always_inline int proto_is_vlan(__u16 h_proto)
{
	return h_proto == bpf_htons(ETH_P_8021Q) || h_proto == bpf_htons(ETH_P_8021AD);
}

/* h_proto is the EtherType read after the MAC addresses. Returns the
 * EtherType after the tags (network byte order), or -1 when a tag is cut
 * short. Deeper stacks stop at VLAN_MAX_DEPTH: their next tag type comes
 * back, a protocol the program does not know.
 */
static __always_inline int parse_vlan_tags(struct hdr_cursor *nh, void *data_end, __u16 h_proto)
{
	struct vlan_hdr *vlh;
	int i;

	for (i = 0; i < VLAN_MAX_DEPTH; i++) {
		if (!proto_is_vlan(h_proto))
			break;
		vlh = nh->pos;
		if ((void *)(vlh + 1) > data_end)
			return -1;
		h_proto = vlh->h_vlan_encapsulated_proto;
		nh->pos = vlh + 1;
	}
	return h_proto;
}
/* Assignment 4: end */

/* Parse the Ethernet header (and the VLAN tags after it). Returns the
 * EtherType of what follows, in network byte order, or -1 when the frame is
 * too short.
 */
static __always_inline int parse_ethhdr(struct hdr_cursor *nh, void *data_end,
					struct ethhdr **ethhdr)
{
	struct ethhdr *eth = nh->pos;

	/* Assignment 1: the bounds check, before the first read. eth + 1 is
	 * the byte after the whole header: the verifier refuses a read of any
	 * byte this comparison has not proven to lie before data_end.
	 */
	if ((void *)(eth + 1) > data_end)
		return -1;
	/* Assignment 1: end */

	nh->pos = eth + 1;
	*ethhdr = eth;
	return parse_vlan_tags(nh, data_end, eth->h_proto);
}

/* Parse an IPv6 header. Returns its next header (IPPROTO_ICMPV6...), or -1
 * when the header is cut short, its version is not 6, or its payload length
 * runs past the end of the frame.
 */
static __always_inline int parse_ip6hdr(struct hdr_cursor *nh, void *data_end,
					struct ipv6hdr **ip6hdr)
{
	/* Assignment 2: parse the IPv6 header: bounds check, version,
	 * payload length (read it with read_len16()), then move the cursor.
	 */
	struct ipv6hdr *ip6h = nh->pos;

	if ((void *)(ip6h + 1) > data_end)
		return -1;
	if (ip6h->version != 6)
		return -1;
	if ((void *)(ip6h + 1) + read_len16(&ip6h->payload_len) > data_end)
		return -1;

	nh->pos = ip6h + 1;
	*ip6hdr = ip6h;
	return ip6h->nexthdr;
	/* Assignment 2: end */
}

/* Parse an ICMPv6 header (8 bytes). Returns its type, or -1. */
static __always_inline int parse_icmp6hdr(struct hdr_cursor *nh, void *data_end,
					  struct icmp6hdr **icmp6hdr)
{
	/* Assignment 3: parse the ICMPv6 header. */
	struct icmp6hdr *icmp6h = nh->pos;

	if ((void *)(icmp6h + 1) > data_end)
		return -1;

	nh->pos = icmp6h + 1;
	*icmp6hdr = icmp6h;
	return icmp6h->icmp6_type;
	/* Assignment 3: end */
}

/* IPv4 fragments (frag_off, host byte order): only the first piece of a
 * fragmented packet (offset 0) holds the header of the protocol inside.
 */
#define IPV4_FRAGMENT_OFFSET 0x1fff

/* Parse an IPv4 header, options included. Returns its protocol
 * (IPPROTO_ICMP...), IPPROTO_FRAGMENT for a later fragment, or -1 when the
 * packet is not well-formed IPv4.
 */
static __always_inline int parse_iphdr(struct hdr_cursor *nh, void *data_end, struct iphdr **iphdr)
{
	/* Assignment 5: parse the IPv4 header: the fixed 20 bytes first, then
	 * the version and the header length (ihl, in 32-bit words, options
	 * included), the total length, and the fragment offset.
	 */
	struct iphdr *iph = nh->pos;
	int hdrsize, tot_len;

	if ((void *)(iph + 1) > data_end)
		return -1;
	if (iph->version != 4 || iph->ihl < 5)
		return -1;
	hdrsize = iph->ihl * 4;
	tot_len = read_len16(&iph->tot_len);
	if (tot_len < hdrsize)
		return -1;
	if (nh->pos + tot_len > data_end)
		return -1;

	nh->pos += hdrsize;
	*iphdr = iph;
	if (iph->frag_off & bpf_htons(IPV4_FRAGMENT_OFFSET))
		return IPPROTO_FRAGMENT;
	return iph->protocol;
	/* Assignment 5: end */
}

/* Parse an ICMP header (8 bytes). Returns its type, or -1. */
static __always_inline int parse_icmphdr(struct hdr_cursor *nh, void *data_end,
					 struct icmphdr **icmphdr)
{
	/* Assignment 5: parse the ICMP header. */
	struct icmphdr *icmph = nh->pos;

	if ((void *)(icmph + 1) > data_end)
		return -1;

	nh->pos = icmph + 1;
	*icmphdr = icmph;
	return icmph->type;
	/* Assignment 5: end */
}

SEC("xdp")
int xdp_parser_func(struct xdp_md *ctx)
{
	/* The frame lies between data and data_end. They are 32-bit fields of
	 * the context; the casts make them pointers the verifier tracks.
	 */
	void *data_end = (void *)(long)ctx->data_end;
	void *data = (void *)(long)ctx->data;
	struct hdr_cursor nh = { .pos = data };
	__u32 action = XDP_PASS;
	struct ethhdr *eth;
	int eth_type;

	eth_type = parse_ethhdr(&nh, data_end, &eth);
	if (eth_type == bpf_htons(ETH_P_IPV6)) {
		/* Assignment 3: drop the ICMPv6 echo requests and echo replies
		 * whose sequence number is even; icmp6_sequence is in network
		 * byte order.
		 */
		struct icmp6hdr *icmp6h;
		struct ipv6hdr *ip6h;
		int type;

		/* Each step runs only when the one before found its protocol. */
		if (parse_ip6hdr(&nh, data_end, &ip6h) == IPPROTO_ICMPV6) {
			type = parse_icmp6hdr(&nh, data_end, &icmp6h);
			if ((type == ICMPV6_ECHO_REQUEST || type == ICMPV6_ECHO_REPLY) &&
			    bpf_ntohs(icmp6h->icmp6_sequence) % 2 == 0)
				action = XDP_DROP;
		}
		/* Assignment 3: end */
	} else if (eth_type == bpf_htons(ETH_P_IP)) {
		/* Assignment 5: the same for IPv4: drop the echo requests
		 * (ICMP_ECHO) and echo replies (ICMP_ECHOREPLY) with an even
		 * un.echo.sequence.
		 */
		struct icmphdr *icmph;
		struct iphdr *iph;
		int type;

		if (parse_iphdr(&nh, data_end, &iph) == IPPROTO_ICMP) {
			type = parse_icmphdr(&nh, data_end, &icmph);
			if ((type == ICMP_ECHO || type == ICMP_ECHOREPLY) &&
			    bpf_ntohs(icmph->un.echo.sequence) % 2 == 0)
				action = XDP_DROP;
		}
		/* Assignment 5: end */
	}
	return xdp_stats_record_action(ctx, action);
}

char _license[] SEC("license") = "GPL";
