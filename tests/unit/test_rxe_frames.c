// SPDX-License-Identifier: GPL-2.0
/*
 * Known answers from Linux's kernel rdma_rxe: every frame of the captures in
 * tests/data/rxe/ (made by tests/vm/capture_rxe.sh, see the README there) is
 * parsed down to the payload with include/xdpath/bth.h and roce_hdr.h, its
 * ICRC checked with xp_icrc_check() and its lengths, headers and flows
 * checked against what rxe is known to send (design notes, section 4, and
 * the README next to the captures).
 * Each file must hold the opcodes it was captured for, and no others.
 * The decoder here is independent of the library's on purpose: the
 * library's xp_roce_parse() (core/roce/roce_pkt.c) must accept every frame
 * and decode the same fields (rule R_LIB); the UDP source port formulas are
 * the library's xp_roce_sport_ud() and xp_roce_sport_rc().
 *
 * usage: test_rxe_frames [DIR]   (default $XP_RXE_DATA, else tests/data/rxe)
 */
#include <arpa/inet.h>
#include <endian.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <xdpath/bth.h>
#include <xdpath/roce_hdr.h>

#include "xp_icrc.h"
#include "xp_pcap.h"
#include "xp_roce_pkt.h"
#include "xp_test.h"

#define ROCE_PORT 4791
#define ETH_HLEN 14
#define VLAN_HLEN 4
#define IP4_HLEN 20
#define IP6_HLEN 40
#define UDP_HLEN 8
/* rxe over a 1500-byte MTU: every FIRST and MIDDLE segment carries this. */
#define PMTU 1024
/* rxe's ACKs carry credit code 31: no end-to-end credits */
#define RXE_ACK_CREDITS 0x1f
/* ibv_ud_pingpong's Q_Key */
#define UD_QKEY 0x11111111u
#define MAX_FRAMES 1024
#define MAX_FLOWS 64
#define MAX_OPS 256

/* Extended headers, in the order they follow the BTH. */
enum {
	H_DETH = 1 << 0,
	H_RETH = 1 << 1,
	H_ATMETH = 1 << 2,
	H_AETH = 1 << 3,
	H_ATMACK = 1 << 4,
	H_IMM = 1 << 5,
	H_IETH = 1 << 6,
};

enum seg { S_ONLY, S_FIRST, S_MIDDLE, S_LAST };
enum kind { K_SEND, K_WRITE, K_READ_REQ, K_READ_RESP, K_ACK, K_ATOMIC_ACK, K_ATOMIC };

struct op_info {
	const char *name;
	unsigned int hdrs;
	bool payload; /* may carry one */
	enum seg seg;
	enum kind kind;
};

/* IBTA vol. 1 table 38 (RC); UC has 0x00-0x0b of it, UD the two SEND ONLYs. */
static const struct op_info rc_ops[] = {
	[XP_OP_SEND_FIRST] = { "SEND_FIRST", 0, true, S_FIRST, K_SEND },
	[XP_OP_SEND_MIDDLE] = { "SEND_MIDDLE", 0, true, S_MIDDLE, K_SEND },
	[XP_OP_SEND_LAST] = { "SEND_LAST", 0, true, S_LAST, K_SEND },
	[XP_OP_SEND_LAST_IMM] = { "SEND_LAST_IMM", H_IMM, true, S_LAST, K_SEND },
	[XP_OP_SEND_ONLY] = { "SEND_ONLY", 0, true, S_ONLY, K_SEND },
	[XP_OP_SEND_ONLY_IMM] = { "SEND_ONLY_IMM", H_IMM, true, S_ONLY, K_SEND },
	[XP_OP_WRITE_FIRST] = { "WRITE_FIRST", H_RETH, true, S_FIRST, K_WRITE },
	[XP_OP_WRITE_MIDDLE] = { "WRITE_MIDDLE", 0, true, S_MIDDLE, K_WRITE },
	[XP_OP_WRITE_LAST] = { "WRITE_LAST", 0, true, S_LAST, K_WRITE },
	[XP_OP_WRITE_LAST_IMM] = { "WRITE_LAST_IMM", H_IMM, true, S_LAST, K_WRITE },
	[XP_OP_WRITE_ONLY] = { "WRITE_ONLY", H_RETH, true, S_ONLY, K_WRITE },
	[XP_OP_WRITE_ONLY_IMM] = { "WRITE_ONLY_IMM", H_RETH | H_IMM, true, S_ONLY, K_WRITE },
	[XP_OP_READ_REQUEST] = { "READ_REQUEST", H_RETH, false, S_ONLY, K_READ_REQ },
	[XP_OP_READ_RESPONSE_FIRST] = { "READ_RESPONSE_FIRST", H_AETH, true, S_FIRST, K_READ_RESP },
	[XP_OP_READ_RESPONSE_MIDDLE] = { "READ_RESPONSE_MIDDLE", 0, true, S_MIDDLE, K_READ_RESP },
	[XP_OP_READ_RESPONSE_LAST] = { "READ_RESPONSE_LAST", H_AETH, true, S_LAST, K_READ_RESP },
	[XP_OP_READ_RESPONSE_ONLY] = { "READ_RESPONSE_ONLY", H_AETH, true, S_ONLY, K_READ_RESP },
	[XP_OP_ACKNOWLEDGE] = { "ACKNOWLEDGE", H_AETH, false, S_ONLY, K_ACK },
	[XP_OP_ATOMIC_ACKNOWLEDGE] = { "ATOMIC_ACKNOWLEDGE", H_AETH | H_ATMACK, false, S_ONLY,
				       K_ATOMIC_ACK },
	[XP_OP_COMPARE_SWAP] = { "COMPARE_SWAP", H_ATMETH, false, S_ONLY, K_ATOMIC },
	[XP_OP_FETCH_ADD] = { "FETCH_ADD", H_ATMETH, false, S_ONLY, K_ATOMIC },
	[XP_OP_SEND_LAST_INV] = { "SEND_LAST_INV", H_IETH, true, S_LAST, K_SEND },
	[XP_OP_SEND_ONLY_INV] = { "SEND_ONLY_INV", H_IETH, true, S_ONLY, K_SEND },
};

static const struct op_info ud_ops[] = {
	[XP_OP_SEND_ONLY] = { "SEND_ONLY", H_DETH, true, S_ONLY, K_SEND },
	[XP_OP_SEND_ONLY_IMM] = { "SEND_ONLY_IMM", H_DETH | H_IMM, true, S_ONLY, K_SEND },
};

static const struct op_info *op_info(__u8 op)
{
	unsigned int o = op & ~XP_OP_TRANSPORT_MASK;

	switch (op & XP_OP_TRANSPORT_MASK) {
	case XP_OP_RC:
		return o < sizeof(rc_ops) / sizeof(rc_ops[0]) && rc_ops[o].name ? &rc_ops[o] : NULL;
	case XP_OP_UC:
		return o <= XP_OP_WRITE_ONLY_IMM ? &rc_ops[o] : NULL;
	case XP_OP_UD:
		return o < sizeof(ud_ops) / sizeof(ud_ops[0]) && ud_ops[o].name ? &ud_ops[o] : NULL;
	}
	return NULL;
}

static const char *transport_name(__u8 op)
{
	switch (op & XP_OP_TRANSPORT_MASK) {
	case XP_OP_RC:
		return "RC";
	case XP_OP_UC:
		return "UC";
	case XP_OP_RD:
		return "RD";
	case XP_OP_UD:
		return "UD";
	}
	return "?";
}

static size_t hdrs_len(unsigned int h)
{
	return (h & H_DETH ? XP_DETH_LEN : 0) + (h & H_RETH ? XP_RETH_LEN : 0) +
	       (h & H_ATMETH ? XP_ATMETH_LEN : 0) + (h & H_AETH ? XP_AETH_LEN : 0) +
	       (h & H_ATMACK ? XP_ATMACK_LEN : 0) + (h & H_IMM ? XP_IMMDT_LEN : 0) +
	       (h & H_IETH ? XP_IETH_LEN : 0);
}

/* One frame, decoded. */
struct pkt {
	unsigned int nr; /* 1-based record number */
	int nvlan;
	__u16 tci;
	int family;
	const __u8 *l3; /* IP header .. ICRC */
	size_t l3_len, ip_hlen;
	__u8 src[16], dst[16];
	__u8 ttl, tos;
	__u32 flow_label;
	bool df;
	__u16 sport, dport, ulen, ucsum;
	struct xp_bth bth;
	__u8 op;
	const struct op_info *info;
	unsigned int pad;
	__u32 qpn, psn;
	bool ackreq, se, mig;
	struct xp_deth deth;
	struct xp_reth reth;
	struct xp_atmeth atmeth;
	struct xp_aeth aeth;
	struct xp_atmack atmack;
	struct xp_immdt imm;
	struct xp_ieth ieth;
	size_t payload_len;
};

static char why[256];

static __attribute__((format(printf, 1, 2))) bool bad(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	return false;
}

static __u16 rd16(const __u8 *p)
{
	return (__u16)(p[0] << 8 | p[1]);
}

static __u32 rd32(const __u8 *p)
{
	return (__u32)p[0] << 24 | (__u32)p[1] << 16 | (__u32)p[2] << 8 | p[3];
}

static bool ip4_csum_ok(const __u8 *h, size_t n)
{
	__u32 sum = 0;
	size_t i;

	for (i = 0; i < n; i += 2)
		sum += rd16(h + i);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return sum == 0xffff;
}

/*
 * Ethernet, 802.1Q tags, IPv4 or IPv6, UDP, BTH and the extended headers
 * the opcode calls for. Every length must agree exactly: the frame ends
 * where the IP packet does, UDP covers the rest of it, and after the
 * headers come payload, pad and the 4-byte ICRC.
 */
static bool parse(const __u8 *f, size_t len, struct pkt *p)
{
	size_t off = 12, l4, rest, ip_total;
	__u16 type;
	const __u8 *b;

	if (len < ETH_HLEN)
		return bad("%zu bytes: shorter than an Ethernet header", len);
	type = rd16(f + off);
	off += 2;
	while (type == 0x8100 || type == 0x88a8) {
		if (len < off + VLAN_HLEN)
			return bad("cut inside an 802.1Q tag");
		if (!p->nvlan)
			p->tci = rd16(f + off);
		p->nvlan++;
		type = rd16(f + off + 2);
		off += VLAN_HLEN;
	}
	p->l3 = f + off;
	rest = len - off;
	if (type == 0x0800) {
		p->family = 4;
		if (rest < IP4_HLEN || p->l3[0] >> 4 != 4)
			return bad("not an IPv4 header");
		p->ip_hlen = (p->l3[0] & 0x0f) * 4u;
		ip_total = rd16(p->l3 + 2);
		if (p->ip_hlen < IP4_HLEN || rest < p->ip_hlen)
			return bad("IPv4 header length %zu", p->ip_hlen);
		if (!ip4_csum_ok(p->l3, p->ip_hlen))
			return bad("IPv4 header checksum is wrong");
		if (p->l3[9] != IPPROTO_UDP)
			return bad("IPv4 protocol %u, not UDP", p->l3[9]);
		if (rd16(p->l3 + 6) & 0x3fff)
			return bad("an IPv4 fragment (flags/offset 0x%04x)", rd16(p->l3 + 6));
		p->df = rd16(p->l3 + 6) & 0x4000;
		p->tos = p->l3[1];
		p->ttl = p->l3[8];
		memcpy(p->src, p->l3 + 12, 4);
		memcpy(p->dst, p->l3 + 16, 4);
	} else if (type == 0x86dd) {
		p->family = 6;
		p->ip_hlen = IP6_HLEN;
		if (rest < IP6_HLEN || p->l3[0] >> 4 != 6)
			return bad("not an IPv6 header");
		ip_total = IP6_HLEN + rd16(p->l3 + 4);
		if (p->l3[6] != IPPROTO_UDP)
			return bad("IPv6 next header %u, not UDP", p->l3[6]);
		p->tos = (__u8)(rd32(p->l3) >> 20);
		p->flow_label = rd32(p->l3) & 0xfffff;
		p->ttl = p->l3[7];
		memcpy(p->src, p->l3 + 8, 16);
		memcpy(p->dst, p->l3 + 24, 16);
	} else {
		return bad("EtherType 0x%04x", type);
	}
	if (ip_total != rest)
		return bad("IP length %zu, but %zu bytes follow the link header", ip_total, rest);
	p->l3_len = ip_total;
	l4 = p->ip_hlen;
	if (ip_total < l4 + UDP_HLEN + XP_BTH_LEN + XP_ICRC_LEN)
		return bad("%zu bytes of IP: too short for UDP, BTH and ICRC", ip_total);
	b = p->l3 + l4;
	p->sport = rd16(b);
	p->dport = rd16(b + 2);
	p->ulen = rd16(b + 4);
	p->ucsum = rd16(b + 6);
	if (p->dport != ROCE_PORT)
		return bad("UDP destination port %u", p->dport);
	if (p->ulen != ip_total - l4)
		return bad("UDP length %u, but the IP packet leaves %zu", p->ulen, ip_total - l4);

	b += UDP_HLEN;
	memcpy(&p->bth, b, XP_BTH_LEN);
	p->op = p->bth.opcode;
	p->se = p->bth.flags & 0x80;
	p->mig = p->bth.flags & 0x40;
	p->pad = (p->bth.flags >> 4) & 3;
	p->qpn = ntohl(p->bth.qpn) & XP_BTH_QPN_MASK;
	p->psn = ntohl(p->bth.apsn) & XP_BTH_PSN_MASK;
	p->ackreq = ntohl(p->bth.apsn) & 0x80000000u;
	p->info = op_info(p->op);
	if (!p->info)
		return bad("opcode 0x%02x is not a %s opcode", p->op, transport_name(p->op));
	rest = p->ulen - UDP_HLEN - XP_BTH_LEN - XP_ICRC_LEN;
	if (rest < hdrs_len(p->info->hdrs))
		return bad("%zu bytes after the BTH, %s needs %zu of headers", rest, p->info->name,
			   hdrs_len(p->info->hdrs));
	b += XP_BTH_LEN;
#define TAKE(flag, field, n)                     \
	do {                                     \
		if (p->info->hdrs & (flag)) {    \
			memcpy(&p->field, b, n); \
			b += (n);                \
			rest -= (n);             \
		}                                \
	} while (0)
	TAKE(H_DETH, deth, XP_DETH_LEN);
	TAKE(H_RETH, reth, XP_RETH_LEN);
	TAKE(H_ATMETH, atmeth, XP_ATMETH_LEN);
	TAKE(H_AETH, aeth, XP_AETH_LEN);
	TAKE(H_ATMACK, atmack, XP_ATMACK_LEN);
	TAKE(H_IMM, imm, XP_IMMDT_LEN);
	TAKE(H_IETH, ieth, XP_IETH_LEN);
#undef TAKE
	/* rest = payload + pad */
	if (rest % 4)
		return bad("payload and pad come to %zu bytes, not a multiple of 4", rest);
	if (rest < p->pad)
		return bad("pad count %u, but only %zu bytes of payload and pad", p->pad, rest);
	if (!p->info->payload && rest)
		return bad("%s carries %zu bytes of payload", p->info->name, rest);
	p->payload_len = rest - p->pad;
	return true;
}

/* Bits a router may change: the ICRC counts them as ones (IBTA A17.8.5). */
static __u8 variant_bits(const struct pkt *p, size_t i)
{
	size_t udp = p->ip_hlen, bth = p->ip_hlen + UDP_HLEN;

	if (p->family == 4 && (i == 1 || i == 8 || i == 10 || i == 11))
		return 0xff; /* TOS, TTL, header checksum */
	if (p->family == 6 && i == 0)
		return 0x0f; /* traffic class, high half */
	if (p->family == 6 && (i == 1 || i == 2 || i == 3 || i == 7))
		return 0xff; /* traffic class, flow label, hop limit */
	if (i == udp + 6 || i == udp + 7)
		return 0xff; /* UDP checksum */
	if (i == bth + 4)
		return 0xff; /* FECN, BECN, reserved */
	return 0;
}

/* Does flipping each byte's invariant bits break the ICRC, and flipping its
 * variant bits keep it? Returns the first offset that disagrees, or -1. */
static long icrc_coverage(const struct pkt *p)
{
	static __u8 copy[XP_PCAP_MAX_CAPLEN];
	__u8 v, inv;
	size_t i;

	memcpy(copy, p->l3, p->l3_len);
	for (i = 0; i < p->l3_len; i++) {
		v = variant_bits(p, i);
		inv = v ^ 0xff;
		if (v) {
			copy[i] ^= v;
			if (xp_icrc_check(copy, p->l3_len))
				return (long)i;
			copy[i] ^= v;
		}
		if (inv) {
			copy[i] ^= inv;
			if (!xp_icrc_check(copy, p->l3_len))
				return (long)i;
			copy[i] ^= inv;
		}
	}
	return -1;
}

struct flow {
	int family;
	__u8 src[16], dst[16];
	__u32 qpn;
	__u16 sport;
	bool connected; /* RC or UC */
	bool have_msn;
	__u32 msn;
	bool sport_changes;
	/* an open multi-packet message toward this QP */
	bool open;
	enum kind kind;
	__u32 next_psn;
	__u64 got, want;
	bool want_known;
};

struct read_req {
	int family;
	__u8 src[16], dst[16];
	__u32 psn, len;
};

struct spec {
	const char *file;
	int family;
	int vlan; /* VLAN id every frame carries, 0: untagged */
	bool padded; /* some message size is not a multiple of 4 */
	__u8 ops[16]; /* must all appear, and nothing else */
	size_t n_ops;
};

/* What tests/vm/guest/rxe_capture.sh ran for each file. */
#define OPS(...) { __VA_ARGS__ }, sizeof((__u8[]){ __VA_ARGS__ })
static const struct spec specs[] = {
	{ "rc_send.pcap", 4, 0, true, OPS(0x00, 0x01, 0x02, 0x04, 0x11) },
	{ "uc_send.pcap", 4, 0, true, OPS(0x20, 0x21, 0x22) },
	{ "write.pcap", 4, 0, false, OPS(0x06, 0x07, 0x08, 0x0a, 0x11) },
	{ "read.pcap", 4, 0, false, OPS(0x0c, 0x0d, 0x0e, 0x0f, 0x10) },
	{ "atomic.pcap", 4, 0, false, OPS(0x12, 0x13, 0x14) },
	{ "ud.pcap", 4, 0, true, OPS(0x64) },
	{ "ipv6.pcap", 6, 0, true, OPS(0x00, 0x01, 0x02, 0x0c, 0x10, 0x11, 0x64) },
	{ "imm.pcap", 4, 0, true,
	  OPS(0x00, 0x01, 0x03, 0x05, 0x06, 0x07, 0x09, 0x0b, 0x11, 0x16, 0x17, 0x65) },
	{ "vlan.pcap", 4, 100, true, OPS(0x00, 0x01, 0x02, 0x11) },
};

/* The immediate data tests/vm/tools/rxe_imm.c sends with each opcode. */
static const struct {
	__u8 op;
	__u32 imm;
} imm_sent[] = {
	{ XP_OP_RC | XP_OP_SEND_ONLY_IMM, 0x11223344 },
	{ XP_OP_RC | XP_OP_SEND_LAST_IMM, 0x55667788 },
	{ XP_OP_RC | XP_OP_WRITE_ONLY_IMM, 0x99aabbcc },
	{ XP_OP_RC | XP_OP_WRITE_LAST_IMM, 0xddeeff00 },
	{ XP_OP_UD | XP_OP_SEND_ONLY_IMM, 0x0badcafe },
};

/* Per file: how many frames broke each rule, and the first one that did. */
enum rule {
	R_PARSE,
	R_ICRC,
	R_ICRC_LE,
	R_COVER,
	R_FAMILY,
	R_VLAN,
	R_IP,
	R_UDP_CSUM,
	R_SPORT_RANGE,
	R_SPORT_FIXED,
	R_SPORT_FORMULA,
	R_BTH,
	R_ACKREQ,
	R_SEGMENT,
	R_MESSAGE,
	R_AETH,
	R_ATOMIC,
	R_DETH,
	R_IMM,
	R_PAD,
	R_LIB,
	R_NR
};

static const char *const rule_text[R_NR] = {
	[R_PARSE] = "parses (Ethernet/802.1Q/IP/UDP/BTH/extended headers), lengths add up exactly",
	[R_ICRC] = "ICRC matches (xp_icrc_check)",
	[R_ICRC_LE] = "ICRC is stored least significant byte first, not big-endian",
	[R_COVER] = "ICRC breaks when any invariant bit flips, holds when a variant one does",
	[R_FAMILY] = "IP version as captured for",
	[R_VLAN] = "802.1Q tag as captured for (VLAN id, priority 0)",
	[R_IP] = "IPv4: DF set, IHL 5, TOS 0; IPv6: flow label 0, traffic class 0",
	[R_UDP_CSUM] = "UDP checksum 0",
	[R_SPORT_RANGE] = "UDP source port in 0xc000..0xffff",
	[R_SPORT_FIXED] = "UDP source port fixed per QP (source, destination, QPN)",
	[R_SPORT_FORMULA] =
		"UDP source port: UD 0xc000|hash_32(src QPN, 14); RC/UC from the QPN product",
	[R_BTH] = "BTH: TVer 0, P_Key 0xffff, FECN/BECN/reserved 0, M 0",
	[R_ACKREQ] = "AckReq on RC request LAST/ONLY, never on responses, UC or UD",
	[R_SEGMENT] =
		"FIRST/MIDDLE carry exactly the path MTU (1024) and no pad; LAST/ONLY at most that",
	[R_MESSAGE] =
		"segments in PSN order; WRITE/READ RESPONSE sizes add up to the RETH DMA length",
	[R_AETH] = "AETH: syndrome 0x1f (ACK, credit field 'invalid'), MSN never goes back",
	[R_ATOMIC] = "AtomicETH: 8-byte aligned VA, 8-byte DMA; each request gets its ATOMIC ACK",
	[R_DETH] = "DETH: Q_Key 0x11111111, reserved byte 0",
	[R_IMM] = "ImmDt: the value sent, in network byte order; IETH: a key, one per message",
	[R_PAD] = "pad count: 5- and 2501-byte messages end with pad 3, other sizes with none",
	[R_LIB] = "xp_roce_parse() accepts it and decodes the same fields as this test",
};

struct file_state {
	const struct spec *s;
	unsigned int frames;
	unsigned int bad[R_NR];
	unsigned int first_bad[R_NR];
	char first_why[R_NR][200];
	unsigned int op_count[MAX_OPS];
	struct flow flows[MAX_FLOWS];
	unsigned int n_flows;
	struct read_req reads[MAX_FRAMES];
	unsigned int n_reads;
	unsigned int atomics, atomic_acks, messages;
	unsigned int le_match, be_match, padded;
	unsigned int syndromes[256];
	__u8 ttl_min, ttl_max;
	__u32 ieth_keys[MAX_FRAMES];
	unsigned int n_ieth;
	unsigned int n_pkts; /* decoded */
};

static __attribute__((format(printf, 4, 5))) void broke(struct file_state *st, enum rule r,
							const struct pkt *p, const char *fmt, ...)
{
	va_list ap;

	if (!st->bad[r]++) {
		int n;

		st->first_bad[r] = p ? p->nr : 0;
		n = 0;
		if (p && p->nr)
			n = snprintf(st->first_why[r], sizeof(st->first_why[r]),
				     "frame %u: ", p->nr);
		va_start(ap, fmt);
		vsnprintf(st->first_why[r] + n, sizeof(st->first_why[r]) - n, fmt, ap);
		va_end(ap);
	}
}

static size_t addr_len(int family)
{
	return family == 4 ? 4 : 16;
}

static struct flow *flow_of(struct file_state *st, int family, const __u8 *src, const __u8 *dst,
			    __u32 qpn)
{
	size_t n = addr_len(family);
	unsigned int i;
	struct flow *f;

	for (i = 0; i < st->n_flows; i++) {
		f = &st->flows[i];
		if (f->family == family && f->qpn == qpn && !memcmp(f->src, src, n) &&
		    !memcmp(f->dst, dst, n))
			return f;
	}
	if (st->n_flows == MAX_FLOWS)
		return NULL;
	f = &st->flows[st->n_flows++];
	memset(f, 0, sizeof(*f));
	f->family = family;
	memcpy(f->src, src, n);
	memcpy(f->dst, dst, n);
	f->qpn = qpn;
	return f;
}

static bool is_request(const struct pkt *p)
{
	switch (p->info->kind) {
	case K_SEND:
	case K_WRITE:
	case K_READ_REQ:
	case K_ATOMIC:
		return true;
	default:
		return false;
	}
}

/* Segments of one message: PSNs in order, sizes adding up. */
static void track_message(struct file_state *st, const struct pkt *p, struct flow *f)
{
	enum seg seg = p->info->seg;
	unsigned int i;

	if (p->info->kind == K_READ_REQ) {
		struct read_req *r;

		if (st->n_reads == MAX_FRAMES)
			return;
		r = &st->reads[st->n_reads++];
		r->family = p->family;
		memcpy(r->src, p->src, 16);
		memcpy(r->dst, p->dst, 16);
		r->psn = p->psn;
		r->len = ntohl(p->reth.dma_len);
		return;
	}
	if (seg == S_FIRST || seg == S_ONLY) {
		if (f->open)
			broke(st, R_MESSAGE, p, "%s while a message to QP %u is open",
			      p->info->name, f->qpn);
		f->open = true;
		f->kind = p->info->kind;
		f->got = 0;
		f->want_known = false;
		if (p->info->hdrs & H_RETH) {
			f->want = ntohl(p->reth.dma_len);
			f->want_known = true;
		} else if (p->info->kind == K_READ_RESP) {
			/* answers the READ REQUEST that went the other way with this PSN */
			for (i = 0; i < st->n_reads; i++) {
				struct read_req *r = &st->reads[i];

				if (r->family == p->family && r->psn == p->psn &&
				    !memcmp(r->src, p->dst, 16) && !memcmp(r->dst, p->src, 16)) {
					f->want = r->len;
					f->want_known = true;
				}
			}
			if (!f->want_known)
				broke(st, R_MESSAGE, p, "%s PSN %u answers no READ REQUEST",
				      p->info->name, p->psn);
		}
	} else {
		if (!f->open || f->kind != p->info->kind)
			broke(st, R_MESSAGE, p, "%s without a FIRST", p->info->name);
		else if (p->psn != f->next_psn)
			broke(st, R_MESSAGE, p, "%s PSN %u, expected %u", p->info->name, p->psn,
			      f->next_psn);
	}
	f->next_psn = (p->psn + 1) & XP_BTH_PSN_MASK;
	f->got += p->payload_len;
	if (seg == S_LAST || seg == S_ONLY) {
		if (f->open && f->want_known && f->got != f->want)
			broke(st, R_MESSAGE, p, "message of %llu bytes, the RETH said %llu",
			      (unsigned long long)f->got, (unsigned long long)f->want);
		if (f->open)
			st->messages++;
		f->open = false;
	}
}

/* The library's parser against this file's own decoder: NULL when they agree. */
static const char *lib_disagrees(const struct pkt *p, const __u8 *data, size_t len)
{
	static char msg[160];
	struct xp_roce_pkt lp;
	const struct xp_roce_hdrs *h = &lp.h;
	size_t an = addr_len(p->family), ao = p->family == 4 ? 12 : 0;

	if (xp_roce_parse(data, len, 0, &lp)) {
		snprintf(msg, sizeof(msg), "refused: %s", xp_pkt_err_str(lp.err));
		return msg;
	}
	if (lp.len != len)
		return "frame length";
	if (lp.frame + lp.l3_off != p->l3)
		return "L3 offset";
	if (lp.family != p->family || lp.vlan != (p->nvlan > 0) ||
	    (p->nvlan && lp.vlan_tci != p->tci))
		return "family or VLAN";
	if (memcmp(lp.sgid + ao, p->src, an) || memcmp(lp.dgid + ao, p->dst, an))
		return "addresses";
	if (memcmp(lp.dmac, data, 6) || memcmp(lp.smac, data + 6, 6))
		return "MACs";
	if (lp.ttl != p->ttl || lp.tclass != p->tos || lp.flow_label != p->flow_label ||
	    lp.df != p->df)
		return "TTL, class, flow label or DF";
	if (lp.sport != p->sport || lp.dport != p->dport || lp.udp_csum != p->ucsum)
		return "UDP";
	if (h->opcode != p->op || h->se != p->se || h->mig != p->mig || h->pad != p->pad ||
	    h->pkey != ntohs(p->bth.pkey) || h->dest_qpn != p->qpn || h->psn != p->psn ||
	    h->ack_req != p->ackreq)
		return "BTH";
	if (lp.info->hdrs != p->info->hdrs)
		return "extended header set";
	if (h->reth.va != be64toh(p->reth.va) || h->reth.rkey != ntohl(p->reth.rkey) ||
	    h->reth.len != ntohl(p->reth.dma_len))
		return "RETH";
	if (((__u32)h->aeth.syndrome << 24 | h->aeth.msn) != ntohl(p->aeth.smsn))
		return "AETH";
	if (h->atmeth.va != be64toh(p->atmeth.va) || h->atmeth.rkey != ntohl(p->atmeth.rkey) ||
	    h->atmeth.swap_add != be64toh(p->atmeth.swap_add) ||
	    h->atmeth.compare != be64toh(p->atmeth.compare))
		return "AtomicETH";
	if (h->atmack_orig != be64toh(p->atmack.orig))
		return "AtomicAckETH";
	if (h->imm != ntohl(p->imm.imm) || h->ieth_rkey != ntohl(p->ieth.rkey))
		return "ImmDt or IETH";
	if (h->deth.qkey != ntohl(p->deth.qkey) ||
	    h->deth.src_qpn != (ntohl(p->deth.sqp) & XP_BTH_QPN_MASK))
		return "DETH";
	if (lp.payload_len != p->payload_len ||
	    lp.payload + lp.payload_len + lp.h.pad + XP_ICRC_LEN != data + len)
		return "payload";
	return NULL;
}

static void check_frame(struct file_state *st, const __u8 *data, size_t len, unsigned int nr)
{
	const struct spec *s = st->s;
	struct pkt pkt = { .nr = nr }, *p = &pkt;
	struct flow *f;
	__u32 icrc, le, be;
	bool rc_req, end, msn_seen = false;
	const char *diff;
	const __u8 *t;
	long at;

	if (!parse(data, len, p)) {
		broke(st, R_PARSE, p, "%s", why);
		return;
	}
	st->n_pkts++;
	st->op_count[p->op]++;
	diff = lib_disagrees(p, data, len);
	if (diff)
		broke(st, R_LIB, p, "%s %s: %s", transport_name(p->op), p->info->name, diff);
	if (st->n_pkts == 1 || p->ttl < st->ttl_min)
		st->ttl_min = p->ttl;
	if (p->ttl > st->ttl_max)
		st->ttl_max = p->ttl;

	/* ICRC, and which byte order the trailer has */
	if (xp_icrc_check(p->l3, p->l3_len))
		broke(st, R_ICRC, p, "ICRC mismatch (%s)", p->info->name);
	icrc = xp_icrc_compute(p->l3, p->l3_len);
	t = p->l3 + p->l3_len - XP_ICRC_LEN;
	le = t[0] | t[1] << 8 | t[2] << 16 | (__u32)t[3] << 24;
	be = rd32(t);
	st->le_match += icrc == le;
	st->be_match += icrc == be;
	if (icrc != le || (icrc == be && le != be))
		broke(st, R_ICRC_LE, p, "computed 0x%08x, trailer %02x %02x %02x %02x", icrc, t[0],
		      t[1], t[2], t[3]);
	at = icrc_coverage(p);
	if (at >= 0)
		broke(st, R_COVER, p, "byte %ld of the IP packet (%s)", at,
		      variant_bits(p, (size_t)at) ? "variant bits broke the ICRC" :
						    "an invariant change kept the ICRC");

	if (p->family != s->family)
		broke(st, R_FAMILY, p, "IPv%d", p->family);
	if (s->vlan ? p->nvlan != 1 || (p->tci & 0xfff) != s->vlan || p->tci >> 13 : p->nvlan)
		broke(st, R_VLAN, p, "%d tag(s), TCI 0x%04x", p->nvlan, p->tci);
	if (p->family == 4 && (!p->df || p->ip_hlen != IP4_HLEN || p->tos))
		broke(st, R_IP, p, "DF %d, IHL %zu, TOS 0x%02x", p->df, p->ip_hlen / 4, p->tos);
	if (p->family == 6 && (p->flow_label || p->tos))
		broke(st, R_IP, p, "flow label 0x%05x, traffic class 0x%02x", p->flow_label,
		      p->tos);
	if (p->ucsum)
		broke(st, R_UDP_CSUM, p, "UDP checksum 0x%04x", p->ucsum);
	if (p->sport < 0xc000)
		broke(st, R_SPORT_RANGE, p, "UDP source port %u", p->sport);

	f = flow_of(st, p->family, p->src, p->dst, p->qpn);
	if (!f) {
		broke(st, R_PARSE, p, "more than %d flows", MAX_FLOWS);
		return;
	}
	if (!f->sport) {
		f->sport = p->sport;
		f->connected = (p->op & XP_OP_TRANSPORT_MASK) != XP_OP_UD;
	} else if (f->sport != p->sport && !f->sport_changes) {
		f->sport_changes = true;
		broke(st, R_SPORT_FIXED, p, "QP %u: source port %u after %u", p->qpn, p->sport,
		      f->sport);
	}
	if (p->info->hdrs & H_DETH) {
		__u32 sqp = ntohl(p->deth.sqp);

		if (ntohl(p->deth.qkey) != UD_QKEY || sqp >> 24)
			broke(st, R_DETH, p, "Q_Key 0x%08x, source QP word 0x%08x",
			      ntohl(p->deth.qkey), sqp);
		if (p->sport != xp_roce_sport_ud(sqp & XP_BTH_QPN_MASK))
			broke(st, R_SPORT_FORMULA, p, "UD from QP %u: port 0x%04x, expected 0x%04x",
			      sqp & XP_BTH_QPN_MASK, p->sport,
			      xp_roce_sport_ud(sqp & XP_BTH_QPN_MASK));
	}

	if ((p->bth.flags & XP_BTH_TVER_MASK) || ntohs(p->bth.pkey) != 0xffff ||
	    ntohl(p->bth.qpn) >> 24 || (ntohl(p->bth.apsn) >> 24) & 0x7f || p->mig)
		broke(st, R_BTH, p, "BTH %02x %02x %04x %08x %08x", p->bth.opcode, p->bth.flags,
		      ntohs(p->bth.pkey), ntohl(p->bth.qpn), ntohl(p->bth.apsn));
	/* rxe may also ask for an ACK in the middle of a long RC request */
	rc_req = (p->op & XP_OP_TRANSPORT_MASK) == XP_OP_RC && is_request(p);
	end = p->info->seg == S_LAST || p->info->seg == S_ONLY;
	if (rc_req ? end && !p->ackreq : p->ackreq)
		broke(st, R_ACKREQ, p, "%s %s AckReq %d", transport_name(p->op), p->info->name,
		      p->ackreq);

	if (p->info->payload) {
		bool full = p->info->seg == S_FIRST || p->info->seg == S_MIDDLE;

		if (full ? p->payload_len != PMTU || p->pad : p->payload_len > PMTU)
			broke(st, R_SEGMENT, p, "%s with %zu bytes of payload, pad %u",
			      p->info->name, p->payload_len, p->pad);
	}
	if (p->info->hdrs & H_AETH) {
		__u32 smsn = ntohl(p->aeth.smsn);

		st->syndromes[smsn >> XP_AETH_SYN_SHIFT]++;
		if (smsn >> XP_AETH_SYN_SHIFT != (XP_AETH_ACK | RXE_ACK_CREDITS))
			broke(st, R_AETH, p, "AETH syndrome 0x%02x, MSN %u",
			      smsn >> XP_AETH_SYN_SHIFT, smsn & XP_AETH_MSN_MASK);
		msn_seen = true;
	}
	if (msn_seen) {
		__u32 msn = ntohl(p->aeth.smsn) & XP_AETH_MSN_MASK;

		if (f->have_msn && ((msn - f->msn) & XP_AETH_MSN_MASK) > XP_AETH_MSN_MASK / 2)
			broke(st, R_AETH, p, "MSN %u after %u", msn, f->msn);
		f->msn = msn;
		f->have_msn = true;
	}
	if (p->info->kind == K_ATOMIC) {
		st->atomics++;
		if (be64toh(p->atmeth.va) & 7)
			broke(st, R_ATOMIC, p, "VA 0x%016llx not 8-byte aligned",
			      (unsigned long long)be64toh(p->atmeth.va));
	}
	if (p->info->kind == K_ATOMIC_ACK)
		st->atomic_acks++;
	if (p->info->hdrs & H_IMM) {
		bool known = false;
		size_t k;

		for (k = 0; k < sizeof(imm_sent) / sizeof(imm_sent[0]); k++)
			known |= imm_sent[k].op == p->op && imm_sent[k].imm == ntohl(p->imm.imm);
		if (!known)
			broke(st, R_IMM, p, "%s %s with immediate 0x%08x", transport_name(p->op),
			      p->info->name, ntohl(p->imm.imm));
	}
	if (p->info->hdrs & H_IETH) {
		__u32 key = ntohl(p->ieth.rkey);
		unsigned int k;

		for (k = 0; k < st->n_ieth; k++)
			if (st->ieth_keys[k] == key)
				broke(st, R_IMM, p, "rkey 0x%08x invalidated twice", key);
		if (!key)
			broke(st, R_IMM, p, "IETH rkey 0");
		if (st->n_ieth < MAX_FRAMES)
			st->ieth_keys[st->n_ieth++] = key;
	}
	/* message sizes here: 5, 64, 1021, 2501, 4096; atomics and ACKs have none */
	if (p->pad)
		st->padded++;
	if (p->info->payload && p->info->seg != S_FIRST && p->info->seg != S_MIDDLE &&
	    p->pad != (4 - p->payload_len % 4) % 4)
		broke(st, R_PAD, p, "%s: %zu bytes of payload with pad %u", p->info->name,
		      p->payload_len, p->pad);
	if (p->info->kind != K_ACK && p->info->kind != K_ATOMIC && p->info->kind != K_ATOMIC_ACK)
		track_message(st, p, f);
}

/* RC/UC ports: the product of the sender's QPN and the destination QPN. The
 * sender's QPN is the destination QPN of some flow going the other way. */
static void check_connected_ports(struct file_state *st)
{
	unsigned int i, j;

	for (i = 0; i < st->n_flows; i++) {
		struct flow *f = &st->flows[i];
		size_t n = addr_len(f->family);
		bool found = false;

		if (!f->connected)
			continue;
		for (j = 0; j < st->n_flows && !found; j++) {
			struct flow *r = &st->flows[j];

			found = r->connected && r->family == f->family &&
				!memcmp(r->src, f->dst, n) && !memcmp(r->dst, f->src, n) &&
				xp_roce_sport_rc(r->qpn, f->qpn) == f->sport &&
				r->sport == f->sport;
		}
		if (!found) {
			struct pkt p = { .nr = 0 };

			broke(st, R_SPORT_FORMULA, &p,
			      "QP %u: port 0x%04x fits no QP that sends the other way", f->qpn,
			      f->sport);
		}
	}
}

static bool check_file(const char *dir, const struct spec *s)
{
	static struct file_state st;
	char path[4096], line[1024];
	struct xp_pcap_rec rec;
	struct xp_pcap pc;
	unsigned int r, i;
	size_t n;
	bool ok = true;
	int err;

	memset(&st, 0, sizeof(st));
	st.s = s;
	snprintf(path, sizeof(path), "%s/%s", dir, s->file);
	err = xp_pcap_open(&pc, path, XP_PCAP_ETHERNET);
	if (err) {
		xt_fail("%s: %s", s->file, pc.err);
		return false;
	}
	while ((err = xp_pcap_next(&pc, &rec)) > 0) {
		st.frames++;
		if (rec.caplen != rec.len) {
			struct pkt p = { .nr = st.frames };

			broke(&st, R_PARSE, &p, "snapped: %u of %u bytes", rec.caplen, rec.len);
			continue;
		}
		check_frame(&st, rec.data, rec.caplen, st.frames);
	}
	if (!xt_check(!err, "%s: read to the end (%u frames)", s->file, st.frames))
		xt_note("%s", pc.err);
	xp_pcap_close(&pc);
	check_connected_ports(&st);

	/* opcodes seen, and the ones that must be there */
	n = (size_t)snprintf(line, sizeof(line), "%s: %u frames:", s->file, st.frames);
	for (i = 0; i < MAX_OPS; i++) {
		if (st.op_count[i] && n < sizeof(line))
			n += (size_t)snprintf(line + n, sizeof(line) - n, " %s %s x%u (0x%02x)",
					      transport_name((__u8)i), op_info((__u8)i)->name,
					      st.op_count[i], i);
	}
	printf("%s\n", line);
	for (i = 0; i < s->n_ops; i++)
		ok &= xt_check(st.op_count[s->ops[i]] > 0, "%s: has %s %s (0x%02x)", s->file,
			       transport_name(s->ops[i]), op_info(s->ops[i])->name, s->ops[i]);
	for (i = 0; i < MAX_OPS; i++) {
		bool expected = false;
		size_t k;

		for (k = 0; k < s->n_ops; k++)
			expected |= s->ops[k] == i;
		if (st.op_count[i] && !expected) {
			ok &= xt_check(false, "%s: nothing but the expected opcodes (0x%02x seen)",
				       s->file, i);
		}
	}
	ok &= xt_check(st.frames > 0 && st.frames == st.n_pkts,
		       "%s: every frame decoded (%u of %u)", s->file, st.n_pkts, st.frames);
	printf("%s: ICRC trailer read little-endian matches in %u frames, big-endian in %u; %u messages, %u atomics, %u atomic ACKs, %u flows; TTL/hop limit %u..%u\n",
	       s->file, st.le_match, st.be_match, st.messages, st.atomics, st.atomic_acks,
	       st.n_flows, st.ttl_min, st.ttl_max);
	for (i = 0; i < 256; i++)
		if (st.syndromes[i])
			printf("%s: AETH syndrome 0x%02x in %u frames\n", s->file, i,
			       st.syndromes[i]);
	if (s->padded != (st.padded > 0)) {
		struct pkt p = { .nr = 0 };

		broke(&st, R_PAD, &p, "%u frames with a pad, expected %s", st.padded,
		      s->padded ? "some" : "none");
	}
	if (st.atomics != st.atomic_acks) {
		struct pkt p = { .nr = 0 };

		broke(&st, R_ATOMIC, &p, "%u atomic requests, %u ATOMIC ACKs", st.atomics,
		      st.atomic_acks);
	}
	for (r = 0; r < R_NR; r++) {
		if (!xt_check(!st.bad[r], "%s: %s%s", s->file, rule_text[r],
			      r == R_FAMILY ? (s->family == 4 ? " (4)" : " (6)") : "")) {
			xt_note("%u time(s); first: %s", st.bad[r], st.first_why[r]);
			ok = false;
		}
	}
	return ok;
}

int main(int argc, char **argv)
{
	const char *dir = argc > 1 ? argv[1] : getenv("XP_RXE_DATA");
	size_t i;

	if (!dir)
		dir = "tests/data/rxe";
	if (access(dir, R_OK | X_OK)) {
		xt_fail("%s: %s; run from the repository root or name the directory", dir,
			strerror(errno));
		return xt_summary();
	}
	printf("frames from %s\n", dir);
	for (i = 0; i < sizeof(specs) / sizeof(specs[0]); i++)
		check_file(dir, &specs[i]);
	return xt_summary();
}
