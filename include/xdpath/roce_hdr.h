/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/*
 * InfiniBand extended transport headers (IBTA vol. 1, 9.3-9.5) and BTH
 * opcodes, as RoCEv2 carries them after the BTH (include/xdpath/bth.h).
 * All multi-byte fields are big-endian on the wire.
 */
#ifndef XDPATH_ROCE_HDR_H
#define XDPATH_ROCE_HDR_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

#include <xdpath/bth.h>

/* Opcode = transport (top 3 bits) | operation (low 5 bits). */
#define XP_OP_TRANSPORT_MASK 0xe0
#define XP_OP_RC 0x00
#define XP_OP_UC 0x20
#define XP_OP_RD 0x40
#define XP_OP_UD 0x60

enum xp_op {
	XP_OP_SEND_FIRST = 0x00,
	XP_OP_SEND_MIDDLE = 0x01,
	XP_OP_SEND_LAST = 0x02,
	XP_OP_SEND_LAST_IMM = 0x03,
	XP_OP_SEND_ONLY = 0x04,
	XP_OP_SEND_ONLY_IMM = 0x05,
	XP_OP_WRITE_FIRST = 0x06,
	XP_OP_WRITE_MIDDLE = 0x07,
	XP_OP_WRITE_LAST = 0x08,
	XP_OP_WRITE_LAST_IMM = 0x09,
	XP_OP_WRITE_ONLY = 0x0a,
	XP_OP_WRITE_ONLY_IMM = 0x0b,
	XP_OP_READ_REQUEST = 0x0c,
	XP_OP_READ_RESPONSE_FIRST = 0x0d,
	XP_OP_READ_RESPONSE_MIDDLE = 0x0e,
	XP_OP_READ_RESPONSE_LAST = 0x0f,
	XP_OP_READ_RESPONSE_ONLY = 0x10,
	XP_OP_ACKNOWLEDGE = 0x11,
	XP_OP_ATOMIC_ACKNOWLEDGE = 0x12,
	XP_OP_COMPARE_SWAP = 0x13,
	XP_OP_FETCH_ADD = 0x14,
	XP_OP_SEND_LAST_INV = 0x16,
	XP_OP_SEND_ONLY_INV = 0x17,
};

/* RDMA Extended Transport Header: WRITE first/only, READ request. */
struct xp_reth {
	__be64 va;
	__be32 rkey;
	__be32 dma_len;
} __attribute__((packed));
#define XP_RETH_LEN 16

/* ACK Extended Transport Header: syndrome and MSN. */
struct xp_aeth {
	__be32 smsn; /* syndrome:8 MSN:24 */
} __attribute__((packed));
#define XP_AETH_LEN 4
#define XP_AETH_MSN_MASK 0x00ffffff
#define XP_AETH_SYN_SHIFT 24
/* Syndrome: top bits say ACK, RNR NAK or NAK; low 5 bits a credit/timer/code. */
#define XP_AETH_TYPE_MASK 0x60
#define XP_AETH_ACK 0x00
#define XP_AETH_RNR_NAK 0x20
#define XP_AETH_NAK 0x60
#define XP_AETH_VALUE_MASK 0x1f
enum xp_nak_code {
	XP_NAK_PSN_SEQ_ERROR = 0,
	XP_NAK_INVALID_REQUEST = 1,
	XP_NAK_REMOTE_ACCESS_ERROR = 2,
	XP_NAK_REMOTE_OP_ERROR = 3,
	XP_NAK_INVALID_RD_REQUEST = 4,
};

/* Atomic Extended Transport Header: compare-and-swap, fetch-and-add. */
struct xp_atmeth {
	__be64 va;
	__be32 rkey;
	__be64 swap_add;
	__be64 compare;
} __attribute__((packed));
#define XP_ATMETH_LEN 28

/* Atomic ACK Extended Transport Header: the original remote value. */
struct xp_atmack {
	__be64 orig;
} __attribute__((packed));
#define XP_ATMACK_LEN 8

/* Immediate data, invalidate key. */
struct xp_immdt {
	__be32 imm;
} __attribute__((packed));
#define XP_IMMDT_LEN 4

struct xp_ieth {
	__be32 rkey;
} __attribute__((packed));
#define XP_IETH_LEN 4

/* Datagram Extended Transport Header (UD). */
struct xp_deth {
	__be32 qkey;
	__be32 sqp; /* resv:8 source QP:24 */
} __attribute__((packed));
#define XP_DETH_LEN 8

/* Invariant CRC trailer. */
#define XP_ICRC_LEN 4

_Static_assert(sizeof(struct xp_reth) == XP_RETH_LEN, "RETH is 16 bytes");
_Static_assert(sizeof(struct xp_atmeth) == XP_ATMETH_LEN, "AtomicETH is 28 bytes");
_Static_assert(sizeof(struct xp_deth) == XP_DETH_LEN, "DETH is 8 bytes");

#endif /* XDPATH_ROCE_HDR_H */
