// SPDX-License-Identifier: GPL-2.0
/* basic03: load and attach an XDP program that counts frames in a BPF map, then
 * read that map every --interval seconds and print what it counted.
 *
 *   ./xdp_load_and_stats --dev IFNAME [--progname NAME] [--interval SEC] [--force]
 *   ./xdp_load_and_stats --dev IFNAME --unload     (only needed after a kill -9)
 *
 * New in this lesson: the loader finds a map in the loaded object and reads it
 * with bpf_map_lookup_elem(). Ctrl-C stops the loop and detaches the program.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <net/if.h>
#include <linux/if_link.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "options.h"
#include "xdp_load.h"
#include "common_kern_user.h"

static const char *doc =
	"Load xdp_prog.bpf.o, attach one of its XDP programs (--progname) and print the\n"
	"counters of its map xdp_stats_map every --interval seconds. Ctrl-C stops and\n"
	"detaches the program.";

static const enum option_id options[] = {
	OPT_DEV,     OPT_SKB_MODE, OPT_NATIVE_MODE, OPT_AUTO_MODE, OPT_FORCE, OPT_UNLOAD, OPT_QUIET,
	OPT_VERBOSE, OPT_FILENAME, OPT_PROGNAME,    OPT_INTERVAL,  OPT_HELP,  OPT_END,
};

/* One reading of the whole map: the counters of every action, and when. */
struct stats_record {
	__u64 timestamp_ns;
	struct datarec action[XDP_ACTION_MAX];
};

/* Set by the signal handler; the stats loop checks it. */
static volatile sig_atomic_t exiting;

/* Assignment 3: set by find_stats_map(): read_datarec() then sums the values of all CPUs. */
static bool map_is_percpu;
/* Assignment 3: end */

static void on_signal(int sig)
{
	exiting = 1;
}

/* Without SA_RESTART, a signal also cuts short the sleep of the stats loop. */
static int catch_signals(void)
{
	struct sigaction sa = { .sa_handler = on_signal };

	if (sigaction(SIGINT, &sa, NULL) || sigaction(SIGTERM, &sa, NULL)) {
		int err = -errno;

		report_error("install", "the Ctrl-C handler", err);
		return err;
	}
	return 0;
}

/* A clock that only moves forward: the wall clock may jump. */
static __u64 monotonic_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (__u64)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static const char *action_name(__u32 action)
{
	static const char *const names[XDP_ACTION_MAX] = {
		[XDP_ABORTED] = "XDP_ABORTED",	 [XDP_DROP] = "XDP_DROP",
		[XDP_PASS] = "XDP_PASS",	 [XDP_TX] = "XDP_TX",
		[XDP_REDIRECT] = "XDP_REDIRECT",
	};

	return action < XDP_ACTION_MAX ? names[action] : "UNKNOWN";
}

/* Find the stats map that libbpf created while loading the object, check that
 * this loader can read it, and return its file descriptor (or a negative errno).
 */
static int find_stats_map(struct bpf_object *obj, const struct config *cfg)
{
	struct bpf_map_info info = {};
	__u32 info_len = sizeof(info);
	struct bpf_map *map;
	char what[128];
	int fd, err;

	map = bpf_object__find_map_by_name(obj, XDP_STATS_MAP_NAME);
	if (!map) {
		report_error_hint("no map named " XDP_STATS_MAP_NAME " in", cfg->filename, 0,
				  "the BPF program must define it in SEC(\".maps\")");
		return -ENOENT;
	}
	fd = bpf_map__fd(map);

	/* Ask the kernel what the map is: that is what it will hand back. */
	err = bpf_obj_get_info_by_fd(fd, &info, &info_len);
	if (err) {
		report_error("read the info of map", XDP_STATS_MAP_NAME, err);
		return err;
	}
	/* Assignment 3: read_datarec() knows these two kinds of maps. */
	if (info.type != BPF_MAP_TYPE_ARRAY && info.type != BPF_MAP_TYPE_PERCPU_ARRAY) {
		snprintf(what, sizeof(what), "is a %s map, this loader reads only arrays",
			 libbpf_bpf_map_type_str(info.type));
		report_error_hint("map " XDP_STATS_MAP_NAME, what, 0, NULL);
		return -EINVAL;
	}
	map_is_percpu = info.type == BPF_MAP_TYPE_PERCPU_ARRAY;
	/* Assignment 3: end */
	/* The kernel knows how big a value is, not what is in it. Another size
	 * means the object and the loader were built from different versions of
	 * common_kern_user.h.
	 */
	if (info.value_size != sizeof(struct datarec)) {
		snprintf(what, sizeof(what), "holds values of %u bytes, this loader reads %zu",
			 info.value_size, sizeof(struct datarec));
		report_error_hint("map " XDP_STATS_MAP_NAME, what, 0,
				  "run make, so that both sides use the same struct datarec");
		return -EINVAL;
	}
	if (!cfg->quiet) {
		printf("Reading map %s (id %u, %s, %u entries of %u bytes)\n", XDP_STATS_MAP_NAME,
		       info.id, libbpf_bpf_map_type_str(info.type), info.max_entries,
		       info.value_size);
		/* Out before any error that follows, also when stdout is a pipe. */
		fflush(stdout);
	}
	return fd;
}

/* Copy the value stored under key out of the map. */
static int read_datarec(int map_fd, __u32 key, struct datarec *value)
{
	/* Assignment 3: for a per-CPU map, the sum of the values of every CPU. */
	struct datarec *values;
	int ncpus, err;

	if (!map_is_percpu)
		return bpf_map_lookup_elem(map_fd, &key, value);

	/* A per-CPU lookup fills one value for every *possible* CPU, not only
	 * the online ones (a CPU that comes online later has its slot already).
	 */
	ncpus = libbpf_num_possible_cpus();
	if (ncpus < 0)
		return ncpus;
	values = calloc(ncpus, sizeof(*values));
	if (!values)
		return -ENOMEM;

	err = bpf_map_lookup_elem(map_fd, &key, values);
	if (!err) {
		*value = (struct datarec){};
		for (int cpu = 0; cpu < ncpus; cpu++) {
			value->rx_packets += values[cpu].rx_packets;
			value->rx_bytes += values[cpu].rx_bytes;
		}
	}
	free(values);
	return err;
	/* Assignment 3: end */
}

/* Read the map into rec, and note when. */
static int read_stats(int map_fd, struct stats_record *rec)
{
	/* Assignment 2: every action, keys 0 .. XDP_ACTION_MAX - 1. */
	rec->timestamp_ns = monotonic_ns();
	for (__u32 key = 0; key < XDP_ACTION_MAX; key++) {
		int err = read_datarec(map_fd, key, &rec->action[key]);

		if (err)
			return err;
	}
	return 0;
	/* Assignment 2: end */
}

/* Print what was counted between two readings, and its rate. */
static void print_period(const struct stats_record *prev, const struct stats_record *cur)
{
	double period = (cur->timestamp_ns - prev->timestamp_ns) / 1e9;
	/* Assignment 2: a line for every action that has counted frames, with its bytes
	 * (assignment 1).
	 */
	bool any = false;

	for (__u32 a = 0; a < XDP_ACTION_MAX; a++) {
		const struct datarec *c = &cur->action[a], *p = &prev->action[a];
		__u64 packets = c->rx_packets - p->rx_packets;
		__u64 bytes = c->rx_bytes - p->rx_bytes;

		/* Actions that never happened would only add noise. */
		if (!c->rx_packets)
			continue;
		printf("%-12s %10llu pkts (%10.1f pps) %12llu bytes (%8.3f Mbit/s) period %.2fs\n",
		       action_name(a), (unsigned long long)packets, packets / period,
		       (unsigned long long)bytes, bytes * 8 / period / 1e6, period);
		any = true;
	}
	if (!any)
		printf("(no frames counted yet) period %.2fs\n", period);
	/* Assignment 2: end */
	/* Show each line at once, also when stdout is a file or a pipe. */
	fflush(stdout);
}

/* Read the map every interval seconds until a signal arrives, or until the
 * interface goes away (deleted, or its lab torn down): its program goes with it.
 */
static int stats_poll(int map_fd, const struct config *cfg)
{
	struct stats_record prev = {}, cur = {};
	int err;

	err = read_stats(map_fd, &prev);
	while (!err && !exiting) {
		sleep(cfg->interval); /* returns early when a signal arrives */
		if (exiting)
			break;
		if (if_nametoindex(cfg->ifname) != (unsigned int)cfg->ifindex) {
			fprintf(stderr,
				"error: interface %s is gone (deleted, or its lab torn down), and its XDP program with it\n",
				cfg->ifname);
			return -ENODEV;
		}
		err = read_stats(map_fd, &cur);
		if (!err) {
			print_period(&prev, &cur);
			prev = cur;
		}
	}
	if (err)
		report_error("read map", XDP_STATS_MAP_NAME, err);
	return err;
}

/* Detach the program this loader attached, unless another one has replaced it
 * meanwhile (a loader run with --force): with XDP_FLAGS_REPLACE the kernel
 * detaches only if the attached program is still old_prog_fd.
 */
static int detach_own_program(const struct config *cfg, const struct bpf_program *prog)
{
	LIBBPF_OPTS(bpf_xdp_attach_opts, opts, .old_prog_fd = bpf_program__fd(prog));
	__u32 id = attached_xdp_prog_id(cfg->ifindex);
	int err;

	err = bpf_xdp_detach(cfg->ifindex, cfg->xdp_flags | XDP_FLAGS_REPLACE, &opts);
	if (err == -EEXIST) {
		fprintf(stderr, "note: %s has another XDP program now: left it attached\n",
			cfg->ifname);
		return 0;
	}
	if (err) {
		report_xdp_error("detach XDP from", cfg, err);
		return err;
	}
	if (!cfg->quiet)
		printf("Detached XDP program id %u from %s (ifindex %d)\n", id, cfg->ifname,
		       cfg->ifindex);
	return 0;
}

int main(int argc, char **argv)
{
	struct config cfg = {
		.filename = "xdp_prog.bpf.o",
		.progname = "xdp_pass_func",
		.interval = 2,
	};
	/* Where the verifier's log goes when a load fails (as in basic01). */
	static char log_buf[VERIFIER_LOG_SIZE];
	LIBBPF_OPTS(bpf_object_open_opts, open_opts, .kernel_log_buf = log_buf,
		    .kernel_log_size = sizeof(log_buf));
	struct bpf_object *obj = NULL;
	struct bpf_program *prog;
	int map_fd, err;
	__u32 flags;

	/* 1. Parse options: which interface, which object, which program. */
	parse_options(argc, argv, options, &cfg, doc, true);
	setup_libbpf_logging(cfg.verbose);
	if (check_privileges(true) || resolve_ifindex(&cfg))
		return EXIT_FAILURE;

	if (cfg.unload) {
		__u32 id = attached_xdp_prog_id(cfg.ifindex);

		err = detach_xdp(&cfg);
		if (!err && !cfg.quiet)
			printf("Detached XDP program id %u from %s (ifindex %d)\n", id, cfg.ifname,
			       cfg.ifindex);
		return err ? EXIT_FAILURE : EXIT_SUCCESS;
	}

	/* 2. Open the ELF object and find the program by name. */
	obj = bpf_object__open_file(cfg.filename, &open_opts);
	if (!obj) {
		err = -errno;
		report_error_hint("open BPF object", cfg.filename, err, OPEN_OBJECT_HINT);
		goto cleanup;
	}
	prog = bpf_object__find_program_by_name(obj, cfg.progname);
	if (!prog || bpf_program__type(prog) != BPF_PROG_TYPE_XDP) {
		report_no_xdp_program(obj, cfg.filename, cfg.progname);
		err = -ENOENT;
		goto cleanup;
	}

	/* 3. Load. libbpf creates the map first, writes its file descriptor
	 * into every instruction that refers to it (the relocations), and then
	 * loads the programs.
	 */
	err = bpf_object__load(obj);
	if (err) {
		report_load_error(cfg.filename, err, log_buf, cfg.verbose);
		goto cleanup;
	}

	/* New: the map, as user space sees it, is a file descriptor too. */
	map_fd = find_stats_map(obj, &cfg);
	if (map_fd < 0) {
		err = map_fd;
		goto cleanup;
	}

	/* Before attaching: a Ctrl-C from now on still ends in the cleanup below. */
	err = catch_signals();
	if (err)
		goto cleanup;

	/* 4. Attach to the interface, as in basic01 and basic02. */
	flags = cfg.xdp_flags;
	if (!cfg.force)
		flags |= XDP_FLAGS_UPDATE_IF_NOEXIST;
	err = bpf_xdp_attach(cfg.ifindex, bpf_program__fd(prog), flags, NULL);
	if (err == -EEXIST && cfg.force) /* a program in the other mode */
		err = reattach_xdp_other_mode(&cfg, bpf_program__fd(prog), flags);
	if (err) {
		report_xdp_error("attach XDP to", &cfg, err);
		goto cleanup;
	}
	if (!cfg.quiet) {
		printf("Attached XDP program '%s' (id %u) to %s (ifindex %d)\n",
		       bpf_program__name(prog), attached_xdp_prog_id(cfg.ifindex), cfg.ifname,
		       cfg.ifindex);
		printf("Printing the counters every %d s; Ctrl-C to stop\n", cfg.interval);
		fflush(stdout);
	}

	/* 5. Poll the stats map until Ctrl-C. */
	err = stats_poll(map_fd, &cfg);

	/* This process is what prints the counters, and it holds the map by a
	 * file descriptor only (lesson basic04 pins it, so that others can open
	 * it by name): once it stops, the program would go on counting into a
	 * map nobody looks at. Take the program away with it.
	 */
	if (err != -ENODEV && detach_own_program(&cfg, prog) && !err)
		err = -1;

cleanup:
	bpf_object__close(obj);
	return err ? EXIT_FAILURE : EXIT_SUCCESS;
}
