// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * RC requester and completer: segment work requests into packets by the
 * path MTU, keep at most XP_RC_WINDOW PSNs unacknowledged, ask for an ACK
 * on every message's last packet and every XP_MAX_PKT_PER_ACK packets,
 * then complete work requests in order from ACKs, NAKs, READ responses and
 * atomic ACKs. Loss is repaired by go-back-N from the oldest PSN not
 * acknowledged: on a sequence NAK at once, on silence after the local ACK
 * timeout, after the RNR timer on an RNR NAK; retry_cnt and rnr_retry bound
 * the attempts that make no progress (7 means forever, as in rxe). After a
 * timeout or an RNR wait the first packet goes alone, with AckReq, and the
 * window opens once the peer answers (a probe: the peer's answer shows
 * what it already has).
 *
 * Packets are rebuilt from the work request for every retransmission (the
 * data is still in the application's MRs), so no frame waits for an ACK.
 */
#include "xp_env.h"

#include "rdma_private.h"

/* Unacknowledged PSNs a requester may have in flight (rxe's limit). */
#define XP_RC_WINDOW XP_MAX_UNACKED_PSNS

static struct xp_send_wqe *wqe_at(struct xp_qp *qp, __u32 i)
{
	return &qp->req.sq[i % qp->cap.max_send_wr];
}

static __u32 path_mtu(const struct xp_qp *qp)
{
	return xp_mtu_to_bytes(qp->attr.path_mtu);
}

static bool is_rd_atomic(enum xp_wr_opcode op)
{
	return op == XP_WR_RDMA_READ || op == XP_WR_ATOMIC_CMP_AND_SWP ||
	       op == XP_WR_ATOMIC_FETCH_AND_ADD;
}

static enum xp_wc_opcode wc_opcode(enum xp_wr_opcode op)
{
	switch (op) {
	case XP_WR_RDMA_WRITE:
	case XP_WR_RDMA_WRITE_WITH_IMM:
		return XP_WC_RDMA_WRITE;
	case XP_WR_RDMA_READ:
		return XP_WC_RDMA_READ;
	case XP_WR_ATOMIC_CMP_AND_SWP:
		return XP_WC_COMP_SWAP;
	case XP_WR_ATOMIC_FETCH_AND_ADD:
		return XP_WC_FETCH_ADD;
	case XP_WR_LOCAL_INV:
		return XP_WC_LOCAL_INV;
	default:
		return XP_WC_SEND;
	}
}

static void arm_timer(struct xp_qp *qp)
{
	__u64 t = xp_ib_timeout_ns(qp->attr.timeout);

	qp->req.timer_at = t ? xp_rdma_now(qp->dev) + t : 0;
}

static void go_back(struct xp_qp *qp, __u32 psn);

/* Complete the WQEs at the head of the queue that are DONE, in order. */
static void comp_run(struct xp_qp *qp)
{
	struct xp_rc_req *rq = &qp->req;

	while (rq->cons != rq->prod) {
		struct xp_send_wqe *wqe = wqe_at(qp, rq->cons);
		struct xp_wc wc = {};

		if (wqe->state != XP_WQE_DONE)
			break;
		rq->cons++;
		/*
		 * A READ or atomic finished while the requester was about to
		 * ask for it again: resume after it, not inside it.
		 */
		if ((__s32)(rq->next - rq->cons) < 0)
			go_back(qp, rq->una);
		if (wqe->status == XP_WC_SUCCESS && !qp->sq_sig_all &&
		    !(wqe->wr.send_flags & XP_SEND_SIGNALED))
			continue;
		wc.wr_id = wqe->wr.wr_id;
		wc.status = wqe->status;
		wc.opcode = wc_opcode(wqe->wr.opcode);
		wc.byte_len = wqe->length;
		wc.qp_num = qp->qpn;
		xp_cq_push(qp->scq, &wc);
		if (wqe->status != XP_WC_SUCCESS) {
			xp_qp_to_err(qp);
			return;
		}
	}
}

/* The WQE at the head fails with status; the QP goes to ERR. */
static void fail_head(struct xp_qp *qp, enum xp_wc_status status)
{
	struct xp_rc_req *rq = &qp->req;
	struct xp_send_wqe *wqe;

	if (rq->cons == rq->prod)
		return;
	wqe = wqe_at(qp, rq->cons);
	if (wqe->state == XP_WQE_STARTED && is_rd_atomic(wqe->wr.opcode))
		rq->rd_out--;
	wqe->state = XP_WQE_DONE;
	wqe->status = status;
	/* An error always completes, signalled or not. */
	wqe->wr.send_flags |= XP_SEND_SIGNALED;
	comp_run(qp);
}

void xp_rc_flush_sq(struct xp_qp *qp, bool complete)
{
	struct xp_rc_req *rq = &qp->req;

	for (; rq->cons != rq->prod; rq->cons++) {
		struct xp_send_wqe *wqe = wqe_at(qp, rq->cons);
		struct xp_wc wc = {
			.wr_id = wqe->wr.wr_id,
			/* The WQE that failed the QP says why; the rest are flushed. */
			.status = wqe->state == XP_WQE_DONE && wqe->status != XP_WC_SUCCESS ?
					  wqe->status :
					  XP_WC_WR_FLUSH_ERR,
			.opcode = wc_opcode(wqe->wr.opcode),
			.qp_num = qp->qpn,
		};

		if (complete)
			xp_cq_push(qp->scq, &wc);
	}
	rq->prod = rq->cons = rq->next = 0;
	rq->off = 0;
	rq->rd_out = 0;
	rq->noack = 0;
	rq->timer_at = rq->rnr_at = 0;
	rq->gobk = false;
	rq->probe = false;
	rq->rd_probe = false;
}

/*
 * Move the send point to psn: the WQE that holds it, and the offset in it.
 * psn is at or after una and at most one past the highest PSN ever sent
 * (the peer has everything before it, so moving forward is safe too).
 */
static void seek(struct xp_qp *qp, __u32 psn)
{
	struct xp_rc_req *rq = &qp->req;
	struct xp_send_wqe *wqe = NULL;
	__u32 i;

	for (i = rq->cons; i != rq->prod; i++) {
		wqe = wqe_at(qp, i);
		if (wqe->state == XP_WQE_POSTED)
			break;
		if (wqe->state == XP_WQE_STARTED && xp_psn_ge(wqe->last_psn, psn))
			break;
	}
	rq->next = i;
	rq->off = 0;
	if (i != rq->prod && wqe->state == XP_WQE_STARTED) {
		if (xp_psn_lt(psn, wqe->first_psn))
			psn = wqe->first_psn;
		rq->off = (__u64)xp_psn_diff(psn, wqe->first_psn) * path_mtu(qp);
	}
	rq->psn = psn;
}

/* Resend from psn (go-back-N), the whole window. */
static void go_back(struct xp_qp *qp, __u32 psn)
{
	struct xp_rc_req *rq = &qp->req;

	if (xp_psn_lt(psn, rq->una) || xp_psn_diff(psn, rq->max_psn) > 0)
		return;
	seek(qp, psn);
	rq->gobk = true;
	rq->gobk_psn = rq->psn;
	rq->noack = 0;
	rq->probe = false;
	rq->rd_probe = false;
}

/* Retry after no progress: false (and the head failed) when out of retries. */
static bool use_retry(struct xp_qp *qp, bool rnr)
{
	struct xp_rc_req *rq = &qp->req;
	__u8 *left = rnr ? &rq->rnr_left : &rq->retry_left;

	if (!*left) {
		fail_head(qp, rnr ? XP_WC_RNR_RETRY_EXC_ERR : XP_WC_RETRY_EXC_ERR);
		return false;
	}
	if (*left != XP_RETRY_MAX)
		(*left)--;
	return true;
}

/* The peer has everything before una: progress resets the retry budgets. */
static void advance_una(struct xp_qp *qp, __u32 una)
{
	struct xp_rc_req *rq = &qp->req;

	if (!xp_psn_lt(rq->una, una))
		return;
	rq->una = una;
	rq->retry_left = qp->attr.retry_cnt;
	rq->rnr_left = qp->attr.rnr_retry;
	if (rq->gobk && xp_psn_lt(rq->gobk_psn, una))
		rq->gobk = false;
	/* The peer answered: a probe is over. */
	rq->probe = false;
	/*
	 * una passed the send point of a go-back (ACKs and READ responses
	 * that were in flight): what lies between is acknowledged, so not
	 * sent again.
	 */
	if (xp_psn_lt(rq->psn, una))
		seek(qp, una);
	if (rq->una == rq->psn && rq->next == rq->prod)
		rq->timer_at = 0;
	else
		arm_timer(qp);
}

/*
 * Everything up to psn is acknowledged: complete SENDs and WRITEs that end
 * at or before it. A READ or atomic in the way whose request psn covers
 * lost its response: resend from there. Returns false when stopped by one.
 */
static bool ack_upto(struct xp_qp *qp, __u32 psn)
{
	struct xp_rc_req *rq = &qp->req;
	__u32 i;

	/*
	 * Beyond the highest PSN ever sent: acknowledges what we never sent.
	 * Not rq->psn: after a go-back the peer acknowledges what it got
	 * before, and refusing that while the window is sent again (slower
	 * than the ACK timeout on a slow link) never lets una move.
	 */
	if (xp_psn_diff(psn, rq->max_psn) >= 0)
		return false;
	for (i = rq->cons; i != rq->prod; i++) {
		struct xp_send_wqe *wqe = wqe_at(qp, i);

		if (wqe->state == XP_WQE_DONE)
			continue;
		if (wqe->state != XP_WQE_STARTED)
			break;
		if (is_rd_atomic(wqe->wr.opcode)) {
			__u32 have = xp_psn_add(wqe->first_psn, wqe->read_pkts);

			/*
			 * Its responses come on their own; an ACK past it
			 * (for a duplicate request) says nothing of them:
			 * a lost one shows as a gap or a timeout.
			 */
			if (xp_psn_lt(psn, wqe->first_psn))
				break;
			advance_una(qp, have);
			comp_run(qp);
			return false;
		}
		if (xp_psn_lt(psn, wqe->last_psn))
			break;
		wqe->state = XP_WQE_DONE;
		wqe->status = XP_WC_SUCCESS;
	}
	advance_una(qp, xp_psn_add(psn, 1));
	comp_run(qp);
	return true;
}

static void on_nak(struct xp_qp *qp, __u8 syn, __u32 psn)
{
	struct xp_rc_req *rq = &qp->req;
	static const __u8 status[] = {
		[XP_NAK_INVALID_REQUEST] = XP_WC_REM_INV_REQ_ERR,
		[XP_NAK_REMOTE_ACCESS_ERROR] = XP_WC_REM_ACCESS_ERR,
		[XP_NAK_REMOTE_OP_ERROR] = XP_WC_REM_OP_ERR,
		[XP_NAK_INVALID_RD_REQUEST] = XP_WC_REM_INV_RD_REQ_ERR,
	};
	__u8 code = syn & XP_AETH_VALUE_MASK;

	if (xp_psn_lt(psn, rq->una)) {
		qp->stats.dup_responses++;
		return;
	}
	if (!ack_upto(qp, xp_psn_add(psn, -1)) && xp_psn_lt(rq->una, psn))
		return;
	if ((syn & XP_AETH_TYPE_MASK) == XP_AETH_RNR_NAK) {
		qp->stats.rnr_naks_rcvd++;
		if (!use_retry(qp, true))
			return;
		go_back(qp, psn);
		/* The responder may still have no receive: probe first, as after a timeout. */
		rq->probe = true;
		rq->rnr_at = xp_rdma_now(qp->dev) + (__u64)xp_rnr_timer_us(code) * 1000;
		rq->timer_at = 0;
		return;
	}
	if (code == XP_NAK_PSN_SEQ_ERROR) {
		qp->stats.seq_naks_rcvd++;
		if (rq->gobk && rq->gobk_psn == psn)
			return;
		if (use_retry(qp, false))
			go_back(qp, psn);
		return;
	}
	fail_head(qp, code < sizeof(status) && status[code] ? status[code] : XP_WC_REM_OP_ERR);
}

/* The STARTED READ/atomic WQE whose PSNs hold psn, if it is next to complete. */
static struct xp_send_wqe *rd_wqe(struct xp_qp *qp, __u32 psn)
{
	struct xp_rc_req *rq = &qp->req;
	struct xp_send_wqe *wqe;
	__u32 i;

	for (i = rq->cons; i != rq->prod; i++) {
		wqe = wqe_at(qp, i);
		if (wqe->state == XP_WQE_POSTED)
			return NULL;
		if (wqe->state == XP_WQE_DONE)
			continue;
		if (xp_psn_ge(psn, wqe->first_psn) && xp_psn_ge(wqe->last_psn, psn))
			break;
	}
	if (i == rq->prod || !is_rd_atomic(wqe->wr.opcode))
		return NULL;
	/* Requests before it must be acknowledged by this response. */
	if (wqe->first_psn != rq->una && !ack_upto(qp, xp_psn_add(wqe->first_psn, -1)))
		return NULL;
	return wqe_at(qp, rq->cons) == wqe ? wqe : NULL;
}

static void rd_done(struct xp_qp *qp, struct xp_send_wqe *wqe, enum xp_wc_status status)
{
	qp->req.rd_out--;
	wqe->state = XP_WQE_DONE;
	wqe->status = status;
	if (status != XP_WC_SUCCESS)
		wqe->wr.send_flags |= XP_SEND_SIGNALED;
	advance_una(qp, xp_psn_add(wqe->last_psn, 1));
	comp_run(qp);
}

static void on_read_resp(struct xp_qp *qp, const struct xp_roce_pkt *pkt)
{
	struct xp_rc_req *rq = &qp->req;
	__u8 op = pkt->h.opcode & ~XP_OP_TRANSPORT_MASK;
	struct xp_send_wqe *wqe = rd_wqe(qp, pkt->h.psn);
	__u32 mtu = path_mtu(qp), want, expect;
	__u64 off;
	bool last, end, probe_answer;

	if (!wqe || wqe->wr.opcode != XP_WR_RDMA_READ) {
		qp->stats.dup_responses++;
		return;
	}
	expect = xp_psn_add(wqe->first_psn, wqe->read_pkts);
	if (pkt->h.psn != expect) {
		if (xp_psn_lt(pkt->h.psn, expect)) {
			qp->stats.dup_responses++;
		} else if (!(rq->gobk && rq->gobk_psn == expect)) {
			/* A response went missing: ask again from there. */
			go_back(qp, expect);
		}
		return;
	}
	off = (__u64)wqe->read_pkts * mtu;
	want = wqe->length - off < mtu ? wqe->length - off : mtu;
	/*
	 * A READ asked again from a later PSN is answered from FIRST on,
	 * and the old stream may still arrive: the bytes at a PSN are the
	 * same in both, so only whether the packet is the last one counts.
	 */
	last = op == XP_OP_READ_RESPONSE_LAST || op == XP_OP_READ_RESPONSE_ONLY;
	/* The answer to a READ probe is ONLY, wherever it lies in the READ. */
	probe_answer =
		rq->rd_probe && pkt->h.psn == rq->rd_probe_psn && op == XP_OP_READ_RESPONSE_ONLY;
	end = off + want == wqe->length;
	if (!probe_answer && last != end) {
		qp->stats.dup_responses++;
		return;
	}
	if (pkt->payload_len != want) {
		rd_done(qp, wqe, XP_WC_BAD_RESP_ERR);
		return;
	}
	if (want && xp_sge_scatter(qp->pd, wqe->sge, wqe->wr.num_sge, &off, pkt->payload, want)) {
		rd_done(qp, wqe, XP_WC_LOC_PROT_ERR);
		return;
	}
	wqe->read_pkts++;
	if (end)
		rd_done(qp, wqe, XP_WC_SUCCESS);
	else
		advance_una(qp, xp_psn_add(pkt->h.psn, 1));
}

static void on_atomic_ack(struct xp_qp *qp, const struct xp_roce_pkt *pkt)
{
	struct xp_send_wqe *wqe = rd_wqe(qp, pkt->h.psn);
	__u64 orig = pkt->h.atmack_orig, off = 0;

	if (!wqe || wqe->wr.opcode == XP_WR_RDMA_READ || wqe->read_pkts) {
		qp->stats.dup_responses++;
		return;
	}
	wqe->read_pkts = 1;
	if (xp_sge_scatter(qp->pd, wqe->sge, wqe->wr.num_sge, &off, (const __u8 *)&orig, 8))
		rd_done(qp, wqe, XP_WC_LOC_PROT_ERR);
	else
		rd_done(qp, wqe, XP_WC_SUCCESS);
}

enum xp_rdma_drop xp_rc_comp_recv(struct xp_qp *qp, const struct xp_roce_pkt *pkt)
{
	__u8 op = pkt->h.opcode & ~XP_OP_TRANSPORT_MASK;
	__u8 syn = pkt->h.aeth.syndrome;

	switch (op) {
	case XP_OP_ACKNOWLEDGE:
		qp->stats.acks_rcvd++;
		if ((syn & XP_AETH_TYPE_MASK) == XP_AETH_ACK) {
			if (xp_psn_lt(pkt->h.psn, xp_psn_add(qp->req.una, -1)))
				qp->stats.dup_responses++;
			else
				ack_upto(qp, pkt->h.psn);
		} else {
			on_nak(qp, syn, pkt->h.psn);
		}
		break;
	case XP_OP_ATOMIC_ACKNOWLEDGE:
		qp->stats.acks_rcvd++;
		on_atomic_ack(qp, pkt);
		break;
	default:
		on_read_resp(qp, pkt);
		break;
	}
	return XP_RDMA_DROP_NONE;
}

/* Operation code of packet psn of wqe (first/middle/last/only). */
static __u8 req_opcode(const struct xp_send_wqe *wqe, bool first, bool last)
{
	static const __u8 send[4] = { XP_OP_SEND_MIDDLE, XP_OP_SEND_FIRST, XP_OP_SEND_LAST,
				      XP_OP_SEND_ONLY };
	static const __u8 write[4] = { XP_OP_WRITE_MIDDLE, XP_OP_WRITE_FIRST, XP_OP_WRITE_LAST,
				       XP_OP_WRITE_ONLY };
	int k = (first ? 1 : 0) | (last ? 2 : 0);

	switch (wqe->wr.opcode) {
	case XP_WR_SEND:
		return send[k];
	case XP_WR_SEND_WITH_IMM:
		return !last ? send[k] : first ? XP_OP_SEND_ONLY_IMM : XP_OP_SEND_LAST_IMM;
	case XP_WR_SEND_WITH_INV:
		return !last ? send[k] : first ? XP_OP_SEND_ONLY_INV : XP_OP_SEND_LAST_INV;
	case XP_WR_RDMA_WRITE:
		return write[k];
	case XP_WR_RDMA_WRITE_WITH_IMM:
		return !last ? write[k] : first ? XP_OP_WRITE_ONLY_IMM : XP_OP_WRITE_LAST_IMM;
	case XP_WR_RDMA_READ:
		return XP_OP_READ_REQUEST;
	case XP_WR_ATOMIC_CMP_AND_SWP:
		return XP_OP_COMPARE_SWAP;
	default:
		return XP_OP_FETCH_ADD;
	}
}

/*
 * Send the packet at rq->psn of wqe (rq->off bytes in). Returns the PSNs
 * it used, or -ENOBUFS when no frame is free (try again later).
 */
static int send_packet(struct xp_qp *qp, struct xp_send_wqe *wqe)
{
	struct xp_rc_req *rq = &qp->req;
	struct xp_roce_hdrs h = {};
	struct xp_tx_frame f;
	__u32 mtu = path_mtu(qp), len = 0, used = 1;
	bool first = rq->off == 0, last;
	int err;

	switch (wqe->wr.opcode) {
	case XP_WR_RDMA_READ:
		h.reth.va = wqe->wr.rdma.remote_addr + rq->off;
		h.reth.rkey = wqe->wr.rdma.rkey;
		h.reth.len = wqe->length - rq->off;
		used = xp_psn_diff(wqe->last_psn, rq->psn) + 1;
		/*
		 * A probe asks for one response packet, not the rest of the
		 * READ: the peer may be streaming it still. The rest is asked
		 * for from the next PSN once the peer answers.
		 */
		if (rq->probe && used > 1) {
			h.reth.len = mtu;
			used = 1;
			rq->rd_probe = true;
			rq->rd_probe_psn = rq->psn;
		}
		last = true;
		break;
	case XP_WR_ATOMIC_CMP_AND_SWP:
	case XP_WR_ATOMIC_FETCH_AND_ADD:
		h.atmeth.va = wqe->wr.atomic.remote_addr;
		h.atmeth.rkey = wqe->wr.atomic.rkey;
		h.atmeth.swap_add = wqe->wr.opcode == XP_WR_ATOMIC_CMP_AND_SWP ?
					    wqe->wr.atomic.swap :
					    wqe->wr.atomic.compare_add;
		h.atmeth.compare = wqe->wr.atomic.compare_add;
		last = true;
		break;
	default:
		len = wqe->length - rq->off < mtu ? wqe->length - rq->off : mtu;
		last = rq->off + len == wqe->length;
		h.reth.va = wqe->wr.rdma.remote_addr;
		h.reth.rkey = wqe->wr.rdma.rkey;
		h.reth.len = wqe->length;
		h.imm = xp_ntohl(wqe->wr.imm_data);
		h.ieth_rkey = wqe->wr.invalidate_rkey;
		h.se = last && (wqe->wr.send_flags & XP_SEND_SOLICITED);
		break;
	}
	h.opcode = XP_OP_RC | req_opcode(wqe, first, last);
	h.psn = rq->psn;
	h.ack_req = last || rq->probe || ++rq->noack >= XP_MAX_PKT_PER_ACK;
	if (h.ack_req)
		rq->noack = 0;
	err = xp_rc_frame_begin(qp, &h, len, &f);
	if (err)
		return err;
	if (len && xp_qp_gather(qp, wqe->sge, wqe->wr.num_sge, rq->off, f.payload, len)) {
		/* Its MR went (deregistered, invalidated) after posting. */
		xp_rdma_frame_abort(qp->dev, &f);
		wqe->state = XP_WQE_DONE;
		wqe->status = XP_WC_LOC_PROT_ERR;
		xp_qp_to_err(qp);
		return -EFAULT;
	}
	xp_rdma_frame_send(qp->dev, &f);
	qp->stats.tx_pkts++;
	if (xp_psn_lt(rq->psn, rq->max_psn))
		qp->stats.retransmits++;
	else if (first && wqe->wr.opcode == XP_WR_SEND_WITH_INV)
		qp->dev->stats.send_inv_sent++; /* a message's first packet, sent the first time */
	/* A READ's offset moves only past a probe's one packet. */
	rq->off += wqe->wr.opcode == XP_WR_RDMA_READ ? (used == 1 ? h.reth.len : 0) : len;
	return used;
}

void xp_rc_req_progress(struct xp_qp *qp)
{
	struct xp_rc_req *rq = &qp->req;
	__u32 max_rd = qp->attr.max_rd_atomic ? qp->attr.max_rd_atomic : 1;
	/* After a timeout or an RNR wait, one packet until the peer answers. */
	__s32 window = rq->probe ? 1 : XP_RC_WINDOW;

	if (qp->attr.qp_state != XP_QPS_RTS && qp->attr.qp_state != XP_QPS_SQD)
		return;
	if (rq->rnr_at)
		return;
	while (rq->next != rq->prod) {
		struct xp_send_wqe *wqe = wqe_at(qp, rq->next);
		int used;

		if (wqe->state == XP_WQE_DONE) {
			rq->next++;
			continue;
		}
		if (wqe->state == XP_WQE_POSTED) {
			if (wqe->wr.opcode == XP_WR_LOCAL_INV) {
				int err = xp_mr_invalidate_local(qp->pd, wqe->wr.invalidate_rkey);

				wqe->state = XP_WQE_DONE;
				wqe->status = err ? xp_mr_wr_wc_status(err) : XP_WC_SUCCESS;
				if (err)
					wqe->wr.send_flags |= XP_SEND_SIGNALED;
				else
					qp->dev->stats.mr_local_inv++;
				rq->next++;
				comp_run(qp);
				continue;
			}
			if (is_rd_atomic(wqe->wr.opcode) && rq->rd_out >= max_rd)
				return;
			if ((wqe->wr.send_flags & XP_SEND_FENCE) && rq->rd_out)
				return;
			if (xp_psn_diff(rq->psn, rq->una) >= window)
				return;
			wqe->first_psn = rq->psn;
			wqe->last_psn = xp_psn_add(rq->psn, wqe->npsn - 1);
			wqe->state = XP_WQE_STARTED;
			if (is_rd_atomic(wqe->wr.opcode))
				rq->rd_out++;
			rq->off = 0;
		}
		while (xp_psn_diff(wqe->last_psn, rq->psn) >= 0) {
			if (xp_psn_diff(rq->psn, rq->una) >= window)
				return;
			used = send_packet(qp, wqe);
			if (used < 0)
				return;
			if (!rq->timer_at)
				arm_timer(qp);
			rq->psn = xp_psn_add(rq->psn, used);
			if (xp_psn_lt(rq->max_psn, rq->psn))
				rq->max_psn = rq->psn;
		}
		rq->next++;
		rq->off = 0;
	}
}

void xp_rc_timers(struct xp_qp *qp)
{
	struct xp_rc_req *rq = &qp->req;
	__u64 now = qp->dev->now_ns;

	if (rq->rnr_at && now >= rq->rnr_at) {
		rq->rnr_at = 0;
		arm_timer(qp);
	}
	if (!rq->timer_at || now < rq->timer_at)
		return;
	if (rq->una == rq->psn && rq->next == rq->prod) {
		rq->timer_at = 0;
		return;
	}
	qp->stats.timeouts++;
	if (!use_retry(qp, false))
		return;
	go_back(qp, rq->una);
	rq->probe = true;
	arm_timer(qp);
}

__u64 xp_rc_next_timer(const struct xp_qp *qp)
{
	const struct xp_rc_req *rq = &qp->req;

	if (rq->rnr_at && (!rq->timer_at || rq->rnr_at < rq->timer_at))
		return rq->rnr_at;
	return rq->timer_at;
}
