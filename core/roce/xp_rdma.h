/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * An RDMA device and its RC and UD queue pairs (ibv_create_qp,
 * ibv_modify_qp, ibv_post_send/recv): the transport core's API. A host
 * makes the device and moves its frames: the AF_XDP device
 * (xp_rdma_dev_open(), user/lib/rdma/xp_rdma_xsk.h) or the in-memory
 * network of tests (user/lib/rdma/xp_mem_net.h); rdma_host.h is the seam.
 *
 *	dev = xp_rdma_dev_open("eth0", NULL);
 *	pd = xp_pd_alloc(xp_rdma_dev_mr_table(dev));
 *	qp = xp_qp_create(dev, &init);		(UD, a PD and two CQs)
 *	xp_qp_modify(qp, &attr, mask);		(RESET -> INIT -> RTR -> RTS)
 *	ah = xp_ah_create(dev, &ah_attr);	(the host resolves the peer's MAC)
 *	xp_qp_post_recv(qp, &rwr, &bad);
 *	xp_qp_post_send(qp, &swr, &bad);
 *	for (;;) { xp_rdma_dev_poll(dev, 64); xp_cq_poll(cq, 1, &wc); }
 *
 * GID table (what rxe shows for the same netdev; the host fills it):
 *	index 0: the interface's link-local IPv6 address, or zero if none;
 *	index 1: its first IPv4 address as ::ffff:a.b.c.d (zero if none);
 *	then the other IPv4 addresses, then the other IPv6 addresses.
 *
 * QPNs: qpn_first .. qpn_first + max_qp - 1 (xp_rdma_core_attr). Like rxe
 * we start at 17 by default: 0 and 1 are the special QPs (SMI, GSI), 2..16
 * stay free, and 0xffffff is the multicast QPN.
 *
 * Threading: a device and its QPs belong to one thread at a time.
 */
#ifndef XP_RDMA_H
#define XP_RDMA_H

#include "xp_types.h"

#include "xp_cq.h"
#include "xp_mr.h"
#include "xp_qp.h"

#define XP_RDMA_QPN_FIRST 17u
#define XP_RDMA_QPN_GSI 1u /* the GSI QP (xp_qp_init_attr.gsi) */
#define XP_RDMA_DEFAULT_MAX_QP 256u
#define XP_RDMA_GID_TBL_LEN 16u
/* Bytes in front of a UD receive: the GRH (IPv6 header, or 20 zero bytes + IPv4 header). */
#define XP_GRH_LEN 40u

/*
 * Why the device dropped a received frame that xp_roce_parse() accepted.
 * Stable numbers, counted apart from the parser's enum xp_pkt_err.
 */
enum xp_rdma_drop {
	XP_RDMA_DROP_NONE = 0, /* not a drop: the frame was delivered */
	XP_RDMA_DROP_NOT_UD = 1, /* opcode of a transport we do not serve (UC) */
	XP_RDMA_DROP_DGID = 2, /* destination IP is none of our GIDs */
	XP_RDMA_DROP_NO_QP = 3, /* no QP with that destination QPN */
	XP_RDMA_DROP_QP_STATE = 4, /* QP not in RTR or RTS */
	XP_RDMA_DROP_QKEY = 5, /* DETH Q_Key differs from the QP's */
	XP_RDMA_DROP_NO_RECV = 6, /* no receive posted */
	XP_RDMA_DROP_PKEY = 7, /* P_Key not the default 0xffff (or 0x7fff) */
	XP_RDMA_DROP_QP_TYPE = 8, /* transport of the opcode is not the QP's */
	XP_RDMA_DROP_PATH = 9, /* RC: source or destination IP not the QP's path */
	XP_RDMA_DROP_FAULT = 10, /* thrown away by xp_rdma_dev_set_faults() */
	XP_RDMA_DROP_BACKLOG = 11, /* RC request while the backlog of a busy responder is full,
				    * or a frame the host neither lends nor copies (rx_copy) */
	XP_RDMA_DROP_TOO_LONG = 12, /* a chain of frames longer than any RoCE packet we take */
	XP_RDMA_DROP__MAX,
};

const char *xp_rdma_drop_str(enum xp_rdma_drop reason);

struct xp_rdma_dev;
struct xp_qp;
struct xp_ah;

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

struct xp_rdma_dev_stats {
	__u64 rx_frames;
	__u64 tx_frames;
	__u64 rx_parse_drops[32]; /* by enum xp_pkt_err (XP_PKT_ERR_NR <= 32) */
	__u64 rx_drops[XP_RDMA_DROP__MAX]; /* by enum xp_rdma_drop; [0] stays 0 */
	__u64 tx_no_frame; /* post_send found no free frame buffer at the host */
	__u64 tx_ring_drops; /* frames the host dropped (its tx ring stayed full) */
	__u64 fault_dups; /* frames delivered twice by xp_rdma_dev_set_faults() */
	__u64 fault_reorders; /* frames held back behind the next one */
	/*
	 * Memory registration work, as iSER and NVMe-oF drive it: fast-reg
	 * MRs registered and invalidated, and what was refused.
	 */
	__u64 mr_fast_reg; /* REG_MR work requests executed (xp_qp_reg_mr()) */
	__u64 mr_reg_refused; /* REG_MR refused: the MR still VALID (not invalidated
			       * since its last registration), or another error */
	__u64 mr_local_inv; /* LOCAL_INV work requests executed successfully */
	__u64 mr_remote_inv; /* MRs invalidated by a SEND_WITH_INV received */
	__u64 send_inv_sent; /* SEND_WITH_INV messages sent (once each, not per
			      * packet, not again when retransmitted) */
	__u64 mr_rkey_refused; /* RC READ/WRITE/atomic requests NAKed at the rkey check
				* (key invalidated or stale, rights, range, alignment) */
	__u64 rx_backlog_copies; /* requests for a busy responder the host did not lend,
				  * backlogged as a copy it made (ops->rx_copy) */
};

const struct xp_rdma_dev_stats *xp_rdma_dev_stats(const struct xp_rdma_dev *dev);

/*
 * Fault injection for tests: of the frames the device receives, drop,
 * deliver twice, or hold back behind the next frame (reorder) the given
 * fraction, in parts per million, chosen by a PRNG seeded with seed (so a
 * run can be repeated). Faults are applied before parsing, to every
 * RoCE frame the host hands in; only a frame the host lends (may_keep) can
 * be held back, the others go on as if not chosen. All zero turns
 * injection off.
 * -EINVAL for a fraction above 1000000 or their sum above it.
 */
struct xp_rdma_faults {
	size_t sz;
	__u32 drop_ppm;
	__u32 dup_ppm;
	__u32 reorder_ppm;
	__u64 seed;
	size_t : 0;
};

int xp_rdma_dev_set_faults(struct xp_rdma_dev *dev, const struct xp_rdma_faults *faults);

/* ---- address handles ---- */

/*
 * ibv_create_ah: attr->dgid, sgid_index (our GID; IPv4 and IPv6 must not
 * mix), hop_limit (0: 64), traffic_class, flow_label. Unless dmac_set, the
 * host resolves the destination MAC (AF_XDP: the kernel's neighbour table,
 * ENOENT when the peer was not resolved yet: ping it first). NULL with
 * errno on failure.
 */
struct xp_ah *xp_ah_create(struct xp_rdma_dev *dev, const struct xp_ah_attr *attr);
void xp_ah_destroy(struct xp_ah *ah);
/*
 * The same in memory the host provides, XP_AH_STORAGE bytes aligned to 8,
 * allocating nothing: a kernel host makes address handles in atomic
 * context (ib_mad does). 0, or -EINVAL / the resolve error as above; the
 * storage needs nothing to undo.
 */
#define XP_AH_STORAGE 128
int xp_ah_init(struct xp_rdma_dev *dev, const struct xp_ah_attr *attr, struct xp_ah *ah);

/* ---- queue pairs ---- */

struct xp_srq;

/* Asynchronous events of a QP: XP_EVENT_QP_LAST_WQE_REACHED. */
typedef void (*xp_qp_event_fn)(struct xp_qp *qp, enum xp_event_type event, void *qp_context);

struct xp_qp_init_attr {
	size_t sz;
	enum xp_qp_type qp_type; /* XP_QPT_RC or XP_QPT_UD */
	struct xp_pd *pd;
	struct xp_cq *send_cq;
	struct xp_cq *recv_cq;
	struct xp_qp_cap cap; /* max_send_wr, max_recv_wr >= 1 (0 on an SRQ); SGEs >= 1 */
	bool sq_sig_all; /* every send completes, signalled or not */
	void *qp_context;
	/*
	 * UD only: the device's GSI QP (QP1, as ib_mad makes it): its QPN is
	 * XP_RDMA_QPN_GSI, and it receives what is sent to QPN 1. One per
	 * device (-EBUSY at commit otherwise).
	 */
	bool gsi;
	/*
	 * Receive from this shared receive queue (xp_srq.h), of the same
	 * device, instead of a queue of the QP's own: RC or UD, not the GSI
	 * QP; cap.max_recv_wr must be 0 and cap.max_recv_sge is ignored.
	 * xp_qp_post_recv() on such a QP is refused (-EINVAL).
	 */
	struct xp_srq *srq;
	/* Asynchronous events, called inside the core call that raised them; may be NULL. */
	xp_qp_event_fn event_cb;
	size_t : 0;
};

/* Largest SGE count of one work request. */
#define XP_QP_MAX_SGE 32u
/* Largest max_send_wr and max_recv_wr. */
#define XP_QP_MAX_WR 16384u

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
	XP_WR_RDMA_WRITE = 0,
	XP_WR_RDMA_WRITE_WITH_IMM = 1,
	XP_WR_SEND = 2,
	XP_WR_SEND_WITH_IMM = 3,
	XP_WR_RDMA_READ = 4,
	XP_WR_ATOMIC_CMP_AND_SWP = 5,
	XP_WR_ATOMIC_FETCH_AND_ADD = 6,
	XP_WR_LOCAL_INV = 7,
	XP_WR_SEND_WITH_INV = 9,
};

/* ibv_send_flags values. */
enum xp_send_flags {
	XP_SEND_FENCE = 1u << 0, /* wait for earlier READs and atomics to complete */
	XP_SEND_SIGNALED = 1u << 1,
	XP_SEND_SOLICITED = 1u << 2,
};

/* struct ibv_send_wr, for the opcodes above. */
struct xp_send_wr {
	__u64 wr_id;
	struct xp_send_wr *next;
	struct xp_sge *sg_list;
	int num_sge;
	enum xp_wr_opcode opcode;
	unsigned int send_flags;
	union {
		__be32 imm_data; /* *_WITH_IMM: network order, as in struct ibv_send_wr */
		__u32 invalidate_rkey; /* SEND_WITH_INV (the peer's rkey), LOCAL_INV (our key) */
	};
	union {
		struct {
			__u64 remote_addr;
			__u32 rkey;
		} rdma; /* RDMA_WRITE*, RDMA_READ */
		struct {
			__u64 remote_addr; /* 8-byte aligned */
			__u64 compare_add; /* compare (CMP_AND_SWP) or addend (FETCH_AND_ADD) */
			__u64 swap;
			__u32 rkey;
		} atomic; /* ATOMIC_*: one 8-byte SGE receives the original value */
		struct {
			struct xp_ah *ah;
			__u32 remote_qpn;
			__u32 remote_qkey; /* high bit set: use the QP's own Q_Key (IBTA) */
		} ud;
	};
};

/* NULL with errno on failure (EINVAL for bad attributes, ENOSPC: no QPN). */
struct xp_qp *xp_qp_create(struct xp_rdma_dev *dev, const struct xp_qp_init_attr *init);
/*
 * xp_qp_create() in two steps, for a host that runs the core under a
 * spinlock (kmod/rxe): xp_qp_prepare() checks init and allocates the
 * queues (it may sleep; the QP has no QPN and nothing reaches it) into
 * *qpp, 0 or -EINVAL, -EOPNOTSUPP, -ENOMEM (the errnos of xp_qp_create());
 * xp_qp_commit(), under the host's lock, takes a QPN (-ENOSPC, or the
 * host's qpn_add() error) and links the QP in. A prepared QP that is not
 * committed goes with xp_qp_discard(); a committed one with xp_qp_destroy().
 */
int xp_qp_prepare(struct xp_rdma_dev *dev, const struct xp_qp_init_attr *init, struct xp_qp **qpp);
int xp_qp_commit(struct xp_qp *qp);
void xp_qp_discard(struct xp_qp *qp);
/* Frees the QP; posted receives are dropped without completions. */
int xp_qp_destroy(struct xp_qp *qp);

/*
 * ibv_modify_qp: checked by xp_qp_modify_check() (its reason is logged at
 * debug level), then applied. Moving to RESET empties both queues; to ERR
 * flushes them (WR_FLUSH_ERR completions).
 *
 * RC: INIT -> RTR takes the address vector (XP_QP_AV: dgid, sgid_index,
 * hop_limit; the peer's MAC from the neighbour table unless dmac_set,
 * -ENOENT with a message when unresolved), dest_qp_num, rq_psn, path_mtu
 * (at most the device's) and max_dest_rd_atomic; RTR -> RTS sq_psn,
 * timeout, retry_cnt, rnr_retry and max_rd_atomic, as ibv_rc_pingpong sets
 * them. qp_access_flags says which remote operations the peer may do.
 */
int xp_qp_modify(struct xp_qp *qp, const struct xp_qp_attr *attr, int mask);
int xp_qp_query(const struct xp_qp *qp, struct xp_qp_attr *attr);

/*
 * Connect an RC QP in RESET to a peer in one call: INIT, RTR, RTS with the
 * attributes ibv_rc_pingpong uses unless opts change them. For tools and
 * tests; xp_qp_modify() remains the general way.
 */
struct xp_qp_connect_opts {
	size_t sz;
	enum xp_mtu path_mtu; /* default: the device's */
	unsigned int access; /* qp_access_flags (default LOCAL_WRITE and all REMOTE_*) */
	/* Each of these is taken as given when timers_set, else 0 means the default. */
	__u8 timeout; /* local ACK timeout code (default 14: 67 ms; 0 never times out) */
	__u8 retry_cnt; /* default 7 (forever) */
	__u8 rnr_retry; /* default 7 (forever) */
	__u8 min_rnr_timer; /* default 12 (0.64 ms; 0 is 655 ms) */
	bool timers_set;
	__u8 max_rd_atomic; /* default 16 */
	__u8 max_dest_rd_atomic; /* default 16 */
	__u8 hop_limit; /* default 64 */
	size_t : 0;
};

struct xp_qp_peer {
	__u8 sgid_index; /* our GID (1: the first IPv4 address) */
	__u8 dgid[16]; /* the peer's GID */
	__u32 dest_qpn;
	__u32 rq_psn; /* the peer's first PSN */
	__u32 sq_psn; /* ours */
};

/* 0 or -errno (the failing step is logged); the QP is in RTS on success. */
int xp_qp_connect(struct xp_qp *qp, const struct xp_qp_peer *peer,
		  const struct xp_qp_connect_opts *opts);

__u32 xp_qp_num(const struct xp_qp *qp);
enum xp_qp_state xp_qp_state(const struct xp_qp *qp);
void *xp_qp_context(const struct xp_qp *qp);

/*
 * Post receives. In ERR a receive completes at once with WR_FLUSH_ERR.
 * Refused on a QP with an SRQ (-EINVAL), before INIT (-EINVAL), with
 * more than max_recv_sge SGEs (-EINVAL), a full queue (-ENOMEM), or an
 * SGE whose lkey does not grant LOCAL_WRITE over its range (-EINVAL).
 * *bad_wr names the first WR not posted.
 */
int xp_qp_post_recv(struct xp_qp *qp, struct xp_recv_wr *wr, struct xp_recv_wr **bad_wr);

/*
 * Post sends. UD: a message fits one packet of the device's path MTU
 * (-EINVAL otherwise), the QP must be in RTS (-EINVAL), every SGE passes
 * the lkey check (-EINVAL), and the host must have a free frame buffer
 * (-ENOMEM).
 * Each WR is on the wire (in the tx ring) when this returns; a signalled
 * one completes at once with XP_WC_SEND.
 *
 * RC: every opcode of enum xp_wr_opcode; messages up to 2^31 bytes are
 * segmented by the path MTU. In ERR a WR completes at once with
 * WR_FLUSH_ERR (IBTA); otherwise the QP must be in RTS (-EINVAL), the send
 * queue have room (-ENOMEM), every SGE pass its lkey check (-EINVAL);
 * atomics need one 8-byte SGE and an 8-byte aligned remote address
 * (-EINVAL). The WR is queued and sent as the window allows; it completes
 * (in posting order) when the peer acknowledges it, or with an error
 * status. xp_rdma_dev_poll() drives the queue, retries and timers.
 */
int xp_qp_post_send(struct xp_qp *qp, struct xp_send_wr *wr, struct xp_send_wr **bad_wr);

/*
 * Execute a REG_MR work request on qp now: xp_mr_fast_reg() (xp_mr.h) with
 * the QP's PD, counted in the device's mr_fast_reg, or mr_reg_refused when
 * it fails. 0, -EINVAL for a NULL qp, or xp_mr_fast_reg()'s error (-EBUSY:
 * the MR is still VALID; invalidate it first). The host checks the QP's
 * state and completes the work request.
 */
int xp_qp_reg_mr(struct xp_qp *qp, struct xp_mr *mr, const struct xp_mr_fast_reg *fr);

/*
 * What an RC QP did, for tests and tools: every counter only grows.
 * Requester side first, then responder side.
 */
struct xp_qp_stats {
	__u64 tx_pkts; /* packets sent (requests, responses, ACKs) */
	__u64 rx_pkts; /* packets delivered to this QP */
	__u64 retransmits; /* request packets sent again */
	__u64 timeouts; /* local ACK timeout expiries (the last one may fail the WR) */
	__u64 seq_naks_rcvd; /* PSN sequence error NAKs received */
	__u64 rnr_naks_rcvd; /* RNR NAKs received */
	__u64 dup_responses; /* responses or ACKs for PSNs already done */
	__u64 acks_rcvd;
	__u64 acks_sent; /* ACKs and atomic ACKs (not READ responses) */
	__u64 seq_naks_sent;
	__u64 rnr_naks_sent;
	__u64 err_naks_sent; /* invalid request, remote access and operational */
	__u64 dup_requests; /* duplicate requests answered (ACK, READ replay, atomic replay) */
	__u64 out_of_seq; /* requests past the expected PSN within the window, dropped */
	/* Requests no live requester can send, dropped (and never backlogged): */
	__u64 psn_out_of_window; /* 2 * XP_MAX_UNACKED_PSNS or more past the expected PSN */
	__u64 dup_too_old; /* a SEND/WRITE as far behind, or a READ/atomic nobody remembers */
	__u64 dup_read_mismatch; /* a repeated READ outside the original's range or rkey */
};

/* NULL for NULL; the counters of UD QPs stay zero except tx/rx_pkts. */
const struct xp_qp_stats *xp_qp_stats(const struct xp_qp *qp);

/*
 * The source GID a UD receive's GRH carries (the buffer's first 40 bytes):
 * IPv4 (20 zero bytes and an IPv4 header) gives ::ffff:a.b.c.d.
 * 0, or -EINVAL when the GRH is neither form.
 */
int xp_grh_sgid(const void *grh, __u8 sgid[16]);

#endif /* XP_RDMA_H */
