// SPDX-License-Identifier: GPL-2.0
/* packet03-redirecting: XDP_TX, bpf_redirect, bpf_redirect_map and the router.
 *
 * Each rewrite must turn a frame built here into exactly the frame built here
 * with the change made: the builder computes every checksum from scratch, so an
 * equal frame is a frame whose checksums are right. Frames a program must not
 * touch come out as they went in, with XDP_PASS. The starter's programs pass
 * everything. bpf_fib_lookup needs routes and neighbours: here, in a namespace
 * with neither, the router must leave every frame to the stack; the lab test
 * (tests/lab/packet03.bats) runs it on a router lab.
 */
#include <stdlib.h>

#include "harness.h"
#include "../../packet03-redirecting/common_kern_user.h" /* struct redirect_cfg */

#define LESSON_OBJ "packet03-redirecting/xdp_prog.bpf.o"
#define SOLUTION_OBJ "packet-solutions/packet03-redirecting/xdp_prog.bpf.o"
#define FRAME_MAX 2048

static const char *const programs[] = { "xdp_icmp_echo_func", "xdp_redirect_func",
					"xdp_redirect_map_func", "xdp_router_func",
					"xdp_pass_func" };
#define N_PROGRAMS (sizeof(programs) / sizeof(programs[0]))

/* The lab's pings, as they arrive at a lab's outer end (from inside lab 1). */
static const struct pkt_spec echo6 = {
	.eth_src = "02:00:00:00:01:02",
	.eth_dst = "02:00:00:00:01:01",
	.eth_proto = ETH_P_IPV6,
	.ip_src = "fc00:dead:cafe:1::2",
	.ip_dst = "fc00:dead:cafe:1::1",
	.l4_proto = IPPROTO_ICMPV6,
	.icmp_id = 0x1234,
	.icmp_seq = 7,
	.payload_len = 56,
};

static const struct pkt_spec echo4 = {
	.eth_src = "02:00:00:00:01:02",
	.eth_dst = "02:00:00:00:01:01",
	.ip_src = "198.18.1.2",
	.ip_dst = "198.18.1.1",
	.l4_proto = IPPROTO_ICMP,
	.icmp_id = 0x1234,
	.icmp_seq = 7,
	.payload_len = 56,
};

/* Frames no program of the lesson rewrites (besides the redirects, which take
 * everything): UDP, TCP, echo replies.
 */
static const struct pkt_spec others[] = {
	{ .l4_proto = IPPROTO_UDP, .payload_len = 18 },
	{ .eth_proto = ETH_P_IPV6, .l4_proto = IPPROTO_TCP, .payload_len = 100 },
	{ .eth_proto = ETH_P_IPV6,
	  .l4_proto = IPPROTO_ICMPV6,
	  .echo_reply = true,
	  .icmp_id = 1,
	  .icmp_seq = 1,
	  .payload_len = 56 },
	{ .l4_proto = IPPROTO_ICMP, .echo_reply = true, .icmp_id = 1, .icmp_seq = 1 },
};
#define N_OTHERS (sizeof(others) / sizeof(others[0]))

/* The packets of a per-CPU stats map slot, added up over the CPUs. */
static __u64 stats_packets(struct bpf_object *obj, __u32 action)
{
	int ncpus = libbpf_num_possible_cpus(), fd = map_fd(obj, "xdp_stats_map");
	__u64 sum = 0, *values;

	if (fd < 0 || ncpus < 1)
		return ~0ULL;
	values = calloc(ncpus, 2 * sizeof(__u64)); /* struct datarec per CPU */
	if (!values || bpf_map_lookup_elem(fd, &action, values)) {
		free(values);
		return ~0ULL;
	}
	for (int cpu = 0; cpu < ncpus; cpu++)
		sum += values[2 * cpu];
	free(values);
	return sum;
}

/* Build in, run prog on it, expect action and exactly the frame out. */
static void expect_rewrite(int fd, const struct pkt_spec *in, const struct pkt_spec *out,
			   __u32 action)
{
	__u8 pkt[FRAME_MAX], want[FRAME_MAX];
	struct xdp_result res;
	__u32 len, want_len;

	len = build_packet(in, pkt, sizeof(pkt));
	want_len = build_packet(out, want, sizeof(want));
	if (!len || !want_len || xdp_run(fd, pkt, len, &res))
		return;
	CHECK_ACTION(&res, action);
	CHECK_BYTES(res.data, res.len, want, want_len);
}

/* Expect prog to give XDP_PASS and leave the frame spec as it is; with cuts,
 * every cut of it instead, from an Ethernet header alone to one byte short.
 */
static void expect_untouched(int fd, const struct pkt_spec *spec, bool cuts)
{
	__u8 pkt[FRAME_MAX];
	struct xdp_result res;
	__u32 len, cut;

	len = build_packet(spec, pkt, sizeof(pkt));
	if (!len)
		return;
	for (cut = cuts ? ETH_HLEN : len; cut <= len - cuts; cut++) {
		if (xdp_run(fd, pkt, cut, &res))
			return;
		CHECK(res.action == XDP_PASS,
		      "frame cut to %u of %u bytes: action %s, want XDP_PASS", cut, len,
		      xdp_action_name(res.action));
		if (!CHECK_BYTES(res.data, res.len, pkt, cut))
			return;
	}
}

static struct pkt_spec reply_to(const struct pkt_spec *req)
{
	struct pkt_spec rep = *req;

	rep.eth_src = req->eth_dst;
	rep.eth_dst = req->eth_src;
	rep.ip_src = req->ip_dst;
	rep.ip_dst = req->ip_src;
	rep.echo_reply = true;
	return rep;
}

TEST(packet03_objects_hold_the_five_programs)
{
	const char *paths[] = { LESSON_OBJ, SOLUTION_OBJ };

	for (size_t p = 0; p < 2; p++) {
		struct bpf_object *obj = open_and_load(paths[p]);
		struct bpf_program *prog;
		size_t n = 0;

		ASSERT(obj, "cannot test without %s: run make", paths[p]);
		for (size_t i = 0; i < N_PROGRAMS; i++) {
			prog = bpf_object__find_program_by_name(obj, programs[i]);
			CHECK(prog, "%s: no program %s", paths[p], programs[i]);
			if (prog)
				CHECK(!strcmp(bpf_program__section_name(prog), "xdp"),
				      "%s: %s in section %s, want xdp", paths[p], programs[i],
				      bpf_program__section_name(prog));
		}
		bpf_object__for_each_program(prog, obj)
			n++;
		CHECK(n == N_PROGRAMS, "%s: %zu programs, want %zu", paths[p], n, N_PROGRAMS);
	}
}

/* The starter runs and harms nothing: every program passes every frame. */
TEST(packet03_starter_passes_everything)
{
	struct bpf_object *obj = open_and_load(LESSON_OBJ);

	ASSERT(obj, "cannot test without %s: run make", LESSON_OBJ);
	for (size_t i = 0; i < N_PROGRAMS; i++) {
		int fd = prog_fd(obj, programs[i]);

		if (fd < 0)
			continue;
		expect_untouched(fd, &echo6, false);
		expect_untouched(fd, &echo4, false);
		for (size_t j = 0; j < N_OTHERS; j++)
			expect_untouched(fd, &others[j], false);
	}
}

TEST(packet03_echo_answers_ipv6_and_ipv4)
{
	struct bpf_object *obj = open_and_load(SOLUTION_OBJ);
	struct pkt_spec rep6 = reply_to(&echo6), rep4 = reply_to(&echo4);
	struct pkt_spec big = echo6, big_rep;
	int fd;

	ASSERT(obj, "cannot test without %s: run make", SOLUTION_OBJ);
	fd = prog_fd(obj, "xdp_icmp_echo_func");
	ASSERT(fd >= 0, "no xdp_icmp_echo_func");
	expect_rewrite(fd, &echo6, &rep6, XDP_TX);
	expect_rewrite(fd, &echo4, &rep4, XDP_TX);
	/* Other ids, sequences and sizes: the checksum update holds for all. */
	big.icmp_id = 0xffff;
	big.icmp_seq = 0xfffe;
	big.payload_len = 1400;
	big_rep = reply_to(&big);
	expect_rewrite(fd, &big, &big_rep, XDP_TX);
	big = echo4;
	big.icmp_id = 0;
	big.icmp_seq = 1;
	big.payload_len = 0;
	big_rep = reply_to(&big);
	expect_rewrite(fd, &big, &big_rep, XDP_TX);
	CHECK(stats_packets(obj, XDP_TX) == 4, "XDP_TX in xdp_stats_map: %llu, want 4",
	      (unsigned long long)stats_packets(obj, XDP_TX));
}

TEST(packet03_echo_leaves_the_rest_alone)
{
	struct bpf_object *obj = open_and_load(SOLUTION_OBJ);
	int fd;

	ASSERT(obj, "cannot test without %s: run make", SOLUTION_OBJ);
	fd = prog_fd(obj, "xdp_icmp_echo_func");
	ASSERT(fd >= 0, "no xdp_icmp_echo_func");
	for (size_t j = 0; j < N_OTHERS; j++)
		expect_untouched(fd, &others[j], false);
	/* Cut anywhere: left alone (the IP length no longer fits the frame). */
	expect_untouched(fd, &echo6, true);
	expect_untouched(fd, &echo4, true);
	CHECK(stats_packets(obj, XDP_TX) == 0, "XDP_TX counted for frames not answered");
}

/* Open the solution, write redirect_cfg, load. */
static struct bpf_object *redirect_object(const struct redirect_cfg *cfg)
{
	struct bpf_object *obj = open_object(SOLUTION_OBJ);
	struct bpf_map *map;

	if (!obj)
		return NULL;
	map = bpf_object__find_map_by_name(obj, ".rodata.redirect");
	CHECK(map, "no map .rodata.redirect in %s", SOLUTION_OBJ);
	if (!map || bpf_map__value_size(map) != sizeof(*cfg)) {
		harness_fail_here(".rodata.redirect is not a struct redirect_cfg");
		return NULL;
	}
	CHECK(!bpf_map__set_initial_value(map, cfg, sizeof(*cfg)), "set redirect_cfg");
	if (load_object(obj))
		return NULL;
	return obj;
}

TEST(packet03_redirect_rewrites_macs_from_the_loader_settings)
{
	const struct redirect_cfg cfg = { .ifindex = 7,
					  .src_mac = { 2, 0, 0, 0, 2, 1 },
					  .dest_mac = { 2, 0, 0, 0, 2, 2 } };
	struct pkt_spec out6 = echo6, out4 = echo4;
	struct bpf_object *obj = redirect_object(&cfg);
	int fd;

	ASSERT(obj, "cannot test without the solution's object, loaded with its settings");
	fd = prog_fd(obj, "xdp_redirect_func");
	ASSERT(fd >= 0, "no xdp_redirect_func");
	out6.eth_src = out4.eth_src = "02:00:00:00:02:01";
	out6.eth_dst = out4.eth_dst = "02:00:00:00:02:02";
	expect_rewrite(fd, &echo6, &out6, XDP_REDIRECT);
	expect_rewrite(fd, &echo4, &out4, XDP_REDIRECT);
	CHECK(stats_packets(obj, XDP_REDIRECT) == 2, "XDP_REDIRECT in xdp_stats_map: %llu, want 2",
	      (unsigned long long)stats_packets(obj, XDP_REDIRECT));
}

TEST(packet03_redirect_without_settings_passes)
{
	const struct redirect_cfg none = {};
	struct bpf_object *obj = redirect_object(&none);
	int fd;

	ASSERT(obj, "cannot test without the solution's object");
	fd = prog_fd(obj, "xdp_redirect_func");
	ASSERT(fd >= 0, "no xdp_redirect_func");
	expect_untouched(fd, &echo6, false);
	expect_untouched(fd, &others[0], false);
}

TEST(packet03_redirect_map_follows_the_maps)
{
	struct bpf_object *obj = open_and_load(SOLUTION_OBJ);
	const __u8 sender[6] = { 2, 0, 0, 0, 1, 2 }, dest[6] = { 2, 0, 0, 0, 2, 2 };
	struct pkt_spec out6 = echo6, stranger = echo6;
	__u32 key = 0, lo = 1;
	int fd, tx_port, params;

	ASSERT(obj, "cannot test without %s: run make", SOLUTION_OBJ);
	fd = prog_fd(obj, "xdp_redirect_map_func");
	tx_port = map_fd(obj, "tx_port");
	params = map_fd(obj, "redirect_params");
	ASSERT(fd >= 0 && tx_port >= 0 && params >= 0, "program or maps missing");

	/* No sender known: nothing happens. */
	expect_untouched(fd, &echo6, false);
	/* A known sender, but tx_port empty: the redirect fails, and says so. */
	ASSERT(!bpf_map_update_elem(params, sender, dest, BPF_ANY), "fill redirect_params: %s",
	       strerror(errno));
	out6.eth_src = echo6.eth_dst; /* the frame now comes from where it arrived */
	out6.eth_dst = "02:00:00:00:02:02";
	expect_rewrite(fd, &echo6, &out6, XDP_ABORTED);
	/* Both filled (lo stands for any interface): redirected. */
	ASSERT(!bpf_map_update_elem(tx_port, &key, &lo, BPF_ANY), "fill tx_port with lo: %s",
	       strerror(errno));
	expect_rewrite(fd, &echo6, &out6, XDP_REDIRECT);
	/* Another sender: left alone. */
	stranger.eth_src = "02:00:00:00:03:02";
	expect_untouched(fd, &stranger, false);
	CHECK(stats_packets(obj, XDP_REDIRECT) == 1, "XDP_REDIRECT in xdp_stats_map: %llu, want 1",
	      (unsigned long long)stats_packets(obj, XDP_REDIRECT));
}

/* Without routes or neighbours (this namespace has neither), and for frames
 * it must never forward, the router leaves everything to the stack, unchanged.
 */
TEST(packet03_router_passes_what_it_cannot_forward)
{
	struct bpf_object *obj = open_and_load(SOLUTION_OBJ);
	struct pkt_spec ttl1 = echo4, hop1 = echo6;
	int fd;

	ASSERT(obj, "cannot test without %s: run make", SOLUTION_OBJ);
	fd = prog_fd(obj, "xdp_router_func");
	ASSERT(fd >= 0, "no xdp_router_func");
	expect_untouched(fd, &echo6, true);
	expect_untouched(fd, &echo4, true);
	expect_untouched(fd, &echo6, false);
	expect_untouched(fd, &echo4, false);
	for (size_t j = 0; j < N_OTHERS; j++)
		expect_untouched(fd, &others[j], false);
	ttl1.ttl = 1;
	hop1.ttl = 1;
	expect_untouched(fd, &ttl1, false);
	expect_untouched(fd, &hop1, false);
	CHECK(stats_packets(obj, XDP_REDIRECT) == 0, "XDP_REDIRECT counted without a route");
}
