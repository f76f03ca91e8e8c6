// SPDX-License-Identifier: GPL-2.0
/* packet03: load one of the XDP programs of xdp_prog.bpf.o, attach it, pin its maps.
 *
 *   ./xdp_loader --dev IFNAME --progname xdp_icmp_echo_func       (assignment 1)
 *   ./xdp_loader --dev IFNAME --progname xdp_redirect_func \
 *                --redirect-dev IFNAME2 --src-mac MAC --dest-mac MAC   (assignment 2)
 *   ./xdp_loader --dev IFNAME --progname xdp_redirect_map_func    (assignment 3, then
 *                                                                   ./xdp_prog_user)
 *   ./xdp_loader --dev IFNAME --progname xdp_router_func          (assignment 4)
 *   ./xdp_loader --dev IFNAME --unload
 *
 * New in this lesson: a setting written into the object between open and load.
 * xdp_redirect_func reads where to send frames from a read-only global; the
 * loader fills it in from the command line, and the verifier and the JIT see
 * it as the constant it is from then on.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <net/if.h>
#include <linux/if_link.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "options.h"
#include "xdp_load.h"
#include "bpffs.h"
#include "pins.h"
#include "common_kern_user.h"
#include "mac_addr.h"

static const char *doc =
	"Load xdp_prog.bpf.o, attach one of its XDP programs to an interface and pin its\n"
	"maps in /sys/fs/bpf/IFNAME/ (or --pin-dir), where xdp_prog_user finds them.\n"
	"xdp_redirect_func sends every frame out of --redirect-dev, with --src-mac as its\n"
	"source and --dest-mac as its destination MAC address (all three needed).\n"
	"With --unload: detach the program and remove the pins.";

static const enum option_id options[] = {
	OPT_DEV,     OPT_SKB_MODE, OPT_NATIVE_MODE, OPT_AUTO_MODE, OPT_FORCE,	 OPT_UNLOAD,
	OPT_PIN_DIR, OPT_QUIET,	   OPT_VERBOSE,	    OPT_FILENAME,  OPT_PROGNAME, OPT_REDIRECT_DEV,
	OPT_SRC_MAC, OPT_DEST_MAC, OPT_HELP,	    OPT_END,
};

#define REDIRECT_PROG "xdp_redirect_func"
#define REDIRECT_SECTION ".rodata.redirect"

/* The settings of xdp_redirect_func from the command line, checked before
 * anything is loaded. Returns 0, or -EINVAL (reported).
 */
static int read_redirect_options(const struct config *cfg, struct redirect_cfg *want)
{
	bool redirect = !strcmp(cfg->progname, REDIRECT_PROG);
	bool given = cfg->redirect_dev[0] || cfg->src_mac[0] || cfg->dest_mac[0];

	if (!redirect) {
		if (!given)
			return 0;
		fprintf(stderr,
			"error: --redirect-dev, --src-mac and --dest-mac are settings of %s,"
			" not of %s\n",
			REDIRECT_PROG, cfg->progname);
		return -EINVAL;
	}
	if (!cfg->redirect_dev[0] || !cfg->src_mac[0] || !cfg->dest_mac[0]) {
		fprintf(stderr,
			"error: %s needs --redirect-dev IFNAME, --src-mac MAC and "
			"--dest-mac MAC: where frames go, and the MAC addresses they leave with\n",
			REDIRECT_PROG);
		return -EINVAL;
	}
	want->ifindex = if_nametoindex(cfg->redirect_dev);
	if (!want->ifindex) {
		int err = -errno;
		char what[IF_NAMESIZE + 2];

		snprintf(what, sizeof(what), "'%s'", cfg->redirect_dev);
		report_error("--redirect-dev: unknown interface", what, err);
		return -EINVAL;
	}
	if (parse_mac(cfg->src_mac, "src-mac", want->src_mac) ||
	    parse_mac(cfg->dest_mac, "dest-mac", want->dest_mac))
		return -EINVAL;
	return 0;
}

int main(int argc, char **argv)
{
	struct config cfg = {
		.filename = "xdp_prog.bpf.o",
		.progname = "xdp_pass_func",
	};
	/* The verifier explains a rejection in its log, reason last: libbpf
	 * writes it here when a load fails (common/xdp_load.h says more).
	 */
	static char log_buf[VERIFIER_LOG_SIZE];
	LIBBPF_OPTS(bpf_object_open_opts, open_opts, .kernel_log_buf = log_buf,
		    .kernel_log_size = sizeof(log_buf));
	struct redirect_cfg want = {};
	struct bpf_object *obj = NULL;
	struct bpf_program *prog;
	int ret = EXIT_FAILURE;
	__u32 flags;
	int err;

	/* 1. Parse options: which interface, which object, which program, and
	 * (for xdp_redirect_func) where frames go.
	 */
	parse_options(argc, argv, options, &cfg, doc, true);
	setup_libbpf_logging(cfg.verbose);
	if (check_privileges(true) || resolve_ifindex(&cfg) || set_pin_dir(&cfg) ||
	    check_bpffs(cfg.pin_dir))
		return EXIT_FAILURE;
	if (cfg.unload)
		return unload_xdp_and_pins(&cfg) ? EXIT_FAILURE : EXIT_SUCCESS;
	if (read_redirect_options(&cfg, &want))
		return EXIT_FAILURE;

	/* 2. Open the ELF object and find the program by name. */
	obj = bpf_object__open_file(cfg.filename, &open_opts);
	if (!obj) {
		report_error_hint("open BPF object", cfg.filename, -errno, OPEN_OBJECT_HINT);
		goto cleanup;
	}
	prog = bpf_object__find_program_by_name(obj, cfg.progname);
	if (!prog || bpf_program__type(prog) != BPF_PROG_TYPE_XDP) {
		report_no_xdp_program(obj, cfg.filename, cfg.progname);
		goto cleanup;
	}

	/* Assignment 2: write want (the settings read from the command line)
	 * into the read-only global redirect_cfg, for xdp_redirect_func. Between
	 * open and load, each section of globals is a map whose data libbpf holds
	 * in memory: find the map of section .rodata.redirect by its name, and
	 * give it its data with bpf_map__set_initial_value().
	 */
	/* Assignment 2: end */

	/* 3. Load: libbpf creates the maps (the read-only ones with the data
	 * written above, frozen), then the kernel verifies the programs.
	 */
	err = bpf_object__load(obj);
	if (err) {
		report_load_error(cfg.filename, err, log_buf, cfg.verbose);
		goto cleanup;
	}

	/* 4. Attach to the interface, then pin the maps for xdp_prog_user. */
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
	/* basic04's pin_maps(), from common/pins.c. */
	err = pin_object_maps(obj, &cfg);
	if (err) {
		detach_xdp(&cfg); /* nothing half-done */
		goto cleanup;
	}
	ret = EXIT_SUCCESS;

cleanup:
	/* The attached program and the pinned maps stay: the interface and
	 * the pins hold their own references.
	 */
	bpf_object__close(obj);
	return ret;
}
