// SPDX-License-Identifier: GPL-2.0
/* The harness's own parts that every other test trusts: the packet builder and
 * the checksum code. The expected frames below were computed by a separate
 * implementation and their checksums confirmed by tcpdump -vv ("sum ok",
 * "correct"), so a builder bug cannot hide behind a matching checksum bug.
 */
#include "harness.h"

/* { 0 } with 4 bytes of payload: 192.0.2.1:1234 -> 192.0.2.2:5678, UDP. */
static const __u8 ipv4_udp_frame[] = {
	0x02, 0x00, 0x00, 0x00, 0x00, 0x02, 0x02, 0x00, 0x00, 0x00, 0x00, 0x01,
	0x08, 0x00, 0x45, 0x00, 0x00, 0x20, 0x00, 0x00, 0x40, 0x00, 0x40, 0x11,
	0xb6, 0xc9, 0xc0, 0x00, 0x02, 0x01, 0xc0, 0x00, 0x02, 0x02, 0x04, 0xd2,
	0x16, 0x2e, 0x00, 0x0c, 0x5e, 0xce, 0x00, 0x01, 0x02, 0x03,
};

/* ICMPv6 echo request, id 0x1234, seq 1, 8 bytes of payload. */
static const __u8 ipv6_icmp6_frame[] = {
	0x02, 0x00, 0x00, 0x00, 0x00, 0x02, 0x02, 0x00, 0x00, 0x00, 0x00, 0x01, 0x86, 0xdd,
	0x60, 0x00, 0x00, 0x00, 0x00, 0x10, 0x3a, 0x40, 0x20, 0x01, 0x0d, 0xb8, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x20, 0x01, 0x0d, 0xb8,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x80, 0x00,
	0x05, 0xfb, 0x12, 0x34, 0x00, 0x01, 0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07,
};

/* 802.1Q tag 100, IPv4 with 4 bytes of options, TCP SYN+ACK with 4 bytes of
 * options, 3 bytes of payload.
 */
static const __u8 vlan_ipv4opt_tcp_frame[] = {
	0x02, 0x00, 0x00, 0x00, 0x00, 0x02, 0x02, 0x00, 0x00, 0x00, 0x00, 0x01, 0x81, 0x00,
	0x00, 0x64, 0x08, 0x00, 0x46, 0x00, 0x00, 0x33, 0x00, 0x00, 0x40, 0x00, 0x40, 0x06,
	0xb3, 0xbf, 0xc0, 0x00, 0x02, 0x01, 0xc0, 0x00, 0x02, 0x02, 0x01, 0x01, 0x01, 0x01,
	0x04, 0xd2, 0x16, 0x2e, 0x00, 0x00, 0x03, 0xe8, 0x00, 0x00, 0x07, 0xd0, 0x60, 0x12,
	0xff, 0xff, 0xf1, 0x0c, 0x00, 0x00, 0x01, 0x01, 0x01, 0x01, 0x00, 0x01, 0x02,
};

/* ICMP echo reply, id 7, seq 9, 6 bytes of payload. */
static const __u8 ipv4_icmp_frame[] = {
	0x02, 0x00, 0x00, 0x00, 0x00, 0x02, 0x02, 0x00, 0x00, 0x00, 0x00, 0x01,
	0x08, 0x00, 0x45, 0x00, 0x00, 0x22, 0x00, 0x00, 0x40, 0x00, 0x40, 0x01,
	0xb6, 0xd7, 0xc0, 0x00, 0x02, 0x01, 0xc0, 0x00, 0x02, 0x02, 0x00, 0x00,
	0xf9, 0xe6, 0x00, 0x07, 0x00, 0x09, 0x00, 0x01, 0x02, 0x03, 0x04, 0x05,
};

static void check_built(const struct pkt_spec *spec, const __u8 *want, __u32 want_len)
{
	__u8 buf[256];
	__u32 len;

	len = build_packet(spec, buf, sizeof(buf));
	CHECK_BYTES(buf, len, want, want_len);
}

TEST(builder_ipv4_udp_known_frame)
{
	struct pkt_spec spec = { .payload_len = 4 };

	check_built(&spec, ipv4_udp_frame, sizeof(ipv4_udp_frame));
}

TEST(builder_ipv6_icmpv6_echo_known_frame)
{
	struct pkt_spec spec = {
		.eth_proto = ETH_P_IPV6,
		.l4_proto = IPPROTO_ICMPV6,
		.icmp_id = 0x1234,
		.icmp_seq = 1,
		.payload_len = 8,
	};

	check_built(&spec, ipv6_icmp6_frame, sizeof(ipv6_icmp6_frame));
}

TEST(builder_vlan_ipv4_options_tcp_known_frame)
{
	struct pkt_spec spec = {
		.n_vlans = 1,
		.vlans = { { .tci = 100 } },
		.ip_opt_len = 4,
		.l4_proto = IPPROTO_TCP,
		.tcp_opt_len = 4,
		.tcp_flags = 0x12,
		.payload_len = 3,
	};

	check_built(&spec, vlan_ipv4opt_tcp_frame, sizeof(vlan_ipv4opt_tcp_frame));
}

TEST(builder_ipv4_icmp_echo_reply_known_frame)
{
	struct pkt_spec spec = {
		.l4_proto = IPPROTO_ICMP,
		.echo_reply = true,
		.icmp_id = 7,
		.icmp_seq = 9,
		.payload_len = 6,
	};

	check_built(&spec, ipv4_icmp_frame, sizeof(ipv4_icmp_frame));
}

TEST(builder_fields_from_spec)
{
	struct pkt_spec spec = {
		.eth_src = "0a:0b:0c:0d:0e:0f",
		.eth_dst = "f0:e0:d0:c0:b0:a0",
		.n_vlans = 2,
		.vlans = { { .tpid = ETH_P_8021AD, .tci = 0x0123 }, { .tci = 0x0456 } },
		.eth_proto = ETH_P_IPV6,
		.ip_src = "fe80::1",
		.ip_dst = "ff02::1",
		.ttl = 255,
		.l4_proto = IPPROTO_UDP,
		.src_port = 53,
		.dst_port = 0x1234,
		.payload = "hi",
		.payload_len = 2,
	};
	static const __u8 want_head[] = {
		0xf0, 0xe0, 0xd0, 0xc0, 0xb0, 0xa0, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e,
		0x0f, 0x88, 0xa8, 0x01, 0x23, 0x81, 0x00, 0x04, 0x56, 0x86, 0xdd,
	};
	struct ipv6hdr *ip6h;
	struct udphdr *udph;
	__u8 buf[256], addr[16];
	__u32 len;

	len = build_packet(&spec, buf, sizeof(buf));
	ASSERT(len == 22 + 40 + 8 + 2, "frame length %u, want 72", len);
	CHECK_BYTES(buf, (__u32)sizeof(want_head), want_head, (__u32)sizeof(want_head));

	ip6h = (struct ipv6hdr *)(buf + pkt_l3_offset(&spec));
	CHECK(ip6h->hop_limit == 255, "hop limit %u, want 255", ip6h->hop_limit);
	CHECK(ntohs(ip6h->payload_len) == 10, "payload length %u, want 10",
	      ntohs(ip6h->payload_len));
	inet_pton(AF_INET6, "ff02::1", addr);
	CHECK(!memcmp(&ip6h->daddr, addr, 16), "IPv6 destination is not ff02::1");

	udph = (struct udphdr *)(buf + pkt_l4_offset(&spec));
	CHECK(ntohs(udph->source) == 53 && ntohs(udph->dest) == 0x1234,
	      "ports %u -> %u, want 53 -> 4660", ntohs(udph->source), ntohs(udph->dest));
	CHECK(ntohs(udph->len) == 10, "UDP length %u, want 10", ntohs(udph->len));
	CHECK(!memcmp(buf + pkt_payload_offset(&spec), "hi", 2), "payload is not \"hi\"");
}

TEST(builder_offsets)
{
	struct pkt_spec v4 = { .n_vlans = 3,
			       .ip_opt_len = 8,
			       .l4_proto = IPPROTO_TCP,
			       .tcp_opt_len = 12 };
	struct pkt_spec v6 = { .eth_proto = ETH_P_IPV6, .l4_proto = IPPROTO_ICMPV6 };
	struct pkt_spec arp = { .eth_proto = ETH_P_ARP, .n_vlans = 1, .payload_len = 28 };

	CHECK(pkt_l3_offset(&v4) == 26, "v4 L3 offset %u, want 26", pkt_l3_offset(&v4));
	CHECK(pkt_l4_offset(&v4) == 54, "v4 L4 offset %u, want 54", pkt_l4_offset(&v4));
	CHECK(pkt_payload_offset(&v4) == 86, "v4 payload offset %u, want 86",
	      pkt_payload_offset(&v4));
	CHECK(pkt_l4_offset(&v6) == 54, "v6 L4 offset %u, want 54", pkt_l4_offset(&v6));
	CHECK(pkt_payload_offset(&v6) == 62, "v6 payload offset %u, want 62",
	      pkt_payload_offset(&v6));
	CHECK(pkt_l3_offset(&arp) == 18 && pkt_payload_offset(&arp) == 18,
	      "ARP offsets %u/%u, want 18/18", pkt_l3_offset(&arp), pkt_payload_offset(&arp));
}

/* The example of RFC 1071's companion texts: an IPv4 header whose checksum is 0xb861. */
TEST(inet_csum_known_ipv4_header)
{
	static const __u8 hdr[20] = {
		0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40, 0x00, 0x40, 0x11,
		0x00, 0x00, 0xc0, 0xa8, 0x00, 0x01, 0xc0, 0xa8, 0x00, 0xc7,
	};
	__u16 sum = inet_csum(hdr, sizeof(hdr));
	const __u8 *b = (const __u8 *)&sum;

	CHECK(b[0] == 0xb8 && b[1] == 0x61, "checksum bytes %02x %02x, want b8 61", b[0], b[1]);
}

TEST(inet_csum_odd_length)
{
	static const __u8 odd[3] = { 0x12, 0x34, 0x56 };
	__u16 sum = inet_csum(odd, sizeof(odd));

	/* 0x1234 + 0x5600 = 0x6834, inverted 0x97cb. */
	CHECK(ntohs(sum) == 0x97cb, "checksum 0x%04x, want 0x97cb", ntohs(sum));
}

/* Every checksum a frame carries is recomputed: spoil each, expect it back. */
TEST(fix_checksums_repairs_each_checksum)
{
	static const struct {
		const __u8 *frame;
		__u32 len;
		__u32 check_offsets[2]; /* IPv4 header, then L4; 0 for none */
	} cases[] = {
		{ ipv4_udp_frame, sizeof(ipv4_udp_frame), { 24, 40 } },
		{ ipv6_icmp6_frame, sizeof(ipv6_icmp6_frame), { 56, 0 } },
		{ vlan_ipv4opt_tcp_frame, sizeof(vlan_ipv4opt_tcp_frame), { 28, 58 } },
		{ ipv4_icmp_frame, sizeof(ipv4_icmp_frame), { 24, 36 } },
	};
	__u8 buf[256];
	unsigned int i, j;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		for (j = 0; j < 2 && cases[i].check_offsets[j]; j++) {
			memcpy(buf, cases[i].frame, cases[i].len);
			buf[cases[i].check_offsets[j]] ^= 0x5a;
			pkt_fix_checksums(buf, cases[i].len);
			CHECK_BYTES(buf, cases[i].len, cases[i].frame, cases[i].len);
		}
	}
}

/* A malformed IPv4 header (ihl 3) is left as it is, not "repaired". */
TEST(fix_checksums_leaves_malformed_alone)
{
	__u8 buf[sizeof(ipv4_udp_frame)];

	memcpy(buf, ipv4_udp_frame, sizeof(buf));
	buf[14] = 0x43;
	buf[24] = 0;
	buf[25] = 0;
	pkt_fix_checksums(buf, sizeof(buf));
	CHECK(buf[24] == 0 && buf[25] == 0, "checksum of an ihl-3 header was written: %02x %02x",
	      buf[24], buf[25]);
}

/* A UDP checksum that computes to 0 goes out as 0xffff, as 0 means "none" there;
 * TCP and ICMP have no such rule. Two payload bytes equal to the checksum of the
 * frame with a zero payload make the sum 0xffff, and so the computed checksum 0.
 */
TEST(builder_checksum_zero_is_0xffff_for_udp_only)
{
	static const struct {
		__u8 proto;
		__u32 field;
		__u8 want;
	} cases[] = {
		{ IPPROTO_UDP, offsetof(struct udphdr, check), 0xff },
		{ IPPROTO_TCP, offsetof(struct tcphdr, check), 0x00 },
		{ IPPROTO_ICMP, offsetof(struct icmphdr, checksum), 0x00 },
	};
	__u8 zeros[2] = { 0, 0 }, filler[2], buf[128];
	struct pkt_spec spec = { .payload_len = 2 };
	unsigned int i;
	__u32 at;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		spec.l4_proto = cases[i].proto;
		at = pkt_l4_offset(&spec) + cases[i].field;
		spec.payload = zeros;
		ASSERT(build_packet(&spec, buf, sizeof(buf)), "could not build the frame");
		memcpy(filler, buf + at, 2);
		spec.payload = filler;
		ASSERT(build_packet(&spec, buf, sizeof(buf)), "could not build the frame");
		CHECK(buf[at] == cases[i].want && buf[at + 1] == cases[i].want,
		      "protocol %u: checksum %02x %02x, want %02x %02x", cases[i].proto, buf[at],
		      buf[at + 1], cases[i].want, cases[i].want);
	}
}

/* Frames with payload beyond what Ethernet needs: the UDP checksum follows the
 * IP length, not the frame length (Ethernet pads short frames with zeros).
 */
TEST(fix_checksums_ignores_ethernet_padding)
{
	__u8 buf[64] = { 0 };

	memcpy(buf, ipv4_udp_frame, sizeof(ipv4_udp_frame));
	buf[sizeof(ipv4_udp_frame)] = 0xee; /* padding that is not zero */
	pkt_fix_checksums(buf, 60);
	CHECK_BYTES(buf, (__u32)sizeof(ipv4_udp_frame), ipv4_udp_frame,
		    (__u32)sizeof(ipv4_udp_frame));
}
