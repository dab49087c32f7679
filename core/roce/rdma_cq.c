// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Completion queues: a ring of work completions with one producer (the
 * transport) and one consumer (the application), both on the CQ's thread.
 * See xp_cq.h for the overflow rule and docs/rdma-cq-qp.md.
 */
#include "xp_env.h"

#include "xp_cq.h"

struct xp_cq {
	struct xp_wc *ring; /* [slots] */
	__u32 slots; /* power of two; cqe + 1 */
	__u32 head; /* next to poll */
	__u32 count; /* completions queued */
	__u32 refs; /* QPs that use this CQ */
	bool error; /* overrun: terminal */
	__u64 lost;
	void *cq_context;
	xp_cq_event_fn event_cb;
};

/* rxe_queue_init(): one slot more than asked, rounded up to a power of two. */
static __u32 cq_slots(__u32 cqe)
{
	__u32 slots = 1;

	while (slots < cqe + 1)
		slots <<= 1;
	return slots;
}

static int cq_check_cqe(const char *what, __u32 cqe)
{
	if (cqe == 0 || cqe > XP_CQ_MAX_CQE) {
		pr_warn("%s: cqe %u is out of range; ask for 1..%u completions\n", what, cqe,
			XP_CQ_MAX_CQE);
		return -EINVAL;
	}
	return 0;
}

struct xp_cq *xp_cq_create(const struct xp_cq_opts *opts)
{
	struct xp_cq *cq;
	__u32 cqe;
	int err;

	if (!opts) {
		pr_warn("xp_cq_create: no options; pass struct xp_cq_opts with .sz and .cqe set\n");
		err = -EINVAL;
		goto out_err;
	}
	err = xp_opts_valid(opts, xp_cq_opts);
	if (err)
		goto out_err;
	cqe = XP_OPTS_GET(opts, cqe, 0);
	err = cq_check_cqe("xp_cq_create", cqe);
	if (err)
		goto out_err;

	cq = xp_zalloc(sizeof(*cq));
	if (!cq) {
		err = -ENOMEM;
		goto out_err;
	}
	cq->slots = cq_slots(cqe);
	cq->ring = xp_calloc(cq->slots, sizeof(*cq->ring));
	if (!cq->ring) {
		err = -ENOMEM;
		goto out_free_cq;
	}
	cq->cq_context = XP_OPTS_GET(opts, cq_context, NULL);
	cq->event_cb = XP_OPTS_GET(opts, event_cb, NULL);
	return cq;

out_free_cq:
	xp_free(cq);
out_err:
	xp_set_errno(-err);
	return NULL;
}

int xp_cq_destroy(struct xp_cq *cq)
{
	if (!cq)
		return 0;
	if (cq->refs) {
		pr_warn("xp_cq_destroy: %u QP(s) still use this CQ; destroy them first\n",
			cq->refs);
		return -EBUSY;
	}
	xp_free(cq->ring);
	xp_free(cq);
	return 0;
}

int xp_cq_poll(struct xp_cq *cq, int n, struct xp_wc *wc)
{
	int i;

	if (!cq || n < 0 || (!wc && n > 0))
		return -EINVAL;
	for (i = 0; i < n && cq->count; i++) {
		wc[i] = cq->ring[cq->head];
		cq->head = (cq->head + 1) & (cq->slots - 1);
		cq->count--;
	}
	if (i == 0 && n > 0 && cq->error)
		return -EOVERFLOW;
	return i;
}

int xp_cq_push(struct xp_cq *cq, const struct xp_wc *wc)
{
	if (!cq || !wc)
		return -EINVAL;
	if (cq->error) {
		cq->lost++;
		return -EIO;
	}
	if (cq->count == cq->slots - 1) {
		/* Counted, not printed: a flood of these must not flood the log. */
		cq->error = true;
		cq->lost++;
		if (cq->event_cb)
			cq->event_cb(cq, XP_EVENT_CQ_ERR, cq->cq_context);
		return -ENOSPC;
	}
	cq->ring[(cq->head + cq->count) & (cq->slots - 1)] = *wc;
	cq->count++;
	return 0;
}

int xp_cq_resize(struct xp_cq *cq, __u32 cqe)
{
	struct xp_wc *ring;
	__u32 slots, i;
	int err;

	if (!cq)
		return -EINVAL;
	err = cq_check_cqe("xp_cq_resize", cqe);
	if (err)
		return err;
	if (cq->error) {
		pr_warn("xp_cq_resize: the CQ overflowed and is in its error state; destroy it\n");
		return -EIO;
	}
	if (cqe < cq->count) {
		pr_warn("xp_cq_resize: cqe %u is below the %u completions queued; poll them first\n",
			cqe, cq->count);
		return -EINVAL;
	}
	slots = cq_slots(cqe);
	ring = xp_calloc(slots, sizeof(*ring));
	if (!ring)
		return -ENOMEM;
	for (i = 0; i < cq->count; i++)
		ring[i] = cq->ring[(cq->head + i) & (cq->slots - 1)];
	xp_free(cq->ring);
	cq->ring = ring;
	cq->slots = slots;
	cq->head = 0;
	return 0;
}

void xp_cq_get(struct xp_cq *cq)
{
	cq->refs++;
}

void xp_cq_put(struct xp_cq *cq)
{
	if (!cq->refs) {
		pr_warn("xp_cq_put: the CQ has no user to drop; a put without a get\n");
		return;
	}
	cq->refs--;
}

__u32 xp_cq_cqe(const struct xp_cq *cq)
{
	return cq->slots - 1;
}

__u32 xp_cq_count(const struct xp_cq *cq)
{
	return cq->count;
}

bool xp_cq_in_error(const struct xp_cq *cq)
{
	return cq->error;
}

__u64 xp_cq_lost(const struct xp_cq *cq)
{
	return cq->lost;
}

void *xp_cq_context(const struct xp_cq *cq)
{
	return cq->cq_context;
}

const char *xp_wc_opcode_str(enum xp_wc_opcode opcode)
{
	switch (opcode) {
	case XP_WC_SEND:
		return "SEND";
	case XP_WC_RDMA_WRITE:
		return "RDMA_WRITE";
	case XP_WC_RDMA_READ:
		return "RDMA_READ";
	case XP_WC_COMP_SWAP:
		return "COMP_SWAP";
	case XP_WC_FETCH_ADD:
		return "FETCH_ADD";
	case XP_WC_BIND_MW:
		return "BIND_MW";
	case XP_WC_LOCAL_INV:
		return "LOCAL_INV";
	case XP_WC_TSO:
		return "TSO";
	case XP_WC_FLUSH:
		return "FLUSH";
	case XP_WC_ATOMIC_WRITE:
		return "ATOMIC_WRITE";
	case XP_WC_REG_MR:
		return "REG_MR";
	case XP_WC_RECV:
		return "RECV";
	case XP_WC_RECV_RDMA_WITH_IMM:
		return "RECV_RDMA_WITH_IMM";
	}
	return "unknown";
}
