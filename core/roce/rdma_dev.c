// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The core's device (rdma_host.h): made by a host, it holds the GID
 * table, the MR table and the QPs; it parses and dispatches the frames the
 * host hands in, keeps requests for a busy responder, injects faults for
 * tests, and sends frames through the host's buffers.
 */
#include "xp_env.h"

#include "rdma_private.h"

static const char *const drop_names[XP_RDMA_DROP__MAX] = {
	[XP_RDMA_DROP_NONE] = "none",	      [XP_RDMA_DROP_NOT_UD] = "not_ud",
	[XP_RDMA_DROP_DGID] = "dgid",	      [XP_RDMA_DROP_NO_QP] = "no_qp",
	[XP_RDMA_DROP_QP_STATE] = "qp_state", [XP_RDMA_DROP_QKEY] = "qkey",
	[XP_RDMA_DROP_NO_RECV] = "no_recv",   [XP_RDMA_DROP_PKEY] = "pkey",
	[XP_RDMA_DROP_QP_TYPE] = "qp_type",   [XP_RDMA_DROP_PATH] = "path",
	[XP_RDMA_DROP_FAULT] = "fault",	      [XP_RDMA_DROP_BACKLOG] = "backlog",
	[XP_RDMA_DROP_TOO_LONG] = "too_long",
};

_Static_assert(XP_PKT_ERR_NR <= 32, "rx_parse_drops[] is too small for enum xp_pkt_err");

const char *xp_rdma_drop_str(enum xp_rdma_drop reason)
{
	return (unsigned int)reason < XP_RDMA_DROP__MAX ? drop_names[reason] : "unknown";
}

static bool gid_is_zero(const __u8 gid[16])
{
	static const __u8 zero[16];

	return !memcmp(gid, zero, 16);
}

/* ---- the device ---- */

struct xp_rdma_dev *xp_rdma_core_create(const struct xp_rdma_core_attr *attr)
{
	const struct xp_rdma_host_ops *ops;
	struct xp_rdma_dev *dev;
	__u32 first, max_qp;
	int err;

	err = xp_opts_valid(attr, xp_rdma_core_attr);
	if (err || !attr) {
		xp_set_errno(EINVAL);
		return NULL;
	}
	ops = attr->ops;
	if (!ops || !ops->tx_alloc || !ops->tx_send || !ops->tx_abort || !ops->tx_flush ||
	    !ops->rx_release || !ops->now_ns || !ops->resolve_mac ||
	    !ops->qpn_add != !ops->qpn_del) {
		pr_warn("RDMA device: the host lacks a required op\n");
		xp_set_errno(EINVAL);
		return NULL;
	}
	if (!attr->name || strlen(attr->name) >= sizeof(dev->name) || !xp_mtu_to_bytes(attr->mtu)) {
		pr_warn("RDMA device %s: no name, a name of 16 bytes or more, or path MTU %d unknown\n",
			attr->name ?: "(none)", attr->mtu);
		xp_set_errno(EINVAL);
		return NULL;
	}
	first = XP_OPTS_GET(attr, qpn_first, 0) ?: XP_RDMA_QPN_FIRST;
	max_qp = attr->max_qp ?: XP_RDMA_DEFAULT_MAX_QP;
	if (first < XP_RDMA_QPN_FIRST || first >= XP_QPN_MASK || max_qp > XP_QPN_MASK - first) {
		pr_warn("RDMA device %s: QPNs %u..%u out of range: %u..%u (0xffffff is multicast)\n",
			attr->name, first, first + max_qp - 1, XP_RDMA_QPN_FIRST, XP_QPN_MASK - 1);
		xp_set_errno(EINVAL);
		return NULL;
	}
	dev = xp_zalloc(sizeof(*dev));
	if (!dev)
		goto out_nomem;
	memcpy(dev->name, attr->name, strlen(attr->name) + 1);
	memcpy(dev->mac, attr->mac, 6);
	dev->mtu = attr->mtu;
	dev->ops = ops;
	dev->host = attr->host;
	dev->max_qp = max_qp;
	dev->qpn_first = first;
	dev->next_qpn = first;
	dev->qps = xp_calloc(dev->max_qp, sizeof(*dev->qps));
	if (!dev->qps)
		goto out_free;
	dev->mrs = xp_mr_table_create(NULL);
	if (!dev->mrs)
		goto out_qps;
	return dev;

out_qps:
	xp_free(dev->qps);
out_free:
	xp_free(dev);
out_nomem:
	xp_set_errno(ENOMEM);
	return NULL;
}

int xp_rdma_core_destroy(struct xp_rdma_dev *dev)
{
	if (!dev)
		return 0;
	if (dev->nqp || dev->nsrq || xp_mr_table_count(dev->mrs))
		return -EBUSY;
	if (xp_mr_table_destroy(dev->mrs))
		return -EBUSY; /* PDs remain */
	/* No QP is left, so the backlog is empty; a frame held back by
	 * fault injection goes back to the host. */
	if (dev->held) {
		dev->held = false;
		dev->ops->rx_release(dev->host, dev->held_frame.cookie);
	}
	xp_free(dev->qps);
	xp_free(dev);
	return 0;
}

void *xp_rdma_core_host(const struct xp_rdma_dev *dev)
{
	return dev->host;
}

const struct xp_rdma_host_ops *xp_rdma_core_ops(const struct xp_rdma_dev *dev)
{
	return dev->ops;
}

int xp_rdma_core_set_gid(struct xp_rdma_dev *dev, __u32 index, const __u8 gid[16])
{
	if (index >= XP_RDMA_GID_TBL_LEN)
		return -EINVAL;
	memcpy(dev->gids[index], gid, 16);
	return 0;
}

const __u8 *xp_rdma_dev_mac(const struct xp_rdma_dev *dev)
{
	return dev->mac;
}

enum xp_mtu xp_rdma_dev_mtu(const struct xp_rdma_dev *dev)
{
	return dev->mtu;
}

struct xp_mr_table *xp_rdma_dev_mr_table(struct xp_rdma_dev *dev)
{
	return dev->mrs;
}

__u32 xp_rdma_dev_gid_tbl_len(const struct xp_rdma_dev *dev)
{
	return XP_RDMA_GID_TBL_LEN;
}

int xp_rdma_dev_query_gid(const struct xp_rdma_dev *dev, __u32 index, __u8 gid[16])
{
	if (index >= XP_RDMA_GID_TBL_LEN)
		return -EINVAL;
	memcpy(gid, dev->gids[index], 16);
	return 0;
}

int xp_rdma_dev_find_gid(const struct xp_rdma_dev *dev, const __u8 gid[16])
{
	__u32 i;

	if (gid_is_zero(gid))
		return -ENOENT;
	for (i = 0; i < XP_RDMA_GID_TBL_LEN; i++)
		if (!memcmp(dev->gids[i], gid, 16))
			return i;
	return -ENOENT;
}

const struct xp_rdma_dev_stats *xp_rdma_dev_stats(const struct xp_rdma_dev *dev)
{
	return &dev->stats;
}

__u64 xp_rdma_now(struct xp_rdma_dev *dev)
{
	return dev->ops->now_ns(dev->host);
}

/* ---- transmit, through the host's buffers ---- */

int xp_rdma_frame_begin(struct xp_rdma_dev *dev, const struct xp_roce_av *av,
			const struct xp_roce_hdrs *h, __u32 len, struct xp_tx_frame *f)
{
	int hdr_len = xp_roce_hdr_len(av, h->opcode), err;

	if (hdr_len < 0)
		return hdr_len;
	/* The frame exactly: Ethernet to ICRC, the pad too. */
	err = dev->ops->tx_alloc(dev->host, f, hdr_len + len + (4 - len % 4) % 4 + XP_ICRC_LEN);
	if (err)
		return err;
	f->len = xp_roce_build(f->data, f->size, av, h, NULL, len, &f->payload);
	if (f->len < 0) {
		err = f->len;
		dev->ops->tx_abort(dev->host, f);
		return err;
	}
	return 0;
}

void xp_rdma_frame_abort(struct xp_rdma_dev *dev, struct xp_tx_frame *f)
{
	dev->ops->tx_abort(dev->host, f);
}

void xp_rdma_frame_send(struct xp_rdma_dev *dev, struct xp_tx_frame *f)
{
	xp_roce_seal(f->data, f->len);
	dev->stats.tx_frames++;
	dev->ops->tx_send(dev->host, f);
}

int xp_rdma_tx_flush(struct xp_rdma_dev *dev)
{
	return dev->ops->tx_flush(dev->host);
}

void xp_rdma_core_tx_dropped(struct xp_rdma_dev *dev, __u32 n)
{
	dev->stats.tx_ring_drops += n;
}

/* ---- fault injection ---- */

int xp_rdma_dev_set_faults(struct xp_rdma_dev *dev, const struct xp_rdma_faults *f)
{
	__u64 sum;
	int err;

	if (!dev)
		return -EINVAL;
	err = xp_opts_valid(f, xp_rdma_faults);
	if (err)
		return err;
	if (!f) {
		dev->faults_on = false;
		return 0;
	}
	sum = (__u64)f->drop_ppm + f->dup_ppm + f->reorder_ppm;
	if (f->drop_ppm > 1000000 || f->dup_ppm > 1000000 || f->reorder_ppm > 1000000 ||
	    sum > 1000000) {
		pr_warn("faults: drop %u dup %u reorder %u ppm: at most 1000000 in all\n",
			f->drop_ppm, f->dup_ppm, f->reorder_ppm);
		return -EINVAL;
	}
	dev->faults = *f;
	dev->faults.sz = sizeof(dev->faults);
	dev->rng = f->seed ? f->seed : 0x9e3779b97f4a7c15ull;
	dev->faults_on = sum > 0;
	return 0;
}

/* xorshift64*: repeatable for a seed, good enough to pick frames. */
static __u32 fault_roll(struct xp_rdma_dev *dev)
{
	__u64 x = dev->rng;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	dev->rng = x;
	return (__u32)((x * 0x2545f4914f6cdd1dull) >> 32) % 1000000;
}

/* ---- receive ---- */

static struct xp_qp *find_qp(struct xp_rdma_dev *dev, __u32 qpn)
{
	if (qpn == XP_RDMA_QPN_GSI)
		return dev->gsi;
	if (qpn < dev->qpn_first || qpn - dev->qpn_first >= dev->max_qp)
		return NULL;
	return dev->qps[qpn - dev->qpn_first];
}

static void backlog_push(struct xp_rdma_dev *dev, struct xp_qp *qp, const struct xp_rx_frame *fr)
{
	struct xp_rx_frame *slot = &dev->backlog[(dev->bl_head + dev->bl_count) % XP_BACKLOG_MAX];

	*slot = *fr;
	slot->qpn = qp->qpn;
	dev->bl_count++;
	qp->resp.backlog++;
}

void xp_rdma_backlog_drop_qp(struct xp_rdma_dev *dev, const struct xp_qp *qp)
{
	__u32 n = dev->bl_count, i, keep = 0;

	for (i = 0; i < n; i++) {
		struct xp_rx_frame fr = dev->backlog[(dev->bl_head + i) % XP_BACKLOG_MAX];

		if (fr.qpn == qp->qpn)
			dev->ops->rx_release(dev->host, fr.cookie);
		else
			dev->backlog[(dev->bl_head + keep++) % XP_BACKLOG_MAX] = fr;
	}
	dev->bl_count = keep;
}

/*
 * A frame the host does not lend goes to the backlog as a copy the host
 * makes, released as every backlogged frame is; the host's frame is not
 * kept. Without ops->rx_copy, or with no room for a copy, it is dropped and
 * the requester resends it.
 */
static enum xp_rdma_drop backlog_copy(struct xp_rdma_dev *dev, struct xp_qp *qp,
				      const struct xp_rx_frame *fr)
{
	struct xp_rx_frame copy = { .len = fr->len, .may_keep = true };
	const void *data;

	if (!dev->ops->rx_copy ||
	    dev->ops->rx_copy(dev->host, fr->data, fr->len, &data, &copy.cookie))
		return XP_RDMA_DROP_BACKLOG;
	copy.data = data;
	backlog_push(dev, qp, &copy);
	dev->stats.rx_backlog_copies++;
	return XP_RDMA_DROP_NONE;
}

/*
 * XP_RDMA_DROP_NONE when delivered, else why the frame was dropped. A
 * request for a responder that is streaming a READ waits in the backlog
 * (*kept set: the frame is not the host's to reuse), or a copy of it.
 */
static enum xp_rdma_drop dispatch(struct xp_rdma_dev *dev, const struct xp_roce_pkt *pkt,
				  const struct xp_rx_frame *fr, bool *kept)
{
	struct xp_qp *qp;
	__u8 transport = pkt->h.opcode & XP_OP_TRANSPORT_MASK;

	if (transport != XP_OP_UD && transport != XP_OP_RC)
		return XP_RDMA_DROP_NOT_UD;
	/* rxe accepts the default P_Key with or without the membership bit. */
	if ((pkt->h.pkey & 0x7fff) != 0x7fff)
		return XP_RDMA_DROP_PKEY;
	if (xp_rdma_dev_find_gid(dev, pkt->dgid) < 0)
		return XP_RDMA_DROP_DGID;
	qp = find_qp(dev, pkt->h.dest_qpn);
	if (!qp)
		return XP_RDMA_DROP_NO_QP;
	if (transport == XP_OP_UD)
		return qp->type == XP_QPT_UD ? xp_qp_ud_recv(qp, pkt) : XP_RDMA_DROP_QP_TYPE;
	if (qp->type != XP_QPT_RC)
		return XP_RDMA_DROP_QP_TYPE;
	if (fr && (pkt->info->flags & XP_OPF_REQUEST) &&
	    (qp->resp.backlog || xp_rc_resp_busy(qp)) && xp_rc_resp_may_wait(qp, pkt)) {
		/* Full: the requester resends it. */
		if (dev->bl_count == XP_BACKLOG_MAX || qp->resp.backlog >= XP_BACKLOG_QP_MAX)
			return XP_RDMA_DROP_BACKLOG;
		if (!fr->may_keep)
			return backlog_copy(dev, qp, fr);
		backlog_push(dev, qp, fr);
		*kept = true;
		return XP_RDMA_DROP_NONE;
	}
	return xp_rc_recv(qp, pkt);
}

/* Parse and deliver one frame; *kept when it went to the backlog. */
static void rx_frame(struct xp_rdma_dev *dev, const struct xp_rx_frame *fr, bool backlogged,
		     bool *kept)
{
	struct xp_roce_pkt pkt;
	enum xp_rdma_drop why;

	*kept = false;
	if (xp_roce_parse(fr->data, fr->len, 0, &pkt)) {
		dev->stats.rx_parse_drops[pkt.err]++;
		return;
	}
	why = dispatch(dev, &pkt, backlogged ? NULL : fr, kept);
	if (why != XP_RDMA_DROP_NONE)
		dev->stats.rx_drops[why]++;
}

/*
 * Deliver the backlog's frames whose responder is free again, in order;
 * a frame for a QP still busy stops the frames behind it for that QP only
 * by staying (the backlog is short and rarely holds more than one QP).
 */
static void backlog_run(struct xp_rdma_dev *dev)
{
	__u32 n = dev->bl_count, i, keep = 0;

	for (i = 0; i < n; i++) {
		struct xp_rx_frame fr = dev->backlog[(dev->bl_head + i) % XP_BACKLOG_MAX];
		const struct xp_roce_pkt *hdr = NULL;
		struct xp_roce_pkt pkt;
		struct xp_qp *qp = NULL;
		bool kept;

		if (!xp_roce_parse(fr.data, fr.len, XP_PARSE_NO_ICRC, &pkt)) {
			hdr = &pkt;
			qp = find_qp(dev, pkt.h.dest_qpn);
		}
		if (qp && xp_rc_resp_busy(qp)) {
			dev->backlog[(dev->bl_head + keep++) % XP_BACKLOG_MAX] = fr;
			continue;
		}
		/* A QP made since under the same QPN has none of these frames. */
		if (qp && qp->resp.backlog)
			qp->resp.backlog--;
		if (hdr)
			rx_frame(dev, &fr, true, &kept);
		dev->ops->rx_release(dev->host, fr.cookie);
	}
	dev->bl_count = keep;
}

/* Deliver a held-back frame; give it back to the host unless backlogged. */
static void rx_held(struct xp_rdma_dev *dev)
{
	struct xp_rx_frame h = dev->held_frame;
	bool kept;

	dev->held = false;
	rx_frame(dev, &h, false, &kept);
	if (!kept)
		dev->ops->rx_release(dev->host, h.cookie);
}

/* Apply injected faults to a received frame; true when the core kept it. */
static bool rx_faulty(struct xp_rdma_dev *dev, const struct xp_rx_frame *fr)
{
	__u32 r = fault_roll(dev);
	const struct xp_rdma_faults *f = &dev->faults;
	bool kept = false;

	if (r < f->drop_ppm) {
		dev->stats.rx_drops[XP_RDMA_DROP_FAULT]++;
		return false;
	}
	/*
	 * Only a frame the host lends can be held back; one it does not lend
	 * can still be delivered twice, as both deliveries end before we return.
	 */
	r -= f->drop_ppm;
	if (r < f->reorder_ppm && fr->may_keep && !dev->held) {
		/* Hold it; it goes after the next frame. */
		dev->held = true;
		dev->held_frame = *fr;
		dev->stats.fault_reorders++;
		return true;
	}
	r -= f->reorder_ppm;
	rx_frame(dev, fr, false, &kept);
	if (r < f->dup_ppm && !kept) {
		dev->stats.fault_dups++;
		rx_frame(dev, fr, false, &kept);
	}
	if (dev->held)
		rx_held(dev);
	return kept;
}

bool xp_rdma_core_rx(struct xp_rdma_dev *dev, const void *data, __u32 len, __u64 cookie,
		     bool may_keep)
{
	struct xp_rx_frame fr = {
		.data = data,
		.len = len,
		.may_keep = may_keep,
		.cookie = cookie,
	};
	bool kept;

	dev->stats.rx_frames++;
	if (dev->faults_on)
		return rx_faulty(dev, &fr);
	rx_frame(dev, &fr, false, &kept);
	return kept;
}

void xp_rdma_core_rx_drop(struct xp_rdma_dev *dev, enum xp_rdma_drop why)
{
	dev->stats.rx_frames++;
	if ((unsigned int)why < XP_RDMA_DROP__MAX && why != XP_RDMA_DROP_NONE)
		dev->stats.rx_drops[why]++;
}

/* ---- work and timers ---- */

void xp_rdma_core_begin(struct xp_rdma_dev *dev)
{
	dev->now_ns = xp_rdma_now(dev);
	if (dev->bl_count)
		backlog_run(dev);
}

void xp_rdma_core_work(struct xp_rdma_dev *dev)
{
	struct xp_qp *qp;

	for (qp = dev->rc_list; qp; qp = qp->rc_next) {
		xp_rc_resp_flush_ack(qp);
		xp_rc_resp_progress(qp);
		xp_rc_timers(qp);
		xp_rc_req_progress(qp);
	}
}

__u64 xp_rdma_core_next_timer(struct xp_rdma_dev *dev)
{
	__u64 now = dev->now_ns ?: 1, first = 0, t;
	struct xp_qp *qp;

	if (dev->bl_count)
		return now;
	for (qp = dev->rc_list; qp; qp = qp->rc_next) {
		if (xp_rc_resp_busy(qp))
			return now; /* a READ response stream goes on */
		t = xp_rc_next_timer(qp);
		if (t && (!first || t < first))
			first = t;
	}
	return first;
}

/* ---- address handles ---- */

int xp_rdma_resolve_av(struct xp_rdma_dev *dev, const struct xp_ah_attr *attr,
		       struct xp_roce_av *av)
{
	if (attr->sgid_index >= XP_RDMA_GID_TBL_LEN || gid_is_zero(dev->gids[attr->sgid_index]) ||
	    xp_gid_is_v4(dev->gids[attr->sgid_index]) != xp_gid_is_v4(attr->dgid)) {
		pr_debug("%s: GID index %u is empty or not the destination's IP version\n",
			 dev->name, attr->sgid_index);
		return -EINVAL;
	}
	memset(av, 0, sizeof(*av));
	memcpy(av->sgid, dev->gids[attr->sgid_index], 16);
	memcpy(av->dgid, attr->dgid, 16);
	memcpy(av->smac, dev->mac, 6);
	av->ttl = attr->hop_limit;
	av->tclass = attr->traffic_class;
	av->flow_label = attr->flow_label & XP_FLOW_LABEL_MAX;
	if (attr->dmac_set) {
		memcpy(av->dmac, attr->dmac, 6);
		return 0;
	}
	return dev->ops->resolve_mac(dev->host, attr->dgid, av->dmac);
}

int xp_ah_init(struct xp_rdma_dev *dev, const struct xp_ah_attr *attr, struct xp_ah *ah)
{
	_Static_assert(sizeof(struct xp_ah) <= XP_AH_STORAGE, "XP_AH_STORAGE too small");

	if (!dev || !attr || !ah)
		return -EINVAL;
	memset(ah, 0, sizeof(*ah));
	ah->dev = dev;
	return xp_rdma_resolve_av(dev, attr, &ah->av);
}

struct xp_ah *xp_ah_create(struct xp_rdma_dev *dev, const struct xp_ah_attr *attr)
{
	struct xp_ah *ah;
	int err;

	if (!dev || !attr) {
		xp_set_errno(EINVAL);
		return NULL;
	}
	ah = xp_zalloc(sizeof(*ah));
	if (!ah) {
		xp_set_errno(ENOMEM);
		return NULL;
	}
	err = xp_ah_init(dev, attr, ah);
	if (err) {
		xp_free(ah);
		xp_set_errno(-err);
		return NULL;
	}
	return ah;
}

void xp_ah_destroy(struct xp_ah *ah)
{
	xp_free(ah);
}

int xp_grh_sgid(const void *grh, __u8 sgid[16])
{
	const __u8 *p = grh;
	static const __u8 zero[20];

	if ((p[0] >> 4) == 6) {
		memcpy(sgid, p + 8, 16);
		return 0;
	}
	if (!memcmp(p, zero, 20) && (p[20] >> 4) == 4) {
		__be32 saddr;

		memcpy(&saddr, p + 20 + 12, 4);
		xp_gid_from_ipv4(sgid, saddr);
		return 0;
	}
	return -EINVAL;
}
