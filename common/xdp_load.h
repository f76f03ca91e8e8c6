/* SPDX-License-Identifier: GPL-2.0 */
/* What every XDP loader needs around the libbpf calls it teaches: errors that say
 * what to do, libbpf's messages, the verifier log, and XDP state to report.
 *
 * The libbpf lifecycle itself (bpf_object__open_file, bpf_object__find_program_by_name,
 * bpf_object__load, bpf_xdp_attach, bpf_map_lookup_elem...) is not here: it stands in
 * each lesson's main(), each call followed by one of the reports below.
 */
#ifndef COMMON_XDP_LOAD_H
#define COMMON_XDP_LOAD_H

#include <stdbool.h>
#include <bpf/libbpf.h>
#include "options.h"

/* libbpf's warnings always reach stderr, its info and debug output only with
 * verbose (--verbose). One warning waits instead: the kernel's own reason for
 * a refused netlink request (an XDP attach or detach), which the next error
 * report adds to its line: "... Device or resource busy (the kernel says:
 * Can't replace active BPF XDP link)".
 */
void setup_libbpf_logging(bool verbose);

/* Loading, attaching and reading BPF objects needs root: CAP_BPF (or
 * CAP_SYS_ADMIN) and, to attach, CAP_NET_ADMIN too. When this process lacks
 * them, say so in one line and return -EPERM; call it before doing anything.
 */
int check_privileges(bool attaches);

/* Print "error: VERB OBJECT: strerror(err)" (with the kernel's reason, when it
 * gave one) and, on a second line, "hint: HINT". err is a negative errno, as
 * libbpf 1.x returns it, or 0 for an error that has none (then no strerror).
 * A NULL hint takes the hint of the errno table (EPERM, EOPNOTSUPP,
 * EBUSY/EEXIST, ENOENT, ENODEV...), if any; "" gives no hint line.
 */
void report_error_hint(const char *verb, const char *object, int err, const char *hint);

/* report_error_hint() with the errno table's hint. */
void report_error(const char *verb, const char *object, int err);

/* The hint for a bpf_object__open_file() that failed. */
#define OPEN_OBJECT_HINT \
	"build it with 'make' (an ELF object from 'clang -target bpf'), or name another with --filename"

/* The verifier log, one mechanism for every loader. The kernel writes its log
 * into a buffer that bpf_object__open_file() is given, and libbpf fills it only
 * when a load fails:
 *
 *	static char log_buf[VERIFIER_LOG_SIZE];
 *	LIBBPF_OPTS(bpf_object_open_opts, open_opts, .kernel_log_buf = log_buf,
 *		    .kernel_log_size = sizeof(log_buf));
 *	obj = bpf_object__open_file(cfg.filename, &open_opts);
 *	...
 *	err = bpf_object__load(obj);
 *	if (err)
 *		report_load_error(cfg.filename, err, log_buf, cfg.verbose);
 *
 * (A skeleton takes the same options: NAME__open_opts(&open_opts).)
 */
#define VERIFIER_LOG_SIZE (1 << 20)

/* Report a failed bpf_object__load(): when the verifier left a log, say it
 * rejected the object and show the log (print_verifier_log); otherwise
 * report_error() with the errno table's hint.
 */
void report_load_error(const char *filename, int err, const char *log, bool verbose);

/* Print a verifier log to stderr: its last lines (where the reason for a
 * rejection is) and how to see the rest, or all of it when verbose.
 */
void print_verifier_log(const char *log, bool verbose);

/* For a bpf_object__find_program_by_name() that found no XDP program called
 * name: say whether there is none of that name (and list the XDP programs obj
 * has) or the one there is not an XDP program (and in which section it is).
 */
void report_no_xdp_program(struct bpf_object *obj, const char *filename, const char *name);

/* Resolve cfg->ifname into cfg->ifindex; 0 on success, -ENODEV (reported) otherwise. */
int resolve_ifindex(struct config *cfg);

/* Report a failed XDP attach or detach on cfg's interface ("VERB IFNAME
 * (ifindex N)"). When a bpf_link holds the program there, the hint says so and
 * how to remove it (the link's pin, or the process that holds it), as --force
 * cannot; otherwise the errno table's hint.
 */
void report_xdp_error(const char *verb, const struct config *cfg, int err);

/* For --force, when bpf_xdp_attach() said EEXIST: a program is attached in the
 * other mode (native and generic XDP cannot be active together). Detach what
 * the interface has, in every mode, and call bpf_xdp_attach(prog_fd, flags)
 * again. Returns what that returns (unreported).
 */
int reattach_xdp_other_mode(const struct config *cfg, int prog_fd, __u32 flags);

/* Detach whatever XDP program cfg->ifindex has (in the mode cfg asks for, or
 * any mode). Returns 0, or a negative errno (reported, with the bpf_link hint
 * of report_xdp_error); -ENOENT when nothing was attached.
 */
int detach_xdp(const struct config *cfg);

/* The id of the XDP program attached to ifindex in any mode, 0 if none. */
__u32 attached_xdp_prog_id(int ifindex);

/* The id of the bpf_link that holds the XDP program of ifindex, 0 if none. */
__u32 xdp_link_id(int ifindex);

#endif /* COMMON_XDP_LOAD_H */
