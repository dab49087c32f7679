// SPDX-License-Identifier: GPL-2.0
/*
 * rxe_ucheck: what no rdma-core or perftest program exercises on a device
 * driven through rdma_rxe's user ABI, on one device over its loopback path
 * (two RC QPs connected to each other through the device's own GID):
 *
 * - inline data: SENDs of 1 to max_inline_data bytes and an RDMA WRITE,
 *   posted with IBV_SEND_INLINE from a buffer that is no MR and is
 *   overwritten right after the post; the receiver checks every byte;
 * - a reset: both QPs go to RESET with receives posted, in the device and
 *   in the ring; none completes, and after connecting them again a
 *   message lands in the receive posted since;
 * - an SRQ: SENDs of two RC QPs take its receives in order, the armed
 *   limit fires, a malformed WQE written into its ring completes in error
 *   on the QP whose frame found it (which goes to ERR, with its last WQE
 *   event) and the other receives still serve a new QP;
 * - UD: a SEND to a UD QP of the same device through a user address
 *   handle, checked behind its GRH; and one through an address handle of
 *   another protection domain, which must complete in error;
 * - a hostile process: child processes write malformed WQEs straight into
 *   the mmap'd rings (opcodes, SGE counts, inline lengths, flags, keys
 *   and addresses no WR may carry, random bytes, garbage ring indices),
 *   ring the doorbell, and expect each malformed WQE to complete in error;
 *   a child may die of its own garbage, the kernel must not.
 *
 *   rxe_ucheck [-d DEV] [-g GIDX] [-r ROUNDS]
 *
 * Prints "PASS ..."/"FAIL ..." lines and "N passed, N failed"; exits 1 on
 * any failure. Built on the host against libibverbs (tests/vm/lib), run in
 * a guest whose kernel log the suite checks afterwards.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <infiniband/verbs.h>
#include <rdma/rdma_user_rxe.h>

#define BUF 65536
#define INLINE_ASK 256
#define HOSTILE_WR_ID 0x6b6f6b6fULL

static const char *dev_name = "xrxe0";
static int gid_index = 1;
static int npass, nfail;

static void check(bool ok, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void check(bool ok, const char *fmt, ...)
{
	va_list ap;

	printf("%s ", ok ? "PASS" : "FAIL");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
	ok ? npass++ : nfail++;
}

struct pair {
	struct ibv_context *ctx;
	struct ibv_pd *pd;
	struct ibv_cq *cq;
	struct ibv_qp *qp[2];
	struct ibv_mr *mr;
	unsigned char *buf; /* [0, BUF): side 0's, [BUF, 2 BUF): side 1's */
	uint32_t max_inline;
};

static int qp_connect(struct pair *p, int i, const union ibv_gid *gid)
{
	struct ibv_qp_attr a = {
		.qp_state = IBV_QPS_INIT,
		.port_num = 1,
		.qp_access_flags = IBV_ACCESS_REMOTE_WRITE | IBV_ACCESS_REMOTE_READ,
	};

	if (ibv_modify_qp(p->qp[i], &a,
			  IBV_QP_STATE | IBV_QP_PKEY_INDEX | IBV_QP_PORT | IBV_QP_ACCESS_FLAGS))
		return -1;
	memset(&a, 0, sizeof(a));
	a.qp_state = IBV_QPS_RTR;
	a.path_mtu = IBV_MTU_1024;
	a.dest_qp_num = p->qp[!i]->qp_num;
	a.rq_psn = 100;
	a.max_dest_rd_atomic = 1;
	a.min_rnr_timer = 1;
	a.ah_attr.is_global = 1;
	a.ah_attr.grh.dgid = *gid;
	a.ah_attr.grh.sgid_index = gid_index;
	a.ah_attr.grh.hop_limit = 64;
	a.ah_attr.port_num = 1;
	if (ibv_modify_qp(p->qp[i], &a,
			  IBV_QP_STATE | IBV_QP_AV | IBV_QP_PATH_MTU | IBV_QP_DEST_QPN |
				  IBV_QP_RQ_PSN | IBV_QP_MAX_DEST_RD_ATOMIC | IBV_QP_MIN_RNR_TIMER))
		return -1;
	memset(&a, 0, sizeof(a));
	a.qp_state = IBV_QPS_RTS;
	a.timeout = 10;
	a.retry_cnt = 3;
	a.rnr_retry = 3;
	a.sq_psn = 100;
	a.max_rd_atomic = 1;
	return ibv_modify_qp(p->qp[i], &a,
			     IBV_QP_STATE | IBV_QP_TIMEOUT | IBV_QP_RETRY_CNT | IBV_QP_RNR_RETRY |
				     IBV_QP_SQ_PSN | IBV_QP_MAX_QP_RD_ATOMIC);
}

/* Open the device and make two connected RC QPs; 0 or -1 (with a message). */
static int pair_open(struct pair *p)
{
	struct ibv_device **list = ibv_get_device_list(NULL);
	struct ibv_qp_init_attr init = {
		.qp_type = IBV_QPT_RC,
		.cap = { .max_send_wr = 16,
			 .max_recv_wr = 16,
			 .max_send_sge = 1,
			 .max_recv_sge = 1,
			 .max_inline_data = INLINE_ASK },
	};
	struct ibv_qp_attr qa;
	union ibv_gid gid;
	int i;

	memset(p, 0, sizeof(*p));
	for (i = 0; list && list[i]; i++)
		if (!strcmp(ibv_get_device_name(list[i]), dev_name))
			p->ctx = ibv_open_device(list[i]);
	if (list)
		ibv_free_device_list(list);
	if (!p->ctx) {
		fprintf(stderr, "rxe_ucheck: cannot open %s\n", dev_name);
		return -1;
	}
	p->pd = ibv_alloc_pd(p->ctx);
	p->cq = p->pd ? ibv_create_cq(p->ctx, 64, NULL, NULL, 0) : NULL;
	p->buf = calloc(2, BUF);
	p->mr = p->cq && p->buf ? ibv_reg_mr(p->pd, p->buf, 2 * BUF,
					     IBV_ACCESS_LOCAL_WRITE | IBV_ACCESS_REMOTE_WRITE |
						     IBV_ACCESS_REMOTE_READ) :
				  NULL;
	if (!p->mr || ibv_query_gid(p->ctx, 1, gid_index, &gid)) {
		fprintf(stderr, "rxe_ucheck: PD, CQ, MR or GID %d on %s: %s\n", gid_index, dev_name,
			strerror(errno));
		return -1;
	}
	init.send_cq = init.recv_cq = p->cq;
	for (i = 0; i < 2; i++) {
		/* Send rings of different sizes: send_ring() tells them apart. */
		init.cap.max_send_wr = i ? 40 : 16;
		p->qp[i] = ibv_create_qp(p->pd, &init);
		if (!p->qp[i]) {
			fprintf(stderr, "rxe_ucheck: QP with %u bytes inline: %s\n", INLINE_ASK,
				strerror(errno));
			return -1;
		}
	}
	if (ibv_query_qp(p->qp[0], &qa, IBV_QP_CAP, &init))
		return -1;
	p->max_inline = qa.cap.max_inline_data;
	for (i = 0; i < 2; i++)
		if (qp_connect(p, i, &gid)) {
			fprintf(stderr, "rxe_ucheck: connecting QP %d: %s\n", i, strerror(errno));
			return -1;
		}
	return 0;
}

static void pair_close(struct pair *p)
{
	int i;

	for (i = 0; i < 2; i++)
		if (p->qp[i])
			ibv_destroy_qp(p->qp[i]);
	if (p->mr)
		ibv_dereg_mr(p->mr);
	if (p->cq)
		ibv_destroy_cq(p->cq);
	if (p->pd)
		ibv_dealloc_pd(p->pd);
	if (p->ctx)
		ibv_close_device(p->ctx);
	free(p->buf);
}

/* Poll until n completions arrived or 5 s passed; how many arrived. */
static int poll_n(struct pair *p, struct ibv_wc *wc, int n)
{
	struct timespec t0, t;
	int got = 0, r;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (got < n) {
		r = ibv_poll_cq(p->cq, n - got, wc + got);
		if (r < 0)
			break;
		got += r;
		clock_gettime(CLOCK_MONOTONIC, &t);
		if (t.tv_sec - t0.tv_sec > 5)
			break;
	}
	return got;
}

static int post_recv(struct pair *p, int side, uint32_t off, uint32_t len)
{
	struct ibv_sge sge = { (uintptr_t)p->buf + side * BUF + off, len, p->mr->lkey };
	struct ibv_recv_wr wr = { .wr_id = side, .sg_list = &sge, .num_sge = 1 }, *bad;

	return ibv_post_recv(p->qp[side], &wr, &bad);
}

/* ---- inline data ---- */

static void inline_send(struct pair *p, uint32_t len)
{
	unsigned char src[1024], want[1024];
	struct ibv_sge sge = { (uintptr_t)src, len, 0 }; /* no MR: inline */
	struct ibv_send_wr wr = { .wr_id = 7,
				  .sg_list = &sge,
				  .num_sge = 1,
				  .opcode = IBV_WR_SEND,
				  .send_flags = IBV_SEND_INLINE | IBV_SEND_SIGNALED },
			   *bad;
	struct ibv_wc wc[2];
	uint32_t i;
	int err, got, ok = 0;

	for (i = 0; i < len; i++)
		want[i] = src[i] = (unsigned char)(i * 7 + len);
	memset(p->buf + BUF, 0, 1024);
	err = post_recv(p, 1, 0, 1024);
	if (!err)
		err = ibv_post_send(p->qp[0], &wr, &bad);
	memset(src, 0xee, sizeof(src)); /* inline: the data left with the post */
	got = err ? 0 : poll_n(p, wc, 2);
	for (i = 0; i < (uint32_t)got; i++)
		ok += wc[i].status == IBV_WC_SUCCESS &&
		      (wc[i].opcode == IBV_WC_SEND ||
		       (wc[i].opcode == IBV_WC_RECV && wc[i].byte_len == len));
	check(!err && ok == 2 && !memcmp(p->buf + BUF, want, len) && p->buf[BUF + len] == 0,
	      "inline SEND of %u bytes: both completions, every byte, nothing beyond (post %d, %d of 2 completions right)",
	      len, err, ok);
}

static void inline_write(struct pair *p)
{
	unsigned char src[200];
	struct ibv_sge sge = { (uintptr_t)src, sizeof(src), 0 };
	struct ibv_send_wr wr = { .wr_id = 8,
				  .sg_list = &sge,
				  .num_sge = 1,
				  .opcode = IBV_WR_RDMA_WRITE,
				  .send_flags = IBV_SEND_INLINE | IBV_SEND_SIGNALED },
			   *bad;
	unsigned char *dst = p->buf + BUF + 4096;
	struct ibv_wc wc;
	int err, got;
	size_t i;

	for (i = 0; i < sizeof(src); i++)
		src[i] = (unsigned char)(0x5a ^ i);
	memset(dst - 8, 0, sizeof(src) + 16);
	wr.wr.rdma.remote_addr = (uintptr_t)dst;
	wr.wr.rdma.rkey = p->mr->rkey;
	err = ibv_post_send(p->qp[0], &wr, &bad);
	memset(src + sizeof(src) / 2, 0xee, sizeof(src) / 2);
	got = err ? 0 : poll_n(p, &wc, 1);
	for (i = 0; i < sizeof(src) / 2; i++)
		src[sizeof(src) / 2 + i] = (unsigned char)(0x5a ^ (sizeof(src) / 2 + i));
	check(!err && got == 1 && wc.status == IBV_WC_SUCCESS && !memcmp(dst, src, sizeof(src)) &&
		      !dst[-1] && !dst[sizeof(src)],
	      "inline RDMA WRITE of %zu bytes: completed, every byte in place, nothing around it (post %d, status %d)",
	      sizeof(src), err, got == 1 ? (int)wc.status : -1);
}

/* ---- a QP reset and used again ---- */

#define RESET_AT (BUF + 16384) /* side 1's receive buffers for this part */

static int reset_recv(struct pair *p, int n)
{
	struct ibv_sge sge = { (uintptr_t)p->buf + RESET_AT + n * 1024, 1024, p->mr->lkey };
	struct ibv_recv_wr wr = { .wr_id = 100 + n, .sg_list = &sge, .num_sge = 1 }, *bad;

	return ibv_post_recv(p->qp[1], &wr, &bad);
}

/* An inline SEND of len bytes of fill from qp, signalled, wr_id fill. */
static int fill_send(struct ibv_qp *qp, unsigned char fill, uint32_t len)
{
	unsigned char src[INLINE_ASK];
	struct ibv_sge sge = { (uintptr_t)src, len, 0 };
	struct ibv_send_wr wr = { .wr_id = fill,
				  .sg_list = &sge,
				  .num_sge = 1,
				  .opcode = IBV_WR_SEND,
				  .send_flags = IBV_SEND_INLINE | IBV_SEND_SIGNALED },
			   *bad;

	memset(src, fill, len);
	return ibv_post_send(qp, &wr, &bad);
}

/*
 * Both QPs go to RESET with receives posted: some taken into the device
 * already (a message arrived after they were posted), some still in the
 * ring. A reset QP's queues are empty (IBTA 10.3.1): none of them may
 * complete, and after the QPs are connected again a message must land in
 * the receive posted after the reset, nowhere else.
 */
static void reset_reuse(struct pair *p)
{
	struct ibv_qp_attr a = { .qp_state = IBV_QPS_RESET };
	unsigned char *rb = p->buf + RESET_AT;
	struct ibv_wc wc[8];
	union ibv_gid gid;
	int err = 0, got, stale, ok = 0, i;

	memset(rb, 0, 6 * 1024);
	for (i = 0; i < 3 && !err; i++)
		err = reset_recv(p, i);
	err = err ?: fill_send(p->qp[0], 0x5a, 100);
	got = err ? 0 : poll_n(p, wc, 2);
	for (i = 0; i < got; i++)
		ok += wc[i].status == IBV_WC_SUCCESS;
	check(!err && got == 2 && ok == 2 && rb[99] == 0x5a && rb[100] == 0,
	      "before the reset: a SEND into the first of three receives (post %d, %d completions, %d right)",
	      err, got, ok);
	/* Two more, which stay in the ring: no frame comes to take them. */
	err = reset_recv(p, 3) ?: reset_recv(p, 4);
	for (i = 0; i < 2 && !err; i++)
		err = ibv_modify_qp(p->qp[i], &a, IBV_QP_STATE);
	check(!err, "both QPs to RESET with four receives posted (%s)", err ? strerror(err) : "ok");
	err = err ?: ibv_query_gid(p->ctx, 1, gid_index, &gid);
	for (i = 0; i < 2 && !err; i++)
		err = qp_connect(p, i, &gid);
	check(!err, "both QPs connected again after the reset (%s)", err ? strerror(errno) : "ok");
	if (err)
		return;
	usleep(100 * 1000);
	stale = ibv_poll_cq(p->cq, 8, wc);
	check(stale == 0, "no completion for the receives dropped by the reset (%d)", stale);
	err = reset_recv(p, 5) ?: fill_send(p->qp[0], 0xa5, 200);
	got = err ? 0 : poll_n(p, wc, 2);
	ok = 0;
	for (i = 0; i < got; i++)
		ok += wc[i].status == IBV_WC_SUCCESS &&
		      (wc[i].opcode == IBV_WC_SEND ||
		       (wc[i].opcode == IBV_WC_RECV && wc[i].wr_id == 105 &&
			wc[i].byte_len == 200));
	for (i = 0; i < 200 && rb[5 * 1024 + i] == 0xa5; i++)
		;
	check(!err && got == 2 && ok == 2 && i == 200 && rb[5 * 1024 + 200] == 0,
	      "after the reset: a SEND lands in the receive posted since, every byte (post %d, %d completions, %d right, %d bytes)",
	      err, got, ok, i);
	for (i = 1024, stale = 0; i < 5 * 1024; i++)
		stale += rb[i] != 0;
	check(stale == 0, "the receives dropped by the reset got no data (%d bytes written)",
	      stale);
}

/* ---- a shared receive queue ---- */

static int rings(struct rxe_queue_buf **q, int max);

#define SRQ_AT (BUF + 32768) /* its receive buffers, 1 KiB each */

static struct ibv_qp *rc_qp(struct pair *p, struct ibv_srq *srq)
{
	struct ibv_qp_init_attr init = {
		.send_cq = p->cq,
		.recv_cq = p->cq,
		.srq = srq,
		.qp_type = IBV_QPT_RC,
		.cap = { .max_send_wr = 8,
			 .max_recv_wr = srq ? 0 : 8,
			 .max_send_sge = 1,
			 .max_recv_sge = 1,
			 .max_inline_data = 64 },
	};

	return ibv_create_qp(p->pd, &init);
}

/* Connect a and b to each other; 0 or -1. */
static int connect2(struct pair *p, struct ibv_qp *a, struct ibv_qp *b)
{
	struct pair q = *p;
	union ibv_gid gid;

	q.qp[0] = a;
	q.qp[1] = b;
	if (!a || !b || ibv_query_gid(p->ctx, 1, gid_index, &gid))
		return -1;
	return qp_connect(&q, 0, &gid) || qp_connect(&q, 1, &gid) ? -1 : 0;
}

static int srq_recv(struct pair *p, struct ibv_srq *srq, int n)
{
	struct ibv_sge sge = { (uintptr_t)p->buf + SRQ_AT + n * 1024, 1024, p->mr->lkey };
	struct ibv_recv_wr wr = { .wr_id = 200 + n, .sg_list = &sge, .num_sge = 1 }, *bad;

	return ibv_post_srq_recv(srq, &wr, &bad);
}

/*
 * Wait up to 2 s for the asynchronous event want about elem (an SRQ or a
 * QP); other events are acknowledged and passed over. 1 when it came.
 */
static int async_event(struct ibv_context *ctx, enum ibv_event_type want, void *elem)
{
	struct pollfd pfd = { .fd = ctx->async_fd, .events = POLLIN };
	struct ibv_async_event ev;
	int found = 0;

	fcntl(ctx->async_fd, F_SETFL, fcntl(ctx->async_fd, F_GETFL) | O_NONBLOCK);
	while (!found && poll(&pfd, 1, 2000) == 1) {
		if (ibv_get_async_event(ctx, &ev))
			continue;
		found = ev.event_type == want &&
			(ev.element.srq == elem || (void *)ev.element.qp == elem);
		ibv_ack_async_event(&ev);
	}
	return found;
}

/* The uverbs mapping that appeared since the rings in before (n of them). */
static struct rxe_queue_buf *new_ring(struct rxe_queue_buf **before, int n)
{
	struct rxe_queue_buf *now[32];
	int i, j, m = rings(now, 32);

	for (i = 0; i < m; i++) {
		for (j = 0; j < n && before[j] != now[i]; j++)
			;
		if (j == n)
			return now[i];
	}
	return NULL;
}

/* Poll n completions; how many are receives of wr_id id, status st, from qp. */
static int count_recv(struct pair *p, int n, uint64_t id, enum ibv_wc_status st, struct ibv_qp *qp)
{
	struct ibv_wc wc[8];
	int got = poll_n(p, wc, n), i, k = 0;

	for (i = 0; i < got; i++)
		k += wc[i].opcode == IBV_WC_RECV && wc[i].wr_id == id && wc[i].status == st &&
		     wc[i].qp_num == qp->qp_num;
	return k;
}

/*
 * An SRQ through rdma-core's provider: 4 receives, two RC QPs' SENDs take
 * them in order, the armed limit fires once; a malformed WQE written into
 * the SRQ's ring completes in error on the QP whose frame found it, which
 * goes to ERR (its last WQE event), and the SRQ's other WQEs serve a QP
 * connected afterwards.
 */
static void srq_checks(struct pair *p)
{
	struct ibv_srq_init_attr sa = { .attr = { .max_wr = 10, .max_sge = 1 } };
	struct rxe_queue_buf *before[32], *ring;
	unsigned char *rb = p->buf + SRQ_AT;
	struct ibv_qp *tx[2] = {}, *rx[2] = {};
	struct ibv_qp_attr err_state = { .qp_state = IBV_QPS_ERR };
	struct ibv_srq_attr qa;
	struct rxe_recv_wqe *w;
	struct ibv_srq *srq;
	struct ibv_wc wc[1];
	int nb = rings(before, 32), err = 0, i, k;
	uint32_t prod;

	srq = ibv_create_srq(p->pd, &sa);
	ring = srq ? new_ring(before, nb) : NULL;
	check(srq && ring && !ibv_query_srq(srq, &qa) && qa.max_wr >= 10 && qa.max_sge == 1,
	      "ibv_create_srq: 10 WRs of 1 SGE, its ring mapped (%s)",
	      srq ? "ok" : strerror(errno));
	if (!srq || !ring)
		return;
	qa.max_wr = 20;
	err = ibv_modify_srq(srq, &qa, IBV_SRQ_MAX_WR);
	check(err == EOPNOTSUPP, "resizing the SRQ is refused with EOPNOTSUPP (%d)", err);
	qa.srq_limit = 3;
	err = ibv_modify_srq(srq, &qa, IBV_SRQ_LIMIT);
	memset(rb, 0, 4 * 1024);
	for (i = 0; i < 4 && !err; i++)
		err = srq_recv(p, srq, i);
	tx[0] = rc_qp(p, NULL);
	rx[0] = rc_qp(p, srq);
	err = err ?: connect2(p, tx[0], rx[0]);
	check(!err,
	      "the limit armed at 3, four receives posted, an RC QP on the SRQ connected (%d)",
	      err);
	if (err)
		goto out;
	k = 0;
	for (i = 0; i < 2; i++)
		if (!fill_send(tx[0], 0x31 + i, 64))
			k += count_recv(p, 2, 200 + i, IBV_WC_SUCCESS, rx[0]);
	check(k == 2 && rb[63] == 0x31 && rb[64] == 0 && rb[1024 + 63] == 0x32,
	      "two SENDs through the SRQ land in its first two receives, in order (%d of 2)", k);
	check(async_event(p->ctx, IBV_EVENT_SRQ_LIMIT_REACHED, srq),
	      "the SRQ's limit event came when 2 of 4 receives were left (limit 3)");
	err = ibv_query_srq(srq, &qa);
	check(!err && qa.srq_limit == 0, "the limit reads 0 after it fired (%d, %u)", err,
	      qa.srq_limit);

	/* A receive WQE with 5 SGEs (max_sge 1), straight into the ring. */
	prod = ring->producer_index & ring->index_mask;
	w = (struct rxe_recv_wqe *)(ring->data + ((size_t)prod << ring->log2_elem_size));
	memset(w, 0, sizeof(*w));
	w->wr_id = 0xbad;
	w->dma.num_sge = 5;
	__atomic_store_n(&ring->producer_index, (prod + 1) & ring->index_mask, __ATOMIC_RELEASE);
	k = fill_send(tx[0], 0x33, 64) ? 0 : count_recv(p, 1, 0xbad, IBV_WC_LOC_QP_OP_ERR, rx[0]);
	check(k == 1,
	      "a malformed WQE in the SRQ's ring completes with LOC_QP_OP_ERR on the QP that found it (%d)",
	      k);
	check(async_event(p->ctx, IBV_EVENT_QP_LAST_WQE_REACHED, rx[0]),
	      "that QP went to ERR: its last WQE reached event");
	ibv_modify_qp(tx[0], &err_state, IBV_QP_STATE);
	poll_n(p, wc, 1); /* the sender's SEND, flushed */

	/* The SRQ's third and fourth receives serve another pair. */
	tx[1] = rc_qp(p, NULL);
	rx[1] = rc_qp(p, srq);
	err = connect2(p, tx[1], rx[1]);
	k = err || fill_send(tx[1], 0x34, 64) ? 0 : count_recv(p, 2, 202, IBV_WC_SUCCESS, rx[1]);
	check(k == 1 && rb[2048 + 63] == 0x34 && rb[2048 + 64] == 0,
	      "after the other QP's error, a new QP on the SRQ takes its next receive (%d)", k);
out:
	for (i = 0; i < 2; i++) {
		if (tx[i])
			ibv_destroy_qp(tx[i]);
		if (rx[i])
			ibv_destroy_qp(rx[i]);
	}
	err = ibv_destroy_srq(srq);
	check(!err, "the SRQ is destroyed once its QPs are (%d)", err);
}

/* ---- UD through user address handles ---- */

#define UD_QKEY 0x11111111u
#define GRH 40

static struct ibv_qp *ud_qp(struct pair *p)
{
	struct ibv_qp_init_attr init = {
		.send_cq = p->cq,
		.recv_cq = p->cq,
		.qp_type = IBV_QPT_UD,
		.cap = { .max_send_wr = 4, .max_recv_wr = 4, .max_send_sge = 1, .max_recv_sge = 1 },
	};
	struct ibv_qp_attr a = { .qp_state = IBV_QPS_INIT, .port_num = 1, .qkey = UD_QKEY };
	struct ibv_qp *qp = ibv_create_qp(p->pd, &init);

	if (!qp)
		return NULL;
	if (ibv_modify_qp(qp, &a, IBV_QP_STATE | IBV_QP_PKEY_INDEX | IBV_QP_PORT | IBV_QP_QKEY))
		goto out_destroy;
	a.qp_state = IBV_QPS_RTR;
	if (ibv_modify_qp(qp, &a, IBV_QP_STATE))
		goto out_destroy;
	a.qp_state = IBV_QPS_RTS;
	a.sq_psn = 0;
	if (ibv_modify_qp(qp, &a, IBV_QP_STATE | IBV_QP_SQ_PSN))
		goto out_destroy;
	return qp;

out_destroy:
	ibv_destroy_qp(qp);
	return NULL;
}

/*
 * A UD SEND of len bytes from qp to itself through ah; the status of its
 * completion, and in *rwc the receive's completion if want_recv.
 */
static int ud_send(struct pair *p, struct ibv_qp *qp, struct ibv_ah *ah, uint32_t len,
		   bool want_recv, struct ibv_wc *rwc)
{
	struct ibv_sge sge = { (uintptr_t)p->buf, len, p->mr->lkey };
	struct ibv_send_wr wr = { .wr_id = 11,
				  .sg_list = &sge,
				  .num_sge = 1,
				  .opcode = IBV_WR_SEND,
				  .send_flags = IBV_SEND_SIGNALED },
			   *bad;
	struct ibv_wc wc;
	int st = -1, n = want_recv ? 2 : 1;

	wr.wr.ud.ah = ah;
	wr.wr.ud.remote_qpn = qp->qp_num;
	wr.wr.ud.remote_qkey = UD_QKEY;
	if (ibv_post_send(qp, &wr, &bad))
		return -1;
	while (n && poll_n(p, &wc, 1) == 1) {
		if (wc.wr_id == 11) {
			st = wc.status;
			n--;
		} else if (want_recv && wc.wr_id == 12) {
			*rwc = wc;
			n--;
		}
	}
	return st;
}

static void ud_checks(struct pair *p)
{
	struct ibv_ah_attr aa = { .is_global = 1, .port_num = 1 };
	struct ibv_sge sge = { (uintptr_t)p->buf + BUF, 1024 + GRH, p->mr->lkey };
	struct ibv_recv_wr rwr = { .wr_id = 12, .sg_list = &sge, .num_sge = 1 }, *bad;
	struct ibv_qp *qp = ud_qp(p);
	struct ibv_pd *pd2 = ibv_alloc_pd(p->ctx);
	struct ibv_ah *ah = NULL, *ah2 = NULL;
	struct ibv_wc wc = { .status = IBV_WC_GENERAL_ERR };
	int st = -1, st2 = -1, i;

	aa.grh.sgid_index = gid_index;
	aa.grh.hop_limit = 64;
	if (qp && pd2 && !ibv_query_gid(p->ctx, 1, gid_index, &aa.grh.dgid)) {
		ah = ibv_create_ah(p->pd, &aa);
		ah2 = ibv_create_ah(pd2, &aa);
	}
	if (ah && ah2) {
		for (i = 0; i < 100; i++)
			p->buf[i] = (unsigned char)(i ^ 0x3c);
		memset(p->buf + BUF, 0, 1024 + GRH);
		if (!ibv_post_recv(qp, &rwr, &bad))
			st = ud_send(p, qp, ah, 100, true, &wc);
	}
	check(st == IBV_WC_SUCCESS && wc.wr_id == 12 && wc.status == IBV_WC_SUCCESS &&
		      wc.byte_len == 100 + GRH && (wc.wc_flags & IBV_WC_GRH) &&
		      wc.src_qp == (qp ? qp->qp_num : 0) &&
		      !memcmp(p->buf + BUF + GRH, p->buf, 100),
	      "UD SEND of 100 bytes through a user AH: received behind its GRH, every byte (send %d, receive %d)",
	      st, (int)wc.status);
	if (ah2)
		st2 = ud_send(p, qp, ah2, 100, false, NULL);
	check(st2 == IBV_WC_LOC_QP_OP_ERR,
	      "UD SEND through an AH of another PD: completes with a local QP operation error (%d)",
	      st2);
	if (ah)
		ibv_destroy_ah(ah);
	if (ah2)
		ibv_destroy_ah(ah2);
	if (qp)
		ibv_destroy_qp(qp);
	if (pd2)
		ibv_dealloc_pd(pd2);
}

/* ---- a hostile process ---- */

/* The mapped rings of the process, from /proc/self/maps. */
static int rings(struct rxe_queue_buf **q, int max)
{
	FILE *f = fopen("/proc/self/maps", "r");
	char line[512];
	int n = 0;

	if (!f)
		return 0;
	while (n < max && fgets(line, sizeof(line), f)) {
		unsigned long lo, hi;

		if (strstr(line, "/dev/infiniband/uverbs") &&
		    sscanf(line, "%lx-%lx", &lo, &hi) == 2)
			q[n++] = (struct rxe_queue_buf *)lo;
	}
	fclose(f);
	return n;
}

/*
 * The send ring of QP 0: of the rings with its 32 slots (16 WRs and the
 * free one, rounded up), the one whose elements are the largest.
 */
static struct rxe_queue_buf *send_ring(void)
{
	struct rxe_queue_buf *q[16], *best = NULL;
	int i, n = rings(q, 16);

	for (i = 0; i < n; i++)
		if (q[i]->index_mask == 31 &&
		    (!best || q[i]->log2_elem_size > best->log2_elem_size))
			best = q[i];
	return best;
}

/* A malformed send WQE of kind k at the producer's slot, then the doorbell. */
static int hostile_send(struct pair *p, int k, unsigned int seed)
{
	struct rxe_queue_buf *q = send_ring();
	struct ibv_sge sge = { (uintptr_t)p->buf, 16, p->mr->lkey };
	struct ibv_send_wr ok = { .wr_id = 9,
				  .sg_list = &sge,
				  .num_sge = 1,
				  .opcode = IBV_WR_SEND,
				  .send_flags = IBV_SEND_SIGNALED },
			   *bad;
	struct rxe_send_wqe *w;
	size_t elem, i;
	uint32_t prod;

	if (!q)
		return -1;
	elem = (size_t)1 << q->log2_elem_size;
	prod = q->producer_index & q->index_mask;
	w = (struct rxe_send_wqe *)(q->data + prod * elem);
	memset(w, 0, elem);
	w->wr.wr_id = HOSTILE_WR_ID;
	w->wr.opcode = IBV_WR_SEND;
	w->wr.send_flags = IBV_SEND_SIGNALED;
	w->dma.num_sge = 1;
	w->dma.sge[0].addr = (uintptr_t)p->buf;
	w->dma.sge[0].length = 16;
	w->dma.sge[0].lkey = p->mr->lkey;
	switch (k) {
	case 0:
		w->wr.opcode = 0xff;
		break;
	case 1:
		w->dma.num_sge = 1000;
		break;
	case 2:
		w->wr.send_flags |= IBV_SEND_INLINE;
		w->dma.length = 0xffffffffu;
		break;
	case 3:
		w->wr.send_flags |= IBV_SEND_INLINE;
		w->wr.opcode = IBV_WR_RDMA_READ;
		w->dma.length = 8;
		break;
	case 4:
		w->wr.send_flags = 0xffffffffu;
		break;
	case 5: /* kernel memory through our own key */
		w->dma.sge[0].addr = 0xffff888000000000ULL;
		w->dma.sge[0].length = 4096;
		break;
	case 6:
		w->dma.sge[0].lkey ^= 0x5a5a00;
		break; /* a key of nothing */
	case 7:
		w->dma.sge[0].length = BUF * 4;
		break; /* past the MR */
	default: /* random bytes, our wr_id kept */
		for (i = 8; i < elem; i++)
			((unsigned char *)w)[i] = (unsigned char)rand_r(&seed);
		w->wr.wr_id = HOSTILE_WR_ID;
		break;
	}
	__atomic_store_n(&q->producer_index, (prod + 1) & q->index_mask, __ATOMIC_RELEASE);
	/* The provider's own post rings the doorbell for both WQEs. */
	return ibv_post_send(p->qp[0], &ok, &bad);
}

/*
 * One hostile round in this (child) process: a fresh pair, kind k; exit 0
 * when the malformed WQE completed in error (or, for random bytes, at
 * all), 1 when it did not, 2 when the set-up failed.
 */
static int hostile_round(int k, unsigned int seed)
{
	struct ibv_wc wc[1];
	struct pair p;
	int got, i, err;

	if (pair_open(&p))
		return 2;
	post_recv(&p, 1, 0, 1024);
	err = hostile_send(&p, k, seed);
	if (k == 8) { /* and garbage in every ring's indices */
		struct rxe_queue_buf *q[16];
		int n = rings(q, 16);

		for (i = 0; i < n; i++) {
			q[i]->consumer_index = (uint32_t)rand_r(&seed);
			q[i]->producer_index = (uint32_t)rand_r(&seed);
		}
		post_recv(&p, 1, 0, 1024);
	}
	/* Up to three completions (the WQE, the good one, the receive), 5 s. */
	for (got = 0; !err && got < 3;) {
		if (poll_n(&p, wc, 1) != 1)
			break;
		got++;
		if (wc[0].wr_id != HOSTILE_WR_ID)
			continue;
		/*
		 * A WQE the kernel cannot take is a local QP operation error;
		 * one whose SGE its key does not open, a protection error.
		 */
		if (k >= 8 || wc[0].status == (k < 5 ? IBV_WC_LOC_QP_OP_ERR : IBV_WC_LOC_PROT_ERR))
			_exit(0); /* leave the teardown to the kernel, as a crash would */
		fprintf(stderr, "rxe_ucheck: kind %d: the WQE completed with %s\n", k,
			ibv_wc_status_str(wc[0].status));
		return 1;
	}
	fprintf(stderr, "rxe_ucheck: kind %d: post %d, %d completions, none for the WQE\n", k, err,
		got);
	return 1;
}

static const char *const kinds[] = {
	"opcode 0xff",	      "1000 SGEs",	 "inline length 2^32-1",
	"inline READ",	      "every send flag", "SGE at a kernel address",
	"an lkey of nothing", "SGE past its MR", "random bytes",
};

static void hostile(int rounds)
{
	int r, k, st, died = 0;
	int nk = (int)(sizeof(kinds) / sizeof(kinds[0]));

	for (r = 0; r < rounds; r++) {
		pid_t pid;

		k = r % nk;
		fflush(stdout);
		pid = fork();
		if (pid == 0) {
			alarm(20);
			_exit(hostile_round(k, 1234u + (unsigned int)r));
		}
		if (pid < 0 || waitpid(pid, &st, 0) != pid) {
			check(false, "hostile round %d: fork or wait: %s", r, strerror(errno));
			continue;
		}
		if (k == nk - 1) {
			/*
			 * Random bytes and ring indices may lead the provider
			 * astray in the process; whatever it does, the kernel
			 * must stay well (the suite reads its log), and the
			 * process must not hang in it.
			 */
			died += WIFSIGNALED(st);
			if (WIFSIGNALED(st) && WTERMSIG(st) == SIGALRM)
				check(false, "hostile round %d (%s): the process hung", r,
				      kinds[k]);
			continue;
		}
		if (r < nk || !WIFEXITED(st) || WEXITSTATUS(st))
			check(WIFEXITED(st) && WEXITSTATUS(st) == 0,
			      "hostile round %d (%s): the malformed WQE completed in error, QP and process alone affected (status 0x%x)",
			      r, kinds[k], st);
	}
	printf("hostile: %d rounds, %d processes of random bytes died of their own garbage\n",
	       rounds, died);
}

int main(int argc, char **argv)
{
	struct pair p;
	int c, rounds = 36;
	uint32_t len;

	while ((c = getopt(argc, argv, "d:g:r:")) != -1) {
		switch (c) {
		case 'd':
			dev_name = optarg;
			break;
		case 'g':
			gid_index = atoi(optarg);
			break;
		case 'r':
			rounds = atoi(optarg);
			break;
		default:
			fprintf(stderr, "usage: rxe_ucheck [-d DEV] [-g GIDX] [-r ROUNDS]\n");
			return 2;
		}
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	/* First the hostile processes, then the device must still work. */
	hostile(rounds);
	if (pair_open(&p)) {
		check(false, "a fresh pair of QPs after the hostile rounds");
	} else {
		check(p.max_inline >= INLINE_ASK, "a QP asked for %u bytes inline reports %u",
		      INLINE_ASK, p.max_inline);
		for (len = 1; len < p.max_inline && len <= 1024; len = len < 64 ? len * 4 : len * 2)
			inline_send(&p, len);
		inline_send(&p, p.max_inline);
		inline_write(&p);
		reset_reuse(&p);
		srq_checks(&p);
		ud_checks(&p);
	}
	pair_close(&p);
	printf("%d passed, %d failed\n", npass, nfail);
	return nfail ? 1 : 0;
}
