/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/*
 * Protocol numbers the BPF programs need that vmlinux.h lacks: vmlinux.h
 * carries the kernel's types and enums, but not its #defines (EtherTypes,
 * IPv6 next-header values, fragment bits). Names follow the kernel's so the
 * code reads like net/; the guards keep a header that did define them first
 * from clashing with ours.
 *
 * Wire structs come from vmlinux.h: ethhdr, vlan_hdr, iphdr, ipv6hdr,
 * ipv6_opt_hdr, ip_auth_hdr, frag_hdr, udphdr.
 */
#ifndef XP_BPF_PROTO_H
#define XP_BPF_PROTO_H

/* EtherTypes (include/uapi/linux/if_ether.h) */
#ifndef ETH_HLEN
#define ETH_HLEN 14
#endif
#ifndef ETH_P_IP
#define ETH_P_IP 0x0800
#endif
#ifndef ETH_P_ARP
#define ETH_P_ARP 0x0806
#endif
#ifndef ETH_P_8021Q
#define ETH_P_8021Q 0x8100
#endif
#ifndef ETH_P_IPV6
#define ETH_P_IPV6 0x86DD
#endif
#ifndef ETH_P_8021AD
#define ETH_P_8021AD 0x88A8
#endif

/* IPv4 fragment field (include/net/ip.h), host order */
#ifndef IP_MF
#define IP_MF 0x2000
#endif
#ifndef IP_OFFSET
#define IP_OFFSET 0x1FFF
#endif

/* IPv6 next-header values (include/net/ipv6.h) */
#ifndef NEXTHDR_HOP
#define NEXTHDR_HOP 0
#endif
#ifndef NEXTHDR_UDP
#define NEXTHDR_UDP 17
#endif
#ifndef NEXTHDR_ROUTING
#define NEXTHDR_ROUTING 43
#endif
#ifndef NEXTHDR_FRAGMENT
#define NEXTHDR_FRAGMENT 44
#endif
#ifndef NEXTHDR_ESP
#define NEXTHDR_ESP 50
#endif
#ifndef NEXTHDR_AUTH
#define NEXTHDR_AUTH 51
#endif
#ifndef NEXTHDR_NONE
#define NEXTHDR_NONE 59
#endif
#ifndef NEXTHDR_DEST
#define NEXTHDR_DEST 60
#endif

/* IPv6 fragment header frag_off, host order (include/net/ipv6.h) */
#ifndef IP6_OFFSET
#define IP6_OFFSET 0xFFF8
#endif
#ifndef IP6_MF
#define IP6_MF 0x0001
#endif

#endif /* XP_BPF_PROTO_H */
