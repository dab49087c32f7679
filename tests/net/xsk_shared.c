// SPDX-License-Identifier: GPL-2.0
/*
 * One umem shared by four AF_XDP sockets, driven by test_shared_umem.sh:
 *
 *   s0  IF_B queue 0, slot 0      owns the umem's socket, fill ring F0
 *   s1  IF_B queue 1, slot 1      XDP_SHARED_UMEM, own fill ring F1
 *   s2  IF_C queue 0, slot 0      another interface, own fill ring F2
 *   s3  IF_B queue 0, slot 5      same queue as s0: shares F0 and s0's pool;
 *                                 packets reach it through a dest-QPN entry
 *
 * Each distinct (interface, queue) has its own frame pool (a slice of the
 * umem) with per-frame ownership tracking. The program prints "ready", then
 * receives until every socket has its expected count or the time runs out,
 * recycling frames; at the end every pool must pass its audit and hold all
 * its frames again, and each socket must have received exactly its count.
 *
 * Usage: xsk_shared IF_B IF_C N0 N1 N2 N3 QPN3 SECONDS
 */
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "xp_log.h"
#include "xp_steer.h"
#include "xp_test.h"
#include "xp_xsk.h"

#define NFRAMES 4096
#define SLICE 1024
#define CHUNK 2048

struct sock {
	const char *name;
	int ifindex;
	__u32 queue;
	__u32 slot;
	struct xp_pool *pool;
	struct xp_xsk *xsk;
	__u64 expect;
	__u64 got;
};

static char last_warn[512];

static int print_fn(enum xp_print_level level, const char *fmt, va_list ap)
{
	va_list copy;

	va_copy(copy, ap);
	if (level == XP_WARN)
		vsnprintf(last_warn, sizeof(last_warn), fmt, copy);
	va_end(copy);
	if (level <= XP_INFO)
		vfprintf(stderr, fmt, ap);
	return 0;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static struct xp_pool *slice(struct xp_umem *umem, __u32 first)
{
	struct xp_pool_opts o = {
		.sz = sizeof(o), .first_frame = first, .nframes = SLICE, .debug = true
	};

	return xp_pool_create(umem, &o);
}

static struct xp_xsk *open_sock(struct xp_umem *umem, struct sock *s, bool busy_poll)
{
	struct xp_xsk_opts o = {
		.sz = sizeof(o),
		.rx_size = 512,
		.fill_size = 2 * SLICE, /* twice the frames: see docs/xsk.md */
		.comp_size = 512,
		.no_tx = true,
		.custom_slot = true,
		.slot = s->slot,
		.pool = s->pool,
		.busy_poll = busy_poll,
	};

	return xp_xsk_create(umem, s->ifindex, s->queue, &o);
}

/* Receive what is there; frames go back to the shared fill ring. */
static void drain(struct sock *s)
{
	struct xp_ring *rx = xp_xsk_rx_ring(s->xsk);
	__u64 addrs[64];
	__u32 idx, n, i;

	n = xp_xsk_rx_peek(s->xsk, 64, &idx);
	for (i = 0; i < n; i++)
		addrs[i] = xp_ring_desc(rx, idx + i)->addr;
	xp_xsk_rx_release(s->xsk, n);
	xp_xsk_recycle(s->xsk, addrs, n);
	s->got += n;
}

int main(int argc, char **argv)
{
	struct sock socks[4] = {
		{ .name = "s0 (B q0)", .queue = 0, .slot = 0 },
		{ .name = "s1 (B q1)", .queue = 1, .slot = 1 },
		{ .name = "s2 (C q0)", .queue = 0, .slot = 0 },
		{ .name = "s3 (B q0, slot 5)", .queue = 0, .slot = 5 },
	};
	struct xp_umem_opts uo = { .sz = sizeof(uo), .chunk_size = CHUNK };
	struct xp_xsk_opts zc = { .sz = sizeof(zc), .mode = XP_XSK_ZEROCOPY, .no_steer = true };
	struct xp_steer *steer = NULL;
	struct xp_umem *umem;
	double end;
	bool done;
	void *area;
	int i, ifb, ifc;
	__u32 qpn;

	if (argc != 9) {
		fprintf(stderr, "usage: %s IF_B IF_C N0 N1 N2 N3 QPN3 SECONDS\n", argv[0]);
		return EXIT_FAILURE;
	}
	xp_set_print(print_fn);
	ifb = if_nametoindex(argv[1]);
	ifc = if_nametoindex(argv[2]);
	for (i = 0; i < 4; i++)
		socks[i].expect = strtoull(argv[3 + i], NULL, 0);
	qpn = strtoul(argv[7], NULL, 0);
	end = strtod(argv[8], NULL);
	socks[0].ifindex = socks[1].ifindex = socks[3].ifindex = ifb;
	socks[2].ifindex = ifc;

	area = mmap(NULL, (size_t)NFRAMES * CHUNK, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	umem = xp_umem_create(area, (size_t)NFRAMES * CHUNK, &uo);
	if (!xt_check(umem != NULL, "umem: 4096 frames of 2048 bytes"))
		return xt_summary();

	/* s3 shares s0's queue, hence its fill ring and pool. */
	socks[0].pool = slice(umem, 0);
	socks[1].pool = slice(umem, SLICE);
	socks[2].pool = slice(umem, 2 * SLICE);
	socks[3].pool = socks[0].pool;

	/* A failed first bind spends the umem's own socket (ring sizes are
	 * set once per socket); the next create must still work. */
	zc.pool = socks[0].pool;
	xt_check(xp_xsk_create(umem, ifb, 0, &zc) == NULL,
		 "owner socket: forced zero-copy on veth refused");
	for (i = 0; i < 4; i++) {
		socks[i].xsk = open_sock(umem, &socks[i], false);
		if (!xt_check(socks[i].xsk != NULL, "%s: created (%s)", socks[i].name,
			      socks[i].xsk ? xp_xsk_mode_str(xp_xsk_mode(socks[i].xsk)) :
					     last_warn))
			goto out;
	}
	xt_check(xp_xsk_fd(socks[0].xsk) == xp_umem_fd(umem), "s0 uses the umem's own socket");
	xt_check(xp_xsk_fill_ring(socks[3].xsk) == xp_xsk_fill_ring(socks[0].xsk),
		 "s3 shares s0's fill ring (same queue)");
	xt_check(xp_xsk_fill_ring(socks[1].xsk) != xp_xsk_fill_ring(socks[0].xsk) &&
			 xp_xsk_fill_ring(socks[2].xsk) != xp_xsk_fill_ring(socks[0].xsk),
		 "s1 and s2 have their own fill rings");

	/* Zero-copy cannot be forced on veth, and says so; nothing leaks.
	 * (IF_C has two queues; queue 1 is free.) */
	last_warn[0] = 0;
	zc.pool = socks[2].pool;
	xt_check(xp_xsk_create(umem, ifc, 1, &zc) == NULL, "forced zero-copy on veth refused");

	/* The EBUSY-after-close race: destroy s2, rebind at once. */
	xp_xsk_destroy(socks[2].xsk);
	socks[2].xsk = open_sock(umem, &socks[2], false);
	if (!xt_check(socks[2].xsk != NULL, "s2: rebind right after close"))
		goto out;

	steer = xp_steer_open(ifb);
	if (!xt_check(steer && !xp_steer_add_qpn(steer, qpn, 5), "QPN 0x%x -> slot 5", qpn))
		goto out;

	xp_xsk_fill(socks[0].xsk, 1024);
	xp_xsk_fill(socks[1].xsk, 1024);
	xp_xsk_fill(socks[2].xsk, 1024);
	printf("ready\n");
	fflush(stdout);

	end += now_s();
	do {
		done = true;
		for (i = 0; i < 4; i++) {
			drain(&socks[i]);
			done &= socks[i].got >= socks[i].expect;
		}
	} while (!done && now_s() < end);
	/* Anything beyond the expected counts would show up now. */
	usleep(200 * 1000);
	for (i = 0; i < 4; i++)
		drain(&socks[i]);

	for (i = 0; i < 4; i++)
		xt_check(socks[i].got == socks[i].expect, "%s: received %llu, expected %llu",
			 socks[i].name, (unsigned long long)socks[i].got,
			 (unsigned long long)socks[i].expect);
	for (i = 0; i < 3; i++) {
		struct xp_pool *p = socks[i].pool;

		xt_check(xp_pool_check(p) == 0, "%s: pool audit", socks[i].name);
		xt_check(xp_pool_count(p, XP_OWN_RX) == 0 && xp_pool_count(p, XP_OWN_APP) == 0 &&
				 xp_pool_count(p, XP_OWN_FREE) + xp_pool_count(p, XP_OWN_FILL) ==
					 SLICE,
			 "%s: every frame back in the pool or the fill ring", socks[i].name);
	}
out:
	xp_steer_close(steer);
	for (i = 3; i >= 0; i--)
		xp_xsk_destroy(socks[i].xsk);
	xt_check(xp_umem_destroy(umem) == 0, "umem destroyed after its sockets");
	for (i = 0; i < 3; i++)
		xp_pool_destroy(socks[i].pool);
	munmap(area, (size_t)NFRAMES * CHUNK);
	return xt_summary();
}
