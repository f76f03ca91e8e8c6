/* SPDX-License-Identifier: GPL-2.0 */
/* Load, attach and detach XDP programs, with errors that say what to do. */
#ifndef COMMON_XDP_LOAD_H
#define COMMON_XDP_LOAD_H

#include <bpf/libbpf.h>
#include "options.h"

/* Show libbpf's own messages only with --verbose. */
void setup_libbpf_logging(bool verbose);

/* Print "error: VERB OBJECT: strerror(err)" and, on a second line, a hint for
 * the errors students meet most (EPERM, EOPNOTSUPP, EBUSY/EEXIST, ENOENT...).
 * err is a negative errno, as libbpf 1.x returns it.
 */
void report_error(const char *verb, const char *object, int err);

/* Print a verifier log to stderr: its last lines (where the reason for a
 * rejection is) and how to see the rest, or all of it when verbose.
 */
void print_verifier_log(const char *log, bool verbose);

/* Resolve cfg->ifname into cfg->ifindex; 0 on success, -ENODEV (reported) otherwise. */
int resolve_ifindex(struct config *cfg);

/* Open cfg->filename and load every program and map in it into the kernel.
 * On a verifier rejection the tail of the verifier log is printed (all of it
 * with cfg->verbose). Returns NULL (reported) on failure.
 */
struct bpf_object *load_bpf_object(const struct config *cfg);

/* The same in two steps, for a loader that has something to tell libbpf in
 * between (bpf_map__reuse_fd, bpf_map__set_pin_path...): open_bpf_object
 * returns NULL (reported) on failure; load_opened_object returns 0 or a
 * negative errno (reported) and leaves closing obj to the caller.
 */
struct bpf_object *open_bpf_object(const struct config *cfg);
int load_opened_object(struct bpf_object *obj, const struct config *cfg);

/* Find the XDP program called name (its C function name) in obj. When there is
 * none, list the XDP programs the object has and return NULL.
 */
struct bpf_program *find_xdp_program(struct bpf_object *obj, const char *filename,
				     const char *name);

/* Attach prog to cfg->ifindex in the mode cfg asks for. Refuses to replace an
 * attached program unless cfg->force. Returns 0 or a negative errno (reported).
 */
int attach_xdp(const struct bpf_program *prog, const struct config *cfg);

/* Detach whatever XDP program cfg->ifindex has (in the mode cfg asks for, or
 * any mode). Returns 0, or -ENOENT (reported) when nothing was attached.
 */
int detach_xdp(const struct config *cfg);

/* The id of the XDP program attached to ifindex in any mode, 0 if none. */
__u32 attached_xdp_prog_id(int ifindex);

#endif /* COMMON_XDP_LOAD_H */
