/* SPDX-License-Identifier: GPL-2.0 */
/* Packet parsing helpers for XDP programs.
 *
 * A program walks the packet from front to back with a cursor (struct hdr_cursor).
 * Each parse_*() function reads the header at the cursor, checks that the whole
 * header lies inside the packet, moves the cursor past it and returns what comes
 * next: the next protocol, or a length where its comment says so. When the header
 * is cut short or malformed it returns -1 and leaves the cursor where it was.
 *
 *	struct hdr_cursor nh = { .pos = data };
 *	int eth_type = parse_ethhdr(&nh, data_end, &eth);
 *	if (eth_type == bpf_htons(ETH_P_IP))
 *		ip_proto = parse_iphdr(&nh, data_end, &iph);
 *
 * Multi-byte values in the packet are in network byte order (big-endian), and so
 * are the EtherTypes these helpers return: compare them with bpf_htons(ETH_P_IP),
 * never with a bare ETH_P_IP.
 */
#ifndef PARSING_HELPERS_H
#define PARSING_HELPERS_H

#include <linux/bpf.h>
#include <linux/types.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/icmpv6.h>
#include <linux/udp.h>
#include <linux/tcp.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

/* The ICMP header and the ICMP types, as in <linux/icmp.h>. That header is not
 * included here, because it pulls in the C library's <sys/socket.h>, which does
 * not build for -target bpf ("gnu/stubs-32.h not found") without tricks. The
 * guard is <linux/icmp.h>'s own, so including it after this file does nothing;
 * a program that needs the rest of it includes it before this file.
 */
#ifndef _LINUX_ICMP_H
#define _LINUX_ICMP_H
#define ICMP_ECHOREPLY 0      /* echo reply */
#define ICMP_DEST_UNREACH 3   /* destination unreachable */
#define ICMP_REDIRECT 5	      /* redirect (change route) */
#define ICMP_ECHO 8	      /* echo request */
#define ICMP_TIME_EXCEEDED 11 /* time exceeded */
#define ICMP_PARAMETERPROB 12 /* parameter problem */
#define ICMP_PORT_UNREACH 3   /* code of ICMP_DEST_UNREACH: port unreachable */
#define ICMP_FRAG_NEEDED 4    /* code of ICMP_DEST_UNREACH: fragmentation needed */
#define ICMP_EXC_TTL 0	      /* code of ICMP_TIME_EXCEEDED: TTL count exceeded */

struct icmphdr {
	__u8 type;
	__u8 code;
	__sum16 checksum;
	union {
		struct {
			__be16 id;
			__be16 sequence;
		} echo;
		__be32 gateway;
		struct {
			__be16 __unused;
			__be16 mtu;
		} frag;
		__u8 reserved[4];
	} un;
};
#endif /* _LINUX_ICMP_H */

/* How many VLAN tags parse_ethhdr() looks through. Two covers one 802.1Q tag, and
 * the double tag of 802.1ad (QinQ): a provider's outer tag around a customer's
 * 802.1Q tag. A program may define its own value before including this file.
 */
#ifndef VLAN_MAX_DEPTH
#define VLAN_MAX_DEPTH 2
#endif

/* The VLAN id is the low 12 bits of a tag's TCI; above it sit 3 bits of priority
 * and the drop-eligible bit.
 */
#define VLAN_VID_MASK 0x0fff

/* Where the parser is: the first byte of the packet not parsed yet. */
struct hdr_cursor {
	void *pos;
};

/* A VLAN tag as it sits on the wire, after the MAC addresses; the EtherType field
 * of struct ethhdr before it holds the tag's type (0x8100 or 0x88A8). The kernel's
 * own definition is in linux/if_vlan.h, which BPF programs cannot include.
 */
struct vlan_hdr {
	__be16 h_vlan_TCI;		  /* priority, drop eligible, VLAN id */
	__be16 h_vlan_encapsulated_proto; /* EtherType of what follows the tag */
};

/* The VLAN tags parse_ethhdr_vlan() went through, outermost first. */
struct collect_vlans {
	__u16 id[VLAN_MAX_DEPTH]; /* VLAN ids (12 bits), host byte order */
	__u16 count;		  /* how many entries of id[] are filled */
};

/* Is this EtherType (network byte order) a VLAN tag: 802.1Q, or 802.1ad? */
static __always_inline int proto_is_vlan(__u16 h_proto)
{
	return h_proto == bpf_htons(ETH_P_8021Q) || h_proto == bpf_htons(ETH_P_8021AD);
}

/* Parse the Ethernet header and up to VLAN_MAX_DEPTH VLAN tags after it.
 * Returns the EtherType of what follows them (network byte order), or -1. A stack
 * deeper than VLAN_MAX_DEPTH is not an error: the cursor stops at the first tag
 * not parsed and a VLAN EtherType is returned, which a program handles like any
 * protocol it does not know. When vlans is not NULL, the ids of the tags parsed
 * are stored in it (its content is undefined after a -1).
 */
static __always_inline int parse_ethhdr_vlan(struct hdr_cursor *nh, void *data_end,
					     struct ethhdr **ethhdr, struct collect_vlans *vlans)
{
	struct ethhdr *eth = nh->pos;
	struct vlan_hdr *vlh;
	__u16 h_proto;
	int i;

	/* The bounds check, before every read of a header. The verifier rejects a
	 * program that reads packet bytes it has not seen proven to lie before
	 * data_end ("invalid access to packet"), and this comparison is that proof.
	 * It also means a short frame can never make us read past its end.
	 */
	if ((void *)(eth + 1) > data_end)
		return -1;

	h_proto = eth->h_proto;
	vlh = (void *)(eth + 1);
	if (vlans)
		vlans->count = 0;

	/* The loop has a constant bound, so the verifier can see that it ends
	 * (and clang unrolls it).
	 */
	for (i = 0; i < VLAN_MAX_DEPTH; i++) {
		if (!proto_is_vlan(h_proto))
			break;
		if ((void *)(vlh + 1) > data_end)
			return -1;
		h_proto = vlh->h_vlan_encapsulated_proto;
		if (vlans) {
			vlans->id[i] = bpf_ntohs(vlh->h_vlan_TCI) & VLAN_VID_MASK;
			vlans->count = i + 1;
		}
		vlh++;
	}

	nh->pos = vlh;
	*ethhdr = eth;
	return h_proto;
}

/* parse_ethhdr_vlan() for a program that does not need the VLAN ids. */
static __always_inline int parse_ethhdr(struct hdr_cursor *nh, void *data_end,
					struct ethhdr **ethhdr)
{
	return parse_ethhdr_vlan(nh, data_end, ethhdr, NULL);
}

/* The fragment fields of an IPv4 header's frag_off (host byte order): a packet
 * too big for a link is sent in pieces, and only the first piece (offset 0)
 * carries the header of the protocol inside, such as the UDP ports.
 */
#define IPV4_MORE_FRAGMENTS 0x2000  /* more pieces follow this one */
#define IPV4_FRAGMENT_OFFSET 0x1fff /* where this piece goes, in 8-byte units */

/* A 16-bit length field of a header, in host byte order. A 16-bit field cannot
 * exceed 0xffff, and the compiler knows it; the verifier of older kernels
 * (Debian 12's 6.1 and 6.12) does not: after a byte swap it knows nothing of
 * the value, and rejects adding it to a packet pointer ("math between pkt
 * pointer and register with unbounded min value"). The mask tells it again.
 * barrier_var() hides len from the compiler for a moment, so that it keeps the
 * mask instead of deleting it as doing nothing.
 */
static __always_inline __u32 read_len16(const __be16 *field)
{
	__u32 len = bpf_ntohs(*field);

	barrier_var(len);
	return len & 0xffff;
}

/* Parse an IPv4 header, options included. Returns the protocol of what follows
 * (IPPROTO_UDP...), or -1 when the packet is not a well-formed IPv4 packet: cut
 * short, a version other than 4, a header length (ihl) below the minimum, or a
 * total length shorter than the header or longer than the frame. A later
 * fragment of a fragmented packet (offset not 0) holds no header of the protocol
 * inside, only the middle of its data: for those it returns IPPROTO_FRAGMENT,
 * so that a program looking for ports does not read them out of that data.
 * The frame may go on after the packet (Ethernet pads short frames).
 */
static __always_inline int parse_iphdr(struct hdr_cursor *nh, void *data_end, struct iphdr **iphdr)
{
	struct iphdr *iph = nh->pos;
	int hdrsize, tot_len;

	if ((void *)(iph + 1) > data_end)
		return -1;
	if (iph->version != 4)
		return -1;

	/* ihl is the header length in 32-bit words, options included: 5 is a
	 * header without options. Less than 5 cannot be a valid header.
	 */
	if (iph->ihl < 5)
		return -1;
	hdrsize = iph->ihl * 4;

	/* The total length counts the header and the data after it: it must
	 * hold the header, and the frame must hold all of it.
	 */
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
}

/* Parse an IPv6 header. Returns its next-header field (IPPROTO_UDP...), or -1
 * when the packet is cut short, its version is not 6, or its payload length
 * runs past the end of the frame. Extension headers are not skipped: for those
 * the caller sees their type, such as IPPROTO_HOPOPTS or IPPROTO_FRAGMENT.
 */
static __always_inline int parse_ip6hdr(struct hdr_cursor *nh, void *data_end,
					struct ipv6hdr **ip6hdr)
{
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
}

/* Parse an ICMP header (8 bytes: the echo id and sequence included). Returns the
 * ICMP type (ICMP_ECHO...), or -1.
 */
static __always_inline int parse_icmphdr(struct hdr_cursor *nh, void *data_end,
					 struct icmphdr **icmphdr)
{
	struct icmphdr *icmph = nh->pos;

	if ((void *)(icmph + 1) > data_end)
		return -1;

	nh->pos = icmph + 1;
	*icmphdr = icmph;
	return icmph->type;
}

/* Parse an ICMPv6 header (8 bytes). Returns the ICMPv6 type (ICMPV6_ECHO_REQUEST...),
 * or -1.
 */
static __always_inline int parse_icmp6hdr(struct hdr_cursor *nh, void *data_end,
					  struct icmp6hdr **icmp6hdr)
{
	struct icmp6hdr *icmp6h = nh->pos;

	if ((void *)(icmp6h + 1) > data_end)
		return -1;

	nh->pos = icmp6h + 1;
	*icmp6hdr = icmp6h;
	return icmp6h->icmp6_type;
}

/* Parse a UDP header. Returns the length of the UDP payload according to the
 * header's length field, or -1 when that field is below the header size or
 * claims more bytes than the frame holds. The frame may hold more (Ethernet
 * pads short frames). The length is compared with the frame, not with the IP
 * packet (this helper does not see the IP header): a program that needs the two
 * to agree compares it with the IP total or payload length itself. In the first
 * fragment of a fragmented datagram the length counts the whole datagram, more
 * than the frame holds, so that fragment gets -1: pass such packets on rather
 * than dropping every -1 (parse_iphdr() tells a first fragment by
 * IPV4_MORE_FRAGMENTS in frag_off).
 */
static __always_inline int parse_udphdr(struct hdr_cursor *nh, void *data_end,
					struct udphdr **udphdr)
{
	struct udphdr *udph = nh->pos;
	int len;

	if ((void *)(udph + 1) > data_end)
		return -1;

	/* The length field counts the UDP header and its payload. */
	len = read_len16(&udph->len);
	if (len < (int)sizeof(*udph))
		return -1;
	if (nh->pos + len > data_end)
		return -1;

	nh->pos = udph + 1;
	*udphdr = udph;
	return len - (int)sizeof(*udph);
}

/* Parse a TCP header, options included. Returns the header length in bytes, or
 * -1 when the header is cut short or its length field (doff) is below the minimum.
 */
static __always_inline int parse_tcphdr(struct hdr_cursor *nh, void *data_end,
					struct tcphdr **tcphdr)
{
	struct tcphdr *tcph = nh->pos;
	int hdrsize;

	if ((void *)(tcph + 1) > data_end)
		return -1;

	/* doff is the header length in 32-bit words, like IPv4's ihl: 5 is a
	 * header without options, and less cannot be valid.
	 */
	if (tcph->doff < 5)
		return -1;
	hdrsize = tcph->doff * 4;

	/* The options must lie inside the packet too. */
	if (nh->pos + hdrsize > data_end)
		return -1;

	nh->pos += hdrsize;
	*tcphdr = tcph;
	return hdrsize;
}

#endif /* PARSING_HELPERS_H */
