// SPDX-License-Identifier: GPL-2.0
/*
 * xp_nvdimm: the ranges= parameter, parsed and checked before anything is
 * registered, so a bad parameter is refused with no side effects.
 *
 * A range must be memory the kernel left out of its RAM: a "Reserved"
 * entry (memmap=SIZE$START) or a legacy persistent-memory entry
 * (memmap=SIZE!START) of /proc/iomem must cover all of it, and no part of
 * it may be System RAM. Start and size must be multiples of the alignment
 * ZONE_DEVICE mappings need, or fsdax and devdax namespaces could not map
 * the region.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/ioport.h>
#include <linux/kernel.h>
#include <linux/memremap.h>
#include <linux/mm.h>
#include <linux/mmzone.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "nvdimm.h"

u64 xpnd_align(void)
{
	return memremap_compat_align();
}

static bool xpnd_covered_by(const struct xpnd_layout *l, unsigned long desc)
{
	return region_intersects(l->start, l->size, IORESOURCE_MEM, desc) == REGION_INTERSECTS;
}

/* Check one range on its own; 0 or -EINVAL with the reason logged. */
static int xpnd_check_one(unsigned int i, const char *tok, const struct xpnd_layout *l)
{
	u64 align = xpnd_align();

	if (!IS_ALIGNED(l->start, align) || !IS_ALIGNED(l->size, align)) {
		pr_err("range %u (%s): %s %#llx is not aligned to %llu KiB, the granularity the kernel maps persistent memory in; align start and size to it\n",
		       i, tok, IS_ALIGNED(l->start, align) ? "size" : "start",
		       IS_ALIGNED(l->start, align) ? l->size : l->start, align >> 10);
		return -EINVAL;
	}
	if (l->size < l->reserve + XPND_REGION_ALIGN) {
		pr_err("range %u (%s): %llu KiB is too small: the label area and the alignment of the region take %llu KiB and the region needs at least %u KiB more\n",
		       i, tok, l->size >> 10, l->reserve >> 10, XPND_REGION_ALIGN >> 10);
		return -EINVAL;
	}
	if (region_intersects(l->start, l->size, IORESOURCE_SYSTEM_RAM, IORES_DESC_NONE) !=
	    REGION_DISJOINT) {
		pr_err("range %u (%s) is System RAM: reserve it at boot with memmap=%lluK$%#llx\n",
		       i, tok, l->size >> 10, l->start);
		return -EINVAL;
	}
	if (!xpnd_covered_by(l, IORES_DESC_RESERVED) &&
	    !xpnd_covered_by(l, IORES_DESC_PERSISTENT_MEMORY_LEGACY)) {
		pr_err("range %u (%s) is not reserved: no single Reserved or legacy persistent memory entry in /proc/iomem covers it (boot with memmap=%lluK$%#llx)\n",
		       i, tok, l->size >> 10, l->start);
		return -EINVAL;
	}
	return 0;
}

/* Parse "SIZE@START" (memparse syntax for both numbers) into l. */
static int xpnd_parse_one(unsigned int i, const char *tok, u32 label_size, struct xpnd_layout *l)
{
	const char *p = tok;
	char *end;

	l->size = memparse(p, &end);
	if (end == p || *end != '@')
		goto out_syntax;
	p = end + 1;
	l->start = memparse(p, &end);
	if (end == p || *end)
		goto out_syntax;
	if (!l->size || l->start + l->size < l->start ||
	    l->start + l->size > BIT_ULL(MAX_PHYSMEM_BITS)) {
		pr_err("range %u (%s) is empty or lies beyond the physical address space\n", i,
		       tok);
		return -EINVAL;
	}
	l->label_size = label_size;
	l->reserve = ALIGN(l->start + label_size, XPND_REGION_ALIGN) - l->start;
	return 0;

out_syntax:
	pr_err("ranges: cannot parse '%s': expected SIZE@START, e.g. 128M@0x20000000\n", tok);
	return -EINVAL;
}

static int xpnd_check_label_size(u32 label_size)
{
	if (label_size < XPND_LABEL_MIN || label_size > XPND_LABEL_MAX ||
	    !IS_ALIGNED(label_size, SZ_4K)) {
		pr_err("label_size %u is invalid: use a multiple of 4 KiB from %u to %u bytes (default 128K)\n",
		       label_size, XPND_LABEL_MIN, XPND_LABEL_MAX);
		return -EINVAL;
	}
	return 0;
}

/*
 * xpnd_parse_ranges() - parse and check ranges=SIZE@START[,SIZE@START...]
 * @spec: the parameter (may be NULL)
 * @label_size: bytes of label area at the start of each range
 * @out: XPND_MAX_RANGES entries
 * @nr: number of ranges found
 *
 * Return: 0, or -EINVAL after logging what is wrong with which range.
 */
int xpnd_parse_ranges(const char *spec, u32 label_size, struct xpnd_layout *out, unsigned int *nr)
{
	char *copy, *cur, *tok;
	unsigned int n = 0, j;
	int rc;

	*nr = 0;
	rc = xpnd_check_label_size(label_size);
	if (rc)
		return rc;
	if (!spec || !*spec) {
		pr_err("no ranges given: load with ranges=SIZE@START[,SIZE@START...] for memory reserved with memmap=SIZE$START\n");
		return -EINVAL;
	}
	copy = kstrdup(spec, GFP_KERNEL);
	if (!copy)
		return -ENOMEM;
	cur = strim(copy);
	while ((tok = strsep(&cur, ",")) != NULL) {
		if (n == XPND_MAX_RANGES) {
			pr_err("ranges: more than %d ranges given\n", XPND_MAX_RANGES);
			rc = -EINVAL;
			goto out_free;
		}
		rc = xpnd_parse_one(n, tok, label_size, &out[n]);
		if (rc)
			goto out_free;
		for (j = 0; j < n; j++) {
			if (out[n].start < out[j].start + out[j].size &&
			    out[j].start < out[n].start + out[n].size) {
				pr_err("range %u (%s) overlaps range %u (%#llx-%#llx)\n", n, tok, j,
				       out[j].start, out[j].start + out[j].size - 1);
				rc = -EINVAL;
				goto out_free;
			}
		}
		rc = xpnd_check_one(n, tok, &out[n]);
		if (rc)
			goto out_free;
		n++;
	}
	*nr = n;
out_free:
	kfree(copy);
	return rc;
}
