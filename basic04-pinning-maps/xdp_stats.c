// SPDX-License-Identifier: GPL-2.0
/* basic04: print the XDP stats of an interface from the map xdp_loader pinned.
 *
 *   ./xdp_stats --dev IFNAME [--interval SEC]     until Ctrl-C
 *
 * This program loads nothing. It opens /sys/fs/bpf/IFNAME/xdp_stats_map with
 * bpf_obj_get(), which gives a file descriptor for the map the pin leads to,
 * exactly as if it had created the map itself, and reads the per-CPU values
 * of every action with bpf_map_lookup_elem().
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <net/if.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "options.h"
#include "stats.h"
#include "xdp_load.h"
#include "bpffs.h"

static const char *doc =
	"Print what the XDP program on an interface did, every --interval seconds, from\n"
	"the stats map that xdp_loader pinned at /sys/fs/bpf/IFNAME/xdp_stats_map (or in\n"
	"--pin-dir). Ctrl-C stops it.";

static const enum option_id options[] = {
	OPT_READ_DEV, OPT_PIN_DIR, OPT_INTERVAL, OPT_HELP, OPT_END,
};

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	stop = 1;
}

/* Open the map pinned at path and check that it is a stats map: a pin can
 * lead to any map, or to a program or a link. Returns an fd (and the map's id
 * in *id) or a negative errno.
 */
static int open_stats_map(const char *path, __u32 *id)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);
	int fd, err;

	fd = bpf_obj_get(path);
	if (fd < 0)
		return -errno;
	err = bpf_obj_get_info_by_fd(fd, &info, &len);
	if (err) {
		close(fd);
		return err;
	}
	if (info.type != BPF_MAP_TYPE_PERCPU_ARRAY || info.key_size != sizeof(__u32) ||
	    info.value_size != sizeof(struct datarec) || info.max_entries < XDP_ACTION_MAX) {
		close(fd);
		return -EINVAL;
	}
	*id = info.id;
	return fd;
}

/* Assignment 1: functions of your own can go here. */
/* Assignment 1: end */

/* Read every action of the per-CPU stats map into rec. A lookup in a per-CPU
 * map fills one value for each *possible* CPU (not only the online ones), so
 * values holds ncpus of them: what this CPU and that one counted, which add up
 * to the action's total. Returns 0 or a negative errno.
 */
static int read_stats(int fd, struct datarec *values, int ncpus, struct stats_record *rec)
{
	rec->timestamp_ns = monotonic_ns();
	for (__u32 key = 0; key < XDP_ACTION_MAX; key++) {
		int err = bpf_map_lookup_elem(fd, &key, values);

		if (err)
			return err;
		rec->action[key] = (struct datarec){};
		for (int cpu = 0; cpu < ncpus; cpu++) {
			rec->action[key].rx_packets += values[cpu].rx_packets;
			rec->action[key].rx_bytes += values[cpu].rx_bytes;
		}
	}
	return 0;
}

/* One line per action that has seen packets, or a line saying there were none. */
static void print_period(const struct stats_record *prev, const struct stats_record *cur)
{
	int seen = 0;

	for (int a = 0; a < XDP_ACTION_MAX; a++)
		seen |= cur->action[a].rx_packets != 0;
	if (seen)
		print_stats_period(stdout, prev, cur, 1);
	else
		printf("no packets yet\n");
}

int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_signal };
	struct config cfg = { .interval = 2 };
	struct stats_record prev, cur;
	struct datarec *values = NULL;
	char path[PATH_MAX];
	int fd, err, ncpus;
	unsigned int ifindex;
	__u32 id = 0;

	/* 1. Parse options: which interface (--dev is required), and where its pins are. */
	parse_options(argc, argv, options, &cfg, doc, true);
	setup_libbpf_logging(false);
	if (check_privileges(false))
		return EXIT_FAILURE;
	if (set_pin_dir(&cfg) || pin_path(path, sizeof(path), cfg.pin_dir, XDP_STATS_MAP_NAME))
		return EXIT_FAILURE;
	if (check_bpffs(cfg.pin_dir))
		return EXIT_FAILURE;

	/* 2. Open the pinned map: the pin is the only way this process can
	 * find a map that another process created.
	 */
	fd = open_stats_map(path, &id);
	if (fd == -ENOENT) {
		fprintf(stderr, "error: no pinned stats map at %s: run xdp_loader --dev %s first\n",
			path, cfg.ifname);
		return EXIT_FAILURE;
	}
	if (fd == -EINVAL) {
		fprintf(stderr,
			"error: %s is not an XDP stats map (a per-CPU array of struct "
			"datarec, one per XDP action)\n",
			path);
		return EXIT_FAILURE;
	}
	if (fd < 0) {
		report_error("open the pinned map", path, fd);
		return EXIT_FAILURE;
	}

	/* One value per possible CPU, for every lookup. */
	ncpus = libbpf_num_possible_cpus();
	if (ncpus < 0) {
		report_error("count", "the possible CPUs", ncpus);
		close(fd);
		return EXIT_FAILURE;
	}
	values = calloc(ncpus, sizeof(*values));
	if (!values) {
		report_error("allocate", "the per-CPU values", -ENOMEM);
		close(fd);
		return EXIT_FAILURE;
	}

	/* Output may go to a file or a pipe: show each line as it is made. */
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("Reading %s (map id %u) every %ds; Ctrl-C to stop\n", path, id, cfg.interval);

	/* No SA_RESTART: Ctrl-C (or kill) must cut the sleep short. */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	/* The interface, to notice when it goes away (0: there is none now). */
	ifindex = if_nametoindex(cfg.ifname);

	/* 3. Poll the map until Ctrl-C. */
	err = read_stats(fd, values, ncpus, &prev);
	while (!err && !stop) {
		sleep(cfg.interval);
		if (stop)
			break;
		/* Deleted, or its lab torn down: its program went with it, and
		 * nothing updates the map any more.
		 */
		if (ifindex && if_nametoindex(cfg.ifname) != ifindex) {
			char hint[PATH_MAX + 80];

			snprintf(hint, sizeof(hint),
				 "its XDP program went with it: remove the "
				 "pins it left with 'rm -r %s'",
				 cfg.pin_dir);
			err = -ENODEV;
			report_error_hint("read the counters of", cfg.ifname, err, hint);
			break;
		}
		err = read_stats(fd, values, ncpus, &cur);
		if (err)
			break;
		print_period(&prev, &cur);
		prev = cur;

		/* Assignment 1: a reload with xdp_loader --force pins a new map
		 * at path, but fd still holds the old one, which no program
		 * updates any more: the counts freeze. Every period, open the
		 * pin again with open_stats_map() and compare the id it gives
		 * with id; when they differ, close fd and read the new map
		 * from then on. The new map counts from zero: start prev from
		 * zero too, or the next period subtracts the old map's totals
		 * from the new map's counts. No pin at all (between an unload
		 * and a load) is no reason to stop.
		 */
		/* Assignment 1: end */
	}
	if (err && err != -ENODEV)
		report_error("read the stats map", path, err);

	free(values);
	close(fd);
	return err ? EXIT_FAILURE : EXIT_SUCCESS;
}
