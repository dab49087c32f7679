/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Structures shared by the core's device (rdma_dev.c: GIDs, receive
 * dispatch, backlog, fault injection, frames through the host, timers),
 * the QP verbs (rdma_qp.c), UD (rdma_ud.c) and the RC transport
 * (rdma_rc_req.c: requester and completer; rdma_rc_resp.c: responder).
 */
#ifndef RDMA_PRIVATE_H
#define RDMA_PRIVATE_H

#include "xp_types.h"

#include "rdma_host.h"
#include "xp_rdma.h"
#include "xp_roce_pkt.h"
#include "xp_srq.h"

/*
 * Request frames held while their QP's responder streams a READ: in all,
 * and per QP (a requester has at most a window of PSNs outstanding, and
 * may repeat them once).
 */
#define XP_BACKLOG_MAX 512
#define XP_BACKLOG_QP_MAX (2 * XP_MAX_UNACKED_PSNS)

/*
 * How far ahead of the expected PSN, or behind it, a live requester's
 * request can be. rxe's requester stops only past comp.psn +
 * RXE_MAX_UNACKED_PSNS, so it has up to 129 PSNs out (ours 128); the
 * responder allows twice the window either way. Beyond it a request is
 * forged or misrouted: counted apart (psn_out_of_window, dup_too_old) and
 * never backlogged.
 */
#define XP_RESP_PSN_REACH (2 * XP_MAX_UNACKED_PSNS)

/* A received frame: the host's buffer, or one the core may not keep. */
struct xp_rx_frame {
	const __u8 *data;
	__u32 len;
	bool may_keep; /* the host lends it until ops->rx_release(cookie) */
	__u32 qpn; /* in the backlog: the QP it waits for */
	__u64 cookie;
};

struct xp_rdma_dev {
	char name[16];
	__u8 mac[6];
	enum xp_mtu mtu;
	__u8 gids[XP_RDMA_GID_TBL_LEN][16];
	const struct xp_rdma_host_ops *ops;
	void *host;

	struct xp_mr_table *mrs;
	__u32 max_qp;
	__u32 nqp;
	__u32 nsrq; /* SRQs on this device */
	__u32 next_srqn;
	struct xp_qp **qps; /* by QPN - qpn_first */
	struct xp_qp *gsi; /* QPN XP_RDMA_QPN_GSI */
	__u32 qpn_first; /* the first QPN of max_qp */
	__u32 next_qpn; /* where the search for a free QPN starts */
	__u16 ip_id;

	struct xp_qp *rc_list; /* RC QPs, for timers and pending work */
	__u64 now_ns; /* ops->now_ns() at the start of the current poll */

	/* Request frames waiting for a busy responder, oldest first. */
	struct xp_rx_frame backlog[XP_BACKLOG_MAX];
	__u32 bl_head, bl_count;

	struct xp_rdma_faults faults;
	bool faults_on;
	__u64 rng;
	bool held; /* a frame held back for reordering */
	struct xp_rx_frame held_frame;

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

/* A ring of receive WQEs: a QP's receive queue, or a shared one (an SRQ). */
struct xp_recv_q {
	struct xp_recv_wqe *wqe; /* [size] */
	__u32 size;
	__u32 head; /* next to consume */
	__u32 count;
};

/* 0 or -ENOMEM; a size of 0 allocates nothing (a QP on an SRQ). */
int xp_recv_q_alloc(struct xp_recv_q *q, __u32 size);
void xp_recv_q_free(struct xp_recv_q *q);
/* Move the posted WQEs, in order, to a ring of size (>= count): 0 or -ENOMEM. */
int xp_recv_q_resize(struct xp_recv_q *q, __u32 size);
/* The oldest posted WQE, or NULL when the ring is empty. */
struct xp_recv_wqe *xp_recv_q_head(struct xp_recv_q *q);
void xp_recv_q_pop(struct xp_recv_q *q);
/*
 * May wr be posted to q, its SGEs checked against pd and max_sge? 0,
 * -EINVAL (SGE count, an lkey without LOCAL_WRITE over the range) or
 * -ENOMEM (q is full). owner and num name the queue in the debug log.
 */
int xp_recv_wr_check(struct xp_recv_q *q, struct xp_pd *pd, __u32 max_sge,
		     const struct xp_recv_wr *wr, const char *owner, __u32 num);
/* Queue a copy of a checked wr. */
void xp_recv_q_push(struct xp_recv_q *q, const struct xp_recv_wr *wr);

struct xp_srq {
	struct xp_rdma_dev *dev;
	struct xp_pd *pd; /* the WQEs' lkeys are this PD's */
	__u32 srqn; /* names it in logs */
	struct xp_recv_q rq;
	__u32 max_sge;
	__u32 limit; /* armed when not 0 */
	__u32 refs; /* QPs attached */
	void *context;
	xp_srq_event_fn event_cb;
};

/*
 * Take the SRQ's oldest WQE into *wqe (the taker owns the copy): 0, or
 * -ENOENT when none is posted. Raises the limit event when armed and the
 * WQEs left fall below it.
 */
int xp_srq_take(struct xp_srq *srq, struct xp_recv_wqe *wqe);
void xp_srq_get(struct xp_srq *srq);
void xp_srq_put(struct xp_srq *srq);

enum xp_wqe_state {
	XP_WQE_POSTED, /* nothing sent yet */
	XP_WQE_STARTED, /* PSNs assigned, packets (partly) sent */
	XP_WQE_DONE, /* completed (or failed): waits for the completer's turn */
};

struct xp_send_wqe {
	struct xp_send_wr wr; /* next and sg_list cleared: the SGEs are below */
	struct xp_sge sge[XP_QP_MAX_SGE];
	__u64 length; /* bytes of the SGEs */
	__u32 first_psn, last_psn, npsn;
	__u32 read_pkts; /* READ: response packets placed so far */
	__u8 state; /* enum xp_wqe_state */
	__u8 status; /* enum xp_wc_status once DONE */
};

/* Responder resources: READ and ATOMIC requests kept for duplicates. */
enum xp_res_type { XP_RES_NONE, XP_RES_READ, XP_RES_ATOMIC };

struct xp_rd_res {
	__u8 type;
	__u32 first_psn, last_psn;
	/* READ: what the request asked for (a repeat must stay inside it) */
	__u64 orig_va;
	__u32 orig_len, orig_rkey;
	/* READ: what is left to stream */
	__u64 va;
	__u32 rkey;
	__u32 resid;
	__u32 start_psn; /* where the current stream began (FIRST goes there) */
	__u32 next_psn; /* next response packet to send */
	/* ATOMIC: the reply, replayed for a duplicate */
	__u64 orig;
};

struct xp_rc_req {
	struct xp_send_wqe *sq;
	__u32 prod, cons, next; /* free-running: posted, completed, next to send */
	__u32 off; /* bytes of sq[next] sent in this pass */
	__u32 psn; /* next PSN to send */
	__u32 una; /* oldest PSN not acknowledged */
	__u32 max_psn; /* one past the highest PSN ever sent: below it is a resend */
	__u32 rd_out; /* READ and ATOMIC WQEs started, not done */
	__u32 noack; /* packets since the last AckReq */
	__u8 retry_left, rnr_left;
	__u64 timer_at; /* local ACK timeout deadline (ns), 0 when idle */
	__u64 rnr_at; /* RNR back-off: send nothing before this */
	bool gobk; /* a go-back-N to gobk_psn is under way */
	__u32 gobk_psn;
	bool probe; /* after a timeout or RNR wait: one packet until the peer answers */
	bool rd_probe; /* a READ probe asked for one packet only, at rd_probe_psn */
	__u32 rd_probe_psn;
};

struct xp_rc_resp {
	__u32 epsn; /* next PSN expected */
	__u32 msn;
	bool in_send, in_write; /* inside a multi-packet SEND or WRITE */
	__u64 send_off; /* SEND: bytes placed in the receive WQE */
	__u64 write_va;
	__u32 write_rkey;
	__u32 write_resid; /* bytes the RETH announced that have not come */
	__u32 write_len;
	bool nak_sent; /* a sequence NAK for epsn went out already */
	bool ack_pending; /* ACK coalescing: send one ACK for ack_psn */
	__u32 ack_psn;
	struct xp_rd_res *res;
	__u32 nres, res_next;
	int reading; /* resource streaming READ responses, or -1 */
	__u32 backlog; /* this QP's frames in the device backlog */
};

struct xp_qp {
	bool gsi; /* the device's GSI QP, QPN XP_RDMA_QPN_GSI */
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

	/* Receive queue: a ring of max_recv_wr WQEs, empty with an SRQ. */
	struct xp_recv_q rq;
	/*
	 * With an SRQ: the WQE this QP took from it for the message under way,
	 * kept from the message's first packet to its last (QPs on one SRQ
	 * interleave their messages).
	 */
	struct xp_srq *srq;
	struct xp_recv_wqe srq_wqe;
	bool srq_held;
	xp_qp_event_fn event_cb;

	/* RC only */
	struct xp_roce_av av; /* the peer, from the RTR address vector */
	struct xp_rc_req req;
	struct xp_rc_resp resp;
	struct xp_qp *rc_next; /* dev->rc_list */
	struct xp_qp_stats stats;
};

/*
 * Take a frame buffer from the host and write the headers of (av, h) with
 * room for len payload bytes. -ENOBUFS when the host has none free, -EBUSY
 * when it can build no such packet now; -EINVAL/-EMSGSIZE from
 * xp_roce_build().
 */
int xp_rdma_frame_begin(struct xp_rdma_dev *dev, const struct xp_roce_av *av,
			const struct xp_roce_hdrs *h, __u32 len, struct xp_tx_frame *f);
/* Seal (ICRC) and hand the frame to the host's transmit queue. */
void xp_rdma_frame_send(struct xp_rdma_dev *dev, struct xp_tx_frame *f);
void xp_rdma_frame_abort(struct xp_rdma_dev *dev, struct xp_tx_frame *f);
/* Give the host back every backlogged frame of qp (it is being destroyed). */
void xp_rdma_backlog_drop_qp(struct xp_rdma_dev *dev, const struct xp_qp *qp);
/* The host puts the queued frames on the wire; 0 or -ENOBUFS (frames dropped). */
int xp_rdma_tx_flush(struct xp_rdma_dev *dev);
/* The host's clock now (dev->now_ns is the start of the current poll). */
__u64 xp_rdma_now(struct xp_rdma_dev *dev);

/*
 * Address vector from ah_attr: our GID at sgid_index (same IP version as
 * dgid, else -EINVAL), the peer's MAC from the host unless given (AF_XDP:
 * -ENOENT, logged, when the neighbour is unresolved).
 */
int xp_rdma_resolve_av(struct xp_rdma_dev *dev, const struct xp_ah_attr *attr,
		       struct xp_roce_av *av);

/* Shared by UD and RC: SGE checks, gather and scatter. */
int xp_qp_check_sges(struct xp_qp *qp, const struct xp_sge *sge, int n, unsigned int need,
		     __u64 *total);
/* The same against pd, naming the queue (owner, num) in the debug log. */
int xp_pd_check_sges(struct xp_pd *pd, const char *owner, __u32 num, const struct xp_sge *sge,
		     int n, unsigned int need, __u64 *total);
/*
 * Copy len bytes from byte offset off of the SGEs to dst: checked at posting,
 * yet an MR may have gone since (the lkey check's reason then).
 */
enum xp_mr_err xp_qp_gather(struct xp_qp *qp, const struct xp_sge *sge, __u32 n, __u64 off,
			    __u8 *dst, __u32 len);
/*
 * Write src[0..len) at byte offset *off of the SGEs (advancing *off), their
 * lkeys looked up in pd: the QP's, or for a receive xp_qp_recv_pd().
 */
enum xp_mr_err xp_sge_scatter(struct xp_pd *pd, const struct xp_sge *sge, __u32 n, __u64 *off,
			      const __u8 *src, __u32 len);
void xp_qp_complete_recv(struct xp_qp *qp, const struct xp_recv_wqe *wqe, enum xp_wc_status status,
			 const struct xp_wc *tmpl);
/*
 * The receive WQE a message lands in: the RQ's oldest, or with an SRQ the
 * one the QP holds, taken from the SRQ first when take is set and none is
 * held (a message's first packet). NULL when there is none: RNR for RC, a
 * drop for UD. xp_qp_recv_done() once it completed.
 */
struct xp_recv_wqe *xp_qp_recv_wqe(struct xp_qp *qp, bool take);
void xp_qp_recv_done(struct xp_qp *qp);
/* The PD the receive WQEs' lkeys belong to: the SRQ's, or the QP's. */
static inline struct xp_pd *xp_qp_recv_pd(const struct xp_qp *qp)
{
	return qp->srq ? qp->srq->pd : qp->pd;
}
/*
 * Move to ERR: flush both queues with WR_FLUSH_ERR completions. With an
 * SRQ only the WQE the QP holds is flushed (the others are the SRQ's), and
 * the QP's event_cb gets XP_EVENT_QP_LAST_WQE_REACHED.
 */
void xp_qp_to_err(struct xp_qp *qp);

/*
 * Deliver a parsed UD packet to qp: XP_RDMA_DROP_NONE when it completed a
 * receive (successfully or in error), else why it was dropped.
 */
enum xp_rdma_drop xp_qp_ud_recv(struct xp_qp *qp, const struct xp_roce_pkt *pkt);
int xp_qp_ud_send(struct xp_qp *qp, const struct xp_send_wr *wr);

/* ---- RC (rdma_rc_*.c) ---- */

/* A QP's RC state: allocated (may sleep), linked to the device, unlinked, freed. */
int xp_rc_alloc(struct xp_qp *qp);
void xp_rc_link(struct xp_qp *qp);
void xp_rc_unlink(struct xp_qp *qp);
void xp_rc_free(struct xp_qp *qp);
/* Apply the RC parts of a checked modify (AV, PSNs, timers); -errno. */
int xp_rc_modify(struct xp_qp *qp, const struct xp_qp_attr *attr, int mask);
/* Flush the send queue with WR_FLUSH_ERR (QP to ERR) or silently (RESET). */
void xp_rc_flush_sq(struct xp_qp *qp, bool complete);
int xp_rc_post_send(struct xp_qp *qp, const struct xp_send_wr *wr);
/* A parsed RC packet for qp: a request (responder) or a response (completer). */
enum xp_rdma_drop xp_rc_recv(struct xp_qp *qp, const struct xp_roce_pkt *pkt);
/* A frame to the QP's peer: fills in P_Key and dest QPN, then xp_rdma_frame_begin(). */
int xp_rc_frame_begin(struct xp_qp *qp, struct xp_roce_hdrs *h, __u32 len, struct xp_tx_frame *f);
/* Requester: send what the window allows. */
void xp_rc_req_progress(struct xp_qp *qp);
/* Timers (retransmission, RNR) due at dev->now_ns. */
void xp_rc_timers(struct xp_qp *qp);
/* Responder: continue a READ response stream; true while one is under way. */
bool xp_rc_resp_progress(struct xp_qp *qp);
/* Responder: send the coalesced ACK, if any. */
void xp_rc_resp_flush_ack(struct xp_qp *qp);
/*
 * Responder back to its state at creation (QP to RESET): no message under
 * way, no ACK or NAK pending, no READ streaming, no READ or atomic kept.
 */
void xp_rc_resp_reset(struct xp_qp *qp);
/* Responder: is qp streaming a READ (new requests must wait)? */
bool xp_rc_resp_busy(const struct xp_qp *qp);
/*
 * Responder: may a request wait in the backlog while qp is busy? Only one
 * its peer can have sent: from the QP's path, its PSN inside the window
 * ahead or a duplicate the responder would answer. Others are handled at
 * once (dropped and counted).
 */
bool xp_rc_resp_may_wait(const struct xp_qp *qp, const struct xp_roce_pkt *pkt);
/* Is pkt from qp's peer, to qp's own address (rxe's path check)? */
bool xp_rc_from_peer(const struct xp_qp *qp, const struct xp_roce_pkt *pkt);
enum xp_rdma_drop xp_rc_resp_recv(struct xp_qp *qp, const struct xp_roce_pkt *pkt);
enum xp_rdma_drop xp_rc_comp_recv(struct xp_qp *qp, const struct xp_roce_pkt *pkt);
/* Earliest timer of qp (ns), 0 if none. */
__u64 xp_rc_next_timer(const struct xp_qp *qp);

#endif /* RDMA_PRIVATE_H */
