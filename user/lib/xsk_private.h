/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Structures shared by xsk_umem.c and xsk_socket.c. */
#ifndef XSK_PRIVATE_H
#define XSK_PRIVATE_H

#include <stdbool.h>
#include <linux/types.h>

#include "xp_ring.h"

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

#endif /* XSK_PRIVATE_H */
