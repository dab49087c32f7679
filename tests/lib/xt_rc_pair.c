// SPDX-License-Identifier: GPL-2.0
/* An RC pair on the in-memory net (xt_rc_pair.h). */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

#include "xt_rc_pair.h"

static int step_fail(const char *what, int i, int err)
{
	fprintf(stderr, "rc pair: %s (side %d): %s\n", what, i, strerror(-err));
	return err;
}

#define ACCESS_ALL                                                                \
	(XP_ACCESS_LOCAL_WRITE | XP_ACCESS_REMOTE_WRITE | XP_ACCESS_REMOTE_READ | \
	 XP_ACCESS_REMOTE_ATOMIC)

/* buf[i] as the list of its 4 KiB pages, at iova = its address. */
static struct xp_mr *reg_pages(struct xt_rc_pair *p, int i)
{
	void *page[XT_PAIR_PAGES_MAX]; /* the MR keeps its own copy */
	__u32 k, n = p->buf_len / 4096;
	struct xp_mr_pages pg = { .page = page, .npages = n, .page_shift = 12 };
	struct xp_mr_reg_opts ro = {
		.sz = sizeof(ro), .iova = (uintptr_t)p->buf[i], .iova_set = true, .pages = &pg
	};

	if (p->buf_len % 4096 || n > XT_PAIR_PAGES_MAX) {
		errno = EINVAL;
		return NULL;
	}
	for (k = 0; k < n; k++)
		page[k] = p->buf[i] + k * 4096;
	return xp_mr_reg(p->pd[i], NULL, p->buf_len, ACCESS_ALL, &ro);
}

/* UD: both QPs to RTS with qkey, and an AH from each side to the other. */
static int ud_ready(struct xt_rc_pair *p, __u32 qkey)
{
	static const int mask[3] = { XP_QP_STATE | XP_QP_PKEY_INDEX | XP_QP_PORT | XP_QP_QKEY,
				     XP_QP_STATE, XP_QP_STATE | XP_QP_SQ_PSN };
	static const enum xp_qp_state to[3] = { XP_QPS_INIT, XP_QPS_RTR, XP_QPS_RTS };
	int i, k, err;

	for (i = 0; i < 2; i++) {
		struct xp_ah_attr ah = { .port_num = 1, .sgid_index = 1 };

		for (k = 0; k < 3; k++) {
			struct xp_qp_attr a = {
				.qp_state = to[k], .port_num = 1, .qkey = qkey, .sq_psn = 0x100
			};

			err = xp_qp_modify(p->qp[i], &a, mask[k]);
			if (err)
				return step_fail("UD QP to RTS", i, err);
		}
		memcpy(ah.dgid, p->gid[!i], 16);
		p->ah[i] = xp_ah_create(p->dev[i], &ah);
		if (!p->ah[i])
			return step_fail("AH", i, -errno);
	}
	return 0;
}

int xt_rc_pair_open(struct xt_rc_pair *p, const struct xt_rc_pair_opts *o)
{
	struct xp_mem_net_opts no = o->net;
	__u32 max_wr = o->max_wr ?: 64;
	int i, err;

	memset(p, 0, sizeof(*p));
	p->buf_len = o->buf_len ?: XT_PAIR_BUF;
	if (!no.sz)
		no.sz = sizeof(no);
	p->net = xp_mem_net_create(&no);
	if (!p->net)
		return step_fail("net", 0, -errno);
	for (i = 0; i < 2; i++) {
		struct xp_mem_dev_opts d = {
			.sz = sizeof(d),
			.name = i ? "b" : "a",
			.mac = { 0x02, 0, 0, 0, 0, (__u8)(0x10 + i) },
			.ipv4 = htonl(0xc6120001u + i), /* 198.18.0.1, .2 */
			.mtu = o->mtu ?: XP_MTU_1024,
			.qpn_first = o->qpn_first[i],
		};
		struct xp_cq_opts co = { .sz = sizeof(co), .cqe = 4 * max_wr };
		struct xp_qp_init_attr qa = {
			.sz = sizeof(qa),
			.qp_type = o->ud ? XP_QPT_UD : XP_QPT_RC,
			.cap = { .max_send_wr = max_wr,
				 .max_recv_wr = max_wr,
				 .max_send_sge = 4,
				 .max_recv_sge = 4 },
		};

		p->dev[i] = xp_mem_dev_add(p->net, &d);
		if (!p->dev[i])
			return step_fail("device", i, -errno);
		xp_gid_from_ipv4(p->gid[i], d.ipv4);
		p->pd[i] = xp_pd_alloc(xp_rdma_dev_mr_table(p->dev[i]));
		if (!p->pd[i])
			return step_fail("PD", i, -errno);
		p->cq[i] = xp_cq_create(&co);
		if (!p->cq[i])
			return step_fail("CQ", i, -errno);
		if (o->srq[i]) {
			struct xp_srq_attr sa = { .max_wr = max_wr, .max_sge = 4, .srq_limit = 1 };

			p->srq[i] = xp_srq_create(p->dev[i], p->pd[i], &sa, NULL);
			if (!p->srq[i])
				return step_fail("SRQ", i, -errno);
			qa.srq = p->srq[i];
			qa.cap.max_recv_wr = 0;
		}
		qa.pd = p->pd[i];
		qa.send_cq = qa.recv_cq = p->cq[i];
		p->qp[i] = xp_qp_create(p->dev[i], &qa);
		if (!p->qp[i])
			return step_fail("QP", i, -errno);
		/* Page-aligned, so that the buffer is whole pages too. */
		p->area[i] = aligned_alloc(4096, XT_PAIR_GUARD + p->buf_len + XT_PAIR_GUARD);
		if (!p->area[i])
			return step_fail("buffer", i, -ENOMEM);
		memset(p->area[i], XT_PAIR_GUARD_BYTE, XT_PAIR_GUARD + p->buf_len + XT_PAIR_GUARD);
		p->buf[i] = p->area[i] + XT_PAIR_GUARD;
		memset(p->buf[i], 0, p->buf_len);
		p->mr[i] = o->paged ? reg_pages(p, i) :
				      xp_mr_reg(p->pd[i], p->buf[i], p->buf_len, ACCESS_ALL, NULL);
		if (!p->mr[i])
			return step_fail("MR", i, -errno);
	}
	if (o->ud)
		return ud_ready(p, o->qkey ?: XT_PAIR_QKEY);
	for (i = 0; i < 2; i++) {
		struct xp_qp_peer peer = {
			.sgid_index = 1,
			.dest_qpn = xp_qp_num(p->qp[!i]),
			.rq_psn = o->psn_set ? o->sq_psn[!i] : 0x100u + !i * 0x1000u,
			.sq_psn = o->psn_set ? o->sq_psn[i] : 0x100u + i * 0x1000u,
		};
		struct xp_qp_connect_opts co = {
			.sz = sizeof(co),
			.timeout = o->timeout ?: 14,
			.retry_cnt = o->retry_cnt ?: 7,
			.rnr_retry = o->rnr_retry ?: 7,
			.min_rnr_timer = o->min_rnr_timer ?: 1,
			.timers_set = true,
		};

		memcpy(peer.dgid, p->gid[!i], 16);
		err = xp_qp_connect(p->qp[i], &peer, &co);
		if (err)
			return step_fail("connect", i, err);
	}
	return 0;
}

/* All n bytes at g hold the guard byte (each equals the one before it). */
static bool guard_intact(const __u8 *g, __u32 n)
{
	return g[0] == XT_PAIR_GUARD_BYTE && !memcmp(g, g + 1, n - 1);
}

bool xt_rc_pair_guards_ok(const struct xt_rc_pair *p)
{
	__u32 i;

	for (i = 0; i < 2; i++)
		if (p->area[i] && (!guard_intact(p->area[i], XT_PAIR_GUARD) ||
				   !guard_intact(p->buf[i] + p->buf_len, XT_PAIR_GUARD)))
			return false;
	return true;
}

int xt_rc_pair_close(struct xt_rc_pair *p)
{
	int i, err, first = 0;

#define STEP(what, call)                         \
	do {                                     \
		err = (call);                    \
		if (err) {                       \
			step_fail(what, i, err); \
			first = first ?: err;    \
		}                                \
	} while (0)
	for (i = 0; i < 2; i++) {
		if (p->ah[i])
			xp_ah_destroy(p->ah[i]);
		if (p->qp[i])
			STEP("destroy QP", xp_qp_destroy(p->qp[i]));
		if (p->srq[i])
			STEP("destroy SRQ", xp_srq_destroy(p->srq[i]));
		if (p->mr[i])
			STEP("deregister MR", xp_mr_dereg(p->mr[i]));
		if (p->cq[i])
			STEP("destroy CQ", xp_cq_destroy(p->cq[i]));
		if (p->pd[i])
			STEP("free PD", xp_pd_free(p->pd[i]));
		if (p->dev[i])
			STEP("remove device", xp_mem_dev_remove(p->dev[i]));
		free(p->area[i]);
	}
	i = 0;
	/* Every frame slot is free or queued once no device is left. */
	if (p->net && xp_mem_net_frames_in_use(p->net) != xp_mem_net_pending(p->net)) {
		fprintf(stderr,
			"rc pair: %u frame slots in use, %u of them queued: a core kept %u\n",
			xp_mem_net_frames_in_use(p->net), xp_mem_net_pending(p->net),
			xp_mem_net_frames_in_use(p->net) - xp_mem_net_pending(p->net));
		first = first ?: -EBUSY;
	}
	if (p->net)
		STEP("destroy net", xp_mem_net_destroy(p->net));
#undef STEP
	memset(p, 0, sizeof(*p));
	return first;
}
