// SPDX-License-Identifier: GPL-2.0
/*
 * UD ping-pong over xdpath, driven by test_ud.sh (in the spirit of
 * rdma-core's ibv_ud_pingpong). The server and the client each open an
 * xdpath device on their interface, create a UD QP, post receives, and
 * swap QPNs and GIDs over TCP (xp_exchange.h). Then, for i in 0..N-1,
 * the client sends message i (sizes cycling from 1 byte to the path MTU,
 * SEND and SEND_WITH_IMM alternating, split over two SGEs) and the server
 * checks it and sends it back; both check every completion: status,
 * opcode, byte_len (payload + 40), src_qp, the GRH flag and the source GID
 * in the GRH, the immediate, and the data byte for byte.
 *
 * With -x the client first sends three probes the server must drop and
 * count: one with a wrong Q_Key, one to a QP with no receive posted, and
 * one to a QPN nobody has; the server checks its counters at the end.
 *
 * Usage: ud_pingpong -i IFNAME [-c SERVER_IP] [-p PORT] [-n N] [-g GIDX] [-x]
 * Exit status 0 only when every check passed.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "xp_exchange.h"
#include "xp_log.h"
#include "xp_rdma_xsk.h"

#define QKEY 0x11111111u
#define RQ_DEPTH 16
#define SLOT (XP_GRH_LEN + 4096)
#define TIMEOUT_MS 5000

struct ctx {
	struct xp_rdma_dev *dev;
	struct xp_pd *pd;
	struct xp_cq *scq, *rcq;
	struct xp_qp *qp, *qp_norecv;
	struct xp_mr *rmr, *smr;
	__u8 *rbuf, *sbuf;
	__u32 mtu;
	__u8 gid[16];
	struct xp_ah *ah;
	__u32 peer_qpn, peer_norecv_qpn;
	__u8 peer_gid[16];
	int errors;
};

static const __u32 sizes[] = { 1, 2, 3, 4, 5, 7, 8, 31, 63, 64, 65, 255, 256, 257, 512, 1000, 0 };
#define NSIZES (sizeof(sizes) / sizeof(sizes[0]))

static __u32 msg_size(const struct ctx *c, __u32 i)
{
	__u32 s = sizes[i % NSIZES];

	return !s || s > c->mtu ? c->mtu : s; /* 0: the path MTU */
}

static __u8 pattern(__u32 i, __u32 j)
{
	return (__u8)(i * 131 + j * 7 + (j >> 8) + 1);
}

#define FAIL(c, ...)                                          \
	do {                                                  \
		fprintf(stderr, "ud_pingpong: " __VA_ARGS__); \
		(c)->errors++;                                \
	} while (0)

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* One completion from cq, driving the device meanwhile; -ETIMEDOUT after TIMEOUT_MS. */
static int wait_wc(struct ctx *c, struct xp_cq *cq, struct xp_wc *wc)
{
	long end = now_ms() + TIMEOUT_MS;
	int n;

	for (;;) {
		n = xp_cq_poll(cq, 1, wc);
		if (n)
			return n < 0 ? n : 0;
		if (xp_rdma_dev_poll(c->dev, 64))
			continue;
		if (now_ms() > end)
			return -ETIMEDOUT;
		xp_rdma_dev_wait(c->dev, 10);
	}
}

static int post_recv(struct ctx *c, __u32 slot)
{
	__u8 *buf = c->rbuf + (size_t)slot * SLOT;
	/* Two SGEs split inside the GRH, so the scatter crosses an SGE. */
	struct xp_sge sge[2] = {
		{ .addr = (uintptr_t)buf, .length = 32, .lkey = xp_mr_lkey(c->rmr) },
		{ .addr = (uintptr_t)buf + 32, .length = SLOT - 32, .lkey = xp_mr_lkey(c->rmr) },
	};
	struct xp_recv_wr wr = { .wr_id = slot, .sg_list = sge, .num_sge = 2 }, *bad;

	memset(buf, 0xee, SLOT);
	return xp_qp_post_recv(c->qp, &wr, &bad);
}

static int send_msg(struct ctx *c, __u32 qpn, __u32 qkey, __u32 i, __u32 size, bool imm)
{
	struct xp_sge sge[2] = {
		{ .addr = (uintptr_t)c->sbuf, .length = size / 2, .lkey = xp_mr_lkey(c->smr) },
		{ .addr = (uintptr_t)c->sbuf + size / 2,
		  .length = size - size / 2,
		  .lkey = xp_mr_lkey(c->smr) },
	};
	struct xp_send_wr wr = {
		.wr_id = 1000000 + i,
		.sg_list = sge,
		.num_sge = 2,
		.opcode = imm ? XP_WR_SEND_WITH_IMM : XP_WR_SEND,
		.send_flags = XP_SEND_SIGNALED,
		.imm_data = htonl(0xab000000u | i),
		.ud = { .ah = c->ah, .remote_qpn = qpn, .remote_qkey = qkey },
	}, *bad;
	struct xp_wc wc;
	__u32 j;
	int err;

	for (j = 0; j < size; j++)
		c->sbuf[j] = pattern(i, j);
	err = xp_qp_post_send(c->qp, &wr, &bad);
	if (err) {
		FAIL(c, "post_send %u (%u bytes): %s\n", i, size, strerror(-err));
		return err;
	}
	err = wait_wc(c, c->scq, &wc);
	if (err) {
		FAIL(c, "send %u: no completion: %s\n", i, strerror(-err));
		return err;
	}
	if (wc.status != XP_WC_SUCCESS || wc.opcode != XP_WC_SEND || wc.wr_id != wr.wr_id) {
		FAIL(c, "send %u: completion status %s opcode %d wr_id %llu\n", i,
		     xp_wc_status_str(wc.status), wc.opcode, (unsigned long long)wc.wr_id);
		return -EIO;
	}
	return 0;
}

/* Receive message i and check everything about it. */
static int recv_msg(struct ctx *c, __u32 i)
{
	__u32 size = msg_size(c, i), j;
	bool imm = i & 1;
	struct xp_wc wc;
	__u8 sgid[16], *buf;
	int err;

	err = wait_wc(c, c->rcq, &wc);
	if (err) {
		FAIL(c, "message %u: no receive completion: %s\n", i, strerror(-err));
		return err;
	}
	buf = c->rbuf + (size_t)wc.wr_id * SLOT;
	if (wc.status != XP_WC_SUCCESS || wc.opcode != XP_WC_RECV)
		FAIL(c, "message %u: status %s opcode %d\n", i, xp_wc_status_str(wc.status),
		     wc.opcode);
	if (wc.byte_len != size + XP_GRH_LEN)
		FAIL(c, "message %u: byte_len %u, expected %u + 40\n", i, wc.byte_len, size);
	if (wc.src_qp != c->peer_qpn)
		FAIL(c, "message %u: src_qp %u, expected %u\n", i, wc.src_qp, c->peer_qpn);
	if (wc.qp_num != xp_qp_num(c->qp))
		FAIL(c, "message %u: qp_num %u\n", i, wc.qp_num);
	if (!(wc.wc_flags & XP_WC_GRH))
		FAIL(c, "message %u: no GRH flag\n", i);
	if (xp_grh_sgid(buf, sgid) || memcmp(sgid, c->peer_gid, 16))
		FAIL(c, "message %u: GRH does not carry the peer's GID\n", i);
	if (imm != !!(wc.wc_flags & XP_WC_WITH_IMM) ||
	    (imm && wc.imm_data != htonl(0xab000000u | i)))
		FAIL(c, "message %u: immediate flag %d data 0x%x\n", i,
		     !!(wc.wc_flags & XP_WC_WITH_IMM), ntohl(wc.imm_data));
	for (j = 0; j < size; j++) {
		if (buf[XP_GRH_LEN + j] != pattern(i, j)) {
			FAIL(c, "message %u (%u bytes): byte %u is 0x%02x, expected 0x%02x\n", i,
			     size, j, buf[XP_GRH_LEN + j], pattern(i, j));
			break;
		}
	}
	if (buf[XP_GRH_LEN + size] != 0xee)
		FAIL(c, "message %u: wrote past its end\n", i);
	err = post_recv(c, wc.wr_id);
	if (err)
		FAIL(c, "repost receive: %s\n", strerror(-err));
	return 0;
}

static int to_rts(struct ctx *c, struct xp_qp *qp)
{
	struct xp_qp_attr a = {
		.qp_state = XP_QPS_INIT, .pkey_index = 0, .port_num = 1, .qkey = QKEY
	};
	int err;

	err = xp_qp_modify(qp, &a, XP_QP_STATE | XP_QP_PKEY_INDEX | XP_QP_PORT | XP_QP_QKEY);
	if (err)
		return err;
	a.qp_state = XP_QPS_RTR;
	err = xp_qp_modify(qp, &a, XP_QP_STATE);
	if (err)
		return err;
	a.qp_state = XP_QPS_RTS;
	a.sq_psn = 0x123456;
	return xp_qp_modify(qp, &a, XP_QP_STATE | XP_QP_SQ_PSN);
}

static int setup(struct ctx *c, const char *ifname, int gidx)
{
	struct xp_qp_init_attr qa = {
		.sz = sizeof(qa),
		.qp_type = XP_QPT_UD,
		.cap = { .max_send_wr = 16,
			 .max_recv_wr = RQ_DEPTH,
			 .max_send_sge = 2,
			 .max_recv_sge = 2 },
	};
	struct xp_cq_opts co = { .sz = sizeof(co), .cqe = 2 * RQ_DEPTH };
	size_t rlen = (size_t)RQ_DEPTH * SLOT;
	__u32 i;

	c->dev = xp_rdma_dev_open(ifname, NULL);
	if (!c->dev)
		return -errno;
	c->mtu = xp_mtu_to_bytes(xp_rdma_dev_mtu(c->dev));
	if (xp_rdma_dev_query_gid(c->dev, gidx, c->gid) ||
	    xp_rdma_dev_find_gid(c->dev, c->gid) < 0) {
		fprintf(stderr, "ud_pingpong: GID index %d of %s is empty\n", gidx, ifname);
		return -EINVAL;
	}
	c->pd = xp_pd_alloc(xp_rdma_dev_mr_table(c->dev));
	c->rbuf = calloc(1, rlen);
	c->sbuf = calloc(1, 4096);
	c->scq = xp_cq_create(&co);
	c->rcq = xp_cq_create(&co);
	if (!c->pd || !c->rbuf || !c->sbuf || !c->scq || !c->rcq)
		return -ENOMEM;
	c->rmr = xp_mr_reg(c->pd, c->rbuf, rlen, XP_ACCESS_LOCAL_WRITE, NULL);
	c->smr = xp_mr_reg(c->pd, c->sbuf, 4096, 0, NULL);
	if (!c->rmr || !c->smr)
		return -errno;
	qa.pd = c->pd;
	qa.send_cq = c->scq;
	qa.recv_cq = c->rcq;
	c->qp = xp_qp_create(c->dev, &qa);
	if (!c->qp)
		return -errno;
	c->qp_norecv = xp_qp_create(c->dev, &qa);
	if (!c->qp_norecv)
		return -errno;
	if (to_rts(c, c->qp) || to_rts(c, c->qp_norecv)) {
		fprintf(stderr, "ud_pingpong: cannot bring the QPs to RTS\n");
		return -EINVAL;
	}
	for (i = 0; i < RQ_DEPTH; i++)
		if (post_recv(c, i))
			return -EINVAL;
	return 0;
}

static void teardown(struct ctx *c)
{
	int err = 0;

	xp_ah_destroy(c->ah);
	if (c->qp_norecv)
		err |= xp_qp_destroy(c->qp_norecv);
	if (c->qp)
		err |= xp_qp_destroy(c->qp);
	if (c->rmr)
		err |= xp_mr_dereg(c->rmr);
	if (c->smr)
		err |= xp_mr_dereg(c->smr);
	if (c->pd)
		err |= xp_pd_free(c->pd);
	err |= xp_cq_destroy(c->scq);
	err |= xp_cq_destroy(c->rcq);
	if (c->dev)
		err |= xp_rdma_dev_close(c->dev);
	if (err)
		FAIL(c, "teardown failed\n");
	free(c->rbuf);
	free(c->sbuf);
}

#define EXPECT(c, cond, ...)                  \
	do {                                  \
		if (!(cond))                  \
			FAIL(c, __VA_ARGS__); \
	} while (0)

/* The API refuses what it must, before any traffic. */
static void api_checks(struct ctx *c)
{
	struct xp_qp_init_attr qa = {
		.sz = sizeof(qa),
		.qp_type = XP_QPT_UD,
		.pd = c->pd,
		.send_cq = c->scq,
		.recv_cq = c->rcq,
		.cap = { .max_send_wr = 1, .max_recv_wr = 2, .max_send_sge = 1, .max_recv_sge = 1 },
	};
	struct xp_qp_attr a = { .qp_state = XP_QPS_INIT, .port_num = 1, .qkey = QKEY };
	__u32 lkey = xp_mr_lkey(c->rmr);
	struct xp_sge sge = { .addr = (uintptr_t)c->rbuf, .length = 64, .lkey = lkey };
	struct xp_recv_wr rwr = { .wr_id = 7, .sg_list = &sge, .num_sge = 1 }, *rbad;
	struct xp_send_wr swr = { .sg_list = &sge, .num_sge = 1, .opcode = XP_WR_SEND }, *sbad;
	struct xp_qp *qp;
	__u8 gid[16];
	int err, i;

	EXPECT(c, xp_rdma_dev_query_gid(c->dev, XP_RDMA_GID_TBL_LEN, gid) == -EINVAL,
	       "query_gid past the table accepted\n");
	EXPECT(c, !xp_rdma_dev_query_gid(c->dev, 1, gid) && xp_gid_is_ipv4(gid),
	       "GID 1 is not an IPv4-mapped address\n");
	EXPECT(c, xp_rdma_dev_close(c->dev) == -EBUSY, "device closed with QPs open\n");
	qa.qp_type = XP_QPT_UC;
	EXPECT(c, !xp_qp_create(c->dev, &qa) && errno == EOPNOTSUPP, "UC QP created\n");
	qa.qp_type = XP_QPT_UD;
	qp = xp_qp_create(c->dev, &qa);
	if (!qp) {
		FAIL(c, "third QP: %s\n", strerror(errno));
		return;
	}
	EXPECT(c, xp_qp_post_recv(qp, &rwr, &rbad) == -EINVAL && rbad == &rwr,
	       "post_recv in RESET accepted\n");
	a.qp_state = XP_QPS_RTS;
	EXPECT(c, xp_qp_modify(qp, &a, XP_QP_STATE) == -EINVAL, "RESET -> RTS accepted\n");
	a.qp_state = XP_QPS_INIT;
	EXPECT(c, xp_qp_modify(qp, &a, XP_QP_STATE | XP_QP_PKEY_INDEX) == -EINVAL,
	       "RESET -> INIT without PORT and QKEY accepted\n");
	err = xp_qp_modify(qp, &a, XP_QP_STATE | XP_QP_PKEY_INDEX | XP_QP_PORT | XP_QP_QKEY);
	EXPECT(c, !err, "RESET -> INIT: %s\n", strerror(-err));
	sge.lkey = xp_key_inc(lkey);
	EXPECT(c, xp_qp_post_recv(qp, &rwr, &rbad) == -EINVAL, "stale lkey accepted\n");
	sge.lkey = lkey;
	sge.addr = (uintptr_t)c->rbuf + (size_t)RQ_DEPTH * SLOT - 8;
	EXPECT(c, xp_qp_post_recv(qp, &rwr, &rbad) == -EINVAL, "SGE past the MR accepted\n");
	sge.addr = (uintptr_t)c->rbuf;
	sge.lkey = xp_mr_lkey(c->smr);
	sge.addr = (uintptr_t)c->sbuf;
	EXPECT(c, xp_qp_post_recv(qp, &rwr, &rbad) == -EINVAL,
	       "receive into an MR without LOCAL_WRITE accepted\n");
	sge.lkey = lkey;
	sge.addr = (uintptr_t)c->rbuf;
	rwr.num_sge = 2;
	EXPECT(c, xp_qp_post_recv(qp, &rwr, &rbad) == -EINVAL, "2 SGEs over max_recv_sge 1\n");
	rwr.num_sge = 1;
	for (i = 0; i < 2; i++)
		EXPECT(c, !xp_qp_post_recv(qp, &rwr, &rbad), "post_recv %d refused\n", i);
	EXPECT(c, xp_qp_post_recv(qp, &rwr, &rbad) == -ENOMEM, "post_recv into a full RQ\n");
	EXPECT(c, xp_qp_post_send(qp, &swr, &sbad) == -EINVAL && sbad == &swr,
	       "post_send in INIT accepted\n");
	a.qp_state = XP_QPS_ERR;
	EXPECT(c, !xp_qp_modify(qp, &a, XP_QP_STATE), "INIT -> ERR refused\n");
	for (i = 0; i < 2; i++) {
		struct xp_wc wc;

		EXPECT(c,
		       xp_cq_poll(c->rcq, 1, &wc) == 1 && wc.status == XP_WC_WR_FLUSH_ERR &&
			       wc.wr_id == 7,
		       "receive %d not flushed\n", i);
	}
	EXPECT(c, !xp_qp_destroy(qp), "destroy the third QP\n");
}

/* post_send refuses a message over the path MTU (needs the AH). */
static void mtu_check(struct ctx *c)
{
	struct xp_sge sge = { .addr = (uintptr_t)c->sbuf,
			      .length = c->mtu + 1,
			      .lkey = xp_mr_lkey(c->smr) };
	struct xp_send_wr wr = {
		.sg_list = &sge, .num_sge = 1, .opcode = XP_WR_SEND,
		.ud = { .ah = c->ah, .remote_qpn = c->peer_qpn, .remote_qkey = QKEY },
	}, *bad;

	EXPECT(c, xp_qp_post_send(c->qp, &wr, &bad) == -EINVAL,
	       "a %u-byte UD message over path MTU %u accepted\n", c->mtu + 1, c->mtu);
}

/*
 * Two pingpong messages each way (xp_exchange.h): the echoing QP's, then the
 * no-receive QP's. Both ends write first, then read.
 */
static int exchange(struct ctx *c, int fd)
{
	struct xp_pp_dest me = { .qpn = xp_qp_num(c->qp) }, peer;
	char msg[2][XP_PP_MSG_LEN];
	int err;

	memcpy(me.gid, c->gid, 16);
	xp_pp_dest_format(&me, msg[0]);
	me.qpn = xp_qp_num(c->qp_norecv);
	xp_pp_dest_format(&me, msg[1]);
	err = xp_tcp_write_all(fd, msg, sizeof(msg));
	if (!err)
		err = xp_tcp_read_all(fd, msg, sizeof(msg));
	if (!err)
		err = xp_pp_dest_parse(msg[1], &peer);
	if (err)
		return err;
	c->peer_norecv_qpn = peer.qpn;
	err = xp_pp_dest_parse(msg[0], &peer);
	if (err)
		return err;
	c->peer_qpn = peer.qpn;
	memcpy(c->peer_gid, peer.gid, 16);
	return 0;
}

/*
 * The client retries a refused connection until the server listens; the
 * server waits for it a little longer.
 */
static int tcp_connect(const char *ip, int port)
{
	struct xp_tcp_opts opts = { .sz = sizeof(opts), .timeout_ms = TIMEOUT_MS };
	int lfd;

	if (ip)
		return xp_tcp_connect(ip, port, &opts);
	opts.timeout_ms = 4 * TIMEOUT_MS;
	lfd = xp_tcp_listen(port, &opts);
	if (lfd < 0)
		return lfd;
	fprintf(stderr, "ud_pingpong: ready\n");
	return xp_tcp_accept_fd(lfd, &opts);
}

int main(int argc, char **argv)
{
	const char *ifname = NULL, *server_ip = NULL;
	int port = 18516, gidx = 1, fd, opt, err;
	__u32 n = 100, i;
	bool probes = false;
	struct ctx c = {};
	struct xp_ah_attr ah = { .port_num = 1 };
	const struct xp_rdma_dev_stats *st;

	while ((opt = getopt(argc, argv, "i:c:p:n:g:xv")) != -1) {
		switch (opt) {
		case 'i':
			ifname = optarg;
			break;
		case 'c':
			server_ip = optarg;
			break;
		case 'p':
			port = atoi(optarg);
			break;
		case 'n':
			n = strtoul(optarg, NULL, 0);
			break;
		case 'g':
			gidx = atoi(optarg);
			break;
		case 'x':
			probes = true;
			break;
		case 'v':
			xp_set_log_level(XP_DEBUG);
			break;
		default:
			fprintf(stderr,
				"usage: %s -i IFNAME [-c SERVER_IP] [-p PORT] [-n N] [-g GIDX] [-x]\n",
				argv[0]);
			return EXIT_FAILURE;
		}
	}
	if (!ifname) {
		fprintf(stderr, "ud_pingpong: -i IFNAME is required\n");
		return EXIT_FAILURE;
	}
	err = setup(&c, ifname, gidx);
	if (err) {
		fprintf(stderr, "ud_pingpong: setup on %s failed: %s\n", ifname, strerror(-err));
		c.errors++;
		goto out;
	}
	api_checks(&c);
	fd = tcp_connect(server_ip, port);
	if (fd < 0) {
		FAIL(&c, "TCP handshake: %s\n", strerror(-fd));
		goto out;
	}
	err = exchange(&c, fd);
	if (err) {
		FAIL(&c, "QP exchange: %s\n", strerror(-err));
		goto out_fd;
	}
	memcpy(ah.dgid, c.peer_gid, 16);
	ah.sgid_index = gidx;
	c.ah = xp_ah_create(c.dev, &ah);
	if (!c.ah) {
		FAIL(&c, "address handle: %s\n", strerror(errno));
		goto out_fd;
	}
	mtu_check(&c);
	fprintf(stderr, "ud_pingpong: %s QPN %u, peer QPN %u, path MTU %u\n",
		server_ip ? "client" : "server", xp_qp_num(c.qp), c.peer_qpn, c.mtu);

	if (server_ip && probes) {
		send_msg(&c, c.peer_qpn, QKEY ^ 0x1, 0xdead, 16, false); /* wrong Q_Key */
		send_msg(&c, c.peer_norecv_qpn, QKEY, 0xdead, 16, false); /* no receive */
		send_msg(&c, 0xfffff0, QKEY, 0xdead, 16, false); /* no such QP */
	}
	for (i = 0; i < n && !c.errors; i++) {
		if (server_ip) {
			if (send_msg(&c, c.peer_qpn, i & 2 ? 0x80000000u : QKEY, i, msg_size(&c, i),
				     i & 1))
				break;
			recv_msg(&c, i);
		} else {
			if (recv_msg(&c, i))
				break;
			send_msg(&c, c.peer_qpn, QKEY, i, msg_size(&c, i), i & 1);
		}
	}
	/* Tell the server we are done only after the last echo arrived. */
	if (server_ip) {
		if (xp_tcp_write_all(fd, "done", 4))
			FAIL(&c, "cannot send done\n");
	} else {
		char buf[4];

		if (xp_tcp_read_all(fd, buf, 4))
			FAIL(&c, "no done from the client\n");
	}
	st = xp_rdma_dev_stats(c.dev);
	if (!server_ip && probes) {
		if (st->rx_drops[XP_RDMA_DROP_QKEY] != 1)
			FAIL(&c, "Q_Key drops %llu, expected 1\n",
			     (unsigned long long)st->rx_drops[XP_RDMA_DROP_QKEY]);
		if (st->rx_drops[XP_RDMA_DROP_NO_RECV] != 1)
			FAIL(&c, "no-receive drops %llu, expected 1\n",
			     (unsigned long long)st->rx_drops[XP_RDMA_DROP_NO_RECV]);
		if (st->rx_drops[XP_RDMA_DROP_NO_QP] != 1)
			FAIL(&c, "no-QP drops %llu, expected 1\n",
			     (unsigned long long)st->rx_drops[XP_RDMA_DROP_NO_QP]);
	}
	printf("%s: %u messages, rx %llu tx %llu, drops qkey %llu no_recv %llu no_qp %llu dgid %llu, %d errors\n",
	       server_ip ? "client" : "server", i, (unsigned long long)st->rx_frames,
	       (unsigned long long)st->tx_frames,
	       (unsigned long long)st->rx_drops[XP_RDMA_DROP_QKEY],
	       (unsigned long long)st->rx_drops[XP_RDMA_DROP_NO_RECV],
	       (unsigned long long)st->rx_drops[XP_RDMA_DROP_NO_QP],
	       (unsigned long long)st->rx_drops[XP_RDMA_DROP_DGID], c.errors);
	if (i != n)
		c.errors++;
out_fd:
	close(fd);
out:
	teardown(&c);
	return c.errors ? EXIT_FAILURE : EXIT_SUCCESS;
}
