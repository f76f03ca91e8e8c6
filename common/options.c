// SPDX-License-Identifier: GPL-2.0
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/if_link.h>

#include "options.h"

const enum option_id loader_options[] = {
	OPT_DEV,   OPT_SKB_MODE, OPT_NATIVE_MODE, OPT_AUTO_MODE, OPT_FORCE, OPT_UNLOAD,
	OPT_QUIET, OPT_VERBOSE,	 OPT_FILENAME,	  OPT_PROGNAME,	 OPT_HELP,  OPT_END,
};

struct option_info {
	const char *name;
	char short_name; /* 0: long option only */
	const char *arg; /* NULL: takes no argument */
	const char *help;
};

static const struct option_info option_table[] = {
	[OPT_DEV] = { "dev", 'd', "IFNAME", "interface to attach to (required)" },
	[OPT_SKB_MODE] = { "skb-mode", 'S', NULL, "attach in generic (SKB) mode" },
	[OPT_NATIVE_MODE] = { "native-mode", 'N', NULL, "attach in native (driver) mode" },
	[OPT_AUTO_MODE] = { "auto-mode", 'A', NULL,
			    "let the kernel choose: native if the driver can" },
	[OPT_FORCE] = { "force", 'F', NULL, "replace a program that is already attached" },
	[OPT_UNLOAD] = { "unload", 'U', NULL, "detach the XDP program from the interface" },
	[OPT_QUIET] = { "quiet", 'q', NULL, "print only errors" },
	[OPT_VERBOSE] = { "verbose", 'v', NULL,
			  "show libbpf's debug output and the full verifier log" },
	[OPT_FILENAME] = { "filename", 0, "FILE", "BPF object file to load" },
	[OPT_PROGNAME] = { "progname", 0, "NAME", "XDP program (function name) to attach" },
	[OPT_PIN_DIR] = { "pin-dir", 0, "DIR", "bpffs directory for pinned maps" },
	[OPT_INTERVAL] = { "interval", 'i', "SEC", "seconds between two stats reports" },
	[OPT_READ_DEV] = { "dev", 'd', "IFNAME", "interface whose stats to read (required)" },
	[OPT_REDIRECT_DEV] = { "redirect-dev", 'r', "IFNAME", "interface to redirect frames to" },
	[OPT_SRC_MAC] = { "src-mac", 0, "MAC", "source MAC address (see the program's text above)" },
	[OPT_DEST_MAC] = { "dest-mac", 0, "MAC",
			   "destination MAC address (see the program's text above)" },
	[OPT_HELP] = { "help", 'h', NULL, "show this help" },
};

/* Is this the mode option that matches the mode a loader starts with? */
static bool is_default_mode(enum option_id id, __u32 flags)
{
	return (id == OPT_AUTO_MODE && !(flags & (XDP_FLAGS_SKB_MODE | XDP_FLAGS_DRV_MODE))) ||
	       (id == OPT_SKB_MODE && (flags & XDP_FLAGS_SKB_MODE)) ||
	       (id == OPT_NATIVE_MODE && (flags & XDP_FLAGS_DRV_MODE));
}

/* The current value of an option, shown as its default in --help. */
static void format_default(enum option_id id, const struct config *cfg, char *buf, size_t len)
{
	buf[0] = '\0';
	switch (id) {
	case OPT_FILENAME:
		snprintf(buf, len, "%s", cfg->filename);
		break;
	case OPT_PROGNAME:
		snprintf(buf, len, "%s", cfg->progname);
		break;
	case OPT_PIN_DIR:
		snprintf(buf, len, "%s", cfg->pin_dir);
		break;
	case OPT_INTERVAL:
		snprintf(buf, len, "%d", cfg->interval);
		break;
	default:
		break;
	}
}

static void print_usage(const char *prog, const char *doc, const enum option_id *accepted,
			const struct config *cfg)
{
	char left[64], def[PATH_MAX + 16];

	printf("Usage: %s [options]\n\n%s\n\nOptions:\n", prog, doc);
	for (const enum option_id *id = accepted; *id != OPT_END; id++) {
		const struct option_info *o = &option_table[*id];

		if (o->short_name)
			snprintf(left, sizeof(left), "-%c, --%s%s%s", o->short_name, o->name,
				 o->arg ? " " : "", o->arg ? o->arg : "");
		else
			snprintf(left, sizeof(left), "    --%s%s%s", o->name, o->arg ? " " : "",
				 o->arg ? o->arg : "");
		format_default(*id, cfg, def, sizeof(def));
		printf("  %-26s %s", left, o->help);
		if (def[0])
			printf(" (default: %s)", def);
		else if (is_default_mode(*id, cfg->xdp_flags))
			printf(" (the default)");
		printf("\n");
	}
}

static void copy_arg(char *dst, size_t len, const char *arg, const char *opt)
{
	if (strlen(arg) >= len) {
		fprintf(stderr,
			"error: the argument of --%s is too long (at most %zu characters)\n", opt,
			len - 1);
		exit(2);
	}
	strcpy(dst, arg);
}

static void apply_option(enum option_id id, const char *arg, struct config *cfg)
{
	char *end;
	long val;

	switch (id) {
	case OPT_DEV:
	case OPT_READ_DEV:
		/* "--dev --force" would take --force for the interface. */
		if (arg[0] == '-') {
			fprintf(stderr,
				"error: --dev takes an interface name, not the option '%s' (see --help)\n",
				arg);
			exit(2);
		}
		copy_arg(cfg->ifname, sizeof(cfg->ifname), arg, "dev");
		break;
	case OPT_SKB_MODE:
		cfg->xdp_flags = XDP_FLAGS_SKB_MODE;
		break;
	case OPT_NATIVE_MODE:
		cfg->xdp_flags = XDP_FLAGS_DRV_MODE;
		break;
	case OPT_AUTO_MODE:
		cfg->xdp_flags = 0;
		break;
	case OPT_FORCE:
		cfg->force = true;
		break;
	case OPT_UNLOAD:
		cfg->unload = true;
		break;
	case OPT_QUIET:
		cfg->quiet = true;
		break;
	case OPT_VERBOSE:
		cfg->verbose = true;
		break;
	case OPT_FILENAME:
		copy_arg(cfg->filename, sizeof(cfg->filename), arg, "filename");
		break;
	case OPT_PROGNAME:
		copy_arg(cfg->progname, sizeof(cfg->progname), arg, "progname");
		break;
	case OPT_PIN_DIR:
		copy_arg(cfg->pin_dir, sizeof(cfg->pin_dir), arg, "pin-dir");
		break;
	case OPT_REDIRECT_DEV:
		copy_arg(cfg->redirect_dev, sizeof(cfg->redirect_dev), arg, "redirect-dev");
		break;
	case OPT_SRC_MAC:
		copy_arg(cfg->src_mac, sizeof(cfg->src_mac), arg, "src-mac");
		break;
	case OPT_DEST_MAC:
		copy_arg(cfg->dest_mac, sizeof(cfg->dest_mac), arg, "dest-mac");
		break;
	case OPT_INTERVAL:
		val = strtol(arg, &end, 10);
		if (*arg == '\0' || *end != '\0' || val < 1 || val > 3600) {
			fprintf(stderr,
				"error: --interval takes whole seconds from 1 to 3600, not '%s'\n",
				arg);
			exit(2);
		}
		cfg->interval = (int)val;
		break;
	default:
		break;
	}
}

/* The option getopt_long() reported in optopt (its short name, or 256 + its id
 * for a long-only one), or NULL.
 */
static const struct option_info *reported_option(const enum option_id *accepted)
{
	for (const enum option_id *a = accepted; *a != OPT_END; a++)
		if (optopt == option_table[*a].short_name || optopt == 256 + (int)*a)
			return &option_table[*a];
	return NULL;
}

/* An unknown option, or one without its argument: say which, as typed. */
static void usage_error(int c, char **argv, const enum option_id *accepted)
{
	const struct option_info *o = reported_option(accepted);
	const char *word = argv[optind - 1];
	char typed[64];

	/* A long option is the word getopt stopped at (the last one it took),
	 * without any "=VALUE"; a short one the character (in "-Sx", x), when
	 * getopt names one in optopt (an unknown long option leaves it 0).
	 */
	if (!strncmp(word, "--", 2) && (!optopt || optopt >= 256 || c == ':' || strchr(word, '=')))
		snprintf(typed, sizeof(typed), "%.*s", (int)strcspn(word, "="), word);
	else
		snprintf(typed, sizeof(typed), "-%c", optopt);
	if (c == ':' && o && o->arg)
		fprintf(stderr, "error: %s needs an argument: %s %s (see --help)\n", typed, typed,
			o->arg);
	else if (o && !o->arg && strchr(word, '='))
		fprintf(stderr, "error: %s takes no argument (see --help)\n", typed);
	else
		fprintf(stderr, "error: unknown option '%s' (see --help)\n", typed);
	exit(2);
}

static bool is_mode(enum option_id id)
{
	return id == OPT_SKB_MODE || id == OPT_NATIVE_MODE || id == OPT_AUTO_MODE;
}

void parse_options(int argc, char **argv, const enum option_id *accepted, struct config *cfg,
		   const char *doc, bool require_dev)
{
	struct option long_opts[OPT_HELP + 2];
	/* A leading ':' tells a missing argument (':') from an unknown option ('?'). */
	char short_opts[2 * OPT_HELP + 3] = ":";
	enum option_id mode = OPT_END;
	int n = 0, s = 1, c;

	for (const enum option_id *id = accepted; *id != OPT_END; id++) {
		const struct option_info *o = &option_table[*id];

		long_opts[n++] = (struct option){ o->name, o->arg ? required_argument : no_argument,
						  NULL,
						  o->short_name ? (int)o->short_name
								: 256 + (int)*id };
		if (o->short_name) {
			short_opts[s++] = o->short_name;
			if (o->arg)
				short_opts[s++] = ':';
		}
	}
	long_opts[n] = (struct option){ 0 };
	short_opts[s] = '\0';

	opterr = 0;
	while ((c = getopt_long(argc, argv, short_opts, long_opts, NULL)) != -1) {
		enum option_id id = OPT_END;

		if (c == '?' || c == ':')
			usage_error(c, argv, accepted);
		for (const enum option_id *a = accepted; *a != OPT_END; a++)
			if (c == option_table[*a].short_name || c == 256 + (int)*a)
				id = *a;
		if (id == OPT_HELP) {
			print_usage(argv[0], doc, accepted, cfg);
			exit(0);
		}
		/* One mode: the kernel could not honour -S and -N together. */
		if (is_mode(id) && mode != OPT_END && mode != id) {
			fprintf(stderr,
				"error: --%s and --%s ask for two modes: give one of -S, -N or -A (see --help)\n",
				option_table[mode].name, option_table[id].name);
			exit(2);
		}
		if (is_mode(id))
			mode = id;
		apply_option(id, optarg, cfg);
	}
	if (optind < argc) {
		fprintf(stderr, "error: unexpected argument '%s' (see --help)\n", argv[optind]);
		exit(2);
	}
	if (require_dev && !cfg->ifname[0]) {
		fprintf(stderr, "error: no interface given: use --dev IFNAME (see --help)\n");
		exit(2);
	}
}
