/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Kernel interfaces that differ between the kernels xpcache is built for
 * (Debian's 6.1 and 6.12, and the newest series from trixie-backports).
 * Kbuild greps the headers for the form they have (XPWC_HAVE_*) rather than
 * guessing a release from the version, since Debian backports interfaces.
 */
#ifndef XPWC_COMPAT_H
#define XPWC_COMPAT_H

#include <linux/blkdev.h>
#include <linux/crc32c.h>
#include <linux/dm-io.h>
#include <linux/ioprio.h>

/*
 * CRC-32C through the kernel's crc32c(): on 6.1 and 6.12 that is libcrc32c,
 * which asks the crypto API for the best "crc32c" driver when it loads
 * (crc32c-intel where the CPU has SSE4.2, so that driver must be loaded
 * first: libcrc32c's soft dependency does it); since the lib/crc rework the
 * library itself uses the CPU's instructions. Which one: for the log.
 */
static inline u32 xpwc_crc32c(u32 crc, const void *p, size_t len)
{
	return crc32c(crc, p, len);
}

static inline const char *xpwc_crc32c_impl(void)
{
#if defined(XPWC_HAVE_CRC32C_IMPL)
	return crc32c_impl();
#elif defined(XPWC_HAVE_CRC32_OPTIMIZATIONS)
	return crc32_optimizations() & CRC32C_OPTIMIZATION ? "crc32c (arch)" : "crc32c (generic)";
#else
	return NULL; /* libcrc32c without crc32c_impl(): /proc/crypto says */
#endif
}

/*
 * dm_io(): newer kernels report the regions that did not support the
 * operation apart from those that failed. xpcache treats both as failed.
 */
static inline int xpwc_dm_io(struct dm_io_request *req, unsigned int num_regions,
			     struct dm_io_region *where, unsigned long *sync_error_bits)
{
#ifdef XPWC_HAVE_DM_IO_UNSUP
	unsigned long unsup = 0;
	int r = dm_io(req, num_regions, where, sync_error_bits, &unsup, IOPRIO_DEFAULT);

	if (sync_error_bits)
		*sync_error_bits |= unsup;
	return r;
#else
	return dm_io(req, num_regions, where, sync_error_bits, IOPRIO_DEFAULT);
#endif
}

/* FN_dm_io: FN(error, context) as a dm_io notify function. */
#ifdef XPWC_HAVE_DM_IO_UNSUP
#define XPWC_DM_IO_NOTIFY(fn)                                                           \
	static void fn##_dm_io(unsigned long error, unsigned long unsup, void *context) \
	{                                                                               \
		fn(error | unsup, context);                                             \
	}
#else
#define XPWC_DM_IO_NOTIFY(fn)                                      \
	static void fn##_dm_io(unsigned long error, void *context) \
	{                                                          \
		fn(error, context);                                \
	}
#endif

/*
 * Stable writes, asked for in SSD mode: the page cache then leaves a page
 * alone while it is under writeback, and xpcache checksums and sends it
 * without a copy (xpwc_commit.c). Since the queue-limits rework a target
 * asks in io_hints; before it, dm sets the queue flag from the devices
 * below at every table swap, so resume sets it afterwards.
 */
static inline void xpwc_stable_writes_hint(bool want, struct queue_limits *limits)
{
#ifdef XPWC_HAVE_BLK_FEAT_STABLE_WRITES
	if (want)
		limits->features |= BLK_FEAT_STABLE_WRITES;
#endif
}

static inline void xpwc_stable_writes_set(bool want, struct gendisk *disk)
{
#ifndef XPWC_HAVE_BLK_FEAT_STABLE_WRITES
	if (want)
		blk_queue_flag_set(QUEUE_FLAG_STABLE_WRITES, disk->queue);
#endif
}

#endif /* XPWC_COMPAT_H */
