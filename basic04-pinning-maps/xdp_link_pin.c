// SPDX-License-Identifier: GPL-2.0
/* basic04: the other way to keep an XDP program attached after its loader
 * exits: attach it through a bpf_link and pin the link. And the other way to
 * load: from a libbpf skeleton.
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
 *
 * The skeleton: `bpftool gen skeleton xdp_prog.bpf.o name xdp_prog` (run by
 * make, see common/common.mk) writes .build/xdp_prog.skel.h, a header that
 * holds the whole object file and a struct xdp_prog naming its programs and
 * maps: skel->progs.xdp_pass_func, skel->maps.xdp_stats_map. The binary needs
 * no .bpf.o beside it, and a typo in a map's name is a compile error.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "options.h"
#include "xdp_load.h"
#include "bpffs.h"
#include "xdp_prog.skel.h" /* generated from xdp_prog.bpf.o at build time */

static const char *doc =
	"Load xdp_prog.bpf.o (built into this program), attach one of its XDP programs to\n"
	"an interface through a bpf_link, and pin the link at /sys/fs/bpf/IFNAME/xdp_link\n"
	"and the stats map beside it.\n"
	"With --unload: remove those pins, which detaches the program.";

/* No --filename: the object is in the skeleton. */
static const enum option_id options[] = {
	OPT_DEV, OPT_UNLOAD, OPT_PIN_DIR, OPT_QUIET, OPT_VERBOSE, OPT_PROGNAME, OPT_HELP, OPT_END,
};

/* How the object is named in messages. */
#define OBJECT_NAME "xdp_prog.bpf.o (built into xdp_link_pin)"

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

/* Remove the pins main() makes. skel is only opened, not loaded: it names the
 * map, and so its pin.
 */
static int unload(const struct config *cfg, const struct xdp_prog *skel, const char *link_path)
{
	char map_path[PATH_MAX];
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

	/* The stats map is pinned as MAPNAME in the same directory. */
	err = pin_path(map_path, sizeof(map_path), cfg->pin_dir,
		       bpf_map__name(skel->maps.xdp_stats_map));
	if (err)
		return err;
	if (unlink(map_path) && errno != ENOENT) { /* ENOENT: removed by hand already */
		err = -errno;
		report_error("remove the pin", map_path, err);
		return err;
	}
	if (!cfg->quiet)
		printf("Removed the map pin %s\n", map_path);
	/* Fails when other pins are left in it, which are not ours to remove. */
	rmdir(cfg->pin_dir);
	return err;
}

int main(int argc, char **argv)
{
	struct config cfg = {
		.progname = "xdp_pass_func",
	};
	/* Where the verifier's log goes when a load fails (as in basic01). */
	static char log_buf[VERIFIER_LOG_SIZE];
	LIBBPF_OPTS(bpf_object_open_opts, open_opts, .kernel_log_buf = log_buf,
		    .kernel_log_size = sizeof(log_buf));
	char link_path[PATH_MAX], map_path[PATH_MAX], hint[128];
	struct bpf_link *link = NULL;
	struct xdp_prog *skel = NULL;
	struct bpf_program *prog;
	sigset_t stop_signals;
	int err;

	/* 1. Parse options: which interface, program, pin directory. */
	parse_options(argc, argv, options, &cfg, doc, true);
	setup_libbpf_logging(cfg.verbose);
	if (check_privileges(true) || resolve_ifindex(&cfg) || set_pin_dir(&cfg) ||
	    pin_path(link_path, sizeof(link_path), cfg.pin_dir, XDP_LINK_PIN_NAME) ||
	    check_bpffs(cfg.pin_dir))
		return EXIT_FAILURE;

	/* 2. Open the object the skeleton carries: bpf_object__open_file() on
	 * the copy built into this binary. skel->obj is that bpf_object.
	 */
	skel = xdp_prog__open_opts(&open_opts);
	if (!skel) {
		err = -errno;
		report_error("open", OBJECT_NAME, err);
		goto cleanup;
	}
	if (cfg.unload) {
		err = unload(&cfg, skel, link_path);
		goto cleanup;
	}
	if (!access(link_path, F_OK)) {
		fprintf(stderr,
			"error: a bpf_link is already pinned at %s: remove it first with "
			"./xdp_link_pin --dev %s --unload\n",
			link_path, cfg.ifname);
		err = -EEXIST;
		goto cleanup;
	}

	/* The program --progname names. With the default, that is
	 * skel->progs.xdp_pass_func: a skeleton names every program.
	 */
	prog = bpf_object__find_program_by_name(skel->obj, cfg.progname);
	if (!prog || bpf_program__type(prog) != BPF_PROG_TYPE_XDP) {
		report_no_xdp_program(skel->obj, OBJECT_NAME, cfg.progname);
		err = -ENOENT;
		goto cleanup;
	}

	/* 3. Load: bpf_object__load(skel->obj), and the skeleton's pointers
	 * (skel->maps.xdp_stats_map...) now lead to the kernel's objects.
	 */
	err = xdp_prog__load(skel);
	if (err) {
		report_load_error(OBJECT_NAME, err, log_buf, cfg.verbose);
		goto cleanup;
	}

	/* 4. Attach through a link. The kernel picks native mode when the
	 * driver has it, generic mode otherwise. The link belongs to this
	 * process for now: if it exits without pinning it, the program is
	 * detached again.
	 */
	/* From here to the last pin, Ctrl-C (or a kill) waits, and is dropped
	 * when this program exits: stopped between the two pins, it would
	 * leave a program attached whose counters nobody can find.
	 */
	sigemptyset(&stop_signals);
	sigaddset(&stop_signals, SIGINT);
	sigaddset(&stop_signals, SIGTERM);
	sigaddset(&stop_signals, SIGHUP);
	sigprocmask(SIG_BLOCK, &stop_signals, NULL);
	link = bpf_program__attach_xdp(prog, cfg.ifindex);
	if (!link) {
		err = -errno;
		/* A program attached with netlink (xdp_loader's) is in the way:
		 * no --force here, its own loader must remove it.
		 */
		snprintf(hint, sizeof(hint),
			 "an XDP program is attached there: remove it first with "
			 "./xdp_loader --dev %s --unload",
			 cfg.ifname);
		if ((err == -EBUSY || err == -EEXIST) && !xdp_link_id(cfg.ifindex))
			report_error_hint("attach an XDP link to", cfg.ifname, err, hint);
		else
			report_xdp_error("attach an XDP link to", &cfg, err);
		goto cleanup;
	}
	err = bpf_link__pin(link, link_path);
	if (err) {
		report_error("pin the link at", link_path, err);
		goto cleanup; /* destroying the unpinned link detaches the program */
	}
	/* The skeleton names the map: no lookup by a string that could be
	 * misspelt. Pinning fails with EEXIST when a pin is there already.
	 */
	err = pin_path(map_path, sizeof(map_path), cfg.pin_dir,
		       bpf_map__name(skel->maps.xdp_stats_map));
	if (!err)
		err = bpf_map__pin(skel->maps.xdp_stats_map, map_path);
	if (err) {
		snprintf(hint, sizeof(hint),
			 "is it xdp_loader's? remove its pins with ./xdp_loader --dev %s --unload",
			 cfg.ifname);
		report_error_hint("pin the map at", map_path, err, err == -EEXIST ? hint : NULL);
		bpf_link__unpin(link);
		goto cleanup;
	}

	/* 5. Report what was done. */
	if (!cfg.quiet) {
		printf("Attached XDP program '%s' (id %u) to %s (ifindex %d) through bpf_link id %u\n",
		       bpf_program__name(prog), attached_xdp_prog_id(cfg.ifindex), cfg.ifname,
		       cfg.ifindex, link_id(link));
		printf("Pinned the link at %s, the map at %s\n", link_path, map_path);
		printf("Remove the link pin to detach it: ./xdp_link_pin --dev %s --unload\n",
		       cfg.ifname);
	}

cleanup:
	/* This closes our file descriptor of the link, nothing more: the pin
	 * keeps the link, and so the attachment, alive. Destroying the
	 * skeleton closes the object (bpf_object__close).
	 */
	bpf_link__destroy(link);
	xdp_prog__destroy(skel);
	return err ? EXIT_FAILURE : EXIT_SUCCESS;
}
