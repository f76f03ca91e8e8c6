/* SPDX-License-Identifier: GPL-2.0 */
/* The fuzzer's own decoder: what each helper of headers/parsing_helpers.h must
 * return for a frame, worked out from the protocol specifications and the
 * helpers' documented contracts, with no code in common with headers/ (not even
 * the kernel's header structs: every field is read at the offset its RFC gives).
 * Also the Internet checksum, from RFC 1071, for judging the rewrites.
 */
#ifndef FUZZ_REF_H
#define FUZZ_REF_H

#include <stdbool.h>
#include <linux/types.h>

#include "fuzz_progs.h"

/* EtherTypes (IEEE registry) and IP protocol numbers (IANA registry). */
#define ETHERTYPE_MIN 0x0600 /* below: an IEEE 802.3 length, not a type */
#define ETHERTYPE_IPV4 0x0800
#define ETHERTYPE_ARP 0x0806
#define ETHERTYPE_CTAG 0x8100 /* IEEE 802.1Q customer VLAN tag */
#define ETHERTYPE_IPV6 0x86dd
#define ETHERTYPE_STAG 0x88a8	  /* IEEE 802.1ad service VLAN tag (QinQ) */
#define ETHERTYPE_OLD_QINQ 0x9100 /* pre-standard double tagging: not a tag to the helpers */

#define PROTO_HOPOPTS 0
#define PROTO_ICMP 1
#define PROTO_TCP 6
#define PROTO_UDP 17
#define PROTO_ROUTING 43
#define PROTO_FRAGMENT 44
#define PROTO_GRE 47
#define PROTO_ESP 50
#define PROTO_ICMPV6 58
#define PROTO_NONE 59

/* Header sizes, from the RFCs. */
#define ETH_HDR_LEN 14	/* two 6-byte addresses and a type */
#define VLAN_TAG_LEN 4	/* tag control information and the inner type */
#define IPV4_MIN_LEN 20 /* RFC 791: IHL 5 */
#define IPV6_HDR_LEN 40 /* RFC 8200 */
#define ICMP_HDR_LEN 8	/* type, code, checksum and 4 bytes (RFC 792, RFC 4443) */
#define UDP_HDR_LEN 8	/* RFC 768 */
#define TCP_MIN_LEN 20	/* RFC 9293: data offset 5 */

/* Network byte order, byte by byte: the same on every host. */
static inline __u16 get16(const __u8 *p)
{
	return (__u16)(p[0] << 8 | p[1]);
}

static inline __u32 get32(const __u8 *p)
{
	return (__u32)p[0] << 24 | (__u32)p[1] << 16 | (__u32)p[2] << 8 | p[3];
}

static inline void put16(__u8 *p, __u16 v)
{
	p[0] = v >> 8;
	p[1] = v;
}

/* Places where the helpers' documented contract departs from what the RFCs
 * would have a strict decoder do. The decoder follows the contract, and counts
 * each departure it meets, so that a run shows they were exercised.
 */
enum ref_note {
	NOTE_VLAN_DEEPER,	 /* more tags than VLAN_MAX_DEPTH: a tag's type comes back */
	NOTE_8023_LENGTH,	 /* an 802.3 length field (< 0x600) comes back as a type */
	NOTE_IPV4_BAD_CHECKSUM,	 /* an IPv4 header with a wrong checksum is accepted */
	NOTE_IPV4_BAD_OPTIONS,	 /* IPv4 options that do not parse are accepted */
	NOTE_IPV4_PROTO_44,	 /* an unfragmented packet of protocol 44 looks like a fragment */
	NOTE_L4_PAST_IP,	 /* an L4 header is read past the end of its IP packet */
	NOTE_UDP_LEN_MISMATCH,	 /* a UDP length other than the IP payload's is accepted */
	NOTE_UDP_FIRST_FRAGMENT, /* a first fragment's UDP header is refused */
	NOTE_COUNT,
};

/* What one walk of a frame must record: fuzz_parse.bpf.c's walk, done here. */
struct ref_walk {
	__u32 n_steps;
	struct fuzz_step step[FUZZ_MAX_STEPS];
	__u32 vlan_count;
	__u16 vlan_id[FUZZ_MAX_VLANS];
	__u32 notes; /* 1 << enum ref_note, for each departure met */

	/* For the rewrite models: valid as far as the steps succeeded. */
	__u16 ethertype; /* what the Ethernet step returned, host byte order */
	__u32 l3_off;	 /* where the IP header starts */
	int ip_version;	 /* 4 or 6 when the IP step succeeded, else 0 */
	__u32 ip_end;	 /* where the IP packet ends (total or payload length) */
	__u32 l4_off;	 /* where the L4 header starts */
};

/* Walk the len bytes at frame as fuzz_parse.bpf.c does, with the helpers' VLAN
 * depth; collect says whether the walk uses parse_ethhdr_vlan() (else
 * parse_ethhdr()). Offsets are counted from frame.
 */
void ref_walk(const __u8 *frame, __u32 len, __u32 depth, bool collect, struct ref_walk *w);

const char *ref_note_name(enum ref_note note);
const char *ref_helper_name(enum fuzz_helper helper);

/* ---- The Internet checksum (RFC 1071) ------------------------------------- */

/* What a checksum field covers. */
struct ref_csum {
	__u32 field;	  /* offset of the 16-bit checksum field in the frame */
	__u32 start, len; /* the bytes it covers (the field among them) */
	bool pseudo;	  /* also the pseudo-header of the IP header at l3_off */
	int ip_version;
	__u32 l3_off;
	__u8 proto;	      /* for the pseudo-header */
	__u32 pseudo_len;     /* the length the pseudo-header carries */
	bool zero_means_none; /* UDP: 0 means "no checksum", a computed 0 is sent as 0xffff */
};

/* Add len bytes to a 32-bit sum as big-endian 16-bit words (an odd last byte is
 * padded with zero). Frames are small enough that 32 bits cannot overflow.
 */
__u32 ref_sum(__u32 sum, const __u8 *p, __u32 len);

/* Fold a sum to 16 bits with end-around carries: the one's complement sum. Its
 * value modulo 0xffff is the sum's; it is 0 only for a sum of 0.
 */
__u16 ref_fold(__u32 sum);

/* The sum of everything c covers, with the checksum field counted as zero. */
__u32 ref_csum_sum(const __u8 *frame, const struct ref_csum *c);

/* The value a sender puts in the field for that sum. */
__u16 ref_csum_value(__u32 sum, bool zero_means_none);

/* The checksums of a walked frame: the IPv4 header's, and the L4 one (UDP, TCP,
 * ICMP, ICMPv6) when the walk parsed an L4 header. False when there is none.
 */
bool ref_ipv4_csum(const struct ref_walk *w, const __u8 *frame, struct ref_csum *c);
bool ref_l4_csum(const struct ref_walk *w, const __u8 *frame, struct ref_csum *c);

/* Set every checksum of the frame (as far as it parses, any VLAN depth) to the
 * value a sender computes: the generator uses it to make frames right.
 */
void ref_fix_checksums(__u8 *frame, __u32 len);

#endif /* FUZZ_REF_H */
