// SPDX-License-Identifier: GPL-2.0
/*
 * Network set-up shared by the tests that need a veth in a private network
 * namespace and an AF_XDP socket to put in an XSKMAP (tests/bpf/test_steer.c,
 * tests/fuzz/fuzz_steer.c). The caller makes the namespace (unshare); what is
 * here works in whichever namespace the caller is in.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include <linux/if_link.h>
#include <linux/if_xdp.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>

#include "xt_net.h"

/* ---- rtnetlink, just enough to make and remove a veth pair -------------- */

struct nl_req {
	struct nlmsghdr nh;
	struct ifinfomsg ifi;
	char attrs[512];
};

static struct rtattr *nl_put(struct nl_req *r, unsigned short type, const void *data, size_t len)
{
	size_t off = NLMSG_ALIGN(r->nh.nlmsg_len);
	struct rtattr *rta = (struct rtattr *)((char *)r + off);

	if (off + RTA_SPACE(len) > sizeof(*r))
		return NULL;
	rta->rta_type = type;
	rta->rta_len = RTA_LENGTH(len);
	if (len)
		memcpy(RTA_DATA(rta), data, len);
	r->nh.nlmsg_len = off + RTA_SPACE(len);
	return rta;
}

static void nl_nest_end(struct nl_req *r, struct rtattr *nest)
{
	nest->rta_len = (char *)r + r->nh.nlmsg_len - (char *)nest;
}

/* Send one request and wait for its acknowledgement: 0 or -errno. */
static int nl_talk(struct nl_req *r)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	char buf[4096];
	struct nlmsghdr *nh;
	ssize_t n;
	int fd, err;

	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (fd < 0)
		return -errno;
	r->nh.nlmsg_flags |= NLM_F_REQUEST | NLM_F_ACK;
	r->nh.nlmsg_seq = 1;
	if (sendto(fd, r, r->nh.nlmsg_len, 0, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		err = -errno;
		goto out;
	}
	n = recv(fd, buf, sizeof(buf), 0);
	if (n < 0) {
		err = -errno;
		goto out;
	}
	nh = (struct nlmsghdr *)buf;
	if (!NLMSG_OK(nh, (size_t)n) || nh->nlmsg_type != NLMSG_ERROR) {
		err = -EPROTO;
		goto out;
	}
	err = ((struct nlmsgerr *)NLMSG_DATA(nh))->error;
out:
	close(fd);
	return err;
}

int xt_veth_create(const char *name, const char *peer, __u32 queues)
{
	struct rtattr *linkinfo, *data, *peer_info;
	struct ifinfomsg peer_ifi = { .ifi_family = AF_UNSPEC };
	struct nl_req r = {
		.nh.nlmsg_len = NLMSG_LENGTH(sizeof(struct ifinfomsg)),
		.nh.nlmsg_type = RTM_NEWLINK,
		.nh.nlmsg_flags = NLM_F_CREATE | NLM_F_EXCL,
		.ifi.ifi_family = AF_UNSPEC,
	};

	if (!nl_put(&r, IFLA_IFNAME, name, strlen(name) + 1) ||
	    !nl_put(&r, IFLA_NUM_RX_QUEUES, &queues, sizeof(queues)) ||
	    !nl_put(&r, IFLA_NUM_TX_QUEUES, &queues, sizeof(queues)))
		return -EMSGSIZE;
	linkinfo = nl_put(&r, IFLA_LINKINFO, NULL, 0);
	if (!linkinfo || !nl_put(&r, IFLA_INFO_KIND, "veth", 5))
		return -EMSGSIZE;
	data = nl_put(&r, IFLA_INFO_DATA, NULL, 0);
	/* VETH_INFO_PEER holds an ifinfomsg followed by the peer's attributes */
	peer_info = data ? nl_put(&r, VETH_INFO_PEER, &peer_ifi, sizeof(peer_ifi)) : NULL;
	if (!peer_info || !nl_put(&r, IFLA_IFNAME, peer, strlen(peer) + 1) ||
	    !nl_put(&r, IFLA_NUM_RX_QUEUES, &queues, sizeof(queues)) ||
	    !nl_put(&r, IFLA_NUM_TX_QUEUES, &queues, sizeof(queues)))
		return -EMSGSIZE;
	nl_nest_end(&r, peer_info);
	nl_nest_end(&r, data);
	nl_nest_end(&r, linkinfo);
	return nl_talk(&r);
}

int xt_link_delete(int ifindex)
{
	struct nl_req r = {
		.nh.nlmsg_len = NLMSG_LENGTH(sizeof(struct ifinfomsg)),
		.nh.nlmsg_type = RTM_DELLINK,
		.ifi.ifi_family = AF_UNSPEC,
		.ifi.ifi_index = ifindex,
	};

	return nl_talk(&r);
}

/* ---- AF_XDP socket ------------------------------------------------------ */

#define XSK_FRAMES 16
#define XSK_FRAME_SIZE 4096
#define XSK_RING 16

/*
 * A copy-mode socket bound to (ifindex, queue) with a 64 KiB umem: all the
 * kernel needs before the socket may enter an XSKMAP (bound, with an rx
 * ring). The rings are never mapped; nothing is received through them.
 */
int xt_xsk_open(struct xt_xsk *x, int ifindex, __u32 queue, char *why, size_t whylen)
{
	struct sockaddr_xdp sxdp = {
		.sxdp_family = AF_XDP,
		.sxdp_flags = XDP_COPY,
		.sxdp_ifindex = ifindex,
		.sxdp_queue_id = queue,
	};
	struct xdp_umem_reg mr = {
		.len = XSK_FRAMES * XSK_FRAME_SIZE,
		.chunk_size = XSK_FRAME_SIZE,
	};
	int ring = XSK_RING;

	x->fd = -1;
	x->umem_len = mr.len;
	x->umem =
		mmap(NULL, x->umem_len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (x->umem == MAP_FAILED) {
		snprintf(why, whylen, "mmap of %zu bytes of umem: %s", x->umem_len,
			 strerror(errno));
		x->umem = NULL;
		goto fail;
	}
	mr.addr = (uintptr_t)x->umem;

	x->fd = socket(AF_XDP, SOCK_RAW | SOCK_CLOEXEC, 0);
	if (x->fd < 0) {
		snprintf(why, whylen, "socket(AF_XDP): %s", strerror(errno));
		goto fail;
	}
	if (setsockopt(x->fd, SOL_XDP, XDP_UMEM_REG, &mr, sizeof(mr))) {
		snprintf(why, whylen, "XDP_UMEM_REG (%u x %u bytes): %s", XSK_FRAMES,
			 XSK_FRAME_SIZE, strerror(errno));
		goto fail;
	}
	if (setsockopt(x->fd, SOL_XDP, XDP_UMEM_FILL_RING, &ring, sizeof(ring)) ||
	    setsockopt(x->fd, SOL_XDP, XDP_UMEM_COMPLETION_RING, &ring, sizeof(ring)) ||
	    setsockopt(x->fd, SOL_XDP, XDP_RX_RING, &ring, sizeof(ring))) {
		snprintf(why, whylen, "setting %d-entry rings: %s", ring, strerror(errno));
		goto fail;
	}
	if (bind(x->fd, (struct sockaddr *)&sxdp, sizeof(sxdp))) {
		snprintf(why, whylen, "bind to ifindex %d queue %u in copy mode: %s", ifindex,
			 queue, strerror(errno));
		goto fail;
	}
	return 0;

fail:
	xt_xsk_close(x);
	return -1;
}

void xt_xsk_close(struct xt_xsk *x)
{
	/*
	 * An open socket always has its umem: without one, fd is not ours to
	 * close (it is 0 in a zeroed struct xt_xsk).
	 */
	if (x->umem) {
		if (x->fd >= 0)
			close(x->fd);
		munmap(x->umem, x->umem_len);
	}
	x->fd = -1;
	x->umem = NULL;
	x->umem_len = 0;
}
