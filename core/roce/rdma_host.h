/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The seam between the transport core and a host: what a host provides
 * (struct xp_rdma_host_ops) and what it calls (xp_rdma_core_*()).
 *
 * The core knows no sockets, rings or interfaces. Its host
 *   - makes the device (xp_rdma_core_create()) with a name, a MAC, a path
 *     MTU and a GID table, and frees it (xp_rdma_core_destroy());
 *   - hands in every received frame (xp_rdma_core_rx()), from its Ethernet
 *     header on, and lends the core the frames it keeps (a request waiting
 *     for a busy responder, a frame held back by fault injection) until
 *     ops->rx_release(); a host that cannot lend a frame (an XDP buffer)
 *     may copy one the core asks to keep (ops->rx_copy);
 *   - runs the core's pending work and timers (xp_rdma_core_work()) after
 *     each batch of frames and when xp_rdma_core_next_timer() is due;
 *   - gives the core frame buffers to send (ops->tx_alloc/send/abort and
 *     tx_flush at the end of a batch), a monotonic clock (ops->now_ns),
 *     the peer's MAC for an address handle (ops->resolve_mac) and, if it
 *     steers by QPN, hears about QPNs coming and going (ops->qpn_add/del).
 *
 * Everything runs in the host's thread, one device at a time; no op may
 * sleep. MR memory is the caller's registered range, reached through
 * xp_mr_lookup_*() (xp_mr.h): contiguous memory today, a page list when a
 * host needs one.
 */
#ifndef XP_RDMA_HOST_H
#define XP_RDMA_HOST_H

#include "xp_types.h"

#include "xp_rdma.h"

/* A frame buffer the host lends for one outgoing packet. */
struct xp_tx_frame {
	__u8 *data; /* host: room for size bytes */
	__u32 size;
	__u64 cookie; /* host: its handle of the buffer */
	__u8 *payload; /* core: where the payload goes */
	int len; /* core: the packet's length, ICRC included */
};

struct xp_rdma_host_ops {
	/*
	 * A buffer for a packet of len bytes (Ethernet header to ICRC): fill
	 * f->data, f->size (>= len) and f->cookie. -ENOBUFS when none is free,
	 * -EBUSY when the host can build no more such packets right now.
	 */
	int (*tx_alloc)(void *host, struct xp_tx_frame *f, __u32 len);
	/* Queue f (sealed, f->len bytes) for the wire; it is the host's again. */
	void (*tx_send)(void *host, struct xp_tx_frame *f);
	/* Give back a buffer that will not be sent. */
	void (*tx_abort)(void *host, struct xp_tx_frame *f);
	/* Put what tx_send() queued on the wire: 0, or -ENOBUFS (some dropped). */
	int (*tx_flush)(void *host);
	/*
	 * A received frame the core kept (xp_rdma_core_rx() returned true),
	 * or a copy rx_copy() made, is done.
	 */
	void (*rx_release)(void *host, __u64 cookie);
	/*
	 * Optional: a copy of a frame the host does not lend (may_keep false)
	 * that the core wants to keep (a request for a busy responder): set
	 * *copy to len bytes equal to data's and *cookie to the copy's handle;
	 * the copy stays put until rx_release(host, *cookie). 0, or -ENOMEM or
	 * -ENOBUFS (no room: the frame is dropped, and its requester resends
	 * it). Called while the frame is handed in (atomic context in the
	 * kernel); the host's own buffer is still done with on return.
	 */
	int (*rx_copy)(void *host, const void *data, __u32 len, const void **copy, __u64 *cookie);
	/* Monotonic time in nanoseconds. */
	__u64 (*now_ns)(void *host);
	/* The MAC of the neighbour with IP gid (IPv4-mapped or IPv6): 0 or -errno. */
	int (*resolve_mac)(void *host, const __u8 gid[16], __u8 mac[6]);
	/* Optional: frames for qpn must now reach this device (0 or -errno); and no more. */
	int (*qpn_add)(void *host, __u32 qpn);
	void (*qpn_del)(void *host, __u32 qpn);
};

struct xp_rdma_core_attr {
	size_t sz;
	const char *name; /* for messages: the interface, or a test's name */
	__u8 mac[6];
	enum xp_mtu mtu; /* the path MTU the device offers */
	__u32 max_qp; /* 0: XP_RDMA_DEFAULT_MAX_QP */
	const struct xp_rdma_host_ops *ops; /* tx_*, rx_release, now_ns, resolve_mac required */
	void *host; /* the ops' first argument */
	/*
	 * The first QPN (0: XP_RDMA_QPN_FIRST); the device numbers its QPs
	 * qpn_first .. qpn_first + max_qp - 1. Devices that share a netdev (the
	 * kernel device and an AF_XDP engine behind one XDP program) take
	 * disjoint ranges, since the program tells their frames apart by QPN.
	 */
	__u32 qpn_first;
	size_t : 0;
};

/* NULL with errno (EINVAL for a missing op or a bad attribute, ENOMEM). */
struct xp_rdma_dev *xp_rdma_core_create(const struct xp_rdma_core_attr *attr);
/* -EBUSY (nothing freed) while QPs, SRQs, MRs or PDs remain. */
int xp_rdma_core_destroy(struct xp_rdma_dev *dev);
void *xp_rdma_core_host(const struct xp_rdma_dev *dev);
/* The ops it was made with: a host tells its own devices by them. */
const struct xp_rdma_host_ops *xp_rdma_core_ops(const struct xp_rdma_dev *dev);
/* Set GID table entry index (a zero GID clears it): 0 or -EINVAL. */
int xp_rdma_core_set_gid(struct xp_rdma_dev *dev, __u32 index, const __u8 gid[16]);

/*
 * One received frame of len bytes. may_keep: the host can lend the frame
 * (its data stays put until ops->rx_release(host, cookie)); else the core
 * is done with it on return (a frame it must keep it keeps through
 * ops->rx_copy, or drops). Returns true when the core kept it.
 *
 * A host should lend frames only while it keeps enough buffers free for
 * sending: the core keeps requests while a responder streams a READ, and
 * gives them back only once the stream, which needs tx_alloc(), is done.
 * Lending its last buffers starves the stream for good (both hosts here
 * keep a reserve; fuzz_rc_pair found the in-memory net without one).
 */
bool xp_rdma_core_rx(struct xp_rdma_dev *dev, const void *data, __u32 len, __u64 cookie,
		     bool may_keep);
/* The host dropped a frame before handing it in (counted as received). */
void xp_rdma_core_rx_drop(struct xp_rdma_dev *dev, enum xp_rdma_drop why);
/* A frame the host could not send after tx_send() (its ring stayed full). */
void xp_rdma_core_tx_dropped(struct xp_rdma_dev *dev, __u32 n);

/*
 * xp_rdma_core_begin() starts a poll: it reads the clock (the core's "now"
 * until the next begin) and delivers backlogged requests whose responder
 * is free again. xp_rdma_core_work() runs what waits: coalesced ACKs, READ
 * response streams, timers, the requesters' windows; call it after each
 * batch of received frames (or once when none came). The host flushes its
 * transmit queue at the end of its poll.
 */
void xp_rdma_core_begin(struct xp_rdma_dev *dev);
void xp_rdma_core_work(struct xp_rdma_dev *dev);
/*
 * When the core next needs xp_rdma_core_work() without a frame coming in:
 * 0 never (no timer runs), else a time of ops->now_ns() (now or past: at
 * once, e.g. a READ response stream goes on or backlogged frames wait).
 */
__u64 xp_rdma_core_next_timer(struct xp_rdma_dev *dev);

#endif /* XP_RDMA_HOST_H */
