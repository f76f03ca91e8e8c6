/* SPDX-License-Identifier: GPL-2.0 */
/* What the fuzz programs (fuzz_*.bpf.c) and the fuzzer (fuzz.c) agree on: which
 * helper a parse step called, and the layout of the maps through which they share
 * results and settings. Included by both sides, so: linux/types.h only.
 *
 * The maps are arrays of one entry made with BPF_F_MMAPABLE: the fuzzer maps them
 * into its own memory once, then reads and writes them like a struct, with no
 * system call per frame (a lookup per frame would cost as much as the test run).
 */
#ifndef FUZZ_PROGS_H
#define FUZZ_PROGS_H

#include <linux/types.h>

/* The parse programs start parsing this many bytes into the frame: the kernel's
 * test run takes no frame shorter than an Ethernet header, and this is how the
 * fuzzer gives the parsers shorter ones anyway. The fuzzer fills them with zeros.
 */
#define FUZZ_PAD 14

/* The helpers a parse step can call. */
enum fuzz_helper {
	HELPER_NONE,
	HELPER_ETHHDR_VLAN, /* parse_ethhdr_vlan(), collecting the VLAN ids */
	HELPER_ETHHDR,	    /* parse_ethhdr() */
	HELPER_IPHDR,
	HELPER_IP6HDR,
	HELPER_ICMPHDR,
	HELPER_ICMP6HDR,
	HELPER_UDPHDR,
	HELPER_TCPHDR,
	HELPER_COUNT,
};

/* Ethernet, then IPv4 or IPv6, then ICMP, ICMPv6, UDP or TCP. */
#define FUZZ_MAX_STEPS 3

/* Room for the VLAN ids of the deepest VLAN_MAX_DEPTH a fuzz program uses. */
#define FUZZ_MAX_VLANS 8

/* One parse_*() call, with offsets counted from where parsing started. */
struct fuzz_step {
	__u32 helper;  /* enum fuzz_helper */
	__s32 ret;     /* what it returned */
	__s32 hdr_off; /* where it set its header pointer; FUZZ_HDR_UNSET if it did not */
	__s32 pos_off; /* where it left the cursor */
};

/* A header pointer starts at the first byte of the frame, FUZZ_PAD bytes before
 * parsing starts: a helper that never set it shows this offset. (A NULL start
 * would do too, but subtracting a packet pointer from NULL is a subtraction the
 * verifier refuses, and the compiler may move it before the NULL test.)
 */
#define FUZZ_HDR_UNSET (-FUZZ_PAD)

/* Written by the parse programs (parse_result_map), on every run. */
struct fuzz_parse_result {
	__u32 n_steps;	      /* how many entries of step[] are filled */
	__u32 vlan_max_depth; /* VLAN_MAX_DEPTH as the program was built */
	__u32 vlan_count;     /* collect_vlans.count after parse_ethhdr_vlan() */
	__u16 vlan_id[FUZZ_MAX_VLANS];
	struct fuzz_step step[FUZZ_MAX_STEPS];
};

/* Set by the fuzzer before each run of a rewrite program (rewrite_config_map). */
struct fuzz_rewrite_config {
	__u16 vlan_tpid; /* vlan_push: host byte order; any value, VLAN or not */
	__u16 vlan_id;	 /* vlan_push: any value, 0..4095 or not */
	__be16 new_port; /* rewrite_dest: UDP/TCP destination port or ICMP(v6) id */
	__u16 unused;
	__be32 new_daddr;     /* rewrite_dest: IPv4 destination */
	__be32 new_daddr6[4]; /* rewrite_dest: IPv6 destination */
};

/* Written by the rewrite programs (rewrite_result_map), on every run. */
struct fuzz_rewrite_result {
	__u32 vlan_max_depth; /* VLAN_MAX_DEPTH as the program was built */
	__s32 ret;	      /* vlan_tag_pop(), vlan_tag_push(), ip_decrease_ttl() */
};

#endif /* FUZZ_PROGS_H */
