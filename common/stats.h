/* SPDX-License-Identifier: GPL-2.0 */
/* Read the XDP action stats map (struct datarec per action) and print rates. */
#ifndef COMMON_STATS_H
#define COMMON_STATS_H

#include <stdio.h>
#include <linux/types.h>
#include "xdp_stats_kern_user.h"

struct stats_record {
	__u64 timestamp_ns; /* CLOCK_MONOTONIC when the map was read */
	struct datarec action[XDP_ACTION_MAX];
};

/* CLOCK_MONOTONIC in nanoseconds. */
__u64 monotonic_ns(void);

/* Read one key of an array or per-CPU array map; for a per-CPU map, sum the
 * values of every possible CPU. Returns 0 or a negative errno.
 */
int read_datarec(int map_fd, __u32 key, struct datarec *sum);

/* Read every action of the stats map into rec. Returns 0 or a negative errno. */
int read_stats_record(int map_fd, struct stats_record *rec);

/* One line per action that has seen packets (all of them unless only_active):
 * packets and bytes since prev, as totals and as pps and Mbit/s over the period.
 */
void print_stats_period(FILE *out, const struct stats_record *prev, const struct stats_record *cur,
			int only_active);

/* The name of an XDP action ("XDP_PASS"...), or "UNKNOWN". */
const char *xdp_action_name(__u32 action);

#endif /* COMMON_STATS_H */
