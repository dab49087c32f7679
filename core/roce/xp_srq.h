/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Shared receive queues (ibv_create_srq, ibv_modify_srq, ibv_post_srq_recv),
 * modelled on Linux rdma_rxe (rxe_srq.c, get_srq_wqe() in rxe_resp.c).
 *
 * An SRQ holds receive WQEs for any number of RC and UD QPs of its device
 * (xp_qp_init_attr.srq). Such a QP has no receive queue of its own: an RC
 * QP takes a WQE from the SRQ at the first packet of a SEND (or at the
 * packet of a WRITE_WITH_IMM that carries the immediate) and keeps it until
 * the message's last packet; a UD QP takes one per datagram. An empty SRQ
 * gets the RNR NAK an empty receive queue gets.
 *
 * Limit: while srq_limit is not 0 the SRQ is armed; when taking a WQE
 * leaves fewer than srq_limit posted, event_cb gets
 * XP_EVENT_SRQ_LIMIT_REACHED once and the limit drops to 0 (disarmed),
 * as rxe does. xp_srq_modify(XP_SRQ_LIMIT) arms it again.
 *
 * A QP moving to ERR flushes only the WQE it took and had not completed
 * (WR_FLUSH_ERR on its receive CQ); the SRQ's WQEs stay for the other QPs,
 * and the QP's event_cb gets XP_EVENT_QP_LAST_WQE_REACHED (IBTA 10.2.9.5,
 * 11.5.2: the QP will take no more WQEs from the SRQ).
 *
 * The WQEs' lkeys are checked at posting against the SRQ's PD, and placed
 * through it. Event callbacks run inside the core call that raised them
 * (a device poll, a post or a modify): they must not call back into the
 * device. Threading: an SRQ belongs to its device's thread (or lock), like
 * the device's QPs (xp_rdma.h).
 */
#ifndef XP_SRQ_H
#define XP_SRQ_H

#include "xp_types.h"

#include "xp_rdma.h"

/* Largest max_wr and max_sge of an SRQ: the device's QP limits. */
#define XP_SRQ_MAX_WR XP_QP_MAX_WR
#define XP_SRQ_MAX_SGE XP_QP_MAX_SGE

/* Which xp_srq_attr fields a modify sets: enum ibv_srq_attr_mask values. */
enum xp_srq_attr_mask {
	XP_SRQ_MAX_WR_MASK = 1 << 0, /* resize */
	XP_SRQ_LIMIT = 1 << 1, /* arm the limit event */
};

/* struct ibv_srq_attr. */
struct xp_srq_attr {
	__u32 max_wr; /* WQEs it holds: 1..XP_SRQ_MAX_WR */
	__u32 max_sge; /* SGEs per WQE: 1..XP_SRQ_MAX_SGE; fixed at creation */
	__u32 srq_limit; /* 0 (disarmed) .. max_wr */
};

struct xp_srq;

typedef void (*xp_srq_event_fn)(struct xp_srq *srq, enum xp_event_type event, void *srq_context);

struct xp_srq_opts {
	size_t sz;
	void *srq_context; /* returned by xp_srq_context() and to event_cb */
	xp_srq_event_fn event_cb; /* XP_EVENT_SRQ_LIMIT_REACHED; may be NULL */
	size_t : 0;
};

/*
 * ibv_create_srq on pd, a PD of dev's. NULL with errno: EINVAL (NULL dev,
 * pd or attr, pd of another device, max_wr or max_sge 0 or above the
 * limits, srq_limit above max_wr, bad opts), ENOMEM. attr->srq_limit not 0
 * arms the limit at once.
 */
struct xp_srq *xp_srq_create(struct xp_rdma_dev *dev, struct xp_pd *pd,
			     const struct xp_srq_attr *attr, const struct xp_srq_opts *opts);

/*
 * xp_srq_create() in two steps, for a host that runs the core under a
 * lock it cannot sleep in (as xp_qp_prepare()): prepare checks and
 * allocates into *srqp (it may sleep) and touches nothing of the device,
 * 0 or the negative errnos of xp_srq_create(); commit, under the device's
 * lock, numbers the SRQ and takes its PD. Discard frees a prepared SRQ
 * that was never committed.
 */
int xp_srq_prepare(struct xp_rdma_dev *dev, struct xp_pd *pd, const struct xp_srq_attr *attr,
		   const struct xp_srq_opts *opts, struct xp_srq **srqp);
void xp_srq_commit(struct xp_srq *srq);
void xp_srq_discard(struct xp_srq *srq);

/*
 * ibv_modify_srq. XP_SRQ_MAX_WR_MASK resizes the ring (it allocates: not
 * under a lock the host cannot sleep in) up or down, keeping
 * the posted WQEs in order; XP_SRQ_LIMIT arms (or with 0 disarms) the
 * limit. -EINVAL: mask 0 or unknown bits, max_wr 0, above XP_SRQ_MAX_WR or
 * below the WQEs posted now, srq_limit above max_wr (the new one when both
 * are set). -ENOMEM. On failure the SRQ is unchanged.
 */
int xp_srq_modify(struct xp_srq *srq, const struct xp_srq_attr *attr, int mask);

/* ibv_query_srq: max_wr, max_sge, and the limit (0 once it fired). */
int xp_srq_query(const struct xp_srq *srq, struct xp_srq_attr *attr);

/* -EBUSY (nothing freed) while QPs use it; NULL is a no-op. */
int xp_srq_destroy(struct xp_srq *srq);

/*
 * ibv_post_srq_recv, with xp_qp_post_recv()'s checks: more than max_sge
 * SGEs or an SGE whose lkey (of the SRQ's PD) does not grant LOCAL_WRITE
 * over its range: -EINVAL; a full SRQ: -ENOMEM. *bad_wr names the first
 * WR not posted.
 */
int xp_srq_post_recv(struct xp_srq *srq, struct xp_recv_wr *wr, struct xp_recv_wr **bad_wr);

void *xp_srq_context(const struct xp_srq *srq);
/* WQEs posted and not yet taken by a QP. */
__u32 xp_srq_count(const struct xp_srq *srq);

#endif /* XP_SRQ_H */
