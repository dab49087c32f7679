// SPDX-License-Identifier: GPL-2.0
/*
 * rxe_imm: the verbs operations no Debian 12 tool sends, for capturing
 * them from kernel rdma_rxe (tests/vm/capture_rxe.sh): SEND and RDMA WRITE
 * with immediate data, SEND with invalidate (of a type 2 memory window the
 * server bound), and a UD SEND with immediate. Built on the host against
 * libibverbs, run in the guests:
 *
 *   server:  rxe_imm [-d DEV] [-g GIDX] [-p PORT]
 *   client:  rxe_imm [-d DEV] [-g GIDX] [-p PORT] SERVER
 *
 * QP numbers, PSNs, addresses and keys go over TCP as one text line each
 * way. Both sides print "local address: ... QPN 0x..." and "remote
 * address: ..." lines like ibv_rc_pingpong. The server checks that every
 * message arrived with its immediate data or invalidated key.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <netdb.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <infiniband/verbs.h>

#define BUF_SIZE 16384
#define MTU IBV_MTU_1024
#define SMALL 5 /* one packet, pad 3 */
#define LARGE 2501 /* FIRST, MIDDLE, LAST of 453 bytes + pad 3 */
#define GRH_LEN 40
#define UD_QKEY 0x11111111u

/* The immediate values, as they must appear on the wire. */
#define IMM_SEND_SMALL 0x11223344u
#define IMM_SEND_LARGE 0x55667788u
#define IMM_WRITE_SMALL 0x99aabbccu
#define IMM_WRITE_LARGE 0xddeeff00u
#define IMM_UD 0x0badcafeu

/* What the server expects, in order; the client sends the same list. */
struct step {
	const char *what;
	enum ibv_wr_opcode op;
	unsigned int len;
	__u32 imm; /* immediate data, or which MW (1, 2) to invalidate */
	bool ud;
};

static const struct step steps[] = {
	{ "SEND with immediate, 5 bytes", IBV_WR_SEND_WITH_IMM, SMALL, IMM_SEND_SMALL },
	{ "SEND with immediate, 2501 bytes", IBV_WR_SEND_WITH_IMM, LARGE, IMM_SEND_LARGE },
	{ "RDMA WRITE with immediate, 5 bytes", IBV_WR_RDMA_WRITE_WITH_IMM, SMALL,
	  IMM_WRITE_SMALL },
	{ "RDMA WRITE with immediate, 2501 bytes", IBV_WR_RDMA_WRITE_WITH_IMM, LARGE,
	  IMM_WRITE_LARGE },
	{ "SEND with invalidate, 5 bytes", IBV_WR_SEND_WITH_INV, SMALL, 1 },
	{ "SEND with invalidate, 2501 bytes", IBV_WR_SEND_WITH_INV, LARGE, 2 },
	{ "UD SEND with immediate, 5 bytes", IBV_WR_SEND_WITH_IMM, SMALL, IMM_UD, true },
};
#define N_STEPS (sizeof(steps) / sizeof(steps[0]))

struct peer {
	__u32 qpn, ud_qpn, psn;
	union ibv_gid gid;
	__u64 addr;
	__u32 rkey;
	__u32 mw_rkey[2];
};

struct ctx {
	struct ibv_context *dev;
	struct ibv_pd *pd;
	struct ibv_cq *cq;
	struct ibv_mr *mr;
	struct ibv_qp *qp, *ud;
	struct ibv_mw *mw[2];
	struct ibv_ah *ah;
	__u8 *buf;
	int gidx;
	struct peer me, them;
};

static const char *prog = "rxe_imm";

static void die(const char *what, int err)
{
	fprintf(stderr, "%s: %s: %s\n", prog, what, strerror(err));
	exit(1);
}

static void gid_text(const union ibv_gid *g, char *s)
{
	int i;

	for (i = 0; i < 16; i++)
		sprintf(s + 2 * i, "%02x", g->raw[i]);
}

static int gid_parse(const char *s, union ibv_gid *g)
{
	unsigned int v;
	int i;

	if (strlen(s) != 32)
		return -1;
	for (i = 0; i < 16; i++) {
		if (sscanf(s + 2 * i, "%2x", &v) != 1)
			return -1;
		g->raw[i] = (__u8)v;
	}
	return 0;
}

static void print_peer(const char *side, const struct peer *p)
{
	char gid[INET6_ADDRSTRLEN];

	inet_ntop(AF_INET6, p->gid.raw, gid, sizeof(gid));
	printf("%s address: QPN 0x%06x, PSN 0x%06x, GID %s, rkey 0x%08x\n", side, p->qpn, p->psn,
	       gid, p->rkey);
	printf("%s address: QPN 0x%06x (UD)\n", side, p->ud_qpn);
}

/* --- TCP: one line of text each way ------------------------------------- */

static int tcp_connect(const char *host, const char *port, bool server)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *res, *a;
	int fd = -1, one = 1, lfd;

	if (server)
		hints.ai_flags = AI_PASSIVE;
	if (getaddrinfo(host, port, &hints, &res))
		die("getaddrinfo", EINVAL);
	for (a = res; a; a = a->ai_next) {
		fd = socket(a->ai_family, a->ai_socktype, a->ai_protocol);
		if (fd < 0)
			continue;
		if (!server && !connect(fd, a->ai_addr, a->ai_addrlen))
			break;
		if (server) {
			setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
			if (!bind(fd, a->ai_addr, a->ai_addrlen) && !listen(fd, 1))
				break;
		}
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	if (fd < 0)
		die(server ? "listen" : "connect", errno);
	if (!server)
		return fd;
	lfd = fd;
	fd = accept(lfd, NULL, NULL);
	close(lfd);
	if (fd < 0)
		die("accept", errno);
	return fd;
}

static void send_line(int fd, const char *s)
{
	size_t n = strlen(s) + 1;

	if (write(fd, s, n) != (ssize_t)n)
		die("write to the peer", errno ? errno : EIO);
}

static void recv_line(int fd, char *s, size_t size)
{
	size_t n = 0;
	ssize_t r;

	while (n < size) {
		r = read(fd, s + n, 1);
		if (r <= 0)
			die("read from the peer", r ? errno : ECONNRESET);
		if (!s[n])
			return;
		n++;
	}
	die("read from the peer: line too long", E2BIG);
}

static void exchange(int fd, struct ctx *c, bool server)
{
	char line[256], gid[33];
	struct peer *t = &c->them;
	unsigned long long addr;

	gid_text(&c->me.gid, gid);
	snprintf(line, sizeof(line), "%06x %06x %06x %s %016llx %08x", c->me.qpn, c->me.ud_qpn,
		 c->me.psn, gid, (unsigned long long)c->me.addr, c->me.rkey);
	if (!server)
		send_line(fd, line);
	recv_line(fd, line, sizeof(line));
	if (sscanf(line, "%x %x %x %32s %llx %x", &t->qpn, &t->ud_qpn, &t->psn, gid, &addr,
		   &t->rkey) != 6 ||
	    gid_parse(gid, &t->gid))
		die("the peer's line does not parse", EPROTO);
	t->addr = addr;
	if (server) {
		gid_text(&c->me.gid, gid);
		snprintf(line, sizeof(line), "%06x %06x %06x %s %016llx %08x", c->me.qpn,
			 c->me.ud_qpn, c->me.psn, gid, (unsigned long long)c->me.addr, c->me.rkey);
		send_line(fd, line);
	}
}

/* --- verbs -------------------------------------------------------------- */

static void setup(struct ctx *c, const char *name)
{
	struct ibv_qp_init_attr qa = {
		.cap = { .max_send_wr = 16,
			 .max_recv_wr = 16,
			 .max_send_sge = 1,
			 .max_recv_sge = 1 },
		.qp_type = IBV_QPT_RC,
	};
	struct ibv_device **list;
	int i, n, err;

	list = ibv_get_device_list(&n);
	if (!list)
		die("ibv_get_device_list", errno);
	for (i = 0; i < n; i++)
		if (!name || !strcmp(ibv_get_device_name(list[i]), name))
			break;
	if (i == n)
		die(name ? name : "no RDMA device", ENODEV);
	c->dev = ibv_open_device(list[i]);
	ibv_free_device_list(list);
	if (!c->dev)
		die("ibv_open_device", errno);
	c->pd = ibv_alloc_pd(c->dev);
	c->cq = ibv_create_cq(c->dev, 64, NULL, NULL, 0);
	c->buf = aligned_alloc(4096, BUF_SIZE);
	if (!c->pd || !c->cq || !c->buf)
		die("PD, CQ or buffer", errno);
	memset(c->buf, 0x5a, BUF_SIZE);
	c->mr = ibv_reg_mr(c->pd, c->buf, BUF_SIZE,
			   IBV_ACCESS_LOCAL_WRITE | IBV_ACCESS_REMOTE_WRITE |
				   IBV_ACCESS_REMOTE_READ | IBV_ACCESS_MW_BIND);
	if (!c->mr)
		die("ibv_reg_mr", errno);
	qa.send_cq = qa.recv_cq = c->cq;
	c->qp = ibv_create_qp(c->pd, &qa);
	qa.qp_type = IBV_QPT_UD;
	c->ud = ibv_create_qp(c->pd, &qa);
	if (!c->qp || !c->ud)
		die("ibv_create_qp", errno);
	err = ibv_query_gid(c->dev, 1, c->gidx, &c->me.gid);
	if (err)
		die("ibv_query_gid", err);
	c->me.qpn = c->qp->qp_num;
	c->me.ud_qpn = c->ud->qp_num;
	c->me.psn = (__u32)getpid() * 2654435761u & 0xffffff;
	c->me.addr = (uintptr_t)c->buf;
	c->me.rkey = c->mr->rkey;
}

static void to_init(struct ctx *c)
{
	struct ibv_qp_attr a = {
		.qp_state = IBV_QPS_INIT,
		.port_num = 1,
		.qp_access_flags = IBV_ACCESS_REMOTE_WRITE | IBV_ACCESS_REMOTE_READ,
	};
	int err;

	err = ibv_modify_qp(c->qp, &a,
			    IBV_QP_STATE | IBV_QP_PKEY_INDEX | IBV_QP_PORT | IBV_QP_ACCESS_FLAGS);
	if (err)
		die("RC QP to INIT", err);
	a.qkey = UD_QKEY;
	err = ibv_modify_qp(c->ud, &a,
			    IBV_QP_STATE | IBV_QP_PKEY_INDEX | IBV_QP_PORT | IBV_QP_QKEY);
	if (err)
		die("UD QP to INIT", err);
}

static void to_rts(struct ctx *c)
{
	struct ibv_qp_attr a = {
		.qp_state = IBV_QPS_RTR,
		.path_mtu = MTU,
		.dest_qp_num = c->them.qpn,
		.rq_psn = c->them.psn,
		.max_dest_rd_atomic = 1,
		.min_rnr_timer = 12,
		.ah_attr = {
			.is_global = 1,
			.grh = { .dgid = c->them.gid, .sgid_index = (__u8)c->gidx, .hop_limit = 64 },
			.port_num = 1,
		},
	};
	int err;

	err = ibv_modify_qp(c->qp, &a,
			    IBV_QP_STATE | IBV_QP_AV | IBV_QP_PATH_MTU | IBV_QP_DEST_QPN |
				    IBV_QP_RQ_PSN | IBV_QP_MAX_DEST_RD_ATOMIC |
				    IBV_QP_MIN_RNR_TIMER);
	if (err)
		die("RC QP to RTR", err);
	a.qp_state = IBV_QPS_RTS;
	a.timeout = 14;
	a.retry_cnt = 7;
	a.rnr_retry = 7;
	a.sq_psn = c->me.psn;
	a.max_rd_atomic = 1;
	err = ibv_modify_qp(c->qp, &a,
			    IBV_QP_STATE | IBV_QP_TIMEOUT | IBV_QP_RETRY_CNT | IBV_QP_RNR_RETRY |
				    IBV_QP_SQ_PSN | IBV_QP_MAX_QP_RD_ATOMIC);
	if (err)
		die("RC QP to RTS", err);

	memset(&a, 0, sizeof(a));
	a.qp_state = IBV_QPS_RTR;
	err = ibv_modify_qp(c->ud, &a, IBV_QP_STATE);
	if (err)
		die("UD QP to RTR", err);
	a.qp_state = IBV_QPS_RTS;
	a.sq_psn = c->me.psn;
	err = ibv_modify_qp(c->ud, &a, IBV_QP_STATE | IBV_QP_SQ_PSN);
	if (err)
		die("UD QP to RTS", err);
}

static struct ibv_wc wait_wc(struct ctx *c, const char *what)
{
	struct ibv_wc wc;
	int n;

	do
		n = ibv_poll_cq(c->cq, 1, &wc);
	while (n == 0);
	if (n < 0)
		die("ibv_poll_cq", EIO);
	if (wc.status != IBV_WC_SUCCESS) {
		fprintf(stderr, "%s: %s: completion status %s\n", prog, what,
			ibv_wc_status_str(wc.status));
		exit(1);
	}
	return wc;
}

static void post_recv(struct ctx *c, struct ibv_qp *qp, unsigned int i)
{
	struct ibv_sge sge = {
		.addr = (uintptr_t)c->buf + 4096 * (i % 2),
		.length = 4096,
		.lkey = c->mr->lkey,
	};
	struct ibv_recv_wr wr = { .wr_id = i, .sg_list = &sge, .num_sge = 1 }, *bad;
	int err;

	err = ibv_post_recv(qp, &wr, &bad);
	if (err)
		die("ibv_post_recv", err);
}

/* Bind two type 2 memory windows to the first 4 KiB of the buffer. */
static void bind_windows(struct ctx *c)
{
	struct ibv_send_wr wr, *bad;
	int i, err;

	for (i = 0; i < 2; i++) {
		c->mw[i] = ibv_alloc_mw(c->pd, IBV_MW_TYPE_2);
		if (!c->mw[i])
			die("ibv_alloc_mw (type 2)", errno);
		memset(&wr, 0, sizeof(wr));
		wr.wr_id = 100 + i;
		wr.opcode = IBV_WR_BIND_MW;
		wr.send_flags = IBV_SEND_SIGNALED;
		wr.bind_mw.mw = c->mw[i];
		wr.bind_mw.rkey = ibv_inc_rkey(c->mw[i]->rkey);
		wr.bind_mw.bind_info.mr = c->mr;
		wr.bind_mw.bind_info.addr = (uintptr_t)c->buf;
		wr.bind_mw.bind_info.length = 4096;
		wr.bind_mw.bind_info.mw_access_flags = IBV_ACCESS_REMOTE_WRITE;
		err = ibv_post_send(c->qp, &wr, &bad);
		if (err)
			die("ibv_post_send (bind a memory window)", err);
		wait_wc(c, "memory window bind");
		c->me.mw_rkey[i] = wr.bind_mw.rkey;
	}
}

static void server(struct ctx *c, int fd)
{
	char line[64];
	unsigned int i;

	for (i = 0; i < N_STEPS; i++)
		post_recv(c, steps[i].ud ? c->ud : c->qp, i);
	exchange(fd, c, true);
	print_peer("remote", &c->them);
	/* binding needs an RTS QP: the window keys go in a second line */
	to_rts(c);
	bind_windows(c);
	snprintf(line, sizeof(line), "%08x %08x", c->me.mw_rkey[0], c->me.mw_rkey[1]);
	send_line(fd, line);
	printf("memory windows bound: rkeys 0x%08x 0x%08x\n", c->me.mw_rkey[0], c->me.mw_rkey[1]);
	for (i = 0; i < N_STEPS; i++) {
		const struct step *s = &steps[i];
		struct ibv_wc wc = wait_wc(c, s->what);
		bool ok;

		if (s->op == IBV_WR_SEND_WITH_INV) {
			__u32 key = c->me.mw_rkey[s->imm - 1];

			/*
			 * rxe (6.1, rdma-core 44) hands the kernel's flags through:
			 * IB_WC_WITH_INVALIDATE is bit 2, which libibverbs calls
			 * IBV_WC_IP_CSUM_OK (its IBV_WC_WITH_INV is bit 3).
			 */
			ok = wc.opcode == IBV_WC_RECV &&
			     (wc.wc_flags & (IBV_WC_WITH_INV | IBV_WC_IP_CSUM_OK)) &&
			     wc.invalidated_rkey == key && wc.byte_len == s->len;
			if (ok && !(wc.wc_flags & IBV_WC_WITH_INV))
				printf("note: flags 0x%x: invalidation reported as bit 2, not IBV_WC_WITH_INV\n",
				       wc.wc_flags);
		} else {
			ok = (wc.opcode == (s->op == IBV_WR_SEND_WITH_IMM ?
						    IBV_WC_RECV :
						    IBV_WC_RECV_RDMA_WITH_IMM)) &&
			     (wc.wc_flags & IBV_WC_WITH_IMM) && ntohl(wc.imm_data) == s->imm &&
			     wc.byte_len == (s->op == IBV_WR_SEND_WITH_IMM ?
						     s->len + (s->ud ? GRH_LEN : 0) :
						     s->len);
		}
		printf("%s: %s (opcode %d, %u bytes, flags 0x%x, imm/rkey 0x%08x)\n",
		       ok ? "received" : "WRONG", s->what, wc.opcode, wc.byte_len, wc.wc_flags,
		       wc.wc_flags & IBV_WC_WITH_IMM ? ntohl(wc.imm_data) : wc.invalidated_rkey);
		if (!ok)
			exit(1);
	}
	recv_line(fd, line, sizeof(line));
	printf("%u messages received\n", (unsigned int)N_STEPS);
}

static void client(struct ctx *c, int fd)
{
	struct ibv_ah_attr ah = {};
	struct ibv_send_wr wr, *bad;
	char line[64];
	struct ibv_sge sge;
	unsigned int i;
	int err;

	exchange(fd, c, false);
	print_peer("remote", &c->them);
	to_rts(c);
	recv_line(fd, line, sizeof(line));
	if (sscanf(line, "%x %x", &c->them.mw_rkey[0], &c->them.mw_rkey[1]) != 2)
		die("the peer's memory window keys do not parse", EPROTO);
	printf("peer's memory windows: rkeys 0x%08x 0x%08x\n", c->them.mw_rkey[0],
	       c->them.mw_rkey[1]);
	ah.is_global = 1;
	ah.grh.dgid = c->them.gid;
	ah.grh.sgid_index = (__u8)c->gidx;
	ah.grh.hop_limit = 64;
	ah.port_num = 1;
	c->ah = ibv_create_ah(c->pd, &ah);
	if (!c->ah)
		die("ibv_create_ah", errno);
	for (i = 0; i < N_STEPS; i++) {
		const struct step *s = &steps[i];

		memset(c->buf, 'a' + i, s->len);
		sge = (struct ibv_sge){ .addr = (uintptr_t)c->buf,
					.length = s->len,
					.lkey = c->mr->lkey };
		memset(&wr, 0, sizeof(wr));
		wr.wr_id = i;
		wr.sg_list = &sge;
		wr.num_sge = 1;
		wr.opcode = s->op;
		wr.send_flags = IBV_SEND_SIGNALED;
		if (s->op == IBV_WR_SEND_WITH_INV)
			wr.invalidate_rkey = c->them.mw_rkey[s->imm - 1];
		else
			wr.imm_data = htonl(s->imm);
		if (s->op == IBV_WR_RDMA_WRITE_WITH_IMM) {
			wr.wr.rdma.remote_addr = c->them.addr + 8192;
			wr.wr.rdma.rkey = c->them.rkey;
		}
		if (s->ud) {
			wr.wr.ud.ah = c->ah;
			wr.wr.ud.remote_qpn = c->them.ud_qpn;
			wr.wr.ud.remote_qkey = UD_QKEY;
		}
		err = ibv_post_send(s->ud ? c->ud : c->qp, &wr, &bad);
		if (err)
			die("ibv_post_send", err);
		wait_wc(c, s->what);
		printf("sent: %s\n", s->what);
	}
	send_line(fd, "done");
	printf("%u messages sent\n", (unsigned int)N_STEPS);
}

int main(int argc, char **argv)
{
	const char *dev = NULL, *port = "18600";
	struct ctx c = { .gidx = 1 };
	int o, fd;

	while ((o = getopt(argc, argv, "d:g:p:")) != -1) {
		switch (o) {
		case 'd':
			dev = optarg;
			break;
		case 'g':
			c.gidx = atoi(optarg);
			break;
		case 'p':
			port = optarg;
			break;
		default:
			fprintf(stderr, "usage: %s [-d DEV] [-g GIDX] [-p PORT] [SERVER]\n", prog);
			return 2;
		}
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	setup(&c, dev);
	to_init(&c);
	print_peer("local", &c.me);
	if (optind < argc) {
		fd = tcp_connect(argv[optind], port, false);
		client(&c, fd);
	} else {
		fd = tcp_connect(NULL, port, true);
		server(&c, fd);
	}
	close(fd);
	return 0;
}
