// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <stdio.h>

#include <bpf/libbpf.h>
#include <xdp/libxdp.h>

#include "xp_log.h"

static enum xp_print_level max_level = XP_INFO;

static int default_print(enum xp_print_level level, const char *fmt, va_list ap)
{
	if (level > max_level)
		return 0;
	return vfprintf(stderr, fmt, ap);
}

static xp_print_fn_t print_fn = default_print;

xp_print_fn_t xp_set_print(xp_print_fn_t fn)
{
	xp_print_fn_t old = print_fn;

	print_fn = fn;
	return old;
}

void xp_set_log_level(enum xp_print_level level)
{
	max_level = level;
}

void xp_log(enum xp_print_level level, const char *fmt, ...)
{
	va_list ap;

	if (!print_fn)
		return;
	va_start(ap, fmt);
	print_fn(level, fmt, ap);
	va_end(ap);
}

/*
 * libbpf and libxdp report at their own levels; map them one step down so
 * their warnings show next to ours but their chatter needs -v.
 */
static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	enum xp_print_level l = level == LIBBPF_WARN ? XP_WARN : XP_DEBUG;

	return print_fn ? print_fn(l, fmt, ap) : 0;
}

static int libxdp_print(enum libxdp_print_level level, const char *fmt, va_list ap)
{
	enum xp_print_level l = level == LIBXDP_WARN ? XP_WARN : XP_DEBUG;

	return print_fn ? print_fn(l, fmt, ap) : 0;
}

void xp_log_capture_libbpf(void)
{
	libbpf_set_print(libbpf_print);
	libxdp_set_print(libxdp_print);
}
