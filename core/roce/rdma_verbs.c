// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Names for the verbs API's shared codes, for messages and tools. */
#include "xp_env.h"

#include "xp_verbs.h"

static const char *const wc_status_names[] = {
	[XP_WC_SUCCESS] = "success",
	[XP_WC_LOC_LEN_ERR] = "local length error",
	[XP_WC_LOC_QP_OP_ERR] = "local QP operation error",
	[XP_WC_LOC_EEC_OP_ERR] = "local EE context operation error",
	[XP_WC_LOC_PROT_ERR] = "local protection error",
	[XP_WC_WR_FLUSH_ERR] = "Work Request Flushed Error",
	[XP_WC_MW_BIND_ERR] = "memory bind operation error",
	[XP_WC_BAD_RESP_ERR] = "bad response error",
	[XP_WC_LOC_ACCESS_ERR] = "local access error",
	[XP_WC_REM_INV_REQ_ERR] = "remote invalid request error",
	[XP_WC_REM_ACCESS_ERR] = "remote access error",
	[XP_WC_REM_OP_ERR] = "remote operation error",
	[XP_WC_RETRY_EXC_ERR] = "transport retry counter exceeded",
	[XP_WC_RNR_RETRY_EXC_ERR] = "RNR retry counter exceeded",
	[XP_WC_LOC_RDD_VIOL_ERR] = "local RDD violation error",
	[XP_WC_REM_INV_RD_REQ_ERR] = "remote invalid RD request",
	[XP_WC_REM_ABORT_ERR] = "aborted error",
	[XP_WC_INV_EECN_ERR] = "invalid EE context number",
	[XP_WC_INV_EEC_STATE_ERR] = "invalid EE context state",
	[XP_WC_FATAL_ERR] = "fatal error",
	[XP_WC_RESP_TIMEOUT_ERR] = "response timeout error",
	[XP_WC_GENERAL_ERR] = "general error",
	[XP_WC_TM_ERR] = "TM error",
	[XP_WC_TM_RNDV_INCOMPLETE] = "TM software rendezvous",
};

const char *xp_wc_status_str(enum xp_wc_status status)
{
	if ((unsigned int)status >= ARRAY_SIZE(wc_status_names))
		return "unknown";
	return wc_status_names[status];
}

static const struct {
	unsigned int bit;
	const char *name;
} access_names[] = {
	{ XP_ACCESS_LOCAL_WRITE, "LOCAL_WRITE" },
	{ XP_ACCESS_REMOTE_WRITE, "REMOTE_WRITE" },
	{ XP_ACCESS_REMOTE_READ, "REMOTE_READ" },
	{ XP_ACCESS_REMOTE_ATOMIC, "REMOTE_ATOMIC" },
	{ XP_ACCESS_MW_BIND, "MW_BIND" },
	{ XP_ACCESS_ZERO_BASED, "ZERO_BASED" },
	{ XP_ACCESS_ON_DEMAND, "ON_DEMAND" },
	{ XP_ACCESS_HUGETLB, "HUGETLB" },
	{ XP_ACCESS_FLUSH_GLOBAL, "FLUSH_GLOBAL" },
	{ XP_ACCESS_FLUSH_PERSISTENT, "FLUSH_PERSISTENT" },
	{ XP_ACCESS_RELAXED_ORDERING, "RELAXED_ORDERING" },
};

const char *xp_access_str(unsigned int access, char *buf, size_t size)
{
	unsigned int rest = access;
	size_t off = 0, i;
	int n;

	if (!size)
		return buf;
	buf[0] = '\0';
	if (!access) {
		snprintf(buf, size, "none");
		return buf;
	}
	for (i = 0; i < ARRAY_SIZE(access_names); i++) {
		if (!(access & access_names[i].bit))
			continue;
		rest &= ~access_names[i].bit;
		n = snprintf(buf + off, size - off, "%s%s", off ? "|" : "", access_names[i].name);
		if (n < 0 || (size_t)n >= size - off)
			return buf;
		off += n;
	}
	if (rest)
		snprintf(buf + off, size - off, "%s0x%x", off ? "|" : "", rest);
	return buf;
}
