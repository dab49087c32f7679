// SPDX-License-Identifier: GPL-2.0
/*
 * The device's memory registration counters (struct xp_rdma_dev_stats,
 * shown by xp_rxe as port counters) on the in-memory net, where the work
 * really runs: side 1 fast-registers an MR (mr_fast_reg), is refused a
 * second registration while the MR is still VALID and one of a user MR
 * (mr_reg_refused, the MR unchanged), takes a WRITE through the new rkey,
 * then receives a three-packet SEND_WITH_INV whose first packet is lost
 * once (side 0's send_inv_sent counts the message once, not its packets
 * or its retransmission; side 1's mr_remote_inv counts the invalidation,
 * and the receive carries the rkey); the MR is registered again and
 * invalidated by a LOCAL_INV (mr_local_inv); a WRITE through the
 * invalidated rkey is NAKed with Remote Access Error, changes nothing and
 * counts in mr_rkey_refused. After every step both devices' six counters
 * are checked exactly: the side that did not do the work shows none.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <xdpath/roce_hdr.h>

#include "xp_log.h"
#include "xp_mem_net.h"
#include "xp_roce_pkt.h"
#include "xp_test.h"
#include "xt_rc_pair.h"

/* Where in side 1's buffer things happen. */
#define FAST_OFF 65536u /* the fast-reg MR's memory */
#define FAST_LEN 8192u
#define RECV_OFF 0u /* the SEND_WITH_INV lands here */
#define SEND_LEN 3000u /* three packets at path MTU 1024 */
#define WRITE_LEN 4096u

/* The six counters, in the order of struct xp_rdma_dev_stats. */
struct mr_counts {
	__u64 fast_reg, reg_refused, local_inv, remote_inv, send_inv_sent, rkey_refused;
};

static bool counts_are(const struct xt_rc_pair *p, int side, struct mr_counts want)
{
	const struct xp_rdma_dev_stats *st = xp_rdma_dev_stats(p->dev[side]);
	struct mr_counts got = {
		.fast_reg = st->mr_fast_reg,
		.reg_refused = st->mr_reg_refused,
		.local_inv = st->mr_local_inv,
		.remote_inv = st->mr_remote_inv,
		.send_inv_sent = st->send_inv_sent,
		.rkey_refused = st->mr_rkey_refused,
	};

	if (!memcmp(&got, &want, sizeof(got)))
		return true;
	xt_note("side %d: mr_fast_reg %llu mr_reg_refused %llu mr_local_inv %llu mr_remote_inv %llu send_inv_sent %llu mr_rkey_refused %llu",
		side, (unsigned long long)got.fast_reg, (unsigned long long)got.reg_refused,
		(unsigned long long)got.local_inv, (unsigned long long)got.remote_inv,
		(unsigned long long)got.send_inv_sent, (unsigned long long)got.rkey_refused);
	return false;
}

/* Both sides' counters at once, checked as one step. */
static void check_counts(const struct xt_rc_pair *p, const char *step, struct mr_counts a,
			 struct mr_counts b)
{
	bool ok0 = counts_are(p, 0, a), ok1 = counts_are(p, 1, b);

	xt_check(ok0 && ok1, "%s: counters of both sides as expected", step);
}

/* Completions taken from each side's CQ until a run ends. */
struct got {
	struct xt_rc_pair *p;
	int want[2];
	int n[2];
	struct xp_wc wc[2][8];
};

static bool got_all(void *arg)
{
	struct got *g = arg;
	int side, k;

	for (side = 0; side < 2; side++) {
		if (g->n[side] == 8)
			continue;
		k = xp_cq_poll(g->p->cq[side], 8 - g->n[side], &g->wc[side][g->n[side]]);
		if (k > 0)
			g->n[side] += k;
	}
	return g->n[0] >= g->want[0] && g->n[1] >= g->want[1];
}

/* Run the net until side 0 and side 1 have w0 and w1 completions. */
static int run_for(struct xt_rc_pair *p, struct got *g, int w0, int w1)
{
	*g = (struct got){ .p = p, .want = { w0, w1 } };
	return xp_mem_net_run(p->net, 10 * XP_MEM_SEC, got_all, g);
}

/* The tap: drops the first SEND_FIRST while armed, counts the SEND_FIRSTs it saw. */
static struct {
	bool drop_first;
	int firsts;
} tap;

static bool tap_send(void *arg, __u8 *frame, __u32 *len, __u32 size)
{
	struct xp_roce_pkt pkt;

	if (xp_roce_parse(frame, *len, 0, &pkt) ||
	    (pkt.h.opcode & ~XP_OP_TRANSPORT_MASK) != XP_OP_SEND_FIRST)
		return true;
	tap.firsts++;
	if (!tap.drop_first)
		return true;
	tap.drop_first = false;
	return false;
}

static int quiet(enum xp_print_level level, const char *fmt, va_list ap)
{
	return 0;
}

static __u64 va(const __u8 *p)
{
	return (__u64)(uintptr_t)p;
}

/* Side 0's pattern number seed, byte i of it. */
static __u8 pattern(__u32 seed, __u32 i)
{
	return (__u8)(i * (2 * seed + 5) + seed);
}

/*
 * A WRITE of WRITE_LEN bytes of pattern seed from side 0's buffer to rkey
 * at side 1's fast range, run until it completes into g.
 */
static int write_through(struct xt_rc_pair *p, __u32 seed, __u32 rkey, struct got *g)
{
	struct xp_sge sge = { va(p->buf[0]), WRITE_LEN, xp_mr_lkey(p->mr[0]) };
	struct xp_send_wr wr = {
		.wr_id = seed,
		.opcode = XP_WR_RDMA_WRITE,
		.send_flags = XP_SEND_SIGNALED,
		.sg_list = &sge,
		.num_sge = 1,
		.rdma = { va(p->buf[1] + FAST_OFF), rkey },
	};
	struct xp_send_wr *bad;
	__u32 i;
	int err;

	for (i = 0; i < WRITE_LEN; i++)
		p->buf[0][i] = pattern(seed, i);
	err = xp_qp_post_send(p->qp[0], &wr, &bad);
	return err ?: run_for(p, g, 1, 0);
}

/* Does side 1's fast range start with WRITE_LEN bytes of pattern seed? */
static bool fast_holds(const struct xt_rc_pair *p, __u32 seed)
{
	__u32 i;

	for (i = 0; i < WRITE_LEN; i++)
		if (p->buf[1][FAST_OFF + i] != pattern(seed, i))
			return false;
	return true;
}

/* REG_MR on side 1 into fmr as key: 0 or its error. */
static int reg(struct xt_rc_pair *p, struct xp_mr *fmr, __u32 key)
{
	struct xp_mr_fast_reg fr = {
		.key = key,
		.iova = va(p->buf[1] + FAST_OFF),
		.addr = p->buf[1] + FAST_OFF,
		.length = FAST_LEN,
		.access = XP_ACCESS_LOCAL_WRITE | XP_ACCESS_REMOTE_WRITE | XP_ACCESS_REMOTE_READ,
	};

	return xp_qp_reg_mr(p->qp[1], fmr, &fr);
}

/* REG_MR, then three that are refused and leave the MR as it was. */
static void step_reg(struct xt_rc_pair *p, struct xp_mr *fmr, __u32 k1)
{
	struct xp_mr_fast_reg fr = { .key = k1, .addr = p->buf[1], .length = 8 };
	xp_print_fn_t print;
	int err;

	err = reg(p, fmr, k1);
	xt_check(!err && xp_mr_rkey(fmr) == k1 && xp_mr_state(fmr) == XP_MR_STATE_VALID,
		 "REG_MR: the MR is VALID with key 0x%x (%d)", k1, err);
	check_counts(p, "REG_MR", (struct mr_counts){ 0 }, (struct mr_counts){ .fast_reg = 1 });

	print = xp_set_print(quiet);
	err = reg(p, fmr, xp_key_inc(k1));
	xt_check(err == -EBUSY && xp_mr_rkey(fmr) == k1 && xp_mr_state(fmr) == XP_MR_STATE_VALID,
		 "REG_MR of a still-VALID MR: refused (%d, want -EBUSY), MR unchanged", err);
	err = xp_qp_reg_mr(p->qp[1], p->mr[1], &fr);
	xt_check(err == -EOPNOTSUPP, "REG_MR of a user MR: refused (%d, want -EOPNOTSUPP)", err);
	err = xp_qp_reg_mr(NULL, fmr, &fr);
	xt_check(err == -EINVAL, "REG_MR on no QP: -EINVAL (%d), not counted", err);
	xp_set_print(print);
	check_counts(p, "REG_MR refused", (struct mr_counts){ 0 },
		     (struct mr_counts){ .fast_reg = 1, .reg_refused = 2 });
}

/* A WRITE through rkey k1 places its bytes. */
static void step_write(struct xt_rc_pair *p, __u32 k1)
{
	struct got g = { 0 };
	int err = write_through(p, 1, k1, &g);

	xt_check(!err && g.wc[0][0].status == XP_WC_SUCCESS && fast_holds(p, 1),
		 "WRITE through rkey 0x%x: placed (%d, %s)", k1, err,
		 xp_wc_status_str(g.wc[0][0].status));
}

/* SEND_WITH_INV of k1: three packets, the first lost once and sent again. */
static void step_send_inv(struct xt_rc_pair *p, struct xp_mr *fmr, __u32 k1)
{
	struct xp_sge ss = { va(p->buf[0]), SEND_LEN, xp_mr_lkey(p->mr[0]) };
	struct xp_sge rs = { va(p->buf[1] + RECV_OFF), SEND_LEN, xp_mr_lkey(p->mr[1]) };
	struct xp_recv_wr rwr = { .wr_id = 10, .sg_list = &rs, .num_sge = 1 };
	struct xp_send_wr swr = {
		.wr_id = 11,
		.opcode = XP_WR_SEND_WITH_INV,
		.send_flags = XP_SEND_SIGNALED,
		.sg_list = &ss,
		.num_sge = 1,
		.invalidate_rkey = k1,
	};
	const struct xp_wc *rc;
	struct xp_recv_wr *rbad;
	struct xp_send_wr *sbad;
	struct got g = { 0 };
	int err;

	tap.drop_first = true;
	tap.firsts = 0;
	err = xp_qp_post_recv(p->qp[1], &rwr, &rbad);
	if (!err)
		err = xp_qp_post_send(p->qp[0], &swr, &sbad);
	if (!err)
		err = run_for(p, &g, 1, 1);
	rc = &g.wc[1][0];
	xt_check(!err && g.wc[0][0].status == XP_WC_SUCCESS && rc->status == XP_WC_SUCCESS &&
			 rc->byte_len == SEND_LEN && (rc->wc_flags & XP_WC_WITH_INV) &&
			 rc->invalidated_rkey == k1 &&
			 !memcmp(p->buf[1] + RECV_OFF, p->buf[0], SEND_LEN),
		 "SEND_WITH_INV: delivered, the receive names rkey 0x%x (%d, %s/%s)", k1, err,
		 xp_wc_status_str(g.wc[0][0].status), xp_wc_status_str(rc->status));
	xt_check(
		!tap.drop_first && tap.firsts >= 2 && xp_qp_stats(p->qp[0])->retransmits >= 1,
		"SEND_WITH_INV: its first packet was lost and sent again (%d seen, %llu retransmits)",
		tap.firsts, (unsigned long long)xp_qp_stats(p->qp[0])->retransmits);
	xt_check(xp_mr_state(fmr) == XP_MR_STATE_FREE,
		 "SEND_WITH_INV: side 1's MR is invalidated (FREE)");
	check_counts(p, "SEND_WITH_INV", (struct mr_counts){ .send_inv_sent = 1 },
		     (struct mr_counts){ .fast_reg = 1, .reg_refused = 2, .remote_inv = 1 });
}

/* Registered again as k2 (the MR is FREE now), then a LOCAL_INV of k2. */
static void step_local_inv(struct xt_rc_pair *p, struct xp_mr *fmr, __u32 k2)
{
	struct xp_send_wr wr = {
		.wr_id = 20,
		.opcode = XP_WR_LOCAL_INV,
		.send_flags = XP_SEND_SIGNALED,
		.invalidate_rkey = k2,
	};
	struct xp_send_wr *bad;
	struct got g = { 0 };
	int err;

	err = reg(p, fmr, k2);
	xt_check(!err && xp_mr_state(fmr) == XP_MR_STATE_VALID,
		 "REG_MR after the invalidation: accepted, key 0x%x (%d)", k2, err);
	err = xp_qp_post_send(p->qp[1], &wr, &bad);
	if (!err)
		err = run_for(p, &g, 0, 1);
	xt_check(!err && g.wc[1][0].opcode == XP_WC_LOCAL_INV &&
			 g.wc[1][0].status == XP_WC_SUCCESS && xp_mr_state(fmr) == XP_MR_STATE_FREE,
		 "LOCAL_INV: completes, the MR is FREE (%d, %s)", err,
		 xp_wc_status_str(g.wc[1][0].status));
	check_counts(p, "LOCAL_INV", (struct mr_counts){ .send_inv_sent = 1 },
		     (struct mr_counts){
			     .fast_reg = 2, .reg_refused = 2, .local_inv = 1, .remote_inv = 1 });
}

/* A WRITE through the invalidated rkey k2: NAKed, nothing written. */
static void step_stale(struct xt_rc_pair *p, __u32 k2)
{
	struct xp_mr_table *t = xp_rdma_dev_mr_table(p->dev[1]);
	__u64 not_valid = xp_mr_table_errors(t, XP_MR_NOT_VALID);
	struct got g = { 0 };
	int err = write_through(p, 2, k2, &g);

	xt_check(!err && g.wc[0][0].wr_id == 2 && g.wc[0][0].status == XP_WC_REM_ACCESS_ERR,
		 "stale rkey 0x%x: the WRITE completes with REM_ACCESS_ERR (%d, %s)", k2, err,
		 xp_wc_status_str(g.wc[0][0].status));
	xt_check(fast_holds(p, 1), "stale rkey: the target still holds the first WRITE's bytes");
	xt_check(xp_mr_table_errors(t, XP_MR_NOT_VALID) == not_valid + 1 &&
			 xp_qp_stats(p->qp[1])->err_naks_sent == 1,
		 "stale rkey: refused as 'MR not valid', one error NAK sent (%llu)",
		 (unsigned long long)xp_qp_stats(p->qp[1])->err_naks_sent);
	check_counts(p, "stale rkey", (struct mr_counts){ .send_inv_sent = 1 },
		     (struct mr_counts){ .fast_reg = 2,
					 .reg_refused = 2,
					 .local_inv = 1,
					 .remote_inv = 1,
					 .rkey_refused = 1 });
}

static void test_counters(void)
{
	struct xt_rc_pair_opts o = { 0 };
	struct xt_rc_pair p;
	struct xp_mr *fmr;
	__u32 k1;

	if (!xt_check(!xt_rc_pair_open(&p, &o), "pair opens"))
		return;
	fmr = xp_mr_alloc_fast(p.pd[1], FAST_LEN);
	if (!xt_check(fmr, "side 1: a fast-reg MR allocated")) {
		xt_rc_pair_close(&p);
		return;
	}
	xp_mem_net_set_tap(p.net, tap_send, NULL);
	check_counts(&p, "start", (struct mr_counts){ 0 }, (struct mr_counts){ 0 });

	k1 = xp_key_inc(xp_mr_lkey(fmr));
	step_reg(&p, fmr, k1);
	step_write(&p, k1);
	step_send_inv(&p, fmr, k1);
	step_local_inv(&p, fmr, xp_key_inc(k1));
	step_stale(&p, xp_key_inc(k1));

	xp_mem_net_set_tap(p.net, NULL, NULL);
	while (xp_mem_net_pending(p.net))
		xp_mem_net_step(p.net, 64);
	xt_check(!xp_mr_dereg(fmr) && !xt_rc_pair_close(&p),
		 "everything destroyed, every frame back");
}

int main(void)
{
	test_counters();
	return xt_summary();
}
