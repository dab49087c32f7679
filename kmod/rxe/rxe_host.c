// SPDX-License-Identifier: GPL-2.0
/*
 * The transport core (core/roce) hosted in the kernel for one xp_rxe
 * device: frames in, frames out, the clock and the timers.
 *
 * Frames in: until the XDP path exists, an rx_handler on the netdev takes
 * the IPv4 and IPv6 UDP frames to port 4791 addressed to this host, before
 * the IP stack sees them (no socket: rdma_rxe may hold port 4791 in the
 * same namespace), and hands them to the core from the Ethernet header on.
 * A frame the core keeps (a request for a busy responder) is lent while
 * few are; rx_release() frees it.
 *
 * Frames out: the core builds complete frames (Ethernet to ICRC) into
 * skbs; they are queued under the lock and given to dev_queue_xmit() after
 * it. A poll sends at most XP_RXE_TX_BATCH frames; a READ response stream
 * longer than that goes on from the work item at once.
 *
 * The clock is ktime_get_ns(); the core's next timer is a delayed work
 * item (jiffies, as rdma_rxe's timers). The core runs under xh->lock with
 * bottom halves off, one call at a time.
 */
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/skbuff.h>
#include <linux/udp.h>
#include <net/arp.h>
#include <net/neighbour.h>

#include "xp_env.h"

#include "rdma_host.h"
#include "xp_rxe.h"

/* Frames one poll may queue for transmission. */
#define XP_RXE_TX_BATCH 64
/* Received frames the core may keep at once (the rest it must copy or drop). */
#define XP_RXE_RX_LEND 256

static int xh_tx_alloc(void *host, struct xp_tx_frame *f, __u32 len)
{
	struct xp_rxe_host *xh = host;
	struct net_device *ndev = xh->ndev;
	struct sk_buff *skb;

	if (xh->tx_batch >= XP_RXE_TX_BATCH)
		return -EBUSY;
	skb = alloc_skb(LL_RESERVED_SPACE(ndev) + len, GFP_ATOMIC);
	if (!skb)
		return -ENOBUFS;
	skb_reserve(skb, LL_RESERVED_SPACE(ndev));
	f->data = skb_put(skb, len);
	f->size = len;
	f->cookie = (uintptr_t)skb;
	xh->tx_batch++;
	return 0;
}

static void xh_tx_send(void *host, struct xp_tx_frame *f)
{
	struct xp_rxe_host *xh = host;
	struct sk_buff *skb = (struct sk_buff *)(uintptr_t)f->cookie;

	skb_trim(skb, f->len);
	skb_reset_mac_header(skb);
	skb_set_network_header(skb, ETH_HLEN);
	skb->protocol = eth_hdr(skb)->h_proto;
	skb->dev = xh->ndev;
	__skb_queue_tail(&xh->txq, skb);
}

static void xh_tx_abort(void *host, struct xp_tx_frame *f)
{
	struct xp_rxe_host *xh = host;

	xh->tx_batch--;
	kfree_skb((struct sk_buff *)(uintptr_t)f->cookie);
}

/* The frames go out after the lock is dropped (xh_unlock()). */
static int xh_tx_flush(void *host)
{
	return 0;
}

static void xh_rx_release(void *host, __u64 cookie)
{
	struct xp_rxe_host *xh = host;

	xh->rx_lent--;
	consume_skb((struct sk_buff *)(uintptr_t)cookie);
}

static __u64 xh_now_ns(void *host)
{
	return ktime_get_ns();
}

/*
 * The neighbour's MAC for an IPv4-mapped GID, when ARP has it; -EAGAIN
 * (and ARP asked) when it does not yet. IPv6 neighbours come with the
 * verbs that need them (address handles).
 */
static int xh_resolve_mac(void *host, const __u8 gid[16], __u8 mac[6])
{
	struct xp_rxe_host *xh = host;
	struct neighbour *n;
	__be32 ip;
	int err = -EAGAIN;

	if (!ipv6_addr_v4mapped((const struct in6_addr *)gid))
		return -EAFNOSUPPORT;
	memcpy(&ip, gid + 12, 4);
	n = neigh_lookup(&arp_tbl, &ip, xh->ndev);
	if (!n)
		n = neigh_create(&arp_tbl, &ip, xh->ndev);
	if (IS_ERR(n))
		return PTR_ERR(n);
	if (READ_ONCE(n->nud_state) & NUD_VALID) {
		neigh_ha_snapshot(mac, n, xh->ndev);
		err = 0;
	} else {
		neigh_event_send(n, NULL);
	}
	neigh_release(n);
	return err;
}

static const struct xp_rdma_host_ops xh_ops = {
	.tx_alloc = xh_tx_alloc,
	.tx_send = xh_tx_send,
	.tx_abort = xh_tx_abort,
	.tx_flush = xh_tx_flush,
	.rx_release = xh_rx_release,
	.now_ns = xh_now_ns,
	.resolve_mac = xh_resolve_mac,
};

static void xh_lock(struct xp_rxe_host *xh)
{
	spin_lock_bh(&xh->lock);
	xh->tx_batch = 0;
	xp_rdma_core_begin(xh->core);
}

/*
 * Run the core's pending work, drop the lock, send what it queued and
 * set the work item for its next timer.
 */
static void xh_unlock(struct xp_rxe_host *xh)
{
	struct sk_buff_head q;
	struct sk_buff *skb;
	unsigned long delay = 0;
	__u64 next, now;
	bool stopping;

	xp_rdma_core_work(xh->core);
	next = xp_rdma_core_next_timer(xh->core);
	__skb_queue_head_init(&q);
	skb_queue_splice_init(&xh->txq, &q);
	stopping = xh->stopping;
	spin_unlock_bh(&xh->lock);

	while ((skb = __skb_dequeue(&q))) {
		if (dev_queue_xmit(skb) != NET_XMIT_SUCCESS)
			atomic64_inc(&xh->tx_dropped);
	}
	if (!next || stopping)
		return;
	now = ktime_get_ns();
	if (next > now)
		delay = nsecs_to_jiffies(next - now) + 1;
	mod_delayed_work(system_wq, &xh->dwork, delay);
}

static void xh_work(struct work_struct *work)
{
	struct xp_rxe_host *xh = container_of(to_delayed_work(work), struct xp_rxe_host, dwork);

	xh_lock(xh);
	xh_unlock(xh);
}

/* A RoCEv2 frame for this host: IPv4 or IPv6 (no extension header), UDP to 4791. */
static bool xh_is_roce(struct sk_buff *skb)
{
	int off;
	struct udphdr _uh;
	const struct udphdr *uh;

	if (skb->pkt_type != PACKET_HOST)
		return false;
	if (skb->protocol == htons(ETH_P_IP)) {
		struct iphdr _iph;
		const struct iphdr *iph = skb_header_pointer(skb, 0, sizeof(_iph), &_iph);

		if (!iph || iph->version != 4 || iph->ihl < 5 || iph->protocol != IPPROTO_UDP ||
		    (iph->frag_off & htons(IP_MF | IP_OFFSET)))
			return false;
		off = iph->ihl * 4;
	} else if (skb->protocol == htons(ETH_P_IPV6)) {
		struct ipv6hdr _ip6h;
		const struct ipv6hdr *ip6h = skb_header_pointer(skb, 0, sizeof(_ip6h), &_ip6h);

		if (!ip6h || ip6h->nexthdr != IPPROTO_UDP)
			return false;
		off = sizeof(*ip6h);
	} else {
		return false;
	}
	uh = skb_header_pointer(skb, off, sizeof(_uh), &_uh);
	return uh && uh->dest == htons(XP_RXE_UDP_PORT);
}

static rx_handler_result_t xh_rx_handler(struct sk_buff **pskb)
{
	struct sk_buff *skb = *pskb;
	struct xp_rxe_host *xh = rcu_dereference(skb->dev->rx_handler_data);
	const __u8 *frame;
	__u32 len;
	bool kept;

	if (!xh_is_roce(skb))
		return RX_HANDLER_PASS;
	skb = skb_share_check(skb, GFP_ATOMIC);
	if (!skb || skb_linearize(skb)) {
		atomic64_inc(&xh->rx_nomem);
		kfree_skb(skb);
		return RX_HANDLER_CONSUMED;
	}
	frame = skb_mac_header(skb);
	len = skb->len + (skb->data - frame);
	xh_lock(xh);
	kept = xp_rdma_core_rx(xh->core, frame, len, (uintptr_t)skb, xh->rx_lent < XP_RXE_RX_LEND);
	if (kept)
		xh->rx_lent++;
	xh_unlock(xh);
	if (!kept)
		consume_skb(skb);
	return RX_HANDLER_CONSUMED;
}

int xp_rxe_host_start(struct xp_rxe_host *xh, struct net_device *ndev, enum ib_mtu mtu)
{
	struct xp_rdma_core_attr ca = {
		.sz = sizeof(ca),
		.name = netdev_name(ndev), /* fits the core's 16 bytes; an RDMA name may not */
		.mtu = (enum xp_mtu)mtu, /* the same numbers: 1 is 256 bytes, 5 is 4096 */
		.ops = &xh_ops,
		.host = xh,
	};
	int err;

	BUILD_BUG_ON(XP_RXE_GID_TABLE != XP_RDMA_GID_TBL_LEN);
	BUILD_BUG_ON((int)IB_MTU_256 != XP_MTU_256 || (int)IB_MTU_4096 != XP_MTU_4096);
	spin_lock_init(&xh->lock);
	__skb_queue_head_init(&xh->txq);
	INIT_DELAYED_WORK(&xh->dwork, xh_work);
	xh->ndev = ndev;
	memcpy(ca.mac, ndev->dev_addr, ETH_ALEN);
	atomic64_set(&xh->tx_dropped, 0);
	atomic64_set(&xh->rx_nomem, 0);
	xh->core = xp_rdma_core_create(&ca);
	if (!xh->core)
		return -ENOMEM;
	rtnl_lock();
	err = netdev_rx_handler_register(ndev, xh_rx_handler, xh);
	if (!err)
		xh->rx_registered = true;
	rtnl_unlock();
	if (err) {
		pr_err("xp_rxe: %s has a receive handler already (a bridge, bond or macvlan port?): %d\n",
		       netdev_name(ndev), err);
		xp_rdma_core_destroy(xh->core);
		xh->core = NULL;
	}
	return err;
}

/* Under the RTNL: no more frames from the netdev (it goes, or the device). */
void xp_rxe_host_detach(struct xp_rxe_host *xh)
{
	ASSERT_RTNL();
	if (!xh->rx_registered)
		return;
	netdev_rx_handler_unregister(xh->ndev);
	xh->rx_registered = false;
}

/* After every verbs object is gone: stop the timers and free the core. */
void xp_rxe_host_stop(struct xp_rxe_host *xh)
{
	int err;

	if (!xh->core)
		return;
	rtnl_lock();
	xp_rxe_host_detach(xh);
	rtnl_unlock();
	/* No rx handler runs past this (it unregisters with synchronize_net()). */
	spin_lock_bh(&xh->lock);
	xh->stopping = true;
	spin_unlock_bh(&xh->lock);
	cancel_delayed_work_sync(&xh->dwork);
	__skb_queue_purge(&xh->txq);
	err = xp_rdma_core_destroy(xh->core);
	if (err)
		pr_err("xp_rxe: the transport core of %s refused to go (%d): leaking it\n",
		       netdev_name(xh->ndev), err);
	xh->core = NULL;
}

/* The port's GID table entry index changed (ib_core's add_gid/del_gid). */
int xp_rxe_host_set_gid(struct xp_rxe_host *xh, unsigned int index, const u8 gid[16])
{
	int err;

	spin_lock_bh(&xh->lock);
	err = xp_rdma_core_set_gid(xh->core, index, gid);
	spin_unlock_bh(&xh->lock);
	return err;
}

/* The core's device counters, copied under the lock. */
void xp_rxe_host_stats(struct xp_rxe_host *xh, struct xp_rdma_dev_stats *st)
{
	spin_lock_bh(&xh->lock);
	*st = *xp_rdma_dev_stats(xh->core);
	spin_unlock_bh(&xh->lock);
}
