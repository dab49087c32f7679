// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer harness: UD receive (core/roce/rdma_ud.c and the dispatch in
 * front of it, core/roce/rdma_dev.c) on a UD QP pair on the in-memory net
 * (tests/lib/xt_rc_pair.h, opts.ud), fed a mix of UD sends from the other
 * side and frames built from the input and injected as if off the wire:
 * what a GSI QP (QP1, the CM's) of the soft-RoCE device gets from anyone.
 * Corpus: tests/fuzz/corpus/fuzz_ud.
 *
 * An input is a header byte, then commands until it ends:
 *   byte 0   path MTU 256/1024 (bit 0), MRs of pages (bit 1)
 *   0 send   side 0 sends a UD SEND to side 1: size (2 bytes), flags
 *            (bit 0 immediate, bit 1 a wrong Q_Key, bit 2 solicited)
 *   1 frame  a frame injected at side 1: opcode, destination QPN (side
 *            1's, another, QP 1, any), Q_Key (right, another, any), source
 *            QPN (3 bytes), PSN, payload length (2 bytes), P_Key choice,
 *            then up to three byte edits (offset, value) and whether the
 *            ICRC is computed again after them
 *   2 recv   side 1 posts 1..4 receives: per receive a size class and one
 *            SGE or two
 *   3 run    the net runs until nothing is queued
 * Every payload starts with the number of its frame, so a completion
 * names the frame it took.
 *
 * The checks:
 *   - receive completions come in posting order, each once, for a posted
 *     receive; a successful one fits its buffer (40-byte GRH + payload);
 *     LOC_LEN_ERR only when it would not have fitted;
 *   - a completion that names a frame, in a run without edited frames
 *     (an edit can make a frame pass for another): that frame had side 1's
 *     QPN, its Q_Key and a UD SEND opcode; byte_len, source QPN, the
 *     immediate and every payload byte are the frame's, and the GRH holds
 *     an IPv4 header;
 *   - memory: the guards of both MRs intact; side 1's bytes outside what
 *     completed receives wrote (their first byte_len bytes) unchanged, side
 *     0's bytes all as the harness wrote them;
 *   - side 0's signalled sends complete successfully;
 *   - at the end: nothing queued, no frame slot in use, and closing
 *     refuses nothing.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "fuzz.h"
#include "xp_mem_net.h"
#include "xp_roce_pkt.h"
#include "xt_rc_pair.h"

#define BUF_LEN (64u * 1024)
#define MAX_RECV 32
#define MAX_FRAMES 64
#define FRAME_SIZE 2048
#define NFRAMES 48 /* 96 KiB of frames: below ASan's mmap threshold */
#define SRC_OFF 0 /* side 0's send source, refilled per send */
#define SEQ_MAGIC 0xf0000000u

struct recv {
	__u32 off[2], len[2]; /* its SGEs in side 1's buffer */
	__u32 room;
	__u32 byte_len; /* of a successful one */
};

struct frame {
	__u32 len; /* payload bytes */
	__u32 src_qpn;
	bool good; /* side 1's QPN, its Q_Key, a UD SEND opcode */
	bool imm;
	__u32 imm_data;
};

static struct {
	struct xt_rc_pair p;
	const __u8 *in;
	size_t len, pos;
	__u32 mtu;
	struct recv rv[MAX_RECV];
	__u32 nrv, next_rv, bump;
	struct frame fr[MAX_FRAMES];
	__u32 nfr;
	bool edited; /* an edited frame went out: it may pass for another */
	__u32 sends, send_done;
	__u8 *snap0;
} run;

static bool debug; /* XP_FUZZ_DEBUG: what each run sends and receives */

static __u8 in8(void)
{
	return run.pos < run.len ? run.in[run.pos++] : 0;
}

static __u32 in_n(int n)
{
	__u32 v = 0;

	while (n--)
		v = v << 8 | in8();
	return v;
}

/* The payload of frame seq: its number first (when it has room), then a pattern. */
__attribute__((no_sanitize("coverage"), noinline)) static void payload(__u8 *p, __u32 len,
								       __u32 seq)
{
	__u32 k, tag = htonl(SEQ_MAGIC | seq);

	for (k = 0; k < len; k++)
		p[k] = k < 4 ? ((__u8 *)&tag)[k] : (__u8)(seq * 31 + k * 7);
}

/* What the runs came to, printed at exit (tests/fuzz/run.sh shows it). */
static struct {
	unsigned long runs, frames, sends, recvs, len_errs, checked;
} tally;

static void print_summary(void)
{
	fprintf(stderr,
		"fuzz_ud: %lu runs, %lu frames injected, %lu sends, %lu receives completed (%lu too long), %lu checked against their frame\n",
		tally.runs, tally.frames, tally.sends, tally.recvs, tally.len_errs, tally.checked);
}

/* ---- commands ---- */

static void cmd_recv(void)
{
	static const __u32 sizes[8] = { 40, 41, 100, 296, 1000, 1064, 1500, 2100 };
	struct xp_recv_wr wr[4], *bad;
	struct xp_sge sge[4][2];
	__u32 n = in8() % 4 + 1, k, lkey = xp_mr_lkey(run.p.mr[1]);
	int err;

	for (k = 0; k < n && run.nrv + k < MAX_RECV; k++) {
		__u8 b = in8();
		struct recv *r = &run.rv[run.nrv + k];
		__u32 size = sizes[b & 7], half = b & 8 ? size / 2 : size;
		int i, nsge = b & 8 ? 2 : 1;

		if (run.bump + size + 64 > BUF_LEN)
			break;
		memset(r, 0, sizeof(*r));
		r->off[0] = run.bump;
		r->len[0] = half;
		/* The second SGE elsewhere, after a gap nobody may write. */
		r->off[1] = run.bump + half + 32;
		r->len[1] = size - half;
		r->room = size;
		run.bump += size + 64;
		for (i = 0; i < nsge; i++)
			sge[k][i] = (struct xp_sge){ (uintptr_t)run.p.buf[1] + r->off[i], r->len[i],
						     lkey };
		wr[k] = (struct xp_recv_wr){
			.wr_id = run.nrv + k, .sg_list = sge[k], .num_sge = nsge, .next = NULL
		};
		if (k)
			wr[k - 1].next = &wr[k];
	}
	if (!k)
		return;
	err = xp_qp_post_recv(run.p.qp[1], wr, &bad);
	require_msg(!err, "posting %u receives: %s", k, strerror(-err));
	run.nrv += k;
}

static void cmd_send(void)
{
	__u32 size = in_n(2) % (run.mtu + 1), seq = run.nfr;
	__u8 fl = in8();
	struct xp_sge sge = { (uintptr_t)run.p.buf[0] + SRC_OFF, size, xp_mr_lkey(run.p.mr[0]) };
	struct xp_send_wr wr = {
		.wr_id = seq,
		.opcode = fl & 1 ? XP_WR_SEND_WITH_IMM : XP_WR_SEND,
		.send_flags = XP_SEND_SIGNALED | (fl & 4 ? XP_SEND_SOLICITED : 0),
		.sg_list = &sge,
		.num_sge = size ? 1 : 0,
		.imm_data = htonl(0xabc00000 | seq),
		.ud = { .ah = run.p.ah[0],
			.remote_qpn = xp_qp_num(run.p.qp[1]),
			.remote_qkey = fl & 2 ? XT_PAIR_QKEY + 1 : XT_PAIR_QKEY },
	};
	struct xp_send_wr *bad;
	int err;

	if (seq == MAX_FRAMES)
		return;
	payload(run.p.buf[0] + SRC_OFF, size, seq);
	memcpy(run.snap0 + SRC_OFF, run.p.buf[0] + SRC_OFF, size);
	err = xp_qp_post_send(run.p.qp[0], &wr, &bad);
	if (err == -ENOMEM) /* no frame free: the net is full */
		return;
	require_msg(!err, "a UD send of %u bytes: %s", size, strerror(-err));
	if (debug)
		fprintf(stderr, "frame %u: a send of %u bytes%s\n", seq, size,
			fl & 2 ? " with a wrong Q_Key" : "");
	run.fr[run.nfr++] = (struct frame){ .len = size,
					    .src_qpn = xp_qp_num(run.p.qp[0]),
					    .good = !(fl & 2),
					    .imm = fl & 1,
					    .imm_data = wr.imm_data };
	run.sends++;
	tally.sends++;
}

static void cmd_frame(void)
{
	static const __u8 ops[4] = { XP_OP_UD | XP_OP_SEND_ONLY, XP_OP_UD | XP_OP_SEND_ONLY_IMM,
				     XP_OP_RC | XP_OP_SEND_ONLY, 0 };
	__u8 op = in8(), dst = in8(), qk = in8(), buf[FRAME_SIZE];
	__u32 src_qpn = in_n(3) & XP_QPN_MASK, psn = in_n(3) & XP_PSN_MASK, seq = run.nfr;
	__u32 len = in_n(2) % 1500, n, k;
	__u8 pk = in8(), edits = in8(), pay[1500];
	struct xp_roce_av av = { .dmac = { 0x02, 0, 0, 0, 0, 0x11 },
				 .smac = { 0x02, 0, 0, 0, 0, 0x66 },
				 .sport = xp_roce_sport_ud(src_qpn) };
	struct xp_roce_hdrs h = {};
	int flen;

	if (seq == MAX_FRAMES)
		return;
	h.opcode = ops[op & 3] ? ops[op & 3] : op;
	switch (dst & 3) {
	case 0:
		h.dest_qpn = xp_qp_num(run.p.qp[1]);
		break;
	case 1:
		h.dest_qpn = xp_qp_num(run.p.qp[0]);
		break;
	case 2:
		h.dest_qpn = 1;
		break;
	default:
		h.dest_qpn = (__u32)dst << 16 | op << 8 | qk;
	}
	h.deth.qkey = qk & 1 ? XT_PAIR_QKEY : qk & 2 ? XT_PAIR_QKEY ^ 0x80000000u : in_n(4);
	h.deth.src_qpn = src_qpn;
	h.psn = psn;
	h.pkey = pk & 1 ? (__u16)(pk << 8 | pk) : 0xffff;
	h.se = pk & 2;
	h.imm = 0xdef00000 | seq;
	memcpy(av.sgid, run.p.gid[0], 16);
	memcpy(av.dgid, run.p.gid[1], 16);
	payload(pay, len, seq);
	flen = xp_roce_build(buf, sizeof(buf), &av, &h, pay, len, NULL);
	if (flen < 0)
		return; /* an opcode the builder does not know, or too long */
	n = edits & 3;
	for (k = 0; k < n; k++) {
		__u32 at = in_n(2) % flen;

		buf[at] = in8();
	}
	if (n && (edits & 4))
		xp_roce_seal(buf, flen);
	if (xp_mem_net_inject(run.p.net, buf, flen))
		return;
	run.edited |= n > 0;
	if (debug)
		fprintf(stderr,
			"frame %u: opcode 0x%02x QPN 0x%x Q_Key 0x%x from QP 0x%x, %u bytes, %u edits%s\n",
			seq, h.opcode, h.dest_qpn, h.deth.qkey, src_qpn, len, n,
			n && (edits & 4) ? ", ICRC again" : "");
	run.fr[run.nfr++] = (struct frame){
		.len = len,
		.src_qpn = src_qpn,
		.good = h.dest_qpn == xp_qp_num(run.p.qp[1]) && h.deth.qkey == XT_PAIR_QKEY &&
			(h.opcode == (XP_OP_UD | XP_OP_SEND_ONLY) ||
			 h.opcode == (XP_OP_UD | XP_OP_SEND_ONLY_IMM)),
		.imm = h.opcode == (XP_OP_UD | XP_OP_SEND_ONLY_IMM),
		.imm_data = htonl(h.imm),
	};
	tally.frames++;
}

/* ---- checks ---- */

/* Copy a receive's first len bytes out of its SGEs. */
static void recv_bytes(const struct recv *r, __u8 *out, __u32 len)
{
	__u32 a = len < r->len[0] ? len : r->len[0];

	memcpy(out, run.p.buf[1] + r->off[0], a);
	if (len > a)
		memcpy(out + a, run.p.buf[1] + r->off[1], len - a);
}

static void check_recv(const struct xp_wc *wc)
{
	struct recv *r;
	__u8 got[2200], want[1500];
	const struct frame *f;
	__u32 seq;

	require_msg(wc->wr_id < run.nrv && wc->wr_id == run.next_rv,
		    "receive completion for wr_id %llu, next posted is %u of %u",
		    (unsigned long long)wc->wr_id, run.next_rv, run.nrv);
	if (debug)
		fprintf(stderr, "receive %llu: status %d, %u bytes from QP 0x%x\n",
			(unsigned long long)wc->wr_id, wc->status, wc->byte_len, wc->src_qp);
	r = &run.rv[run.next_rv++];
	tally.recvs++;
	if (wc->status == XP_WC_LOC_LEN_ERR) {
		tally.len_errs++;
		require_msg(wc->byte_len > r->room, "LOC_LEN_ERR for %u bytes into %u",
			    wc->byte_len, r->room);
		return;
	}
	require_msg(wc->status == XP_WC_SUCCESS, "receive %llu: status %d",
		    (unsigned long long)wc->wr_id, wc->status);
	require_msg(wc->byte_len >= XP_GRH_LEN && wc->byte_len <= r->room,
		    "a receive of %u bytes into %u", wc->byte_len, r->room);
	r->byte_len = wc->byte_len;
	recv_bytes(r, got, wc->byte_len);
	if (wc->byte_len < XP_GRH_LEN + 4)
		return;
	memcpy(&seq, got + XP_GRH_LEN, 4);
	seq = ntohl(seq);
	if ((seq & 0xffffff00u) != SEQ_MAGIC || (seq & 0xff) >= run.nfr)
		return; /* not a payload of ours */
	f = &run.fr[seq & 0xff];
	if (run.edited)
		return; /* the number may be an edit's */
	require_msg(f->good, "frame %u completed: wrong QPN, Q_Key or opcode", seq & 0xff);
	require_msg(wc->byte_len == XP_GRH_LEN + f->len && wc->src_qp == f->src_qpn &&
			    !!(wc->wc_flags & XP_WC_WITH_IMM) == f->imm &&
			    (!f->imm || wc->imm_data == f->imm_data),
		    "frame %u: %u bytes from QP 0x%x, flags 0x%x; sent %u bytes from 0x%x",
		    seq & 0xff, wc->byte_len, wc->src_qp, wc->wc_flags, f->len, f->src_qpn);
	require_msg(got[20] >> 4 == 4, "the GRH holds no IPv4 header (0x%02x)", got[20]);
	payload(want, f->len, seq & 0xff);
	require_msg(!memcmp(got + XP_GRH_LEN, want, f->len), "frame %u: payload differs",
		    seq & 0xff);
	tally.checked++;
}

static bool poll(void *arg)
{
	struct xp_wc wc[8];
	int n, k;

	(void)arg;
	while ((n = xp_cq_poll(run.p.cq[1], 8, wc)) > 0)
		for (k = 0; k < n; k++)
			check_recv(&wc[k]);
	while ((n = xp_cq_poll(run.p.cq[0], 8, wc)) > 0)
		for (k = 0; k < n; k++) {
			require_msg(wc[k].status == XP_WC_SUCCESS && !(wc[k].opcode & XP_WC_RECV),
				    "side 0: completion status %d opcode %d", wc[k].status,
				    wc[k].opcode);
			run.send_done++;
		}
	return false;
}

/* Side 1's bytes nobody may have written are still zero. */
static void check_memory(void)
{
	static const __u8 zeros[BUF_LEN];
	struct span {
		__u32 off, len;
	} sp[2 * MAX_RECV], t;
	const __u8 *b = run.p.buf[1];
	__u32 n = 0, k, j, pos = 0;

	require_msg(xt_rc_pair_guards_ok(&run.p), "a guard area changed: a write outside an MR");
	require_msg(!memcmp(run.p.buf[0], run.snap0, BUF_LEN), "side 0's buffer changed");
	/* What completed receives wrote: the first byte_len bytes of their SGEs. */
	for (k = 0; k < run.nrv; k++) {
		const struct recv *r = &run.rv[k];
		__u32 a = r->byte_len < r->len[0] ? r->byte_len : r->len[0];

		sp[n++] = (struct span){ r->off[0], a };
		sp[n++] = (struct span){ r->off[1], r->byte_len - a };
	}
	for (k = 1; k < n; k++)
		for (j = k; j && sp[j - 1].off > sp[j].off; j--) {
			t = sp[j];
			sp[j] = sp[j - 1];
			sp[j - 1] = t;
		}
	for (k = 0; k <= n; k++) {
		__u32 end = k < n ? sp[k].off : BUF_LEN;

		if (end > pos)
			require_msg(!memcmp(b + pos, zeros, end - pos),
				    "side 1: bytes %u..%u written, no completed receive owns them",
				    pos, end);
		if (k < n && sp[k].off + sp[k].len > pos)
			pos = sp[k].off + sp[k].len;
	}
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_init();
	debug = getenv("XP_FUZZ_DEBUG") != NULL;
	atexit(print_summary);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static __u8 snap0[BUF_LEN];
	struct xt_rc_pair_opts o = {};
	__u8 h;
	int err;

	fuzz_selftest_point();
	memset(&run, 0, sizeof(run));
	run.in = data;
	run.len = size;
	run.snap0 = snap0;
	h = in8();
	o.ud = true;
	o.mtu = h & 1 ? XP_MTU_1024 : XP_MTU_256;
	run.mtu = h & 1 ? 1024 : 256;
	o.paged = h & 2;
	o.buf_len = BUF_LEN;
	o.max_wr = MAX_RECV;
	o.net.nframes = NFRAMES;
	o.net.frame_size = FRAME_SIZE;
	err = xt_rc_pair_open(&run.p, &o);
	require_msg(!err, "opening the pair: %s", strerror(-err));
	memset(snap0, 0, BUF_LEN);

	while (run.pos < run.len) {
		switch (in8() & 3) {
		case 0:
			cmd_send();
			break;
		case 1:
			cmd_frame();
			break;
		case 2:
			cmd_recv();
			break;
		default:
			xp_mem_net_run(run.p.net, XP_MEM_SEC, poll, NULL);
			break;
		}
		poll(NULL);
	}
	xp_mem_net_run(run.p.net, XP_MEM_SEC, poll, NULL);
	poll(NULL);
	require_msg(run.send_done == run.sends, "side 0: %u of %u sends completed", run.send_done,
		    run.sends);
	check_memory();
	require_msg(!xp_mem_net_pending(run.p.net) && !xp_mem_net_frames_in_use(run.p.net),
		    "after the run: %u frames queued, %u slots in use",
		    xp_mem_net_pending(run.p.net), xp_mem_net_frames_in_use(run.p.net));
	err = xt_rc_pair_close(&run.p);
	require_msg(!err, "closing the pair: %s", strerror(-err));
	tally.runs++;
	return 0;
}
