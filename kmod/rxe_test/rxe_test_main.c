// SPDX-License-Identifier: GPL-2.0
/*
 * xp_rxe_test: a kernel RDMA client that checks one device's kernel verbs
 * the way iSER and NVMe-oF use them, then lets go of everything. Only the
 * VM suite loads it (tests/vm/guest/kmod_rxe_verbs.sh):
 *
 *	insmod xp_rxe_test.ko dev=NAME [ipv6=1]
 *	insmod xp_rxe_test.ko listen=1 | peer=A.B.C.D	(rxe_test_peer.c)
 *
 * Two RC QPs of the device, connected to each other through the device's
 * own RoCEv2 GID (IPv4, or IPv6 with ipv6=1) and MAC (the loopback path),
 * on a CQ of ib_alloc_cq() (IB_POLL_WORKQUEUE: the completion handler,
 * notification and polling), a PD with its local DMA lkey, and a
 * fast-registration MR:
 *   SENDs of 1 B to 64 KiB, REG_MR, RDMA WRITE, READ, WRITE WITH IMM,
 *   compare-and-swap, fetch-and-add, each checked byte for byte;
 *   UD: two UD QPs, an address handle to the own GID, a SEND received
 *   behind its 40-byte GRH with the source QPN;
 *   refusals: a PD with an unsafe global rkey, an XRC QP;
 *   an SRQ (rxe_test_srq.c): its receives taken by an RC QP's SENDs, the
 *   limit event, the QP's last WQE event at ERR;
 *   over IPv4, rdma_cm (rxe_test_cm.c);
 *   LOCAL_INV, then a WRITE through the invalidated rkey fails with a
 *   remote access error and moves the QPs to ERR; ib_drain_qp() flushes.
 * Each check prints "xp_rxe_test: PASS|FAIL <what>"; the last line is
 * "xp_rxe_test: N passed, N failed", the verdict: the module loads either
 * way (rmmod it before the next run).
 */
#include <linux/module.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>
#include <net/ipv6.h>
#include <rdma/ib_cache.h>
#include <rdma/ib_verbs.h>

#include "rxe_test.h"

static char *dev = "xrxe0";
module_param(dev, charp, 0444);
MODULE_PARM_DESC(dev, "the RDMA device to test");
static bool ipv6;
module_param(ipv6, bool, 0444);
MODULE_PARM_DESC(ipv6, "connect through an IPv6 GID (default: IPv4)");
static bool listen;
module_param(listen, bool, 0444);
MODULE_PARM_DESC(listen, "instead: serve one client of another host (rxe_test_peer.c)");
static char *peer;
module_param(peer, charp, 0444);
MODULE_PARM_DESC(peer, "instead: the client of that IPv4 address's server");

#define PSN_A 0x1000
#define PSN_B 0xfffff0 /* wraps during the 64 KiB SEND */

int xt_passed, xt_failed;
static struct bed bed;

static void wait_done(struct ib_cq *cq, struct ib_wc *wc)
{
	struct wait_cqe *w = container_of(wc->wr_cqe, struct wait_cqe, cqe);

	w->wc = *wc;
	complete(&w->done);
}

/* Ready w for a WR about to be posted; -EBUSY when w is lost. */
int wait_arm(struct wait_cqe *w)
{
	if (w->lost)
		return -EBUSY;
	w->cqe.done = wait_done;
	init_completion(&w->done);
	memset(&w->wc, 0, sizeof(w->wc));
	return 0;
}

/* Wait for w's completion: its status, or -ETIMEDOUT (and w is lost). */
int wait_for(struct wait_cqe *w)
{
	if (!wait_for_completion_timeout(&w->done, msecs_to_jiffies(WAIT_MS))) {
		w->lost = true;
		return -ETIMEDOUT;
	}
	return w->wc.status;
}

/*
 * Every ULP's teardown before it destroys a QP: ib_drain_qp() moves it to
 * ERR and waits until every WR posted on it has completed (flushed), so
 * none still points at the MRs and buffers freed next. A QP still in
 * RESET has nothing posted and cannot move to ERR: left as it is. A QP
 * on an SRQ has its send queue drained only: its receives are the SRQ's
 * (and newer kernels' ib_drain_qp() would poll our CQ directly for them,
 * which a CQ of IB_POLL_WORKQUEUE warns about).
 */
void drain_qp(struct ib_qp *qp)
{
	struct ib_qp_init_attr init;
	struct ib_qp_attr a;

	if (!ib_query_qp(qp, &a, IB_QP_STATE, &init) && a.qp_state == IB_QPS_RESET)
		return;
	if (qp->srq)
		ib_drain_sq(qp);
	else
		ib_drain_qp(qp);
}

/* The first IPv4 (or IPv6) RoCEv2 GID of port 1 and its MAC: where the QPs meet. */
static int find_gid(struct bed *b)
{
	const struct ib_gid_attr *attr;
	u16 vlan;
	int i, err;

	for (i = 0; i < 16; i++) {
		attr = rdma_get_gid_attr(b->ibdev, 1, i);
		if (IS_ERR(attr))
			continue;
		if (attr->gid_type == IB_GID_TYPE_ROCE_UDP_ENCAP &&
		    ipv6_addr_v4mapped((const struct in6_addr *)attr->gid.raw) != ipv6) {
			b->gid = attr->gid;
			b->gid_index = i;
			err = rdma_read_gid_l2_fields(attr, &vlan, b->mac);
			rdma_put_gid_attr(attr);
			return err;
		}
		rdma_put_gid_attr(attr);
	}
	return -ENOENT;
}

/* qp (of b's device) to RTS towards dest_qpn, expecting rq_psn, sending from sq_psn. */
int connect_qp(struct bed *b, struct ib_qp *qp, u32 dest_qpn, u32 rq_psn, u32 sq_psn)
{
	struct ib_qp_attr a = {
		.qp_state = IB_QPS_INIT,
		.pkey_index = 0,
		.port_num = 1,
		.qp_access_flags = IB_ACCESS_LOCAL_WRITE | IB_ACCESS_REMOTE_WRITE |
				   IB_ACCESS_REMOTE_READ | IB_ACCESS_REMOTE_ATOMIC,
	};
	int err;

	err = ib_modify_qp(qp, &a,
			   IB_QP_STATE | IB_QP_PKEY_INDEX | IB_QP_PORT | IB_QP_ACCESS_FLAGS);
	if (err)
		return err;
	memset(&a, 0, sizeof(a));
	a.qp_state = IB_QPS_RTR;
	a.path_mtu = IB_MTU_1024;
	a.dest_qp_num = dest_qpn;
	a.rq_psn = rq_psn;
	a.max_dest_rd_atomic = 16;
	a.min_rnr_timer = 12;
	a.ah_attr.type = RDMA_AH_ATTR_TYPE_ROCE;
	rdma_ah_set_port_num(&a.ah_attr, 1);
	rdma_ah_set_grh(&a.ah_attr, &b->gid, 0, b->gid_index, 64, 0);
	memcpy(a.ah_attr.roce.dmac, b->mac, ETH_ALEN);
	err = ib_modify_qp(qp, &a,
			   IB_QP_STATE | IB_QP_AV | IB_QP_PATH_MTU | IB_QP_DEST_QPN | IB_QP_RQ_PSN |
				   IB_QP_MAX_DEST_RD_ATOMIC | IB_QP_MIN_RNR_TIMER);
	if (err)
		return err;
	memset(&a, 0, sizeof(a));
	a.qp_state = IB_QPS_RTS;
	a.sq_psn = sq_psn;
	a.timeout = 14;
	a.retry_cnt = 7;
	a.rnr_retry = 7;
	a.max_rd_atomic = 16;
	return ib_modify_qp(qp, &a,
			    IB_QP_STATE | IB_QP_SQ_PSN | IB_QP_TIMEOUT | IB_QP_RETRY_CNT |
				    IB_QP_RNR_RETRY | IB_QP_MAX_QP_RD_ATOMIC);
}

static int connect(struct bed *b, int i)
{
	return connect_qp(b, b->qp[i], b->qp[!i]->qp_num, i ? PSN_A : PSN_B, i ? PSN_B : PSN_A);
}

void fill(u8 *p, size_t len, u8 seed)
{
	size_t k;

	for (k = 0; k < len; k++)
		p[k] = seed + k * 7 + (k >> 8);
}

/* Where p differs from fill()'s pattern for seed: len when nowhere. */
size_t fill_diff(const u8 *p, size_t len, u8 seed)
{
	size_t k;

	for (k = 0; k < len; k++)
		if (p[k] != (u8)(seed + k * 7 + (k >> 8)))
			break;
	return k;
}

/* Post wr on qp and wait for its completion (w, signalled). */
int post_wait_qp(struct ib_qp *qp, struct ib_send_wr *wr, struct wait_cqe *w)
{
	const struct ib_send_wr *bad;
	int err;

	err = wait_arm(w);
	if (err)
		return err;
	wr->wr_cqe = &w->cqe;
	wr->send_flags |= IB_SEND_SIGNALED;
	err = ib_post_send(qp, wr, &bad);
	return err ?: wait_for(w);
}

static int post_wait(struct bed *b, int i, struct ib_send_wr *wr, struct wait_cqe *w)
{
	return post_wait_qp(b->qp[i], wr, w);
}

static void test_send(struct bed *b, u32 len)
{
	struct wait_cqe *rw = &b->wr, *sw = &b->ws;
	struct ib_sge ss = { .addr = b->dma[0], .length = len, .lkey = b->pd->local_dma_lkey };
	struct ib_sge rs = { .addr = b->dma[1], .length = BUF_LEN, .lkey = b->pd->local_dma_lkey };
	struct ib_send_wr wr = { .opcode = IB_WR_SEND, .sg_list = &ss, .num_sge = 1 };
	struct ib_recv_wr rwr = { .sg_list = &rs, .num_sge = 1 };
	const struct ib_recv_wr *rbad;
	int err, rerr;

	fill(b->buf[0], len, len);
	memset(b->buf[1], 0, BUF_LEN);
	rwr.wr_cqe = &rw->cqe;
	err = wait_arm(rw);
	err = err ?: ib_post_recv(b->qp[1], &rwr, &rbad);
	if (!check(!err, "SEND %u B: receive posted (%d)", len, err))
		return;
	err = post_wait(b, 0, &wr, sw);
	rerr = wait_for(rw);
	check(!err && !rerr && rw->wc.opcode == IB_WC_RECV && rw->wc.byte_len == len &&
		      rw->wc.qp == b->qp[1] && sw->wc.opcode == IB_WC_SEND &&
		      !memcmp(b->buf[0], b->buf[1], len) && (len == BUF_LEN || !b->buf[1][len]),
	      "SEND %u B: both sides complete, data in place (send %d, recv %d, %u B)", len, err,
	      rerr, rw->wc.byte_len);
}

/* REG_MR over buf[1] with rights access: its rkey, or 0. */
static u32 reg_mr(struct bed *b, int access)
{
	struct ib_reg_wr wr = { .wr.opcode = IB_WR_REG_MR, .mr = b->mr, .access = access };
	struct wait_cqe *w = &b->ws;
	int n, err;

	n = ib_map_mr_sg(b->mr, &b->sg, 1, NULL, PAGE_SIZE);
	if (!check(n == 1 && b->mr->length == BUF_LEN, "map_mr_sg: 64 KiB in one entry (%d)", n))
		return 0;
	ib_update_fast_reg_key(b->mr, ib_inc_rkey(b->mr->rkey) & 0xff);
	wr.key = b->mr->rkey;
	err = post_wait(b, 1, &wr.wr, w);
	if (!check(!err && w->wc.opcode == IB_WC_REG_MR, "REG_MR: completes (%d)", err))
		return 0;
	return b->mr->rkey;
}

static void test_rdma(struct bed *b, u32 rkey)
{
	struct ib_sge s = { .addr = b->dma[0], .length = 40000, .lkey = b->pd->local_dma_lkey };
	struct ib_rdma_wr wr = { .wr.sg_list = &s, .wr.num_sge = 1, .rkey = rkey };
	struct ib_sge rs = { .addr = b->dma[1], .length = 0, .lkey = b->pd->local_dma_lkey };
	struct ib_recv_wr rwr = { .sg_list = &rs, .num_sge = 0 };
	const struct ib_recv_wr *rbad;
	struct wait_cqe *w = &b->ws, *rw = &b->wr;
	int err, rerr;

	/* WRITE 40000 B to offset 1000 of the peer's MR. */
	fill(b->buf[0], BUF_LEN, 3);
	memset(b->buf[1], 0, BUF_LEN);
	wr.wr.opcode = IB_WR_RDMA_WRITE;
	wr.remote_addr = b->mr->iova + 1000;
	err = post_wait(b, 0, &wr.wr, w);
	check(!err && w->wc.opcode == IB_WC_RDMA_WRITE &&
		      !memcmp(b->buf[1] + 1000, b->buf[0], 40000) && !b->buf[1][999] &&
		      !b->buf[1][41000],
	      "RDMA WRITE 40000 B through the fast-reg rkey: data in place, nothing around (%d)",
	      err);

	/* READ it back elsewhere. */
	fill(b->buf[1], BUF_LEN, 11);
	memset(b->buf[0], 0, BUF_LEN);
	s.length = 30000;
	wr.wr.opcode = IB_WR_RDMA_READ;
	wr.wr.send_flags = 0;
	wr.remote_addr = b->mr->iova + 5;
	err = post_wait(b, 0, &wr.wr, w);
	check(!err && w->wc.opcode == IB_WC_RDMA_READ && !memcmp(b->buf[0], b->buf[1] + 5, 30000) &&
		      !b->buf[0][30000],
	      "RDMA READ 30000 B: data in place (%d)", err);

	/* WRITE WITH IMM: the data, and a receive with the immediate. */
	rwr.wr_cqe = &rw->cqe;
	err = wait_arm(rw);
	err = err ?: ib_post_recv(b->qp[1], &rwr, &rbad);
	rerr = err; /* no receive posted: none to wait for */
	fill(b->buf[0], 3000, 77);
	s.length = 3000;
	wr.wr.opcode = IB_WR_RDMA_WRITE_WITH_IMM;
	wr.wr.send_flags = 0;
	wr.wr.ex.imm_data = cpu_to_be32(0x5a5a1234);
	wr.remote_addr = b->mr->iova;
	err = err ?: post_wait(b, 0, &wr.wr, w);
	rerr = rerr ?: wait_for(rw);
	check(!err && !rerr && rw->wc.opcode == IB_WC_RECV_RDMA_WITH_IMM &&
		      (rw->wc.wc_flags & IB_WC_WITH_IMM) &&
		      rw->wc.ex.imm_data == cpu_to_be32(0x5a5a1234) &&
		      !memcmp(b->buf[1], b->buf[0], 3000),
	      "RDMA WRITE WITH IMM 3000 B: data and immediate (%d, recv %d)", err, rerr);
}

static void test_atomics(struct bed *b, u32 rkey)
{
	struct ib_sge s = { .addr = b->dma[0], .length = 8, .lkey = b->pd->local_dma_lkey };
	struct ib_atomic_wr wr = { .wr.sg_list = &s, .wr.num_sge = 1, .rkey = rkey };
	u64 *target = (u64 *)(b->buf[1] + 64), *orig = (u64 *)b->buf[0];
	struct wait_cqe *w = &b->ws;
	int err;

	*target = 1000;
	*orig = 0;
	wr.wr.opcode = IB_WR_ATOMIC_FETCH_AND_ADD;
	wr.remote_addr = b->mr->iova + 64;
	wr.compare_add = 5;
	err = post_wait(b, 0, &wr.wr, w);
	check(!err && w->wc.opcode == IB_WC_FETCH_ADD && *orig == 1000 && *target == 1005,
	      "fetch-and-add: original 1000 back, 1005 in place (%d, %llu, %llu)", err, *orig,
	      *target);
	wr.wr.opcode = IB_WR_ATOMIC_CMP_AND_SWP;
	wr.wr.send_flags = 0;
	wr.compare_add = 1005;
	wr.swap = 0x1122334455667788ull;
	err = post_wait(b, 0, &wr.wr, w);
	check(!err && w->wc.opcode == IB_WC_COMP_SWAP && *orig == 1005 &&
		      *target == 0x1122334455667788ull,
	      "compare-and-swap: original back, the swap in place (%d)", err);
}

/* LOCAL_INV, then a WRITE through the dead rkey: a remote access error, then drain. */
static void test_invalidate(struct bed *b, u32 rkey)
{
	struct ib_send_wr inv = { .opcode = IB_WR_LOCAL_INV, .ex.invalidate_rkey = rkey };
	struct ib_sge s = { .addr = b->dma[0], .length = 100, .lkey = b->pd->local_dma_lkey };
	struct ib_rdma_wr wr = {
		.wr.opcode = IB_WR_RDMA_WRITE, .wr.sg_list = &s, .wr.num_sge = 1, .rkey = rkey
	};
	struct wait_cqe *w = &b->ws;
	int err;

	err = post_wait(b, 1, &inv, w);
	check(!err && w->wc.opcode == IB_WC_LOCAL_INV, "LOCAL_INV completes (%d)", err);
	wr.remote_addr = b->mr->iova;
	err = post_wait(b, 0, &wr.wr, w);
	check(err == IB_WC_REM_ACCESS_ERR, "WRITE through the invalidated rkey: %s",
	      err < 0 ? "not completed" : ib_wc_status_msg(err));
	/* Every ULP's teardown: to ERR, one WR each way, wait for its flush. */
	ib_drain_qp(b->qp[0]);
	ib_drain_qp(b->qp[1]);
	check(true, "ib_drain_qp() returned on both QPs");
}

static void test_refusals(struct bed *b)
{
	struct ib_qp_init_attr ia = {
		.qp_type = IB_QPT_XRC_INI,
		.send_cq = b->cq,
		.recv_cq = b->cq,
		.cap = { .max_send_wr = 4, .max_recv_wr = 4, .max_send_sge = 1, .max_recv_sge = 1 },
	};
	struct ib_pd *pd;
	struct ib_qp *qp;

	pd = ib_alloc_pd(b->ibdev, IB_PD_UNSAFE_GLOBAL_RKEY);
	check(IS_ERR(pd), "a PD with an rkey for all of memory is refused (%ld)",
	      IS_ERR(pd) ? PTR_ERR(pd) : 0);
	if (!IS_ERR(pd))
		ib_dealloc_pd(pd);
	qp = ib_create_qp(b->pd, &ia);
	check(IS_ERR(qp), "an XRC QP is refused (%ld)", IS_ERR(qp) ? PTR_ERR(qp) : 0);
	if (!IS_ERR(qp))
		ib_destroy_qp(qp);
}

#define UD_QKEY 0x1234567
#define UD_LEN 700

/* Two UD QPs, an AH to our own GID, one SEND with its GRH checked. */
static void test_ud(struct bed *b)
{
	struct ib_qp_init_attr ia = {
		.qp_type = IB_QPT_UD,
		.sq_sig_type = IB_SIGNAL_REQ_WR,
		.send_cq = b->cq,
		.recv_cq = b->cq,
		.cap = { .max_send_wr = 4, .max_recv_wr = 4, .max_send_sge = 1, .max_recv_sge = 1 },
	};
	struct rdma_ah_attr aa = { .type = RDMA_AH_ATTR_TYPE_ROCE };
	struct ib_qp_attr a = { .qp_state = IB_QPS_INIT, .port_num = 1, .qkey = UD_QKEY };
	struct ib_sge ss = { .addr = b->dma[0], .length = UD_LEN, .lkey = b->pd->local_dma_lkey };
	struct ib_sge rs = { .addr = b->dma[1],
			     .length = 40 + UD_LEN,
			     .lkey = b->pd->local_dma_lkey };
	struct ib_ud_wr wr = {
		.wr.opcode = IB_WR_SEND, .wr.sg_list = &ss, .wr.num_sge = 1, .remote_qkey = UD_QKEY
	};
	struct ib_recv_wr rwr = { .sg_list = &rs, .num_sge = 1 };
	const struct ib_recv_wr *rbad;
	struct ib_qp *qp[2] = { NULL, NULL };
	struct ib_ah *ah = NULL;
	int i, err = 0, rerr;
	bool grh_ok;

	for (i = 0; i < 2 && !err; i++) {
		qp[i] = ib_create_qp(b->pd, &ia);
		if (IS_ERR(qp[i])) {
			err = PTR_ERR(qp[i]);
			qp[i] = NULL;
			break;
		}
		a.qp_state = IB_QPS_INIT;
		err = ib_modify_qp(qp[i], &a,
				   IB_QP_STATE | IB_QP_PKEY_INDEX | IB_QP_PORT | IB_QP_QKEY);
		a.qp_state = IB_QPS_RTR;
		err = err ?: ib_modify_qp(qp[i], &a, IB_QP_STATE);
		a.qp_state = IB_QPS_RTS;
		a.sq_psn = 0x77;
		err = err ?: ib_modify_qp(qp[i], &a, IB_QP_STATE | IB_QP_SQ_PSN);
	}
	if (!check(!err, "UD: two QPs in RTS (%d)", err))
		goto out;
	rdma_ah_set_port_num(&aa, 1);
	rdma_ah_set_grh(&aa, &b->gid, 0, b->gid_index, 64, 0);
	memcpy(aa.roce.dmac, b->mac, ETH_ALEN);
	ah = rdma_create_ah(b->pd, &aa, 0);
	if (!check(!IS_ERR(ah), "UD: an address handle to our own GID, not sleeping (%ld)",
		   IS_ERR(ah) ? PTR_ERR(ah) : 0)) {
		ah = NULL;
		goto out;
	}
	fill(b->buf[0], UD_LEN, 99);
	memset(b->buf[1], 0, 40 + UD_LEN + 8);
	rwr.wr_cqe = &b->wr.cqe;
	err = wait_arm(&b->wr);
	err = err ?: ib_post_recv(qp[1], &rwr, &rbad);
	rerr = err; /* no receive posted: none to wait for */
	wr.ah = ah;
	wr.remote_qpn = qp[1]->qp_num;
	err = err ?: post_wait_qp(qp[0], &wr.wr, &b->ws);
	rerr = rerr ?: wait_for(&b->wr);
	/* IPv4: 20 zero bytes, then the IPv4 header (version 4); IPv6: version 6. */
	grh_ok = ipv6 ? (b->buf[1][0] >> 4) == 6 :
			!memchr_inv(b->buf[1], 0, 20) && (b->buf[1][20] >> 4) == 4;
	check(!err && !rerr && b->wr.wc.opcode == IB_WC_RECV && b->wr.wc.byte_len == 40 + UD_LEN &&
		      (b->wr.wc.wc_flags & IB_WC_GRH) && b->wr.wc.src_qp == qp[0]->qp_num &&
		      b->wr.wc.qp == qp[1] && grh_ok && !memcmp(b->buf[1] + 40, b->buf[0], UD_LEN),
	      "UD: SEND of %d B received behind its GRH from QP %u (send %d, recv %d, %u B)",
	      UD_LEN, qp[0]->qp_num, err, rerr, b->wr.wc.byte_len);
out:
	/* The QPs first: a WR still posted on them may name the AH. */
	for (i = 0; i < 2; i++)
		if (qp[i])
			ib_destroy_qp(qp[i]);
	if (ah)
		rdma_destroy_ah(ah, 0);
}

static int bed_open(struct bed *b)
{
	struct ib_qp_init_attr ia = {
		.qp_type = IB_QPT_RC,
		.sq_sig_type = IB_SIGNAL_REQ_WR,
		.cap = { .max_send_wr = QP_WR,
			 .max_recv_wr = QP_WR,
			 .max_send_sge = 2,
			 .max_recv_sge = 2 },
	};
	int i, err;

	if (!check(b->ibdev, "ib_core gives device %s to a kernel client (a kverbs provider)", dev))
		return -ENODEV;
	err = find_gid(b);
	if (!check(!err, "a RoCEv2 GID and its MAC on port 1 (index %d, %pI6)", b->gid_index,
		   b->gid.raw))
		return err;
	b->pd = ib_alloc_pd(b->ibdev, 0);
	if (!check(!IS_ERR(b->pd), "PD with a local DMA lkey (%d)", PTR_ERR_OR_ZERO(b->pd)))
		return PTR_ERR(b->pd);
	b->cq = ib_alloc_cq(b->ibdev, b, 4 * QP_WR, 0, IB_POLL_WORKQUEUE);
	if (!check(!IS_ERR(b->cq), "CQ of %d polled from a workqueue (%d)", 4 * QP_WR,
		   PTR_ERR_OR_ZERO(b->cq)))
		return PTR_ERR(b->cq);
	ia.send_cq = ia.recv_cq = b->cq;
	for (i = 0; i < 2; i++) {
		b->qp[i] = ib_create_qp(b->pd, &ia);
		if (!check(!IS_ERR(b->qp[i]), "RC QP %d (%d)", i, PTR_ERR_OR_ZERO(b->qp[i])))
			return PTR_ERR(b->qp[i]);
	}
	for (i = 0; i < 2; i++) {
		err = connect(b, i);
		if (!check(!err, "QP %u: INIT, RTR, RTS to QP %u (%d)", b->qp[i]->qp_num,
			   b->qp[!i]->qp_num, err))
			return err;
	}
	b->mr = ib_alloc_mr(b->pd, IB_MR_TYPE_MEM_REG, BUF_LEN / PAGE_SIZE);
	if (!check(!IS_ERR(b->mr), "fast-reg MR of %lu pages (%d)", BUF_LEN / PAGE_SIZE,
		   PTR_ERR_OR_ZERO(b->mr)))
		return PTR_ERR(b->mr);
	for (i = 0; i < 2; i++) {
		b->buf[i] = kzalloc(BUF_LEN, GFP_KERNEL);
		if (!b->buf[i])
			return -ENOMEM;
		b->dma[i] = ib_dma_map_single(b->ibdev, b->buf[i], BUF_LEN, DMA_BIDIRECTIONAL);
		if (ib_dma_mapping_error(b->ibdev, b->dma[i]))
			return -EIO;
		b->dma_mapped[i] = true;
	}
	sg_init_one(&b->sg, b->buf[1], BUF_LEN);
	if (ib_dma_map_sg(b->ibdev, &b->sg, 1, DMA_BIDIRECTIONAL) != 1)
		return -EIO;
	b->sg_mapped = true;
	return 0;
}

/*
 * In the order a ULP tears down: the QPs drained (every WR flushed) and
 * destroyed, so nothing reaches the MR or the buffers any more; then the
 * MR, the CQ, the buffers and the PD.
 */
static void bed_close(struct bed *b)
{
	int i, err;

	for (i = 0; i < 2; i++)
		if (!IS_ERR_OR_NULL(b->qp[i]))
			drain_qp(b->qp[i]);
	for (i = 0; i < 2; i++)
		if (!IS_ERR_OR_NULL(b->qp[i])) {
			err = ib_destroy_qp(b->qp[i]);
			check(!err, "QP %d destroyed (%d)", i, err);
		}
	if (!IS_ERR_OR_NULL(b->mr)) {
		err = ib_dereg_mr(b->mr);
		check(!err, "fast-reg MR deregistered (%d)", err);
	}
	if (!IS_ERR_OR_NULL(b->cq))
		ib_free_cq(b->cq);
	if (b->sg_mapped)
		ib_dma_unmap_sg(b->ibdev, &b->sg, 1, DMA_BIDIRECTIONAL);
	for (i = 0; i < 2; i++) {
		if (b->dma_mapped[i])
			ib_dma_unmap_single(b->ibdev, b->dma[i], BUF_LEN, DMA_BIDIRECTIONAL);
		kfree(b->buf[i]);
	}
	if (!IS_ERR_OR_NULL(b->pd))
		ib_dealloc_pd(b->pd);
}

/* ib_core offers each device to the client: the one named dev is tested. */
static int client_add(struct ib_device *ibdev)
{
	if (strcmp(dev_name(&ibdev->dev), dev))
		return -EOPNOTSUPP;
	bed.ibdev = ibdev;
	return 0;
}

static void client_remove(struct ib_device *ibdev, void *data)
{
}

static struct ib_client client = {
	.name = "xp_rxe_test",
	.add = client_add,
	.remove = client_remove,
};

/* A wait of the bed timed out: its WR may complete any time, post no more. */
static bool bed_lost(struct bed *b)
{
	return b->ws.lost || b->wr.lost;
}

/* The tests on an open bed, up to the first completion that did not come. */
static void bed_run(struct bed *b)
{
	static const u32 sizes[] = { 1, 1023, 1024, 1025, 4096, BUF_LEN };
	u32 rkey = 0;
	int i;

	test_refusals(b);
	test_ud(b);
	if (!bed_lost(b))
		test_srq(b);
	if (!ipv6 && !bed_lost(b))
		test_cm(b);
	for (i = 0; i < ARRAY_SIZE(sizes) && !bed_lost(b); i++)
		test_send(b, sizes[i]);
	if (!bed_lost(b))
		rkey = reg_mr(b, IB_ACCESS_LOCAL_WRITE | IB_ACCESS_REMOTE_WRITE |
					 IB_ACCESS_REMOTE_READ | IB_ACCESS_REMOTE_ATOMIC);
	if (rkey && !bed_lost(b))
		test_rdma(b, rkey);
	if (rkey && !bed_lost(b))
		test_atomics(b, rkey);
	if (rkey && !bed_lost(b))
		test_invalidate(b, rkey);
	if (bed_lost(b))
		pr_info("xp_rxe_test: a completion did not come in time: the other tests skipped\n");
}

/*
 * The tests run while the client is registered: the device stays until
 * ib_unregister_client() (its removal would wait for our remove()).
 */
static int __init xp_rxe_test_init(void)
{
	struct bed *b = &bed;
	int err;

	if (listen || peer) {
		test_peer(listen, peer);
		goto out;
	}
	err = ib_register_client(&client);
	if (err) {
		pr_err("xp_rxe_test: ib_register_client: %d\n", err);
		return err;
	}
	if (!bed_open(b))
		bed_run(b);
	bed_close(b);
	ib_unregister_client(&client);
out:
	pr_info("xp_rxe_test: %d passed, %d failed\n", xt_passed, xt_failed);
	/*
	 * The summary line is the verdict; the module loads either way
	 * (busybox's insmod runs a failing init a second time).
	 */
	return 0;
}

static void __exit xp_rxe_test_exit(void)
{
}

module_init(xp_rxe_test_init);
module_exit(xp_rxe_test_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("xdpath: a kernel RDMA client that tests xp_rxe's verbs");
