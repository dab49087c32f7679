/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The core's environment in the kernel (kmod/): xp_env.h's list, from the
 * kernel's own headers. Allocation happens only where verbs create objects
 * (process context), so it may sleep: GFP_KERNEL, kv* for large tables.
 * The kernel has no errno: xp_set_errno() is a no-op, and a kernel host
 * maps a NULL from the pointer-returning API to an error of its own.
 */
#ifndef XP_ENV_KERNEL_H
#define XP_ENV_KERNEL_H

#include <linux/types.h>
#include <linux/errno.h>
#include <linux/kernel.h>
#include <linux/limits.h>
#include <linux/once.h>
#include <linux/printk.h>
#include <linux/random.h>
#include <linux/slab.h>
#include <linux/stddef.h>
#include <linux/string.h>
#include <asm/byteorder.h>

#ifndef UINTPTR_MAX
#define UINTPTR_MAX ULONG_MAX
#endif
#ifndef UINT64_MAX
#define UINT64_MAX U64_MAX
#endif

static inline void *xp_zalloc(size_t size)
{
	return kvzalloc(size, GFP_KERNEL);
}

static inline void *xp_calloc(size_t n, size_t size)
{
	return kvcalloc(n, size, GFP_KERNEL);
}

static inline void xp_free(void *p)
{
	kvfree(p);
}

#define xp_htonl(x) cpu_to_be32(x)
#define xp_ntohl(x) be32_to_cpu(x)
#define xp_htons(x) cpu_to_be16(x)
#define xp_ntohs(x) be16_to_cpu(x)

static inline void xp_set_errno(int e)
{
}

/* The error numbers the core reports, by name. */
static inline const char *xp_strerror(int e)
{
	switch (e) {
	case EINVAL:
		return "invalid argument";
	case ENOMEM:
		return "out of memory";
	case ENOSPC:
		return "no space left";
	case EBUSY:
		return "busy";
	case ENOENT:
		return "not found";
	case EOPNOTSUPP:
		return "not supported";
	case ENOBUFS:
		return "no buffer space";
	case EMSGSIZE:
		return "message too long";
	default:
		return "error";
	}
}

enum xp_print_level {
	XP_WARN,
	XP_INFO,
	XP_DEBUG,
};

#define xp_log(level, fmt, ...)                                   \
	do {                                                      \
		if ((level) == XP_WARN)                           \
			pr_warn("xp_roce: " fmt, ##__VA_ARGS__);  \
		else if ((level) == XP_INFO)                      \
			pr_info("xp_roce: " fmt, ##__VA_ARGS__);  \
		else                                              \
			pr_debug("xp_roce: " fmt, ##__VA_ARGS__); \
	} while (0)

static inline void xp_random_bytes(void *buf, size_t n)
{
	get_random_bytes(buf, n);
}

#define XP_NO_COVERAGE /* for user-space fuzzing only */

/* DO_ONCE() keeps its own state per call site: the name is only for user space. */
#define XP_ONCE_DEFINE(name) static int name __maybe_unused
#define xp_once(once, fn) DO_ONCE(fn)

#include "xp_types.h"
#include "xp_opts.h"

#endif /* XP_ENV_KERNEL_H */
