// SPDX-License-Identifier: GPL-2.0
/*
 * xp_rxe: soft-RoCE devices on netdevs (issue 15). The module registers
 * the rdma link type "xprxe" (rdma link add NAME type xprxe netdev DEV),
 * follows its netdevs (link up/down, removal) and removes every device it
 * made when it unloads.
 */
#include <linux/module.h>
#include <linux/wait.h>
#include <rdma/rdma_netlink.h>

#include "xp_rxe.h"

LIST_HEAD(xp_rxe_devs);
DEFINE_MUTEX(xp_rxe_lock);
static DECLARE_WAIT_QUEUE_HEAD(xp_rxe_gone);

/* dealloc_driver: take xd off our list; false if it never was on it. */
bool xp_rxe_removed(struct xp_rxe_dev *xd)
{
	bool listed;

	mutex_lock(&xp_rxe_lock);
	listed = !list_empty(&xd->list);
	list_del_init(&xd->list);
	mutex_unlock(&xp_rxe_lock);
	wake_up(&xp_rxe_gone);
	return listed;
}

/* Under xp_rxe_lock: queue xd's unregistration once, if it is registered. */
static void xp_rxe_queue_unregister(struct xp_rxe_dev *xd)
{
	if (xd->unreg_queued || !ib_device_try_get(&xd->ibdev))
		return;
	xd->unreg_queued = true;
	ib_unregister_device_queued(&xd->ibdev);
	ib_device_put(&xd->ibdev);
}

static int xp_rxe_newlink(const char *name, struct net_device *ndev)
{
	return xp_rxe_add(name, ndev);
}

static struct rdma_link_ops xp_rxe_link_ops = {
	.type = XP_RXE_LINK_TYPE,
	.newlink = xp_rxe_newlink,
};

static int xp_rxe_netdev_event(struct notifier_block *nb, unsigned long event, void *ptr)
{
	struct net_device *ndev = netdev_notifier_info_to_dev(ptr);
	struct xp_rxe_dev *xd;

	mutex_lock(&xp_rxe_lock);
	list_for_each_entry(xd, &xp_rxe_devs, list) {
		if (xd->ndev != ndev)
			continue;
		switch (event) {
		case NETDEV_UNREGISTER:
			/* No frames from a netdev that goes (we are under the RTNL). */
			xp_rxe_host_detach(&xd->host);
			xp_rxe_queue_unregister(xd);
			break;
		case NETDEV_UP:
		case NETDEV_DOWN:
		case NETDEV_CHANGE:
			if (!xd->unreg_queued && ib_device_try_get(&xd->ibdev)) {
				xp_rxe_port_update(xd);
				ib_device_put(&xd->ibdev);
			}
			break;
		default:
			break;
		}
	}
	mutex_unlock(&xp_rxe_lock);
	return NOTIFY_OK;
}

static struct notifier_block xp_rxe_netdev_nb = {
	.notifier_call = xp_rxe_netdev_event,
};

static bool xp_rxe_none_left(void)
{
	bool empty;

	mutex_lock(&xp_rxe_lock);
	empty = list_empty(&xp_rxe_devs);
	mutex_unlock(&xp_rxe_lock);
	return empty;
}

static int __init xp_rxe_init(void)
{
	int err;

	err = register_netdevice_notifier(&xp_rxe_netdev_nb);
	if (err) {
		pr_err("xp_rxe: netdev notifier: %d\n", err);
		return err;
	}
	err = xp_rxe_xdp_register();
	if (err)
		goto out_notifier;
	rdma_link_register(&xp_rxe_link_ops);
	pr_info("xp_rxe: loaded (rdma link add NAME type %s netdev DEV)\n", XP_RXE_LINK_TYPE);
	return 0;

out_notifier:
	unregister_netdevice_notifier(&xp_rxe_netdev_nb);
	return err;
}

static void __exit xp_rxe_exit(void)
{
	struct xp_rxe_dev *xd, *prev = NULL;

	/* No newlink runs after this returns. */
	rdma_link_unregister(&xp_rxe_link_ops);
	/*
	 * Unregister each device synchronously: ib_unregister_device() returns
	 * once its dealloc_driver has returned, also when a queued
	 * unregistration (the netdev going) holds the device at that moment.
	 * Waiting for the list to empty is not enough on its own:
	 * dealloc_driver takes the device off the list before it returns, and
	 * our text must outlive that return (a 7.3 guest ran freed module
	 * text there when the module went with two devices).
	 */
	for (;;) {
		mutex_lock(&xp_rxe_lock);
		xd = list_first_entry_or_null(&xp_rxe_devs, struct xp_rxe_dev, list);
		if (xd && xd != prev)
			get_device(&xd->ibdev.dev); /* on the list: not freed yet */
		mutex_unlock(&xp_rxe_lock);
		if (!xd || xd == prev)
			break;
		ib_unregister_device(&xd->ibdev);
		put_device(&xd->ibdev.dev);
		prev = xd;
	}
	/* Only if one stayed listed: its dealloc_driver is on its way. */
	wait_event(xp_rxe_gone, xp_rxe_none_left());
	unregister_netdevice_notifier(&xp_rxe_netdev_nb);
	pr_info("xp_rxe: unloaded\n");
}

module_init(xp_rxe_init);
module_exit(xp_rxe_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("xdpath soft-RoCE device fed by XDP");
MODULE_ALIAS_RDMA_LINK(XP_RXE_LINK_TYPE);
