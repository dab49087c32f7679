// SPDX-License-Identifier: GPL-2.0
/*
 * The port's counters, as `rdma statistic show link NAME/1` shows them:
 * frames in and out, the path each came in by, what the host lost, the
 * injected faults (rxe_faults.c) and the RC repair of every QP the device
 * had (retransmissions, NAKs, duplicates), the memory registration work
 * of the transport (fast registrations, invalidations local and remote,
 * SEND_WITH_INVs sent, and what was refused), the requests from XDP the
 * core kept as copies (rx_backlog_copies), and every drop by its reason,
 * the parser's (rx_parse_*, enum xp_pkt_err) and the device's
 * (rx_drop_*, enum xp_rdma_drop), named by xp_pkt_err_str() and
 * xp_rdma_drop_str() as user space's counters are.
 */
#include <rdma/ib_verbs.h>

#include "xp_env.h"

#include "rdma_host.h"
#include "xp_roce_pkt.h"
#include "xp_rxe.h"

enum {
	XS_RX_FRAMES,
	XS_TX_FRAMES,
	XS_TX_DROPPED,
	XS_RX_NOMEM,
	XS_TX_NO_FRAME,
	XS_LOOPBACK,
	XS_RX_XDP,
	XS_RX_HANDLER,
	XS_XDP_DECLINED,
	XS_FAULT_DUPS,
	XS_FAULT_REORDERS,
	XS_RC_RETRANSMITS,
	XS_RC_TIMEOUTS,
	XS_RC_SEQ_NAKS_SENT,
	XS_RC_SEQ_NAKS_RCVD,
	XS_RC_DUP_REQUESTS,
	XS_RC_OUT_OF_SEQ,
	XS_MR_FAST_REG,
	XS_MR_REG_REFUSED,
	XS_MR_LOCAL_INV,
	XS_MR_REMOTE_INV,
	XS_SEND_INV_SENT,
	XS_MR_RKEY_REFUSED,
	XS_RX_BACKLOG_COPIES,
	XS_PARSE, /* then XP_PKT_ERR_NR - 1 parser reasons, then the device's */
};

#define XS_DROP (XS_PARSE + XP_PKT_ERR_NR - 1)
#define XS_NR (XS_DROP + XP_RDMA_DROP__MAX - 1)

static const char *const xs_fixed[XS_PARSE] = {
	[XS_RX_FRAMES] = "rx_frames",
	[XS_TX_FRAMES] = "tx_frames",
	[XS_TX_DROPPED] = "tx_dropped",
	[XS_RX_NOMEM] = "rx_nomem",
	[XS_TX_NO_FRAME] = "tx_no_frame",
	[XS_LOOPBACK] = "loopback_frames",
	[XS_RX_XDP] = "rx_xdp_frames",
	[XS_RX_HANDLER] = "rx_handler_frames",
	[XS_XDP_DECLINED] = "xdp_declined",
	[XS_FAULT_DUPS] = "rx_fault_dups",
	[XS_FAULT_REORDERS] = "rx_fault_reorders",
	[XS_RC_RETRANSMITS] = "rc_retransmits",
	[XS_RC_TIMEOUTS] = "rc_timeouts",
	[XS_RC_SEQ_NAKS_SENT] = "rc_seq_naks_sent",
	[XS_RC_SEQ_NAKS_RCVD] = "rc_seq_naks_rcvd",
	[XS_RC_DUP_REQUESTS] = "rc_dup_requests",
	[XS_RC_OUT_OF_SEQ] = "rc_out_of_seq",
	[XS_MR_FAST_REG] = "mr_fast_reg",
	[XS_MR_REG_REFUSED] = "mr_reg_refused",
	[XS_MR_LOCAL_INV] = "mr_local_inv",
	[XS_MR_REMOTE_INV] = "mr_remote_inv",
	[XS_SEND_INV_SENT] = "send_inv_sent",
	[XS_MR_RKEY_REFUSED] = "mr_rkey_refused",
	[XS_RX_BACKLOG_COPIES] = "rx_backlog_copies",
};

void xp_rxe_stats_free(struct xp_rxe_dev *xd)
{
	unsigned int i;

	if (!xd->stat_desc)
		return;
	for (i = XS_PARSE; i < xd->nstats; i++)
		kfree(xd->stat_desc[i].name);
	kfree(xd->stat_desc);
	xd->stat_desc = NULL;
}

int xp_rxe_stats_init(struct xp_rxe_dev *xd)
{
	struct rdma_stat_desc *d;
	unsigned int i;

	d = kcalloc(XS_NR, sizeof(*d), GFP_KERNEL);
	if (!d)
		return -ENOMEM;
	xd->stat_desc = d;
	for (i = 0; i < XS_PARSE; i++)
		d[i].name = xs_fixed[i];
	xd->nstats = XS_PARSE;
	for (i = 1; i < XP_PKT_ERR_NR; i++, xd->nstats++) {
		d[xd->nstats].name = kasprintf(GFP_KERNEL, "rx_parse_%s", xp_pkt_err_str(i));
		if (!d[xd->nstats].name)
			goto out_nomem;
	}
	for (i = 1; i < XP_RDMA_DROP__MAX; i++, xd->nstats++) {
		d[xd->nstats].name = kasprintf(GFP_KERNEL, "rx_drop_%s", xp_rdma_drop_str(i));
		if (!d[xd->nstats].name)
			goto out_nomem;
	}
	return 0;

out_nomem:
	xp_rxe_stats_free(xd);
	return -ENOMEM;
}

struct rdma_hw_stats *xp_rxe_alloc_port_stats(struct ib_device *ibdev, u32 port)
{
	struct xp_rxe_dev *xd = to_xdev(ibdev);

	return rdma_alloc_hw_stats_struct(xd->stat_desc, xd->nstats,
					  RDMA_HW_STATS_DEFAULT_LIFESPAN);
}

int xp_rxe_get_hw_stats(struct ib_device *ibdev, struct rdma_hw_stats *stats, u32 port, int index)
{
	struct xp_rxe_dev *xd = to_xdev(ibdev);
	struct xp_rxe_host_counts hc;
	struct xp_rdma_dev_stats st;
	unsigned int i;

	if (!port || stats->num_counters != xd->nstats)
		return -EINVAL;
	xp_rxe_host_stats(&xd->host, &st, &hc);
	stats->value[XS_LOOPBACK] = hc.loopback;
	stats->value[XS_RX_XDP] = hc.rx_xdp;
	stats->value[XS_RX_HANDLER] = hc.rx_handler;
	stats->value[XS_XDP_DECLINED] = hc.xdp_declined;
	stats->value[XS_FAULT_DUPS] = st.fault_dups;
	stats->value[XS_FAULT_REORDERS] = st.fault_reorders;
	stats->value[XS_RC_RETRANSMITS] = hc.retransmits;
	stats->value[XS_RC_TIMEOUTS] = hc.timeouts;
	stats->value[XS_RC_SEQ_NAKS_SENT] = hc.seq_naks_sent;
	stats->value[XS_RC_SEQ_NAKS_RCVD] = hc.seq_naks_rcvd;
	stats->value[XS_RC_DUP_REQUESTS] = hc.dup_requests;
	stats->value[XS_RC_OUT_OF_SEQ] = hc.out_of_seq;
	stats->value[XS_MR_FAST_REG] = st.mr_fast_reg;
	stats->value[XS_MR_REG_REFUSED] = st.mr_reg_refused;
	stats->value[XS_MR_LOCAL_INV] = st.mr_local_inv;
	stats->value[XS_MR_REMOTE_INV] = st.mr_remote_inv;
	stats->value[XS_SEND_INV_SENT] = st.send_inv_sent;
	stats->value[XS_MR_RKEY_REFUSED] = st.mr_rkey_refused;
	stats->value[XS_RX_BACKLOG_COPIES] = st.rx_backlog_copies;
	stats->value[XS_RX_FRAMES] = st.rx_frames;
	stats->value[XS_TX_FRAMES] = st.tx_frames;
	stats->value[XS_TX_DROPPED] = atomic64_read(&xd->host.tx_dropped);
	stats->value[XS_RX_NOMEM] = atomic64_read(&xd->host.rx_nomem);
	stats->value[XS_TX_NO_FRAME] = st.tx_no_frame;
	for (i = 1; i < XP_PKT_ERR_NR; i++)
		stats->value[XS_PARSE + i - 1] = st.rx_parse_drops[i];
	for (i = 1; i < XP_RDMA_DROP__MAX; i++)
		stats->value[XS_DROP + i - 1] = st.rx_drops[i];
	return xd->nstats;
}
