#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# RC operations over a zero-copy AF_XDP socket against kernel rdma_rxe:
# the xdpath build of tests/interop/rdma_peer.c in a guest of Debian's
# newest kernel whose virtio-net offers VIRTIO_F_ACCESS_PLATFORM, the
# libibverbs build on rxe in a 6.12 guest (XP_RC_OPS_ZC_PEER), a host
# namespace on the bridge that drives ours through the 9p share
# (tests/vm/lib/ours_guest.sh):
#
#   host ns       (198.18.112.1)                       --+
#   guest "ours"  (198.18.112.21, newest, zero-copy)   --+- xpbr0 in ns xpzo<tag>
#   guest "rxe"   (198.18.112.11, rdma_rxe rxe0)       --+
#
# The runs and checks are vm/test_rc_ops's (tests/vm/lib/rc_ops.sh): the
# control, then WRITE, READ, WRITE WITH IMMEDIATE, SEND, SEND WITH
# IMMEDIATE and both atomics at every size, both roles, every byte checked,
# and again with our side dropping, duplicating and reordering; here each
# of our runs must also have bound in zero-copy mode.
#
# Runs alone in tests/run.sh (it boots two guests at once):
# vm-weight: 2
set -uo pipefail

# shellcheck source=tests/vm/lib/testvm.sh
source "$(dirname "$0")/lib/testvm.sh"

vm_require test_rc_ops_zc

# shellcheck source=tests/vm/lib/rc_ops.sh
source "$(dirname "$0")/lib/rc_ops.sh"
# shellcheck source=tests/vm/lib/ours_guest.sh
source "$(dirname "$0")/lib/ours_guest.sh"

PEER_SERIES=${XP_RC_OPS_ZC_PEER:-6.12}
ours_guest_net 198.18.112 zo

# guest_peer NAME SECONDS ARGS...: our rdma_peer in our guest.
guest_peer() {
	ours_guest_run "$1" "$2" rdma_peer "${@:3}"
}
OPS_RUN=guest_peer
# Zero-copy forced (-z); XP_RC_OPS_ZC_COPY=1 runs the same bed in copy mode,
# the control for a zero-copy-only failure.
MODE=zero-copy OURS_ARGS=(-z)
if [[ ${XP_RC_OPS_ZC_COPY:-0} == 1 ]]; then
	MODE=copy OURS_ARGS=(--copy)
fi

ours_guest_bed "rc ops zc" "$PEER_SERIES"

ours_peer_boot "$PEER_KVER" 600 "$XPVM_GUEST/rc_ops.sh" -f "$IBV:/xp/files/rdma_peer" \
	-e "XP_PEER=/xp/files/rdma_peer" -e "XP_SIZES=$SIZES" -e "XP_ITERS=$ITERS" -e "XP_SEED=41" \
	-e "XP_SELF=1" -e "XP_FAULT_SIZES=$FAULT_SIZES"
ours_guest_boot "$PEER"

up=0
ours_guest_up "rc ops zc" && up=1
((up)) && ops_runs
ours_guest_stop
vm_guest_done "rc ops zc" 60

ops_checks "rc ops zc $KVER against rxe $PEER_KVER"
if ((up)); then
	n=$(grep -l "^rdma_peer: device eth0: AF_XDP $MODE mode$" "$TMP"/*-client.err "$TMP"/*-server.err |
		wc -l)
	nruns=$(($(wc -w <<<"$RUNS") * 2))
	check "rc ops zc $KVER: every run of ours bound in $MODE mode ($n of $nruns)" test "$n" = "$nruns"
fi
check "rc ops zc $KVER: the rxe guest's script passed (status $RC_VM)" test "$RC_VM" = 0
ours_guest_checks "rc ops zc $KVER"
summary
