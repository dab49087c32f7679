# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
#
# Guest side of vm/test_rxe_kmod_interop: xp_rxe against Linux's rdma_rxe,
# one guest each, on the same wire, through rdma_cm (kmod/rxe_test,
# rxe_test_peer.c: a SEND, a WRITE into the server's fast-reg MR, a READ
# of it back, a fetch-and-add, a last SEND, each side checking). Both
# roles: first guest A's xp_rxe is the client of guest B's rdma_rxe, then
# the other way round.
#   XP_ROLE   a (xp_rxe) or b (rdma_rxe)
#   XP_PEER   the other guest's address
# Each part prints "PEERPART ROLE NAME STATUS" for the host. Needs ib_core,
# rdma_cm (xpvm -m), rdma_rxe on b.

test_ko=/xp/kmod/xp_rxe_test.ko
[ -f $test_ko ] || xp_fail "$test_ko missing (make kmod)"

# part NAME ARGS...: the kernel client with ARGS; its checks and status.
part() {
	_name=$1
	shift
	xp_step "$XP_ROLE: $_name"
	dmesg -c >/dev/null
	insmod $test_ko "$@"
	_rc=$?
	dmesg | grep 'xp_rxe_test:'
	if [ $_rc = 0 ] && dmesg | grep -q 'xp_rxe_test: [1-9][0-9]* passed, 0 failed'; then
		echo "PEERPART $XP_ROLE $_name 0"
	else
		echo "PEERPART $XP_ROLE $_name 1"
	fi
	rmmod xp_rxe_test 2>/dev/null
	return 0
}

xp_wait_peer "$XP_PEER" 120
if [ "$XP_ROLE" = a ]; then
	xp_step "a: xp_rxe on eth0"
	xp_run insmod /xp/kmod/xp_rxe.ko
	xp_run rdma link add xrxe0 type xprxe netdev eth0
	xp_retry 20 0.5 grep -qx 'RoCE v2' /sys/class/infiniband/xrxe0/ports/1/gid_attrs/types/1 ||
		xp_fail "no RoCE v2 GID on xrxe0"
	part client peer="$XP_PEER"
	part server listen=1
	cnt=/sys/class/infiniband/xrxe0/ports/1/hw_counters
	for c in rx_frames tx_frames loopback_frames tx_dropped rx_nomem; do
		echo "$c $(cat $cnt/$c)"
	done
	grep -H . $cnt/rx_drop_* $cnt/rx_parse_* | grep -v ':0$'
	xp_run rdma link delete xrxe0
	xp_run rmmod xp_rxe
else
	xp_step "b: rdma_rxe on eth0"
	xp_rxe_up eth0 rxe0
	part server listen=1
	part client peer="$XP_PEER"
fi
xp_kernel_quiet
