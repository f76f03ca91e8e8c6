/* SPDX-License-Identifier: GPL-2.0 */
/* Command-line options shared by the lesson loaders. */
#ifndef COMMON_OPTIONS_H
#define COMMON_OPTIONS_H

#include <limits.h>
#include <net/if.h>
#include <stdbool.h>
#include <linux/types.h>

struct config {
	char ifname[IF_NAMESIZE];
	int ifindex;
	__u32 xdp_flags; /* XDP_FLAGS_SKB_MODE, XDP_FLAGS_DRV_MODE or 0 (auto) */
	bool force;	 /* replace a program that is already attached */
	bool unload;	 /* detach instead of attach */
	bool quiet;
	bool verbose; /* show libbpf's debug output and the whole verifier log */
	char filename[PATH_MAX];
	char progname[64];
	char pin_dir[PATH_MAX]; /* where maps (and links) are pinned, when a lesson pins */
	int interval;		/* seconds between two stats reports */
	char redirect_dev[IF_NAMESIZE]; /* where a redirecting program sends frames */
	char src_mac[32];		/* MAC addresses as typed, for the program to parse */
	char dest_mac[32];
};

/* Every option a loader can offer. A program lists the ones it accepts, in the
 * order --help shows them, ending with OPT_END.
 */
enum option_id {
	OPT_END = 0,
	OPT_DEV,
	OPT_SKB_MODE,
	OPT_NATIVE_MODE,
	OPT_AUTO_MODE,
	OPT_FORCE,
	OPT_UNLOAD,
	OPT_QUIET,
	OPT_VERBOSE,
	OPT_FILENAME,
	OPT_PROGNAME,
	OPT_PIN_DIR,
	OPT_INTERVAL,
	OPT_READ_DEV, /* --dev for a program that only reads (xdp_stats) */
	OPT_REDIRECT_DEV,
	OPT_SRC_MAC,
	OPT_DEST_MAC,
	OPT_HELP, /* the last: it sizes parse_options' tables */
};

/* The classic loader set: --dev, the three modes, --force, --unload, --quiet,
 * --verbose, --filename, --progname and --help.
 */
extern const enum option_id loader_options[];

/* Parse argv into cfg, whose fields hold the defaults on entry (--help shows
 * them). Prints --help and exits 0 when asked; prints one line and exits 2 on
 * a usage error: an unknown option or one without its argument (named as
 * typed), or two modes at once (-S -N). Checks that --dev was given when
 * require_dev is set.
 */
void parse_options(int argc, char **argv, const enum option_id *accepted, struct config *cfg,
		   const char *doc, bool require_dev);

#endif /* COMMON_OPTIONS_H */
