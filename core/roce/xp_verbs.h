/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Types and flags shared by the verbs-like API (protection domains, memory
 * regions, and later QPs and CQs). Where libibverbs has the same concept the
 * numeric values are libibverbs' own, so an application ported from
 * ibv_reg_mr()/ibv_poll_cq() keeps its constants' meaning and a status
 * printed by either library reads the same. tests/unit/test_mr.c checks the
 * values against <infiniband/verbs.h> when that header is installed.
 */
#ifndef XP_VERBS_H
#define XP_VERBS_H

#include "xp_types.h"

/* Memory access rights: IBV_ACCESS_* values. */
enum xp_access_flags {
	XP_ACCESS_LOCAL_WRITE = 1u << 0,
	XP_ACCESS_REMOTE_WRITE = 1u << 1,
	XP_ACCESS_REMOTE_READ = 1u << 2,
	XP_ACCESS_REMOTE_ATOMIC = 1u << 3,
	XP_ACCESS_MW_BIND = 1u << 4, /* not supported yet (no memory windows) */
	XP_ACCESS_ZERO_BASED = 1u << 5, /* not supported: pass an iova instead */
	XP_ACCESS_ON_DEMAND = 1u << 6, /* not supported */
	XP_ACCESS_HUGETLB = 1u << 7, /* accepted, no effect (a hint for pinning) */
	XP_ACCESS_FLUSH_GLOBAL = 1u << 8, /* not supported */
	XP_ACCESS_FLUSH_PERSISTENT = 1u << 9, /* not supported */
	XP_ACCESS_RELAXED_ORDERING = 1u << 20, /* optional: accepted, no effect */
};

/*
 * Bits 20..29 are "optional" access flags in libibverbs: a provider that
 * does not know one ignores it instead of failing the registration.
 */
#define XP_ACCESS_OPTIONAL_RANGE 0x3ff00000u

/* The rights a peer can use through an rkey. */
#define XP_ACCESS_REMOTE (XP_ACCESS_REMOTE_READ | XP_ACCESS_REMOTE_WRITE | XP_ACCESS_REMOTE_ATOMIC)

/* Work completion status: enum ibv_wc_status values. */
enum xp_wc_status {
	XP_WC_SUCCESS = 0,
	XP_WC_LOC_LEN_ERR = 1,
	XP_WC_LOC_QP_OP_ERR = 2,
	XP_WC_LOC_EEC_OP_ERR = 3,
	XP_WC_LOC_PROT_ERR = 4,
	XP_WC_WR_FLUSH_ERR = 5,
	XP_WC_MW_BIND_ERR = 6,
	XP_WC_BAD_RESP_ERR = 7,
	XP_WC_LOC_ACCESS_ERR = 8,
	XP_WC_REM_INV_REQ_ERR = 9,
	XP_WC_REM_ACCESS_ERR = 10,
	XP_WC_REM_OP_ERR = 11,
	XP_WC_RETRY_EXC_ERR = 12,
	XP_WC_RNR_RETRY_EXC_ERR = 13,
	XP_WC_LOC_RDD_VIOL_ERR = 14,
	XP_WC_REM_INV_RD_REQ_ERR = 15,
	XP_WC_REM_ABORT_ERR = 16,
	XP_WC_INV_EECN_ERR = 17,
	XP_WC_INV_EEC_STATE_ERR = 18,
	XP_WC_FATAL_ERR = 19,
	XP_WC_RESP_TIMEOUT_ERR = 20,
	XP_WC_GENERAL_ERR = 21,
	XP_WC_TM_ERR = 22,
	XP_WC_TM_RNDV_INCOMPLETE = 23,
};

/* "remote access error" and so on, like ibv_wc_status_str(). */
const char *xp_wc_status_str(enum xp_wc_status status);

/*
 * Access flags as text for messages, e.g. "LOCAL_WRITE|REMOTE_READ", "none",
 * unknown bits as hex. Writes at most size bytes to buf; returns buf.
 */
const char *xp_access_str(unsigned int access, char *buf, size_t size);

/* Buffer size that always holds xp_access_str()'s result. */
#define XP_ACCESS_STR_MAX 160

#endif /* XP_VERBS_H */
