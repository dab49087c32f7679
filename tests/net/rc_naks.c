// SPDX-License-Identifier: GPL-2.0
/*
 * Every RC error and NAK path, end to end through the public API, driven by
 * test_rc_naks.sh. One process opens two devices, one in each namespace of
 * a veth pair (AF_XDP sockets keep the namespace they were made in), and
 * drives both from one loop. Each case connects a fresh pair of RC QPs (A
 * requests, B responds, unless the case says otherwise), provokes one
 * error and checks the exact completion status on both sides, the QP
 * states afterwards and the QP counters:
 *
 *   1  WRITE with a stale rkey: REM_ACCESS_ERR, both QPs in ERR, the WRs
 *      behind it and B's receive flushed, nothing written; a receive
 *      posted to B in ERR is flushed too (IBTA, rxe)
 *   2  READ past the end of the MR: REM_ACCESS_ERR
 *   3  WRITE into an MR without REMOTE_WRITE: REM_ACCESS_ERR
 *   4  READ at a QP whose access flags lack REMOTE_READ: REM_INV_REQ_ERR
 *   5  SEND longer than the receive (1 and 2 packets): REM_INV_REQ_ERR,
 *      the receive LOC_LEN_ERR
 *   6  RNR: rnr_retry 0 ends in RNR_RETRY_EXC_ERR after one RNR NAK (set
 *      through xp_qp_connect() and through xp_qp_modify()); rnr_retry 7
 *      with the receive posted late succeeds after RNR NAKs
 *   7  receive whose MR was deregistered: REM_OP_ERR, receive LOC_PROT_ERR
 *   8  SEND_WITH_INV of a user MR's rkey and of a stale key: receive
 *      REM_INV_REQ_ERR, B in ERR; of a fast-reg MR's key: WITH_INV, the
 *      MR is FREE and a WRITE through the key fails
 *   9  LOCAL_INV of a fast-reg MR, then the peer's WRITE: REM_ACCESS_ERR;
 *      LOCAL_INV of a user MR: LOC_QP_OP_ERR
 *   10 every frame to B dropped: RETRY_EXC_ERR after retry_cnt + 1 local
 *      ACK timeouts and retry_cnt retransmissions (retry_cnt 1 and 3 through
 *      xp_qp_connect(), 0 through it and through xp_qp_modify())
 *   11 atomics with every request delivered twice run once; an atomic on
 *      a target misaligned in host memory: REM_INV_REQ_ERR
 *   12 post_send refusals (RESET, INIT, RTR; atomic rules, queue full,
 *      opcode, SGEs) post nothing and leave the QP in RTS; in ERR a WR is
 *      accepted and completes flushed (IBTA, rxe)
 *
 * Where xdpath and rxe differ, the checks follow what xdpath documents
 * (xp_mr.h, xp_rdma.h) and IBTA; the comments at the checks say so.
 *
 * Usage: rc_naks [-v] [-c] [-o CASES] NS_A IF_A NS_B IF_B
 *   -o 1,5,10  run only these cases     -c  negative control (see below)
 *   -v         library debug messages
 * With -c, case 1 uses the right rkey but still expects REM_ACCESS_ERR:
 * the run must fail. Prints PASS/FAIL lines and the summary line; exit
 * status 0 only when every check passed.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "xp_log.h"
#include "xp_rdma_xsk.h"
#include "xp_test.h"

#define WAIT_MS 1000 /* for a completion that must come */
#define SETTLE_MS 20 /* for ones that must not */
#define BUF_LEN 65536u
#define TGT 16384u /* remote target area in each side's buffer */
#define ATOM 32768u /* atomic slots */
#define TIMEOUT_CODE 10 /* local ACK timeout 4.096 us * 2^10 = 4.2 ms */
#define NCASES 12

struct side {
	const char *name;
	int nsfd;
	struct xp_rdma_dev *dev;
	struct xp_pd *pd;
	struct xp_cq *scq, *rcq;
	__u8 *buf;
	struct xp_mr *mr; /* the whole buffer: LOCAL_WRITE and every REMOTE_* */
	__u8 gid[16];
};

struct bed {
	struct side a, b;
	int homefd;
	bool control;
	bool turn;
	__u32 psn_seed;
};

struct pair {
	struct xp_qp *qa, *qb;
};

static long long now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000LL + ts.tv_nsec / 1000;
}

static int enter(int nsfd)
{
	if (setns(nsfd, CLONE_NEWNET)) {
		xt_fail("setns: %s", strerror(errno));
		return -errno;
	}
	return 0;
}

static const char *st(enum xp_wc_status s)
{
	static const char *const names[] = {
		[XP_WC_SUCCESS] = "SUCCESS",
		[XP_WC_LOC_LEN_ERR] = "LOC_LEN_ERR",
		[XP_WC_LOC_QP_OP_ERR] = "LOC_QP_OP_ERR",
		[XP_WC_LOC_PROT_ERR] = "LOC_PROT_ERR",
		[XP_WC_WR_FLUSH_ERR] = "WR_FLUSH_ERR",
		[XP_WC_BAD_RESP_ERR] = "BAD_RESP_ERR",
		[XP_WC_REM_INV_REQ_ERR] = "REM_INV_REQ_ERR",
		[XP_WC_REM_ACCESS_ERR] = "REM_ACCESS_ERR",
		[XP_WC_REM_OP_ERR] = "REM_OP_ERR",
		[XP_WC_RETRY_EXC_ERR] = "RETRY_EXC_ERR",
		[XP_WC_RNR_RETRY_EXC_ERR] = "RNR_RETRY_EXC_ERR",
	};

	if ((unsigned int)s < sizeof(names) / sizeof(names[0]) && names[s])
		return names[s];
	return xp_wc_status_str(s);
}

/* ---- driving both devices ---- */

static void drive(struct bed *b)
{
	int n = xp_rdma_dev_poll(b->a.dev, 64);

	n += xp_rdma_dev_poll(b->b.dev, 64);
	if (n)
		return;
	/* One thread, two sockets: wait on each in turn, briefly. */
	xp_rdma_dev_wait(b->turn ? b->a.dev : b->b.dev, 1);
	b->turn = !b->turn;
}

static void settle(struct bed *b, int ms)
{
	long long end = now_us() + ms * 1000LL;

	while (now_us() < end)
		drive(b);
}

/* Up to n completions from cq within ms; how many came. */
static int wait_wcs(struct bed *b, struct xp_cq *cq, struct xp_wc *wc, int n, int ms)
{
	long long end = now_us() + ms * 1000LL;
	int got = 0, k;

	for (;;) {
		k = xp_cq_poll(cq, n - got, wc + got);
		if (k < 0)
			return got;
		got += k;
		if (got == n || now_us() > end)
			return got;
		drive(b);
	}
}

/* ---- checks ---- */

static bool __attribute__((format(printf, 6, 7)))
expect_wc(const struct xp_wc *wc, bool have, __u64 wr_id, enum xp_wc_status status, int opcode,
	  const char *fmt, ...)
{
	bool ok = have && wc->wr_id == wr_id && wc->status == status &&
		  (opcode < 0 || (int)wc->opcode == opcode);
	char what[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	if (xt_check(ok, "%s", what))
		return true;
	if (!have)
		xt_note("no completion; expected wr_id %llu %s", (unsigned long long)wr_id,
			st(status));
	else
		xt_note("got wr_id %llu %s opcode %s; expected wr_id %llu %s opcode %s",
			(unsigned long long)wc->wr_id, st(wc->status), xp_wc_opcode_str(wc->opcode),
			(unsigned long long)wr_id, st(status),
			opcode < 0 ? "any" : xp_wc_opcode_str(opcode));
	return false;
}

static bool __attribute__((format(printf, 3, 4)))
expect_eq(unsigned long long got, unsigned long long want, const char *fmt, ...)
{
	char what[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	if (xt_check(got == want, "%s", what))
		return true;
	xt_note("got %llu (0x%llx), expected %llu (0x%llx)", got, got, want, want);
	return false;
}

/* "<who> QP is in <want>" */
static void __attribute__((format(printf, 3, 4)))
expect_state(struct xp_qp *qp, enum xp_qp_state want, const char *fmt, ...)
{
	enum xp_qp_state s = xp_qp_state(qp);
	char who[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(who, sizeof(who), fmt, ap);
	va_end(ap);
	if (!xt_check(s == want, "%s QP is in %s", who, xp_qp_state_str(want)))
		xt_note("it is in %s", xp_qp_state_str(s));
}

/* A fatal NAK's aftermath: both QPs in ERR, and B sent exactly 1 error NAK. */
static void expect_error_nak(const struct pair *p, const char *tag)
{
	expect_state(p->qa, XP_QPS_ERR, "%s: requester A's", tag);
	expect_state(p->qb, XP_QPS_ERR, "%s: responder B's", tag);
	expect_eq(xp_qp_stats(p->qb)->err_naks_sent, 1, "%s: B sent 1 error NAK", tag);
}

/* Nothing more on either side's CQs. */
static void expect_quiet(struct bed *b, const char *tag)
{
	struct xp_cq *cqs[4] = { b->a.scq, b->a.rcq, b->b.scq, b->b.rcq };
	static const char *const names[4] = { "A send", "A recv", "B send", "B recv" };
	struct xp_wc wc;
	int i, extra = 0;

	settle(b, SETTLE_MS);
	for (i = 0; i < 4; i++) {
		while (xp_cq_poll(cqs[i], 1, &wc) == 1) {
			xt_note("%s CQ: wr_id %llu %s", names[i], (unsigned long long)wc.wr_id,
				st(wc.status));
			extra++;
		}
	}
	xt_check(!extra, "%s: no other completion on either side", tag);
}

static bool bytes_are(const __u8 *p, __u8 v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (p[i] != v)
			return false;
	return true;
}

/* ---- work requests ---- */

static __u64 iova(const struct side *s, __u32 off)
{
	return xp_mr_iova(s->mr) + off;
}

static int post_recv(struct side *s, struct xp_qp *qp, __u64 wr_id, __u32 off, __u32 len,
		     __u32 lkey)
{
	struct xp_sge sge = { .addr = (uintptr_t)s->buf + off, .length = len, .lkey = lkey };
	struct xp_recv_wr wr = { .wr_id = wr_id, .sg_list = &sge, .num_sge = 1 }, *bad;
	int err = xp_qp_post_recv(qp, &wr, &bad);

	if (err)
		xt_fail("%s: post_recv wr_id %llu: %s", s->name, (unsigned long long)wr_id,
			strerror(-err));
	return err;
}

/*
 * Post one signalled WR with one SGE (off, len) in s's buffer: RDMA ops
 * at (raddr, rkey); atomics also compare_add and swap; SEND_WITH_INV and
 * LOCAL_INV use rkey as the key to invalidate.
 */
static int post(struct side *s, struct xp_qp *qp, __u64 wr_id, enum xp_wr_opcode op, __u32 off,
		__u32 len, __u64 raddr, __u32 rkey, __u64 compare_add, __u64 swap)
{
	struct xp_sge sge = { .addr = (uintptr_t)s->buf + off,
			      .length = len,
			      .lkey = xp_mr_lkey(s->mr) };
	struct xp_send_wr wr = {
		.wr_id = wr_id,
		.sg_list = &sge,
		.num_sge = len ? 1 : 0,
		.opcode = op,
		.send_flags = XP_SEND_SIGNALED,
	}, *bad;
	int err;

	if (op == XP_WR_ATOMIC_CMP_AND_SWP || op == XP_WR_ATOMIC_FETCH_AND_ADD) {
		wr.atomic.remote_addr = raddr;
		wr.atomic.rkey = rkey;
		wr.atomic.compare_add = compare_add;
		wr.atomic.swap = swap;
	} else if (op == XP_WR_SEND_WITH_INV || op == XP_WR_LOCAL_INV) {
		wr.invalidate_rkey = rkey;
	} else {
		wr.rdma.remote_addr = raddr;
		wr.rdma.rkey = rkey;
	}
	err = xp_qp_post_send(qp, &wr, &bad);
	if (err)
		xt_fail("%s: post_send wr_id %llu opcode %d: %s", s->name,
			(unsigned long long)wr_id, op, strerror(-err));
	return err;
}

/* ---- QP pairs ---- */

static void default_opts(struct xp_qp_connect_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->sz = sizeof(*o);
	o->timeout = TIMEOUT_CODE;
}

static struct xp_qp *qp_new(struct side *s, __u32 max_send_wr)
{
	struct xp_qp_init_attr qa = {
		.sz = sizeof(qa),
		.qp_type = XP_QPT_RC,
		.pd = s->pd,
		.send_cq = s->scq,
		.recv_cq = s->rcq,
		.cap = { .max_send_wr = max_send_wr,
			 .max_recv_wr = 16,
			 .max_send_sge = 2,
			 .max_recv_sge = 2 },
	};
	struct xp_qp *qp = xp_qp_create(s->dev, &qa);

	if (!qp)
		xt_fail("%s: xp_qp_create: %s", s->name, strerror(errno));
	return qp;
}

/* Connect qp of s to peer QPN dest of side t, in s's namespace. */
static int qp_connect(struct bed *b, struct side *s, struct xp_qp *qp, struct side *t, __u32 dest,
		      __u32 sq_psn, __u32 rq_psn, const struct xp_qp_connect_opts *o)
{
	struct xp_qp_peer peer = {
		.sgid_index = 1, .dest_qpn = dest, .rq_psn = rq_psn, .sq_psn = sq_psn
	};
	int err;

	memcpy(peer.dgid, t->gid, 16);
	err = enter(s->nsfd);
	if (err)
		return err;
	err = xp_qp_connect(qp, &peer, o);
	if (err)
		xt_fail("%s: xp_qp_connect QP %u: %s", s->name, xp_qp_num(qp), strerror(-err));
	return err;
}

/*
 * A fresh pair: A's QP with oa, B's with ob (NULL: the defaults with the
 * short ACK timeout). PSNs change from pair to pair and start near the
 * wrap of the 24-bit space.
 */
static int pair_open(struct bed *b, struct pair *p, const struct xp_qp_connect_opts *oa,
		     const struct xp_qp_connect_opts *ob, __u32 max_send_wr)
{
	struct xp_qp_connect_opts def;
	__u32 psn_a = (0xfffff0u + b->psn_seed * 7) & 0xffffff;
	__u32 psn_b = (0x123400u + b->psn_seed * 13) & 0xffffff;
	int err;

	b->psn_seed++;
	default_opts(&def);
	p->qa = qp_new(&b->a, max_send_wr);
	p->qb = qp_new(&b->b, 16);
	if (!p->qa || !p->qb)
		return -EINVAL;
	err = qp_connect(b, &b->a, p->qa, &b->b, xp_qp_num(p->qb), psn_a, psn_b, oa ?: &def);
	if (!err)
		err = qp_connect(b, &b->b, p->qb, &b->a, xp_qp_num(p->qa), psn_b, psn_a,
				 ob ?: &def);
	return err;
}

static void pair_close(struct bed *b, struct pair *p)
{
	struct xp_cq *cqs[4] = { b->a.scq, b->a.rcq, b->b.scq, b->b.rcq };
	struct xp_wc wc;
	int i;

	if (p->qa)
		xp_qp_destroy(p->qa);
	if (p->qb)
		xp_qp_destroy(p->qb);
	p->qa = p->qb = NULL;
	for (i = 0; i < 4; i++)
		while (xp_cq_poll(cqs[i], 1, &wc) == 1)
			;
}

/* ---- the cases ---- */

/* 1: WRITE with a stale rkey; the WRs behind it are flushed. */
static void case_write_bad_rkey(struct bed *b)
{
	struct side *A = &b->a, *B = &b->b;
	__u32 rkey = xp_mr_rkey(B->mr);
	struct xp_wc wc[3];
	struct pair p;
	int got;

	if (!b->control)
		rkey = xp_key_inc(rkey);
	if (pair_open(b, &p, NULL, NULL, 16))
		goto out;
	memset(B->buf + TGT, 0x5a, 256);
	memset(A->buf, 0xa1, 256);
	if (post_recv(B, p.qb, 11, 0, 64, xp_mr_lkey(B->mr)) ||
	    post(A, p.qa, 1, XP_WR_RDMA_WRITE, 0, 64, iova(B, TGT), rkey, 0, 0) ||
	    post(A, p.qa, 2, XP_WR_SEND, 0, 16, 0, 0, 0, 0) ||
	    post(A, p.qa, 3, XP_WR_RDMA_WRITE, 0, 64, iova(B, TGT + 64), xp_mr_rkey(B->mr), 0, 0))
		goto out;
	got = wait_wcs(b, A->scq, wc, 3, WAIT_MS);
	expect_wc(&wc[0], got > 0, 1, XP_WC_REM_ACCESS_ERR, XP_WC_RDMA_WRITE,
		  "case 1: WRITE with a stale rkey completes with REM_ACCESS_ERR");
	expect_wc(&wc[1], got > 1, 2, XP_WC_WR_FLUSH_ERR, -1,
		  "case 1: the SEND posted behind it completes with WR_FLUSH_ERR");
	expect_wc(&wc[2], got > 2, 3, XP_WC_WR_FLUSH_ERR, -1,
		  "case 1: the good WRITE posted behind it completes with WR_FLUSH_ERR");
	got = wait_wcs(b, B->rcq, wc, 1, WAIT_MS);
	expect_wc(&wc[0], got > 0, 11, XP_WC_WR_FLUSH_ERR, -1,
		  "case 1: B's posted receive is flushed (B went to ERR)");
	expect_error_nak(&p, "case 1");
	xt_check(bytes_are(B->buf + TGT, 0x5a, 256), "case 1: nothing was written at B");
	expect_quiet(b, "case 1");
	/* IBTA and rxe: a receive posted in ERR is accepted and flushed. */
	if (post_recv(B, p.qb, 12, 0, 64, xp_mr_lkey(B->mr)))
		goto out;
	got = wait_wcs(b, B->rcq, wc, 1, 100);
	expect_wc(&wc[0], got > 0, 12, XP_WC_WR_FLUSH_ERR, -1,
		  "case 1: a receive posted to B in ERR completes with WR_FLUSH_ERR");
out:
	pair_close(b, &p);
}

/* 2: READ whose range ends past the MR. */
static void case_read_past_end(struct bed *b)
{
	struct side *A = &b->a, *B = &b->b;
	struct xp_wc wc;
	struct pair p;
	int got;

	if (pair_open(b, &p, NULL, NULL, 16))
		goto out;
	memset(A->buf, 0xee, 128);
	if (post(A, p.qa, 21, XP_WR_RDMA_READ, 0, 64, iova(B, BUF_LEN - 32), xp_mr_rkey(B->mr), 0,
		 0))
		goto out;
	got = wait_wcs(b, A->scq, &wc, 1, WAIT_MS);
	expect_wc(&wc, got, 21, XP_WC_REM_ACCESS_ERR, XP_WC_RDMA_READ,
		  "case 2: READ of 64 bytes 32 before the MR's end completes with REM_ACCESS_ERR");
	expect_error_nak(&p, "case 2");
	xt_check(bytes_are(A->buf, 0xee, 128), "case 2: the READ's local buffer is untouched");
	expect_quiet(b, "case 2");
out:
	pair_close(b, &p);
}

/* 3: WRITE through the rkey of an MR registered without REMOTE_WRITE. */
static void case_write_no_access(struct bed *b)
{
	struct side *A = &b->a, *B = &b->b;
	struct xp_mr *ro;
	struct xp_wc wc;
	struct pair p = {};
	int got;

	ro = xp_mr_reg(B->pd, B->buf + TGT, 4096, XP_ACCESS_LOCAL_WRITE | XP_ACCESS_REMOTE_READ,
		       NULL);
	if (!ro) {
		xt_fail("case 3: xp_mr_reg: %s", strerror(errno));
		return;
	}
	if (pair_open(b, &p, NULL, NULL, 16))
		goto out;
	memset(B->buf + TGT, 0x3c, 128);
	if (post(A, p.qa, 31, XP_WR_RDMA_WRITE, 0, 64, xp_mr_iova(ro), xp_mr_rkey(ro), 0, 0))
		goto out;
	got = wait_wcs(b, A->scq, &wc, 1, WAIT_MS);
	expect_wc(&wc, got, 31, XP_WC_REM_ACCESS_ERR, XP_WC_RDMA_WRITE,
		  "case 3: WRITE into an MR without REMOTE_WRITE completes with REM_ACCESS_ERR");
	expect_error_nak(&p, "case 3");
	xt_check(bytes_are(B->buf + TGT, 0x3c, 128), "case 3: the MR is unchanged");
	expect_quiet(b, "case 3");
out:
	pair_close(b, &p);
	xp_mr_dereg(ro);
}

/* 4: READ at a responder QP whose qp_access_flags lack REMOTE_READ. */
static void case_read_qp_access(struct bed *b)
{
	struct side *A = &b->a, *B = &b->b;
	struct xp_qp_connect_opts ob;
	struct xp_wc wc;
	struct pair p;
	int got;

	default_opts(&ob);
	ob.access = XP_ACCESS_LOCAL_WRITE | XP_ACCESS_REMOTE_WRITE | XP_ACCESS_REMOTE_ATOMIC;
	if (pair_open(b, &p, NULL, &ob, 16))
		goto out;
	if (post(A, p.qa, 41, XP_WR_RDMA_READ, 0, 64, iova(B, TGT), xp_mr_rkey(B->mr), 0, 0))
		goto out;
	got = wait_wcs(b, A->scq, &wc, 1, WAIT_MS);
	expect_wc(&wc, got, 41, XP_WC_REM_INV_REQ_ERR, XP_WC_RDMA_READ,
		  "case 4: READ at a QP without REMOTE_READ completes with REM_INV_REQ_ERR");
	expect_error_nak(&p, "case 4");
	expect_quiet(b, "case 4");
out:
	pair_close(b, &p);
}

/* 5: SEND longer than the posted receive, in one packet and in two. */
static void case_send_too_long(struct bed *b, __u32 len, __u32 room, const char *tag)
{
	struct side *A = &b->a, *B = &b->b;
	struct xp_wc wc[2];
	struct pair p;
	int got;

	if (pair_open(b, &p, NULL, NULL, 16))
		goto out;
	memset(B->buf, 0x77, room + 64);
	memset(A->buf, 0x42, len);
	if (post_recv(B, p.qb, 51, 0, room, xp_mr_lkey(B->mr)) ||
	    post_recv(B, p.qb, 52, room + 64, 64, xp_mr_lkey(B->mr)) ||
	    post(A, p.qa, 53, XP_WR_SEND, 0, len, 0, 0, 0, 0))
		goto out;
	got = wait_wcs(b, A->scq, wc, 1, WAIT_MS);
	expect_wc(wc, got, 53, XP_WC_REM_INV_REQ_ERR, XP_WC_SEND,
		  "%s: %u-byte SEND into a %u-byte receive completes with REM_INV_REQ_ERR", tag,
		  len, room);
	got = wait_wcs(b, B->rcq, wc, 2, WAIT_MS);
	/* IBTA's local length error; rxe completes it REM_INV_REQ_ERR (class C). */
	expect_wc(&wc[0], got > 0, 51, XP_WC_LOC_LEN_ERR, XP_WC_RECV,
		  "%s: the receive completes with LOC_LEN_ERR", tag);
	expect_wc(&wc[1], got > 1, 52, XP_WC_WR_FLUSH_ERR, -1, "%s: the next receive is flushed",
		  tag);
	expect_error_nak(&p, tag);
	xt_check(bytes_are(B->buf + room, 0x77, 64), "%s: nothing written past the receive", tag);
	expect_quiet(b, tag);
out:
	pair_close(b, &p);
}

static void case_send_len(struct bed *b)
{
	case_send_too_long(b, 100, 32, "case 5 (1 packet)");
	case_send_too_long(b, 1500, 1100, "case 5 (2 packets)");
}

/*
 * Bring qp of A towards RTS by hand (xp_qp_modify), stopping at stop; its
 * PSNs are 0x900 (send) and 0x500 (receive).
 */
static int manual_connect(struct bed *b, struct xp_qp *qp, __u32 dest, enum xp_qp_state stop,
			  __u8 rnr_retry, __u8 retry_cnt)
{
	struct xp_qp_attr a = {
		.qp_state = XP_QPS_INIT,
		.port_num = 1,
		.qp_access_flags = XP_ACCESS_LOCAL_WRITE | XP_ACCESS_REMOTE,
	};
	int err;

	err = enter(b->a.nsfd);
	if (err)
		return err;
	err = xp_qp_modify(qp, &a,
			   XP_QP_STATE | XP_QP_PKEY_INDEX | XP_QP_PORT | XP_QP_ACCESS_FLAGS);
	if (err || stop == XP_QPS_INIT)
		goto out;
	a.qp_state = XP_QPS_RTR;
	a.path_mtu = xp_rdma_dev_mtu(b->a.dev);
	a.dest_qp_num = dest;
	a.rq_psn = 0x500;
	a.max_dest_rd_atomic = 16;
	a.min_rnr_timer = 12;
	memcpy(a.ah_attr.dgid, b->b.gid, 16);
	a.ah_attr.sgid_index = 1;
	a.ah_attr.hop_limit = 64;
	a.ah_attr.port_num = 1;
	err = xp_qp_modify(qp, &a,
			   XP_QP_STATE | XP_QP_AV | XP_QP_PATH_MTU | XP_QP_DEST_QPN | XP_QP_RQ_PSN |
				   XP_QP_MAX_DEST_RD_ATOMIC | XP_QP_MIN_RNR_TIMER);
	if (err || stop == XP_QPS_RTR)
		goto out;
	a.qp_state = XP_QPS_RTS;
	a.sq_psn = 0x900;
	a.timeout = TIMEOUT_CODE;
	a.retry_cnt = retry_cnt;
	a.rnr_retry = rnr_retry;
	a.max_rd_atomic = 16;
	err = xp_qp_modify(qp, &a,
			   XP_QP_STATE | XP_QP_SQ_PSN | XP_QP_TIMEOUT | XP_QP_RETRY_CNT |
				   XP_QP_RNR_RETRY | XP_QP_MAX_QP_RD_ATOMIC);
out:
	if (err)
		xt_fail("manual connect of QP %u: %s", xp_qp_num(qp), strerror(-err));
	return err;
}

/* 6a: a SEND nobody has a receive for, with no RNR retries. */
static void rnr_exhaust(struct bed *b, struct pair *p, const char *tag)
{
	struct side *A = &b->a;
	struct xp_wc wc;
	int got;

	if (post(A, p->qa, 61, XP_WR_SEND, 0, 16, 0, 0, 0, 0))
		return;
	got = wait_wcs(b, A->scq, &wc, 1, 300);
	if (!expect_wc(&wc, got, 61, XP_WC_RNR_RETRY_EXC_ERR, XP_WC_SEND,
		       "%s: SEND without a receive completes with RNR_RETRY_EXC_ERR", tag) &&
	    !got) {
		xt_note("after 300 ms: A received %llu RNR NAKs, A's QP in %s; checks skipped",
			(unsigned long long)xp_qp_stats(p->qa)->rnr_naks_rcvd,
			xp_qp_state_str(xp_qp_state(p->qa)));
		return;
	}
	expect_eq(xp_qp_stats(p->qa)->rnr_naks_rcvd, 1, "%s: A received exactly 1 RNR NAK", tag);
	expect_eq(xp_qp_stats(p->qb)->rnr_naks_sent, 1, "%s: B sent exactly 1 RNR NAK", tag);
	expect_state(p->qa, XP_QPS_ERR, "%s: requester A's", tag);
	expect_state(p->qb, XP_QPS_RTS, "%s: responder B's (an RNR NAK is no error)", tag);
	expect_eq(xp_qp_stats(p->qb)->err_naks_sent, 0, "%s: B sent no error NAK", tag);
	expect_quiet(b, tag);
}

static void case_rnr(struct bed *b)
{
	struct side *A = &b->a, *B = &b->b;
	struct xp_qp_connect_opts oa;
	struct xp_qp_attr attr;
	struct xp_wc wc;
	struct pair p;
	int got;

	/* Through xp_qp_connect(): rnr_retry 0 in the options. */
	default_opts(&oa);
	oa.timers_set = true; /* rnr_retry 0 as given, the rest as the defaults */
	oa.retry_cnt = 7;
	oa.rnr_retry = 0;
	oa.min_rnr_timer = 12;
	if (!pair_open(b, &p, &oa, NULL, 16)) {
		xp_qp_query(p.qa, &attr);
		expect_eq(attr.rnr_retry, 0, "case 6 (connect opts): rnr_retry 0 reaches the QP");
		rnr_exhaust(b, &p, "case 6 (connect opts rnr_retry 0)");
	}
	pair_close(b, &p);

	/* The same QP attributes set by hand. */
	p.qa = qp_new(A, 16);
	p.qb = qp_new(B, 16);
	if (p.qa && p.qb && !manual_connect(b, p.qa, xp_qp_num(p.qb), XP_QPS_RTS, 0, 7) &&
	    !qp_connect(b, B, p.qb, A, xp_qp_num(p.qa), 0x500, 0x900, NULL))
		rnr_exhaust(b, &p, "case 6 (xp_qp_modify rnr_retry 0)");
	pair_close(b, &p);

	/* rnr_retry 7: the receive comes 5 ms late, the SEND goes through. */
	if (pair_open(b, &p, NULL, NULL, 16))
		goto out;
	memset(A->buf, 0x66, 40);
	memset(B->buf, 0, 64);
	if (post(A, p.qa, 62, XP_WR_SEND, 0, 40, 0, 0, 0, 0))
		goto out;
	settle(b, 5);
	xt_check(!xp_cq_count(A->scq),
		 "case 6 (late receive): the SEND waits while B has no receive");
	if (post_recv(B, p.qb, 63, 0, 64, xp_mr_lkey(B->mr)))
		goto out;
	got = wait_wcs(b, A->scq, &wc, 1, WAIT_MS);
	expect_wc(&wc, got, 62, XP_WC_SUCCESS, XP_WC_SEND,
		  "case 6 (late receive): SEND completes with SUCCESS (rnr_retry 7)");
	got = wait_wcs(b, B->rcq, &wc, 1, WAIT_MS);
	expect_wc(&wc, got, 63, XP_WC_SUCCESS, XP_WC_RECV,
		  "case 6 (late receive): B's receive completes with SUCCESS");
	expect_eq(got ? wc.byte_len : 0, 40, "case 6 (late receive): byte_len 40");
	xt_check(bytes_are(B->buf, 0x66, 40) && B->buf[40] == 0,
		 "case 6 (late receive): the data arrived, nothing past it");
	if (!xt_check(xp_qp_stats(p.qa)->rnr_naks_rcvd > 0,
		      "case 6 (late receive): A received RNR NAKs"))
		xt_note("rnr_naks_rcvd 0");
	expect_eq(xp_qp_stats(p.qb)->rnr_naks_sent, xp_qp_stats(p.qa)->rnr_naks_rcvd,
		  "case 6 (late receive): B sent as many RNR NAKs as A received (%llu)",
		  (unsigned long long)xp_qp_stats(p.qa)->rnr_naks_rcvd);
	expect_eq(xp_qp_stats(p.qa)->timeouts, 0, "case 6 (late receive): no ACK timeout");
	expect_state(p.qa, XP_QPS_RTS, "case 6 (late receive): A's");
	expect_state(p.qb, XP_QPS_RTS, "case 6 (late receive): B's");
	expect_quiet(b, "case 6 (late receive)");
out:
	pair_close(b, &p);
}

/* 7: the receive's MR is deregistered after the receive was posted. */
static void case_recv_mr_gone(struct bed *b)
{
	struct side *A = &b->a, *B = &b->b;
	struct xp_mr *mr;
	struct xp_wc wc;
	struct pair p = {};
	int got, err;

	mr = xp_mr_reg(B->pd, B->buf + 8192, 4096, XP_ACCESS_LOCAL_WRITE, NULL);
	if (!mr) {
		xt_fail("case 7: xp_mr_reg: %s", strerror(errno));
		return;
	}
	if (pair_open(b, &p, NULL, NULL, 16) || post_recv(B, p.qb, 71, 8192, 256, xp_mr_lkey(mr))) {
		xp_mr_dereg(mr);
		goto out;
	}
	err = xp_mr_dereg(mr);
	if (!xt_check(!err, "case 7: the receive's MR deregisters after the receive was posted")) {
		xt_note("xp_mr_dereg: %s", strerror(-err));
		goto out;
	}
	if (post(A, p.qa, 72, XP_WR_SEND, 0, 16, 0, 0, 0, 0))
		goto out;
	got = wait_wcs(b, A->scq, &wc, 1, WAIT_MS);
	expect_wc(&wc, got, 72, XP_WC_REM_OP_ERR, XP_WC_SEND,
		  "case 7: SEND into that receive completes with REM_OP_ERR");
	got = wait_wcs(b, B->rcq, &wc, 1, WAIT_MS);
	/* xp_mr_err_wc_local(); rxe says LOC_QP_OP_ERR (malformed WQE). */
	expect_wc(&wc, got, 71, XP_WC_LOC_PROT_ERR, XP_WC_RECV,
		  "case 7: the receive completes with LOC_PROT_ERR");
	expect_error_nak(&p, "case 7");
	expect_quiet(b, "case 7");
out:
	pair_close(b, &p);
}

/* A fast-reg MR of B over [TGT, TGT + 4096), registered with a new key byte. */
static struct xp_mr *fast_mr(struct side *s, __u32 *old_key)
{
	struct xp_mr_fast_reg fr = {
		.addr = s->buf + TGT,
		.iova = 0x40000000ull,
		.length = 4096,
		.access = XP_ACCESS_LOCAL_WRITE | XP_ACCESS_REMOTE_WRITE | XP_ACCESS_REMOTE_READ,
	};
	struct xp_mr *mr = xp_mr_alloc_fast(s->pd, 4096);
	int err;

	if (!mr) {
		xt_fail("xp_mr_alloc_fast: %s", strerror(errno));
		return NULL;
	}
	*old_key = xp_mr_lkey(mr);
	fr.key = xp_key_inc(*old_key);
	err = xp_mr_fast_reg(s->pd, mr, &fr);
	if (err) {
		xt_fail("xp_mr_fast_reg: %s", strerror(-err));
		xp_mr_dereg(mr);
		return NULL;
	}
	return mr;
}

/* 8a: SEND_WITH_INV naming a key B cannot invalidate. */
static void send_inv_bad(struct bed *b, __u32 key, const char *tag)
{
	struct side *A = &b->a, *B = &b->b;
	struct xp_wc wc[2];
	struct pair p;
	int got;

	if (pair_open(b, &p, NULL, NULL, 16))
		goto out;
	if (post_recv(B, p.qb, 81, 0, 64, xp_mr_lkey(B->mr)) ||
	    post_recv(B, p.qb, 82, 64, 64, xp_mr_lkey(B->mr)) ||
	    post(A, p.qa, 83, XP_WR_SEND_WITH_INV, 0, 16, 0, key, 0, 0))
		goto out;
	got = wait_wcs(b, B->rcq, wc, 2, WAIT_MS);
	expect_wc(&wc[0], got > 0, 81, XP_WC_REM_INV_REQ_ERR, XP_WC_RECV,
		  "%s: the receive completes with REM_INV_REQ_ERR", tag);
	expect_wc(&wc[1], got > 1, 82, XP_WC_WR_FLUSH_ERR, -1, "%s: the next receive is flushed",
		  tag);
	expect_state(p.qb, XP_QPS_ERR, "%s: responder B's", tag);
	got = wait_wcs(b, A->scq, wc, 1, WAIT_MS);
	/* rxe's class J: the message itself is acknowledged. */
	expect_wc(wc, got, 83, XP_WC_SUCCESS, XP_WC_SEND,
		  "%s: the SEND_WITH_INV is acknowledged (SUCCESS at A, as rxe)", tag);
	expect_quiet(b, tag);
out:
	pair_close(b, &p);
}

static void case_send_inv(struct bed *b)
{
	struct side *A = &b->a, *B = &b->b;
	struct xp_mr *mr;
	struct xp_wc wc;
	struct pair p = {};
	__u32 old_key, key;
	int got;

	send_inv_bad(b, xp_mr_rkey(B->mr), "case 8 (user MR's rkey)");
	xt_check(xp_mr_state(B->mr) == XP_MR_STATE_VALID,
		 "case 8 (user MR's rkey): the user MR stays VALID");

	mr = fast_mr(B, &old_key);
	if (!mr)
		return;
	key = xp_mr_rkey(mr);
	send_inv_bad(b, old_key, "case 8 (stale fast-reg key)");
	xt_check(xp_mr_state(mr) == XP_MR_STATE_VALID,
		 "case 8 (stale fast-reg key): the fast-reg MR stays VALID");

	if (pair_open(b, &p, NULL, NULL, 16))
		goto out;
	memset(A->buf, 0x99, 64);
	memset(B->buf + TGT, 0, 128);
	if (post(A, p.qa, 84, XP_WR_RDMA_WRITE, 0, 64, 0x40000000ull, key, 0, 0))
		goto out;
	got = wait_wcs(b, A->scq, &wc, 1, WAIT_MS);
	expect_wc(&wc, got, 84, XP_WC_SUCCESS, XP_WC_RDMA_WRITE,
		  "case 8 (fast-reg): a WRITE through the fast-reg key succeeds first");
	xt_check(bytes_are(B->buf + TGT, 0x99, 64), "case 8 (fast-reg): and lands");
	if (post_recv(B, p.qb, 85, 0, 64, xp_mr_lkey(B->mr)) ||
	    post(A, p.qa, 86, XP_WR_SEND_WITH_INV, 64, 24, 0, key, 0, 0))
		goto out;
	got = wait_wcs(b, B->rcq, &wc, 1, WAIT_MS);
	expect_wc(&wc, got, 85, XP_WC_SUCCESS, XP_WC_RECV,
		  "case 8 (fast-reg): SEND_WITH_INV's receive completes with SUCCESS");
	xt_check(got && (wc.wc_flags & XP_WC_WITH_INV) && wc.invalidated_rkey == key &&
			 wc.byte_len == 24,
		 "case 8 (fast-reg): with WITH_INV, invalidated_rkey 0x%x, byte_len 24", key);
	if (got && !((wc.wc_flags & XP_WC_WITH_INV) && wc.invalidated_rkey == key))
		xt_note("wc_flags 0x%x invalidated_rkey 0x%x byte_len %u", wc.wc_flags,
			wc.invalidated_rkey, wc.byte_len);
	got = wait_wcs(b, A->scq, &wc, 1, WAIT_MS);
	expect_wc(&wc, got, 86, XP_WC_SUCCESS, XP_WC_SEND,
		  "case 8 (fast-reg): the SEND_WITH_INV completes with SUCCESS");
	xt_check(xp_mr_state(mr) == XP_MR_STATE_FREE, "case 8 (fast-reg): the MR is FREE");
	memset(B->buf + TGT, 0, 128);
	if (post(A, p.qa, 87, XP_WR_RDMA_WRITE, 0, 64, 0x40000000ull, key, 0, 0))
		goto out;
	got = wait_wcs(b, A->scq, &wc, 1, WAIT_MS);
	expect_wc(&wc, got, 87, XP_WC_REM_ACCESS_ERR, XP_WC_RDMA_WRITE,
		  "case 8 (fast-reg): a later WRITE through the invalidated key: REM_ACCESS_ERR");
	xt_check(bytes_are(B->buf + TGT, 0, 128), "case 8 (fast-reg): and writes nothing");
	expect_state(p.qb, XP_QPS_ERR, "case 8 (fast-reg): responder B's");
	expect_eq(xp_qp_stats(p.qb)->err_naks_sent, 1, "case 8 (fast-reg): B sent 1 error NAK");
	expect_quiet(b, "case 8 (fast-reg)");
out:
	pair_close(b, &p);
	xp_mr_dereg(mr);
}

/* 9: B invalidates its own fast-reg MR; A's WRITE through it fails. */
static void case_local_inv(struct bed *b)
{
	struct side *A = &b->a, *B = &b->b;
	struct xp_mr *mr;
	struct xp_wc wc;
	struct pair p = {};
	__u32 old_key, key;
	int got;

	mr = fast_mr(B, &old_key);
	if (!mr)
		return;
	key = xp_mr_rkey(mr);
	if (pair_open(b, &p, NULL, NULL, 16))
		goto out;
	memset(A->buf, 0x24, 64);
	memset(B->buf + TGT, 0, 128);
	if (post(A, p.qa, 91, XP_WR_RDMA_WRITE, 0, 64, 0x40000000ull, key, 0, 0))
		goto out;
	got = wait_wcs(b, A->scq, &wc, 1, WAIT_MS);
	expect_wc(&wc, got, 91, XP_WC_SUCCESS, XP_WC_RDMA_WRITE,
		  "case 9: a WRITE through the fast-reg key succeeds before LOCAL_INV");
	if (post(B, p.qb, 92, XP_WR_LOCAL_INV, 0, 0, 0, key, 0, 0))
		goto out;
	got = wait_wcs(b, B->scq, &wc, 1, WAIT_MS);
	expect_wc(&wc, got, 92, XP_WC_SUCCESS, XP_WC_LOCAL_INV,
		  "case 9: B's LOCAL_INV completes with SUCCESS");
	xt_check(xp_mr_state(mr) == XP_MR_STATE_FREE, "case 9: the MR is FREE");
	memset(B->buf + TGT, 0, 128);
	if (post(A, p.qa, 93, XP_WR_RDMA_WRITE, 0, 64, 0x40000000ull, key, 0, 0))
		goto out;
	got = wait_wcs(b, A->scq, &wc, 1, WAIT_MS);
	expect_wc(&wc, got, 93, XP_WC_REM_ACCESS_ERR, XP_WC_RDMA_WRITE,
		  "case 9: the peer's WRITE through the invalidated key: REM_ACCESS_ERR");
	xt_check(bytes_are(B->buf + TGT, 0, 128), "case 9: and writes nothing");
	expect_error_nak(&p, "case 9");
	expect_quiet(b, "case 9");
	pair_close(b, &p);

	/* LOCAL_INV of a user MR: a local QP operation error. */
	if (pair_open(b, &p, NULL, NULL, 16))
		goto out;
	if (post(B, p.qb, 94, XP_WR_LOCAL_INV, 0, 0, 0, xp_mr_rkey(B->mr), 0, 0))
		goto out;
	got = wait_wcs(b, B->scq, &wc, 1, WAIT_MS);
	expect_wc(&wc, got, 94, XP_WC_LOC_QP_OP_ERR, XP_WC_LOCAL_INV,
		  "case 9 (user MR): LOCAL_INV of a user MR completes with LOC_QP_OP_ERR");
	expect_state(p.qb, XP_QPS_ERR, "case 9 (user MR): B's");
	xt_check(xp_mr_state(B->mr) == XP_MR_STATE_VALID, "case 9 (user MR): the MR stays VALID");
	expect_quiet(b, "case 9 (user MR)");
out:
	pair_close(b, &p);
	xp_mr_dereg(mr);
}

static int set_faults(struct side *s, __u32 drop, __u32 dup)
{
	struct xp_rdma_faults f = { .sz = sizeof(f), .drop_ppm = drop, .dup_ppm = dup, .seed = 1 };
	int err = xp_rdma_dev_set_faults(s->dev, &f);

	if (err)
		xt_fail("%s: xp_rdma_dev_set_faults: %s", s->name, strerror(-err));
	return err;
}

/* 10: B's device drops every frame: A runs out of retries. */
/* retry_cnt set through xp_qp_connect(), or by xp_qp_modify() (manual). */
static void retry_exhaust(struct bed *b, __u8 retry_cnt, bool manual)
{
	struct side *A = &b->a, *B = &b->b;
	__u64 tmo_us = xp_ib_timeout_us(TIMEOUT_CODE), drops0, t0, dt;
	const struct xp_qp_stats *sa;
	struct xp_qp_connect_opts oa;
	struct xp_qp_attr attr;
	struct xp_wc wc;
	struct pair p = {};
	unsigned int n = retry_cnt + 1; /* the first try and each retry */
	char tag[64];
	int got;

	snprintf(tag, sizeof(tag), "case 10 (retry_cnt %u, %s)", retry_cnt,
		 manual ? "xp_qp_modify" : "connect opts");
	default_opts(&oa);
	oa.timers_set = true; /* retry_cnt as given, 0 included */
	oa.retry_cnt = retry_cnt;
	oa.rnr_retry = 7;
	oa.min_rnr_timer = 12;
	if (manual) {
		p.qa = qp_new(A, 16);
		p.qb = qp_new(B, 16);
		if (!p.qa || !p.qb ||
		    manual_connect(b, p.qa, xp_qp_num(p.qb), XP_QPS_RTS, 7, retry_cnt) ||
		    qp_connect(b, B, p.qb, A, xp_qp_num(p.qa), 0x500, 0x900, NULL))
			goto out;
	} else if (pair_open(b, &p, &oa, NULL, 16)) {
		goto out;
	}
	xp_qp_query(p.qa, &attr);
	if (!expect_eq(attr.retry_cnt, retry_cnt, "%s: retry_cnt %u reaches the QP", tag,
		       retry_cnt)) {
		xt_note("a WRITE to a silent peer would be retried %s; not tried",
			attr.retry_cnt == 7 ? "forever" : "more often");
		goto out;
	}
	if (set_faults(B, 1000000, 0))
		goto out;
	sa = xp_qp_stats(p.qa);
	drops0 = xp_rdma_dev_stats(B->dev)->rx_drops[XP_RDMA_DROP_FAULT];
	t0 = now_us();
	if (post(A, p.qa, 100 + retry_cnt, XP_WR_RDMA_WRITE, 0, 64, iova(B, TGT), xp_mr_rkey(B->mr),
		 0, 0))
		goto out;
	got = wait_wcs(b, A->scq, &wc, 1, WAIT_MS);
	dt = now_us() - t0;
	expect_wc(&wc, got, 100 + retry_cnt, XP_WC_RETRY_EXC_ERR, XP_WC_RDMA_WRITE,
		  "%s: WRITE to a silent peer completes with RETRY_EXC_ERR", tag);
	expect_eq(sa->timeouts, n, "%s: %u local ACK timeouts (stats.timeouts)", tag, n);
	expect_eq(sa->retransmits, retry_cnt, "%s: %u retransmissions", tag, retry_cnt);
	expect_eq(xp_rdma_dev_stats(B->dev)->rx_drops[XP_RDMA_DROP_FAULT] - drops0, n,
		  "%s: B's device dropped the %u copies", tag, n);
	if (!xt_check(dt >= n * tmo_us && dt < n * tmo_us + 200000,
		      "%s: after %u x %llu us of timeouts, not much more", tag, n,
		      (unsigned long long)tmo_us))
		xt_note("took %llu us", (unsigned long long)dt);
	expect_state(p.qa, XP_QPS_ERR, "%s: requester A's", tag);
	expect_state(p.qb, XP_QPS_RTS, "%s: responder B's (it saw nothing)", tag);
	expect_quiet(b, tag);
out:
	set_faults(B, 0, 0);
	pair_close(b, &p);
}

static void case_retry(struct bed *b)
{
	retry_exhaust(b, 1, false);
	retry_exhaust(b, 3, false);
	retry_exhaust(b, 0, false);
	retry_exhaust(b, 0, true);
}

/* 11: every request delivered twice to B: each atomic runs once. */
static void case_atomic_dup(struct bed *b)
{
	struct side *A = &b->a, *B = &b->b;
	__u64 *target = (__u64 *)(B->buf + ATOM), *result = (__u64 *)A->buf;
	const struct {
		enum xp_wr_opcode op;
		__u64 compare_add, swap, before, after;
		const char *what;
	} step[] = {
		{ XP_WR_ATOMIC_FETCH_AND_ADD, 5, 0, 100, 105, "FETCH_AND_ADD 5 to 100" },
		{ XP_WR_ATOMIC_CMP_AND_SWP, 105, 7, 105, 7, "COMPARE_AND_SWAP 105 -> 7" },
		{ XP_WR_ATOMIC_CMP_AND_SWP, 999, 1, 7, 7, "COMPARE_AND_SWAP 999 -> 1 (no match)" },
		{ XP_WR_ATOMIC_FETCH_AND_ADD, 1ull << 40, 0, 7, 7 + (1ull << 40),
		  "FETCH_AND_ADD 2^40 to 7" },
	};
	__u64 dups0;
	struct xp_wc wc;
	struct pair p;
	unsigned int i;
	int got;

	if (pair_open(b, &p, NULL, NULL, 16) || set_faults(B, 0, 1000000))
		goto out;
	dups0 = xp_rdma_dev_stats(B->dev)->fault_dups;
	*target = 100;
	for (i = 0; i < sizeof(step) / sizeof(step[0]); i++) {
		*result = 0xdeadbeefull;
		if (post(A, p.qa, 110 + i, step[i].op, 0, 8, iova(B, ATOM), xp_mr_rkey(B->mr),
			 step[i].compare_add, step[i].swap))
			goto out;
		got = wait_wcs(b, A->scq, &wc, 1, WAIT_MS);
		expect_wc(&wc, got, 110 + i, XP_WC_SUCCESS,
			  step[i].op == XP_WR_ATOMIC_CMP_AND_SWP ? XP_WC_COMP_SWAP :
								   XP_WC_FETCH_ADD,
			  "case 11: %s, request duplicated, completes with SUCCESS", step[i].what);
		settle(b, 2); /* the duplicate's replayed ACK, if any */
		expect_eq(*result, step[i].before, "case 11: %s returns the original value",
			  step[i].what);
		expect_eq(*target, step[i].after, "case 11: %s ran once", step[i].what);
		expect_eq(xp_qp_stats(p.qb)->dup_requests, i + 1,
			  "case 11: B counted %u duplicate requests", i + 1);
	}
	expect_eq(xp_rdma_dev_stats(B->dev)->fault_dups - dups0, i,
		  "case 11: B's device delivered each of the %u requests twice", i);
	expect_eq(xp_qp_stats(p.qa)->dup_responses, i,
		  "case 11: A ignored the %u replayed atomic ACKs", i);
	expect_state(p.qa, XP_QPS_RTS, "case 11: A's");
	expect_state(p.qb, XP_QPS_RTS, "case 11: B's");
	expect_quiet(b, "case 11");
out:
	set_faults(B, 0, 0);
	pair_close(b, &p);
}

/* 11b: the iova is aligned, the host address behind it is not. */
static void case_atomic_misaligned(struct bed *b)
{
	struct side *A = &b->a, *B = &b->b;
	struct xp_mr_reg_opts ro = { .sz = sizeof(ro), .iova = 0x7000000000ull, .iova_set = true };
	struct xp_mr *mr;
	struct xp_wc wc;
	struct pair p = {};
	int got;

	mr = xp_mr_reg(B->pd, B->buf + ATOM + 4, 64,
		       XP_ACCESS_LOCAL_WRITE | XP_ACCESS_REMOTE_ATOMIC, &ro);
	if (!mr) {
		xt_fail("case 11: xp_mr_reg: %s", strerror(errno));
		return;
	}
	if (pair_open(b, &p, NULL, NULL, 16))
		goto out;
	memset(B->buf + ATOM, 0, 72);
	if (post(A, p.qa, 119, XP_WR_ATOMIC_FETCH_AND_ADD, 0, 8, ro.iova, xp_mr_rkey(mr), 1, 0))
		goto out;
	got = wait_wcs(b, A->scq, &wc, 1, WAIT_MS);
	expect_wc(
		&wc, got, 119, XP_WC_REM_INV_REQ_ERR, XP_WC_FETCH_ADD,
		"case 11 (misaligned): FETCH_AND_ADD on a host-misaligned target: REM_INV_REQ_ERR");
	xt_check(bytes_are(B->buf + ATOM, 0, 72), "case 11 (misaligned): target unchanged");
	expect_error_nak(&p, "case 11 (misaligned)");
	expect_quiet(b, "case 11 (misaligned)");
out:
	pair_close(b, &p);
	xp_mr_dereg(mr);
}

static void case_atomic(struct bed *b)
{
	case_atomic_dup(b);
	case_atomic_misaligned(b);
}

static const char *errname(int err)
{
	return err == -EINVAL ? "EINVAL" : err == -ENOMEM ? "ENOMEM" : strerror(-err);
}

/* post_send of wr must fail with err and name wr as the bad one. */
static void refuse(struct xp_qp *qp, struct xp_send_wr *wr, int err, const char *what)
{
	struct xp_send_wr *bad = NULL;
	int ret = xp_qp_post_send(qp, wr, &bad);

	if (!xt_check(ret == err && bad == wr, "case 12: %s: refused with %s", what, errname(err)))
		xt_note("returned %d (%s), bad_wr %s", ret, strerror(-ret),
			bad == wr ? "names it" : "does not name it");
}

static void case_api(struct bed *b)
{
	struct side *A = &b->a, *B = &b->b;
	__u32 lkey = xp_mr_lkey(A->mr), rkey = xp_mr_rkey(B->mr);
	struct xp_sge sge[2] = {
		{ .addr = (uintptr_t)A->buf, .length = 8, .lkey = lkey },
		{ .addr = (uintptr_t)A->buf + 8, .length = 8, .lkey = lkey },
	};
	struct xp_send_wr wr = {
		.wr_id = 121,
		.sg_list = sge,
		.num_sge = 1,
		.opcode = XP_WR_RDMA_WRITE,
		.send_flags = XP_SEND_SIGNALED,
		.rdma = { .remote_addr = iova(B, TGT), .rkey = rkey },
	};
	struct xp_send_wr w[3], *bad;
	struct xp_recv_wr rwr = { .wr_id = 1, .sg_list = sge, .num_sge = 1 }, *rbad;
	struct xp_mr *ro;
	struct xp_wc wc[3];
	struct pair p = {};
	int err, got, i;

	/* RESET, INIT and RTR: no sends. */
	p.qa = qp_new(A, 16);
	p.qb = qp_new(B, 16);
	if (!p.qa || !p.qb)
		goto out;
	refuse(p.qa, &wr, -EINVAL, "post_send in RESET");
	err = xp_qp_post_recv(p.qa, &rwr, &rbad);
	xt_check(err == -EINVAL && rbad == &rwr,
		 "case 12: post_recv in RESET: refused with EINVAL");
	if (manual_connect(b, p.qa, xp_qp_num(p.qb), XP_QPS_INIT, 7, 7))
		goto out;
	refuse(p.qa, &wr, -EINVAL, "post_send in INIT");
	if (manual_connect(b, p.qa, xp_qp_num(p.qb), XP_QPS_RTR, 7, 7))
		goto out;
	refuse(p.qa, &wr, -EINVAL, "post_send in RTR");
	{
		struct xp_qp_attr a = { .qp_state = XP_QPS_ERR };

		err = xp_qp_modify(p.qa, &a, XP_QP_STATE);
		xt_check(!err, "case 12: RTR -> ERR");
	}
	/* IBTA and rxe: accepted and completed at once, flushed. */
	{
		struct xp_send_wr *sbad = NULL;
		struct xp_wc fwc;

		err = xp_qp_post_send(p.qa, &wr, &sbad);
		xt_check(!err && !sbad, "case 12: post_send in ERR accepted (%d)", err);
		xt_check(wait_wcs(b, A->scq, &fwc, 1, 100) == 1 && fwc.wr_id == wr.wr_id &&
				 fwc.status == XP_WC_WR_FLUSH_ERR,
			 "case 12: post_send in ERR completes with WR_FLUSH_ERR");
	}
	pair_close(b, &p);

	/* RTS: the rules of each WR. */
	if (pair_open(b, &p, NULL, NULL, 2))
		goto out;
	wr.opcode = XP_WR_ATOMIC_FETCH_AND_ADD;
	wr.atomic.remote_addr = iova(B, ATOM + 4);
	wr.atomic.rkey = rkey;
	wr.atomic.compare_add = 1;
	refuse(p.qa, &wr, -EINVAL, "atomic at a remote address 4 bytes off alignment");
	wr.atomic.remote_addr = iova(B, ATOM);
	sge[0].length = 4;
	refuse(p.qa, &wr, -EINVAL, "atomic with a 4-byte SGE");
	sge[0].length = 16;
	wr.opcode = XP_WR_ATOMIC_CMP_AND_SWP;
	refuse(p.qa, &wr, -EINVAL, "compare-and-swap with a 16-byte SGE");
	sge[0].length = 8;
	wr.num_sge = 2;
	refuse(p.qa, &wr, -EINVAL, "atomic with two 8-byte SGEs");
	wr.num_sge = 0;
	refuse(p.qa, &wr, -EINVAL, "atomic without an SGE");
	wr.num_sge = 1;
	wr.opcode = 8; /* IBV_WR_BIND_MW: not ours */
	refuse(p.qa, &wr, -EINVAL, "opcode 8 (BIND_MW)");
	wr.opcode = 42;
	refuse(p.qa, &wr, -EINVAL, "opcode 42");
	wr.opcode = XP_WR_RDMA_WRITE;
	wr.rdma.remote_addr = iova(B, TGT);
	wr.rdma.rkey = rkey;
	wr.num_sge = 3;
	refuse(p.qa, &wr, -EINVAL, "3 SGEs over max_send_sge 2");
	wr.num_sge = 1;
	sge[0].lkey = xp_key_inc(lkey);
	refuse(p.qa, &wr, -EINVAL, "an SGE with a stale lkey");
	sge[0].lkey = lkey;
	ro = xp_mr_reg(A->pd, A->buf + 4096, 4096, 0, NULL);
	if (ro) {
		struct xp_sge rsge = { .addr = (uintptr_t)A->buf + 4096,
				       .length = 64,
				       .lkey = xp_mr_lkey(ro) };

		wr.sg_list = &rsge;
		wr.opcode = XP_WR_RDMA_READ;
		refuse(p.qa, &wr, -EINVAL, "READ into an MR without LOCAL_WRITE");
		wr.sg_list = sge;
		wr.opcode = XP_WR_RDMA_WRITE;
		xp_mr_dereg(ro);
	}
	settle(b, SETTLE_MS);
	expect_eq(xp_qp_stats(p.qa)->tx_pkts, 0, "case 12: the refused WRs sent nothing");
	expect_eq(xp_cq_count(A->scq), 0, "case 12: the refused WRs complete nothing");
	expect_state(p.qa, XP_QPS_RTS, "case 12: after the refusals A's");

	/* A chain of 3 into a queue of 2: two go, the third is named. */
	sge[0].length = 16;
	memset(B->buf + TGT, 0, 64);
	memset(A->buf, 0x5e, 64);
	for (i = 0; i < 3; i++) {
		w[i] = wr;
		w[i].wr_id = 130 + i;
		w[i].rdma.remote_addr = iova(B, TGT + 16 * i);
		w[i].next = i < 2 ? &w[i + 1] : NULL;
	}
	err = xp_qp_post_send(p.qa, w, &bad);
	if (!xt_check(err == -ENOMEM && bad == &w[2],
		      "case 12: 3 WRs into a send queue of 2: ENOMEM, bad_wr names the third"))
		xt_note("returned %d (%s)", err, strerror(-err));
	got = wait_wcs(b, A->scq, wc, 3, 200);
	expect_eq(got, 2, "case 12: exactly the 2 posted WRs complete");
	expect_wc(&wc[0], got > 0, 130, XP_WC_SUCCESS, XP_WC_RDMA_WRITE,
		  "case 12: the first completes with SUCCESS");
	expect_wc(&wc[1], got > 1, 131, XP_WC_SUCCESS, XP_WC_RDMA_WRITE,
		  "case 12: the second completes with SUCCESS");
	xt_check(bytes_are(B->buf + TGT, 0x5e, 16) && bytes_are(B->buf + TGT + 16, 0x5e, 16) &&
			 bytes_are(B->buf + TGT + 32, 0, 16),
		 "case 12: the first two were written, the third was not");

	/* A chain whose second WR is bad: the first goes. */
	w[0].next = &w[1];
	w[1].next = NULL;
	w[1].opcode = 42;
	err = xp_qp_post_send(p.qa, w, &bad);
	xt_check(err == -EINVAL && bad == &w[1],
		 "case 12: chain [good, opcode 42]: EINVAL, bad_wr names the second");
	got = wait_wcs(b, A->scq, wc, 2, 200);
	expect_eq(got, 1, "case 12: only the good one completes");
	expect_wc(wc, got > 0, 130, XP_WC_SUCCESS, XP_WC_RDMA_WRITE,
		  "case 12: ... with SUCCESS (the queue had room again)");
	expect_state(p.qa, XP_QPS_RTS, "case 12: in the end A's");
	expect_quiet(b, "case 12");
out:
	pair_close(b, &p);
}

/* ---- set-up ---- */

static int side_open(struct side *s, const char *ns, const char *ifname)
{
	struct xp_rdma_dev_opts o = { .sz = sizeof(o), .nframes = 1024, .ring_size = 256 };
	struct xp_cq_opts co = { .sz = sizeof(co), .cqe = 64 };
	char path[256];

	snprintf(path, sizeof(path), "/run/netns/%s", ns);
	s->nsfd = open(path, O_RDONLY | O_CLOEXEC);
	if (s->nsfd < 0) {
		xt_fail("%s: open %s: %s", s->name, path, strerror(errno));
		return -errno;
	}
	if (enter(s->nsfd))
		return -EINVAL;
	s->dev = xp_rdma_dev_open(ifname, &o);
	if (!s->dev) {
		xt_fail("%s: cannot open an xdpath device on %s in %s: %s", s->name, ifname, ns,
			strerror(errno));
		return -errno;
	}
	if (xp_rdma_dev_query_gid(s->dev, 1, s->gid) || xp_rdma_dev_find_gid(s->dev, s->gid) != 1) {
		xt_fail("%s: %s has no IPv4 address (GID index 1)", s->name, ifname);
		return -EINVAL;
	}
	s->pd = xp_pd_alloc(xp_rdma_dev_mr_table(s->dev));
	s->scq = xp_cq_create(&co);
	s->rcq = xp_cq_create(&co);
	if (posix_memalign((void **)&s->buf, 4096, BUF_LEN))
		s->buf = NULL;
	if (!s->pd || !s->scq || !s->rcq || !s->buf) {
		xt_fail("%s: PD, CQs or buffer: %s", s->name, strerror(errno));
		return -ENOMEM;
	}
	memset(s->buf, 0, BUF_LEN);
	s->mr = xp_mr_reg(s->pd, s->buf, BUF_LEN, XP_ACCESS_LOCAL_WRITE | XP_ACCESS_REMOTE, NULL);
	if (!s->mr) {
		xt_fail("%s: xp_mr_reg: %s", s->name, strerror(errno));
		return -errno;
	}
	return 0;
}

static void side_close(struct side *s)
{
	int err = 0;

	if (s->nsfd < 0)
		return;
	if (s->mr)
		err |= xp_mr_dereg(s->mr);
	if (s->pd)
		err |= xp_pd_free(s->pd);
	err |= xp_cq_destroy(s->scq);
	err |= xp_cq_destroy(s->rcq);
	/* The steering program is detached by ifindex: from the device's namespace. */
	if (s->dev && !enter(s->nsfd))
		err |= xp_rdma_dev_close(s->dev);
	if (err)
		xt_fail("%s: teardown left something behind", s->name);
	free(s->buf);
	close(s->nsfd);
}

/* clang-format off */
static void (*const cases[NCASES + 1])(struct bed *b) = {
	[1] = case_write_bad_rkey,
	[2] = case_read_past_end,
	[3] = case_write_no_access,
	[4] = case_read_qp_access,
	[5] = case_send_len,
	[6] = case_rnr,
	[7] = case_recv_mr_gone,
	[8] = case_send_inv,
	[9] = case_local_inv,
	[10] = case_retry,
	[11] = case_atomic,
	[12] = case_api,
};
/* clang-format on */

static int parse_cases(const char *s, bool *on)
{
	char *end;
	long n;

	while (*s) {
		n = strtol(s, &end, 10);
		if (end == s || n < 1 || n > NCASES)
			return -EINVAL;
		on[n] = true;
		s = *end == ',' ? end + 1 : end;
		if (*end && *end != ',')
			return -EINVAL;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct bed b = { .a = { .name = "A", .nsfd = -1 }, .b = { .name = "B", .nsfd = -1 } };
	bool on[NCASES + 1] = {}, some = false;
	int opt, i;

	setvbuf(stdout, NULL, _IOLBF, 0);
	while ((opt = getopt(argc, argv, "vco:")) != -1) {
		switch (opt) {
		case 'v':
			xp_set_log_level(XP_DEBUG);
			break;
		case 'c':
			b.control = true;
			break;
		case 'o':
			if (parse_cases(optarg, on)) {
				fprintf(stderr,
					"rc_naks: -o %s: give case numbers 1..%d, e.g. 1,5,10\n",
					optarg, NCASES);
				return EXIT_FAILURE;
			}
			some = true;
			break;
		default:
			goto usage;
		}
	}
	if (argc - optind != 4)
		goto usage;
	b.homefd = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (b.homefd < 0) {
		xt_fail("open /proc/self/ns/net: %s", strerror(errno));
		return xt_summary();
	}
	if (!side_open(&b.a, argv[optind], argv[optind + 1]) &&
	    !side_open(&b.b, argv[optind + 2], argv[optind + 3])) {
		for (i = 1; i <= NCASES; i++)
			if (!some || on[i])
				cases[i](&b);
	}
	side_close(&b.a);
	side_close(&b.b);
	if (setns(b.homefd, CLONE_NEWNET))
		xt_fail("back to the first namespace: %s", strerror(errno));
	close(b.homefd);
	return xt_summary();

usage:
	fprintf(stderr, "usage: %s [-v] [-c] [-o CASES] NS_A IF_A NS_B IF_B\n", argv[0]);
	return EXIT_FAILURE;
}
