// SPDX-License-Identifier: GPL-2.0
/* packet01: load the parsing program, attach it, pin its stats map.
 *
 *   ./xdp_loader --dev IFNAME [--force]    attach xdp_parser_func, pin xdp_stats_map
 *   ./xdp_loader --dev IFNAME --unload     detach it, remove the pin
 *
 * The lifecycle of basic01, in the open: open, find, load, attach. Then the
 * pin of basic04, so that xdp_stats (t stats) shows the verdicts. New here:
 * this lesson's program is the first the verifier has real work on, so when
 * it rejects it, the loader prints the end of the verifier's log and a hint
 * for the rejections this lesson meets.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <net/if.h>
#include <sys/stat.h>
#include <linux/if_link.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "options.h"
#include "xdp_load.h"
#include "bpffs.h"

static const char *doc =
	"Load xdp_prog.bpf.o, attach its parser to an interface and pin its stats map at\n"
	"/sys/fs/bpf/IFNAME/xdp_stats_map (or in --pin-dir), where xdp_stats reads it.\n"
	"With --unload: detach the program and remove the pin.";

static const enum option_id options[] = {
	OPT_DEV,   OPT_SKB_MODE, OPT_NATIVE_MODE, OPT_AUTO_MODE, OPT_FORCE, OPT_UNLOAD, OPT_PIN_DIR,
	OPT_QUIET, OPT_VERBOSE,	 OPT_FILENAME,	  OPT_PROGNAME,	 OPT_HELP,  OPT_END,
};

#define STATS_MAP_NAME "xdp_stats_map"

/* The verifier explains a rejection in its log, reason last. */
#define VERIFIER_LOG_SIZE (1 << 20)

/* After the verifier's log: what its last line means, for the rejections a
 * parser meets. The line that starts with ';' above the error is the source
 * line of the instruction it refused.
 */
static void explain_rejection(const char *log)
{
	if (strstr(log, "invalid access to packet"))
		fprintf(stderr,
			"hint: the program reads packet bytes that no bounds check before it covers.\n"
			"      The ';' line above the error is the source line of that read; in the\n"
			"      register, off+size is the last byte read and r= how many bytes the\n"
			"      checks against data_end have proven. Make the check before the read\n"
			"      cover the whole header: is its size counted in bytes?\n");
	else if (strstr(log, "math between pkt pointer and register with unbounded"))
		fprintf(stderr,
			"hint: a length read from the packet is added to a packet pointer, and the\n"
			"      verifier does not know how big it can be: read it with read_len16().\n");
	else if (strstr(log, "back-edge") || strstr(log, "infinite loop") ||
		 strstr(log, "too large") || strstr(log, "too complex"))
		fprintf(stderr,
			"hint: a loop the verifier cannot see the end of: give it a constant\n"
			"      bound (for (i = 0; i < VLAN_MAX_DEPTH; i++)).\n");
}

/* Pin the stats map at PIN_DIR/xdp_stats_map, in place of an older pin. */
static int pin_stats_map(struct bpf_object *obj, const struct config *cfg)
{
	struct bpf_map *map = bpf_object__find_map_by_name(obj, STATS_MAP_NAME);
	char path[PATH_MAX];
	int err;

	if (!map) {
		fprintf(stderr,
			"error: %s has no map %s: include xdp_stats_kern.h and record\n"
			"every verdict with xdp_stats_record_action()\n",
			cfg->filename, STATS_MAP_NAME);
		return -ENOENT;
	}
	if (mkdir(cfg->pin_dir, 0700) && errno != EEXIST) {
		err = -errno;
		report_error("create the pin directory", cfg->pin_dir, err);
		return err;
	}
	err = pin_path(path, sizeof(path), cfg->pin_dir, STATS_MAP_NAME);
	if (err)
		return err;
	/* A pin of an earlier load stays until removed; xdp_stats follows the
	 * pin to the new map.
	 */
	if (unlink(path) && errno != ENOENT) {
		err = -errno;
		report_error("remove the old pin", path, err);
		return err;
	}
	err = bpf_map__pin(map, path);
	if (err) {
		report_error("pin map at", path, err);
		return err;
	}
	if (!cfg->quiet)
		printf("Pinned map %s at %s\n", STATS_MAP_NAME, path);
	return 0;
}

static int unload(const struct config *cfg)
{
	__u32 id = attached_xdp_prog_id(cfg->ifindex);
	char path[PATH_MAX];
	int err, removed = 0;

	if (id) {
		err = detach_xdp(cfg);
		if (err)
			return err;
		if (!cfg->quiet)
			printf("Detached XDP program id %u from %s (ifindex %d)\n", id, cfg->ifname,
			       cfg->ifindex);
	}
	err = pin_path(path, sizeof(path), cfg->pin_dir, STATS_MAP_NAME);
	if (err)
		return err;
	if (!unlink(path)) {
		removed = 1;
		if (!cfg->quiet)
			printf("Removed the pin %s\n", path);
	} else if (errno != ENOENT) {
		err = -errno;
		report_error("remove the pin", path, err);
		return err;
	}
	rmdir(cfg->pin_dir); /* fails when other pins are left: not ours */
	if (!id && !removed) {
		fprintf(stderr, "error: nothing to unload: no XDP program on %s and no pin %s\n",
			cfg->ifname, path);
		return -ENOENT;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct config cfg = {
		.filename = "xdp_prog.bpf.o",
		.progname = "xdp_parser_func",
	};
	LIBBPF_OPTS(bpf_object_open_opts, open_opts);
	struct bpf_object *obj = NULL;
	struct bpf_program *prog;
	char *log_buf = NULL;
	__u32 flags;
	int err;

	/* 1. Parse options: which interface, which object, which program. */
	parse_options(argc, argv, options, &cfg, doc, true);
	setup_libbpf_logging(cfg.verbose);
	if (resolve_ifindex(&cfg) || set_pin_dir(&cfg))
		return EXIT_FAILURE;
	/* Before anything is loaded: a load that cannot pin is of no use. */
	if (check_bpffs(cfg.pin_dir))
		return EXIT_FAILURE;
	if (cfg.unload)
		return unload(&cfg) ? EXIT_FAILURE : EXIT_SUCCESS;

	/* 2. Open the ELF object, with a buffer for the verifier's log, and
	 * find the program by name.
	 */
	log_buf = calloc(1, VERIFIER_LOG_SIZE);
	if (!log_buf) {
		err = -ENOMEM;
		report_error("allocate", "the verifier log buffer", err);
		goto cleanup;
	}
	open_opts.kernel_log_buf = log_buf;
	open_opts.kernel_log_size = VERIFIER_LOG_SIZE;
	obj = bpf_object__open_file(cfg.filename, &open_opts);
	if (!obj) {
		err = -errno;
		report_error("open BPF object", cfg.filename, err);
		if (err == -ENOENT)
			fprintf(stderr, "hint: build it with 'make'\n");
		goto cleanup;
	}
	prog = bpf_object__find_program_by_name(obj, cfg.progname);
	if (!prog || bpf_program__type(prog) != BPF_PROG_TYPE_XDP) {
		err = -ENOENT;
		fprintf(stderr, "error: no XDP program named '%s' in %s\n", cfg.progname,
			cfg.filename);
		goto cleanup;
	}

	/* 3. Load: the verifier walks every path through the program, and
	 * refuses one that could read outside the packet.
	 */
	err = bpf_object__load(obj);
	if (err) {
		if (log_buf[0]) {
			fprintf(stderr, "error: load BPF object %s: the verifier rejected it: %s\n",
				cfg.filename, strerror(-err));
			print_verifier_log(log_buf, cfg.verbose);
			explain_rejection(log_buf);
		} else {
			report_error("load BPF object", cfg.filename, err);
		}
		goto cleanup;
	}

	/* 4. Attach (refusing to replace a program unless --force), then pin
	 * the stats map; without its pin, nobody could read the verdicts.
	 */
	flags = cfg.xdp_flags;
	if (!cfg.force)
		flags |= XDP_FLAGS_UPDATE_IF_NOEXIST;
	err = bpf_xdp_attach(cfg.ifindex, bpf_program__fd(prog), flags, NULL);
	if (err == -EEXIST && cfg.force) {
		/* Attached in the other mode: detach that one first. */
		err = detach_xdp(&cfg);
		if (!err)
			err = bpf_xdp_attach(cfg.ifindex, bpf_program__fd(prog), flags, NULL);
	}
	if (err) {
		char what[IF_NAMESIZE + 32];

		snprintf(what, sizeof(what), "%s (ifindex %d)", cfg.ifname, cfg.ifindex);
		report_error("attach XDP to", what, err);
		goto cleanup;
	}
	if (!cfg.quiet)
		printf("Attached XDP program '%s' (id %u) to %s (ifindex %d)\n", cfg.progname,
		       attached_xdp_prog_id(cfg.ifindex), cfg.ifname, cfg.ifindex);
	err = pin_stats_map(obj, &cfg);
	if (err) {
		detach_xdp(&cfg); /* nothing half-done */
		goto cleanup;
	}

	/* 5. Say where to go next. */
	if (!cfg.quiet)
		printf("Watch its verdicts with: ./xdp_stats --dev %s (t stats)\n", cfg.ifname);

cleanup:
	bpf_object__close(obj);
	free(log_buf);
	return err ? EXIT_FAILURE : EXIT_SUCCESS;
}
