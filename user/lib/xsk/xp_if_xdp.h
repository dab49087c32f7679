/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * AF_XDP definitions newer than Debian 12's linux-libc-dev (6.1). Values are
 * the kernel's UAPI; the struct is the current xdp_umem_reg layout, which the
 * kernel accepts from older callers too (it looks at optlen).
 */
#ifndef XP_IF_XDP_H
#define XP_IF_XDP_H

#include <linux/if_xdp.h>
#include <linux/types.h>

#ifndef XDP_USE_SG
#define XDP_USE_SG (1 << 4)
#endif
#ifndef XDP_PKT_CONTD
/* xdp_desc.options: more descriptors of this packet follow (XDP_USE_SG). */
#define XDP_PKT_CONTD (1 << 0)
#endif
#ifndef XDP_UMEM_TX_SW_CSUM
#define XDP_UMEM_TX_SW_CSUM (1 << 1)
#endif
#ifndef XDP_UMEM_TX_METADATA_LEN
#define XDP_UMEM_TX_METADATA_LEN (1 << 2)
#endif

#define XP_UMEM_FLAGS_VALID \
	(XDP_UMEM_UNALIGNED_CHUNK_FLAG | XDP_UMEM_TX_SW_CSUM | XDP_UMEM_TX_METADATA_LEN)

/* XDP_UMEM_REG argument with tx_metadata_len (kernel 6.8+). */
struct xp_umem_reg {
	__u64 addr;
	__u64 len;
	__u32 chunk_size;
	__u32 headroom;
	__u32 flags;
	__u32 tx_metadata_len;
};

/* Kernel constants the registration rules depend on. */
#define XP_XDP_PACKET_HEADROOM 256
#define XP_UMEM_MIN_CHUNK 2048
/* SKB_DATA_ALIGN(sizeof(struct skb_shared_info)) on x86_64 */
#define XP_SKB_SHINFO_SIZE 320
/* Tailroom the kernel keeps since 6.x so an rx frame can become an skb. */
#define XP_UMEM_TAILROOM 128

#endif /* XP_IF_XDP_H */
