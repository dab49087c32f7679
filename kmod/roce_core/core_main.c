// SPDX-License-Identifier: GPL-2.0
/*
 * xp_roce_core: the RoCEv2 transport core (core/roce) built for the
 * kernel, the same files libxdpath builds in user space. At load it runs a
 * self-test (core_selftest.c) and refuses to load when that fails, so a
 * kernel series on which the core misbehaves is caught before a soft-RoCE
 * device is built on it. selftest=0 only links the core.
 */
#include <linux/module.h>

#include "core_selftest.h"

static bool selftest = true;
module_param(selftest, bool, 0444);
MODULE_PARM_DESC(selftest,
		 "run every RC operation between two loopback devices at load (default 1)");

static int __init xp_roce_core_init(void)
{
	int err;

	if (!selftest) {
		pr_info("xp_roce_core: loaded without self-test\n");
		return 0;
	}
	err = xp_core_selftest();
	if (err) {
		pr_err("xp_roce_core: self-test failed: %d; not loading\n", err);
		return err;
	}
	return 0;
}

static void __exit xp_roce_core_exit(void)
{
	pr_info("xp_roce_core: unloaded\n");
}

module_init(xp_roce_core_init);
module_exit(xp_roce_core_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("xdpath RoCEv2 transport core, with a load-time self-test");
