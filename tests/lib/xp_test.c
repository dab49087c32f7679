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

bool xt_same_values(const struct xt_same *t, size_t n, const char *ours_prefix,
		    const char *theirs_prefix)
{
	bool ok = true;
	size_t i;

	for (i = 0; i < n; i++) {
		if (t[i].ours == t[i].theirs)
			continue;
		xt_note("%s%s = %ld, %s%s = %ld", ours_prefix, t[i].name, t[i].ours, theirs_prefix,
			t[i].name, t[i].theirs);
		ok = false;
	}
	return ok;
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
