/* SPDX-License-Identifier: GPL-2.0 */
/*
 * xp_rxe: a soft-RoCE device on a netdev, created with
 * `rdma link add NAME type xprxe netdev DEV` and removed with
 * `rdma link delete NAME` or when DEV goes away.
 *
 * Lifetime: ib_core owns the memory (ib_alloc_device); our dealloc_driver
 * drops what the device holds (the netdev) and takes it off the module's
 * list. Every unregistration goes through ib_core (rdma link delete, the
 * queued unregistration on NETDEV_UNREGISTER and at module exit), so the
 * device is freed exactly once.
 */
#ifndef XP_RXE_H
#define XP_RXE_H

#include <linux/list.h>
#include <linux/netdevice.h>
#include <rdma/ib_verbs.h>

#define XP_RXE_LINK_TYPE "xprxe"
#define XP_RXE_PORT 1
/* GID table entries: what ib_core's RoCE GID cache may fill from DEV's addresses. */
#define XP_RXE_GID_TABLE 1024
/* RoCEv2 headers a packet carries on top of the path MTU: Ethernet..ICRC, IPv6. */
#define XP_RXE_HDR_MAX 80

struct xp_rxe_dev {
	struct ib_device ibdev; /* first: ib_alloc_device() */
	struct net_device *ndev; /* held from newlink to dealloc_driver */
	struct list_head list; /* on xp_rxe_devs, under xp_rxe_lock */
	struct ib_device_attr attr;
	bool port_active; /* last port event dispatched: ACTIVE (else ERR) */
	bool unreg_queued; /* an unregistration of ours is queued */
};

static inline struct xp_rxe_dev *to_xdev(struct ib_device *ibdev)
{
	return container_of(ibdev, struct xp_rxe_dev, ibdev);
}

/* rxe_main.c: the module's devices. */
extern struct list_head xp_rxe_devs;
extern struct mutex xp_rxe_lock;
bool xp_rxe_removed(struct xp_rxe_dev *xd);

/* rxe_dev.c: one device. */
int xp_rxe_add(const char *name, struct net_device *ndev);
void xp_rxe_port_update(struct xp_rxe_dev *xd);

#endif /* XP_RXE_H */
