/* SPDX-License-Identifier: GPL-2.0 */
/*
 * perf_msg: the text messages xp-write-bw and xp-read-lat exchange over
 * their TCP set-up connection (not libxdpath API; see rdma_tool.h for the
 * set-up itself). Each is a fixed-size buffer: printable text, NUL, zero
 * fill, so a peer reads exactly one message with one read of that size.
 *
 * xp-write-bw, XPBW_MSG_LEN (192) bytes each:
 *
 *	"XPBW-PARAMS size=%u iters=%llu depth=%u dur=%u bidir=%d verify=%d
 *	 slots=%u addr=%llx rkey=%x seed=%x mtu=%u"	(one line)
 *
 *   the client's test and buffer, then the server's answer in kind (the
 *   server adopts size, iters, dur, bidir, verify, slots and mtu from the
 *   client: the client's command line rules);
 *
 *	"XPBW-DONE iters=%llu bytes=%llu ns=%llu peak=%.6e errors=%d"
 *
 *   what a side measured, sent to the other at the end (peak in bytes per
 *   second).
 *
 * xp-read-lat, XPLAT_MSG_LEN (256) bytes:
 *
 *	"XPLAT-PARAMS op=read|send|write size=%u iters=%llu verify=%d
 *	 addr=%llx rkey=%x seed=%x mtu=%u"		(one line)
 *
 *   the client's test and buffer, the server's answer in kind (the server
 *   adopts size, iters, verify and mtu; op must be its own).
 *
 * The server sizes its buffers and loops from what the client sent, so a
 * parser accepts only what the tools' command lines accept (the limits
 * below): a buggy or hostile client can ask a server for no more than
 * the same command line given to the server would (2 GiB of buffer for
 * -s 2^30), and cannot wrap size * slots, divide by zero slots or send
 * empty messages. Every message a tool sends parses, and the formats are
 * those of the tools before this file, so old and new versions
 * interoperate. The path MTU is the exception: any
 * 32-bit value parses, and the server takes it or refuses it against its
 * own interface (rt_rc_adopt_mtu()).
 *
 * The parsers return 0; -EPROTO for what is not such a message (another
 * tag, a field missing or not a number; text after the last field is
 * ignored); -ERANGE for a well-formed message with a value out of range,
 * with *p filled in as far as the fields go and, when why is not NULL,
 * why (why_len bytes, XP_PERF_WHY_LEN is enough) saying which value and
 * what is accepted, e.g. "size=0 (accepted: 1..1073741824)": the server
 * refuses the client with that text (XPBW-REFUSED, XPLAT-REFUSED).
 */
#ifndef XP_PERF_MSG_H
#define XP_PERF_MSG_H

#include <stddef.h>
#include <linux/types.h>

#define XP_PERF_WHY_LEN 128

/* ---- xp-write-bw ---- */

#define XPBW_MSG_LEN 192

/* The limits of xp-write-bw's -s, -n, -t and -D (its option parsing uses these). */
#define XPBW_MAX_SIZE (1u << 30)
#define XPBW_MAX_ITERS (1ull << 40)
#define XPBW_MAX_DEPTH 4096u
#define XPBW_MAX_DURATION 3600u /* seconds */
/*
 * --verify: each side's target buffer holds up to 16 message slots, at
 * most 64 MiB of them (one slot of any size). Without it, one slot.
 */
#define XPBW_VERIFY_MAX_SLOTS 16u
#define XPBW_VERIFY_MAX_BYTES (64u << 20)

struct xpbw_params {
	__u32 size; /* 1..XPBW_MAX_SIZE */
	__u64 iters; /* 1..XPBW_MAX_ITERS */
	__u32 depth; /* outstanding WRITEs, 1..XPBW_MAX_DEPTH */
	__u32 duration; /* seconds, 0..XPBW_MAX_DURATION; 0: count iterations */
	int bidir; /* 0 or 1 */
	int verify; /* 0 or 1 */
	__u32 slots; /* message slots in each buffer: xpbw_slots() */
	__u64 addr; /* sender's buffer, as the peer must address it */
	__u32 rkey;
	__u32 seed;
	__u32 mtu; /* path MTU in bytes: the client's rules */
};

/* What one side measured. */
struct xpbw_result {
	__u64 iters;
	__u64 bytes;
	__u64 ns;
	double peak; /* bytes per second: finite, 0 or more */
	int errors; /* 0 or more */
};

/*
 * The slots of a test of size-byte messages: as many as fit in
 * XPBW_VERIFY_MAX_BYTES, 1..XPBW_VERIFY_MAX_SLOTS, with verify; else 1.
 */
__u32 xpbw_slots(__u32 size, int verify);

/* msg = the message, zero-filled to XPBW_MSG_LEN bytes. */
void xpbw_params_fmt(const struct xpbw_params *p, char msg[XPBW_MSG_LEN]);
/*
 * -ERANGE beyond the limits above, for bidir or verify not 0 or 1, for
 * slots not 1..XPBW_VERIFY_MAX_SLOTS, more than 1 without verify, or more
 * than 1 of more than XPBW_VERIFY_MAX_BYTES together, and for rkey, seed
 * or mtu above 32 bits.
 */
int xpbw_params_parse(const char msg[XPBW_MSG_LEN], struct xpbw_params *p, char *why,
		      size_t why_len);

/* msg = the message, zero-filled to XPBW_MSG_LEN bytes. */
void xpbw_result_fmt(const struct xpbw_result *r, char msg[XPBW_MSG_LEN]);
/* -ERANGE for a peak that is negative, infinite or NaN, errors below 0 or above INT_MAX. */
int xpbw_result_parse(const char msg[XPBW_MSG_LEN], struct xpbw_result *r, char *why,
		      size_t why_len);

/* ---- xp-read-lat ---- */

#define XPLAT_MSG_LEN 256

/* The limits of xp-read-lat's -s and -n (its option parsing uses these). */
#define XPLAT_MAX_SIZE (1u << 24)
#define XPLAT_MAX_ITERS 100000000ull

enum xplat_op {
	XPLAT_OP_READ,
	XPLAT_OP_SEND,
	XPLAT_OP_WRITE,
};

/* How many there are; not an operation (what -ERANGE leaves for an unknown one). */
#define XPLAT_OP_NR 3

struct xplat_params {
	enum xplat_op op;
	__u32 size; /* 1..XPLAT_MAX_SIZE */
	__u64 iters; /* 1..XPLAT_MAX_ITERS */
	int verify; /* 0 or 1 */
	__u64 addr; /* target buffer: READ source or WRITE destination */
	__u32 rkey;
	__u32 seed;
	__u32 mtu; /* path MTU in bytes: the client's rules */
};

/* "read", "send", "write"; "?" for anything else. */
const char *xplat_op_name(enum xplat_op op);
/* The operation called name: 0, or -EINVAL for no such name. */
int xplat_op_from_name(const char *name, enum xplat_op *op);

/* msg = the message, zero-filled to XPLAT_MSG_LEN bytes. */
void xplat_params_fmt(const struct xplat_params *p, char msg[XPLAT_MSG_LEN]);
/*
 * -ERANGE for an unknown op (p->op is then XPLAT_OP_NR), beyond the limits
 * above, for verify not 0 or 1, and for rkey, seed or mtu above 32 bits.
 */
int xplat_params_parse(const char msg[XPLAT_MSG_LEN], struct xplat_params *p, char *why,
		       size_t why_len);

#endif
