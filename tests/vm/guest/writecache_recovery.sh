# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
#
# Guest side of test_writecache: recovery from the log (docs/writecache.md,
# sections 4 and 8) on two fresh virtio-blk disks, /dev/vda the origin
# (zeros) and /dev/vdb the cache.
#
# Every activation first writes a one-block activation record at the head
# of the recovered log. Three writes of 8 blocks then make three records
# R1, R2, R3 at known places (the format's activation record at cache
# block 2, then headers at 3, 12 and 21). With the target removed:
#   - one data block of R2 is damaged (a torn record): recovery keeps R1
#     and drops R2 as a whole, and R3 after it although R3 is intact; its
#     activation record overwrites R2's header at block 12;
#   - the damaged block is restored (as a later record's data could do
#     after a crash): R2 stays lost, since its header is gone and nothing
#     names it as predecessor;
#   - a new write R2' ending where R2 ended, so the old, intact R3 follows
#     it on the device: recovery must not chain R3 after R2' (new
#     activations start at the superblock's seq_limit);
#   - a damaged header drops its record the same way;
#   - a FLUSH after 300 blocks writes a checkpoint, and recovery then reads
#     none of their data.
# Checks go to the host as CHECK lines (xp_ok, xp_done in lib.sh).

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

# read_to DEV BLOCK FILE [COUNT]: COUNT blocks (default 8).
read_to() { dd if="$1" of="$3" bs=$BS skip="$2" count="${4:-8}" iflag=direct 2>/dev/null; }

# has FILE BLOCK WHAT: the target holds FILE's blocks at BLOCK.
has() {
	read_to /dev/mapper/wc "$2" /tmp/back $(($(wc -c <"$1") / BS))
	cmp -s "$1" /tmp/back || xp_fail "$3: blocks $2.. do not hold $1"
}

# record FILE BLOCK: one write of FILE (one bio, one record).
record() { dd if="$1" of=/dev/mapper/wc bs="$(wc -c <"$1")" seek="$(($2 * BS / $(wc -c <"$1")))" \
	count=1 oflag=direct 2>/dev/null || xp_fail "writing $1 at block $2"; }

# header_at N [TYPE]: cache block N starts with the record magic "xpcr"
# (and is a record of TYPE: 1 data, 3 activation).
header_at() {
	dd if=$C of=/tmp/h bs=$BS skip="$1" count=1 iflag=direct 2>/dev/null
	[ "$(head -c 4 /tmp/h)" = xpcr ] || return 1
	[ -z "${2:-}" ] || [ "$(od -An -tu1 -j6 -N1 /tmp/h | tr -d ' ')" = "$2" ]
}

# record_of OBLOCK: the cache block of the data record whose first block
# is origin block OBLOCK (the first of the log's first 200 blocks).
record_of() {
	_n=2
	while [ $_n -lt 200 ]; do
		if header_at $_n 1 && [ "$(od -An -tu8 -j64 -N8 /tmp/h | tr -d ' ')" = "$1" ]; then
			echo $_n
			return 0
		fi
		_n=$((_n + 1))
	done
}

# damage N: random bytes over cache block N (its old content in /tmp/blk.N).
damage() {
	dd if=$C of="/tmp/blk.$1" bs=$BS skip="$1" count=1 iflag=direct 2>/dev/null
	dd if=/dev/urandom of=$C bs=$BS seek="$1" count=1 oflag=direct conv=notrunc 2>/dev/null
}

# save / unsave: the first 200 blocks of the cache device (superblocks and
# the records of this test) to /tmp/pristine, and back. A torn record is
# the end of the log at a crash: it must be damaged before a recovery
# accepts it, since the activation record that recovery writes says that
# everything before it is durable, and the next recovery reads no data
# before it (docs/writecache.md, section 4).
save() { dd if=$C of=/tmp/pristine bs=$BS count=200 iflag=direct 2>/dev/null; }
unsave() { dd if=/tmp/pristine of=$C bs=$BS count=200 oflag=direct conv=notrunc 2>/dev/null; }

# restore N: put back what damage N overwrote.
restore() { dd if="/tmp/blk.$1" of=$C bs=$BS seek="$1" count=1 oflag=direct conv=notrunc 2>/dev/null; }

# activate RECORDS BLOCKS: create the target; its recovery found that many
# data and discard records and cached blocks.
activate() {
	dmesg -c >/dev/null
	xp_run dmsetup create wc --table "$TABLE"
	_line=$(dmesg | grep -m1 'xpcache: .* records, ')
	echo "${_line#*] }" | tee /tmp/act
	echo "$_line" | grep -q ": $1 records, $2 cached blocks" ||
		xp_fail "recovery found '${_line#*: }', expected $1 records and $2 cached blocks"
	[ "$(wc_field 10)" = "$2" ] || xp_fail "status shows $(wc_field 10) dirty blocks, expected $2"
}

xp_run insmod "$ko"
dd if=/dev/zero of=$C bs=$BS count=2 oflag=direct 2>/dev/null
dd if=/dev/zero of=/tmp/zero bs=$BS count=8 2>/dev/null
for f in a b c d; do
	dd if=/dev/urandom of=/tmp/$f bs=$BS count=8 2>/dev/null
done
dd if=/dev/urandom of=/tmp/b2 bs=$BS count=6 2>/dev/null

xp_step "three records"
xp_run dmsetup create wc --table "$TABLE"
record /tmp/a 1000
record /tmp/b 2000
record /tmp/c 3000
[ "$(wc_field 12)" = 3 ] || xp_fail "3 writes made $(wc_field 12) records"
xp_run dmsetup remove wc
header_at 2 3 || xp_fail "no activation record at cache block 2"
for n in 3 12 21; do
	header_at $n 1 || xp_fail "no data record header at cache block $n"
done
save
xp_ok "an activation record at cache block 2, three 8-block writes are records at blocks 3, 12, 21"
activate 3 24
has /tmp/a 1000 "all intact"
has /tmp/b 2000 "all intact"
has /tmp/c 3000 "all intact"
xp_run dmsetup remove wc
header_at 30 3 || xp_fail "no activation record after R3 at cache block 30"
xp_ok "recovery finds all three records, the next activation record follows them"

xp_step "a torn record is dropped as a whole, with what follows"
unsave
damage 13
activate 1 8
has /tmp/a 1000 "torn R2"
has /tmp/zero 2000 "torn R2: its blocks come from the origin"
has /tmp/zero 3000 "torn R2: R3 after it is dropped"
xp_run dmsetup remove wc
header_at 12 3 || xp_fail "the activation record did not replace R2's header at cache block 12"
xp_ok "a damaged data block drops its record and the records after it"

xp_step "a dropped record stays dropped when its data is whole again"
restore 13
activate 1 8
has /tmp/zero 2000 "R2 with its data restored"
has /tmp/zero 3000 "R3 after R2 with its data restored"
xp_ok "R2 with its damaged block restored is not recovered"

xp_step "an intact old record does not follow a new one"
# Activation records at blocks 12 and 13: R2' (6 data blocks) fills 14..20.
record /tmp/b2 2004
xp_run dmsetup remove wc
if ! header_at 14 1 || ! header_at 21 1; then
	xp_fail "R2' is not at block 14 or the old R3 is gone from block 21"
fi
activate 2 14
has /tmp/a 1000 "after R2'"
has /tmp/b2 2004 "after R2'"
has /tmp/zero 3000 "old R3 after R2'"
xp_ok "the old intact R3 after the new R2' is not recovered"

xp_step "a damaged header"
# Activation record at block 21: the new record's header is at 22.
record /tmp/d 4000
xp_run dmsetup remove wc
dd if=$C of=/tmp/hdr bs=$BS skip=22 count=1 iflag=direct 2>/dev/null
header_at 22 1 || xp_fail "the new record is not at block 22"
cp /tmp/hdr /tmp/bad
printf 'X' | dd of=/tmp/bad bs=1 seek=100 conv=notrunc 2>/dev/null
cmp -s /tmp/hdr /tmp/bad && xp_fail "could not damage the header copy"
dd if=/tmp/bad of=$C bs=$BS seek=22 conv=notrunc oflag=direct 2>/dev/null
activate 2 14
has /tmp/zero 4000 "damaged header"
xp_run dmsetup remove wc
dd if=/tmp/hdr of=$C bs=$BS seek=22 conv=notrunc oflag=direct 2>/dev/null
activate 3 22
has /tmp/d 4000 "header repaired"
xp_ok "a damaged header drops its record; repaired, the record is back"

xp_step "recovery reads no data a later header says was durable"
# E, a FLUSH (fsync), then F: F's header says E was durable when F was
# written, so recovery checks only F's data (format version 2).
record_flushed() { dd if="$1" of=/dev/mapper/wc bs="$(wc -c <"$1")" \
	seek="$(($2 * BS / $(wc -c <"$1")))" count=1 oflag=direct conv=fsync 2>/dev/null ||
	xp_fail "writing $1 at block $2"; }
for f in e f; do
	dd if=/dev/urandom of=/tmp/$f bs=$BS count=8 2>/dev/null
done
record_flushed /tmp/e 5000
record /tmp/f 6000
xp_run dmsetup remove wc
save
he=$(record_of 5000)
hf=$(record_of 6000)
if [ -z "$he" ] || [ -z "$hf" ]; then
	xp_fail "cannot find the records of E and F in the cache"
fi
damage $((he + 1))
activate 5 38
grep -q "data of the last 9 checked" /tmp/act || xp_fail "recovery checked other than F's 9 blocks: $(cat /tmp/act)"
read_to /dev/mapper/wc 5000 /tmp/back 1
cmp -s "/tmp/blk.$((he + 1))" /tmp/back && xp_fail "E's damaged block reads back undamaged"
has /tmp/f 6000 "F after E with a block of E damaged"
xp_run dmsetup remove wc
xp_ok "a damaged block of E, durable before F was written, is not read: E and F recovered, 9 blocks checked"
unsave
damage $((hf + 1))
activate 4 30
has /tmp/e 5000 "E with F torn"
has /tmp/zero 6000 "F torn"
xp_ok "a damaged block of F, the end of the log, drops F"

xp_step "a flush after more than 256 blocks writes a checkpoint"
# G: 300 blocks in one write (three records of 128, 128 and 44), then a
# FLUSH. With no record after it, only a checkpoint (a header-only record
# of the activation type claiming everything before it) can tell recovery
# that G was durable; without one, recovery checks G's CRCs and drops G
# from its damaged block on.
dd if=/dev/urandom of=/tmp/g bs=$BS count=300 2>/dev/null
record_flushed /tmp/g 7200
hg=$(record_of 7200)
[ -n "$hg" ] || xp_fail "cannot find G's first record in the cache"
header_at $((hg + 303)) 3 ||
	xp_fail "no checkpoint (an activation-type header) after G's three records at block $((hg + 303))"
xp_run dmsetup remove wc
damage $((hg + 1))
activate 7 330
grep -q "data of the last 1 checked" /tmp/act ||
	xp_fail "recovery checked more than the checkpoint: $(cat /tmp/act)"
read_to /dev/mapper/wc 7200 /tmp/back 1
cmp -s "/tmp/blk.$((hg + 1))" /tmp/back && xp_fail "G's damaged block reads back undamaged"
xp_run dmsetup remove wc
restore $((hg + 1))
activate 7 330
has /tmp/g 7200 "G, its block restored"
xp_ok "a FLUSH after 300 blocks writes a checkpoint: recovery reads none of G's data"

xp_step "write back and check the origin"
xp_run dmsetup message wc 0 flush
[ "$(wc_field 10)" = 0 ] || xp_fail "dirty after flush"
xp_run dmsetup remove wc
for p in a:1000 b2:2004 zero:3000 d:4000 e:5000 zero:6000 g:7200; do
	read_to $O "${p#*:}" /tmp/back $(($(wc -c <"/tmp/${p%%:*}") / BS))
	cmp -s "/tmp/${p%%:*}" /tmp/back || xp_fail "origin blocks ${p#*:} do not hold ${p%%:*}"
done
xp_ok "after flush the origin holds exactly the recovered data"
xp_run rmmod xp_writecache
dmesg | grep -E "WARNING|BUG|error state" && xp_fail "kernel log has warnings or an xpcache error"
xp_done writecache_recovery
exit 0
