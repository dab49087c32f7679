/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Two devices on an in-memory net (xp_mem_net.h), an RC QP on each,
 * connected (or a UD QP on each, opts.ud), with one registered buffer per
 * side between guard areas: the bed of tests/unit/test_mem_net.c,
 * tests/fuzz/fuzz_rc_pair.c and tests/fuzz/fuzz_ud.c.
 *
 * Side i (0: requester "a", 1: responder "b") owns buf[i] of buf_len
 * bytes (XT_PAIR_BUF unless the options say otherwise), registered with
 * every right as mr[i] (by address, or as its pages); XT_PAIR_GUARD bytes
 * of XT_PAIR_GUARD_BYTE sit before and after it, never registered.
 */
#ifndef XT_RC_PAIR_H
#define XT_RC_PAIR_H

#include <stdbool.h>
#include <linux/types.h>

#include "xp_mem_net.h"
#include "xp_rdma.h"
#include "xp_srq.h"

#define XT_PAIR_BUF (256u * 1024)
#define XT_PAIR_GUARD 4096u
#define XT_PAIR_GUARD_BYTE 0xa5
#define XT_PAIR_QKEY 0x11111111u
#define XT_PAIR_PAGES_MAX (XT_PAIR_BUF / 4096)

struct xt_rc_pair {
	struct xp_mem_net *net;
	struct xp_rdma_dev *dev[2];
	struct xp_pd *pd[2];
	struct xp_cq *cq[2]; /* send and receive completions of side i */
	struct xp_qp *qp[2];
	struct xp_mr *mr[2];
	struct xp_ah *ah[2]; /* opts.ud: to the other side */
	struct xp_srq *srq[2]; /* opts.srq[i]: side i's QP receives from it */
	__u8 *area[2]; /* guard, buffer, guard */
	__u8 *buf[2];
	__u32 buf_len; /* bytes of each buf[i] */
	__u8 gid[2][16];
};

struct xt_rc_pair_opts {
	struct xp_mem_net_opts net; /* sz set by xt_rc_pair_open() if 0 */
	enum xp_mtu mtu; /* default XP_MTU_1024 */
	__u8 timeout; /* local ACK timeout code; 0: 14 */
	__u8 retry_cnt, rnr_retry; /* 0: 7 */
	__u32 max_wr; /* send and receive queue depth; 0: 64 */
	__u32 buf_len; /* bytes of each side's buffer; 0: XT_PAIR_BUF */
	__u8 min_rnr_timer; /* RNR NAK timer code each side sends; 0: 1 (10 us) */
	bool psn_set; /* side i sends from sq_psn[i] (else 0x100 + i * 0x1000) */
	__u32 sq_psn[2];
	/*
	 * Register each buffer as the list of its 4 KiB pages (struct
	 * xp_mr_pages) at iova = its address, so every access goes page by
	 * page, as a kernel host's MRs do; buf_len must be a multiple of 4 KiB.
	 */
	bool paged;
	/*
	 * UD QPs instead of RC, in RTS with Q_Key qkey (0: XT_PAIR_QKEY) and
	 * not connected: ah[i] addresses the other side's device.
	 */
	bool ud;
	__u32 qkey;
	__u32 qpn_first[2]; /* side i's first QPN; 0: the core's default */
	/*
	 * Side i's QP receives from an SRQ (srq[i], max_wr deep, limit armed
	 * at 1) instead of a receive queue of its own: post to it with
	 * xp_srq_post_recv().
	 */
	bool srq[2];
};

/* 0, or -errno with the step that failed printed on stderr. */
int xt_rc_pair_open(struct xt_rc_pair *p, const struct xt_rc_pair_opts *opts);
/*
 * Destroy everything; -errno when something refused (a leak), printed:
 * -EBUSY also when, with both devices removed, the net still has frame
 * slots in use that it does not hold queued (a core kept them).
 */
int xt_rc_pair_close(struct xt_rc_pair *p);
/* True when both guard areas of both sides still hold XT_PAIR_GUARD_BYTE. */
bool xt_rc_pair_guards_ok(const struct xt_rc_pair *p);

#endif /* XT_RC_PAIR_H */
