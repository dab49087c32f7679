/* SPDX-License-Identifier: GPL-2.0 */
/*
 * xp_rxe: a soft-RoCE device on a netdev, created with
 * `rdma link add NAME type xprxe netdev DEV` and removed with
 * `rdma link delete NAME` or when DEV goes away.
 *
 * Lifetime: ib_core owns the memory (ib_alloc_device); our dealloc_driver
 * drops what the device holds (the netdev) and takes it off the module's
 * list. Every unregistration goes through ib_core (rdma link delete, the
 * queued unregistration on NETDEV_UNREGISTER and at module exit), so the
 * device is freed exactly once.
 */
#ifndef XP_RXE_H
#define XP_RXE_H

#include <linux/list.h>
#include <linux/netdevice.h>
#include <rdma/ib_verbs.h>

#include "xp_env.h"

#include "xp_rdma.h"

#define XP_RXE_LINK_TYPE "xprxe"
#define XP_RXE_PORT 1
/*
 * GID table entries: what ib_core's RoCE GID cache may fill from DEV's
 * addresses, one RoCEv2 GID per address; the core's table
 * (XP_RDMA_GID_TBL_LEN, checked in rxe_host.c) mirrors it.
 */
#define XP_RXE_GID_TABLE 16
/* RoCEv2 headers a packet carries on top of the path MTU: Ethernet..ICRC, IPv6. */
#define XP_RXE_HDR_MAX 80
#define XP_RXE_UDP_PORT 4791

/* Pages one fast-registration MR may map (max_fast_reg_page_list_len). */
#define XP_RXE_MAX_FAST_PAGES 512
/* Inline data per send WQE: the room of 32 SGEs, as in rdma_rxe. */
#define XP_RXE_MAX_INLINE 512u
/* QPs of one device: the core's QPNs qpn_first.. (XP_RDMA_DEFAULT_MAX_QP). */
#define XP_RXE_MAX_QP 256
/*
 * The default first QPN (module parameter qpn_first). An XDP program tells
 * this device's frames from those of an AF_XDP engine on the same netdev by
 * QPN (bpf/xdp_rxe.bpf.c), and the engine numbers its QPs from 17.
 */
#define XP_RXE_QPN_FIRST 0x10000

struct xp_rdma_dev;
struct xp_rdma_dev_stats;
struct xp_sge;
struct rxe_queue_buf;
struct xp_rxe_mmap;
struct xp_pd;
struct xp_mr;
struct xp_cq;
struct xp_qp;

/*
 * A queue shared with a user process in rdma_rxe's layout (struct
 * rxe_queue_buf; rxe_uqueue.c): the process produces into a send or
 * receive queue and consumes from a CQ, we do the other side. The ring's
 * geometry is ours (mask, elem_shift); the copy in the shared page is for
 * the process, which may overwrite it, and is never read back.
 */
struct xp_rxe_uq {
	struct rxe_queue_buf *buf; /* NULL: not a user queue */
	struct xp_rxe_mmap *map; /* what the process maps it through */
	u32 mask; /* slots - 1 */
	u32 elem_shift;
	u32 idx; /* our index: consumer (SQ, RQ) or producer (CQ), masked */
};

struct xp_rxe_ucontext {
	struct ib_ucontext ibuc;
};

struct xp_rxe_pd {
	struct ib_pd ibpd; /* first: ib_core allocates it (INIT_RDMA_OBJ_SIZE) */
	struct xp_pd *pd;
};

struct xp_rxe_mr {
	struct ib_mr ibmr;
	struct xp_mr *mr;
	void **pages; /* fast-reg: the list map_mr_sg built for the next REG_MR */
	u32 npages, max_pages;
	struct ib_umem *umem; /* a user MR's pinned pages */
};

struct xp_rxe_cq {
	struct ib_cq ibcq;
	struct xp_cq *cq;
	struct list_head node; /* on the host's cqs, under its lock */
	bool armed; /* req_notify_cq: call comp_handler at the next completion */
	struct xp_rxe_uq uq; /* a user CQ's ring: the core's completions go there */
};

struct xp_rxe_qp {
	struct ib_qp ibqp;
	struct xp_qp *qp;
	bool sig_all;
	/* A user QP: its rings, and where each WQE is copied to be checked. */
	struct xp_rxe_uq sq, rq;
	void *uwqe; /* one slot of the larger ring */
	u32 max_send_sge, max_recv_sge;
	/*
	 * Inline data: each send ring slot's bytes are copied to the same
	 * slot here, an MR of the QP's PD with no rights beyond local read,
	 * where the core reads them until the WQE completes.
	 */
	u32 max_inline;
	void *uinline;
	struct xp_mr *uinline_mr;
	bool sq_stalled; /* the core's send queue was full: pull again later */
	struct xp_rxe_srq *srq; /* the SRQ it receives from, if any */
	struct list_head unode; /* on the host's uqps, under its lock */
};

struct xp_rxe_ah {
	struct ib_ah ibah;
	u32 ah_num; /* a user AH's number in the device's uahs, else 0 */
	/* The core's address handle (xp_ah_init()): made in atomic context too. */
	u8 ah[XP_AH_STORAGE] __aligned(8);
};

struct xp_rxe_srq {
	struct ib_srq ibsrq; /* first: ib_core allocates it (INIT_RDMA_OBJ_SIZE) */
	struct xp_srq *srq;
	u32 max_sge;
	/* A user SRQ: its ring, and where each WQE is copied to be checked. */
	struct xp_rxe_uq uq;
	void *uwqe;
};

static inline struct xp_rxe_srq *to_xsrq(struct ib_srq *ibsrq)
{
	return container_of(ibsrq, struct xp_rxe_srq, ibsrq);
}

static inline struct xp_rxe_pd *to_xpd(struct ib_pd *ibpd)
{
	return container_of(ibpd, struct xp_rxe_pd, ibpd);
}

static inline struct xp_rxe_mr *to_xmr(struct ib_mr *ibmr)
{
	return container_of(ibmr, struct xp_rxe_mr, ibmr);
}

static inline struct xp_rxe_cq *to_xcq(struct ib_cq *ibcq)
{
	return container_of(ibcq, struct xp_rxe_cq, ibcq);
}

static inline struct xp_rxe_qp *to_xqp(struct ib_qp *ibqp)
{
	return container_of(ibqp, struct xp_rxe_qp, ibqp);
}

static inline struct xp_rxe_ah *to_xah(struct ib_ah *ibah)
{
	return container_of(ibah, struct xp_rxe_ah, ibah);
}

/* The transport core hosted for one device (rxe_host.c). */
struct xp_rxe_host {
	spinlock_t lock; /* the core runs under it, bottom halves off */
	struct xp_rdma_dev *core;
	struct net_device *ndev;
	struct sk_buff_head txq; /* frames the core built, sent after the lock */
	struct sk_buff_head loopq; /* ... for this device itself: back into the core */
	struct list_head cqs; /* the device's CQs (rxe_verbs.c), for notification */
	struct list_head uqps; /* its user QPs (rxe_uverbs.c), for stalled sends */
	struct xp_rxe_qp *qp[XP_RXE_MAX_QP]; /* by QPN - qpn_first */
	u32 qpn_first; /* of this device's QPs; the GSI QP is QPN 1 */
	struct xp_rxe_qp *gsi; /* QPN 1 */
	struct delayed_work dwork; /* the core's next timer */
	unsigned int tx_batch; /* frames queued in this poll */
	unsigned int rx_lent; /* received frames the core keeps */
	bool rx_registered; /* our rx_handler is on ndev (under the RTNL) */
	bool stopping;
	atomic64_t tx_dropped; /* dev_queue_xmit() refused */
	atomic64_t rx_nomem; /* RoCE frames lost before the core: no memory */
	/* Under the lock: frames into the core by the path they took. */
	u64 loopback; /* sent by the device to itself */
	u64 rx_xdp; /* handed over by an XDP program (rxe_xdp.c) */
	u64 rx_handler; /* taken by the rx_handler (no XDP program took them) */
	atomic64_t xdp_declined; /* frames the kfunc gave back: not for this device */
	struct xp_qp_stats qp_gone; /* RC repair counters of destroyed QPs (summed) */
	bool faults_ready; /* rxe_faults.c may set the core's faults (under xp_rxe_lock) */
	bool rx_copy_xdp; /* copy XDP frames, so the core may hold them back (rxe_faults.c) */
	struct xp_sge wr_sge[XP_QP_MAX_SGE]; /* a kernel WR's SGEs, under the lock */
};

/* The host's own counters (xp_rxe_host_stats()). */
struct xp_rxe_host_counts {
	u64 loopback;
	u64 rx_xdp;
	u64 rx_handler;
	u64 xdp_declined;
	/* The RC repair of every QP, live or gone: what loss and reordering cost. */
	u64 retransmits, timeouts, seq_naks_sent, seq_naks_rcvd, dup_requests, out_of_seq;
};

struct xp_rxe_dev {
	struct ib_device ibdev; /* first: ib_alloc_device() */
	struct net_device *ndev; /* held from newlink to dealloc_driver */
	struct list_head list; /* on xp_rxe_devs, under xp_rxe_lock */
	struct ib_device_attr attr;
	bool port_active; /* last port event dispatched: ACTIVE (else ERR) */
	bool unreg_queued; /* an unregistration of ours is queued */
	struct xp_rxe_host host;
	struct rdma_stat_desc *stat_desc; /* the port's counters (rxe_stats.c) */
	struct xarray uahs; /* user AHs by the ah_num their WQEs name (rxe_uverbs.c) */
	unsigned int nstats;
};

static inline struct xp_rxe_dev *to_xdev(struct ib_device *ibdev)
{
	return container_of(ibdev, struct xp_rxe_dev, ibdev);
}

/* rxe_main.c: the module's devices. */
extern struct list_head xp_rxe_devs;
extern struct mutex xp_rxe_lock;
bool xp_rxe_removed(struct xp_rxe_dev *xd);

/* rxe_dev.c: one device. */
int xp_rxe_add(const char *name, struct net_device *ndev);
void xp_rxe_port_update(struct xp_rxe_dev *xd);

/* rxe_host.c: the transport core on the netdev. */
int xp_rxe_host_start(struct xp_rxe_host *xh, struct net_device *ndev, enum ib_mtu mtu);
void xp_rxe_host_detach(struct xp_rxe_host *xh);
void xp_rxe_host_stop(struct xp_rxe_host *xh);
int xp_rxe_host_set_gid(struct xp_rxe_host *xh, unsigned int index, const u8 gid[16]);
void xp_rxe_host_stats(struct xp_rxe_host *xh, struct xp_rdma_dev_stats *st,
		       struct xp_rxe_host_counts *hc);
/* A frame an XDP program hands over (rxe_xdp.c): an XDP_* verdict. */
int xp_rxe_host_xdp_rx(struct net_device *ndev, const u8 *frame, u32 len, bool frags);

/* Under the lock, once the core destroyed a QP: add its last counters to the port's. */
void xp_rxe_host_qp_gone(struct xp_rxe_host *xh, const struct xp_qp_stats *last);

/* rxe_xdp.c: the kfunc XDP programs call. */
int xp_rxe_xdp_register(void);

/* rxe_faults.c: the fault_* module parameters, for a new device. */
void xp_rxe_faults_start(struct xp_rxe_dev *xd);
/* Run verbs on the core: lock, call, unlock (which runs the core's work and sends). */
void xp_rxe_host_lock(struct xp_rxe_host *xh);
void xp_rxe_host_unlock(struct xp_rxe_host *xh);
/* Under the lock: the verbs QP of a QPN, and setting it (NULL: none). */
struct xp_rxe_qp *xp_rxe_host_qp(struct xp_rxe_host *xh, u32 qpn);
void xp_rxe_host_set_qp(struct xp_rxe_host *xh, u32 qpn, struct xp_rxe_qp *qp);

/* rxe_verbs.c: PDs, MRs, CQs, QPs, posting and polling. */
extern const struct ib_device_ops xp_rxe_verbs_ops;
/*
 * A kernel consumer's receive WRs into qp's receive queue, or into srq when
 * it is not NULL, under the host's lock: 0, or the first error and *bad_wr
 * at the WR refused (it and the rest are not posted).
 */
int xp_rxe_post_recvs(struct xp_rxe_host *xh, struct xp_qp *qp, struct xp_srq *srq,
		      const struct ib_recv_wr *wr, const struct ib_recv_wr **bad_wr);
struct ib_mr *xp_rxe_mr_commit(struct xp_rxe_host *xh, struct xp_rxe_mr *mr);

/*
 * Signatures that changed: create_cq's last argument (v6.11: the uverbs
 * attribute bundle, NULL for a kernel CQ), reg_user_mr's DMA handle
 * (v6.17). Debian backports neither, so the version tells.
 */
#include <linux/version.h>
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 11, 0)
#define XP_RXE_CREATE_CQ_LAST_ARG struct uverbs_attr_bundle *attrs
#define XP_RXE_CREATE_CQ_UDATA (attrs != NULL)
#define XP_RXE_CREATE_CQ_UDATA_PTR (&attrs->driver_udata)
#else
#define XP_RXE_CREATE_CQ_LAST_ARG struct ib_udata *udata
#define XP_RXE_CREATE_CQ_UDATA (udata != NULL)
#define XP_RXE_CREATE_CQ_UDATA_PTR udata
#endif
#define XP_RXE_REG_USER_MR_DMAH (LINUX_VERSION_CODE >= KERNEL_VERSION(6, 17, 0))

/* rxe_uqueue.c: rings shared with a process, and their mmap. */
int xp_rxe_uq_init(struct xp_rxe_uq *q, struct ib_udata *udata, u32 min_slots, size_t elem_size,
		   u64 *mmap_offset, u32 *mmap_size);
void xp_rxe_uq_free(struct xp_rxe_uq *q);
void *xp_rxe_uq_next(struct xp_rxe_uq *q); /* consumer: the next slot, NULL if none */
void xp_rxe_uq_consume(struct xp_rxe_uq *q);
void xp_rxe_uq_discard(struct xp_rxe_uq *q); /* consumer: drop every slot posted */
void *xp_rxe_uq_room(struct xp_rxe_uq *q); /* producer: a free slot, NULL if full */
void xp_rxe_uq_produce(struct xp_rxe_uq *q);
bool xp_rxe_uq_empty(struct xp_rxe_uq *q);
extern const struct ib_device_ops xp_rxe_uqueue_ops;

/* rxe_srq.c: shared receive queues. */
extern const struct ib_device_ops xp_rxe_srq_ops;

/* rxe_uverbs.c: user verbs as rdma-core's rxe provider drives them. */
#define XP_RXE_UVERBS_ABI 2 /* rdma_rxe's RXE_UVERBS_ABI_VERSION */
int xp_rxe_ucq_create(struct xp_rxe_cq *cq, struct ib_udata *udata);
int xp_rxe_uah_create(struct xp_rxe_ah *ah, struct ib_udata *udata);
void xp_rxe_uah_destroy(struct xp_rxe_ah *ah);
bool xp_rxe_ucq_flush(struct xp_rxe_cq *cq);
int xp_rxe_uqp_create(struct xp_rxe_qp *qp, struct ib_qp_init_attr *init, struct ib_udata *udata);
void xp_rxe_uqp_free(struct xp_rxe_qp *qp);
int xp_rxe_usq_pull(struct xp_rxe_qp *qp);
void xp_rxe_urq_pull(struct xp_rxe_qp *qp);
void xp_rxe_uqp_reset(struct xp_rxe_qp *qp);
struct ib_mr *xp_rxe_reg_user_mr(struct ib_pd *ibpd, u64 start, u64 length, u64 iova, int access,
#if XP_RXE_REG_USER_MR_DMAH
				 struct ib_dmah *dmah,
#endif
				 struct ib_udata *udata);

/* rxe_stats.c: the port's counters (rdma statistic show link NAME/1). */
int xp_rxe_stats_init(struct xp_rxe_dev *xd);
void xp_rxe_stats_free(struct xp_rxe_dev *xd);
struct rdma_hw_stats *xp_rxe_alloc_port_stats(struct ib_device *ibdev, u32 port);
int xp_rxe_get_hw_stats(struct ib_device *ibdev, struct rdma_hw_stats *stats, u32 port, int index);

#endif /* XP_RXE_H */
