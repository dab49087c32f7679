// SPDX-License-Identifier: GPL-2.0
/*
 * xp-write-bw: RDMA WRITE bandwidth over an xdpath RC queue pair, in the
 * manner of perftest's ib_write_bw (our own code, not its wire protocol).
 *
 *	xp-write-bw -i IFACE [options]			server
 *	xp-write-bw -i IFACE [options] SERVER		client
 *
 * Set-up over TCP (port 18515 by default): the client sends its QP's
 * address as the 52-byte ibv_*_pingpong message and the server answers in
 * kind; then the client sends the test's parameters and its buffer
 * (address, rkey), the server adopts those parameters, registers a buffer
 * and answers with its own; the client connects its QP and says "ready".
 *
 * The client keeps up to -t WRITEs of -s bytes outstanding until -n have
 * completed (or -D seconds have passed). With -b both sides write at once.
 * Each side then sends a "done" message with what it measured; the passive
 * side keeps driving its device (our responder runs in user space) until
 * that message comes. Both print one perftest-style line:
 *
 *	#bytes #iterations BW peak[MB/sec] BW average[MB/sec] MsgRate[Mpps] BW average[Gb/sec]
 *
 * MB is 2^20 bytes, as perftest counts; Gb is 10^9 bits. With -b the line
 * is the sum of both directions. Peak is the best rate over any tenth of
 * the completions. A second line, "xp-write-bw: qp ...", has the QP's
 * counters (retransmits, timeouts, NAKs).
 *
 * --verify: the target buffer holds up to 16 message slots; WRITE k goes to
 * slot k % slots, and slot s always carries the same pattern, different
 * for every slot and byte position. The receiving side checks every slot
 * that was written once the writer is done: a misplaced, short or stale
 * segment fails the run.
 *
 * Exit status 0 when every WRITE completed successfully (and verified).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "xp_exchange.h"
#include "xp_log.h"
#include "xp_rdma.h"

#define PROG "xp-write-bw"
#define PARAM_LEN 192
#define VERIFY_MAX_SLOTS 16
#define VERIFY_MAX_BYTES (64u << 20)
#define MAX_SIZE (1u << 30)
#define CQ_BATCH 32

struct params {
	__u32 size;
	__u64 iters;
	__u32 depth;
	__u32 duration; /* seconds; 0: count iterations */
	int bidir;
	int verify;
	__u32 slots; /* message slots in each buffer (1 unless verifying) */
	__u64 addr; /* sender's buffer, as the peer must address it */
	__u32 rkey;
	__u32 seed;
	__u32 mtu; /* path MTU in bytes: the client's rules */
};

/* What one side measured, sent to the other at the end. */
struct result {
	__u64 iters;
	__u64 bytes;
	__u64 ns;
	double peak; /* bytes per second */
	int errors;
};

struct bw {
	struct xp_rdma_dev *dev;
	struct xp_pd *pd;
	struct xp_cq *scq, *rcq;
	struct xp_qp *qp;
	struct xp_mr *mr;
	__u8 *buf;
	size_t buf_len;
	struct params me, peer;
	__u32 psn;
	__u8 gid[16];
	struct xp_pp_dest peer_dest;
	int fd;
	int timeout_ms;
	unsigned int cq_mod;
	enum xp_mtu mtu;
	__u64 *tstamps; /* completion times for the peak rate */
	__u64 ntstamps;
	int errors;
};

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static __u64 now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (__u64)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

static __u8 pattern(__u32 seed, __u32 slot, size_t j)
{
	return (__u8)((j * 131u + (j >> 8) * 7u + slot * 29u + seed) & 0xff);
}

static void fill_slots(__u8 *buf, __u32 size, __u32 slots, __u32 seed)
{
	__u32 s;
	size_t j;

	for (s = 0; s < slots; s++)
		for (j = 0; j < size; j++)
			buf[(size_t)s * size + j] = pattern(seed, s, j);
}

/* 0, or -EIO after saying which slot and byte differ. */
static int check_slots(const __u8 *buf, __u32 size, __u32 slots, __u32 seed, __u64 written)
{
	__u32 s, used = written < slots ? (__u32)written : slots;
	size_t j;

	for (s = 0; s < used; s++) {
		for (j = 0; j < size; j++) {
			__u8 want = pattern(seed, s, j), got = buf[(size_t)s * size + j];

			if (got != want) {
				fprintf(stderr,
					PROG
					": verify: slot %u byte %zu is 0x%02x, expected 0x%02x\n",
					s, j, got, want);
				return -EIO;
			}
		}
	}
	return 0;
}

/* ---- the exchange ---- */

static void fmt_params(const struct params *p, const char *tag, char msg[PARAM_LEN])
{
	memset(msg, 0, PARAM_LEN);
	snprintf(msg, PARAM_LEN,
		 "%s size=%u iters=%llu depth=%u dur=%u bidir=%d verify=%d slots=%u "
		 "addr=%llx rkey=%x seed=%x mtu=%u",
		 tag, p->size, (unsigned long long)p->iters, p->depth, p->duration, p->bidir,
		 p->verify, p->slots, (unsigned long long)p->addr, p->rkey, p->seed, p->mtu);
}

static int parse_params(char msg[PARAM_LEN], const char *tag, struct params *p)
{
	unsigned long long iters, addr;
	char t[32];

	msg[PARAM_LEN - 1] = 0;
	if (sscanf(msg,
		   "%31s size=%u iters=%llu depth=%u dur=%u bidir=%d verify=%d slots=%u "
		   "addr=%llx rkey=%x seed=%x mtu=%u",
		   t, &p->size, &iters, &p->depth, &p->duration, &p->bidir, &p->verify, &p->slots,
		   &addr, &p->rkey, &p->seed, &p->mtu) != 12 ||
	    strcmp(t, tag))
		return -EPROTO;
	p->iters = iters;
	p->addr = addr;
	return 0;
}

static int send_result(int fd, const struct result *r)
{
	char msg[PARAM_LEN] = { 0 };

	snprintf(msg, sizeof(msg), "XPBW-DONE iters=%llu bytes=%llu ns=%llu peak=%.6e errors=%d",
		 (unsigned long long)r->iters, (unsigned long long)r->bytes,
		 (unsigned long long)r->ns, r->peak, r->errors);
	return xp_tcp_write_all(fd, msg, sizeof(msg));
}

static int recv_result(int fd, struct result *r)
{
	unsigned long long it, by, ns;
	char msg[PARAM_LEN];
	int err;

	err = xp_tcp_read_all(fd, msg, sizeof(msg));
	if (err)
		return err;
	msg[PARAM_LEN - 1] = 0;
	if (sscanf(msg, "XPBW-DONE iters=%llu bytes=%llu ns=%llu peak=%le errors=%d", &it, &by, &ns,
		   &r->peak, &r->errors) != 5)
		return -EPROTO;
	r->iters = it;
	r->bytes = by;
	r->ns = ns;
	return 0;
}

/* ---- set-up ---- */

static int open_dev(struct bw *b, const char *ifname, int gidx,
		    const struct xp_rdma_dev_opts *dopts)
{
	struct xp_cq_opts co = { .sz = sizeof(co) };
	struct xp_qp_init_attr qa = { .sz = sizeof(qa), .qp_type = XP_QPT_RC };

	b->dev = xp_rdma_dev_open(ifname, dopts);
	if (!b->dev)
		return -errno;
	if (xp_rdma_dev_query_gid(b->dev, gidx, b->gid) ||
	    xp_rdma_dev_find_gid(b->dev, b->gid) < 0) {
		fprintf(stderr,
			PROG ": %s has no GID at index %d (index 1 is the first IPv4 address, "
			     "0 the link-local IPv6 one); give -g another index\n",
			ifname, gidx);
		return -EINVAL;
	}
	b->pd = xp_pd_alloc(xp_rdma_dev_mr_table(b->dev));
	if (!b->pd)
		return -errno;
	co.cqe = b->me.depth + CQ_BATCH;
	b->scq = xp_cq_create(&co);
	co.cqe = 16;
	b->rcq = xp_cq_create(&co);
	if (!b->scq || !b->rcq)
		return -ENOMEM;
	qa.pd = b->pd;
	qa.send_cq = b->scq;
	qa.recv_cq = b->rcq;
	qa.cap.max_send_wr = b->me.depth;
	qa.cap.max_recv_wr = 1;
	qa.cap.max_send_sge = 1;
	qa.cap.max_recv_sge = 1;
	b->qp = xp_qp_create(b->dev, &qa);
	if (!b->qp)
		return -errno;
	return 0;
}

/*
 * Two regions of slots * size bytes: the first is what we send from (our
 * pattern), the second what the peer writes into (zeroed). The peer gets
 * the second one's address and rkey.
 */
static int reg_buf(struct bw *b)
{
	size_t half = (size_t)b->me.size * b->me.slots;

	b->buf_len = 2 * half;
	if (posix_memalign((void **)&b->buf, 4096, b->buf_len))
		return -ENOMEM;
	memset(b->buf, 0, b->buf_len);
	fill_slots(b->buf, b->me.size, b->me.slots, b->me.seed);
	b->mr = xp_mr_reg(b->pd, b->buf, b->buf_len,
			  XP_ACCESS_LOCAL_WRITE | XP_ACCESS_REMOTE_WRITE | XP_ACCESS_REMOTE_READ,
			  NULL);
	if (!b->mr)
		return -errno;
	b->me.addr = (uintptr_t)b->buf + half;
	b->me.rkey = xp_mr_rkey(b->mr);
	return 0;
}

static int connect_qp(struct bw *b, int gidx)
{
	struct xp_qp_connect_opts co = { .sz = sizeof(co), .path_mtu = b->mtu };
	struct xp_qp_peer peer = {
		.sgid_index = gidx,
		.dest_qpn = b->peer_dest.qpn,
		.rq_psn = b->peer_dest.psn,
		.sq_psn = b->psn,
	};
	int err;

	memcpy(peer.dgid, b->peer_dest.gid, 16);
	err = xp_qp_connect(b->qp, &peer, &co);
	if (err)
		fprintf(stderr, PROG ": cannot connect QP 0x%x to the peer's QP 0x%x: %s\n",
			xp_qp_num(b->qp), b->peer_dest.qpn, strerror(-err));
	return err;
}

static void my_dest(const struct bw *b, struct xp_pp_dest *d)
{
	memset(d, 0, sizeof(*d));
	d->qpn = xp_qp_num(b->qp);
	d->psn = b->psn;
	memcpy(d->gid, b->gid, 16);
}

static int xchg_dest(struct bw *b, bool client)
{
	char msg[XP_PP_MSG_LEN];
	struct xp_pp_dest me;
	int err;

	my_dest(b, &me);
	xp_pp_dest_format(&me, msg);
	if (client)
		err = xp_tcp_write_all(b->fd, msg, sizeof(msg)) ?:
			      xp_tcp_read_all(b->fd, msg, sizeof(msg));
	else
		err = xp_tcp_read_all(b->fd, msg, sizeof(msg));
	if (err)
		return err;
	err = xp_pp_dest_parse(msg, &b->peer_dest);
	if (err) {
		fprintf(stderr, PROG ": the peer's address message is not one: '%.52s'\n", msg);
		return err;
	}
	if (!client) {
		xp_pp_dest_format(&me, msg);
		err = xp_tcp_write_all(b->fd, msg, sizeof(msg));
	}
	return err;
}

static int client_setup(struct bw *b, int gidx)
{
	char msg[PARAM_LEN];
	int err;

	err = xchg_dest(b, true);
	if (err)
		return err;
	err = reg_buf(b);
	if (err)
		return err;
	fmt_params(&b->me, "XPBW-PARAMS", msg);
	err = xp_tcp_write_all(b->fd, msg, sizeof(msg)) ?: xp_tcp_read_all(b->fd, msg, sizeof(msg));
	if (err)
		return err;
	if (!strncmp(msg, "XPBW-REFUSED", 12)) {
		msg[PARAM_LEN - 1] = 0;
		fprintf(stderr, PROG ": the server refused: %s\n", msg + 13);
		return -EINVAL;
	}
	err = parse_params(msg, "XPBW-PARAMS", &b->peer);
	if (err) {
		fprintf(stderr, PROG ": the server's answer is not an " PROG " one\n");
		return err;
	}
	err = connect_qp(b, gidx);
	if (err)
		return err;
	return xp_tcp_write_all(b->fd, "ready", 6);
}

static int server_setup(struct bw *b, int gidx)
{
	char msg[PARAM_LEN];
	int err;

	err = xchg_dest(b, false);
	if (err)
		return err;
	err = xp_tcp_read_all(b->fd, msg, sizeof(msg));
	if (err)
		return err;
	err = parse_params(msg, "XPBW-PARAMS", &b->peer);
	if (err) {
		fprintf(stderr, PROG ": the client is not an " PROG " client (got '%.40s')\n", msg);
		return err;
	}
	/* The client's parameters rule, as if both had been given the same. */
	b->me.size = b->peer.size;
	b->me.iters = b->peer.iters;
	b->me.duration = b->peer.duration;
	b->me.bidir = b->peer.bidir;
	b->me.verify = b->peer.verify;
	b->me.slots = b->peer.slots;
	if (xp_mtu_from_bytes(b->peer.mtu) > b->mtu ||
	    xp_mtu_to_bytes(xp_mtu_from_bytes(b->peer.mtu)) != b->peer.mtu) {
		memset(msg, 0, sizeof(msg));
		snprintf(
			msg, sizeof(msg),
			"XPBW-REFUSED the client's path MTU %u is not one this server's interface takes (at most %u)",
			b->peer.mtu, xp_mtu_to_bytes(b->mtu));
		xp_tcp_write_all(b->fd, msg, sizeof(msg));
		fprintf(stderr, PROG ": %s\n", msg + 13);
		return -EINVAL;
	}
	/* Both ends of an RC connection segment by the same path MTU. */
	b->mtu = xp_mtu_from_bytes(b->peer.mtu);
	b->me.mtu = b->peer.mtu;
	if (b->me.bidir && b->peer.depth > b->me.depth) {
		memset(msg, 0, sizeof(msg));
		snprintf(msg, sizeof(msg),
			 "XPBW-REFUSED -b with tx depth %u, but the server's QP was made for %u; "
			 "start the server with -t %u",
			 b->peer.depth, b->me.depth, b->peer.depth);
		xp_tcp_write_all(b->fd, msg, sizeof(msg));
		fprintf(stderr, PROG ": %s\n", msg + 13);
		return -EINVAL;
	}
	err = reg_buf(b);
	if (err)
		return err;
	err = connect_qp(b, gidx);
	if (err)
		return err;
	fmt_params(&b->me, "XPBW-PARAMS", msg);
	err = xp_tcp_write_all(b->fd, msg, sizeof(msg)) ?: xp_tcp_read_all(b->fd, msg, 6);
	if (!err && strcmp(msg, "ready"))
		err = -EPROTO;
	return err;
}

/* ---- the test ---- */

static int fd_readable(int fd)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };

	return poll(&pfd, 1, 0) > 0;
}

static void print_qp_stats(FILE *f, const struct bw *b)
{
	const struct xp_qp_stats *s = xp_qp_stats(b->qp);

	if (!s)
		return;
	fprintf(f,
		PROG ": qp 0x%x: tx_pkts %llu rx_pkts %llu retransmits %llu timeouts %llu "
		     "seq_naks_rcvd %llu rnr_naks_rcvd %llu acks_rcvd %llu acks_sent %llu "
		     "seq_naks_sent %llu dup_requests %llu out_of_seq %llu\n",
		xp_qp_num(b->qp), (unsigned long long)s->tx_pkts, (unsigned long long)s->rx_pkts,
		(unsigned long long)s->retransmits, (unsigned long long)s->timeouts,
		(unsigned long long)s->seq_naks_rcvd, (unsigned long long)s->rnr_naks_rcvd,
		(unsigned long long)s->acks_rcvd, (unsigned long long)s->acks_sent,
		(unsigned long long)s->seq_naks_sent, (unsigned long long)s->dup_requests,
		(unsigned long long)s->out_of_seq);
}

/* Best rate over any window of a tenth of the completions (at least 1). */
static double peak_rate(const struct bw *b, __u32 size)
{
	__u64 n = b->ntstamps, w = n / 10 ? n / 10 : 1, i;
	double best = 0;

	for (i = 0; i + w < n; i++) {
		__u64 dt = b->tstamps[i + w] - b->tstamps[i];

		if (dt && (double)w * size * 1e9 / dt > best)
			best = (double)w * size * 1e9 / dt;
	}
	return best;
}

/*
 * Post WRITEs, keeping depth outstanding, until iters completed or the
 * duration is over. Driving the device here also serves the peer's
 * WRITEs to us (bidirectional).
 */
static int run_writer(struct bw *b, struct result *r)
{
	const __u64 iters = b->me.duration ? UINT64_MAX : b->me.iters;
	const __u64 end_ns = b->me.duration ? now_ns() + b->me.duration * 1000000000ull : 0;
	__u64 posted = 0, done = 0, t0, last_progress;
	struct xp_wc wc[CQ_BATCH];
	bool ended = false;
	int n, i, err;

	t0 = now_ns();
	last_progress = t0;
	while (done < posted || (posted < iters && !ended && !stop)) {
		__u64 t;

		while (posted < iters && posted - done < b->me.depth && !ended && !stop) {
			__u32 slot = posted % b->me.slots;
			struct xp_sge sge = { .addr = (uintptr_t)b->buf + (size_t)slot * b->me.size,
					      .length = b->me.size,
					      .lkey = xp_mr_lkey(b->mr) };
			struct xp_send_wr wr = {
				.wr_id = posted,
				.sg_list = &sge,
				.num_sge = 1,
				.opcode = XP_WR_RDMA_WRITE,
				.rdma = { .remote_addr = b->peer.addr + (__u64)slot * b->me.size,
					  .rkey = b->peer.rkey },
			}, *bad;

			/* Only between batches, so the last WR posted is a signalled one. */
			if (end_ns && posted % b->cq_mod == 0 && now_ns() >= end_ns) {
				ended = true;
				break;
			}
			if ((posted + 1) % b->cq_mod == 0 || posted + 1 == iters)
				wr.send_flags = XP_SEND_SIGNALED;
			err = xp_qp_post_send(b->qp, &wr, &bad);
			if (err == -ENOMEM)
				break; /* send queue full: reap first */
			if (err) {
				fprintf(stderr, PROG ": post_send of WRITE %llu failed: %s\n",
					(unsigned long long)posted, strerror(-err));
				return err;
			}
			posted++;
		}
		xp_rdma_dev_poll(b->dev, 64);
		n = xp_cq_poll(b->scq, CQ_BATCH, wc);
		if (n < 0) {
			fprintf(stderr, PROG ": poll CQ: %s\n", strerror(-n));
			return n;
		}
		t = now_ns();
		for (i = 0; i < n; i++) {
			if (wc[i].status != XP_WC_SUCCESS) {
				fprintf(stderr, PROG ": WRITE %llu completed with status %s (%d)\n",
					(unsigned long long)wc[i].wr_id,
					xp_wc_status_str(wc[i].status), wc[i].status);
				return -EIO;
			}
			/* One signalled completion stands for every WR up to it. */
			while (done <= wc[i].wr_id) {
				if (b->ntstamps < b->me.iters)
					b->tstamps[b->ntstamps++] = t;
				done++;
			}
		}
		if (n) {
			last_progress = t;
		} else if (t - last_progress > (__u64)b->timeout_ms * 1000000ull) {
			fprintf(stderr,
				PROG
				": no WRITE completed for %d ms (%llu posted, %llu done, QP %s)\n",
				b->timeout_ms, (unsigned long long)posted, (unsigned long long)done,
				xp_qp_state_str(xp_qp_state(b->qp)));
			return -ETIMEDOUT;
		}
		if (stop && done == posted)
			break;
	}
	if (stop) {
		fprintf(stderr, PROG ": interrupted after %llu WRITEs\n", (unsigned long long)done);
		return -EINTR;
	}
	r->ns = (b->ntstamps ? b->tstamps[b->ntstamps - 1] : now_ns()) - t0;
	r->iters = done;
	r->bytes = done * b->me.size;
	r->peak = peak_rate(b, b->me.size);
	return 0;
}

/* Drive the device (our responder) until the peer's result arrives. */
static int serve_until_done(struct bw *b, struct result *peer)
{
	__u64 spins = 0;

	for (;;) {
		if (xp_rdma_dev_poll(b->dev, 64) == 0 && (++spins & 255) == 0) {
			if (stop) {
				fprintf(stderr, PROG ": interrupted\n");
				return -EINTR;
			}
			if (xp_qp_state(b->qp) == XP_QPS_ERR) {
				fprintf(stderr, PROG ": our QP went to the error state\n");
				return -EIO;
			}
			if (fd_readable(b->fd))
				return recv_result(b->fd, peer);
		}
	}
}

static void print_header(const struct bw *b, const char *ifname, bool client)
{
	char g[INET6_ADDRSTRLEN], pg[INET6_ADDRSTRLEN];

	inet_ntop(AF_INET6, b->gid, g, sizeof(g));
	inet_ntop(AF_INET6, b->peer_dest.gid, pg, sizeof(pg));
	printf("---------------------------------------------------------------------------------------\n");
	printf("                    RDMA_Write %sBW Test (xdpath, AF_XDP)\n",
	       b->me.bidir ? "Bidirectional " : "");
	printf(" Interface      : %-10s Transport type : RC over RoCEv2 (xdpath)\n", ifname);
	printf(" Mtu            : %u[B]      TX depth       : %u    CQ moderation : %u\n",
	       xp_mtu_to_bytes(b->mtu), b->me.depth, b->cq_mod);
	printf(" Role           : %-10s Data check     : %s\n", client ? "client" : "server",
	       b->me.verify ? "on" : "off");
	printf(" local address:  QPN 0x%06x PSN 0x%06x RKey 0x%08x VAddr 0x%016llx GID %s\n",
	       xp_qp_num(b->qp), b->psn, b->me.rkey, (unsigned long long)b->me.addr, g);
	printf(" remote address: QPN 0x%06x PSN 0x%06x RKey 0x%08x VAddr 0x%016llx GID %s\n",
	       b->peer_dest.qpn, b->peer_dest.psn, b->peer.rkey, (unsigned long long)b->peer.addr,
	       pg);
	printf("---------------------------------------------------------------------------------------\n");
	printf(" #bytes     #iterations    BW peak[MB/sec]    BW average[MB/sec]   MsgRate[Mpps]   BW average[Gb/sec]\n");
	fflush(stdout);
}

static void print_line(__u32 size, const struct result *r)
{
	double s = r->ns ? r->ns / 1e9 : 0;
	double mbs = s ? r->bytes / s / 1048576.0 : 0;
	double gbs = s ? r->bytes * 8.0 / s / 1e9 : 0;
	double mpps = s ? r->iters / s / 1e6 : 0;

	printf(" %-10u %-14llu %-18.2f %-20.2f %-15.6f %.3f\n", size, (unsigned long long)r->iters,
	       r->peak / 1048576.0, mbs, mpps, gbs);
	printf("---------------------------------------------------------------------------------------\n");
}

static void usage(FILE *f)
{
	fprintf(f, "usage: " PROG " -i IFACE [options] [SERVER]\n"
		   "  RDMA WRITE bandwidth over an xdpath RC QP; server without SERVER.\n"
		   "  -i, --iface IFACE      interface (required)\n"
		   "  -g, --gid-index N      our GID (default 1: the first IPv4 address)\n"
		   "  -p, --port PORT        TCP port of the exchange (default 18515)\n"
		   "  -s, --size BYTES       message size, 1..2^30 (default 65536)\n"
		   "  -n, --iters N          WRITEs (default 5000)\n"
		   "  -D, --duration SEC     run for SEC seconds instead of -n WRITEs\n"
		   "  -t, --tx-depth N       outstanding WRITEs, 1..4096 (default 128)\n"
		   "  -Q, --cq-mod N         signal one WRITE in N (default 1)\n"
		   "  -m, --mtu BYTES        path MTU 256..4096 (default: the device's)\n"
		   "  -b, --bidirectional    both sides write at once\n"
		   "      --verify           check the data that arrived\n"
		   "      --timeout MS       fail after MS ms without progress (default 10000)\n"
		   "      --cpu N            pin to CPU N\n"
		   "      --frames N         umem frames (default: the library's)\n"
		   "      --generic          attach XDP in generic (skb) mode\n"
		   "  -v, --verbose          library debug messages\n"
		   "  -h, --help\n"
		   "The server takes -s, -n, -D, -b and --verify from the client.\n");
}

/* strtoull with a whole-string check and bounds: 0 or -EINVAL after a message. */
static int num_arg(const char *opt, const char *s, unsigned long long lo, unsigned long long hi,
		   unsigned long long *v)
{
	char *end;

	errno = 0;
	*v = strtoull(s, &end, 0);
	if (errno || end == s || *end || *s == '-' || *v < lo || *v > hi) {
		fprintf(stderr, PROG ": %s '%s' is not a number in %llu..%llu\n", opt, s, lo, hi);
		return -EINVAL;
	}
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option lopts[] = {
		{ "iface", 1, NULL, 'i' },
		{ "gid-index", 1, NULL, 'g' },
		{ "port", 1, NULL, 'p' },
		{ "size", 1, NULL, 's' },
		{ "iters", 1, NULL, 'n' },
		{ "duration", 1, NULL, 'D' },
		{ "tx-depth", 1, NULL, 't' },
		{ "cq-mod", 1, NULL, 'Q' },
		{ "mtu", 1, NULL, 'm' },
		{ "bidirectional", 0, NULL, 'b' },
		{ "verify", 0, NULL, 'V' },
		{ "timeout", 1, NULL, 'T' },
		{ "cpu", 1, NULL, 'C' },
		{ "frames", 1, NULL, 'F' },
		{ "generic", 0, NULL, 'G' },
		{ "faults", 1, NULL, 'X' },
		{ "verbose", 0, NULL, 'v' },
		{ "help", 0, NULL, 'h' },
		{},
	};
	struct bw b = { .fd = -1, .timeout_ms = 10000, .cq_mod = 1 };
	struct xp_rdma_dev_opts dopts = { .sz = sizeof(dopts) };
	struct xp_tcp_opts topts = { .sz = sizeof(topts), .timeout_ms = 10000 };
	struct result mine = { 0 }, theirs = { 0 }, sum;
	const char *ifname = NULL, *server = NULL;
	unsigned long long v;
	int port = 18515, gidx = 1, cpu = -1, opt, err = 0;
	struct xp_rdma_faults faults = { .sz = sizeof(faults) };
	unsigned int mtu_bytes = 0;

	b.me.size = 65536;
	b.me.iters = 5000;
	b.me.depth = 128;
	b.me.slots = 1;
	while ((opt = getopt_long(argc, argv, "i:g:p:s:n:D:t:Q:m:bvh", lopts, NULL)) != -1) {
		switch (opt) {
		case 'i':
			ifname = optarg;
			break;
		case 'g':
			err = num_arg("-g", optarg, 0, XP_RDMA_GID_TBL_LEN - 1, &v);
			gidx = v;
			break;
		case 'p':
			err = num_arg("-p", optarg, 1, 65535, &v);
			port = v;
			break;
		case 's':
			err = num_arg("-s", optarg, 1, MAX_SIZE, &v);
			b.me.size = v;
			break;
		case 'n':
			err = num_arg("-n", optarg, 1, 1ull << 40, &v);
			b.me.iters = v;
			break;
		case 'D':
			err = num_arg("-D", optarg, 1, 3600, &v);
			b.me.duration = v;
			break;
		case 't':
			err = num_arg("-t", optarg, 1, 4096, &v);
			b.me.depth = v;
			break;
		case 'Q':
			err = num_arg("-Q", optarg, 1, 4096, &v);
			b.cq_mod = v;
			break;
		case 'm':
			err = num_arg("-m", optarg, 256, 4096, &v);
			mtu_bytes = v;
			if (!err && (v & (v - 1))) {
				fprintf(stderr,
					PROG
					": -m %llu: the MTU must be 256, 512, 1024, 2048 or 4096\n",
					v);
				err = -EINVAL;
			}
			break;
		case 'b':
			b.me.bidir = 1;
			break;
		case 'V':
			b.me.verify = 1;
			break;
		case 'T':
			err = num_arg("--timeout", optarg, 1, 3600000, &v);
			b.timeout_ms = v;
			topts.timeout_ms = v;
			break;
		case 'C':
			err = num_arg("--cpu", optarg, 0, CPU_SETSIZE - 1, &v);
			cpu = v;
			break;
		case 'F':
			err = num_arg("--frames", optarg, 64, 1u << 20, &v);
			dopts.nframes = v;
			break;
		case 'G':
			dopts.attach_mode = XP_ATTACH_GENERIC;
			break;
		case 'X':
			if (sscanf(optarg, "%u,%u,%u", &faults.drop_ppm, &faults.dup_ppm,
				   &faults.reorder_ppm) < 1 ||
			    faults.drop_ppm + faults.dup_ppm + faults.reorder_ppm > 1000000) {
				fprintf(stderr,
					PROG
					": --faults '%s': give DROP[,DUP[,REORDER]] in parts per "
					"million, summing to at most 1000000\n",
					optarg);
				return EXIT_FAILURE;
			}
			break;
		case 'v':
			xp_set_log_level(XP_DEBUG);
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return EXIT_FAILURE;
		}
		if (err)
			return EXIT_FAILURE;
	}
	if (optind == argc - 1) {
		server = argv[optind];
	} else if (optind < argc) {
		fprintf(stderr, PROG ": one server address at most (got '%s' and '%s')\n",
			argv[optind], argv[optind + 1]);
		return EXIT_FAILURE;
	}
	if (!ifname) {
		fprintf(stderr, PROG ": -i IFACE is required: the interface the QP runs on\n");
		usage(stderr);
		return EXIT_FAILURE;
	}
	if (b.cq_mod > b.me.depth) {
		fprintf(stderr,
			PROG ": -Q %u is above the tx depth %u; completions would never come\n",
			b.cq_mod, b.me.depth);
		return EXIT_FAILURE;
	}
	if (b.me.verify) {
		b.me.slots = VERIFY_MAX_BYTES / b.me.size;
		if (b.me.slots > VERIFY_MAX_SLOTS)
			b.me.slots = VERIFY_MAX_SLOTS;
		if (!b.me.slots)
			b.me.slots = 1;
	}
	if (cpu >= 0) {
		cpu_set_t set;

		CPU_ZERO(&set);
		CPU_SET(cpu, &set);
		if (sched_setaffinity(0, sizeof(set), &set)) {
			fprintf(stderr, PROG ": cannot pin to CPU %d: %s\n", cpu, strerror(errno));
			return EXIT_FAILURE;
		}
	}
	signal(SIGPIPE, SIG_IGN);
	srand48(getpid() ^ time(NULL));
	b.psn = lrand48() & 0xffffff;
	/* Client seeds are odd, server seeds even: a buffer never holds the peer's pattern by chance. */
	b.me.seed = (lrand48() & 0xfffe) | !!server;

	err = open_dev(&b, ifname, gidx, &dopts);
	if (err) {
		fprintf(stderr, PROG ": cannot set up an RC QP on %s: %s\n", ifname,
			strerror(-err));
		goto out;
	}
	b.mtu = xp_rdma_dev_mtu(b.dev);
	if (faults.drop_ppm || faults.dup_ppm || faults.reorder_ppm) {
		faults.seed = b.psn;
		err = xp_rdma_dev_set_faults(b.dev, &faults);
		if (err) {
			fprintf(stderr, PROG ": --faults: %s\n", strerror(-err));
			goto out;
		}
	}
	if (mtu_bytes) {
		if (xp_mtu_from_bytes(mtu_bytes) > b.mtu) {
			fprintf(stderr,
				PROG ": -m %u is above %s's path MTU %u (netdev MTU less 80)\n",
				mtu_bytes, ifname, xp_mtu_to_bytes(b.mtu));
			err = -EINVAL;
			goto out;
		}
		b.mtu = xp_mtu_from_bytes(mtu_bytes);
	}
	b.me.mtu = xp_mtu_to_bytes(b.mtu);
	if (server) {
		b.fd = xp_tcp_connect(server, port, &topts);
		if (b.fd < 0) {
			err = b.fd;
			fprintf(stderr, PROG ": cannot connect to %s port %d: %s\n", server, port,
				strerror(-err));
			goto out;
		}
		err = client_setup(&b, gidx);
	} else {
		struct xp_tcp_opts aopts = { .sz = sizeof(aopts) }; /* wait for a client forever */
		int lfd = xp_tcp_listen(port, &aopts);

		if (lfd < 0) {
			err = lfd;
			fprintf(stderr, PROG ": cannot listen on TCP port %d: %s\n", port,
				strerror(-err));
			goto out;
		}
		fprintf(stderr, PROG ": ready, listening on port %d\n", port);
		b.fd = xp_tcp_accept_fd(lfd, &aopts);
		if (b.fd < 0) {
			err = b.fd;
			fprintf(stderr, PROG ": cannot accept on port %d: %s\n", port,
				strerror(-err));
			goto out;
		}
		err = server_setup(&b, gidx);
	}
	if (err) {
		fprintf(stderr, PROG ": set-up with the peer failed: %s\n", strerror(-err));
		goto out;
	}
	b.tstamps = calloc(b.me.duration ? 1 : b.me.iters, sizeof(*b.tstamps));
	if (!b.tstamps) {
		err = -ENOMEM;
		goto out;
	}
	if (b.me.duration) {
		/* No iteration count to size by: keep timestamps for a large prefix. */
		free(b.tstamps);
		b.me.iters = 1u << 22;
		b.tstamps = calloc(b.me.iters, sizeof(*b.tstamps));
		if (!b.tstamps) {
			err = -ENOMEM;
			goto out;
		}
	}
	/* From here on, SIGINT stops the test cleanly; before, it just ends us. */
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	print_header(&b, ifname, server);

	if (server || b.me.bidir) {
		err = run_writer(&b, &mine);
		if (err)
			goto out;
		mine.errors = 0;
		err = send_result(b.fd, &mine);
		if (err)
			goto out;
		if (b.me.bidir || !server)
			err = serve_until_done(&b, &theirs);
		else
			err = recv_result(b.fd, &theirs);
	} else {
		err = serve_until_done(&b, &theirs);
		if (!err)
			err = send_result(b.fd, &mine);
	}
	if (err) {
		fprintf(stderr, PROG ": ending the test with the peer failed: %s\n",
			strerror(-err));
		goto out;
	}
	if (theirs.errors) {
		fprintf(stderr, PROG ": the peer reported %d error(s)\n", theirs.errors);
		err = -EIO;
	}
	/* What the peer wrote into our buffer. */
	if (b.me.verify && (b.me.bidir || !server)) {
		if (check_slots(b.buf + b.buf_len / 2, b.me.size, b.me.slots, b.peer.seed,
				theirs.iters))
			err = -EIO;
		else
			printf(PROG ": verify: %u slot(s) of %u bytes hold the peer's data\n",
			       theirs.iters < b.me.slots ? (__u32)theirs.iters : b.me.slots,
			       b.me.size);
	}
	if (b.me.bidir) {
		sum.iters = mine.iters + theirs.iters;
		sum.bytes = mine.bytes + theirs.bytes;
		sum.ns = mine.ns > theirs.ns ? mine.ns : theirs.ns;
		sum.peak = mine.peak + theirs.peak;
		print_line(b.me.size, &sum);
	} else {
		print_line(b.me.size, server ? &mine : &theirs);
	}
	print_qp_stats(stdout, &b);
out:
	if (err && b.qp && b.fd >= 0)
		print_qp_stats(stderr, &b);
	if (b.fd >= 0)
		close(b.fd);
	if (b.qp)
		xp_qp_destroy(b.qp);
	if (b.mr)
		xp_mr_dereg(b.mr);
	if (b.pd)
		xp_pd_free(b.pd);
	xp_cq_destroy(b.scq);
	xp_cq_destroy(b.rcq);
	if (b.dev)
		xp_rdma_dev_close(b.dev);
	free(b.buf);
	free(b.tstamps);
	return err ? EXIT_FAILURE : 0;
}
