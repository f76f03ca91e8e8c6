/* SPDX-License-Identifier: GPL-2.0 */
/* The fuzzer's frame generator: well-formed frames built field by field (Ethernet,
 * VLAN tags, IPv4 with options or IPv6, ICMP, ICMPv6, UDP, TCP with options),
 * then broken on purpose: cut short, lengths and versions wrong, fragments, too
 * many tags, random bytes. Every choice comes from the frame's own generator
 * (rng.h), so a frame is a function of (seed, index).
 */
#ifndef FUZZ_GEN_H
#define FUZZ_GEN_H

#include <linux/types.h>

#include "fuzz_progs.h"
#include "rng.h"

/* The kernel's test run takes frames up to about 3.5 KiB, FUZZ_PAD included. */
#define FRAME_MAX 3400

/* The generator puts at most this many VLAN tags on a frame: more than the
 * deepest VLAN_MAX_DEPTH of the fuzz programs, so that every depth is passed.
 */
#define GEN_MAX_TAGS FUZZ_MAX_VLANS

/* What a frame was built as (before its mutations). */
enum frame_kind {
	KIND_RANDOM,	/* random bytes, maybe with an IP EtherType to get further */
	KIND_ETH_OTHER, /* ARP, an 802.3 length, any other EtherType */
	KIND_IPV4_UDP,
	KIND_IPV4_TCP,
	KIND_IPV4_ICMP,
	KIND_IPV4_OTHER, /* GRE, ESP, ICMPv6-in-IPv4, protocol 44, any other */
	KIND_IPV6_UDP,
	KIND_IPV6_TCP,
	KIND_IPV6_ICMPV6,
	KIND_IPV6_OTHER, /* extension headers, no next header, ICMP-in-IPv6, any other */
	KIND_COUNT,
};

/* What was done to it; a frame may have several, or none. */
enum mutation {
	MUT_FRAGMENT,	  /* built as an IPv4 fragment: first (MF, offset 0) or later */
	MUT_PADDED,	  /* bytes after the IP packet: Ethernet padding, or a trailer */
	MUT_BAD_CSUM,	  /* a checksum built wrong (or UDP's "none") */
	MUT_EXTRA_TAGS,	  /* VLAN tags added in front, up to GEN_MAX_TAGS + 4 in all */
	MUT_ETHERTYPE,	  /* the (innermost) EtherType replaced */
	MUT_VERSION,	  /* IP version wrong */
	MUT_IHL,	  /* IPv4 header length (IHL) wrong */
	MUT_IP_LEN,	  /* IPv4 total length or IPv6 payload length wrong */
	MUT_FRAG_BITS,	  /* IPv4 fragment flags and offset set at random */
	MUT_PROTO,	  /* IPv4 protocol or IPv6 next header replaced */
	MUT_UDP_LEN,	  /* UDP length wrong */
	MUT_DOFF,	  /* TCP data offset wrong */
	MUT_SCRIBBLE,	  /* a few bytes of a header overwritten at random */
	MUT_BIT_FLIPS,	  /* a few bits anywhere flipped */
	MUT_TRUNCATED,	  /* cut short at some offset */
	MUT_SHORT_PACKET, /* cut inside the L4 part, with an IP length to match */
	MUT_COUNT,
};

struct frame {
	__u8 data[FRAME_MAX];
	__u32 len;
	enum frame_kind kind;
	__u32 mutations; /* 1 << enum mutation, for each one done */
	__u32 tags;	 /* VLAN tags on the frame as built */
	/* Where the generator put the headers (0: none), for the mutations that
	 * aim at a header; offsets from the frame start, before mutations.
	 */
	__u32 l3_off, l4_off, payload_off;
	__u8 l3; /* 4, 6, or 0 */
	__u8 l4; /* PROTO_UDP... as built */
};

/* Make the frame that r (set up by rng_init(seed, index)) describes. r can go on
 * to choose other things for this frame (a rewrite program's settings).
 */
void gen_frame(struct frame *f, struct rng *r);

/* The same, for a kind the caller picked (the lesson checks pick ICMP often). */
void gen_frame_of_kind(struct frame *f, struct rng *r, enum frame_kind kind);

/* The settings of the rewrite programs for this frame, chosen by r after the
 * frame: VLAN tag type and id, new addresses and port.
 */
void gen_rewrite_config(struct rng *r, struct fuzz_rewrite_config *c);

const char *kind_name(enum frame_kind kind);
const char *mutation_name(enum mutation mutation);

#endif /* FUZZ_GEN_H */
