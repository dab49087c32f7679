# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
#
# Guest side of test_writecache, boot 2 of 2: the disks of a guest that
# powered off with the xpcache target live (writecache_crash_write.sh).
# Loading the same table recovers the log; fio --verify_only must pass
# through the target, and again on the origin after everything is written
# back.

# shellcheck source=tests/vm/guest/writecache_lib.sh
. /xp/files/writecache_lib.sh
wc_devices
osz=$(cat /sys/block/vda/size)
JOB="--name=crash --rw=randwrite --size=64m --ioengine=libaio --direct=1 --iodepth=8
	--bsrange=4k-64k --verify=crc32c --verify_only"

xp_run insmod "$WC_KO"
dmesg -c >/dev/null
xp_run dmsetup create wc --table "0 $osz xpcache $MODE $O $C 4096 4 high_watermark 40 low_watermark 20"
line=$(dmesg | grep -m1 'xpcache: .* records, ')
echo "${line#*] }"
dirty=$(dmsetup status wc | awk '{ print $13 }')
[ "$dirty" -gt 0 ] || xp_fail "recovery found nothing cached"
xp_ok "boot 2: recovery found $dirty cached blocks (${line#*: })"
# shellcheck disable=SC2086 # the job's options
fio $JOB --filename=/dev/mapper/wc >/tmp/fio.log 2>&1 ||
	{ cat /tmp/fio.log; xp_fail "fio verify_only through the target failed after the crash"; }
xp_ok "boot 2: fio --verify_only passes through the target"
xp_run dmsetup message wc 0 flush
[ "$(dmsetup status wc | awk '{ print $13 }')" = 0 ] || xp_fail "dirty after flush"
[ "$(dmsetup status wc | awk '{ print $4 }')" = 0 ] || xp_fail "target in the error state"
xp_run dmsetup remove wc
# shellcheck disable=SC2086
fio $JOB --filename=$O >/tmp/fio.log 2>&1 ||
	{ cat /tmp/fio.log; xp_fail "fio verify_only on the origin failed"; }
xp_ok "boot 2: after flush, fio --verify_only passes on the origin"
xp_run rmmod xp_writecache
xp_done writecache_crash_check
exit 0
