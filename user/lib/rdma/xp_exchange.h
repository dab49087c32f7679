/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Out-of-band connection set-up over TCP, the way rdma-core's example
 * programs (ibv_rc_pingpong, ibv_ud_pingpong) and perftest do it: one side
 * listens, the other connects, and each sends the other what its QP needs.
 *
 * The pingpong message is 52 bytes: "LLLL:QQQQQQ:PPPPPP:GGGG...G" (LID,
 * QPN and PSN in hex, the GID as 32 hex digits: its 16 bytes in order, i.e.
 * four 32-bit words in network order) and a NUL. The client sends first,
 * the server answers, the client ends with "done" (5 bytes with the NUL).
 * The server moves its QP to RTR between reading and answering, so the
 * client's first packet finds it ready.
 *
 *	server:
 *	lfd = xp_tcp_listen(port, &opts);	("ready" may be said here)
 *	fd = xp_tcp_accept_fd(lfd, &opts);	(closes lfd)
 *	xp_pp_server_recv(fd, &peer);
 *	... connect the QP to peer ...
 *	xp_pp_server_reply(fd, &me);
 *
 *	client:
 *	fd = xp_tcp_connect(host, port, &opts);
 *	xp_pp_client_exchange(fd, &me, &peer);
 *	... connect the QP to peer ...
 *
 * Errors come back as -errno; nothing is printed except a failed host
 * name lookup (at XP_WARN, with the resolver's reason), which no errno
 * can carry.
 */
#ifndef XP_EXCHANGE_H
#define XP_EXCHANGE_H

#include <stddef.h>
#include <linux/types.h>

#define XP_PP_MSG_LEN 52

/* What an ibv_*_pingpong peer tells the other. */
struct xp_pp_dest {
	__u16 lid; /* 0 on RoCE */
	__u32 qpn;
	__u32 psn;
	__u8 gid[16];
};

/* msg = "%04x:%06x:%06x:<32 hex>" and zero fill (qpn and psn masked to 24 bits). */
void xp_pp_dest_format(const struct xp_pp_dest *dest, char msg[XP_PP_MSG_LEN]);
/*
 * 0, or -EPROTO when msg is not such a message: four ':'-separated
 * fields of exactly 4, 6, 6 and 32 hex digits, then a NUL.
 */
int xp_pp_dest_parse(const char msg[XP_PP_MSG_LEN], struct xp_pp_dest *dest);

struct xp_tcp_opts {
	size_t sz;
	/*
	 * connect: retry a refused connection this long (0: try once);
	 * accept: wait this long for a client (0: forever), else -ETIMEDOUT.
	 */
	int timeout_ms;
	size_t : 0;
};

/*
 * Listen on port of every address, IPv4 and IPv6 (one dual-stack socket;
 * IPv4 alone where the system has no IPv6). The listening fd or -errno
 * (-EINVAL for a port outside 1..65535, -EADDRINUSE ...).
 */
int xp_tcp_listen(int port, const struct xp_tcp_opts *opts);
/* Accept one connection on lfd and close lfd: the connected fd or -errno. */
int xp_tcp_accept_fd(int lfd, const struct xp_tcp_opts *opts);
/* xp_tcp_listen() and xp_tcp_accept_fd() in one call. */
int xp_tcp_accept(int port, const struct xp_tcp_opts *opts);
/*
 * Connect to host:port (name or address, IPv4 or IPv6): the fd or -errno
 * (-ECONNREFUSED once the timeout has passed with nobody listening,
 * -EINVAL when host does not resolve).
 */
int xp_tcp_connect(const char *host, int port, const struct xp_tcp_opts *opts);

/* All of buf or -errno (-EPIPE when the peer closed, never SIGPIPE). */
int xp_tcp_write_all(int fd, const void *buf, size_t len);
int xp_tcp_read_all(int fd, void *buf, size_t len);

/*
 * The ibv_*_pingpong exchange. Client: send me, read the server's into
 * peer, send "done". Server: xp_pp_server_recv() reads the client's;
 * xp_pp_server_reply() sends me and waits for the client's "done" (any
 * non-empty answer: older clients send other lengths). 0 or -errno;
 * -EPROTO for a malformed message, -EPIPE when the peer hung up.
 */
int xp_pp_client_exchange(int fd, const struct xp_pp_dest *me, struct xp_pp_dest *peer);
int xp_pp_server_recv(int fd, struct xp_pp_dest *peer);
int xp_pp_server_reply(int fd, const struct xp_pp_dest *me);

#endif /* XP_EXCHANGE_H */
