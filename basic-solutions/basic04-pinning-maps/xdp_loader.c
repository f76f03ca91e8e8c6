// SPDX-License-Identifier: GPL-2.0
/* basic04: load an XDP program, attach it, and pin its maps in bpffs.
 *
 *   ./xdp_loader --dev IFNAME [--progname NAME] [--force]   attach, pin maps in /sys/fs/bpf/IFNAME/
 *   ./xdp_loader --dev IFNAME --unload                       detach, remove the pins
 *
 * New in this lesson: the loader does not stay around to print stats. It
 * pins the stats map (a file in the BPF filesystem that holds a reference to
 * it) and exits; xdp_stats opens the pin and reads the map whenever it likes.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <linux/if_link.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "options.h"
#include "xdp_load.h"
#include "bpffs.h"

static const char *doc =
	"Load xdp_prog.bpf.o, attach one of its XDP programs to an interface and pin its\n"
	"maps in /sys/fs/bpf/IFNAME/ (or --pin-dir), where xdp_stats finds them.\n"
	"With --unload: detach the program and remove the pins.";

/* The classic loader options, and --pin-dir. */
static const enum option_id options[] = {
	OPT_DEV,   OPT_SKB_MODE, OPT_NATIVE_MODE, OPT_AUTO_MODE, OPT_FORCE, OPT_UNLOAD, OPT_PIN_DIR,
	OPT_QUIET, OPT_VERBOSE,	 OPT_FILENAME,	  OPT_PROGNAME,	 OPT_HELP,  OPT_END,
};

/* Is fd a map? A pin may hold a program or a link too, whose info would be
 * read as a map's without complaint.
 */
static bool is_map_fd(int fd)
{
	char link[64], target[32] = "";

	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	return readlink(link, target, sizeof(target) - 1) > 0 &&
	       !strcmp(target, "anon_inode:bpf-map");
}

/* The id of the map pinned at path, or 0 when no map is pinned there. */
static __u32 pinned_map_id(const char *path)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);
	int fd = bpf_obj_get(path);
	__u32 id = 0;

	if (fd < 0)
		return 0;
	if (is_map_fd(fd) && !bpf_obj_get_info_by_fd(fd, &info, &len))
		id = info.id;
	close(fd);
	return id;
}

static __u32 map_id(const struct bpf_map *map)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);

	if (bpf_obj_get_info_by_fd(bpf_map__fd(map), &info, &len))
		return 0;
	return info.id;
}

/* Assignment 2: reuse the maps an earlier load pinned.
 *
 * Does the map pinned (open as fd) have the shape obj's map asks for? A
 * program built for another map layout would read garbage from it.
 */
static bool map_fits(const struct bpf_map *map, int fd)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);

	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		return false;
	return info.type == bpf_map__type(map) && info.key_size == bpf_map__key_size(map) &&
	       info.value_size == bpf_map__value_size(map) &&
	       info.max_entries == bpf_map__max_entries(map) &&
	       info.map_flags == bpf_map__map_flags(map);
}

/* Before the load, point every map that is pinned already at
 * the pinned map. libbpf then creates no new map for it, and the program is
 * loaded with the old map's reference: the counters carry on.
 */
static int reuse_pinned_maps(struct bpf_object *obj, const struct config *cfg)
{
	char path[PATH_MAX];
	struct bpf_map *map;
	int fd, err;

	bpf_object__for_each_map(map, obj) {
		if (bpf_map__is_internal(map))
			continue;
		err = pin_path(path, sizeof(path), cfg->pin_dir, bpf_map__name(map));
		if (err)
			return err;
		fd = bpf_obj_get(path);
		if (fd < 0) {
			if (errno == ENOENT)
				continue; /* the first load: nothing to reuse */
			err = -errno;
			report_error("open the pinned map", path, err);
			return err;
		}
		if (!map_fits(map, fd)) {
			fprintf(stderr,
				"warning: the map pinned at %s does not fit %s in %s "
				"(type or size): a new map replaces it\n",
				path, bpf_map__name(map), cfg->filename);
			close(fd);
			continue;
		}
		/* libbpf keeps a duplicate of fd, so ours can be closed. */
		err = bpf_map__reuse_fd(map, fd);
		close(fd);
		if (err) {
			report_error("reuse the pinned map", path, err);
			return err;
		}
		if (!cfg->quiet)
			printf("Reusing map %s (id %u) pinned at %s\n", bpf_map__name(map),
			       map_id(map), path);
	}
	return 0;
}
/* Assignment 2: end */

/* Pin each map of obj at PIN_DIR/MAPNAME. Called after a successful attach,
 * so the pins always lead to the maps of the program now attached.
 */
static int pin_maps(struct bpf_object *obj, const struct config *cfg)
{
	char path[PATH_MAX];
	struct bpf_map *map;
	struct stat st;
	int err;

	if (mkdir(cfg->pin_dir, 0700) && errno != EEXIST) {
		err = -errno;
		report_error("create the pin directory", cfg->pin_dir, err);
		return err;
	}

	bpf_object__for_each_map(map, obj) {
		__u32 old_id, new_id = map_id(map);

		/* .rodata, .bss and .data hold the program's own global
		 * variables: nothing another program needs to find.
		 */
		if (bpf_map__is_internal(map))
			continue;
		err = pin_path(path, sizeof(path), cfg->pin_dir, bpf_map__name(map));
		if (err)
			return err;

		old_id = pinned_map_id(path);
		/* A program, a link, a directory: not a map of ours to replace. */
		if (!old_id && !lstat(path, &st)) {
			fprintf(stderr,
				"error: %s is taken by something that is not a map (a program, a "
				"link, a file or a directory): remove it, or choose another --pin-dir\n",
				path);
			return -EEXIST;
		}
		if (old_id && old_id == new_id)
			continue; /* already pinned: the program reuses it */
		if (old_id && unlink(path)) {
			/* A pin stays until someone removes it. This one is
			 * from an earlier load: without removing it, pinning
			 * fails with EEXIST. Whoever has the old map open
			 * keeps it alive (and keeps reading it: assignment 1).
			 */
			err = -errno;
			report_error("remove the old pin", path, err);
			return err;
		}
		err = bpf_map__pin(map, path);
		if (err) {
			report_error("pin map at", path, err);
			return err;
		}
		if (!cfg->quiet && old_id)
			printf("Pinned map %s (id %u) at %s, in place of map id %u\n",
			       bpf_map__name(map), new_id, path, old_id);
		else if (!cfg->quiet)
			printf("Pinned map %s (id %u) at %s\n", bpf_map__name(map), new_id, path);
	}
	return 0;
}

/* Remove the pins pin_maps() makes for obj, then the directory when that
 * empties it. Returns how many pins were removed, or a negative errno.
 */
static int unpin_maps(struct bpf_object *obj, const struct config *cfg)
{
	char path[PATH_MAX];
	struct bpf_map *map;
	int err, removed = 0;

	bpf_object__for_each_map(map, obj) {
		if (bpf_map__is_internal(map))
			continue;
		err = pin_path(path, sizeof(path), cfg->pin_dir, bpf_map__name(map));
		if (err)
			return err;
		/* A pin is a file: removing it drops its reference. The map
		 * itself goes away once nothing else holds it.
		 */
		if (unlink(path)) {
			if (errno == ENOENT)
				continue;
			err = -errno;
			report_error("remove the pin", path, err);
			return err;
		}
		removed++;
		if (!cfg->quiet)
			printf("Removed the pin %s\n", path);
	}
	/* Fails when other pins are left in it, which are not ours to remove. */
	rmdir(cfg->pin_dir);
	return removed;
}

static int unload(const struct config *cfg)
{
	__u32 prog_id = attached_xdp_prog_id(cfg->ifindex);
	struct bpf_object *obj;
	int err = 0, removed;

	/* The object is only opened, not loaded: it tells the names of the
	 * maps, and so of their pins.
	 */
	obj = bpf_object__open_file(cfg->filename, NULL);
	if (!obj) {
		err = -errno;
		report_error_hint("open BPF object", cfg->filename, err, OPEN_OBJECT_HINT);
		return err;
	}

	if (prog_id) {
		/* Refused when a bpf_link holds the program (xdp_link_pin's):
		 * then the pins stay too, and the error says how to go on.
		 */
		err = detach_xdp(cfg);
		if (err)
			goto out;
		if (!cfg->quiet)
			printf("Detached XDP program id %u from %s (ifindex %d)\n", prog_id,
			       cfg->ifname, cfg->ifindex);
	}
	removed = unpin_maps(obj, cfg);
	if (removed < 0) {
		err = removed;
		goto out;
	}
	if (!prog_id && !removed) {
		fprintf(stderr,
			"error: nothing to unload: no XDP program on %s and no pins "
			"in %s\n",
			cfg->ifname, cfg->pin_dir);
		err = -ENOENT;
	}
out:
	bpf_object__close(obj);
	return err;
}

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
	sigset_t stop_signals;
	int err;

	/* 1. Parse options: which interface, which object, which program,
	 * and where the pins go.
	 */
	parse_options(argc, argv, options, &cfg, doc, true);
	setup_libbpf_logging(cfg.verbose);
	if (check_privileges(true) || resolve_ifindex(&cfg) || set_pin_dir(&cfg))
		return EXIT_FAILURE;
	/* Before anything is loaded: a load that cannot pin is of no use. */
	if (check_bpffs(cfg.pin_dir))
		return EXIT_FAILURE;

	if (cfg.unload)
		return unload(&cfg) ? EXIT_FAILURE : EXIT_SUCCESS;

	/* 2. Open the ELF object and find the program by name. Nothing is in
	 * the kernel yet: this is the moment to tell libbpf about maps that
	 * exist already.
	 */
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

	/* Assignment 2 (solved): reuse the maps pinned by an earlier load, so
	 * the counters survive a reload.
	 */
	err = reuse_pinned_maps(obj, &cfg);
	if (err)
		goto cleanup;
	/* Assignment 2: end */

	/* 3. Load: libbpf creates the maps (those it was given fds of
	 * excepted), then the kernel verifies and JIT-compiles the programs.
	 */
	err = bpf_object__load(obj);
	if (err) {
		report_load_error(cfg.filename, err, log_buf, cfg.verbose);
		goto cleanup;
	}

	/* 4. Attach to the interface (with --force, in place of the program
	 * there), then pin the maps. In this order, a failed attach leaves
	 * the pins of the program that stays attached untouched.
	 */
	/* From here to the last pin, Ctrl-C (or a kill) waits, and is dropped
	 * when the loader exits: stopped in between, it would leave a program
	 * attached whose counters nobody can find.
	 */
	sigemptyset(&stop_signals);
	sigaddset(&stop_signals, SIGINT);
	sigaddset(&stop_signals, SIGTERM);
	sigaddset(&stop_signals, SIGHUP);
	sigprocmask(SIG_BLOCK, &stop_signals, NULL);
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
		printf("Attached XDP program '%s' (id %u) to %s (ifindex %d)\n",
		       bpf_program__name(prog), attached_xdp_prog_id(cfg.ifindex), cfg.ifname,
		       cfg.ifindex);
	err = pin_maps(obj, &cfg);
	if (err) {
		/* Without its pins nobody can read the program's counters:
		 * leave nothing half-done.
		 */
		detach_xdp(&cfg);
		goto cleanup;
	}

	/* 5. Say where to go next: this process is done. */
	if (!cfg.quiet)
		printf("Read its stats with: ./xdp_stats --dev %s\n", cfg.ifname);

cleanup:
	/* The attached program and the pinned maps outlive this process: the
	 * interface and the pins hold their own references.
	 */
	bpf_object__close(obj);
	return err ? EXIT_FAILURE : EXIT_SUCCESS;
}
