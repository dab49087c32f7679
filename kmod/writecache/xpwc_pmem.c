// SPDX-License-Identifier: GPL-2.0
/*
 * pmem mode: the cache device is persistent memory with DAX. The log has
 * the same format as in SSD mode; the committer writes a record straight
 * into the mapped device (xpwc_pmem_copy), a fence, then the header and a
 * second fence, so every record is durable when its writes complete and a
 * FLUSH costs nothing. Reads of cached
 * blocks and writeback copy out of the mapping (xpwc_map.c,
 * xpwc_writeback.c), and so does recovery (xpwc_meta.c); the superblock
 * uses the device's block interface, which sees the same memory.
 */
#include <linux/dax.h>
#include <linux/libnvdimm.h>
#include <linux/slab.h>
#ifdef CONFIG_X86
#include <asm/cpufeature.h>
#include <asm/special_insns.h>
#endif

#include "xpwc.h"

/* Copies at least this long are written back line by line (see below). */
#define XPWC_PMEM_WB_MIN 1024
#define XPWC_PMEM_LINE 64

/*
 * Store len bytes at dst in the mapping so that the next pmem_wmb() makes
 * them durable. The kernel's portable way is non-temporal stores
 * (memcpy_flushcache). Where the CPU writes a cache line back without
 * serialising (CLFLUSHOPT, or CLWB which clwb() prefers), an aligned
 * block-sized copy costs less as ordinary stores, one cache line at a
 * time, each line written back right after it is stored: on hardware
 * (dm-writecache chooses so for copies from 768 bytes) and under TCG,
 * which emulates the string instructions of a plain memcpy() one byte per
 * step. Short or unaligned copies, such as a lone write's header, keep
 * the non-temporal stores.
 */
void xpwc_pmem_copy(const struct xpwc *wc, void *dst, const void *src, size_t len)
{
#if defined(CONFIG_X86) && defined(CONFIG_ARCH_HAS_PMEM_API)
	if (wc->pmem_wb_lines && len >= XPWC_PMEM_WB_MIN &&
	    IS_ALIGNED((unsigned long)dst | len, XPWC_PMEM_LINE)) {
		for (; len; len -= XPWC_PMEM_LINE) {
			memcpy(dst, src, XPWC_PMEM_LINE);
			clwb(dst);
			dst += XPWC_PMEM_LINE;
			src += XPWC_PMEM_LINE;
		}
		return;
	}
#endif
	memcpy_flushcache(dst, src, len);
}

static bool xpwc_pmem_can_wb_lines(void)
{
#if defined(CONFIG_X86) && defined(CONFIG_ARCH_HAS_PMEM_API)
	return boot_cpu_has(X86_FEATURE_CLFLUSHOPT) &&
	       boot_cpu_data.x86_clflush_size == XPWC_PMEM_LINE;
#else
	return false;
#endif
}

/* For the log: how pmem mode stores blocks on this CPU. */
const char *xpwc_pmem_method(void)
{
	return xpwc_pmem_can_wb_lines() ? "copy and cache line write-back" : "non-temporal stores";
}

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
	wc->pmem_wb_lines = xpwc_pmem_can_wb_lines();
	return 0;
}

void xpwc_pmem_unmap(struct xpwc *wc)
{
	kfree(wc->pmem_hdr);
	wc->pmem_hdr = NULL;
	wc->pmem_addr = NULL;
}
