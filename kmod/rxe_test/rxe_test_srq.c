// SPDX-License-Identifier: GPL-2.0
/*
 * xp_rxe_test: a shared receive queue through the kernel verbs, as
 * nvmet-rdma's use_srq drives one. An RC QP on the SRQ, connected to a
 * plain RC QP over the device's loopback path: its SENDs take the SRQ's
 * receives in order; the armed limit fires once; the QP moved to ERR gets
 * its last WQE event, and the SRQ's remaining receive is not flushed with
 * it. Resizing is refused (the device does not offer it).
 */
#include <linux/completion.h>
#include <linux/delay.h>
#include <rdma/ib_verbs.h>

#include "rxe_test.h"

#define SRQ_RECVS 3
#define SRQ_SLOT (16 * 1024) /* each receive's part of buf[1] */
#define SRQ_SEND 5000

/* Static, as the bed's: a late completion still lands in live memory. */
static struct wait_cqe srq_rw[SRQ_RECVS];
static struct completion limit_done, last_done;

static void srq_event(struct ib_event *ev, void *ctx)
{
	if (ev->event == IB_EVENT_SRQ_LIMIT_REACHED)
		complete(&limit_done);
}

static void srq_qp_event(struct ib_event *ev, void *ctx)
{
	if (ev->event == IB_EVENT_QP_LAST_WQE_REACHED)
		complete(&last_done);
}

static struct ib_qp *srq_rc_qp(struct bed *b, struct ib_srq *srq)
{
	struct ib_qp_init_attr ia = {
		.qp_type = IB_QPT_RC,
		.sq_sig_type = IB_SIGNAL_REQ_WR,
		.send_cq = b->cq,
		.recv_cq = b->cq,
		.srq = srq,
		.event_handler = srq_qp_event,
		.cap = { .max_send_wr = 4,
			 .max_recv_wr = srq ? 0 : 4,
			 .max_send_sge = 1,
			 .max_recv_sge = 1 },
	};

	return ib_create_qp(b->pd, &ia);
}

static int srq_post(struct bed *b, struct ib_srq *srq, int i)
{
	struct ib_sge s = { .addr = b->dma[1] + i * SRQ_SLOT,
			    .length = SRQ_SLOT,
			    .lkey = b->pd->local_dma_lkey };
	struct ib_recv_wr wr = { .wr_cqe = &srq_rw[i].cqe, .sg_list = &s, .num_sge = 1 };
	const struct ib_recv_wr *bad;

	return wait_arm(&srq_rw[i]) ?: ib_post_srq_recv(srq, &wr, &bad);
}

/* A SEND of SRQ_SEND bytes of fill(seed) from tx; 0 or why not. */
static int srq_send(struct bed *b, struct ib_qp *tx, u8 seed)
{
	struct ib_sge s = { .addr = b->dma[0], .length = SRQ_SEND, .lkey = b->pd->local_dma_lkey };
	struct ib_send_wr wr = { .opcode = IB_WR_SEND, .sg_list = &s, .num_sge = 1 };

	fill(b->buf[0], SRQ_SEND, seed);
	return post_wait_qp(tx, &wr, &b->ws);
}

void test_srq(struct bed *b)
{
	struct ib_srq_init_attr init = {
		.event_handler = srq_event,
		.srq_type = IB_SRQT_BASIC,
		.attr = { .max_wr = 8, .max_sge = 1 },
	};
	struct ib_qp_attr err_state = { .qp_state = IB_QPS_ERR };
	struct ib_qp *tx = NULL, *rx = NULL;
	struct ib_srq_attr a = {};
	struct ib_srq *srq;
	int err, rerr, i;

	init_completion(&limit_done);
	init_completion(&last_done);
	srq = ib_create_srq(b->pd, &init);
	if (!check(!IS_ERR(srq), "SRQ: 8 receives of 1 SGE (%ld)", IS_ERR(srq) ? PTR_ERR(srq) : 0))
		return;
	a.max_wr = 16;
	err = ib_modify_srq(srq, &a, IB_SRQ_MAX_WR);
	check(err == -EOPNOTSUPP, "SRQ: resizing it is refused (%d)", err);
	a.srq_limit = 2;
	err = ib_modify_srq(srq, &a, IB_SRQ_LIMIT);
	memset(b->buf[1], 0, BUF_LEN);
	for (i = 0; i < SRQ_RECVS && !err; i++)
		err = srq_post(b, srq, i);
	tx = srq_rc_qp(b, NULL);
	rx = srq_rc_qp(b, srq);
	if (IS_ERR(tx) || IS_ERR(rx)) {
		err = IS_ERR(tx) ? PTR_ERR(tx) : PTR_ERR(rx);
		tx = IS_ERR(tx) ? NULL : tx;
		rx = IS_ERR(rx) ? NULL : rx;
	}
	err = err ?: connect_qp(b, tx, rx->qp_num, 0x200, 0x100);
	err = err ?: connect_qp(b, rx, tx->qp_num, 0x100, 0x200);
	if (!check(!err, "SRQ: limit armed at 2, %d receives posted, an RC QP on it connected (%d)",
		   SRQ_RECVS, err))
		goto out;
	for (i = 0; i < 2; i++) {
		err = srq_send(b, tx, 40 + i);
		rerr = wait_for(&srq_rw[i]);
		check(!err && !rerr && srq_rw[i].wc.opcode == IB_WC_RECV && srq_rw[i].wc.qp == rx &&
			      srq_rw[i].wc.byte_len == SRQ_SEND &&
			      fill_diff(b->buf[1] + i * SRQ_SLOT, SRQ_SEND, 40 + i) == SRQ_SEND,
		      "SRQ: SEND %d lands in receive %d, data in place (send %d, recv %d)", i, i,
		      err, rerr);
	}
	check(wait_for_completion_timeout(&limit_done, msecs_to_jiffies(2000)),
	      "SRQ: the limit event when 1 receive was left (limit 2)");
	err = ib_query_srq(srq, &a);
	check(!err && a.srq_limit == 0 && a.max_wr >= 8,
	      "SRQ: the limit reads 0 once it fired (%d, limit %u, max_wr %u)", err, a.srq_limit,
	      a.max_wr);
	err = ib_modify_qp(rx, &err_state, IB_QP_STATE);
	check(!err && wait_for_completion_timeout(&last_done, msecs_to_jiffies(2000)),
	      "SRQ: the QP moved to ERR gets its last WQE reached event (%d)", err);
	msleep(100);
	check(!completion_done(&srq_rw[2].done),
	      "SRQ: its third receive stays posted, not flushed with the QP (status %d)",
	      srq_rw[2].wc.status);
out:
	/* Drained first: nothing they had posted may complete after them. */
	if (rx) {
		drain_qp(rx);
		ib_destroy_qp(rx);
	}
	if (tx) {
		drain_qp(tx);
		ib_destroy_qp(tx);
	}
	/* ib_destroy_srq() returns nothing; the _user form says how it went. */
	err = ib_destroy_srq_user(srq, NULL);
	check(!err, "SRQ: destroyed after its QPs (%d)", err);
}
