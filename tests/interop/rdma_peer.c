// SPDX-License-Identifier: GPL-2.0
/*
 * rdma_peer: an RC "ops peer" that checks every RDMA operation end to end.
 * One source, two builds (tests/interop/peer_verbs.h holds the difference):
 *
 *	make                                     build/tests/interop/rdma_peer (xdpath)
 *	gcc -DXP_PEER_IBV ... rdma_peer.c -libverbs   (libibverbs: kernel rdma_rxe)
 *
 *	rdma_peer -i IFNAME [options]            server (xdpath: an interface)
 *	rdma_peer -d rxe0 [options] SERVER       client (ibv: an RDMA device)
 *
 * Connection set-up over TCP (port 18517 by default). Each side sends one
 * line of "key=value" words ending in '\n'; the client writes first, the
 * server answers once its QP is connected and its receives are posted:
 *
 *	rdma_peer/1 qpn=0x11 psn=0x3a5f01 gid=<32 hex digits> mtu=1024
 *	            addr=0x7f.. rkey=0x1a2b len=2097408
 *	            [client only:] seed=N iters=N ops=0x7f sizes=1,3,64,...
 *
 * qpn, psn and gid are the QP's; mtu the largest path MTU the sender can
 * use (both take the smaller); addr, rkey and len name the sender's
 * registered buffer (LOCAL_WRITE, REMOTE_WRITE, REMOTE_READ, REMOTE_ATOMIC).
 * The client decides the test plan and the server adopts it, so the server
 * needs no options but its device. The server's buffer ("target") is:
 *
 *	A  [0, area)             RDMA WRITE and RDMA READ
 *	B  [area, 6 area)        RDMA WRITE WITH IMMEDIATE, step k into part k % 5
 *	C  [6 area, + 16 * 8)    16 atomic slots of 8 bytes
 *
 * with area = the largest size + 64, rounded up to 64. B has one part more
 * than the server has receives posted (4): the server checks a WRITE WITH
 * IMMEDIATE's data when it takes its completion, and until then the client
 * can place at most 4 more (each needs a receive), so none lands on the
 * part being checked. Before the run the
 * server fills it with a pattern drawn from the seed; the client computes
 * the same, keeps a shadow copy and applies every change it makes to it.
 *
 * The plan: for each of -n repeats and each size (step k), in this order,
 * each operation the --ops list enables, one at a time (post, then wait
 * for its completion):
 *
 *   write      RDMA WRITE of a pattern (seeded by seed, k, op) to A at an
 *              offset 0..63 that moves with k;
 *   read       RDMA READ of the same range into a buffer with 0xee guards
 *              on both sides: equal to the shadow, guards intact;
 *   write_imm  RDMA WRITE WITH IMMEDIATE to B: the server takes a receive
 *              completion (RECV_RDMA_WITH_IMM, the immediate, byte_len =
 *              size) and checks B holds the pattern;
 *   send       SEND of a pattern in two SGEs: the server checks opcode,
 *   send_imm   flags, immediate, byte_len and the data byte for byte, and
 *              that the byte after it in its receive buffer is untouched;
 *   faa        FETCH AND ADD on a slot: the original value returned must
 *              be the shadow's;
 *   cas        COMPARE AND SWAP that must succeed (compare = shadow), then
 *              one that must fail (compare = shadow with bits flipped):
 *              both return the shadow's value; then, if read is on, an
 *              RDMA READ of the 16 slots must match the shadow.
 *
 * The end: the client sends "done steps=N failures=N\n" and its shadow of
 * the whole target; the server compares byte for byte, checks no receive
 * completion is left over, and answers "result checks=N failures=N\n".
 * A client that hits an error it cannot go on from (error completion,
 * timeout) closes the connection, and the server fails too.
 *
 * Output (stdout): "rdma_peer: local ..." and "remote ..." lines, then
 *	rdma_peer: <server|client> <PASS|FAIL> steps N checks N failed N bytes N time S
 * and the counters: xdpath "rdma_peer: qp_stats key=value ..." (every
 * struct xp_qp_stats field), "rdma_peer: dev_stats ..." (frames, fault
 * drops, dups and reorders, memory registration work: mr_fast_reg ...),
 * "rdma_peer: parse_drops NAME=N ..." and
 * "rdma_peer: rx_drops NAME=N ..." (every xp_pkt_err_str() and
 * xp_rdma_drop_str() reason); ibv "rdma_peer: hw_counters DEV key=value ..."
 * (rxe's port counters, difference over the run). Each failed check is a
 * line "rdma_peer: FAIL step K (SIZE bytes, rep R) OP: what" on stderr.
 * Exit status 0 only when every check on this side passed (and, for the
 * client, the server reported none failed).
 *
 * Guards: each side's registered buffer sits between two MR_GUARD-byte
 * areas of a pattern that are never registered; at the end both must be
 * unchanged ("rdma_peer: guards intact ..." on stdout, else a FAIL line).
 *
 * Options:
 *   -i, --ifname IF      interface (xdpath)      -d, --ib-dev DEV  RDMA device (ibv)
 *   -g, --gid-idx N      GID index (default 1: the IPv4 GID)
 *   -p, --port N         TCP port (default 18517)
 *   -s, --sizes LIST     sizes, e.g. 1,3,64,1k,1m (default 1,3,64,1000,1024,
 *                        1025,4096,65536,1048576)
 *   -o, --ops LIST       write,read,write_imm,send,send_imm,faa,cas,atomic,all
 *   -n, --iters N        repeats of the size list (default 1)
 *   -S, --seed N         data pattern seed (client) and fault PRNG seed
 *   -t, --timeout CODE   local ACK timeout code (default 14)
 *   -W, --wait SEC       longest wait for one completion, message or (server)
 *                        the client's connection (default 30)
 *   --drop, --dup, --reorder PERCENT   xdpath: faults on this side's receive
 *   -z, --zero-copy      xdpath: bind AF_XDP in zero-copy mode or fail
 *   --copy               xdpath: bind AF_XDP in copy mode (default: zero-copy
 *                        where the driver can)
 *   -v, --verbose        library debug messages (xdpath)
 *   --corrupt            client: flip one byte of the expectations it sends,
 *                        so that a working server must fail (a negative control)
 *   --poke-guard         change one byte of the guard after the buffer before
 *                        checking the guards, which must then fail (a negative
 *                        control of that check)
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "peer_verbs.h"

#define PROG "rdma_peer"
#define HELLO "rdma_peer/1"
#define DEFAULT_PORT 18517
#define SLACK 64 /* write offsets move within this; also area rounding */
#define NSLOTS 16 /* atomic slots */
#define RQ_DEPTH 4
#define NB_IMM (RQ_DEPTH + 1) /* parts of area B */
#define SQ_DEPTH 16
#define MAX_SIZES 32
#define MAX_SIZE (16u << 20)
#define GUARD 16 /* 0xee bytes around a READ's landing zone */
#define MR_GUARD 4096 /* never-registered bytes on each side of the MR */
#define MR_GUARD_SEED 0x6775617264ull /* their pattern */
#define LINE_MAX_LEN 1024

enum op_bit {
	OP_WRITE = 1 << 0,
	OP_READ = 1 << 1,
	OP_WRITE_IMM = 1 << 2,
	OP_SEND = 1 << 3,
	OP_SEND_IMM = 1 << 4,
	OP_FAA = 1 << 5,
	OP_CAS = 1 << 6,
	OP_ALL = (1 << 7) - 1,
};

static const struct {
	const char *name;
	unsigned int bits;
} op_names[] = {
	{ .name = "write", .bits = OP_WRITE },
	{ .name = "read", .bits = OP_READ },
	{ .name = "write_imm", .bits = OP_WRITE_IMM },
	{ .name = "send", .bits = OP_SEND },
	{ .name = "send_imm", .bits = OP_SEND_IMM },
	{ .name = "faa", .bits = OP_FAA },
	{ .name = "cas", .bits = OP_CAS },
	{ .name = "atomic", .bits = OP_FAA | OP_CAS },
	{ .name = "all", .bits = OP_ALL },
};

static const __u32 default_sizes[] = { 1, 3, 64, 1000, 1024, 1025, 4096, 65536, 1048576 };

struct plan {
	__u64 seed;
	int iters;
	unsigned int ops;
	int nsizes;
	__u32 sizes[MAX_SIZES];
	__u32 max_size;
};

/* What a side says about itself in its hello line. */
struct hello {
	__u32 qpn, psn, mtu, rkey;
	__u8 gid[16];
	__u64 addr, len;
};

struct opts {
	const char *dev; /* -i or -d */
	const char *host; /* client when set */
	int port;
	int gidx;
	int timeout; /* ACK timeout code, -1: default */
	int wait_s;
	bool verbose;
	bool corrupt;
	bool poke_guard;
	int xsk_mode; /* PV_XSK_*: -z, --copy */
	struct pv_faults faults;
};

struct run {
	struct opts o;
	struct plan p;
	struct pv_ctx v;
	bool server;
	int fd;
	struct hello me, them;
	/* Layout of the target (the server's buffer). */
	size_t area, a_off, b_off, c_off, target_len;
	/* Server: target, then RQ_DEPTH receive slots. Client: src, rb, atomic result. */
	__u8 *buf;
	size_t buf_len;
	/* buf with MR_GUARD pattern bytes before and after it, never registered */
	__u8 *guarded;
	struct pv_mr mr;
	__u8 *src, *rb, *scratch, *shadow;
	__u64 *atom;
	size_t slot_len;
	__u64 wr_id;
	unsigned long checks, failures, peer_failures;
	unsigned long long bytes;
	int steps;
	bool dead; /* an error that ends the run */
	char where[128];
};

/* ---- small helpers ---- */

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static __u64 splitmix(__u64 x)
{
	x += 0x9e3779b97f4a7c15ull;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

/* The seed of one operation's data: both sides derive the same. */
static __u64 mix(__u64 seed, __u32 step, __u32 op)
{
	return splitmix(seed ^ splitmix(((__u64)op << 32) | step));
}

static void fill(__u8 *p, size_t n, __u64 h)
{
	__u64 x = h;
	size_t j;

	for (j = 0; j < n; j++) {
		x = x * 6364136223846793005ull + 1442695040888963407ull;
		p[j] = x >> 56;
	}
}

/* Index of the first differing byte, or n. */
static size_t first_diff(const __u8 *a, const __u8 *b, size_t n)
{
	size_t j;

	if (!memcmp(a, b, n))
		return n;
	for (j = 0; j < n && a[j] == b[j]; j++)
		;
	return j;
}

static size_t first_not(const __u8 *a, __u8 v, size_t n)
{
	size_t j;

	for (j = 0; j < n && a[j] == v; j++)
		;
	return j;
}

static void set_where(struct run *r, int k, __u32 size, const char *op)
{
	int per = r->p.nsizes;

	snprintf(r->where, sizeof(r->where), "step %d (%u bytes, rep %d) %s", k, size, k / per, op);
}

static void failf(struct run *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void failf(struct run *r, const char *fmt, ...)
{
	va_list ap;

	r->failures++;
	fprintf(stderr, "%s: FAIL %s: ", PROG, r->where);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* One check: counts it, reports it when it fails. Returns cond. */
static bool check(struct run *r, bool cond, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static bool check(struct run *r, bool cond, const char *fmt, ...)
{
	va_list ap;

	r->checks++;
	if (cond)
		return true;
	r->failures++;
	fprintf(stderr, "%s: FAIL %s: ", PROG, r->where);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return false;
}

/* Data compare: names the first wrong byte. */
static bool check_data(struct run *r, const __u8 *got, const __u8 *want, size_t n, const char *what)
{
	size_t j = first_diff(got, want, n);

	return check(r, j == n, "%s: byte %zu of %zu is 0x%02x, expected 0x%02x", what, j, n,
		     j < n ? got[j] : 0, j < n ? want[j] : 0);
}

static void gid_hex(const __u8 *g, char *s)
{
	int i;

	for (i = 0; i < 16; i++)
		sprintf(s + 2 * i, "%02x", g[i]);
}

static int gid_parse(const char *s, __u8 *g)
{
	unsigned int v;
	int i;

	if (strlen(s) != 32)
		return -EINVAL;
	for (i = 0; i < 16; i++) {
		if (sscanf(s + 2 * i, "%2x", &v) != 1)
			return -EINVAL;
		g[i] = v;
	}
	return 0;
}

static int parse_size(const char *s, __u32 *out)
{
	unsigned long long v;
	char *end;

	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || end == s)
		return -EINVAL;
	if (*end == 'k' || *end == 'K')
		v <<= 10, end++;
	else if (*end == 'm' || *end == 'M')
		v <<= 20, end++;
	if (*end || !v || v > MAX_SIZE)
		return -EINVAL;
	*out = v;
	return 0;
}

static int parse_sizes(const char *arg, struct plan *p)
{
	char *copy = strdup(arg), *tok, *save = NULL;
	int err = 0;

	if (!copy)
		return -ENOMEM;
	p->nsizes = 0;
	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (p->nsizes == MAX_SIZES || parse_size(tok, &p->sizes[p->nsizes])) {
			fprintf(stderr,
				"%s: size '%s' is not a number of bytes from 1 to 16m (k and m "
				"suffixes), or more than %d sizes\n",
				PROG, tok, MAX_SIZES);
			err = -EINVAL;
			break;
		}
		p->nsizes++;
	}
	free(copy);
	return err ? err : p->nsizes ? 0 : -EINVAL;
}

static int parse_ops(const char *arg, unsigned int *ops)
{
	char *copy = strdup(arg), *tok, *save = NULL;
	size_t i;
	int err = 0;

	if (!copy)
		return -ENOMEM;
	*ops = 0;
	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		for (i = 0; i < sizeof(op_names) / sizeof(op_names[0]); i++)
			if (!strcmp(tok, op_names[i].name))
				break;
		if (i == sizeof(op_names) / sizeof(op_names[0])) {
			fprintf(stderr,
				"%s: unknown operation '%s'; use write, read, write_imm, send, "
				"send_imm, faa, cas, atomic or all\n",
				PROG, tok);
			err = -EINVAL;
			break;
		}
		*ops |= op_names[i].bits;
	}
	free(copy);
	return err ? err : *ops ? 0 : -EINVAL;
}

static int parse_percent(const char *s, __u32 *ppm)
{
	char *end;
	double v = strtod(s, &end);

	if (end == s || *end || v < 0 || v > 100) {
		fprintf(stderr, "%s: '%s' is not a percentage from 0 to 100\n", PROG, s);
		return -EINVAL;
	}
	*ppm = (__u32)(v * 10000 + 0.5);
	return 0;
}

/* ---- TCP ---- */

/* Listen, take one connection within wait_s seconds, stop listening. */
static int tcp_listen_accept(int port, int wait_s)
{
	struct pollfd pfd = { .events = POLLIN };
	struct sockaddr_in6 a6 = { .sin6_family = AF_INET6, .sin6_port = htons(port) };
	struct sockaddr_in a4 = { .sin_family = AF_INET, .sin_port = htons(port) };
	int lfd, fd, one = 1, zero = 0;

	lfd = socket(AF_INET6, SOCK_STREAM, 0);
	if (lfd >= 0) {
		setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		setsockopt(lfd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero));
		if (bind(lfd, (struct sockaddr *)&a6, sizeof(a6))) {
			close(lfd);
			lfd = -1;
		}
	}
	if (lfd < 0) {
		lfd = socket(AF_INET, SOCK_STREAM, 0);
		if (lfd < 0)
			return -errno;
		setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		if (bind(lfd, (struct sockaddr *)&a4, sizeof(a4))) {
			fprintf(stderr, "%s: bind to port %d: %s\n", PROG, port, strerror(errno));
			close(lfd);
			return -errno;
		}
	}
	if (listen(lfd, 1)) {
		close(lfd);
		return -errno;
	}
	fprintf(stderr, "%s: ready, listening on port %d\n", PROG, port);
	pfd.fd = lfd;
	if (poll(&pfd, 1, wait_s * 1000) != 1) {
		fprintf(stderr, "%s: no client came within %d s\n", PROG, wait_s);
		close(lfd);
		return -ETIMEDOUT;
	}
	fd = accept(lfd, NULL, NULL);
	close(lfd);
	if (fd < 0)
		return -errno;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	return fd;
}

/* Connect, retrying a refused or unreachable peer for up to wait_s seconds. */
static int tcp_connect(const char *host, int port, int wait_s)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *res, *a;
	double end = now_s() + wait_s;
	char service[16];
	int fd, one = 1, err;

	snprintf(service, sizeof(service), "%d", port);
	err = getaddrinfo(host, service, &hints, &res);
	if (err) {
		fprintf(stderr, "%s: %s: %s\n", PROG, host, gai_strerror(err));
		return -EINVAL;
	}
	for (;;) {
		for (a = res; a; a = a->ai_next) {
			fd = socket(a->ai_family, a->ai_socktype, a->ai_protocol);
			if (fd < 0)
				continue;
			if (!connect(fd, a->ai_addr, a->ai_addrlen))
				goto out;
			err = errno;
			close(fd);
		}
		if (now_s() > end) {
			fprintf(stderr, "%s: couldn't connect to %s port %d: %s\n", PROG, host,
				port, strerror(err));
			freeaddrinfo(res);
			return -err;
		}
		usleep(200000);
	}
out:
	freeaddrinfo(res);
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	return fd;
}

static int write_all(int fd, const void *buf, size_t len)
{
	const __u8 *p = buf;
	ssize_t n;

	while (len) {
		n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n ? -errno : -EPIPE;
		p += n;
		len -= n;
	}
	return 0;
}

/*
 * Wait until fd is readable, driving the device meanwhile (our device moves
 * only when polled; the peer may still need ACKs). -ETIMEDOUT after wait_s.
 */
static int wait_readable(struct run *r, int fd)
{
	double end = now_s() + r->o.wait_s;
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	int n;

	for (;;) {
		n = poll(&pfd, 1, 0);
		if (n > 0)
			return 0;
		if (n < 0 && errno != EINTR)
			return -errno;
		if (now_s() > end)
			return -ETIMEDOUT;
		pv_idle(&r->v); /* progress only: completions stay queued */
	}
}

static int read_all(struct run *r, void *buf, size_t len)
{
	__u8 *p = buf;
	ssize_t n;
	int err;

	while (len) {
		err = wait_readable(r, r->fd);
		if (err)
			return err;
		n = read(r->fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n ? -errno : -EPIPE;
		p += n;
		len -= n;
	}
	return 0;
}

static int read_line(struct run *r, char *line, size_t size)
{
	size_t n = 0;
	int err;

	while (n + 1 < size) {
		err = read_all(r, line + n, 1);
		if (err)
			return err;
		if (line[n] == '\n') {
			line[n] = 0;
			return 0;
		}
		n++;
	}
	return -E2BIG;
}

/* ---- hello lines ---- */

static int send_hello(struct run *r)
{
	char line[LINE_MAX_LEN], gid[33];
	int len, i;

	gid_hex(r->me.gid, gid);
	len = snprintf(line, sizeof(line),
		       HELLO " qpn=0x%x psn=0x%x gid=%s mtu=%u addr=0x%llx rkey=0x%x len=%llu",
		       r->me.qpn, r->me.psn, gid, r->me.mtu, (unsigned long long)r->me.addr,
		       r->me.rkey, (unsigned long long)r->me.len);
	if (!r->server) {
		len += snprintf(line + len, sizeof(line) - len,
				" seed=%llu iters=%d ops=0x%x sizes=",
				(unsigned long long)r->p.seed, r->p.iters, r->p.ops);
		for (i = 0; i < r->p.nsizes; i++)
			len += snprintf(line + len, sizeof(line) - len, "%s%u", i ? "," : "",
					r->p.sizes[i]);
	}
	len += snprintf(line + len, sizeof(line) - len, "\n");
	return write_all(r->fd, line, len);
}

static int recv_hello(struct run *r)
{
	char line[LINE_MAX_LEN], *tok, *save = NULL, *val;
	unsigned int seen = 0;
	int err;

	err = read_line(r, line, sizeof(line));
	if (err) {
		fprintf(stderr, "%s: reading the peer's hello: %s\n", PROG, strerror(-err));
		return err;
	}
	tok = strtok_r(line, " ", &save);
	if (!tok || strcmp(tok, HELLO)) {
		fprintf(stderr, "%s: the peer is not an %s peer (got '%.40s')\n", PROG, HELLO,
			tok ? tok : "");
		return -EPROTO;
	}
	while ((tok = strtok_r(NULL, " ", &save))) {
		val = strchr(tok, '=');
		if (!val)
			return -EPROTO;
		*val++ = 0;
		if (!strcmp(tok, "qpn"))
			r->them.qpn = strtoul(val, NULL, 0), seen |= 1;
		else if (!strcmp(tok, "psn"))
			r->them.psn = strtoul(val, NULL, 0), seen |= 2;
		else if (!strcmp(tok, "gid"))
			seen |= gid_parse(val, r->them.gid) ? 0 : 4;
		else if (!strcmp(tok, "mtu"))
			r->them.mtu = strtoul(val, NULL, 0), seen |= 8;
		else if (!strcmp(tok, "addr"))
			r->them.addr = strtoull(val, NULL, 0), seen |= 16;
		else if (!strcmp(tok, "rkey"))
			r->them.rkey = strtoul(val, NULL, 0), seen |= 32;
		else if (!strcmp(tok, "len"))
			r->them.len = strtoull(val, NULL, 0), seen |= 64;
		else if (!strcmp(tok, "seed"))
			r->p.seed = strtoull(val, NULL, 0), seen |= 128;
		else if (!strcmp(tok, "iters"))
			r->p.iters = atoi(val), seen |= 256;
		else if (!strcmp(tok, "ops"))
			r->p.ops = strtoul(val, NULL, 0) & OP_ALL, seen |= 512;
		else if (!strcmp(tok, "sizes"))
			seen |= parse_sizes(val, &r->p) ? 0 : 1024;
	}
	if ((seen & 127) != 127 || (r->server && seen != 2047) || r->p.iters < 1 || !r->p.ops) {
		fprintf(stderr, "%s: the peer's hello lacks fields or has bad ones (0x%x)\n", PROG,
			seen);
		return -EPROTO;
	}
	return 0;
}

static void print_side(const char *side, const struct hello *h)
{
	char gid[INET6_ADDRSTRLEN];

	inet_ntop(AF_INET6, h->gid, gid, sizeof(gid));
	printf("%s: %s QPN 0x%06x PSN 0x%06x GID %s MTU %u buffer 0x%llx len %llu rkey 0x%x\n",
	       PROG, side, h->qpn, h->psn, gid, h->mtu, (unsigned long long)h->addr,
	       (unsigned long long)h->len, h->rkey);
}

/* ---- buffers ---- */

static void layout(struct run *r)
{
	__u32 i;

	r->p.max_size = 0;
	for (i = 0; i < (__u32)r->p.nsizes; i++)
		if (r->p.sizes[i] > r->p.max_size)
			r->p.max_size = r->p.sizes[i];
	r->area = (r->p.max_size + SLACK + SLACK - 1) / SLACK * SLACK;
	r->a_off = 0;
	r->b_off = r->area;
	r->c_off = r->b_off + NB_IMM * r->area;
	r->target_len = r->c_off + NSLOTS * 8;
	r->slot_len = (r->p.max_size + 1 + SLACK - 1) / SLACK * SLACK;
}

/* The target's contents before the run. */
static void target_init(const struct run *r, __u8 *t)
{
	fill(t, r->target_len, mix(r->p.seed, 0xffffffffu, 0));
}

static int alloc_buffers(struct run *r)
{
	size_t len;
	int err;

	layout(r);
	if (r->server)
		len = r->target_len + RQ_DEPTH * r->slot_len;
	else
		len = 2 * r->area + NSLOTS * 8 + 2 * GUARD + SLACK + 8;
	len = (len + 4095) & ~(size_t)4095;
	r->guarded = aligned_alloc(4096, len + 2 * MR_GUARD);
	r->buf = r->guarded ? r->guarded + MR_GUARD : NULL;
	r->scratch = malloc(r->area);
	if (!r->server)
		r->shadow = malloc(r->target_len);
	if (!r->buf || !r->scratch || (!r->server && !r->shadow))
		return -ENOMEM;
	r->buf_len = len;
	memset(r->buf, 0xee, len);
	fill(r->guarded, MR_GUARD, MR_GUARD_SEED);
	fill(r->buf + len, MR_GUARD, ~MR_GUARD_SEED);
	if (r->server) {
		target_init(r, r->buf);
	} else {
		target_init(r, r->shadow);
		r->src = r->buf;
		r->rb = r->buf + r->area;
		/* rb: a READ of up to area - 64 or 16 slots, guards, offset < 8 */
		r->atom = (__u64 *)(r->buf + 2 * r->area + NSLOTS * 8 + 2 * GUARD + SLACK);
	}
	err = pv_reg_mr(&r->v, &r->mr, r->buf, len);
	if (err) {
		fprintf(stderr, "%s: registering %zu bytes: %s\n", PROG, len, strerror(-err));
		return err;
	}
	r->me.addr = (uintptr_t)r->buf;
	r->me.rkey = r->mr.rkey;
	r->me.len = r->server ? r->target_len : len;
	return 0;
}

/*
 * The guards must hold their pattern: nothing the peer asked for (nor
 * anything a forged request names) may land outside the registered
 * buffer. --poke-guard changes one byte past the buffer first, as a
 * stray write would, to show that this check fails then.
 */
static void guards_check(struct run *r)
{
	__u8 want[MR_GUARD];
	size_t lo, hi;

	if (!r->guarded)
		return;
	snprintf(r->where, sizeof(r->where), "the end");
	if (r->o.poke_guard)
		r->buf[r->buf_len + 100] ^= 0x01;
	fill(want, MR_GUARD, MR_GUARD_SEED);
	lo = first_diff(r->guarded, want, MR_GUARD);
	fill(want, MR_GUARD, ~MR_GUARD_SEED);
	hi = first_diff(r->buf + r->buf_len, want, MR_GUARD);
	check(r, lo == MR_GUARD,
	      "memory before the registered buffer changed: byte %zu of the %u-byte guard", lo,
	      MR_GUARD);
	check(r, hi == MR_GUARD,
	      "memory after the registered buffer changed: byte %zu of the %u-byte guard", hi,
	      MR_GUARD);
	if (lo == MR_GUARD && hi == MR_GUARD)
		printf("%s: guards intact: %u bytes before and after the %zu-byte MR\n", PROG,
		       MR_GUARD, r->buf_len);
}

/* ---- waiting for completions ---- */

/*
 * One completion of the send or receive CQ within wait_s seconds. The
 * server also watches the TCP connection: a client that gives up closes it.
 */
static int wait_wc(struct run *r, bool recv, pv_wc *wc)
{
	double end = now_s() + r->o.wait_s;
	struct pollfd pfd = { .fd = r->fd, .events = POLLIN };
	unsigned int spins = 0;
	int n;

	for (;;) {
		n = pv_poll(&r->v, recv, wc);
		if (n)
			return n < 0 ? n : 0;
		if (++spins % 64)
			continue;
		if (r->server && poll(&pfd, 1, 0) > 0)
			return -ECONNRESET;
		if (now_s() > end)
			return -ETIMEDOUT;
		pv_idle(&r->v);
	}
}

/* The client's side of one operation: post, wait, check the completion. */
static int run_wr(struct run *r, pv_send_wr *wr, int wc_opcode)
{
	pv_wc wc;
	int err;

	wr->wr_id = ++r->wr_id;
	wr->send_flags = PV_SEND_SIGNALED;
	err = pv_post_send(&r->v, wr);
	if (err) {
		failf(r, "post_send: %s", strerror(-err));
		r->dead = true;
		return err;
	}
	err = wait_wc(r, false, &wc);
	if (err) {
		failf(r, "no completion within %d s (%s)", r->o.wait_s, strerror(-err));
		r->dead = true;
		return err;
	}
	r->checks++;
	if (wc.status != PV_WC_SUCCESS) {
		failf(r, "completion status %s (%d), vendor_err 0x%x", pv_wc_status_str(wc.status),
		      wc.status, wc.vendor_err);
		r->dead = true;
		return -EIO;
	}
	check(r, wc.wr_id == wr->wr_id, "completion wr_id %llu, expected %llu",
	      (unsigned long long)wc.wr_id, (unsigned long long)wr->wr_id);
	check(r, (int)wc.opcode == wc_opcode, "completion opcode %d, expected %d", wc.opcode,
	      wc_opcode);
	return 0;
}

/* ---- the client's operations ---- */

/* Where step k's WRITE (A) or WRITE WITH IMMEDIATE (B) goes in the target. */
static size_t write_off(const struct run *r, int k, bool imm)
{
	if (imm)
		return r->b_off + (k % NB_IMM) * r->area + (k * 29 + 5) % SLACK;
	return r->a_off + (k * 13) % SLACK;
}

static __be32 imm_of(int k, unsigned int op)
{
	return htonl(0xa5000000u ^ ((__u32)op << 20) ^ (__u32)k);
}

static void do_write(struct run *r, int k, __u32 size, bool imm)
{
	unsigned int op = imm ? OP_WRITE_IMM : OP_WRITE;
	size_t roff = write_off(r, k, imm);
	pv_sge sge = { .addr = (uintptr_t)r->src, .length = size, .lkey = r->mr.lkey };
	pv_send_wr wr = { .sg_list = &sge, .num_sge = 1 };

	set_where(r, k, size, imm ? "RDMA WRITE WITH IMM" : "RDMA WRITE");
	fill(r->src, size, mix(r->p.seed, k, op));
	wr.opcode = imm ? PV_WR_RDMA_WRITE_WITH_IMM : PV_WR_RDMA_WRITE;
	if (imm)
		wr.imm_data = imm_of(k, op);
	PV_RDMA(&wr).remote_addr = r->them.addr + roff;
	PV_RDMA(&wr).rkey = r->them.rkey;
	if (run_wr(r, &wr, PV_WC_RDMA_WRITE))
		return;
	memcpy(r->shadow + roff, r->src, size);
	r->bytes += size;
}

/* RDMA READ of [roff, roff + len) of the target: must equal the shadow. */
static void do_read_range(struct run *r, int k, size_t roff, __u32 len, const char *what)
{
	__u32 lo = GUARD + k % 8;
	pv_sge sge = { .addr = (uintptr_t)(r->rb + lo), .length = len, .lkey = r->mr.lkey };
	pv_send_wr wr = { .sg_list = &sge, .num_sge = 1, .opcode = PV_WR_RDMA_READ };
	size_t j;

	memset(r->rb, 0xee, lo + len + GUARD);
	PV_RDMA(&wr).remote_addr = r->them.addr + roff;
	PV_RDMA(&wr).rkey = r->them.rkey;
	if (run_wr(r, &wr, PV_WC_RDMA_READ))
		return;
	check_data(r, r->rb + lo, r->shadow + roff, len, what);
	j = first_not(r->rb, 0xee, lo);
	check(r, j == lo, "READ wrote %u bytes before its buffer", lo - (__u32)j);
	j = first_not(r->rb + lo + len, 0xee, GUARD);
	check(r, j == GUARD, "READ wrote past its buffer (byte %zu after it)", j);
	r->bytes += len;
}

static void do_read(struct run *r, int k, __u32 size)
{
	set_where(r, k, size, "RDMA READ");
	do_read_range(r, k, write_off(r, k, false), size, "data read back");
}

static void do_send(struct run *r, int k, __u32 size, bool imm)
{
	unsigned int op = imm ? OP_SEND_IMM : OP_SEND;
	pv_sge sge[2] = {
		{ .addr = (uintptr_t)r->src, .length = size / 2, .lkey = r->mr.lkey },
		{ .addr = (uintptr_t)r->src + size / 2,
		  .length = size - size / 2,
		  .lkey = r->mr.lkey },
	};
	pv_send_wr wr = { .sg_list = size > 1 ? sge : sge + 1, .num_sge = size > 1 ? 2 : 1 };

	set_where(r, k, size, imm ? "SEND WITH IMM" : "SEND");
	fill(r->src, size, mix(r->p.seed, k, op));
	wr.opcode = imm ? PV_WR_SEND_WITH_IMM : PV_WR_SEND;
	if (imm)
		wr.imm_data = imm_of(k, op);
	if (!run_wr(r, &wr, PV_WC_SEND))
		r->bytes += size;
}

static void do_atomic(struct run *r, int k, __u32 size, bool cas, bool succeed)
{
	unsigned int slot = cas ? (k + NSLOTS / 2) % NSLOTS : k % NSLOTS;
	size_t roff = r->c_off + slot * 8;
	pv_sge sge = { .addr = (uintptr_t)r->atom, .length = 8, .lkey = r->mr.lkey };
	pv_send_wr wr = { .sg_list = &sge, .num_sge = 1 };
	__u64 orig, operand = mix(r->p.seed, k, cas ? (succeed ? 101 : 102) : 100), next;

	memcpy(&orig, r->shadow + roff, 8);
	if (!cas)
		set_where(r, k, size, "FETCH AND ADD");
	else
		set_where(r, k, size,
			  succeed ? "COMPARE AND SWAP (equal)" : "COMPARE AND SWAP (not equal)");
	*r->atom = 0xeeeeeeeeeeeeeeeeull;
	wr.opcode = cas ? PV_WR_ATOMIC_CMP_AND_SWP : PV_WR_ATOMIC_FETCH_AND_ADD;
	PV_ATOMIC(&wr).remote_addr = r->them.addr + roff;
	PV_ATOMIC(&wr).rkey = r->them.rkey;
	if (!cas) {
		PV_ATOMIC(&wr).compare_add = operand;
		next = orig + operand;
	} else if (succeed) {
		PV_ATOMIC(&wr).compare_add = orig;
		PV_ATOMIC(&wr).swap = operand;
		next = operand;
	} else {
		PV_ATOMIC(&wr).compare_add = orig ^ 0x8000000000000001ull;
		PV_ATOMIC(&wr).swap = operand;
		next = orig;
	}
	if (run_wr(r, &wr, cas ? PV_WC_COMP_SWAP : PV_WC_FETCH_ADD))
		return;
	check(r, *r->atom == orig, "slot %u: original value 0x%016llx returned, expected 0x%016llx",
	      slot, (unsigned long long)*r->atom, (unsigned long long)orig);
	memcpy(r->shadow + roff, &next, 8);
	r->bytes += 8;
}

static int client_run(struct run *r)
{
	const struct plan *p = &r->p;
	int k, rep, i;
	__u32 size;

	for (rep = 0, k = 0; rep < p->iters && !r->dead; rep++) {
		for (i = 0; i < p->nsizes && !r->dead; i++, k++) {
			size = p->sizes[i];
			if (p->ops & OP_WRITE && !r->dead)
				do_write(r, k, size, false);
			if (p->ops & OP_READ && !r->dead)
				do_read(r, k, size);
			if (p->ops & OP_WRITE_IMM && !r->dead)
				do_write(r, k, size, true);
			if (p->ops & OP_SEND && !r->dead)
				do_send(r, k, size, false);
			if (p->ops & OP_SEND_IMM && !r->dead)
				do_send(r, k, size, true);
			if (p->ops & OP_FAA && !r->dead)
				do_atomic(r, k, size, false, false);
			if (p->ops & OP_CAS && !r->dead)
				do_atomic(r, k, size, true, true);
			if (p->ops & OP_CAS && !r->dead)
				do_atomic(r, k, size, true, false);
			if (p->ops & (OP_FAA | OP_CAS) && p->ops & OP_READ && !r->dead) {
				set_where(r, k, size, "RDMA READ of the atomic slots");
				do_read_range(r, k, r->c_off, NSLOTS * 8, "atomic slots");
			}
			if (!r->dead)
				r->steps++;
		}
	}
	return r->dead ? -EIO : 0;
}

/* After the plan: hand the shadow over, take the server's verdict. */
static int client_finish(struct run *r)
{
	char line[LINE_MAX_LEN];
	unsigned long checks = 0, failures = 0;
	int len, err;

	snprintf(r->where, sizeof(r->where), "the end");
	len = snprintf(line, sizeof(line), "done steps=%d failures=%lu\n", r->steps, r->failures);
	err = write_all(r->fd, line, len);
	if (r->o.corrupt) /* the last byte of the write area's first message */
		r->shadow[write_off(r, 0, false) + r->p.sizes[0] - 1] ^= 0x40;
	if (!err)
		err = write_all(r->fd, r->shadow, r->target_len);
	if (!err)
		err = read_line(r, line, sizeof(line));
	if (err) {
		failf(r, "no verdict from the server: %s", strerror(-err));
		return err;
	}
	if (sscanf(line, "result checks=%lu failures=%lu", &checks, &failures) != 2) {
		failf(r, "the server's verdict is garbled: '%.60s'", line);
		return -EPROTO;
	}
	r->peer_failures = failures;
	check(r, failures == 0, "the server reported %lu of %lu checks failed (see its output)",
	      failures, checks);
	return 0;
}

/* ---- the server ---- */

static int post_slot(struct run *r, unsigned int slot)
{
	__u8 *b = r->buf + r->target_len + (size_t)slot * r->slot_len;
	pv_sge sge = { .addr = (uintptr_t)b, .length = r->p.max_size, .lkey = r->mr.lkey };
	pv_recv_wr wr = { .wr_id = slot, .sg_list = &sge, .num_sge = 1 };

	memset(b, 0xee, r->slot_len);
	return pv_post_recv(&r->v, &wr);
}

/* The receive that op (WRITE_IMM, SEND, SEND_IMM) of step k consumes. */
static int server_recv(struct run *r, int k, __u32 size, unsigned int op)
{
	bool imm = op != OP_SEND;
	int want = op == OP_WRITE_IMM ? PV_WC_RECV_RDMA_WITH_IMM : PV_WC_RECV;
	__u8 *b;
	pv_wc wc;
	int err;

	if (op == OP_WRITE_IMM)
		set_where(r, k, size, "RDMA WRITE WITH IMM");
	else
		set_where(r, k, size, imm ? "SEND WITH IMM" : "SEND");
	err = wait_wc(r, true, &wc);
	if (err == -ECONNRESET) {
		failf(r, "the client ended the run before this (see its output)");
		return err;
	}
	if (err) {
		failf(r, "no receive completion within %d s (%s)", r->o.wait_s, strerror(-err));
		return err;
	}
	r->checks++;
	if (wc.status != PV_WC_SUCCESS || wc.wr_id >= RQ_DEPTH) {
		failf(r, "receive completion status %s (%d), wr_id %llu",
		      pv_wc_status_str(wc.status), wc.status, (unsigned long long)wc.wr_id);
		return -EIO;
	}
	b = r->buf + r->target_len + wc.wr_id * r->slot_len;
	check(r, (int)wc.opcode == want, "receive opcode %d, expected %d", wc.opcode, want);
	check(r, wc.byte_len == size, "byte_len %u, expected %u", wc.byte_len, size);
	check(r, wc.qp_num == r->me.qpn, "qp_num 0x%x, expected 0x%x", wc.qp_num, r->me.qpn);
	check(r, !!(wc.wc_flags & PV_WC_WITH_IMM) == imm, "WITH_IMM flag %d, expected %d",
	      !!(wc.wc_flags & PV_WC_WITH_IMM), imm);
	if (imm)
		check(r, wc.imm_data == imm_of(k, op), "immediate 0x%08x, expected 0x%08x",
		      ntohl(wc.imm_data), ntohl(imm_of(k, op)));
	fill(r->scratch, size, mix(r->p.seed, k, op));
	if (op == OP_WRITE_IMM) {
		check_data(r, r->buf + write_off(r, k, true), r->scratch, size, "data written");
		check(r, first_not(b, 0xee, r->slot_len) == r->slot_len,
		      "a WRITE WITH IMM changed the receive buffer");
	} else {
		check_data(r, b, r->scratch, size, "data received");
		check(r, b[size] == 0xee, "the byte after the message changed to 0x%02x", b[size]);
	}
	r->bytes += size;
	err = post_slot(r, wc.wr_id);
	if (err) {
		failf(r, "post_recv: %s", strerror(-err));
		return err;
	}
	return 0;
}

static int server_run(struct run *r)
{
	static const unsigned int recv_ops[] = { OP_WRITE_IMM, OP_SEND, OP_SEND_IMM };
	const struct plan *p = &r->p;
	int k, rep, i, err;
	unsigned int j;

	for (rep = 0, k = 0; rep < p->iters; rep++) {
		for (i = 0; i < p->nsizes; i++, k++) {
			for (j = 0; j < 3; j++) {
				if (!(p->ops & recv_ops[j]))
					continue;
				err = server_recv(r, k, p->sizes[i], recv_ops[j]);
				if (err)
					return err;
			}
			r->steps++;
		}
	}
	return 0;
}

static const char *target_part(const struct run *r, size_t off, char *buf, size_t size)
{
	if (off < r->b_off)
		snprintf(buf, size, "write area, offset %zu", off - r->a_off);
	else if (off < r->c_off)
		snprintf(buf, size, "write-with-immediate area, part %zu, offset %zu",
			 (off - r->b_off) / r->area, (off - r->b_off) % r->area);
	else
		snprintf(buf, size, "atomic slot %zu, byte %zu", (off - r->c_off) / 8,
			 (off - r->c_off) % 8);
	return buf;
}

/* The client's shadow against our target; then nothing may be left over. */
static int server_finish(struct run *r, int run_err)
{
	char line[LINE_MAX_LEN], part[80];
	unsigned long steps = 0, cfail = 0;
	size_t j;
	pv_wc wc;
	int err, len;

	snprintf(r->where, sizeof(r->where), "the end");
	if (run_err == -ECONNRESET || run_err == -ETIMEDOUT)
		return run_err;
	err = read_line(r, line, sizeof(line));
	if (!err && sscanf(line, "done steps=%lu failures=%lu", &steps, &cfail) != 2)
		err = -EPROTO;
	if (err) {
		failf(r, "no end of run from the client: %s", strerror(-err));
		return err;
	}
	free(r->scratch);
	r->scratch = malloc(r->target_len);
	if (!r->scratch)
		return -ENOMEM;
	err = read_all(r, r->scratch, r->target_len);
	if (err) {
		failf(r, "reading the client's expectations: %s", strerror(-err));
		return err;
	}
	j = first_diff(r->buf, r->scratch, r->target_len);
	check(r, j == r->target_len,
	      "the buffer differs from what the client wrote: %s is 0x%02x, expected 0x%02x",
	      target_part(r, j, part, sizeof(part)), j < r->target_len ? r->buf[j] : 0,
	      j < r->target_len ? r->scratch[j] : 0);
	check(r, (int)steps == r->steps, "the client did %lu steps, we %d", steps, r->steps);
	err = pv_poll(&r->v, true, &wc);
	check(r, err == 0, "a receive completion nobody sent: status %d opcode %d byte_len %u",
	      err > 0 ? (int)wc.status : err, err > 0 ? (int)wc.opcode : -1,
	      err > 0 ? wc.byte_len : 0);
	len = snprintf(line, sizeof(line), "result checks=%lu failures=%lu\n", r->checks,
		       r->failures);
	return write_all(r->fd, line, len);
}

/* ---- main ---- */

static void usage(FILE *f)
{
	fprintf(f,
		"usage: %s [-i IFNAME | -d DEV] [-g GIDX] [-p PORT] [-s SIZES] [-o OPS] [-n N]\n"
		"          [-S SEED] [-t CODE] [-W SEC] [--drop|--dup|--reorder PERCENT] [-z|--copy]\n"
		"          [--corrupt] [--poke-guard] [-v] [SERVER]\n"
		"  (%s build; see the top of tests/interop/rdma_peer.c)\n",
		PROG, PV_VARIANT);
}

static int parse_args(struct run *r, int argc, char **argv)
{
	static const struct option lopts[] = {
		{ .name = "ifname", .has_arg = 1, .val = 'i' },
		{ .name = "ib-dev", .has_arg = 1, .val = 'd' },
		{ .name = "gid-idx", .has_arg = 1, .val = 'g' },
		{ .name = "port", .has_arg = 1, .val = 'p' },
		{ .name = "sizes", .has_arg = 1, .val = 's' },
		{ .name = "ops", .has_arg = 1, .val = 'o' },
		{ .name = "iters", .has_arg = 1, .val = 'n' },
		{ .name = "seed", .has_arg = 1, .val = 'S' },
		{ .name = "timeout", .has_arg = 1, .val = 't' },
		{ .name = "wait", .has_arg = 1, .val = 'W' },
		{ .name = "drop", .has_arg = 1, .val = 1 },
		{ .name = "dup", .has_arg = 1, .val = 2 },
		{ .name = "reorder", .has_arg = 1, .val = 3 },
		{ .name = "corrupt", .val = 4 },
		{ .name = "zero-copy", .val = 'z' },
		{ .name = "copy", .val = 5 },
		{ .name = "poke-guard", .val = 6 },
		{ .name = "verbose", .val = 'v' },
		{ .name = "help", .val = 'h' },
		{},
	};
	struct opts *o = &r->o;
	bool seed_set = false;
	int opt;

	o->port = DEFAULT_PORT;
	o->gidx = 1;
	o->timeout = -1;
	o->wait_s = 30;
	r->p.iters = 1;
	r->p.ops = OP_ALL;
	r->p.nsizes = sizeof(default_sizes) / sizeof(default_sizes[0]);
	memcpy(r->p.sizes, default_sizes, sizeof(default_sizes));
	while ((opt = getopt_long(argc, argv, "i:d:g:p:s:o:n:S:t:W:zvh", lopts, NULL)) != -1) {
		switch (opt) {
		case 'i':
		case 'd':
			o->dev = optarg;
			break;
		case 'g':
			o->gidx = atoi(optarg);
			break;
		case 'p':
			o->port = atoi(optarg);
			break;
		case 's':
			if (parse_sizes(optarg, &r->p))
				return -EINVAL;
			break;
		case 'o':
			if (parse_ops(optarg, &r->p.ops))
				return -EINVAL;
			break;
		case 'n':
			r->p.iters = atoi(optarg);
			if (r->p.iters < 1) {
				fprintf(stderr, "%s: -n %s: give at least 1\n", PROG, optarg);
				return -EINVAL;
			}
			break;
		case 'S':
			r->p.seed = strtoull(optarg, NULL, 0);
			seed_set = true;
			break;
		case 't':
			o->timeout = atoi(optarg);
			if (o->timeout < 0 || o->timeout > 31) {
				fprintf(stderr, "%s: ACK timeout code %s is not 0..31\n", PROG,
					optarg);
				return -EINVAL;
			}
			break;
		case 'W':
			o->wait_s = atoi(optarg);
			if (o->wait_s < 1)
				o->wait_s = 1;
			break;
		case 1:
			if (parse_percent(optarg, &o->faults.drop_ppm))
				return -EINVAL;
			break;
		case 2:
			if (parse_percent(optarg, &o->faults.dup_ppm))
				return -EINVAL;
			break;
		case 3:
			if (parse_percent(optarg, &o->faults.reorder_ppm))
				return -EINVAL;
			break;
		case 4:
			o->corrupt = true;
			break;
		case 'z':
		case 5:
			if (o->xsk_mode &&
			    o->xsk_mode != (opt == 'z' ? PV_XSK_ZEROCOPY : PV_XSK_COPY)) {
				fprintf(stderr,
					"%s: -z and --copy contradict each other; give one\n",
					PROG);
				return -EINVAL;
			}
			o->xsk_mode = opt == 'z' ? PV_XSK_ZEROCOPY : PV_XSK_COPY;
			break;
		case 6:
			o->poke_guard = true;
			break;
		case 'v':
			o->verbose = true;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			usage(stderr);
			return -EINVAL;
		}
	}
	if (optind + 1 < argc) {
		usage(stderr);
		return -EINVAL;
	}
	if (optind < argc)
		o->host = argv[optind];
	r->server = !o->host;
	if (!seed_set)
		r->p.seed = splitmix((__u64)time(NULL) ^ ((__u64)getpid() << 32));
	o->faults.seed = splitmix(r->p.seed ^ (r->server ? 0x5e : 0xc1));
	return 0;
}

int main(int argc, char **argv)
{
	struct run *r = calloc(1, sizeof(*r));
	struct pv_conn conn = { 0 };
	double t0;
	int err;

	if (!r)
		return EXIT_FAILURE;
	r->fd = -1;
	if (parse_args(r, argc, argv))
		return EXIT_FAILURE;
	setvbuf(stdout, NULL, _IOLBF, 0);
#ifndef XP_PEER_IBV
	if (r->o.verbose)
		xp_set_log_level(XP_DEBUG);
#endif
	err = pv_open(&r->v, r->o.dev, r->o.gidx, r->o.xsk_mode);
	if (err) {
		fprintf(stderr, "%s: cannot open %s: %s\n", PROG, r->o.dev ? r->o.dev : "a device",
			strerror(-err));
		return EXIT_FAILURE;
	}
	err = pv_set_faults(&r->v, &r->o.faults);
	if (err) {
		fprintf(stderr, "%s: fault injection: %s\n", PROG, strerror(-err));
		goto out;
	}
	err = pv_create_qp(&r->v, SQ_DEPTH, RQ_DEPTH);
	if (err) {
		fprintf(stderr, "%s: creating the QP: %s\n", PROG, strerror(-err));
		goto out;
	}
	srand48(now_s() * 1e6 + getpid());
	r->me.qpn = pv_qp_num(&r->v);
	r->me.psn = lrand48() & 0xffffff;
	r->me.mtu = r->v.mtu;
	memcpy(r->me.gid, r->v.gid, 16);

	if (r->server) {
		r->fd = tcp_listen_accept(r->o.port, r->o.wait_s);
		err = r->fd < 0 ? r->fd : recv_hello(r);
		if (!err)
			err = alloc_buffers(r);
	} else {
		err = alloc_buffers(r);
		if (!err) {
			r->fd = tcp_connect(r->o.host, r->o.port, r->o.wait_s);
			err = r->fd < 0 ? r->fd : send_hello(r);
		}
		if (!err)
			err = recv_hello(r);
	}
	if (err) {
		fprintf(stderr, "%s: connection set-up failed: %s\n", PROG, strerror(-err));
		goto out;
	}
	conn.dest_qpn = r->them.qpn;
	conn.rq_psn = r->them.psn;
	conn.sq_psn = r->me.psn;
	memcpy(conn.dgid, r->them.gid, 16);
	conn.mtu = r->me.mtu < r->them.mtu ? r->me.mtu : r->them.mtu;
	conn.timeout = r->o.timeout;
	err = pv_connect(&r->v, &conn);
	if (err)
		goto out;
	if (r->server) {
		unsigned int s;

		for (s = 0; s < RQ_DEPTH && !err; s++)
			err = post_slot(r, s);
		if (err) {
			fprintf(stderr, "%s: post_recv: %s\n", PROG, strerror(-err));
			goto out;
		}
		err = send_hello(r);
		if (err)
			goto out;
	} else if (r->them.len < r->target_len) {
		fprintf(stderr, "%s: the server's buffer has %llu bytes, the plan needs %zu\n",
			PROG, (unsigned long long)r->them.len, r->target_len);
		err = -EPROTO;
		goto out;
	}
	print_side("local ", &r->me);
	print_side("remote", &r->them);
	printf("%s: %s %s, path MTU %u, seed %llu, %d x %d sizes up to %u, ops 0x%x\n", PROG,
	       PV_VARIANT, r->server ? "server" : "client", conn.mtu, (unsigned long long)r->p.seed,
	       r->p.iters, r->p.nsizes, r->p.max_size, r->p.ops);

	t0 = now_s();
	if (r->server) {
		err = server_run(r);
		err = server_finish(r, err);
	} else {
		err = client_run(r);
		if (!err)
			err = client_finish(r);
	}
	guards_check(r);
	printf("%s: %s %s steps %d checks %lu failed %lu bytes %llu time %.2f s\n", PROG,
	       r->server ? "server" : "client", !err && !r->failures ? "PASS" : "FAIL", r->steps,
	       r->checks, r->failures, r->bytes, now_s() - t0);
	pv_print_stats(&r->v, PROG);
	if (!err && r->failures)
		err = -EIO;
out:
	if (r->fd >= 0)
		close(r->fd);
	pv_dereg_mr(&r->mr);
	pv_close(&r->v);
	free(r->guarded);
	free(r->scratch);
	free(r->shadow);
	free(r);
	return err ? EXIT_FAILURE : EXIT_SUCCESS;
}
