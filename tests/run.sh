#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Run every test suite and print one closing line with the totals:
#   unit and BPF tests from the sanitizer build (build/san),
#   network tests (netns + veth) against the normal build,
#   VM tests (tests/vm: Debian kernels under qemu; XP_VM_SERIES narrows them).
# Each suite prints its own "N passed, N failed, N skipped"; a suite that
# exits non-zero without reporting a failure, or reports nothing, counts as
# one failure. Usage: tests/run.sh [SUITE-GLOB]
set -uo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root" || exit 1
filter=${1:-*}
san=${XP_SAN_BUILD:-build/san}
export XP_BUILD=${XP_BUILD:-$root/build}

total_pass=0
total_fail=0
total_skip=0
failed_suites=()

run_suite() {
	local name=$1
	shift
	# shellcheck disable=SC2053
	[[ $name == $filter ]] || return 0
	echo "=== $name"
	local log rc line p f s t0=$SECONDS
	log=$(mktemp)
	"$@" 2>&1 | tee "$log"
	rc=${PIPESTATUS[0]}
	echo "=== $name: $((SECONDS - t0)) s"
	line=$(grep -E '^[0-9]+ passed, [0-9]+ failed, [0-9]+ skipped$' "$log" | tail -n1)
	rm -f "$log"
	if [[ -z $line ]]; then
		echo "FAIL $name: exited $rc without a result line"
		total_fail=$((total_fail + 1))
		failed_suites+=("$name")
		return
	fi
	read -r p _ f _ s _ <<<"${line//,/}"
	total_pass=$((total_pass + p))
	total_fail=$((total_fail + f))
	total_skip=$((total_skip + s))
	if ((rc != 0 && f == 0)); then
		echo "FAIL $name: exited $rc"
		total_fail=$((total_fail + 1))
	fi
	((rc != 0 || f != 0)) && failed_suites+=("$name")
}

for t in "$san"/tests/unit/* "$san"/tests/bpf/*; do
	[[ -x $t ]] || continue
	run_suite "$(basename "$(dirname "$t")")/$(basename "$t")" "$t"
done

for t in tests/net/*.sh; do
	[[ -x $t ]] || continue
	run_suite "net/$(basename "$t" .sh)" "$t"
done

# Every test_*.sh here is a suite: one that cannot run must not vanish.
for t in tests/vm/test_*.sh; do
	if [[ ! -x $t ]]; then
		run_suite "vm/$(basename "$t" .sh)" bash -c \
			"echo 'FAIL $t is not executable: chmod +x it'; echo '0 passed, 1 failed, 0 skipped'"
		continue
	fi
	run_suite "vm/$(basename "$t" .sh)" "$t"
done

echo
if ((${#failed_suites[@]})); then
	echo "failed suites: ${failed_suites[*]}"
fi
echo "$total_pass passed, $total_fail failed, $total_skip skipped"
((total_fail == 0))
