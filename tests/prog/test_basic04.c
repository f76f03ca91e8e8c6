// SPDX-License-Identifier: GPL-2.0
/* basic04-pinning-maps: the programs count every frame, with its length, in the
 * per-CPU xdp_stats_map under their action; and a map handed to libbpf with
 * bpf_map__reuse_fd() before the load (what the loader's assignment 2 does with
 * the pinned map) is the one the program then counts into.
 */
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

#include "harness.h"

#define OBJ "basic04-pinning-maps/xdp_prog.bpf.o"

/* Run prog on each of n frames of the given payload lengths; check the action
 * and that the frame comes out unchanged. Adds up the frame lengths in *bytes.
 */
static void run_frames(int fd, __u32 want, const __u16 *payload_lens, int n, __u64 *bytes)
{
	struct xdp_result res;
	__u8 pkt[512];

	for (int i = 0; i < n; i++) {
		struct pkt_spec spec = {
			.eth_proto = ETH_P_IPV6,
			.l4_proto = IPPROTO_ICMPV6,
			.echo_reply = true,
			.icmp_seq = i + 1,
			.payload_len = payload_lens[i],
		};
		__u32 len = build_packet(&spec, pkt, sizeof(pkt));

		if (!len || xdp_run(fd, pkt, len, &res))
			return;
		CHECK_ACTION(&res, want);
		CHECK_BYTES(res.data, res.len, pkt, len);
		*bytes += len;
	}
}

/* Every action's slot must be zero except want's, which must hold packets and bytes. */
static void check_counts(int map, __u32 want, __u64 packets, __u64 bytes)
{
	for (__u32 action = 0; action < XDP_ACTION_MAX; action++) {
		struct datarec rec;
		int err = read_datarec(map, action, &rec);

		CHECK(!err, "read %s from xdp_stats_map: %s", xdp_action_name(action),
		      strerror(-err));
		if (err)
			continue;
		if (action == want) {
			CHECK(rec.rx_packets == packets, "%s rx_packets: got %llu, want %llu",
			      xdp_action_name(action), (unsigned long long)rec.rx_packets,
			      (unsigned long long)packets);
			CHECK(rec.rx_bytes == bytes, "%s rx_bytes: got %llu, want %llu",
			      xdp_action_name(action), (unsigned long long)rec.rx_bytes,
			      (unsigned long long)bytes);
		} else {
			CHECK(!rec.rx_packets && !rec.rx_bytes,
			      "%s: got %llu packets, %llu bytes, want none",
			      xdp_action_name(action), (unsigned long long)rec.rx_packets,
			      (unsigned long long)rec.rx_bytes);
		}
	}
}

TEST(basic04_pass_counts_packets_and_bytes)
{
	static const __u16 lens[] = { 56, 0, 300 - 62 };
	struct bpf_object *obj = open_and_load(OBJ);
	__u64 bytes = 0;

	ASSERT(obj, "cannot test without the object (build it with make)");
	run_frames(prog_fd(obj, "xdp_pass_func"), XDP_PASS, lens, 3, &bytes);
	check_counts(map_fd(obj, "xdp_stats_map"), XDP_PASS, 3, bytes);
}

TEST(basic04_drop_counts_packets_and_bytes)
{
	static const __u16 lens[] = { 8, 64 };
	struct bpf_object *obj = open_and_load(OBJ);
	__u64 bytes = 0;

	ASSERT(obj, "cannot test without the object (build it with make)");
	run_frames(prog_fd(obj, "xdp_drop_func"), XDP_DROP, lens, 2, &bytes);
	check_counts(map_fd(obj, "xdp_stats_map"), XDP_DROP, 2, bytes);
}

TEST(basic04_stats_map_is_per_cpu_array_of_datarec)
{
	struct bpf_object *obj = open_and_load(OBJ);
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);
	int fd;

	ASSERT(obj, "cannot test without the object (build it with make)");
	fd = map_fd(obj, "xdp_stats_map");
	ASSERT(fd >= 0, "no xdp_stats_map");
	ASSERT(!bpf_obj_get_info_by_fd(fd, &info, &len), "map info: %s", strerror(errno));
	/* xdp_stats refuses any other shape. */
	CHECK(info.type == BPF_MAP_TYPE_PERCPU_ARRAY, "map type %u, want per-CPU array", info.type);
	CHECK(info.key_size == sizeof(__u32), "key size %u, want 4", info.key_size);
	CHECK(info.value_size == sizeof(struct datarec), "value size %u, want %zu", info.value_size,
	      sizeof(struct datarec));
	CHECK(info.max_entries == XDP_ACTION_MAX, "max_entries %u, want %d", info.max_entries,
	      XDP_ACTION_MAX);
}

/* What assignment 2 relies on: a map given with bpf_map__reuse_fd() before the
 * load is the map the program uses; counts already in it carry on.
 */
TEST(basic04_reused_map_keeps_counting)
{
	static const __u16 lens[] = { 16 };
	struct bpf_object *obj = open_object(OBJ);
	int ncpus = libbpf_num_possible_cpus();
	__u32 key = XDP_PASS, id_before, id_after;
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);
	struct datarec *values;
	__u64 bytes = 1000;
	int old_map, err;

	ASSERT(obj, "cannot test without the object (build it with make)");
	ASSERT(ncpus > 0, "cannot count the possible CPUs: %s", strerror(-ncpus));

	/* The map an earlier load would have left pinned, 10 packets in it. */
	old_map = bpf_map_create(BPF_MAP_TYPE_PERCPU_ARRAY, "xdp_stats_map", sizeof(__u32),
				 sizeof(struct datarec), XDP_ACTION_MAX, NULL);
	ASSERT(old_map >= 0, "create a stats map: %s", strerror(errno));
	values = calloc(ncpus, sizeof(*values));
	ASSERT(values, "out of memory");
	values[0] = (struct datarec){ .rx_packets = 10, .rx_bytes = 1000 };
	err = bpf_map_update_elem(old_map, &key, values, 0);
	free(values);
	ASSERT(!err, "seed the stats map: %s", strerror(errno));
	ASSERT(!bpf_obj_get_info_by_fd(old_map, &info, &len), "map info: %s", strerror(errno));
	id_before = info.id;

	err = bpf_map__reuse_fd(bpf_object__find_map_by_name(obj, "xdp_stats_map"), old_map);
	ASSERT(!err, "bpf_map__reuse_fd: %s", strerror(-err));
	close(old_map); /* libbpf holds its own duplicate */
	ASSERT(!load_object(obj), "load with the reused map");

	len = sizeof(info);
	ASSERT(!bpf_obj_get_info_by_fd(map_fd(obj, "xdp_stats_map"), &info, &len), "map info: %s",
	       strerror(errno));
	id_after = info.id;
	CHECK(id_after == id_before, "map id after the load: got %u, want the reused map's %u",
	      id_after, id_before);

	run_frames(prog_fd(obj, "xdp_pass_func"), XDP_PASS, lens, 1, &bytes);
	check_counts(map_fd(obj, "xdp_stats_map"), XDP_PASS, 11, bytes);
}
