// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Shared receive queues: a ring of receive WQEs that the RC responder and
 * UD delivery of several QPs take from (xp_qp_recv_wqe()), with rxe's
 * limit event. See xp_srq.h.
 */
#include "xp_env.h"

#include "rdma_private.h"

static int srq_check_size(const char *what, __u32 max_wr, __u32 max_sge, __u32 limit)
{
	if (!max_wr || max_wr > XP_SRQ_MAX_WR || !max_sge || max_sge > XP_SRQ_MAX_SGE) {
		pr_warn("%s: max_wr %u, max_sge %u: WRs must be 1..%u, SGEs 1..%u\n", what, max_wr,
			max_sge, XP_SRQ_MAX_WR, XP_SRQ_MAX_SGE);
		return -EINVAL;
	}
	if (limit > max_wr) {
		pr_warn("%s: srq_limit %u is above max_wr %u; use 0..%u (0 disarms)\n", what, limit,
			max_wr, max_wr);
		return -EINVAL;
	}
	return 0;
}

int xp_srq_prepare(struct xp_rdma_dev *dev, struct xp_pd *pd, const struct xp_srq_attr *attr,
		   const struct xp_srq_opts *opts, struct xp_srq **srqp)
{
	struct xp_srq *srq;
	int err;

	if (!dev || !pd || !attr || !srqp || xp_pd_table(pd) != dev->mrs) {
		pr_warn("xp_srq_create: %s\n",
			!dev || !pd || !attr || !srqp ?
				"dev, pd and attr are required" :
				"the PD is another device's; use one of this device");
		return -EINVAL;
	}
	err = xp_opts_valid(opts, xp_srq_opts);
	if (err)
		return err;
	err = srq_check_size("xp_srq_create", attr->max_wr, attr->max_sge, attr->srq_limit);
	if (err)
		return err;

	srq = xp_zalloc(sizeof(*srq));
	if (!srq)
		return -ENOMEM;
	err = xp_recv_q_alloc(&srq->rq, attr->max_wr);
	if (err)
		goto out_free_srq;
	srq->dev = dev;
	srq->pd = pd;
	srq->max_sge = attr->max_sge;
	srq->limit = attr->srq_limit;
	srq->context = XP_OPTS_GET(opts, srq_context, NULL);
	srq->event_cb = XP_OPTS_GET(opts, event_cb, NULL);
	*srqp = srq;
	return 0;

out_free_srq:
	xp_free(srq);
	return err;
}

void xp_srq_commit(struct xp_srq *srq)
{
	srq->srqn = ++srq->dev->next_srqn;
	xp_pd_get(srq->pd);
	srq->dev->nsrq++;
}

void xp_srq_discard(struct xp_srq *srq)
{
	if (!srq)
		return;
	if (srq->srqn) {
		pr_warn("xp_srq_discard: SRQ %u is committed; destroy it\n", srq->srqn);
		return;
	}
	xp_recv_q_free(&srq->rq);
	xp_free(srq);
}

struct xp_srq *xp_srq_create(struct xp_rdma_dev *dev, struct xp_pd *pd,
			     const struct xp_srq_attr *attr, const struct xp_srq_opts *opts)
{
	struct xp_srq *srq;
	int err;

	err = xp_srq_prepare(dev, pd, attr, opts, &srq);
	if (err) {
		xp_set_errno(-err);
		return NULL;
	}
	xp_srq_commit(srq);
	return srq;
}

int xp_srq_modify(struct xp_srq *srq, const struct xp_srq_attr *attr, int mask)
{
	__u32 max_wr, limit;
	int err;

	if (!srq || !attr || !mask || (mask & ~(XP_SRQ_MAX_WR_MASK | XP_SRQ_LIMIT))) {
		pr_warn("xp_srq_modify: %s\n",
			!srq || !attr ? "srq and attr are required" :
					"mask must be XP_SRQ_MAX_WR_MASK and/or XP_SRQ_LIMIT");
		return -EINVAL;
	}
	max_wr = mask & XP_SRQ_MAX_WR_MASK ? attr->max_wr : srq->rq.size;
	limit = mask & XP_SRQ_LIMIT ? attr->srq_limit : srq->limit;
	err = srq_check_size("xp_srq_modify", max_wr, srq->max_sge, limit);
	if (err)
		return err;
	if (max_wr < srq->rq.count) {
		pr_warn("xp_srq_modify: max_wr %u is below the %u WQEs posted; let QPs take them first\n",
			max_wr, srq->rq.count);
		return -EINVAL;
	}
	if (max_wr != srq->rq.size) {
		err = xp_recv_q_resize(&srq->rq, max_wr);
		if (err)
			return err;
	}
	srq->limit = limit;
	return 0;
}

int xp_srq_query(const struct xp_srq *srq, struct xp_srq_attr *attr)
{
	if (!srq || !attr)
		return -EINVAL;
	attr->max_wr = srq->rq.size;
	attr->max_sge = srq->max_sge;
	attr->srq_limit = srq->limit;
	return 0;
}

int xp_srq_destroy(struct xp_srq *srq)
{
	if (!srq)
		return 0;
	if (srq->refs) {
		pr_warn("xp_srq_destroy: %u QP(s) still use this SRQ; destroy them first\n",
			srq->refs);
		return -EBUSY;
	}
	srq->dev->nsrq--;
	xp_pd_put(srq->pd);
	xp_recv_q_free(&srq->rq);
	xp_free(srq);
	return 0;
}

int xp_srq_post_recv(struct xp_srq *srq, struct xp_recv_wr *wr, struct xp_recv_wr **bad_wr)
{
	int err = 0;

	if (!srq || !bad_wr)
		return -EINVAL;
	for (; wr; wr = wr->next) {
		err = xp_recv_wr_check(&srq->rq, srq->pd, srq->max_sge, wr, "SRQ", srq->srqn);
		if (err)
			break;
		xp_recv_q_push(&srq->rq, wr);
	}
	*bad_wr = wr;
	return err;
}

int xp_srq_take(struct xp_srq *srq, struct xp_recv_wqe *wqe)
{
	struct xp_recv_wqe *head = xp_recv_q_head(&srq->rq);

	if (!head)
		return -ENOENT;
	*wqe = *head;
	xp_recv_q_pop(&srq->rq);
	/* rxe's get_srq_wqe(): below the limit once, then disarmed. */
	if (srq->limit && srq->rq.count < srq->limit) {
		srq->limit = 0;
		if (srq->event_cb)
			srq->event_cb(srq, XP_EVENT_SRQ_LIMIT_REACHED, srq->context);
	}
	return 0;
}

void xp_srq_get(struct xp_srq *srq)
{
	srq->refs++;
}

void xp_srq_put(struct xp_srq *srq)
{
	if (!srq->refs) {
		pr_warn("xp_srq_put: the SRQ has no user to drop; a put without a get\n");
		return;
	}
	srq->refs--;
}

void *xp_srq_context(const struct xp_srq *srq)
{
	return srq->context;
}

__u32 xp_srq_count(const struct xp_srq *srq)
{
	return srq->rq.count;
}
