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
# (tests/vm/guest/rc_ours.sh).
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
NET=$(ns_name zn)
HOSTNS=$(ns_name zh)
HOST_IP=198.18.106.1
GUEST_IP=198.18.106.11 # the rxe guest
OURS_IP=198.18.106.21
ZC_NIC=iommu_platform=on,disable-legacy=on
GPP=/xp/bin/xp-rc-pingpong
SHARE=$TMP/share
mkdir -p "$SHARE"

# guest_ours NAME SECONDS ARGS...: xp-rc-pingpong in our guest, through
# the share; its status (124 when the guest does not answer in time).
K=0
guest_ours() {
	local name=$1 secs=$2 i
	shift 2
	K=$((K + 1))
	echo "$@" >"$SHARE/.cmd"
	mv "$SHARE/.cmd" "$SHARE/cmd.$K"
	for ((i = 0; i < (secs + 30) * 10; i++)); do
		[[ -e $SHARE/done.$K ]] && break
		kill -0 "$ZPID" 2>/dev/null || break
		sleep 0.1
	done
	cp "$SHARE/$K.out" "$TMP/$name.out" 2>/dev/null || : >"$TMP/$name.out"
	cp "$SHARE/$K.err" "$TMP/$name.err" 2>/dev/null || echo "no output: the guest did not run it" >"$TMP/$name.err"
	[[ -e $SHARE/done.$K ]] || return 124
	return "$(cat "$SHARE/$K.rc")"
}
OURS_RUN=guest_ours

vm_host_bed "rc zc" newest
PEER_KVER=$("$XPVM" kernel "$PEER_SERIES") || {
	fail "kernel $PEER_SERIES: cannot resolve or download it (see above)"
	summary
	exit 1
}

# The rxe guest talks to ours as its "host" (tests/vm/guest/rc_interop.sh).
"$XPVM" run -k "$PEER_KVER" --net "$NET" --name "rxe-$PEER_SERIES" --ip "$GUEST_IP/24" \
	-m "?crc32_generic rdma_rxe ib_uverbs" -t 400 -e "XP_HOST=$OURS_IP" -e "XP_PORT_G=$PORT_G" \
	-e "XP_PORT_H=$PORT_H" -e "XP_ITERS=$ITERS" -e "XP_SIZES=$SIZES" \
	"$XPVM_GUEST/rc_interop.sh" >"$TMP/guest.log" 2>&1 &
VMPID=$!
"$XPVM" run -k "$KVER" --net "$NET" --name "ours-newest" --ip "$OURS_IP/24" -t 400 \
	--nic-opts "$ZC_NIC" -b "+$PP bpftool" -f "$PP:$GPP" --share "$SHARE" \
	-e "XP_HOST=$HOST_IP" -e "XP_PEER=$GUEST_IP" -e "PP=$GPP" \
	"$XPVM_GUEST/rc_ours.sh" >"$TMP/ours.log" 2>&1 &
ZPID=$!

up=0
if vm_wait_guest "rc zc"; then
	for ((i = 0; i < 1200; i++)); do
		[[ -e $SHARE/ready ]] && up=1 && break
		kill -0 "$ZPID" 2>/dev/null || break
		sleep 0.1
	done
	((up)) || fail "rc zc $KVER: our guest never got ready (both peers answering)"
fi
((up)) && rc_runs -z
: >"$SHARE/stop"
RC_Z=0
wait "$ZPID" || RC_Z=$?
grep -vE '^(\[[^]]*\])? *$| speed is unknown' "$TMP/ours.log" | sed 's/^/    # /' | tail -40
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
check "rc zc $KVER: our guest's script passed (status $RC_Z)" test "$RC_Z" = 0
check "rc zc $KVER: no XDP program left on our guest's eth0" grep -q "XDPRESULT none" "$TMP/ours.log"
summary
