/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * An in-memory network: the second host of the transport core, for fast,
 * deterministic tests and fuzzing. Devices on one net reach each other by
 * MAC; a frame sent is queued and delivered by xp_mem_net_step(), after
 * the net's faults (loss, duplication, reordering, corruption, each in
 * parts per million from a seeded PRNG) and an optional tap that may look
 * at, rewrite or drop it. Time is virtual: it moves only when the caller
 * advances it, or when xp_mem_net_run() jumps to the next timer of an
 * idle net, so a retransmission timeout costs no wall-clock time.
 *
 *	net = xp_mem_net_create(&(struct xp_mem_net_opts){ .sz = ..., .loss_ppm = 10000 });
 *	a = xp_mem_dev_add(net, &ao);	b = xp_mem_dev_add(net, &bo);
 *	... QPs on a and b (xp_rdma.h), post work ...
 *	err = xp_mem_net_run(net, 10 * XP_MEM_SEC, all_done, ctx);
 *
 * Each device may have at most its share of the net's frames in flight
 * (nframes / devices, as a NIC has its own tx ring): one side's
 * retransmissions never leave the other without a frame to answer with.
 *
 * Received frames are lent to a core that keeps them while a quarter of
 * the net's frames stay free; opts.no_lend and opts.rx_copy make a host
 * that never lends and one that copies instead.
 *
 * A net and its devices belong to one thread.
 */
#ifndef XP_MEM_NET_H
#define XP_MEM_NET_H

#include "xp_rdma.h"

#define XP_MEM_SEC 1000000000ull

struct xp_mem_net;

struct xp_mem_net_opts {
	size_t sz;
	__u32 loss_ppm; /* frames thrown away */
	__u32 dup_ppm; /* frames delivered twice */
	__u32 reorder_ppm; /* frames held back behind the next one */
	__u32 corrupt_ppm; /* frames with one bit flipped */
	__u64 seed; /* 0: a fixed default */
	__u32 nframes; /* frames in flight or kept by the cores (default 4096) */
	__u32 frame_size; /* bytes per frame (default 9216: path MTU 4096 fits) */
	/*
	 * Lend no received frame to a core, as xp_rxe's XDP path lends none
	 * (a request for a busy responder is dropped, unless rx_copy)...
	 */
	bool no_lend;
	/*
	 * ...and copy one the core asks to keep into a free frame of the net
	 * (the host op rx_copy), under the reserve lending keeps.
	 */
	bool rx_copy;
	size_t : 0;
};

/* NULL with errno (EINVAL: a fraction above 1000000 or their sum above it). */
struct xp_mem_net *xp_mem_net_create(const struct xp_mem_net_opts *opts);
/* -EBUSY (nothing freed) while devices remain; NULL is a no-op. */
int xp_mem_net_destroy(struct xp_mem_net *net);

struct xp_mem_dev_opts {
	size_t sz;
	const char *name; /* for messages (default "memN") */
	__u8 mac[6]; /* unique on the net, not multicast */
	__be32 ipv4; /* GID index 1 (::ffff:a.b.c.d); 0 for none */
	__u8 ipv6[16]; /* GID index 0; all zero for none */
	enum xp_mtu mtu; /* path MTU (default XP_MTU_1024) */
	__u32 max_qp; /* default XP_RDMA_DEFAULT_MAX_QP */
	__u32 qpn_first; /* the first QPN; default XP_RDMA_QPN_FIRST */
	size_t : 0;
};

/* A device on net; NULL with errno (EINVAL, EEXIST: the MAC is taken). */
struct xp_rdma_dev *xp_mem_dev_add(struct xp_mem_net *net, const struct xp_mem_dev_opts *opts);
/* -EBUSY while QPs, MRs or PDs remain; -EINVAL for a device of another host. */
int xp_mem_dev_remove(struct xp_rdma_dev *dev);

/*
 * The tap sees every frame a device sends, after the net's faults: it may
 * change the frame in place (up to the net's frame_size; *len may change)
 * and returns true to deliver it, false to drop it.
 */
typedef bool (*xp_mem_tap_fn)(void *arg, __u8 *frame, __u32 *len, __u32 size);
void xp_mem_net_set_tap(struct xp_mem_net *net, xp_mem_tap_fn tap, void *arg);

/* Queue a frame as if it came off the wire (to its destination MAC): 0, -ENOBUFS, -EMSGSIZE. */
int xp_mem_net_inject(struct xp_mem_net *net, const void *frame, __u32 len);

/*
 * Deliver up to budget queued frames (frames sent meanwhile wait for the
 * next step) and run every device's pending work. Returns the number of
 * frames delivered or dropped.
 */
int xp_mem_net_step(struct xp_mem_net *net, __u32 budget);
/* Frames queued for delivery. */
__u32 xp_mem_net_pending(const struct xp_mem_net *net);
/* Frame slots not free: queued, held back, or kept by a core (0 when all came back). */
__u32 xp_mem_net_frames_in_use(const struct xp_mem_net *net);

__u64 xp_mem_net_now(const struct xp_mem_net *net);
void xp_mem_net_advance(struct xp_mem_net *net, __u64 ns);

/*
 * Step until done(arg) is true (0), checking it after every step. When no
 * frame is queued, virtual time jumps to the devices' next timer; -ETIME
 * when that passes limit_ns from now, -EDEADLK when nothing is queued, no
 * timer runs and done() is still false.
 */
int xp_mem_net_run(struct xp_mem_net *net, __u64 limit_ns, bool (*done)(void *arg), void *arg);

struct xp_mem_net_stats {
	__u64 sent; /* frames devices sent */
	__u64 injected;
	__u64 delivered; /* handed to a device */
	__u64 lost, duplicated, reordered, corrupted; /* the net's faults */
	__u64 tapped_out; /* dropped by the tap */
	__u64 no_dest; /* no device with the destination MAC */
	__u64 no_frame; /* a device found no free frame to send in */
	__u64 rx_copies; /* frames copied for a core that keeps them (opts.rx_copy) */
};

const struct xp_mem_net_stats *xp_mem_net_stats(const struct xp_mem_net *net);

#endif /* XP_MEM_NET_H */
