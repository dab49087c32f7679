// SPDX-License-Identifier: GPL-2.0
/*
 * Table-driven tests of bpf/xdp_steer.bpf.c through BPF_PROG_RUN: no NIC.
 *
 * Every case builds a frame, runs the program once and asserts the exact
 * verdict, that the frame came back unchanged, and the exact change of every
 * counter (one counter grows by one packet and the frame's length in bytes,
 * all others stay put).
 *
 * Two things need a real device, which the test makes for itself inside a
 * private network namespace (unshare, so it disappears with the process):
 *
 *  - XDP_REDIRECT. bpf_redirect_map() on an empty XSKMAP slot returns the
 *    fallback action, so seeing XDP_REDIRECT needs a bound AF_XDP socket in
 *    the slot. The test binds one (copy mode) to a veth and moves it through
 *    a set of slots: a frame steered to slot S is redirected exactly when
 *    the socket sits in S, which pins down the slot the program chose.
 *  - rx_queue_index. BPF_PROG_RUN takes it from ctx_in only together with
 *    ingress_ifindex of a device in the caller's namespace that has that
 *    many rx queues (else EINVAL); the veth has four.
 *
 * Without a namespace or socket those checks are skipped with the reason.
 */
#include <errno.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sched.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/if_ether.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include <xdpath/bth.h>
#include <xdpath/steer.h>

#include "xdp_steer.skel.h"
#include "xp_test.h"
#include "xt_net.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* ------------------------------------------------------------------------ */
/* Frame builder                                                            */
/* ------------------------------------------------------------------------ */

#define FRAME_MAX 512

struct frame {
	uint8_t buf[FRAME_MAX];
	size_t len;
	int l3; /* 4, 6 or 0 */
	size_t l3_off;
	int udp_off; /* -1: no UDP header */
	size_t udp_end; /* first byte after the UDP header */
	size_t bth_end; /* first byte after the BTH */
};

/* Destination QPNs: the test installs entries for the last two. */
#define QPN_PLAIN 0x000011
#define QPN_TO_SLOT7 0x000777
#define QPN_TO_SLOT3 0x123333
#define QPN_TO_SLOT300 0x000300

static const uint8_t mac_dst[6] = { 0x02, 0, 0, 0, 0, 0x02 };
static const uint8_t mac_src[6] = { 0x02, 0, 0, 0, 0, 0x01 };
/* 198.18.0.1 -> 198.18.0.2; fd00::1 -> fd00::2 */
static const uint8_t ip4_src[4] = { 198, 18, 0, 1 };
static const uint8_t ip4_dst[4] = { 198, 18, 0, 2 };
static const uint8_t ip6_src[16] = { 0xfd, [15] = 1 };
static const uint8_t ip6_dst[16] = { 0xfd, [15] = 2 };

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v;
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, v >> 16);
	put16(p + 2, v);
}

static void fb_init(struct frame *f)
{
	memset(f, 0, sizeof(*f));
	f->udp_off = -1;
}

/* Append n zeroed bytes. Frames are far smaller than the buffer. */
static uint8_t *fb_put(struct frame *f, size_t n)
{
	uint8_t *p = f->buf + f->len;

	if (f->len + n > sizeof(f->buf)) {
		fprintf(stderr, "test frame longer than %zu bytes\n", sizeof(f->buf));
		abort();
	}
	f->len += n;
	return p;
}

/* MACs, ntags VLAN tags with the given TPIDs, then the EtherType. */
static void fb_eth(struct frame *f, const uint16_t *tpids, int ntags, uint16_t type)
{
	uint8_t *p = fb_put(f, 12);
	int i;

	memcpy(p, mac_dst, 6);
	memcpy(p + 6, mac_src, 6);
	for (i = 0; i < ntags; i++) {
		p = fb_put(f, 4);
		put16(p, tpids[i]);
		put16(p + 2, 100 + i); /* VID */
	}
	put16(fb_put(f, 2), type);
}

/* IPv4 header of ihl 32-bit words (options are NOPs); lengths in fb_end(). */
static void fb_ipv4(struct frame *f, uint8_t proto, uint16_t frag_off, unsigned int ihl)
{
	uint8_t *p = fb_put(f, ihl * 4);

	f->l3 = 4;
	f->l3_off = p - f->buf;
	p[0] = 0x40 | ihl;
	put16(p + 4, 0x1234);
	put16(p + 6, frag_off);
	p[8] = 64;
	p[9] = proto;
	memcpy(p + 12, ip4_src, 4);
	memcpy(p + 16, ip4_dst, 4);
	memset(p + 20, 1, ihl * 4 - 20);
}

static void fb_ipv6(struct frame *f, uint8_t nexthdr)
{
	uint8_t *p = fb_put(f, 40);

	f->l3 = 6;
	f->l3_off = p - f->buf;
	p[0] = 0x60;
	p[6] = nexthdr;
	p[7] = 64;
	memcpy(p + 8, ip6_src, 16);
	memcpy(p + 24, ip6_dst, 16);
}

/* Hop-by-hop, routing or destination options: len bytes, a multiple of 8. */
static void fb_ipv6_opts(struct frame *f, uint8_t nexthdr, size_t len)
{
	uint8_t *p = fb_put(f, len);

	p[0] = nexthdr;
	p[1] = len / 8 - 1;
	p[2] = 1; /* PadN over the rest (a type-0 routing header to a parser) */
	p[3] = len - 4;
}

/* Authentication header: len bytes, a multiple of 4, at least 12. */
static void fb_ipv6_ah(struct frame *f, uint8_t nexthdr, size_t len)
{
	uint8_t *p = fb_put(f, len);

	p[0] = nexthdr;
	p[1] = len / 4 - 2;
	put32(p + 4, 0x100); /* SPI */
	put32(p + 8, 1); /* sequence */
}

/* Fragment header; offset in 8-octet units. */
static void fb_ipv6_frag(struct frame *f, uint8_t nexthdr, uint16_t offset, bool more)
{
	uint8_t *p = fb_put(f, 8);

	p[0] = nexthdr;
	put16(p + 2, offset << 3 | more);
	put32(p + 4, 0xabcd);
}

static void fb_udp(struct frame *f, uint16_t sport, uint16_t dport)
{
	uint8_t *p = fb_put(f, 8);

	f->udp_off = p - f->buf;
	put16(p, sport);
	put16(p + 2, dport);
	f->udp_end = f->len;
}

/* BTH of an RC SEND Only; flags is byte 1 (SE M PadCnt TVer). */
static void fb_bth(struct frame *f, uint8_t flags, uint32_t qpn_field)
{
	uint8_t *p = fb_put(f, XP_BTH_LEN);

	p[0] = 0x04;
	p[1] = flags;
	put16(p + 2, 0xffff);
	put32(p + 4, qpn_field);
	put32(p + 8, 0x80000000 | 42); /* AckReq, PSN 42 */
	f->bth_end = f->len;
}

static void fb_bytes(struct frame *f, size_t n, uint8_t fill)
{
	memset(fb_put(f, n), fill, n);
}

/* Fill in IP and UDP lengths (and the IPv4 checksum) from what was built. */
static void fb_end(struct frame *f)
{
	uint8_t *ip = f->buf + f->l3_off;
	uint32_t sum = 0;
	size_t i;

	if (f->udp_off >= 0)
		put16(f->buf + f->udp_off + 4, f->len - f->udp_off);
	if (f->l3 == 6)
		put16(ip + 4, f->len - f->l3_off - 40);
	if (f->l3 != 4)
		return;
	put16(ip + 2, f->len - f->l3_off);
	put16(ip + 10, 0);
	for (i = 0; i < (size_t)(ip[0] & 0xf) * 4; i += 2)
		sum += ip[i] << 8 | ip[i + 1];
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	put16(ip + 10, ~sum);
}

static void fb_set_udp_len(struct frame *f, uint16_t len)
{
	put16(f->buf + f->udp_off + 4, len);
}

static const uint16_t tag_q[] = { ETH_P_8021Q };
static const uint16_t tag_ad[] = { ETH_P_8021AD };
static const uint16_t tags_qinq[] = { ETH_P_8021AD, ETH_P_8021Q };
static const uint16_t tags_qq[] = { ETH_P_8021Q, ETH_P_8021Q };

/* RoCEv2 tail: UDP (rxe-style source port), BTH, 16 payload bytes, ICRC. */
static void fb_roce_tail(struct frame *f, uint8_t bth_flags, uint32_t qpn)
{
	fb_udp(f, 0xc123, XP_ROCEV2_UDP_PORT);
	fb_bth(f, bth_flags, qpn);
	fb_bytes(f, 16, 0x5a);
	fb_bytes(f, 4, 0xcc); /* ICRC: steering does not look at it */
	fb_end(f);
}

static void roce4(struct frame *f, const uint16_t *tags, int ntags, uint32_t qpn)
{
	fb_init(f);
	fb_eth(f, tags, ntags, ETH_P_IP);
	fb_ipv4(f, IPPROTO_UDP, 0x4000 /* DF, as rxe sends */, 5);
	fb_roce_tail(f, 0, qpn);
}

static void roce6(struct frame *f, const uint16_t *tags, int ntags, uint32_t qpn)
{
	fb_init(f);
	fb_eth(f, tags, ntags, ETH_P_IPV6);
	fb_ipv6(f, IPPROTO_UDP);
	fb_roce_tail(f, 0, qpn);
}

/* ---- the frames of the table ------------------------------------------- */

static void b_v4(struct frame *f)
{
	roce4(f, NULL, 0, QPN_PLAIN);
}

static void b_v6(struct frame *f)
{
	roce6(f, NULL, 0, QPN_PLAIN);
}

static void b_q_v4(struct frame *f)
{
	roce4(f, tag_q, 1, QPN_PLAIN);
}

static void b_q_v6(struct frame *f)
{
	roce6(f, tag_q, 1, QPN_PLAIN);
}

static void b_ad_v4(struct frame *f)
{
	roce4(f, tag_ad, 1, QPN_PLAIN);
}

static void b_ad_v6(struct frame *f)
{
	roce6(f, tag_ad, 1, QPN_PLAIN);
}

static void b_qinq_v4(struct frame *f)
{
	roce4(f, tags_qinq, 2, QPN_PLAIN);
}

static void b_qq_v6(struct frame *f)
{
	roce6(f, tags_qq, 2, QPN_PLAIN);
}

static void b_v4_options(struct frame *f)
{
	fb_init(f);
	fb_eth(f, NULL, 0, ETH_P_IP);
	fb_ipv4(f, IPPROTO_UDP, 0x4000, 8);
	fb_roce_tail(f, 0, QPN_PLAIN);
}

static void b_v6_hop_dst_rt(struct frame *f)
{
	fb_init(f);
	fb_eth(f, NULL, 0, ETH_P_IPV6);
	fb_ipv6(f, IPPROTO_HOPOPTS);
	fb_ipv6_opts(f, IPPROTO_DSTOPTS, 8);
	fb_ipv6_opts(f, IPPROTO_ROUTING, 16);
	fb_ipv6_opts(f, IPPROTO_UDP, 24);
	fb_roce_tail(f, 0, QPN_PLAIN);
}

/* AH counts 4-octet units: 24 bytes would be 40 under the options rule. */
static void b_v6_ah(struct frame *f)
{
	fb_init(f);
	fb_eth(f, NULL, 0, ETH_P_IPV6);
	fb_ipv6(f, IPPROTO_AH);
	fb_ipv6_ah(f, IPPROTO_DSTOPTS, 24);
	fb_ipv6_opts(f, IPPROTO_UDP, 8);
	fb_roce_tail(f, 0, QPN_PLAIN);
}

static void v6_n_dstopts(struct frame *f, int n)
{
	int i;

	fb_init(f);
	fb_eth(f, NULL, 0, ETH_P_IPV6);
	fb_ipv6(f, IPPROTO_DSTOPTS);
	for (i = 0; i < n; i++)
		fb_ipv6_opts(f, i == n - 1 ? IPPROTO_UDP : IPPROTO_DSTOPTS, 8);
	fb_roce_tail(f, 0, QPN_PLAIN);
}

static void b_v6_8ext(struct frame *f)
{
	v6_n_dstopts(f, 8);
}

static void b_v6_9ext(struct frame *f)
{
	v6_n_dstopts(f, 9);
}

/* A BTH-only frame (58 bytes with ICRC) padded to the 60-byte minimum. */
static void b_v4_eth_pad(struct frame *f)
{
	fb_init(f);
	fb_eth(f, NULL, 0, ETH_P_IP);
	fb_ipv4(f, IPPROTO_UDP, 0x4000, 5);
	fb_udp(f, 0xc123, XP_ROCEV2_UDP_PORT);
	fb_bth(f, 0, QPN_PLAIN);
	fb_bytes(f, 4, 0xcc);
	fb_end(f);
	fb_bytes(f, 2, 0);
}

static void b_v4_udp_len_short_of_ip(struct frame *f)
{
	b_v4(f);
	fb_set_udp_len(f, f->len - f->udp_off - 4);
}

static void b_v4_se_m_pad(struct frame *f)
{
	fb_init(f);
	fb_eth(f, NULL, 0, ETH_P_IP);
	fb_ipv4(f, IPPROTO_UDP, 0x4000, 5);
	fb_roce_tail(f, 0xf0, QPN_PLAIN); /* SE, M, PadCnt 3, TVer 0 */
}

static void b_v4_qpn7(struct frame *f)
{
	roce4(f, NULL, 0, QPN_TO_SLOT7);
}

static void b_v4_qpn3(struct frame *f)
{
	roce4(f, NULL, 0, QPN_TO_SLOT3);
}

/* FECN and BECN share the word with the QPN and must not change the key. */
static void b_v4_qpn7_fecn_becn(struct frame *f)
{
	roce4(f, NULL, 0, 0xc0000000 | QPN_TO_SLOT7);
}

static void b_v6_qpn300(struct frame *f)
{
	roce6(f, NULL, 0, QPN_TO_SLOT300);
}

static void b_v4_udp_other(struct frame *f)
{
	fb_init(f);
	fb_eth(f, NULL, 0, ETH_P_IP);
	fb_ipv4(f, IPPROTO_UDP, 0, 5);
	fb_udp(f, 0xc123, XP_ROCEV2_UDP_PORT + 1);
	fb_bth(f, 0, QPN_PLAIN);
	fb_end(f);
}

/* A reply from port 4791 is not RoCEv2: only the destination port counts. */
static void b_v4_udp_from_4791(struct frame *f)
{
	fb_init(f);
	fb_eth(f, NULL, 0, ETH_P_IP);
	fb_ipv4(f, IPPROTO_UDP, 0, 5);
	fb_udp(f, XP_ROCEV2_UDP_PORT, 53);
	fb_bytes(f, 20, 0);
	fb_end(f);
}

static void b_v6_udp_other(struct frame *f)
{
	fb_init(f);
	fb_eth(f, NULL, 0, ETH_P_IPV6);
	fb_ipv6(f, IPPROTO_UDP);
	fb_udp(f, 546, 547);
	fb_bytes(f, 20, 0);
	fb_end(f);
}

static void b_v4_tcp_4791(struct frame *f)
{
	uint8_t *p;

	fb_init(f);
	fb_eth(f, NULL, 0, ETH_P_IP);
	fb_ipv4(f, IPPROTO_TCP, 0x4000, 5);
	p = fb_put(f, 20);
	put16(p, 40000);
	put16(p + 2, XP_ROCEV2_UDP_PORT);
	p[12] = 5 << 4;
	p[13] = 0x02; /* SYN */
	fb_end(f);
}

static void b_v6_tcp(struct frame *f)
{
	uint8_t *p;

	fb_init(f);
	fb_eth(f, NULL, 0, ETH_P_IPV6);
	fb_ipv6(f, IPPROTO_TCP);
	p = fb_put(f, 20);
	put16(p, 40000);
	put16(p + 2, 18515); /* ibv_rc_pingpong's exchange port */
	p[12] = 5 << 4;
	p[13] = 0x02;
	fb_end(f);
}

static void b_v4_icmp(struct frame *f)
{
	uint8_t *p;

	fb_init(f);
	fb_eth(f, NULL, 0, ETH_P_IP);
	fb_ipv4(f, IPPROTO_ICMP, 0, 5);
	p = fb_put(f, 16);
	p[0] = 8; /* echo request */
	fb_end(f);
}

static void b_arp(struct frame *f)
{
	uint8_t *p;

	fb_init(f);
	fb_eth(f, NULL, 0, ETH_P_ARP);
	p = fb_put(f, 28);
	put16(p, 1); /* Ethernet */
	put16(p + 2, ETH_P_IP);
	p[4] = 6;
	p[5] = 4;
	put16(p + 6, 1); /* request */
	memcpy(p + 8, mac_src, 6);
	memcpy(p + 14, ip4_src, 4);
	memcpy(p + 24, ip4_dst, 4);
	fb_bytes(f, 18, 0); /* pad to 60 */
}

static void b_v6_nd(struct frame *f)
{
	uint8_t *p;

	fb_init(f);
	fb_eth(f, NULL, 0, ETH_P_IPV6);
	fb_ipv6(f, IPPROTO_ICMPV6);
	f->buf[f->l3_off + 7] = 255;
	p = fb_put(f, 24);
	p[0] = 135; /* neighbour solicitation */
	memcpy(p + 8, ip6_dst, 16);
	fb_end(f);
}

static void b_unknown_ethertype(struct frame *f)
{
	fb_init(f);
	fb_eth(f, NULL, 0, 0x88b5); /* local experimental */
	fb_bytes(f, 46, 0);
}

static void b_v4_ihl4(struct frame *f)
{
	b_v4(f);
	f->buf[f->l3_off] = 0x44;
}

static void b_v4_version6(struct frame *f)
{
	b_v4(f);
	f->buf[f->l3_off] = 0x65;
}

/* First fragment: UDP length covers the whole datagram, not this piece. */
static void b_v4_frag_first(struct frame *f)
{
	fb_init(f);
	fb_eth(f, NULL, 0, ETH_P_IP);
	fb_ipv4(f, IPPROTO_UDP, 0x2000 /* MF */, 5);
	fb_roce_tail(f, 0, QPN_PLAIN);
	fb_set_udp_len(f, 2000);
}

static void b_v4_frag_first_other_port(struct frame *f)
{
	b_v4_frag_first(f);
	put16(f->buf + f->udp_off + 2, 53);
}

/* A later fragment whose data happens to look like a RoCEv2 UDP header. */
static void v4_frag_later(struct frame *f, uint16_t frag_off)
{
	fb_init(f);
	fb_eth(f, NULL, 0, ETH_P_IP);
	fb_ipv4(f, IPPROTO_UDP, frag_off, 5);
	fb_roce_tail(f, 0, QPN_PLAIN);
}

static void b_v4_frag_middle(struct frame *f)
{
	v4_frag_later(f, 0x2000 | 185); /* MF, offset 1480 */
}

static void b_v4_frag_last(struct frame *f)
{
	v4_frag_later(f, 185);
}

static void v6_frag(struct frame *f, uint16_t offset, bool more, uint16_t dport)
{
	fb_init(f);
	fb_eth(f, NULL, 0, ETH_P_IPV6);
	fb_ipv6(f, IPPROTO_FRAGMENT);
	fb_ipv6_frag(f, IPPROTO_UDP, offset, more);
	fb_roce_tail(f, 0, QPN_PLAIN);
	put16(f->buf + f->udp_off + 2, dport);
}

static void b_v6_frag_first(struct frame *f)
{
	v6_frag(f, 0, true, XP_ROCEV2_UDP_PORT);
}

/* RFC 6946 atomic fragment: offset 0, no more fragments. */
static void b_v6_frag_atomic(struct frame *f)
{
	v6_frag(f, 0, false, XP_ROCEV2_UDP_PORT);
}

static void b_v6_frag_later(struct frame *f)
{
	v6_frag(f, 185, true, XP_ROCEV2_UDP_PORT);
}

static void b_v6_frag_first_other_port(struct frame *f)
{
	v6_frag(f, 0, true, 53);
}

static void b_v6_hop_frag_first(struct frame *f)
{
	fb_init(f);
	fb_eth(f, NULL, 0, ETH_P_IPV6);
	fb_ipv6(f, IPPROTO_HOPOPTS);
	fb_ipv6_opts(f, IPPROTO_FRAGMENT, 8);
	fb_ipv6_frag(f, IPPROTO_DSTOPTS, 0, true);
	fb_ipv6_opts(f, IPPROTO_UDP, 8);
	fb_roce_tail(f, 0, QPN_PLAIN);
}

static void b_v6_esp(struct frame *f)
{
	uint8_t *p;

	fb_init(f);
	fb_eth(f, NULL, 0, ETH_P_IPV6);
	fb_ipv6(f, IPPROTO_ESP);
	p = fb_put(f, 8);
	put32(p, 0x100);
	/* what an unencrypted UDP header to 4791 would look like */
	fb_udp(f, 0xc123, XP_ROCEV2_UDP_PORT);
	fb_bth(f, 0, QPN_PLAIN);
	fb_end(f);
}

static void b_v6_no_next(struct frame *f)
{
	fb_init(f);
	fb_eth(f, NULL, 0, ETH_P_IPV6);
	fb_ipv6(f, IPPROTO_NONE);
	fb_bytes(f, 20, 0);
	fb_end(f);
}

static void b_v4_tver1(struct frame *f)
{
	fb_init(f);
	fb_eth(f, NULL, 0, ETH_P_IP);
	fb_ipv4(f, IPPROTO_UDP, 0x4000, 5);
	fb_roce_tail(f, 0x01, QPN_PLAIN);
}

static void b_q_v6_tver15(struct frame *f)
{
	fb_init(f);
	fb_eth(f, tag_q, 1, ETH_P_IPV6);
	fb_ipv6(f, IPPROTO_UDP);
	fb_roce_tail(f, 0x0f, QPN_PLAIN);
}

static void b_v4_udp_len_19(struct frame *f)
{
	b_v4(f);
	fb_set_udp_len(f, 8 + XP_BTH_LEN - 1);
}

static void b_v6_udp_len_8(struct frame *f)
{
	b_v6(f);
	fb_set_udp_len(f, 8);
}

static void b_v4_udp_len_0(struct frame *f)
{
	b_v4(f);
	fb_set_udp_len(f, 0);
}

static void b_v4_udp_len_big(struct frame *f)
{
	b_v4(f);
	fb_set_udp_len(f, f->len - f->udp_off + 1);
}

static void b_v6_udp_len_big(struct frame *f)
{
	b_v6_hop_dst_rt(f);
	/* the extension headers are not part of the UDP datagram */
	fb_set_udp_len(f, f->len - f->udp_off + 1);
}

static void b_q_v4_udp_len_big(struct frame *f)
{
	b_q_v4(f);
	fb_set_udp_len(f, 0xffff);
}

/* The IP header contradicts itself: its payload length is negative. */
static void b_v4_tot_len_below_ihl(struct frame *f)
{
	b_v4(f);
	put16(f->buf + f->l3_off + 2, 16);
}

static void b_v6_payload_len_below_ext(struct frame *f)
{
	b_v6_hop_dst_rt(f);
	put16(f->buf + f->l3_off + 4, 8);
}

/* ------------------------------------------------------------------------ */
/* Test bed: program, maps, netns, veth, AF_XDP socket                      */
/* ------------------------------------------------------------------------ */

#define VETH_QUEUES 4

static struct {
	struct xdp_steer *skel;
	int prog_fd, xsks_fd, qpn_fd, stats_fd;
	int ncpus;
	int ifindex; /* veth with VETH_QUEUES rx queues, 0 if none */
	struct xt_xsk xsk; /* bound AF_XDP socket, fd -1 if none */
	char no_ifindex_why[128];
	char no_xsk_why[256];
} tb = { .xsk.fd = -1 };

static void testbed_net_up(void)
{
	char why[160];
	int err;

	if (unshare(CLONE_NEWNET)) {
		snprintf(tb.no_ifindex_why, sizeof(tb.no_ifindex_why),
			 "unshare(CLONE_NEWNET): %s (needs CAP_SYS_ADMIN)", strerror(errno));
		snprintf(tb.no_xsk_why, sizeof(tb.no_xsk_why), "%s", tb.no_ifindex_why);
		return;
	}
	err = xt_veth_create("xps0", "xps1", VETH_QUEUES);
	if (err) {
		snprintf(tb.no_ifindex_why, sizeof(tb.no_ifindex_why),
			 "creating veth xps0 with %d queues: %s", VETH_QUEUES, strerror(-err));
		snprintf(tb.no_xsk_why, sizeof(tb.no_xsk_why), "%s", tb.no_ifindex_why);
		return;
	}
	tb.ifindex = if_nametoindex("xps0");
	if (!tb.ifindex) {
		snprintf(tb.no_ifindex_why, sizeof(tb.no_ifindex_why), "xps0 vanished: %s",
			 strerror(errno));
		snprintf(tb.no_xsk_why, sizeof(tb.no_xsk_why), "%s", tb.no_ifindex_why);
		return;
	}
	if (xt_xsk_open(&tb.xsk, tb.ifindex, 0, why, sizeof(why)))
		snprintf(tb.no_xsk_why, sizeof(tb.no_xsk_why), "AF_XDP socket on xps0: %s", why);
}

static void testbed_net_down(void)
{
	xt_xsk_close(&tb.xsk);
	/* The namespace itself goes with the process; remove the pair anyway. */
	if (tb.ifindex)
		xt_link_delete(tb.ifindex);
}

/* Slots the socket is moved through; the rx queues plus the QPN targets. */
static const int placements[] = { -1, 0, 1, 2, 3, 7 };

/* Put the socket in slot (alone), or in no slot for -1. 0 or -errno. */
static int place_socket(int slot)
{
	__u32 fd = tb.xsk.fd;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(placements); i++) {
		__u32 k = placements[i];

		if (placements[i] >= 0 && bpf_map_delete_elem(tb.xsks_fd, &k) && errno != ENOENT)
			return -errno;
	}
	if (slot < 0)
		return 0;
	return bpf_map_update_elem(tb.xsks_fd, &(__u32){ slot }, &fd, BPF_ANY);
}

/* ---- counters ----------------------------------------------------------- */

static int read_counters(struct xp_counter out[XP_CNT_MAX])
{
	struct xp_counter percpu[tb.ncpus];
	__u32 k;
	int c;

	for (k = 0; k < XP_CNT_MAX; k++) {
		if (bpf_map_lookup_elem(tb.stats_fd, &k, percpu))
			return -errno;
		out[k].packets = out[k].bytes = 0;
		for (c = 0; c < tb.ncpus; c++) {
			out[k].packets += percpu[c].packets;
			out[k].bytes += percpu[c].bytes;
		}
	}
	return 0;
}

static const char *counter_name(unsigned int idx)
{
	static char buf[32];

	if (xp_steer_counter_str(idx))
		return xp_steer_counter_str(idx);
	snprintf(buf, sizeof(buf), "counter %u", idx);
	return buf;
}

static const char *act_name(int act)
{
	switch (act) {
	case XDP_ABORTED:
		return "XDP_ABORTED";
	case XDP_DROP:
		return "XDP_DROP";
	case XDP_PASS:
		return "XDP_PASS";
	case XDP_TX:
		return "XDP_TX";
	case XDP_REDIRECT:
		return "XDP_REDIRECT";
	}
	return "unknown action";
}

/* ---- one run ------------------------------------------------------------ */

#define NO_COUNTER (-1)

struct expect {
	int err; /* 0, or the -errno BPF_PROG_RUN must fail with */
	__u32 act;
	int counter; /* the one counter that grows, or NO_COUNTER */
};

/*
 * Run the program on the first len bytes of f, with rx queue rxq (0: no
 * ctx_in, which BPF_PROG_RUN treats as queue 0 of loopback). Returns
 * whether everything matched; on a mismatch why says what differed.
 */
static bool run_expect(const struct frame *f, size_t len, unsigned int rxq,
		       const struct expect *want, char *why, size_t whylen)
{
	struct xp_counter before[XP_CNT_MAX], after[XP_CNT_MAX];
	struct xdp_md ctx = {
		.data_end = len,
		.ingress_ifindex = tb.ifindex,
		.rx_queue_index = rxq,
	};
	uint8_t out[FRAME_MAX + 64];
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = f->buf, .data_size_in = len,
		    .data_out = out, .data_size_out = sizeof(out), .repeat = 1);
	unsigned int k;
	int err, n = 0;

	why[0] = '\0';
	if (rxq) {
		opts.ctx_in = &ctx;
		opts.ctx_size_in = sizeof(ctx);
	}
	if (read_counters(before)) {
		snprintf(why, whylen, "reading %s: %s", XP_STEER_STATS_MAP, strerror(errno));
		return false;
	}
	err = bpf_prog_test_run_opts(tb.prog_fd, &opts);
	if (read_counters(after)) {
		snprintf(why, whylen, "reading %s: %s", XP_STEER_STATS_MAP, strerror(errno));
		return false;
	}

	if (err != want->err) {
		n += snprintf(why + n, whylen - n, "BPF_PROG_RUN returned %d (%s), expected %d; ",
			      err, strerror(-err), want->err);
	} else if (!err) {
		if (opts.retval != want->act)
			n += snprintf(why + n, whylen - n, "verdict %s, expected %s; ",
				      act_name(opts.retval), act_name(want->act));
		if (opts.data_size_out != len || memcmp(out, f->buf, len))
			n += snprintf(why + n, whylen - n, "frame modified (%u bytes out); ",
				      opts.data_size_out);
	}
	for (k = 0; k < XP_CNT_MAX && (size_t)n < whylen; k++) {
		__u64 dp = after[k].packets - before[k].packets;
		__u64 db = after[k].bytes - before[k].bytes;
		bool grows = !want->err && want->counter == (int)k;

		if (dp != (grows ? 1 : 0) || db != (grows ? len : 0))
			n += snprintf(why + n, whylen - n,
				      "%s +%llu packets +%llu bytes, expected +%d +%zu; ",
				      counter_name(k), (unsigned long long)dp,
				      (unsigned long long)db, grows, grows ? len : 0);
	}
	return n == 0;
}

/* ------------------------------------------------------------------------ */
/* The table                                                                */
/* ------------------------------------------------------------------------ */

enum outcome {
	PASSED, /* not RoCEv2: XDP_PASS, counted as passed */
	DROPPED, /* XDP_DROP, counted under drop reason `arg` */
	STEERED, /* to XSKMAP slot `arg`: redirected if a socket is there */
};

struct steer_case {
	const char *name;
	void (*build)(struct frame *f);
	enum outcome outcome;
	unsigned int arg;
	unsigned int rxq; /* 0: no ctx_in */
};

static const struct steer_case cases[] = {
	/* RoCEv2 in every framing: to the socket of the rx queue */
	{ "RoCEv2/IPv4 (DF set)", b_v4, STEERED, 0 },
	{ "RoCEv2/IPv6", b_v6, STEERED, 0 },
	{ "RoCEv2/802.1Q/IPv4", b_q_v4, STEERED, 0 },
	{ "RoCEv2/802.1Q/IPv6", b_q_v6, STEERED, 0 },
	{ "RoCEv2/802.1ad/IPv4 (single S-tag)", b_ad_v4, STEERED, 0 },
	{ "RoCEv2/802.1ad/IPv6 (single S-tag)", b_ad_v6, STEERED, 0 },
	{ "RoCEv2/IPv4 with 12 bytes of options (IHL 8)", b_v4_options, STEERED, 0 },
	{ "RoCEv2/IPv6 behind hop-by-hop, dest options, routing", b_v6_hop_dst_rt, STEERED, 0 },
	{ "RoCEv2/IPv6 behind AH (4-octet length units)", b_v6_ah, STEERED, 0 },
	{ "RoCEv2/IPv6 behind 8 extension headers (the limit)", b_v6_8ext, STEERED, 0 },
	{ "RoCEv2/IPv4 followed by Ethernet padding", b_v4_eth_pad, STEERED, 0 },
	{ "RoCEv2/IPv4 UDP length below IP payload, above BTH", b_v4_udp_len_short_of_ip, STEERED,
	  0 },
	{ "RoCEv2/IPv4 SE, M, PadCnt set, TVer 0", b_v4_se_m_pad, STEERED, 0 },

	/* steering by rx queue and by destination QPN */
	{ "no QPN entry, rx queue 2", b_v4, STEERED, 2, 2 },
	{ "no QPN entry, rx queue 3, 802.1Q/IPv6", b_q_v6, STEERED, 3, 3 },
	{ "QPN entry slot 7 overrides rx queue 1", b_v4_qpn7, STEERED, 7, 1 },
	{ "QPN entry slot 3 overrides rx queue 2", b_v4_qpn3, STEERED, 3, 2 },
	{ "QPN entry slot 7, FECN/BECN set, rx queue 0", b_v4_qpn7_fecn_becn, STEERED, 7 },
	{ "QPN entry slot 300 (beyond XSKMAP): redirect fails", b_v6_qpn300, STEERED, 300 },

	/* not RoCEv2, or not identifiable as RoCEv2 */
	{ "QinQ 802.1ad+802.1Q/IPv4 RoCEv2 (two tags)", b_qinq_v4, PASSED },
	{ "802.1Q+802.1Q/IPv6 RoCEv2 (two tags)", b_qq_v6, PASSED },
	{ "IPv4 UDP to 4792", b_v4_udp_other, PASSED },
	{ "IPv4 UDP from 4791 to 53", b_v4_udp_from_4791, PASSED },
	{ "IPv6 UDP (DHCPv6)", b_v6_udp_other, PASSED },
	{ "IPv4 TCP SYN to port 4791", b_v4_tcp_4791, PASSED },
	{ "IPv6 TCP SYN", b_v6_tcp, PASSED },
	{ "IPv4 ICMP echo", b_v4_icmp, PASSED },
	{ "ARP request", b_arp, PASSED },
	{ "IPv6 neighbour solicitation (ICMPv6)", b_v6_nd, PASSED },
	{ "unknown EtherType 0x88b5", b_unknown_ethertype, PASSED },
	{ "IPv4 IHL 4", b_v4_ihl4, PASSED },
	{ "IPv4 EtherType with version 6", b_v4_version6, PASSED },
	{ "IPv4 middle fragment (MF) with RoCEv2-looking data", b_v4_frag_middle, PASSED },
	{ "IPv4 last fragment (no MF) with RoCEv2-looking data", b_v4_frag_last, PASSED },
	{ "IPv4 first fragment to UDP 53", b_v4_frag_first_other_port, PASSED },
	{ "IPv6 non-first fragment with RoCEv2-looking data", b_v6_frag_later, PASSED },
	{ "IPv6 first fragment to UDP 53", b_v6_frag_first_other_port, PASSED },
	{ "IPv6 ESP", b_v6_esp, PASSED },
	{ "IPv6 no next header (59)", b_v6_no_next, PASSED },
	{ "RoCEv2/IPv6 behind 9 extension headers (over the limit)", b_v6_9ext, PASSED },

	/* RoCEv2 that is dropped */
	{ "IPv4 first fragment (MF) of RoCEv2", b_v4_frag_first, DROPPED, XP_DROP_IPV4_FRAGMENT },
	{ "IPv6 first fragment of RoCEv2", b_v6_frag_first, DROPPED, XP_DROP_IPV6_FRAGMENT },
	{ "IPv6 atomic fragment (offset 0, M 0) of RoCEv2", b_v6_frag_atomic, DROPPED,
	  XP_DROP_IPV6_FRAGMENT },
	{ "IPv6 hop-by-hop, fragment, dest options, RoCEv2", b_v6_hop_frag_first, DROPPED,
	  XP_DROP_IPV6_FRAGMENT },
	{ "BTH TVer 1", b_v4_tver1, DROPPED, XP_DROP_BTH_VERSION },
	{ "BTH TVer 15, 802.1Q/IPv6", b_q_v6_tver15, DROPPED, XP_DROP_BTH_VERSION },
	{ "UDP length 19 (< UDP + BTH)", b_v4_udp_len_19, DROPPED, XP_DROP_SHORT_BTH },
	{ "UDP length 8, IPv6", b_v6_udp_len_8, DROPPED, XP_DROP_SHORT_BTH },
	{ "UDP length 0", b_v4_udp_len_0, DROPPED, XP_DROP_SHORT_BTH },
	{ "UDP length one above IPv4 payload", b_v4_udp_len_big, DROPPED, XP_DROP_UDP_LENGTH },
	{ "UDP length one above IPv6 payload minus ext headers", b_v6_udp_len_big, DROPPED,
	  XP_DROP_UDP_LENGTH },
	{ "UDP length 65535, 802.1Q/IPv4", b_q_v4_udp_len_big, DROPPED, XP_DROP_UDP_LENGTH },
	{ "IPv4 total length 16, below its own header", b_v4_tot_len_below_ihl, DROPPED,
	  XP_DROP_UDP_LENGTH },
	{ "IPv6 payload length 8, below its extension headers", b_v6_payload_len_below_ext, DROPPED,
	  XP_DROP_UDP_LENGTH },
};

/* Expected result for a frame steered to `slot` with the socket in `sock`. */
static struct expect steer_expect(unsigned int slot, int sock)
{
	if (sock >= 0 && (unsigned int)sock == slot)
		return (struct expect){ .act = XDP_REDIRECT, .counter = XP_CNT_REDIRECTED };
	return (struct expect){ .act = XDP_PASS, .counter = XP_CNT_REDIRECT_FAILED };
}

static void run_case(const struct steer_case *c)
{
	char why[1024];
	struct frame f;
	struct expect want;
	size_t i;
	int bad = 0, runs = 0;

	c->build(&f);
	if (c->rxq && !tb.ifindex) {
		xt_skip("%s: rx queue %u needs a device: %s", c->name, c->rxq, tb.no_ifindex_why);
		return;
	}

	if (c->outcome != STEERED) {
		if (c->outcome == PASSED)
			want = (struct expect){ .act = XDP_PASS, .counter = XP_CNT_PASSED };
		else
			want = (struct expect){ .act = XDP_DROP, .counter = XP_CNT_DROP(c->arg) };
		/* a socket where a wrong steering decision would send the frame */
		if (tb.xsk.fd >= 0 && place_socket(c->rxq)) {
			xt_fail("%s: placing the socket in slot %u: %s", c->name, c->rxq,
				strerror(errno));
			return;
		}
		if (!xt_check(run_expect(&f, f.len, c->rxq, &want, why, sizeof(why)),
			      "%s: %s, %s +1", c->name, act_name(want.act),
			      counter_name(want.counter)))
			xt_note("%s", why);
		return;
	}

	/*
	 * Move the socket through the slots: only with it in the expected
	 * slot may the frame be redirected.
	 */
	for (i = 0; i < ARRAY_SIZE(placements); i++) {
		int sock = placements[i];

		if (sock >= 0 && tb.xsk.fd < 0)
			break;
		if (tb.xsk.fd >= 0 && place_socket(sock)) {
			xt_note("placing the socket in slot %d: %s", sock, strerror(errno));
			bad++;
			continue;
		}
		want = steer_expect(c->arg, sock);
		runs++;
		if (!run_expect(&f, f.len, c->rxq, &want, why, sizeof(why))) {
			bad++;
			if (sock < 0)
				xt_note("no socket in any slot: %s", why);
			else
				xt_note("socket in slot %d: %s", sock, why);
		}
	}
	if (tb.xsk.fd >= 0)
		xt_check(!bad, "%s: slot %u (redirected only with the socket there, %d placements)",
			 c->name, c->arg, runs);
	else
		xt_check(!bad, "%s: XDP_PASS, redirect_failed +1 with no socket; slot %u unchecked",
			 c->name, c->arg);
}

/* ------------------------------------------------------------------------ */
/* Truncation: every RoCEv2 frame cut at every length                       */
/* ------------------------------------------------------------------------ */

static const struct {
	const char *name;
	void (*build)(struct frame *f);
} sweep_frames[] = {
	{ "RoCEv2/IPv4", b_v4 },
	{ "RoCEv2/IPv6", b_v6 },
	{ "RoCEv2/802.1Q/IPv4", b_q_v4 },
	{ "RoCEv2/802.1Q/IPv6", b_q_v6 },
	{ "RoCEv2/802.1ad/IPv4", b_ad_v4 },
	{ "RoCEv2/802.1ad/IPv6", b_ad_v6 },
	{ "RoCEv2/IPv4 with options", b_v4_options },
	{ "RoCEv2/IPv6 behind hop-by-hop, dest options, routing", b_v6_hop_dst_rt },
	{ "RoCEv2/IPv6 behind AH", b_v6_ah },
};

/*
 * What the program must do with the first len bytes of a RoCEv2 frame:
 * BPF_PROG_RUN refuses less than an Ethernet header (EINVAL, nothing
 * counted); until the UDP header is complete the port is unknown and the
 * frame goes to the kernel; until the BTH is complete it is short_bth; from
 * there on the steering decision stands (bytes after the BTH are the
 * engine's to check, not the steering program's).
 */
static struct expect truncated_expect(const struct frame *f, size_t len, int sock)
{
	if (len < ETH_HLEN)
		return (struct expect){ .err = -EINVAL, .counter = NO_COUNTER };
	if (len < f->udp_end)
		return (struct expect){ .act = XDP_PASS, .counter = XP_CNT_PASSED };
	if (len < f->bth_end)
		return (struct expect){ .act = XDP_DROP,
					.counter = XP_CNT_DROP(XP_DROP_SHORT_BTH) };
	return steer_expect(0, sock);
}

static void truncation_sweep(void)
{
	int sock = tb.xsk.fd >= 0 ? 0 : -1;
	char why[1024];
	size_t i, len;

	if (tb.xsk.fd >= 0 && place_socket(sock)) {
		xt_fail("truncation: placing the socket in slot 0: %s", strerror(errno));
		return;
	}
	for (i = 0; i < ARRAY_SIZE(sweep_frames); i++) {
		struct frame f;
		int bad = 0;

		sweep_frames[i].build(&f);
		xt_set_quiet(true);
		for (len = 0; len <= f.len; len++) {
			struct expect want = truncated_expect(&f, len, sock);

			if (!xt_check(run_expect(&f, len, 0, &want, why, sizeof(why)),
				      "%s cut to %zu of %zu bytes", sweep_frames[i].name, len,
				      f.len)) {
				xt_note("%s", why);
				bad++;
			}
		}
		xt_set_quiet(false);
		xt_check(!bad,
			 "%s cut at every length 0..%zu: EINVAL <%d, pass <%zu, short_bth <%zu, "
			 "then %s (%d wrong)",
			 sweep_frames[i].name, f.len, ETH_HLEN, f.udp_end, f.bth_end,
			 sock >= 0 ? "redirect" : "redirect_failed", bad);
	}
}

/* ------------------------------------------------------------------------ */
/* Object shape and kernel behaviour the tests rely on                      */
/* ------------------------------------------------------------------------ */

static void check_map(const struct bpf_map *map, const char *name, enum bpf_map_type type,
		      __u32 max, __u32 key_size, __u32 value_size)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);
	int err;

	err = bpf_obj_get_info_by_fd(bpf_map__fd(map), &info, &len);
	xt_check(!err && !strcmp(info.name, name) && info.type == type && info.max_entries == max &&
			 info.key_size == key_size && info.value_size == value_size &&
			 !bpf_map__pin_path(map),
		 "map %s: kernel name, type %d, %u entries, key %u, value %u, not pinned", name,
		 type, max, key_size, value_size);
}

static void check_object(void)
{
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info);
	int err;

	err = bpf_obj_get_info_by_fd(tb.prog_fd, &info, &len);
	xt_check(!err && !strcmp(info.name, XP_STEER_PROG_NAME) && info.type == BPF_PROG_TYPE_XDP &&
			 info.nr_map_ids == 3,
		 "program %s is XDP with 3 maps", XP_STEER_PROG_NAME);
	check_map(tb.skel->maps.xp_xsks, XP_STEER_XSKS_MAP, BPF_MAP_TYPE_XSKMAP, XP_STEER_MAX_SLOTS,
		  4, 4);
	check_map(tb.skel->maps.xp_qpn, XP_STEER_QPN_MAP, BPF_MAP_TYPE_HASH, XP_STEER_MAX_QPNS, 4,
		  sizeof(struct xp_qpn_entry));
	check_map(tb.skel->maps.xp_stats, XP_STEER_STATS_MAP, BPF_MAP_TYPE_PERCPU_ARRAY, XP_CNT_MAX,
		  4, sizeof(struct xp_counter));
}

/* BPF_PROG_RUN rules for ctx_in that the rx-queue cases depend on. */
static void check_ctx_rules(void)
{
	struct frame f;
	struct xdp_md ctx = { .rx_queue_index = 1 };
	LIBBPF_OPTS(bpf_test_run_opts, opts, .ctx_in = &ctx, .ctx_size_in = sizeof(ctx));
	int err;

	b_v4(&f);
	ctx.data_end = f.len;
	opts.data_in = f.buf;
	opts.data_size_in = f.len;
	err = bpf_prog_test_run_opts(tb.prog_fd, &opts);
	xt_check(err == -EINVAL,
		 "BPF_PROG_RUN: rx_queue_index without ingress_ifindex is EINVAL (%d)", err);

	if (!tb.ifindex) {
		xt_skip("BPF_PROG_RUN: rx queue beyond the device: %s", tb.no_ifindex_why);
		return;
	}
	ctx.ingress_ifindex = tb.ifindex;
	ctx.rx_queue_index = VETH_QUEUES;
	err = bpf_prog_test_run_opts(tb.prog_fd, &opts);
	xt_check(err == -EINVAL, "BPF_PROG_RUN: rx queue %d of a %d-queue veth is EINVAL (%d)",
		 VETH_QUEUES, VETH_QUEUES, err);
}

static int install_qpns(void)
{
	static const struct {
		__u32 qpn, slot;
	} qpns[] = {
		{ QPN_TO_SLOT7, 7 },
		{ QPN_TO_SLOT3, 3 },
		{ QPN_TO_SLOT300, 300 },
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(qpns); i++) {
		struct xp_qpn_entry e = { .slot = qpns[i].slot };

		if (bpf_map_update_elem(tb.qpn_fd, &qpns[i].qpn, &e, BPF_NOEXIST))
			return -errno;
	}
	return 0;
}

static int print_libbpf(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (level == LIBBPF_DEBUG && !getenv("XT_VERBOSE"))
		return 0;
	return vfprintf(stderr, fmt, ap);
}

int main(void)
{
	size_t i;
	int err;

	setvbuf(stdout, NULL, _IOLBF, 0);
	libbpf_set_print(print_libbpf);

	tb.ncpus = libbpf_num_possible_cpus();
	if (tb.ncpus <= 0) {
		xt_fail("libbpf_num_possible_cpus: %d", tb.ncpus);
		return xt_summary();
	}
	tb.skel = xdp_steer__open_and_load();
	if (!xt_check(tb.skel, "open and load %s through its skeleton", XP_STEER_PROG_NAME)) {
		xt_note("%s; run as root on a kernel with BPF and BTF", strerror(errno));
		return xt_summary();
	}
	tb.prog_fd = bpf_program__fd(tb.skel->progs.xdp_steer);
	tb.xsks_fd = bpf_map__fd(tb.skel->maps.xp_xsks);
	tb.qpn_fd = bpf_map__fd(tb.skel->maps.xp_qpn);
	tb.stats_fd = bpf_map__fd(tb.skel->maps.xp_stats);

	check_object();
	err = install_qpns();
	if (!xt_check(!err, "install QPN entries 0x%06x->7, 0x%06x->3, 0x%06x->300", QPN_TO_SLOT7,
		      QPN_TO_SLOT3, QPN_TO_SLOT300))
		xt_note("%s", strerror(-err));

	testbed_net_up();
	if (tb.ifindex)
		xt_pass("veth xps0 with %d rx queues in a private netns", VETH_QUEUES);
	else
		xt_skip("no veth: %s", tb.no_ifindex_why);
	if (tb.xsk.fd >= 0)
		xt_pass("AF_XDP socket bound to xps0 queue 0 (copy mode)");
	else
		xt_skip("redirect targets unchecked, no AF_XDP socket: %s", tb.no_xsk_why);

	check_ctx_rules();
	for (i = 0; i < ARRAY_SIZE(cases); i++)
		run_case(&cases[i]);
	truncation_sweep();

	/* xdp_steer_mb (xdp.frags) shares the code: every case, same verdict. */
	tb.prog_fd = bpf_program__fd(tb.skel->progs.xdp_steer_mb);
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		struct steer_case c = cases[i];
		char name[160];

		snprintf(name, sizeof(name), "%s: %s", XP_STEER_PROG_NAME_MB, cases[i].name);
		c.name = name;
		run_case(&c);
	}

	testbed_net_down();
	xdp_steer__destroy(tb.skel);
	return xt_summary();
}
