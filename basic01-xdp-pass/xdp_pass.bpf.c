// SPDX-License-Identifier: GPL-2.0
/* The smallest XDP program: it lets every frame through, untouched.
 *
 * The kernel runs it for each frame the interface receives, before the
 * network stack has seen it, and acts on the number it returns:
 * XDP_ABORTED (0), XDP_DROP (1), XDP_PASS (2), XDP_TX (3) or XDP_REDIRECT (4).
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

/* SEC("xdp") puts the function in the ELF section "xdp": that is how libbpf,
 * ip and bpftool know it is an XDP program. The function name (xdp_pass) is
 * how a loader picks it: ./xdp_loader --progname xdp_pass.
 */
SEC("xdp")
int xdp_pass(struct xdp_md *ctx)
{
	/* Assignment 1: drop every frame instead, and watch ping stop. */
	return XDP_PASS;
	/* Assignment 1: end */
}

/* The kernel refuses some helpers to programs that are not GPL-compatible. */
char _license[] SEC("license") = "GPL";
