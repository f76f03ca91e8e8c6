// SPDX-License-Identifier: GPL-2.0
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
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
		fprintf(stderr,
			"error: the pin path %s/%s is too long: use a shorter interface name or pin directory\n",
			dir, name);
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

static bool on_bpffs(const char *path)
{
	struct statfs fs;

	return !statfs(path, &fs) && fs.f_type == BPF_FS_MAGIC;
}

/* When this process runs in a network namespace that 'ip netns add' named (it
 * is in /run/netns), write that name into name and return true.
 */
static bool in_named_netns(char *name, size_t len)
{
	struct stat self, ns;
	struct dirent *entry;
	bool found = false;
	char path[PATH_MAX];
	DIR *dir;

	if (stat("/proc/self/ns/net", &self))
		return false;
	dir = opendir("/run/netns");
	if (!dir)
		return false;
	while (!found && (entry = readdir(dir))) {
		if (entry->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/run/netns/%s", entry->d_name);
		if (!stat(path, &ns) && ns.st_dev == self.st_dev && ns.st_ino == self.st_ino) {
			snprintf(name, len, "%s", entry->d_name);
			found = true;
		}
	}
	closedir(dir);
	return found;
}

int check_bpffs(const char *dir)
{
	char netns[NAME_MAX + 1];
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

	/* Three ways to get here, each with its own remedy. 'ip netns exec'
	 * (t exec, t enter) mounts a /sys of its own, which hides the bpffs:
	 * mounting one there would make a new, empty bpffs that goes away with
	 * the shell.
	 */
	if (in_named_netns(netns, sizeof(netns))) {
		fprintf(stderr,
			"error: %s is not on a BPF filesystem: this runs inside the network "
			"namespace %s, where 'ip netns exec' (t exec, t enter) mounted a /sys that "
			"hides the bpffs at " BPFFS_ROOT ": run it outside the namespace\n",
			dir, netns);
	} else if (on_bpffs(BPFFS_ROOT)) {
		/* bpffs is there: the directory asked for (--pin-dir) is elsewhere. */
		fprintf(stderr,
			"error: %s is not on a BPF filesystem, and pins can only live on one: "
			"choose a directory under " BPFFS_ROOT " (--pin-dir " BPFFS_ROOT "/NAME)\n",
			dir);
	} else {
		/* A fresh boot of some distributions, or a container. */
		fprintf(stderr,
			"error: %s is not on a BPF filesystem: none is mounted at " BPFFS_ROOT
			": mount one with 'mount -t bpf bpf " BPFFS_ROOT "' (or 'make deps')\n",
			dir);
	}
	return -EMEDIUMTYPE;
}
