// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <linux/magic.h>

#include "bpffs.h"
#include "xdp_load.h"

int pin_path(char *buf, size_t len, const char *dir, const char *name)
{
	if ((size_t)snprintf(buf, len, "%s/%s", dir, name) >= len) {
		fprintf(stderr, "error: the pin path %s/%s is too long\n", dir, name);
		return -ENAMETOOLONG;
	}
	return 0;
}

int set_pin_dir(struct config *cfg)
{
	if (cfg->pin_dir[0])
		return 0;
	return pin_path(cfg->pin_dir, sizeof(cfg->pin_dir), BPFFS_ROOT, cfg->ifname);
}

int check_bpffs(const char *dir)
{
	char path[PATH_MAX];
	struct statfs fs;
	char *slash;
	int err;

	if (snprintf(path, sizeof(path), "%s", dir) >= (int)sizeof(path))
		return -ENAMETOOLONG;

	/* The pin directory is made on the first load, so it may not exist
	 * yet: then the directory it will be made in decides.
	 */
	while (statfs(path, &fs)) {
		if (errno != ENOENT) {
			err = -errno;
			report_error("look at", path, err);
			return err;
		}
		slash = strrchr(path, '/');
		if (!slash)
			strcpy(path, ".");
		else if (slash == path)
			path[1] = '\0';
		else
			*slash = '\0';
	}
	if (fs.f_type == BPF_FS_MAGIC)
		return 0;

	/* Most often bpffs is simply not mounted: a fresh boot of some
	 * distributions, a container, or a shell started by 'ip netns exec',
	 * which mounts a new /sys without it.
	 */
	fprintf(stderr,
		"error: %s is not on a BPF filesystem (is bpffs mounted?): mount it with "
		"'sudo make deps' or 'sudo mount -t bpf bpf " BPFFS_ROOT "'\n",
		dir);
	return -EMEDIUMTYPE;
}
