#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# xdp-bench: xp-bench (AF_XDP, user space) against the in-kernel XDP
# references, measured in the same run on a veth pair of its own:
#
#   ns A: IFA 198.18.0.1/24  <-- veth -->  ns B: IFB 198.18.0.2/24
#
#   rxdrop  xp-gen on A (CPU 0) -> xp-bench rxdrop on B (CPU 1)
#           reference: the same xp-gen run -> xp-ref drop on B
#   l2fwd   xp-gen on A (CPU 0) -> xp-bench l2fwd on B (CPU 1) -> back to A,
#           counted there by xp-ref drop; reference: xp-ref tx on B
#   txonly  xp-bench txonly on A (CPU 0) -> xp-ref drop on B;
#           reference: xp-gen on A (CPU 0) -> the same xp-ref drop
#
# Results: a table on stdout, OUTDIR/xdp-bench.dat (summary over the runs),
# OUTDIR/xdp-bench-runs.dat (every run), OUTDIR/xdp-bench.png and .svg, and
# the tools' own JSON and stderr under OUTDIR/logs/. See docs/performance.md.
set -uo pipefail

xb_prog=xdp-bench
source "$(dirname "$0")/lib.sh"

usage() {
	cat <<EOF
Usage: $0 [options]

Measure xp-bench rxdrop, l2fwd and txonly against in-kernel references on a
veth pair in two network namespaces that the script creates and deletes.

  -d, --duration SECONDS   traffic time of each measurement (default 5)
  -s, --size BYTES         frame size without FCS (default 64)
  -o, --outdir DIR         results directory (default build/bench)
      --runs N             repeat everything N times, report medians (default 1)
      --no-plot            skip the gnuplot chart
      --bench-args ARGS    extra xp-bench options for every mode, e.g.
                           "-r 8192 -F 16384" for deeper rings (default none)
      --idle-wait SECONDS  before each measurement, wait up to this long for
                           the CPUs to be idle (default 20; 0: do not wait)
  -h, --help
EOF
}

DURATION=5
SIZE=64
OUTDIR=$XB_BUILD/bench
RUNS=1
PLOT=1
IDLE_WAIT=20
BENCH_ARGS=

while (($#)); do
	case $1 in
	-d | --duration) DURATION=${2:-}; shift ;;
	-s | --size) SIZE=${2:-}; shift ;;
	-o | --outdir) OUTDIR=${2:-}; shift ;;
	--runs) RUNS=${2:-}; shift ;;
	--no-plot) PLOT=0 ;;
	--idle-wait) IDLE_WAIT=${2:-}; shift ;;
	--bench-args) BENCH_ARGS=${2:-}; shift ;;
	-h | --help) usage; exit 0 ;;
	*) usage >&2; die "unknown option '$1'" ;;
	esac
	shift
done

[[ $DURATION =~ ^[0-9]+([.][0-9]+)?$ ]] && awk "BEGIN { exit !($DURATION >= 1) }" ||
	die "duration '$DURATION' must be a number of seconds, at least 1"
[[ $SIZE =~ ^[0-9]+$ ]] && ((SIZE >= 64 && SIZE <= 3000)) ||
	die "frame size '$SIZE' must be 64..3000 bytes (without FCS)"
[[ $RUNS =~ ^[0-9]+$ ]] && ((RUNS >= 1 && RUNS <= 100)) ||
	die "--runs '$RUNS' must be 1..100"
[[ -n $OUTDIR ]] || die "-o needs a directory"
[[ $IDLE_WAIT =~ ^[0-9]+$ ]] || die "--idle-wait '$IDLE_WAIT' must be a whole number of seconds"

((EUID == 0)) || die "needs root (network namespaces, XDP, AF_XDP); run it with sudo"
for t in xp-bench xp-gen xp-ref; do
	[[ -x $XB_BIN/$t ]] || die "$XB_BIN/$t is missing; build it with make (or make bench)"
done
for t in ip nsenter awk; do
	command -v "$t" >/dev/null || die "'$t' is not installed; run make deps"
done
if ((PLOT)) && ! command -v gnuplot >/dev/null; then
	die "gnuplot is not installed; run make deps (gnuplot-nox), or pass --no-plot"
fi

BENCH=$XB_BIN/xp-bench
GEN=$XB_BIN/xp-gen
REF=$XB_BIN/xp-ref

mkdir -p "$OUTDIR/logs" || die "cannot create $OUTDIR/logs"
OUTDIR=$(cd "$OUTDIR" && pwd)
LOGS=$OUTDIR/logs
rm -f "$LOGS"/run*-*

# --- test bed -----------------------------------------------------------------

TAG=$$
NSA=xpbenchA$TAG
NSB=xpbenchB$TAG
IFA=xba$TAG
IFB=xbb$TAG
IFA=${IFA:0:15} IFB=${IFB:0:15}
IPA=198.18.0.1
IPB=198.18.0.2

make_ns "$NSA" && make_ns "$NSB" || die "cannot create network namespaces $NSA, $NSB"
# No IPv6 on the pair: router and neighbour solicitations would be counted by
# the reference programs as frames that nobody sent.
for ns in "$NSA" "$NSB"; do
	nsx "$ns" sysctl -qw net.ipv6.conf.default.disable_ipv6=1 net.ipv6.conf.all.disable_ipv6=1 ||
		die "cannot disable IPv6 in $ns"
done
make_veth "$NSA" "$IFA" $IPA/24 "$NSB" "$IFB" $IPB/24 ||
	die "cannot create the veth pair $IFA/$IFB"
if ((SIZE > 1514)); then
	ip -n "$NSA" link set "$IFA" mtu $((SIZE - 14)) &&
		ip -n "$NSB" link set "$IFB" mtu $((SIZE - 14)) ||
		die "cannot raise the MTU to $((SIZE - 14)) for $SIZE-byte frames"
fi
MACA=$(link_mac "$NSA" "$IFA")
MACB=$(link_mac "$NSB" "$IFB")
[[ -n $MACA && -n $MACB ]] || die "cannot read the MAC addresses of $IFA and $IFB"
# Static neighbours: the generator and xp-bench txonly look the peer up.
ip -n "$NSA" neigh replace $IPB lladdr "$MACB" dev "$IFA" nud permanent &&
	ip -n "$NSB" neigh replace $IPA lladdr "$MACA" dev "$IFB" nud permanent ||
	die "cannot add static neighbour entries"

# --- tools ---------------------------------------------------------------------

# gen LOG CPU: xp-gen from A to B for DURATION seconds, JSON in LOG.json.
gen() {
	if ! nsx "$NSA" "$GEN" -i "$IFA" --dst-mac "$MACB" --src-ip $IPA --dst-ip $IPB \
		-s "$SIZE" -d "$DURATION" --cpu "$2" --json >"$1.json" 2>"$1.err"; then
		echo "$xb_prog: xp-gen failed:" >&2
		sed 's/^/    /' "$1.err" >&2
		return 1
	fi
	GEN_ELAPSED=$(json_num "$1.json" elapsed_s) &&
		GEN_GENERATED=$(json_num "$1.json" generated) &&
		GEN_SENT=$(json_num "$1.json" sent) &&
		GEN_XMIT_DROPPED=$(json_num "$1.json" xmit_dropped) || {
		echo "$xb_prog: cannot read xp-gen's result in $1.json" >&2
		return 1
	}
	# Kernels without the transmit counter: everything generated counts as sent.
	[[ $GEN_SENT == null ]] && GEN_SENT=$GEN_GENERATED GEN_XMIT_DROPPED=0
	# Frames veth refused (the peer's ring was full) never count as sent.
	((GEN_XMIT_DROPPED == 0)) ||
		info "  xp-gen: $GEN_XMIT_DROPPED of $GEN_GENERATED frames refused by veth (peer ring full), not counted as sent"
	return 0
}

# ref_attach NS IF KIND / ref_detach NS IF
ref_attach() {
	local err
	err=$(nsx "$1" "$REF" attach "$2" "$3" 2>&1) || {
		echo "$xb_prog: xp-ref attach $2 $3 failed: $err" >&2
		return 1
	}
}
ref_detach() {
	local err
	err=$(nsx "$1" "$REF" detach "$2" 2>&1) || {
		echo "$xb_prog: xp-ref detach $2 failed: $err" >&2
		return 1
	}
}

# ref_count NS IF: the reference program's packet counter.
ref_count() {
	local out v
	out=$(nsx "$1" "$REF" stats "$2" --json 2>&1) || {
		echo "$xb_prog: xp-ref stats $2 failed: $out" >&2
		return 1
	}
	v=$(grep -o '"packets":[0-9]*' <<<"$out" | cut -d: -f2)
	[[ -n $v ]] || {
		echo "$xb_prog: no packet counter in xp-ref's output: $out" >&2
		return 1
	}
	echo "$v"
}

# ref_settled NS IF: the counter once it stopped moving (frames in flight
# arrive), waiting at most 2 s.
ref_settled() {
	local a b i
	a=$(ref_count "$1" "$2") || return 1
	for ((i = 0; i < 20; i++)); do
		sleep 0.1
		b=$(ref_count "$1" "$2") || return 1
		[[ $a == "$b" ]] && break
		a=$b
	done
	echo "$b"
}

# bench_start NAME NS LOG ARGS...: xp-bench in NS, in the background, until
# it says it is ready. It stops at SIGINT (bench_stop) or after a safety
# timeout.
bench_start() {
	local name=$1 ns=$2 log=$3
	shift 3
	# shellcheck disable=SC2086 # BENCH_ARGS is a list of options
	start_bg "$name" "$log.json" "$log.err" nsenter --net="/run/netns/$ns" -- \
		"$BENCH" "$@" $BENCH_ARGS -j
	wait_ready "$name" "xp-bench $*" "$log.err" 20 ", ready"
}

# bench_stop NAME LOG: stop it and check its summary is there.
bench_stop() {
	stop_bg "$1" "xp-bench ($1)" "$2.err" || return 1
	json_num "$2.json" rx_packets >/dev/null || {
		echo "$xb_prog: xp-bench ($1) printed no JSON summary; its stderr:" >&2
		sed 's/^/    /' "$2.err" >&2
		return 1
	}
}

# Each measurement appends one line to RUNS_DAT (columns in its header).
record() {
	printf '%s\n' "$*" >>"$RUNS_DAT"
}

pps() { calc "$1 / $2"; }

# counted N WHAT: fail when a reference counted nothing (no ratio to take).
counted() {
	(($1 > 0)) && return 0
	echo "$xb_prog: $2 counted no frames; the traffic did not arrive (logs in $LOGS)" >&2
	return 1
}

# --- measurements ---------------------------------------------------------------

measure_rxdrop() {
	local r=$1 log=$LOGS/run$1-rxdrop b0 b1 rx drop full empty sent ours ref ref_rcvd w0 w1

	bench_start xb "$NSB" "$log-ours" rxdrop -i "$IFB" --cpu 1 -d $((${DURATION%.*} + 30)) ||
		return 1
	w0=$(run_delay_ns "${XB_PID[xb]}")
	gen "$log-ours-gen" 0 || return 1
	w1=$(run_delay_ns "${XB_PID[xb]}")
	sleep 0.3
	bench_stop xb "$log-ours" || return 1
	rx=$(json_num "$log-ours.json" rx_packets)
	drop=$(json_num "$log-ours.json" rx_dropped)
	full=$(json_num "$log-ours.json" rx_ring_full)
	empty=$(json_num "$log-ours.json" rx_fill_ring_empty_descs)
	sent=$GEN_SENT
	ours=$(pps "$rx" "$GEN_ELAPSED")
	OURS_GEN_PPS=$(pps "$GEN_SENT" "$GEN_ELAPSED")

	ref_attach "$NSB" "$IFB" drop || return 1
	b0=$(ref_count "$NSB" "$IFB") || return 1
	gen "$log-ref-gen" 0 || return 1
	b1=$(ref_settled "$NSB" "$IFB") || return 1
	ref_detach "$NSB" "$IFB" || return 1
	ref_rcvd=$((b1 - b0))
	counted "$ref_rcvd" "xdp_ref_drop on $IFB (rxdrop reference)" || return 1
	ref=$(pps "$ref_rcvd" "$GEN_ELAPSED")

	record "$r rxdrop $ours $ref $(calc "$ours / $ref") $sent $rx $((sent - rx))" \
		"$drop $full $empty - $GEN_SENT $ref_rcvd $((GEN_SENT - ref_rcvd))" \
		"$OURS_GEN_PPS $(pps "$GEN_SENT" "$GEN_ELAPSED") $(calc "($w1 - $w0) / 1e6")"
}

measure_l2fwd() {
	local r=$1 log=$LOGS/run$1-l2fwd a0 a1 ret drop full empty txd sent ours ref w0 w1

	ref_attach "$NSA" "$IFA" drop || return 1

	bench_start xb "$NSB" "$log-ours" l2fwd -i "$IFB" --cpu 1 -d $((${DURATION%.*} + 30)) ||
		return 1
	a0=$(ref_count "$NSA" "$IFA") || return 1
	w0=$(run_delay_ns "${XB_PID[xb]}")
	gen "$log-ours-gen" 0 || return 1
	w1=$(run_delay_ns "${XB_PID[xb]}")
	a1=$(ref_settled "$NSA" "$IFA") || return 1
	bench_stop xb "$log-ours" || return 1
	ret=$((a1 - a0))
	drop=$(json_num "$log-ours.json" rx_dropped)
	full=$(json_num "$log-ours.json" rx_ring_full)
	empty=$(json_num "$log-ours.json" rx_fill_ring_empty_descs)
	txd=$(json_num "$log-ours.json" tx_dropped)
	sent=$GEN_SENT
	ours=$(pps "$ret" "$GEN_ELAPSED")
	OURS_GEN_PPS=$(pps "$GEN_SENT" "$GEN_ELAPSED")

	ref_attach "$NSB" "$IFB" tx || return 1
	a0=$(ref_count "$NSA" "$IFA") || return 1
	gen "$log-ref-gen" 0 || return 1
	a1=$(ref_settled "$NSA" "$IFA") || return 1
	ref_detach "$NSB" "$IFB" || return 1
	ref_detach "$NSA" "$IFA" || return 1
	counted "$((a1 - a0))" "xdp_ref_drop on $IFA (l2fwd reference, via xdp_ref_tx on $IFB)" ||
		return 1
	ref=$(pps "$((a1 - a0))" "$GEN_ELAPSED")

	record "$r l2fwd $ours $ref $(calc "$ours / $ref") $sent $ret $((sent - ret))" \
		"$drop $full $empty $txd $GEN_SENT $((a1 - a0)) $((GEN_SENT - (a1 - a0)))" \
		"$OURS_GEN_PPS $(pps "$GEN_SENT" "$GEN_ELAPSED") $(calc "($w1 - $w0) / 1e6")"
}

measure_txonly() {
	local r=$1 log=$LOGS/run$1-txonly b0 b1 done_ active rcvd window ours ref w w0 w1

	ref_attach "$NSB" "$IFB" drop || return 1

	b0=$(ref_count "$NSB" "$IFB") || return 1
	# In the background, to read its run-queue wait while it runs.
	# shellcheck disable=SC2086
	start_bg xt "$log-ours.json" "$log-ours.err" nsenter --net="/run/netns/$NSA" -- \
		"$BENCH" txonly -i "$IFA" --cpu 0 -d "$DURATION" -s "$SIZE" \
		--src-ip $IPA --dst-ip $IPB $BENCH_ARGS -j
	# Builtins only while it runs, so that this loop takes no CPU from it.
	w0=0
	w1=0
	while kill -0 "${XB_PID[xt]}" 2>/dev/null; do
		read -r _ w _ 2>/dev/null <"/proc/${XB_PID[xt]}/schedstat" || w=0
		((w == 0)) || w1=$w
		nap 0.2
	done
	wait "${XB_PID[xt]}" || {
		echo "$xb_prog: xp-bench txonly failed:" >&2
		sed 's/^/    /' "$log-ours.err" >&2
		return 1
	}
	unset "XB_PID[xt]"
	b1=$(ref_settled "$NSB" "$IFB") || return 1
	done_=$(json_num "$log-ours.json" tx_completed) &&
		active=$(json_num "$log-ours.json" active_pps) || {
		echo "$xb_prog: xp-bench txonly printed no JSON summary" >&2
		return 1
	}
	rcvd=$((b1 - b0))
	# Frames counted at B over the time xp-bench was completing frames.
	if awk "BEGIN { exit !($active > 0 && $done_ > 0) }"; then
		window=$(calc "$done_ / $active")
	else
		window=$(json_num "$log-ours.json" elapsed_s)
	fi
	ours=$(pps "$rcvd" "$window")

	b0=$(ref_count "$NSB" "$IFB") || return 1
	gen "$log-ref-gen" 0 || return 1
	b1=$(ref_settled "$NSB" "$IFB") || return 1
	ref_detach "$NSB" "$IFB" || return 1
	counted "$((b1 - b0))" "xdp_ref_drop on $IFB (txonly reference)" || return 1
	ref=$(pps "$((b1 - b0))" "$GEN_ELAPSED")

	record "$r txonly $ours $ref $(calc "$ours / $ref") $done_ $rcvd $((done_ - rcvd))" \
		"- - - - $GEN_SENT $((b1 - b0)) $((GEN_SENT - (b1 - b0)))" \
		"$(pps "$done_" "$window") $(pps "$GEN_SENT" "$GEN_ELAPSED") $(calc "($w1 - $w0) / 1e6")"
}

# --- run -------------------------------------------------------------------------

KERNEL=$(uname -r)
NCPU=$(nproc)
DATE=$(date -u +%Y-%m-%dT%H:%M:%SZ)
RUNS_DAT=$OUTDIR/xdp-bench-runs.dat
DAT=$OUTDIR/xdp-bench.dat

((NCPU >= 2)) || die "needs two CPUs (generator on CPU 0, xp-bench on CPU 1); this machine has $NCPU"

cat >"$RUNS_DAT" <<EOF
# xdp-bench runs: $DATE, kernel $KERNEL, $NCPU CPUs, $SIZE-byte frames, ${DURATION} s each
# xp-bench extra options: ${BENCH_ARGS:-none}
# pps: frames counted at the receiving end per second of sending.
# rxdrop: sent/rcvd = xp-gen sent / xp-bench rx_packets; l2fwd: xp-gen sent /
# frames back on A; txonly: xp-bench tx_completed / frames counted on B.
# ours_wait_ms: how long xp-bench, runnable, waited for its CPU while traffic ran
# run test ours_pps ref_pps ratio sent rcvd lost rx_dropped rx_ring_full fill_empty tx_dropped ref_sent ref_rcvd ref_lost ours_offered_pps ref_offered_pps ours_wait_ms
EOF

# Another load on a two-core machine skews every number: wait for quiet,
# within reason, and say so when it does not come.
NOISY=0
wait_idle() {
	local deadline=$((SECONDS + IDLE_WAIT)) busy cpu

	while :; do
		read -r busy cpu < <(cpu_busy 0.5)
		((busy <= 10)) && return 0
		((SECONDS >= deadline)) && break
	done
	NOISY=$((NOISY + 1))
	warn "$cpu was ${busy}% busy before measuring $1; other work skews this measurement:"
	top -b -n 2 -d 0.5 | awk '/^top -/ { n++ } n == 2 && $1 ~ /^[0-9]+$/ && $9 + 0 > 5 {
		printf "    pid %s %s%% %s\n", $1, $9, $12 }' | head -n 5 >&2
}

info "$KERNEL, $NCPU CPUs, veth $IFA ($NSA) <-> $IFB ($NSB), $SIZE-byte frames, ${DURATION} s per measurement, $RUNS run(s)"
for ((run = 1; run <= RUNS; run++)); do
	for t in rxdrop l2fwd txonly; do
		wait_idle "$t"
		info "run $run/$RUNS: $t"
		"measure_$t" "$run" || die "$t measurement failed (logs in $LOGS)"
		tail -n1 "$RUNS_DAT" | awk -v pre="$xb_prog:   " '{
			printf "%sours %.3f Mpps, reference %.3f Mpps, ratio %.3f, sent %d, received %d, lost %d; xp-bench waited %.1f ms for its CPU\n",
				pre, $3 / 1e6, $4 / 1e6, $5, $6, $7, $8, $18 }' >&2
	done
done

# Summary per test: the run with the median xp-bench rate supplies ours and
# its counters (so they add up), the reference rate is the median of the
# references, and the worst loss over all runs is kept beside it.
summarize() {
	local t=$1 rows mid med ref_med ref_off worst lossy maxwait

	rows=$(awk -v t="$t" '!/^#/ && $2 == t' "$RUNS_DAT" | sort -g -k3,3)
	mid=$((($(wc -l <<<"$rows") + 1) / 2))
	med=$(sed -n "${mid}p" <<<"$rows")
	# shellcheck disable=SC2046 # one number per run
	ref_med=$(median $(awk '{ print $4 }' <<<"$rows"))
	# shellcheck disable=SC2046
	ref_off=$(median $(awk '{ print $17 }' <<<"$rows"))
	worst=$(awk '{ p = $6 ? 100 * $8 / $6 : 0; if (p > w) w = p } END { printf "%.2f", w }' <<<"$rows")
	lossy=$(awk '$8 > 0 { n++ } END { print n + 0 }' <<<"$rows")
	maxwait=$(awk '$18 > w { w = $18 } END { printf "%.1f", w }' <<<"$rows")
	awk -v ref="$ref_med" -v refoff="$ref_off" -v worst="$worst" -v lossy="$lossy" \
		-v maxwait="$maxwait" '{
		printf "%s %.4f %.4f %.4f", $2, $3 / 1e6, ref / 1e6, $3 / ref
		for (i = 6; i <= 15; i++) printf " %s", $i
		printf " %.4f %.4f %s %s %.1f %s\n", $16 / 1e6, refoff / 1e6, worst, lossy, $18, maxwait
	}' <<<"$med"
}

{
	echo "# xdp-bench: $DATE, kernel $KERNEL, $NCPU CPUs, veth (copy mode), $SIZE-byte frames, ${DURATION} s, $RUNS run(s)"
	echo "# xdpath $(git -C "$XB_ROOT" describe --always --dirty 2>/dev/null || echo unknown); xp-bench extra options: ${BENCH_ARGS:-none}"
	echo "# $NOISY of $((3 * RUNS)) measurements started while other work kept a CPU busy"
	echo "# ours and its counters: the run with the median xp-bench rate; ref: median of the runs"
	echo "# test ours_mpps ref_mpps ratio sent rcvd lost rx_dropped rx_ring_full fill_empty tx_dropped ref_sent ref_rcvd ref_lost ours_offered_mpps ref_offered_mpps worst_lost_pct lossy_runs ours_wait_ms max_wait_ms"
	for t in rxdrop l2fwd txonly; do
		summarize "$t"
	done
} >"$DAT"

# The table.
echo
echo "xdp-bench: $KERNEL, $NCPU CPUs, veth copy mode, $SIZE-byte frames, ${DURATION} s, median of $RUNS run(s) by ours${BENCH_ARGS:+, xp-bench $BENCH_ARGS}"
awk 'function pct(a, b) { return b ? 100 * a / b : 0 }
BEGIN {
	printf "%-7s %-12s %9s %9s %6s %15s %20s %9s\n", "test", "reference", "ours", "ref", "ratio",
		"offered o/r", "lost (ours)", "ref lost"
	printf "%-7s %-12s %9s %9s %6s %15s %20s %9s\n", "", "", "Mpps", "Mpps", "", "Mpps", "", ""
}
!/^#/ {
	ref = ($1 == "txonly") ? "xp-gen" : ($1 == "l2fwd") ? "xp-ref tx" : "xp-ref drop"
	printf "%-7s %-12s %9.3f %9.3f %6.3f %7.3f/%-7.3f %11d (%5.2f%%) %9d\n", $1, ref, $2, $3, $4,
		$15, $16, $7, pct($7, $5), $14
	if ($1 == "rxdrop")
		printf "%8sours: %d of %d received; rx_dropped %s, rx_ring_full %s, fill_ring_empty %s\n",
			"", $6, $5, $8, $9, $10
	else if ($1 == "l2fwd")
		printf "%8sours: %d of %d returned (%.2f%%); rx_dropped %s, rx_ring_full %s, fill_ring_empty %s, tx_dropped %s\n",
			"", $6, $5, pct($6, $5), $8, $9, $10, $11
	else
		printf "%8sours: %d of %d completed frames counted on the peer\n", "", $6, $5
	printf "%8sxp-bench waited %.1f ms for its CPU (runnable, not running) while traffic ran\n", "", $19
	if (runs > 1)
		printf "%8s%d of %d runs lost frames; worst run lost %.2f%%; longest CPU wait %.1f ms\n",
			"", $18, runs, $17, $20
}' runs="$RUNS" "$DAT"
echo
echo "data: $DAT (summary), $RUNS_DAT (every run), logs: $LOGS"
((NOISY)) && echo "note: $NOISY of $((3 * RUNS)) measurements started while other work kept a CPU busy"

# The chart.
if ((PLOT)); then
	term=png
	gnuplot -e 'set terminal pngcairo' >/dev/null 2>&1 && term=pngcairo
	title="xdpath xp-bench vs in-kernel XDP: $SIZE-byte frames, veth copy mode, kernel $KERNEL, $NCPU CPUs, median of $RUNS x ${DURATION} s${BENCH_ARGS:+, xp-bench $BENCH_ARGS} ($DATE)"
	for out in png svg; do
		t=$term
		[[ $out == svg ]] && t=svg
		gnuplot -e "datafile='$DAT'; outfile='$OUTDIR/xdp-bench.$out'; term='$t'; chart_title='$title'" \
			"$XB_ROOT/bench/plot.gp" 2>"$LOGS/gnuplot.err" || {
			sed 's/^/    /' "$LOGS/gnuplot.err" >&2
			die "gnuplot failed to draw $OUTDIR/xdp-bench.$out"
		}
	done
	echo "chart: $OUTDIR/xdp-bench.png ($OUTDIR/xdp-bench.svg)"
fi
exit 0
