// SPDX-License-Identifier: GPL-2.0
/*
 * The reference classifier of tests/lib/steer_ref.h: docs/steer.md's
 * diagram as byte offsets into the frame, one layer after the other.
 */
#include <stdbool.h>

#include <xdpath/bth.h>

#include "steer_ref.h"

#define ETH_LEN 14
#define VLAN_LEN 4
#define IPV4_MIN 20
#define IPV6_LEN 40
#define UDP_LEN 8
#define MAX_EXT 8

static unsigned int be16(const __u8 *p)
{
	return (unsigned int)p[0] << 8 | p[1];
}

static __u32 be32(const __u8 *p)
{
	return (__u32)p[0] << 24 | (__u32)p[1] << 16 | (__u32)p[2] << 8 | p[3];
}

/* What the IP layer says about what follows it. */
struct l3 {
	size_t l4; /* offset of the transport header */
	long payload; /* bytes of transport header and payload per IP */
	int proto;
	bool first_frag, later_frag;
	int version;
};

/* IPv4 at off: false when the frame is not usable IPv4. */
static bool ipv4(const __u8 *f, size_t len, size_t off, struct l3 *l)
{
	size_t ihl;
	unsigned int frag;

	if (len < off + IPV4_MIN || f[off] >> 4 != 4)
		return false;
	ihl = (size_t)(f[off] & 0x0f) * 4;
	if (ihl < IPV4_MIN || len < off + ihl)
		return false;
	frag = be16(f + off + 6);
	l->version = 4;
	l->later_frag = (frag & 0x1fff) != 0;
	l->first_frag = !l->later_frag && (frag & 0x2000);
	l->proto = f[off + 9];
	l->payload = (long)be16(f + off + 2) - (long)ihl;
	l->l4 = off + ihl;
	return true;
}

/* IPv6 at off and its extension headers: false when not usable. */
static bool ipv6(const __u8 *f, size_t len, size_t off, struct l3 *l)
{
	size_t pos, ext = 0;
	int next, n;

	if (len < off + IPV6_LEN || f[off] >> 4 != 6)
		return false;
	l->version = 6;
	next = f[off + 6];
	pos = off + IPV6_LEN;
	for (n = 0;; n++) {
		size_t hlen;

		if (next == 0 || next == 43 || next == 60 || next == 51) {
			if (len < pos + 2)
				return false;
			hlen = next == 51 ? ((size_t)f[pos + 1] + 2) * 4 :
					    ((size_t)f[pos + 1] + 1) * 8;
		} else if (next == 44) {
			hlen = 8;
			if (len < pos + hlen)
				return false;
			if (be16(f + pos + 2) & 0xfff8) {
				l->later_frag = true;
				return false;
			}
			l->first_frag = true;
		} else {
			break; /* UDP, ESP, no next header, anything else: the end */
		}
		/* A ninth extension header: give the frame to the kernel. */
		if (n == MAX_EXT)
			return false;
		if (len < pos + hlen)
			return false;
		next = f[pos];
		pos += hlen;
		ext += hlen;
	}
	l->proto = next;
	l->payload = (long)be16(f + off + 4) - (long)ext;
	l->l4 = pos;
	return true;
}

void xt_steer_ref(const __u8 *f, size_t len, struct xt_steer_verdict *v)
{
	struct l3 l = { 0 };
	size_t off = ETH_LEN, bth;
	unsigned int type, udp_len;
	bool ok;

	v->cls = XT_STEER_OTHER;
	v->dest_qpn = 0;
	v->drop = XP_DROP_NONE;
	if (len < ETH_LEN)
		return;
	type = be16(f + 12);
	if (type == 0x8100 || type == 0x88a8) {
		if (len < ETH_LEN + VLAN_LEN)
			return;
		type = be16(f + 16);
		off += VLAN_LEN;
	}
	if (type == 0x0800)
		ok = ipv4(f, len, off, &l);
	else if (type == 0x86dd)
		ok = ipv6(f, len, off, &l);
	else
		return;
	if (!ok || l.proto != 17 || l.later_frag)
		return;
	if (len < l.l4 + UDP_LEN || be16(f + l.l4 + 2) != XP_ROCEV2_UDP_PORT)
		return;

	v->cls = XT_STEER_DROP;
	if (l.first_frag) {
		v->drop = l.version == 4 ? XP_DROP_IPV4_FRAGMENT : XP_DROP_IPV6_FRAGMENT;
		return;
	}
	udp_len = be16(f + l.l4 + 4);
	bth = l.l4 + UDP_LEN;
	if (udp_len < UDP_LEN + XP_BTH_LEN || len < bth + XP_BTH_LEN) {
		v->drop = XP_DROP_SHORT_BTH;
		return;
	}
	if ((long)udp_len > l.payload) {
		v->drop = XP_DROP_UDP_LENGTH;
		return;
	}
	if (f[bth + 1] & XP_BTH_TVER_MASK) {
		v->drop = XP_DROP_BTH_VERSION;
		return;
	}
	v->cls = XT_STEER_ROCE;
	v->dest_qpn = be32(f + bth + 4) & XP_BTH_QPN_MASK;
}
