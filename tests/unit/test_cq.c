// SPDX-License-Identifier: GPL-2.0
/*
 * Completion queues (core/roce/rdma_cq.c): capacity rounding as rxe, fill
 * and poll in batches with wrap-around, FIFO order and field-for-field
 * copies, overflow into the error state (the event, the lost count, what
 * poll and push return after it), resize, references and destroy, and
 * argument validation. Every case asserts an exact code.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#if __has_include(<infiniband/verbs.h>)
#include <infiniband/verbs.h>
#define HAVE_IBVERBS 1
#endif

#include "xp_cq.h"
#include "xp_log.h"
#include "xp_test.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static char last_msg[512];
static int n_warn;

static int capture_print(enum xp_print_level level, const char *fmt, va_list ap)
{
	if (level == XP_WARN) {
		n_warn++;
		vsnprintf(last_msg, sizeof(last_msg), fmt, ap);
	}
	return 0;
}

static bool msg_has(const char *s)
{
	if (strstr(last_msg, s))
		return true;
	xt_note("last message: %s(wanted '%s')", last_msg, s);
	return false;
}

static struct xp_cq *cq_new(__u32 cqe)
{
	struct xp_cq_opts o = { .sz = sizeof(o), .cqe = cqe };

	return xp_cq_create(&o);
}

/* A completion whose every field derives from i, so a mixed-up copy shows. */
static struct xp_wc wc_make(__u32 i)
{
	struct xp_wc wc = {
		.wr_id = 0x1000000000ull + i,
		.status = i % 3 ? XP_WC_SUCCESS : XP_WC_REM_ACCESS_ERR,
		.opcode = i & 1 ? XP_WC_RECV : XP_WC_RDMA_WRITE,
		.vendor_err = i * 7,
		.byte_len = i * 13,
		.invalidated_rkey = i ^ 0xabcd,
		.qp_num = 0x11 + i,
		.src_qp = 0x22 + i,
		.wc_flags = i & 1 ? XP_WC_WITH_INV : 0,
		.pkey_index = i & 0xff,
		.slid = (__u16)i,
		.sl = i & 15,
		.dlid_path_bits = i & 0x7f,
	};
	return wc;
}

static bool wc_is(const struct xp_wc *wc, __u32 i)
{
	struct xp_wc want = wc_make(i);

	if (!memcmp(wc, &want, sizeof(want)))
		return true;
	xt_note("completion %u: wr_id %#llx byte_len %u qp_num %#x", i,
		(unsigned long long)wc->wr_id, wc->byte_len, wc->qp_num);
	return false;
}

static void test_create(void)
{
	static const struct {
		__u32 ask, got;
	} round[] = {
		{ 1, 1 },
		{ 2, 3 },
		{ 3, 3 },
		{ 4, 7 },
		{ 10, 15 },
		{ 15, 15 },
		{ 16, 31 },
		{ 1000, 1023 },
		{ 16383, 16383 },
		{ 16384, 32767 },
		{ XP_CQ_MAX_CQE, XP_CQ_MAX_CQE },
	};
	struct xp_cq_opts o = { .sz = sizeof(o), .cqe = 4 };
	struct {
		struct xp_cq_opts o;
		char extra[8];
	} big = { .o = { .sz = sizeof(big), .cqe = 4 } };
	struct xp_cq *cq;
	size_t i;
	int ctx;

	for (i = 0; i < ARRAY_SIZE(round); i++) {
		cq = cq_new(round[i].ask);
		xt_check(cq && xp_cq_cqe(cq) == round[i].got && xp_cq_count(cq) == 0 &&
				 !xp_cq_in_error(cq),
			 "cqe %u: granted %u (rxe's 2^k - 1)", round[i].ask, round[i].got);
		xp_cq_destroy(cq);
	}

	errno = 0;
	n_warn = 0;
	cq = cq_new(0);
	xt_check(!cq && errno == EINVAL && msg_has("cqe 0"), "cqe 0: EINVAL, says so");
	errno = 0;
	cq = cq_new(XP_CQ_MAX_CQE + 1);
	xt_check(!cq && errno == EINVAL && msg_has("1..32767"),
		 "cqe 32768: EINVAL, names the range");
	errno = 0;
	cq = xp_cq_create(NULL);
	xt_check(!cq && errno == EINVAL, "opts NULL: EINVAL");
	o.sz = 4;
	errno = 0;
	cq = xp_cq_create(&o);
	xt_check(!cq && errno == EINVAL, "opts.sz 4 (too small): EINVAL");
	big.extra[3] = 1;
	errno = 0;
	cq = xp_cq_create(&big.o);
	xt_check(!cq && errno == EINVAL, "opts with an unknown non-zero field: EINVAL");
	big.extra[3] = 0;
	cq = xp_cq_create(&big.o);
	xt_check(cq && xp_cq_cqe(cq) == 7, "opts larger than known, zero tail: accepted");
	xp_cq_destroy(cq);
	/* An older caller's struct that ends before cq_context. */
	o.sz = offsetof(struct xp_cq_opts, cq_context);
	o.cq_context = &ctx;
	cq = xp_cq_create(&o);
	xt_check(cq && xp_cq_cqe(cq) == 7 && xp_cq_context(cq) == NULL,
		 "opts sized up to cqe: accepted, cq_context not read");
	xp_cq_destroy(cq);
	o.sz = sizeof(o);
	cq = xp_cq_create(&o);
	xt_check(cq && xp_cq_context(cq) == &ctx, "cq_context returned");
	xp_cq_destroy(cq);
	xt_check(xp_cq_destroy(NULL) == 0, "destroy NULL: no-op");
}

static void test_fill_poll(void)
{
	struct xp_wc wc[40], one;
	struct xp_cq *cq = cq_new(31);
	__u32 next_in = 0, next_out = 0, i;
	bool ok = true;
	int rc, round;

	if (!cq) {
		xt_fail("create cqe 31: %s", strerror(errno));
		return;
	}
	rc = xp_cq_poll(cq, 8, wc);
	xt_check(rc == 0, "poll empty CQ: 0 (%d)", rc);
	rc = xp_cq_poll(cq, 0, NULL);
	xt_check(rc == 0, "poll n = 0, wc NULL: 0");

	for (i = 0; i < 31; i++) {
		one = wc_make(next_in++);
		ok &= xp_cq_push(cq, &one) == 0;
	}
	xt_check(ok && xp_cq_count(cq) == 31, "fill to capacity: 31 pushes ok, 31 queued");

	rc = xp_cq_poll(cq, 5, wc);
	ok = rc == 5;
	for (i = 0; ok && i < 5; i++)
		ok &= wc_is(&wc[i], next_out++);
	xt_check(ok && xp_cq_count(cq) == 26, "poll 5: the 5 oldest, in order, all fields");
	memset(&wc[20], 0x5a, sizeof(wc[20]));
	rc = xp_cq_poll(cq, 20, wc);
	ok = rc == 20 && wc[20].wr_id == 0x5a5a5a5a5a5a5a5aull;
	for (i = 0; ok && i < 20; i++)
		ok &= wc_is(&wc[i], next_out++);
	xt_check(ok, "poll 20: 20 in order, wc[20] untouched");
	rc = xp_cq_poll(cq, 40, wc);
	ok = rc == 6;
	for (i = 0; ok && i < 6; i++)
		ok &= wc_is(&wc[i], next_out++);
	xt_check(ok && xp_cq_count(cq) == 0, "poll 40 with 6 left: 6");

	/* Many rounds of uneven push/poll: the ring wraps again and again. */
	ok = true;
	for (round = 0; round < 200; round++) {
		int push = 1 + round % 17, take = 1 + (round * 7) % 13, k;

		for (k = 0; k < push && xp_cq_count(cq) < 31; k++) {
			one = wc_make(next_in++);
			ok &= xp_cq_push(cq, &one) == 0;
		}
		rc = xp_cq_poll(cq, take, wc);
		ok &= rc >= 0 && rc <= take;
		for (k = 0; ok && k < rc; k++)
			ok &= wc_is(&wc[k], next_out++);
	}
	while ((rc = xp_cq_poll(cq, 3, wc)) > 0)
		for (round = 0; round < rc; round++)
			ok &= wc_is(&wc[round], next_out++);
	xt_check(ok && next_in == next_out && !xp_cq_in_error(cq),
		 "200 rounds of uneven push/poll across the wrap: %u completions, FIFO, intact",
		 next_out);
	xp_cq_destroy(cq);
}

static struct {
	int calls;
	struct xp_cq *cq;
	enum xp_event_type ev;
	void *ctx;
} event;

static void on_event(struct xp_cq *cq, enum xp_event_type ev, void *ctx)
{
	event.calls++;
	event.cq = cq;
	event.ev = ev;
	event.ctx = ctx;
}

static void test_overflow(void)
{
	int ctx;
	struct xp_cq_opts o = {
		.sz = sizeof(o), .cqe = 3, .cq_context = &ctx, .event_cb = on_event
	};
	struct xp_wc wc[8], one;
	struct xp_cq *cq = xp_cq_create(&o);
	bool ok = true;
	int rc, i;

	if (!cq) {
		xt_fail("create cqe 3: %s", strerror(errno));
		return;
	}
	for (i = 0; i < 3; i++) {
		one = wc_make(i);
		ok &= xp_cq_push(cq, &one) == 0;
	}
	xt_check(ok && event.calls == 0, "3 pushes into cqe 3: ok, no event");
	one = wc_make(3);
	rc = xp_cq_push(cq, &one);
	xt_check(rc == -ENOSPC, "4th push: -ENOSPC (%d)", rc);
	xt_check(xp_cq_in_error(cq) && xp_cq_lost(cq) == 1 && xp_cq_count(cq) == 3,
		 "CQ in error, 1 lost, the 3 queued kept");
	xt_check(event.calls == 1 && event.cq == cq && event.ev == XP_EVENT_CQ_ERR &&
			 event.ctx == &ctx,
		 "event CQ_ERR raised once with the CQ and its context");
	rc = xp_cq_push(cq, &one);
	xt_check(rc == -EIO && xp_cq_lost(cq) == 2 && event.calls == 1,
		 "push after overflow: -EIO, counted lost, no second event");
	rc = xp_cq_resize(cq, 100);
	xt_check(rc == -EIO && xp_cq_cqe(cq) == 3, "resize in error: -EIO, unchanged");

	rc = xp_cq_poll(cq, 2, wc);
	xt_check(rc == 2 && wc_is(&wc[0], 0) && wc_is(&wc[1], 1),
		 "poll after overflow: the completions queued before it, in order");
	rc = xp_cq_poll(cq, 8, wc);
	xt_check(rc == 1 && wc_is(&wc[0], 2), "poll: the last one queued before the overrun");
	rc = xp_cq_poll(cq, 8, wc);
	xt_check(rc == -EOVERFLOW, "poll of the drained CQ in error: -EOVERFLOW (%d)", rc);
	rc = xp_cq_poll(cq, 8, wc);
	xt_check(rc == -EOVERFLOW, "and again: the error state is permanent");
	rc = xp_cq_poll(cq, 0, wc);
	xt_check(rc == 0, "poll n = 0 in error: 0");
	xt_check(xp_cq_destroy(cq) == 0, "destroy a CQ in error: 0");

	/* Without a callback the overflow still reports through push and poll. */
	cq = cq_new(1);
	one = wc_make(9);
	rc = xp_cq_push(cq, &one);
	rc |= xp_cq_push(cq, &one) != -ENOSPC;
	xt_check(rc == 0 && xp_cq_in_error(cq) && xp_cq_poll(cq, 1, wc) == 1 &&
			 xp_cq_poll(cq, 1, wc) == -EOVERFLOW,
		 "no event callback: -ENOSPC, then poll 1 then -EOVERFLOW");
	xp_cq_destroy(cq);
}

static void test_resize(void)
{
	struct xp_cq *cq = cq_new(7);
	struct xp_wc wc[64], one;
	bool ok = true;
	int i, rc;

	/* Put the ring's head mid-array so the copy has to unwrap it. */
	for (i = 0; i < 5; i++) {
		one = wc_make(100 + i);
		xp_cq_push(cq, &one);
	}
	xp_cq_poll(cq, 5, wc);
	for (i = 0; i < 6; i++) {
		one = wc_make(i);
		ok &= xp_cq_push(cq, &one) == 0;
	}
	n_warn = 0;
	rc = xp_cq_resize(cq, 5);
	xt_check(rc == -EINVAL && xp_cq_cqe(cq) == 7 && msg_has("below the 6"),
		 "resize to 5 with 6 queued: -EINVAL, unchanged");
	rc = xp_cq_resize(cq, 0);
	xt_check(rc == -EINVAL, "resize to 0: -EINVAL");
	rc = xp_cq_resize(cq, XP_CQ_MAX_CQE + 1);
	xt_check(rc == -EINVAL, "resize over the maximum: -EINVAL");
	rc = xp_cq_resize(cq, 40);
	xt_check(rc == 0 && xp_cq_cqe(cq) == 63 && xp_cq_count(cq) == 6,
		 "resize to 40 with 6 queued (wrapped): cqe 63, 6 kept");
	for (i = 6; i < 63; i++) {
		one = wc_make(i);
		ok &= xp_cq_push(cq, &one) == 0;
	}
	one = wc_make(63);
	xt_check(ok && xp_cq_push(cq, &one) == -ENOSPC, "63 fit after resize, the 64th overflows");
	rc = xp_cq_poll(cq, 64, wc);
	ok = rc == 63;
	for (i = 0; ok && i < 63; i++)
		ok &= wc_is(&wc[i], i);
	xt_check(ok, "all 63 in order across the resize");
	xp_cq_destroy(cq);

	cq = cq_new(31);
	for (i = 0; i < 6; i++) {
		one = wc_make(i);
		xp_cq_push(cq, &one);
	}
	rc = xp_cq_resize(cq, 6);
	ok = rc == 0 && xp_cq_cqe(cq) == 7 && xp_cq_poll(cq, 64, wc) == 6;
	for (i = 0; ok && i < 6; i++)
		ok &= wc_is(&wc[i], i);
	xt_check(ok, "shrink 31 -> 6 with 6 queued: cqe 7, all 6 kept");
	xt_check(xp_cq_resize(NULL, 4) == -EINVAL, "resize NULL: -EINVAL");
	xp_cq_destroy(cq);
}

static void test_refs_args(void)
{
	struct xp_cq *cq = cq_new(4);
	struct xp_wc wc[2], one = wc_make(1);
	int rc;

	xp_cq_get(cq); /* the send CQ of a QP */
	xp_cq_get(cq); /* and its receive CQ */
	n_warn = 0;
	rc = xp_cq_destroy(cq);
	xt_check(rc == -EBUSY && msg_has("2 QP(s)"),
		 "destroy with 2 references: -EBUSY, says how many");
	xt_check(xp_cq_push(cq, &one) == 0 && xp_cq_poll(cq, 2, wc) == 1,
		 "still usable after the refused destroy");
	xp_cq_put(cq);
	rc = xp_cq_destroy(cq);
	xt_check(rc == -EBUSY, "destroy with 1 reference: -EBUSY");
	xp_cq_put(cq);
	n_warn = 0;
	xp_cq_put(cq);
	xt_check(n_warn == 1 && msg_has("put without a get"), "put without a get: warned, ignored");
	rc = xp_cq_destroy(cq);
	xt_check(rc == 0, "destroy after the last put: 0");

	cq = cq_new(4);
	xt_check(xp_cq_poll(NULL, 1, wc) == -EINVAL, "poll cq NULL: -EINVAL");
	xt_check(xp_cq_poll(cq, -1, wc) == -EINVAL, "poll n -1: -EINVAL");
	xt_check(xp_cq_poll(cq, 1, NULL) == -EINVAL, "poll wc NULL, n 1: -EINVAL");
	xt_check(xp_cq_push(NULL, &one) == -EINVAL, "push cq NULL: -EINVAL");
	xt_check(xp_cq_push(cq, NULL) == -EINVAL && xp_cq_count(cq) == 0, "push wc NULL: -EINVAL");
	xp_cq_destroy(cq);

	xt_check(!strcmp(xp_wc_opcode_str(XP_WC_RECV_RDMA_WITH_IMM), "RECV_RDMA_WITH_IMM") &&
			 !strcmp(xp_wc_opcode_str(XP_WC_SEND), "SEND") &&
			 !strcmp(xp_wc_opcode_str(77), "unknown"),
		 "opcode names");
	xt_check((XP_WC_RECV & XP_WC_RECV_RDMA_WITH_IMM) && !(XP_WC_RECV & XP_WC_ATOMIC_WRITE),
		 "(opcode & XP_WC_RECV) tells receives");
}

static void test_ibv_values(void)
{
#ifdef HAVE_IBVERBS
	static const struct xt_same same[] = {
		{ "WC_SEND", XP_WC_SEND, IBV_WC_SEND },
		{ "WC_RDMA_WRITE", XP_WC_RDMA_WRITE, IBV_WC_RDMA_WRITE },
		{ "WC_RDMA_READ", XP_WC_RDMA_READ, IBV_WC_RDMA_READ },
		{ "WC_COMP_SWAP", XP_WC_COMP_SWAP, IBV_WC_COMP_SWAP },
		{ "WC_FETCH_ADD", XP_WC_FETCH_ADD, IBV_WC_FETCH_ADD },
		{ "WC_BIND_MW", XP_WC_BIND_MW, IBV_WC_BIND_MW },
		{ "WC_LOCAL_INV", XP_WC_LOCAL_INV, IBV_WC_LOCAL_INV },
		{ "WC_TSO", XP_WC_TSO, IBV_WC_TSO },
		{ "WC_ATOMIC_WRITE", XP_WC_ATOMIC_WRITE, IBV_WC_ATOMIC_WRITE },
		{ "WC_RECV", XP_WC_RECV, IBV_WC_RECV },
		{ "WC_RECV_RDMA_WITH_IMM", XP_WC_RECV_RDMA_WITH_IMM, IBV_WC_RECV_RDMA_WITH_IMM },
		{ "WC_GRH", XP_WC_GRH, IBV_WC_GRH },
		{ "WC_WITH_IMM", XP_WC_WITH_IMM, IBV_WC_WITH_IMM },
		{ "WC_IP_CSUM_OK", XP_WC_IP_CSUM_OK, IBV_WC_IP_CSUM_OK },
		{ "WC_WITH_INV", XP_WC_WITH_INV, IBV_WC_WITH_INV },
		{ "EVENT_CQ_ERR", XP_EVENT_CQ_ERR, IBV_EVENT_CQ_ERR },
		{ "WC_SUCCESS", XP_WC_SUCCESS, IBV_WC_SUCCESS },
		{ "WC_WR_FLUSH_ERR", XP_WC_WR_FLUSH_ERR, IBV_WC_WR_FLUSH_ERR },
		{ "WC_RETRY_EXC_ERR", XP_WC_RETRY_EXC_ERR, IBV_WC_RETRY_EXC_ERR },
		{ "WC_RNR_RETRY_EXC_ERR", XP_WC_RNR_RETRY_EXC_ERR, IBV_WC_RNR_RETRY_EXC_ERR },
	};
#define SAME_FIELD(f)                                               \
	(offsetof(struct xp_wc, f) == offsetof(struct ibv_wc, f) && \
	 sizeof(((struct xp_wc *)0)->f) == sizeof(((struct ibv_wc *)0)->f))
	/* IBV_WC_FLUSH (8) is missing from older headers: not compared. */
	xt_check(xt_same_values(same, ARRAY_SIZE(same), "XP_", "IBV_"),
		 "%zu WC opcode/flag/event values equal <infiniband/verbs.h>", ARRAY_SIZE(same));
	xt_check(sizeof(struct xp_wc) == sizeof(struct ibv_wc) && SAME_FIELD(wr_id) &&
			 SAME_FIELD(status) && SAME_FIELD(opcode) && SAME_FIELD(vendor_err) &&
			 SAME_FIELD(byte_len) && SAME_FIELD(imm_data) &&
			 SAME_FIELD(invalidated_rkey) && SAME_FIELD(qp_num) && SAME_FIELD(src_qp) &&
			 SAME_FIELD(wc_flags) && SAME_FIELD(pkey_index) && SAME_FIELD(slid) &&
			 SAME_FIELD(sl) && SAME_FIELD(dlid_path_bits),
		 "struct xp_wc has struct ibv_wc's layout (%zu bytes)", sizeof(struct xp_wc));
#undef SAME_FIELD
#else
	xt_skip("<infiniband/verbs.h> not installed: cannot compare with IBV_* values (apt-get install libibverbs-dev)");
#endif
}

int main(void)
{
	xp_set_print(capture_print);
	test_ibv_values();
	test_create();
	test_fill_poll();
	test_overflow();
	test_resize();
	test_refs_args();
	return xt_summary();
}
