// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Protection domains and memory regions: the key table, registration,
 * fast registration and invalidation, and the checks every access makes.
 *
 * The table is an array of MR pointers indexed by the key's index part.
 * Free indexes wait in a FIFO, so a freed index is the last to be handed
 * out again and a stale key finds an empty slot for as long as possible;
 * when the index does come back, its key byte has moved on by one, so the
 * stale key still fails (until 256 registrations of that one index later).
 * rxe gets the same effect from a cyclic index allocator and a random key
 * byte that differs from the previous one.
 */
#include "xp_env.h"

#include <xdpath/roce_hdr.h>

#include "xp_mr.h"

struct xp_mr_table {
	__u32 max_mr;
	__u32 nmr; /* MRs registered */
	__u32 npd; /* PDs allocated */
	__u32 pd_seq; /* number of the next PD, for messages */
	struct xp_mr **slot; /* [max_mr + 1]; slot[0] is never used */
	__u8 *last_key; /* [max_mr + 1]: key byte last given out at each index */
	/*
	 * Indexes go out in the order 1..max_mr, then in the order they came
	 * back, so that an index is reused as late as possible.
	 */
	__u32 fresh; /* the next index never given out; max_mr + 1 once all were */
	__u32 *free_idx; /* ring of max_mr indexes given back, oldest first */
	__u32 free_head; /* ring position of the oldest one */
	__u32 nfree;
	__u64 errors[XP_MR_ERR__MAX];
};

struct xp_pd {
	struct xp_mr_table *table;
	__u32 num; /* for messages */
	__u32 users; /* MRs, and later QPs and MWs, that name this PD */
};

struct xp_mr {
	struct xp_pd *pd;
	enum xp_mr_type type;
	enum xp_mr_state state;
	__u32 lkey;
	__u32 rkey;
	unsigned int access; /* rights enforced: LOCAL_WRITE and REMOTE_* only */
	__u64 iova;
	__u64 length;
	unsigned char *addr; /* the memory, contiguous; NULL for an MR of pages */
	/* An MR of pages (npages > 0): see struct xp_mr_pages. */
	void **pages;
	__u32 npages, pages_cap; /* in use, room in pages[] */
	__u32 page_shift, page_off;
	__u64 max_len; /* fast-reg: longest registration allowed */
	__u32 refs; /* references besides the owner's */
};

/* Access bits libibverbs defines that we refuse rather than ignore. */
#define ACCESS_UNSUPPORTED                                                                         \
	(XP_ACCESS_MW_BIND | XP_ACCESS_ZERO_BASED | XP_ACCESS_ON_DEMAND | XP_ACCESS_FLUSH_GLOBAL | \
	 XP_ACCESS_FLUSH_PERSISTENT)
#define ACCESS_ENFORCED (XP_ACCESS_LOCAL_WRITE | XP_ACCESS_REMOTE)
#define ACCESS_KNOWN \
	(ACCESS_ENFORCED | ACCESS_UNSUPPORTED | XP_ACCESS_HUGETLB | XP_ACCESS_OPTIONAL_RANGE)

/* ---- table ---- */

/* Unpredictable first key bytes: a peer cannot guess a fresh rkey from its index. */
static void seed_keys(__u8 *keys, size_t n)
{
	xp_random_bytes(keys, n);
}

struct xp_mr_table *xp_mr_table_create(const struct xp_mr_table_opts *opts)
{
	struct xp_mr_table *t;
	__u32 max_mr;
	int err;

	err = xp_opts_valid(opts, xp_mr_table_opts);
	if (err)
		goto out_err;
	max_mr = XP_OPTS_GET(opts, max_mr, 0) ?: XP_MR_DEFAULT_MAX;
	if (max_mr > XP_MR_INDEX_LIMIT) {
		pr_warn("MR table: max_mr %u is over %u; indexes above that are kept for memory windows\n",
			max_mr, XP_MR_INDEX_LIMIT);
		err = -EINVAL;
		goto out_err;
	}

	t = xp_zalloc(sizeof(*t));
	if (!t) {
		err = -ENOMEM;
		goto out_err;
	}
	t->max_mr = max_mr;
	t->slot = xp_calloc(max_mr + 1, sizeof(*t->slot));
	if (!t->slot) {
		err = -ENOMEM;
		goto out_free_table;
	}
	t->last_key = xp_calloc(max_mr + 1, sizeof(*t->last_key));
	if (!t->last_key) {
		err = -ENOMEM;
		goto out_free_slot;
	}
	t->free_idx = xp_calloc(max_mr, sizeof(*t->free_idx));
	if (!t->free_idx) {
		err = -ENOMEM;
		goto out_free_keys;
	}
	t->fresh = 1;
	seed_keys(t->last_key, max_mr + 1);
	return t;

out_free_keys:
	xp_free(t->last_key);
out_free_slot:
	xp_free(t->slot);
out_free_table:
	xp_free(t);
out_err:
	xp_set_errno(-err);
	return NULL;
}

int xp_mr_table_destroy(struct xp_mr_table *t)
{
	if (!t)
		return 0;
	if (t->nmr || t->npd) {
		pr_warn("MR table: %u PDs and %u MRs still exist; deregister the MRs and free the PDs first\n",
			t->npd, t->nmr);
		return -EBUSY;
	}
	xp_free(t->free_idx);
	xp_free(t->last_key);
	xp_free(t->slot);
	xp_free(t);
	return 0;
}

__u32 xp_mr_table_count(const struct xp_mr_table *t)
{
	return t ? t->nmr : 0;
}

__u64 xp_mr_table_errors(const struct xp_mr_table *t, enum xp_mr_err err)
{
	if (!t || (unsigned int)err >= XP_MR_ERR__MAX)
		return 0;
	return t->errors[err];
}

static int index_alloc(struct xp_mr_table *t, __u32 *idx)
{
	if (t->fresh <= t->max_mr) {
		*idx = t->fresh++;
		return 0;
	}
	if (!t->nfree)
		return -ENOSPC;
	*idx = t->free_idx[t->free_head];
	t->free_head = (t->free_head + 1) % t->max_mr;
	t->nfree--;
	return 0;
}

static void index_free(struct xp_mr_table *t, __u32 idx)
{
	t->free_idx[(t->free_head + t->nfree) % t->max_mr] = idx;
	t->nfree++;
}

/* ---- protection domains ---- */

struct xp_pd *xp_pd_prepare(struct xp_mr_table *t)
{
	struct xp_pd *pd;

	if (!t) {
		pr_warn("xp_pd_alloc: table is NULL\n");
		xp_set_errno(EINVAL);
		return NULL;
	}
	pd = xp_zalloc(sizeof(*pd));
	if (!pd) {
		xp_set_errno(ENOMEM);
		return NULL;
	}
	pd->table = t;
	return pd;
}

void xp_pd_commit(struct xp_pd *pd)
{
	pd->num = ++pd->table->pd_seq;
	pd->table->npd++;
}

struct xp_pd *xp_pd_alloc(struct xp_mr_table *t)
{
	struct xp_pd *pd = xp_pd_prepare(t);

	if (pd)
		xp_pd_commit(pd);
	return pd;
}

int xp_pd_free(struct xp_pd *pd)
{
	if (!pd) {
		pr_warn("xp_pd_free: pd is NULL\n");
		return -EINVAL;
	}
	if (pd->users) {
		pr_warn("xp_pd_free: PD %u is still used by %u MRs or QPs; deregister or destroy them first\n",
			pd->num, pd->users);
		return -EBUSY;
	}
	if (pd->num) /* else prepared, never committed */
		pd->table->npd--;
	xp_free(pd);
	return 0;
}

void xp_pd_get(struct xp_pd *pd)
{
	pd->users++;
}

void xp_pd_put(struct xp_pd *pd)
{
	if (!pd->users) {
		pr_warn("xp_pd_put: PD %u has no user to drop; a put without a get\n", pd->num);
		return;
	}
	pd->users--;
}

struct xp_mr_table *xp_pd_table(const struct xp_pd *pd)
{
	return pd ? pd->table : NULL;
}

/* ---- registration ---- */

static int check_access(unsigned int access, const char *who)
{
	char buf[XP_ACCESS_STR_MAX], bad[XP_ACCESS_STR_MAX];

	if (access & ~ACCESS_KNOWN) {
		pr_warn("%s: access 0x%x has unknown bits 0x%x; use XP_ACCESS_* flags\n", who,
			access, access & ~ACCESS_KNOWN);
		return -EINVAL;
	}
	if (access & ACCESS_UNSUPPORTED) {
		pr_warn("%s: access %s is not supported by xdpath memory regions; leave out %s\n",
			who, xp_access_str(access, buf, sizeof(buf)),
			xp_access_str(access & ACCESS_UNSUPPORTED, bad, sizeof(bad)));
		return -EOPNOTSUPP;
	}
	if ((access & (XP_ACCESS_REMOTE_WRITE | XP_ACCESS_REMOTE_ATOMIC)) &&
	    !(access & XP_ACCESS_LOCAL_WRITE)) {
		pr_warn("%s: access %s grants REMOTE_WRITE or REMOTE_ATOMIC without LOCAL_WRITE; memory a peer may modify must be locally writable too (the ibverbs rule): add XP_ACCESS_LOCAL_WRITE\n",
			who, xp_access_str(access, buf, sizeof(buf)));
		return -EINVAL;
	}
	return 0;
}

/* The last byte, iova + length - 1 (length > 0), must not pass 2^64 - 1. */
static int check_iova_end(__u64 iova, __u64 length, const char *who)
{
	if (length - 1 > UINT64_MAX - iova) {
		pr_warn("%s: iova 0x%llx + length %llu goes past 2^64; choose a lower iova\n", who,
			(unsigned long long)iova, (unsigned long long)length);
		return -EINVAL;
	}
	return 0;
}

static int check_extent(const void *addr, __u64 length, __u64 iova, const char *who)
{
	if (!addr) {
		pr_warn("%s: addr is NULL; pass the buffer to register\n", who);
		return -EINVAL;
	}
	if (!length) {
		pr_warn("%s: length 0 is invalid; a memory region covers at least one byte\n", who);
		return -EINVAL;
	}
	if (length - 1 > UINTPTR_MAX - (uintptr_t)addr) {
		pr_warn("%s: addr %p + length %llu wraps the address space\n", who, addr,
			(unsigned long long)length);
		return -EINVAL;
	}
	return check_iova_end(iova, length, who);
}

/*
 * A page list for length bytes from iova: every page given and aligned to
 * its size, and enough of them for offset + length.
 */
static int check_pages(const struct xp_mr_pages *pg, __u64 length, __u64 iova, const char *who)
{
	__u64 size, span;
	__u32 i;

	if (!pg->page || !pg->npages) {
		pr_warn("%s: the page list is empty\n", who);
		return -EINVAL;
	}
	if (pg->page_shift < XP_MR_PAGE_SHIFT_MIN || pg->page_shift > XP_MR_PAGE_SHIFT_MAX) {
		pr_warn("%s: page_shift %u is outside %u..%u\n", who, pg->page_shift,
			XP_MR_PAGE_SHIFT_MIN, XP_MR_PAGE_SHIFT_MAX);
		return -EINVAL;
	}
	size = 1ull << pg->page_shift;
	if (pg->offset >= size) {
		pr_warn("%s: offset %u is not inside the first page (%llu bytes)\n", who,
			pg->offset, (unsigned long long)size);
		return -EINVAL;
	}
	for (i = 0; i < pg->npages; i++)
		if (!pg->page[i] || ((uintptr_t)pg->page[i] & (size - 1))) {
			pr_warn("%s: page %u (%p) is %s\n", who, i, pg->page[i],
				pg->page[i] ? "not aligned to the page size" : "NULL");
			return -EINVAL;
		}
	span = ((__u64)pg->npages << pg->page_shift) - pg->offset;
	if (!length || length > span) {
		pr_warn("%s: length %llu does not fit %u pages of %llu bytes from offset %u\n", who,
			(unsigned long long)length, pg->npages, (unsigned long long)size,
			pg->offset);
		return -EINVAL;
	}
	return check_iova_end(iova, length, who);
}

/* Room for n pages in mr's list, kept until the MR goes. */
static int reserve_pages(struct xp_mr *mr, __u32 n)
{
	void **pages;

	if (n <= mr->pages_cap)
		return 0;
	pages = xp_calloc(n, sizeof(*pages));
	if (!pages)
		return -ENOMEM;
	xp_free(mr->pages);
	mr->pages = pages;
	mr->pages_cap = n;
	return 0;
}

int xp_mr_reserve_pages(struct xp_mr *mr, __u32 n)
{
	if (!mr || mr->type != XP_MR_TYPE_FAST || mr->state != XP_MR_STATE_FREE || !n ||
	    n > XP_MR_MAX_PAGES) {
		pr_warn("xp_mr_reserve_pages: %s\n",
			!mr ? "mr is NULL" :
			mr->type != XP_MR_TYPE_FAST || mr->state != XP_MR_STATE_FREE ?
			      "only a fast-reg MR that is not registered" :
			      "n must be 1..XP_MR_MAX_PAGES");
		return -EINVAL;
	}
	return reserve_pages(mr, n);
}

/* Make mr's memory the pages of pg (checked); -ENOMEM leaves mr as it was. */
static int set_pages(struct xp_mr *mr, const struct xp_mr_pages *pg)
{
	int err = reserve_pages(mr, pg->npages);

	if (err)
		return err;
	memcpy(mr->pages, pg->page, pg->npages * sizeof(*mr->pages));
	mr->npages = pg->npages;
	mr->page_shift = pg->page_shift;
	mr->page_off = pg->offset;
	mr->addr = NULL;
	return 0;
}

/* A new MR of pd, not in the table yet (xp_mr_commit() puts it there). */
static struct xp_mr *mr_alloc(struct xp_pd *pd, enum xp_mr_type type)
{
	struct xp_mr *mr = xp_zalloc(sizeof(*mr));

	if (!mr) {
		xp_set_errno(ENOMEM);
		return NULL;
	}
	mr->pd = pd;
	mr->type = type;
	return mr;
}

/* A prepared MR's range and rights; it is valid from its commit on. */
static struct xp_mr *mr_valid(struct xp_mr *mr, __u64 iova, __u64 length, unsigned int access)
{
	mr->iova = iova;
	mr->length = length;
	mr->access = access & ACCESS_ENFORCED;
	mr->state = XP_MR_STATE_VALID;
	return mr;
}

int xp_mr_commit(struct xp_mr *mr)
{
	struct xp_mr_table *t;
	__u32 idx;
	int err;

	if (!mr || mr->lkey) {
		pr_warn("xp_mr_commit: %s\n", mr ? "the MR is in the table already" : "mr is NULL");
		return -EINVAL;
	}
	t = mr->pd->table;
	err = index_alloc(t, &idx);
	if (err) {
		pr_warn("xp_mr_commit: all %u MR indexes are in use; deregister MRs or create the table with a larger max_mr\n",
			t->max_mr);
		return err;
	}
	t->last_key[idx]++;
	mr->lkey = xp_key_make(idx, t->last_key[idx]);
	mr->rkey = mr->lkey;
	t->slot[idx] = mr;
	t->nmr++;
	mr->pd->users++;
	return 0;
}

void xp_mr_discard(struct xp_mr *mr)
{
	if (!mr)
		return;
	if (mr->lkey) {
		pr_warn("xp_mr_discard: MR 0x%x is in the table; deregister it\n", mr->lkey);
		return;
	}
	xp_free(mr->pages);
	xp_free(mr);
}

/* The second step of the one-step calls: the MR, or NULL and errno. */
static struct xp_mr *mr_commit_or_discard(struct xp_mr *mr)
{
	int err;

	if (!mr)
		return NULL;
	err = xp_mr_commit(mr);
	if (err) {
		xp_mr_discard(mr);
		xp_set_errno(-err);
		return NULL;
	}
	return mr;
}

struct xp_mr *xp_mr_prepare(struct xp_pd *pd, void *addr, size_t length, unsigned int access,
			    const struct xp_mr_reg_opts *opts)
{
	const char *who = "xp_mr_reg";
	const struct xp_mr_pages *pages;
	struct xp_mr *mr;
	bool iova_set;
	__u64 iova;
	int err;

	err = xp_opts_valid(opts, xp_mr_reg_opts);
	if (err)
		goto out_err;
	if (!pd) {
		pr_warn("%s: pd is NULL\n", who);
		err = -EINVAL;
		goto out_err;
	}
	pages = XP_OPTS_GET(opts, pages, NULL);
	iova_set = XP_OPTS_GET(opts, iova_set, false);
	iova = iova_set ? XP_OPTS_GET(opts, iova, 0) : (uintptr_t)addr;
	if (pages && (addr || !iova_set)) {
		pr_warn("%s: %s\n", who,
			addr ? "give addr or a page list, not both" :
			       "an MR of pages needs its iova (opts->iova_set)");
		err = -EINVAL;
		goto out_err;
	}
	err = pages ? check_pages(pages, length, iova, who) : check_extent(addr, length, iova, who);
	if (err)
		goto out_err;
	err = check_access(access, who);
	if (err)
		goto out_err;

	mr = mr_alloc(pd, XP_MR_TYPE_USER);
	if (!mr)
		return NULL;
	if (pages) {
		err = set_pages(mr, pages);
		if (err) {
			xp_mr_discard(mr);
			goto out_err;
		}
	}
	mr->addr = addr;
	return mr_valid(mr, iova, length, access);

out_err:
	xp_set_errno(-err);
	return NULL;
}

struct xp_mr *xp_mr_reg(struct xp_pd *pd, void *addr, size_t length, unsigned int access,
			const struct xp_mr_reg_opts *opts)
{
	return mr_commit_or_discard(xp_mr_prepare(pd, addr, length, access, opts));
}

struct xp_mr *xp_mr_prepare_dma(struct xp_pd *pd, unsigned int access)
{
	const char *who = "xp_mr_reg_dma";
	struct xp_mr *mr;
	int err;

	if (!pd) {
		pr_warn("%s: pd is NULL\n", who);
		err = -EINVAL;
		goto out_err;
	}
	if (access & XP_ACCESS_REMOTE) {
		pr_warn("%s: a DMA MR reaches all memory; it gives no remote access\n", who);
		err = -EINVAL;
		goto out_err;
	}
	err = check_access(access, who);
	if (err)
		goto out_err;
	mr = mr_alloc(pd, XP_MR_TYPE_DMA);
	return mr ? mr_valid(mr, 0, UINT64_MAX, access) : NULL;

out_err:
	xp_set_errno(-err);
	return NULL;
}

struct xp_mr *xp_mr_reg_dma(struct xp_pd *pd, unsigned int access)
{
	return mr_commit_or_discard(xp_mr_prepare_dma(pd, access));
}

struct xp_mr *xp_mr_prepare_fast(struct xp_pd *pd, __u64 max_len)
{
	const char *who = "xp_mr_alloc_fast";
	struct xp_mr *mr;

	if (!pd) {
		pr_warn("%s: pd is NULL\n", who);
		xp_set_errno(EINVAL);
		return NULL;
	}
	if (!max_len) {
		pr_warn("%s: max_len 0 is invalid; a fast-reg MR must be able to cover at least one byte\n",
			who);
		xp_set_errno(EINVAL);
		return NULL;
	}
	mr = mr_alloc(pd, XP_MR_TYPE_FAST);
	if (!mr)
		return NULL;
	mr->max_len = max_len;
	mr->state = XP_MR_STATE_FREE;
	return mr;
}

struct xp_mr *xp_mr_alloc_fast(struct xp_pd *pd, __u64 max_len)
{
	return mr_commit_or_discard(xp_mr_prepare_fast(pd, max_len));
}

int xp_mr_fast_reg(struct xp_pd *qp_pd, struct xp_mr *mr, const struct xp_mr_fast_reg *fr)
{
	const char *who = "xp_mr_fast_reg";
	int err;

	if (!qp_pd || !mr || !fr) {
		pr_warn("%s: %s is NULL\n", who, !qp_pd ? "qp_pd" : !mr ? "mr" : "fr");
		return -EINVAL;
	}
	if (mr->type != XP_MR_TYPE_FAST) {
		pr_warn("%s: MR 0x%x is a user MR; only MRs from xp_mr_alloc_fast() take fast registrations\n",
			who, mr->lkey);
		return -EOPNOTSUPP;
	}
	if (mr->state != XP_MR_STATE_FREE) {
		pr_warn("%s: MR 0x%x is VALID; invalidate it (LOCAL_INV or SEND_WITH_INV) before registering it again\n",
			who, mr->lkey);
		return -EBUSY;
	}
	if (mr->pd != qp_pd) {
		pr_warn("%s: MR 0x%x belongs to PD %u, the QP to PD %u; a QP registers only MRs of its own PD\n",
			who, mr->lkey, mr->pd->num, qp_pd->num);
		return -EACCES;
	}
	if (xp_key_index(fr->key) != xp_key_index(mr->lkey)) {
		pr_warn("%s: key 0x%x has index 0x%x, MR 0x%x has index 0x%x; only the low 8 bits (the key byte) may change\n",
			who, fr->key, xp_key_index(fr->key), mr->lkey, xp_key_index(mr->lkey));
		return -EINVAL;
	}
	err = check_access(fr->access, who);
	if (err)
		return err;
	if (!fr->addr == !fr->pages) {
		pr_warn("%s: %s\n", who,
			fr->addr ?
				"give addr or a page list, not both" :
				"addr is NULL and no page list is given; pass the memory to register");
		return -EINVAL;
	}
	err = fr->pages ? check_pages(fr->pages, fr->length, fr->iova, who) :
			  check_extent(fr->addr, fr->length, fr->iova, who);
	if (err)
		return err;
	if (fr->length > mr->max_len) {
		pr_warn("%s: length %llu is over MR 0x%x's max_len %llu; allocate it with a larger max_len\n",
			who, (unsigned long long)fr->length, mr->lkey,
			(unsigned long long)mr->max_len);
		return -EINVAL;
	}
	if (fr->pages) {
		err = set_pages(mr, fr->pages);
		if (err)
			return err;
	} else {
		mr->npages = 0;
	}

	mr->lkey = fr->key;
	mr->rkey = fr->key;
	mr->pd->table->last_key[xp_key_index(fr->key)] = xp_key_byte(fr->key);
	mr->addr = fr->addr;
	mr->length = fr->length;
	mr->iova = fr->iova;
	mr->access = fr->access & ACCESS_ENFORCED;
	mr->state = XP_MR_STATE_VALID;
	return 0;
}

/*
 * A remote invalidation is the peer's doing: report it at debug level only,
 * the receive completion carries the error to the application.
 */
#define inv_msg(remote, fmt, ...)                     \
	do {                                          \
		if (remote)                           \
			pr_debug(fmt, ##__VA_ARGS__); \
		else                                  \
			pr_warn(fmt, ##__VA_ARGS__);  \
	} while (0)

static int mr_invalidate(struct xp_pd *pd, __u32 key, bool remote)
{
	const char *who = remote ? "SEND_WITH_INV" : "LOCAL_INV";
	struct xp_mr_table *t;
	struct xp_mr *mr;
	__u32 idx = xp_key_index(key);

	if (!pd) {
		pr_warn("%s: pd is NULL\n", who);
		return -EINVAL;
	}
	t = pd->table;
	mr = idx && idx <= t->max_mr ? t->slot[idx] : NULL;
	if (!mr) {
		inv_msg(remote, "%s: no MR has index 0x%x (key 0x%x)\n", who, idx, key);
		return -ENOENT;
	}
	if ((remote ? mr->rkey : mr->lkey) != key) {
		inv_msg(remote, "%s: key 0x%x is stale; MR %u's current key is 0x%x\n", who, key,
			idx, remote ? mr->rkey : mr->lkey);
		return -EKEYREJECTED;
	}
	if (mr->pd != pd) {
		inv_msg(remote, "%s: MR 0x%x belongs to PD %u, the QP to PD %u\n", who, key,
			mr->pd->num, pd->num);
		return -EACCES;
	}
	if (mr->type != XP_MR_TYPE_FAST) {
		inv_msg(remote,
			"%s: MR 0x%x is a user MR; only fast-reg MRs can be invalidated (deregister a user MR instead)\n",
			who, key);
		return -EOPNOTSUPP;
	}
	mr->state = XP_MR_STATE_FREE;
	return 0;
}

int xp_mr_invalidate_local(struct xp_pd *qp_pd, __u32 lkey)
{
	return mr_invalidate(qp_pd, lkey, false);
}

int xp_mr_invalidate_remote(struct xp_pd *qp_pd, __u32 rkey)
{
	return mr_invalidate(qp_pd, rkey, true);
}

int xp_mr_dereg(struct xp_mr *mr)
{
	struct xp_mr_table *t;
	__u32 idx;

	if (!mr || !mr->lkey) {
		pr_warn("xp_mr_dereg: %s\n",
			mr ? "the MR was never committed; discard it" : "mr is NULL");
		return -EINVAL;
	}
	if (mr->refs) {
		pr_warn("xp_mr_dereg: MR 0x%x is still referenced %u times by operations in flight; complete or flush them first\n",
			mr->lkey, mr->refs);
		return -EBUSY;
	}
	t = mr->pd->table;
	idx = xp_key_index(mr->lkey);
	t->slot[idx] = NULL;
	index_free(t, idx);
	t->nmr--;
	mr->pd->users--;
	xp_free(mr->pages);
	xp_free(mr);
	return 0;
}

void xp_mr_get(struct xp_mr *mr)
{
	mr->refs++;
}

void xp_mr_put(struct xp_mr *mr)
{
	if (!mr->refs) {
		pr_warn("xp_mr_put: MR 0x%x has no reference to drop; a put without a get\n",
			mr->lkey);
		return;
	}
	mr->refs--;
}

__u32 xp_mr_lkey(const struct xp_mr *mr)
{
	return mr->lkey;
}

__u32 xp_mr_rkey(const struct xp_mr *mr)
{
	return mr->rkey;
}

__u64 xp_mr_iova(const struct xp_mr *mr)
{
	return mr->iova;
}

__u64 xp_mr_length(const struct xp_mr *mr)
{
	return mr->length;
}

void *xp_mr_addr(const struct xp_mr *mr)
{
	return mr->addr;
}

unsigned int xp_mr_access(const struct xp_mr *mr)
{
	return mr->access;
}

enum xp_mr_type xp_mr_type(const struct xp_mr *mr)
{
	return mr->type;
}

enum xp_mr_state xp_mr_state(const struct xp_mr *mr)
{
	return mr->state;
}

struct xp_pd *xp_mr_pd(const struct xp_mr *mr)
{
	return mr->pd;
}

/* ---- access checks ---- */

static const char *const mr_err_names[XP_MR_ERR__MAX] = {
	[XP_MR_OK] = "ok",
	[XP_MR_BAD_KEY] = "no MR with that key",
	[XP_MR_NOT_VALID] = "MR not valid (free or invalidated)",
	[XP_MR_BAD_PD] = "MR in another PD",
	[XP_MR_NO_ACCESS] = "MR lacks the access right",
	[XP_MR_OUT_OF_RANGE] = "outside the MR",
	[XP_MR_MISALIGNED] = "atomic not 8-byte aligned",
};

const char *xp_mr_err_str(enum xp_mr_err err)
{
	return (unsigned int)err < XP_MR_ERR__MAX ? mr_err_names[err] : "unknown";
}

/* Is [iova, iova + len), len > 0, inside mr? Written so nothing can wrap. */
static bool mr_covers(const struct xp_mr *mr, __u64 iova, __u64 len)
{
	__u64 off;

	if (iova < mr->iova)
		return false;
	off = iova - mr->iova;
	return off < mr->length && len <= mr->length - off;
}

static enum xp_mr_err mr_check(struct xp_pd *pd, __u32 key, bool remote, __u64 iova, __u64 len,
			       unsigned int need, struct xp_mr **out)
{
	struct xp_mr_table *t = pd->table;
	__u32 idx = xp_key_index(key);
	struct xp_mr *mr;

	if (!idx || idx > t->max_mr)
		return XP_MR_BAD_KEY;
	mr = t->slot[idx];
	if (!mr || (remote ? mr->rkey : mr->lkey) != key)
		return XP_MR_BAD_KEY;
	if (mr->state != XP_MR_STATE_VALID)
		return XP_MR_NOT_VALID;
	if (mr->pd != pd)
		return XP_MR_BAD_PD;
	if ((mr->access & need) != need || (remote && !(need & XP_ACCESS_REMOTE)))
		return XP_MR_NO_ACCESS;
	if (!mr_covers(mr, iova, len))
		return XP_MR_OUT_OF_RANGE;
	*out = mr;
	return XP_MR_OK;
}

/*
 * Host address of iova, inside mr, and in *room how many bytes from there
 * are contiguous in host memory (to the end of its page or of the MR).
 */
static unsigned char *mr_host(const struct xp_mr *mr, __u64 iova, __u64 *room)
{
	__u64 off = iova - mr->iova, in, size;

	if (mr->type == XP_MR_TYPE_DMA) {
		*room = mr->length - off;
		return (unsigned char *)(uintptr_t)iova;
	}
	if (!mr->npages) {
		*room = mr->length - off;
		return mr->addr + off;
	}
	size = 1ull << mr->page_shift;
	off += mr->page_off;
	in = off & (size - 1);
	*room = size - in;
	if (*room > mr->length - (iova - mr->iova))
		*room = mr->length - (iova - mr->iova);
	return (unsigned char *)mr->pages[off >> mr->page_shift] + in;
}

/* Host address of iova if [iova, iova + len) is contiguous in host memory. */
static unsigned char *mr_span(const struct xp_mr *mr, __u64 iova, __u64 len)
{
	__u64 room;
	unsigned char *p = mr_host(mr, iova, &room);

	return room >= len ? p : NULL;
}

void xp_mr_read(const struct xp_mr *mr, __u64 iova, void *buf, __u64 len)
{
	unsigned char *dst = buf;

	while (len) {
		__u64 room;
		const unsigned char *p = mr_host(mr, iova, &room);
		__u64 k = room < len ? room : len;

		memcpy(dst, p, k);
		dst += k;
		iova += k;
		len -= k;
	}
}

void xp_mr_write(struct xp_mr *mr, __u64 iova, const void *buf, __u64 len)
{
	const unsigned char *src = buf;

	while (len) {
		__u64 room;
		unsigned char *p = mr_host(mr, iova, &room);
		__u64 k = room < len ? room : len;

		memcpy(p, src, k);
		src += k;
		iova += k;
		len -= k;
	}
}

static enum xp_mr_err lookup(struct xp_pd *pd, __u32 key, bool remote, __u64 iova, __u64 len,
			     unsigned int need, bool atomic, void **ptr, struct xp_mr **mrp)
{
	enum xp_mr_err err = XP_MR_OK;
	struct xp_mr *mr = NULL;
	unsigned char *p = NULL;

	if (!len)
		goto out;
	if (!pd) {
		err = XP_MR_BAD_PD;
		goto out;
	}
	err = mr_check(pd, key, remote, iova, len, need, &mr);
	if (err)
		goto out_count;
	p = mr_span(mr, iova, len);
	if (atomic && (!p || ((iova | (uintptr_t)p) & 7))) {
		err = XP_MR_MISALIGNED;
		goto out_count;
	}
	if (mrp)
		mr->refs++;
	goto out;

out_count:
	pd->table->errors[err]++;
	mr = NULL;
	p = NULL;
out:
	if (ptr)
		*ptr = p;
	if (mrp)
		*mrp = mr;
	return err;
}

enum xp_mr_err xp_mr_lookup_local(struct xp_pd *pd, __u32 lkey, __u64 iova, __u64 len,
				  unsigned int need, void **ptr, struct xp_mr **mrp)
{
	return lookup(pd, lkey, false, iova, len, need, false, ptr, mrp);
}

enum xp_mr_err xp_mr_lookup_remote(struct xp_pd *pd, __u32 rkey, __u64 iova, __u64 len,
				   unsigned int need, void **ptr, struct xp_mr **mrp)
{
	return lookup(pd, rkey, true, iova, len, need, false, ptr, mrp);
}

enum xp_mr_err xp_mr_lookup_atomic(struct xp_pd *pd, __u32 rkey, __u64 iova, unsigned int need,
				   void **ptr, struct xp_mr **mrp)
{
	return lookup(pd, rkey, true, iova, sizeof(__u64), need, true, ptr, mrp);
}

/* ---- what the transport reports ---- */

int xp_mr_err_nak(enum xp_mr_err err)
{
	switch (err) {
	case XP_MR_BAD_KEY:
	case XP_MR_NOT_VALID:
	case XP_MR_BAD_PD:
	case XP_MR_NO_ACCESS:
	case XP_MR_OUT_OF_RANGE:
		return XP_NAK_REMOTE_ACCESS_ERROR;
	case XP_MR_MISALIGNED:
		return XP_NAK_INVALID_REQUEST;
	default:
		return -EINVAL;
	}
}

enum xp_wc_status xp_mr_err_wc_remote(enum xp_mr_err err)
{
	switch (xp_mr_err_nak(err)) {
	case XP_NAK_REMOTE_ACCESS_ERROR:
		return XP_WC_REM_ACCESS_ERR;
	case XP_NAK_INVALID_REQUEST:
		return XP_WC_REM_INV_REQ_ERR;
	default:
		return err == XP_MR_OK ? XP_WC_SUCCESS : XP_WC_GENERAL_ERR;
	}
}

enum xp_wc_status xp_mr_err_wc_local(enum xp_mr_err err)
{
	if (err == XP_MR_OK)
		return XP_WC_SUCCESS;
	return (unsigned int)err < XP_MR_ERR__MAX ? XP_WC_LOC_PROT_ERR : XP_WC_GENERAL_ERR;
}

int xp_mr_err_recv_nak(enum xp_mr_err err)
{
	if (err == XP_MR_OK || (unsigned int)err >= XP_MR_ERR__MAX)
		return -EINVAL;
	return XP_NAK_REMOTE_OP_ERROR;
}

enum xp_wc_status xp_mr_wr_wc_status(int err)
{
	return err ? XP_WC_LOC_QP_OP_ERR : XP_WC_SUCCESS;
}

enum xp_wc_status xp_mr_send_inv_wc_status(int err)
{
	return err ? XP_WC_REM_INV_REQ_ERR : XP_WC_SUCCESS;
}
