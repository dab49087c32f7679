// SPDX-License-Identifier: GPL-2.0
/*
 * Shared receive queues (core/roce/xp_srq.h) on the in-memory net: two RC
 * QPs on one SRQ take WQEs at the first packet of each SEND and keep them
 * while their messages' packets arrive interleaved (data checked byte for
 * byte, completions carry the right qp_num); UD datagrams take one each;
 * an empty SRQ gets RNR NAKs and the SEND completes once WQEs come; the
 * limit event fires once when crossed and again only after a re-arm; a QP
 * moved to ERR flushes only the WQE it holds, raises "last WQE reached",
 * and the SRQ's other WQEs serve the other QP; loss, duplication and
 * reordering on the net; every bad argument refused with its errno; an
 * SRQ with QPs and a device with an SRQ are not destroyed (EBUSY); a QP
 * destroyed while it holds a WQE takes it along; event and mask values
 * are libibverbs'.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>

#if __has_include(<infiniband/verbs.h>)
#include <infiniband/verbs.h>
#define HAVE_VERBS 1
#endif

#include "xp_log.h"
#include "xp_mem_net.h"
#include "xp_srq.h"
#include "xp_test.h"
#include "xt_rc_pair.h"

#define SLOT 16384u /* bytes of buf[1] per receive WQE (16 slots in the buffer) */
#define NSLOT ((int)(XT_PAIR_BUF / SLOT))

/* An RC pair with two more QPs a side: a[k] (side 0) sends to b[k] (side 1, on srq). */
struct bed {
	struct xt_rc_pair p;
	struct xp_srq *srq;
	struct xp_qp *a[2], *b[2];
};

/* Events seen, by source. */
static struct {
	int srq_limit;
	struct xp_srq *srq;
	void *srq_ctx;
	int last_wqe[2]; /* by b[k], whose context is &ctx_b[k] */
	int other; /* events of a type nobody expects */
} ev;
static int ctx_b[2];
static int srq_ctx_mark;

static void on_srq_event(struct xp_srq *srq, enum xp_event_type event, void *ctx)
{
	if (event != XP_EVENT_SRQ_LIMIT_REACHED) {
		ev.other++;
		return;
	}
	ev.srq_limit++;
	ev.srq = srq;
	ev.srq_ctx = ctx;
}

static void on_qp_event(struct xp_qp *qp, enum xp_event_type event, void *ctx)
{
	if (event != XP_EVENT_QP_LAST_WQE_REACHED || (ctx != &ctx_b[0] && ctx != &ctx_b[1])) {
		ev.other++;
		return;
	}
	ev.last_wqe[(int *)ctx - ctx_b]++;
}

static __u64 va(const __u8 *p)
{
	return (uintptr_t)p;
}

static struct xp_qp *make_qp(struct xt_rc_pair *p, int side, enum xp_qp_type type,
			     struct xp_srq *srq, void *ctx)
{
	struct xp_qp_init_attr qa = {
		.sz = sizeof(qa),
		.qp_type = type,
		.pd = p->pd[side],
		.send_cq = p->cq[side],
		.recv_cq = p->cq[side],
		.cap = { .max_send_wr = 32,
			 .max_recv_wr = srq ? 0 : 32,
			 .max_send_sge = 4,
			 .max_recv_sge = 4 },
		.qp_context = ctx,
		.srq = srq,
		.event_cb = srq ? on_qp_event : NULL,
	};

	return xp_qp_create(p->dev[side], &qa);
}

static int connect_qp(struct xt_rc_pair *p, int side, struct xp_qp *qp, struct xp_qp *peer_qp,
		      __u32 sq_psn, __u32 rq_psn)
{
	struct xp_qp_peer peer = {
		.sgid_index = 1,
		.dest_qpn = xp_qp_num(peer_qp),
		.rq_psn = rq_psn,
		.sq_psn = sq_psn,
	};
	struct xp_qp_connect_opts co = {
		.sz = sizeof(co),
		.timeout = 14,
		.retry_cnt = 7,
		.rnr_retry = 7,
		.min_rnr_timer = 1,
		.timers_set = true,
	};

	memcpy(peer.dgid, p->gid[!side], 16);
	return xp_qp_connect(qp, &peer, &co);
}

/* UD QP to RTS with the pair's Q_Key. */
static int ud_ready(struct xp_qp *qp)
{
	static const int mask[3] = { XP_QP_STATE | XP_QP_PKEY_INDEX | XP_QP_PORT | XP_QP_QKEY,
				     XP_QP_STATE, XP_QP_STATE | XP_QP_SQ_PSN };
	static const enum xp_qp_state to[3] = { XP_QPS_INIT, XP_QPS_RTR, XP_QPS_RTS };
	int k, err;

	for (k = 0; k < 3; k++) {
		struct xp_qp_attr a = {
			.qp_state = to[k], .port_num = 1, .qkey = XT_PAIR_QKEY, .sq_psn = 0x10
		};

		err = xp_qp_modify(qp, &a, mask[k]);
		if (err)
			return err;
	}
	return 0;
}

static void bed_close(struct bed *b, const char *name)
{
	int k, err = 0;

	for (k = 0; k < 2; k++) {
		if (b->a[k])
			err = err ?: xp_qp_destroy(b->a[k]);
		if (b->b[k])
			err = err ?: xp_qp_destroy(b->b[k]);
	}
	if (b->srq)
		err = err ?: xp_srq_destroy(b->srq);
	err = err ?: xt_rc_pair_close(&b->p);
	xt_check(!err, "%s: everything destroyed, every frame back (%d)", name, err);
	memset(b, 0, sizeof(*b));
}

/*
 * RC: the pair, an SRQ on side 1 (max_wr, limit), a[k] -> b[k] for k < nqp.
 * UD (o->ud): b[0] is a UD QP on the SRQ, sent to from the pair's qp[0].
 */
static bool bed_open(struct bed *b, const char *name, const struct xt_rc_pair_opts *o, __u32 max_wr,
		     __u32 limit, int nqp)
{
	struct xp_srq_attr sa = { .max_wr = max_wr, .max_sge = 4, .srq_limit = limit };
	struct xp_srq_opts so = { .sz = sizeof(so),
				  .srq_context = &srq_ctx_mark,
				  .event_cb = on_srq_event };
	int k, err = 0;

	memset(b, 0, sizeof(*b));
	memset(&ev, 0, sizeof(ev));
	if (!xt_check(!xt_rc_pair_open(&b->p, o), "%s: pair opens", name))
		return false;
	b->srq = xp_srq_create(b->p.dev[1], b->p.pd[1], &sa, &so);
	if (!b->srq)
		err = -errno;
	for (k = 0; k < nqp && !err; k++) {
		b->b[k] = make_qp(&b->p, 1, o->ud ? XP_QPT_UD : XP_QPT_RC, b->srq, &ctx_b[k]);
		if (!b->b[k]) {
			err = -errno;
			break;
		}
		if (o->ud) {
			err = ud_ready(b->b[k]);
			continue;
		}
		b->a[k] = make_qp(&b->p, 0, XP_QPT_RC, NULL, NULL);
		if (!b->a[k]) {
			err = -errno;
			break;
		}
		err = connect_qp(&b->p, 0, b->a[k], b->b[k], 0x200 + k * 0x100, 0x4000 + k * 0x100);
		err = err   ?:
			      connect_qp(&b->p, 1, b->b[k], b->a[k], 0x4000 + k * 0x100,
					 0x200 + k * 0x100);
	}
	if (!xt_check(!err, "%s: SRQ and %d QP(s) on it made (%s)", name, nqp, strerror(-err))) {
		bed_close(b, name);
		return false;
	}
	return true;
}

/* Post one receive of SLOT bytes at slot s of buf[1] to the SRQ, wr_id = id. */
static int srq_post(struct bed *b, __u64 id, __u32 s)
{
	struct xp_sge sge = { va(b->p.buf[1] + s * SLOT), SLOT, xp_mr_lkey(b->p.mr[1]) };
	struct xp_recv_wr wr = { .wr_id = id, .sg_list = &sge, .num_sge = 1 };
	struct xp_recv_wr *bad;

	return xp_srq_post_recv(b->srq, &wr, &bad);
}

/* A signalled SEND of len bytes from off in buf[0]. */
static int send_msg(struct bed *b, struct xp_qp *qp, __u64 id, __u32 off, __u32 len)
{
	struct xp_sge sge = { va(b->p.buf[0] + off), len, xp_mr_lkey(b->p.mr[0]) };
	struct xp_send_wr wr = { .wr_id = id,
				 .sg_list = &sge,
				 .num_sge = 1,
				 .opcode = XP_WR_SEND,
				 .send_flags = XP_SEND_SIGNALED };
	struct xp_send_wr *bad;

	return xp_qp_post_send(qp, &wr, &bad);
}

/* Fill n bytes with a pattern of its own for seed. */
static void pattern(__u8 *dst, __u32 n, __u32 seed)
{
	__u32 i, x = seed * 2654435761u + 1;

	for (i = 0; i < n; i++) {
		x = x * 1103515245u + 12345u;
		dst[i] = x >> 16;
	}
}

static bool pattern_ok(const __u8 *p, __u32 n, __u32 seed)
{
	__u8 want[SLOT];

	pattern(want, n, seed);
	return !memcmp(p, want, n);
}

/* Completions polled so far: receives on side 1, sends on side 0. */
struct got {
	struct xt_rc_pair *p;
	struct xp_wc rwc[256];
	int nr, ns;
	int want_r, want_s;
	int send_errs;
	int extra; /* completions past rwc[] or on the wrong side */
};

static bool got_all(void *arg)
{
	struct got *g = arg;
	struct xp_wc wc[32];
	int side, n, k;

	for (side = 0; side < 2; side++) {
		n = xp_cq_poll(g->p->cq[side], 32, wc);
		for (k = 0; k < n; k++) {
			if (wc[k].opcode & XP_WC_RECV) {
				if (side != 1 ||
				    g->nr == (int)(sizeof(g->rwc) / sizeof(g->rwc[0]))) {
					g->extra++;
					continue;
				}
				g->rwc[g->nr++] = wc[k];
			} else {
				g->ns++;
				if (wc[k].status != XP_WC_SUCCESS) {
					g->send_errs++;
					xt_note("send wr_id %llu: %s",
						(unsigned long long)wc[k].wr_id,
						xp_wc_status_str(wc[k].status));
				}
			}
		}
	}
	return g->nr >= g->want_r && g->ns >= g->want_s;
}

static int run_until(struct bed *b, struct got *g)
{
	g->p = &b->p;
	return xp_mem_net_run(b->p.net, 10 * XP_MEM_SEC, got_all, g);
}

/* ---- frames held by a tap and delivered in an order of the test's ---- */

#define CAP_MAX 64
static struct {
	bool on;
	int n;
	__u32 len[CAP_MAX];
	__u8 frame[CAP_MAX][2048];
} cap;

/* RoCEv2 over IPv4 without options: the BTH follows 14 + 20 + 8 bytes. */
#define BTH_OFF 42

static __u32 frame_dqpn(const __u8 *f)
{
	return (__u32)f[BTH_OFF + 5] << 16 | f[BTH_OFF + 6] << 8 | f[BTH_OFF + 7];
}

static bool tap_capture(void *arg, __u8 *frame, __u32 *len, __u32 size)
{
	if (!cap.on || *len < BTH_OFF + 12)
		return true;
	if (cap.n == CAP_MAX || *len > sizeof(cap.frame[0]))
		return true;
	memcpy(cap.frame[cap.n], frame, *len);
	cap.len[cap.n++] = *len;
	return false;
}

/* Step until nothing is queued (no time passes): the tap sees every frame sent. */
static void drain(struct bed *b)
{
	int i;

	for (i = 0; i < 100 && xp_mem_net_pending(b->p.net); i++)
		xp_mem_net_step(b->p.net, 256);
}

/* Hold back every frame sent from here to cap_end(), in cap.frame[]. */
static void cap_begin(struct bed *b)
{
	memset(&cap, 0, sizeof(cap));
	cap.on = true;
	xp_mem_net_set_tap(b->p.net, tap_capture, NULL);
}

static void cap_end(struct bed *b)
{
	drain(b);
	cap.on = false;
	xp_mem_net_set_tap(b->p.net, NULL, NULL);
}

/* Captured frames to QPN qpn, in the order sent: their indexes into idx[]. */
static int frames_to(__u32 qpn, int *idx, int max)
{
	int i, n = 0;

	for (i = 0; i < cap.n && n < max; i++)
		if (frame_dqpn(cap.frame[i]) == qpn)
			idx[n++] = i;
	return n;
}

/*
 * Two RC QPs on one SRQ, each sending two multi-packet SENDs; the request
 * packets reach side 1 alternating between the QPs, one packet each, so
 * both hold a WQE at once while their messages arrive.
 */
static void test_interleave(void)
{
	static const __u32 len[2][2] = { { 10000, 7000 }, { 9000, 5000 } };
	struct xt_rc_pair_opts o = {};
	int idx[2][32], n[2], i, k, m, bad_qpn = 0, bad_data = 0, bad_len = 0;
	struct got g = { .want_r = 4, .want_s = 4 };
	struct want {
		__u32 qp, msg;
	} expect[4];
	int nexp = 0;
	struct bed b;
	__u32 off;
	int err = 0;

	if (!bed_open(&b, "interleave", &o, 8, 0, 2))
		return;
	for (i = 0; i < 6; i++)
		err = err ?: srq_post(&b, 100 + i, i);
	xt_check(!err && xp_srq_count(b.srq) == 6, "interleave: 6 receives posted to the SRQ");
	/* a[k]'s message m comes from slot 2k + m of buf[0], pattern 10k + m. */
	for (k = 0; k < 2; k++)
		for (m = 0; m < 2; m++)
			pattern(b.p.buf[0] + (2 * k + m) * SLOT, len[k][m], 10 * k + m);

	cap_begin(&b);
	for (k = 0; k < 2; k++)
		for (m = 0; m < 2; m++)
			err = err   ?:
				      send_msg(&b, b.a[k], 10 * k + m, (2 * k + m) * SLOT,
					       len[k][m]);
	cap_end(&b);
	n[0] = frames_to(xp_qp_num(b.b[0]), idx[0], 32);
	n[1] = frames_to(xp_qp_num(b.b[1]), idx[1], 32);
	xt_check(!err && n[0] == 10 + 7 && n[1] == 9 + 5,
		 "interleave: the requests held back (%d and %d packets)", n[0], n[1]);
	/*
	 * Alternately one packet of each QP; a QP takes the SRQ's next WQE
	 * at each first packet, so WQE 100 + j goes to the j-th first packet
	 * delivered: expect[j] = (QP, message).
	 */
	for (i = 0; i < 32; i++) {
		for (k = 0; k < 2; k++) {
			__u32 first0 = (len[k][0] + 1023) / 1024;

			if (i >= n[k])
				continue;
			if ((i == 0 || i == (int)first0) && nexp < 4)
				expect[nexp++] = (struct want){ k, i ? 1 : 0 };
			xp_mem_net_inject(b.p.net, cap.frame[idx[k][i]], cap.len[idx[k][i]]);
		}
	}
	err = run_until(&b, &g);
	xt_check(!err && g.nr == 4 && g.ns == 4 && !g.send_errs && !g.extra && nexp == 4,
		 "interleave: 4 receives and 4 sends complete (run %d, %d recv, %d send)", err,
		 g.nr, g.ns);
	for (i = 0; i < g.nr; i++) {
		const struct xp_wc *wc = &g.rwc[i];
		__u32 slot = wc->wr_id - 100, q, msg;

		if (wc->status != XP_WC_SUCCESS || slot >= 4 ||
		    wc->qp_num != xp_qp_num(b.b[expect[slot].qp])) {
			bad_qpn++;
			xt_note("wr_id %llu on QP %u: %s", (unsigned long long)wc->wr_id,
				wc->qp_num, xp_wc_status_str(wc->status));
			continue;
		}
		q = expect[slot].qp;
		msg = expect[slot].msg;
		if (wc->byte_len != len[q][msg] || wc->opcode != XP_WC_RECV ||
		    wc->src_qp != xp_qp_num(b.a[q]))
			bad_len++;
		off = slot * SLOT;
		if (!pattern_ok(b.p.buf[1] + off, len[q][msg], 10 * q + msg))
			bad_data++;
	}
	/* b[1]'s first message (9 packets) ends before b[0]'s (10): the WQEs cross. */
	xt_check(nexp == 4 && expect[0].qp == 0 && expect[1].qp == 1 && expect[2].qp == 1 &&
			 expect[3].qp == 0,
		 "interleave: WQEs 100..103 went to b[0], b[1], b[1], b[0]");
	xt_check(!bad_qpn, "interleave: each WQE completed on the QP that took it (%d wrong)",
		 bad_qpn);
	xt_check(!bad_len, "interleave: byte_len, opcode and src_qp right (%d wrong)", bad_len);
	xt_check(!bad_data, "interleave: every message byte for byte in its WQE (%d wrong)",
		 bad_data);
	xt_check(xp_srq_count(b.srq) == 2 && xt_rc_pair_guards_ok(&b.p),
		 "interleave: 2 WQEs left on the SRQ (%u), guards intact", xp_srq_count(b.srq));
	bed_close(&b, "interleave");
}

/* WRITE_WITH_IMM takes a WQE from the SRQ (for its completion only). */
static void test_write_imm(void)
{
	struct xt_rc_pair_opts o = {};
	struct got g = { .want_r = 1, .want_s = 1 };
	struct xp_sge sge;
	struct xp_send_wr wr = { .wr_id = 1,
				 .sg_list = &sge,
				 .num_sge = 1,
				 .opcode = XP_WR_RDMA_WRITE_WITH_IMM,
				 .send_flags = XP_SEND_SIGNALED,
				 .imm_data = htonl(0x1234abcd) };
	struct xp_send_wr *bad;
	struct bed b;
	int err;

	if (!bed_open(&b, "write imm", &o, 4, 0, 2))
		return;
	sge = (struct xp_sge){ va(b.p.buf[0]), 3000, xp_mr_lkey(b.p.mr[0]) };
	wr.rdma.remote_addr = va(b.p.buf[1] + 8 * SLOT);
	wr.rdma.rkey = xp_mr_rkey(b.p.mr[1]);
	pattern(b.p.buf[0], 3000, 77);
	err = srq_post(&b, 500, 0) ?: srq_post(&b, 501, 1);
	err = err ?: xp_qp_post_send(b.a[1], &wr, &bad);
	err = err ?: run_until(&b, &g);
	xt_check(!err && g.nr == 1 && g.rwc[0].wr_id == 500 &&
			 g.rwc[0].opcode == XP_WC_RECV_RDMA_WITH_IMM &&
			 g.rwc[0].imm_data == htonl(0x1234abcd) &&
			 g.rwc[0].qp_num == xp_qp_num(b.b[1]) && g.rwc[0].byte_len == 3000,
		 "write imm: completes with the SRQ's first WQE on b[1] (run %d, %d recv)", err,
		 g.nr);
	xt_check(pattern_ok(b.p.buf[1] + 8 * SLOT, 3000, 77) && xp_srq_count(b.srq) == 1,
		 "write imm: data in place, one WQE left (%u)", xp_srq_count(b.srq));
	bed_close(&b, "write imm");
}

/* UD: each datagram takes a WQE at delivery; none posted: dropped, counted. */
static void test_ud(void)
{
	struct xt_rc_pair_opts o = { .ud = true };
	struct got g = { .want_r = 3, .want_s = 3 };
	static const __u32 len[3] = { 1, 700, 1024 };
	const struct xp_rdma_dev_stats *st;
	struct xp_sge sge;
	struct xp_send_wr wr = {
		.sg_list = &sge, .num_sge = 1, .opcode = XP_WR_SEND, .send_flags = XP_SEND_SIGNALED
	};
	struct xp_send_wr *bad;
	struct bed b;
	__u8 sgid[16];
	__u64 drops;
	int i, err = 0, wrong = 0;

	if (!bed_open(&b, "UD", &o, 8, 0, 1))
		return;
	st = xp_rdma_dev_stats(b.p.dev[1]);
	wr.ud.ah = b.p.ah[0];
	wr.ud.remote_qpn = xp_qp_num(b.b[0]);
	wr.ud.remote_qkey = XT_PAIR_QKEY;
	sge = (struct xp_sge){ va(b.p.buf[0]), 64, xp_mr_lkey(b.p.mr[0]) };
	drops = st->rx_drops[XP_RDMA_DROP_NO_RECV];
	err = xp_qp_post_send(b.p.qp[0], &wr, &bad);
	drain(&b);
	xt_check(!err && st->rx_drops[XP_RDMA_DROP_NO_RECV] == drops + 1,
		 "UD: a datagram to an empty SRQ is dropped as no receive (%llu)",
		 (unsigned long long)(st->rx_drops[XP_RDMA_DROP_NO_RECV] - drops));
	g.p = &b.p;
	got_all(&g); /* the send completion of that one */
	g.ns = 0;
	for (i = 0; i < 3; i++) {
		err = err ?: srq_post(&b, 200 + i, i);
		pattern(b.p.buf[0] + i * SLOT, len[i], 30 + i);
	}
	for (i = 0; i < 3; i++) {
		sge = (struct xp_sge){ va(b.p.buf[0] + i * SLOT), len[i], xp_mr_lkey(b.p.mr[0]) };
		wr.wr_id = i;
		err = err ?: xp_qp_post_send(b.p.qp[0], &wr, &bad);
	}
	err = err ?: run_until(&b, &g);
	xt_check(!err && g.nr == 3, "UD: 3 datagrams delivered (run %d, %d)", err, g.nr);
	for (i = 0; i < g.nr; i++) {
		const struct xp_wc *wc = &g.rwc[i];
		const __u8 *at = b.p.buf[1] + i * SLOT;

		if (wc->wr_id != 200u + i || wc->status != XP_WC_SUCCESS ||
		    wc->qp_num != xp_qp_num(b.b[0]) || wc->src_qp != xp_qp_num(b.p.qp[0]) ||
		    !(wc->wc_flags & XP_WC_GRH) || wc->byte_len != XP_GRH_LEN + len[i] ||
		    xp_grh_sgid(at, sgid) || memcmp(sgid, b.p.gid[0], 16) ||
		    !pattern_ok(at + XP_GRH_LEN, len[i], 30 + i))
			wrong++;
	}
	xt_check(!wrong && xp_srq_count(b.srq) == 0,
		 "UD: each in the SRQ's WQEs in order: GRH, data, qp_num, src_qp (%d wrong)",
		 wrong);
	bed_close(&b, "UD");
}

static bool rnr_seen(void *arg)
{
	struct bed *b = arg;

	return xp_qp_stats(b->a[0])->rnr_naks_rcvd >= 3;
}

/* An empty SRQ answers a SEND with RNR NAKs; posted WQEs let it complete. */
static void test_rnr(void)
{
	struct xt_rc_pair_opts o = {};
	struct got g = { .want_r = 1, .want_s = 1 };
	struct bed b;
	int err;

	if (!bed_open(&b, "RNR", &o, 4, 0, 2))
		return;
	pattern(b.p.buf[0], 5000, 5);
	err = send_msg(&b, b.a[0], 1, 0, 5000);
	err = err ?: xp_mem_net_run(b.p.net, 10 * XP_MEM_SEC, rnr_seen, &b);
	xt_check(!err && xp_qp_stats(b.a[0])->rnr_naks_rcvd >= 3 && !xp_cq_count(b.p.cq[1]),
		 "RNR: an empty SRQ: RNR NAKs (%llu sent), nothing completes (run %d)",
		 (unsigned long long)xp_qp_stats(b.b[0])->rnr_naks_sent, err);
	err = srq_post(&b, 42, 3);
	err = err ?: run_until(&b, &g);
	xt_check(!err && g.nr == 1 && g.rwc[0].wr_id == 42 && g.rwc[0].byte_len == 5000 &&
			 g.rwc[0].qp_num == xp_qp_num(b.b[0]) && !g.send_errs &&
			 pattern_ok(b.p.buf[1] + 3 * SLOT, 5000, 5),
		 "RNR: posted to the SRQ, the SEND completes with its data (run %d)", err);
	bed_close(&b, "RNR");
}

/* Send one small message on a[0] and wait for its receive. */
static int one_msg(struct bed *b, __u64 id)
{
	struct got g = { .want_r = 1, .want_s = 1 };
	int err = send_msg(b, b->a[0], id, 0, 100);

	return err ?: run_until(b, &g);
}

/* The limit: armed, it fires once when the count drops below it, then waits for a re-arm. */
static void test_limit(void)
{
	struct xt_rc_pair_opts o = {};
	struct xp_srq_attr qa, ma = {};
	int i, err = 0, seen[8] = { 0 };
	struct bed b;

	if (!bed_open(&b, "limit", &o, 8, 0, 2))
		return;
	for (i = 0; i < 8; i++)
		err = err ?: srq_post(&b, i, i);
	ma.srq_limit = 4;
	err = err ?: xp_srq_modify(b.srq, &ma, XP_SRQ_LIMIT);
	err = err ?: xp_srq_query(b.srq, &qa);
	xt_check(!err && qa.srq_limit == 4 && qa.max_wr == 8 && qa.max_sge == 4,
		 "limit: armed at 4 with 8 posted (query: limit %u, max_wr %u, max_sge %u)",
		 qa.srq_limit, qa.max_wr, qa.max_sge);
	/* Takes leave 7, 6, 5, 4 (not below 4), then 3 (below: the event), 2. */
	for (i = 0; i < 6 && !err; i++) {
		err = one_msg(&b, i);
		seen[i] = ev.srq_limit;
	}
	xt_check(!err && !seen[0] && !seen[3] && seen[4] == 1 && seen[5] == 1 && !ev.other,
		 "limit: no event down to 4 left, one at 3, none at 2 (%d %d %d %d %d %d)", seen[0],
		 seen[1], seen[2], seen[3], seen[4], seen[5]);
	xt_check(ev.srq == b.srq && ev.srq_ctx == &srq_ctx_mark,
		 "limit: the event names the SRQ and its context");
	err = xp_srq_query(b.srq, &qa);
	xt_check(!err && qa.srq_limit == 0, "limit: disarmed after it fired (limit %u)",
		 qa.srq_limit);
	/* Re-arm at 2 with 2 posted: the next take (1 left) fires it again. */
	ma.srq_limit = 2;
	err = xp_srq_modify(b.srq, &ma, XP_SRQ_LIMIT);
	err = err ?: one_msg(&b, 6);
	xt_check(!err && ev.srq_limit == 2, "limit: re-armed, it fires once more (%d events)",
		 ev.srq_limit);
	err = one_msg(&b, 7);
	xt_check(!err && ev.srq_limit == 2 && xp_srq_count(b.srq) == 0,
		 "limit: and not again without a re-arm (%d events)", ev.srq_limit);
	bed_close(&b, "limit");
}

/* Resizing keeps the posted WQEs, in order; the QPs take them from the new ring. */
static void test_resize(void)
{
	struct xt_rc_pair_opts o = {};
	struct xp_srq_attr ma = { .max_wr = 12 }, qa;
	struct bed b;
	int i, err = 0;
	bool order = true;

	if (!bed_open(&b, "resize", &o, 4, 0, 2))
		return;
	for (i = 0; i < 4; i++)
		err = err ?: srq_post(&b, 300 + i, i);
	xt_check(!err && srq_post(&b, 399, 15) == -ENOMEM, "resize: a full SRQ refuses (ENOMEM)");
	err = xp_srq_modify(b.srq, &ma, XP_SRQ_MAX_WR_MASK);
	for (i = 4; i < 12; i++)
		err = err ?: srq_post(&b, 300 + i, i);
	xt_check(!err && !xp_srq_query(b.srq, &qa) && qa.max_wr == 12 &&
			 xp_srq_count(b.srq) == 12 && srq_post(&b, 399, 15) == -ENOMEM,
		 "resize: 4 -> 12 keeps the 4 and takes 8 more, then is full (count %u)",
		 xp_srq_count(b.srq));
	for (i = 0; i < 12 && order; i++) {
		struct got g = { .want_r = 1, .want_s = 1 };

		err = send_msg(&b, b.a[i % 2], i, 0, 64);
		err = err ?: run_until(&b, &g);
		order = !err && g.nr == 1 && g.rwc[0].wr_id == 300u + i;
	}
	xt_check(order, "resize: the 12 WQEs are taken in posting order");
	bed_close(&b, "resize");
}

/*
 * ERR on a QP holding a WQE: that one is flushed on its CQ, "last WQE
 * reached" is raised once, the SRQ's other WQEs stay and serve b[1].
 */
static void test_err(void)
{
	struct xt_rc_pair_opts o = {};
	struct xp_qp_attr attr = { .qp_state = XP_QPS_ERR };
	struct got g = { .want_r = 1, .want_s = 1 };
	struct xp_wc wc[4];
	struct xp_recv_wr rwr = { .wr_id = 9 };
	struct xp_recv_wr *rbad;
	int idx[8], n, i, err = 0;
	struct bed b;

	if (!bed_open(&b, "ERR", &o, 8, 0, 2))
		return;
	for (i = 0; i < 4; i++)
		err = err ?: srq_post(&b, 400 + i, i);
	/* Only the first packet of a 3-packet SEND reaches b[0]: it holds WQE 400. */
	cap_begin(&b);
	err = err ?: send_msg(&b, b.a[0], 1, 0, 3000);
	cap_end(&b);
	n = frames_to(xp_qp_num(b.b[0]), idx, 8);
	if (n == 3)
		xp_mem_net_inject(b.p.net, cap.frame[idx[0]], cap.len[idx[0]]);
	drain(&b);
	xt_check(!err && n == 3 && xp_srq_count(b.srq) == 3 && !xp_cq_count(b.p.cq[1]),
		 "ERR: b[0] took a WQE at the first packet (%d packets, %u left on the SRQ)", n,
		 xp_srq_count(b.srq));
	err = xp_qp_modify(b.b[0], &attr, XP_QP_STATE);
	n = xp_cq_poll(b.p.cq[1], 4, wc);
	xt_check(!err && n == 1 && wc[0].wr_id == 400 && wc[0].status == XP_WC_WR_FLUSH_ERR &&
			 wc[0].qp_num == xp_qp_num(b.b[0]),
		 "ERR: only the WQE b[0] held is flushed, on its CQ (%d completions)", n);
	xt_check(ev.last_wqe[0] == 1 && !ev.last_wqe[1] && !ev.other,
		 "ERR: last WQE reached, once, for b[0] (%d, %d)", ev.last_wqe[0], ev.last_wqe[1]);
	xt_check(xp_srq_count(b.srq) == 3, "ERR: the SRQ keeps its 3 WQEs (%u)",
		 xp_srq_count(b.srq));
	xt_check(xp_qp_post_recv(b.b[0], &rwr, &rbad) == -EINVAL && rbad == &rwr,
		 "ERR: post_recv on a QP with an SRQ is refused (EINVAL), bad_wr set");
	err = xp_qp_modify(b.b[0], &attr, XP_QP_STATE);
	xt_check(!err && ev.last_wqe[0] == 1, "ERR: ERR again raises nothing more (%d)",
		 ev.last_wqe[0]);
	/* a[0] would retry for ever: stop it, then b[1] receives. */
	xp_qp_modify(b.a[0], &attr, XP_QP_STATE);
	while (xp_cq_poll(b.p.cq[0], 4, wc) > 0)
		;
	pattern(b.p.buf[0] + SLOT, 2500, 8);
	err = send_msg(&b, b.a[1], 2, SLOT, 2500);
	err = err ?: run_until(&b, &g);
	xt_check(!err && g.nr == 1 && g.rwc[0].wr_id == 401 && g.rwc[0].status == XP_WC_SUCCESS &&
			 g.rwc[0].qp_num == xp_qp_num(b.b[1]) &&
			 pattern_ok(b.p.buf[1] + SLOT, 2500, 8) && xp_srq_count(b.srq) == 2,
		 "ERR: the SRQ's next WQE serves b[1] (run %d, wr_id %llu)", err,
		 g.nr ? (unsigned long long)g.rwc[0].wr_id : 0ull);
	bed_close(&b, "ERR");
}

/* Loss, duplication and reordering: every message lands whole, in its QP's order. */
static void fault_case(const char *name, __u32 loss, __u32 dup, __u32 reorder, __u64 seed)
{
	struct xt_rc_pair_opts o = {
		.net = { .sz = sizeof(o.net),
			 .loss_ppm = loss,
			 .dup_ppm = dup,
			 .reorder_ppm = reorder,
			 .seed = seed },
		.timeout = 10,
	};
	enum { NMSG = 24 };
	__u32 len[2][NMSG], nrecv[2] = { 0, 0 };
	struct got g = { .want_r = 2 * NMSG, .want_s = 2 * NMSG };
	int i, k, err = 0, wrong = 0, posted = 0;
	__u64 retrans;
	struct bed b;

	if (!bed_open(&b, name, &o, NSLOT, 0, 2))
		return;
	/* a[k]'s message i: (i * 977 + k * 3001) % 12000 + 1 bytes, from slot k. */
	for (k = 0; k < 2; k++)
		pattern(b.p.buf[0] + k * SLOT, SLOT, 50 + k);
	for (i = 0; i < NMSG && !err; i++) {
		for (k = 0; k < 2 && !err; k++) {
			len[k][i] = (i * 977u + k * 3001u) % 12000u + 1;
			err = send_msg(&b, b.a[k], k * 1000 + i, k * SLOT, len[k][i]);
		}
	}
	/* WQEs posted as they are used: the SRQ has 16 slots for 48 messages. */
	for (i = 0; i < NSLOT; i++)
		err = err ?: srq_post(&b, i, i);
	posted = NSLOT;
	while (!err && g.nr < g.want_r) {
		int before = g.nr;

		g.want_r = g.nr + 1;
		g.want_s = 0;
		err = run_until(&b, &g);
		g.want_r = g.want_s = 2 * NMSG;
		for (i = before; i < g.nr && !err; i++) {
			const struct xp_wc *wc = &g.rwc[i];
			__u32 slot = wc->wr_id & 0xff;
			int q = wc->qp_num == xp_qp_num(b.b[1]);
			__u32 m = nrecv[q]++;

			if (wc->status != XP_WC_SUCCESS || m >= NMSG ||
			    (!q && wc->qp_num != xp_qp_num(b.b[0])) || wc->byte_len != len[q][m] ||
			    memcmp(b.p.buf[1] + slot * SLOT, b.p.buf[0] + q * SLOT, wc->byte_len)) {
				if (wrong++ < 4)
					xt_note("QP %u message %u: %s, %u bytes (want %u)",
						wc->qp_num, m, xp_wc_status_str(wc->status),
						wc->byte_len, m < NMSG ? len[q][m] : 0);
			}
			memset(b.p.buf[1] + slot * SLOT, 0, SLOT);
			/* wr_id: which post (above 8 bits) and the slot. */
			if (posted < 2 * NMSG)
				err = srq_post(&b, (__u64)posted++ << 8 | slot, slot);
		}
	}
	err = err ?: run_until(&b, &g);
	retrans = xp_qp_stats(b.a[0])->retransmits + xp_qp_stats(b.a[1])->retransmits;
	xt_check(!err && g.nr == 2 * NMSG && g.ns == 2 * NMSG && !g.send_errs && !g.extra,
		 "%s: all %d messages complete on both sides (run %d, %d recv, %d send)", name,
		 2 * NMSG, err, g.nr, g.ns);
	xt_check(!wrong && nrecv[0] == NMSG && nrecv[1] == NMSG,
		 "%s: each in a WQE whole, in its QP's order (%d wrong; %u + %u)", name, wrong,
		 nrecv[0], nrecv[1]);
	if (loss || reorder)
		xt_check(retrans > 0, "%s: the faults made the requesters resend (%llu packets)",
			 name, (unsigned long long)retrans);
	xt_check(xt_rc_pair_guards_ok(&b.p), "%s: guards intact", name);
	bed_close(&b, name);
}

static void test_faults(void)
{
	fault_case("loss", 30000, 0, 0, 1);
	fault_case("dup", 0, 50000, 0, 2);
	fault_case("reorder", 0, 0, 50000, 3);
	fault_case("all faults", 20000, 20000, 20000, 4);
}

static int quiet(enum xp_print_level level, const char *fmt, va_list ap)
{
	return 0;
}

static bool srq_refused(struct bed *b, struct xp_rdma_dev *dev, struct xp_pd *pd, __u32 max_wr,
			__u32 max_sge, __u32 limit, const struct xp_srq_opts *so)
{
	struct xp_srq_attr sa = { .max_wr = max_wr, .max_sge = max_sge, .srq_limit = limit };
	struct xp_srq *srq;

	errno = 0;
	srq = xp_srq_create(dev, pd, &sa, so);
	if (srq) {
		xp_srq_destroy(srq);
		return false;
	}
	return errno == EINVAL;
}

static void test_bad_args(void)
{
	struct xt_rc_pair_opts o = {};
	struct xp_srq_attr sa = { .max_wr = 4, .max_sge = 2 }, ma;
	struct xp_srq_opts so = { .sz = sizeof(so) };
	struct {
		struct xp_srq_opts o;
		__u64 more;
	} big = { .o = { .sz = sizeof(big) }, .more = 1 };
	struct xp_sge sge[3];
	struct xp_recv_wr w[6], *bad;
	struct xp_qp_init_attr qa;
	struct xp_srq *other;
	struct bed b;
	int i, err;

	xp_set_print(quiet);
	if (!bed_open(&b, "bad args", &o, 4, 0, 1))
		goto out;
	xt_check(srq_refused(&b, NULL, b.p.pd[1], 4, 1, 0, NULL) &&
			 srq_refused(&b, b.p.dev[1], NULL, 4, 1, 0, NULL) &&
			 !xp_srq_create(b.p.dev[1], b.p.pd[1], NULL, NULL),
		 "create: no device, PD or attr (EINVAL)");
	xt_check(srq_refused(&b, b.p.dev[1], b.p.pd[1], 0, 1, 0, NULL) &&
			 srq_refused(&b, b.p.dev[1], b.p.pd[1], XP_SRQ_MAX_WR + 1, 1, 0, NULL),
		 "create: max_wr 0 or above %u (EINVAL)", XP_SRQ_MAX_WR);
	xt_check(srq_refused(&b, b.p.dev[1], b.p.pd[1], 4, 0, 0, NULL) &&
			 srq_refused(&b, b.p.dev[1], b.p.pd[1], 4, XP_SRQ_MAX_SGE + 1, 0, NULL),
		 "create: max_sge 0 or above %u (EINVAL)", XP_SRQ_MAX_SGE);
	xt_check(srq_refused(&b, b.p.dev[1], b.p.pd[1], 4, 1, 5, NULL),
		 "create: srq_limit above max_wr (EINVAL)");
	xt_check(srq_refused(&b, b.p.dev[1], b.p.pd[0], 4, 1, 0, NULL),
		 "create: a PD of another device (EINVAL)");
	so.sz = 1;
	xt_check(srq_refused(&b, b.p.dev[1], b.p.pd[1], 4, 1, 0, &so) &&
			 srq_refused(&b, b.p.dev[1], b.p.pd[1], 4, 1, 0, &big.o),
		 "create: opts with a short sz or unknown fields set (EINVAL)");
	so.sz = sizeof(so);
	other = xp_srq_create(b.p.dev[1], b.p.pd[1], &sa, &so);
	xt_check(other && !xp_srq_destroy(other),
		 "create: the largest values pass (max_wr %u, max_sge %u ok below)", XP_SRQ_MAX_WR,
		 XP_SRQ_MAX_SGE);
	sa = (struct xp_srq_attr){ .max_wr = XP_SRQ_MAX_WR,
				   .max_sge = XP_SRQ_MAX_SGE,
				   .srq_limit = XP_SRQ_MAX_WR };
	other = xp_srq_create(b.p.dev[1], b.p.pd[1], &sa, NULL);
	xt_check(other && !xp_srq_destroy(other), "create: max_wr, max_sge and limit at the top");

	/* post_recv: b.srq has max_wr 4, max_sge 4. */
	for (i = 0; i < 3; i++)
		sge[i] = (struct xp_sge){ va(b.p.buf[1] + i * 64), 64, xp_mr_lkey(b.p.mr[1]) };
	memset(w, 0, sizeof(w));
	for (i = 0; i < 6; i++) {
		w[i].wr_id = i;
		w[i].sg_list = sge;
		w[i].num_sge = 1;
		w[i].next = i < 5 ? &w[i + 1] : NULL;
	}
	w[1].num_sge = 5;
	err = xp_srq_post_recv(b.srq, w, &bad);
	xt_check(err == -EINVAL && bad == &w[1] && xp_srq_count(b.srq) == 1,
		 "post: more SGEs than max_sge: EINVAL at that WR, those before posted (%d)", err);
	w[1].num_sge = -1;
	err = xp_srq_post_recv(b.srq, &w[1], &bad);
	xt_check(err == -EINVAL && bad == &w[1], "post: a negative SGE count (EINVAL)");
	w[1].num_sge = 1;
	w[1].sg_list = NULL;
	err = xp_srq_post_recv(b.srq, &w[1], &bad);
	xt_check(err == -EINVAL && bad == &w[1], "post: SGEs without a list (EINVAL)");
	w[1].sg_list = sge;
	sge[2].lkey ^= 0x100;
	w[2].sg_list = &sge[2];
	err = xp_srq_post_recv(b.srq, &w[1], &bad);
	xt_check(err == -EINVAL && bad == &w[2] && xp_srq_count(b.srq) == 2,
		 "post: a bad lkey (EINVAL) at that WR (%d, count %u)", err, xp_srq_count(b.srq));
	sge[2].lkey ^= 0x100;
	sge[2].length = XT_PAIR_BUF; /* past the MR's end */
	err = xp_srq_post_recv(b.srq, &w[2], &bad);
	xt_check(err == -EINVAL && bad == &w[2], "post: an SGE past its MR (EINVAL)");
	sge[2] = (struct xp_sge){ va(b.p.buf[0]), 64, xp_mr_lkey(b.p.mr[0]) };
	err = xp_srq_post_recv(b.srq, &w[2], &bad);
	xt_check(err == -EINVAL && bad == &w[2], "post: an lkey of another device's PD (EINVAL)");
	w[2].sg_list = sge;
	err = xp_srq_post_recv(b.srq, &w[2], &bad);
	xt_check(err == -ENOMEM && bad == &w[4] && xp_srq_count(b.srq) == 4,
		 "post: a full SRQ: ENOMEM at the WR past it (%d, count %u)", err,
		 xp_srq_count(b.srq));
	xt_check(xp_srq_post_recv(b.srq, w, NULL) == -EINVAL &&
			 xp_srq_post_recv(NULL, w, &bad) == -EINVAL,
		 "post: NULL srq or bad_wr (EINVAL)");

	/* modify */
	ma = (struct xp_srq_attr){ .max_wr = 8, .srq_limit = 2 };
	xt_check(xp_srq_modify(b.srq, &ma, 0) == -EINVAL &&
			 xp_srq_modify(b.srq, &ma, 1 << 2) == -EINVAL &&
			 xp_srq_modify(b.srq, NULL, XP_SRQ_LIMIT) == -EINVAL &&
			 xp_srq_modify(NULL, &ma, XP_SRQ_LIMIT) == -EINVAL,
		 "modify: mask 0, an unknown bit, NULL attr or srq (EINVAL)");
	ma.max_wr = 0;
	err = xp_srq_modify(b.srq, &ma, XP_SRQ_MAX_WR_MASK);
	ma.max_wr = XP_SRQ_MAX_WR + 1;
	xt_check(err == -EINVAL && xp_srq_modify(b.srq, &ma, XP_SRQ_MAX_WR_MASK) == -EINVAL,
		 "modify: max_wr 0 or above %u (EINVAL)", XP_SRQ_MAX_WR);
	ma.max_wr = 3;
	xt_check(xp_srq_modify(b.srq, &ma, XP_SRQ_MAX_WR_MASK) == -EINVAL,
		 "modify: max_wr below the 4 WQEs posted (EINVAL)");
	ma.srq_limit = 5;
	xt_check(xp_srq_modify(b.srq, &ma, XP_SRQ_LIMIT) == -EINVAL,
		 "modify: srq_limit above max_wr (EINVAL)");
	ma = (struct xp_srq_attr){ .max_wr = 6, .srq_limit = 7 };
	xt_check(xp_srq_modify(b.srq, &ma, XP_SRQ_LIMIT | XP_SRQ_MAX_WR_MASK) == -EINVAL,
		 "modify: srq_limit above the new max_wr (EINVAL)");
	xt_check(!xp_srq_query(b.srq, &sa) && sa.max_wr == 4 && sa.srq_limit == 0 &&
			 xp_srq_count(b.srq) == 4 && xp_srq_query(NULL, &sa) == -EINVAL &&
			 xp_srq_query(b.srq, NULL) == -EINVAL,
		 "modify: the refused ones changed nothing; query refuses NULL (EINVAL)");

	/* QPs on the SRQ */
	memset(&qa, 0, sizeof(qa));
	qa.sz = sizeof(qa);
	qa.qp_type = XP_QPT_RC;
	qa.pd = b.p.pd[1];
	qa.send_cq = qa.recv_cq = b.p.cq[1];
	qa.cap = (struct xp_qp_cap){ .max_send_wr = 4, .max_recv_wr = 1, .max_send_sge = 1 };
	qa.srq = b.srq;
	errno = 0;
	xt_check(!xp_qp_create(b.p.dev[1], &qa) && errno == EINVAL,
		 "QP: max_recv_wr 1 with an SRQ (EINVAL)");
	qa.cap.max_recv_wr = 0;
	qa.qp_type = XP_QPT_UD;
	qa.gsi = true;
	errno = 0;
	xt_check(!xp_qp_create(b.p.dev[1], &qa) && errno == EINVAL,
		 "QP: the GSI QP on an SRQ (EINVAL)");
	qa.gsi = false;
	qa.qp_type = XP_QPT_UC;
	errno = 0;
	xt_check(!xp_qp_create(b.p.dev[1], &qa) && errno == EOPNOTSUPP,
		 "QP: a UC QP on an SRQ (EOPNOTSUPP, as without)");
	qa.qp_type = XP_QPT_RC;
	qa.pd = b.p.pd[0];
	qa.send_cq = qa.recv_cq = b.p.cq[0];
	errno = 0;
	xt_check(!xp_qp_create(b.p.dev[0], &qa) && errno == EINVAL,
		 "QP: an SRQ of another device (EINVAL)");
	qa.srq = NULL;
	errno = 0;
	xt_check(!xp_qp_create(b.p.dev[0], &qa) && errno == EINVAL,
		 "QP: max_recv_wr 0 without an SRQ (EINVAL)");

	/* destroy */
	xt_check(xp_srq_destroy(b.srq) == -EBUSY && xp_srq_count(b.srq) == 4,
		 "destroy: an SRQ with a QP on it is not destroyed (EBUSY)");
	xt_check(!xp_qp_destroy(b.b[0]), "destroy: its QP goes");
	b.b[0] = NULL;
	xt_check(xp_mem_dev_remove(b.p.dev[1]) == -EBUSY,
		 "destroy: a device with an SRQ is not removed (EBUSY)");
	xt_check(!xp_srq_destroy(b.srq) && !xp_srq_destroy(NULL),
		 "destroy: then the SRQ, with 4 WQEs posted; NULL is a no-op");
	b.srq = NULL;

	/* The two steps of a host that cannot allocate under its lock. */
	{
		struct xp_srq_attr sa = { .max_wr = 4, .max_sge = 1 };
		struct xp_srq *s = NULL;
		int err;

		err = xp_srq_prepare(b.p.dev[1], b.p.pd[1], &sa, NULL, &s);
		xt_check(!err && s, "prepare: an SRQ of 4 WQEs (%d)", err);
		xp_srq_discard(s); /* never committed: freed (ASan would see a leak) */
		sa.max_sge = XP_SRQ_MAX_SGE + 1;
		s = NULL;
		err = xp_srq_prepare(b.p.dev[1], b.p.pd[1], &sa, NULL, &s);
		xt_check(err == -EINVAL && !s, "prepare: too many SGEs refused with -EINVAL (%d)",
			 err);
		sa.max_sge = 1;
		err = xp_srq_prepare(b.p.dev[1], b.p.pd[1], &sa, NULL, &s);
		if (!err)
			xp_srq_commit(s);
		else
			s = NULL;
		xt_check(s && xp_mem_dev_remove(b.p.dev[1]) == -EBUSY,
			 "commit: a committed SRQ is, and holds the device");
		xp_srq_discard(s); /* refused: committed */
		xt_check(!xp_srq_destroy(s), "commit: the committed SRQ is destroyed");
	}
	bed_close(&b, "bad args");
out:
	xp_set_print(NULL);
}

/*
 * Destroying, or resetting, a QP that holds a WQE with a message half
 * placed: the WQE goes without a completion or an event, the SRQ keeps
 * the others, and the message's last packet completes nothing.
 */
static void held_case(const char *name, bool reset)
{
	struct xp_qp_attr attr = { .qp_state = XP_QPS_RESET };
	struct xt_rc_pair_opts o = {};
	int idx[8], n, err = 0, i;
	struct bed b;

	if (!bed_open(&b, name, &o, 8, 0, 2))
		return;
	for (i = 0; i < 3; i++)
		err = err ?: srq_post(&b, i, i);
	pattern(b.p.buf[0], 4000, 4);
	cap_begin(&b);
	err = err ?: send_msg(&b, b.a[0], 1, 0, 4000);
	cap_end(&b);
	n = frames_to(xp_qp_num(b.b[0]), idx, 8);
	for (i = 0; i < n - 1; i++)
		xp_mem_net_inject(b.p.net, cap.frame[idx[i]], cap.len[idx[i]]);
	drain(&b);
	xt_check(!err && n == 4 && xp_srq_count(b.srq) == 2 && !xp_cq_count(b.p.cq[1]),
		 "%s: b[0] holds a WQE, 3 of 4 packets placed (%u left)", name,
		 xp_srq_count(b.srq));
	if (reset) {
		err = xp_qp_modify(b.b[0], &attr, XP_QP_STATE);
	} else {
		err = xp_qp_destroy(b.b[0]);
		b.b[0] = NULL;
	}
	xt_check(!err && !ev.last_wqe[0] && xp_srq_count(b.srq) == 2 && !xp_cq_count(b.p.cq[1]),
		 "%s: the WQE goes without a completion or event, the SRQ keeps 2", name);
	/* The last packet, to a QP in RESET or a QPN that is gone: dropped. */
	if (n == 4)
		xp_mem_net_inject(b.p.net, cap.frame[idx[3]], cap.len[idx[3]]);
	drain(&b);
	xt_check(!xp_cq_count(b.p.cq[1]) && xp_srq_count(b.srq) == 2,
		 "%s: nothing completes afterwards", name);
	if (reset) {
		struct got g = { .want_r = 1, .want_s = 1 };

		/* Connected again where a[0]'s message starts: its resend takes a new WQE. */
		err = connect_qp(&b.p, 1, b.b[0], b.a[0], 0x4000, 0x200);
		err = err ?: run_until(&b, &g);
		xt_check(!err && g.nr == 1 && g.rwc[0].wr_id == 1 &&
				 g.rwc[0].status == XP_WC_SUCCESS && g.rwc[0].byte_len == 4000 &&
				 !g.send_errs && xp_srq_count(b.srq) == 1 &&
				 pattern_ok(b.p.buf[1] + SLOT, 4000, 4),
			 "%s: reconnected, the resent SEND lands whole in the next WQE (run %d, "
			 "wr_id %llu)",
			 name, err, g.nr ? (unsigned long long)g.rwc[0].wr_id : 0ull);
	}
	bed_close(&b, name);
}

static void test_held(void)
{
	held_case("destroy held", false);
	held_case("reset held", true);
}

/* Event and mask values are libibverbs' own. */
static void test_verbs_values(void)
{
#ifdef HAVE_VERBS
	static const struct xt_same same[] = {
		{ "EVENT_SRQ_LIMIT_REACHED", XP_EVENT_SRQ_LIMIT_REACHED,
		  IBV_EVENT_SRQ_LIMIT_REACHED },
		{ "EVENT_QP_LAST_WQE_REACHED", XP_EVENT_QP_LAST_WQE_REACHED,
		  IBV_EVENT_QP_LAST_WQE_REACHED },
		{ "SRQ_MAX_WR(_MASK)", XP_SRQ_MAX_WR_MASK, IBV_SRQ_MAX_WR },
		{ "SRQ_LIMIT", XP_SRQ_LIMIT, IBV_SRQ_LIMIT },
	};

	xt_check(xt_same_values(same, sizeof(same) / sizeof(same[0]), "XP_", "IBV_"),
		 "SRQ event and mask values equal <infiniband/verbs.h>");
#else
	xt_skip("<infiniband/verbs.h> not installed: cannot compare with IBV_* values (apt-get install libibverbs-dev)");
#endif
}

int main(void)
{
	test_verbs_values();
	test_interleave();
	test_write_imm();
	test_ud();
	test_rnr();
	test_limit();
	test_resize();
	test_err();
	test_faults();
	test_bad_args();
	test_held();
	return xt_summary();
}
