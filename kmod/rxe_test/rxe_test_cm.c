// SPDX-License-Identifier: GPL-2.0
/*
 * xp_rxe_test, rdma_cm: a listener and a client on the device's IPv4
 * address connect as a kernel ULP does (resolve the address and the
 * route, connect, accept: ib_cm's MADs go through the GSI QP over the
 * loopback path), move a SEND over the connection and disconnect.
 */
#include <linux/in.h>
#include <linux/wait.h>
#include <net/net_namespace.h>
#include <rdma/rdma_cm.h>

#include "rxe_test.h"

#define CM_PORT 7471 /* rping's */
#define CM_LEN 4096
#define CM_EVENTS 32

/* One side's rdma_cm events, counted by type. */
struct cm_side {
	const char *name;
	struct rdma_cm_id *id; /* the connection's; the server's from CONNECT_REQUEST */
	struct rdma_cm_id *listen; /* the server's, until the connection is up */
	wait_queue_head_t wq;
	atomic_t got[CM_EVENTS];
	int status; /* of the last event */
};

static struct cm_side cs_client = { .name = "client" }, cs_server = { .name = "server" };

static int cm_handler(struct rdma_cm_id *id, struct rdma_cm_event *ev)
{
	struct cm_side *s = id->context;

	if (ev->event == RDMA_CM_EVENT_CONNECT_REQUEST) {
		/*
		 * A new id, with the listener's context. The first is the
		 * connection; another (a request retried or repeated) is
		 * refused: rdma_cm destroys a new id whose handler returns
		 * non-zero, so no id is ours but the ones we destroy.
		 */
		if (cmpxchg(&s->id, NULL, id))
			return -ECONNREFUSED;
	} else if (id != READ_ONCE(s->id) && id != READ_ONCE(s->listen)) {
		return 0; /* not one of ours (any more) */
	}
	s->status = ev->status;
	if (ev->event < CM_EVENTS)
		atomic_inc(&s->got[ev->event]);
	wake_up(&s->wq);
	return 0;
}

static bool cm_failed(struct cm_side *s)
{
	return atomic_read(&s->got[RDMA_CM_EVENT_ADDR_ERROR]) ||
	       atomic_read(&s->got[RDMA_CM_EVENT_ROUTE_ERROR]) ||
	       atomic_read(&s->got[RDMA_CM_EVENT_CONNECT_ERROR]) ||
	       atomic_read(&s->got[RDMA_CM_EVENT_UNREACHABLE]) ||
	       atomic_read(&s->got[RDMA_CM_EVENT_REJECTED]) ||
	       atomic_read(&s->got[RDMA_CM_EVENT_DEVICE_REMOVAL]);
}

/* Wait for event type on side s: true when it came (and no failure did). */
static bool cm_wait(struct cm_side *s, enum rdma_cm_event_type type)
{
	wait_event_timeout(s->wq, atomic_read(&s->got[type]) || cm_failed(s),
			   msecs_to_jiffies(WAIT_MS));
	return atomic_read(&s->got[type]) && !cm_failed(s);
}

static struct rdma_cm_id *cm_id(struct cm_side *s)
{
	init_waitqueue_head(&s->wq);
	return rdma_create_id(&init_net, cm_handler, s, RDMA_PS_TCP, IB_QPT_RC);
}

static int cm_qp(struct bed *b, struct rdma_cm_id *id)
{
	struct ib_qp_init_attr ia = {
		.qp_type = IB_QPT_RC,
		.sq_sig_type = IB_SIGNAL_REQ_WR,
		.send_cq = b->cq,
		.recv_cq = b->cq,
		.cap = { .max_send_wr = 4, .max_recv_wr = 4, .max_send_sge = 1, .max_recv_sge = 1 },
	};

	return rdma_create_qp(id, b->pd, &ia);
}

/* An id's end: its QP drained and destroyed, then the id (no event after it). */
static void cm_destroy(struct rdma_cm_id *id)
{
	if (IS_ERR_OR_NULL(id))
		return;
	if (id->qp) {
		drain_qp(id->qp);
		rdma_destroy_qp(id);
	}
	rdma_destroy_id(id);
}

/* A SEND from the client's QP to the server's over the connection. */
static void cm_send(struct bed *b, struct rdma_cm_id *cli, struct rdma_cm_id *srv)
{
	struct ib_sge ss = { .addr = b->dma[0], .length = CM_LEN, .lkey = b->pd->local_dma_lkey };
	struct ib_sge rs = { .addr = b->dma[1], .length = CM_LEN, .lkey = b->pd->local_dma_lkey };
	struct ib_send_wr wr = { .opcode = IB_WR_SEND, .sg_list = &ss, .num_sge = 1 };
	struct ib_recv_wr rwr = { .sg_list = &rs, .num_sge = 1 };
	const struct ib_recv_wr *rbad;
	int err, rerr;

	fill(b->buf[0], CM_LEN, 42);
	memset(b->buf[1], 0, CM_LEN);
	rwr.wr_cqe = &b->wr.cqe;
	err = wait_arm(&b->wr);
	err = err ?: ib_post_recv(srv->qp, &rwr, &rbad);
	rerr = err; /* no receive posted: none to wait for */
	err = err ?: post_wait_qp(cli->qp, &wr, &b->ws);
	rerr = rerr ?: wait_for(&b->wr);
	check(!err && !rerr && b->wr.wc.byte_len == CM_LEN && !memcmp(b->buf[0], b->buf[1], CM_LEN),
	      "rdma_cm: a %d B SEND over the connection (send %d, recv %d)", CM_LEN, err, rerr);
}

void test_cm(struct bed *b)
{
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(CM_PORT) };
	struct rdma_conn_param cp = { .responder_resources = 4,
				      .initiator_depth = 4,
				      .retry_count = 7,
				      .rnr_retry_count = 7 };
	struct rdma_cm_id *listen, *cli;
	int err;

	memcpy(&sin.sin_addr.s_addr, b->gid.raw + 12, 4);
	listen = cm_id(&cs_server);
	cli = cm_id(&cs_client);
	/* Before any event: the handler takes only its own ids' events. */
	WRITE_ONCE(cs_server.listen, IS_ERR(listen) ? NULL : listen);
	WRITE_ONCE(cs_client.id, IS_ERR(cli) ? NULL : cli);
	if (!check(!IS_ERR(listen) && !IS_ERR(cli), "rdma_cm: two ids"))
		goto out;
	err = rdma_bind_addr(listen, (struct sockaddr *)&sin);
	err = err ?: rdma_listen(listen, 4);
	if (!check(!err, "rdma_cm: listening on %pI4:%d (%d)", &sin.sin_addr, CM_PORT, err))
		goto out;
	err = rdma_resolve_addr(cli, NULL, (struct sockaddr *)&sin, WAIT_MS);
	if (!check(!err && cm_wait(&cs_client, RDMA_CM_EVENT_ADDR_RESOLVED) &&
			   cli->device == b->ibdev,
		   "rdma_cm: the address resolves to %s (%d, status %d)", dev_name(&b->ibdev->dev),
		   err, cs_client.status))
		goto out;
	err = rdma_resolve_route(cli, WAIT_MS);
	if (!check(!err && cm_wait(&cs_client, RDMA_CM_EVENT_ROUTE_RESOLVED),
		   "rdma_cm: route resolved (%d, status %d)", err, cs_client.status))
		goto out;
	err = cm_qp(b, cli);
	err = err ?: rdma_connect(cli, &cp);
	if (!check(!err && cm_wait(&cs_server, RDMA_CM_EVENT_CONNECT_REQUEST),
		   "rdma_cm: the listener gets the connect request (ib_cm's REQ through QP1) (%d)",
		   err))
		goto out;
	err = cm_qp(b, cs_server.id);
	err = err ?: rdma_accept(cs_server.id, &cp);
	if (!check(!err && cm_wait(&cs_client, RDMA_CM_EVENT_ESTABLISHED) &&
			   cm_wait(&cs_server, RDMA_CM_EVENT_ESTABLISHED),
		   "rdma_cm: accepted, both sides ESTABLISHED (%d, status %d/%d)", err,
		   cs_client.status, cs_server.status))
		goto out;
	/* One connection: no listener left to take another request. */
	WRITE_ONCE(cs_server.listen, NULL);
	rdma_destroy_id(listen);
	listen = NULL;
	cm_send(b, cli, cs_server.id);
	err = rdma_disconnect(cli);
	check(!err && cm_wait(&cs_server, RDMA_CM_EVENT_DISCONNECTED),
	      "rdma_cm: the server sees the disconnect (ib_cm's DREQ) (%d)", err);
	/* As a ULP does on DISCONNECTED: its own disconnect sends the reply. */
	err = rdma_disconnect(cs_server.id);
	check(!err && cm_wait(&cs_client, RDMA_CM_EVENT_DISCONNECTED),
	      "rdma_cm: the client's disconnect completes (ib_cm's DREP) (%d, status %d)", err,
	      cs_client.status);
out:
	/* The listener first: no new connection while the others go. */
	if (!IS_ERR_OR_NULL(listen))
		rdma_destroy_id(listen);
	cm_destroy(cs_server.id);
	cm_destroy(cli);
}
