// SPDX-License-Identifier: GPL-2.0
/*
 * xp_hello: the smallest module of the tree. It proves that kmod/ builds
 * against Debian's headers and that the VM test bed loads and unloads a
 * module we built: it logs a line with its parameter on load and unload,
 * and refuses to load when asked to (fail=1), so a test can check that a
 * failed init reaches the caller as an error.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/init.h>
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/utsname.h>

static char *greeting = "hello";
module_param(greeting, charp, 0444);
MODULE_PARM_DESC(greeting, "word logged on load and unload (default: hello)");

static bool fail;
module_param(fail, bool, 0444);
MODULE_PARM_DESC(fail, "refuse to load with -EINVAL (default: no)");

static int __init xp_hello_init(void)
{
	if (fail) {
		pr_err("load refused: fail=1\n");
		return -EINVAL;
	}
	pr_info("%s from %s\n", greeting, init_utsname()->release);
	return 0;
}

static void __exit xp_hello_exit(void)
{
	pr_info("goodbye, %s\n", greeting);
}

module_init(xp_hello_init);
module_exit(xp_hello_exit);

MODULE_DESCRIPTION("xdpath test-bed module: logs on load and unload");
MODULE_AUTHOR("xdpath developers");
MODULE_LICENSE("GPL");
