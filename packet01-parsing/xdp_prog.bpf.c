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
/* h_proto is the EtherType read after the MAC addresses. Returns the
 * EtherType after the tags (network byte order), or -1 when a tag is cut
 * short. Deeper stacks stop at VLAN_MAX_DEPTH: their next tag type comes
 * back, a protocol the program does not know.
 */
static __always_inline int parse_vlan_tags(struct hdr_cursor *nh, void *data_end, __u16 h_proto)
{
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

	/* Assignment 1: the verifier rejects this bounds check. Read the end
	 * of its log (t load prints it), then fix the check so that it covers
	 * the whole Ethernet header.
	 */
	if ((void *)eth + sizeof(eth) > data_end)
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
	return -1;
	/* Assignment 2: end */
}

/* Parse an ICMPv6 header (8 bytes). Returns its type, or -1. */
static __always_inline int parse_icmp6hdr(struct hdr_cursor *nh, void *data_end,
					  struct icmp6hdr **icmp6hdr)
{
	/* Assignment 3: parse the ICMPv6 header. */
	return -1;
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
	return -1;
	/* Assignment 5: end */
}

/* Parse an ICMP header (8 bytes). Returns its type, or -1. */
static __always_inline int parse_icmphdr(struct hdr_cursor *nh, void *data_end,
					 struct icmphdr **icmphdr)
{
	/* Assignment 5: parse the ICMP header. */
	return -1;
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
		/* Assignment 3: for now, every IPv6 frame is dropped. Parse the
		 * IPv6 header (assignment 2), then the ICMPv6 header, and drop
		 * only the echo requests (ICMPV6_ECHO_REQUEST) and echo replies
		 * (ICMPV6_ECHO_REPLY) whose sequence number is even. Mind the
		 * byte order of icmp6_sequence.
		 */
		action = XDP_DROP;
		/* Assignment 3: end */
	} else if (eth_type == bpf_htons(ETH_P_IP)) {
		/* Assignment 5: the same for IPv4: parse_iphdr(), parse_icmphdr(),
		 * and drop the echo requests (ICMP_ECHO) and echo replies
		 * (ICMP_ECHOREPLY) with an even un.echo.sequence.
		 */
		/* Assignment 5: end */
	}
	return xdp_stats_record_action(ctx, action);
}

char _license[] SEC("license") = "GPL";
