/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Structures shared by xsk_umem.c and xsk_socket.c. */
#ifndef XSK_PRIVATE_H
#define XSK_PRIVATE_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>

#include "xp_ring.h"
#include "xp_xsk_rules.h"

struct xp_xsk;

/* Fill and completion rings of one (interface, queue) on a umem. */
struct xp_fq_ctx {
	struct xp_fq_ctx *next;
	int ifindex;
	__u32 queue;
	__u32 refcount;
	int owner_fd; /* socket the rings were set on */
	struct xp_ring fill;
	struct xp_ring comp;
	void *fill_map;
	size_t fill_map_len;
	void *comp_map;
	size_t comp_map_len;
};

struct xp_umem {
	void *area;
	__u64 len;
	__u32 chunk_size;
	__u32 headroom;
	__u32 flags;
	__u32 tx_metadata_len;
	__u32 nframes;
	int fd; /* owner socket: the first xsk binds with it */
	bool fd_in_use; /* an xsk is bound on fd */
	__u32 refcount; /* sockets using this umem */
	struct xp_fq_ctx *ctxs;
};

/* Replace the umem's own socket after a failed first bind. */
int xp_umem_renew_fd(struct xp_umem *umem);

/* Unmap and free every fill/comp ring pair (umem teardown). */
void xp_umem_release_ctxs(struct xp_umem *umem);

/*
 * Tests only: answer xp_xsk_rules() with RULES instead of the running
 * kernel's (NULL: the kernel's again), to check what we say on other kernels.
 */
void xp_xsk_rules_override(const struct xp_xsk_rules *rules);

/* "16..248" for the tx_metadata_len values in MASK (bit i: 8 * i). */
int xp_tx_meta_lens_str(__u32 mask, char *buf, size_t size);

#endif /* XSK_PRIVATE_H */
