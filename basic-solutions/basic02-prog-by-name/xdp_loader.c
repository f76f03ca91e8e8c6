// SPDX-License-Identifier: GPL-2.0
/* basic02: load an object that holds several XDP programs and attach one of them.
 *
 *   ./xdp_loader --dev IFNAME [--progname NAME] [--force]   attach NAME (default xdp_pass_func)
 *   ./xdp_loader --dev IFNAME --unload                       detach it again
 *
 * New in this lesson: a BPF object file can hold many programs, and the loader
 * picks one by its C function name.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <linux/if_link.h>
#include <bpf/libbpf.h>

#include "options.h"
#include "xdp_load.h"

static const char *doc =
	"Load xdp_prog.bpf.o and attach one of its XDP programs, chosen with --progname,\n"
	"to an interface. Its programs: xdp_pass_func, xdp_drop_func (and the one you add).";

int main(int argc, char **argv)
{
	struct config cfg = {
		.filename = "xdp_prog.bpf.o",
		.progname = "xdp_pass_func",
	};
	/* Where the verifier's log goes when a load fails (as in basic01). */
	static char log_buf[VERIFIER_LOG_SIZE];
	LIBBPF_OPTS(bpf_object_open_opts, open_opts, .kernel_log_buf = log_buf,
		    .kernel_log_size = sizeof(log_buf));
	struct bpf_object *obj = NULL;
	struct bpf_program *prog;
	__u32 flags;
	int err = 0; /* every step that fails sets it: the exit status is its verdict */

	/* 1. Parse options: which interface, which object, which program. */
	parse_options(argc, argv, loader_options, &cfg, doc, true);
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

	/* 2. Open the ELF object and find the program: an object file can
	 * hold many.
	 */
	obj = bpf_object__open_file(cfg.filename, &open_opts);
	if (!obj) {
		err = -errno;
		report_error_hint("open BPF object", cfg.filename, err, OPEN_OBJECT_HINT);
		goto cleanup;
	}

	/* Assignment 1: pick the program by its C function name. Its section
	 * decides its type: only an XDP program can be attached here.
	 */
	prog = bpf_object__find_program_by_name(obj, cfg.progname);
	if (!prog || bpf_program__type(prog) != BPF_PROG_TYPE_XDP) {
		report_no_xdp_program(obj, cfg.filename, cfg.progname);
		err = -ENOENT;
		goto cleanup;
	}
	/* Assignment 1: end */

	/* 3. Load: the kernel verifies every program in the object, not only
	 * the one we attach.
	 */
	err = bpf_object__load(obj);
	if (err) {
		report_load_error(cfg.filename, err, log_buf, cfg.verbose);
		goto cleanup;
	}

	/* 4. Attach to the interface. Loading did not do that: a loaded
	 * program runs nowhere until it is attached to a hook. The flags are
	 * basic01's: refuse to replace a program unless --force.
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

	/* 5. Report what was done. */
	if (!cfg.quiet)
		printf("Attached XDP program '%s' (id %u) to %s (ifindex %d)\n",
		       bpf_program__name(prog), attached_xdp_prog_id(cfg.ifindex), cfg.ifname,
		       cfg.ifindex);

cleanup:
	/* Closing the object does not detach the program: the interface keeps
	 * its own reference, so the program stays until --unload.
	 */
	bpf_object__close(obj);
	return err ? EXIT_FAILURE : EXIT_SUCCESS;
}
