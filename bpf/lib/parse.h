/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/*
 * Header parsing for XDP programs: a cursor over the frame and one parser
 * per layer. Every parser checks the bytes it reads against the end of the
 * frame before reading them, the way the verifier wants to see it, and
 * reports "not parseable" instead of guessing. What to do with a packet the
 * parsers could not follow is the caller's decision.
 *
 * Include after vmlinux.h, <bpf/bpf_helpers.h> and <bpf/bpf_endian.h>.
 */
#ifndef XP_BPF_PARSE_H
#define XP_BPF_PARSE_H

#include "lib/proto.h"

/* Position in the frame and the end of its linear data. */
struct xp_cursor {
	void *pos;
	void *end;
};

static __always_inline void xp_cursor_init(struct xp_cursor *cur, struct xdp_md *ctx)
{
	cur->pos = (void *)(long)ctx->data;
	cur->end = (void *)(long)ctx->data_end;
}

/* len bytes at the cursor, or NULL when the frame ends before them. */
static __always_inline void *xp_peek(const struct xp_cursor *cur, __u32 len)
{
	void *p = cur->pos;

	if (p + len > cur->end)
		return NULL;
	return p;
}

/* Like xp_peek(), and step over the bytes. */
static __always_inline void *xp_pull(struct xp_cursor *cur, __u32 len)
{
	void *p = xp_peek(cur, len);

	if (p)
		cur->pos = p + len;
	return p;
}

#define xp_pull_hdr(cur, type) ((type *)xp_pull(cur, sizeof(type)))
#define xp_peek_hdr(cur, type) ((type *)xp_peek(cur, sizeof(type)))

/*
 * Ethernet and at most one VLAN tag, 802.1Q or 802.1ad. Returns the
 * EtherType behind them (network order), or 0 when the frame is too short.
 * A second tag is not stepped over: its TPID comes back as the EtherType,
 * which no caller handles, so stacked VLANs (QinQ) go to the kernel.
 */
static __always_inline __be16 xp_parse_eth(struct xp_cursor *cur)
{
	struct ethhdr *eth = xp_pull_hdr(cur, struct ethhdr);
	struct vlan_hdr *vlan;

	if (!eth)
		return 0;
	if (eth->h_proto != bpf_htons(ETH_P_8021Q) && eth->h_proto != bpf_htons(ETH_P_8021AD))
		return eth->h_proto;
	vlan = xp_pull_hdr(cur, struct vlan_hdr);
	if (!vlan)
		return 0;
	return vlan->h_vlan_encapsulated_proto;
}

enum xp_frag {
	XP_FRAG_NONE = 0, /* a whole datagram */
	XP_FRAG_FIRST, /* offset 0: the transport header is in this fragment */
	XP_FRAG_LATER, /* offset > 0: no transport header here */
};

/* What the network layer says about the transport header behind it. */
struct xp_l3 {
	/*
	 * Bytes of transport header and payload according to the IP header:
	 * IPv4 tot_len minus the header, IPv6 payload_len minus the extension
	 * headers. Negative when the IP header contradicts itself.
	 */
	__s32 payload_len;
	__u8 version; /* 4 or 6 */
	__u8 proto; /* transport protocol (IPPROTO_*) */
	__u8 frag; /* enum xp_frag */
};

/*
 * IPv4 header with its options (IHL honoured). False when the frame ends
 * inside the header or the header is not IPv4 with IHL >= 5.
 */
static __always_inline bool xp_parse_ipv4(struct xp_cursor *cur, struct xp_l3 *l3)
{
	struct iphdr *iph = xp_pull_hdr(cur, struct iphdr);
	__u32 hlen;
	__u16 frag;

	if (!iph || iph->version != 4)
		return false;
	hlen = iph->ihl * 4;
	if (hlen < sizeof(*iph))
		return false;
	/* Options: IHL is 4 bits, so at most 40 bytes of them. */
	if (!xp_pull(cur, hlen - sizeof(*iph)))
		return false;

	frag = bpf_ntohs(iph->frag_off);
	if (frag & IP_OFFSET)
		l3->frag = XP_FRAG_LATER;
	else if (frag & IP_MF)
		l3->frag = XP_FRAG_FIRST;
	else
		l3->frag = XP_FRAG_NONE;
	l3->version = 4;
	l3->proto = iph->protocol;
	l3->payload_len = (__s32)bpf_ntohs(iph->tot_len) - (__s32)hlen;
	return true;
}

/*
 * Extension headers walked before giving up. Real traffic rarely carries
 * more than two.
 */
#define XP_IPV6_MAX_EXT_HDRS 8
/*
 * Bound on the bytes of extension headers, as a mask: above the longest
 * chain of XP_IPV6_MAX_EXT_HDRS headers (2048 bytes at most each).
 */
#define XP_IPV6_EXT_LEN_MASK 0x7fff

enum xp_ext_step {
	XP_EXT_ERROR = -1, /* truncated, or a later fragment */
	XP_EXT_DONE = 0, /* *nexthdr is not an extension header we walk */
	XP_EXT_NEXT = 1, /* *off and *nexthdr now describe the next header */
};

/*
 * Step over the extension header of type *nexthdr at *off bytes past the
 * fixed IPv6 header (at cur). Hop-by-hop, routing and destination options
 * count their length in 8-octet units beyond the first 8; AH counts 4-octet
 * units beyond the first 8 (RFC 4302); the fragment header is 8 bytes.
 * ESP, "no next header" and anything unknown end the walk: what follows
 * cannot be read or is not a header.
 */
static __always_inline int xp_ipv6_ext_step(const struct xp_cursor *cur, __u32 *off, __u8 *nexthdr,
					    struct xp_l3 *l3)
{
	struct xp_cursor at = { .pos = cur->pos + *off, .end = cur->end };
	struct ipv6_opt_hdr *opt;
	struct frag_hdr *fh;
	__u32 len;

	switch (*nexthdr) {
	case NEXTHDR_HOP:
	case NEXTHDR_ROUTING:
	case NEXTHDR_DEST:
		opt = xp_peek_hdr(&at, struct ipv6_opt_hdr);
		if (!opt)
			return XP_EXT_ERROR;
		len = ((__u32)opt->hdrlen + 1) << 3;
		break;
	case NEXTHDR_AUTH:
		opt = xp_peek_hdr(&at, struct ipv6_opt_hdr);
		if (!opt)
			return XP_EXT_ERROR;
		len = ((__u32)opt->hdrlen + 2) << 2;
		break;
	case NEXTHDR_FRAGMENT:
		fh = xp_peek_hdr(&at, struct frag_hdr);
		if (!fh)
			return XP_EXT_ERROR;
		if (bpf_ntohs(fh->frag_off) & IP6_OFFSET) {
			l3->frag = XP_FRAG_LATER;
			return XP_EXT_ERROR;
		}
		l3->frag = XP_FRAG_FIRST;
		*nexthdr = fh->nexthdr;
		*off += sizeof(*fh);
		return XP_EXT_NEXT;
	default:
		return XP_EXT_DONE;
	}

	/* The whole header must be in the frame, not only its first bytes. */
	if (!xp_peek(&at, len))
		return XP_EXT_ERROR;
	*nexthdr = opt->nexthdr;
	*off += len;
	return XP_EXT_NEXT;
}

/*
 * IPv6 header and up to XP_IPV6_MAX_EXT_HDRS extension headers. False when
 * the frame ends inside them, there are more of them, or a fragment header
 * says this is not the first fragment (l3->frag is XP_FRAG_LATER then).
 */
static __always_inline bool xp_parse_ipv6(struct xp_cursor *cur, struct xp_l3 *l3)
{
	struct ipv6hdr *ip6 = xp_pull_hdr(cur, struct ipv6hdr);
	int i, step = XP_EXT_NEXT;
	__u32 off = 0;
	__u8 nexthdr;

	if (!ip6 || ip6->version != 6)
		return false;
	l3->version = 6;
	l3->frag = XP_FRAG_NONE;
	nexthdr = ip6->nexthdr;

	/* One pass more than the limit, to see what follows the last header. */
	for (i = 0; i <= XP_IPV6_MAX_EXT_HDRS; i++) {
		/*
		 * Every header stepped over was inside the frame, so the mask
		 * changes nothing at run time. It gives each pass the same
		 * bounds on off, whatever headers came before, so the verifier
		 * can prune instead of following every combination of header
		 * types (barrier_var keeps clang from dropping the mask).
		 */
		if (off > XP_IPV6_EXT_LEN_MASK)
			return false;
		barrier_var(off);
		off &= XP_IPV6_EXT_LEN_MASK;

		step = xp_ipv6_ext_step(cur, &off, &nexthdr, l3);
		if (step != XP_EXT_NEXT)
			break;
	}
	if (step != XP_EXT_DONE)
		return false;

	cur->pos += off;
	l3->proto = nexthdr;
	l3->payload_len = (__s32)bpf_ntohs(ip6->payload_len) - (__s32)off;
	return true;
}

#endif /* XP_BPF_PARSE_H */
