/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Logging, in the style of libbpf_set_print(): the library never prints on
 * its own, it hands every message to one print function. The default one
 * writes warnings and info to stderr; debug only after xp_set_log_level().
 * xp_log_capture_libbpf() routes libbpf's and libxdp's messages through the
 * same function, below ours, so a tool has one place that decides what shows.
 */
#ifndef XP_LOG_H
#define XP_LOG_H

#include <stdarg.h>

enum xp_print_level {
	XP_WARN,
	XP_INFO,
	XP_DEBUG,
};

typedef int (*xp_print_fn_t)(enum xp_print_level level, const char *fmt, va_list ap);

/* Install a print function (NULL silences the library); returns the old one. */
xp_print_fn_t xp_set_print(xp_print_fn_t fn);

/* Highest level the default print function shows (XP_INFO unless changed). */
void xp_set_log_level(enum xp_print_level level);

/* Forward libbpf and libxdp messages to our print function. */
void xp_log_capture_libbpf(void);

void xp_log(enum xp_print_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif /* XP_LOG_H */
