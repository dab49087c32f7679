#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Run every test suite and print one closing line with the totals:
#   unit and BPF tests from the sanitizer build (build/san),
#   libFuzzer harnesses from the fuzzer build (build/fuzz, tests/fuzz/run.sh),
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
# What failed, kept for the end: CI shows the tail of the output, and a
# failure in a suite's middle is thousands of lines up.
failed_lines=()

# account NAME LOG RC: add a finished suite's result line to the totals.
account() {
	local name=$1 log=$2 rc=$3 line p f s
	line=$(grep -E '^[0-9]+ passed, [0-9]+ failed, [0-9]+ skipped$' "$log" | tail -n1)
	if [[ -z $line ]]; then
		echo "FAIL $name: exited $rc without a result line"
		failed_lines+=("$name: exited $rc without a result line")
		total_fail=$((total_fail + 1))
		failed_suites+=("$name")
		return
	fi
	# The suite's FAIL lines, and a guest's own reason (xp_fail) before them.
	mapfile -t -O "${#failed_lines[@]}" failed_lines < <(
		grep -E '^FAIL |^\[[^]]*\] FAIL: ' "$log" | sed "s|^|$name: |")
	read -r p _ f _ s _ <<<"${line//,/}"
	total_pass=$((total_pass + p))
	total_fail=$((total_fail + f))
	total_skip=$((total_skip + s))
	if ((rc != 0 && f == 0)); then
		echo "FAIL $name: exited $rc"
		failed_lines+=("$name: exited $rc")
		total_fail=$((total_fail + 1))
	fi
	((rc != 0 || f != 0)) && failed_suites+=("$name")
}

run_suite() {
	local name=$1
	shift
	# shellcheck disable=SC2053
	[[ $name == $filter ]] || return 0
	echo "=== $name"
	local log rc t0=$SECONDS
	log=$(mktemp)
	"$@" 2>&1 | tee "$log"
	rc=${PIPESTATUS[0]}
	echo "=== $name: $((SECONDS - t0)) s"
	account "$name" "$log" "$rc"
	rm -f "$log"
}

for t in "$san"/tests/unit/* "$san"/tests/bpf/*; do
	[[ -x $t ]] || continue
	run_suite "$(basename "$(dirname "$t")")/$(basename "$t")" "$t"
done

# Suites that run in parallel lanes: at most $lanes at a time (default one
# per CPU, at most 2), each printed whole when it ends.
lanes=${XP_VM_LANES:-$(nproc)}
((lanes > 2)) && lanes=2
((lanes < 1)) && lanes=1
declare -A lane_pid=() lane_log=() lane_t0=() lane_w=()
lane_used=0

# lane_reap: account for the suites that have ended.
lane_reap() {
	local name rc
	for name in "${!lane_pid[@]}"; do
		[[ -s ${lane_log[$name]}.rc ]] || continue
		wait "${lane_pid[$name]}" 2>/dev/null
		rc=$(cat "${lane_log[$name]}.rc")
		echo "=== $name"
		cat "${lane_log[$name]}"
		echo "=== $name: $((SECONDS - lane_t0[$name])) s (in a lane)"
		account "$name" "${lane_log[$name]}" "$rc"
		rm -f "${lane_log[$name]}" "${lane_log[$name]}.rc"
		lane_used=$((lane_used - lane_w[$name]))
		unset "lane_pid[$name]" "lane_log[$name]" "lane_t0[$name]" "lane_w[$name]"
	done
}

# lane_start NAME WEIGHT CMD...: run CMD in the background once WEIGHT of
# the $lanes lanes are free; its output is printed whole when it ends.
lane_start() {
	local name=$1 w=$2
	shift 2
	((w > lanes)) && w=$lanes
	while ((lane_used + w > lanes)); do
		wait -n 2>/dev/null || sleep 1
		lane_reap
	done
	lane_log[$name]=$(mktemp)
	{
		"$@" >"${lane_log[$name]}" 2>&1
		echo $? >"${lane_log[$name]}.rc"
	} &
	lane_pid[$name]=$!
	lane_t0[$name]=$SECONDS
	lane_w[$name]=$w
	lane_used=$((lane_used + w))
}

# lane_drain: wait for every suite started in a lane.
lane_drain() {
	while ((${#lane_pid[@]})); do
		wait -n 2>/dev/null || sleep 1
		lane_reap
	done
}

# libFuzzer harnesses (make fuzzers), XP_FUZZ_SECS each from their corpus,
# one per lane: each is one process on one core.
for t in build/fuzz/fuzz/*; do
	[[ -x $t ]] || continue
	name=fuzz/$(basename "$t")
	# shellcheck disable=SC2053
	[[ $name == $filter ]] || continue
	lane_start "$name" 1 tests/fuzz/run.sh "$(basename "$t")"
done
lane_drain

# Source checks (tests/lint): rules a compiler run cannot show.
for t in tests/lint/*.sh; do
	[[ -x $t ]] || continue
	run_suite "lint/$(basename "$t" .sh)" "$t"
done

for t in tests/net/*.sh; do
	[[ -x $t ]] || continue
	run_suite "net/$(basename "$t" .sh)" "$t"
done

# VM suites, in lanes: at most $lanes guests at a time. A suite that boots
# two guests at once, or needs the machine to itself, says "# vm-weight: 2"
# in its header and runs alone; those go first, then the others two at a
# time. (Longest first was tried: it ran the disk-heavy writecache, replay,
# power-cut and NVDIMM suites side by side, each 20 to 40 % slower, and
# the whole took longer than this order.)
vm_weight() {
	local w
	w=$(sed -n 's/^# vm-weight: \([0-9]\+\)$/\1/p' "$1" | head -n1)
	echo "${w:-1}"
}
vm_suites=()
for t in tests/vm/test_*.sh; do
	name=vm/$(basename "$t" .sh)
	# shellcheck disable=SC2053
	[[ $name == $filter ]] && vm_suites+=("$t")
done
((${#vm_suites[@]} < 2)) && lanes=1
if ((lanes > 1)); then
	# Kernels resolved and fetched once, before suites race for them;
	# the versions are passed down (XPVM_KVER_*, see tests/vm/lib/kernel.sh).
	for s in 6.1 6.12 newest; do
		kver=$(tests/vm/xpvm kernel "$s" 2>/dev/null) &&
			export "XPVM_KVER_${s//[^a-z0-9]/_}=$kver"
	done
	heavy=() light=()
	for t in "${vm_suites[@]}"; do
		if (($(vm_weight "$t") >= lanes)); then heavy+=("$t"); else light+=("$t"); fi
	done
	vm_suites=(${heavy[@]+"${heavy[@]}"} ${light[@]+"${light[@]}"})
fi

for t in ${vm_suites[@]+"${vm_suites[@]}"}; do
	name=vm/$(basename "$t" .sh)
	# Every test_*.sh here is a suite: one that cannot run must not vanish.
	if [[ ! -x $t ]]; then
		run_suite "$name" bash -c \
			"echo 'FAIL $t is not executable: chmod +x it'; echo '0 passed, 1 failed, 0 skipped'"
		continue
	fi
	if ((lanes == 1)); then
		run_suite "$name" "$t"
		continue
	fi
	lane_start "$name" "$(vm_weight "$t")" "$t"
done
lane_drain

echo
if ((${#failed_suites[@]})); then
	echo "failed checks (at most 40):"
	printf '  %s\n' "${failed_lines[@]:0:40}"
	echo "failed suites: ${failed_suites[*]}"
fi
echo "$total_pass passed, $total_fail failed, $total_skip skipped"
((total_fail == 0))
