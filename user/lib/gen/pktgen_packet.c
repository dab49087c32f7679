// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The generator's second way out, for kernels that deny BPF_PROG_RUN live
 * frames (some hardened builds refuse BPF_F_TEST_XDP_LIVE_FRAMES with EPERM
 * even to root with CAP_BPF and CAP_NET_ADMIN). Frames leave through an
 * AF_PACKET socket with PACKET_QDISC_BYPASS, straight to the driver as an
 * XDP_TX would send them, stamped here the way bpf/xdp_gen.bpf.c stamps
 * them: the sequence number and, with several flows, the UDP source port.
 * A system call per batch and an skb per frame make it slower; the
 * generator says when it uses it.
 *
 * Accounting: a frame the driver refuses at once fails its send (ENOBUFS,
 * or EMSGSIZE above the MTU: AF_PACKET takes MTU + 14 untagged, where a
 * veth XDP_TX takes MTU + 18);
 * one the driver takes and then drops (veth, when the peer's XDP ring is
 * full) shows in the interface's tx_dropped, read before and after.
 */
#include <errno.h>
#include <ifaddrs.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <linux/if_link.h>
#include <linux/if_packet.h>
#include <net/if.h>

#include "pktgen_private.h"
#include "xp_internal.h"

#define PACKET_BATCH 64

/* tx_dropped of ifindex from the link statistics, or 0 if unknown. */
static __u64 tx_dropped(int ifindex)
{
	struct ifaddrs *ifa, *i;
	char name[IF_NAMESIZE];
	__u64 n = 0;

	if (!if_indextoname(ifindex, name) || getifaddrs(&ifa))
		return 0;
	for (i = ifa; i; i = i->ifa_next) {
		if (i->ifa_addr && i->ifa_addr->sa_family == AF_PACKET && i->ifa_data &&
		    !strcmp(i->ifa_name, name)) {
			n = ((struct rtnl_link_stats *)i->ifa_data)->tx_dropped;
			break;
		}
	}
	freeifaddrs(ifa);
	return n;
}

static int packet_socket(int ifindex)
{
	struct sockaddr_ll sll = {
		.sll_family = AF_PACKET,
		.sll_ifindex = ifindex,
	};
	int fd, one = 1;

	fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	/* Straight to the driver, as XDP_TX: no qdisc, no taps. */
	if (setsockopt(fd, SOL_PACKET, PACKET_QDISC_BYPASS, &one, sizeof(one)) ||
	    bind(fd, (struct sockaddr *)&sll, sizeof(sll))) {
		int err = -errno;

		close(fd);
		return err;
	}
	return fd;
}

/* What xdp_gen writes into each frame. */
static void stamp(const struct xp_pktgen_template *t, __u8 *frame, __u64 seq)
{
	__u64 be = htobe64(seq);

	memcpy(frame + t->seq_off, &be, sizeof(be));
	if (t->flows > 1) {
		__u16 port = htons((__u16)(t->src_port + seq % t->flows));

		memcpy(frame + t->l4_off, &port, sizeof(port));
	}
}

/* Frames in one batch: short bursts when paced, as the live path does. */
static unsigned int batch_frames(__u64 rate)
{
	__u64 n = rate ? rate / 50000 : PACKET_BATCH;

	return n < 1 ? 1 : n > PACKET_BATCH ? PACKET_BATCH : n;
}

int pktgen_packet_run(const struct pktgen_packet_run *run, struct xp_pktgen_result *res)
{
	const struct xp_pktgen_template *t = run->tmpl;
	unsigned int batch = batch_frames(run->rate_pps), i, n;
	struct mmsghdr msgs[PACKET_BATCH];
	struct iovec iov[PACKET_BATCH];
	__u64 done = 0, t0, now, drop0, refused = 0;
	__u8 *frames;
	int fd, err = 0;

	fd = packet_socket(run->ifindex);
	if (fd < 0) {
		pr_warn("generator: cannot open an AF_PACKET socket on ifindex %d: %s\n",
			run->ifindex, strerror(-fd));
		return fd;
	}
	frames = malloc((size_t)PACKET_BATCH * t->len);
	if (!frames) {
		err = -ENOMEM;
		goto out_close;
	}
	memset(msgs, 0, sizeof(msgs));
	for (i = 0; i < PACKET_BATCH; i++) {
		memcpy(frames + (size_t)i * t->len, t->data, t->len);
		iov[i].iov_base = frames + (size_t)i * t->len;
		iov[i].iov_len = t->len;
		msgs[i].msg_hdr.msg_iov = &iov[i];
		msgs[i].msg_hdr.msg_iovlen = 1;
	}

	drop0 = tx_dropped(run->ifindex);
	t0 = pktgen_now_ns();
	while (!*run->stop && (!run->count || done < run->count)) {
		now = pktgen_now_ns() - t0;
		if (run->duration_ns && now >= run->duration_ns)
			break;
		if (run->rate_pps) {
			__u64 due = done * 1000000000ull / run->rate_pps;

			if (due > now) {
				pktgen_sleep_until(t0 + due);
				continue;
			}
		}
		n = batch;
		if (run->count && n > run->count - done)
			n = run->count - done;
		for (i = 0; i < n; i++)
			stamp(t, frames + (size_t)i * t->len, run->first_seq + done + i);

		i = 0;
		while (i < n) {
			int sent = sendmmsg(fd, msgs + i, n - i, 0);

			if (sent > 0) {
				i += sent;
			} else if (errno == ENOBUFS || errno == EAGAIN || errno == EMSGSIZE) {
				/*
				 * Refused: the driver had no room, or the frame is
				 * above the MTU (+ 14, + 18 with a VLAN tag). It
				 * was generated, not sent.
				 */
				refused++;
				i++;
			} else if (errno != EINTR) {
				err = -errno;
				pr_warn("generator: sending on ifindex %d failed: %s\n",
					run->ifindex, strerror(-err));
				break;
			}
		}
		done += i;
		if (err)
			break;
	}
	res->elapsed_ns = pktgen_now_ns() - t0;
	res->generated = done;
	res->bytes = done * t->len;
	res->xmit_dropped = refused + (tx_dropped(run->ifindex) - drop0);
	if (res->xmit_dropped > done)
		res->xmit_dropped = done;
	res->sent = done - res->xmit_dropped;
	res->xmit_counted = true;
	free(frames);
out_close:
	close(fd);
	return err;
}
