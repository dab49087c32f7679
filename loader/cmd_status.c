// SPDX-License-Identifier: GPL-2.0
/* xpctl status: what runs on an interface, its maps, and the AF_XDP sockets bound to it. */
#include <errno.h>
#include <getopt.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <xdp/libxdp.h>

#include "xp_diag.h"
#include "xpctl.h"

#define MAX_SOCKS 256

static const struct xpctl_opt status_opts[] = {
	{},
};

/* The programs behind a libxdp dispatcher, if that is what is attached. */
static void print_dispatcher(int ifindex)
{
	struct xdp_multiprog *mp = xdp_multiprog__get_from_ifindex(ifindex);
	struct xdp_program *p;
	int i = 0;

	if (!mp || libxdp_get_error(mp))
		return;
	if (!xdp_multiprog__is_legacy(mp)) {
		printf("  libxdp dispatcher running:");
		for (p = xdp_multiprog__next_prog(NULL, mp); p; p = xdp_multiprog__next_prog(p, mp))
			printf("%s %s id %u", i++ ? "," : "", xdp_program__name(p),
			       xdp_program__id(p));
		printf("%s\n", i ? "" : " nothing");
	}
	xdp_multiprog__close(mp);
}

static void print_size(__u64 bytes)
{
	if (bytes >= (1ULL << 20) && !(bytes & ((1ULL << 20) - 1)))
		printf("%llu MiB", (unsigned long long)(bytes >> 20));
	else if (bytes >= (1ULL << 10) && !(bytes & ((1ULL << 10) - 1)))
		printf("%llu KiB", (unsigned long long)(bytes >> 10));
	else
		printf("%llu bytes", (unsigned long long)bytes);
}

static void print_drop(const char *name, __u64 n)
{
	if (n)
		printf(", %s %llu", name, (unsigned long long)n);
}

static int cmp_queue(const void *a, const void *b)
{
	const struct xp_xsk_diag *x = a, *y = b;

	if (x->queue_id != y->queue_id)
		return x->queue_id < y->queue_id ? -1 : 1;
	return x->ino < y->ino ? -1 : x->ino > y->ino;
}

static void print_socks(int ifindex)
{
	static struct xp_xsk_diag socks[MAX_SOCKS];
	int n, i;

	n = xp_xsk_diag_list(ifindex, socks, MAX_SOCKS);
	if (n == -EOPNOTSUPP) {
		printf("  AF_XDP sockets: cannot be listed, the kernel was built without CONFIG_XDP_SOCKETS_DIAG\n");
		return;
	}
	if (n < 0) {
		printf("  AF_XDP sockets: cannot be listed (%s)\n", strerror(-n));
		return;
	}
	if (!n) {
		printf("  AF_XDP sockets: none bound\n");
		return;
	}
	printf("  AF_XDP sockets: %d bound%s\n", n, n > MAX_SOCKS ? " (the first 256 shown)" : "");
	qsort(socks, n < MAX_SOCKS ? n : MAX_SOCKS, sizeof(socks[0]), cmp_queue);
	for (i = 0; i < n && i < MAX_SOCKS; i++) {
		const struct xp_xsk_diag *x = &socks[i];

		printf("    queue %u: inode %u, %s, rx %u, tx %u, fill %u, completion %u",
		       x->queue_id, x->ino,
		       x->has_umem ? (x->zerocopy ? "zero-copy" : "copy") : "no umem", x->rx_ring,
		       x->tx_ring, x->fill_ring, x->comp_ring);
		if (x->has_umem) {
			printf(", umem %u (", x->umem_id);
			print_size(x->umem_size);
			printf(", chunk %u, headroom %u, %u socket%s)", x->umem_chunk_size,
			       x->umem_headroom, x->umem_refs, x->umem_refs == 1 ? "" : "s");
		}
		if (x->has_stats) {
			/* Drops only; tx_ring_empty grows with every idle wakeup. */
			print_drop("rx_dropped", x->rx_dropped);
			print_drop("rx_invalid", x->rx_invalid);
			print_drop("rx_ring_full", x->rx_full);
			print_drop("fill_ring_empty", x->fill_ring_empty);
			print_drop("tx_invalid", x->tx_invalid);
		}
		printf("\n");
	}
}

/*
 * Returns 1 when something was printed, 0 when only_attached skipped an
 * interface without a program, -1 when it could not be queried (reported).
 */
static int print_iface(int ifindex, const char *name, bool only_attached)
{
	struct xp_steer_info info;
	struct xp_steer *steer;
	int n;

	if (xp_steer_query(ifindex, &info))
		return -1;
	if (!info.prog_id) {
		if (only_attached)
			return 0;
		printf("%s (ifindex %d): no XDP program attached\n", name, ifindex);
		print_socks(ifindex);
		return 1;
	}
	printf("%s (ifindex %d): %s id %u, %s mode, %s\n", name, ifindex, info.prog_name,
	       info.prog_id, xp_attach_mode_str(info.mode),
	       info.ours ? "xdpath steering program" : "not xdpath's (foreign program)");
	if (!info.ours) {
		print_dispatcher(ifindex);
	} else {
		printf("  maps: %s id %u, %s id %u, %s id %u\n", XP_STEER_XSKS_MAP,
		       info.xsks_map_id, XP_STEER_QPN_MAP, info.qpn_map_id, XP_STEER_STATS_MAP,
		       info.stats_map_id);
		steer = xp_steer_open(ifindex);
		if (steer) {
			n = xp_steer_list_qpns(steer, NULL, NULL, 0);
			if (n >= 0)
				printf("  steered QPNs: %d\n", n);
			xp_steer_close(steer);
		}
	}
	print_socks(ifindex);
	return 1;
}

static int do_status(const struct xpctl_cmd *cmd, int argc, char **argv)
{
	struct if_nameindex *ifs, *i;
	int c, ret, ifindex, shown = 0, err = 0;

	c = xpctl_getopt(cmd, argc, argv);
	if (c != -1) /* status has only --help and --verbose */
		return xpctl_opt_exit(c);
	if (argc - optind > 1)
		return xpctl_bad_args(cmd, "expected at most one interface");
	if (argc - optind == 1) {
		ifindex = xpctl_ifindex(argv[optind]);
		if (ifindex < 0)
			return EXIT_FAILURE;
		return print_iface(ifindex, argv[optind], false) < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
	}

	ifs = if_nameindex();
	if (!ifs) {
		xpctl_err("cannot list the interfaces: %s", strerror(errno));
		return EXIT_FAILURE;
	}
	for (i = ifs; i->if_index; i++) {
		ret = print_iface(i->if_index, i->if_name, true);
		if (ret < 0)
			err = -1;
		else
			shown += ret;
	}
	if_freenameindex(ifs);
	if (!shown && !err)
		printf("no interface has an XDP program attached\n");
	return err ? EXIT_FAILURE : EXIT_SUCCESS;
}

const struct xpctl_cmd xpctl_cmd_status = {
	.name = "status",
	.args = "[IFACE]",
	.summary =
		"Show the XDP program on IFACE (or on every interface), its maps and AF_XDP sockets.",
	.opts = status_opts,
	.run = do_status,
};
