// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * TCP set-up channel of the rdma-core example programs (xp_exchange.h):
 * listen/accept and connect with bounded waits, whole-buffer reads and
 * writes, and the 52-byte ibv_*_pingpong address message.
 */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "xp_exchange.h"
#include "xp_internal.h"

/* A refused connect is tried again after this long. */
#define XP_TCP_RETRY_MS 100

static long long mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

static void sleep_ms(int ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

/* ---- the pingpong message ---- */

void xp_pp_dest_format(const struct xp_pp_dest *dest, char msg[XP_PP_MSG_LEN])
{
	char hex[33];
	int i;

	for (i = 0; i < 16; i++)
		snprintf(hex + 2 * i, 3, "%02x", dest->gid[i]);
	memset(msg, 0, XP_PP_MSG_LEN);
	snprintf(msg, XP_PP_MSG_LEN, "%04x:%06x:%06x:%s", dest->lid, dest->qpn & 0xffffff,
		 dest->psn & 0xffffff, hex);
}

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Exactly n hex digits at *p, then sep; *p moves past sep. */
static int hex_field(const char **p, int n, char sep, __u32 *val)
{
	__u32 v = 0;
	int i, d;

	for (i = 0; i < n; i++) {
		d = hex_digit((*p)[i]);
		if (d < 0)
			return -EPROTO;
		v = v << 4 | d;
	}
	if ((*p)[n] != sep)
		return -EPROTO;
	*p += n + 1;
	*val = v;
	return 0;
}

int xp_pp_dest_parse(const char msg[XP_PP_MSG_LEN], struct xp_pp_dest *dest)
{
	const char *p = msg;
	__u32 lid, qpn, psn, hi, lo;
	int i;

	if (hex_field(&p, 4, ':', &lid) || hex_field(&p, 6, ':', &qpn) ||
	    hex_field(&p, 6, ':', &psn))
		return -EPROTO;
	for (i = 0; i < 16; i++) {
		hi = hex_digit(p[2 * i]);
		lo = hex_digit(p[2 * i + 1]);
		if ((int)hi < 0 || (int)lo < 0)
			return -EPROTO;
		dest->gid[i] = hi << 4 | lo;
	}
	if (p[32] != '\0')
		return -EPROTO;
	dest->lid = lid;
	dest->qpn = qpn;
	dest->psn = psn;
	return 0;
}

/* ---- TCP ---- */

int xp_tcp_listen(int port, const struct xp_tcp_opts *opts)
{
	struct sockaddr_in6 sa6 = { .sin6_family = AF_INET6, .sin6_addr = IN6ADDR_ANY_INIT };
	struct sockaddr_in sa4 = { .sin_family = AF_INET, .sin_addr.s_addr = INADDR_ANY };
	int fd, err, one = 1, zero = 0;

	err = xp_opts_valid(opts, xp_tcp_opts);
	if (err)
		return err;
	if (port <= 0 || port > 65535)
		return -EINVAL;
	sa6.sin6_port = htons(port);
	sa4.sin_port = htons(port);
	fd = socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd >= 0) {
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		/* One socket for both families, whatever net.ipv6.bindv6only says. */
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero));
		if (!bind(fd, (struct sockaddr *)&sa6, sizeof(sa6)))
			goto out_listen;
		err = -errno;
		close(fd);
		if (err != -EADDRNOTAVAIL && err != -EAFNOSUPPORT)
			return err;
	} else if (errno != EAFNOSUPPORT) {
		return -errno;
	}
	/* No IPv6 here: IPv4 only. */
	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&sa4, sizeof(sa4)))
		goto out_close;
out_listen:
	if (!listen(fd, 1))
		return fd;
out_close:
	err = -errno;
	close(fd);
	return err;
}

int xp_tcp_accept_fd(int lfd, const struct xp_tcp_opts *opts)
{
	int timeout = XP_OPTS_GET(opts, timeout_ms, 0);
	struct pollfd pfd = { .fd = lfd, .events = POLLIN };
	long long end = mono_ms() + timeout;
	int fd, err;

	err = xp_opts_valid(opts, xp_tcp_opts);
	if (err)
		goto out;
	if (timeout > 0) {
		for (;;) {
			int left = end - mono_ms();

			err = poll(&pfd, 1, left > 0 ? left : 0);
			if (err > 0)
				break;
			if (!err) {
				err = -ETIMEDOUT;
				goto out;
			}
			if (errno != EINTR) {
				err = -errno;
				goto out;
			}
		}
	}
	do
		fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
	while (fd < 0 && errno == EINTR);
	err = fd < 0 ? -errno : fd;
out:
	close(lfd);
	return err;
}

int xp_tcp_accept(int port, const struct xp_tcp_opts *opts)
{
	int lfd = xp_tcp_listen(port, opts);

	return lfd < 0 ? lfd : xp_tcp_accept_fd(lfd, opts);
}

/*
 * connect() that gives up after timeout_ms (0: the kernel's own limit).
 * 0 or -errno; -ETIMEDOUT when the time ran out.
 */
static int connect_bounded(int fd, const struct sockaddr *sa, socklen_t len, int timeout_ms)
{
	struct pollfd pfd = { .fd = fd, .events = POLLOUT };
	socklen_t elen = sizeof(int);
	int err, soerr = 0;

	if (timeout_ms <= 0) {
		while (connect(fd, sa, len))
			if (errno != EINTR)
				return -errno;
		return 0;
	}
	/* A non-blocking connect, bounded by poll(). */
	if (!connect(fd, sa, len))
		return 0;
	if (errno != EINPROGRESS)
		return -errno;
	do
		err = poll(&pfd, 1, timeout_ms);
	while (err < 0 && errno == EINTR);
	if (err < 0)
		return -errno;
	if (!err)
		return -ETIMEDOUT;
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &elen))
		return -errno;
	return -soerr;
}

int xp_tcp_connect(const char *host, int port, const struct xp_tcp_opts *opts)
{
	struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM }, *res, *t;
	int timeout = XP_OPTS_GET(opts, timeout_ms, 0);
	long long end = mono_ms() + timeout;
	char service[8];
	int fd, err, left;

	err = xp_opts_valid(opts, xp_tcp_opts);
	if (err)
		return err;
	if (!host || port <= 0 || port > 65535)
		return -EINVAL;
	snprintf(service, sizeof(service), "%d", port);
	err = getaddrinfo(host, service, &hints, &res);
	if (err) {
		pr_warn("cannot resolve %s: %s\n", host,
			err == EAI_SYSTEM ? strerror(errno) : gai_strerror(err));
		return -EINVAL;
	}
	for (;;) {
		err = -ECONNREFUSED;
		for (t = res; t; t = t->ai_next) {
			left = timeout > 0 ? end - mono_ms() : 0;
			if (timeout > 0 && left <= 0)
				left = 1;
			fd = socket(t->ai_family,
				    t->ai_socktype | SOCK_CLOEXEC |
					    (timeout > 0 ? SOCK_NONBLOCK : 0),
				    t->ai_protocol);
			if (fd < 0) {
				err = -errno;
				continue;
			}
			err = connect_bounded(fd, t->ai_addr, t->ai_addrlen, left);
			/* Back to blocking reads and writes. */
			if (!err && timeout > 0 && fcntl(fd, F_SETFL, 0))
				err = -errno;
			if (!err)
				goto out;
			close(fd);
		}
		left = end - mono_ms();
		if (err != -ECONNREFUSED || left <= 0)
			break;
		sleep_ms(left < XP_TCP_RETRY_MS ? left : XP_TCP_RETRY_MS);
	}
	fd = err;
out:
	freeaddrinfo(res);
	return fd;
}

int xp_tcp_write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;
	bool sock = true;
	ssize_t n;

	while (len) {
		n = sock ? send(fd, p, len, MSG_NOSIGNAL) : write(fd, p, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == ENOTSOCK && sock) {
				sock = false;
				continue;
			}
			return -errno;
		}
		p += n;
		len -= n;
	}
	return 0;
}

int xp_tcp_read_all(int fd, void *buf, size_t len)
{
	char *p = buf;
	ssize_t n;

	while (len) {
		n = read(fd, p, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (!n)
			return -EPIPE;
		p += n;
		len -= n;
	}
	return 0;
}

/* ---- the pingpong exchange ---- */

static int pp_send(int fd, const struct xp_pp_dest *dest)
{
	char msg[XP_PP_MSG_LEN];

	xp_pp_dest_format(dest, msg);
	return xp_tcp_write_all(fd, msg, sizeof(msg));
}

static int pp_recv(int fd, struct xp_pp_dest *dest)
{
	char msg[XP_PP_MSG_LEN];
	int err;

	err = xp_tcp_read_all(fd, msg, sizeof(msg));
	return err ?: xp_pp_dest_parse(msg, dest);
}

int xp_pp_client_exchange(int fd, const struct xp_pp_dest *me, struct xp_pp_dest *peer)
{
	int err;

	err = pp_send(fd, me);
	if (!err)
		err = pp_recv(fd, peer);
	if (!err)
		err = xp_tcp_write_all(fd, "done", sizeof("done"));
	return err;
}

int xp_pp_server_recv(int fd, struct xp_pp_dest *peer)
{
	return pp_recv(fd, peer);
}

int xp_pp_server_reply(int fd, const struct xp_pp_dest *me)
{
	char done[XP_PP_MSG_LEN];
	ssize_t n;
	int err;

	err = pp_send(fd, me);
	if (err)
		return err;
	do
		n = read(fd, done, sizeof(done));
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	return n ? 0 : -EPIPE;
}
