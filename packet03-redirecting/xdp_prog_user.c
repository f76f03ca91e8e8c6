// SPDX-License-Identifier: GPL-2.0
/* packet03: fill the maps of xdp_redirect_map_func while it runs.
 *
 *   ./xdp_prog_user --dev A --redirect-dev B --src-mac S --dest-mac D
 *
 * Frames that arrive at A from the MAC address S leave out of B, to the MAC
 * address D. The program on A reads both settings from its maps, which
 * xdp_loader pinned in /sys/fs/bpf/A/: tx_port (a device map: where to) and
 * redirect_params (a hash map: whose frames, and to which MAC address). Run it
 * again with other addresses to change them; the program is not reloaded.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <net/if.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "options.h"
#include "xdp_load.h"
#include "bpffs.h"
#include "common_kern_user.h"
#include "mac_addr.h"

static const char *doc =
	"Make xdp_redirect_map_func on --dev send the frames from --src-mac (the sender's\n"
	"MAC address) out of --redirect-dev, to --dest-mac. It fills the maps that\n"
	"xdp_loader pinned in /sys/fs/bpf/IFNAME/ (or --pin-dir): tx_port and redirect_params.";

static const enum option_id options[] = {
	OPT_DEV,   OPT_REDIRECT_DEV, OPT_SRC_MAC, OPT_DEST_MAC, OPT_PIN_DIR,
	OPT_QUIET, OPT_VERBOSE,	     OPT_HELP,	  OPT_END,
};

/* Open the map pinned at DIR/NAME and check that it is the map the program
 * has: its type, and the sizes of its keys and values. Returns its fd, or a
 * negative errno (reported).
 */
static int open_pinned_map(const struct config *cfg, const char *name, __u32 type, __u32 key_size,
			   __u32 value_size)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);
	char path[PATH_MAX], hint[PATH_MAX + 128];
	int fd, err;

	err = pin_path(path, sizeof(path), cfg->pin_dir, name);
	if (err)
		return err;
	/* A pin is a file in bpffs; opening it gives a new fd of the map. */
	fd = bpf_obj_get(path);
	if (fd < 0) {
		err = -errno;
		snprintf(hint, sizeof(hint),
			 "load the program first: ./xdp_loader --dev %s --progname "
			 "xdp_redirect_map_func",
			 cfg->ifname);
		report_error_hint("open the map pinned at", path, err,
				  err == -ENOENT ? hint : NULL);
		return err;
	}
	err = bpf_obj_get_info_by_fd(fd, &info, &len);
	if (err) {
		report_error("read the map info of", path, err);
		close(fd);
		return err;
	}
	if (info.type != type || info.key_size != key_size || info.value_size != value_size) {
		snprintf(hint, sizeof(hint),
			 "it has type %u, keys of %u and values of %u bytes, not %u, %u, %u: "
			 "was it pinned by another program? Load xdp_redirect_map_func again "
			 "with xdp_loader --force",
			 info.type, info.key_size, info.value_size, type, key_size, value_size);
		report_error_hint("use the map pinned at", path, 0, hint);
		close(fd);
		return -EINVAL;
	}
	return fd;
}

int main(int argc, char **argv)
{
	struct config cfg = {};
	__u8 src[MAC_LEN], dest[MAC_LEN];
	char src_text[18], dest_text[18];
	int tx_port_fd = -1, params_fd = -1;
	int ret = EXIT_FAILURE;
	__u32 redirect_ifindex, key = 0;

	/* 1. Options: whose maps, and what to write into them. */
	parse_options(argc, argv, options, &cfg, doc, true);
	setup_libbpf_logging(cfg.verbose);
	if (check_privileges(false) || resolve_ifindex(&cfg) || set_pin_dir(&cfg) ||
	    check_bpffs(cfg.pin_dir))
		return EXIT_FAILURE;
	if (!cfg.redirect_dev[0] || !cfg.src_mac[0] || !cfg.dest_mac[0]) {
		fprintf(stderr,
			"error: give --redirect-dev IFNAME, --src-mac MAC and --dest-mac MAC"
			" (see --help)\n");
		return EXIT_FAILURE;
	}
	redirect_ifindex = if_nametoindex(cfg.redirect_dev);
	if (!redirect_ifindex) {
		int err = -errno;
		char what[IF_NAMESIZE + 2];

		snprintf(what, sizeof(what), "'%s'", cfg.redirect_dev);
		report_error("--redirect-dev: unknown interface", what, err);
		return EXIT_FAILURE;
	}
	if (parse_mac(cfg.src_mac, "src-mac", src) || parse_mac(cfg.dest_mac, "dest-mac", dest))
		goto cleanup;

	/* Assignment 3: open the two maps by their pins (open_pinned_map() above
	 * does it, and checks that they are the maps of xdp_redirect_map_func),
	 * then write: tx_port slot 0 = redirect_ifindex, redirect_params[src] = dest
	 * (bpf_map_update_elem(fd, &key, &value, BPF_ANY)).
	 */
	(void)key; /* (these two lines keep the compiler quiet until then) */
	(void)open_pinned_map;
	/* Assignment 3: end */

	if (!cfg.quiet)
		printf("Frames from %s arriving at %s now leave out of %s (ifindex %u), to %s\n",
		       format_mac(src, src_text), cfg.ifname, cfg.redirect_dev, redirect_ifindex,
		       format_mac(dest, dest_text));
	ret = EXIT_SUCCESS;

cleanup:
	if (tx_port_fd >= 0)
		close(tx_port_fd);
	if (params_fd >= 0)
		close(params_fd);
	return ret;
}
