/* SPDX-License-Identifier: GPL-2.0 */
/*
 * xpcache: a write-back cache device-mapper target whose cache device is a
 * log of self-checking records (docs/writecache.md). This header holds the
 * target's state and what each file offers the others:
 *
 *   xpwc_target.c     module, target type, table, suspend/resume, status
 *   xpwc_meta.c       superblock, format, recovery, CRCs, synchronous I/O
 *   xpwc_index.c      slot array and the origin-block index
 *   xpwc_map.c        map/end_io: reads, and writes handed to the committer
 *   xpwc_commit.c     records, group commit, FUA/flush ordering, autocommit
 *   xpwc_writeback.c  writeback batches, tail persistence, space release
 *   xpwc_pmem.c       pmem mode: the cache device mapped through DAX
 *
 * Locking: wc->lock (irq-safe: record completions run in interrupt
 * context) protects everything marked "lock" below. The committer and the
 * writeback worker each run one at a time and drop the lock around I/O.
 */
#ifndef XPWC_H
#define XPWC_H

#include <linux/bio.h>
#include <linux/blkdev.h>
#include <linux/device-mapper.h>
#include <linux/mutex.h>
#include <linux/rbtree.h>
#include <linux/spinlock.h>
#include <linux/wait.h>
#include <linux/workqueue.h>

#include "xpwc_format.h"

#define DM_MSG_PREFIX "xpcache"

/* Records in flight at once; later writes queue and share a record. */
#define XPWC_MAX_INFLIGHT 2
/* Data blocks per record: a power of two that a header can describe. */
#define XPWC_MAX_REC_DATA 128
/* A new activation raises seq_limit by this; raised again at half. */
#define XPWC_SEQ_WINDOW (1ULL << 32)
#define XPWC_RECOVERY_BUF (8 * 1024 * 1024)
/* A flush with at least this much log unclaimed writes a checkpoint. */
#define XPWC_CHECKPOINT_BLOCKS 256
/* Writeback copies through this much memory, in two halves. */
#define XPWC_WB_BUF (1024 * 1024)

#define XPWC_DEF_HIGH_WM 50
#define XPWC_DEF_LOW_WM 45
#define XPWC_DEF_WB_JOBS 1024
#define XPWC_DEF_AC_BLOCKS_SSD 65536
#define XPWC_DEF_AC_BLOCKS_PMEM 64
#define XPWC_DEF_AC_TIME_MS 1000
#define XPWC_MAX_AC_TIME_MS 3600000
#define XPWC_MAX_AGE_MS 86400000
/* Sequential streams longer than this go around the cache (KiB; 0: never). */
#define XPWC_DEF_SEQ_CUTOFF_KB 4096
#define XPWC_MAX_SEQ_CUTOFF_KB (1U << 30)
/* Write streams followed at once for the cutoff, and their idle limit. */
#define XPWC_SEQ_STREAMS 8
#define XPWC_SEQ_IDLE_MS 1000

/*
 * One per log block. A data slot is in the index (node linked) while it
 * holds the newest copy of its origin block; a header slot remembers its
 * record for writeback; padding is skipped.
 */
struct xpwc_slot {
	union {
		struct rb_node node; /* data */
		struct {
			u64 seq;
			u32 time; /* jiffies at completion */
			u16 nr; /* data blocks */
			u16 type; /* enum xpwc_rec_type */
		} hdr;
	};
	u64 oblock; /* data: origin block, else XPWC_SLOT_* */
};

#define XPWC_SLOT_HDR (1ULL << 63)
#define XPWC_SLOT_PAD (1ULL << 62)
#define XPWC_SLOT_FREE (1ULL << 61)
#define XPWC_SLOT_SPECIAL (XPWC_SLOT_HDR | XPWC_SLOT_PAD | XPWC_SLOT_FREE)

/* What a bio is to us (per-bio data). */
enum xpwc_io_kind {
	XPWC_IO_NONE,
	XPWC_IO_READ_CACHE, /* remapped to the cache: holds a read pin */
	XPWC_IO_PASS_WRITE, /* write remapped to the origin (cleaner, cutoff) */
	XPWC_IO_WRITE,
	XPWC_IO_FLUSH,
	XPWC_IO_DISCARD,
};

struct xpwc_io {
	u8 kind;
	u8 epoch; /* READ_CACHE: which read epoch it pinned */
};

struct xpwc_stats {
	u64 read_hits;
	u64 read_misses;
	u64 write_hits;
	u64 write_misses;
	u64 flushes;
	u64 discards;
	u64 records;
	u64 cache_flushes;
	u64 writes_around; /* blocks of sequential streams sent to the origin */
	u64 stable_blocks; /* blocks written to the cache from stable pages, uncopied */
};

/*
 * A sequential write stream: where its next write would start, its length,
 * and until when a write there continues it.
 */
struct xpwc_stream {
	u64 next;
	u64 blocks;
	unsigned long expires; /* jiffies */
};

/* Table options; *_set remembers what to print in the table line. */
struct xpwc_opts {
	unsigned int high_wm, low_wm;
	unsigned int wb_jobs;
	unsigned int ac_blocks;
	unsigned int ac_time_ms;
	unsigned int max_age_ms; /* 0: off */
	unsigned int seq_cutoff_kb; /* 0: off */
	bool fua;
	bool cleaner;
	bool high_wm_set, low_wm_set, wb_jobs_set, ac_blocks_set;
	bool ac_time_set, max_age_set, fua_set, seq_cutoff_set;
};

struct xpwc {
	struct dm_target *ti;
	struct dm_dev *origin;
	struct dm_dev *cache;
	bool pmem;
	struct xpwc_opts opt;
	struct gendisk *disk; /* ours: whose page-cache pages stay stable */

	unsigned int block_size;
	unsigned int sect_shift; /* log2(sectors per block) */
	unsigned int max_rec_data; /* data blocks per record */
	u64 origin_blocks;

	/* Geometry and identity, from the superblock (or chosen at format). */
	u64 log_blocks;
	u8 uuid[16];
	bool active; /* recovered; state in memory is valid */

	spinlock_t lock;
	/* lock: */
	struct rb_root index; /* origin block -> newest data slot */
	struct xpwc_slot *slots; /* log_blocks of them */
	u64 head; /* next free log position */
	u64 tail; /* persisted tail, space before it is free */
	u64 last_retired_seq; /* seq of the record before the tail */
	u64 durable_lpos; /* every record below is durable */
	u64 claim_lpos; /* the highest claim a header made (xpwc_commit.c) */
	u64 next_seq, last_seq;
	u64 seq_limit; /* persisted: never issue a seq at/above */
	struct list_head inflight; /* records, log order, done or not */
	unsigned int nr_inflight; /* not yet done */
	struct bio_list pending; /* bios for the committer, in order */
	bool committing;
	bool space_wanted; /* committer waits for writeback */
	bool origin_dirty; /* origin written since its last flush */
	unsigned int origin_flushes; /* the committer's origin flushes in flight */
	bool discard_busy; /* a discard record is in flight */
	struct list_head rec_free; /* the record pool (xpwc_commit.c) */
	bool rec_wanted; /* the committer waits for a record */
	bool iflush_wanted; /* autocommit flush requested */
	bool iflush_busy;
	u64 unflushed_blocks;
	u64 dirty_blocks; /* slots in the index */
	u64 wb_blocks; /* blocks being copied by the running batch */
	u64 wb_target; /* write back everything below this */
	bool wb_active; /* between high and low watermark */
	bool wb_stopped; /* suspended */
	bool cleaner;
	bool flush_on_suspend;
	u64 seq_cutoff; /* blocks; 0: off */
	struct xpwc_stream streams[XPWC_SEQ_STREAMS];
	unsigned int stream_next; /* the one to replace */
	int error;
	unsigned int read_epoch;
	struct xpwc_stats stats;

	atomic_t read_pins[2];
	atomic_t nr_iflush; /* autocommit flushes in flight (wait_var_event) */
	wait_queue_head_t pin_wait;
	wait_queue_head_t wb_wait; /* tail moved, or error */

	struct workqueue_struct *wq; /* committer, deferred bios, timers */
	struct workqueue_struct *wb_wq;
	struct work_struct commit_work;
	struct work_struct deferred_work;
	struct work_struct wb_work;
	struct delayed_work ac_work;
	struct delayed_work age_work;
	struct bio_list deferred; /* lock: bios to submit in process context */

	struct bio_set bs;
	struct dm_io_client *dm_io;
	struct mutex sb_mutex; /* superblock writes */
	u64 sb_seq; /* sb_mutex */
	void *sb_buf; /* sb_mutex: one block, the superblock is built here */
	u64 nr_slots; /* slots allocated at ctr: log_blocks never exceeds it */
	void *pmem_addr; /* p: the cache device, mapped */
	void *pmem_hdr; /* p: a header is built here */
	bool pmem_wb_lines; /* p: xpwc_pmem_copy() may copy and write back lines */
	struct xpwc_wb_item *wb_items; /* writeback worker only */
	unsigned int wb_items_max;
	void *wb_buf; /* writeback worker: XPWC_WB_BUF bytes, vmalloc'd */
	unsigned int wb_buf_blocks;
	u64 iflush_lpos;
};

struct xpwc_wb_item {
	u64 oblock;
	u64 lpos;
	u32 slot;
};

/* Conversions. */
static inline u64 xpwc_ring(const struct xpwc *wc, u64 lpos)
{
	return lpos % wc->log_blocks;
}

static inline struct xpwc_slot *xpwc_slot_at(const struct xpwc *wc, u64 lpos)
{
	return &wc->slots[xpwc_ring(wc, lpos)];
}

static inline u32 xpwc_slot_nr(const struct xpwc *wc, const struct xpwc_slot *s)
{
	return s - wc->slots;
}

/* Log position of a live slot (one in [tail, tail + log_blocks)). */
static inline u64 xpwc_slot_lpos(const struct xpwc *wc, const struct xpwc_slot *s)
{
	u64 nr = xpwc_slot_nr(wc, s), t = xpwc_ring(wc, wc->tail);

	return wc->tail + (nr >= t ? nr - t : nr + wc->log_blocks - t);
}

static inline sector_t xpwc_slot_sector(const struct xpwc *wc, u32 slot)
{
	return (sector_t)(XPWC_LOG_START + slot) << wc->sect_shift;
}

/* p: the mapped address of log block ring. */
static inline void *xpwc_pmem_block(const struct xpwc *wc, u64 ring)
{
	return wc->pmem_addr + ((size_t)xpwc_slot_sector(wc, ring) << SECTOR_SHIFT);
}

static inline u64 xpwc_used(const struct xpwc *wc)
{
	return wc->head - wc->tail;
}

static inline struct xpwc_io *xpwc_io(struct bio *bio)
{
	return dm_per_bio_data(bio, sizeof(struct xpwc_io));
}

/* First incomplete record, or the head: everything below is complete. */
u64 xpwc_complete_lpos(struct xpwc *wc);

/* xpwc_target.c */
void xpwc_set_error(struct xpwc *wc, int err, const char *what);
void xpwc_set_error_locked(struct xpwc *wc, int err, const char *what);

/* xpwc_meta.c */
u32 xpwc_crc(const void *data, size_t len);
u32 xpwc_rec_crc(const void *block, size_t len);
int xpwc_sync_io(struct xpwc *wc, struct block_device *bdev, sector_t sector, void *buf, size_t len,
		 blk_opf_t opf, bool vmem);
u64 xpwc_cache_log_blocks(struct xpwc *wc);
int xpwc_sb_probe(struct xpwc *wc);
int xpwc_activate(struct xpwc *wc);
int xpwc_write_activation(struct xpwc *wc);
int xpwc_sb_write(struct xpwc *wc, u64 tail, u64 tail_prev_seq, blk_opf_t flags);

/* xpwc_pmem.c */
int xpwc_pmem_map(struct xpwc *wc);
void xpwc_pmem_copy(const struct xpwc *wc, void *dst, const void *src, size_t len);
const char *xpwc_pmem_method(void);
void xpwc_pmem_unmap(struct xpwc *wc);

/* xpwc_index.c */
struct xpwc_slot *xpwc_index_lookup(struct xpwc *wc, u64 oblock);
struct xpwc_slot *xpwc_index_lookup_ge(struct xpwc *wc, u64 oblock);
bool xpwc_index_insert(struct xpwc *wc, struct xpwc_slot *s);
void xpwc_index_remove(struct xpwc *wc, struct xpwc_slot *s);
u64 xpwc_index_discard(struct xpwc *wc, u64 first, u64 count, u64 before);
bool xpwc_index_any(struct xpwc *wc, u64 first, u64 count);
void xpwc_slots_reset(struct xpwc *wc);

/* xpwc_map.c */
int xpwc_map(struct dm_target *ti, struct bio *bio);
int xpwc_end_io(struct dm_target *ti, struct bio *bio, blk_status_t *error);

/* xpwc_commit.c */
void xpwc_queue_bio(struct xpwc *wc, struct bio *bio, bool direct);
void xpwc_commit_kick(struct xpwc *wc);
void xpwc_commit_work(struct work_struct *work);
void xpwc_deferred_work(struct work_struct *work);
void xpwc_ac_work(struct work_struct *work);
int xpwc_flush_cache_sync(struct xpwc *wc);
int xpwc_recs_alloc(struct xpwc *wc);
void xpwc_recs_free(struct xpwc *wc);

/* xpwc_writeback.c */
void xpwc_wb_work(struct work_struct *work);
void xpwc_wb_kick(struct xpwc *wc);
void xpwc_wb_kick_locked(struct xpwc *wc);
void xpwc_age_work(struct work_struct *work);
int xpwc_wb_all(struct xpwc *wc);
int xpwc_flush_all(struct xpwc *wc);

#endif /* XPWC_H */
