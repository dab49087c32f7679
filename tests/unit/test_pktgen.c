// SPDX-License-Identifier: GPL-2.0
/*
 * Template frames (user/lib/gen/pktgen.c): header fields, lengths, IPv4 header
 * checksum, the payload pattern of include/xdpath/gen.h, option checks, and
 * xp_pktgen_verify() on good and damaged frames. No privileges needed.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <linux/if_ether.h>

#include "xp_log.h"
#include "xp_pktgen.h"
#include "xp_test.h"

static const __u8 dmac[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x02 };
static const __u8 smac[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x01 };

static unsigned int be16(const __u8 *p)
{
	return p[0] << 8 | p[1];
}

static unsigned int be32(const __u8 *p)
{
	return (unsigned int)p[0] << 24 | p[1] << 16 | p[2] << 8 | p[3];
}

static void put_be64(__u8 *p, __u64 v)
{
	int i;

	for (i = 7; i >= 0; i--, v >>= 8)
		p[i] = v;
}

/* Ones-complement sum of a header including its checksum field: 0xffff if right. */
static unsigned int csum_fold_all(const __u8 *p, int len)
{
	unsigned int sum = 0;
	int i;

	for (i = 0; i < len; i += 2)
		sum += be16(p + i);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return sum;
}

static void base_opts(struct xp_pktgen_template_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->sz = sizeof(*o);
	memcpy(o->dst_mac, dmac, 6);
	memcpy(o->src_mac, smac, 6);
	inet_pton(AF_INET, "198.18.0.1", &o->src_ip.v4);
	inet_pton(AF_INET, "198.18.0.2", &o->dst_ip.v4);
}

static bool pattern_ok(const struct xp_pktgen_template *t)
{
	unsigned int k;

	for (k = 0; t->pattern_off + k < t->len; k++)
		if (t->data[t->pattern_off + k] != XP_GEN_PATTERN(k))
			return false;
	return true;
}

/* A frame as the generator sends it: the template with a sequence number stamped. */
static void stamp(__u8 *frame, const struct xp_pktgen_template *t, __u64 seq)
{
	memcpy(frame, t->data, t->len);
	put_be64(frame + t->seq_off, seq);
	if (t->flows > 1) {
		frame[t->l4_off] = (t->src_port + seq % t->flows) >> 8;
		frame[t->l4_off + 1] = (t->src_port + seq % t->flows) & 0xff;
	}
}

static void test_ipv4(void)
{
	struct xp_pktgen_template_opts o;
	struct xp_pktgen_template t;
	const __u8 *ip, *udp, *bth;
	__u8 frame[XP_GEN_FRAME_MAX];
	__u64 seq = 0;
	int err;

	base_opts(&o);
	err = xp_pktgen_build(&t, &o);
	if (!xt_check(err == 0, "v4: default template builds (err %d)", err))
		return;
	xt_check(t.len == 64, "v4: default frame size is 64 (got %u)", t.len);
	xt_check(!memcmp(t.data, dmac, 6) && !memcmp(t.data + 6, smac, 6), "v4: MACs in place");
	xt_check(be16(t.data + 12) == ETH_P_IP, "v4: ethertype 0x0800");
	xt_check(t.l3_off == 14 && t.l4_off == 34 && t.bth_off == 42 && t.seq_off == 54 &&
			 t.pattern_off == 62,
		 "v4: offsets 14/34/42/54/62 (got %u/%u/%u/%u/%u)", t.l3_off, t.l4_off, t.bth_off,
		 t.seq_off, t.pattern_off);

	ip = t.data + t.l3_off;
	xt_check(ip[0] == 0x45, "v4: version 4, IHL 5");
	xt_check(be16(ip + 2) == 64 - 14, "v4: total length %u", be16(ip + 2));
	xt_check(be16(ip + 6) == 0x4000, "v4: DF set, no fragment offset");
	xt_check(ip[8] == 64 && ip[9] == 17, "v4: TTL 64, protocol UDP");
	xt_check(csum_fold_all(ip, 20) == 0xffff, "v4: header checksum 0x%04x is right",
		 be16(ip + 10));
	xt_check(be32(ip + 12) == 0xc6120001 && be32(ip + 16) == 0xc6120002,
		 "v4: addresses 198.18.0.1 -> 198.18.0.2");

	udp = t.data + t.l4_off;
	xt_check(be16(udp) == XP_PKTGEN_DEFAULT_SRC_PORT, "v4: UDP source port 0xc000");
	xt_check(be16(udp + 2) == 4791, "v4: UDP destination port 4791");
	xt_check(be16(udp + 4) == 64 - 34, "v4: UDP length %u", be16(udp + 4));
	xt_check(be16(udp + 6) == 0, "v4: UDP checksum 0");

	bth = t.data + t.bth_off;
	xt_check(bth[0] == XP_GEN_OP_RC_SEND_ONLY, "v4: BTH opcode RC SEND_ONLY");
	xt_check((bth[1] & 0x0f) == 0, "v4: BTH TVer 0");
	xt_check(be16(bth + 2) == 0xffff, "v4: BTH P_Key 0xffff");
	xt_check(be32(bth + 4) == XP_PKTGEN_DEFAULT_QPN, "v4: BTH dest QPN %u", be32(bth + 4));
	xt_check(pattern_ok(&t), "v4: payload pattern");

	stamp(frame, &t, 123456789);
	err = xp_pktgen_verify(&t, frame, t.len, &seq);
	xt_check(err == 0 && seq == 123456789, "v4: verify accepts a stamped frame, seq %llu",
		 (unsigned long long)seq);
	err = xp_pktgen_seq(&t, frame, t.len, &seq);
	xt_check(err == 0 && seq == 123456789, "v4: seq reads the sequence number");

	frame[t.len - 1] ^= 0x01;
	xt_check(xp_pktgen_verify(&t, frame, t.len, NULL) == -EBADMSG,
		 "v4: verify rejects a flipped last payload byte");
	frame[t.len - 1] ^= 0x01;
	frame[t.pattern_off] ^= 0x80;
	xt_check(xp_pktgen_verify(&t, frame, t.len, NULL) == -EBADMSG,
		 "v4: verify rejects a flipped first payload byte");
	frame[t.pattern_off] ^= 0x80;
	frame[t.bth_off + 7] ^= 0x01;
	xt_check(xp_pktgen_verify(&t, frame, t.len, NULL) == -EBADMSG,
		 "v4: verify rejects a changed QPN");
	frame[t.bth_off + 7] ^= 0x01;
	xt_check(xp_pktgen_verify(&t, frame, t.len - 1, NULL) == -EBADMSG,
		 "v4: verify rejects a frame one byte short");
	xt_check(xp_pktgen_verify(&t, frame, t.len + 1, NULL) == -EBADMSG,
		 "v4: verify rejects a frame one byte long");
	xt_check(xp_pktgen_seq(&t, frame, t.seq_off + 7, NULL) == -EBADMSG,
		 "v4: seq rejects a frame that ends inside the sequence number");

	/* MACs: ignored by default, compared or expected swapped on request */
	frame[0] ^= 0xff;
	xt_check(xp_pktgen_verify(&t, frame, t.len, NULL) == 0,
		 "v4: verify ignores MACs by default");
	xt_check(xp_pktgen_verify_flags(&t, frame, t.len, NULL, XP_PKTGEN_VERIFY_MACS) == -EBADMSG,
		 "v4: verify with MACS rejects a changed destination MAC");
	frame[0] ^= 0xff;
	xt_check(xp_pktgen_verify_flags(&t, frame, t.len, NULL, XP_PKTGEN_VERIFY_MACS) == 0,
		 "v4: verify with MACS accepts the template's MACs");
	memcpy(frame, smac, 6);
	memcpy(frame + 6, dmac, 6);
	xt_check(xp_pktgen_verify_flags(&t, frame, t.len, NULL, XP_PKTGEN_VERIFY_SWAPPED_MACS) == 0,
		 "v4: verify with SWAPPED_MACS accepts an l2fwd'ed frame");
	xt_check(xp_pktgen_verify_flags(&t, frame, t.len, NULL, XP_PKTGEN_VERIFY_MACS) == -EBADMSG,
		 "v4: verify with MACS rejects swapped MACs");
}

static void test_ipv6_ud(void)
{
	struct xp_pktgen_template_opts o;
	struct xp_pktgen_template t;
	__u8 frame[XP_GEN_FRAME_MAX];
	const __u8 *ip6, *bth;
	int err;

	base_opts(&o);
	o.family = AF_INET6;
	inet_pton(AF_INET6, "fd00::1", &o.src_ip.v6);
	inet_pton(AF_INET6, "fd00::2", &o.dst_ip.v6);
	o.opcode = XP_GEN_OP_UD_SEND_ONLY;
	o.dest_qpn = 0x123456;
	o.qkey = 0x80010000;
	o.src_qpn = 0x42;
	o.frame_size = 1500;
	err = xp_pktgen_build(&t, &o);
	if (!xt_check(err == 0, "v6: UD template of 1500 bytes builds (err %d)", err))
		return;
	xt_check(be16(t.data + 12) == ETH_P_IPV6, "v6: ethertype 0x86dd");
	ip6 = t.data + t.l3_off;
	xt_check((ip6[0] >> 4) == 6, "v6: version 6");
	xt_check(be16(ip6 + 4) == 1500 - 14 - 40, "v6: payload length %u", be16(ip6 + 4));
	xt_check(ip6[6] == 17 && ip6[7] == 64, "v6: next header UDP, hop limit 64");
	xt_check(ip6[8] == 0xfd && ip6[23] == 1 && ip6[24] == 0xfd && ip6[39] == 2,
		 "v6: addresses fd00::1 -> fd00::2");
	xt_check(t.l4_off == 54 && be16(t.data + t.l4_off + 4) == 1500 - 54,
		 "v6: UDP at 54, length %u", be16(t.data + t.l4_off + 4));
	bth = t.data + t.bth_off;
	xt_check(bth[0] == 0x64 && be32(bth + 4) == 0x123456,
		 "v6: BTH opcode UD SEND_ONLY, QPN 0x123456");
	xt_check(be32(bth + 12) == 0x80010000 && be32(bth + 16) == 0x42,
		 "v6: DETH Q_Key 0x80010000, source QP 0x42");
	xt_check(t.seq_off == t.bth_off + 12 + 8, "v6: sequence number right after the DETH");
	xt_check(t.len == 1500 && pattern_ok(&t), "v6: 1500 bytes, payload pattern");

	stamp(frame, &t, ~0ull);
	xt_check(xp_pktgen_verify(&t, frame, t.len, NULL) == 0,
		 "v6: verify accepts sequence number 2^64-1");
	frame[t.seq_off - 1] ^= 0x10; /* last DETH byte */
	xt_check(xp_pktgen_verify(&t, frame, t.len, NULL) == -EBADMSG,
		 "v6: verify rejects a changed DETH");
}

static void test_vlan_flows(void)
{
	struct xp_pktgen_template_opts o;
	struct xp_pktgen_template t;
	__u8 frame[XP_GEN_FRAME_MAX];
	__u64 seq;
	int err;

	base_opts(&o);
	o.vlan_id = 100;
	o.vlan_prio = 3;
	o.flows = 4;
	o.src_port = 50000;
	o.frame_size = 64;
	xt_check(xp_pktgen_build(&t, &o) == -EINVAL && xp_pktgen_min_size(&o) == 66,
		 "vlan: 64 bytes refused for a tagged IPv4 RC frame (minimum %d)",
		 xp_pktgen_min_size(&o));
	o.frame_size = 128;
	err = xp_pktgen_build(&t, &o);
	if (!xt_check(err == 0, "vlan: template builds (err %d)", err))
		return;
	xt_check(be16(t.data + 12) == ETH_P_8021Q, "vlan: TPID 0x8100");
	xt_check(be16(t.data + 14) == (3 << 13 | 100), "vlan: TCI prio 3, id 100 (0x%04x)",
		 be16(t.data + 14));
	xt_check(be16(t.data + 16) == ETH_P_IP, "vlan: inner ethertype 0x0800");
	xt_check(t.l3_off == 18 && t.len == 128, "vlan: IP at 18, 128 bytes");
	xt_check(be16(t.data + t.l3_off + 2) == 128 - 18, "vlan: IPv4 total length %u",
		 be16(t.data + t.l3_off + 2));
	xt_check(csum_fold_all(t.data + t.l3_off, 20) == 0xffff, "vlan: IPv4 checksum right");
	xt_check(pattern_ok(&t), "vlan: payload pattern");

	for (seq = 0; seq < 8; seq++) {
		stamp(frame, &t, seq);
		if (xp_pktgen_verify(&t, frame, t.len, NULL))
			break;
	}
	xt_check(seq == 8, "flows: verify accepts the port the generator writes (seq 0..7)");
	stamp(frame, &t, 5);
	frame[t.l4_off + 1] = (50000 + 6 % 4) & 0xff; /* port of another sequence number */
	xt_check(xp_pktgen_verify(&t, frame, t.len, NULL) == -EBADMSG,
		 "flows: verify rejects a source port that does not match the sequence number");
}

static void test_bad_options(void)
{
	struct xp_pktgen_template_opts o;
	struct xp_pktgen_template t;
	struct {
		struct xp_pktgen_template_opts o;
		__u64 extra;
	} big;

	base_opts(&o);
	o.frame_size = XP_GEN_TEMPLATE_MAX + 1;
	xt_check(xp_pktgen_build(&t, &o) == -EINVAL, "bad: frame size %d refused",
		 XP_GEN_TEMPLATE_MAX + 1);
	o.frame_size = XP_GEN_TEMPLATE_MAX;
	xt_check(xp_pktgen_build(&t, &o) == 0 && t.len == XP_GEN_TEMPLATE_MAX && pattern_ok(&t),
		 "bad: frame size %d (the largest) accepted", XP_GEN_TEMPLATE_MAX);

	base_opts(&o);
	o.frame_size = 61; /* IPv4 RC needs 62 */
	xt_check(xp_pktgen_build(&t, &o) == -EINVAL && xp_pktgen_min_size(&o) == 62,
		 "bad: 61 bytes refused for IPv4 RC (minimum %d)", xp_pktgen_min_size(&o));
	o.frame_size = 62;
	xt_check(xp_pktgen_build(&t, &o) == 0 && t.pattern_off == t.len,
		 "bad: 62 bytes accepted, no pattern bytes");
	o.family = AF_INET6;
	o.frame_size = 64;
	xt_check(xp_pktgen_build(&t, &o) == -EINVAL && xp_pktgen_min_size(&o) == 82,
		 "bad: 64 bytes refused for IPv6 (minimum %d)", xp_pktgen_min_size(&o));

	base_opts(&o);
	o.vlan_id = 4095;
	xt_check(xp_pktgen_build(&t, &o) == -EINVAL, "bad: VLAN 4095 refused");
	base_opts(&o);
	o.vlan_prio = 8;
	o.vlan_id = 1;
	xt_check(xp_pktgen_build(&t, &o) == -EINVAL, "bad: VLAN priority 8 refused");
	base_opts(&o);
	o.dest_qpn = 1 << 24;
	xt_check(xp_pktgen_build(&t, &o) == -EINVAL, "bad: QPN 2^24 refused");
	base_opts(&o);
	o.src_port = 65535;
	o.flows = 2;
	xt_check(xp_pktgen_build(&t, &o) == -EINVAL, "bad: flows past port 65535 refused");
	base_opts(&o);
	o.family = AF_UNIX;
	xt_check(xp_pktgen_build(&t, &o) == -EINVAL, "bad: address family AF_UNIX refused");

	memset(&big, 0, sizeof(big));
	base_opts(&big.o);
	big.o.sz = sizeof(big);
	xt_check(xp_pktgen_build(&t, &big.o) == 0, "opts: larger struct with zero tail accepted");
	big.extra = 1;
	xt_check(xp_pktgen_build(&t, &big.o) == -EINVAL,
		 "opts: larger struct with an unknown option refused");
	xt_check(xp_pktgen_build(&t, NULL) == 0 && t.len == 64,
		 "opts: NULL options give the defaults");
}

int main(void)
{
	xp_set_print(NULL); /* the bad-option cases warn by design */
	test_ipv4();
	test_ipv6_ud();
	test_vlan_flows();
	test_bad_options();
	return xt_summary();
}
