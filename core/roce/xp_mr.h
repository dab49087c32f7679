/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Protection domains and memory regions, modelled on Linux rdma_rxe
 * (rxe_mr.c, rxe_pool.c). See docs/rdma-mr.md.
 *
 * A key (lkey or rkey) is a 24-bit index and an 8-bit key byte:
 *
 *   key = index << 8 | key byte
 *
 * The index names a slot in the MR table (1..max_mr, never 0); the key byte
 * changes every time a slot is given a new registration, and a fast-reg MR's
 * owner may choose it at each registration. A lookup succeeds only when the
 * slot holds a VALID MR whose current key equals the key given, whose PD is
 * the caller's, which grants every right asked for, and which covers the
 * whole range [iova, iova + len). As in rxe, rkey == lkey.
 *
 * Threading: a table and everything in it (PDs, MRs) belong to one thread
 * at a time; callers that share one across threads serialise all calls on
 * it. Reference counts are plain integers for that reason.
 */
#ifndef XP_MR_H
#define XP_MR_H

#include "xp_types.h"

#include "xp_verbs.h"

/* Key composition. */
#define XP_KEY_BYTE_BITS 8
#define XP_KEY_BYTE_MASK 0xffu
#define XP_KEY_INDEX_MAX 0xffffffu /* 24 bits */

static inline __u32 xp_key_index(__u32 key)
{
	return key >> XP_KEY_BYTE_BITS;
}

static inline __u8 xp_key_byte(__u32 key)
{
	return key & XP_KEY_BYTE_MASK;
}

static inline __u32 xp_key_make(__u32 index, __u8 key_byte)
{
	return index << XP_KEY_BYTE_BITS | key_byte;
}

/* Next key byte, same index (ib_inc_rkey()): what a fast-reg owner uses. */
static inline __u32 xp_key_inc(__u32 key)
{
	return (key & ~XP_KEY_BYTE_MASK) | ((key + 1) & XP_KEY_BYTE_MASK);
}

/*
 * MR indexes run 1..max_mr. Like rxe, indexes above XP_MR_INDEX_LIMIT are
 * left free for memory windows, so a key's index alone says which it is.
 */
#define XP_MR_INDEX_LIMIT 0x40000u
#define XP_MR_DEFAULT_MAX 4096u

struct xp_mr_table;
struct xp_pd;
struct xp_mr;

/* ---- table: the key space of one RDMA context ---- */

struct xp_mr_table_opts {
	size_t sz;
	__u32 max_mr; /* MR slots (default XP_MR_DEFAULT_MAX, at most XP_MR_INDEX_LIMIT) */
	size_t : 0;
};

/* NULL with errno on failure. */
struct xp_mr_table *xp_mr_table_create(const struct xp_mr_table_opts *opts);

/* -EBUSY (and nothing freed) while PDs or MRs remain; NULL is a no-op. */
int xp_mr_table_destroy(struct xp_mr_table *table);

/* MRs currently registered (user and fast-reg, any state). */
__u32 xp_mr_table_count(const struct xp_mr_table *table);

/* ---- protection domains ---- */

/* NULL with errno on failure. */
struct xp_pd *xp_pd_alloc(struct xp_mr_table *table);
/*
 * The same in two steps, for a host that runs the core under a spinlock
 * (kmod/rxe): xp_pd_prepare() allocates and may sleep, xp_pd_commit()
 * (under the host's lock) makes the PD count. Free it, committed or not,
 * with xp_pd_free().
 */
struct xp_pd *xp_pd_prepare(struct xp_mr_table *table);
void xp_pd_commit(struct xp_pd *pd);

/* -EBUSY while anything (an MR, later a QP) still uses the PD. */
int xp_pd_free(struct xp_pd *pd);

/* For objects that name a PD (QPs, MWs): a PD with users cannot be freed. */
void xp_pd_get(struct xp_pd *pd);
void xp_pd_put(struct xp_pd *pd);

struct xp_mr_table *xp_pd_table(const struct xp_pd *pd);

/* ---- memory regions ---- */

enum xp_mr_type {
	XP_MR_TYPE_USER, /* xp_mr_reg(): fixed range and rights until dereg */
	XP_MR_TYPE_FAST, /* xp_mr_alloc_fast(): (re)bound by xp_mr_fast_reg() */
	XP_MR_TYPE_DMA, /* xp_mr_reg_dma(): every address, local access only */
};

enum xp_mr_state {
	XP_MR_STATE_FREE, /* fast-reg MR not registered, or invalidated */
	XP_MR_STATE_VALID, /* usable within its range and rights */
};

/*
 * A region's memory as a list of pages, as rxe's MRs are (a kernel host's
 * user MRs from pinned pages, fast-reg MRs from map_mr_sg): page[i] is the
 * host address of the i-th page, 1 << page_shift bytes and aligned to that;
 * the region starts offset bytes into page[0]. The pages need not be
 * adjacent or in order. The MR keeps its own copy of the list.
 */
struct xp_mr_pages {
	void *const *page;
	__u32 npages;
	__u32 page_shift; /* XP_MR_PAGE_SHIFT_MIN .. XP_MR_PAGE_SHIFT_MAX */
	__u32 offset; /* below 1 << page_shift */
};

#define XP_MR_PAGE_SHIFT_MIN 12
#define XP_MR_PAGE_SHIFT_MAX 30

struct xp_mr_reg_opts {
	size_t sz;
	__u64 iova; /* address peers and SGEs use for addr[0] ... */
	bool iova_set; /* ... when set; else iova = (uintptr_t)addr */
	/* The memory as pages; addr is then NULL and iova_set required. */
	const struct xp_mr_pages *pages;
	size_t : 0;
};

/*
 * Register [addr, addr + length) with access rights XP_ACCESS_*
 * (ibv_reg_mr / ibv_reg_mr_iova). Refused with EINVAL: NULL pd or addr,
 * length 0, a range that wraps the address space (host or iova), unknown
 * access bits, REMOTE_WRITE or REMOTE_ATOMIC without LOCAL_WRITE, opts->pages
 * with addr or without iova_set, a page list that is empty, has a NULL or
 * misaligned page, a page_shift or offset out of range, or is shorter than
 * offset + length; with
 * EOPNOTSUPP: MW_BIND, ZERO_BASED, ON_DEMAND, FLUSH_*; with ENOSPC: no free
 * index. Optional access bits (XP_ACCESS_OPTIONAL_RANGE) and HUGETLB are
 * accepted and ignored. NULL with errno on failure.
 */
struct xp_mr *xp_mr_reg(struct xp_pd *pd, void *addr, size_t length, unsigned int access,
			const struct xp_mr_reg_opts *opts);

/*
 * A fast-registration MR (ib_alloc_mr(IB_MR_TYPE_MEM_REG)): an index and a
 * key, in state FREE, no access until xp_mr_fast_reg(). max_len bounds the
 * length of any later registration. NULL with errno on failure.
 */
struct xp_mr *xp_mr_alloc_fast(struct xp_pd *pd, __u64 max_len);

/*
 * The memory of the whole address space, iova = address (ib_get_dma_mr():
 * a kernel PD's local_dma_lkey, where SGEs carry kernel addresses). Only
 * XP_ACCESS_LOCAL_WRITE is allowed: remote rights are refused with EINVAL,
 * so its rkey opens nothing. NULL with errno on failure.
 */
struct xp_mr *xp_mr_reg_dma(struct xp_pd *pd, unsigned int access);

/*
 * Each registration in two steps, for a host that runs the core under a
 * spinlock: xp_mr_prepare*() check the arguments as the calls above and
 * allocate (they may sleep; the MR has no key yet and nothing can reach
 * it); xp_mr_commit(), under the host's lock, gives it an index and key
 * (-ENOSPC when none is free) and puts it in the table; xp_mr_dereg()
 * removes it from there. A prepared MR that is not committed goes with
 * xp_mr_discard().
 */
struct xp_mr *xp_mr_prepare(struct xp_pd *pd, void *addr, size_t length, unsigned int access,
			    const struct xp_mr_reg_opts *opts);
struct xp_mr *xp_mr_prepare_fast(struct xp_pd *pd, __u64 max_len);
struct xp_mr *xp_mr_prepare_dma(struct xp_pd *pd, unsigned int access);
int xp_mr_commit(struct xp_mr *mr);
void xp_mr_discard(struct xp_mr *mr);

/*
 * Room for a page list of up to n pages in a fast-reg MR that is not
 * registered, allocated now (it may sleep), so that a later
 * xp_mr_fast_reg() with at most n pages allocates nothing: a kernel host
 * calls it from alloc_mr (max_num_sg) and registers under its spinlock.
 * -EINVAL (another MR, n 0 or above XP_MR_MAX_PAGES), -ENOMEM.
 */
#define XP_MR_MAX_PAGES (1u << 20)
int xp_mr_reserve_pages(struct xp_mr *mr, __u32 n);

/* What an IB_WR_REG_MR work request carries. */
struct xp_mr_fast_reg {
	__u32 key; /* new lkey/rkey: the MR's own index, any key byte */
	__u64 iova;
	void *addr; /* the memory, contiguous; or NULL and ... */
	const struct xp_mr_pages *pages; /* ... its pages (same rules as xp_mr_reg()) */
	__u64 length;
	unsigned int access; /* XP_ACCESS_*, same rules as xp_mr_reg() */
};

/*
 * Execute a REG_MR work request posted on a QP of PD qp_pd. Errors leave
 * the MR unchanged: -EINVAL (NULL argument, key with another index, bad
 * access, neither or both of addr and pages, a bad page list, length 0 or
 * over max_len, range wraps), -ENOMEM (no room for the page list), -EOPNOTSUPP
 * (not a fast-reg MR), -EBUSY (MR not FREE: invalidate it first), -EACCES
 * (qp_pd is not the MR's PD). On success the MR is VALID with lkey = rkey =
 * fr->key.
 */
int xp_mr_fast_reg(struct xp_pd *qp_pd, struct xp_mr *mr, const struct xp_mr_fast_reg *fr);

/*
 * Invalidate the fast-reg MR that key names: LOCAL_INV work request (local)
 * or SEND_WITH_INV received (remote; rkey from the IETH). State -> FREE;
 * invalidating a FREE MR again is allowed. Errors: -EINVAL (NULL pd),
 * -ENOENT (no MR at that index), -EKEYREJECTED (key byte is not the MR's
 * current one: a stale key), -EACCES (MR belongs to another PD),
 * -EOPNOTSUPP (a user MR: only fast-reg MRs can be invalidated).
 */
int xp_mr_invalidate_local(struct xp_pd *qp_pd, __u32 lkey);
int xp_mr_invalidate_remote(struct xp_pd *qp_pd, __u32 rkey);

/*
 * Deregister and free. -EBUSY while references from xp_mr_get() or a
 * lookup are held; -EINVAL for NULL.
 */
int xp_mr_dereg(struct xp_mr *mr);

/* References: an MR with references cannot be deregistered. */
void xp_mr_get(struct xp_mr *mr);
void xp_mr_put(struct xp_mr *mr);

__u32 xp_mr_lkey(const struct xp_mr *mr);
__u32 xp_mr_rkey(const struct xp_mr *mr);
__u64 xp_mr_iova(const struct xp_mr *mr);
__u64 xp_mr_length(const struct xp_mr *mr);
void *xp_mr_addr(const struct xp_mr *mr); /* NULL for an MR of pages */
unsigned int xp_mr_access(const struct xp_mr *mr); /* the rights it enforces */
enum xp_mr_type xp_mr_type(const struct xp_mr *mr);
enum xp_mr_state xp_mr_state(const struct xp_mr *mr);
struct xp_pd *xp_mr_pd(const struct xp_mr *mr);

/* ---- the checks every access makes ---- */

/*
 * Why an access was refused. Stable numbers: counters and logs use them;
 * never renumber or reuse one.
 */
enum xp_mr_err {
	XP_MR_OK = 0,
	XP_MR_BAD_KEY = 1, /* no MR at the key's index, or its key byte differs */
	XP_MR_NOT_VALID = 2, /* MR exists, key matches, but state is FREE */
	XP_MR_BAD_PD = 3, /* MR belongs to another PD than the QP's */
	XP_MR_NO_ACCESS = 4, /* MR lacks a right the operation needs */
	XP_MR_OUT_OF_RANGE = 5, /* [iova, iova + len) not inside the MR */
	XP_MR_MISALIGNED = 6, /* atomic target not 8-byte aligned */
	XP_MR_ERR__MAX,
};

const char *xp_mr_err_str(enum xp_mr_err err);

/*
 * Local access through an SGE's lkey: need is 0 to read (send from) or
 * XP_ACCESS_LOCAL_WRITE to write (receive, RDMA READ response, atomic
 * result). Remote access through an rkey: need is XP_ACCESS_REMOTE_READ or
 * _REMOTE_WRITE; one that names no remote right is refused (NO_ACCESS).
 *
 * Checks, in this order: key (index in range, slot used, key equal), state,
 * PD, rights (all of need), range. len 0 passes without any check and gives
 * *ptr = NULL, as rxe does: a zero-length RDMA READ/WRITE need not carry a
 * valid rkey (IBTA C9-88), and a zero-length SGE is never looked up.
 *
 * On XP_MR_OK, *ptr (if ptr) is the host address of iova when the whole
 * range is contiguous in host memory: always for an MR registered by
 * address; for an MR of pages when the range lies within one page (an
 * aligned atomic target always does), else NULL: copy with xp_mr_read()
 * and xp_mr_write() through the MR from mrp instead. If mrp is not
 * NULL, a successful non-zero-length lookup also takes a reference the
 * caller drops with xp_mr_put(); otherwise *mrp = NULL. Failures only count
 * (xp_mr_table_errors()); they print nothing, a peer must not fill our log.
 */
enum xp_mr_err xp_mr_lookup_local(struct xp_pd *pd, __u32 lkey, __u64 iova, __u64 len,
				  unsigned int need, void **ptr, struct xp_mr **mrp);
enum xp_mr_err xp_mr_lookup_remote(struct xp_pd *pd, __u32 rkey, __u64 iova, __u64 len,
				   unsigned int need, void **ptr, struct xp_mr **mrp);

/*
 * Target of an 8-byte atomic: a remote lookup of [iova, iova + 8) with need
 * (XP_ACCESS_REMOTE_ATOMIC for compare-swap and fetch-add), then the
 * alignment check: iova and the host address both 8-byte aligned, else
 * XP_MR_MISALIGNED. Range and rights are checked first, as in rxe.
 */
enum xp_mr_err xp_mr_lookup_atomic(struct xp_pd *pd, __u32 rkey, __u64 iova, unsigned int need,
				   void **ptr, struct xp_mr **mrp);

/*
 * Copy between buf and [iova, iova + len) of mr, a range a lookup of mr
 * accepted (the caller holds the reference it took): page by page for an
 * MR of pages.
 */
void xp_mr_read(const struct xp_mr *mr, __u64 iova, void *buf, __u64 len);
void xp_mr_write(struct xp_mr *mr, __u64 iova, const void *buf, __u64 len);

/* Failed lookups per reason since the table was created. */
__u64 xp_mr_table_errors(const struct xp_mr_table *table, enum xp_mr_err err);

/* ---- what the transport reports for each failure ---- */

/*
 * Responder, rkey check of an RDMA READ/WRITE/ATOMIC request on an RC QP:
 * the AETH NAK code (enum xp_nak_code) to send. Key, state, PD, rights and
 * range failures are a Remote Access Error; a misaligned atomic is an
 * Invalid Request (rxe_resp.c). -EINVAL for XP_MR_OK or an unknown code.
 * The responder QP then moves to ERROR (class C).
 */
int xp_mr_err_nak(enum xp_mr_err err);

/*
 * Status of the work request whose remote access failed with err: what the
 * requester completes with on that NAK (REM_ACCESS_ERR, REM_INV_REQ_ERR).
 */
enum xp_wc_status xp_mr_err_wc_remote(enum xp_mr_err err);

/*
 * Status of a work request whose own SGE failed the lkey check (send from,
 * RDMA READ response or atomic result into): LOC_PROT_ERR.
 */
enum xp_wc_status xp_mr_err_wc_local(enum xp_mr_err err);

/*
 * Responder placing a SEND into a receive WQE whose SGE failed the lkey
 * check: NAK Remote Operational Error (the requester completes with
 * REM_OP_ERR) and the receive completes with xp_mr_err_wc_local(err).
 * -EINVAL for XP_MR_OK or an unknown code.
 */
int xp_mr_err_recv_nak(enum xp_mr_err err);

/*
 * Completion status of a REG_MR or LOCAL_INV work request that returned err
 * from xp_mr_fast_reg() / xp_mr_invalidate_local(): LOC_QP_OP_ERR, as rxe.
 */
enum xp_wc_status xp_mr_wr_wc_status(int err);

/*
 * Receive completion status when the SEND_WITH_INV it carried failed
 * xp_mr_invalidate_remote(): REM_INV_REQ_ERR (the message itself is ACKed,
 * then the QP moves to ERROR: rxe's class J handling).
 */
enum xp_wc_status xp_mr_send_inv_wc_status(int err);

#endif /* XP_MR_H */
