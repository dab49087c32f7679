#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# xp_nvdimm (kmod/nvdimm) against Debian's kernels, for each series: a
# guest whose kernel leaves 192 MiB at 0x20000000 out of its RAM
# (memmap=192M$0x20000000) and whose RAM is a file here (--ram-file), so
# that a second qemu on the same file finds what the first left there.
#
#   boot 1 (guest/nvdimm_setup.sh): bad parameters refused; two ranges give
#     two buses, DIMMs and pmem regions; nd_lsa's label-area bounds
#     checks; labels, fsdax/devdax/sector namespaces, destroy and
#     re-create; rmmod refused while regions are enabled; random data on
#     the block namespaces, whose sums and layout come back here;
#   boot 2 (guest/nvdimm_reboot.sh): same layout and data after the
#     "reboot", a control (wrong sums must mismatch), XP_NVDIMM_CYCLES
#     (default 50) load/unload cycles with a leak check, and the same
#     layout and data again;
#   boot 3 (guest/nvdimm_busy.sh): a range nd_e820 already serves is
#     refused as in use and nothing is left of the ranges before it; a
#     range equal to the firmware's Reserved entry loads, unloads and
#     leaves the entry in place.
#
# XP_NVDIMM_WRONG_SUMS=1 hands boot 2 wrong sums as the real ones: the
# suite must then fail (a check that the checks can fail).
#
# Every CHECK line of a guest becomes a check here; a guest must also
# exit 0 and print its DONE line, and this side compares the sums of the
# second boot with the first's itself.
set -uo pipefail

# shellcheck source=tests/vm/lib/testvm.sh
source "$(dirname "$0")/lib/testvm.sh"

vm_require test_nvdimm
if [[ ! -f $XP_ROOT/kmod/nvdimm/Kbuild ]]; then
	skip "test_nvdimm: kmod/nvdimm (xp_nvdimm) is not in this tree"
	summary
	exit 0
fi

TMP=$(mktemp -d)
on_exit rm -rf "$TMP"
CYCLES=${XP_NVDIMM_CYCLES:-50}
# The modules behind ndctl's namespace modes: pmem (fsdax, raw), btt
# (sector), dax_pmem and device_dax (devdax). Same names in 6.1 and 6.12.
MODS="libnvdimm nd_pmem nd_btt dax_pmem device_dax"
LSA=$XP_BUILD/vm/nd_lsa

# The guest's label-area checker.
vm_tool_build nd_lsa "$LSA" || { summary; exit 1; }

# lines LOG WORD: the guest's output lines that start with WORD.
lines() { vm_output "$1" | grep "^$2 "; }

# show LOG STATUS: the guest's log, indented: all of it when STATUS is not
# 0, else its last lines (the CHECK lines are reported one by one anyway).
show() {
	if (($2)); then
		sed 's/^/    | /' "$1"
	else
		grep -v ' CHECK ' "$1" | tail -n 12 | sed 's/^/    | /'
	fi
}

nvdimm_series() {
	local series=$1 kver t0 rc ram sums layout role want got n
	vm_kernel "$series" || return
	kver=$VM_KVER
	vm_kmod_build "$kver" xp_nvdimm || return

	ram=$TMP/ram-$series.img
	rm -f "$ram"
	# What both boots share: the kernel, its reserved range, the RAM file.
	# shellcheck disable=SC2016 # the '$' is memmap='s, for the guest kernel
	local common=(-k "$kver" --mem 1G --ram-file "$ram" --append 'memmap=192M$0x20000000'
		-m "$MODS" --kmod -f "$LSA" -f "$XPVM_GUEST/nvdimm_lib.sh")

	# Boot 1.
	t0=$EPOCHREALTIME
	rc=0
	"$XPVM" run "${common[@]}" --name "nvd1-$series" -t 240 \
		"$XPVM_GUEST/nvdimm_setup.sh" >"$TMP/boot1.log" 2>&1 || rc=$?
	show "$TMP/boot1.log" "$rc"
	vm_guest_checks "nvdimm $kver boot 1" "$TMP/boot1.log"
	check "nvdimm $kver boot 1: guest finished and passed ($(vm_secs "$t0") s, status $rc)" \
		vm_guest_finished "$rc" "$TMP/boot1.log" setup
	sums=$(lines "$TMP/boot1.log" sum)
	layout=$(lines "$TMP/boot1.log" layout)
	if [[ $(wc -l <<<"$sums") != 3 || $(wc -l <<<"$layout") != 4 ]]; then
		fail "nvdimm $kver: boot 1 gave no 3 sums and 4 layout lines; no boot 2"
		rm -f "$ram"
		return
	fi

	# Boot 2: a new qemu on the same RAM file. The control's sums differ
	# from the real ones in their last hex digit.
	local want_sums='' bad_sums=''
	while read -r _ role want; do
		want_sums+="$role=$want;"
		bad_sums+="$role=${want%?}$(tr 0-9a-f 1-9a-f0 <<<"${want: -1}");"
	done <<<"$sums"
	if [[ ${XP_NVDIMM_WRONG_SUMS:-0} == 1 ]]; then
		note "XP_NVDIMM_WRONG_SUMS=1: boot 2 expects wrong sums; this suite must fail"
		want_sums=$bad_sums
	fi
	t0=$EPOCHREALTIME
	rc=0
	"$XPVM" run "${common[@]}" --name "nvd2-$series" -t 300 \
		-e "XP_ND_LAYOUT=$(tr '\n' ';' <<<"$layout")" -e "XP_ND_SUMS=$want_sums" \
		-e "XP_ND_BAD_SUMS=$bad_sums" -e "XP_ND_CYCLES=$CYCLES" \
		"$XPVM_GUEST/nvdimm_reboot.sh" >"$TMP/boot2.log" 2>&1 || rc=$?
	show "$TMP/boot2.log" "$rc"
	vm_guest_checks "nvdimm $kver boot 2" "$TMP/boot2.log"
	check "nvdimm $kver boot 2: guest finished and passed ($(vm_secs "$t0") s, status $rc)" \
		vm_guest_finished "$rc" "$TMP/boot2.log" reboot
	vm_output "$TMP/boot2.log" | grep -E '^(mem |cycles: )' | sed 's/^/    # /'
	# Our own comparison of the sums, independent of the guest's: every
	# sum line of boot 2 (after the reboot and after the cycles).
	n=0
	while read -r _ role got; do
		want=$(awk -v r="$role" '$2 == r { print $3 }' <<<"$sums")
		[[ $got == "$want" ]] && n=$((n + 1))
	done < <(lines "$TMP/boot2.log" sum)
	check "nvdimm $kver: boot 2 read back all 6 sums of boot 1's data ($n matched)" test "$n" = 6
	rm -f "$ram"

	# Boot 3: a legacy pmem range that nd_e820 owns, and a range equal to
	# the Reserved entry (fresh RAM; nothing from the boots before).
	t0=$EPOCHREALTIME
	rc=0
	# shellcheck disable=SC2016 # the '$' is memmap='s, for the guest kernel
	"$XPVM" run -k "$kver" --append 'memmap=192M$0x20000000 memmap=64M!0x2c000000' \
		-m "$MODS nd_e820" --kmod -f "$XPVM_GUEST/nvdimm_lib.sh" --name "nvd3-$series" -t 120 \
		"$XPVM_GUEST/nvdimm_busy.sh" >"$TMP/boot3.log" 2>&1 || rc=$?
	show "$TMP/boot3.log" "$rc"
	vm_guest_checks "nvdimm $kver boot 3" "$TMP/boot3.log"
	check "nvdimm $kver boot 3: guest finished and passed ($(vm_secs "$t0") s, status $rc)" \
		vm_guest_finished "$rc" "$TMP/boot3.log" busy
}

for s in $XP_VM_SERIES; do
	nvdimm_series "$s"
done
summary
