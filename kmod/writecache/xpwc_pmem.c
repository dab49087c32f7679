// SPDX-License-Identifier: GPL-2.0
/*
 * pmem mode: the cache device is persistent memory with DAX. The log has
 * the same format as in SSD mode; the committer writes a record straight
 * into the mapped device with non-temporal stores (memcpy_flushcache), a
 * fence, then the header and a second fence, so every record is durable
 * when its writes complete and a FLUSH costs nothing. Reads of cached
 * blocks and writeback copy out of the mapping (xpwc_map.c,
 * xpwc_writeback.c), and so does recovery (xpwc_meta.c); the superblock
 * uses the device's block interface, which sees the same memory.
 */
#include <linux/dax.h>
#include <linux/slab.h>

#include "xpwc.h"

int xpwc_pmem_map(struct xpwc *wc)
{
	struct dm_dev *dev = wc->cache;
	sector_t start = get_start_sect(dev->bdev);
	long pages = bdev_nr_sectors(dev->bdev) >> (PAGE_SHIFT - SECTOR_SHIFT), got;
	void *addr;
	int id;

	if (!dev->dax_dev) {
		DMERR("cache_dev %s does not support DAX, which mode p needs: use a pmem device in fsdax mode (ndctl create-namespace -m fsdax), or mode s",
		      dev->name);
		return -EOPNOTSUPP;
	}
	if (start & ((PAGE_SIZE >> SECTOR_SHIFT) - 1)) {
		DMERR("cache_dev %s starts at sector %llu, not on a page boundary, which mode p needs",
		      dev->name, (u64)start);
		return -EINVAL;
	}
	id = dax_read_lock();
	got = dax_direct_access(dev->dax_dev, start >> (PAGE_SHIFT - SECTOR_SHIFT), pages,
				DAX_ACCESS, &addr, NULL);
	dax_read_unlock(id);
	if (got < 0) {
		DMERR("cannot map cache_dev %s through DAX: error %ld", dev->name, got);
		return got;
	}
	if (got < pages) {
		DMERR("only %ld of the %ld pages of cache_dev %s map contiguously; mode p needs all",
		      got, pages, dev->name);
		return -EOPNOTSUPP;
	}
	wc->pmem_hdr = kmalloc(wc->block_size, GFP_KERNEL);
	if (!wc->pmem_hdr)
		return -ENOMEM;
	wc->pmem_addr = addr;
	return 0;
}

void xpwc_pmem_unmap(struct xpwc *wc)
{
	kfree(wc->pmem_hdr);
	wc->pmem_hdr = NULL;
	wc->pmem_addr = NULL;
}
