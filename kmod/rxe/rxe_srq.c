// SPDX-License-Identifier: GPL-2.0
/*
 * Shared receive queues of an xp_rxe device, on the core's SRQs
 * (xp_srq.h): for kernel consumers (nvmet-rdma's use_srq) and, with udata,
 * for a process driving the device through rdma-core's rxe provider.
 *
 * A user SRQ is a ring of rdma_rxe's receive WQEs that the provider posts
 * into with no system call (ibv_post_srq_recv rings no doorbell). So the
 * ring is read under the host's lock when a frame arrives for a QP on the
 * SRQ (xp_rxe_urq_pull(), from the receive path), as a user QP's own ring
 * is; every WQE is copied out of the ring and checked there before use.
 * One the core refuses completes in error on the receive CQ of the QP
 * whose frame made us read the ring, and that QP goes to ERR: the SRQ,
 * its QPs and their CQs are one process's, so its fault stays its own.
 *
 * Events: the core raises the limit event (IB_EVENT_SRQ_LIMIT_REACHED)
 * and a QP's last WQE (IB_EVENT_QP_LAST_WQE_REACHED, rxe_verbs.c) under
 * the host's lock, and they are dispatched there: ib_uverbs' handlers and
 * the ULPs' take only spinlocks, as they do under rdma_rxe's tasklets.
 *
 * Not offered: resizing (IB_SRQ_MAX_WR in modify_srq: -EOPNOTSUPP, and
 * the device does not claim IB_DEVICE_SRQ_RESIZE), XRC SRQs.
 */
#include <linux/log2.h>
#include <linux/slab.h>
#include <rdma/ib_verbs.h>
#include <rdma/rdma_user_rxe.h>
#include <rdma/uverbs_ioctl.h>

#include "xp_env.h"

#include "xp_rxe.h"
#include "xp_srq.h"

static struct xp_rxe_host *srq_host(struct ib_srq *ibsrq)
{
	return &to_xdev(ibsrq->device)->host;
}

static void xp_rxe_srq_event(struct xp_srq *core_srq, enum xp_event_type event, void *context)
{
	struct xp_rxe_srq *srq = context;
	struct ib_event ev = {
		.device = srq->ibsrq.device,
		.element.srq = &srq->ibsrq,
		.event = IB_EVENT_SRQ_LIMIT_REACHED,
	};

	if (event == XP_EVENT_SRQ_LIMIT_REACHED && srq->ibsrq.event_handler)
		srq->ibsrq.event_handler(&ev, srq->ibsrq.srq_context);
}

/* The ring a process posts into, and the response that tells it where. */
static int xp_rxe_usrq_create(struct xp_rxe_srq *srq, struct ib_srq_init_attr *init,
			      struct ib_udata *udata)
{
	struct rxe_create_srq_resp resp = {};
	size_t elem = sizeof(struct rxe_recv_wqe) + srq->max_sge * sizeof(struct rxe_sge);
	int err;

	if (udata->outlen < sizeof(resp))
		return -EINVAL;
	srq->uwqe = kmalloc(roundup_pow_of_two(elem), GFP_KERNEL);
	if (!srq->uwqe)
		return -ENOMEM;
	err = xp_rxe_uq_init(&srq->uq, udata, init->attr.max_wr + 1, elem, &resp.mi.offset,
			     &resp.mi.size);
	if (err)
		return err;
	return ib_copy_to_udata(udata, &resp, sizeof(resp));
}

static void xp_rxe_srq_free(struct xp_rxe_srq *srq)
{
	xp_rxe_uq_free(&srq->uq);
	kfree(srq->uwqe);
	srq->uwqe = NULL;
}

static int xp_rxe_create_srq(struct ib_srq *ibsrq, struct ib_srq_init_attr *init,
			     struct ib_udata *udata)
{
	struct xp_rxe_host *xh = srq_host(ibsrq);
	struct xp_rxe_srq *srq = to_xsrq(ibsrq);
	struct xp_srq_attr a = {
		.max_wr = init->attr.max_wr,
		.max_sge = init->attr.max_sge,
		.srq_limit = init->attr.srq_limit,
	};
	struct xp_srq_opts o = {
		.sz = sizeof(o),
		.srq_context = srq,
		.event_cb = xp_rxe_srq_event,
	};
	int err;

	if (init->srq_type != IB_SRQT_BASIC) {
		pr_debug("xp_rxe: SRQ type %d: basic SRQs only\n", init->srq_type);
		return -EOPNOTSUPP;
	}
	err = xp_srq_prepare(xh->core, to_xpd(ibsrq->pd)->pd, &a, &o, &srq->srq);
	if (err)
		return err; /* the core logged which attribute */
	srq->max_sge = a.max_sge;
	if (udata) {
		err = xp_rxe_usrq_create(srq, init, udata);
		if (err)
			goto out_free;
	}
	xp_rxe_host_lock(xh);
	xp_srq_commit(srq->srq);
	xp_rxe_host_unlock(xh);
	return 0;

out_free:
	xp_srq_discard(srq->srq);
	xp_rxe_srq_free(srq);
	return err;
}

static int xp_rxe_modify_srq(struct ib_srq *ibsrq, struct ib_srq_attr *attr,
			     enum ib_srq_attr_mask mask, struct ib_udata *udata)
{
	struct xp_rxe_host *xh = srq_host(ibsrq);
	struct xp_srq_attr a = { .srq_limit = attr->srq_limit };
	int err;

	/* rdma-core's provider sends the address of a resized ring's mminfo. */
	if (udata && udata->inlen > sizeof(struct rxe_modify_srq_cmd))
		return -EINVAL;
	if (mask & IB_SRQ_MAX_WR) {
		pr_debug("xp_rxe: SRQs are not resized\n");
		return -EOPNOTSUPP;
	}
	if (mask != IB_SRQ_LIMIT)
		return -EINVAL;
	xp_rxe_host_lock(xh);
	err = xp_srq_modify(to_xsrq(ibsrq)->srq, &a, XP_SRQ_LIMIT);
	xp_rxe_host_unlock(xh);
	return err;
}

static int xp_rxe_query_srq(struct ib_srq *ibsrq, struct ib_srq_attr *attr)
{
	struct xp_rxe_host *xh = srq_host(ibsrq);
	struct xp_srq_attr a;
	int err;

	xp_rxe_host_lock(xh);
	err = xp_srq_query(to_xsrq(ibsrq)->srq, &a);
	xp_rxe_host_unlock(xh);
	if (err)
		return err;
	attr->max_wr = a.max_wr;
	attr->max_sge = a.max_sge;
	attr->srq_limit = a.srq_limit;
	return 0;
}

static int xp_rxe_destroy_srq(struct ib_srq *ibsrq, struct ib_udata *udata)
{
	struct xp_rxe_host *xh = srq_host(ibsrq);
	struct xp_rxe_srq *srq = to_xsrq(ibsrq);
	int err;

	xp_rxe_host_lock(xh);
	err = xp_srq_destroy(srq->srq); /* -EBUSY while QPs use it */
	xp_rxe_host_unlock(xh);
	if (!err)
		xp_rxe_srq_free(srq);
	return err;
}

static int xp_rxe_post_srq_recv(struct ib_srq *ibsrq, const struct ib_recv_wr *wr,
				const struct ib_recv_wr **bad_wr)
{
	struct xp_rxe_srq *srq = to_xsrq(ibsrq);

	BUILD_BUG_ON(XP_SRQ_MAX_SGE > XP_QP_MAX_SGE); /* the host's wr_sge */
	if (srq->uq.buf) { /* a process posts into its ring */
		*bad_wr = wr;
		return -EINVAL;
	}
	return xp_rxe_post_recvs(srq_host(ibsrq), NULL, srq->srq, wr, bad_wr);
}

const struct ib_device_ops xp_rxe_srq_ops = {
	.create_srq = xp_rxe_create_srq,
	.destroy_srq = xp_rxe_destroy_srq,
	.modify_srq = xp_rxe_modify_srq,
	.post_srq_recv = xp_rxe_post_srq_recv,
	.query_srq = xp_rxe_query_srq,

	INIT_RDMA_OBJ_SIZE(ib_srq, xp_rxe_srq, ibsrq),
};
