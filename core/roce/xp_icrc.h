/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * RoCEv2 invariant CRC (IBTA vol. 1 annex A17.8.5): a CRC-32 (the Ethernet
 * polynomial, reflected) over the packet from the IP header to the end of
 * the pad, with the fields a router may change counted as all ones, seeded
 * as if eight 0xff bytes (the masked LRH of native InfiniBand) came first.
 * The inverted result follows the pad, least significant byte first.
 */
#ifndef XP_ICRC_H
#define XP_ICRC_H

#include "xp_types.h"

/* CRC-32 (reflected 0xedb88320) update without pre/post inversion. */
__u32 xp_crc32_le(__u32 crc, const void *buf, size_t len);

/*
 * ICRC of a RoCEv2 packet. l3 points at the IPv4 or IPv6 header; len covers
 * IP header .. end of pad, without the 4-byte ICRC. Returns the value as it
 * is stored on the wire (little-endian u32), or 0 with errno EINVAL when the
 * headers do not parse as IP/UDP/BTH within len.
 */
__u32 xp_icrc_compute(const void *l3, size_t len);

/* Append-side: write the ICRC into the last 4 bytes of l3[0..len). */
int xp_icrc_set(void *l3, size_t len);

/* Receive-side: 0 if the trailing ICRC of l3[0..len) is right, else -EBADMSG. */
int xp_icrc_check(const void *l3, size_t len);

#endif /* XP_ICRC_H */
