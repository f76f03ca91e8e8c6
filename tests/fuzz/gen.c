// SPDX-License-Identifier: GPL-2.0
/* The frame generator (gen.h). A frame is built in three passes:
 *
 *   1. the headers, well formed, in order: Ethernet and its tags, IPv4 or IPv6,
 *      the L4 header, a payload; then every length and checksum made right;
 *   2. the mutations, each with its own chance: fields set wrong, tags added,
 *      bytes overwritten, bits flipped;
 *   3. last, maybe, the cut: the frame truncated at some offset, often one near
 *      a header boundary, where off-by-one mistakes live; or the packet made
 *      short, its IP length ending where the frame does, inside the L4 part.
 *
 * The chances below are chosen so that about a third of the frames come out
 * unharmed (they must parse), and that every mutation is common enough to be
 * met thousands of times in a short run.
 */
#include <string.h>

#include "gen.h"
#include "ref.h"

/* The largest payload: with every header at its largest, well below FRAME_MAX. */
#define PAYLOAD_MAX 1400

const char *kind_name(enum frame_kind kind)
{
	static const char *const names[KIND_COUNT] = {
		[KIND_RANDOM] = "random bytes",	    [KIND_ETH_OTHER] = "Ethernet, other type",
		[KIND_IPV4_UDP] = "IPv4 UDP",	    [KIND_IPV4_TCP] = "IPv4 TCP",
		[KIND_IPV4_ICMP] = "IPv4 ICMP",	    [KIND_IPV4_OTHER] = "IPv4 other protocol",
		[KIND_IPV6_UDP] = "IPv6 UDP",	    [KIND_IPV6_TCP] = "IPv6 TCP",
		[KIND_IPV6_ICMPV6] = "IPv6 ICMPv6", [KIND_IPV6_OTHER] = "IPv6 other next header",
	};

	return kind < KIND_COUNT ? names[kind] : "?";
}

const char *mutation_name(enum mutation mutation)
{
	static const char *const names[MUT_COUNT] = {
		[MUT_FRAGMENT] = "IPv4 fragment",
		[MUT_PADDED] = "bytes after the IP packet",
		[MUT_BAD_CSUM] = "checksum wrong or none",
		[MUT_EXTRA_TAGS] = "VLAN tags added",
		[MUT_ETHERTYPE] = "EtherType replaced",
		[MUT_VERSION] = "IP version wrong",
		[MUT_IHL] = "IPv4 IHL wrong",
		[MUT_IP_LEN] = "IP length wrong",
		[MUT_FRAG_BITS] = "IPv4 fragment bits random",
		[MUT_PROTO] = "IP protocol replaced",
		[MUT_UDP_LEN] = "UDP length wrong",
		[MUT_DOFF] = "TCP data offset wrong",
		[MUT_SCRIBBLE] = "header bytes overwritten",
		[MUT_BIT_FLIPS] = "bits flipped",
		[MUT_TRUNCATED] = "truncated",
		[MUT_SHORT_PACKET] = "packet ends in the L4 part",
	};

	return mutation < MUT_COUNT ? names[mutation] : "?";
}

/* One of the values given, each as likely: PICK(r, 53, 123, rng_next(r)). A
 * statement expression (GNU C), so that the values may be any expressions.
 */
#define PICK(r, ...)                                                            \
	({                                                                      \
		const __u32 _choices[] = { __VA_ARGS__ };                       \
		_choices[rng_below(r, sizeof(_choices) / sizeof(_choices[0]))]; \
	})

/* Room for n more bytes at the end of the frame, zeroed. */
static __u8 *append(struct frame *f, __u32 n)
{
	__u8 *p = f->data + f->len;

	memset(p, 0, n);
	f->len += n;
	return p;
}

static void append_random(struct frame *f, struct rng *r, __u32 n)
{
	rng_bytes(r, append(f, n), n);
}

/* Payload sizes: mostly small, now and then up to a full Ethernet frame. */
static __u32 payload_len(struct rng *r)
{
	__u32 pick = rng_below(r, 100);

	if (pick < 15)
		return 0;
	if (pick < 45)
		return rng_range(r, 1, 18);
	if (pick < 70)
		return rng_range(r, 19, 64);
	if (pick < 90)
		return rng_range(r, 65, 300);
	return rng_range(r, 301, PAYLOAD_MAX);
}

/* ---- Pass 1: the headers --------------------------------------------------- */

/* Addresses, tags, type. Most frames have no tag, some one or two (802.1Q, or
 * QinQ's 802.1ad outside 802.1Q), a few a stack deeper than any VLAN_MAX_DEPTH.
 */
static void build_ethernet(struct frame *f, struct rng *r, __u16 type)
{
	__u32 pick = rng_below(r, 100), i;
	__u8 *p;

	p = append(f, 12);
	rng_bytes(r, p, 12);
	if (rng_chance(r, 10))
		memset(p, 0xff, 6); /* broadcast */

	if (pick < 55)
		f->tags = 0;
	else if (pick < 75)
		f->tags = 1;
	else if (pick < 87)
		f->tags = 2;
	else
		f->tags = rng_range(r, 3, GEN_MAX_TAGS);
	for (i = 0; i < f->tags; i++) {
		p = append(f, 4);
		/* Now and then the old pre-standard QinQ type: not a tag to the
		 * helpers, so the stack ends there.
		 */
		if (rng_chance(r, 4))
			put16(p, ETHERTYPE_OLD_QINQ);
		else
			put16(p, rng_chance(r, 60) ? ETHERTYPE_CTAG : ETHERTYPE_STAG);
		put16(p + 2, rng_next(r)); /* priority, drop eligible, VLAN id */
	}
	put16(append(f, 2), type);
	f->l3_off = f->len;
}

/* IPv4 options (RFC 791 3.1), len bytes: mostly well formed, some not. */
static void build_ipv4_options(__u8 *opt, __u32 len, struct rng *r)
{
	__u32 i = 0, n;

	while (i < len) {
		switch (rng_below(r, 8)) {
		case 0: /* no operation */
			opt[i++] = 1;
			break;
		case 1: /* end of list, and zeros to the end */
			memset(opt + i, 0, len - i);
			return;
		case 2: /* record route: 3 bytes, then room for 1..9 addresses */
		case 3: /* timestamp: 4 bytes, then room for 1..9 stamps */
			n = (rng_chance(r, 50) ? 3 : 4) + 4 * rng_range(r, 1, 9);
			if (i + n > len) {
				opt[i++] = 1;
				break;
			}
			rng_bytes(r, opt + i, n);
			opt[i] = n % 4 == 3 ? 7 : 68;
			opt[i + 1] = n;
			opt[i + 2] = n % 4 == 3 ? 4 : 5; /* pointer to the first free slot */
			i += n;
			break;
		case 4: /* router alert (RFC 2113): 4 bytes */
		case 5: /* stream id: 4 bytes */
			if (i + 4 > len) {
				opt[i++] = 1;
				break;
			}
			opt[i] = rng_chance(r, 50) ? 148 : 136;
			opt[i + 1] = 4;
			put16(opt + i + 2, rng_chance(r, 50) ? 0 : rng_next(r));
			i += 4;
			break;
		case 6: /* malformed: a length below 2, or one past the end */
			opt[i] = rng_range(r, 2, 255);
			if (i + 1 < len)
				opt[i + 1] = PICK(r, 0, 1, len - i + 1, 255);
			if (i + 2 < len)
				rng_bytes(r, opt + i + 2, len - i - 2);
			return;
		default: /* anything */
			rng_bytes(r, opt + i, len - i);
			return;
		}
	}
}

static void build_ipv4(struct frame *f, struct rng *r, __u8 proto)
{
	__u32 ihl = rng_chance(r, 70) ? 5 : rng_range(r, 6, 15);
	__u8 *p = append(f, ihl * 4);

	f->l3 = 4;
	p[0] = 0x40 | ihl;
	p[1] = rng_next(r);	   /* DSCP and ECN */
	put16(p + 4, rng_next(r)); /* identification */
	if (rng_chance(r, 12)) {
		/* A fragment: the first (more fragments, offset 0), or a later one
		 * (any offset, the last without more fragments).
		 */
		f->mutations |= 1u << MUT_FRAGMENT;
		if (rng_chance(r, 40))
			put16(p + 6, 0x2000);
		else
			put16(p + 6, (rng_chance(r, 50) ? 0x2000 : 0) | rng_range(r, 1, 0x1fff));
	} else {
		put16(p + 6, rng_chance(r, 50) ? 0x4000 : 0); /* don't fragment, or not */
	}
	p[8] = PICK(r, 64, 64, 128, 255, 0, 1, rng_next(r));
	p[9] = proto;
	rng_bytes(r, p + 12, 8); /* addresses */
	build_ipv4_options(p + IPV4_MIN_LEN, ihl * 4 - IPV4_MIN_LEN, r);
	f->l4_off = f->len;
}

static void build_ipv6(struct frame *f, struct rng *r, __u8 next)
{
	__u8 *p = append(f, IPV6_HDR_LEN);

	f->l3 = 6;
	rng_bytes(r, p, IPV6_HDR_LEN);
	p[0] = 0x60 | (p[0] & 0x0f); /* version; traffic class and flow label random */
	p[6] = next;
	p[7] = PICK(r, 64, 255, 1, 0, rng_next(r)); /* hop limit */
	f->l4_off = f->len;
}

/* TCP options (RFC 9293 3.1, RFC 7323, RFC 2018), len bytes. */
static void build_tcp_options(__u8 *opt, __u32 len, struct rng *r)
{
	__u32 i = 0, n;

	while (i < len) {
		n = PICK(r, 1, 2, 3, 4, 8, 5, 0, 99);
		switch (n) {
		case 0: /* end of list */
			memset(opt + i, 0, len - i);
			return;
		case 1: /* no operation */
			opt[i++] = 1;
			continue;
		case 2: /* maximum segment size: 4 bytes */
			n = 4;
			break;
		case 3: /* window scale: 3 bytes */
			n = 3;
			break;
		case 4: /* SACK permitted: 2 bytes */
			n = 2;
			break;
		case 8: /* timestamps: 10 bytes */
			n = 10;
			break;
		case 5: /* SACK blocks: 2 bytes and 1..4 blocks of 8 */
			n = 2 + 8 * rng_range(r, 1, 4);
			break;
		default: /* anything */
			rng_bytes(r, opt + i, len - i);
			return;
		}
		if (i + n > len) {
			opt[i++] = 1;
			continue;
		}
		rng_bytes(r, opt + i, n);
		opt[i] = n == 10 ? 8 : n == 4 ? 2 : n == 3 ? 3 : n == 2 ? 4 : 5;
		opt[i + 1] = n;
		i += n;
	}
}

static void build_l4(struct frame *f, struct rng *r, __u8 proto)
{
	__u32 doff;
	__u8 *p;

	f->l4 = proto;
	switch (proto) {
	case PROTO_UDP:
		p = append(f, UDP_HDR_LEN);
		put16(p, PICK(r, 53, 123, 4789, rng_next(r)));
		put16(p + 2, PICK(r, 53, 443, 0, 0xffff, rng_next(r)));
		break;
	case PROTO_TCP:
		doff = rng_chance(r, 55) ? 5 : rng_range(r, 6, 15);
		p = append(f, doff * 4);
		rng_bytes(r, p, TCP_MIN_LEN); /* ports, numbers, flags, window... */
		put16(p + 2, PICK(r, 80, 443, 0, 0xffff, rng_next(r)));
		p[12] = doff << 4;
		p[13] = PICK(r, 0x02, 0x12, 0x10, 0x18, 0x11, 0x04, rng_next(r)); /* flags */
		build_tcp_options(p + TCP_MIN_LEN, doff * 4 - TCP_MIN_LEN, r);
		break;
	case PROTO_ICMP:
		p = append(f, ICMP_HDR_LEN);
		rng_bytes(r, p, ICMP_HDR_LEN);
		/* echo reply, request; unreachable, redirect, time exceeded... */
		p[0] = PICK(r, 0, 8, 8, 3, 5, 11, 12, rng_next(r));
		p[1] = rng_chance(r, 70) ? 0 : rng_below(r, 16);
		break;
	case PROTO_ICMPV6:
		p = append(f, ICMP_HDR_LEN);
		rng_bytes(r, p, ICMP_HDR_LEN);
		/* echo request, reply; unreachable, too big, time exceeded;
		 * router and neighbour discovery...
		 */
		p[0] = PICK(r, 128, 128, 129, 1, 2, 3, 133, 134, 135, 136, rng_next(r));
		p[1] = rng_chance(r, 70) ? 0 : rng_below(r, 8);
		break;
	}
	f->payload_off = f->len;
}

/* The lengths that say where the packet and the datagram end. */
static void set_lengths(struct frame *f, struct rng *r)
{
	__u8 *l3 = f->data + f->l3_off, *l4 = f->data + f->l4_off;
	__u32 udp_len;

	if (f->l3 == 4)
		put16(l3 + 2, f->len - f->l3_off);
	else if (f->l3 == 6)
		put16(l3 + 4, f->len - f->l3_off - IPV6_HDR_LEN);

	if (f->l4 == PROTO_UDP) {
		udp_len = f->len - f->l4_off;
		/* The first fragment of a UDP datagram: its length counts the
		 * whole datagram, more than this fragment carries.
		 */
		if (f->l3 == 4 && (get16(l3 + 6) & 0x3fff) == 0x2000)
			udp_len += rng_range(r, 1, 3000);
		put16(l4 + 4, udp_len > 0xffff ? 0xffff : udp_len);
	}
}

/* The other form of zero: 0xffff in a checksum field where a sender computes
 * 0x0000. A receiver takes either (both make the sum all ones), and it is where
 * an incremental update and a full recomputation may part (RFC 1624 section 3).
 * Made by setting a 16-bit field the checksum covers, free_word, so that the sum
 * of the rest comes to 0xffff.
 */
static void set_negative_zero(__u8 *frame, const struct ref_csum *c, __u32 free_word)
{
	put16(frame + free_word, 0);
	put16(frame + free_word, 0xffff - ref_fold(ref_csum_sum(frame, c)));
	put16(frame + c->field, 0xffff);
}

/* Every checksum right; then, now and then, one wrong, UDP's "none", or a
 * negative zero.
 */
static void set_checksums(struct frame *f, struct rng *r)
{
	struct ref_csum c;
	struct ref_walk w;

	ref_fix_checksums(f->data, f->len);
	if (!f->l3 || !rng_chance(r, 15))
		return;
	f->mutations |= 1u << MUT_BAD_CSUM;
	ref_walk(f->data, f->len, FUZZ_MAX_VLANS, false, &w);
	if (rng_chance(r, 40)) {
		if (!ref_ipv4_csum(&w, f->data, &c))
			return;
		if (rng_chance(r, 25))
			set_negative_zero(f->data, &c, f->l3_off + 4); /* the identification */
		else
			put16(f->data + c.field, rng_next(r));
		return;
	}
	if (!ref_l4_csum(&w, f->data, &c))
		return;
	if (c.zero_means_none && rng_chance(r, 50))
		put16(f->data + c.field, 0);
	else if (!c.zero_means_none && rng_chance(r, 25))
		/* TCP's urgent pointer, ICMP's fourth 16-bit word */
		set_negative_zero(f->data, &c, c.start + (f->l4 == PROTO_TCP ? 18 : 6));
	else
		put16(f->data + c.field, rng_next(r));
}

/* Ethernet pads a frame to 60 bytes (64 with the frame check sequence), and
 * some links add a trailer: bytes after the IP packet, which the helpers must
 * not take for part of it.
 */
static void add_trailer(struct frame *f, struct rng *r)
{
	__u32 pick = rng_below(r, 100);

	if (pick < 35 && f->len < 60) {
		append(f, 60 - f->len);
		f->mutations |= 1u << MUT_PADDED;
	} else if (pick >= 92) {
		append_random(f, r, rng_range(r, 1, 24));
		f->mutations |= 1u << MUT_PADDED;
	}
}

static void build_random(struct frame *f, struct rng *r)
{
	f->len = rng_chance(r, 70) ? rng_below(r, 81) : rng_below(r, 1501);
	rng_bytes(r, f->data, f->len);
	/* Half of them with an IP EtherType and a first byte that looks right,
	 * so that random bytes reach the IP parsers too.
	 */
	if (f->len >= 15 && rng_chance(r, 50)) {
		put16(f->data + 12, PICK(r, ETHERTYPE_IPV4, ETHERTYPE_IPV6, ETHERTYPE_CTAG));
		if (rng_chance(r, 50))
			f->data[14] = PICK(r, 0x45, 0x46, 0x4f, 0x60);
	}
}

static void build_eth_other(struct frame *f, struct rng *r)
{
	__u16 type = PICK(r, ETHERTYPE_ARP, ETHERTYPE_ARP, 0x88cc /* LLDP */, ETHERTYPE_CTAG,
			  ETHERTYPE_STAG, ETHERTYPE_OLD_QINQ, rng_range(r, 0, ETHERTYPE_MIN - 1),
			  rng_range(r, ETHERTYPE_MIN, 0xffff));

	build_ethernet(f, r, type);
	append_random(f, r, type == ETHERTYPE_ARP ? 28 : rng_below(r, 101));
}

/* ---- Pass 2: the mutations ----------------------------------------------- */

/* Put k more VLAN tags in front of the others, right after the addresses. */
static void add_tags(struct frame *f, struct rng *r)
{
	__u32 k = rng_range(r, 1, 4), i, move = f->len - 12;
	__u8 *p = f->data + 12;

	memmove(p + 4 * k, p, move);
	for (i = 0; i < k; i++) {
		put16(p + 4 * i, rng_chance(r, 50) ? ETHERTYPE_CTAG : ETHERTYPE_STAG);
		put16(p + 4 * i + 2, rng_next(r));
	}
	f->len += 4 * k;
	f->tags += k;
	if (f->l3_off)
		f->l3_off += 4 * k;
	if (f->l4_off)
		f->l4_off += 4 * k;
	if (f->payload_off)
		f->payload_off += 4 * k;
}

/* A 16-bit length set wrong in one of the ways that catch a parser out: near
 * the right value, at the frame's end and one past it, below the header,
 * zero, or anything. right is the correct value, to_end the bytes from the
 * header to the end of the frame, min the smallest valid value.
 */
static __u16 wrong_length(struct rng *r, __u32 right, __u32 to_end, __u32 min)
{
	switch (rng_below(r, 8)) {
	case 0:
		return right + rng_range(r, 1, 8);
	case 1:
		return right - rng_range(r, 1, 8);
	case 2:
		return to_end;
	case 3:
		return to_end + 1;
	case 4:
		return min ? min - 1 : 0xffff;
	case 5:
		return rng_below(r, min + 1);
	case 6:
		return 0xffff;
	default:
		return rng_next(r);
	}
}

/* Overwrite 1 to 8 bytes of one header: the Ethernet one (tags included), the
 * IP one, or the L4 one.
 */
static void scribble(struct frame *f, struct rng *r)
{
	__u32 from = 0, to = f->l3_off, i;

	switch (rng_below(r, 3)) {
	case 1:
		from = f->l3_off;
		to = f->l4_off;
		break;
	case 2:
		from = f->l4_off;
		to = f->payload_off;
		break;
	}
	if (!to || to > f->len)
		to = f->len;
	for (i = rng_range(r, 1, 8); i > 0 && from < to; i--)
		f->data[rng_range(r, from, to - 1)] = rng_next(r);
}

/* Each mutation that applies to the frame, with its chance in percent. */
static void mutate(struct frame *f, struct rng *r)
{
	__u8 *l3 = f->data + f->l3_off, *l4 = f->data + f->l4_off;
	__u32 i, n, at, ihl;

	if (f->len >= 14 && f->tags < GEN_MAX_TAGS && rng_chance(r, 4)) {
		add_tags(f, r);
		l3 = f->data + f->l3_off;
		l4 = f->data + f->l4_off;
		f->mutations |= 1u << MUT_EXTRA_TAGS;
	}
	if (f->l3_off >= 2 && rng_chance(r, 3)) {
		put16(l3 - 2,
		      PICK(r, ETHERTYPE_IPV4, ETHERTYPE_IPV6, ETHERTYPE_CTAG, ETHERTYPE_STAG,
			   ETHERTYPE_ARP, rng_below(r, ETHERTYPE_MIN), rng_next(r)));
		f->mutations |= 1u << MUT_ETHERTYPE;
	}
	if (f->l3 && rng_chance(r, 4)) {
		l3[0] = (l3[0] & 0x0f) | rng_below(r, 16) << 4;
		f->mutations |= 1u << MUT_VERSION;
	}
	if (f->l3 == 4 && rng_chance(r, 5)) {
		l3[0] = (l3[0] & 0xf0) | rng_below(r, 16);
		f->mutations |= 1u << MUT_IHL;
	}
	if (f->l3 && rng_chance(r, 8)) {
		ihl = (l3[0] & 0x0f) * 4;
		at = f->l3 == 4 ? 2 : 4;
		n = f->len - f->l3_off; /* to the end of the frame */
		if (f->l3 == 4)
			put16(l3 + at, wrong_length(r, get16(l3 + at), n, ihl));
		else
			put16(l3 + at, wrong_length(r, get16(l3 + at), n - IPV6_HDR_LEN, 0));
		f->mutations |= 1u << MUT_IP_LEN;
	}
	if (f->l3 == 4 && rng_chance(r, 4)) {
		put16(l3 + 6, rng_next(r));
		f->mutations |= 1u << MUT_FRAG_BITS;
	}
	if (f->l3 && rng_chance(r, 4)) {
		l3[f->l3 == 4 ? 9 : 6] = PICK(r, PROTO_ICMP, PROTO_TCP, PROTO_UDP, PROTO_ICMPV6,
					      PROTO_FRAGMENT, PROTO_HOPOPTS, rng_next(r));
		f->mutations |= 1u << MUT_PROTO;
	}
	if (f->l4 == PROTO_UDP && rng_chance(r, 10)) {
		put16(l4 + 4, wrong_length(r, get16(l4 + 4), f->len - f->l4_off, UDP_HDR_LEN));
		f->mutations |= 1u << MUT_UDP_LEN;
	}
	if (f->l4 == PROTO_TCP && rng_chance(r, 10)) {
		l4[12] = (l4[12] & 0x0f) | rng_below(r, 16) << 4;
		f->mutations |= 1u << MUT_DOFF;
	}
	if (f->len && rng_chance(r, 4)) {
		scribble(f, r);
		f->mutations |= 1u << MUT_SCRIBBLE;
	}
	if (f->len && rng_chance(r, 4)) {
		for (i = rng_range(r, 1, 4); i > 0; i--) {
			n = rng_below(r, f->len * 8);
			f->data[n / 8] ^= 1u << (n % 8);
		}
		f->mutations |= 1u << MUT_BIT_FLIPS;
	}
}

/* ---- Pass 3: the cut ------------------------------------------------------- */

/* Cut the frame at an offset below its length: anywhere, or within two bytes of
 * where a header or a field that bounds one starts or ends.
 */
static void truncate_frame(struct frame *f, struct rng *r)
{
	__u32 at, near[8], n = 0;
	int delta;

	if (!f->len)
		return;
	near[n++] = 14;
	near[n++] = 14 + 4 * rng_below(r, f->tags + 1);
	if (f->l3_off) {
		near[n++] = f->l3_off + (f->l3 == 6 ? IPV6_HDR_LEN : IPV4_MIN_LEN);
		near[n++] = f->l3_off + (f->data[f->l3_off] & 0x0f) * 4;
	}
	if (f->l4_off) {
		near[n++] = f->l4_off + 8;
		near[n++] = f->l4_off + TCP_MIN_LEN;
	}
	if (f->payload_off)
		near[n++] = f->payload_off;

	if (rng_chance(r, 50)) {
		at = rng_below(r, f->len);
	} else {
		delta = (int)rng_below(r, 5) - 2;
		at = near[rng_below(r, n)] + delta;
		if ((int)at < 0 || at >= f->len)
			at = rng_below(r, f->len);
	}
	f->len = at;
	f->mutations |= 1u << MUT_TRUNCATED;
}

/* A short IP packet, rather than a cut frame: the frame ends inside the L4
 * header or its payload, and the IP length says so too, as a sender with a bug
 * would make it. parse_iphdr() accepts the packet, and the L4 helpers meet the
 * end of the frame.
 */
static void shorten_packet(struct frame *f, struct rng *r)
{
	__u8 *l3 = f->data + f->l3_off;
	__u32 at;

	if (!f->l4_off || f->l4_off >= f->len)
		return;
	at = f->l4_off + rng_below(r, f->len - f->l4_off < 64 ? f->len - f->l4_off : 64);
	if (f->l3 == 4 && (l3[0] & 0x0f) * 4 <= at - f->l3_off)
		put16(l3 + 2, at - f->l3_off);
	else if (f->l3 == 6)
		put16(l3 + 4, at - f->l4_off);
	f->len = at;
	f->mutations |= 1u << MUT_SHORT_PACKET;
}

/* ---- The frame ------------------------------------------------------------- */

static enum frame_kind pick_kind(struct rng *r)
{
	static const __u8 percent[KIND_COUNT] = {
		[KIND_RANDOM] = 5,     [KIND_ETH_OTHER] = 5,  [KIND_IPV4_UDP] = 14,
		[KIND_IPV4_TCP] = 14,  [KIND_IPV4_ICMP] = 12, [KIND_IPV4_OTHER] = 5,
		[KIND_IPV6_UDP] = 14,  [KIND_IPV6_TCP] = 14,  [KIND_IPV6_ICMPV6] = 12,
		[KIND_IPV6_OTHER] = 5,
	};
	__u32 pick = rng_below(r, 100), kind;

	for (kind = 0; kind < KIND_COUNT - 1; kind++) {
		if (pick < percent[kind])
			break;
		pick -= percent[kind];
	}
	return kind;
}

/* The protocol inside the IP packet of an IP kind of frame. */
static __u8 l4_of_kind(enum frame_kind kind, struct rng *r)
{
	switch (kind) {
	case KIND_IPV4_UDP:
	case KIND_IPV6_UDP:
		return PROTO_UDP;
	case KIND_IPV4_TCP:
	case KIND_IPV6_TCP:
		return PROTO_TCP;
	case KIND_IPV4_ICMP:
		return PROTO_ICMP;
	case KIND_IPV6_ICMPV6:
		return PROTO_ICMPV6;
	case KIND_IPV4_OTHER:
		return PICK(r, PROTO_GRE, PROTO_ESP, PROTO_ICMPV6, PROTO_FRAGMENT, PROTO_HOPOPTS,
			    rng_next(r));
	default:
		/* Extension headers, "no next header", ICMP for IPv4, anything. */
		return PICK(r, PROTO_HOPOPTS, PROTO_ROUTING, PROTO_FRAGMENT, PROTO_NONE, PROTO_ICMP,
			    PROTO_ESP, rng_next(r));
	}
}

void gen_frame(struct frame *f, struct rng *r)
{
	gen_frame_of_kind(f, r, pick_kind(r));
}

void gen_frame_of_kind(struct frame *f, struct rng *r, enum frame_kind kind)
{
	__u8 proto = 0;

	f->len = 0;
	f->mutations = 0;
	f->tags = 0;
	f->l3_off = f->l4_off = f->payload_off = 0;
	f->l3 = f->l4 = 0;
	f->kind = kind;

	switch (f->kind) {
	case KIND_RANDOM:
		build_random(f, r);
		break;
	case KIND_ETH_OTHER:
		build_eth_other(f, r);
		break;
	case KIND_IPV4_UDP:
	case KIND_IPV4_TCP:
	case KIND_IPV4_ICMP:
	case KIND_IPV4_OTHER:
		proto = l4_of_kind(f->kind, r);
		build_ethernet(f, r, ETHERTYPE_IPV4);
		build_ipv4(f, r, proto);
		break;
	default:
		proto = l4_of_kind(f->kind, r);
		build_ethernet(f, r, ETHERTYPE_IPV6);
		build_ipv6(f, r, proto);
		break;
	}
	if (f->l3) {
		build_l4(f, r, proto);
		append_random(f, r, payload_len(r));
		set_lengths(f, r);
		set_checksums(f, r);
		add_trailer(f, r);
	}

	mutate(f, r);
	/* Now and then, checksums made right again after the mutations: a wrong
	 * field with a right checksum is what a sender with a bug would send.
	 */
	if (f->mutations && rng_chance(r, 30))
		ref_fix_checksums(f->data, f->len);
	if (rng_chance(r, 25))
		truncate_frame(f, r);
	else if (rng_chance(r, 8))
		shorten_packet(f, r);
}

void gen_rewrite_config(struct rng *r, struct fuzz_rewrite_config *c)
{
	__u32 i;

	/* Both tag types, and types vlan_tag_push() must refuse. */
	c->vlan_tpid = PICK(r, ETHERTYPE_CTAG, ETHERTYPE_CTAG, ETHERTYPE_STAG, ETHERTYPE_STAG,
			    ETHERTYPE_OLD_QINQ, ETHERTYPE_IPV4, rng_next(r));
	/* Ids 0..4095, and now and then one too big. */
	c->vlan_id = rng_chance(r, 90) ? rng_below(r, 4096) : rng_next(r);
	/* All zeros and all ones now and then: the edges of one's complement. */
	c->new_port = PICK(r, 0, 0xffff, rng_next(r), rng_next(r), rng_next(r));
	c->new_daddr = PICK(r, 0, 0xffffffff, rng_next(r), rng_next(r), rng_next(r));
	for (i = 0; i < 4; i++)
		c->new_daddr6[i] = rng_chance(r, 80) ? rng_next(r) : rng_chance(r, 50) ? 0 : ~0u;
	c->unused = 0;
}
