// SPDX-License-Identifier: GPL-2.0
/*
 * The transport core (core/roce) hosted in the kernel for one xp_rxe
 * device: frames in, frames out, the clock and the timers.
 *
 * Frames in: an XDP program on the netdev hands RoCEv2 frames to the core
 * through the kfunc of rxe_xdp.c, in the driver's buffer, before any skb
 * exists (xp_rxe_host_xdp_rx()). Whatever reaches the stack instead (no
 * XDP program, or one that passed the frame) meets an rx_handler, which
 * takes the IPv4 and IPv6 UDP frames to port 4791 addressed to this host
 * before the IP stack sees them (no socket: rdma_rxe may hold port 4791
 * in the same namespace). Both hand the core the frame from the Ethernet
 * header on. An skb the core keeps (a request for a busy responder) is
 * lent while few are; rx_release() frees it. An XDP buffer is never lent:
 * a request in one that the core keeps, it keeps as a copy in an skb of
 * ours (rx_copy), counted and bounded with the lent skbs.
 *
 * Frames out: the core builds complete frames (Ethernet to ICRC) into
 * skbs; they are queued under the lock and given to dev_queue_xmit() after
 * it. A poll sends at most XP_RXE_TX_BATCH frames; a READ response stream
 * longer than that goes on from the work item at once. A frame to the
 * netdev's own MAC (a QP talking to one of the same device: rdma_cm and
 * ib_core give the own MAC for an own address) never leaves: it goes back
 * into the core before the lock is dropped, for a few rounds, then from
 * the work item.
 *
 * Completions: after the core's work, each armed CQ that holds a
 * completion is disarmed and its comp_handler called, under the lock (as
 * rdma_rxe calls it under its CQ lock): a handler must not poll inline.
 * A user CQ's completions move into the process's ring first.
 *
 * User QPs (rxe_uverbs.c): a frame for one reads its receive ring before
 * the core sees the frame; a send ring the core had no room for is read
 * again after the core's work.
 *
 * The clock is ktime_get_ns(); the core's next timer is a delayed work
 * item (jiffies, as rdma_rxe's timers). The core runs under xh->lock with
 * bottom halves off, one call at a time.
 */
#include <linux/bpf.h>
#include <linux/etherdevice.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/moduleparam.h>
#include <linux/skbuff.h>
#include <linux/udp.h>
#include <net/arp.h>
#include <net/neighbour.h>

#include "xp_env.h"

#include "rdma_host.h"
#include "xp_cq.h"
#include "xp_rxe.h"

/* Frames one poll may queue for transmission. */
#define XP_RXE_TX_BATCH 64
/* Received frames the core may keep at once, lent skbs and copies (past them it drops). */
#define XP_RXE_RX_LEND 256
/* Rounds of looped-back frames one unlock feeds to the core. */
#define XP_RXE_LOOP_ROUNDS 4

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
	if (ether_addr_equal(eth_hdr(skb)->h_dest, xh->ndev->dev_addr)) {
		xh->loopback++;
		__skb_queue_tail(&xh->loopq, skb);
		return;
	}
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

/*
 * A copy of a frame not lent (an XDP buffer) that the core keeps, in an skb
 * lent as a kept one is, within the same bound; rx_release() frees it.
 */
static int xh_rx_copy(void *host, const void *data, __u32 len, const void **copy, __u64 *cookie)
{
	struct xp_rxe_host *xh = host;
	struct sk_buff *skb;

	if (xh->rx_lent >= XP_RXE_RX_LEND)
		return -ENOBUFS;
	skb = alloc_skb(len, GFP_ATOMIC);
	if (!skb)
		return -ENOMEM;
	*copy = skb_put_data(skb, data, len);
	*cookie = (uintptr_t)skb;
	xh->rx_lent++;
	return 0;
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
	.rx_copy = xh_rx_copy,
	.now_ns = xh_now_ns,
	.resolve_mac = xh_resolve_mac,
};

void xp_rxe_host_lock(struct xp_rxe_host *xh)
{
	spin_lock_bh(&xh->lock);
	xh->tx_batch = 0;
	xp_rdma_core_begin(xh->core);
}

/*
 * The destination QPN of a RoCEv2 frame (the BTH after Ethernet, IP and
 * UDP), or 0 when it is too short to say. A hint only: the core parses
 * and checks the frame itself.
 */
static u32 xh_frame_qpn(const u8 *frame, u32 len)
{
	u32 off;

	if (len < ETH_HLEN + sizeof(struct iphdr))
		return 0;
	switch (frame[12] << 8 | frame[13]) {
	case ETH_P_IP:
		off = ETH_HLEN + (frame[ETH_HLEN] & 0xf) * 4;
		break;
	case ETH_P_IPV6:
		off = ETH_HLEN + sizeof(struct ipv6hdr);
		break;
	default:
		return 0;
	}
	off += sizeof(struct udphdr);
	if (len < off + 8) /* the BTH's first 8 bytes: the QPN is in 5..7 */
		return 0;
	return frame[off + 5] << 16 | frame[off + 6] << 8 | frame[off + 7];
}

/* Under the lock: one frame into the core, lent while few are. */
static void xh_rx_one(struct xp_rxe_host *xh, struct sk_buff *skb, const u8 *frame, u32 len)
{
	struct xp_rxe_qp *qp = xp_rxe_host_qp(xh, xh_frame_qpn(frame, len));
	bool kept;

	if (qp && qp->sq.buf) /* a user QP: what the process posted since */
		xp_rxe_urq_pull(qp);

	/*
	 * An skb is lent while few are; an XDP buffer (no skb) never is, and
	 * the core asks for a copy of one it keeps (xh_rx_copy()).
	 */
	kept = xp_rdma_core_rx(xh->core, frame, len, (uintptr_t)skb,
			       skb && xh->rx_lent < XP_RXE_RX_LEND);
	if (kept)
		xh->rx_lent++;
	else
		consume_skb(skb);
}

/* Under the lock: the core's work, and the frames it sent itself, a few rounds. */
static void xh_work_loop(struct xp_rxe_host *xh)
{
	struct sk_buff *skb;
	int round;

	xp_rdma_core_work(xh->core);
	for (round = 0; round < XP_RXE_LOOP_ROUNDS && !skb_queue_empty(&xh->loopq); round++) {
		xh->tx_batch = 0;
		while ((skb = __skb_dequeue(&xh->loopq)))
			xh_rx_one(xh, skb, skb->data, skb->len);
		xp_rdma_core_work(xh->core);
	}
}

/* Under the lock: user QPs whose send rings the core had no room for. */
static void xh_user_sends(struct xp_rxe_host *xh)
{
	struct xp_rxe_qp *qp;
	bool pulled = false;

	list_for_each_entry(qp, &xh->uqps, unode) {
		if (qp->sq_stalled) {
			xp_rxe_usq_pull(qp);
			pulled = true;
		}
	}
	if (pulled)
		xp_rdma_core_work(xh->core);
}

/* Under the lock: comp_handler of each armed CQ that has a new completion. */
static void xh_notify(struct xp_rxe_host *xh)
{
	struct xp_rxe_cq *cq;
	bool fresh;

	list_for_each_entry(cq, &xh->cqs, node) {
		fresh = cq->uq.buf ? xp_rxe_ucq_flush(cq) : xp_cq_count(cq->cq) != 0;
		if (!cq->armed || !fresh)
			continue;
		cq->armed = false;
		if (cq->ibcq.comp_handler)
			cq->ibcq.comp_handler(&cq->ibcq, cq->ibcq.cq_context);
	}
}

/*
 * Run the core's pending work, drop the lock, send what it queued and
 * set the work item for its next timer.
 */
void xp_rxe_host_unlock(struct xp_rxe_host *xh)
{
	struct sk_buff_head q;
	struct sk_buff *skb;
	unsigned long delay = 0;
	__u64 next, now;
	bool stopping;

	xh_work_loop(xh);
	xh_user_sends(xh);
	xh_notify(xh);
	next = xp_rdma_core_next_timer(xh->core);
	if (!skb_queue_empty(&xh->loopq))
		next = 1; /* looped-back frames wait: the work item at once */
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

	xp_rxe_host_lock(xh);
	xp_rxe_host_unlock(xh);
}

/*
 * The network header l3 (len bytes of it) of a frame of EtherType proto:
 * RoCEv2, that is IPv4 (not a fragment) or IPv6 (no extension header),
 * UDP to 4791. One test for both receive paths.
 */
static bool xh_l3_is_roce(__be16 proto, const u8 *l3, u32 len)
{
	const struct udphdr *uh;
	u32 off;

	if (proto == htons(ETH_P_IP)) {
		const struct iphdr *iph = (const void *)l3;

		if (len < sizeof(*iph) || iph->version != 4 || iph->ihl < 5 ||
		    iph->protocol != IPPROTO_UDP || (iph->frag_off & htons(IP_MF | IP_OFFSET)))
			return false;
		off = iph->ihl * 4;
	} else if (proto == htons(ETH_P_IPV6)) {
		const struct ipv6hdr *ip6h = (const void *)l3;

		if (len < sizeof(*ip6h) || ip6h->nexthdr != IPPROTO_UDP)
			return false;
		off = sizeof(*ip6h);
	} else {
		return false;
	}
	if (len < off + sizeof(*uh))
		return false;
	uh = (const void *)(l3 + off);
	return uh->dest == htons(XP_RXE_UDP_PORT);
}

/* An skb for this host with a RoCEv2 frame; its headers may be paged. */
static bool xh_is_roce(struct sk_buff *skb)
{
	/* IPv4 with the longest options, or IPv6, then UDP. */
	u8 buf[60 + sizeof(struct udphdr)];
	u32 n = min_t(u32, skb->len, sizeof(buf));
	const u8 *l3;

	if (skb->pkt_type != PACKET_HOST)
		return false;
	l3 = skb_header_pointer(skb, 0, n, buf);
	return l3 && xh_l3_is_roce(skb->protocol, l3, n);
}

static rx_handler_result_t xh_rx_handler(struct sk_buff **pskb)
{
	struct sk_buff *skb = *pskb;
	struct xp_rxe_host *xh = rcu_dereference(skb->dev->rx_handler_data);
	const __u8 *frame;
	__u32 len;

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
	xp_rxe_host_lock(xh);
	xh->rx_handler++;
	xh_rx_one(xh, skb, frame, len);
	xp_rxe_host_unlock(xh);
	return RX_HANDLER_CONSUMED;
}

/* The same on the linear data of an XDP buffer, and to this netdev's MAC. */
static bool xh_frame_is_roce(const struct net_device *ndev, const u8 *frame, u32 len)
{
	const struct ethhdr *eth = (const void *)frame;

	return len >= ETH_HLEN && ether_addr_equal(eth->h_dest, ndev->dev_addr) &&
	       xh_l3_is_roce(eth->h_proto, frame + ETH_HLEN, len - ETH_HLEN);
}

/*
 * A frame from an XDP program on ndev (rxe_xdp.c), in the driver's buffer:
 * the core is done with it on return (never lent), so the driver may
 * recycle it at once. A request the core keeps is copied (rx_copy);
 * only while reordering is injected (rxe_faults.c) is each frame copied
 * into an skb first, which the core may hold back. XDP_DROP
 * when the core took it; XDP_PASS, and the frame goes on to the stack (and
 * so to our rx_handler), when ndev has no device of ours, the frame is not
 * RoCEv2 for this host, or its data spans several buffers. Runs in the
 * driver's NAPI poll; a device going away unregisters its rx_handler,
 * which waits for the RCU read side held here.
 */
int xp_rxe_host_xdp_rx(struct net_device *ndev, const u8 *frame, u32 len, bool frags)
{
	struct sk_buff *skb = NULL;
	struct xp_rxe_host *xh;
	int act = XDP_PASS;

	/* Held until the core is done: unregistering the handler waits for it. */
	rcu_read_lock();
	if (rcu_access_pointer(ndev->rx_handler) != xh_rx_handler)
		goto out_unlock;
	xh = rcu_dereference(ndev->rx_handler_data);
	if (!xh)
		goto out_unlock;
	if (frags || !xh_frame_is_roce(ndev, frame, len)) {
		atomic64_inc(&xh->xdp_declined);
		goto out_unlock;
	}
	/* Without memory the frame still goes in, only not lent. */
	if (READ_ONCE(xh->rx_copy_xdp)) {
		skb = alloc_skb(len, GFP_ATOMIC);
		if (skb)
			frame = skb_put_data(skb, frame, len);
	}
	xp_rxe_host_lock(xh);
	xh->rx_xdp++;
	xh_rx_one(xh, skb, frame, len);
	xp_rxe_host_unlock(xh);
	act = XDP_DROP;
out_unlock:
	rcu_read_unlock();
	return act;
}

/*
 * qpn_first: the first QPN of each device made after it is set. Refused
 * with a message: below 17 (QPNs 0..16 are special or reserved, as in rxe)
 * and where the device's XP_RXE_MAX_QP QPNs would reach the multicast QPN
 * 0xffffff.
 */
static unsigned int xp_rxe_qpn_first = XP_RXE_QPN_FIRST;

static int xp_rxe_qpn_first_set(const char *val, const struct kernel_param *kp)
{
	int n = strcspn(val, "\n"); /* what it says, without echo's newline */
	unsigned int v;

	if (kstrtouint(val, 0, &v) || v < XP_RDMA_QPN_FIRST || v > XP_QPN_MASK - XP_RXE_MAX_QP) {
		pr_err("xp_rxe: qpn_first=%.*s refused: a number from %u to %#x (%u QPNs each device, below the multicast QPN 0xffffff)\n",
		       n, val, XP_RDMA_QPN_FIRST, XP_QPN_MASK - XP_RXE_MAX_QP, XP_RXE_MAX_QP);
		return -EINVAL;
	}
	WRITE_ONCE(xp_rxe_qpn_first, v);
	return 0;
}

static const struct kernel_param_ops xp_rxe_qpn_first_ops = {
	.set = xp_rxe_qpn_first_set,
	.get = param_get_uint,
};

module_param_cb(qpn_first, &xp_rxe_qpn_first_ops, &xp_rxe_qpn_first, 0644);
MODULE_PARM_DESC(
	qpn_first,
	"first QPN of each new device (default 0x10000); keep it apart from an AF_XDP engine's QPNs on the same netdev");

int xp_rxe_host_start(struct xp_rxe_host *xh, struct net_device *ndev, enum ib_mtu mtu)
{
	struct xp_rdma_core_attr ca = {
		.sz = sizeof(ca),
		.name = netdev_name(ndev), /* fits the core's 16 bytes; an RDMA name may not */
		.mtu = (enum xp_mtu)mtu, /* the same numbers: 1 is 256 bytes, 5 is 4096 */
		.max_qp = XP_RXE_MAX_QP,
		.ops = &xh_ops,
		.host = xh,
		.qpn_first = READ_ONCE(xp_rxe_qpn_first),
	};
	int err;

	BUILD_BUG_ON(XP_RXE_GID_TABLE != XP_RDMA_GID_TBL_LEN);
	BUILD_BUG_ON(XP_RXE_MAX_QP != XP_RDMA_DEFAULT_MAX_QP);
	/* Values rxe_verbs.c passes through unchanged. */
	BUILD_BUG_ON((int)IB_WC_RESP_TIMEOUT_ERR != XP_WC_RESP_TIMEOUT_ERR ||
		     (int)IB_WC_WR_FLUSH_ERR != XP_WC_WR_FLUSH_ERR ||
		     (int)IB_WC_GENERAL_ERR != XP_WC_GENERAL_ERR);
	BUILD_BUG_ON((int)IB_QP_DEST_QPN != XP_QP_DEST_QPN || (int)IB_QP_AV != XP_QP_AV ||
		     (int)IB_QP_STATE != XP_QP_STATE || (int)IB_QP_CAP != XP_QP_CAP);
	BUILD_BUG_ON((int)IB_QPS_ERR != XP_QPS_ERR || (int)IB_QPS_SQE != XP_QPS_SQE);
	BUILD_BUG_ON((int)IB_ACCESS_LOCAL_WRITE != XP_ACCESS_LOCAL_WRITE ||
		     (int)IB_ACCESS_REMOTE_WRITE != XP_ACCESS_REMOTE_WRITE ||
		     (int)IB_ACCESS_REMOTE_READ != XP_ACCESS_REMOTE_READ ||
		     (int)IB_ACCESS_REMOTE_ATOMIC != XP_ACCESS_REMOTE_ATOMIC);
	BUILD_BUG_ON((int)IB_MTU_256 != XP_MTU_256 || (int)IB_MTU_4096 != XP_MTU_4096);
	spin_lock_init(&xh->lock);
	__skb_queue_head_init(&xh->txq);
	__skb_queue_head_init(&xh->loopq);
	INIT_LIST_HEAD(&xh->cqs);
	INIT_LIST_HEAD(&xh->uqps);
	INIT_DELAYED_WORK(&xh->dwork, xh_work);
	xh->ndev = ndev;
	xh->qpn_first = ca.qpn_first;
	memcpy(ca.mac, ndev->dev_addr, ETH_ALEN);
	atomic64_set(&xh->tx_dropped, 0);
	atomic64_set(&xh->rx_nomem, 0);
	atomic64_set(&xh->xdp_declined, 0);
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
	__skb_queue_purge(&xh->loopq);
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

/* Add the repair counters of s to sum. */
static void xh_qp_add(struct xp_qp_stats *sum, const struct xp_qp_stats *s)
{
	sum->retransmits += s->retransmits;
	sum->timeouts += s->timeouts;
	sum->seq_naks_sent += s->seq_naks_sent;
	sum->seq_naks_rcvd += s->seq_naks_rcvd;
	sum->dup_requests += s->dup_requests;
	sum->out_of_seq += s->out_of_seq;
}

void xp_rxe_host_qp_gone(struct xp_rxe_host *xh, const struct xp_qp_stats *last)
{
	xh_qp_add(&xh->qp_gone, last);
}

/* The core's device counters and the host's own, copied under the lock. */
void xp_rxe_host_stats(struct xp_rxe_host *xh, struct xp_rdma_dev_stats *st,
		       struct xp_rxe_host_counts *hc)
{
	struct xp_qp_stats sum;
	unsigned int i;

	spin_lock_bh(&xh->lock);
	*st = *xp_rdma_dev_stats(xh->core);
	hc->loopback = xh->loopback;
	hc->rx_xdp = xh->rx_xdp;
	hc->rx_handler = xh->rx_handler;
	sum = xh->qp_gone;
	for (i = 0; i < XP_RXE_MAX_QP; i++)
		if (xh->qp[i] && xp_qp_stats(xh->qp[i]->qp))
			xh_qp_add(&sum, xp_qp_stats(xh->qp[i]->qp));
	spin_unlock_bh(&xh->lock);
	hc->xdp_declined = atomic64_read(&xh->xdp_declined);
	hc->retransmits = sum.retransmits;
	hc->timeouts = sum.timeouts;
	hc->seq_naks_sent = sum.seq_naks_sent;
	hc->seq_naks_rcvd = sum.seq_naks_rcvd;
	hc->dup_requests = sum.dup_requests;
	hc->out_of_seq = sum.out_of_seq;
}

struct xp_rxe_qp *xp_rxe_host_qp(struct xp_rxe_host *xh, u32 qpn)
{
	u32 i = qpn - xh->qpn_first;

	if (qpn == XP_RDMA_QPN_GSI)
		return xh->gsi;
	return i < XP_RXE_MAX_QP ? xh->qp[i] : NULL;
}

void xp_rxe_host_set_qp(struct xp_rxe_host *xh, u32 qpn, struct xp_rxe_qp *qp)
{
	u32 i = qpn - xh->qpn_first;

	if (qpn == XP_RDMA_QPN_GSI)
		xh->gsi = qp;
	else if (!WARN_ON_ONCE(i >= XP_RXE_MAX_QP))
		xh->qp[i] = qp;
}
