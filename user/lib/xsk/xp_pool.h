/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Frame pool: the frames of a umem (or a slice of it, one slice per queue
 * thread) and who owns each of them. A frame is always in exactly one place:
 *
 *   FREE  in the pool, unused
 *   FILL  given to the kernel through the fill ring (the kernel may be
 *         receiving into it or have put it on the rx ring)
 *   RX    taken from the rx ring by the application
 *   APP   allocated by the application (building a packet)
 *   TX    given to the kernel through the tx ring, until it shows up on the
 *         completion ring
 *   COMP  taken from the completion ring, not yet freed or reused
 *
 * Per-state counts are always kept (they cost an add per batch). With debug
 * on, every frame's state is tracked too and each move is checked against
 * the state it must come from, so a frame lost or owned twice is caught at
 * the operation that did it; xp_pool_check() audits the whole pool.
 */
#ifndef XP_POOL_H
#define XP_POOL_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>

enum xp_frame_owner {
	XP_OWN_FREE,
	XP_OWN_FILL,
	XP_OWN_RX,
	XP_OWN_APP,
	XP_OWN_TX,
	XP_OWN_COMP,
	XP_OWN__MAX,
};

const char *xp_frame_owner_str(enum xp_frame_owner owner);

struct xp_pool_opts {
	size_t sz;
	__u32 first_frame; /* first frame of the slice (default 0) */
	__u32 nframes; /* frames in the slice (default: the rest of the umem) */
	bool debug; /* track and check each frame (also: XDPATH_DEBUG_POOL=1) */
	size_t : 0;
};

struct xp_umem;
struct xp_pool;

/* Pool over a umem's frames; NULL with errno on failure. */
struct xp_pool *xp_pool_create(const struct xp_umem *umem, const struct xp_pool_opts *opts);
void xp_pool_destroy(struct xp_pool *pool);

/*
 * Pool over frames of chunk_size bytes without a registered umem (tests and
 * tools that lay out memory before registering it).
 */
struct xp_pool *xp_pool_create_raw(__u32 chunk_size, const struct xp_pool_opts *opts);

/* Take up to n FREE frames into state `to` (APP or FILL); returns how many. */
__u32 xp_pool_alloc(struct xp_pool *pool, __u64 *addrs, __u32 n, enum xp_frame_owner to);

/* Return n frames that are in state `from` to the pool. */
int xp_pool_free(struct xp_pool *pool, const __u64 *addrs, __u32 n, enum xp_frame_owner from);

/* Move one frame between two non-FREE states (checked when debugging). */
int xp_pool_move(struct xp_pool *pool, __u64 addr, enum xp_frame_owner from,
		 enum xp_frame_owner to);

/* Account a batch move without per-frame addresses (fast path, no debug). */
void xp_pool_move_count(struct xp_pool *pool, __u32 n, enum xp_frame_owner from,
			enum xp_frame_owner to);

__u32 xp_pool_count(const struct xp_pool *pool, enum xp_frame_owner owner);
__u32 xp_pool_nframes(const struct xp_pool *pool);
bool xp_pool_debug(const struct xp_pool *pool);

/* Does the frame holding addr belong to this pool? */
bool xp_pool_owns(const struct xp_pool *pool, __u64 addr);

/* State of one frame (debug pools only; XP_OWN__MAX otherwise). */
enum xp_frame_owner xp_pool_owner(const struct xp_pool *pool, __u64 addr);

/*
 * Audit: the counts add up to the pool size, the free stack holds exactly
 * the FREE frames with no duplicates, and (debug) the per-frame states agree
 * with the counts. Returns 0 or -EUCLEAN after logging the first violation.
 */
int xp_pool_check(const struct xp_pool *pool);

#endif /* XP_POOL_H */
