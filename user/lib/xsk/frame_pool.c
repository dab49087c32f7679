// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Frame pool: a LIFO stack of free frame addresses (recently used frames are
 * still warm in the cache), per-state counts, and in debug mode a state byte
 * per frame.
 */
#include <errno.h>
#include <stdlib.h>

#include "xp_internal.h"
#include "xp_pool.h"
#include "xp_umem.h"

struct xp_pool {
	__u32 chunk_size;
	__u32 first;
	__u32 nframes;
	__u32 nfree; /* entries on the free stack */
	__u64 *free_stack;
	__u8 *owner; /* debug only: enum xp_frame_owner per frame */
	__u32 counts[XP_OWN__MAX];
};

static const char *const owner_names[XP_OWN__MAX] = {
	[XP_OWN_FREE] = "free",	 [XP_OWN_FILL] = "fill ring",
	[XP_OWN_RX] = "rx ring", [XP_OWN_APP] = "application",
	[XP_OWN_TX] = "tx ring", [XP_OWN_COMP] = "completion ring",
};

const char *xp_frame_owner_str(enum xp_frame_owner owner)
{
	return (unsigned int)owner < XP_OWN__MAX ? owner_names[owner] : "invalid";
}

static bool env_debug(void)
{
	const char *v = getenv("XDPATH_DEBUG_POOL");

	return v && *v == '1';
}

struct xp_pool *xp_pool_create_raw(__u32 chunk_size, const struct xp_pool_opts *opts)
{
	struct xp_pool *pool;
	__u32 i;
	int err;

	err = xp_opts_valid(opts, xp_pool_opts);
	if (err)
		goto out_err;
	if (!chunk_size) {
		pr_warn("frame pool: chunk size 0 is invalid\n");
		err = -EINVAL;
		goto out_err;
	}
	if (!XP_OPTS_GET(opts, nframes, 0)) {
		pr_warn("frame pool: a pool needs at least one frame\n");
		err = -EINVAL;
		goto out_err;
	}

	pool = calloc(1, sizeof(*pool));
	if (!pool) {
		err = -ENOMEM;
		goto out_err;
	}
	pool->chunk_size = chunk_size;
	pool->first = XP_OPTS_GET(opts, first_frame, 0);
	pool->nframes = XP_OPTS_GET(opts, nframes, 0);
	pool->free_stack = calloc(pool->nframes, sizeof(*pool->free_stack));
	if (!pool->free_stack) {
		err = -ENOMEM;
		goto out_free_pool;
	}
	if (XP_OPTS_GET(opts, debug, false) || env_debug()) {
		pool->owner = calloc(pool->nframes, 1); /* all XP_OWN_FREE */
		if (!pool->owner) {
			err = -ENOMEM;
			goto out_free_stack;
		}
	}
	/* Push in reverse so the first allocations come out in address order. */
	for (i = 0; i < pool->nframes; i++)
		pool->free_stack[i] =
			xp_umem_frame_addr(chunk_size, pool->first + pool->nframes - 1 - i);
	pool->nfree = pool->nframes;
	pool->counts[XP_OWN_FREE] = pool->nframes;
	return pool;

out_free_stack:
	free(pool->free_stack);
out_free_pool:
	free(pool);
out_err:
	errno = -err;
	return NULL;
}

struct xp_pool *xp_pool_create(const struct xp_umem *umem, const struct xp_pool_opts *opts)
{
	struct xp_pool_opts o = { .sz = sizeof(o) };
	__u32 total;
	int err;

	err = xp_opts_valid(opts, xp_pool_opts);
	if (err)
		goto out_err;
	if (!umem) {
		pr_warn("frame pool: umem is NULL\n");
		err = -EINVAL;
		goto out_err;
	}
	total = xp_umem_nframes(umem);
	o.first_frame = XP_OPTS_GET(opts, first_frame, 0);
	o.nframes = XP_OPTS_GET(opts, nframes, 0);
	o.debug = XP_OPTS_GET(opts, debug, false);
	if (o.first_frame >= total) {
		pr_warn("frame pool: first frame %u is past the umem's %u frames\n", o.first_frame,
			total);
		err = -EINVAL;
		goto out_err;
	}
	if (!o.nframes)
		o.nframes = total - o.first_frame;
	if (o.nframes > total - o.first_frame) {
		pr_warn("frame pool: frames %u..%u run past the umem's %u frames\n", o.first_frame,
			o.first_frame + o.nframes - 1, total);
		err = -EINVAL;
		goto out_err;
	}
	return xp_pool_create_raw(xp_umem_chunk_size(umem), &o);

out_err:
	errno = -err;
	return NULL;
}

void xp_pool_destroy(struct xp_pool *pool)
{
	if (!pool)
		return;
	free(pool->owner);
	free(pool->free_stack);
	free(pool);
}

static inline __u32 frame_slot(const struct xp_pool *pool, __u64 addr)
{
	return xp_umem_frame_index(pool->chunk_size, addr) - pool->first;
}

bool xp_pool_owns(const struct xp_pool *pool, __u64 addr)
{
	return frame_slot(pool, addr) < pool->nframes;
}

/* Debug: check and record one frame's move; on mismatch nothing changes. */
static int track(struct xp_pool *pool, __u64 addr, enum xp_frame_owner from, enum xp_frame_owner to)
{
	__u32 slot = frame_slot(pool, addr);

	if (slot >= pool->nframes) {
		pr_warn("frame pool: address 0x%llx (frame %u) is outside this pool (frames %u..%u)\n",
			(unsigned long long)addr, xp_umem_frame_index(pool->chunk_size, addr),
			pool->first, pool->first + pool->nframes - 1);
		return -EINVAL;
	}
	if (!pool->owner)
		return 0;
	if (pool->owner[slot] != from) {
		pr_warn("frame pool: frame %u (0x%llx) moving %s -> %s is owned by %s\n",
			pool->first + slot, (unsigned long long)addr, owner_names[from],
			owner_names[to], owner_names[pool->owner[slot]]);
		return -EUCLEAN;
	}
	pool->owner[slot] = to;
	return 0;
}

__u32 xp_pool_alloc(struct xp_pool *pool, __u64 *addrs, __u32 n, enum xp_frame_owner to)
{
	__u32 i;

	if (to == XP_OWN_FREE || (unsigned int)to >= XP_OWN__MAX)
		return 0;
	if (n > pool->nfree)
		n = pool->nfree;
	for (i = 0; i < n; i++) {
		addrs[i] = pool->free_stack[--pool->nfree];
		if (pool->owner)
			track(pool, addrs[i], XP_OWN_FREE, to);
	}
	pool->counts[XP_OWN_FREE] -= n;
	pool->counts[to] += n;
	return n;
}

int xp_pool_free(struct xp_pool *pool, const __u64 *addrs, __u32 n, enum xp_frame_owner from)
{
	__u32 i;
	int err;

	if (from == XP_OWN_FREE || (unsigned int)from >= XP_OWN__MAX)
		return -EINVAL;
	if (n > pool->counts[from]) {
		pr_warn("frame pool: freeing %u frames from %s, which holds only %u\n", n,
			owner_names[from], pool->counts[from]);
		return -EUCLEAN;
	}
	for (i = 0; i < n; i++) {
		/* Without debug only the range is checked: a stray address must
		 * never land on the free stack. */
		err = track(pool, addrs[i], from, XP_OWN_FREE);
		if (err) {
			pool->counts[from] -= i;
			pool->counts[XP_OWN_FREE] += i;
			return err;
		}
		/* Store the frame's base: rx addresses point into the frame. */
		pool->free_stack[pool->nfree++] = xp_umem_frame_addr(
			pool->chunk_size, xp_umem_frame_index(pool->chunk_size, addrs[i]));
	}
	pool->counts[from] -= n;
	pool->counts[XP_OWN_FREE] += n;
	return 0;
}

int xp_pool_move(struct xp_pool *pool, __u64 addr, enum xp_frame_owner from, enum xp_frame_owner to)
{
	int err;

	if (from == XP_OWN_FREE || to == XP_OWN_FREE || (unsigned int)from >= XP_OWN__MAX ||
	    (unsigned int)to >= XP_OWN__MAX)
		return -EINVAL;
	if (!pool->counts[from]) {
		pr_warn("frame pool: moving a frame from %s, which holds none\n",
			owner_names[from]);
		return -EUCLEAN;
	}
	err = track(pool, addr, from, to);
	if (err)
		return err;
	pool->counts[from]--;
	pool->counts[to]++;
	return 0;
}

void xp_pool_move_count(struct xp_pool *pool, __u32 n, enum xp_frame_owner from,
			enum xp_frame_owner to)
{
	pool->counts[from] -= n;
	pool->counts[to] += n;
}

__u32 xp_pool_count(const struct xp_pool *pool, enum xp_frame_owner owner)
{
	return (unsigned int)owner < XP_OWN__MAX ? pool->counts[owner] : 0;
}

__u32 xp_pool_nframes(const struct xp_pool *pool)
{
	return pool->nframes;
}

bool xp_pool_debug(const struct xp_pool *pool)
{
	return pool->owner != NULL;
}

enum xp_frame_owner xp_pool_owner(const struct xp_pool *pool, __u64 addr)
{
	__u32 slot = frame_slot(pool, addr);

	if (!pool->owner || slot >= pool->nframes)
		return XP_OWN__MAX;
	return pool->owner[slot];
}

int xp_pool_check(const struct xp_pool *pool)
{
	__u32 seen_counts[XP_OWN__MAX] = { 0 };
	__u64 total = 0;
	__u8 *seen;
	__u32 i, s;
	int err = -EUCLEAN;

	for (i = 0; i < XP_OWN__MAX; i++)
		total += pool->counts[i];
	if (total != pool->nframes) {
		pr_warn("frame pool: owners hold %llu frames, pool has %u\n",
			(unsigned long long)total, pool->nframes);
		return -EUCLEAN;
	}
	if (pool->nfree != pool->counts[XP_OWN_FREE]) {
		pr_warn("frame pool: free stack holds %u frames, free count is %u\n", pool->nfree,
			pool->counts[XP_OWN_FREE]);
		return -EUCLEAN;
	}

	seen = calloc(pool->nframes, 1);
	if (!seen)
		return -ENOMEM;
	for (i = 0; i < pool->nfree; i++) {
		__u64 addr = pool->free_stack[i];

		s = frame_slot(pool, addr);
		if (s >= pool->nframes || addr % pool->chunk_size) {
			pr_warn("frame pool: free stack entry %u (0x%llx) is not a frame of this pool\n",
				i, (unsigned long long)addr);
			goto out;
		}
		if (seen[s]) {
			pr_warn("frame pool: frame %u is on the free stack twice\n",
				pool->first + s);
			goto out;
		}
		seen[s] = 1;
		if (pool->owner && pool->owner[s] != XP_OWN_FREE) {
			pr_warn("frame pool: frame %u is on the free stack but owned by %s\n",
				pool->first + s, owner_names[pool->owner[s]]);
			goto out;
		}
	}
	if (pool->owner) {
		for (s = 0; s < pool->nframes; s++) {
			if (pool->owner[s] >= XP_OWN__MAX) {
				pr_warn("frame pool: frame %u has invalid owner %u\n",
					pool->first + s, pool->owner[s]);
				goto out;
			}
			if (pool->owner[s] == XP_OWN_FREE && !seen[s]) {
				pr_warn("frame pool: frame %u is free but not on the free stack (lost)\n",
					pool->first + s);
				goto out;
			}
			seen_counts[pool->owner[s]]++;
		}
		for (i = 0; i < XP_OWN__MAX; i++) {
			if (seen_counts[i] != pool->counts[i]) {
				pr_warn("frame pool: %u frames are owned by %s, count says %u\n",
					seen_counts[i], owner_names[i], pool->counts[i]);
				goto out;
			}
		}
	}
	err = 0;
out:
	free(seen);
	return err;
}
