/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Minimal test reporting shared by the C tests. Every check prints one line,
 * PASS/FAIL/SKIP and a name; xt_summary() prints the closing line that
 * tests/run.sh reads: "N passed, N failed, N skipped".
 */
#ifndef XP_TEST_H
#define XP_TEST_H

#include <stdbool.h>
#include <stddef.h>

void xt_pass(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void xt_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void xt_skip(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Report one check: PASS when cond holds, else FAIL. Returns cond. */
bool xt_check(bool cond, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Print a diagnostic line under the current check (indented, "#"). */
void xt_note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* A value of ours next to the one another project defines for the same thing. */
struct xt_same {
	const char *name;
	long ours;
	long theirs;
};

/*
 * True when every pair is equal; each mismatch is noted as
 * "<ours_prefix>NAME = x, <theirs_prefix>NAME = y".
 */
bool xt_same_values(const struct xt_same *t, size_t n, const char *ours_prefix,
		    const char *theirs_prefix);

/* Quiet mode: only FAIL and SKIP lines are printed (XT_VERBOSE=1 undoes it). */
void xt_set_quiet(bool quiet);

int xt_failed(void);

/* Print the closing line; returns the process exit status. */
int xt_summary(void);

#endif /* XP_TEST_H */
