#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Run libFuzzer harnesses (make fuzzers builds them into build/fuzz/fuzz)
# from their committed corpus, tests/fuzz/corpus/NAME, plus the inputs of
# past findings, tests/fuzz/regress/NAME. New inputs go to a scratch
# directory; the committed corpus stays as it is.
#   tests/fuzz/run.sh [NAME...]     every harness when none is named
#   XP_FUZZ_SECS=30                 seconds per harness (make check)
#   XP_FUZZ_RUNS=N                  executions per harness instead (make fuzz)
#   XP_FUZZ_KEEP=DIR                keep each harness's new inputs in DIR/NAME
#   XP_FUZZ_BIN=DIR                 the harnesses' directory (build/fuzz/fuzz;
#                                   make FUZZ=fast fuzzers: build/fuzz-fast/fuzz)
# Two checks per harness: a planted failure is reported (XP_FUZZ_SELFTEST),
# and the run ended without a finding (a crash, leak, timeout
# or failed invariant stops libFuzzer with its input in the log and in
# crash-*/leak-*/timeout-* under the scratch directory, which is kept).
set -uo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=tests/lib/testlib.sh
source "$root/tests/lib/testlib.sh"

bin=${XP_FUZZ_BIN:-$root/build/fuzz/fuzz}
# A small quarantine: freed memory is still held back long enough to catch a
# use after free within a run (a run allocates well under 1 MiB), but the
# next runs reuse warm pages instead of faulting in fresh ones; fuzz_rc_pair
# runs twice as fast with it.
export ASAN_OPTIONS=${ASAN_OPTIONS:-quarantine_size_mb=16}
names=("$@")
if ((${#names[@]} == 0)); then
	for f in "$root"/tests/fuzz/*.c; do
		names+=("$(basename "$f" .c)")
	done
fi

for n in "${names[@]}"; do
	if [[ ! -x $bin/$n ]]; then
		fail "fuzz $n: $bin/$n is not built (make fuzzers)"
		continue
	fi
	scratch=$(mktemp -d)
	# The harness must report a failed invariant (XP_FUZZ_SELFTEST plants one).
	seed=$(find "$root/tests/fuzz/corpus/$n" -type f 2>/dev/null | head -n 1)
	printf 'x' >"$scratch/selftest"
	(cd "$scratch" && XP_FUZZ_SELFTEST=1 "$bin/$n" -runs=1 "${seed:-$scratch/selftest}") \
		>"$scratch/selftest.log" 2>&1
	rc=$?
	check "fuzz $n: a planted invariant failure is a finding (status $rc)" \
		bash -c "test $rc != 0 && grep -qi 'selftest' '$scratch/selftest.log'"
	rm -f "$scratch"/crash-* "$scratch/selftest"*
	limit=(-max_total_time="${XP_FUZZ_SECS:-30}")
	[[ -n ${XP_FUZZ_RUNS:-} ]] && limit=(-runs="$XP_FUZZ_RUNS")
	dirs=("$scratch/new")
	mkdir -p "$scratch/new"
	for d in "$root/tests/fuzz/corpus/$n" "$root/tests/fuzz/regress/$n"; do
		[[ -d $d ]] && dirs+=("$d")
	done
	t0=$SECONDS
	(cd "$scratch" && "$bin/$n" "${limit[@]}" -max_len=16384 -timeout=10 -rss_limit_mb=2048 \
		-print_final_stats=1 "${dirs[@]}") >"$scratch/log" 2>&1
	rc=$?
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$scratch/log")
	cov=$(grep -oE 'cov: [0-9]+ ft: [0-9]+' "$scratch/log" | tail -n 1)
	if ((rc == 0)) && [[ -n $runs ]]; then
		grep "^$n: " "$scratch/log" | sed 's/^/    # /'
		pass "fuzz $n: ${runs} executions in $((SECONDS - t0)) s, ${cov:-no coverage line}, no finding"
		if [[ -n ${XP_FUZZ_KEEP:-} ]]; then
			mkdir -p "$XP_FUZZ_KEEP/$n" && cp -n "$scratch/new/"* "$XP_FUZZ_KEEP/$n/" 2>/dev/null
		fi
		rm -rf "$scratch"
	else
		grep -vE '^(#[0-9]+|INFO:|MS:|base unit|\s*$)' "$scratch/log" | tail -n 40 | sed 's/^/    # /'
		fail "fuzz $n: libFuzzer stopped with status $rc after ${runs:-?} executions (inputs and log kept in $scratch)"
	fi
done
summary
