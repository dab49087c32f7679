/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The RDMA device over one interface queue: the AF_XDP host of the
 * transport core (xp_rdma.h has the device's verbs).
 *
 * The device owns a umem, its frame pool and one AF_XDP socket on (ifname,
 * queue). It attaches the xdp_steer program unless ours is there already,
 * puts the socket into the XSKMAP slot of its queue and steers each QPN it
 * hands out to that slot. Nothing runs in the background: the caller
 * drives the device with xp_rdma_dev_poll(), which reaps tx completions,
 * refills the fill ring, and parses and delivers received frames.
 * The GID table holds the interface's addresses (xp_rdma.h says in which
 * order) and the path MTU follows the interface's MTU.
 */
#ifndef XP_RDMA_XSK_H
#define XP_RDMA_XSK_H

#include "xp_rdma.h"
#include "xp_xdp.h"
#include "xp_xsk.h"

struct xp_rdma_dev_opts {
	size_t sz;
	__u32 queue; /* rx/tx queue of the interface (default 0) */
	__u32 nframes; /* umem frames (default 2048) */
	__u32 frame_size; /* umem chunk size (default 4096) */
	__u32 ring_size; /* rx, tx and completion rings (default 512) */
	__u32 max_qp; /* QPs (default XP_RDMA_DEFAULT_MAX_QP) */
	enum xp_attach_mode attach_mode; /* for xdp_steer when we attach it */
	/* AF_XDP bind: zero-copy where the driver can (default), or forced
	 * either way (XP_XSK_ZEROCOPY fails where the driver cannot). */
	enum xp_xsk_mode xsk_mode;
	size_t : 0;
};

/* NULL with errno on failure, after logging why. */
struct xp_rdma_dev *xp_rdma_dev_open(const char *ifname, const struct xp_rdma_dev_opts *opts);
/* -EBUSY (nothing freed) while QPs, MRs or PDs remain; NULL is a no-op. */
int xp_rdma_dev_close(struct xp_rdma_dev *dev);

int xp_rdma_dev_ifindex(const struct xp_rdma_dev *dev);
/* The AF_XDP mode in effect: XP_XSK_COPY or XP_XSK_ZEROCOPY. */
enum xp_xsk_mode xp_rdma_dev_xsk_mode(const struct xp_rdma_dev *dev);

/*
 * Reap tx completions, refill the fill ring and process up to budget
 * received frames. Returns the number of frames received (0 if none).
 */
int xp_rdma_dev_poll(struct xp_rdma_dev *dev, __u32 budget);
/*
 * Wait up to timeout_ms for received frames, less when a QP's timer
 * (retransmission, RNR back-off) is due earlier; poll()'s result or -errno.
 */
int xp_rdma_dev_wait(struct xp_rdma_dev *dev, int timeout_ms);

/*
 * The counters of the device's AF_XDP socket (struct xp_xsk_stats in
 * xp_xsk.h, filled by xp_xsk_stats()): the kernel's XDP_STATISTICS and
 * the socket layer's own. Frames the kernel threw away before the device
 * saw them show here and nowhere in struct xp_rdma_dev_stats: rx_ring_full
 * (the rx ring had no room), rx_dropped (copy mode: no fill ring frame,
 * which rx_fill_ring_empty_descs counts too; or too long). Counts since
 * the device was opened. 0, or -errno (-EINVAL for a NULL argument).
 */
int xp_rdma_dev_xsk_stats(const struct xp_rdma_dev *dev, struct xp_xsk_stats *stats);

#endif /* XP_RDMA_XSK_H */
