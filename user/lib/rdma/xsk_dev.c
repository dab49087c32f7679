// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The RDMA device: one interface queue, its AF_XDP socket and umem, the GID
 * table, the MR table, QPN allocation and the receive dispatcher.
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

#include "rdma_private.h"
#include "xp_internal.h"
#include "xp_log.h"
#include "xp_neigh.h"
#include "xp_pool.h"
#include "xp_steer.h"
#include "xp_umem.h"
#include "xp_xsk.h"
#include "xp_xsk_rules.h"

#define OPT(o, f, def) ((o) && (o)->sz > offsetof(typeof(*(o)), f) && (o)->f ? (o)->f : (def))

static const char *const drop_names[XP_RDMA_DROP__MAX] = {
	[XP_RDMA_DROP_NONE] = "none",	      [XP_RDMA_DROP_NOT_UD] = "not_ud",
	[XP_RDMA_DROP_DGID] = "dgid",	      [XP_RDMA_DROP_NO_QP] = "no_qp",
	[XP_RDMA_DROP_QP_STATE] = "qp_state", [XP_RDMA_DROP_QKEY] = "qkey",
	[XP_RDMA_DROP_NO_RECV] = "no_recv",   [XP_RDMA_DROP_PKEY] = "pkey",
	[XP_RDMA_DROP_QP_TYPE] = "qp_type",   [XP_RDMA_DROP_PATH] = "path",
	[XP_RDMA_DROP_FAULT] = "fault",	      [XP_RDMA_DROP_BACKLOG] = "backlog",
	[XP_RDMA_DROP_TOO_LONG] = "too_long",
};

_Static_assert(XP_PKT_ERR_NR <= 32, "rx_parse_drops[] is too small for enum xp_pkt_err");

const char *xp_rdma_drop_str(enum xp_rdma_drop reason)
{
	return (unsigned int)reason < XP_RDMA_DROP__MAX ? drop_names[reason] : "unknown";
}

static bool gid_is_zero(const __u8 gid[16])
{
	static const __u8 zero[16];

	return !memcmp(gid, zero, 16);
}

/* Index 0: link-local IPv6 (or zero); 1: first IPv4 (or zero); then the rest. */
static int build_gid_table(struct xp_rdma_dev *dev)
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
static int steer_setup(struct xp_rdma_dev *dev, enum xp_attach_mode mode)
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
static int choose_sg(struct xp_rdma_dev *dev)
{
	const struct xp_xsk_rules *rules;
	enum xp_mtu one = xp_mtu_from_bytes(dev->frame_size - XP_ROCE_HDR_MAX);

	if (xp_mtu_to_bytes(dev->mtu) + XP_ROCE_HDR_MAX <= dev->frame_size)
		return 0;
	rules = xp_xsk_rules();
	if (!(rules->bind_flags & XDP_USE_SG) ||
	    xp_mtu_to_bytes(dev->mtu) + XP_ROCE_HDR_MAX > XP_RDMA_BOUNCE_SIZE ||
	    dev->frame_size * XP_RDMA_MAX_SEGS < XP_RDMA_BOUNCE_SIZE) {
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
	dev->tx_bounce = malloc(XP_RDMA_BOUNCE_SIZE);
	dev->rx_bounce = malloc(XP_RDMA_BOUNCE_SIZE);
	if (!dev->tx_bounce || !dev->rx_bounce)
		return -ENOMEM;
	dev->sg = true;
	xp_log(XP_DEBUG, "%s: path MTU %u: packets of up to %u frames (XDP_USE_SG)\n", dev->ifname,
	       xp_mtu_to_bytes(dev->mtu),
	       (xp_mtu_to_bytes(dev->mtu) + XP_ROCE_HDR_MAX + dev->frame_size - 1) /
		       dev->frame_size);
	return 0;
}

struct xp_rdma_dev *xp_rdma_dev_open(const char *ifname, const struct xp_rdma_dev_opts *opts)
{
	struct xp_umem_opts uo = { .sz = sizeof(uo) };
	struct xp_pool_opts po = { .sz = sizeof(po) };
	struct xp_xsk_opts xo = { .sz = sizeof(xo) };
	struct xp_rdma_dev *dev;
	__u32 nframes, ring;
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
	nframes = OPT(opts, nframes, 2048);
	ring = OPT(opts, ring_size, 512);
	dev->max_qp = OPT(opts, max_qp, XP_RDMA_DEFAULT_MAX_QP);
	if (dev->max_qp > XP_QPN_MASK - XP_RDMA_QPN_FIRST) {
		err = -EINVAL;
		xp_log(XP_WARN, "max_qp %u is too large; at most %u\n", dev->max_qp,
		       XP_QPN_MASK - XP_RDMA_QPN_FIRST);
		goto out_free;
	}
	dev->next_qpn = XP_RDMA_QPN_FIRST;

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

	dev->qps = calloc(dev->max_qp, sizeof(*dev->qps));
	if (!dev->qps) {
		err = -ENOMEM;
		goto out_free;
	}
	dev->mrs = xp_mr_table_create(NULL);
	if (!dev->mrs) {
		err = -errno;
		goto out_qps;
	}

	err = steer_setup(dev, OPT(opts, attach_mode, XP_ATTACH_AUTO));
	if (err)
		goto out_mrs;

	dev->area_len = (size_t)nframes * dev->frame_size;
	dev->area = mmap(NULL, dev->area_len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
			 -1, 0);
	if (dev->area == MAP_FAILED) {
		err = -errno;
		xp_log(XP_WARN, "cannot map %zu bytes of umem: %s\n", dev->area_len,
		       strerror(errno));
		goto out_steer;
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
		       ifname, nframes, ring);
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
		xp_log(XP_WARN, "%s: cannot wake the driver's rx queue: %s\n", ifname,
		       strerror(-err));
		goto out_xsk;
	}
	return dev;

out_xsk:
	xp_xsk_destroy(dev->xsk);
out_pool:
	xp_pool_destroy(dev->pool);
out_umem:
	xp_umem_destroy(dev->umem);
out_unmap:
	munmap(dev->area, dev->area_len);
out_steer:
	xp_steer_close(dev->steer);
	if (dev->attached)
		xp_steer_detach(dev->ifindex, false);
out_mrs:
	xp_mr_table_destroy(dev->mrs);
out_qps:
	free(dev->qps);
out_free:
	free(dev->tx_bounce);
	free(dev->rx_bounce);
	free(dev);
	errno = -err;
	return NULL;
}

int xp_rdma_dev_close(struct xp_rdma_dev *dev)
{
	if (!dev)
		return 0;
	if (dev->nqp || xp_mr_table_count(dev->mrs))
		return -EBUSY;
	if (xp_mr_table_destroy(dev->mrs))
		return -EBUSY; /* PDs remain */
	xp_xsk_destroy(dev->xsk);
	xp_pool_destroy(dev->pool);
	xp_umem_destroy(dev->umem);
	munmap(dev->area, dev->area_len);
	xp_steer_close(dev->steer);
	if (dev->attached)
		xp_steer_detach(dev->ifindex, false);
	free(dev->qps);
	free(dev->tx_bounce);
	free(dev->rx_bounce);
	free(dev);
	return 0;
}

int xp_rdma_dev_ifindex(const struct xp_rdma_dev *dev)
{
	return dev->ifindex;
}

const __u8 *xp_rdma_dev_mac(const struct xp_rdma_dev *dev)
{
	return dev->mac;
}

enum xp_mtu xp_rdma_dev_mtu(const struct xp_rdma_dev *dev)
{
	return dev->mtu;
}

enum xp_xsk_mode xp_rdma_dev_xsk_mode(const struct xp_rdma_dev *dev)
{
	return xp_xsk_mode(dev->xsk);
}

struct xp_mr_table *xp_rdma_dev_mr_table(struct xp_rdma_dev *dev)
{
	return dev->mrs;
}

__u32 xp_rdma_dev_gid_tbl_len(const struct xp_rdma_dev *dev)
{
	return XP_RDMA_GID_TBL_LEN;
}

int xp_rdma_dev_query_gid(const struct xp_rdma_dev *dev, __u32 index, __u8 gid[16])
{
	if (index >= XP_RDMA_GID_TBL_LEN)
		return -EINVAL;
	memcpy(gid, dev->gids[index], 16);
	return 0;
}

int xp_rdma_dev_find_gid(const struct xp_rdma_dev *dev, const __u8 gid[16])
{
	__u32 i;

	if (gid_is_zero(gid))
		return -ENOENT;
	for (i = 0; i < XP_RDMA_GID_TBL_LEN; i++)
		if (!memcmp(dev->gids[i], gid, 16))
			return i;
	return -ENOENT;
}

const struct xp_rdma_dev_stats *xp_rdma_dev_stats(const struct xp_rdma_dev *dev)
{
	return &dev->stats;
}

int xp_rdma_dev_xsk_stats(const struct xp_rdma_dev *dev, struct xp_xsk_stats *stats)
{
	if (!dev || !stats)
		return -EINVAL;
	return xp_xsk_stats(dev->xsk, stats);
}

__u64 xp_rdma_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (__u64)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

/* ---- transmit ---- */

static __u32 tx_pending(struct xp_rdma_dev *dev)
{
	struct xp_ring *tx = xp_xsk_tx_ring(dev->xsk);

	return *tx->producer - __atomic_load_n(tx->consumer, __ATOMIC_ACQUIRE);
}

/* n free umem frames for sending, reaping completions if need be. */
static int tx_frames_alloc(struct xp_rdma_dev *dev, __u64 *addrs, __u32 n)
{
	__u32 got = xp_pool_alloc(dev->pool, addrs, n, XP_OWN_APP);

	if (got < n) {
		xp_rdma_tx_flush(dev);
		xp_xsk_complete(dev->xsk, 1024);
		got += xp_pool_alloc(dev->pool, addrs + got, n - got, XP_OWN_APP);
	}
	if (got == n)
		return 0;
	if (got)
		xp_pool_free(dev->pool, addrs, got, XP_OWN_APP);
	return -ENOBUFS;
}

int xp_rdma_frame_begin(struct xp_rdma_dev *dev, const struct xp_roce_av *av,
			const struct xp_roce_hdrs *h, __u32 len, struct xp_tx_frame *f)
{
	int err;

	/* Larger than a frame: build it whole in the bounce buffer. */
	if (dev->sg && len + XP_ROCE_HDR_MAX > dev->frame_size) {
		if (dev->tx_bounce_busy)
			return -EBUSY; /* one packet of several frames at a time */
		f->data = dev->tx_bounce;
		f->len = xp_roce_build(f->data, XP_RDMA_BOUNCE_SIZE, av, h, NULL, len, &f->payload);
		if (f->len < 0)
			return f->len;
		f->nseg = (f->len + dev->frame_size - 1) / dev->frame_size;
		err = tx_frames_alloc(dev, f->seg, f->nseg);
		if (err)
			return err;
		f->addr = f->seg[0];
		dev->tx_bounce_busy = true;
		return 0;
	}
	f->nseg = 1;
	err = tx_frames_alloc(dev, &f->addr, 1);
	if (err)
		return err;
	f->seg[0] = f->addr;
	f->data = xp_umem_data(dev->area, f->addr);
	f->len = xp_roce_build(f->data, dev->frame_size, av, h, NULL, len, &f->payload);
	if (f->len < 0) {
		err = f->len;
		xp_pool_free(dev->pool, &f->addr, 1, XP_OWN_APP);
		return err;
	}
	return 0;
}

void xp_rdma_frame_abort(struct xp_rdma_dev *dev, struct xp_tx_frame *f)
{
	xp_pool_free(dev->pool, f->seg, f->nseg, XP_OWN_APP);
	if (f->data == dev->tx_bounce)
		dev->tx_bounce_busy = false;
}

void xp_rdma_frame_send(struct xp_rdma_dev *dev, struct xp_tx_frame *f)
{
	__u32 k, off, n;

	xp_roce_seal(f->data, f->len);
	if (f->data != dev->tx_bounce) {
		dev->txb[dev->ntxb++] = (struct xdp_desc){ .addr = f->addr, .len = f->len };
	} else {
		/* A chain: all but the last descriptor say XDP_PKT_CONTD. */
		if (dev->ntxb + f->nseg > XP_TX_BATCH)
			xp_rdma_tx_flush(dev);
		for (k = 0, off = 0; k < f->nseg; k++, off += n) {
			n = f->len - off < dev->frame_size ? f->len - off : dev->frame_size;
			memcpy(xp_umem_data(dev->area, f->seg[k]), f->data + off, n);
			dev->txb[dev->ntxb++] = (struct xdp_desc){
				.addr = f->seg[k],
				.len = n,
				.options = k + 1 < f->nseg ? XDP_PKT_CONTD : 0,
			};
		}
		dev->tx_bounce_busy = false;
	}
	dev->stats.tx_frames++;
	/* Room for the next packet, whole. */
	if (dev->ntxb + (dev->sg ? XP_RDMA_MAX_SEGS : 1) > XP_TX_BATCH)
		xp_rdma_tx_flush(dev);
}

int xp_rdma_tx_flush(struct xp_rdma_dev *dev)
{
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
		dev->stats.tx_ring_drops += dev->ntxb - done;
		dev->ntxb = 0;
		return -ENOBUFS;
	}
	dev->ntxb = 0;
	return 0;
}

/* ---- fault injection ---- */

int xp_rdma_dev_set_faults(struct xp_rdma_dev *dev, const struct xp_rdma_faults *f)
{
	__u64 sum;
	int err;

	if (!dev)
		return -EINVAL;
	err = xp_opts_valid(f, xp_rdma_faults);
	if (err)
		return err;
	if (!f) {
		dev->faults_on = false;
		return 0;
	}
	sum = (__u64)f->drop_ppm + f->dup_ppm + f->reorder_ppm;
	if (f->drop_ppm > 1000000 || f->dup_ppm > 1000000 || f->reorder_ppm > 1000000 ||
	    sum > 1000000) {
		xp_log(XP_WARN, "faults: drop %u dup %u reorder %u ppm: at most 1000000 in all\n",
		       f->drop_ppm, f->dup_ppm, f->reorder_ppm);
		return -EINVAL;
	}
	dev->faults = *f;
	dev->faults.sz = sizeof(dev->faults);
	dev->rng = f->seed ? f->seed : 0x9e3779b97f4a7c15ull;
	dev->faults_on = sum > 0;
	return 0;
}

/* xorshift64*: repeatable for a seed, good enough to pick frames. */
static __u32 fault_roll(struct xp_rdma_dev *dev)
{
	__u64 x = dev->rng;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	dev->rng = x;
	return (__u32)((x * 0x2545f4914f6cdd1dull) >> 32) % 1000000;
}

/* ---- receive ---- */

static struct xp_qp *find_qp(struct xp_rdma_dev *dev, __u32 qpn)
{
	if (qpn < XP_RDMA_QPN_FIRST || qpn - XP_RDMA_QPN_FIRST >= dev->max_qp)
		return NULL;
	return dev->qps[qpn - XP_RDMA_QPN_FIRST];
}

static void backlog_push(struct xp_rdma_dev *dev, struct xp_qp *qp, const struct xp_rx_frame *fr)
{
	dev->backlog[(dev->bl_head + dev->bl_count) % XP_BACKLOG_MAX] = *fr;
	dev->bl_count++;
	qp->resp.backlog++;
	/* The frame stays out of circulation: give the fill ring another. */
	xp_xsk_fill(dev->xsk, 1);
}

/*
 * XP_RDMA_DROP_NONE when delivered, else why the frame was dropped. A
 * request for a responder that is streaming a READ waits in the backlog
 * (*kept set: the frame is not ours to recycle).
 */
static enum xp_rdma_drop dispatch(struct xp_rdma_dev *dev, const struct xp_roce_pkt *pkt,
				  const struct xp_rx_frame *fr, bool *kept)
{
	struct xp_qp *qp;
	__u8 transport = pkt->h.opcode & XP_OP_TRANSPORT_MASK;

	if (transport != XP_OP_UD && transport != XP_OP_RC)
		return XP_RDMA_DROP_NOT_UD;
	/* rxe accepts the default P_Key with or without the membership bit. */
	if ((pkt->h.pkey & 0x7fff) != 0x7fff)
		return XP_RDMA_DROP_PKEY;
	if (xp_rdma_dev_find_gid(dev, pkt->dgid) < 0)
		return XP_RDMA_DROP_DGID;
	qp = find_qp(dev, pkt->h.dest_qpn);
	if (!qp)
		return XP_RDMA_DROP_NO_QP;
	if (transport == XP_OP_UD)
		return qp->type == XP_QPT_UD ? xp_qp_ud_recv(qp, pkt) : XP_RDMA_DROP_QP_TYPE;
	if (qp->type != XP_QPT_RC)
		return XP_RDMA_DROP_QP_TYPE;
	if (fr && (pkt->info->flags & XP_OPF_REQUEST) &&
	    (qp->resp.backlog || xp_rc_resp_busy(qp))) {
		/* Full, or a gathered packet it cannot hold: the requester
		 * resends it. */
		if (dev->bl_count == XP_BACKLOG_MAX || fr->data)
			return XP_RDMA_DROP_BACKLOG;
		backlog_push(dev, qp, fr);
		*kept = true;
		return XP_RDMA_DROP_NONE;
	}
	return xp_rc_recv(qp, pkt);
}

/* Parse and deliver one frame; *kept when it went to the backlog. */
static void rx_frame(struct xp_rdma_dev *dev, const struct xp_rx_frame *fr, bool backlogged,
		     bool *kept)
{
	struct xp_roce_pkt pkt;
	enum xp_rdma_drop why;

	*kept = false;
	if (xp_roce_parse(fr->data ?: xp_umem_data(dev->area, fr->addr), fr->len, 0, &pkt)) {
		dev->stats.rx_parse_drops[pkt.err]++;
		return;
	}
	why = dispatch(dev, &pkt, backlogged ? NULL : fr, kept);
	if (why != XP_RDMA_DROP_NONE)
		dev->stats.rx_drops[why]++;
}

/*
 * Deliver the backlog's frames whose responder is free again, in order;
 * a frame for a QP still busy stops the frames behind it for that QP only
 * by staying (the backlog is short and rarely holds more than one QP).
 */
static void backlog_run(struct xp_rdma_dev *dev)
{
	__u32 n = dev->bl_count, i, keep = 0;

	for (i = 0; i < n; i++) {
		struct xp_rx_frame fr = dev->backlog[(dev->bl_head + i) % XP_BACKLOG_MAX];
		const struct xp_roce_pkt *hdr = NULL;
		struct xp_roce_pkt pkt;
		struct xp_qp *qp = NULL;
		bool kept;

		if (!xp_roce_parse(xp_umem_data(dev->area, fr.addr), fr.len, XP_PARSE_NO_ICRC,
				   &pkt)) {
			hdr = &pkt;
			qp = find_qp(dev, pkt.h.dest_qpn);
		}
		if (qp && xp_rc_resp_busy(qp)) {
			dev->backlog[(dev->bl_head + keep++) % XP_BACKLOG_MAX] = fr;
			continue;
		}
		/* A QP made since under the same QPN has none of these frames. */
		if (qp && qp->resp.backlog)
			qp->resp.backlog--;
		if (hdr)
			rx_frame(dev, &fr, true, &kept);
		xp_xsk_recycle(dev->xsk, &fr.addr, 1);
	}
	dev->bl_count = keep;
}

/* Apply injected faults to a received frame: how many times to deliver it now. */
static void rx_faulty(struct xp_rdma_dev *dev, const struct xp_rx_frame *fr, __u64 *recycle,
		      __u32 *nrec)
{
	__u32 r = fault_roll(dev);
	const struct xp_rdma_faults *f = &dev->faults;
	bool kept;

	if (r < f->drop_ppm) {
		dev->stats.rx_drops[XP_RDMA_DROP_FAULT]++;
		recycle[(*nrec)++] = fr->addr;
		return;
	}
	r -= f->drop_ppm;
	if (r < f->reorder_ppm && !dev->held) {
		/* Hold it; it goes after the next frame. */
		dev->held = true;
		dev->held_frame = *fr;
		dev->stats.fault_reorders++;
		return;
	}
	r -= f->reorder_ppm;
	rx_frame(dev, fr, false, &kept);
	if (r < f->dup_ppm && !kept) {
		dev->stats.fault_dups++;
		rx_frame(dev, fr, false, &kept);
	}
	if (!kept)
		recycle[(*nrec)++] = fr->addr;
	if (dev->held && fr->addr != dev->held_frame.addr) {
		struct xp_rx_frame h = dev->held_frame;

		dev->held = false;
		rx_frame(dev, &h, false, &kept);
		if (!kept)
			recycle[(*nrec)++] = h.addr;
	}
}

/*
 * A packet of several frames, descriptors first..: gathered into the
 * bounce buffer and delivered from there (fault injection: drops only);
 * every frame goes back to the fill ring. Returns the index of its last
 * descriptor (a peek holds whole packets).
 */
static __u32 rx_chain(struct xp_rdma_dev *dev, __u32 idx, __u32 first, __u32 n, __u64 *recycle,
		      __u32 *nrec)
{
	struct xp_rx_frame fr = { .data = dev->rx_bounce };
	const struct xdp_desc *d;
	bool fits = dev->sg, kept;
	__u32 i = first;

	for (;; i++) {
		d = xp_xsk_rx_desc(dev->xsk, idx + i);
		if (fits && fr.len + d->len <= XP_RDMA_BOUNCE_SIZE)
			memcpy(dev->rx_bounce + fr.len, xp_umem_data(dev->area, d->addr), d->len);
		else
			fits = false;
		fr.len += d->len;
		recycle[(*nrec)++] = d->addr;
		if (!(d->options & XDP_PKT_CONTD) || i + 1 == n)
			break;
	}
	fr.addr = xp_xsk_rx_desc(dev->xsk, idx + first)->addr;
	dev->stats.rx_frames++;
	if (!fits)
		dev->stats.rx_drops[XP_RDMA_DROP_TOO_LONG]++;
	else if (dev->faults_on && fault_roll(dev) < dev->faults.drop_ppm)
		dev->stats.rx_drops[XP_RDMA_DROP_FAULT]++;
	else
		rx_frame(dev, &fr, false, &kept);
	return i;
}

static void rc_work(struct xp_rdma_dev *dev)
{
	struct xp_qp *qp;

	for (qp = dev->rc_list; qp; qp = qp->rc_next) {
		xp_rc_resp_flush_ack(qp);
		xp_rc_resp_progress(qp);
		xp_rc_timers(qp);
		xp_rc_req_progress(qp);
	}
}

int xp_rdma_dev_poll(struct xp_rdma_dev *dev, __u32 budget)
{
	__u64 addrs[2 * 64 + 1];
	__u32 idx, n, i, nrec;
	int total = 0;

	dev->now_ns = xp_rdma_now_ns();
	xp_xsk_complete(dev->xsk, 1024);
	if (tx_pending(dev))
		xp_xsk_kick_tx(dev->xsk);
	if (dev->bl_count)
		backlog_run(dev);
	while (budget) {
		n = xp_xsk_rx_peek(dev->xsk, budget < 64 ? budget : 64, &idx);
		if (!n)
			break;
		nrec = 0;
		for (i = 0; i < n; i++) {
			const struct xdp_desc *d = xp_xsk_rx_desc(dev->xsk, idx + i);
			struct xp_rx_frame fr = { .addr = d->addr, .len = d->len };
			bool kept;

			if (d->options & XDP_PKT_CONTD) {
				i = rx_chain(dev, idx, i, n, addrs, &nrec);
				continue;
			}
			dev->stats.rx_frames++;
			if (dev->faults_on) {
				rx_faulty(dev, &fr, addrs, &nrec);
				continue;
			}
			rx_frame(dev, &fr, false, &kept);
			if (!kept)
				addrs[nrec++] = fr.addr;
		}
		xp_xsk_rx_release(dev->xsk, n);
		xp_xsk_recycle(dev->xsk, addrs, nrec);
		budget -= n;
		total += n;
		/* ACK what this batch asked for before taking more. */
		rc_work(dev);
	}
	if (!total)
		rc_work(dev);
	xp_rdma_tx_flush(dev);
	/* Callers that spin on poll without waiting: wake rx if it asks. */
	xp_xsk_kick_rx(dev->xsk);
	return total;
}

/* Milliseconds until the earliest RC timer, or -1 when none runs. */
static int next_timer_ms(struct xp_rdma_dev *dev)
{
	__u64 first = 0, now, t;
	struct xp_qp *qp;

	for (qp = dev->rc_list; qp; qp = qp->rc_next) {
		if (xp_rc_resp_busy(qp))
			return 0; /* a READ response stream goes on at the next poll */
		t = xp_rc_next_timer(qp);
		if (t && (!first || t < first))
			first = t;
	}
	if (!first)
		return -1;
	now = xp_rdma_now_ns();
	return first <= now ? 0 : (int)((first - now + 999999) / 1000000);
}

int xp_rdma_dev_wait(struct xp_rdma_dev *dev, int timeout_ms)
{
	int t = next_timer_ms(dev);
	struct pollfd pfd = { .fd = xp_xsk_fd(dev->xsk), .events = POLLIN };
	int n;

	if (t >= 0 && (timeout_ms < 0 || t < timeout_ms))
		timeout_ms = t;
	if (dev->bl_count || dev->ntxb)
		timeout_ms = 0;
	/* Copy mode sends a bounded batch per kick: push out what is left. */
	if (tx_pending(dev))
		xp_xsk_kick_tx(dev->xsk);
	/* POLLIN only: the tx ring is nearly always writable. */
	n = poll(&pfd, 1, timeout_ms);
	return n < 0 ? -errno : n;
}

/* ---- address handles ---- */

int xp_rdma_resolve_av(struct xp_rdma_dev *dev, const struct xp_ah_attr *attr,
		       struct xp_roce_av *av)
{
	char buf[INET6_ADDRSTRLEN];
	int err;

	if (attr->sgid_index >= XP_RDMA_GID_TBL_LEN || gid_is_zero(dev->gids[attr->sgid_index]) ||
	    xp_gid_is_v4(dev->gids[attr->sgid_index]) != xp_gid_is_v4(attr->dgid)) {
		xp_log(XP_DEBUG, "%s: GID index %u is empty or not the destination's IP version\n",
		       dev->ifname, attr->sgid_index);
		return -EINVAL;
	}
	memset(av, 0, sizeof(*av));
	memcpy(av->sgid, dev->gids[attr->sgid_index], 16);
	memcpy(av->dgid, attr->dgid, 16);
	memcpy(av->smac, dev->mac, 6);
	av->ttl = attr->hop_limit;
	av->tclass = attr->traffic_class;
	av->flow_label = attr->flow_label & XP_FLOW_LABEL_MAX;
	if (attr->dmac_set) {
		memcpy(av->dmac, attr->dmac, 6);
		return 0;
	}
	if (xp_gid_is_v4(attr->dgid)) {
		err = xp_neigh_resolve(dev->ifindex, AF_INET, attr->dgid + 12, av->dmac);
		inet_ntop(AF_INET, attr->dgid + 12, buf, sizeof(buf));
	} else {
		err = xp_neigh_resolve(dev->ifindex, AF_INET6, attr->dgid, av->dmac);
		inet_ntop(AF_INET6, attr->dgid, buf, sizeof(buf));
	}
	if (err == -ENOENT)
		xp_log(XP_WARN, "%s: no neighbour entry for %s; ping it first\n", dev->ifname, buf);
	return err;
}

struct xp_ah *xp_ah_create(struct xp_rdma_dev *dev, const struct xp_ah_attr *attr)
{
	struct xp_ah *ah;
	int err;

	if (!dev || !attr) {
		errno = EINVAL;
		return NULL;
	}
	ah = calloc(1, sizeof(*ah));
	if (!ah)
		return NULL;
	ah->dev = dev;
	err = xp_rdma_resolve_av(dev, attr, &ah->av);
	if (err) {
		free(ah);
		errno = -err;
		return NULL;
	}
	return ah;
}

void xp_ah_destroy(struct xp_ah *ah)
{
	free(ah);
}

int xp_grh_sgid(const void *grh, __u8 sgid[16])
{
	const __u8 *p = grh;
	static const __u8 zero[20];

	if ((p[0] >> 4) == 6) {
		memcpy(sgid, p + 8, 16);
		return 0;
	}
	if (!memcmp(p, zero, 20) && (p[20] >> 4) == 4) {
		__be32 saddr;

		memcpy(&saddr, p + 20 + 12, 4);
		xp_gid_from_ipv4(sgid, saddr);
		return 0;
	}
	return -EINVAL;
}
