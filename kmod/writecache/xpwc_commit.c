// SPDX-License-Identifier: GPL-2.0
/*
 * The committer: turns queued writes, flushes and discards into records on
 * the cache device (docs/writecache.md, section 3).
 *
 * One committer runs at a time (wc->committing): in the submitter's context
 * for a lone request, else in commit_work. It takes as many queued writes
 * as fit in a record, copies them into its own pages, checksums every
 * block and writes header and data as one bio. At most XPWC_MAX_INFLIGHT
 * records are in flight; what arrives meanwhile shares the next record.
 *
 * Ordering rules that make a crash safe:
 *  - a record with FUA (or a write with PREFLUSH) is submitted only when no
 *    earlier record is in flight, and with REQ_PREFLUSH if an earlier one is
 *    not yet known durable (durable_lpos below it);
 *  - a FLUSH waits until no record is in flight, then flushes the cache
 *    device only if a completed record is not yet durable;
 *  - the index points at a record's blocks only once the record completed.
 */
#include <linux/highmem.h>
#include <linux/libnvdimm.h>
#include <linux/pagemap.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>

#include "xpwc.h"
#include "xpwc_compat.h"

struct xpwc_rec {
	struct list_head list; /* wc->inflight */
	struct xpwc *wc;
	struct bio_list bios; /* user bios completed with it */
	u64 lpos;
	u64 seq, prev_seq;
	u64 first, count; /* discard range */
	unsigned int nr_data;
	unsigned int nocopy; /* data blocks sent from the writes' own pages */
	u32 durable_back; /* the header's claim */
	u16 type;
	bool fua;
	bool preflush;
	bool iflush; /* a checkpoint for autocommit: holds nr_iflush */
	bool done;
	struct page *pages[];
};

struct xpwc_flush {
	struct xpwc *wc;
	struct bio *user; /* NULL: autocommit */
	u64 lpos;
	atomic_t pending;
	bool cache;
	blk_status_t status;
};

u64 xpwc_complete_lpos(struct xpwc *wc)
{
	struct xpwc_rec *r = list_first_entry_or_null(&wc->inflight, struct xpwc_rec, list);

	return r ? r->lpos : wc->head;
}

/* Pages of a record: the largest one's, in SSD mode (header and data). */
static unsigned int xpwc_rec_pages(struct xpwc *wc)
{
	return wc->pmem ? 0 : DIV_ROUND_UP((1 + wc->max_rec_data) * wc->block_size, PAGE_SIZE);
}

/*
 * Records come from a pool made at ctr (XPWC_MAX_INFLIGHT + 1 of them, each
 * with the pages of the largest record in SSD mode), so the I/O path never
 * allocates: an empty pool makes the committer wait for a record to come
 * back, whose return kicks it. The pages stay with their record: taking
 * them from the page allocator per record cost more than the copy (the
 * allocator zeroes every page where init_on_alloc is on, as in Debian).
 */
int xpwc_recs_alloc(struct xpwc *wc)
{
	unsigned int i, k, nr_pages = xpwc_rec_pages(wc);
	struct xpwc_rec *rec;

	for (i = 0; i < XPWC_MAX_INFLIGHT + 1; i++) {
		rec = kzalloc(struct_size(rec, pages, nr_pages), GFP_KERNEL);
		if (!rec)
			return -ENOMEM;
		list_add(&rec->list, &wc->rec_free);
		for (k = 0; k < nr_pages; k++) {
			rec->pages[k] = alloc_page(GFP_KERNEL);
			if (!rec->pages[k])
				return -ENOMEM;
		}
	}
	return 0;
}

/* At dtr, or after a failed xpwc_recs_alloc(). */
void xpwc_recs_free(struct xpwc *wc)
{
	unsigned int k, nr_pages = xpwc_rec_pages(wc);
	struct xpwc_rec *rec, *n;

	list_for_each_entry_safe(rec, n, &wc->rec_free, list) {
		for (k = 0; k < nr_pages && rec->pages[k]; k++)
			__free_page(rec->pages[k]);
		kfree(rec);
	}
	INIT_LIST_HEAD(&wc->rec_free);
}

/* Under lock: a record, or NULL (wait for one). */
static struct xpwc_rec *xpwc_rec_get(struct xpwc *wc)
{
	struct xpwc_rec *rec = list_first_entry_or_null(&wc->rec_free, struct xpwc_rec, list);

	if (!rec) {
		wc->rec_wanted = true;
		return NULL;
	}
	list_del(&rec->list);
	memset(rec, 0, offsetof(struct xpwc_rec, pages));
	rec->wc = wc;
	bio_list_init(&rec->bios);
	return rec;
}

/* Back to the pool; wakes a committer that found it empty. */
static void xpwc_rec_free(struct xpwc_rec *rec)
{
	struct xpwc *wc = rec->wc;
	unsigned long flags;
	bool kick;

	spin_lock_irqsave(&wc->lock, flags);
	list_add(&rec->list, &wc->rec_free);
	kick = wc->rec_wanted;
	wc->rec_wanted = false;
	spin_unlock_irqrestore(&wc->lock, flags);
	if (kick)
		xpwc_commit_kick(wc);
}

/* Where block i of the record is built: our pages, or the pmem itself. */
static void *xpwc_rec_block(struct xpwc *wc, struct xpwc_rec *rec, unsigned int i)
{
	size_t off = (size_t)i * wc->block_size;

	if (wc->pmem)
		return xpwc_pmem_block(wc, xpwc_ring(wc, rec->lpos) + i);
	return page_address(rec->pages[off / PAGE_SIZE]) + off % PAGE_SIZE;
}

void xpwc_commit_kick(struct xpwc *wc)
{
	queue_work(wc->wq, &wc->commit_work);
}

/* ---- completions ---- */

static void xpwc_discard_origin(struct xpwc *wc, struct bio *bio)
{
	if (!bdev_max_discard_sectors(wc->origin->bdev)) {
		bio_endio(bio);
		return;
	}
	bio_set_dev(bio, wc->origin->bdev);
	bio->bi_iter.bi_sector = dm_target_offset(wc->ti, bio->bi_iter.bi_sector);
	submit_bio_noacct(bio);
}

/* Pop completed records off the front of the in-flight list. */
static void xpwc_retire_done(struct xpwc *wc, struct list_head *free)
{
	struct xpwc_rec *r, *n;

	list_for_each_entry_safe(r, n, &wc->inflight, list) {
		if (!r->done)
			break;
		list_move_tail(&r->list, free);
	}
}

/* Under lock: a record's bio completed without error. */
static void xpwc_rec_apply(struct xpwc *wc, struct xpwc_rec *rec)
{
	struct xpwc_slot *h = xpwc_slot_at(wc, rec->lpos);
	unsigned int i;

	h->hdr.time = (u32)jiffies;
	if (rec->type != XPWC_REC_ACTIVATE)
		wc->stats.records++;
	wc->stats.stable_blocks += rec->nocopy;
	if (rec->type == XPWC_REC_DISCARD) {
		xpwc_index_discard(wc, rec->first, rec->count, rec->lpos);
	} else {
		for (i = 0; i < rec->nr_data; i++) {
			if (xpwc_index_insert(wc, xpwc_slot_at(wc, rec->lpos + 1 + i)))
				wc->stats.write_hits++;
			else
				wc->stats.write_misses++;
		}
	}
	if (rec->fua) {
		/* Everything before it was durable or preflushed. */
		wc->durable_lpos = max(wc->durable_lpos, rec->lpos + 1 + rec->nr_data);
		return;
	}
	wc->unflushed_blocks += 1 + rec->nr_data;
	if (wc->unflushed_blocks >= wc->opt.ac_blocks)
		wc->iflush_wanted = true;
	else
		queue_delayed_work(wc->wq, &wc->ac_work, msecs_to_jiffies(wc->opt.ac_time_ms));
}

/* A record is on the device (or failed): update the index, end its bios. */
static void xpwc_rec_done(struct xpwc_rec *rec, blk_status_t status)
{
	struct xpwc *wc = rec->wc;
	struct bio_list done;
	struct xpwc_rec *r, *n;
	struct bio *ub;
	unsigned long flags;
	LIST_HEAD(free);
	bool kick, iflush = rec->iflush;

	bio_list_init(&done);
	bio_list_merge(&done, &rec->bios);

	spin_lock_irqsave(&wc->lock, flags);
	if (status)
		xpwc_set_error_locked(wc, -EIO, "writing a record to the cache device");
	else
		xpwc_rec_apply(wc, rec);
	if (iflush)
		wc->iflush_busy = false;
	rec->done = true;
	wc->nr_inflight--;
	if (rec->type == XPWC_REC_DISCARD)
		wc->discard_busy = false; /* writeback may copy again */
	xpwc_retire_done(wc, &free);
	kick = !bio_list_empty(&wc->pending) || wc->iflush_wanted;
	if (!status && rec->type == XPWC_REC_DISCARD) {
		/* Pass the discards down from process context. */
		bio_list_merge(&wc->deferred, &done);
		bio_list_init(&done);
		queue_work(wc->wq, &wc->deferred_work);
	}
	xpwc_wb_kick_locked(wc);
	spin_unlock_irqrestore(&wc->lock, flags);

	list_for_each_entry_safe(r, n, &free, list)
		xpwc_rec_free(r);
	if (kick)
		xpwc_commit_kick(wc);
	/* Last: once the user bios are done the target may be suspended. */
	while ((ub = bio_list_pop(&done))) {
		ub->bi_status = status ? BLK_STS_IOERR : BLK_STS_OK;
		bio_endio(ub);
	}
	/* An autocommit checkpoint (rec is back in the pool: not read). */
	if (iflush && atomic_dec_and_test(&wc->nr_iflush))
		wake_up_var(&wc->nr_iflush);
}

static void xpwc_rec_endio(struct bio *bio)
{
	struct xpwc_rec *rec = bio->bi_private;
	blk_status_t status = bio->bi_status;

	bio_put(bio);
	xpwc_rec_done(rec, status);
}

static void xpwc_flush_endio(struct bio *bio)
{
	struct xpwc_flush *f = bio->bi_private;
	struct xpwc *wc = f->wc;
	bool cache = bio->bi_bdev == wc->cache->bdev;
	struct bio *user = f->user;
	blk_status_t status;
	unsigned long flags;

	if (!cache) {
		spin_lock_irqsave(&wc->lock, flags);
		wc->origin_flushes--;
		spin_unlock_irqrestore(&wc->lock, flags);
	}
	if (bio->bi_status) {
		f->status = BLK_STS_IOERR;
		xpwc_set_error(wc, -EIO,
			       cache ? "flushing the cache device" : "flushing the origin device");
	}
	bio_put(bio);
	if (!atomic_dec_and_test(&f->pending))
		return;

	spin_lock_irqsave(&wc->lock, flags);
	if (!f->status && f->cache)
		wc->durable_lpos = max(wc->durable_lpos, f->lpos);
	if (!user)
		wc->iflush_busy = false;
	spin_unlock_irqrestore(&wc->lock, flags);
	status = f->status;
	kfree(f);
	xpwc_commit_kick(wc);
	/*
	 * Last touch of wc: a user flush holds the target until it ends; for
	 * an autocommit flush, postsuspend and dtr wait for nr_iflush to reach
	 * zero (wake_up_var only hashes the address) before freeing wc.
	 */
	if (user) {
		user->bi_status = status;
		bio_endio(user);
	} else if (atomic_dec_and_test(&wc->nr_iflush)) {
		wake_up_var(&wc->nr_iflush);
	}
}

/* ---- building records ---- */

/*
 * SSD: may a page of a write go to the cache device as it is, checksummed
 * where it lies? Only if it cannot change before the record's bio ends: a
 * page-cache page under writeback to this device (its owner is our disk),
 * whose mapping waits for writeback to end before a page changes (stable
 * writes: xpcache asks for them in SSD mode, xpwc_target.c). Writeback
 * ends when the caller's bio does, after ours. Anything else (O_DIRECT
 * buffers, pages of other devices or without stable writes, buffer-head
 * metadata not marked for writeback) may change in flight and is copied:
 * a CRC that no longer matches its block would make recovery drop the
 * record, and every record after it, as torn.
 */
static bool xpwc_page_stable(struct xpwc *wc, struct page *page)
{
	struct folio *folio = page_folio(page);
	struct address_space *mapping;
	struct block_device *bdev;
	struct inode *host;

	if (!folio_test_writeback(folio))
		return false;
	mapping = folio_mapping(folio); /* a swap cache page: no host */
	if (!mapping || !mapping_stable_writes(mapping) || !mapping->host)
		return false;
	host = mapping->host;
	bdev = S_ISBLK(host->i_mode) ? I_BDEV(host) : host->i_sb->s_bdev;
	return bdev && bdev->bd_disk == wc->disk;
}

/* SSD: the segments of bio if all its pages are stable, else 0. */
static unsigned int xpwc_stable_segs(struct xpwc *wc, struct bio *bio)
{
	struct bvec_iter iter;
	struct bio_vec bv;
	unsigned int n = 0;

	bio_for_each_segment(bv, bio, iter) {
		if (!xpwc_page_stable(wc, bv.bv_page))
			return 0;
		n++;
	}
	return n;
}

/*
 * SSD: vecs that the rest of the data, left bytes, takes if it is copied
 * from cdst on, after a vec that it cannot extend. Copies are placed one
 * after the other, so bio_add_page() makes one run of them a vec per page.
 */
static unsigned int xpwc_copy_vecs(size_t cdst, size_t left)
{
	return left ? DIV_ROUND_UP(cdst % PAGE_SIZE + left, PAGE_SIZE) : 0;
}

/* SSD: bytes [from, to) of the record's pages go next in bio. */
static void xpwc_bio_add_rec(struct bio *bio, struct xpwc_rec *rec, size_t from, size_t to)
{
	while (from < to) {
		unsigned int off = from % PAGE_SIZE;
		unsigned int len = min_t(size_t, to - from, PAGE_SIZE - off);

		if (WARN_ON_ONCE(bio_add_page(bio, rec->pages[from / PAGE_SIZE], len, off) != len))
			return; /* xpwc_rec_build reserved the vecs */
		from += len;
	}
}

/*
 * SSD: copy a piece of a block (it never crosses a page: block_size is at
 * most PAGE_SIZE) to *cdst in the record's pages; returns the copy. A whole
 * page goes by copy_page(), which moves 8 bytes per step where memcpy()
 * may move one (rep movsb, byte by byte under emulators such as TCG).
 */
static void *xpwc_rec_copy(struct xpwc_rec *rec, size_t *cdst, const void *p, unsigned int len)
{
	void *to = page_address(rec->pages[*cdst / PAGE_SIZE]) + *cdst % PAGE_SIZE;

	if (len == PAGE_SIZE && PAGE_ALIGNED(p))
		copy_page(to, (void *)p); /* its source is not const */
	else
		memcpy(to, p, len);
	*cdst += len;
	return to;
}

/*
 * Fill and checksum the header (its used bytes: format version 2) after
 * the data blocks.
 *
 * SSD: the data goes into bio (header first, then the blocks in log
 * order). A write whose pages are stable goes as it is, checksummed in
 * place; any other write is copied into the record's pages, one block
 * after the other behind the header, and checksummed piece by piece right
 * after the copy, while it is in the CPU's cache. The CRC is then of the
 * copy, never of pages that may change under an O_DIRECT write. Header
 * and data go out as one bio; the CRCs tell a torn one.
 *
 * pmem (bio NULL): straight into the mapping (xpwc_pmem_copy), a fence,
 * then the header and a second fence. The header is stored only once the
 * data is durable, so a header that survived proves its data did: no CRCs
 * (XPWC_REC_ORDERED), no reading back, and only the used bytes stored.
 */
static void xpwc_rec_build(struct xpwc *wc, struct xpwc_rec *rec, struct bio *bio)
{
	struct xpwc_rec_disk *h = wc->pmem ? wc->pmem_hdr : xpwc_rec_block(wc, rec, 0);
	unsigned int bs = wc->block_size, i = 0, nocopy = 0;
	u32 nr = rec->type == XPWC_REC_DISCARD ? 1 : rec->nr_data, used = xpwc_rec_used(nr);
	size_t dst = bs; /* byte offset in the record */
	size_t cdst = bs; /* SSD: where the next copy goes in the record's pages */
	size_t left = (size_t)rec->nr_data * bs; /* bytes of data still to place */
	u32 crc = ~0U; /* of the data block being filled */
	struct bio *ub;

	memset(h, 0, used); /* the rest of the block is never read */
	h->magic = cpu_to_le32(XPWC_REC_MAGIC);
	h->version = cpu_to_le16(XPWC_VERSION);
	h->type = cpu_to_le16(rec->type);
	h->seq = cpu_to_le64(rec->seq);
	h->prev_seq = cpu_to_le64(rec->prev_seq);
	h->lpos = cpu_to_le64(rec->lpos);
	memcpy(h->uuid, wc->uuid, sizeof(h->uuid));
	h->nr = cpu_to_le32(nr);
	h->flags = cpu_to_le32((rec->fua ? XPWC_REC_FUA : 0) | (wc->pmem ? XPWC_REC_ORDERED : 0));
	h->durable_back = cpu_to_le32(rec->durable_back);
	if (bio)
		xpwc_bio_add_rec(bio, rec, 0, bs);

	if (rec->type == XPWC_REC_DISCARD) {
		h->entries[0].oblock = cpu_to_le64(rec->first);
		h->entries[0].count = cpu_to_le64(rec->count);
		goto out_crc;
	}
	if (rec->type == XPWC_REC_ACTIVATE)
		goto out_crc; /* a checkpoint: the header alone */

	bio_list_for_each(ub, &rec->bios) {
		u64 ob = dm_target_offset(wc->ti, ub->bi_iter.bi_sector) >> wc->sect_shift;
		unsigned int nb = bio_sectors(ub) >> wc->sect_shift, k, segs = 0;
		size_t from = cdst;
		struct bvec_iter iter;
		struct bio_vec bv;
		bool copy = true;

		for (k = 0; k < nb; k++, i++)
			h->entries[i].oblock = cpu_to_le64(ob + k);
		left -= (size_t)nb * bs;
		if (bio) {
			/* As it is only if what follows still fits when copied. */
			segs = xpwc_stable_segs(wc, ub);
			copy = !segs ||
			       bio->bi_max_vecs - bio->bi_vcnt < segs + xpwc_copy_vecs(cdst, left);
		}
		bio_for_each_segment(bv, ub, iter) {
			unsigned int done = 0;
			void *src = bvec_kmap_local(&bv);

			while (done < bv.bv_len) {
				unsigned int len =
					min_t(unsigned int, bv.bv_len - done, bs - dst % bs);
				void *p = src + done;

				if (!bio) {
					xpwc_pmem_copy(wc,
						       xpwc_rec_block(wc, rec, dst / bs) + dst % bs,
						       p, len);
				} else {
					if (copy)
						p = xpwc_rec_copy(rec, &cdst, p, len);
					crc = xpwc_crc32c(crc, p, len);
				}
				done += len;
				dst += len;
				if (bio && dst % bs == 0) {
					h->entries[dst / bs - 2].crc = cpu_to_le32(crc);
					crc = ~0U;
				}
			}
			kunmap_local(src);
			if (bio && !copy)
				__bio_add_page(bio, bv.bv_page, bv.bv_len, bv.bv_offset);
		}
		if (bio && copy)
			xpwc_bio_add_rec(bio, rec, from, cdst);
		else if (bio)
			nocopy += nb;
	}
	if (wc->pmem)
		pmem_wmb(); /* the data is durable before any of the header */
out_crc:
	h->crc = cpu_to_le32(xpwc_rec_crc(h, used));
	if (wc->pmem) {
		xpwc_pmem_copy(wc, xpwc_rec_block(wc, rec, 0), h, used);
		pmem_wmb();
	}
	rec->nocopy = nocopy;
}

/*
 * Write the record: one bio (of up to BIO_MAX_VECS: writes sent as they
 * are bring their own segments), or on pmem it is already there.
 */
static void xpwc_rec_write(struct xpwc *wc, struct xpwc_rec *rec)
{
	blk_opf_t opf = REQ_OP_WRITE | REQ_SYNC;
	struct bio *bio;

	if (wc->pmem) {
		xpwc_rec_build(wc, rec, NULL);
		xpwc_rec_done(rec, BLK_STS_OK);
		return;
	}
	if (rec->fua)
		opf |= REQ_FUA;
	if (rec->preflush)
		opf |= REQ_PREFLUSH;
	bio = bio_alloc_bioset(wc->cache->bdev, rec->nr_data ? BIO_MAX_VECS : 1, opf, GFP_NOIO,
			       &wc->bs);
	bio->bi_iter.bi_sector = xpwc_slot_sector(wc, xpwc_ring(wc, rec->lpos));
	bio->bi_private = rec;
	bio->bi_end_io = xpwc_rec_endio;
	xpwc_rec_build(wc, rec, bio);
	submit_bio_noacct(bio);
}

/*
 * Under lock: find room for a record of n blocks at the head (a record
 * never wraps: it may skip to the ring's start). Returns its position, or
 * U64_MAX if writeback must free space or raise seq_limit first.
 */
static u64 xpwc_reserve(struct xpwc *wc, unsigned int n)
{
	u64 pos = wc->head, ring = xpwc_ring(wc, pos);

	if (ring + n > wc->log_blocks)
		pos += wc->log_blocks - ring;
	if (pos + n - wc->tail > wc->log_blocks || wc->next_seq >= wc->seq_limit) {
		wc->space_wanted = true;
		xpwc_wb_kick_locked(wc);
		return U64_MAX;
	}
	return pos;
}

/* Under lock: give the record its position, sequence number and slots. */
static void xpwc_rec_place(struct xpwc *wc, struct xpwc_rec *rec, u64 pos)
{
	struct xpwc_slot *h;
	u64 claim;

	if (rec->fua) {
		/* No earlier record is in flight (xpwc_commit checked). */
		rec->preflush = wc->durable_lpos < wc->head;
		if (rec->preflush) {
			wc->unflushed_blocks = 0;
			wc->stats.cache_flushes++;
		}
	}
	for (; wc->head < pos; wc->head++)
		xpwc_slot_at(wc, wc->head)->oblock = XPWC_SLOT_PAD;
	/*
	 * The header says how much before it is durable: everything, if its
	 * bio flushes first; else what earlier flushes and FUA records made so.
	 */
	claim = rec->preflush ? pos : wc->durable_lpos;
	wc->claim_lpos = max(wc->claim_lpos, claim);
	rec->durable_back = pos - claim < XPWC_NO_CLAIM ? pos - claim : XPWC_NO_CLAIM;
	rec->lpos = pos;
	rec->seq = wc->next_seq++;
	rec->prev_seq = wc->last_seq;
	wc->last_seq = rec->seq;
	h = xpwc_slot_at(wc, pos);
	h->oblock = XPWC_SLOT_HDR;
	h->hdr.seq = rec->seq;
	h->hdr.nr = rec->nr_data;
	h->hdr.type = rec->type;
	h->hdr.time = (u32)jiffies;
	wc->head = pos + 1 + rec->nr_data;
	list_add_tail(&rec->list, &wc->inflight);
	wc->nr_inflight++;
}

/*
 * Under lock: the writes at the front of the queue that go into one record.
 * A write with FUA or PREFLUSH joins a record only if it can be a FUA
 * record now (nothing in flight) or it is first (then the record waits).
 */
static unsigned int xpwc_gather(struct xpwc *wc, unsigned int *nbios, bool *fua)
{
	unsigned int blocks = 0, n = 0;
	struct bio *bio;

	*fua = false;
	for (bio = wc->pending.head; bio; bio = bio->bi_next) {
		unsigned int nb = bio_sectors(bio) >> wc->sect_shift;
		bool f = bio->bi_opf & (REQ_FUA | REQ_PREFLUSH);

		if (xpwc_io(bio)->kind != XPWC_IO_WRITE || blocks + nb > wc->max_rec_data)
			break;
		if (f && n && !list_empty(&wc->inflight))
			break;
		blocks += nb;
		n++;
		*fua |= f;
	}
	*nbios = n;
	return blocks;
}

/* Under lock, dropped and retaken: one data record. false: must wait. */
static bool xpwc_commit_writes(struct xpwc *wc)
{
	unsigned int blocks, nbios, i;
	struct xpwc_rec *rec;
	struct bio *bio;
	bool fua;
	u64 pos;

	if (wc->nr_inflight >= XPWC_MAX_INFLIGHT)
		return false;
	blocks = xpwc_gather(wc, &nbios, &fua);
	if (fua && !list_empty(&wc->inflight))
		return false;
	pos = xpwc_reserve(wc, 1 + blocks);
	if (pos == U64_MAX)
		return false;
	rec = xpwc_rec_get(wc);
	if (!rec)
		return false;
	rec->type = XPWC_REC_DATA;
	rec->nr_data = blocks;
	rec->fua = fua || wc->pmem; /* a pmem record is durable at once */
	for (i = 0; i < nbios; i++)
		bio_list_add(&rec->bios, bio_list_pop(&wc->pending));
	xpwc_rec_place(wc, rec, pos);
	i = 0;
	bio_list_for_each(bio, &rec->bios) {
		u64 ob = dm_target_offset(wc->ti, bio->bi_iter.bi_sector) >> wc->sect_shift;
		unsigned int nb = bio_sectors(bio) >> wc->sect_shift, k;

		for (k = 0; k < nb; k++, i++) {
			struct xpwc_slot *s = xpwc_slot_at(wc, pos + 1 + i);

			RB_CLEAR_NODE(&s->node);
			s->oblock = ob + k;
		}
	}
	spin_unlock_irq(&wc->lock);

	xpwc_rec_write(wc, rec);
	spin_lock_irq(&wc->lock);
	return true;
}

/* Under lock, dropped and retaken: the discard at the front. */
static bool xpwc_commit_discard(struct xpwc *wc)
{
	struct bio *bio = wc->pending.head;
	u64 first = dm_target_offset(wc->ti, bio->bi_iter.bi_sector) >> wc->sect_shift;
	u64 count = bio_sectors(bio) >> wc->sect_shift;
	struct xpwc_rec *rec;
	u64 pos;

	if (!xpwc_index_any(wc, first, count)) {
		/* Nothing cached there: straight to the origin. */
		bio_list_pop(&wc->pending);
		wc->stats.discards++;
		spin_unlock_irq(&wc->lock);
		xpwc_discard_origin(wc, bio);
		spin_lock_irq(&wc->lock);
		return true;
	}
	/*
	 * Its record must complete after every earlier write's, and not while
	 * a writeback batch copies blocks: once the discard completes, a write
	 * to the range may go straight to the origin (cleaner mode) or be
	 * written back later, and a copy still in flight would land on top of
	 * it. The batch kicks the committer when it ends; no batch starts
	 * while this record is being built or in flight (discard_busy).
	 */
	if (!list_empty(&wc->inflight) || wc->wb_blocks)
		return false;
	pos = xpwc_reserve(wc, 1);
	if (pos == U64_MAX)
		return false;
	rec = xpwc_rec_get(wc);
	if (!rec)
		return false;
	wc->discard_busy = true;
	rec->type = XPWC_REC_DISCARD;
	rec->fua = wc->pmem;
	rec->first = first;
	rec->count = count;
	bio_list_add(&rec->bios, bio_list_pop(&wc->pending));
	wc->stats.discards++;
	xpwc_rec_place(wc, rec, pos);
	spin_unlock_irq(&wc->lock);

	xpwc_rec_write(wc, rec);
	spin_lock_irq(&wc->lock);
	return true;
}

/*
 * Under lock: a flush should be a checkpoint (xpwc_commit_checkpoint): at
 * least XPWC_CHECKPOINT_BLOCKS of log unclaimed, and room for one block
 * and one sequence number.
 */
static bool xpwc_checkpoint_due(struct xpwc *wc)
{
	return wc->head - wc->claim_lpos >= XPWC_CHECKPOINT_BLOCKS &&
	       wc->head - wc->tail < wc->log_blocks && wc->next_seq < wc->seq_limit;
}

/*
 * Under lock, dropped and retaken; nothing in flight, a flush due and the
 * origin clean. A flush makes records durable, but only a later header
 * can say so (its claim), and until one does, recovery after a crash
 * checks the data of every record since the last claim. If that is at
 * least XPWC_CHECKPOINT_BLOCKS, the flush is a checkpoint instead: a
 * header-only record of the activation type, PREFLUSH|FUA, which claims
 * the whole log before it and completes user (NULL: autocommit) when it
 * is written. A block of log per such flush bounds what recovery reads
 * after the last one. false: a plain flush is needed (no room, no record).
 */
static bool xpwc_commit_checkpoint(struct xpwc *wc, struct bio *user)
{
	struct xpwc_rec *rec;
	u64 pos = wc->head;

	if (!xpwc_checkpoint_due(wc))
		return false;
	rec = xpwc_rec_get(wc);
	if (!rec)
		return false;
	rec->type = XPWC_REC_ACTIVATE;
	rec->fua = true; /* and preflush: an earlier record is not durable */
	if (user) {
		bio_list_add(&rec->bios, user);
	} else {
		rec->iflush = true;
		atomic_inc(&wc->nr_iflush); /* no user bio holds the target */
	}
	xpwc_rec_place(wc, rec, pos);
	spin_unlock_irq(&wc->lock);

	xpwc_rec_write(wc, rec);
	spin_lock_irq(&wc->lock);
	return true;
}

/*
 * Under lock, dropped and retaken; nothing in flight. Make every completed
 * record durable (if one is not) and the origin's passed-through writes
 * (if any), then complete user (NULL for autocommit).
 */
static void xpwc_issue_flush(struct xpwc *wc, struct bio *user)
{
	struct xpwc_flush *f;
	struct bio *b;
	bool origin;

	/*
	 * An origin flush still in flight was issued before this FLUSH, and
	 * writes around the cache may have completed since: flush again.
	 */
	if (wc->durable_lpos < wc->head && !wc->origin_dirty && !wc->origin_flushes &&
	    xpwc_commit_checkpoint(wc, user))
		return;

	f = kzalloc(sizeof(*f), GFP_NOWAIT);
	if (!f) {
		spin_unlock_irq(&wc->lock);
		f = kzalloc(sizeof(*f), GFP_NOIO | __GFP_NOFAIL);
		spin_lock_irq(&wc->lock);
	}
	f->wc = wc;
	f->user = user;
	f->lpos = wc->head;
	f->cache = wc->durable_lpos < wc->head;
	origin = wc->origin_dirty || wc->origin_flushes;
	wc->origin_dirty = false;
	if (origin)
		wc->origin_flushes++;
	if (f->cache) {
		wc->unflushed_blocks = 0;
		wc->stats.cache_flushes++;
	}
	if (!f->cache && !origin) {
		if (!user)
			wc->iflush_busy = false;
		spin_unlock_irq(&wc->lock);
		kfree(f);
		if (user)
			bio_endio(user);
		spin_lock_irq(&wc->lock);
		return;
	}
	atomic_set(&f->pending, f->cache + origin);
	if (!user)
		atomic_inc(&wc->nr_iflush); /* no user bio holds the target */
	spin_unlock_irq(&wc->lock);

	if (f->cache) {
		b = bio_alloc_bioset(wc->cache->bdev, 0, REQ_OP_WRITE | REQ_PREFLUSH | REQ_SYNC,
				     GFP_NOIO, &wc->bs);
		b->bi_private = f;
		b->bi_end_io = xpwc_flush_endio;
		submit_bio_noacct(b);
	}
	if (origin) {
		b = bio_alloc_bioset(wc->origin->bdev, 0, REQ_OP_WRITE | REQ_PREFLUSH | REQ_SYNC,
				     GFP_NOIO, &wc->bs);
		b->bi_private = f;
		b->bi_end_io = xpwc_flush_endio;
		submit_bio_noacct(b);
	}
	spin_lock_irq(&wc->lock);
}

/*
 * Run the committer. In the submitter's context (direct) build at most one
 * record and leave the rest to commit_work: bios we submit there are only
 * dispatched once map returns.
 */
static void xpwc_commit(struct xpwc *wc, bool direct)
{
	struct bio_list fail;
	unsigned int budget = direct ? 1 : UINT_MAX;
	struct bio *bio;

	spin_lock_irq(&wc->lock);
	if (wc->committing) {
		spin_unlock_irq(&wc->lock);
		return;
	}
	wc->committing = true;
	for (;;) {
		if (wc->error && !bio_list_empty(&wc->pending)) {
			fail = wc->pending;
			bio_list_init(&wc->pending);
			spin_unlock_irq(&wc->lock);
			while ((bio = bio_list_pop(&fail)))
				bio_io_error(bio);
			spin_lock_irq(&wc->lock);
			continue;
		}
		if (!budget) {
			if (!bio_list_empty(&wc->pending) || wc->iflush_wanted)
				xpwc_commit_kick(wc);
			break;
		}
		/* None after postsuspend stopped us: it flushes itself. */
		if (wc->iflush_wanted && !wc->iflush_busy && !wc->error && !wc->wb_stopped) {
			if (!list_empty(&wc->inflight))
				break;
			wc->iflush_wanted = false;
			wc->iflush_busy = true;
			xpwc_issue_flush(wc, NULL);
			budget--;
			continue;
		}
		bio = bio_list_peek(&wc->pending);
		if (!bio)
			break;
		switch (xpwc_io(bio)->kind) {
		case XPWC_IO_FLUSH:
			if (!list_empty(&wc->inflight))
				goto out;
			bio_list_pop(&wc->pending);
			wc->stats.flushes++;
			xpwc_issue_flush(wc, bio);
			break;
		case XPWC_IO_DISCARD:
			if (!xpwc_commit_discard(wc))
				goto out;
			break;
		default:
			if (!xpwc_commit_writes(wc))
				goto out;
			break;
		}
		budget--;
	}
out:
	wc->committing = false;
	spin_unlock_irq(&wc->lock);
}

void xpwc_commit_work(struct work_struct *work)
{
	xpwc_commit(container_of(work, struct xpwc, commit_work), false);
}

/* Hand a write, flush or discard to the committer. */
void xpwc_queue_bio(struct xpwc *wc, struct bio *bio, bool direct)
{
	unsigned long flags;

	spin_lock_irqsave(&wc->lock, flags);
	bio_list_add(&wc->pending, bio);
	spin_unlock_irqrestore(&wc->lock, flags);
	if (direct)
		xpwc_commit(wc, true);
	else
		xpwc_commit_kick(wc);
}

/* Discards whose record completed go down to the origin from here. */
void xpwc_deferred_work(struct work_struct *work)
{
	struct xpwc *wc = container_of(work, struct xpwc, deferred_work);
	struct bio_list list;
	struct bio *bio;

	spin_lock_irq(&wc->lock);
	list = wc->deferred;
	bio_list_init(&wc->deferred);
	spin_unlock_irq(&wc->lock);
	while ((bio = bio_list_pop(&list)))
		xpwc_discard_origin(wc, bio);
}

/* autocommit_time: written data becomes durable at most this late. */
void xpwc_ac_work(struct work_struct *work)
{
	struct xpwc *wc = container_of(to_delayed_work(work), struct xpwc, ac_work);
	bool kick;

	spin_lock_irq(&wc->lock);
	kick = wc->unflushed_blocks && !wc->error && !wc->wb_stopped;
	if (kick)
		wc->iflush_wanted = true;
	spin_unlock_irq(&wc->lock);
	if (kick)
		xpwc_commit_kick(wc);
}

/*
 * Suspend: everything completed becomes durable, synchronously; by a
 * checkpoint (xpwc_write_activation(): the same header-only record) when
 * much of the log is unclaimed, so that a reload's recovery, or one after
 * a later crash, does not check that data again.
 */
int xpwc_flush_cache_sync(struct xpwc *wc)
{
	bool cache, origin, checkpoint;
	unsigned int noio;
	u64 head;
	int r = 0;

	spin_lock_irq(&wc->lock);
	head = wc->head;
	cache = wc->durable_lpos < head;
	checkpoint = cache && xpwc_checkpoint_due(wc);
	origin = wc->origin_dirty;
	wc->origin_dirty = false;
	if (cache && !checkpoint)
		wc->stats.cache_flushes++; /* a checkpoint counts its own */
	spin_unlock_irq(&wc->lock);
	if (checkpoint) {
		noio = memalloc_noio_save(); /* suspended: reclaim must not write here */
		r = xpwc_write_activation(wc);
		memalloc_noio_restore(noio);
	} else if (cache) {
		r = blkdev_issue_flush(wc->cache->bdev);
	}
	if (r) {
		xpwc_set_error(wc, r, "flushing the cache device");
		return r;
	}
	if (cache) {
		spin_lock_irq(&wc->lock);
		wc->durable_lpos = max(wc->durable_lpos, head);
		wc->unflushed_blocks = 0;
		spin_unlock_irq(&wc->lock);
	}
	if (origin) {
		r = blkdev_issue_flush(wc->origin->bdev);
		if (r)
			xpwc_set_error(wc, r, "flushing the origin device");
	}
	return r;
}
