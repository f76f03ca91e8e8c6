/* SPDX-License-Identifier: GPL-2.0 */
/* What xdp_prog.bpf.c and its user-space programs agree on. */
#ifndef PACKET03_COMMON_KERN_USER_H
#define PACKET03_COMMON_KERN_USER_H

#include <linux/types.h>

#define MAC_LEN 6 /* ETH_ALEN: bytes in a MAC address */

/* The settings of xdp_redirect_func: read-only for the program, written by the
 * loader between open and load. It sits alone in its section, .rodata.redirect,
 * so that the loader finds it at the start of that section's data.
 */
struct redirect_cfg {
	__u32 ifindex;		 /* the interface frames are sent out of */
	__u8 src_mac[MAC_LEN];	 /* the MAC addresses they leave with */
	__u8 dest_mac[MAC_LEN];
};

#endif /* PACKET03_COMMON_KERN_USER_H */
