/* SPDX-License-Identifier: GPL-2.0 */
/*
 * xp_rxe_test: what its parts share (rxe_test_main.c: the verbs;
 * rxe_test_cm.c: rdma_cm; rxe_test_peer.c: against another host).
 */
#ifndef XP_RXE_TEST_H
#define XP_RXE_TEST_H

#include <linux/completion.h>
#include <linux/scatterlist.h>
#include <rdma/ib_verbs.h>

#define BUF_LEN (64 * 1024)
#define QP_WR 16
#define WAIT_MS 5000

extern int xt_passed, xt_failed;

#define check(cond, fmt, ...)                                                               \
	({                                                                                  \
		bool _ok = (cond);                                                          \
		if (_ok)                                                                    \
			xt_passed++;                                                        \
		else                                                                        \
			xt_failed++;                                                        \
		pr_info("xp_rxe_test: %s " fmt "\n", _ok ? "PASS" : "FAIL", ##__VA_ARGS__); \
		_ok;                                                                        \
	})

/*
 * A work request's completion, waited for by the poster. Once a wait for
 * it timed out, the WR may still complete into it at any time: it is
 * lost, and nothing may be posted on it again (wait_arm() refuses) until
 * the QP's drain at teardown has flushed it.
 */
struct wait_cqe {
	struct ib_cqe cqe;
	struct completion done;
	struct ib_wc wc;
	bool lost;
};

/*
 * One, static, as are the waits in it: a completion that comes after its
 * wait timed out still lands in live memory (ib_free_cq() stops them all).
 * Teardown in bed_close(): the QPs drained and destroyed before the MR,
 * the CQ and the buffers the WRs pointed at.
 */
struct bed {
	struct ib_device *ibdev;
	struct ib_pd *pd;
	struct ib_cq *cq;
	struct ib_qp *qp[2];
	struct ib_mr *mr; /* fast-reg, over buf[1] */
	u8 *buf[2];
	u64 dma[2];
	bool dma_mapped[2];
	struct scatterlist sg;
	bool sg_mapped;
	union ib_gid gid;
	int gid_index;
	u8 mac[ETH_ALEN];
	struct wait_cqe ws, wr; /* a send's completion, a receive's */
};

int connect_qp(struct bed *b, struct ib_qp *qp, u32 dest_qpn, u32 rq_psn, u32 sq_psn);
int wait_arm(struct wait_cqe *w);
int wait_for(struct wait_cqe *w);
int post_wait_qp(struct ib_qp *qp, struct ib_send_wr *wr, struct wait_cqe *w);
void drain_qp(struct ib_qp *qp);
void fill(u8 *p, size_t len, u8 seed);
size_t fill_diff(const u8 *p, size_t len, u8 seed);

/* rxe_test_srq.c: a shared receive queue and its events. */
void test_srq(struct bed *b);
/* rxe_test_cm.c: rdma_cm through the device's IPv4 address. */
void test_cm(struct bed *b);
/* rxe_test_peer.c: against another host, as its server or its client. */
void test_peer(bool listen, const char *ip);

#endif /* XP_RXE_TEST_H */
