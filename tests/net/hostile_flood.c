// SPDX-License-Identifier: GPL-2.0
/*
 * hostile_flood: send malformed and forged RoCEv2 at an xdpath receiver as
 * fast as an AF_PACKET socket (PACKET_QDISC_BYPASS, sendmmsg) goes, while a
 * real RC connection runs (tests/net/test_hostile.sh).
 *
 *	hostile_flood -i IF -k KIND --dmac MAC --smac MAC --src IP --dst IP
 *	              --qpn QPN --peer-qpn QPN --psn PSN --addr VA --len N --rkey K
 *	              [--foreign IP] [-d SECONDS] [--only PREFIX] [--skip PREFIX]
 *
 * The receiver is --dst/--dmac with RC QP --qpn, connected to the peer
 * --src/--smac with QP --peer-qpn, whose first request PSN was --psn;
 * --addr/--len/--rkey name the receiver's registered buffer. KIND:
 *
 *   icrc    valid requests and responses with one ICRC bit flipped
 *   trunc   valid requests (WRITE with RETH and payload, SEND WITH IMM,
 *           COMPARE AND SWAP) cut at every length from the Ethernet header
 *           to the last ICRC byte, raw (the IP and UDP lengths still say
 *           the whole frame) and "fixed" (lengths and IP checksum made to
 *           agree with the cut)
 *   opseq   undefined opcodes, RD and CNP opcodes, operations a transport
 *           lacks, UC to an RC QP, UD to an RC QP, SEND/WRITE MIDDLE and
 *           LAST without a FIRST (to the live QPN at PSNs outside its
 *           window, and to a QPN nobody has)
 *   forge   correct ICRC, the live QPN and the peer's own MAC, IP and UDP
 *           port: unknown rkeys, addresses outside the buffer, DMA lengths
 *           beyond the buffer and beyond 2^31, misaligned atomics, at PSNs
 *           far ahead of and far behind the receiver's window (never the
 *           expected one, which could break the connection); the same from
 *           a foreign source IP, to a foreign destination IP and to an
 *           unused QPN
 *   all     every kind above
 *
 * --only keeps the sub-kinds whose name starts with PREFIX (e.g. "ahead_"),
 * --skip leaves them out.
 *
 * Every frame template has a sub-kind and the place it must be counted at
 * the receiver, found by running it through the steering program's
 * reference (tests/lib/steer_ref.h) and the library's parser:
 * "xdp:REASON" (xdp_steer drops it, xpctl stats), "xdp:passed" (not
 * RoCEv2: the kernel's), "parse:REASON" (xp_pkt_err_str), "drop:REASON"
 * (xp_rdma_drop_str) or "qp:COUNTER" (struct xp_qp_stats). It runs until
 * SIGINT/SIGTERM or -d seconds, then prints on stdout
 *
 *	hostile_flood: frames KIND SUB EXPECT sent N rate R/s
 *	hostile_flood: kind KIND sent N rate R/s
 *	hostile_flood: total sent N rate R/s time S s templates T
 *
 * "ready" goes to stderr once the socket is bound and the flood starts.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "steer_ref.h"
#include "xp_qp.h"
#include "xp_roce_pkt.h"
#include "xdpath/bth.h"
#include "xdpath/roce_hdr.h"

#define PROG "hostile_flood"
#define MAX_TEMPLATES 4096
#define MAX_FRAME 1600
#define MAX_GROUPS 256
#define BATCH 64
#define ETH_HDR 14
#define IP_HDR 20
#define UDP_HDR 8
#define PAYLOAD 64
/* PSN offsets from the receiver's first expected PSN: far outside any
 * window a run of a few 10^4 packets reaches, within half the PSN space. */
#define PSN_FAR (1u << 21)

enum kind { K_ICRC, K_TRUNC, K_OPSEQ, K_FORGE, K__NR };
static const char *const kind_names[K__NR] = { "icrc", "trunc", "opseq", "forge" };

/* Frames counted together: one kind, sub-kind and expected counter. */
struct group {
	enum kind kind;
	char sub[40];
	char expect[40];
	unsigned long long sent;
};

struct tmpl {
	__u8 frame[MAX_FRAME];
	__u16 len;
	__u16 group;
};

struct opts {
	const char *ifname;
	unsigned int kinds;
	__u8 dmac[6], smac[6];
	struct in_addr src, dst, foreign;
	__u32 qpn, peer_qpn, psn, rkey, len;
	__u64 addr;
	double duration;
};

static const char *only; /* --only: sub-kinds starting with this */
static const char *skip; /* --skip: sub-kinds not starting with this */
static struct tmpl *tmpls;
static unsigned int ntmpl;
static struct group groups[MAX_GROUPS];
static unsigned int ngroups;
static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static unsigned int group_of(enum kind kind, const char *sub, const char *expect)
{
	unsigned int i;

	for (i = 0; i < ngroups; i++)
		if (groups[i].kind == kind && !strcmp(groups[i].sub, sub) &&
		    !strcmp(groups[i].expect, expect))
			return i;
	if (ngroups == MAX_GROUPS) {
		fprintf(stderr, "%s: more than %d groups of frames\n", PROG, MAX_GROUPS);
		exit(EXIT_FAILURE);
	}
	groups[ngroups].kind = kind;
	snprintf(groups[ngroups].sub, sizeof(groups[ngroups].sub), "%s", sub);
	snprintf(groups[ngroups].expect, sizeof(groups[ngroups].expect), "%s", expect);
	return ngroups++;
}

/*
 * Where the receiver must count frame[0..len): xdp_steer's verdict, then
 * the parser's; a frame both accept lands where if_valid says.
 */
static void expect_of(const __u8 *frame, size_t len, const char *if_valid, char *out, size_t size)
{
	struct xt_steer_verdict v;
	struct xp_roce_pkt pkt;

	xt_steer_ref(frame, len, &v);
	if (v.cls == XT_STEER_OTHER)
		snprintf(out, size, "xdp:passed");
	else if (v.cls == XT_STEER_DROP)
		snprintf(out, size, "xdp:%s", xp_drop_reason_str(v.drop));
	else if (xp_roce_parse(frame, len, 0, &pkt))
		snprintf(out, size, "parse:%s", xp_pkt_err_str(pkt.err));
	else
		snprintf(out, size, "%s", if_valid);
}

static void add(enum kind kind, const char *sub, const __u8 *frame, size_t len,
		const char *if_valid)
{
	char expect[40];
	struct tmpl *t;

	if ((only && strncmp(sub, only, strlen(only))) ||
	    (skip && !strncmp(sub, skip, strlen(skip))))
		return;
	if (ntmpl == MAX_TEMPLATES) {
		fprintf(stderr, "%s: more than %d frame templates\n", PROG, MAX_TEMPLATES);
		exit(EXIT_FAILURE);
	}
	expect_of(frame, len, if_valid, expect, sizeof(expect));
	t = &tmpls[ntmpl++];
	memcpy(t->frame, frame, len);
	t->len = len;
	t->group = group_of(kind, sub, expect);
}

/* The receiver's view of a request from the peer (or from src). */
static void av_init(const struct opts *o, struct xp_roce_av *av, struct in_addr src,
		    struct in_addr dst)
{
	memset(av, 0, sizeof(*av));
	memcpy(av->dmac, o->dmac, 6);
	memcpy(av->smac, o->smac, 6);
	xp_gid_from_ipv4(av->sgid, src.s_addr);
	xp_gid_from_ipv4(av->dgid, dst.s_addr);
	av->sport = xp_roce_sport_rc(o->peer_qpn, o->qpn);
}

/* Build one frame; exits on a builder error (a bug here). */
static int build(__u8 *buf, const struct xp_roce_av *av, const struct xp_roce_hdrs *h, __u32 plen)
{
	static __u8 payload[MAX_FRAME];
	int n;

	memset(payload, 0x5a, sizeof(payload));
	n = xp_roce_build(buf, MAX_FRAME, av, h, payload, plen, NULL);
	if (n < 0) {
		fprintf(stderr, "%s: building opcode 0x%02x with %u bytes: %s\n", PROG, h->opcode,
			plen, strerror(-n));
		exit(EXIT_FAILURE);
	}
	return n;
}

static void hdrs_init(struct xp_roce_hdrs *h, __u8 opcode, __u32 qpn, __u32 psn)
{
	memset(h, 0, sizeof(*h));
	h->opcode = opcode;
	h->pkey = 0xffff;
	h->dest_qpn = qpn;
	h->psn = psn & XP_PSN_MASK;
	h->ack_req = true;
}

static __u32 psn_ahead(const struct opts *o, unsigned int i)
{
	return xp_psn_add(o->psn, PSN_FAR + i * 7919);
}

static __u32 psn_behind(const struct opts *o, unsigned int i)
{
	return xp_psn_add(o->psn, -(PSN_FAR + i * 7919));
}

/* ---- icrc ---- */

static void make_icrc(const struct opts *o)
{
	static const __u8 ops[] = {
		XP_OP_RC | XP_OP_WRITE_ONLY,	XP_OP_RC | XP_OP_SEND_ONLY,
		XP_OP_RC | XP_OP_READ_REQUEST,	XP_OP_RC | XP_OP_COMPARE_SWAP,
		XP_OP_RC | XP_OP_ACKNOWLEDGE,	XP_OP_RC | XP_OP_READ_RESPONSE_ONLY,
		XP_OP_RC | XP_OP_SEND_ONLY_IMM, XP_OP_RC | XP_OP_WRITE_MIDDLE,
	};
	__u8 buf[MAX_FRAME];
	struct xp_roce_hdrs h;
	struct xp_roce_av av;
	unsigned int i, j;
	int n;

	av_init(o, &av, o->src, o->dst);
	for (i = 0; i < sizeof(ops); i++) {
		const struct xp_roce_opinfo *oi = xp_roce_opinfo(ops[i]);

		for (j = 0; j < 4; j++) {
			hdrs_init(&h, ops[i], o->qpn, j & 1 ? psn_behind(o, j) : psn_ahead(o, j));
			h.reth.rkey = o->rkey;
			h.reth.va = o->addr;
			h.reth.len = PAYLOAD;
			h.atmeth.rkey = o->rkey;
			h.atmeth.va = o->addr;
			h.aeth.syndrome = 0x1f;
			n = build(buf, &av, &h, oi->flags & XP_OPF_PAYLOAD ? PAYLOAD : 0);
			/* A bit of the ICRC, then of the payload or a header. */
			buf[n - 1 - j] ^= 1u << j;
			add(K_ICRC, j < 2 ? "icrc_bit" : "icrc_bit_b", buf, n, "valid?");
			buf[n - 1 - j] ^= 1u << j;
			buf[n - 5 - j] ^= 0x80;
			add(K_ICRC, "covered_bit", buf, n, "valid?");
		}
	}
}

/* ---- trunc ---- */

static __u16 ip_csum(const __u8 *ip)
{
	__u32 s = 0;
	int i;

	for (i = 0; i < IP_HDR; i += 2)
		if (i != 10)
			s += (ip[i] << 8) | ip[i + 1];
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return ~s & 0xffff;
}

/* Where a frame of len bytes cut from one with hdr_len bytes of BTH
 * extended headers ends: the layer of its first missing byte. */
static const char *cut_layer(size_t len, size_t full, unsigned int hdr_len)
{
	size_t bth = ETH_HDR + IP_HDR + UDP_HDR;

	if (len < ETH_HDR + IP_HDR)
		return "in_ip";
	if (len < bth)
		return "in_udp";
	if (len < bth + XP_BTH_LEN)
		return "in_bth";
	if (len < bth + XP_BTH_LEN + hdr_len)
		return "in_ext_hdr";
	if (len < full - 4)
		return "in_payload";
	return "in_icrc";
}

static void make_trunc(const struct opts *o)
{
	static const __u8 ops[] = { XP_OP_RC | XP_OP_WRITE_ONLY, XP_OP_RC | XP_OP_SEND_ONLY_IMM,
				    XP_OP_RC | XP_OP_COMPARE_SWAP };
	__u8 buf[MAX_FRAME], cut[MAX_FRAME];
	struct xp_roce_hdrs h;
	struct xp_roce_av av;
	unsigned int i;
	char sub[40];
	size_t n, l;
	__u16 csum;

	av_init(o, &av, o->src, o->dst);
	for (i = 0; i < sizeof(ops); i++) {
		const struct xp_roce_opinfo *oi = xp_roce_opinfo(ops[i]);

		hdrs_init(&h, ops[i], o->qpn, psn_ahead(o, i));
		h.reth.rkey = h.atmeth.rkey = o->rkey;
		h.reth.va = h.atmeth.va = o->addr;
		h.reth.len = PAYLOAD;
		n = build(buf, &av, &h, oi->flags & XP_OPF_PAYLOAD ? PAYLOAD : 0);
		for (l = ETH_HDR; l < n; l++) {
			memcpy(cut, buf, l);
			snprintf(sub, sizeof(sub), "raw_%s", cut_layer(l, n, oi->hdr_len));
			add(K_TRUNC, sub, cut, l, "valid?");
			if (l < ETH_HDR + IP_HDR)
				continue;
			/* The same cut as a sender that built a short packet. */
			cut[ETH_HDR + 2] = (l - ETH_HDR) >> 8;
			cut[ETH_HDR + 3] = (l - ETH_HDR) & 0xff;
			csum = ip_csum(cut + ETH_HDR);
			cut[ETH_HDR + 10] = csum >> 8;
			cut[ETH_HDR + 11] = csum & 0xff;
			if (l >= ETH_HDR + IP_HDR + UDP_HDR) {
				cut[ETH_HDR + IP_HDR + 4] = (l - ETH_HDR - IP_HDR) >> 8;
				cut[ETH_HDR + IP_HDR + 5] = (l - ETH_HDR - IP_HDR) & 0xff;
			}
			snprintf(sub, sizeof(sub), "fixed_%s", cut_layer(l, n, oi->hdr_len));
			add(K_TRUNC, sub, cut, l, "valid?");
		}
	}
}

/* ---- opseq ---- */

/* A frame shaped like SEND_ONLY with 64 bytes of payload, then given
 * another opcode and a fresh ICRC (the builder refuses undefined ones). */
static void add_raw_opcode(const struct opts *o, __u8 opcode, const char *sub)
{
	__u8 buf[MAX_FRAME];
	struct xp_roce_hdrs h;
	struct xp_roce_av av;
	int n;

	av_init(o, &av, o->src, o->dst);
	hdrs_init(&h, XP_OP_RC | XP_OP_SEND_ONLY, o->qpn, psn_ahead(o, opcode));
	n = build(buf, &av, &h, PAYLOAD);
	buf[ETH_HDR + IP_HDR + UDP_HDR] = opcode;
	xp_roce_seal(buf, n);
	add(K_OPSEQ, sub, buf, n, "valid?");
}

static void make_opseq(const struct opts *o)
{
	static const __u8 cont[] = { XP_OP_SEND_MIDDLE,	 XP_OP_SEND_LAST,  XP_OP_SEND_LAST_IMM,
				     XP_OP_WRITE_MIDDLE, XP_OP_WRITE_LAST, XP_OP_WRITE_LAST_IMM };
	__u8 buf[MAX_FRAME];
	struct xp_roce_hdrs h;
	struct xp_roce_av av;
	unsigned int op, i;
	char sub[40];
	int n;

	/* Opcodes no transport defines, RD and CNP, operations UD lacks. */
	for (op = 0; op < 256; op++) {
		__u8 t = op & XP_OP_TRANSPORT_MASK;

		if (xp_roce_opinfo(op) && t != XP_OP_RD)
			continue;
		if (t == XP_OP_RC || t == XP_OP_UC || t == XP_OP_UD)
			snprintf(sub, sizeof(sub), "undefined_%s", xp_roce_transport_str(op));
		else if (t == XP_OP_RD)
			snprintf(sub, sizeof(sub), "opcode_RD");
		else
			snprintf(sub, sizeof(sub), "opcode_%s", op < 0xa0 ? "CNP" : "reserved");
		add_raw_opcode(o, op, sub);
	}
	av_init(o, &av, o->src, o->dst);
	/* UC and UD to the RC QP: their transport is not the QP's. */
	hdrs_init(&h, XP_OP_UC | XP_OP_SEND_ONLY, o->qpn, psn_ahead(o, 1));
	n = build(buf, &av, &h, PAYLOAD);
	add(K_OPSEQ, "uc_send_to_rc", buf, n, "drop:not_ud");
	hdrs_init(&h, XP_OP_UD | XP_OP_SEND_ONLY, o->qpn, psn_ahead(o, 2));
	h.deth.qkey = 0x11111111;
	h.deth.src_qpn = o->peer_qpn;
	n = build(buf, &av, &h, PAYLOAD);
	add(K_OPSEQ, "ud_send_to_rc", buf, n, "drop:qp_type");
	/* MIDDLE and LAST without FIRST. */
	for (i = 0; i < sizeof(cont); i++) {
		__u32 plen =
			cont[i] == XP_OP_SEND_MIDDLE || cont[i] == XP_OP_WRITE_MIDDLE ? 1024 : 64;

		hdrs_init(&h, XP_OP_RC | cont[i], o->qpn, psn_ahead(o, i));
		n = build(buf, &av, &h, plen);
		add(K_OPSEQ, "no_first_ahead", buf, n, "qp:psn_out_of_window");
		hdrs_init(&h, XP_OP_RC | cont[i], o->qpn, psn_behind(o, i));
		n = build(buf, &av, &h, plen);
		add(K_OPSEQ, "no_first_behind", buf, n, "qp:dup_too_old");
		hdrs_init(&h, XP_OP_RC | cont[i], 0xabcdef, o->psn);
		n = build(buf, &av, &h, plen);
		add(K_OPSEQ, "no_first_no_qp", buf, n, "drop:no_qp");
	}
}

/* ---- forge ---- */

struct forged {
	const char *name;
	__u8 op;
	__u32 rkey;
	__u64 va;
	__u32 len; /* RETH DMA length */
	__u32 plen; /* payload carried */
};

static void make_forge(const struct opts *o)
{
	/* --len is what the receiver offers; its MR may be a little longer
	 * (receive buffers, page rounding), so "outside" starts well past it. */
	const __u64 end = o->addr + (o->len < (1u << 24) ? 1u << 26 : 1ull << 31);
	const __u32 past = o->len < (1u << 26) ? o->len * 32 : 0x7fffffffu;
	const struct forged f[] = {
		{ "bad_rkey", XP_OP_WRITE_ONLY, o->rkey ^ 0x5a5a00, o->addr, 64, 64 },
		{ "bad_rkey", XP_OP_READ_REQUEST, o->rkey + 0x100, o->addr, 4096, 0 },
		{ "bad_rkey", XP_OP_COMPARE_SWAP, o->rkey ^ 0xff0000, o->addr, 0, 0 },
		{ "bad_rkey", XP_OP_SEND_ONLY, 0, 0, 0, 256 },
		{ "out_of_range", XP_OP_WRITE_ONLY, o->rkey, end, 64, 64 },
		{ "out_of_range", XP_OP_WRITE_ONLY, o->rkey, o->addr - 4096, 64, 64 },
		{ "out_of_range", XP_OP_WRITE_ONLY, o->rkey, o->addr - 1, 64, 64 },
		{ "out_of_range", XP_OP_READ_REQUEST, o->rkey, end + 64, 64, 0 },
		{ "out_of_range", XP_OP_FETCH_ADD, o->rkey, end, 0, 0 },
		{ "out_of_range", XP_OP_FETCH_ADD, o->rkey, o->addr + 4, 0, 0 },
		{ "len_past_mr", XP_OP_WRITE_FIRST, o->rkey, o->addr, past, 1024 },
		{ "len_past_mr", XP_OP_READ_REQUEST, o->rkey, o->addr + 64, past, 0 },
		{ "len_past_2g", XP_OP_WRITE_FIRST, o->rkey, o->addr, 0x80000000u, 1024 },
		{ "len_past_2g", XP_OP_WRITE_ONLY, o->rkey, o->addr, 0xffffffffu, 64 },
		{ "len_past_2g", XP_OP_READ_REQUEST, o->rkey, o->addr, 0x80000001u, 0 },
	};
	__u8 buf[MAX_FRAME];
	struct xp_roce_hdrs h;
	struct xp_roce_av av;
	struct in_addr foreign_dst = o->dst;
	unsigned int i, j;
	char sub[40];
	int n;

	foreign_dst.s_addr = htonl(ntohl(o->dst.s_addr) ^ 0x40);
	for (i = 0; i < sizeof(f) / sizeof(f[0]); i++) {
		for (j = 0; j < 7; j++) {
			const char *expect = j < 3 ? "qp:psn_out_of_window" : "qp:dup_too_old";
			__u32 qpn = o->qpn;

			av_init(o, &av, o->src, o->dst);
			if (j < 3)
				snprintf(sub, sizeof(sub), "ahead_%s", f[i].name);
			else if (j < 6)
				snprintf(sub, sizeof(sub), "behind_%s", f[i].name);
			if (j == 6) {
				/* One each from a foreign source, to a foreign
				 * destination, to an unused QPN (rotating). */
				switch (i % 3) {
				case 0:
					av_init(o, &av, o->foreign, o->dst);
					snprintf(sub, sizeof(sub), "foreign_src_ip");
					expect = "drop:path";
					break;
				case 1:
					av_init(o, &av, o->src, foreign_dst);
					snprintf(sub, sizeof(sub), "foreign_dst_ip");
					expect = "drop:dgid";
					break;
				default:
					qpn = o->qpn + 1000;
					snprintf(sub, sizeof(sub), "foreign_qpn");
					expect = "drop:no_qp";
					break;
				}
			}
			hdrs_init(&h, XP_OP_RC | f[i].op, qpn,
				  j < 3 || j == 6 ? psn_ahead(o, j) : psn_behind(o, j));
			h.reth.rkey = f[i].rkey;
			h.reth.va = f[i].va;
			h.reth.len = f[i].len;
			h.atmeth.rkey = f[i].rkey;
			h.atmeth.va = f[i].va;
			h.atmeth.swap_add = 0xdeadbeef;
			n = build(buf, &av, &h, f[i].plen);
			add(K_FORGE, sub, buf, n, expect);
		}
	}
}

/* ---- sending ---- */

static int open_socket(const char *ifname)
{
	struct sockaddr_ll sll = { .sll_family = AF_PACKET };
	int one = 1, fd, sz = 4 << 20;

	sll.sll_ifindex = if_nametoindex(ifname);
	if (!sll.sll_ifindex) {
		fprintf(stderr, "%s: no interface %s\n", PROG, ifname);
		return -1;
	}
	fd = socket(AF_PACKET, SOCK_RAW, 0);
	if (fd < 0) {
		fprintf(stderr, "%s: AF_PACKET socket: %s (needs CAP_NET_RAW)\n", PROG,
			strerror(errno));
		return -1;
	}
	if (setsockopt(fd, SOL_PACKET, PACKET_QDISC_BYPASS, &one, sizeof(one)))
		fprintf(stderr, "%s: PACKET_QDISC_BYPASS: %s; going through the qdisc\n", PROG,
			strerror(errno));
	setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sz, sizeof(sz));
	if (bind(fd, (struct sockaddr *)&sll, sizeof(sll))) {
		fprintf(stderr, "%s: bind to %s: %s\n", PROG, ifname, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

static void flood(int fd, double duration, double *secs)
{
	struct mmsghdr msgs[BATCH];
	struct iovec iov[BATCH];
	unsigned int next = 0, i;
	double t0 = now_s(), end = duration > 0 ? t0 + duration : 0;
	unsigned long batches = 0;
	int n;

	memset(msgs, 0, sizeof(msgs));
	while (!stop) {
		for (i = 0; i < BATCH; i++) {
			struct tmpl *t = &tmpls[(next + i) % ntmpl];

			iov[i].iov_base = t->frame;
			iov[i].iov_len = t->len;
			msgs[i].msg_hdr.msg_iov = &iov[i];
			msgs[i].msg_hdr.msg_iovlen = 1;
		}
		n = sendmmsg(fd, msgs, BATCH, 0);
		if (n < 0) {
			if (errno != ENOBUFS && errno != EAGAIN && errno != EINTR) {
				fprintf(stderr, "%s: sendmmsg: %s\n", PROG, strerror(errno));
				break;
			}
			/* The sender's queue is full: drop the frame it refused. */
			n = 0;
			next = (next + 1) % ntmpl;
		}
		for (i = 0; i < (unsigned int)n; i++)
			groups[tmpls[(next + i) % ntmpl].group].sent++;
		next = (next + n) % ntmpl;
		if (end && !(++batches & 63) && now_s() >= end)
			break;
	}
	*secs = now_s() - t0;
}

static void report(double secs)
{
	unsigned long long kinds[K__NR] = { 0 }, total = 0;
	unsigned int i;

	if (secs <= 0)
		secs = 1e-9;
	for (i = 0; i < ngroups; i++) {
		printf("%s: frames %s %s %s sent %llu rate %.0f/s\n", PROG,
		       kind_names[groups[i].kind], groups[i].sub, groups[i].expect, groups[i].sent,
		       groups[i].sent / secs);
		kinds[groups[i].kind] += groups[i].sent;
		total += groups[i].sent;
	}
	for (i = 0; i < K__NR; i++)
		if (kinds[i])
			printf("%s: kind %s sent %llu rate %.0f/s\n", PROG, kind_names[i], kinds[i],
			       kinds[i] / secs);
	printf("%s: total sent %llu rate %.0f/s time %.2f s templates %u\n", PROG, total,
	       total / secs, secs, ntmpl);
}

/* ---- options ---- */

static int parse_mac(const char *s, __u8 *mac)
{
	unsigned int b[6], i;

	if (sscanf(s, "%x:%x:%x:%x:%x:%x", &b[0], &b[1], &b[2], &b[3], &b[4], &b[5]) != 6)
		return -1;
	for (i = 0; i < 6; i++)
		mac[i] = b[i];
	return 0;
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: %s -i IF -k icrc|trunc|opseq|forge|all --dmac MAC --smac MAC\n"
		"          --src IP --dst IP --qpn N --peer-qpn N --psn N --addr VA --len N\n"
		"          --rkey K [--foreign IP] [-d SECONDS]\n"
		"          [--only PREFIX] [--skip PREFIX]\n"
		"  (see the top of tests/net/hostile_flood.c)\n",
		PROG);
}

static int parse_args(struct opts *o, int argc, char **argv)
{
	static const struct option lopts[] = {
		{ .name = "ifname", .has_arg = 1, .val = 'i' },
		{ .name = "kind", .has_arg = 1, .val = 'k' },
		{ .name = "duration", .has_arg = 1, .val = 'd' },
		{ .name = "dmac", .has_arg = 1, .val = 1 },
		{ .name = "smac", .has_arg = 1, .val = 2 },
		{ .name = "src", .has_arg = 1, .val = 3 },
		{ .name = "dst", .has_arg = 1, .val = 4 },
		{ .name = "foreign", .has_arg = 1, .val = 5 },
		{ .name = "qpn", .has_arg = 1, .val = 6 },
		{ .name = "peer-qpn", .has_arg = 1, .val = 7 },
		{ .name = "psn", .has_arg = 1, .val = 8 },
		{ .name = "addr", .has_arg = 1, .val = 9 },
		{ .name = "len", .has_arg = 1, .val = 10 },
		{ .name = "rkey", .has_arg = 1, .val = 11 },
		{ .name = "only", .has_arg = 1, .val = 12 },
		{ .name = "skip", .has_arg = 1, .val = 13 },
		{ .name = "help", .val = 'h' },
		{},
	};
	unsigned int need = 0, i;
	int opt;

	while ((opt = getopt_long(argc, argv, "i:k:d:h", lopts, NULL)) != -1) {
		bool bad = false;

		switch (opt) {
		case 'i':
			o->ifname = optarg;
			break;
		case 'k':
			for (i = 0; i < K__NR; i++)
				if (!strcmp(optarg, kind_names[i]))
					o->kinds |= 1u << i;
			if (!strcmp(optarg, "all"))
				o->kinds = (1u << K__NR) - 1;
			bad = !o->kinds;
			break;
		case 'd':
			o->duration = atof(optarg);
			break;
		case 1:
		case 2:
			bad = parse_mac(optarg, opt == 1 ? o->dmac : o->smac);
			break;
		case 3:
		case 4:
		case 5:
			bad = !inet_pton(AF_INET, optarg,
					 opt == 3 ? &o->src :
					 opt == 4 ? &o->dst :
						    &o->foreign);
			break;
		case 6:
			o->qpn = strtoul(optarg, NULL, 0) & XP_QPN_MASK;
			break;
		case 7:
			o->peer_qpn = strtoul(optarg, NULL, 0) & XP_QPN_MASK;
			break;
		case 8:
			o->psn = strtoul(optarg, NULL, 0) & XP_PSN_MASK;
			break;
		case 9:
			o->addr = strtoull(optarg, NULL, 0);
			break;
		case 10:
			o->len = strtoul(optarg, NULL, 0);
			break;
		case 11:
			o->rkey = strtoul(optarg, NULL, 0);
			break;
		case 12:
			only = optarg;
			break;
		case 13:
			skip = optarg;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			usage(stderr);
			return -1;
		}
		if (bad) {
			fprintf(stderr, "%s: bad value '%s' for %s\n", PROG, optarg,
				argv[optind - 1]);
			return -1;
		}
		if (opt >= 1 && opt <= 11)
			need |= 1u << opt;
	}
	/* Everything but --foreign (default: the source's .99). */
	if (!o->ifname || !o->kinds || (need & 0xfde) != 0xfde) {
		fprintf(stderr,
			"%s: -i, -k, --dmac, --smac, --src, --dst, --qpn, --peer-qpn,"
			" --psn, --addr, --len and --rkey are all needed\n",
			PROG);
		usage(stderr);
		return -1;
	}
	if (!(need & (1u << 5)))
		o->foreign.s_addr = htonl((ntohl(o->src.s_addr) & ~0xffu) | 99);
	return 0;
}

int main(int argc, char **argv)
{
	struct opts o = { 0 };
	struct sigaction sa = { .sa_handler = on_signal };
	double secs = 0;
	int fd;

	if (parse_args(&o, argc, argv))
		return EXIT_FAILURE;
	setvbuf(stdout, NULL, _IOLBF, 0);
	tmpls = calloc(MAX_TEMPLATES, sizeof(*tmpls));
	if (!tmpls)
		return EXIT_FAILURE;
	if (o.kinds & (1u << K_ICRC))
		make_icrc(&o);
	if (o.kinds & (1u << K_TRUNC))
		make_trunc(&o);
	if (o.kinds & (1u << K_OPSEQ))
		make_opseq(&o);
	if (o.kinds & (1u << K_FORGE))
		make_forge(&o);
	if (!ntmpl) {
		fprintf(stderr, "%s: --only/--skip left no frame of the kinds given\n", PROG);
		return EXIT_FAILURE;
	}
	fd = open_socket(o.ifname);
	if (fd < 0)
		return EXIT_FAILURE;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	fprintf(stderr, "%s: ready, %u templates in %u groups\n", PROG, ntmpl, ngroups);
	flood(fd, o.duration, &secs);
	report(secs);
	close(fd);
	free(tmpls);
	return EXIT_SUCCESS;
}
