// SPDX-License-Identifier: GPL-2.0
/*
 * Metadata: the superblock (two copies, newest valid wins), formatting,
 * and recovery, which walks the chain of records from the persisted tail
 * and rebuilds the index (docs/writecache.md, sections 2 and 4).
 */
#include <linux/random.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>

#include "xpwc.h"
#include "xpwc_compat.h"

static_assert(sizeof(struct xpwc_sb_disk) == 128);
static_assert(sizeof(struct xpwc_rec_disk) == 64);
static_assert(sizeof(struct xpwc_rec_entry) == 16);

u32 xpwc_crc(const void *data, size_t len)
{
	return xpwc_crc32c(~0U, data, len);
}

/*
 * A record header's CRC: of its first len bytes with the crc field taken
 * as zero (version 2: the used bytes; version 1: the whole block).
 */
u32 xpwc_rec_crc(const void *block, size_t len)
{
	static const u8 zero[4];
	const size_t off = offsetof(struct xpwc_rec_disk, crc);
	u32 crc;

	crc = xpwc_crc32c(~0U, block, off);
	crc = xpwc_crc32c(crc, zero, sizeof(zero));
	return xpwc_crc32c(crc, (const u8 *)block + off + 4, len - off - 4);
}

/*
 * Synchronous I/O of len bytes at sector; buf is kmalloc'd memory, or
 * vmalloc'd if vmem.
 */
int xpwc_sync_io(struct xpwc *wc, struct block_device *bdev, sector_t sector, void *buf, size_t len,
		 blk_opf_t opf, bool vmem)
{
	struct dm_io_region region = {
		.bdev = bdev,
		.sector = sector,
		.count = len >> SECTOR_SHIFT,
	};
	struct dm_io_request req = {
		.bi_opf = opf,
		.mem.type = vmem ? DM_IO_VMA : DM_IO_KMEM,
		.client = wc->dm_io,
	};
	unsigned long error_bits = 0;
	int r;

	if (vmem)
		req.mem.ptr.vma = buf;
	else
		req.mem.ptr.addr = buf;
	r = xpwc_dm_io(&req, 1, &region, &error_bits);
	if (!r && error_bits)
		r = -EIO;
	return r;
}

static bool xpwc_sb_valid(const struct xpwc_sb_disk *sb)
{
	u32 bs = le32_to_cpu(sb->block_size);

	return le32_to_cpu(sb->magic) == XPWC_SB_MAGIC &&
	       le32_to_cpu(sb->version) >= XPWC_VERSION_MIN &&
	       le32_to_cpu(sb->version) <= XPWC_VERSION &&
	       le32_to_cpu(sb->crc) == xpwc_crc(sb, XPWC_SB_CRC_LEN) && bs >= SECTOR_SIZE &&
	       bs <= PAGE_SIZE && is_power_of_2(bs) &&
	       le64_to_cpu(sb->log_start) == XPWC_LOG_START && le64_to_cpu(sb->log_blocks) > 0 &&
	       le64_to_cpu(sb->seq_limit) > le64_to_cpu(sb->tail_prev_seq);
}

/* Bytes that must be zero to format: both copies at every block size. */
static size_t xpwc_sb_area(void)
{
	return max_t(size_t, XPWC_FORMAT_ZERO_BYTES, XPWC_SB_COPIES * PAGE_SIZE);
}

/*
 * Read both superblock copies. Returns 0 and the newest valid copy in *sb,
 * 1 if the whole superblock area is zero (format), or -errno.
 *
 * The copies are looked for at every block size, each copy only where that
 * size puts it and only if it names that size: a table with another
 * block_size than the cache was formatted with must find the superblock
 * (and be refused), not the zeros around it. Format writes both copies.
 */
static int xpwc_sb_read(struct xpwc *wc, struct xpwc_sb_disk *sb)
{
	const struct xpwc_sb_disk *best = NULL, *other = NULL;
	size_t area = xpwc_sb_area();
	unsigned int cbs, i;
	u32 newer = 0;
	u8 *buf;
	int r;

	buf = kmalloc(area, GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	r = xpwc_sync_io(wc, wc->cache->bdev, 0, buf, area, REQ_OP_READ, false);
	if (r) {
		DMERR("cannot read the superblock of cache device %s: error %d", wc->cache->name,
		      r);
		goto out_free;
	}
	for (cbs = SECTOR_SIZE; cbs <= PAGE_SIZE; cbs <<= 1) {
		for (i = 0; i < XPWC_SB_COPIES; i++) {
			const struct xpwc_sb_disk *c = (const void *)(buf + i * cbs);
			const struct xpwc_sb_disk **p = cbs == wc->block_size ? &best : &other;

			if (le32_to_cpu(c->magic) == XPWC_SB_MAGIC &&
			    le32_to_cpu(c->version) > XPWC_VERSION &&
			    le32_to_cpu(c->crc) == xpwc_crc(c, XPWC_SB_CRC_LEN))
				newer = le32_to_cpu(c->version);
			if (!xpwc_sb_valid(c) || le32_to_cpu(c->block_size) != cbs)
				continue;
			if (!*p || le64_to_cpu(c->sb_seq) > le64_to_cpu((*p)->sb_seq))
				*p = c;
		}
	}
	if (best) {
		memcpy(sb, best, sizeof(*sb));
		r = 0;
	} else if (other) {
		DMERR("cache device %s was formatted with block_size %u, the table has %u: use block_size %u, or write the cache back and zero its first %zu KiB to format it again",
		      wc->cache->name, le32_to_cpu(other->block_size), wc->block_size,
		      le32_to_cpu(other->block_size), area / 1024);
		r = -EINVAL;
	} else if (!memchr_inv(buf, 0, area)) {
		r = 1;
	} else if (newer) {
		DMERR("cache device %s has format version %u, this module knows versions %u to %u: use a newer module",
		      wc->cache->name, newer, XPWC_VERSION_MIN, XPWC_VERSION);
		r = -EINVAL;
	} else {
		DMERR("cache device %s has no valid xpcache superblock and its first %zu KiB are not zero; zero them to format it",
		      wc->cache->name, area / 1024);
		r = -EINVAL;
	}
out_free:
	kfree(buf);
	return r;
}

u64 xpwc_cache_log_blocks(struct xpwc *wc)
{
	u64 blocks = bdev_nr_sectors(wc->cache->bdev) >> wc->sect_shift;

	return blocks > XPWC_LOG_START ? blocks - XPWC_LOG_START : 0;
}

/* Check a superblock against the table and take its geometry. */
static int xpwc_sb_accept(struct xpwc *wc, const struct xpwc_sb_disk *sb)
{
	u32 bs = le32_to_cpu(sb->block_size);
	u64 log_blocks = le64_to_cpu(sb->log_blocks);
	u64 origin = le64_to_cpu(sb->origin_sectors);

	if (bs != wc->block_size) {
		DMERR("block_size %u differs from the %u that cache device %s was formatted with",
		      wc->block_size, bs, wc->cache->name);
		return -EINVAL;
	}
	if (origin != wc->ti->len) {
		DMERR("cache device %s was formatted for a target of %llu sectors, the table has %llu; use that length, or zero the cache's first %u KiB to format it again (after writing it back)",
		      wc->cache->name, origin, (u64)wc->ti->len, XPWC_FORMAT_ZERO_BYTES / 1024);
		return -EINVAL;
	}
	if (log_blocks > xpwc_cache_log_blocks(wc)) {
		DMERR("cache device %s is smaller than its superblock says (%llu log blocks, room for %llu)",
		      wc->cache->name, log_blocks, xpwc_cache_log_blocks(wc));
		return -EINVAL;
	}
	if (wc->slots && log_blocks > wc->nr_slots) {
		/* Formatted by another table since our constructor ran. */
		DMERR("cache device %s now has %llu log blocks, the index was allocated for %llu; reload the table",
		      wc->cache->name, log_blocks, wc->nr_slots);
		return -EINVAL;
	}
	wc->log_blocks = log_blocks;
	memcpy(wc->uuid, sb->uuid, sizeof(wc->uuid));
	return 0;
}

/* Constructor: learn the geometry, or that the cache will be formatted. */
int xpwc_sb_probe(struct xpwc *wc)
{
	struct xpwc_sb_disk sb;
	int r;

	r = xpwc_sb_read(wc, &sb);
	if (r < 0)
		return r;
	if (r == 1) {
		/* Formatted at the first resume. */
		wc->log_blocks = xpwc_cache_log_blocks(wc);
		return 0;
	}
	return xpwc_sb_accept(wc, &sb);
}

/*
 * Write the superblock (the next copy) with the given tail, raising
 * seq_limit to next_seq + XPWC_SEQ_WINDOW. Always FUA; flags may add
 * REQ_PREFLUSH.
 */
int xpwc_sb_write(struct xpwc *wc, u64 tail, u64 tail_prev_seq, blk_opf_t flags)
{
	struct xpwc_sb_disk *sb;
	u64 limit, sb_seq;
	int r;

	mutex_lock(&wc->sb_mutex);
	sb = wc->sb_buf;
	memset(sb, 0, wc->block_size);
	spin_lock_irq(&wc->lock);
	limit = max(wc->seq_limit, wc->next_seq + XPWC_SEQ_WINDOW);
	spin_unlock_irq(&wc->lock);

	sb_seq = wc->sb_seq + 1;
	sb->magic = cpu_to_le32(XPWC_SB_MAGIC);
	sb->version = cpu_to_le32(XPWC_VERSION);
	sb->sb_seq = cpu_to_le64(sb_seq);
	memcpy(sb->uuid, wc->uuid, sizeof(sb->uuid));
	sb->block_size = cpu_to_le32(wc->block_size);
	sb->log_start = cpu_to_le64(XPWC_LOG_START);
	sb->log_blocks = cpu_to_le64(wc->log_blocks);
	sb->origin_sectors = cpu_to_le64(wc->ti->len);
	sb->tail_lpos = cpu_to_le64(tail);
	sb->tail_prev_seq = cpu_to_le64(tail_prev_seq);
	sb->seq_limit = cpu_to_le64(limit);
	sb->crc = cpu_to_le32(xpwc_crc(sb, XPWC_SB_CRC_LEN));

	r = xpwc_sync_io(wc, wc->cache->bdev, (sector_t)(sb_seq % XPWC_SB_COPIES) << wc->sect_shift,
			 sb, wc->block_size, REQ_OP_WRITE | REQ_SYNC | REQ_FUA | flags, false);
	if (!r) {
		wc->sb_seq = sb_seq;
		spin_lock_irq(&wc->lock);
		wc->seq_limit = limit;
		if (flags & REQ_PREFLUSH)
			wc->stats.cache_flushes++;
		spin_unlock_irq(&wc->lock);
	}
	mutex_unlock(&wc->sb_mutex);
	return r;
}

/* ---- recovery ---- */

struct xpwc_scan {
	u8 *buf;
	u64 first; /* ring block of buf[0] */
	u64 nr; /* blocks in buf */
	u64 cap; /* blocks buf can hold */
	u64 seq_limit;
	u64 claim; /* every record before it is durable (headers' durable_back) */
};

/* Blocks [ring, ring + n) of the log in memory; NULL on I/O error. */
static u8 *xpwc_scan_get(struct xpwc *wc, struct xpwc_scan *sc, u64 ring, u64 n, int *err)
{
	u64 len;

	if (ring >= sc->first && ring + n <= sc->first + sc->nr)
		return sc->buf + ((ring - sc->first) * wc->block_size);
	if (wc->pmem) {
		/*
		 * Straight from the mapping, just the blocks asked for: the
		 * headers, and data only where its CRCs are checked. A
		 * poisoned line fails the copy instead of the machine.
		 */
		sc->nr = 0;
		if (copy_mc_to_kernel(sc->buf, xpwc_pmem_block(wc, ring), n * wc->block_size)) {
			DMERR("cannot read the log of cache device %s at block %llu: memory error",
			      wc->cache->name, XPWC_LOG_START + ring);
			*err = -EIO;
			return NULL;
		}
		sc->first = ring;
		sc->nr = n;
		return sc->buf;
	}
	len = min(sc->cap, wc->log_blocks - ring);
	*err = xpwc_sync_io(wc, wc->cache->bdev, xpwc_slot_sector(wc, ring), sc->buf,
			    len * wc->block_size, REQ_OP_READ, true);
	if (*err) {
		DMERR("cannot read the log of cache device %s at block %llu: error %d",
		      wc->cache->name, XPWC_LOG_START + ring, *err);
		sc->nr = 0;
		return NULL;
	}
	sc->first = ring;
	sc->nr = len;
	return sc->buf;
}

#define XPWC_SCAN_HDR_BYTES 512

/*
 * The header block at ring, in memory at least as far as its used bytes;
 * NULL on error. In pmem mode only those bytes are copied out of the
 * mapping (all of the block for version 1, whose CRC covers it).
 */
static const struct xpwc_rec_disk *xpwc_scan_hdr(struct xpwc *wc, struct xpwc_scan *sc, u64 ring,
						 int *err)
{
	unsigned int cap =
		(wc->block_size - sizeof(struct xpwc_rec_disk)) / sizeof(struct xpwc_rec_entry);
	struct xpwc_rec_disk *h = (void *)sc->buf;
	size_t first, used;
	const void *src;

	if (!wc->pmem || (ring >= sc->first && ring < sc->first + sc->nr))
		return (const void *)xpwc_scan_get(wc, sc, ring, 1, err);
	src = xpwc_pmem_block(wc, ring);
	sc->nr = 0;
	/* One copy for a header of up to XPWC_SCAN_HDR_BYTES, two beyond. */
	first = min_t(size_t, XPWC_SCAN_HDR_BYTES, wc->block_size);
	if (copy_mc_to_kernel(h, src, first))
		goto out_mce;
	used = le16_to_cpu(h->version) == 1 ? wc->block_size :
					      xpwc_rec_used(min(le32_to_cpu(h->nr), cap));
	if (used > first && copy_mc_to_kernel((void *)h + first, src + first, used - first))
		goto out_mce;
	return h;
out_mce:
	DMERR("cannot read the log of cache device %s at block %llu: memory error", wc->cache->name,
	      XPWC_LOG_START + ring);
	*err = -EIO;
	return NULL;
}

/*
 * Is there a record at log position pos following sequence number prev
 * whose header is valid? Returns its length in blocks, 0 if not valid, or
 * -errno; the header in *hp while sc's buffer is not reused. Its data
 * blocks are checked later (xpwc_scan_data), and only if no later header
 * says they were durable. A valid header's claim raises sc->claim.
 */
static int xpwc_scan_record(struct xpwc *wc, struct xpwc_scan *sc, u64 pos, u64 prev,
			    const struct xpwc_rec_disk **hp)
{
	unsigned int bs = wc->block_size, cap, i;
	const struct xpwc_rec_disk *h;
	u64 ring = xpwc_ring(wc, pos), seq, n;
	u32 nr, type, version, back;
	int err = 0;

	h = xpwc_scan_hdr(wc, sc, ring, &err);
	if (!h)
		return err;
	*hp = h;
	cap = (bs - sizeof(*h)) / sizeof(h->entries[0]);
	seq = le64_to_cpu(h->seq);
	nr = le32_to_cpu(h->nr);
	type = le16_to_cpu(h->type);
	version = le16_to_cpu(h->version);
	if (le32_to_cpu(h->magic) != XPWC_REC_MAGIC || version < XPWC_VERSION_MIN ||
	    version > XPWC_VERSION || nr > cap ||
	    le32_to_cpu(h->crc) != xpwc_rec_crc(h, version == 1 ? bs : xpwc_rec_used(nr)) ||
	    memcmp(h->uuid, wc->uuid, sizeof(h->uuid)) || le64_to_cpu(h->lpos) != pos ||
	    le64_to_cpu(h->prev_seq) != prev || seq <= prev || seq >= sc->seq_limit)
		return 0;
	if (type == XPWC_REC_DATA) {
		if (!nr || nr > wc->max_rec_data)
			return 0;
		n = 1 + nr;
	} else if (type == XPWC_REC_DISCARD) {
		if (nr != 1)
			return 0;
		n = 1;
	} else if (type == XPWC_REC_ACTIVATE) {
		if (nr)
			return 0;
		n = 1;
	} else {
		return 0;
	}
	if (ring + n > wc->log_blocks || pos + n - wc->tail > wc->log_blocks)
		return 0;
	if (type == XPWC_REC_DATA) {
		for (i = 0; i < nr; i++) {
			if (le64_to_cpu(h->entries[i].oblock) >= wc->origin_blocks)
				return 0;
		}
	}
	back = le32_to_cpu(h->durable_back);
	if (version >= 2 && back != XPWC_NO_CLAIM && back <= pos)
		sc->claim = max(sc->claim, pos - back);
	return n;
}

/*
 * The data blocks of the record at pos, whose header was accepted: do
 * they match their CRCs? 1 if so (or the record has none to check), 0 if
 * not, -errno on a read error.
 */
static int xpwc_scan_data(struct xpwc *wc, struct xpwc_scan *sc, u64 pos)
{
	unsigned int bs = wc->block_size, i;
	const struct xpwc_rec_disk *h;
	u64 ring = xpwc_ring(wc, pos);
	u32 nr;
	u8 *p;
	int err = 0;

	h = xpwc_scan_hdr(wc, sc, ring, &err);
	if (!h)
		return err;
	nr = le32_to_cpu(h->nr);
	if (le16_to_cpu(h->type) != XPWC_REC_DATA ||
	    (le16_to_cpu(h->version) >= 2 && (le32_to_cpu(h->flags) & XPWC_REC_ORDERED)))
		return 1;
	p = xpwc_scan_get(wc, sc, ring, 1 + nr, &err);
	if (!p)
		return err;
	h = (const void *)p;
	for (i = 0; i < nr; i++) {
		if (le32_to_cpu(h->entries[i].crc) != xpwc_crc(p + (1 + i) * bs, bs))
			return 0;
	}
	return 1;
}

/* Put an accepted record into the slot array and the index. */
static void xpwc_scan_apply(struct xpwc *wc, const struct xpwc_rec_disk *h, u64 pos)
{
	struct xpwc_slot *s = xpwc_slot_at(wc, pos);
	u32 nr = le32_to_cpu(h->nr), i;
	u16 type = le16_to_cpu(h->type);

	s->oblock = XPWC_SLOT_HDR;
	s->hdr.seq = le64_to_cpu(h->seq);
	s->hdr.time = (u32)jiffies;
	s->hdr.type = type;
	if (type == XPWC_REC_ACTIVATE) {
		s->hdr.nr = 0;
		return;
	}
	if (type == XPWC_REC_DISCARD) {
		s->hdr.nr = 0;
		xpwc_index_discard(wc, le64_to_cpu(h->entries[0].oblock),
				   le64_to_cpu(h->entries[0].count), pos);
		return;
	}
	s->hdr.nr = nr;
	for (i = 0; i < nr; i++) {
		struct xpwc_slot *d = xpwc_slot_at(wc, pos + 1 + i);

		RB_CLEAR_NODE(&d->node);
		d->oblock = le64_to_cpu(h->entries[i].oblock);
		xpwc_index_insert(wc, d);
	}
}

/*
 * Walk the chain from the tail up to stop, applying every record whose
 * header is valid; returns the head (after the last one) in *head, that
 * record's seq in *last, the data and discard records in *records, or
 * -errno.
 */
static int xpwc_scan_chain(struct xpwc *wc, struct xpwc_scan *sc, u64 tail, u64 prev, u64 stop,
			   u64 *head, u64 *last, u64 *records)
{
	const struct xpwc_rec_disk *h = NULL;
	u64 pos = tail, i;
	int r = 0;

	*records = 0;
	while (pos < stop && pos - tail < wc->log_blocks) {
		r = xpwc_scan_record(wc, sc, pos, prev, &h);
		if (!r && xpwc_ring(wc, pos)) {
			/* A record that did not fit went to the ring's start. */
			u64 wrap = pos - xpwc_ring(wc, pos) + wc->log_blocks;

			if (wrap < stop && wrap - tail < wc->log_blocks) {
				r = xpwc_scan_record(wc, sc, wrap, prev, &h);
				if (r > 0) {
					for (i = pos; i < wrap; i++)
						xpwc_slot_at(wc, i)->oblock = XPWC_SLOT_PAD;
					pos = wrap;
				}
			}
		}
		if (r <= 0)
			break;
		xpwc_scan_apply(wc, h, pos);
		prev = xpwc_slot_at(wc, pos)->hdr.seq;
		if (xpwc_slot_at(wc, pos)->hdr.type != XPWC_REC_ACTIVATE)
			(*records)++;
		pos += r;
	}
	if (r < 0)
		return r;
	*head = pos;
	*last = prev;
	return 0;
}

/*
 * Check the data of the records in [from, head) in log order: the first
 * whose blocks do not match their CRCs (a torn write) in *bad, else
 * U64_MAX. Returns 0 or -errno.
 */
static int xpwc_scan_tail(struct xpwc *wc, struct xpwc_scan *sc, u64 from, u64 head, u64 *bad)
{
	u64 pos = from;
	int r;

	*bad = U64_MAX;
	while (pos < head) {
		const struct xpwc_slot *s = xpwc_slot_at(wc, pos);

		if (s->oblock != XPWC_SLOT_HDR) {
			pos++; /* padding */
			continue;
		}
		r = xpwc_scan_data(wc, sc, pos);
		if (r < 0)
			return r;
		if (!r) {
			*bad = pos;
			return 0;
		}
		pos += 1 + s->hdr.nr;
	}
	return 0;
}

/*
 * Recover the log: walk the chain of valid headers, then check the data of
 * the records after the last point a header says was durable (the claim).
 * Records before it were durable before a later record was written, so
 * they cannot be torn; only the end of the log may be, and a torn record
 * there ends the log: walk again up to it. A log written by version 1 has
 * no claims, so every data block is read and checked, as version 1 did.
 */
static int xpwc_recover(struct xpwc *wc, u64 tail, u64 prev, u64 seq_limit, u64 *head, u64 *last,
			u64 *records, u64 *checked)
{
	struct xpwc_scan sc = { .seq_limit = seq_limit };
	u64 stop = U64_MAX, bad;
	int r;

	sc.cap = min_t(u64, XPWC_RECOVERY_BUF / wc->block_size, wc->log_blocks);
	sc.buf = vmalloc(sc.cap * wc->block_size);
	if (!sc.buf)
		return -ENOMEM;
	for (;;) {
		sc.claim = tail;
		r = xpwc_scan_chain(wc, &sc, tail, prev, stop, head, last, records);
		if (r)
			break;
		sc.claim = clamp(sc.claim, tail, *head);
		*checked = *head - sc.claim;
		r = xpwc_scan_tail(wc, &sc, sc.claim, *head, &bad);
		if (r || bad == U64_MAX)
			break;
		/* Forget what the first walk applied, and stop at the torn one. */
		xpwc_slots_reset(wc);
		stop = bad;
	}
	vfree(sc.buf);
	return r;
}

/*
 * Start the new chain: a header-only activation record at the recovered
 * head, written PREFLUSH|FUA before the target takes any I/O. It replaces
 * whatever was at the head, so a record that recovery just rejected there
 * (torn, or stale) can never be accepted later when a block of it is
 * rewritten with the same bytes; every record of this activation follows
 * it. A full log has no room, and needs none: nothing written at the head
 * position can then be newer than the tail (docs/writecache.md, section 8).
 * Suspend writes the same record as a checkpoint (xpwc_flush_cache_sync()).
 */
int xpwc_write_activation(struct xpwc *wc)
{
	unsigned int bs = wc->block_size;
	struct xpwc_rec_disk *h;
	struct xpwc_slot *s;
	u64 pos, seq, prev;
	int r;

	spin_lock_irq(&wc->lock);
	pos = wc->head;
	seq = wc->next_seq;
	prev = wc->last_seq;
	spin_unlock_irq(&wc->lock);
	if (pos - wc->tail >= wc->log_blocks)
		return 0;

	h = kzalloc(bs, GFP_KERNEL);
	if (!h)
		return -ENOMEM;
	h->magic = cpu_to_le32(XPWC_REC_MAGIC);
	h->version = cpu_to_le16(XPWC_VERSION);
	h->type = cpu_to_le16(XPWC_REC_ACTIVATE);
	h->seq = cpu_to_le64(seq);
	h->prev_seq = cpu_to_le64(prev);
	h->lpos = cpu_to_le64(pos);
	memcpy(h->uuid, wc->uuid, sizeof(h->uuid));
	h->flags = cpu_to_le32(XPWC_REC_FUA);
	/* Written with PREFLUSH: everything before it is durable with it. */
	h->durable_back = 0;
	h->crc = cpu_to_le32(xpwc_rec_crc(h, xpwc_rec_used(0)));
	r = xpwc_sync_io(wc, wc->cache->bdev, xpwc_slot_sector(wc, xpwc_ring(wc, pos)), h, bs,
			 REQ_OP_WRITE | REQ_SYNC | REQ_PREFLUSH | REQ_FUA, false);
	kfree(h);
	if (r) {
		DMERR("cannot write a header-only record to cache device %s: error %d",
		      wc->cache->name, r);
		return r;
	}

	spin_lock_irq(&wc->lock);
	s = xpwc_slot_at(wc, pos);
	s->oblock = XPWC_SLOT_HDR;
	s->hdr.seq = seq;
	s->hdr.nr = 0;
	s->hdr.type = XPWC_REC_ACTIVATE;
	s->hdr.time = (u32)jiffies;
	wc->head = pos + 1;
	wc->durable_lpos = wc->head;
	wc->claim_lpos = pos;
	wc->last_seq = seq;
	wc->next_seq = seq + 1;
	wc->stats.cache_flushes++;
	spin_unlock_irq(&wc->lock);
	return 0;
}

/*
 * First resume of this target instance: format, or recover the log, then
 * start a new activation (sequence numbers from the old seq_limit on) with
 * a superblock written PREFLUSH|FUA (both copies at format), and an
 * activation record. No I/O reaches the target meanwhile.
 */
int xpwc_activate(struct xpwc *wc)
{
	struct xpwc_sb_disk sb;
	u64 tail, prev, limit, head, last, records = 0, checked = 0;
	int r;

	r = xpwc_sb_read(wc, &sb);
	if (r < 0)
		return r;
	if (r == 1) {
		wc->log_blocks = min(wc->log_blocks, xpwc_cache_log_blocks(wc));
		generate_random_uuid(wc->uuid);
		wc->sb_seq = 0;
		tail = 0;
		prev = 0;
		limit = 1;
		DMINFO("%s: formatting cache device %s: %llu log blocks of %u bytes",
		       dm_device_name(dm_table_get_md(wc->ti->table)), wc->cache->name,
		       wc->log_blocks, wc->block_size);
	} else {
		r = xpwc_sb_accept(wc, &sb);
		if (r)
			return r;
		wc->sb_seq = le64_to_cpu(sb.sb_seq);
		tail = le64_to_cpu(sb.tail_lpos);
		prev = le64_to_cpu(sb.tail_prev_seq);
		limit = le64_to_cpu(sb.seq_limit);
	}

	xpwc_slots_reset(wc);
	wc->tail = tail;
	r = xpwc_recover(wc, tail, prev, limit, &head, &last, &records, &checked);
	if (r)
		return r;

	spin_lock_irq(&wc->lock);
	wc->head = head;
	wc->durable_lpos = head;
	wc->claim_lpos = head; /* a full log gets no activation record */
	wc->last_seq = last;
	wc->last_retired_seq = prev;
	wc->next_seq = max(limit, last + 1);
	wc->seq_limit = wc->next_seq; /* nothing may be issued until raised */
	wc->wb_target = tail;
	spin_unlock_irq(&wc->lock);

	r = xpwc_sb_write(wc, tail, prev, REQ_PREFLUSH);
	/* At format, copy 0 too: every block size finds the superblock. */
	if (!r && wc->sb_seq < XPWC_SB_COPIES)
		r = xpwc_sb_write(wc, tail, prev, 0);
	if (r) {
		DMERR("cannot write the superblock of cache device %s: error %d", wc->cache->name,
		      r);
		return r;
	}
	r = xpwc_write_activation(wc);
	if (r)
		return r;
	DMINFO("%s: %llu records, %llu cached blocks, log %llu..%llu of %llu blocks, data of the last %llu checked",
	       dm_device_name(dm_table_get_md(wc->ti->table)), records, wc->dirty_blocks, tail,
	       head, wc->log_blocks, checked);
	wc->active = true;
	return 0;
}
