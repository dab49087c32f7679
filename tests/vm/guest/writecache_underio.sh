# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
#
# Guest side of test_writecache: suspend/resume, table reloads and the flush
# message while fio writes and verifies through the xpcache target (two
# jobs, iodepth 16, each region written twice so blocks are overwritten in
# the cache; a small cache and low watermarks keep writeback busy). Run
# with two vCPUs. fio's verification must pass and the target must stay out
# of the error state.

# shellcheck source=tests/vm/guest/writecache_lib.sh
. /xp/files/writecache_lib.sh
wc_pmem_namespace
wc_devices
osz=$(cat /sys/block/vda/size)
T="0 $osz xpcache $MODE $O $C 4096 4 high_watermark 30 low_watermark 10"

xp_run insmod "$WC_KO"
dd if=/dev/zero of=$C bs=4096 count=2 oflag=direct 2>/dev/null
xp_run dmsetup create wc --table "$T"
fio --name=underio --filename=/dev/mapper/wc --rw=randwrite --bsrange=4k-64k --iodepth=16 \
	--ioengine=libaio --direct=1 --size=48m --numjobs=2 --offset_increment=48m --loops=2 \
	--verify=crc32c --verify_fatal=1 >/tmp/fio.log 2>&1 &
fio=$!
n=0
while kill -0 $fio 2>/dev/null; do
	n=$((n + 1))
	case $((n % 4)) in
	0) { dmsetup suspend wc && dmsetup resume wc; } || xp_fail "suspend/resume under I/O" ;;
	1) { dmsetup reload wc --table "$T" && dmsetup suspend wc && dmsetup resume wc; } ||
		xp_fail "reload under I/O" ;;
	2) dmsetup message wc 0 flush || xp_fail "flush message under I/O" ;;
	3) sleep 0.3 ;;
	esac
done
rc=0
wait $fio || rc=$?
grep -E "err=|WRITE:|READ:" /tmp/fio.log
[ $rc = 0 ] || { tail -n 20 /tmp/fio.log; xp_fail "fio failed or did not verify (status $rc)"; }
[ "$(wc_field 1)" = 0 ] || xp_fail "target in the error state"
[ $n -ge 8 ] || xp_fail "only $n operations ran during fio"
xp_ok "fio verify passes through $n suspend/resume, reload and flush operations under I/O"
xp_run dmsetup message wc 0 flush
xp_run dmsetup remove wc
xp_run rmmod xp_writecache
xp_done writecache_underio
exit 0
