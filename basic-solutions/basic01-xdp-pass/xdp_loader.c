// SPDX-License-Identifier: GPL-2.0
/* basic01: load an XDP program from a BPF object file and attach it to an
 * interface. The program stays attached after the loader exits; --unload
 * removes it.
 *
 * Every libbpf step is in the open here, in the order a loader takes them:
 * open the object, find the program, load it into the kernel, attach it.
 * common/ only does the plumbing: options, interface names, error hints.
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
	"Load an XDP program from a BPF object file and attach it to an interface.\n"
	"The program stays attached after the loader exits: remove it with --unload.";

/* The verifier explains a rejection in its log, reason last: keep a buffer
 * for it (common's print_verifier_log shows its tail, or all with --verbose).
 */
#define VERIFIER_LOG_SIZE (1 << 20)

/* Print the programs an object holds, for a --progname that matched none. */
static void list_programs(struct bpf_object *obj)
{
	struct bpf_program *prog;

	fprintf(stderr, "hint: pick one with --progname; the programs in it are:");
	bpf_object__for_each_program(prog, obj)
		fprintf(stderr, " %s", bpf_program__name(prog));
	fprintf(stderr, "\n");
}

/* Detach whatever XDP program the interface has. The kernel keeps one slot
 * per mode, and detaching with the wrong mode flag quietly does nothing, so
 * ask it first which slots are in use. Returns the id of the program that
 * was attached, or 0 when there was none.
 */
static __u32 detach_attached(const struct config *cfg, int *err)
{
	LIBBPF_OPTS(bpf_xdp_query_opts, query);
	__u32 id = 0;

	*err = bpf_xdp_query(cfg->ifindex, 0, &query);
	if (*err) {
		report_error("query XDP on", cfg->ifname, *err);
		return 0;
	}
	if (query.drv_prog_id) {
		id = query.drv_prog_id;
		*err = bpf_xdp_detach(cfg->ifindex, XDP_FLAGS_DRV_MODE, NULL);
	}
	if (!*err && query.skb_prog_id) {
		id = query.skb_prog_id;
		*err = bpf_xdp_detach(cfg->ifindex, XDP_FLAGS_SKB_MODE, NULL);
	}
	if (*err)
		report_error("detach XDP from", cfg->ifname, *err);
	return id;
}

static int unload(const struct config *cfg)
{
	int err;
	__u32 id = detach_attached(cfg, &err);

	if (err)
		return EXIT_FAILURE;
	if (!id) {
		fprintf(stderr, "error: no XDP program is attached to %s: nothing to unload\n",
			cfg->ifname);
		return EXIT_FAILURE;
	}
	if (!cfg->quiet)
		printf("Detached XDP program id %u from %s (ifindex %d)\n", id, cfg->ifname,
		       cfg->ifindex);
	return EXIT_SUCCESS;
}

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
	LIBBPF_OPTS(bpf_object_open_opts, open_opts);
	struct bpf_object *obj = NULL;
	struct bpf_program *prog;
	char *log_buf = NULL;
	int ret = EXIT_FAILURE;
	__u32 flags;
	int err;

	/* 1. Parse options: which interface, which object, which program. */
	parse_options(argc, argv, loader_options, &cfg, doc, true);
	setup_libbpf_logging(cfg.verbose);
	if (resolve_ifindex(&cfg))
		return EXIT_FAILURE;
	if (cfg.unload)
		return unload(&cfg);

	/* 2. Open the ELF object and find the program by name. This only reads
	 * the file: nothing is in the kernel yet.
	 */
	log_buf = calloc(1, VERIFIER_LOG_SIZE);
	if (!log_buf) {
		report_error("allocate", "the verifier log buffer", -ENOMEM);
		goto cleanup;
	}
	open_opts.kernel_log_buf = log_buf;
	open_opts.kernel_log_size = VERIFIER_LOG_SIZE;

	obj = bpf_object__open_file(cfg.filename, &open_opts);
	if (!obj) {
		char msg[128];

		err = -errno;
		libbpf_strerror(err, msg, sizeof(msg));
		fprintf(stderr, "error: open BPF object %s: %s\n", cfg.filename, msg);
		if (err == -ENOENT)
			fprintf(stderr, "hint: build it with 'make', or give another --filename\n");
		else
			fprintf(stderr, "hint: is it an object built with 'clang -target bpf'?\n");
		goto cleanup;
	}

	/* The function name picks the program; its section decides its type. */
	prog = bpf_object__find_program_by_name(obj, cfg.progname);
	if (!prog) {
		fprintf(stderr, "error: no program named '%s' in %s\n", cfg.progname, cfg.filename);
		list_programs(obj);
		goto cleanup;
	}
	if (bpf_program__type(prog) != BPF_PROG_TYPE_XDP) {
		fprintf(stderr, "error: program '%s' in %s is not an XDP program (section '%s')\n",
			cfg.progname, cfg.filename, bpf_program__section_name(prog));
		fprintf(stderr, "hint: put it in SEC(\"xdp\"), as xdp_pass.bpf.c does\n");
		goto cleanup;
	}

	/* 3. Load: the kernel verifies every program in the object, then
	 * JIT-compiles it. A rejection leaves the reason in log_buf.
	 */
	err = bpf_object__load(obj);
	if (err) {
		if (log_buf[0]) {
			fprintf(stderr, "error: load BPF object %s: the verifier rejected it: %s\n",
				cfg.filename, strerror(-err));
			print_verifier_log(log_buf, cfg.verbose);
		} else {
			report_error("load BPF object", cfg.filename, err);
		}
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
	if (err == -EEXIST && cfg.force) {
		/* A program attached in the other mode (native and generic XDP
		 * cannot be active together) is refused even without the flag:
		 * detach it, then try again.
		 */
		detach_attached(&cfg, &err);
		if (err)
			goto cleanup;
		err = bpf_xdp_attach(cfg.ifindex, bpf_program__fd(prog), flags, NULL);
	}
	if (err) {
		char what[IF_NAMESIZE + 32];

		snprintf(what, sizeof(what), "%s (ifindex %d)", cfg.ifname, cfg.ifindex);
		report_error("attach XDP to", what, err);
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
	free(log_buf);
	return ret;
}
