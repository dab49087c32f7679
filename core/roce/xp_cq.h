/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Completion queues (ibv_create_cq / ibv_poll_cq), modelled on Linux
 * rdma_rxe (rxe_cq.c, rxe_queue.c). The transport pushes work completions
 * with xp_cq_push(); the application takes them with xp_cq_poll().
 *
 * Capacity is rounded up as rxe rounds it: the ring has the next power of
 * two above the requested cqe slots and keeps one free, so a CQ asked for
 * cqe entries holds 2^k - 1 >= cqe (1 -> 1, 10 -> 15, 16 -> 31).
 * xp_cq_cqe() says what was granted.
 *
 * Overflow: a push into a full CQ loses that completion, returns -ENOSPC
 * and puts the CQ into its error state for good (IBTA: a CQ overrun is a
 * CQ error, the affiliated asynchronous event IBV_EVENT_CQ_ERR). The
 * event callback, if set, is called once, from inside that push. The
 * completions queued before the overrun stay valid and can still be
 * polled; after them xp_cq_poll() returns -EOVERFLOW. Later pushes return
 * -EIO. The only way out is to destroy the CQ (and the QPs using it).
 *
 * Threading: a CQ belongs to one thread at a time, like the MR table
 * (xp_mr.h); callers sharing one across threads serialise all calls on it.
 */
#ifndef XP_CQ_H
#define XP_CQ_H

#include "xp_types.h"

#include "xp_verbs.h"

/* Work completion opcode: enum ibv_wc_opcode values. */
enum xp_wc_opcode {
	XP_WC_SEND = 0,
	XP_WC_RDMA_WRITE = 1,
	XP_WC_RDMA_READ = 2,
	XP_WC_COMP_SWAP = 3,
	XP_WC_FETCH_ADD = 4,
	XP_WC_BIND_MW = 5,
	XP_WC_LOCAL_INV = 6,
	XP_WC_TSO = 7,
	XP_WC_FLUSH = 8,
	XP_WC_ATOMIC_WRITE = 9,
	/* Not in libibverbs: a kernel host's REG_MR completion (IB_WC_REG_MR). */
	XP_WC_REG_MR = 10,
	/* Receive opcodes have this bit set: (opcode & XP_WC_RECV) tests for one. */
	XP_WC_RECV = 1 << 7,
	XP_WC_RECV_RDMA_WITH_IMM = (1 << 7) + 1,
};

/* Work completion flags: enum ibv_wc_flags values. */
enum xp_wc_flags {
	XP_WC_GRH = 1u << 0, /* a GRH precedes the data (UD receives) */
	XP_WC_WITH_IMM = 1u << 1, /* imm_data is valid */
	XP_WC_IP_CSUM_OK = 1u << 2,
	XP_WC_WITH_INV = 1u << 3, /* invalidated_rkey is valid */
};

/* One work completion: struct ibv_wc, field for field. */
struct xp_wc {
	__u64 wr_id;
	enum xp_wc_status status;
	enum xp_wc_opcode opcode;
	__u32 vendor_err;
	__u32 byte_len;
	union {
		__be32 imm_data; /* WITH_IMM: network byte order, as on the wire */
		__u32 invalidated_rkey; /* WITH_INV */
	};
	__u32 qp_num;
	__u32 src_qp;
	unsigned int wc_flags;
	__u16 pkey_index;
	__u16 slid;
	__u8 sl;
	__u8 dlid_path_bits;
};

/* Largest cqe accepted, as rxe: (1 << 15) - 1 (RXE_MAX_LOG_CQE). */
#define XP_CQ_MAX_CQE ((1u << 15) - 1)

/* Asynchronous events: enum ibv_event_type values. */
enum xp_event_type {
	XP_EVENT_CQ_ERR = 0,
	XP_EVENT_SRQ_LIMIT_REACHED = 15, /* an SRQ (xp_srq.h) */
	XP_EVENT_QP_LAST_WQE_REACHED = 16, /* a QP on an SRQ went to ERR */
};

struct xp_cq;

typedef void (*xp_cq_event_fn)(struct xp_cq *cq, enum xp_event_type event, void *cq_context);

struct xp_cq_opts {
	size_t sz;
	__u32 cqe; /* completions it must hold: 1..XP_CQ_MAX_CQE (required) */
	void *cq_context; /* returned by xp_cq_context() and to event_cb */
	xp_cq_event_fn event_cb; /* asynchronous errors (CQ overrun); may be NULL */
	size_t : 0;
};

/* NULL with errno: EINVAL (no opts, cqe 0 or above XP_CQ_MAX_CQE), ENOMEM. */
struct xp_cq *xp_cq_create(const struct xp_cq_opts *opts);

/* -EBUSY (nothing freed) while QPs hold references; NULL is a no-op. */
int xp_cq_destroy(struct xp_cq *cq);

/*
 * Take up to n completions, oldest first, into wc[0..n-1]. Returns how many
 * (0 when empty), -EINVAL for a NULL cq, n < 0, or wc NULL with n > 0, and
 * -EOVERFLOW when the CQ is in its error state and holds nothing more.
 */
int xp_cq_poll(struct xp_cq *cq, int n, struct xp_wc *wc);

/*
 * Producer side, for the transport: queue a copy of *wc. -ENOSPC when the
 * CQ is full (the completion is lost, the CQ enters its error state and the
 * event is raised), -EIO when it already is in that state, -EINVAL for NULL
 * arguments.
 */
int xp_cq_push(struct xp_cq *cq, const struct xp_wc *wc);

/*
 * Change the capacity to hold at least cqe (rounded as at creation).
 * -EINVAL: cqe 0 or above XP_CQ_MAX_CQE, or below the number of completions
 * queued now; -EIO: CQ in error; -ENOMEM. Queued completions are kept, in
 * order. On failure the CQ is unchanged.
 */
int xp_cq_resize(struct xp_cq *cq, __u32 cqe);

/* References held by QPs (send or receive CQ): a referenced CQ stays. */
void xp_cq_get(struct xp_cq *cq);
void xp_cq_put(struct xp_cq *cq);

__u32 xp_cq_cqe(const struct xp_cq *cq); /* capacity granted */
__u32 xp_cq_count(const struct xp_cq *cq); /* completions waiting */
bool xp_cq_in_error(const struct xp_cq *cq);
__u64 xp_cq_lost(const struct xp_cq *cq); /* completions dropped by overrun */
void *xp_cq_context(const struct xp_cq *cq);

/* "SEND", "RECV_RDMA_WITH_IMM", ... ("unknown" otherwise). */
const char *xp_wc_opcode_str(enum xp_wc_opcode opcode);

#endif /* XP_CQ_H */
