/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What every libFuzzer harness in tests/fuzz shares:
 *
 *	fuzz_init();			in LLVMFuzzerInitialize: quiet library,
 *					XP_FUZZ_SELFTEST read
 *	fuzz_selftest_point();		first thing in LLVMFuzzerTestOneInput
 *	require(cond);			an invariant: abort with file, line
 *	require_msg(cond, fmt, ...);	and the condition (and a message), which
 *					libFuzzer reports as a finding
 *
 * XP_FUZZ_SELFTEST=1 makes fuzz_selftest_point() fail on the first input:
 * tests/fuzz/run.sh checks that a harness reports a failed invariant
 * before trusting its "no finding" (the log must name "selftest").
 */
#ifndef XP_FUZZ_H
#define XP_FUZZ_H

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

#include "xp_log.h"

#define require_msg(cond, ...)                                                     \
	do {                                                                       \
		if (!(cond)) {                                                     \
			fprintf(stderr, "%s:%d: %s: ", __FILE__, __LINE__, #cond); \
			fprintf(stderr, __VA_ARGS__);                              \
			fputc('\n', stderr);                                       \
			abort();                                                   \
		}                                                                  \
	} while (0)

#define require(cond) require_msg(cond, "%s", "invariant failed")

static bool fuzz_selftest;

static inline void fuzz_init(void)
{
	/* What the library explains about refused input is expected here. */
	xp_set_print(NULL);
	fuzz_selftest = getenv("XP_FUZZ_SELFTEST") != NULL;
}

#define fuzz_selftest_point() require_msg(!fuzz_selftest, "XP_FUZZ_SELFTEST: a planted failure")

#endif /* XP_FUZZ_H */
