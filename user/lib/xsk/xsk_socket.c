// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * AF_XDP sockets over a shared umem: ring set-up and mapping, binding with
 * zero-copy/copy selection and the EBUSY-after-close retry, busy polling,
 * steering-map insertion, and the data-path calls that keep the frame
 * pool's ownership records.
 */
#include <errno.h>
#include <net/if.h>
#include <poll.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "xp_internal.h"
#include "xp_steer.h"
#include "xp_xsk.h"
#include "xsk_private.h"

#define DEFAULT_RING_SIZE 2048
#define DEFAULT_BUSY_POLL_USECS 20
#define DEFAULT_BUSY_POLL_BUDGET 64
/* Closing a socket releases its queue from a deferred work item; a rebind
 * right after may see EBUSY for a short while. Retry for about 2 s. */
#define BIND_RETRIES 12
#define BIND_FIRST_BACKOFF_US 1000
#define BATCH 64

#ifndef SO_PREFER_BUSY_POLL
#define SO_PREFER_BUSY_POLL 69
#endif
#ifndef SO_BUSY_POLL_BUDGET
#define SO_BUSY_POLL_BUDGET 70
#endif

struct xp_xsk {
	struct xp_ring rx;
	struct xp_ring tx;
	struct xp_fq_ctx *ctx;
	struct xp_umem *umem;
	struct xp_pool *pool;
	int fd;
	int ifindex;
	__u32 queue;
	enum xp_xsk_mode mode;
	bool need_wakeup;
	bool busy_poll;
	bool use_sg; /* XDP_USE_SG: packets may be chains of descriptors */
	bool steered;
	__u32 slot;
	void *rx_map;
	size_t rx_map_len;
	void *tx_map;
	size_t tx_map_len;
	struct xp_xsk_stats st; /* application counters */
};

static bool is_pow2(__u32 v)
{
	return v && !(v & (v - 1));
}

static int check_ring_size(const char *what, __u32 size)
{
	if (is_pow2(size))
		return 0;
	pr_warn("%s ring size %u is not a power of two; use e.g. %u\n", what, size,
		DEFAULT_RING_SIZE);
	return -EINVAL;
}

static int set_ring_size(int fd, int opt, __u32 size, const char *what)
{
	if (!setsockopt(fd, SOL_XDP, opt, &size, sizeof(size)))
		return 0;
	pr_warn("cannot set the %s ring to %u entries: %s\n", what, size, strerror(errno));
	return -errno;
}

/* Map one ring; off describes its indexes within the mapping. */
static int map_ring(int fd, struct xp_ring *r, const struct xdp_ring_offset *off, __u32 size,
		    size_t entry, __u64 pgoff, void **map, size_t *map_len, const char *what)
{
	size_t len = off->desc + size * entry;
	void *m;

	m = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, fd, pgoff);
	if (m == MAP_FAILED) {
		pr_warn("cannot map the %s ring (%zu bytes): %s\n", what, len, strerror(errno));
		return -errno;
	}
	r->producer = (__u32 *)((char *)m + off->producer);
	r->consumer = (__u32 *)((char *)m + off->consumer);
	r->flags = (__u32 *)((char *)m + off->flags);
	r->ring = (char *)m + off->desc;
	r->size = size;
	r->mask = size - 1;
	r->cached_prod = *r->producer;
	r->cached_cons = *r->consumer;
	/* Producer rings: everything is free at the start. */
	if (pgoff == XDP_UMEM_PGOFF_FILL_RING || pgoff == XDP_PGOFF_TX_RING)
		r->cached_cons += size;
	*map = m;
	*map_len = len;
	return 0;
}

static int get_offsets(int fd, struct xdp_mmap_offsets *off)
{
	socklen_t len = sizeof(*off);

	if (getsockopt(fd, SOL_XDP, XDP_MMAP_OFFSETS, off, &len)) {
		pr_warn("XDP_MMAP_OFFSETS failed: %s\n", strerror(errno));
		return -errno;
	}
	return 0;
}

static struct xp_fq_ctx *ctx_find(struct xp_umem *umem, int ifindex, __u32 queue)
{
	struct xp_fq_ctx *c;

	for (c = umem->ctxs; c; c = c->next)
		if (c->ifindex == ifindex && c->queue == queue)
			return c;
	return NULL;
}

static void ctx_unmap(struct xp_fq_ctx *c)
{
	if (c->fill_map)
		munmap(c->fill_map, c->fill_map_len);
	if (c->comp_map)
		munmap(c->comp_map, c->comp_map_len);
}

/* New fill/comp rings on fd for (ifindex, queue). */
static struct xp_fq_ctx *ctx_create(struct xp_umem *umem, int fd, int ifindex, __u32 queue,
				    __u32 fill_size, __u32 comp_size)
{
	struct xdp_mmap_offsets off;
	struct xp_fq_ctx *c;
	int err;

	c = calloc(1, sizeof(*c));
	if (!c) {
		err = -ENOMEM;
		goto out_err;
	}
	c->ifindex = ifindex;
	c->queue = queue;
	c->owner_fd = fd;

	err = set_ring_size(fd, XDP_UMEM_FILL_RING, fill_size, "fill");
	if (err)
		goto out_free;
	err = set_ring_size(fd, XDP_UMEM_COMPLETION_RING, comp_size, "completion");
	if (err)
		goto out_free;
	err = get_offsets(fd, &off);
	if (err)
		goto out_free;
	err = map_ring(fd, &c->fill, &off.fr, fill_size, sizeof(__u64), XDP_UMEM_PGOFF_FILL_RING,
		       &c->fill_map, &c->fill_map_len, "fill");
	if (err)
		goto out_free;
	err = map_ring(fd, &c->comp, &off.cr, comp_size, sizeof(__u64),
		       XDP_UMEM_PGOFF_COMPLETION_RING, &c->comp_map, &c->comp_map_len,
		       "completion");
	if (err)
		goto out_unmap;
	return c;

out_unmap:
	ctx_unmap(c);
out_free:
	free(c);
out_err:
	errno = -err;
	return NULL;
}

static void ctx_put(struct xp_umem *umem, struct xp_fq_ctx *c)
{
	struct xp_fq_ctx **pp;

	if (--c->refcount)
		return;
	for (pp = &umem->ctxs; *pp; pp = &(*pp)->next) {
		if (*pp == c) {
			*pp = c->next;
			break;
		}
	}
	ctx_unmap(c);
	free(c);
}

static int set_busy_poll(int fd, __u32 usecs, __u32 budget)
{
	int one = 1, us = usecs, b = budget;

	if (setsockopt(fd, SOL_SOCKET, SO_PREFER_BUSY_POLL, &one, sizeof(one)) ||
	    setsockopt(fd, SOL_SOCKET, SO_BUSY_POLL, &us, sizeof(us)) ||
	    setsockopt(fd, SOL_SOCKET, SO_BUSY_POLL_BUDGET, &b, sizeof(b))) {
		pr_warn("cannot enable busy polling (%u us, budget %u): %s%s\n", usecs, budget,
			strerror(errno),
			errno == EPERM ? "; SO_BUSY_POLL_BUDGET needs CAP_NET_ADMIN" : "");
		return -errno;
	}
	return 0;
}

static int bind_retry(int fd, const struct sockaddr_xdp *sxdp, const char *dev)
{
	useconds_t backoff = BIND_FIRST_BACKOFF_US;
	int i;

	for (i = 0;; i++) {
		if (!bind(fd, (const struct sockaddr *)sxdp, sizeof(*sxdp)))
			return 0;
		if (errno != EBUSY || i == BIND_RETRIES)
			return -errno;
		pr_debug("%s queue %u is busy (a socket closed recently?); retry %d in %u us\n",
			 dev, sxdp->sxdp_queue_id, i + 1, backoff);
		usleep(backoff);
		if (backoff < 256 * 1000)
			backoff *= 2;
	}
}

static int query_zerocopy(int fd)
{
	struct xdp_options o;
	socklen_t len = sizeof(o);

	if (getsockopt(fd, SOL_XDP, XDP_OPTIONS, &o, &len))
		return -errno;
	return !!(o.flags & XDP_OPTIONS_ZEROCOPY);
}

/* Bind flags the running kernel does not know (XDP_USE_SG before 6.6). */
static int check_bind_flags(__u16 flags, const char *dev, __u32 queue)
{
	const struct xp_xsk_rules *k = xp_xsk_rules();
	__u16 unknown = flags & ~k->bind_flags;

	if (!unknown)
		return 0;
	if (unknown & XDP_USE_SG)
		pr_warn("%s queue %u: this kernel (%s) does not know XDP_USE_SG (AF_XDP multi-buffer, Linux 6.6 and later); use frames that fit one chunk, or a newer kernel\n",
			dev, queue, k->release);
	else if (unknown & XDP_USE_NEED_WAKEUP)
		pr_warn("%s queue %u: this kernel (%s) does not know XDP_USE_NEED_WAKEUP; create the socket with no_need_wakeup\n",
			dev, queue, k->release);
	else
		pr_warn("%s queue %u: this kernel (%s) does not know bind flags 0x%x\n", dev, queue,
			k->release, unknown);
	return -EINVAL;
}

/* The errors with which a kernel or driver turns an XDP_ZEROCOPY bind down. */
static bool zc_refused(int err)
{
	return err == -EOPNOTSUPP || err == -EINVAL || err == -ENOTSUP;
}

static const char *zc_refusal(int err)
{
	if (err == -EINVAL)
		return "the driver refused this queue (virtio-net since 6.13 needs a device that offers VIRTIO_F_ACCESS_PLATFORM, qemu's iommu_platform=on,disable-legacy=on; other drivers: does the queue exist?)";
	return "the driver has no AF_XDP zero-copy (veth; virtio-net before 6.13)";
}

static int do_bind(struct xp_xsk *xsk, enum xp_xsk_mode want, bool use_sg, int shared_fd,
		   const char *dev)
{
	struct sockaddr_xdp sxdp = {
		.sxdp_family = AF_XDP,
		.sxdp_ifindex = xsk->ifindex,
		.sxdp_queue_id = xsk->queue,
	};
	int err, zc;

	if (shared_fd >= 0) {
		/* Sharers inherit the umem owner's mode and flags. */
		sxdp.sxdp_flags = XDP_SHARED_UMEM;
		sxdp.sxdp_shared_umem_fd = shared_fd;
		err = bind_retry(xsk->fd, &sxdp, dev);
	} else {
		__u16 base =
			(xsk->need_wakeup ? XDP_USE_NEED_WAKEUP : 0) | (use_sg ? XDP_USE_SG : 0);

		err = check_bind_flags(base, dev, xsk->queue);
		if (err)
			return err;

		if (want == XP_XSK_COPY) {
			sxdp.sxdp_flags = base | XDP_COPY;
			err = bind_retry(xsk->fd, &sxdp, dev);
		} else {
			sxdp.sxdp_flags = base | XDP_ZEROCOPY;
			err = bind_retry(xsk->fd, &sxdp, dev);
			if (err && want == XP_XSK_AUTO && zc_refused(err)) {
				pr_info("%s queue %u: no zero-copy, the kernel said %s: %s; using copy mode\n",
					dev, xsk->queue, strerror(-err), zc_refusal(err));
				sxdp.sxdp_flags = base | XDP_COPY;
				err = bind_retry(xsk->fd, &sxdp, dev);
			}
		}
	}
	if (err) {
		if (err == -EBUSY)
			pr_warn("%s queue %u is still busy after retrying for 2 s: another AF_XDP socket is bound there (see `ss --xdp` or `xpctl status %s`)\n",
				dev, xsk->queue, dev);
		else if (want == XP_XSK_ZEROCOPY && zc_refused(err))
			pr_warn("%s queue %u: zero-copy refused, the kernel said %s: %s; use copy or auto mode\n",
				dev, xsk->queue, strerror(-err), zc_refusal(err));
		else if (err == -EINVAL && xsk->queue)
			pr_warn("cannot bind to %s queue %u: %s (does the device have that many queues? see ethtool -l %s)\n",
				dev, xsk->queue, strerror(-err), dev);
		else
			pr_warn("cannot bind to %s queue %u: %s\n", dev, xsk->queue,
				strerror(-err));
		return err;
	}

	zc = query_zerocopy(xsk->fd);
	if (zc < 0)
		return zc;
	xsk->mode = zc ? XP_XSK_ZEROCOPY : XP_XSK_COPY;
	if (want == XP_XSK_ZEROCOPY && !zc) {
		pr_warn("%s queue %u: zero-copy was required but the shared umem runs in copy mode\n",
			dev, xsk->queue);
		return -EOPNOTSUPP;
	}
	pr_debug("%s queue %u bound in %s mode\n", dev, xsk->queue, xp_xsk_mode_str(xsk->mode));
	return 0;
}

static int steer_insert(struct xp_xsk *xsk, const char *dev)
{
	struct xp_steer *steer;
	int err;

	steer = xp_steer_open(xsk->ifindex);
	if (!steer) {
		err = -errno;
		if (err == -ENOENT)
			pr_warn("no xdpath steering program on %s; attach one (xpctl attach %s, or ip link set dev %s xdp obj xdp_steer.bpf.o sec xdp), or create the socket with no_steer\n",
				dev, dev, dev);
		return err;
	}
	err = xp_steer_set_xsk(steer, xsk->slot, xsk->fd);
	xp_steer_close(steer);
	if (!err)
		xsk->steered = true;
	return err;
}

static void steer_remove(struct xp_xsk *xsk)
{
	struct xp_steer *steer;

	steer = xp_steer_open(xsk->ifindex);
	if (!steer)
		return;
	xp_steer_clear_xsk(steer, xsk->slot);
	xp_steer_close(steer);
}

struct xp_xsk *xp_xsk_create(struct xp_umem *umem, int ifindex, __u32 queue,
			     const struct xp_xsk_opts *opts)
{
	__u32 rx_size, tx_size, fill_size, comp_size;
	struct xdp_mmap_offsets off;
	enum xp_xsk_mode want;
	char dev[IF_NAMESIZE];
	struct xp_xsk *xsk;
	int shared_fd = -1;
	bool no_rx, no_tx;
	int err;

	err = xp_opts_valid(opts, xp_xsk_opts);
	if (err)
		goto out_err;
	if (!umem || ifindex <= 0) {
		pr_warn("xsk: %s\n", umem ? "invalid ifindex" : "umem is NULL");
		err = -EINVAL;
		goto out_err;
	}
	xp_ifname(ifindex, dev);
	rx_size = XP_OPTS_GET(opts, rx_size, 0) ?: DEFAULT_RING_SIZE;
	tx_size = XP_OPTS_GET(opts, tx_size, 0) ?: DEFAULT_RING_SIZE;
	fill_size = XP_OPTS_GET(opts, fill_size, 0) ?: DEFAULT_RING_SIZE;
	comp_size = XP_OPTS_GET(opts, comp_size, 0) ?: DEFAULT_RING_SIZE;
	no_rx = XP_OPTS_GET(opts, no_rx, false);
	no_tx = XP_OPTS_GET(opts, no_tx, false);
	want = XP_OPTS_GET(opts, mode, XP_XSK_AUTO);
	if ((err = check_ring_size("rx", rx_size)) || (err = check_ring_size("tx", tx_size)) ||
	    (err = check_ring_size("fill", fill_size)) ||
	    (err = check_ring_size("completion", comp_size)))
		goto out_err;
	if (no_rx && no_tx) {
		pr_warn("xsk on %s queue %u: a socket needs an rx or a tx ring\n", dev, queue);
		err = -EINVAL;
		goto out_err;
	}
	if ((unsigned int)want > XP_XSK_ZEROCOPY) {
		pr_warn("xsk: unknown mode %d\n", want);
		err = -EINVAL;
		goto out_err;
	}
	if (!XP_OPTS_GET(opts, pool, NULL)) {
		pr_warn("xsk on %s queue %u: opts.pool is required (create one with xp_pool_create)\n",
			dev, queue);
		err = -EINVAL;
		goto out_err;
	}
	if ((umem->flags & XDP_UMEM_TX_SW_CSUM) && want == XP_XSK_ZEROCOPY) {
		pr_warn("xsk on %s: XDP_UMEM_TX_SW_CSUM works in copy mode only; use copy or auto mode\n",
			dev);
		err = -EINVAL;
		goto out_err;
	}
	if (umem->flags & XDP_UMEM_TX_SW_CSUM)
		want = XP_XSK_COPY;

	xsk = calloc(1, sizeof(*xsk));
	if (!xsk) {
		err = -ENOMEM;
		goto out_err;
	}
	xsk->umem = umem;
	xsk->ifindex = ifindex;
	xsk->queue = queue;
	xsk->pool = opts->pool;
	xsk->need_wakeup = !XP_OPTS_GET(opts, no_need_wakeup, false);
	xsk->slot = XP_OPTS_GET(opts, custom_slot, false) ? XP_OPTS_GET(opts, slot, 0) : queue;

	if (!umem->fd_in_use) {
		xsk->fd = umem->fd;
	} else {
		xsk->fd = socket(AF_XDP, SOCK_RAW | SOCK_CLOEXEC, 0);
		if (xsk->fd < 0) {
			err = -errno;
			pr_warn("cannot create an AF_XDP socket: %s\n", strerror(errno));
			goto out_free;
		}
		shared_fd = umem->fd;
	}

	xsk->ctx = ctx_find(umem, ifindex, queue);
	if (xsk->ctx) {
		/* Same queue: share that socket's fill/comp rings and pool. */
		if (xsk->ctx->owner_fd < 0) {
			pr_warn("%s queue %u: the socket that owned its fill ring is gone; destroy the others first\n",
				dev, queue);
			err = -EBUSY;
			goto out_close;
		}
		shared_fd = xsk->ctx->owner_fd;
	} else {
		if (fill_size <= xp_pool_nframes(opts->pool))
			pr_info("%s queue %u: the fill ring (%u) is not larger than the pool (%u frames); the kernel releases fill entries lazily, so a ring that can hold every frame runs dry under load: use %u or more\n",
				dev, queue, fill_size, xp_pool_nframes(opts->pool),
				2 * xp_pool_nframes(opts->pool));
		xsk->ctx = ctx_create(umem, xsk->fd, ifindex, queue, fill_size, comp_size);
		if (!xsk->ctx) {
			err = -errno;
			goto out_close;
		}
		xsk->ctx->next = umem->ctxs;
		umem->ctxs = xsk->ctx;
	}
	xsk->ctx->refcount++;

	if (!no_rx && (err = set_ring_size(xsk->fd, XDP_RX_RING, rx_size, "rx")))
		goto out_ctx;
	if (!no_tx && (err = set_ring_size(xsk->fd, XDP_TX_RING, tx_size, "tx")))
		goto out_ctx;
	err = get_offsets(xsk->fd, &off);
	if (err)
		goto out_ctx;
	if (!no_rx) {
		err = map_ring(xsk->fd, &xsk->rx, &off.rx, rx_size, sizeof(struct xdp_desc),
			       XDP_PGOFF_RX_RING, &xsk->rx_map, &xsk->rx_map_len, "rx");
		if (err)
			goto out_ctx;
	}
	if (!no_tx) {
		err = map_ring(xsk->fd, &xsk->tx, &off.tx, tx_size, sizeof(struct xdp_desc),
			       XDP_PGOFF_TX_RING, &xsk->tx_map, &xsk->tx_map_len, "tx");
		if (err)
			goto out_unmap;
	}

	if (XP_OPTS_GET(opts, busy_poll, false)) {
		err = set_busy_poll(
			xsk->fd, XP_OPTS_GET(opts, busy_poll_usecs, 0) ?: DEFAULT_BUSY_POLL_USECS,
			XP_OPTS_GET(opts, busy_poll_budget, 0) ?: DEFAULT_BUSY_POLL_BUDGET);
		if (err)
			goto out_unmap;
		xsk->busy_poll = true;
	}

	xsk->use_sg = XP_OPTS_GET(opts, use_sg, false);
	err = do_bind(xsk, want, xsk->use_sg, shared_fd, dev);
	if (err)
		goto out_unmap;
	if (xsk->fd == umem->fd)
		umem->fd_in_use = true;
	umem->refcount++;

	/*
	 * A socket without an rx ring receives nothing, so nothing is steered
	 * to it (Linux 7.x refuses it in an XSKMAP with ENOBUFS anyway).
	 */
	if (!no_rx && !XP_OPTS_GET(opts, no_steer, false)) {
		err = steer_insert(xsk, dev);
		if (err)
			goto out_unbind;
	}
	return xsk;

out_unbind:
	umem->refcount--;
	if (xsk->fd == umem->fd) {
		/* A bound socket cannot be unbound: the umem's own socket keeps
		 * its queue and rings until the umem is destroyed. */
		if (xsk->rx_map)
			munmap(xsk->rx_map, xsk->rx_map_len);
		if (xsk->tx_map)
			munmap(xsk->tx_map, xsk->tx_map_len);
		goto out_free;
	}
out_unmap:
	if (xsk->rx_map)
		munmap(xsk->rx_map, xsk->rx_map_len);
	if (xsk->tx_map)
		munmap(xsk->tx_map, xsk->tx_map_len);
out_ctx:
	if (xsk->ctx->owner_fd == xsk->fd && xsk->fd != umem->fd)
		xsk->ctx->owner_fd = -1;
	ctx_put(umem, xsk->ctx);
out_close:
	if (xsk->fd != umem->fd)
		close(xsk->fd);
	else if (xp_umem_renew_fd(umem))
		pr_warn("%s: the umem's socket could not be renewed; create a new umem\n", dev);
out_free:
	free(xsk);
out_err:
	errno = -err;
	return NULL;
}

void xp_umem_release_ctxs(struct xp_umem *umem)
{
	struct xp_fq_ctx *c;

	while ((c = umem->ctxs)) {
		umem->ctxs = c->next;
		ctx_unmap(c);
		free(c);
	}
}

void xp_xsk_destroy(struct xp_xsk *xsk)
{
	struct xp_umem *umem;

	if (!xsk)
		return;
	umem = xsk->umem;
	/* Closing a socket removes it from every XSKMAP; the umem's own
	 * socket stays open, so take it out of the map ourselves. */
	if (xsk->steered && xsk->fd == umem->fd)
		steer_remove(xsk);
	if (xsk->rx_map)
		munmap(xsk->rx_map, xsk->rx_map_len);
	if (xsk->tx_map)
		munmap(xsk->tx_map, xsk->tx_map_len);
	if (xsk->ctx->owner_fd == xsk->fd && xsk->fd != umem->fd)
		xsk->ctx->owner_fd = -1;
	/* The umem's own socket keeps the kernel side of its rings alive. */
	if (xsk->fd != umem->fd) {
		ctx_put(umem, xsk->ctx);
		close(xsk->fd);
	}
	umem->refcount--;
	free(xsk);
}

int xp_xsk_fd(const struct xp_xsk *xsk)
{
	return xsk->fd;
}

int xp_xsk_ifindex(const struct xp_xsk *xsk)
{
	return xsk->ifindex;
}

__u32 xp_xsk_queue(const struct xp_xsk *xsk)
{
	return xsk->queue;
}

enum xp_xsk_mode xp_xsk_mode(const struct xp_xsk *xsk)
{
	return xsk->mode;
}

const char *xp_xsk_mode_str(enum xp_xsk_mode mode)
{
	switch (mode) {
	case XP_XSK_AUTO:
		return "auto";
	case XP_XSK_COPY:
		return "copy";
	case XP_XSK_ZEROCOPY:
		return "zero-copy";
	}
	return "unknown";
}

struct xp_pool *xp_xsk_pool(const struct xp_xsk *xsk)
{
	return xsk->pool;
}

struct xp_umem *xp_xsk_umem(const struct xp_xsk *xsk)
{
	return xsk->umem;
}

bool xp_xsk_need_wakeup_enabled(const struct xp_xsk *xsk)
{
	return xsk->need_wakeup;
}

struct xp_ring *xp_xsk_rx_ring(struct xp_xsk *xsk)
{
	return &xsk->rx;
}

struct xp_ring *xp_xsk_tx_ring(struct xp_xsk *xsk)
{
	return &xsk->tx;
}

struct xp_ring *xp_xsk_fill_ring(struct xp_xsk *xsk)
{
	return &xsk->ctx->fill;
}

struct xp_ring *xp_xsk_comp_ring(struct xp_xsk *xsk)
{
	return &xsk->ctx->comp;
}

__u32 xp_xsk_fill(struct xp_xsk *xsk, __u32 n)
{
	struct xp_ring *fq = &xsk->ctx->fill;
	__u64 buf[BATCH];
	__u32 idx, done = 0, got, i;

	n = xp_ring_prod_reserve(fq, n, &idx);
	while (done < n) {
		__u32 want = n - done < BATCH ? n - done : BATCH;

		got = xp_pool_alloc(xsk->pool, buf, want, XP_OWN_FILL);
		for (i = 0; i < got; i++)
			*xp_ring_addr(fq, idx + done + i) = buf[i];
		done += got;
		if (got < want) {
			xsk->st.fill_pool_empty++;
			break;
		}
	}
	if (done < n)
		xp_ring_prod_cancel(fq, n - done);
	if (done) {
		xp_ring_prod_submit(fq, done);
		xsk->st.fill_submitted += done;
	}
	return done;
}

int xp_xsk_kick_rx(struct xp_xsk *xsk)
{
	if (!xsk->busy_poll && xsk->need_wakeup && !xp_ring_needs_wakeup(&xsk->ctx->fill))
		return 0;
	xsk->st.rx_kicks++;
	if (recvfrom(xsk->fd, NULL, 0, MSG_DONTWAIT, NULL, NULL) < 0 && errno != EAGAIN &&
	    errno != EBUSY && errno != ENETDOWN)
		return -errno;
	return 0;
}

/* Descriptors of descs[0..n) that continue into the next (XDP_PKT_CONTD). */
static __u32 count_contd(struct xp_ring *r, const struct xdp_desc *descs, __u32 idx, __u32 n)
{
	__u32 i, contd = 0;

	for (i = 0; i < n; i++) {
		const struct xdp_desc *d = descs ? &descs[i] : xp_ring_desc(r, idx + i);

		contd += !!(d->options & XDP_PKT_CONTD);
	}
	return contd;
}

/*
 * n less the descriptors after the last end of packet: a batch of a
 * multi-buffer socket never ends inside a packet.
 */
static __u32 whole_packets(struct xp_ring *r, const struct xdp_desc *descs, __u32 idx, __u32 n)
{
	while (n) {
		const struct xdp_desc *d = descs ? &descs[n - 1] : xp_ring_desc(r, idx + n - 1);

		if (!(d->options & XDP_PKT_CONTD))
			break;
		n--;
	}
	return n;
}

__u32 xp_xsk_rx_peek(struct xp_xsk *xsk, __u32 n, __u32 *idx)
{
	__u32 i, got, contd = 0;

	got = xp_ring_cons_peek(&xsk->rx, n, idx);
	if (!got) {
		xp_xsk_kick_rx(xsk);
		return 0;
	}
	if (xsk->use_sg) {
		/* The kernel publishes whole packets: the rest of one cut here
		 * is already there, for the next batch (or for this one, up to
		 * XP_XSK_MAX_CHAIN, when the packet alone is longer than n). */
		__u32 whole = whole_packets(&xsk->rx, NULL, *idx, got);

		if (!whole && n < XP_XSK_MAX_CHAIN) {
			xp_ring_cons_cancel(&xsk->rx, got);
			got = xp_ring_cons_peek(&xsk->rx, XP_XSK_MAX_CHAIN, idx);
			whole = whole_packets(&xsk->rx, NULL, *idx, got);
		}
		xp_ring_cons_cancel(&xsk->rx, got - whole);
		got = whole;
		if (!got)
			return 0;
		contd = count_contd(&xsk->rx, NULL, *idx, got);
	}
	for (i = 0; i < got; i++) {
		const struct xdp_desc *d = xp_ring_desc(&xsk->rx, *idx + i);

		xsk->st.rx_bytes += d->len;
		if (xp_pool_debug(xsk->pool))
			xp_pool_move(xsk->pool, d->addr, XP_OWN_FILL, XP_OWN_RX);
	}
	if (!xp_pool_debug(xsk->pool))
		xp_pool_move_count(xsk->pool, got, XP_OWN_FILL, XP_OWN_RX);
	xsk->st.rx_packets += got - contd;
	xsk->st.rx_frags += contd;
	return got;
}

void xp_xsk_rx_release(struct xp_xsk *xsk, __u32 n)
{
	xp_ring_cons_release(&xsk->rx, n);
}

__u32 xp_xsk_recycle(struct xp_xsk *xsk, const __u64 *addrs, __u32 n)
{
	struct xp_ring *fq = &xsk->ctx->fill;
	__u32 chunk = xsk->umem->chunk_size;
	__u32 idx, got, i;

	got = xp_ring_prod_reserve(fq, n, &idx);
	for (i = 0; i < got; i++) {
		*xp_ring_addr(fq, idx + i) =
			xp_umem_frame_addr(chunk, xp_umem_frame_index(chunk, addrs[i]));
		if (xp_pool_debug(xsk->pool))
			xp_pool_move(xsk->pool, addrs[i], XP_OWN_RX, XP_OWN_FILL);
	}
	if (!xp_pool_debug(xsk->pool))
		xp_pool_move_count(xsk->pool, got, XP_OWN_RX, XP_OWN_FILL);
	if (got) {
		xp_ring_prod_submit(fq, got);
		xsk->st.fill_submitted += got;
	}
	/* No room on the fill ring: the rest goes back to the pool. */
	if (got < n)
		xp_pool_free(xsk->pool, addrs + got, n - got, XP_OWN_RX);
	return got;
}

int xp_xsk_kick_tx(struct xp_xsk *xsk)
{
	/* Copy mode transmits only from sendto(), whatever the flag says. */
	if (xsk->mode != XP_XSK_COPY && xsk->need_wakeup && !xp_ring_needs_wakeup(&xsk->tx))
		return 0;
	xsk->st.tx_kicks++;
	if (sendto(xsk->fd, NULL, 0, MSG_DONTWAIT, NULL, 0) >= 0)
		return 0;
	/* Transient: the kernel will take the rest on the next kick. */
	if (errno == EAGAIN || errno == EBUSY || errno == ENOBUFS || errno == ENETDOWN)
		return 0;
	return -errno;
}

__u32 xp_xsk_tx(struct xp_xsk *xsk, const struct xdp_desc *descs, __u32 n, enum xp_frame_owner from)
{
	__u32 idx, got, whole, contd, i;

	got = xp_ring_prod_reserve(&xsk->tx, n, &idx);
	if (got < n)
		xsk->st.tx_ring_full++;
	/* Never half a packet: the kernel would wait for its end. */
	if (xsk->use_sg) {
		whole = whole_packets(NULL, descs, 0, got);
		if (whole < got)
			xp_ring_prod_cancel(&xsk->tx, got - whole);
		got = whole;
	}
	for (i = 0; i < got; i++) {
		*xp_ring_desc(&xsk->tx, idx + i) = descs[i];
		xsk->st.tx_bytes += descs[i].len;
		if (xp_pool_debug(xsk->pool))
			xp_pool_move(xsk->pool, descs[i].addr, from, XP_OWN_TX);
	}
	if (!xp_pool_debug(xsk->pool))
		xp_pool_move_count(xsk->pool, got, from, XP_OWN_TX);
	if (got) {
		xp_ring_prod_submit(&xsk->tx, got);
		contd = xsk->use_sg ? count_contd(NULL, descs, 0, got) : 0;
		xsk->st.tx_packets += got - contd;
		xsk->st.tx_frags += contd;
	}
	xp_xsk_kick_tx(xsk);
	return got;
}

__u32 xp_xsk_complete(struct xp_xsk *xsk, __u32 n)
{
	struct xp_ring *cq = &xsk->ctx->comp;
	__u32 idx, got, done = 0, i, k;
	__u64 buf[BATCH];

	got = xp_ring_cons_peek(cq, n, &idx);
	while (done < got) {
		k = got - done < BATCH ? got - done : BATCH;
		for (i = 0; i < k; i++) {
			buf[i] = *xp_ring_addr(cq, idx + done + i);
			if (xp_pool_debug(xsk->pool))
				xp_pool_move(xsk->pool, buf[i], XP_OWN_TX, XP_OWN_COMP);
		}
		if (!xp_pool_debug(xsk->pool))
			xp_pool_move_count(xsk->pool, k, XP_OWN_TX, XP_OWN_COMP);
		xp_pool_free(xsk->pool, buf, k, XP_OWN_COMP);
		done += k;
	}
	if (got) {
		xp_ring_cons_release(cq, got);
		xsk->st.tx_completed += got;
	}
	return got;
}

int xp_xsk_poll(struct xp_xsk *xsk, int timeout_ms)
{
	struct pollfd p = { .fd = xsk->fd, .events = 0 };
	int ret;

	if (xsk->rx_map)
		p.events |= POLLIN;
	if (xsk->tx_map)
		p.events |= POLLOUT;
	ret = poll(&p, 1, timeout_ms);
	return ret < 0 ? -errno : ret;
}

const struct xp_xsk_stats *xp_xsk_counters(const struct xp_xsk *xsk)
{
	return &xsk->st;
}

int xp_xsk_stats(const struct xp_xsk *xsk, struct xp_xsk_stats *stats)
{
	struct xdp_statistics ks = { 0 };
	socklen_t len = sizeof(ks);

	if (!xsk || !stats)
		return -EINVAL;
	*stats = xsk->st;
	if (getsockopt(xsk->fd, SOL_XDP, XDP_STATISTICS, &ks, &len))
		return -errno;
	stats->rx_dropped = ks.rx_dropped;
	stats->rx_invalid_descs = ks.rx_invalid_descs;
	stats->tx_invalid_descs = ks.tx_invalid_descs;
	stats->rx_ring_full = ks.rx_ring_full;
	stats->rx_fill_ring_empty_descs = ks.rx_fill_ring_empty_descs;
	stats->tx_ring_empty_descs = ks.tx_ring_empty_descs;
	return 0;
}
