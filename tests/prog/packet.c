// SPDX-License-Identifier: GPL-2.0
/* Packet builders and checksums for the program tests. */
#define HARNESS_IMPLEMENTATION
#include <stdio.h>

#include "harness.h"

#define DEFAULT_ETH_SRC "02:00:00:00:00:01"
#define DEFAULT_ETH_DST "02:00:00:00:00:02"
#define DEFAULT_IP4_SRC "192.0.2.1" /* TEST-NET-1, RFC 5737 */
#define DEFAULT_IP4_DST "192.0.2.2"
#define DEFAULT_IP6_SRC "2001:db8::1" /* documentation prefix, RFC 3849 */
#define DEFAULT_IP6_DST "2001:db8::2"
#define DEFAULT_TTL 64
#define DEFAULT_SRC_PORT 1234
#define DEFAULT_DST_PORT 5678
#define TCP_FLAG_SYN 0x02
#define TCP_FLAG_ACK 0x10
#define IP_DONT_FRAGMENT 0x4000
#define OPT_NOP 1 /* the one-byte "no operation" option, in IPv4 and TCP alike */

/* ---- Checksums ----------------------------------------------------------- */

/* Add bytes to a one's complement sum, as big-endian 16-bit words; an odd last
 * byte is padded with a zero byte.
 */
static __u32 csum_add(__u32 sum, const void *data, size_t len)
{
	const __u8 *p = data;
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += (__u32)p[i] << 8 | p[i + 1];
	if (len & 1)
		sum += (__u32)p[len - 1] << 8;
	return sum;
}

/* Fold the sum to 16 bits, invert it, and give it in network byte order. */
static __u16 csum_finish(__u32 sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return htons((__u16)~sum);
}

__u16 inet_csum(const void *data, size_t len)
{
	return csum_finish(csum_add(0, data, len));
}

/* The UDP, TCP and ICMPv6 checksums also cover a "pseudo-header" made of the IP
 * addresses, the protocol and the length of the segment (RFC 768, RFC 8200 8.1).
 */
static __u32 pseudo_header_sum(const void *l3, bool ipv6, __u8 proto, __u32 l4_len)
{
	__u8 words[8] = { 0 };

	if (ipv6) {
		const struct ipv6hdr *ip6h = l3;
		__u32 sum = csum_add(0, &ip6h->saddr, 32); /* saddr, then daddr */

		words[0] = l4_len >> 24;
		words[1] = l4_len >> 16;
		words[2] = l4_len >> 8;
		words[3] = l4_len;
		words[7] = proto;
		return csum_add(sum, words, 8);
	} else {
		const struct iphdr *iph = l3;
		__u32 sum = csum_add(0, &iph->saddr, 8); /* saddr, then daddr */

		words[1] = proto;
		words[2] = l4_len >> 8;
		words[3] = l4_len;
		return csum_add(sum, words, 4);
	}
}

/* Recompute the checksum of the L4 segment at l4 (l4_len bytes). */
static void fix_l4_csum(const void *l3, bool ipv6, __u8 proto, __u8 *l4, __u32 l4_len)
{
	__u16 *check;
	__u32 sum = 0;
	size_t field;

	switch (proto) {
	case IPPROTO_UDP:
		field = offsetof(struct udphdr, check);
		break;
	case IPPROTO_TCP:
		field = offsetof(struct tcphdr, check);
		break;
	case IPPROTO_ICMP:
		field = offsetof(struct icmphdr, checksum);
		break;
	case IPPROTO_ICMPV6:
		field = offsetof(struct icmp6hdr, icmp6_cksum);
		break;
	default:
		return;
	}
	if (l4_len < field + 2)
		return;

	/* Only ICMP (for IPv4) goes without the pseudo-header. */
	if (proto != IPPROTO_ICMP)
		sum = pseudo_header_sum(l3, ipv6, proto, l4_len);
	check = (__u16 *)(l4 + field);
	*check = 0;
	*check = csum_finish(csum_add(sum, l4, l4_len));
	/* UDP sends a computed 0 as 0xffff: 0 means "no checksum" (RFC 768). */
	if (proto == IPPROTO_UDP && *check == 0)
		*check = 0xffff;
}

void pkt_fix_checksums(void *frame, __u32 len)
{
	__u8 *p = frame;
	__u32 off = 2 * ETH_ALEN, l4_off, l4_len;
	__u16 proto;

	/* EtherType, skipping any number of VLAN tags. */
	for (;;) {
		if (off + 2 > len)
			return;
		proto = p[off] << 8 | p[off + 1];
		off += 2;
		if (proto != ETH_P_8021Q && proto != ETH_P_8021AD)
			break;
		off += 2; /* the TCI */
	}

	if (proto == ETH_P_IP) {
		struct iphdr *iph = (struct iphdr *)(p + off);
		__u32 ihl, tot_len;

		if (off + sizeof(*iph) > len)
			return;
		ihl = iph->ihl * 4;
		if (ihl < sizeof(*iph) || off + ihl > len)
			return;
		iph->check = 0;
		iph->check = inet_csum(iph, ihl);

		tot_len = ntohs(iph->tot_len);
		if (tot_len < ihl)
			return;
		l4_off = off + ihl;
		l4_len = tot_len - ihl;
		if (l4_off + l4_len > len)
			l4_len = len - l4_off;
		fix_l4_csum(iph, false, iph->protocol, p + l4_off, l4_len);
	} else if (proto == ETH_P_IPV6) {
		struct ipv6hdr *ip6h = (struct ipv6hdr *)(p + off);

		if (off + sizeof(*ip6h) > len)
			return;
		l4_off = off + sizeof(*ip6h);
		l4_len = ntohs(ip6h->payload_len);
		if (l4_off + l4_len > len)
			l4_len = len - l4_off;
		fix_l4_csum(ip6h, true, ip6h->nexthdr, p + l4_off, l4_len);
	}
}

/* ---- Building ------------------------------------------------------------ */

/* A spec with every default filled in and every text parsed. */
struct layout {
	__u8 eth_src[ETH_ALEN], eth_dst[ETH_ALEN];
	__u16 eth_proto;
	bool ipv4, ipv6;
	__u8 ip_src[16], ip_dst[16];
	__u8 l4_proto;
	__u32 l3_len, l4_len; /* header lengths */
	__u32 l3_off, l4_off, payload_off, total;
};

static bool parse_mac(const char *text, __u8 *mac)
{
	unsigned int b[ETH_ALEN];
	char extra;
	int i;

	if (sscanf(text, "%x:%x:%x:%x:%x:%x%c", &b[0], &b[1], &b[2], &b[3], &b[4], &b[5], &extra) !=
	    ETH_ALEN)
		return false;
	for (i = 0; i < ETH_ALEN; i++) {
		if (b[i] > 0xff)
			return false;
		mac[i] = b[i];
	}
	return true;
}

/* Fill in l from spec; false (failure recorded) when spec is invalid. */
static bool lay_out(const struct pkt_spec *spec, struct layout *l)
{
	const char *ip_src, *ip_dst;
	int af;

	memset(l, 0, sizeof(*l));
	if (!parse_mac(spec->eth_src ? spec->eth_src : DEFAULT_ETH_SRC, l->eth_src) ||
	    !parse_mac(spec->eth_dst ? spec->eth_dst : DEFAULT_ETH_DST, l->eth_dst)) {
		harness_fail_here("build_packet: bad MAC address %s / %s", spec->eth_src,
				  spec->eth_dst);
		return false;
	}
	if (spec->n_vlans < 0 || spec->n_vlans > PKT_MAX_VLANS) {
		harness_fail_here("build_packet: n_vlans %d is not 0..%d", spec->n_vlans,
				  PKT_MAX_VLANS);
		return false;
	}
	if (spec->ip_opt_len % 4 || spec->ip_opt_len > 40 || spec->tcp_opt_len % 4 ||
	    spec->tcp_opt_len > 40) {
		harness_fail_here("build_packet: option lengths (IP %u, TCP %u) must be %s",
				  spec->ip_opt_len, spec->tcp_opt_len, "multiples of 4 up to 40");
		return false;
	}

	l->eth_proto = spec->eth_proto ? spec->eth_proto : ETH_P_IP;
	l->ipv4 = l->eth_proto == ETH_P_IP;
	l->ipv6 = l->eth_proto == ETH_P_IPV6;
	l->l3_off = ETH_HLEN + spec->n_vlans * 4;
	l->l4_off = l->l3_off;
	l->payload_off = l->l3_off;

	if (l->ipv4 || l->ipv6) {
		af = l->ipv4 ? AF_INET : AF_INET6;
		ip_src = spec->ip_src ? spec->ip_src : l->ipv4 ? DEFAULT_IP4_SRC : DEFAULT_IP6_SRC;
		ip_dst = spec->ip_dst ? spec->ip_dst : l->ipv4 ? DEFAULT_IP4_DST : DEFAULT_IP6_DST;
		if (inet_pton(af, ip_src, l->ip_src) != 1 ||
		    inet_pton(af, ip_dst, l->ip_dst) != 1) {
			harness_fail_here("build_packet: bad IPv%d address %s / %s",
					  l->ipv4 ? 4 : 6, ip_src, ip_dst);
			return false;
		}
		l->l3_len = l->ipv4 ? sizeof(struct iphdr) + spec->ip_opt_len
				    : sizeof(struct ipv6hdr);
		l->l4_proto = spec->l4_proto ? spec->l4_proto : IPPROTO_UDP;
		switch (l->l4_proto) {
		case IPPROTO_UDP:
			l->l4_len = sizeof(struct udphdr);
			break;
		case IPPROTO_TCP:
			l->l4_len = sizeof(struct tcphdr) + spec->tcp_opt_len;
			break;
		case IPPROTO_ICMP:
		case IPPROTO_ICMPV6:
			l->l4_len = 8;
			break;
		default:
			l->l4_len = 0;
		}
		l->l4_off = l->l3_off + l->l3_len;
		l->payload_off = l->l4_off + l->l4_len;
	}
	l->total = l->payload_off + spec->payload_len;
	return true;
}

static void put_ipv4(const struct pkt_spec *spec, const struct layout *l, __u8 *p)
{
	struct iphdr *iph = (struct iphdr *)p;

	iph->version = 4;
	iph->ihl = l->l3_len / 4;
	iph->tos = 0;
	iph->tot_len = htons(l->total - l->l3_off);
	iph->id = 0;
	iph->frag_off = htons(IP_DONT_FRAGMENT);
	iph->ttl = spec->ttl ? spec->ttl : DEFAULT_TTL;
	iph->protocol = l->l4_proto;
	iph->check = 0; /* pkt_fix_checksums() fills it in */
	memcpy(&iph->saddr, l->ip_src, 4);
	memcpy(&iph->daddr, l->ip_dst, 4);
	memset(p + sizeof(*iph), OPT_NOP, spec->ip_opt_len);
}

static void put_ipv6(const struct pkt_spec *spec, const struct layout *l, __u8 *p)
{
	struct ipv6hdr *ip6h = (struct ipv6hdr *)p;

	memset(ip6h, 0, sizeof(*ip6h));
	ip6h->version = 6;
	ip6h->payload_len = htons(l->total - l->l4_off);
	ip6h->nexthdr = l->l4_proto;
	ip6h->hop_limit = spec->ttl ? spec->ttl : DEFAULT_TTL;
	memcpy(&ip6h->saddr, l->ip_src, 16);
	memcpy(&ip6h->daddr, l->ip_dst, 16);
}

static void put_l4(const struct pkt_spec *spec, const struct layout *l, __u8 *p)
{
	__u16 sport = spec->src_port ? spec->src_port : DEFAULT_SRC_PORT;
	__u16 dport = spec->dst_port ? spec->dst_port : DEFAULT_DST_PORT;

	memset(p, 0, l->l4_len); /* checksums start at 0 */
	if (l->l4_proto == IPPROTO_UDP) {
		struct udphdr *udph = (struct udphdr *)p;

		udph->source = htons(sport);
		udph->dest = htons(dport);
		udph->len = htons(l->total - l->l4_off);
	} else if (l->l4_proto == IPPROTO_TCP) {
		struct tcphdr *tcph = (struct tcphdr *)p;
		__u8 flags = spec->tcp_flags ? spec->tcp_flags : TCP_FLAG_SYN;

		tcph->source = htons(sport);
		tcph->dest = htons(dport);
		tcph->seq = htonl(1000);
		tcph->ack_seq = htonl(flags & TCP_FLAG_ACK ? 2000 : 0);
		tcph->doff = l->l4_len / 4;
		p[13] = flags; /* the flags byte: the bitfields would hide which is which */
		tcph->window = htons(65535);
		memset(p + sizeof(*tcph), OPT_NOP, spec->tcp_opt_len);
	} else if (l->l4_proto == IPPROTO_ICMP) {
		struct icmphdr *icmph = (struct icmphdr *)p;

		icmph->type = spec->echo_reply ? ICMP_ECHOREPLY : ICMP_ECHO;
		icmph->un.echo.id = htons(spec->icmp_id);
		icmph->un.echo.sequence = htons(spec->icmp_seq);
	} else if (l->l4_proto == IPPROTO_ICMPV6) {
		struct icmp6hdr *icmp6h = (struct icmp6hdr *)p;

		icmp6h->icmp6_type = spec->echo_reply ? ICMPV6_ECHO_REPLY : ICMPV6_ECHO_REQUEST;
		icmp6h->icmp6_identifier = htons(spec->icmp_id);
		icmp6h->icmp6_sequence = htons(spec->icmp_seq);
	}
}

__u32(build_packet)(const struct pkt_spec *spec, void *buf, size_t size)
{
	struct layout l;
	__u8 *p = buf;
	__u32 off;
	int i;

	if (!lay_out(spec, &l))
		return 0;
	if (l.total > size) {
		harness_fail_here("build_packet: the frame needs %u bytes, the buffer has %zu",
				  l.total, size);
		return 0;
	}

	memcpy(p, l.eth_dst, ETH_ALEN);
	memcpy(p + ETH_ALEN, l.eth_src, ETH_ALEN);
	off = 2 * ETH_ALEN;
	for (i = 0; i < spec->n_vlans; i++) {
		__u16 tpid = spec->vlans[i].tpid ? spec->vlans[i].tpid : ETH_P_8021Q;
		__u16 tci = spec->vlans[i].tci;

		p[off++] = tpid >> 8;
		p[off++] = tpid;
		p[off++] = tci >> 8;
		p[off++] = tci;
	}
	p[off++] = l.eth_proto >> 8;
	p[off++] = l.eth_proto;

	if (l.ipv4)
		put_ipv4(spec, &l, p + l.l3_off);
	else if (l.ipv6)
		put_ipv6(spec, &l, p + l.l3_off);
	if (l.ipv4 || l.ipv6)
		put_l4(spec, &l, p + l.l4_off);

	for (i = 0; i < spec->payload_len; i++)
		p[l.payload_off + i] = spec->payload ? ((const __u8 *)spec->payload)[i] : i;

	pkt_fix_checksums(p, l.total);
	return l.total;
}

/* The offset helpers record no failure: build_packet() reports a bad spec. */
static struct layout quiet_layout(const struct pkt_spec *spec)
{
	struct pkt_spec copy = *spec;
	struct layout l;

	/* Addresses do not move anything: drop them, so a bad one is not reported here. */
	copy.eth_src = copy.eth_dst = copy.ip_src = copy.ip_dst = NULL;
	if (copy.n_vlans < 0 || copy.n_vlans > PKT_MAX_VLANS)
		copy.n_vlans = 0;
	copy.ip_opt_len &= 0x3c;
	copy.tcp_opt_len &= 0x3c;
	if (copy.ip_opt_len > 40)
		copy.ip_opt_len = 40;
	if (copy.tcp_opt_len > 40)
		copy.tcp_opt_len = 40;
	lay_out(&copy, &l);
	return l;
}

__u32 pkt_l3_offset(const struct pkt_spec *spec)
{
	return quiet_layout(spec).l3_off;
}

__u32 pkt_l4_offset(const struct pkt_spec *spec)
{
	return quiet_layout(spec).l4_off;
}

__u32 pkt_payload_offset(const struct pkt_spec *spec)
{
	return quiet_layout(spec).payload_off;
}
