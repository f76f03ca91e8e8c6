/* SPDX-License-Identifier: GPL-2.0 */
/* What the bench's XDP programs and xdpbench share. */
#ifndef BENCH_FRAME_H
#define BENCH_FRAME_H

#include <linux/types.h>

/* The largest frame the bench sends: a 1500-byte MTU plus the Ethernet header. */
#define BENCH_FRAME_MAX 1514

/* The frame xdp_gen and xdp_restore_call write over every packet. */
struct bench_frame {
	__u32 len;
	__u8 data[BENCH_FRAME_MAX];
};

/* Where xdp_bare_redirect sends every frame, with which Ethernet addresses. */
struct bench_redirect {
	__u32 ifindex;
	__u8 source[6];
	__u8 dest[6];
};

#endif /* BENCH_FRAME_H */
