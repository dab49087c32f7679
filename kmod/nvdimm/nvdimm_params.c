// SPDX-License-Identifier: GPL-2.0
/*
 * xp_nvdimm: the ranges= parameter, parsed and checked before anything is
 * registered, so a bad parameter is refused with no side effects.
 *
 * A range must be memory the kernel left out of its RAM: a "Reserved"
 * entry (memmap=SIZE$START) or a legacy persistent-memory entry
 * (memmap=SIZE!START) of /proc/iomem must cover all of it, no part of it
 * may be System RAM, and no driver may have claimed any of it. Start and size must be multiples of the alignment
 * ZONE_DEVICE mappings need, or fsdax and devdax namespaces could not map
 * the region.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/ctype.h>
#include <linux/ioport.h>
#include <linux/kernel.h>
#include <linux/memremap.h>
#include <linux/mm.h>
#include <linux/overflow.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "nvdimm.h"

/*
 * walk_iomem_res_desc() hands its callback each matching entry clipped to
 * the range asked for: one entry covers the whole range when a clipped
 * entry is the whole range. (region_intersects() would also accept a range
 * that runs from a Reserved entry into a hole, and two adjacent entries.)
 */
static int xpnd_covers(struct resource *res, void *arg)
{
	const struct xpnd_layout *l = arg;

	return res->start == l->start && res->end == l->start + l->size - 1;
}

static bool xpnd_covered_by(const struct xpnd_layout *l, unsigned long desc)
{
	return walk_iomem_res_desc(desc, IORESOURCE_MEM, l->start, l->start + l->size - 1,
				   (void *)l, xpnd_covers) > 0;
}

/*
 * Nothing may have claimed any part of the range: a busy request fails if
 * a busy resource (a namespace of another provider, a driver's mapping)
 * overlaps it or if it straddles the edge of a non-busy one. It is given
 * back at once; probe claims the label area for good.
 */
static bool xpnd_unclaimed(const struct xpnd_layout *l)
{
	if (!request_mem_region(l->start, l->size, XPND_NAME))
		return false;
	release_mem_region(l->start, l->size);
	return true;
}

/* Check one range on its own; 0 or -errno with the reason logged. */
static int xpnd_check_one(unsigned int i, const char *tok, const struct xpnd_layout *l)
{
	u64 align = memremap_compat_align();

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
	if (!xpnd_unclaimed(l)) {
		pr_err("range %u (%s) is in use: part of it is claimed by another driver (see /proc/iomem)\n",
		       i, tok);
		return -EBUSY;
	}
	return 0;
}

/*
 * xpnd_parse_size() - a number with an optional K, M, G or T suffix
 * (binary multiples), decimal or 0x-hex, as memparse() reads it but
 * refusing what memparse() would silently wrap.
 */
int xpnd_parse_size(const char *str, u64 *out)
{
	static const char suffixes[] = "KMGT";
	size_t len = strlen(str);
	unsigned int shift = 0;
	const char *sfx;
	char num[24];
	u64 v;

	if (len && len < sizeof(num)) {
		sfx = strchr(suffixes, toupper(str[len - 1]));
		/* 'K' and the rest are never hex digits; no suffix is '\0' */
		if (sfx && *sfx) {
			shift = 10 * (sfx - suffixes + 1);
			len--;
		}
	}
	if (!len || len >= sizeof(num))
		return -EINVAL;
	memcpy(num, str, len);
	num[len] = '\0';
	if (kstrtoull(num, 0, &v) || check_shl_overflow(v, shift, &v))
		return -EINVAL;
	*out = v;
	return 0;
}

/* Parse "SIZE@START" into l; tok is modified. */
static int xpnd_parse_one(unsigned int i, char *tok, u32 label_size, struct xpnd_layout *l)
{
	char *at = strchr(tok, '@');

	if (!at)
		goto out_syntax;
	*at = '\0';
	if (xpnd_parse_size(tok, &l->size) || xpnd_parse_size(at + 1, &l->start))
		goto out_syntax;
	*at = '@';
	if (!l->size || l->start + l->size < l->start ||
	    l->start + l->size - 1 > iomem_resource.end) {
		pr_err("range %u (%s) is empty or lies beyond the physical address space (%pa)\n",
		       i, tok, &iomem_resource.end);
		return -EINVAL;
	}
	l->label_size = label_size;
	l->reserve = ALIGN(l->start + label_size, XPND_REGION_ALIGN) - l->start;
	return 0;

out_syntax:
	if (at)
		*at = '@';
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
