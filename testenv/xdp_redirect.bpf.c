// SPDX-License-Identifier: GPL-2.0
/* The two programs behind 't redirect SRC DST' (testenv.sh loads them with bpftool).
 *
 * xdp_redirect_all runs on SRC's outer interface and sends every frame that
 * arrives there out of the interface stored in slot 0 of tx_port (DST's outer
 * interface). xdp_pass runs on DST's inner veth0: a veth only accepts frames
 * redirected into it in native mode when its peer has an XDP program too.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

/* A device map: the value is an ifindex that bpf_redirect_map() can send to. */
struct {
	__uint(type, BPF_MAP_TYPE_DEVMAP);
	__type(key, __u32);
	__type(value, __u32);
	__uint(max_entries, 1);
} tx_port SEC(".maps");

SEC("xdp")
int xdp_redirect_all(struct xdp_md *ctx)
{
	/* The low bits of the flags are the action to take when slot 0 is empty:
	 * until testenv.sh has filled it in, frames go up the stack as usual.
	 */
	return bpf_redirect_map(&tx_port, 0, XDP_PASS);
}

SEC("xdp")
int xdp_pass(struct xdp_md *ctx)
{
	return XDP_PASS;
}

char _license[] SEC("license") = "GPL";
