// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <net/if.h>
#include <linux/if_link.h>
#include <bpf/bpf.h>

#include "xdp_load.h"

/* How many lines of the verifier log to show without --verbose: the reason for
 * a rejection is at the end.
 */
#define VERIFIER_TAIL_LINES 20
#define VERIFIER_LOG_SIZE (1 << 20)

static int print_all(enum libbpf_print_level level, const char *fmt, va_list args)
{
	return vfprintf(stderr, fmt, args);
}

static int print_nothing(enum libbpf_print_level level, const char *fmt, va_list args)
{
	return 0;
}

void setup_libbpf_logging(bool verbose)
{
	libbpf_set_print(verbose ? print_all : print_nothing);
}

static const char *hint_for(int err)
{
	switch (err) {
	case -EPERM:
	case -EACCES:
		return "BPF needs root (or CAP_BPF and CAP_NET_ADMIN): run it with sudo";
	case -EOPNOTSUPP:
		return "this interface does not support the mode asked for: try --skb-mode (generic XDP)";
	case -EBUSY:
	case -EEXIST:
		return "another XDP program is attached: use --force to replace it or --unload to remove it";
	case -ENOENT:
		return "nothing there yet: check the name, or run the step that creates it first";
	case -ENODEV:
		return "no such interface: list them with 'ip link' (a lab's interface exists only while the lab does)";
	case -EINVAL:
		return "run again with --verbose to see libbpf's messages";
	default:
		return NULL;
	}
}

void report_error(const char *verb, const char *object, int err)
{
	char buf[256];
	const char *hint = hint_for(err);

	libbpf_strerror(err, buf, sizeof(buf));
	fprintf(stderr, "error: %s %s: %s\n", verb, object, buf);
	if (hint)
		fprintf(stderr, "hint: %s\n", hint);
}

int resolve_ifindex(struct config *cfg)
{
	cfg->ifindex = if_nametoindex(cfg->ifname);
	if (!cfg->ifindex) {
		fprintf(stderr, "error: unknown interface '%s': %s\n", cfg->ifname,
			strerror(errno));
		fprintf(stderr, "hint: %s\n", hint_for(-ENODEV));
		return -ENODEV;
	}
	return 0;
}

/* Print the last lines of a verifier log: that is where the reason is. */
static void print_log_tail(const char *log, int lines)
{
	const char *p = log + strlen(log);

	while (p > log && p[-1] == '\n')
		p--;
	while (p > log && lines > 0) {
		p--;
		if (*p == '\n')
			lines--;
	}
	if (*p == '\n')
		p++;
	fprintf(stderr, "%s\n", p);
}

void print_verifier_log(const char *log, bool verbose)
{
	if (!log || !log[0])
		return;
	if (verbose) {
		fprintf(stderr, "All of the verifier's log:\n%s", log);
		return;
	}
	fprintf(stderr, "The end of the verifier's log:\n");
	print_log_tail(log, VERIFIER_TAIL_LINES);
	fprintf(stderr, "(run again with --verbose to see the whole log)\n");
}

struct bpf_object *open_bpf_object(const struct config *cfg)
{
	struct bpf_object *obj;

	if (access(cfg->filename, R_OK)) {
		fprintf(stderr, "error: open BPF object %s: %s\n", cfg->filename, strerror(errno));
		fprintf(stderr, "hint: build it with 'make', or name another with --filename\n");
		return NULL;
	}
	obj = bpf_object__open_file(cfg->filename, NULL);
	if (!obj) {
		report_error("open BPF object", cfg->filename, -errno);
		fprintf(stderr, "hint: is it an ELF object built with 'clang -target bpf'?\n");
	}
	return obj;
}

int load_opened_object(struct bpf_object *obj, const struct config *cfg)
{
	struct bpf_program *prog;
	char *log_buf;
	int err;

	/* libbpf fills this buffer with the verifier log only when a load
	 * fails, so it costs nothing on success. Loading stops at the first
	 * program rejected, so the programs can share it.
	 */
	log_buf = calloc(1, VERIFIER_LOG_SIZE);
	if (!log_buf) {
		report_error("allocate", "the verifier log buffer", -ENOMEM);
		return -ENOMEM;
	}
	bpf_object__for_each_program(prog, obj) {
		err = bpf_program__set_log_buf(prog, log_buf, VERIFIER_LOG_SIZE);
		if (err) {
			report_error("set the verifier log buffer of", bpf_program__name(prog),
				     err);
			goto out;
		}
	}

	err = bpf_object__load(obj);
	if (err && log_buf[0]) {
		/* The kernel says EACCES or EINVAL; the log says why. */
		fprintf(stderr, "error: load BPF object %s: the verifier rejected it: %s\n",
			cfg->filename, strerror(-err));
		print_verifier_log(log_buf, cfg->verbose);
	} else if (err) {
		report_error("load BPF object", cfg->filename, err);
	}
out:
	free(log_buf);
	return err;
}

struct bpf_object *load_bpf_object(const struct config *cfg)
{
	struct bpf_object *obj = open_bpf_object(cfg);

	if (obj && load_opened_object(obj, cfg)) {
		bpf_object__close(obj);
		obj = NULL;
	}
	return obj;
}

struct bpf_program *find_xdp_program(struct bpf_object *obj, const char *filename, const char *name)
{
	struct bpf_program *prog = bpf_object__find_program_by_name(obj, name);

	if (prog && bpf_program__type(prog) == BPF_PROG_TYPE_XDP)
		return prog;

	fprintf(stderr, "error: no XDP program named '%s' in %s\n", name, filename);
	fprintf(stderr, "hint: pick one with --progname; the XDP programs in it are:");
	bpf_object__for_each_program(prog, obj)
		if (bpf_program__type(prog) == BPF_PROG_TYPE_XDP)
			fprintf(stderr, " %s", bpf_program__name(prog));
	fprintf(stderr, "\n");
	return NULL;
}

__u32 attached_xdp_prog_id(int ifindex)
{
	LIBBPF_OPTS(bpf_xdp_query_opts, query);

	if (bpf_xdp_query(ifindex, 0, &query))
		return 0;
	return query.prog_id;
}

int attach_xdp(const struct bpf_program *prog, const struct config *cfg)
{
	__u32 flags = cfg->xdp_flags;
	int prog_fd = bpf_program__fd(prog);
	int err;

	/* Without this flag the kernel silently replaces an attached program. */
	if (!cfg->force)
		flags |= XDP_FLAGS_UPDATE_IF_NOEXIST;

	err = bpf_xdp_attach(cfg->ifindex, prog_fd, flags, NULL);
	if ((err == -EEXIST || err == -EBUSY) && cfg->force) {
		/* The kernel cannot replace a program attached in another mode
		 * (native and generic XDP cannot be active together): detach
		 * whatever is there, then try once more.
		 */
		bpf_xdp_detach(cfg->ifindex, XDP_FLAGS_SKB_MODE, NULL);
		bpf_xdp_detach(cfg->ifindex, XDP_FLAGS_DRV_MODE, NULL);
		err = bpf_xdp_attach(cfg->ifindex, prog_fd, flags, NULL);
	}
	if (err == -EBUSY && cfg->force) {
		/* Still busy after the detach: only a bpf_link can do that. */
		fprintf(stderr, "error: attach XDP to %s (ifindex %d): %s\n", cfg->ifname,
			cfg->ifindex, strerror(-err));
		fprintf(stderr,
			"hint: a bpf_link holds the program there, which --force cannot "
			"replace: remove the link's pin, or stop the process that holds it\n");
	} else if (err) {
		char what[IF_NAMESIZE + 32];

		snprintf(what, sizeof(what), "%s (ifindex %d)", cfg->ifname, cfg->ifindex);
		report_error("attach XDP to", what, err);
	}
	return err;
}

int detach_xdp(const struct config *cfg)
{
	__u32 modes[] = { XDP_FLAGS_SKB_MODE, XDP_FLAGS_DRV_MODE };
	bool found = false;
	int err = 0;

	for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
		__u32 prog_id = 0;

		if (cfg->xdp_flags && cfg->xdp_flags != modes[i])
			continue;
		if (bpf_xdp_query_id(cfg->ifindex, modes[i], &prog_id) || !prog_id)
			continue;
		found = true;
		err = bpf_xdp_detach(cfg->ifindex, modes[i], NULL);
		if (err) {
			report_error("detach XDP from", cfg->ifname, err);
			return err;
		}
	}
	if (!found) {
		fprintf(stderr, "error: no XDP program is attached to %s%s: nothing to unload\n",
			cfg->ifname, cfg->xdp_flags ? " in that mode" : "");
		return -ENOENT;
	}
	return 0;
}
