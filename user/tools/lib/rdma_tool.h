/* SPDX-License-Identifier: GPL-2.0 */
/*
 * rdma_tool: what the RDMA tools in user/tools share (not libxdpath API).
 *
 * Messages start with rt_prog, which each tool sets first thing in main().
 *
 * The RC test tools (xp-read-lat, xp-write-bw) keep their device, PD, CQs,
 * QP and MR in a struct rt_rc and set up with rt_rc_open(), rt_rc_paths(),
 * rt_rc_tcp() and rt_rc_setup(): the ibv_*_pingpong address message both
 * ways, then the tool's parameter message (the client's rule), each side's
 * buffer, then "ready".
 */
#ifndef XP_RDMA_TOOL_H
#define XP_RDMA_TOOL_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "xp_exchange.h"
#include "xp_rdma_xsk.h"

extern const char *rt_prog;

__u64 rt_now_ns(void);
long long rt_now_us(void);

/* Set by SIGINT and SIGTERM once rt_catch_stop() ran. */
extern volatile sig_atomic_t rt_stop;

/*
 * Idle loops sleep in xp_rdma_dev_wait() (at most 1 ms, woken by the next
 * frame) unless --busy-poll set rt_busy_poll: spinning starves the
 * kernel's own receive and transmit work on a busy or one-CPU machine.
 */
extern bool rt_busy_poll;
void rt_idle(struct xp_rdma_dev *dev);

/*
 * The options xp-write-bw and xp-read-lat share: -i -g -p -m --timeout
 * --cpu --generic --faults -v, and the server address after them.
 */
struct rt_opts {
	const char *ifname;
	const char *server; /* NULL: we are the server */
	int port; /* 18515 */
	int gidx; /* 1 */
	int cpu; /* -1: not pinned */
	unsigned int mtu_bytes; /* 0: the device's */
	int timeout_ms; /* 10000 */
	struct xp_rdma_faults faults;
	struct xp_rdma_dev_opts dev;
};

void rt_opts_init(struct rt_opts *o);
/* 1 when opt was one of the shared ones, 0 when not, -1 after a message. */
int rt_opts_parse(struct rt_opts *o, int opt, const char *arg);
/*
 * After getopt: the optional server address, -i present, CPU pinning.
 * 0, or -1 after a message (and usage() to stderr where it helps).
 */
int rt_opts_finish(struct rt_opts *o, int argc, char **argv, void (*usage)(FILE *f));
void rt_catch_stop(void);

/* Whole-string strtoull in lo..hi: 0, or -EINVAL after a message. */
int rt_num_arg(const char *opt, const char *s, unsigned long long lo, unsigned long long hi,
	       unsigned long long *v);
/* -m BYTES: a power of two in 256..4096. */
int rt_mtu_arg(const char *s, unsigned int *bytes);
/* --faults D[,U[,R]]: 0, or -EINVAL after a message. */
int rt_faults_arg(const char *s, struct xp_rdma_faults *faults);
/* Pin to cpu when it is >= 0: 0, or -errno after a message. */
int rt_pin_cpu(int cpu);

int rt_fd_readable(int fd);

/* ibv_*_pingpong's address lines: "  WHAT LID 0x..., QPN 0x..., PSN 0x...SEP GID ..." */
void rt_pp_print_dest(const char *what, const struct xp_pp_dest *d, char sep);
/* ibv_*_pingpong's result lines. */
void rt_pp_print_result(__u32 size, __u32 iters, long long us);
/*
 * The device's counters: "PROG: LABELrx N tx N [drops by reason] [mr_* and
 * send_inv_sent, when any is not 0] tx_no_frame N, drops N".
 */
void rt_print_dev_stats(FILE *f, const struct xp_rdma_dev *dev, const char *label,
			bool count_faults);

struct rt_rc {
	struct xp_rdma_dev *dev;
	struct xp_pd *pd;
	struct xp_cq *scq, *rcq;
	struct xp_qp *qp;
	struct xp_mr *mr;
	__u32 psn;
	__u8 gid[16];
	struct xp_pp_dest peer_dest;
	int fd;
	int timeout_ms;
	enum xp_mtu mtu;
};

/* The parameter message: its length, refusal tag, and the tool's side of it. */
struct rt_setup_ops {
	size_t msg_len;
	const char *refused; /* e.g. "XPBW-REFUSED" */
	/* Register the buffer by the parameters we have now. */
	int (*reg_buf)(void *ctx);
	void (*fmt)(void *ctx, char *msg);
	/*
	 * Parse msg into the peer's parameters: 0; -EPROTO for what is not a
	 * parameter message; -ERANGE for a value out of range, why (why_len
	 * bytes) saying which. The server refuses the client for either.
	 */
	int (*parse)(void *ctx, char *msg, char *why, size_t why_len);
	/* Server: refuse (rt_refuse()) or adopt the client's parsed parameters. */
	int (*adopt)(void *ctx, char *msg);
	/* After the QP is connected (may be NULL). */
	int (*connected)(void *ctx);
};

/* srand48 and a random PSN; returns a 16-bit seed, odd for the client. */
__u32 rt_rc_random(struct rt_rc *c, bool client);
int rt_rc_open(struct rt_rc *c, const char *ifname, int gidx, const struct xp_rdma_dev_opts *dopts,
	       int scqe, int rcqe, __u32 max_send_wr, __u32 max_recv_wr);
/* Path MTU (the device's, or mtu_bytes if not 0) and fault injection. */
int rt_rc_paths(struct rt_rc *c, const char *ifname, struct xp_rdma_faults *faults,
		unsigned int mtu_bytes);
/* Client (server != NULL): connect to it; server: listen and accept one. */
int rt_rc_tcp(struct rt_rc *c, const char *server, int port, const struct xp_tcp_opts *topts);
int rt_rc_setup(struct rt_rc *c, bool client, int gidx, const struct rt_setup_ops *ops, void *ctx);
/* Server: adopt the client's path MTU, or refuse it. */
int rt_rc_adopt_mtu(struct rt_rc *c, __u32 peer_mtu, char *msg, size_t len, const char *refused);
/* Write "REFUSED-TAG text" to the peer (len bytes of msg) and say it. */
__attribute__((format(printf, 5, 6))) void rt_refuse(int fd, char *msg, size_t len,
						     const char *refused, const char *fmt, ...);
/* Drive the device until the peer writes to fd: 0, -EINTR or -EIO. */
int rt_rc_serve(struct rt_rc *c);
void rt_rc_print_addrs(const struct rt_rc *c, __u32 rkey, __u64 addr, __u32 peer_rkey,
		       __u64 peer_addr);
/* The QP's counters; the ninth is rnr_naks_sent, or seq_naks_sent with seq_sent. */
void rt_rc_print_qp_stats(FILE *f, const struct rt_rc *c, bool seq_sent);
void rt_rc_close(struct rt_rc *c);

#endif
