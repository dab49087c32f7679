// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The in-memory network (xp_mem_net.h): frames live in one array of
 * fixed-size slots; a device sends by filling a free slot, the net queues
 * it (after its faults and the tap) and xp_mem_net_step() hands it to the
 * device with its destination MAC, which may keep it (a backlogged
 * request) until it gives it back. The clock is the net's own.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rdma_host.h"
#include "xp_internal.h"
#include "xp_mem_net.h"

#define MEM_MAX_DEVS 16
#define PPM 1000000u

struct mem_dev {
	struct xp_mem_net *net;
	__u32 tx_held; /* slots it sent that are not delivered yet */
	struct xp_rdma_dev *core;
	char name[16];
	__u8 mac[6];
	__u8 gids[2][16];
};

struct xp_mem_net {
	__u32 loss, dup, reorder, corrupt; /* ppm */
	__u64 rng;
	__u32 nframes, frame_size;
	/* A core may keep a frame only while this many stay free for sending. */
	__u32 keep_reserve;
	bool no_lend; /* lend no frame (opts.no_lend) */
	struct xp_rdma_host_ops ops; /* mem_ops, with rx_copy if opts.rx_copy */
	__u8 *area; /* nframes slots of frame_size bytes */
	__u32 *lens;
	/*
	 * Who sent each slot, until it is delivered: a device holds at most
	 * its share of the slots in flight, as a NIC has its own tx ring, so
	 * one side's retransmissions cannot leave the other no frame to
	 * answer with.
	 */
	struct mem_dev **sender;
	__u32 ndevs;
	__u32 *free; /* stack of free slots */
	__u32 nfree;
	__u32 *queue; /* FIFO of slots to deliver */
	__u32 q_head, q_count;
	bool held; /* a slot held back for reordering */
	__u32 held_slot;
	struct mem_dev *devs[MEM_MAX_DEVS];
	__u64 now;
	xp_mem_tap_fn tap;
	void *tap_arg;
	struct xp_mem_net_stats stats;
};

static const struct xp_rdma_host_ops mem_ops;

/* xorshift64*: the same faults for the same seed. */
static __u32 roll(struct xp_mem_net *net, __u32 bound)
{
	__u64 x = net->rng;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	net->rng = x;
	return (__u32)((x * 0x2545f4914f6cdd1dull) >> 32) % bound;
}

static __u8 *slot_data(const struct xp_mem_net *net, __u32 slot)
{
	return net->area + (size_t)slot * net->frame_size;
}

static int slot_get(struct xp_mem_net *net, __u32 *slot)
{
	if (!net->nfree)
		return -ENOBUFS;
	*slot = net->free[--net->nfree];
	return 0;
}

/* The slot is no longer its sender's (delivered, lost or freed). */
static void slot_unown(struct xp_mem_net *net, __u32 slot)
{
	if (net->sender[slot]) {
		net->sender[slot]->tx_held--;
		net->sender[slot] = NULL;
	}
}

static void slot_put(struct xp_mem_net *net, __u32 slot)
{
	slot_unown(net, slot);
	net->free[net->nfree++] = slot;
}

static void queue_push(struct xp_mem_net *net, __u32 slot)
{
	net->queue[(net->q_head + net->q_count++) % net->nframes] = slot;
}

static __u32 queue_pop(struct xp_mem_net *net)
{
	__u32 slot = net->queue[net->q_head];

	net->q_head = (net->q_head + 1) % net->nframes;
	net->q_count--;
	return slot;
}

/* A frame leaves a device (or is injected): faults, tap, then the queue. */
static void net_send(struct xp_mem_net *net, __u32 slot)
{
	__u8 *data = slot_data(net, slot);
	__u32 r = roll(net, PPM), copy;

	if (r < net->loss) {
		net->stats.lost++;
		slot_put(net, slot);
		return;
	}
	if (roll(net, PPM) < net->corrupt && net->lens[slot]) {
		__u32 bit = roll(net, net->lens[slot] * 8);

		data[bit / 8] ^= 1u << (bit % 8);
		net->stats.corrupted++;
	}
	if (net->tap && !net->tap(net->tap_arg, data, &net->lens[slot], net->frame_size)) {
		net->stats.tapped_out++;
		slot_put(net, slot);
		return;
	}
	if (net->lens[slot] > net->frame_size)
		net->lens[slot] = net->frame_size;
	r = roll(net, PPM);
	if (r < net->dup && !slot_get(net, &copy)) {
		memcpy(slot_data(net, copy), data, net->lens[slot]);
		net->lens[copy] = net->lens[slot];
		queue_push(net, copy);
		net->stats.duplicated++;
	} else if (r >= net->dup && r < net->dup + net->reorder && !net->held) {
		net->held = true;
		net->held_slot = slot;
		net->stats.reordered++;
		return;
	}
	queue_push(net, slot);
	if (net->held) {
		net->held = false;
		queue_push(net, net->held_slot);
	}
}

/* ---- the host ops ---- */

static int mem_tx_alloc(void *host, struct xp_tx_frame *f, __u32 len)
{
	struct mem_dev *d = host;
	__u32 slot;

	if (len > d->net->frame_size) {
		xp_log(XP_WARN, "%s: a frame of %u bytes asked for, slots hold %u\n", d->name, len,
		       d->net->frame_size);
		return -EMSGSIZE;
	}
	if (d->tx_held >= d->net->nframes / d->net->ndevs || slot_get(d->net, &slot)) {
		d->net->stats.no_frame++;
		return -ENOBUFS;
	}
	d->net->sender[slot] = d;
	d->tx_held++;
	f->data = slot_data(d->net, slot);
	/*
	 * Exactly what was asked for, as the kernel host allocates its skbs:
	 * a frame the core builds longer than it asked fails here, in every
	 * test and fuzzer, not only in the kernel.
	 */
	f->size = len;
	f->cookie = slot;
	return 0;
}

static void mem_tx_send(void *host, struct xp_tx_frame *f)
{
	struct mem_dev *d = host;

	d->net->lens[f->cookie] = f->len;
	d->net->stats.sent++;
	net_send(d->net, f->cookie);
}

static void mem_tx_abort(void *host, struct xp_tx_frame *f)
{
	struct mem_dev *d = host;

	slot_put(d->net, f->cookie);
}

static int mem_tx_flush(void *host)
{
	return 0; /* the queue is the wire */
}

static void mem_rx_release(void *host, __u64 cookie)
{
	struct mem_dev *d = host;

	slot_put(d->net, cookie);
}

/* A frame not lent, copied into a free slot, under the reserve lending keeps. */
static int mem_rx_copy(void *host, const void *data, __u32 len, const void **copy, __u64 *cookie)
{
	struct mem_dev *d = host;
	struct xp_mem_net *net = d->net;
	__u32 slot;

	if (len > net->frame_size || net->nfree < net->keep_reserve || slot_get(net, &slot))
		return -ENOBUFS;
	memcpy(slot_data(net, slot), data, len);
	net->lens[slot] = len;
	net->stats.rx_copies++;
	*copy = slot_data(net, slot);
	*cookie = slot;
	return 0;
}

static __u64 mem_now_ns(void *host)
{
	struct mem_dev *d = host;

	return d->net->now;
}

static int mem_resolve_mac(void *host, const __u8 gid[16], __u8 mac[6])
{
	struct mem_dev *d = host;
	static const __u8 zero[16];
	__u32 i, g;

	if (!memcmp(gid, zero, 16))
		return -EINVAL;
	for (i = 0; i < MEM_MAX_DEVS; i++) {
		struct mem_dev *p = d->net->devs[i];

		for (g = 0; p && g < 2; g++) {
			if (!memcmp(p->gids[g], gid, 16)) {
				memcpy(mac, p->mac, 6);
				return 0;
			}
		}
	}
	return -ENOENT;
}

static const struct xp_rdma_host_ops mem_ops = {
	.tx_alloc = mem_tx_alloc,
	.tx_send = mem_tx_send,
	.tx_abort = mem_tx_abort,
	.tx_flush = mem_tx_flush,
	.rx_release = mem_rx_release,
	.now_ns = mem_now_ns,
	.resolve_mac = mem_resolve_mac,
};

/* ---- the net ---- */

struct xp_mem_net *xp_mem_net_create(const struct xp_mem_net_opts *opts)
{
	struct xp_mem_net *net;
	__u64 sum;
	__u32 i;

	if (xp_opts_valid(opts, xp_mem_net_opts)) {
		errno = EINVAL;
		return NULL;
	}
	net = calloc(1, sizeof(*net));
	if (!net)
		return NULL;
	net->loss = XP_OPTS_GET(opts, loss_ppm, 0);
	net->dup = XP_OPTS_GET(opts, dup_ppm, 0);
	net->reorder = XP_OPTS_GET(opts, reorder_ppm, 0);
	net->corrupt = XP_OPTS_GET(opts, corrupt_ppm, 0);
	net->rng = XP_OPTS_GET(opts, seed, 0) ?: 0x9e3779b97f4a7c15ull;
	net->nframes = XP_OPTS_GET(opts, nframes, 0) ?: 4096;
	net->frame_size = XP_OPTS_GET(opts, frame_size, 0) ?: 9216;
	net->no_lend = XP_OPTS_GET(opts, no_lend, false);
	net->ops = mem_ops;
	if (XP_OPTS_GET(opts, rx_copy, false))
		net->ops.rx_copy = mem_rx_copy;
	sum = (__u64)net->loss + net->dup + net->reorder;
	if (sum > PPM || net->corrupt > PPM || net->nframes > (1u << 20) ||
	    net->frame_size < 256 + XP_ROCE_HDR_MAX || net->frame_size > 65536) {
		pr_warn("memory net: loss %u + dup %u + reorder %u ppm (at most 1000000 in all), corrupt %u ppm, %u frames (at most 2^20) of %u bytes (336..65536)\n",
			net->loss, net->dup, net->reorder, net->corrupt, net->nframes,
			net->frame_size);
		free(net);
		errno = EINVAL;
		return NULL;
	}
	net->area = calloc(net->nframes, net->frame_size);
	net->lens = calloc(net->nframes, sizeof(*net->lens));
	net->free = calloc(net->nframes, sizeof(*net->free));
	net->queue = calloc(net->nframes, sizeof(*net->queue));
	net->sender = calloc(net->nframes, sizeof(*net->sender));
	if (!net->area || !net->lens || !net->free || !net->queue || !net->sender) {
		xp_mem_net_destroy(net);
		errno = ENOMEM;
		return NULL;
	}
	for (i = 0; i < net->nframes; i++)
		net->free[i] = net->nframes - 1 - i;
	net->keep_reserve = net->nframes / 4;
	net->nfree = net->nframes;
	net->now = XP_MEM_SEC; /* 0 means "no timer" to the core */
	return net;
}

int xp_mem_net_destroy(struct xp_mem_net *net)
{
	__u32 i;

	if (!net)
		return 0;
	for (i = 0; i < MEM_MAX_DEVS; i++)
		if (net->devs[i])
			return -EBUSY;
	free(net->area);
	free(net->lens);
	free(net->free);
	free(net->queue);
	free(net->sender);
	free(net);
	return 0;
}

static struct mem_dev *dev_by_mac(struct xp_mem_net *net, const __u8 mac[6])
{
	__u32 i;

	for (i = 0; i < MEM_MAX_DEVS; i++)
		if (net->devs[i] && !memcmp(net->devs[i]->mac, mac, 6))
			return net->devs[i];
	return NULL;
}

struct xp_rdma_dev *xp_mem_dev_add(struct xp_mem_net *net, const struct xp_mem_dev_opts *opts)
{
	struct xp_rdma_core_attr ca = { .sz = sizeof(ca) };
	static const __u8 zero[16];
	struct mem_dev *d;
	__u32 slot;

	if (!net || !opts || xp_opts_valid(opts, xp_mem_dev_opts) || (opts->mac[0] & 1) ||
	    !memcmp(opts->mac, zero, 6)) {
		pr_warn("memory net: a device needs options with a unicast MAC\n");
		errno = EINVAL;
		return NULL;
	}
	if (dev_by_mac(net, opts->mac)) {
		errno = EEXIST;
		return NULL;
	}
	for (slot = 0; slot < MEM_MAX_DEVS && net->devs[slot]; slot++)
		;
	if (slot == MEM_MAX_DEVS) {
		pr_warn("memory net: at most %u devices\n", MEM_MAX_DEVS);
		errno = ENOSPC;
		return NULL;
	}
	d = calloc(1, sizeof(*d));
	if (!d)
		return NULL;
	d->net = net;
	memcpy(d->mac, opts->mac, 6);
	if (XP_OPTS_GET(opts, name, NULL))
		snprintf(d->name, sizeof(d->name), "%s", opts->name);
	else
		snprintf(d->name, sizeof(d->name), "mem%u", slot);
	if (opts->ipv4)
		xp_gid_from_ipv4(d->gids[1], opts->ipv4);
	memcpy(d->gids[0], opts->ipv6, 16);

	ca.name = d->name;
	memcpy(ca.mac, d->mac, 6);
	ca.mtu = XP_OPTS_GET(opts, mtu, 0) ?: XP_MTU_1024;
	ca.max_qp = XP_OPTS_GET(opts, max_qp, 0);
	ca.qpn_first = XP_OPTS_GET(opts, qpn_first, 0);
	ca.host = d;
	ca.ops = &net->ops;
	if (xp_mtu_to_bytes(ca.mtu) + XP_ROCE_HDR_MAX > net->frame_size) {
		pr_warn("%s: path MTU %u does not fit the net's %u-byte frames\n", d->name,
			xp_mtu_to_bytes(ca.mtu), net->frame_size);
		free(d);
		errno = EINVAL;
		return NULL;
	}
	d->core = xp_rdma_core_create(&ca);
	if (!d->core) {
		int err = errno;

		free(d);
		errno = err;
		return NULL;
	}
	xp_rdma_core_set_gid(d->core, 0, d->gids[0]);
	xp_rdma_core_set_gid(d->core, 1, d->gids[1]);
	net->devs[slot] = d;
	net->ndevs++;
	return d->core;
}

int xp_mem_dev_remove(struct xp_rdma_dev *dev)
{
	struct mem_dev *d;
	__u32 i;
	int err;

	if (!dev || xp_rdma_core_ops(dev)->tx_alloc != mem_tx_alloc)
		return -EINVAL;
	d = xp_rdma_core_host(dev);
	err = xp_rdma_core_destroy(dev);
	if (err)
		return err;
	for (i = 0; i < MEM_MAX_DEVS; i++)
		if (d->net->devs[i] == d)
			d->net->devs[i] = NULL;
	for (i = 0; i < d->net->nframes; i++)
		if (d->net->sender[i] == d)
			slot_unown(d->net, i);
	d->net->ndevs--;
	free(d);
	return 0;
}

void xp_mem_net_set_tap(struct xp_mem_net *net, xp_mem_tap_fn tap, void *arg)
{
	net->tap = tap;
	net->tap_arg = arg;
}

int xp_mem_net_inject(struct xp_mem_net *net, const void *frame, __u32 len)
{
	__u32 slot;

	if (len > net->frame_size)
		return -EMSGSIZE;
	if (slot_get(net, &slot))
		return -ENOBUFS;
	memcpy(slot_data(net, slot), frame, len);
	net->lens[slot] = len;
	net->stats.injected++;
	queue_push(net, slot);
	return 0;
}

int xp_mem_net_step(struct xp_mem_net *net, __u32 budget)
{
	__u32 n, i, done = 0;

	/* A frame held back with nothing behind it goes now. */
	if (!net->q_count && net->held) {
		net->held = false;
		queue_push(net, net->held_slot);
	}
	n = net->q_count < budget ? net->q_count : budget;
	for (i = 0; i < MEM_MAX_DEVS; i++)
		if (net->devs[i])
			xp_rdma_core_begin(net->devs[i]->core);
	while (done < n) {
		__u32 slot = queue_pop(net);
		const __u8 *data = slot_data(net, slot);
		struct mem_dev *d = net->lens[slot] >= 6 ? dev_by_mac(net, data) : NULL;

		done++;
		slot_unown(net, slot);
		if (!d) {
			net->stats.no_dest++;
			slot_put(net, slot);
			continue;
		}
		net->stats.delivered++;
		if (!xp_rdma_core_rx(d->core, data, net->lens[slot], slot,
				     !net->no_lend && net->nfree >= net->keep_reserve))
			slot_put(net, slot);
	}
	for (i = 0; i < MEM_MAX_DEVS; i++)
		if (net->devs[i])
			xp_rdma_core_work(net->devs[i]->core);
	return done;
}

__u32 xp_mem_net_pending(const struct xp_mem_net *net)
{
	return net->q_count + net->held;
}

__u32 xp_mem_net_frames_in_use(const struct xp_mem_net *net)
{
	return net->nframes - net->nfree;
}

__u64 xp_mem_net_now(const struct xp_mem_net *net)
{
	return net->now;
}

void xp_mem_net_advance(struct xp_mem_net *net, __u64 ns)
{
	net->now += ns;
}

/* The devices' earliest timer, 0 if none runs. */
static __u64 next_timer(struct xp_mem_net *net)
{
	__u64 first = 0, t;
	__u32 i;

	for (i = 0; i < MEM_MAX_DEVS; i++) {
		if (!net->devs[i])
			continue;
		t = xp_rdma_core_next_timer(net->devs[i]->core);
		if (t && (!first || t < first))
			first = t;
	}
	return first;
}

int xp_mem_net_run(struct xp_mem_net *net, __u64 limit_ns, bool (*done)(void *arg), void *arg)
{
	__u64 deadline = net->now + limit_ns, due;

	for (;;) {
		if (done(arg))
			return 0;
		if (xp_mem_net_pending(net)) {
			xp_mem_net_step(net, 64);
			continue;
		}
		due = next_timer(net);
		if (!due)
			return -EDEADLK;
		if (due > deadline)
			return -ETIME;
		/* Due now (a READ stream or backlog waiting): time still moves,
		 * so a device that cannot progress ends at the limit. */
		net->now = due > net->now ? due : net->now + 1000;
		xp_mem_net_step(net, 64);
	}
}

const struct xp_mem_net_stats *xp_mem_net_stats(const struct xp_mem_net *net)
{
	return &net->stats;
}
