# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
#
# Guest side of test_writecache: writes from stable pages (docs/writecache.md,
# section 3) on two fresh virtio-blk disks, /dev/vda the origin and /dev/vdb
# the cache, in mode s, with ext4 on the target.
#
# In SSD mode the target asks for stable writes, so ext4 leaves a page alone
# while it is under writeback and xpcache checksums and sends it without a
# copy; O_DIRECT buffers may change in flight and are copied. Checked:
#   - the queue says stable_writes 1;
#   - a file written through ext4 and synced goes out uncopied (the status
#     field stable_blocks counts at least its blocks);
#   - O_DIRECT writes are copied (stable_blocks does not move);
#   - a crash right after the file's fsync (the cache device as it was
#     then, put back after the target is gone): recovery checks the data
#     of every record since the last claim, the file's among them, keeps
#     them all, and the file reads back whole. ext4 has no journal here:
#     a journal commit is a FUA record whose header would claim the file,
#     and a claimed record's data is not checked.
# Checks go to the host as CHECK lines (xp_ok, xp_done in lib.sh).

# shellcheck source=tests/vm/guest/writecache_lib.sh
. /xp/files/writecache_lib.sh
wc_devices
osz=$(cat /sys/block/vda/size)
T="0 $osz xpcache s $O $C 4096 0"
M=/tmp/mnt

# recovered: "N records, ... data of the last K checked" of the last
# activation in the kernel log.
recovered() { dmesg | grep -o '[0-9]* records, .*data of the last [0-9]* checked' | tail -n 1; }

xp_run insmod "$WC_KO"
dd if=/dev/zero of=$C bs=4096 count=2 oflag=direct 2>/dev/null
xp_run dmsetup create wc --table "$T"
q=$(grep -lx wc /sys/block/dm-*/dm/name | sed 's|/dm/name$|/queue|')
xp_check "the target's queue asks for stable writes" [ "$(cat "$q/stable_writes")" = 1 ]
dd if=/dev/urandom of=/tmp/f bs=4096 count=96 2>/dev/null

xp_step "O_DIRECT writes"
s0=$(wc_field 16)
dd if=/tmp/f of=/dev/mapper/wc bs=64k count=4 oflag=direct 2>/dev/null ||
	xp_fail "O_DIRECT write to the target"
xp_check "O_DIRECT writes were copied (stable_blocks $s0, then $(wc_field 16))" \
	[ "$(wc_field 16)" = "$s0" ]

xp_step "ext4 without a journal on the target"
xp_run mkfs.ext4 -q -F -b 4096 -O ^has_journal -E lazy_itable_init=0 /dev/mapper/wc
mkdir -p $M
xp_run mount -t ext4 /dev/mapper/wc $M
# A new instance's activation record claims everything before it.
{ dmsetup suspend wc && dmsetup reload wc --table "$T" && dmsetup resume wc; } ||
	xp_fail "reloading the table under ext4"
r0=$(recovered)
echo "reload: $r0"

xp_step "a file through the page cache"
# Its fsync writes data, then inode and directory, then flushes: a record
# written after the flush would claim the file, so nothing may follow it
# (no periodic writeback of the rest).
sync
echo 0 >/proc/sys/vm/dirty_writeback_centisecs
s1=$(wc_field 16)
dd if=/tmp/f of=$M/f bs=64k conv=fsync 2>/dev/null || xp_fail "writing the file"
s2=$(wc_field 16)
records=$(wc_field 12)
xp_check "the file's 96 blocks went to the cache uncopied (stable_blocks $s1, then $s2)" \
	[ $((s2 - s1)) -ge 96 ]
# The crash: the cache device as it is now.
xp_run dd if=$C of=/tmp/cache.img bs=1M iflag=direct
umount $M || xp_fail "umount"
xp_run dmsetup remove wc
xp_run dd if=/tmp/cache.img of=$C bs=1M oflag=direct
rm -f /tmp/cache.img

xp_step "recovery checks the uncopied records"
xp_run dmsetup create wc --table "$T"
r1=$(recovered)
echo "recovery: $r1"
checked=$(echo "$r1" | sed -n 's/.*data of the last \([0-9]*\) checked/\1/p')
xp_check "recovery checked the file's records (the data of the last ${checked:-no} blocks)" \
	[ "${checked:-0}" -ge 96 ]
xp_check "recovery kept every record (${r1%% records*}: ${r0%% records*} at the reload, $records since)" \
	[ "${r1%% records*}" = $((${r0%% records*} + records)) ]
xp_run mount -t ext4 -o ro /dev/mapper/wc $M
xp_check "the file reads back whole" cmp -s /tmp/f $M/f
umount $M
xp_run dmsetup remove wc
xp_done writecache_stable
