# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
#
# Guest side of bench/writecache-bench.sh (busybox sh, /xp/lib.sh sourced):
# our xpcache target against Linux's dm-writecache on the same devices, in
# one guest. Origin /dev/vda; cache /dev/vdb (mode s) or /dev/pmem0, an
# fsdax namespace over the whole NVDIMM (mode p).
#
# For each mode, repetition and job, each target in turn (xpcache first in
# odd repetitions, writecache first in even ones): zero the cache's first
# MiB, create the target with block size 4096 and no optional arguments,
# run the fio job on it, print its status, remove it. Every measurement
# therefore starts on a freshly formatted, empty cache.
#
#   XP_WCB_MODES    cache modes (default "s p")
#   XP_WCB_JOBS     jobs (default "rand sync dsync seq"; also "fill")
#   XP_WCB_REPS     repetitions (default 3)
#   XP_WCB_RUNTIME  seconds each job measures at most (default 10)
#   XP_WCB_RAMP     seconds of the random jobs before measuring (default 1)
#   XP_WCB_KO       our module (default /xp/kmod/xp_writecache.ko)
#
# The jobs (4 KiB blocks unless said; all direct=1 on /dev/mapper/wcb):
#   rand   randwrite, libaio, iodepth 16                     IOPS
#   sync   randwrite, psync, fsync after each write          IOPS
#   dsync  randwrite, psync, O_DSYNC                         IOPS
#   seq    sequential write, 1 MiB, libaio, iodepth 4        MiB/s
#   fill   seq, but twice the cache's size: what writeback
#          sustains once the cache is full (not a default)   MiB/s
# The random jobs write each block of the target's first CACHE/5 bytes at
# most once (fio's random map); seq writes 3/8 of the cache's size. Both stay below
# the 45 % low and 50 % high watermarks of both targets, with room for
# xpcache's record headers (one header block per record: 2 blocks for a
# lone 4 KiB write), so that no writeback runs while they measure. They
# stop after RUNTIME s (plus the ramp) or when that much is written,
# whichever comes first, and the fio ramp counts toward the amount.
#
# Output for the host, one line per measurement:
#   WCB <mode> <job> <target> <rep> <value> <write_kib> <runtime_ms> <used> <total> <wb>
# (used, total: cache blocks in use and in all after the job; wb: blocks
# under writeback), WCB-INFO lines about the set-up, and WCB-END at the end.

MODES=${XP_WCB_MODES:-s p}
JOBS=${XP_WCB_JOBS:-rand sync dsync seq}
REPS=${XP_WCB_REPS:-3}
RUNTIME=${XP_WCB_RUNTIME:-10}
RAMP=${XP_WCB_RAMP:-1}
KO=${XP_WCB_KO:-/xp/kmod/xp_writecache.ko}
O=/dev/vda
DEV=wcb

# Kernel messages on the console would break the lines the host parses;
# the watchdog below shows the kernel log when it matters.
dmesg -n 1
echo 60 >/proc/sys/kernel/hung_task_timeout_secs 2>/dev/null

# A watchdog: when a measurement has not finished by the deadline in
# $WD ("UPTIME_SECONDS WHAT"), show the blocked tasks and the kernel log,
# then power off (the host sees a guest that died, with this in its log).
WD=/tmp/wcb.deadline
watchdog() {
	while sleep 5; do
		[ -f $WD ] || continue
		read -r _dl _what <$WD
		[ "$(cut -d. -f1 /proc/uptime)" -gt "$_dl" ] || continue
		echo "FAIL: $_what: stuck, not done by its deadline; blocked tasks and the kernel log:"
		echo w >/proc/sysrq-trigger
		sleep 2
		dmesg | tail -n 150
		sync
		echo o >/proc/sysrq-trigger
		exit 1
	done
}
watchdog &
WD_PID=$!
# deadline SECONDS WHAT: arm the watchdog; deadline 0: disarm it.
deadline() {
	if [ "$1" = 0 ]; then
		rm -f $WD
	else
		echo "$(($(cut -d. -f1 /proc/uptime) + $1)) $2" >$WD
	fi
}

for job in $JOBS; do
	case $job in
	rand | sync | dsync | seq | fill) ;;
	*) xp_fail "unknown job '$job': use rand, sync, dsync, seq or fill" ;;
	esac
done
[ -b $O ] || xp_fail "no origin disk $O"
OSZ=$(cat /sys/block/vda/size)
xp_run insmod "$KO"
grep -qw writecache /proc/modules || modprobe dm_writecache ||
	xp_fail "Linux's dm_writecache module is not loaded and cannot be loaded"
for t in xpcache writecache; do
	dmsetup targets | grep -q "^$t " || {
		dmsetup targets
		xp_fail "device-mapper has no '$t' target"
	}
done
echo "WCB-INFO kernel $(uname -r), $(grep -c ^processor /proc/cpuinfo) vCPU(s), $(fio --version)"
echo "WCB-INFO origin $O $((OSZ / 2048)) MiB"
dmsetup targets | grep -E '^(xpcache|writecache) ' | sed 's/^/WCB-INFO target /'

# pmem_namespace: an fsdax namespace over all of region0, replacing the raw
# namespace (a /dev/pmem0 without DAX) that a label-less NVDIMM shows up
# as. Labels first: a label-less region cannot be cut to an aligned size.
pmem_namespace() {
	xp_step "fsdax namespace on the NVDIMM"
	if ! { ndctl disable-region all && ndctl init-labels -f all &&
		ndctl enable-region all &&
		ndctl create-namespace -r region0 -m fsdax -M mem; } >/tmp/ns.log 2>&1; then
		cat /tmp/ns.log
		xp_fail "cannot create an fsdax namespace on the NVDIMM"
	fi
	[ -b /dev/pmem0 ] || { cat /tmp/ns.log; xp_fail "no /dev/pmem0 after ndctl create-namespace"; }
	grep -q '"mode":"fsdax"' /tmp/ns.log || { cat /tmp/ns.log; xp_fail "the namespace is not in fsdax mode"; }
}

# fio_args JOB CACHE_MIB: the job's fio options (without the file, name
# and output format).
fio_args() {
	_rnd="--size=$(($2 / 5))M --runtime=$RUNTIME --ramp_time=$RAMP"
	case $1 in
	rand) echo "--rw=randwrite --bs=4k --ioengine=libaio --iodepth=16 $_rnd" ;;
	sync) echo "--rw=randwrite --bs=4k --ioengine=psync --fsync=1 $_rnd" ;;
	dsync) echo "--rw=randwrite --bs=4k --ioengine=psync --sync=dsync $_rnd" ;;
	seq) echo "--rw=write --bs=1M --ioengine=libaio --iodepth=4 --size=$(($2 * 3 / 8))M --runtime=$RUNTIME" ;;
	fill) echo "--rw=write --bs=1M --ioengine=libaio --iodepth=4 --size=$(($2 * 2))M --runtime=$((RUNTIME * 6))" ;;
	esac
}

# measure MODE JOB TARGET REP CACHE CACHE_MIB: one measurement.
measure() {
	_mode=$1 _job=$2 _tgt=$3 _rep=$4 _c=$5
	_limit=$((RAMP + RUNTIME + 180))
	[ "$_job" = fill ] && _limit=$((RUNTIME * 6 + 300))
	deadline $_limit "mode $_mode, repetition $_rep, $_job on $_tgt"
	dd if=/dev/zero of="$_c" bs=1M count=1 oflag=direct 2>/dev/null ||
		xp_fail "cannot zero the start of the cache $_c"
	_table="0 $OSZ $_tgt $_mode $O $_c 4096 0"
	echo "+ dmsetup create $DEV --table '$_table'"
	if ! dmsetup create $DEV --table "$_table" >/tmp/dm.log 2>&1; then
		cat /tmp/dm.log
		dmesg | tail -n 8
		dmsetup remove $DEV 2>/dev/null
		xp_fail "cannot create the $_tgt target: dmsetup create $DEV --table '$_table'"
	fi
	sync
	sleep 1
	echo "+ fio $(fio_args "$_job" "$6")"
	# shellcheck disable=SC2046 # fio_args prints a list of options
	if ! fio --name="$_job" --filename=/dev/mapper/$DEV --direct=1 \
		--output-format=terse --terse-version=3 \
		$(fio_args "$_job" "$6") >/tmp/fio.out 2>/tmp/fio.err; then
		cat /tmp/fio.out /tmp/fio.err
		dmsetup status $DEV
		dmesg | tail -n 8
		xp_fail "fio job $_job failed on $_tgt (mode $_mode, repetition $_rep)"
	fi
	_st=$(dmsetup status $DEV)
	echo "status $_tgt $_mode $_job: $_st"
	[ -s /tmp/fio.err ] && sed "s/^/fio: /" /tmp/fio.err
	xp_run dmsetup remove $DEV
	# Terse version 3: 5 error, 47 write KiB, 48 write KiB/s, 49 write
	# IOPS, 50 write runtime in ms.
	_line=$(grep -m1 '^3;fio-' /tmp/fio.out)
	[ -n "$_line" ] || {
		cat /tmp/fio.out
		xp_fail "fio job $_job on $_tgt printed no terse result line"
	}
	_r=$(echo "$_line" | awk -F';' -v job="$_job" '
		NF < 50 || $5 != 0 || $47 <= 0 || $50 <= 0 { print "bad"; exit }
		{ v = (job == "seq" || job == "fill") ? sprintf("%.1f", $48 / 1024) : $49
		  print v, $47, $50 }')
	case $_r in
	bad | "")
		echo "$_line"
		xp_fail "fio job $_job on $_tgt: error set, nothing written or no runtime in its result"
		;;
	esac
	# Status: error total free writeback ... in both targets.
	_u=$(echo "$_st" | awk '{ print $5 - $6, $5, $7 }')
	echo "WCB $_mode $_job $_tgt $_rep $_r $_u"
	deadline 0
}

for mode in $MODES; do
	case $mode in
	s) C=/dev/vdb ;;
	p)
		deadline 300 "creating the fsdax namespace"
		pmem_namespace
		deadline 0
		C=/dev/pmem0
		;;
	*) xp_fail "unknown mode '$mode': use s or p" ;;
	esac
	[ -b "$C" ] || xp_fail "no cache device $C for mode $mode"
	cmib=$(($(cat "/sys/block/${C#/dev/}/size") / 2048))
	echo "WCB-INFO mode $mode: cache $C $cmib MiB; random jobs: the first $((cmib / 5)) MiB; seq: $((cmib * 3 / 8)) MiB; fill: $((cmib * 2)) MiB"
	echo "WCB-INFO mode $mode: fio $(fio_args rand "$cmib")"
	# The images are sparse files: the first write to a range costs the
	# host an allocation (a page of the NVDIMM's file, blocks of the
	# disk's), which the target that writes there first would pay. Write
	# the whole cache once, and for fill the origin's first 2x cache.
	xp_step "mode $mode: writing all of $C once"
	deadline $((cmib / 4 + 300)) "writing all of $C"
	t0=$(xp_now)
	dd if=/dev/zero of="$C" bs=1M count="$cmib" oflag=direct 2>/dev/null ||
		xp_fail "cannot write $cmib MiB to $C"
	case " $JOBS " in
	*" fill "*)
		dd if=/dev/zero of=$O bs=1M count=$((cmib * 2)) oflag=direct 2>/dev/null ||
			xp_fail "cannot write the first $((cmib * 2)) MiB of $O"
		;;
	esac
	echo "WCB-INFO mode $mode: cache written once in $(xp_secs "$t0") s"
	deadline 0
	rep=1
	while [ $rep -le "$REPS" ]; do
		order="xpcache writecache"
		[ $((rep % 2)) = 0 ] && order="writecache xpcache"
		for job in $JOBS; do
			for tgt in $order; do
				xp_step "mode $mode, repetition $rep/$REPS, $job, $tgt"
				measure "$mode" "$job" "$tgt" "$rep" "$C" "$cmib"
			done
		done
		rep=$((rep + 1))
	done
done
kill "$WD_PID"
echo "WCB-END"
