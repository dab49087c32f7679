// SPDX-License-Identifier: GPL-2.0
/*
 * udp_pingpong: the reference beside bench/rxe-bench.sh's SEND latency. A
 * UDP ping-pong between two hosts through the kernel's sockets, both ends
 * polling without sleeping, as perftest polls its CQ: what a round trip
 * between two polling processes costs in the test bed (virtio-net, taps,
 * bridge, IP and UDP, system calls) with no RDMA stack in the way.
 *
 *	udp_pingpong -s [-p PORT] [-l LEN]           serve: echo every datagram
 *	udp_pingpong [-p PORT] [-l LEN] [-n N] PEER  measure N round trips
 *
 * The client sends LEN bytes (default 64) carrying a sequence number and
 * waits for their echo; a reply with another number is ignored, and after
 * a second without the right one it sends again (the server may not be up
 * yet; a datagram may be lost). It prints
 *
 *	UDPLAT n=N typical=T avg=A min=M resent=R
 *
 * in microseconds of half a round trip (perftest's ib_send_lat reports
 * the same half): T the median, A the mean. At the end it tells the
 * server to stop, which otherwise exits after 30 s without a datagram.
 * Exit status 0, or 1 with a message on stderr.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define UP_MAX_LEN 1472 /* one Ethernet frame */
#define UP_STOP UINT32_MAX /* the sequence number that ends the server */
#define UP_IDLE_NS (30 * 1000000000ull)
#define UP_RESEND_NS 1000000000ull

struct up_opts {
	int server;
	unsigned int port;
	unsigned int len;
	unsigned int iters;
	const char *peer;
};

static uint64_t up_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static int up_cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Echo datagrams until the stop number or UP_IDLE_NS of silence. */
static int up_serve(int fd)
{
	unsigned char buf[UP_MAX_LEN];
	struct sockaddr_storage from;
	uint64_t last = up_now_ns();
	socklen_t flen;
	uint32_t seq;
	ssize_t n;

	for (;;) {
		flen = sizeof(from);
		n = recvfrom(fd, buf, sizeof(buf), MSG_DONTWAIT, (struct sockaddr *)&from, &flen);
		if (n < 0) {
			if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
				perror("udp_pingpong: recvfrom");
				return 1;
			}
			if (up_now_ns() - last > UP_IDLE_NS) {
				fprintf(stderr, "udp_pingpong: no datagram for 30 s\n");
				return 1;
			}
			continue;
		}
		last = up_now_ns();
		if (sendto(fd, buf, n, 0, (struct sockaddr *)&from, flen) < 0) {
			perror("udp_pingpong: sendto");
			return 1;
		}
		if (n >= (ssize_t)sizeof(seq)) {
			memcpy(&seq, buf, sizeof(seq));
			if (seq == UP_STOP)
				return 0;
		}
	}
}

/* Send seq, poll for its echo; the round trip in ns, or 0 on an error. */
static uint64_t up_round(int fd, unsigned char *buf, unsigned int len, uint32_t seq,
			 unsigned int *resent)
{
	unsigned char rbuf[UP_MAX_LEN];
	uint64_t t0, sent;
	uint32_t got;
	ssize_t n;

	memcpy(buf, &seq, sizeof(seq));
	t0 = sent = up_now_ns();
	if (send(fd, buf, len, 0) < 0)
		goto out_err;
	for (;;) {
		n = recv(fd, rbuf, sizeof(rbuf), MSG_DONTWAIT);
		if (n >= (ssize_t)sizeof(got)) {
			memcpy(&got, rbuf, sizeof(got));
			if (got == seq)
				return up_now_ns() - t0 ?: 1;
			continue; /* an echo of a datagram sent again */
		}
		/* ECONNREFUSED: an ICMP error while the server is not up yet. */
		if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR &&
		    errno != ECONNREFUSED)
			goto out_err;
		if (up_now_ns() - sent > UP_RESEND_NS) {
			(*resent)++;
			t0 = sent = up_now_ns();
			if (send(fd, buf, len, 0) < 0 && errno != ECONNREFUSED)
				goto out_err;
		}
	}
out_err:
	perror("udp_pingpong: send/recv");
	return 0;
}

static int up_client(int fd, const struct up_opts *o)
{
	unsigned char buf[UP_MAX_LEN] = { 0 };
	unsigned int i, warm = 10, resent = 0;
	uint64_t *rtt, sum = 0, t;
	int ret = 1;

	rtt = calloc(o->iters, sizeof(*rtt));
	if (!rtt) {
		fprintf(stderr, "udp_pingpong: out of memory\n");
		return 1;
	}
	/* The first rounds wait for the server and warm the path. */
	for (i = 0; i < warm + o->iters; i++) {
		t = up_round(fd, buf, o->len, i, &resent);
		if (!t)
			goto out_free;
		if (i >= warm) {
			rtt[i - warm] = t;
			sum += t;
		}
	}
	qsort(rtt, o->iters, sizeof(*rtt), up_cmp);
	printf("UDPLAT n=%u typical=%.2f avg=%.2f min=%.2f resent=%u\n", o->iters,
	       rtt[o->iters / 2] / 2000.0, (double)sum / o->iters / 2000.0, rtt[0] / 2000.0,
	       resent);
	/* Stop the server: a few times, since a datagram may be lost. */
	memset(buf, 0xff, sizeof(uint32_t));
	for (i = 0; i < 3; i++)
		send(fd, buf, o->len, 0);
	ret = 0;
out_free:
	free(rtt);
	return ret;
}

static void up_usage(FILE *f)
{
	fprintf(f, "usage: udp_pingpong -s [-p PORT] [-l LEN]\n"
		   "       udp_pingpong [-p PORT] [-l LEN] [-n ITERS] PEER\n"
		   "  -p PORT   UDP port (default 18515)\n"
		   "  -l LEN    bytes per datagram, 4..1472 (default 64)\n"
		   "  -n ITERS  round trips measured, 1..1000000 (default 1000)\n");
}

/* A whole number in [min, max], or -1 with a message. */
static long up_num(const char *opt, const char *s, long min, long max)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < min || v > max) {
		fprintf(stderr, "udp_pingpong: %s '%s': a number from %ld to %ld\n", opt, s, min,
			max);
		return -1;
	}
	return v;
}

int main(int argc, char **argv)
{
	struct up_opts o = { .port = 18515, .len = 64, .iters = 1000 };
	struct sockaddr_in sa = { .sin_family = AF_INET };
	long v;
	int c, fd, ret;

	while ((c = getopt(argc, argv, "sp:l:n:h")) != -1) {
		switch (c) {
		case 's':
			o.server = 1;
			break;
		case 'p':
			if ((v = up_num("-p", optarg, 1, 65535)) < 0)
				return 1;
			o.port = v;
			break;
		case 'l':
			if ((v = up_num("-l", optarg, sizeof(uint32_t), UP_MAX_LEN)) < 0)
				return 1;
			o.len = v;
			break;
		case 'n':
			if ((v = up_num("-n", optarg, 1, 1000000)) < 0)
				return 1;
			o.iters = v;
			break;
		case 'h':
			up_usage(stdout);
			return 0;
		default:
			up_usage(stderr);
			return 1;
		}
	}
	if (o.server == (optind < argc) || argc - optind > 1) {
		up_usage(stderr);
		return 1;
	}
	o.peer = o.server ? NULL : argv[optind];
	sa.sin_port = htons(o.port);
	if (o.peer && inet_pton(AF_INET, o.peer, &sa.sin_addr) != 1) {
		fprintf(stderr, "udp_pingpong: '%s' is not an IPv4 address\n", o.peer);
		return 1;
	}
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0) {
		perror("udp_pingpong: socket");
		return 1;
	}
	if (o.server ? bind(fd, (struct sockaddr *)&sa, sizeof(sa)) :
		       connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		perror(o.server ? "udp_pingpong: bind" : "udp_pingpong: connect");
		close(fd);
		return 1;
	}
	ret = o.server ? up_serve(fd) : up_client(fd, &o);
	close(fd);
	return ret;
}
