# SPDX-License-Identifier: GPL-2.0
#
# Guest side of test_devices: the optional devices of the bed work with the
# Debian tools in the image.
#   - an NFIT NVDIMM with a 128 KiB label area: ndctl sees the DIMM, reads
#     its labels, and /dev/pmem0 takes I/O;
#   - a virtio-blk disk (/dev/vda): dmsetup builds a linear target on it;
#   - fio (when the image has it) runs a short verified job on /dev/pmem0.

xp_step "NVDIMM"
xp_run ndctl list -D -R -N
ndctl list -D | grep -q '"dev":"nmem0"' || xp_fail "ndctl sees no nmem0"
xp_run ndctl read-labels nmem0 -o /tmp/labels.bin
size=$(wc -c </tmp/labels.bin)
echo "label area of nmem0: $size bytes"
[ "$size" -eq 131072 ] || xp_fail "label area is $size bytes, qemu was given 128 KiB"
[ -b /dev/pmem0 ] || xp_fail "no /dev/pmem0"
xp_run dd if=/dev/urandom of=/tmp/blk bs=4096 count=16
xp_run dd if=/tmp/blk of=/dev/pmem0 bs=4096 count=16 conv=fsync
dd if=/dev/pmem0 of=/tmp/back bs=4096 count=16 2>/dev/null
cmp /tmp/blk /tmp/back || xp_fail "/dev/pmem0 read back differs"

xp_step "virtio-blk and device-mapper"
[ -b /dev/vda ] || xp_fail "no /dev/vda"
sectors=$(cat /sys/block/vda/size)
echo "vda: $sectors sectors"
xp_run dmsetup create xplin --table "0 $sectors linear /dev/vda 0"
xp_run dmsetup table xplin
dd if=/tmp/blk of=/dev/mapper/xplin bs=4096 count=16 conv=fsync 2>/dev/null
dd if=/dev/vda of=/tmp/back bs=4096 count=16 2>/dev/null
cmp /tmp/blk /tmp/back || xp_fail "data written through dm-linear differs on vda"
xp_run dmsetup remove xplin

if command -v fio >/dev/null; then
	xp_step "fio on /dev/pmem0"
	xp_run fio --name=xp --filename=/dev/pmem0 --rw=randwrite --bs=4k --size=4m \
		--verify=crc32c --ioengine=psync --direct=1 --output-format=terse --minimal
fi
exit 0
