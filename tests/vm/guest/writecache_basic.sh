# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
#
# Guest side of test_writecache: the xpcache target (kmod/writecache) with
# a virtio-blk disk /dev/vda as the origin and, in SSD mode (XP_WC_MODE=s,
# the default), a second one /dev/vdb as the cache; in pmem mode
# (XP_WC_MODE=p) the cache is /dev/pmem0, an fsdax namespace on the NVDIMM.
#   - bad tables are refused and the kernel log names the argument; a
#     smaller block_size on a formatted cache is refused, not reformatted;
#   - fio with verify=crc32c (random and sequential writes, 4k..64k blocks,
#     queue depth 8) passes through the cache while writeback runs;
#   - status counts what happened; `flush` writes everything back;
#   - suspend/resume, a table reload and remove/create keep every cached
#     block (the new instance recovers them from the log); an overwrite and
#     a discard survive a reload;
#   - `cleaner` writes everything back and sends new writes to the origin;
#   - the removal sequence (flush_on_suspend, reload as linear) keeps the
#     data, and fio --verify_only passes on the origin itself.
# Checks go to the host as CHECK lines (xp_ok, xp_done in lib.sh).

# shellcheck source=tests/vm/guest/writecache_lib.sh
. /xp/files/writecache_lib.sh
BS=4096

wc_pmem_namespace
wc_devices
osz=$(cat /sys/block/vda/size)
T="0 $osz xpcache"

# shellcheck disable=SC2317 # called through xp_retry
wc_clean() {
	[ "$(wc_field 10)" = 0 ] && [ "$(wc_field 4)" = 0 ] &&
		[ "$(wc_field 3)" = "$(wc_field 2)" ]
}

# wait_clean WHAT: nothing dirty within 120 s.
wait_clean() {
	xp_retry 600 0.2 wc_clean || {
		dmsetup status wc
		xp_fail "$1: still dirty after 120 s"
	}
	xp_ok "$1"
}

# expect_field N VALUE WHAT
expect_field() {
	_v=$(wc_field "$1")
	[ "$_v" = "$2" ] || {
		dmsetup status wc
		xp_fail "$3: status field $1 is $_v, expected $2"
	}
}

zero_cache() { dd if=/dev/zero of=$C bs=4096 count=2 oflag=direct 2>/dev/null; }

# refuse WHAT PATTERN TABLE: dmsetup create fails, the kernel log says PATTERN.
refuse() {
	_what=$1 _pat=$2
	shift 2
	dmesg -c >/dev/null
	if dmsetup create xpbad --table "$*" 2>/dev/null; then
		dmsetup remove xpbad
		xp_fail "bad table accepted ($_what): $*"
	fi
	dmsetup remove xpbad 2>/dev/null
	_line=$(dmesg | grep -m1 "xpcache: .*$_pat")
	[ -n "$_line" ] || {
		dmesg | tail -n 5
		xp_fail "bad table ($_what): no '$_pat' in the kernel log"
	}
	xp_ok "refused $_what: ${_line#*] }"
}

# blocks DEV SKIP COUNT FILE: COUNT blocks of DEV from block SKIP into FILE.
blocks() { dd if="$1" of="$4" bs=$BS skip="$2" count="$3" iflag=direct 2>/dev/null; }

# put FILE DEV SEEK: FILE onto DEV at block SEEK, O_DIRECT.
put() { dd if="$1" of="$2" bs=$BS seek="$3" oflag=direct 2>/dev/null || xp_fail "writing $1 to $2"; }

# same FILE DEV SKIP WHAT: DEV holds FILE at block SKIP.
same() {
	_n=$(($(wc -c <"$1") / BS))
	blocks "$2" "$3" "$_n" /tmp/back
	cmp -s "$1" /tmp/back || xp_fail "$4: data differs"
}

FIO="--ioengine=libaio --direct=1 --iodepth=8 --bsrange=4k-64k --verify=crc32c"
FIO_RAND="--name=rand --rw=randwrite --size=96m"
FIO_SEQ="--name=seq --rw=write --offset=96m --size=64m"
# Blocks from 161 MiB on are for the tests after fio; not right after fio's
# sequential stream, which the sequential cutoff would continue.
P=41216

xp_step "load xp_writecache"
xp_run insmod "$WC_KO"
dmsetup targets | grep -q '^xpcache ' || xp_fail "no xpcache in dmsetup targets"
xp_ok "module loads, target xpcache registered"

xp_step "bad tables"
zero_cache
refuse "mode" "mode 'x'" "$T x $O $C 4096 0"
if [ "$MODE" = s ]; then
	refuse "mode p without DAX" "does not support DAX" "$T p $O $C 4096 0"
fi
refuse "block_size" "block_size '3000'" "$T $MODE $O $C 3000 0"
refuse "block_size above page" "block_size '8192'" "$T $MODE $O $C 8192 0"
refuse "#opt_args" "#opt_args '2'" "$T $MODE $O $C 4096 2 cleaner"
refuse "high_watermark" "high_watermark '120'" "$T $MODE $O $C 4096 2 high_watermark 120"
refuse "low_watermark above high" "low_watermark 60 is above high_watermark 50" \
	"$T $MODE $O $C 4096 4 high_watermark 50 low_watermark 60"
refuse "writeback_jobs" "writeback_jobs '0'" "$T $MODE $O $C 4096 2 writeback_jobs 0"
refuse "autocommit_time" "autocommit_time 'soon'" "$T $MODE $O $C 4096 2 autocommit_time soon"
refuse "max_age without value" "max_age needs a value" "$T $MODE $O $C 4096 1 max_age"
refuse "sequential_cutoff" "sequential_cutoff '-1'" "$T $MODE $O $C 4096 2 sequential_cutoff -1"
refuse "sequential_cutoff without value" "sequential_cutoff needs a value" \
	"$T $MODE $O $C 4096 1 sequential_cutoff"
refuse "unknown option" "unknown optional argument 'fast'" "$T $MODE $O $C 4096 1 fast"
refuse "origin_dev" "origin_dev '/dev/nope'" "$T $MODE /dev/nope $C 4096 0"
refuse "same devices" "origin_dev and cache_dev are both" "$T $MODE $O $O 4096 0"
refuse "length" "not a multiple of block_size" "0 $((osz - 1)) xpcache $MODE $O $C 4096 0"
xp_run dmsetup create xpsmall --table "0 2048 linear $C 16"
refuse "small cache" "is too small" "$T $MODE $O /dev/mapper/xpsmall 4096 0"
xp_run dmsetup remove xpsmall
dd if=/dev/urandom of=$C bs=4096 count=2 oflag=direct 2>/dev/null
refuse "foreign superblock" "no valid xpcache superblock" "$T $MODE $O $C 4096 0"
zero_cache

xp_step "a smaller block_size does not reformat a cache"
# A fresh format has written one superblock copy (copy 1, at 4096); a
# 512-byte table must still see it, not the zeros at 0..1023.
xp_run dmsetup create wc --table "$T $MODE $O $C 4096 0"
dd if=/dev/urandom of=/tmp/bsz bs=$BS count=8 2>/dev/null
put /tmp/bsz /dev/mapper/wc $((P + 4096))
xp_run dmsetup remove wc
refuse "block_size 512 on a cache formatted with 4096" "formatted with block_size 4096" \
	"$T $MODE $O $C 512 0"
xp_run dmsetup create wc --table "$T $MODE $O $C 4096 0"
expect_field 10 8 "block_size 4096 again"
same /tmp/bsz /dev/mapper/wc $((P + 4096)) "block_size 4096 again"
xp_run dmsetup remove wc
xp_ok "block_size 4096 again finds the 8 cached blocks"
zero_cache

xp_step "create"
xp_run dmsetup create wc --table "$T $MODE $O $C 4096 4 high_watermark 50 low_watermark 40"
dmsetup table wc
dmsetup table wc | grep -Eq "xpcache $MODE [0-9]+:[0-9]+ [0-9]+:[0-9]+ 4096 4 high_watermark 50 low_watermark 40$" ||
	xp_fail "table line does not show the options"
xp_ok "table line shows the options"
dmsetup status wc
expect_field 1 0 "new cache"
total=$(wc_field 2)
expect_field 3 $((total - 1)) "new cache: all free but the activation record"
expect_field 14 0 "new cache: not cleaner"
[ "$(blockdev --getss /dev/mapper/wc)" = $BS ] || xp_fail "logical block size is not $BS"
xp_ok "new cache: error 0, $total blocks all free but the activation record, logical block size $BS"

xp_step "fio: random writes, verified"
# shellcheck disable=SC2086 # option lists
fio $FIO_RAND --filename=/dev/mapper/wc $FIO --verify_fatal=1 >/tmp/fio.log 2>&1 ||
	{ cat /tmp/fio.log; xp_fail "fio randwrite verify failed"; }
grep -E "err=|WRITE:|READ:" /tmp/fio.log
xp_ok "fio randwrite 96 MiB bsrange 4k-64k iodepth 8 verify=crc32c"
dmsetup status wc
w=$(($(wc_field 7) + $(wc_field 8)))
[ $w = 24576 ] || xp_fail "status counts $w written blocks, fio wrote 24576"
r=$(($(wc_field 5) + $(wc_field 6)))
[ $r = 24576 ] || xp_fail "status counts $r read blocks, fio verified 24576"
[ "$(wc_field 12)" -lt 24576 ] || xp_fail "records ($(wc_field 12)) are not shared by writes"
[ "$(wc_field 6)" -gt 0 ] || xp_fail "no read from the origin: writeback never ran"
xp_ok "status: 24576 blocks written and read ($(wc_field 5) hits, $(wc_field 6) from the origin), $(wc_field 12) records"

xp_step "fio: sequential writes, verified"
# shellcheck disable=SC2086
fio $FIO_SEQ --filename=/dev/mapper/wc $FIO --verify_fatal=1 >/tmp/fio.log 2>&1 ||
	{ cat /tmp/fio.log; xp_fail "fio write verify failed"; }
grep -E "err=|WRITE:|READ:" /tmp/fio.log
xp_ok "fio write 64 MiB bsrange 4k-64k iodepth 8 verify=crc32c"
expect_field 1 0 "after fio"

xp_step "flush message writes everything back"
xp_run dmsetup message wc 0 flush
wait_clean "flush message: nothing dirty, all blocks free"

xp_step "suspend/resume, reload, remove/create keep cached blocks"
dd if=/dev/urandom of=/tmp/a bs=$BS count=256 2>/dev/null
put /tmp/a /dev/mapper/wc $P
expect_field 10 256 "256 blocks written"
xp_run dmsetup suspend wc
xp_run dmsetup resume wc
expect_field 10 256 "after suspend/resume"
same /tmp/a /dev/mapper/wc $P "after suspend/resume"
xp_ok "suspend/resume keeps 256 cached blocks"
dmesg -c >/dev/null
xp_run dmsetup reload wc --table "$T $MODE $O $C 4096 6 high_watermark 60 low_watermark 50 writeback_jobs 256"
xp_run dmsetup suspend wc
xp_run dmsetup resume wc
dmsetup table wc | grep -q "writeback_jobs 256" || xp_fail "reloaded table not in use"
dmesg | grep xpcache
expect_field 10 256 "after reload"
same /tmp/a /dev/mapper/wc $P "after reload"
xp_ok "reload: the new table recovers 256 cached blocks from the log"
xp_run dmsetup remove wc
xp_run dmsetup create wc --table "$T $MODE $O $C 4096 0"
expect_field 10 256 "after remove/create"
same /tmp/a /dev/mapper/wc $P "after remove/create"
xp_ok "remove/create recovers 256 cached blocks from the log"

xp_step "overwrite and discard"
dd if=/dev/urandom of=/tmp/b bs=$BS count=128 2>/dev/null
put /tmp/b /dev/mapper/wc $P
hits=$(wc_field 7)
[ "$hits" = 128 ] || xp_fail "overwriting 128 cached blocks counted $hits write hits"
expect_field 10 256 "overwrite"
dd if=/tmp/a of=/tmp/ab bs=$BS skip=128 count=128 2>/dev/null
cat /tmp/b /tmp/ab >/tmp/new
same /tmp/new /dev/mapper/wc $P "after overwrite"
xp_ok "overwrite: 128 write hits, newest data read back"
xp_run blkdiscard -o $(((P + 192) * BS)) -l $((64 * BS)) /dev/mapper/wc
expect_field 11 1 "discard counted"
expect_field 10 192 "discard dropped 64 cached blocks"
xp_run dmsetup suspend wc
xp_run dmsetup reload wc --table "$T $MODE $O $C 4096 0"
xp_run dmsetup resume wc
expect_field 10 192 "discard after reload"
blocks /dev/mapper/wc $P 192 /tmp/back
head -c $((192 * BS)) /tmp/new | cmp -s - /tmp/back || xp_fail "data before the discarded range differs after reload"
xp_ok "discard drops 64 cached blocks, and the drop survives a reload"

xp_step "sequential cutoff"
# The default table: a stream longer than 4 MiB (1024 blocks) goes around
# the cache, to the origin. 8 MiB in 512 KiB writes at Q (one at a time,
# so one record each): the first 1024 blocks are cached in 8 records, the
# other 1024 are not. (Writeback may run meanwhile: records and
# writes_around are what count, not dirty blocks.)
Q=$((P + 2048))
dd if=/dev/urandom of=/tmp/s bs=1M count=8 2>/dev/null
dd if=/tmp/s of=/tmp/s4 bs=1M skip=4 2>/dev/null
records=$(wc_field 12)
around=$(wc_field 15)
dd if=/tmp/s of=/dev/mapper/wc bs=512K seek=$((Q / 128)) oflag=direct 2>/dev/null ||
	xp_fail "writing the stream"
expect_field 15 $((around + 1024)) "an 8 MiB stream: blocks around the cache"
expect_field 12 $((records + 8)) "an 8 MiB stream: records"
same /tmp/s /dev/mapper/wc $Q "the stream"
same /tmp/s4 $O $((Q + 1024)) "the stream's last 4 MiB on the origin"
xp_ok "an 8 MiB stream: 4 MiB cached, 4 MiB around the cache to the origin, all read back"
# A long stream that runs into cached blocks writes them to the cache, or
# their older cached copy would win.
dd if=/dev/urandom of=/tmp/s2 bs=1M count=8 2>/dev/null
around=$(wc_field 15)
dd if=/tmp/s2 of=/dev/mapper/wc bs=512K seek=$(((Q - 1024) / 128)) oflag=direct 2>/dev/null ||
	xp_fail "writing the second stream"
expect_field 15 "$around" "a stream into cached blocks: none around"
same /tmp/s2 /dev/mapper/wc $((Q - 1024)) "the second stream"
xp_ok "a stream into cached blocks writes them to the cache; its data reads back"
xp_run dmsetup suspend wc
xp_run dmsetup reload wc --table "$T $MODE $O $C 4096 0"
xp_run dmsetup resume wc
same /tmp/s2 /dev/mapper/wc $((Q - 1024)) "the second stream after a reload"
same /tmp/s4 /dev/mapper/wc $((Q + 1024)) "the first stream's end after a reload"
xp_ok "after a reload both streams read back"
xp_run dmsetup suspend wc
xp_run dmsetup reload wc --table "$T $MODE $O $C 4096 2 sequential_cutoff 0"
xp_run dmsetup resume wc
dmsetup table wc | grep -q " sequential_cutoff 0$" || xp_fail "table line lacks sequential_cutoff 0"
around=$(wc_field 15)
records=$(wc_field 12)
dd if=/tmp/s of=/dev/mapper/wc bs=512K seek=$(((Q + 2048) / 128)) oflag=direct 2>/dev/null ||
	xp_fail "writing the third stream"
expect_field 15 "$around" "sequential_cutoff 0: none around"
expect_field 12 $((records + 16)) "sequential_cutoff 0: all in records"
same /tmp/s /dev/mapper/wc $((Q + 2048)) "the third stream"
xp_ok "sequential_cutoff 0: an 8 MiB stream is cached whole"

xp_step "cleaner"
xp_run dmsetup message wc 0 cleaner
wait_clean "cleaner: everything written back"
expect_field 14 1 "cleaner flag"
dmsetup table wc | grep -q " cleaner$" || xp_fail "table line lacks cleaner"
dd if=/dev/urandom of=/tmp/c bs=$BS count=64 2>/dev/null
put /tmp/c /dev/mapper/wc $((P + 512))
expect_field 10 0 "cleaner: new writes not cached"
same /tmp/c $O $((P + 512)) "cleaner: write reached the origin"
xp_ok "cleaner: new writes go to the origin"
head -c $((192 * BS)) /tmp/new >/tmp/new192
same /tmp/new192 $O $P "cleaner: cached data reached the origin"
xp_ok "cleaner: cached data is on the origin"

xp_step "removal sequence"
sum=$(md5sum </dev/mapper/wc)
xp_run dmsetup message wc 0 flush_on_suspend
xp_run dmsetup reload wc --table "0 $osz linear $O 0"
xp_run dmsetup suspend wc
dmsetup status wc
expect_field 1 0 "removal: error"
expect_field 10 0 "removal: dirty"
xp_run dmsetup resume wc
dmsetup table wc | grep -q linear || xp_fail "linear table not in use"
[ "$(md5sum </dev/mapper/wc)" = "$sum" ] || xp_fail "removal: data differs on the linear table"
xp_run dmsetup remove wc
[ "$(md5sum <$O)" = "$sum" ] || xp_fail "removal: data differs on the origin"
xp_ok "removal sequence: same data through linear and on the origin"

xp_step "fio --verify_only on the origin"
# shellcheck disable=SC2086
fio $FIO_RAND --filename=$O $FIO --verify_only >/tmp/fio.log 2>&1 ||
	{ cat /tmp/fio.log; xp_fail "fio verify_only (random) on the origin failed"; }
# shellcheck disable=SC2086
fio $FIO_SEQ --filename=$O $FIO --verify_only >/tmp/fio.log 2>&1 ||
	{ cat /tmp/fio.log; xp_fail "fio verify_only (sequential) on the origin failed"; }
xp_ok "fio --verify_only passes on the origin for both jobs"

xp_step "unload"
xp_run rmmod xp_writecache
dmesg | grep -E "WARNING|BUG|error state" && xp_fail "kernel log has warnings or an xpcache error"
xp_ok "module unloads, no warnings"
xp_done writecache_basic
exit 0
