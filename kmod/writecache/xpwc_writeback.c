// SPDX-License-Identifier: GPL-2.0
/*
 * Writeback: copy the oldest records' blocks to the origin and move the
 * persisted tail past them (docs/writecache.md, section 5). One batch:
 *
 *   1. from the tail, take completed records; copy each block that is the
 *      newest copy of its origin block, or whose newer copy is in a record
 *      beyond the complete prefix (not yet known to survive a crash);
 *   2. sort by origin block; copy through a buffer in two halves: read
 *      the runs contiguous on both devices into one half (pmem: copy them
 *      out of the mapping) while the other half's writes to the origin
 *      run, with FUA if the table says fua;
 *   3. flush the origin (nofua);
 *   4. write the superblock with the new tail, PREFLUSH|FUA (the preflush
 *      makes the records that superseded skipped blocks durable);
 *   5. drop the copied blocks from the index, wait for reads pinned in the
 *      old read epoch, release the space.
 */
#include <linux/sort.h>
#include <linux/uaccess.h>

#include "xpwc.h"
#include "xpwc_compat.h"

/* The I/O of one phase of a window: counted, first error kept. */
struct xpwc_wb_io {
	atomic_t pending;
	int error;
	struct completion done;
};

static u64 xpwc_pct(struct xpwc *wc, unsigned int pct)
{
	return div_u64(wc->log_blocks * pct, 100);
}

/* The header of the oldest record, or NULL if the log is empty. */
static struct xpwc_slot *xpwc_oldest(struct xpwc *wc, u64 *lpos)
{
	u64 pos = wc->tail;

	while (pos < wc->head) {
		struct xpwc_slot *s = xpwc_slot_at(wc, pos);

		if (s->oblock == XPWC_SLOT_HDR) {
			*lpos = pos;
			return s;
		}
		pos++;
	}
	return NULL;
}

static bool xpwc_too_old(struct xpwc *wc, const struct xpwc_slot *h)
{
	return wc->opt.max_age_ms &&
	       (u32)jiffies - h->hdr.time >= msecs_to_jiffies(wc->opt.max_age_ms);
}

static bool xpwc_seq_low(struct xpwc *wc)
{
	return wc->next_seq + XPWC_SEQ_WINDOW / 2 >= wc->seq_limit;
}

/* Under lock: should the record at pos (and the ones after) go back now? */
static bool xpwc_wb_reason(struct xpwc *wc, u64 pos, const struct xpwc_slot *h)
{
	u64 left = wc->head - pos;

	if (wc->cleaner || wc->wb_target > pos || wc->space_wanted)
		return true;
	if (left >= xpwc_pct(wc, wc->opt.high_wm) ||
	    (wc->wb_active && left > xpwc_pct(wc, wc->opt.low_wm)))
		return true;
	return h && xpwc_too_old(wc, h);
}

static bool xpwc_wb_wanted(struct xpwc *wc)
{
	u64 lpos;

	if (xpwc_seq_low(wc))
		return true;
	if (wc->head == wc->tail)
		return false;
	return xpwc_wb_reason(wc, wc->tail, xpwc_oldest(wc, &lpos));
}

void xpwc_wb_kick_locked(struct xpwc *wc)
{
	if (!wc->wb_stopped && !wc->error && xpwc_wb_wanted(wc))
		queue_work(wc->wb_wq, &wc->wb_work);
}

void xpwc_wb_kick(struct xpwc *wc)
{
	spin_lock_irq(&wc->lock);
	xpwc_wb_kick_locked(wc);
	spin_unlock_irq(&wc->lock);
}

static int xpwc_wb_cmp(const void *a, const void *b)
{
	const struct xpwc_wb_item *x = a, *y = b;

	if (x->oblock != y->oblock)
		return x->oblock < y->oblock ? -1 : 1;
	/* Newest first, so deduplication keeps it. */
	if (x->lpos != y->lpos)
		return x->lpos > y->lpos ? -1 : 1;
	return 0;
}

/*
 * Under lock: collect one batch from the tail. Returns the number of items;
 * *end is the position after the last record taken, *prev its seq.
 */
static unsigned int xpwc_wb_collect(struct xpwc *wc, u64 complete, u64 *end, u64 *prev)
{
	unsigned int n = 0, i;
	u64 pos = wc->tail;

	*prev = wc->last_retired_seq;
	while (pos < complete && n < wc->opt.wb_jobs) {
		struct xpwc_slot *h = xpwc_slot_at(wc, pos);

		if (h->oblock == XPWC_SLOT_PAD) {
			pos++;
			continue;
		}
		if (!xpwc_wb_reason(wc, pos, h))
			break;
		for (i = 0; i < h->hdr.nr; i++) {
			u64 lpos = pos + 1 + i;
			struct xpwc_slot *s = xpwc_slot_at(wc, lpos), *cur;

			if (RB_EMPTY_NODE(&s->node)) {
				cur = xpwc_index_lookup(wc, s->oblock);
				if (!cur || xpwc_slot_lpos(wc, cur) < complete)
					continue;
			}
			wc->wb_items[n].oblock = s->oblock;
			wc->wb_items[n].lpos = lpos;
			wc->wb_items[n].slot = xpwc_slot_nr(wc, s);
			n++;
		}
		*prev = h->hdr.seq;
		pos += 1 + h->hdr.nr;
	}
	*end = pos;
	return n;
}

/* Sort by origin block and keep the newest copy of each; returns how many. */
static unsigned int xpwc_wb_sort(struct xpwc *wc, unsigned int n)
{
	struct xpwc_wb_item *it = wc->wb_items;
	unsigned int i, m = 0;

	sort(it, n, sizeof(*it), xpwc_wb_cmp, NULL);
	for (i = 0; i < n; i++)
		if (!m || it[i].oblock != it[m - 1].oblock)
			it[m++] = it[i];
	return m;
}

static void xpwc_wb_io_done(unsigned long error, void *context)
{
	struct xpwc_wb_io *io = context;

	if (error)
		WRITE_ONCE(io->error, -EIO);
	if (atomic_dec_and_test(&io->pending))
		complete(&io->done);
}
XPWC_DM_IO_NOTIFY(xpwc_wb_io_done)

/* Start one transfer between buf and sectors of bdev. */
static void xpwc_wb_submit(struct xpwc *wc, struct xpwc_wb_io *io, struct block_device *bdev,
			   sector_t sector, sector_t count, void *buf, blk_opf_t opf)
{
	struct dm_io_region where = { .bdev = bdev, .sector = sector, .count = count };
	struct dm_io_request req = {
		.bi_opf = opf,
		.mem.type = DM_IO_VMA,
		.mem.ptr.vma = buf,
		.notify.fn = xpwc_wb_io_done_dm_io,
		.notify.context = io,
		.client = wc->dm_io,
	};

	atomic_inc(&io->pending);
	if (xpwc_dm_io(&req, 1, &where, NULL))
		xpwc_wb_io_done(1, io);
}

/* The end of the run that starts at item i: contiguous on both devices. */
static unsigned int xpwc_wb_run(struct xpwc *wc, unsigned int i, unsigned int end)
{
	struct xpwc_wb_item *it = wc->wb_items;
	unsigned int j;

	for (j = i + 1; j < end; j++)
		if (it[j].oblock != it[j - 1].oblock + 1 || it[j].slot != it[j - 1].slot + 1)
			break;
	return j;
}

static void xpwc_wb_io_init(struct xpwc_wb_io *io)
{
	io->error = 0;
	atomic_set(&io->pending, 1);
	init_completion(&io->done);
}

/* Wait for the transfers of io; 0 or -EIO. */
static int xpwc_wb_io_wait(struct xpwc_wb_io *io)
{
	if (!atomic_dec_and_test(&io->pending))
		wait_for_completion(&io->done);
	return READ_ONCE(io->error);
}

/*
 * Start one phase over items [first, end), which sit at buf in that order:
 * read them from the cache (pmem: copy them out of the mapping, done when
 * this returns) or write them to the origin.
 */
static void xpwc_wb_start(struct xpwc *wc, struct xpwc_wb_io *io, void *buf, unsigned int first,
			  unsigned int end, bool write)
{
	struct xpwc_wb_item *it = wc->wb_items;
	unsigned int i, j;

	for (i = first; i < end; i = j) {
		void *at = buf + (size_t)(i - first) * wc->block_size;
		size_t len;

		j = xpwc_wb_run(wc, i, end);
		len = (size_t)(j - i) * wc->block_size;
		if (write)
			xpwc_wb_submit(wc, io, wc->origin->bdev, it[i].oblock << wc->sect_shift,
				       len >> SECTOR_SHIFT, at,
				       REQ_OP_WRITE | (wc->opt.fua ? REQ_FUA : 0));
		else if (!wc->pmem)
			xpwc_wb_submit(wc, io, wc->cache->bdev, xpwc_slot_sector(wc, it[i].slot),
				       len >> SECTOR_SHIFT, at, REQ_OP_READ);
		else if (copy_mc_to_kernel(at, xpwc_pmem_block(wc, it[i].slot), len))
			io->error = -EIO;
	}
}

/*
 * Copy the m sorted items to the origin through the two halves of the
 * buffer: a half is read while the other half's writes run. With fua each
 * write is durable when it completes; else the caller flushes the origin.
 */
static int xpwc_wb_copy(struct xpwc *wc, unsigned int m)
{
	unsigned int half = wc->wb_buf_blocks / 2, i, end, k = 0;
	struct xpwc_wb_io rd, wr[2];
	bool busy[2] = { false, false };
	const char *what = NULL;
	int r = 0, w;

	for (i = 0; i < m; i = end, k ^= 1) {
		void *buf = wc->wb_buf + (size_t)k * half * wc->block_size;

		end = min(m, i + half);
		if (busy[k]) {
			busy[k] = false;
			r = xpwc_wb_io_wait(&wr[k]);
			if (r) {
				what = "writing blocks back to the origin device";
				break;
			}
		}
		xpwc_wb_io_init(&rd);
		xpwc_wb_start(wc, &rd, buf, i, end, false);
		r = xpwc_wb_io_wait(&rd);
		if (r) {
			what = "reading blocks from the cache for writeback";
			break;
		}
		xpwc_wb_io_init(&wr[k]);
		xpwc_wb_start(wc, &wr[k], buf, i, end, true);
		busy[k] = true;
	}
	for (k = 0; k < 2; k++) {
		if (!busy[k])
			continue;
		w = xpwc_wb_io_wait(&wr[k]);
		if (w && !r) {
			r = w;
			what = "writing blocks back to the origin device";
		}
	}
	if (r)
		xpwc_set_error(wc, r, what);
	return r;
}

/* One batch. Returns false when there is nothing (more) to do. */
static bool xpwc_wb_batch(struct xpwc *wc)
{
	u64 complete, end, prev, pos;
	unsigned int n, i, old;
	int r;

	spin_lock_irq(&wc->lock);
	if (wc->wb_stopped || wc->error || !xpwc_wb_wanted(wc)) {
		wc->wb_active = false;
		spin_unlock_irq(&wc->lock);
		return false;
	}
	if (wc->discard_busy) {
		/* No copies under a discard: its completion kicks us again. */
		spin_unlock_irq(&wc->lock);
		return false;
	}
	if (xpwc_used(wc) >= xpwc_pct(wc, wc->opt.high_wm))
		wc->wb_active = true;
	complete = xpwc_complete_lpos(wc);
	n = xpwc_wb_collect(wc, complete, &end, &prev);
	if (end == wc->tail && !xpwc_seq_low(wc)) {
		/* Only records in flight: their completion kicks us again. */
		spin_unlock_irq(&wc->lock);
		return false;
	}
	wc->wb_blocks = n;
	spin_unlock_irq(&wc->lock);

	if (n) {
		n = xpwc_wb_sort(wc, n);
		r = xpwc_wb_copy(wc, n);
		if (r)
			goto out_fail;
		r = wc->opt.fua ? 0 : blkdev_issue_flush(wc->origin->bdev);
		if (r) {
			xpwc_set_error(wc, r, "flushing the origin device");
			goto out_fail;
		}
	}
	r = xpwc_sb_write(wc, end, prev, REQ_PREFLUSH);
	if (r) {
		xpwc_set_error(wc, r, "writing the superblock");
		goto out_fail;
	}

	spin_lock_irq(&wc->lock);
	wc->durable_lpos = max(wc->durable_lpos, complete);
	for (i = 0; i < n; i++) {
		struct xpwc_slot *s = &wc->slots[wc->wb_items[i].slot];

		if (!RB_EMPTY_NODE(&s->node))
			xpwc_index_remove(wc, s);
	}
	wc->wb_blocks = 0;
	old = wc->read_epoch;
	wc->read_epoch ^= 1;
	spin_unlock_irq(&wc->lock);

	/* Reads that found a retired block may still be reading it. */
	wait_event(wc->pin_wait, !atomic_read(&wc->read_pins[old]));

	spin_lock_irq(&wc->lock);
	for (pos = wc->tail; pos < end; pos++)
		xpwc_slot_at(wc, pos)->oblock = XPWC_SLOT_FREE;
	wc->tail = end;
	wc->last_retired_seq = prev;
	wc->space_wanted = false;
	if (xpwc_used(wc) <= xpwc_pct(wc, wc->opt.low_wm))
		wc->wb_active = false;
	spin_unlock_irq(&wc->lock);
	wake_up_all(&wc->wb_wait);
	xpwc_commit_kick(wc);
	return true;

out_fail:
	spin_lock_irq(&wc->lock);
	wc->wb_blocks = 0;
	spin_unlock_irq(&wc->lock);
	wake_up_all(&wc->wb_wait);
	xpwc_commit_kick(wc);
	return false;
}

void xpwc_wb_work(struct work_struct *work)
{
	struct xpwc *wc = container_of(work, struct xpwc, wb_work);

	while (xpwc_wb_batch(wc))
		cond_resched();
}

/* max_age: look at the oldest record now and then. */
void xpwc_age_work(struct work_struct *work)
{
	struct xpwc *wc = container_of(to_delayed_work(work), struct xpwc, age_work);
	unsigned long period = msecs_to_jiffies(max(wc->opt.max_age_ms / 4, 100U));

	xpwc_wb_kick(wc);
	spin_lock_irq(&wc->lock);
	if (!wc->wb_stopped)
		queue_delayed_work(wc->wq, &wc->age_work, period);
	spin_unlock_irq(&wc->lock);
}

static bool xpwc_wb_reached(struct xpwc *wc, u64 target, int *r)
{
	bool done;

	spin_lock_irq(&wc->lock);
	*r = wc->error ? -EIO : wc->wb_stopped ? -EBUSY : 0;
	done = *r || wc->tail >= target;
	spin_unlock_irq(&wc->lock);
	return done;
}

/* Write back everything in the log now and wait (flush message, suspend). */
int xpwc_wb_all(struct xpwc *wc)
{
	u64 target;
	int r;

	spin_lock_irq(&wc->lock);
	r = wc->error ? -EIO : wc->wb_stopped ? -EBUSY : 0;
	target = wc->head;
	if (!r) {
		wc->wb_target = max(wc->wb_target, target);
		xpwc_wb_kick_locked(wc);
	}
	spin_unlock_irq(&wc->lock);
	if (r)
		return r;
	wait_event(wc->wb_wait, xpwc_wb_reached(wc, target, &r));
	return r;
}

/*
 * The flush message: everything written back, and writes that went
 * straight to the origin (cleaner mode) flushed there too. Always a flush
 * of our own: a committer's origin flush may still be in flight.
 */
int xpwc_flush_all(struct xpwc *wc)
{
	int r = xpwc_wb_all(wc);

	if (r)
		return r;
	spin_lock_irq(&wc->lock);
	wc->origin_dirty = false;
	spin_unlock_irq(&wc->lock);
	r = blkdev_issue_flush(wc->origin->bdev);
	if (r)
		xpwc_set_error(wc, r, "flushing the origin device");
	return r;
}
