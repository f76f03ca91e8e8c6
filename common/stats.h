/* SPDX-License-Identifier: GPL-2.0 */
/* Print what the XDP action stats map (struct datarec per action) counted over
 * a period, and its rates. Reading the map is the lessons' business: basic03
 * teaches it, and basic04's xdp_stats does it in the open.
 */
#ifndef COMMON_STATS_H
#define COMMON_STATS_H

#include <stdio.h>
#include <linux/types.h>
#include "xdp_stats_kern_user.h"

/* Two readings of the map make a period. */
struct stats_record {
	__u64 timestamp_ns; /* CLOCK_MONOTONIC when the map was read */
	struct datarec action[XDP_ACTION_MAX];
};

/* CLOCK_MONOTONIC in nanoseconds. */
__u64 monotonic_ns(void);

/* One line per action that has seen packets (all of them unless only_active):
 * packets and bytes since prev, as totals and as pps and Mbit/s over the period.
 */
void print_stats_period(FILE *out, const struct stats_record *prev, const struct stats_record *cur,
			int only_active);

/* The name of an XDP action ("XDP_PASS"...), or "UNKNOWN". */
const char *xdp_action_name(__u32 action);

#endif /* COMMON_STATS_H */
