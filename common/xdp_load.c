// SPDX-License-Identifier: GPL-2.0
#define _GNU_SOURCE /* program_invocation_short_name */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <net/if.h>
#include <sys/syscall.h>
#include <linux/capability.h>
#include <linux/if_link.h>
#include <bpf/bpf.h>

#include "xdp_load.h"
#include "bpffs.h"

#ifndef CAP_BPF
#define CAP_BPF 39 /* Linux 5.8; older kernels ask for CAP_SYS_ADMIN instead */
#endif

/* How many lines of the verifier log to show without --verbose: the reason for
 * a rejection is at the end.
 */
#define VERIFIER_TAIL_LINES 20

static bool libbpf_verbose;

/* The kernel's own words for the last netlink request it refused ("Can't
 * replace active BPF XDP link"), which libbpf passes on as a warning. They are
 * kept for the error report that follows (report_error_hint adds them), and
 * dropped when the caller recovers (a --force that detaches and tries again).
 */
static char kernel_reason[256];

static int print_libbpf(enum libbpf_print_level level, const char *fmt, va_list args)
{
	static const char prefix[] = "libbpf: Kernel error message: ";

	if (!strncmp(fmt, prefix, sizeof(prefix) - 1)) {
		vsnprintf(kernel_reason, sizeof(kernel_reason), fmt + sizeof(prefix) - 1, args);
		kernel_reason[strcspn(kernel_reason, "\n")] = '\0';
		return 0;
	}
	if (level > LIBBPF_WARN && !libbpf_verbose)
		return 0;
	return vfprintf(stderr, fmt, args);
}

void setup_libbpf_logging(bool verbose)
{
	libbpf_verbose = verbose;
	libbpf_set_print(print_libbpf);
}

static bool has_capability(int cap)
{
	struct __user_cap_header_struct head = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3] = {};

	if (syscall(SYS_capget, &head, data))
		return false;
	return data[cap / 32].effective & (1U << (cap % 32));
}

int check_privileges(bool attaches)
{
	bool bpf = has_capability(CAP_BPF) || has_capability(CAP_SYS_ADMIN);

	if (bpf && (!attaches || has_capability(CAP_NET_ADMIN)))
		return 0;
	fprintf(stderr, "error: %s needs root (or the capabilities %s): run it with sudo\n",
		program_invocation_short_name, attaches ? "CAP_BPF and CAP_NET_ADMIN" : "CAP_BPF");
	return -EPERM;
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

void report_error_hint(const char *verb, const char *object, int err, const char *hint)
{
	char buf[256];

	fprintf(stderr, "error: %s", verb);
	if (object && object[0])
		fprintf(stderr, " %s", object);
	if (err) {
		libbpf_strerror(err, buf, sizeof(buf));
		fprintf(stderr, ": %s", buf);
	}
	if (kernel_reason[0])
		fprintf(stderr, " (the kernel says: %s)", kernel_reason);
	kernel_reason[0] = '\0';
	fprintf(stderr, "\n");
	if (!hint)
		hint = hint_for(err);
	if (hint && hint[0])
		fprintf(stderr, "hint: %s\n", hint);
}

void report_error(const char *verb, const char *object, int err)
{
	report_error_hint(verb, object, err, NULL);
}

int resolve_ifindex(struct config *cfg)
{
	char what[IF_NAMESIZE + 2];

	cfg->ifindex = if_nametoindex(cfg->ifname);
	if (!cfg->ifindex) {
		snprintf(what, sizeof(what), "'%s'", cfg->ifname);
		report_error_hint("unknown interface", what, -errno, hint_for(-ENODEV));
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

void report_load_error(const char *filename, int err, const char *log, bool verbose)
{
	char what[PATH_MAX + 32];

	if (!log || !log[0]) {
		report_error("load BPF object", filename, err);
		return;
	}
	/* The kernel says EACCES or EINVAL; the log says why. */
	snprintf(what, sizeof(what), "%s: the verifier rejected it", filename);
	report_error_hint("load BPF object", what, err, "");
	print_verifier_log(log, verbose);
}

void report_no_xdp_program(struct bpf_object *obj, const char *filename, const char *name)
{
	struct bpf_program *prog = bpf_object__find_program_by_name(obj, name);
	char what[PATH_MAX + 160], hint[512];
	bool any = false;
	size_t len;

	if (prog) {
		snprintf(what, sizeof(what), "'%s' in %s is not an XDP program (section '%s')",
			 name, filename, bpf_program__section_name(prog));
		report_error_hint("program", what, 0, "put it in SEC(\"xdp\")");
		return;
	}
	snprintf(what, sizeof(what), "named '%s' in %s", name, filename);
	len = snprintf(hint, sizeof(hint), "pick one with --progname; the XDP programs in it are:");
	bpf_object__for_each_program(prog, obj) {
		if (bpf_program__type(prog) != BPF_PROG_TYPE_XDP || len >= sizeof(hint))
			continue;
		len += snprintf(hint + len, sizeof(hint) - len, " %s", bpf_program__name(prog));
		any = true;
	}
	if (!any)
		snprintf(hint + len, sizeof(hint) - len, " none");
	report_error_hint("no XDP program", what, 0, hint);
}

__u32 attached_xdp_prog_id(int ifindex)
{
	LIBBPF_OPTS(bpf_xdp_query_opts, query);

	if (bpf_xdp_query(ifindex, 0, &query))
		return 0;
	if (query.prog_id)
		return query.prog_id;
	/* Programs in both modes at once: prog_id is 0, the mode's ids are not. */
	return query.drv_prog_id ? query.drv_prog_id : query.skb_prog_id;
}

__u32 xdp_link_id(int ifindex)
{
	LIBBPF_OPTS(bpf_xdp_query_opts, query);
	__u32 id = 0;

	/* A link's ifindex is that of its own network namespace: match the
	 * program too, which is attached here.
	 */
	if (bpf_xdp_query(ifindex, 0, &query) || (!query.drv_prog_id && !query.skb_prog_id))
		return 0;
	while (!bpf_link_get_next_id(id, &id)) {
		struct bpf_link_info info = {};
		__u32 len = sizeof(info);
		int fd = bpf_link_get_fd_by_id(id);
		int err;

		if (fd < 0)
			continue;
		err = bpf_obj_get_info_by_fd(fd, &info, &len);
		close(fd);
		if (!err && info.type == BPF_LINK_TYPE_XDP && info.xdp.ifindex == (__u32)ifindex &&
		    (info.prog_id == query.drv_prog_id || info.prog_id == query.skb_prog_id))
			return id;
	}
	return 0;
}

/* Is the link with this id pinned at path? */
static bool link_pinned_at(const char *path, __u32 id)
{
	struct bpf_link_info info = {};
	__u32 len = sizeof(info);
	int fd = bpf_obj_get(path);
	bool same;

	if (fd < 0)
		return false;
	same = !bpf_obj_get_info_by_fd(fd, &info, &len) && info.id == id;
	close(fd);
	return same;
}

void report_xdp_error(const char *verb, const struct config *cfg, int err)
{
	char what[IF_NAMESIZE + 32], hint[PATH_MAX + 256], dir[PATH_MAX], path[PATH_MAX];
	__u32 link = 0;

	snprintf(what, sizeof(what), "%s (ifindex %d)", cfg->ifname, cfg->ifindex);
	if (err == -EBUSY || err == -EEXIST)
		link = xdp_link_id(cfg->ifindex);
	if (!link) {
		report_error(verb, what, err);
		return;
	}
	/* Only the link's owner can take the program away: where the loaders
	 * pin links (DIR/xdp_link), or a process that holds the link open.
	 */
	if (cfg->pin_dir[0])
		snprintf(dir, sizeof(dir), "%s", cfg->pin_dir);
	else
		snprintf(dir, sizeof(dir), "%s/%s", BPFFS_ROOT, cfg->ifname);
	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, XDP_LINK_PIN_NAME) < sizeof(path) &&
	    link_pinned_at(path, link))
		snprintf(hint, sizeof(hint),
			 "a bpf_link (id %u) holds the XDP program on %s, and neither --force nor "
			 "--unload can take it away: remove the link's pin with 'rm %s'",
			 link, cfg->ifname, path);
	else
		snprintf(hint, sizeof(hint),
			 "a bpf_link (id %u) holds the XDP program on %s, and neither --force nor "
			 "--unload can take it away: stop the process that holds it, or remove its "
			 "pin ('bpftool -f link show id %u' shows both)",
			 link, cfg->ifname, link);
	report_error_hint(verb, what, err, hint);
}

int reattach_xdp_other_mode(const struct config *cfg, int prog_fd, __u32 flags)
{
	/* Which mode is in use does not matter: detaching an empty slot does
	 * nothing, and a failure shows in the attach that follows. What the
	 * kernel said about the first attempt no longer applies.
	 */
	kernel_reason[0] = '\0';
	bpf_xdp_detach(cfg->ifindex, XDP_FLAGS_SKB_MODE, NULL);
	bpf_xdp_detach(cfg->ifindex, XDP_FLAGS_DRV_MODE, NULL);
	kernel_reason[0] = '\0';
	return bpf_xdp_attach(cfg->ifindex, prog_fd, flags, NULL);
}

int detach_xdp(const struct config *cfg)
{
	LIBBPF_OPTS(bpf_xdp_query_opts, query);
	__u32 modes[] = { XDP_FLAGS_SKB_MODE, XDP_FLAGS_DRV_MODE };
	bool found = false;
	int err;

	/* The kernel keeps one slot per mode, and a detach with the wrong mode
	 * flag quietly does nothing: ask it first which slots are in use.
	 */
	err = bpf_xdp_query(cfg->ifindex, 0, &query);
	if (err) {
		report_xdp_error("query XDP on", cfg, err);
		return err;
	}
	for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
		__u32 id = modes[i] == XDP_FLAGS_SKB_MODE ? query.skb_prog_id : query.drv_prog_id;

		if (!id || (cfg->xdp_flags && cfg->xdp_flags != modes[i]))
			continue;
		found = true;
		err = bpf_xdp_detach(cfg->ifindex, modes[i], NULL);
		if (err) {
			report_xdp_error("detach XDP from", cfg, err);
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
