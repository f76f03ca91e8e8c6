/* SPDX-License-Identifier: GPL-2.0 */
/* Packet rewriting helpers for XDP programs: swap addresses, add or remove VLAN
 * tags, and keep checksums right after changing a field.
 *
 * The helpers take header pointers a program got from parsing_helpers.h, so the
 * bounds checks are already done. The VLAN helpers move the start of the frame:
 * after them, every pointer into the packet is invalid and must be read again
 * from ctx->data (and checked again against ctx->data_end).
 */
#ifndef REWRITE_HELPERS_H
#define REWRITE_HELPERS_H

#include <linux/bpf.h>
#include <linux/types.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#include "parsing_helpers.h"

/* Swap the source and destination MAC addresses: the first step of sending a
 * frame back where it came from (XDP_TX).
 */
static __always_inline void swap_src_dst_mac(struct ethhdr *eth)
{
	__u8 tmp[ETH_ALEN];

	__builtin_memcpy(tmp, eth->h_source, ETH_ALEN);
	__builtin_memcpy(eth->h_source, eth->h_dest, ETH_ALEN);
	__builtin_memcpy(eth->h_dest, tmp, ETH_ALEN);
}

/* Swap the source and destination IPv4 addresses. No checksum changes: the IPv4
 * header checksum, and the UDP/TCP ones that cover the addresses, are sums, and
 * a sum does not depend on the order of its terms.
 */
static __always_inline void swap_src_dst_ipv4(struct iphdr *iph)
{
	__be32 tmp = iph->saddr;

	iph->saddr = iph->daddr;
	iph->daddr = tmp;
}

/* Swap the source and destination IPv6 addresses (IPv6 has no header checksum,
 * and the UDP/TCP/ICMPv6 checksums stay valid, as for IPv4).
 */
static __always_inline void swap_src_dst_ipv6(struct ipv6hdr *ip6h)
{
	struct in6_addr tmp;

	__builtin_memcpy(&tmp, &ip6h->saddr, sizeof(tmp));
	__builtin_memcpy(&ip6h->saddr, &ip6h->daddr, sizeof(tmp));
	__builtin_memcpy(&ip6h->daddr, &tmp, sizeof(tmp));
}

/* Remove the outermost VLAN tag from the frame at ctx->data. Returns the VLAN id
 * it carried, or -1 (frame unchanged) when the frame has no complete VLAN tag or
 * the frame start cannot be moved.
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

	/* The addresses stay; the EtherType becomes the one inside the tag. */
	__builtin_memcpy(&eth_copy, eth, sizeof(eth_copy));
	eth_copy.h_proto = vlh->h_vlan_encapsulated_proto;
	vlan_id = bpf_ntohs(vlh->h_vlan_TCI) & VLAN_VID_MASK;

	/* A positive delta moves the frame start forward: the first 4 bytes (part
	 * of the old MAC addresses) are gone, and the new Ethernet header is
	 * written where the tag ended.
	 */
	if (bpf_xdp_adjust_head(ctx, (int)sizeof(struct vlan_hdr)))
		return -1;

	/* Moving the frame start invalidates every packet pointer and every bounds
	 * check the verifier had seen, so read the pointers again and check again.
	 * This check cannot fail (the frame had 18 bytes, it has 14), but without
	 * it the verifier rejects the write below.
	 */
	data_end = (void *)(long)ctx->data_end;
	data = (void *)(long)ctx->data;
	eth = data;
	if ((void *)(eth + 1) > data_end)
		return -1;

	__builtin_memcpy(eth, &eth_copy, sizeof(*eth));
	return vlan_id;
}

/* Add a VLAN tag in front of the frame's EtherType: tpid is the tag type,
 * bpf_htons(ETH_P_8021Q) or bpf_htons(ETH_P_8021AD), vlan_id is 0..4095.
 * Returns 0, or -1 (frame unchanged) on a bad argument, a frame shorter than an
 * Ethernet header, or no room in front of the frame.
 */
static __always_inline int vlan_tag_push(struct xdp_md *ctx, __be16 tpid, __u16 vlan_id)
{
	void *data_end = (void *)(long)ctx->data_end;
	void *data = (void *)(long)ctx->data;
	struct ethhdr *eth = data;
	struct ethhdr eth_copy;
	struct vlan_hdr *vlh;

	if (!proto_is_vlan(tpid) || vlan_id > VLAN_VID_MASK)
		return -1;
	if ((void *)(eth + 1) > data_end)
		return -1;
	__builtin_memcpy(&eth_copy, eth, sizeof(eth_copy));

	/* A negative delta grows the frame at its front, into the headroom that
	 * every XDP driver leaves there.
	 */
	if (bpf_xdp_adjust_head(ctx, -(int)sizeof(struct vlan_hdr)))
		return -1;

	/* As in vlan_tag_pop(): old pointers are void, read and check again. */
	data_end = (void *)(long)ctx->data_end;
	data = (void *)(long)ctx->data;
	eth = data;
	vlh = (void *)(eth + 1);
	if ((void *)(vlh + 1) > data_end)
		return -1;

	/* Addresses first, then the tag, which carries the old EtherType. */
	__builtin_memcpy(eth->h_dest, eth_copy.h_dest, ETH_ALEN);
	__builtin_memcpy(eth->h_source, eth_copy.h_source, ETH_ALEN);
	eth->h_proto = tpid;
	vlh->h_vlan_TCI = bpf_htons(vlan_id);
	vlh->h_vlan_encapsulated_proto = eth_copy.h_proto;
	return 0;
}

/* Internet checksums (IPv4 header, UDP, TCP, ICMP) are the one's complement of
 * the one's complement sum of the 16-bit words they cover. When one field
 * changes, the checksum can be updated from the old and new values alone, without
 * summing the packet again (RFC 1624, equation 3: HC' = ~(~HC + ~m + m')).
 *
 * These helpers take the values exactly as they are in the packet (network byte
 * order); the sum gives the same result in either byte order as long as all the
 * terms are in the same one.
 *
 * UDP over IPv4: a checksum of 0 means the sender did not compute one, so leave
 * it alone; and a computed 0 must be sent as 0xffff (RFC 768).
 *
 * The result equals a full recomputation, except over data that is all zeros
 * (0x0000 where a full sum gives 0xffff). No IPv4, UDP or TCP header is all
 * zeros (the length fields alone are not), but an ICMPv4 message can be, since
 * its checksum covers no pseudo-header: an echo reply with id 0, sequence 0 and
 * no data. Rewriting such a message's id to 0 leaves a checksum of 0x0000 that
 * a receiver rejects; a program that can meet it recomputes the checksum.
 */

/* Fold a 32-bit sum of 16-bit words into 16 bits and invert it: the value a
 * checksum field holds. Folding twice, because the first fold can carry again.
 */
static __always_inline __u16 csum_fold_helper(__u32 csum)
{
	csum = (csum & 0xffff) + (csum >> 16);
	csum = (csum & 0xffff) + (csum >> 16);
	return (__u16)~csum;
}

/* Update the checksum *sum after a 16-bit field it covers changed from old to new. */
static __always_inline void csum_replace2(__sum16 *sum, __be16 old, __be16 new)
{
	__u32 csum = (__u16) ~*sum;

	csum += (__u16)~old;
	csum += new;
	*sum = csum_fold_helper(csum);
}

/* Update the checksum *sum after a 32-bit field it covers (an IPv4 address, say)
 * changed from old to new: the same, for each of its two 16-bit halves.
 */
static __always_inline void csum_replace4(__sum16 *sum, __be32 old, __be32 new)
{
	__u32 csum = (__u16) ~*sum;

	csum += (__u16) ~(old & 0xffff);
	csum += (__u16) ~(old >> 16);
	csum += new & 0xffff;
	csum += new >> 16;
	*sum = csum_fold_helper(csum);
}

/* Decrement the IPv4 TTL and update the header checksum to match, as a router
 * does. TTL and protocol share one 16-bit word of the header. Returns the new TTL.
 * A router never forwards a packet whose TTL would reach 0 (it answers with ICMP
 * time exceeded instead), so the caller checks iph->ttl > 1 first: on a TTL of 0
 * this wraps to 255.
 */
static __always_inline __u8 ip_decrease_ttl(struct iphdr *iph)
{
	__be16 old = bpf_htons(iph->ttl << 8 | iph->protocol);

	iph->ttl--;
	csum_replace2(&iph->check, old, bpf_htons(iph->ttl << 8 | iph->protocol));
	return iph->ttl;
}

#endif /* REWRITE_HELPERS_H */
