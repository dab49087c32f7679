#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# writecache-bench: our device-mapper write-back cache (kmod/writecache,
# target xpcache) against Linux's dm-writecache (target writecache), in the
# same guest on the same devices:
#
#   one guest of the VM test bed (Debian kernel, qemu TCG, CPU model
#   --cpu, default max: SSE4.2 and PCLMULQDQ for crc32c) with
#     /dev/vda    origin, a virtio-blk disk (raw file, cache=unsafe)
#     /dev/vdb    cache for mode s, a virtio-blk disk of --cache-size
#     /dev/pmem0  cache for mode p, an fsdax namespace on an NVDIMM of
#                 --cache-size
#
# For each mode, repetition and fio job, each target runs on a freshly
# zeroed cache with the same table (block size 4096, the one optional
# argument --fua; in mode s dm-writecache takes none, see the guest
# script); the targets take turns going first (ABBA over two
# repetitions). The guest side is bench/guest/writecache-bench.sh, which
# describes the jobs, the writeback check and the CPU time per I/O.
#
# The recover job boots more guests on the same disk and NVDIMM files:
# one fills a target with --recover-mib of dirty data and cuts its power
# (SysRq o), the next times "dmsetup create" of the same table (the
# target's recovery), then fills the next target, and so on: for each
# mode and repetition (--recover-reps), both targets, the first in turn
# as above.
#
# Results: a table on stdout (medians over the repetitions; ratio =
# xpcache / dm-writecache, above 1 when xpcache is faster: IOPS or MiB/s
# for the fio jobs, dm-writecache's time / xpcache's for recover),
# OUTDIR/writecache-bench.dat, and the guests' logs under
# OUTDIR/writecache-logs/. See docs/performance.md ("writecache").
set -uo pipefail

xb_prog=writecache-bench
# shellcheck source=bench/lib.sh
source "$(dirname "$0")/lib.sh"

usage() {
	cat <<EOF
Usage: $0 [options]

Measure the xpcache target against dm-writecache in a qemu guest, in SSD
(s) and pmem (p) mode: 4 KiB random writes at iodepth 1, 16 and 64, FUA
writes, write+fsync and O_DSYNC writes, 1 MiB sequential writes, random
reads of cached data, a 70/30 read/write mix, and the recovery time after
a power cut with 1 GiB dirty; guest CPU time per I/O beside each figure.

  -k, --series LIST      guest kernels: 6.1, 6.12, both, or versions,
                         comma- or space-separated (default 6.1; env
                         XP_WCB_SERIES)
  -r, --reps N           repetitions, medians reported (default 2: each
                         target goes first once)
      --runtime SECONDS  what each job measures at most (default 5)
      --ramp SECONDS     random jobs run this long before measuring (default 1)
      --modes LIST       cache modes, s and/or p (default "s p")
      --jobs LIST        qd1 qd16 qd64 fua sync dsync seq read mix recover
                         (the default) and fill (writes twice the cache:
                         writeback bandwidth)
      --fua fua|nofua    the tables' optional argument (default nofua;
                         dm-writecache takes it in mode p only)
      --recover-mib MIB  what recover leaves dirty (default 1024; the
                         cache must be at least 2.4 times as big)
      --recover-reps N   recover's repetitions (default 1: two boots per
                         repetition, mode and target)
      --cpu MODEL        the guest's qemu CPU model (default max)
      --cache-size MIB   cache disk and NVDIMM size (default 2560)
      --smp N            guest vCPUs (default 1)
      --mem SIZE         guest memory (default 1G)
  -o, --outdir DIR       results directory (default build/bench)
      --idle-wait SEC    before each guest, wait up to SEC s for idle CPUs
                         (default 60; 0: do not wait)
      --vm-timeout SEC   limit for each guest (default: from the above)
  -h, --help
EOF
}

ALL_JOBS="qd1 qd16 qd64 fua sync dsync seq read mix recover fill"
SERIES=${XP_WCB_SERIES:-6.1}
REPS=2
RUNTIME=5
RAMP=1
MODES="s p"
JOBS="qd1 qd16 qd64 fua sync dsync seq read mix recover"
FUA=nofua
REC_MIB=1024
REC_REPS=1
CPU=max
CACHE_MIB=2560
SMP=1
MEM=1G
OUTDIR=$XB_BUILD/bench
IDLE_WAIT=60
VM_TIMEOUT=

while (($#)); do
	case $1 in
	-k | --series) SERIES=${2:-}; shift ;;
	-r | --reps) REPS=${2:-}; shift ;;
	--runtime) RUNTIME=${2:-}; shift ;;
	--ramp) RAMP=${2:-}; shift ;;
	--modes) MODES=${2:-}; shift ;;
	--jobs) JOBS=${2:-}; shift ;;
	--fua) FUA=${2:-}; shift ;;
	--recover-mib) REC_MIB=${2:-}; shift ;;
	--recover-reps) REC_REPS=${2:-}; shift ;;
	--cpu) CPU=${2:-}; shift ;;
	--cache-size) CACHE_MIB=${2:-}; shift ;;
	--smp) SMP=${2:-}; shift ;;
	--mem) MEM=${2:-}; shift ;;
	-o | --outdir) OUTDIR=${2:-}; shift ;;
	--idle-wait) IDLE_WAIT=${2:-}; shift ;;
	--vm-timeout) VM_TIMEOUT=${2:-}; shift ;;
	-h | --help) usage; exit 0 ;;
	*) usage >&2; die "unknown option '$1'" ;;
	esac
	shift
done

SERIES=${SERIES//,/ } MODES=${MODES//,/ } JOBS=${JOBS//,/ }
[[ $SERIES == both ]] && SERIES="6.1 6.12"
[[ -n ${SERIES// /} ]] || die "--series needs 6.1, 6.12, both or kernel versions"
[[ $REPS =~ ^[1-9][0-9]*$ && $REPS -le 50 ]] || die "--reps '$REPS' must be 1..50"
[[ $RUNTIME =~ ^[1-9][0-9]*$ && $RUNTIME -le 600 ]] || die "--runtime '$RUNTIME' must be 1..600 seconds"
[[ $RAMP =~ ^[0-9]+$ && $RAMP -le 60 ]] || die "--ramp '$RAMP' must be 0..60 seconds"
[[ $SMP =~ ^[1-9][0-9]*$ ]] || die "--smp '$SMP' must be a positive whole number"
[[ $CACHE_MIB =~ ^[1-9][0-9]*$ && $CACHE_MIB -ge 64 ]] ||
	die "--cache-size '$CACHE_MIB' must be a number of MiB, at least 64"
[[ $FUA == fua || $FUA == nofua ]] || die "--fua '$FUA': use fua or nofua"
[[ $CPU =~ ^[A-Za-z0-9_.,=+-]+$ ]] || die "--cpu '$CPU': give a qemu CPU model, such as max"
[[ $REC_MIB =~ ^[1-9][0-9]*$ ]] || die "--recover-mib '$REC_MIB' must be a positive number of MiB"
[[ $REC_REPS =~ ^[1-9][0-9]*$ && $REC_REPS -le 50 ]] || die "--recover-reps '$REC_REPS' must be 1..50"
[[ $IDLE_WAIT =~ ^[0-9]+$ ]] || die "--idle-wait '$IDLE_WAIT' must be a whole number of seconds"
[[ -z $VM_TIMEOUT || $VM_TIMEOUT =~ ^[1-9][0-9]*$ ]] ||
	die "--vm-timeout '$VM_TIMEOUT' must be a positive whole number of seconds"
for m in $MODES; do
	[[ $m == s || $m == p ]] || die "mode '$m': use s (cache on a disk) and/or p (cache on an NVDIMM)"
done
[[ -n ${MODES// /} ]] || die "--modes needs s and/or p"
[[ -n ${JOBS// /} ]] || die "--jobs needs at least one of $ALL_JOBS"
FIO_JOBS='' RECOVER=0
for j in $JOBS; do
	[[ " $ALL_JOBS " == *" $j "* ]] || die "job '$j': use some of $ALL_JOBS"
	if [[ $j == recover ]]; then
		RECOVER=1
	else
		FIO_JOBS+="${FIO_JOBS:+ }$j"
	fi
done
# recover's data must stay below the 45 % low watermark of a namespace a
# little smaller than the NVDIMM, xpcache's record headers included.
((!RECOVER || REC_MIB * 240 <= CACHE_MIB * 100)) ||
	die "--recover-mib $REC_MIB needs a cache of at least $((REC_MIB * 240 / 100)) MiB (--cache-size is $CACHE_MIB): all of it must stay dirty, below the low watermark"
command -v qemu-system-x86_64 >/dev/null || die "qemu-system-x86_64 is missing; run make deps"
command -v fio >/dev/null || die "fio is missing (it goes into the guest); run make deps"
command -v dmsetup >/dev/null || die "dmsetup is missing (it goes into the guest); run make deps"
[[ " $MODES " == *" p "* ]] && ! command -v ndctl >/dev/null &&
	die "ndctl is missing (mode p makes an fsdax namespace with it); run make deps"

XPVM=$XB_ROOT/tests/vm/xpvm
GUEST=$XB_ROOT/bench/guest/writecache-bench.sh
# kmod/build.sh and xpvm find build/ through XP_BUILD, as lib.sh does.
export XP_BUILD=$XB_BUILD

xb_results writecache
IMG=$(mktemp -d "${TMPDIR:-/tmp}/xp-wcbench.XXXXXX") || die "cannot create a directory for the disk images"
on_exit rm -rf "$IMG"

# The origin holds what fill writes (twice the cache) and more.
ORIGIN_MIB=$((CACHE_MIB * 5 / 2))
((ORIGIN_MIB >= 2048)) || ORIGIN_MIB=2048

njobs=$(wc -w <<<"$FIO_JOBS")
nmodes=$(wc -w <<<"$MODES")
if [[ -z $VM_TIMEOUT ]]; then
	# Per measurement: the job, then zeroing, creating and removing the
	# target under TCG on a busy machine; read writes its region first;
	# fill runs up to 6 x runtime.
	per=$((RAMP + RUNTIME + 40))
	[[ " $FIO_JOBS " == *" read "* ]] && per=$((per + 30))
	[[ " $FIO_JOBS " == *" fill "* ]] && per=$((per + 5 * RUNTIME + 60))
	VM_TIMEOUT=$((300 + nmodes * REPS * njobs * 2 * per))
	# A recovery boot: boot, namespace, recovery, and a fill.
	REC_TIMEOUT=$((600 + REC_MIB / 2))
else
	REC_TIMEOUT=$VM_TIMEOUT
fi

# wait_idle: wait for a quiet machine within reason (xb_wait_idle); BUSY
# is how busy it was.
wait_idle() {
	xb_wait_idle "$IDLE_WAIT" "the guest started"
	BUSY=$XB_BUSY
}

# Every measurement: "KVER MODE JOB TARGET REP VALUE KIB RUNTIME_MS IOS
# CPU_US_PER_IO USED TOTAL WB FLAG" in $RES; every recovery: "KVER MODE
# TARGET REP MS USED" in $REC.
RES=$LOGS/results
REC=$LOGS/recover
: >"$RES"
: >"$REC"

# guest NAME LOG TIMEOUT ENV...: one guest on the images in $IMG, its
# xpvm output in LOG and its console in LOG.console; status in GRC.
guest() {
	local name=$1 log=$2 timeout=$3 e envs=()
	shift 3
	for e in "$@"; do
		envs+=(-e "$e")
	done
	local devs=(--disk "$IMG/origin.img:${ORIGIN_MIB}M")
	[[ " $MODES " == *" s "* ]] && devs+=(--disk "$IMG/cache.img:${CACHE_MIB}M")
	[[ " $MODES " == *" p "* ]] && devs+=(--nvdimm "$IMG/nvdimm.img:${CACHE_MIB}M")
	GRC=0
	# libcrc32c where the kernel has it as a module, loaded before our
	# module is inserted; its soft dependencies load crc32c_intel first,
	# which fails harmlessly on a CPU without SSE4.2 (--cpu qemu64).
	"$XPVM" run -k "$KVER" -m "dm_mod dm_writecache ?libcrc32c" \
		-b "dmsetup fio ndctl" --kmod --cpu "$CPU" --name "$name" -t "$timeout" \
		--smp "$SMP" --mem "$MEM" --log "$log.console" "${devs[@]}" \
		-e "XP_WCB_MODES=$MODES" -e "XP_WCB_REPS=$REPS" -e "XP_WCB_RUNTIME=$RUNTIME" \
		-e "XP_WCB_RAMP=$RAMP" -e "XP_WCB_FUA=$FUA" -e "XP_WCB_REC_MIB=$REC_MIB" \
		${envs[@]+"${envs[@]}"} "$GUEST" >"$log" 2>&1 || GRC=$?
}

# guest_failed NAME LOG WHY: show the guest's log and fail.
guest_failed() {
	grep -v '^\[[^]]*\] \(status\|+ \|---\|origin \)' "$2" | tail -n 80 | sed 's/^/    /' >&2
	grep "^\[$1\] FAIL: " "$2" | sed 's/^/    /' >&2
	die "$3; log: $2"
}

# info_lines NAME LOG: keep the guest's WCB-INFO lines, repeat its warnings.
info_lines() {
	sed -n "s/^\[$1\] WCB-INFO /$KVER /p" "$2" >>"$LOGS/info"
	sed -n "s/^\[$1\] WCB-WARN /$KVER: /p" "$2" >>"$LOGS/warnings"
}

# bench_jobs: the measuring guest (the fio jobs).
bench_jobs() {
	local name=wcb-${KVER%%[-+]*} log n want t0
	log=$LOGS/guest-$KVER.log
	wait_idle
	info "$KVER guest (TCG, -cpu $CPU, $SMP vCPU, $MEM): modes '$MODES', jobs '$FIO_JOBS', $REPS" \
		"repetition(s), ${RUNTIME} s each (+${RAMP} s ramp for the 4 KiB jobs), timeout $VM_TIMEOUT s"
	t0=$SECONDS
	guest "$name" "$log" "$VM_TIMEOUT" "XP_WCB_JOBS=$FIO_JOBS"
	SECS[$KVER]=$((SECONDS - t0))
	BUSYAT[$KVER]=$BUSY
	if ((GRC)) || ! grep -q "^\[$name\] WCB-END" "$log"; then
		guest_failed "$name" "$log" "the $KVER guest failed (status $GRC) before it measured everything"
	fi
	info_lines "$name" "$log"
	# "[name] WCB mode job target rep value kib ms ios cpu used total wb
	# flag", whole lines only: anything else (a kernel message run into
	# one) is refused.
	sed -n "s/^\[$name\] \(WCB .*\)/\1/p" "$log" | awk -v k="$KVER" '
		NF == 14 && $2 ~ /^[sp]$/ && $5 ~ /^[0-9]+$/ && $6 ~ /^[0-9.]+$/ &&
		$10 ~ /^([0-9.]+|-)$/ && $14 ~ /^[-wr]$/ {
			$1 = k; print; next }
		{ print "bad line: " $0 > "/dev/stderr"; bad = 1 }
		END { exit bad }' >>"$RES" || die "unreadable result lines in $log"
	n=$(awk -v k="$KVER" '$1 == k' "$RES" | wc -l)
	want=$((nmodes * njobs * 2 * REPS))
	((n == want)) || die "$KVER: $n measurements in $log, expected $want"
}

# bench_recover: the recovery boots. Boot i recovers what boot i-1 left
# dirty (if any) and fills the next target (if any), then cuts its power.
bench_recover() {
	local steps=() rep mode i prev next name log out t0 boot
	for mode in $MODES; do
		for ((rep = 1; rep <= REC_REPS; rep++)); do
			if ((rep % 2)); then
				steps+=("xpcache $mode $rep" "writecache $mode $rep")
			else
				steps+=("writecache $mode $rep" "xpcache $mode $rep")
			fi
		done
	done
	info "$KVER: recovery after a power cut with $REC_MIB MiB dirty: ${#steps[@]} fills, $((${#steps[@]} + 1)) boots"
	t0=$SECONDS
	for ((i = 0; i <= ${#steps[@]}; i++)); do
		prev='' next=''
		((i > 0)) && prev=${steps[i - 1]}
		((i < ${#steps[@]})) && next=${steps[i]}
		boot=$((i + 1))
		name=wcbr-${KVER%%[-+]*}
		log=$LOGS/recover-$KVER-$boot.log
		wait_idle
		info "$KVER recovery boot $boot: ${prev:+recover ${prev% *}${next:+, then }}${next:+fill ${next% *} and cut the power}"
		guest "$name" "$log" "$REC_TIMEOUT" "XP_WCB_RECOVER=${prev% *}" "XP_WCB_CRASH=${next% *}" \
			"XP_WCB_REP=${prev##* }"
		# A boot that filled a target has no result (it powered off
		# without one): its console must show the fill and no crash.
		# Its output, then, is what the console shows after XPVM-BEGIN.
		out=$log
		if [[ -n $next ]]; then
			out=$log.out
			sed -n "/^XPVM-BEGIN /,\$p" "$log.console" | sed "s/^/[$name] /" >"$out"
			grep -q "^\[$name\] WCB-CRASH " "$out" ||
				guest_failed "$name" "$log" "$KVER recovery boot $boot did not fill ${next% *} and cut its power (status $GRC)"
			! grep -qE 'Kernel panic - |BUG: |Oops: |general protection fault|WARNING: |Call Trace:' "$log.console" ||
				guest_failed "$name" "$log.console" "$KVER recovery boot $boot: the kernel complained"
		elif ((GRC)) || ! grep -q "^\[$name\] WCB-END" "$log"; then
			guest_failed "$name" "$log" "$KVER recovery boot $boot failed (status $GRC)"
		fi
		# The set-up's lines once, when no measuring guest gave them.
		[[ -z $FIO_JOBS && $boot == 1 ]] && info_lines "$name" "$out"
		sed -n "s/^\[$name\] WCB-WARN /$KVER: /p" "$out" >>"$LOGS/warnings"
		if [[ -n $prev ]]; then
			sed -n "s/^\[$name\] \(WCB-REC .*\)/\1/p" "$out" | awk -v k="$KVER" '
				NF == 6 && $2 ~ /^[sp]$/ && $5 ~ /^[0-9]+$/ { $1 = k; print; next }
				{ print "bad line: " $0 > "/dev/stderr"; bad = 1 }
				END { exit bad || NR != 1 }' >>"$REC" ||
				die "$KVER recovery boot $boot: no single readable WCB-REC line in $out"
		fi
	done
	RSECS[$KVER]=$((SECONDS - t0))
}

# bench_series SERIES: build the module, boot the guests, collect their lines.
bench_series() {
	KVER=$("$XPVM" kernel "$1") || die "cannot fetch the Debian kernel '$1' (see above)"
	info "$KVER: building xp_writecache.ko (kmod/build.sh $KVER)"
	"$XB_ROOT/kmod/build.sh" "$KVER" >"$LOGS/kmod-$KVER.log" 2>&1 || {
		tail -n 20 "$LOGS/kmod-$KVER.log" | sed 's/^/    /' >&2
		die "kmod/build.sh $KVER failed (log: $LOGS/kmod-$KVER.log)"
	}
	[[ -f $XB_BUILD/kmod/$KVER/xp_writecache.ko ]] ||
		die "kmod/build.sh $KVER did not produce $XB_BUILD/kmod/$KVER/xp_writecache.ko"
	rm -f "$IMG"/*.img
	SECS[$KVER]=0 RSECS[$KVER]=0 BUSYAT[$KVER]='?'
	[[ -n $FIO_JOBS ]] && bench_jobs
	((RECOVER)) && bench_recover
	KVERS+=("$KVER")
}

declare -A SECS RSECS BUSYAT
KVERS=()
BUSY='?'
: >"$LOGS/info"
: >"$LOGS/warnings"
info "xpcache against dm-writecache, tree $REV; cache $CACHE_MIB MiB, origin $ORIGIN_MIB MiB, $FUA, -cpu $CPU"
for s in $SERIES; do
	bench_series "$s"
done

# --- report ---------------------------------------------------------------

# med KVER MODE JOB TARGET [COLUMN]: the median over the repetitions of
# the value (or of COLUMN of the result lines; "-" values left out).
med() {
	# shellcheck disable=SC2207
	local v=($(awk -v k="$1" -v m="$2" -v j="$3" -v t="$4" -v c="${5:-6}" \
		'$1 == k && $2 == m && $3 == j && $4 == t && $c != "-" { print $c }' "$RES"))
	((${#v[@]})) || return 1
	median "${v[@]}"
}

# rmed KVER MODE TARGET: the median recovery time, ms.
rmed() {
	# shellcheck disable=SC2207
	local v=($(awk -v k="$1" -v m="$2" -v t="$3" '$1 == k && $2 == m && $3 == t { print $5 }' "$REC"))
	((${#v[@]})) || return 1
	median "${v[@]}"
}

# flags KVER MODE JOB: the measurements' flags other than "-", counted.
flags() {
	awk -v k="$1" -v m="$2" -v j="$3" '$1 == k && $2 == m && $3 == j && $14 != "-" {
		n[$4 == "xpcache" ? "xp:" $14 : "dm:" $14]++ }
		END { for (f in n) { printf "%s%s%dx", s, f, n[f]; s = " " } }' "$RES"
}

label() {
	case $1 in
	qd1) echo "4k randwrite qd1 [IOPS]" ;;
	qd16) echo "4k randwrite qd16 [IOPS]" ;;
	qd64) echo "4k randwrite qd64 [IOPS]" ;;
	fua) echo "4k randwrite qd1 FUA [IOPS]" ;;
	sync) echo "4k randwrite qd1 +fsync [IOPS]" ;;
	dsync) echo "4k randwrite psync O_DSYNC [IOPS]" ;;
	seq) echo "1M write qd4 [MiB/s]" ;;
	read) echo "4k randread qd16, cached [IOPS]" ;;
	mix) echo "4k randrw 70/30 qd16 [IOPS]" ;;
	fill) echo "1M write qd4, 2x cache [MiB/s]" ;;
	esac
}

SLOWER=()
{
	echo "# writecache-bench: $DATE, host $(uname -r), $(nproc) CPUs, tree $REV"
	echo "# guest: TCG, -cpu $CPU, $SMP vCPU, $MEM; origin $ORIGIN_MIB MiB virtio-blk; cache $CACHE_MIB MiB (s: virtio-blk, p: NVDIMM fsdax)"
	echo "# jobs '$JOBS', runtime $RUNTIME s, ramp $RAMP s, $REPS repetitions (ABBA), $FUA; recover: $REC_MIB MiB, $REC_REPS repetition(s)"
	sed 's/^/# info /' "$LOGS/info"
	sed 's/^/# warning /' "$LOGS/warnings"
	echo "# kver mode job target rep value kib runtime_ms ios cpu_us_per_io used_blocks total_blocks writeback_blocks flag"
	cat "$RES"
	echo "# recover: kver mode target rep create_ms used_blocks"
	sed 's/^/recover /' "$REC"
} >"$DAT"

fmt() { awk -v v="$1" 'BEGIN { printf (v >= 100 ? "%.0f" : "%.1f"), v }'; }

echo
for kver in "${KVERS[@]}"; do
	echo "writecache-bench: $kver guest under qemu TCG, -cpu $CPU, $SMP vCPU; origin ${ORIGIN_MIB} MiB virtio-blk;"
	echo "                  cache ${CACHE_MIB} MiB: s = virtio-blk disk, p = NVDIMM (fsdax namespace); $FUA"
	awk -v k="$kver" '$1 == k && ($2 == "crc32c" || $4 == "table") && !seen[$0]++ {
		sub(/^[^ ]* /, "                  "); print }' "$LOGS/info"
	if [[ -n $FIO_JOBS ]]; then
		printf '%-4s %-32s %10s %14s %7s %15s  %-11s %s\n' mode job xpcache dm-writecache ratio \
			"us CPU/IO xp/dm" "measured s" flags
		for mode in $MODES; do
			for job in $FIO_JOBS; do
				ours=$(med "$kver" "$mode" "$job" xpcache) || die "$kver mode $mode $job: no xpcache result"
				ref=$(med "$kver" "$mode" "$job" writecache) || die "$kver mode $mode $job: no dm-writecache result"
				ratio=$(awk -v a="$ours" -v b="$ref" 'BEGIN { if (b + 0 == 0) print "-"; else printf "%.2f", a / b }')
				secs=$(awk -v a="$(med "$kver" "$mode" "$job" xpcache 8)" \
					-v b="$(med "$kver" "$mode" "$job" writecache 8)" 'BEGIN { printf "%.1f/%.1f", a / 1000, b / 1000 }')
				cpu="$(med "$kver" "$mode" "$job" xpcache 10 || echo -)/$(med "$kver" "$mode" "$job" writecache 10 || echo -)"
				printf '%-4s %-32s %10s %14s %7s %15s  %-11s %s\n' "$mode" "$(label "$job")" "$(fmt "$ours")" \
					"$(fmt "$ref")" "$ratio" "$cpu" "$secs" "$(flags "$kver" "$mode" "$job")"
				awk -v r="$ratio" 'BEGIN { exit !(r != "-" && r < 1) }' &&
					SLOWER+=("$kver mode $mode $job: xpcache $(fmt "$ours"), dm-writecache $(fmt "$ref") ($ratio)")
			done
		done
		echo "                  (medians of $REPS repetitions, ${RUNTIME} s per job; guest took ${SECS[$kver]} s;" \
			"busiest host CPU before: ${BUSYAT[$kver]}%)"
	fi
	if ((RECOVER)); then
		printf '%-4s %-32s %10s %14s %7s\n' mode "recovery, $REC_MIB MiB dirty [ms]" xpcache dm-writecache "dm/xp"
		for mode in $MODES; do
			ours=$(rmed "$kver" "$mode" xpcache) || die "$kver mode $mode: no xpcache recovery time"
			ref=$(rmed "$kver" "$mode" writecache) || die "$kver mode $mode: no dm-writecache recovery time"
			ratio=$(awk -v a="$ours" -v b="$ref" 'BEGIN { if (a + 0 == 0) print "-"; else printf "%.2f", b / a }')
			printf '%-4s %-32s %10s %14s %7s\n' "$mode" "dmsetup create after a power cut" "$(fmt "$ours")" \
				"$(fmt "$ref")" "$ratio"
			awk -v r="$ratio" 'BEGIN { exit !(r != "-" && r < 1) }' &&
				SLOWER+=("$kver mode $mode recover: xpcache $(fmt "$ours") ms, dm-writecache $(fmt "$ref") ms ($ratio)")
		done
		echo "                  (dm/xp: dm-writecache's time over xpcache's, above 1 when xpcache recovers"
		echo "                  faster; medians of $REC_REPS; the recovery boots took ${RSECS[$kver]} s)"
	fi
	echo
done
echo "flags: xp:w2x = 2 xpcache measurements had writeback running (the figure measures writeback);"
echo "       r = some reads of the read job missed the cache. CPU/IO: the guest's busy CPU time per I/O."
while read -r line; do
	warn "$line"
done <"$LOGS/warnings"
for s in ${SLOWER[@]+"${SLOWER[@]}"}; do
	warn "xpcache slower than dm-writecache: $s"
done
echo "data: $DAT, logs: $LOGS"
exit 0
