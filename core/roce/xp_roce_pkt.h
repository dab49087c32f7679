/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * RoCEv2 packet layer: the opcode table, a parser that checks a received
 * Ethernet frame down to the payload and ICRC, and a builder that writes a
 * frame the way Linux's rdma_rxe puts it on the wire (tests/data/rxe/README.md):
 *
 *	struct xp_roce_pkt pkt;
 *
 *	if (xp_roce_parse(frame, len, 0, &pkt))
 *		drops[pkt.err]++;		(xp_pkt_err_str(pkt.err) names it)
 *
 *	n = xp_roce_build(buf, size, &av, &hdrs, data, data_len, NULL);
 *
 * Values in struct xp_roce_hdrs are host order; the IPs are kept as GIDs
 * (IPv4 as ::ffff:a.b.c.d), as the verbs layer names them.
 */
#ifndef XP_ROCE_PKT_H
#define XP_ROCE_PKT_H

#include "xp_types.h"

#include <xdpath/roce_hdr.h>

/*
 * Why a frame was dropped. Stable numbers: the engine counts drops by
 * them, so never renumber or reuse one; add new reasons at the end.
 */
enum xp_pkt_err {
	XP_PKT_OK = 0,
	XP_PKT_ERR_ETH_SHORT = 1, /* shorter than an Ethernet header or VLAN tag */
	XP_PKT_ERR_ETHERTYPE = 2, /* neither IPv4 nor IPv6 */
	XP_PKT_ERR_IP_SHORT = 3, /* IP header cut off */
	XP_PKT_ERR_IP_VERSION = 4, /* version nibble disagrees with the EtherType */
	XP_PKT_ERR_IP_HLEN = 5, /* IPv4 IHL < 5 or past the frame */
	XP_PKT_ERR_IP_CSUM = 6, /* IPv4 header checksum */
	XP_PKT_ERR_IP_FRAG = 7, /* IPv4 fragment */
	XP_PKT_ERR_IP_PROTO = 8, /* not UDP (IPv6: no extension headers) */
	XP_PKT_ERR_IP_LEN = 9, /* IP total length disagrees with the frame */
	XP_PKT_ERR_UDP_SHORT = 10, /* no room for UDP + BTH + ICRC */
	XP_PKT_ERR_UDP_LEN = 11, /* UDP length disagrees with the IP payload */
	XP_PKT_ERR_UDP_PORT = 12, /* destination port is not 4791 */
	XP_PKT_ERR_TVER = 13, /* BTH transport header version not 0 */
	XP_PKT_ERR_OPCODE = 14, /* opcode no transport defines (or RD, CNP) */
	XP_PKT_ERR_TRANSPORT = 15, /* operation this transport lacks (UC READ, UD WRITE) */
	XP_PKT_ERR_HDR_SHORT = 16, /* extended headers run past the packet */
	XP_PKT_ERR_PAD = 17, /* pad count on a packet that may not have one, or > payload */
	XP_PKT_ERR_ALIGN = 18, /* payload + pad not a multiple of 4 */
	XP_PKT_ERR_PAYLOAD = 19, /* payload on an opcode that carries none */
	XP_PKT_ERR_ICRC = 20, /* invariant CRC mismatch */
	XP_PKT_ERR_NR
};

const char *xp_pkt_err_str(enum xp_pkt_err err);

/* Extended headers; they follow the BTH in this (IBTA) order. */
enum xp_roce_hdr {
	XP_HDR_DETH = 1 << 0,
	XP_HDR_RETH = 1 << 1,
	XP_HDR_ATMETH = 1 << 2,
	XP_HDR_AETH = 1 << 3,
	XP_HDR_ATMACK = 1 << 4,
	XP_HDR_IMMDT = 1 << 5,
	XP_HDR_IETH = 1 << 6,
};

/* struct xp_roce_opinfo flags */
#define XP_OPF_START (1u << 0) /* FIRST or ONLY: starts a message */
#define XP_OPF_END (1u << 1) /* LAST or ONLY: ends one (and may carry a pad) */
#define XP_OPF_PAYLOAD (1u << 2) /* may carry payload */
#define XP_OPF_REQUEST (1u << 3) /* requester to responder */
#define XP_OPF_RESPONSE (1u << 4) /* responder to requester */
/* RC: the END packet sets AckReq and the responder must answer it */
#define XP_OPF_ACKREQ (1u << 5)

struct xp_roce_opinfo {
	const char *name; /* "SEND_FIRST"; the transport is in the opcode */
	__u16 hdrs; /* XP_HDR_* after the BTH */
	__u8 hdr_len; /* their total length */
	__u8 flags; /* XP_OPF_* */
};

/* The table entry of a full opcode (transport | operation), or NULL. */
const struct xp_roce_opinfo *xp_roce_opinfo(__u8 opcode);
/* "RC", "UC", "RD", "UD" or "CNP"/"?" from the top 3 bits. */
const char *xp_roce_transport_str(__u8 opcode);

/* BTH and extended headers, host order. Only those the opcode has count. */
struct xp_roce_hdrs {
	__u8 opcode;
	bool se, mig, ack_req, fecn, becn;
	__u8 pad; /* parse: as received; build: computed from the payload */
	__u16 pkey;
	__u32 dest_qpn; /* 24 bits */
	__u32 psn; /* 24 bits */
	struct {
		__u64 va;
		__u32 rkey, len;
	} reth;
	struct {
		__u8 syndrome;
		__u32 msn; /* 24 bits */
	} aeth;
	struct {
		__u64 va;
		__u32 rkey;
		__u64 swap_add, compare;
	} atmeth;
	__u64 atmack_orig;
	__u32 imm; /* the 4 wire bytes read big-endian (verbs imm_data is ntohl of it) */
	__u32 ieth_rkey;
	struct {
		__u32 qkey;
		__u32 src_qpn; /* 24 bits */
	} deth;
};

/* A parsed frame. Pointers point into the frame given to xp_roce_parse(). */
struct xp_roce_pkt {
	enum xp_pkt_err err; /* XP_PKT_OK, or why the frame was refused */
	const __u8 *frame;
	__u32 len; /* frame bytes up to the end of the ICRC (Ethernet padding excluded) */
	__u16 l3_off, l4_off, bth_off, payload_off;
	const struct xp_roce_opinfo *info;
	struct xp_roce_hdrs h;
	const __u8 *payload;
	__u32 payload_len; /* without pad and ICRC */
	__u8 dmac[6], smac[6];
	bool vlan; /* one 802.1Q/802.1ad tag or more; the outer one's TCI below */
	__u16 vlan_tci; /* VLAN id = tci & 0xfff, priority = tci >> 13 */
	__u8 family; /* 4 or 6 */
	__u8 sgid[16], dgid[16]; /* IPv4 as ::ffff:a.b.c.d */
	__u8 tclass, ttl; /* IPv4 TOS and TTL, or IPv6 traffic class and hop limit */
	bool df; /* IPv4 don't-fragment */
	__u16 ip_id; /* IPv4 identification */
	__u32 flow_label; /* IPv6 */
	__u16 sport, dport;
	__u16 udp_csum;
};

/* xp_roce_parse() flags */
#define XP_PARSE_NO_ICRC (1u << 0) /* the caller checked it already (or offloaded) */

/*
 * Parse and check frame[0..len). 0 with *pkt filled, or -EBADMSG with
 * pkt->err saying why (-EINVAL for NULL arguments). Never reads outside
 * the frame.
 */
int xp_roce_parse(const void *frame, size_t len, unsigned int flags, struct xp_roce_pkt *pkt);

/* Address vector: where a frame goes and how its L2/L3/L4 headers look. */
struct xp_roce_av {
	__u8 dmac[6], smac[6];
	__u8 sgid[16], dgid[16]; /* both IPv4-mapped (::ffff:a.b.c.d) -> IPv4, else IPv6 */
	bool vlan; /* insert an 802.1Q tag */
	__u16 vlan_tci;
	__u16 sport; /* xp_roce_sport_ud() / xp_roce_sport_rc() */
	__u8 ttl; /* TTL or hop limit; 0: 64 as rxe sends */
	__u8 tclass; /* IPv4 TOS or IPv6 traffic class */
	__u32 flow_label; /* IPv6, 20 bits */
	/*
	 * IPv4 identification for this frame. rxe's kernel counts it up per
	 * destination; the caller sets it per frame (0 is valid with DF).
	 */
	__u16 ip_id;
	__u32 pmtu; /* path MTU: payload per packet at most this; 0 = no limit */
};

/* True when gid is an IPv4-mapped IPv6 address (::ffff:a.b.c.d). */
bool xp_gid_is_v4(const __u8 gid[16]);

/* Bytes from the frame start to the payload for this AV and opcode, or -EINVAL. */
int xp_roce_hdr_len(const struct xp_roce_av *av, __u8 opcode);

/*
 * Write a whole frame into buf[0..size): Ethernet, optional 802.1Q,
 * IPv4 (DF, header checksum) or IPv6, UDP (port 4791, checksum 0), BTH
 * (TVer 0, pad count from len), the extended headers of h->opcode, the
 * payload, zero pad bytes and the ICRC. Returns the frame length or
 * -EINVAL (bad opcode/field/AV), -EMSGSIZE (len over av->pmtu or IP
 * limits), -ENOSPC (size too small).
 *
 * payload NULL with len > 0 reserves the room: *payload_at (if given)
 * points at it, the pad is zeroed, and the ICRC is left for
 * xp_roce_seal() once the caller has written the payload.
 */
int xp_roce_build(void *buf, size_t size, const struct xp_roce_av *av, const struct xp_roce_hdrs *h,
		  const void *payload, __u32 len, __u8 **payload_at);

/* Compute and store the ICRC of a frame built with a reserved payload. */
int xp_roce_seal(void *frame, size_t len);

/*
 * rxe's UDP source ports (tests/data/rxe/README.md): UD takes
 * 0xc000 | hash_32(source QPN, 14); RC and UC derive a flow label from
 * both QPNs and fold it into 14 bits (the IB core's rdma_get_udp_sport).
 */
__u16 xp_roce_sport_ud(__u32 src_qpn);
__u16 xp_roce_sport_rc(__u32 lqpn, __u32 rqpn);
__u32 xp_roce_flow_label_rc(__u32 lqpn, __u32 rqpn);
__u16 xp_roce_sport_flow_label(__u32 flow_label);

#endif /* XP_ROCE_PKT_H */
