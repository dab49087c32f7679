/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Structures shared by rdma_dev.c (device, receive dispatch) and rdma_ud.c (UD QPs). */
#ifndef RDMA_PRIVATE_H
#define RDMA_PRIVATE_H

#include <stdbool.h>
#include <linux/types.h>

#include "xp_rdma.h"
#include "xp_roce_pkt.h"

struct xp_pool;
struct xp_steer;
struct xp_umem;
struct xp_xsk;

struct xp_rdma_dev {
	int ifindex;
	char ifname[16];
	__u32 queue;
	__u8 mac[6];
	unsigned int netdev_mtu;
	enum xp_mtu mtu;
	__u8 gids[XP_RDMA_GID_TBL_LEN][16];

	void *area;
	size_t area_len;
	__u32 frame_size;
	struct xp_umem *umem;
	struct xp_pool *pool;
	struct xp_xsk *xsk;
	struct xp_steer *steer;
	bool attached; /* we attached xdp_steer and detach it on close */

	struct xp_mr_table *mrs;
	__u32 max_qp;
	__u32 nqp;
	struct xp_qp **qps; /* by QPN - XP_RDMA_QPN_FIRST */
	__u32 next_qpn; /* where the search for a free QPN starts */
	__u16 ip_id;

	struct xp_rdma_dev_stats stats;
};

struct xp_ah {
	struct xp_rdma_dev *dev;
	struct xp_roce_av av; /* without sport, ip_id and pmtu: set per packet */
};

struct xp_recv_wqe {
	__u64 wr_id;
	__u32 num_sge;
	struct xp_sge sge[XP_QP_MAX_SGE];
};

struct xp_qp {
	struct xp_rdma_dev *dev;
	__u32 qpn;
	enum xp_qp_type type;
	struct xp_pd *pd;
	struct xp_cq *scq, *rcq;
	struct xp_qp_cap cap;
	bool sq_sig_all;
	void *context;
	struct xp_qp_attr attr; /* state, qkey, sq_psn, ... as last modified */
	__u16 sport;

	/* Receive queue: a ring of max_recv_wr WQEs. */
	struct xp_recv_wqe *rq;
	__u32 rq_head; /* next to consume */
	__u32 rq_count;
};

/*
 * Deliver a parsed UD packet to qp: XP_RDMA_DROP_NONE when it completed a
 * receive (successfully or in error), else why it was dropped.
 */
enum xp_rdma_drop xp_qp_ud_recv(struct xp_qp *qp, const struct xp_roce_pkt *pkt);

#endif /* RDMA_PRIVATE_H */
