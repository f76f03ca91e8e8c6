// SPDX-License-Identifier: GPL-2.0
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "mac_addr.h"

int parse_mac(const char *text, const char *option, __u8 mac[MAC_LEN])
{
	const char *p = text;

	for (int i = 0; i < MAC_LEN; i++) {
		unsigned int byte = 0;
		int digits = 0;

		while (isxdigit((unsigned char)*p) && digits < 3) {
			byte = byte * 16 + (isdigit((unsigned char)*p) ? *p - '0' :
								  tolower((unsigned char)*p) - 'a' + 10);
			p++;
			digits++;
		}
		if (digits < 1 || digits > 2 || *p != (i < MAC_LEN - 1 ? ':' : '\0')) {
			fprintf(stderr,
				"error: --%s takes a MAC address, six hex bytes separated by ':'"
				" (02:00:00:00:01:02), not '%s'\n",
				option, text);
			return -EINVAL;
		}
		mac[i] = byte;
		p++;
	}
	return 0;
}

char *format_mac(const __u8 mac[MAC_LEN], char *buf)
{
	sprintf(buf, "%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1], mac[2], mac[3], mac[4],
		mac[5]);
	return buf;
}
