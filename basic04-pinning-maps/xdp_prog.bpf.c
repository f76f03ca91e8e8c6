// SPDX-License-Identifier: GPL-2.0
/* basic04: the counting programs of basic03, unchanged in spirit.
 *
 * Nothing new happens on this side: the programs record every frame in
 * xdp_stats_map (headers/xdp_stats_kern.h) and return their action. What is
 * new is where user space finds that map. A map lives as long as something
 * holds a reference to it: a program that uses it, a file descriptor, or a
 * pin (a file in the BPF filesystem). The loader pins it, so it survives the
 * loader and any other program can open it by path.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#include "xdp_stats_kern.h"

/* Count the frame, then let it pass (the default for xdp_loader). */
SEC("xdp")
int xdp_pass_func(struct xdp_md *ctx)
{
	return xdp_stats_record_action(ctx, XDP_PASS);
}

/* Count the frame, then drop it: attach with --progname xdp_drop_func. */
SEC("xdp")
int xdp_drop_func(struct xdp_md *ctx)
{
	return xdp_stats_record_action(ctx, XDP_DROP);
}

/* The kernel lets only GPL-compatible programs call some helpers. */
char _license[] SEC("license") = "GPL";
