/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The AF_XDP rules that differ between kernels, as the running kernel
 * applies them.
 *
 * Most XDP_UMEM_REG and bind rules are the same on every kernel we run on
 * (6.1 to 6.18 and newer); those are written down in xsk_umem.c and
 * xsk_socket.c. A few changed over time, and some kernel builds differ even
 * within one series: for those the library asks the running kernel once, on
 * throw-away sockets (a one-page umem registration, a bind to no device), and
 * keeps the answer for the process. docs/xsk.md has the table of both kinds.
 */
#ifndef XP_XSK_RULES_H
#define XP_XSK_RULES_H

#include <stdbool.h>
#include <linux/types.h>

/* tx_metadata_len values: multiples of 8 below 256, bit i is 8 * i. */
#define XP_TX_META_LENS 32

struct xp_xsk_rules {
	/*
	 * true: the values below are the running kernel's answers. false:
	 * AF_XDP sockets cannot be used here (probe_err says why) and the
	 * values are the newest rules we know.
	 */
	bool probed;
	int probe_err;
	char release[65]; /* uname -r of the kernel asked */
	__u32 umem_flags; /* XDP_UMEM_* flags the kernel knows */
	/* largest headroom = chunk size - headroom_reserve */
	__u32 headroom_reserve;
	/* bit i set: XDP_UMEM_TX_METADATA_LEN takes tx_metadata_len 8 * i */
	__u32 tx_meta_lens;
	__u16 bind_flags; /* XDP_* sxdp_flags the kernel knows */
};

/* The running kernel's rules, probed on first use; never NULL. */
const struct xp_xsk_rules *xp_xsk_rules(void);

#endif /* XP_XSK_RULES_H */
