// SPDX-License-Identifier: GPL-2.0
/*
 * xp-bench: an xdpsock-style AF_XDP benchmark over libxdpath.
 *
 *   rxdrop  receive and drop (frames go straight back to the fill ring)
 *   txonly  transmit one template frame as fast as the socket takes it
 *   l2fwd   receive, swap the MAC addresses, transmit back
 *
 * The steering program is attached if the interface has none, and detached
 * again at exit; an existing one (ip link, bpftool, xpctl) is used as is.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <net/if.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>

#include "xp_log.h"
#include "xp_neigh.h"
#include "xp_pktgen.h"
#include "xp_steer.h"
#include "xp_xsk.h"

enum bench_mode { RXDROP, TXONLY, L2FWD };

struct config {
	enum bench_mode mode;
	const char *ifname;
	int ifindex;
	__u32 queue;
	__u32 batch;
	__u32 frame_size;
	__u32 nframes;
	__u32 ring_size;
	__u32 packet_size;
	enum xp_xsk_mode xsk_mode;
	enum xp_attach_mode attach_mode;
	bool force;
	bool no_need_wakeup;
	bool busy_poll;
	__u32 busy_budget;
	bool use_poll;
	bool unaligned;
	bool json;
	bool verify;
	bool debug_pool;
	bool multi_buffer; /* XDP_USE_SG: packets may span several frames */
	int cpu;
	double duration;
	__u64 count;
	__u64 rate; /* txonly: frames per second, 0 = as fast as possible */
	struct xp_pktgen_template_opts tmpl;
};

struct result {
	__u64 verify_ok;
	__u64 verify_bad;
	__u64 duplicates;
	__u64 tx_dropped; /* l2fwd frames that found no room on the tx ring */
	double elapsed;
	/* Packets moved (rx, or tx completions for txonly) between the first
	 * and the last sample that saw them move: the rate while traffic ran. */
	double active_first, active_last;
	__u64 active_base, active_packets;
};

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	stop = 1;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static const char *mode_name(enum bench_mode m)
{
	return m == RXDROP ? "rxdrop" : m == TXONLY ? "txonly" : "l2fwd";
}

static void usage(FILE *f)
{
	fprintf(f, "Usage: xp-bench MODE -i IFACE [options]\n"
		   "MODE: rxdrop | txonly | l2fwd\n"
		   "  -i, --interface IFACE   interface (required)\n"
		   "  -q, --queue N           queue id (default 0)\n"
		   "  -b, --batch N           descriptors per ring operation (default 64)\n"
		   "  -f, --frame-size N      umem chunk size (default 4096)\n"
		   "  -F, --frames N          umem frames (default 4096)\n"
		   "  -r, --ring-size N       rx/tx/fill/completion ring entries (default 2048)\n"
		   "  -s, --packet-size N     txonly frame size, verify size (default 64)\n"
		   "  -u, --unaligned         unaligned chunk mode\n"
		   "  -M, --multi-buffer      XDP_USE_SG: packets larger than a frame, as chains\n"
		   "                          of frames (txonly -s up to 9018; xdp.frags)\n"
		   "  -c, --copy              force copy mode\n"
		   "  -z, --zero-copy         force zero-copy mode (default: try it, fall back)\n"
		   "  -N, --native            attach the steering program in native mode\n"
		   "  -S, --generic           attach the steering program in generic mode\n"
		   "      --force             replace another XDP program on the interface\n"
		   "  -m, --no-need-wakeup    turn need_wakeup off\n"
		   "  -B, --busy-poll         busy polling (SO_PREFER_BUSY_POLL, SO_BUSY_POLL)\n"
		   "      --busy-budget N     SO_BUSY_POLL_BUDGET (default 64)\n"
		   "  -p, --poll              wait in poll() instead of spinning\n"
		   "  -d, --duration SECONDS  stop after this long (default: until ^C)\n"
		   "  -n, --count N           stop after N packets (rx; tx for txonly)\n"
		   "  -R, --rate PPS          txonly: at most PPS frames per second\n"
		   "      --cpu N             pin to CPU N\n"
		   "      --verify            check received frames against xp-gen's template\n"
		   "      --src-ip A --dst-ip B  template addresses (txonly, --verify)\n"
		   "      --port N --qpn N    template UDP port and dest QPN\n"
		   "      --debug-pool        track every frame's owner and audit at exit\n"
		   "  -j, --json              JSON summary on stdout (stats lines go to stderr)\n"
		   "  -v, --verbose           debug messages, including libbpf's\n"
		   "  -h, --help\n");
}

static int parse_u32(const char *s, const char *what, __u32 *out, __u32 min, __u32 max)
{
	unsigned long long v;
	char *end;

	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || *end || end == s || v < min || v > max) {
		fprintf(stderr, "xp-bench: %s '%s' is invalid: expected %u..%u\n", what, s, min,
			max);
		return -EINVAL;
	}
	*out = v;
	return 0;
}

static int parse_ip(const char *s, struct xp_pktgen_template_opts *t, bool dst)
{
	union xp_pktgen_addr *a = dst ? &t->dst_ip : &t->src_ip;
	int family = strchr(s, ':') ? AF_INET6 : AF_INET;

	if (inet_pton(family, s, a) != 1) {
		fprintf(stderr, "xp-bench: '%s' is not an IPv4 or IPv6 address\n", s);
		return -EINVAL;
	}
	if (t->family && t->family != family) {
		fprintf(stderr, "xp-bench: --src-ip and --dst-ip must be the same family\n");
		return -EINVAL;
	}
	t->family = family;
	return 0;
}

enum {
	OPT_FORCE = 256,
	OPT_BUDGET,
	OPT_CPU,
	OPT_VERIFY,
	OPT_SRC,
	OPT_DST,
	OPT_PORT,
	OPT_QPN,
	OPT_DEBUG_POOL
};

static const struct option long_opts[] = { { "interface", required_argument, NULL, 'i' },
					   { "queue", required_argument, NULL, 'q' },
					   { "batch", required_argument, NULL, 'b' },
					   { "frame-size", required_argument, NULL, 'f' },
					   { "frames", required_argument, NULL, 'F' },
					   { "ring-size", required_argument, NULL, 'r' },
					   { "packet-size", required_argument, NULL, 's' },
					   { "unaligned", no_argument, NULL, 'u' },
					   { "multi-buffer", no_argument, NULL, 'M' },
					   { "copy", no_argument, NULL, 'c' },
					   { "zero-copy", no_argument, NULL, 'z' },
					   { "native", no_argument, NULL, 'N' },
					   { "generic", no_argument, NULL, 'S' },
					   { "force", no_argument, NULL, OPT_FORCE },
					   { "no-need-wakeup", no_argument, NULL, 'm' },
					   { "busy-poll", no_argument, NULL, 'B' },
					   { "busy-budget", required_argument, NULL, OPT_BUDGET },
					   { "poll", no_argument, NULL, 'p' },
					   { "duration", required_argument, NULL, 'd' },
					   { "count", required_argument, NULL, 'n' },
					   { "rate", required_argument, NULL, 'R' },
					   { "cpu", required_argument, NULL, OPT_CPU },
					   { "verify", no_argument, NULL, OPT_VERIFY },
					   { "src-ip", required_argument, NULL, OPT_SRC },
					   { "dst-ip", required_argument, NULL, OPT_DST },
					   { "port", required_argument, NULL, OPT_PORT },
					   { "qpn", required_argument, NULL, OPT_QPN },
					   { "debug-pool", no_argument, NULL, OPT_DEBUG_POOL },
					   { "json", no_argument, NULL, 'j' },
					   { "verbose", no_argument, NULL, 'v' },
					   { "help", no_argument, NULL, 'h' },
					   {} };

static int parse_args(int argc, char **argv, struct config *c)
{
	__u32 v;
	int opt;

	if (argc < 2 || argv[1][0] == '-') {
		if (argc >= 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
			usage(stdout);
			exit(EXIT_SUCCESS);
		}
		usage(stderr);
		return -EINVAL;
	}
	if (!strcmp(argv[1], "rxdrop"))
		c->mode = RXDROP;
	else if (!strcmp(argv[1], "txonly"))
		c->mode = TXONLY;
	else if (!strcmp(argv[1], "l2fwd"))
		c->mode = L2FWD;
	else {
		fprintf(stderr, "xp-bench: unknown mode '%s': use rxdrop, txonly or l2fwd\n",
			argv[1]);
		return -EINVAL;
	}
	optind = 2;
	while ((opt = getopt_long(argc, argv, "i:q:b:f:F:r:s:uMczNSmBpd:n:R:jvh", long_opts,
				  NULL)) != -1) {
		switch (opt) {
		case 'i':
			c->ifname = optarg;
			break;
		case 'q':
			if (parse_u32(optarg, "queue", &c->queue, 0, 4095))
				return -EINVAL;
			break;
		case 'b':
			if (parse_u32(optarg, "batch size", &c->batch, 1, 4096))
				return -EINVAL;
			break;
		case 'f':
			/* The umem rules are checked by the library, with reasons. */
			if (parse_u32(optarg, "frame size", &c->frame_size, 1, 1 << 16))
				return -EINVAL;
			break;
		case 'F':
			if (parse_u32(optarg, "frame count", &c->nframes, 16, 1 << 20))
				return -EINVAL;
			break;
		case 'r':
			if (parse_u32(optarg, "ring size", &c->ring_size, 1, 1 << 16))
				return -EINVAL;
			break;
		case 's':
			if (parse_u32(optarg, "packet size", &c->packet_size, XP_GEN_FRAME_MIN,
				      XP_GEN_TEMPLATE_MAX))
				return -EINVAL;
			break;
		case 'u':
			c->unaligned = true;
			break;
		case 'M':
			c->multi_buffer = true;
			break;
		case 'c':
			c->xsk_mode = XP_XSK_COPY;
			break;
		case 'z':
			c->xsk_mode = XP_XSK_ZEROCOPY;
			break;
		case 'N':
			c->attach_mode = XP_ATTACH_NATIVE;
			break;
		case 'S':
			c->attach_mode = XP_ATTACH_GENERIC;
			break;
		case OPT_FORCE:
			c->force = true;
			break;
		case 'm':
			c->no_need_wakeup = true;
			break;
		case 'B':
			c->busy_poll = true;
			break;
		case OPT_BUDGET:
			if (parse_u32(optarg, "busy-poll budget", &c->busy_budget, 1, 65535))
				return -EINVAL;
			break;
		case 'p':
			c->use_poll = true;
			break;
		case 'd':
			c->duration = strtod(optarg, NULL);
			if (c->duration <= 0) {
				fprintf(stderr,
					"xp-bench: duration '%s' must be a positive number of seconds\n",
					optarg);
				return -EINVAL;
			}
			break;
		case 'n':
			errno = 0;
			c->count = strtoull(optarg, NULL, 0);
			if (errno || !c->count) {
				fprintf(stderr, "xp-bench: count '%s' must be a positive number\n",
					optarg);
				return -EINVAL;
			}
			break;
		case 'R':
			errno = 0;
			c->rate = strtoull(optarg, NULL, 0);
			if (errno || !c->rate) {
				fprintf(stderr,
					"xp-bench: rate '%s' must be a positive number of frames per second\n",
					optarg);
				return -EINVAL;
			}
			break;
		case OPT_CPU:
			if (parse_u32(optarg, "cpu", &v, 0, CPU_SETSIZE - 1))
				return -EINVAL;
			c->cpu = v;
			break;
		case OPT_VERIFY:
			c->verify = true;
			break;
		case OPT_SRC:
		case OPT_DST:
			if (parse_ip(optarg, &c->tmpl, opt == OPT_DST))
				return -EINVAL;
			break;
		case OPT_PORT:
			if (parse_u32(optarg, "port", &v, 1, 65535))
				return -EINVAL;
			c->tmpl.dst_port = v;
			break;
		case OPT_QPN:
			if (parse_u32(optarg, "QPN", &c->tmpl.dest_qpn, 1, 0xffffff))
				return -EINVAL;
			break;
		case OPT_DEBUG_POOL:
			c->debug_pool = true;
			break;
		case 'j':
			c->json = true;
			break;
		case 'v':
			xp_set_log_level(XP_DEBUG);
			break;
		case 'h':
			usage(stdout);
			exit(EXIT_SUCCESS);
		default:
			usage(stderr);
			return -EINVAL;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "xp-bench: unexpected argument '%s'\n", argv[optind]);
		return -EINVAL;
	}
	if (!c->ifname) {
		fprintf(stderr, "xp-bench: -i IFACE is required\n");
		return -EINVAL;
	}
	c->ifindex = if_nametoindex(c->ifname);
	if (!c->ifindex) {
		fprintf(stderr, "xp-bench: no interface named '%s'\n", c->ifname);
		return -ENODEV;
	}
	if (c->rate && c->mode != TXONLY) {
		fprintf(stderr, "xp-bench: --rate paces transmission: use it with txonly\n");
		return -EINVAL;
	}
	if (c->verify && c->mode == TXONLY) {
		fprintf(stderr,
			"xp-bench: --verify checks received frames: use it with rxdrop or l2fwd\n");
		return -EINVAL;
	}
	return 0;
}

/* Build the frame txonly sends, or the one --verify expects. */
static int build_template(struct config *c, struct xp_pktgen_template *t)
{
	struct xp_pktgen_template_opts o = c->tmpl;
	int err;

	o.sz = sizeof(o);
	o.frame_size = c->packet_size;
	if (!o.family) {
		/* xp-gen's defaults, so --verify matches its frames as is */
		o.family = AF_INET;
		inet_pton(AF_INET, "198.18.0.1", &o.src_ip);
		inet_pton(AF_INET, "198.18.0.2", &o.dst_ip);
	}
	if (c->mode == TXONLY) {
		xp_link_info(c->ifindex, o.src_mac, NULL);
		if (xp_neigh_resolve(c->ifindex, o.family ?: AF_INET, &o.dst_ip, o.dst_mac))
			memset(o.dst_mac, 0xff, sizeof(o.dst_mac));
	}
	err = xp_pktgen_build(t, &o);
	if (err)
		fprintf(stderr, "xp-bench: cannot build the frame template\n");
	return err;
}

/* --multi-buffer: the largest packet --verify gathers, and txonly sends. */
#define XP_BENCH_MAX_PACKET (16 * 4096)

struct bench {
	struct config *c;
	struct xp_xsk *xsk;
	struct xp_pool *pool;
	struct xp_pktgen_template tmpl;
	void *area;
	__u8 *seen; /* --verify with --count: one bit per sequence number */
	double tx_start; /* txonly pacing starts here */
	__u32 segs; /* frames per packet: txonly with --multi-buffer, else 1 */
	__u64 tx_seq; /* txonly: the next packet's sequence number */
	/* --multi-buffer: where the packet being received stands */
	bool mid_packet; /* the last descriptor seen had XDP_PKT_CONTD */
	__u8 *sg_buf; /* --verify: the packet gathered from its frames */
	__u32 sg_len;
	bool sg_overflow;
	struct result res;
};

/* Say where the first bad frame differs from the template (once). */
static void report_mismatch(const struct xp_pktgen_template *t, const __u8 *data, __u32 len)
{
	__u32 i;

	if (len != t->len) {
		fprintf(stderr, "xp-bench: verify: frame of %u bytes, expected %u\n", len, t->len);
		return;
	}
	for (i = 12; i < len; i++) {
		if (i >= t->seq_off && i < t->seq_off + (__u32)XP_GEN_SEQ_LEN)
			continue;
		if (data[i] != t->data[i]) {
			fprintf(stderr,
				"xp-bench: verify: first difference at byte %u: 0x%02x, expected 0x%02x\n",
				i, data[i], t->data[i]);
			return;
		}
	}
}

static void verify_frame(struct bench *b, const void *data, __u32 len)
{
	__u64 seq;

	if (xp_pktgen_verify(&b->tmpl, data, len, &seq)) {
		if (!b->res.verify_bad++)
			report_mismatch(&b->tmpl, data, len);
		return;
	}
	b->res.verify_ok++;
	if (b->seen && seq < b->c->count) {
		if (b->seen[seq / 8] & (1 << (seq % 8)))
			b->res.duplicates++;
		b->seen[seq / 8] |= 1 << (seq % 8);
	}
}

/*
 * --verify for one received descriptor: a frame, or with --multi-buffer one
 * piece of a packet, gathered until its last piece.
 */
static void verify_desc(struct bench *b, const struct xdp_desc *d)
{
	const __u8 *data = xp_umem_data(b->area, d->addr);

	if (!b->c->multi_buffer) {
		verify_frame(b, data, d->len);
		return;
	}
	if (b->sg_len + d->len <= XP_BENCH_MAX_PACKET) {
		memcpy(b->sg_buf + b->sg_len, data, d->len);
		b->sg_len += d->len;
	} else {
		b->sg_overflow = true;
	}
	if (d->options & XDP_PKT_CONTD)
		return;
	if (b->sg_overflow) {
		if (!b->res.verify_bad++)
			fprintf(stderr, "xp-bench: verify: a packet of more than %u bytes\n",
				XP_BENCH_MAX_PACKET);
	} else {
		verify_frame(b, b->sg_buf, b->sg_len);
	}
	b->sg_len = 0;
	b->sg_overflow = false;
}

/* Descriptors queued for tx and not completed yet. */
static __u64 tx_in_flight(const struct xp_xsk_stats *st)
{
	return st->tx_packets + st->tx_frags - st->tx_completed;
}

/* Copy mode sends only from sendto(): kick while frames are queued. */
static void kick_if_pending(struct bench *b)
{
	if (tx_in_flight(xp_xsk_counters(b->xsk)))
		xp_xsk_kick_tx(b->xsk);
}

static void wait_for_work(struct bench *b)
{
	if (b->c->use_poll)
		xp_xsk_poll(b->xsk, 100);
}

static void do_rxdrop(struct bench *b)
{
	struct xp_ring *rx = xp_xsk_rx_ring(b->xsk);
	__u64 addrs[4096 + XP_XSK_MAX_CHAIN];
	__u32 idx, n, i;

	n = xp_xsk_rx_peek(b->xsk, b->c->batch, &idx);
	if (!n) {
		wait_for_work(b);
		return;
	}
	for (i = 0; i < n; i++) {
		const struct xdp_desc *d = xp_ring_desc(rx, idx + i);

		if (b->c->verify)
			verify_desc(b, d);
		addrs[i] = d->addr;
	}
	xp_xsk_rx_release(b->xsk, n);
	xp_xsk_recycle(b->xsk, addrs, n);
}

static void swap_macs(__u8 *p)
{
	__u8 tmp[6];

	memcpy(tmp, p, 6);
	memcpy(p, p + 6, 6);
	memcpy(p + 6, tmp, 6);
}

static void do_l2fwd(struct bench *b)
{
	struct xp_ring *rx = xp_xsk_rx_ring(b->xsk);
	struct xdp_desc descs[4096 + XP_XSK_MAX_CHAIN];
	__u32 idx, n, i, sent = 0, tries;

	xp_xsk_complete(b->xsk, b->c->ring_size);
	xp_xsk_fill(b->xsk, b->c->batch);
	n = xp_xsk_rx_peek(b->xsk, b->c->batch, &idx);
	if (!n) {
		kick_if_pending(b);
		wait_for_work(b);
		return;
	}
	for (i = 0; i < n; i++) {
		const struct xdp_desc *d = xp_ring_desc(rx, idx + i);
		__u8 *data = xp_umem_data(b->area, d->addr);

		if (b->c->verify)
			verify_desc(b, d);
		/* The Ethernet header is in a packet's first frame only. */
		if (!b->mid_packet)
			swap_macs(data);
		b->mid_packet = d->options & XDP_PKT_CONTD;
		descs[i].addr = d->addr;
		descs[i].len = d->len;
		descs[i].options = d->options & XDP_PKT_CONTD;
	}
	xp_xsk_rx_release(b->xsk, n);

	/* Never lose a frame: wait for tx room, within reason. */
	for (tries = 0; sent < n && tries < 1000; tries++) {
		sent += xp_xsk_tx(b->xsk, descs + sent, n - sent, XP_OWN_RX);
		if (sent < n)
			xp_xsk_complete(b->xsk, b->c->ring_size);
	}
	if (sent < n) {
		__u64 addrs[4096 + XP_XSK_MAX_CHAIN];

		for (i = sent; i < n; i++)
			addrs[i - sent] = descs[i].addr;
		xp_pool_free(b->pool, addrs, n - sent, XP_OWN_RX);
		b->res.tx_dropped += n - sent;
	}
}

/* Stamp the packet's sequence number, big-endian, as xp-gen does. */
static void stamp_seq(struct bench *b, __u8 *first_frame)
{
	__u64 seq = b->tx_seq++;
	int i;

	for (i = XP_GEN_SEQ_LEN - 1; i >= 0; i--, seq >>= 8)
		first_frame[b->tmpl.seq_off + i] = (__u8)seq;
}

/*
 * Fill the descriptors of n packets from addrs: one frame each, holding the
 * template already; with several segments per packet, the template's
 * pieces are copied in, all frames but a packet's last say XDP_PKT_CONTD,
 * and each packet gets the next sequence number (in its first frame: the
 * headers and the number are well within one frame), so that --verify
 * with --count at the receiver tells duplicates from packets.
 */
static void txonly_descs(struct bench *b, const __u64 *addrs, __u32 n, struct xdp_desc *descs)
{
	__u32 seg = b->c->frame_size, i, k;

	for (i = 0; i < n; i++) {
		for (k = 0; k < b->segs; k++) {
			struct xdp_desc *d = &descs[i * b->segs + k];
			__u32 off = k * seg;

			d->addr = addrs[i * b->segs + k];
			d->len = b->tmpl.len - off < seg ? b->tmpl.len - off : seg;
			d->options = k + 1 < b->segs ? XDP_PKT_CONTD : 0;
			if (b->segs > 1)
				memcpy(xp_umem_data(b->area, d->addr), b->tmpl.data + off, d->len);
		}
		/* Only where the frames are written anyway: a single-frame
		 * packet is sent as the template left it, untouched. */
		if (b->segs > 1)
			stamp_seq(b, xp_umem_data(b->area, addrs[i * b->segs]));
	}
}

/* txonly: every frame already holds the template; send them round robin. */
static void do_txonly(struct bench *b, __u64 *left)
{
	struct xdp_desc descs[4096];
	__u64 addrs[4096];
	__u32 n, want = b->c->batch, sent;

	xp_xsk_complete(b->xsk, b->c->ring_size);
	if (b->c->count && *left < want)
		want = *left;
	if (b->c->rate) {
		/* Pace: no more than rate * elapsed packets so far. */
		double budget =
			(now_s() - b->tx_start) * b->c->rate - xp_xsk_counters(b->xsk)->tx_packets;

		if (budget < want)
			want = budget > 0 ? (__u32)budget : 0;
	}
	if (want > 4096 / b->segs)
		want = 4096 / b->segs;
	if (!want) {
		/* All queued: copy mode still needs kicks to drain the ring. */
		kick_if_pending(b);
		return;
	}
	n = xp_pool_alloc(b->pool, addrs, want * b->segs, XP_OWN_APP);
	if (n % b->segs) {
		/* Whole packets only: the odd frames go back. */
		xp_pool_free(b->pool, addrs + n - n % b->segs, n % b->segs, XP_OWN_APP);
		n -= n % b->segs;
	}
	if (!n) {
		kick_if_pending(b);
		wait_for_work(b);
		return;
	}
	txonly_descs(b, addrs, n / b->segs, descs);
	sent = xp_xsk_tx(b->xsk, descs, n, XP_OWN_APP);
	if (sent < n)
		xp_pool_free(b->pool, addrs + sent, n - sent, XP_OWN_APP);
	if (b->c->count)
		*left -= sent / b->segs;
}

static __u64 moved(const struct bench *b)
{
	const struct xp_xsk_stats *st = xp_xsk_counters(b->xsk);

	return b->c->mode == TXONLY ? st->tx_completed / b->segs : st->rx_packets;
}

static void track_active(struct bench *b, double t)
{
	__u64 m = moved(b);

	if (!b->res.active_first) {
		if (m) {
			b->res.active_first = t;
			b->res.active_base = m;
		}
		return;
	}
	if (m != b->res.active_base + b->res.active_packets) {
		b->res.active_packets = m - b->res.active_base;
		b->res.active_last = t;
	}
}

static double active_pps(const struct bench *b)
{
	double dt = b->res.active_last - b->res.active_first;

	return dt > 0 ? b->res.active_packets / dt : 0;
}

static void print_header(FILE *f)
{
	fprintf(f, "%8s %12s %12s %14s %14s %10s %10s %10s %10s\n", "time", "rx_pps", "tx_pps",
		"rx_total", "tx_total", "rx_drop", "ring_full", "fill_empty", "invalid");
}

static void print_line(FILE *f, double t, const struct xp_xsk_stats *now,
		       const struct xp_xsk_stats *prev, double dt)
{
	fprintf(f, "%8.1f %12.0f %12.0f %14llu %14llu %10llu %10llu %10llu %10llu\n", t,
		(now->rx_packets - prev->rx_packets) / dt,
		(now->tx_completed - prev->tx_completed) / dt, (unsigned long long)now->rx_packets,
		(unsigned long long)now->tx_completed, (unsigned long long)now->rx_dropped,
		(unsigned long long)now->rx_ring_full,
		(unsigned long long)now->rx_fill_ring_empty_descs,
		(unsigned long long)(now->rx_invalid_descs + now->tx_invalid_descs));
	fflush(f);
}

static void print_json(const struct bench *b, const struct xp_xsk_stats *s)
{
	const struct config *c = b->c;
	double t = b->res.elapsed > 0 ? b->res.elapsed : 1;

	printf("{\"mode\":\"%s\",\"interface\":\"%s\",\"queue\":%u,\"xsk_mode\":\"%s\","
	       "\"need_wakeup\":%s,\"busy_poll\":%s,\"batch\":%u,\"frame_size\":%u,"
	       "\"elapsed_s\":%.3f,"
	       "\"rx_packets\":%llu,\"rx_bytes\":%llu,\"rx_pps\":%.0f,"
	       "\"tx_packets\":%llu,\"tx_completed\":%llu,\"tx_pps\":%.0f,"
	       "\"rx_dropped\":%llu,\"rx_invalid_descs\":%llu,\"tx_invalid_descs\":%llu,"
	       "\"rx_ring_full\":%llu,\"rx_fill_ring_empty_descs\":%llu,"
	       "\"tx_ring_empty_descs\":%llu,\"tx_kicks\":%llu,\"rx_kicks\":%llu,"
	       "\"tx_dropped\":%llu,\"verify_ok\":%llu,\"verify_bad\":%llu,\"duplicates\":%llu,"
	       "\"multi_buffer\":%s,\"rx_frags\":%llu,\"tx_frags\":%llu,\"tx_segments\":%u,"
	       "\"active_pps\":%.0f}\n",
	       mode_name(c->mode), c->ifname, c->queue, xp_xsk_mode_str(xp_xsk_mode(b->xsk)),
	       c->no_need_wakeup ? "false" : "true", c->busy_poll ? "true" : "false", c->batch,
	       c->frame_size, b->res.elapsed, (unsigned long long)s->rx_packets,
	       (unsigned long long)s->rx_bytes, s->rx_packets / t,
	       (unsigned long long)s->tx_packets, (unsigned long long)s->tx_completed,
	       s->tx_completed / t, (unsigned long long)s->rx_dropped,
	       (unsigned long long)s->rx_invalid_descs, (unsigned long long)s->tx_invalid_descs,
	       (unsigned long long)s->rx_ring_full, (unsigned long long)s->rx_fill_ring_empty_descs,
	       (unsigned long long)s->tx_ring_empty_descs, (unsigned long long)s->tx_kicks,
	       (unsigned long long)s->rx_kicks, (unsigned long long)b->res.tx_dropped,
	       (unsigned long long)b->res.verify_ok, (unsigned long long)b->res.verify_bad,
	       (unsigned long long)b->res.duplicates, c->multi_buffer ? "true" : "false",
	       (unsigned long long)s->rx_frags, (unsigned long long)s->tx_frags, b->segs,
	       active_pps(b));
}

static int run(struct bench *b)
{
	struct config *c = b->c;
	struct xp_xsk_stats prev = { 0 }, now;
	FILE *out = c->json ? stderr : stdout;
	double start, last, t, end;
	__u64 left = c->count;
	unsigned int spin = 0;

	start = last = b->tx_start = now_s();
	end = c->duration > 0 ? start + c->duration : 0;
	print_header(out);
	while (!stop) {
		switch (c->mode) {
		case RXDROP:
			do_rxdrop(b);
			break;
		case L2FWD:
			do_l2fwd(b);
			break;
		case TXONLY:
			do_txonly(b, &left);
			break;
		}
		if (++spin % 64)
			continue;
		t = now_s();
		track_active(b, t);
		if (c->count) {
			const struct xp_xsk_stats *st = xp_xsk_counters(b->xsk);

			if (c->mode == TXONLY ? !left && !tx_in_flight(st) :
						st->rx_packets >= c->count)
				break;
		}
		if (end && t >= end)
			break;
		if (t - last >= 1.0) {
			xp_xsk_stats(b->xsk, &now);
			print_line(out, t - start, &now, &prev, t - last);
			prev = now;
			last = t;
		}
	}
	/* l2fwd and txonly: let the last frames leave before reporting. */
	if (c->mode != RXDROP) {
		double drain_end = now_s() + 1.0;

		do {
			kick_if_pending(b);
			xp_xsk_complete(b->xsk, c->ring_size);
			xp_xsk_stats(b->xsk, &now);
		} while (tx_in_flight(&now) && now_s() < drain_end);
	}
	b->res.elapsed = now_s() - start;
	xp_xsk_stats(b->xsk, &now);
	print_line(out, b->res.elapsed, &now, &prev, now_s() - last > 0 ? now_s() - last : 1);
	if (c->json)
		print_json(b, &now);
	else
		printf("%s: %llu rx, %llu tx in %.2f s (%.0f rx pps, %.0f tx pps)%s\n",
		       mode_name(c->mode), (unsigned long long)now.rx_packets,
		       (unsigned long long)now.tx_completed, b->res.elapsed,
		       now.rx_packets / b->res.elapsed, now.tx_completed / b->res.elapsed,
		       c->verify ? "" : "");
	if (c->verify)
		fprintf(out, "verify: %llu good, %llu bad, %llu duplicates\n",
			(unsigned long long)b->res.verify_ok, (unsigned long long)b->res.verify_bad,
			(unsigned long long)b->res.duplicates);
	return 0;
}

int main(int argc, char **argv)
{
	struct config c = {
		.batch = 64,
		.frame_size = 4096,
		.nframes = 4096,
		.ring_size = 2048,
		.packet_size = XP_GEN_FRAME_DEFAULT,
		.cpu = -1,
	};
	struct xp_steer_attach_opts ao = { .sz = sizeof(ao) };
	struct xp_umem_opts uo = { .sz = sizeof(uo) };
	struct xp_pool_opts po = { .sz = sizeof(po) };
	struct xp_xsk_opts xo = { .sz = sizeof(xo) };
	struct xp_steer_info before;
	struct bench b = { .c = &c, .segs = 1 };
	enum xp_attach_mode active;
	struct xp_umem *umem;
	bool attached = false;
	size_t len;
	int err, ret = EXIT_FAILURE;
	__u32 i;

	xp_log_capture_libbpf();
	if (parse_args(argc, argv, &c))
		return EXIT_FAILURE;
	if (c.cpu >= 0) {
		cpu_set_t set;

		CPU_ZERO(&set);
		CPU_SET(c.cpu, &set);
		if (sched_setaffinity(0, sizeof(set), &set))
			fprintf(stderr, "xp-bench: cannot pin to CPU %d: %s\n", c.cpu,
				strerror(errno));
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	/* A closed pipe or terminal ends the run cleanly (detach, unmap). */
	signal(SIGPIPE, on_signal);
	signal(SIGHUP, on_signal);

	if ((c.verify || c.mode == TXONLY) && build_template(&c, &b.tmpl))
		return EXIT_FAILURE;
	if (c.verify && c.count) {
		b.seen = calloc((c.count + 7) / 8, 1);
		if (!b.seen)
			return EXIT_FAILURE;
	}
	if (c.verify && c.multi_buffer) {
		b.sg_buf = malloc(XP_BENCH_MAX_PACKET);
		if (!b.sg_buf)
			goto out;
	}

	/* Use the steering program that is there, or attach one for the run. */
	err = xp_steer_query(c.ifindex, &before);
	if (err)
		goto out;
	/* Ours already there: use it as is (replacing it would empty the
	 * maps other sockets rely on). --force only displaces a foreign one. */
	if (!before.prog_id || !before.ours) {
		ao.mode = c.attach_mode;
		ao.force = c.force;
		/* Multi-buffer frames need xdp.frags; otherwise the MTU decides. */
		ao.frags = c.multi_buffer ? XP_STEER_FRAGS_ON : XP_STEER_FRAGS_AUTO;
		err = xp_steer_attach(c.ifindex, &ao, &active);
		if (err)
			goto out;
		attached = true;
	}

	len = (size_t)c.nframes * c.frame_size;
	b.area = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (b.area == MAP_FAILED) {
		fprintf(stderr, "xp-bench: cannot map %zu bytes of umem: %s\n", len,
			strerror(errno));
		goto out_detach;
	}
	uo.chunk_size = c.frame_size;
	uo.flags = c.unaligned ? XDP_UMEM_UNALIGNED_CHUNK_FLAG : 0;
	umem = xp_umem_create(b.area, len, &uo);
	if (!umem)
		goto out_unmap;
	po.debug = c.debug_pool;
	b.pool = xp_pool_create(umem, &po);
	if (!b.pool)
		goto out_umem;
	if (c.mode == TXONLY) {
		b.segs = (b.tmpl.len + c.frame_size - 1) / c.frame_size;
		if (b.segs > 1 && !c.multi_buffer) {
			fprintf(stderr,
				"xp-bench: packet size %u does not fit a %u-byte frame; --multi-buffer sends it as %u frames\n",
				b.tmpl.len, c.frame_size, b.segs);
			goto out_pool;
		}
		/* At most 5 (XP_GEN_TEMPLATE_MAX in 2048-byte chunks): within
		 * the kernel's 18 and XP_BENCH_MAX_PACKET. */
		/* One frame per packet: every frame holds it from the start. */
		for (i = 0; b.segs == 1 && i < c.nframes; i++)
			memcpy((char *)b.area + (size_t)i * c.frame_size, b.tmpl.data, b.tmpl.len);
	}

	xo.rx_size = xo.tx_size = xo.comp_size = c.ring_size;
	/* The kernel publishes its fill-ring consumer index only after using
	 * up what it saw; a fill ring larger than all the frames that can be
	 * in it never runs dry in that window (docs/xsk.md). */
	xo.fill_size = 2 * c.ring_size;
	while (xo.fill_size <= c.nframes)
		xo.fill_size *= 2;
	xo.no_rx = c.mode == TXONLY;
	xo.no_tx = c.mode == RXDROP;
	xo.mode = c.xsk_mode;
	xo.no_need_wakeup = c.no_need_wakeup;
	xo.busy_poll = c.busy_poll;
	xo.busy_poll_budget = c.busy_budget;
	xo.pool = b.pool;
	xo.use_sg = c.multi_buffer;
	b.xsk = xp_xsk_create(umem, c.ifindex, c.queue, &xo);
	if (!b.xsk)
		goto out_pool;

	if (c.mode != TXONLY) {
		/* rxdrop keeps every frame circulating through the fill ring;
		 * l2fwd leaves half for frames in flight on the tx side. */
		__u32 want = c.mode == RXDROP ? c.ring_size : c.ring_size / 2;

		if (xp_xsk_fill(b.xsk, want) != want) {
			fprintf(stderr, "xp-bench: could not prime the fill ring with %u frames\n",
				want);
			goto out_xsk;
		}
	}
	fprintf(stderr,
		"xp-bench: %s on %s queue %u: %s mode, need_wakeup %s%s%s, xdp_steer %s (%s), ready\n",
		mode_name(c.mode), c.ifname, c.queue, xp_xsk_mode_str(xp_xsk_mode(b.xsk)),
		c.no_need_wakeup ? "off" : "on", c.busy_poll ? ", busy polling" : "",
		c.multi_buffer ? ", multi-buffer" : "",
		xp_attach_mode_str(attached ? active : before.mode),
		attached ? "attached for this run" : "already attached");

	run(&b);
	ret = EXIT_SUCCESS;
	if (c.verify && (b.res.verify_bad || b.res.duplicates))
		ret = EXIT_FAILURE;
	if (c.debug_pool && xp_pool_check(b.pool)) {
		fprintf(stderr, "xp-bench: frame pool audit failed\n");
		ret = EXIT_FAILURE;
	}

out_xsk:
	xp_xsk_destroy(b.xsk);
out_pool:
	xp_pool_destroy(b.pool);
out_umem:
	xp_umem_destroy(umem);
out_unmap:
	munmap(b.area, len);
out_detach:
	if (attached)
		xp_steer_detach(c.ifindex, false);
out:
	free(b.sg_buf);
	free(b.seen);
	return ret;
}
