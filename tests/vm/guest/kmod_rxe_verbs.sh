# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
#
# Guest side of test_kmod for xp_rxe's kernel verbs: xp_rxe_test.ko, a
# kernel RDMA client (kmod/rxe_test), takes xrxe0 from ib_core as any ULP
# would and runs two RC QPs of it against each other through the device's
# own GID (the loopback path): SENDs of 1 B to 64 KiB, fast registration,
# RDMA WRITE, READ, WRITE WITH IMM, both atomics, LOCAL_INV and the remote
# access error after it, ib_drain_qp(), a UD SEND through an address
# handle, an SRQ (its receives taken by an RC QP's SENDs, the limit event,
# the QP's last WQE event at ERR), and refusals (an unsafe global rkey, an
# XRC QP, resizing the SRQ); once through the
# IPv4 GID, once through the IPv6 one. Over IPv4, rdma_cm too: listen,
# resolve, connect, accept (ib_cm's MADs through the GSI QP), a SEND,
# disconnect. Before that, ib_mad must have made its GSI QP (QP1) on the
# device.
# Then: every frame went through the loopback (none to the wire, none
# dropped), the device and the module go, the kernel stayed quiet.
# Needs ib_core, rdma_cm and dummy (xpvm -m).

ko=/xp/kmod/xp_rxe.ko
test_ko=/xp/kmod/xp_rxe_test.ko
[ -f $ko ] || xp_fail "$ko missing (make kmod)"
[ -f $test_ko ] || xp_fail "$test_ko missing (make kmod)"
cnt=/sys/class/infiniband/xrxe0/ports/1/hw_counters

# counter NAME: the port counter NAME, or "none".
counter() { cat "$cnt/$1" 2>/dev/null || echo none; }
# has_v2_gid: xrxe0's port has a RoCE v2 GID (ib_core adds it from a work item).
# shellcheck disable=SC2317 # called through xp_retry
has_v2_gid() { grep -qx 'RoCE v2' /sys/class/infiniband/xrxe0/ports/1/gid_attrs/types/* 2>/dev/null; }

xp_step "xrxe0 on a dummy netdev"
xp_run insmod $ko
xp_run ip link add xd0 type dummy
xp_run ip link set xd0 address 02:00:c6:12:00:0b
xp_run ip addr add 198.18.0.11/24 dev xd0
xp_run ip link set xd0 up
xp_run rdma link add xrxe0 type xprxe netdev xd0
xp_retry 20 0.5 has_v2_gid || xp_fail "no RoCE v2 GID on xrxe0"
# ib_mad (in ib_core) opened the port: it made its GSI QP, QP1, on xrxe0.
if dmesg | grep -E "xrxe0: Couldn't (create ib_mad QP1|open port)"; then
	xp_fail "ib_mad could not open xrxe0's port"
fi

# show_counters: the port's counters that say where frames went.
show_counters() {
	for c in loopback_frames tx_frames rx_frames tx_dropped rx_nomem tx_no_frame; do
		echo "$c $(counter $c)"
	done
	grep -H . "$cnt"/rx_drop_* "$cnt"/rx_parse_* 2>/dev/null | grep -v ':0$'
}

# client FAMILY CHECKS ARGS...: load the kernel client with ARGS; all
# CHECKS checks pass.
client() {
	xp_step "the kernel client's checks over $1"
	want=$2
	shift 2
	dmesg -c >/dev/null
	t0=$(cut -d' ' -f1 /proc/uptime)
	insmod $test_ko "$@"
	rc=$?
	t1=$(cut -d' ' -f1 /proc/uptime)
	dmesg | grep 'xp_rxe_test:'
	echo "xp_rxe_test: status $rc, $t0 s to $t1 s of uptime"
	show_counters
	dmesg | grep -q 'xp_rxe_test: [0-9]* passed, 0 failed' ||
		xp_fail "xp_rxe_test reported failures"
	[ $rc = 0 ] || xp_fail "insmod xp_rxe_test exited $rc"
	n=$(dmesg | grep -c 'xp_rxe_test: PASS')
	[ "$n" = "$want" ] || xp_fail "$n checks passed, $want expected"
	xp_run rmmod xp_rxe_test
}

client IPv4 58 dev=xrxe0
client IPv6 49 dev=xrxe0 ipv6=1

xp_step "counters: the loopback path, nothing on the wire, nothing lost"
[ "$(counter loopback_frames)" -gt 100 ] || xp_fail "loopback_frames $(counter loopback_frames)"
[ "$(counter loopback_frames)" = "$(counter tx_frames)" ] ||
	xp_fail "frames went to the wire: tx_frames $(counter tx_frames), loopback $(counter loopback_frames)"
if [ "$(counter tx_dropped)" != 0 ] || [ "$(counter rx_nomem)" != 0 ]; then
	xp_fail "frames lost (tx_dropped $(counter tx_dropped), rx_nomem $(counter rx_nomem))"
fi

xp_step "everything goes"
xp_run rdma link delete xrxe0
xp_run rmmod xp_rxe
xp_run ip link del xd0
xp_kernel_quiet
