// SPDX-License-Identifier: GPL-2.0
/*
 * xp_writecache: the "xpcache" device-mapper target. This file holds the
 * module, the target type, the table line, suspend/resume, status and
 * messages (docs/writecache.md, section 1).
 *
 *   <start> <len> xpcache <p|s> <origin_dev> <cache_dev> <block_size>
 *           <#opt_args> [high_watermark <pct>] [low_watermark <pct>]
 *           [writeback_jobs <n>] [autocommit_blocks <n>]
 *           [autocommit_time <ms>] [max_age <ms>] [fua|nofua] [cleaner]
 *           [sequential_cutoff <KiB>]
 */
#include <linux/dm-io.h>
#include <linux/module.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>

#include "xpwc.h"
#include "xpwc_compat.h"

static const char *xpwc_name(struct xpwc *wc)
{
	return dm_device_name(dm_table_get_md(wc->ti->table));
}

void xpwc_set_error_locked(struct xpwc *wc, int err, const char *what)
{
	if (!wc->error) {
		wc->error = err;
		DMERR("%s: error %d %s; the target is in the error state, writes fail with EIO",
		      xpwc_name(wc), err, what);
	}
	wake_up_all(&wc->wb_wait);
}

void xpwc_set_error(struct xpwc *wc, int err, const char *what)
{
	unsigned long flags;

	spin_lock_irqsave(&wc->lock, flags);
	xpwc_set_error_locked(wc, err, what);
	spin_unlock_irqrestore(&wc->lock, flags);
}

/* ---- the table line ---- */

/* A bad table: say which argument, the value and the rule. */
#define xpwc_bad(ti, short_msg, fmt, ...)  \
	do {                               \
		DMERR(fmt, ##__VA_ARGS__); \
		(ti)->error = short_msg;   \
	} while (0)

static int xpwc_arg_uint(struct dm_target *ti, const char *name, const char *val, unsigned int min,
			 unsigned int max, unsigned int *out)
{
	unsigned int v;

	if (!val) {
		DMERR("%s needs a value", name);
		ti->error = "Optional argument without a value";
		return -EINVAL;
	}
	if (kstrtouint(val, 10, &v) || v < min || v > max) {
		DMERR("%s '%s': must be a number from %u to %u", name, val, min, max);
		ti->error = "Optional argument out of range";
		return -EINVAL;
	}
	*out = v;
	return 0;
}

static int xpwc_parse_opts(struct xpwc *wc, unsigned int argc, char **argv)
{
	struct dm_target *ti = wc->ti;
	struct xpwc_opts *o = &wc->opt;
	unsigned int i;
	int r = 0;

	for (i = 0; i < argc && !r; i++) {
		const char *name = argv[i], *val = i + 1 < argc ? argv[i + 1] : NULL;

		if (!strcasecmp(name, "high_watermark")) {
			r = xpwc_arg_uint(ti, name, val, 0, 100, &o->high_wm);
			o->high_wm_set = true;
			i++;
		} else if (!strcasecmp(name, "low_watermark")) {
			r = xpwc_arg_uint(ti, name, val, 0, 100, &o->low_wm);
			o->low_wm_set = true;
			i++;
		} else if (!strcasecmp(name, "writeback_jobs")) {
			r = xpwc_arg_uint(ti, name, val, 1, 1U << 20, &o->wb_jobs);
			o->wb_jobs_set = true;
			i++;
		} else if (!strcasecmp(name, "autocommit_blocks")) {
			r = xpwc_arg_uint(ti, name, val, 1, UINT_MAX, &o->ac_blocks);
			o->ac_blocks_set = true;
			i++;
		} else if (!strcasecmp(name, "autocommit_time")) {
			r = xpwc_arg_uint(ti, name, val, 1, XPWC_MAX_AC_TIME_MS, &o->ac_time_ms);
			o->ac_time_set = true;
			i++;
		} else if (!strcasecmp(name, "max_age")) {
			r = xpwc_arg_uint(ti, name, val, 1, XPWC_MAX_AGE_MS, &o->max_age_ms);
			o->max_age_set = true;
			i++;
		} else if (!strcasecmp(name, "fua")) {
			o->fua = true;
			o->fua_set = true;
		} else if (!strcasecmp(name, "nofua")) {
			o->fua = false;
			o->fua_set = true;
		} else if (!strcasecmp(name, "cleaner")) {
			o->cleaner = true;
		} else if (!strcasecmp(name, "sequential_cutoff")) {
			r = xpwc_arg_uint(ti, name, val, 0, XPWC_MAX_SEQ_CUTOFF_KB,
					  &o->seq_cutoff_kb);
			o->seq_cutoff_set = true;
			i++;
		} else {
			xpwc_bad(
				ti, "Unknown optional argument",
				"unknown optional argument '%s': use high_watermark, low_watermark, writeback_jobs, autocommit_blocks, autocommit_time, max_age, fua, nofua, cleaner or sequential_cutoff",
				name);
			r = -EINVAL;
		}
	}
	if (r)
		return r;
	if (o->low_wm > o->high_wm) {
		xpwc_bad(ti, "low_watermark above high_watermark",
			 "low_watermark %u is above high_watermark %u", o->low_wm, o->high_wm);
		return -EINVAL;
	}
	return 0;
}

static int xpwc_get_dev(struct xpwc *wc, const char *what, const char *path, struct dm_dev **dev)
{
	int r = dm_get_device(wc->ti, path, dm_table_get_mode(wc->ti->table), dev);

	if (r) {
		DMERR("%s '%s': cannot open it: error %d", what, path, r);
		wc->ti->error = what[0] == 'o' ? "Cannot open origin_dev" : "Cannot open cache_dev";
	}
	return r;
}

static int xpwc_parse(struct xpwc *wc, unsigned int argc, char **argv)
{
	struct dm_target *ti = wc->ti;
	unsigned int bs, nopt, lbs;
	int r;

	if (argc < 5) {
		xpwc_bad(
			ti, "Not enough arguments",
			"%u arguments: need <p|s> <origin_dev> <cache_dev> <block_size> <#opt_args> [opt_args]",
			argc);
		return -EINVAL;
	}
	if (!strcmp(argv[0], "s")) {
		wc->pmem = false;
	} else if (!strcmp(argv[0], "p")) {
		wc->pmem = true;
	} else {
		xpwc_bad(ti, "Invalid mode", "mode '%s': must be p (persistent memory) or s (SSD)",
			 argv[0]);
		return -EINVAL;
	}

	if (kstrtouint(argv[3], 10, &bs) || bs < SECTOR_SIZE || bs > PAGE_SIZE ||
	    !is_power_of_2(bs)) {
		xpwc_bad(ti, "Invalid block_size",
			 "block_size '%s': must be a power of two from %u to %lu", argv[3],
			 SECTOR_SIZE, PAGE_SIZE);
		return -EINVAL;
	}
	wc->block_size = bs;
	wc->sect_shift = ilog2(bs) - SECTOR_SHIFT;

	if (kstrtouint(argv[4], 10, &nopt) || nopt != argc - 5) {
		xpwc_bad(ti, "Invalid #opt_args",
			 "#opt_args '%s' does not match the %u optional arguments given", argv[4],
			 argc - 5);
		return -EINVAL;
	}
	wc->opt.high_wm = XPWC_DEF_HIGH_WM;
	wc->opt.low_wm = XPWC_DEF_LOW_WM;
	wc->opt.wb_jobs = XPWC_DEF_WB_JOBS;
	wc->opt.ac_blocks = wc->pmem ? XPWC_DEF_AC_BLOCKS_PMEM : XPWC_DEF_AC_BLOCKS_SSD;
	wc->opt.ac_time_ms = XPWC_DEF_AC_TIME_MS;
	wc->opt.seq_cutoff_kb = XPWC_DEF_SEQ_CUTOFF_KB;
	r = xpwc_parse_opts(wc, nopt, argv + 5);
	if (r)
		return r;

	r = xpwc_get_dev(wc, "origin_dev", argv[1], &wc->origin);
	if (r)
		return r;
	r = xpwc_get_dev(wc, "cache_dev", argv[2], &wc->cache);
	if (r)
		return r;
	if (wc->origin->bdev == wc->cache->bdev) {
		xpwc_bad(ti, "origin_dev and cache_dev are the same",
			 "origin_dev and cache_dev are both %s", argv[1]);
		return -EINVAL;
	}
	lbs = max(bdev_logical_block_size(wc->origin->bdev),
		  bdev_logical_block_size(wc->cache->bdev));
	if (bs < lbs) {
		xpwc_bad(
			ti, "block_size below the devices' logical block size",
			"block_size %u is below the logical block size %u of origin_dev or cache_dev",
			bs, lbs);
		return -EINVAL;
	}
	if (ti->len & ((1U << wc->sect_shift) - 1)) {
		xpwc_bad(ti, "Length not a multiple of block_size",
			 "target length %llu sectors is not a multiple of block_size %u",
			 (u64)ti->len, bs);
		return -EINVAL;
	}
	wc->origin_blocks = ti->len >> wc->sect_shift;
	wc->max_rec_data = rounddown_pow_of_two(
		min_t(unsigned int, XPWC_MAX_REC_DATA,
		      (bs - sizeof(struct xpwc_rec_disk)) / sizeof(struct xpwc_rec_entry)));
	return 0;
}

/* ---- construction ---- */

static void xpwc_free(struct xpwc *wc)
{
	if (wc->wq)
		destroy_workqueue(wc->wq);
	if (wc->wb_wq)
		destroy_workqueue(wc->wb_wq);
	vfree(wc->wb_buf);
	if (!IS_ERR_OR_NULL(wc->dm_io))
		dm_io_client_destroy(wc->dm_io);
	bioset_exit(&wc->bs);
	kvfree(wc->wb_items);
	kfree(wc->sb_buf);
	xpwc_recs_free(wc);
	xpwc_pmem_unmap(wc);
	kvfree(wc->slots);
	if (wc->cache)
		dm_put_device(wc->ti, wc->cache);
	if (wc->origin)
		dm_put_device(wc->ti, wc->origin);
	kfree(wc);
}

static int xpwc_alloc(struct xpwc *wc)
{
	struct dm_target *ti = wc->ti;
	u64 min_log = 4 * (1 + (u64)wc->max_rec_data);
	int r;

	wc->dm_io = dm_io_client_create();
	if (IS_ERR(wc->dm_io)) {
		ti->error = "Cannot create a dm-io client";
		return PTR_ERR(wc->dm_io);
	}
	if (wc->pmem) {
		r = xpwc_pmem_map(wc);
		if (r) {
			ti->error = "Cannot map cache_dev (see the previous message)";
			return r;
		}
	}
	if (xpwc_cache_log_blocks(wc) < min_log) {
		xpwc_bad(
			ti, "cache_dev too small",
			"cache_dev %s is too small: room for %llu log blocks of %u bytes, need at least %llu (%llu KiB)",
			wc->cache->name, xpwc_cache_log_blocks(wc), wc->block_size, min_log,
			((min_log + XPWC_LOG_START) * wc->block_size) >> 10);
		return -EINVAL;
	}
	r = xpwc_sb_probe(wc);
	if (r) {
		ti->error = "Cannot use cache_dev (see the previous message)";
		return r;
	}
	wc->slots = kvcalloc(wc->log_blocks, sizeof(*wc->slots), GFP_KERNEL);
	wc->nr_slots = wc->log_blocks;
	wc->wb_items_max = wc->opt.wb_jobs + wc->max_rec_data;
	wc->wb_items = kvmalloc_array(wc->wb_items_max, sizeof(*wc->wb_items), GFP_KERNEL);
	wc->sb_buf = kmalloc(wc->block_size, GFP_KERNEL);
	if (!wc->slots || !wc->wb_items || !wc->sb_buf || xpwc_recs_alloc(wc)) {
		xpwc_bad(ti, "Cannot allocate the index",
			 "cannot allocate the index for %llu log blocks, or the record pool",
			 wc->log_blocks);
		return -ENOMEM;
	}
	r = bioset_init(&wc->bs, 2 * (XPWC_MAX_INFLIGHT + 1), 0,
			BIOSET_NEED_BVECS | BIOSET_NEED_RESCUER);
	if (r) {
		ti->error = "Cannot allocate a bio set";
		return r;
	}
	wc->wb_buf_blocks = XPWC_WB_BUF / wc->block_size;
	wc->wb_buf = vmalloc(XPWC_WB_BUF);
	if (!wc->wb_buf) {
		ti->error = "Cannot allocate the writeback buffer";
		return -ENOMEM;
	}
	wc->wq = alloc_workqueue("xpcache-io", WQ_MEM_RECLAIM | WQ_HIGHPRI, 0);
	wc->wb_wq = alloc_workqueue("xpcache-wb", WQ_MEM_RECLAIM, 1);
	if (!wc->wq || !wc->wb_wq) {
		ti->error = "Cannot allocate workqueues";
		return -ENOMEM;
	}
	return 0;
}

static int xpwc_ctr(struct dm_target *ti, unsigned int argc, char **argv)
{
	struct xpwc *wc;
	int r;

	wc = kzalloc(sizeof(*wc), GFP_KERNEL);
	if (!wc) {
		ti->error = "Cannot allocate the target";
		return -ENOMEM;
	}
	wc->ti = ti;
	wc->disk = dm_disk(dm_table_get_md(ti->table));
	spin_lock_init(&wc->lock);
	mutex_init(&wc->sb_mutex);
	wc->index = RB_ROOT;
	INIT_LIST_HEAD(&wc->inflight);
	INIT_LIST_HEAD(&wc->rec_free);
	bio_list_init(&wc->pending);
	bio_list_init(&wc->deferred);
	init_waitqueue_head(&wc->pin_wait);
	init_waitqueue_head(&wc->wb_wait);
	INIT_WORK(&wc->commit_work, xpwc_commit_work);
	INIT_WORK(&wc->deferred_work, xpwc_deferred_work);
	INIT_WORK(&wc->wb_work, xpwc_wb_work);
	INIT_DELAYED_WORK(&wc->ac_work, xpwc_ac_work);
	INIT_DELAYED_WORK(&wc->age_work, xpwc_age_work);
	wc->wb_stopped = true; /* until resume */

	r = xpwc_parse(wc, argc, argv);
	if (r)
		goto out_free;
	r = xpwc_alloc(wc);
	if (r)
		goto out_free;
	wc->cleaner = wc->opt.cleaner;
	wc->seq_cutoff = div_u64((u64)wc->opt.seq_cutoff_kb * 1024, wc->block_size);

	r = dm_set_target_max_io_len(ti, wc->max_rec_data << wc->sect_shift);
	if (r) {
		ti->error = "Cannot set max_io_len";
		goto out_free;
	}
	ti->num_flush_bios = 1;
	ti->flush_supported = true;
	ti->num_discard_bios = 1;
	ti->discards_supported = true;
	ti->per_io_data_size = sizeof(struct xpwc_io);
	ti->private = wc;
	return 0;

out_free:
	xpwc_free(wc);
	return r;
}

/*
 * Wait for the committer and for autocommit flushes, which no user bio
 * holds the target for; with wb_stopped set no new one starts. The last
 * flush's completion queues commit_work, hence the second flush.
 */
static void xpwc_quiesce(struct xpwc *wc)
{
	flush_workqueue(wc->wq);
	wait_var_event(&wc->nr_iflush, !atomic_read(&wc->nr_iflush));
	flush_workqueue(wc->wq);
}

static void xpwc_dtr(struct dm_target *ti)
{
	struct xpwc *wc = ti->private;

	spin_lock_irq(&wc->lock);
	wc->wb_stopped = true;
	spin_unlock_irq(&wc->lock);
	cancel_delayed_work_sync(&wc->age_work);
	cancel_delayed_work_sync(&wc->ac_work);
	cancel_work_sync(&wc->wb_work);
	xpwc_quiesce(wc);
	xpwc_free(wc);
}

/* ---- suspend and resume ---- */

static void xpwc_presuspend(struct dm_target *ti)
{
	struct xpwc *wc = ti->private;

	/* Start early; postsuspend waits for the rest. */
	spin_lock_irq(&wc->lock);
	if (wc->flush_on_suspend) {
		wc->wb_target = U64_MAX;
		xpwc_wb_kick_locked(wc);
	}
	spin_unlock_irq(&wc->lock);
}

static void xpwc_presuspend_undo(struct dm_target *ti)
{
	struct xpwc *wc = ti->private;

	/*
	 * A flush message may be waiting for a target below the head; leave
	 * writeback going to the head, never back to the tail.
	 */
	spin_lock_irq(&wc->lock);
	if (wc->wb_target == U64_MAX)
		wc->wb_target = wc->head;
	spin_unlock_irq(&wc->lock);
}

static void xpwc_postsuspend(struct dm_target *ti)
{
	struct xpwc *wc = ti->private;
	int r;

	/* No I/O is left in the target: every record completed. */
	if (wc->flush_on_suspend) {
		r = xpwc_wb_all(wc);
		if (r)
			DMERR("%s: writeback on suspend failed: error %d", xpwc_name(wc), r);
	}
	spin_lock_irq(&wc->lock);
	wc->flush_on_suspend = false;
	wc->wb_stopped = true;
	wc->wb_target = wc->tail;
	spin_unlock_irq(&wc->lock);
	cancel_delayed_work_sync(&wc->age_work);
	cancel_delayed_work_sync(&wc->ac_work);
	flush_work(&wc->wb_work);
	xpwc_quiesce(wc);
	if (wc->active)
		xpwc_flush_cache_sync(wc);
}

static int xpwc_preresume(struct dm_target *ti)
{
	struct xpwc *wc = ti->private;
	unsigned int noio;
	int r;

	/* A new instance reads the log now: the old table is quiet. */
	if (wc->active)
		return 0;
	/* Suspended: reclaim must not write to this device. */
	noio = memalloc_noio_save();
	r = xpwc_activate(wc);
	memalloc_noio_restore(noio);
	return r;
}

static void xpwc_resume(struct dm_target *ti)
{
	struct xpwc *wc = ti->private;

	xpwc_stable_writes_set(!wc->pmem, wc->disk);

	spin_lock_irq(&wc->lock);
	wc->wb_stopped = false;
	xpwc_wb_kick_locked(wc);
	if (wc->opt.max_age_ms)
		queue_delayed_work(wc->wq, &wc->age_work, 0);
	spin_unlock_irq(&wc->lock);
	xpwc_commit_kick(wc);
}

/* ---- status and messages ---- */

static void xpwc_status(struct dm_target *ti, status_type_t type, unsigned int status_flags,
			char *result, unsigned int maxlen)
{
	struct xpwc *wc = ti->private;
	struct xpwc_opts *o = &wc->opt;
	unsigned int sz = 0, n;
	struct xpwc_stats st;
	u64 free, wb, dirty;
	int error;
	bool cleaner;

	switch (type) {
	case STATUSTYPE_INFO:
		spin_lock_irq(&wc->lock);
		st = wc->stats;
		error = wc->error;
		free = wc->log_blocks - xpwc_used(wc);
		wb = wc->wb_blocks;
		dirty = wc->dirty_blocks;
		cleaner = wc->cleaner;
		spin_unlock_irq(&wc->lock);
		DMEMIT("%d %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu %u %llu %llu",
		       error, wc->log_blocks, free, wb, st.read_hits, st.read_misses, st.write_hits,
		       st.write_misses, st.flushes, dirty, st.discards, st.records,
		       st.cache_flushes, cleaner, st.writes_around, st.stable_blocks);
		break;
	case STATUSTYPE_TABLE:
		n = 2 * (o->high_wm_set + o->low_wm_set + o->wb_jobs_set + o->ac_blocks_set +
			 o->ac_time_set + o->max_age_set + o->seq_cutoff_set) +
		    o->fua_set + wc->cleaner;
		DMEMIT("%c %s %s %u %u", wc->pmem ? 'p' : 's', wc->origin->name, wc->cache->name,
		       wc->block_size, n);
		if (o->high_wm_set)
			DMEMIT(" high_watermark %u", o->high_wm);
		if (o->low_wm_set)
			DMEMIT(" low_watermark %u", o->low_wm);
		if (o->wb_jobs_set)
			DMEMIT(" writeback_jobs %u", o->wb_jobs);
		if (o->ac_blocks_set)
			DMEMIT(" autocommit_blocks %u", o->ac_blocks);
		if (o->ac_time_set)
			DMEMIT(" autocommit_time %u", o->ac_time_ms);
		if (o->max_age_set)
			DMEMIT(" max_age %u", o->max_age_ms);
		if (o->fua_set)
			DMEMIT(" %s", o->fua ? "fua" : "nofua");
		if (o->seq_cutoff_set)
			DMEMIT(" sequential_cutoff %u", o->seq_cutoff_kb);
		if (wc->cleaner)
			DMEMIT(" cleaner");
		break;
	case STATUSTYPE_IMA:
		*result = '\0';
		break;
	}
}

static int xpwc_message(struct dm_target *ti, unsigned int argc, char **argv, char *result,
			unsigned int maxlen)
{
	struct xpwc *wc = ti->private;

	if (argc != 1)
		goto out_unknown;
	if (!strcasecmp(argv[0], "flush")) {
		if (dm_suspended(ti) || !wc->active)
			return -EBUSY;
		return xpwc_flush_all(wc);
	}
	spin_lock_irq(&wc->lock);
	if (!strcasecmp(argv[0], "flush_on_suspend")) {
		wc->flush_on_suspend = true;
	} else if (!strcasecmp(argv[0], "cleaner")) {
		wc->cleaner = true;
		xpwc_wb_kick_locked(wc);
	} else if (!strcasecmp(argv[0], "clear_stats")) {
		memset(&wc->stats, 0, sizeof(wc->stats));
	} else {
		spin_unlock_irq(&wc->lock);
		goto out_unknown;
	}
	spin_unlock_irq(&wc->lock);
	return 0;

out_unknown:
	DMERR("%s: unknown message '%s' (%u words): use flush, flush_on_suspend, cleaner or clear_stats",
	      xpwc_name(wc), argc ? argv[0] : "", argc);
	return -EINVAL;
}

static void xpwc_io_hints(struct dm_target *ti, struct queue_limits *limits)
{
	struct xpwc *wc = ti->private;
	unsigned int bs = wc->block_size;

	limits->logical_block_size = max(limits->logical_block_size, bs);
	limits->physical_block_size = max(limits->physical_block_size, bs);
	limits->io_min = max(limits->io_min, bs);
	limits->discard_granularity = max(limits->discard_granularity, bs);
	if (!limits->max_hw_discard_sectors) {
		/* Discards drop cached blocks even if the origin cannot. */
		limits->max_hw_discard_sectors =
			UINT_MAX >> SECTOR_SHIFT & ~((1U << wc->sect_shift) - 1);
		limits->max_discard_sectors = limits->max_hw_discard_sectors;
	}
	xpwc_stable_writes_hint(!wc->pmem, limits);
}

static int xpwc_iterate_devices(struct dm_target *ti, iterate_devices_callout_fn fn, void *data)
{
	struct xpwc *wc = ti->private;
	int r;

	r = fn(ti, wc->origin, 0, ti->len, data);
	if (!r)
		r = fn(ti, wc->cache, 0, (XPWC_LOG_START + wc->log_blocks) << wc->sect_shift, data);
	return r;
}

static struct target_type xpwc_target = {
	.name = "xpcache",
	.version = { 1, 1, 0 },
	.module = THIS_MODULE,
	.ctr = xpwc_ctr,
	.dtr = xpwc_dtr,
	.map = xpwc_map,
	.end_io = xpwc_end_io,
	.presuspend = xpwc_presuspend,
	.presuspend_undo = xpwc_presuspend_undo,
	.postsuspend = xpwc_postsuspend,
	.preresume = xpwc_preresume,
	.resume = xpwc_resume,
	.status = xpwc_status,
	.message = xpwc_message,
	.io_hints = xpwc_io_hints,
	.iterate_devices = xpwc_iterate_devices,
};

static int __init xpwc_init(void)
{
	const char *crc = xpwc_crc32c_impl();
	int r = dm_register_target(&xpwc_target);

	if (r) {
		DMERR("cannot register the target: error %d", r);
		return r;
	}
	if (crc)
		DMINFO("CRC-32C by %s", crc);
	DMINFO("pmem mode stores blocks by %s", xpwc_pmem_method());
	return 0;
}

static void __exit xpwc_exit(void)
{
	dm_unregister_target(&xpwc_target);
}

module_init(xpwc_init);
module_exit(xpwc_exit);

MODULE_DESCRIPTION("device-mapper write-back cache with a self-checking log (xpcache)");
MODULE_AUTHOR("xdpath developers");
MODULE_LICENSE("GPL");
