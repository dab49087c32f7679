// SPDX-License-Identifier: GPL-2.0
/*
 * The core's load-time self-test: a loopback host (frames move from one
 * device to the other through a queue of slots, like user space's
 * in-memory net without its faults) and two devices with a connected RC
 * QP each. Side a WRITEs, READs, SENDs, WRITEs WITH IMM and runs both
 * atomics against side b's MR; every byte is checked, the guard areas
 * around both MRs must stay untouched, every frame must come back, and
 * everything must tear down without a refusal.
 */
#include <linux/ktime.h>
#include <linux/vmalloc.h>

#include "xp_env.h"

#include "core_selftest.h"
#include "rdma_host.h"

#define NSLOT 512
#define SLOT_SIZE 2048 /* path MTU 1024 + headers */
#define BUF (256 * 1024)
#define GUARD 4096
#define GUARD_BYTE 0xa5
#define SZ 65536
#define MAX_STEPS 200000

struct lb_host;

struct lb_dev {
	struct lb_host *h;
	struct xp_rdma_dev *core;
	u8 mac[6];
	u8 gid[16];
};

struct lb_host {
	u8 *area;
	u32 len[NSLOT];
	u32 free[NSLOT], nfree;
	u32 queue[NSLOT], q_head, q_count;
	struct lb_dev dev[2];
};

static int lb_tx_alloc(void *host, struct xp_tx_frame *f, u32 len)
{
	struct lb_dev *d = host;
	u32 slot;

	if (!d->h->nfree || len > SLOT_SIZE)
		return -ENOBUFS;
	slot = d->h->free[--d->h->nfree];
	f->data = d->h->area + (size_t)slot * SLOT_SIZE;
	f->size = SLOT_SIZE;
	f->cookie = slot;
	return 0;
}

static void lb_tx_send(void *host, struct xp_tx_frame *f)
{
	struct lb_host *h = ((struct lb_dev *)host)->h;

	h->len[f->cookie] = f->len;
	h->queue[(h->q_head + h->q_count++) % NSLOT] = f->cookie;
}

static void lb_put(struct lb_host *h, u32 slot)
{
	h->free[h->nfree++] = slot;
}

static void lb_tx_abort(void *host, struct xp_tx_frame *f)
{
	lb_put(((struct lb_dev *)host)->h, f->cookie);
}

static int lb_tx_flush(void *host)
{
	return 0;
}

static void lb_rx_release(void *host, u64 cookie)
{
	lb_put(((struct lb_dev *)host)->h, cookie);
}

static u64 lb_now_ns(void *host)
{
	return ktime_get_ns();
}

static int lb_resolve_mac(void *host, const u8 gid[16], u8 mac[6])
{
	struct lb_host *h = ((struct lb_dev *)host)->h;
	int i;

	for (i = 0; i < 2; i++) {
		if (!memcmp(h->dev[i].gid, gid, 16)) {
			memcpy(mac, h->dev[i].mac, 6);
			return 0;
		}
	}
	return -ENOENT;
}

static const struct xp_rdma_host_ops lb_ops = {
	.tx_alloc = lb_tx_alloc,
	.tx_send = lb_tx_send,
	.tx_abort = lb_tx_abort,
	.tx_flush = lb_tx_flush,
	.rx_release = lb_rx_release,
	.now_ns = lb_now_ns,
	.resolve_mac = lb_resolve_mac,
};

/* Deliver what is queued now, then run both devices' work. */
static void lb_step(struct lb_host *h)
{
	u32 n = h->q_count, slot;
	int i;

	for (i = 0; i < 2; i++)
		xp_rdma_core_begin(h->dev[i].core);
	while (n--) {
		const u8 *data;
		struct lb_dev *to = NULL;

		slot = h->queue[h->q_head];
		h->q_head = (h->q_head + 1) % NSLOT;
		h->q_count--;
		data = h->area + (size_t)slot * SLOT_SIZE;
		for (i = 0; i < 2; i++)
			if (!memcmp(data, h->dev[i].mac, 6))
				to = &h->dev[i];
		/* Lend frames only while a quarter stay free for sending. */
		if (!to ||
		    !xp_rdma_core_rx(to->core, data, h->len[slot], slot, h->nfree >= NSLOT / 4))
			lb_put(h, slot);
	}
	for (i = 0; i < 2; i++)
		xp_rdma_core_work(h->dev[i].core);
}

struct side {
	struct xp_pd *pd;
	struct xp_cq *cq;
	struct xp_qp *qp;
	struct xp_mr *mr;
	u8 *area, *buf;
};

static u64 va(const void *p)
{
	return (u64)(uintptr_t)p;
}

static int side_open(struct lb_dev *d, struct side *s)
{
	struct xp_cq_opts co = { .sz = sizeof(co), .cqe = 64 };
	struct xp_qp_init_attr qa = {
		.sz = sizeof(qa),
		.qp_type = XP_QPT_RC,
		.cap = { .max_send_wr = 16,
			 .max_recv_wr = 16,
			 .max_send_sge = 1,
			 .max_recv_sge = 1 },
	};

	s->area = vmalloc(GUARD + BUF + GUARD);
	if (!s->area)
		return -ENOMEM;
	memset(s->area, GUARD_BYTE, GUARD + BUF + GUARD);
	s->buf = s->area + GUARD;
	memset(s->buf, 0, BUF);
	s->pd = xp_pd_alloc(xp_rdma_dev_mr_table(d->core));
	s->cq = xp_cq_create(&co);
	if (!s->pd || !s->cq)
		return -ENOMEM;
	qa.pd = s->pd;
	qa.send_cq = qa.recv_cq = s->cq;
	s->qp = xp_qp_create(d->core, &qa);
	s->mr = xp_mr_reg(s->pd, s->buf, BUF,
			  XP_ACCESS_LOCAL_WRITE | XP_ACCESS_REMOTE_WRITE | XP_ACCESS_REMOTE_READ |
				  XP_ACCESS_REMOTE_ATOMIC,
			  NULL);
	return s->qp && s->mr ? 0 : -EINVAL;
}

static int side_close(struct side *s)
{
	int err = 0;

	if (s->qp)
		err = err ?: xp_qp_destroy(s->qp);
	if (s->mr)
		err = err ?: xp_mr_dereg(s->mr);
	if (s->cq)
		err = err ?: xp_cq_destroy(s->cq);
	if (s->pd)
		err = err ?: xp_pd_free(s->pd);
	vfree(s->area);
	return err;
}

static bool guards_ok(const struct side *s)
{
	u32 k;

	for (k = 0; k < GUARD; k++)
		if (s->area[k] != GUARD_BYTE || s->buf[BUF + k] != GUARD_BYTE)
			return false;
	return true;
}

/* Post every operation on a, a receive for the SEND and one for the IMM on b. */
static int post_ops(struct side *a, struct side *b)
{
	u32 lk0 = xp_mr_lkey(a->mr), lk1 = xp_mr_lkey(b->mr), rk1 = xp_mr_rkey(b->mr);
	struct xp_sge s[6] = {
		{ va(a->buf), SZ, lk0 },
		{ va(a->buf + SZ), SZ, lk0 },
		{ va(a->buf + 2 * SZ), SZ / 2, lk0 },
		{ va(a->buf + 3 * SZ), 4000, lk0 },
		{ va(a->buf + 3 * SZ + 8192), 8, lk0 },
		{ va(a->buf + 3 * SZ + 8200), 8, lk0 },
	};
	struct xp_sge r = { va(b->buf + 2 * SZ), SZ / 2, lk1 };
	struct xp_recv_wr rwr[2] = { { .wr_id = 100, .sg_list = &r, .num_sge = 1 },
				     { .wr_id = 101 } };
	struct xp_send_wr wr[6] = {
		{ .opcode = XP_WR_RDMA_WRITE, .rdma = { va(b->buf), rk1 } },
		{ .opcode = XP_WR_RDMA_READ, .rdma = { va(b->buf + SZ), rk1 } },
		{ .opcode = XP_WR_SEND },
		{ .opcode = XP_WR_RDMA_WRITE_WITH_IMM,
		  .imm_data = cpu_to_be32(0x12345678),
		  .rdma = { va(b->buf + 3 * SZ), rk1 } },
		{ .opcode = XP_WR_ATOMIC_CMP_AND_SWP,
		  .atomic = { .remote_addr = va(b->buf + 3 * SZ + 8192),
			      .compare_add = 0x1111,
			      .swap = 0x2222,
			      .rkey = rk1 } },
		{ .opcode = XP_WR_ATOMIC_FETCH_AND_ADD,
		  .atomic = { .remote_addr = va(b->buf + 3 * SZ + 8200),
			      .compare_add = 5,
			      .rkey = rk1 } },
	};
	struct xp_recv_wr *rbad;
	struct xp_send_wr *bad;
	u64 cas = 0x1111, fadd = 1000;
	int i, err;

	for (i = 0; i < SZ; i++) {
		a->buf[i] = i * 7 + 1;
		b->buf[SZ + i] = i * 13 + 3;
		a->buf[2 * SZ + i] = i * 5 + 2;
	}
	memcpy(b->buf + 3 * SZ + 8192, &cas, 8);
	memcpy(b->buf + 3 * SZ + 8200, &fadd, 8);
	err = xp_qp_post_recv(b->qp, &rwr[0], &rbad) ?: xp_qp_post_recv(b->qp, &rwr[1], &rbad);
	for (i = 0; i < 6 && !err; i++) {
		wr[i].wr_id = i;
		wr[i].sg_list = &s[i];
		wr[i].num_sge = 1;
		wr[i].send_flags = XP_SEND_SIGNALED;
		err = xp_qp_post_send(a->qp, &wr[i], &bad);
	}
	return err;
}

static bool data_ok(const struct side *a, const struct side *b)
{
	u64 cas_old, cas_now, fadd_old, fadd_now;

	memcpy(&cas_old, a->buf + 3 * SZ + 8192, 8);
	memcpy(&fadd_old, a->buf + 3 * SZ + 8200, 8);
	memcpy(&cas_now, b->buf + 3 * SZ + 8192, 8);
	memcpy(&fadd_now, b->buf + 3 * SZ + 8200, 8);
	return !memcmp(a->buf, b->buf, SZ) && !memcmp(a->buf + SZ, b->buf + SZ, SZ) &&
	       !memcmp(a->buf + 2 * SZ, b->buf + 2 * SZ, SZ / 2) &&
	       !memcmp(a->buf + 3 * SZ, b->buf + 3 * SZ, 4000) && cas_old == 0x1111 &&
	       cas_now == 0x2222 && fadd_old == 1000 && fadd_now == 1005;
}

static int run(struct lb_host *h, struct side *s, u32 *frames, u32 *steps)
{
	struct xp_wc wc[8];
	int got[2] = { 0, 0 }, i, n, k, err = 0;
	u64 next_wr = 0;

	for (*steps = 0; *steps < MAX_STEPS && (got[0] < 6 || got[1] < 2); (*steps)++) {
		*frames += h->q_count;
		lb_step(h);
		for (i = 0; i < 2; i++) {
			n = xp_cq_poll(s[i].cq, 8, wc);
			for (k = 0; k < n; k++, got[i]++) {
				if (wc[k].status != XP_WC_SUCCESS) {
					pr_err("xp_roce_core: side %d wr_id %llu: %s\n", i,
					       wc[k].wr_id, xp_wc_status_str(wc[k].status));
					err = -EIO;
				}
				if (i == 0 && wc[k].wr_id != next_wr++)
					err = -EIO; /* out of posting order */
			}
		}
		if (err)
			return err;
	}
	return got[0] == 6 && got[1] == 2 ? 0 : -ETIMEDOUT;
}

int xp_core_selftest(void)
{
	struct xp_rdma_core_attr ca = { .sz = sizeof(ca), .mtu = XP_MTU_1024, .ops = &lb_ops };
	struct side s[2] = {};
	struct lb_host *h;
	u32 frames = 0, steps = 0, i;
	int err, cerr;

	h = kzalloc(sizeof(*h), GFP_KERNEL);
	if (!h)
		return -ENOMEM;
	h->area = vmalloc((size_t)NSLOT * SLOT_SIZE);
	if (!h->area) {
		kfree(h);
		return -ENOMEM;
	}
	for (i = 0; i < NSLOT; i++)
		h->free[i] = i;
	h->nfree = NSLOT;
	for (i = 0; i < 2; i++) {
		struct lb_dev *d = &h->dev[i];

		d->h = h;
		d->mac[0] = 0x02;
		d->mac[5] = 0x10 + i;
		d->gid[10] = d->gid[11] = 0xff;
		d->gid[12] = 198;
		d->gid[13] = 18;
		d->gid[15] = 1 + i;
		ca.name = i ? "lb1" : "lb0";
		memcpy(ca.mac, d->mac, 6);
		ca.host = d;
		d->core = xp_rdma_core_create(&ca);
		if (!d->core) {
			err = -ENOMEM;
			goto out;
		}
		xp_rdma_core_set_gid(d->core, 1, d->gid);
		err = side_open(d, &s[i]);
		if (err)
			goto out;
	}
	for (i = 0; i < 2; i++) {
		struct xp_qp_peer peer = {
			.sgid_index = 1,
			.dest_qpn = xp_qp_num(s[!i].qp),
			.rq_psn = 0x100 + !i * 0x1000,
			.sq_psn = 0x100 + i * 0x1000,
		};

		memcpy(peer.dgid, h->dev[!i].gid, 16);
		err = xp_qp_connect(s[i].qp, &peer, NULL);
		if (err)
			goto out;
	}
	err = post_ops(&s[0], &s[1]);
	if (!err)
		err = run(h, s, &frames, &steps);
	if (!err && !data_ok(&s[0], &s[1]))
		err = -EILSEQ;
	if (!err && (!guards_ok(&s[0]) || !guards_ok(&s[1])))
		err = -EFAULT;
	while (!err && h->q_count)
		lb_step(h);
	if (!err && h->nfree != NSLOT)
		err = -ENOSPC; /* a frame never came back */
out:
	for (i = 0; i < 2; i++) {
		cerr = side_close(&s[i]);
		if (!cerr && h->dev[i].core)
			cerr = xp_rdma_core_destroy(h->dev[i].core);
		if (cerr && !err)
			err = cerr;
	}
	vfree(h->area);
	kfree(h);
	if (!err)
		pr_info("xp_roce_core: self-test passed: WRITE, READ, SEND, WRITE WITH IMM, compare-swap, fetch-add between two loopback devices, %u frames in %u steps, data and guard areas checked\n",
			frames, steps);
	return err;
}
