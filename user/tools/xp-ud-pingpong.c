// SPDX-License-Identifier: GPL-2.0
/*
 * xp-ud-pingpong: rdma-core's ibv_ud_pingpong, spoken by an xdpath device,
 * so that either end can be the real ibv_ud_pingpong over kernel rxe.
 *
 *	xp-ud-pingpong -i IFACE -g 1 -s 64 -n 100             server
 *	xp-ud-pingpong -i IFACE -g 1 -s 64 -n 100 SERVER      client
 *
 * TCP exchange (port 18515 by default), as ibv_*_pingpong: each side sends
 * "LID:QPN:PSN:GID" ("%04x:%06x:%06x:" and the GID as 32 hex digits, i.e.
 * its 16 bytes in order) as a 52-byte message with its NUL; the client
 * writes first, reads the server's, then writes "done" (5 bytes).
 *
 * Traffic, as ibv_ud_pingpong: SENDs of -s bytes (at most the path MTU)
 * with Q_Key 0x11111111; the client sends, then waits for its send
 * completion and the server's answer before the next send; the server
 * answers each message it receives. Both stop after -n exchanges. Every
 * receive buffer is size + 40 bytes (the GRH first). The real tool's data
 * is its buffer, filled with 0x7b and never changed (received data is
 * 0x7b too), so we send 0x7b and check it comes back.
 *
 * Checked on every receive: status, byte_len == size + 40, src_qp == the
 * peer's QPN, the GRH's source GID == the peer's GID, the payload bytes.
 * A receive that does not come within -t ms fails the run (UD loses a
 * datagram silently, and ibv_ud_pingpong would hang forever).
 *
 * Options as ibv_ud_pingpong's: -p PORT, -d DEV (ignored), -s SIZE,
 * -r RX_DEPTH, -n ITERS, -l SL (ignored), -e (ignored), -g GID_INDEX
 * (default 1: RoCE needs a GID). Ours: -i IFACE (required; ibv_ud_pingpong's
 * -i is the IB port, which must then be given as --ib-port), -t TIMEOUT_MS,
 * -v. Output: ibv_ud_pingpong's lines, then one "xp-ud-pingpong:" line with
 * the device's counters (rx, tx, drops by reason, total drops).
 * Exit status 0 only when all ITERS exchanges passed every check.
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
#include "xp_roce_pkt.h"
#include "lib/rdma_tool.h"

#define UD_QKEY 0x11111111u
#define FILL 0x7b
#define PROG "xp-ud-pingpong"

struct pp {
	struct xp_rdma_dev *dev;
	struct xp_pd *pd;
	struct xp_cq *scq, *rcq;
	struct xp_qp *qp;
	struct xp_mr *rmr, *smr;
	struct xp_ah *ah;
	__u8 *rbuf, *sbuf;
	size_t slot;
	__u32 size, rx_depth, mtu;
	int timeout_ms;
	__u8 gid[16];
	struct xp_pp_dest peer;
	__u32 psn;
	int errors;
};

#define FAIL(p, ...)                                    \
	do {                                            \
		fprintf(stderr, PROG ": " __VA_ARGS__); \
		(p)->errors++;                          \
	} while (0)

static int wait_wc(struct pp *p, struct xp_cq *cq, struct xp_wc *wc)
{
	long long end = rt_now_us() + (long)p->timeout_ms * 1000;
	int n;

	for (;;) {
		n = xp_cq_poll(cq, 1, wc);
		if (n)
			return n < 0 ? n : 0;
		if (xp_rdma_dev_poll(p->dev, 64))
			continue;
		if (rt_now_us() > end)
			return -ETIMEDOUT;
		xp_rdma_dev_wait(p->dev, 10);
	}
}

static int post_recv(struct pp *p, __u32 slot)
{
	__u8 *buf = p->rbuf + slot * p->slot;
	struct xp_sge sge = { .addr = (uintptr_t)buf,
			      .length = p->size + XP_GRH_LEN,
			      .lkey = xp_mr_lkey(p->rmr) };
	struct xp_recv_wr wr = { .wr_id = slot, .sg_list = &sge, .num_sge = 1 }, *bad;

	return xp_qp_post_recv(p->qp, &wr, &bad);
}

static int to_init(struct pp *p)
{
	struct xp_qp_attr a = {
		.qp_state = XP_QPS_INIT, .pkey_index = 0, .port_num = 1, .qkey = UD_QKEY
	};

	return xp_qp_modify(p->qp, &a, XP_QP_STATE | XP_QP_PKEY_INDEX | XP_QP_PORT | XP_QP_QKEY);
}

/* pp_connect_ctx: RTR, RTS with our PSN, and the AH to the peer's GID. */
static int connect_qp(struct pp *p, int gidx)
{
	struct xp_qp_attr a = { .qp_state = XP_QPS_RTR };
	struct xp_ah_attr ah = { .port_num = 1, .sgid_index = gidx, .hop_limit = 1 };
	int err;

	err = xp_qp_modify(p->qp, &a, XP_QP_STATE);
	if (err)
		return err;
	a.qp_state = XP_QPS_RTS;
	a.sq_psn = p->psn;
	err = xp_qp_modify(p->qp, &a, XP_QP_STATE | XP_QP_SQ_PSN);
	if (err)
		return err;
	memcpy(ah.dgid, p->peer.gid, 16);
	p->ah = xp_ah_create(p->dev, &ah);
	return p->ah ? 0 : -errno;
}

static void my_dest(const struct pp *p, struct xp_pp_dest *me)
{
	*me = (struct xp_pp_dest){ .qpn = xp_qp_num(p->qp), .psn = p->psn };
	memcpy(me->gid, p->gid, 16);
}

static int client_exchange(struct pp *p, const char *host, int port, int gidx)
{
	struct xp_pp_dest me;
	int fd, err;

	fd = xp_tcp_connect(host, port, NULL);
	if (fd < 0) {
		fprintf(stderr, PROG ": couldn't connect to %s:%d: %s\n", host, port,
			strerror(-fd));
		return fd;
	}
	my_dest(p, &me);
	err = xp_pp_client_exchange(fd, &me, &p->peer);
	close(fd);
	if (err) {
		fprintf(stderr, PROG ": couldn't read/write remote address: %s\n", strerror(-err));
		return err;
	}
	return connect_qp(p, gidx);
}

static int server_exchange(struct pp *p, int port, int gidx)
{
	struct xp_pp_dest me;
	int lfd, fd, err;

	lfd = xp_tcp_listen(port, NULL);
	if (lfd < 0) {
		fprintf(stderr, PROG ": couldn't listen to port %d: %s\n", port, strerror(-lfd));
		return lfd;
	}
	fprintf(stderr, PROG ": ready, listening on port %d\n", port);
	fd = xp_tcp_accept_fd(lfd, NULL);
	if (fd < 0)
		return fd;
	err = xp_pp_server_recv(fd, &p->peer);
	if (err) {
		fprintf(stderr, PROG ": couldn't read remote address: %s\n", strerror(-err));
		goto out;
	}
	err = connect_qp(p, gidx);
	if (err) {
		fprintf(stderr, PROG ": couldn't connect to remote QP: %s\n", strerror(-err));
		goto out;
	}
	my_dest(p, &me);
	err = xp_pp_server_reply(fd, &me);
	if (err)
		fprintf(stderr, PROG ": couldn't send/recv local address: %s\n", strerror(-err));
out:
	close(fd);
	return err;
}

static int do_send(struct pp *p, __u32 i)
{
	struct xp_sge sge = { .addr = (uintptr_t)p->sbuf,
			      .length = p->size,
			      .lkey = xp_mr_lkey(p->smr) };
	struct xp_send_wr wr = {
		.wr_id = 2,
		.sg_list = &sge,
		.num_sge = 1,
		.opcode = XP_WR_SEND,
		.send_flags = XP_SEND_SIGNALED,
		.ud = { .ah = p->ah, .remote_qpn = p->peer.qpn, .remote_qkey = UD_QKEY },
	}, *bad;
	struct xp_wc wc;
	int err;

	err = xp_qp_post_send(p->qp, &wr, &bad);
	if (err) {
		FAIL(p, "post_send %u: %s\n", i, strerror(-err));
		return err;
	}
	err = wait_wc(p, p->scq, &wc);
	if (err || wc.status != XP_WC_SUCCESS || wc.opcode != XP_WC_SEND) {
		FAIL(p, "send %u: %s\n", i, err ? strerror(-err) : xp_wc_status_str(wc.status));
		return -EIO;
	}
	return 0;
}

static int do_recv(struct pp *p, __u32 i)
{
	struct xp_wc wc;
	__u8 sgid[16], *buf;
	__u32 j;
	int err;

	err = wait_wc(p, p->rcq, &wc);
	if (err) {
		FAIL(p, "exchange %u: no message from the peer in %d ms\n", i, p->timeout_ms);
		return err;
	}
	if (wc.status != XP_WC_SUCCESS || wc.opcode != XP_WC_RECV) {
		FAIL(p, "exchange %u: receive status %s opcode %d\n", i,
		     xp_wc_status_str(wc.status), wc.opcode);
		return -EIO;
	}
	buf = p->rbuf + wc.wr_id * p->slot;
	if (wc.byte_len != p->size + XP_GRH_LEN)
		FAIL(p, "exchange %u: byte_len %u, expected %u + 40\n", i, wc.byte_len, p->size);
	if (wc.src_qp != p->peer.qpn)
		FAIL(p, "exchange %u: src_qp 0x%x, expected 0x%x\n", i, wc.src_qp, p->peer.qpn);
	if (!(wc.wc_flags & XP_WC_GRH) || xp_grh_sgid(buf, sgid) || memcmp(sgid, p->peer.gid, 16))
		FAIL(p, "exchange %u: the GRH does not carry the peer's GID\n", i);
	for (j = 0; j < p->size && j + XP_GRH_LEN < wc.byte_len; j++) {
		if (buf[XP_GRH_LEN + j] != FILL) {
			FAIL(p, "exchange %u: byte %u is 0x%02x, expected 0x%02x\n", i, j,
			     buf[XP_GRH_LEN + j], FILL);
			break;
		}
	}
	memset(buf, 0, p->slot);
	err = post_recv(p, wc.wr_id);
	if (err)
		FAIL(p, "repost receive: %s\n", strerror(-err));
	return p->errors ? -EIO : 0;
}

static int setup(struct pp *p, const char *ifname, int gidx)
{
	struct xp_qp_init_attr qa = {
		.sz = sizeof(qa),
		.qp_type = XP_QPT_UD,
		.cap = { .max_send_wr = 1,
			 .max_recv_wr = p->rx_depth,
			 .max_send_sge = 1,
			 .max_recv_sge = 1 },
	};
	struct xp_cq_opts co = { .sz = sizeof(co), .cqe = p->rx_depth + 1 };
	size_t rlen;
	__u32 i;
	int err;

	p->dev = xp_rdma_dev_open(ifname, NULL);
	if (!p->dev)
		return -errno;
	p->mtu = xp_mtu_to_bytes(xp_rdma_dev_mtu(p->dev));
	if (p->size > p->mtu) {
		fprintf(stderr, PROG ": Requested size larger than port MTU (%u)\n", p->mtu);
		return -EMSGSIZE;
	}
	if (xp_rdma_dev_query_gid(p->dev, gidx, p->gid) ||
	    xp_rdma_dev_find_gid(p->dev, p->gid) < 0) {
		fprintf(stderr, PROG ": could not get local gid for gid index %d\n", gidx);
		return -EINVAL;
	}
	p->slot = (p->size + XP_GRH_LEN + 63) & ~(size_t)63;
	rlen = p->slot * p->rx_depth;
	p->pd = xp_pd_alloc(xp_rdma_dev_mr_table(p->dev));
	p->rbuf = calloc(1, rlen);
	p->sbuf = malloc(p->size + 1);
	p->scq = xp_cq_create(&co);
	p->rcq = xp_cq_create(&co);
	if (!p->pd || !p->rbuf || !p->sbuf || !p->scq || !p->rcq)
		return -ENOMEM;
	memset(p->sbuf, FILL, p->size + 1);
	p->rmr = xp_mr_reg(p->pd, p->rbuf, rlen, XP_ACCESS_LOCAL_WRITE, NULL);
	p->smr = xp_mr_reg(p->pd, p->sbuf, p->size + 1, 0, NULL);
	if (!p->rmr || !p->smr)
		return -errno;
	qa.pd = p->pd;
	qa.send_cq = p->scq;
	qa.recv_cq = p->rcq;
	p->qp = xp_qp_create(p->dev, &qa);
	if (!p->qp)
		return -errno;
	err = to_init(p);
	if (err)
		return err;
	for (i = 0; i < p->rx_depth; i++) {
		err = post_recv(p, i);
		if (err)
			return err;
	}
	return 0;
}

static void teardown(struct pp *p)
{
	xp_ah_destroy(p->ah);
	if (p->qp)
		xp_qp_destroy(p->qp);
	if (p->rmr)
		xp_mr_dereg(p->rmr);
	if (p->smr)
		xp_mr_dereg(p->smr);
	if (p->pd)
		xp_pd_free(p->pd);
	xp_cq_destroy(p->scq);
	xp_cq_destroy(p->rcq);
	if (p->dev)
		xp_rdma_dev_close(p->dev);
	free(p->rbuf);
	free(p->sbuf);
}

static void usage(const char *argv0)
{
	fprintf(stderr,
		"usage: %s -i IFACE [-p PORT] [-s SIZE] [-n ITERS] [-r RX_DEPTH] [-g GIDX]\n"
		"          [-t TIMEOUT_MS] [-d DEV] [-l SL] [-e] [-v] [SERVER]\n",
		argv0);
}

int main(int argc, char **argv)
{
	static const struct option lopts[] = {
		{ .name = "port", .has_arg = 1, .val = 'p' },
		{ .name = "ib-dev", .has_arg = 1, .val = 'd' },
		{ .name = "ib-port", .has_arg = 1, .val = 'P' },
		{ .name = "iface", .has_arg = 1, .val = 'i' },
		{ .name = "size", .has_arg = 1, .val = 's' },
		{ .name = "rx-depth", .has_arg = 1, .val = 'r' },
		{ .name = "iters", .has_arg = 1, .val = 'n' },
		{ .name = "sl", .has_arg = 1, .val = 'l' },
		{ .name = "events", .has_arg = 0, .val = 'e' },
		{ .name = "gid-idx", .has_arg = 1, .val = 'g' },
		{ .name = "timeout", .has_arg = 1, .val = 't' },
		{},
	};
	struct pp p = { .size = 2048, .rx_depth = 500, .timeout_ms = 5000 };
	const char *ifname = NULL, *server = NULL;
	int port = 18515, gidx = 1, opt, err;
	__u32 iters = 1000, i = 0;
	struct xp_pp_dest me;
	long long t0, us;

	rt_prog = PROG;
	while ((opt = getopt_long(argc, argv, "p:d:i:s:r:n:l:eg:t:v", lopts, NULL)) != -1) {
		switch (opt) {
		case 'p':
			port = strtol(optarg, NULL, 0);
			break;
		case 'd':
		case 'l':
		case 'e':
		case 'P':
			break;
		case 'i':
			ifname = optarg;
			break;
		case 's':
			p.size = strtoul(optarg, NULL, 0);
			break;
		case 'r':
			p.rx_depth = strtoul(optarg, NULL, 0);
			break;
		case 'n':
			iters = strtoul(optarg, NULL, 0);
			break;
		case 'g':
			gidx = strtol(optarg, NULL, 0);
			break;
		case 't':
			p.timeout_ms = atoi(optarg);
			break;
		case 'v':
			xp_set_log_level(XP_DEBUG);
			break;
		default:
			usage(argv[0]);
			return 1;
		}
	}
	if (optind == argc - 1)
		server = argv[optind];
	else if (optind < argc) {
		usage(argv[0]);
		return 1;
	}
	if (!ifname || port <= 0 || port > 65535 || gidx < 0 || !p.size || !p.rx_depth ||
	    p.rx_depth > 16384 || !iters || p.timeout_ms <= 0) {
		usage(argv[0]);
		return 1;
	}
	srand48(getpid() * time(NULL));
	p.psn = lrand48() & 0xffffff;

	err = setup(&p, ifname, gidx);
	if (err) {
		fprintf(stderr, PROG ": setup on %s failed: %s\n", ifname, strerror(-err));
		p.errors++;
		goto out;
	}
	my_dest(&p, &me);
	rt_pp_print_dest("local address: ", &me, ':');
	err = server ? client_exchange(&p, server, port, gidx) : server_exchange(&p, port, gidx);
	if (err) {
		FAIL(&p, "exchange with the peer failed: %s\n", strerror(-err));
		goto out;
	}
	rt_pp_print_dest("remote address:", &p.peer, ',');

	t0 = rt_now_us();
	for (i = 0; i < iters; i++) {
		if (server) {
			if (do_send(&p, i) || do_recv(&p, i))
				break;
		} else {
			if (do_recv(&p, i) || do_send(&p, i))
				break;
		}
	}
	us = rt_now_us() - t0;
	if (i == iters) {
		rt_pp_print_result(p.size, iters, us);
	} else {
		FAIL(&p, "%u of %u exchanges done\n", i, iters);
	}
	rt_print_dev_stats(stdout, p.dev, "", true);
out:
	teardown(&p);
	return p.errors ? 1 : 0;
}
