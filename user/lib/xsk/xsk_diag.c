// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * AF_XDP socket listing over NETLINK_SOCK_DIAG: one dump request for family
 * AF_XDP (SOCK_DIAG_BY_FAMILY, struct xdp_diag_req), answered by one
 * struct xdp_diag_msg per socket followed by XDP_DIAG_* attributes.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <linux/xdp_diag.h>

#include "xp_diag.h"
#include "xp_internal.h"

#ifndef AF_XDP
#define AF_XDP 44
#endif

#define DIAG_SEQ 0x78647067 /* any value: we match our own replies */

static int diag_send(int fd)
{
	struct {
		struct nlmsghdr nlh;
		struct xdp_diag_req req;
	} msg;
	struct sockaddr_nl nl = { .nl_family = AF_NETLINK };

	memset(&msg, 0, sizeof(msg));
	msg.nlh.nlmsg_len = sizeof(msg);
	msg.nlh.nlmsg_type = SOCK_DIAG_BY_FAMILY;
	msg.nlh.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	msg.nlh.nlmsg_seq = DIAG_SEQ;
	msg.req.sdiag_family = AF_XDP;
	msg.req.xdiag_show = XDP_SHOW_INFO | XDP_SHOW_RING_CFG | XDP_SHOW_UMEM | XDP_SHOW_STATS;

	if (sendto(fd, &msg, sizeof(msg), 0, (struct sockaddr *)&nl, sizeof(nl)) < 0)
		return -errno;
	return 0;
}

/* Copy an attribute's payload if it has at least `size` bytes. */
static bool attr_get(const struct nlattr *a, void *dst, size_t size)
{
	if (a->nla_len < NLA_HDRLEN + size)
		return false;
	memcpy(dst, (const char *)a + NLA_HDRLEN, size);
	return true;
}

static void parse_attr(const struct nlattr *a, struct xp_xsk_diag *x)
{
	struct xdp_diag_info info;
	struct xdp_diag_ring ring;
	struct xdp_diag_umem umem;
	struct xdp_diag_stats st;

	switch (a->nla_type & NLA_TYPE_MASK) {
	case XDP_DIAG_INFO:
		if (attr_get(a, &info, sizeof(info))) {
			x->ifindex = info.ifindex;
			x->queue_id = info.queue_id;
		}
		break;
	case XDP_DIAG_UID:
		x->has_uid = attr_get(a, &x->uid, sizeof(x->uid));
		break;
	case XDP_DIAG_RX_RING:
		if (attr_get(a, &ring, sizeof(ring)))
			x->rx_ring = ring.entries;
		break;
	case XDP_DIAG_TX_RING:
		if (attr_get(a, &ring, sizeof(ring)))
			x->tx_ring = ring.entries;
		break;
	case XDP_DIAG_UMEM_FILL_RING:
		if (attr_get(a, &ring, sizeof(ring)))
			x->fill_ring = ring.entries;
		break;
	case XDP_DIAG_UMEM_COMPLETION_RING:
		if (attr_get(a, &ring, sizeof(ring)))
			x->comp_ring = ring.entries;
		break;
	case XDP_DIAG_UMEM:
		if (!attr_get(a, &umem, sizeof(umem)))
			break;
		x->has_umem = true;
		x->zerocopy = umem.flags & XDP_DU_F_ZEROCOPY;
		x->umem_id = umem.id;
		x->umem_size = umem.size;
		x->umem_num_pages = umem.num_pages;
		x->umem_chunk_size = umem.chunk_size;
		x->umem_headroom = umem.headroom;
		x->umem_refs = umem.refs;
		break;
	case XDP_DIAG_STATS:
		if (!attr_get(a, &st, sizeof(st)))
			break;
		x->has_stats = true;
		x->rx_dropped = st.n_rx_dropped;
		x->rx_invalid = st.n_rx_invalid;
		x->rx_full = st.n_rx_full;
		x->fill_ring_empty = st.n_fill_ring_empty;
		x->tx_invalid = st.n_tx_invalid;
		x->tx_ring_empty = st.n_tx_ring_empty;
		break;
	default:
		break; /* newer attributes (meminfo, ...) are not asked for */
	}
}

/* One socket's reply: struct xdp_diag_msg, then attributes. */
static int parse_sock(const struct nlmsghdr *nlh, struct xp_xsk_diag *x)
{
	const struct xdp_diag_msg *m = NLMSG_DATA(nlh);
	const size_t hdr = NLMSG_ALIGN(sizeof(*m));
	const struct nlattr *a;
	size_t len, off;

	if (nlh->nlmsg_len < NLMSG_LENGTH(sizeof(*m)))
		return -EBADMSG;
	memset(x, 0, sizeof(*x));
	x->ino = m->xdiag_ino;
	x->cookie = (__u64)m->xdiag_cookie[1] << 32 | m->xdiag_cookie[0];

	len = nlh->nlmsg_len - NLMSG_LENGTH(0);
	for (off = hdr; off + NLA_HDRLEN <= len; off += NLA_ALIGN(a->nla_len)) {
		a = (const struct nlattr *)((const char *)m + off);
		if (a->nla_len < NLA_HDRLEN || off + a->nla_len > len)
			return -EBADMSG;
		parse_attr(a, x);
	}
	return 0;
}

int xp_xsk_diag_list(int ifindex, struct xp_xsk_diag *socks, int max)
{
	const struct nlmsgerr *e;
	struct xp_xsk_diag x;
	struct nlmsghdr *nlh;
	int fd, err, n = 0;
	bool done = false;
	size_t bufsz = 65536;
	ssize_t len;
	char *buf;

	if (ifindex < 0 || max < 0 || (max > 0 && !socks)) {
		pr_warn("xp_xsk_diag_list: ifindex %d, max %d, socks %p; pass ifindex >= 0 (0: all) and an array of max >= 0 entries (NULL only with max 0)\n",
			ifindex, max, (void *)socks);
		return -EINVAL;
	}
	buf = malloc(bufsz);
	if (!buf)
		return -ENOMEM;
	fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
	if (fd < 0) {
		err = -errno;
		pr_warn("cannot open a NETLINK_SOCK_DIAG socket: %s\n", strerror(-err));
		goto out_free;
	}
	err = diag_send(fd);
	if (err) {
		pr_warn("cannot send the AF_XDP socket dump request: %s\n", strerror(-err));
		goto out_close;
	}

	while (!done) {
		/* MSG_TRUNC: the real length, so a cut message is noticed. */
		len = recv(fd, buf, bufsz, MSG_TRUNC);
		if (len < 0) {
			if (errno == EINTR)
				continue;
			err = -errno;
			pr_warn("reading the AF_XDP socket dump failed: %s\n", strerror(-err));
			goto out_close;
		}
		if ((size_t)len > bufsz) {
			err = -EMSGSIZE;
			pr_warn("an AF_XDP socket dump message of %zd bytes does not fit in %zu\n",
				len, bufsz);
			goto out_close;
		}
		if (len == 0) {
			err = -EBADMSG;
			pr_warn("the AF_XDP socket dump ended without NLMSG_DONE\n");
			goto out_close;
		}
		for (nlh = (struct nlmsghdr *)buf; NLMSG_OK(nlh, len); nlh = NLMSG_NEXT(nlh, len)) {
			if (nlh->nlmsg_seq != DIAG_SEQ)
				continue;
			if (nlh->nlmsg_type == NLMSG_DONE) {
				/* A dump that failed midway says so here. */
				if (nlh->nlmsg_len >= NLMSG_LENGTH(sizeof(int)) &&
				    *(int *)NLMSG_DATA(nlh) < 0) {
					err = *(int *)NLMSG_DATA(nlh);
					pr_warn("the AF_XDP socket dump failed: %s\n",
						strerror(-err));
					goto out_close;
				}
				done = true;
				break;
			}
			if (nlh->nlmsg_type == NLMSG_ERROR) {
				e = NLMSG_DATA(nlh);
				err = nlh->nlmsg_len >= NLMSG_LENGTH(sizeof(*e)) ? e->error :
										   -EBADMSG;
				if (err == -ENOENT || err == -EOPNOTSUPP) {
					pr_debug(
						"the kernel has no AF_XDP socket diagnostics (built without CONFIG_XDP_SOCKETS_DIAG); AF_XDP sockets cannot be listed\n");
					err = -EOPNOTSUPP;
				} else if (err) {
					pr_warn("the kernel refused the AF_XDP socket dump: %s\n",
						strerror(-err));
				}
				goto out_close;
			}
			if (nlh->nlmsg_type != SOCK_DIAG_BY_FAMILY)
				continue;
			err = parse_sock(nlh, &x);
			if (err) {
				pr_warn("malformed AF_XDP socket diagnostics message (%u bytes)\n",
					nlh->nlmsg_len);
				goto out_close;
			}
			if (ifindex && x.ifindex != (__u32)ifindex)
				continue;
			if (n < max)
				socks[n] = x;
			n++;
		}
	}
	err = n;
out_close:
	close(fd);
out_free:
	free(buf);
	return err;
}
