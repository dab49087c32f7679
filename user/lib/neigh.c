// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Interface and neighbour facts for building frames (xp_neigh.h): an
 * interface's MAC address and MTU (ioctl), and a peer's MAC address from
 * the kernel's neighbour table (an RTM_GETNEIGH dump over rtnetlink).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <linux/if_ether.h>
#include <linux/neighbour.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#include "xp_internal.h"
#include "xp_neigh.h"

int xp_link_info(int ifindex, __u8 mac[6], unsigned int *mtu)
{
	struct ifreq ifr = {};
	int fd, err;

	err = xp_ifindex_name(ifindex, ifr.ifr_name);
	if (err)
		return err;
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (mac) {
		if (ioctl(fd, SIOCGIFHWADDR, &ifr)) {
			err = -errno;
			pr_warn("%s: cannot read the MAC address: %s\n", ifr.ifr_name,
				strerror(-err));
			goto out_close;
		}
		if (ifr.ifr_hwaddr.sa_family != 1 /* ARPHRD_ETHER */) {
			pr_warn("%s: link type %u is not Ethernet; only Ethernet interfaces are supported\n",
				ifr.ifr_name, ifr.ifr_hwaddr.sa_family);
			err = -EOPNOTSUPP;
			goto out_close;
		}
		memcpy(mac, ifr.ifr_hwaddr.sa_data, ETH_ALEN);
	}
	if (mtu) {
		if (ioctl(fd, SIOCGIFMTU, &ifr)) {
			err = -errno;
			pr_warn("%s: cannot read the MTU: %s\n", ifr.ifr_name, strerror(-err));
			goto out_close;
		}
		*mtu = ifr.ifr_mtu;
	}
out_close:
	close(fd);
	return err;
}

/* A neighbour entry in one of these states has a MAC we may use. */
#define NUD_USABLE (NUD_REACHABLE | NUD_STALE | NUD_DELAY | NUD_PROBE | NUD_PERMANENT | NUD_NOARP)

/* Look at one RTM_NEWNEIGH; 1 when it is the entry asked for. */
static int neigh_match(const struct nlmsghdr *nh, int ifindex, int family, const void *addr,
		       size_t alen, __u8 mac[6], __u16 *state)
{
	const struct ndmsg *nd = NLMSG_DATA(nh);
	const struct rtattr *rta;
	const void *lladdr = NULL;
	bool dst_ok = false;
	int len;

	if (nh->nlmsg_type != RTM_NEWNEIGH || nh->nlmsg_len < NLMSG_LENGTH(sizeof(*nd)))
		return 0;
	if (nd->ndm_ifindex != ifindex || nd->ndm_family != family)
		return 0;
	len = nh->nlmsg_len - NLMSG_LENGTH(sizeof(*nd));
	for (rta = (const struct rtattr *)((const char *)nd + NLMSG_ALIGN(sizeof(*nd)));
	     RTA_OK(rta, len); rta = RTA_NEXT(rta, len)) {
		if (rta->rta_type == NDA_DST && RTA_PAYLOAD(rta) == alen)
			dst_ok = !memcmp(RTA_DATA(rta), addr, alen);
		else if (rta->rta_type == NDA_LLADDR && RTA_PAYLOAD(rta) == ETH_ALEN)
			lladdr = RTA_DATA(rta);
	}
	if (!dst_ok)
		return 0;
	*state = nd->ndm_state;
	if (!(nd->ndm_state & NUD_USABLE) || !lladdr)
		return 0;
	memcpy(mac, lladdr, ETH_ALEN);
	return 1;
}

int xp_neigh_resolve(int ifindex, int family, const void *addr, __u8 mac[6])
{
	struct {
		struct nlmsghdr nh;
		struct ndmsg nd;
	} req = {
		.nh = {
			.nlmsg_len = NLMSG_LENGTH(sizeof(struct ndmsg)),
			.nlmsg_type = RTM_GETNEIGH,
			.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP,
			.nlmsg_seq = 1,
		},
		.nd = { .ndm_family = family, .ndm_ifindex = ifindex },
	};
	size_t alen = family == AF_INET6 ? 16 : 4;
	char abuf[INET6_ADDRSTRLEN];
	__u16 state = 0;
	int fd, err = -ENOENT, found = 0, done = 0;
	char *buf;
	ssize_t n;

	if (family != AF_INET && family != AF_INET6) {
		pr_warn("resolve: address family %d is not supported; use AF_INET or AF_INET6\n",
			family);
		return -EINVAL;
	}
	buf = malloc(65536);
	if (!buf)
		return -ENOMEM;
	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (fd < 0) {
		err = -errno;
		pr_warn("resolve: cannot open an rtnetlink socket: %s\n", strerror(-err));
		goto out_free;
	}
	if (send(fd, &req, req.nh.nlmsg_len, 0) < 0) {
		err = -errno;
		pr_warn("resolve: asking rtnetlink for the neighbour table failed: %s\n",
			strerror(-err));
		goto out_close;
	}
	/* Read the whole dump even after a match, so the socket drains cleanly. */
	while (!done) {
		struct nlmsghdr *nh;

		n = recv(fd, buf, 65536, 0);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			err = -errno;
			pr_warn("resolve: reading the neighbour table failed: %s\n",
				strerror(-err));
			goto out_close;
		}
		for (nh = (struct nlmsghdr *)buf; NLMSG_OK(nh, n); nh = NLMSG_NEXT(nh, n)) {
			if (nh->nlmsg_type == NLMSG_DONE) {
				done = 1;
				break;
			}
			if (nh->nlmsg_type == NLMSG_ERROR) {
				const struct nlmsgerr *e = NLMSG_DATA(nh);

				err = e->error ?: -EIO;
				pr_warn("resolve: rtnetlink refused the neighbour dump: %s\n",
					strerror(-err));
				goto out_close;
			}
			if (!found)
				found = neigh_match(nh, ifindex, family, addr, alen, mac, &state);
		}
		if (n == 0)
			break;
	}
	inet_ntop(family, addr, abuf, sizeof(abuf));
	if (found) {
		pr_debug("resolve: %s is %02x:%02x:%02x:%02x:%02x:%02x (state 0x%x)\n", abuf,
			 mac[0], mac[1], mac[2], mac[3], mac[4], mac[5], state);
		err = 0;
	} else {
		pr_debug("resolve: no usable neighbour entry for %s on ifindex %d (state 0x%x)\n",
			 abuf, ifindex, state);
		err = -ENOENT;
	}
out_close:
	close(fd);
out_free:
	free(buf);
	return err;
}
