// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer harness: the RC transport (core/roce/rdma_rc_*.c) of a
 * requester/responder pair on the in-memory net (tests/lib/xt_rc_pair.h),
 * fed frame sequences the input shapes. Corpus: tests/fuzz/corpus/fuzz_rc_pair.
 *
 * An input is a header, a workload and a tape:
 *   byte 0   path MTU 256/1024 (bit 0), receives posted late (bit 1),
 *            PSNs that wrap (bit 2), retry_cnt (bits 3-5: 0-3 forever,
 *            4-7: 1, 2, 3, 1), rnr_retry (bits 6-7: 0-1 forever, 2: 1, 3: 2)
 *   byte 1   the net's loss, duplication and reordering (2 bits each:
 *            0, 0.5 %, 2 %, 5 %), MRs as lists of pages (bit 6), side
 *            1's QP on a shared receive queue (bit 7: xp_srq.h);
 *            byte 2 the seed
 *   byte 3   work requests of side 0 (low nibble, at most 8) and side 1
 *            (high nibble mod 5); 3 bytes each: opcode, flags, size
 *   the rest the tape: for the frames the devices send, in order, how
 *            many to let pass, then what to do to the next one: drop it,
 *            deliver it twice, hold it back for later, or change a field
 *            (opcode, PSN, QPN, AckReq, pad, P_Key, RETH, AETH, AtomicETH,
 *            immediate, atomic ACK, a byte, the length, the MAC), in place
 *            or in an extra copy, with the ICRC computed again or not.
 *
 * A change with the ICRC left wrong, a drop, a copy or a delay is "benign":
 * the frames stay ones the peer sent. The checks:
 *   - every frame a device sends parses; a request's PSNs lie
 *     within those its work requests own;
 *   - after every step: the requester's una <= psn <= max_psn within its
 *     PSNs, max_psn - una below the window plus one READ, READs and
 *     atomics under way counted right, cons <= next <= prod; the
 *     responder's expected PSN within the peer's PSNs unless a changed
 *     frame reached it;
 *   - completions: each WR at most once, sends and receives each in
 *     posting order, an unsignalled WR never with success, a successful
 *     send with its opcode and length, a receive within its buffer, no
 *     CQ overrun;
 *   - a QP on an SRQ in ERR: every receive completed or still on the SRQ
 *     (only the one the QP took is flushed), none taken past one missing;
 *   - memory: the guards around both MRs intact; every byte outside what
 *     the workload lets the peer or the completions write unchanged
 *     (sources, gaps, the rest of the MR), unless a changed RETH,
 *     AtomicETH, opcode, byte or MAC reached that side;
 *   - once nothing is queued and no timer runs (quiescent): no frame slot
 *     in use, a QP in ERR has completed every signalled send and every
 *     receive, one in RTS every signalled send;
 *   - with only benign events and unlimited retries: the run ends
 *     quiescent, every WR succeeds with the data in place (WRITE, READ,
 *     SEND, immediates, atomics' results and targets);
 *   - closing: nothing refused, no frame kept by a core (xt_rc_pair_close).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "rdma_private.h" /* the QPs' PSN state, for the window checks */
#include "xp_mem_net.h"
#include "xp_roce_pkt.h"
#include "xt_rc_pair.h"

#define BUF_LEN (64u * 1024)
#define MAX_WR 8 /* per side */
#define MAX_RECV (2 * MAX_WR)
#define NFRAMES 96 /* 120 KiB: below ASan's mmap threshold, and a few -ENOBUFS paths too */
#define FRAME_SIZE 1280
/*
 * Virtual time and steps a run may take: a base, plus room for what the
 * tape can cost. Every tape action takes at least two bytes and can cost
 * one ACK timeout (code 14: 67 ms) and a few steps, and only after the
 * tape is used up must the run finish on its own.
 */
#define RUN_LIMIT (5 * XP_MEM_SEC)
#define TAPE_TIME (100 * XP_MEM_SEC / 1000) /* per tape byte */
#define LATE_LIMIT (20 * XP_MEM_SEC / 1000)
#define STEP_BUDGET 5000
#define TAPE_STEPS 8 /* per tape byte */
#define MAX_HELD 8
#define HDR_LEN 4
#define RECV_ID 0x100

/* What the tape does to a frame. */
enum act {
	ACT_PASS,
	ACT_DROP,
	ACT_DUP,
	ACT_DELAY,
	ACT_EDIT,
	ACT_EDIT_COPY,
	ACT_FLIP,
	ACT_LEN,
	ACT_NR
};

/* Fields an edit changes. */
enum field {
	F_OPCODE,
	F_PSN,
	F_QPN,
	F_ACKREQ,
	F_PAD,
	F_BTH_FLAGS,
	F_PKEY,
	F_RETH_VA,
	F_RETH_RKEY,
	F_RETH_LEN,
	F_ATM_VA,
	F_ATM_RKEY,
	F_ATM_DATA,
	F_AETH_SYN,
	F_AETH_MSN,
	F_IMM,
	F_ATMACK,
	F_BYTE,
	F_MAC,
	F_READ_RESP,
	F_NR
};

struct wr_plan {
	enum xp_wr_opcode op;
	__u32 len, src, dst; /* src: the data's offset, dst: where it lands */
	__u32 npsn;
	bool signaled;
	__u8 flags; /* the input's: 0x10 fence, 0x20 solicited, 0x40 two SGEs */
	__u64 init, compare, swap; /* atomics: the target's value before */
	int ncomp;
};

struct recv_plan {
	__u32 off, len; /* the buffer */
	__u32 msg; /* the WR of the peer it takes */
	int ncomp;
};

struct alloc {
	__u32 off, len;
	bool may; /* the transport may write it */
};

struct side {
	struct wr_plan wr[MAX_WR];
	struct recv_plan rv[MAX_RECV];
	struct alloc al[4 * MAX_WR + MAX_RECV];
	__u32 nwr, nrv, nal, bump;
	__u32 psn0, npsn, max_used; /* the PSNs its requests own */
	__u64 last_send, last_recv; /* wr_ids completed last */
	bool hit; /* a changed frame reached it */
	bool wild; /* one that may address anything in its MR */
};

struct held {
	__u8 data[FRAME_SIZE];
	__u32 len, due;
};

static struct run {
	struct xt_rc_pair p;
	struct side s[2];
	const __u8 *tape;
	size_t tape_len, tape_pos;
	__u32 skip, frames, steps;
	bool mutated, budget_hit;
	struct held held[MAX_HELD];
	__u32 nheld;
	__u32 mtu;
	__u8 scratch[FRAME_SIZE];
	__u8 snap[2][BUF_LEN];
} run;

/* ---- the input ---- */

static __u8 tape8(void)
{
	return run.tape_pos < run.tape_len ? run.tape[run.tape_pos++] : 0;
}

static __u64 tape_n(unsigned int bytes)
{
	__u64 v = 0;

	while (bytes--)
		v = v << 8 | tape8();
	return v;
}

static __u32 get_be32(const __u8 *p)
{
	return (__u32)p[0] << 24 | p[1] << 16 | p[2] << 8 | p[3];
}

static void put_be32(__u8 *p, __u32 v)
{
	p[0] = v >> 24;
	p[1] = v >> 16;
	p[2] = v >> 8;
	p[3] = v;
}

static __u64 get_be64(const __u8 *p)
{
	return (__u64)get_be32(p) << 32 | get_be32(p + 4);
}

static void put_be64(__u8 *p, __u64 v)
{
	put_be32(p, v >> 32);
	put_be32(p + 4, (__u32)v);
}

/* ---- the workload ---- */

/* len bytes of side i's buffer, aligned to align; -1 when none are left. */
static long take(int i, __u32 len, __u32 align, bool may)
{
	struct side *s = &run.s[i];
	__u32 off = (s->bump + align - 1) & ~(align - 1);

	if (off > BUF_LEN || len > BUF_LEN - off || s->nal == sizeof(s->al) / sizeof(s->al[0]))
		return -1;
	s->al[s->nal++] = (struct alloc){ .off = off, .len = len, .may = may };
	s->bump = off + len;
	return off;
}

/* Not traced: a byte loop that only sets up the workload. */
__attribute__((no_sanitize("coverage"), noinline)) static void fill(int i, __u32 off, __u32 len,
								    __u32 seed)
{
	__u32 k;

	for (k = 0; k < len; k++)
		run.p.buf[i][off + k] = 0x80 | ((seed * 37 + k * 13 + (k >> 7)) & 0x7f);
}

static bool is_send(enum xp_wr_opcode op)
{
	return op == XP_WR_SEND || op == XP_WR_SEND_WITH_IMM;
}

static bool is_atomic(enum xp_wr_opcode op)
{
	return op == XP_WR_ATOMIC_CMP_AND_SWP || op == XP_WR_ATOMIC_FETCH_AND_ADD;
}

static bool takes_recv(enum xp_wr_opcode op)
{
	return is_send(op) || op == XP_WR_RDMA_WRITE_WITH_IMM;
}

static const enum xp_wr_opcode ops[] = {
	XP_WR_RDMA_WRITE,	    XP_WR_RDMA_WRITE_WITH_IMM, XP_WR_SEND,
	XP_WR_SEND_WITH_IMM,	    XP_WR_RDMA_READ,	       XP_WR_ATOMIC_CMP_AND_SWP,
	XP_WR_ATOMIC_FETCH_AND_ADD,
};

/* Plan side i's work requests from the input (3 bytes each). */
static void plan(int i, __u32 n, const __u8 *in, size_t *pos, size_t size)
{
	struct side *s = &run.s[i], *peer = &run.s[!i];
	__u32 k;

	for (k = 0; k < n; k++) {
		__u8 b[3] = { 0, 0, 0 };
		struct wr_plan *w = &s->wr[s->nwr];
		__u32 raw, len;
		long a, d;
		int j;

		for (j = 0; j < 3; j++)
			b[j] = *pos < size ? in[(*pos)++] : 0;
		memset(w, 0, sizeof(*w));
		w->op = ops[(b[0] & 7) % 7];
		w->signaled = !(b[0] & 0x08);
		raw = (b[1] & 0x3f) << 8 | b[2];
		switch (b[1] >> 6) {
		case 0:
			len = raw % 64;
			break;
		case 1:
			len = raw % 1100;
			break;
		case 2:
			len = raw % 4500;
			break;
		default:
			len = raw;
		}
		if (is_atomic(w->op)) {
			len = 8;
			a = take(!i, 8, 8, true); /* the target */
			d = take(i, 8, 8, true); /* the original value comes here */
			if (a < 0 || d < 0)
				break;
			w->init = 0x0101010101010101ull * (k + 1) + ((__u64)b[2] << 40);
			w->compare = b[0] & 0x80 ? w->init : ~w->init;
			w->swap = (__u64)b[1] << 48 | 0x5a5a00 | k;
			memcpy(run.p.buf[!i] + a, &w->init, 8);
		} else if (w->op == XP_WR_RDMA_READ) {
			a = take(!i, len, 1, false);
			d = take(i, len, 1, true);
			if (a < 0 || d < 0)
				break;
			fill(!i, a, len, i * 16 + k);
		} else {
			a = take(i, len, 1, false);
			d = w->op == XP_WR_RDMA_WRITE || w->op == XP_WR_RDMA_WRITE_WITH_IMM ?
				    take(!i, len, 1, true) :
				    0;
			if (a < 0 || d < 0)
				break;
			fill(i, a, len, i * 16 + k);
		}
		w->src = a;
		w->dst = d;
		w->len = len;
		w->npsn = is_atomic(w->op) || !len ? 1 : (len + run.mtu - 1) / run.mtu;
		if (takes_recv(w->op)) {
			struct recv_plan *r = &peer->rv[peer->nrv];
			long ro = take(!i, is_send(w->op) ? len : 0, 1, true);

			if (ro < 0)
				break;
			r->off = ro;
			r->len = is_send(w->op) ? len : 0;
			r->msg = s->nwr;
			r->ncomp = 0;
			peer->nrv++;
		}
		if (w->op == XP_WR_RDMA_READ && w->npsn > s->max_used)
			s->max_used = w->npsn;
		s->npsn += w->npsn;
		w->flags = is_atomic(w->op) ? 0 : b[0];
		s->nwr++;
	}
}

/* len bytes of side i at off as one SGE or two halves: the SGE count. */
static int sges(int i, __u32 off, __u32 len, bool two, struct xp_sge sge[2])
{
	__u64 at = (uintptr_t)run.p.buf[i] + off;
	__u32 lkey = xp_mr_lkey(run.p.mr[i]), first = two ? len / 2 : len;

	sge[0] = (struct xp_sge){ .addr = at, .length = first, .lkey = lkey };
	sge[1] = (struct xp_sge){ .addr = at + first, .length = len - first, .lkey = lkey };
	return !len ? 0 : two ? 2 : 1;
}

/* Post side i's receives (recvs) or its work requests, all in one chain. */
static void post(int i, bool recvs)
{
	struct side *s = &run.s[i];
	struct xp_recv_wr rwr[MAX_RECV], *rbad;
	struct xp_send_wr wr[MAX_WR], *bad;
	struct xp_sge sge[MAX_RECV][2];
	__u32 k;
	int err;

	if (recvs) {
		for (k = 0; k < s->nrv; k++)
			rwr[k] = (struct xp_recv_wr){
				.wr_id = RECV_ID + k,
				.next = k + 1 < s->nrv ? &rwr[k + 1] : NULL,
				.sg_list = sge[k],
				.num_sge = sges(i, s->rv[k].off, s->rv[k].len, k & 1, sge[k]),
			};
		if (run.p.srq[i])
			err = xp_srq_post_recv(run.p.srq[i], s->nrv ? rwr : NULL, &rbad);
		else
			err = xp_qp_post_recv(run.p.qp[i], s->nrv ? rwr : NULL, &rbad);
		require_msg(!err, "side %d: posting %u receives: %s", i, s->nrv, strerror(-err));
		return;
	}
	for (k = 0; k < s->nwr; k++) {
		struct wr_plan *w = &s->wr[k];
		__u8 fl = w->flags;
		bool local_dst = w->op == XP_WR_RDMA_READ || is_atomic(w->op);
		__u64 there = (uintptr_t)run.p.buf[!i] + (local_dst ? w->src : w->dst);

		wr[k] = (struct xp_send_wr){
			.wr_id = 1 + k,
			.next = k + 1 < s->nwr ? &wr[k + 1] : NULL,
			.sg_list = sge[k],
			.num_sge = sges(i, local_dst ? w->dst : w->src, w->len, fl & 0x40, sge[k]),
			.opcode = w->op,
			.send_flags = (w->signaled ? XP_SEND_SIGNALED : 0) |
				      (fl & 0x10 ? XP_SEND_FENCE : 0) |
				      (fl & 0x20 ? XP_SEND_SOLICITED : 0),
			.imm_data = htonl(0x1000 * i + k),
		};
		if (is_atomic(w->op)) {
			wr[k].atomic.remote_addr = there;
			wr[k].atomic.rkey = xp_mr_rkey(run.p.mr[!i]);
			wr[k].atomic.compare_add =
				w->op == XP_WR_ATOMIC_CMP_AND_SWP ? w->compare : w->swap;
			wr[k].atomic.swap = w->swap;
		} else {
			wr[k].rdma.remote_addr = there;
			wr[k].rdma.rkey = xp_mr_rkey(run.p.mr[!i]);
		}
	}
	err = xp_qp_post_send(run.p.qp[i], s->nwr ? wr : NULL, &bad);
	require_msg(!err, "side %d: posting %u sends: %s", i, s->nwr, strerror(-err));
}

/* ---- frame edits ---- */

/* Offset of extended header hdr in a parsed frame, or 0 if it has none. */
static __u32 hdr_off(const struct xp_roce_pkt *p, unsigned int hdr)
{
	static const struct {
		unsigned int hdr, len;
	} order[] = {
		{ XP_HDR_DETH, XP_DETH_LEN },	  { XP_HDR_RETH, XP_RETH_LEN },
		{ XP_HDR_ATMETH, XP_ATMETH_LEN }, { XP_HDR_AETH, XP_AETH_LEN },
		{ XP_HDR_ATMACK, XP_ATMACK_LEN }, { XP_HDR_IMMDT, XP_IMMDT_LEN },
		{ XP_HDR_IETH, XP_IETH_LEN },
	};
	__u32 off = p->bth_off + XP_BTH_LEN;
	size_t k;

	if (!(p->info->hdrs & hdr))
		return 0;
	for (k = 0; order[k].hdr != hdr; k++)
		if (p->info->hdrs & order[k].hdr)
			off += order[k].len;
	return off;
}

/* Fix the IPv4 and UDP lengths (and the IPv4 checksum) for a frame of len bytes. */
static void fix_lengths(__u8 *f, __u32 len, const struct xp_roce_pkt *p)
{
	__u8 *ip = f + p->l3_off, *udp = f + p->l4_off;
	__u32 sum = 0, k;

	if (p->family == 4) {
		ip[2] = (len - p->l3_off) >> 8;
		ip[3] = len - p->l3_off;
		ip[10] = ip[11] = 0;
		for (k = 0; k < (ip[0] & 0xfu) * 4; k += 2)
			sum += ip[k] << 8 | ip[k + 1];
		while (sum >> 16)
			sum = (sum & 0xffff) + (sum >> 16);
		ip[10] = ~sum >> 8;
		ip[11] = ~sum;
	} else {
		ip[4] = (len - p->l4_off) >> 8;
		ip[5] = len - p->l4_off;
	}
	udp[4] = (len - p->l4_off) >> 8;
	udp[5] = len - p->l4_off;
}

/* A 64-bit address near side i's MR, or anywhere. */
static __u64 some_va(int i, __u64 was)
{
	__u64 base = (uintptr_t)run.p.buf[i];
	__u8 how = tape8();
	__s32 d = (__s8)tape8();

	switch (how % 8) {
	case 0:
		return was + d;
	case 1:
		return base + BUF_LEN - 8 + d; /* the end, just inside or out */
	case 2:
		return base + d; /* the start, just inside or out */
	case 3:
		return was + BUF_LEN;
	case 4:
		return 0;
	case 5:
		return ~0ull - (__u8)d;
	case 6:
		return was - 1;
	default:
		return tape_n(8);
	}
}

static __u32 some_rkey(__u32 was)
{
	__u8 how = tape8();

	switch (how % 6) {
	case 0:
		return was ^ (1u << (tape8() % 32));
	case 1:
		return 0;
	case 2:
		return xp_mr_rkey(run.p.mr[0]);
	case 3:
		return xp_mr_rkey(run.p.mr[1]);
	case 4:
		return was + 0x100;
	default:
		return (__u32)tape_n(4);
	}
}

/* A length: none, huge, one off, a packet more, past the MR, or any. */
static __u32 some_len(__u32 was)
{
	__u8 how = tape8() % 8;

	if (how == 7)
		return (__u32)tape_n(4);
	return (const __u32[]){
		0, ~0u, was + 1, was - 1, was + run.mtu, BUF_LEN + 1, 0x80000000u
	}[how];
}

/* A PSN: one off, a little off, half the space away, the wrap, or any. */
static __u32 some_psn(__u32 was)
{
	__u8 how = tape8() % 8;

	if (how == 2)
		return was + (__s8)tape8();
	if (how == 7)
		return (__u32)tape_n(3);
	return (const __u32[]){ was + 1,	was - 1,  0,	    was + 0x800000,
				was + 0x7fffff, 0xffffff, was + 128 }[how];
}

static const __u8 rc_ops[] = {
	0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b,
	0x0c, 0x0d, 0x0e, 0x0f, 0x10, 0x11, 0x12, 0x13, 0x14, 0x16, 0x17,
};

/*
 * Change one field of frame f (len bytes, parsed as p) headed for side
 * dst. Returns whether the change may address anything in dst's MR.
 */
static bool edit(__u8 *f, __u32 *len, __u32 size, const struct xp_roce_pkt *p, int dst)
{
	__u8 *bth = f + p->bth_off;
	__u8 field = tape8() % F_NR, v;
	__u32 o;

	switch (field) {
	case F_OPCODE:
		v = tape8();
		bth[0] = v & 0x80 ? v : rc_ops[v % sizeof(rc_ops)];
		return true;
	case F_QPN:
		v = tape8();
		o = v % 4 == 0 ? 0 :
		    v % 4 == 1 ? 1 :
		    v % 4 == 2 ? get_be32(bth + 4) + 1 :
				 tape_n(3);
		put_be32(bth + 4, (get_be32(bth + 4) & 0xff000000u) | (o & XP_QPN_MASK));
		return false;
	case F_ACKREQ:
		bth[8] ^= 0x80;
		return false;
	case F_PAD:
		bth[1] = (bth[1] & ~0x30) | (tape8() & 3) << 4;
		return false;
	case F_BTH_FLAGS:
		bth[1] = tape8();
		return false;
	case F_PKEY:
		v = tape8();
		bth[2] = v & 1 ? 0x7f : v;
		bth[3] = 0xff;
		return false;
	case F_RETH_VA:
	case F_RETH_RKEY:
	case F_RETH_LEN:
	case F_ATM_VA:
	case F_ATM_RKEY:
	case F_ATM_DATA:
		/* va and rkey lead both; then the RETH's length, the AtomicETH's data */
		o = hdr_off(p, field <= F_RETH_LEN ? XP_HDR_RETH : XP_HDR_ATMETH);
		if (!o)
			break;
		if (field == F_RETH_VA || field == F_ATM_VA)
			put_be64(f + o, some_va(dst, get_be64(f + o)));
		else if (field == F_RETH_RKEY || field == F_ATM_RKEY)
			put_be32(f + o + 8, some_rkey(get_be32(f + o + 8)));
		else if (field == F_RETH_LEN)
			put_be32(f + o + 12, some_len(get_be32(f + o + 12)));
		else
			put_be64(f + o + 12 + (tape8() & 8), tape_n(8));
		return true;
	case F_AETH_SYN:
	case F_AETH_MSN:
		o = hdr_off(p, XP_HDR_AETH);
		if (!o)
			break;
		v = tape8();
		if (field == F_AETH_SYN)
			f[o] = v & 0x80 ? v :
					  (__u8[]){ 0x1f, 0x00, 0x20 | (v & 0x1f), 0x60, 0x61, 0x62,
						    0x63, 0x64 }[v % 8];
		else
			put_be32(f + o, (get_be32(f + o) & 0xff000000u) | tape_n(3));
		return false;
	case F_IMM:
		o = hdr_off(p, XP_HDR_IMMDT);
		if (!o)
			break;
		put_be32(f + o, (__u32)tape_n(4));
		return false;
	case F_ATMACK:
		o = hdr_off(p, XP_HDR_ATMACK);
		if (!o)
			break;
		put_be64(f + o, tape_n(8));
		return false;
	case F_BYTE:
		o = p->bth_off + tape_n(2) % (*len - p->bth_off);
		f[o] = tape8();
		return true;
	case F_MAC:
		/* to the other side, or back to the sender (its own path check) */
		f[5] ^= 1;
		return true;
	case F_READ_RESP:
		if ((bth[0] & 0x1f) < XP_OP_READ_RESPONSE_FIRST ||
		    (bth[0] & 0x1f) > XP_OP_READ_RESPONSE_ONLY)
			break;
		bth[0] = (bth[0] & 0xe0) | (XP_OP_READ_RESPONSE_FIRST + (tape8() & 3));
		return false;
	default:
		break;
	}
	/* F_PSN, and a field the frame lacks */
	put_be32(bth + 8, (get_be32(bth + 8) & 0xff000000u) |
				  (some_psn(get_be32(bth + 8) & XP_PSN_MASK) & XP_PSN_MASK));
	return false;
}

/* Cut or grow the payload by a multiple of 4 bytes, lengths fixed. */
static void edit_len(__u8 *f, __u32 *len, __u32 size, const struct xp_roce_pkt *p)
{
	__u8 v = tape8();
	__u32 n = 4 * (1 + (v & 0x3f) % 16), min = p->bth_off + XP_BTH_LEN + XP_ICRC_LEN;

	if (v & 0x80) {
		if (*len + n > size)
			n = (size - *len) & ~3u;
		memset(f + *len, tape8(), n);
		*len += n;
	} else {
		*len = *len - min >= n ? *len - n : min;
	}
	fix_lengths(f, *len, p);
}

/* ---- the tap ---- */

static void release_held(bool all)
{
	__u32 k = 0;

	while (k < run.nheld) {
		struct held *h = &run.held[k];

		if (!all && h->due > run.frames) {
			k++;
			continue;
		}
		xp_mem_net_inject(run.p.net, h->data, h->len);
		memmove(h, h + 1, (run.nheld - k - 1) * sizeof(*h));
		run.nheld--;
	}
}

/* What the core sends must parse, and a request carry PSNs its WRs own. */
static void check_sent(const __u8 *f, __u32 len, struct xp_roce_pkt *p, int from)
{
	const struct side *s = &run.s[from];
	__s32 d;

	/* The ICRC is left to the peer: a wrong one fails the benign runs. */
	require_msg(!xp_roce_parse(f, len, XP_PARSE_NO_ICRC, p),
		    "side %d sent a frame the parser refuses: %s", from, xp_pkt_err_str(p->err));
	require_msg(p->payload_len <= run.mtu, "side %d sent %u bytes of payload, path MTU %u",
		    from, p->payload_len, run.mtu);
	if (!(p->info->flags & XP_OPF_REQUEST))
		return;
	d = xp_psn_diff(p->h.psn, s->psn0);
	require_msg(d >= 0 && (__u32)d < s->npsn,
		    "side %d sent %s with PSN 0x%06x; its requests own 0x%06x + %u", from,
		    p->info->name, p->h.psn, s->psn0, s->npsn);
}

static bool tap(void *arg, __u8 *f, __u32 *len, __u32 size)
{
	struct xp_roce_pkt p;
	int dst = f[5] == 0x11, from = f[11] == 0x11;
	__u8 act;
	bool wild;

	run.frames++;
	if (run.nheld)
		release_held(false);
	check_sent(f, *len, &p, from);
	if (run.skip) {
		run.skip--;
		return true;
	}
	if (run.tape_pos >= run.tape_len)
		return true;
	act = tape8() % ACT_NR;
	run.skip = tape8();
	switch (act) {
	case ACT_DROP:
		return false;
	case ACT_DUP:
		xp_mem_net_inject(run.p.net, f, *len);
		return true;
	case ACT_DELAY:
		if (run.nheld == MAX_HELD)
			return true;
		memcpy(run.held[run.nheld].data, f, *len);
		run.held[run.nheld].len = *len;
		run.held[run.nheld++].due = run.frames + 1 + tape8() % 64;
		return false;
	case ACT_FLIP: {
		/* Any bit the ICRC covers (not the masked FECN/BECN byte): the peer must drop it. */
		__u32 o = p.bth_off + tape_n(2) % (*len - p.bth_off);

		if (o == p.bth_off + 4u)
			o++;
		f[o] ^= 1u << (tape8() & 7);
		return true;
	}
	case ACT_LEN:
		edit_len(f, len, size, &p);
		xp_roce_seal(f, *len);
		run.mutated = run.s[dst].hit = true;
		return true;
	case ACT_EDIT:
	case ACT_EDIT_COPY: {
		__u8 *e = act == ACT_EDIT ? f : run.scratch;
		__u32 elen = *len;

		if (e != f)
			memcpy(e, f, *len);
		wild = edit(e, &elen, size, &p, dst);
		xp_roce_seal(e, elen);
		run.mutated = true;
		/* An edit of the MAC sends the frame to the other side (or back). */
		run.s[dst].hit = run.s[!dst].hit = true;
		if (wild)
			run.s[dst].wild = run.s[e[5] == 0x11].wild = true;
		if (e != f)
			xp_mem_net_inject(run.p.net, e, elen);
		else
			*len = elen;
		return true;
	}
	default:
		return true;
	}
}

/* ---- checks ---- */

static void check_wc(int i, const struct xp_wc *wc)
{
	struct side *s = &run.s[i];

	require_msg(wc->qp_num == xp_qp_num(run.p.qp[i]), "side %d: completion for QP %u", i,
		    wc->qp_num);
	if (wc->wr_id >= RECV_ID) {
		__u32 k = wc->wr_id - RECV_ID;
		struct recv_plan *r;

		require_msg(k < s->nrv, "side %d: receive completion of unknown wr_id 0x%llx", i,
			    (unsigned long long)wc->wr_id);
		r = &s->rv[k];
		require_msg(!r->ncomp, "side %d: receive %u completed twice", i, k);
		require_msg(!s->last_recv || wc->wr_id > s->last_recv,
			    "side %d: receive %u completed after receive %llu", i, k,
			    (unsigned long long)(s->last_recv - RECV_ID));
		require_msg(wc->opcode == XP_WC_RECV || wc->opcode == XP_WC_RECV_RDMA_WITH_IMM,
			    "side %d: receive %u completed with opcode %s", i, k,
			    xp_wc_opcode_str(wc->opcode));
		if (wc->status == XP_WC_SUCCESS && wc->opcode == XP_WC_RECV)
			require_msg(wc->byte_len <= r->len,
				    "side %d: receive %u of %u bytes took %u", i, k, r->len,
				    wc->byte_len);
		r->ncomp++;
		s->last_recv = wc->wr_id;
	} else {
		__u32 k = wc->wr_id - 1;
		struct wr_plan *w;
		static const enum xp_wc_opcode wc_op[] = {
			[XP_WR_RDMA_WRITE] = XP_WC_RDMA_WRITE,
			[XP_WR_RDMA_WRITE_WITH_IMM] = XP_WC_RDMA_WRITE,
			[XP_WR_SEND] = XP_WC_SEND,
			[XP_WR_SEND_WITH_IMM] = XP_WC_SEND,
			[XP_WR_RDMA_READ] = XP_WC_RDMA_READ,
			[XP_WR_ATOMIC_CMP_AND_SWP] = XP_WC_COMP_SWAP,
			[XP_WR_ATOMIC_FETCH_AND_ADD] = XP_WC_FETCH_ADD,
		};

		require_msg(wc->wr_id >= 1 && k < s->nwr,
			    "side %d: send completion of unknown wr_id 0x%llx", i,
			    (unsigned long long)wc->wr_id);
		w = &s->wr[k];
		require_msg(!w->ncomp, "side %d: WR %u completed twice", i, k);
		require_msg(wc->wr_id > s->last_send, "side %d: WR %u completed after WR %llu", i,
			    k, (unsigned long long)s->last_send - 1);
		require_msg(w->signaled || wc->status != XP_WC_SUCCESS,
			    "side %d: unsignalled WR %u completed", i, k);
		if (wc->status == XP_WC_SUCCESS)
			require_msg(wc->opcode == wc_op[w->op] && wc->byte_len == w->len,
				    "side %d: WR %u (%u bytes) completed as %s of %u bytes", i, k,
				    w->len, xp_wc_opcode_str(wc->opcode), wc->byte_len);
		w->ncomp++;
		s->last_send = wc->wr_id;
	}
}

static struct xp_wc wcs[2][4 * MAX_RECV];
static __u32 nwcs[2];

static void poll_cqs(void)
{
	struct xp_wc wc[16];
	int i, n, k;

	for (i = 0; i < 2; i++) {
		require_msg(!xp_cq_in_error(run.p.cq[i]), "side %d: CQ overrun", i);
		while ((n = xp_cq_poll(run.p.cq[i], 16, wc)) > 0) {
			for (k = 0; k < n; k++) {
				check_wc(i, &wc[k]);
				if (nwcs[i] < sizeof(wcs[i]) / sizeof(wcs[i][0]))
					wcs[i][nwcs[i]++] = wc[k];
			}
		}
		require_msg(n == 0, "side %d: polling the CQ: %d", i, n);
	}
}

/* The requester's and responder's PSN state, after every step. */
static void check_psns(void)
{
	int i;

	for (i = 0; i < 2; i++) {
		const struct xp_qp *qp = run.p.qp[i];
		const struct xp_rc_req *rq = &qp->req;
		const struct side *s = &run.s[i], *peer = &run.s[!i];
		__s32 una = xp_psn_diff(rq->una, s->psn0), psn = xp_psn_diff(rq->psn, s->psn0);
		__s32 max = xp_psn_diff(rq->max_psn, s->psn0), e;
		__u32 k, rd = 0;

		if (qp->attr.qp_state == XP_QPS_ERR)
			continue;
		require_msg(0 <= una && una <= psn && psn <= max && (__u32)max <= s->npsn,
			    "side %d: una +%d psn +%d max_psn +%d of %u PSNs", i, una, psn, max,
			    s->npsn);
		require_msg((__u32)(max - una) < XP_MAX_UNACKED_PSNS + (s->max_used ?: 1),
			    "side %d: %d PSNs unacknowledged (window %u, largest READ %u)", i,
			    max - una, XP_MAX_UNACKED_PSNS, s->max_used);
		require_msg((__s32)(rq->next - rq->cons) >= 0 &&
				    rq->next - rq->cons <= rq->prod - rq->cons &&
				    rq->prod - rq->cons <= qp->cap.max_send_wr,
			    "side %d: cons %u next %u prod %u", i, rq->cons, rq->next, rq->prod);
		for (k = rq->cons; k != rq->prod; k++) {
			const struct xp_send_wqe *w = &rq->sq[k % qp->cap.max_send_wr];

			rd += w->state == XP_WQE_STARTED &&
			      (w->wr.opcode == XP_WR_RDMA_READ || is_atomic(w->wr.opcode));
		}
		require_msg(rq->rd_out == rd, "side %d: rd_out %u, %u READs and atomics under way",
			    i, rq->rd_out, rd);
		if (s->hit)
			continue;
		e = xp_psn_diff(qp->resp.epsn, peer->psn0);
		require_msg(e >= 0 && (__u32)e <= peer->npsn,
			    "side %d: expects PSN +%d of the peer's %u", i, e, peer->npsn);
	}
}

static bool step_check(void *arg)
{
	poll_cqs();
	check_psns();
	if (++run.steps > STEP_BUDGET + TAPE_STEPS * run.tape_len)
		run.budget_hit = true;
	return run.budget_hit;
}

/* Bytes of side i nobody may write are as they were. */
static void check_untouched(int i)
{
	const struct side *s = &run.s[i];
	const __u8 *b = run.p.buf[i], *snap = run.snap[i];
	__u32 pos = 0, k;

	require_msg(xt_rc_pair_guards_ok(&run.p), "a guard area changed: a write outside an MR");
	if (s->wild)
		return;
	for (k = 0; k <= s->nal; k++) {
		__u32 end = k < s->nal ? s->al[k].off : BUF_LEN;

		require_msg(!memcmp(b + pos, snap + pos, end - pos),
			    "side %d: bytes %u..%u changed, no WR targets them", i, pos, end);
		if (k == s->nal)
			break;
		pos = end + s->al[k].len;
		if (!s->al[k].may)
			require_msg(!memcmp(b + end, snap + end, s->al[k].len),
				    "side %d: source bytes %u..%u changed", i, end, pos);
	}
}

/* Nothing but benign events, unlimited retries: everything in place. */
static void check_all_done(int i)
{
	const struct side *s = &run.s[i], *peer = &run.s[!i];
	const __u8 *me = run.p.buf[i], *pb = run.p.buf[!i];
	__u32 k;

	for (k = 0; k < s->nwr; k++) {
		const struct wr_plan *w = &s->wr[k];
		__u64 v;

		require_msg(w->ncomp == w->signaled, "side %d: WR %u completed %d times", i, k,
			    w->ncomp);
		switch (w->op) {
		case XP_WR_RDMA_WRITE:
		case XP_WR_RDMA_WRITE_WITH_IMM:
			require_msg(!memcmp(pb + w->dst, me + w->src, w->len),
				    "side %d: WRITE %u of %u bytes: data differ", i, k, w->len);
			break;
		case XP_WR_RDMA_READ:
			require_msg(!memcmp(me + w->dst, pb + w->src, w->len),
				    "side %d: READ %u of %u bytes: data differ", i, k, w->len);
			break;
		case XP_WR_ATOMIC_CMP_AND_SWP:
		case XP_WR_ATOMIC_FETCH_AND_ADD:
			memcpy(&v, me + w->dst, 8);
			require_msg(v == w->init, "side %d: atomic %u returned 0x%llx, not 0x%llx",
				    i, k, (unsigned long long)v, (unsigned long long)w->init);
			memcpy(&v, pb + w->src, 8);
			require_msg(v == (w->op == XP_WR_ATOMIC_FETCH_AND_ADD ? w->init + w->swap :
					  w->init == w->compare		      ? w->swap :
										w->init),
				    "side %d: atomic %u left 0x%llx", i, k, (unsigned long long)v);
			break;
		default:
			break;
		}
	}
	for (k = 0; k < s->nrv; k++) {
		const struct recv_plan *r = &s->rv[k];
		const struct wr_plan *w = &peer->wr[r->msg];

		require_msg(r->ncomp == 1, "side %d: receive %u completed %d times", i, k,
			    r->ncomp);
		if (is_send(w->op))
			require_msg(!memcmp(me + r->off, pb + w->src, w->len),
				    "side %d: receive %u of %u bytes: data differ", i, k, w->len);
	}
	for (k = 0; k < nwcs[i]; k++) {
		const struct xp_wc *wc = &wcs[i][k];
		const struct wr_plan *w;

		require_msg(wc->status == XP_WC_SUCCESS, "side %d: wr_id 0x%llx failed: status %d",
			    i, (unsigned long long)wc->wr_id, wc->status);
		if (wc->wr_id < RECV_ID)
			continue;
		w = &peer->wr[s->rv[wc->wr_id - RECV_ID].msg];
		require_msg(
			wc->byte_len == w->len &&
				wc->opcode ==
					(is_send(w->op) ? XP_WC_RECV : XP_WC_RECV_RDMA_WITH_IMM) &&
				!!(wc->wc_flags & XP_WC_WITH_IMM) == (w->op != XP_WR_SEND),
			"side %d: receive 0x%llx: %s of %u bytes, flags 0x%x for a %u-byte op %d",
			i, (unsigned long long)wc->wr_id, xp_wc_opcode_str(wc->opcode),
			wc->byte_len, wc->wc_flags, w->len, w->op);
		if (w->op != XP_WR_SEND)
			require_msg(wc->imm_data ==
					    htonl(0x1000 * !i + s->rv[wc->wr_id - RECV_ID].msg),
				    "side %d: immediate 0x%x", i, ntohl(wc->imm_data));
	}
}

/* Quiescent: no frame slot in use, every WR a QP can still owe completed. */
static void check_quiescent(void)
{
	__u32 k, left;
	int i;

	require_msg(xp_mem_net_frames_in_use(run.p.net) == 0,
		    "quiescent with %u frame slots in use", xp_mem_net_frames_in_use(run.p.net));
	for (i = 0; i < 2; i++) {
		const struct side *s = &run.s[i];
		enum xp_qp_state st = xp_qp_state(run.p.qp[i]);

		require_msg(st == XP_QPS_RTS || st == XP_QPS_ERR, "side %d: QP in state %d", i, st);
		for (k = 0; k < s->nwr; k++)
			require_msg(s->wr[k].ncomp == s->wr[k].signaled || !s->wr[k].signaled,
				    "side %d: quiescent in %s, signalled WR %u never completed", i,
				    st == XP_QPS_ERR ? "ERR" : "RTS", k);
		if (st != XP_QPS_ERR)
			continue;
		/* The SRQ keeps the receives the QP never took: the last ones. */
		left = run.p.srq[i] ? xp_srq_count(run.p.srq[i]) : 0;
		require_msg(left <= s->nrv, "side %d: %u receives left on the SRQ, %u posted", i,
			    left, s->nrv);
		for (k = 0; k < s->nrv; k++)
			require_msg(s->rv[k].ncomp == (k < s->nrv - left),
				    "side %d: in ERR, receive %u %s", i, k,
				    k < s->nrv - left ? "not flushed" :
							"completed, yet still on the SRQ");
	}
}

/* XP_FUZZ_DEBUG=1: both QPs' counters and PSN state at the end of a run. */
static void debug_dump(int err)
{
	int i;

	for (i = 0; i < 2; i++) {
		const struct xp_qp *qp = run.p.qp[i];
		const struct xp_qp_stats *q = xp_qp_stats(qp);
		const struct xp_rc_req *rq = &qp->req;

		fprintf(stderr,
			"side %d: state %d; tx %llu rx %llu retransmits %llu timeouts %llu acks in %llu out %llu; dup requests %llu out of seq %llu; requester una %u psn %u max %u, WQEs cons %u next %u prod %u, rd_out %u, timer %llu; responder epsn %u reading %d backlog %u\n",
			i, xp_qp_state(qp), (unsigned long long)q->tx_pkts,
			(unsigned long long)q->rx_pkts, (unsigned long long)q->retransmits,
			(unsigned long long)q->timeouts, (unsigned long long)q->acks_rcvd,
			(unsigned long long)q->acks_sent, (unsigned long long)q->dup_requests,
			(unsigned long long)q->out_of_seq, rq->una, rq->psn, rq->max_psn, rq->cons,
			rq->next, rq->prod, rq->rd_out, (unsigned long long)rq->timer_at,
			qp->resp.epsn, qp->resp.reading, qp->resp.backlog);
	}
	fprintf(stderr, "run: %d after %u steps, virtual time %llu ns\n", err, run.steps,
		(unsigned long long)xp_mem_net_now(run.p.net));
}

/* ---- one input ---- */

/* What the runs came to, printed at exit (tests/fuzz/run.sh shows it). */
static struct {
	unsigned long runs, frames, wcs, wc_errors, quiescent, timed_out, budget, benign_checked,
		changed, qp_err;
} tally;

static void print_summary(void)
{
	fprintf(stderr,
		"fuzz_rc_pair: %lu runs, %lu frames, %lu completions (%lu with an error), %lu runs with changed frames, %lu quiescent, %lu timed out, %lu over the step budget, %lu QPs in ERR, %lu checked completely\n",
		tally.runs, tally.frames, tally.wcs, tally.wc_errors, tally.changed,
		tally.quiescent, tally.timed_out, tally.budget, tally.qp_err, tally.benign_checked);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fuzz_init();
	atexit(print_summary);
	return 0;
}

static void count(int err)
{
	__u32 i, k;

	tally.runs++;
	tally.frames += run.frames;
	tally.changed += run.mutated;
	tally.quiescent += err == -EDEADLK && !run.nheld && !run.budget_hit;
	tally.timed_out += err == -ETIME;
	tally.budget += run.budget_hit;
	for (i = 0; i < 2; i++) {
		tally.qp_err += xp_qp_state(run.p.qp[i]) == XP_QPS_ERR;
		tally.wcs += nwcs[i];
		for (k = 0; k < nwcs[i]; k++)
			tally.wc_errors += wcs[i][k].status != XP_WC_SUCCESS;
	}
}

static const __u32 fault_ppm[4] = { 0, 5000, 20000, 50000 };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	__u8 h[HDR_LEN] = { 0 };
	struct xt_rc_pair_opts o = {};
	size_t pos = HDR_LEN;
	bool late, forever;
	__u64 limit;
	__u8 r;
	int i, err;

	fuzz_selftest_point();
	memcpy(h, data, size < HDR_LEN ? size : HDR_LEN);
	memset(&run.s, 0, sizeof(run.s));
	run.skip = run.frames = run.steps = run.nheld = nwcs[0] = nwcs[1] = 0;
	run.mutated = run.budget_hit = false;

	o.mtu = h[0] & 1 ? XP_MTU_1024 : XP_MTU_256;
	run.mtu = h[0] & 1 ? 1024 : 256;
	late = h[0] & 2;
	r = h[0] >> 3 & 7;
	o.retry_cnt = r < 4 ? 7 : r == 7 ? 1 : r - 3;
	r = h[0] >> 6;
	o.rnr_retry = r < 2 ? 7 : r == 2 ? 1 : 2;
	forever = o.retry_cnt == 7 && (o.rnr_retry == 7 || !late);
	o.timeout = 14;
	o.min_rnr_timer = 18;
	o.buf_len = BUF_LEN;
	o.psn_set = true;
	o.sq_psn[0] = h[0] & 4 ? 0xfffff0 : 0x100;
	o.sq_psn[1] = h[0] & 4 ? 0xffffff : 0x1100;
	o.net.loss_ppm = fault_ppm[h[1] & 3];
	o.net.dup_ppm = fault_ppm[h[1] >> 2 & 3];
	o.net.reorder_ppm = fault_ppm[h[1] >> 4 & 3];
	o.net.seed = h[2] + 1;
	o.paged = h[1] & 0x40;
	o.srq[1] = h[1] & 0x80;
	o.net.nframes = NFRAMES;
	o.net.frame_size = FRAME_SIZE;
	o.max_wr = MAX_RECV;
	err = xt_rc_pair_open(&run.p, &o);
	require_msg(!err, "opening the pair: %s", strerror(-err));
	run.s[0].psn0 = o.sq_psn[0];
	run.s[1].psn0 = o.sq_psn[1];

	plan(0, (h[3] & 15) > MAX_WR ? MAX_WR : h[3] & 15, data, &pos, size);
	plan(1, (h[3] >> 4) % 5, data, &pos, size);
	run.tape = data + (pos < size ? pos : size);
	run.tape_len = pos < size ? size - pos : 0;
	run.tape_pos = 0;
	run.skip = tape8();
	for (i = 0; i < 2; i++)
		memcpy(run.snap[i], run.p.buf[i], BUF_LEN);

	xp_mem_net_set_tap(run.p.net, tap, NULL);
	if (!late) {
		post(0, true);
		post(1, true);
	}
	post(0, false);
	post(1, false);
	if (late) {
		err = xp_mem_net_run(run.p.net, LATE_LIMIT, step_check, NULL);
		post(0, true);
		post(1, true);
	}
	limit = RUN_LIMIT + TAPE_TIME * run.tape_len;
	err = xp_mem_net_run(run.p.net, limit, step_check, NULL);
	for (i = 0; i < 4 && run.nheld && !run.budget_hit; i++) {
		release_held(true);
		err = xp_mem_net_run(run.p.net, limit, step_check, NULL);
	}
	poll_cqs();
	for (i = 0; i < 2; i++)
		check_untouched(i);
	if (err == -EDEADLK && !run.nheld && !run.budget_hit)
		check_quiescent();
	if (getenv("XP_FUZZ_DEBUG"))
		debug_dump(err);
	if (!run.mutated && forever) {
		require_msg(err == -EDEADLK && !run.budget_hit,
			    "no frame changed, yet the run ended with %d after %u steps", err,
			    run.steps);
		check_all_done(0);
		check_all_done(1);
		tally.benign_checked++;
	}
	count(err);
	err = xt_rc_pair_close(&run.p);
	require_msg(!err, "closing the pair: %s", strerror(-err));
	return 0;
}
