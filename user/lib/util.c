// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Interface names, for the library's argument checks and messages. */
#include <errno.h>
#include <net/if.h>
#include <stdio.h>

#include "xp_internal.h"

const char *xp_ifname(int ifindex, char *buf)
{
	if (!if_indextoname(ifindex, buf))
		snprintf(buf, IF_NAMESIZE, "if%d", ifindex % 1000000000);
	return buf;
}

int xp_ifindex_name(int ifindex, char *buf)
{
	if (ifindex <= 0 || !if_indextoname(ifindex, buf)) {
		pr_warn("there is no interface with index %d in this network namespace\n", ifindex);
		return -ENODEV;
	}
	return 0;
}
