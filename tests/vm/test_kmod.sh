#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Our kernel modules against Debian's kernels, for each series: build every
# module under kmod/ with that kernel's headers (kmod/build.sh, what
# `make kmod KVER=<ver>` runs), boot the kernel and load and unload xp_hello
# in the guest (guest/kmod_hello.sh checks the log lines, sysfs, the
# parameter, and that a refused init fails the load); then, in a second
# boot (guest/kmod_roce.sh), xp_roce_core: the transport core (core/roce)
# built for the kernel, whose load-time self-test runs every RC operation
# between two loopback devices (guest/kmod_roce_core.sh), and xp_rxe, the
# soft-RoCE device: rdma link add/delete, its port and GIDs, refusals (of
# links and of the qpn_first parameter), and removal with its netdev and the
# module (guest/kmod_rxe.sh), and its
# receive path flooded with hostile frames, the netdev deleted under the
# flood, and 50 load/unload cycles (guest/kmod_rxe_rx.sh), its kernel
# verbs under a kernel RDMA client, kmod/rxe_test (guest/kmod_rxe_verbs.sh),
# and its user ABI under hostile processes, inline data, rdma_rxe beside
# it, and the device deleted, and its netdev, under a process's load
# (guest/kmod_rxe_user.sh, tests/vm/tools/rxe_ucheck.c).
#
# It may share the machine with another VM suite: kmod/build.sh builds for
# one kernel at a time and replaces a module only by a rename, so a suite
# loading a module meanwhile gets a whole one.
set -uo pipefail

# Every series, Debian's newest kernel too (testvm.sh).
VM_ALL_SERIES=1
# shellcheck source=tests/vm/lib/testvm.sh
source "$(dirname "$0")/lib/testvm.sh"

vm_require test_kmod

# Sent at xp_rxe in the guest (guest/kmod_rxe_rx.sh); xpvm -b ships it with its libraries.
FLOOD=$XP_BUILD/tests/net/hostile_flood
require_bin "$FLOOD"
# xp_rxe's XDP front door (guest/kmod_rxe_rx.sh).
XDP_OBJ=$XP_BUILD/bpf/xdp_rxe.bpf.o
if [[ ! -f $XDP_OBJ ]]; then
	fail "missing $XDP_OBJ: run make first"
	summary
	exit 1
fi
# What no rdma-core program sends, through libibverbs (guest/kmod_rxe_user.sh).
UCHECK=$XP_BUILD/vm/rxe_ucheck
vm_ibv_build "$UCHECK" "$XPVM_ROOT/tests/vm/tools/rxe_ucheck.c" || {
	fail "cannot build $UCHECK"
	summary
	exit 1
}

kmod_series() {
	local series=$1 kver t0 rc=0 log
	vm_kernel "$series" || return
	kver=$VM_KVER
	t0=$EPOCHREALTIME
	log=$("$XPVM_ROOT/kmod/build.sh" "$kver" 2>&1) || rc=$?
	echo "$log"
	if ! check "kmod $kver: every module under kmod/ builds ($(vm_secs "$t0") s)" test "$rc" = 0; then
		return
	fi
	check "kmod $kver: xp_hello.ko built" test -f "$XPVM_BUILD/kmod/$kver/xp_hello.ko"
	t0=$EPOCHREALTIME
	rc=0
	"$XPVM" run -k "$kver" -b none --kmod --name "kmod-$series" -t 120 \
		"$XPVM_GUEST/kmod_hello.sh" || rc=$?
	check "kmod $kver: xp_hello loads, logs, unloads in the guest ($(vm_secs "$t0") s, status $rc)" \
		test "$rc" = 0
	check "kmod $kver: xp_roce_core.ko built (core/roce for the kernel)" \
		test -f "$XPVM_BUILD/kmod/$kver/xp_roce_core.ko"
	check "kmod $kver: xp_rxe.ko built" test -f "$XPVM_BUILD/kmod/$kver/xp_rxe.ko"
	t0=$EPOCHREALTIME
	rc=0
	log=$("$XPVM" run -k "$kver" -b "rdma,ibv_rc_pingpong,ip,$FLOOD,$UCHECK" \
		-m "ib_core,ib_uverbs,rdma_cm,dummy,veth,?crc32_generic,rdma_rxe" --kmod \
		--name "roce-$series" -t 300 -e "XP_FLOOD=$FLOOD" -e "XP_UCHECK=$UCHECK" \
		-f "$XDP_OBJ" -e "XP_XDP_OBJ=/xp/files/xdp_rxe.bpf.o" \
		-f "$XPVM_GUEST/kmod_roce_core.sh" -f "$XPVM_GUEST/kmod_rxe.sh" \
		-f "$XPVM_GUEST/kmod_rxe_rx.sh" -f "$XPVM_GUEST/kmod_rxe_verbs.sh" \
		-f "$XPVM_GUEST/kmod_rxe_user.sh" \
		"$XPVM_GUEST/kmod_roce.sh" 2>&1) || rc=$?
	echo "$log"
	# A part passed when it says so and the guest went on well: it got to
	# its last part's report, or ended well (no oops).
	local ended=0
	{ ((rc == 0)) || grep -q 'KMODPART rxe_user ' <<<"$log"; } && ended=1
	check "kmod $kver: the core's self-test passes in the kernel (status $rc)" \
		bash -c "test $ended = 1 && grep -q 'KMODPART roce_core 0'" <<<"$log"
	check "kmod $kver: xp_rxe devices come and go with rdma link, the netdev and the module; bad links and qpn_first values refused with a reason" \
		bash -c "test $ended = 1 && grep -q 'KMODPART rxe 0'" <<<"$log"
	check "kmod $kver: xp_rxe's core counts every hostile frame under its reason, through XDP and through the rx_handler, sends nothing, keeps taking frames when XDP is detached under the flood, goes with its netdev under the flood, 50 load/unload cycles" \
		bash -c "test $ended = 1 && grep -q 'KMODPART rxe_rx 0'" <<<"$log"
	check "kmod $kver: xp_rxe's kernel verbs: a kernel client's RC SEND, fast-reg WRITE, READ, WRITE WITH IMM, atomics, LOCAL_INV, drain, UD through an AH, an SRQ with its limit and last WQE events, ib_mad's QP1, rdma_cm connect/accept/disconnect, over IPv4 and IPv6 loopback ($(vm_secs "$t0") s for all four parts)" \
		bash -c "test $ended = 1 && grep -q 'KMODPART rxe_verbs 0'" <<<"$log"
	check "kmod $kver: xp_rxe's user ABI: malformed WQEs and garbage ring indices written by hostile processes complete in error or cost only the process, then inline SENDs and WRITE with every byte checked, QPs reset and used again, an SRQ (its limit event, a malformed WQE in its ring costing only the QP that found it), UD through user AHs (another PD's refused); rdma_rxe works beside it; rdma link delete and the netdev's removal under a process's load wait for the process, then the device goes and the module unloads" \
		bash -c "test $ended = 1 && grep -q 'KMODPART rxe_user 0'" <<<"$log"
}

for s in $XP_VM_SERIES; do
	kmod_series "$s"
done
summary
