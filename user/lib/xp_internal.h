/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Private helpers shared by the library's source files. */
#ifndef XP_INTERNAL_H
#define XP_INTERNAL_H

#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "xp_log.h"

#define pr_warn(fmt, ...) xp_log(XP_WARN, "xdpath: " fmt, ##__VA_ARGS__)
#define pr_info(fmt, ...) xp_log(XP_INFO, "xdpath: " fmt, ##__VA_ARGS__)
#define pr_debug(fmt, ...) xp_log(XP_DEBUG, "xdpath: " fmt, ##__VA_ARGS__)

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#endif

#include "xp_opts.h"

/* Interface name for messages; buf holds IF_NAMESIZE bytes. */
const char *xp_ifname(int ifindex, char *buf);

/*
 * Name of interface ifindex into buf (IF_NAMESIZE bytes); -ENODEV, with a
 * message, when this network namespace has no such interface.
 */
int xp_ifindex_name(int ifindex, char *buf);

#endif /* XP_INTERNAL_H */
