// SPDX-License-Identifier: GPL-2.0
/*
 * xp_nvdimm: one platform device per range; its probe registers the range
 * with libnvdimm as a bus with one DIMM and one pmem region, its remove
 * unregisters the bus, which takes the DIMM, the region and any namespace
 * with it.
 *
 * Probe marks the range in /proc/iomem as xp_nvdimm.N. The mark is not
 * busy, so the namespaces libnvdimm carves from the region can still claim
 * their parts of it, and it is taken out with remove_resource(), which
 * hands any child back to the parent: when a range is exactly the
 * firmware's Reserved entry, insert_resource() puts that entry under our
 * mark, and releasing the mark with its children would drop the entry from
 * the tree. The label area and the gap up to the region are claimed busy
 * under it, so no other driver (nd_e820 on a legacy range, say) can claim
 * the whole range while we serve it.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/io.h>
#include <linux/ioport.h>
#include <linux/mm.h> /* PAGE_SIZE, which ndctl.h uses */
#include <linux/ndctl.h>
#include <linux/numa.h>
#include <linux/slab.h>
#include <linux/version.h>

#include "nvdimm.h"

static int xpnd_probe_rc[XPND_MAX_RANGES];

/* The last probe's result for range @id (0 when it bound). */
int xpnd_probe_status(unsigned int id)
{
	return id < XPND_MAX_RANGES ? xpnd_probe_rc[id] : -EINVAL;
}

/*
 * The interleave-set cookie ties namespace labels to this region: labels
 * written for another region (another range, or the same memory with a
 * different layout) are not taken for ours. It must be stable across
 * boots, so it is derived from the layout alone.
 */
static u64 xpnd_cookie(const struct xpnd_layout *l)
{
	struct {
		char magic[16];
		__le64 start;
		__le64 size;
		__le64 reserve;
	} id = {
		.magic = XPND_NAME,
		.start = cpu_to_le64(l->start),
		.size = cpu_to_le64(l->size),
		.reserve = cpu_to_le64(l->reserve),
	};

	return nd_fletcher64(&id, sizeof(id), true);
}

static void xpnd_unmark(void *res)
{
	remove_resource(res);
}

static int xpnd_mark(struct xpnd_range *r)
{
	int rc;

	r->mark =
		(struct resource)DEFINE_RES_MEM_NAMED(r->lay.start, r->lay.size, dev_name(r->dev));
	rc = insert_resource(&iomem_resource, &r->mark);
	if (rc) {
		dev_err(r->dev, "cannot mark %pR in /proc/iomem: %d\n", &r->mark, rc);
		return rc;
	}
	rc = devm_add_action_or_reset(r->dev, xpnd_unmark, &r->mark);
	if (rc)
		return rc;
	if (!devm_request_mem_region(r->dev, r->lay.start, r->lay.reserve, r->lsa_name)) {
		dev_err(r->dev, "%#llx-%#llx is in use by another driver (see /proc/iomem)\n",
			r->lay.start, r->lay.start + r->lay.reserve - 1);
		return -EBUSY;
	}
	return 0;
}

static int xpnd_register(struct xpnd_range *r)
{
	struct nd_mapping_desc mapping = {};
	struct nd_region_desc ndr_desc = {};
	unsigned long dimm_flags = BIT(NDD_LABELING);
	unsigned long cmd_mask = BIT(ND_CMD_GET_CONFIG_SIZE) | BIT(ND_CMD_GET_CONFIG_DATA) |
				 BIT(ND_CMD_SET_CONFIG_DATA);
	int nid;

	r->nd_desc.provider_name = (char *)dev_name(r->dev);
	r->nd_desc.module = THIS_MODULE;
	r->nd_desc.ndctl = xpnd_ndctl;
	r->bus = nvdimm_bus_register(r->dev, &r->nd_desc);
	if (!r->bus)
		return -ENXIO;

	r->nvdimm = nvdimm_create(r->bus, r, NULL, dimm_flags, cmd_mask, 0, NULL);
	if (!r->nvdimm)
		goto out_bus;
	/*
	 * The DIMM registers asynchronously; the region must not probe
	 * before the DIMM has (it would find no label data and fail).
	 */
	if (nvdimm_bus_check_dimm_count(r->bus, 1))
		goto out_bus;

	r->nd_set.cookie1 = xpnd_cookie(&r->lay);
	r->nd_set.cookie2 = r->nd_set.cookie1;
	r->nd_set.altcookie = r->nd_set.cookie1;

	mapping.nvdimm = r->nvdimm;
	mapping.start = 0;
	mapping.size = resource_size(&r->region_res);
	mapping.position = 0;

	/* as e820 does: NUMA_NO_NODE hides target_node rather than guess */
	nid = phys_to_target_node(r->region_res.start);
	ndr_desc.res = &r->region_res;
	ndr_desc.mapping = &mapping;
	ndr_desc.num_mappings = 1;
	ndr_desc.nd_set = &r->nd_set;
	ndr_desc.provider_data = r;
	ndr_desc.numa_node = numa_map_to_online_node(nid);
	ndr_desc.target_node = nid;
	set_bit(ND_REGION_PAGEMAP, &ndr_desc.flags);
	if (!nvdimm_pmem_region_create(r->bus, &ndr_desc))
		goto out_bus;
	return 0;

out_bus:
	/* takes the DIMM with it */
	nvdimm_bus_unregister(r->bus);
	r->bus = NULL;
	return -ENXIO;
}

static int xpnd_probe(struct platform_device *pdev)
{
	struct device *dev = &pdev->dev;
	const struct xpnd_layout *lay = dev_get_platdata(dev);
	struct xpnd_range *r;
	int rc;

	if (!lay || pdev->id < 0 || pdev->id >= XPND_MAX_RANGES)
		return -ENXIO;
	r = devm_kzalloc(dev, sizeof(*r), GFP_KERNEL);
	if (!r) {
		rc = -ENOMEM;
		goto out;
	}
	r->dev = dev;
	r->lay = *lay;
	snprintf(r->lsa_name, sizeof(r->lsa_name), "%s label area", dev_name(dev));
	mutex_init(&r->lsa_lock);
	r->region_res = (struct resource)DEFINE_RES_MEM_NAMED(
		lay->start + lay->reserve, lay->size - lay->reserve, dev_name(dev));

	rc = xpnd_mark(r);
	if (rc)
		goto out;

	r->lsa = devm_memremap(dev, lay->start, lay->label_size, MEMREMAP_WB);
	if (IS_ERR(r->lsa)) {
		rc = PTR_ERR(r->lsa);
		dev_err(dev, "cannot map the label area at %#llx: %d\n", lay->start, rc);
		goto out;
	}

	rc = xpnd_register(r);
	if (rc) {
		dev_err(dev, "libnvdimm refused the bus, DIMM or region: %d\n", rc);
		goto out;
	}
	platform_set_drvdata(pdev, r);
	dev_info(dev, "%#llx-%#llx: %s, label area %u KiB, region %pR\n", lay->start,
		 lay->start + lay->size - 1, nvdimm_name(r->nvdimm), lay->label_size >> 10,
		 &r->region_res);
out:
	xpnd_probe_rc[pdev->id] = rc;
	return rc;
}

static void xpnd_remove(struct platform_device *pdev)
{
	struct xpnd_range *r = platform_get_drvdata(pdev);

	nvdimm_bus_unregister(r->bus);
}

struct platform_driver xpnd_driver = {
	.probe = xpnd_probe,
/* .remove returns void since 6.11; .remove_new is gone since 6.16 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 11, 0)
	.remove = xpnd_remove,
#else
	.remove_new = xpnd_remove,
#endif
	.driver = {
		.name = XPND_NAME,
		/* module init decides what is bound; no unbind from sysfs */
		.suppress_bind_attrs = true,
		.probe_type = PROBE_FORCE_SYNCHRONOUS,
	},
};
