/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The transport core's environment: the only header of core/roce that
 * reaches the host's library. Everything the core needs from its host
 * that is not a frame, a clock reading or a QPN (those go through
 * struct xp_rdma_host_ops, rdma_host.h) comes from here:
 *
 *   memory       xp_zalloc(size), xp_calloc(n, size), xp_free(p)
 *   bytes        memcpy, memset, memcmp, memmove, strlen; snprintf, vsnprintf
 *   byte order   xp_htonl, xp_ntohl, xp_htons, xp_ntohs
 *   errors       the E* numbers, xp_set_errno(e) for the pointer-returning
 *                API, xp_strerror(e) for messages
 *   logging      pr_warn, pr_info, pr_debug; xp_log(level, ...)
 *   randomness   xp_random_bytes(buf, n) (MR keys)
 *   once         XP_ONCE_DEFINE(name), xp_once(&name, fn) (ICRC table)
 *   fuzzing      XP_NO_COVERAGE: a hot loop a fuzzer need not trace
 *
 * Rules for the core (checked by the build, see the Makefile's CORE_CFLAGS
 * and tests/unit/test_core_env.sh): no header of the C library or of the
 * host other than this one, no threads, no sleeping, no floating point,
 * frames of at most 1 KiB of stack.
 */
#ifndef XP_ENV_H
#define XP_ENV_H

#ifdef __KERNEL__
#include "env_kernel.h"
#else
#include "env_user.h"
#endif

#endif /* XP_ENV_H */
