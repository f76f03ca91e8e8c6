// SPDX-License-Identifier: GPL-2.0
/* basic01-xdp-pass: xdp_pass lets every frame through, whatever it holds, and
 * leaves its bytes as they were.
 */
#include "harness.h"

#define BASIC01_OBJ "basic01-xdp-pass/xdp_pass.bpf.o"

/* Run xdp_pass once on a frame; expect XDP_PASS and the same bytes back. */
static void expect_passed_untouched(struct bpf_object *obj, const void *pkt, __u32 len)
{
	struct xdp_result res;
	int fd = prog_fd(obj, "xdp_pass");

	if (fd < 0 || xdp_run(fd, pkt, len, &res))
		return;
	CHECK(res.action == XDP_PASS, "%u-byte frame: action %s (%u), want XDP_PASS", len,
	      xdp_action_name(res.action), res.action);
	CHECK_BYTES(res.data, res.len, pkt, len);
}

/* What the README shows with llvm-objdump: one program, in section "xdp",
 * named after its function.
 */
TEST(basic01_object_holds_one_xdp_program_in_section_xdp)
{
	struct bpf_object *obj = open_and_load(BASIC01_OBJ);
	struct bpf_program *prog;
	int n = 0;

	ASSERT(obj, "cannot test without %s: run make", BASIC01_OBJ);
	bpf_object__for_each_program(prog, obj) {
		n++;
		CHECK(!strcmp(bpf_program__name(prog), "xdp_pass"),
		      "program named %s, want xdp_pass", bpf_program__name(prog));
		CHECK(!strcmp(bpf_program__section_name(prog), "xdp"), "section %s, want xdp",
		      bpf_program__section_name(prog));
		CHECK(bpf_program__type(prog) == BPF_PROG_TYPE_XDP, "program type %d, want XDP",
		      bpf_program__type(prog));
	}
	CHECK(n == 1, "%d programs in the object, want 1", n);
}

TEST(basic01_xdp_pass_passes_ipv4_udp)
{
	struct bpf_object *obj = open_and_load(BASIC01_OBJ);
	struct pkt_spec spec = { .l4_proto = IPPROTO_UDP, .payload_len = 32 };
	__u8 pkt[256];
	__u32 len;

	ASSERT(obj, "cannot test without %s: run make", BASIC01_OBJ);
	len = build_packet(&spec, pkt, sizeof(pkt));
	ASSERT(len, "could not build the frame");
	expect_passed_untouched(obj, pkt, len);
}

TEST(basic01_xdp_pass_passes_ipv6_icmpv6_echo)
{
	struct bpf_object *obj = open_and_load(BASIC01_OBJ);
	struct pkt_spec spec = {
		.eth_proto = ETH_P_IPV6,
		.ip_src = "fc00:dead:cafe:1::1",
		.ip_dst = "fc00:dead:cafe:1::2",
		.l4_proto = IPPROTO_ICMPV6,
		.icmp_id = 7,
		.icmp_seq = 1,
		.payload_len = 56,
	};
	__u8 pkt[256];
	__u32 len;

	ASSERT(obj, "cannot test without %s: run make", BASIC01_OBJ);
	len = build_packet(&spec, pkt, sizeof(pkt));
	ASSERT(len, "could not build the frame");
	expect_passed_untouched(obj, pkt, len);
}

/* Frames cut short: a bare Ethernet header (the shortest frame the kernel
 * runs a test on), one byte of IPv4 header, half of one. xdp_pass reads
 * nothing, so none of them can trip it.
 */
TEST(basic01_xdp_pass_passes_short_frames)
{
	struct bpf_object *obj = open_and_load(BASIC01_OBJ);
	struct pkt_spec spec = { .l4_proto = IPPROTO_TCP };
	const __u32 cuts[] = { ETH_HLEN, ETH_HLEN + 1, ETH_HLEN + 10 };
	__u8 pkt[256];
	__u32 len;

	ASSERT(obj, "cannot test without %s: run make", BASIC01_OBJ);
	len = build_packet(&spec, pkt, sizeof(pkt));
	ASSERT(len > ETH_HLEN + 10, "could not build the frame");
	for (size_t i = 0; i < sizeof(cuts) / sizeof(cuts[0]); i++)
		expect_passed_untouched(obj, pkt, cuts[i]);
}

/* Bytes that are no protocol at all, in a full-size frame. */
TEST(basic01_xdp_pass_passes_garbage)
{
	struct bpf_object *obj = open_and_load(BASIC01_OBJ);
	static __u8 pkt[1514];
	__u32 x = 0x2545f491;

	ASSERT(obj, "cannot test without %s: run make", BASIC01_OBJ);
	/* xorshift: the same "random" bytes on every run. */
	for (size_t i = 0; i < sizeof(pkt); i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		pkt[i] = (__u8)x;
	}
	expect_passed_untouched(obj, pkt, 64);
	expect_passed_untouched(obj, pkt, sizeof(pkt));
}
