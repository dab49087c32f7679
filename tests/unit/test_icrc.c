// SPDX-License-Identifier: GPL-2.0
/*
 * ICRC: the CRC engine against the standard CRC-32 check value and the
 * seed rxe uses, then the invariant-field masking: changing a field a
 * router may change (TTL, TOS, IPv4 checksum, UDP checksum, IPv6 traffic
 * class/flow label/hop limit, BTH FECN/BECN) keeps the ICRC, changing any
 * other byte breaks it. Two ACKs that kernel rdma_rxe sent are known answers
 * (more frames: tests/unit/test_rxe_frames.c).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "xp_icrc.h"
#include "xp_test.h"

/* Bit-at-a-time reference, independent of the table code. */
static __u32 crc_ref(__u32 crc, const __u8 *p, size_t n)
{
	int k;

	while (n--) {
		crc ^= *p++;
		for (k = 0; k < 8; k++)
			crc = (crc >> 1) ^ (crc & 1 ? 0xedb88320u : 0);
	}
	return crc;
}

static void test_crc(void)
{
	static const __u8 ff[8] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	__u8 buf[4099];
	size_t off, n;
	bool same = true;

	xt_check(~xp_crc32_le(~0u, "123456789", 9) == 0xcbf43926u,
		 "crc32: check value of \"123456789\" is 0xcbf43926");
	xt_check(xp_crc32_le(~0u, ff, 8) == 0xdebb20e3u,
		 "crc32: eight 0xff bytes give rxe's seed 0xdebb20e3");
	for (n = 0; n < sizeof(buf); n++)
		buf[n] = (__u8)(n * 131 + 7);
	for (off = 0; off < 8; off++)
		for (n = 0; n + off <= sizeof(buf); n += 1 + n / 3)
			same &= xp_crc32_le(0x12345678, buf + off, n) ==
				crc_ref(0x12345678, buf + off, n);
	xt_check(same, "crc32: slice-by-8 equals bitwise at every alignment and many lengths");
}

/* IPv4/UDP/BTH/payload(+pad)/ICRC */
static size_t build_v4(__u8 *p, size_t payload)
{
	size_t len = 20 + 8 + 12 + payload + 4, i;

	memset(p, 0, len);
	p[0] = 0x45;
	p[2] = len >> 8;
	p[3] = len;
	p[6] = 0x40; /* DF */
	p[8] = 64;
	p[9] = 17;
	p[10] = 0x12; /* some checksum */
	p[11] = 0x34;
	memcpy(p + 12, "\xc6\x12\x00\x01\xc6\x12\x00\x02", 8);
	p[20] = 0xc0; /* UDP 49152 -> 4791 */
	p[22] = 0x12;
	p[23] = 0xb7;
	p[24] = (len - 20) >> 8;
	p[25] = len - 20;
	p[28] = 0x04; /* RC SEND_ONLY */
	p[30] = p[31] = 0xff;
	p[35] = 0x11; /* QPN 17 */
	p[36] = 0x80; /* AckReq */
	p[39] = 0x05; /* PSN 5 */
	for (i = 0; i < payload; i++)
		p[40 + i] = i * 7 + 3;
	return len;
}

static size_t build_v6(__u8 *p, size_t payload)
{
	size_t len = 40 + 8 + 12 + payload + 4, i;

	memset(p, 0, len);
	p[0] = 0x60;
	p[4] = (len - 40) >> 8;
	p[5] = len - 40;
	p[6] = 17;
	p[7] = 64;
	p[8] = 0xfd;
	p[23] = 1;
	p[24] = 0xfd;
	p[39] = 2;
	p[40] = 0xc0;
	p[42] = 0x12;
	p[43] = 0xb7;
	p[44] = (len - 40) >> 8;
	p[45] = len - 40;
	p[48] = 0x64; /* UD SEND_ONLY */
	p[50] = p[51] = 0xff;
	p[55] = 0x11;
	for (i = 0; i < payload; i++)
		p[60 + i] = i * 5 + 1;
	return len;
}

/*
 * ACKs from tests/data/rxe/ (6.1.0-56): rc_send.pcap frame 2 and ipv6.pcap
 * frame 4, from the IP header on. The last 4 bytes are rxe's ICRC.
 */
/* One header per line reads better than packed bytes. */
/* clang-format off */
static const __u8 rxe_ack4[] = {
	0x45, 0x00, 0x00, 0x30, 0xf3, 0x86, 0x40, 0x00, 0x40, 0x11, 0xf2, 0xf9,
	0xc6, 0x12, 0x64, 0x0b, 0xc6, 0x12, 0x64, 0x0c, /* 198.18.100.11 -> .12 */
	0xc1, 0x43, 0x12, 0xb7, 0x00, 0x1c, 0x00, 0x00, /* UDP 49475 -> 4791 */
	0x11, 0x00, 0xff, 0xff, 0x00, 0x00, 0x00, 0x13, 0x00, 0x5a, 0x03, 0x06, /* BTH */
	0x1f, 0x00, 0x00, 0x01, /* AETH */
	0xbe, 0x9b, 0x20, 0x9c, /* ICRC */
};

static const __u8 rxe_ack6[] = {
	0x60, 0x00, 0x00, 0x00, 0x00, 0x1c, 0x11, 0x40,
	0xfd, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x11, /* fd00::11 */
	0xfd, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x12, /* fd00::12 */
	0xc3, 0x9c, 0x12, 0xb7, 0x00, 0x1c, 0x00, 0x00, /* UDP 50076 -> 4791 */
	0x11, 0x00, 0xff, 0xff, 0x00, 0x00, 0x00, 0x21, 0x00, 0x79, 0xe8, 0xd0, /* BTH */
	0x1f, 0x00, 0x00, 0x01, /* AETH */
	0xfb, 0x9a, 0xed, 0xe3, /* ICRC */
};
/* clang-format on */

/* rxe's trailer is the inverted CRC, least significant byte first. */
static void test_rxe_known(const char *fam, const __u8 *frame, size_t len)
{
	const __u8 *t = frame + len - 4;
	__u32 le = t[0] | t[1] << 8 | t[2] << 16 | (__u32)t[3] << 24;
	__u8 copy[128];

	xt_check(xp_icrc_check(frame, len) == 0, "rxe %s ACK: ICRC checks", fam);
	xt_check(xp_icrc_compute(frame, len) == le &&
			 xp_icrc_compute(frame, len) != __builtin_bswap32(le),
		 "rxe %s ACK: ICRC 0x%08x, stored least significant byte first", fam, le);
	memcpy(copy, frame, len);
	memset(copy + len - 4, 0, 4);
	xt_check(xp_icrc_set(copy, len) == 0 && !memcmp(copy, frame, len),
		 "rxe %s ACK: xp_icrc_set writes rxe's bytes", fam);
}

struct mutation {
	const char *what;
	size_t off;
	__u8 mask;
	bool invariant; /* false: ICRC must still match */
};

/* Bits a router may change, which the ICRC must not cover. */
struct variant {
	size_t off;
	__u8 mask;
};

static __u8 variant_mask(const struct variant *v, size_t nv, size_t off)
{
	size_t i;

	for (i = 0; i < nv; i++)
		if (v[i].off == off)
			return v[i].mask;
	return 0;
}

static void test_masking(const char *fam, __u8 *p, size_t len, const struct mutation *m, size_t nm,
			 const struct variant *v, size_t nv)
{
	__u8 copy[5000];
	size_t i, bit;
	bool all = true;

	xt_check(xp_icrc_set(p, len) == 0 && xp_icrc_check(p, len) == 0, "%s: set then check", fam);
	for (i = 0; i < nm; i++) {
		memcpy(copy, p, len);
		copy[m[i].off] ^= m[i].mask;
		xt_check((xp_icrc_check(copy, len) == 0) == !m[i].invariant, "%s: %s %s the ICRC",
			 fam, m[i].what, m[i].invariant ? "changes" : "keeps");
	}
	/* Every single-bit flip: caught unless the bit is a variant one. */
	for (i = 0; i < len; i++) {
		for (bit = 0; bit < 8; bit++) {
			bool variant = variant_mask(v, nv, i) & (1u << bit);

			memcpy(copy, p, len);
			copy[i] ^= 1u << bit;
			if ((xp_icrc_check(copy, len) == 0) != variant) {
				if (all)
					xt_note("byte %zu bit %zu: wrong verdict", i, bit);
				all = false;
			}
		}
	}
	xt_check(all, "%s: each of %zu bits is covered exactly when it is invariant", fam, len * 8);
}

int main(void)
{
	static const struct mutation v4[] = {
		{ "IPv4 TOS", 1, 0xff, false },
		{ "IPv4 TTL", 8, 0x3f, false },
		{ "IPv4 checksum", 10, 0xff, false },
		{ "IPv4 checksum low", 11, 0x0f, false },
		{ "UDP checksum", 26, 0xff, false },
		{ "BTH FECN/BECN/resv", 32, 0xc0, false },
		{ "IPv4 ID", 4, 0x01, true },
		{ "IPv4 source", 15, 0x01, true },
		{ "UDP source port", 21, 0x01, true },
		{ "BTH opcode", 28, 0x01, true },
		{ "BTH QPN", 35, 0x01, true },
		{ "BTH PSN", 39, 0x01, true },
		{ "payload", 60, 0x80, true },
		{ "ICRC itself", 0, 0, true }, /* placeholder, fixed below */
	};
	static const struct mutation v6[] = {
		{ "IPv6 traffic class", 0, 0x0f, false },
		{ "IPv6 traffic class low", 1, 0xf0, false },
		{ "IPv6 flow label", 2, 0xff, false },
		{ "IPv6 hop limit", 7, 0xff, false },
		{ "UDP checksum", 47, 0xff, false },
		{ "BTH FECN/BECN", 52, 0xff, false },
		{ "IPv6 version", 0, 0x10, true },
		{ "IPv6 payload length", 5, 0x01, true },
		{ "IPv6 destination", 39, 0x01, true },
		{ "BTH QPN", 55, 0x01, true },
		{ "payload", 70, 0x01, true },
	};
	/* IPv4: TOS, TTL, header checksum, UDP checksum, BTH byte 4 */
	static const struct variant var4[] = {
		{ 1, 0xff },  { 8, 0xff },  { 10, 0xff }, { 11, 0xff },
		{ 26, 0xff }, { 27, 0xff }, { 32, 0xff },
	};
	/* IPv6: traffic class, flow label, hop limit, UDP checksum, BTH byte 4 */
	static const struct variant var6[] = {
		{ 0, 0x0f }, { 1, 0xff },  { 2, 0xff },	 { 3, 0xff },
		{ 7, 0xff }, { 46, 0xff }, { 47, 0xff }, { 52, 0xff },
	};
	struct mutation m4[sizeof(v4) / sizeof(v4[0])];
	__u8 pkt[5000];
	size_t len;

	test_crc();
	test_rxe_known("IPv4", rxe_ack4, sizeof(rxe_ack4));
	test_rxe_known("IPv6", rxe_ack6, sizeof(rxe_ack6));

	len = build_v4(pkt, 256);
	memcpy(m4, v4, sizeof(v4));
	m4[13].off = len - 1;
	m4[13].mask = 0x01;
	test_masking("IPv4", pkt, len, m4, sizeof(m4) / sizeof(m4[0]), var4,
		     sizeof(var4) / sizeof(var4[0]));
	len = build_v6(pkt, 1024);
	test_masking("IPv6", pkt, len, v6, sizeof(v6) / sizeof(v6[0]), var6,
		     sizeof(var6) / sizeof(var6[0]));

	errno = 0;
	xt_check(xp_icrc_check(pkt, 20) == -EBADMSG, "short packet refused");
	pkt[0] = 0x55;
	xt_check(xp_icrc_check(pkt, len) == -EBADMSG, "IP version 5 refused");
	pkt[0] = 0x44;
	xt_check(xp_icrc_set(pkt, len) == -EINVAL, "IPv4 IHL 4 refused");
	return xt_summary();
}
