// SPDX-License-Identifier: GPL-2.0
/* basic04: the other way to keep an XDP program attached after its loader
 * exits: attach it through a bpf_link and pin the link.
 *
 *   ./xdp_link_pin --dev IFNAME [--progname NAME]   attach, pin the link in /sys/fs/bpf/IFNAME/
 *   ./xdp_link_pin --dev IFNAME --unload            remove the pins, which detaches the program
 *
 * xdp_loader attaches with netlink (bpf_xdp_attach): the interface holds the
 * program, owned by nobody, and anyone can replace or remove it. A bpf_link is
 * a kernel object that owns the attachment: while it exists, nobody can
 * replace the program by accident (netlink gets EBUSY), and when its last
 * reference goes away, the program is detached. Here the last reference is
 * the pin.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "options.h"
#include "xdp_load.h"
#include "bpffs.h"

static const char *doc =
	"Load xdp_prog.bpf.o, attach one of its XDP programs to an interface through a\n"
	"bpf_link, and pin the link at /sys/fs/bpf/IFNAME/xdp_link and the maps beside it.\n"
	"With --unload: remove those pins, which detaches the program.";

static const enum option_id options[] = {
	OPT_DEV,      OPT_UNLOAD,   OPT_PIN_DIR, OPT_QUIET, OPT_VERBOSE,
	OPT_FILENAME, OPT_PROGNAME, OPT_HELP,	 OPT_END,
};

#define LINK_PIN_NAME "xdp_link"

/* How long the kernel may take to release a link once its pin is gone. */
#define DETACH_WAIT_MS 2000

static __u32 link_id(const struct bpf_link *link)
{
	struct bpf_link_info info = {};
	__u32 len = sizeof(info);

	if (bpf_obj_get_info_by_fd(bpf_link__fd(link), &info, &len))
		return 0;
	return info.id;
}

static int unload(const struct config *cfg, const char *link_path)
{
	struct bpf_object *obj;
	int fd, err, waited;

	fd = bpf_obj_get(link_path);
	if (fd < 0) {
		err = -errno;
		if (err == -ENOENT)
			fprintf(stderr,
				"error: no bpf_link pinned at %s: nothing to unload "
				"(xdp_loader --unload removes what xdp_loader attached)\n",
				link_path);
		else
			report_error("open the pinned link", link_path, err);
		return err;
	}
	close(fd);

	/* The pin is usually the link's only reference: removing it releases
	 * the link, and the kernel detaches the program.
	 */
	if (unlink(link_path)) {
		err = -errno;
		report_error("remove the pin", link_path, err);
		return err;
	}
	if (!cfg->quiet)
		printf("Removed the pin %s\n", link_path);

	/* The release runs a moment later, in the kernel's own time. */
	for (waited = 0; waited < DETACH_WAIT_MS; waited += 10) {
		if (!attached_xdp_prog_id(cfg->ifindex))
			break;
		usleep(10 * 1000);
	}
	if (attached_xdp_prog_id(cfg->ifindex))
		fprintf(stderr,
			"warning: an XDP program is still attached to %s: another process "
			"holds the link open (bpftool link show lists it)\n",
			cfg->ifname);
	else if (!cfg->quiet)
		printf("The link is gone, and with it the XDP program on %s\n", cfg->ifname);

	/* The maps are pinned as MAPNAME in the same directory: the object,
	 * opened but not loaded, gives their names.
	 */
	obj = bpf_object__open_file(cfg->filename, NULL);
	if (!obj) {
		err = -errno;
		report_error("open BPF object", cfg->filename, err);
		return err;
	}
	err = bpf_object__unpin_maps(obj, cfg->pin_dir);
	if (err == -ENOENT)
		err = 0; /* removed by hand already */
	if (err)
		report_error("remove the map pins in", cfg->pin_dir, err);
	else if (!cfg->quiet)
		printf("Removed the map pins in %s\n", cfg->pin_dir);
	bpf_object__close(obj);
	/* Fails when other pins are left in it, which are not ours to remove. */
	rmdir(cfg->pin_dir);
	return err;
}

int main(int argc, char **argv)
{
	struct config cfg = {
		.filename = "xdp_prog.bpf.o",
		.progname = "xdp_pass_func",
	};
	struct bpf_object *obj = NULL;
	struct bpf_link *link = NULL;
	struct bpf_program *prog;
	char link_path[PATH_MAX];
	int err;

	/* 1. Parse options: which interface, object, program, pin directory. */
	parse_options(argc, argv, options, &cfg, doc, true);
	setup_libbpf_logging(cfg.verbose);
	if (resolve_ifindex(&cfg) || set_pin_dir(&cfg) ||
	    pin_path(link_path, sizeof(link_path), cfg.pin_dir, LINK_PIN_NAME) ||
	    check_bpffs(cfg.pin_dir))
		return EXIT_FAILURE;

	if (cfg.unload)
		return unload(&cfg, link_path) ? EXIT_FAILURE : EXIT_SUCCESS;

	if (!access(link_path, F_OK)) {
		fprintf(stderr,
			"error: a bpf_link is already pinned at %s: remove it first with "
			"./xdp_link_pin --dev %s --unload\n",
			link_path, cfg.ifname);
		return EXIT_FAILURE;
	}

	/* 2. and 3. Open and load the object, find the program. */
	obj = load_bpf_object(&cfg);
	if (!obj)
		return EXIT_FAILURE;
	prog = find_xdp_program(obj, cfg.filename, cfg.progname);
	if (!prog) {
		err = -ENOENT;
		goto cleanup;
	}

	/* 4. Attach through a link. The kernel picks native mode when the
	 * driver has it, generic mode otherwise. The link belongs to this
	 * process for now: if it exits without pinning it, the program is
	 * detached again.
	 */
	link = bpf_program__attach_xdp(prog, cfg.ifindex);
	if (!link) {
		err = -errno;
		if (err == -EBUSY || err == -EEXIST)
			fprintf(stderr,
				"error: attach XDP link to %s: another XDP program is "
				"attached there: remove it first (./xdp_loader --dev %s "
				"--unload)\n",
				cfg.ifname, cfg.ifname);
		else
			report_error("attach XDP link to", cfg.ifname, err);
		goto cleanup;
	}
	err = bpf_link__pin(link, link_path);
	if (err) {
		report_error("pin the link at", link_path, err);
		goto cleanup; /* destroying the unpinned link detaches the program */
	}
	/* bpf_object__pin_maps() pins every map as DIR/MAPNAME in one call.
	 * It fails with EEXIST when a pin is there already.
	 */
	err = bpf_object__pin_maps(obj, cfg.pin_dir);
	if (err == -EEXIST)
		/* Not report_error(): its hint for EEXIST is about an attached
		 * program, and here the program is ours; a pin is in the way.
		 */
		fprintf(stderr,
			"error: pin the maps in %s: File exists\n"
			"hint: pins from xdp_loader are there: remove them with "
			"./xdp_loader --dev %s --unload\n",
			cfg.pin_dir, cfg.ifname);
	else if (err)
		report_error("pin the maps in", cfg.pin_dir, err);
	if (err) {
		bpf_link__unpin(link);
		goto cleanup;
	}

	/* 5. Report what was done. */
	if (!cfg.quiet) {
		printf("Attached XDP program '%s' (id %u) to %s (ifindex %d) through bpf_link id %u\n",
		       bpf_program__name(prog), attached_xdp_prog_id(cfg.ifindex), cfg.ifname,
		       cfg.ifindex, link_id(link));
		printf("Pinned the link at %s, the maps in %s\n", link_path, cfg.pin_dir);
		printf("Remove the link pin to detach it: ./xdp_link_pin --dev %s --unload\n",
		       cfg.ifname);
	}

cleanup:
	/* This closes our file descriptor of the link, nothing more: the pin
	 * keeps the link, and so the attachment, alive.
	 */
	bpf_link__destroy(link);
	bpf_object__close(obj);
	return err ? EXIT_FAILURE : EXIT_SUCCESS;
}
