// SPDX-License-Identifier: GPL-2.0
/*
 * The kernel verbs of an xp_rxe device on the transport core: protection
 * domains, the DMA MR (a kernel PD's local_dma_lkey), fast-registration
 * MRs (alloc_mr, map_mr_sg, REG_MR, LOCAL_INV), CQs with notification,
 * address handles, RC, UD and GSI queue pairs (QP1, so ib_mad and the
 * CMs work), posting and polling. For a user process (udata set) the
 * same calls make the objects rdma-core's rxe provider expects, with the
 * rings and pinned memory of rxe_uverbs.c. A QP may receive from an SRQ
 * (rxe_srq.c).
 *
 * Each object is made in two steps: the core's prepare (it allocates and
 * may sleep) outside the host's lock, then its commit (QPN or key) under
 * it (rxe_host.c). Work requests and completions are translated between
 * ib_verbs and the core's libibverbs-valued structs one at a time, under
 * the lock; nothing the caller passes is kept.
 */
#include <linux/scatterlist.h>
#include <rdma/ib_umem.h>
#include <rdma/ib_verbs.h>
#include <rdma/uverbs_ioctl.h>

#include "xp_env.h"

#include "rdma_host.h"
#include "xp_cq.h"
#include "xp_mr.h"
#include "xp_rxe.h"
#include "xp_srq.h"

/* Work completions taken from the core at a time in poll_cq (on the stack). */
#define XP_RXE_POLL_BATCH 4

static struct xp_rxe_host *to_host(struct ib_device *ibdev)
{
	return &to_xdev(ibdev)->host;
}

/* ---- protection domains ---- */

static int xp_rxe_alloc_pd(struct ib_pd *ibpd, struct ib_udata *udata)
{
	struct xp_rxe_host *xh = to_host(ibpd->device);
	struct xp_rxe_pd *pd = to_xpd(ibpd);

	pd->pd = xp_pd_prepare(xp_rdma_dev_mr_table(xh->core));
	if (!pd->pd)
		return -ENOMEM;
	xp_rxe_host_lock(xh);
	xp_pd_commit(pd->pd);
	xp_rxe_host_unlock(xh);
	return 0;
}

static int xp_rxe_dealloc_pd(struct ib_pd *ibpd, struct ib_udata *udata)
{
	struct xp_rxe_host *xh = to_host(ibpd->device);
	int err;

	xp_rxe_host_lock(xh);
	err = xp_pd_free(to_xpd(ibpd)->pd);
	xp_rxe_host_unlock(xh);
	return err;
}

/* ---- memory regions ---- */

/*
 * Commit a prepared MR under the lock and give ib_core its keys; on
 * failure, free all of it.
 */
struct ib_mr *xp_rxe_mr_commit(struct xp_rxe_host *xh, struct xp_rxe_mr *mr)
{
	int err;

	xp_rxe_host_lock(xh);
	err = xp_mr_commit(mr->mr);
	xp_rxe_host_unlock(xh);
	if (err) {
		xp_mr_discard(mr->mr);
		if (mr->umem)
			ib_umem_release(mr->umem);
		kvfree(mr->pages);
		kfree(mr);
		return ERR_PTR(err);
	}
	mr->ibmr.lkey = xp_mr_lkey(mr->mr);
	mr->ibmr.rkey = xp_mr_rkey(mr->mr);
	return &mr->ibmr;
}

static struct ib_mr *xp_rxe_get_dma_mr(struct ib_pd *ibpd, int access)
{
	struct xp_rxe_mr *mr;

	/*
	 * Local rights only: an rkey for all of memory (a PD made with
	 * IB_PD_UNSAFE_GLOBAL_RKEY) is refused by the core.
	 */
	mr = kzalloc(sizeof(*mr), GFP_KERNEL);
	if (!mr)
		return ERR_PTR(-ENOMEM);
	mr->mr = xp_mr_prepare_dma(to_xpd(ibpd)->pd, access);
	if (!mr->mr) {
		kfree(mr);
		return ERR_PTR(access & ~IB_ACCESS_LOCAL_WRITE ? -EINVAL : -ENOMEM);
	}
	return xp_rxe_mr_commit(to_host(ibpd->device), mr);
}

static struct ib_mr *xp_rxe_alloc_mr(struct ib_pd *ibpd, enum ib_mr_type type, u32 max_num_sg)
{
	struct xp_rxe_mr *mr;
	int err = -ENOMEM;

	if (type != IB_MR_TYPE_MEM_REG)
		return ERR_PTR(-EOPNOTSUPP);
	if (!max_num_sg || max_num_sg > XP_RXE_MAX_FAST_PAGES)
		return ERR_PTR(-EINVAL);
	mr = kzalloc(sizeof(*mr), GFP_KERNEL);
	if (!mr)
		return ERR_PTR(-ENOMEM);
	mr->max_pages = max_num_sg;
	mr->pages = kvcalloc(max_num_sg, sizeof(*mr->pages), GFP_KERNEL);
	if (!mr->pages)
		goto out_free;
	mr->mr = xp_mr_prepare_fast(to_xpd(ibpd)->pd, (u64)max_num_sg << PAGE_SHIFT);
	if (!mr->mr)
		goto out_pages;
	/* xp_mr_fast_reg() under the lock must not allocate. */
	err = xp_mr_reserve_pages(mr->mr, max_num_sg);
	if (err)
		goto out_discard;
	return xp_rxe_mr_commit(to_host(ibpd->device), mr);

out_discard:
	xp_mr_discard(mr->mr);
out_pages:
	kvfree(mr->pages);
out_free:
	kfree(mr);
	return ERR_PTR(err);
}

static int xp_rxe_dereg_mr(struct ib_mr *ibmr, struct ib_udata *udata)
{
	struct xp_rxe_host *xh = to_host(ibmr->device);
	struct xp_rxe_mr *mr = to_xmr(ibmr);
	int err;

	xp_rxe_host_lock(xh);
	err = xp_mr_dereg(mr->mr);
	xp_rxe_host_unlock(xh);
	if (err)
		return err;
	if (mr->umem)
		ib_umem_release(mr->umem);
	kvfree(mr->pages);
	kfree(mr);
	return 0;
}

static int xp_rxe_set_page(struct ib_mr *ibmr, u64 addr)
{
	struct xp_rxe_mr *mr = to_xmr(ibmr);

	if (mr->npages == mr->max_pages)
		return -ENOMEM;
	/* Virtual DMA (ib_uses_virt_dma()): the address is the page's kernel address. */
	mr->pages[mr->npages++] = (void *)(uintptr_t)addr;
	return 0;
}

/*
 * The page list of the next REG_MR, kept in our MR until the work request
 * hands it to the core (which copies it).
 */
static int xp_rxe_map_mr_sg(struct ib_mr *ibmr, struct scatterlist *sg, int nents,
			    unsigned int *sg_offset)
{
	struct xp_rxe_mr *mr = to_xmr(ibmr);

	mr->npages = 0;
	return ib_sg_to_pages(ibmr, sg, nents, sg_offset, xp_rxe_set_page);
}

/* ---- completion queues ---- */

static void xp_rxe_cq_event(struct xp_cq *xcq, enum xp_event_type type, void *context)
{
	struct xp_rxe_cq *cq = context;
	struct ib_event ev = {
		.device = cq->ibcq.device,
		.element.cq = &cq->ibcq,
		.event = IB_EVENT_CQ_ERR,
	};

	if (cq->ibcq.event_handler)
		cq->ibcq.event_handler(&ev, cq->ibcq.cq_context);
}

static int xp_rxe_create_cq(struct ib_cq *ibcq, const struct ib_cq_init_attr *attr,
			    XP_RXE_CREATE_CQ_LAST_ARG)
{
	struct xp_rxe_host *xh = to_host(ibcq->device);
	struct xp_rxe_cq *cq = to_xcq(ibcq);
	struct xp_cq_opts o = {
		.sz = sizeof(o),
		.cqe = attr->cqe,
		.cq_context = cq,
		.event_cb = xp_rxe_cq_event,
	};

	int err;

	if (attr->flags)
		return -EOPNOTSUPP;
	cq->cq = xp_cq_create(&o); /* touches no device state */
	if (!cq->cq)
		return attr->cqe && attr->cqe <= XP_CQ_MAX_CQE ? -ENOMEM : -EINVAL;
	if (XP_RXE_CREATE_CQ_UDATA) {
		err = xp_rxe_ucq_create(cq, XP_RXE_CREATE_CQ_UDATA_PTR);
		if (err) {
			xp_cq_destroy(cq->cq);
			return err;
		}
	}
	ibcq->cqe = xp_cq_cqe(cq->cq);
	xp_rxe_host_lock(xh);
	list_add_tail(&cq->node, &xh->cqs);
	xp_rxe_host_unlock(xh);
	return 0;
}

static int xp_rxe_destroy_cq(struct ib_cq *ibcq, struct ib_udata *udata)
{
	struct xp_rxe_host *xh = to_host(ibcq->device);
	struct xp_rxe_cq *cq = to_xcq(ibcq);
	int err;

	xp_rxe_host_lock(xh);
	err = xp_cq_destroy(cq->cq);
	if (!err)
		list_del(&cq->node);
	xp_rxe_host_unlock(xh);
	if (!err)
		xp_rxe_uq_free(&cq->uq);
	return err;
}

static int xp_rxe_req_notify_cq(struct ib_cq *ibcq, enum ib_cq_notify_flags flags)
{
	struct xp_rxe_host *xh = to_host(ibcq->device);
	struct xp_rxe_cq *cq = to_xcq(ibcq);
	int ret = 0;

	xp_rxe_host_lock(xh);
	/*
	 * Solicited-only is served as next-completion: an event more than
	 * needed, which IBTA allows; ULPs poll and arm again either way.
	 */
	cq->armed = true;
	if ((flags & IB_CQ_REPORT_MISSED_EVENTS) && xp_cq_count(cq->cq))
		ret = 1;
	xp_rxe_host_unlock(xh);
	return ret;
}

static enum ib_wc_opcode xp_rxe_wc_opcode(enum xp_wc_opcode op)
{
	switch (op) {
	case XP_WC_SEND:
		return IB_WC_SEND;
	case XP_WC_RDMA_WRITE:
		return IB_WC_RDMA_WRITE;
	case XP_WC_RDMA_READ:
		return IB_WC_RDMA_READ;
	case XP_WC_COMP_SWAP:
		return IB_WC_COMP_SWAP;
	case XP_WC_FETCH_ADD:
		return IB_WC_FETCH_ADD;
	case XP_WC_LOCAL_INV:
		return IB_WC_LOCAL_INV;
	case XP_WC_REG_MR:
		return IB_WC_REG_MR;
	case XP_WC_RECV_RDMA_WITH_IMM:
		return IB_WC_RECV_RDMA_WITH_IMM;
	default:
		return IB_WC_RECV;
	}
}

static void xp_rxe_wc(struct xp_rxe_host *xh, const struct xp_wc *x, struct ib_wc *wc)
{
	struct xp_rxe_qp *qp = xp_rxe_host_qp(xh, x->qp_num);

	memset(wc, 0, sizeof(*wc));
	wc->wr_id = x->wr_id; /* the same bytes as wr_cqe */
	/* enum ib_wc_status has libibverbs' values (BUILD_BUG_ONs in rxe_host.c). */
	wc->status = (enum ib_wc_status)x->status;
	wc->opcode = xp_rxe_wc_opcode(x->opcode);
	wc->vendor_err = x->vendor_err;
	wc->byte_len = x->byte_len;
	wc->qp = qp ? &qp->ibqp : NULL;
	wc->src_qp = x->src_qp;
	if (x->wc_flags & XP_WC_WITH_IMM) {
		wc->ex.imm_data = x->imm_data;
		wc->wc_flags |= IB_WC_WITH_IMM;
	}
	if (x->wc_flags & XP_WC_WITH_INV) {
		wc->ex.invalidate_rkey = x->invalidated_rkey;
		wc->wc_flags |= IB_WC_WITH_INVALIDATE;
	}
	if (x->wc_flags & XP_WC_GRH)
		wc->wc_flags |= IB_WC_GRH;
	wc->pkey_index = x->pkey_index;
	wc->sl = x->sl;
	wc->port_num = XP_RXE_PORT;
}

static int xp_rxe_poll_cq(struct ib_cq *ibcq, int n, struct ib_wc *wc)
{
	struct xp_rxe_host *xh = to_host(ibcq->device);
	struct xp_rxe_cq *cq = to_xcq(ibcq);
	struct xp_wc x[XP_RXE_POLL_BATCH];
	int got = 0, k, i;

	xp_rxe_host_lock(xh);
	while (got < n) {
		k = xp_cq_poll(cq->cq, min(n - got, XP_RXE_POLL_BATCH), x);
		if (k <= 0) {
			/* An overrun CQ (-EOVERFLOW) reported its event already. */
			if (k < 0 && !got)
				got = k;
			break;
		}
		for (i = 0; i < k; i++)
			xp_rxe_wc(xh, &x[i], &wc[got + i]);
		got += k;
	}
	xp_rxe_host_unlock(xh);
	return got;
}

/* ---- address handles ---- */

static void xp_rxe_av_in(const struct rdma_ah_attr *ah, struct xp_ah_attr *av);

static int xp_rxe_create_ah(struct ib_ah *ibah, struct rdma_ah_init_attr *init,
			    struct ib_udata *udata)
{
	struct xp_rxe_host *xh = to_host(ibah->device);
	struct xp_ah_attr av;
	int err;

	if (init->ah_attr->type != RDMA_AH_ATTR_TYPE_ROCE)
		return -EINVAL;
	xp_rxe_av_in(init->ah_attr, &av);
	/* Under the lock: the GID table it reads changes under it. */
	xp_rxe_host_lock(xh);
	err = xp_ah_init(xh->core, &av, (struct xp_ah *)to_xah(ibah)->ah);
	xp_rxe_host_unlock(xh);
	if (!err && udata)
		err = xp_rxe_uah_create(to_xah(ibah), udata);
	return err;
}

static int xp_rxe_destroy_ah(struct ib_ah *ibah, u32 flags)
{
	if (to_xah(ibah)->ah_num)
		xp_rxe_uah_destroy(to_xah(ibah));
	return 0; /* the storage is ib_core's */
}

/* ---- queue pairs ---- */

/* The core's asynchronous QP events, under the host's lock. */
static void xp_rxe_qp_event(struct xp_qp *core_qp, enum xp_event_type event, void *context)
{
	struct xp_rxe_qp *qp = context;
	struct ib_event ev = {
		.device = qp->ibqp.device,
		.element.qp = &qp->ibqp,
		.event = IB_EVENT_QP_LAST_WQE_REACHED,
	};

	if (event == XP_EVENT_QP_LAST_WQE_REACHED && qp->ibqp.event_handler)
		qp->ibqp.event_handler(&ev, qp->ibqp.qp_context);
}

static int xp_rxe_create_qp(struct ib_qp *ibqp, struct ib_qp_init_attr *init,
			    struct ib_udata *udata)
{
	struct xp_rxe_host *xh = to_host(ibqp->device);
	struct xp_rxe_qp *qp = to_xqp(ibqp);
	struct xp_qp_init_attr qa = {
		.sz = sizeof(qa),
		.qp_type = init->qp_type == IB_QPT_RC ? XP_QPT_RC : XP_QPT_UD,
		.pd = to_xpd(ibqp->pd)->pd,
		.sq_sig_all = init->sq_sig_type == IB_SIGNAL_ALL_WR,
		.qp_context = qp,
		.gsi = init->qp_type == IB_QPT_GSI,
		.event_cb = xp_rxe_qp_event,
	};
	int err;

	if (init->qp_type != IB_QPT_RC && init->qp_type != IB_QPT_UD &&
	    init->qp_type != IB_QPT_GSI) {
		pr_debug("xp_rxe: QP type %d: RC, UD and GSI only\n", init->qp_type);
		return -EOPNOTSUPP;
	}
	/* Inline data: user QPs only (rxe_uverbs.c). */
	if (init->create_flags || (init->cap.max_inline_data && !udata) || !init->send_cq ||
	    !init->recv_cq)
		return -EOPNOTSUPP;
	qa.send_cq = to_xcq(init->send_cq)->cq;
	qa.recv_cq = to_xcq(init->recv_cq)->cq;
	/* On an SRQ the QP has no receive queue: its caps say so. */
	if (init->srq) {
		qp->srq = to_xsrq(init->srq);
		qa.srq = qp->srq->srq;
		init->cap.max_recv_wr = 0;
		init->cap.max_recv_sge = 0;
	}
	qa.cap.max_send_wr = init->cap.max_send_wr;
	qa.cap.max_recv_wr = init->cap.max_recv_wr;
	qa.cap.max_send_sge = init->cap.max_send_sge;
	qa.cap.max_recv_sge = init->cap.max_recv_sge;
	qp->sig_all = qa.sq_sig_all;
	err = xp_qp_prepare(xh->core, &qa, &qp->qp);
	if (err)
		return err; /* the core logged which cap */
	if (udata) {
		err = xp_rxe_uqp_create(qp, init, udata);
		if (err) {
			xp_qp_discard(qp->qp);
			return err;
		}
	}
	xp_rxe_host_lock(xh);
	err = qp->uinline_mr ? xp_mr_commit(qp->uinline_mr) : 0;
	if (!err) {
		err = xp_qp_commit(qp->qp);
		if (err && qp->uinline_mr && !xp_mr_dereg(qp->uinline_mr))
			qp->uinline_mr = NULL;
	}
	if (!err) {
		xp_rxe_host_set_qp(xh, xp_qp_num(qp->qp), qp);
		if (udata)
			list_add_tail(&qp->unode, &xh->uqps);
	}
	xp_rxe_host_unlock(xh);
	if (err) {
		xp_qp_discard(qp->qp);
		xp_rxe_uqp_free(qp);
		return err;
	}
	ibqp->qp_num = xp_qp_num(qp->qp);
	return 0;
}

static int xp_rxe_destroy_qp(struct ib_qp *ibqp, struct ib_udata *udata)
{
	struct xp_rxe_host *xh = to_host(ibqp->device);
	struct xp_rxe_qp *qp = to_xqp(ibqp);
	struct xp_qp_stats last = {};
	int err;

	xp_rxe_host_lock(xh);
	if (xp_qp_stats(qp->qp))
		last = *xp_qp_stats(qp->qp);
	err = xp_qp_destroy(qp->qp);
	if (!err) {
		xp_rxe_host_qp_gone(xh, &last); /* its counters stay in the port's */
		xp_rxe_host_set_qp(xh, ibqp->qp_num, NULL);
		if (qp->sq.buf)
			list_del(&qp->unode);
		/*
		 * Nothing in flight refers to it once its QP is gone; if the
		 * core says otherwise, its memory stays (leaked, not freed
		 * under a key that still opens it).
		 */
		if (qp->uinline_mr && WARN_ON_ONCE(xp_mr_dereg(qp->uinline_mr)))
			qp->uinline = NULL;
		qp->uinline_mr = NULL;
	}
	xp_rxe_host_unlock(xh);
	if (!err)
		xp_rxe_uqp_free(qp);
	return err;
}

/* The IB_QP_* mask bits the core knows: libibverbs' IBV_QP_* values 0..20. */
#define XP_RXE_QP_MASK ((int)XP_QP_ATTR_MASK_ALL)

static void xp_rxe_av_in(const struct rdma_ah_attr *ah, struct xp_ah_attr *av)
{
	const struct ib_global_route *grh = rdma_ah_read_grh(ah);

	memset(av, 0, sizeof(*av));
	memcpy(av->dgid, grh->dgid.raw, sizeof(av->dgid));
	av->flow_label = grh->flow_label;
	av->sgid_index = grh->sgid_index;
	av->hop_limit = grh->hop_limit;
	av->traffic_class = grh->traffic_class;
	av->sl = rdma_ah_get_sl(ah);
	av->port_num = XP_RXE_PORT;
	if (ah->type == RDMA_AH_ATTR_TYPE_ROCE) {
		memcpy(av->dmac, ah->roce.dmac, ETH_ALEN);
		av->dmac_set = true;
	}
}

static void xp_rxe_av_out(const struct xp_ah_attr *av, struct rdma_ah_attr *ah)
{
	union ib_gid dgid;

	memcpy(dgid.raw, av->dgid, sizeof(dgid.raw));
	memset(ah, 0, sizeof(*ah));
	ah->type = RDMA_AH_ATTR_TYPE_ROCE;
	rdma_ah_set_port_num(ah, XP_RXE_PORT);
	rdma_ah_set_sl(ah, av->sl);
	rdma_ah_set_grh(ah, &dgid, av->flow_label, av->sgid_index, av->hop_limit,
			av->traffic_class);
	if (av->dmac_set)
		memcpy(ah->roce.dmac, av->dmac, ETH_ALEN);
}

static int xp_rxe_modify_qp(struct ib_qp *ibqp, struct ib_qp_attr *attr, int mask,
			    struct ib_udata *udata)
{
	struct xp_rxe_host *xh = to_host(ibqp->device);
	struct xp_rxe_qp *qp = to_xqp(ibqp);
	struct xp_qp_attr a = {
		.qp_state = (enum xp_qp_state)attr->qp_state,
		.cur_qp_state = (enum xp_qp_state)attr->cur_qp_state,
		.path_mtu = (enum xp_mtu)attr->path_mtu,
		.path_mig_state = (enum xp_mig_state)attr->path_mig_state,
		.qkey = attr->qkey,
		.rq_psn = attr->rq_psn,
		.sq_psn = attr->sq_psn,
		.dest_qp_num = attr->dest_qp_num,
		.qp_access_flags = attr->qp_access_flags,
		.pkey_index = attr->pkey_index,
		.en_sqd_async_notify = attr->en_sqd_async_notify,
		.max_rd_atomic = attr->max_rd_atomic,
		.max_dest_rd_atomic = attr->max_dest_rd_atomic,
		.min_rnr_timer = attr->min_rnr_timer,
		.port_num = attr->port_num,
		.timeout = attr->timeout,
		.retry_cnt = attr->retry_cnt,
		.rnr_retry = attr->rnr_retry,
	};
	int err;

	if (udata && (udata->inlen || udata->outlen))
		return -EOPNOTSUPP;
	if (mask & ~XP_RXE_QP_MASK)
		return -EOPNOTSUPP;
	if (mask & IB_QP_CAP) {
		a.cap.max_send_wr = attr->cap.max_send_wr;
		a.cap.max_recv_wr = attr->cap.max_recv_wr;
		a.cap.max_send_sge = attr->cap.max_send_sge;
		a.cap.max_recv_sge = attr->cap.max_recv_sge;
		a.cap.max_inline_data = attr->cap.max_inline_data;
	}
	if (mask & IB_QP_AV)
		xp_rxe_av_in(&attr->ah_attr, &a.ah_attr);
	/* QP1 is the port's: ib_mad moves it to INIT without naming the port. */
	if (ibqp->qp_type == IB_QPT_GSI && (mask & IB_QP_STATE) && attr->qp_state == IB_QPS_INIT &&
	    !(mask & IB_QP_PORT)) {
		a.port_num = XP_RXE_PORT;
		mask |= IB_QP_PORT;
	}
	xp_rxe_host_lock(xh);
	err = xp_qp_modify(qp->qp, &a, mask);
	/*
	 * A user QP in ERR: what its rings still hold is flushed too; in
	 * RESET, dropped.
	 */
	if (!err && qp->sq.buf && xp_qp_state(qp->qp) == XP_QPS_ERR) {
		xp_rxe_usq_pull(qp);
		xp_rxe_urq_pull(qp);
	} else if (!err && qp->sq.buf && (mask & IB_QP_STATE) && attr->qp_state == IB_QPS_RESET) {
		xp_rxe_uqp_reset(qp);
	}
	xp_rxe_host_unlock(xh);
	return err;
}

static int xp_rxe_query_qp(struct ib_qp *ibqp, struct ib_qp_attr *attr, int mask,
			   struct ib_qp_init_attr *init)
{
	struct xp_rxe_host *xh = to_host(ibqp->device);
	struct xp_qp_attr a;
	int err;

	xp_rxe_host_lock(xh);
	err = xp_qp_query(to_xqp(ibqp)->qp, &a);
	xp_rxe_host_unlock(xh);
	if (err)
		return err;
	memset(attr, 0, sizeof(*attr));
	attr->qp_state = (enum ib_qp_state)a.qp_state;
	attr->cur_qp_state = (enum ib_qp_state)a.cur_qp_state;
	attr->path_mtu = (enum ib_mtu)a.path_mtu;
	attr->path_mig_state = (enum ib_mig_state)a.path_mig_state;
	attr->qkey = a.qkey;
	attr->rq_psn = a.rq_psn;
	attr->sq_psn = a.sq_psn;
	attr->dest_qp_num = a.dest_qp_num;
	attr->qp_access_flags = a.qp_access_flags;
	attr->cap.max_send_wr = a.cap.max_send_wr;
	attr->cap.max_recv_wr = a.cap.max_recv_wr;
	attr->cap.max_send_sge = a.cap.max_send_sge;
	attr->cap.max_recv_sge = a.cap.max_recv_sge;
	attr->cap.max_inline_data = to_xqp(ibqp)->max_inline;
	xp_rxe_av_out(&a.ah_attr, &attr->ah_attr);
	attr->pkey_index = a.pkey_index;
	attr->en_sqd_async_notify = a.en_sqd_async_notify;
	attr->sq_draining = a.sq_draining;
	attr->max_rd_atomic = a.max_rd_atomic;
	attr->max_dest_rd_atomic = a.max_dest_rd_atomic;
	attr->min_rnr_timer = a.min_rnr_timer;
	attr->port_num = a.port_num;
	attr->timeout = a.timeout;
	attr->retry_cnt = a.retry_cnt;
	attr->rnr_retry = a.rnr_retry;
	memset(init, 0, sizeof(*init));
	init->qp_type = ibqp->qp_type;
	init->send_cq = ibqp->send_cq;
	init->recv_cq = ibqp->recv_cq;
	init->cap = attr->cap;
	init->sq_sig_type = to_xqp(ibqp)->sig_all ? IB_SIGNAL_ALL_WR : IB_SIGNAL_REQ_WR;
	return 0;
}

/* ---- posting ---- */

/* n ib_sges into the core's form in out (XP_QP_MAX_SGE); -EINVAL: too many. */
static int xp_rxe_sges(const struct ib_sge *in, int n, struct xp_sge *out)
{
	int i;

	if (n < 0 || n > XP_QP_MAX_SGE)
		return -EINVAL;
	for (i = 0; i < n; i++)
		out[i] = (struct xp_sge){ .addr = in[i].addr,
					  .length = in[i].length,
					  .lkey = in[i].lkey };
	return 0;
}

/*
 * REG_MR runs when it is posted, not in send-queue order as in rdma_rxe:
 * ULPs post it ahead of the WRs that carry its key (iSER and NVMe-oF do),
 * so those see it done; a signalled one completes at once, possibly
 * before earlier WRs. In ERR it is flushed as any WR.
 */
static int xp_rxe_reg_mr(struct xp_rxe_qp *qp, const struct ib_reg_wr *rw, bool signaled)
{
	struct xp_rxe_mr *mr = to_xmr(rw->mr);
	struct xp_mr_pages pg = {
		.page = mr->pages,
		.npages = mr->npages,
		.page_shift = ilog2(rw->mr->page_size),
		.offset = rw->mr->iova & (rw->mr->page_size - 1),
	};
	struct xp_mr_fast_reg fr = {
		.key = rw->key,
		.iova = rw->mr->iova,
		.pages = &pg,
		.length = rw->mr->length,
		.access = rw->access,
	};
	struct xp_wc wc = {
		.wr_id = rw->wr.wr_id,
		.opcode = XP_WC_REG_MR,
		.qp_num = qp->ibqp.qp_num,
	};
	int err;

	if (xp_qp_state(qp->qp) == XP_QPS_ERR) {
		wc.status = XP_WC_WR_FLUSH_ERR;
		return xp_cq_push(to_xcq(qp->ibqp.send_cq)->cq, &wc);
	}
	/* As every send WR, and as rdma_rxe: only a QP that can send takes it. */
	if (xp_qp_state(qp->qp) != XP_QPS_RTS && xp_qp_state(qp->qp) != XP_QPS_SQD)
		return -EINVAL;
	err = xp_qp_reg_mr(qp->qp, mr->mr, &fr);
	if (err)
		return err;
	rw->mr->lkey = rw->key;
	rw->mr->rkey = rw->key;
	if (signaled)
		xp_cq_push(to_xcq(qp->ibqp.send_cq)->cq, &wc);
	return 0;
}

/* Under the host's lock (its wr_sge). */
static int xp_rxe_send_one(struct xp_rxe_host *xh, struct xp_rxe_qp *qp,
			   const struct ib_send_wr *wr)
{
	struct xp_send_wr x = {
		.wr_id = wr->wr_id,
		.sg_list = xh->wr_sge,
		.num_sge = wr->num_sge,
		.send_flags = (wr->send_flags & IB_SEND_FENCE ? XP_SEND_FENCE : 0) |
			      (wr->send_flags & IB_SEND_SIGNALED ? XP_SEND_SIGNALED : 0) |
			      (wr->send_flags & IB_SEND_SOLICITED ? XP_SEND_SOLICITED : 0),
	};
	struct xp_send_wr *bad;
	int err;

	if (wr->send_flags & ~(IB_SEND_FENCE | IB_SEND_SIGNALED | IB_SEND_SOLICITED))
		return -EINVAL; /* inline data and IP checksums are not offered */
	if (qp->ibqp.qp_type != IB_QPT_RC) {
		const struct ib_ud_wr *ud = ud_wr(wr);

		if (wr->opcode != IB_WR_SEND && wr->opcode != IB_WR_SEND_WITH_IMM)
			return -EOPNOTSUPP;
		x.ud.ah = (struct xp_ah *)to_xah(ud->ah)->ah;
		x.ud.remote_qpn = ud->remote_qpn;
		x.ud.remote_qkey = ud->remote_qkey;
	}
	switch (wr->opcode) {
	case IB_WR_REG_MR:
		return xp_rxe_reg_mr(qp, reg_wr(wr),
				     qp->sig_all || (wr->send_flags & IB_SEND_SIGNALED));
	case IB_WR_RDMA_WRITE:
	case IB_WR_RDMA_WRITE_WITH_IMM:
	case IB_WR_RDMA_READ:
		x.opcode = wr->opcode == IB_WR_RDMA_WRITE	   ? XP_WR_RDMA_WRITE :
			   wr->opcode == IB_WR_RDMA_WRITE_WITH_IMM ? XP_WR_RDMA_WRITE_WITH_IMM :
								     XP_WR_RDMA_READ;
		x.rdma.remote_addr = rdma_wr(wr)->remote_addr;
		x.rdma.rkey = rdma_wr(wr)->rkey;
		break;
	case IB_WR_SEND:
		x.opcode = XP_WR_SEND;
		break;
	case IB_WR_SEND_WITH_IMM:
		x.opcode = XP_WR_SEND_WITH_IMM;
		break;
	case IB_WR_SEND_WITH_INV:
		x.opcode = XP_WR_SEND_WITH_INV;
		x.invalidate_rkey = wr->ex.invalidate_rkey;
		break;
	case IB_WR_LOCAL_INV:
		x.opcode = XP_WR_LOCAL_INV;
		x.invalidate_rkey = wr->ex.invalidate_rkey;
		break;
	case IB_WR_ATOMIC_CMP_AND_SWP:
	case IB_WR_ATOMIC_FETCH_AND_ADD:
		x.opcode = wr->opcode == IB_WR_ATOMIC_CMP_AND_SWP ? XP_WR_ATOMIC_CMP_AND_SWP :
								    XP_WR_ATOMIC_FETCH_AND_ADD;
		x.atomic.remote_addr = atomic_wr(wr)->remote_addr;
		x.atomic.compare_add = atomic_wr(wr)->compare_add;
		x.atomic.swap = atomic_wr(wr)->swap;
		x.atomic.rkey = atomic_wr(wr)->rkey;
		break;
	default:
		return -EOPNOTSUPP;
	}
	if (wr->opcode == IB_WR_SEND_WITH_IMM || wr->opcode == IB_WR_RDMA_WRITE_WITH_IMM)
		x.imm_data = wr->ex.imm_data;
	err = xp_rxe_sges(wr->sg_list, wr->num_sge, xh->wr_sge);
	if (err)
		return err;
	return xp_qp_post_send(qp->qp, &x, &bad);
}

static int xp_rxe_post_send(struct ib_qp *ibqp, const struct ib_send_wr *wr,
			    const struct ib_send_wr **bad_wr)
{
	struct xp_rxe_host *xh = to_host(ibqp->device);
	struct xp_rxe_qp *qp = to_xqp(ibqp);
	int err = 0;

	if (qp->sq.buf) {
		/* rdma-core's doorbell: no WRs, the new WQEs are in the ring. */
		if (wr) {
			*bad_wr = wr;
			return -EINVAL;
		}
		xp_rxe_host_lock(xh);
		err = xp_rxe_usq_pull(qp);
		xp_rxe_host_unlock(xh);
		return err;
	}
	xp_rxe_host_lock(xh);
	for (; wr; wr = wr->next) {
		err = xp_rxe_send_one(xh, qp, wr);
		if (err)
			break;
	}
	xp_rxe_host_unlock(xh);
	if (err)
		*bad_wr = wr;
	return err;
}

int xp_rxe_post_recvs(struct xp_rxe_host *xh, struct xp_qp *qp, struct xp_srq *srq,
		      const struct ib_recv_wr *wr, const struct ib_recv_wr **bad_wr)
{
	struct xp_recv_wr x, *bad;
	int err = 0;

	xp_rxe_host_lock(xh);
	for (; wr; wr = wr->next) {
		x = (struct xp_recv_wr){ .wr_id = wr->wr_id,
					 .sg_list = xh->wr_sge,
					 .num_sge = wr->num_sge };
		err = xp_rxe_sges(wr->sg_list, wr->num_sge, xh->wr_sge);
		if (!err)
			err = srq ? xp_srq_post_recv(srq, &x, &bad) : xp_qp_post_recv(qp, &x, &bad);
		if (err)
			break;
	}
	xp_rxe_host_unlock(xh);
	if (err)
		*bad_wr = wr;
	return err;
}

static int xp_rxe_post_recv(struct ib_qp *ibqp, const struct ib_recv_wr *wr,
			    const struct ib_recv_wr **bad_wr)
{
	struct xp_rxe_qp *qp = to_xqp(ibqp);

	if (qp->rq.buf) { /* a user QP posts into its ring */
		*bad_wr = wr;
		return -EINVAL;
	}
	return xp_rxe_post_recvs(to_host(ibqp->device), qp->qp, NULL, wr, bad_wr);
}

const struct ib_device_ops xp_rxe_verbs_ops = {
	.alloc_mr = xp_rxe_alloc_mr,
	.alloc_pd = xp_rxe_alloc_pd,
	.create_ah = xp_rxe_create_ah,
	.create_user_ah = xp_rxe_create_ah, /* ib_uverbs asks this one */
	.create_cq = xp_rxe_create_cq,
	.create_qp = xp_rxe_create_qp,
	.dealloc_pd = xp_rxe_dealloc_pd,
	.dereg_mr = xp_rxe_dereg_mr,
	.destroy_ah = xp_rxe_destroy_ah,
	.destroy_cq = xp_rxe_destroy_cq,
	.destroy_qp = xp_rxe_destroy_qp,
	.get_dma_mr = xp_rxe_get_dma_mr,
	.map_mr_sg = xp_rxe_map_mr_sg,
	.modify_qp = xp_rxe_modify_qp,
	.poll_cq = xp_rxe_poll_cq,
	.post_recv = xp_rxe_post_recv,
	.post_send = xp_rxe_post_send,
	.query_qp = xp_rxe_query_qp,
	.reg_user_mr = xp_rxe_reg_user_mr, /* rxe_uverbs.c */
	.req_notify_cq = xp_rxe_req_notify_cq,

	INIT_RDMA_OBJ_SIZE(ib_ah, xp_rxe_ah, ibah),
	INIT_RDMA_OBJ_SIZE(ib_cq, xp_rxe_cq, ibcq),
	INIT_RDMA_OBJ_SIZE(ib_pd, xp_rxe_pd, ibpd),
	INIT_RDMA_OBJ_SIZE(ib_qp, xp_rxe_qp, ibqp),
};
