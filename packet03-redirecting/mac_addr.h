/* SPDX-License-Identifier: GPL-2.0 */
/* MAC addresses as people type them: 02:00:00:00:01:02. */
#ifndef PACKET03_MAC_ADDR_H
#define PACKET03_MAC_ADDR_H

#include "common_kern_user.h"

/* Parse six hex bytes separated by ':' into mac. Returns 0, or -EINVAL (after
 * printing one line that names the option and what was wrong).
 */
int parse_mac(const char *text, const char *option, __u8 mac[MAC_LEN]);

/* Write mac as text into buf (at least 18 bytes). Returns buf. */
char *format_mac(const __u8 mac[MAC_LEN], char *buf);

#endif /* PACKET03_MAC_ADDR_H */
