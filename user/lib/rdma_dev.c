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
#include <sys/mman.h>

#include "rdma_private.h"
#include "xp_log.h"
#include "xp_neigh.h"
#include "xp_pool.h"
#include "xp_steer.h"
#include "xp_umem.h"
#include "xp_xsk.h"

#define OPT(o, f, def) ((o) && (o)->sz > offsetof(typeof(*(o)), f) && (o)->f ? (o)->f : (def))

static const char *const drop_names[XP_RDMA_DROP__MAX] = {
	[XP_RDMA_DROP_NONE] = "none",	      [XP_RDMA_DROP_NOT_UD] = "not_ud",
	[XP_RDMA_DROP_DGID] = "dgid",	      [XP_RDMA_DROP_NO_QP] = "no_qp",
	[XP_RDMA_DROP_QP_STATE] = "qp_state", [XP_RDMA_DROP_QKEY] = "qkey",
	[XP_RDMA_DROP_NO_RECV] = "no_recv",   [XP_RDMA_DROP_PKEY] = "pkey",
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
	struct xp_steer_attach_opts ao = { .sz = sizeof(ao), .mode = mode };
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
	nframes = OPT(opts, nframes, 1024);
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
	if (xp_mtu_to_bytes(dev->mtu) + XP_ROCE_HDR_MAX > dev->frame_size)
		dev->mtu = xp_mtu_from_bytes(dev->frame_size - XP_ROCE_HDR_MAX);
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

int xp_rdma_dev_wait(struct xp_rdma_dev *dev, int timeout_ms)
{
	return xp_xsk_poll(dev->xsk, timeout_ms);
}

/* XP_RDMA_DROP_NONE when delivered, else why the frame was dropped. */
static enum xp_rdma_drop dispatch(struct xp_rdma_dev *dev, const struct xp_roce_pkt *pkt)
{
	struct xp_qp *qp;
	__u32 qpn = pkt->h.dest_qpn;

	if ((pkt->h.opcode & XP_OP_TRANSPORT_MASK) != XP_OP_UD)
		return XP_RDMA_DROP_NOT_UD;
	/* rxe accepts the default P_Key with or without the membership bit. */
	if ((pkt->h.pkey & 0x7fff) != 0x7fff)
		return XP_RDMA_DROP_PKEY;
	if (xp_rdma_dev_find_gid(dev, pkt->dgid) < 0)
		return XP_RDMA_DROP_DGID;
	if (qpn < XP_RDMA_QPN_FIRST || qpn - XP_RDMA_QPN_FIRST >= dev->max_qp)
		return XP_RDMA_DROP_NO_QP;
	qp = dev->qps[qpn - XP_RDMA_QPN_FIRST];
	if (!qp)
		return XP_RDMA_DROP_NO_QP;
	return xp_qp_ud_recv(qp, pkt);
}

int xp_rdma_dev_poll(struct xp_rdma_dev *dev, __u32 budget)
{
	__u64 addrs[64];
	__u32 idx, n, i;
	int total = 0;

	xp_xsk_complete(dev->xsk, 512);
	while (budget) {
		n = xp_xsk_rx_peek(dev->xsk, budget < 64 ? budget : 64, &idx);
		if (!n)
			break;
		for (i = 0; i < n; i++) {
			const struct xdp_desc *d = xp_xsk_rx_desc(dev->xsk, idx + i);
			struct xp_roce_pkt pkt;
			enum xp_rdma_drop why;

			addrs[i] = d->addr;
			dev->stats.rx_frames++;
			if (xp_roce_parse(xp_umem_data(dev->area, d->addr), d->len, 0, &pkt)) {
				dev->stats.rx_parse_drops[pkt.err]++;
				continue;
			}
			why = dispatch(dev, &pkt);
			if (why != XP_RDMA_DROP_NONE)
				dev->stats.rx_drops[why]++;
		}
		xp_xsk_rx_release(dev->xsk, n);
		xp_xsk_recycle(dev->xsk, addrs, n);
		budget -= n;
		total += n;
	}
	return total;
}

/* ---- address handles ---- */

struct xp_ah *xp_ah_create(struct xp_rdma_dev *dev, const struct xp_ah_attr *attr)
{
	struct xp_ah *ah;
	char buf[INET6_ADDRSTRLEN];
	int err;

	if (!dev || !attr || attr->sgid_index >= XP_RDMA_GID_TBL_LEN ||
	    gid_is_zero(dev->gids[attr->sgid_index]) ||
	    xp_gid_is_v4(dev->gids[attr->sgid_index]) != xp_gid_is_v4(attr->dgid)) {
		errno = EINVAL;
		return NULL;
	}
	ah = calloc(1, sizeof(*ah));
	if (!ah)
		return NULL;
	ah->dev = dev;
	memcpy(ah->av.sgid, dev->gids[attr->sgid_index], 16);
	memcpy(ah->av.dgid, attr->dgid, 16);
	memcpy(ah->av.smac, dev->mac, 6);
	ah->av.ttl = attr->hop_limit;
	ah->av.tclass = attr->traffic_class;
	ah->av.flow_label = attr->flow_label & XP_FLOW_LABEL_MAX;
	if (attr->dmac_set) {
		memcpy(ah->av.dmac, attr->dmac, 6);
		return ah;
	}
	if (xp_gid_is_v4(attr->dgid)) {
		err = xp_neigh_resolve(dev->ifindex, AF_INET, attr->dgid + 12, ah->av.dmac);
		inet_ntop(AF_INET, attr->dgid + 12, buf, sizeof(buf));
	} else {
		err = xp_neigh_resolve(dev->ifindex, AF_INET6, attr->dgid, ah->av.dmac);
		inet_ntop(AF_INET6, attr->dgid, buf, sizeof(buf));
	}
	if (err) {
		if (err == -ENOENT)
			xp_log(XP_WARN, "%s: no neighbour entry for %s; ping it first\n",
			       dev->ifname, buf);
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
