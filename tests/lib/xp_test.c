// SPDX-License-Identifier: GPL-2.0
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "xp_test.h"

static int n_pass, n_fail, n_skip;
static bool quiet;

static void report(const char *tag, bool show, const char *fmt, va_list ap)
{
	if (!show)
		return;
	printf("%s ", tag);
	vprintf(fmt, ap);
	putchar('\n');
	fflush(stdout);
}

void xt_set_quiet(bool q)
{
	const char *v = getenv("XT_VERBOSE");

	quiet = q && !(v && *v == '1');
}

void xt_pass(const char *fmt, ...)
{
	va_list ap;

	n_pass++;
	va_start(ap, fmt);
	report("PASS", !quiet, fmt, ap);
	va_end(ap);
}

void xt_fail(const char *fmt, ...)
{
	va_list ap;

	n_fail++;
	va_start(ap, fmt);
	report("FAIL", true, fmt, ap);
	va_end(ap);
}

void xt_skip(const char *fmt, ...)
{
	va_list ap;

	n_skip++;
	va_start(ap, fmt);
	report("SKIP", true, fmt, ap);
	va_end(ap);
}

bool xt_check(bool cond, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	if (cond) {
		n_pass++;
		report("PASS", !quiet, fmt, ap);
	} else {
		n_fail++;
		report("FAIL", true, fmt, ap);
	}
	va_end(ap);
	return cond;
}

void xt_note(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	printf("    # ");
	vprintf(fmt, ap);
	putchar('\n');
	va_end(ap);
}

int xt_failed(void)
{
	return n_fail;
}

int xt_summary(void)
{
	printf("%d passed, %d failed, %d skipped\n", n_pass, n_fail, n_skip);
	fflush(stdout);
	return n_fail ? EXIT_FAILURE : EXIT_SUCCESS;
}
