/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The on-media format of an xpcache cache device (docs/writecache.md,
 * section 2). Everything is little-endian; every checksum is CRC-32C with
 * initial value ~0 and no final inversion.
 *
 *   block 0, 1   superblock copies (written alternately, newest valid wins)
 *   block 2...   the log: a ring of records, each a header block followed
 *                by its data blocks, written as one bio
 */
#ifndef XPWC_FORMAT_H
#define XPWC_FORMAT_H

#include <linux/types.h>

#define XPWC_SB_MAGIC 0x73637078u /* "xpcs" */
#define XPWC_REC_MAGIC 0x72637078u /* "xpcr" */
/*
 * Version 2 (written since 2026-12-07): a header's CRC covers its used
 * bytes only, a header names how far back the log was durable when it was
 * written (durable_back), and pmem records order data before the header
 * (XPWC_REC_ORDERED) instead of checksumming it. Version 1 caches are
 * recovered and continue in version 2; a version 1 module refuses them then.
 */
#define XPWC_VERSION 2
#define XPWC_VERSION_MIN 1

#define XPWC_SB_COPIES 2
#define XPWC_LOG_START XPWC_SB_COPIES /* first log block */

/*
 * Both superblock copies fit in the first 8 KiB for every block size up to
 * 4096; a cache is formatted only if all of it is zero.
 */
#define XPWC_FORMAT_ZERO_BYTES 8192

struct xpwc_sb_disk {
	__le32 magic;
	__le32 version;
	__le64 sb_seq; /* +1 per write; copy sb_seq % 2 */
	__u8 uuid[16];
	__le32 block_size;
	__le32 flags;
	__le64 log_start; /* in blocks */
	__le64 log_blocks;
	__le64 origin_sectors;
	__le64 tail_lpos; /* persisted tail */
	__le64 tail_prev_seq; /* seq of the record before the tail */
	__le64 seq_limit; /* every seq ever written is below this */
	__u8 reserved[36];
	__le32 crc; /* of bytes 0..123 */
} __packed;

#define XPWC_SB_CRC_LEN offsetof(struct xpwc_sb_disk, crc)

enum xpwc_rec_type {
	XPWC_REC_DATA = 1,
	XPWC_REC_DISCARD = 2,
	XPWC_REC_ACTIVATE = 3, /* header only: an activation starts here */
};

#define XPWC_REC_FUA 0x1u /* informational */
/*
 * pmem: the data blocks were made durable (fenced) before the header was
 * stored; the entries' crc fields are zero and not checked.
 */
#define XPWC_REC_ORDERED 0x2u

/* durable_back: no claim. Version 1 headers have zero there, never read. */
#define XPWC_NO_CLAIM 0xffffffffu

struct xpwc_rec_entry {
	__le64 oblock;
	union {
		struct {
			__le32 crc; /* data record: CRC-32C of the block */
			__le32 reserved;
		};
		__le64 count; /* discard record: blocks in the range */
	};
} __packed;

struct xpwc_rec_disk {
	__le32 magic;
	__le16 version;
	__le16 type;
	__le64 seq;
	__le64 prev_seq;
	__le64 lpos; /* log position of this header */
	__u8 uuid[16];
	__le32 nr; /* entries */
	__le32 flags;
	/*
	 * Version 2: every record before log position lpos - durable_back was
	 * durable when this one was written (XPWC_NO_CLAIM: not said).
	 * Version 1: zero.
	 */
	__le32 durable_back;
	/*
	 * This field taken as zero: version 2, the header's first 64 + 16 * nr
	 * bytes; version 1, the whole block.
	 */
	__le32 crc;
	struct xpwc_rec_entry entries[];
} __packed;

/* Version 2: the bytes of a header with nr entries that its CRC covers. */
static inline __u32 xpwc_rec_used(__u32 nr)
{
	return sizeof(struct xpwc_rec_disk) + nr * sizeof(struct xpwc_rec_entry);
}

#endif /* XPWC_FORMAT_H */
