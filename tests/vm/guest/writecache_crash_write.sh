# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
#
# Guest side of test_writecache, boot 1 of 2: fio writes through the xpcache
# target (origin /dev/vda, cache /dev/vdb or in pmem mode /dev/pmem0, see
# writecache_lib.sh) while writeback runs, then the
# guest powers off with the target still live: no suspend, no final flush,
# no writeback to the end, the module still loaded. Boot 2
# (writecache_crash_check.sh) recovers from what is on the disks.

# shellcheck source=tests/vm/guest/writecache_lib.sh
. /xp/files/writecache_lib.sh
wc_pmem_namespace
wc_devices
osz=$(cat /sys/block/vda/size)

xp_run insmod "$WC_KO"
dd if=/dev/zero of=$C bs=4096 count=2 oflag=direct 2>/dev/null
xp_run dmsetup create wc --table "0 $osz xpcache $MODE $O $C 4096 4 high_watermark 40 low_watermark 20"
fio --name=crash --filename=/dev/mapper/wc --rw=randwrite --size=64m --ioengine=libaio \
	--direct=1 --iodepth=8 --bsrange=4k-64k --verify=crc32c --do_verify=0 >/tmp/fio.log 2>&1 ||
	{ cat /tmp/fio.log; xp_fail "fio randwrite failed"; }
grep -E "err=|WRITE:" /tmp/fio.log
dmsetup status wc
[ "$(dmsetup status wc | awk '{ print $4 }')" = 0 ] || xp_fail "target in the error state"
[ "$(dmsetup status wc | awk '{ print $13 }')" -gt 0 ] || xp_fail "nothing dirty: the crash would test nothing"
xp_ok "boot 1: fio wrote 64 MiB, $(dmsetup status wc | awk '{ print $13 }') blocks still only in the cache"
# The target stays live; init powers the guest off.
xp_done writecache_crash_write
