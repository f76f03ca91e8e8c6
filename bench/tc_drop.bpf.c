// SPDX-License-Identifier: GPL-2.0
/* The tc baseline of the drop measurement (bench/README.org): a classifier in
 * direct-action mode on the clsact ingress hook that drops every packet. The
 * drop costs what the skb path up to tc costs; the kernel counts it among the
 * clsact qdisc's drops.
 */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>

SEC("tc")
int tc_drop(struct __sk_buff *skb)
{
	return TC_ACT_SHOT;
}

char _license[] SEC("license") = "GPL";
