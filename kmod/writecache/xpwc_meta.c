// SPDX-License-Identifier: GPL-2.0
/*
 * Metadata: the superblock (two copies, newest valid wins), formatting,
 * and recovery, which walks the chain of records from the persisted tail
 * and rebuilds the index (docs/writecache.md, sections 2 and 4).
 */
#include <linux/random.h>
#include <linux/slab.h>
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

/* A record header's CRC: the whole block with the crc field taken as zero. */
static u32 xpwc_rec_crc(const void *block, unsigned int block_size)
{
	static const u8 zero[4];
	const size_t off = offsetof(struct xpwc_rec_disk, crc);
	u32 crc;

	crc = xpwc_crc32c(~0U, block, off);
	crc = xpwc_crc32c(crc, zero, sizeof(zero));
	return xpwc_crc32c(crc, (const u8 *)block + off + 4, block_size - off - 4);
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
	       le32_to_cpu(sb->version) == XPWC_VERSION &&
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
};

/* Blocks [ring, ring + n) of the log in memory; NULL on I/O error. */
static u8 *xpwc_scan_get(struct xpwc *wc, struct xpwc_scan *sc, u64 ring, u64 n, int *err)
{
	u64 len;

	if (ring >= sc->first && ring + n <= sc->first + sc->nr)
		return sc->buf + ((ring - sc->first) * wc->block_size);
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

/*
 * Is there a valid record at log position pos following sequence number
 * prev? Returns its length in blocks, 0 if not valid, or -errno.
 */
static int xpwc_scan_record(struct xpwc *wc, struct xpwc_scan *sc, u64 pos, u64 prev)
{
	unsigned int bs = wc->block_size, cap, i;
	const struct xpwc_rec_disk *h;
	u64 ring = xpwc_ring(wc, pos), seq, n;
	u32 nr, type;
	u8 *p;
	int err = 0;

	p = xpwc_scan_get(wc, sc, ring, 1, &err);
	if (!p)
		return err;
	h = (const void *)p;
	cap = (bs - sizeof(*h)) / sizeof(h->entries[0]);
	seq = le64_to_cpu(h->seq);
	nr = le32_to_cpu(h->nr);
	type = le16_to_cpu(h->type);
	if (le32_to_cpu(h->magic) != XPWC_REC_MAGIC || le16_to_cpu(h->version) != XPWC_VERSION ||
	    le32_to_cpu(h->crc) != xpwc_rec_crc(h, bs) ||
	    memcmp(h->uuid, wc->uuid, sizeof(h->uuid)) || le64_to_cpu(h->lpos) != pos ||
	    le64_to_cpu(h->prev_seq) != prev || seq <= prev || seq >= sc->seq_limit || nr > cap)
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
	if (type != XPWC_REC_DATA)
		return n;

	p = xpwc_scan_get(wc, sc, ring, n, &err);
	if (!p)
		return err;
	h = (const void *)p;
	for (i = 0; i < nr; i++) {
		const u8 *data = p + (1 + i) * bs;

		if (le64_to_cpu(h->entries[i].oblock) >= wc->origin_blocks ||
		    le32_to_cpu(h->entries[i].crc) != xpwc_crc(data, bs))
			return 0;
	}
	return n;
}

/* Put an accepted record into the slot array and the index. */
static void xpwc_scan_apply(struct xpwc *wc, struct xpwc_scan *sc, u64 pos)
{
	const struct xpwc_rec_disk *h =
		(const void *)(sc->buf + (xpwc_ring(wc, pos) - sc->first) * wc->block_size);
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
 * Walk the chain from the tail; returns the head (after the last valid
 * record) in *head and that record's seq in *last, the data and discard
 * records found in *records, or -errno.
 */
static int xpwc_recover(struct xpwc *wc, u64 tail, u64 prev, u64 seq_limit, u64 *head, u64 *last,
			u64 *records)
{
	struct xpwc_scan sc = { .seq_limit = seq_limit };
	u64 pos = tail, i;
	int r = 0;

	sc.cap = min_t(u64, XPWC_RECOVERY_BUF / wc->block_size, wc->log_blocks);
	sc.buf = vmalloc(sc.cap * wc->block_size);
	if (!sc.buf)
		return -ENOMEM;
	*records = 0;
	while (pos - tail < wc->log_blocks) {
		r = xpwc_scan_record(wc, &sc, pos, prev);
		if (!r && xpwc_ring(wc, pos)) {
			/* A record that did not fit went to the ring's start. */
			u64 wrap = pos - xpwc_ring(wc, pos) + wc->log_blocks;

			if (wrap - tail < wc->log_blocks) {
				r = xpwc_scan_record(wc, &sc, wrap, prev);
				if (r > 0) {
					for (i = pos; i < wrap; i++)
						xpwc_slot_at(wc, i)->oblock = XPWC_SLOT_PAD;
					pos = wrap;
				}
			}
		}
		if (r <= 0)
			break;
		xpwc_scan_apply(wc, &sc, pos);
		prev = xpwc_slot_at(wc, pos)->hdr.seq;
		if (xpwc_slot_at(wc, pos)->hdr.type != XPWC_REC_ACTIVATE)
			(*records)++;
		pos += r;
	}
	vfree(sc.buf);
	if (r < 0)
		return r;
	*head = pos;
	*last = prev;
	return 0;
}

/*
 * Start the new chain: a header-only activation record at the recovered
 * head, written PREFLUSH|FUA before the target takes any I/O. It replaces
 * whatever was at the head, so a record that recovery just rejected there
 * (torn, or stale) can never be accepted later when a block of it is
 * rewritten with the same bytes; every record of this activation follows
 * it. A full log has no room, and needs none: nothing written at the head
 * position can then be newer than the tail (docs/writecache.md, section 8).
 */
static int xpwc_write_activation(struct xpwc *wc)
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
	h->crc = cpu_to_le32(xpwc_crc(h, bs)); /* the crc field is zero here */
	r = xpwc_sync_io(wc, wc->cache->bdev, xpwc_slot_sector(wc, xpwc_ring(wc, pos)), h, bs,
			 REQ_OP_WRITE | REQ_SYNC | REQ_PREFLUSH | REQ_FUA, false);
	kfree(h);
	if (r) {
		DMERR("cannot write the activation record to cache device %s: error %d",
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
	u64 tail, prev, limit, head, last, records = 0;
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
	r = xpwc_recover(wc, tail, prev, limit, &head, &last, &records);
	if (r)
		return r;

	spin_lock_irq(&wc->lock);
	wc->head = head;
	wc->durable_lpos = head;
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
	DMINFO("%s: %llu records, %llu cached blocks, log %llu..%llu of %llu blocks",
	       dm_device_name(dm_table_get_md(wc->ti->table)), records, wc->dirty_blocks, tail,
	       head, wc->log_blocks);
	wc->active = true;
	return 0;
}
