// SPDX-License-Identifier: GPL-2.0
/*
 * Queue-pair attributes (core/roce/rdma_qp_attr.c): every transition for
 * RC, UC and UD against the IBTA table written out again here, each
 * required attribute missing, each optional one, each one not allowed;
 * every range-checked value at its boundary; the timer tables, PSN
 * arithmetic around the wrap and the half window, and MTU conversions.
 * Every case asserts an exact return code and the attribute at fault.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#if __has_include(<infiniband/verbs.h>)
#include <infiniband/verbs.h>
#define HAVE_IBVERBS 1
#endif

#include "xp_log.h"
#include "xp_qp.h"
#include "xp_rdma.h"
#include "xp_test.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#define LW XP_ACCESS_LOCAL_WRITE
#define RW XP_ACCESS_REMOTE_WRITE
#define RR XP_ACCESS_REMOTE_READ
#define RA XP_ACCESS_REMOTE_ATOMIC

static int n_printed;

static int count_print(enum xp_print_level level, const char *fmt, va_list ap)
{
	n_printed++;
	return 0;
}

/* ---- the table, written out independently of the library's ---- */

#define RESET XP_QPS_RESET
#define INIT XP_QPS_INIT
#define RTR XP_QPS_RTR
#define RTS XP_QPS_RTS
#define SQD XP_QPS_SQD
#define SQE XP_QPS_SQE
#define ERR XP_QPS_ERR

#define S XP_QP_STATE
#define CUR XP_QP_CUR_STATE
#define SQDN XP_QP_EN_SQD_ASYNC_NOTIFY
#define ACC XP_QP_ACCESS_FLAGS
#define PKEY XP_QP_PKEY_INDEX
#define PORT XP_QP_PORT
#define QKEY XP_QP_QKEY
#define AV XP_QP_AV
#define MTU XP_QP_PATH_MTU
#define TMO XP_QP_TIMEOUT
#define RETRY XP_QP_RETRY_CNT
#define RNR XP_QP_RNR_RETRY
#define RQPSN XP_QP_RQ_PSN
#define RDA XP_QP_MAX_QP_RD_ATOMIC
#define ALT XP_QP_ALT_PATH
#define MINRNR XP_QP_MIN_RNR_TIMER
#define SQPSN XP_QP_SQ_PSN
#define DRDA XP_QP_MAX_DEST_RD_ATOMIC
#define MIG XP_QP_PATH_MIG_STATE
#define DQPN XP_QP_DEST_QPN

struct legal {
	enum xp_qp_type type;
	enum xp_qp_state cur, next;
	int req, opt;
};

#define ANY_TO_RESET_ERR(t, c)  \
	{ t, c, RESET, 0, 0 },  \
	{                       \
		t, c, ERR, 0, 0 \
	}

static const struct legal legal[] = {
	/* RC */
	{ XP_QPT_RC, RESET, RESET, 0, 0 },
	{ XP_QPT_RC, RESET, INIT, PKEY | PORT | ACC, 0 },
	{ XP_QPT_RC, RESET, ERR, 0, 0 },
	ANY_TO_RESET_ERR(XP_QPT_RC, INIT),
	{ XP_QPT_RC, INIT, INIT, 0, PKEY | PORT | ACC },
	{ XP_QPT_RC, INIT, RTR, AV | MTU | DQPN | RQPSN | DRDA | MINRNR, ALT | ACC | PKEY },
	ANY_TO_RESET_ERR(XP_QPT_RC, RTR),
	{ XP_QPT_RC, RTR, RTS, SQPSN | TMO | RETRY | RNR | RDA, CUR | ALT | ACC | MINRNR | MIG },
	ANY_TO_RESET_ERR(XP_QPT_RC, RTS),
	{ XP_QPT_RC, RTS, RTS, 0, CUR | ACC | ALT | MIG | MINRNR },
	{ XP_QPT_RC, RTS, SQD, 0, SQDN },
	ANY_TO_RESET_ERR(XP_QPT_RC, SQD),
	{ XP_QPT_RC, SQD, RTS, 0, CUR | ALT | ACC | MINRNR | MIG },
	{ XP_QPT_RC, SQD, SQD, 0,
	  PORT | AV | TMO | RETRY | RNR | RDA | DRDA | ALT | ACC | PKEY | MINRNR | MIG },
	ANY_TO_RESET_ERR(XP_QPT_RC, ERR),
	/* UC */
	{ XP_QPT_UC, RESET, RESET, 0, 0 },
	{ XP_QPT_UC, RESET, INIT, PKEY | PORT | ACC, 0 },
	{ XP_QPT_UC, RESET, ERR, 0, 0 },
	ANY_TO_RESET_ERR(XP_QPT_UC, INIT),
	{ XP_QPT_UC, INIT, INIT, 0, PKEY | PORT | ACC },
	{ XP_QPT_UC, INIT, RTR, AV | MTU | DQPN | RQPSN, ALT | ACC | PKEY },
	ANY_TO_RESET_ERR(XP_QPT_UC, RTR),
	{ XP_QPT_UC, RTR, RTS, SQPSN, CUR | ALT | ACC | MIG },
	ANY_TO_RESET_ERR(XP_QPT_UC, RTS),
	{ XP_QPT_UC, RTS, RTS, 0, CUR | ACC | ALT | MIG },
	{ XP_QPT_UC, RTS, SQD, 0, SQDN },
	ANY_TO_RESET_ERR(XP_QPT_UC, SQD),
	{ XP_QPT_UC, SQD, RTS, 0, CUR | ALT | ACC | MIG },
	{ XP_QPT_UC, SQD, SQD, 0, AV | ALT | ACC | PKEY | MIG },
	ANY_TO_RESET_ERR(XP_QPT_UC, SQE),
	{ XP_QPT_UC, SQE, RTS, 0, CUR | ACC },
	ANY_TO_RESET_ERR(XP_QPT_UC, ERR),
	/* UD */
	{ XP_QPT_UD, RESET, RESET, 0, 0 },
	{ XP_QPT_UD, RESET, INIT, PKEY | PORT | QKEY, 0 },
	{ XP_QPT_UD, RESET, ERR, 0, 0 },
	ANY_TO_RESET_ERR(XP_QPT_UD, INIT),
	{ XP_QPT_UD, INIT, INIT, 0, PKEY | PORT | QKEY },
	{ XP_QPT_UD, INIT, RTR, 0, PKEY | QKEY },
	ANY_TO_RESET_ERR(XP_QPT_UD, RTR),
	{ XP_QPT_UD, RTR, RTS, SQPSN, CUR | QKEY },
	ANY_TO_RESET_ERR(XP_QPT_UD, RTS),
	{ XP_QPT_UD, RTS, RTS, 0, CUR | QKEY },
	{ XP_QPT_UD, RTS, SQD, 0, SQDN },
	ANY_TO_RESET_ERR(XP_QPT_UD, SQD),
	{ XP_QPT_UD, SQD, RTS, 0, CUR | QKEY },
	{ XP_QPT_UD, SQD, SQD, 0, PKEY | QKEY },
	ANY_TO_RESET_ERR(XP_QPT_UD, SQE),
	{ XP_QPT_UD, SQE, RTS, 0, CUR | QKEY },
	ANY_TO_RESET_ERR(XP_QPT_UD, ERR),
};

static const enum xp_qp_type types[] = { XP_QPT_RC, XP_QPT_UC, XP_QPT_UD };

static const struct legal *find_legal(enum xp_qp_type type, int cur, int next)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(legal); i++)
		if (legal[i].type == type && (int)legal[i].cur == cur && (int)legal[i].next == next)
			return &legal[i];
	return NULL;
}

/* Every attribute set to a valid value. */
static void good_attr(struct xp_qp_attr *a, int cur, int next)
{
	memset(a, 0, sizeof(*a));
	a->qp_state = next;
	a->cur_qp_state = cur;
	a->path_mtu = XP_MTU_1024;
	a->path_mig_state = XP_MIG_MIGRATED;
	a->qkey = 0x11111111;
	a->rq_psn = 0x123456;
	a->sq_psn = 0xabcdef;
	a->dest_qp_num = 0x11;
	a->qp_access_flags = LW | RW | RR | RA;
	xp_gid_from_ipv4(a->ah_attr.dgid, htonl(0xc0000201)); /* 192.0.2.1 */
	a->ah_attr.sgid_index = 1;
	a->ah_attr.hop_limit = 1;
	a->ah_attr.port_num = 1;
	a->alt_ah_attr = a->ah_attr;
	a->pkey_index = 0;
	a->max_rd_atomic = 1;
	a->max_dest_rd_atomic = 1;
	a->min_rnr_timer = 12;
	a->port_num = 1;
	a->timeout = 14;
	a->retry_cnt = 7;
	a->rnr_retry = 7;
	a->alt_port_num = 1;
	a->alt_timeout = 14;
}

/* rc == want_rc and (on refusal) why.attr == want_attr; notes otherwise. */
static bool expect(int rc, const struct xp_qp_why *why, int want_rc, int want_attr,
		   const char *want_text)
{
	if (rc != want_rc) {
		xt_note("returned %d, wanted %d (%s)", rc, want_rc, why->msg);
		return false;
	}
	if (want_rc && why->attr != want_attr) {
		xt_note("attr at fault %#x (%s), wanted %#x (%s): %s", why->attr,
			xp_qp_attr_name(why->attr), want_attr, xp_qp_attr_name(want_attr),
			why->msg);
		return false;
	}
	if (want_text && !strstr(why->msg, want_text)) {
		xt_note("message '%s' lacks '%s'", why->msg, want_text);
		return false;
	}
	return true;
}

/* One legal transition: required, each missing, each optional, each not allowed. */
static void check_legal(const struct legal *l)
{
	const char *tn = xp_qp_type_str(l->type), *cn = xp_qp_state_str(l->cur),
		   *nn = xp_qp_state_str(l->next);
	struct xp_qp_attr a;
	struct xp_qp_why why;
	bool ok;
	int bit, rc;

	good_attr(&a, l->cur, l->next);

	xt_check(xp_qp_transition_ok(l->type, l->cur, l->next) &&
			 xp_qp_required_mask(l->type, l->cur, l->next) == l->req &&
			 xp_qp_optional_mask(l->type, l->cur, l->next) == l->opt,
		 "%s %s->%s: legal, required %#x, optional %#x", tn, cn, nn, l->req, l->opt);

	rc = xp_qp_modify_check(l->type, l->cur, &a, S | l->req, NULL, &why);
	xt_check(expect(rc, &why, 0, 0, NULL), "%s %s->%s with the required attributes: ok", tn, cn,
		 nn);

	rc = xp_qp_modify_check(l->type, l->cur, &a, S | l->req | l->opt, NULL, &why);
	xt_check(expect(rc, &why, 0, 0, NULL), "%s %s->%s with required and all optional: ok", tn,
		 cn, nn);

	if (l->cur == l->next && !l->req) {
		rc = xp_qp_modify_check(l->type, l->cur, &a, l->opt, NULL, &why);
		xt_check(expect(rc, &why, 0, 0, NULL),
			 "%s %s->%s without IBV_QP_STATE (attributes only): ok", tn, cn, nn);
	}

	ok = true;
	for (bit = 1; bit <= XP_QP_ATTR_MASK_ALL; bit <<= 1) {
		if (!(l->req & bit))
			continue;
		rc = xp_qp_modify_check(l->type, l->cur, &a, S | (l->req & ~bit), NULL, &why);
		ok &= expect(rc, &why, -EINVAL, bit, "(missing)") &&
		      expect(rc, &why, -EINVAL, bit, xp_qp_attr_name(bit));
	}
	if (l->req)
		xt_check(ok, "%s %s->%s: each required attribute missing is refused, named", tn, cn,
			 nn);

	ok = true;
	for (bit = 1; bit <= XP_QP_ATTR_MASK_ALL; bit <<= 1) {
		if (!(l->opt & bit))
			continue;
		rc = xp_qp_modify_check(l->type, l->cur, &a, S | l->req | bit, NULL, &why);
		ok &= expect(rc, &why, 0, 0, NULL);
	}
	if (l->opt)
		xt_check(ok, "%s %s->%s: each optional attribute alone is accepted", tn, cn, nn);

	ok = true;
	for (bit = 2; bit <= XP_QP_ATTR_MASK_ALL; bit <<= 1) {
		if ((l->req | l->opt) & bit)
			continue;
		rc = xp_qp_modify_check(l->type, l->cur, &a, S | l->req | bit, NULL, &why);
		ok &= expect(rc, &why, -EINVAL, bit, "not allowed");
	}
	xt_check(ok, "%s %s->%s: every attribute outside required|optional is refused, named", tn,
		 cn, nn);
}

static void test_transitions(void)
{
	struct xp_qp_attr a;
	struct xp_qp_why why;
	size_t i, n_legal = 0, n_illegal = 0;
	bool ok = true;
	int cur, next, rc;

	for (i = 0; i < ARRAY_SIZE(legal); i++)
		check_legal(&legal[i]);

	/* Everything not in the table is refused as a transition (why.attr = STATE). */
	for (i = 0; i < ARRAY_SIZE(types); i++) {
		for (cur = RESET; cur <= ERR; cur++) {
			if (types[i] == XP_QPT_RC && cur == SQE)
				continue;
			for (next = RESET; next <= ERR; next++) {
				const struct legal *l = find_legal(types[i], cur, next);

				good_attr(&a, cur, next);
				if (l) {
					n_legal++;
					continue;
				}
				n_illegal++;
				/* Even with every attribute, and with none. */
				rc = xp_qp_modify_check(types[i], cur, &a, XP_QP_ATTR_MASK_ALL,
							NULL, &why);
				ok &= expect(rc, &why, -EINVAL, S, "not a legal transition");
				rc = xp_qp_modify_check(types[i], cur, &a, S, NULL, &why);
				ok &= expect(rc, &why, -EINVAL, S, "not a legal transition");
				ok &= !xp_qp_transition_ok(types[i], cur, next);
				ok &= !xp_qp_required_mask(types[i], cur, next) &&
				      !xp_qp_optional_mask(types[i], cur, next);
			}
		}
	}
	xt_check(ok && n_legal == ARRAY_SIZE(legal),
		 "%zu illegal transitions refused (IBV_QP_STATE at fault), %zu legal", n_illegal,
		 n_legal);
	xt_check(n_legal + n_illegal == 3 * 49 - 7, "all type x state x state pairs covered (%zu)",
		 n_legal + n_illegal);

	/* An RC QP is never in SQE: any modify from it is refused. */
	good_attr(&a, SQE, RTS);
	rc = xp_qp_modify_check(XP_QPT_RC, XP_QPS_SQE, &a, S, NULL, &why);
	xt_check(expect(rc, &why, -EINVAL, 0, "never in SQE"), "RC from SQE: refused");
	a.qp_state = XP_QPS_SQE;
	rc = xp_qp_modify_check(XP_QPT_RC, XP_QPS_RTS, &a, S, NULL, &why);
	xt_check(expect(rc, &why, -EINVAL, S, "not a legal transition"), "RC RTS->SQE: refused");
	xt_check(!xp_qp_transition_ok(XP_QPT_RC, XP_QPS_SQE, XP_QPS_ERR),
		 "RC SQE->ERR is not a transition (no such state)");

	/* Without IBV_QP_STATE from RTR: RTR->RTR is not legal. */
	good_attr(&a, RTR, RTR);
	rc = xp_qp_modify_check(XP_QPT_RC, XP_QPS_RTR, &a, ACC, NULL, &why);
	xt_check(expect(rc, &why, -EINVAL, S, "no IBV_QP_STATE"),
		 "RC RTR modify without IBV_QP_STATE: refused (RTR->RTR)");

	/* The message of the brief's example, word for word where it matters. */
	good_attr(&a, INIT, RTR);
	rc = xp_qp_modify_check(XP_QPT_RC, XP_QPS_INIT, &a, S | MTU | DQPN | RQPSN | DRDA | MINRNR,
				NULL, &why);
	xt_check(
		expect(rc, &why, -EINVAL, AV,
		       "INIT->RTR on an RC QP needs IBV_QP_AV (missing); rdma-core applications set it with ibv_modify_qp(..., IBV_QP_AV"),
		"RC INIT->RTR without AV: '%s'", why.msg);
	a.qp_state = XP_QPS_RTS;
	rc = xp_qp_modify_check(XP_QPT_UD, XP_QPS_RTR, &a, S | SQPSN | XP_QP_CAP, NULL, &why);
	xt_check(expect(rc, &why, -EINVAL, XP_QP_CAP, "fixed when the QP is created"),
		 "IBV_QP_CAP on modify: refused, says why");
}

/* ---- argument validation ---- */

static void test_args(void)
{
	struct xp_qp_attr a;
	struct xp_qp_why why;
	int rc;

	good_attr(&a, RESET, INIT);
	rc = xp_qp_modify_check(1 /* IBV_QPT_RC is 2 */, XP_QPS_RESET, &a, S | PKEY | PORT | ACC,
				NULL, &why);
	xt_check(expect(rc, &why, -EINVAL, 0, "QP type 1"), "QP type 1: refused");
	rc = xp_qp_modify_check(8 /* RAW_PACKET */, XP_QPS_RESET, &a, S, NULL, &why);
	xt_check(expect(rc, &why, -EINVAL, 0, "not supported"), "QP type RAW_PACKET: refused");
	rc = xp_qp_modify_check(XP_QPT_RC, 7, &a, S, NULL, &why);
	xt_check(expect(rc, &why, -EINVAL, 0, "current state 7"), "current state 7: refused");
	rc = xp_qp_modify_check(XP_QPT_RC, -1, &a, S, NULL, &why);
	xt_check(expect(rc, &why, -EINVAL, 0, NULL), "current state -1: refused");
	a.qp_state = 7;
	rc = xp_qp_modify_check(XP_QPT_RC, XP_QPS_RESET, &a, S, NULL, &why);
	xt_check(expect(rc, &why, -EINVAL, S, "qp_state 7"), "qp_state 7: refused");
	a.qp_state = XP_QPS_INIT;
	rc = xp_qp_modify_check(XP_QPT_RC, XP_QPS_RESET, &a, S | PKEY | PORT | ACC | (1 << 25),
				NULL, &why);
	xt_check(expect(rc, &why, -EINVAL, 0, "RATE_LIMIT"),
		 "IBV_QP_RATE_LIMIT (1 << 25): refused");
	rc = xp_qp_modify_check(XP_QPT_RC, XP_QPS_RESET, &a, 1 << 21, NULL, &why);
	xt_check(expect(rc, &why, -EINVAL, 0, NULL), "mask bit 21: refused");
	rc = xp_qp_modify_check(XP_QPT_RC, XP_QPS_RESET, NULL, S, NULL, &why);
	xt_check(expect(rc, &why, -EINVAL, 0, "attr is NULL"), "attr NULL with a mask: refused");
	rc = xp_qp_modify_check(XP_QPT_RC, XP_QPS_RESET, NULL, 0, NULL, &why);
	xt_check(expect(rc, &why, 0, 0, NULL), "attr NULL, mask 0 from RESET (RESET->RESET): ok");
	rc = xp_qp_modify_check(XP_QPT_RC, XP_QPS_ERR, NULL, 0, NULL, NULL);
	xt_check(rc == 0, "why NULL: ok (ERR->ERR)");
	rc = xp_qp_modify_check(XP_QPT_RC, XP_QPS_INIT, NULL, 0, NULL, NULL);
	xt_check(rc == 0, "attr NULL, mask 0 from INIT (INIT->INIT, nothing optional set): ok");
	rc = xp_qp_modify_check(XP_QPT_RC, XP_QPS_RTR, NULL, 0, NULL, NULL);
	xt_check(rc == -EINVAL, "why NULL on a refusal (RTR->RTR): -EINVAL, no crash");
}

/* ---- value boundaries ---- */

enum field {
	F_PKEY,
	F_PORT,
	F_ACCESS,
	F_QKEY,
	F_MTU,
	F_TIMEOUT,
	F_RETRY,
	F_RNR,
	F_RQPSN,
	F_SQPSN,
	F_RDA,
	F_DRDA,
	F_MINRNR,
	F_MIG,
	F_DQPN,
	F_CUR,
	F_AV_PORT,
	F_AV_SGID,
	F_AV_FLOW,
	F_AV_SL,
	F_AV_DGID_ZERO,
	F_AV_DGID_V4ZERO,
	F_AV_DGID_MCAST,
	F_AV_DGID_V6,
	F_AV_DMAC,
	F_ALT_PORT,
	F_ALT_PKEY,
	F_ALT_TIMEOUT,
	F_ALT_SGID,
};

static void set_field(struct xp_qp_attr *a, enum field f, unsigned long v)
{
	static const __u8 v6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };

	switch (f) {
	case F_PKEY:
		a->pkey_index = v;
		break;
	case F_PORT:
		a->port_num = v;
		break;
	case F_ACCESS:
		a->qp_access_flags = v;
		break;
	case F_QKEY:
		a->qkey = v;
		break;
	case F_MTU:
		a->path_mtu = v;
		break;
	case F_TIMEOUT:
		a->timeout = v;
		break;
	case F_RETRY:
		a->retry_cnt = v;
		break;
	case F_RNR:
		a->rnr_retry = v;
		break;
	case F_RQPSN:
		a->rq_psn = v;
		break;
	case F_SQPSN:
		a->sq_psn = v;
		break;
	case F_RDA:
		a->max_rd_atomic = v;
		break;
	case F_DRDA:
		a->max_dest_rd_atomic = v;
		break;
	case F_MINRNR:
		a->min_rnr_timer = v;
		break;
	case F_MIG:
		a->path_mig_state = v;
		break;
	case F_DQPN:
		a->dest_qp_num = v;
		break;
	case F_CUR:
		a->cur_qp_state = v;
		break;
	case F_AV_PORT:
		a->ah_attr.port_num = v;
		break;
	case F_AV_SGID:
		a->ah_attr.sgid_index = v;
		break;
	case F_AV_FLOW:
		a->ah_attr.flow_label = v;
		break;
	case F_AV_SL:
		a->ah_attr.sl = v;
		break;
	case F_AV_DGID_ZERO:
		memset(a->ah_attr.dgid, 0, 16);
		break;
	case F_AV_DGID_V4ZERO:
		xp_gid_from_ipv4(a->ah_attr.dgid, 0);
		break;
	case F_AV_DGID_MCAST:
		a->ah_attr.dgid[0] = 0xff;
		break;
	case F_AV_DGID_V6:
		memcpy(a->ah_attr.dgid, v6, 16);
		break;
	case F_AV_DMAC:
		/* v: the first byte; the rest 0x11 unless v is 0 (all zero). */
		a->ah_attr.dmac_set = true;
		memset(a->ah_attr.dmac, v ? 0x11 : 0, 6);
		a->ah_attr.dmac[0] = v;
		break;
	case F_ALT_PORT:
		a->alt_port_num = v;
		break;
	case F_ALT_PKEY:
		a->alt_pkey_index = v;
		break;
	case F_ALT_TIMEOUT:
		a->alt_timeout = v;
		break;
	case F_ALT_SGID:
		a->alt_ah_attr.sgid_index = v;
		break;
	}
}

struct value_case {
	const char *name;
	enum xp_qp_type type;
	enum xp_qp_state cur, next;
	int extra; /* mask bits beyond STATE | required */
	enum field field;
	unsigned long value;
	int want_attr; /* 0: accepted */
	const char *want_text;
};

#define RC_INIT XP_QPT_RC, RESET, INIT, 0
#define RC_RTR XP_QPT_RC, INIT, RTR, 0
#define RC_RTR_ALT XP_QPT_RC, INIT, RTR, ALT
#define RC_RTS XP_QPT_RC, RTR, RTS, 0
#define RC_RTS_OPT XP_QPT_RC, RTR, RTS, (CUR | MIG)
#define UD_INIT XP_QPT_UD, RESET, INIT, 0

static const struct value_case values[] = {
	{ "pkey_index 0", RC_INIT, F_PKEY, 0, 0, NULL },
	{ "pkey_index 1", RC_INIT, F_PKEY, 1, PKEY, "pkey_index 1" },
	{ "pkey_index 0xffff", RC_INIT, F_PKEY, 0xffff, PKEY, NULL },
	{ "port_num 1", RC_INIT, F_PORT, 1, 0, NULL },
	{ "port_num 0", RC_INIT, F_PORT, 0, PORT, "port_num 0" },
	{ "port_num 2", RC_INIT, F_PORT, 2, PORT, "only port is 1" },
	{ "access 0", RC_INIT, F_ACCESS, 0, 0, NULL },
	{ "access LW|RW|RR|RA", RC_INIT, F_ACCESS, LW | RW | RR | RA, 0, NULL },
	{ "access RELAXED_ORDERING (optional, ignored)", RC_INIT, F_ACCESS,
	  XP_ACCESS_RELAXED_ORDERING, 0, NULL },
	{ "access MW_BIND", RC_INIT, F_ACCESS, XP_ACCESS_MW_BIND, ACC, "MW_BIND" },
	{ "access bit 15", RC_INIT, F_ACCESS, 1u << 15, ACC, "0x8000" },
	{ "qkey 0", UD_INIT, F_QKEY, 0, 0, NULL },
	{ "qkey 0xffffffff", UD_INIT, F_QKEY, 0xffffffff, 0, NULL },
	{ "path_mtu 0", RC_RTR, F_MTU, 0, MTU, "path_mtu 0" },
	{ "path_mtu 256 (1)", RC_RTR, F_MTU, XP_MTU_256, 0, NULL },
	{ "path_mtu 2048 (4)", RC_RTR, F_MTU, XP_MTU_2048, 0, NULL },
	{ "path_mtu 4096 (5) over the default limit", RC_RTR, F_MTU, XP_MTU_4096, MTU,
	  "multi-buffer" },
	{ "path_mtu 6", RC_RTR, F_MTU, 6, MTU, "IBV_MTU_4096 (5)" },
	{ "dest_qp_num 0xffffff", RC_RTR, F_DQPN, 0xffffff, 0, NULL },
	{ "dest_qp_num 0x1000000", RC_RTR, F_DQPN, 0x1000000, DQPN, "0x1000000" },
	{ "rq_psn 0", RC_RTR, F_RQPSN, 0, 0, NULL },
	{ "rq_psn 0xffffff", RC_RTR, F_RQPSN, 0xffffff, 0, NULL },
	{ "rq_psn 0x1000000", RC_RTR, F_RQPSN, 0x1000000, RQPSN, "24 bits" },
	{ "max_dest_rd_atomic 0", RC_RTR, F_DRDA, 0, 0, NULL },
	{ "max_dest_rd_atomic 128", RC_RTR, F_DRDA, 128, 0, NULL },
	{ "max_dest_rd_atomic 129", RC_RTR, F_DRDA, 129, DRDA, "129" },
	{ "min_rnr_timer 0", RC_RTR, F_MINRNR, 0, 0, NULL },
	{ "min_rnr_timer 31", RC_RTR, F_MINRNR, 31, 0, NULL },
	{ "min_rnr_timer 32", RC_RTR, F_MINRNR, 32, MINRNR, "0..31" },
	{ "av port_num 0", RC_RTR, F_AV_PORT, 0, AV, "ah_attr.port_num 0" },
	{ "av sgid_index 15", RC_RTR, F_AV_SGID, 15, 0, NULL },
	{ "av sgid_index 16 (table of 16)", RC_RTR, F_AV_SGID, 16, AV, "sgid_index 16" },
	{ "av flow_label 0xfffff", RC_RTR, F_AV_FLOW, 0xfffff, 0, NULL },
	{ "av flow_label 0x100000", RC_RTR, F_AV_FLOW, 0x100000, AV, "20 bits" },
	{ "av sl 15", RC_RTR, F_AV_SL, 15, 0, NULL },
	{ "av sl 16", RC_RTR, F_AV_SL, 16, AV, "sl 16" },
	{ "av dgid ::", RC_RTR, F_AV_DGID_ZERO, 0, AV, "unspecified" },
	{ "av dgid ::ffff:0.0.0.0", RC_RTR, F_AV_DGID_V4ZERO, 0, AV, "unspecified" },
	{ "av dgid multicast", RC_RTR, F_AV_DGID_MCAST, 0, AV, "multicast" },
	{ "av dgid 2001:db8::1", RC_RTR, F_AV_DGID_V6, 0, 0, NULL },
	{ "av dmac unicast", RC_RTR, F_AV_DMAC, 0x02, 0, NULL },
	{ "av dmac multicast", RC_RTR, F_AV_DMAC, 0x01, AV, "not a unicast MAC" },
	{ "av dmac zero", RC_RTR, F_AV_DMAC, 0, AV, "not a unicast MAC" },
	{ "alt_port_num 1", RC_RTR_ALT, F_ALT_PORT, 1, 0, NULL },
	{ "alt_port_num 2", RC_RTR_ALT, F_ALT_PORT, 2, ALT, "alt_port_num 2" },
	{ "alt_pkey_index 1", RC_RTR_ALT, F_ALT_PKEY, 1, ALT, "alt_pkey_index 1" },
	{ "alt_timeout 31", RC_RTR_ALT, F_ALT_TIMEOUT, 31, 0, NULL },
	{ "alt_timeout 32", RC_RTR_ALT, F_ALT_TIMEOUT, 32, ALT, "alt_timeout 32" },
	{ "alt sgid_index 16", RC_RTR_ALT, F_ALT_SGID, 16, ALT, "alt_ah_attr" },
	{ "timeout 0 (infinite)", RC_RTS, F_TIMEOUT, 0, 0, NULL },
	{ "timeout 31", RC_RTS, F_TIMEOUT, 31, 0, NULL },
	{ "timeout 32", RC_RTS, F_TIMEOUT, 32, TMO, "timeout 32" },
	{ "retry_cnt 0", RC_RTS, F_RETRY, 0, 0, NULL },
	{ "retry_cnt 7", RC_RTS, F_RETRY, 7, 0, NULL },
	{ "retry_cnt 8", RC_RTS, F_RETRY, 8, RETRY, "0..7" },
	{ "rnr_retry 7", RC_RTS, F_RNR, 7, 0, NULL },
	{ "rnr_retry 8", RC_RTS, F_RNR, 8, RNR, "rnr_retry 8" },
	{ "sq_psn 0xffffff", RC_RTS, F_SQPSN, 0xffffff, 0, NULL },
	{ "sq_psn 0x1000000", RC_RTS, F_SQPSN, 0x1000000, SQPSN, "sq_psn" },
	{ "max_rd_atomic 0", RC_RTS, F_RDA, 0, 0, NULL },
	{ "max_rd_atomic 128", RC_RTS, F_RDA, 128, 0, NULL },
	{ "max_rd_atomic 129", RC_RTS, F_RDA, 129, RDA, "max_rd_atomic 129" },
	{ "max_rd_atomic 255", RC_RTS, F_RDA, 255, RDA, NULL },
	{ "path_mig_state ARMED (2)", RC_RTS_OPT, F_MIG, XP_MIG_ARMED, 0, NULL },
	{ "path_mig_state 3", RC_RTS_OPT, F_MIG, 3, MIG, "path_mig_state 3" },
	{ "cur_qp_state RTR (matches)", RC_RTS_OPT, F_CUR, XP_QPS_RTR, 0, NULL },
	{ "cur_qp_state RTS (QP is in RTR)", RC_RTS_OPT, F_CUR, XP_QPS_RTS, CUR,
	  "the QP is in RTR" },
};

static void test_values(void)
{
	struct xp_qp_limits lim;
	struct xp_qp_attr a;
	struct xp_qp_why why;
	size_t i;
	int rc;

	for (i = 0; i < ARRAY_SIZE(values); i++) {
		const struct value_case *v = &values[i];
		int req = xp_qp_required_mask(v->type, v->cur, v->next);

		good_attr(&a, v->cur, v->next);
		set_field(&a, v->field, v->value);
		rc = xp_qp_modify_check(v->type, v->cur, &a, S | req | v->extra, NULL, &why);
		xt_check(expect(rc, &why, v->want_attr ? -EINVAL : 0, v->want_attr, v->want_text),
			 "%s %s->%s %s: %s", xp_qp_type_str(v->type), xp_qp_state_str(v->cur),
			 xp_qp_state_str(v->next), v->name,
			 v->want_attr ? xp_qp_attr_name(v->want_attr) : "ok");
	}

	/* Limits: 4096 allowed when frames are multi-buffer; tighter rd_atomic. */
	xp_qp_limits_default(&lim);
	xt_check(lim.max_path_mtu == XP_MTU_2048 && lim.max_rd_atomic == 128 &&
			 lim.max_dest_rd_atomic == 128 && lim.gid_tbl_len == 16,
		 "default limits: path MTU 2048, rd_atomic 128/128, 16 GIDs");
	lim.max_path_mtu = XP_MTU_4096;
	good_attr(&a, INIT, RTR);
	a.path_mtu = XP_MTU_4096;
	rc = xp_qp_modify_check(XP_QPT_RC, XP_QPS_INIT, &a,
				S | xp_qp_required_mask(XP_QPT_RC, XP_QPS_INIT, XP_QPS_RTR), &lim,
				&why);
	xt_check(expect(rc, &why, 0, 0, NULL), "path_mtu 4096 with max_path_mtu 4096: ok");
	lim.max_path_mtu = XP_MTU_1024;
	a.path_mtu = XP_MTU_2048;
	rc = xp_qp_modify_check(XP_QPT_RC, XP_QPS_INIT, &a,
				S | xp_qp_required_mask(XP_QPT_RC, XP_QPS_INIT, XP_QPS_RTR), &lim,
				&why);
	xt_check(expect(rc, &why, -EINVAL, MTU, "limit of 1024 bytes"),
		 "path_mtu 2048 with max_path_mtu 1024 (netdev 1500): refused");
	xp_qp_limits_default(&lim);
	lim.max_dest_rd_atomic = 16;
	a.path_mtu = XP_MTU_1024;
	a.max_dest_rd_atomic = 17;
	rc = xp_qp_modify_check(XP_QPT_RC, XP_QPS_INIT, &a,
				S | xp_qp_required_mask(XP_QPT_RC, XP_QPS_INIT, XP_QPS_RTR), &lim,
				&why);
	xt_check(expect(rc, &why, -EINVAL, DRDA, "0..16"),
		 "max_dest_rd_atomic 17 over 16: refused");
	a.max_dest_rd_atomic = 16;
	rc = xp_qp_modify_check(XP_QPT_RC, XP_QPS_INIT, &a,
				S | xp_qp_required_mask(XP_QPT_RC, XP_QPS_INIT, XP_QPS_RTR), &lim,
				&why);
	xt_check(expect(rc, &why, 0, 0, NULL), "max_dest_rd_atomic 16 at 16: ok");

	/* Values are only checked for attributes in the mask. */
	good_attr(&a, RESET, INIT);
	a.timeout = 200;
	a.path_mtu = 9;
	a.rq_psn = 0xffffffff;
	rc = xp_qp_modify_check(XP_QPT_RC, XP_QPS_RESET, &a, S | PKEY | PORT | ACC, NULL, &why);
	xt_check(expect(rc, &why, 0, 0, NULL), "bad values outside the mask are not looked at");

	/* ibv_rc_pingpong's settings pass as a whole sequence. */
	good_attr(&a, RESET, INIT);
	a.qp_access_flags = 0;
	rc = xp_qp_modify_check(XP_QPT_RC, XP_QPS_RESET, &a, S | PKEY | PORT | ACC, NULL, &why);
	a.qp_state = XP_QPS_RTR;
	a.min_rnr_timer = 12;
	a.max_dest_rd_atomic = 1;
	rc |= xp_qp_modify_check(XP_QPT_RC, XP_QPS_INIT, &a,
				 S | AV | MTU | DQPN | RQPSN | DRDA | MINRNR, NULL, &why);
	a.qp_state = XP_QPS_RTS;
	rc |= xp_qp_modify_check(XP_QPT_RC, XP_QPS_RTR, &a, S | TMO | RETRY | RNR | SQPSN | RDA,
				 NULL, &why);
	xt_check(rc == 0, "ibv_rc_pingpong's RESET->INIT->RTR->RTS: ok");
}

/* ---- tables, PSNs, MTUs ---- */

static void test_timers(void)
{
	static const struct {
		__u8 code;
		__u32 us;
	} rnr[] = {
		/* The IBTA encodings, in milliseconds: 655.36, 0.01, 0.02, 0.03, 0.04, 0.06 ... */
		{ 0, 655360 },	{ 1, 10 },	{ 2, 20 },	{ 3, 30 },     { 4, 40 },
		{ 5, 60 },	{ 6, 80 },	{ 7, 120 },	{ 12, 640 },   { 13, 960 },
		{ 14, 1280 },	{ 18, 5120 },	{ 20, 10240 },	{ 24, 40960 }, { 27, 122880 },
		{ 29, 245760 }, { 30, 327680 }, { 31, 491520 },
	};
	size_t i;
	bool mono = true;
	int c;

	xt_check(xp_ib_timeout_ns(0) == 0 && xp_ib_timeout_us(0) == 0,
		 "timeout code 0: infinite (0)");
	xt_check(xp_ib_timeout_ns(1) == 8192, "timeout 1: 8.192 us (%llu ns)",
		 (unsigned long long)xp_ib_timeout_ns(1));
	xt_check(xp_ib_timeout_ns(14) == 67108864ull && xp_ib_timeout_us(14) == 67108,
		 "timeout 14 (ibv_rc_pingpong): 67.108864 ms");
	xt_check(xp_ib_timeout_ns(18) == 1073741824ull, "timeout 18: 1.073741824 s");
	xt_check(xp_ib_timeout_ns(31) == 8796093022208ull, "timeout 31: 8796.09 s");
	xt_check(xp_ib_timeout_ns(32) == 0 && xp_ib_timeout_ns(255) == 0,
		 "timeout 32, 255: not a code (0)");
	for (c = 2; c <= 31; c++)
		mono &= xp_ib_timeout_ns(c) == 2 * xp_ib_timeout_ns(c - 1);
	xt_check(mono, "timeout doubles with each code 1..31");

	for (i = 0; i < ARRAY_SIZE(rnr); i++)
		xt_check(xp_rnr_timer_us(rnr[i].code) == rnr[i].us, "RNR timer %u: %u us (%u)",
			 rnr[i].code, rnr[i].us, xp_rnr_timer_us(rnr[i].code));
	mono = true;
	for (c = 2; c <= 31; c++)
		mono &= xp_rnr_timer_us(c) > xp_rnr_timer_us(c - 1);
	/* Codes 1..31 grow by x1.5 and x1.33 alternately from 0.04 ms (even codes double). */
	for (c = 4; c <= 29; c++)
		mono &= xp_rnr_timer_us(c + 2) == 2 * xp_rnr_timer_us(c);
	xt_check(mono, "RNR timer increases over 1..31 and doubles every two codes from 4");
	xt_check(xp_rnr_timer_us(32) == 0, "RNR timer 32: not a code (0)");
}

static void test_psn(void)
{
	xt_check(xp_psn_add(0xffffff, 1) == 0, "psn 0xffffff + 1 = 0");
	xt_check(xp_psn_add(0xfffffe, 3) == 1, "psn 0xfffffe + 3 = 1");
	xt_check(xp_psn_add(5, 0x1000000) == 5, "psn 5 + 2^24 = 5");
	xt_check(xp_psn_add(0x7fffff, 1) == 0x800000, "psn 0x7fffff + 1 = 0x800000");
	xt_check(xp_psn_diff(0, 0xffffff) == 1, "diff(0, 0xffffff) = 1 (%d)",
		 xp_psn_diff(0, 0xffffff));
	xt_check(xp_psn_diff(0xffffff, 0) == -1, "diff(0xffffff, 0) = -1");
	xt_check(xp_psn_diff(0x10, 0xfffff0) == 0x20, "diff across the wrap = 0x20");
	xt_check(xp_psn_diff(5, 5) == 0, "diff(x, x) = 0");
	xt_check(xp_psn_diff(0x7fffff, 0) == 0x7fffff, "diff 2^23 - 1 ahead: +0x7fffff");
	xt_check(xp_psn_diff(0, 0x7fffff) == -0x7fffff, "diff 2^23 - 1 behind: -0x7fffff");
	xt_check(xp_psn_diff(0x800000, 0) == -0x800000 && xp_psn_diff(0, 0x800000) == -0x800000,
		 "diff exactly 2^23 apart: -2^23 both ways (the ambiguous point)");
	xt_check(xp_psn_diff(0x800001, 0) == -0x7fffff, "diff 2^23 + 1 ahead reads as behind");
	xt_check(xp_psn_lt(0xffffff, 0) && !xp_psn_lt(0, 0xffffff), "0xffffff < 0 across the wrap");
	xt_check(xp_psn_ge(0, 0xffffff) && !xp_psn_ge(0xffffff, 0),
		 "0 >= 0xffffff across the wrap");
	xt_check(xp_psn_ge(7, 7) && !xp_psn_lt(7, 7), "x >= x, not x < x");
	xt_check(xp_psn_lt(0, 0x7fffff) && !xp_psn_lt(0x7fffff, 0), "half window: 0 < 0x7fffff");
	xt_check(xp_psn_lt(0x800001, 0) && xp_psn_ge(0, 0x800001),
		 "beyond the half window order flips: 0x800001 < 0");
	{
		/* An rxe window of 128 unacked PSNs straddling the wrap. */
		__u32 first = 0xffffc0, last = xp_psn_add(first, XP_MAX_UNACKED_PSNS - 1), p;
		bool ok = true;
		int i;

		for (i = 0; i < XP_MAX_UNACKED_PSNS; i++) {
			p = xp_psn_add(first, i);
			ok &= xp_psn_ge(p, first) && xp_psn_ge(last, p) &&
			      xp_psn_diff(p, first) == i;
		}
		ok &= xp_psn_lt(xp_psn_add(last, 1), first) == false &&
		      xp_psn_lt(last, xp_psn_add(last, 1));
		xt_check(ok && last == 0x3f, "128-PSN window 0xffffc0..0x3f orders correctly");
	}
	xt_check(XP_MAX_PKT_PER_ACK == 64 && XP_MAX_UNACKED_PSNS == 128 &&
			 XP_MAX_QP_RD_ATOM == 128 && XP_MAX_QP_INIT_RD_ATOM == 128,
		 "rxe limits: ACK request every 64, 128 unacked PSNs, 128 rd_atomic");
}

static void test_mtu(void)
{
	static const struct {
		unsigned int in;
		enum xp_mtu want;
	} bytes[] = {
		{ 0, 0 },	    { 255, 0 },		 { 256, XP_MTU_256 },  { 511, XP_MTU_256 },
		{ 512, XP_MTU_512 }, { 1023, XP_MTU_512 }, { 1024, XP_MTU_1024 },
		{ 2047, XP_MTU_1024 }, { 2048, XP_MTU_2048 }, { 4095, XP_MTU_2048 },
		{ 4096, XP_MTU_4096 }, { 9000, XP_MTU_4096 },
	}, netdev[] = {
		{ 1500, XP_MTU_1024 }, { 9000, XP_MTU_4096 }, { 4176, XP_MTU_4096 },
		{ 4175, XP_MTU_2048 }, { 2128, XP_MTU_2048 }, { 2127, XP_MTU_1024 },
		{ 1104, XP_MTU_1024 }, { 1103, XP_MTU_512 }, { 336, XP_MTU_256 },
		{ 335, 0 },	       { 79, 0 },	     { 0, 0 },
	};
	size_t i;
	int m;

	for (m = XP_MTU_256; m <= XP_MTU_4096; m++)
		xt_check(xp_mtu_to_bytes(m) == 256u << (m - 1), "MTU code %d: %u bytes", m,
			 xp_mtu_to_bytes(m));
	xt_check(xp_mtu_to_bytes(0) == 0 && xp_mtu_to_bytes(6) == 0 && xp_mtu_to_bytes(-1) == 0,
		 "MTU codes 0, 6, -1: 0 bytes");
	for (i = 0; i < ARRAY_SIZE(bytes); i++)
		xt_check(xp_mtu_from_bytes(bytes[i].in) == bytes[i].want,
			 "%u bytes -> MTU code %d (%d)", bytes[i].in, bytes[i].want,
			 xp_mtu_from_bytes(bytes[i].in));
	for (i = 0; i < ARRAY_SIZE(netdev); i++)
		xt_check(xp_mtu_from_netdev(netdev[i].in) == netdev[i].want,
			 "netdev MTU %u -> path MTU code %d (%d)", netdev[i].in, netdev[i].want,
			 xp_mtu_from_netdev(netdev[i].in));
}

static void test_gid_names(void)
{
	__u8 gid[16];
	static const __u8 want[16] = { [10] = 0xff, [11] = 0xff, 192, 0, 2, 1 };

	xp_gid_from_ipv4(gid, htonl(0xc0000201));
	xt_check(!memcmp(gid, want, 16) && xp_gid_is_ipv4(gid),
		 "GID of 192.0.2.1: ::ffff:192.0.2.1");
	gid[11] = 0;
	xt_check(!xp_gid_is_ipv4(gid), "::00ff:c000:0201 is not IPv4-mapped");
	xt_check(!strcmp(xp_qp_state_str(XP_QPS_SQD), "SQD") &&
			 !strcmp(xp_qp_state_str(7), "unknown"),
		 "state names");
	xt_check(!strcmp(xp_qp_type_str(XP_QPT_UD), "UD") && !strcmp(xp_qp_type_str(0), "unknown"),
		 "type names");
	xt_check(!strcmp(xp_qp_attr_name(XP_QP_DEST_QPN), "IBV_QP_DEST_QPN") &&
			 !strcmp(xp_qp_attr_name(XP_QP_STATE), "IBV_QP_STATE") &&
			 !strcmp(xp_qp_attr_name(AV | MTU), "unknown") &&
			 !strcmp(xp_qp_attr_name(1 << 21), "unknown") &&
			 !strcmp(xp_qp_attr_name(0), "unknown"),
		 "attribute names: one bit only");
}

static void test_ibv_values(void)
{
#ifdef HAVE_IBVERBS
	static const struct xt_same same[] = {
		{ "QPT_RC", XP_QPT_RC, IBV_QPT_RC },
		{ "QPT_UC", XP_QPT_UC, IBV_QPT_UC },
		{ "QPT_UD", XP_QPT_UD, IBV_QPT_UD },
		{ "QPS_RESET", XP_QPS_RESET, IBV_QPS_RESET },
		{ "QPS_INIT", XP_QPS_INIT, IBV_QPS_INIT },
		{ "QPS_RTR", XP_QPS_RTR, IBV_QPS_RTR },
		{ "QPS_RTS", XP_QPS_RTS, IBV_QPS_RTS },
		{ "QPS_SQD", XP_QPS_SQD, IBV_QPS_SQD },
		{ "QPS_SQE", XP_QPS_SQE, IBV_QPS_SQE },
		{ "QPS_ERR", XP_QPS_ERR, IBV_QPS_ERR },
		{ "MTU_256", XP_MTU_256, IBV_MTU_256 },
		{ "MTU_512", XP_MTU_512, IBV_MTU_512 },
		{ "MTU_1024", XP_MTU_1024, IBV_MTU_1024 },
		{ "MTU_2048", XP_MTU_2048, IBV_MTU_2048 },
		{ "MTU_4096", XP_MTU_4096, IBV_MTU_4096 },
		{ "MIG_MIGRATED", XP_MIG_MIGRATED, IBV_MIG_MIGRATED },
		{ "MIG_REARM", XP_MIG_REARM, IBV_MIG_REARM },
		{ "MIG_ARMED", XP_MIG_ARMED, IBV_MIG_ARMED },
		{ "QP_STATE", XP_QP_STATE, IBV_QP_STATE },
		{ "QP_CUR_STATE", XP_QP_CUR_STATE, IBV_QP_CUR_STATE },
		{ "QP_EN_SQD_ASYNC_NOTIFY", XP_QP_EN_SQD_ASYNC_NOTIFY, IBV_QP_EN_SQD_ASYNC_NOTIFY },
		{ "QP_ACCESS_FLAGS", XP_QP_ACCESS_FLAGS, IBV_QP_ACCESS_FLAGS },
		{ "QP_PKEY_INDEX", XP_QP_PKEY_INDEX, IBV_QP_PKEY_INDEX },
		{ "QP_PORT", XP_QP_PORT, IBV_QP_PORT },
		{ "QP_QKEY", XP_QP_QKEY, IBV_QP_QKEY },
		{ "QP_AV", XP_QP_AV, IBV_QP_AV },
		{ "QP_PATH_MTU", XP_QP_PATH_MTU, IBV_QP_PATH_MTU },
		{ "QP_TIMEOUT", XP_QP_TIMEOUT, IBV_QP_TIMEOUT },
		{ "QP_RETRY_CNT", XP_QP_RETRY_CNT, IBV_QP_RETRY_CNT },
		{ "QP_RNR_RETRY", XP_QP_RNR_RETRY, IBV_QP_RNR_RETRY },
		{ "QP_RQ_PSN", XP_QP_RQ_PSN, IBV_QP_RQ_PSN },
		{ "QP_MAX_QP_RD_ATOMIC", XP_QP_MAX_QP_RD_ATOMIC, IBV_QP_MAX_QP_RD_ATOMIC },
		{ "QP_ALT_PATH", XP_QP_ALT_PATH, IBV_QP_ALT_PATH },
		{ "QP_MIN_RNR_TIMER", XP_QP_MIN_RNR_TIMER, IBV_QP_MIN_RNR_TIMER },
		{ "QP_SQ_PSN", XP_QP_SQ_PSN, IBV_QP_SQ_PSN },
		{ "QP_MAX_DEST_RD_ATOMIC", XP_QP_MAX_DEST_RD_ATOMIC, IBV_QP_MAX_DEST_RD_ATOMIC },
		{ "QP_PATH_MIG_STATE", XP_QP_PATH_MIG_STATE, IBV_QP_PATH_MIG_STATE },
		{ "QP_CAP", XP_QP_CAP, IBV_QP_CAP },
		{ "QP_DEST_QPN", XP_QP_DEST_QPN, IBV_QP_DEST_QPN },
		{ "WR_RDMA_WRITE", XP_WR_RDMA_WRITE, IBV_WR_RDMA_WRITE },
		{ "WR_RDMA_WRITE_WITH_IMM", XP_WR_RDMA_WRITE_WITH_IMM, IBV_WR_RDMA_WRITE_WITH_IMM },
		{ "WR_SEND", XP_WR_SEND, IBV_WR_SEND },
		{ "WR_SEND_WITH_IMM", XP_WR_SEND_WITH_IMM, IBV_WR_SEND_WITH_IMM },
		{ "WR_RDMA_READ", XP_WR_RDMA_READ, IBV_WR_RDMA_READ },
		{ "WR_ATOMIC_CMP_AND_SWP", XP_WR_ATOMIC_CMP_AND_SWP, IBV_WR_ATOMIC_CMP_AND_SWP },
		{ "WR_ATOMIC_FETCH_AND_ADD", XP_WR_ATOMIC_FETCH_AND_ADD,
		  IBV_WR_ATOMIC_FETCH_AND_ADD },
		{ "WR_LOCAL_INV", XP_WR_LOCAL_INV, IBV_WR_LOCAL_INV },
		{ "WR_SEND_WITH_INV", XP_WR_SEND_WITH_INV, IBV_WR_SEND_WITH_INV },
		{ "SEND_FENCE", XP_SEND_FENCE, IBV_SEND_FENCE },
		{ "SEND_SIGNALED", XP_SEND_SIGNALED, IBV_SEND_SIGNALED },
		{ "SEND_SOLICITED", XP_SEND_SOLICITED, IBV_SEND_SOLICITED },
	};
	xt_check(
		xt_same_values(same, ARRAY_SIZE(same), "XP_", "IBV_"),
		"%zu QP type/state/MTU/mig/mask and WR opcode/flag values equal <infiniband/verbs.h>",
		ARRAY_SIZE(same));
	xt_check(XP_QP_ATTR_MASK_ALL == (IBV_QP_DEST_QPN << 1) - 1 &&
			 !(XP_QP_ATTR_MASK_ALL & IBV_QP_RATE_LIMIT),
		 "mask: every IBV_QP_* bit up to DEST_QPN, not RATE_LIMIT");
#else
	xt_skip("<infiniband/verbs.h> not installed: cannot compare with IBV_* values (apt-get install libibverbs-dev)");
#endif
}

int main(void)
{
	xp_set_print(count_print);
	test_ibv_values();
	test_transitions();
	test_args();
	test_values();
	test_timers();
	test_psn();
	test_mtu();
	test_gid_names();
	xt_check(n_printed == 0, "the checks never print (%d messages): the caller decides",
		 n_printed);
	return xt_summary();
}
