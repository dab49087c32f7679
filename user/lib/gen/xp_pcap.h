/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Reading classic pcap files (what tcpdump -w writes; not pcapng): either
 * byte order, microsecond or nanosecond time stamps. Used by xp-gen
 * --check-pcap and by the tests that replay captured frames.
 *
 *	struct xp_pcap p;
 *	struct xp_pcap_rec r;
 *
 *	if (xp_pcap_open(&p, path, XP_PCAP_ETHERNET))
 *		errx(1, "%s", p.err);
 *	while ((err = xp_pcap_next(&p, &r)) > 0)
 *		use(r.data, r.caplen);
 *	if (err)
 *		errx(1, "%s", p.err);
 *	xp_pcap_close(&p);
 *
 * Every error leaves a message in p.err that names the file and says what
 * is wrong with it (and, for records, which record at which offset).
 */
#ifndef XP_PCAP_H
#define XP_PCAP_H

#include <stdbool.h>
#include <stdio.h>
#include <linux/types.h>

#define XP_PCAP_MAGIC_USEC 0xa1b2c3d4u
#define XP_PCAP_MAGIC_NSEC 0xa1b23c4du
#define XP_PCAP_HDR_LEN 24
#define XP_PCAP_REC_HDR_LEN 16
#define XP_PCAP_LINKTYPE_ETHERNET 1
/* Largest record accepted: libpcap's limit for Ethernet captures. */
#define XP_PCAP_MAX_CAPLEN 262144u

/* xp_pcap_open() flags */
#define XP_PCAP_ETHERNET (1u << 0) /* refuse any link type but Ethernet */

struct xp_pcap {
	FILE *f;
	bool own; /* opened by xp_pcap_open(): closed by xp_pcap_close() */
	bool swap; /* written in the other byte order */
	bool nsec; /* time stamps in nanoseconds */
	__u16 version_major, version_minor;
	__u32 snaplen;
	__u32 linktype; /* LINKTYPE_*, without the FCS bits */
	__u32 fcs_len; /* bytes of FCS each frame ends with, if the header says */
	__u64 records; /* records read so far */
	__u64 offset; /* file offset of the next record header */
	__u8 *buf;
	size_t buf_size;
	char name[128]; /* for messages */
	char err[384];
};

struct xp_pcap_rec {
	__u64 sec;
	__u32 nsec; /* always nanoseconds, whatever the file uses */
	__u32 caplen; /* bytes at data */
	__u32 len; /* bytes the frame had on the wire */
	const __u8 *data; /* valid until the next xp_pcap_next() or close */
};

/* Open path, read and check the file header. 0, or -errno with p->err set. */
int xp_pcap_open(struct xp_pcap *p, const char *path, unsigned int flags);

/* The same on a stream the caller owns (and closes); name is for messages. */
int xp_pcap_open_stream(struct xp_pcap *p, FILE *f, const char *name, unsigned int flags);

/*
 * Next record: 1 with *r filled, 0 at a clean end of file, or -errno with
 * p->err set (-EINVAL: truncated or corrupt record, -EIO: read error).
 */
int xp_pcap_next(struct xp_pcap *p, struct xp_pcap_rec *r);

void xp_pcap_close(struct xp_pcap *p);

#endif /* XP_PCAP_H */
