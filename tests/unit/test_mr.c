// SPDX-License-Identifier: GPL-2.0
/*
 * Protection domains and memory regions (core/roce/rdma_mr.c): key layout and
 * index reuse, every lookup check at and around its boundary (key, state,
 * PD, rights, range, atomic alignment), fast registration, local and remote
 * invalidation, references, teardown, MRs of pages (out of order, across
 * page boundaries), DMA MRs, registration in two steps (prepare, commit,
 * discard), and the NAK / completion status each failure maps to. Every
 * case asserts an exact code.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if __has_include(<infiniband/verbs.h>)
#include <infiniband/verbs.h>
#define HAVE_IBVERBS 1
#endif

#include <xdpath/roce_hdr.h>

#include "xp_log.h"
#include "xp_mr.h"
#include "xp_test.h"

#define L 4096u /* length of most test MRs */
#define LW XP_ACCESS_LOCAL_WRITE
#define RW XP_ACCESS_REMOTE_WRITE
#define RR XP_ACCESS_REMOTE_READ
#define RA XP_ACCESS_REMOTE_ATOMIC
#define ALL (LW | RW | RR | RA)
#define GARBAGE ((void *)0x5a5a5a5a)
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static char last_msg[1024];
static int n_warn, n_debug;

static int capture_print(enum xp_print_level level, const char *fmt, va_list ap)
{
	if (level == XP_WARN) {
		n_warn++;
		vsnprintf(last_msg, sizeof(last_msg), fmt, ap);
	} else {
		n_debug++;
	}
	return 0;
}

static bool msg_has(const char *s)
{
	if (strstr(last_msg, s))
		return true;
	xt_note("last message: %s(wanted '%s')", last_msg, s);
	return false;
}

static struct xp_mr_table *table_new(__u32 max_mr)
{
	struct xp_mr_table_opts o = { .sz = sizeof(o), .max_mr = max_mr };

	return xp_mr_table_create(&o);
}

static unsigned char *buf_new(size_t len)
{
	unsigned char *p = aligned_alloc(4096, len);

	if (!p) {
		perror("aligned_alloc");
		exit(EXIT_FAILURE);
	}
	memset(p, 0, len);
	return p;
}

static struct xp_mr *reg_iova(struct xp_pd *pd, void *addr, size_t len, unsigned int access,
			      __u64 iova)
{
	struct xp_mr_reg_opts o = { .sz = sizeof(o), .iova = iova, .iova_set = true };

	return xp_mr_reg(pd, addr, len, access, &o);
}

/* ---- shared verbs values ---- */

static void test_verbs_values(void)
{
	static const struct {
		const char *name;
		unsigned int got, want;
	} access[] = {
		{ "LOCAL_WRITE", XP_ACCESS_LOCAL_WRITE, 1 },
		{ "REMOTE_WRITE", XP_ACCESS_REMOTE_WRITE, 2 },
		{ "REMOTE_READ", XP_ACCESS_REMOTE_READ, 4 },
		{ "REMOTE_ATOMIC", XP_ACCESS_REMOTE_ATOMIC, 8 },
		{ "MW_BIND", XP_ACCESS_MW_BIND, 16 },
		{ "ZERO_BASED", XP_ACCESS_ZERO_BASED, 32 },
		{ "ON_DEMAND", XP_ACCESS_ON_DEMAND, 64 },
		{ "HUGETLB", XP_ACCESS_HUGETLB, 128 },
		{ "FLUSH_GLOBAL", XP_ACCESS_FLUSH_GLOBAL, 256 },
		{ "FLUSH_PERSISTENT", XP_ACCESS_FLUSH_PERSISTENT, 512 },
		{ "RELAXED_ORDERING", XP_ACCESS_RELAXED_ORDERING, 1u << 20 },
		{ "OPTIONAL_RANGE", XP_ACCESS_OPTIONAL_RANGE, 0x3ff00000u },
	};
	static const struct {
		const char *name;
		enum xp_wc_status got;
		int want;
	} wc[] = {
		{ "SUCCESS", XP_WC_SUCCESS, 0 },
		{ "LOC_LEN_ERR", XP_WC_LOC_LEN_ERR, 1 },
		{ "LOC_QP_OP_ERR", XP_WC_LOC_QP_OP_ERR, 2 },
		{ "LOC_EEC_OP_ERR", XP_WC_LOC_EEC_OP_ERR, 3 },
		{ "LOC_PROT_ERR", XP_WC_LOC_PROT_ERR, 4 },
		{ "WR_FLUSH_ERR", XP_WC_WR_FLUSH_ERR, 5 },
		{ "MW_BIND_ERR", XP_WC_MW_BIND_ERR, 6 },
		{ "BAD_RESP_ERR", XP_WC_BAD_RESP_ERR, 7 },
		{ "LOC_ACCESS_ERR", XP_WC_LOC_ACCESS_ERR, 8 },
		{ "REM_INV_REQ_ERR", XP_WC_REM_INV_REQ_ERR, 9 },
		{ "REM_ACCESS_ERR", XP_WC_REM_ACCESS_ERR, 10 },
		{ "REM_OP_ERR", XP_WC_REM_OP_ERR, 11 },
		{ "RETRY_EXC_ERR", XP_WC_RETRY_EXC_ERR, 12 },
		{ "RNR_RETRY_EXC_ERR", XP_WC_RNR_RETRY_EXC_ERR, 13 },
		{ "LOC_RDD_VIOL_ERR", XP_WC_LOC_RDD_VIOL_ERR, 14 },
		{ "REM_INV_RD_REQ_ERR", XP_WC_REM_INV_RD_REQ_ERR, 15 },
		{ "REM_ABORT_ERR", XP_WC_REM_ABORT_ERR, 16 },
		{ "INV_EECN_ERR", XP_WC_INV_EECN_ERR, 17 },
		{ "INV_EEC_STATE_ERR", XP_WC_INV_EEC_STATE_ERR, 18 },
		{ "FATAL_ERR", XP_WC_FATAL_ERR, 19 },
		{ "RESP_TIMEOUT_ERR", XP_WC_RESP_TIMEOUT_ERR, 20 },
		{ "GENERAL_ERR", XP_WC_GENERAL_ERR, 21 },
		{ "TM_ERR", XP_WC_TM_ERR, 22 },
		{ "TM_RNDV_INCOMPLETE", XP_WC_TM_RNDV_INCOMPLETE, 23 },
	};
	char buf[XP_ACCESS_STR_MAX], tiny[8];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(access); i++)
		xt_check(access[i].got == access[i].want, "verbs: XP_ACCESS_%s is %#x",
			 access[i].name, access[i].want);
	for (i = 0; i < ARRAY_SIZE(wc); i++)
		xt_check((int)wc[i].got == wc[i].want, "verbs: XP_WC_%s is %d", wc[i].name,
			 wc[i].want);
#ifdef HAVE_IBVERBS
	{
		/* The header's own enums: a mismatch here breaks ported code. */
		static const struct {
			const char *name;
			unsigned int xp, ibv;
		} same[] = {
			{ "ACCESS_LOCAL_WRITE", XP_ACCESS_LOCAL_WRITE, IBV_ACCESS_LOCAL_WRITE },
			{ "ACCESS_REMOTE_WRITE", XP_ACCESS_REMOTE_WRITE, IBV_ACCESS_REMOTE_WRITE },
			{ "ACCESS_REMOTE_READ", XP_ACCESS_REMOTE_READ, IBV_ACCESS_REMOTE_READ },
			{ "ACCESS_REMOTE_ATOMIC", XP_ACCESS_REMOTE_ATOMIC,
			  IBV_ACCESS_REMOTE_ATOMIC },
			{ "ACCESS_MW_BIND", XP_ACCESS_MW_BIND, IBV_ACCESS_MW_BIND },
			{ "ACCESS_ZERO_BASED", XP_ACCESS_ZERO_BASED, IBV_ACCESS_ZERO_BASED },
			{ "ACCESS_ON_DEMAND", XP_ACCESS_ON_DEMAND, IBV_ACCESS_ON_DEMAND },
			{ "ACCESS_HUGETLB", XP_ACCESS_HUGETLB, IBV_ACCESS_HUGETLB },
			{ "ACCESS_RELAXED_ORDERING", XP_ACCESS_RELAXED_ORDERING,
			  IBV_ACCESS_RELAXED_ORDERING },
			{ "ACCESS_OPTIONAL_RANGE", XP_ACCESS_OPTIONAL_RANGE,
			  IBV_ACCESS_OPTIONAL_RANGE },
			{ "WC_LOC_QP_OP_ERR", XP_WC_LOC_QP_OP_ERR, IBV_WC_LOC_QP_OP_ERR },
			{ "WC_LOC_PROT_ERR", XP_WC_LOC_PROT_ERR, IBV_WC_LOC_PROT_ERR },
			{ "WC_MW_BIND_ERR", XP_WC_MW_BIND_ERR, IBV_WC_MW_BIND_ERR },
			{ "WC_REM_INV_REQ_ERR", XP_WC_REM_INV_REQ_ERR, IBV_WC_REM_INV_REQ_ERR },
			{ "WC_REM_ACCESS_ERR", XP_WC_REM_ACCESS_ERR, IBV_WC_REM_ACCESS_ERR },
			{ "WC_REM_OP_ERR", XP_WC_REM_OP_ERR, IBV_WC_REM_OP_ERR },
			{ "WC_GENERAL_ERR", XP_WC_GENERAL_ERR, IBV_WC_GENERAL_ERR },
			{ "WC_TM_RNDV_INCOMPLETE", XP_WC_TM_RNDV_INCOMPLETE,
			  IBV_WC_TM_RNDV_INCOMPLETE },
		};

		for (i = 0; i < ARRAY_SIZE(same); i++)
			xt_check(same[i].xp == same[i].ibv,
				 "verbs: XP_%s == <infiniband/verbs.h> IBV_%s", same[i].name,
				 same[i].name);
	}
#else
	xt_skip("verbs: <infiniband/verbs.h> not installed (libibverbs-dev); values checked against the table only");
#endif
	xt_check(!strcmp(xp_wc_status_str(XP_WC_REM_ACCESS_ERR), "remote access error") &&
			 !strcmp(xp_wc_status_str(XP_WC_LOC_PROT_ERR), "local protection error") &&
			 !strcmp(xp_wc_status_str(99), "unknown"),
		 "verbs: xp_wc_status_str() names codes, 'unknown' past the end");
	xt_check(!strcmp(xp_access_str(LW | RR, buf, sizeof(buf)), "LOCAL_WRITE|REMOTE_READ"),
		 "verbs: xp_access_str(LOCAL_WRITE|REMOTE_READ)");
	xt_check(!strcmp(xp_access_str(0, buf, sizeof(buf)), "none"), "verbs: xp_access_str(0)");
	xt_check(!strcmp(xp_access_str(LW | 0x8000, buf, sizeof(buf)), "LOCAL_WRITE|0x8000"),
		 "verbs: xp_access_str() shows unknown bits in hex");
	xp_access_str(~0u, buf, sizeof(buf));
	xt_check(strlen(buf) < sizeof(buf) && strstr(buf, "FLUSH_PERSISTENT|RELAXED_ORDERING|0x"),
		 "verbs: xp_access_str(all bits) fits XP_ACCESS_STR_MAX: %s", buf);
	xp_access_str(ALL, tiny, sizeof(tiny));
	xt_check(strlen(tiny) < sizeof(tiny), "verbs: xp_access_str() truncates to a small buffer");
}

/* ---- keys, table, index reuse ---- */

static void test_keys(void)
{
	xt_check(xp_key_make(0x123456, 0xab) == 0x123456ab, "key: index << 8 | key byte");
	xt_check(xp_key_index(0x123456ab) == 0x123456 && xp_key_byte(0x123456ab) == 0xab,
		 "key: index and key byte taken apart");
	xt_check(xp_key_inc(0x5ab) == 0x5ac && xp_key_inc(0x5ff) == 0x500 &&
			 xp_key_inc(0xffffffff) == 0xffffff00,
		 "key: xp_key_inc() wraps the key byte, keeps the index");
}

static void test_table_args(void)
{
	struct xp_mr_table_opts o = { .sz = sizeof(o) };
	struct {
		struct xp_mr_table_opts o;
		char extra[8];
	} big = { .o = { .sz = sizeof(big) } };
	struct xp_mr_table *t;

	t = xp_mr_table_create(NULL);
	xt_check(t && xp_mr_table_count(t) == 0, "table: NULL opts gives the defaults");
	xt_check(xp_mr_table_destroy(t) == 0, "table: destroy an empty table");
	o.max_mr = XP_MR_INDEX_LIMIT + 1;
	errno = 0;
	xt_check(!xp_mr_table_create(&o) && errno == EINVAL && msg_has("memory windows"),
		 "table: max_mr %u (over the MR index limit) refused", XP_MR_INDEX_LIMIT + 1);
	o.max_mr = XP_MR_INDEX_LIMIT;
	t = xp_mr_table_create(&o);
	xt_check(t != NULL, "table: max_mr %u accepted", XP_MR_INDEX_LIMIT);
	xp_mr_table_destroy(t);
	o.sz = 2;
	errno = 0;
	xt_check(!xp_mr_table_create(&o) && errno == EINVAL, "table: opts.sz 2 refused");
	big.extra[3] = 1;
	errno = 0;
	xt_check(!xp_mr_table_create(&big.o) && errno == EINVAL,
		 "table: unknown option bytes past the struct refused");
	big.extra[3] = 0;
	t = xp_mr_table_create(&big.o);
	xt_check(t != NULL, "table: a larger struct with zero tail accepted");
	xp_mr_table_destroy(t);
	xt_check(xp_mr_table_destroy(NULL) == 0, "table: destroy(NULL) is a no-op");
	errno = 0;
	xt_check(!xp_pd_alloc(NULL) && errno == EINVAL, "pd: alloc on a NULL table refused");
	xt_check(xp_pd_free(NULL) == -EINVAL, "pd: free(NULL) refused");
}

static void test_index_reuse(void)
{
	struct xp_mr_table *t = table_new(4);
	struct xp_pd *pd = xp_pd_alloc(t);
	unsigned char *buf = buf_new(L);
	struct xp_mr *mr[4], *m;
	__u32 old1, old3, i;
	bool ok = true;

	for (i = 0; i < 4; i++) {
		mr[i] = xp_mr_reg(pd, buf, L, ALL, NULL);
		ok &= mr[i] && xp_key_index(xp_mr_lkey(mr[i])) == i + 1 &&
		      xp_mr_rkey(mr[i]) == xp_mr_lkey(mr[i]);
	}
	xt_check(ok, "index: first MRs get indexes 1, 2, 3, 4 and rkey == lkey");
	xt_check(xp_mr_table_count(t) == 4, "index: table counts 4 MRs");
	errno = 0;
	xt_check(!xp_mr_reg(pd, buf, L, ALL, NULL) && errno == ENOSPC && msg_has("max_mr"),
		 "index: fifth MR in a table of 4 refused with ENOSPC");
	errno = 0;
	xt_check(!xp_mr_alloc_fast(pd, L) && errno == ENOSPC,
		 "index: fast-reg MR in a full table refused with ENOSPC");

	/* Free 3 then 1: they come back oldest first, each with the next key byte. */
	old3 = xp_mr_lkey(mr[2]);
	old1 = xp_mr_lkey(mr[0]);
	xp_mr_dereg(mr[2]);
	xp_mr_dereg(mr[0]);
	mr[2] = xp_mr_reg(pd, buf, L, ALL, NULL);
	mr[0] = xp_mr_reg(pd, buf, L, ALL, NULL);
	xt_check(mr[2] && xp_key_index(xp_mr_lkey(mr[2])) == 3 && mr[0] &&
			 xp_key_index(xp_mr_lkey(mr[0])) == 1,
		 "index: freed indexes reused oldest first (3, then 1)");
	xt_check(xp_mr_lkey(mr[2]) == xp_key_inc(old3) && xp_mr_lkey(mr[0]) == xp_key_inc(old1),
		 "index: a reused index gets the next key byte (0x%x -> 0x%x)", old3,
		 xp_mr_lkey(mr[2]));
	xt_check(xp_mr_lookup_remote(pd, old3, (uintptr_t)buf, 1, RR, NULL, NULL) ==
				 XP_MR_BAD_KEY &&
			 xp_mr_lookup_local(pd, old1, (uintptr_t)buf, 1, 0, NULL, NULL) ==
				 XP_MR_BAD_KEY,
		 "index: the previous owner's key is refused after reuse");
	for (i = 0; i < 4; i++)
		xp_mr_dereg(mr[i]);

	/* With room to spare, a freed index is not handed out again at once. */
	xp_pd_free(pd);
	xp_mr_table_destroy(t);
	t = table_new(8);
	pd = xp_pd_alloc(t);
	m = xp_mr_reg(pd, buf, L, ALL, NULL);
	old1 = xp_mr_lkey(m);
	xp_mr_dereg(m);
	m = xp_mr_reg(pd, buf, L, ALL, NULL);
	xt_check(xp_key_index(old1) == 1 && m && xp_key_index(xp_mr_lkey(m)) == 2,
		 "index: freed index 1 not reused immediately (next MR got %u)",
		 m ? xp_key_index(xp_mr_lkey(m)) : 0);
	xt_check(xp_mr_lookup_remote(pd, old1, (uintptr_t)buf, 1, RR, NULL, NULL) == XP_MR_BAD_KEY,
		 "index: key of a deregistered MR refused (empty slot)");
	xp_mr_dereg(m);
	/* Indexes 3..8, then 1 again. */
	for (i = 3; i <= 8; i++)
		xp_mr_dereg(xp_mr_reg(pd, buf, L, ALL, NULL));
	m = xp_mr_reg(pd, buf, L, ALL, NULL);
	xt_check(m && xp_mr_lkey(m) == xp_key_inc(old1),
		 "index: after a full cycle index 1 returns with the next key byte");
	xp_mr_dereg(m);
	xp_pd_free(pd);
	xt_check(xp_mr_table_destroy(t) == 0, "index: table empty again");
	free(buf);
}

/* ---- registration arguments ---- */

static void test_reg_args(void)
{
	struct xp_mr_table *t = table_new(64);
	struct xp_pd *pd = xp_pd_alloc(t);
	unsigned char *buf = buf_new(L);
	void *wrap_addr = (void *)(UINTPTR_MAX - 15);
	struct {
		struct xp_mr_reg_opts o;
		char extra[8];
	} big = { .o = { .sz = sizeof(big) } };
	const struct {
		const char *name;
		bool no_pd;
		void *addr;
		size_t len;
		unsigned int access;
		bool iova_set;
		__u64 iova;
		int err;
		const char *msg;
	} cases[] = {
		{ "NULL pd", true, buf, L, LW, false, 0, EINVAL, "pd is NULL" },
		{ "NULL addr", false, NULL, L, LW, false, 0, EINVAL, "addr is NULL" },
		{ "length 0", false, buf, 0, LW, false, 0, EINVAL, "length 0" },
		{ "host range wraps", false, wrap_addr, 32, LW, false, 0, EINVAL, "wraps" },
		{ "iova range passes 2^64", false, buf, 32, LW, true, UINT64_MAX - 15, EINVAL,
		  "2^64" },
		{ "unknown access bit 0x8000", false, buf, L, LW | 0x8000, false, 0, EINVAL,
		  "unknown bits 0x8000" },
		{ "MW_BIND", false, buf, L, LW | XP_ACCESS_MW_BIND, false, 0, EOPNOTSUPP,
		  "MW_BIND" },
		{ "ZERO_BASED", false, buf, L, XP_ACCESS_ZERO_BASED, false, 0, EOPNOTSUPP,
		  "ZERO_BASED" },
		{ "ON_DEMAND", false, buf, L, XP_ACCESS_ON_DEMAND, false, 0, EOPNOTSUPP,
		  "ON_DEMAND" },
		{ "FLUSH_GLOBAL", false, buf, L, XP_ACCESS_FLUSH_GLOBAL, false, 0, EOPNOTSUPP,
		  "FLUSH_GLOBAL" },
		{ "REMOTE_WRITE without LOCAL_WRITE", false, buf, L, RW, false, 0, EINVAL,
		  "add XP_ACCESS_LOCAL_WRITE" },
		{ "REMOTE_ATOMIC without LOCAL_WRITE", false, buf, L, RA | RR, false, 0, EINVAL,
		  "REMOTE_READ|REMOTE_ATOMIC grants" },
		{ "REMOTE_READ|WRITE|ATOMIC without LOCAL_WRITE", false, buf, L, RW | RR | RA,
		  false, 0, EINVAL, "without LOCAL_WRITE" },
	};
	struct xp_mr_reg_opts o = { .sz = sizeof(o) };
	struct xp_mr *mr;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		last_msg[0] = '\0';
		o.iova_set = cases[i].iova_set;
		o.iova = cases[i].iova;
		errno = 0;
		mr = xp_mr_reg(cases[i].no_pd ? NULL : pd, cases[i].addr, cases[i].len,
			       cases[i].access, &o);
		xt_check(!mr && errno == cases[i].err && msg_has(cases[i].msg),
			 "reg: %s refused with %s", cases[i].name, strerror(cases[i].err));
	}
	xt_check(xp_mr_table_count(t) == 0, "reg: refused registrations left no MR behind");

	big.extra[0] = 1;
	errno = 0;
	xt_check(!xp_mr_reg(pd, buf, L, LW, &big.o) && errno == EINVAL,
		 "reg: unknown option bytes refused");

	mr = xp_mr_reg(pd, buf, L, LW | RR | XP_ACCESS_RELAXED_ORDERING | (1u << 25), NULL);
	xt_check(mr && xp_mr_access(mr) == (LW | RR),
		 "reg: optional access bits accepted and ignored");
	xp_mr_dereg(mr);
	mr = xp_mr_reg(pd, buf, L, XP_ACCESS_HUGETLB, NULL);
	xt_check(mr && xp_mr_access(mr) == 0, "reg: HUGETLB accepted as a hint");
	xp_mr_dereg(mr);
	mr = xp_mr_reg(pd, buf, L, 0, NULL);
	xt_check(mr && xp_mr_state(mr) == XP_MR_STATE_VALID && xp_mr_type(mr) == XP_MR_TYPE_USER &&
			 xp_mr_iova(mr) == (uintptr_t)buf && xp_mr_length(mr) == L &&
			 xp_mr_addr(mr) == buf && xp_mr_pd(mr) == pd,
		 "reg: access 0 (local read only); iova defaults to the address");
	xp_mr_dereg(mr);
	mr = reg_iova(pd, buf, L, LW, 0);
	xt_check(mr && xp_mr_iova(mr) == 0, "reg: explicit iova 0 (zero-based) honoured");
	xp_mr_dereg(mr);
	mr = reg_iova(pd, buf, L, LW, 0ULL - L);
	xt_check(mr && xp_mr_iova(mr) == 0ULL - L,
		 "reg: iova range ending exactly at 2^64 accepted");
	xp_mr_dereg(mr);
	o.sz = sizeof(size_t); /* a caller built before iova existed */
	o.iova_set = true;
	o.iova = 0x1000;
	mr = xp_mr_reg(pd, buf, L, LW, &o);
	xt_check(mr && xp_mr_iova(mr) == (uintptr_t)buf,
		 "reg: a short opts struct does not read iova past its sz");
	xp_mr_dereg(mr);
	xp_pd_free(pd);
	xp_mr_table_destroy(t);
	free(buf);
}

/* ---- lookups: key, state, PD ---- */

static void test_lookup_keys(void)
{
	struct xp_mr_table *t = table_new(16);
	struct xp_pd *pd = xp_pd_alloc(t), *pd2 = xp_pd_alloc(t);
	unsigned char *buf = buf_new(L);
	struct xp_mr *mr = xp_mr_reg(pd, buf, L, ALL, NULL);
	struct xp_mr *fmr = xp_mr_alloc_fast(pd, L);
	__u32 key = xp_mr_lkey(mr), idx = xp_key_index(key);
	__u64 va = (uintptr_t)buf;
	const struct {
		const char *name;
		__u32 key;
		int which_pd; /* 0: the MR's, 1: another, 2: NULL */
		enum xp_mr_err want;
	} cases[] = {
		{ "right key", key, 0, XP_MR_OK },
		{ "index 0", xp_key_make(0, xp_key_byte(key)), 0, XP_MR_BAD_KEY },
		{ "index max_mr + 1", xp_key_make(17, xp_key_byte(key)), 0, XP_MR_BAD_KEY },
		{ "index 2^24 - 1", xp_key_make(XP_KEY_INDEX_MAX, xp_key_byte(key)), 0,
		  XP_MR_BAD_KEY },
		{ "unused index", xp_key_make(idx + 5, xp_key_byte(key)), 0, XP_MR_BAD_KEY },
		{ "key byte + 1", xp_key_inc(key), 0, XP_MR_BAD_KEY },
		{ "key byte ^ 0x80", key ^ 0x80, 0, XP_MR_BAD_KEY },
		{ "another PD", key, 1, XP_MR_BAD_PD },
		{ "NULL PD", key, 2, XP_MR_BAD_PD },
		{ "fast-reg MR not registered (FREE)", xp_mr_lkey(fmr), 0, XP_MR_NOT_VALID },
		{ "fast-reg MR FREE, from another PD", xp_mr_lkey(fmr), 1, XP_MR_NOT_VALID },
	};
	struct xp_pd *pds[] = { pd, pd2, NULL };
	__u64 bad_key = 0, not_valid = 0;
	enum xp_mr_err err;
	struct xp_mr *ref;
	void *p;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		p = GARBAGE;
		err = xp_mr_lookup_local(pds[cases[i].which_pd], cases[i].key, va + 8, 8, LW, &p,
					 NULL);
		xt_check(err == cases[i].want &&
				 p == (cases[i].want == XP_MR_OK ? (void *)(buf + 8) : NULL),
			 "lookup local: %s -> %s", cases[i].name, xp_mr_err_str(cases[i].want));
		if (err != cases[i].want)
			xt_note("got %s", xp_mr_err_str(err));
		p = GARBAGE;
		ref = GARBAGE;
		err = xp_mr_lookup_remote(pds[cases[i].which_pd], cases[i].key, va + 8, 8, RW, &p,
					  &ref);
		xt_check(err == cases[i].want &&
				 p == (cases[i].want == XP_MR_OK ? (void *)(buf + 8) : NULL) &&
				 ref == (cases[i].want == XP_MR_OK ? mr : NULL),
			 "lookup remote: %s -> %s", cases[i].name, xp_mr_err_str(cases[i].want));
		if (ref && ref != GARBAGE)
			xp_mr_put(ref);
		bad_key += 2 * (cases[i].want == XP_MR_BAD_KEY);
		not_valid += 2 * (cases[i].want == XP_MR_NOT_VALID);
	}
	xt_check(xp_mr_lookup_local(pd, key, va, 1, 0, NULL, NULL) == XP_MR_OK,
		 "lookup: ptr and mrp may be NULL");
	xt_check(xp_mr_table_errors(t, XP_MR_BAD_KEY) == bad_key &&
			 xp_mr_table_errors(t, XP_MR_NOT_VALID) == not_valid &&
			 xp_mr_table_errors(t, XP_MR_OK) == 0 &&
			 xp_mr_table_errors(t, XP_MR_ERR__MAX) == 0,
		 "lookup: failures counted per reason (%llu bad key, %llu not valid)",
		 (unsigned long long)bad_key, (unsigned long long)not_valid);
	xt_check(xp_mr_table_errors(t, XP_MR_BAD_PD) == 2,
		 "lookup: a NULL PD is not counted (no table), another PD is");
	xp_mr_dereg(fmr);
	xp_mr_dereg(mr);
	xp_pd_free(pd2);
	xp_pd_free(pd);
	xp_mr_table_destroy(t);
	free(buf);
}

/* ---- lookups: rights ---- */

enum op_kind { OP_LOCAL, OP_REMOTE, OP_ATOMIC };

static enum xp_mr_err do_op(enum op_kind kind, struct xp_pd *pd, __u32 key, __u64 iova, __u64 len,
			    unsigned int need, void **p)
{
	switch (kind) {
	case OP_LOCAL:
		return xp_mr_lookup_local(pd, key, iova, len, need, p, NULL);
	case OP_REMOTE:
		return xp_mr_lookup_remote(pd, key, iova, len, need, p, NULL);
	default:
		return xp_mr_lookup_atomic(pd, key, iova, need, p, NULL);
	}
}

static void test_access_rights(void)
{
	static const unsigned int granted[] = { 0,	 LW, LW | RR,	   LW | RW,
						LW | RA, RR, LW | RW | RR, ALL };
	static const struct {
		const char *name;
		enum op_kind kind;
		unsigned int need;
	} ops[] = {
		{ "local read", OP_LOCAL, 0 },
		{ "local write", OP_LOCAL, LW },
		{ "remote read", OP_REMOTE, RR },
		{ "remote write", OP_REMOTE, RW },
		{ "remote read+write", OP_REMOTE, RR | RW },
		{ "remote atomic", OP_ATOMIC, RA },
		{ "atomic write (needs REMOTE_WRITE)", OP_ATOMIC, RW },
		{ "remote, no right named", OP_REMOTE, 0 },
	};
	struct xp_mr_table *t = table_new(16);
	struct xp_pd *pd = xp_pd_alloc(t);
	unsigned char *buf = buf_new(L);
	char gbuf[XP_ACCESS_STR_MAX];
	enum xp_mr_err err, want;
	struct xp_mr *mr;
	size_t g, o;
	bool ok;
	void *p;

	for (g = 0; g < ARRAY_SIZE(granted); g++) {
		mr = xp_mr_reg(pd, buf, L, granted[g], NULL);
		if (!mr) {
			xt_fail("rights: register with %s",
				xp_access_str(granted[g], gbuf, sizeof(gbuf)));
			continue;
		}
		for (o = 0; o < ARRAY_SIZE(ops); o++) {
			ok = (granted[g] & ops[o].need) == ops[o].need &&
			     (ops[o].kind == OP_LOCAL || ops[o].need);
			want = ok ? XP_MR_OK : XP_MR_NO_ACCESS;
			err = do_op(ops[o].kind, pd, xp_mr_lkey(mr), (uintptr_t)buf + 16, 8,
				    ops[o].need, &p);
			xt_check(err == want && (!ok || p == buf + 16),
				 "rights: %s on MR with %s -> %s", ops[o].name,
				 xp_access_str(granted[g], gbuf, sizeof(gbuf)),
				 xp_mr_err_str(want));
		}
		xp_mr_dereg(mr);
	}
	xp_pd_free(pd);
	xp_mr_table_destroy(t);
	free(buf);
}

/* ---- lookups: range, at and around every boundary ---- */

static void test_range(void)
{
	const __u64 I = 0x10000, T = 0ULL - L;
	const struct {
		const char *name;
		int which; /* 0: MR at iova I, 1: at T (top of the iova space), 2: at 0 */
		__u64 iova, len;
		enum xp_mr_err want;
	} cases[] = {
		{ "start - 1, len 1", 0, I - 1, 1, XP_MR_OUT_OF_RANGE },
		{ "start - 1, len 2 (straddles the start)", 0, I - 1, 2, XP_MR_OUT_OF_RANGE },
		{ "start, len 1", 0, I, 1, XP_MR_OK },
		{ "start, whole MR", 0, I, L, XP_MR_OK },
		{ "start, len + 1", 0, I, L + 1, XP_MR_OUT_OF_RANGE },
		{ "last byte", 0, I + L - 1, 1, XP_MR_OK },
		{ "last byte, len 2", 0, I + L - 1, 2, XP_MR_OUT_OF_RANGE },
		{ "end, len 1", 0, I + L, 1, XP_MR_OUT_OF_RANGE },
		{ "middle to the end", 0, I + 100, L - 100, XP_MR_OK },
		{ "middle, one past the end", 0, I + 100, L - 99, XP_MR_OUT_OF_RANGE },
		{ "start, len 2^64 - 1", 0, I, UINT64_MAX, XP_MR_OUT_OF_RANGE },
		{ "last byte, len 2^64 - 1 (end wraps below start)", 0, I + L - 1, UINT64_MAX,
		  XP_MR_OUT_OF_RANGE },
		{ "middle, len 2^64 - 99 (end wraps into the MR)", 0, I + 100, 0ULL - 99,
		  XP_MR_OUT_OF_RANGE },
		{ "iova 2^64 - 1, len 1", 0, UINT64_MAX, 1, XP_MR_OUT_OF_RANGE },
		{ "iova 2^64 - 1, len 2 (wraps to 0)", 0, UINT64_MAX, 2, XP_MR_OUT_OF_RANGE },
		{ "iova 0, ends inside", 0, 0, I + 1, XP_MR_OUT_OF_RANGE },
		{ "len 0 at the start", 0, I, 0, XP_MR_OK },
		{ "len 0 far outside", 0, 5, 0, XP_MR_OK },
		{ "top: whole MR", 1, T, L, XP_MR_OK },
		{ "top: last byte (2^64 - 1)", 1, UINT64_MAX, 1, XP_MR_OK },
		{ "top: last 8 bytes", 1, UINT64_MAX - 7, 8, XP_MR_OK },
		{ "top: last 8 bytes, len 9", 1, UINT64_MAX - 7, 9, XP_MR_OUT_OF_RANGE },
		{ "top: start, len + 1", 1, T, L + 1, XP_MR_OUT_OF_RANGE },
		{ "top: start - 1", 1, T - 1, 1, XP_MR_OUT_OF_RANGE },
		{ "top: start, len 2^64 - 1", 1, T, UINT64_MAX, XP_MR_OUT_OF_RANGE },
		{ "zero: iova 0, len 1", 2, 0, 1, XP_MR_OK },
		{ "zero: last byte", 2, L - 1, 1, XP_MR_OK },
		{ "zero: end, len 1", 2, L, 1, XP_MR_OUT_OF_RANGE },
		{ "zero: iova 2^64 - 1, len 2 (wraps to 1)", 2, UINT64_MAX, 2, XP_MR_OUT_OF_RANGE },
	};
	struct xp_mr_table *t = table_new(16);
	struct xp_pd *pd = xp_pd_alloc(t);
	unsigned char *buf = buf_new(3 * L);
	struct xp_mr *mr[3];
	__u64 base[3] = { I, T, 0 };
	enum xp_mr_err err;
	void *p, *want_p;
	size_t i, w;

	for (w = 0; w < 3; w++)
		mr[w] = reg_iova(pd, buf + w * L, L, ALL, base[w]);
	if (!mr[0] || !mr[1] || !mr[2]) {
		xt_fail("range: register the three MRs");
		return;
	}
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		w = cases[i].which;
		want_p = cases[i].want != XP_MR_OK || !cases[i].len ?
				 NULL :
				 buf + w * L + (cases[i].iova - base[w]);
		p = GARBAGE;
		err = xp_mr_lookup_local(pd, xp_mr_lkey(mr[w]), cases[i].iova, cases[i].len, LW, &p,
					 NULL);
		xt_check(err == cases[i].want && p == want_p, "range local: %s -> %s",
			 cases[i].name, xp_mr_err_str(cases[i].want));
		p = GARBAGE;
		err = xp_mr_lookup_remote(pd, xp_mr_rkey(mr[w]), cases[i].iova, cases[i].len, RW,
					  &p, NULL);
		xt_check(err == cases[i].want && p == want_p, "range remote: %s -> %s",
			 cases[i].name, xp_mr_err_str(cases[i].want));
	}

	/* Zero-length transfers skip every check (rxe, IBTA C9-88). */
	{
		struct xp_mr *ref = GARBAGE;

		p = GARBAGE;
		xt_check(
			xp_mr_lookup_remote(pd, 0xdeadbe00, 12345, 0, RR, &p, &ref) == XP_MR_OK &&
				p == NULL && ref == NULL,
			"range: zero-length remote access with a bogus rkey passes, no pointer, no ref");
		xt_check(xp_mr_lookup_remote(NULL, 0, 0, 0, 0, NULL, NULL) == XP_MR_OK,
			 "range: zero-length remote access needs no PD and no rights");
		xt_check(xp_mr_lookup_local(pd, 0, 0, 0, LW, NULL, NULL) == XP_MR_OK,
			 "range: zero-length SGE is not looked up");
	}
	for (w = 0; w < 3; w++)
		xp_mr_dereg(mr[w]);
	xp_pd_free(pd);
	xp_mr_table_destroy(t);
	free(buf);
}

/* ---- atomics: alignment ---- */

static void test_atomic(void)
{
	struct xp_mr_table *t = table_new(16);
	struct xp_pd *pd = xp_pd_alloc(t);
	unsigned char *buf = buf_new(2 * L);
	struct xp_mr *mr = xp_mr_reg(pd, buf, L, ALL, NULL);
	struct xp_mr *host_odd = reg_iova(pd, buf + 4, 64, ALL, 0x1000);
	struct xp_mr *iova_odd = reg_iova(pd, buf, 64, ALL, 0x1004);
	struct xp_mr *no_atomic = xp_mr_reg(pd, buf, L, LW | RW | RR, NULL);
	__u64 va = (uintptr_t)buf;
	const struct {
		const char *name;
		struct xp_mr *mr;
		__u64 iova;
		unsigned int need;
		enum xp_mr_err want;
	} cases[] = {
		{ "aligned start", mr, va, RA, XP_MR_OK },
		{ "aligned +8", mr, va + 8, RA, XP_MR_OK },
		{ "+1", mr, va + 1, RA, XP_MR_MISALIGNED },
		{ "+2", mr, va + 2, RA, XP_MR_MISALIGNED },
		{ "+3", mr, va + 3, RA, XP_MR_MISALIGNED },
		{ "+4", mr, va + 4, RA, XP_MR_MISALIGNED },
		{ "+5", mr, va + 5, RA, XP_MR_MISALIGNED },
		{ "+6", mr, va + 6, RA, XP_MR_MISALIGNED },
		{ "+7", mr, va + 7, RA, XP_MR_MISALIGNED },
		{ "last 8 bytes", mr, va + L - 8, RA, XP_MR_OK },
		{ "last 4 bytes (range checked before alignment)", mr, va + L - 4, RA,
		  XP_MR_OUT_OF_RANGE },
		{ "end", mr, va + L, RA, XP_MR_OUT_OF_RANGE },
		{ "start - 8", mr, va - 8, RA, XP_MR_OUT_OF_RANGE },
		{ "atomic write, aligned", mr, va + 16, RW, XP_MR_OK },
		{ "atomic write, misaligned", mr, va + 17, RW, XP_MR_MISALIGNED },
		{ "no REMOTE_ATOMIC, aligned", no_atomic, va, RA, XP_MR_NO_ACCESS },
		{ "no REMOTE_ATOMIC, misaligned (rights checked first)", no_atomic, va + 3, RA,
		  XP_MR_NO_ACCESS },
		{ "iova aligned, host address not", host_odd, 0x1000, RA, XP_MR_MISALIGNED },
		{ "iova not aligned, host address aligned", host_odd, 0x1004, RA,
		  XP_MR_MISALIGNED },
		{ "iova not aligned, host aligned (other MR)", iova_odd, 0x1004, RA,
		  XP_MR_MISALIGNED },
		{ "iova aligned, host not (other MR)", iova_odd, 0x1008, RA, XP_MR_MISALIGNED },
	};
	enum xp_mr_err err;
	struct xp_mr *ref;
	size_t i;
	void *p;

	if (!mr || !host_odd || !iova_odd || !no_atomic) {
		xt_fail("atomic: register the MRs");
		return;
	}
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		p = GARBAGE;
		ref = GARBAGE;
		err = xp_mr_lookup_atomic(pd, xp_mr_rkey(cases[i].mr), cases[i].iova, cases[i].need,
					  &p, &ref);
		xt_check(err == cases[i].want &&
				 (err ? p == NULL && ref == NULL :
					p == (unsigned char *)xp_mr_addr(cases[i].mr) +
								  (cases[i].iova -
								   xp_mr_iova(cases[i].mr)) &&
						  ref == cases[i].mr),
			 "atomic: %s -> %s", cases[i].name, xp_mr_err_str(cases[i].want));
		if (err != cases[i].want)
			xt_note("got %s", xp_mr_err_str(err));
		if (!err)
			xp_mr_put(ref);
	}
	xt_check(xp_mr_err_nak(XP_MR_MISALIGNED) == XP_NAK_INVALID_REQUEST &&
			 xp_mr_err_wc_remote(XP_MR_MISALIGNED) == XP_WC_REM_INV_REQ_ERR,
		 "atomic: misaligned -> NAK Invalid Request, requester REM_INV_REQ_ERR");
	xp_mr_dereg(no_atomic);
	xp_mr_dereg(iova_odd);
	xp_mr_dereg(host_odd);
	xp_mr_dereg(mr);
	xp_pd_free(pd);
	xp_mr_table_destroy(t);
	free(buf);
}

/* ---- fast registration ---- */

static bool unchanged(struct xp_mr *mr, __u32 key, enum xp_mr_state st)
{
	return xp_mr_lkey(mr) == key && xp_mr_rkey(mr) == key && xp_mr_state(mr) == st;
}

static void test_fast_reg(void)
{
	struct xp_mr_table *t = table_new(16);
	struct xp_pd *pd = xp_pd_alloc(t), *pd2 = xp_pd_alloc(t);
	unsigned char *buf = buf_new(4 * L);
	struct xp_mr *umr = xp_mr_reg(pd, buf, L, ALL, NULL);
	struct xp_mr *fmr = xp_mr_alloc_fast(pd, 2 * L);
	__u32 k0 = fmr ? xp_mr_lkey(fmr) : 0, idx = xp_key_index(k0), k1 = xp_key_inc(k0);
	const __u64 I = 0x200000;
	const struct xp_mr_fast_reg good = {
		.key = k1, .iova = I, .addr = buf, .length = L, .access = LW | RR
	};
	struct {
		const char *name;
		int which_pd; /* 0: the MR's, 1: another, 2: NULL */
		bool user_mr;
		struct xp_mr_fast_reg fr;
		int err;
		const char *msg;
	} cases[] = {
		{ "on a user MR", 0, true, good, -EOPNOTSUPP, "user MR" },
		{ "from a QP of another PD", 1, false, good, -EACCES, "own PD" },
		{ "NULL qp_pd", 2, false, good, -EINVAL, "qp_pd is NULL" },
		{ "key with another index", 0, false, good, -EINVAL, "only the low 8 bits" },
		{ "key with index 0", 0, false, good, -EINVAL, "index 0x0" },
		{ "length over max_len", 0, false, good, -EINVAL, "max_len" },
		{ "length 0", 0, false, good, -EINVAL, "length 0" },
		{ "addr NULL", 0, false, good, -EINVAL, "addr is NULL" },
		{ "iova range passes 2^64", 0, false, good, -EINVAL, "2^64" },
		{ "REMOTE_WRITE without LOCAL_WRITE", 0, false, good, -EINVAL, "LOCAL_WRITE" },
		{ "MW_BIND access", 0, false, good, -EOPNOTSUPP, "MW_BIND" },
		{ "unknown access bit", 0, false, good, -EINVAL, "unknown bits" },
	};
	struct xp_pd *pds[] = { pd, pd2, NULL };
	struct xp_mr_fast_reg fr;
	enum xp_mr_err err;
	size_t i;
	void *p;

	if (!umr || !fmr) {
		xt_fail("fast-reg: set up the MRs");
		return;
	}
	cases[3].fr.key = xp_key_make(idx + 1, xp_key_byte(k1));
	cases[4].fr.key = xp_key_byte(k1);
	cases[5].fr.length = 2 * L + 1;
	cases[6].fr.length = 0;
	cases[7].fr.addr = NULL;
	cases[8].fr.iova = UINT64_MAX - 15;
	cases[9].fr.access = RW;
	cases[10].fr.access = LW | XP_ACCESS_MW_BIND;
	cases[11].fr.access = LW | (1u << 12);
	cases[0].fr.key = xp_key_inc(xp_mr_lkey(umr));

	xt_check(xp_mr_type(fmr) == XP_MR_TYPE_FAST && xp_mr_state(fmr) == XP_MR_STATE_FREE &&
			 xp_mr_rkey(fmr) == k0 && idx != 0 && xp_mr_access(fmr) == 0,
		 "fast-reg: new MR is FREE, has an index, rkey == lkey, no rights");
	xt_check(xp_mr_lookup_local(pd, k0, 0, 1, 0, NULL, NULL) == XP_MR_NOT_VALID &&
			 xp_mr_lookup_remote(pd, k0, 0, 1, RR, NULL, NULL) == XP_MR_NOT_VALID,
		 "fast-reg: no access before the first registration");
	errno = 0;
	xt_check(!xp_mr_alloc_fast(pd, 0) && errno == EINVAL && msg_has("max_len 0"),
		 "fast-reg: alloc with max_len 0 refused");
	errno = 0;
	xt_check(!xp_mr_alloc_fast(NULL, L) && errno == EINVAL,
		 "fast-reg: alloc with NULL pd refused");

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		struct xp_mr *m = cases[i].user_mr ? umr : fmr;
		__u32 before = xp_mr_lkey(m);
		enum xp_mr_state st = xp_mr_state(m);
		int ret;

		last_msg[0] = '\0';
		ret = xp_mr_fast_reg(pds[cases[i].which_pd], m, &cases[i].fr);
		xt_check(ret == cases[i].err && unchanged(m, before, st) && msg_has(cases[i].msg),
			 "fast-reg: %s refused with %d, MR unchanged", cases[i].name, cases[i].err);
		if (ret != cases[i].err)
			xt_note("got %d", ret);
	}
	xt_check(xp_mr_fast_reg(pd, NULL, &good) == -EINVAL &&
			 xp_mr_fast_reg(pd, fmr, NULL) == -EINVAL,
		 "fast-reg: NULL mr or request refused");

	xt_check(xp_mr_fast_reg(pd, fmr, &good) == 0, "fast-reg: register with a new key byte");
	xt_check(unchanged(fmr, k1, XP_MR_STATE_VALID) && xp_mr_iova(fmr) == I &&
			 xp_mr_length(fmr) == L && xp_mr_addr(fmr) == buf &&
			 xp_mr_access(fmr) == (LW | RR),
		 "fast-reg: VALID with lkey = rkey = 0x%x and the new range and rights", k1);
	xt_check(xp_mr_lookup_remote(pd, k0, I, 8, RR, NULL, NULL) == XP_MR_BAD_KEY &&
			 xp_mr_lookup_local(pd, k0, I, 8, 0, NULL, NULL) == XP_MR_BAD_KEY,
		 "fast-reg: the old key is refused");
	p = NULL;
	err = xp_mr_lookup_remote(pd, k1, I + 8, 16, RR, &p, NULL);
	xt_check(err == XP_MR_OK && p == buf + 8, "fast-reg: remote read through the new key");
	xt_check(xp_mr_lookup_remote(pd, k1, I, 8, RW, NULL, NULL) == XP_MR_NO_ACCESS,
		 "fast-reg: rights applied (remote write not granted)");
	xt_check(xp_mr_lookup_remote(pd, k1, I + L, 1, RR, NULL, NULL) == XP_MR_OUT_OF_RANGE &&
			 xp_mr_lookup_remote(pd, k1, I - 1, 1, RR, NULL, NULL) ==
				 XP_MR_OUT_OF_RANGE,
		 "fast-reg: range applied");
	fr = good;
	fr.key = xp_key_inc(k1);
	last_msg[0] = '\0';
	xt_check(xp_mr_fast_reg(pd, fmr, &fr) == -EBUSY && unchanged(fmr, k1, XP_MR_STATE_VALID) &&
			 msg_has("invalidate it"),
		 "fast-reg: a VALID MR refuses a new registration (-EBUSY)");

	/* After invalidation: full max_len, key byte wrapping 0xff -> 0x00. */
	xp_mr_invalidate_local(pd, k1);
	fr = good;
	fr.key = xp_key_make(idx, 0xff);
	fr.length = 2 * L;
	fr.access = ALL;
	xt_check(xp_mr_fast_reg(pd, fmr, &fr) == 0 && xp_mr_lkey(fmr) == xp_key_make(idx, 0xff),
		 "fast-reg: length == max_len and key byte 0xff accepted");
	xp_mr_invalidate_local(pd, fr.key);
	fr.key = xp_key_inc(fr.key);
	xt_check(xp_mr_fast_reg(pd, fmr, &fr) == 0 && xp_mr_lkey(fmr) == xp_key_make(idx, 0x00),
		 "fast-reg: key byte wraps to 0x00 with the same index");
	xp_mr_invalidate_local(pd, fr.key);
	xt_check(xp_mr_fast_reg(pd, fmr, &fr) == 0,
		 "fast-reg: re-registering with the unchanged key is allowed (as in rxe)");
	xt_check(xp_mr_dereg(fmr) == 0, "fast-reg: a VALID fast-reg MR can be deregistered");
	xp_mr_dereg(umr);
	xp_pd_free(pd2);
	xp_pd_free(pd);
	xp_mr_table_destroy(t);
	free(buf);
}

/* ---- invalidation ---- */

static void test_invalidate(void)
{
	struct xp_mr_table *t = table_new(16);
	struct xp_pd *pd = xp_pd_alloc(t), *pd2 = xp_pd_alloc(t);
	unsigned char *buf = buf_new(L);
	struct xp_mr *umr = xp_mr_reg(pd, buf, L, ALL, NULL);
	struct xp_mr *fmr = xp_mr_alloc_fast(pd, L);
	__u32 k0 = xp_mr_lkey(fmr), idx = xp_key_index(k0), k1 = xp_key_inc(k0);
	struct xp_mr_fast_reg fr = {
		.key = k1, .iova = 0x1000, .addr = buf, .length = L, .access = ALL
	};
	int warn_before, dbg_before;

	xt_check(xp_mr_invalidate_local(pd, k0) == 0 && xp_mr_state(fmr) == XP_MR_STATE_FREE,
		 "invalidate: a never-registered (FREE) MR may be invalidated");
	xp_mr_fast_reg(pd, fmr, &fr);

	/* Local invalidation: every refusal leaves the MR VALID. */
	xt_check(xp_mr_invalidate_local(pd, k0) == -EKEYREJECTED &&
			 xp_mr_state(fmr) == XP_MR_STATE_VALID && msg_has("stale"),
		 "invalidate local: stale key refused (-EKEYREJECTED)");
	xt_check(xp_mr_invalidate_local(pd2, k1) == -EACCES &&
			 xp_mr_state(fmr) == XP_MR_STATE_VALID,
		 "invalidate local: from a QP of another PD refused (-EACCES)");
	xt_check(xp_mr_invalidate_local(pd, xp_key_make(idx + 3, 0)) == -ENOENT &&
			 xp_mr_invalidate_local(pd, xp_key_byte(k1)) == -ENOENT &&
			 xp_mr_invalidate_local(pd, xp_key_make(17, 0)) == -ENOENT,
		 "invalidate local: unused index, index 0, index past max_mr refused (-ENOENT)");
	xt_check(xp_mr_invalidate_local(NULL, k1) == -EINVAL, "invalidate local: NULL pd refused");
	xt_check(xp_mr_invalidate_local(pd, xp_mr_lkey(umr)) == -EOPNOTSUPP &&
			 xp_mr_lookup_remote(pd, xp_mr_rkey(umr), (uintptr_t)buf, 8, RW, NULL,
					     NULL) == XP_MR_OK &&
			 msg_has("user MR"),
		 "invalidate local: a user MR refused (-EOPNOTSUPP) and still usable");
	xt_check(xp_mr_invalidate_local(pd, k1) == 0 && xp_mr_state(fmr) == XP_MR_STATE_FREE,
		 "invalidate local: right key -> FREE");
	xt_check(xp_mr_lookup_local(pd, k1, 0x1000, 8, 0, NULL, NULL) == XP_MR_NOT_VALID &&
			 xp_mr_lookup_remote(pd, k1, 0x1000, 8, RR, NULL, NULL) == XP_MR_NOT_VALID,
		 "invalidate local: lookups through the key now fail (not valid)");
	xt_check(xp_mr_invalidate_local(pd, k1) == 0,
		 "invalidate local: again on a FREE MR is allowed");

	/* Remote invalidation (SEND_WITH_INV): same rules, failures only at debug level. */
	fr.key = xp_key_inc(k1);
	xp_mr_fast_reg(pd, fmr, &fr);
	warn_before = n_warn;
	dbg_before = n_debug;
	xt_check(xp_mr_invalidate_remote(pd, k1) == -EKEYREJECTED &&
			 xp_mr_state(fmr) == XP_MR_STATE_VALID,
		 "invalidate remote: stale rkey refused (-EKEYREJECTED)");
	xt_check(xp_mr_invalidate_remote(pd, xp_mr_rkey(umr)) == -EOPNOTSUPP,
		 "invalidate remote: a user MR refused (-EOPNOTSUPP)");
	xt_check(xp_mr_invalidate_remote(pd2, fr.key) == -EACCES,
		 "invalidate remote: rkey of another PD's MR refused (-EACCES)");
	xt_check(xp_mr_invalidate_remote(pd, xp_key_make(idx + 3, 0)) == -ENOENT,
		 "invalidate remote: unused index refused (-ENOENT)");
	xt_check(n_warn == warn_before && n_debug == dbg_before + 4,
		 "invalidate remote: a peer's failed invalidations log at debug level only");
	xt_check(xp_mr_invalidate_remote(pd, fr.key) == 0 && xp_mr_state(fmr) == XP_MR_STATE_FREE,
		 "invalidate remote: fast-reg MR -> FREE");
	xt_check(xp_mr_lookup_remote(pd, fr.key, 0x1000, 8, RW, NULL, NULL) == XP_MR_NOT_VALID,
		 "invalidate remote: the rkey no longer works");
	fr.key = xp_key_inc(fr.key);
	xt_check(xp_mr_fast_reg(pd, fmr, &fr) == 0 &&
			 xp_mr_lookup_remote(pd, fr.key, 0x1000, 8, RW, NULL, NULL) == XP_MR_OK,
		 "invalidate remote: the MR can be registered again afterwards");

	/* Status codes for the work requests and receives that failed. */
	xt_check(xp_mr_wr_wc_status(-EKEYREJECTED) == XP_WC_LOC_QP_OP_ERR &&
			 xp_mr_wr_wc_status(-EBUSY) == XP_WC_LOC_QP_OP_ERR &&
			 xp_mr_wr_wc_status(0) == XP_WC_SUCCESS,
		 "invalidate: failed LOCAL_INV / REG_MR complete with LOC_QP_OP_ERR");
	xt_check(xp_mr_send_inv_wc_status(-EOPNOTSUPP) == XP_WC_REM_INV_REQ_ERR &&
			 xp_mr_send_inv_wc_status(0) == XP_WC_SUCCESS,
		 "invalidate: failed SEND_WITH_INV completes the receive with REM_INV_REQ_ERR");
	xp_mr_dereg(fmr);
	xp_mr_dereg(umr);
	xp_pd_free(pd2);
	xp_pd_free(pd);
	xp_mr_table_destroy(t);
	free(buf);
}

/* ---- references and teardown ---- */

static void test_refs(void)
{
	struct xp_mr_table *t = table_new(16);
	struct xp_pd *pd = xp_pd_alloc(t);
	unsigned char *buf = buf_new(L);
	struct xp_mr *mr = xp_mr_reg(pd, buf, L, ALL, NULL), *ref = NULL;
	__u32 key = xp_mr_rkey(mr);
	__u64 va = (uintptr_t)buf;
	int warn_before;

	xt_check(xp_mr_lookup_remote(pd, key, va, 8, RR, NULL, &ref) == XP_MR_OK && ref == mr,
		 "refs: a lookup with mrp returns the MR");
	last_msg[0] = '\0';
	xt_check(xp_mr_dereg(mr) == -EBUSY && msg_has("referenced 1 times"),
		 "refs: dereg while referenced refused (-EBUSY)");
	xt_check(xp_mr_lookup_remote(pd, key, va, 8, RR, NULL, NULL) == XP_MR_OK,
		 "refs: the MR still works after the refused dereg");
	xp_mr_get(mr);
	xp_mr_put(ref);
	xt_check(xp_mr_dereg(mr) == -EBUSY, "refs: xp_mr_get() also holds it");
	xp_mr_put(mr);
	warn_before = n_warn;
	xp_mr_put(mr);
	xt_check(n_warn == warn_before + 1 && msg_has("no reference"),
		 "refs: a put without a get warns and does not underflow");
	ref = GARBAGE;
	xt_check(xp_mr_lookup_remote(pd, key, va, 0, RR, NULL, &ref) == XP_MR_OK && ref == NULL,
		 "refs: a zero-length lookup takes no reference");
	ref = GARBAGE;
	xt_check(xp_mr_lookup_remote(pd, key, va + L, 8, RR, NULL, &ref) == XP_MR_OUT_OF_RANGE &&
			 ref == NULL,
		 "refs: a failed lookup takes no reference");

	last_msg[0] = '\0';
	xt_check(xp_pd_free(pd) == -EBUSY && msg_has("still used by 1"),
		 "teardown: PD free while an MR uses it refused (-EBUSY)");
	xt_check(xp_mr_table_destroy(t) == -EBUSY && msg_has("1 PDs and 1 MRs"),
		 "teardown: table destroy with a PD and an MR left refused (-EBUSY)");
	xt_check(xp_mr_dereg(mr) == 0 && xp_mr_table_count(t) == 0,
		 "teardown: dereg once the references are dropped");
	xt_check(xp_mr_dereg(NULL) == -EINVAL, "teardown: dereg(NULL) refused");
	xp_pd_get(pd);
	xt_check(xp_pd_free(pd) == -EBUSY, "teardown: a PD held by another user (a QP) stays");
	xp_pd_put(pd);
	warn_before = n_warn;
	xp_pd_put(pd);
	xt_check(n_warn == warn_before + 1, "teardown: PD put without a get warns");
	xt_check(xp_pd_table(pd) == t && xp_pd_table(NULL) == NULL, "teardown: xp_pd_table()");
	xt_check(xp_pd_free(pd) == 0, "teardown: PD freed once unused");
	xt_check(xp_mr_table_destroy(t) == 0, "teardown: table destroyed once empty");
	free(buf);
}

/* ---- NAK and completion status for each failure ---- */

static void test_mapping(void)
{
	static const struct {
		enum xp_mr_err err;
		int nak;
		enum xp_wc_status wc_remote, wc_local;
		int recv_nak;
	} map[] = {
		{ XP_MR_OK, -EINVAL, XP_WC_SUCCESS, XP_WC_SUCCESS, -EINVAL },
		{ XP_MR_BAD_KEY, XP_NAK_REMOTE_ACCESS_ERROR, XP_WC_REM_ACCESS_ERR,
		  XP_WC_LOC_PROT_ERR, XP_NAK_REMOTE_OP_ERROR },
		{ XP_MR_NOT_VALID, XP_NAK_REMOTE_ACCESS_ERROR, XP_WC_REM_ACCESS_ERR,
		  XP_WC_LOC_PROT_ERR, XP_NAK_REMOTE_OP_ERROR },
		{ XP_MR_BAD_PD, XP_NAK_REMOTE_ACCESS_ERROR, XP_WC_REM_ACCESS_ERR,
		  XP_WC_LOC_PROT_ERR, XP_NAK_REMOTE_OP_ERROR },
		{ XP_MR_NO_ACCESS, XP_NAK_REMOTE_ACCESS_ERROR, XP_WC_REM_ACCESS_ERR,
		  XP_WC_LOC_PROT_ERR, XP_NAK_REMOTE_OP_ERROR },
		{ XP_MR_OUT_OF_RANGE, XP_NAK_REMOTE_ACCESS_ERROR, XP_WC_REM_ACCESS_ERR,
		  XP_WC_LOC_PROT_ERR, XP_NAK_REMOTE_OP_ERROR },
		{ XP_MR_MISALIGNED, XP_NAK_INVALID_REQUEST, XP_WC_REM_INV_REQ_ERR,
		  XP_WC_LOC_PROT_ERR, XP_NAK_REMOTE_OP_ERROR },
		{ XP_MR_ERR__MAX, -EINVAL, XP_WC_GENERAL_ERR, XP_WC_GENERAL_ERR, -EINVAL },
		{ 99, -EINVAL, XP_WC_GENERAL_ERR, XP_WC_GENERAL_ERR, -EINVAL },
	};
	size_t i, j;
	bool distinct = true;

	for (i = 0; i < ARRAY_SIZE(map); i++) {
		enum xp_mr_err e = map[i].err;

		xt_check(xp_mr_err_nak(e) == map[i].nak &&
				 xp_mr_err_wc_remote(e) == map[i].wc_remote &&
				 xp_mr_err_wc_local(e) == map[i].wc_local &&
				 xp_mr_err_recv_nak(e) == map[i].recv_nak,
			 "map: %s (%d) -> NAK %d, requester %s, local %s, receive NAK %d",
			 xp_mr_err_str(e), e, map[i].nak, xp_wc_status_str(map[i].wc_remote),
			 xp_wc_status_str(map[i].wc_local), map[i].recv_nak);
	}
	for (i = 0; i < XP_MR_ERR__MAX; i++)
		for (j = i + 1; j < XP_MR_ERR__MAX; j++)
			distinct &= strcmp(xp_mr_err_str(i), xp_mr_err_str(j)) != 0;
	xt_check(distinct && !strcmp(xp_mr_err_str(XP_MR_ERR__MAX), "unknown"),
		 "map: every reason has its own name");
	xt_check(XP_MR_OK == 0 && XP_MR_BAD_KEY == 1 && XP_MR_NOT_VALID == 2 && XP_MR_BAD_PD == 3 &&
			 XP_MR_NO_ACCESS == 4 && XP_MR_OUT_OF_RANGE == 5 && XP_MR_MISALIGNED == 6,
		 "map: reason codes keep their numbers");
}

/* ---- MRs of pages ---- */

#define NPG 4

/* Four separate pages, handed to the MR out of order: page[i] = pg[order[i]]. */
struct paged {
	unsigned char *pg[NPG];
	void *page[NPG];
};

static void paged_new(struct paged *m)
{
	static const int order[NPG] = { 2, 0, 3, 1 };
	int i;

	for (i = 0; i < NPG; i++) {
		m->pg[i] = buf_new(L);
		memset(m->pg[i], 0x10 * (i + 1), L);
	}
	for (i = 0; i < NPG; i++)
		m->page[i] = m->pg[order[i]];
}

static void paged_free(struct paged *m)
{
	int i;

	for (i = 0; i < NPG; i++)
		free(m->pg[i]);
}

/* Byte k of the region (from offset off in page[0]) as the pages hold it. */
static unsigned char paged_byte(const struct paged *m, __u32 off, __u64 k)
{
	__u64 at = off + k;

	return ((unsigned char *)m->page[at / L])[at % L];
}

static struct xp_mr *reg_pages(struct xp_pd *pd, const struct xp_mr_pages *pg, size_t len,
			       __u64 iova, bool iova_set, void *addr)
{
	struct xp_mr_reg_opts o = {
		.sz = sizeof(o), .iova = iova, .iova_set = iova_set, .pages = pg
	};

	return xp_mr_reg(pd, addr, len, ALL, &o);
}

static void test_pages(void)
{
	struct xp_mr_table *t = table_new(16);
	struct xp_pd *pd = xp_pd_alloc(t);
	const __u64 I = 0x10000;
	const __u32 OFF = 96, LEN = NPG * L - OFF - 50;
	unsigned char *want = buf_new(NPG * L), *got = buf_new(NPG * L), *dumb = buf_new(L);
	struct paged m;
	struct xp_mr_pages pg, bad;
	struct xp_mr *mr, *ref;
	void *misaligned[NPG], *with_null[NPG], *p;
	enum xp_mr_err err;
	__u64 k;
	bool ok;
	struct {
		const char *name;
		struct xp_mr_pages pg;
		size_t len;
		bool iova_set;
		void *addr;
		const char *msg;
	} refuse[] = {
		{ "addr and pages both", {}, LEN, true, dumb, "not both" },
		{ "no iova", {}, LEN, false, NULL, "iova_set" },
		{ "no pages", { .npages = 0 }, LEN, true, NULL, "empty" },
		{ "page_shift 11", { .page_shift = 11 }, LEN, true, NULL, "page_shift 11" },
		{ "page_shift 31", { .page_shift = 31 }, LEN, true, NULL, "page_shift 31" },
		{ "offset past the first page", { .offset = L }, LEN, true, NULL, "first page" },
		{ "a misaligned page", { .page = misaligned }, LEN, true, NULL, "not aligned" },
		{ "a NULL page", { .page = with_null }, LEN, true, NULL, "NULL" },
		{ "longer than the pages", {}, NPG * L - OFF + 1, true, NULL, "does not fit" },
		{ "length 0", {}, 0, true, NULL, "does not fit" },
	};
	size_t i;

	paged_new(&m);
	pg = (struct xp_mr_pages){ .page = m.page, .npages = NPG, .page_shift = 12, .offset = OFF };
	memcpy(misaligned, m.page, sizeof(misaligned));
	misaligned[2] = (unsigned char *)misaligned[2] + 8;
	memcpy(with_null, m.page, sizeof(with_null));
	with_null[3] = NULL;

	for (i = 0; i < ARRAY_SIZE(refuse); i++) {
		bad = pg;
		if (refuse[i].pg.page)
			bad.page = refuse[i].pg.page;
		if (!strcmp(refuse[i].name, "no pages"))
			bad.npages = 0;
		if (refuse[i].pg.page_shift)
			bad.page_shift = refuse[i].pg.page_shift;
		if (refuse[i].pg.offset)
			bad.offset = refuse[i].pg.offset;
		errno = 0;
		mr = reg_pages(pd, &bad, refuse[i].len, I, refuse[i].iova_set, refuse[i].addr);
		xt_check(!mr && errno == EINVAL && msg_has(refuse[i].msg),
			 "pages: %s refused with EINVAL (errno %d)", refuse[i].name, errno);
	}
	xt_check(xp_mr_table_count(t) == 0, "pages: refusals left no MR behind");

	mr = reg_pages(pd, &pg, LEN, I, true, NULL);
	xt_check(mr && !xp_mr_addr(mr) && xp_mr_length(mr) == LEN && xp_mr_iova(mr) == I,
		 "pages: 4 pages out of order, offset %u, %u bytes at iova 0x%llx", OFF, LEN,
		 (unsigned long long)I);
	if (!mr)
		goto out;
	/* The list is the MR's own: changing the caller's afterwards changes nothing. */
	with_null[0] = NULL;

	err = xp_mr_lookup_remote(pd, xp_mr_rkey(mr), I, LEN, RR, &p, &ref);
	xt_check(err == XP_MR_OK && !p && ref == mr,
		 "pages: lookup of the whole region passes, no single host address");
	if (ref)
		xp_mr_put(ref);
	err = xp_mr_lookup_remote(pd, xp_mr_rkey(mr), I + 1, LEN, RR, &p, NULL);
	xt_check(err == XP_MR_OUT_OF_RANGE, "pages: one byte past the end is out of range");
	err = xp_mr_lookup_remote(pd, xp_mr_rkey(mr), I + (L - OFF), 16, RW, &p, NULL);
	xt_check(err == XP_MR_OK && p == m.page[1],
		 "pages: a range inside page 1 has its host address (start of page[1])");
	err = xp_mr_lookup_remote(pd, xp_mr_rkey(mr), I + (L - OFF) - 1, 2, RW, &p, NULL);
	xt_check(err == XP_MR_OK && !p, "pages: a range across pages 0 and 1 has none");

	for (k = 0; k < LEN; k++)
		want[k] = paged_byte(&m, OFF, k);
	xp_mr_read(mr, I, got, LEN);
	xt_check(!memcmp(got, want, LEN), "pages: xp_mr_read of the region follows the page list");
	xp_mr_read(mr, I + L - OFF - 3, got, 7);
	xt_check(!memcmp(got, want + L - OFF - 3, 7),
		 "pages: a 7-byte read across a page boundary");

	for (k = 0; k < LEN; k++)
		want[k] = (unsigned char)(k * 7 + 3);
	xp_mr_write(mr, I, want, LEN);
	ok = true;
	for (k = 0; k < LEN; k++)
		ok &= paged_byte(&m, OFF, k) == want[k];
	ok &= m.pg[2][OFF - 1] == 0x30 && m.pg[1][OFF + LEN - 3 * L] == 0x20;
	xt_check(ok,
		 "pages: xp_mr_write lands in each page in list order, nothing before or after");

	/* Atomics: an aligned target is always inside one page. */
	k = (L - OFF) + 2 * L + 8; /* page[3], byte 8 */
	err = xp_mr_lookup_atomic(pd, xp_mr_rkey(mr), I + k, RA, &p, NULL);
	xt_check(err == XP_MR_OK && p == (unsigned char *)m.page[3] + 8,
		 "pages: an atomic target's host address is in its page");
	err = xp_mr_lookup_atomic(pd, xp_mr_rkey(mr), I + k + 4, RA, &p, NULL);
	xt_check(err == XP_MR_MISALIGNED && !p, "pages: a misaligned atomic target is refused");
	xt_check(!xp_mr_dereg(mr), "pages: deregistered (ASan: its list freed)");

	/* Fast registration of pages, then of an address, then refused both. */
	mr = xp_mr_alloc_fast(pd, NPG * L);
	if (mr) {
		struct xp_mr_fast_reg fr = { .key = xp_key_inc(xp_mr_lkey(mr)),
					     .iova = I,
					     .pages = &pg,
					     .length = LEN,
					     .access = LW | RR };
		int e = xp_mr_fast_reg(pd, mr, &fr);

		xt_check(!e && xp_mr_state(mr) == XP_MR_STATE_VALID && !xp_mr_addr(mr),
			 "pages: fast-reg of a page list (%d)", e);
		xp_mr_read(mr, I, got, LEN);
		xt_check(!memcmp(got, want, LEN), "pages: a fast-reg MR of pages reads its pages");
		xt_check(!xp_mr_invalidate_local(pd, fr.key), "pages: invalidated");
		fr.key = xp_key_inc(fr.key);
		fr.pages = &pg;
		fr.addr = dumb;
		e = xp_mr_fast_reg(pd, mr, &fr);
		xt_check(e == -EINVAL && msg_has("not both"), "pages: fast-reg with both refused");
		fr.pages = NULL;
		fr.length = L;
		e = xp_mr_fast_reg(pd, mr, &fr);
		memset(dumb, 0x77, L);
		err = xp_mr_lookup_local(pd, fr.key, I, L, 0, &p, NULL);
		xt_check(!e && err == XP_MR_OK && p == dumb,
			 "pages: the same MR registered by address again is contiguous");
		xt_check(!xp_mr_dereg(mr), "pages: fast-reg MR deregistered");
	}
out:
	xt_check(!xp_pd_free(pd) && !xp_mr_table_destroy(t), "pages: teardown");
	paged_free(&m);
	free(want);
	free(got);
	free(dumb);
}

/* ---- DMA MRs and two-step registration ---- */

static void test_dma(void)
{
	struct xp_mr_table *t = table_new(2);
	struct xp_pd *pd = xp_pd_alloc(t), *other = xp_pd_alloc(t);
	unsigned char *buf = buf_new(L), *b2 = buf_new(L);
	struct xp_mr *mr, *got = NULL;
	void *ptr = NULL;
	__u64 at = (uintptr_t)buf;

	errno = 0;
	xt_check(!xp_mr_reg_dma(pd, LW | RR) && errno == EINVAL && msg_has("no remote access"),
		 "dma: remote rights refused with EINVAL");
	errno = 0;
	xt_check(!xp_mr_reg_dma(pd, LW | XP_ACCESS_ZERO_BASED) && errno == EOPNOTSUPP,
		 "dma: unsupported access bits refused as for xp_mr_reg()");
	errno = 0;
	xt_check(!xp_mr_reg_dma(NULL, LW) && errno == EINVAL, "dma: NULL pd refused");
	mr = xp_mr_reg_dma(pd, LW);
	xt_check(mr && xp_mr_type(mr) == XP_MR_TYPE_DMA && xp_mr_iova(mr) == 0 &&
			 xp_mr_length(mr) == UINT64_MAX && xp_mr_state(mr) == XP_MR_STATE_VALID,
		 "dma: an MR of the whole address space, iova 0, valid");
	if (!mr)
		goto out;
	xt_check(xp_mr_lookup_local(pd, xp_mr_lkey(mr), at + 100, 200, LW, &ptr, &got) ==
				 XP_MR_OK &&
			 ptr == buf + 100 && got == mr,
		 "dma: a local lookup maps iova to the same address");
	if (got) {
		memset(b2, 0xa5, 64);
		xp_mr_write(got, at + 8, b2, 64);
		xp_mr_read(got, at, b2 + 100, 80);
		xt_check(buf[8] == 0xa5 && buf[71] == 0xa5 && !buf[72] && b2[108] == 0xa5,
			 "dma: xp_mr_write()/xp_mr_read() reach the addresses themselves");
		xp_mr_put(got);
	}
	xt_check(xp_mr_lookup_remote(pd, xp_mr_rkey(mr), at, 8, RR, NULL, NULL) ==
				 XP_MR_NO_ACCESS &&
			 xp_mr_lookup_atomic(pd, xp_mr_rkey(mr), at, RA, NULL, NULL) ==
				 XP_MR_NO_ACCESS,
		 "dma: its rkey opens nothing to a peer (no remote rights)");
	xt_check(xp_mr_lookup_local(other, xp_mr_lkey(mr), at, 8, LW, NULL, NULL) == XP_MR_BAD_PD,
		 "dma: another PD's SGE cannot use it");
	xt_check(xp_mr_lookup_local(pd, xp_mr_lkey(mr), UINT64_MAX, 1, 0, NULL, NULL) ==
			 XP_MR_OUT_OF_RANGE,
		 "dma: the last address (no byte after it) is outside");
	xt_check(xp_mr_invalidate_local(pd, xp_mr_lkey(mr)) != 0 &&
			 xp_mr_lookup_local(pd, xp_mr_lkey(mr), at, 8, LW, NULL, NULL) == XP_MR_OK,
		 "dma: LOCAL_INV of a DMA MR refused, the MR stays valid");
	xt_check(xp_mr_dereg(mr) == 0, "dma: deregistered");
out:
	xp_pd_free(other);
	xp_pd_free(pd);
	xt_check(xp_mr_table_destroy(t) == 0, "dma: table empty again");
	free(buf);
	free(b2);
}

static void test_two_step(void)
{
	struct xp_mr_table *t = table_new(1);
	struct xp_pd *pd = xp_pd_prepare(t);
	unsigned char *buf = buf_new(L);
	struct xp_mr *a, *b, *f;

	xt_check(pd && xp_pd_free(pd) == 0 && xp_mr_table_destroy(t) == 0,
		 "two-step: a prepared PD frees without ever counting");
	t = table_new(1);
	pd = xp_pd_prepare(t);
	xp_pd_commit(pd);
	xt_check(xp_mr_table_destroy(t) == -EBUSY, "two-step: a committed PD holds the table");
	a = xp_mr_prepare(pd, buf, L, ALL, NULL);
	b = xp_mr_prepare_dma(pd, LW);
	f = xp_mr_prepare_fast(pd, L);
	xt_check(a && b && f && !xp_mr_lkey(a) && xp_mr_table_count(t) == 0,
		 "two-step: prepared MRs have no key and are not in the table");
	xt_check(xp_mr_lookup_local(pd, 0, (uintptr_t)buf, 1, 0, NULL, NULL) == XP_MR_BAD_KEY,
		 "two-step: nothing reaches a prepared MR");
	xt_check(xp_mr_dereg(a) == -EINVAL && msg_has("never committed"),
		 "two-step: dereg of an uncommitted MR refused");
	xt_check(xp_mr_commit(a) == 0 && xp_mr_lkey(a) && xp_mr_table_count(t) == 1 &&
			 xp_mr_lookup_local(pd, xp_mr_lkey(a), (uintptr_t)buf, L, LW, NULL, NULL) ==
				 XP_MR_OK,
		 "two-step: a committed MR has a key and is found");
	xt_check(xp_mr_commit(a) == -EINVAL && msg_has("already"),
		 "two-step: committing twice refused");
	xt_check(xp_mr_commit(b) == -ENOSPC && !xp_mr_lkey(b),
		 "two-step: a commit into a full table fails with ENOSPC, the MR stays prepared");
	xp_mr_discard(a);
	xt_check(msg_has("deregister it") && xp_mr_table_count(t) == 1,
		 "two-step: discarding a committed MR refused");
	xp_mr_discard(b);
	xt_check(xp_mr_reserve_pages(f, 8) == 0 && xp_mr_reserve_pages(f, 4) == 0,
		 "two-step: room for 8 pages reserved in a prepared fast-reg MR");
	xt_check(xp_mr_reserve_pages(f, 0) == -EINVAL &&
			 xp_mr_reserve_pages(f, XP_MR_MAX_PAGES + 1) == -EINVAL &&
			 xp_mr_reserve_pages(a, 4) == -EINVAL && msg_has("only a fast-reg MR") &&
			 xp_mr_reserve_pages(NULL, 4) == -EINVAL,
		 "two-step: reserving 0 or too many pages, in a user MR or NULL, refused");
	xp_mr_discard(f);
	xp_mr_discard(NULL);
	xt_check(xp_mr_dereg(a) == 0 && xp_mr_table_count(t) == 0, "two-step: dereg after commit");
	xt_check(xp_pd_free(pd) == 0 && xp_mr_table_destroy(t) == 0,
		 "two-step: PD and table freed; the discarded MRs held nothing");
	free(buf);
}

int main(void)
{
	xp_set_print(capture_print);
	test_verbs_values();
	test_keys();
	test_table_args();
	test_index_reuse();
	test_reg_args();
	test_lookup_keys();
	test_access_rights();
	test_range();
	test_atomic();
	test_fast_reg();
	test_invalidate();
	test_refs();
	test_mapping();
	test_pages();
	test_dma();
	test_two_step();
	return xt_summary();
}
