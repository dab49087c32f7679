// SPDX-License-Identifier: GPL-2.0
/*
 * The RoCEv2 packet layer (core/roce/roce_pkt.c):
 *  - every frame kernel rxe sent (the pcap files in tests/data/rxe) parses, and the
 *    builder given the parsed fields writes the same frame byte for byte,
 *    ICRC included; cut short at any length, each is refused (run under
 *    ASan: the copies are exactly as long as the cut, so a read past the
 *    end is caught);
 *  - a table of damaged frames, one per drop reason;
 *  - the builder's argument checks, the opcode table, the UDP source
 *    port formulas.
 *
 * usage: test_roce_pkt [DIR]   (default $XP_RXE_DATA, else tests/data/rxe)
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "xp_icrc.h"
#include "xp_log.h"
#include "xp_pcap.h"
#include "xp_roce_pkt.h"
#include "xp_test.h"

#define ETH_HLEN 14
#define FRAME_MAX 9216

static const char *const files[] = {
	"rc_send.pcap", "uc_send.pcap", "write.pcap", "read.pcap", "atomic.pcap",
	"ud.pcap",	"ipv6.pcap",	"imm.pcap",   "vlan.pcap",
};

static void put16(__u8 *p, __u16 v)
{
	p[0] = v >> 8;
	p[1] = (__u8)v;
}

static __u16 get16(const __u8 *p)
{
	return (__u16)(p[0] << 8 | p[1]);
}

/* The address vector that reproduces a parsed frame's L2-L4 headers. */
static void av_of(const struct xp_roce_pkt *p, struct xp_roce_av *av)
{
	memset(av, 0, sizeof(*av));
	memcpy(av->dmac, p->dmac, 6);
	memcpy(av->smac, p->smac, 6);
	memcpy(av->sgid, p->sgid, 16);
	memcpy(av->dgid, p->dgid, 16);
	av->vlan = p->vlan;
	av->vlan_tci = p->vlan_tci;
	av->sport = p->sport;
	av->ttl = p->ttl;
	av->tclass = p->tclass;
	av->flow_label = p->flow_label;
	av->ip_id = p->ip_id;
	av->pmtu = 1024; /* rxe's path MTU on the capture's 1500-byte link */
}

static long first_diff(const __u8 *a, const __u8 *b, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (a[i] != b[i])
			return (long)i;
	return -1;
}

struct file_result {
	unsigned int frames, parsed, same, sealed, cut_refused, cuts;
	char first_bad[200];
};

static __attribute__((format(printf, 3, 4))) void note_bad(struct file_result *r, unsigned int nr,
							   const char *fmt, ...)
{
	va_list ap;
	int n;

	if (r->first_bad[0])
		return;
	n = snprintf(r->first_bad, sizeof(r->first_bad), "frame %u: ", nr);
	va_start(ap, fmt);
	vsnprintf(r->first_bad + n, sizeof(r->first_bad) - n, fmt, ap);
	va_end(ap);
}

static void one_frame(struct file_result *r, const __u8 *data, size_t len)
{
	static __u8 out[FRAME_MAX], out2[FRAME_MAX];
	struct xp_roce_pkt p, q;
	struct xp_roce_av av;
	__u8 *at = NULL;
	size_t n;
	long d;
	int ret;

	if (xp_roce_parse(data, len, 0, &p)) {
		note_bad(r, r->frames, "parse refused it: %s", xp_pkt_err_str(p.err));
		return;
	}
	r->parsed++;

	av_of(&p, &av);
	ret = xp_roce_build(out, sizeof(out), &av, &p.h, p.payload, p.payload_len, NULL);
	if (ret < 0 || (size_t)ret != len) {
		note_bad(r, r->frames, "build returned %d for %zu bytes", ret, len);
	} else if ((d = first_diff(out, data, len)) >= 0) {
		note_bad(r, r->frames, "built frame differs at byte %ld", d);
	} else {
		r->same++;
	}

	/* Reserve the payload, fill it in, seal: the same frame again. */
	memset(out2, 0xa5, sizeof(out2));
	ret = xp_roce_build(out2, sizeof(out2), &av, &p.h, NULL, p.payload_len, &at);
	if (ret == (int)len && at == out2 + p.payload_off) {
		memcpy(at, p.payload, p.payload_len);
		if ((!p.payload_len || !xp_roce_seal(out2, len)) && !memcmp(out2, data, len) &&
		    !xp_roce_parse(out2, len, 0, &q))
			r->sealed++;
	}

	/* Every shorter cut, in a buffer exactly that long. */
	for (n = 0; n < len; n++) {
		__u8 *cut = malloc(n ? n : 1);

		if (!cut)
			abort();
		memcpy(cut, data, n);
		r->cuts++;
		if (xp_roce_parse(cut, n, 0, &q) == -EBADMSG && q.err != XP_PKT_OK)
			r->cut_refused++;
		free(cut);
	}
}

static void check_file(const char *dir, const char *file)
{
	static struct file_result r;
	struct xp_pcap_rec rec;
	struct xp_pcap pc;
	char path[4096];
	int err;

	memset(&r, 0, sizeof(r));
	snprintf(path, sizeof(path), "%s/%s", dir, file);
	if (xp_pcap_open(&pc, path, XP_PCAP_ETHERNET)) {
		xt_fail("%s: %s", file, pc.err);
		return;
	}
	while ((err = xp_pcap_next(&pc, &rec)) > 0) {
		r.frames++;
		one_frame(&r, rec.data, rec.caplen);
	}
	xt_check(!err && r.frames > 0, "%s: read %u frames", file, r.frames);
	xp_pcap_close(&pc);
	if (!xt_check(r.parsed == r.frames, "%s: xp_roce_parse accepts all %u frames", file,
		      r.frames) ||
	    !xt_check(
		    r.same == r.frames,
		    "%s: xp_roce_build from the parsed fields gives the captured bytes (%u of %u)",
		    file, r.same, r.frames))
		xt_note("%s", r.first_bad);
	xt_check(r.sealed == r.frames,
		 "%s: reserved payload + xp_roce_seal gives the same bytes (%u of %u)", file,
		 r.sealed, r.frames);
	xt_check(r.cut_refused == r.cuts && r.cuts > 0,
		 "%s: every truncation refused (%u of %u cuts)", file, r.cut_refused, r.cuts);
}

/* A frame built by the library: the base the damage is done to. */
struct base {
	__u8 op;
	__u32 len; /* payload */
	bool v6;
};

static const __u8 mac_a[6] = { 0x52, 0x54, 0xc6, 0x12, 0x64, 0x0b };
static const __u8 mac_b[6] = { 0x52, 0x54, 0xc6, 0x12, 0x64, 0x0c };

static void av_base(struct xp_roce_av *av, bool v6)
{
	static const __u8 v4a[16] = { [10] = 0xff, [11] = 0xff, 198, 18, 100, 11 };
	static const __u8 v4b[16] = { [10] = 0xff, [11] = 0xff, 198, 18, 100, 12 };
	static const __u8 v6a[16] = { 0xfd, [15] = 0x11 };
	static const __u8 v6b[16] = { 0xfd, [15] = 0x12 };

	memset(av, 0, sizeof(*av));
	memcpy(av->dmac, mac_a, 6);
	memcpy(av->smac, mac_b, 6);
	memcpy(av->sgid, v6 ? v6b : v4b, 16);
	memcpy(av->dgid, v6 ? v6a : v4a, 16);
	av->sport = xp_roce_sport_rc(17, 19);
	av->ip_id = 0x1234;
	av->pmtu = 1024;
}

static int build_base(const struct base *b, __u8 *buf, size_t size)
{
	static __u8 data[1024];
	struct xp_roce_hdrs h = { .opcode = b->op, .pkey = 0xffff, .dest_qpn = 17, .psn = 100 };
	struct xp_roce_av av;
	size_t i;

	for (i = 0; i < sizeof(data); i++)
		data[i] = (__u8)(i * 7 + 1);
	h.aeth.syndrome = 0x1f;
	h.deth.qkey = 0x11111111;
	h.deth.src_qpn = 19;
	av_base(&av, b->v6);
	return xp_roce_build(buf, size, &av, &h, data, b->len, NULL);
}

/* Offsets in an untagged base frame. */
#define L3 ETH_HLEN
#define UDP4 (L3 + 20)
#define BTH4 (UDP4 + 8)

/* After damage: make the lengths, the IPv4 checksum and the ICRC agree again. */
enum { FIX_LEN = 1, FIX_CSUM = 2, FIX_ICRC = 4, FIX_ALL = 7 };

static void fixup(__u8 *f, size_t len, bool v6, unsigned int fix)
{
	__u8 *l3 = f + L3;
	size_t ip_hlen = v6 ? 40 : 20;
	__u32 sum = 0;
	size_t i;

	if (fix & FIX_LEN) {
		put16(l3 + (v6 ? 4 : 2), (__u16)(len - L3 - (v6 ? 40 : 0)));
		put16(l3 + ip_hlen + 4, (__u16)(len - L3 - ip_hlen));
	}
	if (!v6 && (fix & (FIX_CSUM | FIX_LEN))) {
		put16(l3 + 10, 0);
		for (i = 0; i < 20; i += 2)
			sum += get16(l3 + i);
		while (sum >> 16)
			sum = (sum & 0xffff) + (sum >> 16);
		put16(l3 + 10, (__u16)~sum);
	}
	if (fix & FIX_ICRC)
		xp_icrc_set(l3, len - L3); /* may fail on headers that no longer parse */
}

/* Insert n zero bytes at off (the frame grows). */
static void grow(__u8 *f, size_t *len, size_t off, size_t n)
{
	memmove(f + off + n, f + off, *len - off);
	memset(f + off, 0, n);
	*len += n;
}

struct bad_case {
	const char *name;
	struct base base;
	void (*damage)(__u8 *f, size_t *len);
	unsigned int fix;
	enum xp_pkt_err want;
};

#define SEND_ONLY5                                   \
	{                                            \
		XP_OP_RC | XP_OP_SEND_ONLY, 5, false \
	}
#define SEND_FIRST8                                   \
	{                                             \
		XP_OP_RC | XP_OP_SEND_FIRST, 8, false \
	}
#define ACK4                                           \
	{                                              \
		XP_OP_RC | XP_OP_ACKNOWLEDGE, 0, false \
	}
#define SEND_ONLY6                                  \
	{                                           \
		XP_OP_RC | XP_OP_SEND_ONLY, 5, true \
	}

static void d_eth_cut(__u8 *f, size_t *len)
{
	*len = 13;
}

static void d_vlan_cut(__u8 *f, size_t *len)
{
	put16(f + 12, 0x8100);
	*len = 16;
}

static void d_vlan_many(__u8 *f, size_t *len)
{
	grow(f, len, 12, 12);
	put16(f + 12, 0x88a8);
	put16(f + 16, 0x8100);
	put16(f + 20, 0x8100);
	put16(f + 24, 0x0800);
}

static void d_ethertype(__u8 *f, size_t *len)
{
	put16(f + 12, 0x0806);
}

static void d_ip_cut(__u8 *f, size_t *len)
{
	*len = L3 + 19;
}

static void d_ip6_cut(__u8 *f, size_t *len)
{
	*len = L3 + 39;
}

static void d_ip_version(__u8 *f, size_t *len)
{
	f[L3] = 0x65;
}

static void d_ip6_version(__u8 *f, size_t *len)
{
	f[L3] = 0x40 | (f[L3] & 0x0f);
}

static void d_ip_ihl(__u8 *f, size_t *len)
{
	f[L3] = 0x44;
}

static void d_ip_ihl_long(__u8 *f, size_t *len)
{
	f[L3] = 0x4f;
	*len = L3 + 40;
}

static void d_ip_csum(__u8 *f, size_t *len)
{
	f[L3 + 11] ^= 1;
}

static void d_ip_mf(__u8 *f, size_t *len)
{
	f[L3 + 6] |= 0x20;
}

static void d_ip_offset(__u8 *f, size_t *len)
{
	f[L3 + 7] = 1;
}

static void d_ip_proto(__u8 *f, size_t *len)
{
	f[L3 + 9] = 6;
}

static void d_ip6_next(__u8 *f, size_t *len)
{
	f[L3 + 6] = 0;
}

static void d_ip_long(__u8 *f, size_t *len)
{
	put16(f + L3 + 2, get16(f + L3 + 2) + 4);
}

static void d_ip_short(__u8 *f, size_t *len)
{
	put16(f + L3 + 2, get16(f + L3 + 2) - 4);
}

static void d_ip6_long(__u8 *f, size_t *len)
{
	put16(f + L3 + 4, get16(f + L3 + 4) + 1);
}

static void d_udp_tiny(__u8 *f, size_t *len)
{
	*len = UDP4 + 8 + 12 + 3;
}

static void d_udp_len(__u8 *f, size_t *len)
{
	put16(f + UDP4 + 4, get16(f + UDP4 + 4) - 4);
}

static void d_udp_port(__u8 *f, size_t *len)
{
	put16(f + UDP4 + 2, 4792);
}

static void d_tver(__u8 *f, size_t *len)
{
	f[BTH4 + 1] |= 1;
}

static void d_op_rsvd(__u8 *f, size_t *len)
{
	f[BTH4] = 0x1f;
}

static void d_op_rd(__u8 *f, size_t *len)
{
	f[BTH4] = XP_OP_RD | XP_OP_SEND_ONLY;
}

static void d_op_cnp(__u8 *f, size_t *len)
{
	f[BTH4] = 0x81;
}

static void d_op_ud_write(__u8 *f, size_t *len)
{
	f[BTH4] = XP_OP_UD | XP_OP_WRITE_ONLY;
}

static void d_op_ud_first(__u8 *f, size_t *len)
{
	f[BTH4] = XP_OP_UD | XP_OP_SEND_FIRST;
}

static void d_op_uc_read(__u8 *f, size_t *len)
{
	f[BTH4] = XP_OP_UC | XP_OP_READ_REQUEST;
}

static void d_op_uc_ack(__u8 *f, size_t *len)
{
	f[BTH4] = XP_OP_UC | XP_OP_ACKNOWLEDGE;
}

static void d_hdr_short(__u8 *f, size_t *len)
{
	f[BTH4] = XP_OP_RC | XP_OP_WRITE_ONLY_IMM;
}

static void d_atomic_short(__u8 *f, size_t *len)
{
	f[BTH4] = XP_OP_RC | XP_OP_FETCH_ADD;
}

static void d_pad_first(__u8 *f, size_t *len)
{
	f[BTH4 + 1] |= 1 << 4;
}

static void d_pad_big(__u8 *f, size_t *len)
{
	/* SEND_ONLY of 0 bytes claiming a pad of 1 */
	*len -= 8;
	memset(f + BTH4 + 12, 0, 4);
	f[BTH4 + 1] = (f[BTH4 + 1] & ~0x30) | 1 << 4;
}

static void d_pad_ack(__u8 *f, size_t *len)
{
	f[BTH4 + 1] |= 3 << 4;
}

static void d_align(__u8 *f, size_t *len)
{
	*len -= 1;
}

static void d_payload_ack(__u8 *f, size_t *len)
{
	grow(f, len, BTH4 + 12 + 4, 4);
}

static void d_icrc_payload(__u8 *f, size_t *len)
{
	f[BTH4 + 12] ^= 0x40;
}

static void d_icrc_trailer(__u8 *f, size_t *len)
{
	f[*len - 1] ^= 1;
}

static void d_icrc_qpn(__u8 *f, size_t *len)
{
	f[BTH4 + 7] ^= 1;
}

static const struct bad_case bad_cases[] = {
	{ "shorter than Ethernet", SEND_ONLY5, d_eth_cut, 0, XP_PKT_ERR_ETH_SHORT },
	{ "cut inside a VLAN tag", SEND_ONLY5, d_vlan_cut, 0, XP_PKT_ERR_ETH_SHORT },
	{ "three VLAN tags", SEND_ONLY5, d_vlan_many, 0, XP_PKT_ERR_ETHERTYPE },
	{ "ARP EtherType", SEND_ONLY5, d_ethertype, 0, XP_PKT_ERR_ETHERTYPE },
	{ "IPv4 header cut", SEND_ONLY5, d_ip_cut, 0, XP_PKT_ERR_IP_SHORT },
	{ "IPv6 header cut", SEND_ONLY6, d_ip6_cut, 0, XP_PKT_ERR_IP_SHORT },
	{ "IPv4 EtherType, version 6", SEND_ONLY5, d_ip_version, FIX_CSUM, XP_PKT_ERR_IP_VERSION },
	{ "IPv6 EtherType, version 4", SEND_ONLY6, d_ip6_version, 0, XP_PKT_ERR_IP_VERSION },
	{ "IPv4 IHL 4", SEND_ONLY5, d_ip_ihl, FIX_CSUM, XP_PKT_ERR_IP_HLEN },
	{ "IPv4 IHL past the frame", SEND_ONLY5, d_ip_ihl_long, 0, XP_PKT_ERR_IP_HLEN },
	{ "IPv4 header checksum", SEND_ONLY5, d_ip_csum, 0, XP_PKT_ERR_IP_CSUM },
	{ "IPv4 more fragments", SEND_ONLY5, d_ip_mf, FIX_CSUM, XP_PKT_ERR_IP_FRAG },
	{ "IPv4 fragment offset", SEND_ONLY5, d_ip_offset, FIX_CSUM, XP_PKT_ERR_IP_FRAG },
	{ "IPv4 protocol TCP", SEND_ONLY5, d_ip_proto, FIX_CSUM, XP_PKT_ERR_IP_PROTO },
	{ "IPv6 hop-by-hop header", SEND_ONLY6, d_ip6_next, 0, XP_PKT_ERR_IP_PROTO },
	{ "IPv4 total length past the frame", SEND_ONLY5, d_ip_long, FIX_CSUM, XP_PKT_ERR_IP_LEN },
	{ "IPv4 total length short of the frame", SEND_ONLY5, d_ip_short, FIX_CSUM,
	  XP_PKT_ERR_IP_LEN },
	{ "IPv6 payload length past the frame", SEND_ONLY6, d_ip6_long, 0, XP_PKT_ERR_IP_LEN },
	{ "no room for BTH and ICRC", SEND_ONLY5, d_udp_tiny, FIX_LEN, XP_PKT_ERR_UDP_SHORT },
	{ "UDP length short of IP", SEND_ONLY5, d_udp_len, FIX_ICRC, XP_PKT_ERR_UDP_LEN },
	{ "UDP port 4792", SEND_ONLY5, d_udp_port, FIX_ICRC, XP_PKT_ERR_UDP_PORT },
	{ "BTH TVer 1", SEND_ONLY5, d_tver, FIX_ICRC, XP_PKT_ERR_TVER },
	{ "RC opcode 0x1f", SEND_ONLY5, d_op_rsvd, FIX_ICRC, XP_PKT_ERR_OPCODE },
	{ "RD SEND_ONLY", SEND_ONLY5, d_op_rd, FIX_ICRC, XP_PKT_ERR_OPCODE },
	{ "CNP opcode 0x81", SEND_ONLY5, d_op_cnp, FIX_ICRC, XP_PKT_ERR_OPCODE },
	{ "UD WRITE_ONLY", SEND_ONLY5, d_op_ud_write, FIX_ICRC, XP_PKT_ERR_TRANSPORT },
	{ "UD SEND_FIRST", SEND_ONLY5, d_op_ud_first, FIX_ICRC, XP_PKT_ERR_TRANSPORT },
	{ "UC READ_REQUEST", SEND_ONLY5, d_op_uc_read, FIX_ICRC, XP_PKT_ERR_TRANSPORT },
	{ "UC ACKNOWLEDGE", ACK4, d_op_uc_ack, FIX_ICRC, XP_PKT_ERR_TRANSPORT },
	{ "ACK relabelled WRITE_ONLY_IMM", ACK4, d_hdr_short, FIX_ICRC, XP_PKT_ERR_HDR_SHORT },
	{ "ACK relabelled FETCH_ADD", ACK4, d_atomic_short, FIX_ICRC, XP_PKT_ERR_HDR_SHORT },
	{ "pad on SEND_FIRST", SEND_FIRST8, d_pad_first, FIX_ICRC, XP_PKT_ERR_PAD },
	{ "pad longer than the payload", SEND_ONLY5, d_pad_big, FIX_ALL, XP_PKT_ERR_PAD },
	{ "pad on ACKNOWLEDGE", ACK4, d_pad_ack, FIX_ICRC, XP_PKT_ERR_PAD },
	{ "payload + pad of 7 bytes", SEND_ONLY5, d_align, FIX_ALL, XP_PKT_ERR_ALIGN },
	{ "ACKNOWLEDGE with 4 bytes of payload", ACK4, d_payload_ack, FIX_ALL, XP_PKT_ERR_PAYLOAD },
	{ "payload bit flipped", SEND_ONLY5, d_icrc_payload, 0, XP_PKT_ERR_ICRC },
	{ "ICRC bit flipped", SEND_ONLY5, d_icrc_trailer, 0, XP_PKT_ERR_ICRC },
	{ "destination QPN bit flipped", SEND_ONLY5, d_icrc_qpn, 0, XP_PKT_ERR_ICRC },
	{ "IPv6 payload bit flipped", SEND_ONLY6, d_icrc_payload, 0, XP_PKT_ERR_ICRC },
};

static void check_bad_cases(void)
{
	static __u8 f[FRAME_MAX];
	bool seen[XP_PKT_ERR_NR] = { false };
	struct xp_roce_pkt p;
	unsigned int e, missing = 0;
	size_t i, len;
	int ret;

	for (i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		const struct bad_case *c = &bad_cases[i];
		__u8 *copy;

		ret = build_base(&c->base, f, sizeof(f));
		if (!xt_check(ret > 0 && !xp_roce_parse(f, (size_t)ret, 0, &p),
			      "%s: the undamaged frame parses", c->name))
			continue;
		len = (size_t)ret;
		c->damage(f, &len);
		fixup(f, len, c->base.v6, c->fix);
		copy = malloc(len);
		if (!copy)
			abort();
		memcpy(copy, f, len);
		ret = xp_roce_parse(copy, len, 0, &p);
		free(copy);
		if (!xt_check(ret == -EBADMSG && p.err == c->want, "%s: refused as %s", c->name,
			      xp_pkt_err_str(c->want)))
			xt_note("returned %d, reason %s", ret, xp_pkt_err_str(p.err));
		seen[c->want] = true;
	}
	for (e = 1; e < XP_PKT_ERR_NR; e++) {
		if (!seen[e]) {
			xt_note("no case for %s", xp_pkt_err_str(e));
			missing++;
		}
	}
	xt_check(!missing, "every drop reason has a damaged frame (%u missing)", missing);
}

static void check_parse_misc(void)
{
	struct base b = { XP_OP_RC | XP_OP_SEND_ONLY, 0, false };
	static __u8 f[FRAME_MAX];
	struct xp_roce_pkt p;
	const char *names[XP_PKT_ERR_NR];
	unsigned int e, k, dup = 0;
	int n;

	/* 58 bytes on the wire: Ethernet pads it to 60, the parser looks past that */
	n = build_base(&b, f, sizeof(f));
	memset(f + n, 0, 4);
	xt_check(n == 58 && !xp_roce_parse(f, 60, 0, &p) && p.len == 58 && !p.payload_len,
		 "frame padded to the Ethernet minimum of 60 is accepted, len %u", p.len);
	xt_check(xp_roce_parse(f, 62, 0, &p) == -EBADMSG && p.err == XP_PKT_ERR_IP_LEN,
		 "2 bytes past the IP packet above 60 are refused (ip_len)");
	f[n - 1] ^= 1;
	xt_check(!xp_roce_parse(f, (size_t)n, XP_PARSE_NO_ICRC, &p) &&
			 xp_roce_parse(f, (size_t)n, 0, &p) == -EBADMSG,
		 "XP_PARSE_NO_ICRC skips only the ICRC");
	xt_check(xp_roce_parse(NULL, 60, 0, &p) == -EINVAL &&
			 xp_roce_parse(f, 60, 0, NULL) == -EINVAL,
		 "NULL frame or result: -EINVAL");

	for (e = 0; e < XP_PKT_ERR_NR; e++) {
		names[e] = xp_pkt_err_str(e);
		for (k = 0; k < e; k++)
			dup += !strcmp(names[k], names[e]);
		dup += !strcmp(names[e], "unknown");
	}
	xt_check(!dup && !strcmp(xp_pkt_err_str(XP_PKT_ERR_NR), "unknown") &&
			 !strcmp(xp_pkt_err_str(XP_PKT_ERR_ICRC), "icrc"),
		 "drop reasons have distinct names");
}

static void check_build_args(void)
{
	struct xp_roce_hdrs h = {
		.opcode = XP_OP_RC | XP_OP_SEND_ONLY, .pkey = 0xffff, .dest_qpn = 17, .psn = 1
	};
	static __u8 data[70000], f[80000];
	struct xp_roce_av av, av6;
	struct xp_roce_pkt p;
	unsigned int over = 0;
	__u8 *at = NULL;
	int n, k;

	av_base(&av, false);
	av_base(&av6, true);
	xt_check(xp_roce_build(NULL, 100, &av, &h, data, 4, NULL) == -EINVAL &&
			 xp_roce_build(f, sizeof(f), NULL, &h, data, 4, NULL) == -EINVAL &&
			 xp_roce_build(f, sizeof(f), &av, NULL, data, 4, NULL) == -EINVAL,
		 "build: NULL buffer, AV or headers: -EINVAL");

	/* every buffer one byte short or more: -ENOSPC, nothing written past it */
	n = xp_roce_build(f, sizeof(f), &av, &h, data, 5, NULL);
	for (k = 0; k < n; k++) {
		__u8 *buf = malloc(k ? k : 1);

		if (!buf)
			abort();
		over += xp_roce_build(buf, (size_t)k, &av, &h, data, 5, NULL) != -ENOSPC;
		free(buf);
	}
	xt_check(n == 14 + 20 + 8 + 12 + 8 + 4 && !over,
		 "build: %d-byte frame; buffers of 0..%d bytes give -ENOSPC (%u did not)", n, n - 1,
		 over);
	xt_check(!xp_roce_parse(f, (size_t)n, 0, &p) && p.h.pad == 3 && p.payload_len == 5 &&
			 !memcmp(f + n - 7, "\0\0\0", 3),
		 "build: 5 bytes get pad count 3 and zero pad bytes");
	n = xp_roce_build(f, sizeof(f), &av, &h, NULL, 0, &at);
	xt_check(n == 58 && at == f + xp_roce_hdr_len(&av, h.opcode) &&
			 !xp_roce_parse(f, 58, 0, &p),
		 "build: empty SEND_ONLY is 58 bytes and sealed; payload_at == hdr_len");

	xt_check(xp_roce_build(f, sizeof(f), &av, &h, data, 1024, NULL) > 0 &&
			 xp_roce_build(f, sizeof(f), &av, &h, data, 1025, NULL) == -EMSGSIZE,
		 "build: 1024 bytes fit path MTU 1024, 1025 give -EMSGSIZE");
	av.pmtu = 0;
	xt_check(xp_roce_build(f, sizeof(f), &av, &h, data, 65536, NULL) == -EMSGSIZE &&
			 xp_roce_build(f, sizeof(f), &av6, &h, data, 65536, NULL) == -EMSGSIZE,
		 "build: no path MTU, 64 KiB payload: -EMSGSIZE (IP length)");
	av.pmtu = 1024;

	h.opcode = XP_OP_RC | XP_OP_SEND_FIRST;
	xt_check(xp_roce_build(f, sizeof(f), &av, &h, data, 5, NULL) == -EINVAL &&
			 xp_roce_build(f, sizeof(f), &av, &h, data, 8, NULL) > 0,
		 "build: SEND_FIRST of 5 bytes (would need a pad): -EINVAL; 8 bytes fine");
	h.opcode = XP_OP_RC | XP_OP_ACKNOWLEDGE;
	xt_check(xp_roce_build(f, sizeof(f), &av, &h, data, 4, NULL) == -EINVAL,
		 "build: ACKNOWLEDGE with payload: -EINVAL");
	h.opcode = 0x1f;
	xt_check(xp_roce_build(f, sizeof(f), &av, &h, data, 4, NULL) == -EINVAL,
		 "build: unknown opcode 0x1f: -EINVAL");
	h.opcode = XP_OP_UD | XP_OP_WRITE_ONLY;
	xt_check(xp_roce_build(f, sizeof(f), &av, &h, data, 4, NULL) == -EINVAL,
		 "build: UD WRITE_ONLY: -EINVAL");
	h.opcode = XP_OP_RC | XP_OP_SEND_ONLY;
	h.dest_qpn = 1u << 24;
	xt_check(xp_roce_build(f, sizeof(f), &av, &h, data, 4, NULL) == -EINVAL,
		 "build: 25-bit QPN: -EINVAL");
	h.dest_qpn = 17;
	h.psn = 1u << 24;
	xt_check(xp_roce_build(f, sizeof(f), &av, &h, data, 4, NULL) == -EINVAL,
		 "build: 25-bit PSN: -EINVAL");
	h.psn = 1;
	h.opcode = XP_OP_UD | XP_OP_SEND_ONLY;
	h.deth.src_qpn = 1u << 24;
	xt_check(xp_roce_build(f, sizeof(f), &av, &h, data, 4, NULL) == -EINVAL,
		 "build: 25-bit DETH source QPN: -EINVAL");
	h.deth.src_qpn = 19;
	h.opcode = XP_OP_RC | XP_OP_SEND_ONLY;
	memcpy(av.dgid, av6.dgid, 16);
	xt_check(xp_roce_build(f, sizeof(f), &av, &h, data, 4, NULL) == -EINVAL &&
			 xp_roce_hdr_len(&av, h.opcode) == -EINVAL,
		 "build: IPv4-mapped source GID with an IPv6 destination: -EINVAL");
	av6.flow_label = 1u << 20;
	xt_check(xp_roce_build(f, sizeof(f), &av6, &h, data, 4, NULL) == -EINVAL,
		 "build: 21-bit flow label: -EINVAL");
	av6.flow_label = 0x12345;
	av6.vlan = true;
	av6.vlan_tci = 0x2064;
	av6.tclass = 0x28;
	av6.ttl = 0;
	n = xp_roce_build(f, sizeof(f), &av6, &h, data, 4, NULL);
	xt_check(n == 14 + 4 + 40 + 8 + 12 + 4 + 4 && !xp_roce_parse(f, (size_t)n, 0, &p) &&
			 p.vlan && p.vlan_tci == 0x2064 && p.family == 6 &&
			 p.flow_label == 0x12345 && p.tclass == 0x28 && p.ttl == 64,
		 "build: IPv6 + VLAN + traffic class + flow label parse back; TTL 0 means 64");
}

static void check_table_and_ports(void)
{
	unsigned int op, rc = 0, uc = 0, ud = 0, other = 0;
	const struct xp_roce_opinfo *i;

	for (op = 0; op < 256; op++) {
		if (!xp_roce_opinfo((__u8)op))
			continue;
		switch (op & XP_OP_TRANSPORT_MASK) {
		case XP_OP_RC:
			rc++;
			break;
		case XP_OP_UC:
			uc++;
			break;
		case XP_OP_UD:
			ud++;
			break;
		default:
			other++;
		}
	}
	xt_check(rc == 23 && uc == 12 && ud == 2 && !other,
		 "opcode table: RC 23, UC 12, UD 2 opcodes, no others (%u %u %u %u)", rc, uc, ud,
		 other);
	i = xp_roce_opinfo(XP_OP_RC | XP_OP_WRITE_ONLY_IMM);
	xt_check(
		i && i->hdrs == (XP_HDR_RETH | XP_HDR_IMMDT) && i->hdr_len == 20 &&
			(i->flags & (XP_OPF_START | XP_OPF_END | XP_OPF_PAYLOAD | XP_OPF_ACKREQ)) ==
				(XP_OPF_START | XP_OPF_END | XP_OPF_PAYLOAD | XP_OPF_ACKREQ),
		"opcode table: RC WRITE_ONLY_IMM has RETH+ImmDt, starts, ends, payload, AckReq");
	i = xp_roce_opinfo(XP_OP_UC | XP_OP_WRITE_LAST);
	xt_check(i && !(i->flags & (XP_OPF_ACKREQ | XP_OPF_START)) && (i->flags & XP_OPF_END),
		 "opcode table: UC WRITE_LAST ends a message, no AckReq");
	i = xp_roce_opinfo(XP_OP_RC | XP_OP_ATOMIC_ACKNOWLEDGE);
	xt_check(i && i->hdr_len == 12 && (i->flags & XP_OPF_RESPONSE) &&
			 !(i->flags & XP_OPF_PAYLOAD),
		 "opcode table: ATOMIC_ACKNOWLEDGE is a 12-byte-header response without payload");
	i = xp_roce_opinfo(XP_OP_UD | XP_OP_SEND_ONLY_IMM);
	xt_check(i && i->hdrs == (XP_HDR_DETH | XP_HDR_IMMDT) && !strcmp(i->name, "SEND_ONLY_IMM"),
		 "opcode table: UD SEND_ONLY_IMM has DETH+ImmDt");

	/* Ports from the README's worked examples */
	xt_check(xp_roce_sport_ud(30) == 0xdd5f, "UD port of QPN 30 is 0xdd5f (0x%04x)",
		 xp_roce_sport_ud(30));
	xt_check(xp_roce_sport_rc(19, 17) == 0xc143 && xp_roce_sport_rc(17, 19) == 0xc143,
		 "RC port of QPNs 19 and 17 is 0xc143 either way (0x%04x)",
		 xp_roce_sport_rc(19, 17));
	xt_check(xp_roce_sport_rc(0xabcdef, 0x123456) == xp_roce_sport_rc(0x123456, 0xabcdef) &&
			 xp_roce_sport_rc(0xabcdef, 0x123456) >= 0xc000 &&
			 xp_roce_flow_label_rc(0xffffff, 0xffffff) <= 0xfffff,
		 "RC port is symmetric, in 0xc000..0xffff, flow label 20 bits");
}

int main(int argc, char **argv)
{
	const char *dir = argc > 1 ? argv[1] : getenv("XP_RXE_DATA");
	size_t i;

	xp_set_print(NULL); /* the builder's refusals are expected here */
	if (!dir)
		dir = "tests/data/rxe";
	if (access(dir, R_OK | X_OK)) {
		xt_fail("%s: %s; run from the repository root or name the directory", dir,
			strerror(errno));
	} else {
		for (i = 0; i < sizeof(files) / sizeof(files[0]); i++)
			check_file(dir, files[i]);
	}
	check_bad_cases();
	check_parse_misc();
	check_build_args();
	check_table_and_ports();
	return xt_summary();
}
