/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The types the core's public headers use (bool, size_t, __u8 .. __u64,
 * __be16/32), from the host's own headers: the kernel's <linux/types.h>
 * has them all; user space adds the compiler's <stdbool.h> and <stddef.h>.
 */
#ifndef XP_TYPES_H
#define XP_TYPES_H

#ifdef __KERNEL__
#include <linux/types.h>
#else
#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>
#endif

#endif /* XP_TYPES_H */
