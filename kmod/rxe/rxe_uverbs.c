// SPDX-License-Identifier: GPL-2.0
/*
 * User verbs: an xp_rxe device as rdma-core's rxe provider drives rdma_rxe,
 * so unmodified libibverbs programs (ibv_rc_pingpong, perftest, rping) run
 * on it. ib_uverbs does the generic commands (PDs, QP attributes, MR
 * registration); what is the provider's own is here:
 *
 * - a user CQ is a ring of struct ib_uverbs_wc the process polls: after the
 *   core's work, the host moves the core's completions into it
 *   (xp_rxe_ucq_flush(), under the host's lock);
 * - a user QP has a send ring and a receive ring of rdma_rxe's WQEs. A
 *   POST_SEND command with no work requests is the send doorbell
 *   (xp_rxe_usq_pull()); receives have no doorbell, so the ring is read
 *   when a frame for the QP arrives (xp_rxe_urq_pull()), and when the QP
 *   goes to ERR, so that everything posted is flushed; on RESET what the
 *   rings hold is dropped (xp_rxe_uqp_reset()). A QP on an SRQ has no
 *   receive ring: the SRQ's (rxe_srq.c) is read the same way, when a frame
 *   for one of its QPs arrives;
 * - a user MR is its pinned pages, registered with the core as a page list.
 *
 * Every WQE is copied out of the shared ring into the QP's own buffer
 * before any field is read, and checked there: SGE count, opcode, flags.
 * The core then checks each SGE's lkey against the QP's PD and range. A WQE
 * that fails completes with LOC_QP_OP_ERR and moves the QP to ERR, as a
 * hardware QP does with a malformed WQE; no fault of the process reaches
 * anything but its own QP.
 *
 * Inline data (IBV_SEND_INLINE) travels in the WQE. The core takes data
 * only through SGEs, and reads them again until the WQE completes (a
 * retransmission), after the process has reused the ring slot: so each
 * WQE's bytes are copied to the QP's bounce buffer at the slot's index,
 * which an SGE then names. The core holds at most max_send_wr WQEs and
 * the ring has more slots than that, so no slot is overwritten while the
 * WQE copied from it is in flight.
 *
 * A user UD QP's send WQE names its address handle by number: a user AH
 * gets one from the device's table at creation (so the provider never
 * builds an address vector of its own), and a WQE's number is looked up
 * under the host's lock, where AHs are also taken out of the table, and
 * must be an AH of the QP's PD. The core copies the address at the post.
 *
 * Not offered yet (refused at creation, so the provider reports it):
 * memory windows.
 */
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/version.h>
#include <rdma/ib_umem.h>
#include <rdma/ib_verbs.h>
#include <rdma/rdma_user_rxe.h>
#include <rdma/uverbs_ioctl.h>

#include "xp_env.h"

#include "rdma_host.h"
#include "xp_cq.h"
#include "xp_mr.h"
#include "xp_rxe.h"
#include "xp_srq.h"

/* Send flags a user WQE may carry (IBV_SEND_*): fence, signaled, solicited. */
#define XP_RXE_USEND_FLAGS (XP_SEND_FENCE | XP_SEND_SIGNALED | XP_SEND_SOLICITED)
#define XP_RXE_USEND_INLINE (1u << 3) /* IBV_SEND_INLINE */

/*
 * ib_umem_get() became ib_umem_get_va() between the 6.12 and 7.3 series
 * Debian ships (seen in their headers); 7.0 is where we switch.
 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(7, 0, 0)
#define xp_rxe_umem_get ib_umem_get_va
#else
#define xp_rxe_umem_get ib_umem_get
#endif

/* ---- completion queues ---- */

int xp_rxe_ucq_create(struct xp_rxe_cq *cq, struct ib_udata *udata)
{
	struct rxe_create_cq_resp resp = {};
	int err;

	if (udata->outlen < sizeof(resp))
		return -EINVAL;
	/* As many slots as the core's CQ holds completions, and one free. */
	err = xp_rxe_uq_init(&cq->uq, udata, xp_cq_cqe(cq->cq) + 1, sizeof(struct ib_uverbs_wc),
			     &resp.mi.offset, &resp.mi.size);
	if (err)
		return err;
	err = ib_copy_to_udata(udata, &resp, sizeof(resp));
	if (err)
		xp_rxe_uq_free(&cq->uq);
	return err;
}

static void xp_rxe_uwc(const struct xp_wc *x, struct ib_uverbs_wc *u)
{
	/* ib_uverbs_wc is struct ibv_wc, whose values the core's fields carry. */
	memset(u, 0, sizeof(*u));
	u->wr_id = x->wr_id;
	u->status = x->status;
	u->opcode = x->opcode;
	u->vendor_err = x->vendor_err;
	u->byte_len = x->byte_len;
	if (x->wc_flags & XP_WC_WITH_INV)
		u->ex.invalidate_rkey = x->invalidated_rkey;
	else
		u->ex.imm_data = (__force __u32)x->imm_data;
	u->qp_num = x->qp_num;
	u->src_qp = x->src_qp;
	u->wc_flags = x->wc_flags;
	u->pkey_index = x->pkey_index;
	u->slid = x->slid;
	u->sl = x->sl;
	u->dlid_path_bits = x->dlid_path_bits;
	u->port_num = XP_RXE_PORT;
}

/*
 * Under the host's lock: move the core's completions into the process's
 * ring while it has room (the rest wait in the core's CQ, whose own
 * overrun is the CQ error). True when any moved.
 */
bool xp_rxe_ucq_flush(struct xp_rxe_cq *cq)
{
	struct ib_uverbs_wc *slot;
	struct xp_wc x;
	bool moved = false;

	while ((slot = xp_rxe_uq_room(&cq->uq)) && xp_cq_poll(cq->cq, 1, &x) == 1) {
		xp_rxe_uwc(&x, slot);
		xp_rxe_uq_produce(&cq->uq);
		moved = true;
	}
	return moved;
}

/* ---- address handles ---- */

int xp_rxe_uah_create(struct xp_rxe_ah *ah, struct ib_udata *udata)
{
	struct xp_rxe_dev *xd = to_xdev(ah->ibah.device);
	struct rxe_create_ah_resp resp = {};
	int err;

	if (udata->outlen < sizeof(resp))
		return -EINVAL; /* a provider that would build its own vector */
	err = xa_alloc(&xd->uahs, &ah->ah_num, ah, xa_limit_32b, GFP_KERNEL);
	if (err)
		return err;
	resp.ah_num = ah->ah_num;
	err = ib_copy_to_udata(udata, &resp, sizeof(resp));
	if (err)
		xp_rxe_uah_destroy(ah);
	return err;
}

void xp_rxe_uah_destroy(struct xp_rxe_ah *ah)
{
	struct xp_rxe_dev *xd = to_xdev(ah->ibah.device);

	/* Under the host's lock: no pull holds it once it is out. */
	xp_rxe_host_lock(&xd->host);
	xa_erase(&xd->uahs, ah->ah_num);
	xp_rxe_host_unlock(&xd->host);
	ah->ah_num = 0;
}

/* ---- queue pairs ---- */

/*
 * The bounce buffer for inline data: max_inline bytes per send ring slot,
 * an MR of pd that only the kernel fills and whose key opens nothing
 * remote. Prepared here; the QP's creation commits it.
 */
static int xp_rxe_uinline_init(struct xp_rxe_qp *qp, struct xp_pd *pd)
{
	size_t len = (size_t)(qp->sq.mask + 1) * qp->max_inline;

	qp->uinline = kvzalloc(len, GFP_KERNEL);
	if (!qp->uinline)
		return -ENOMEM;
	qp->uinline_mr = xp_mr_prepare(pd, qp->uinline, len, 0, NULL);
	return qp->uinline_mr ? 0 : -ENOMEM;
}

int xp_rxe_uqp_create(struct xp_rxe_qp *qp, struct ib_qp_init_attr *init, struct ib_udata *udata)
{
	struct xp_pd *pd = to_xpd(qp->ibqp.pd)->pd;
	struct rxe_create_qp_resp resp = {};
	size_t sq_elem, rq_elem;
	int err;

	if (udata->outlen < sizeof(resp))
		return -EINVAL;
	if (init->qp_type != IB_QPT_RC && init->qp_type != IB_QPT_UD) {
		pr_debug("xp_rxe: user QP type %d: RC and UD only\n", init->qp_type);
		return -EOPNOTSUPP;
	}
	if (init->cap.max_inline_data > XP_RXE_MAX_INLINE) {
		pr_debug("xp_rxe: inline data %u: at most %u bytes\n", init->cap.max_inline_data,
			 XP_RXE_MAX_INLINE);
		return -EINVAL;
	}
	qp->max_send_sge = init->cap.max_send_sge;
	qp->max_recv_sge = init->srq ? 0 : init->cap.max_recv_sge;
	/* A send WQE holds its SGEs or its inline data, whichever is larger. */
	qp->max_inline =
		max_t(u32, init->cap.max_inline_data, qp->max_send_sge * sizeof(struct rxe_sge));
	sq_elem = sizeof(struct rxe_send_wqe) + qp->max_inline;
	rq_elem = sizeof(struct rxe_recv_wqe) + qp->max_recv_sge * sizeof(struct rxe_sge);
	qp->uwqe = kmalloc(roundup_pow_of_two(max(sq_elem, rq_elem)), GFP_KERNEL);
	if (!qp->uwqe) {
		err = -ENOMEM;
		goto out_free;
	}
	err = xp_rxe_uq_init(&qp->sq, udata, init->cap.max_send_wr + 1, sq_elem, &resp.sq_mi.offset,
			     &resp.sq_mi.size);
	if (err)
		goto out_free;
	err = xp_rxe_uinline_init(qp, pd);
	if (err)
		goto out_free;
	/* As rdma_rxe: the provider learns all the room its WQEs have. */
	init->cap.max_inline_data = qp->max_inline;
	/* On an SRQ, no receive ring: the provider maps none (rq_mi stays 0). */
	if (!init->srq)
		err = xp_rxe_uq_init(&qp->rq, udata, init->cap.max_recv_wr + 1, rq_elem,
				     &resp.rq_mi.offset, &resp.rq_mi.size);
	if (err)
		goto out_free;
	err = ib_copy_to_udata(udata, &resp, sizeof(resp));
	if (err)
		goto out_free;
	return 0;

out_free:
	xp_rxe_uqp_free(qp);
	return err;
}

void xp_rxe_uqp_free(struct xp_rxe_qp *qp)
{
	xp_mr_discard(qp->uinline_mr); /* only one that was never committed */
	kvfree(qp->uinline);
	qp->uinline_mr = NULL;
	qp->uinline = NULL;
	xp_rxe_uq_free(&qp->sq);
	xp_rxe_uq_free(&qp->rq);
	kfree(qp->uwqe);
	qp->uwqe = NULL;
}

/* Where a copied WQE's SGEs go for the core: the host's, under its lock. */
static struct xp_sge *xp_rxe_wr_sge(struct xp_rxe_qp *qp)
{
	return to_xdev(qp->ibqp.device)->host.wr_sge;
}

/* The access a send WR needs of its SGEs: READs and atomics write there. */
static unsigned int xp_rxe_usend_need(enum xp_wr_opcode op)
{
	if (op == XP_WR_RDMA_READ || op == XP_WR_ATOMIC_CMP_AND_SWP ||
	    op == XP_WR_ATOMIC_FETCH_AND_ADD)
		return XP_ACCESS_LOCAL_WRITE;
	return 0;
}

/*
 * Why the core refused a WQE whose n SGEs are in sge: a key that does
 * not open its range for need is a protection error (as rdma_rxe reports
 * it when it copies), anything else an operation error. The error path
 * only; the failed lookups count in the MR table's errors once more.
 */
static enum xp_wc_status xp_rxe_urefused(struct xp_pd *pd, const struct xp_sge *sge, u32 n,
					 unsigned int need)
{
	u32 i;

	for (i = 0; i < n; i++)
		if (xp_mr_lookup_local(pd, sge[i].lkey, sge[i].addr, sge[i].length, need, NULL,
				       NULL) != XP_MR_OK)
			return XP_WC_LOC_PROT_ERR;
	return XP_WC_LOC_QP_OP_ERR;
}

/*
 * A WQE the core cannot take: it completes with an error on cq and the
 * QP goes to ERR (which flushes what was posted before it; what comes after
 * is flushed as it is pulled). Of an error completion only wr_id, status,
 * qp_num and vendor_err are defined (ibv_poll_cq(3)): opcode is SEND or
 * RECV by the queue.
 */
static void xp_rxe_uwqe_fail(struct xp_rxe_qp *qp, struct ib_cq *ibcq, u64 wr_id,
			     enum xp_wc_opcode opcode, enum xp_wc_status status)
{
	struct xp_qp_attr a = { .qp_state = XP_QPS_ERR };
	struct xp_wc wc = {
		.wr_id = wr_id,
		.status = status,
		.opcode = opcode,
		.qp_num = qp->ibqp.qp_num,
	};

	xp_qp_modify(qp->qp, &a, XP_QP_STATE);
	xp_cq_push(to_xcq(ibcq)->cq, &wc);
}

/* Copy n SGEs of a checked WQE copy into the core's form. */
static void xp_rxe_usges(struct xp_sge *out, const struct rxe_sge *in, u32 n)
{
	u32 i;

	for (i = 0; i < n; i++)
		out[i] = (struct xp_sge){ .addr = in[i].addr,
					  .length = in[i].length,
					  .lkey = in[i].lkey };
}

/*
 * Inline data of the copied send WQE w (its length checked) into the
 * bounce slot of the ring slot it came from, and x's one SGE naming it.
 * SENDs and WRITEs only: READs and atomics carry no data out.
 */
static int xp_rxe_uinline(struct xp_rxe_qp *qp, const struct rxe_send_wqe *w, struct xp_send_wr *x)
{
	u8 *dst = (u8 *)qp->uinline + (size_t)qp->sq.idx * qp->max_inline;

	if (x->opcode == XP_WR_RDMA_READ || x->opcode == XP_WR_ATOMIC_CMP_AND_SWP ||
	    x->opcode == XP_WR_ATOMIC_FETCH_AND_ADD || x->opcode == XP_WR_LOCAL_INV)
		return -EINVAL;
	memcpy(dst, w->dma.inline_data, w->dma.length);
	x->sg_list[0] = (struct xp_sge){ .addr = (uintptr_t)dst,
					 .length = w->dma.length,
					 .lkey = xp_mr_lkey(qp->uinline_mr) };
	x->num_sge = w->dma.length ? 1 : 0;
	return 0;
}

/* The copied send WQE w as the core's work request; -EINVAL if it is malformed. */
static int xp_rxe_usend_wr(struct xp_rxe_qp *qp, const struct rxe_send_wqe *w, struct xp_send_wr *x)
{
	const struct rxe_send_wr *wr = &w->wr;
	bool in = wr->send_flags & XP_RXE_USEND_INLINE;
	u32 n = w->dma.num_sge;

	if (wr->send_flags & ~(XP_RXE_USEND_FLAGS | XP_RXE_USEND_INLINE))
		return -EINVAL;
	if (in ? w->dma.length > qp->max_inline : n > qp->max_send_sge)
		return -EINVAL;
	memset(x, 0, sizeof(*x));
	x->wr_id = wr->wr_id;
	x->opcode = wr->opcode;
	x->send_flags = wr->send_flags & XP_RXE_USEND_FLAGS;
	x->sg_list = xp_rxe_wr_sge(qp);
	x->num_sge = n;
	switch (wr->opcode) {
	case XP_WR_RDMA_WRITE_WITH_IMM:
		x->imm_data = wr->ex.imm_data;
		fallthrough;
	case XP_WR_RDMA_WRITE:
	case XP_WR_RDMA_READ:
		x->rdma.remote_addr = wr->wr.rdma.remote_addr;
		x->rdma.rkey = wr->wr.rdma.rkey;
		break;
	case XP_WR_SEND_WITH_IMM:
		x->imm_data = wr->ex.imm_data;
		break;
	case XP_WR_SEND:
		break;
	case XP_WR_SEND_WITH_INV:
	case XP_WR_LOCAL_INV:
		x->invalidate_rkey = wr->ex.invalidate_rkey;
		break;
	case XP_WR_ATOMIC_CMP_AND_SWP:
	case XP_WR_ATOMIC_FETCH_AND_ADD:
		x->atomic.remote_addr = wr->wr.atomic.remote_addr;
		x->atomic.compare_add = wr->wr.atomic.compare_add;
		x->atomic.swap = wr->wr.atomic.swap;
		x->atomic.rkey = wr->wr.atomic.rkey;
		break;
	default:
		return -EINVAL; /* memory windows, TSO, driver opcodes, garbage */
	}
	if (qp->ibqp.qp_type == IB_QPT_UD) {
		const struct xp_rxe_ah *ah =
			xa_load(&to_xdev(qp->ibqp.device)->uahs, wr->wr.ud.ah_num);

		if (!ah || ah->ibah.pd != qp->ibqp.pd ||
		    (x->opcode != XP_WR_SEND && x->opcode != XP_WR_SEND_WITH_IMM))
			return -EINVAL;
		x->ud.ah = (struct xp_ah *)ah->ah;
		x->ud.remote_qpn = wr->wr.ud.remote_qpn;
		x->ud.remote_qkey = wr->wr.ud.remote_qkey;
	}
	if (in)
		return xp_rxe_uinline(qp, w, x);
	xp_rxe_usges(x->sg_list, w->dma.sge, n);
	return 0;
}

/*
 * Under the host's lock, at the doorbell: take the process's new send WQEs
 * into the core, oldest first. Stops when the core's send queue is full
 * (the rest are pulled when completions make room). -EINVAL when the QP
 * cannot send yet (the WQEs stay in the ring, as rdma_rxe refuses a
 * doorbell before RTS).
 */
int xp_rxe_usq_pull(struct xp_rxe_qp *qp)
{
	size_t elem = (size_t)1 << qp->sq.elem_shift;
	struct xp_send_wr x, *bad;
	enum xp_wc_status status;
	enum xp_qp_state st;
	const void *slot;
	int err;

	qp->sq_stalled = false;
	st = xp_qp_state(qp->qp);
	if (st != XP_QPS_RTS && st != XP_QPS_SQD && st != XP_QPS_ERR)
		return -EINVAL;
	while ((slot = xp_rxe_uq_next(&qp->sq))) {
		const struct rxe_send_wqe *w = qp->uwqe;

		memcpy(qp->uwqe, slot, elem);
		status = XP_WC_LOC_QP_OP_ERR;
		err = xp_rxe_usend_wr(qp, w, &x);
		if (!err) {
			err = xp_qp_post_send(qp->qp, &x, &bad);
			if (err == -EINVAL)
				status = xp_rxe_urefused(to_xpd(qp->ibqp.pd)->pd, x.sg_list,
							 x.num_sge, xp_rxe_usend_need(x.opcode));
		}
		if (err == -ENOMEM) {
			qp->sq_stalled = true;
			break;
		}
		if (err)
			xp_rxe_uwqe_fail(qp, qp->ibqp.send_cq, w->wr.wr_id, XP_WC_SEND, status);
		xp_rxe_uq_consume(&qp->sq);
	}
	return 0;
}

/*
 * Under the host's lock, once the core has moved the QP to RESET and
 * dropped the WQEs it held without completions: what the process posted
 * to the rings and the core had not taken yet goes the same way. A QP
 * leaves RESET with empty queues (IBTA 10.3.1), so it can be connected
 * again and used (rdma_rxe's reset zeroes the slots and leaves the
 * indices: what was posted stays posted, as zeroed WQEs).
 */
void xp_rxe_uqp_reset(struct xp_rxe_qp *qp)
{
	xp_rxe_uq_discard(&qp->sq);
	xp_rxe_uq_discard(&qp->rq);
	qp->sq_stalled = false;
}

/*
 * Under the host's lock: take a process's new receive WQEs from its ring
 * into the core, into the QP's receive queue or, with srq, into the SRQ,
 * while the core has room. A WQE the core refuses completes in error on
 * qp's receive CQ and qp goes to ERR.
 */
static void xp_rxe_urecv_pull(struct xp_rxe_qp *qp, struct xp_rxe_srq *srq)
{
	struct xp_rxe_uq *q = srq ? &srq->uq : &qp->rq;
	struct xp_pd *pd = to_xpd(srq ? srq->ibsrq.pd : qp->ibqp.pd)->pd;
	struct xp_sge *sge = xp_rxe_wr_sge(qp);
	void *copy = srq ? srq->uwqe : qp->uwqe;
	const struct rxe_recv_wqe *w = copy;
	u32 max_sge = srq ? srq->max_sge : qp->max_recv_sge;
	size_t elem = (size_t)1 << q->elem_shift;
	struct xp_recv_wr x, *bad;
	enum xp_wc_status status;
	const void *slot;
	int err;

	while ((slot = xp_rxe_uq_next(q))) {
		memcpy(copy, slot, elem);
		x = (struct xp_recv_wr){ .wr_id = w->wr_id,
					 .sg_list = sge,
					 .num_sge = w->dma.num_sge };
		err = -EINVAL;
		status = XP_WC_LOC_QP_OP_ERR;
		if (w->dma.num_sge <= max_sge) {
			xp_rxe_usges(sge, w->dma.sge, w->dma.num_sge);
			err = srq ? xp_srq_post_recv(srq->srq, &x, &bad) :
				    xp_qp_post_recv(qp->qp, &x, &bad);
			if (err == -EINVAL)
				status = xp_rxe_urefused(pd, sge, w->dma.num_sge,
							 XP_ACCESS_LOCAL_WRITE);
		}
		if (err == -ENOMEM)
			break;
		if (err)
			xp_rxe_uwqe_fail(qp, qp->ibqp.recv_cq, w->wr_id, XP_WC_RECV, status);
		xp_rxe_uq_consume(q);
	}
}

/*
 * Under the host's lock: the receive WQEs a process posted since, for a
 * user QP (its own ring, or its user SRQ's). Before INIT they stay in the
 * ring.
 */
void xp_rxe_urq_pull(struct xp_rxe_qp *qp)
{
	if (xp_qp_state(qp->qp) == XP_QPS_RESET)
		return;
	if (qp->rq.buf)
		xp_rxe_urecv_pull(qp, NULL);
	else if (qp->srq && qp->srq->uq.buf)
		xp_rxe_urecv_pull(qp, qp->srq);
}

/* ---- memory regions ---- */

struct ib_mr *xp_rxe_reg_user_mr(struct ib_pd *ibpd, u64 start, u64 length, u64 iova, int access,
#if XP_RXE_REG_USER_MR_DMAH
				 struct ib_dmah *dmah,
#endif
				 struct ib_udata *udata)
{
	struct xp_mr_reg_opts o = { .sz = sizeof(o), .iova = iova, .iova_set = true };
	struct xp_mr_pages pg = { .page_shift = PAGE_SHIFT, .offset = start & ~PAGE_MASK };
	struct sg_page_iter it;
	struct xp_rxe_mr *mr;
	void **pages;
	size_t n = 0;
	int err;

	if (!length || length > U32_MAX)
		return ERR_PTR(-EINVAL);
	mr = kzalloc(sizeof(*mr), GFP_KERNEL);
	if (!mr)
		return ERR_PTR(-ENOMEM);
	mr->umem = xp_rxe_umem_get(ibpd->device, start, length, access);
	if (IS_ERR(mr->umem)) {
		err = PTR_ERR(mr->umem);
		goto out_free;
	}
	pg.npages = ib_umem_num_pages(mr->umem);
	pages = kvcalloc(pg.npages, sizeof(*pages), GFP_KERNEL);
	if (!pages) {
		err = -ENOMEM;
		goto out_release;
	}
	/* Virtual DMA: every pinned page has a kernel address (no highmem on x86-64). */
	for_each_sgtable_page(&mr->umem->sgt_append.sgt, &it, 0)
	{
		if (n == pg.npages)
			break;
		pages[n++] = page_address(sg_page_iter_page(&it));
	}
	pg.npages = n;
	pg.page = pages;
	o.pages = &pg;
	/* The core keeps a copy of the list and checks access as ibv_reg_mr does. */
	mr->mr = xp_mr_prepare(to_xpd(ibpd)->pd, NULL, length, access, &o);
	err = mr->mr ? 0 : -EINVAL; /* no errno here: bad access bits, or no memory */
	kvfree(pages);
	if (err)
		goto out_release;
	return xp_rxe_mr_commit(&to_xdev(ibpd->device)->host, mr);

out_release:
	ib_umem_release(mr->umem);
out_free:
	kfree(mr);
	return ERR_PTR(err);
}
