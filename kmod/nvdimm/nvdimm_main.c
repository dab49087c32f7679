// SPDX-License-Identifier: GPL-2.0
/*
 * xp_nvdimm: persistent memory from physical ranges the kernel left out of
 * its RAM, made a label-capable NVDIMM that ndctl drives unchanged.
 *
 *   memmap=192M$0x20000000                          (kernel command line)
 *   modprobe xp_nvdimm ranges=128M@0x20000000,64M@0x28000000
 *
 * Each range becomes a libnvdimm bus (provider xp_nvdimm.N) with one DIMM
 * and one pmem region. The first label_size bytes of the range are the
 * DIMM's namespace label area; the region starts at the next aligned
 * boundary. See docs/nvdimm.md.
 *
 * Loading is all or nothing: every range is checked before anything is
 * registered, and if one still fails to register, those registered before
 * it are taken down again.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/init.h>
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/string.h>

#include "nvdimm.h"

static char *ranges;
module_param(ranges, charp, 0444);
MODULE_PARM_DESC(
	ranges,
	"SIZE@START[,SIZE@START...]: reserved physical ranges (memmap=SIZE$START) to serve, up to 8");

/* label_size takes the syntax of the sizes in ranges= (128K). */
static int xpnd_size_param_set(const char *val, const struct kernel_param *kp)
{
	char buf[24];
	u64 v;

	if (strscpy(buf, val, sizeof(buf)) < 0)
		return -EINVAL;
	strim(buf);
	if (xpnd_parse_size(buf, &v) || v > UINT_MAX)
		return -EINVAL;
	*(uint *)kp->arg = v;
	return 0;
}

static const struct kernel_param_ops xpnd_size_param_ops = {
	.set = xpnd_size_param_set,
	.get = param_get_uint,
};

static uint label_size = XPND_LABEL_MIN;
module_param_cb(label_size, &xpnd_size_param_ops, &label_size, 0444);
MODULE_PARM_DESC(
	label_size,
	"bytes of namespace label area at the start of each range (128K..1M, 4K multiple; default 128K)");

static struct platform_device *xpnd_pdevs[XPND_MAX_RANGES];
static unsigned int xpnd_nr;

static void xpnd_unregister_devices(void)
{
	while (xpnd_nr)
		platform_device_unregister(xpnd_pdevs[--xpnd_nr]);
}

static int xpnd_add_device(unsigned int i, const struct xpnd_layout *lay)
{
	struct platform_device *pdev;
	int rc;

	pdev = platform_device_register_data(NULL, XPND_NAME, i, lay, sizeof(*lay));
	if (IS_ERR(pdev)) {
		rc = PTR_ERR(pdev);
		pr_err("range %u: cannot add device %s.%u: %d\n", i, XPND_NAME, i, rc);
		return rc;
	}
	xpnd_pdevs[xpnd_nr++] = pdev;
	if (!platform_get_drvdata(pdev)) {
		rc = xpnd_probe_status(i) ?: -ENXIO;
		pr_err("range %u: %#llx-%#llx not registered: %d\n", i, lay->start,
		       lay->start + lay->size - 1, rc);
		return rc;
	}
	return 0;
}

static int __init xpnd_init(void)
{
	struct xpnd_layout lay[XPND_MAX_RANGES];
	unsigned int nr, i;
	int rc;

	rc = xpnd_parse_ranges(ranges, label_size, lay, &nr);
	if (rc)
		return rc;
	rc = platform_driver_register(&xpnd_driver);
	if (rc)
		return rc;
	for (i = 0; i < nr; i++) {
		rc = xpnd_add_device(i, &lay[i]);
		if (rc)
			goto out_devices;
	}
	return 0;

out_devices:
	xpnd_unregister_devices();
	platform_driver_unregister(&xpnd_driver);
	return rc;
}

static void __exit xpnd_exit(void)
{
	xpnd_unregister_devices();
	platform_driver_unregister(&xpnd_driver);
}

module_init(xpnd_init);
module_exit(xpnd_exit);

MODULE_DESCRIPTION("xdpath: label-capable NVDIMMs from reserved physical memory");
MODULE_AUTHOR("xdpath developers");
MODULE_LICENSE("GPL");
