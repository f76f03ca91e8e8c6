/* SPDX-License-Identifier: GPL-2.0 */
/* What the programs that exercise headers/ (*_progs.bpf.c) and their tests
 * (test_*.c) agree on: the layout of their result and config maps, and of the
 * checksum calculator's frames. Included by both sides, so: linux/types.h only.
 */
#ifndef HELPER_PROGS_H
#define HELPER_PROGS_H

#include <linux/types.h>

/* The parse steps parsing_progs.bpf.c takes, in order. */
enum parse_step_id {
	STEP_ETH, /* parse_ethhdr() or parse_ethhdr_vlan() */
	STEP_L3,  /* parse_iphdr() or parse_ip6hdr() */
	STEP_L4,  /* parse_icmphdr(), parse_icmp6hdr(), parse_udphdr() or parse_tcphdr() */
	STEP_MAX,
};

/* One parse_*() call: what it returned and where it left things, as offsets
 * from the start of the frame.
 */
struct parse_step {
	__s32 ret;     /* the return value */
	__u32 hdr_off; /* where the header pointer it set points (when ret >= 0) */
	__u32 pos_off; /* where the cursor is after the call */
};

/* parse_chain_padded skips this many bytes before it parses: BPF_PROG_TEST_RUN
 * takes no frame shorter than an Ethernet header, and this is how a test gives it
 * a shorter one anyway.
 */
#define PARSE_PAD_LEN 14

/* Room for more VLAN ids than VLAN_MAX_DEPTH, so tests work for any depth up to it. */
#define RESULT_MAX_VLANS 4

/* Written by the parse programs on every run (key 0 of parse_result_map). */
struct parse_result {
	__u32 steps_done;     /* how many entries of step[] are filled */
	__u32 vlan_max_depth; /* VLAN_MAX_DEPTH as the program was built */
	struct parse_step step[STEP_MAX];
	__u32 vlan_count; /* collect_vlans.count (parse_chain only) */
	__u16 vlan_id[RESULT_MAX_VLANS];
};

/* Set by the tests before a run of a rewrite program (key 0 of rewrite_config_map). */
struct rewrite_config {
	__u16 vlan_tpid; /* for vlan_push: host byte order, ETH_P_8021Q or ETH_P_8021AD */
	__u16 vlan_id;	 /* for vlan_push */
	__u32 new_daddr; /* for nat_rewrite: IPv4 destination, network byte order */
	__u16 new_port;	 /* for nat_rewrite: UDP/TCP destination port or ICMP echo id,
				 * network byte order
				 */
	__u16 pad;
};

/* Written by the rewrite programs on every run (key 0 of rewrite_result_map). */
struct rewrite_result {
	__s32 ret; /* what vlan_tag_pop() / vlan_tag_push() returned */
	__u32 ttl; /* what ip_decrease_ttl() returned */
};

/* The checksum calculator (csum_calc in rewrite_progs.bpf.c) reads one of these
 * from the start of the frame, computes, and writes the result into out.
 * Values in host byte order: they never leave this machine.
 */
enum csum_op {
	CSUM_OP_FOLD,	  /* out = csum_fold_helper(sum) */
	CSUM_OP_REPLACE2, /* out = check after csum_replace2(&check, old, new) */
	CSUM_OP_REPLACE4, /* out = check after csum_replace4(&check, old, new) */
};

struct csum_frame {
	__u32 op;    /* enum csum_op */
	__u32 sum;   /* CSUM_OP_FOLD: the 32-bit sum */
	__u16 check; /* CSUM_OP_REPLACE*: the checksum before the change */
	__u16 pad;
	__u32 old; /* CSUM_OP_REPLACE*: old field value (16 bits for REPLACE2) */
	__u32 new; /* CSUM_OP_REPLACE*: new field value */
	__u32 out; /* the result */
};

#endif /* HELPER_PROGS_H */
