/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/*
 * RoCEv2 recognition: a BTH in a UDP datagram to port 4791 (IBTA vol. 1,
 * Annex A17), over IPv4 or IPv6, behind at most one VLAN tag.
 *
 * Three outcomes. A frame that is not RoCEv2, or cannot be identified as
 * RoCEv2 because it ends before the UDP destination port, belongs to the
 * kernel. A RoCEv2 frame whose headers are inconsistent up to the end of
 * the BTH, or that is an IP fragment, is dropped with a reason: the engine
 * could not use it and the kernel has no RoCE stack to give it to. Anything
 * else is valid as far as steering is concerned; what lies beyond the BTH
 * (extended headers, payload, ICRC, trailing bytes) is the engine's to check.
 *
 * Include after vmlinux.h, <bpf/bpf_helpers.h> and <bpf/bpf_endian.h>.
 */
#ifndef XP_BPF_ROCE_H
#define XP_BPF_ROCE_H

#include <xdpath/bth.h>
#include <xdpath/steer.h>

#include "lib/parse.h"

enum xp_roce_class {
	XP_ROCE_OTHER = 0, /* not RoCEv2, or not identifiable as RoCEv2 */
	XP_ROCE_VALID, /* RoCEv2 with a usable BTH; dest_qpn is set */
	XP_ROCE_INVALID, /* RoCEv2 that must be dropped; drop is set */
};

struct xp_roce {
	__u32 dest_qpn; /* 24 bits */
	enum xp_drop_reason drop;
};

/*
 * Check the UDP length and the BTH of a datagram to port 4791; cur is just
 * past the UDP header. Order matters for the counters: a datagram too short
 * for a BTH is short_bth even if its length also disagrees with IP.
 */
static __always_inline enum xp_roce_class xp_roce_check_bth(struct xp_cursor *cur,
							    const struct udphdr *udp,
							    const struct xp_l3 *l3,
							    struct xp_roce *roce)
{
	__u32 udp_len = bpf_ntohs(udp->len);
	struct xp_bth *bth;

	if (udp_len < sizeof(*udp) + XP_BTH_LEN) {
		roce->drop = XP_DROP_SHORT_BTH;
		return XP_ROCE_INVALID;
	}
	bth = xp_pull_hdr(cur, struct xp_bth);
	if (!bth) {
		roce->drop = XP_DROP_SHORT_BTH;
		return XP_ROCE_INVALID;
	}
	if ((__s32)udp_len > l3->payload_len) {
		roce->drop = XP_DROP_UDP_LENGTH;
		return XP_ROCE_INVALID;
	}
	if (bth->flags & XP_BTH_TVER_MASK) {
		roce->drop = XP_DROP_BTH_VERSION;
		return XP_ROCE_INVALID;
	}
	roce->dest_qpn = bpf_ntohl(bth->qpn) & XP_BTH_QPN_MASK;
	return XP_ROCE_VALID;
}

/*
 * Classify the frame under cur (positioned at the Ethernet header).
 *
 * Fragments: the first fragment of a datagram to port 4791 is dropped (the
 * engine does no reassembly, and RoCEv2 senders set DF). A later fragment
 * carries no UDP header, so nothing says it belongs to RoCEv2: it goes to
 * the kernel like any other fragment, which will time out its reassembly.
 */
static __always_inline enum xp_roce_class xp_roce_classify(struct xp_cursor *cur,
							   struct xp_roce *roce)
{
	struct udphdr *udp;
	struct xp_l3 l3;
	__be16 proto;
	bool ok;

	proto = xp_parse_eth(cur);
	if (proto == bpf_htons(ETH_P_IP))
		ok = xp_parse_ipv4(cur, &l3);
	else if (proto == bpf_htons(ETH_P_IPV6))
		ok = xp_parse_ipv6(cur, &l3);
	else
		return XP_ROCE_OTHER;
	if (!ok || l3.proto != IPPROTO_UDP || l3.frag == XP_FRAG_LATER)
		return XP_ROCE_OTHER;

	/* Until the destination port is in the frame, this is not RoCEv2. */
	udp = xp_pull_hdr(cur, struct udphdr);
	if (!udp || udp->dest != bpf_htons(XP_ROCEV2_UDP_PORT))
		return XP_ROCE_OTHER;

	if (l3.frag == XP_FRAG_FIRST) {
		roce->drop = l3.version == 4 ? XP_DROP_IPV4_FRAGMENT : XP_DROP_IPV6_FRAGMENT;
		return XP_ROCE_INVALID;
	}
	return xp_roce_check_bth(cur, udp, &l3, roce);
}

#endif /* XP_BPF_ROCE_H */
