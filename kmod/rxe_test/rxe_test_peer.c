// SPDX-License-Identifier: GPL-2.0
/*
 * xp_rxe_test against another host, through rdma_cm, whatever RDMA device
 * each side has (xp_rxe or Linux's rdma_rxe): tests/vm/test_rxe_kmod_interop.sh
 * runs one guest of each.
 *
 *	insmod xp_rxe_test.ko listen=1		the server: accepts one connection
 *	insmod xp_rxe_test.ko peer=A.B.C.D	the client: connects to it
 *
 * The server maps a 64 KiB buffer into a fast-reg MR and accepts with its
 * address and next rkey as private data; once connected it posts the
 * REG_MR (remote write, read, atomics) and SENDs "ready". The client then
 * SENDs 4 KiB, WRITEs 64 KiB into the server's buffer,
 * READs it back and compares, runs a fetch-and-add on it, and SENDs a
 * last message; on that one the server checks that its buffer holds what
 * the client wrote and the sum. Both sides print their checks as the
 * local tests do; the client retries its connection while the server is
 * not listening yet.
 */
#include <linux/delay.h>
#include <linux/in.h>
#include <linux/inet.h>
#include <linux/wait.h>
#include <net/net_namespace.h>
#include <rdma/rdma_cm.h>

#include "rxe_test.h"

#define PEER_PORT 7472
#define PEER_SEND 4096
#define PEER_FADD_OFF 65528 /* the buffer's last 8 bytes */
#define PEER_CONNECT_MS 60000

/* What the server tells the client in its accept. */
struct peer_mr {
	__be64 va;
	__be32 rkey;
	__be32 len;
};

/* One side: its connection, the objects on the connection's device. */
struct peer {
	struct rdma_cm_id *id; /* the server's listening id is apart */
	wait_queue_head_t wq;
	atomic_t got[32];
	int status;
	struct peer_mr remote; /* the client: from the accept */
	struct ib_pd *pd;
	struct ib_cq *cq;
	struct ib_mr *mr;
	u8 *buf[2];
	u64 dma[2];
	struct scatterlist sg;
	bool sg_mapped;
	struct wait_cqe ws, wr;
};

static struct peer pp;

static int peer_handler(struct rdma_cm_id *id, struct rdma_cm_event *ev)
{
	struct peer *p = id->context;

	if (ev->event == RDMA_CM_EVENT_CONNECT_REQUEST)
		p->id = id;
	if (ev->event == RDMA_CM_EVENT_ESTABLISHED && ev->param.conn.private_data &&
	    ev->param.conn.private_data_len >= sizeof(p->remote))
		memcpy(&p->remote, ev->param.conn.private_data, sizeof(p->remote));
	p->status = ev->status;
	if (ev->event < ARRAY_SIZE(p->got))
		atomic_inc(&p->got[ev->event]);
	wake_up(&p->wq);
	return 0;
}

static bool peer_bad(struct peer *p)
{
	return atomic_read(&p->got[RDMA_CM_EVENT_ADDR_ERROR]) ||
	       atomic_read(&p->got[RDMA_CM_EVENT_ROUTE_ERROR]) ||
	       atomic_read(&p->got[RDMA_CM_EVENT_CONNECT_ERROR]) ||
	       atomic_read(&p->got[RDMA_CM_EVENT_UNREACHABLE]) ||
	       atomic_read(&p->got[RDMA_CM_EVENT_REJECTED]);
}

static bool peer_wait(struct peer *p, enum rdma_cm_event_type type, unsigned int ms)
{
	wait_event_timeout(p->wq, atomic_read(&p->got[type]) || peer_bad(p), msecs_to_jiffies(ms));
	return atomic_read(&p->got[type]) && !peer_bad(p);
}

/* PD, CQ, QP, buffers and the fast-reg MR on the connection's device. */
static int peer_objects(struct peer *p)
{
	struct ib_qp_init_attr ia = {
		.qp_type = IB_QPT_RC,
		.sq_sig_type = IB_SIGNAL_REQ_WR,
		.cap = { .max_send_wr = QP_WR,
			 .max_recv_wr = QP_WR,
			 .max_send_sge = 1,
			 .max_recv_sge = 1 },
	};
	struct ib_device *dev = p->id->device;
	int i, err;

	p->pd = ib_alloc_pd(dev, 0);
	if (IS_ERR(p->pd))
		return PTR_ERR(p->pd);
	p->cq = ib_alloc_cq(dev, p, 4 * QP_WR, 0, IB_POLL_WORKQUEUE);
	if (IS_ERR(p->cq))
		return PTR_ERR(p->cq);
	ia.send_cq = ia.recv_cq = p->cq;
	err = rdma_create_qp(p->id, p->pd, &ia);
	if (err)
		return err;
	for (i = 0; i < 2; i++) {
		p->buf[i] = kzalloc(BUF_LEN, GFP_KERNEL);
		if (!p->buf[i])
			return -ENOMEM;
		p->dma[i] = ib_dma_map_single(dev, p->buf[i], BUF_LEN, DMA_BIDIRECTIONAL);
	}
	p->mr = ib_alloc_mr(p->pd, IB_MR_TYPE_MEM_REG, BUF_LEN / PAGE_SIZE);
	if (IS_ERR(p->mr))
		return PTR_ERR(p->mr);
	sg_init_one(&p->sg, p->buf[1], BUF_LEN);
	if (ib_dma_map_sg(dev, &p->sg, 1, DMA_BIDIRECTIONAL) != 1)
		return -EIO;
	p->sg_mapped = true;
	return 0;
}

static void peer_free(struct peer *p)
{
	struct ib_device *dev = p->id ? p->id->device : NULL;
	int i;

	if (p->id && p->id->qp)
		rdma_destroy_qp(p->id);
	if (p->sg_mapped)
		ib_dma_unmap_sg(dev, &p->sg, 1, DMA_BIDIRECTIONAL);
	for (i = 0; i < 2; i++) {
		if (p->buf[i])
			ib_dma_unmap_single(dev, p->dma[i], BUF_LEN, DMA_BIDIRECTIONAL);
		kfree(p->buf[i]);
	}
	if (!IS_ERR_OR_NULL(p->mr))
		ib_dereg_mr(p->mr);
	if (!IS_ERR_OR_NULL(p->cq))
		ib_free_cq(p->cq);
	if (!IS_ERR_OR_NULL(p->pd))
		ib_dealloc_pd(p->pd);
	if (p->id)
		rdma_destroy_id(p->id);
}

/* Post one receive of the whole of buf[0]. */
static int peer_recv(struct peer *p)
{
	struct ib_sge s = { .addr = p->dma[0], .length = BUF_LEN, .lkey = p->pd->local_dma_lkey };
	struct ib_recv_wr wr = { .sg_list = &s, .num_sge = 1 };
	const struct ib_recv_wr *bad;

	wait_init(&p->wr);
	wr.wr_cqe = &p->wr.cqe;
	return ib_post_recv(p->id->qp, &wr, &bad);
}

static int peer_send(struct peer *p, u32 len)
{
	struct ib_sge s = { .addr = p->dma[1], .length = len, .lkey = p->pd->local_dma_lkey };
	struct ib_send_wr wr = { .opcode = IB_WR_SEND, .sg_list = &s, .num_sge = 1 };

	return post_wait_qp(p->id->qp, &wr, &p->ws);
}

static void run_server(struct peer *p)
{
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(PEER_PORT) };
	struct ib_reg_wr rw = { .wr.opcode = IB_WR_REG_MR,
				.access = IB_ACCESS_LOCAL_WRITE | IB_ACCESS_REMOTE_WRITE |
					  IB_ACCESS_REMOTE_READ | IB_ACCESS_REMOTE_ATOMIC };
	struct rdma_conn_param cp = { .responder_resources = 4,
				      .initiator_depth = 4,
				      .retry_count = 7,
				      .rnr_retry_count = 7,
				      .private_data = &p->remote,
				      .private_data_len = sizeof(p->remote) };
	struct rdma_cm_id *listen;
	size_t diff;
	u64 sum;
	int err, n;

	listen = rdma_create_id(&init_net, peer_handler, p, RDMA_PS_TCP, IB_QPT_RC);
	if (!check(!IS_ERR(listen), "server: an id"))
		return;
	err = rdma_bind_addr(listen, (struct sockaddr *)&sin);
	err = err ?: rdma_listen(listen, 1);
	if (!check(!err, "server: listening on port %d (%d)", PEER_PORT, err))
		goto out;
	pr_info("xp_rxe_test: server ready\n");
	if (!check(peer_wait(p, RDMA_CM_EVENT_CONNECT_REQUEST, PEER_CONNECT_MS),
		   "server: a connect request"))
		goto out;
	err = peer_objects(p);
	if (!check(!err, "server: PD, CQ, QP and a fast-reg MR on %s (%d)",
		   dev_name(&p->id->device->dev), err))
		goto out_conn;
	/*
	 * The MR's address and next key go out with the accept; REG_MR only
	 * once the QP can send (RTS), and then "ready" tells the client.
	 */
	n = ib_map_mr_sg(p->mr, &p->sg, 1, NULL, PAGE_SIZE);
	ib_update_fast_reg_key(p->mr, ib_inc_rkey(p->mr->rkey) & 0xff);
	p->remote = (struct peer_mr){ .va = cpu_to_be64(p->mr->iova),
				      .rkey = cpu_to_be32(p->mr->rkey),
				      .len = cpu_to_be32(BUF_LEN) };
	err = n == 1 ? peer_recv(p) : -EINVAL;
	err = err ?: rdma_accept(p->id, &cp);
	if (!check(!err && peer_wait(p, RDMA_CM_EVENT_ESTABLISHED, WAIT_MS),
		   "server: accepted with the MR's address and rkey (%d)", err))
		goto out_conn;
	rw.mr = p->mr;
	rw.key = p->mr->rkey;
	err = post_wait_qp(p->id->qp, &rw.wr, &p->ws);
	err = err ?: peer_send(p, 16);
	if (!check(!err, "server: REG_MR, then \"ready\" to the client (%d)", err))
		goto out_conn;
	/* The client's first SEND: 4 KiB. */
	/* (Checked in place: buf[1] is the client's to write from now on.) */
	err = wait_for(&p->wr);
	check(!err && p->wr.wc.byte_len == PEER_SEND &&
		      fill_diff(p->buf[0], PEER_SEND, 7) == PEER_SEND,
	      "server: the client's 4 KiB SEND, data checked (%d, %u B)", err, p->wr.wc.byte_len);
	/* Its last SEND: by then its WRITE and fetch-and-add are in our MR. */
	err = peer_recv(p);
	err = err ?: wait_for(&p->wr);
	memcpy(&sum, p->buf[1] + PEER_FADD_OFF, 8);
	diff = fill_diff(p->buf[1], PEER_FADD_OFF, 33);
	check(!err && diff == PEER_FADD_OFF && sum == 12345,
	      "server: the client's WRITE and fetch-and-add are in our MR (%d, first difference at %zu of %d, sum %llu)",
	      err, diff, PEER_FADD_OFF, sum);
	check(peer_wait(p, RDMA_CM_EVENT_DISCONNECTED, WAIT_MS), "server: the client disconnects");
	rdma_disconnect(p->id);
out_conn:
	peer_free(p);
	p->id = NULL;
out:
	rdma_destroy_id(listen);
}

static void run_client(struct peer *p, const char *ip)
{
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(PEER_PORT) };
	struct rdma_conn_param cp = { .responder_resources = 4,
				      .initiator_depth = 4,
				      .retry_count = 7,
				      .rnr_retry_count = 7 };
	struct ib_sge s = { .length = PEER_FADD_OFF };
	struct ib_rdma_wr rw = { .wr.sg_list = &s, .wr.num_sge = 1 };
	struct ib_atomic_wr aw = { .wr.opcode = IB_WR_ATOMIC_FETCH_AND_ADD,
				   .wr.sg_list = &s,
				   .wr.num_sge = 1,
				   .compare_add = 12345 };
	unsigned long until = jiffies + msecs_to_jiffies(PEER_CONNECT_MS);
	u64 orig;
	int err, tries = 0;

	if (!check(in4_pton(ip, -1, (u8 *)&sin.sin_addr.s_addr, -1, NULL), "client: peer %s", ip))
		return;
	/* The server may not listen yet: a new id for each try. */
	do {
		if (p->id)
			rdma_destroy_id(p->id);
		memset(p->got, 0, sizeof(p->got));
		init_waitqueue_head(&p->wq);
		p->id = rdma_create_id(&init_net, peer_handler, p, RDMA_PS_TCP, IB_QPT_RC);
		if (IS_ERR(p->id)) {
			err = PTR_ERR(p->id);
			p->id = NULL;
			break;
		}
		tries++;
		err = rdma_resolve_addr(p->id, NULL, (struct sockaddr *)&sin, WAIT_MS);
		if (err || !peer_wait(p, RDMA_CM_EVENT_ADDR_RESOLVED, WAIT_MS))
			goto again;
		err = rdma_resolve_route(p->id, WAIT_MS);
		if (err || !peer_wait(p, RDMA_CM_EVENT_ROUTE_RESOLVED, WAIT_MS))
			goto again;
		if (!p->pd) {
			err = peer_objects(p);
			if (err)
				break;
		} else {
			struct ib_qp_init_attr ia = {
				.qp_type = IB_QPT_RC,
				.send_cq = p->cq,
				.recv_cq = p->cq,
				.cap = { .max_send_wr = QP_WR,
					 .max_recv_wr = QP_WR,
					 .max_send_sge = 1,
					 .max_recv_sge = 1 },
			};

			err = rdma_create_qp(p->id, p->pd, &ia);
			if (err)
				break;
		}
		/* For the server's "ready", which may come right after the accept. */
		err = peer_recv(p);
		err = err ?: rdma_connect(p->id, &cp);
		if (!err && peer_wait(p, RDMA_CM_EVENT_ESTABLISHED, WAIT_MS))
			break;
again:
		if (p->id->qp)
			rdma_destroy_qp(p->id);
		err = -ECONNREFUSED;
		msleep(500);
	} while (time_before(jiffies, until));
	if (!check(!err && p->id, "client: connected to %s through %s after %d tries (%d)", ip,
		   p->id ? dev_name(&p->id->device->dev) : "-", tries, err))
		goto out;
	err = wait_for(&p->wr);
	if (!check(!err && p->wr.wc.byte_len == 16, "client: the server is ready (%d)", err))
		goto out;
	/* SEND 4 KiB. */
	fill(p->buf[1], PEER_SEND, 7);
	err = peer_send(p, PEER_SEND);
	check(!err, "client: a 4 KiB SEND (%d)", err);
	/* WRITE to the server's MR, READ it back. */
	fill(p->buf[1], PEER_FADD_OFF, 33);
	s.addr = p->dma[1];
	s.lkey = p->pd->local_dma_lkey;
	rw.wr.opcode = IB_WR_RDMA_WRITE;
	rw.remote_addr = be64_to_cpu(p->remote.va);
	rw.rkey = be32_to_cpu(p->remote.rkey);
	err = post_wait_qp(p->id->qp, &rw.wr, &p->ws);
	check(!err, "client: a %d B WRITE to the server's MR (%d)", PEER_FADD_OFF, err);
	memset(p->buf[0], 0, BUF_LEN);
	s.addr = p->dma[0];
	rw.wr.opcode = IB_WR_RDMA_READ;
	rw.wr.send_flags = 0;
	err = post_wait_qp(p->id->qp, &rw.wr, &p->ws);
	check(!err && !memcmp(p->buf[0], p->buf[1], PEER_FADD_OFF),
	      "client: READ back, the same bytes (%d)", err);
	/* fetch-and-add on the 8 bytes after it (zero: the server's buffer is new). */
	s.addr = p->dma[0];
	s.length = 8;
	aw.remote_addr = be64_to_cpu(p->remote.va) + PEER_FADD_OFF;
	aw.rkey = be32_to_cpu(p->remote.rkey);
	err = post_wait_qp(p->id->qp, &aw.wr, &p->ws);
	memcpy(&orig, p->buf[0], 8);
	check(!err && orig == 0, "client: fetch-and-add, original 0 (%d, %llu)", err, orig);
	err = peer_send(p, 16);
	check(!err, "client: the last SEND (%d)", err);
	err = rdma_disconnect(p->id);
	check(!err && peer_wait(p, RDMA_CM_EVENT_DISCONNECTED, WAIT_MS),
	      "client: disconnected (%d)", err);
out:
	if (p->id) {
		peer_free(p);
		p->id = NULL;
	}
}

void test_peer(bool listen, const char *ip)
{
	struct peer *p = &pp;

	init_waitqueue_head(&p->wq);
	if (listen)
		run_server(p);
	else
		run_client(p, ip);
	memset(p, 0, sizeof(*p));
}
