// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * UD queue pairs: one packet per message, sent at once, and a received SEND
 * placed into the next receive WQE behind its 40-byte GRH, as rdma_rxe does
 * (rxe_resp.c: send_data_in with the network header first).
 */
#include "xp_env.h"

#include "rdma_private.h"

int xp_qp_ud_send(struct xp_qp *qp, const struct xp_send_wr *wr)
{
	struct xp_rdma_dev *dev = qp->dev;
	struct xp_roce_hdrs h = {};
	struct xp_tx_frame f;
	struct xp_roce_av av;
	__u64 total;
	int err;

	if (qp->attr.qp_state != XP_QPS_RTS || !wr->ud.ah || wr->ud.ah->dev != dev ||
	    (wr->opcode != XP_WR_SEND && wr->opcode != XP_WR_SEND_WITH_IMM))
		return -EINVAL;
	err = xp_qp_check_sges(qp, wr->sg_list, wr->num_sge, 0, &total);
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
	h.imm = xp_ntohl(wr->imm_data);
	h.deth.qkey = (__s32)wr->ud.remote_qkey < 0 ? qp->attr.qkey : wr->ud.remote_qkey;
	h.deth.src_qpn = qp->qpn;

	err = xp_rdma_frame_begin(dev, &av, &h, total, &f);
	if (err == -ENOBUFS) {
		dev->stats.tx_no_frame++;
		return -ENOMEM;
	}
	if (err)
		return err;
	/* Checked just now, by xp_qp_check_sges(). */
	xp_qp_gather(qp, wr->sg_list, wr->num_sge, 0, f.payload, total);
	xp_rdma_frame_send(dev, &f);
	qp->stats.tx_pkts++;
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
	wqe = xp_qp_recv_wqe(qp, true);
	if (!wqe)
		return XP_RDMA_DROP_NO_RECV;

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
	} else if (xp_sge_scatter(xp_qp_recv_pd(qp), wqe->sge, wqe->num_sge, &off, grh,
				  XP_GRH_LEN) ||
		   xp_sge_scatter(xp_qp_recv_pd(qp), wqe->sge, wqe->num_sge, &off, pkt->payload,
				  pkt->payload_len)) {
		status = XP_WC_LOC_PROT_ERR;
	}
	wc.src_qp = pkt->h.deth.src_qpn;
	wc.wc_flags = XP_WC_GRH;
	if (pkt->info->hdrs & XP_HDR_IMMDT) {
		wc.wc_flags |= XP_WC_WITH_IMM;
		wc.imm_data = xp_htonl(pkt->h.imm);
	}
	wc.pkey_index = 0;
	qp->stats.rx_pkts++;
	xp_qp_complete_recv(qp, wqe, status, &wc);
	xp_qp_recv_done(qp);
	return XP_RDMA_DROP_NONE;
}
