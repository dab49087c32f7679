// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * RoCEv2 ICRC. The CRC runs slice-by-16 over tables built once; the first
 * 48 (IPv4) or 68 (IPv6) bytes go through a masked copy so that the
 * variant fields count as all ones without touching the packet.
 */
#include "xp_env.h"

#include <xdpath/bth.h>
#include <xdpath/roce_hdr.h>

#include "xp_icrc.h"

#define CRC32_POLY_LE 0xedb88320u
/* CRC of eight 0xff bytes from an all-ones start: the masked-LRH seed. */
#define ICRC_SEED 0xdebb20e3u

static __u32 crc_table[16][256];
XP_ONCE_DEFINE(crc_once);

static void crc_init(void)
{
	__u32 i, j, c;

	for (i = 0; i < 256; i++) {
		c = i;
		for (j = 0; j < 8; j++)
			c = (c >> 1) ^ (c & 1 ? CRC32_POLY_LE : 0);
		crc_table[0][i] = c;
	}
	for (i = 0; i < 256; i++)
		for (j = 1; j < 16; j++)
			crc_table[j][i] = (crc_table[j - 1][i] >> 8) ^
					  crc_table[0][crc_table[j - 1][i] & 0xff];
}

XP_NO_COVERAGE __u32 xp_crc32_le(__u32 crc, const void *buf, size_t len)
{
	const __u8 *p = buf;

	xp_once(&crc_once, crc_init);
	while (len && ((uintptr_t)p & 7)) {
		crc = (crc >> 8) ^ crc_table[0][(crc ^ *p++) & 0xff];
		len--;
	}
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	/* Sixteen bytes per step: the tables fold each byte's contribution. */
	while (len >= 16) {
		__u32 w[4];

		memcpy(w, p, 16);
		w[0] ^= crc;
		crc = crc_table[15][w[0] & 0xff] ^ crc_table[14][(w[0] >> 8) & 0xff] ^
		      crc_table[13][(w[0] >> 16) & 0xff] ^ crc_table[12][w[0] >> 24] ^
		      crc_table[11][w[1] & 0xff] ^ crc_table[10][(w[1] >> 8) & 0xff] ^
		      crc_table[9][(w[1] >> 16) & 0xff] ^ crc_table[8][w[1] >> 24] ^
		      crc_table[7][w[2] & 0xff] ^ crc_table[6][(w[2] >> 8) & 0xff] ^
		      crc_table[5][(w[2] >> 16) & 0xff] ^ crc_table[4][w[2] >> 24] ^
		      crc_table[3][w[3] & 0xff] ^ crc_table[2][(w[3] >> 8) & 0xff] ^
		      crc_table[1][(w[3] >> 16) & 0xff] ^ crc_table[0][w[3] >> 24];
		p += 16;
		len -= 16;
	}
	while (len >= 8) {
		__u32 lo, hi;

		memcpy(&lo, p, 4);
		memcpy(&hi, p + 4, 4);
		lo ^= crc;
		crc = crc_table[7][lo & 0xff] ^ crc_table[6][(lo >> 8) & 0xff] ^
		      crc_table[5][(lo >> 16) & 0xff] ^ crc_table[4][lo >> 24] ^
		      crc_table[3][hi & 0xff] ^ crc_table[2][(hi >> 8) & 0xff] ^
		      crc_table[1][(hi >> 16) & 0xff] ^ crc_table[0][hi >> 24];
		p += 8;
		len -= 8;
	}
#endif
	while (len--)
		crc = (crc >> 8) ^ crc_table[0][(crc ^ *p++) & 0xff];
	return crc;
}

/* Header lengths and the offsets of the fields the ICRC counts as ones. */
#define IPV4_HLEN_MIN 20
#define IPV4_TOS 1
#define IPV4_TTL 8
#define IPV4_CSUM 10
#define IPV6_HLEN 40
#define IPV6_HOP_LIMIT 7
#define UDP_HLEN 8
#define UDP_CSUM 6
#define IP_HLEN_MAX 60

/* Masked copy of IP + UDP + BTH; returns its length or 0 if it does not fit. */
static size_t masked_headers(const __u8 *l3, size_t len, __u8 *out)
{
	size_t ip_len, hdr;

	if (len < 1)
		return 0;
	switch (l3[0] >> 4) {
	case 4:
		ip_len = (l3[0] & 0x0f) * 4;
		if (ip_len < IPV4_HLEN_MIN)
			return 0;
		break;
	case 6:
		ip_len = IPV6_HLEN;
		break;
	default:
		return 0;
	}
	hdr = ip_len + UDP_HLEN + XP_BTH_LEN;
	if (len < hdr + XP_ICRC_LEN)
		return 0;
	memcpy(out, l3, hdr);
	if ((l3[0] >> 4) == 4) {
		out[IPV4_TOS] = 0xff;
		out[IPV4_TTL] = 0xff;
		out[IPV4_CSUM] = out[IPV4_CSUM + 1] = 0xff;
	} else {
		/* version:4 traffic class:8 flow label:20 -> keep the version */
		out[0] |= 0x0f;
		out[1] = out[2] = out[3] = 0xff;
		out[IPV6_HOP_LIMIT] = 0xff;
	}
	out[ip_len + UDP_CSUM] = out[ip_len + UDP_CSUM + 1] = 0xff;
	/* BTH byte 4: FECN, BECN and reserved bits */
	out[ip_len + UDP_HLEN + 4] = 0xff;
	return hdr;
}

/* The ICRC as stored on the wire in *icrc, or -EINVAL (headers do not fit). */
static int icrc_of(const void *l3, size_t len, __u32 *icrc)
{
	__u8 hdr[IP_HLEN_MAX + UDP_HLEN + XP_BTH_LEN];
	size_t n;
	__u32 crc;

	n = masked_headers(l3, len, hdr);
	if (!n)
		return -EINVAL;
	crc = xp_crc32_le(ICRC_SEED, hdr, n);
	crc = xp_crc32_le(crc, (const __u8 *)l3 + n, len - XP_ICRC_LEN - n);
	*icrc = ~crc;
	return 0;
}

__u32 xp_icrc_compute(const void *l3, size_t len)
{
	__u32 icrc;

	if (icrc_of(l3, len, &icrc)) {
		xp_set_errno(EINVAL);
		return 0;
	}
	return icrc;
}

int xp_icrc_set(void *l3, size_t len)
{
	__u32 icrc;

	if (icrc_of(l3, len, &icrc))
		return -EINVAL;
	/* least significant byte first, whatever the host order */
	((__u8 *)l3)[len - 4] = icrc;
	((__u8 *)l3)[len - 3] = icrc >> 8;
	((__u8 *)l3)[len - 2] = icrc >> 16;
	((__u8 *)l3)[len - 1] = icrc >> 24;
	return 0;
}

int xp_icrc_check(const void *l3, size_t len)
{
	const __u8 *t = (const __u8 *)l3 + len - 4;
	__u32 icrc, wire;

	if (icrc_of(l3, len, &icrc))
		return -EBADMSG;
	wire = t[0] | t[1] << 8 | t[2] << 16 | (__u32)t[3] << 24;
	return icrc == wire ? 0 : -EBADMSG;
}
