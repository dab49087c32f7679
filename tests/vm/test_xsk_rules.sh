#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The AF_XDP rule tables (tests/unit/test_umem: every XDP_UMEM_REG rule;
# tests/unit/test_xsk_rules: the bind flags) on each kernel series. The
# library's verdict and message meet the kernel's own verdict on every row,
# so a rule that differs between kernels must be learnt right, and a kernel
# with a rule we do not know fails by row. The host runs them as unit
# suites; this suite boots Debian's kernels and runs the same binaries.
set -uo pipefail

# Every series, Debian's newest kernel too (testvm.sh).
VM_ALL_SERIES=1
# shellcheck source=tests/vm/lib/testvm.sh
source "$(dirname "$0")/lib/testvm.sh"

vm_require test_xsk_rules

# The binaries go in as files under /xp/bin (the guest mounts a tmpfs on
# /tmp, where a clone may live), and through -b for their libraries.
bins=() files=() guest=()
for t in test_umem test_xsk_rules; do
	bins+=("$XPVM_BUILD/tests/unit/$t")
	files+=(-f "${bins[-1]}:/xp/bin/$t")
	guest+=("/xp/bin/$t")
	[[ -x ${bins[-1]} ]] || fail "xsk rules: ${bins[-1]} is missing (make all builds it)"
done

TMP=$(mktemp -d)
on_exit rm -rf "$TMP"

for series in $XP_VM_SERIES; do
	vm_kernel "$series" || continue
	kver=$VM_KVER
	t0=$EPOCHREALTIME
	rc=0
	"$XPVM" run -k "$kver" -b "${bins[*]}" "${files[@]}" -e "XP_RULES_TESTS=${guest[*]}" \
		--name "xsk-rules-$series" -t 180 "$XPVM_GUEST/xsk_rules.sh" >"$TMP/log" 2>&1 || rc=$?
	vm_output "$TMP/log" | grep -v '^CHECK '
	vm_guest_checks "$kver" "$TMP/log"
	check "$kver: the guest ran every table ($(vm_secs "$t0") s, status $rc)" \
		vm_guest_finished "$rc" "$TMP/log" xsk_rules
done
summary
