/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * What a sender needs from the system to address Ethernet frames, in the
 * caller's network namespace: an interface's own MAC address and MTU, and
 * a peer's MAC address as the kernel resolved it (ARP, neighbour discovery).
 */
#ifndef XP_NEIGH_H
#define XP_NEIGH_H

#include <linux/types.h>

/*
 * MAC address and MTU of an interface (either pointer may be NULL).
 * -EOPNOTSUPP when the interface is not Ethernet.
 */
int xp_link_info(int ifindex, __u8 mac[6], unsigned int *mtu);

/*
 * Look the MAC of addr (a struct in_addr for AF_INET, a struct in6_addr for
 * AF_INET6) up in the kernel's neighbour table of ifindex (rtnetlink).
 * -ENOENT when there is no usable entry (absent, incomplete or failed):
 * the caller should tell the user to ping the address first.
 */
int xp_neigh_resolve(int ifindex, int family, const void *addr, __u8 mac[6]);

#endif /* XP_NEIGH_H */
