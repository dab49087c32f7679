// SPDX-License-Identifier: GPL-2.0
/*
 * The transport core on its second host, the in-memory net
 * (user/lib/rdma/mem_net.c, core/roce/rdma_host.h): every RC operation
 * between two devices with data checked byte for byte, on a clean net and
 * through loss, duplication, reordering and corruption (the repairs show
 * in the counters, guard areas around both MRs stay untouched, every
 * frame comes back), with MRs by address and as lists of pages; a WRITE
 * whose MR is deregistered under it fails cleanly; the same seed gives the same run; virtual time makes
 * a lost frame cost a timeout of no wall-clock time; and the seam refuses
 * bad arguments: a host without its ops, an AF_XDP call on a device of
 * another host, a taken MAC, fault rates out of range, removal while QPs
 * remain; a QP made in two steps (prepare, commit) works as one made in one;
 * GSI QPs (QPN 1) talk to each other through address handles in storage
 * the caller gives (xp_ah_init()).
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <arpa/inet.h>

#include "rdma_host.h"
#include "xp_log.h"
#include "xp_mem_net.h"
#include "xp_roce_pkt.h"
#include "xp_rdma_xsk.h"
#include "xp_test.h"
#include "xt_rc_pair.h"

/* One run of work: what was posted on side 0, what came back. */
struct job {
	struct xt_rc_pair *p;
	int want[2]; /* completions expected per side */
	int got[2];
	int errors; /* completions with a status other than success */
	__u64 next_wr_id; /* side 0's send completions come in posting order */
	bool out_of_order;
	enum xp_wc_status last_status[2]; /* of each side's last completion */
};

static bool job_done(void *arg)
{
	struct job *j = arg;
	struct xp_wc wc[16];
	int side, n, k;

	for (side = 0; side < 2; side++) {
		n = xp_cq_poll(j->p->cq[side], 16, wc);
		for (k = 0; k < n; k++) {
			j->got[side]++;
			j->last_status[side] = wc[k].status;
			if (wc[k].status != XP_WC_SUCCESS) {
				j->errors++;
				xt_note("side %d wr_id %llu: %s", side,
					(unsigned long long)wc[k].wr_id,
					xp_wc_status_str(wc[k].status));
			}
			if (side == 0 && !(wc[k].opcode & XP_WC_RECV)) {
				if (wc[k].wr_id != j->next_wr_id)
					j->out_of_order = true;
				j->next_wr_id++;
			}
		}
	}
	return j->got[0] >= j->want[0] && j->got[1] >= j->want[1];
}

static __u64 va(const __u8 *p)
{
	return (__u64)(uintptr_t)p;
}

/* Bytes of side 1's buffer each operation uses (apart, so all run at once). */
#define SZ 65536u
#define OFF_WRITE 0
#define OFF_READ SZ
#define OFF_SEND (2 * SZ)
#define OFF_IMM (3 * SZ - 4096)
#define OFF_ATOMIC (3 * SZ - 64)

/*
 * Post on side 0: WRITE, READ, SEND (a receive on side 1), WRITE WITH IMM
 * (a receive for the immediate), compare-swap and fetch-add; run the net.
 */
static int run_ops(struct xt_rc_pair *p, struct job *j, __u64 limit_ns)
{
	__u8 *a = p->buf[0], *b = p->buf[1];
	__u32 lk0 = xp_mr_lkey(p->mr[0]), lk1 = xp_mr_lkey(p->mr[1]), rk1 = xp_mr_rkey(p->mr[1]);
	struct xp_sge s_write = { va(a + OFF_WRITE), SZ, lk0 };
	struct xp_sge s_read = { va(a + OFF_READ), SZ, lk0 };
	struct xp_sge s_send = { va(a + OFF_SEND), SZ - 4096, lk0 };
	struct xp_sge s_imm = { va(a + OFF_IMM), 4000, lk0 };
	struct xp_sge s_cas = { va(a + OFF_ATOMIC), 8, lk0 };
	struct xp_sge s_fadd = { va(a + OFF_ATOMIC + 8), 8, lk0 };
	struct xp_sge r_send = { va(b + OFF_SEND), SZ - 4096, lk1 };
	struct xp_recv_wr rwr[2] = {
		{ .wr_id = 100, .sg_list = &r_send, .num_sge = 1 },
		{ .wr_id = 101, .sg_list = NULL, .num_sge = 0 },
	};
	struct xp_send_wr wr[6] = {
		{ .opcode = XP_WR_RDMA_WRITE,
		  .sg_list = &s_write,
		  .num_sge = 1,
		  .rdma = { va(b + OFF_WRITE), rk1 } },
		{ .opcode = XP_WR_RDMA_READ,
		  .sg_list = &s_read,
		  .num_sge = 1,
		  .rdma = { va(b + OFF_READ), rk1 } },
		{ .opcode = XP_WR_SEND, .sg_list = &s_send, .num_sge = 1 },
		{ .opcode = XP_WR_RDMA_WRITE_WITH_IMM,
		  .sg_list = &s_imm,
		  .num_sge = 1,
		  .imm_data = htonl(0x12345678),
		  .rdma = { va(b + OFF_IMM), rk1 } },
		{ .opcode = XP_WR_ATOMIC_CMP_AND_SWP,
		  .sg_list = &s_cas,
		  .num_sge = 1,
		  .atomic = { .remote_addr = va(b + OFF_ATOMIC),
			      .compare_add = 0x1111,
			      .swap = 0x2222,
			      .rkey = rk1 } },
		{ .opcode = XP_WR_ATOMIC_FETCH_AND_ADD,
		  .sg_list = &s_fadd,
		  .num_sge = 1,
		  .atomic = { .remote_addr = va(b + OFF_ATOMIC + 8),
			      .compare_add = 5,
			      .rkey = rk1 } },
	};
	struct xp_recv_wr *rbad;
	struct xp_send_wr *bad;
	__u32 i;
	int err;

	for (i = 0; i < SZ; i++) {
		a[OFF_WRITE + i] = (__u8)(i * 7 + 1);
		b[OFF_READ + i] = (__u8)(i * 13 + 3);
		a[OFF_SEND + i] = (__u8)(i * 5 + 2);
	}
	memcpy(b + OFF_ATOMIC, &(__u64){ 0x1111 }, 8);
	memcpy(b + OFF_ATOMIC + 8, &(__u64){ 1000 }, 8);
	err = xp_qp_post_recv(p->qp[1], rwr, &rbad);
	err = err ?: xp_qp_post_recv(p->qp[1], rwr + 1, &rbad);
	for (i = 0; i < 6 && !err; i++) {
		wr[i].wr_id = i;
		wr[i].send_flags = XP_SEND_SIGNALED;
		err = xp_qp_post_send(p->qp[0], &wr[i], &bad);
	}
	if (err)
		return err;
	*j = (struct job){ .p = p, .want = { 6, 2 } };
	return xp_mem_net_run(p->net, limit_ns, job_done, j);
}

/* Every byte each operation moved, as the peer saw it. */
static bool ops_data_ok(const struct xt_rc_pair *p)
{
	const __u8 *a = p->buf[0], *b = p->buf[1];
	__u64 cas_old, cas_now, fadd_old, fadd_now;

	memcpy(&cas_old, a + OFF_ATOMIC, 8);
	memcpy(&fadd_old, a + OFF_ATOMIC + 8, 8);
	memcpy(&cas_now, b + OFF_ATOMIC, 8);
	memcpy(&fadd_now, b + OFF_ATOMIC + 8, 8);
	return !memcmp(a + OFF_WRITE, b + OFF_WRITE, SZ - 4096) &&
	       !memcmp(a + OFF_READ, b + OFF_READ, SZ) &&
	       !memcmp(a + OFF_SEND, b + OFF_SEND, SZ - 4096) &&
	       !memcmp(a + OFF_IMM, b + OFF_IMM, 4000) && cas_old == 0x1111 && cas_now == 0x2222 &&
	       fadd_old == 1000 && fadd_now == 1005;
}

/* A pair, every operation, the checks; *stats and *now_ns for comparisons. */
static void ops_case(const char *name, const struct xt_rc_pair_opts *o,
		     struct xp_mem_net_stats *stats, __u64 *now_ns, struct xp_qp_stats *qs)
{
	struct xt_rc_pair p;
	struct job j;
	int err;

	err = xt_rc_pair_open(&p, o);
	if (!xt_check(!err, "%s: pair opens", name))
		return;
	err = run_ops(&p, &j, 60 * XP_MEM_SEC);
	xt_check(!err && !j.errors,
		 "%s: 6 operations and 2 receives complete (run %d, %d+%d completions, %d errors)",
		 name, err, j.got[0], j.got[1], j.errors);
	xt_check(!j.out_of_order, "%s: send completions in posting order", name);
	xt_check(ops_data_ok(&p), "%s: WRITE, READ, SEND, WRITE WITH IMM, atomics: data checked",
		 name);
	xt_check(xt_rc_pair_guards_ok(&p), "%s: guard areas around both MRs untouched", name);
	*stats = *xp_mem_net_stats(p.net);
	*now_ns = xp_mem_net_now(p.net) - XP_MEM_SEC;
	*qs = *xp_qp_stats(p.qp[0]);
	/* Quiet net, then every frame must be back. */
	while (xp_mem_net_pending(p.net))
		xp_mem_net_step(p.net, 64);
	xt_check(xp_mem_net_frames_in_use(p.net) == 0, "%s: every frame came back (%u in use)",
		 name, xp_mem_net_frames_in_use(p.net));
	xt_check(!xt_rc_pair_close(&p), "%s: everything destroyed without a refusal", name);
}

static void test_clean(void)
{
	struct xt_rc_pair_opts o = { 0 };
	struct xp_mem_net_stats s;
	struct xp_qp_stats qs;
	__u64 t;

	ops_case("clean net", &o, &s, &t, &qs);
	xt_check(!s.lost && !s.duplicated && !qs.retransmits && !qs.timeouts,
		 "clean net: nothing lost, nothing retransmitted (%llu retransmits)",
		 (unsigned long long)qs.retransmits);
	xt_check(t < XP_MEM_SEC / 1000, "clean net: no timer waited (%llu ns of virtual time)",
		 (unsigned long long)t);
}

static void test_faults(void)
{
	struct xt_rc_pair_opts o = { .net = { .loss_ppm = 20000,
					      .dup_ppm = 10000,
					      .reorder_ppm = 20000,
					      .corrupt_ppm = 10000,
					      .seed = 42 } };
	struct xp_mem_net_stats s, s2;
	struct xp_qp_stats qs, qs2;
	__u64 t, t2;
	struct timespec w0, w1;
	double wall;

	clock_gettime(CLOCK_MONOTONIC, &w0);
	ops_case("2% loss, 1% dup, 2% reorder, 1% corrupt", &o, &s, &t, &qs);
	clock_gettime(CLOCK_MONOTONIC, &w1);
	wall = (w1.tv_sec - w0.tv_sec) + (w1.tv_nsec - w0.tv_nsec) / 1e9;
	xt_check(
		s.lost && s.duplicated && s.reordered && s.corrupted,
		"faults happened: %llu lost, %llu duplicated, %llu reordered, %llu corrupted of %llu sent",
		(unsigned long long)s.lost, (unsigned long long)s.duplicated,
		(unsigned long long)s.reordered, (unsigned long long)s.corrupted,
		(unsigned long long)s.sent);
	xt_check(qs.retransmits > 0,
		 "the requester repaired them: %llu retransmits, %llu timeouts, %llu sequence NAKs",
		 (unsigned long long)qs.retransmits, (unsigned long long)qs.timeouts,
		 (unsigned long long)qs.seq_naks_rcvd);
	xt_note("virtual time %.3f s, wall-clock %.3f s", t / 1e9, wall);
	ops_case("same seed again", &o, &s2, &t2, &qs2);
	xt_check(!memcmp(&s, &s2, sizeof(s)) && t == t2 && qs.retransmits == qs2.retransmits,
		 "the same seed gives the same run (%llu/%llu frames, %llu/%llu ns)",
		 (unsigned long long)s.sent, (unsigned long long)s2.sent, (unsigned long long)t,
		 (unsigned long long)t2);
	o.net.seed = 43;
	ops_case("another seed", &o, &s2, &t2, &qs2);
	xt_check(memcmp(&s, &s2, sizeof(s)), "another seed gives another run");
}

/* The same with both MRs registered as lists of their pages (a kernel host's MRs). */
static void test_pages(void)
{
	struct xt_rc_pair_opts o = { .paged = true };
	struct xp_mem_net_stats s;
	struct xp_qp_stats qs;
	__u64 t;

	ops_case("MRs of pages", &o, &s, &t, &qs);
	o.net = (struct xp_mem_net_opts){
		.loss_ppm = 20000, .dup_ppm = 10000, .reorder_ppm = 20000, .seed = 7
	};
	ops_case("MRs of pages, 2% loss, 1% dup, 2% reorder", &o, &s, &t, &qs);
	xt_check(qs.retransmits > 0, "MRs of pages: the faults were repaired (%llu retransmits)",
		 (unsigned long long)qs.retransmits);
}

/*
 * An MR deregistered while a WRITE from it still has packets to send (the
 * window holds them back): the WRITE completes with LOC_PROT_ERR, the QP
 * goes to ERR, and nothing reads the memory the MR named any more.
 */
static void test_mr_gone(void)
{
	struct xt_rc_pair_opts o = { 0 };
	struct xt_rc_pair p;
	struct xp_send_wr wr, *bad;
	struct xp_sge sge;
	struct xp_mr *src;
	struct job j;
	int err;

	if (!xt_check(!xt_rc_pair_open(&p, &o), "MR gone: pair opens"))
		return;
	src = xp_mr_reg(p.pd[0], p.buf[0], p.buf_len, 0, NULL);
	sge = (struct xp_sge){ va(p.buf[0]), 3 * SZ, src ? xp_mr_lkey(src) : 0 };
	wr = (struct xp_send_wr){ .wr_id = 7,
				  .opcode = XP_WR_RDMA_WRITE,
				  .send_flags = XP_SEND_SIGNALED,
				  .sg_list = &sge,
				  .num_sge = 1,
				  .rdma = { va(p.buf[1]), xp_mr_rkey(p.mr[1]) } };
	err = xp_qp_post_send(p.qp[0], &wr, &bad);
	xt_check(src && !err && xp_qp_stats(p.qp[0])->tx_pkts < 3 * SZ / 1024,
		 "MR gone: a %u-packet WRITE posted, %llu packets sent at once", 3 * SZ / 1024,
		 (unsigned long long)xp_qp_stats(p.qp[0])->tx_pkts);
	xt_check(src && !xp_mr_dereg(src), "MR gone: its source MR deregistered meanwhile");
	j = (struct job){ .p = &p, .want = { 1, 0 } };
	err = xp_mem_net_run(p.net, XP_MEM_SEC, job_done, &j);
	xt_check(!err && j.got[0] == 1 && j.last_status[0] == XP_WC_LOC_PROT_ERR,
		 "MR gone: the WRITE completes with %s (run %d, %d completions)",
		 xp_wc_status_str(j.last_status[0]), err, j.got[0]);
	xt_check(xp_qp_state(p.qp[0]) == XP_QPS_ERR, "MR gone: the QP is in ERR");
	while (xp_mem_net_pending(p.net))
		xp_mem_net_step(p.net, 64);
	xt_check(!xt_rc_pair_close(&p), "MR gone: everything destroyed, every frame back");
}

/* Every frame lost for a while: timeouts in virtual time, then recovery. */
static bool drop_all;
static bool tap_drop(void *arg, __u8 *frame, __u32 *len, __u32 size)
{
	return !drop_all;
}

static __u64 want_events;
static bool past(void *arg)
{
	struct xt_rc_pair *p = arg;

	return xp_qp_stats(p->qp[0])->timeouts >= want_events;
}

static void test_timeouts(void)
{
	struct xt_rc_pair_opts o = { .timeout = 14 };
	struct xt_rc_pair p;
	struct job j;
	__u64 t0, tx;
	int err;

	if (!xt_check(!xt_rc_pair_open(&p, &o), "timeouts: pair opens"))
		return;
	xp_mem_net_set_tap(p.net, tap_drop, NULL);
	drop_all = true;
	/* Post, let three local ACK timeouts (67 ms each) expire, then heal. */
	{
		struct xp_sge s = { va(p.buf[0]), 4096, xp_mr_lkey(p.mr[0]) };
		struct xp_send_wr wr = { .wr_id = 0,
					 .opcode = XP_WR_RDMA_WRITE,
					 .sg_list = &s,
					 .num_sge = 1,
					 .send_flags = XP_SEND_SIGNALED,
					 .rdma = { va(p.buf[1]), xp_mr_rkey(p.mr[1]) } };
		struct xp_send_wr *bad;

		memset(p.buf[0], 0x5a, 4096);
		xt_check(!xp_qp_post_send(p.qp[0], &wr, &bad), "timeouts: WRITE posted");
	}
	t0 = xp_mem_net_now(p.net);
	want_events = 1;
	err = xp_mem_net_run(p.net, 10 * XP_MEM_SEC, past, &p);
	tx = xp_qp_stats(p.qp[0])->tx_pkts;
	xt_check(!err && tx == 4 + 1,
		 "the WRITE's 4 packets, then one after the first timeout (%llu)",
		 (unsigned long long)tx);
	want_events = 3;
	err = xp_mem_net_run(p.net, 10 * XP_MEM_SEC, past, &p);
	xt_check(!err && xp_mem_net_now(p.net) - t0 >= 3 * 67000000ull,
		 "three timeouts passed in virtual time (%.3f s)",
		 (xp_mem_net_now(p.net) - t0) / 1e9);
	/* Go-back-N would send the 4 packets again each time. */
	xt_check(xp_qp_stats(p.qp[0])->tx_pkts == tx + 2,
		 "each further timeout sends one packet (a probe), not the window (%llu packets)",
		 (unsigned long long)xp_qp_stats(p.qp[0])->tx_pkts);
	drop_all = false;
	j = (struct job){ .p = &p, .want = { 1, 0 } };
	err = xp_mem_net_run(p.net, 10 * XP_MEM_SEC, job_done, &j);
	xt_check(!err && !j.errors && p.buf[1][4095] == 0x5a,
		 "the WRITE completes once frames pass again (run %d, %d errors)", err, j.errors);
	xt_check(!xt_rc_pair_close(&p), "timeouts: everything destroyed");
}

/*
 * A READ whose responses are all lost: after the timeout the requester
 * probes with a READ request for one packet, not for the rest of the READ
 * (the responder may be streaming it still); the READ completes once
 * frames pass again.
 */
static __u32 read_req_len[8], nread_req;
static bool tap_read(void *arg, __u8 *frame, __u32 *len, __u32 size)
{
	struct xp_roce_pkt pkt;

	if (xp_roce_parse(frame, *len, 0, &pkt))
		return true;
	if ((pkt.h.opcode & ~XP_OP_TRANSPORT_MASK) == XP_OP_READ_REQUEST && nread_req < 8)
		read_req_len[nread_req++] = pkt.h.reth.len;
	/* While drop_all, every READ response is lost. */
	return !(drop_all && (pkt.h.opcode & ~XP_OP_TRANSPORT_MASK) >= XP_OP_READ_RESPONSE_FIRST &&
		 (pkt.h.opcode & ~XP_OP_TRANSPORT_MASK) <= XP_OP_READ_RESPONSE_ONLY);
}

static void test_read_probe(void)
{
	struct xt_rc_pair_opts o = { .timeout = 14 };
	struct xt_rc_pair p;
	struct xp_sge s;
	struct xp_send_wr wr = { .opcode = XP_WR_RDMA_READ,
				 .sg_list = &s,
				 .num_sge = 1,
				 .send_flags = XP_SEND_SIGNALED };
	struct xp_send_wr *bad;
	struct job j;
	int err;

	if (!xt_check(!xt_rc_pair_open(&p, &o), "READ probe: pair opens"))
		return;
	s = (struct xp_sge){ va(p.buf[0]), 8192, xp_mr_lkey(p.mr[0]) };
	wr.rdma.remote_addr = va(p.buf[1]);
	wr.rdma.rkey = xp_mr_rkey(p.mr[1]);
	memset(p.buf[1], 0x6b, 8192);
	nread_req = 0;
	drop_all = true;
	xp_mem_net_set_tap(p.net, tap_read, NULL);
	xt_check(!xp_qp_post_send(p.qp[0], &wr, &bad), "READ probe: an 8-packet READ posted");
	want_events = 1;
	err = xp_mem_net_run(p.net, 10 * XP_MEM_SEC, past, &p);
	/* The probe goes right after the timeout: let it out. */
	xp_mem_net_step(p.net, 64);
	xt_check(!err && nread_req >= 2 && read_req_len[0] == 8192 && read_req_len[1] == 1024,
		 "after the timeout the READ asks for one packet (requests of %u, then %u bytes)",
		 read_req_len[0], nread_req > 1 ? read_req_len[1] : 0);
	drop_all = false;
	j = (struct job){ .p = &p, .want = { 1, 0 } };
	err = xp_mem_net_run(p.net, 10 * XP_MEM_SEC, job_done, &j);
	xt_check(
		!err && !j.errors && p.buf[0][0] == 0x6b && p.buf[0][8191] == 0x6b,
		"the READ completes with its data once responses pass (run %d, %d errors, %u requests)",
		err, j.errors, nread_req);
	xt_check(!xt_rc_pair_close(&p), "READ probe: everything destroyed");
}

/*
 * A SEND to a side with no receive posted: RNR NAKs, and after each RNR
 * wait one packet (a probe), not the whole SEND again; then a receive is
 * posted and the SEND completes.
 */
static bool rnr_naks(void *arg)
{
	struct xt_rc_pair *p = arg;

	return xp_qp_stats(p->qp[0])->rnr_naks_rcvd >= want_events;
}

static void test_rnr(void)
{
	struct xt_rc_pair_opts o = {};
	struct xt_rc_pair p;
	struct xp_sge s, r;
	struct xp_send_wr wr = {
		.opcode = XP_WR_SEND, .sg_list = &s, .num_sge = 1, .send_flags = XP_SEND_SIGNALED
	};
	struct xp_recv_wr rwr = { .wr_id = 7, .sg_list = &r, .num_sge = 1 };
	struct xp_send_wr *bad;
	struct xp_recv_wr *rbad;
	struct job j;
	__u64 tx;
	int err;

	if (!xt_check(!xt_rc_pair_open(&p, &o), "RNR: pair opens"))
		return;
	s = (struct xp_sge){ va(p.buf[0]), 8192, xp_mr_lkey(p.mr[0]) };
	r = (struct xp_sge){ va(p.buf[1]), 8192, xp_mr_lkey(p.mr[1]) };
	memset(p.buf[0], 0x3c, 8192);
	xt_check(!xp_qp_post_send(p.qp[0], &wr, &bad), "RNR: an 8-packet SEND posted, no receive");
	want_events = 1;
	err = xp_mem_net_run(p.net, 10 * XP_MEM_SEC, rnr_naks, &p);
	tx = xp_qp_stats(p.qp[0])->tx_pkts;
	want_events = 4;
	err = err ?: xp_mem_net_run(p.net, 10 * XP_MEM_SEC, rnr_naks, &p);
	xt_check(
		!err && xp_qp_stats(p.qp[0])->tx_pkts == tx + 3,
		"after each further RNR NAK one packet goes, not the SEND (%llu, then %llu packets)",
		(unsigned long long)tx, (unsigned long long)xp_qp_stats(p.qp[0])->tx_pkts);
	xt_check(!xp_qp_post_recv(p.qp[1], &rwr, &rbad), "RNR: a receive posted");
	j = (struct job){ .p = &p, .want = { 1, 1 } };
	err = xp_mem_net_run(p.net, 10 * XP_MEM_SEC, job_done, &j);
	xt_check(!err && !j.errors && p.buf[1][8191] == 0x3c,
		 "the SEND completes on both sides once a receive is there (run %d, %d errors)",
		 err, j.errors);
	xt_check(!xt_rc_pair_close(&p), "RNR: everything destroyed");
}

/*
 * Destroying a QP whose responder holds backlogged requests gives their
 * frames back: a 20 KiB READ at path MTU 256 (80 response packets, more
 * than one burst) keeps b's responder busy while 8 WRITEs arrive.
 */
static void test_destroy_backlog(void)
{
	struct xt_rc_pair_opts o = { .mtu = XP_MTU_256 };
	__u32 lk0, rk1, i, kept = 0, k;
	struct xp_send_wr *bad;
	struct xt_rc_pair p;
	int err = 0;

	if (!xt_check(!xt_rc_pair_open(&p, &o), "backlog: pair opens"))
		return;
	lk0 = xp_mr_lkey(p.mr[0]);
	rk1 = xp_mr_rkey(p.mr[1]);
	for (i = 0; i < 9 && !err; i++) {
		struct xp_sge s = { va(p.buf[0] + i * 24576), i ? 256 : 20480, lk0 };
		struct xp_send_wr wr = { .wr_id = i,
					 .sg_list = &s,
					 .num_sge = 1,
					 .opcode = i ? XP_WR_RDMA_WRITE : XP_WR_RDMA_READ,
					 .rdma = { va(p.buf[1] + i * 4096), rk1 } };

		err = xp_qp_post_send(p.qp[0], &wr, &bad);
	}
	xt_check(!err, "backlog: a READ and 8 WRITEs posted");
	for (k = 0; k < 8 && !kept; k++) {
		xp_mem_net_step(p.net, 64);
		kept = xp_mem_net_frames_in_use(p.net) - xp_mem_net_pending(p.net);
	}
	xt_check(kept > 0, "backlog: b's busy responder keeps requests (%u frames after %u steps)",
		 kept, k);
	xt_check(!xp_qp_destroy(p.qp[1]), "backlog: b's QP destroyed while it holds them");
	p.qp[1] = NULL;
	kept = xp_mem_net_frames_in_use(p.net) - xp_mem_net_pending(p.net);
	xt_check(kept == 0, "backlog: its frames came back at once (%u still kept)", kept);
	xt_check(!xt_rc_pair_close(&p), "backlog: everything destroyed, no frame left");
}

static int quiet(enum xp_print_level level, const char *fmt, va_list ap)
{
	return 0;
}

static void test_bad_args(void)
{
	struct xp_mem_net_opts no = { .sz = sizeof(no), .loss_ppm = 600000, .dup_ppm = 500000 };
	struct xp_rdma_host_ops ops = { 0 };
	struct xp_rdma_core_attr ca = {
		.sz = sizeof(ca), .name = "x", .mtu = XP_MTU_1024, .ops = &ops
	};
	struct xp_mem_dev_opts d = { .sz = sizeof(d), .mac = { 2, 0, 0, 0, 0, 1 } };
	struct xp_mem_net *net;
	struct xp_rdma_dev *dev;
	struct xt_rc_pair p;
	struct xt_rc_pair_opts o = { 0 };
	struct xp_xsk_stats xs;

	xp_set_print(quiet);
	errno = 0;
	xt_check(!xp_mem_net_create(&no) && errno == EINVAL,
		 "a net refuses loss + dup above 1000000 ppm (EINVAL)");
	errno = 0;
	xt_check(!xp_rdma_core_create(&ca) && errno == EINVAL,
		 "the core refuses a host without its ops (EINVAL)");
	no = (struct xp_mem_net_opts){ .sz = sizeof(no) };
	net = xp_mem_net_create(&no);
	if (!xt_check(net, "a clean net opens"))
		return;
	dev = xp_mem_dev_add(net, &d);
	errno = 0;
	xt_check(dev && !xp_mem_dev_add(net, &d) && errno == EEXIST,
		 "a second device with the same MAC is refused (EEXIST)");
	d.mac[0] = 1;
	errno = 0;
	xt_check(!xp_mem_dev_add(net, &d) && errno == EINVAL,
		 "a multicast MAC is refused (EINVAL)");
	xt_check(xp_rdma_dev_poll(dev, 1) == -EINVAL && xp_rdma_dev_ifindex(dev) == -EINVAL &&
			 xp_rdma_dev_xsk_stats(dev, &xs) == -EINVAL &&
			 xp_rdma_dev_close(dev) == -EINVAL,
		 "AF_XDP calls on an in-memory device are refused (EINVAL), nothing freed");
	xt_check(xp_mem_net_destroy(net) == -EBUSY, "a net with a device is not destroyed (EBUSY)");
	xt_check(!xp_mem_dev_remove(dev) && !xp_mem_net_destroy(net),
		 "device removed, then the net destroyed");

	if (xt_check(!xt_rc_pair_open(&p, &o), "pair opens")) {
		xt_check(xp_mem_dev_remove(p.dev[0]) == -EBUSY,
			 "a device with QPs, MRs and a PD is not removed (EBUSY)");
		xt_check(!xt_rc_pair_close(&p), "pair closes");
	}
	xp_set_print(NULL);
}

/* QPN ranges: where a device numbers its QPs, and the ranges refused. */
static void test_qpn_first(void)
{
	static const struct {
		__u32 first, max_qp;
		bool ok;
	} r[] = {
		{ 16, 0, false }, /* 0..16 are special or reserved */
		{ 17, 0, true },	 { 0xffffff, 1, false }, /* the multicast QPN */
		{ 0xfffffe, 1, true },	 { 0xffff00, 256, false }, /* its last would be 0xffffff */
		{ 0xfffeff, 256, true },
	};
	struct xp_mem_net_opts no = { .sz = sizeof(no) };
	struct xp_mem_dev_opts d = { .sz = sizeof(d), .mac = { 2, 0, 0, 0, 0, 1 } };
	struct xt_rc_pair_opts o = { .qpn_first = { 0, 0x800000 } };
	struct xp_rdma_dev *dev;
	struct xp_mem_net *net;
	struct xt_rc_pair p;
	unsigned int i;
	struct job j;
	int err;

	xp_set_print(quiet);
	net = xp_mem_net_create(&no);
	if (!xt_check(net, "qpn_first: a net opens"))
		return;
	for (i = 0; i < sizeof(r) / sizeof(r[0]); i++) {
		d.qpn_first = r[i].first;
		d.max_qp = r[i].max_qp;
		errno = 0;
		dev = xp_mem_dev_add(net, &d);
		xt_check(r[i].ok ? !!dev : !dev && errno == EINVAL, "qpn_first %#x with %u QPs: %s",
			 r[i].first, r[i].max_qp ?: 256, r[i].ok ? "taken" : "refused (EINVAL)");
		xp_mem_dev_remove(dev);
	}
	xp_mem_net_destroy(net);

	if (!xt_check(!xt_rc_pair_open(&p, &o), "qpn_first: a pair, side b from 0x800000"))
		goto out;
	xt_check(xp_qp_num(p.qp[0]) >= XP_RDMA_QPN_FIRST && xp_qp_num(p.qp[0]) < 0x800000 &&
			 xp_qp_num(p.qp[1]) >= 0x800000 && xp_qp_num(p.qp[1]) < 0x800000 + 256,
		 "qpn_first: QPNs %#x and %#x, each in its device's range", xp_qp_num(p.qp[0]),
		 xp_qp_num(p.qp[1]));
	err = run_ops(&p, &j, 60 * XP_MEM_SEC);
	xt_check(!err && !j.errors && ops_data_ok(&p),
		 "qpn_first: the pair works across ranges (run %d, %d errors)", err, j.errors);
	xt_check(!xt_rc_pair_close(&p), "qpn_first: pair closes, nothing left over");
out:
	xp_set_print(NULL);
}

/* xp_qp_prepare() + xp_qp_commit(), as the kernel host makes its QPs. */
static void test_two_step_qp(void)
{
	struct xt_rc_pair p;
	struct xt_rc_pair_opts o = { 0 };
	struct xp_qp_init_attr qa = {
		.sz = sizeof(qa),
		.qp_type = XP_QPT_RC,
		.cap = { .max_send_wr = 4, .max_recv_wr = 4, .max_send_sge = 1, .max_recv_sge = 1 },
	};
	struct xp_qp *qp, *ud;
	struct job j;
	int err;

	xp_set_print(quiet);
	if (!xt_check(!xt_rc_pair_open(&p, &o), "two-step: pair opens"))
		goto out;
	qa.pd = p.pd[0];
	qa.send_cq = qa.recv_cq = p.cq[0];
	if (xp_qp_prepare(p.dev[0], &qa, &qp))
		qp = NULL;
	qa.qp_type = XP_QPT_UD;
	if (xp_qp_prepare(p.dev[0], &qa, &ud))
		ud = NULL;
	xt_check(qp && ud && !xp_qp_num(qp) && xp_qp_state(qp) == XP_QPS_RESET,
		 "two-step: prepared QPs have no QPN yet");
	xt_check(qp && xp_qp_destroy(qp) == -EINVAL, "two-step: destroying a prepared QP refused");
	xt_check(qp && !xp_qp_commit(qp) && xp_qp_num(qp) >= XP_RDMA_QPN_FIRST,
		 "two-step: commit gives a QPN");
	xt_check(qp && xp_qp_commit(qp) == -EINVAL, "two-step: committing twice refused");
	xp_qp_discard(qp); /* refused: it is committed */
	xt_check(xp_pd_free(p.pd[0]) == -EBUSY, "two-step: a committed QP holds its PD");
	xp_qp_discard(ud); /* prepared only: freed, held nothing (ASan would see a leak) */
	xt_check(qp && !xp_qp_destroy(qp), "two-step: the committed QP destroyed");
	err = run_ops(&p, &j, 60 * XP_MEM_SEC);
	xt_check(!err && !j.errors && ops_data_ok(&p),
		 "two-step: the pair still works (run %d, %d errors)", err, j.errors);
	xt_check(!xt_rc_pair_close(&p), "two-step: pair closes, nothing left over");
out:
	xp_set_print(NULL);
}

/* A GSI QP's receive completed on side i's CQ: set *got. */
struct gsi_wait {
	struct xp_cq *cq;
	struct xp_wc wc;
	int got;
};

static bool gsi_done(void *arg)
{
	struct gsi_wait *w = arg;

	if (!w->got)
		w->got = xp_cq_poll(w->cq, 1, &w->wc);
	return w->got != 0;
}

static void test_gsi(void)
{
	struct xt_rc_pair p;
	struct xt_rc_pair_opts o = { .ud = true };
	struct xp_qp_init_attr qa = {
		.sz = sizeof(qa),
		.qp_type = XP_QPT_UD,
		.cap = { .max_send_wr = 4, .max_recv_wr = 4, .max_send_sge = 1, .max_recv_sge = 1 },
		.gsi = true,
	};
	static const int mask[3] = { XP_QP_STATE | XP_QP_PKEY_INDEX | XP_QP_PORT | XP_QP_QKEY,
				     XP_QP_STATE, XP_QP_STATE | XP_QP_SQ_PSN };
	static const enum xp_qp_state to[3] = { XP_QPS_INIT, XP_QPS_RTR, XP_QPS_RTS };
	_Alignas(8) __u8 store[XP_AH_STORAGE];
	struct xp_ah *ah = (struct xp_ah *)store;
	struct xp_ah_attr aa = { .port_num = 1, .sgid_index = 1 };
	struct xp_qp *gsi[2] = { NULL, NULL }, *extra;
	struct xp_sge sge;
	struct xp_recv_wr rwr = { .wr_id = 7, .sg_list = &sge, .num_sge = 1 }, *rbad;
	struct xp_send_wr swr = { .wr_id = 8,
				  .sg_list = &sge,
				  .num_sge = 1,
				  .opcode = XP_WR_SEND,
				  .send_flags = XP_SEND_SIGNALED },
			  *sbad;
	struct gsi_wait w = { 0 };
	int i, k, err = 0;

	xp_set_print(quiet);
	if (!xt_check(!xt_rc_pair_open(&p, &o), "gsi: UD pair opens"))
		goto out;
	for (i = 0; i < 2 && !err; i++) {
		qa.pd = p.pd[i];
		qa.send_cq = qa.recv_cq = p.cq[i];
		gsi[i] = xp_qp_create(p.dev[i], &qa);
		err = gsi[i] ? 0 : -errno;
		for (k = 0; k < 3 && !err; k++) {
			struct xp_qp_attr a = {
				.qp_state = to[k], .port_num = 1, .qkey = 0x80010000, .sq_psn = 5
			};

			err = xp_qp_modify(gsi[i], &a, mask[k]);
		}
	}
	if (!xt_check(!err && xp_qp_num(gsi[0]) == XP_RDMA_QPN_GSI &&
			      xp_qp_num(gsi[1]) == XP_RDMA_QPN_GSI,
		      "gsi: a GSI QP on each device, QPN 1, in RTS (%d)", err))
		goto out_close;
	qa.pd = p.pd[0];
	qa.send_cq = qa.recv_cq = p.cq[0];
	errno = 0;
	extra = xp_qp_create(p.dev[0], &qa);
	xt_check(!extra && errno == EBUSY, "gsi: a second GSI QP on a device refused (EBUSY)");
	qa.gsi = false;
	extra = xp_qp_create(p.dev[0], &qa);
	xt_check(extra && xp_qp_num(extra) >= XP_RDMA_QPN_FIRST,
		 "gsi: other QPs keep their QPNs from %u", XP_RDMA_QPN_FIRST);
	xp_qp_destroy(extra);
	qa.qp_type = XP_QPT_RC;
	qa.gsi = true;
	xt_check(xp_qp_prepare(p.dev[0], &qa, &extra) == -EINVAL, "gsi: an RC GSI QP refused");

	memcpy(aa.dgid, p.gid[1], 16);
	xt_check(xp_ah_init(p.dev[0], &aa, ah) == 0, "gsi: an AH in the caller's storage");
	aa.sgid_index = 9;
	xt_check(xp_ah_init(p.dev[0], &aa, ah) == -EINVAL && xp_ah_init(NULL, &aa, ah) == -EINVAL,
		 "gsi: xp_ah_init() refuses an empty GID index and a NULL device");
	aa.sgid_index = 1;
	xp_ah_init(p.dev[0], &aa, ah);

	/* Side 0's GSI QP sends 200 bytes to QP 1 of side 1. */
	memset(p.buf[1], 0, 512);
	sge = (struct xp_sge){ .addr = (uintptr_t)p.buf[1],
			       .length = 512,
			       .lkey = xp_mr_lkey(p.mr[1]) };
	err = xp_qp_post_recv(gsi[1], &rwr, &rbad);
	for (k = 0; k < 200; k++)
		p.buf[0][k] = k + 3;
	sge = (struct xp_sge){ .addr = (uintptr_t)p.buf[0],
			       .length = 200,
			       .lkey = xp_mr_lkey(p.mr[0]) };
	swr.ud.ah = ah;
	swr.ud.remote_qpn = XP_RDMA_QPN_GSI;
	swr.ud.remote_qkey = 0x80010000;
	err = err ?: xp_qp_post_send(gsi[0], &swr, &sbad);
	w.cq = p.cq[1];
	err = err ?: xp_mem_net_run(p.net, XP_MEM_SEC, gsi_done, &w);
	xt_check(!err && w.got == 1 && w.wc.status == XP_WC_SUCCESS && w.wc.wr_id == 7 &&
			 w.wc.qp_num == XP_RDMA_QPN_GSI && w.wc.src_qp == XP_RDMA_QPN_GSI &&
			 w.wc.byte_len == XP_GRH_LEN + 200 && (w.wc.wc_flags & XP_WC_GRH) &&
			 !memcmp(p.buf[1] + XP_GRH_LEN, p.buf[0], 200),
		 "gsi: QP 1 to QP 1: received with its GRH, source QP 1, data in place (%d)", err);
out_close:
	for (i = 0; i < 2; i++)
		if (gsi[i])
			xp_qp_destroy(gsi[i]);
	xt_check(!xt_rc_pair_close(&p), "gsi: pair closes, nothing left over");
out:
	xp_set_print(NULL);
}

int main(void)
{
	test_clean();
	test_faults();
	test_pages();
	test_mr_gone();
	test_timeouts();
	test_rnr();
	test_read_probe();
	test_destroy_backlog();
	test_bad_args();
	test_two_step_qp();
	test_qpn_first();
	test_gsi();
	return xt_summary();
}
