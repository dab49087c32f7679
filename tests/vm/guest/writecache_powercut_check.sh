# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
#
# Guest side of test_wc_powercut, boot 2 of 2: the disks of a guest whose
# qemu was killed while fio wrote through the xpcache target
# (writecache_powercut_write.sh). Loading the same table recovers the log;
# then `fio --server` serves the host's verify job, which loads the verify
# state the host saved at the power cut. That job's exec_postrun touches
# /tmp/powercut.verified on its way out; then the target must write
# everything back and be removed cleanly.
#   XP_PC_WAIT              seconds to wait for the host's job (default 240)
#   XP_WC_POWERCUT_BREAK=1  negative control: wipe the cache's superblock
#                           (its first 8 KiB) before the table is loaded,
#                           so the cached data is lost and the host's
#                           verify must fail; recovery must then find a
#                           new cache, nothing dirty

# shellcheck source=tests/vm/guest/writecache_lib.sh
. /xp/files/writecache_lib.sh
wc_devices
osz=$(cat /sys/block/vda/size)
BREAK=${XP_WC_POWERCUT_BREAK:-0}

xp_run insmod "$WC_KO"
if [ "$BREAK" = 1 ]; then
	xp_step "negative control: the cache's superblock wiped (first 8 KiB of $C)"
	xp_run dd if=/dev/zero of=$C bs=4096 count=2 oflag=direct
fi
dmesg -c >/dev/null
xp_run dmsetup create wc --table "0 $osz xpcache $MODE $O $C 4096 4 high_watermark 40 low_watermark 20"
line=$(dmesg | grep -m1 'xpcache: .* records, ')
echo "recovery: ${line#*] }"
echo "WCSTAT $(xp_now) $(dmsetup status wc)"
err=$(wc_field 1)
dirty=$(wc_field 10)
xp_check "recovery: the target is not in the error state (error=$err)" [ "$err" = 0 ]
if [ "$BREAK" = 1 ]; then
	xp_check "negative control: recovery found a new cache, $dirty blocks dirty" [ "$dirty" = 0 ]
else
	xp_check "recovery: $dirty blocks were still only in the cache" [ "$dirty" -gt 0 ]
fi

xp_step "fio --server: the host's client verifies with the saved state"
rm -f /tmp/powercut.verified
fio --server >/tmp/fio-server.log 2>&1 &
server=$!
n=0
while [ ! -e /tmp/powercut.verified ] && [ $n -lt $((${XP_PC_WAIT:-240} * 2)) ]; do
	sleep 0.5
	n=$((n + 1))
done
xp_check "the host's verify job ran and ended" [ -e /tmp/powercut.verified ]
echo "WCSTAT $(xp_now) $(dmsetup status wc)"

xp_step "write everything back, remove the target"
# fio may still hold the device for a moment after its postrun command.
xp_run dmsetup message wc 0 flush
dirty=$(wc_field 10)
err=$(wc_field 1)
[ "$dirty" = 0 ] && [ "$err" = 0 ]
xp_verdict "after flush: nothing dirty ($dirty), no error ($err)"
xp_retry 20 0.5 dmsetup remove wc
xp_verdict "dmsetup remove wc"
xp_run rmmod xp_writecache
kill "$server" 2>/dev/null
xp_done writecache_powercut_check
