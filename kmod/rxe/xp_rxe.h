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
/*
 * GID table entries: what ib_core's RoCE GID cache may fill from DEV's
 * addresses, one RoCEv2 GID per address; the core's table
 * (XP_RDMA_GID_TBL_LEN, checked in rxe_host.c) mirrors it.
 */
#define XP_RXE_GID_TABLE 16
/* RoCEv2 headers a packet carries on top of the path MTU: Ethernet..ICRC, IPv6. */
#define XP_RXE_HDR_MAX 80
#define XP_RXE_UDP_PORT 4791

struct xp_rdma_dev;
struct xp_rdma_dev_stats;

/* The transport core hosted for one device (rxe_host.c). */
struct xp_rxe_host {
	spinlock_t lock; /* the core runs under it, bottom halves off */
	struct xp_rdma_dev *core;
	struct net_device *ndev;
	struct sk_buff_head txq; /* frames the core built, sent after the lock */
	struct delayed_work dwork; /* the core's next timer */
	unsigned int tx_batch; /* frames queued in this poll */
	unsigned int rx_lent; /* received frames the core keeps */
	bool rx_registered; /* our rx_handler is on ndev (under the RTNL) */
	bool stopping;
	atomic64_t tx_dropped; /* dev_queue_xmit() refused */
	atomic64_t rx_nomem; /* RoCE frames lost before the core: no memory */
};

struct xp_rxe_dev {
	struct ib_device ibdev; /* first: ib_alloc_device() */
	struct net_device *ndev; /* held from newlink to dealloc_driver */
	struct list_head list; /* on xp_rxe_devs, under xp_rxe_lock */
	struct ib_device_attr attr;
	bool port_active; /* last port event dispatched: ACTIVE (else ERR) */
	bool unreg_queued; /* an unregistration of ours is queued */
	struct xp_rxe_host host;
	struct rdma_stat_desc *stat_desc; /* the port's counters (rxe_stats.c) */
	unsigned int nstats;
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

/* rxe_host.c: the transport core on the netdev. */
int xp_rxe_host_start(struct xp_rxe_host *xh, struct net_device *ndev, enum ib_mtu mtu);
void xp_rxe_host_detach(struct xp_rxe_host *xh);
void xp_rxe_host_stop(struct xp_rxe_host *xh);
int xp_rxe_host_set_gid(struct xp_rxe_host *xh, unsigned int index, const u8 gid[16]);
void xp_rxe_host_stats(struct xp_rxe_host *xh, struct xp_rdma_dev_stats *st);

/* rxe_stats.c: the port's counters (rdma statistic show link NAME/1). */
int xp_rxe_stats_init(struct xp_rxe_dev *xd);
void xp_rxe_stats_free(struct xp_rxe_dev *xd);
struct rdma_hw_stats *xp_rxe_alloc_port_stats(struct ib_device *ibdev, u32 port);
int xp_rxe_get_hw_stats(struct ib_device *ibdev, struct rdma_hw_stats *stats, u32 port, int index);

#endif /* XP_RXE_H */
