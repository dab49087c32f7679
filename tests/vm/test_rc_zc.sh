#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The RDMA engine over a zero-copy AF_XDP socket against kernel rdma_rxe:
# our xp-rc-pingpong -z in a guest of Debian's newest kernel whose
# virtio-net offers VIRTIO_F_ACCESS_PLATFORM (qemu iommu_platform=on,
# disable-legacy=on), rdma-core's ibv_rc_pingpong on rxe in a second guest
# (6.12 unless XP_RCZC_PEER says otherwise), a host namespace on the bridge:
#
#   host ns        (198.18.106.1)                       --+
#   guest "ours"   (198.18.106.21, newest, -z AF_XDP)   --+- xpbr0 in ns xpzn<tag>
#   guest "rxe"    (198.18.106.11, rdma_rxe rxe0)       --+
#
# The runs and checks are vm/test_rc_interop's (tests/vm/lib/rc_interop.sh):
# sizes 1, 4096 and 65536 both ways with data checked, no frame dropped,
# two negative controls; here every one of our runs also says it bound in
# zero-copy mode. The host drives our guest through the 9p share
# (tests/vm/lib/ours_guest.sh).
#
# Runs alone in tests/run.sh (it boots two guests at once):
# vm-weight: 2
set -uo pipefail

# shellcheck source=tests/vm/lib/testvm.sh
source "$(dirname "$0")/lib/testvm.sh"

vm_require test_rc_zc

# shellcheck source=tests/vm/lib/rc_interop.sh
source "$(dirname "$0")/lib/rc_interop.sh"

PEER_SERIES=${XP_RCZC_PEER:-6.12}
# shellcheck source=tests/vm/lib/ours_guest.sh
source "$(dirname "$0")/lib/ours_guest.sh"
ours_guest_net 198.18.106 zn

# guest_ours NAME SECONDS ARGS...: xp-rc-pingpong in our guest.
guest_ours() {
	ours_guest_run "$1" "$2" xp-rc-pingpong "${@:3}"
}
OURS_RUN=guest_ours

ours_guest_bed "rc zc" "$PEER_SERIES"

# The rxe guest talks to ours as its "host" (tests/vm/guest/rc_interop.sh).
ours_peer_boot "$PEER_KVER" 400 "$XPVM_GUEST/rc_interop.sh" -e "XP_ITERS=$ITERS" \
	-e "XP_SIZES=$SIZES"
ours_guest_boot "$PP"

up=0
ours_guest_up "rc zc" && up=1
((up)) && rc_runs -z
ours_guest_stop
vm_guest_done "rc zc" 120

if ((up)); then
	n=0
	for f in "$TMP"/[cs][0-9]*.err "$TMP"/neg*.err; do
		grep -q "^xp-rc-pingpong: device eth0: AF_XDP zero-copy mode$" "$f" && n=$((n + 1))
	done
	nruns=$(($(wc -w <<<"$SIZES") * 2 + 2))
	check "rc zc $KVER: every run of ours bound in zero-copy mode ($n of $nruns)" test "$n" = "$nruns"
	rc_checks "rc zc $KVER against rxe $PEER_KVER" "$TMP/guest.log"
fi
check "rc zc $KVER: the rxe guest's script passed (status $RC_VM)" test "$RC_VM" = 0
ours_guest_checks "rc zc $KVER"
summary
