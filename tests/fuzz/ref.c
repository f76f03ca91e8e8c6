// SPDX-License-Identifier: GPL-2.0
/* The fuzzer's own decoder (ref.h), written from the specifications:
 *
 *   Ethernet and VLAN tags   IEEE 802.3 clause 3, IEEE 802.1Q clause 9 (802.1ad: S-tags)
 *   IPv4                     RFC 791 section 3.1
 *   IPv6                     RFC 8200 section 3
 *   ICMP, ICMPv6             RFC 792, RFC 4443 section 2.1
 *   UDP                      RFC 768
 *   TCP                      RFC 9293 section 3.1 (formerly RFC 793)
 *   Internet checksum        RFC 1071; pseudo-headers: RFC 768, RFC 9293, RFC 8200 8.1
 *
 * Where the helpers' documented contract (the comments of
 * headers/parsing_helpers.h) decides differently from a strict reading of the
 * RFCs, this decoder follows the contract and says so in a comment marked
 * CONTRACT, and notes the departure in the walk (enum ref_note).
 */
#include <stddef.h>
#include <string.h>

#include "ref.h"

const char *ref_helper_name(enum fuzz_helper helper)
{
	static const char *const names[HELPER_COUNT] = {
		[HELPER_NONE] = "(none)",
		[HELPER_ETHHDR_VLAN] = "parse_ethhdr_vlan",
		[HELPER_ETHHDR] = "parse_ethhdr",
		[HELPER_IPHDR] = "parse_iphdr",
		[HELPER_IP6HDR] = "parse_ip6hdr",
		[HELPER_ICMPHDR] = "parse_icmphdr",
		[HELPER_ICMP6HDR] = "parse_icmp6hdr",
		[HELPER_UDPHDR] = "parse_udphdr",
		[HELPER_TCPHDR] = "parse_tcphdr",
	};

	return helper < HELPER_COUNT ? names[helper] : "(unknown helper)";
}

const char *ref_note_name(enum ref_note note)
{
	static const char *const names[NOTE_COUNT] = {
		[NOTE_VLAN_DEEPER] = "VLAN stack deeper than VLAN_MAX_DEPTH: a tag type returned",
		[NOTE_8023_LENGTH] = "802.3 length field (< 0x600) returned as an EtherType",
		[NOTE_IPV4_BAD_CHECKSUM] = "IPv4 header with a wrong checksum accepted",
		[NOTE_IPV4_BAD_OPTIONS] = "IPv4 options that do not parse accepted",
		[NOTE_IPV4_PROTO_44] = "unfragmented IPv4 of protocol 44: same as a later fragment",
		[NOTE_L4_PAST_IP] = "L4 header read past the end of its IP packet",
		[NOTE_UDP_LEN_MISMATCH] = "UDP length other than the IP payload's accepted",
		[NOTE_UDP_FIRST_FRAGMENT] =
			"first IPv4 fragment: UDP header refused (length > frame)",
	};

	return note < NOTE_COUNT ? names[note] : "(unknown note)";
}

/* ---- The Internet checksum ----------------------------------------------- */

__u32 ref_sum(__u32 sum, const __u8 *p, __u32 len)
{
	__u32 i;

	for (i = 0; i + 1 < len; i += 2)
		sum += get16(p + i);
	if (len & 1)
		sum += (__u32)p[len - 1] << 8;
	return sum;
}

__u16 ref_fold(__u32 sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return sum;
}

__u16 ref_csum_value(__u32 sum, bool zero_means_none)
{
	__u16 value = ~ref_fold(sum);

	/* RFC 768: "If the computed checksum is zero, it is transmitted as all
	 * ones"; zero in the field means the sender computed none.
	 */
	if (zero_means_none && value == 0)
		value = 0xffff;
	return value;
}

/* The pseudo-header's sum. IPv4 (RFC 768, RFC 9293): source and destination
 * address, a zero byte, the protocol, a 16-bit length. IPv6 (RFC 8200 8.1):
 * source and destination address, a 32-bit length, three zero bytes, the next
 * header value.
 */
static __u32 pseudo_sum(const __u8 *frame, const struct ref_csum *c)
{
	__u8 tail[8] = { 0 };

	if (c->ip_version == 4) {
		tail[1] = c->proto;
		put16(tail + 2, c->pseudo_len);
		return ref_sum(ref_sum(0, frame + c->l3_off + 12, 8), tail, 4);
	}
	put16(tail, c->pseudo_len >> 16);
	put16(tail + 2, c->pseudo_len);
	tail[7] = c->proto;
	return ref_sum(ref_sum(0, frame + c->l3_off + 8, 32), tail, 8);
}

__u32 ref_csum_sum(const __u8 *frame, const struct ref_csum *c)
{
	__u32 sum = c->pseudo ? pseudo_sum(frame, c) : 0;

	/* Everything but the field; the field sits on a 16-bit boundary of the
	 * covered bytes, so the words on either side keep their places.
	 */
	sum = ref_sum(sum, frame + c->start, c->field - c->start);
	return ref_sum(sum, frame + c->field + 2, c->start + c->len - c->field - 2);
}

bool ref_ipv4_csum(const struct ref_walk *w, const __u8 *frame, struct ref_csum *c)
{
	if (w->ip_version != 4)
		return false;
	memset(c, 0, sizeof(*c));
	c->field = w->l3_off + 10;
	c->start = w->l3_off;
	c->len = (frame[w->l3_off] & 0x0f) * 4; /* IHL, the whole header */
	return true;
}

bool ref_l4_csum(const struct ref_walk *w, const __u8 *frame, struct ref_csum *c)
{
	const struct fuzz_step *s = &w->step[2];
	__u32 ip_payload = w->ip_end - w->l4_off, header;

	if (w->n_steps < 3 || s->ret < 0)
		return false;
	memset(c, 0, sizeof(*c));
	c->start = w->l4_off;
	c->ip_version = w->ip_version;
	c->l3_off = w->l3_off;
	c->pseudo = true;
	c->pseudo_len = ip_payload;
	switch (s->helper) {
	case HELPER_UDPHDR:
		/* The UDP length counts what the checksum covers. */
		c->field = w->l4_off + 6;
		c->proto = PROTO_UDP;
		c->len = c->pseudo_len = get16(frame + w->l4_off + 4);
		c->zero_means_none = true;
		return true;
	case HELPER_TCPHDR:
		c->field = w->l4_off + 16;
		c->proto = PROTO_TCP;
		header = (frame[w->l4_off + 12] >> 4) * 4;
		break;
	case HELPER_ICMPHDR:
		/* ICMP for IPv4 covers the message alone (RFC 792). */
		c->field = w->l4_off + 2;
		c->pseudo = false;
		header = ICMP_HDR_LEN;
		break;
	case HELPER_ICMP6HDR:
		c->field = w->l4_off + 2;
		c->proto = PROTO_ICMPV6;
		header = ICMP_HDR_LEN;
		break;
	default:
		return false;
	}
	/* The IP payload; and at least the header, which the contract lets run
	 * past the IP packet (NOTE_L4_PAST_IP): the frame holds it all.
	 */
	c->len = ip_payload > header ? ip_payload : header;
	return true;
}

/* ---- The walk ------------------------------------------------------------ */

static void set_step(struct ref_walk *w, int step, enum fuzz_helper helper, int ret, __u32 hdr_off,
		     __u32 pos_off)
{
	w->step[step] = (struct fuzz_step){
		.helper = helper,
		.ret = ret,
		.hdr_off = ret >= 0 ? (__s32)hdr_off : FUZZ_HDR_UNSET,
		.pos_off = pos_off,
	};
	w->n_steps = step + 1;
}

static bool is_vlan_tag(__u16 type)
{
	return type == ETHERTYPE_CTAG || type == ETHERTYPE_STAG;
}

/* The helpers return an EtherType as it lies in the packet: in network byte
 * order, read as a host integer. On this (little-endian or big-endian) host,
 * that is the two bytes as they are in memory.
 */
static int as_in_memory(const __u8 *p)
{
	__u16 v;

	memcpy(&v, p, 2);
	return v;
}

/* Ethernet: destination, source, type; then, while the type is a tag protocol
 * identifier (0x8100 C-tag, 0x88a8 S-tag), the tag's control information
 * (priority 3 bits, drop eligible 1 bit, VLAN id 12 bits) and the next type.
 */
static int walk_ethernet(const __u8 *p, __u32 len, __u32 depth, bool collect, struct ref_walk *w)
{
	enum fuzz_helper helper = collect ? HELPER_ETHHDR_VLAN : HELPER_ETHHDR;
	__u32 off = ETH_HDR_LEN, tags = 0;
	__u32 type_at = 12;

	if (len < ETH_HDR_LEN) {
		set_step(w, 0, helper, -1, 0, 0);
		return -1;
	}
	/* CONTRACT: only the first VLAN_MAX_DEPTH tags are looked through; a
	 * deeper stack is not an error, the next tag's type comes back and the
	 * cursor stays on that tag. 802.1Q itself sets no limit.
	 */
	while (tags < depth && is_vlan_tag(get16(p + type_at))) {
		/* CONTRACT: a tag cut short fails the whole header: -1, cursor
		 * back at the start.
		 */
		if (len < off + VLAN_TAG_LEN) {
			set_step(w, 0, helper, -1, 0, 0);
			return -1;
		}
		if (collect && tags < FUZZ_MAX_VLANS)
			w->vlan_id[tags] = get16(p + off) & 0x0fff;
		type_at = off + 2;
		off += VLAN_TAG_LEN;
		tags++;
	}
	w->vlan_count = collect ? tags : 0;
	w->ethertype = get16(p + type_at);
	if (is_vlan_tag(w->ethertype))
		w->notes |= 1u << NOTE_VLAN_DEEPER;
	/* CONTRACT: the type field is returned as it is. Below 0x600 it is an
	 * 802.3 length (IEEE 802.3 3.2.6), which a program compares with no
	 * EtherType, so it falls through as an unknown protocol.
	 */
	if (w->ethertype < ETHERTYPE_MIN)
		w->notes |= 1u << NOTE_8023_LENGTH;
	set_step(w, 0, helper, as_in_memory(p + type_at), 0, off);
	w->l3_off = off;
	return 0;
}

/* RFC 791 3.1, the options: type 0 ends the list, type 1 is one byte of padding,
 * every other option has a length byte that counts the type and itself. True
 * when the list parses. The helpers do not look at options (CONTRACT: they are
 * skipped as part of the IHL), so this only feeds NOTE_IPV4_BAD_OPTIONS.
 */
static bool ipv4_options_parse(const __u8 *opt, __u32 len)
{
	__u32 i = 0;

	while (i < len) {
		if (opt[i] == 0)
			return true;
		if (opt[i] == 1) {
			i++;
			continue;
		}
		if (i + 1 >= len || opt[i + 1] < 2 || i + opt[i + 1] > len)
			return false;
		i += opt[i + 1];
	}
	return true;
}

/* IPv4: version (4 bits), IHL (4 bits, in 32-bit words), type of service, total
 * length (header and data, in bytes), identification, flags (reserved, don't
 * fragment, more fragments) and fragment offset (13 bits, in 8-byte units), TTL,
 * protocol, header checksum, source, destination, options.
 */
static int walk_ipv4(const __u8 *p, __u32 len, struct ref_walk *w)
{
	__u32 at = w->l3_off, left = len - at, ihl, tot_len, frag;
	int ret;

	/* CONTRACT: not an IPv4 packet (-1) when cut short, version not 4, IHL
	 * below 5, total length below the header or past the end of the frame.
	 */
	if (left < IPV4_MIN_LEN || p[at] >> 4 != 4 || (p[at] & 0x0f) < 5)
		goto bad;
	ihl = (p[at] & 0x0f) * 4;
	tot_len = get16(p + at + 2);
	if (tot_len < ihl || tot_len > left)
		goto bad;

	/* A fragment with an offset other than 0 starts in the middle of the data
	 * (RFC 791 2.3, "Fragmentation"): no header of the protocol inside.
	 * CONTRACT: it returns IPPROTO_FRAGMENT (44) for those.
	 */
	frag = get16(p + at + 6);
	if (frag & 0x1fff) {
		ret = PROTO_FRAGMENT;
	} else {
		ret = p[at + 9];
		if (ret == PROTO_FRAGMENT && !(frag & 0x2000))
			w->notes |= 1u << NOTE_IPV4_PROTO_44;
	}
	/* CONTRACT: the frame may go on after the packet (Ethernet padding);
	 * neither the checksum nor the options are checked.
	 */
	if (ref_fold(ref_sum(0, p + at, ihl)) != 0xffff)
		w->notes |= 1u << NOTE_IPV4_BAD_CHECKSUM;
	if (!ipv4_options_parse(p + at + IPV4_MIN_LEN, ihl - IPV4_MIN_LEN))
		w->notes |= 1u << NOTE_IPV4_BAD_OPTIONS;

	set_step(w, 1, HELPER_IPHDR, ret, at, at + ihl);
	w->ip_version = 4;
	w->ip_end = at + tot_len;
	w->l4_off = at + ihl;
	return ret;
bad:
	set_step(w, 1, HELPER_IPHDR, -1, 0, at);
	return -1;
}

/* IPv6: version (4 bits), traffic class, flow label, payload length (what
 * follows the 40-byte header, extension headers included), next header, hop
 * limit, source, destination.
 */
static int walk_ipv6(const __u8 *p, __u32 len, struct ref_walk *w)
{
	__u32 at = w->l3_off, left = len - at, payload;

	/* CONTRACT: -1 when cut short, version not 6, or the payload length runs
	 * past the frame. Extension headers are not skipped: their type comes
	 * back. A payload length of 0 is taken as it is (a jumbogram's, RFC 2675,
	 * would need the hop-by-hop option).
	 */
	if (left < IPV6_HDR_LEN || p[at] >> 4 != 6)
		goto bad;
	payload = get16(p + at + 4);
	if (IPV6_HDR_LEN + payload > left)
		goto bad;

	set_step(w, 1, HELPER_IP6HDR, p[at + 6], at, at + IPV6_HDR_LEN);
	w->ip_version = 6;
	w->ip_end = at + IPV6_HDR_LEN + payload;
	w->l4_off = at + IPV6_HDR_LEN;
	return p[at + 6];
bad:
	set_step(w, 1, HELPER_IP6HDR, -1, 0, at);
	return -1;
}

/* Is this IPv4 packet the first fragment of several (offset 0, more to come)? */
static bool first_fragment(const __u8 *p, const struct ref_walk *w)
{
	return w->ip_version == 4 && (get16(p + w->l3_off + 6) & 0x3fff) == 0x2000;
}

/* ICMP (RFC 792) and ICMPv6 (RFC 4443): type, code, checksum, and 4 bytes whose
 * meaning depends on the type (the echo identifier and sequence number).
 */
static void walk_icmp(const __u8 *p, __u32 len, enum fuzz_helper helper, struct ref_walk *w)
{
	__u32 at = w->l4_off;

	/* CONTRACT: the header must lie in the frame, not in the IP packet: the
	 * L4 helpers do not see the IP header (parse_udphdr() says so in words).
	 */
	if (len - at < ICMP_HDR_LEN) {
		set_step(w, 2, helper, -1, 0, at);
		return;
	}
	if (at + ICMP_HDR_LEN > w->ip_end)
		w->notes |= 1u << NOTE_L4_PAST_IP;
	set_step(w, 2, helper, p[at], at, at + ICMP_HDR_LEN);
}

/* UDP: source port, destination port, length (header and data, in bytes),
 * checksum.
 */
static void walk_udp(const __u8 *p, __u32 len, struct ref_walk *w)
{
	__u32 at = w->l4_off, left = len - at, udp_len;

	if (left < UDP_HDR_LEN)
		goto bad;
	udp_len = get16(p + at + 4);
	/* CONTRACT: the length must hold the header, and the frame must hold the
	 * length; the IP packet is not consulted, so a length that disagrees
	 * with the IP payload is accepted while it fits the frame.
	 */
	if (udp_len < UDP_HDR_LEN)
		goto bad;
	if (udp_len > left) {
		/* The first fragment of a datagram holds its header, whose length
		 * counts the whole datagram: more than this fragment has.
		 */
		if (first_fragment(p, w) && at + UDP_HDR_LEN <= w->ip_end)
			w->notes |= 1u << NOTE_UDP_FIRST_FRAGMENT;
		goto bad;
	}
	if (at + udp_len != w->ip_end)
		w->notes |= 1u << NOTE_UDP_LEN_MISMATCH;
	if (at + UDP_HDR_LEN > w->ip_end)
		w->notes |= 1u << NOTE_L4_PAST_IP;
	/* The return value is the length of the payload. */
	set_step(w, 2, HELPER_UDPHDR, udp_len - UDP_HDR_LEN, at, at + UDP_HDR_LEN);
	return;
bad:
	set_step(w, 2, HELPER_UDPHDR, -1, 0, at);
}

/* TCP: ports, sequence and acknowledgment numbers, data offset (4 bits: the
 * header length in 32-bit words, options included), flags, window, checksum,
 * urgent pointer, options.
 */
static void walk_tcp(const __u8 *p, __u32 len, struct ref_walk *w)
{
	__u32 at = w->l4_off, left = len - at, doff;

	/* CONTRACT: -1 when cut short or the data offset is below 5; the options
	 * must lie in the frame (not necessarily in the IP packet).
	 */
	if (left < TCP_MIN_LEN || p[at + 12] >> 4 < 5)
		goto bad;
	doff = (p[at + 12] >> 4) * 4;
	if (doff > left)
		goto bad;
	if (at + doff > w->ip_end)
		w->notes |= 1u << NOTE_L4_PAST_IP;
	/* The return value is the header length. */
	set_step(w, 2, HELPER_TCPHDR, doff, at, at + doff);
	return;
bad:
	set_step(w, 2, HELPER_TCPHDR, -1, 0, at);
}

void ref_walk(const __u8 *p, __u32 len, __u32 depth, bool collect, struct ref_walk *w)
{
	int proto;

	memset(w, 0, sizeof(*w));
	if (walk_ethernet(p, len, depth, collect, w) < 0)
		return;

	/* What the walk knows; anything else ends it with XDP_PASS. */
	if (w->ethertype == ETHERTYPE_IPV4)
		proto = walk_ipv4(p, len, w);
	else if (w->ethertype == ETHERTYPE_IPV6)
		proto = walk_ipv6(p, len, w);
	else
		return;
	if (proto < 0)
		return;

	if (proto == PROTO_ICMP && w->ip_version == 4)
		walk_icmp(p, len, HELPER_ICMPHDR, w);
	else if (proto == PROTO_ICMPV6 && w->ip_version == 6)
		walk_icmp(p, len, HELPER_ICMP6HDR, w);
	else if (proto == PROTO_UDP)
		walk_udp(p, len, w);
	else if (proto == PROTO_TCP)
		walk_tcp(p, len, w);
}

/* ---- Making frames right --------------------------------------------------- */

void ref_fix_checksums(__u8 *frame, __u32 len)
{
	struct ref_csum c;
	struct ref_walk w;

	ref_walk(frame, len, FUZZ_MAX_VLANS, false, &w);
	if (ref_ipv4_csum(&w, frame, &c))
		put16(frame + c.field, ref_csum_value(ref_csum_sum(frame, &c), false));
	if (ref_l4_csum(&w, frame, &c))
		put16(frame + c.field, ref_csum_value(ref_csum_sum(frame, &c), c.zero_means_none));
}
