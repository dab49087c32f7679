// SPDX-License-Identifier: GPL-2.0
/*
 * One xp_rxe device: the ib_device on a netdev, its port and attributes.
 *
 * Registration with ib_core (the RoCEv2 GID table then follows the
 * netdev's addresses, and add_gid/del_gid mirror it into the transport
 * core), the port and its state, the P_Key table, the port's counters,
 * the core hosted on the netdev (rxe_host.c: it receives and parses every
 * RoCEv2 frame for this host), the kernel verbs (rxe_verbs.c: every
 * mandatory op, so ib_core hands the device to its clients) and
 * unregistration. The attributes promise only what the verbs do: RC, UD
 * and GSI QPs, SRQs (not resized), address handles, fast registration,
 * atomics, and rdma-core's rxe provider's user verbs.
 */
#include <linux/etherdevice.h>
#include <linux/if_arp.h>
#include <linux/if_vlan.h>
#include <net/addrconf.h>
#include <rdma/ib_mad.h>

#include "xp_env.h"

#include "xp_cq.h"
#include "xp_mr.h"
#include "xp_rdma.h"
#include "xp_rxe.h"
#include "xp_srq.h"

static int xp_rxe_query_device(struct ib_device *ibdev, struct ib_device_attr *attr,
			       struct ib_udata *udata)
{
	if (udata && (udata->inlen || udata->outlen))
		return -EINVAL;
	*attr = to_xdev(ibdev)->attr;
	return 0;
}

/* The largest IB MTU whose packets fit the netdev's MTU, 256 at least. */
static enum ib_mtu xp_rxe_active_mtu(const struct net_device *ndev)
{
	int room = (int)READ_ONCE(ndev->mtu) - XP_RXE_HDR_MAX;

	if (room >= 4096)
		return IB_MTU_4096;
	if (room >= 2048)
		return IB_MTU_2048;
	if (room >= 1024)
		return IB_MTU_1024;
	if (room >= 512)
		return IB_MTU_512;
	return IB_MTU_256;
}

static bool xp_rxe_link_up(const struct net_device *ndev)
{
	return netif_running(ndev) && netif_carrier_ok(ndev);
}

static int xp_rxe_query_port(struct ib_device *ibdev, u32 port, struct ib_port_attr *attr)
{
	struct xp_rxe_dev *xd = to_xdev(ibdev);
	bool up = xp_rxe_link_up(xd->ndev);

	/* ib_query_port() zeroed attr: LIDs, counters and the rest stay 0. */
	attr->state = up ? IB_PORT_ACTIVE : IB_PORT_DOWN;
	attr->phys_state = up ? IB_PORT_PHYS_STATE_LINK_UP : IB_PORT_PHYS_STATE_DISABLED;
	attr->max_mtu = IB_MTU_4096;
	attr->active_mtu = xp_rxe_active_mtu(xd->ndev);
	attr->gid_tbl_len = XP_RXE_GID_TABLE;
	attr->pkey_tbl_len = 1;
	attr->port_cap_flags = IB_PORT_CM_SUP;
	attr->max_msg_sz = xd->attr.max_mr_size > U32_MAX ? U32_MAX : xd->attr.max_mr_size;
	attr->max_vl_num = 1;
	/* Speed and width from ethtool; it takes the RTNL, never held here. */
	return ib_get_eth_speed(ibdev, port, &attr->active_speed, &attr->active_width);
}

static int xp_rxe_port_immutable(struct ib_device *ibdev, u32 port, struct ib_port_immutable *imm)
{
	struct ib_port_attr attr = {};
	int err;

	err = ib_query_port(ibdev, port, &attr);
	if (err)
		return err;
	imm->pkey_tbl_len = attr.pkey_tbl_len;
	imm->gid_tbl_len = attr.gid_tbl_len;
	/* RoCEv2 only, as rdma_rxe: ib_core then makes only RoCEv2 GIDs. */
	imm->core_cap_flags = RDMA_CORE_PORT_IBA_ROCE_UDP_ENCAP;
	imm->max_mad_size = IB_MGMT_MAD_SIZE;
	return 0;
}

static enum rdma_link_layer xp_rxe_link_layer(struct ib_device *ibdev, u32 port)
{
	return IB_LINK_LAYER_ETHERNET;
}

static int xp_rxe_query_pkey(struct ib_device *ibdev, u32 port, u16 index, u16 *pkey)
{
	if (index)
		return -EINVAL;
	*pkey = IB_DEFAULT_PKEY_FULL;
	return 0;
}

/* ib_core's GID cache changed entry attr->index: the core's table follows. */
static int xp_rxe_add_gid(const struct ib_gid_attr *attr, void **context)
{
	return xp_rxe_host_set_gid(&to_xdev(attr->device)->host, attr->index, attr->gid.raw);
}

static int xp_rxe_del_gid(const struct ib_gid_attr *attr, void **context)
{
	static const u8 none[16];

	return xp_rxe_host_set_gid(&to_xdev(attr->device)->host, attr->index, none);
}

/* The port's netdev, held (ib_core drops it, and hides one that is going). */
static struct net_device *xp_rxe_get_netdev(struct ib_device *ibdev, u32 port)
{
	struct net_device *ndev = to_xdev(ibdev)->ndev;

	dev_hold(ndev);
	return ndev;
}

/*
 * ib_dealloc_device() calls this, after an unregistration and when
 * xp_rxe_add() gives up: the one place that lets go of what xd holds.
 */
static void xp_rxe_dealloc_driver(struct ib_device *ibdev)
{
	struct xp_rxe_dev *xd = to_xdev(ibdev);

	if (xp_rxe_removed(xd))
		pr_info("xp_rxe: %s removed from %s\n", dev_name(&ibdev->dev),
			netdev_name(xd->ndev));
	xp_rxe_host_stop(&xd->host);
	xp_rxe_stats_free(xd);
	xa_destroy(&xd->uahs); /* empty: ib_core destroyed every AH first */
	dev_put(xd->ndev);
}

static const struct ib_device_ops xp_rxe_dev_ops = {
	.owner = THIS_MODULE,
	/*
	 * rdma_rxe's id, as its user ABI requires: rdma-core's rxe provider
	 * puts RDMA_DRIVER_RXE in every ioctl header, and ib_uverbs refuses
	 * a header whose id is not the device's (-EINVAL); an unknown id
	 * with an rxe-like name gets the provider loaded but no context.
	 *
	 * rdma_rxe looks its devices up by netdev and that id
	 * (ib_device_get_by_netdev(), from its netdev notifier and its UDP
	 * receive) and would take ours for a struct rxe_dev. That lookup
	 * walks only the netdevs set with ib_device_set_netdev(), so ours is
	 * never set there: the netdev comes from get_netdev, which ib_core
	 * asks for everything else (GIDs, speed, rdma link). What remains
	 * shared: unloading rdma_rxe unregisters every device of the id,
	 * ours too (docs/rxe.md).
	 */
	.driver_id = RDMA_DRIVER_RXE,
	.get_netdev = xp_rxe_get_netdev,
	.add_gid = xp_rxe_add_gid,
	.alloc_hw_port_stats = xp_rxe_alloc_port_stats,
	.dealloc_driver = xp_rxe_dealloc_driver,
	.del_gid = xp_rxe_del_gid,
	.get_hw_stats = xp_rxe_get_hw_stats,
	.get_link_layer = xp_rxe_link_layer,
	.get_port_immutable = xp_rxe_port_immutable,
	.query_device = xp_rxe_query_device,
	.query_pkey = xp_rxe_query_pkey,
	.query_port = xp_rxe_query_port,
};

/* The attributes the device reports: the core's limits (rxe_verbs.c). */
static void xp_rxe_init_attr(struct xp_rxe_dev *xd)
{
	struct ib_device_attr *a = &xd->attr;

	memset(a, 0, sizeof(*a));
	a->vendor_id = 0xffffff; /* no IEEE OUI, as rdma_rxe */
	a->sys_image_guid = xd->ibdev.node_guid;
	a->max_mr_size = 1ull << 31;
	a->page_size_cap = PAGE_SIZE;
	/* rdma link delete; MEM_MGT_EXTENSIONS: fast registration, what iSER and NVMe-oF use. */
	a->kernel_cap_flags = IBK_ALLOW_USER_UNREG;
	a->device_cap_flags =
		IB_DEVICE_MEM_MGT_EXTENSIONS | IB_DEVICE_RC_RNR_NAK_GEN | IB_DEVICE_SYS_IMAGE_GUID;
	a->max_pkeys = 1;
	a->max_qp = XP_RXE_MAX_QP;
	a->max_qp_wr = XP_QP_MAX_WR;
	a->max_send_sge = XP_QP_MAX_SGE;
	a->max_recv_sge = XP_QP_MAX_SGE;
	a->max_sge_rd = XP_QP_MAX_SGE;
	a->max_cq = 1 << 16; /* no limit of the core's: bounded by memory */
	a->max_cqe = XP_CQ_MAX_CQE;
	a->max_mr = XP_MR_DEFAULT_MAX; /* one table; each kernel PD's DMA MR is one */
	a->max_pd = 1 << 16;
	a->max_ah = 1 << 16; /* no limit of ours: ib_core allocates them */
	a->max_qp_rd_atom = XP_MAX_QP_RD_ATOM;
	a->max_qp_init_rd_atom = XP_MAX_QP_INIT_RD_ATOM;
	a->max_res_rd_atom = XP_MAX_QP_RD_ATOM * XP_RXE_MAX_QP;
	a->atomic_cap = IB_ATOMIC_HCA;
	a->max_fast_reg_page_list_len = XP_RXE_MAX_FAST_PAGES;
	/* The core counts SRQs without a limit: one per QP is plenty. */
	a->max_srq = XP_RXE_MAX_QP;
	a->max_srq_wr = XP_SRQ_MAX_WR;
	a->max_srq_sge = XP_SRQ_MAX_SGE;
}

int xp_rxe_add(const char *name, struct net_device *ndev)
{
	struct xp_rxe_dev *xd, *other;
	int err = 0;

	if (ndev->type != ARPHRD_ETHER || is_vlan_dev(ndev)) {
		pr_err("xp_rxe: %s is not an Ethernet device (a VLAN device is not either: use its lower device)\n",
		       netdev_name(ndev));
		return -EINVAL;
	}
	xd = ib_alloc_device(xp_rxe_dev, ibdev);
	if (!xd)
		return -ENOMEM;
	INIT_LIST_HEAD(&xd->list);
	xa_init_flags(&xd->uahs, XA_FLAGS_ALLOC1);
	dev_hold(ndev);
	xd->ndev = ndev;
	xd->ibdev.node_type = RDMA_NODE_IB_CA;
	xd->ibdev.phys_port_cnt = 1;
	xd->ibdev.num_comp_vectors = num_possible_cpus();
	xd->ibdev.local_dma_lkey = 0;
	addrconf_addr_eui48((unsigned char *)&xd->ibdev.node_guid, ndev->dev_addr);
	strscpy(xd->ibdev.node_desc, "xp_rxe", sizeof(xd->ibdev.node_desc));
	xp_rxe_init_attr(xd);
	ib_set_device_ops(&xd->ibdev, &xp_rxe_dev_ops);
	ib_set_device_ops(&xd->ibdev, &xp_rxe_verbs_ops);
	ib_set_device_ops(&xd->ibdev, &xp_rxe_uqueue_ops);
	ib_set_device_ops(&xd->ibdev, &xp_rxe_srq_ops);
	/* rdma-core's rxe provider rings the send doorbell and arms CQs through these. */
	xd->ibdev.uverbs_cmd_mask |=
		BIT_ULL(IB_USER_VERBS_CMD_POST_SEND) | BIT_ULL(IB_USER_VERBS_CMD_REQ_NOTIFY_CQ);
	err = xp_rxe_stats_init(xd);
	if (err)
		goto out_free;
	xd->port_active = xp_rxe_link_up(ndev);

	/*
	 * On the list before registering: once registered, ib_core owns xd
	 * (rdma link delete may free it at once), so nothing of ours touches
	 * it after ib_register_device() succeeds. The notifier acts only on a
	 * registered device (one it can hold); a NETDEV_UNREGISTER it skipped
	 * comes again, as the netdev core repeats it while we hold ndev.
	 */
	mutex_lock(&xp_rxe_lock);
	list_for_each_entry(other, &xp_rxe_devs, list)
		if (other->ndev == ndev) {
			pr_err("xp_rxe: %s already has %s\n", netdev_name(ndev),
			       dev_name(&other->ibdev.dev));
			err = -EEXIST;
		}
	if (!err)
		list_add_tail(&xd->list, &xp_rxe_devs);
	mutex_unlock(&xp_rxe_lock);
	if (err)
		goto out_free;
	/* After the check: the netdev's rx_handler is taken only once it is ours. */
	err = xp_rxe_host_start(&xd->host, ndev, xp_rxe_active_mtu(ndev));
	if (err)
		goto out_free;
	xp_rxe_faults_start(xd);
	pr_info("xp_rxe: adding %s on %s, port %s\n", name, netdev_name(ndev),
		xd->port_active ? "ACTIVE" : "DOWN");
	err = ib_register_device(&xd->ibdev, name, NULL);
	if (err) {
		pr_err("xp_rxe: registering %s on %s: %d\n", name, netdev_name(ndev), err);
		goto out_free;
	}
	return 0;

out_free:
	ib_dealloc_device(&xd->ibdev); /* xp_rxe_dealloc_driver() lets go of all */
	return err;
}

/*
 * The netdev changed (under the RTNL; the caller holds the registered
 * device): tell ib_core when the port's state did.
 */
void xp_rxe_port_update(struct xp_rxe_dev *xd)
{
	bool up = xp_rxe_link_up(xd->ndev);
	struct ib_event ev = {
		.device = &xd->ibdev,
		.element.port_num = XP_RXE_PORT,
		.event = up ? IB_EVENT_PORT_ACTIVE : IB_EVENT_PORT_ERR,
	};

	if (up == xd->port_active)
		return;
	xd->port_active = up;
	ib_dispatch_event(&ev);
	pr_info("xp_rxe: %s port %s\n", dev_name(&xd->ibdev.dev), up ? "ACTIVE" : "DOWN");
}
