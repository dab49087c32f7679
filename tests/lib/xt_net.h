/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Network set-up shared by the tests that need a veth in a private network
 * namespace and an AF_XDP socket to put in an XSKMAP (tests/bpf/test_steer.c,
 * tests/fuzz/fuzz_steer.c): rtnetlink just enough to make and remove a veth
 * pair, and a copy-mode AF_XDP socket that is bound but never receives.
 */
#ifndef XT_NET_H
#define XT_NET_H

#include <stddef.h>

#include <linux/types.h>

/* Make a veth pair name <-> peer with `queues` rx and tx queues each, in the
 * caller's network namespace: 0 or -errno. */
int xt_veth_create(const char *name, const char *peer, __u32 queues);
/* Delete a link by ifindex: 0 or -errno. */
int xt_link_delete(int ifindex);

/* A copy-mode AF_XDP socket with a small umem, bound and with an rx ring:
 * all the kernel needs before the socket may enter an XSKMAP. */
struct xt_xsk {
	int fd; /* -1 when not open */
	void *umem;
	size_t umem_len;
};
/* Open and bind to (ifindex, queue) in copy mode: 0, or -1 with why set
 * (a sentence saying which step failed and the errno string). x->fd is -1
 * on failure and everything allocated is released. */
int xt_xsk_open(struct xt_xsk *x, int ifindex, __u32 queue, char *why, size_t whylen);
/* Close the socket and unmap the umem; safe on a closed/zeroed one (fd -1 or umem NULL). */
void xt_xsk_close(struct xt_xsk *x);

#endif /* XT_NET_H */
