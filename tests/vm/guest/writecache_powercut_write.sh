# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
#
# Guest side of test_wc_powercut, boot 1 of 2: an xpcache target on a fresh
# cache (origin /dev/vda, cache /dev/vdb or in pmem mode /dev/pmem0, see
# writecache_lib.sh) and `fio --server`. The host's fio client runs the
# write job against /dev/mapper/wc; at its trigger our server sends it the
# verify state and the host kills qemu. Meanwhile this script prints the
# target's status twice a second ("WCSTAT <uptime> <dmsetup status>"), so
# the host sees what was dirty when the power went. It never gets to its
# end unless the power cut does not come:
#   XP_PC_WAIT  seconds to wait for it (default 120), then fail

# shellcheck source=tests/vm/guest/writecache_lib.sh
. /xp/files/writecache_lib.sh
wc_pmem_namespace
wc_devices
osz=$(cat /sys/block/vda/size)

xp_run insmod "$WC_KO"
# A fresh cache: no log of an earlier run may be recovered.
xp_run dd if=/dev/zero of=$C bs=4096 count=2 oflag=direct
xp_run dmsetup create wc --table "0 $osz xpcache $MODE $O $C 4096 4 high_watermark 40 low_watermark 20"
dmsetup status wc

xp_step "fio --server: the host's client writes until it cuts the power"
# The server's output on the console, "fio-server:" lines (the power cut
# leaves no chance to print a log afterwards). fio buffers its output on a
# pipe, so this is mostly what it flushed before it ended, and its exit
# status: what the host needs when the server left before the cut.
{
	fio --server 2>&1
	echo "exited, status $?"
} | while IFS= read -r _l; do echo "fio-server: $_l"; done &
n=0
while [ $n -lt $((${XP_PC_WAIT:-120} * 2)) ]; do
	echo "WCSTAT $(xp_now) $(dmsetup status wc)"
	sleep 0.5
	n=$((n + 1))
done
xp_fail "the power was still on after ${XP_PC_WAIT:-120} s"
