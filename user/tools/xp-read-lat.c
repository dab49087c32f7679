// SPDX-License-Identifier: GPL-2.0
/*
 * xp-read-lat: RDMA latency over an xdpath RC queue pair, in the manner of
 * perftest's ib_read_lat, ib_send_lat and ib_write_lat (our own code, not
 * their wire protocol).
 *
 *	xp-read-lat -i IFACE [-o read|send|write] [options]		server
 *	xp-read-lat -i IFACE [-o read|send|write] [options] SERVER	client
 *
 *   read   the client READs -s bytes (default 2) from the server's buffer,
 *          one at a time, and times each from post to completion (a full
 *          round trip, as ib_read_lat reports it). The server only drives
 *          its device: our responder runs in user space.
 *   send   ping-pong of SENDs of -s bytes (default 64): the client sends,
 *          the server answers each message it receives. Half the round trip
 *          is one sample, as ib_send_lat reports it.
 *   write  ping-pong of WRITEs (default 2 bytes), as ib_write_lat: each side
 *          watches the last byte of its buffer for the peer's next value,
 *          then writes back. Half the round trip is one sample.
 *
 * Set-up over TCP as xp-write-bw (port 18515 by default): the pingpong
 * address message both ways, then the test's parameters (the client's
 * rule; the server refuses what its own command line would not take,
 * lib/perf_msg.h) and each side's buffer, then "ready". The client sends
 * its result line to the server at the end, so both print the same:
 *
 *	#bytes #iterations t_min t_max t_typical t_avg t_stdev 99% 99.9%
 *
 * all in microseconds; t_typical is the median. Percentiles are nearest
 * rank over the samples. A second line, "xp-read-lat: qp ...", has the QP's
 * counters.
 *
 * --verify checks every sample's data: READ returns the server's pattern
 * (the buffer is cleared before each READ), each SEND arrives whole with
 * the sender's pattern, each WRITE carries the writer's pattern.
 *
 * Exit status 0 when every operation completed successfully (and verified).
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <sched.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "xp_exchange.h"
#include "xp_log.h"
#include "xp_rdma_xsk.h"
#include "lib/perf_msg.h"
#include "lib/rdma_tool.h"

#define PROG "xp-read-lat"
#define RX_DEPTH 16
#define SQ_DEPTH 16

static const char *const op_titles[XPLAT_OP_NR] = { "RDMA_Read", "Send", "RDMA_Write" };

struct lat {
	struct rt_rc rc;
	/* sbuf: what we send (pattern); tbuf: what the peer writes or reads; rbuf: receives */
	__u8 *buf, *sbuf, *tbuf, *rbuf;
	size_t buf_len, rslot;
	struct xplat_params me, peer;
	__u64 sends_out; /* signalled sends not yet completed */
	__u64 *samples;
};

static __u8 pattern(__u32 seed, size_t j)
{
	return (__u8)((j * 131u + (j >> 8) * 7u + seed) & 0xff);
}

static void fill(__u8 *buf, size_t len, __u32 seed)
{
	size_t j;

	for (j = 0; j < len; j++)
		buf[j] = pattern(seed, j);
}

/* First byte of buf[0..len) that is not seed's pattern, or -1. */
static long bad_byte(const __u8 *buf, size_t len, __u32 seed)
{
	size_t j;

	for (j = 0; j < len; j++)
		if (buf[j] != pattern(seed, j))
			return j;
	return -1;
}

static int post_recv(struct lat *l, __u32 slot)
{
	struct xp_sge sge = { .addr = (uintptr_t)l->rbuf + slot * l->rslot,
			      .length = l->me.size,
			      .lkey = xp_mr_lkey(l->rc.mr) };
	struct xp_recv_wr wr = { .wr_id = slot, .sg_list = &sge, .num_sge = 1 }, *bad;

	return xp_qp_post_recv(l->rc.qp, &wr, &bad);
}

/*
 * One buffer, one MR: sbuf (size, our pattern), tbuf (size: the READ source
 * with our pattern, or the WRITE target, zeroed), rbuf (RX_DEPTH receive
 * slots).
 */
static int reg_buf(struct lat *l)
{
	size_t sz = (l->me.size + 63) & ~(size_t)63;

	l->rslot = sz;
	l->buf_len = 2 * sz + RX_DEPTH * sz;
	if (posix_memalign((void **)&l->buf, 4096, l->buf_len))
		return -ENOMEM;
	memset(l->buf, 0, l->buf_len);
	l->sbuf = l->buf;
	l->tbuf = l->buf + sz;
	l->rbuf = l->buf + 2 * sz;
	fill(l->sbuf, l->me.size, l->me.seed);
	if (l->me.op == XPLAT_OP_READ)
		fill(l->tbuf, l->me.size, l->me.seed);
	l->rc.mr = xp_mr_reg(l->rc.pd, l->buf, l->buf_len,
			     XP_ACCESS_LOCAL_WRITE | XP_ACCESS_REMOTE_WRITE | XP_ACCESS_REMOTE_READ,
			     NULL);
	if (!l->rc.mr)
		return -errno;
	l->me.addr = (uintptr_t)l->tbuf;
	l->me.rkey = xp_mr_rkey(l->rc.mr);
	return 0;
}

/* Receives go up before the peer hears we are ready, so no SEND meets an empty queue. */
static int lat_connected(void *ctx)
{
	struct lat *l = ctx;
	__u32 i;
	int err;

	for (i = 0; l->me.op == XPLAT_OP_SEND && i < RX_DEPTH; i++) {
		err = post_recv(l, i);
		if (err) {
			fprintf(stderr, PROG ": post_recv: %s\n", strerror(-err));
			return err;
		}
	}
	return 0;
}

static int lat_reg_buf(void *ctx)
{
	return reg_buf(ctx);
}

/* The exchange's messages: lib/perf_msg.h. */
static void lat_fmt(void *ctx, char *msg)
{
	xplat_params_fmt(&((struct lat *)ctx)->me, msg);
}

/* A server refuses a client's message that does not parse (rt_rc_setup()). */
static int lat_parse(void *ctx, char *msg, char *why, size_t why_len)
{
	return xplat_params_parse(msg, &((struct lat *)ctx)->peer, why, why_len);
}

/* Server: the client's test, if it is ours; its parameters rule. */
static int lat_adopt(void *ctx, char *msg)
{
	struct lat *l = ctx;
	int err;

	if (l->peer.op != l->me.op) {
		rt_refuse(l->rc.fd, msg, XPLAT_MSG_LEN, "XPLAT-REFUSED",
			  "the client asked for -o %s, the server runs -o %s",
			  xplat_op_name(l->peer.op), xplat_op_name(l->me.op));
		return -EINVAL;
	}
	err = rt_rc_adopt_mtu(&l->rc, l->peer.mtu, msg, XPLAT_MSG_LEN, "XPLAT-REFUSED");
	if (err)
		return err;
	l->me.mtu = l->peer.mtu;
	l->me.size = l->peer.size;
	l->me.iters = l->peer.iters;
	l->me.verify = l->peer.verify;
	return 0;
}

static const struct rt_setup_ops lat_ops = {
	.msg_len = XPLAT_MSG_LEN,
	.refused = "XPLAT-REFUSED",
	.reg_buf = lat_reg_buf,
	.fmt = lat_fmt,
	.parse = lat_parse,
	.adopt = lat_adopt,
	.connected = lat_connected,
};

/* ---- waiting, with the device driven meanwhile ---- */

static bool overdue(struct lat *l, __u64 start, const char *what, __u64 i)
{
	if (rt_stop) {
		fprintf(stderr, PROG ": interrupted at %s %llu\n", what, (unsigned long long)i);
		return true;
	}
	if (rt_now_ns() - start > (__u64)l->rc.timeout_ms * 1000000ull) {
		fprintf(stderr, PROG ": %s %llu: nothing for %d ms (QP %s)\n", what,
			(unsigned long long)i, l->rc.timeout_ms,
			xp_qp_state_str(xp_qp_state(l->rc.qp)));
		return true;
	}
	return false;
}

/* Take the send completions there are; -EIO on an error status. */
static int reap_sends(struct lat *l)
{
	struct xp_wc wc[SQ_DEPTH];
	int n, i;

	n = xp_cq_poll(l->rc.scq, SQ_DEPTH, wc);
	for (i = 0; i < n; i++) {
		if (wc[i].status != XP_WC_SUCCESS) {
			fprintf(stderr, PROG ": %s %llu completed with status %s (%d)\n",
				op_titles[l->me.op], (unsigned long long)wc[i].wr_id,
				xp_wc_status_str(wc[i].status), wc[i].status);
			return -EIO;
		}
		l->sends_out--;
	}
	return n < 0 ? n : 0;
}

static int post(struct lat *l, __u64 i, enum xp_wr_opcode opc, void *local, __u64 raddr)
{
	struct xp_sge sge = { .addr = (uintptr_t)local,
			      .length = l->me.size,
			      .lkey = xp_mr_lkey(l->rc.mr) };
	struct xp_send_wr wr = {
		.wr_id = i,
		.sg_list = &sge,
		.num_sge = 1,
		.opcode = opc,
		.send_flags = XP_SEND_SIGNALED,
		.rdma = { .remote_addr = raddr, .rkey = l->peer.rkey },
	}, *bad;
	__u64 t0 = rt_now_ns();
	int err;

	/* Room in the send queue: the previous sends must have completed. */
	while (l->sends_out >= SQ_DEPTH) {
		xp_rdma_dev_poll(l->rc.dev, 64);
		err = reap_sends(l);
		if (err)
			return err;
		if (overdue(l, t0, "send completion before", i))
			return -ETIMEDOUT;
	}
	err = xp_qp_post_send(l->rc.qp, &wr, &bad);
	if (err) {
		fprintf(stderr, PROG ": post_send %llu: %s\n", (unsigned long long)i,
			strerror(-err));
		return err;
	}
	l->sends_out++;
	return 0;
}

/* Wait for a receive completion; verify and repost it. */
static int wait_recv(struct lat *l, __u64 i)
{
	__u64 t0 = rt_now_ns();
	struct xp_wc wc;
	long bad;
	int n, err;

	for (;;) {
		xp_rdma_dev_poll(l->rc.dev, 64);
		n = xp_cq_poll(l->rc.rcq, 1, &wc);
		if (n > 0)
			break;
		if (n < 0)
			return n;
		err = reap_sends(l);
		if (err)
			return err;
		if (overdue(l, t0, "receive", i))
			return -ETIMEDOUT;
	}
	if (wc.status != XP_WC_SUCCESS) {
		fprintf(stderr, PROG ": receive %llu completed with status %s (%d)\n",
			(unsigned long long)i, xp_wc_status_str(wc.status), wc.status);
		return -EIO;
	}
	if (l->me.verify) {
		__u8 *buf = l->rbuf + wc.wr_id * l->rslot;

		if (wc.byte_len != l->me.size) {
			fprintf(stderr, PROG ": receive %llu: %u bytes, expected %u\n",
				(unsigned long long)i, wc.byte_len, l->me.size);
			return -EIO;
		}
		bad = bad_byte(buf, l->me.size, l->peer.seed);
		if (bad >= 0) {
			fprintf(stderr,
				PROG ": receive %llu: byte %ld is 0x%02x, expected 0x%02x\n",
				(unsigned long long)i, bad, buf[bad], pattern(l->peer.seed, bad));
			return -EIO;
		}
		memset(buf, 0, l->me.size);
	}
	return post_recv(l, wc.wr_id);
}

/* Wait until the last byte of tbuf reads val (the peer's WRITE arrived). */
static int wait_write(struct lat *l, __u64 i, __u8 val)
{
	volatile __u8 *last = l->tbuf + l->me.size - 1;
	__u64 t0 = rt_now_ns();
	long bad;
	int err;

	while (*last != val) {
		xp_rdma_dev_poll(l->rc.dev, 64);
		err = reap_sends(l);
		if (err)
			return err;
		if (overdue(l, t0, "WRITE from the peer", i))
			return -ETIMEDOUT;
	}
	if (l->me.verify && l->me.size > 1) {
		bad = bad_byte(l->tbuf, l->me.size - 1, l->peer.seed);
		if (bad >= 0) {
			fprintf(stderr, PROG ": WRITE %llu: byte %ld is 0x%02x, expected 0x%02x\n",
				(unsigned long long)i, bad, l->tbuf[bad],
				pattern(l->peer.seed, bad));
			return -EIO;
		}
	}
	return 0;
}

/* The value of the last byte in exchange i: never 0 (the initial), never the previous one. */
static __u8 write_val(__u64 i)
{
	return (__u8)(i % 255 + 1);
}

/* READ i: post, wait for its completion, check it. */
static int do_read(struct lat *l, __u64 i)
{
	__u64 t0 = rt_now_ns();
	long bad;
	int err;

	err = post(l, i, XP_WR_RDMA_READ, l->sbuf, l->peer.addr);
	while (!err && l->sends_out) {
		xp_rdma_dev_poll(l->rc.dev, 64);
		err = reap_sends(l);
		if (!err && l->sends_out && overdue(l, t0, "READ", i))
			err = -ETIMEDOUT;
	}
	if (err || !l->me.verify)
		return err;
	bad = bad_byte(l->sbuf, l->me.size, l->peer.seed);
	if (bad >= 0) {
		fprintf(stderr, PROG ": READ %llu: byte %ld is 0x%02x, expected 0x%02x\n",
			(unsigned long long)i, bad, l->sbuf[bad], pattern(l->peer.seed, bad));
		return -EIO;
	}
	memset(l->sbuf, 0, l->me.size);
	return 0;
}

static int client_loop(struct lat *l)
{
	__u64 i, t0;
	int err = 0;

	for (i = 0; i < l->me.iters && !err; i++) {
		t0 = rt_now_ns();
		switch (l->me.op) {
		case XPLAT_OP_READ:
			err = do_read(l, i);
			if (!err)
				l->samples[i] = rt_now_ns() - t0;
			break;
		case XPLAT_OP_SEND:
			err = post(l, i, XP_WR_SEND, l->sbuf, 0) ?: wait_recv(l, i);
			if (!err)
				l->samples[i] = (rt_now_ns() - t0) / 2;
			break;
		case XPLAT_OP_WRITE:
			l->sbuf[l->me.size - 1] = write_val(i);
			err = post(l, i, XP_WR_RDMA_WRITE, l->sbuf, l->peer.addr) ?:
				      wait_write(l, i, write_val(i));
			if (!err)
				l->samples[i] = (rt_now_ns() - t0) / 2;
			break;
		}
	}
	return err;
}

/* Server: answer each exchange (send, write), or just drive the device (read). */
static int server_loop(struct lat *l)
{
	__u64 i, spins;
	int err = 0;

	if (l->me.op == XPLAT_OP_READ)
		return rt_rc_serve(&l->rc);
	for (i = 0; i < l->me.iters && !err; i++) {
		if (l->me.op == XPLAT_OP_SEND) {
			err = wait_recv(l, i) ?: post(l, i, XP_WR_SEND, l->sbuf, 0);
		} else {
			err = wait_write(l, i, write_val(i));
			l->sbuf[l->me.size - 1] = write_val(i);
			err = err ?: post(l, i, XP_WR_RDMA_WRITE, l->sbuf, l->peer.addr);
		}
	}
	/* Our last answer must be acknowledged before we stop driving the QP. */
	spins = rt_now_ns();
	while (!err && l->sends_out) {
		xp_rdma_dev_poll(l->rc.dev, 64);
		err = reap_sends(l);
		if (!err && l->sends_out && overdue(l, spins, "last answer", i))
			err = -ETIMEDOUT;
	}
	return err;
}

static int cmp_u64(const void *a, const void *b)
{
	__u64 x = *(const __u64 *)a, y = *(const __u64 *)b;

	return x < y ? -1 : x > y;
}

/* Nearest rank: the smallest sample with at least p of them at or below it. */
static double pct(const __u64 *s, __u64 n, double p)
{
	__u64 k = (__u64)ceil(p * n);

	return s[k ? k - 1 : 0] / 1e3;
}

static void fmt_result(const struct lat *l, char line[XPLAT_MSG_LEN])
{
	__u64 n = l->me.iters, i;
	double sum = 0, sq = 0, avg, sd;

	qsort(l->samples, n, sizeof(*l->samples), cmp_u64);
	for (i = 0; i < n; i++)
		sum += l->samples[i] / 1e3;
	avg = sum / n;
	for (i = 0; i < n; i++)
		sq += (l->samples[i] / 1e3 - avg) * (l->samples[i] / 1e3 - avg);
	sd = n > 1 ? sqrt(sq / (n - 1)) : 0;
	snprintf(line, XPLAT_MSG_LEN,
		 " %-7u %-10llu %-13.2f %-13.2f %-15.2f %-13.2f %-14.2f %-21.2f %.2f", l->me.size,
		 (unsigned long long)n, l->samples[0] / 1e3, l->samples[n - 1] / 1e3,
		 pct(l->samples, n, 0.5), avg, sd, pct(l->samples, n, 0.99),
		 pct(l->samples, n, 0.999));
}

static void print_header(const struct lat *l, const char *ifname, bool client)
{
	printf("---------------------------------------------------------------------------------------\n");
	printf("                    %s Latency Test (xdpath, AF_XDP)\n", op_titles[l->me.op]);
	printf(" Interface      : %-10s Transport type : RC over RoCEv2 (xdpath)\n", ifname);
	printf(" Mtu            : %u[B]      Role           : %-8s Data check : %s\n",
	       xp_mtu_to_bytes(l->rc.mtu), client ? "client" : "server",
	       l->me.verify ? "on" : "off");
	rt_rc_print_addrs(&l->rc, l->me.rkey, l->me.addr, l->peer.rkey, l->peer.addr);
	printf("---------------------------------------------------------------------------------------\n");
	printf(" #bytes #iterations    t_min[usec]    t_max[usec]  t_typical[usec]    t_avg[usec]    t_stdev[usec]   99%% percentile[usec]   99.9%% percentile[usec]\n");
	fflush(stdout);
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: " PROG " -i IFACE [options] [SERVER]\n"
		"  RDMA latency over an xdpath RC QP; server without SERVER.\n"
		"  -i, --iface IFACE      interface (required)\n"
		"  -o, --op OP            read (default), send or write\n"
		"  -g, --gid-index N      our GID (default 1: the first IPv4 address)\n"
		"  -p, --port PORT        TCP port of the exchange (default 18515)\n"
		"  -s, --size BYTES       message size, 1..2^24 (default 2; 64 for send)\n"
		"  -n, --iters N          samples, 1..10^8 (default 1000)\n"
		"  -m, --mtu BYTES        path MTU 256..4096 (default: the device's)\n"
		"      --verify           check every sample's data\n"
		"      --timeout MS       fail after MS ms without progress (default 10000)\n"
		"      --cpu N            pin to CPU N\n"
		"      --generic          attach XDP in generic (skb) mode\n"
		"      --faults D[,U[,R]] test: drop, duplicate, reorder received frames (ppm)\n"
		"  -v, --verbose          library debug messages\n"
		"  -h, --help\n"
		"Both sides give the same -o; the server takes -s, -n and --verify from the client.\n");
}

int main(int argc, char **argv)
{
	static const struct option lopts[] = {
		{ "iface", 1, NULL, 'i' },
		{ "op", 1, NULL, 'o' },
		{ "gid-index", 1, NULL, 'g' },
		{ "port", 1, NULL, 'p' },
		{ "size", 1, NULL, 's' },
		{ "iters", 1, NULL, 'n' },
		{ "mtu", 1, NULL, 'm' },
		{ "verify", 0, NULL, 'V' },
		{ "timeout", 1, NULL, 'T' },
		{ "cpu", 1, NULL, 'C' },
		{ "generic", 0, NULL, 'G' },
		{ "faults", 1, NULL, 'X' },
		{ "verbose", 0, NULL, 'v' },
		{ "help", 0, NULL, 'h' },
		{},
	};
	struct lat l = { .rc = { .fd = -1, .timeout_ms = 10000 } };
	struct rt_opts o;
	struct xp_tcp_opts topts = { .sz = sizeof(topts), .timeout_ms = 10000 };
	char line[XPLAT_MSG_LEN];
	unsigned long long v;
	int opt, err = 0;
	bool size_set = false;

	rt_prog = PROG;
	rt_opts_init(&o);
	/* Latency: spin like perftest; a sleeping responder adds its wake-up. */
	rt_busy_poll = true;
	l.me.iters = 1000;
	while ((opt = getopt_long(argc, argv, "i:o:g:p:s:n:m:vh", lopts, NULL)) != -1) {
		err = rt_opts_parse(&o, opt, optarg);
		if (err < 0)
			return EXIT_FAILURE;
		if (err) {
			err = 0;
			continue;
		}
		switch (opt) {
		case 'o':
			if (xplat_op_from_name(optarg, &l.me.op)) {
				fprintf(stderr, PROG ": -o '%s': use read, send or write\n",
					optarg);
				return EXIT_FAILURE;
			}
			break;
		case 's':
			err = rt_num_arg("-s", optarg, 1, XPLAT_MAX_SIZE, &v);
			l.me.size = v;
			size_set = true;
			break;
		case 'n':
			err = rt_num_arg("-n", optarg, 1, XPLAT_MAX_ITERS, &v);
			l.me.iters = v;
			break;
		case 'V':
			l.me.verify = 1;
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
	if (rt_opts_finish(&o, argc, argv, usage))
		return EXIT_FAILURE;
	topts.timeout_ms = o.timeout_ms;
	l.rc.timeout_ms = o.timeout_ms;
	if (!size_set)
		l.me.size = l.me.op == XPLAT_OP_SEND ? 64 : 2;
	signal(SIGPIPE, SIG_IGN);
	l.me.seed = rt_rc_random(&l.rc, o.server);

	err = rt_rc_open(&l.rc, o.ifname, o.gidx, &o.dev, 2 * (RX_DEPTH + SQ_DEPTH),
			 2 * (RX_DEPTH + SQ_DEPTH), SQ_DEPTH, RX_DEPTH);
	if (err) {
		fprintf(stderr, PROG ": cannot set up an RC QP on %s: %s\n", o.ifname,
			strerror(-err));
		goto out;
	}
	err = rt_rc_paths(&l.rc, o.ifname, &o.faults, o.mtu_bytes);
	if (err)
		goto out;
	l.me.mtu = xp_mtu_to_bytes(l.rc.mtu);
	err = rt_rc_tcp(&l.rc, o.server, o.port, &topts);
	if (err)
		goto out;
	err = rt_rc_setup(&l.rc, o.server, o.gidx, &lat_ops, &l);
	if (err) {
		fprintf(stderr, PROG ": set-up with the peer failed: %s\n", strerror(-err));
		goto out;
	}
	/* From here on, SIGINT stops the test cleanly; before, it just ends us. */
	rt_catch_stop();
	print_header(&l, o.ifname, o.server);
	if (o.server) {
		l.samples = calloc(l.me.iters, sizeof(*l.samples));
		if (!l.samples) {
			err = -ENOMEM;
			goto out;
		}
		err = client_loop(&l);
		memset(line, 0, sizeof(line));
		if (err)
			snprintf(line, sizeof(line), "XPLAT-FAILED");
		else
			fmt_result(&l, line);
		if (xp_tcp_write_all(l.rc.fd, line, sizeof(line)) && !err)
			err = -EPIPE;
	} else {
		err = server_loop(&l);
		if (!err)
			err = xp_tcp_read_all(l.rc.fd, line, sizeof(line));
		line[XPLAT_MSG_LEN - 1] = 0;
		if (!err && !strcmp(line, "XPLAT-FAILED")) {
			fprintf(stderr, PROG ": the client failed\n");
			err = -EIO;
		}
	}
	if (err)
		goto out;
	printf("%s\n", line);
	printf("---------------------------------------------------------------------------------------\n");
	rt_rc_print_qp_stats(stdout, &l.rc, false);
out:
	if (err && l.rc.qp && l.rc.fd >= 0)
		rt_rc_print_qp_stats(stderr, &l.rc, false);
	rt_rc_close(&l.rc);
	free(l.buf);
	free(l.samples);
	return err ? EXIT_FAILURE : 0;
}
