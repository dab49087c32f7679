// SPDX-License-Identifier: GPL-2.0
/*
 * Fault injection for tests: module parameters that make every xp_rxe
 * device drop, duplicate or reorder a fraction of the RoCE frames it
 * receives, through the transport core's xp_rdma_dev_set_faults().
 *
 *	echo 20000 > /sys/module/xp_rxe/parameters/fault_drop_ppm
 *	insmod xp_rxe.ko fault_drop_ppm=20000 fault_reorder_ppm=10000
 *
 * Fractions are in parts per million of the received frames, at most
 * 1000000 together; fault_seed seeds the core's choice, so a run can be
 * repeated. A change applies to every device at once and to each new one.
 * The core holds back only frames the host lends it. An skb of the
 * rx_handler path is lent; a frame from XDP sits in the driver's buffer,
 * so while fault_reorder_ppm is set the host copies each one into an skb
 * of its own (rxe_host.c), and frames of both paths are reordered. The port
 * counters show the faults (rx_drop_fault, rx_fault_dups,
 * rx_fault_reorders) and their repair (rc_retransmits, rc_seq_naks_*,
 * rc_dup_requests, rc_out_of_seq).
 */
#include <linux/module.h>
#include <linux/moduleparam.h>

#include "xp_rxe.h"

/* Under xp_rxe_lock. */
static struct xp_rdma_faults xp_rxe_faults = { .sz = sizeof(xp_rxe_faults) };

/* Under xp_rxe_lock: the current faults into one device's core. */
static void xp_rxe_faults_apply(struct xp_rxe_dev *xd)
{
	int err;

	spin_lock_bh(&xd->host.lock);
	err = xp_rdma_dev_set_faults(xd->host.core, &xp_rxe_faults);
	spin_unlock_bh(&xd->host.lock);
	/* Read by the XDP path before it takes the lock. */
	WRITE_ONCE(xd->host.rx_copy_xdp, !err && xp_rxe_faults.reorder_ppm);
	if (err)
		pr_err("xp_rxe: %s: setting faults: %d\n", dev_name(&xd->ibdev.dev), err);
}

void xp_rxe_faults_start(struct xp_rxe_dev *xd)
{
	mutex_lock(&xp_rxe_lock);
	xd->host.faults_ready = true;
	xp_rxe_faults_apply(xd);
	mutex_unlock(&xp_rxe_lock);
}

static int xp_rxe_fault_set(const char *val, const struct kernel_param *kp)
{
	int n = strcspn(val, "\n"); /* what it says, without echo's newline */
	struct xp_rdma_faults old;
	struct xp_rxe_dev *xd;
	u64 v, sum;
	int err;

	err = kstrtou64(val, 0, &v);
	if (err) {
		pr_err("xp_rxe: %s: '%.*s' is not a number\n", kp->name, n, val);
		return -EINVAL;
	}
	mutex_lock(&xp_rxe_lock);
	old = xp_rxe_faults;
	if (kp->arg == &xp_rxe_faults.seed)
		xp_rxe_faults.seed = v;
	else if (v <= 1000000)
		*(u32 *)kp->arg = v;
	sum = (u64)xp_rxe_faults.drop_ppm + xp_rxe_faults.dup_ppm + xp_rxe_faults.reorder_ppm;
	if ((kp->arg != &xp_rxe_faults.seed && v > 1000000) || sum > 1000000) {
		xp_rxe_faults = old;
		mutex_unlock(&xp_rxe_lock);
		pr_err("xp_rxe: %s=%.*s refused: drop, dup and reorder are parts per million, at most 1000000 together\n",
		       kp->name, n, val);
		return -EINVAL;
	}
	list_for_each_entry(xd, &xp_rxe_devs, list)
		if (xd->host.faults_ready)
			xp_rxe_faults_apply(xd);
	mutex_unlock(&xp_rxe_lock);
	return 0;
}

static const struct kernel_param_ops xp_rxe_ppm_ops = {
	.set = xp_rxe_fault_set,
	.get = param_get_uint,
};

static const struct kernel_param_ops xp_rxe_seed_ops = {
	.set = xp_rxe_fault_set,
	.get = param_get_ullong,
};

module_param_cb(fault_drop_ppm, &xp_rxe_ppm_ops, &xp_rxe_faults.drop_ppm, 0644);
MODULE_PARM_DESC(fault_drop_ppm, "tests: received RoCE frames to drop, parts per million");
module_param_cb(fault_dup_ppm, &xp_rxe_ppm_ops, &xp_rxe_faults.dup_ppm, 0644);
MODULE_PARM_DESC(fault_dup_ppm, "tests: received frames to deliver twice, ppm");
module_param_cb(fault_reorder_ppm, &xp_rxe_ppm_ops, &xp_rxe_faults.reorder_ppm, 0644);
MODULE_PARM_DESC(fault_reorder_ppm, "tests: received frames to hold back behind the next, ppm");
module_param_cb(fault_seed, &xp_rxe_seed_ops, &xp_rxe_faults.seed, 0644);
MODULE_PARM_DESC(fault_seed, "tests: seed of the fault choice");
