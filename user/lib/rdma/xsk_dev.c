// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The RDMA device over one interface queue (xp_rdma_xsk.h): the AF_XDP
 * host of the transport core. It owns the umem, the frame pool and the
 * socket, fills the GID table from the interface's addresses, steers the
 * core's QPNs to its queue, lends the core umem frames to build packets
 * in (chains of frames for packets larger than one, XDP_USE_SG) and hands
 * it every received frame.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <sys/mman.h>
#include <time.h>

#include "rdma_host.h"
#include "xp_internal.h"
#include "xp_log.h"
#include "xp_neigh.h"
#include "xp_roce_pkt.h"
#include "xp_pool.h"
#include "xp_steer.h"
#include "xp_umem.h"
#include "xp_rdma_xsk.h"
#include "xp_xsk.h"
#include "xp_xsk_rules.h"

#define OPT(o, f, def) ((o) && (o)->sz > offsetof(typeof(*(o)), f) && (o)->f ? (o)->f : (def))

/* Frames queued for the tx ring, flushed together (one kick per batch). */
#define TX_BATCH 64
/*
 * Multi-buffer (XDP_USE_SG): a RoCE packet larger than a umem frame (path
 * MTU 4096 in 4096-byte frames) goes out and comes in as a chain of
 * frames; it is built and parsed in a bounce buffer of this size.
 */
#define BOUNCE_SIZE 8192
#define MAX_SEGS 4 /* BOUNCE_SIZE in frames of at least 2048 */
#define BOUNCE_COOKIE (~0ull) /* no umem address */
/*
 * The core may keep a received frame (the fill ring then gets a free one
 * in its place) only while this many free frames stay for sending: a
 * flood of requests for a busy responder must not starve its READ stream.
 */
#define KEEP_RESERVE (TX_BATCH + MAX_SEGS)

struct xsk_dev {
	struct xp_rdma_dev *core;
	int ifindex;
	char ifname[16];
	__u32 queue;
	__u8 mac[6];
	unsigned int netdev_mtu;
	enum xp_mtu mtu;
	__u8 gids[XP_RDMA_GID_TBL_LEN][16];

	void *area;
	size_t area_len;
	__u32 frame_size;
	struct xp_umem *umem;
	struct xp_pool *pool;
	struct xp_xsk *xsk;
	struct xp_steer *steer;
	bool attached; /* we attached xdp_steer and detach it on close */
	bool sg; /* the path MTU needs packets of several frames */
	__u8 *tx_bounce, *rx_bounce; /* with sg: BOUNCE_SIZE each */
	bool tx_bounce_busy; /* a packet is being built in tx_bounce */
	__u32 bounce_nseg; /* its frames */
	__u64 bounce_seg[MAX_SEGS];

	struct xdp_desc txb[TX_BATCH];
	__u32 ntxb;
};

static const struct xp_rdma_host_ops xsk_ops;

/* The host of dev, or NULL (with a message) when another host made it. */
static struct xsk_dev *xsk_dev_of(const struct xp_rdma_dev *dev)
{
	if (dev && xp_rdma_core_ops(dev) == &xsk_ops)
		return xp_rdma_core_host(dev);
	xp_log(XP_WARN, "xdpath: not an AF_XDP RDMA device (xp_rdma_dev_open() makes those)\n");
	return NULL;
}

static bool gid_is_zero(const __u8 gid[16])
{
	static const __u8 zero[16];

	return !memcmp(gid, zero, 16);
}

/* Index 0: link-local IPv6 (or zero); 1: first IPv4 (or zero); then the rest. */
static int build_gid_table(struct xsk_dev *dev)
{
	struct ifaddrs *ifa_list, *ifa;
	__u32 next = 2;
	bool have_v4 = false;
	int pass;

	if (getifaddrs(&ifa_list))
		return -errno;
	/* Pass 0 takes IPv4 addresses, pass 1 IPv6 ones, so IPv4 come first. */
	for (pass = 0; pass < 2; pass++) {
		for (ifa = ifa_list; ifa; ifa = ifa->ifa_next) {
			__u8 gid[16];
			__u32 idx;

			if (!ifa->ifa_addr || strcmp(ifa->ifa_name, dev->ifname))
				continue;
			if (pass == 0 && ifa->ifa_addr->sa_family == AF_INET) {
				struct sockaddr_in *sin = (struct sockaddr_in *)ifa->ifa_addr;

				xp_gid_from_ipv4(gid, sin->sin_addr.s_addr);
				idx = have_v4 ? next++ : 1;
				have_v4 = true;
			} else if (pass == 1 && ifa->ifa_addr->sa_family == AF_INET6) {
				struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ifa->ifa_addr;

				memcpy(gid, &sin6->sin6_addr, 16);
				if (IN6_IS_ADDR_LINKLOCAL(&sin6->sin6_addr) &&
				    gid_is_zero(dev->gids[0]))
					idx = 0;
				else
					idx = next++;
			} else {
				continue;
			}
			if (idx >= XP_RDMA_GID_TBL_LEN) {
				xp_log(XP_INFO, "%s: more than %u addresses; GID table full\n",
				       dev->ifname, XP_RDMA_GID_TBL_LEN);
				break;
			}
			memcpy(dev->gids[idx], gid, 16);
		}
	}
	freeifaddrs(ifa_list);
	return 0;
}

/* Attach xdp_steer unless ours is there, and open its maps. */
static int steer_setup(struct xsk_dev *dev, enum xp_attach_mode mode)
{
	struct xp_steer_attach_opts ao = {
		.sz = sizeof(ao),
		.mode = mode,
		.frags = dev->sg ? XP_STEER_FRAGS_ON : XP_STEER_FRAGS_AUTO,
	};
	struct xp_steer_info info;
	int err;

	err = xp_steer_query(dev->ifindex, &info);
	if (err)
		return err;
	if (!info.prog_id || !info.ours) {
		err = xp_steer_attach(dev->ifindex, &ao, NULL);
		if (err)
			return err;
		dev->attached = true;
	}
	dev->steer = xp_steer_open(dev->ifindex);
	if (!dev->steer) {
		err = -errno;
		xp_log(XP_WARN, "%s: cannot open the steering maps: %s\n", dev->ifname,
		       strerror(errno));
		goto out_detach;
	}
	return 0;

out_detach:
	if (dev->attached)
		xp_steer_detach(dev->ifindex, false);
	dev->attached = false;
	return err;
}

/*
 * Packets of several frames when the netdev MTU allows a path MTU whose
 * packets do not fit one frame, and the kernel has AF_XDP multi-buffer;
 * else the path MTU is what one frame holds, and we say why.
 */
static int choose_sg(struct xsk_dev *dev)
{
	const struct xp_xsk_rules *rules;
	enum xp_mtu one = xp_mtu_from_bytes(dev->frame_size - XP_ROCE_HDR_MAX);

	if (xp_mtu_to_bytes(dev->mtu) + XP_ROCE_HDR_MAX <= dev->frame_size)
		return 0;
	rules = xp_xsk_rules();
	if (!(rules->bind_flags & XDP_USE_SG) ||
	    xp_mtu_to_bytes(dev->mtu) + XP_ROCE_HDR_MAX > BOUNCE_SIZE ||
	    dev->frame_size * MAX_SEGS < BOUNCE_SIZE) {
		xp_log(XP_INFO,
		       "%s: netdev MTU %u allows path MTU %u, whose packets need several %u-byte frames: %s; path MTU %u\n",
		       dev->ifname, dev->netdev_mtu, xp_mtu_to_bytes(dev->mtu), dev->frame_size,
		       !(rules->bind_flags & XDP_USE_SG) ?
			       "this kernel has no AF_XDP multi-buffer (XDP_USE_SG, Linux 6.6 and later)" :
			       "frames this small are not supported",
		       xp_mtu_to_bytes(one));
		dev->mtu = one;
		return 0;
	}
	dev->tx_bounce = malloc(BOUNCE_SIZE);
	dev->rx_bounce = malloc(BOUNCE_SIZE);
	if (!dev->tx_bounce || !dev->rx_bounce)
		return -ENOMEM;
	dev->sg = true;
	xp_log(XP_DEBUG, "%s: path MTU %u: packets of up to %u frames (XDP_USE_SG)\n", dev->ifname,
	       xp_mtu_to_bytes(dev->mtu),
	       (xp_mtu_to_bytes(dev->mtu) + XP_ROCE_HDR_MAX + dev->frame_size - 1) /
		       dev->frame_size);
	return 0;
}

/* ---- frames for the core ---- */

static __u32 tx_pending(struct xsk_dev *dev)
{
	struct xp_ring *tx = xp_xsk_tx_ring(dev->xsk);

	return *tx->producer - __atomic_load_n(tx->consumer, __ATOMIC_ACQUIRE);
}

static int xsk_tx_flush(void *host);

/* n free umem frames for sending, reaping completions if need be. */
static int tx_frames_alloc(struct xsk_dev *dev, __u64 *addrs, __u32 n)
{
	__u32 got = xp_pool_alloc(dev->pool, addrs, n, XP_OWN_APP);

	if (got < n) {
		xsk_tx_flush(dev);
		xp_xsk_complete(dev->xsk, 1024);
		got += xp_pool_alloc(dev->pool, addrs + got, n - got, XP_OWN_APP);
	}
	if (got == n)
		return 0;
	if (got)
		xp_pool_free(dev->pool, addrs, got, XP_OWN_APP);
	return -ENOBUFS;
}

static int xsk_tx_alloc(void *host, struct xp_tx_frame *f, __u32 len)
{
	struct xsk_dev *dev = host;
	int err;

	if (len <= dev->frame_size || !dev->sg) {
		err = tx_frames_alloc(dev, &f->cookie, 1);
		if (err)
			return err;
		f->data = xp_umem_data(dev->area, f->cookie);
		f->size = dev->frame_size;
		return 0;
	}
	/* Larger than a frame: built whole in the bounce buffer, one at a time. */
	if (dev->tx_bounce_busy)
		return -EBUSY;
	if (len > BOUNCE_SIZE)
		len = BOUNCE_SIZE;
	dev->bounce_nseg = (len + dev->frame_size - 1) / dev->frame_size;
	err = tx_frames_alloc(dev, dev->bounce_seg, dev->bounce_nseg);
	if (err)
		return err;
	dev->tx_bounce_busy = true;
	f->data = dev->tx_bounce;
	f->size = BOUNCE_SIZE;
	f->cookie = BOUNCE_COOKIE;
	return 0;
}

static void xsk_tx_abort(void *host, struct xp_tx_frame *f)
{
	struct xsk_dev *dev = host;

	if (f->cookie != BOUNCE_COOKIE) {
		xp_pool_free(dev->pool, &f->cookie, 1, XP_OWN_APP);
		return;
	}
	xp_pool_free(dev->pool, dev->bounce_seg, dev->bounce_nseg, XP_OWN_APP);
	dev->tx_bounce_busy = false;
}

static void xsk_tx_send(void *host, struct xp_tx_frame *f)
{
	struct xsk_dev *dev = host;
	__u32 k, off, n, nseg;

	if (f->cookie != BOUNCE_COOKIE) {
		dev->txb[dev->ntxb++] = (struct xdp_desc){ .addr = f->cookie, .len = f->len };
	} else {
		/* A chain: all but the last descriptor say XDP_PKT_CONTD. */
		nseg = (f->len + dev->frame_size - 1) / dev->frame_size;
		if (nseg < dev->bounce_nseg)
			xp_pool_free(dev->pool, dev->bounce_seg + nseg, dev->bounce_nseg - nseg,
				     XP_OWN_APP);
		if (dev->ntxb + nseg > TX_BATCH)
			xsk_tx_flush(dev);
		for (k = 0, off = 0; k < nseg; k++, off += n) {
			n = f->len - off < dev->frame_size ? f->len - off : dev->frame_size;
			memcpy(xp_umem_data(dev->area, dev->bounce_seg[k]), f->data + off, n);
			dev->txb[dev->ntxb++] = (struct xdp_desc){
				.addr = dev->bounce_seg[k],
				.len = n,
				.options = k + 1 < nseg ? XDP_PKT_CONTD : 0,
			};
		}
		dev->tx_bounce_busy = false;
	}
	/* Room for the next packet, whole. */
	if (dev->ntxb + (dev->sg ? MAX_SEGS : 1) > TX_BATCH)
		xsk_tx_flush(dev);
}

static int xsk_tx_flush(void *host)
{
	struct xsk_dev *dev = host;
	__u32 done = 0, spins = 0;

	while (done < dev->ntxb) {
		__u32 n = xp_xsk_tx(dev->xsk, dev->txb + done, dev->ntxb - done, XP_OWN_APP);

		done += n;
		if (done == dev->ntxb)
			break;
		/* Ring full: copy mode sends in sendto(), so reaping makes room. */
		xp_xsk_complete(dev->xsk, 1024);
		if (!n && ++spins > 1000)
			break;
	}
	if (done < dev->ntxb) {
		__u32 i;

		for (i = done; i < dev->ntxb; i++)
			xp_pool_free(dev->pool, &dev->txb[i].addr, 1, XP_OWN_APP);
		xp_rdma_core_tx_dropped(dev->core, dev->ntxb - done);
		dev->ntxb = 0;
		return -ENOBUFS;
	}
	dev->ntxb = 0;
	return 0;
}

/*
 * A frame the core kept (backlog, reordering) goes back to the pool: the
 * fill ring got another in its place when the core kept it.
 */
static void xsk_rx_release(void *host, __u64 cookie)
{
	struct xsk_dev *dev = host;

	xp_pool_free(dev->pool, &cookie, 1, XP_OWN_RX);
}

static __u64 xsk_now_ns(void *host)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (__u64)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

static int xsk_resolve_mac(void *host, const __u8 gid[16], __u8 mac[6])
{
	struct xsk_dev *dev = host;
	char buf[INET6_ADDRSTRLEN];
	int err;

	if (xp_gid_is_v4(gid)) {
		err = xp_neigh_resolve(dev->ifindex, AF_INET, gid + 12, mac);
		inet_ntop(AF_INET, gid + 12, buf, sizeof(buf));
	} else {
		err = xp_neigh_resolve(dev->ifindex, AF_INET6, gid, mac);
		inet_ntop(AF_INET6, gid, buf, sizeof(buf));
	}
	if (err == -ENOENT)
		xp_log(XP_WARN, "%s: no neighbour entry for %s; ping it first\n", dev->ifname, buf);
	return err;
}

static int xsk_qpn_add(void *host, __u32 qpn)
{
	struct xsk_dev *dev = host;
	int err;

	err = xp_steer_add_qpn(dev->steer, qpn, xp_xsk_queue(dev->xsk));
	if (err)
		xp_log(XP_WARN, "cannot steer QPN %u to slot %u: %s\n", qpn, xp_xsk_queue(dev->xsk),
		       strerror(-err));
	return err;
}

static void xsk_qpn_del(void *host, __u32 qpn)
{
	struct xsk_dev *dev = host;

	xp_steer_del_qpn(dev->steer, qpn);
}

static const struct xp_rdma_host_ops xsk_ops = {
	.tx_alloc = xsk_tx_alloc,
	.tx_send = xsk_tx_send,
	.tx_abort = xsk_tx_abort,
	.tx_flush = xsk_tx_flush,
	.rx_release = xsk_rx_release,
	.now_ns = xsk_now_ns,
	.resolve_mac = xsk_resolve_mac,
	.qpn_add = xsk_qpn_add,
	.qpn_del = xsk_qpn_del,
};

/* ---- open and close ---- */

static void xsk_dev_free(struct xsk_dev *dev)
{
	free(dev->tx_bounce);
	free(dev->rx_bounce);
	free(dev);
}

/* The socket, its umem and pool; the fill ring primed and the driver woken. */
static int xsk_setup(struct xsk_dev *dev, const struct xp_rdma_dev_opts *opts)
{
	struct xp_umem_opts uo = { .sz = sizeof(uo) };
	struct xp_pool_opts po = { .sz = sizeof(po) };
	struct xp_xsk_opts xo = { .sz = sizeof(xo) };
	__u32 nframes = OPT(opts, nframes, 2048), ring = OPT(opts, ring_size, 512);
	int err;

	dev->area_len = (size_t)nframes * dev->frame_size;
	dev->area = mmap(NULL, dev->area_len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
			 -1, 0);
	if (dev->area == MAP_FAILED) {
		err = -errno;
		xp_log(XP_WARN, "cannot map %zu bytes of umem: %s\n", dev->area_len,
		       strerror(errno));
		return err;
	}
	uo.chunk_size = dev->frame_size;
	dev->umem = xp_umem_create(dev->area, dev->area_len, &uo);
	if (!dev->umem) {
		err = -errno;
		goto out_unmap;
	}
	dev->pool = xp_pool_create(dev->umem, &po);
	if (!dev->pool) {
		err = -errno;
		goto out_umem;
	}
	xo.rx_size = xo.tx_size = xo.comp_size = ring;
	/* Larger than all the frames that can be in it (docs/xsk.md). */
	xo.fill_size = 2 * ring;
	while (xo.fill_size <= nframes)
		xo.fill_size *= 2;
	xo.pool = dev->pool;
	xo.mode = OPT(opts, xsk_mode, XP_XSK_AUTO);
	xo.use_sg = dev->sg;
	dev->xsk = xp_xsk_create(dev->umem, dev->ifindex, dev->queue, &xo);
	if (!dev->xsk) {
		err = -errno;
		goto out_pool;
	}
	/* Half the frames wait for received packets, half are for sending. */
	if (xp_xsk_fill(dev->xsk, ring) != ring) {
		err = -ENOMEM;
		xp_log(XP_WARN, "%s: %u frames cannot prime a fill ring of %u; use more frames\n",
		       dev->ifname, nframes, ring);
		goto out_xsk;
	}
	/*
	 * In zero-copy mode the driver fills its rx queue from our fill ring
	 * only when woken: until the first poll, not even the kernel's own
	 * traffic on this queue (ARP, the TCP exchange of connection details)
	 * would come in.
	 */
	err = xp_xsk_kick_rx(dev->xsk);
	if (err) {
		xp_log(XP_WARN, "%s: cannot wake the driver's rx queue: %s\n", dev->ifname,
		       strerror(-err));
		goto out_xsk;
	}
	return 0;

out_xsk:
	xp_xsk_destroy(dev->xsk);
out_pool:
	xp_pool_destroy(dev->pool);
out_umem:
	xp_umem_destroy(dev->umem);
out_unmap:
	munmap(dev->area, dev->area_len);
	return err;
}

static void xsk_teardown(struct xsk_dev *dev)
{
	xp_xsk_destroy(dev->xsk);
	xp_pool_destroy(dev->pool);
	xp_umem_destroy(dev->umem);
	munmap(dev->area, dev->area_len);
}

static void steer_teardown(struct xsk_dev *dev)
{
	xp_steer_close(dev->steer);
	if (dev->attached)
		xp_steer_detach(dev->ifindex, false);
}

struct xp_rdma_dev *xp_rdma_dev_open(const char *ifname, const struct xp_rdma_dev_opts *opts)
{
	struct xp_rdma_core_attr ca = { .sz = sizeof(ca), .ops = &xsk_ops };
	struct xsk_dev *dev;
	__u32 i;
	int err;

	if (!ifname || strlen(ifname) >= sizeof(dev->ifname)) {
		errno = EINVAL;
		return NULL;
	}
	dev = calloc(1, sizeof(*dev));
	if (!dev)
		return NULL;
	strcpy(dev->ifname, ifname);
	dev->ifindex = if_nametoindex(ifname);
	if (!dev->ifindex) {
		err = -errno;
		xp_log(XP_WARN, "interface %s: %s\n", ifname, strerror(errno));
		goto out_free;
	}
	dev->queue = OPT(opts, queue, 0);
	dev->frame_size = OPT(opts, frame_size, 4096);
	ca.max_qp = OPT(opts, max_qp, XP_RDMA_DEFAULT_MAX_QP);
	if (ca.max_qp > XP_QPN_MASK - XP_RDMA_QPN_FIRST) {
		err = -EINVAL;
		xp_log(XP_WARN, "max_qp %u is too large; at most %u\n", ca.max_qp,
		       XP_QPN_MASK - XP_RDMA_QPN_FIRST);
		goto out_free;
	}
	err = xp_link_info(dev->ifindex, dev->mac, &dev->netdev_mtu);
	if (err) {
		xp_log(XP_WARN, "%s: cannot read MAC and MTU: %s\n", ifname, strerror(-err));
		goto out_free;
	}
	dev->mtu = xp_mtu_from_netdev(dev->netdev_mtu);
	err = choose_sg(dev);
	if (err)
		goto out_free;
	if (!dev->mtu) {
		err = -EINVAL;
		xp_log(XP_WARN, "%s: MTU %u leaves no room for a 256-byte RoCE path MTU\n", ifname,
		       dev->netdev_mtu);
		goto out_free;
	}
	err = build_gid_table(dev);
	if (err) {
		xp_log(XP_WARN, "%s: cannot list addresses: %s\n", ifname, strerror(-err));
		goto out_free;
	}

	ca.name = dev->ifname;
	memcpy(ca.mac, dev->mac, 6);
	ca.mtu = dev->mtu;
	ca.host = dev;
	dev->core = xp_rdma_core_create(&ca);
	if (!dev->core) {
		err = -errno;
		goto out_free;
	}
	for (i = 0; i < XP_RDMA_GID_TBL_LEN; i++)
		xp_rdma_core_set_gid(dev->core, i, dev->gids[i]);

	err = steer_setup(dev, OPT(opts, attach_mode, XP_ATTACH_AUTO));
	if (err)
		goto out_core;
	err = xsk_setup(dev, opts);
	if (err)
		goto out_steer;
	return dev->core;

out_steer:
	steer_teardown(dev);
out_core:
	xp_rdma_core_destroy(dev->core);
out_free:
	xsk_dev_free(dev);
	errno = -err;
	return NULL;
}

int xp_rdma_dev_close(struct xp_rdma_dev *core)
{
	struct xsk_dev *dev;
	int err;

	if (!core)
		return 0;
	dev = xsk_dev_of(core);
	if (!dev)
		return -EINVAL;
	err = xp_rdma_core_destroy(core);
	if (err)
		return err;
	xsk_teardown(dev);
	steer_teardown(dev);
	xsk_dev_free(dev);
	return 0;
}

int xp_rdma_dev_ifindex(const struct xp_rdma_dev *core)
{
	struct xsk_dev *dev = xsk_dev_of(core);

	return dev ? dev->ifindex : -EINVAL;
}

enum xp_xsk_mode xp_rdma_dev_xsk_mode(const struct xp_rdma_dev *core)
{
	struct xsk_dev *dev = xsk_dev_of(core);

	return dev ? xp_xsk_mode(dev->xsk) : XP_XSK_AUTO;
}

int xp_rdma_dev_xsk_stats(const struct xp_rdma_dev *core, struct xp_xsk_stats *stats)
{
	struct xsk_dev *dev;

	if (!core || !stats)
		return -EINVAL;
	dev = xsk_dev_of(core);
	return dev ? xp_xsk_stats(dev->xsk, stats) : -EINVAL;
}

/* ---- poll and wait ---- */

/*
 * A packet of several frames, descriptors first..: gathered into the
 * bounce buffer and handed to the core from there (it may not keep it);
 * every frame goes back to the fill ring. Returns the index of its last
 * descriptor (a peek holds whole packets).
 */
static __u32 rx_chain(struct xsk_dev *dev, __u32 idx, __u32 first, __u32 n, __u64 *recycle,
		      __u32 *nrec)
{
	const struct xdp_desc *d;
	bool fits = dev->sg;
	__u32 i = first, len = 0;

	for (;; i++) {
		d = xp_xsk_rx_desc(dev->xsk, idx + i);
		if (fits && len + d->len <= BOUNCE_SIZE)
			memcpy(dev->rx_bounce + len, xp_umem_data(dev->area, d->addr), d->len);
		else
			fits = false;
		len += d->len;
		recycle[(*nrec)++] = d->addr;
		if (!(d->options & XDP_PKT_CONTD) || i + 1 == n)
			break;
	}
	if (fits)
		xp_rdma_core_rx(dev->core, dev->rx_bounce, len, BOUNCE_COOKIE, false);
	else
		xp_rdma_core_rx_drop(dev->core, XP_RDMA_DROP_TOO_LONG);
	return i;
}

/* Descriptors per peek; a peek may hold a whole chain beyond a smaller ask. */
#define RX_BATCH 64
_Static_assert(XP_XSK_MAX_CHAIN <= RX_BATCH, "a peek may return a whole chain");

int xp_rdma_dev_poll(struct xp_rdma_dev *core, __u32 budget)
{
	struct xsk_dev *dev = xsk_dev_of(core);
	__u64 addrs[RX_BATCH];
	__u32 idx, n, i, nrec, kept;
	int total = 0;

	if (!dev)
		return -EINVAL;
	xp_rdma_core_begin(core);
	xp_xsk_complete(dev->xsk, 1024);
	if (tx_pending(dev))
		xp_xsk_kick_tx(dev->xsk);
	while (budget) {
		n = xp_xsk_rx_peek(dev->xsk, budget < RX_BATCH ? budget : RX_BATCH, &idx);
		if (!n)
			break;
		nrec = kept = 0;
		for (i = 0; i < n; i++) {
			const struct xdp_desc *d = xp_xsk_rx_desc(dev->xsk, idx + i);

			if (d->options & XDP_PKT_CONTD) {
				i = rx_chain(dev, idx, i, n, addrs, &nrec);
				continue;
			}
			if (xp_rdma_core_rx(core, xp_umem_data(dev->area, d->addr), d->len, d->addr,
					    xp_pool_count(dev->pool, XP_OWN_FREE) >
						    KEEP_RESERVE + kept))
				kept++; /* out of circulation until released */
			else
				addrs[nrec++] = d->addr;
		}
		xp_xsk_rx_release(dev->xsk, n);
		xp_xsk_recycle(dev->xsk, addrs, nrec);
		/* Frames the core keeps: the fill ring gets others instead. */
		if (kept)
			xp_xsk_fill(dev->xsk, kept);
		budget -= n < budget ? n : budget; /* a chain may exceed it */
		total += n;
		/* ACK what this batch asked for before taking more. */
		xp_rdma_core_work(core);
	}
	if (!total)
		xp_rdma_core_work(core);
	xsk_tx_flush(dev);
	/* Callers that spin on poll without waiting: wake rx if it asks. */
	xp_xsk_kick_rx(dev->xsk);
	return total;
}

int xp_rdma_dev_wait(struct xp_rdma_dev *core, int timeout_ms)
{
	struct xsk_dev *dev = xsk_dev_of(core);
	__u64 due, now;
	struct pollfd pfd;
	int n;

	if (!dev)
		return -EINVAL;
	due = xp_rdma_core_next_timer(core);
	if (due) {
		now = xsk_now_ns(dev);
		n = due <= now ? 0 : (int)((due - now + 999999) / 1000000);
		if (timeout_ms < 0 || n < timeout_ms)
			timeout_ms = n;
	}
	if (dev->ntxb)
		timeout_ms = 0;
	/* Copy mode sends a bounded batch per kick: push out what is left. */
	if (tx_pending(dev))
		xp_xsk_kick_tx(dev->xsk);
	/* POLLIN only: the tx ring is nearly always writable. */
	pfd = (struct pollfd){ .fd = xp_xsk_fd(dev->xsk), .events = POLLIN };
	n = poll(&pfd, 1, timeout_ms);
	return n < 0 ? -errno : n;
}
