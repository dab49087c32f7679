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
 * The messages are in lib/perf_msg.h; the server refuses parameters its
 * own command line would not take, saying which.
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
#include <errno.h>
#include <getopt.h>
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

#define PROG "xp-write-bw"
#define CQ_BATCH 32

struct bw {
	struct rt_rc rc;
	__u8 *buf;
	size_t buf_len;
	struct xpbw_params me, peer;
	unsigned int cq_mod;
	__u64 *tstamps; /* completion times for the peak rate */
	__u64 ntstamps;
	int errors;
};

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

/* ---- the exchange (the messages: lib/perf_msg.h) ---- */

static int send_result(int fd, const struct xpbw_result *r)
{
	char msg[XPBW_MSG_LEN];

	xpbw_result_fmt(r, msg);
	return xp_tcp_write_all(fd, msg, sizeof(msg));
}

static int recv_result(int fd, struct xpbw_result *r)
{
	char msg[XPBW_MSG_LEN], why[XP_PERF_WHY_LEN];
	int err;

	err = xp_tcp_read_all(fd, msg, sizeof(msg));
	if (err)
		return err;
	err = xpbw_result_parse(msg, r, why, sizeof(why));
	if (err == -ERANGE)
		fprintf(stderr, PROG ": the peer's result is out of range: %s\n", why);
	return err;
}

/* ---- set-up ---- */

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
	b->rc.mr = xp_mr_reg(b->rc.pd, b->buf, b->buf_len,
			     XP_ACCESS_LOCAL_WRITE | XP_ACCESS_REMOTE_WRITE | XP_ACCESS_REMOTE_READ,
			     NULL);
	if (!b->rc.mr)
		return -errno;
	b->me.addr = (uintptr_t)b->buf + half;
	b->me.rkey = xp_mr_rkey(b->rc.mr);
	return 0;
}

static int bw_reg_buf(void *ctx)
{
	return reg_buf(ctx);
}

static void bw_fmt(void *ctx, char *msg)
{
	xpbw_params_fmt(&((struct bw *)ctx)->me, msg);
}

/* A server refuses a client's message that does not parse (rt_rc_setup()). */
static int bw_parse(void *ctx, char *msg, char *why, size_t why_len)
{
	return xpbw_params_parse(msg, &((struct bw *)ctx)->peer, why, why_len);
}

/* Server: the client's parameters rule, as if both had been given the same. */
static int bw_adopt(void *ctx, char *msg)
{
	struct bw *b = ctx;
	int err;

	b->me.size = b->peer.size;
	b->me.iters = b->peer.iters;
	b->me.duration = b->peer.duration;
	b->me.bidir = b->peer.bidir;
	b->me.verify = b->peer.verify;
	b->me.slots = b->peer.slots;
	err = rt_rc_adopt_mtu(&b->rc, b->peer.mtu, msg, XPBW_MSG_LEN, "XPBW-REFUSED");
	if (err)
		return err;
	b->me.mtu = b->peer.mtu;
	if (b->me.bidir && b->peer.depth > b->me.depth) {
		rt_refuse(b->rc.fd, msg, XPBW_MSG_LEN, "XPBW-REFUSED",
			  "-b with tx depth %u, but the server's QP was made for %u; "
			  "start the server with -t %u",
			  b->peer.depth, b->me.depth, b->peer.depth);
		return -EINVAL;
	}
	return 0;
}

static const struct rt_setup_ops bw_ops = {
	.msg_len = XPBW_MSG_LEN,
	.refused = "XPBW-REFUSED",
	.reg_buf = bw_reg_buf,
	.fmt = bw_fmt,
	.parse = bw_parse,
	.adopt = bw_adopt,
};

/* ---- the test ---- */

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
static int run_writer(struct bw *b, struct xpbw_result *r)
{
	const __u64 iters = b->me.duration ? UINT64_MAX : b->me.iters;
	const __u64 end_ns = b->me.duration ? rt_now_ns() + b->me.duration * 1000000000ull : 0;
	__u64 posted = 0, done = 0, t0, last_progress;
	struct xp_wc wc[CQ_BATCH];
	bool ended = false;
	int n, i, err;

	t0 = rt_now_ns();
	last_progress = t0;
	while (done < posted || (posted < iters && !ended && !rt_stop)) {
		__u64 t;

		while (posted < iters && posted - done < b->me.depth && !ended && !rt_stop) {
			__u32 slot = posted % b->me.slots;
			struct xp_sge sge = { .addr = (uintptr_t)b->buf + (size_t)slot * b->me.size,
					      .length = b->me.size,
					      .lkey = xp_mr_lkey(b->rc.mr) };
			struct xp_send_wr wr = {
				.wr_id = posted,
				.sg_list = &sge,
				.num_sge = 1,
				.opcode = XP_WR_RDMA_WRITE,
				.rdma = { .remote_addr = b->peer.addr + (__u64)slot * b->me.size,
					  .rkey = b->peer.rkey },
			}, *bad;

			/* Only between batches, so the last WR posted is a signalled one. */
			if (end_ns && posted % b->cq_mod == 0 && rt_now_ns() >= end_ns) {
				ended = true;
				break;
			}
			if ((posted + 1) % b->cq_mod == 0 || posted + 1 == iters)
				wr.send_flags = XP_SEND_SIGNALED;
			err = xp_qp_post_send(b->rc.qp, &wr, &bad);
			if (err == -ENOMEM)
				break; /* send queue full: reap first */
			if (err) {
				fprintf(stderr, PROG ": post_send of WRITE %llu failed: %s\n",
					(unsigned long long)posted, strerror(-err));
				return err;
			}
			posted++;
		}
		if (!xp_rdma_dev_poll(b->rc.dev, 64) && !xp_cq_count(b->rc.scq))
			rt_idle(b->rc.dev);
		n = xp_cq_poll(b->rc.scq, CQ_BATCH, wc);
		if (n < 0) {
			fprintf(stderr, PROG ": poll CQ: %s\n", strerror(-n));
			return n;
		}
		t = rt_now_ns();
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
		} else if (t - last_progress > (__u64)b->rc.timeout_ms * 1000000ull) {
			fprintf(stderr,
				PROG
				": no WRITE completed for %d ms (%llu posted, %llu done, QP %s)\n",
				b->rc.timeout_ms, (unsigned long long)posted,
				(unsigned long long)done, xp_qp_state_str(xp_qp_state(b->rc.qp)));
			return -ETIMEDOUT;
		}
		if (rt_stop && done == posted)
			break;
	}
	if (rt_stop) {
		fprintf(stderr, PROG ": interrupted after %llu WRITEs\n", (unsigned long long)done);
		return -EINTR;
	}
	r->ns = (b->ntstamps ? b->tstamps[b->ntstamps - 1] : rt_now_ns()) - t0;
	r->iters = done;
	r->bytes = done * b->me.size;
	r->peak = peak_rate(b, b->me.size);
	return 0;
}

/* Drive the device (our responder) until the peer's result arrives. */
static int serve_until_done(struct bw *b, struct xpbw_result *peer)
{
	int err = rt_rc_serve(&b->rc);

	if (err == -EINTR)
		fprintf(stderr, PROG ": interrupted\n");
	return err ?: recv_result(b->rc.fd, peer);
}

static void print_header(const struct bw *b, const char *ifname, bool client)
{
	printf("---------------------------------------------------------------------------------------\n");
	printf("                    RDMA_Write %sBW Test (xdpath, AF_XDP)\n",
	       b->me.bidir ? "Bidirectional " : "");
	printf(" Interface      : %-10s Transport type : RC over RoCEv2 (xdpath)\n", ifname);
	printf(" Mtu            : %u[B]      TX depth       : %u    CQ moderation : %u\n",
	       xp_mtu_to_bytes(b->rc.mtu), b->me.depth, b->cq_mod);
	printf(" Role           : %-10s Data check     : %s\n", client ? "client" : "server",
	       b->me.verify ? "on" : "off");
	rt_rc_print_addrs(&b->rc, b->me.rkey, b->me.addr, b->peer.rkey, b->peer.addr);
	printf("---------------------------------------------------------------------------------------\n");
	printf(" #bytes     #iterations    BW peak[MB/sec]    BW average[MB/sec]   MsgRate[Mpps]   BW average[Gb/sec]\n");
	fflush(stdout);
}

static void print_line(__u32 size, const struct xpbw_result *r)
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
		   "      --busy-poll        spin while idle instead of sleeping in poll()\n"
		   "      --frames N         umem frames (default: the library's)\n"
		   "      --generic          attach XDP in generic (skb) mode\n"
		   "  -v, --verbose          library debug messages\n"
		   "  -h, --help\n"
		   "The server takes -s, -n, -D, -b and --verify from the client.\n");
}

int main(int argc, char **argv)
{
	static const struct option lopts[] = {
		{ "iface", 1, NULL, 'i' },    { "gid-index", 1, NULL, 'g' },
		{ "port", 1, NULL, 'p' },     { "size", 1, NULL, 's' },
		{ "iters", 1, NULL, 'n' },    { "duration", 1, NULL, 'D' },
		{ "tx-depth", 1, NULL, 't' }, { "cq-mod", 1, NULL, 'Q' },
		{ "mtu", 1, NULL, 'm' },      { "bidirectional", 0, NULL, 'b' },
		{ "verify", 0, NULL, 'V' },   { "timeout", 1, NULL, 'T' },
		{ "cpu", 1, NULL, 'C' },      { "busy-poll", 0, NULL, 'B' },
		{ "frames", 1, NULL, 'F' },   { "generic", 0, NULL, 'G' },
		{ "faults", 1, NULL, 'X' },   { "verbose", 0, NULL, 'v' },
		{ "help", 0, NULL, 'h' },     {},
	};
	struct bw b = { .rc = { .fd = -1, .timeout_ms = 10000 }, .cq_mod = 1 };
	struct rt_opts o;
	struct xp_tcp_opts topts = { .sz = sizeof(topts), .timeout_ms = 10000 };
	struct xpbw_result mine = { 0 }, theirs = { 0 }, sum;
	unsigned long long v;
	int opt, err = 0;

	rt_prog = PROG;
	rt_opts_init(&o);
	b.me.size = 65536;
	b.me.iters = 5000;
	b.me.depth = 128;
	while ((opt = getopt_long(argc, argv, "i:g:p:s:n:D:t:Q:m:bvh", lopts, NULL)) != -1) {
		err = rt_opts_parse(&o, opt, optarg);
		if (err < 0)
			return EXIT_FAILURE;
		if (err) {
			err = 0;
			continue;
		}
		switch (opt) {
		case 's':
			err = rt_num_arg("-s", optarg, 1, XPBW_MAX_SIZE, &v);
			b.me.size = v;
			break;
		case 'n':
			err = rt_num_arg("-n", optarg, 1, XPBW_MAX_ITERS, &v);
			b.me.iters = v;
			break;
		case 'D':
			err = rt_num_arg("-D", optarg, 1, XPBW_MAX_DURATION, &v);
			b.me.duration = v;
			break;
		case 't':
			err = rt_num_arg("-t", optarg, 1, XPBW_MAX_DEPTH, &v);
			b.me.depth = v;
			break;
		case 'Q':
			err = rt_num_arg("-Q", optarg, 1, 4096, &v);
			b.cq_mod = v;
			break;
		case 'b':
			b.me.bidir = 1;
			break;
		case 'V':
			b.me.verify = 1;
			break;
		case 'B':
			rt_busy_poll = true;
			break;
		case 'F':
			err = rt_num_arg("--frames", optarg, 64, 1u << 20, &v);
			o.dev.nframes = v;
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
	b.rc.timeout_ms = o.timeout_ms;
	if (b.cq_mod > b.me.depth) {
		fprintf(stderr,
			PROG ": -Q %u is above the tx depth %u; completions would never come\n",
			b.cq_mod, b.me.depth);
		return EXIT_FAILURE;
	}
	b.me.slots = xpbw_slots(b.me.size, b.me.verify);
	signal(SIGPIPE, SIG_IGN);
	b.me.seed = rt_rc_random(&b.rc, o.server);

	err = rt_rc_open(&b.rc, o.ifname, o.gidx, &o.dev, b.me.depth + CQ_BATCH, 16, b.me.depth, 1);
	if (err) {
		fprintf(stderr, PROG ": cannot set up an RC QP on %s: %s\n", o.ifname,
			strerror(-err));
		goto out;
	}
	err = rt_rc_paths(&b.rc, o.ifname, &o.faults, o.mtu_bytes);
	if (err)
		goto out;
	b.me.mtu = xp_mtu_to_bytes(b.rc.mtu);
	err = rt_rc_tcp(&b.rc, o.server, o.port, &topts);
	if (err)
		goto out;
	err = rt_rc_setup(&b.rc, o.server, o.gidx, &bw_ops, &b);
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
	rt_catch_stop();
	print_header(&b, o.ifname, o.server);

	if (o.server || b.me.bidir) {
		err = run_writer(&b, &mine);
		if (err)
			goto out;
		mine.errors = 0;
		err = send_result(b.rc.fd, &mine);
		if (err)
			goto out;
		if (b.me.bidir || !o.server)
			err = serve_until_done(&b, &theirs);
		else
			err = recv_result(b.rc.fd, &theirs);
	} else {
		err = serve_until_done(&b, &theirs);
		if (!err)
			err = send_result(b.rc.fd, &mine);
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
	if (b.me.verify && (b.me.bidir || !o.server)) {
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
		print_line(b.me.size, o.server ? &mine : &theirs);
	}
	rt_rc_print_qp_stats(stdout, &b.rc, true);
out:
	if (err && b.rc.qp && b.rc.fd >= 0)
		rt_rc_print_qp_stats(stderr, &b.rc, true);
	rt_rc_close(&b.rc);
	free(b.buf);
	free(b.tstamps);
	return err ? EXIT_FAILURE : 0;
}
