/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * UMEM: the packet memory shared between the application and AF_XDP sockets.
 *
 * xp_umem_check() applies every rule the kernel enforces on XDP_UMEM_REG
 * before the kernel sees the request, and says which rule failed, with the
 * value given and the fix. xp_umem_create() registers the area on a new
 * AF_XDP socket, which becomes the umem's owner: the first socket bound with
 * this umem uses it, later ones share it (XDP_SHARED_UMEM).
 */
#ifndef XP_UMEM_H
#define XP_UMEM_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>

#include "xp_if_xdp.h"

struct xp_umem_opts {
	size_t sz;
	__u32 chunk_size; /* 0: 4096 (2048..PAGE_SIZE) */
	__u32 headroom; /* per-frame headroom before the packet */
	__u32 flags; /* XDP_UMEM_UNALIGNED_CHUNK_FLAG, _TX_SW_CSUM, _TX_METADATA_LEN */
	__u32 tx_metadata_len; /* with XDP_UMEM_TX_METADATA_LEN only */
	size_t : 0;
};

/* Largest headroom the running kernel accepts for a chunk size. */
__u32 xp_umem_max_headroom(__u32 chunk_size);

/*
 * Check area/len/opts against the kernel's XDP_UMEM_REG rules.
 * Returns 0 or -EINVAL after logging the broken rule.
 */
int xp_umem_check(const void *area, __u64 len, const struct xp_umem_opts *opts);

struct xp_umem;

/* NULL with errno set on failure (EINVAL: a rule; ENOBUFS: memlock). */
struct xp_umem *xp_umem_create(void *area, __u64 len, const struct xp_umem_opts *opts);

/* Fails with -EBUSY while sockets still use the umem. */
int xp_umem_destroy(struct xp_umem *umem);

int xp_umem_fd(const struct xp_umem *umem);
void *xp_umem_area(const struct xp_umem *umem);
__u64 xp_umem_len(const struct xp_umem *umem);
__u32 xp_umem_chunk_size(const struct xp_umem *umem);
__u32 xp_umem_headroom(const struct xp_umem *umem);
__u32 xp_umem_flags(const struct xp_umem *umem);
__u32 xp_umem_nframes(const struct xp_umem *umem);

/* Offset in the umem of frame `idx`, and the frame holding offset `addr`. */
static inline __u64 xp_umem_frame_addr(__u32 chunk_size, __u32 idx)
{
	return (__u64)idx * chunk_size;
}

/*
 * An rx descriptor's addr in unaligned mode carries the data offset in its
 * top 16 bits; in aligned mode it points into the frame. Either way the
 * frame is found from the low 48 bits.
 */
static inline __u32 xp_umem_frame_index(__u32 chunk_size, __u64 addr)
{
	return (__u32)((addr & XSK_UNALIGNED_BUF_ADDR_MASK) / chunk_size);
}

static inline __u64 xp_umem_addr_offset(__u64 addr)
{
	return (addr & XSK_UNALIGNED_BUF_ADDR_MASK) + (addr >> XSK_UNALIGNED_BUF_OFFSET_SHIFT);
}

static inline void *xp_umem_data(const void *area, __u64 addr)
{
	return (char *)area + xp_umem_addr_offset(addr);
}

#endif /* XP_UMEM_H */
