// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * RC queue pairs: their send queue and responder resources, the attributes
 * a modify brings (address vector, PSNs, timers), posting work requests
 * (a REG_MR runs at once, xp_qp_reg_mr()), and the split of received
 * packets between responder and completer.
 * The transport itself is in rdma_rc_req.c and rdma_rc_resp.c.
 */
#include "xp_env.h"

#include "rdma_private.h"

int xp_rc_alloc(struct xp_qp *qp)
{
	qp->req.sq = xp_calloc(qp->cap.max_send_wr, sizeof(*qp->req.sq));
	qp->resp.nres = XP_MAX_QP_RD_ATOM;
	qp->resp.res = xp_calloc(qp->resp.nres, sizeof(*qp->resp.res));
	if (!qp->req.sq || !qp->resp.res) {
		xp_rc_free(qp);
		return -ENOMEM;
	}
	qp->resp.reading = -1;
	return 0;
}

void xp_rc_link(struct xp_qp *qp)
{
	qp->rc_next = qp->dev->rc_list;
	qp->dev->rc_list = qp;
}

void xp_rc_unlink(struct xp_qp *qp)
{
	struct xp_qp **pp;

	for (pp = &qp->dev->rc_list; *pp; pp = &(*pp)->rc_next) {
		if (*pp == qp) {
			*pp = qp->rc_next;
			break;
		}
	}
}

void xp_rc_free(struct xp_qp *qp)
{
	xp_free(qp->req.sq);
	xp_free(qp->resp.res);
	qp->req.sq = NULL;
	qp->resp.res = NULL;
}

int xp_rc_modify(struct xp_qp *qp, const struct xp_qp_attr *attr, int mask)
{
	int err;

	if ((mask & XP_QP_PATH_MTU) && attr->path_mtu > qp->dev->mtu) {
		xp_log(XP_WARN, "QP %u: path MTU %u is above the device's %u\n", qp->qpn,
		       xp_mtu_to_bytes(attr->path_mtu), xp_mtu_to_bytes(qp->dev->mtu));
		return -EINVAL;
	}
	if (mask & XP_QP_AV) {
		err = xp_rdma_resolve_av(qp->dev, &attr->ah_attr, &qp->av);
		if (err)
			return err;
		qp->attr.ah_attr = attr->ah_attr;
	}
	if (mask & XP_QP_PATH_MTU)
		qp->attr.path_mtu = attr->path_mtu;
	if (mask & XP_QP_ACCESS_FLAGS)
		qp->attr.qp_access_flags = attr->qp_access_flags;
	if (mask & XP_QP_DEST_QPN) {
		qp->attr.dest_qp_num = attr->dest_qp_num & XP_QPN_MASK;
		qp->sport = xp_roce_sport_rc(qp->qpn, qp->attr.dest_qp_num);
	}
	if (mask & XP_QP_RQ_PSN) {
		qp->attr.rq_psn = attr->rq_psn & XP_PSN_MASK;
		qp->resp.epsn = qp->attr.rq_psn;
	}
	if (mask & XP_QP_SQ_PSN) {
		qp->req.psn = qp->req.una = qp->req.max_psn = qp->attr.sq_psn;
		qp->req.gobk = false;
		qp->req.probe = false;
		qp->req.rd_probe = false;
	}
	if (mask & XP_QP_TIMEOUT)
		qp->attr.timeout = attr->timeout;
	if (mask & XP_QP_RETRY_CNT)
		qp->attr.retry_cnt = qp->req.retry_left = attr->retry_cnt;
	if (mask & XP_QP_RNR_RETRY)
		qp->attr.rnr_retry = qp->req.rnr_left = attr->rnr_retry;
	if (mask & XP_QP_MIN_RNR_TIMER)
		qp->attr.min_rnr_timer = attr->min_rnr_timer;
	if (mask & XP_QP_MAX_QP_RD_ATOMIC)
		qp->attr.max_rd_atomic = attr->max_rd_atomic;
	if (mask & XP_QP_MAX_DEST_RD_ATOMIC)
		qp->attr.max_dest_rd_atomic = attr->max_dest_rd_atomic;
	return 0;
}

int xp_qp_connect(struct xp_qp *qp, const struct xp_qp_peer *peer,
		  const struct xp_qp_connect_opts *opts)
{
	struct xp_qp_attr a = {};
	bool exact;
	int err;

	if (!qp || !peer || qp->type != XP_QPT_RC)
		return -EINVAL;
	err = xp_opts_check(opts, sizeof(*opts), "xp_qp_connect_opts");
	if (err)
		return err;
	exact = XP_OPTS_GET(opts, timers_set, false);

	a.qp_state = XP_QPS_INIT;
	a.port_num = XP_PORT_NUM;
	a.qp_access_flags =
		XP_OPTS_GET(opts, access, 0) ?: XP_ACCESS_LOCAL_WRITE | XP_ACCESS_REMOTE;
	err = xp_qp_modify(qp, &a,
			   XP_QP_STATE | XP_QP_PKEY_INDEX | XP_QP_PORT | XP_QP_ACCESS_FLAGS);
	if (err) {
		xp_log(XP_WARN, "QP %u: RESET -> INIT: %s\n", qp->qpn, xp_strerror(-err));
		return err;
	}

	a.qp_state = XP_QPS_RTR;
	a.path_mtu = XP_OPTS_GET(opts, path_mtu, 0) ?: qp->dev->mtu;
	a.dest_qp_num = peer->dest_qpn;
	a.rq_psn = peer->rq_psn;
	a.max_dest_rd_atomic = XP_OPTS_GET(opts, max_dest_rd_atomic, 0) ?: 16;
	a.min_rnr_timer = exact ? opts->min_rnr_timer : XP_OPTS_GET(opts, min_rnr_timer, 0) ?: 12;
	memcpy(a.ah_attr.dgid, peer->dgid, 16);
	a.ah_attr.sgid_index = peer->sgid_index;
	a.ah_attr.hop_limit = XP_OPTS_GET(opts, hop_limit, 0) ?: 64;
	a.ah_attr.port_num = XP_PORT_NUM;
	err = xp_qp_modify(qp, &a,
			   XP_QP_STATE | XP_QP_AV | XP_QP_PATH_MTU | XP_QP_DEST_QPN | XP_QP_RQ_PSN |
				   XP_QP_MAX_DEST_RD_ATOMIC | XP_QP_MIN_RNR_TIMER);
	if (err) {
		xp_log(XP_WARN, "QP %u: INIT -> RTR: %s\n", qp->qpn, xp_strerror(-err));
		return err;
	}

	a.qp_state = XP_QPS_RTS;
	a.sq_psn = peer->sq_psn;
	a.timeout = exact ? opts->timeout : XP_OPTS_GET(opts, timeout, 0) ?: 14;
	a.retry_cnt = exact ? opts->retry_cnt : XP_OPTS_GET(opts, retry_cnt, 0) ?: 7;
	a.rnr_retry = exact ? opts->rnr_retry : XP_OPTS_GET(opts, rnr_retry, 0) ?: 7;
	a.max_rd_atomic = XP_OPTS_GET(opts, max_rd_atomic, 0) ?: 16;
	err = xp_qp_modify(qp, &a,
			   XP_QP_STATE | XP_QP_SQ_PSN | XP_QP_TIMEOUT | XP_QP_RETRY_CNT |
				   XP_QP_RNR_RETRY | XP_QP_MAX_QP_RD_ATOMIC);
	if (err)
		xp_log(XP_WARN, "QP %u: RTR -> RTS: %s\n", qp->qpn, xp_strerror(-err));
	return err;
}

int xp_rc_post_send(struct xp_qp *qp, const struct xp_send_wr *wr)
{
	struct xp_rc_req *rq = &qp->req;
	struct xp_send_wqe *wqe;
	unsigned int need = 0;
	__u32 mtu = xp_mtu_to_bytes(qp->attr.path_mtu);
	__u64 total;
	int err;

	if (qp->attr.qp_state == XP_QPS_ERR) {
		struct xp_wc wc = {
			.wr_id = wr->wr_id,
			.status = XP_WC_WR_FLUSH_ERR,
			.qp_num = qp->qpn,
		};

		return xp_cq_push(qp->scq, &wc);
	}
	if (qp->attr.qp_state != XP_QPS_RTS)
		return -EINVAL;
	if (rq->prod - rq->cons == qp->cap.max_send_wr)
		return -ENOMEM;
	switch (wr->opcode) {
	case XP_WR_SEND:
	case XP_WR_SEND_WITH_IMM:
	case XP_WR_SEND_WITH_INV:
	case XP_WR_RDMA_WRITE:
	case XP_WR_RDMA_WRITE_WITH_IMM:
	case XP_WR_LOCAL_INV:
		break;
	case XP_WR_RDMA_READ:
		need = XP_ACCESS_LOCAL_WRITE;
		break;
	case XP_WR_ATOMIC_CMP_AND_SWP:
	case XP_WR_ATOMIC_FETCH_AND_ADD:
		if (wr->num_sge != 1 || wr->sg_list[0].length != 8 || (wr->atomic.remote_addr & 7))
			return -EINVAL;
		need = XP_ACCESS_LOCAL_WRITE;
		break;
	default:
		return -EINVAL;
	}
	err = xp_qp_check_sges(qp, wr->sg_list, wr->num_sge, need, &total);
	if (err)
		return err;
	if (total > (1ull << 31))
		return -EINVAL;

	wqe = &rq->sq[rq->prod % qp->cap.max_send_wr];
	wqe->wr = *wr;
	wqe->wr.next = NULL;
	wqe->wr.sg_list = NULL;
	if (wr->num_sge)
		memcpy(wqe->sge, wr->sg_list, wr->num_sge * sizeof(*wr->sg_list));
	wqe->length = total;
	wqe->first_psn = wqe->last_psn = 0;
	wqe->read_pkts = 0;
	wqe->status = XP_WC_SUCCESS;
	wqe->state = XP_WQE_POSTED;
	if (wr->opcode == XP_WR_LOCAL_INV)
		wqe->npsn = 0;
	else if (wr->opcode == XP_WR_ATOMIC_CMP_AND_SWP || wr->opcode == XP_WR_ATOMIC_FETCH_AND_ADD)
		wqe->npsn = 1;
	else
		wqe->npsn = total ? (total + mtu - 1) / mtu : 1;
	rq->prod++;
	return 0;
}

int xp_qp_reg_mr(struct xp_qp *qp, struct xp_mr *mr, const struct xp_mr_fast_reg *fr)
{
	int err;

	if (!qp) {
		xp_log(XP_WARN, "xp_qp_reg_mr: qp is NULL\n");
		return -EINVAL;
	}
	err = xp_mr_fast_reg(qp->pd, mr, fr);
	if (err)
		qp->dev->stats.mr_reg_refused++;
	else
		qp->dev->stats.mr_fast_reg++;
	return err;
}

int xp_rc_frame_begin(struct xp_qp *qp, struct xp_roce_hdrs *h, __u32 len, struct xp_tx_frame *f)
{
	struct xp_rdma_dev *dev = qp->dev;
	struct xp_roce_av av = qp->av;

	av.sport = qp->sport;
	av.ip_id = dev->ip_id++;
	av.pmtu = xp_mtu_to_bytes(qp->attr.path_mtu);
	h->pkey = 0xffff;
	h->dest_qpn = qp->attr.dest_qp_num;
	return xp_rdma_frame_begin(dev, &av, h, len, f);
}

bool xp_rc_from_peer(const struct xp_qp *qp, const struct xp_roce_pkt *pkt)
{
	/* rxe: an RC packet must come from the QP's peer, to the QP's own IP. */
	return !memcmp(pkt->sgid, qp->av.dgid, 16) && !memcmp(pkt->dgid, qp->av.sgid, 16);
}

enum xp_rdma_drop xp_rc_recv(struct xp_qp *qp, const struct xp_roce_pkt *pkt)
{
	enum xp_qp_state st = qp->attr.qp_state;

	if (!xp_rc_from_peer(qp, pkt))
		return XP_RDMA_DROP_PATH;
	if (pkt->info->flags & XP_OPF_REQUEST) {
		if (st != XP_QPS_RTR && st != XP_QPS_RTS && st != XP_QPS_SQD)
			return XP_RDMA_DROP_QP_STATE;
		qp->stats.rx_pkts++;
		return xp_rc_resp_recv(qp, pkt);
	}
	if (st != XP_QPS_RTS && st != XP_QPS_SQD)
		return XP_RDMA_DROP_QP_STATE;
	qp->stats.rx_pkts++;
	return xp_rc_comp_recv(qp, pkt);
}
