// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * RoCEv2 packet layer (xp_roce_pkt.h): one opcode table, the receive-side
 * parser and the transmit-side builder. Frames are byte buffers in network
 * order with no alignment promise, so every field goes through the
 * byte-wise loads and stores below.
 */
#include "xp_env.h"

#include <xdpath/bth.h>
#include <xdpath/roce_hdr.h>
#include <xdpath/steer.h> /* XP_ROCEV2_UDP_PORT */

#include "xp_icrc.h"
#include "xp_roce_pkt.h"

#define ETH_ALEN_ 6
#define ETH_HLEN_ 14
#define ETH_ZLEN_ 60 /* shortest frame without FCS: shorter ones get padded */
#define VLAN_HLEN_ 4
#define ETHERTYPE_IPV4 0x0800
#define ETHERTYPE_IPV6 0x86dd
#define ETHERTYPE_8021Q 0x8100
#define ETHERTYPE_8021AD 0x88a8
#define IPV4_HLEN 20
#define IPV6_HLEN 40
#define UDP_HLEN 8
#define IPPROTO_UDP_ 17
#define IPV4_DF 0x4000
#define IPV4_FRAG_MASK 0x3fff /* MF and the fragment offset */
#define TTL_DEFAULT 64
#define MAX_VLAN_TAGS 2

/* BTH flags byte: SE:1 M:1 PadCnt:2 TVer:4 */
#define BTH_SE 0x80
#define BTH_MIG 0x40
#define BTH_PAD_SHIFT 4
#define BTH_PAD_MASK 0x3
#define BTH_FECN 0x80000000u
#define BTH_BECN 0x40000000u
#define BTH_ACKREQ 0x80000000u

static void put16(__u8 *p, __u16 v)
{
	p[0] = v >> 8;
	p[1] = (__u8)v;
}

static void put32(__u8 *p, __u32 v)
{
	put16(p, v >> 16);
	put16(p + 2, (__u16)v);
}

static void put64(__u8 *p, __u64 v)
{
	put32(p, v >> 32);
	put32(p + 4, (__u32)v);
}

static __u16 get16(const __u8 *p)
{
	return (__u16)(p[0] << 8 | p[1]);
}

static __u32 get32(const __u8 *p)
{
	return (__u32)p[0] << 24 | (__u32)p[1] << 16 | (__u32)p[2] << 8 | p[3];
}

static __u64 get64(const __u8 *p)
{
	return (__u64)get32(p) << 32 | get32(p + 4);
}

/* One's-complement sum of an IPv4 header, checksum field included. */
static __u16 ipv4_sum(const __u8 *h, size_t len)
{
	__u32 sum = 0;
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += get16(h + i);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (__u16)sum;
}

static const char *const pkt_err_names[XP_PKT_ERR_NR] = {
	[XP_PKT_OK] = "ok",
	[XP_PKT_ERR_ETH_SHORT] = "eth_short",
	[XP_PKT_ERR_ETHERTYPE] = "ethertype",
	[XP_PKT_ERR_IP_SHORT] = "ip_short",
	[XP_PKT_ERR_IP_VERSION] = "ip_version",
	[XP_PKT_ERR_IP_HLEN] = "ip_hlen",
	[XP_PKT_ERR_IP_CSUM] = "ip_csum",
	[XP_PKT_ERR_IP_FRAG] = "ip_frag",
	[XP_PKT_ERR_IP_PROTO] = "ip_proto",
	[XP_PKT_ERR_IP_LEN] = "ip_len",
	[XP_PKT_ERR_UDP_SHORT] = "udp_short",
	[XP_PKT_ERR_UDP_LEN] = "udp_len",
	[XP_PKT_ERR_UDP_PORT] = "udp_port",
	[XP_PKT_ERR_TVER] = "bth_tver",
	[XP_PKT_ERR_OPCODE] = "opcode",
	[XP_PKT_ERR_TRANSPORT] = "opcode_transport",
	[XP_PKT_ERR_HDR_SHORT] = "hdr_short",
	[XP_PKT_ERR_PAD] = "pad",
	[XP_PKT_ERR_ALIGN] = "align",
	[XP_PKT_ERR_PAYLOAD] = "payload",
	[XP_PKT_ERR_ICRC] = "icrc",
};

const char *xp_pkt_err_str(enum xp_pkt_err err)
{
	if ((unsigned int)err >= XP_PKT_ERR_NR)
		return "unknown";
	return pkt_err_names[err];
}

#define ONLY (XP_OPF_START | XP_OPF_END)
#define FIRST XP_OPF_START
#define MIDDLE 0
#define LAST XP_OPF_END
#define PL XP_OPF_PAYLOAD
#define REQ XP_OPF_REQUEST
#define RESP XP_OPF_RESPONSE
#define ACK XP_OPF_ACKREQ

#define OP(code, nm, h, hl, f) [code] = { .name = nm, .hdrs = (h), .hdr_len = (hl), .flags = (f) }

/* RC and UC share the SEND and WRITE rows (IBTA vol. 1, table 38). */
#define SEND_WRITE_OPS(t, ack)                                                             \
	OP(t | XP_OP_SEND_FIRST, "SEND_FIRST", 0, 0, FIRST | PL | REQ),                    \
		OP(t | XP_OP_SEND_MIDDLE, "SEND_MIDDLE", 0, 0, MIDDLE | PL | REQ),         \
		OP(t | XP_OP_SEND_LAST, "SEND_LAST", 0, 0, LAST | PL | REQ | (ack)),       \
		OP(t | XP_OP_SEND_LAST_IMM, "SEND_LAST_IMM", XP_HDR_IMMDT, XP_IMMDT_LEN,   \
		   LAST | PL | REQ | (ack)),                                               \
		OP(t | XP_OP_SEND_ONLY, "SEND_ONLY", 0, 0, ONLY | PL | REQ | (ack)),       \
		OP(t | XP_OP_SEND_ONLY_IMM, "SEND_ONLY_IMM", XP_HDR_IMMDT, XP_IMMDT_LEN,   \
		   ONLY | PL | REQ | (ack)),                                               \
		OP(t | XP_OP_WRITE_FIRST, "WRITE_FIRST", XP_HDR_RETH, XP_RETH_LEN,         \
		   FIRST | PL | REQ),                                                      \
		OP(t | XP_OP_WRITE_MIDDLE, "WRITE_MIDDLE", 0, 0, MIDDLE | PL | REQ),       \
		OP(t | XP_OP_WRITE_LAST, "WRITE_LAST", 0, 0, LAST | PL | REQ | (ack)),     \
		OP(t | XP_OP_WRITE_LAST_IMM, "WRITE_LAST_IMM", XP_HDR_IMMDT, XP_IMMDT_LEN, \
		   LAST | PL | REQ | (ack)),                                               \
		OP(t | XP_OP_WRITE_ONLY, "WRITE_ONLY", XP_HDR_RETH, XP_RETH_LEN,           \
		   ONLY | PL | REQ | (ack)),                                               \
		OP(t | XP_OP_WRITE_ONLY_IMM, "WRITE_ONLY_IMM", XP_HDR_RETH | XP_HDR_IMMDT, \
		   XP_RETH_LEN + XP_IMMDT_LEN, ONLY | PL | REQ | (ack))

static const struct xp_roce_opinfo opinfo[256] = {
	SEND_WRITE_OPS(XP_OP_RC, ACK),
	OP(XP_OP_RC | XP_OP_READ_REQUEST, "READ_REQUEST", XP_HDR_RETH, XP_RETH_LEN,
	   ONLY | REQ | ACK),
	OP(XP_OP_RC | XP_OP_READ_RESPONSE_FIRST, "READ_RESPONSE_FIRST", XP_HDR_AETH, XP_AETH_LEN,
	   FIRST | PL | RESP),
	OP(XP_OP_RC | XP_OP_READ_RESPONSE_MIDDLE, "READ_RESPONSE_MIDDLE", 0, 0, MIDDLE | PL | RESP),
	OP(XP_OP_RC | XP_OP_READ_RESPONSE_LAST, "READ_RESPONSE_LAST", XP_HDR_AETH, XP_AETH_LEN,
	   LAST | PL | RESP),
	OP(XP_OP_RC | XP_OP_READ_RESPONSE_ONLY, "READ_RESPONSE_ONLY", XP_HDR_AETH, XP_AETH_LEN,
	   ONLY | PL | RESP),
	OP(XP_OP_RC | XP_OP_ACKNOWLEDGE, "ACKNOWLEDGE", XP_HDR_AETH, XP_AETH_LEN, ONLY | RESP),
	OP(XP_OP_RC | XP_OP_ATOMIC_ACKNOWLEDGE, "ATOMIC_ACKNOWLEDGE", XP_HDR_AETH | XP_HDR_ATMACK,
	   XP_AETH_LEN + XP_ATMACK_LEN, ONLY | RESP),
	OP(XP_OP_RC | XP_OP_COMPARE_SWAP, "COMPARE_SWAP", XP_HDR_ATMETH, XP_ATMETH_LEN,
	   ONLY | REQ | ACK),
	OP(XP_OP_RC | XP_OP_FETCH_ADD, "FETCH_ADD", XP_HDR_ATMETH, XP_ATMETH_LEN, ONLY | REQ | ACK),
	OP(XP_OP_RC | XP_OP_SEND_LAST_INV, "SEND_LAST_INV", XP_HDR_IETH, XP_IETH_LEN,
	   LAST | PL | REQ | ACK),
	OP(XP_OP_RC | XP_OP_SEND_ONLY_INV, "SEND_ONLY_INV", XP_HDR_IETH, XP_IETH_LEN,
	   ONLY | PL | REQ | ACK),
	SEND_WRITE_OPS(XP_OP_UC, 0),
	OP(XP_OP_UD | XP_OP_SEND_ONLY, "SEND_ONLY", XP_HDR_DETH, XP_DETH_LEN, ONLY | PL | REQ),
	OP(XP_OP_UD | XP_OP_SEND_ONLY_IMM, "SEND_ONLY_IMM", XP_HDR_DETH | XP_HDR_IMMDT,
	   XP_DETH_LEN + XP_IMMDT_LEN, ONLY | PL | REQ),
};

#undef OP
#undef SEND_WRITE_OPS
#undef ONLY
#undef FIRST
#undef MIDDLE
#undef LAST
#undef PL
#undef REQ
#undef RESP
#undef ACK

const struct xp_roce_opinfo *xp_roce_opinfo(__u8 opcode)
{
	return opinfo[opcode].name ? &opinfo[opcode] : NULL;
}

const char *xp_roce_transport_str(__u8 opcode)
{
	switch (opcode & XP_OP_TRANSPORT_MASK) {
	case XP_OP_RC:
		return "RC";
	case XP_OP_UC:
		return "UC";
	case XP_OP_RD:
		return "RD";
	case XP_OP_UD:
		return "UD";
	case 0x80:
		return "CNP";
	}
	return "?";
}

/* Unknown opcode: is it an operation RC has, sent on a transport without it? */
static enum xp_pkt_err opcode_err(__u8 opcode)
{
	__u8 t = opcode & XP_OP_TRANSPORT_MASK;

	if ((t == XP_OP_UC || t == XP_OP_UD) &&
	    opinfo[XP_OP_RC | (opcode & ~XP_OP_TRANSPORT_MASK)].name)
		return XP_PKT_ERR_TRANSPORT;
	return XP_PKT_ERR_OPCODE;
}

bool xp_gid_is_v4(const __u8 gid[16])
{
	static const __u8 prefix[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

	return !memcmp(gid, prefix, sizeof(prefix));
}

static void gid_from_v4(__u8 gid[16], const __u8 *ip4)
{
	memset(gid, 0, 10);
	gid[10] = gid[11] = 0xff;
	memcpy(gid + 12, ip4, 4);
}

static int bad(struct xp_roce_pkt *pkt, enum xp_pkt_err err)
{
	pkt->err = err;
	return -EBADMSG;
}

static void parse_ext(const __u8 *b, __u16 hdrs, struct xp_roce_hdrs *h)
{
	if (hdrs & XP_HDR_DETH) {
		h->deth.qkey = get32(b);
		h->deth.src_qpn = get32(b + 4) & XP_BTH_QPN_MASK;
		b += XP_DETH_LEN;
	}
	if (hdrs & XP_HDR_RETH) {
		h->reth.va = get64(b);
		h->reth.rkey = get32(b + 8);
		h->reth.len = get32(b + 12);
		b += XP_RETH_LEN;
	}
	if (hdrs & XP_HDR_ATMETH) {
		h->atmeth.va = get64(b);
		h->atmeth.rkey = get32(b + 8);
		h->atmeth.swap_add = get64(b + 12);
		h->atmeth.compare = get64(b + 20);
		b += XP_ATMETH_LEN;
	}
	if (hdrs & XP_HDR_AETH) {
		h->aeth.syndrome = b[0];
		h->aeth.msn = get32(b) & XP_AETH_MSN_MASK;
		b += XP_AETH_LEN;
	}
	if (hdrs & XP_HDR_ATMACK) {
		h->atmack_orig = get64(b);
		b += XP_ATMACK_LEN;
	}
	if (hdrs & XP_HDR_IMMDT) {
		h->imm = get32(b);
		b += XP_IMMDT_LEN;
	}
	if (hdrs & XP_HDR_IETH)
		h->ieth_rkey = get32(b);
}

/*
 * Checks run from the outside in; the ICRC comes last because it can only
 * be computed over headers that parse.
 */
int xp_roce_parse(const void *frame, size_t len, unsigned int flags, struct xp_roce_pkt *pkt)
{
	const __u8 *f = frame, *l3, *b;
	size_t off, rest, ip_hlen, ip_total, ulen, avail;
	struct xp_roce_hdrs *h;
	__u16 type, frag;
	__u32 w;
	unsigned int tags = 0;

	if (!frame || !pkt)
		return -EINVAL;
	memset(pkt, 0, sizeof(*pkt));
	pkt->frame = f;
	h = &pkt->h;

	if (len < ETH_HLEN_)
		return bad(pkt, XP_PKT_ERR_ETH_SHORT);
	memcpy(pkt->dmac, f, ETH_ALEN_);
	memcpy(pkt->smac, f + ETH_ALEN_, ETH_ALEN_);
	off = 2 * ETH_ALEN_;
	type = get16(f + off);
	off += 2;
	while (type == ETHERTYPE_8021Q || type == ETHERTYPE_8021AD) {
		if (len < off + VLAN_HLEN_ || ++tags > MAX_VLAN_TAGS)
			return bad(pkt, tags > MAX_VLAN_TAGS ? XP_PKT_ERR_ETHERTYPE :
							       XP_PKT_ERR_ETH_SHORT);
		if (!pkt->vlan)
			pkt->vlan_tci = get16(f + off);
		pkt->vlan = true;
		type = get16(f + off + 2);
		off += VLAN_HLEN_;
	}
	l3 = f + off;
	rest = len - off;
	pkt->l3_off = (__u16)off;

	if (type == ETHERTYPE_IPV4) {
		pkt->family = 4;
		if (rest < IPV4_HLEN)
			return bad(pkt, XP_PKT_ERR_IP_SHORT);
		if (l3[0] >> 4 != 4)
			return bad(pkt, XP_PKT_ERR_IP_VERSION);
		ip_hlen = (l3[0] & 0x0f) * 4u;
		if (ip_hlen < IPV4_HLEN || ip_hlen > rest)
			return bad(pkt, XP_PKT_ERR_IP_HLEN);
		if (ipv4_sum(l3, ip_hlen) != 0xffff)
			return bad(pkt, XP_PKT_ERR_IP_CSUM);
		frag = get16(l3 + 6);
		if (frag & IPV4_FRAG_MASK)
			return bad(pkt, XP_PKT_ERR_IP_FRAG);
		if (l3[9] != IPPROTO_UDP_)
			return bad(pkt, XP_PKT_ERR_IP_PROTO);
		ip_total = get16(l3 + 2);
		pkt->df = frag & IPV4_DF;
		pkt->tclass = l3[1];
		pkt->ttl = l3[8];
		pkt->ip_id = get16(l3 + 4);
		gid_from_v4(pkt->sgid, l3 + 12);
		gid_from_v4(pkt->dgid, l3 + 16);
	} else if (type == ETHERTYPE_IPV6) {
		pkt->family = 6;
		if (rest < IPV6_HLEN)
			return bad(pkt, XP_PKT_ERR_IP_SHORT);
		if (l3[0] >> 4 != 6)
			return bad(pkt, XP_PKT_ERR_IP_VERSION);
		if (l3[6] != IPPROTO_UDP_)
			return bad(pkt, XP_PKT_ERR_IP_PROTO);
		ip_hlen = IPV6_HLEN;
		ip_total = IPV6_HLEN + get16(l3 + 4);
		w = get32(l3);
		pkt->tclass = (__u8)(w >> 20);
		pkt->flow_label = w & 0xfffff;
		pkt->ttl = l3[7];
		memcpy(pkt->sgid, l3 + 8, 16);
		memcpy(pkt->dgid, l3 + 24, 16);
	} else {
		return bad(pkt, XP_PKT_ERR_ETHERTYPE);
	}
	/* Only a frame padded up to the Ethernet minimum may run past the IP packet. */
	if (ip_total > rest || (ip_total < rest && len > ETH_ZLEN_ + VLAN_HLEN_ * (size_t)tags))
		return bad(pkt, XP_PKT_ERR_IP_LEN);
	if (ip_total < ip_hlen + UDP_HLEN + XP_BTH_LEN + XP_ICRC_LEN)
		return bad(pkt, XP_PKT_ERR_UDP_SHORT);
	pkt->len = (__u32)(off + ip_total);

	b = l3 + ip_hlen;
	pkt->l4_off = (__u16)(off + ip_hlen);
	pkt->sport = get16(b);
	pkt->dport = get16(b + 2);
	ulen = get16(b + 4);
	pkt->udp_csum = get16(b + 6);
	if (ulen != ip_total - ip_hlen)
		return bad(pkt, XP_PKT_ERR_UDP_LEN);
	if (pkt->dport != XP_ROCEV2_UDP_PORT)
		return bad(pkt, XP_PKT_ERR_UDP_PORT);

	b += UDP_HLEN;
	pkt->bth_off = (__u16)(pkt->l4_off + UDP_HLEN);
	h->opcode = b[0];
	h->se = b[1] & BTH_SE;
	h->mig = b[1] & BTH_MIG;
	h->pad = (b[1] >> BTH_PAD_SHIFT) & BTH_PAD_MASK;
	h->pkey = get16(b + 2);
	w = get32(b + 4);
	h->fecn = w & BTH_FECN;
	h->becn = w & BTH_BECN;
	h->dest_qpn = w & XP_BTH_QPN_MASK;
	w = get32(b + 8);
	h->ack_req = w & BTH_ACKREQ;
	h->psn = w & XP_BTH_PSN_MASK;
	if (b[1] & XP_BTH_TVER_MASK)
		return bad(pkt, XP_PKT_ERR_TVER);
	pkt->info = xp_roce_opinfo(h->opcode);
	if (!pkt->info)
		return bad(pkt, opcode_err(h->opcode));

	/* what follows the BTH: extended headers, payload, pad */
	avail = ulen - UDP_HLEN - XP_BTH_LEN - XP_ICRC_LEN;
	if (avail < pkt->info->hdr_len)
		return bad(pkt, XP_PKT_ERR_HDR_SHORT);
	b += XP_BTH_LEN;
	parse_ext(b, pkt->info->hdrs, h);
	avail -= pkt->info->hdr_len;
	if (avail && !(pkt->info->flags & XP_OPF_PAYLOAD))
		return bad(pkt, XP_PKT_ERR_PAYLOAD);
	if (h->pad && (!(pkt->info->flags & XP_OPF_END) || avail < h->pad))
		return bad(pkt, XP_PKT_ERR_PAD);
	if (avail % 4)
		return bad(pkt, XP_PKT_ERR_ALIGN);
	pkt->payload_off = (__u16)(pkt->bth_off + XP_BTH_LEN + pkt->info->hdr_len);
	pkt->payload = f + pkt->payload_off;
	pkt->payload_len = (__u32)(avail - h->pad);

	if (!(flags & XP_PARSE_NO_ICRC) && xp_icrc_check(l3, ip_total))
		return bad(pkt, XP_PKT_ERR_ICRC);
	return 0;
}

static int av_family(const struct xp_roce_av *av)
{
	bool s4 = xp_gid_is_v4(av->sgid), d4 = xp_gid_is_v4(av->dgid);

	if (s4 != d4) {
		pr_warn("address vector mixes an IPv4-mapped and an IPv6 GID; use one family for both\n");
		return -EINVAL;
	}
	return s4 ? 4 : 6;
}

int xp_roce_hdr_len(const struct xp_roce_av *av, __u8 opcode)
{
	const struct xp_roce_opinfo *info = xp_roce_opinfo(opcode);
	int family;

	if (!av || !info)
		return -EINVAL;
	family = av_family(av);
	if (family < 0)
		return family;
	return ETH_HLEN_ + (av->vlan ? VLAN_HLEN_ : 0) + (family == 4 ? IPV4_HLEN : IPV6_HLEN) +
	       UDP_HLEN + XP_BTH_LEN + info->hdr_len;
}

static __u8 *build_ext(__u8 *b, __u16 hdrs, const struct xp_roce_hdrs *h)
{
	if (hdrs & XP_HDR_DETH) {
		put32(b, h->deth.qkey);
		put32(b + 4, h->deth.src_qpn);
		b += XP_DETH_LEN;
	}
	if (hdrs & XP_HDR_RETH) {
		put64(b, h->reth.va);
		put32(b + 8, h->reth.rkey);
		put32(b + 12, h->reth.len);
		b += XP_RETH_LEN;
	}
	if (hdrs & XP_HDR_ATMETH) {
		put64(b, h->atmeth.va);
		put32(b + 8, h->atmeth.rkey);
		put64(b + 12, h->atmeth.swap_add);
		put64(b + 20, h->atmeth.compare);
		b += XP_ATMETH_LEN;
	}
	if (hdrs & XP_HDR_AETH) {
		put32(b, (__u32)h->aeth.syndrome << XP_AETH_SYN_SHIFT | h->aeth.msn);
		b += XP_AETH_LEN;
	}
	if (hdrs & XP_HDR_ATMACK) {
		put64(b, h->atmack_orig);
		b += XP_ATMACK_LEN;
	}
	if (hdrs & XP_HDR_IMMDT) {
		put32(b, h->imm);
		b += XP_IMMDT_LEN;
	}
	if (hdrs & XP_HDR_IETH) {
		put32(b, h->ieth_rkey);
		b += XP_IETH_LEN;
	}
	return b;
}

static int check_hdrs(const struct xp_roce_hdrs *h, const struct xp_roce_opinfo *info, __u32 len)
{
	if ((h->dest_qpn | h->psn) & ~XP_BTH_QPN_MASK) {
		pr_warn("BTH QPN 0x%x or PSN 0x%x is wider than 24 bits\n", h->dest_qpn, h->psn);
		return -EINVAL;
	}
	if ((info->hdrs & XP_HDR_AETH) && (h->aeth.msn & ~XP_AETH_MSN_MASK)) {
		pr_warn("AETH MSN 0x%x is wider than 24 bits\n", h->aeth.msn);
		return -EINVAL;
	}
	if ((info->hdrs & XP_HDR_DETH) && (h->deth.src_qpn & ~XP_BTH_QPN_MASK)) {
		pr_warn("DETH source QPN 0x%x is wider than 24 bits\n", h->deth.src_qpn);
		return -EINVAL;
	}
	if (len && !(info->flags & XP_OPF_PAYLOAD)) {
		pr_warn("%s %s carries no payload, %u bytes given\n",
			xp_roce_transport_str(h->opcode), info->name, len);
		return -EINVAL;
	}
	if ((len % 4) && !(info->flags & XP_OPF_END)) {
		pr_warn("%s payload %u is not a multiple of 4; only LAST/ONLY packets have a pad\n",
			info->name, len);
		return -EINVAL;
	}
	return 0;
}

int xp_roce_build(void *buf, size_t size, const struct xp_roce_av *av, const struct xp_roce_hdrs *h,
		  const void *payload, __u32 len, __u8 **payload_at)
{
	const struct xp_roce_opinfo *info;
	size_t ip_total, udp_len, frame_len;
	__u8 *f = buf, *l3, *b;
	__u8 pad;
	int hdr_len, err;

	if (!buf || !av || !h)
		return -EINVAL;
	info = xp_roce_opinfo(h->opcode);
	if (!info) {
		pr_warn("opcode 0x%02x is not one we send; see xp_roce_opinfo()\n", h->opcode);
		return -EINVAL;
	}
	err = check_hdrs(h, info, len);
	if (err)
		return err;
	if (av->pmtu && len > av->pmtu) {
		pr_warn("payload of %u bytes is over the path MTU %u; segment the message\n", len,
			av->pmtu);
		return -EMSGSIZE;
	}
	if (av->flow_label & ~0xfffffu) {
		pr_warn("flow label 0x%x is wider than 20 bits\n", av->flow_label);
		return -EINVAL;
	}
	hdr_len = xp_roce_hdr_len(av, h->opcode);
	if (hdr_len < 0)
		return hdr_len;
	pad = (4 - len % 4) % 4;
	frame_len = (size_t)hdr_len + len + pad + XP_ICRC_LEN;
	l3 = f + ETH_HLEN_ + (av->vlan ? VLAN_HLEN_ : 0);
	ip_total = frame_len - (size_t)(l3 - f);
	udp_len = ip_total - (xp_gid_is_v4(av->sgid) ? IPV4_HLEN : IPV6_HLEN);
	if (ip_total > 0xffff || udp_len > 0xffff)
		return -EMSGSIZE;
	if (frame_len > size)
		return -ENOSPC;

	memcpy(f, av->dmac, ETH_ALEN_);
	memcpy(f + ETH_ALEN_, av->smac, ETH_ALEN_);
	b = f + 2 * ETH_ALEN_;
	if (av->vlan) {
		put16(b, ETHERTYPE_8021Q);
		put16(b + 2, av->vlan_tci);
		b += VLAN_HLEN_;
	}
	if (xp_gid_is_v4(av->sgid)) {
		put16(b, ETHERTYPE_IPV4);
		l3[0] = 0x45;
		l3[1] = av->tclass;
		put16(l3 + 2, (__u16)ip_total);
		put16(l3 + 4, av->ip_id);
		put16(l3 + 6, IPV4_DF);
		l3[8] = av->ttl ? av->ttl : TTL_DEFAULT;
		l3[9] = IPPROTO_UDP_;
		put16(l3 + 10, 0);
		memcpy(l3 + 12, av->sgid + 12, 4);
		memcpy(l3 + 16, av->dgid + 12, 4);
		put16(l3 + 10, (__u16)~ipv4_sum(l3, IPV4_HLEN));
		b = l3 + IPV4_HLEN;
	} else {
		put16(b, ETHERTYPE_IPV6);
		put32(l3, 6u << 28 | (__u32)av->tclass << 20 | av->flow_label);
		put16(l3 + 4, (__u16)udp_len);
		l3[6] = IPPROTO_UDP_;
		l3[7] = av->ttl ? av->ttl : TTL_DEFAULT;
		memcpy(l3 + 8, av->sgid, 16);
		memcpy(l3 + 24, av->dgid, 16);
		b = l3 + IPV6_HLEN;
	}
	put16(b, av->sport);
	put16(b + 2, XP_ROCEV2_UDP_PORT);
	put16(b + 4, (__u16)udp_len);
	put16(b + 6, 0); /* rxe sends no UDP checksum, on IPv6 too */
	b += UDP_HLEN;

	b[0] = h->opcode;
	b[1] = (h->se ? BTH_SE : 0) | (h->mig ? BTH_MIG : 0) | pad << BTH_PAD_SHIFT;
	put16(b + 2, h->pkey);
	put32(b + 4, (h->fecn ? BTH_FECN : 0) | (h->becn ? BTH_BECN : 0) | h->dest_qpn);
	put32(b + 8, (h->ack_req ? BTH_ACKREQ : 0) | h->psn);
	b = build_ext(b + XP_BTH_LEN, info->hdrs, h);

	if (payload_at)
		*payload_at = b;
	if (len && payload)
		memcpy(b, payload, len);
	memset(b + len, 0, pad);
	if (len && !payload)
		return (int)frame_len; /* xp_roce_seal() once the payload is in */
	err = xp_icrc_set(l3, ip_total);
	return err ? err : (int)frame_len;
}

int xp_roce_seal(void *frame, size_t len)
{
	__u8 *f = frame;
	size_t off = 2 * ETH_ALEN_;
	__u16 type;

	if (!frame || len < ETH_HLEN_)
		return -EINVAL;
	type = get16(f + off);
	off += 2;
	while ((type == ETHERTYPE_8021Q || type == ETHERTYPE_8021AD) && len >= off + VLAN_HLEN_) {
		type = get16(f + off + 2);
		off += VLAN_HLEN_;
	}
	if (type != ETHERTYPE_IPV4 && type != ETHERTYPE_IPV6)
		return -EINVAL;
	return xp_icrc_set(f + off, len - off);
}

/* As the kernel's hash_32(): multiply by 2^32 / golden ratio, keep the top bits. */
static __u32 sport_hash(__u32 v, unsigned int bits)
{
	return (v * 0x61c88647u) >> (32 - bits);
}

__u16 xp_roce_sport_ud(__u32 src_qpn)
{
	return 0xc000 | sport_hash(src_qpn, 14);
}

/* Product of both QPNs, folded to 20 bits: both ends get the same label. */
__u32 xp_roce_flow_label_rc(__u32 lqpn, __u32 rqpn)
{
	__u64 v = (__u64)lqpn * rqpn;

	v ^= v >> 20;
	v ^= v >> 40;
	return v & 0xfffff;
}

__u16 xp_roce_sport_flow_label(__u32 fl)
{
	return 0xc000 | ((fl & 0x3fff) ^ (fl >> 14));
}

__u16 xp_roce_sport_rc(__u32 lqpn, __u32 rqpn)
{
	return xp_roce_sport_flow_label(xp_roce_flow_label_rc(lqpn, rqpn));
}
