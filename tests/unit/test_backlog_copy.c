// SPDX-License-Identifier: GPL-2.0
/*
 * Requests for a busy responder from a host that lends no frame (as
 * xp_rxe's XDP path lends none), on the in-memory net (opts.no_lend):
 * RDMA READs posted back to back, each of several response packets, as an
 * iSER target posts them. A READ that comes while the responder streams
 * another (as many as the requester's window of 128 PSNs lets out) must
 * wait in the core's backlog. With the host op rx_copy
 * (opts.rx_copy) they wait as copies: every READ completes with its data,
 * no request is dropped, nothing is retransmitted, no timer expires, and
 * every copy comes back to the host. Without it (the negative control) the
 * waiting requests are dropped (rx_drops[XP_RDMA_DROP_BACKLOG]) and come
 * again only after the requester's timeout. Copies come back too when
 * the QP holding them is destroyed, and when injected faults deliver a
 * request twice. Time is virtual: the run is the same every time.
 */
#include <stdint.h>
#include <string.h>

#include "xp_mem_net.h"
#include "xp_rdma.h"
#include "xp_test.h"
#include "xt_rc_pair.h"

#define NREADS 8u
/*
 * 80 response packets at path MTU 256: more than the responder sends
 * inline (a burst of 64), so each READ keeps it busy past its request.
 */
#define READ_LEN 20480u

struct run {
	struct xt_rc_pair *p;
	__u32 done, errors;
};

static bool reads_done(void *arg)
{
	struct run *r = arg;
	struct xp_wc wc[16];
	int n, k;

	n = xp_cq_poll(r->p->cq[0], 16, wc);
	for (k = 0; k < n; k++) {
		r->done++;
		if (wc[k].status != XP_WC_SUCCESS) {
			r->errors++;
			xt_note("wr_id %llu: %s", (unsigned long long)wc[k].wr_id,
				xp_wc_status_str(wc[k].status));
		}
	}
	return r->done >= NREADS;
}

/* NREADS READs of side 1's buffer into side 0's, posted in one call. */
static int post_reads(struct xt_rc_pair *p)
{
	struct xp_send_wr wr[NREADS], *bad;
	struct xp_sge sge[NREADS];
	__u32 i;

	for (i = 0; i < READ_LEN * NREADS; i++)
		p->buf[1][i] = (__u8)(i * 7 + i / 251);
	memset(p->buf[0], 0, READ_LEN * NREADS);
	for (i = 0; i < NREADS; i++) {
		sge[i] = (struct xp_sge){ (uintptr_t)(p->buf[0] + i * READ_LEN), READ_LEN,
					  xp_mr_lkey(p->mr[0]) };
		wr[i] = (struct xp_send_wr){
			.wr_id = i,
			.next = i + 1 < NREADS ? &wr[i + 1] : NULL,
			.sg_list = &sge[i],
			.num_sge = 1,
			.opcode = XP_WR_RDMA_READ,
			.send_flags = XP_SEND_SIGNALED,
			.rdma = { (uintptr_t)(p->buf[1] + i * READ_LEN), xp_mr_rkey(p->mr[1]) },
		};
	}
	return xp_qp_post_send(p->qp[0], wr, &bad);
}

struct outcome {
	int err; /* of the run */
	__u32 errors; /* completions in error */
	bool data_ok;
	__u64 ns; /* virtual time the run took */
	__u64 drops; /* responder's rx_drops[XP_RDMA_DROP_BACKLOG] */
	__u64 copies; /* responder's rx_backlog_copies */
	__u64 net_copies; /* the net's rx_copies */
	__u64 retransmits, timeouts; /* the requester's */
	__u32 in_use; /* frames not back after the run */
	int close_err;
};

static void burst(bool rx_copy, struct outcome *o)
{
	struct xt_rc_pair_opts po = { .mtu = XP_MTU_256,
				      .timeout = 14,
				      .net = { .no_lend = true, .rx_copy = rx_copy } };
	const struct xp_rdma_dev_stats *ds;
	const struct xp_qp_stats *qs;
	struct xt_rc_pair p;
	struct run r;
	__u64 t0;

	memset(o, 0, sizeof(*o));
	o->err = xt_rc_pair_open(&p, &po);
	if (o->err)
		return;
	r = (struct run){ .p = &p };
	t0 = xp_mem_net_now(p.net);
	o->err = post_reads(&p);
	if (!o->err)
		o->err = xp_mem_net_run(p.net, 30 * XP_MEM_SEC, reads_done, &r);
	o->ns = xp_mem_net_now(p.net) - t0;
	o->errors = r.errors;
	o->data_ok = !memcmp(p.buf[0], p.buf[1], READ_LEN * NREADS);
	while (xp_mem_net_pending(p.net))
		xp_mem_net_step(p.net, 64);
	ds = xp_rdma_dev_stats(p.dev[1]);
	o->drops = ds->rx_drops[XP_RDMA_DROP_BACKLOG];
	o->copies = ds->rx_backlog_copies;
	o->net_copies = xp_mem_net_stats(p.net)->rx_copies;
	qs = xp_qp_stats(p.qp[0]);
	o->retransmits = qs->retransmits;
	o->timeouts = qs->timeouts;
	o->in_use = xp_mem_net_frames_in_use(p.net);
	o->close_err = xt_rc_pair_close(&p);
}

static void test_burst_copy(void)
{
	struct outcome o, o2;

	burst(true, &o);
	xt_check(
		!o.err && !o.errors && o.data_ok,
		"copies: %u READs of %u bytes posted back to back complete with their data (run %d, %u errors)",
		NREADS, READ_LEN, o.err, o.errors);
	xt_check(
		o.copies > 0,
		"copies: READs that came while another streamed waited as copies (%llu of %u READs)",
		(unsigned long long)o.copies, NREADS);
	xt_check(o.net_copies == o.copies,
		 "copies: the host made each (%llu) the core counted (%llu)",
		 (unsigned long long)o.net_copies, (unsigned long long)o.copies);
	xt_check(!o.drops, "copies: no request dropped from the backlog (%llu)",
		 (unsigned long long)o.drops);
	xt_check(!o.retransmits && !o.timeouts,
		 "copies: nothing retransmitted (%llu), no timeout (%llu)",
		 (unsigned long long)o.retransmits, (unsigned long long)o.timeouts);
	xt_check(o.ns < XP_MEM_SEC / 1000, "copies: no timer waited (%llu ns of virtual time)",
		 (unsigned long long)o.ns);
	xt_check(!o.in_use && !o.close_err,
		 "copies: every copy came back (%u frames in use), the pair closes (%d)", o.in_use,
		 o.close_err);
	burst(true, &o2);
	xt_check(!memcmp(&o, &o2, sizeof(o)), "copies: a second run is the same");
}

static void test_burst_no_copy(void)
{
	struct outcome o;

	burst(false, &o);
	xt_check(!o.err && !o.errors && o.data_ok,
		 "no copies: the READs still complete with their data (run %d, %u errors)", o.err,
		 o.errors);
	xt_check(!o.copies && !o.net_copies, "no copies: none made (%llu, %llu)",
		 (unsigned long long)o.copies, (unsigned long long)o.net_copies);
	xt_check(o.drops > 0, "no copies: waiting requests dropped from the backlog (%llu)",
		 (unsigned long long)o.drops);
	xt_check(o.timeouts > 0 && o.retransmits > 0,
		 "no copies: the requester waited for its timeout (%llu) and resent (%llu)",
		 (unsigned long long)o.timeouts, (unsigned long long)o.retransmits);
	xt_check(o.ns >= XP_MEM_SEC / 100, "no copies: the timeout cost %llu ns of virtual time",
		 (unsigned long long)o.ns);
	xt_check(!o.in_use && !o.close_err, "no copies: every frame came back (%u), closes (%d)",
		 o.in_use, o.close_err);
}

/* Copies waiting in the backlog go back when their QP is destroyed. */
static void test_destroy_copies(void)
{
	struct xt_rc_pair_opts po = { .mtu = XP_MTU_256,
				      .net = { .no_lend = true, .rx_copy = true } };
	struct xt_rc_pair p;
	__u32 kept = 0, k;

	if (!xt_check(!xt_rc_pair_open(&p, &po), "destroy: pair opens"))
		return;
	xt_check(!post_reads(&p), "destroy: %u READs posted", NREADS);
	for (k = 0; k < 8 && !kept; k++) {
		xp_mem_net_step(p.net, 64);
		kept = xp_mem_net_frames_in_use(p.net) - xp_mem_net_pending(p.net);
	}
	xt_check(kept > 0 && xp_rdma_dev_stats(p.dev[1])->rx_backlog_copies == kept,
		 "destroy: the busy responder keeps copies (%u frames, %llu copies)", kept,
		 (unsigned long long)xp_rdma_dev_stats(p.dev[1])->rx_backlog_copies);
	xt_check(!xp_qp_destroy(p.qp[1]), "destroy: the QP holding them destroyed");
	p.qp[1] = NULL;
	kept = xp_mem_net_frames_in_use(p.net) - xp_mem_net_pending(p.net);
	xt_check(kept == 0, "destroy: the copies came back at once (%u still kept)", kept);
	xt_check(!xt_rc_pair_close(&p), "destroy: everything destroyed, no frame left");
}

/* Injected duplicates of requests that wait: two copies, both released. */
static void test_dup_copies(void)
{
	struct xt_rc_pair_opts po = { .mtu = XP_MTU_256,
				      .timeout = 14,
				      .net = { .no_lend = true, .rx_copy = true } };
	struct xp_rdma_faults f = { .sz = sizeof(f), .dup_ppm = 1000000, .seed = 7 };
	struct xt_rc_pair p;
	struct run r;
	int err;

	if (!xt_check(!xt_rc_pair_open(&p, &po), "dups: pair opens"))
		return;
	xt_check(!xp_rdma_dev_set_faults(p.dev[1], &f),
		 "dups: every frame b receives delivered twice");
	r = (struct run){ .p = &p };
	err = post_reads(&p);
	if (!err)
		err = xp_mem_net_run(p.net, 30 * XP_MEM_SEC, reads_done, &r);
	while (xp_mem_net_pending(p.net))
		xp_mem_net_step(p.net, 64);
	xt_check(!err && !r.errors && !memcmp(p.buf[0], p.buf[1], READ_LEN * NREADS),
		 "dups: the READs complete with their data (run %d, %u errors)", err, r.errors);
	xt_check(xp_rdma_dev_stats(p.dev[1])->fault_dups > 0 &&
			 xp_rdma_dev_stats(p.dev[1])->rx_backlog_copies > 0,
		 "dups: duplicates waited as copies too (%llu dups, %llu copies)",
		 (unsigned long long)xp_rdma_dev_stats(p.dev[1])->fault_dups,
		 (unsigned long long)xp_rdma_dev_stats(p.dev[1])->rx_backlog_copies);
	xt_check(xp_mem_net_frames_in_use(p.net) == 0, "dups: every copy came back (%u in use)",
		 xp_mem_net_frames_in_use(p.net));
	xt_check(!xt_rc_pair_close(&p), "dups: everything destroyed");
}

int main(void)
{
	test_burst_copy();
	test_burst_no_copy();
	test_destroy_copies();
	test_dup_copies();
	return xt_summary();
}
