// SPDX-License-Identifier: GPL-2.0
/* packet02: load the rewriting programs of xdp_prog.bpf.o. An XDP program
 * (--progname, xdp_port_rewrite_func by default) attaches to the interface;
 * with the port rewrite, the tc program tc_port_restore attaches to the
 * interface's egress too (assignment 4), so that replies go back with the port
 * the sender used. --unload removes both.
 *
 * The libbpf lifecycle is in the open, as in basic01: open the object, find the
 * program, load, attach to XDP; then the tc attach: make the clsact hook, attach
 * the tc program to its egress side. common/ only does the plumbing.
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

static const char *doc =
	"Load a rewriting program of xdp_prog.bpf.o and attach it to an interface: XDP on\n"
	"ingress; with xdp_port_rewrite_func also tc_port_restore on egress (tc clsact).\n"
	"The programs stay attached after the loader exits: remove them with --unload.";

/* The XDP program that needs the tc program on the way back. */
#define PORT_REWRITE_PROG "xdp_port_rewrite_func"
#define TC_PROG "tc_port_restore"

/* Where the tc program sits in the egress hook: tc filters are told apart by
 * their handle and priority, and --unload removes exactly this one.
 */
#define TC_HANDLE 1
#define TC_PRIORITY 1

/* Assignment 4: attach the program tc_port_restore of obj to the egress of
 * the interface with libbpf's tc API: bpf_tc_hook_create() makes the clsact
 * hook (which may be there already), bpf_tc_attach() puts the program in it
 * (handle TC_HANDLE, priority TC_PRIORITY; with --force, replace what is
 * there). Return 0, or a negative errno (reported).
 */
static int attach_tc_egress(struct bpf_object *obj, const struct config *cfg, const char *what)
{
	return 0;
}

/* And the way back for --unload: detach the tc program (bpf_tc_detach) and
 * remove the clsact hook (bpf_tc_hook_destroy). Return 1 when a tc program was
 * removed, 0 when there was none, a negative errno (reported) on failure.
 */
static int detach_tc_egress(const struct config *cfg)
{
	return 0;
}
/* Assignment 4: end */

/* Remove what the loader attached: the XDP program, and the tc program with
 * its clsact hook. Succeeds when at least one of them was there. The XDP
 * program goes first: when a bpf_link holds it, nothing is removed.
 */
static int unload(const struct config *cfg)
{
	__u32 id = attached_xdp_prog_id(cfg->ifindex);
	int removed = 0, err;

	if (id) {
		err = detach_xdp(cfg);
		if (err)
			return EXIT_FAILURE;
		removed++;
		if (!cfg->quiet)
			printf("Detached XDP program id %u from %s (ifindex %d)\n", id, cfg->ifname,
			       cfg->ifindex);
	}
	err = detach_tc_egress(cfg);
	if (err < 0)
		return EXIT_FAILURE;
	removed += err;
	if (!removed) {
		fprintf(stderr,
			"error: nothing of this lesson is attached to %s: nothing to unload\n",
			cfg->ifname);
		return EXIT_FAILURE;
	}
	return EXIT_SUCCESS;
}

int main(int argc, char **argv)
{
	struct config cfg = {
		.filename = "xdp_prog.bpf.o",
		.progname = PORT_REWRITE_PROG,
		.xdp_flags = 0, /* auto: native if the driver can, generic otherwise */
	};
	/* The verifier explains a rejection in its log, reason last: libbpf
	 * writes it here when a load fails (common/xdp_load.h says more).
	 */
	static char log_buf[VERIFIER_LOG_SIZE];
	LIBBPF_OPTS(bpf_object_open_opts, open_opts, .kernel_log_buf = log_buf,
		    .kernel_log_size = sizeof(log_buf));
	struct bpf_object *obj = NULL;
	struct bpf_program *prog;
	int ret = EXIT_FAILURE;
	char what[IF_NAMESIZE + 32];
	__u32 flags;
	int err;

	/* 1. Parse options: which interface, which object, which program. */
	parse_options(argc, argv, loader_options, &cfg, doc, true);
	setup_libbpf_logging(cfg.verbose);
	if (check_privileges(true) || resolve_ifindex(&cfg))
		return EXIT_FAILURE;
	if (cfg.unload)
		return unload(&cfg);
	snprintf(what, sizeof(what), "%s (ifindex %d)", cfg.ifname, cfg.ifindex);

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

	/* 3. Load every program of the object (the tc one too): the verifier
	 * checks each. A rejection leaves the reason in log_buf.
	 */
	err = bpf_object__load(obj);
	if (err) {
		report_load_error(cfg.filename, err, log_buf, cfg.verbose);
		goto cleanup;
	}

	/* 4. Attach the XDP program to the interface. */
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
		printf("Attached XDP program '%s' (id %u) to %s\n", cfg.progname,
		       attached_xdp_prog_id(cfg.ifindex), what);

	/* 5. The way back: tc_port_restore on the interface's egress. */
	if (strcmp(cfg.progname, PORT_REWRITE_PROG) == 0) {
		err = attach_tc_egress(obj, &cfg, what);
		if (err) {
			/* Half a port translation is worse than none. */
			detach_xdp(&cfg);
			goto cleanup;
		}
	}
	ret = EXIT_SUCCESS;

cleanup:
	/* Closing the object closes our file descriptors. Attached programs
	 * stay: the interface holds its own references to them.
	 */
	bpf_object__close(obj);
	return ret;
}
