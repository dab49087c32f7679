// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Queue-pair attributes: the IBTA modify-QP transition table (which
 * transitions each QP type may make, which attributes each needs and which
 * it may carry), the value rules rdma_rxe applies, the IB timer tables,
 * MTU conversion and GID helpers. Everything here is pure: no QP object,
 * no printing. The QP itself (rdma_qp.c, to come) stores what passed.
 */
#include "xp_env.h"

#include "xp_qp.h"

/* ---- the transition table ---- */

enum { T_RC, T_UC, T_UD, T__COUNT };

struct qp_transition {
	bool valid;
	int req[T__COUNT];
	int opt[T__COUNT];
};

#define RTS_OPT_RC                                                                     \
	(XP_QP_CUR_STATE | XP_QP_ALT_PATH | XP_QP_ACCESS_FLAGS | XP_QP_MIN_RNR_TIMER | \
	 XP_QP_PATH_MIG_STATE)
#define RTS_OPT_UC (XP_QP_CUR_STATE | XP_QP_ALT_PATH | XP_QP_ACCESS_FLAGS | XP_QP_PATH_MIG_STATE)
#define RTS_OPT_UD (XP_QP_CUR_STATE | XP_QP_QKEY)
#define INIT_RC_UC (XP_QP_PKEY_INDEX | XP_QP_PORT | XP_QP_ACCESS_FLAGS)
#define INIT_UD (XP_QP_PKEY_INDEX | XP_QP_PORT | XP_QP_QKEY)
#define RTR_REQ_UC (XP_QP_AV | XP_QP_PATH_MTU | XP_QP_DEST_QPN | XP_QP_RQ_PSN)

/*
 * [cur][next]. Any state may go to RESET or ERR; the rest is the IBTA
 * table of QP state transitions (Modify QP), as Linux keeps it in verbs.c.
 */
static const struct qp_transition qp_table[XP_QPS__COUNT][XP_QPS__COUNT] = {
	[XP_QPS_RESET] = {
		[XP_QPS_RESET] = { .valid = true },
		[XP_QPS_INIT] = {
			.valid = true,
			.req = { [T_RC] = INIT_RC_UC, [T_UC] = INIT_RC_UC, [T_UD] = INIT_UD },
		},
		[XP_QPS_ERR] = { .valid = true },
	},
	[XP_QPS_INIT] = {
		[XP_QPS_RESET] = { .valid = true },
		[XP_QPS_INIT] = {
			.valid = true,
			.opt = { [T_RC] = INIT_RC_UC, [T_UC] = INIT_RC_UC, [T_UD] = INIT_UD },
		},
		[XP_QPS_RTR] = {
			.valid = true,
			.req = {
				[T_RC] = RTR_REQ_UC | XP_QP_MAX_DEST_RD_ATOMIC | XP_QP_MIN_RNR_TIMER,
				[T_UC] = RTR_REQ_UC,
			},
			.opt = {
				[T_RC] = XP_QP_ALT_PATH | XP_QP_ACCESS_FLAGS | XP_QP_PKEY_INDEX,
				[T_UC] = XP_QP_ALT_PATH | XP_QP_ACCESS_FLAGS | XP_QP_PKEY_INDEX,
				[T_UD] = XP_QP_PKEY_INDEX | XP_QP_QKEY,
			},
		},
		[XP_QPS_ERR] = { .valid = true },
	},
	[XP_QPS_RTR] = {
		[XP_QPS_RESET] = { .valid = true },
		[XP_QPS_RTS] = {
			.valid = true,
			.req = {
				[T_RC] = XP_QP_SQ_PSN | XP_QP_TIMEOUT | XP_QP_RETRY_CNT |
					 XP_QP_RNR_RETRY | XP_QP_MAX_QP_RD_ATOMIC,
				[T_UC] = XP_QP_SQ_PSN,
				[T_UD] = XP_QP_SQ_PSN,
			},
			.opt = { [T_RC] = RTS_OPT_RC, [T_UC] = RTS_OPT_UC, [T_UD] = RTS_OPT_UD },
		},
		[XP_QPS_ERR] = { .valid = true },
	},
	[XP_QPS_RTS] = {
		[XP_QPS_RESET] = { .valid = true },
		[XP_QPS_RTS] = {
			.valid = true,
			.opt = { [T_RC] = RTS_OPT_RC, [T_UC] = RTS_OPT_UC, [T_UD] = RTS_OPT_UD },
		},
		[XP_QPS_SQD] = {
			.valid = true,
			.opt = {
				[T_RC] = XP_QP_EN_SQD_ASYNC_NOTIFY,
				[T_UC] = XP_QP_EN_SQD_ASYNC_NOTIFY,
				[T_UD] = XP_QP_EN_SQD_ASYNC_NOTIFY,
			},
		},
		[XP_QPS_ERR] = { .valid = true },
	},
	[XP_QPS_SQD] = {
		[XP_QPS_RESET] = { .valid = true },
		[XP_QPS_RTS] = {
			.valid = true,
			.opt = { [T_RC] = RTS_OPT_RC, [T_UC] = RTS_OPT_UC, [T_UD] = RTS_OPT_UD },
		},
		[XP_QPS_SQD] = {
			.valid = true,
			.opt = {
				[T_RC] = XP_QP_PORT | XP_QP_AV | XP_QP_TIMEOUT | XP_QP_RETRY_CNT |
					 XP_QP_RNR_RETRY | XP_QP_MAX_QP_RD_ATOMIC |
					 XP_QP_MAX_DEST_RD_ATOMIC | XP_QP_ALT_PATH |
					 XP_QP_ACCESS_FLAGS | XP_QP_PKEY_INDEX |
					 XP_QP_MIN_RNR_TIMER | XP_QP_PATH_MIG_STATE,
				[T_UC] = XP_QP_AV | XP_QP_ALT_PATH | XP_QP_ACCESS_FLAGS |
					 XP_QP_PKEY_INDEX | XP_QP_PATH_MIG_STATE,
				[T_UD] = XP_QP_PKEY_INDEX | XP_QP_QKEY,
			},
		},
		[XP_QPS_ERR] = { .valid = true },
	},
	[XP_QPS_SQE] = {
		/* An RC QP never reaches SQE: xp_qp_modify_check() refuses it first. */
		[XP_QPS_RESET] = { .valid = true },
		[XP_QPS_RTS] = {
			.valid = true,
			.opt = {
				[T_UC] = XP_QP_CUR_STATE | XP_QP_ACCESS_FLAGS,
				[T_UD] = XP_QP_CUR_STATE | XP_QP_QKEY,
			},
		},
		[XP_QPS_ERR] = { .valid = true },
	},
	[XP_QPS_ERR] = {
		[XP_QPS_RESET] = { .valid = true },
		[XP_QPS_ERR] = { .valid = true },
	},
};

static int type_index(enum xp_qp_type type)
{
	switch (type) {
	case XP_QPT_RC:
		return T_RC;
	case XP_QPT_UC:
		return T_UC;
	case XP_QPT_UD:
		return T_UD;
	}
	return -1;
}

static bool state_ok(enum xp_qp_state s)
{
	return (unsigned int)s < XP_QPS__COUNT;
}

/* Can a QP of this type be in state s at all? */
static bool state_reachable(int t, enum xp_qp_state s)
{
	return state_ok(s) && !(t == T_RC && s == XP_QPS_SQE);
}

bool xp_qp_transition_ok(enum xp_qp_type type, enum xp_qp_state cur, enum xp_qp_state next)
{
	int t = type_index(type);

	return t >= 0 && state_reachable(t, cur) && state_reachable(t, next) &&
	       qp_table[cur][next].valid;
}

int xp_qp_required_mask(enum xp_qp_type type, enum xp_qp_state cur, enum xp_qp_state next)
{
	if (!xp_qp_transition_ok(type, cur, next))
		return 0;
	return qp_table[cur][next].req[type_index(type)];
}

int xp_qp_optional_mask(enum xp_qp_type type, enum xp_qp_state cur, enum xp_qp_state next)
{
	if (!xp_qp_transition_ok(type, cur, next))
		return 0;
	return qp_table[cur][next].opt[type_index(type)];
}

/* ---- names ---- */

static const char *const state_names[XP_QPS__COUNT] = {
	[XP_QPS_RESET] = "RESET", [XP_QPS_INIT] = "INIT", [XP_QPS_RTR] = "RTR",
	[XP_QPS_RTS] = "RTS",	  [XP_QPS_SQD] = "SQD",	  [XP_QPS_SQE] = "SQE",
	[XP_QPS_ERR] = "ERR",
};

const char *xp_qp_state_str(enum xp_qp_state state)
{
	return state_ok(state) ? state_names[state] : "unknown";
}

const char *xp_qp_type_str(enum xp_qp_type type)
{
	switch (type) {
	case XP_QPT_RC:
		return "RC";
	case XP_QPT_UC:
		return "UC";
	case XP_QPT_UD:
		return "UD";
	}
	return "unknown";
}

static const char *const attr_names[] = {
	"IBV_QP_STATE",
	"IBV_QP_CUR_STATE",
	"IBV_QP_EN_SQD_ASYNC_NOTIFY",
	"IBV_QP_ACCESS_FLAGS",
	"IBV_QP_PKEY_INDEX",
	"IBV_QP_PORT",
	"IBV_QP_QKEY",
	"IBV_QP_AV",
	"IBV_QP_PATH_MTU",
	"IBV_QP_TIMEOUT",
	"IBV_QP_RETRY_CNT",
	"IBV_QP_RNR_RETRY",
	"IBV_QP_RQ_PSN",
	"IBV_QP_MAX_QP_RD_ATOMIC",
	"IBV_QP_ALT_PATH",
	"IBV_QP_MIN_RNR_TIMER",
	"IBV_QP_SQ_PSN",
	"IBV_QP_MAX_DEST_RD_ATOMIC",
	"IBV_QP_PATH_MIG_STATE",
	"IBV_QP_CAP",
	"IBV_QP_DEST_QPN",
};

const char *xp_qp_attr_name(int bit)
{
	unsigned int i;

	if (bit <= 0 || (bit & (bit - 1)))
		return "unknown";
	i = __builtin_ctz(bit);
	return i < ARRAY_SIZE(attr_names) ? attr_names[i] : "unknown";
}

/* "IBV_QP_AV | IBV_QP_PATH_MTU", or "none". */
static void mask_str(int mask, char *buf, size_t size)
{
	size_t len = 0;
	int bit;

	buf[0] = '\0';
	for (bit = 1; bit && bit <= XP_QP_ATTR_MASK_ALL; bit <<= 1) {
		if (!(mask & bit))
			continue;
		len += snprintf(buf + len, len < size ? size - len : 0, "%s%s", len ? " | " : "",
				xp_qp_attr_name(bit));
	}
	if (!len)
		snprintf(buf, size, "none");
}

/* ---- refusal messages ---- */

static int refuse(struct xp_qp_why *why, int attr, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int refuse(struct xp_qp_why *why, int attr, const char *fmt, ...)
{
	va_list ap;

	if (why) {
		why->attr = attr;
		va_start(ap, fmt);
		vsnprintf(why->msg, sizeof(why->msg), fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

/* ---- value rules ---- */

void xp_qp_limits_default(struct xp_qp_limits *lim)
{
	lim->max_path_mtu = XP_QP_DEFAULT_MAX_MTU;
	lim->max_rd_atomic = XP_MAX_QP_INIT_RD_ATOM;
	lim->max_dest_rd_atomic = XP_MAX_QP_RD_ATOM;
	lim->gid_tbl_len = XP_QP_DEFAULT_GID_TBL_LEN;
}

static bool gid_is_zero(const __u8 gid[16])
{
	static const __u8 zero[16];
	static const __u8 v4zero[16] = { [10] = 0xff, [11] = 0xff };

	return !memcmp(gid, zero, 16) || !memcmp(gid, v4zero, 16);
}

bool xp_gid_is_ipv4(const __u8 gid[16])
{
	static const __u8 prefix[12] = { [10] = 0xff, [11] = 0xff };

	return !memcmp(gid, prefix, sizeof(prefix));
}

void xp_gid_from_ipv4(__u8 gid[16], __be32 addr)
{
	memset(gid, 0, 10);
	gid[10] = 0xff;
	gid[11] = 0xff;
	memcpy(gid + 12, &addr, 4);
}

/* The address vector (bit XP_QP_AV or XP_QP_ALT_PATH) of a connected QP. */
static int check_av(struct xp_qp_why *why, int bit, const char *name, const struct xp_ah_attr *ah,
		    const struct xp_qp_limits *lim)
{
	const char *b = xp_qp_attr_name(bit);

	if (ah->port_num != XP_PORT_NUM)
		return refuse(why, bit, "%s: %s.port_num %u is not a port; the only port is %u", b,
			      name, ah->port_num, XP_PORT_NUM);
	if (ah->sgid_index >= lim->gid_tbl_len)
		return refuse(
			why, bit,
			"%s: %s.grh.sgid_index %u is beyond the GID table (%u entries); use the index of a RoCEv2 GID of this port",
			b, name, ah->sgid_index, lim->gid_tbl_len);
	if (gid_is_zero(ah->dgid))
		return refuse(
			why, bit,
			"%s: %s.grh.dgid is the unspecified address; set the peer's GID (::ffff:a.b.c.d for IPv4)",
			b, name);
	if (ah->dgid[0] == 0xff)
		return refuse(
			why, bit,
			"%s: %s.grh.dgid is a multicast GID; a connected QP needs a unicast peer",
			b, name);
	if (ah->flow_label > XP_FLOW_LABEL_MAX)
		return refuse(why, bit, "%s: %s.grh.flow_label %#x does not fit 20 bits", b, name,
			      ah->flow_label);
	if (ah->sl > 15)
		return refuse(why, bit, "%s: %s.sl %u does not fit 4 bits (0..15)", b, name,
			      ah->sl);
	if (ah->dmac_set && ((ah->dmac[0] & 1) || !(ah->dmac[0] | ah->dmac[1] | ah->dmac[2] |
						    ah->dmac[3] | ah->dmac[4] | ah->dmac[5])))
		return refuse(
			why, bit,
			"%s: %s.dmac %02x:%02x:%02x:%02x:%02x:%02x is not a unicast MAC; leave it unset to have it resolved",
			b, name, ah->dmac[0], ah->dmac[1], ah->dmac[2], ah->dmac[3], ah->dmac[4],
			ah->dmac[5]);
	return 0;
}

#define QP_ACCESS_KNOWN                                                           \
	(XP_ACCESS_LOCAL_WRITE | XP_ACCESS_REMOTE_WRITE | XP_ACCESS_REMOTE_READ | \
	 XP_ACCESS_REMOTE_ATOMIC)

static int check_range(struct xp_qp_why *why, int bit, const char *field, unsigned int v,
		       unsigned int max, const char *rule)
{
	if (v <= max)
		return 0;
	return refuse(why, bit, "%s: %s %u is out of range 0..%u (%s)", xp_qp_attr_name(bit), field,
		      v, max, rule);
}

static int check_values(struct xp_qp_why *why, enum xp_qp_state cur, const struct xp_qp_attr *a,
			int mask, const struct xp_qp_limits *lim)
{
	char buf[XP_ACCESS_STR_MAX];
	int err = 0;

	if (mask & XP_QP_CUR_STATE && a->cur_qp_state != cur)
		return refuse(
			why, XP_QP_CUR_STATE,
			"IBV_QP_CUR_STATE: cur_qp_state %s (%d) but the QP is in %s; drop the bit or query the QP",
			xp_qp_state_str(a->cur_qp_state), a->cur_qp_state, xp_qp_state_str(cur));
	if (mask & XP_QP_ACCESS_FLAGS &&
	    a->qp_access_flags & ~(QP_ACCESS_KNOWN | XP_ACCESS_OPTIONAL_RANGE))
		return refuse(
			why, XP_QP_ACCESS_FLAGS,
			"IBV_QP_ACCESS_FLAGS: qp_access_flags %#x (%s) has bits a QP does not take; use LOCAL_WRITE and REMOTE_WRITE/READ/ATOMIC only",
			a->qp_access_flags, xp_access_str(a->qp_access_flags, buf, sizeof(buf)));
	if (mask & XP_QP_PKEY_INDEX && a->pkey_index != XP_PKEY_INDEX)
		return refuse(
			why, XP_QP_PKEY_INDEX,
			"IBV_QP_PKEY_INDEX: pkey_index %u does not exist; the P_Key table has one entry (0xffff) at index 0",
			a->pkey_index);
	if (mask & XP_QP_PORT && a->port_num != XP_PORT_NUM)
		return refuse(why, XP_QP_PORT,
			      "IBV_QP_PORT: port_num %u is not a port; the only port is %u",
			      a->port_num, XP_PORT_NUM);
	if (mask & XP_QP_AV) {
		err = check_av(why, XP_QP_AV, "ah_attr", &a->ah_attr, lim);
		if (err)
			return err;
	}
	if (mask & XP_QP_PATH_MTU) {
		if (a->path_mtu < XP_MTU_256 || a->path_mtu > XP_MTU_4096)
			return refuse(
				why, XP_QP_PATH_MTU,
				"IBV_QP_PATH_MTU: path_mtu %d is not an MTU code; use IBV_MTU_256 (1) .. IBV_MTU_4096 (5)",
				a->path_mtu);
		if (a->path_mtu > lim->max_path_mtu)
			return refuse(
				why, XP_QP_PATH_MTU,
				"IBV_QP_PATH_MTU: path_mtu %u bytes (%d) is above our limit of %u bytes (%d): 4096 needs multi-buffer frames and the netdev MTU minus 80 bounds it; use at most %d",
				xp_mtu_to_bytes(a->path_mtu), a->path_mtu,
				xp_mtu_to_bytes(lim->max_path_mtu), lim->max_path_mtu,
				lim->max_path_mtu);
	}
	if (mask & XP_QP_TIMEOUT) {
		err = check_range(why, XP_QP_TIMEOUT, "timeout", a->timeout, XP_IB_TIMEOUT_MAX,
				  "4.096 us * 2^timeout, 0 = infinite");
		if (err)
			return err;
	}
	if (mask & XP_QP_RETRY_CNT) {
		err = check_range(why, XP_QP_RETRY_CNT, "retry_cnt", a->retry_cnt, XP_RETRY_MAX,
				  "3 bits; 7 = retry forever");
		if (err)
			return err;
	}
	if (mask & XP_QP_RNR_RETRY) {
		err = check_range(why, XP_QP_RNR_RETRY, "rnr_retry", a->rnr_retry, XP_RETRY_MAX,
				  "3 bits; 7 = retry forever");
		if (err)
			return err;
	}
	if (mask & XP_QP_RQ_PSN && a->rq_psn > XP_PSN_MASK)
		return refuse(why, XP_QP_RQ_PSN,
			      "IBV_QP_RQ_PSN: rq_psn %#x does not fit 24 bits; use 0..0xffffff",
			      a->rq_psn);
	if (mask & XP_QP_MAX_QP_RD_ATOMIC) {
		err = check_range(why, XP_QP_MAX_QP_RD_ATOMIC, "max_rd_atomic", a->max_rd_atomic,
				  lim->max_rd_atomic, "max_qp_init_rd_atom");
		if (err)
			return err;
	}
	if (mask & XP_QP_ALT_PATH) {
		err = check_av(why, XP_QP_ALT_PATH, "alt_ah_attr", &a->alt_ah_attr, lim);
		if (err)
			return err;
		if (a->alt_port_num != XP_PORT_NUM)
			return refuse(
				why, XP_QP_ALT_PATH,
				"IBV_QP_ALT_PATH: alt_port_num %u is not a port; the only port is %u",
				a->alt_port_num, XP_PORT_NUM);
		if (a->alt_pkey_index != XP_PKEY_INDEX)
			return refuse(why, XP_QP_ALT_PATH,
				      "IBV_QP_ALT_PATH: alt_pkey_index %u does not exist; use 0",
				      a->alt_pkey_index);
		err = check_range(why, XP_QP_ALT_PATH, "alt_timeout", a->alt_timeout,
				  XP_IB_TIMEOUT_MAX, "4.096 us * 2^alt_timeout");
		if (err)
			return err;
	}
	if (mask & XP_QP_MIN_RNR_TIMER) {
		err = check_range(why, XP_QP_MIN_RNR_TIMER, "min_rnr_timer", a->min_rnr_timer,
				  XP_RNR_TIMER_MAX, "an RNR NAK timer code, 5 bits");
		if (err)
			return err;
	}
	if (mask & XP_QP_SQ_PSN && a->sq_psn > XP_PSN_MASK)
		return refuse(why, XP_QP_SQ_PSN,
			      "IBV_QP_SQ_PSN: sq_psn %#x does not fit 24 bits; use 0..0xffffff",
			      a->sq_psn);
	if (mask & XP_QP_MAX_DEST_RD_ATOMIC) {
		err = check_range(why, XP_QP_MAX_DEST_RD_ATOMIC, "max_dest_rd_atomic",
				  a->max_dest_rd_atomic, lim->max_dest_rd_atomic, "max_qp_rd_atom");
		if (err)
			return err;
	}
	if (mask & XP_QP_PATH_MIG_STATE) {
		err = check_range(why, XP_QP_PATH_MIG_STATE, "path_mig_state", a->path_mig_state,
				  XP_MIG_ARMED, "IBV_MIG_MIGRATED, _REARM or _ARMED");
		if (err)
			return err;
	}
	if (mask & XP_QP_DEST_QPN && a->dest_qp_num > XP_QPN_MASK)
		return refuse(
			why, XP_QP_DEST_QPN,
			"IBV_QP_DEST_QPN: dest_qp_num %#x does not fit 24 bits; use the peer's QPN",
			a->dest_qp_num);
	return 0;
}

int xp_qp_modify_check(enum xp_qp_type type, enum xp_qp_state cur, const struct xp_qp_attr *attr,
		       int mask, const struct xp_qp_limits *lim, struct xp_qp_why *why)
{
	char list[XP_QP_WHY_MAX / 2];
	struct xp_qp_limits def;
	enum xp_qp_state next;
	int t, req, opt, bad;
	const char *ts, *art;

	if (why) {
		why->attr = 0;
		why->msg[0] = '\0';
	}
	if (!lim) {
		xp_qp_limits_default(&def);
		lim = &def;
	}
	t = type_index(type);
	if (t < 0)
		return refuse(why, 0,
			      "QP type %d is not supported; use IBV_QPT_RC (2), _UC (3) or _UD (4)",
			      type);
	ts = xp_qp_type_str(type);
	art = type == XP_QPT_RC ? "an" : "a";
	if (!state_ok(cur))
		return refuse(why, 0, "current state %d is not a QP state (0..6)", cur);
	if (!state_reachable(t, cur))
		return refuse(why, 0, "%s %s QP is never in %s: a send error moves it to ERR", art,
			      ts, xp_qp_state_str(cur));
	if (mask & ~XP_QP_ATTR_MASK_ALL)
		return refuse(
			why, 0,
			"attr_mask %#x has bits we do not know or support (e.g. IBV_QP_RATE_LIMIT); only IBV_QP_STATE .. IBV_QP_DEST_QPN",
			mask & ~XP_QP_ATTR_MASK_ALL);
	if (mask && !attr)
		return refuse(why, 0, "attr_mask %#x but no attributes (attr is NULL)", mask);

	next = mask & XP_QP_STATE ? attr->qp_state : cur;
	if (!state_ok(next))
		return refuse(why, XP_QP_STATE,
			      "IBV_QP_STATE: qp_state %d is not a QP state (0..6)", next);
	if (!state_reachable(t, next) || !qp_table[cur][next].valid)
		return refuse(
			why, XP_QP_STATE,
			"%s->%s is not a legal transition for %s %s QP%s; the path is RESET->INIT->RTR->RTS, and any state may go to RESET or ERR",
			xp_qp_state_str(cur), xp_qp_state_str(next), art, ts,
			mask & XP_QP_STATE ? "" :
					     " (no IBV_QP_STATE: the QP would stay where it is)");

	req = qp_table[cur][next].req[t];
	opt = qp_table[cur][next].opt[t];
	if ((mask & req) != req) {
		bad = req & ~mask;
		bad &= -bad; /* the first missing */
		mask_str(req, list, sizeof(list));
		return refuse(
			why, bad,
			"%s->%s on %s %s QP needs %s (missing); rdma-core applications set it with ibv_modify_qp(..., %s)",
			xp_qp_state_str(cur), xp_qp_state_str(next), art, ts, xp_qp_attr_name(bad),
			list);
	}
	bad = mask & ~(req | opt | XP_QP_STATE);
	if (bad) {
		bad &= -bad;
		mask_str(req | opt, list, sizeof(list));
		return refuse(
			why, bad,
			"%s is not allowed on %s->%s for %s %s QP%s; this transition takes: %s",
			xp_qp_attr_name(bad), xp_qp_state_str(cur), xp_qp_state_str(next), art, ts,
			bad == XP_QP_CAP ? " (queue sizes are fixed when the QP is created)" : "",
			list);
	}
	return check_values(why, cur, attr, mask, lim);
}

/* ---- IB timer tables ---- */

__u64 xp_ib_timeout_ns(__u8 code)
{
	if (code == 0 || code > XP_IB_TIMEOUT_MAX)
		return 0;
	return 4096ull << code;
}

__u64 xp_ib_timeout_us(__u8 code)
{
	return xp_ib_timeout_ns(code) / 1000;
}

/* The IBTA table of RNR NAK timer field encodings (AETH syndrome), in us. */
static const __u32 rnr_timer_us[XP_RNR_TIMER_MAX + 1] = {
	655360, 10,    20,    30,    40,    60,	    80,	    120,    160,    240,    320,
	480,	640,   960,   1280,  1920,  2560,   3840,   5120,   7680,   10240,  15360,
	20480,	30720, 40960, 61440, 81920, 122880, 163840, 245760, 327680, 491520,
};

__u32 xp_rnr_timer_us(__u8 code)
{
	return code <= XP_RNR_TIMER_MAX ? rnr_timer_us[code] : 0;
}

/* ---- MTU ---- */

unsigned int xp_mtu_to_bytes(enum xp_mtu mtu)
{
	if (mtu < XP_MTU_256 || mtu > XP_MTU_4096)
		return 0;
	return 128u << mtu;
}

enum xp_mtu xp_mtu_from_bytes(unsigned int bytes)
{
	enum xp_mtu mtu;

	if (bytes < 256)
		return 0;
	for (mtu = XP_MTU_4096; mtu > XP_MTU_256; mtu--)
		if (bytes >= xp_mtu_to_bytes(mtu))
			break;
	return mtu;
}

enum xp_mtu xp_mtu_from_netdev(unsigned int netdev_mtu)
{
	if (netdev_mtu < XP_ROCE_HDR_MAX)
		return 0;
	return xp_mtu_from_bytes(netdev_mtu - XP_ROCE_HDR_MAX);
}
