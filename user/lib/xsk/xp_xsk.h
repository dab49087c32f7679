/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * AF_XDP sockets, one per (interface, queue), all on one umem. The first
 * socket uses the umem's own socket; the others share the umem
 * (XDP_SHARED_UMEM). Each distinct (interface, queue) gets its own fill and
 * completion ring; sockets on the same (interface, queue) share them.
 *
 * Data path: frames move between a frame pool (xp_pool.h) and the rings
 * through the calls below, which keep the pool's ownership records:
 *
 *   xp_xsk_fill        pool FREE   -> fill ring        (FILL)
 *   xp_xsk_rx_peek     fill/rx     -> application      (RX)
 *   xp_xsk_rx_release  hand rx ring slots back to the kernel
 *   xp_xsk_tx          APP or RX   -> tx ring          (TX)
 *   xp_xsk_complete    comp ring   -> pool FREE        (via COMP)
 */
#ifndef XP_XSK_H
#define XP_XSK_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>

#include "xp_if_xdp.h"
#include "xp_pool.h"
#include "xp_ring.h"
#include "xp_umem.h"

enum xp_xsk_mode {
	XP_XSK_AUTO = 0, /* zero-copy if the driver can, else copy */
	XP_XSK_COPY,
	XP_XSK_ZEROCOPY, /* fail rather than fall back */
};

/* Descriptors one packet may take (the kernel's limit is 18: MAX_SKB_FRAGS + 1). */
#define XP_XSK_MAX_CHAIN 32

struct xp_xsk_opts {
	size_t sz;
	__u32 rx_size; /* ring sizes: powers of two; 0: 2048 */
	__u32 tx_size;
	__u32 fill_size; /* used when this socket gets its own fill/comp rings */
	__u32 comp_size;
	bool no_rx; /* no rx ring (tx-only socket) */
	bool no_tx; /* no tx ring (rx-only socket) */
	enum xp_xsk_mode mode;
	bool no_need_wakeup; /* need_wakeup is on unless this is set */
	bool use_sg; /* XDP_USE_SG: multi-buffer frames */
	/* Busy polling (SO_PREFER_BUSY_POLL, SO_BUSY_POLL, SO_BUSY_POLL_BUDGET) */
	bool busy_poll;
	__u32 busy_poll_usecs; /* 0: 20 */
	__u32 busy_poll_budget; /* 0: 64 */
	/* Steering: insert the socket into the XSKMAP of the xdp_steer program
	 * attached to the interface, at `slot` (default: the queue index). */
	bool no_steer;
	bool custom_slot;
	__u32 slot;
	/* Frames for the fill ring and completions (required for data path). */
	struct xp_pool *pool;
	size_t : 0;
};

struct xp_xsk;

/* NULL with errno set on failure, after logging why. */
struct xp_xsk *xp_xsk_create(struct xp_umem *umem, int ifindex, __u32 queue,
			     const struct xp_xsk_opts *opts);
void xp_xsk_destroy(struct xp_xsk *xsk);

int xp_xsk_fd(const struct xp_xsk *xsk);
int xp_xsk_ifindex(const struct xp_xsk *xsk);
__u32 xp_xsk_queue(const struct xp_xsk *xsk);
/* The mode actually in effect: XP_XSK_COPY or XP_XSK_ZEROCOPY. */
enum xp_xsk_mode xp_xsk_mode(const struct xp_xsk *xsk);
const char *xp_xsk_mode_str(enum xp_xsk_mode mode);
struct xp_pool *xp_xsk_pool(const struct xp_xsk *xsk);
struct xp_umem *xp_xsk_umem(const struct xp_xsk *xsk);
bool xp_xsk_need_wakeup_enabled(const struct xp_xsk *xsk);

/* The raw rings, for callers that drive them directly. */
struct xp_ring *xp_xsk_rx_ring(struct xp_xsk *xsk);
struct xp_ring *xp_xsk_tx_ring(struct xp_xsk *xsk);
struct xp_ring *xp_xsk_fill_ring(struct xp_xsk *xsk);
struct xp_ring *xp_xsk_comp_ring(struct xp_xsk *xsk);

/* Move up to n frames from the pool to the fill ring; returns how many. */
__u32 xp_xsk_fill(struct xp_xsk *xsk, __u32 n);

/*
 * Peek up to n received descriptors; *idx is the first ring index (read them
 * with xp_xsk_rx_desc). Their frames are now the application's (RX). Each
 * peek must be followed by xp_xsk_rx_release() of the same count once the
 * descriptors have been read (the frames themselves stay RX until freed,
 * recycled to the fill ring or sent). On an XDP_USE_SG socket a peek holds
 * whole packets only, and up to XP_XSK_MAX_CHAIN when n is smaller than
 * the first packet's chain: size arrays for max(n, XP_XSK_MAX_CHAIN).
 */
__u32 xp_xsk_rx_peek(struct xp_xsk *xsk, __u32 n, __u32 *idx);
void xp_xsk_rx_release(struct xp_xsk *xsk, __u32 n);

/* Put RX frames back on the fill ring (or the pool if it is full). */
__u32 xp_xsk_recycle(struct xp_xsk *xsk, const __u64 *addrs, __u32 n);

/*
 * Queue up to n descriptors for transmission; their frames must be in state
 * `from` (XP_OWN_APP or XP_OWN_RX). Kicks the kernel when it asks for it.
 * Returns how many were queued: whole packets only (a chain of descriptors
 * with XDP_PKT_CONTD on all but the last is queued entirely or not at all).
 */
__u32 xp_xsk_tx(struct xp_xsk *xsk, const struct xdp_desc *descs, __u32 n,
		enum xp_frame_owner from);

/* Kick TX (sendto) if the kernel needs it or need_wakeup is off. */
int xp_xsk_kick_tx(struct xp_xsk *xsk);
/* Wake RX processing (recvfrom) when the fill ring asks for it. */
int xp_xsk_kick_rx(struct xp_xsk *xsk);

/* Reap up to n completions and return their frames to the pool. */
__u32 xp_xsk_complete(struct xp_xsk *xsk, __u32 n);

/* Wait for rx (or tx room) with poll(); returns poll()'s result or -errno. */
int xp_xsk_poll(struct xp_xsk *xsk, int timeout_ms);

struct xp_xsk_stats {
	/* Kernel: XDP_STATISTICS */
	__u64 rx_dropped;
	__u64 rx_invalid_descs;
	__u64 tx_invalid_descs;
	__u64 rx_ring_full;
	__u64 rx_fill_ring_empty_descs;
	__u64 tx_ring_empty_descs;
	/* Application. A packet is one descriptor, or with XDP_USE_SG a chain
	 * of them: *_frags count the descriptors that continue into the next
	 * (XDP_PKT_CONTD), *_packets whole packets. tx_completed counts
	 * descriptors (frames): the completion ring knows no packets. */
	__u64 rx_packets;
	__u64 rx_bytes;
	__u64 tx_packets;
	__u64 tx_bytes;
	__u64 tx_completed;
	__u64 fill_submitted;
	__u64 tx_kicks;
	__u64 rx_kicks;
	__u64 tx_ring_full; /* tx calls that found no room */
	__u64 fill_pool_empty; /* fill calls that found the pool empty */
	__u64 rx_frags;
	__u64 tx_frags;
};

/* Application and kernel (XDP_STATISTICS, one getsockopt) counters. */
int xp_xsk_stats(const struct xp_xsk *xsk, struct xp_xsk_stats *stats);
/* Application counters only, no system call (kernel fields are zero). */
const struct xp_xsk_stats *xp_xsk_counters(const struct xp_xsk *xsk);

/* Descriptor at rx ring index idx (hot loops may cache xp_xsk_rx_ring()). */
static inline const struct xdp_desc *xp_xsk_rx_desc(struct xp_xsk *xsk, __u32 idx)
{
	return xp_ring_desc(xp_xsk_rx_ring(xsk), idx);
}

#endif /* XP_XSK_H */
