// SPDX-License-Identifier: GPL-2.0
/* basic01: load an XDP program from a BPF object file and attach it to an
 * interface. The program stays attached after the loader exits; --unload
 * removes it.
 *
 * Every libbpf step is in the open here, in the order a loader takes them:
 * open the object, find the program, load it into the kernel, attach it.
 * common/ only does the plumbing: options, interface names, error reports
 * with hints, the verifier log's tail.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <linux/if_link.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "options.h"
#include "xdp_load.h"

static const char *doc =
	"Load an XDP program from a BPF object file and attach it to an interface.\n"
	"The program stays attached after the loader exits: remove it with --unload.";

/* Assignment 2: the id is the kernel's handle on the loaded program (the one
 * bpftool and ip show); the mode is the kernel's choice, which without -N or
 * -S only the kernel knows: ask it.
 */
static void print_attached(const struct bpf_program *prog, const struct config *cfg)
{
	LIBBPF_OPTS(bpf_xdp_query_opts, query);
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info);
	const char *mode = "unknown";
	int err;

	err = bpf_obj_get_info_by_fd(bpf_program__fd(prog), &info, &len);
	if (err) {
		report_error("get the id of program", bpf_program__name(prog), err);
		return;
	}
	err = bpf_xdp_query(cfg->ifindex, 0, &query);
	if (err) {
		report_error("query XDP on", cfg->ifname, err);
		return;
	}
	if (query.attach_mode == XDP_ATTACHED_DRV)
		mode = "native";
	else if (query.attach_mode == XDP_ATTACHED_SKB)
		mode = "generic";
	printf("Attached XDP program '%s' (id %u) to %s (ifindex %d) in %s mode\n",
	       bpf_program__name(prog), info.id, cfg->ifname, cfg->ifindex, mode);
}
/* Assignment 2: end */

int main(int argc, char **argv)
{
	struct config cfg = {
		.filename = "xdp_pass.bpf.o",
		.progname = "xdp_pass",
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
	__u32 flags;
	int err;

	/* 1. Parse options: which interface, which object, which program. */
	parse_options(argc, argv, loader_options, &cfg, doc, true);
	setup_libbpf_logging(cfg.verbose);
	if (check_privileges(true) || resolve_ifindex(&cfg))
		return EXIT_FAILURE;
	if (cfg.unload) {
		__u32 id = attached_xdp_prog_id(cfg.ifindex);

		/* common's detach_xdp(): every mode the kernel has a program in. */
		if (detach_xdp(&cfg))
			return EXIT_FAILURE;
		if (!cfg.quiet)
			printf("Detached XDP program id %u from %s (ifindex %d)\n", id, cfg.ifname,
			       cfg.ifindex);
		return EXIT_SUCCESS;
	}

	/* 2. Open the ELF object and find the program by name. This only reads
	 * the file: nothing is in the kernel yet.
	 */
	obj = bpf_object__open_file(cfg.filename, &open_opts);
	if (!obj) {
		report_error_hint("open BPF object", cfg.filename, -errno, OPEN_OBJECT_HINT);
		goto cleanup;
	}

	/* The function name picks the program; its section decides its type. */
	prog = bpf_object__find_program_by_name(obj, cfg.progname);
	if (!prog || bpf_program__type(prog) != BPF_PROG_TYPE_XDP) {
		report_no_xdp_program(obj, cfg.filename, cfg.progname);
		goto cleanup;
	}

	/* 3. Load: the kernel verifies every program in the object, then
	 * JIT-compiles it. A rejection leaves the reason in log_buf.
	 */
	err = bpf_object__load(obj);
	if (err) {
		report_load_error(cfg.filename, err, log_buf, cfg.verbose);
		goto cleanup;
	}

	/* 4. Attach it to the interface: a step of its own, so one loaded
	 * program could be attached to several interfaces. Without
	 * XDP_FLAGS_UPDATE_IF_NOEXIST the kernel would silently replace a
	 * program that is already there; with it, it refuses (EBUSY).
	 */
	flags = cfg.xdp_flags;
	if (!cfg.force)
		flags |= XDP_FLAGS_UPDATE_IF_NOEXIST;
	err = bpf_xdp_attach(cfg.ifindex, bpf_program__fd(prog), flags, NULL);
	if (err == -EEXIST && cfg.force)
		/* A program attached in the other mode (native and generic XDP
		 * cannot be active together) is refused even without the flag:
		 * detach it, then try again.
		 */
		err = reattach_xdp_other_mode(&cfg, bpf_program__fd(prog), flags);
	if (err) {
		/* Its hint names a bpf_link that holds the program, if one does. */
		report_xdp_error("attach XDP to", &cfg, err);
		goto cleanup;
	}

	/* 5. Report what was done. */
	/* Assignment 2: the kernel's id and mode, from print_attached() above. */
	if (!cfg.quiet)
		print_attached(prog, &cfg);
	/* Assignment 2: end */
	ret = EXIT_SUCCESS;

cleanup:
	/* Closing the object closes our file descriptors. An attached program
	 * stays: the interface holds its own reference to it.
	 */
	bpf_object__close(obj);
	return ret;
}
