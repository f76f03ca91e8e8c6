/* SPDX-License-Identifier: GPL-2.0 */
/* What each rewrite program of fuzz_rewrite.bpf.c must make of a frame: its
 * verdict, its return value where it records one, and every byte that comes out.
 * Worked out with the fuzzer's decoder (ref.h), and with checksums judged by full
 * recomputation (RFC 1071), never by the incremental arithmetic under test.
 */
#ifndef FUZZ_MODEL_H
#define FUZZ_MODEL_H

#include <stdbool.h>
#include <linux/types.h>

#include "fuzz_progs.h"
#include "gen.h"

enum rewrite_op {
	OP_SWAP_MAC,
	OP_SWAP_IPV4,
	OP_SWAP_IPV6,
	OP_VLAN_POP,
	OP_VLAN_PUSH,
	OP_TTL_DECREASE,
	OP_REWRITE_DEST,
};

/* A checksum field whose exact value is not foretold: it was wrong before the
 * rewrite (or right in its other form, 0xffff for 0x0000), so it must be wrong
 * by as much after. Its value v passes when v plus the sum of everything else it
 * covers is, modulo 0xffff, what it was before.
 */
struct loose_csum {
	__u32 field;	/* where it is in the frame that comes out */
	__u32 residue;	/* (value + sum of the rest) % 0xffff before the rewrite */
	__u32 rest_sum; /* the sum of the rest after the rewrite */
	bool nonzero;	/* UDP: a computed 0 must have become 0xffff */
};

#define MODEL_MAX_LOOSE 2

struct model_out {
	__u32 action;
	__u32 len;
	__u8 data[FRAME_MAX + 4]; /* vlan_push makes the frame 4 bytes longer */
	bool has_ret;		  /* the program records a return value */
	__s32 ret;
	__u32 n_loose;
	struct loose_csum loose[MODEL_MAX_LOOSE];
	__u32 exact_csums;     /* checksum fields foretold exactly (right before, right after) */
	__u32 zero_data_csums; /* of those, over all-zero data: 0x0000, as documented */
};

/* What program op, built with VLAN_MAX_DEPTH depth, must make of the len bytes
 * at in (len >= 14) with the settings cfg.
 */
void model_rewrite(enum rewrite_op op, const __u8 *in, __u32 len, __u32 depth,
		   const struct fuzz_rewrite_config *cfg, struct model_out *m);

/* Does a checksum field's value v pass the loose judgement l? */
bool loose_csum_ok(const struct loose_csum *l, __u16 v);

#endif /* FUZZ_MODEL_H */
