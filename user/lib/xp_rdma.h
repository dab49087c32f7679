/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * An RDMA device over one interface queue, and its UD queue pairs: the
 * first vertical slice of the transport (ibv_open_device, ibv_create_qp,
 * ibv_post_send/recv for IBV_QPT_UD).
 *
 *	dev = xp_rdma_dev_open("eth0", NULL);
 *	pd = xp_pd_alloc(xp_rdma_dev_mr_table(dev));
 *	qp = xp_qp_create(dev, &init);		(UD, a PD and two CQs)
 *	xp_qp_modify(qp, &attr, mask);		(RESET -> INIT -> RTR -> RTS)
 *	ah = xp_ah_create(dev, &ah_attr);	(resolves the peer's MAC)
 *	xp_qp_post_recv(qp, &rwr, &bad);
 *	xp_qp_post_send(qp, &swr, &bad);
 *	for (;;) { xp_rdma_dev_poll(dev, 64); xp_cq_poll(cq, 1, &wc); }
 *
 * The device owns a umem, its frame pool and one AF_XDP socket on (ifname,
 * queue). It attaches the xdp_steer program unless ours is there already,
 * puts the socket into the XSKMAP slot of its queue and steers each QPN it
 * hands out to that slot. Nothing runs in the background: the caller
 * drives the device with xp_rdma_dev_poll(), which reaps tx completions,
 * refills the fill ring, and parses and delivers received frames.
 *
 * GID table (what rxe shows for the same netdev):
 *	index 0: the interface's link-local IPv6 address, or zero if none;
 *	index 1: its first IPv4 address as ::ffff:a.b.c.d (zero if none);
 *	then the other IPv4 addresses, then the other IPv6 addresses.
 *
 * QPNs: XP_RDMA_QPN_FIRST .. XP_RDMA_QPN_FIRST + max_qp - 1. Like rxe we
 * start at 17: 0 and 1 are the special QPs (SMI, GSI), 2..16 stay free.
 *
 * Threading: a device and its QPs belong to one thread at a time.
 */
#ifndef XP_RDMA_H
#define XP_RDMA_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>

#include "xp_cq.h"
#include "xp_mr.h"
#include "xp_qp.h"
#include "xp_xdp.h"

#define XP_RDMA_QPN_FIRST 17u
#define XP_RDMA_DEFAULT_MAX_QP 256u
#define XP_RDMA_GID_TBL_LEN 16u
/* Bytes in front of a UD receive: the GRH (IPv6 header, or 20 zero bytes + IPv4 header). */
#define XP_GRH_LEN 40u

struct xp_rdma_dev_opts {
	size_t sz;
	__u32 queue; /* rx/tx queue of the interface (default 0) */
	__u32 nframes; /* umem frames (default 1024) */
	__u32 frame_size; /* umem chunk size (default 4096) */
	__u32 ring_size; /* rx, tx and completion rings (default 512) */
	__u32 max_qp; /* QPs (default XP_RDMA_DEFAULT_MAX_QP) */
	enum xp_attach_mode attach_mode; /* for xdp_steer when we attach it */
	size_t : 0;
};

/*
 * Why the device dropped a received frame that xp_roce_parse() accepted.
 * Stable numbers, counted apart from the parser's enum xp_pkt_err.
 */
enum xp_rdma_drop {
	XP_RDMA_DROP_NONE = 0, /* not a drop: the frame was delivered */
	XP_RDMA_DROP_NOT_UD = 1, /* opcode of a transport we do not serve yet */
	XP_RDMA_DROP_DGID = 2, /* destination IP is none of our GIDs */
	XP_RDMA_DROP_NO_QP = 3, /* no QP with that destination QPN */
	XP_RDMA_DROP_QP_STATE = 4, /* QP not in RTR or RTS */
	XP_RDMA_DROP_QKEY = 5, /* DETH Q_Key differs from the QP's */
	XP_RDMA_DROP_NO_RECV = 6, /* no receive posted */
	XP_RDMA_DROP_PKEY = 7, /* P_Key not the default 0xffff (or 0x7fff) */
	XP_RDMA_DROP__MAX,
};

const char *xp_rdma_drop_str(enum xp_rdma_drop reason);

struct xp_rdma_dev;
struct xp_qp;
struct xp_ah;

/* NULL with errno on failure, after logging why. */
struct xp_rdma_dev *xp_rdma_dev_open(const char *ifname, const struct xp_rdma_dev_opts *opts);
/* -EBUSY (nothing freed) while QPs remain; NULL is a no-op. */
int xp_rdma_dev_close(struct xp_rdma_dev *dev);

int xp_rdma_dev_ifindex(const struct xp_rdma_dev *dev);
const __u8 *xp_rdma_dev_mac(const struct xp_rdma_dev *dev);
/* Active path MTU: the netdev MTU less 80, rounded down (1500 -> XP_MTU_1024). */
enum xp_mtu xp_rdma_dev_mtu(const struct xp_rdma_dev *dev);
struct xp_mr_table *xp_rdma_dev_mr_table(struct xp_rdma_dev *dev);
/* Entries in the GID table (unused ones read as zero). */
__u32 xp_rdma_dev_gid_tbl_len(const struct xp_rdma_dev *dev);
/* ibv_query_gid: 0, or -EINVAL for an index past the table. */
int xp_rdma_dev_query_gid(const struct xp_rdma_dev *dev, __u32 index, __u8 gid[16]);
/* Index of gid in the table, or -ENOENT (a zero GID is never found). */
int xp_rdma_dev_find_gid(const struct xp_rdma_dev *dev, const __u8 gid[16]);

/*
 * Reap tx completions, refill the fill ring and process up to budget
 * received frames. Returns the number of frames received (0 if none).
 */
int xp_rdma_dev_poll(struct xp_rdma_dev *dev, __u32 budget);
/* Wait up to timeout_ms for received frames; poll()'s result or -errno. */
int xp_rdma_dev_wait(struct xp_rdma_dev *dev, int timeout_ms);

struct xp_rdma_dev_stats {
	__u64 rx_frames;
	__u64 tx_frames;
	__u64 rx_parse_drops[32]; /* by enum xp_pkt_err (XP_PKT_ERR_NR <= 32) */
	__u64 rx_drops[XP_RDMA_DROP__MAX]; /* by enum xp_rdma_drop; [0] stays 0 */
	__u64 tx_no_frame; /* post_send found no free umem frame */
};

const struct xp_rdma_dev_stats *xp_rdma_dev_stats(const struct xp_rdma_dev *dev);

/* ---- address handles ---- */

/*
 * ibv_create_ah: attr->dgid, sgid_index (our GID; IPv4 and IPv6 must not
 * mix), hop_limit (0: 64), traffic_class, flow_label. Unless dmac_set, the
 * destination MAC comes from the kernel's neighbour table: ENOENT when the
 * peer was not resolved yet (ping it first). NULL with errno on failure.
 */
struct xp_ah *xp_ah_create(struct xp_rdma_dev *dev, const struct xp_ah_attr *attr);
void xp_ah_destroy(struct xp_ah *ah);

/* ---- queue pairs ---- */

struct xp_qp_init_attr {
	size_t sz;
	enum xp_qp_type qp_type; /* XP_QPT_UD only, for now */
	struct xp_pd *pd;
	struct xp_cq *send_cq;
	struct xp_cq *recv_cq;
	struct xp_qp_cap cap; /* max_send_wr, max_recv_wr >= 1; max_*_sge >= 1 */
	bool sq_sig_all; /* every send completes, signalled or not */
	void *qp_context;
	size_t : 0;
};

/* Largest SGE count of one work request. */
#define XP_QP_MAX_SGE 32u

struct xp_sge {
	__u64 addr; /* iova in the MR that lkey names */
	__u32 length;
	__u32 lkey;
};

struct xp_recv_wr {
	__u64 wr_id;
	struct xp_recv_wr *next;
	struct xp_sge *sg_list;
	int num_sge;
};

/* ibv_wr_opcode values. */
enum xp_wr_opcode {
	XP_WR_SEND = 2,
	XP_WR_SEND_WITH_IMM = 3,
};

/* ibv_send_flags values. */
enum xp_send_flags {
	XP_SEND_SIGNALED = 1u << 1,
	XP_SEND_SOLICITED = 1u << 2,
};

struct xp_send_wr {
	__u64 wr_id;
	struct xp_send_wr *next;
	struct xp_sge *sg_list;
	int num_sge;
	enum xp_wr_opcode opcode;
	unsigned int send_flags;
	__be32 imm_data; /* network order, as in struct ibv_send_wr */
	struct {
		struct xp_ah *ah;
		__u32 remote_qpn;
		__u32 remote_qkey; /* high bit set: use the QP's own Q_Key (IBTA) */
	} ud;
};

/* NULL with errno on failure (EINVAL for bad attributes, ENOSPC: no QPN). */
struct xp_qp *xp_qp_create(struct xp_rdma_dev *dev, const struct xp_qp_init_attr *init);
/* Frees the QP; posted receives are dropped without completions. */
int xp_qp_destroy(struct xp_qp *qp);

/*
 * ibv_modify_qp: checked by xp_qp_modify_check() (its reason is logged at
 * debug level), then applied. Moving to RESET empties the receive queue;
 * to ERR flushes it (WR_FLUSH_ERR completions).
 */
int xp_qp_modify(struct xp_qp *qp, const struct xp_qp_attr *attr, int mask);
int xp_qp_query(const struct xp_qp *qp, struct xp_qp_attr *attr);

__u32 xp_qp_num(const struct xp_qp *qp);
enum xp_qp_state xp_qp_state(const struct xp_qp *qp);
void *xp_qp_context(const struct xp_qp *qp);

/*
 * Post receives. Refused before INIT (-EINVAL), with more than max_recv_sge
 * SGEs (-EINVAL), a full queue (-ENOMEM), or an SGE whose lkey does not
 * grant LOCAL_WRITE over its range (-EINVAL). *bad_wr names the first WR
 * not posted.
 */
int xp_qp_post_recv(struct xp_qp *qp, struct xp_recv_wr *wr, struct xp_recv_wr **bad_wr);

/*
 * Post sends. UD: a message fits one packet of the device's path MTU
 * (-EINVAL otherwise), the QP must be in RTS (-EINVAL), every SGE passes
 * the lkey check (-EINVAL), and a free umem frame must exist (-ENOMEM).
 * Each WR is on the wire (in the tx ring) when this returns; a signalled
 * one completes at once with XP_WC_SEND.
 */
int xp_qp_post_send(struct xp_qp *qp, struct xp_send_wr *wr, struct xp_send_wr **bad_wr);

/*
 * The source GID a UD receive's GRH carries (the buffer's first 40 bytes):
 * IPv4 (20 zero bytes and an IPv4 header) gives ::ffff:a.b.c.d.
 * 0, or -EINVAL when the GRH is neither form.
 */
int xp_grh_sgid(const void *grh, __u8 sgid[16]);

#endif /* XP_RDMA_H */
