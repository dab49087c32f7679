/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * AF_XDP rings as single-producer/single-consumer queues shared with the
 * kernel. We produce on the fill and tx rings and consume the rx and
 * completion rings; the kernel does the opposite (net/xdp/xsk_queue.h).
 *
 * Ordering: the side that publishes entries writes them, then stores the
 * producer index with release semantics; the other side loads the producer
 * with acquire semantics before reading entries. The consumer index is
 * published the same way once entries have been read. Our loads and stores
 * here pair with the kernel's smp_load_acquire()/smp_store_release() on the
 * same indexes.
 *
 * cached_prod/cached_cons are private copies so the shared cache lines are
 * touched only when the cached view runs out.
 */
#ifndef XP_RING_H
#define XP_RING_H

#include <linux/types.h>

#include "xp_if_xdp.h"

struct xp_ring {
	__u32 cached_prod;
	__u32 cached_cons;
	__u32 mask;
	__u32 size;
	__u32 *producer;
	__u32 *consumer;
	void *ring;
	__u32 *flags;
};

static inline __u64 *xp_ring_addr(struct xp_ring *r, __u32 idx)
{
	return &((__u64 *)r->ring)[idx & r->mask];
}

static inline struct xdp_desc *xp_ring_desc(struct xp_ring *r, __u32 idx)
{
	return &((struct xdp_desc *)r->ring)[idx & r->mask];
}

/* Producer side (fill, tx): how many entries can be written right now. */
static inline __u32 xp_ring_prod_free(struct xp_ring *r, __u32 want)
{
	__u32 free_entries = r->cached_cons - r->cached_prod;

	if (free_entries >= want)
		return free_entries;
	/* Pairs with the kernel's release of the consumer index. */
	r->cached_cons = __atomic_load_n(r->consumer, __ATOMIC_ACQUIRE) + r->size;
	return r->cached_cons - r->cached_prod;
}

/* Reserve up to n entries starting at *idx; returns how many were reserved. */
static inline __u32 xp_ring_prod_reserve(struct xp_ring *r, __u32 n, __u32 *idx)
{
	__u32 free_entries = xp_ring_prod_free(r, n);

	if (n > free_entries)
		n = free_entries;
	*idx = r->cached_prod;
	r->cached_prod += n;
	return n;
}

/* Give back reserved entries that were not written. */
static inline void xp_ring_prod_cancel(struct xp_ring *r, __u32 n)
{
	r->cached_prod -= n;
}

/* Publish n written entries: pairs with the kernel's acquire of producer. */
static inline void xp_ring_prod_submit(struct xp_ring *r, __u32 n)
{
	__atomic_store_n(r->producer, *r->producer + n, __ATOMIC_RELEASE);
}

/* Consumer side (rx, completion): peek up to n entries starting at *idx. */
static inline __u32 xp_ring_cons_peek(struct xp_ring *r, __u32 n, __u32 *idx)
{
	__u32 avail = r->cached_prod - r->cached_cons;

	if (avail < n) {
		/* Pairs with the kernel's release of the producer index. */
		r->cached_prod = __atomic_load_n(r->producer, __ATOMIC_ACQUIRE);
		avail = r->cached_prod - r->cached_cons;
	}
	if (n > avail)
		n = avail;
	*idx = r->cached_cons;
	r->cached_cons += n;
	return n;
}

/* Undo the last peek of n entries (e.g. when the next stage had no room). */
static inline void xp_ring_cons_cancel(struct xp_ring *r, __u32 n)
{
	r->cached_cons -= n;
}

/* Hand n peeked entries back: pairs with the kernel's acquire of consumer. */
static inline void xp_ring_cons_release(struct xp_ring *r, __u32 n)
{
	__atomic_store_n(r->consumer, *r->consumer + n, __ATOMIC_RELEASE);
}

static inline __u32 xp_ring_cons_avail(struct xp_ring *r)
{
	r->cached_prod = __atomic_load_n(r->producer, __ATOMIC_ACQUIRE);
	return r->cached_prod - r->cached_cons;
}

static inline int xp_ring_needs_wakeup(const struct xp_ring *r)
{
	return __atomic_load_n(r->flags, __ATOMIC_RELAXED) & XDP_RING_NEED_WAKEUP;
}

#endif /* XP_RING_H */
