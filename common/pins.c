// SPDX-License-Identifier: GPL-2.0
/* basic04's pin_maps(), unpin_maps() and unload(), for the lessons after it:
 * basic04-pinning-maps/xdp_loader.c explains each step.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "pins.h"
#include "bpffs.h"
#include "xdp_load.h"

/* Is fd a map? A pin may hold a program or a link too. */
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

int pin_object_maps(struct bpf_object *obj, const struct config *cfg)
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

		if (bpf_map__is_internal(map))
			continue;
		err = pin_path(path, sizeof(path), cfg->pin_dir, bpf_map__name(map));
		if (err)
			return err;
		old_id = pinned_map_id(path);
		if (!old_id && !lstat(path, &st)) {
			fprintf(stderr,
				"error: %s is taken by something that is not a map (a program, a "
				"link, a file or a directory): remove it, or choose another --pin-dir\n",
				path);
			return -EEXIST;
		}
		if (old_id && old_id == new_id)
			continue;
		if (old_id && unlink(path)) {
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

int unpin_object_maps(struct bpf_object *obj, const struct config *cfg)
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
	rmdir(cfg->pin_dir); /* fails when other pins are left in it: not ours */
	return removed;
}

int unload_xdp_and_pins(const struct config *cfg)
{
	__u32 prog_id = attached_xdp_prog_id(cfg->ifindex);
	struct bpf_object *obj;
	int err = 0, removed;

	obj = bpf_object__open_file(cfg->filename, NULL);
	if (!obj) {
		err = -errno;
		report_error_hint("open BPF object", cfg->filename, err, OPEN_OBJECT_HINT);
		return err;
	}
	if (prog_id) {
		err = detach_xdp(cfg);
		if (err)
			goto out;
		if (!cfg->quiet)
			printf("Detached XDP program id %u from %s (ifindex %d)\n", prog_id,
			       cfg->ifname, cfg->ifindex);
	}
	removed = unpin_object_maps(obj, cfg);
	if (removed < 0) {
		err = removed;
		goto out;
	}
	if (!prog_id && !removed) {
		fprintf(stderr,
			"error: nothing to unload: no XDP program on %s and no pins in %s\n",
			cfg->ifname, cfg->pin_dir);
		err = -ENOENT;
	}
out:
	bpf_object__close(obj);
	return err;
}
