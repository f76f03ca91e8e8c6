// SPDX-License-Identifier: GPL-2.0
/* packet01: load the parsing program, attach it, pin its stats map.
 *
 *   ./xdp_loader --dev IFNAME [--force]    attach xdp_parser_func, pin xdp_stats_map
 *   ./xdp_loader --dev IFNAME --unload     detach it, remove the pin
 *
 * The lifecycle of basic01, in the open: open, find, load, attach. Then the
 * pins of basic04 (common/pins.c has its pin_maps()), so that xdp_stats
 * (t stats) shows the verdicts. New here:
 * this lesson's program is the first the verifier has real work on, so when
 * it rejects it, the loader prints the end of the verifier's log and a hint
 * for the rejections this lesson meets.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/if_link.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "options.h"
#include "xdp_load.h"
#include "bpffs.h"
#include "pins.h"
#include "xdp_stats_kern_user.h"

static const char *doc =
	"Load xdp_prog.bpf.o, attach its parser to an interface and pin its stats map at\n"
	"/sys/fs/bpf/IFNAME/xdp_stats_map (or in --pin-dir), where xdp_stats reads it.\n"
	"With --unload: detach the program and remove the pin.";

static const enum option_id options[] = {
	OPT_DEV,   OPT_SKB_MODE, OPT_NATIVE_MODE, OPT_AUTO_MODE, OPT_FORCE, OPT_UNLOAD, OPT_PIN_DIR,
	OPT_QUIET, OPT_VERBOSE,	 OPT_FILENAME,	  OPT_PROGNAME,	 OPT_HELP,  OPT_END,
};

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

int main(int argc, char **argv)
{
	struct config cfg = {
		.filename = "xdp_prog.bpf.o",
		.progname = "xdp_parser_func",
	};
	/* The verifier explains a rejection in its log, reason last: libbpf
	 * writes it here when a load fails (common/xdp_load.h says more).
	 */
	static char log_buf[VERIFIER_LOG_SIZE];
	LIBBPF_OPTS(bpf_object_open_opts, open_opts, .kernel_log_buf = log_buf,
		    .kernel_log_size = sizeof(log_buf));
	struct bpf_object *obj = NULL;
	struct bpf_program *prog;
	__u32 flags;
	int err;

	/* 1. Parse options: which interface, which object, which program. */
	parse_options(argc, argv, options, &cfg, doc, true);
	setup_libbpf_logging(cfg.verbose);
	if (check_privileges(true) || resolve_ifindex(&cfg) || set_pin_dir(&cfg))
		return EXIT_FAILURE;
	/* Before anything is loaded: a load that cannot pin is of no use. */
	if (check_bpffs(cfg.pin_dir))
		return EXIT_FAILURE;
	if (cfg.unload)
		return unload_xdp_and_pins(&cfg) ? EXIT_FAILURE : EXIT_SUCCESS;

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

	/* 3. Load: the verifier walks every path through the program, and
	 * refuses one that could read outside the packet.
	 */
	err = bpf_object__load(obj);
	if (err) {
		report_load_error(cfg.filename, err, log_buf, cfg.verbose);
		explain_rejection(log_buf);
		goto cleanup;
	}

	/* Without its stats map, nobody could read the verdicts. */
	if (!bpf_object__find_map_by_name(obj, XDP_STATS_MAP_NAME)) {
		err = -ENOENT;
		report_error_hint("find the map " XDP_STATS_MAP_NAME " in", cfg.filename, 0,
				  "include xdp_stats_kern.h and record every verdict with "
				  "xdp_stats_record_action()");
		goto cleanup;
	}

	/* 4. Attach (refusing to replace a program unless --force), then pin
	 * the stats map; without its pin, nobody could read the verdicts.
	 */
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
	if (!cfg.quiet)
		printf("Attached XDP program '%s' (id %u) to %s (ifindex %d)\n", cfg.progname,
		       attached_xdp_prog_id(cfg.ifindex), cfg.ifname, cfg.ifindex);
	err = pin_object_maps(obj, &cfg);
	if (err) {
		detach_xdp(&cfg); /* nothing half-done */
		goto cleanup;
	}

	/* 5. Say where to go next. */
	if (!cfg.quiet)
		printf("Watch its verdicts with: ./xdp_stats --dev %s (t stats)\n", cfg.ifname);

cleanup:
	bpf_object__close(obj);
	return err ? EXIT_FAILURE : EXIT_SUCCESS;
}
