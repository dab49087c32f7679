/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Queue-pair attributes and the modify-QP state machine (ibv_modify_qp),
 * plus the InfiniBand tables and PSN arithmetic the transport needs. See
 * docs/rdma-cq-qp.md.
 *
 * Enum and mask values are libibverbs' own (enum ibv_qp_type,
 * ibv_qp_state, ibv_mtu, ibv_mig_state, ibv_qp_attr_mask), so an
 * application ported from ibv_modify_qp() keeps its constants.
 * tests/unit/test_qp_attr.c checks them against <infiniband/verbs.h>.
 *
 * xp_qp_modify_check() is a pure function: it says whether a modify with
 * this mask and these values is legal from the QP's current state, by the
 * IBTA transition table (the one Linux keeps in ib_modify_qp_is_ok()) and
 * the value rules rxe applies (rxe_qp_chk_attr()), with our own limits.
 */
#ifndef XP_QP_H
#define XP_QP_H

#include "xp_types.h"

#include "xp_verbs.h"

enum xp_qp_type {
	XP_QPT_RC = 2,
	XP_QPT_UC = 3,
	XP_QPT_UD = 4,
};

enum xp_qp_state {
	XP_QPS_RESET = 0,
	XP_QPS_INIT = 1,
	XP_QPS_RTR = 2,
	XP_QPS_RTS = 3,
	XP_QPS_SQD = 4,
	XP_QPS_SQE = 5, /* UC and UD only: an RC send error goes to ERR */
	XP_QPS_ERR = 6,
};
#define XP_QPS__COUNT 7

enum xp_mtu {
	XP_MTU_256 = 1,
	XP_MTU_512 = 2,
	XP_MTU_1024 = 3,
	XP_MTU_2048 = 4,
	XP_MTU_4096 = 5,
};

enum xp_mig_state {
	XP_MIG_MIGRATED = 0,
	XP_MIG_REARM = 1,
	XP_MIG_ARMED = 2,
};

/* Which xp_qp_attr fields a modify sets: IBV_QP_* values. */
enum xp_qp_attr_mask {
	XP_QP_STATE = 1 << 0,
	XP_QP_CUR_STATE = 1 << 1,
	XP_QP_EN_SQD_ASYNC_NOTIFY = 1 << 2,
	XP_QP_ACCESS_FLAGS = 1 << 3,
	XP_QP_PKEY_INDEX = 1 << 4,
	XP_QP_PORT = 1 << 5,
	XP_QP_QKEY = 1 << 6,
	XP_QP_AV = 1 << 7,
	XP_QP_PATH_MTU = 1 << 8,
	XP_QP_TIMEOUT = 1 << 9,
	XP_QP_RETRY_CNT = 1 << 10,
	XP_QP_RNR_RETRY = 1 << 11,
	XP_QP_RQ_PSN = 1 << 12,
	XP_QP_MAX_QP_RD_ATOMIC = 1 << 13,
	XP_QP_ALT_PATH = 1 << 14,
	XP_QP_MIN_RNR_TIMER = 1 << 15,
	XP_QP_SQ_PSN = 1 << 16,
	XP_QP_MAX_DEST_RD_ATOMIC = 1 << 17,
	XP_QP_PATH_MIG_STATE = 1 << 18,
	XP_QP_CAP = 1 << 19,
	XP_QP_DEST_QPN = 1 << 20,
};
#define XP_QP_ATTR_MASK_ALL ((1 << 21) - 1)

/*
 * Address vector (ibv_ah_attr with its GRH, RoCE-shaped). RoCEv2 always
 * carries a GRH, so there is no is_global flag and no LID. An IPv4 peer's
 * GID is the IPv4-mapped form ::ffff:a.b.c.d (xp_gid_from_ipv4()).
 */
struct xp_ah_attr {
	__u8 dgid[16];
	__u32 flow_label; /* 20 bits */
	__u8 sgid_index; /* our GID table entry: selects the source IP */
	__u8 hop_limit; /* IPv4 TTL or IPv6 hop limit */
	__u8 traffic_class; /* IPv4 TOS or IPv6 traffic class */
	__u8 sl; /* 4 bits */
	__u8 port_num; /* must be 1 */
	bool dmac_set; /* else the transport resolves the MAC itself */
	__u8 dmac[6];
};

/* Queue sizes (ibv_qp_cap): set at creation; modify refuses XP_QP_CAP. */
struct xp_qp_cap {
	__u32 max_send_wr;
	__u32 max_recv_wr;
	__u32 max_send_sge;
	__u32 max_recv_sge;
	__u32 max_inline_data;
};

/* ibv_qp_attr, minus what RoCE has no use for (LIDs, rate limit). */
struct xp_qp_attr {
	enum xp_qp_state qp_state;
	enum xp_qp_state cur_qp_state;
	enum xp_mtu path_mtu;
	enum xp_mig_state path_mig_state;
	__u32 qkey;
	__u32 rq_psn;
	__u32 sq_psn;
	__u32 dest_qp_num;
	unsigned int qp_access_flags; /* XP_ACCESS_LOCAL_WRITE and XP_ACCESS_REMOTE_* */
	struct xp_qp_cap cap;
	struct xp_ah_attr ah_attr;
	struct xp_ah_attr alt_ah_attr;
	__u16 pkey_index;
	__u16 alt_pkey_index;
	__u8 en_sqd_async_notify;
	__u8 sq_draining; /* reported by query, never set */
	__u8 max_rd_atomic; /* RDMA READ/atomic we may have outstanding */
	__u8 max_dest_rd_atomic; /* ... the peer may have outstanding at us */
	__u8 min_rnr_timer; /* RNR NAK timer code we send (xp_rnr_timer_us()) */
	__u8 port_num;
	__u8 timeout; /* local ACK timeout code (xp_ib_timeout_ns()) */
	__u8 retry_cnt; /* 0..7; 7 means retry forever (rxe) */
	__u8 rnr_retry; /* 0..7; 7 means retry forever */
	__u8 alt_port_num;
	__u8 alt_timeout;
};

/* ---- limits: rxe's, and what our frames carry ---- */

#define XP_PSN_BITS 24
#define XP_PSN_MASK 0xffffffu
#define XP_QPN_MASK 0xffffffu
#define XP_MAX_QP_RD_ATOM 128 /* RXE_MAX_QP_RD_ATOM */
#define XP_MAX_QP_INIT_RD_ATOM 128 /* RXE_MAX_QP_INIT_RD_ATOM */
#define XP_MAX_PKT_PER_ACK 64 /* RXE_MAX_PKT_PER_ACK: ACK request at least this often */
#define XP_MAX_UNACKED_PSNS 128 /* RXE_MAX_UNACKED_PSNS per QP */
#define XP_IB_TIMEOUT_MAX 31 /* local ACK timeout and alt timeout codes */
#define XP_RNR_TIMER_MAX 31 /* min_rnr_timer codes */
#define XP_RETRY_MAX 7 /* retry_cnt and rnr_retry; 7 = forever */
#define XP_PORT_NUM 1 /* the only port */
#define XP_PKEY_INDEX 0 /* the only P_Key (0xffff) */
#define XP_FLOW_LABEL_MAX 0xfffffu
#define XP_ROCE_HDR_MAX 80 /* bytes a netdev MTU loses to headers (rxe) */

/*
 * Largest path MTU by default: a RoCEv2 packet with 4096 bytes of payload
 * does not fit one 4 KiB AF_XDP frame, so 4096 needs multi-buffer frames.
 */
#define XP_QP_DEFAULT_MAX_MTU XP_MTU_2048
#define XP_QP_DEFAULT_GID_TBL_LEN 16

struct xp_qp_limits {
	enum xp_mtu max_path_mtu; /* largest path_mtu accepted */
	__u8 max_rd_atomic; /* at most XP_MAX_QP_INIT_RD_ATOM */
	__u8 max_dest_rd_atomic; /* at most XP_MAX_QP_RD_ATOM */
	__u32 gid_tbl_len; /* sgid_index must be below it */
};

/* XP_QP_DEFAULT_MAX_MTU, 128, 128, XP_QP_DEFAULT_GID_TBL_LEN. */
void xp_qp_limits_default(struct xp_qp_limits *lim);

/* ---- modify checks ---- */

#define XP_QP_WHY_MAX 320

/* Why a modify was refused. */
struct xp_qp_why {
	int attr; /* the XP_QP_* bit at fault; 0 when type, state or transition is */
	char msg[XP_QP_WHY_MAX]; /* names the attribute, the value and the rule */
};

/*
 * May a QP of this type in state cur be modified with (attr, mask)? mask is
 * XP_QP_*; without XP_QP_STATE the QP stays in cur (which must then be a
 * state that allows cur->cur, e.g. RTS->RTS). lim NULL means the defaults.
 *
 * 0 when legal. -EINVAL when not: unknown type, state or mask bit, attr
 * NULL with a mask, an illegal transition for the type, a required
 * attribute missing, an attribute not allowed on that transition (XP_QP_CAP
 * never is: queue sizes are fixed at creation), XP_QP_CUR_STATE not equal
 * to cur, or a value out of range. why, if not NULL, says which and why.
 * Prints nothing; the caller decides whether to.
 */
int xp_qp_modify_check(enum xp_qp_type type, enum xp_qp_state cur, const struct xp_qp_attr *attr,
		       int mask, const struct xp_qp_limits *lim, struct xp_qp_why *why);

/* Attributes required / optional on cur->next for type (0 if illegal). */
int xp_qp_required_mask(enum xp_qp_type type, enum xp_qp_state cur, enum xp_qp_state next);
int xp_qp_optional_mask(enum xp_qp_type type, enum xp_qp_state cur, enum xp_qp_state next);
bool xp_qp_transition_ok(enum xp_qp_type type, enum xp_qp_state cur, enum xp_qp_state next);

const char *xp_qp_state_str(enum xp_qp_state state); /* "RTS", "unknown" */
const char *xp_qp_type_str(enum xp_qp_type type); /* "RC", "unknown" */
const char *xp_qp_attr_name(int bit); /* one bit: "IBV_QP_AV"; else "unknown" */

/* dgid = ::ffff:a.b.c.d for an IPv4 address in network byte order. */
void xp_gid_from_ipv4(__u8 gid[16], __be32 addr);
bool xp_gid_is_ipv4(const __u8 gid[16]);

/* ---- IB timer tables ---- */

/* Local ACK timeout: 4.096 us * 2^code in ns; 0 for code 0 (infinite) or > 31. */
__u64 xp_ib_timeout_ns(__u8 code);
/* The same in whole microseconds (rounded down). */
__u64 xp_ib_timeout_us(__u8 code);

/* RNR NAK timer (IBTA encodings) in us: 0 -> 655360, 1 -> 10 ... 31 -> 491520; 0 if > 31. */
__u32 xp_rnr_timer_us(__u8 code);

/* ---- MTU ---- */

/* 256..4096 for a valid enum, 0 otherwise. */
unsigned int xp_mtu_to_bytes(enum xp_mtu mtu);
/* Largest IB MTU not above bytes; 0 (no valid MTU) below 256. */
enum xp_mtu xp_mtu_from_bytes(unsigned int bytes);
/* Path MTU a netdev MTU allows: (mtu - 80) rounded down: 1500 -> 1024. */
enum xp_mtu xp_mtu_from_netdev(unsigned int netdev_mtu);

/* ---- PSN arithmetic (modulo 2^24) ---- */

static inline __u32 xp_psn_add(__u32 psn, __u32 n)
{
	return (psn + n) & XP_PSN_MASK;
}

/*
 * a - b as a signed distance in [-2^23, 2^23): positive when a is after b
 * within half the PSN space. Exactly 2^23 apart reads as -2^23 both ways,
 * so each seems "before" the other; windows (at most 128 PSNs) never get
 * near it.
 */
static inline __s32 xp_psn_diff(__u32 a, __u32 b)
{
	__u32 d = (a - b) & XP_PSN_MASK;

	return d & 0x800000u ? (__s32)d - (1 << XP_PSN_BITS) : (__s32)d;
}

static inline bool xp_psn_lt(__u32 a, __u32 b)
{
	return xp_psn_diff(a, b) < 0;
}

static inline bool xp_psn_ge(__u32 a, __u32 b)
{
	return xp_psn_diff(a, b) >= 0;
}

#endif /* XP_QP_H */
