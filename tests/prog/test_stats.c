// SPDX-License-Identifier: GPL-2.0
/* headers/xdp_stats_kern.h, through stats_progs.bpf.c: the first byte of each
 * frame names the action to record; the per-CPU counters, summed over CPUs by
 * the harness, must show exactly the frames and bytes given.
 */
#include <stdlib.h>

#include "harness.h"

#define STATS_OBJ "tests/prog/stats_progs.bpf.o"

/* Run record_action on a len-byte frame that starts with action. */
static void record(int fd, __u8 action, __u32 len, __u32 want_action)
{
	__u8 frame[256] = { 0 };
	struct xdp_result res;

	frame[0] = action;
	if (xdp_run(fd, frame, len, &res))
		return;
	CHECK_ACTION(&res, want_action);
}

static void check_counts(int map, __u32 action, __u64 packets, __u64 bytes)
{
	struct datarec rec;
	int err = read_datarec(map, action, &rec);

	if (err) {
		CHECK(false, "read %s from the stats map: %s", xdp_action_name(action),
		      strerror(-err));
		return;
	}
	CHECK(rec.rx_packets == packets && rec.rx_bytes == bytes,
	      "%s: %llu packets, %llu bytes; want %llu, %llu", xdp_action_name(action),
	      (unsigned long long)rec.rx_packets, (unsigned long long)rec.rx_bytes,
	      (unsigned long long)packets, (unsigned long long)bytes);
}

TEST(stats_record_counts_packets_and_bytes)
{
	struct bpf_object *obj = open_and_load(STATS_OBJ);
	int fd, map;

	ASSERT(obj, "cannot test without %s", STATS_OBJ);
	fd = prog_fd(obj, "record_action");
	map = map_fd(obj, "xdp_stats_map");
	ASSERT(fd >= 0 && map >= 0, "no program or no map");

	record(fd, XDP_PASS, 60, XDP_PASS);
	record(fd, XDP_PASS, 14, XDP_PASS);
	record(fd, XDP_PASS, 200, XDP_PASS);
	record(fd, XDP_DROP, 64, XDP_DROP);
	record(fd, XDP_TX, 99, XDP_TX);
	record(fd, XDP_REDIRECT, 15, XDP_REDIRECT);

	check_counts(map, XDP_ABORTED, 0, 0);
	check_counts(map, XDP_DROP, 1, 64);
	check_counts(map, XDP_PASS, 3, 60 + 14 + 200);
	check_counts(map, XDP_TX, 1, 99);
	check_counts(map, XDP_REDIRECT, 1, 15);
}

/* An action past XDP_REDIRECT has no slot: XDP_ABORTED, and nothing counted. */
TEST(stats_record_refuses_unknown_action)
{
	struct bpf_object *obj = open_and_load(STATS_OBJ);
	__u32 action;
	int fd, map;

	ASSERT(obj, "cannot test without %s", STATS_OBJ);
	fd = prog_fd(obj, "record_action");
	map = map_fd(obj, "xdp_stats_map");
	ASSERT(fd >= 0 && map >= 0, "no program or no map");

	record(fd, XDP_ACTION_MAX, 60, XDP_ABORTED);
	record(fd, 0xff, 60, XDP_ABORTED);
	for (action = 0; action < XDP_ACTION_MAX; action++)
		check_counts(map, action, 0, 0);
}

/* Rates keep their fraction, in basic03's columns: 1 packet in 2 s is 0.5 pps. */
TEST(stats_period_line_shows_fractional_rates)
{
	struct stats_record prev = { .timestamp_ns = 1000000000ULL };
	struct stats_record cur = { .timestamp_ns = 3000000000ULL };
	const char *want = "XDP_PASS              1 pkts (       0.5 pps)          118 bytes "
			   "(   0.000 Mbit/s) total 3 pkts 354 bytes period 2.00s\n";
	char *line = NULL;
	size_t len = 0;
	FILE *out;

	prev.action[XDP_PASS] = (struct datarec){ .rx_packets = 2, .rx_bytes = 236 };
	cur.action[XDP_PASS] = (struct datarec){ .rx_packets = 3, .rx_bytes = 354 };
	out = open_memstream(&line, &len);
	ASSERT(out, "open_memstream: %s", strerror(errno));
	print_stats_period(out, &prev, &cur, 1);
	fclose(out);
	CHECK(line && !strcmp(line, want), "printed\n%s, want\n%s", line ? line : "(nothing)",
	      want);
	free(line);
}
