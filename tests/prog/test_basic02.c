// SPDX-License-Identifier: GPL-2.0
/* basic02-prog-by-name: one object, several XDP programs, each with a fixed
 * verdict whatever the frame holds: xdp_pass_func passes, xdp_drop_func drops
 * and, in the reference solution, xdp_abort_func aborts.
 */
#include "harness.h"

#define LESSON_OBJ "basic02-prog-by-name/xdp_prog.bpf.o"
#define SOLUTION_OBJ "basic-solutions/basic02-prog-by-name/xdp_prog.bpf.o"

/* The frames the programs meet on the lab (the echo replies to 't ping', over
 * IPv6 and IPv4), and ones they never parse: a bare Ethernet header, a UDP frame.
 */
static const struct pkt_spec frames[] = {
	{ .eth_proto = ETH_P_IPV6,
	  .ip_src = "fc00:dead:cafe:1::2",
	  .ip_dst = "fc00:dead:cafe:1::1",
	  .l4_proto = IPPROTO_ICMPV6,
	  .echo_reply = true,
	  .icmp_id = 7,
	  .icmp_seq = 1,
	  .payload_len = 56 },
	{ .ip_src = "198.18.1.2",
	  .ip_dst = "198.18.1.1",
	  .l4_proto = IPPROTO_ICMP,
	  .echo_reply = true,
	  .icmp_id = 7,
	  .icmp_seq = 1,
	  .payload_len = 56 },
	{ .l4_proto = IPPROTO_UDP, .payload_len = 18 },
};

/* Run the program named name on every frame above and on a bare Ethernet
 * header; expect the verdict want each time, and the bytes left as they were.
 */
static void expect_verdict(const char *path, const char *name, __u32 want)
{
	struct bpf_object *obj = open_and_load(path);
	struct xdp_result res;
	__u8 pkt[256];
	__u32 len;
	int fd;

	ASSERT(obj, "cannot test without %s: run make", path);
	fd = prog_fd(obj, name);
	ASSERT(fd >= 0, "no program %s in %s", name, path);
	for (size_t i = 0; i < sizeof(frames) / sizeof(frames[0]); i++) {
		len = build_packet(&frames[i], pkt, sizeof(pkt));
		ASSERT(len, "could not build frame %zu", i);
		if (xdp_run(fd, pkt, len, &res))
			continue;
		CHECK_ACTION(&res, want);
		CHECK_BYTES(res.data, res.len, pkt, len);
		/* Only the first frame is cut: the program reads none of it. */
		if (i == 0 && !xdp_run(fd, pkt, ETH_HLEN, &res))
			CHECK_ACTION(&res, want);
	}
}

/* The names --progname picks from, each its own XDP program in section "xdp".
 * want is a NULL-terminated list of every program the object must hold.
 */
static void expect_programs(const char *path, const char *const *want)
{
	struct bpf_object *obj = open_and_load(path);
	struct bpf_program *prog;
	int n_want = 0, n = 0;

	ASSERT(obj, "cannot test without %s: run make", path);
	for (const char *const *w = want; *w; w++) {
		n_want++;
		prog = bpf_object__find_program_by_name(obj, *w);
		CHECK(prog, "no program %s in %s", *w, path);
		if (!prog)
			continue;
		CHECK(!strcmp(bpf_program__section_name(prog), "xdp"), "%s: section %s, want xdp",
		      *w, bpf_program__section_name(prog));
		CHECK(bpf_program__type(prog) == BPF_PROG_TYPE_XDP, "%s: type %d, want XDP", *w,
		      bpf_program__type(prog));
	}
	bpf_object__for_each_program(prog, obj)
		n++;
	CHECK(n == n_want, "%d programs in %s, want %d", n, path, n_want);
}

TEST(basic02_object_holds_pass_and_drop)
{
	static const char *const want[] = { "xdp_pass_func", "xdp_drop_func", NULL };

	expect_programs(LESSON_OBJ, want);
}

/* The loader of the starter code attaches the first program in the object:
 * that must stay xdp_pass_func, so that it does no harm before assignment 1.
 */
TEST(basic02_first_program_is_pass)
{
	struct bpf_object *obj = open_and_load(LESSON_OBJ);
	struct bpf_program *first;

	ASSERT(obj, "cannot test without %s: run make", LESSON_OBJ);
	first = bpf_object__next_program(obj, NULL);
	ASSERT(first, "no program at all in %s", LESSON_OBJ);
	CHECK(!strcmp(bpf_program__name(first), "xdp_pass_func"), "first program is %s, want %s",
	      bpf_program__name(first), "xdp_pass_func");
}

TEST(basic02_xdp_pass_func_passes)
{
	expect_verdict(LESSON_OBJ, "xdp_pass_func", XDP_PASS);
}

TEST(basic02_xdp_drop_func_drops)
{
	expect_verdict(LESSON_OBJ, "xdp_drop_func", XDP_DROP);
}

TEST(basic02_solution_holds_pass_drop_and_abort)
{
	static const char *const want[] = { "xdp_pass_func", "xdp_drop_func", "xdp_abort_func",
					    NULL };

	expect_programs(SOLUTION_OBJ, want);
}

TEST(basic02_solution_verdicts)
{
	expect_verdict(SOLUTION_OBJ, "xdp_pass_func", XDP_PASS);
	expect_verdict(SOLUTION_OBJ, "xdp_drop_func", XDP_DROP);
	expect_verdict(SOLUTION_OBJ, "xdp_abort_func", XDP_ABORTED);
}
