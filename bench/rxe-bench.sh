#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# rxe-bench: our soft-RoCE kernel device xp_rxe against Linux's rdma_rxe,
# with perftest between two guests of the VM test bed (Debian kernel, qemu
# TCG, one vCPU each, one bridge): xp_rxe on both guests against rdma_rxe
# on both, in the same guests and the same run, the stacks taking turns
# ABBA (bench/guest/rxe-bench.sh describes the plan and the tests). xp_rxe
# is fed by XDP (bpf/xdp_rxe.bpf.c); --rx skb measures it through its
# rx_handler instead, --rx both the two of them beside rdma_rxe (ABCCBA).
# Each repetition first measures, with no RDMA stack, a reference for the
# SEND latency: a UDP ping-pong of 64 B through the guests' sockets, both ends polling
# (bench/tools/udp_pingpong.c), printed beside ib_send_lat.
#
# Results: a table on stdout (medians over the repetitions; ratio =
# xp_rxe / rdma_rxe: above 1 is faster for bandwidth, below 1 is faster for
# latency), OUTDIR/rxe-bench.dat, and the guests' logs under
# OUTDIR/rxe-logs/. See docs/performance.md ("xp_rxe").
set -uo pipefail

xb_prog=rxe-bench
# shellcheck source=bench/lib.sh
source "$(dirname "$0")/lib.sh"

usage() {
	cat <<EOF
Usage: $0 [options]

Measure xp_rxe against rdma_rxe with perftest between two qemu guests:
ib_write_bw at 64 KiB and 1 MiB, ib_send_lat and ib_read_lat at 64 B,
and, as a reference, a UDP ping-pong of 64 B between the guests' sockets.

  -k, --series S         guest kernel: 6.1, 6.12, newest or a version
                         (default 6.12; env XP_RB_SERIES)
  -r, --reps N           repetitions, odd ones forwards, even ones backwards
                         (ABBA); medians reported
                         (default 2)
      --tests LIST       wbw64k wbw1m slat rlat (default: all four)
      --iters N          latency iterations (default 1000)
      --rx PATH          xp_rxe's receive path: xdp (bpf/xdp_rxe.bpf.c and
                         the kfunc), skb (its rx_handler, no XDP program) or
                         both (three stacks, ABCCBA); default xdp
  -o, --outdir DIR       results directory (default build/bench)
      --idle-wait SEC    wait up to SEC s for idle CPUs first (default 60)
  -h, --help
EOF
}

SERIES=${XP_RB_SERIES:-6.12}
REPS=2
TESTS="wbw64k wbw1m slat rlat"
ITERS=1000
RX=xdp
OUTDIR=$XB_BUILD/bench
IDLE_WAIT=60

while (($#)); do
	case $1 in
	-k | --series) SERIES=${2:-}; shift ;;
	-r | --reps) REPS=${2:-}; shift ;;
	--tests) TESTS=${2:-}; shift ;;
	--iters) ITERS=${2:-}; shift ;;
	--rx) RX=${2:-}; shift ;;
	-o | --outdir) OUTDIR=${2:-}; shift ;;
	--idle-wait) IDLE_WAIT=${2:-}; shift ;;
	-h | --help) usage; exit 0 ;;
	*) usage >&2; die "unknown option '$1'" ;;
	esac
	shift
done

TESTS=${TESTS//,/ }
[[ -n $SERIES && $SERIES != *" "* ]] || die "--series needs one kernel: 6.1, 6.12, newest or a version"
[[ $REPS =~ ^[1-9][0-9]*$ && $REPS -le 20 ]] || die "--reps '$REPS' must be 1..20"
[[ $ITERS =~ ^[1-9][0-9]*$ && $ITERS -le 100000 ]] || die "--iters '$ITERS' must be 1..100000"
case $RX in
xdp) STACKS="xp_rxe rdma_rxe" ;;
skb) STACKS="xp_rxe_skb rdma_rxe" ;;
both) STACKS="xp_rxe xp_rxe_skb rdma_rxe" ;;
*) die "--rx '$RX': use xdp, skb or both" ;;
esac
nstacks=$(wc -w <<<"$STACKS")
[[ $IDLE_WAIT =~ ^[0-9]+$ ]] || die "--idle-wait '$IDLE_WAIT' must be a whole number of seconds"
for t in $TESTS; do
	[[ $t =~ ^(wbw64k|wbw1m|slat|rlat)$ ]] || die "test '$t': use wbw64k, wbw1m, slat or rlat"
done
[[ -n ${TESTS// /} ]] || die "--tests needs at least one of wbw64k wbw1m slat rlat"
command -v qemu-system-x86_64 >/dev/null || die "qemu-system-x86_64 is missing; run make deps"
command -v ib_write_bw >/dev/null || die "perftest is missing (it goes into the guests); run make deps"

XPVM=$XB_ROOT/tests/vm/xpvm
GUEST=$XB_ROOT/bench/guest/rxe-bench.sh
export XP_BUILD=$XB_BUILD

xb_results rxe

kver=$("$XPVM" kernel "$SERIES") || die "cannot fetch the Debian kernel '$SERIES' (see above)"
info "$kver: building xp_rxe.ko (kmod/build.sh $kver)"
"$XB_ROOT/kmod/build.sh" "$kver" >"$LOGS/kmod.log" 2>&1 || {
	tail -n 20 "$LOGS/kmod.log" | sed 's/^/    /' >&2
	die "kmod/build.sh $kver failed (log: $LOGS/kmod.log)"
}

NET=xprb$$
UDP_PP=$XB_BUILD/bench/udp_pingpong
mkdir -p "${UDP_PP%/*}"
gcc -static -O2 -Wall -Wextra -Werror -o "$UDP_PP" "$XB_ROOT/bench/tools/udp_pingpong.c" ||
	die "cannot build bench/tools/udp_pingpong.c (needs gcc and the libc6-dev static libc)"

"$XPVM" net up "$NET" || die "cannot make the guests' network namespace $NET"
on_exit "$XPVM" net down "$NET"
IP_S=198.18.106.1
IP_C=198.18.106.2
ntests=$(wc -w <<<"$TESTS")
# Per run under TCG: up to a minute, and the stack changes.
TMO=$((240 + REPS * nstacks * (ntests * 60 + 30)))

xb_wait_idle "$IDLE_WAIT" "the guests started"
BUSY=$XB_BUSY
info "$kver guests (TCG, 1 vCPU each): stacks '$STACKS', tests '$TESTS', $REPS repetition(s) (forwards, then backwards), timeout $TMO s"
common=(run -k "$kver" --net "$NET" --kmod -b "default ip" -t "$TMO"
	-m "ib_core ?crc32_generic rdma_rxe ib_uverbs"
	-e "XP_RB_REPS=$REPS" -e "XP_RB_TESTS=$TESTS" -e "XP_RB_ITERS=$ITERS"
	-e "XP_RB_STACKS=$STACKS" -f "$UDP_PP" -e "XP_RB_UDP=/xp/files/udp_pingpong")
if [[ $RX != skb ]]; then
	XDP_OBJ=$XB_BUILD/bpf/xdp_rxe.bpf.o
	[[ -f $XDP_OBJ ]] || die "$XDP_OBJ is missing; run make"
	common+=(-f "$XDP_OBJ" -e "XP_RB_XDP=/xp/files/xdp_rxe.bpf.o")
fi
t0=$SECONDS
"$XPVM" "${common[@]}" --name rbS --ip "$IP_S/24" -e XP_RB_ROLE=s -e "XP_RB_PEER=$IP_C" \
	"$GUEST" >"$LOGS/server.log" 2>&1 &
ps=$!
"$XPVM" "${common[@]}" --name rbC --ip "$IP_C/24" -e XP_RB_ROLE=c -e "XP_RB_PEER=$IP_S" \
	"$GUEST" >"$LOGS/client.log" 2>&1 &
pc=$!
rs=0 rc=0
wait "$pc" || rc=$?
wait "$ps" || rs=$?
SECS=$((SECONDS - t0))
for r in "server $rs" "client $rc"; do
	read -r who st <<<"$r"
	if ((st)) || ! grep -q "^\[rb[SC]\] RB-END" "$LOGS/$who.log"; then
		grep -v '^\[[^]]*\] \(status \|+ \)' "$LOGS/$who.log" | tail -n 60 | sed 's/^/    /' >&2
		die "the $who guest failed (status $st) before it measured everything; log: $LOGS/$who.log"
	fi
done

RES=$LOGS/results
# "[rbC] RB stack test rep value second inline", whole lines only.
sed -n 's/^\[rbC\] \(RB .*\)/\1/p' "$LOGS/client.log" | awk '
	NF == 7 && $2 ~ /^(xp_rxe|xp_rxe_skb|rdma_rxe|udp)$/ && $5 ~ /^[0-9.]+$/ { print; next }
	{ print "bad line: " $0 > "/dev/stderr"; bad = 1 }
	END { exit bad }' >"$RES" || die "unreadable result lines in $LOGS/client.log"
n=$(wc -l <"$RES")
((n == REPS * (nstacks * ntests + 1))) ||
	die "$n measurements in $LOGS/client.log, expected $((REPS * (nstacks * ntests + 1)))"

{
	echo "# rxe-bench: $DATE, host $(uname -r), $(nproc) CPUs, tree $REV, guests $kver (TCG, 1 vCPU)"
	echo "# stacks '$STACKS' (xp_rxe: fed by XDP; xp_rxe_skb: its rx_handler), tests '$TESTS', $REPS repetitions, forwards then backwards, latency iterations $ITERS; udp udplat: the UDP ping-pong, half a round trip"
	echo "# RB stack test rep value(MB/s or usec t_typical) msgrate_or_t_avg max_inline"
	cat "$RES"
} >"$DAT"

# med STACK TEST [COLUMN]: the median over the repetitions.
med() {
	# shellcheck disable=SC2207
	local v=($(awk -v s="$1" -v t="$2" -v c="${3:-5}" '$2 == s && $3 == t { print $c }' "$RES"))
	((${#v[@]})) || return 1
	median "${v[@]}"
}

label() {
	case $1 in
	wbw64k) echo "ib_write_bw 64 KiB [MB/s]" ;;
	wbw1m) echo "ib_write_bw 1 MiB [MB/s]" ;;
	slat) echo "ib_send_lat 64 B, typical [usec]" ;;
	rlat) echo "ib_read_lat 64 B, typical [usec]" ;;
	esac
}

echo
# What each xp_rxe stack's receive path took: "RB-PATH <stack> <xdp> <rx_handler>".
paths() {
	sed -n "s/^\[rb[SC]\] RB-PATH $1 \([0-9]*\) \([0-9]*\)\$/\1 \2/p" "$LOGS/server.log" "$LOGS/client.log" |
		awk '{ x += $1; h += $2 } END { printf "%d frames through XDP, %d through the rx_handler", x, h }'
}
echo "rxe-bench: $kver guests under qemu TCG, 1 vCPU each, one bridge; ratios against rdma_rxe"
for st in $STACKS; do
	case $st in
	xp_rxe) echo "  xp_rxe: fed by XDP (xdp_rxe and the kfunc): $(paths xp_rxe)" ;;
	xp_rxe_skb) echo "  xp_rxe_skb: xp_rxe without XDP (its rx_handler): $(paths xp_rxe_skb)" ;;
	esac
done
XPS=${STACKS% rdma_rxe}
printf '%-34s' test
for st in $XPS; do printf ' %10s %6s' "$st" ratio; done
printf ' %10s  %s\n' rdma_rxe aim
for t in $TESTS; do
	ref=$(med rdma_rxe "$t") || die "$t: no rdma_rxe result"
	printf '%-34s' "$(label "$t")"
	for st in $XPS; do
		ours=$(med "$st" "$t") || die "$t: no $st result"
		ratio=$(awk -v a="$ours" -v b="$ref" 'BEGIN { if (b + 0 == 0) print "-"; else printf "%.2f", a / b }')
		printf ' %10s %6s' "$ours" "$ratio"
	done
	case $t in
	wbw*) aim=">= 2.00" ;;
	*) aim="<= 0.50" ;;
	esac
	printf ' %10s  %s\n' "$ref" "$aim"
done
# The UDP ping-pong: what the test bed costs a round trip between two
# polling processes with the kernel's sockets and no RDMA stack; beside
# ib_send_lat, which also has a polling process at each end (ib_read_lat
# has none on the responder, so it has no such reference).
udp=$(med udp udplat) || die "no UDP ping-pong result"
printf '%-34s %10s  (no RDMA stack; both ends polling)\n' "UDP ping-pong 64 B, half RTT [usec]" "$udp"
if [[ " $TESTS " == *" slat "* ]]; then
	printf '  ib_send_lat minus the UDP ping-pong [usec]:'
	for st in $XPS rdma_rxe; do
		printf ' %s %s' "$st" "$(awk -v a="$(med "$st" slat)" -v u="$udp" 'BEGIN { printf "%+.1f", a - u }')"
	done
	echo
fi
echo "  (medians of $REPS repetitions; inline data as perftest chose: ${XPS%% *} $(med "${XPS%% *}" "${TESTS%% *}" 7) B," \
	"rdma_rxe $(med rdma_rxe "${TESTS%% *}" 7) B in ${TESTS%% *}; guests took $SECS s; busiest host CPU before: $BUSY%)"
echo "data: $DAT, logs: $LOGS"
exit 0
