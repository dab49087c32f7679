# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
#
# Guest side of test_writecache: I/O errors. The origin (/dev/vda) and the
# cache (/dev/vdb) sit under dm-linear devices whose tables are swapped for
# dm-error to inject failures:
#   - a failed cache write puts the target in the error state: the write
#     fails with EIO, later writes fail at once, `flush` fails, the status
#     shows -5, reads of uncached blocks still work;
#   - a reloaded table (a new instance) recovers what was written before
#     the error, and the failed write is not there;
#   - a failed origin write during writeback puts the target in the error
#     state without losing the cached blocks: after a reload they are still
#     cached and `flush` writes them to the origin;
#   - in cleaner mode, a discard and a write that goes to the origin while
#     a writeback copy of the same block is still reading the cache: the
#     write is what the origin keeps (dm-delay slows the cache's reads).
# Checks go to the host as CHECK lines (xp_ok, xp_done in lib.sh).

ko=${XP_WC_KO:-/xp/kmod/xp_writecache.ko}
BS=4096
osz=$(cat /sys/block/vda/size)
csz=$(cat /sys/block/vdb/size)
O=/dev/mapper/xpo
C=/dev/mapper/xpc
TABLE="0 $osz xpcache s $O $C $BS 0"

wc_field() { dmsetup status wc | awk -v n="$1" '{ print $(3 + n) }'; }
# shellcheck disable=SC2317 # called through xp_retry
wb_busy() { [ "$(wc_field 4)" != 0 ]; }
# shellcheck disable=SC2317
wb_idle() { [ "$(wc_field 4)" = 0 ] && [ "$(wc_field 10)" = 0 ]; }

# swap DEV TABLE: replace DEV's table (dm-linear or dm-error).
swap() {
	xp_run dmsetup reload "$1" --table "$2"
	xp_run dmsetup resume "$1"
}

# put FILE BLOCK: O_DIRECT write of FILE at BLOCK of the target.
put() { dd if="$1" of=/dev/mapper/wc bs=$BS seek="$2" oflag=direct 2>/dev/null; }

# has FILE DEV BLOCK WHAT
has() {
	dd if="$2" of=/tmp/back bs=$BS skip="$3" count=$(($(wc -c <"$1") / BS)) iflag=direct 2>/dev/null
	cmp -s "$1" /tmp/back || xp_fail "$4: $2 does not hold $1 at block $3"
}

# reactivate: a new instance of the same table.
reactivate() {
	xp_run dmsetup suspend wc
	xp_run dmsetup reload wc --table "$TABLE"
	xp_run dmsetup resume wc
}

xp_run insmod "$ko"
dd if=/dev/zero of=/dev/vdb bs=$BS count=2 oflag=direct 2>/dev/null
for f in a b c d; do
	dd if=/dev/urandom of=/tmp/$f bs=$BS count=64 2>/dev/null
done
dd if=/dev/zero of=/tmp/zero bs=$BS count=64 2>/dev/null
xp_run dmsetup create xpo --table "0 $osz linear /dev/vda 0"
xp_run dmsetup create xpc --table "0 $csz linear /dev/vdb 0"
xp_run dmsetup create wc --table "$TABLE"

xp_step "cache write error"
put /tmp/a 1000 || xp_fail "writing a"
swap xpc "0 $csz error"
put /tmp/b 2000 && xp_fail "a write to a failing cache succeeded"
[ "$(wc_field 1)" = -5 ] || xp_fail "status error is $(wc_field 1) after a cache write error"
xp_ok "a failed cache write fails with EIO and the status shows error -5"
swap xpc "0 $csz linear /dev/vdb 0"
put /tmp/c 3000 && xp_fail "a write in the error state succeeded"
dmsetup message wc 0 flush 2>/dev/null && xp_fail "flush succeeded in the error state"
[ "$(wc_field 1)" = -5 ] || xp_fail "the error state did not stay"
xp_ok "in the error state later writes fail, flush fails, the error stays"
has /tmp/zero /dev/mapper/wc 10000 "uncached read in the error state"
xp_ok "in the error state uncached blocks still read from the origin"

xp_step "a reload recovers what was written before the error"
reactivate
[ "$(wc_field 1)" = 0 ] || xp_fail "the new instance starts in the error state"
has /tmp/a /dev/mapper/wc 1000 "after reload"
has /tmp/zero /dev/mapper/wc 2000 "the failed write after reload"
has /tmp/zero /dev/mapper/wc 3000 "the refused write after reload"
[ "$(wc_field 10)" = 64 ] || xp_fail "after reload $(wc_field 10) blocks are cached, expected 64"
xp_ok "a new instance recovers the 64 blocks written before the error, nothing of the failed writes"

xp_step "origin write error during writeback"
put /tmp/d 4000 || xp_fail "writing d"
swap xpo "0 $osz error"
dmsetup message wc 0 flush 2>/dev/null && xp_fail "flush succeeded with a failing origin"
[ "$(wc_field 1)" = -5 ] || xp_fail "status error is $(wc_field 1) after an origin write error"
xp_ok "a failed writeback copy puts the target in the error state, flush fails"
swap xpo "0 $osz linear /dev/vda 0"
reactivate
[ "$(wc_field 10)" = 128 ] || xp_fail "after reload $(wc_field 10) blocks are cached, expected 128"
has /tmp/d /dev/mapper/wc 4000 "d after the origin error"
xp_run dmsetup message wc 0 flush
[ "$(wc_field 10)" = 0 ] || xp_fail "dirty after flush"
has /tmp/a /dev/vda 1000 "a on the origin"
has /tmp/d /dev/vda 4000 "d on the origin"
xp_ok "the cached blocks survive the origin error; after a reload flush writes them back"

xp_step "cleaner: discard, then a write, while writeback copies the block"
# Reads from the cache take 1.5 s, so the writeback copy of e is still
# reading when the discard and the pass-through write of f complete; the
# copy must not land on the origin after f.
dd if=/dev/urandom of=/tmp/e bs=$BS count=8 2>/dev/null
dd if=/dev/urandom of=/tmp/f bs=$BS count=8 2>/dev/null
put /tmp/e 5000 || xp_fail "writing e"
swap xpc "0 $csz delay /dev/vdb 0 1500 /dev/vdb 0 0"
xp_run dmsetup message wc 0 cleaner
xp_retry 50 0.1 wb_busy ||
	xp_fail "writeback of e did not start"
xp_run blkdiscard -o $((5000 * BS)) -l $((8 * BS)) /dev/mapper/wc
put /tmp/f 5000 || xp_fail "writing f"
[ "$(wc_field 10)" = 0 ] || xp_fail "f was cached in cleaner mode"
dd if=/dev/null of=/dev/mapper/wc conv=fsync 2>/dev/null
xp_retry 100 0.1 wb_idle ||
	xp_fail "writeback did not end"
has /tmp/f /dev/vda 5000 "f after the writeback of e"
has /tmp/f /dev/mapper/wc 5000 "f after the writeback of e"
swap xpc "0 $csz linear /dev/vdb 0"
xp_ok "cleaner: a write after a discard is not overwritten by a writeback copy of the old data"
xp_run dmsetup remove wc
xp_run dmsetup remove xpc
xp_run dmsetup remove xpo
xp_run rmmod xp_writecache
xp_done writecache_errors
exit 0
