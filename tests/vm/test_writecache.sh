#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# xp_writecache (kmod/writecache, the xpcache device-mapper target) against
# Debian's kernels, for each series: build the module with kmod/build.sh,
# then boot guests with a virtio-blk origin and a cache: another virtio-blk
# disk (mode s) or an NFIT NVDIMM with an fsdax namespace (mode p, DAX):
#
#   writecache_basic     (both modes) bad tables refused with the argument named,
#                        a smaller block_size on a formatted cache refused; fio
#                        verify=crc32c through the cache while writeback
#                        runs; status counters; the flush and cleaner
#                        messages; suspend/resume, reload and remove/create
#                        keeping cached blocks; overwrite and discard; the
#                        removal sequence; fio --verify_only on the origin
#   writecache_recovery  a torn record is dropped as a whole with what
#                        follows, and stays dropped when its torn block is
#                        whole again (activation records); an intact old
#                        record never chains after a new one; a damaged header
#   writecache_stable    ext4's page-cache writes go out uncopied (stable
#                        writes), O_DIRECT ones are copied; a crash after an
#                        fsync: recovery checks the uncopied records' data
#   writecache_errors    dm-error under the cache or the origin: the error
#                        state, EIO for writes, no cached block lost; with
#                        dm-delay under the cache, a cleaner-mode discard and
#                        write while writeback copies the block
#   writecache_crash_*   (both modes) boot 1 writes with fio and powers off
#                        with the target live; boot 2 recovers, fio verifies
#   writecache_underio   suspend/resume, reload and flush while fio
#                        verifies, two vCPUs
#   writecache_fua       dm-log-writes under the origin: writeback sends
#                        plain writes and a FLUSH under nofua, FUA writes
#                        and no FLUSH under fua; either way the log up to
#                        its last FLUSH/FUA holds the data
#   writecache_recovery, writecache_stable, writecache_errors,
#   writecache_underio and writecache_fua run in mode s.
#
#   XP_WC_MODES  modes to test (default "s p")
#
# Every CHECK line of a guest becomes a check here; each guest must also
# exit 0 after its DONE line.
set -uo pipefail

# shellcheck source=tests/vm/lib/testvm.sh
source "$(dirname "$0")/lib/testvm.sh"

vm_require test_writecache

TMP=$(mktemp -d)
on_exit rm -rf "$TMP"
# Cache modes to test: s (a second virtio-blk disk), p (an NVDIMM, DAX).
MODES=${XP_WC_MODES:-s p}

# show LOG STATUS: the guest's log, indented (all of it after a failure).
show() {
	if (($2)); then
		grep -v '^\[[^]]*\] \[ *[0-9.]*\] device-mapper:' "$1" | sed 's/^/    | /'
	else
		vm_output "$1" | grep -E '^(---|.*(WRITE|READ):)' | sed 's/^/    | /'
	fi
}

# guest WHAT SCRIPT SECONDS BINS MODE XPVM-ARGS...: run guest/SCRIPT.sh on
# KVER with the cache in MODE (s or p); each of its CHECK lines is a check,
# and it must exit 0 after its DONE line.
guest() {
	local what=$1 script=$2 secs=$3 bins=$4 mode=$5 t0 rc=0 log
	shift 5
	log=$TMP/$script.log
	t0=$EPOCHREALTIME
	"$XPVM" run -k "$KVER" -m "$VM_WC_MODULES" -b "$bins" --kmod --name "wc-$SERIES-$mode" -t "$secs" \
		-f "$XPVM_GUEST/writecache_lib.sh" -e "XP_WC_MODE=$mode" "$@" \
		"$XPVM_GUEST/$script.sh" >"$log" 2>&1 || rc=$?
	show "$log" "$rc"
	vm_guest_checks "writecache $KVER $mode" "$log"
	vm_output "$log" | sed -n 's/^FAIL: /guest failed: /p' | while read -r text; do note "$text"; done
	check "writecache $KVER $mode: $what: guest finished and passed ($(vm_secs "$t0") s, status $rc)" \
		vm_guest_finished "$rc" "$log" "$script"
}

# cache MODE IMG [SIZE]: CACHE set to the xpvm options that give the guest
# its cache for MODE, backed by IMG (SIZE: make it that big).
cache() {
	local opt=--disk size=${3:+:$3}
	[[ $1 == p ]] && opt=--nvdimm
	CACHE=("$opt" "$2$size")
}

writecache_series() {
	local mode
	SERIES=$1
	vm_kernel "$SERIES" || return
	KVER=$VM_KVER
	vm_kmod_build "$KVER" xp_writecache || return

	for mode in $MODES; do
		rm -f "$TMP"/*.img
		# 48 MiB of cache: the fsdax namespace of a 64 MiB NVDIMM.
		cache "$mode" "$TMP/cache.img" "$([[ $mode == p ]] && echo 64M || echo 48M)"
		guest "basic" writecache_basic 300 "dmsetup fio ndctl" "$mode" \
			--disk "$TMP/origin.img:192M" "${CACHE[@]}"
		rm -f "$TMP"/*.img
		cache "$mode" "$TMP/cache.img" 64M
		guest "crash, boot 1" writecache_crash_write 200 "dmsetup fio ndctl" "$mode" \
			--disk "$TMP/origin.img:128M" "${CACHE[@]}"
		cache "$mode" "$TMP/cache.img"
		guest "crash, boot 2" writecache_crash_check 200 "dmsetup fio ndctl" "$mode" \
			--disk "$TMP/origin.img" "${CACHE[@]}"
	done
	rm -f "$TMP"/*.img
	guest "recovery" writecache_recovery 120 dmsetup s \
		--disk "$TMP/origin.img:64M" --disk "$TMP/cache.img:16M"
	rm -f "$TMP"/*.img
	guest "stable pages" writecache_stable 120 "dmsetup mkfs.ext4" s -m ext4 \
		--disk "$TMP/origin.img:64M" --disk "$TMP/cache.img:48M"
	rm -f "$TMP"/*.img
	guest "errors" writecache_errors 120 dmsetup s -m dm_delay \
		--disk "$TMP/origin.img:64M" --disk "$TMP/cache.img:16M"
	rm -f "$TMP"/*.img
	guest "fua and nofua" writecache_fua 150 dmsetup s -m dm_log_writes -f "$LWR" \
		--disk "$TMP/origin.img:64M" --disk "$TMP/cache.img:16M" \
		--disk "$TMP/log.img:64M" --disk "$TMP/replay.img:64M"
	rm -f "$TMP"/*.img
	guest "under I/O" writecache_underio 200 "dmsetup fio" s --smp 2 \
		--disk "$TMP/origin.img:128M" --disk "$TMP/cache.img:24M"
	rm -f "$TMP"/*.img
}

# lw_replay (tests/vm/tools) reads the origin's log in writecache_fua.
LWR=$TMP/lw_replay
vm_tool_build lw_replay "$LWR" || { summary; exit 1; }

for s in $XP_VM_SERIES; do
	writecache_series "$s"
done
summary
