// SPDX-License-Identifier: GPL-2.0
/*
 * xp-rc-pingpong: rdma-core's ibv_rc_pingpong over an xdpath device, so
 * that either end can be the real ibv_rc_pingpong on kernel rxe (or any
 * RoCEv2 NIC).
 *
 *	xp-rc-pingpong -d IFACE -g 1 [-s 4096 -n 1000 -c]             server
 *	xp-rc-pingpong -d IFACE -g 1 [-s 4096 -n 1000 -c] SERVER      client
 *
 * TCP exchange as ibv_*_pingpong (xp_exchange.h, port 18515). The QP is
 * connected with ibv_rc_pingpong's attributes: path MTU -m (1024), timeout
 * 14, retry_cnt 7, rnr_retry 7, min_rnr_timer 12, max_rd_atomic and
 * max_dest_rd_atomic 1, hop limit 1, a random 24-bit PSN.
 *
 * Traffic as ibv_rc_pingpong: rx_depth receives of -s bytes are posted;
 * the client SENDs -s bytes; each side posts its next SEND once its
 * previous SEND completed (was acknowledged) and a message came in; both
 * stop after -n sends and -n receives. The server echoes what it last
 * received, the client sends what -c says:
 *
 *   without -c: bytes of 0x7b, as the real tool (its buffer, never cleared);
 *   with -c:    page-start bytes 0 (what ibv_rc_pingpong -c checks at the
 *               end), the other bytes a pattern of the iteration, checked
 *               byte for byte in the echo. Our server with -c checks every
 *               message: page starts 0 and the rest either our client's
 *               pattern for that iteration or ibv_rc_pingpong -c's 0x7b.
 *
 * Every receive is checked for its length; any completion error, a
 * receive that does not come within --timeout ms, or a miscompare fails
 * the run. At the end the QP's counters (retransmits, timeouts, NAKs ...)
 * and the device's drops go to stderr as one "xp-rc-pingpong:" line each.
 * Exit status 0 only when all ITERS exchanges passed every check.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <net/if.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "xp_exchange.h"
#include "xp_log.h"
#include "xp_neigh.h"
#include "xp_rdma_xsk.h"
#include "xp_roce_pkt.h"
#include "lib/rdma_tool.h"

#define PROG "xp-rc-pingpong"
#define FILL 0x7b
#define RECV_WRID 1
#define SEND_WRID 2
/* After the last exchange, go on answering the peer this long (its last ACK). */
#define LINGER_MS 200
#define MAX_SIZE (1u << 31)

struct pp {
	struct xp_rdma_dev *dev;
	struct xp_pd *pd;
	struct xp_cq *cq;
	struct xp_qp *qp;
	struct xp_mr *rmr, *smr;
	__u8 *rbuf, *sbuf;
	size_t buf_len;
	__u32 size, rx_depth, iters;
	__u32 scnt, rcnt, routs;
	int pending;
	bool server, validate;
	long page;
	int timeout_ms;
	enum xp_mtu mtu;
	enum xp_xsk_mode xsk_mode;
	int gidx;
	struct xp_pp_dest me, peer;
	/* -c: messages the server saw in each pattern, and in both (size 1) */
	__u32 xp_pattern, fill_pattern, either_pattern;
	int errors;
};

#define FAIL(p, ...)                                    \
	do {                                            \
		fprintf(stderr, PROG ": " __VA_ARGS__); \
		(p)->errors++;                          \
	} while (0)

/* Byte j of our client's message i under -c. */
static __u8 pattern(const struct pp *p, __u32 i, __u32 j)
{
	if (!(j % p->page))
		return 0;
	return (__u8)(i * 131 + j * 7 + (j >> 12) + 1);
}

/* ibv_rc_pingpong -c's message: its 0x7b buffer with a 0 at each page start. */
static __u8 rdma_core_chk(const struct pp *p, __u32 j)
{
	return j % p->page ? FILL : 0;
}

static int post_recvs(struct pp *p, __u32 n)
{
	struct xp_sge sge = { .addr = (uintptr_t)p->rbuf,
			      .length = p->size,
			      .lkey = xp_mr_lkey(p->rmr) };
	struct xp_recv_wr wr = { .wr_id = RECV_WRID, .sg_list = &sge, .num_sge = 1 }, *bad;
	__u32 i;

	for (i = 0; i < n; i++)
		if (xp_qp_post_recv(p->qp, &wr, &bad))
			break;
	return i;
}

static int post_send(struct pp *p)
{
	struct xp_sge sge = { .addr = (uintptr_t)p->sbuf,
			      .length = p->size,
			      .lkey = xp_mr_lkey(p->smr) };
	struct xp_send_wr wr = {
		.wr_id = SEND_WRID,
		.sg_list = &sge,
		.num_sge = 1,
		.opcode = XP_WR_SEND,
		.send_flags = XP_SEND_SIGNALED,
	}, *bad;
	__u32 j;
	int err;

	if (p->server) {
		/* The echo: what came in last (ibv_rc_pingpong has one buffer). */
		memcpy(p->sbuf, p->rbuf, p->size);
	} else if (p->validate) {
		for (j = 0; j < p->size; j++)
			p->sbuf[j] = pattern(p, p->scnt, j);
	}
	err = xp_qp_post_send(p->qp, &wr, &bad);
	if (err)
		FAIL(p, "couldn't post send %u: %s\n", p->scnt, strerror(-err));
	return err;
}

/* -c: the message that just came in, received as the rcnt-th. */
static void check_data(struct pp *p)
{
	const __u8 *b = p->rbuf;
	bool xp = true, chk = true;
	__u32 j;

	if (!p->server) {
		/* The server's echo of what we sent, still in sbuf. */
		for (j = 0; j < p->size; j++) {
			if (b[j] != p->sbuf[j]) {
				FAIL(p, "exchange %u: echo byte %u is 0x%02x, sent 0x%02x\n",
				     p->rcnt, j, b[j], p->sbuf[j]);
				return;
			}
		}
		return;
	}
	for (j = 0; j < p->size && (xp || chk); j++) {
		xp = xp && b[j] == pattern(p, p->rcnt, j);
		chk = chk && b[j] == rdma_core_chk(p, j);
	}
	if (xp && chk)
		p->either_pattern++;
	else if (xp)
		p->xp_pattern++;
	else if (chk)
		p->fill_pattern++;
	else if (b[(j - 1) / p->page * p->page])
		FAIL(p, "message %u: invalid data in page %lu (is the client running with -c?)\n",
		     p->rcnt, (j - 1) / p->page);
	else
		FAIL(p,
		     "message %u: byte %u is 0x%02x, expected 0x%02x (xp-rc-pingpong -c) or 0x%02x (ibv_rc_pingpong -c)\n",
		     p->rcnt, j - 1, b[j - 1], pattern(p, p->rcnt, j - 1), rdma_core_chk(p, j - 1));
}

/* parse_single_wc(): count, repost receives, post the next send. */
static int handle_wc(struct pp *p, const struct xp_wc *wc)
{
	__u32 n;

	if (wc->status != XP_WC_SUCCESS) {
		FAIL(p, "Failed status %s (%d) for wr_id %d\n", xp_wc_status_str(wc->status),
		     wc->status, (int)wc->wr_id);
		return -EIO;
	}
	switch (wc->wr_id) {
	case SEND_WRID:
		if (wc->opcode != XP_WC_SEND) {
			FAIL(p, "send completion with opcode %s\n", xp_wc_opcode_str(wc->opcode));
			return -EIO;
		}
		p->scnt++;
		break;
	case RECV_WRID:
		if (wc->opcode != XP_WC_RECV || wc->byte_len != p->size) {
			FAIL(p, "message %u: opcode %s, %u bytes; expected RECV of %u\n", p->rcnt,
			     xp_wc_opcode_str(wc->opcode), wc->byte_len, p->size);
			return -EIO;
		}
		if (p->validate)
			check_data(p);
		if (--p->routs <= 1) {
			n = post_recvs(p, p->rx_depth - p->routs);
			p->routs += n;
			if (p->routs < p->rx_depth) {
				FAIL(p, "Couldn't post receive (%u)\n", p->routs);
				return -EIO;
			}
		}
		p->rcnt++;
		break;
	default:
		FAIL(p, "Completion for unknown wr_id %d\n", (int)wc->wr_id);
		return -EIO;
	}
	p->pending &= ~(int)wc->wr_id;
	if (p->scnt < p->iters && !p->pending) {
		if (post_send(p))
			return -EIO;
		p->pending = RECV_WRID | SEND_WRID;
	}
	return p->errors ? -EIO : 0;
}

static int run(struct pp *p)
{
	long long last = rt_now_us();
	struct xp_wc wc[2];
	int n, i, err;

	p->pending = RECV_WRID;
	if (!p->server) {
		if (post_send(p))
			return -EIO;
		p->pending |= SEND_WRID;
	}
	while (p->rcnt < p->iters || p->scnt < p->iters) {
		n = xp_cq_poll(p->cq, 2, wc);
		if (n < 0) {
			FAIL(p, "poll CQ failed: %s\n", strerror(-n));
			return n;
		}
		for (i = 0; i < n; i++) {
			err = handle_wc(p, &wc[i]);
			if (err)
				return err;
		}
		if (n) {
			last = rt_now_us();
			continue;
		}
		if (xp_rdma_dev_poll(p->dev, 64))
			continue;
		if (p->timeout_ms && rt_now_us() - last > p->timeout_ms * 1000LL) {
			FAIL(p,
			     "nothing completed for %d ms: %u of %u sends and %u receives done; is the peer still there?\n",
			     p->timeout_ms, p->scnt, p->iters, p->rcnt);
			return -ETIMEDOUT;
		}
		xp_rdma_dev_wait(p->dev, 10);
	}
	return 0;
}

/* Keep answering for a while: the peer may still wait for our last ACK. */
static void linger(struct pp *p)
{
	long long end = rt_now_us() + LINGER_MS * 1000LL;

	while (rt_now_us() < end) {
		if (!xp_rdma_dev_poll(p->dev, 64))
			xp_rdma_dev_wait(p->dev, 10);
	}
}

static int connect_qp(struct pp *p)
{
	struct xp_qp_connect_opts opts = {
		.sz = sizeof(opts),
		.path_mtu = p->mtu,
		.timeout = 14,
		.retry_cnt = 7,
		.rnr_retry = 7,
		.min_rnr_timer = 12,
		.max_rd_atomic = 1,
		.max_dest_rd_atomic = 1,
		.hop_limit = 1,
	};
	struct xp_qp_peer peer = {
		.sgid_index = p->gidx,
		.dest_qpn = p->peer.qpn,
		.rq_psn = p->peer.psn,
		.sq_psn = p->me.psn,
	};
	__u32 n;
	int err;

	memcpy(peer.dgid, p->peer.gid, 16);
	err = xp_qp_connect(p->qp, &peer, &opts);
	if (err) {
		fprintf(stderr, PROG ": couldn't connect to the remote QP 0x%06x: %s\n",
			p->peer.qpn, strerror(-err));
		return err;
	}
	/* ibv_rc_pingpong posts before the exchange, in INIT; we are in RTS now. */
	n = post_recvs(p, p->rx_depth);
	p->routs = n;
	if (n < p->rx_depth) {
		fprintf(stderr, PROG ": Couldn't post receive (%u of %u)\n", n, p->rx_depth);
		return -ENOMEM;
	}
	return 0;
}

static int exchange(struct pp *p, const char *host, int port, int wait_ms)
{
	struct xp_tcp_opts topts = { .sz = sizeof(topts), .timeout_ms = wait_ms };
	int fd, err;

	if (host) {
		fd = xp_tcp_connect(host, port, &topts);
		if (fd < 0) {
			fprintf(stderr, PROG ": couldn't connect to %s:%d: %s\n", host, port,
				strerror(-fd));
			return fd;
		}
		err = xp_pp_client_exchange(fd, &p->me, &p->peer);
		close(fd);
		if (err) {
			fprintf(stderr, PROG ": couldn't read/write remote address: %s\n",
				strerror(-err));
			return err;
		}
		return connect_qp(p);
	}
	fd = xp_tcp_listen(port, &topts);
	if (fd < 0) {
		fprintf(stderr, PROG ": couldn't listen to port %d: %s\n", port, strerror(-fd));
		return fd;
	}
	fprintf(stderr, PROG ": ready, listening on port %d\n", port);
	fd = xp_tcp_accept_fd(fd, &topts);
	if (fd < 0) {
		fprintf(stderr, PROG ": no client on port %d: %s\n", port, strerror(-fd));
		return fd;
	}
	err = xp_pp_server_recv(fd, &p->peer);
	if (err) {
		fprintf(stderr, PROG ": couldn't read remote address: %s\n", strerror(-err));
		goto out;
	}
	/* RTR before we answer, so the client's first SEND finds us ready. */
	err = connect_qp(p);
	if (err)
		goto out;
	err = xp_pp_server_reply(fd, &p->me);
	if (err)
		fprintf(stderr, PROG ": couldn't send/recv local address: %s\n", strerror(-err));
out:
	close(fd);
	return err;
}

static void print_gids(const struct pp *p)
{
	char s[INET6_ADDRSTRLEN];
	__u8 gid[16], zero[16] = {};
	__u32 i;

	for (i = 0; i < xp_rdma_dev_gid_tbl_len(p->dev); i++) {
		if (xp_rdma_dev_query_gid(p->dev, i, gid) || !memcmp(gid, zero, 16))
			continue;
		inet_ntop(AF_INET6, gid, s, sizeof(s));
		fprintf(stderr, "  GID %u: %s\n", i, s);
	}
}

static int setup(struct pp *p, const char *ifname, const struct xp_rdma_faults *faults)
{
	struct xp_cq_opts co = { .sz = sizeof(co), .cqe = p->rx_depth + 1 };
	struct xp_qp_init_attr qa = {
		.sz = sizeof(qa),
		.qp_type = XP_QPT_RC,
		.cap = { .max_send_wr = 1,
			 .max_recv_wr = p->rx_depth,
			 .max_send_sge = 1,
			 .max_recv_sge = 1 },
	};
	struct xp_rdma_dev_opts dopts = { .sz = sizeof(dopts), .xsk_mode = p->xsk_mode };
	enum xp_mtu dev_mtu;
	int err;

	p->dev = xp_rdma_dev_open(ifname, &dopts);
	if (!p->dev) {
		err = -errno;
		fprintf(stderr, PROG ": cannot open %s: %s\n", ifname, strerror(-err));
		return err;
	}
	fprintf(stderr, PROG ": device %s: AF_XDP %s mode\n", ifname,
		xp_xsk_mode_str(xp_rdma_dev_xsk_mode(p->dev)));
	dev_mtu = xp_rdma_dev_mtu(p->dev);
	if (p->mtu > dev_mtu) {
		unsigned int netdev_mtu = 0;

		xp_link_info(xp_rdma_dev_ifindex(p->dev), NULL, &netdev_mtu);
		if (xp_mtu_from_netdev(netdev_mtu) >= p->mtu)
			fprintf(stderr,
				PROG
				": path MTU %u is above the active MTU %u of %s, which its netdev MTU %u would allow but AF_XDP here does not (see above); use -m %u\n",
				xp_mtu_to_bytes(p->mtu), xp_mtu_to_bytes(dev_mtu), ifname,
				netdev_mtu, xp_mtu_to_bytes(dev_mtu));
		else
			fprintf(stderr,
				PROG
				": path MTU %u is above the active MTU %u of %s (its netdev MTU less %u); use -m %u or raise the interface MTU to at least %u\n",
				xp_mtu_to_bytes(p->mtu), xp_mtu_to_bytes(dev_mtu), ifname,
				XP_ROCE_HDR_MAX, xp_mtu_to_bytes(dev_mtu),
				xp_mtu_to_bytes(p->mtu) + XP_ROCE_HDR_MAX);
		return -EINVAL;
	}
	if (xp_rdma_dev_query_gid(p->dev, p->gidx, p->me.gid) ||
	    xp_rdma_dev_find_gid(p->dev, p->me.gid) < 0) {
		fprintf(stderr, PROG ": GID index %d of %s is empty; use -g with one of:\n",
			p->gidx, ifname);
		print_gids(p);
		return -EINVAL;
	}
	if (faults->drop_ppm || faults->dup_ppm || faults->reorder_ppm) {
		err = xp_rdma_dev_set_faults(p->dev, faults);
		if (err) {
			fprintf(stderr, PROG ": fault injection refused: %s\n", strerror(-err));
			return err;
		}
	}
	p->buf_len = p->size ? p->size : 1;
	p->rbuf = malloc(p->buf_len);
	p->sbuf = malloc(p->buf_len);
	p->pd = xp_pd_alloc(xp_rdma_dev_mr_table(p->dev));
	p->cq = xp_cq_create(&co);
	if (!p->rbuf || !p->sbuf || !p->pd || !p->cq) {
		fprintf(stderr, PROG ": out of memory for %u-byte buffers\n", p->size);
		return -ENOMEM;
	}
	memset(p->rbuf, FILL, p->buf_len);
	memset(p->sbuf, FILL, p->buf_len);
	p->rmr = xp_mr_reg(p->pd, p->rbuf, p->buf_len, XP_ACCESS_LOCAL_WRITE, NULL);
	p->smr = xp_mr_reg(p->pd, p->sbuf, p->buf_len, 0, NULL);
	if (!p->rmr || !p->smr) {
		err = -errno;
		fprintf(stderr, PROG ": couldn't register MR: %s\n", strerror(-err));
		return err;
	}
	qa.pd = p->pd;
	qa.send_cq = p->cq;
	qa.recv_cq = p->cq;
	p->qp = xp_qp_create(p->dev, &qa);
	if (!p->qp) {
		err = -errno;
		fprintf(stderr, PROG ": couldn't create QP (rx depth %u): %s\n", p->rx_depth,
			strerror(-err));
		return err;
	}
	p->me.qpn = xp_qp_num(p->qp);
	return 0;
}

static void teardown(struct pp *p)
{
	int err = 0;

	if (p->qp)
		err |= xp_qp_destroy(p->qp);
	if (p->rmr)
		err |= xp_mr_dereg(p->rmr);
	if (p->smr)
		err |= xp_mr_dereg(p->smr);
	if (p->pd)
		err |= xp_pd_free(p->pd);
	err |= xp_cq_destroy(p->cq);
	if (p->dev)
		err |= xp_rdma_dev_close(p->dev);
	if (err)
		FAIL(p, "teardown failed\n");
	free(p->rbuf);
	free(p->sbuf);
}

static void print_stats(const struct pp *p)
{
	const struct xp_qp_stats *q = xp_qp_stats(p->qp);

	if (q)
		fprintf(stderr,
			PROG
			": qp 0x%06x: tx %llu rx %llu retransmits %llu timeouts %llu seq_naks %llu/%llu rnr_naks %llu/%llu err_naks %llu acks %llu/%llu dup_responses %llu dup_requests %llu out_of_seq %llu (received/sent)\n",
			xp_qp_num(p->qp), (unsigned long long)q->tx_pkts,
			(unsigned long long)q->rx_pkts, (unsigned long long)q->retransmits,
			(unsigned long long)q->timeouts, (unsigned long long)q->seq_naks_rcvd,
			(unsigned long long)q->seq_naks_sent, (unsigned long long)q->rnr_naks_rcvd,
			(unsigned long long)q->rnr_naks_sent, (unsigned long long)q->err_naks_sent,
			(unsigned long long)q->acks_rcvd, (unsigned long long)q->acks_sent,
			(unsigned long long)q->dup_responses, (unsigned long long)q->dup_requests,
			(unsigned long long)q->out_of_seq);
	rt_print_dev_stats(stderr, p->dev, "device: ", false);
}

static void usage(FILE *f)
{
	fprintf(f,
		"Usage:\n"
		"  " PROG " -d NETDEV [options]          start a server and wait for connection\n"
		"  " PROG " -d NETDEV [options] <host>   connect to server at <host>\n"
		"\n"
		"rdma-core's ibv_rc_pingpong over AF_XDP: RoCEv2 RC on a network interface,\n"
		"interoperable with ibv_rc_pingpong on rdma_rxe or a RoCE NIC.\n"
		"\n"
		"Options (ibv_rc_pingpong's, with their defaults):\n"
		"  -p, --port=<port>      listen on/connect to TCP port <port> (default 18515)\n"
		"  -d, --ib-dev=<netdev>  network interface to use, e.g. eth0: a netdev name, not an\n"
		"                         RDMA device name (required; -i takes it too)\n"
		"  -i, --ib-port=<netdev> the same as -d; a number is taken as ibv_rc_pingpong's\n"
		"                         IB port, and only port 1 exists\n"
		"  -s, --size=<size>      size of message to exchange (default 4096)\n"
		"  -m, --mtu=<size>       path MTU: 256, 512, 1024, 2048 or 4096 (default 1024),\n"
		"                         at most the interface's MTU less 80\n"
		"  -r, --rx-depth=<dep>   number of receives to post at a time (default 500)\n"
		"  -n, --iters=<iters>    number of exchanges (default 1000)\n"
		"  -l, --sl=<sl>          service level 0..15 (accepted; RoCEv2 carries none)\n"
		"  -g, --gid-idx=<index>  local GID index (default 1: the first IPv4 address;\n"
		"                         0 is the IPv6 link-local address)\n"
		"  -c, --chk              validate received buffers (see below)\n"
		"  -N, --new_send         accepted: the same traffic as without it\n"
		"  -e, -o, -O, -P, -t, -j refused: CQ events, on-demand paging, timestamps and\n"
		"                         device memory are not supported\n"
		"\n"
		"Ours:\n"
		"  -w, --wait=<ms>        client: retry a refused TCP connection this long;\n"
		"                         server: give up if no client comes in this time\n"
		"                         (default 0: try once / wait forever, as ibv_rc_pingpong)\n"
		"      --timeout=<ms>     fail when nothing completes for this long (default\n"
		"                         10000; 0 waits forever, as ibv_rc_pingpong)\n"
		"      --drop=<ppm>, --dup=<ppm>, --reorder=<ppm>, --seed=<n>\n"
		"                         inject faults into received frames (parts per million)\n"
		"  -z, --zero-copy        bind the AF_XDP socket in zero-copy mode, or fail\n"
		"      --copy             bind it in copy mode (default: zero-copy where the\n"
		"                         driver has it, else copy; the mode is printed)\n"
		"  -v, --verbose          library debug messages\n"
		"  -h, --help             this text\n"
		"\n"
		"With -c the client sends 0 at each page start (what ibv_rc_pingpong -c checks)\n"
		"and an iteration pattern elsewhere, and checks every echo byte for byte; the\n"
		"server checks every message. The QP's counters and the device's drops are\n"
		"printed on stderr at the end. Exit status 0 only when every exchange passed.\n");
}

/* A number in [min, max] from optarg, or a message naming the option. */
static bool parse_num(const char *opt, const char *arg, unsigned long long min,
		      unsigned long long max, const char *what, unsigned long long *val)
{
	char *end;

	errno = 0;
	*val = strtoull(arg, &end, 0);
	if (!*arg || *end || errno || arg[0] == '-' || *val < min || *val > max) {
		fprintf(stderr, PROG ": %s '%s' is not valid: give %s, %llu..%llu\n", opt, arg,
			what, min, max);
		return false;
	}
	return true;
}

static bool set_iface(const char **ifname, const char *opt, const char *arg)
{
	if (*ifname && strcmp(*ifname, arg)) {
		fprintf(stderr, PROG ": %s %s names another interface than %s; give one\n", opt,
			arg, *ifname);
		return false;
	}
	*ifname = arg;
	return true;
}

enum { OPT_TIMEOUT = 256, OPT_DROP, OPT_DUP, OPT_REORDER, OPT_SEED, OPT_COPY };

int main(int argc, char **argv)
{
	static const struct option lopts[] = {
		{ .name = "port", .has_arg = 1, .val = 'p' },
		{ .name = "ib-dev", .has_arg = 1, .val = 'd' },
		{ .name = "ib-port", .has_arg = 1, .val = 'i' },
		{ .name = "size", .has_arg = 1, .val = 's' },
		{ .name = "mtu", .has_arg = 1, .val = 'm' },
		{ .name = "rx-depth", .has_arg = 1, .val = 'r' },
		{ .name = "iters", .has_arg = 1, .val = 'n' },
		{ .name = "sl", .has_arg = 1, .val = 'l' },
		{ .name = "events", .has_arg = 0, .val = 'e' },
		{ .name = "gid-idx", .has_arg = 1, .val = 'g' },
		{ .name = "odp", .has_arg = 0, .val = 'o' },
		{ .name = "iodp", .has_arg = 0, .val = 'O' },
		{ .name = "prefetch", .has_arg = 0, .val = 'P' },
		{ .name = "ts", .has_arg = 0, .val = 't' },
		{ .name = "chk", .has_arg = 0, .val = 'c' },
		{ .name = "dm", .has_arg = 0, .val = 'j' },
		{ .name = "new_send", .has_arg = 0, .val = 'N' },
		{ .name = "wait", .has_arg = 1, .val = 'w' },
		{ .name = "timeout", .has_arg = 1, .val = OPT_TIMEOUT },
		{ .name = "drop", .has_arg = 1, .val = OPT_DROP },
		{ .name = "dup", .has_arg = 1, .val = OPT_DUP },
		{ .name = "reorder", .has_arg = 1, .val = OPT_REORDER },
		{ .name = "seed", .has_arg = 1, .val = OPT_SEED },
		{ .name = "zero-copy", .has_arg = 0, .val = 'z' },
		{ .name = "copy", .has_arg = 0, .val = OPT_COPY },
		{ .name = "verbose", .has_arg = 0, .val = 'v' },
		{ .name = "help", .has_arg = 0, .val = 'h' },
		{},
	};
	struct pp p = { .size = 4096,
			.rx_depth = 500,
			.iters = 1000,
			.timeout_ms = 10000,
			.mtu = XP_MTU_1024,
			.gidx = 1 };
	struct xp_rdma_faults faults = { .sz = sizeof(faults), .seed = 1 };
	const char *ifname = NULL, *server = NULL;
	unsigned long long v;
	int port = 18515, wait_ms = 0, opt, err;
	long long t0, us;

	rt_prog = PROG;
	while ((opt = getopt_long(argc, argv, "p:d:i:s:m:r:n:l:eg:oOPtcjNw:zvh", lopts, NULL)) !=
	       -1) {
		switch (opt) {
		case 'p':
			if (!parse_num("-p", optarg, 1, 65535, "a TCP port", &v))
				return EXIT_FAILURE;
			port = v;
			break;
		case 'd':
			if (!set_iface(&ifname, "-d", optarg))
				return EXIT_FAILURE;
			break;
		case 'i':
			if (optarg[0] >= '0' && optarg[0] <= '9' && !if_nametoindex(optarg)) {
				if (strcmp(optarg, "1")) {
					fprintf(stderr,
						PROG
						": -i %s: taken as ibv_rc_pingpong's IB port, and only port 1 exists; give the interface with -d\n",
						optarg);
					return EXIT_FAILURE;
				}
				break;
			}
			if (!set_iface(&ifname, "-i", optarg))
				return EXIT_FAILURE;
			break;
		case 's':
			if (!parse_num("-s", optarg, 1, MAX_SIZE, "the message size in bytes", &v))
				return EXIT_FAILURE;
			p.size = v;
			break;
		case 'm':
			p.mtu = xp_mtu_from_bytes(strtoul(optarg, NULL, 0));
			if (!p.mtu || xp_mtu_to_bytes(p.mtu) != strtoul(optarg, NULL, 0)) {
				fprintf(stderr,
					PROG
					": -m %s is not an IB MTU: give 256, 512, 1024, 2048 or 4096\n",
					optarg);
				return EXIT_FAILURE;
			}
			break;
		case 'r':
			if (!parse_num("-r", optarg, 1, XP_CQ_MAX_CQE - 1,
				       "the receive queue depth", &v))
				return EXIT_FAILURE;
			p.rx_depth = v;
			break;
		case 'n':
			if (!parse_num("-n", optarg, 1, INT_MAX, "the number of exchanges", &v))
				return EXIT_FAILURE;
			p.iters = v;
			break;
		case 'l':
			if (!parse_num("-l", optarg, 0, 15, "a service level", &v))
				return EXIT_FAILURE;
			break;
		case 'g':
			if (!parse_num("-g", optarg, 0, XP_RDMA_GID_TBL_LEN - 1, "a GID index", &v))
				return EXIT_FAILURE;
			p.gidx = v;
			break;
		case 'c':
			p.validate = true;
			break;
		case 'N':
			break;
		case 'e':
			fprintf(stderr, PROG
				": -e (sleep on CQ events) is not supported: this tool drives the device itself and sleeps in xp_rdma_dev_wait() between frames; run without -e\n");
			return EXIT_FAILURE;
		case 'o':
		case 'O':
		case 'P':
			fprintf(stderr,
				PROG
				": -%c (on-demand paging) is not supported: our memory regions are registered user memory; run without it\n",
				opt);
			return EXIT_FAILURE;
		case 't':
			fprintf(stderr, PROG
				": -t (completion timestamps) is not supported; run without it (--timeout=MS is our completion timeout)\n");
			return EXIT_FAILURE;
		case 'j':
			fprintf(stderr, PROG
				": -j (device memory) is not supported: there is no device memory; run without it\n");
			return EXIT_FAILURE;
		case 'w':
			if (!parse_num("-w", optarg, 0, INT_MAX, "milliseconds", &v))
				return EXIT_FAILURE;
			wait_ms = v;
			break;
		case OPT_TIMEOUT:
			if (!parse_num("--timeout", optarg, 0, INT_MAX / 1000, "milliseconds", &v))
				return EXIT_FAILURE;
			p.timeout_ms = v;
			break;
		case OPT_DROP:
		case OPT_DUP:
		case OPT_REORDER:
			if (!parse_num(opt == OPT_DROP ? "--drop" :
				       opt == OPT_DUP  ? "--dup" :
							 "--reorder",
				       optarg, 0, 1000000, "parts per million", &v))
				return EXIT_FAILURE;
			if (opt == OPT_DROP)
				faults.drop_ppm = v;
			else if (opt == OPT_DUP)
				faults.dup_ppm = v;
			else
				faults.reorder_ppm = v;
			break;
		case OPT_SEED:
			if (!parse_num("--seed", optarg, 0, ULLONG_MAX, "a number", &v))
				return EXIT_FAILURE;
			faults.seed = v;
			break;
		case 'z':
		case OPT_COPY:
			if (p.xsk_mode &&
			    p.xsk_mode != (opt == 'z' ? XP_XSK_ZEROCOPY : XP_XSK_COPY)) {
				fprintf(stderr,
					PROG ": -z and --copy contradict each other; give one\n");
				return EXIT_FAILURE;
			}
			p.xsk_mode = opt == 'z' ? XP_XSK_ZEROCOPY : XP_XSK_COPY;
			break;
		case 'v':
			xp_set_log_level(XP_DEBUG);
			break;
		case 'h':
			usage(stdout);
			return EXIT_SUCCESS;
		default:
			usage(stderr);
			return EXIT_FAILURE;
		}
	}
	if (optind == argc - 1) {
		server = argv[optind];
	} else if (optind < argc) {
		fprintf(stderr, PROG ": one server name at most; '%s' is extra\n",
			argv[optind + 1]);
		return EXIT_FAILURE;
	}
	if (!ifname) {
		fprintf(stderr, PROG
			": no interface: give -d NETDEV, the network interface to run RoCEv2 on (e.g. -d eth0)\n");
		return EXIT_FAILURE;
	}
	if (!if_nametoindex(ifname)) {
		fprintf(stderr,
			PROG
			": no network interface %s here: -d takes a netdev name (ip link), not an RDMA device name\n",
			ifname);
		return EXIT_FAILURE;
	}
	if ((__u64)faults.drop_ppm + faults.dup_ppm + faults.reorder_ppm > 1000000) {
		fprintf(stderr, PROG ": --drop, --dup and --reorder add up to more than 1000000\n");
		return EXIT_FAILURE;
	}
	p.server = !server;
	p.page = sysconf(_SC_PAGESIZE);
	srand48(getpid() * time(NULL));
	p.me.psn = lrand48() & 0xffffff;

	err = setup(&p, ifname, &faults);
	if (err) {
		p.errors++;
		goto out;
	}
	rt_pp_print_dest("local address: ", &p.me, ',');
	err = exchange(&p, server, port, wait_ms);
	if (err) {
		p.errors++;
		goto out;
	}
	rt_pp_print_dest("remote address:", &p.peer, ',');

	t0 = rt_now_us();
	err = run(&p);
	us = rt_now_us() - t0;
	if (!err) {
		rt_pp_print_result(p.size, p.iters, us);
		fflush(stdout);
		if (p.validate && p.server)
			fprintf(stderr,
				PROG
				": -c: %u messages checked: %u in our client's pattern, %u in ibv_rc_pingpong's, %u fit both\n",
				p.rcnt, p.xp_pattern, p.fill_pattern, p.either_pattern);
		else if (p.validate)
			fprintf(stderr, PROG ": -c: %u echoes checked byte for byte\n", p.rcnt);
		linger(&p);
	} else if (!p.errors) {
		p.errors++;
	}
	print_stats(&p);
out:
	teardown(&p);
	return p.errors ? EXIT_FAILURE : EXIT_SUCCESS;
}
