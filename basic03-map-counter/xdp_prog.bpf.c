// SPDX-License-Identifier: GPL-2.0
/* basic03: count the frames an XDP program sees, in a BPF map.
 *
 * A BPF program keeps nothing from one run to the next: every frame starts it
 * afresh. To remember anything, it writes into a map, which lives in the
 * kernel beside the program. User space opens the same map and reads it:
 * that is how the loader shows the counters.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#include "common_kern_user.h"

/* A BTF-defined map. The macros from bpf_helpers.h turn each line into a
 * member of an anonymous struct; clang records its type in the object's BTF,
 * and libbpf reads that to create the map when the object is loaded. The
 * variable name, xdp_stats_map, becomes the map's name.
 *
 * An array map: keys are 0 .. max_entries - 1 and every slot exists from the
 * start, filled with zeros. One slot per XDP action.
 */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY); /* Assignment 3: BPF_MAP_TYPE_PERCPU_ARRAY */
	__type(key, __u32);
	__type(value, struct datarec);
	__uint(max_entries, XDP_ACTION_MAX);
} xdp_stats_map SEC(".maps");

/* Assignment 2: the helper goes here. */
/* Assignment 2: end */

/* Count the frame, then let it pass. */
SEC("xdp")
int xdp_pass_func(struct xdp_md *ctx)
{
	/* Assignment 2: this body becomes the helper (see xdp_drop_func). */
	__u32 key = XDP_PASS;
	struct datarec *rec;

	/* The program refers to the map by its symbol. The compiler cannot know
	 * where the map will be, so it leaves a relocation here; libbpf creates
	 * the map and writes its file descriptor into this instruction before
	 * the program is loaded (llvm-objdump -dr shows it, see README.org).
	 *
	 * An array always holds every key below max_entries, but the lookup
	 * returns a pointer that may be NULL as far as the verifier knows: it
	 * rejects the program unless we check before using it.
	 */
	rec = bpf_map_lookup_elem(&xdp_stats_map, &key);
	if (!rec)
		return XDP_ABORTED;

	/* rec points into the map itself, not to a copy: the update is seen by
	 * everyone at once. The same value is shared by every CPU, and two
	 * CPUs can run this program at the same moment on different frames. A
	 * plain rec->rx_packets++ is a load, an add and a store: two CPUs can
	 * load the same old value and one increment is lost. An atomic add is
	 * one instruction (`lock ... +=` in llvm-objdump) that cannot be split.
	 */
	__sync_fetch_and_add(&rec->rx_packets, 1);

	/* Assignment 1: also count the bytes of the frame. Its length is
	 * ctx->data_end - ctx->data (both are offsets, turn them into pointers
	 * as (void *)(long)ctx->data first).
	 */

	return XDP_PASS;
	/* Assignment 2: end */
}

/* Drop every frame. The loader attaches this one with --progname xdp_drop_func. */
SEC("xdp")
int xdp_drop_func(struct xdp_md *ctx)
{
	/* Assignment 2: this program counts nothing yet. Move the counting
	 * above into a helper, e.g.
	 *   static __always_inline __u32 xdp_stats_record_action(struct xdp_md *ctx, __u32 action)
	 * that records the frame under the key `action` and returns action,
	 * then end both programs with return xdp_stats_record_action(ctx, ...).
	 */
	return XDP_DROP;
	/* Assignment 2: end */
}

/* The kernel lets only GPL-compatible programs call some helpers. */
char _license[] SEC("license") = "GPL";
