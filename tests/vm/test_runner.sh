#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The VM runner itself (xpvm run), on one kernel (the last of XP_VM_SERIES,
# the fastest to boot): a passing guest passes and brings back its output,
# its environment and a file through the 9p share; a script's exit status
# comes back as the runner's; a guest that panics and a guest that hangs
# are failures with the console log shown, never passes (the hung one with
# its tasks dumped through magic SysRq before it is killed); a forged result
# line is ignored; a module the kernel lacks is refused before booting.
#
# XP_VM_SELFTEST_FAIL=1 adds a guest script that exits 3 where a pass is
# expected: this suite, tests/run.sh and `make check` must then fail.
set -uo pipefail

# shellcheck source=tests/vm/lib/testvm.sh
source "$(dirname "$0")/lib/testvm.sh"

vm_require test_runner

SERIES=${XP_VM_SERIES##* }
TMP=$(mktemp -d)
on_exit rm -rf "$TMP"

# boot NAME [XPVM RUN ARGS...]: run a guest; output in $TMP/NAME.log,
# status in $rc, seconds in $secs.
rc=0
secs=0
boot() {
	local name=$1 t0
	shift
	t0=$EPOCHREALTIME
	rc=0
	"$XPVM" run -k "$KVER" -b none --name "$name" "$@" >"$TMP/$name.log" 2>&1 || rc=$?
	secs=$(vm_secs "$t0")
	sed 's/^/    | /' "$TMP/$name.log"
}

# has NAME REGEX / hasf NAME STRING: the guest's output contains it.
has() { grep -qE -- "$2" "$TMP/$1.log"; }
hasf() { grep -qF -- "$2" "$TMP/$1.log"; }
# reported NAME WHY LINE: the runner said WHY and showed the console log,
# and the log shows LINE (a regex; kernel lines may carry a timestamp).
reported() {
	has "$1" "^xpvm: $1: $2" && has "$1" "^xpvm: $1: console log .*, last [0-9]+ lines( before the task dump)?:$" &&
		has "$1" "^\[$1\] (\[ *[0-9.]+\] )?$3"
}

# dumped NAME TEXT: the runner showed the guest's task dump (it had timed
# out), and the dump has the kernel's line TEXT.
dumped() {
	has "$1" "^xpvm: $1: the guest's tasks at the timeout" &&
		has "$1" "^\[$1\] \[ *[0-9.]+\] $2\$"
}
# dumped_task NAME TASK STATE FUNC: the dump shows TASK in STATE with FUNC
# (a regex) in its stack.
dumped_task() {
	dumped "$1" "sysrq: Show State" &&
		grep -A12 -E "^\[$1\] \[ *[0-9.]+\] task:$2 +state:$3 " "$TMP/$1.log" |
		grep -qE " $4\+0x"
}

vm_kernel "$SERIES" || { summary; exit 1; }
KVER=$VM_KVER

mkdir -p "$TMP/share"
boot pass -t 60 --share "$TMP/share" -e "XP_WORD=it's here" "$XPVM_GUEST/selftest_pass.sh"
check "runner $KVER: passing guest returns 0 ($secs s)" test "$rc" = 0
check "runner $KVER: guest output comes back" hasf pass "[pass] selftest: ran in $KVER as pass"
check "runner $KVER: --env reaches the guest script" hasf pass "[pass] selftest: env XP_WORD=it's here"
check "runner $KVER: file written to the 9p share" grep -qx "written by pass" "$TMP/share/from-guest"
# One vCPU, but two possible: QEMU 7.2's TCG elides the guest's memory
# barriers on a machine of one possible vCPU, and virtio then loses
# completions (tests/vm/lib/qemu.sh).
cmdline=$(ls -t "$XPVM_RUNS"/pass.*/cmdline 2>/dev/null | head -n 1)
check "runner $KVER: one vCPU, two possible (TCG keeps the guest's barriers): $(grep -o -- '-smp [^ ]*' "$cmdline")" \
	grep -q -- '-smp 1\\,maxcpus=2 ' "$cmdline"

boot within -t 60 --disk "$TMP/within.img:1M" "$XPVM_GUEST/selftest_within.sh"
check "runner $KVER: xp_within gives up on a command past its limit, status 124" \
	hasf within "[within] selftest: xp_within 1 sleep 30: status 124"
check "runner $KVER: ... and says so, with the block devices' in-flight I/O" \
	hasf within "[within] selftest: xp_within said so"
check "runner $KVER: ... and passes a quick command's status on" \
	hasf within "[within] selftest: xp_within 10 sh -c 'exit 5': status 5"

boot exit3 -t 60 "$XPVM_GUEST/selftest_exit.sh"
check "runner $KVER: exit 3 comes back as status 3, forged result ignored ($secs s)" test "$rc" = 3
check "runner $KVER: exit 3 is reported with the console log" \
	reported exit3 "guest script exited 3 " "selftest: exiting with status 3"

boot panic -t 60 "$XPVM_GUEST/selftest_panic.sh"
check "runner $KVER: kernel panic is a failure, status 125 ($secs s)" test "$rc" = 125
check "runner $KVER: panic reported with the console log" \
	reported panic "kernel panic" "Kernel panic - not syncing: sysrq triggered crash"

boot hang -t 20 "$XPVM_GUEST/selftest_hang.sh"
check "runner $KVER: hung guest times out, status 124 ($secs s)" test "$rc" = 124
check "runner $KVER: timeout reported with the console log" \
	reported hang "timed out after 20 s" "selftest: sleeping forever"
check "runner $KVER: the timeout is kept (20 s, and the task dump: took $secs s)" \
	awk -v s="$secs" 'BEGIN { exit !(s >= 20 && s < 60) }'
check "runner $KVER: the hung guest dumped its blocked tasks (sysrq w) into the failure shown" \
	dumped hang "sysrq: Show Blocked State"
check "runner $KVER: ... and every task (sysrq t): the script's sleep with its kernel stack" \
	dumped_task hang sleep S "(do_nanosleep|hrtimer_nanosleep)"

# A power cut: the hanging guest's qemu killed through its --pidfile.
t0=$EPOCHREALTIME
"$XPVM" run -k "$KVER" -b none --name cut -v -t 120 --pidfile "$TMP/cut.pid" \
	"$XPVM_GUEST/selftest_hang.sh" >"$TMP/cut.log" 2>&1 &
cutpid=$!
for ((i = 0; i < 600; i++)); do
	grep -q 'selftest: sleeping forever' "$TMP/cut.log" && break
	kill -0 "$cutpid" 2>/dev/null || break
	sleep 0.1
done
qpid=$(cat "$TMP/cut.pid" 2>/dev/null)
[[ -n $qpid ]] && kill -9 "$qpid"
rc=0
wait "$cutpid" || rc=$?
secs=$(vm_secs "$t0")
sed 's/^/    | /' "$TMP/cut.log"
check "runner $KVER: --pidfile names qemu (pid ${qpid:-none})" test -n "$qpid"
check "runner $KVER: qemu killed from outside is status 137, not a timeout ($secs s)" \
	test "$rc" = 137
check "runner $KVER: the killed guest is reported" has cut "^xpvm: cut: qemu was killed"
check "runner $KVER: the pid file is gone with qemu" test ! -e "$TMP/cut.pid"

boot nomod -t 60 -m xp_no_such_module "$XPVM_GUEST/selftest_pass.sh"
check "runner $KVER: unknown module refused before boot, status 125" test "$rc" = 125
check "runner $KVER: unknown module named in the error" has nomod "no module 'xp_no_such_module'"

if [[ ${XP_VM_SELFTEST_FAIL:-0} == 1 ]]; then
	note "XP_VM_SELFTEST_FAIL=1: a guest script that exits 3 must fail this suite"
	boot deliberate -t 60 -e XP_STATUS=3 "$XPVM_GUEST/selftest_exit.sh"
	check "runner $KVER: deliberately failing guest script (status $rc)" test "$rc" = 0
fi
summary
