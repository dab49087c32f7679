// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * UD queue pairs: create and modify, post receives and sends, and place a
 * received SEND into the next receive WQE behind its 40-byte GRH, as
 * rdma_rxe does (rxe_resp.c: send_data_in with the network header first).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "rdma_private.h"
#include "xp_log.h"
#include "xp_pool.h"
#include "xp_steer.h"
#include "xp_umem.h"
#include "xp_xsk.h"

#define XP_QP_MAX_WR 16384u

#define offsetofend(type, member) (offsetof(type, member) + sizeof(((type *)0)->member))

static int alloc_qpn(struct xp_rdma_dev *dev, __u32 *qpn)
{
	__u32 i, slot;

	for (i = 0; i < dev->max_qp; i++) {
		slot = (dev->next_qpn - XP_RDMA_QPN_FIRST + i) % dev->max_qp;
		if (!dev->qps[slot]) {
			*qpn = slot + XP_RDMA_QPN_FIRST;
			/* Like rxe, do not reuse a QPN at once: stale packets stay dropped. */
			dev->next_qpn = XP_RDMA_QPN_FIRST + (slot + 1) % dev->max_qp;
			return 0;
		}
	}
	return -ENOSPC;
}

struct xp_qp *xp_qp_create(struct xp_rdma_dev *dev, const struct xp_qp_init_attr *init)
{
	const struct xp_qp_cap *cap;
	struct xp_qp *qp;
	__u32 qpn;
	int err;

	if (!dev || !init || init->sz < offsetofend(struct xp_qp_init_attr, sq_sig_all) ||
	    !init->pd || !init->send_cq || !init->recv_cq || xp_pd_table(init->pd) != dev->mrs) {
		errno = EINVAL;
		return NULL;
	}
	if (init->qp_type != XP_QPT_UD) {
		xp_log(XP_WARN, "QP type %s is not supported yet; only UD\n",
		       xp_qp_type_str(init->qp_type));
		errno = EOPNOTSUPP;
		return NULL;
	}
	cap = &init->cap;
	if (!cap->max_send_wr || !cap->max_recv_wr || cap->max_send_wr > XP_QP_MAX_WR ||
	    cap->max_recv_wr > XP_QP_MAX_WR || !cap->max_send_sge || !cap->max_recv_sge ||
	    cap->max_send_sge > XP_QP_MAX_SGE || cap->max_recv_sge > XP_QP_MAX_SGE ||
	    cap->max_inline_data) {
		xp_log(XP_WARN,
		       "QP caps send_wr %u recv_wr %u send_sge %u recv_sge %u inline %u: "
		       "WRs must be 1..%u, SGEs 1..%u, inline 0\n",
		       cap->max_send_wr, cap->max_recv_wr, cap->max_send_sge, cap->max_recv_sge,
		       cap->max_inline_data, XP_QP_MAX_WR, XP_QP_MAX_SGE);
		errno = EINVAL;
		return NULL;
	}
	err = alloc_qpn(dev, &qpn);
	if (err) {
		xp_log(XP_WARN, "all %u QPNs are in use\n", dev->max_qp);
		errno = -err;
		return NULL;
	}
	qp = calloc(1, sizeof(*qp));
	if (!qp)
		return NULL;
	qp->rq = calloc(cap->max_recv_wr, sizeof(*qp->rq));
	if (!qp->rq) {
		err = -ENOMEM;
		goto out_free;
	}
	err = xp_steer_add_qpn(dev->steer, qpn, xp_xsk_queue(dev->xsk));
	if (err) {
		xp_log(XP_WARN, "cannot steer QPN %u to slot %u: %s\n", qpn, xp_xsk_queue(dev->xsk),
		       strerror(-err));
		goto out_rq;
	}
	qp->dev = dev;
	qp->qpn = qpn;
	qp->type = init->qp_type;
	qp->pd = init->pd;
	qp->scq = init->send_cq;
	qp->rcq = init->recv_cq;
	qp->cap = *cap;
	qp->sq_sig_all = init->sq_sig_all;
	if (init->sz >= offsetofend(struct xp_qp_init_attr, qp_context))
		qp->context = init->qp_context;
	qp->attr.qp_state = XP_QPS_RESET;
	qp->attr.cap = *cap;
	qp->attr.path_mtu = dev->mtu;
	qp->attr.port_num = XP_PORT_NUM;
	qp->sport = xp_roce_sport_ud(qpn);
	xp_pd_get(qp->pd);
	xp_cq_get(qp->scq);
	xp_cq_get(qp->rcq);
	dev->qps[qpn - XP_RDMA_QPN_FIRST] = qp;
	dev->nqp++;
	return qp;

out_rq:
	free(qp->rq);
out_free:
	free(qp);
	errno = -err;
	return NULL;
}

int xp_qp_destroy(struct xp_qp *qp)
{
	struct xp_rdma_dev *dev;

	if (!qp)
		return -EINVAL;
	dev = qp->dev;
	xp_steer_del_qpn(dev->steer, qp->qpn);
	dev->qps[qp->qpn - XP_RDMA_QPN_FIRST] = NULL;
	dev->nqp--;
	xp_cq_put(qp->scq);
	xp_cq_put(qp->rcq);
	xp_pd_put(qp->pd);
	free(qp->rq);
	free(qp);
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

static void complete_recv(struct xp_qp *qp, const struct xp_recv_wqe *wqe, enum xp_wc_status status,
			  const struct xp_wc *tmpl)
{
	struct xp_wc wc = tmpl ? *tmpl : (struct xp_wc){};

	wc.wr_id = wqe->wr_id;
	wc.status = status;
	wc.opcode = XP_WC_RECV;
	wc.qp_num = qp->qpn;
	xp_cq_push(qp->rcq, &wc);
}

static void flush_rq(struct xp_qp *qp, bool complete)
{
	while (qp->rq_count) {
		if (complete)
			complete_recv(qp, &qp->rq[qp->rq_head], XP_WC_WR_FLUSH_ERR, NULL);
		qp->rq_head = (qp->rq_head + 1) % qp->cap.max_recv_wr;
		qp->rq_count--;
	}
	qp->rq_head = 0;
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
	if (mask & XP_QP_STATE) {
		if (attr->qp_state == XP_QPS_RESET)
			flush_rq(qp, false);
		else if (attr->qp_state == XP_QPS_ERR)
			flush_rq(qp, true);
		qp->attr.qp_state = attr->qp_state;
	}
	return 0;
}

/* Every SGE must pass the lkey check for need over its whole range. */
static int check_sges(struct xp_qp *qp, const struct xp_sge *sge, int n, unsigned int need,
		      __u64 *total)
{
	int i;

	*total = 0;
	for (i = 0; i < n; i++) {
		enum xp_mr_err e = xp_mr_lookup_local(qp->pd, sge[i].lkey, sge[i].addr,
						      sge[i].length, need, NULL, NULL);

		if (e != XP_MR_OK) {
			xp_log(XP_DEBUG, "QP %u: SGE %d (lkey 0x%x, addr 0x%llx, len %u): %s\n",
			       qp->qpn, i, sge[i].lkey, (unsigned long long)sge[i].addr,
			       sge[i].length, xp_mr_err_str(e));
			return -EINVAL;
		}
		*total += sge[i].length;
	}
	return 0;
}

int xp_qp_post_recv(struct xp_qp *qp, struct xp_recv_wr *wr, struct xp_recv_wr **bad_wr)
{
	struct xp_recv_wqe *wqe;
	__u64 total;
	int err = 0;

	if (!qp || !bad_wr)
		return -EINVAL;
	for (; wr; wr = wr->next) {
		if (qp->attr.qp_state == XP_QPS_RESET || wr->num_sge < 0 ||
		    (__u32)wr->num_sge > qp->cap.max_recv_sge || (wr->num_sge && !wr->sg_list)) {
			err = -EINVAL;
			break;
		}
		if (qp->rq_count == qp->cap.max_recv_wr) {
			err = -ENOMEM;
			break;
		}
		err = check_sges(qp, wr->sg_list, wr->num_sge, XP_ACCESS_LOCAL_WRITE, &total);
		if (err)
			break;
		wqe = &qp->rq[(qp->rq_head + qp->rq_count) % qp->cap.max_recv_wr];
		wqe->wr_id = wr->wr_id;
		wqe->num_sge = wr->num_sge;
		if (wr->num_sge)
			memcpy(wqe->sge, wr->sg_list, wr->num_sge * sizeof(*wr->sg_list));
		qp->rq_count++;
	}
	*bad_wr = wr;
	return err;
}

/* Copy the SGEs' bytes into dst (checked by check_sges() just before). */
static void gather(struct xp_qp *qp, const struct xp_sge *sge, int n, __u8 *dst)
{
	void *src;
	int i;

	for (i = 0; i < n; i++) {
		if (!sge[i].length)
			continue;
		xp_mr_lookup_local(qp->pd, sge[i].lkey, sge[i].addr, sge[i].length, 0, &src, NULL);
		memcpy(dst, src, sge[i].length);
		dst += sge[i].length;
	}
}

static int send_one(struct xp_qp *qp, const struct xp_send_wr *wr)
{
	struct xp_rdma_dev *dev = qp->dev;
	struct xp_roce_hdrs h = {};
	struct xp_roce_av av;
	struct xdp_desc desc;
	__u8 *frame, *payload;
	__u64 total, addr;
	int len, err;

	if (qp->attr.qp_state != XP_QPS_RTS || !wr->ud.ah || wr->ud.ah->dev != dev ||
	    wr->num_sge < 0 || (__u32)wr->num_sge > qp->cap.max_send_sge ||
	    (wr->num_sge && !wr->sg_list) ||
	    (wr->opcode != XP_WR_SEND && wr->opcode != XP_WR_SEND_WITH_IMM))
		return -EINVAL;
	err = check_sges(qp, wr->sg_list, wr->num_sge, 0, &total);
	if (err)
		return err;
	if (total > xp_mtu_to_bytes(dev->mtu))
		return -EINVAL;

	av = wr->ud.ah->av;
	av.sport = qp->sport;
	av.ip_id = dev->ip_id++;
	av.pmtu = xp_mtu_to_bytes(dev->mtu);
	h.opcode = XP_OP_UD |
		   (wr->opcode == XP_WR_SEND_WITH_IMM ? XP_OP_SEND_ONLY_IMM : XP_OP_SEND_ONLY);
	h.se = !!(wr->send_flags & XP_SEND_SOLICITED);
	h.pkey = 0xffff;
	h.dest_qpn = wr->ud.remote_qpn & XP_QPN_MASK;
	h.psn = qp->attr.sq_psn;
	h.imm = ntohl(wr->imm_data);
	h.deth.qkey = (__s32)wr->ud.remote_qkey < 0 ? qp->attr.qkey : wr->ud.remote_qkey;
	h.deth.src_qpn = qp->qpn;

	if (xp_pool_alloc(dev->pool, &addr, 1, XP_OWN_APP) != 1) {
		xp_xsk_complete(dev->xsk, 512);
		if (xp_pool_alloc(dev->pool, &addr, 1, XP_OWN_APP) != 1) {
			dev->stats.tx_no_frame++;
			return -ENOMEM;
		}
	}
	frame = xp_umem_data(dev->area, addr);
	len = xp_roce_build(frame, dev->frame_size, &av, &h, NULL, total, &payload);
	if (len < 0) {
		err = len;
		goto out_frame;
	}
	if (total)
		gather(qp, wr->sg_list, wr->num_sge, payload);
	err = xp_roce_seal(frame, len);
	if (err)
		goto out_frame;
	desc = (struct xdp_desc){ .addr = addr, .len = len };
	if (xp_xsk_tx(dev->xsk, &desc, 1, XP_OWN_APP) != 1) {
		xp_xsk_complete(dev->xsk, 512);
		if (xp_xsk_tx(dev->xsk, &desc, 1, XP_OWN_APP) != 1) {
			err = -ENOMEM;
			goto out_frame;
		}
	}
	dev->stats.tx_frames++;
	qp->attr.sq_psn = xp_psn_add(qp->attr.sq_psn, 1);

	if (qp->sq_sig_all || (wr->send_flags & XP_SEND_SIGNALED)) {
		struct xp_wc wc = {
			.wr_id = wr->wr_id,
			.status = XP_WC_SUCCESS,
			.opcode = XP_WC_SEND,
			.byte_len = total,
			.qp_num = qp->qpn,
		};

		xp_cq_push(qp->scq, &wc);
	}
	return 0;

out_frame:
	xp_pool_free(dev->pool, &addr, 1, XP_OWN_APP);
	return err;
}

int xp_qp_post_send(struct xp_qp *qp, struct xp_send_wr *wr, struct xp_send_wr **bad_wr)
{
	int err = 0;

	if (!qp || !bad_wr)
		return -EINVAL;
	for (; wr; wr = wr->next) {
		err = send_one(qp, wr);
		if (err)
			break;
	}
	*bad_wr = wr;
	return err;
}

/* Write src[0..len) at byte offset *off of the WQE's SGEs. */
static enum xp_mr_err scatter(struct xp_qp *qp, const struct xp_recv_wqe *wqe, __u64 *off,
			      const __u8 *src, __u32 len)
{
	__u64 pos = 0;
	__u32 i;

	for (i = 0; i < wqe->num_sge && len; i++) {
		const struct xp_sge *s = &wqe->sge[i];
		__u64 in, n;
		enum xp_mr_err e;
		void *dst;

		if (*off >= pos + s->length) {
			pos += s->length;
			continue;
		}
		in = *off - pos;
		n = s->length - in < len ? s->length - in : len;
		e = xp_mr_lookup_local(qp->pd, s->lkey, s->addr + in, n, XP_ACCESS_LOCAL_WRITE,
				       &dst, NULL);
		if (e != XP_MR_OK)
			return e;
		memcpy(dst, src, n);
		src += n;
		len -= n;
		*off += n;
		pos += s->length;
	}
	return XP_MR_OK;
}

enum xp_rdma_drop xp_qp_ud_recv(struct xp_qp *qp, const struct xp_roce_pkt *pkt)
{
	struct xp_recv_wqe *wqe;
	struct xp_wc wc = {};
	__u8 grh[XP_GRH_LEN] = {};
	enum xp_wc_status status = XP_WC_SUCCESS;
	__u64 room = 0, off = 0;
	__u32 i;

	if (qp->attr.qp_state != XP_QPS_RTR && qp->attr.qp_state != XP_QPS_RTS)
		return XP_RDMA_DROP_QP_STATE;
	if (pkt->h.deth.qkey != qp->attr.qkey)
		return XP_RDMA_DROP_QKEY;
	if (!qp->rq_count)
		return XP_RDMA_DROP_NO_RECV;
	wqe = &qp->rq[qp->rq_head];

	/* IPv4: 20 zero bytes, then the IPv4 header; IPv6: its header. */
	if (pkt->family == 4)
		memcpy(grh + 20, pkt->frame + pkt->l3_off, 20);
	else
		memcpy(grh, pkt->frame + pkt->l3_off, 40);

	for (i = 0; i < wqe->num_sge; i++)
		room += wqe->sge[i].length;
	wc.byte_len = XP_GRH_LEN + pkt->payload_len;
	if (room < wc.byte_len) {
		status = XP_WC_LOC_LEN_ERR;
	} else if (scatter(qp, wqe, &off, grh, XP_GRH_LEN) ||
		   scatter(qp, wqe, &off, pkt->payload, pkt->payload_len)) {
		status = XP_WC_LOC_PROT_ERR;
	}
	wc.src_qp = pkt->h.deth.src_qpn;
	wc.wc_flags = XP_WC_GRH;
	if (pkt->info->hdrs & XP_HDR_IMMDT) {
		wc.wc_flags |= XP_WC_WITH_IMM;
		wc.imm_data = htonl(pkt->h.imm);
	}
	wc.pkey_index = 0;
	complete_recv(qp, wqe, status, &wc);
	qp->rq_head = (qp->rq_head + 1) % qp->cap.max_recv_wr;
	qp->rq_count--;
	return XP_RDMA_DROP_NONE;
}
