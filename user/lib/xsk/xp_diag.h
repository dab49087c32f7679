/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * AF_XDP sockets as the kernel's sock_diag (xdp_diag) reports them, the
 * source `ss --xdp` reads: which sockets are bound to an interface, on which
 * queue, with which rings and umem, and whether in zero-copy mode. Only the
 * caller's network namespace is visible. Kernels built without
 * CONFIG_XDP_SOCKETS_DIAG cannot answer: the call fails with -EOPNOTSUPP.
 */
#ifndef XP_DIAG_H
#define XP_DIAG_H

#include <stdbool.h>
#include <linux/types.h>

struct xp_xsk_diag {
	__u32 ino; /* socket inode, as in /proc/PID/fd -> socket:[ino] */
	__u64 cookie; /* socket cookie (SO_COOKIE) */
	__u32 ifindex; /* 0: not bound */
	__u32 queue_id;
	bool has_uid;
	__u32 uid;
	/* Ring sizes in descriptors; 0 when the socket has no such ring. */
	__u32 rx_ring;
	__u32 tx_ring;
	__u32 fill_ring;
	__u32 comp_ring;
	bool has_umem; /* the umem fields below are valid */
	bool zerocopy; /* the umem is in zero-copy mode (else copy) */
	__u32 umem_id;
	__u64 umem_size; /* bytes */
	__u32 umem_num_pages;
	__u32 umem_chunk_size;
	__u32 umem_headroom;
	__u32 umem_refs; /* sockets sharing the umem */
	bool has_stats; /* the counters below are valid */
	__u64 rx_dropped;
	__u64 rx_invalid;
	__u64 rx_full;
	__u64 fill_ring_empty;
	__u64 tx_invalid;
	__u64 tx_ring_empty;
};

/*
 * List the AF_XDP sockets bound to ifindex (0: every socket, bound or not).
 * Fills at most max entries of socks (NULL only with max 0) and returns how
 * many sockets matched, which may be more than max; or -errno:
 * -EOPNOTSUPP when the kernel has no xdp_diag.
 */
int xp_xsk_diag_list(int ifindex, struct xp_xsk_diag *socks, int max);

#endif /* XP_DIAG_H */
