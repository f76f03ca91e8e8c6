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
	struct bpf_object *obj = NULL;
	struct bpf_program *prog;
	int err;

	/* 1. Parse options: which interface, which object, which program. */
	parse_options(argc, argv, loader_options, &cfg, doc, true);
	setup_libbpf_logging(cfg.verbose);
	if (resolve_ifindex(&cfg))
		return EXIT_FAILURE;

	if (cfg.unload) {
		__u32 id = attached_xdp_prog_id(cfg.ifindex);

		err = detach_xdp(&cfg);
		if (!err && !cfg.quiet)
			printf("Detached XDP program id %u from %s (ifindex %d)\n", id, cfg.ifname,
			       cfg.ifindex);
		return err ? EXIT_FAILURE : EXIT_SUCCESS;
	}

	/* 2. and 3. Open the ELF object and load it: the kernel verifies every
	 * program in it, not only the one we attach.
	 */
	obj = load_bpf_object(&cfg);
	if (!obj)
		return EXIT_FAILURE;

	/* Assignment 1: this takes the first program in the object, whatever
	 * --progname says. Pick the program by its name instead: libbpf's
	 * bpf_object__find_program_by_name(obj, cfg.progname) does that, and
	 * find_xdp_program(obj, cfg.filename, cfg.progname) from common/ also
	 * lists the XDP programs of the object when the name is wrong. Both
	 * return NULL when there is no such program; the error below then no
	 * longer fits (find_xdp_program() prints its own).
	 */
	prog = bpf_object__next_program(obj, NULL);
	if (!prog) {
		fprintf(stderr, "error: no program at all in %s\n", cfg.filename);
		err = -ENOENT;
		goto cleanup;
	}
	/* Assignment 1: end */

	/* 4. Attach to the interface. Loading did not do that: a loaded
	 * program runs nowhere until it is attached to a hook.
	 */
	err = attach_xdp(prog, &cfg);
	if (err)
		goto cleanup;

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
