# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
#
# Guest side of bench/rxe-bench.sh (busybox sh, /xp/lib.sh sourced): one
# of two guests on one bridge, running the same plan in step with the
# other. Guest s serves each perftest run, guest c is its client. For each
# repetition the two stacks take turns, ABBA: xp_rxe first in odd
# repetitions, rdma_rxe first in even ones (with three stacks, ABC then
# CBA). A turn loads the stack on eth0 in both guests (xp_rxe: insmod, rdma
# link add type xprxe, and xdp_rxe on eth0; rdma_rxe: rdma link add type
# rxe), runs every test, and removes the stack again, so that only one
# RoCE device owns UDP 4791 at a time.
#
#   XP_RB_ROLE    s (server) or c (client)
#   XP_RB_PEER    the other guest's address
#   XP_RB_REPS    repetitions (default 2)
#   XP_RB_TESTS   tests (default "wbw64k wbw1m slat rlat")
#   XP_RB_ITERS   iterations of the latency tests (default 1000)
#   XP_RB_STACKS  the stacks, in the order of odd repetitions (even ones
#                 take them backwards): xp_rxe (fed by XDP), xp_rxe_skb
#                 (xp_rxe without XDP: its rx_handler), rdma_rxe (default
#                 "xp_rxe rdma_rxe")
#   XP_RB_XDP     xdp_rxe.bpf.o, for the xp_rxe stack
#   XP_RB_UDP     udp_pingpong (bench/tools/udp_pingpong.c)
#
# The tests (perftest, default options otherwise, -F: no CPU frequency
# check in a guest):
#   wbw64k  ib_write_bw -s 65536, 2000 iterations      BW average, MB/s
#   wbw1m   ib_write_bw -s 1048576, 200 iterations     BW average, MB/s
#   slat    ib_send_lat -s 64                          t_typical, usec
#   rlat    ib_read_lat -s 64                          t_typical, usec
# and, first in each repetition with no RDMA device up, a reference for
# the SEND latency: a UDP ping-pong of 64 B through the kernel's sockets,
# both ends polling (udp_pingpong, 1000 round trips), stack "udp", test
# "udplat", half a round trip as ib_send_lat reports it.
#
# Output for the host, one line per measurement (client side):
#   RB <stack> <test> <rep> <value> <t_avg or msg rate> <max inline>
# after each xp_rxe turn "RB-PATH <stack> <rx_xdp_frames> <rx_handler_frames>",
# and RB-END when the plan is done. The client retries its connection
# while the server's stack is not up yet.

REPS=${XP_RB_REPS:-2}
STACKS=${XP_RB_STACKS:-xp_rxe rdma_rxe}
TESTS=${XP_RB_TESTS:-wbw64k wbw1m slat rlat}
ITERS=${XP_RB_ITERS:-1000}

dmesg -n 1

stack_up() {
	case $1 in
	xp_rxe*)
		insmod /xp/kmod/xp_rxe.ko || xp_fail "insmod xp_rxe"
		rdma link add rb0 type xprxe netdev eth0 || xp_fail "rdma link add type xprxe"
		# xp_rxe: frames in through XDP and the kfunc (iproute2's ip by
		# its path: busybox's sh prefers its applet); xp_rxe_skb: through
		# the rx_handler.
		if [ "$1" = xp_rxe ]; then
			/usr/bin/ip link set dev eth0 xdp obj "$XP_RB_XDP" sec xdp ||
				xp_fail "xdp_rxe on eth0"
		fi
		;;
	rdma_rxe)
		rdma link add rb0 type rxe netdev eth0 || xp_fail "rdma link add type rxe"
		;;
	esac
	xp_retry 50 0.1 grep -qx 'RoCE v2' /sys/class/infiniband/rb0/ports/1/gid_attrs/types/1 ||
		xp_fail "$1: no RoCE v2 GID at index 1 on rb0"
}

stack_down() {
	_c=/sys/class/infiniband/rb0/ports/1/hw_counters
	case $1 in
	xp_rxe*) echo "RB-PATH $1 $(cat $_c/rx_xdp_frames) $(cat $_c/rx_handler_frames)" ;;
	esac
	if [ "$1" = xp_rxe ]; then
		/usr/bin/ip link set dev eth0 xdp off || xp_fail "xdp off"
	fi
	rdma link delete rb0 || xp_fail "rdma link delete rb0 ($1)"
	case $1 in
	xp_rxe*) rmmod xp_rxe || xp_fail "rmmod xp_rxe" ;;
	esac
}

# udp_ref REP: the UDP ping-pong, as server or client.
udp_ref() {
	if [ "$XP_RB_ROLE" = s ]; then
		timeout 120 "$XP_RB_UDP" -s >/tmp/rb.log 2>&1 ||
			{ cat /tmp/rb.log; xp_fail "udp ping-pong server"; }
		return
	fi
	timeout 120 "$XP_RB_UDP" -n "$ITERS" "$XP_RB_PEER" >/tmp/rb.log 2>&1 ||
		{ cat /tmp/rb.log; xp_fail "udp ping-pong client"; }
	sed -n "s/^UDPLAT n=[0-9]* typical=\([0-9.]*\) avg=\([0-9.]*\) .*/RB udp udplat $1 \1 \2 -/p" \
		/tmp/rb.log | grep . || { cat /tmp/rb.log; xp_fail "udp ping-pong: no result"; }
	sleep 1
}

# run STACK TEST REP: one perftest run, as server or client.
run() {
	case $2 in
	wbw64k) set -- "$@" ib_write_bw -s 65536 -n 2000 ;;
	wbw1m) set -- "$@" ib_write_bw -s 1048576 -n 200 ;;
	slat) set -- "$@" ib_send_lat -s 64 -n "$ITERS" ;;
	rlat) set -- "$@" ib_read_lat -s 64 -n "$ITERS" ;;
	*) xp_fail "unknown test '$2'" ;;
	esac
	_stack=$1 _test=$2 _rep=$3
	shift 3
	if [ "$XP_RB_ROLE" = s ]; then
		timeout 300 "$@" -d rb0 -x 1 -F >/tmp/rb.log 2>&1 ||
			{ cat /tmp/rb.log; xp_fail "$_stack $_test server"; }
		return
	fi
	xp_connect 300 /tmp/rb.log timeout 300 "$@" -d rb0 -x 1 -F "$XP_RB_PEER" ||
		{ cat /tmp/rb.log; xp_fail "$_stack $_test client"; }
	_inl=$(sed -n 's/^ Max inline data *: *\([0-9]*\).*/\1/p' /tmp/rb.log)
	# The result row: bytes, iterations, then the figures.
	awk -v s="$_stack" -v t="$_test" -v r="$_rep" -v i="${_inl:-?}" '
		$1 ~ /^[0-9]+$/ && $2 ~ /^[0-9]+$/ && NF >= 5 {
			if (t ~ /lat$/) print "RB", s, t, r, $5, $6, i   # t_typical, t_avg
			else print "RB", s, t, r, $4, $5, i              # BW average, Mpps
			found = 1
		}
		END { exit !found }' /tmp/rb.log || { cat /tmp/rb.log; xp_fail "$_stack $_test: no result row"; }
	# The server goes on to its next run once it has exited.
	sleep 1
}

xp_wait_peer "$XP_RB_PEER" 120
modprobe ib_uverbs || xp_fail "modprobe ib_uverbs"
[ -z "$(find /lib/modules/"$(uname -r)" -name 'crc32_generic.ko*' 2>/dev/null)" ] ||
	modprobe crc32_generic || xp_fail "modprobe crc32_generic"
modprobe rdma_rxe || xp_fail "modprobe rdma_rxe"
echo "RB-INFO $(uname -r), $(nproc) vCPU, $XP_RB_ROLE"
# The stacks in reverse order (ABBA with two, ABCCBA with three).
backwards=
for stack in $STACKS; do
	backwards="$stack $backwards"
done
rep=1
while [ $rep -le "$REPS" ]; do
	order=$STACKS
	[ $((rep % 2)) = 1 ] || order=$backwards
	udp_ref "$rep"
	for stack in $order; do
		stack_up "$stack"
		for t in $TESTS; do
			run "$stack" "$t" "$rep"
		done
		stack_down "$stack"
		# Both guests down before either comes up again.
		sleep 2
	done
	rep=$((rep + 1))
done
echo RB-END
