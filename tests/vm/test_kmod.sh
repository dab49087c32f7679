#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Our kernel modules against Debian's kernels, for each series: build every
# module under kmod/ with that kernel's headers (kmod/build.sh, what
# `make kmod KVER=<ver>` runs), boot the kernel and load and unload xp_hello
# in the guest (guest/kmod_hello.sh checks the log lines, sysfs, the
# parameter, and that a refused init fails the load); then, in a second
# boot, xp_roce_core: the transport core (core/roce) built for the kernel,
# whose load-time self-test runs every RC operation between two loopback
# devices (guest/kmod_roce_core.sh).
#
# Runs alone in tests/run.sh (it rebuilds the modules other suites load):
# vm-weight: 2
set -uo pipefail

# Every series, Debian's newest kernel too (testvm.sh).
VM_ALL_SERIES=1
# shellcheck source=tests/vm/lib/testvm.sh
source "$(dirname "$0")/lib/testvm.sh"

vm_require test_kmod

kmod_series() {
	local series=$1 kver t0 rc=0 log
	vm_kernel "$series" || return
	kver=$VM_KVER
	t0=$EPOCHREALTIME
	log=$("$XPVM_ROOT/kmod/build.sh" "$kver" 2>&1) || rc=$?
	echo "$log"
	if ! check "kmod $kver: every module under kmod/ builds ($(vm_secs "$t0") s)" test "$rc" = 0; then
		return
	fi
	check "kmod $kver: xp_hello.ko built" test -f "$XPVM_BUILD/kmod/$kver/xp_hello.ko"
	t0=$EPOCHREALTIME
	rc=0
	"$XPVM" run -k "$kver" -b none --kmod --name "kmod-$series" -t 120 \
		"$XPVM_GUEST/kmod_hello.sh" || rc=$?
	check "kmod $kver: xp_hello loads, logs, unloads in the guest ($(vm_secs "$t0") s, status $rc)" \
		test "$rc" = 0
	check "kmod $kver: xp_roce_core.ko built (core/roce for the kernel)" \
		test -f "$XPVM_BUILD/kmod/$kver/xp_roce_core.ko"
	t0=$EPOCHREALTIME
	rc=0
	"$XPVM" run -k "$kver" -b none --kmod --name "roce-core-$series" -t 180 \
		"$XPVM_GUEST/kmod_roce_core.sh" || rc=$?
	check "kmod $kver: the core's self-test passes in the kernel ($(vm_secs "$t0") s, status $rc)" \
		test "$rc" = 0
}

for s in $XP_VM_SERIES; do
	kmod_series "$s"
done
summary
