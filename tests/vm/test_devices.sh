#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The bed's optional devices, for each kernel series: an NFIT NVDIMM backed
# by a file with a 128 KiB label area (ndctl, /dev/pmem0), a virtio-blk disk
# backed by a file (dmsetup linear on it), and fio from Debian's package
# with all its shared libraries (-b all, the largest image).
set -uo pipefail

# shellcheck source=tests/vm/lib/testvm.sh
source "$(dirname "$0")/lib/testvm.sh"

vm_require test_devices

TMP=$(mktemp -d)
on_exit rm -rf "$TMP"

for series in $XP_VM_SERIES; do
	vm_kernel "$series" || continue
	kver=$VM_KVER
	rm -f "$TMP/nvdimm.img" "$TMP/disk.img"
	t0=$EPOCHREALTIME
	rc=0
	"$XPVM" run -k "$kver" -b all -m dm_mod --name "dev-$series" -t 120 \
		--nvdimm "$TMP/nvdimm.img:64M" --disk "$TMP/disk.img:32M" \
		"$XPVM_GUEST/devices.sh" >"$TMP/log" 2>&1 || rc=$?
	cat "$TMP/log"
	check "devices $kver: NVDIMM, virtio-blk, ndctl, dmsetup, fio ($(vm_secs "$t0") s, status $rc)" \
		test "$rc" = 0
	check "devices $kver: the NVDIMM label area is 128 KiB" \
		grep -q "label area of nmem0: 131072 bytes" "$TMP/log"
	check "devices $kver: fio ran a verified job" grep -q "^\[dev-$series\] 3;fio-" "$TMP/log"
done
summary
