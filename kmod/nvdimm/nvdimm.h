/* SPDX-License-Identifier: GPL-2.0 */
/*
 * xp_nvdimm: persistent memory from reserved physical ranges, registered
 * with libnvdimm as one bus, one DIMM and one pmem region per range, the
 * DIMM's namespace label area kept at the start of the range itself.
 */
#ifndef XP_NVDIMM_H
#define XP_NVDIMM_H

#include <linux/libnvdimm.h>
#include <linux/mutex.h>
#include <linux/platform_device.h>
#include <linux/types.h>

#define XPND_NAME "xp_nvdimm"
#define XPND_MAX_RANGES 8
#define XPND_LABEL_MIN SZ_128K
#define XPND_LABEL_MAX SZ_1M
/*
 * libnvdimm's default region alignment for regions of 16 MiB and more
 * (MEMREMAP_COMPAT_ALIGN_MAX, private to the kernel): namespace sizes are
 * multiples of it and ndctl refuses fsdax and devdax namespaces whose start
 * is not aligned to it, so the region starts on such a boundary.
 */
#define XPND_REGION_ALIGN SZ_16M

/*
 * One range as the parameters give it, after validation. Layout in memory:
 *
 *   start                 start + reserve                      start + size
 *   | label area | unused |  pmem region (DPA 0 ..)                     |
 *   |<-label_size->       |
 *
 * start and size are multiples of the granularity the kernel maps
 * ZONE_DEVICE memory in (memremap_compat_align(), 2 MiB on x86_64);
 * start + reserve is the first XPND_REGION_ALIGN boundary after the label
 * area, so the region and every namespace carved from it start aligned.
 */
struct xpnd_layout {
	u64 start;
	u64 size;
	u64 reserve;
	u32 label_size;
};

/* One registered range: the platform device's driver data. */
struct xpnd_range {
	struct device *dev;
	struct xpnd_layout lay;
	void *lsa; /* label area, mapped write-back */
	struct mutex lsa_lock; /* serialises label-area reads and writes */
	struct resource mark; /* xp_nvdimm.N in /proc/iomem */
	char lsa_name[32]; /* the label area's claim, inside the mark */
	struct resource region_res;
	struct nd_interleave_set nd_set;
	struct nvdimm_bus_descriptor nd_desc;
	struct nvdimm_bus *bus;
	struct nvdimm *nvdimm;
};

/* nvdimm_params.c */
int xpnd_parse_size(const char *str, u64 *out);
int xpnd_parse_ranges(const char *spec, u32 label_size, struct xpnd_layout *out, unsigned int *nr);

/* nvdimm_range.c */
extern struct platform_driver xpnd_driver;
int xpnd_probe_status(unsigned int id);

/* nvdimm_lsa.c */
int xpnd_ndctl(struct nvdimm_bus_descriptor *nd_desc, struct nvdimm *nvdimm, unsigned int cmd,
	       void *buf, unsigned int buf_len, int *cmd_rc);

#endif /* XP_NVDIMM_H */
