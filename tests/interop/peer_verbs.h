/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The few verbs calls rdma_peer.c makes that differ between libibverbs
 * (built with -DXP_PEER_IBV, run on kernel rdma_rxe) and xdpath (the
 * default). Everything else is shared: our API keeps libibverbs' values,
 * struct shapes and field names, so the work requests, SGEs and
 * completions are the same code. What differs:
 *
 *   - opening the device, the PD, the CQs and the QP (a device name
 *     against an interface name);
 *   - connecting the QP (ibv_modify_qp three times against xp_qp_connect());
 *   - the union in a send WR: wr->wr.rdma (ibv) against wr->rdma (ours),
 *     hidden behind PV_RDMA() and PV_ATOMIC();
 *   - progress: rxe works in the kernel, while an xdpath device moves only
 *     when it is polled, so pv_poll() drives it before reading a CQ and
 *     pv_idle() waits on it;
 *   - counters: xp_qp_stats() and the device's fault counters, or rxe's
 *     hw_counters in sysfs (the difference over the run).
 */
#ifndef PEER_VERBS_H
#define PEER_VERBS_H

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <linux/types.h>

/* pv_open()'s AF_XDP mode (the xdpath build's -z and --copy). */
enum { PV_XSK_AUTO, PV_XSK_COPY, PV_XSK_ZEROCOPY };

#ifdef XP_PEER_IBV
#include <dirent.h>
#include <sched.h>
#include <infiniband/verbs.h>

#define PV_VARIANT "ibv"

typedef struct ibv_send_wr pv_send_wr;
typedef struct ibv_recv_wr pv_recv_wr;
typedef struct ibv_sge pv_sge;
typedef struct ibv_wc pv_wc;

#define PV_RDMA(w) ((w)->wr.rdma)
#define PV_ATOMIC(w) ((w)->wr.atomic)

#define PV_WR_RDMA_WRITE IBV_WR_RDMA_WRITE
#define PV_WR_RDMA_WRITE_WITH_IMM IBV_WR_RDMA_WRITE_WITH_IMM
#define PV_WR_SEND IBV_WR_SEND
#define PV_WR_SEND_WITH_IMM IBV_WR_SEND_WITH_IMM
#define PV_WR_RDMA_READ IBV_WR_RDMA_READ
#define PV_WR_ATOMIC_CMP_AND_SWP IBV_WR_ATOMIC_CMP_AND_SWP
#define PV_WR_ATOMIC_FETCH_AND_ADD IBV_WR_ATOMIC_FETCH_AND_ADD
#define PV_SEND_SIGNALED IBV_SEND_SIGNALED

#define PV_WC_SUCCESS IBV_WC_SUCCESS
#define PV_WC_SEND IBV_WC_SEND
#define PV_WC_RDMA_WRITE IBV_WC_RDMA_WRITE
#define PV_WC_RDMA_READ IBV_WC_RDMA_READ
#define PV_WC_COMP_SWAP IBV_WC_COMP_SWAP
#define PV_WC_FETCH_ADD IBV_WC_FETCH_ADD
#define PV_WC_RECV IBV_WC_RECV
#define PV_WC_RECV_RDMA_WITH_IMM IBV_WC_RECV_RDMA_WITH_IMM
#define PV_WC_WITH_IMM IBV_WC_WITH_IMM

#define PV_ACCESS_ALL                                                                \
	(IBV_ACCESS_LOCAL_WRITE | IBV_ACCESS_REMOTE_WRITE | IBV_ACCESS_REMOTE_READ | \
	 IBV_ACCESS_REMOTE_ATOMIC)

#define pv_wc_status_str(s) ibv_wc_status_str(s)

#define PV_MAX_HW_COUNTERS 64

struct pv_hw_counter {
	char name[48];
	unsigned long long start;
};

struct pv_mr {
	struct ibv_mr *mr;
	__u32 lkey, rkey;
};

struct pv_ctx {
	struct ibv_context *ctx;
	struct ibv_pd *pd;
	struct ibv_cq *scq, *rcq;
	struct ibv_qp *qp;
	int gidx;
	__u8 gid[16];
	unsigned int mtu; /* bytes */
	char name[64];
	struct pv_hw_counter hw[PV_MAX_HW_COUNTERS];
	int nhw;
};

/* Faults are ours: rxe has no such knob. */
struct pv_faults {
	__u32 drop_ppm, dup_ppm, reorder_ppm;
	__u64 seed;
};

static inline enum ibv_mtu pv_ibv_mtu(unsigned int bytes)
{
	return bytes >= 4096 ? IBV_MTU_4096 :
	       bytes >= 2048 ? IBV_MTU_2048 :
	       bytes >= 1024 ? IBV_MTU_1024 :
	       bytes >= 512  ? IBV_MTU_512 :
			       IBV_MTU_256;
}

static inline int pv_hw_read(const struct pv_ctx *c, const char *name, unsigned long long *v)
{
	char path[256];
	FILE *f;
	int ok;

	snprintf(path, sizeof(path), "/sys/class/infiniband/%s/ports/1/hw_counters/%s", c->name,
		 name);
	f = fopen(path, "r");
	if (!f)
		return -errno;
	ok = fscanf(f, "%llu", v) == 1;
	fclose(f);
	return ok ? 0 : -EIO;
}

/* Remember rxe's port counters now; pv_print_stats() shows what changed. */
static inline void pv_hw_snapshot(struct pv_ctx *c)
{
	char path[200];
	struct dirent *e;
	DIR *d;

	snprintf(path, sizeof(path), "/sys/class/infiniband/%s/ports/1/hw_counters", c->name);
	d = opendir(path);
	if (!d)
		return;
	while ((e = readdir(d)) && c->nhw < PV_MAX_HW_COUNTERS) {
		struct pv_hw_counter *h = &c->hw[c->nhw];

		if (e->d_name[0] == '.' || strlen(e->d_name) >= sizeof(h->name) ||
		    !strcmp(e->d_name, "lifespan"))
			continue;
		strcpy(h->name, e->d_name);
		if (!pv_hw_read(c, h->name, &h->start))
			c->nhw++;
	}
	closedir(d);
}

/* name: an RDMA device (rxe0), or NULL for the first one. */
static inline int pv_open(struct pv_ctx *c, const char *name, int gidx, int xsk_mode)
{
	struct ibv_device **list, *dev = NULL;
	struct ibv_port_attr pattr;
	union ibv_gid gid;
	int i, n;

	if (xsk_mode != PV_XSK_AUTO) {
		fprintf(stderr, "rdma_peer: -z and --copy are for the xdpath build (AF_XDP)\n");
		return -EINVAL;
	}
	c->gidx = gidx;
	list = ibv_get_device_list(&n);
	if (!list || !n) {
		fprintf(stderr, "rdma_peer: no RDMA device (is rdma_rxe linked to a netdev?)\n");
		return -ENODEV;
	}
	for (i = 0; i < n && !dev; i++)
		if (!name || !strcmp(ibv_get_device_name(list[i]), name))
			dev = list[i];
	if (!dev) {
		fprintf(stderr, "rdma_peer: no RDMA device %s\n", name);
		ibv_free_device_list(list);
		return -ENODEV;
	}
	snprintf(c->name, sizeof(c->name), "%s", ibv_get_device_name(dev));
	c->ctx = ibv_open_device(dev);
	ibv_free_device_list(list);
	if (!c->ctx)
		return -errno;
	if (ibv_query_port(c->ctx, 1, &pattr))
		return -EIO;
	c->mtu = 128u << pattr.active_mtu;
	if (ibv_query_gid(c->ctx, 1, gidx, &gid)) {
		fprintf(stderr, "rdma_peer: %s has no GID index %d\n", c->name, gidx);
		return -EINVAL;
	}
	memcpy(c->gid, gid.raw, 16);
	c->pd = ibv_alloc_pd(c->ctx);
	if (!c->pd)
		return -errno;
	pv_hw_snapshot(c);
	return 0;
}

static inline int pv_set_faults(struct pv_ctx *c, const struct pv_faults *f)
{
	(void)c;
	if (!f->drop_ppm && !f->dup_ppm && !f->reorder_ppm)
		return 0;
	fprintf(stderr, "rdma_peer: --drop, --dup and --reorder need the xdpath build\n");
	return -EOPNOTSUPP;
}

static inline int pv_reg_mr(struct pv_ctx *c, struct pv_mr *m, void *addr, size_t len)
{
	m->mr = ibv_reg_mr(c->pd, addr, len, PV_ACCESS_ALL);
	if (!m->mr)
		return -errno;
	m->lkey = m->mr->lkey;
	m->rkey = m->mr->rkey;
	return 0;
}

static inline void pv_dereg_mr(struct pv_mr *m)
{
	if (m->mr)
		ibv_dereg_mr(m->mr);
	m->mr = NULL;
}

static inline int pv_create_qp(struct pv_ctx *c, __u32 sq, __u32 rq)
{
	struct ibv_qp_init_attr a = {
		.qp_type = IBV_QPT_RC,
		.cap = { .max_send_wr = sq,
			 .max_recv_wr = rq,
			 .max_send_sge = 2,
			 .max_recv_sge = 1 },
	};

	c->scq = ibv_create_cq(c->ctx, 2 * sq, NULL, NULL, 0);
	c->rcq = ibv_create_cq(c->ctx, 2 * rq, NULL, NULL, 0);
	if (!c->scq || !c->rcq)
		return -errno;
	a.send_cq = c->scq;
	a.recv_cq = c->rcq;
	c->qp = ibv_create_qp(c->pd, &a);
	return c->qp ? 0 : -errno;
}

static inline __u32 pv_qp_num(const struct pv_ctx *c)
{
	return c->qp->qp_num;
}

/* What the peer told us, and how we set up our side of the connection. */
struct pv_conn {
	__u32 dest_qpn;
	__u32 rq_psn; /* the peer's first PSN */
	__u32 sq_psn; /* ours */
	__u8 dgid[16];
	unsigned int mtu; /* path MTU in bytes */
	int timeout; /* local ACK timeout code, < 0: default (14) */
};

static inline int pv_connect(struct pv_ctx *c, const struct pv_conn *p)
{
	struct ibv_qp_attr a = {
		.qp_state = IBV_QPS_INIT,
		.port_num = 1,
		.qp_access_flags = PV_ACCESS_ALL,
	};

	if (ibv_modify_qp(c->qp, &a,
			  IBV_QP_STATE | IBV_QP_PKEY_INDEX | IBV_QP_PORT | IBV_QP_ACCESS_FLAGS)) {
		fprintf(stderr, "rdma_peer: modify QP to INIT: %s\n", strerror(errno));
		return -errno;
	}
	memset(&a, 0, sizeof(a));
	a.qp_state = IBV_QPS_RTR;
	a.path_mtu = pv_ibv_mtu(p->mtu);
	a.dest_qp_num = p->dest_qpn;
	a.rq_psn = p->rq_psn;
	a.max_dest_rd_atomic = 16;
	a.min_rnr_timer = 12;
	a.ah_attr.is_global = 1;
	a.ah_attr.port_num = 1;
	a.ah_attr.grh.hop_limit = 64;
	a.ah_attr.grh.sgid_index = c->gidx;
	memcpy(a.ah_attr.grh.dgid.raw, p->dgid, 16);
	if (ibv_modify_qp(c->qp, &a,
			  IBV_QP_STATE | IBV_QP_AV | IBV_QP_PATH_MTU | IBV_QP_DEST_QPN |
				  IBV_QP_RQ_PSN | IBV_QP_MAX_DEST_RD_ATOMIC |
				  IBV_QP_MIN_RNR_TIMER)) {
		fprintf(stderr, "rdma_peer: modify QP to RTR: %s\n", strerror(errno));
		return -errno;
	}
	memset(&a, 0, sizeof(a));
	a.qp_state = IBV_QPS_RTS;
	a.sq_psn = p->sq_psn;
	a.timeout = p->timeout < 0 ? 14 : p->timeout;
	a.retry_cnt = 7;
	a.rnr_retry = 7;
	a.max_rd_atomic = 16;
	if (ibv_modify_qp(c->qp, &a,
			  IBV_QP_STATE | IBV_QP_SQ_PSN | IBV_QP_TIMEOUT | IBV_QP_RETRY_CNT |
				  IBV_QP_RNR_RETRY | IBV_QP_MAX_QP_RD_ATOMIC)) {
		fprintf(stderr, "rdma_peer: modify QP to RTS: %s\n", strerror(errno));
		return -errno;
	}
	return 0;
}

static inline int pv_post_send(struct pv_ctx *c, pv_send_wr *wr)
{
	pv_send_wr *bad;

	return -ibv_post_send(c->qp, wr, &bad);
}

static inline int pv_post_recv(struct pv_ctx *c, pv_recv_wr *wr)
{
	pv_recv_wr *bad;

	return -ibv_post_recv(c->qp, wr, &bad);
}

/* One completion of the send (recv false) or receive CQ: 1, 0 or -errno. */
static inline int pv_poll(struct pv_ctx *c, bool recv, pv_wc *wc)
{
	int n = ibv_poll_cq(recv ? c->rcq : c->scq, 1, wc);

	return n < 0 ? -EIO : n;
}

/* Nothing to do: let rxe's kernel work run (one vCPU under TCG). */
static inline void pv_idle(struct pv_ctx *c)
{
	(void)c;
	sched_yield();
}

/* One parseable line: rxe's port counters that changed during the run. */
static inline void pv_print_stats(struct pv_ctx *c, const char *prog)
{
	unsigned long long v;
	int i;

	printf("%s: hw_counters %s", prog, c->name);
	for (i = 0; i < c->nhw; i++)
		if (!pv_hw_read(c, c->hw[i].name, &v))
			printf(" %s=%llu", c->hw[i].name, v - c->hw[i].start);
	printf("\n");
}

static inline void pv_close(struct pv_ctx *c)
{
	if (c->qp)
		ibv_destroy_qp(c->qp);
	if (c->scq)
		ibv_destroy_cq(c->scq);
	if (c->rcq)
		ibv_destroy_cq(c->rcq);
	if (c->pd)
		ibv_dealloc_pd(c->pd);
	if (c->ctx)
		ibv_close_device(c->ctx);
}

#else /* xdpath */

#include "xp_log.h"
#include "xp_rdma_xsk.h"
#include "xp_roce_pkt.h"
#include "xp_xsk.h"

#define PV_VARIANT "xdpath"

typedef struct xp_send_wr pv_send_wr;
typedef struct xp_recv_wr pv_recv_wr;
typedef struct xp_sge pv_sge;
typedef struct xp_wc pv_wc;

#define PV_RDMA(w) ((w)->rdma)
#define PV_ATOMIC(w) ((w)->atomic)

#define PV_WR_RDMA_WRITE XP_WR_RDMA_WRITE
#define PV_WR_RDMA_WRITE_WITH_IMM XP_WR_RDMA_WRITE_WITH_IMM
#define PV_WR_SEND XP_WR_SEND
#define PV_WR_SEND_WITH_IMM XP_WR_SEND_WITH_IMM
#define PV_WR_RDMA_READ XP_WR_RDMA_READ
#define PV_WR_ATOMIC_CMP_AND_SWP XP_WR_ATOMIC_CMP_AND_SWP
#define PV_WR_ATOMIC_FETCH_AND_ADD XP_WR_ATOMIC_FETCH_AND_ADD
#define PV_SEND_SIGNALED XP_SEND_SIGNALED

#define PV_WC_SUCCESS XP_WC_SUCCESS
#define PV_WC_SEND XP_WC_SEND
#define PV_WC_RDMA_WRITE XP_WC_RDMA_WRITE
#define PV_WC_RDMA_READ XP_WC_RDMA_READ
#define PV_WC_COMP_SWAP XP_WC_COMP_SWAP
#define PV_WC_FETCH_ADD XP_WC_FETCH_ADD
#define PV_WC_RECV XP_WC_RECV
#define PV_WC_RECV_RDMA_WITH_IMM XP_WC_RECV_RDMA_WITH_IMM
#define PV_WC_WITH_IMM XP_WC_WITH_IMM

#define PV_ACCESS_ALL (XP_ACCESS_LOCAL_WRITE | XP_ACCESS_REMOTE)

#define pv_wc_status_str(s) xp_wc_status_str(s)

struct pv_mr {
	struct xp_mr *mr;
	__u32 lkey, rkey;
};

struct pv_ctx {
	struct xp_rdma_dev *dev;
	struct xp_pd *pd;
	struct xp_cq *scq, *rcq;
	struct xp_qp *qp;
	int gidx;
	__u8 gid[16];
	unsigned int mtu; /* bytes */
};

struct pv_faults {
	__u32 drop_ppm, dup_ppm, reorder_ppm;
	__u64 seed;
};

/* name: the interface the device binds to (queue 0); xsk_mode: PV_XSK_*. */
static inline int pv_open(struct pv_ctx *c, const char *name, int gidx, int xsk_mode)
{
	struct xp_rdma_dev_opts o = {
		.sz = sizeof(o),
		.xsk_mode = xsk_mode == PV_XSK_ZEROCOPY ? XP_XSK_ZEROCOPY :
			    xsk_mode == PV_XSK_COPY	? XP_XSK_COPY :
							  XP_XSK_AUTO,
	};

	if (!name) {
		fprintf(stderr, "rdma_peer: the xdpath build needs -i IFNAME\n");
		return -EINVAL;
	}
	c->gidx = gidx;
	c->dev = xp_rdma_dev_open(name, &o);
	if (!c->dev)
		return -errno;
	fprintf(stderr, "rdma_peer: device %s: AF_XDP %s mode\n", name,
		xp_xsk_mode_str(xp_rdma_dev_xsk_mode(c->dev)));
	c->mtu = xp_mtu_to_bytes(xp_rdma_dev_mtu(c->dev));
	if (xp_rdma_dev_query_gid(c->dev, gidx, c->gid) ||
	    xp_rdma_dev_find_gid(c->dev, c->gid) < 0) {
		fprintf(stderr, "rdma_peer: GID index %d of %s is empty\n", gidx, name);
		return -EINVAL;
	}
	c->pd = xp_pd_alloc(xp_rdma_dev_mr_table(c->dev));
	return c->pd ? 0 : -errno;
}

static inline int pv_set_faults(struct pv_ctx *c, const struct pv_faults *f)
{
	struct xp_rdma_faults x = {
		.sz = sizeof(x),
		.drop_ppm = f->drop_ppm,
		.dup_ppm = f->dup_ppm,
		.reorder_ppm = f->reorder_ppm,
		.seed = f->seed,
	};

	return xp_rdma_dev_set_faults(c->dev, &x);
}

static inline int pv_reg_mr(struct pv_ctx *c, struct pv_mr *m, void *addr, size_t len)
{
	m->mr = xp_mr_reg(c->pd, addr, len, PV_ACCESS_ALL, NULL);
	if (!m->mr)
		return -errno;
	m->lkey = xp_mr_lkey(m->mr);
	m->rkey = xp_mr_rkey(m->mr);
	return 0;
}

static inline void pv_dereg_mr(struct pv_mr *m)
{
	if (m->mr)
		xp_mr_dereg(m->mr);
	m->mr = NULL;
}

static inline int pv_create_qp(struct pv_ctx *c, __u32 sq, __u32 rq)
{
	struct xp_cq_opts so = { .sz = sizeof(so), .cqe = 2 * sq };
	struct xp_cq_opts ro = { .sz = sizeof(ro), .cqe = 2 * rq };
	struct xp_qp_init_attr a = {
		.sz = sizeof(a),
		.qp_type = XP_QPT_RC,
		.pd = c->pd,
		.cap = { .max_send_wr = sq,
			 .max_recv_wr = rq,
			 .max_send_sge = 2,
			 .max_recv_sge = 1 },
	};

	c->scq = xp_cq_create(&so);
	c->rcq = xp_cq_create(&ro);
	if (!c->scq || !c->rcq)
		return -errno;
	a.send_cq = c->scq;
	a.recv_cq = c->rcq;
	c->qp = xp_qp_create(c->dev, &a);
	return c->qp ? 0 : -errno;
}

static inline __u32 pv_qp_num(const struct pv_ctx *c)
{
	return xp_qp_num(c->qp);
}

struct pv_conn {
	__u32 dest_qpn;
	__u32 rq_psn;
	__u32 sq_psn;
	__u8 dgid[16];
	unsigned int mtu;
	int timeout;
};

static inline int pv_connect(struct pv_ctx *c, const struct pv_conn *p)
{
	struct xp_qp_connect_opts o = {
		.sz = sizeof(o),
		.path_mtu = xp_mtu_from_bytes(p->mtu),
	};
	struct xp_qp_peer peer = {
		.sgid_index = c->gidx,
		.dest_qpn = p->dest_qpn,
		.rq_psn = p->rq_psn,
		.sq_psn = p->sq_psn,
	};
	int err;

	if (p->timeout >= 0)
		o.timeout = p->timeout;
	memcpy(peer.dgid, p->dgid, 16);
	err = xp_qp_connect(c->qp, &peer, &o);
	if (err)
		fprintf(stderr, "rdma_peer: xp_qp_connect: %s\n", strerror(-err));
	return err;
}

static inline int pv_post_send(struct pv_ctx *c, pv_send_wr *wr)
{
	pv_send_wr *bad;

	return xp_qp_post_send(c->qp, wr, &bad);
}

static inline int pv_post_recv(struct pv_ctx *c, pv_recv_wr *wr)
{
	pv_recv_wr *bad;

	return xp_qp_post_recv(c->qp, wr, &bad);
}

/* Drive the device, then take one completion: 1, 0 or -errno. */
static inline int pv_poll(struct pv_ctx *c, bool recv, pv_wc *wc)
{
	struct xp_cq *cq = recv ? c->rcq : c->scq;
	int n = xp_cq_poll(cq, 1, wc);

	if (n)
		return n;
	xp_rdma_dev_poll(c->dev, 64);
	return xp_cq_poll(cq, 1, wc);
}

/* Nothing came: sleep on the socket until a frame or a QP timer is due. */
static inline void pv_idle(struct pv_ctx *c)
{
	xp_rdma_dev_wait(c->dev, 1);
	xp_rdma_dev_poll(c->dev, 64);
}

/*
 * Two parseable lines: the QP's counters and the device's. The kernel_*
 * fields are the socket's XDP_STATISTICS, received frames the kernel
 * dropped before the device saw them: rx_dropped, rx_ring_full and
 * rx_fill_ring_empty_descs (-1 when unreadable); tx_ring_drops counts the
 * frames the device gave up sending because the tx ring stayed full; the
 * mr_* and send_inv_sent fields are its memory registration work.
 */
static inline void pv_print_stats(struct pv_ctx *c, const char *prog)
{
	const struct xp_qp_stats *q = xp_qp_stats(c->qp);
	const struct xp_rdma_dev_stats *d = xp_rdma_dev_stats(c->dev);
	long long k_dropped = -1, k_ring_full = -1, k_fill_empty = -1;
	unsigned long long other = 0;
	struct xp_xsk_stats ks;
	int i;

	if (!xp_rdma_dev_xsk_stats(c->dev, &ks)) {
		k_dropped = ks.rx_dropped;
		k_ring_full = ks.rx_ring_full;
		k_fill_empty = ks.rx_fill_ring_empty_descs;
	}

	if (q)
		printf("%s: qp_stats tx_pkts=%llu rx_pkts=%llu retransmits=%llu timeouts=%llu "
		       "seq_naks_rcvd=%llu rnr_naks_rcvd=%llu dup_responses=%llu acks_rcvd=%llu "
		       "acks_sent=%llu seq_naks_sent=%llu rnr_naks_sent=%llu err_naks_sent=%llu "
		       "dup_requests=%llu out_of_seq=%llu psn_out_of_window=%llu dup_too_old=%llu "
		       "dup_read_mismatch=%llu\n",
		       prog, (unsigned long long)q->tx_pkts, (unsigned long long)q->rx_pkts,
		       (unsigned long long)q->retransmits, (unsigned long long)q->timeouts,
		       (unsigned long long)q->seq_naks_rcvd, (unsigned long long)q->rnr_naks_rcvd,
		       (unsigned long long)q->dup_responses, (unsigned long long)q->acks_rcvd,
		       (unsigned long long)q->acks_sent, (unsigned long long)q->seq_naks_sent,
		       (unsigned long long)q->rnr_naks_sent, (unsigned long long)q->err_naks_sent,
		       (unsigned long long)q->dup_requests, (unsigned long long)q->out_of_seq,
		       (unsigned long long)q->psn_out_of_window, (unsigned long long)q->dup_too_old,
		       (unsigned long long)q->dup_read_mismatch);
	for (i = 1; i < XP_RDMA_DROP__MAX; i++)
		if (i != XP_RDMA_DROP_FAULT)
			other += d->rx_drops[i];
	for (i = 0; i < 32; i++)
		other += d->rx_parse_drops[i];
	printf("%s: dev_stats rx_frames=%llu tx_frames=%llu fault_drops=%llu fault_dups=%llu "
	       "fault_reorders=%llu other_drops=%llu tx_no_frame=%llu kernel_rx_dropped=%lld "
	       "kernel_rx_ring_full=%lld kernel_fill_empty=%lld tx_ring_drops=%llu "
	       "mr_fast_reg=%llu mr_reg_refused=%llu mr_local_inv=%llu mr_remote_inv=%llu "
	       "send_inv_sent=%llu mr_rkey_refused=%llu\n",
	       prog, (unsigned long long)d->rx_frames, (unsigned long long)d->tx_frames,
	       (unsigned long long)d->rx_drops[XP_RDMA_DROP_FAULT],
	       (unsigned long long)d->fault_dups, (unsigned long long)d->fault_reorders, other,
	       (unsigned long long)d->tx_no_frame, k_dropped, k_ring_full, k_fill_empty,
	       (unsigned long long)d->tx_ring_drops, (unsigned long long)d->mr_fast_reg,
	       (unsigned long long)d->mr_reg_refused, (unsigned long long)d->mr_local_inv,
	       (unsigned long long)d->mr_remote_inv, (unsigned long long)d->send_inv_sent,
	       (unsigned long long)d->mr_rkey_refused);
	/* other_drops by reason: the parser's, then the device's. */
	printf("%s: parse_drops", prog);
	for (i = 1; i < XP_PKT_ERR_NR; i++)
		printf(" %s=%llu", xp_pkt_err_str(i), (unsigned long long)d->rx_parse_drops[i]);
	printf("\n%s: rx_drops", prog);
	for (i = 1; i < XP_RDMA_DROP__MAX; i++)
		printf(" %s=%llu", xp_rdma_drop_str(i), (unsigned long long)d->rx_drops[i]);
	printf("\n");
}

static inline void pv_close(struct pv_ctx *c)
{
	if (c->qp)
		xp_qp_destroy(c->qp);
	xp_cq_destroy(c->scq);
	xp_cq_destroy(c->rcq);
	if (c->pd)
		xp_pd_free(c->pd);
	xp_rdma_dev_close(c->dev);
}

#endif /* XP_PEER_IBV */
#endif /* PEER_VERBS_H */
