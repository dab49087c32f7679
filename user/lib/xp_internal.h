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

/*
 * Options structs carry their size first (libbpf's OPTS pattern): a caller
 * built against an older, smaller struct still works, and a newer caller
 * that set fields we do not know is refused instead of silently ignored.
 */
#define xp_opts_valid(opts, type) xp_opts_check((opts), sizeof(struct type), #type)
#define XP_OPTS_HAS(opts, field) \
	((opts) && (opts)->sz >= offsetof(__typeof__(*(opts)), field) + sizeof((opts)->field))
#define XP_OPTS_GET(opts, field, fallback) (XP_OPTS_HAS(opts, field) ? (opts)->field : (fallback))

/* The first member of every options struct is `size_t sz`. */
static inline int xp_opts_check(const void *opts, size_t known, const char *name)
{
	const unsigned char *p = opts;
	size_t sz, i;

	if (!opts)
		return 0;
	sz = *(const size_t *)opts;
	if (sz < sizeof(size_t)) {
		pr_warn("%s: sz %zu is too small; initialise the struct with its .sz set\n", name,
			sz);
		return -EINVAL;
	}
	for (i = known; i < sz; i++) {
		if (p[i]) {
			pr_warn("%s: unknown option at byte %zu (library built for %zu bytes)\n",
				name, i, known);
			return -EINVAL;
		}
	}
	return 0;
}

/* Interface name for messages; buf holds IF_NAMESIZE bytes. */
const char *xp_ifname(int ifindex, char *buf);

/*
 * Name of interface ifindex into buf (IF_NAMESIZE bytes); -ENODEV, with a
 * message, when this network namespace has no such interface.
 */
int xp_ifindex_name(int ifindex, char *buf);

#endif /* XP_INTERNAL_H */
