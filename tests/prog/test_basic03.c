// SPDX-License-Identifier: GPL-2.0
/* basic03-map-counter: the programs count the frames they see in xdp_stats_map.
 *
 * Each program is run N times on one frame (BPF_PROG_TEST_RUN with repeat N),
 * then the map is read back: the slot of the program's action must have grown
 * by exactly N frames (and, in the solution, N times the frame length), every
 * other slot must be untouched. The starter counts XDP_PASS frames in an array
 * with atomic adds; the solution counts frames and bytes of every action in a
 * per-CPU array, which the test adds up over the possible CPUs as the loader does.
 */
#include <errno.h>
#include <stdlib.h>

#include "harness.h"

#define LESSON_OBJ "basic03-map-counter/xdp_prog.bpf.o"
#define SOLUTION_OBJ "basic-solutions/basic03-map-counter/xdp_prog.bpf.o"
#define MAP_NAME "xdp_stats_map"
#define N_ACTIONS (XDP_REDIRECT + 1)

/* What one slot of the map holds, added up over the CPUs for a per-CPU map.
 * The starter's value has rx_packets only: has_bytes says whether rx_bytes exists.
 */
struct counts {
	__u64 packets;
	__u64 bytes;
	bool has_bytes;
};

/* The echo reply to 't ping -- -s payload_len', as it arrives at the lab's outer end. */
static __u32 echo_reply(__u8 *buf, size_t size, __u16 payload_len)
{
	struct pkt_spec spec = {
		.eth_proto = ETH_P_IPV6,
		.ip_src = "fc00:dead:cafe:1::2",
		.ip_dst = "fc00:dead:cafe:1::1",
		.l4_proto = IPPROTO_ICMPV6,
		.echo_reply = true,
		.icmp_id = 3,
		.icmp_seq = 1,
		.payload_len = payload_len,
	};

	return build_packet(&spec, buf, size);
}

/* Run the program repeat times on the frame; returns its verdict, or -1 (recorded). */
static int run_repeat(int fd, const void *pkt, __u32 len, __u32 repeat)
{
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = pkt, .data_size_in = len, .repeat = repeat);
	int err = bpf_prog_test_run_opts(fd, &opts);

	if (err) {
		harness_fail(__FILE__, __LINE__, "BPF_PROG_TEST_RUN (repeat %u): %s", repeat,
			     strerror(-err));
		return -1;
	}
	return (int)opts.retval;
}

/* Read slot key of the stats map into c; 0, or -1 (recorded). */
static int read_counts(int fd, __u32 key, struct counts *c)
{
	struct bpf_map_info info = {};
	__u32 info_len = sizeof(info);
	int ncpus = 1, err;
	__u64 *values;

	err = bpf_obj_get_info_by_fd(fd, &info, &info_len);
	if (err) {
		harness_fail(__FILE__, __LINE__, "map info: %s", strerror(-err));
		return -1;
	}
	/* A per-CPU lookup returns one value per possible CPU, each rounded
	 * up to 8 bytes: here the values are made of __u64 counters anyway.
	 */
	if (info.type == BPF_MAP_TYPE_PERCPU_ARRAY)
		ncpus = libbpf_num_possible_cpus();
	if (ncpus < 1 || info.value_size % 8) {
		harness_fail(__FILE__, __LINE__, "%d CPUs, value size %u", ncpus, info.value_size);
		return -1;
	}
	values = calloc(ncpus, info.value_size);
	if (!values) {
		harness_fail(__FILE__, __LINE__, "out of memory");
		return -1;
	}
	err = bpf_map_lookup_elem(fd, &key, values);
	if (err) {
		harness_fail(__FILE__, __LINE__, "lookup of key %u: %s", key, strerror(-err));
		free(values);
		return -1;
	}
	*c = (struct counts){ .has_bytes = info.value_size >= 16 };
	for (int cpu = 0; cpu < ncpus; cpu++) {
		const __u64 *v = values + cpu * (info.value_size / 8);

		c->packets += v[0];
		if (c->has_bytes)
			c->bytes += v[1];
	}
	free(values);
	return 0;
}

/* Every slot of the map, so that a test can compare before and after. */
static int read_all(int fd, struct counts all[N_ACTIONS])
{
	for (__u32 key = 0; key < N_ACTIONS; key++)
		if (read_counts(fd, key, &all[key]))
			return -1;
	return 0;
}

/* Only slot action moved, by packets frames and bytes bytes (bytes only when the
 * value has rx_bytes).
 */
static void expect_moved(const struct counts before[N_ACTIONS],
			 const struct counts after[N_ACTIONS], __u32 action, __u64 packets,
			 __u64 bytes)
{
	for (__u32 key = 0; key < N_ACTIONS; key++) {
		__u64 want_p = key == action ? packets : 0;
		__u64 want_b = key == action ? bytes : 0;
		__u64 got_p = after[key].packets - before[key].packets;
		__u64 got_b = after[key].bytes - before[key].bytes;

		CHECK(got_p == want_p, "%s: rx_packets grew by %llu, want %llu",
		      xdp_action_name(key), (unsigned long long)got_p, (unsigned long long)want_p);
		if (after[key].has_bytes)
			CHECK(got_b == want_b, "%s: rx_bytes grew by %llu, want %llu",
			      xdp_action_name(key), (unsigned long long)got_b,
			      (unsigned long long)want_b);
	}
}

static void expect_map_shape(int fd, __u32 type, __u32 value_size)
{
	struct bpf_map_info info = {};
	__u32 info_len = sizeof(info);

	ASSERT(bpf_obj_get_info_by_fd(fd, &info, &info_len) == 0, "map info: %s", strerror(errno));
	CHECK(info.type == type, "map type %s, want %s", libbpf_bpf_map_type_str(info.type),
	      libbpf_bpf_map_type_str(type));
	CHECK(info.key_size == 4, "key size %u, want 4", info.key_size);
	CHECK(info.value_size == value_size, "value size %u, want %u", info.value_size, value_size);
	CHECK(info.max_entries == N_ACTIONS, "%u entries, want %u (one per XDP action)",
	      info.max_entries, N_ACTIONS);
}

TEST(basic03_starter_map_is_an_array_of_packet_counters)
{
	struct bpf_object *obj = open_and_load(LESSON_OBJ);

	ASSERT(obj, "cannot test without %s: run make", LESSON_OBJ);
	expect_map_shape(map_fd(obj, MAP_NAME), BPF_MAP_TYPE_ARRAY, 8);
}

TEST(basic03_starter_counts_each_passed_frame_once)
{
	struct bpf_object *obj = open_and_load(LESSON_OBJ);
	struct counts before[N_ACTIONS], after[N_ACTIONS];
	struct xdp_result res;
	__u8 pkt[512];
	__u32 len;
	int fd, map;

	ASSERT(obj, "cannot test without %s: run make", LESSON_OBJ);
	fd = prog_fd(obj, "xdp_pass_func");
	map = map_fd(obj, MAP_NAME);
	ASSERT(fd >= 0 && map >= 0, "no xdp_pass_func or no %s", MAP_NAME);
	len = echo_reply(pkt, sizeof(pkt), 123);
	ASSERT(len, "could not build the frame");

	ASSERT(read_all(map, before) == 0, "cannot read the map");
	CHECK(run_repeat(fd, pkt, len, 1000) == XDP_PASS, "verdict is not XDP_PASS");
	ASSERT(read_all(map, after) == 0, "cannot read the map");
	expect_moved(before, after, XDP_PASS, 1000, 0);

	/* One more run: the count goes on from where it was, the frame is untouched. */
	ASSERT(xdp_run(fd, pkt, len, &res) == 0, "run failed");
	CHECK_ACTION(&res, XDP_PASS);
	CHECK_BYTES(res.data, res.len, pkt, len);
	ASSERT(read_all(map, before) == 0, "cannot read the map");
	expect_moved(after, before, XDP_PASS, 1, 0);
}

TEST(basic03_starter_drop_program_drops)
{
	struct bpf_object *obj = open_and_load(LESSON_OBJ);
	struct xdp_result res;
	__u8 pkt[512];
	__u32 len;
	int fd;

	ASSERT(obj, "cannot test without %s: run make", LESSON_OBJ);
	fd = prog_fd(obj, "xdp_drop_func");
	ASSERT(fd >= 0, "no xdp_drop_func");
	len = echo_reply(pkt, sizeof(pkt), 56);
	ASSERT(len && xdp_run(fd, pkt, len, &res) == 0, "run failed");
	CHECK_ACTION(&res, XDP_DROP);
}

TEST(basic03_solution_map_is_a_per_cpu_array_of_packets_and_bytes)
{
	struct bpf_object *obj = open_and_load(SOLUTION_OBJ);

	ASSERT(obj, "cannot test without %s: run make", SOLUTION_OBJ);
	expect_map_shape(map_fd(obj, MAP_NAME), BPF_MAP_TYPE_PERCPU_ARRAY, 16);
}

/* Frames of two sizes through each program: every frame and every byte (the
 * Ethernet header included) lands in the slot of the program's verdict.
 */
TEST(basic03_solution_counts_frames_and_bytes_of_each_action)
{
	static const struct {
		const char *prog;
		__u32 action;
	} progs[] = { { "xdp_pass_func", XDP_PASS }, { "xdp_drop_func", XDP_DROP } };
	struct bpf_object *obj = open_and_load(SOLUTION_OBJ);
	struct counts before[N_ACTIONS], after[N_ACTIONS];
	__u8 small[512], big[2048];
	__u32 small_len, big_len;
	int map;

	ASSERT(obj, "cannot test without %s: run make", SOLUTION_OBJ);
	map = map_fd(obj, MAP_NAME);
	ASSERT(map >= 0, "no map %s", MAP_NAME);
	small_len = echo_reply(small, sizeof(small), 123);
	big_len = echo_reply(big, sizeof(big), 1400);
	ASSERT(small_len == 14 + 40 + 8 + 123 && big_len == 14 + 40 + 8 + 1400,
	       "frames of %u and %u bytes", small_len, big_len);

	for (size_t i = 0; i < sizeof(progs) / sizeof(progs[0]); i++) {
		int fd = prog_fd(obj, progs[i].prog);

		ASSERT(fd >= 0, "no program %s", progs[i].prog);
		ASSERT(read_all(map, before) == 0, "cannot read the map");
		CHECK(run_repeat(fd, small, small_len, 700) == (int)progs[i].action,
		      "%s: wrong verdict", progs[i].prog);
		CHECK(run_repeat(fd, big, big_len, 300) == (int)progs[i].action,
		      "%s: wrong verdict", progs[i].prog);
		ASSERT(read_all(map, after) == 0, "cannot read the map");
		CHECK(after[progs[i].action].has_bytes, "the map's value has no rx_bytes");
		expect_moved(before, after, progs[i].action, 1000,
			     700ULL * small_len + 300ULL * big_len);
	}
}

/* The shortest frame the kernel runs a program on, a bare Ethernet header, is
 * counted with its 14 bytes: the program reads nothing of the frame itself.
 */
TEST(basic03_solution_counts_a_bare_ethernet_header)
{
	struct bpf_object *obj = open_and_load(SOLUTION_OBJ);
	struct counts before[N_ACTIONS], after[N_ACTIONS];
	struct xdp_result res;
	__u8 pkt[512];
	int fd, map;

	ASSERT(obj, "cannot test without %s: run make", SOLUTION_OBJ);
	fd = prog_fd(obj, "xdp_pass_func");
	map = map_fd(obj, MAP_NAME);
	ASSERT(fd >= 0 && map >= 0, "no xdp_pass_func or no %s", MAP_NAME);
	ASSERT(echo_reply(pkt, sizeof(pkt), 8), "could not build the frame");
	ASSERT(read_all(map, before) == 0, "cannot read the map");
	ASSERT(xdp_run(fd, pkt, ETH_HLEN, &res) == 0, "run failed");
	CHECK_ACTION(&res, XDP_PASS);
	ASSERT(read_all(map, after) == 0, "cannot read the map");
	CHECK(after[XDP_PASS].has_bytes, "the map's value has no rx_bytes");
	expect_moved(before, after, XDP_PASS, 1, ETH_HLEN);
}
