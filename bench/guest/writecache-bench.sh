# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
#
# Guest side of bench/writecache-bench.sh (busybox sh, /xp/lib.sh sourced):
# our xpcache target against Linux's dm-writecache on the same devices, in
# one guest. Origin /dev/vda; cache /dev/vdb (mode s) or /dev/pmem0, an
# fsdax namespace over the whole NVDIMM (mode p).
#
# Two kinds of boot. A measuring boot (XP_WCB_JOBS not empty): for each
# mode, repetition and job, each target in turn (xpcache first in odd
# repetitions, writecache first in even ones: ABBA over two), zero the
# cache's first MiB, create the target, run the fio job on it, print its
# status, remove it. Every measurement therefore starts on a freshly
# formatted, empty cache. A recovery boot (XP_WCB_RECOVER and/or
# XP_WCB_CRASH): see "Recovery" below.
#
#   XP_WCB_MODES    cache modes (default "s p")
#   XP_WCB_JOBS     jobs (default none: a recovery boot)
#   XP_WCB_REPS     repetitions (default 2)
#   XP_WCB_RUNTIME  seconds each job measures at most (default 5)
#   XP_WCB_RAMP     seconds of the random jobs before measuring (default 1)
#   XP_WCB_FUA      fua or nofua, the tables' one optional argument
#                   (default nofua)
#   XP_WCB_KO       our module (default /xp/kmod/xp_writecache.ko)
#   XP_WCB_RECOVER  "TARGET MODE": time the recovery of that target, left
#                   dirty by the previous boot's XP_WCB_CRASH
#   XP_WCB_CRASH    "TARGET MODE": fill that target, then cut the power
#   XP_WCB_REC_MIB  what XP_WCB_CRASH writes, MiB (default 1024)
#   XP_WCB_REP      the repetition a recovery boot belongs to (default 1)
#
# The table, the same for both targets in mode p:
#   0 SECTORS TARGET p /dev/vda /dev/pmem0 4096 1 FUA
# dm-writecache takes fua and nofua in pmem mode only (it rejects them in
# mode s, where its writeback always flushes the origin afterwards, as
# xpcache's nofua does); in mode s xpcache gets "1 FUA" and dm-writecache
# "0". Both keep their other defaults: watermarks 50 % (high) and 45 %
# (low), autocommit after 1 s, 65536 blocks (s) or 64 (p).
#
# The jobs (4 KiB blocks unless said; all direct=1 on /dev/mapper/wcb):
#   qd1    randwrite, libaio, iodepth 1                      IOPS
#   qd16   randwrite, libaio, iodepth 16                     IOPS
#   qd64   randwrite, libaio, iodepth 64                     IOPS
#   fua    randwrite, libaio, iodepth 1, O_DSYNC: every
#          write is a REQ_FUA write, nothing else            IOPS
#   sync   randwrite, psync, fsync after each write          IOPS
#   dsync  randwrite, psync, O_DSYNC                         IOPS
#   seq    sequential write, 1 MiB, libaio, iodepth 4        MiB/s
#   read   randread, libaio, iodepth 16, of data the target
#          holds: random 64 KiB writes of the region
#          first (not measured), checked in the status      IOPS
#   mix    randrw 70 % reads, libaio, iodepth 16, on a fresh
#          cache (reads of unwritten blocks go to the origin) IOPS
#   fill   seq, but twice the cache's size: what writeback
#          sustains once the cache is full (not a default)   MiB/s
# The 4 KiB jobs work in the target's first CACHE/5 bytes, writing each
# block at most once (fio's random map); seq writes 3/8 of the cache.
# Both stay below the 45 % low and 50 % high watermarks of both targets,
# with room for xpcache's record headers (one header block per record: 2
# blocks for a lone 4 KiB write), so that no writeback runs while they
# measure. They stop after RUNTIME s (plus the ramp) or when that much is
# done, whichever comes first; the fio ramp counts toward the amount.
#
# Checked around every job: the origin's written sectors
# (/sys/block/vda/stat) must not grow, blocks in use must stay below the
# low watermark and none may be under writeback; otherwise the line's
# flag is "w": writeback (or a write around the cache) ran during the job
# and the figure measures it. For read, the origin's read sectors must
# not grow either (flag "r": some reads missed the cache).
#
# CPU per I/O: the "cpu" line of /proc/stat (user, nice, system, irq,
# softirq, steal: busy jiffies, idle and iowait left out) read RAMP s
# after fio starts and again when it ends, times 1e6 / USER_HZ (100),
# divided by the I/Os fio counted (read and write KiB over the block
# size). It is all the guest's CPU: fio, the block layer, the target and
# its workers; fio's start-up and end count in it (a few ms).
#
# Recovery: a boot with XP_WCB_RECOVER="T M" first creates target T in
# mode M with the table the previous boot filled it with and times
# "dmsetup create" (table load and resume: the target's recovery of its
# metadata), checks that the blocks are all there, and removes it. A boot
# with XP_WCB_CRASH="T M" then zeroes M's cache, creates T, writes
# XP_WCB_REC_MIB MiB through it (random 64 KiB writes, iodepth 4, an
# fsync at the end: all committed, below the low watermark, so all dirty),
# and cuts the power with SysRq o: no suspend, no removal, no writeback.
# The disks and the NVDIMM (files on the host) keep what qemu wrote. A
# recovery boot reads the NVDIMM through first (pmem_fault_in).
#
# Output for the host, one line per measurement:
#   WCB <mode> <job> <target> <rep> <value> <kib> <ms> <ios> <cpu_us_per_io>
#       <used> <total> <wb> <flag>
# (kib, ms, ios: read and written KiB, measured time, I/Os; used, total:
# cache blocks in use and in all after the job; wb: blocks under
# writeback; flag: - or w or r, see above), per recovery
#   WCB-REC <mode> <target> <rep> <ms> <used>
# and WCB-CRASH <mode> <target> <used> before a power cut, WCB-INFO lines
# about the set-up, WCB-WARN lines for the host to repeat, and WCB-END.

MODES=${XP_WCB_MODES:-s p}
JOBS=${XP_WCB_JOBS:-}
REPS=${XP_WCB_REPS:-2}
RUNTIME=${XP_WCB_RUNTIME:-5}
RAMP=${XP_WCB_RAMP:-1}
FUA=${XP_WCB_FUA:-nofua}
KO=${XP_WCB_KO:-/xp/kmod/xp_writecache.ko}
RECOVER=${XP_WCB_RECOVER:-}
CRASH=${XP_WCB_CRASH:-}
REC_MIB=${XP_WCB_REC_MIB:-1024}
REP=${XP_WCB_REP:-1}
O=/dev/vda
DEV=wcb
# The targets' default watermarks, in %.
LOW_WM=45

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
	qd1 | qd16 | qd64 | fua | sync | dsync | seq | read | mix | fill) ;;
	*) xp_fail "unknown job '$job': use qd1, qd16, qd64, fua, sync, dsync, seq, read, mix or fill" ;;
	esac
done
case $FUA in
fua | nofua) ;;
*) xp_fail "XP_WCB_FUA '$FUA': use fua or nofua" ;;
esac
[ -b $O ] || xp_fail "no origin disk $O"
OSZ=$(cat /sys/block/vda/size)

# The CPU model: crc32c's speed depends on SSE4.2 (crc32 instruction) and
# PCLMULQDQ; say which crc32c drivers the kernel has, after our module
# (which may pull one in) is loaded.
xp_run insmod "$KO"
grep -qw writecache /proc/modules || modprobe dm_writecache ||
	xp_fail "Linux's dm_writecache module is not loaded and cannot be loaded"
for t in xpcache writecache; do
	dmsetup targets | grep -q "^$t " || {
		dmsetup targets
		xp_fail "device-mapper has no '$t' target"
	}
done
_flags=$(grep -m1 '^flags' /proc/cpuinfo)
for f in sse4_2 pclmulqdq; do
	case " $_flags " in
	*" $f "*) echo "WCB-INFO cpu: $f yes" ;;
	*) echo "WCB-WARN the guest CPU has no $f: crc32c runs without it (use --cpu max)" ;;
	esac
done
echo "WCB-INFO cpu: $(grep -m1 '^model name' /proc/cpuinfo | sed 's/.*: //')"
grep -A3 '^name *: crc32c$' /proc/crypto | grep '^driver' | sed 's/ *: */ /; s/^/WCB-INFO crc32c /'
grep -q '^name *: crc32c$' /proc/crypto || echo "WCB-INFO crc32c: none registered in /proc/crypto"
echo "WCB-INFO modules: $(cut -d' ' -f1 /proc/modules | grep -E 'crc32|xp_writecache|dm_writecache' | tr '\n' ' ')"
echo "WCB-INFO kernel $(uname -r), $(grep -c ^processor /proc/cpuinfo) vCPU(s), $(fio --version)"
echo "WCB-INFO origin $O $((OSZ / 2048)) MiB"
dmsetup targets | grep -E '^(xpcache|writecache) ' | sed 's/^/WCB-INFO target /'

# pmem_namespace: an fsdax namespace over all of region0, replacing the raw
# namespace (a /dev/pmem0 without DAX) that a label-less NVDIMM shows up
# as. Labels first: a label-less region cannot be cut to an aligned size.
# A recovery boot finds the namespace its predecessor made (in the labels).
pmem_namespace() {
	if [ -n "$RECOVER$CRASH" ] && ndctl list -N 2>/dev/null | grep -q '"mode":"fsdax"'; then
		[ -b /dev/pmem0 ] && return 0
	fi
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

# pmem_fault_in: in a recovery boot, read all of /dev/pmem0 once before
# the recovery is timed. The NVDIMM is a file that qemu maps, and a new
# qemu process faults each page in on its first touch, which real
# persistent memory does not do: it would be charged to the target that
# reads more pages (xpcache's header blocks lie all over the log,
# dm-writecache's metadata is one area). A measuring boot writes the
# whole cache through instead (below), which also allocates the file.
pmem_fault_in() {
	[ -n "$RECOVER" ] || return 0
	_t0=$(xp_now)
	dd if=/dev/pmem0 of=/dev/null bs=1M 2>/dev/null || xp_fail "cannot read /dev/pmem0 through"
	echo "WCB-INFO pmem pages faulted in before recovery (read): $(xp_secs "$_t0") s"
}

# cache_dev MODE: the cache device of MODE in C (making the namespace).
cache_dev() {
	case $1 in
	s) C=/dev/vdb ;;
	p)
		deadline 300 "creating the fsdax namespace"
		pmem_namespace
		pmem_fault_in
		deadline 0
		C=/dev/pmem0
		;;
	*) xp_fail "unknown mode '$1': use s or p" ;;
	esac
	[ -b "$C" ] || xp_fail "no cache device $C for mode $1"
}

# table TARGET MODE CACHE: the target's table.
table() {
	if [ "$2" = s ] && [ "$1" = writecache ]; then
		echo "0 $OSZ $1 $2 $O $3 4096 0"
	else
		echo "0 $OSZ $1 $2 $O $3 4096 1 $FUA"
	fi
}

# create TARGET MODE CACHE WHAT: dmsetup create, or fail with the reason.
create() {
	_table=$(table "$1" "$2" "$3")
	echo "+ dmsetup create $DEV --table '$_table'"
	if ! dmsetup create $DEV --table "$_table" >/tmp/dm.log 2>&1; then
		cat /tmp/dm.log
		dmesg | tail -n 8
		dmsetup remove $DEV 2>/dev/null
		xp_fail "cannot create the $1 target ($4): dmsetup create $DEV --table '$_table'"
	fi
}

# fio_args JOB CACHE_MIB: the job's fio options (without the file, name
# and output format).
fio_args() {
	_sz="--size=$(($2 / 5))M"
	_rnd="$_sz --runtime=$RUNTIME --ramp_time=$RAMP --bs=4k --ioengine=libaio"
	case $1 in
	qd1) echo "--rw=randwrite $_rnd --iodepth=1" ;;
	qd16) echo "--rw=randwrite $_rnd --iodepth=16" ;;
	qd64) echo "--rw=randwrite $_rnd --iodepth=64" ;;
	fua) echo "--rw=randwrite $_rnd --iodepth=1 --sync=dsync" ;;
	sync) echo "--rw=randwrite $_sz --runtime=$RUNTIME --ramp_time=$RAMP --bs=4k --ioengine=psync --fsync=1" ;;
	dsync) echo "--rw=randwrite $_sz --runtime=$RUNTIME --ramp_time=$RAMP --bs=4k --ioengine=psync --sync=dsync" ;;
	seq) echo "--rw=write --bs=1M --ioengine=libaio --iodepth=4 --size=$(($2 * 3 / 8))M --runtime=$RUNTIME" ;;
	read) echo "--rw=randread $_rnd --iodepth=16" ;;
	mix) echo "--rw=randrw --rwmixread=70 $_rnd --iodepth=16" ;;
	fill) echo "--rw=write --bs=1M --ioengine=libaio --iodepth=4 --size=$(($2 * 2))M --runtime=$((RUNTIME * 6))" ;;
	# Data for read, and before a power cut: random 64 KiB writes, each
	# block once, which xpcache's sequential cutoff leaves in the cache.
	prefill) echo "--rw=randwrite --bs=64k --ioengine=libaio --iodepth=4" ;;
	esac
}

# busy_jiffies: the guest's busy jiffies so far (not idle, not iowait).
busy_jiffies() {
	awk '$1 == "cpu" { print $2 + $3 + $4 + $7 + $8 + $9; exit }' /proc/stat
}
# origin_sectors FIELD: sectors read (3) or written (7) on the origin.
origin_sectors() { awk -v f="$1" '{ print $f }' /sys/block/vda/stat; }
# used_blocks STATUS: blocks in use (total - free) of a status line.
used_blocks() { echo "$1" | awk '{ print $5 - $6 }'; }

# run_fio JOB TARGET MODE REP CACHE_MIB [EXTRA...]: fio on the target,
# its terse line in /tmp/fio.out; fail with the details when it fails.
run_fio() {
	_j=$1 _t=$2 _m=$3 _rp=$4 _cm=$5
	shift 5
	# shellcheck disable=SC2046 # fio_args prints a list of options
	if ! fio --name="$_j" --filename=/dev/mapper/$DEV --direct=1 \
		--output-format=terse --terse-version=3 \
		$(fio_args "$_j" "$_cm") "$@" >/tmp/fio.out 2>/tmp/fio.err; then
		cat /tmp/fio.out /tmp/fio.err
		dmsetup status $DEV
		dmesg | tail -n 8
		xp_fail "fio job $_j failed on $_t (mode $_m, repetition $_rp)"
	fi
	[ -s /tmp/fio.err ] && sed "s/^/fio: /" /tmp/fio.err
	return 0
}

# measure MODE JOB TARGET REP CACHE CACHE_MIB: one measurement.
measure() {
	_mode=$1 _job=$2 _tgt=$3 _rep=$4 _c=$5 _cmib=$6
	_limit=$((RAMP + RUNTIME + 180))
	[ "$_job" = fill ] && _limit=$((RUNTIME * 6 + 300))
	[ "$_job" = read ] && _limit=$((_limit + _cmib / 5))
	deadline $_limit "mode $_mode, repetition $_rep, $_job on $_tgt"
	dd if=/dev/zero of="$_c" bs=1M count=1 oflag=direct 2>/dev/null ||
		xp_fail "cannot zero the start of the cache $_c"
	create "$_tgt" "$_mode" "$_c" "mode $_mode, $_job"
	if [ "$_job" = read ]; then
		# The data to read, written through the target: all of it
		# must be in the cache (blocks in use) before the job.
		echo "+ fio (the region read will read) $(fio_args prefill 0) --size=$((_cmib / 5))M"
		run_fio prefill "$_tgt" "$_mode" "$_rep" "$_cmib" --size=$((_cmib / 5))M \
			--runtime=600 --end_fsync=1
		_st=$(dmsetup status $DEV)
		echo "status $_tgt $_mode read-prefill: $_st"
		_rmib=$((_cmib / 5))
		[ "$(used_blocks "$_st")" -ge $((_rmib * 256)) ] ||
			xp_fail "read on $_tgt (mode $_mode): after writing $((_cmib / 5)) MiB the cache holds only $(used_blocks "$_st") blocks: not all of it is cached"
	fi
	sync
	sleep 1
	_st0=$(dmsetup status $DEV)
	echo "status-before $_tgt $_mode $_job: $_st0"
	_ow0=$(origin_sectors 7) _or0=$(origin_sectors 3)
	echo "+ fio $(fio_args "$_job" "$_cmib")"
	_sleep=$RAMP
	case $_job in seq | fill) _sleep=0 ;; esac
	rm -f /tmp/cpu0
	(sleep "$_sleep"; busy_jiffies >/tmp/cpu0) &
	_spid=$!
	run_fio "$_job" "$_tgt" "$_mode" "$_rep" "$_cmib"
	_cpu1=$(busy_jiffies)
	wait $_spid
	_cpu0=$(cat /tmp/cpu0 2>/dev/null)
	_ow1=$(origin_sectors 7) _or1=$(origin_sectors 3)
	_st=$(dmsetup status $DEV)
	echo "status $_tgt $_mode $_job: $_st"
	echo "origin $_tgt $_mode $_job: $((_or1 - _or0)) sectors read, $((_ow1 - _ow0)) written during the job"
	xp_run dmsetup remove $DEV
	# Terse version 3: 5 error; 6, 8, 9 read KiB, IOPS, runtime in ms;
	# 47 write KiB, 48 write KiB/s, 49 write IOPS, 50 write runtime.
	_line=$(grep -m1 '^3;fio-' /tmp/fio.out)
	[ -n "$_line" ] || {
		cat /tmp/fio.out
		xp_fail "fio job $_job on $_tgt printed no terse result line"
	}
	_r=$(echo "$_line" | awk -F';' -v job="$_job" -v c0="${_cpu0:-x}" -v c1="$_cpu1" '
		NF < 50 || $5 != 0 || $6 + $47 <= 0 || $9 + $50 <= 0 { print "bad"; exit }
		{ big = (job == "seq" || job == "fill")
		  v = big ? sprintf("%.1f", $48 / 1024) : $8 + $49
		  kib = $6 + $47; ms = $9 > $50 ? $9 : $50
		  ios = int(kib / (big ? 1024 : 4))
		  cpu = (c0 == "x" || c1 - c0 <= 0 || ios == 0) ? "-" :
		      sprintf("%.1f", (c1 - c0) * 1e6 / 100 / ios)
		  print v, kib, ms, ios, cpu }')
	case $_r in
	bad | "")
		echo "$_line"
		xp_fail "fio job $_job on $_tgt: error set, nothing done or no runtime in its result"
		;;
	esac
	# Status: error total free writeback ... in both targets.
	_u=$(echo "$_st" | awk '{ print $5 - $6, $5, $7 }')
	_flag=-
	if [ $((_ow1 - _ow0)) -gt 0 ] ||
		echo "$_st" | awk -v l=$LOW_WM '{ exit !(($5 - $6) * 100 >= $5 * l || $7 > 0) }'; then
		_flag=w
		echo "WCB-WARN mode $_mode, $_job on $_tgt, repetition $_rep: writeback ran during the job ($((_ow1 - _ow0)) sectors written to the origin; in use, total, under writeback: $_u; low watermark $LOW_WM %): the figure measures writeback"
	elif [ "$_job" = read ] && [ $((_or1 - _or0)) -gt 0 ]; then
		_flag=r
		echo "WCB-WARN mode $_mode, read on $_tgt, repetition $_rep: $((_or1 - _or0)) sectors were read from the origin: not every read hit the cache"
	fi
	echo "WCB $_mode $_job $_tgt $_rep $_r $_u $_flag"
	deadline 0
}

# recover TARGET MODE: time the re-creation of a target left dirty.
recover() {
	cache_dev "$2"
	deadline 600 "recovering $1 (mode $2)"
	echo "status-origin before recovery: $(cat /sys/block/vda/stat)"
	_t0=$(xp_now)
	create "$1" "$2" "$C" "recovery"
	_t1=$(xp_now)
	_st=$(dmsetup status $DEV)
	echo "status $1 $2 recovered: $_st"
	_ms=$(awk -v a="$_t0" -v b="$_t1" 'BEGIN { printf "%.0f", (b - a) * 1000 }')
	_used=$(used_blocks "$_st")
	echo "$_st" | awk '{ exit !($4 == 0) }' ||
		xp_fail "$1 (mode $2) recovered into its error state: $_st"
	[ "$_used" -ge $((REC_MIB * 256)) ] ||
		xp_fail "$1 (mode $2) recovered only $_used blocks in use, fewer than the $((REC_MIB * 256)) written before the power cut"
	echo "WCB-REC $2 $1 $REP $_ms $_used"
	xp_run dmsetup remove $DEV
	deadline 0
}

# crash TARGET MODE: fill a fresh target, then cut the power.
crash() {
	cache_dev "$2"
	deadline $((REC_MIB / 2 + 300)) "filling $1 (mode $2) before the power cut"
	dd if=/dev/zero of="$C" bs=1M count=1 oflag=direct 2>/dev/null ||
		xp_fail "cannot zero the start of the cache $C"
	create "$1" "$2" "$C" "before the power cut"
	echo "+ fio $(fio_args prefill 0) --size=${REC_MIB}M --end_fsync=1"
	# shellcheck disable=SC2046 # the option list
	if ! fio --name=recfill --filename=/dev/mapper/$DEV --direct=1 $(fio_args prefill 0) \
		--size="${REC_MIB}M" --end_fsync=1 \
		--output-format=terse --terse-version=3 >/tmp/fio.out 2>&1; then
		cat /tmp/fio.out
		dmsetup status $DEV
		dmesg | tail -n 8
		xp_fail "fio could not write ${REC_MIB} MiB through $1 (mode $2) before the power cut"
	fi
	_st=$(dmsetup status $DEV)
	echo "status $1 $2 before the power cut: $_st"
	_used=$(used_blocks "$_st")
	[ "$_used" -ge $((REC_MIB * 256)) ] ||
		xp_fail "$1 (mode $2) holds $_used blocks after writing $((REC_MIB * 256)): some were written back or lost"
	echo "$_st" | awk -v l=$LOW_WM '{ exit !(($5 - $6) * 100 < $5 * l && $7 == 0) }' ||
		xp_fail "$1 (mode $2) reached its low watermark or writes back; make the cache bigger (--cache-size): $_st"
	kill "$WD_PID"
	echo "WCB-CRASH $2 $1 $_used"
	echo o >/proc/sysrq-trigger
	sleep 60
	xp_fail "SysRq o did not power the guest off"
}

if [ -n "$RECOVER$CRASH" ]; then
	# shellcheck disable=SC2086 # "TARGET MODE"
	[ -z "$RECOVER" ] || recover $RECOVER
	# shellcheck disable=SC2086
	[ -z "$CRASH" ] || crash $CRASH
	kill "$WD_PID"
	echo "WCB-END"
	exit 0
fi

for mode in $MODES; do
	cache_dev "$mode"
	cmib=$(($(cat "/sys/block/${C#/dev/}/size") / 2048))
	echo "WCB-INFO mode $mode: cache $C $cmib MiB; 4 KiB jobs: the first $((cmib / 5)) MiB; seq: $((cmib * 3 / 8)) MiB; fill: $((cmib * 2)) MiB"
	echo "WCB-INFO mode $mode: table $(table xpcache "$mode" "$C")"
	echo "WCB-INFO mode $mode: table $(table writecache "$mode" "$C")"
	# The images are sparse files: the first write to a range costs the
	# host an allocation (a page of the NVDIMM's file, blocks of the
	# disk's), which the target that writes there first would pay. Write
	# the whole cache once, and of the origin what fill (2x the cache) or
	# seq (3/8 of it: xpcache's sequential cutoff writes it around the
	# cache, dm-writecache caches it) writes.
	xp_step "mode $mode: writing all of $C once"
	deadline $((cmib / 2 + 300)) "writing all of $C"
	t0=$(xp_now)
	dd if=/dev/zero of="$C" bs=1M count="$cmib" oflag=direct 2>/dev/null ||
		xp_fail "cannot write $cmib MiB to $C"
	omib=0
	case " $JOBS " in
	*" fill "*) omib=$((cmib * 2)) ;;
	*" seq "*) omib=$((cmib * 3 / 8)) ;;
	esac
	if [ $omib -gt 0 ]; then
		dd if=/dev/zero of=$O bs=1M count=$omib oflag=direct 2>/dev/null ||
			xp_fail "cannot write the first $omib MiB of $O"
	fi
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
