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

vm_host_guest "rcx-$SERIES" 300 "$XPVM_GUEST/rc_interop.sh" -e "XP_ITERS=$ITERS" -e "XP_SIZES=$SIZES"

# The guest is up when it answers; the ping also resolves its MAC for our QP.
up=0
vm_wait_guest "rc interop" && up=1

# shellcheck disable=SC2119 # no arguments to add
((up)) && rc_runs
vm_guest_done "rc interop" 150

((up)) && rc_checks "rc interop $KVER" "$TMP/guest.log"
vm_host_checks "rc interop"
summary
