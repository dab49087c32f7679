# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
#
# Guest side of test_writecache: recovery from the log (docs/writecache.md,
# sections 4 and 8) on two fresh virtio-blk disks, /dev/vda the origin
# (zeros) and /dev/vdb the cache.
#
# Three writes of 8 blocks make three records R1, R2, R3 at known places
# (headers at cache blocks 2, 11 and 20). Then, with the target removed:
#   - one data block of R2 is damaged (a torn record): recovery keeps R1
#     and drops R2 as a whole, and R3 after it although R3 is intact;
#   - a new write R2' of the same size lands where R2 was, so the old,
#     intact R3 follows it on the device: recovery must not chain R3 after
#     R2' (new activations start at the superblock's seq_limit);
#   - a damaged header drops its record the same way.
# Each check that passes prints "ok: ...".

ko=${XP_WC_KO:-/xp/kmod/xp_writecache.ko}
O=/dev/vda
C=/dev/vdb
BS=4096

if [ ! -b $O ] || [ ! -b $C ]; then
	xp_fail "needs two disks (/dev/vda origin, /dev/vdb cache)"
fi
osz=$(cat /sys/block/vda/size)
TABLE="0 $osz xpcache s $O $C $BS 0"

wc_field() { dmsetup status wc | awk -v n="$1" '{ print $(3 + n) }'; }

# read_to DEV BLOCK FILE: 8 blocks.
read_to() { dd if="$1" of="$3" bs=$BS skip="$2" count=8 iflag=direct 2>/dev/null; }

# has FILE BLOCK WHAT: the target holds FILE's 8 blocks at BLOCK.
has() {
	read_to /dev/mapper/wc "$2" /tmp/back
	cmp -s "$1" /tmp/back || xp_fail "$3: blocks $2.. do not hold $1"
}

# record WHAT: one 8-block write (one bio, one record).
record() { dd if="$1" of=/dev/mapper/wc bs=$((8 * BS)) seek="$(($2 / 8))" count=1 oflag=direct 2>/dev/null ||
	xp_fail "writing $1 at block $2"; }

# header_at N: cache block N starts with the record magic "xpcr".
header_at() { [ "$(dd if=$C bs=$BS skip="$1" count=1 iflag=direct 2>/dev/null | head -c 4)" = xpcr ]; }

# damage N: random bytes over cache block N.
damage() { dd if=/dev/urandom of=$C bs=$BS seek="$1" count=1 oflag=direct conv=notrunc 2>/dev/null; }

# activate RECORDS BLOCKS: create the target; its recovery found that many.
activate() {
	dmesg -c >/dev/null
	xp_run dmsetup create wc --table "$TABLE"
	_line=$(dmesg | grep -m1 'xpcache: .* records, ')
	echo "${_line#*] }"
	echo "$_line" | grep -q ": $1 records, $2 cached blocks" ||
		xp_fail "recovery found '${_line#*: }', expected $1 records and $2 cached blocks"
	[ "$(wc_field 10)" = "$2" ] || xp_fail "status shows $(wc_field 10) dirty blocks, expected $2"
}

xp_run insmod "$ko"
dd if=/dev/zero of=$C bs=$BS count=2 oflag=direct 2>/dev/null
dd if=/dev/zero of=/tmp/zero bs=$BS count=8 2>/dev/null
for f in a b c b2 d; do
	dd if=/dev/urandom of=/tmp/$f bs=$BS count=8 2>/dev/null
done

xp_step "three records"
xp_run dmsetup create wc --table "$TABLE"
record /tmp/a 1000
record /tmp/b 2000
record /tmp/c 3000
[ "$(wc_field 12)" = 3 ] || xp_fail "3 writes made $(wc_field 12) records"
xp_run dmsetup remove wc
for n in 2 11 20; do
	header_at $n || xp_fail "no record header at cache block $n"
done
echo "ok: three 8-block writes are three records with headers at cache blocks 2, 11, 20"
activate 3 24
has /tmp/a 1000 "all intact"
has /tmp/b 2000 "all intact"
has /tmp/c 3000 "all intact"
xp_run dmsetup remove wc
echo "ok: recovery finds all three records"

xp_step "a torn record is dropped as a whole, with what follows"
damage 12
activate 1 8
has /tmp/a 1000 "torn R2"
has /tmp/zero 2000 "torn R2: its blocks come from the origin"
has /tmp/zero 3000 "torn R2: R3 after it is dropped"
echo "ok: a damaged data block drops its record and the records after it"

xp_step "an intact old record does not follow a new one"
record /tmp/b2 2000
xp_run dmsetup remove wc
if ! header_at 11 || ! header_at 20; then
	xp_fail "R2' is not at block 11 or the old R3 is gone from block 20"
fi
activate 2 16
has /tmp/a 1000 "after R2'"
has /tmp/b2 2000 "after R2'"
has /tmp/zero 3000 "old R3 after R2'"
echo "ok: the old intact R3 after the new R2' is not recovered"

xp_step "a damaged header"
record /tmp/d 4000
xp_run dmsetup remove wc
dd if=$C of=/tmp/hdr bs=$BS skip=20 count=1 iflag=direct 2>/dev/null
header_at 20 || xp_fail "the new record is not at block 20"
cp /tmp/hdr /tmp/bad
printf 'X' | dd of=/tmp/bad bs=1 seek=100 conv=notrunc 2>/dev/null
cmp -s /tmp/hdr /tmp/bad && xp_fail "could not damage the header copy"
dd if=/tmp/bad of=$C bs=$BS seek=20 conv=notrunc oflag=direct 2>/dev/null
activate 2 16
has /tmp/zero 4000 "damaged header"
xp_run dmsetup remove wc
dd if=/tmp/hdr of=$C bs=$BS seek=20 conv=notrunc oflag=direct 2>/dev/null
activate 3 24
has /tmp/d 4000 "header repaired"
echo "ok: a damaged header drops its record; repaired, the record is back"

xp_step "write back and check the origin"
xp_run dmsetup message wc 0 flush
[ "$(wc_field 10)" = 0 ] || xp_fail "dirty after flush"
xp_run dmsetup remove wc
for p in a:1000 b2:2000 zero:3000 d:4000; do
	read_to $O "${p#*:}" /tmp/back
	cmp -s "/tmp/${p%%:*}" /tmp/back || xp_fail "origin blocks ${p#*:} do not hold ${p%%:*}"
done
echo "ok: after flush the origin holds exactly the recovered data"
xp_run rmmod xp_writecache
dmesg | grep -E "WARNING|BUG|error state" && xp_fail "kernel log has warnings or an xpcache error"
echo "DONE writecache_recovery"
exit 0
