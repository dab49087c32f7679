#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# RC operations against kernel rdma_rxe: tests/interop/rdma_peer.c built
# twice, against libibverbs (here, on the host; run in a 6.1 guest with
# rxe on its virtio-net eth0) and against xdpath (make; run over AF_XDP in
# a host-side namespace on the same bridge):
#
#   host ns eth0 (198.18.106.1, veth, xdp_steer + AF_XDP) --+- xpbr0 in ns xpon<tag>
#   guest eth0   (198.18.106.11, rdma_rxe rxe0)           --+
#
# The guest first runs its peer against itself over rxe0 (a control: the
# ibv build and rxe agree), then serves while our client runs the plan,
# then is the client of our server. The plan: RDMA WRITE, READ, WRITE WITH
# IMMEDIATE, SEND, SEND WITH IMMEDIATE, FETCH AND ADD and COMPARE AND SWAP
# (equal and not) at each size, every byte checked where it lands and the
# server's whole buffer at the end; each side's exit status is its verdict,
# and a client fails when its server reported a failure. Our device must
# drop no frame for a reason other than injected faults. Then both again
# with our side dropping, duplicating and reordering 2 % each of what it
# receives (both sides' ACK timeout 4 ms, code 10). Then all of it again
# against our kernel device: a second guest with xp_rxe as rxe0, fed by
# bpf/xdp_rxe.bpf.o on its eth0, and every RoCEv2 frame through the
# program's kfunc, as its counters show.
#   XP_RC_OPS_SIZES (default 1,3,64,1000,1024,1025,4096,65536,1048576),
#   XP_RC_OPS_ITERS (default 1), XP_RC_OPS_FAULT_SIZES (default
#   1,1025,4096,65536,1048576; empty: no fault runs).
set -uo pipefail

# shellcheck source=tests/vm/lib/testvm.sh
source "$(dirname "$0")/lib/testvm.sh"

vm_require test_rc_ops

# shellcheck source=tests/vm/lib/rc_ops.sh
source "$(dirname "$0")/lib/rc_ops.sh"

# One guest: 6.1, unless XP_VM_SERIES narrows the VM suites to others
# (then its first series); XP_RC_OPS_SERIES overrides both.
SERIES=$(vm_one_series "${XP_RC_OPS_SERIES:-}")
NET=$(ns_name on)
HOSTNS=$(ns_name oh)
HOST_IP=198.18.106.1
GUEST_IP=198.18.106.11

vm_host_bed "rc ops" "$SERIES"

# ops_guest KIND LABEL: one guest on the bed, its rxe0 Linux's rdma_rxe
# (KIND rxe) or our xp_rxe fed by XDP (xprxe), and the control, the runs
# and the checks against it.
ops_guest() {
	local kind=$1 label=$2
	up=0
	vm_kdev_opts "$kind" || return
	T0=$EPOCHREALTIME
	vm_host_guest "rcops-$SERIES-$kind" 500 "$XPVM_GUEST/rc_ops.sh" -f "$IBV:/xp/files/rdma_peer" \
		-e "XP_PEER=/xp/files/rdma_peer" -e "XP_SIZES=$SIZES" -e "XP_ITERS=$ITERS" -e "XP_SEED=41" \
		-e "XP_SELF=1" -e "XP_FAULT_SIZES=$FAULT_SIZES" "${KDEV_OPTS[@]}"
	vm_wait_guest "$label" && up=1
	((up)) && ops_runs
	vm_guest_done "$label" 60
	ops_checks "$label $KVER"
	[[ $kind == xprxe ]] && vm_kdev_checks "$label $KVER"
	vm_host_checks "$label"
}

ops_guest rxe "rc ops"
ops_guest xprxe "rc ops xp_rxe"
summary
