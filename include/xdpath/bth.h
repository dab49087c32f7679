/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/*
 * InfiniBand Base Transport Header (IBTA vol. 1, 9.2), as carried by RoCEv2.
 * Shared by the steering program and the userspace transport.
 */
#ifndef XDPATH_BTH_H
#define XDPATH_BTH_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

#define XP_BTH_LEN 12

struct xp_bth {
	__u8 opcode;
	__u8 flags; /* SE:1 M:1 PadCnt:2 TVer:4, most significant bit first */
	__be16 pkey;
	__be32 qpn; /* FECN:1 BECN:1 resv:6 DestQP:24 */
	__be32 apsn; /* AckReq:1 resv:7 PSN:24 */
} __attribute__((packed));

#define XP_BTH_TVER_MASK 0x0f
#define XP_BTH_QPN_MASK 0x00ffffff
#define XP_BTH_PSN_MASK 0x00ffffff

_Static_assert(sizeof(struct xp_bth) == XP_BTH_LEN, "BTH is 12 bytes");

#endif /* XDPATH_BTH_H */
