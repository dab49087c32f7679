// SPDX-License-Identifier: GPL-2.0
/* rdma_tool: what the RDMA tools in user/tools share; see rdma_tool.h. */
#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <sched.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <getopt.h>

#include "perf_msg.h"
#include "rdma_tool.h"
#include "xp_log.h"
#include "xp_roce_pkt.h"

const char *rt_prog = "xp-tool";
volatile sig_atomic_t rt_stop;

__u64 rt_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (__u64)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

long long rt_now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000LL + ts.tv_nsec / 1000;
}

static void on_signal(int sig)
{
	(void)sig;
	rt_stop = 1;
}

void rt_catch_stop(void)
{
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
}

/* ---- options ---- */

int rt_num_arg(const char *opt, const char *s, unsigned long long lo, unsigned long long hi,
	       unsigned long long *v)
{
	char *end;

	errno = 0;
	*v = strtoull(s, &end, 0);
	if (errno || end == s || *end || *s == '-' || *v < lo || *v > hi) {
		fprintf(stderr, "%s: %s '%s' is not a number in %llu..%llu\n", rt_prog, opt, s, lo,
			hi);
		return -EINVAL;
	}
	return 0;
}

int rt_mtu_arg(const char *s, unsigned int *bytes)
{
	unsigned long long v;
	int err;

	err = rt_num_arg("-m", s, 256, 4096, &v);
	*bytes = v;
	if (!err && (v & (v - 1))) {
		fprintf(stderr, "%s: -m %llu: the MTU must be 256, 512, 1024, 2048 or 4096\n",
			rt_prog, v);
		err = -EINVAL;
	}
	return err;
}

int rt_faults_arg(const char *s, struct xp_rdma_faults *faults)
{
	if (sscanf(s, "%u,%u,%u", &faults->drop_ppm, &faults->dup_ppm, &faults->reorder_ppm) < 1 ||
	    faults->drop_ppm + faults->dup_ppm + faults->reorder_ppm > 1000000) {
		fprintf(stderr,
			"%s: --faults '%s': give DROP[,DUP[,REORDER]] in parts per million, summing to at most 1000000\n",
			rt_prog, s);
		return -EINVAL;
	}
	return 0;
}

int rt_pin_cpu(int cpu)
{
	cpu_set_t set;
	int err;

	if (cpu < 0)
		return 0;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set)) {
		err = -errno;
		fprintf(stderr, "%s: cannot pin to CPU %d: %s\n", rt_prog, cpu, strerror(-err));
		return err;
	}
	return 0;
}

int rt_fd_readable(int fd)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };

	return poll(&pfd, 1, 0) > 0;
}

/* ---- ibv_*_pingpong output ---- */

void rt_pp_print_dest(const char *what, const struct xp_pp_dest *d, char sep)
{
	char g[INET6_ADDRSTRLEN];

	inet_ntop(AF_INET6, d->gid, g, sizeof(g));
	printf("  %s LID 0x%04x, QPN 0x%06x, PSN 0x%06x%c GID %s\n", what, d->lid, d->qpn, d->psn,
	       sep, g);
	fflush(stdout);
}

void rt_pp_print_result(__u32 size, __u32 iters, long long us)
{
	long long bytes = (long long)size * iters * 2;

	printf("%lld bytes in %.2f seconds = %.2f Mbit/sec\n", bytes, us / 1e6,
	       us ? bytes * 8. / us : 0.);
	printf("%u iters in %.2f seconds = %.2f usec/iter\n", iters, us / 1e6, (double)us / iters);
}

void rt_print_dev_stats(FILE *f, const struct xp_rdma_dev *dev, const char *label,
			bool count_faults)
{
	const struct xp_rdma_dev_stats *st = xp_rdma_dev_stats(dev);
	unsigned long long total = 0;
	int k;

	fprintf(f, "%s: %srx %llu tx %llu", rt_prog, label, (unsigned long long)st->rx_frames,
		(unsigned long long)st->tx_frames);
	for (k = 1; k < XP_PKT_ERR_NR && k < 32; k++) {
		if (st->rx_parse_drops[k])
			fprintf(f, " parse:%s %llu", xp_pkt_err_str(k),
				(unsigned long long)st->rx_parse_drops[k]);
		total += st->rx_parse_drops[k];
	}
	for (k = 1; k < XP_RDMA_DROP__MAX; k++) {
		if (st->rx_drops[k])
			fprintf(f, " %s %llu", xp_rdma_drop_str(k),
				(unsigned long long)st->rx_drops[k]);
		/* Injected losses may be the test's, not the transport's. */
		if (count_faults || k != XP_RDMA_DROP_FAULT)
			total += st->rx_drops[k];
	}
	/* Memory registration work, when there was any. */
	if (st->mr_fast_reg || st->mr_reg_refused || st->mr_local_inv || st->mr_remote_inv ||
	    st->send_inv_sent || st->mr_rkey_refused)
		fprintf(f,
			" mr_fast_reg %llu mr_reg_refused %llu mr_local_inv %llu mr_remote_inv %llu send_inv_sent %llu mr_rkey_refused %llu",
			(unsigned long long)st->mr_fast_reg, (unsigned long long)st->mr_reg_refused,
			(unsigned long long)st->mr_local_inv, (unsigned long long)st->mr_remote_inv,
			(unsigned long long)st->send_inv_sent,
			(unsigned long long)st->mr_rkey_refused);
	fprintf(f, " tx_no_frame %llu, drops %llu\n", (unsigned long long)st->tx_no_frame, total);
}

/* ---- RC test tools ---- */

__u32 rt_rc_random(struct rt_rc *c, bool client)
{
	srand48(getpid() ^ time(NULL));
	c->psn = lrand48() & 0xffffff;
	/* Client seeds are odd, server seeds even: a buffer never holds the peer's pattern by chance. */
	return (lrand48() & 0xfffe) | client;
}

int rt_rc_open(struct rt_rc *c, const char *ifname, int gidx, const struct xp_rdma_dev_opts *dopts,
	       int scqe, int rcqe, __u32 max_send_wr, __u32 max_recv_wr)
{
	struct xp_cq_opts co = { .sz = sizeof(co) };
	struct xp_qp_init_attr qa = { .sz = sizeof(qa), .qp_type = XP_QPT_RC };

	c->dev = xp_rdma_dev_open(ifname, dopts);
	if (!c->dev)
		return -errno;
	if (xp_rdma_dev_query_gid(c->dev, gidx, c->gid) ||
	    xp_rdma_dev_find_gid(c->dev, c->gid) < 0) {
		fprintf(stderr,
			"%s: %s has no GID at index %d (index 1 is the first IPv4 address, "
			"0 the link-local IPv6 one); give -g another index\n",
			rt_prog, ifname, gidx);
		return -EINVAL;
	}
	c->pd = xp_pd_alloc(xp_rdma_dev_mr_table(c->dev));
	if (!c->pd)
		return -errno;
	co.cqe = scqe;
	c->scq = xp_cq_create(&co);
	co.cqe = rcqe;
	c->rcq = xp_cq_create(&co);
	if (!c->scq || !c->rcq)
		return -ENOMEM;
	qa.pd = c->pd;
	qa.send_cq = c->scq;
	qa.recv_cq = c->rcq;
	qa.cap.max_send_wr = max_send_wr;
	qa.cap.max_recv_wr = max_recv_wr;
	qa.cap.max_send_sge = 1;
	qa.cap.max_recv_sge = 1;
	c->qp = xp_qp_create(c->dev, &qa);
	if (!c->qp)
		return -errno;
	return 0;
}

int rt_rc_paths(struct rt_rc *c, const char *ifname, struct xp_rdma_faults *faults,
		unsigned int mtu_bytes)
{
	int err;

	c->mtu = xp_rdma_dev_mtu(c->dev);
	if (faults->drop_ppm || faults->dup_ppm || faults->reorder_ppm) {
		faults->seed = c->psn;
		err = xp_rdma_dev_set_faults(c->dev, faults);
		if (err) {
			fprintf(stderr, "%s: --faults: %s\n", rt_prog, strerror(-err));
			return err;
		}
	}
	if (mtu_bytes) {
		if (xp_mtu_from_bytes(mtu_bytes) > c->mtu) {
			fprintf(stderr,
				"%s: -m %u is above %s's path MTU %u (netdev MTU less 80)\n",
				rt_prog, mtu_bytes, ifname, xp_mtu_to_bytes(c->mtu));
			return -EINVAL;
		}
		c->mtu = xp_mtu_from_bytes(mtu_bytes);
	}
	return 0;
}

int rt_rc_tcp(struct rt_rc *c, const char *server, int port, const struct xp_tcp_opts *topts)
{
	struct xp_tcp_opts aopts = { .sz = sizeof(aopts) }; /* wait for a client forever */
	int lfd;

	if (server) {
		c->fd = xp_tcp_connect(server, port, topts);
		if (c->fd < 0)
			fprintf(stderr, "%s: cannot connect to %s port %d: %s\n", rt_prog, server,
				port, strerror(-c->fd));
		return c->fd < 0 ? c->fd : 0;
	}
	lfd = xp_tcp_listen(port, &aopts);
	if (lfd < 0) {
		fprintf(stderr, "%s: cannot listen on TCP port %d: %s\n", rt_prog, port,
			strerror(-lfd));
		return lfd;
	}
	fprintf(stderr, "%s: ready, listening on port %d\n", rt_prog, port);
	c->fd = xp_tcp_accept_fd(lfd, &aopts);
	if (c->fd < 0)
		fprintf(stderr, "%s: cannot accept on port %d: %s\n", rt_prog, port,
			strerror(-c->fd));
	return c->fd < 0 ? c->fd : 0;
}

static int connect_qp(struct rt_rc *c, int gidx)
{
	struct xp_qp_connect_opts co = { .sz = sizeof(co), .path_mtu = c->mtu };
	struct xp_qp_peer peer = {
		.sgid_index = gidx,
		.dest_qpn = c->peer_dest.qpn,
		.rq_psn = c->peer_dest.psn,
		.sq_psn = c->psn,
	};
	int err;

	memcpy(peer.dgid, c->peer_dest.gid, 16);
	err = xp_qp_connect(c->qp, &peer, &co);
	if (err)
		fprintf(stderr, "%s: cannot connect QP 0x%x to the peer's QP 0x%x: %s\n", rt_prog,
			xp_qp_num(c->qp), c->peer_dest.qpn, strerror(-err));
	return err;
}

/* The address messages: the client writes first. */
static int xchg_dest(struct rt_rc *c, bool client)
{
	struct xp_pp_dest me = { .qpn = xp_qp_num(c->qp), .psn = c->psn };
	char msg[XP_PP_MSG_LEN];
	int err;

	memcpy(me.gid, c->gid, 16);
	xp_pp_dest_format(&me, msg);
	if (client)
		err = xp_tcp_write_all(c->fd, msg, sizeof(msg)) ?:
			      xp_tcp_read_all(c->fd, msg, sizeof(msg));
	else
		err = xp_tcp_read_all(c->fd, msg, sizeof(msg));
	if (err)
		return err;
	err = xp_pp_dest_parse(msg, &c->peer_dest);
	if (err) {
		fprintf(stderr, "%s: the peer's address message is not one: '%.52s'\n", rt_prog,
			msg);
		return err;
	}
	if (!client) {
		xp_pp_dest_format(&me, msg);
		err = xp_tcp_write_all(c->fd, msg, sizeof(msg));
	}
	return err;
}

static int connect_and(struct rt_rc *c, int gidx, const struct rt_setup_ops *ops, void *ctx)
{
	int err = connect_qp(c, gidx);

	if (!err && ops->connected)
		err = ops->connected(ctx);
	return err;
}

static int client_setup(struct rt_rc *c, int gidx, const struct rt_setup_ops *ops, void *ctx,
			char *msg)
{
	size_t tag = strlen(ops->refused);
	char why[XP_PERF_WHY_LEN];
	int err;

	err = ops->reg_buf(ctx);
	if (err)
		return err;
	ops->fmt(ctx, msg);
	err = xp_tcp_write_all(c->fd, msg, ops->msg_len) ?:
							   xp_tcp_read_all(c->fd, msg, ops->msg_len);
	if (err)
		return err;
	if (!strncmp(msg, ops->refused, tag)) {
		msg[ops->msg_len - 1] = 0;
		fprintf(stderr, "%s: the server refused: %s\n", rt_prog, msg + tag + 1);
		return -EINVAL;
	}
	if (ops->parse(ctx, msg, why, sizeof(why))) {
		fprintf(stderr, "%s: the server's answer is not an %s one\n", rt_prog, rt_prog);
		return -EPROTO;
	}
	err = connect_and(c, gidx, ops, ctx);
	return err ?: xp_tcp_write_all(c->fd, "ready", 6);
}

/* got = the first bytes of msg up to its NUL, with '.' for what is not printable. */
static void printable(char *got, size_t got_len, const char *msg, size_t len)
{
	size_t i;

	for (i = 0; i + 1 < got_len && i < len && msg[i]; i++)
		got[i] = msg[i] >= 0x20 && msg[i] < 0x7f ? msg[i] : '.';
	got[i] = 0;
}

/* The client's parameter message rules; one that does not parse is refused here. */
static int server_setup(struct rt_rc *c, int gidx, const struct rt_setup_ops *ops, void *ctx,
			char *msg)
{
	char why[XP_PERF_WHY_LEN], got[41];
	int err;

	err = xp_tcp_read_all(c->fd, msg, ops->msg_len);
	if (err)
		return err;
	err = ops->parse(ctx, msg, why, sizeof(why));
	if (err == -ERANGE) {
		rt_refuse(c->fd, msg, ops->msg_len, ops->refused, "the client asked for %s", why);
		return err;
	}
	if (err) {
		printable(got, sizeof(got), msg, ops->msg_len);
		rt_refuse(c->fd, msg, ops->msg_len, ops->refused,
			  "the client's message is not a parameter message (got '%s')", got);
		return -EPROTO;
	}
	err = ops->adopt(ctx, msg) ?: ops->reg_buf(ctx) ?: connect_and(c, gidx, ops, ctx);
	if (err)
		return err;
	ops->fmt(ctx, msg);
	err = xp_tcp_write_all(c->fd, msg, ops->msg_len) ?: xp_tcp_read_all(c->fd, msg, 6);
	if (!err && strcmp(msg, "ready"))
		err = -EPROTO;
	return err;
}

int rt_rc_setup(struct rt_rc *c, bool client, int gidx, const struct rt_setup_ops *ops, void *ctx)
{
	char *msg = malloc(ops->msg_len);
	int err;

	if (!msg)
		return -ENOMEM;
	err = xchg_dest(c, client);
	if (!err)
		err = client ? client_setup(c, gidx, ops, ctx, msg) :
			       server_setup(c, gidx, ops, ctx, msg);
	free(msg);
	return err;
}

void rt_refuse(int fd, char *msg, size_t len, const char *refused, const char *fmt, ...)
{
	size_t tag = strlen(refused);
	va_list ap;

	memset(msg, 0, len);
	snprintf(msg, len, "%s ", refused);
	va_start(ap, fmt);
	if (tag + 1 < len)
		vsnprintf(msg + tag + 1, len - tag - 1, fmt, ap);
	va_end(ap);
	xp_tcp_write_all(fd, msg, len);
	fprintf(stderr, "%s: %s\n", rt_prog, msg + tag + 1);
}

int rt_rc_adopt_mtu(struct rt_rc *c, __u32 peer_mtu, char *msg, size_t len, const char *refused)
{
	/* 0 is no MTU: xp_mtu_from_bytes(0) is 0 and would pass the rest. */
	if (!xp_mtu_from_bytes(peer_mtu) || xp_mtu_from_bytes(peer_mtu) > c->mtu ||
	    xp_mtu_to_bytes(xp_mtu_from_bytes(peer_mtu)) != peer_mtu) {
		rt_refuse(
			c->fd, msg, len, refused,
			"the client's path MTU %u is not one this server's interface takes (at most %u)",
			peer_mtu, xp_mtu_to_bytes(c->mtu));
		return -EINVAL;
	}
	/* Both ends of an RC connection segment by the same path MTU. */
	c->mtu = xp_mtu_from_bytes(peer_mtu);
	return 0;
}

bool rt_busy_poll;

void rt_opts_init(struct rt_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->port = 18515;
	o->gidx = 1;
	o->cpu = -1;
	o->timeout_ms = 10000;
	o->faults.sz = sizeof(o->faults);
	o->dev.sz = sizeof(o->dev);
}

int rt_opts_parse(struct rt_opts *o, int opt, const char *arg)
{
	unsigned long long v;
	int err = 0;

	switch (opt) {
	case 'i':
		o->ifname = arg;
		break;
	case 'g':
		err = rt_num_arg("-g", arg, 0, XP_RDMA_GID_TBL_LEN - 1, &v);
		o->gidx = v;
		break;
	case 'p':
		err = rt_num_arg("-p", arg, 1, 65535, &v);
		o->port = v;
		break;
	case 'm':
		err = rt_mtu_arg(arg, &o->mtu_bytes);
		break;
	case 'T':
		err = rt_num_arg("--timeout", arg, 1, 3600000, &v);
		o->timeout_ms = v;
		break;
	case 'C':
		err = rt_num_arg("--cpu", arg, 0, CPU_SETSIZE - 1, &v);
		o->cpu = v;
		break;
	case 'G':
		o->dev.attach_mode = XP_ATTACH_GENERIC;
		break;
	case 'X':
		err = rt_faults_arg(arg, &o->faults);
		break;
	case 'v':
		xp_set_log_level(XP_DEBUG);
		break;
	default:
		return 0;
	}
	return err ? -1 : 1;
}

int rt_opts_finish(struct rt_opts *o, int argc, char **argv, void (*usage)(FILE *f))
{
	if (optind == argc - 1) {
		o->server = argv[optind];
	} else if (optind < argc) {
		fprintf(stderr, "%s: one server address at most (got '%s' and '%s')\n", rt_prog,
			argv[optind], argv[optind + 1]);
		return -1;
	}
	if (!o->ifname) {
		fprintf(stderr, "%s: -i IFACE is required: the interface the QP runs on\n",
			rt_prog);
		usage(stderr);
		return -1;
	}
	return rt_pin_cpu(o->cpu) ? -1 : 0;
}

void rt_idle(struct xp_rdma_dev *dev)
{
	if (!rt_busy_poll)
		xp_rdma_dev_wait(dev, 1);
}

int rt_rc_serve(struct rt_rc *c)
{
	__u64 spins = 0;

	for (;;) {
		if (xp_rdma_dev_poll(c->dev, 64))
			continue;
		if (++spins & 255) {
			rt_idle(c->dev);
			continue;
		}
		if (rt_stop)
			return -EINTR;
		if (xp_qp_state(c->qp) == XP_QPS_ERR) {
			fprintf(stderr, "%s: our QP went to the error state\n", rt_prog);
			return -EIO;
		}
		if (rt_fd_readable(c->fd))
			return 0;
	}
}

void rt_rc_print_addrs(const struct rt_rc *c, __u32 rkey, __u64 addr, __u32 peer_rkey,
		       __u64 peer_addr)
{
	char g[INET6_ADDRSTRLEN], pg[INET6_ADDRSTRLEN];

	inet_ntop(AF_INET6, c->gid, g, sizeof(g));
	inet_ntop(AF_INET6, c->peer_dest.gid, pg, sizeof(pg));
	printf(" local address:  QPN 0x%06x PSN 0x%06x RKey 0x%08x VAddr 0x%016llx GID %s\n",
	       xp_qp_num(c->qp), c->psn, rkey, (unsigned long long)addr, g);
	printf(" remote address: QPN 0x%06x PSN 0x%06x RKey 0x%08x VAddr 0x%016llx GID %s\n",
	       c->peer_dest.qpn, c->peer_dest.psn, peer_rkey, (unsigned long long)peer_addr, pg);
}

void rt_rc_print_qp_stats(FILE *f, const struct rt_rc *c, bool seq_sent)
{
	const struct xp_qp_stats *s = xp_qp_stats(c->qp);

	if (!s)
		return;
	fprintf(f,
		"%s: qp 0x%x: tx_pkts %llu rx_pkts %llu retransmits %llu timeouts %llu "
		"seq_naks_rcvd %llu rnr_naks_rcvd %llu acks_rcvd %llu acks_sent %llu "
		"%s %llu dup_requests %llu out_of_seq %llu\n",
		rt_prog, xp_qp_num(c->qp), (unsigned long long)s->tx_pkts,
		(unsigned long long)s->rx_pkts, (unsigned long long)s->retransmits,
		(unsigned long long)s->timeouts, (unsigned long long)s->seq_naks_rcvd,
		(unsigned long long)s->rnr_naks_rcvd, (unsigned long long)s->acks_rcvd,
		(unsigned long long)s->acks_sent, seq_sent ? "seq_naks_sent" : "rnr_naks_sent",
		(unsigned long long)(seq_sent ? s->seq_naks_sent : s->rnr_naks_sent),
		(unsigned long long)s->dup_requests, (unsigned long long)s->out_of_seq);
}

void rt_rc_close(struct rt_rc *c)
{
	if (c->fd >= 0)
		close(c->fd);
	if (c->qp)
		xp_qp_destroy(c->qp);
	if (c->mr)
		xp_mr_dereg(c->mr);
	if (c->pd)
		xp_pd_free(c->pd);
	xp_cq_destroy(c->scq);
	xp_cq_destroy(c->rcq);
	if (c->dev)
		xp_rdma_dev_close(c->dev);
}
