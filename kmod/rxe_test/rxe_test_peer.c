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
 * SENDs 4 KiB, WRITEs 64 KiB into the server's buffer, READs it back and
 * compares, runs a fetch-and-add on it, and SENDs a last message; on that
 * one the server checks that its buffer holds what the client wrote and
 * the sum, invalidates the MR (LOCAL_INV) and SENDs "invalidated". The
 * client then WRITEs with the rkey it still has, now stale: the server's
 * device refuses it (rdma_rxe and xp_rxe NAK an rkey that opens no MR
 * with a Remote Access Error), the client's WRITE completes with
 * IB_WC_REM_ACCESS_ERR, and once the client has disconnected the server
 * finds its buffer as it was. Both QPs are in ERR after that, which the
 * teardown takes as it is (a drain of a QP in ERR flushes). Both sides
 * print their checks as the local tests do; the client retries its
 * connection while the server is not listening yet. The server takes one
 * connection (the first request; later ones are refused) and stops
 * listening once it is up. Either side, done or failed, closes the
 * connection both ways before it frees anything (peer_free()).
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
#define PEER_STALE_LEN 256 /* one packet at any RoCE MTU: refused whole */
#define PEER_CONNECT_MS 60000

/* What the server tells the client in its accept. */
struct peer_mr {
	__be64 va;
	__be32 rkey;
	__be32 len;
};

/*
 * One side: its connection, the objects on the connection's device. The
 * handler counts the events of id and listen only: another id's, one of
 * an earlier try or a request refused, are not this connection's.
 */
struct peer {
	struct rdma_cm_id *id; /* the connection's */
	struct rdma_cm_id *listen; /* the server's, until the connection is up */
	wait_queue_head_t wq;
	atomic_t got[32];
	int status;
	struct peer_mr remote; /* the client: from the accept */
	struct ib_pd *pd;
	struct ib_cq *cq;
	struct ib_mr *mr;
	bool mr_live; /* the server: registered, the client knows its rkey */
	bool disconnecting; /* rdma_disconnect() called */
	u8 *buf[2];
	u64 dma[2];
	bool dma_mapped[2];
	struct scatterlist sg;
	bool sg_mapped;
	struct wait_cqe ws, wr;
};

static struct peer pp;

static int peer_handler(struct rdma_cm_id *id, struct rdma_cm_event *ev)
{
	struct peer *p = id->context;

	if (ev->event == RDMA_CM_EVENT_CONNECT_REQUEST) {
		/*
		 * A new id, with the listener's context. The first is the
		 * connection; another (the client's retry, a request
		 * repeated) is refused: rdma_cm destroys a new id whose
		 * handler returns non-zero, so no id is ours but the one
		 * peer_free() destroys.
		 */
		if (cmpxchg(&p->id, NULL, id))
			return -ECONNREFUSED;
	} else if (id != READ_ONCE(p->id) && id != READ_ONCE(p->listen)) {
		return 0;
	}
	if (ev->event == RDMA_CM_EVENT_ESTABLISHED && ev->param.conn.private_data &&
	    ev->param.conn.private_data_len >= sizeof(p->remote))
		memcpy(&p->remote, ev->param.conn.private_data, sizeof(p->remote));
	p->status = ev->status;
	if (ev->event < ARRAY_SIZE(p->got))
		atomic_inc(&p->got[ev->event]);
	wake_up(&p->wq);
	/* Non-zero would make rdma_cm destroy the id: peer_free() does. */
	return 0;
}

static bool peer_bad(struct peer *p)
{
	return atomic_read(&p->got[RDMA_CM_EVENT_ADDR_ERROR]) ||
	       atomic_read(&p->got[RDMA_CM_EVENT_ROUTE_ERROR]) ||
	       atomic_read(&p->got[RDMA_CM_EVENT_CONNECT_ERROR]) ||
	       atomic_read(&p->got[RDMA_CM_EVENT_UNREACHABLE]) ||
	       atomic_read(&p->got[RDMA_CM_EVENT_REJECTED]) ||
	       atomic_read(&p->got[RDMA_CM_EVENT_DEVICE_REMOVAL]);
}

static bool peer_wait(struct peer *p, enum rdma_cm_event_type type, unsigned int ms)
{
	wait_event_timeout(p->wq, atomic_read(&p->got[type]) || peer_bad(p), msecs_to_jiffies(ms));
	return atomic_read(&p->got[type]) && !peer_bad(p);
}

/* PD, CQ, buffers and the fast-reg MR on dev; peer_free() undoes a part done. */
static int peer_objects(struct peer *p, struct ib_device *dev)
{
	int i;

	p->pd = ib_alloc_pd(dev, 0);
	if (IS_ERR(p->pd))
		return PTR_ERR(p->pd);
	p->cq = ib_alloc_cq(dev, p, 4 * QP_WR, 0, IB_POLL_WORKQUEUE);
	if (IS_ERR(p->cq))
		return PTR_ERR(p->cq);
	for (i = 0; i < 2; i++) {
		p->buf[i] = kzalloc(BUF_LEN, GFP_KERNEL);
		if (!p->buf[i])
			return -ENOMEM;
		p->dma[i] = ib_dma_map_single(dev, p->buf[i], BUF_LEN, DMA_BIDIRECTIONAL);
		if (ib_dma_mapping_error(dev, p->dma[i]))
			return -EIO;
		p->dma_mapped[i] = true;
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

/* The connection's QP, on the PD and CQ of peer_objects(). */
static int peer_qp(struct peer *p)
{
	struct ib_qp_init_attr ia = {
		.qp_type = IB_QPT_RC,
		.sq_sig_type = IB_SIGNAL_REQ_WR,
		.send_cq = p->cq,
		.recv_cq = p->cq,
		.cap = { .max_send_wr = QP_WR,
			 .max_recv_wr = QP_WR,
			 .max_send_sge = 1,
			 .max_recv_sge = 1 },
	};

	/* A client's later try may resolve to another device. */
	if (p->id->device != p->pd->device)
		return -EXDEV;
	return rdma_create_qp(p->id, p->pd, &ia);
}

/* Post one receive of the whole of buf[0]. */
static int peer_recv(struct peer *p)
{
	struct ib_sge s = { .addr = p->dma[0], .length = BUF_LEN, .lkey = p->pd->local_dma_lkey };
	struct ib_recv_wr wr = { .wr_cqe = &p->wr.cqe, .sg_list = &s, .num_sge = 1 };
	const struct ib_recv_wr *bad;

	return wait_arm(&p->wr) ?: ib_post_recv(p->id->qp, &wr, &bad);
}

static int peer_send(struct peer *p, u32 len)
{
	struct ib_sge s = { .addr = p->dma[1], .length = len, .lkey = p->pd->local_dma_lkey };
	struct ib_send_wr wr = { .opcode = IB_WR_SEND, .sg_list = &s, .num_sge = 1 };

	return post_wait_qp(p->id->qp, &wr, &p->ws);
}

/* The server's LOCAL_INV: the rkey the client was given opens nothing any more. */
static int peer_invalidate(struct peer *p)
{
	struct ib_send_wr wr = { .opcode = IB_WR_LOCAL_INV, .ex.invalidate_rkey = p->mr->rkey };
	int err;

	err = post_wait_qp(p->id->qp, &wr, &p->ws);
	if (!err)
		p->mr_live = false;
	return err;
}

/*
 * Whether the connection's QP is in ERR, as a remote access error leaves
 * it on either side (the device moved it; rdma_cm does only at our
 * rdma_disconnect()).
 */
static bool peer_qp_err(struct peer *p)
{
	struct ib_qp_init_attr init;
	struct ib_qp_attr a;

	return !ib_query_qp(p->id->qp, &a, IB_QP_STATE, &init) && a.qp_state == IB_QPS_ERR;
}

/* The server takes no other connection: its listener goes. */
static void peer_unlisten(struct peer *p)
{
	struct rdma_cm_id *listen = p->listen;

	if (!listen)
		return;
	WRITE_ONCE(p->listen, NULL);
	rdma_destroy_id(listen);
}

/*
 * The connection closed both ways, so the peer stops sending and
 * retrying: rdma_disconnect() moves our QP to ERR and sends the DREQ, or
 * the DREP to the peer's; then DISCONNECTED, or WAIT_MS. 0 when it came.
 */
static int peer_disconnect(struct peer *p)
{
	int err = 0;

	if (!p->id || !atomic_read(&p->got[RDMA_CM_EVENT_ESTABLISHED]))
		return -ENOTCONN;
	if (!p->disconnecting) {
		p->disconnecting = true;
		err = rdma_disconnect(p->id);
	}
	wait_event_timeout(p->wq,
			   atomic_read(&p->got[RDMA_CM_EVENT_DISCONNECTED]) ||
				   atomic_read(&p->got[RDMA_CM_EVENT_DEVICE_REMOVAL]),
			   msecs_to_jiffies(WAIT_MS));
	if (err)
		return err;
	return atomic_read(&p->got[RDMA_CM_EVENT_DISCONNECTED]) ? 0 : -ETIMEDOUT;
}

/*
 * The connection's id gone: its QP drained (every WR posted on it
 * flushed, none left pointing at our buffers) and destroyed, then the id,
 * after which its handler is not called again.
 */
static void peer_drop_id(struct peer *p)
{
	struct rdma_cm_id *id = p->id;

	if (!id)
		return;
	if (id->qp) {
		drain_qp(id->qp);
		rdma_destroy_qp(id);
	}
	rdma_destroy_id(id);
	WRITE_ONCE(p->id, NULL);
}

/*
 * Everything, whatever part of it was made, in the order a ULP tears
 * down: no listener to take a new connection; the rkey the client knows
 * invalidated, the connection closed; the QP drained and destroyed and
 * the id with it; only then the MR, the CQ, the buffers the WRs and the
 * MR pointed at, and the PD.
 */
static void peer_free(struct peer *p)
{
	struct ib_device *dev = IS_ERR_OR_NULL(p->pd) ? NULL : p->pd->device;
	int i;

	peer_unlisten(p);
	if (p->mr_live && p->id && p->id->qp && !p->disconnecting)
		peer_invalidate(p);
	peer_disconnect(p);
	peer_drop_id(p);
	if (!IS_ERR_OR_NULL(p->mr))
		ib_dereg_mr(p->mr);
	if (!IS_ERR_OR_NULL(p->cq))
		ib_free_cq(p->cq);
	if (p->sg_mapped)
		ib_dma_unmap_sg(dev, &p->sg, 1, DMA_BIDIRECTIONAL);
	for (i = 0; i < 2; i++) {
		if (p->dma_mapped[i])
			ib_dma_unmap_single(dev, p->dma[i], BUF_LEN, DMA_BIDIRECTIONAL);
		kfree(p->buf[i]);
	}
	if (!IS_ERR_OR_NULL(p->pd))
		ib_dealloc_pd(p->pd);
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
	/* Before any event: the handler takes only its own ids' events. */
	WRITE_ONCE(p->listen, listen);
	err = rdma_bind_addr(listen, (struct sockaddr *)&sin);
	err = err ?: rdma_listen(listen, 1);
	if (!check(!err, "server: listening on port %d (%d)", PEER_PORT, err))
		goto out;
	pr_info("xp_rxe_test: server ready\n");
	if (!check(peer_wait(p, RDMA_CM_EVENT_CONNECT_REQUEST, PEER_CONNECT_MS),
		   "server: a connect request"))
		goto out;
	err = peer_objects(p, p->id->device);
	err = err ?: peer_qp(p);
	if (!check(!err, "server: PD, CQ, QP and a fast-reg MR on %s (%d)",
		   dev_name(&p->id->device->dev), err))
		goto out;
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
		goto out;
	peer_unlisten(p);
	rw.mr = p->mr;
	rw.key = p->mr->rkey;
	/* Live from the post on: even a REG_MR whose wait timed out may have run. */
	p->mr_live = true;
	err = post_wait_qp(p->id->qp, &rw.wr, &p->ws);
	err = err ?: peer_send(p, 16);
	if (!check(!err, "server: REG_MR, then \"ready\" to the client (%d)", err))
		goto out;
	/* The client's first SEND: 4 KiB. */
	/* (Checked in place: buf[1] is the client's to write from now on.) */
	err = wait_for(&p->wr);
	if (!check(!err && p->wr.wc.byte_len == PEER_SEND &&
			   fill_diff(p->buf[0], PEER_SEND, 7) == PEER_SEND,
		   "server: the client's 4 KiB SEND, data checked (%d, %u B)", err,
		   p->wr.wc.byte_len))
		goto out;
	/* Its last SEND: by then its WRITE and fetch-and-add are in our MR. */
	err = peer_recv(p);
	err = err ?: wait_for(&p->wr);
	memcpy(&sum, p->buf[1] + PEER_FADD_OFF, 8);
	diff = fill_diff(p->buf[1], PEER_FADD_OFF, 33);
	if (!check(!err && diff == PEER_FADD_OFF && sum == 12345,
		   "server: the client's WRITE and fetch-and-add are in our MR (%d, first difference at %zu of %d, sum %llu)",
		   err, diff, PEER_FADD_OFF, sum))
		goto out;
	err = peer_invalidate(p);
	if (!check(!err, "server: LOCAL_INV of the MR, its rkey dead for the client (%d)", err))
		goto out;
	/* Now the client tries a WRITE with the rkey it has. */
	err = peer_send(p, 16);
	if (!check(!err, "server: \"invalidated\" to the client (%d)", err))
		goto out;
	check(peer_wait(p, RDMA_CM_EVENT_DISCONNECTED, WAIT_MS), "server: the client disconnects");
	/*
	 * The client disconnects once its WRITE with the stale rkey has
	 * completed, that is once our device has answered it: taken, its
	 * data (another pattern) would be in our buffer by now. Refused, our
	 * QP is in ERR (the responder's remote access error), which the
	 * teardown takes as it is.
	 */
	memcpy(&sum, p->buf[1] + PEER_FADD_OFF, 8);
	diff = fill_diff(p->buf[1], PEER_FADD_OFF, 33);
	check(diff == PEER_FADD_OFF && sum == 12345,
	      "server: our MR as it was, untouched by the client's WRITE with the stale rkey (first difference at %zu of %d, sum %llu; our QP %s)",
	      diff, PEER_FADD_OFF, sum, peer_qp_err(p) ? "in ERR" : "not in ERR");
out:
	/* Our DREP to the client's DREQ, or our DREQ, then the rest. */
	peer_free(p);
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
	struct rdma_cm_id *id;
	long left;
	u64 orig;
	int err, tries = 0;

	if (!check(in4_pton(ip, -1, (u8 *)&sin.sin_addr.s_addr, -1, NULL), "client: peer %s", ip))
		return;
	/* The server may not listen yet: a new id for each try. */
	do {
		if (tries) {
			peer_drop_id(p);
			msleep(500);
		}
		tries++;
		memset(p->got, 0, sizeof(p->got));
		id = rdma_create_id(&init_net, peer_handler, p, RDMA_PS_TCP, IB_QPT_RC);
		if (IS_ERR(id)) {
			err = PTR_ERR(id);
			break;
		}
		/* Before any event: the handler takes only its own ids' events. */
		WRITE_ONCE(p->id, id);
		err = rdma_resolve_addr(id, NULL, (struct sockaddr *)&sin, WAIT_MS);
		if (err || !peer_wait(p, RDMA_CM_EVENT_ADDR_RESOLVED, WAIT_MS)) {
			err = err ?: -EHOSTUNREACH;
			continue;
		}
		err = rdma_resolve_route(id, WAIT_MS);
		if (err || !peer_wait(p, RDMA_CM_EVENT_ROUTE_RESOLVED, WAIT_MS)) {
			err = err ?: -EHOSTUNREACH;
			continue;
		}
		if (!p->pd)
			err = peer_objects(p, id->device);
		err = err ?: peer_qp(p);
		if (err)
			break;
		/* For the server's "ready", which may come right after the accept. */
		err = peer_recv(p);
		err = err ?: rdma_connect(id, &cp);
		if (err)
			continue;
		/*
		 * A server not listening yet refuses at once; a request or
		 * reply lost on the way ib_cm sends again itself. So wait
		 * for the answer to this request, as long as there is time:
		 * another try would be a second request the server refuses.
		 */
		left = (long)(until - jiffies);
		if (peer_wait(p, RDMA_CM_EVENT_ESTABLISHED,
			      max_t(unsigned int, WAIT_MS, left > 0 ? jiffies_to_msecs(left) : 0)))
			break;
		err = -ECONNREFUSED;
	} while (time_before(jiffies, until));
	if (!check(!err && p->id, "client: connected to %s through %s after %d tries (%d)", ip,
		   IS_ERR_OR_NULL(p->pd) ? "-" : dev_name(&p->pd->device->dev), tries, err))
		goto out;
	err = wait_for(&p->wr);
	if (!check(!err && p->wr.wc.byte_len == 16, "client: the server is ready (%d)", err))
		goto out;
	/* SEND 4 KiB. */
	fill(p->buf[1], PEER_SEND, 7);
	err = peer_send(p, PEER_SEND);
	if (!check(!err, "client: a 4 KiB SEND (%d)", err))
		goto out;
	/* WRITE to the server's MR, READ it back. */
	fill(p->buf[1], PEER_FADD_OFF, 33);
	s.addr = p->dma[1];
	s.lkey = p->pd->local_dma_lkey;
	rw.wr.opcode = IB_WR_RDMA_WRITE;
	rw.remote_addr = be64_to_cpu(p->remote.va);
	rw.rkey = be32_to_cpu(p->remote.rkey);
	err = post_wait_qp(p->id->qp, &rw.wr, &p->ws);
	if (!check(!err, "client: a %d B WRITE to the server's MR (%d)", PEER_FADD_OFF, err))
		goto out;
	memset(p->buf[0], 0, BUF_LEN);
	s.addr = p->dma[0];
	rw.wr.opcode = IB_WR_RDMA_READ;
	rw.wr.send_flags = 0;
	err = post_wait_qp(p->id->qp, &rw.wr, &p->ws);
	if (!check(!err && !memcmp(p->buf[0], p->buf[1], PEER_FADD_OFF),
		   "client: READ back, the same bytes (%d)", err))
		goto out;
	/* fetch-and-add on the 8 bytes after it (zero: the server's buffer is new). */
	s.addr = p->dma[0];
	s.length = 8;
	aw.remote_addr = be64_to_cpu(p->remote.va) + PEER_FADD_OFF;
	aw.rkey = be32_to_cpu(p->remote.rkey);
	err = post_wait_qp(p->id->qp, &aw.wr, &p->ws);
	memcpy(&orig, p->buf[0], 8);
	if (!check(!err && orig == 0, "client: fetch-and-add, original 0 (%d, %llu)", err, orig))
		goto out;
	/* The last SEND, with a receive for the server's "invalidated" after it. */
	err = peer_recv(p);
	err = err ?: peer_send(p, 16);
	if (!check(!err, "client: the last SEND (%d)", err))
		goto out;
	err = wait_for(&p->wr);
	if (!check(!err && p->wr.wc.byte_len == 16,
		   "client: the server has invalidated its MR, it says (%d)", err))
		goto out;
	/*
	 * A WRITE with the rkey we still have, now stale: the server's device
	 * NAKs it (Remote Access Error) and moves its QP to ERR; ours
	 * completes it with IB_WC_REM_ACCESS_ERR and goes to ERR too, from
	 * which rdma_disconnect() and the drain go on as ever. Another
	 * pattern than the server's buffer holds: a WRITE let through shows.
	 */
	fill(p->buf[1], PEER_STALE_LEN, 66);
	s.addr = p->dma[1];
	s.length = PEER_STALE_LEN;
	rw.wr.opcode = IB_WR_RDMA_WRITE;
	rw.remote_addr = be64_to_cpu(p->remote.va);
	rw.rkey = be32_to_cpu(p->remote.rkey);
	err = post_wait_qp(p->id->qp, &rw.wr, &p->ws);
	if (!check(err == IB_WC_REM_ACCESS_ERR,
		   "client: a %d B WRITE with the stale rkey %#x refused: %s (%d; our QP %s)",
		   PEER_STALE_LEN, rw.rkey, err < 0 ? "not completed" : ib_wc_status_msg(err), err,
		   peer_qp_err(p) ? "in ERR" : "not in ERR"))
		goto out;
	err = peer_disconnect(p);
	check(!err, "client: disconnected (%d)", err);
out:
	peer_free(p);
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
