/* SPDX-License-Identifier: GPL-2.0 */
/* Pinning an object's maps, and taking them away again, for the loaders of the
 * lessons after basic04. basic04-pinning-maps teaches this (its xdp_loader.c
 * has the same code in the open); the later lessons pin the same way and read
 * it here.
 */
#ifndef COMMON_PINS_H
#define COMMON_PINS_H

#include <bpf/libbpf.h>
#include "options.h"

/* Pin each map of obj (its global variables excepted) at PIN_DIR/MAPNAME,
 * making the directory when needed. A pin an earlier load left there is
 * replaced; a pin of this very map stays; a path that holds something else (a
 * program, a link, a file, a directory) is refused and left alone. Call it
 * after a successful attach, so the pins lead to the maps of the program now
 * attached. Returns 0, or a negative errno (reported).
 */
int pin_object_maps(struct bpf_object *obj, const struct config *cfg);

/* Remove the pins pin_object_maps() makes for obj, then the directory when
 * that empties it. Returns how many pins were removed, or a negative errno
 * (reported).
 */
int unpin_object_maps(struct bpf_object *obj, const struct config *cfg);

/* --unload of a loader that pins: detach the XDP program of cfg->ifindex
 * (reported as a failure when a bpf_link holds it: the pins stay then), and
 * remove the pins of the maps of cfg->filename (opened, not loaded: it names
 * the maps). Returns 0, or a negative errno (reported); -ENOENT when there was
 * neither a program nor a pin.
 */
int unload_xdp_and_pins(const struct config *cfg);

#endif /* COMMON_PINS_H */
