# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
#
# Guest side of test_nvdimm, third boot: ranges someone else owns, and a
# range that is exactly the firmware's entry. The kernel runs with
# memmap=192M$0x20000000 (Reserved) and memmap=64M!0x2c000000 (legacy
# pmem), and nd_e820 + nd_pmem, loaded at boot, have made the legacy range
# a region whose namespace claims all of it.
#
#   1. ranges=128M@0x20000000,64M@0x2c000000: range 1 is in use, so the
#      load fails with EBUSY before range 0 is registered, and nd_e820's
#      region, namespace and /proc/iomem entries are as they were; a
#      range across the Reserved and the legacy entry is not reserved;
#   2. range 0 alone still loads and unloads;
#   3. ranges=192M@0x20000000 equals the Reserved entry, which then sits
#      under ours in /proc/iomem while loaded; after the unload it is back
#      at the top level, and the next load finds it.
#
# Output: CHECK lines (nvdimm_lib.sh) and "DONE busy failed=N".

# shellcheck source=tests/vm/guest/nvdimm_lib.sh
. /xp/files/nvdimm_lib.sh

[ -f "$ND_KO" ] || xp_fail "$ND_KO missing (make kmod)"
LEGACY='^2c000000-2fffffff : Persistent Memory \(legacy\)$'

xp_step "nd_e820 owns the legacy range"
grep -A1 -E '^2[0-9a-f]{7}-' /proc/iomem
ndctl list -BN
xp_check "/proc/iomem: 2c000000-2fffffff is legacy pmem, claimed by a namespace" \
	grep -A1 -E "$LEGACY" /proc/iomem | grep -qE '^ +2c000000-2fffffff : namespace'
E820=$(grep -A1 -E "$LEGACY" /proc/iomem)

xp_step "a range in use"
nd_mark
out=$(insmod "$ND_KO" ranges=128M@0x20000000,64M@0x2c000000 2>&1)
rc=$?
echo "insmod: status $rc: $out"
nd_our_klog | sed 's/^/    kernel: /'
case $out in
*"resource busy"*) [ "$rc" != 0 ] ;;
*) false ;;
esac
xp_verdict "insmod with range 1 in use fails with EBUSY"
nd_our_klog | grep -q 'range 1 (64M@0x2c000000) is in use' &&
	! nd_klog | grep -q 'xp_nvdimm xp_nvdimm.0'
xp_verdict "the kernel log says range 1 is in use, and range 0 was never registered"
xp_check "nothing of ours left: no module, no /proc/iomem entry, no bus" nd_gone
xp_check "nd_e820's /proc/iomem entries are as they were" \
	[ "$(grep -A1 -E "$LEGACY" /proc/iomem)" = "$E820" ]
xp_check "nd_e820's bus is still listed" sh -c "ndctl list -B | grep -q '\"provider\":\"e820\"'"

xp_step "a range across two entries"
# 0x28000000-0x2dffffff: the end of the Reserved entry and the start of
# the legacy one. Each part is reserved, but no one entry covers it.
nd_mark
out=$(insmod "$ND_KO" ranges=96M@0x28000000 2>&1)
rc=$?
echo "insmod: status $rc: $out"
nd_our_klog | sed 's/^/    kernel: /'
[ "$rc" != 0 ] && nd_our_klog | grep -q 'range 0 (96M@0x28000000) is not reserved' && nd_gone
xp_verdict "a range across the Reserved and the legacy entry is refused as not reserved"

xp_step "range 0 alone"
xp_run insmod "$ND_KO" ranges=128M@0x20000000
xp_check "range 0 alone: bus xp_nvdimm.0 listed" [ "$(nd_our_buses)" = 1 ]
nd_unload
xp_check "range 0 alone: unloaded, nothing left" nd_gone

xp_step "a range equal to the Reserved entry"
xp_run insmod "$ND_KO" ranges=192M@0x20000000
grep -A1 -E '^ *20000000-2bffffff' /proc/iomem
xp_check "/proc/iomem: xp_nvdimm.0 holds the Reserved entry it equals" \
	sh -c "grep -A1 -E '^20000000-2bffffff : xp_nvdimm\.0$' /proc/iomem | grep -qE '^ +20000000-2bffffff : Reserved$'"
nd_unload
grep -E '^ *20000000-2bffffff' /proc/iomem
xp_check "after the unload: Reserved is back at the top level, nothing of ours" \
	sh -c "grep -qE '^20000000-2bffffff : Reserved$' /proc/iomem && ! grep -q xp_nvdimm /proc/iomem"
nd_mark
xp_run insmod "$ND_KO" ranges=192M@0x20000000
xp_check "and the next load finds the range reserved" [ "$(nd_our_buses)" = 1 ]
nd_unload
xp_check "unloaded again, nothing left" nd_gone
xp_done busy
