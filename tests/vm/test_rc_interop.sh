#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# RC interop with kernel rdma_rxe: rdma-core's ibv_rc_pingpong in a 6.1
# guest (rxe on its virtio-net eth0) against our xp-rc-pingpong over
# AF_XDP in a host-side namespace on the same bridge:
#
#   host ns eth0 (198.18.104.1, veth, xdp_steer + AF_XDP) --+- xpbr0 in ns xprn<tag>
#   guest eth0   (198.18.104.11, rdma_rxe rxe0)           --+
#
# Sizes 1, 4096 (4 packets) and 65536 (64 packets at path MTU 1024), both
# directions, and two negative controls: see tests/vm/lib/rc_interop.sh.
# Then the same against our kernel device: a second guest with xp_rxe as
# rxe0, fed by bpf/xdp_rxe.bpf.o on its eth0 (every RoCEv2 frame through
# the program's kfunc, as the guest's counters show).
# vm/test_rc_zc runs the same against ours in a zero-copy guest.
set -uo pipefail

# shellcheck source=tests/vm/lib/testvm.sh
source "$(dirname "$0")/lib/testvm.sh"

vm_require test_rc_interop

# shellcheck source=tests/vm/lib/rc_interop.sh
source "$(dirname "$0")/lib/rc_interop.sh"

# One guest: 6.1, unless XP_VM_SERIES narrows the VM suites to others
# (then its first series); XP_RC_SERIES overrides both.
SERIES=$(vm_one_series "${XP_RC_SERIES:-}")
NET=$(ns_name rn)
HOSTNS=$(ns_name rh)
HOST_IP=198.18.104.1
GUEST_IP=198.18.104.11

vm_host_bed "rc interop" "$SERIES"

# rc_guest KIND LABEL: one guest on the bed, its rxe0 Linux's rdma_rxe
# (KIND rxe) or our xp_rxe fed by XDP (xprxe), and every run and check of
# tests/vm/lib/rc_interop.sh against it.
rc_guest() {
	local kind=$1 label=$2 up=0
	vm_kdev_opts "$kind" || return
	T0=$EPOCHREALTIME
	vm_host_guest "rcx-$SERIES-$kind" 300 "$XPVM_GUEST/rc_interop.sh" -e "XP_ITERS=$ITERS" \
		-e "XP_SIZES=$SIZES" "${KDEV_OPTS[@]}"
	# The guest is up when it answers; the ping also resolves its MAC for our QP.
	vm_wait_guest "$label" && up=1
	# shellcheck disable=SC2119 # no arguments to add
	((up)) && rc_runs
	vm_guest_done "$label" 150
	((up)) && rc_checks "$label $KVER" "$TMP/guest.log"
	[[ $kind == xprxe ]] && vm_kdev_checks "$label $KVER"
	vm_host_checks "$label"
}

rc_guest rxe "rc interop"
rc_guest xprxe "rc interop xp_rxe"
summary
