#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# writecache-bench: our device-mapper write-back cache (kmod/writecache,
# target xpcache) against Linux's dm-writecache (target writecache), in the
# same guest on the same devices:
#
#   one guest of the VM test bed (Debian kernel, qemu TCG) with
#     /dev/vda    origin, a virtio-blk disk (raw file, cache=unsafe)
#     /dev/vdb    cache for mode s, a virtio-blk disk of --cache-size
#     /dev/pmem0  cache for mode p, an fsdax namespace on an NVDIMM of
#                 --cache-size
#
# For each mode, repetition and fio job, each target runs on a freshly
# zeroed cache with the same table (block size 4096, no optional
# arguments); the targets take turns going first. The guest side is
# bench/guest/writecache-bench.sh, which describes the jobs.
#
# Results: a table on stdout (medians over the repetitions; ratio =
# xpcache / dm-writecache), OUTDIR/writecache-bench.dat, and the guests'
# logs under OUTDIR/writecache-logs/. See docs/performance.md ("writecache").
set -uo pipefail

xb_prog=writecache-bench
# shellcheck source=bench/lib.sh
source "$(dirname "$0")/lib.sh"

usage() {
	cat <<EOF
Usage: $0 [options]

Measure the xpcache target against dm-writecache in a qemu guest: 4 KiB
random write IOPS (iodepth 16), 4 KiB write+fsync and O_DSYNC IOPS
(iodepth 1), and 1 MiB sequential write bandwidth, in SSD (s) and pmem (p)
mode.

  -k, --series LIST      guest kernels: 6.1, 6.12, both, or versions,
                         comma- or space-separated (default 6.1; env
                         XP_WCB_SERIES)
  -r, --reps N           repetitions, medians reported (default 3)
      --runtime SECONDS  what each job measures at most (default 10)
      --ramp SECONDS     random jobs run this long before measuring (default 1)
      --modes LIST       cache modes, s and/or p (default "s p")
      --jobs LIST        rand sync dsync seq fill (default "rand sync dsync seq";
                         fill writes twice the cache: writeback bandwidth)
      --cache-size MIB   cache disk and NVDIMM size (default 2048)
      --smp N            guest vCPUs (default 1)
      --mem SIZE         guest memory (default 1G)
  -o, --outdir DIR       results directory (default build/bench)
      --idle-wait SEC    before each guest, wait up to SEC s for idle CPUs
                         (default 60; 0: do not wait)
      --vm-timeout SEC   limit for each guest (default: from the above)
  -h, --help
EOF
}

SERIES=${XP_WCB_SERIES:-6.1}
REPS=3
RUNTIME=10
RAMP=1
MODES="s p"
JOBS="rand sync dsync seq"
CACHE_MIB=2048
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
[[ $IDLE_WAIT =~ ^[0-9]+$ ]] || die "--idle-wait '$IDLE_WAIT' must be a whole number of seconds"
[[ -z $VM_TIMEOUT || $VM_TIMEOUT =~ ^[1-9][0-9]*$ ]] ||
	die "--vm-timeout '$VM_TIMEOUT' must be a positive whole number of seconds"
for m in $MODES; do
	[[ $m == s || $m == p ]] || die "mode '$m': use s (cache on a disk) and/or p (cache on an NVDIMM)"
done
[[ -n ${MODES// /} ]] || die "--modes needs s and/or p"
for j in $JOBS; do
	[[ $j =~ ^(rand|sync|dsync|seq|fill)$ ]] || die "job '$j': use rand, sync, dsync, seq or fill"
done
[[ -n ${JOBS// /} ]] || die "--jobs needs at least one of rand, sync, dsync, seq, fill"
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

njobs=$(wc -w <<<"$JOBS")
nmodes=$(wc -w <<<"$MODES")
if [[ -z $VM_TIMEOUT ]]; then
	# Per measurement: the job, then zeroing, creating and removing the
	# target under TCG on a busy machine; fill runs up to 6 x runtime.
	per=$((RAMP + RUNTIME + 40))
	[[ " $JOBS " == *" fill "* ]] && per=$((per + 5 * RUNTIME + 60))
	VM_TIMEOUT=$((300 + nmodes * REPS * njobs * 2 * per))
fi

# wait_idle: wait for a quiet machine within reason (xb_wait_idle); BUSY
# is how busy it was.
wait_idle() {
	xb_wait_idle "$IDLE_WAIT" "the guest started"
	BUSY=$XB_BUSY
}

# Every measurement: "KVER MODE JOB TARGET REP VALUE WRITE_KIB RUNTIME_MS
# USED TOTAL WB" in $RES.
RES=$LOGS/results
: >"$RES"

# bench_series SERIES: build the module, boot one guest, collect its lines.
bench_series() {
	local series=$1 kver log rc=0 t0 name n want
	kver=$("$XPVM" kernel "$series") || die "cannot fetch the Debian kernel '$series' (see above)"
	info "$kver: building xp_writecache.ko (kmod/build.sh $kver)"
	"$XB_ROOT/kmod/build.sh" "$kver" >"$LOGS/kmod-$kver.log" 2>&1 || {
		tail -n 20 "$LOGS/kmod-$kver.log" | sed 's/^/    /' >&2
		die "kmod/build.sh $kver failed (log: $LOGS/kmod-$kver.log)"
	}
	[[ -f $XB_BUILD/kmod/$kver/xp_writecache.ko ]] ||
		die "kmod/build.sh $kver did not produce $XB_BUILD/kmod/$kver/xp_writecache.ko"

	rm -f "$IMG"/*.img
	local devs=(--disk "$IMG/origin.img:${ORIGIN_MIB}M")
	[[ " $MODES " == *" s "* ]] && devs+=(--disk "$IMG/cache.img:${CACHE_MIB}M")
	[[ " $MODES " == *" p "* ]] && devs+=(--nvdimm "$IMG/nvdimm.img:${CACHE_MIB}M")
	wait_idle
	name=wcb-${kver%%[-+]*}
	log=$LOGS/guest-$kver.log
	info "$kver guest (TCG, $SMP vCPU, $MEM): modes '$MODES', jobs '$JOBS', $REPS repetition(s)," \
		"${RUNTIME} s each (+${RAMP} s ramp for the random jobs), timeout $VM_TIMEOUT s"
	t0=$SECONDS
	"$XPVM" run -k "$kver" -m "dm_mod dm_writecache" -b "dmsetup fio ndctl" --kmod \
		--name "$name" -t "$VM_TIMEOUT" --smp "$SMP" --mem "$MEM" "${devs[@]}" \
		-e "XP_WCB_MODES=$MODES" -e "XP_WCB_JOBS=$JOBS" -e "XP_WCB_REPS=$REPS" \
		-e "XP_WCB_RUNTIME=$RUNTIME" -e "XP_WCB_RAMP=$RAMP" \
		"$GUEST" >"$log" 2>&1 || rc=$?
	SECS[$kver]=$((SECONDS - t0))
	BUSYAT[$kver]=$BUSY
	if ((rc)) || ! grep -q "^\[$name\] WCB-END" "$log"; then
		grep -v '^\[[^]]*\] \(status \|+ \|---\)' "$log" | tail -n 80 | sed 's/^/    /' >&2
		grep "^\[$name\] FAIL: " "$log" | sed 's/^/    /' >&2
		die "the $kver guest failed (status $rc) before it measured everything; log: $log"
	fi
	sed -n "s/^\[$name\] WCB-INFO /$kver /p" "$log" >>"$LOGS/info"
	# "[name] WCB mode job target rep value kib ms used total wb", whole
	# lines only: anything else (a kernel message run into one) is refused.
	sed -n "s/^\[$name\] \(WCB .*\)/\1/p" "$log" | awk -v k="$kver" '
		NF == 11 && $2 ~ /^[sp]$/ && $5 ~ /^[0-9]+$/ && $6 ~ /^[0-9.]+$/ {
			$1 = k; print; next }
		{ print "bad line: " $0 > "/dev/stderr"; bad = 1 }
		END { exit bad }' >>"$RES" || die "unreadable result lines in $log"
	n=$(awk -v k="$kver" '$1 == k' "$RES" | wc -l)
	want=$((nmodes * njobs * 2 * REPS))
	((n == want)) || die "$kver: $n measurements in $log, expected $want"
	KVERS+=("$kver")
}

declare -A SECS BUSYAT
KVERS=()
BUSY='?'
info "xpcache against dm-writecache, tree $REV; cache $CACHE_MIB MiB, origin $ORIGIN_MIB MiB"
for s in $SERIES; do
	bench_series "$s"
done

# --- report ---------------------------------------------------------------

# med KVER MODE JOB TARGET [COLUMN]: the median over the repetitions of
# the value (or of COLUMN of the result lines).
med() {
	# shellcheck disable=SC2207
	local v=($(awk -v k="$1" -v m="$2" -v j="$3" -v t="$4" -v c="${5:-6}" \
		'$1 == k && $2 == m && $3 == j && $4 == t { print $c }' "$RES"))
	((${#v[@]})) || return 1
	median "${v[@]}"
}

label() {
	case $1 in
	rand) echo "4k randwrite qd16 [IOPS]" ;;
	sync) echo "4k randwrite qd1 +fsync [IOPS]" ;;
	dsync) echo "4k randwrite qd1 O_DSYNC [IOPS]" ;;
	seq) echo "1M write qd4 [MiB/s]" ;;
	fill) echo "1M write qd4, 2x cache [MiB/s]" ;;
	esac
}

SLOWER=()
{
	echo "# writecache-bench: $DATE, host $(uname -r), $(nproc) CPUs, tree $REV"
	echo "# guest: TCG, $SMP vCPU, $MEM; origin $ORIGIN_MIB MiB virtio-blk; cache $CACHE_MIB MiB (s: virtio-blk, p: NVDIMM fsdax)"
	echo "# jobs '$JOBS', runtime $RUNTIME s, ramp $RAMP s, $REPS repetitions; table: 0 SECTORS TARGET MODE /dev/vda CACHE 4096 0"
	sed 's/^/# info /' "$LOGS/info"
	echo "# kver mode job target rep value write_kib runtime_ms used_blocks total_blocks writeback_blocks"
	cat "$RES"
} >"$DAT"

fmt() { awk -v v="$1" 'BEGIN { printf (v >= 100 ? "%.0f" : "%.1f"), v }'; }

echo
for kver in "${KVERS[@]}"; do
	echo "writecache-bench: $kver guest under qemu TCG, $SMP vCPU; origin ${ORIGIN_MIB} MiB virtio-blk;"
	echo "                  cache ${CACHE_MIB} MiB: s = virtio-blk disk, p = NVDIMM (fsdax namespace)"
	printf '%-4s %-32s %10s %14s %7s  %s\n' mode job xpcache dm-writecache ratio "measured s (xp/dm)"
	for mode in $MODES; do
		for job in $JOBS; do
			ours=$(med "$kver" "$mode" "$job" xpcache) || die "$kver mode $mode $job: no xpcache result"
			ref=$(med "$kver" "$mode" "$job" writecache) || die "$kver mode $mode $job: no dm-writecache result"
			ratio=$(awk -v a="$ours" -v b="$ref" 'BEGIN { if (b + 0 == 0) print "-"; else printf "%.2f", a / b }')
			secs=$(awk -v a="$(med "$kver" "$mode" "$job" xpcache 8)" \
				-v b="$(med "$kver" "$mode" "$job" writecache 8)" 'BEGIN { printf "%.1f/%.1f", a / 1000, b / 1000 }')
			printf '%-4s %-32s %10s %14s %7s  %s\n' "$mode" "$(label "$job")" "$(fmt "$ours")" "$(fmt "$ref")" \
				"$ratio" "$secs"
			awk -v r="$ratio" 'BEGIN { exit !(r != "-" && r < 1) }' &&
				SLOWER+=("$kver mode $mode $job: xpcache $(fmt "$ours"), dm-writecache $(fmt "$ref") ($ratio)")
		done
	done
	echo "                  (medians of $REPS repetitions, ${RUNTIME} s per job; guest took ${SECS[$kver]} s;" \
		"busiest host CPU before: ${BUSYAT[$kver]}%)"
	echo
done
for s in ${SLOWER[@]+"${SLOWER[@]}"}; do
	warn "xpcache slower than dm-writecache: $s"
done
echo "data: $DAT, logs: $LOGS"
exit 0
