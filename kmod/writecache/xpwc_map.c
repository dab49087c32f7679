// SPDX-License-Identifier: GPL-2.0
/*
 * The I/O path in: map and end_io (docs/writecache.md, section 6).
 *
 * Reads are split at block boundaries: a run of blocks cached in
 * consecutive slots goes to the cache device (pmem: is copied out of the
 * mapping), a run of uncached blocks to the origin, the rest comes back
 * through dm_accept_partial_bio. A read from the cache pins the current
 * read epoch until it completes, so that writeback does not hand its
 * slots out again underneath it.
 *
 * Writes, flushes and discards go to the committer (xpwc_commit.c); in
 * cleaner mode a write that touches no cached block goes to the origin.
 */
#include <linux/highmem.h>
#include <linux/uaccess.h>

#include "xpwc.h"

/* Pairs with the wait in xpwc_wb_batch(). */
static void xpwc_read_unpin(struct xpwc *wc, unsigned int epoch)
{
	if (atomic_dec_and_test(&wc->read_pins[epoch]))
		wake_up(&wc->pin_wait);
}

static u64 xpwc_bio_block(struct xpwc *wc, struct bio *bio)
{
	return dm_target_offset(wc->ti, bio->bi_iter.bi_sector) >> wc->sect_shift;
}

static void xpwc_remap_origin(struct xpwc *wc, struct bio *bio)
{
	bio_set_dev(bio, wc->origin->bdev);
	bio->bi_iter.bi_sector = dm_target_offset(wc->ti, bio->bi_iter.bi_sector);
}

/*
 * pmem: copy the cached blocks at slot straight out of the mapping into
 * the bio and end it. The caller's read pin keeps the slots from reuse.
 */
static void xpwc_pmem_read(struct xpwc *wc, struct bio *bio, u32 slot)
{
	const void *src = xpwc_pmem_block(wc, slot);
	struct bvec_iter iter;
	struct bio_vec bv;

	bio_for_each_segment(bv, bio, iter) {
		void *dst = bvec_kmap_local(&bv);
		unsigned long left = copy_mc_to_kernel(dst, src, bv.bv_len);

		kunmap_local(dst);
		if (left) {
			xpwc_set_error(wc, -EIO, "reading from the cache device (memory error)");
			bio->bi_status = BLK_STS_IOERR;
			break;
		}
		src += bv.bv_len;
	}
	bio_endio(bio);
}

static int xpwc_map_read(struct xpwc *wc, struct bio *bio)
{
	struct xpwc_io *io = xpwc_io(bio);
	u64 b = xpwc_bio_block(wc, bio);
	u32 nb = bio_sectors(bio) >> wc->sect_shift, n = 1, slot;
	struct xpwc_slot *s, *t;
	unsigned long flags;

	spin_lock_irqsave(&wc->lock, flags);
	s = xpwc_index_lookup_ge(wc, b);
	if (!s || s->oblock != b) {
		if (s && s->oblock - b < nb)
			nb = s->oblock - b;
		wc->stats.read_misses += nb;
		spin_unlock_irqrestore(&wc->lock, flags);
		if (nb < bio_sectors(bio) >> wc->sect_shift)
			dm_accept_partial_bio(bio, nb << wc->sect_shift);
		xpwc_remap_origin(wc, bio);
		return DM_MAPIO_REMAPPED;
	}

	slot = xpwc_slot_nr(wc, s);
	for (t = s; n < nb; n++) {
		struct rb_node *next = rb_next(&t->node);

		if (!next)
			break;
		t = rb_entry(next, struct xpwc_slot, node);
		if (t->oblock != b + n || xpwc_slot_nr(wc, t) != slot + n)
			break;
	}
	io->epoch = wc->read_epoch;
	atomic_inc(&wc->read_pins[io->epoch]);
	wc->stats.read_hits += n;
	spin_unlock_irqrestore(&wc->lock, flags);

	if (n < nb)
		dm_accept_partial_bio(bio, n << wc->sect_shift);
	if (wc->pmem) {
		xpwc_pmem_read(wc, bio, slot);
		xpwc_read_unpin(wc, io->epoch);
		return DM_MAPIO_SUBMITTED;
	}
	io->kind = XPWC_IO_READ_CACHE;
	bio_set_dev(bio, wc->cache->bdev);
	bio->bi_iter.bi_sector = xpwc_slot_sector(wc, slot);
	return DM_MAPIO_REMAPPED;
}

/*
 * Under lock: is the write of nb blocks at b part of a sequential stream
 * longer than the cutoff? Follows the last few streams: a write that
 * starts where one ended, within XPWC_SEQ_IDLE_MS, continues it; any other
 * starts a new one in place of the oldest.
 */
static bool xpwc_seq_long(struct xpwc *wc, u64 b, u32 nb)
{
	unsigned long now = jiffies;
	struct xpwc_stream *st;
	unsigned int i;

	if (!wc->seq_cutoff)
		return false;
	for (i = 0; i < XPWC_SEQ_STREAMS; i++) {
		st = &wc->streams[i];
		if (st->blocks && st->next == b && time_before(now, st->expires))
			break;
	}
	if (i == XPWC_SEQ_STREAMS) {
		st = &wc->streams[wc->stream_next++ % XPWC_SEQ_STREAMS];
		st->blocks = 0;
	}
	st->next = b + nb;
	st->blocks += nb;
	st->expires = now + msecs_to_jiffies(XPWC_SEQ_IDLE_MS);
	return st->blocks > wc->seq_cutoff;
}

static int xpwc_map_write(struct xpwc *wc, struct bio *bio)
{
	struct xpwc_io *io = xpwc_io(bio);
	u64 b = xpwc_bio_block(wc, bio);
	u32 nb = bio_sectors(bio) >> wc->sect_shift;
	unsigned long flags;
	bool pass;

	spin_lock_irqsave(&wc->lock, flags);
	if (wc->error) {
		spin_unlock_irqrestore(&wc->lock, flags);
		return DM_MAPIO_KILL;
	}
	/*
	 * Cleaner mode, and the rest of a long sequential stream: blocks not
	 * cached go to the origin, like the cleaner's writeback, and a FLUSH
	 * then flushes the origin too. A cached block must still be written
	 * to the cache, or its older cached copy would win later (reads, and
	 * recovery: a block not in the index is in no record of the log).
	 */
	pass = (xpwc_seq_long(wc, b, nb) || wc->cleaner) && !xpwc_index_any(wc, b, nb);
	if (pass) {
		wc->stats.write_misses += nb;
		if (!wc->cleaner)
			wc->stats.writes_around += nb;
	}
	spin_unlock_irqrestore(&wc->lock, flags);

	if (pass) {
		io->kind = XPWC_IO_PASS_WRITE;
		xpwc_remap_origin(wc, bio);
		return DM_MAPIO_REMAPPED;
	}
	io->kind = XPWC_IO_WRITE;
	xpwc_queue_bio(wc, bio, true);
	return DM_MAPIO_SUBMITTED;
}

/*
 * An empty FLUSH with nothing to do: no write queued or in flight, every
 * record durable, the origin clean and no origin flush in flight (one may
 * have been issued before a write around the cache completed). It
 * completes at once, as it would after a trip through the committer.
 * Always so in pmem mode, where an O_DSYNC write is a FUA write and such a
 * flush.
 */
static bool xpwc_flush_done(struct xpwc *wc)
{
	unsigned long flags;
	bool done;

	spin_lock_irqsave(&wc->lock, flags);
	done = !wc->error && bio_list_empty(&wc->pending) && list_empty(&wc->inflight) &&
	       wc->durable_lpos == wc->head && !wc->origin_dirty && !wc->origin_flushes;
	if (done)
		wc->stats.flushes++;
	spin_unlock_irqrestore(&wc->lock, flags);
	return done;
}

int xpwc_map(struct dm_target *ti, struct bio *bio)
{
	struct xpwc *wc = ti->private;
	struct xpwc_io *io = xpwc_io(bio);

	io->kind = XPWC_IO_NONE;
	if ((bio->bi_opf & REQ_PREFLUSH) && !bio_sectors(bio)) {
		io->kind = XPWC_IO_FLUSH;
		if (xpwc_flush_done(wc)) {
			bio_endio(bio);
			return DM_MAPIO_SUBMITTED;
		}
		xpwc_queue_bio(wc, bio, true);
		return DM_MAPIO_SUBMITTED;
	}
	if (!bio_sectors(bio))
		return DM_MAPIO_KILL;

	switch (bio_op(bio)) {
	case REQ_OP_READ:
		return xpwc_map_read(wc, bio);
	case REQ_OP_WRITE:
		return xpwc_map_write(wc, bio);
	case REQ_OP_DISCARD:
		io->kind = XPWC_IO_DISCARD;
		xpwc_queue_bio(wc, bio, true);
		return DM_MAPIO_SUBMITTED;
	default:
		return DM_MAPIO_KILL;
	}
}

int xpwc_end_io(struct dm_target *ti, struct bio *bio, blk_status_t *error)
{
	struct xpwc *wc = ti->private;
	struct xpwc_io *io = xpwc_io(bio);
	unsigned long flags;

	switch (io->kind) {
	case XPWC_IO_READ_CACHE:
		if (*error)
			xpwc_set_error(wc, -EIO, "reading from the cache device");
		xpwc_read_unpin(wc, io->epoch);
		break;
	case XPWC_IO_PASS_WRITE:
		if (*error) {
			xpwc_set_error(wc, -EIO, "writing to the origin device");
			break;
		}
		spin_lock_irqsave(&wc->lock, flags);
		wc->origin_dirty = true;
		spin_unlock_irqrestore(&wc->lock, flags);
		break;
	case XPWC_IO_DISCARD:
		/* The record is what counts; an origin that cannot is fine. */
		if (*error == BLK_STS_NOTSUPP)
			*error = BLK_STS_OK;
		break;
	default:
		break;
	}
	return DM_ENDIO_DONE;
}
