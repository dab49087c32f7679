/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * XDP programs on interfaces, whichever of our programs they are (steering,
 * references) and whoever attached them: the attach modes, and which
 * program is attached to an interface in which mode.
 */
#ifndef XP_XDP_H
#define XP_XDP_H

#include <linux/types.h>

enum xp_attach_mode {
	XP_ATTACH_AUTO = 0, /* native, falling back to generic */
	XP_ATTACH_NATIVE, /* driver mode (XDP_FLAGS_DRV_MODE) */
	XP_ATTACH_GENERIC, /* skb mode (XDP_FLAGS_SKB_MODE) */
};

/* "native", "generic" or "auto" (also for values it does not know). */
const char *xp_attach_mode_str(enum xp_attach_mode mode);

/*
 * The XDP program attached to ifindex: its id (0 when there is none) and
 * mode. A hardware-offloaded program is not reported. 0 or -errno, with a
 * message, when the kernel cannot be asked.
 */
int xp_xdp_query(int ifindex, __u32 *prog_id, enum xp_attach_mode *mode);

#endif /* XP_XDP_H */
