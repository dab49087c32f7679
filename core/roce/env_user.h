/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* The core's environment in user space (libxdpath): the C library. */
#ifndef XP_ENV_USER_H
#define XP_ENV_USER_H

#include <arpa/inet.h>
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "xp_types.h"
#include "xp_internal.h" /* xp_log, pr_*, xp_opts.h */

static inline void *xp_zalloc(size_t size)
{
	return calloc(1, size);
}

static inline void *xp_calloc(size_t n, size_t size)
{
	return calloc(n, size);
}

static inline void xp_free(void *p)
{
	free(p);
}

#define xp_htonl(x) htonl(x)
#define xp_ntohl(x) ntohl(x)
#define xp_htons(x) htons(x)
#define xp_ntohs(x) ntohs(x)

static inline void xp_set_errno(int e)
{
	errno = e;
}

static inline const char *xp_strerror(int e)
{
	return strerror(e);
}

/*
 * Fill buf from the kernel's random pool; where getrandom() is not
 * available (old seccomp policies), from a generator seeded with the
 * buffer's address and the time: keys then stay unique, if guessable.
 */
static inline void xp_random_bytes(void *buf, size_t n)
{
	__u8 *p = buf;
	size_t got = 0;
	ssize_t r;
	__u64 x;

	while (got < n) {
		r = getrandom(p + got, n - got, GRND_NONBLOCK);
		if (r <= 0)
			break;
		got += r;
	}
	x = (__u64)(uintptr_t)buf ^ ((__u64)time(NULL) << 32) ^ 0x9e3779b97f4a7c15ull;
	for (; got < n; got++) {
		x ^= x >> 12;
		x ^= x << 25;
		x ^= x >> 27;
		p[got] = (__u8)((x * 0x2545f4914f6cdd1dull) >> 56);
	}
}

/*
 * A hot loop whose branches tell a coverage-guided fuzzer nothing (the
 * CRC): clang leaves its coverage hooks out.
 */
#ifdef __clang__
#define XP_NO_COVERAGE __attribute__((no_sanitize("coverage")))
#else
#define XP_NO_COVERAGE
#endif

#define XP_ONCE_DEFINE(name) static pthread_once_t name = PTHREAD_ONCE_INIT
#define xp_once(once, fn) pthread_once(once, fn)

#endif /* XP_ENV_USER_H */
