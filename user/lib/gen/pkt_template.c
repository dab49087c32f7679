// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Template frames (xp_pktgen.h): build one from options, read the sequence
 * number of a generated frame, and check a received frame against the
 * template. Templates are byte buffers in network order; the generator
 * (pktgen.c) and the receivers only ever look at them through the offsets
 * recorded here.
 */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include <linux/if_ether.h>

#include <xdpath/bth.h>
#include <xdpath/steer.h> /* XP_ROCEV2_UDP_PORT */

#include "xp_internal.h"
#include "xp_pktgen.h"

#define PKTGEN_VLAN_HLEN 4
#define IPV4_HLEN 20
#define IPV6_HLEN 40
#define UDP_HLEN 8

/* Byte-wise stores and loads in network order: templates are byte buffers. */
static void put16(__u8 *p, __u16 v)
{
	p[0] = v >> 8;
	p[1] = v;
}

static void put32(__u8 *p, __u32 v)
{
	put16(p, v >> 16);
	put16(p + 2, v);
}

static __u16 get16(const __u8 *p)
{
	return (__u16)(p[0] << 8 | p[1]);
}

static __u64 get64(const __u8 *p)
{
	__u64 v = 0;
	int i;

	for (i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return v;
}

static __u16 ipv4_csum(const __u8 *hdr, size_t len)
{
	__u32 sum = 0;
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += get16(hdr + i);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (__u16)~sum;
}

struct tmpl_cfg {
	int family;
	__u16 vlan_id;
	__u8 vlan_prio;
	__u8 ttl, tos;
	__u16 src_port, dst_port;
	__u32 flows;
	__u8 opcode;
	__u32 dest_qpn, psn, qkey, src_qpn;
	__u32 frame_size;
	unsigned int hdr_len; /* up to and including the sequence number */
};

static void tmpl_cfg_get(const struct xp_pktgen_template_opts *o, struct tmpl_cfg *c)
{
	c->family = XP_OPTS_GET(o, family, 0) ?: AF_INET;
	c->vlan_id = XP_OPTS_GET(o, vlan_id, 0);
	c->vlan_prio = XP_OPTS_GET(o, vlan_prio, 0);
	c->ttl = XP_OPTS_GET(o, ttl, 0) ?: XP_PKTGEN_DEFAULT_TTL;
	c->tos = XP_OPTS_GET(o, tos, 0);
	c->src_port = XP_OPTS_GET(o, src_port, 0) ?: XP_PKTGEN_DEFAULT_SRC_PORT;
	c->dst_port = XP_OPTS_GET(o, dst_port, 0) ?: XP_ROCEV2_UDP_PORT;
	c->flows = XP_OPTS_GET(o, flows, 0) ?: 1;
	c->opcode = XP_OPTS_GET(o, opcode, 0) ?: XP_GEN_OP_RC_SEND_ONLY;
	c->dest_qpn = XP_OPTS_GET(o, dest_qpn, 0) ?: XP_PKTGEN_DEFAULT_QPN;
	c->psn = XP_OPTS_GET(o, psn, 0);
	c->qkey = XP_OPTS_GET(o, qkey, 0);
	c->src_qpn = XP_OPTS_GET(o, src_qpn, 0) ?: XP_PKTGEN_DEFAULT_QPN;
	c->frame_size = XP_OPTS_GET(o, frame_size, 0) ?: XP_GEN_FRAME_DEFAULT;
	c->hdr_len = ETH_HLEN + (c->vlan_id ? PKTGEN_VLAN_HLEN : 0) +
		     (c->family == AF_INET6 ? IPV6_HLEN : IPV4_HLEN) + UDP_HLEN + XP_BTH_LEN +
		     (XP_GEN_OP_IS_UD(c->opcode) ? XP_GEN_DETH_LEN : 0) + XP_GEN_SEQ_LEN;
}

static unsigned int min_size(const struct tmpl_cfg *c)
{
	return c->hdr_len > XP_GEN_FRAME_MIN ? c->hdr_len : XP_GEN_FRAME_MIN;
}

int xp_pktgen_min_size(const struct xp_pktgen_template_opts *opts)
{
	struct tmpl_cfg c;
	int err;

	err = xp_opts_valid(opts, xp_pktgen_template_opts);
	if (err)
		return err;
	tmpl_cfg_get(opts, &c);
	return min_size(&c);
}

static int tmpl_cfg_check(const struct tmpl_cfg *c)
{
	if (c->family != AF_INET && c->family != AF_INET6) {
		pr_warn("template: address family %d is not supported; use AF_INET (%d) or AF_INET6 (%d)\n",
			c->family, AF_INET, AF_INET6);
		return -EINVAL;
	}
	if (c->vlan_id > 4094) {
		pr_warn("template: VLAN id %u is out of range; use 1..4094 (0: no tag)\n",
			c->vlan_id);
		return -EINVAL;
	}
	if (c->vlan_prio > 7) {
		pr_warn("template: VLAN priority %u is out of range; use 0..7\n", c->vlan_prio);
		return -EINVAL;
	}
	if (c->flows > 65536 || c->src_port + c->flows - 1 > 65535) {
		pr_warn("template: %u flows from source port %u run past port 65535; lower the flow count or the first port\n",
			c->flows, c->src_port);
		return -EINVAL;
	}
	if (c->dest_qpn > XP_BTH_QPN_MASK || c->src_qpn > XP_BTH_QPN_MASK) {
		pr_warn("template: QPN %u does not fit in 24 bits; use 1..%u\n",
			c->dest_qpn > XP_BTH_QPN_MASK ? c->dest_qpn : c->src_qpn, XP_BTH_QPN_MASK);
		return -EINVAL;
	}
	if (c->psn > XP_BTH_PSN_MASK) {
		pr_warn("template: PSN %u does not fit in 24 bits; use 0..%u\n", c->psn,
			XP_BTH_PSN_MASK);
		return -EINVAL;
	}
	if (c->frame_size < min_size(c) || c->frame_size > XP_GEN_TEMPLATE_MAX) {
		pr_warn("template: frame size %u is out of range; with these headers use %u..%u bytes (without FCS; a 9000-byte MTU with a VLAN tag)\n",
			c->frame_size, min_size(c), XP_GEN_TEMPLATE_MAX);
		return -EINVAL;
	}
	return 0;
}

int xp_pktgen_build(struct xp_pktgen_template *t, const struct xp_pktgen_template_opts *opts)
{
	static const __u8 zero_mac[ETH_ALEN];
	const __u8 *dmac, *smac;
	union xp_pktgen_addr src = {}, dst = {};
	unsigned int off, l3_len, i;
	struct tmpl_cfg c;
	__u8 *p;
	int err;

	if (!t) {
		pr_warn("xp_pktgen_build: template pointer is NULL; pass the struct to fill\n");
		return -EINVAL;
	}
	err = xp_opts_valid(opts, xp_pktgen_template_opts);
	if (err)
		return err;
	tmpl_cfg_get(opts, &c);
	err = tmpl_cfg_check(&c);
	if (err)
		return err;
	dmac = XP_OPTS_HAS(opts, dst_mac) ? opts->dst_mac : zero_mac;
	smac = XP_OPTS_HAS(opts, src_mac) ? opts->src_mac : zero_mac;
	if (XP_OPTS_HAS(opts, src_ip))
		src = opts->src_ip;
	if (XP_OPTS_HAS(opts, dst_ip))
		dst = opts->dst_ip;

	memset(t, 0, sizeof(*t));
	p = t->data;
	t->len = c.frame_size;
	t->family = c.family;
	t->vlan_id = c.vlan_id;
	t->flows = c.flows;
	t->src_port = c.src_port;

	/* Ethernet, optional 802.1Q tag */
	memcpy(p, dmac, ETH_ALEN);
	memcpy(p + ETH_ALEN, smac, ETH_ALEN);
	off = 2 * ETH_ALEN;
	if (c.vlan_id) {
		put16(p + off, ETH_P_8021Q);
		put16(p + off + 2, (__u16)(c.vlan_prio << 13 | c.vlan_id));
		off += PKTGEN_VLAN_HLEN;
	}
	put16(p + off, c.family == AF_INET6 ? ETH_P_IPV6 : ETH_P_IP);
	off += 2;

	/* IP */
	t->l3_off = off;
	l3_len = c.frame_size - off;
	if (c.family == AF_INET) {
		p[off] = 0x45;
		p[off + 1] = c.tos;
		put16(p + off + 2, l3_len);
		put16(p + off + 6, 0x4000); /* DF, as rxe sends */
		p[off + 8] = c.ttl;
		p[off + 9] = IPPROTO_UDP;
		memcpy(p + off + 12, &src.v4, 4);
		memcpy(p + off + 16, &dst.v4, 4);
		put16(p + off + 10, ipv4_csum(p + off, IPV4_HLEN));
		off += IPV4_HLEN;
	} else {
		put32(p + off, 6u << 28 | (__u32)c.tos << 20);
		put16(p + off + 4, l3_len - IPV6_HLEN);
		p[off + 6] = IPPROTO_UDP;
		p[off + 7] = c.ttl;
		memcpy(p + off + 8, &src.v6, 16);
		memcpy(p + off + 24, &dst.v6, 16);
		off += IPV6_HLEN;
	}

	/* UDP, checksum 0 */
	t->l4_off = off;
	put16(p + off, c.src_port);
	put16(p + off + 2, c.dst_port);
	put16(p + off + 4, c.frame_size - off);
	off += UDP_HLEN;

	/* BTH: SE=0 M=0 PadCnt=0 TVer=0, P_Key 0xffff, FECN/BECN 0, AckReq 0 */
	t->bth_off = off;
	p[off] = c.opcode;
	put16(p + off + 2, 0xffff);
	put32(p + off + 4, c.dest_qpn);
	put32(p + off + 8, c.psn);
	off += XP_BTH_LEN;
	if (XP_GEN_OP_IS_UD(c.opcode)) {
		put32(p + off, c.qkey);
		put32(p + off + 4, c.src_qpn);
		off += XP_GEN_DETH_LEN;
	}

	/* Sequence number (stamped per frame), then the pattern */
	t->seq_off = off;
	off += XP_GEN_SEQ_LEN;
	t->pattern_off = off;
	for (i = 0; off + i < c.frame_size; i++)
		p[off + i] = XP_GEN_PATTERN(i);
	return 0;
}

int xp_pktgen_seq(const struct xp_pktgen_template *t, const void *frame, size_t len, __u64 *seq)
{
	if (!t || !frame || len < (size_t)t->seq_off + XP_GEN_SEQ_LEN)
		return -EBADMSG;
	if (seq)
		*seq = get64((const __u8 *)frame + t->seq_off);
	return 0;
}

int xp_pktgen_verify_flags(const struct xp_pktgen_template *t, const void *frame, size_t len,
			   __u64 *seq, unsigned int flags)
{
	const __u8 *f = frame, *d;
	unsigned int sport;
	__u64 s;

	if (!t || !frame || len != t->len || t->len > sizeof(t->data))
		return -EBADMSG;
	d = t->data;
	s = get64(f + t->seq_off);

	if ((flags & XP_PKTGEN_VERIFY_MACS) && memcmp(f, d, 2 * ETH_ALEN))
		return -EBADMSG;
	if ((flags & XP_PKTGEN_VERIFY_SWAPPED_MACS) &&
	    (memcmp(f, d + ETH_ALEN, ETH_ALEN) || memcmp(f + ETH_ALEN, d, ETH_ALEN)))
		return -EBADMSG;

	/* Up to the UDP source port, the port itself, then up to the sequence number */
	if (memcmp(f + 2 * ETH_ALEN, d + 2 * ETH_ALEN, t->l4_off - 2 * ETH_ALEN))
		return -EBADMSG;
	sport = t->src_port + (t->flows > 1 ? s % t->flows : 0);
	if (get16(f + t->l4_off) != sport)
		return -EBADMSG;
	if (memcmp(f + t->l4_off + 2, d + t->l4_off + 2, t->seq_off - t->l4_off - 2))
		return -EBADMSG;
	if (memcmp(f + t->pattern_off, d + t->pattern_off, t->len - t->pattern_off))
		return -EBADMSG;
	if (seq)
		*seq = s;
	return 0;
}
