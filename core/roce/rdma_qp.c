// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Queue-pair verbs common to RC and UD: create, destroy, modify, query,
 * post receives and sends (handed to rdma_ud.c or rdma_rc_req.c), and the
 * SGE helpers both transports use to copy between frames and MRs.
 */
#include "xp_env.h"

#include "rdma_private.h"

#ifndef offsetofend
#define offsetofend(type, member) (offsetof(type, member) + sizeof(((type *)0)->member))
#endif

static int alloc_qpn(struct xp_rdma_dev *dev, __u32 *qpn)
{
	__u32 i, slot;

	for (i = 0; i < dev->max_qp; i++) {
		slot = (dev->next_qpn - dev->qpn_first + i) % dev->max_qp;
		if (!dev->qps[slot]) {
			*qpn = slot + dev->qpn_first;
			/* Like rxe, do not reuse a QPN at once: stale packets stay dropped. */
			dev->next_qpn = dev->qpn_first + (slot + 1) % dev->max_qp;
			return 0;
		}
	}
	return -ENOSPC;
}

/* Why a QP may not receive from srq, or NULL when it may (or has no SRQ). */
static const char *srq_refusal(const struct xp_rdma_dev *dev, const struct xp_srq *srq,
			       const struct xp_qp_init_attr *init, bool gsi)
{
	if (!srq)
		return NULL;
	if (srq->dev != dev)
		return "the SRQ is another device's; use one of this device";
	if (gsi)
		return "the GSI QP has a receive queue of its own";
	if (init->cap.max_recv_wr)
		return "max_recv_wr must be 0 (the SRQ holds the receives)";
	return NULL;
}

int xp_qp_prepare(struct xp_rdma_dev *dev, const struct xp_qp_init_attr *init, struct xp_qp **qpp)
{
	struct xp_qp_cap cap;
	struct xp_srq *srq;
	struct xp_qp *qp;
	const char *why;
	bool gsi;
	int err;

	if (!dev || !init || !qpp || init->sz < offsetofend(struct xp_qp_init_attr, sq_sig_all) ||
	    !init->pd || !init->send_cq || !init->recv_cq || xp_pd_table(init->pd) != dev->mrs)
		return -EINVAL;
	if (init->qp_type != XP_QPT_UD && init->qp_type != XP_QPT_RC) {
		xp_log(XP_WARN, "QP type %s is not supported; only RC and UD\n",
		       xp_qp_type_str(init->qp_type));
		return -EOPNOTSUPP;
	}
	gsi = init->sz >= offsetofend(struct xp_qp_init_attr, gsi) && init->gsi;
	if (gsi && init->qp_type != XP_QPT_UD) {
		xp_log(XP_WARN, "a GSI QP is a UD QP\n");
		return -EINVAL;
	}
	srq = init->sz >= offsetofend(struct xp_qp_init_attr, srq) ? init->srq : NULL;
	why = srq_refusal(dev, srq, init, gsi);
	if (why) {
		xp_log(XP_WARN, "a QP on an SRQ: %s\n", why);
		return -EINVAL;
	}
	cap = init->cap;
	if (srq)
		cap.max_recv_sge = 0; /* the SRQ's max_sge rules its WQEs */
	if (!cap.max_send_wr || (!srq && !cap.max_recv_wr) || cap.max_send_wr > XP_QP_MAX_WR ||
	    cap.max_recv_wr > XP_QP_MAX_WR || !cap.max_send_sge || (!srq && !cap.max_recv_sge) ||
	    cap.max_send_sge > XP_QP_MAX_SGE || cap.max_recv_sge > XP_QP_MAX_SGE ||
	    cap.max_inline_data) {
		xp_log(XP_WARN,
		       "QP caps send_wr %u recv_wr %u send_sge %u recv_sge %u inline %u: "
		       "WRs must be 1..%u, SGEs 1..%u, inline 0\n",
		       cap.max_send_wr, cap.max_recv_wr, cap.max_send_sge, cap.max_recv_sge,
		       cap.max_inline_data, XP_QP_MAX_WR, XP_QP_MAX_SGE);
		return -EINVAL;
	}
	qp = xp_zalloc(sizeof(*qp));
	if (!qp)
		return -ENOMEM;
	err = xp_recv_q_alloc(&qp->rq, cap.max_recv_wr);
	if (err)
		goto out_free;
	qp->dev = dev;
	qp->type = init->qp_type;
	qp->pd = init->pd;
	qp->scq = init->send_cq;
	qp->rcq = init->recv_cq;
	qp->cap = cap;
	qp->srq = srq;
	if (init->sz >= offsetofend(struct xp_qp_init_attr, event_cb))
		qp->event_cb = init->event_cb;
	qp->sq_sig_all = init->sq_sig_all;
	if (init->sz >= offsetofend(struct xp_qp_init_attr, qp_context))
		qp->context = init->qp_context;
	qp->gsi = gsi;
	qp->attr.qp_state = XP_QPS_RESET;
	qp->attr.cap = cap;
	qp->attr.port_num = XP_PORT_NUM;
	qp->attr.path_mtu = dev->mtu;
	if (qp->type == XP_QPT_RC) {
		err = xp_rc_alloc(qp);
		if (err)
			goto out_rq;
	}
	*qpp = qp;
	return 0;

out_rq:
	xp_recv_q_free(&qp->rq);
out_free:
	xp_free(qp);
	return err;
}

int xp_qp_commit(struct xp_qp *qp)
{
	struct xp_rdma_dev *dev;
	__u32 qpn;
	int err;

	if (!qp || qp->qpn) {
		xp_log(XP_WARN, "xp_qp_commit: %s\n",
		       qp ? "the QP is committed already" : "qp is NULL");
		return -EINVAL;
	}
	dev = qp->dev;
	if (qp->gsi) {
		if (dev->gsi) {
			xp_log(XP_WARN, "%s has a GSI QP already\n", dev->name);
			return -EBUSY;
		}
		qpn = XP_RDMA_QPN_GSI;
	} else {
		err = alloc_qpn(dev, &qpn);
		if (err) {
			xp_log(XP_WARN, "all %u QPNs are in use\n", dev->max_qp);
			return err;
		}
	}
	if (dev->ops->qpn_add) {
		err = dev->ops->qpn_add(dev->host, qpn);
		if (err)
			return err; /* the host said why */
	}
	qp->qpn = qpn;
	qp->sport = xp_roce_sport_ud(qpn);
	if (qp->type == XP_QPT_RC)
		xp_rc_link(qp);
	xp_pd_get(qp->pd);
	xp_cq_get(qp->scq);
	xp_cq_get(qp->rcq);
	if (qp->srq)
		xp_srq_get(qp->srq);
	if (qp->gsi)
		dev->gsi = qp;
	else
		dev->qps[qpn - dev->qpn_first] = qp;
	dev->nqp++;
	return 0;
}

void xp_qp_discard(struct xp_qp *qp)
{
	if (!qp)
		return;
	if (qp->qpn) {
		xp_log(XP_WARN, "xp_qp_discard: QP %u is committed; destroy it\n", qp->qpn);
		return;
	}
	if (qp->type == XP_QPT_RC)
		xp_rc_free(qp);
	xp_recv_q_free(&qp->rq);
	xp_free(qp);
}

struct xp_qp *xp_qp_create(struct xp_rdma_dev *dev, const struct xp_qp_init_attr *init)
{
	struct xp_qp *qp;
	int err;

	err = xp_qp_prepare(dev, init, &qp);
	if (err) {
		xp_set_errno(-err);
		return NULL;
	}
	err = xp_qp_commit(qp);
	if (err) {
		xp_qp_discard(qp);
		xp_set_errno(-err);
		return NULL;
	}
	return qp;
}

int xp_qp_destroy(struct xp_qp *qp)
{
	struct xp_rdma_dev *dev;

	if (!qp || !qp->qpn) {
		xp_log(XP_WARN, "xp_qp_destroy: %s\n",
		       qp ? "the QP was never committed; discard it" : "qp is NULL");
		return -EINVAL;
	}
	dev = qp->dev;
	if (dev->ops->qpn_del)
		dev->ops->qpn_del(dev->host, qp->qpn);
	xp_rdma_backlog_drop_qp(dev, qp);
	if (qp->type == XP_QPT_RC) {
		xp_rc_unlink(qp);
		xp_rc_free(qp);
	}
	if (qp->gsi)
		dev->gsi = NULL;
	else
		dev->qps[qp->qpn - dev->qpn_first] = NULL;
	dev->nqp--;
	xp_cq_put(qp->scq);
	xp_cq_put(qp->rcq);
	xp_pd_put(qp->pd);
	/* A WQE taken from the SRQ is a copy: it goes with the QP. */
	if (qp->srq)
		xp_srq_put(qp->srq);
	xp_recv_q_free(&qp->rq);
	xp_free(qp);
	return 0;
}

__u32 xp_qp_num(const struct xp_qp *qp)
{
	return qp->qpn;
}

enum xp_qp_state xp_qp_state(const struct xp_qp *qp)
{
	return qp->attr.qp_state;
}

void *xp_qp_context(const struct xp_qp *qp)
{
	return qp->context;
}

int xp_qp_query(const struct xp_qp *qp, struct xp_qp_attr *attr)
{
	if (!qp || !attr)
		return -EINVAL;
	*attr = qp->attr;
	attr->cur_qp_state = qp->attr.qp_state;
	return 0;
}

const struct xp_qp_stats *xp_qp_stats(const struct xp_qp *qp)
{
	return qp ? &qp->stats : NULL;
}

void xp_qp_complete_recv(struct xp_qp *qp, const struct xp_recv_wqe *wqe, enum xp_wc_status status,
			 const struct xp_wc *tmpl)
{
	struct xp_wc wc = tmpl ? *tmpl : (struct xp_wc){};

	wc.wr_id = wqe->wr_id;
	wc.status = status;
	if (!tmpl || tmpl->opcode != XP_WC_RECV_RDMA_WITH_IMM)
		wc.opcode = XP_WC_RECV;
	wc.qp_num = qp->qpn;
	xp_cq_push(qp->rcq, &wc);
}

int xp_recv_q_alloc(struct xp_recv_q *q, __u32 size)
{
	memset(q, 0, sizeof(*q));
	if (!size)
		return 0;
	q->wqe = xp_calloc(size, sizeof(*q->wqe));
	if (!q->wqe)
		return -ENOMEM;
	q->size = size;
	return 0;
}

void xp_recv_q_free(struct xp_recv_q *q)
{
	xp_free(q->wqe);
	memset(q, 0, sizeof(*q));
}

int xp_recv_q_resize(struct xp_recv_q *q, __u32 size)
{
	struct xp_recv_wqe *wqe;
	__u32 i;

	if (size < q->count || !size)
		return -EINVAL;
	wqe = xp_calloc(size, sizeof(*wqe));
	if (!wqe)
		return -ENOMEM;
	for (i = 0; i < q->count; i++)
		wqe[i] = q->wqe[(q->head + i) % q->size];
	xp_free(q->wqe);
	q->wqe = wqe;
	q->size = size;
	q->head = 0;
	return 0;
}

struct xp_recv_wqe *xp_recv_q_head(struct xp_recv_q *q)
{
	return q->count ? &q->wqe[q->head] : NULL;
}

void xp_recv_q_pop(struct xp_recv_q *q)
{
	q->head = (q->head + 1) % q->size;
	q->count--;
}

int xp_recv_wr_check(struct xp_recv_q *q, struct xp_pd *pd, __u32 max_sge,
		     const struct xp_recv_wr *wr, const char *owner, __u32 num)
{
	__u64 total;

	if (wr->num_sge < 0 || (__u32)wr->num_sge > max_sge || (wr->num_sge && !wr->sg_list))
		return -EINVAL;
	if (q->count == q->size)
		return -ENOMEM;
	return xp_pd_check_sges(pd, owner, num, wr->sg_list, wr->num_sge, XP_ACCESS_LOCAL_WRITE,
				&total);
}

void xp_recv_q_push(struct xp_recv_q *q, const struct xp_recv_wr *wr)
{
	struct xp_recv_wqe *wqe = &q->wqe[(q->head + q->count) % q->size];

	wqe->wr_id = wr->wr_id;
	wqe->num_sge = wr->num_sge;
	if (wr->num_sge)
		memcpy(wqe->sge, wr->sg_list, wr->num_sge * sizeof(*wr->sg_list));
	q->count++;
}

struct xp_recv_wqe *xp_qp_recv_wqe(struct xp_qp *qp, bool take)
{
	if (!qp->srq)
		return xp_recv_q_head(&qp->rq);
	if (!qp->srq_held && take && !xp_srq_take(qp->srq, &qp->srq_wqe))
		qp->srq_held = true;
	return qp->srq_held ? &qp->srq_wqe : NULL;
}

void xp_qp_recv_done(struct xp_qp *qp)
{
	if (qp->srq)
		qp->srq_held = false;
	else
		xp_recv_q_pop(&qp->rq);
}

/*
 * Empty the receive side, with WR_FLUSH_ERR completions when complete (ERR)
 * or silently (RESET). With an SRQ that is the WQE the QP holds; the
 * SRQ's own WQEs stay for its other QPs.
 */
static void flush_rq(struct xp_qp *qp, bool complete)
{
	struct xp_recv_wqe *wqe;

	while ((wqe = xp_qp_recv_wqe(qp, false))) {
		if (complete)
			xp_qp_complete_recv(qp, wqe, XP_WC_WR_FLUSH_ERR, NULL);
		xp_qp_recv_done(qp);
	}
	qp->rq.head = 0;
	if (qp->srq && complete && qp->event_cb)
		qp->event_cb(qp, XP_EVENT_QP_LAST_WQE_REACHED, qp->context);
}

void xp_qp_to_err(struct xp_qp *qp)
{
	if (qp->attr.qp_state == XP_QPS_ERR)
		return;
	qp->attr.qp_state = XP_QPS_ERR;
	if (qp->type == XP_QPT_RC)
		xp_rc_flush_sq(qp, true);
	flush_rq(qp, true);
}

int xp_qp_modify(struct xp_qp *qp, const struct xp_qp_attr *attr, int mask)
{
	struct xp_qp_limits lim;
	struct xp_qp_why why;
	int err;

	if (!qp)
		return -EINVAL;
	xp_qp_limits_default(&lim);
	lim.gid_tbl_len = XP_RDMA_GID_TBL_LEN;
	/* 4096 once the device sends packets of several frames. */
	if (qp->dev->mtu > lim.max_path_mtu)
		lim.max_path_mtu = qp->dev->mtu;
	err = xp_qp_modify_check(qp->type, qp->attr.qp_state, attr, mask, &lim, &why);
	if (err) {
		xp_log(XP_DEBUG, "QP %u: modify refused: %s\n", qp->qpn, why.msg);
		return err;
	}
	if (mask & XP_QP_QKEY)
		qp->attr.qkey = attr->qkey;
	if (mask & XP_QP_SQ_PSN)
		qp->attr.sq_psn = attr->sq_psn & XP_PSN_MASK;
	if (mask & XP_QP_PKEY_INDEX)
		qp->attr.pkey_index = attr->pkey_index;
	if (mask & XP_QP_PORT)
		qp->attr.port_num = attr->port_num;
	if (qp->type == XP_QPT_RC) {
		err = xp_rc_modify(qp, attr, mask);
		if (err)
			return err;
	}
	if (mask & XP_QP_STATE) {
		if (attr->qp_state == XP_QPS_ERR) {
			xp_qp_to_err(qp);
			return 0;
		}
		if (attr->qp_state == XP_QPS_RESET) {
			if (qp->type == XP_QPT_RC) {
				xp_rc_flush_sq(qp, false);
				xp_rc_resp_reset(qp);
			}
			flush_rq(qp, false);
		}
		qp->attr.qp_state = attr->qp_state;
	}
	return 0;
}

/* Every SGE must pass the lkey check for need over its whole range. */
int xp_pd_check_sges(struct xp_pd *pd, const char *owner, __u32 num, const struct xp_sge *sge,
		     int n, unsigned int need, __u64 *total)
{
	int i;

	*total = 0;
	for (i = 0; i < n; i++) {
		enum xp_mr_err e = xp_mr_lookup_local(pd, sge[i].lkey, sge[i].addr, sge[i].length,
						      need, NULL, NULL);

		if (e != XP_MR_OK) {
			xp_log(XP_DEBUG, "%s %u: SGE %d (lkey 0x%x, addr 0x%llx, len %u): %s\n",
			       owner, num, i, sge[i].lkey, (unsigned long long)sge[i].addr,
			       sge[i].length, xp_mr_err_str(e));
			return -EINVAL;
		}
		*total += sge[i].length;
	}
	return 0;
}

int xp_qp_check_sges(struct xp_qp *qp, const struct xp_sge *sge, int n, unsigned int need,
		     __u64 *total)
{
	return xp_pd_check_sges(qp->pd, "QP", qp->qpn, sge, n, need, total);
}

int xp_qp_post_recv(struct xp_qp *qp, struct xp_recv_wr *wr, struct xp_recv_wr **bad_wr)
{
	int err = 0;

	if (!qp || !bad_wr)
		return -EINVAL;
	if (qp->srq) {
		xp_log(XP_DEBUG, "QP %u receives from an SRQ; post to it with xp_srq_post_recv()\n",
		       qp->qpn);
		*bad_wr = wr;
		return -EINVAL;
	}
	for (; wr; wr = wr->next) {
		if (qp->attr.qp_state == XP_QPS_RESET) {
			err = -EINVAL;
			break;
		}
		err = xp_recv_wr_check(&qp->rq, qp->pd, qp->cap.max_recv_sge, wr, "QP", qp->qpn);
		if (err)
			break;
		if (qp->attr.qp_state == XP_QPS_ERR) {
			struct xp_recv_wqe flushed = { .wr_id = wr->wr_id };

			xp_qp_complete_recv(qp, &flushed, XP_WC_WR_FLUSH_ERR, NULL);
			continue;
		}
		xp_recv_q_push(&qp->rq, wr);
	}
	*bad_wr = wr;
	return err;
}

enum xp_mr_err xp_qp_gather(struct xp_qp *qp, const struct xp_sge *sge, __u32 n, __u64 off,
			    __u8 *dst, __u32 len)
{
	__u32 i;

	for (i = 0; i < n && len; i++) {
		struct xp_mr *mr;
		enum xp_mr_err e;
		__u32 k;

		if (off >= sge[i].length) {
			off -= sge[i].length;
			continue;
		}
		k = sge[i].length - off < len ? sge[i].length - off : len;
		/* Checked at posting; the MR may have gone since. */
		e = xp_mr_lookup_local(qp->pd, sge[i].lkey, sge[i].addr + off, k, 0, NULL, &mr);
		if (e != XP_MR_OK)
			return e;
		xp_mr_read(mr, sge[i].addr + off, dst, k);
		xp_mr_put(mr);
		dst += k;
		len -= k;
		off = 0;
	}
	return len ? XP_MR_OUT_OF_RANGE : XP_MR_OK;
}

int xp_qp_post_send(struct xp_qp *qp, struct xp_send_wr *wr, struct xp_send_wr **bad_wr)
{
	int err = 0;

	if (!qp || !bad_wr)
		return -EINVAL;
	for (; wr; wr = wr->next) {
		if (wr->num_sge < 0 || (__u32)wr->num_sge > qp->cap.max_send_sge ||
		    (wr->num_sge && !wr->sg_list)) {
			err = -EINVAL;
			break;
		}
		err = qp->type == XP_QPT_RC ? xp_rc_post_send(qp, wr) : xp_qp_ud_send(qp, wr);
		if (err)
			break;
	}
	if (qp->type == XP_QPT_RC)
		xp_rc_req_progress(qp);
	xp_rdma_tx_flush(qp->dev);
	*bad_wr = wr;
	return err;
}

enum xp_mr_err xp_sge_scatter(struct xp_pd *pd, const struct xp_sge *sge, __u32 n, __u64 *off,
			      const __u8 *src, __u32 len)
{
	__u64 pos = 0;
	__u32 i;

	for (i = 0; i < n && len; i++) {
		const struct xp_sge *s = &sge[i];
		struct xp_mr *mr;
		__u64 in, k;
		enum xp_mr_err e;

		if (*off >= pos + s->length) {
			pos += s->length;
			continue;
		}
		in = *off - pos;
		k = s->length - in < len ? s->length - in : len;
		e = xp_mr_lookup_local(pd, s->lkey, s->addr + in, k, XP_ACCESS_LOCAL_WRITE, NULL,
				       &mr);
		if (e != XP_MR_OK)
			return e;
		xp_mr_write(mr, s->addr + in, src, k);
		xp_mr_put(mr);
		src += k;
		len -= k;
		*off += k;
		pos += s->length;
	}
	return len ? XP_MR_OUT_OF_RANGE : XP_MR_OK;
}
