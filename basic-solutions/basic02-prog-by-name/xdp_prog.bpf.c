// SPDX-License-Identifier: GPL-2.0
/* basic02: one object file, several XDP programs.
 *
 * Each function below with SEC("xdp") becomes its own BPF program inside
 * xdp_prog.bpf.o. Loading the object loads them all into the kernel; the
 * loader then attaches just one of them to the interface, the one whose
 * C function name is given with --progname.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

/* Let every frame go on up to the network stack, as if no program were there. */
SEC("xdp")
int xdp_pass_func(struct xdp_md *ctx)
{
	return XDP_PASS;
}

/* Drop every frame in the driver, before the kernel spends any work on it. */
SEC("xdp")
int xdp_drop_func(struct xdp_md *ctx)
{
	return XDP_DROP;
}

/* Assignment 2: drop every frame and report it as an error. The frame is
 * dropped as with XDP_DROP, but the kernel also fires the xdp:xdp_exception
 * tracepoint, so that such drops can be told apart from deliberate ones.
 */
SEC("xdp")
int xdp_abort_func(struct xdp_md *ctx)
{
	return XDP_ABORTED;
}
/* Assignment 2: end */

/* The kernel lets only GPL-compatible programs call some helpers. */
char _license[] SEC("license") = "GPL";
