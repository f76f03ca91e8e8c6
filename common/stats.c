// SPDX-License-Identifier: GPL-2.0
#include <time.h>

#include "stats.h"

__u64 monotonic_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (__u64)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

const char *xdp_action_name(__u32 action)
{
	static const char *const names[XDP_ACTION_MAX] = {
		[XDP_ABORTED] = "XDP_ABORTED",	 [XDP_DROP] = "XDP_DROP",
		[XDP_PASS] = "XDP_PASS",	 [XDP_TX] = "XDP_TX",
		[XDP_REDIRECT] = "XDP_REDIRECT",
	};

	return action < XDP_ACTION_MAX ? names[action] : "UNKNOWN";
}

/* The columns of basic03's loader, with the totals added: the same traffic
 * reads the same there and here. A rate has one decimal, as a few packets
 * over a period of seconds are a fraction per second.
 */
void print_stats_period(FILE *out, const struct stats_record *prev, const struct stats_record *cur,
			int only_active)
{
	double period = (cur->timestamp_ns - prev->timestamp_ns) / 1e9;

	if (period <= 0)
		period = 1;
	for (__u32 a = 0; a < XDP_ACTION_MAX; a++) {
		const struct datarec *c = &cur->action[a], *p = &prev->action[a];
		/* A counter only moves forward; if it went back, the map was
		 * replaced, and the new one counts from zero.
		 */
		__u64 packets = c->rx_packets >= p->rx_packets ? c->rx_packets - p->rx_packets
							       : c->rx_packets;
		__u64 bytes = c->rx_bytes >= p->rx_bytes ? c->rx_bytes - p->rx_bytes : c->rx_bytes;

		if (only_active && !c->rx_packets)
			continue;
		fprintf(out,
			"%-12s %10llu pkts (%10.1f pps) %12llu bytes (%8.3f Mbit/s) total %llu pkts %llu bytes period %.2fs\n",
			xdp_action_name(a), (unsigned long long)packets, packets / period,
			(unsigned long long)bytes, bytes * 8 / period / 1e6,
			(unsigned long long)c->rx_packets, (unsigned long long)c->rx_bytes, period);
	}
}
