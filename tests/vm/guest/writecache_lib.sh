# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
#
# Shared by the writecache_*.sh guest scripts that run in both modes
# (shipped with -f, sourced from /xp/files/writecache_lib.sh):
#   XP_WC_KO    the module (default /xp/kmod/xp_writecache.ko)
#   XP_WC_MODE  s (default: the cache is /dev/vdb) or p (the cache is
#               /dev/pmem0, an fsdax namespace on the NVDIMM)

# shellcheck disable=SC2034 # used by the scripts that source this file
WC_KO=${XP_WC_KO:-/xp/kmod/xp_writecache.ko}
MODE=${XP_WC_MODE:-s}
O=/dev/vda
C=/dev/vdb
[ "$MODE" = p ] && C=/dev/pmem0

# wc_field N [DEV]: field N of the target's status (1 = error, see
# docs/writecache.md: 2 total 3 free 4 writeback 5 read_hits 6 read_misses
# 7 write_hits 8 write_misses 9 flushes 10 dirty 11 discards 12 records
# 13 cache_flushes 14 cleaner 15 writes_around 16 stable_blocks).
wc_field() { dmsetup status "${2:-wc}" | awk -v n="$1" '{ print $(3 + n) }'; }

# wc_pmem_namespace: in pmem mode, a 48 MiB fsdax namespace on region0.
# Labels first: a label-less region cannot be cut to an aligned size.
wc_pmem_namespace() {
	[ "$MODE" = p ] || return 0
	xp_step "fsdax namespace on the NVDIMM"
	xp_run ndctl disable-region all
	xp_run ndctl init-labels -f all
	xp_run ndctl enable-region all
	xp_run ndctl create-namespace -r region0 -m fsdax -M mem -s 48M
}

# wc_devices: the origin and the cache of this mode are there.
wc_devices() {
	if [ ! -b $O ] || [ ! -b $C ]; then
		xp_fail "needs an origin /dev/vda and a cache $C"
	fi
}
