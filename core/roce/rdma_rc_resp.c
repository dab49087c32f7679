// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * RC responder: take requests in PSN order, place SENDs into receive WQEs
 * and WRITEs into MRs, stream READ responses, execute atomics, and answer.
 *
 *  - A request at the expected PSN is checked (opcode sequence, the QP's
 *    remote access flags, lengths, the rkey) and executed; one failing a
 *    check gets the NAK rxe sends for it and the QP moves to ERR.
 *  - Past the expected PSN: one sequence-error NAK per gap, then silence
 *    until the missing packet comes. A PSN XP_RESP_PSN_REACH or more ahead
 *    is dropped without a NAK and counted apart: no live requester can
 *    have sent it (rxe's has at most 129 PSNs out, ours 128).
 *  - Before it (a duplicate): SENDs and WRITEs are acknowledged again
 *    (unless XP_RESP_PSN_REACH or more behind: dropped), a READ is read again from
 *    the resource it left, if it asks for a part of the original READ
 *    with its rkey (as rxe), an atomic's saved result is sent again: an
 *    atomic never runs twice.
 *  - A SEND with no receive posted gets an RNR NAK with min_rnr_timer.
 *  - ACKs are coalesced: requests with AckReq in one receive batch get one
 *    ACK for the last of them, sent when the batch is done.
 */
#include "xp_env.h"

#include "rdma_private.h"

/* READ response packets sent per QP per poll: the peer's rx ring is finite. */
#define XP_RC_READ_BURST 64

static __u32 path_mtu(const struct xp_qp *qp)
{
	return xp_mtu_to_bytes(qp->attr.path_mtu);
}

static void send_aeth(struct xp_qp *qp, __u8 opcode, __u8 syndrome, __u32 psn, const __u64 *orig)
{
	struct xp_roce_hdrs h = {};
	struct xp_tx_frame f;

	h.opcode = XP_OP_RC | opcode;
	h.psn = psn;
	h.aeth.syndrome = syndrome;
	h.aeth.msn = qp->resp.msn;
	if (orig)
		h.atmack_orig = *orig;
	if (xp_rc_frame_begin(qp, &h, 0, &f))
		return; /* the requester asks again */
	xp_rdma_frame_send(qp->dev, &f);
	qp->stats.tx_pkts++;
}

void xp_rc_resp_flush_ack(struct xp_qp *qp)
{
	if (!qp->resp.ack_pending)
		return;
	qp->resp.ack_pending = false;
	send_aeth(qp, XP_OP_ACKNOWLEDGE, XP_AETH_ACK | XP_AETH_VALUE_MASK, qp->resp.ack_psn, NULL);
	qp->stats.acks_sent++;
}

static void ack_later(struct xp_qp *qp, __u32 psn)
{
	qp->resp.ack_pending = true;
	qp->resp.ack_psn = psn;
}

/* A fatal request error: NAK it and move to ERR (IBTA class B/C/D). */
static enum xp_rdma_drop nak_error(struct xp_qp *qp, __u32 psn, __u8 code)
{
	xp_rc_resp_flush_ack(qp);
	send_aeth(qp, XP_OP_ACKNOWLEDGE, XP_AETH_NAK | code, psn, NULL);
	qp->stats.err_naks_sent++;
	xp_qp_to_err(qp);
	return XP_RDMA_DROP_NONE;
}

/* A request refused at its rkey check (rxe: "rkey violation"): NAK it, count it. */
static enum xp_rdma_drop nak_rkey(struct xp_qp *qp, __u32 psn, enum xp_mr_err err)
{
	qp->dev->stats.mr_rkey_refused++;
	return nak_error(qp, psn, xp_mr_err_nak(err));
}

static enum xp_rdma_drop nak_rnr(struct xp_qp *qp, __u32 psn)
{
	xp_rc_resp_flush_ack(qp);
	send_aeth(qp, XP_OP_ACKNOWLEDGE, XP_AETH_RNR_NAK | (qp->attr.min_rnr_timer & 0x1f), psn,
		  NULL);
	qp->stats.rnr_naks_sent++;
	/* The rest of the message follows; the requester resends after the timer. */
	qp->resp.nak_sent = true;
	return XP_RDMA_DROP_NONE;
}

void xp_rc_resp_reset(struct xp_qp *qp)
{
	struct xp_rc_resp *rs = &qp->resp;
	struct xp_rd_res *res = rs->res;
	__u32 nres = rs->nres, backlog = rs->backlog;

	memset(res, 0, nres * sizeof(*res));
	*rs = (struct xp_rc_resp){ .res = res, .nres = nres, .reading = -1, .backlog = backlog };
}

bool xp_rc_resp_busy(const struct xp_qp *qp)
{
	return qp->resp.reading >= 0;
}

bool xp_rc_resp_progress(struct xp_qp *qp)
{
	struct xp_rc_resp *rs = &qp->resp;
	struct xp_rd_res *res;
	__u32 mtu = path_mtu(qp), n;

	if (rs->reading < 0)
		return false;
	if (qp->attr.qp_state == XP_QPS_ERR || qp->attr.qp_state == XP_QPS_RESET) {
		rs->reading = -1;
		return false;
	}
	res = &rs->res[rs->reading];
	for (n = 0; n < XP_RC_READ_BURST; n++) {
		struct xp_roce_hdrs h = {};
		struct xp_tx_frame f;
		__u32 len = res->resid < mtu ? res->resid : mtu;
		bool first = res->next_psn == res->start_psn;
		bool last = len == res->resid;
		struct xp_mr *mr = NULL;
		enum xp_mr_err e;

		if (first && last)
			h.opcode = XP_OP_RC | XP_OP_READ_RESPONSE_ONLY;
		else if (first)
			h.opcode = XP_OP_RC | XP_OP_READ_RESPONSE_FIRST;
		else if (last)
			h.opcode = XP_OP_RC | XP_OP_READ_RESPONSE_LAST;
		else
			h.opcode = XP_OP_RC | XP_OP_READ_RESPONSE_MIDDLE;
		h.psn = res->next_psn;
		h.aeth.syndrome = XP_AETH_ACK | XP_AETH_VALUE_MASK;
		h.aeth.msn = rs->msn;
		e = len ? xp_mr_lookup_remote(qp->pd, res->rkey, res->va, len,
					      XP_ACCESS_REMOTE_READ, NULL, &mr) :
			  XP_MR_OK;
		if (e != XP_MR_OK) {
			/* Invalidated under us: the READ cannot finish. */
			rs->reading = -1;
			nak_rkey(qp, res->next_psn, e);
			return false;
		}
		if (xp_rc_frame_begin(qp, &h, len, &f)) {
			if (mr)
				xp_mr_put(mr);
			return true; /* no frame: go on at the next poll */
		}
		if (mr) {
			xp_mr_read(mr, res->va, f.payload, len);
			xp_mr_put(mr);
		}
		xp_rdma_frame_send(qp->dev, &f);
		qp->stats.tx_pkts++;
		res->va += len;
		res->resid -= len;
		res->next_psn = xp_psn_add(res->next_psn, 1);
		if (last) {
			rs->reading = -1;
			return false;
		}
	}
	return true;
}

/* Start streaming res from psn for (va, rkey, len). */
static void read_start(struct xp_qp *qp, struct xp_rd_res *res, __u32 psn, __u64 va, __u32 rkey,
		       __u32 len)
{
	res->start_psn = res->next_psn = psn;
	res->va = va;
	res->rkey = rkey;
	res->resid = len;
	qp->resp.reading = res - qp->resp.res;
	xp_rc_resp_progress(qp);
}

static struct xp_rd_res *res_alloc(struct xp_qp *qp)
{
	struct xp_rc_resp *rs = &qp->resp;
	__u32 n = qp->attr.max_dest_rd_atomic ? qp->attr.max_dest_rd_atomic : 1;

	if (n > rs->nres)
		n = rs->nres;
	return &rs->res[rs->res_next++ % n];
}

static struct xp_rd_res *res_find(const struct xp_qp *qp, __u8 type, __u32 psn)
{
	const struct xp_rc_resp *rs = &qp->resp;
	__u32 i;

	for (i = 0; i < rs->nres; i++) {
		struct xp_rd_res *r = &rs->res[i];

		if (r->type == type && xp_psn_ge(psn, r->first_psn) && xp_psn_ge(r->last_psn, psn))
			return r;
	}
	return NULL;
}

/* A repeated READ must ask for a part of the original, with its rkey (rxe). */
static bool read_repeat_ok(const struct xp_rd_res *res, const struct xp_roce_pkt *pkt)
{
	__u64 va = pkt->h.reth.va, len = pkt->h.reth.len;

	return pkt->h.reth.rkey == res->orig_rkey && va >= res->orig_va &&
	       va - res->orig_va <= res->orig_len && len <= res->orig_len - (va - res->orig_va);
}

/* Is a duplicate at psn one the responder would answer? */
static bool dup_known(const struct xp_qp *qp, const struct xp_roce_pkt *pkt, __s32 d)
{
	__u8 op = pkt->h.opcode & ~XP_OP_TRANSPORT_MASK;

	if (op == XP_OP_READ_REQUEST)
		return res_find(qp, XP_RES_READ, pkt->h.psn);
	if (op == XP_OP_COMPARE_SWAP || op == XP_OP_FETCH_ADD)
		return res_find(qp, XP_RES_ATOMIC, pkt->h.psn);
	return d > -(__s32)XP_RESP_PSN_REACH;
}

static enum xp_rdma_drop duplicate(struct xp_qp *qp, const struct xp_roce_pkt *pkt, __s32 d)
{
	__u8 op = pkt->h.opcode & ~XP_OP_TRANSPORT_MASK;
	struct xp_rd_res *res;

	if (!dup_known(qp, pkt, d)) {
		qp->stats.dup_too_old++;
		return XP_RDMA_DROP_NONE;
	}
	if (op == XP_OP_READ_REQUEST) {
		res = res_find(qp, XP_RES_READ, pkt->h.psn);
		if (!read_repeat_ok(res, pkt)) {
			qp->stats.dup_read_mismatch++;
			return XP_RDMA_DROP_NONE;
		}
		qp->stats.dup_requests++;
		xp_rc_resp_flush_ack(qp);
		read_start(qp, res, pkt->h.psn, pkt->h.reth.va, pkt->h.reth.rkey, pkt->h.reth.len);
		return XP_RDMA_DROP_NONE;
	}
	qp->stats.dup_requests++;
	if (op == XP_OP_COMPARE_SWAP || op == XP_OP_FETCH_ADD) {
		res = res_find(qp, XP_RES_ATOMIC, pkt->h.psn);
		xp_rc_resp_flush_ack(qp);
		send_aeth(qp, XP_OP_ATOMIC_ACKNOWLEDGE, XP_AETH_ACK | XP_AETH_VALUE_MASK,
			  res->first_psn, &res->orig);
		qp->stats.acks_sent++;
		return XP_RDMA_DROP_NONE;
	}
	/* SEND or WRITE: everything before the expected PSN is done. */
	ack_later(qp, xp_psn_add(qp->resp.epsn, -1));
	return XP_RDMA_DROP_NONE;
}

bool xp_rc_resp_may_wait(const struct xp_qp *qp, const struct xp_roce_pkt *pkt)
{
	__s32 d = xp_psn_diff(pkt->h.psn, qp->resp.epsn);

	if (!xp_rc_from_peer(qp, pkt))
		return false;
	if (d >= 0)
		return d < (__s32)XP_RESP_PSN_REACH;
	return dup_known(qp, pkt, d);
}

/* May op come next, given the message in progress? */
static bool op_in_sequence(const struct xp_rc_resp *rs, __u8 op)
{
	bool cont_send = op == XP_OP_SEND_MIDDLE || op == XP_OP_SEND_LAST ||
			 op == XP_OP_SEND_LAST_IMM || op == XP_OP_SEND_LAST_INV;
	bool cont_write =
		op == XP_OP_WRITE_MIDDLE || op == XP_OP_WRITE_LAST || op == XP_OP_WRITE_LAST_IMM;

	if (rs->in_send)
		return cont_send;
	if (rs->in_write)
		return cont_write;
	return !cont_send && !cont_write;
}

static enum xp_rdma_drop do_send(struct xp_qp *qp, const struct xp_roce_pkt *pkt)
{
	struct xp_rc_resp *rs = &qp->resp;
	const struct xp_roce_opinfo *oi = pkt->info;
	struct xp_recv_wqe *wqe;
	struct xp_wc wc = {};
	enum xp_mr_err e;

	/* The first packet takes the WQE (from the SRQ, if any), the others find it. */
	wqe = xp_qp_recv_wqe(qp, oi->flags & XP_OPF_START);
	if (oi->flags & XP_OPF_START) {
		if (!wqe)
			return nak_rnr(qp, pkt->h.psn);
		rs->send_off = 0;
		rs->in_send = !(oi->flags & XP_OPF_END);
	} else if (!wqe) {
		/* A continuation with no WQE held (none was taken): out of sequence. */
		rs->in_send = false;
		return nak_error(qp, pkt->h.psn, XP_NAK_INVALID_REQUEST);
	}
	if (pkt->payload_len) {
		e = xp_sge_scatter(xp_qp_recv_pd(qp), wqe->sge, wqe->num_sge, &rs->send_off,
				   pkt->payload, pkt->payload_len);
		if (e == XP_MR_OUT_OF_RANGE) {
			/* Longer than the receive buffers. */
			xp_qp_complete_recv(qp, wqe, XP_WC_LOC_LEN_ERR, NULL);
			xp_qp_recv_done(qp);
			rs->in_send = false;
			return nak_error(qp, pkt->h.psn, XP_NAK_INVALID_REQUEST);
		}
		if (e != XP_MR_OK) {
			xp_qp_complete_recv(qp, wqe, xp_mr_err_wc_local(e), NULL);
			xp_qp_recv_done(qp);
			rs->in_send = false;
			return nak_error(qp, pkt->h.psn, xp_mr_err_recv_nak(e));
		}
	}
	if (!(oi->flags & XP_OPF_END))
		return XP_RDMA_DROP_NONE;

	rs->in_send = false;
	rs->msn = xp_psn_add(rs->msn, 1);
	wc.byte_len = rs->send_off;
	wc.src_qp = qp->attr.dest_qp_num;
	if (oi->hdrs & XP_HDR_IMMDT) {
		wc.wc_flags |= XP_WC_WITH_IMM;
		wc.imm_data = xp_htonl(pkt->h.imm);
	}
	if (oi->hdrs & XP_HDR_IETH) {
		int err = xp_mr_invalidate_remote(qp->pd, pkt->h.ieth_rkey);

		wc.wc_flags |= XP_WC_WITH_INV;
		wc.invalidated_rkey = pkt->h.ieth_rkey;
		if (err) {
			/* The message is acknowledged, then the QP fails (rxe class J). */
			xp_qp_complete_recv(qp, wqe, xp_mr_send_inv_wc_status(err), &wc);
			xp_qp_recv_done(qp);
			rs->epsn = xp_psn_add(rs->epsn, 1);
			ack_later(qp, pkt->h.psn);
			xp_rc_resp_flush_ack(qp);
			xp_qp_to_err(qp);
			return XP_RDMA_DROP_NONE;
		}
		qp->dev->stats.mr_remote_inv++;
	}
	xp_qp_complete_recv(qp, wqe, XP_WC_SUCCESS, &wc);
	xp_qp_recv_done(qp);
	return XP_RDMA_DROP_NONE;
}

static enum xp_rdma_drop do_write(struct xp_qp *qp, const struct xp_roce_pkt *pkt)
{
	struct xp_rc_resp *rs = &qp->resp;
	const struct xp_roce_opinfo *oi = pkt->info;
	bool imm = oi->hdrs & XP_HDR_IMMDT;
	struct xp_recv_wqe *wqe = NULL;
	enum xp_mr_err e;
	struct xp_mr *mr;

	/* The packet with the immediate needs a receive WQE, as rxe (RXE_RWR_MASK). */
	if (imm && (oi->flags & XP_OPF_END)) {
		wqe = xp_qp_recv_wqe(qp, true);
		if (!wqe)
			return nak_rnr(qp, pkt->h.psn);
	}
	if (oi->flags & XP_OPF_START) {
		rs->write_va = pkt->h.reth.va;
		rs->write_rkey = pkt->h.reth.rkey;
		rs->write_resid = rs->write_len = pkt->h.reth.len;
		e = xp_mr_lookup_remote(qp->pd, rs->write_rkey, rs->write_va, rs->write_len,
					XP_ACCESS_REMOTE_WRITE, NULL, NULL);
		if (e != XP_MR_OK)
			return nak_rkey(qp, pkt->h.psn, e);
		rs->in_write = !(oi->flags & XP_OPF_END);
	}
	if (pkt->payload_len > rs->write_resid)
		return nak_error(qp, pkt->h.psn, XP_NAK_INVALID_REQUEST);
	if (pkt->payload_len) {
		e = xp_mr_lookup_remote(qp->pd, rs->write_rkey, rs->write_va, pkt->payload_len,
					XP_ACCESS_REMOTE_WRITE, NULL, &mr);
		if (e != XP_MR_OK)
			return nak_rkey(qp, pkt->h.psn, e);
		xp_mr_write(mr, rs->write_va, pkt->payload, pkt->payload_len);
		xp_mr_put(mr);
		rs->write_va += pkt->payload_len;
		rs->write_resid -= pkt->payload_len;
	}
	if (!(oi->flags & XP_OPF_END))
		return XP_RDMA_DROP_NONE;
	rs->in_write = false;
	if (rs->write_resid)
		return nak_error(qp, pkt->h.psn, XP_NAK_INVALID_REQUEST);
	rs->msn = xp_psn_add(rs->msn, 1);
	if (imm) {
		struct xp_wc wc = {
			.opcode = XP_WC_RECV_RDMA_WITH_IMM,
			.byte_len = rs->write_len,
			.imm_data = xp_htonl(pkt->h.imm),
			.src_qp = qp->attr.dest_qp_num,
			.wc_flags = XP_WC_WITH_IMM,
		};

		xp_qp_complete_recv(qp, wqe, XP_WC_SUCCESS, &wc);
		xp_qp_recv_done(qp);
	}
	return XP_RDMA_DROP_NONE;
}

static enum xp_rdma_drop do_read(struct xp_qp *qp, const struct xp_roce_pkt *pkt)
{
	struct xp_rc_resp *rs = &qp->resp;
	struct xp_rd_res *res;
	__u32 len = pkt->h.reth.len, mtu = path_mtu(qp), npkts;
	enum xp_mr_err e;

	e = xp_mr_lookup_remote(qp->pd, pkt->h.reth.rkey, pkt->h.reth.va, len,
				XP_ACCESS_REMOTE_READ, NULL, NULL);
	if (e != XP_MR_OK)
		return nak_rkey(qp, pkt->h.psn, e);
	npkts = len ? (len + mtu - 1) / mtu : 1;
	xp_rc_resp_flush_ack(qp);
	res = res_alloc(qp);
	res->type = XP_RES_READ;
	res->first_psn = pkt->h.psn;
	res->last_psn = xp_psn_add(pkt->h.psn, npkts - 1);
	res->orig_va = pkt->h.reth.va;
	res->orig_len = len;
	res->orig_rkey = pkt->h.reth.rkey;
	rs->epsn = xp_psn_add(res->last_psn, 1);
	rs->msn = xp_psn_add(rs->msn, 1);
	read_start(qp, res, pkt->h.psn, pkt->h.reth.va, pkt->h.reth.rkey, len);
	return XP_RDMA_DROP_NONE;
}

static enum xp_rdma_drop do_atomic(struct xp_qp *qp, const struct xp_roce_pkt *pkt, __u8 op)
{
	struct xp_rc_resp *rs = &qp->resp;
	struct xp_rd_res *res;
	enum xp_mr_err e;
	__u64 *p, orig;

	e = xp_mr_lookup_atomic(qp->pd, pkt->h.atmeth.rkey, pkt->h.atmeth.va,
				XP_ACCESS_REMOTE_ATOMIC, (void **)&p, NULL);
	if (e != XP_MR_OK)
		return nak_rkey(qp, pkt->h.psn, e);
	orig = *p;
	if (op == XP_OP_COMPARE_SWAP) {
		if (orig == pkt->h.atmeth.compare)
			*p = pkt->h.atmeth.swap_add;
	} else {
		*p = orig + pkt->h.atmeth.swap_add;
	}
	res = res_alloc(qp);
	res->type = XP_RES_ATOMIC;
	res->first_psn = res->last_psn = pkt->h.psn;
	res->orig = orig;
	rs->epsn = xp_psn_add(pkt->h.psn, 1);
	rs->msn = xp_psn_add(rs->msn, 1);
	/* The atomic ACK acknowledges everything before it too. */
	rs->ack_pending = false;
	send_aeth(qp, XP_OP_ATOMIC_ACKNOWLEDGE, XP_AETH_ACK | XP_AETH_VALUE_MASK, pkt->h.psn,
		  &orig);
	qp->stats.acks_sent++;
	return XP_RDMA_DROP_NONE;
}

enum xp_rdma_drop xp_rc_resp_recv(struct xp_qp *qp, const struct xp_roce_pkt *pkt)
{
	struct xp_rc_resp *rs = &qp->resp;
	const struct xp_roce_opinfo *oi = pkt->info;
	__u8 op = pkt->h.opcode & ~XP_OP_TRANSPORT_MASK;
	__s32 d = xp_psn_diff(pkt->h.psn, rs->epsn);
	unsigned int need = 0;
	enum xp_rdma_drop ret;

	if (d >= (__s32)XP_RESP_PSN_REACH) {
		/* No requester sends this far ahead: forged, or another QP's. */
		qp->stats.psn_out_of_window++;
		return XP_RDMA_DROP_NONE;
	}
	if (d > 0) {
		qp->stats.out_of_seq++;
		if (!rs->nak_sent) {
			rs->nak_sent = true;
			xp_rc_resp_flush_ack(qp);
			send_aeth(qp, XP_OP_ACKNOWLEDGE, XP_AETH_NAK | XP_NAK_PSN_SEQ_ERROR,
				  rs->epsn, NULL);
			qp->stats.seq_naks_sent++;
		}
		return XP_RDMA_DROP_NONE;
	}
	if (d < 0)
		return duplicate(qp, pkt, d);
	rs->nak_sent = false;

	if (!op_in_sequence(rs, op))
		return nak_error(qp, pkt->h.psn, XP_NAK_INVALID_REQUEST);
	if (op >= XP_OP_WRITE_FIRST && op <= XP_OP_WRITE_ONLY_IMM)
		need = XP_ACCESS_REMOTE_WRITE;
	else if (op == XP_OP_READ_REQUEST)
		need = XP_ACCESS_REMOTE_READ;
	else if (op == XP_OP_COMPARE_SWAP || op == XP_OP_FETCH_ADD)
		need = XP_ACCESS_REMOTE_ATOMIC;
	if (need && !(qp->attr.qp_access_flags & need))
		return nak_error(qp, pkt->h.psn, XP_NAK_INVALID_REQUEST);
	/* Only the last packet of a message may be short. */
	if (pkt->payload_len > path_mtu(qp) ||
	    (!(oi->flags & XP_OPF_END) && pkt->payload_len != path_mtu(qp)))
		return nak_error(qp, pkt->h.psn, XP_NAK_INVALID_REQUEST);

	if (op == XP_OP_READ_REQUEST)
		return do_read(qp, pkt);
	if (op == XP_OP_COMPARE_SWAP || op == XP_OP_FETCH_ADD)
		return do_atomic(qp, pkt, op);
	if (op <= XP_OP_SEND_ONLY_IMM || op == XP_OP_SEND_LAST_INV || op == XP_OP_SEND_ONLY_INV)
		ret = do_send(qp, pkt);
	else
		ret = do_write(qp, pkt);
	/* An RNR NAK or an error leaves the PSN where it was. */
	if (qp->attr.qp_state == XP_QPS_ERR || rs->nak_sent)
		return ret;
	if (xp_psn_diff(pkt->h.psn, rs->epsn) == 0)
		rs->epsn = xp_psn_add(rs->epsn, 1);
	if (pkt->h.ack_req)
		ack_later(qp, pkt->h.psn);
	return ret;
}
